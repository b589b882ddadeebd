//! The two error types: [`AppError`] renders a friendly HTML page, [`ApiError`] the JSON error
//! body of docs/api.md. Internal details are logged once and never shown.

use askama::Template;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use serde::Serialize;

use crate::accounts::FieldError;

/// The result of page handlers.
pub type AppResult<T> = Result<T, AppError>;
/// The result of JSON API handlers.
pub type ApiResult<T> = Result<T, ApiError>;

/// What can go wrong while serving a page.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("not found")]
    NotFound,
    #[error("login required")]
    Unauthenticated { next: String },
    #[error("password change required")]
    PasswordChangeRequired,
    #[error("forbidden")]
    Forbidden,
    #[error("too many attempts")]
    TooManyRequests,
    #[error("conflict: {0}")]
    Conflict(&'static str),
    #[error(transparent)]
    Database(#[from] sqlx::Error),
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

/// The standalone error page (no navigation: the user may not be signed in).
#[derive(Template)]
#[template(path = "error.html")]
pub struct ErrorPage {
    pub status: u16,
    pub title: &'static str,
    pub message: std::borrow::Cow<'static, str>,
}

impl ErrorPage {
    /// Renders the page with its status; a failing render falls back to plain text.
    pub fn respond(
        status: StatusCode,
        title: &'static str,
        message: impl Into<std::borrow::Cow<'static, str>>,
    ) -> Response {
        let page = ErrorPage {
            status: status.as_u16(),
            title,
            message: message.into(),
        };
        match page.render() {
            Ok(html) => (status, Html(html)).into_response(),
            Err(_) => (status, page.message.into_owned()).into_response(),
        }
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        match self {
            AppError::Unauthenticated { next } => {
                let next = if crate::links::is_safe_next(&next) {
                    next
                } else {
                    "/".into()
                };
                let q = crate::links::query_value(&next);
                Redirect::to(&format!("/login?next={q}")).into_response()
            }
            AppError::PasswordChangeRequired => Redirect::to("/account/password").into_response(),
            AppError::NotFound | AppError::Database(sqlx::Error::RowNotFound) => {
                ErrorPage::respond(
                    StatusCode::NOT_FOUND,
                    "Not found",
                    "There is nothing here. It may have been removed, or the link is wrong.",
                )
            }
            AppError::Forbidden => ErrorPage::respond(
                StatusCode::FORBIDDEN,
                "Not allowed",
                "This page is for managers. Ask a manager of your team if you need something here.",
            ),
            AppError::TooManyRequests => ErrorPage::respond(
                StatusCode::TOO_MANY_REQUESTS,
                "Too many attempts",
                "Too many attempts in a short time. Wait a minute, then try again.",
            ),
            AppError::Conflict(msg) => ErrorPage::respond(StatusCode::CONFLICT, "Conflict", msg),
            AppError::Database(err) if is_unavailable(&err) => {
                tracing::warn!(error = ?err, "the database did not answer");
                ErrorPage::respond(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "Try again in a moment",
                    "The database did not answer in time and nothing was changed. Try again in a moment.",
                )
            }
            AppError::Database(err) => internal(&err),
            AppError::Internal(err) => internal(&*err),
        }
    }
}

fn internal(err: &dyn std::fmt::Debug) -> Response {
    tracing::error!(error = ?err, "request failed");
    ErrorPage::respond(
        StatusCode::INTERNAL_SERVER_ERROR,
        "Something went wrong",
        "Something went wrong on our side and nothing was changed. Try again; if it keeps happening, tell whoever runs Secondcall.",
    )
}

/// An error of the JSON API, rendered as `{"error": {"code", "message", "field"?}}`.
#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
    /// The invalid field (422 only): ours are static names, serde's are paths like `intervals.hot`.
    pub field: Option<std::borrow::Cow<'static, str>>,
    /// More members of the error object, e.g. the current `stage` and `version` of a stale move.
    /// Boxed and usually absent, so that `ApiResult` stays small.
    pub details: Option<Box<serde_json::Map<String, serde_json::Value>>>,
}

impl ApiError {
    /// Why: one constructor per status keeps codes consistent across endpoints.
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            code,
            message: message.into(),
            field: None,
            details: None,
        }
    }
    /// Adds a member to the error object (next to `code` and `message`), for a client to act on.
    #[must_use]
    pub fn with(mut self, key: &str, value: impl Into<serde_json::Value>) -> Self {
        self.details
            .get_or_insert_with(Default::default)
            .insert(key.to_string(), value.into());
        self
    }
    /// 400: the body or query could not be read.
    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "bad_request", message)
    }
    /// 401: no valid token.
    pub fn unauthorized() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "A valid API token is required (Authorization: Bearer TOKEN).",
        )
    }
    /// 403: the caller's role does not allow this.
    pub fn forbidden() -> Self {
        Self::new(
            StatusCode::FORBIDDEN,
            "forbidden",
            "Only a manager of the team can do this.",
        )
    }
    /// 404: missing, or another team's.
    pub fn not_found() -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "not_found",
            "No such object in your team.",
        )
    }
    /// 409: a conflict with the current state.
    pub fn conflict(message: impl Into<String>) -> Self {
        Self::new(StatusCode::CONFLICT, "conflict", message)
    }
    /// 429: rate limited.
    pub fn too_many() -> Self {
        Self::new(
            StatusCode::TOO_MANY_REQUESTS,
            "rate_limited",
            "Too many attempts; wait a minute.",
        )
    }
    /// 429 for a user over the per-user limit: `retry_after` (seconds) in the body and the
    /// `Retry-After` header.
    pub fn rate_limited(wait: std::time::Duration) -> Self {
        let secs = crate::web::limits::retry_after_secs(wait);
        Self::new(
            StatusCode::TOO_MANY_REQUESTS,
            "rate_limited",
            format!("Too many requests from this user; try again in {secs} s."),
        )
        .with("retry_after", secs)
    }
    /// 422 naming the invalid field.
    pub fn invalid(err: FieldError) -> Self {
        Self {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            code: "invalid",
            message: err.message,
            field: Some(err.field.into()),
            details: None,
        }
    }
    /// 422 for a field named at run time (a path reported by the JSON or query parser).
    pub fn invalid_at(field: Option<String>, message: impl Into<String>) -> Self {
        Self {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            code: "invalid",
            message: message.into(),
            field: field.map(Into::into),
            details: None,
        }
    }
}

