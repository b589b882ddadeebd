//! Applications (a candidate in a job's pipeline), their stage moves with a version check, and
//! the history of every move.

use chrono::{DateTime, Utc};
use sqlx::{FromRow, PgConnection, PgExecutor};

use crate::domain::cadence::Reason;
use crate::domain::pipeline::{JobStatus, Stage};

/// An application with the names the board and pages show.
#[derive(Debug, Clone, FromRow)]
pub struct Application {
    pub id: i64,
    pub job_order_id: i64,
    pub job_title: String,
    pub job_status: JobStatus,
    pub company_id: i64,
    pub company_name: String,
    pub candidate_id: i64,
    pub candidate_name: String,
    pub owner_id: i64,
    pub owner_name: String,
    pub stage: Stage,
    pub version: i32,
    pub stage_changed_at: DateTime<Utc>,
    pub created_at: DateTime<Utc>,
    pub due_reason: Option<Reason>,
}

/// One stage move as kept.
#[derive(Debug, Clone, FromRow)]
pub struct StageChange {
    pub application_id: i64,
    pub from_stage: Option<Stage>,
    pub to_stage: Stage,
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

/// A card of the board: an application of an open job, with its candidate. The job's title and
/// company and the owner's name are not joined here: the board has them already (the job and
/// owner filters list them), and each join cost a probe per card.
#[derive(Debug, Clone, FromRow)]
pub struct BoardCard {
    pub id: i64,
    pub version: i32,
    pub stage: Stage,
    pub stage_changed_at: DateTime<Utc>,
    pub candidate_id: i64,
    pub candidate_name: String,
    pub owner_id: i64,
    pub job_order_id: i64,
    pub due_reason: Option<Reason>,
}

/// What the board shows: each stage's number of applications of open jobs, and the cards asked
/// for (never more than each column shows, so a big pipeline costs no more than a small one).
#[derive(Debug, Clone, Default)]
pub struct Board {
    pub counts: Vec<(Stage, i64)>,
    pub cards: Vec<BoardCard>,
}

/// The filter clauses, and the bind order they expect after `$1` (team) and any fixed parameters.
/// Only the filters in use are in the SQL: the board's queries run on a generic plan (see
/// [`crate::db::hot`]), which cannot drop an unused `$n is null or …` test as a custom plan does.
fn board_filter_sql(f: &BoardFilter, first: usize) -> (String, Vec<i64>) {
    let mut sql = String::new();
    let mut values = Vec::new();
    let mut n = first;
    let mut add = |value: Option<i64>, clause: &str| {
        if let Some(v) = value {
            sql.push_str(&clause.replace("$n", &format!("${n}")));
            values.push(v);
            n += 1;
        }
    };
    add(f.job_id, " and a.job_order_id = $n");
    add(f.company_id, " and j.company_id = $n");
    add(
        f.owner_id,
        " and exists (select 1 from candidates o where o.team_id = a.team_id and o.id = a.candidate_id and o.owner_id = $n)",
    );
    (sql, values)
}

/// The board of open jobs: how many applications each stage holds, and for each `(stage, limit)`
/// in `columns` the first `limit` cards of that stage, oldest in stage first (each column is a
/// walk of `applications_board_idx` that stops at its limit). Run it on [`crate::db::hot`].
pub async fn board(
    conn: &mut PgConnection,
    team_id: i64,
    f: &BoardFilter,
    columns: &[(Stage, i64)],
) -> sqlx::Result<Board> {
    let (filter, values) = board_filter_sql(f, 4);
    let cards_sql = format!(
        "select p.* from unnest($2::text[], $3::int8[]) as s(stage, n) \
         cross join lateral ( \
           select a.id, a.version, a.stage, a.stage_changed_at, a.candidate_id, c.name as candidate_name, \
                  c.owner_id, a.job_order_id, di.reason as due_reason \
           from applications a \
           join job_orders j on j.id = a.job_order_id and j.team_id = a.team_id \
           join candidates c on c.id = a.candidate_id and c.team_id = a.team_id \
           left join due_items di on di.team_id = a.team_id and di.contact_kind = 'candidate' and di.contact_id = a.candidate_id \
           where a.team_id = $1 and a.stage = s.stage and j.status = 'open'{filter} \
           order by a.stage_changed_at, a.id limit s.n) p"
    );
    // A count per stage (an index-only walk each, with the open jobs remembered) costs half of
    // one hash join and grouping over all of them.
    let (count_filter, _) = board_filter_sql(f, 3);
    let counts_sql = format!(
        "select s.stage, (select count(*) from applications a \
           join job_orders j on j.id = a.job_order_id and j.team_id = a.team_id \
           where a.team_id = $1 and a.stage = s.stage and j.status = 'open'{count_filter}) \
         from unnest($2::text[]) as s(stage)"
    );
    let (stages, limits): (Vec<Stage>, Vec<i64>) = columns.iter().copied().unzip();
    let mut cards = sqlx::query_as(&cards_sql)
        .bind(team_id)
        .bind(stages)
        .bind(limits);
    let mut counts = sqlx::query_as(&counts_sql)
        .bind(team_id)
        .bind(Stage::ALL.to_vec());
    for v in &values {
        cards = cards.bind(*v);
        counts = counts.bind(*v);
    }
    Ok(Board {
        cards: cards.fetch_all(&mut *conn).await?,
        counts: counts.fetch_all(&mut *conn).await?,
    })
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
    stage: Stage,
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
    /// Moved; the stage it left and the new version.
    Done {
        candidate_id: i64,
        from: Stage,
        version: i32,
    },
    /// The move was based on an older version; the current stage and version.
    Stale {
        candidate_name: String,
        stage: Stage,
        version: i32,
    },
    /// Already in that stage; nothing to do.
    Unchanged {
        candidate_id: i64,
        version: i32,
    },
    NotFound,
}

/// Moves an application if `expected_version` (when given) is still current, in two statements:
/// the row is locked and read (with the candidate's name, for a refusal's message), then updated
/// and its history row written together.
pub async fn move_stage(
    conn: &mut PgConnection,
    team_id: i64,
    id: i64,
    to: Stage,
    expected_version: Option<i32>,
    by: i64,
) -> sqlx::Result<Moved> {
    let current: Option<(Stage, i32, i64, String)> = sqlx::query_as(
        "select a.stage, a.version, a.candidate_id, c.name from applications a \
         join candidates c on c.id = a.candidate_id and c.team_id = a.team_id \
         where a.team_id = $1 and a.id = $2 for update of a",
    )
    .bind(team_id)
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?;
    let Some((stage, version, candidate_id, candidate_name)) = current else {
        return Ok(Moved::NotFound);
    };
    if expected_version.is_some_and(|v| v != version) {
        return Ok(Moved::Stale {
            candidate_name,
            stage,
            version,
        });
    }
    if stage == to {
        return Ok(Moved::Unchanged {
            candidate_id,
            version,
        });
    }
    let version: i32 = sqlx::query_scalar(
        "with moved as ( \
           update applications set stage = $3, version = version + 1, stage_changed_at = clock_timestamp(), updated_at = now() \
           where team_id = $1 and id = $2 returning version), \
         logged as ( \
           insert into application_stage_changes (team_id, application_id, from_stage, to_stage, changed_by, changed_at) \
           select $1, $2, $4, $3, $5, clock_timestamp() from moved) \
         select version from moved",
    )
    .bind(team_id)
    .bind(id)
    .bind(to)
    .bind(stage)
    .bind(by)
    .fetch_one(&mut *conn)
    .await?;
    Ok(Moved::Done {
        candidate_id,
        from: stage,
        version,
    })
}

async fn record(
    conn: &mut PgConnection,
    team_id: i64,
    id: i64,
    from: Option<Stage>,
    to: Stage,
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
