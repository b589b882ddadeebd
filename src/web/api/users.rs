//! `/me` and `/users`: who the caller is, managing the team's users (tokens: `tokens`).

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::actions::users::{self as act, UserChange, UserInput};
use crate::db::users::User;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use crate::web::api::doc::Forbidden;
use crate::web::api::json::{ApiJson, ErrorJson};
use crate::web::client::ClientAddr;
use crate::web::extract::{ApiManager, ApiUser};

/// A user as the API shows it.
#[derive(Debug, Serialize, ToSchema)]
pub struct UserJson {
    pub id: i64,
    pub email: String,
    pub name: String,
    pub role: String,
    pub time_zone: String,
    pub team_id: i64,
    pub active: bool,
}

impl From<User> for UserJson {
    fn from(u: User) -> Self {
        Self {
            id: u.id,
            email: u.email,
            name: u.name,
            role: u.role.as_str().into(),
            time_zone: u.time_zone.name().into(),
            team_id: u.team_id,
            active: u.active,
        }
    }
}

/// The caller.
#[utoipa::path(get, path = "/me", operation_id = "getMe", tag = "users",
    responses((status = 200, description = "The caller", body = UserJson)))]
pub async fn me(ApiUser(user): ApiUser) -> Json<UserJson> {
    Json(user.into())
}

/// A new user of the caller's team.
#[derive(Debug, Deserialize, ToSchema)]
pub struct NewUserJson {
    pub email: String,
    pub name: String,
    /// `recruiter` or `manager`
    pub role: String,
    pub password: String,
    #[serde(default = "utc")]
    pub time_zone: String,
}

fn utc() -> String {
    "UTC".into()
}

/// Adds a user to the caller's team (managers only). The password must be at least 10
/// characters, not common or easy to guess, and free of the user's name and email name (a 422
/// naming `password` otherwise).
#[utoipa::path(post, path = "/users", operation_id = "createUser", tag = "users", request_body = NewUserJson,
    responses((status = 201, description = "The new user", body = UserJson), (status = 403, response = Forbidden),
        (status = 409, description = "`conflict`: the email already has an account", body = ErrorJson)))]
pub async fn create(
    State(app): State<AppState>,
    ApiManager(manager): ApiManager,
    client: ClientAddr,
    ApiJson(body): ApiJson<NewUserJson>,
) -> ApiResult<(StatusCode, Json<UserJson>)> {
    let input = UserInput {
        email: body.email,
        name: body.name,
        role: body.role,
        time_zone: body.time_zone,
        password: body.password,
    };
    let valid = input
        .parse()
        .map_err(|mut errs| ApiError::invalid(errs.remove(0)))?;
    let user = act::create(
        &app.ctx_as(Some(manager.id), client),
        manager.team_id,
        &valid,
    )
    .await?;
    Ok((StatusCode::CREATED, Json(user.into())))
}

/// Changes to a user; `active: false` deactivates (no login, sessions and tokens end).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UserPatch {
    pub role: Option<String>,
    pub time_zone: Option<String>,
    pub active: Option<bool>,
    /// A user id of the same team: the user's contacts move there.
    pub reassign_to: Option<i64>,
}

/// Updates a user of the caller's team (managers only).
#[utoipa::path(patch, path = "/users/{id}", operation_id = "updateUser", tag = "users", request_body = UserPatch, params(("id" = i64, Path)),
    responses((status = 200, description = "The user", body = UserJson), (status = 403, response = Forbidden),
        (status = 409, description = "`conflict`: the change would leave the team without an active manager", body = ErrorJson)))]
pub async fn update(
    State(app): State<AppState>,
    ApiManager(manager): ApiManager,
    client: ClientAddr,
    Path(id): Path<i64>,
    ApiJson(patch): ApiJson<UserPatch>,
) -> ApiResult<Json<UserJson>> {
    let change = UserChange {
        role: patch.role,
        time_zone: patch.time_zone,
        active: patch.active,
        reassign_to: patch.reassign_to,
    };
    let changed = act::change(&app.ctx_as(Some(manager.id), client), &manager, id, &change).await?;
    Ok(Json(changed.user.into()))
}