impl From<FieldError> for ApiError {
    fn from(err: FieldError) -> Self {
        Self::invalid(err)
    }
}

impl From<sqlx::Error> for ApiError {
    fn from(err: sqlx::Error) -> Self {
        match err {
            sqlx::Error::RowNotFound => Self::not_found(),
            other if is_unavailable(&other) => {
                tracing::warn!(error = ?other, "the database did not answer");
                Self::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "unavailable",
                    "The database did not answer in time; nothing was changed. Try again in a moment.",
                )
            }
            other => {
                tracing::error!(error = ?other, "api request failed");
                Self::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "internal",
                    "Internal error; nothing was changed.",
                )
            }
        }
    }
}

impl From<anyhow::Error> for ApiError {
    fn from(err: anyhow::Error) -> Self {
        if err
            .downcast_ref::<sqlx::Error>()
            .is_some_and(is_unavailable)
        {
            return match err.downcast::<sqlx::Error>() {
                Ok(db) => db.into(),
                Err(err) => Self::from(err),
            };
        }
        tracing::error!(error = ?err, "api request failed");
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "Internal error; nothing was changed.",
        )
    }
}

#[derive(Serialize)]
struct ErrorBody<'a> {
    error: ErrorDetail<'a>,
}

#[derive(Serialize)]
struct ErrorDetail<'a> {
    code: &'a str,
    message: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    field: Option<&'a str>,
    #[serde(flatten)]
    details: Option<&'a serde_json::Map<String, serde_json::Value>>,
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = ErrorBody {
            error: ErrorDetail {
                code: self.code,
                message: &self.message,
                field: self.field.as_deref(),
                details: self.details.as_deref(),
            },
        };
        let mut resp = (self.status, axum::Json(body)).into_response();
        let retry_after = self.details.as_ref().and_then(|d| d.get("retry_after"));
        if let Some(secs) = retry_after.and_then(serde_json::Value::as_u64) {
            resp.headers_mut()
                .insert(axum::http::header::RETRY_AFTER, secs.into());
        }
        resp
    }
}

/// Maps a unique violation of `constraint` to a friendlier error, passing other errors through.
pub trait ResultExt<T> {
    /// Why: constraint names are the one reliable signal of "already exists".
    fn on_unique<E: From<sqlx::Error>>(
        self,
        constraint: &str,
        f: impl FnOnce() -> E,
    ) -> Result<T, E>;
}

impl<T> ResultExt<T> for Result<T, sqlx::Error> {
    fn on_unique<E: From<sqlx::Error>>(
        self,
        constraint: &str,
        f: impl FnOnce() -> E,
    ) -> Result<T, E> {
        self.map_err(|err| match &err {
            sqlx::Error::Database(db) if db.constraint() == Some(constraint) => f(),
            _ => E::from(err),
        })
    }
}

/// Whether an error is the unique violation of `constraint` (for forms that re-show a message).
pub fn is_unique_violation(err: &sqlx::Error, constraint: &str) -> bool {
    matches!(err, sqlx::Error::Database(db) if db.constraint() == Some(constraint))
}

/// Whether an error means the database is away or too slow, not that the request was wrong: the
/// connection failed or was cut (a restart), the pool had none to give, or the statement timeout
/// (or an administrator) cancelled the statement. Such a request may be tried again as it was.
pub fn is_unavailable(err: &sqlx::Error) -> bool {
    match err {
        sqlx::Error::Io(_)
        | sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed
        | sqlx::Error::WorkerCrashed => true,
        // query_canceled, admin_shutdown, crash_shutdown, cannot_connect_now
        sqlx::Error::Database(db) => matches!(
            db.code().as_deref(),
            Some("57014" | "57P01" | "57P02" | "57P03")
        ),
        _ => false,
    }
}
