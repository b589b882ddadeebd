//! Job orders and their status history.

use chrono::{DateTime, Utc};
use sqlx::{FromRow, PgConnection, PgExecutor};

use crate::domain::pipeline::JobStatus;

/// A job order with the names pages show next to it.
#[derive(Debug, Clone, FromRow)]
pub struct Job {
    pub id: i64,
    pub team_id: i64,
    pub company_id: i64,
    pub company_name: String,
    pub decision_maker_id: Option<i64>,
    pub decision_maker_name: Option<String>,
    pub owner_id: i64,
    pub owner_name: String,
    pub title: String,
    pub status: JobStatus,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub applications: i64,
}

/// The writable fields of a job order, validated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JobWrite {
    pub company_id: i64,
    pub decision_maker_id: Option<i64>,
    pub owner_id: i64,
    pub title: String,
    pub status: JobStatus,
}

/// Filters of the jobs list.
#[derive(Debug, Clone, Default)]
pub struct JobFilter {
    pub status: Option<String>,
    pub company_id: Option<i64>,
    pub before_id: Option<i64>,
    pub limit: i64,
}

const BASE: &str = "\
select j.id, j.team_id, j.company_id, co.name as company_name, j.decision_maker_id, d.name as decision_maker_name, \
       j.owner_id, u.name as owner_name, j.title, j.status, j.created_at, j.updated_at, \
       (select count(*) from applications a where a.team_id = j.team_id and a.job_order_id = j.id) as applications \
from job_orders j join companies co on co.id = j.company_id and co.team_id = j.team_id \
join users u on u.id = j.owner_id \
left join decision_makers d on d.id = j.decision_maker_id and d.team_id = j.team_id ";

/// One job order of the team.
pub async fn find(db: impl PgExecutor<'_>, team_id: i64, id: i64) -> sqlx::Result<Option<Job>> {
    sqlx::query_as(&format!("{BASE}where j.team_id = $1 and j.id = $2"))
        .bind(team_id)
        .bind(id)
        .fetch_optional(db)
        .await
}

/// A page of the team's job orders, newest first.
pub async fn list(db: impl PgExecutor<'_>, team_id: i64, f: &JobFilter) -> sqlx::Result<Vec<Job>> {
    sqlx::query_as(&format!(
        "{BASE}where j.team_id = $1 and ($2::text is null or j.status = $2) and ($3::bigint is null or j.company_id = $3) \
         and ($4::bigint is null or j.id < $4) order by j.id desc limit $5"
    ))
    .bind(team_id)
    .bind(f.status.as_deref())
    .bind(f.company_id)
    .bind(f.before_id)
    .bind(f.limit)
    .fetch_all(db)
    .await
}

/// Open job orders (for selects), by title.
pub async fn open_options(
    db: impl PgExecutor<'_>,
    team_id: i64,
) -> sqlx::Result<Vec<(i64, String, String)>> {
    sqlx::query_as(
        "select j.id, j.title, co.name from job_orders j join companies co on co.id = j.company_id and co.team_id = j.team_id \
         where j.team_id = $1 and j.status = 'open' order by lower(j.title), j.id limit 2000",
    )
    .bind(team_id)
    .fetch_all(db)
    .await
}

/// An open job order as the board's filters list it.
#[derive(Debug, Clone, FromRow)]
pub struct OpenJob {
    pub id: i64,
    pub title: String,
    pub company_id: i64,
    pub company_name: String,
}

/// The team's open job orders with their companies, unsorted (the caller sorts: PostgreSQL's
/// `lower()` sort cost more than the query): the board's job and company filters, and the job and
/// company named on each card.
pub async fn open_with_companies(
    db: impl PgExecutor<'_>,
    team_id: i64,
) -> sqlx::Result<Vec<OpenJob>> {
    sqlx::query_as(
        "select j.id, j.title, j.company_id, co.name as company_name \
         from job_orders j join companies co on co.id = j.company_id and co.team_id = j.team_id \
         where j.team_id = $1 and j.status = 'open'",
    )
    .bind(team_id)
    .fetch_all(db)
    .await
}

/// Creates a job order and records its first status.
pub async fn insert(
    conn: &mut PgConnection,
    team_id: i64,
    w: &JobWrite,
    by: i64,
) -> sqlx::Result<i64> {
    let id: i64 = sqlx::query_scalar(
        "insert into job_orders (team_id, company_id, decision_maker_id, owner_id, title, status) \
         values ($1, $2, $3, $4, $5, $6) returning id",
    )
    .bind(team_id)
    .bind(w.company_id)
    .bind(w.decision_maker_id)
    .bind(w.owner_id)
    .bind(&w.title)
    .bind(w.status)
    .fetch_one(&mut *conn)
    .await?;
    record_status(conn, team_id, id, None, w.status, by).await?;
    Ok(id)
}

/// Updates a job order; returns the status it had before (None: not this team's).
pub async fn update(
    conn: &mut PgConnection,
    team_id: i64,
    id: i64,
    w: &JobWrite,
    by: i64,
) -> sqlx::Result<Option<JobStatus>> {
    let before: Option<JobStatus> = sqlx::query_scalar(
        "select status from job_orders where team_id = $1 and id = $2 for update",
    )
    .bind(team_id)
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?;
    let Some(before) = before else {
        return Ok(None);
    };
    sqlx::query(
        "update job_orders set company_id = $3, decision_maker_id = $4, owner_id = $5, title = $6, status = $7, updated_at = now() \
         where team_id = $1 and id = $2",
    )
    .bind(team_id)
    .bind(id)
    .bind(w.company_id)
    .bind(w.decision_maker_id)
    .bind(w.owner_id)
    .bind(&w.title)
    .bind(w.status)
    .execute(&mut *conn)
    .await?;
    if before != w.status {
        record_status(conn, team_id, id, Some(before), w.status, by).await?;
    }
    Ok(Some(before))
}

async fn record_status(
    conn: &mut PgConnection,
    team_id: i64,
    id: i64,
    from: Option<JobStatus>,
    to: JobStatus,
    by: i64,
) -> sqlx::Result<()> {
    sqlx::query("insert into job_status_changes (team_id, job_order_id, from_status, to_status, changed_by, changed_at) values ($1, $2, $3, $4, $5, clock_timestamp())")
        .bind(team_id)
        .bind(id)
        .bind(from)
        .bind(to)
        .bind(by)
        .execute(conn)
        .await
        .map(|_| ())
}

/// The candidates in a job's pipeline (their due states change when the job closes).
pub async fn candidate_ids(
    conn: &mut PgConnection,
    team_id: i64,
    job_id: i64,
) -> sqlx::Result<Vec<i64>> {
    sqlx::query_scalar(
        "select candidate_id from applications where team_id = $1 and job_order_id = $2",
    )
    .bind(team_id)
    .bind(job_id)
    .fetch_all(conn)
    .await
}

/// Makes a DM hot when they give us an open job order (unless a recruiter sets otherwise later).
pub async fn warm_up_dm(conn: &mut PgConnection, team_id: i64, dm_id: i64) -> sqlx::Result<()> {
    sqlx::query("update decision_makers set temperature = 'hot', updated_at = now() where team_id = $1 and id = $2 and temperature <> 'hot'")
        .bind(team_id)
        .bind(dm_id)
        .execute(conn)
        .await
        .map(|_| ())
}
