//! Contact locks: the transaction-long advisory locks every writer that refreshes a contact
//! takes, in one order.

use sqlx::PgConnection;

use crate::domain::cadence::ContactKind;

/// The advisory lock namespaces of the two kinds of contact (the first key of the two-key form;
/// 7312001 to 7312004 are taken by the setup and the report summaries).
fn contact_lock_space(kind: ContactKind) -> i32 {
    match kind {
        ContactKind::DecisionMaker => 7_312_010,
        ContactKind::Candidate => 7_312_011,
    }
}

/// The two keys of a contact's advisory lock: its kind's space, and its id folded into an int4 (a
/// clash of two ids only makes one wait).
pub fn contact_lock_key(kind: ContactKind, id: i64) -> (i32, i32) {
    let folded = i32::try_from(id.rem_euclid(i64::from(i32::MAX))).unwrap_or(0);
    (contact_lock_space(kind), folded)
}

/// Takes the transaction-long lock of each of some contacts, in one order for every caller (so two
/// writers of overlapping sets cannot each wait for the other). See `due::engine::lock_contacts`.
pub async fn lock_contacts(
    conn: &mut PgConnection,
    contacts: &[(ContactKind, i64)],
) -> sqlx::Result<()> {
    let mut keys: Vec<(i32, i32)> = contacts
        .iter()
        .map(|&(kind, id)| contact_lock_key(kind, id))
        .collect();
    keys.sort_unstable();
    keys.dedup();
    let (spaces, ids): (Vec<i32>, Vec<i32>) = keys.into_iter().unzip();
    // unnest walks the arrays in order, so the locks are taken in the sorted order
    sqlx::query("select pg_advisory_xact_lock(s, i) from unnest($1::int4[], $2::int4[]) as k(s, i)")
        .bind(&spaces)
        .bind(&ids)
        .execute(conn)
        .await
        .map(|_| ())
}
