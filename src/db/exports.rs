//! The rows of the CSV exports: touches with their contact and author, in a date range.

use chrono::{DateTime, NaiveDate, Utc};
use sqlx::{FromRow, PgExecutor};

/// One touch as the touches CSV writes it.
#[derive(Debug, Clone, FromRow)]
pub struct TouchRow {
    pub id: i64,
    pub occurred_at: DateTime<Utc>,
    pub contact_kind: String,
    pub contact_id: i64,
    pub contact_name: String,
    pub company_name: Option<String>,
    pub author_id: i64,
    pub author_name: String,
    pub channel: String,
    pub direction: String,
    pub outcome: String,
    pub notes: String,
    pub next_step_on: Option<NaiveDate>,
    pub approach: String,
    pub referrals: i32,
    pub referral_names: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// The team's touches (not deleted) in `[from, until)`, oldest first; with `user_id`, only those
/// the user logged or that are on the user's own contacts.
pub async fn touches(
    db: impl PgExecutor<'_>,
    team_id: i64,
    user_id: Option<i64>,
    (from, until): (DateTime<Utc>, DateTime<Utc>),
) -> sqlx::Result<Vec<TouchRow>> {
    sqlx::query_as(
        "select t.id, t.occurred_at, \
                case when t.decision_maker_id is not null then 'decision_maker' else 'candidate' end as contact_kind, \
                coalesce(t.decision_maker_id, t.candidate_id) as contact_id, c.name as contact_name, co.name as company_name, \
                t.author_id, u.name as author_name, t.channel, t.direction, t.outcome, t.notes, t.next_step_on, \
                t.approach, t.referrals, t.referral_names, t.created_at, t.updated_at \
         from touches t \
         join users u on u.id = t.author_id \
         join lateral (select d.name, d.company_id, d.owner_id from decision_makers d \
                        where d.team_id = t.team_id and d.id = t.decision_maker_id \
                       union all \
                       select k.name, k.company_id, k.owner_id from candidates k \
                        where k.team_id = t.team_id and k.id = t.candidate_id) c on true \
         left join companies co on co.team_id = t.team_id and co.id = c.company_id \
         where t.team_id = $1 and t.deleted_at is null and t.occurred_at >= $2 and t.occurred_at < $3 \
           and ($4::bigint is null or t.author_id = $4 or c.owner_id = $4) \
         order by t.occurred_at, t.id",
    )
    .bind(team_id)
    .bind(from)
    .bind(until)
    .bind(user_id)
    .fetch_all(db)
    .await
}
