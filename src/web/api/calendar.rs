//! `/calendar-token`: the caller's secret iCalendar feed URL, made (a new one revokes the old)
//! or revoked (`actions::calendar`).

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use serde::Serialize;
use utoipa::ToSchema;

use crate::actions::calendar;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use crate::web::api::json::ErrorJson;
use crate::web::extract::ApiUser;

/// The feed's URLs: `url` (https, or http on a server without TLS) and `webcal_url`, for
/// calendar apps.
#[derive(Debug, Serialize, ToSchema)]
pub struct CalendarTokenJson {
    pub url: String,
    pub webcal_url: String,
}

/// Makes the caller's secret feed URL; the previous one stops at once.
#[utoipa::path(post, path = "/calendar-token", operation_id = "createCalendarToken", tag = "users",
    responses((status = 201, description = "The feed URL (shown once)", body = CalendarTokenJson),
        (status = 409, description = "`conflict`: the server has no PUBLIC_URL to build the link with", body = ErrorJson)))]
pub async fn create(
    State(app): State<AppState>,
    ApiUser(user): ApiUser,
    headers: HeaderMap,
) -> ApiResult<(StatusCode, Json<CalendarTokenJson>)> {
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok());
    let secret = calendar::replace(&app.ctx(), &user).await?;
    let (url, webcal_url) = calendar::urls(&app.config, host, &secret)
        .ok_or_else(|| ApiError::conflict("Set PUBLIC_URL on the server to make feed links."))?;
    Ok((
        StatusCode::CREATED,
        Json(CalendarTokenJson { url, webcal_url }),
    ))
}

/// Turns the caller's feed off: its URL stops at once.
#[utoipa::path(delete, path = "/calendar-token", operation_id = "revokeCalendarToken", tag = "users",
    responses((status = 204, description = "Turned off (also when it was off)")))]
pub async fn destroy(State(app): State<AppState>, ApiUser(user): ApiUser) -> ApiResult<StatusCode> {
    calendar::turn_off(&app.ctx(), &user).await?;
    Ok(StatusCode::NO_CONTENT)
}
