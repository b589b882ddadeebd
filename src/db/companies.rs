//! Companies and their news events.

use chrono::{DateTime, NaiveDate, Utc};
use sqlx::{FromRow, PgConnection, PgExecutor};

use crate::domain::cadence::EventKind;

/// A company with how many active contacts it has.
#[derive(Debug, Clone, FromRow)]
pub struct Company {
    pub id: i64,
    pub name: String,
    pub website: String,
    pub notes: String,
    pub created_at: DateTime<Utc>,
    pub contacts: i64,
}

/// A logged piece of company news.
#[derive(Debug, Clone, FromRow)]
pub struct Event {
    pub id: i64,
    pub company_id: i64,
    pub kind: EventKind,
    pub summary: String,
    pub occurred_on: NaiveDate,
    pub logged_at: DateTime<Utc>,
    pub logged_by_name: Option<String>,
}

const BASE: &str = "\
select co.id, co.name, co.website, co.notes, co.created_at, \
       (select count(*) from decision_makers d where d.team_id = co.team_id and d.company_id = co.id and d.archived_at is null) \
     + (select count(*) from candidates c where c.team_id = co.team_id and c.company_id = co.id and c.archived_at is null) as contacts \
from companies co ";

/// One company of the team.
pub async fn find(db: impl PgExecutor<'_>, team_id: i64, id: i64) -> sqlx::Result<Option<Company>> {
    sqlx::query_as(&format!("{BASE}where co.team_id = $1 and co.id = $2"))
        .bind(team_id)
        .bind(id)
        .fetch_optional(db)
        .await
}

/// A page of the team's companies by name, optionally matching `query`, after a keyset cursor.
pub async fn list(
    db: impl PgExecutor<'_>,
    team_id: i64,
    query: Option<&str>,
    after: Option<(String, i64)>,
    limit: i64,
) -> sqlx::Result<Vec<Company>> {
    let pattern = query.map(|q| {
        format!(
            "%{}%",
            q.replace('\\', "\\\\")
                .replace('%', "\\%")
                .replace('_', "\\_")
        )
    });
    let (an, ai) = after.map_or((None, None), |(n, i)| (Some(n), Some(i)));
    sqlx::query_as(&format!(
        "{BASE}where co.team_id = $1 and ($2::text is null or co.name ilike $2) \
         and ($3::text is null or (lower(co.name), co.id) > (lower($3), $4)) order by lower(co.name), co.id limit $5"
    ))
    .bind(team_id)
    .bind(pattern)
    .bind(an)
    .bind(ai)
    .bind(limit)
    .fetch_all(db)
    .await
}

/// All company names of the team, for the selects of the contact forms.
pub async fn options(db: impl PgExecutor<'_>, team_id: i64) -> sqlx::Result<Vec<(i64, String)>> {
    sqlx::query_as(
        "select id, name from companies where team_id = $1 order by lower(name), id limit 5000",
    )
    .bind(team_id)
    .fetch_all(db)
    .await
}

/// Creates a company.
pub async fn insert(
    db: impl PgExecutor<'_>,
    team_id: i64,
    name: &str,
    website: &str,
    notes: &str,
) -> sqlx::Result<i64> {
    sqlx::query_scalar("insert into companies (team_id, name, website, notes) values ($1, $2, $3, $4) returning id")
        .bind(team_id)
        .bind(name)
        .bind(website)
        .bind(notes)
        .fetch_one(db)
        .await
}

/// Updates a company; false when it is not this team's.
pub async fn update(
    db: impl PgExecutor<'_>,
    team_id: i64,
    id: i64,
    name: &str,
    website: &str,
    notes: &str,
) -> sqlx::Result<bool> {
    let r = sqlx::query("update companies set name = $3, website = $4, notes = $5, updated_at = now() where team_id = $1 and id = $2")
        .bind(team_id)
        .bind(id)
        .bind(name)
        .bind(website)
        .bind(notes)
        .execute(db)
        .await?;
    Ok(r.rows_affected() == 1)
}

/// Whether a company id belongs to the team.
pub async fn exists(db: impl PgExecutor<'_>, team_id: i64, id: i64) -> sqlx::Result<bool> {
    sqlx::query_scalar("select exists(select 1 from companies where team_id = $1 and id = $2)")
        .bind(team_id)
        .bind(id)
        .fetch_one(db)
        .await
}

/// Logs an event; returns it.
pub async fn insert_event(
    conn: &mut PgConnection,
    team_id: i64,
    company_id: i64,
    kind: EventKind,
    summary: &str,
    occurred_on: NaiveDate,
    user_id: i64,
) -> sqlx::Result<Event> {
    sqlx::query_as(
        "with e as (insert into company_events (team_id, company_id, kind, summary, occurred_on, logged_by) \
                    values ($1, $2, $3, $4, $5, $6) returning *) \
         select e.id, e.company_id, e.kind, e.summary, e.occurred_on, e.logged_at, u.name as logged_by_name \
         from e left join users u on u.id = e.logged_by",
    )
    .bind(team_id)
    .bind(company_id)
    .bind(kind)
    .bind(summary)
    .bind(occurred_on)
    .bind(user_id)
    .fetch_one(conn)
    .await
}

/// A company's events, newest first.
pub async fn events(
    db: impl PgExecutor<'_>,
    team_id: i64,
    company_id: i64,
) -> sqlx::Result<Vec<Event>> {
    sqlx::query_as(
        "select e.id, e.company_id, e.kind, e.summary, e.occurred_on, e.logged_at, u.name as logged_by_name \
         from company_events e left join users u on u.id = e.logged_by \
         where e.team_id = $1 and e.company_id = $2 order by e.logged_at desc, e.id desc limit 200",
    )
    .bind(team_id)
    .bind(company_id)
    .fetch_all(db)
    .await
}
