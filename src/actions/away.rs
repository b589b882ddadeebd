//! Away periods (DOMAIN.md, "Cover"): a recruiter sets their own, a manager anyone's; the account
//! page, Settings → Users and `/api/v1/users/{id}/away` all call these. The rules: one user's
//! periods never overlap (409); the coverer is an active teammate other than the user who is not
//! away on any of those days themself (422 naming `covered_by`). They are checked under the team's
//! user-change lock, so a deactivation or another period cannot slip in between check and write.

use chrono::NaiveDate;

use super::{ActionError, ActionResult, Ctx};
use crate::accounts::FieldError;
use crate::db::away::{self, Period};
use crate::db::users::{self, User};

/// The longest period one entry may cover (a longer absence is set again when it is known).
pub const MAX_DAYS: i64 = 366;

/// A period as typed on a form: two dates and a teammate's id.
#[derive(Debug, Default, Clone)]
pub struct AwayInput {
    pub from: String,
    pub to: String,
    pub covered_by: String,
}

/// A period, parsed: the absent user's local dates (both included) and the coverer.
#[derive(Debug, Clone, Copy)]
pub struct NewAway {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub covered_by: i64,
}

impl AwayInput {
    /// Every field's problem at once (a form shows them together), or the period.
    pub fn parse(&self) -> Result<NewAway, Vec<FieldError>> {
        let date = |field: &'static str, raw: &str| {
            raw.trim()
                .parse::<NaiveDate>()
                .map_err(|_| FieldError::new(field, "A date, like 2026-12-24."))
        };
        let from = date("from", &self.from);
        let to = date("to", &self.to);
        let covered_by = self
            .covered_by
            .trim()
            .parse::<i64>()
            .map_err(|_| FieldError::new("covered_by", "Choose the teammate who covers."));
        match (from, to, covered_by) {
            (Ok(from), Ok(to), Ok(covered_by)) => Ok(NewAway {
                from,
                to,
                covered_by,
            }),
            (f, t, c) => Err([f.err(), t.err(), c.err()].into_iter().flatten().collect()),
        }
    }
}

/// Whether `actor` may set or remove `user_id`'s periods: their own, or a manager's anyone's.
fn may_change(actor: &User, user_id: i64) -> ActionResult<()> {
    if actor.id == user_id || actor.is_manager() {
        Ok(())
    } else {
        Err(ActionError::Forbidden)
    }
}

/// Records a period for `user_id` (of the actor's team; another team's is not found).
pub async fn create(
    cx: &Ctx<'_>,
    actor: &User,
    user_id: i64,
    new: &NewAway,
) -> ActionResult<Period> {
    let team = actor.team_id;
    let mut tx = cx.db.begin().await?;
    let members = users::lock_team(&mut tx, team).await?;
    let user = members
        .iter()
        .find(|u| u.id == user_id)
        .ok_or(ActionError::NotFound)?;
    may_change(actor, user_id)?;
    check_dates(new)?;
    if !user.active {
        return Err(ActionError::Conflict(format!(
            "{} is deactivated; nothing of theirs is due.",
            user.name
        )));
    }
    let dates = (new.from, new.to);
    let coverer = check_coverer(&mut tx, &members, user, new).await?;
    if away::overlaps(&mut *tx, team, user_id, dates).await? {
        return Err(ActionError::Conflict(format!(
            "{} is already away on some of those days; remove that period first.",
            user.name
        )));
    }
    let period = away::insert(&mut tx, team, user_id, dates, coverer.id, actor.id).await?;
    tx.commit().await?;
    Ok(period)
}

fn check_dates(new: &NewAway) -> Result<(), FieldError> {
    if new.to < new.from {
        return Err(FieldError::new(
            "to",
            "The last day away is on or after the first.",
        ));
    }
    if (new.to - new.from).num_days() >= MAX_DAYS {
        return Err(FieldError::new(
            "to",
            format!("One period covers at most {MAX_DAYS} days."),
        ));
    }
    Ok(())
}

/// The coverer: an active teammate, not the user, not away on any of the days.
async fn check_coverer<'m>(
    tx: &mut sqlx::PgConnection,
    members: &'m [User],
    user: &User,
    new: &NewAway,
) -> ActionResult<&'m User> {
    let bad = |m: String| ActionError::Invalid(FieldError::new("covered_by", m));
    let Some(coverer) = members.iter().find(|u| u.id == new.covered_by) else {
        return Err(bad("Choose a teammate to cover.".into()));
    };
    if coverer.id == user.id {
        return Err(bad(
            "Choose someone else to cover: not the one who is away.".into(),
        ));
    }
    if !coverer.active {
        return Err(bad(format!(
            "{} is deactivated; choose an active teammate.",
            coverer.name
        )));
    }
    if away::overlaps(&mut *tx, user.team_id, coverer.id, (new.from, new.to)).await? {
        return Err(bad(format!(
            "{} is away on some of those days too; choose another teammate.",
            coverer.name
        )));
    }
    Ok(coverer)
}

/// A user's periods (anyone of the team may see who is away).
pub async fn list(cx: &Ctx<'_>, actor: &User, user_id: i64) -> ActionResult<Vec<Period>> {
    users::find_in_team(cx.db, actor.team_id, user_id)
        .await?
        .ok_or(ActionError::NotFound)?;
    Ok(away::list_for_user(cx.db, actor.team_id, user_id).await?)
}

/// Removes one of `user_id`'s periods (theirs, or any for a manager); their items go back to
/// their own list only.
pub async fn delete(cx: &Ctx<'_>, actor: &User, user_id: i64, away_id: i64) -> ActionResult<()> {
    users::find_in_team(cx.db, actor.team_id, user_id)
        .await?
        .ok_or(ActionError::NotFound)?;
    may_change(actor, user_id)?;
    if away::delete(cx.db, actor.team_id, user_id, away_id).await? {
        Ok(())
    } else {
        Err(ActionError::NotFound)
    }
}
