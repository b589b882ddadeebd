//! A team's users: create, change, deactivate with a handover, reactivate, reset a password. The
//! users page, the JSON API, first-run setup and the command line all call these, so a rule (no
//! team is ever left without an active manager; a user who leaves hands their contacts to a
//! teammate) holds whichever way a change comes in.

use sqlx::PgConnection;

use super::{ActionError, ActionResult, Ctx};
use crate::accounts::{self, Email, FieldError, Role};
use crate::audit::{self, Event, Kind, Who};
use crate::auth::password;
use crate::auth::password_rules::{self, Owner};
use crate::db::users::{self, NewUser, User};
use crate::due::runs::RunTrigger;
use crate::error::is_unique_violation;
use chrono::{DateTime, Utc};

/// A new user as typed (a form, a JSON body, command-line flags).
#[derive(Debug, Default, Clone)]
pub struct UserInput {
    pub email: String,
    pub name: String,
    pub role: String,
    pub time_zone: String,
    pub password: String,
}

/// A new user's input, parsed.
#[derive(Debug)]
pub struct ValidUser {
    pub email: Email,
    pub name: String,
    pub role: Role,
    pub time_zone: chrono_tz::Tz,
    password: String,
}

impl UserInput {
    /// All field problems at once (a form shows them together), or the parsed user.
    pub fn parse(&self) -> Result<ValidUser, Vec<FieldError>> {
        let email = Email::parse("email", &self.email);
        let name = accounts::parse_name("name", &self.name);
        let role = self.role.parse::<Role>();
        let tz = accounts::parse_time_zone("time_zone", &self.time_zone);
        let owner = Owner {
            email: &self.email,
            name: &self.name,
        };
        let pw = password_rules::check("password", &self.password, owner);
        match (email, name, role, tz, pw) {
            (Ok(email), Ok(name), Ok(role), Ok(time_zone), Ok(())) => Ok(ValidUser {
                email,
                name,
                role,
                time_zone,
                password: self.password.clone(),
            }),
            (e, n, r, t, p) => Err([e.err(), n.err(), r.err(), t.err(), p.err()]
                .into_iter()
                .flatten()
                .collect()),
        }
    }
}

/// The message of an email that is already taken (the form shows it at the email field).
pub const EMAIL_TAKEN: &str = "This email already has an account.";

/// Adds a user to a team, inside the caller's transaction (setup creates the team in the same
/// one). An email already taken, in any team, is a conflict.
pub async fn create_in(
    conn: &mut PgConnection,
    team_id: i64,
    v: &ValidUser,
    must_change_password: bool,
    (who, now): (Who, DateTime<Utc>),
    how: &str,
) -> ActionResult<User> {
    let hash = password::hash(v.password.clone())
        .await
        .map_err(|e| ActionError::Internal(e.to_string()))?;
    let new = NewUser {
        team_id,
        email: &v.email,
        name: &v.name,
        role: v.role,
        time_zone: v.time_zone,
        password_hash: &hash,
        must_change_password,
    };
    let user = users::insert(&mut *conn, &new).await.map_err(|e| {
        if is_unique_violation(&e, "users_email_key") {
            ActionError::Conflict(EMAIL_TAKEN.into())
        } else {
            e.into()
        }
    })?;
    let detail = format!("role {}{how}", user.role.as_str());
    let event = Event::new(Kind::UserCreated, team_id)
        .target(user.id)
        .detail(detail);
    audit::record(&mut *conn, who, now, event).await?;
    Ok(user)
}

/// [`create_in`] in a transaction of its own.
pub async fn create(cx: &Ctx<'_>, team_id: i64, v: &ValidUser) -> ActionResult<User> {
    let mut tx = cx.db.begin().await?;
    let user = create_in(&mut tx, team_id, v, false, (cx.who, cx.now), "").await?;
    tx.commit().await?;
    Ok(user)
}

/// What may change about a user; absent fields stay as they are.
#[derive(Debug, Default, Clone)]
pub struct UserChange {
    pub role: Option<String>,
    pub time_zone: Option<String>,
    /// `false` deactivates (no login; sessions and tokens end), `true` reactivates.
    pub active: Option<bool>,
    /// A teammate who takes over the user's contacts.
    pub reassign_to: Option<i64>,
}

/// What a change did, for the page's message.
#[derive(Debug)]
pub struct Changed {
    pub user: User,
    /// The teammate who took the contacts, and how many.
    pub handed_to: Option<(User, i64)>,
}

