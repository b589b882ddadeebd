//! `/jobs`: job orders. An open job makes its hiring DM hot; filling or cancelling one makes a
//! sign-off call due for every finalist who was not placed.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::accounts::FieldError;
use crate::actions::jobs::{self as act, JobInput};
use crate::db::companies;
use crate::db::jobs::{self, Job, JobFilter};
use crate::domain::pipeline::JobStatus;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use crate::web::api::contacts::json::present;
use crate::web::api::json::{ApiJson, ApiQuery, ErrorJson};
use crate::web::api::paging;
use crate::web::extract::ApiUser;

/// A job order of the caller's team.
#[derive(Debug, Serialize, ToSchema)]
pub struct JobJson {
    pub id: i64,
    pub title: String,
    /// The client company.
    pub company_id: i64,
    pub company_name: String,
    /// The hiring decision maker, if known.
    pub decision_maker_id: Option<i64>,
    pub decision_maker_name: Option<String>,
    pub owner_id: i64,
    pub owner_name: String,
    /// `open`, `on_hold`, `filled` or `cancelled`.
    pub status: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// How many candidates are in its pipeline (any stage).
    pub applications: i64,
}

impl From<Job> for JobJson {
    fn from(j: Job) -> Self {
        Self {
            id: j.id,
            title: j.title,
            company_id: j.company_id,
            company_name: j.company_name,
            decision_maker_id: j.decision_maker_id,
            decision_maker_name: j.decision_maker_name,
            owner_id: j.owner_id,
            owner_name: j.owner_name,
            status: j.status.as_str().to_string(),
            created_at: j.created_at,
            updated_at: j.updated_at,
            applications: j.applications,
        }
    }
}

/// A page of job orders, newest first; `next` is the cursor of the following page, null at the end.
#[derive(Debug, Serialize, ToSchema)]
pub struct JobPage {
    pub items: Vec<JobJson>,
    pub next: Option<String>,
}

/// A job order's fields: to create (`title` and `company_id` required, `status` default `open`,
/// `owner_id` default the caller), or any subset to update (merged with the stored job, then
/// checked like a new one). `decision_maker_id: null` clears the hiring DM. `company_id`,
/// `decision_maker_id` (a DM of that company) and `owner_id` (an active user) must be of the
/// caller's team: otherwise 422 naming the field.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct JobFields {
    pub title: Option<String>,
    /// Required to create; `null` is refused.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<i64>)]
    pub company_id: Option<Option<i64>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<i64>)]
    pub decision_maker_id: Option<Option<i64>>,
    /// `open`, `on_hold`, `filled` or `cancelled`. Filled or cancelled makes a sign-off call due
    /// for each candidate who reached `presented` or later and was not placed (nor had left).
    pub status: Option<String>,
    pub owner_id: Option<i64>,
}

impl JobFields {
    /// Overlays the given fields on `base` (the stored job, or empty for a new one).
    fn over(self, base: JobInput) -> Result<JobInput, FieldError> {
        if self.status.as_deref().is_some_and(|s| s.trim().is_empty()) {
            return Err(status_error());
        }
        Ok(JobInput {
            title: self.title.unwrap_or(base.title),
            company_id: self.company_id.unwrap_or(base.company_id),
            decision_maker_id: self.decision_maker_id.unwrap_or(base.decision_maker_id),
            owner_id: self.owner_id.or(base.owner_id),
            status: self.status.unwrap_or(base.status),
        })
    }
}

fn status_error() -> FieldError {
    FieldError::new("status", "Choose open, on_hold, filled or cancelled.")
}

/// The stored job as input, so a PATCH changes only what it names.
fn input_of(j: &Job) -> JobInput {
    JobInput {
        title: j.title.clone(),
        company_id: Some(j.company_id),
        decision_maker_id: j.decision_maker_id,
        owner_id: Some(j.owner_id),
        status: j.status.as_str().to_string(),
    }
}

