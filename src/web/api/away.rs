//! `/users/{id}/away`: a user's away periods and who covers them (DOMAIN.md, "Cover"). The user
//! sets their own, a manager anyone's; the rules are in `actions::away`, shared with the pages.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::actions::ActionError;
use crate::actions::away::{self as act, NewAway};
use crate::db::away::Period;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use crate::web::api::json::{ApiJson, ErrorJson};
use crate::web::extract::ApiUser;

/// A period away, as the API shows it.
#[derive(Debug, Serialize, ToSchema)]
pub struct AwayJson {
    pub id: i64,
    pub user_id: i64,
    /// The first day away, in the absent user's time zone.
    pub from: NaiveDate,
    /// The last day away (included).
    pub to: NaiveDate,
    /// The teammate whose list shows the absent user's items meanwhile.
    pub covered_by: i64,
    pub covered_by_name: String,
}

impl From<Period> for AwayJson {
    fn from(p: Period) -> Self {
        Self {
            id: p.id,
            user_id: p.user_id,
            from: p.from_date,
            to: p.to_date,
            covered_by: p.covered_by,
            covered_by_name: p.covered_by_name,
        }
    }
}

/// A user's periods, by first day.
#[derive(Debug, Serialize, ToSchema)]
pub struct AwayListJson {
    pub items: Vec<AwayJson>,
    /// Always null: a user's periods come in one page.
    pub next: Option<String>,
}

/// A new period: the dates (the absent user's local dates, both included) and the coverer.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewAwayJson {
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// A user id of the team: active, not the absent user, not away on any of those days.
    pub covered_by: i64,
}

/// The action's refusal as the API says it: another user's periods need a manager.
fn refused(e: ActionError) -> ApiError {
    match e {
        ActionError::Forbidden => ApiError::new(
            StatusCode::FORBIDDEN,
            "forbidden",
            "Only the user or a manager of the team can change their away periods.",
        ),
        other => other.into(),
    }
}

/// Records a period away for the user (themself, or anyone for a manager).
#[utoipa::path(post, path = "/users/{id}/away", operation_id = "createAwayPeriod", tag = "users", request_body = NewAwayJson,
    params(("id" = i64, Path, description = "The absent user")),
    responses((status = 201, description = "The period", body = AwayJson),
        (status = 403, description = "`forbidden`: another user's period needs a manager", body = ErrorJson),
        (status = 409, description = "`conflict`: the user is already away on some of those days (or is deactivated)", body = ErrorJson)))]
pub async fn create(
    State(app): State<AppState>,
    ApiUser(caller): ApiUser,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<NewAwayJson>,
) -> ApiResult<(StatusCode, Json<AwayJson>)> {
    let new = NewAway {
        from: body.from,
        to: body.to,
        covered_by: body.covered_by,
    };
    let period = act::create(&app.ctx(), &caller, id, &new)
        .await
        .map_err(refused)?;
    Ok((StatusCode::CREATED, Json(period.into())))
}

/// The user's periods away (past, running and coming), by first day.
#[utoipa::path(get, path = "/users/{id}/away", operation_id = "listAwayPeriods", tag = "users",
    params(("id" = i64, Path, description = "The user")),
    responses((status = 200, description = "The periods", body = AwayListJson)))]
pub async fn index(
    State(app): State<AppState>,
    ApiUser(caller): ApiUser,
    Path(id): Path<i64>,
) -> ApiResult<Json<AwayListJson>> {
    let periods = act::list(&app.ctx(), &caller, id).await.map_err(refused)?;
    Ok(Json(AwayListJson {
        items: periods.into_iter().map(Into::into).collect(),
        next: None,
    }))
}

/// Removes a period: the user's items are on their own list only again.
#[utoipa::path(delete, path = "/users/{id}/away/{away_id}", operation_id = "deleteAwayPeriod", tag = "users",
    params(("id" = i64, Path, description = "The absent user"), ("away_id" = i64, Path, description = "The period")),
    responses((status = 204, description = "Removed"),
        (status = 403, description = "`forbidden`: another user's period needs a manager", body = ErrorJson)))]
pub async fn destroy(
    State(app): State<AppState>,
    ApiUser(caller): ApiUser,
    Path((id, away_id)): Path<(i64, i64)>,
) -> ApiResult<StatusCode> {
    act::delete(&app.ctx(), &caller, id, away_id)
        .await
        .map_err(refused)?;
    Ok(StatusCode::NO_CONTENT)
}
