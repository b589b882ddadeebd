//! The morning digest's rows: who is owed one now, the claim per user and local date (written
//! before the mail goes out), retries, what Settings shows, and the contacts' company and phone
//! for the mail. Every query that a person's request reaches is team-scoped.

use chrono::{DateTime, NaiveDate, Utc};
use sqlx::{FromRow, PgExecutor};

use crate::domain::cadence::ContactKind;

/// The users owed a digest at `now`: active, not turned off, whose list was built for their local
/// today, whose team's digest hour has passed in their zone, with no claim for that day yet.
pub async fn owed(
    db: impl PgExecutor<'_>,
    now: DateTime<Utc>,
    team_id: Option<i64>,
) -> sqlx::Result<Vec<(i64, i64)>> {
    sqlx::query_as(
        "select u.team_id, u.id from users u \
         join due_lists l on l.user_id = u.id and l.team_id = u.team_id \
         left join team_settings s on s.team_id = u.team_id \
         where u.active and not u.digest_off and ($2::bigint is null or u.team_id = $2) \
           and l.list_date = ($1::timestamptz at time zone u.time_zone)::date \
           and extract(hour from ($1::timestamptz at time zone u.time_zone)) >= coalesce(s.digest_hour, 7) \
           and not exists (select 1 from digest_sends d where d.user_id = u.id and d.local_date = l.list_date) \
         order by u.team_id, u.id",
    )
    .bind(now)
    .bind(team_id)
    .fetch_all(db)
    .await
}

/// The active users of a team (or all) who have not turned the digest off (`send-digests`).
pub async fn opted_in(
    db: impl PgExecutor<'_>,
    team_id: Option<i64>,
) -> sqlx::Result<Vec<(i64, i64)>> {
    sqlx::query_as(
        "select team_id, id from users where active and not digest_off \
         and ($1::bigint is null or team_id = $1) order by team_id, id",
    )
    .bind(team_id)
    .fetch_all(db)
    .await
}

/// What a claim records at first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClaimAs {
    /// The mail is about to go out.
    Sending,
    /// Nothing was due.
    Empty,
    /// Not a working day, or the user is away.
    Skipped,
}

/// Records the user's digest for `date`; None when it was already claimed (by this instance
/// before a restart, or another one): then nothing is sent.
pub async fn claim(
    db: impl PgExecutor<'_>,
    (team_id, user_id): (i64, i64),
    date: NaiveDate,
    first: ClaimAs,
    items: i32,
) -> sqlx::Result<Option<i64>> {
    let status = match first {
        ClaimAs::Sending => "sending",
        ClaimAs::Empty => "empty",
        ClaimAs::Skipped => "skipped",
    };
    sqlx::query_scalar(
        "insert into digest_sends (team_id, user_id, local_date, status, items, attempts) \
         values ($1, $2, $3, $4, $5, case when $4 = 'sending' then 1 else 0 end) \
         on conflict (user_id, local_date) do nothing returning id",
    )
    .bind(team_id)
    .bind(user_id)
    .bind(date)
    .bind(status)
    .bind(items)
    .fetch_optional(db)
    .await
}

/// The mail went out.
pub async fn sent(db: impl PgExecutor<'_>, id: i64, at: DateTime<Utc>) -> sqlx::Result<()> {
    sqlx::query("update digest_sends set status = 'sent', sent_at = $2, last_error = '', next_try_at = null, updated_at = now() where id = $1")
        .bind(id)
        .bind(at)
        .execute(db)
        .await
        .map(|_| ())
}

/// The mail did not go out: tried again at `retry_at`, or never (`None`: refused for good).
pub async fn not_sent(
    db: impl PgExecutor<'_>,
    id: i64,
    error: &str,
    retry_at: Option<DateTime<Utc>>,
) -> sqlx::Result<()> {
    sqlx::query(
        "update digest_sends set status = case when $3::timestamptz is null then 'failed' else 'retry' end, \
         last_error = left($2, 500), next_try_at = $3, updated_at = now() where id = $1",
    )
    .bind(id)
    .bind(error)
    .bind(retry_at)
    .execute(db)
    .await
    .map(|_| ())
}

/// A digest whose retry time has come, taken by this instance (no other one takes it too).
#[derive(Debug, Clone, FromRow)]
pub struct Retry {
    pub id: i64,
    pub team_id: i64,
    pub user_id: i64,
    pub local_date: NaiveDate,
    pub attempts: i32,
}

