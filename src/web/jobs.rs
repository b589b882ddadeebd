//! Job orders: the list, a new job for a company, a job's page with its pipeline and a candidate
//! search to add people, and an application's page with its stage history.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use crate::actions::jobs::JobInput;
use crate::actions::{self, ActionError};
use crate::auth::session;
use crate::db::applications::{self, Application};
use crate::db::contacts::{self, ListFilter};
use crate::db::jobs::{self, Job, JobFilter};
use crate::db::{companies, users};
use crate::domain::cadence::{ContactKind, Reason};
use crate::domain::pipeline::{JobStatus, Stage};
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::web::extract::CurrentUser;
use crate::web::fmt;
use crate::web::forms::{Form, FormErrors, Query};
use crate::web::layout::Layout;

/// Stage and status options for selects.
pub fn stages() -> Vec<(&'static str, &'static str)> {
    Stage::ALL.iter().map(|s| (s.as_str(), s.label())).collect()
}
pub fn statuses() -> Vec<(&'static str, &'static str)> {
    JobStatus::ALL
        .iter()
        .map(|s| (s.as_str(), s.label()))
        .collect()
}

#[derive(Debug, Default, Deserialize)]
pub struct JobsQuery {
    #[serde(default)]
    status: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "jobs/list.html")]
struct ListPage {
    layout: Layout,
    status: String,
    statuses: Vec<(&'static str, &'static str)>,
    jobs: Vec<Job>,
    companies: Vec<(i64, String)>,
}

/// GET /jobs
pub async fn index(
    State(app): State<AppState>,
    user: CurrentUser,
    Query(q): Query<JobsQuery>,
) -> AppResult<Response> {
    let status = Some(q.status.clone()).filter(|s| s.parse::<JobStatus>().is_ok());
    let list = jobs::list(
        &app.db,
        user.team_id,
        &JobFilter {
            status,
            limit: 500,
            ..JobFilter::default()
        },
    )
    .await?;
    let page = ListPage {
        layout: Layout::new(&user, "jobs").await,
        status: q.status,
        statuses: statuses(),
        jobs: list,
        companies: companies::options(&app.db, user.team_id).await?,
    };
    Ok(page.into_response())
}

/// The job form as posted.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct JobForm {
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub company_id: String,
    #[serde(default)]
    pub decision_maker_id: String,
    #[serde(default)]
    pub owner_id: String,
    #[serde(default)]
    pub status: String,
}

impl JobForm {
    /// The shared input.
    pub fn input(&self) -> JobInput {
        JobInput {
            title: self.title.clone(),
            company_id: self.company_id.trim().parse().ok(),
            decision_maker_id: self.decision_maker_id.trim().parse().ok(),
            owner_id: self.owner_id.trim().parse().ok(),
            status: self.status.clone(),
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "jobs/form.html")]
pub struct FormPage {
    layout: Layout,
    action: String,
    company_name: String,
    form: JobForm,
    errors: FormErrors,
    dms: Vec<(String, String)>,
    owners: Vec<(String, String)>,
    statuses: Vec<(&'static str, &'static str)>,
}

pub async fn form_page(
    app: &AppState,
    user: &CurrentUser,
    action: String,
    company_id: i64,
    form: JobForm,
    errors: FormErrors,
) -> AppResult<FormPage> {
    let company = companies::find(&app.db, user.team_id, company_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let filter = ListFilter {
        company_id: Some(company_id),
        limit: 500,
        ..ListFilter::default()
    };
    let dms = contacts::list(&app.db, user.team_id, ContactKind::DecisionMaker, &filter).await?;
    let owners = users::list_for_team(&app.db, user.team_id).await?;
    Ok(FormPage {
        layout: Layout::new(user, "jobs").await,
        action,
        company_name: company.name,
        form,
        errors,
        dms: dms
            .into_iter()
            .map(|d| (d.id.to_string(), d.name))
            .collect(),
        owners: owners
            .into_iter()
            .filter(|u| u.active)
            .map(|u| (u.id.to_string(), u.name))
            .collect(),
        statuses: statuses(),
    })
}

#[derive(Debug, Deserialize)]
pub struct NewQuery {
    company_id: Option<i64>,
}

/// GET /jobs/new?company_id=
pub async fn new_form(
    State(app): State<AppState>,
    user: CurrentUser,
    Query(q): Query<NewQuery>,
) -> AppResult<Response> {
    let Some(company_id) = q.company_id else {
        return Ok(Redirect::to("/jobs").into_response());
    };
    let form = JobForm {
        company_id: company_id.to_string(),
        owner_id: user.id.to_string(),
        status: "open".into(),
        ..JobForm::default()
    };
    Ok(form_page(
        &app,
        &user,
        "/jobs".into(),
        company_id,
        form,
        FormErrors::default(),
    )
    .await?
    .into_response())
}

/// POST /jobs
pub async fn create(
    State(app): State<AppState>,
    user: CurrentUser,
    Form(form): Form<JobForm>,
) -> AppResult<Response> {
    let result = match form.input().parse(user.id) {
        Ok(w) => actions::jobs::create(&app.ctx(), &user, &w).await,
        Err(e) => Err(ActionError::Invalid(e)),
    };
    match result {
        Ok(id) => {
            session::flash(
                &user.session,
                "ok",
                "Job order opened. Add candidates to its pipeline below.",
            )
            .await;
            Ok(Redirect::to(&format!("/jobs/{id}")).into_response())
        }
        Err(ActionError::Invalid(e)) => {
            let mut errors = FormErrors::default();
            errors.add(e);
            let company_id = form.company_id.parse().map_err(|_| AppError::NotFound)?;
            let page = form_page(&app, &user, "/jobs".into(), company_id, form, errors).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(other) => Err(other.into()),
    }
}

/// An application as a row of a pipeline table, with its history in words.
pub struct AppRow {
    pub id: i64,
    pub version: i32,
    pub stage: Stage,
    pub candidate: String,
    pub candidate_path: String,
    pub job: String,
    pub job_path: String,
    pub company: String,
    pub history: Vec<String>,
    pub due: Option<&'static str>,
}

/// Rows for some applications, each with its stage history.
pub async fn app_rows(
    app: &AppState,
    user: &CurrentUser,
    list: Vec<Application>,
) -> AppResult<Vec<AppRow>> {
    let tz = user.tz();
    let today = app.clock.today_in(tz);
    let ids: Vec<i64> = list.iter().map(|a| a.id).collect();
    let history = applications::history(&app.db, user.team_id, &ids).await?;
    Ok(list
        .into_iter()
        .map(|a| AppRow {
            history: history
                .iter()
                .filter(|h| h.application_id == a.id)
                .map(|h| {
                    let from = h
                        .from_stage
                        .map(|s| format!("{} → ", s.label()))
                        .unwrap_or_default();
                    let to = h.to_stage.label();
                    format!(
                        "{from}{to}, {} by {}",
                        fmt::moment(h.changed_at, tz, today),
                        h.changed_by_name.clone().unwrap_or_default()
                    )
                })
                .collect(),
            due: a.due_reason.map(Reason::label),
            id: a.id,
            version: a.version,
            stage: a.stage,
            candidate_path: format!("/contacts/candidates/{}", a.candidate_id),
            candidate: a.candidate_name,
            job_path: format!("/jobs/{}", a.job_order_id),
            job: a.job_title,
            company: a.company_name,
        })
        .collect())
}