/// Filters and paging of the jobs list. A `company_id` that is not the team's answers 404, as a
/// missing one does.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct JobQuery {
    /// `open`, `on_hold`, `filled` or `cancelled`.
    pub status: Option<String>,
    pub company_id: Option<i64>,
    /// 1 to 500, default 50 (more is a 422).
    pub limit: Option<i64>,
    /// The `next` of the previous page.
    pub cursor: Option<String>,
}

/// One job of the team, or 404.
async fn one(app: &AppState, team_id: i64, id: i64) -> ApiResult<JobJson> {
    let job = jobs::find(&app.db, team_id, id).await?;
    Ok(job.ok_or_else(ApiError::not_found)?.into())
}

/// Creates a job order; an open one with a hiring DM makes that DM hot.
#[utoipa::path(post, path = "/jobs", operation_id = "createJob", tag = "jobs", request_body = JobFields,
    responses((status = 201, description = "The new job order", body = JobJson)))]
pub async fn create(
    State(app): State<AppState>,
    ApiUser(user): ApiUser,
    ApiJson(body): ApiJson<JobFields>,
) -> ApiResult<(StatusCode, Json<JobJson>)> {
    let write = body.over(JobInput::default())?.parse(user.id)?;
    let id = act::create(&app.ctx(), &user, &write).await?;
    Ok((
        StatusCode::CREATED,
        Json(one(&app, user.team_id, id).await?),
    ))
}

/// The team's job orders, newest first.
#[utoipa::path(get, path = "/jobs", operation_id = "listJobs", tag = "jobs", params(JobQuery),
    responses((status = 200, description = "A page of job orders, newest first", body = JobPage),
        (status = 404, description = "`not_found`: the `company_id` filter is not of the team", body = ErrorJson)))]
pub async fn index(
    State(app): State<AppState>,
    ApiUser(user): ApiUser,
    ApiQuery(q): ApiQuery<JobQuery>,
) -> ApiResult<Json<JobPage>> {
    let team = user.team_id;
    let limit = paging::limit(q.limit)?;
    let before_id = paging::parse_id_cursor(q.cursor.as_deref())?;
    let status = q
        .status
        .as_deref()
        .map(|s| s.parse::<JobStatus>().map_err(|_| status_error()))
        .transpose()?;
    if let Some(company) = q.company_id
        && !companies::exists(&app.db, team, company).await?
    {
        return Err(ApiError::not_found());
    }
    let filter = JobFilter {
        status: status.map(|s| s.as_str().to_string()),
        company_id: q.company_id,
        before_id,
        limit: limit + 1,
    };
    let rows = jobs::list(&app.db, team, &filter).await?;
    let (rows, next) = paging::split_page(rows, limit, |j| j.id.to_string());
    Ok(Json(JobPage {
        items: rows.into_iter().map(Into::into).collect(),
        next,
    }))
}

/// One job order.
#[utoipa::path(get, path = "/jobs/{id}", operation_id = "getJob", tag = "jobs", params(("id" = i64, Path)),
    responses((status = 200, description = "The job order", body = JobJson)))]
pub async fn show(
    State(app): State<AppState>,
    ApiUser(user): ApiUser,
    Path(id): Path<i64>,
) -> ApiResult<Json<JobJson>> {
    Ok(Json(one(&app, user.team_id, id).await?))
}

/// Changes some fields of a job order. A change of status to `filled` or `cancelled` makes the
/// sign-off calls due at once; back to `open` with a hiring DM makes that DM hot.
#[utoipa::path(patch, path = "/jobs/{id}", operation_id = "updateJob", tag = "jobs", params(("id" = i64, Path)), request_body = JobFields,
    responses((status = 200, description = "The job order", body = JobJson)))]
pub async fn update(
    State(app): State<AppState>,
    ApiUser(user): ApiUser,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<JobFields>,
) -> ApiResult<Json<JobJson>> {
    let team = user.team_id;
    let stored = jobs::find(&app.db, team, id)
        .await?
        .ok_or_else(ApiError::not_found)?;
    let write = body.over(input_of(&stored))?.parse(user.id)?;
    act::update(&app.ctx(), &user, id, &write).await?;
    Ok(Json(one(&app, team, id).await?))
}