/// Takes the digests to try again at `now` (status back to `sending`, one attempt more).
pub async fn take_retries(db: impl PgExecutor<'_>, now: DateTime<Utc>) -> sqlx::Result<Vec<Retry>> {
    sqlx::query_as(
        "update digest_sends set status = 'sending', attempts = attempts + 1, updated_at = now() \
         where id in (select id from digest_sends where status = 'retry' and next_try_at <= $1 \
                      order by next_try_at limit 100 for update skip locked) \
         returning id, team_id, user_id, local_date, attempts",
    )
    .bind(now)
    .fetch_all(db)
    .await
}

/// Gives up the retries whose day has ended in their user's zone at `now`.
pub async fn give_up_past(db: impl PgExecutor<'_>, now: DateTime<Utc>) -> sqlx::Result<u64> {
    let r = sqlx::query(
        "update digest_sends d set status = 'given_up', next_try_at = null, updated_at = now() \
         from users u where u.id = d.user_id and d.status = 'retry' \
           and ($1::timestamptz at time zone u.time_zone)::date > d.local_date",
    )
    .bind(now)
    .execute(db)
    .await?;
    Ok(r.rows_affected())
}

/// One digest as Settings lists it.
#[derive(Debug, Clone, FromRow)]
pub struct SendRow {
    pub name: String,
    pub local_date: NaiveDate,
    pub status: String,
    pub attempts: i32,
    pub items: i32,
    pub sent_at: Option<DateTime<Utc>>,
    pub updated_at: DateTime<Utc>,
    pub last_error: String,
}

/// The team's latest digests (those with nothing to send left out), newest first.
pub async fn recent(
    db: impl PgExecutor<'_>,
    team_id: i64,
    limit: i64,
) -> sqlx::Result<Vec<SendRow>> {
    sqlx::query_as(
        "select u.name, d.local_date, d.status, d.attempts, d.items, d.sent_at, d.updated_at, d.last_error \
         from digest_sends d join users u on u.id = d.user_id \
         where d.team_id = $1 and d.status not in ('empty', 'skipped') order by d.id desc limit $2",
    )
    .bind(team_id)
    .bind(limit)
    .fetch_all(db)
    .await
}

/// Whether the user turned the digest off.
pub async fn is_off(db: impl PgExecutor<'_>, team_id: i64, user_id: i64) -> sqlx::Result<bool> {
    sqlx::query_scalar("select digest_off from users where team_id = $1 and id = $2")
        .bind(team_id)
        .bind(user_id)
        .fetch_optional(db)
        .await
        .map(|v| v.unwrap_or(true))
}

/// Turns the user's digest off (or back on).
pub async fn set_off(
    db: impl PgExecutor<'_>,
    team_id: i64,
    user_id: i64,
    off: bool,
) -> sqlx::Result<()> {
    sqlx::query(
        "update users set digest_off = $3, updated_at = now() where team_id = $1 and id = $2",
    )
    .bind(team_id)
    .bind(user_id)
    .bind(off)
    .execute(db)
    .await
    .map(|_| ())
}

/// A contact's company and phone, for the digest's lines.
#[derive(Debug, Clone, FromRow)]
pub struct Card {
    pub contact_kind: ContactKind,
    pub contact_id: i64,
    pub company: Option<String>,
    pub phone: String,
}

/// The company and phone of the given contacts of the team.
pub async fn cards(
    db: impl PgExecutor<'_>,
    team_id: i64,
    dms: &[i64],
    candidates: &[i64],
) -> sqlx::Result<Vec<Card>> {
    sqlx::query_as(
        "select 'decision_maker' as contact_kind, d.id as contact_id, co.name as company, d.phone \
           from decision_makers d left join companies co on co.team_id = d.team_id and co.id = d.company_id \
          where d.team_id = $1 and d.id = any($2) \
         union all \
         select 'candidate', c.id, co.name, c.phone \
           from candidates c left join companies co on co.team_id = c.team_id and co.id = c.company_id \
          where c.team_id = $1 and c.id = any($3)",
    )
    .bind(team_id)
    .bind(dms)
    .bind(candidates)
    .fetch_all(db)
    .await
}
