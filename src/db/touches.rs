//! Touches and their audit trail: a correction or deletion keeps the version it replaced.

use chrono::{DateTime, NaiveDate, Utc};
use sqlx::{FromRow, PgConnection, PgExecutor};

use crate::domain::cadence::{Approach, Channel, ContactKind, Direction, Outcome};

/// A touch as listed on timelines and by the API.
#[derive(Debug, Clone, FromRow)]
pub struct Touch {
    pub id: i64,
    pub decision_maker_id: Option<i64>,
    pub candidate_id: Option<i64>,
    pub author_id: i64,
    pub author_name: String,
    pub channel: Channel,
    pub direction: Direction,
    pub outcome: Outcome,
    pub occurred_at: DateTime<Utc>,
    pub notes: String,
    pub next_step_on: Option<NaiveDate>,
    pub approach: Approach,
    pub referrals: i32,
    pub referral_names: String,
    pub deleted_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    /// How many times it was corrected (shown as "corrected").
    pub revisions: i64,
}

/// A validated touch to write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TouchWrite {
    pub channel: Channel,
    pub direction: Direction,
    pub outcome: Outcome,
    pub occurred_at: DateTime<Utc>,
    pub notes: String,
    pub next_step_on: Option<NaiveDate>,
    pub approach: Approach,
    pub referrals: i32,
    pub referral_names: String,
}

/// The columns of a [`Touch`] but its revisions, from `t` (a touch row) and `u` (its author).
macro_rules! touch_columns {
    () => {
        "t.id, t.decision_maker_id, t.candidate_id, t.author_id, u.name as author_name, t.channel, \
         t.direction, t.outcome, t.occurred_at, t.notes, t.next_step_on, t.approach, t.referrals, \
         t.referral_names, t.deleted_at, t.created_at"
    };
}
pub(crate) use touch_columns;

/// The select of a [`Touch`] with its revisions, from `touches t` and its author `u`, up to its
/// `where`.
macro_rules! touch_select {
    () => {
        concat!(
            "select ",
            crate::db::touches::touch_columns!(),
            ", (select count(*) from touch_revisions r where r.team_id = t.team_id and r.touch_id = t.id) as revisions \
             from touches t join users u on u.id = t.author_id "
        )
    };
}
pub(crate) use touch_select;

/// The last `$n` live touches of the contact `i.contact_id` (a due item, or any row with
/// `team_id` and `contact_id`), newest first, where `$fk` is its column on `touches`: a lateral
/// subquery's body.
macro_rules! latest_touches_of {
    ($fk:literal, $n:literal) => {
        concat!(
            crate::db::touches::touch_select!(),
            "where t.team_id = i.team_id and t.",
            $fk,
            " = i.contact_id and t.deleted_at is null order by t.occurred_at desc, t.id desc limit ",
            $n
        )
    };
}
pub(crate) use latest_touches_of;

const BASE: &str = touch_select!();

/// The insert of [`insert`] for one kind of contact: only when the contact is of the team and
/// not archived.
macro_rules! insert_sql {
    ($table:literal, $column:literal) => {
        concat!(
            "with lk as materialized (select pg_advisory_xact_lock($14, $15)), \
             t as ( \
               insert into touches (team_id, decision_maker_id, candidate_id, author_id, channel, direction, \
                                    outcome, occurred_at, notes, next_step_on, approach, referrals, referral_names) \
               select $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13 from lk \
               where exists (select 1 from ", $table, " c where c.team_id = $1 and c.id = ", $column, " \
                               and c.archived_at is null) \
               returning *) \
             select ",
            touch_columns!(),
            ", 0::int8 as revisions from t join users u on u.id = t.author_id"
        )
    };
}

/// Logs a touch for a live (not archived) contact of the team; returns it as stored (a new
/// touch has no revisions), read in the statement that wrote it, or None when there is no such
/// contact and nothing was written. The same statement first takes the advisory lock `lock`
/// (the contact's, `due::engine::insert_touch`), for the rest of the transaction, when the contact
/// is live; its triggers (which lock list stamps) run after that.
pub async fn insert(
    conn: &mut PgConnection,
    team_id: i64,
    kind: ContactKind,
    contact_id: i64,
    author_id: i64,
    w: &TouchWrite,
    lock: (i32, i32),
) -> sqlx::Result<Option<Touch>> {
    let (sql, dm, cand) = match kind {
        ContactKind::DecisionMaker => {
            (insert_sql!("decision_makers", "$2"), Some(contact_id), None)
        }
        ContactKind::Candidate => (insert_sql!("candidates", "$3"), None, Some(contact_id)),
    };
    sqlx::query_as(sql)
        .bind(team_id)
        .bind(dm)
        .bind(cand)
        .bind(author_id)
        .bind(w.channel)
        .bind(w.direction)
        .bind(w.outcome)
        .bind(w.occurred_at)
        .bind(&w.notes)
        .bind(w.next_step_on)
        .bind(w.approach)
        .bind(w.referrals)
        .bind(&w.referral_names)
        .bind(lock.0)
        .bind(lock.1)
        .fetch_optional(conn)
        .await
}

