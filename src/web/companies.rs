//! Companies: the list, a company's page with its contacts and news, and logging news.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use crate::actions::ActionError;
use crate::actions::companies::{CompanyInput, EventInput, log_event, parse};
use crate::auth::session;
use crate::db::companies::{self, Company};
use crate::db::contacts::{self, ListFilter};
use crate::domain::cadence::{ContactKind, EventKind};
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::text::SearchText;
use crate::web::extract::CurrentUser;
use crate::web::fmt;
use crate::web::forms::{Form, FormErrors, Query};
use crate::web::layout::Layout;
use crate::web::views::contact_path;

#[derive(Debug, Default, Deserialize)]
pub struct ListQuery {
    #[serde(default)]
    q: SearchText,
    after_name: Option<String>,
    after_id: Option<i64>,
}

#[derive(Template, WebTemplate)]
#[template(path = "companies/list.html")]
struct ListPage {
    layout: Layout,
    q: SearchText,
    companies: Vec<Company>,
    next: Option<String>,
    form: CompanyInput,
    errors: FormErrors,
}

async fn list_page(
    app: &AppState,
    user: &CurrentUser,
    q: ListQuery,
    form: CompanyInput,
    errors: FormErrors,
) -> AppResult<ListPage> {
    let mut found = companies::list(
        &app.db,
        user.team_id,
        q.q.as_query(),
        q.after_name.clone().zip(q.after_id),
        51,
    )
    .await?;
    let next = (found.len() > 50).then(|| {
        found.truncate(50);
        found.last().map(|c| {
            let enc = crate::links::query_value;
            format!(
                "/companies?q={}&after_name={}&after_id={}",
                enc(q.q.as_str()),
                enc(&c.name.to_lowercase()),
                c.id
            )
        })
    });
    Ok(ListPage {
        layout: Layout::new(user, "companies").await,
        q: q.q,
        companies: found,
        next: next.flatten(),
        form,
        errors,
    })
}

/// GET /companies
pub async fn index(
    State(app): State<AppState>,
    user: CurrentUser,
    Query(q): Query<ListQuery>,
) -> AppResult<Response> {
    Ok(list_page(
        &app,
        &user,
        q,
        CompanyInput::default(),
        FormErrors::default(),
    )
    .await?
    .into_response())
}

/// POST /companies
pub async fn create(
    State(app): State<AppState>,
    user: CurrentUser,
    Form(form): Form<CompanyInput>,
) -> AppResult<Response> {
    match parse(&form) {
        Ok((name, website, notes)) => {
            let id = companies::insert(&app.db, user.team_id, &name, &website, &notes).await?;
            session::flash(&user.session, "ok", format!("{name} added.")).await;
            Ok(Redirect::to(&format!("/companies/{id}")).into_response())
        }
        Err(e) => {
            let mut errors = FormErrors::default();
            errors.add(e);
            let page = list_page(&app, &user, ListQuery::default(), form, errors).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
    }
}

/// A contact of the company as listed on its page.
pub struct Person {
    pub path: String,
    pub name: String,
    pub title: String,
    pub kind: &'static str,
    pub due: Option<String>,
}

/// A logged event as listed.
pub struct News {
    pub kind: &'static str,
    pub summary: String,
    pub occurred: String,
    pub logged: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "companies/show.html")]
struct ShowPage {
    layout: Layout,
    company: Company,
    people: Vec<Person>,
    news: Vec<News>,
    kinds: Vec<(&'static str, &'static str)>,
    event: EventForm,
    edit: CompanyInput,
    errors: FormErrors,
    today: String,
}

/// The event form as posted.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct EventForm {
    #[serde(default)]
    kind: String,
    #[serde(default)]
    summary: String,
    #[serde(default)]
    occurred_on: String,
}

