//! Applications (a candidate in a job's pipeline), their stage moves with a version check, and
//! the history of every move.

use chrono::{DateTime, Utc};
use sqlx::{FromRow, PgConnection, PgExecutor};

/// An application with the names the board and pages show.
#[derive(Debug, Clone, FromRow)]
pub struct Application {
    pub id: i64,
    pub job_order_id: i64,
    pub job_title: String,
    pub job_status: String,
    pub company_id: i64,
    pub company_name: String,
    pub candidate_id: i64,
    pub candidate_name: String,
    pub owner_id: i64,
    pub owner_name: String,
    pub stage: String,
    pub version: i32,
    pub stage_changed_at: DateTime<Utc>,
    pub created_at: DateTime<Utc>,
    pub due_reason: Option<String>,
}

/// One stage move as kept.
#[derive(Debug, Clone, FromRow)]
pub struct StageChange {
    pub application_id: i64,
    pub from_stage: Option<String>,
    pub to_stage: String,
    pub changed_by: Option<i64>,
    pub changed_by_name: Option<String>,
    pub changed_at: DateTime<Utc>,
}

/// Filters of the board (all optional).
#[derive(Debug, Clone, Default)]
pub struct BoardFilter {
    pub job_id: Option<i64>,
    pub company_id: Option<i64>,
    pub owner_id: Option<i64>,
}

const BASE: &str = "\
select a.id, a.job_order_id, j.title as job_title, j.status as job_status, j.company_id, co.name as company_name, \
       a.candidate_id, c.name as candidate_name, c.owner_id, u.name as owner_name, a.stage, a.version, a.stage_changed_at, \
       a.created_at, di.reason as due_reason \
from applications a \
join job_orders j on j.id = a.job_order_id and j.team_id = a.team_id \
join companies co on co.id = j.company_id and co.team_id = a.team_id \
join candidates c on c.id = a.candidate_id and c.team_id = a.team_id \
join users u on u.id = c.owner_id \
left join due_items di on di.team_id = a.team_id and di.contact_kind = 'candidate' and di.contact_id = a.candidate_id ";

/// One application of the team.
pub async fn find(
    db: impl PgExecutor<'_>,
    team_id: i64,
    id: i64,
) -> sqlx::Result<Option<Application>> {
    sqlx::query_as(&format!("{BASE}where a.team_id = $1 and a.id = $2"))
        .bind(team_id)
        .bind(id)
        .fetch_optional(db)
        .await
}

/// The applications of open jobs, for the board, in stage then age order.
pub async fn board(
    db: impl PgExecutor<'_>,
    team_id: i64,
    f: &BoardFilter,
) -> sqlx::Result<Vec<Application>> {
    sqlx::query_as(&format!(
        "{BASE}where a.team_id = $1 and j.status = 'open' and ($2::bigint is null or a.job_order_id = $2) \
         and ($3::bigint is null or j.company_id = $3) and ($4::bigint is null or c.owner_id = $4) \
         order by a.stage_changed_at, a.id"
    ))
    .bind(team_id)
    .bind(f.job_id)
    .bind(f.company_id)
    .bind(f.owner_id)
    .fetch_all(db)
    .await
}

/// A job's applications, or a candidate's.
pub async fn for_job_or_candidate(
    db: impl PgExecutor<'_>,
    team_id: i64,
    job_id: Option<i64>,
    candidate_id: Option<i64>,
) -> sqlx::Result<Vec<Application>> {
    sqlx::query_as(&format!(
        "{BASE}where a.team_id = $1 and ($2::bigint is null or a.job_order_id = $2) and ($3::bigint is null or a.candidate_id = $3) \
         order by a.created_at desc, a.id desc"
    ))
    .bind(team_id)
    .bind(job_id)
    .bind(candidate_id)
    .fetch_all(db)
    .await
}

/// Adds a candidate to a job; a second add is the `applications_job_candidate_key` violation.
pub async fn insert(
    conn: &mut PgConnection,
    team_id: i64,
    job_id: i64,
    candidate_id: i64,
    stage: &str,
    by: i64,
) -> sqlx::Result<i64> {
    let id: i64 = sqlx::query_scalar(
        "insert into applications (team_id, job_order_id, candidate_id, stage, created_by) values ($1, $2, $3, $4, $5) returning id",
    )
    .bind(team_id)
    .bind(job_id)
    .bind(candidate_id)
    .bind(stage)
    .bind(by)
    .fetch_one(&mut *conn)
    .await?;
    record(conn, team_id, id, None, stage, by).await?;
    Ok(id)
}

/// The outcome of a move.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Moved {
    /// Moved; the new version.
    Done {
        from: String,
        version: i32,
    },
    /// The move was based on an older version; the current stage and version.
    Stale {
        stage: String,
        version: i32,
    },
    /// Already in that stage; nothing to do.
    Unchanged,
    NotFound,
}

/// Moves an application if `expected_version` (when given) is still current.
pub async fn move_stage(
    conn: &mut PgConnection,
    team_id: i64,
    id: i64,
    to: &str,
    expected_version: Option<i32>,
    by: i64,
) -> sqlx::Result<Moved> {
    let current: Option<(String, i32)> = sqlx::query_as(
        "select stage, version from applications where team_id = $1 and id = $2 for update",
    )
    .bind(team_id)
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?;
    let Some((stage, version)) = current else {
        return Ok(Moved::NotFound);
    };
    if expected_version.is_some_and(|v| v != version) {
        return Ok(Moved::Stale { stage, version });
    }
    if stage == to {
        return Ok(Moved::Unchanged);
    }
    let version: i32 = sqlx::query_scalar(
        "update applications set stage = $3, version = version + 1, stage_changed_at = clock_timestamp(), updated_at = now() \
         where team_id = $1 and id = $2 returning version",
    )
    .bind(team_id)
    .bind(id)
    .bind(to)
    .fetch_one(&mut *conn)
    .await?;
    record(conn, team_id, id, Some(&stage), to, by).await?;
    Ok(Moved::Done {
        from: stage,
        version,
    })
}

async fn record(
    conn: &mut PgConnection,
    team_id: i64,
    id: i64,
    from: Option<&str>,
    to: &str,
    by: i64,
) -> sqlx::Result<()> {
    sqlx::query("insert into application_stage_changes (team_id, application_id, from_stage, to_stage, changed_by, changed_at) values ($1, $2, $3, $4, $5, clock_timestamp())")
        .bind(team_id)
        .bind(id)
        .bind(from)
        .bind(to)
        .bind(by)
        .execute(conn)
        .await
        .map(|_| ())
}

/// The stage history of some applications, oldest first.
pub async fn history(
    db: impl PgExecutor<'_>,
    team_id: i64,
    ids: &[i64],
) -> sqlx::Result<Vec<StageChange>> {
    sqlx::query_as(
        "select s.application_id, s.from_stage, s.to_stage, s.changed_by, u.name as changed_by_name, s.changed_at \
         from application_stage_changes s left join users u on u.id = s.changed_by \
         where s.team_id = $1 and s.application_id = any($2) order by s.changed_at, s.id",
    )
    .bind(team_id)
    .bind(ids)
    .fetch_all(db)
    .await
}
