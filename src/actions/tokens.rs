//! API tokens through their life: created (on the account page with the current password, by
//! `POST /tokens` with email and password, on the command line), listed, revoked one by one (by
//! their user, or a manager of the team), and all at once when a user signs out everywhere, is
//! reset or deactivated. The account page, the users page and the API call these.

use chrono::{DateTime, Duration, Utc};

use super::{ActionError, ActionResult, Ctx};
use crate::accounts::FieldError;
use crate::audit::{self, Event, Kind};
use crate::auth::{password, tokens};
use crate::db::tokens::{self as db, TokenRow};
use crate::db::users::{self, User};

/// The longest a token may be made to last (about ten years).
pub const MAX_EXPIRES_IN_DAYS: i64 = 3650;
/// Names are for people telling their tokens apart; this keeps the list readable.
const MAX_NAME_CHARS: usize = 100;

/// A token as asked for (a form, a JSON body).
#[derive(Debug, Default, Clone)]
pub struct TokenInput {
    /// Empty or absent: the caller's default name.
    pub name: Option<String>,
    /// Absent: the token lasts until revoked.
    pub expires_in_days: Option<i64>,
}

/// A new token: shown once, never stored in the clear.
#[derive(Debug)]
pub struct NewToken {
    pub token: String,
    pub row: TokenRow,
}

impl TokenInput {
    fn parse(
        &self,
        default_name: &str,
        now: DateTime<Utc>,
    ) -> Result<(String, Option<DateTime<Utc>>), FieldError> {
        let name = self.name.as_deref().map(str::trim).unwrap_or_default();
        let name = if name.is_empty() { default_name } else { name };
        if name.chars().count() > MAX_NAME_CHARS {
            return Err(FieldError::new(
                "name",
                format!("Keep the name under {MAX_NAME_CHARS} characters."),
            ));
        }
        let expires_at = match self.expires_in_days {
            None => None,
            Some(days @ 1..=MAX_EXPIRES_IN_DAYS) => Some(now + Duration::days(days)),
            Some(_) => {
                return Err(FieldError::new(
                    "expires_in_days",
                    format!(
                        "Give a number of days from 1 to {MAX_EXPIRES_IN_DAYS}, or none for a token that lasts until revoked."
                    ),
                ));
            }
        };
        Ok((name.to_string(), expires_at))
    }
}

/// Makes a token for a user whose identity the caller has checked (a login, the operator). A user
/// who must change a temporary password gets none until they have.
pub async fn create(
    cx: &Ctx<'_>,
    user: &User,
    input: &TokenInput,
    default_name: &str,
) -> ActionResult<NewToken> {
    if user.must_change_password {
        return Err(ActionError::Forbidden);
    }
    let (name, expires_at) = input.parse(default_name, cx.now)?;
    let (token, hash) = tokens::generate();
    let mut tx = cx.db.begin().await?;
    let row = db::insert(&mut *tx, user, &name, &hash, cx.now, expires_at).await?;
    let detail = match expires_at {
        // the moment, in UTC and saying so: a date alone would be the UTC day, which is not the
        // reader's in every zone
        Some(at) => format!(
            "token {} expires {}",
            row.id,
            at.format("%Y-%m-%d %H:%M UTC")
        ),
        None => format!("token {}", row.id),
    };
    let event = Event::new(Kind::TokenCreated, user.team_id)
        .target(user.id)
        .detail(detail);
    audit::record(&mut *tx, cx.who, cx.now, event).await?;
    tx.commit().await?;
    Ok(NewToken { token, row })
}

/// [`create`] for a signed-in user, who confirms with their current password (a session left
/// open on a shared computer is not enough to mint a lasting credential).
pub async fn create_confirmed(
    cx: &Ctx<'_>,
    user: &User,
    current_password: &str,
    input: &TokenInput,
) -> ActionResult<NewToken> {
    let stored = users::password_hash(cx.db, user.team_id, user.id).await?;
    let ok = password::verify(current_password.to_string(), stored)
        .await
        .map_err(|e| ActionError::Internal(format!("{e:#}")))?;
    if !ok {
        return Err(
            FieldError::new("current_password", "That is not your current password.").into(),
        );
    }
    create(cx, user, input, "API token").await
}

/// The live tokens of the caller, or of a teammate (`user_id`, managers only: a recruiter asking
/// for someone else's is forbidden; another team's user is not found).
pub async fn list(cx: &Ctx<'_>, actor: &User, user_id: Option<i64>) -> ActionResult<Vec<TokenRow>> {
    let target = user_id.unwrap_or(actor.id);
    if target != actor.id {
        if !actor.is_manager() {
            return Err(ActionError::Forbidden);
        }
        users::find_in_team(cx.db, actor.team_id, target)
            .await?
            .ok_or(ActionError::NotFound)?;
    }
    Ok(db::list_for_user(cx.db, actor.team_id, target, cx.now).await?)
}

/// Revokes a live token: the caller's own, or (a manager) any of the team's. Anything else, another
/// team's included, is not found.
pub async fn revoke(cx: &Ctx<'_>, actor: &User, id: i64) -> ActionResult<()> {
    let owner = (!actor.is_manager()).then_some(actor.id);
    let mut tx = cx.db.begin().await?;
    let Some(holder) = db::revoke(&mut *tx, actor.team_id, owner, id, cx.now).await? else {
        return Err(ActionError::NotFound);
    };
    let event = Event::new(Kind::TokenRevoked, actor.team_id)
        .target(holder)
        .detail(format!("token {id}"));
    audit::record(&mut *tx, cx.who, cx.now, event).await?;
    tx.commit().await?;
    Ok(())
}

/// Ends every session of the user, this one too, and revokes all their tokens: for a user who
/// fears someone else is signed in as them.
pub async fn sign_out_everywhere(cx: &Ctx<'_>, user: &User) -> ActionResult<()> {
    let mut tx = cx.db.begin().await?;
    users::end_sessions(&mut *tx, user.team_id, user.id)
        .await?
        .ok_or(ActionError::NotFound)?;
    let revoked = db::revoke_all(&mut *tx, user.team_id, user.id, cx.now).await?;
    let event = Event::new(Kind::TokenRevoked, user.team_id)
        .target(user.id)
        .detail(format!(
            "sign out everywhere: every session, {revoked} tokens"
        ));
    audit::record(&mut *tx, cx.who, cx.now, event).await?;
    tx.commit().await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(name: Option<&str>, days: Option<i64>) -> TokenInput {
        TokenInput {
            name: name.map(str::to_string),
            expires_in_days: days,
        }
    }

    #[test]
    fn a_blank_name_takes_the_default_and_no_expiry_lasts_until_revoked() {
        let now = Utc::now();
        let (name, at) = input(Some("  "), None).parse("API login", now).unwrap();
        assert_eq!((name.as_str(), at), ("API login", None));
    }

    #[test]
    fn expiry_is_one_to_3650_days_from_now() {
        let now = Utc::now();
        let (_, at) = input(None, Some(30)).parse("x", now).unwrap();
        assert_eq!(at, Some(now + Duration::days(30)));
        assert!(input(None, Some(3650)).parse("x", now).is_ok());
        for bad in [0, -1, 3651, i64::MAX] {
            let e = input(None, Some(bad)).parse("x", now).unwrap_err();
            assert_eq!(e.field, "expires_in_days");
        }
    }

    #[test]
    fn overlong_names_are_refused() {
        let e = input(Some(&"n".repeat(101)), None)
            .parse("x", Utc::now())
            .unwrap_err();
        assert_eq!(e.field, "name");
    }
}
