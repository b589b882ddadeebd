//! Logging, correcting and deleting touches; each one recomputes the contact's due state in the
//! same transaction.

use sqlx::PgPool;

use super::{ActionError, ActionResult, Ctx};
use crate::db::contacts;
use crate::db::touches::{self, Touch, TouchWrite};
use crate::db::users::User;
use chrono::NaiveDate;

use crate::domain::cadence::{ContactKind, Direction, DueItem, Outcome, Reason};
use crate::due::engine;

/// What logging a touch led to: the touch, the contact's item now (if any) and what is next.
#[derive(Debug, Clone)]
pub struct Logged {
    pub touch_id: i64,
    /// The touch as stored, returned by the statement that wrote it: an answer never depends on a
    /// second round trip after the commit (which could fail and make a saved touch look lost).
    pub touch: Touch,
    pub item: Option<DueItem>,
    pub upcoming: Option<(Reason, NaiveDate)>,
}

/// Logs a touch by `user` on a contact of their team.
pub async fn log(
    cx: &Ctx<'_>,
    user: &User,
    kind: ContactKind,
    contact_id: i64,
    w: &TouchWrite,
) -> ActionResult<Logged> {
    let mut conn = cx.hot.get().await?;
    let mut tx = crate::db::begin_write(&mut conn).await?;
    // only on a live contact of the team (the insert writes nothing otherwise), whose lock the
    // insert takes
    let (touch, lock) = engine::insert_touch(&mut tx, user.team_id, (kind, contact_id), user.id, w)
        .await?
        .ok_or(ActionError::NotFound)?;
    let touch_id = touch.id;
    // a "remove me" reply [000]: never suggest email to them again
    if w.direction == Direction::Inbound && w.outcome == Outcome::OptedOut {
        contacts::set_email_opt_out(&mut tx, user.team_id, kind, contact_id).await?;
    }
    let refreshed =
        engine::refresh_after_touch(&mut tx, user.team_id, &lock, (cx.now, user.tz()), touch_id)
            .await?;
    tx.commit().await?;
    conn.done();
    Ok(Logged {
        touch_id,
        touch,
        item: refreshed.item,
        upcoming: refreshed.upcoming,
    })
}

fn contact_of(t: &Touch) -> (ContactKind, i64) {
    match (t.decision_maker_id, t.candidate_id) {
        (Some(id), _) => (ContactKind::DecisionMaker, id),
        (None, Some(id)) => (ContactKind::Candidate, id),
        (None, None) => (ContactKind::DecisionMaker, 0),
    }
}

/// The touch, if it is live, of this team, and written by `user` (only authors correct).
async fn own_touch(db: &PgPool, user: &User, id: i64) -> ActionResult<Touch> {
    let touch = touches::find(db, user.team_id, id)
        .await?
        .filter(|t| t.deleted_at.is_none())
        .ok_or(ActionError::NotFound)?;
    if touch.author_id != user.id {
        return Err(ActionError::Forbidden);
    }
    Ok(touch)
}

/// Corrects a touch; the replaced version stays in the audit trail.
pub async fn correct(
    cx: &Ctx<'_>,
    user: &User,
    id: i64,
    w: &TouchWrite,
) -> ActionResult<(ContactKind, i64)> {
    let touch = own_touch(cx.db, user, id).await?;
    let (kind, contact_id) = contact_of(&touch);
    let mut conn = cx.hot.get().await?;
    let mut tx = crate::db::begin_write(&mut conn).await?;
    let lock = engine::lock_contact(&mut tx, kind, contact_id).await?;
    touches::correct(&mut tx, user.team_id, id, user.id, w).await?;
    engine::refresh_contact(&mut tx, user.team_id, &lock, (cx.now, user.tz())).await?;
    tx.commit().await?;
    conn.done();
    Ok((kind, contact_id))
}

/// Deletes a mistaken touch: it no longer counts, and the trail shows it was there.
pub async fn delete(cx: &Ctx<'_>, user: &User, id: i64) -> ActionResult<(ContactKind, i64)> {
    let touch = own_touch(cx.db, user, id).await?;
    let (kind, contact_id) = contact_of(&touch);
    let mut conn = cx.hot.get().await?;
    let mut tx = crate::db::begin_write(&mut conn).await?;
    let lock = engine::lock_contact(&mut tx, kind, contact_id).await?;
    touches::delete(&mut tx, user.team_id, id, user.id).await?;
    engine::refresh_contact(&mut tx, user.team_id, &lock, (cx.now, user.tz())).await?;
    tx.commit().await?;
    conn.done();
    Ok((kind, contact_id))
}
