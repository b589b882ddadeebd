//! `/tokens`: getting a token with email and password, listing and revoking tokens. The account
//! page and the users page call the same actions (`actions::tokens`).

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::actions::ActionError;
use crate::actions::tokens::{self as act, TokenInput};
use crate::auth::login::{self, LoginError};
use crate::db::tokens::TokenRow;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use crate::web::api::doc::{Forbidden, RateLimited};
use crate::web::api::json::{ApiJson, ApiQuery, ErrorJson};
use crate::web::client::ClientAddr;
use crate::web::extract::ApiUser;

/// Credentials for a token, and what the token is to be.
#[derive(Debug, Deserialize, ToSchema)]
pub struct TokenRequest {
    pub email: String,
    pub password: String,
    /// To tell tokens apart (at most 100 characters); default `API login`.
    pub name: Option<String>,
    /// The token stops working this many days from now (1 to 3650); absent: when revoked.
    pub expires_in_days: Option<i64>,
}

/// A new token, shown once.
#[derive(Debug, Serialize, ToSchema)]
pub struct TokenJson {
    /// The token itself: send it as `Authorization: Bearer TOKEN`. It is not shown again.
    pub token: String,
    pub id: i64,
    pub name: String,
    pub created_at: DateTime<Utc>,
    pub expires_at: Option<DateTime<Utc>>,
}

/// A token as listed (never the token itself).
#[derive(Debug, Serialize, ToSchema)]
pub struct TokenItemJson {
    pub id: i64,
    pub name: String,
    pub created_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
    /// Null: it works until revoked.
    pub expires_at: Option<DateTime<Utc>>,
}

impl From<TokenRow> for TokenItemJson {
    fn from(t: TokenRow) -> Self {
        Self {
            id: t.id,
            name: t.name,
            created_at: t.created_at,
            last_used_at: t.last_used_at,
            expires_at: t.expires_at,
        }
    }
}

/// A user's live tokens (not paged: a user has a handful).
#[derive(Debug, Serialize, ToSchema)]
pub struct TokenListJson {
    pub items: Vec<TokenItemJson>,
}

/// Whose tokens.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TokenQuery {
    /// Default the caller; a teammate's needs a manager (403), another team's user is 404.
    pub user_id: Option<i64>,
}

/// Exchanges an email and password for a new API token (rate-limited like the login form). A user
/// who must change a temporary password gets none until they have (403).
#[utoipa::path(post, path = "/tokens", operation_id = "createToken", tag = "users", request_body = TokenRequest, security(()),
    responses((status = 201, description = "The new token, shown once", body = TokenJson),
        (status = 401, description = "`unauthorized`: that email and password do not match an account, or the temporary password has expired", body = ErrorJson),
        (status = 403, description = "`forbidden`: the password is a temporary one; change it on the web first", body = ErrorJson),
        (status = 429, response = RateLimited)))]
pub async fn create(
    State(app): State<AppState>,
    ClientAddr(client): ClientAddr,
    ApiJson(req): ApiJson<TokenRequest>,
) -> ApiResult<Response> {
    let mut cx = app.ctx_as(None, ClientAddr(client));
    let user = match login::login(
        &app.db,
        &req.email,
        &req.password,
        client,
        cx.now,
        "API token request",
    )
    .await
    {
        Ok(user) => user,
        Err(LoginError::Internal(e)) => return Err(e.into()),
        Err(refused) => return Ok(refused_answer(&refused)),
    };
    cx.who.user_id = Some(user.id);
    let input = TokenInput {
        name: req.name,
        expires_in_days: req.expires_in_days,
    };
    let new = act::create(&cx, &user, &input, "API login")
        .await
        .map_err(|e| match e {
            ActionError::Forbidden => ApiError::new(
                StatusCode::FORBIDDEN,
                "forbidden",
                "Your password is a temporary one: change it on the web first.",
            ),
            other => other.into(),
        })?;
    let json = TokenJson {
        token: new.token,
        id: new.row.id,
        name: new.row.name,
        created_at: new.row.created_at,
        expires_at: new.row.expires_at,
    };
    Ok((StatusCode::CREATED, Json(json)).into_response())
}

/// 429 with `Retry-After` when throttled, else 401; the message says what to do.
fn refused_answer(refused: &LoginError) -> Response {
    match refused.retry_after() {
        Some(seconds) => (
            [(header::RETRY_AFTER, seconds.to_string())],
            ApiError::new(
                StatusCode::TOO_MANY_REQUESTS,
                "rate_limited",
                refused.to_string(),
            ),
        )
            .into_response(),
        None => ApiError::new(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            refused.to_string(),
        )
        .into_response(),
    }
}

/// The live API tokens of the caller, or of a teammate (`user_id`, managers only).
#[utoipa::path(get, path = "/tokens", operation_id = "listTokens", tag = "users", params(TokenQuery),
    responses((status = 200, description = "The live tokens, newest first", body = TokenListJson),
        (status = 403, response = Forbidden),
        (status = 404, description = "`not_found`: no such user in your team", body = ErrorJson)))]
pub async fn index(
    State(app): State<AppState>,
    ApiUser(user): ApiUser,
    ApiQuery(q): ApiQuery<TokenQuery>,
) -> ApiResult<Json<TokenListJson>> {
    let rows = act::list(&app.ctx(), &user, q.user_id)
        .await
        .map_err(role_error)?;
    Ok(Json(TokenListJson {
        items: rows.into_iter().map(Into::into).collect(),
    }))
}

/// Revokes a token: the caller's own, or a teammate's (managers). It answers 401 from now on.
#[utoipa::path(delete, path = "/tokens/{id}", operation_id = "revokeToken", tag = "users", params(("id" = i64, Path)),
    responses((status = 204, description = "Revoked")))]
pub async fn destroy(
    State(app): State<AppState>,
    ApiUser(user): ApiUser,
    client: ClientAddr,
    Path(id): Path<i64>,
) -> ApiResult<StatusCode> {
    act::revoke(&app.ctx_as(Some(user.id), client), &user, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

fn role_error(e: ActionError) -> ApiError {
    match e {
        ActionError::Forbidden => ApiError::forbidden(),
        other => other.into(),
    }
}
