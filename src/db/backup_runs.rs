//! The record of the nightly backups (`backup_runs`): started, finished, the file and its size,
//! or the error. Instance-wide, not team-scoped: one backup holds every team.

use chrono::{DateTime, Utc};
use sqlx::{FromRow, PgExecutor};

pub use crate::db::codes::RunStatus;

/// A backup run as Settings and the doctor see it.
#[derive(Debug, Clone, FromRow)]
pub struct BackupRun {
    pub id: i64,
    pub started_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
    pub status: RunStatus,
    pub file: String,
    pub size_bytes: Option<i64>,
    pub error: Option<String>,
}

/// Opens a run record (committed at once).
pub async fn start_run(
    db: impl PgExecutor<'_>,
    file: &str,
    now: DateTime<Utc>,
) -> sqlx::Result<i64> {
    sqlx::query_scalar("insert into backup_runs (started_at, file) values ($1, $2) returning id")
        .bind(now)
        .bind(file)
        .fetch_one(db)
        .await
}

/// Closes a run: ok with the file's size, or failed with the error.
pub async fn finish_run(
    db: impl PgExecutor<'_>,
    run_id: i64,
    outcome: Result<u64, &str>,
    now: DateTime<Utc>,
) -> sqlx::Result<()> {
    let (status, size, error) = match outcome {
        Ok(size) => (RunStatus::Ok, i64::try_from(size).ok(), None),
        Err(e) => (RunStatus::Failed, None, Some(e)),
    };
    sqlx::query(
        "update backup_runs set finished_at = $2, status = $3, size_bytes = $4, error = $5 where id = $1",
    )
    .bind(run_id)
    .bind(now)
    .bind(status)
    .bind(size)
    .bind(error)
    .execute(db)
    .await
    .map(|_| ())
}

/// Marks the runs left `running` as interrupted; the caller holds the backup lock, so none of
/// them is still at work.
pub async fn interrupt_runs(db: impl PgExecutor<'_>, now: DateTime<Utc>) -> sqlx::Result<u64> {
    sqlx::query(
        "update backup_runs set status = 'interrupted', finished_at = $1, \
         error = 'the server stopped before the backup ended' where status = 'running'",
    )
    .bind(now)
    .execute(db)
    .await
    .map(|r| r.rows_affected())
}

/// Whether a run started at or after `since` (the start of today: at most one a day).
pub async fn started_since(db: impl PgExecutor<'_>, since: DateTime<Utc>) -> sqlx::Result<bool> {
    sqlx::query_scalar("select exists(select 1 from backup_runs where started_at >= $1)")
        .bind(since)
        .fetch_one(db)
        .await
}

/// The latest run, if any.
pub async fn last_run(db: impl PgExecutor<'_>) -> sqlx::Result<Option<BackupRun>> {
    sqlx::query_as(
        "select id, started_at, finished_at, status, file, size_bytes, error from backup_runs \
         order by started_at desc, id desc limit 1",
    )
    .fetch_optional(db)
    .await
}

/// The latest run that ended well, if any.
pub async fn last_good_run(db: impl PgExecutor<'_>) -> sqlx::Result<Option<BackupRun>> {
    sqlx::query_as(
        "select id, started_at, finished_at, status, file, size_bytes, error from backup_runs \
         where status = 'ok' order by started_at desc, id desc limit 1",
    )
    .fetch_optional(db)
    .await
}
