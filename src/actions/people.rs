//! A person's data (managers): the JSON export of everything held about one contact, and the
//! erase that removes their personal data for good while the anonymous facts the reports count
//! stay. Both are written to the security log (ids only).

use serde_json::Value;

use super::{ActionError, ActionResult, Ctx};
use crate::accounts::FieldError;
use crate::audit::{self, Event, Kind};
use crate::db::contacts;
use crate::db::users::User;
use crate::domain::cadence::ContactKind;
use crate::due::engine;
use crate::people::export::{self, audit_detail};
use crate::people::suppression;

/// What an erased contact is called from then on.
pub const ERASED_NAME: &str = "Erased contact";

/// Everything held about one contact; the export is logged.
pub async fn export(
    cx: &Ctx<'_>,
    manager: &User,
    kind: ContactKind,
    id: i64,
) -> ActionResult<Value> {
    let mut tx = cx.db.begin().await?;
    let doc = export::document(&mut tx, manager.team_id, kind, id)
        .await?
        .ok_or(ActionError::NotFound)?;
    let event = Event::new(Kind::ContactExported, manager.team_id).detail(audit_detail(kind, id));
    audit::record(&mut *tx, cx.who, cx.now, event).await?;
    tx.commit().await?;
    Ok(doc)
}

/// The reason of an erase, for the security log: short, one line.
fn reason_of(raw: &str) -> ActionResult<String> {
    let reason = raw.trim();
    if reason.chars().count() > 200 || reason.contains(['\n', '\r']) {
        return Err(
            FieldError::new("reason", "Keep the reason to one line of 200 characters.").into(),
        );
    }
    Ok(reason.to_string())
}

/// Erases a contact: the personal fields, every touch's notes and referral names (and those of
/// the versions corrections replaced), the snooze notes go; the contact is archived and
/// do-not-contact (never due again) and its email and phone join the suppression list. Touches
/// keep their date, channel, direction and outcome, so past reports do not change.
pub async fn erase(
    cx: &Ctx<'_>,
    manager: &User,
    kind: ContactKind,
    id: i64,
    reason: &str,
) -> ActionResult<()> {
    let reason = reason_of(reason)?;
    let team = manager.team_id;
    let mut tx = cx.db.begin().await?;
    let lock = engine::lock_contact(&mut tx, kind, id).await?;
    let contact = contacts::find(&mut *tx, team, kind, id)
        .await?
        .ok_or(ActionError::NotFound)?;
    if contact.erased_at.is_some() {
        return Err(ActionError::Conflict(
            "This contact was already erased.".into(),
        ));
    }
    suppression::add(&mut tx, team, &contact.email, &contact.phone).await?;
    contacts::erase(&mut tx, team, kind, id, ERASED_NAME, cx.now).await?;
    engine::refresh_contact(&mut tx, team, &lock, (cx.now, manager.tz())).await?;
    let mut detail = audit_detail(kind, id);
    if !reason.is_empty() {
        detail = format!("{detail}: {reason}");
    }
    audit::record(
        &mut *tx,
        cx.who,
        cx.now,
        Event::new(Kind::ContactErased, team).detail(detail),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
