//! `/applications`: a candidate in a job's pipeline, moved from stage to stage with a version
//! check (a move based on a stale read is refused, never applied silently), with every move kept.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::accounts::FieldError;
use crate::actions::ActionError;
use crate::actions::jobs as act;
use crate::db::applications::{self, Application, StageChange};
use crate::domain::pipeline::Stage;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use crate::web::api::json::{ApiJson, ErrorJson};
use crate::web::extract::ApiUser;

/// One stage move, as kept.
#[derive(Debug, Serialize, ToSchema)]
pub struct StageChangeJson {
    /// The stage before; null for the first one (when the candidate was added).
    pub from: Option<String>,
    pub to: String,
    /// The user who moved it (null if unknown).
    pub by: Option<i64>,
    pub by_name: Option<String>,
    pub at: DateTime<Utc>,
}

impl From<StageChange> for StageChangeJson {
    fn from(s: StageChange) -> Self {
        Self {
            from: s.from_stage.map(|f| f.as_str().to_string()),
            to: s.to_stage.as_str().to_string(),
            by: s.changed_by,
            by_name: s.changed_by_name,
            at: s.changed_at,
        }
    }
}

/// A candidate in a job's pipeline.
#[derive(Debug, Serialize, ToSchema)]
pub struct ApplicationJson {
    pub id: i64,
    pub job_id: i64,
    pub job_title: String,
    /// The job's status: `open`, `on_hold`, `filled` or `cancelled`.
    pub job_status: String,
    pub company_id: i64,
    pub company_name: String,
    pub candidate_id: i64,
    pub candidate_name: String,
    /// The candidate's owner, whose due list gets the candidate's follow-ups.
    pub candidate_owner_id: i64,
    pub candidate_owner_name: String,
    /// `sourced`, `contacted`, `screening`, `presented`, `interviewing`, `offer`, `placed`,
    /// `rejected` or `withdrawn`.
    pub stage: String,
    /// Bumped at every move; send it back with a PATCH to refuse a move based on a stale read.
    pub version: i32,
    pub stage_changed_at: DateTime<Utc>,
    pub created_at: DateTime<Utc>,
    /// The reason of the candidate's item on its owner's current due list, if any.
    pub due_reason: Option<String>,
    /// Every stage it has had, oldest first (the first is when it was added).
    pub history: Vec<StageChangeJson>,
}

impl ApplicationJson {
    fn new(a: Application, history: Vec<StageChange>) -> Self {
        Self {
            id: a.id,
            job_id: a.job_order_id,
            job_title: a.job_title,
            job_status: a.job_status.as_str().to_string(),
            company_id: a.company_id,
            company_name: a.company_name,
            candidate_id: a.candidate_id,
            candidate_name: a.candidate_name,
            candidate_owner_id: a.owner_id,
            candidate_owner_name: a.owner_name,
            stage: a.stage.as_str().to_string(),
            version: a.version,
            stage_changed_at: a.stage_changed_at,
            created_at: a.created_at,
            due_reason: a.due_reason.map(|r| r.as_str().to_string()),
            history: history.into_iter().map(Into::into).collect(),
        }
    }
}

/// A candidate to put in a job's pipeline. The job and the candidate must be the caller's team's
/// (else 404, as a missing one); a candidate already in that job's pipeline is a 409.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ApplicationBody {
    pub job_id: i64,
    pub candidate_id: i64,
    /// The stage to start at (default `sourced`).
    pub stage: Option<String>,
}

/// A move. With `version` (as read), a move made meanwhile by someone else answers 409 with the
/// current `stage` and `version`, and nothing changes.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ApplicationPatch {
    /// `sourced`, `contacted`, `screening`, `presented`, `interviewing`, `offer`, `placed`,
    /// `rejected` or `withdrawn`. A move to `rejected` after `presented` (or later) makes a
    /// sign-off call due for the candidate's owner.
    pub stage: String,
    pub version: Option<i32>,
}

fn parse_stage(raw: &str) -> Result<Stage, FieldError> {
    raw.trim().parse().map_err(|_| {
        FieldError::new(
            "stage",
            "Choose sourced, contacted, screening, presented, interviewing, offer, placed, rejected or withdrawn.",
        )
    })
}

/// One application of the team with its history, or 404.
async fn one(app: &AppState, team_id: i64, id: i64) -> ApiResult<ApplicationJson> {
    let found = applications::find(&app.db, team_id, id)
        .await?
        .ok_or_else(ApiError::not_found)?;
    let history = applications::history(&app.db, team_id, &[id]).await?;
    Ok(ApplicationJson::new(found, history))
}

/// Puts a candidate in a job's pipeline.
#[utoipa::path(post, path = "/applications", operation_id = "createApplication", tag = "applications", request_body = ApplicationBody,
    responses((status = 201, description = "The application", body = ApplicationJson),
        (status = 404, description = "`not_found`: the job or the candidate is not of the team", body = ErrorJson),
        (status = 409, description = "`conflict`: the candidate is already in that job's pipeline", body = ErrorJson)))]
pub async fn create(
    State(app): State<AppState>,
    ApiUser(user): ApiUser,
    ApiJson(body): ApiJson<ApplicationBody>,
) -> ApiResult<(StatusCode, Json<ApplicationJson>)> {
    let stage = body.stage.as_deref().map(parse_stage).transpose()?;
    let id = act::add_candidate(&app.ctx(), &user, body.job_id, body.candidate_id, stage).await?;
    Ok((
        StatusCode::CREATED,
        Json(one(&app, user.team_id, id).await?),
    ))
}

/// One application, with its version and stage history.
#[utoipa::path(get, path = "/applications/{id}", operation_id = "getApplication", tag = "applications", params(("id" = i64, Path)),
    responses((status = 200, description = "The application", body = ApplicationJson)))]
pub async fn show(
    State(app): State<AppState>,
    ApiUser(user): ApiUser,
    Path(id): Path<i64>,
) -> ApiResult<Json<ApplicationJson>> {
    Ok(Json(one(&app, user.team_id, id).await?))
}

/// Moves an application to another stage (the candidate's due state changes at once). A move to
/// the stage it is already at changes nothing.
#[utoipa::path(patch, path = "/applications/{id}", operation_id = "moveApplication", tag = "applications", params(("id" = i64, Path)), request_body = ApplicationPatch,
    responses((status = 200, description = "The application", body = ApplicationJson),
        (status = 409, description = "`conflict`: `version` is stale; the error carries the current `stage` and `version`", body = ErrorJson)))]
pub async fn update(
    State(app): State<AppState>,
    ApiUser(user): ApiUser,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<ApplicationPatch>,
) -> ApiResult<Json<ApplicationJson>> {
    let team = user.team_id;
    let to = parse_stage(&body.stage)?;
    match act::move_application(&app.ctx(), &user, id, to, body.version).await {
        Ok(_) => Ok(Json(one(&app, team, id).await?)),
        Err(ActionError::Conflict(_)) => {
            let current = applications::find(&app.db, team, id)
                .await?
                .ok_or_else(ApiError::not_found)?;
            let message = format!(
                "Someone moved {} meanwhile: the application is now at stage {} (version {}), not at the version you sent. Nothing changed; move it again with version {} if you still want to.",
                current.candidate_name, current.stage, current.version, current.version
            );
            Err(ApiError::conflict(message)
                .with("stage", current.stage.as_str())
                .with("version", current.version))
        }
        Err(e) => Err(e.into()),
    }
}
