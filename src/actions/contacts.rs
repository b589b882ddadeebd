//! Creating, editing, archiving and snoozing contacts.

use chrono::NaiveDate;
use sqlx::PgConnection;

use super::{ActionError, ActionResult, Ctx};
use crate::accounts::FieldError;
use crate::db::companies;
use crate::db::contacts::{self, ContactWrite};
use crate::db::users::{self, User};
use crate::domain::cadence::ContactKind;
use crate::due;
use crate::due::engine;
use crate::people::suppression;

/// The owner and company of a write must be the acting user's team's.
async fn check_refs(conn: &mut PgConnection, team_id: i64, w: &ContactWrite) -> ActionResult<()> {
    let owner = users::find_in_team(&mut *conn, team_id, w.owner_id).await?;
    if !owner.is_some_and(|o| o.active) {
        return Err(FieldError::new(
            "owner_id",
            "Choose an active user of your team as the owner.",
        )
        .into());
    }
    if let Some(company) = w.company_id
        && !companies::exists(&mut *conn, team_id, company).await?
    {
        return Err(FieldError::new("company_id", "Choose one of your team's companies.").into());
    }
    Ok(())
}

/// An erased person may not come back as a new contact (DOMAIN.md, "Suppression").
async fn check_not_suppressed(
    conn: &mut PgConnection,
    team_id: i64,
    w: &ContactWrite,
) -> ActionResult<()> {
    let field = match suppression::matches(conn, team_id, &w.email, &w.phone).await? {
        None => return Ok(()),
        Some(suppression::Of::Email) => "email",
        Some(suppression::Of::Phone) => "phone",
    };
    Err(FieldError::new(
        field,
        format!("This {field} belongs to a person whose data was erased at their request; they may not be added again."),
    )
    .into())
}

/// Creates a contact and works out its due state.
pub async fn create(
    cx: &Ctx<'_>,
    user: &User,
    kind: ContactKind,
    w: &ContactWrite,
) -> ActionResult<i64> {
    let mut conn = cx.hot.get().await?;
    let mut tx = crate::db::begin_write(&mut conn).await?;
    check_refs(&mut tx, user.team_id, w).await?;
    check_not_suppressed(&mut tx, user.team_id, w).await?;
    let id = contacts::insert(&mut tx, user.team_id, kind, w).await?;
    // (locked after the insert: nobody else can see the new contact before the commit)
    let lock = engine::lock_contact(&mut tx, kind, id).await?;
    engine::refresh_contact(&mut tx, user.team_id, &lock, (cx.now, user.tz())).await?;
    tx.commit().await?;
    conn.done();
    Ok(id)
}

/// Saves an edit (flags, temperature and owner change what is due, so it is recomputed).
pub async fn update(
    cx: &Ctx<'_>,
    user: &User,
    kind: ContactKind,
    id: i64,
    w: &ContactWrite,
) -> ActionResult<engine::Refreshed> {
    let mut conn = cx.hot.get().await?;
    let mut tx = crate::db::begin_write(&mut conn).await?;
    check_refs(&mut tx, user.team_id, w).await?;
    let lock = engine::lock_contact(&mut tx, kind, id).await?;
    if !contacts::update(&mut tx, user.team_id, kind, id, w).await? {
        return Err(ActionError::NotFound);
    }
    let item = engine::refresh_contact(&mut tx, user.team_id, &lock, (cx.now, user.tz())).await?;
    tx.commit().await?;
    conn.done();
    Ok(item)
}

/// Archives a contact: off every list, its open items settled, its history kept.
pub async fn archive(cx: &Ctx<'_>, user: &User, kind: ContactKind, id: i64) -> ActionResult<()> {
    let mut conn = cx.hot.get().await?;
    let mut tx = crate::db::begin_write(&mut conn).await?;
    let lock = engine::lock_contact(&mut tx, kind, id).await?;
    if !contacts::archive(&mut tx, user.team_id, kind, id).await? {
        return Err(ActionError::NotFound);
    }
    engine::refresh_contact(&mut tx, user.team_id, &lock, (cx.now, user.tz())).await?;
    tx.commit().await?;
    conn.done();
    Ok(())
}

/// Puts the contact's current item aside until `until`, with a reason for the record.
pub async fn snooze(
    cx: &Ctx<'_>,
    user: &User,
    kind: ContactKind,
    id: i64,
    until: NaiveDate,
    note: &str,
) -> ActionResult<()> {
    let contact = contacts::find(cx.db, user.team_id, kind, id)
        .await?
        .filter(|c| c.archived_at.is_none())
        .ok_or(ActionError::NotFound)?;
    let today = engine::today_at(cx.now, user.tz());
    if until <= today {
        return Err(FieldError::new("until", "Snooze until a later date than today.").into());
    }
    if note.chars().count() > 500 {
        return Err(FieldError::new("note", "Keep the note under 500 characters.").into());
    }
    let reason = contact.due_reason.ok_or_else(|| {
        ActionError::Conflict(
            "Nothing is due for this contact, so there is nothing to snooze.".into(),
        )
    })?;
    let mut conn = cx.hot.get().await?;
    let mut tx = crate::db::begin_write(&mut conn).await?;
    let lock = engine::lock_contact(&mut tx, kind, id).await?;
    let snooze = due::snoozes::NewSnooze {
        kind,
        contact_id: id,
        reason,
        until,
        note: note.trim(),
        user_id: user.id,
    };
    due::snoozes::insert_snooze(&mut tx, user.team_id, &snooze).await?;
    engine::refresh_contact(&mut tx, user.team_id, &lock, (cx.now, user.tz())).await?;
    tx.commit().await?;
    conn.done();
    Ok(())
}
