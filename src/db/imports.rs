//! Import jobs (`imports`): the file between preview and run, the progress, the result.

use chrono::{DateTime, Utc};
use sqlx::{FromRow, PgExecutor};

/// One import as its pages show it.
#[derive(Debug, Clone, FromRow)]
pub struct Import {
    pub id: i64,
    pub team_id: i64,
    pub user_id: i64,
    pub owner_id: i64,
    pub kind: String,
    pub on_duplicate: String,
    pub file_name: String,
    pub body: Option<Vec<u8>>,
    pub mapping: Vec<String>,
    pub status: String,
    pub total_rows: i32,
    pub processed_rows: i32,
    pub created: i32,
    pub updated: i32,
    pub duplicates: i32,
    pub suppressed: i32,
    pub invalid: i32,
    pub created_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
}

const COLUMNS: &str = "id, team_id, user_id, owner_id, kind, on_duplicate, file_name, body, mapping, status, total_rows, \
    processed_rows, created, updated, duplicates, suppressed, invalid, created_at, finished_at";

/// What a new import holds.
pub struct NewImport<'a> {
    pub user_id: i64,
    pub owner_id: i64,
    pub kind: &'a str,
    pub on_duplicate: &'a str,
    pub file_name: &'a str,
    pub body: &'a [u8],
}

pub async fn insert(db: impl PgExecutor<'_>, team_id: i64, n: &NewImport<'_>) -> sqlx::Result<i64> {
    sqlx::query_scalar(
        "insert into imports (team_id, user_id, owner_id, kind, on_duplicate, file_name, body) \
         values ($1, $2, $3, $4, $5, $6, $7) returning id",
    )
    .bind(team_id)
    .bind(n.user_id)
    .bind(n.owner_id)
    .bind(n.kind)
    .bind(n.on_duplicate)
    .bind(n.file_name)
    .bind(n.body)
    .fetch_one(db)
    .await
}

/// An import of the team made by `user_id` (a manager: by anyone of the team).
pub async fn find(
    db: impl PgExecutor<'_>,
    team_id: i64,
    id: i64,
    user_id: Option<i64>,
) -> sqlx::Result<Option<Import>> {
    sqlx::query_as(&format!(
        "select {COLUMNS} from imports where team_id = $1 and id = $2 and ($3::bigint is null or user_id = $3)"
    ))
    .bind(team_id)
    .bind(id)
    .bind(user_id)
    .fetch_optional(db)
    .await
}

/// Saves the mapping chosen on the preview (only while it is a preview).
pub async fn set_mapping(db: impl PgExecutor<'_>, id: i64, mapping: &[&str]) -> sqlx::Result<bool> {
    Ok(
        sqlx::query("update imports set mapping = $2 where id = $1 and status = 'previewed'")
            .bind(id)
            .bind(mapping)
            .execute(db)
            .await?
            .rows_affected()
            == 1,
    )
}

/// Moves a preview to running; false when it is not a preview any more (a second click).
pub async fn start(db: impl PgExecutor<'_>, id: i64, total: i32) -> sqlx::Result<bool> {
    Ok(sqlx::query(
        "update imports set status = 'running', total_rows = $2, processed_rows = 0 where id = $1 and status = 'previewed'",
    )
    .bind(id)
    .bind(total)
    .execute(db)
    .await?
    .rows_affected()
        == 1)
}

pub async fn set_progress(db: impl PgExecutor<'_>, id: i64, done: usize) -> sqlx::Result<()> {
    sqlx::query("update imports set processed_rows = $2 where id = $1")
        .bind(id)
        .bind(i32::try_from(done).unwrap_or(i32::MAX))
        .execute(db)
        .await
        .map(|_| ())
}

/// The result of a run: counts, the left-out rows' CSV; the file itself is dropped.
pub struct Finished<'a> {
    pub created: u64,
    pub updated: u64,
    pub duplicates: usize,
    pub suppressed: usize,
    pub invalid: usize,
    pub left_out: &'a [u8],
}

fn int<T: TryInto<i32>>(n: T) -> i32 {
    n.try_into().unwrap_or(i32::MAX)
}

pub async fn finish(
    db: impl PgExecutor<'_>,
    id: i64,
    f: &Finished<'_>,
    now: DateTime<Utc>,
) -> sqlx::Result<()> {
    sqlx::query(
        "update imports set status = 'done', processed_rows = total_rows, created = $2, updated = $3, duplicates = $4, \
         suppressed = $5, invalid = $6, left_out = $7, body = null, finished_at = $8 where id = $1",
    )
    .bind(id)
    .bind(int(f.created))
    .bind(int(f.updated))
    .bind(int(f.duplicates))
    .bind(int(f.suppressed))
    .bind(int(f.invalid))
    .bind(f.left_out)
    .bind(now)
    .execute(db)
    .await
    .map(|_| ())
}

/// A run that failed: nothing was written; the file is dropped.
pub async fn fail(db: impl PgExecutor<'_>, id: i64, now: DateTime<Utc>) -> sqlx::Result<()> {
    sqlx::query("update imports set status = 'failed', body = null, finished_at = $2 where id = $1")
        .bind(id)
        .bind(now)
        .execute(db)
        .await
        .map(|_| ())
}

/// The CSV of the rows a run left out.
pub async fn left_out(
    db: impl PgExecutor<'_>,
    team_id: i64,
    id: i64,
) -> sqlx::Result<Option<Vec<u8>>> {
    sqlx::query_scalar("select left_out from imports where team_id = $1 and id = $2")
        .bind(team_id)
        .bind(id)
        .fetch_optional(db)
        .await
        .map(Option::flatten)
}
