//! The security log: one `audit_events` row per event of docs/api.md's list (who acted, on whose
//! account, from which address, a short detail of ids and kinds), and the same event as a
//! structured line in the server log. Recorded by the action that does the thing, in its
//! transaction when it has one, so the page and the API log alike and a refused change logs nothing.

use std::net::IpAddr;

use chrono::{DateTime, Utc};
use serde::Serialize;
use sqlx::PgExecutor;

pub mod read;

/// The kinds of event, as stored and as the API spells them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    Login,
    LoginFailed,
    Logout,
    PasswordChanged,
    PasswordReset,
    RoleChanged,
    UserCreated,
    UserDeactivated,
    UserReactivated,
    TokenCreated,
    TokenRevoked,
    SettingsChanged,
    ContactExported,
    ContactErased,
    Import,
}

impl Kind {
    /// Every kind, in the order the filter lists them.
    pub const ALL: [Kind; 15] = [
        Kind::Login,
        Kind::LoginFailed,
        Kind::Logout,
        Kind::PasswordChanged,
        Kind::PasswordReset,
        Kind::RoleChanged,
        Kind::UserCreated,
        Kind::UserDeactivated,
        Kind::UserReactivated,
        Kind::TokenCreated,
        Kind::TokenRevoked,
        Kind::SettingsChanged,
        Kind::ContactExported,
        Kind::ContactErased,
        Kind::Import,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Login => "login",
            Kind::LoginFailed => "login_failed",
            Kind::Logout => "logout",
            Kind::PasswordChanged => "password_changed",
            Kind::PasswordReset => "password_reset",
            Kind::RoleChanged => "role_changed",
            Kind::UserCreated => "user_created",
            Kind::UserDeactivated => "user_deactivated",
            Kind::UserReactivated => "user_reactivated",
            Kind::TokenCreated => "token_created",
            Kind::TokenRevoked => "token_revoked",
            Kind::SettingsChanged => "settings_changed",
            Kind::ContactExported => "contact_exported",
            Kind::ContactErased => "contact_erased",
            Kind::Import => "import",
        }
    }

    pub fn parse(s: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// Who acts: the signed-in user (none for the operator's command line or a failed login) and
/// the client's address (none off the web).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Who {
    pub user_id: Option<i64>,
    pub ip: Option<IpAddr>,
}

impl Who {
    /// The operator at the command line.
    pub const OPERATOR: Who = Who {
        user_id: None,
        ip: None,
    };
}

/// One event to record.
#[derive(Debug, Clone)]
pub struct Event {
    pub kind: Kind,
    pub team_id: i64,
    /// Whose account the event is about, when it is about one.
    pub target_user_id: Option<i64>,
    /// Ids and kinds only (e.g. `token 12`, `role recruiter -> manager`).
    pub detail: String,
}

impl Event {
    pub fn new(kind: Kind, team_id: i64) -> Self {
        Self {
            kind,
            team_id,
            target_user_id: None,
            detail: String::new(),
        }
    }

    pub fn target(mut self, user_id: i64) -> Self {
        self.target_user_id = Some(user_id);
        self
    }

    pub fn detail(mut self, detail: impl Into<String>) -> Self {
        let mut detail: String = detail.into();
        if detail.len() > 500 {
            let mut cut = 500;
            while !detail.is_char_boundary(cut) {
                cut -= 1;
            }
            detail.truncate(cut);
        }
        self.detail = detail;
        self
    }
}

/// Stores the event (in the caller's transaction when given one) and writes its log line.
pub async fn record(
    db: impl PgExecutor<'_>,
    who: Who,
    at: DateTime<Utc>,
    event: Event,
) -> sqlx::Result<()> {
    sqlx::query(
        "insert into audit_events (team_id, at, kind, actor_id, target_user_id, ip, detail) \
         values ($1, $2, $3, $4, $5, $6::inet, $7)",
    )
    .bind(event.team_id)
    .bind(at)
    .bind(event.kind.as_str())
    .bind(who.user_id)
    .bind(event.target_user_id)
    .bind(who.ip.map(|ip| ip.to_string()))
    .bind(&event.detail)
    .execute(db)
    .await?;
    log_line(who, &event);
    Ok(())
}

/// The server log's copy of an event (also used alone for a failed login of an unknown email,
/// which belongs to no team).
pub fn log_line(who: Who, event: &Event) {
    tracing::info!(
        target: "audit",
        kind = event.kind.as_str(),
        team_id = event.team_id,
        actor_id = who.user_id,
        target_user_id = event.target_user_id,
        ip = who.ip.map(|ip| ip.to_string()),
        detail = %event.detail,
        "security event"
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_spells_back_to_itself() {
        for k in Kind::ALL {
            assert_eq!(Kind::parse(k.as_str()), Some(k));
            assert_eq!(
                serde_json::to_value(k).unwrap(),
                serde_json::Value::String(k.as_str().into())
            );
        }
        assert_eq!(Kind::parse("LOGIN"), None);
    }

    #[test]
    fn a_long_detail_is_cut_on_a_character_boundary() {
        let e = Event::new(Kind::Import, 1).detail("é".repeat(400));
        assert!(e.detail.len() <= 500);
        assert!(e.detail.chars().all(|c| c == 'é'));
    }
}