/// One touch of the team (deleted ones too).
pub async fn find(db: impl PgExecutor<'_>, team_id: i64, id: i64) -> sqlx::Result<Option<Touch>> {
    sqlx::query_as(&format!("{BASE}where t.team_id = $1 and t.id = $2"))
        .bind(team_id)
        .bind(id)
        .fetch_optional(db)
        .await
}

/// A contact's touches, newest first, deleted ones included for the timeline.
pub async fn for_contact(
    db: impl PgExecutor<'_>,
    team_id: i64,
    kind: ContactKind,
    contact_id: i64,
    limit: i64,
) -> sqlx::Result<Vec<Touch>> {
    let sql = match kind {
        ContactKind::DecisionMaker => format!(
            "{BASE}where t.team_id = $1 and t.decision_maker_id = $2 order by t.occurred_at desc, t.id desc limit $3"
        ),
        ContactKind::Candidate => format!(
            "{BASE}where t.team_id = $1 and t.candidate_id = $2 order by t.occurred_at desc, t.id desc limit $3"
        ),
    };
    sqlx::query_as(&sql)
        .bind(team_id)
        .bind(contact_id)
        .bind(limit)
        .fetch_all(db)
        .await
}

/// A page of touches of the team for the API, newest first, optionally of one contact.
pub async fn list(
    db: impl PgExecutor<'_>,
    team_id: i64,
    dm: Option<i64>,
    cand: Option<i64>,
    before_id: Option<i64>,
    limit: i64,
) -> sqlx::Result<Vec<Touch>> {
    sqlx::query_as(&format!(
        "{BASE}where t.team_id = $1 and t.deleted_at is null and ($2::bigint is null or t.decision_maker_id = $2) \
         and ($3::bigint is null or t.candidate_id = $3) and ($4::bigint is null or t.id < $4) order by t.id desc limit $5"
    ))
    .bind(team_id)
    .bind(dm)
    .bind(cand)
    .bind(before_id)
    .bind(limit)
    .fetch_all(db)
    .await
}

async fn keep_revision(
    conn: &mut PgConnection,
    team_id: i64,
    id: i64,
    action: &str,
    user_id: i64,
) -> sqlx::Result<()> {
    sqlx::query(
        "insert into touch_revisions (team_id, touch_id, action, previous, revised_by) \
         select team_id, id, $3, to_jsonb(t) - 'team_id', $4 from touches t where t.team_id = $1 and t.id = $2",
    )
    .bind(team_id)
    .bind(id)
    .bind(action)
    .bind(user_id)
    .execute(conn)
    .await
    .map(|_| ())
}

/// Corrects a live touch (the caller checked the author); the old version goes to the trail.
pub async fn correct(
    conn: &mut PgConnection,
    team_id: i64,
    id: i64,
    user_id: i64,
    w: &TouchWrite,
) -> sqlx::Result<bool> {
    keep_revision(conn, team_id, id, "corrected", user_id).await?;
    let r = sqlx::query(
        "update touches set channel = $3, direction = $4, outcome = $5, occurred_at = $6, notes = $7, next_step_on = $8, \
         approach = $9, referrals = $10, referral_names = $11, updated_at = now() \
         where team_id = $1 and id = $2 and deleted_at is null",
    )
    .bind(team_id)
    .bind(id)
    .bind(w.channel)
    .bind(w.direction)
    .bind(w.outcome)
    .bind(w.occurred_at)
    .bind(&w.notes)
    .bind(w.next_step_on)
    .bind(w.approach)
    .bind(w.referrals)
    .bind(&w.referral_names)
    .execute(conn)
    .await?;
    Ok(r.rows_affected() == 1)
}

/// Deletes a live touch (kept, marked deleted, no longer counted).
pub async fn delete(
    conn: &mut PgConnection,
    team_id: i64,
    id: i64,
    user_id: i64,
) -> sqlx::Result<bool> {
    keep_revision(conn, team_id, id, "deleted", user_id).await?;
    let r = sqlx::query("update touches set deleted_at = now(), updated_at = now() where team_id = $1 and id = $2 and deleted_at is null")
        .bind(team_id)
        .bind(id)
        .execute(conn)
        .await?;
    Ok(r.rows_affected() == 1)
}
