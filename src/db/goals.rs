//! The two-new-DMs-a-day goal [003]: a DM counts as new on the day of their first connected call.

use chrono::{DateTime, Utc};
use sqlx::{FromRow, PgExecutor};

/// New DMs a user reached since `week_start`, and how many of them since `day_start`.
pub async fn new_dms(
    db: impl PgExecutor<'_>,
    team_id: i64,
    user_id: i64,
    day_start: DateTime<Utc>,
    week_start: DateTime<Utc>,
    end: DateTime<Utc>,
) -> sqlx::Result<(i64, i64)> {
    sqlx::query_as(
        "select count(*) filter (where x.first_at >= $3), count(*) from ( \
           select t.decision_maker_id, min(t.occurred_at) as first_at from touches t \
           where t.team_id = $1 and t.author_id = $2 and t.decision_maker_id is not null and t.channel = 'call' \
             and t.outcome = 'connected' and t.deleted_at is null and t.occurred_at >= $4 and t.occurred_at < $5 \
           group by t.decision_maker_id) x \
         where not exists (select 1 from touches p where p.team_id = $1 and p.decision_maker_id = x.decision_maker_id \
             and p.channel = 'call' and p.outcome = 'connected' and p.deleted_at is null and p.occurred_at < x.first_at)",
    )
    .bind(team_id)
    .bind(user_id)
    .bind(day_start)
    .bind(week_start)
    .bind(end)
    .fetch_one(db)
    .await
}

/// A DM nobody has tried yet: the pool for the goal.
#[derive(Debug, Clone, FromRow)]
pub struct FreshDm {
    pub id: i64,
    pub name: String,
    pub title: String,
    pub company_name: Option<String>,
    pub phone: String,
}

/// A few of the user's never-attempted DMs, oldest first. "Never attempted" is "no row in
/// `dm_first_attempts`" (kept by a trigger on touches), an index probe per DM; the scan stops at
/// the fifth, so Today pays well under a millisecond for it.
pub async fn fresh_dms(
    db: impl PgExecutor<'_>,
    team_id: i64,
    user_id: i64,
    limit: i64,
) -> sqlx::Result<Vec<FreshDm>> {
    sqlx::query_as(
        "select d.id, d.name, d.title, co.name as company_name, d.phone from decision_makers d \
         left join companies co on co.team_id = d.team_id and co.id = d.company_id \
         where d.team_id = $1 and d.owner_id = $2 and d.archived_at is null and not d.do_not_contact \
           and not exists (select 1 from dm_first_attempts f where f.team_id = $1 and f.decision_maker_id = d.id) \
         order by d.id limit $3",
    )
    .bind(team_id)
    .bind(user_id)
    .bind(limit)
    .fetch_all(db)
    .await
}
