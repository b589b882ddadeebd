//! What users do, shared by the pages and the JSON API: validate, write in one transaction,
//! and refresh the due state of every contact the write touches, so Today is right at once.

pub mod away;
pub mod calendar;
pub mod companies;
pub mod contacts;
pub mod exports;
pub mod imports;
pub mod input;
pub mod jobs;
pub mod people;
pub mod settings;
pub mod tokens;
pub mod touches;
pub mod users;

use chrono::{DateTime, Utc};
use sqlx::PgPool;

use crate::accounts::FieldError;
use crate::error::{ApiError, AppError};

/// What an action works with: the database, and the moment it acts at (read once from the app's
/// `Clock`, so "today" and "now" agree through the whole action).
#[derive(Clone, Copy)]
pub struct Ctx<'a> {
    pub db: &'a PgPool,
    /// The connections of the writes a recruiter repeats all day (`db::hot`, `db::begin_write`).
    pub hot: &'a crate::db::kept::Kept,
    pub now: DateTime<Utc>,
    /// Where a team's rebuild is asked for (once at a time per team).
    pub rebuilds: &'a crate::due::rebuilds::Rebuilder,
    /// Who acts and from where, for the security log.
    pub who: crate::audit::Who,
}

/// Why an action did not happen; nothing was written.
#[derive(Debug, thiserror::Error)]
pub enum ActionError {
    #[error("not found")]
    NotFound,
    #[error("not allowed")]
    Forbidden,
    #[error("{0}")]
    Invalid(FieldError),
    #[error("conflict: {0}")]
    Conflict(String),
    #[error(transparent)]
    Database(#[from] sqlx::Error),
    /// A failure that is not the user's (hashing, a rebuild); logged, never shown.
    #[error("internal: {0}")]
    Internal(String),
}

impl From<FieldError> for ActionError {
    fn from(e: FieldError) -> Self {
        Self::Invalid(e)
    }
}

/// The result of an action.
pub type ActionResult<T> = Result<T, ActionError>;

impl From<ActionError> for ApiError {
    fn from(e: ActionError) -> Self {
        match e {
            ActionError::NotFound => ApiError::not_found(),
            ActionError::Forbidden => ApiError::new(
                axum::http::StatusCode::FORBIDDEN,
                "forbidden",
                "Only the author can change this.",
            ),
            ActionError::Invalid(f) => ApiError::invalid(f),
            ActionError::Conflict(m) => ApiError::conflict(m),
            ActionError::Database(d) => d.into(),
            ActionError::Internal(m) => anyhow::anyhow!(m).into(),
        }
    }
}

impl From<ActionError> for AppError {
    fn from(e: ActionError) -> Self {
        match e {
            ActionError::NotFound => AppError::NotFound,
            ActionError::Forbidden => AppError::Forbidden,
            ActionError::Invalid(_) => AppError::Conflict("The input was not valid."),
            ActionError::Conflict(_) => {
                AppError::Conflict("That conflicts with the current state; reload and try again.")
            }
            ActionError::Database(d) => d.into(),
            ActionError::Internal(m) => AppError::Internal(anyhow::anyhow!(m)),
        }
    }
}
