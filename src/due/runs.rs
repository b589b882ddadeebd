//! The record of rebuild runs: started, progress, finished, interrupted; what Settings shows
//! about the nights, and how old each user's list is.

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use sqlx::{FromRow, PgExecutor};

use crate::db::codes::ZoneName;
pub use crate::db::codes::{RunStatus, RunTrigger};

/// A rebuild run as managers see it.
#[derive(Debug, Clone, FromRow)]
pub struct Run {
    pub id: i64,
    pub trigger: RunTrigger,
    pub as_of: Option<NaiveDate>,
    pub started_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
    pub users_rebuilt: i32,
    pub contacts: i32,
    pub items: i32,
    pub status: RunStatus,
}

/// Opens a run record (committed at once, so managers see it while it runs).
pub async fn start_run(
    db: impl PgExecutor<'_>,
    team_id: i64,
    trigger: RunTrigger,
    as_of: Option<NaiveDate>,
    now: DateTime<Utc>,
) -> sqlx::Result<i64> {
    sqlx::query_scalar(
        "insert into due_runs (team_id, trigger, as_of, started_at) values ($1, $2, $3, $4) returning id",
    )
    .bind(team_id)
    .bind(trigger)
    .bind(as_of)
    .bind(now)
    .fetch_one(db)
    .await
}

/// Adds one rebuilt user's counts to a run (progress while it runs).
pub async fn add_to_run(
    db: impl PgExecutor<'_>,
    run_id: i64,
    contacts: usize,
    items: usize,
) -> sqlx::Result<()> {
    sqlx::query("update due_runs set users_rebuilt = users_rebuilt + 1, contacts = contacts + $2, items = items + $3 where id = $1")
        .bind(run_id)
        .bind(i32::try_from(contacts).unwrap_or(i32::MAX))
        .bind(i32::try_from(items).unwrap_or(i32::MAX))
        .execute(db)
        .await
        .map(|_| ())
}

/// Closes a run as ok, failed, or interrupted (the server stopped between two users).
pub async fn finish_run(
    db: impl PgExecutor<'_>,
    run_id: i64,
    error: Option<&str>,
    interrupted: bool,
    now: DateTime<Utc>,
) -> sqlx::Result<()> {
    sqlx::query(
        "update due_runs set finished_at = $4, error = $2, \
         status = case when $2::text is not null then 'failed' when $3 then 'interrupted' else 'ok' end \
         where id = $1",
    )
    .bind(run_id)
    .bind(error)
    .bind(interrupted)
    .bind(now)
    .execute(db)
    .await
    .map(|_| ())
}

/// When the team's running rebuild started, if one is recorded as running.
pub async fn running_since(
    db: impl PgExecutor<'_>,
    team_id: i64,
) -> sqlx::Result<Option<DateTime<Utc>>> {
    sqlx::query_scalar(
        "select max(started_at) from due_runs where team_id = $1 and status = 'running'",
    )
    .bind(team_id)
    .fetch_one(db)
    .await
}

/// The teams that have a run recorded as running (at start, some may have been left by a
/// process that died).
pub async fn teams_with_running_runs(db: impl PgExecutor<'_>) -> sqlx::Result<Vec<i64>> {
    sqlx::query_scalar(
        "select distinct team_id from due_runs where status = 'running' and team_id is not null",
    )
    .fetch_all(db)
    .await
}

/// Marks a team's running runs interrupted; the caller holds the team's rebuild lock, so none of
/// them is still at work.
pub async fn interrupt_runs(
    db: impl PgExecutor<'_>,
    team_id: i64,
    now: DateTime<Utc>,
) -> sqlx::Result<u64> {
    sqlx::query(
        "update due_runs set status = 'interrupted', finished_at = $2, \
         error = 'the server stopped before the run ended' \
         where team_id = $1 and status = 'running'",
    )
    .bind(team_id)
    .bind(now)
    .execute(db)
    .await
    .map(|r| r.rows_affected())
}

/// What the Settings page says about the nights: when the team's last nightly or catch-up run
/// ended, and how many active users' stored lists are older than their today.
#[derive(Debug, Clone, FromRow)]
pub struct NightState {
    pub last_nightly_end: Option<DateTime<Utc>>,
    pub last_nightly_status: Option<RunStatus>,
}

/// The team's latest finished nightly or catch-up run.
pub async fn night_state(db: impl PgExecutor<'_>, team_id: i64) -> sqlx::Result<NightState> {
    sqlx::query_as(
        "select r.finished_at as last_nightly_end, r.status as last_nightly_status \
         from (select 1) one left join lateral (select finished_at, status from due_runs \
               where team_id = $1 and trigger in ('nightly', 'catch_up') and finished_at is not null \
               order by started_at desc limit 1) r on true",
    )
    .bind(team_id)
    .fetch_one(db)
    .await
}

/// Every active user with the date their stored list was built for (none: never built) and
/// what the nightly task needs to know whether it is behind.
#[derive(Debug, Clone, FromRow)]
pub struct ListAge {
    pub user_id: i64,
    pub team_id: i64,
    #[sqlx(try_from = "ZoneName")]
    pub time_zone: Tz,
    pub nightly_hour: i32,
    pub list_date: Option<NaiveDate>,
}

/// [`ListAge`] of every active user (of one team, or of all).
pub async fn list_ages(
    db: impl PgExecutor<'_>,
    team_id: Option<i64>,
) -> sqlx::Result<Vec<ListAge>> {
    sqlx::query_as(
        "select u.id as user_id, u.team_id, u.time_zone, coalesce(s.nightly_hour, 2) as nightly_hour, l.list_date \
         from users u left join team_settings s on s.team_id = u.team_id \
         left join due_lists l on l.user_id = u.id and l.team_id = u.team_id \
         where u.active and ($1::bigint is null or u.team_id = $1) order by u.team_id, u.id",
    )
    .bind(team_id)
    .fetch_all(db)
    .await
}

/// The team's latest runs, newest first.
pub async fn recent_runs(
    db: impl PgExecutor<'_>,
    team_id: i64,
    limit: i64,
) -> sqlx::Result<Vec<Run>> {
    sqlx::query_as(
        "select id, trigger, as_of, started_at, finished_at, users_rebuilt, contacts, items, status \
         from due_runs where team_id = $1 order by started_at desc, id desc limit $2",
    )
    .bind(team_id)
    .bind(limit)
    .fetch_all(db)
    .await
}