/// Changes a user of the team as a whole or not at all. The rules: a user cannot deactivate
/// themself; a user who owns contacts hands them to an active teammate when deactivated; the
/// team keeps at least one active manager.
pub async fn change(
    cx: &Ctx<'_>,
    actor: &User,
    id: i64,
    change: &UserChange,
) -> ActionResult<Changed> {
    let team = actor.team_id;
    let role = change.role.as_deref().map(str::parse::<Role>).transpose()?;
    let tz = change
        .time_zone
        .as_deref()
        .map(|t| accounts::parse_time_zone("time_zone", t))
        .transpose()?;
    let mut tx = cx.db.begin().await?;
    // every user row of the team, locked: two changes at once cannot both take the last manager
    let members = users::lock_team(&mut tx, team).await?;
    let target = members
        .iter()
        .find(|u| u.id == id)
        .cloned()
        .ok_or(ActionError::NotFound)?;
    let deactivating = change.active == Some(false) && target.active;
    if deactivating && target.id == actor.id {
        return Err(FieldError::new(
            "active",
            "You cannot deactivate yourself; ask another manager.",
        )
        .into());
    }
    let heir = match change.reassign_to {
        Some(h) => Some(
            members
                .iter()
                .find(|u| u.id == h && u.active && u.id != id)
                .cloned()
                .ok_or_else(|| {
                    FieldError::new("reassign_to", "Choose another active user of your team.")
                })?,
        ),
        None => None,
    };
    let owned = users::owned_contacts(&mut *tx, team, id).await?;
    if deactivating && owned > 0 && heir.is_none() {
        return Err(FieldError::new(
            "reassign_to",
            format!(
                "{} owns {owned} contacts: choose a teammate to hand them to.",
                target.name
            ),
        )
        .into());
    }
    let stays_manager = !deactivating && role.map_or(target.is_manager(), |r| r == Role::Manager);
    let other_managers = members
        .iter()
        .filter(|u| u.active && u.is_manager() && u.id != id)
        .count();
    if target.active && target.is_manager() && !stays_manager && other_managers == 0 {
        return Err(ActionError::Conflict(format!(
            "{} is the team's only active manager; make another user a manager first.",
            target.name
        )));
    }
    apply(&mut tx, team, id, role, tz, change.active, heir.as_ref()).await?;
    if deactivating {
        // the cover they give ends with them (DOMAIN.md, "Cover")
        crate::db::away::end_cover_by(&mut tx, team, id, cx.now).await?;
    }
    let user = users::find_in_team(&mut *tx, team, id)
        .await?
        .ok_or(ActionError::NotFound)?;
    for event in change_events(&target, &user, heir.as_ref().map(|h| (h.id, owned))) {
        audit::record(&mut *tx, cx.who, cx.now, event).await?;
    }
    tx.commit().await?;
    if let Some(h) = &heir {
        // the moved contacts' items follow their new owner, today
        cx.rebuilds
            .run_users(team, RunTrigger::Manual, &[id, h.id])
            .await
            .map_err(|e| ActionError::Internal(format!("{e:#}")))?;
    }
    Ok(Changed {
        user,
        handed_to: heir.map(|h| (h, owned)),
    })
}

/// The security log's entries for a change: a role that moved, a deactivation (and to whom the
/// contacts went), a reactivation. A time zone is not a security event.
fn change_events(before: &User, after: &User, handed: Option<(i64, i64)>) -> Vec<Event> {
    let mut events = Vec::new();
    let team = after.team_id;
    if before.role != after.role {
        events.push(
            Event::new(Kind::RoleChanged, team)
                .target(after.id)
                .detail(format!(
                    "{} -> {}",
                    before.role.as_str(),
                    after.role.as_str()
                )),
        );
    }
    match (before.active, after.active) {
        (true, false) => {
            let detail = handed
                .map(|(heir, n)| format!("{n} contacts handed to user {heir}"))
                .unwrap_or_default();
            events.push(
                Event::new(Kind::UserDeactivated, team)
                    .target(after.id)
                    .detail(detail),
            );
        }
        (false, true) => events.push(Event::new(Kind::UserReactivated, team).target(after.id)),
        _ => {}
    }
    events
}

async fn apply(
    tx: &mut PgConnection,
    team: i64,
    id: i64,
    role: Option<Role>,
    tz: Option<chrono_tz::Tz>,
    active: Option<bool>,
    heir: Option<&User>,
) -> sqlx::Result<()> {
    if let Some(h) = heir {
        users::reassign_contacts(tx, team, id, h.id).await?;
    }
    if let Some(role) = role {
        users::set_role(&mut *tx, team, id, role).await?;
    }
    if let Some(tz) = tz {
        users::set_time_zone(&mut *tx, team, id, tz).await?;
    }
    if let Some(active) = active {
        users::set_active(tx, team, id, active).await?;
        if !active {
            crate::due::store::clear_user_list(tx, team, id).await?;
        }
    }
    Ok(())
}

/// How long a temporary password from a reset works: one not used by then needs a new reset.
pub const TEMPORARY_PASSWORD_DAYS: i64 = 7;

/// Gives a user of the team a temporary password that they must change at their next login,
/// within [`TEMPORARY_PASSWORD_DAYS`]; their sessions end and their tokens are revoked, so whoever
/// may have had the old password is out. The users page and `secondcall admin reset-password` call
/// this.
pub async fn reset_password(
    cx: &Ctx<'_>,
    team_id: i64,
    id: i64,
    temporary: &str,
) -> ActionResult<User> {
    let target = users::find_in_team(cx.db, team_id, id)
        .await?
        .ok_or(ActionError::NotFound)?;
    let owner = Owner {
        email: &target.email,
        name: &target.name,
    };
    password_rules::check("password", temporary, owner)?;
    let hash = password::hash(temporary.to_string())
        .await
        .map_err(|e| ActionError::Internal(e.to_string()))?;
    let until = cx.now + chrono::Duration::days(TEMPORARY_PASSWORD_DAYS);
    let mut tx = cx.db.begin().await?;
    users::set_password(&mut *tx, team_id, id, &hash, Some(until))
        .await?
        .ok_or(ActionError::NotFound)?;
    let revoked = crate::db::tokens::revoke_all(&mut *tx, team_id, id, cx.now).await?;
    let event = Event::new(Kind::PasswordReset, team_id)
        .target(id)
        .detail(format!(
            "temporary password for {TEMPORARY_PASSWORD_DAYS} days; sessions ended, {revoked} tokens revoked"
        ));
    audit::record(&mut *tx, cx.who, cx.now, event).await?;
    tx.commit().await?;
    Ok(target)
}
