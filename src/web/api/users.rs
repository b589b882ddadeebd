//! `/me`, `/tokens` and `/users`: who the caller is, getting a token, managing the team's users.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::accounts::{self, Role};
use crate::auth::tokens;
use crate::db::users::{self, User};
use crate::error::{ApiError, ApiResult, AppError};
use crate::startup::AppState;
use crate::web::api::json::ApiJson;
use crate::web::extract::{ApiManager, ApiUser};
use crate::web::team_users::{UserForm, insert_user};

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
            role: u.role,
            time_zone: u.time_zone,
            team_id: u.team_id,
            active: u.active,
        }
    }
}

/// The caller.
#[utoipa::path(get, path = "/api/v1/me", responses((status = 200, body = UserJson), (status = 401, body = crate::web::api::json::ErrorJson)))]
pub async fn me(ApiUser(user): ApiUser) -> Json<UserJson> {
    Json(user.into())
}

/// Credentials for a token.
#[derive(Debug, Deserialize, ToSchema)]
pub struct TokenRequest {
    pub email: String,
    pub password: String,
}

/// A new token, shown once.
#[derive(Debug, Serialize, ToSchema)]
pub struct TokenJson {
    pub token: String,
}

/// Exchanges an email and password for a new API token (rate-limited like the login form).
#[utoipa::path(post, path = "/api/v1/tokens", request_body = TokenRequest, security(()),
    responses((status = 201, body = TokenJson), (status = 401, body = crate::web::api::json::ErrorJson), (status = 429, body = crate::web::api::json::ErrorJson)))]
pub async fn create_token(
    State(app): State<AppState>,
    ApiJson(req): ApiJson<TokenRequest>,
) -> ApiResult<(StatusCode, Json<TokenJson>)> {
    let email = req.email.trim().to_lowercase();
    if users::recent_login_failures(&app.db, &email).await?
        >= crate::web::login::MAX_FAILURES_PER_MINUTE
    {
        return Err(ApiError::too_many());
    }
    let Some(user) = crate::web::login::check_credentials(&app, &email, &req.password).await?
    else {
        users::record_login_failure(&app.db, &email).await?;
        return Err(ApiError::new(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "That email and password do not match an account.",
        ));
    };
    let (token, hash) = tokens::generate();
    crate::db::tokens::insert(&app.db, &user, "API login", &hash).await?;
    Ok((StatusCode::CREATED, Json(TokenJson { token })))
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

/// Adds a user to the caller's team (managers only).
#[utoipa::path(post, path = "/api/v1/users", request_body = NewUserJson,
    responses((status = 201, body = UserJson), (status = 403, body = crate::web::api::json::ErrorJson), (status = 409, body = crate::web::api::json::ErrorJson), (status = 422, body = crate::web::api::json::ErrorJson)))]
pub async fn create(
    State(app): State<AppState>,
    ApiManager(manager): ApiManager,
    ApiJson(body): ApiJson<NewUserJson>,
) -> ApiResult<(StatusCode, Json<UserJson>)> {
    let form = UserForm {
        email: body.email,
        name: body.name,
        role: body.role,
        time_zone: body.time_zone,
        password: body.password,
    };
    let valid = form
        .parse()
        .map_err(|mut errs| ApiError::invalid(errs.remove(0)))?;
    match insert_user(&app, manager.team_id, &valid, form.password, false).await {
        Ok(user) => Ok((StatusCode::CREATED, Json(user.into()))),
        Err(AppError::Conflict(_)) => Err(ApiError::conflict("This email already has an account.")),
        Err(AppError::Database(e)) => Err(e.into()),
        Err(other) => Err(ApiError::from(anyhow::anyhow!("{other:?}"))),
    }
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
#[utoipa::path(patch, path = "/api/v1/users/{id}", request_body = UserPatch, params(("id" = i64, Path)),
    responses((status = 200, body = UserJson), (status = 404, body = crate::web::api::json::ErrorJson), (status = 422, body = crate::web::api::json::ErrorJson)))]
pub async fn update(
    State(app): State<AppState>,
    ApiManager(manager): ApiManager,
    Path(id): Path<i64>,
    ApiJson(patch): ApiJson<UserPatch>,
) -> ApiResult<Json<UserJson>> {
    let team = manager.team_id;
    let role = patch.role.as_deref().map(str::parse::<Role>).transpose()?;
    let tz = patch
        .time_zone
        .as_deref()
        .map(|t| accounts::parse_time_zone("time_zone", t))
        .transpose()?;
    users::find_in_team(&app.db, team, id)
        .await?
        .ok_or_else(ApiError::not_found)?;
    let mut tx = app.db.begin().await?;
    if let Some(target) = patch.reassign_to {
        crate::db::users::find_in_team(&mut *tx, team, target)
            .await?
            .filter(|u| u.active && u.id != id)
            .ok_or_else(|| {
                ApiError::invalid(accounts::FieldError::new(
                    "reassign_to",
                    "Choose another active user of your team.",
                ))
            })?;
        crate::db::users::reassign_contacts(&mut tx, team, id, target).await?;
    }
    if let Some(role) = role {
        users::set_role(&mut *tx, team, id, role).await?;
    }
    if let Some(tz) = tz {
        users::set_time_zone(&mut *tx, team, id, tz.name()).await?;
    }
    if let Some(active) = patch.active {
        users::set_active(&mut tx, team, id, active).await?;
    }
    let user = users::find_in_team(&mut *tx, team, id)
        .await?
        .ok_or_else(ApiError::not_found)?;
    tx.commit().await?;
    if let Some(target) = patch.reassign_to {
        // the moved contacts' items follow their new owner, today
        app.rebuilds
            .run_users(team, "manual", &[id, target])
            .await?;
    }
    Ok(Json(user.into()))
}
