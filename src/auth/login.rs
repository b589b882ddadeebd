//! Checking a login, for the login form and for `POST /api/v1/tokens` alike: the two limits on
//! failures, the password check (as slow for an unknown email as for a known one), the record of
//! a failure, and the expiry of a temporary password.
//!
//! The limits are kept in the `login_failures` table, so every app instance sees the same counts:
//! - strict, per account *and* client address: [`MAX_FAILURES_HERE`] a minute. A stranger who
//!   knows an email and guesses from their own address locks only themselves out.
//! - loose, per account from anywhere: [`MAX_FAILURES_EVERYWHERE`] in 15 minutes, so a guesser
//!   spread over many addresses is still slowed (and, while it lasts, the owner waits too).

use std::net::IpAddr;

use chrono::{DateTime, Duration, Utc};
use sqlx::PgPool;

use crate::audit::{self, Event, Kind, Who};
use crate::auth::password;
use crate::db::users::{self, User};

/// Failed logins allowed per account from one client address per [`HERE_WINDOW`].
pub const MAX_FAILURES_HERE: i64 = 10;
/// The window of the strict limit.
pub const HERE_WINDOW: Duration = Duration::minutes(1);
/// Failed logins allowed per account from all addresses together per [`EVERYWHERE_WINDOW`].
pub const MAX_FAILURES_EVERYWHERE: i64 = 100;
/// The window of the account-wide ceiling.
pub const EVERYWHERE_WINDOW: Duration = Duration::minutes(15);

/// Why a login was refused.
#[derive(Debug, thiserror::Error)]
pub enum LoginError {
    /// Too many failures for this account from this client address in the last minute.
    #[error(
        "Too many failed logins for this account from your address. Wait a minute, then try again."
    )]
    ThrottledHere,
    /// Too many failures for this account from everywhere in the last 15 minutes.
    #[error(
        "Too many failed logins for this account from many places: logins to it pause for up to 15 minutes. Try again later; if it was not you, tell your manager."
    )]
    ThrottledEverywhere,
    /// Unknown email or wrong password: the same answer for both.
    #[error("That email and password do not match an account.")]
    Mismatch,
    /// The right temporary password, but more than 7 days after the reset that gave it.
    #[error("Your temporary password has expired. Ask a manager for a new one.")]
    TemporaryExpired,
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl LoginError {
    /// How long a throttled client should wait before trying again, in seconds.
    pub fn retry_after(&self) -> Option<i64> {
        match self {
            Self::ThrottledHere => Some(HERE_WINDOW.num_seconds()),
            Self::ThrottledEverywhere => Some(EVERYWHERE_WINDOW.num_seconds()),
            _ => None,
        }
    }
}

impl From<sqlx::Error> for LoginError {
    fn from(e: sqlx::Error) -> Self {
        Self::Internal(e.into())
    }
}

/// The active user this email and password belong to. `ip` is the address the request came
/// from (`web::client::ClientAddr`); a failure is recorded against the email and that address.
/// `via` says where (the login form, an API token request) for the security log, which gets a
/// `login` or, for a known account, a `login_failed` entry.
pub async fn login(
    db: &PgPool,
    email: &str,
    password: &str,
    ip: IpAddr,
    now: DateTime<Utc>,
    via: &str,
) -> Result<User, LoginError> {
    let email = email.trim().to_lowercase();
    let client = client_key(ip);
    let (here, everywhere) = users::login_failure_counts(
        db,
        &email,
        &client,
        now - HERE_WINDOW,
        now - EVERYWHERE_WINDOW,
    )
    .await?;
    // the longer wait first: it is the one that will still hold in a minute
    if everywhere >= MAX_FAILURES_EVERYWHERE {
        return Err(LoginError::ThrottledEverywhere);
    }
    if here >= MAX_FAILURES_HERE {
        return Err(LoginError::ThrottledHere);
    }
    let found = users::find_for_login(db, &email).await?;
    let (row, hash) = match found {
        Some(row) => {
            let hash = row.password_hash.clone();
            (Some(row), Some(hash))
        }
        None => (None, None),
    };
    let found_user = row.as_ref().map(|r| (r.user.team_id, r.user.id));
    let ok = password::verify(password.to_string(), hash).await?;
    let who = Who {
        user_id: None,
        ip: Some(ip),
    };
    let Some(row) = row.filter(|_| ok) else {
        users::record_login_failure(db, &email, &client, now).await?;
        match found_user {
            Some((team_id, user_id)) => {
                let event = Event::new(Kind::LoginFailed, team_id)
                    .target(user_id)
                    .detail(format!("wrong password ({via})"));
                audit::record(db, who, now, event).await?;
            }
            // no team to file it under: the server log only, without the email typed
            None => {
                tracing::info!(target: "audit", kind = "login_failed", ip = %ip, via, "failed login for no account")
            }
        }
        return Err(LoginError::Mismatch);
    };
    if row.user.must_change_password
        && row
            .temporary_password_expires_at
            .is_some_and(|at| at <= now)
    {
        let event = Event::new(Kind::LoginFailed, row.user.team_id)
            .target(row.user.id)
            .detail(format!("temporary password expired ({via})"));
        audit::record(db, who, now, event).await?;
        return Err(LoginError::TemporaryExpired);
    }
    let who = Who {
        user_id: Some(row.user.id),
        ip: Some(ip),
    };
    let event = Event::new(Kind::Login, row.user.team_id)
        .target(row.user.id)
        .detail(via);
    audit::record(db, who, now, event).await?;
    Ok(row.user)
}

/// The client as the limits count it: an IPv4 address, or an IPv6 /64 network (one subscriber
/// usually holds a whole /64, so its addresses count as one).
fn client_key(ip: IpAddr) -> String {
    match ip {
        IpAddr::V4(v4) => v4.to_string(),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => v4.to_string(),
            None => {
                let s = v6.segments();
                format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
            }
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clients_are_counted_by_ipv4_address_or_ipv6_network() {
        let key = |s: &str| client_key(s.parse().unwrap());
        assert_eq!(key("203.0.113.7"), "203.0.113.7");
        assert_eq!(key("::ffff:203.0.113.7"), "203.0.113.7");
        assert_eq!(key("2001:db8:1:2:aaaa::1"), "2001:db8:1:2::/64");
        assert_eq!(key("2001:db8:1:2:bbbb::9"), key("2001:db8:1:2::1"));
        assert_ne!(key("2001:db8:1:3::1"), key("2001:db8:1:2::1"));
    }

    #[test]
    fn throttled_logins_say_when_to_try_again() {
        assert_eq!(LoginError::ThrottledHere.retry_after(), Some(60));
        assert_eq!(LoginError::ThrottledEverywhere.retry_after(), Some(900));
        assert_eq!(LoginError::Mismatch.retry_after(), None);
    }
}
