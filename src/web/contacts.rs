//! The contacts list (search and filters over decision makers or candidates) and the new-contact form.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use crate::actions::{self, ActionError};
use crate::auth::session;
use crate::db::contacts::{self, ListFilter};
use crate::db::{companies, users};
use crate::domain::cadence::ContactKind;
use crate::error::AppResult;
use crate::state::AppState;
use crate::text::SearchText;
use crate::web::contact_form::{ContactForm, FormChoices};
use crate::web::extract::CurrentUser;
use crate::web::fmt;
use crate::web::forms::{Form, FormErrors, Query};
use crate::web::layout::Layout;
use crate::web::views::{KindSlug, contact_path};

/// Rows per page of the list.
const PAGE: i64 = 50;

#[derive(Debug, Default, Deserialize)]
pub struct ListQuery {
    kind: Option<KindSlug>,
    #[serde(default)]
    q: SearchText,
    #[serde(default)]
    owner: String,
    #[serde(default)]
    temperature: String,
    #[serde(default)]
    due: String,
    after_name: Option<String>,
    after_id: Option<i64>,
}

/// One row of the list.
pub struct Row {
    pub path: String,
    pub name: String,
    pub title: String,
    pub company: String,
    pub owner: String,
    pub temperature: Option<String>,
    pub last_touch: String,
    pub due: Option<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "contacts/list.html")]
struct ListPage {
    layout: Layout,
    is_dm: bool,
    slug: &'static str,
    q: SearchText,
    owner: String,
    temperature: String,
    due: String,
    owners: Vec<(String, String)>,
    rows: Vec<Row>,
    next: Option<String>,
}

/// GET /contacts
pub async fn index(
    State(app): State<AppState>,
    user: CurrentUser,
    Query(q): Query<ListQuery>,
) -> AppResult<Response> {
    let kind = q.kind.unwrap_or(KindSlug::DecisionMakers).kind();
    let filter = ListFilter {
        query: q.q.as_query().map(str::to_string),
        owner_id: q.owner.parse().ok(),
        temperature: Some(q.temperature.clone())
            .filter(|t| kind == ContactKind::DecisionMaker && !t.is_empty()),
        due: match q.due.as_str() {
            "yes" => Some(true),
            "no" => Some(false),
            _ => None,
        },
        company_id: None,
        after: q.after_name.clone().zip(q.after_id),
        limit: PAGE + 1,
    };
    let mut found = contacts::list(&app.db, user.team_id, kind, &filter).await?;
    let more = found.len() > usize::try_from(PAGE).unwrap_or(50);
    found.truncate(usize::try_from(PAGE).unwrap_or(50));
    let tz = user.tz();
    let today = app.clock.today_in(tz);
    let next = if more {
        found.last().map(|c| next_link(&q, kind, &c.name, c.id))
    } else {
        None
    };
    let rows = found
        .into_iter()
        .map(|c| Row {
            path: contact_path(kind, c.id),
            title: c.title,
            company: c.company_name.unwrap_or_default(),
            owner: c.owner_name,
            temperature: c.temperature.map(|t| t.label().to_string()),
            last_touch: c
                .last_touch_at
                .map(|t| fmt::moment(t, tz, today))
                .unwrap_or_else(|| "never".into()),
            due: c.due_reason.map(|r| {
                format!(
                    "{} since {}",
                    r.label(),
                    c.due_on.map(|d| fmt::day(d, today)).unwrap_or_default()
                )
            }),
            name: c.name,
        })
        .collect();
    let owners = users::list_for_team(&app.db, user.team_id)
        .await?
        .into_iter()
        .map(|u| (u.id.to_string(), u.name))
        .collect();
    let page = ListPage {
        layout: Layout::new(&user, "contacts").await,
        is_dm: kind == ContactKind::DecisionMaker,
        slug: KindSlug::of(kind),
        q: q.q,
        owner: q.owner,
        temperature: q.temperature,
        due: q.due,
        owners,
        rows,
        next,
    };
    Ok(page.into_response())
}

