//! Snoozes: a contact's item put off to a later date, with a reason.

use chrono::NaiveDate;
use sqlx::PgConnection;

use crate::domain::cadence::{ContactKind, Reason};

/// A snooze to record: which contact's item, which reason, until when, why, by whom.
#[derive(Debug, Clone)]
pub struct NewSnooze<'a> {
    pub kind: ContactKind,
    pub contact_id: i64,
    pub reason: Reason,
    pub until: NaiveDate,
    pub note: &'a str,
    pub user_id: i64,
}

/// Records a snooze of a contact's item.
pub async fn insert_snooze(
    conn: &mut PgConnection,
    team_id: i64,
    s: &NewSnooze<'_>,
) -> sqlx::Result<()> {
    let NewSnooze {
        kind,
        contact_id,
        reason,
        until,
        note,
        user_id,
    } = *s;
    sqlx::query(
        "insert into due_snoozes (team_id, contact_kind, contact_id, reason, until, note, created_by) values ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(team_id)
    .bind(kind.as_str())
    .bind(contact_id)
    .bind(reason.as_str())
    .bind(until)
    .bind(note)
    .bind(user_id)
    .execute(conn)
    .await
    .map(|_| ())
}