async fn show_page(
    app: &AppState,
    user: &CurrentUser,
    id: i64,
    event: EventForm,
    edit: Option<CompanyInput>,
    errors: FormErrors,
) -> AppResult<ShowPage> {
    let company = companies::find(&app.db, user.team_id, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let tz = user.tz();
    let today = app.clock.today_in(tz);
    let mut people = Vec::new();
    for kind in [ContactKind::DecisionMaker, ContactKind::Candidate] {
        let filter = ListFilter {
            company_id: Some(id),
            limit: 200,
            ..ListFilter::default()
        };
        for c in contacts::list(&app.db, user.team_id, kind, &filter).await? {
            people.push(Person {
                path: contact_path(kind, c.id),
                kind: if kind == ContactKind::DecisionMaker {
                    "Decision maker"
                } else {
                    "Candidate (works here)"
                },
                due: c.due_reason.map(|r| r.label().to_string()),
                name: c.name,
                title: c.title,
            });
        }
    }
    let news = companies::events(&app.db, user.team_id, id)
        .await?
        .into_iter()
        .map(|e| News {
            kind: e.kind.label(),
            summary: e.summary,
            occurred: fmt::day(e.occurred_on, today),
            logged: format!(
                "{}{}",
                fmt::moment(e.logged_at, tz, today),
                e.logged_by_name
                    .map(|n| format!(" by {n}"))
                    .unwrap_or_default()
            ),
        })
        .collect();
    let edit = edit.unwrap_or_else(|| CompanyInput {
        name: company.name.clone(),
        website: company.website.clone(),
        notes: company.notes.clone(),
    });
    Ok(ShowPage {
        layout: Layout::new(user, "companies").await,
        company,
        people,
        news,
        kinds: fmt::options(&EventKind::ALL, EventKind::as_str, EventKind::label),
        event,
        edit,
        errors,
        today: today.to_string(),
    })
}

/// GET /companies/{id}
pub async fn show(
    State(app): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let event = EventForm {
        kind: "new_leader".into(),
        ..EventForm::default()
    };
    Ok(
        show_page(&app, &user, id, event, None, FormErrors::default())
            .await?
            .into_response(),
    )
}

/// POST /companies/{id}: edits name, website, notes.
pub async fn update(
    State(app): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    Form(form): Form<CompanyInput>,
) -> AppResult<Response> {
    match parse(&form) {
        Ok((name, website, notes)) => {
            if !companies::update(&app.db, user.team_id, id, &name, &website, &notes).await? {
                return Err(AppError::NotFound);
            }
            session::flash(&user.session, "ok", "Saved.").await;
            Ok(Redirect::to(&format!("/companies/{id}")).into_response())
        }
        Err(e) => {
            let mut errors = FormErrors::default();
            errors.add(e);
            let page = show_page(&app, &user, id, EventForm::default(), Some(form), errors).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
    }
}

/// POST /companies/{id}/events: news makes a call due today for everyone at the company.
pub async fn create_event(
    State(app): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    Form(form): Form<EventForm>,
) -> AppResult<Response> {
    let occurred_on = match form.occurred_on.trim() {
        "" => Ok(None),
        s => s.parse().map(Some).map_err(|_| {
            crate::accounts::FieldError::new("occurred_on", "Give the date it happened.")
        }),
    };
    let result = match occurred_on {
        Ok(occurred_on) => {
            log_event(
                &app.ctx(),
                &user,
                id,
                &EventInput {
                    kind: form.kind.clone(),
                    summary: form.summary.clone(),
                    occurred_on,
                },
            )
            .await
        }
        Err(e) => Err(ActionError::Invalid(e)),
    };
    match result {
        Ok(_) => {
            session::flash(
                &user.session,
                "ok",
                "News logged: a call is now due for everyone at the company.",
            )
            .await;
            Ok(Redirect::to(&format!("/companies/{id}")).into_response())
        }
        Err(ActionError::Invalid(e)) => {
            let mut errors = FormErrors::default();
            errors.add(e);
            let page = show_page(&app, &user, id, form, None, errors).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(other) => Err(other.into()),
    }
}