fn next_link(q: &ListQuery, kind: ContactKind, name: &str, id: i64) -> String {
    let pairs = [
        ("kind", KindSlug::of(kind).to_string()),
        ("q", q.q.to_string()),
        ("owner", q.owner.clone()),
        ("temperature", q.temperature.clone()),
        ("due", q.due.clone()),
        ("after_name", name.to_lowercase()),
        ("after_id", id.to_string()),
    ];
    let query: Vec<String> = pairs
        .iter()
        .map(|(k, v)| format!("{k}={}", crate::links::query_value(v)))
        .collect();
    format!("/contacts?{}", query.join("&"))
}

#[derive(Template, WebTemplate)]
#[template(path = "contacts/new.html")]
struct NewPage {
    layout: Layout,
    slug: &'static str,
    kind_words: &'static str,
    form: ContactForm,
    errors: FormErrors,
    choices: FormChoices,
}

#[derive(Debug, Deserialize)]
pub struct NewQuery {
    kind: Option<KindSlug>,
    company_id: Option<i64>,
}

async fn new_page(
    app: &AppState,
    user: &CurrentUser,
    kind: ContactKind,
    form: ContactForm,
    errors: FormErrors,
) -> AppResult<NewPage> {
    let companies = companies::options(&app.db, user.team_id).await?;
    let owners = users::list_for_team(&app.db, user.team_id).await?;
    Ok(NewPage {
        layout: Layout::new(user, "contacts").await,
        slug: KindSlug::of(kind),
        kind_words: if kind == ContactKind::DecisionMaker {
            "decision maker"
        } else {
            "candidate"
        },
        form,
        errors,
        choices: FormChoices::new(kind, companies, &owners),
    })
}

/// GET /contacts/new?kind=
pub async fn new_form(
    State(app): State<AppState>,
    user: CurrentUser,
    Query(q): Query<NewQuery>,
) -> AppResult<Response> {
    let kind = q.kind.unwrap_or(KindSlug::DecisionMakers).kind();
    let form = ContactForm {
        owner_id: user.id.to_string(),
        temperature: "cold".into(),
        company_id: q.company_id.map(|i| i.to_string()).unwrap_or_default(),
        ..ContactForm::default()
    };
    Ok(new_page(&app, &user, kind, form, FormErrors::default())
        .await?
        .into_response())
}

/// POST /contacts/{kind}
pub async fn create(
    State(app): State<AppState>,
    user: CurrentUser,
    Path(slug): Path<KindSlug>,
    Form(form): Form<ContactForm>,
) -> AppResult<Response> {
    let kind = slug.kind();
    let mut errors = FormErrors::default();
    let input = form.to_input(&mut errors);
    let result = match input.parse(kind, user.id) {
        Ok(write) if errors.is_empty() => {
            actions::contacts::create(&app.ctx(), &user, kind, &write).await
        }
        Ok(_) => Err(ActionError::Conflict(String::new())),
        Err(list) => {
            list.into_iter().for_each(|e| errors.add(e));
            Err(ActionError::Conflict(String::new()))
        }
    };
    match result {
        Ok(id) => {
            session::flash(&user.session, "ok", format!("{} added.", form.name.trim())).await;
            Ok(Redirect::to(&contact_path(kind, id)).into_response())
        }
        Err(ActionError::Invalid(e)) => {
            errors.add(e);
            Ok((
                StatusCode::UNPROCESSABLE_ENTITY,
                new_page(&app, &user, kind, form, errors).await?,
            )
                .into_response())
        }
        Err(ActionError::Conflict(_)) => Ok((
            StatusCode::UNPROCESSABLE_ENTITY,
            new_page(&app, &user, kind, form, errors).await?,
        )
            .into_response()),
        Err(other) => Err(other.into()),
    }
}
