//! Checking a login, for the login form and for `POST /api/v1/tokens` alike: the per-account
//! throttle, the password check (as slow for an unknown email as for a known one), and the
//! record of a failure.

use sqlx::PgPool;

use crate::auth::password;
use crate::db::users::{self, User};

/// Failed logins allowed per account per minute before further tries are refused.
pub const MAX_FAILURES_PER_MINUTE: i64 = 10;

/// Why a login was refused.
#[derive(Debug, thiserror::Error)]
pub enum LoginError {
    /// Too many failures for this account in the last minute (the form's 429, the API's 429).
    #[error("too many failed logins for this account; wait a minute")]
    Throttled,
    /// Unknown email or wrong password: the same answer for both.
    #[error("that email and password do not match an account")]
    Mismatch,
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl From<sqlx::Error> for LoginError {
    fn from(e: sqlx::Error) -> Self {
        Self::Internal(e.into())
    }
}

/// The active user this email and password belong to; a failure is recorded against the email.
pub async fn login(db: &PgPool, email: &str, password: &str) -> Result<User, LoginError> {
    let email = email.trim().to_lowercase();
    if users::recent_login_failures(db, &email).await? >= MAX_FAILURES_PER_MINUTE {
        return Err(LoginError::Throttled);
    }
    let found = users::find_for_login(db, &email).await?;
    let (user, hash) = match found {
        Some((u, h)) => (Some(u), Some(h)),
        None => (None, None),
    };
    let ok = password::verify(password.to_string(), hash).await?;
    match user.filter(|_| ok) {
        Some(user) => Ok(user),
        None => {
            users::record_login_failure(db, &email).await?;
            Err(LoginError::Mismatch)
        }
    }
}
