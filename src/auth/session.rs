//! What a browser session carries (in the `sessions` table via tower-sessions): who is signed in,
//! since when, and flash messages for the next page.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use tower_sessions::Session;

use crate::db::users::User;

pub(crate) const AUTH_KEY: &str = "auth";
const FLASH_KEY: &str = "flash";

/// The session cookie's name: with the `__Host-` prefix when it is Secure, so a browser takes
/// it only from this host over HTTPS, with `Path=/` and no `Domain` (no subdomain can plant or
/// read one). A plain-HTTP development server cannot use the prefix.
pub fn cookie_name(secure: bool) -> &'static str {
    if secure {
        "__Host-secondcall_session"
    } else {
        "secondcall_session"
    }
}

/// Sessions end this long after login whatever the activity (the idle limit is the cookie expiry).
pub const ABSOLUTE_LIFETIME: Duration = Duration::days(7);
/// Sessions end after this long without a request.
pub const IDLE_LIFETIME_HOURS: i64 = 12;

/// The signed-in user as stored in the session.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SessionAuth {
    pub user_id: i64,
    /// The user's `session_epoch` at login: a password change or deactivation moves it on.
    pub epoch: i32,
    pub logged_in_at: DateTime<Utc>,
}

impl SessionAuth {
    /// Whether the session still speaks for this user now.
    pub fn is_valid_for(&self, user: &User, now: DateTime<Utc>) -> bool {
        self.user_id == user.id
            && self.epoch == user.session_epoch
            && now - self.logged_in_at < ABSOLUTE_LIFETIME
    }
}

/// A message shown once on the next page.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Flash {
    /// `ok` or `error`, used as a CSS class.
    pub kind: String,
    pub text: String,
}

/// Signs the user in: a new session id (no fixation), then the auth record.
pub async fn login(
    session: &Session,
    user: &User,
    now: DateTime<Utc>,
) -> Result<(), tower_sessions::session::Error> {
    session.cycle_id().await?;
    let auth = SessionAuth {
        user_id: user.id,
        epoch: user.session_epoch,
        logged_in_at: now,
    };
    session.insert(AUTH_KEY, auth).await
}

/// The auth record, if any.
pub async fn current(session: &Session) -> Option<SessionAuth> {
    session.get::<SessionAuth>(AUTH_KEY).await.ok().flatten()
}

/// The user the auth record names, as read in the same statement as the session (an active user;
/// `session_store`), or None when the row named none: the caller then reads the user itself. A
/// user read along for another id than the auth's is never returned.
pub async fn signed_in(session: &Session, auth: &SessionAuth) -> Option<User> {
    session
        .get::<User>(crate::auth::session_store::SIGNED_IN_KEY)
        .await
        .ok()
        .flatten()
        .filter(|u| u.id == auth.user_id)
}

/// After a password change the user stays signed in here, with the new epoch and a new id.
pub async fn renew(
    session: &Session,
    user_id: i64,
    epoch: i32,
    now: DateTime<Utc>,
) -> Result<(), tower_sessions::session::Error> {
    session.cycle_id().await?;
    let auth = SessionAuth {
        user_id,
        epoch,
        logged_in_at: now,
    };
    session.insert(AUTH_KEY, auth).await
}

/// Ends the session: the row is deleted and the cookie cleared.
pub async fn logout(session: &Session) -> Result<(), tower_sessions::session::Error> {
    session.flush().await
}

/// Queues a message for the next page.
pub async fn flash(session: &Session, kind: &str, text: impl Into<String>) {
    let mut list: Vec<Flash> = session
        .get(FLASH_KEY)
        .await
        .ok()
        .flatten()
        .unwrap_or_default();
    list.push(Flash {
        kind: kind.to_string(),
        text: text.into(),
    });
    if let Err(err) = session.insert(FLASH_KEY, list).await {
        tracing::warn!(error = ?err, "could not store a flash message");
    }
}

/// Takes the queued messages (they show once).
pub async fn take_flashes(session: &Session) -> Vec<Flash> {
    // Read first and remove only when there is something: a removal marks the session modified,
    // and an unmodified session costs no database write (page views stay read-only).
    let queued: Vec<Flash> = session
        .get(FLASH_KEY)
        .await
        .ok()
        .flatten()
        .unwrap_or_default();
    if !queued.is_empty() {
        let _ = session.remove::<Vec<Flash>>(FLASH_KEY).await;
    }
    queued
}

const SEEN_KEY: &str = "seen_at";

/// Keeps an active session alive: the idle expiry only moves when the session is saved, so it is
/// saved again once every few minutes of use rather than on every page view.
pub async fn keep_alive(session: &Session, now: DateTime<Utc>) {
    let seen: Option<DateTime<Utc>> = session.get(SEEN_KEY).await.ok().flatten();
    if seen.is_none_or(|s| now - s > Duration::minutes(5))
        && let Err(err) = session.insert(SEEN_KEY, now).await
    {
        tracing::warn!(error = ?err, "could not refresh the session");
    }
}
