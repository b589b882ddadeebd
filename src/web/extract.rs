//! Extractors that decide who is asking: [`CurrentUser`] (a browser session), [`Manager`]
//! (a session of a manager), [`ApiUser`] (a bearer token).

use axum::extract::{FromRequestParts, OptionalFromRequestParts};
use axum::http::request::Parts;
use tower_sessions::Session;

use crate::auth::{session, tokens};
use crate::db::users::{self, User};
use crate::error::{ApiError, AppError};
use crate::state::AppState;

/// The signed-in user of a page request, with their session.
#[derive(Debug, Clone)]
pub struct CurrentUser {
    pub user: User,
    pub session: Session,
}

impl std::ops::Deref for CurrentUser {
    type Target = User;
    fn deref(&self) -> &User {
        &self.user
    }
}

/// Paths a user who must change their password may still reach.
const PASSWORD_CHANGE_PATHS: [&str; 2] = ["/account/password", "/logout"];

impl FromRequestParts<AppState> for CurrentUser {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        let next = parts
            .uri
            .path_and_query()
            .map(|p| p.as_str().to_string())
            .unwrap_or_else(|| "/".into());
        let session = Session::from_request_parts(parts, state)
            .await
            .map_err(|_| AppError::Internal(anyhow::anyhow!("session layer missing")))?;
        let Some(auth) = session::current(&session).await else {
            return Err(AppError::Unauthenticated { next });
        };
        // read with the session when its row names the user, else on its own
        let user = match session::signed_in(&session, &auth).await {
            Some(user) => Some(user),
            None => {
                let mut conn = state.lookups.get().await?;
                let user = users::find_active(&mut *conn, auth.user_id).await?;
                conn.done();
                user
            }
        };
        let Some(user) = user.filter(|u| auth.is_valid_for(u, state.clock.now())) else {
            session::logout(&session)
                .await
                .map_err(|e| anyhow::anyhow!("session flush: {e}"))?;
            return Err(AppError::Unauthenticated { next });
        };
        session::keep_alive(&session, state.clock.now()).await;
        if user.must_change_password && !PASSWORD_CHANGE_PATHS.contains(&parts.uri.path()) {
            return Err(AppError::PasswordChangeRequired);
        }
        Ok(Self { user, session })
    }
}

/// A signed-in manager; a recruiter gets the 403 page.
#[derive(Debug, Clone)]
pub struct Manager(pub CurrentUser);

impl std::ops::Deref for Manager {
    type Target = CurrentUser;
    fn deref(&self) -> &CurrentUser {
        &self.0
    }
}

impl FromRequestParts<AppState> for Manager {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        let user =
            <CurrentUser as FromRequestParts<AppState>>::from_request_parts(parts, state).await?;
        if user.is_manager() {
            Ok(Self(user))
        } else {
            Err(AppError::Forbidden)
        }
    }
}

impl OptionalFromRequestParts<AppState> for CurrentUser {
    type Rejection = AppError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Option<Self>, AppError> {
        match <CurrentUser as FromRequestParts<AppState>>::from_request_parts(parts, state).await {
            Ok(user) => Ok(Some(user)),
            Err(AppError::Unauthenticated { .. }) => Ok(None),
            Err(other) => Err(other),
        }
    }
}

/// The caller of a JSON API request, from `Authorization: Bearer TOKEN`; each request counts
/// against the caller's per-user rate limit (429 `rate_limited` over it).
#[derive(Debug, Clone)]
pub struct ApiUser(pub User);

impl std::ops::Deref for ApiUser {
    type Target = User;
    fn deref(&self) -> &User {
        &self.0
    }
}

impl FromRequestParts<AppState> for ApiUser {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let header = parts
            .headers
            .get(axum::http::header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok());
        let token = header
            .and_then(|h| {
                h.strip_prefix("Bearer ")
                    .or_else(|| h.strip_prefix("bearer "))
            })
            .ok_or_else(ApiError::unauthorized)?;
        let user =
            crate::db::tokens::authenticate(&state.db, &tokens::digest(token), state.clock.now())
                .await?;
        let user = user.ok_or_else(ApiError::unauthorized)?;
        state
            .limits
            .check_user(user.id)
            .map_err(ApiError::rate_limited)?;
        Ok(Self(user))
    }
}

/// A signed-in manager calling the API; a recruiter gets 403.
#[derive(Debug, Clone)]
pub struct ApiManager(pub User);

impl std::ops::Deref for ApiManager {
    type Target = User;
    fn deref(&self) -> &User {
        &self.0
    }
}

impl FromRequestParts<AppState> for ApiManager {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let ApiUser(user) = ApiUser::from_request_parts(parts, state).await?;
        if user.is_manager() {
            Ok(Self(user))
        } else {
            Err(ApiError::forbidden())
        }
    }
}
