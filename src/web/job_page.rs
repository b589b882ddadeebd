//! A job order's page (its pipeline, edits, adding candidates) and an application's page.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use crate::actions::{self, ActionError};
use crate::auth::session;
use crate::db::applications;
use crate::db::contacts::{self, ListFilter};
use crate::db::jobs::{self, Job};
use crate::domain::cadence::ContactKind;
use crate::domain::pipeline::JobStatus;
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::text::SearchText;
use crate::web::extract::CurrentUser;
use crate::web::forms::{Form, FormErrors, Query};
use crate::web::jobs::{AppRow, JobForm, app_rows, form_page, stages};
use crate::web::layout::Layout;

#[derive(Debug, Default, Deserialize)]
pub struct ShowQuery {
    #[serde(default)]
    q: SearchText,
}

#[derive(Template, WebTemplate)]
#[template(path = "jobs/show.html")]
struct ShowPage {
    layout: Layout,
    job: Job,
    status_label: &'static str,
    rows: Vec<AppRow>,
    stages: Vec<(&'static str, &'static str)>,
    q: SearchText,
    found: Vec<(i64, String, String)>,
}

/// GET /jobs/{id}?q= (q searches candidates to add)
pub async fn show(
    State(app): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    Query(q): Query<ShowQuery>,
) -> AppResult<Response> {
    let job = jobs::find(&app.db, user.team_id, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let list = applications::for_job_or_candidate(&app.db, user.team_id, Some(id), None).await?;
    let rows = app_rows(&app, &user, list).await?;
    let found = match q.q.as_query() {
        None => Vec::new(),
        Some(query) => {
            let filter = ListFilter {
                query: Some(query.to_string()),
                limit: 20,
                ..ListFilter::default()
            };
            contacts::list(&app.db, user.team_id, ContactKind::Candidate, &filter)
                .await?
                .into_iter()
                .map(|c| (c.id, c.name, c.company_name.unwrap_or(c.title)))
                .collect()
        }
    };
    let page = ShowPage {
        layout: Layout::new(&user, "jobs").await,
        status_label: job.status.label(),
        job,
        rows,
        stages: stages(),
        q: q.q,
        found,
    };
    Ok(page.into_response())
}

/// GET /jobs/{id}/edit
pub async fn edit_form(
    State(app): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let job = jobs::find(&app.db, user.team_id, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let form = JobForm {
        title: job.title,
        company_id: job.company_id.to_string(),
        decision_maker_id: job
            .decision_maker_id
            .map(|d| d.to_string())
            .unwrap_or_default(),
        owner_id: job.owner_id.to_string(),
        status: job.status.as_str().to_string(),
    };
    Ok(form_page(
        &app,
        &user,
        format!("/jobs/{id}"),
        job.company_id,
        form,
        FormErrors::default(),
    )
    .await?
    .into_response())
}

/// POST /jobs/{id}: closing a job makes sign-off calls due for its finalists.
pub async fn update(
    State(app): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    Form(form): Form<JobForm>,
) -> AppResult<Response> {
    let job = jobs::find(&app.db, user.team_id, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let mut input = form.input();
    input.company_id = Some(job.company_id);
    let result = match input.parse(user.id) {
        Ok(w) => actions::jobs::update(&app.ctx(), &user, id, &w).await,
        Err(e) => Err(ActionError::Invalid(e)),
    };
    match result {
        Ok(()) => {
            let closed = form
                .status
                .parse::<JobStatus>()
                .is_ok_and(JobStatus::is_closed);
            let note = if closed {
                " Everyone presented and not placed now has a sign-off call due."
            } else {
                ""
            };
            session::flash(&user.session, "ok", format!("Job saved.{note}")).await;
            Ok(Redirect::to(&format!("/jobs/{id}")).into_response())
        }
        Err(ActionError::Invalid(e)) => {
            let mut errors = FormErrors::default();
            errors.add(e);
            let page = form_page(
                &app,
                &user,
                format!("/jobs/{id}"),
                job.company_id,
                form,
                errors,
            )
            .await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(other) => Err(other.into()),
    }
}

#[derive(Debug, Deserialize)]
pub struct AddForm {
    #[serde(default)]
    candidate_id: String,
    #[serde(default)]
    job_id: String,
    #[serde(default)]
    return_to: String,
}

/// POST /applications: adds a candidate to a job (from the job page or the candidate page).
pub async fn add(
    State(app): State<AppState>,
    user: CurrentUser,
    Form(form): Form<AddForm>,
) -> AppResult<Response> {
    let (Ok(job_id), Ok(candidate_id)) =
        (form.job_id.parse::<i64>(), form.candidate_id.parse::<i64>())
    else {
        session::flash(&user.session, "error", "Choose a job and a candidate.").await;
        return Ok(Redirect::to(&safe_back(&form.return_to)).into_response());
    };
    match actions::jobs::add_candidate(&app.ctx(), &user, job_id, candidate_id, None).await {
        Ok(_) => session::flash(&user.session, "ok", "Added to the pipeline as sourced.").await,
        Err(ActionError::Conflict(m)) => session::flash(&user.session, "error", m).await,
        Err(other) => return Err(other.into()),
    }
    Ok(Redirect::to(&safe_back(&form.return_to)).into_response())
}

fn safe_back(back: &str) -> String {
    crate::web::return_to(back, &["/jobs/", "/contacts/candidates/"], "/board")
}

#[derive(Template, WebTemplate)]
#[template(path = "jobs/application.html")]
struct ApplicationPage {
    layout: Layout,
    row: AppRow,
    stage_label: &'static str,
    stages: Vec<(&'static str, &'static str)>,
}

/// GET /applications/{id}
pub async fn application(
    State(app): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let found = applications::find(&app.db, user.team_id, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let stage_label = found.stage.label();
    let row = app_rows(&app, &user, vec![found]).await?.remove(0);
    Ok(ApplicationPage {
        layout: Layout::new(&user, "board").await,
        row,
        stage_label,
        stages: stages(),
    }
    .into_response())
}
