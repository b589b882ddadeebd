//! Reading a stored list: the date it was built for, a page of its items with what Today and the
//! API show of each contact, and the counts by reason.

use chrono::{DateTime, NaiveDate, Utc};
use sqlx::{FromRow, PgConnection, PgExecutor, Row};

use crate::db::touches::Touch;
use crate::domain::cadence::{Approach, Channel, ContactKind, Reason, Temperature};

/// The date a user's stored list was built for, and when.
pub async fn list_state(
    db: impl PgExecutor<'_>,
    team_id: i64,
    user_id: i64,
) -> sqlx::Result<Option<(NaiveDate, DateTime<Utc>)>> {
    sqlx::query_as("select list_date, built_at from due_lists where team_id = $1 and user_id = $2")
        .bind(team_id)
        .bind(user_id)
        .fetch_optional(db)
        .await
}

/// One line of a stored list, with what the Today page and the API show of its contact.
#[derive(Debug, Clone, FromRow)]
pub struct ListedItem {
    /// Whose list the item is on (the coverer's own, or an absent teammate's).
    pub user_id: i64,
    pub contact_kind: ContactKind,
    pub contact_id: i64,
    pub name: String,
    pub title: String,
    pub company_id: Option<i64>,
    pub company_name: Option<String>,
    pub email: String,
    pub phone: String,
    pub email_opt_out: bool,
    pub temperature: Option<Temperature>,
    pub talking_points: String,
    pub reason: Reason,
    pub due_on: NaiveDate,
    pub suggested_channel: Channel,
    pub suggested_approach: Option<Approach>,
    pub strike: Option<i16>,
    pub script_hint: String,
    pub why: String,
    pub list_date: NaiveDate,
    pub built_at: DateTime<Utc>,
}

// The page of items is cut first (an index scan in list order), and only its rows are joined to
// their contacts, so a long list costs no more than a short one. A coverer's list (`covered` not
// empty) reads the absent teammates' stored lists too: within a reason, the coverer's own items
// come first, then each absent teammate's in turn.
fn listed_sql(covering: bool) -> String {
    let (whose, order, outer) = if covering {
        (
            "user_id = any($6)",
            "reason_rank, (user_id <> $2), user_id, due_on, temperature_rank, contact_kind, contact_id",
            "i.reason_rank, (i.user_id <> $2), i.user_id, i.due_on, i.temperature_rank, i.contact_kind, i.contact_id",
        )
    } else {
        (
            "user_id = $2",
            "reason_rank, due_on, temperature_rank, contact_kind, contact_id",
            "i.reason_rank, i.due_on, i.temperature_rank, i.contact_kind, i.contact_id",
        )
    };
    format!(
        "\
select i.user_id, i.contact_kind, i.contact_id, c.name, c.title, c.company_id, co.name as company_name, c.email, c.phone, c.email_opt_out, \
       c.temperature, c.talking_points, i.reason, i.due_on, i.suggested_channel, i.suggested_approach, i.strike, i.script_hint, \
       i.why, i.list_date, i.built_at \
from (select * from due_items \
      where team_id = $1 and {whose} and ($3::text is null or reason = $3) \
      order by {order} \
      offset $4 limit $5) i \
join lateral (select d.name, d.title, d.company_id, d.email, d.phone, d.email_opt_out, d.temperature, d.talking_points \
                from decision_makers d where i.contact_kind = 'decision_maker' and d.team_id = i.team_id and d.id = i.contact_id \
              union all \
              select c.name, c.title, c.company_id, c.email, c.phone, c.email_opt_out, null, c.talking_points \
                from candidates c where i.contact_kind = 'candidate' and c.team_id = i.team_id and c.id = i.contact_id) c on true \
left join companies co on co.team_id = i.team_id and co.id = c.company_id \
order by {outer}"
    )
}

/// A page of a user's stored list in due-list order: reason, most overdue first, hot before cold.
pub async fn list_items(
    db: impl PgExecutor<'_>,
    team_id: i64,
    user_id: i64,
    reason: Option<&str>,
    offset: i64,
    limit: i64,
) -> sqlx::Result<Vec<ListedItem>> {
    list_items_covering(db, team_id, user_id, &[], reason, offset, limit).await
}

/// A page of a coverer's list: their own stored items and those of the teammates they cover
/// (`covered`), each reason's own items first (see `listed_sql!`).
pub async fn list_items_covering(
    db: impl PgExecutor<'_>,
    team_id: i64,
    user_id: i64,
    covered: &[i64],
    reason: Option<&str>,
    offset: i64,
    limit: i64,
) -> sqlx::Result<Vec<ListedItem>> {
    let whose: Vec<i64> = std::iter::once(user_id)
        .chain(covered.iter().copied())
        .collect();
    let sql = listed_sql(!covered.is_empty());
    let query = sqlx::query_as(&sql)
        .bind(team_id)
        .bind(user_id)
        .bind(reason)
        .bind(offset)
        .bind(limit);
    if covered.is_empty() {
        query.fetch_all(db).await
    } else {
        query.bind(whose).fetch_all(db).await
    }
}

/// The select of [`opened`] for one kind of contact: the item, its contact and company, and a row
/// per touch of its last `$4` (one row with the touch columns null when it has none).
macro_rules! opened_sql {
    ($table:literal, $kind:literal, $fk:literal, $temperature:literal) => {
        concat!(
            "select i.user_id, i.contact_kind, i.contact_id, c.name, c.title, c.company_id, \
                    co.name as company_name, c.email, c.phone, c.email_opt_out, ",
            $temperature,
            " as temperature, c.talking_points, i.reason, i.due_on, i.suggested_channel, \
                    i.suggested_approach, i.strike, i.script_hint, i.why, i.list_date, i.built_at, x.* \
             from due_items i \
             join ",
            $table,
            " c on c.team_id = i.team_id and c.id = i.contact_id \
             left join companies co on co.team_id = i.team_id and co.id = c.company_id \
             left join lateral (",
            crate::db::touches::latest_touches_of!($fk, "$4"),
            ") x on true \
             where i.team_id = $1 and i.contact_kind = '",
            $kind,
            "' and i.contact_id = $2 and i.user_id = any($3) \
             order by x.occurred_at desc, x.id desc"
        )
    };
}

/// One item of the stored lists of `whose` (a user and those they cover), with its contact and
/// the contact's last `n` live touches, newest first, in one statement: the item opened on Today.
pub async fn opened(
    conn: &mut PgConnection,
    team_id: i64,
    whose: &[i64],
    (kind, contact_id): (ContactKind, i64),
    n: i64,
) -> sqlx::Result<Option<(ListedItem, Vec<Touch>)>> {
    let sql = match kind {
        ContactKind::DecisionMaker => {
            opened_sql!(
                "decision_makers",
                "decision_maker",
                "decision_maker_id",
                "c.temperature"
            )
        }
        ContactKind::Candidate => {
            opened_sql!("candidates", "candidate", "candidate_id", "null::text")
        }
    };
    let rows = sqlx::query(sql)
        .bind(team_id)
        .bind(contact_id)
        .bind(whose)
        .bind(n)
        .fetch_all(conn)
        .await?;
    let Some(first) = rows.first() else {
        return Ok(None);
    };
    let item = ListedItem::from_row(first)?;
    let mut touches = Vec::with_capacity(rows.len());
    for row in &rows {
        if row.try_get::<Option<i64>, _>("id")?.is_some() {
            touches.push(Touch::from_row(row)?);
        }
    }
    Ok(Some((item, touches)))
}

/// The items of the lists of team `$1` and the users in the array `$whose`, per reason rank
/// (`reason_rank`, `n`), the ranks with none left out: read from `due_counts`, kept by the
/// triggers of the migrations `due_counts` and `due_counts_on_upsert`. Today's head runs it
/// inside its one statement.
///
/// Each user's counts are one probe of the table's key (the lateral subquery, kept apart by
/// `offset 0`). As `user_id = any(…)` over the table, PostgreSQL read every user's rows of every
/// team and, the array being computed in the statement, built it afresh for each of them: 0.14 ms
/// of the head's 0.34 on the benchmark team, against 0.015 ms by the key (BENCHMARKS.md, seventh
/// pass). The users of `$whose` are distinct (a user and the teammates they cover, whose periods
/// never overlap: `actions::away`), so no one's counts are summed twice.
macro_rules! counts_by_rank {
    ($whose:literal) => {
        concat!(
            "select c.reason_rank, sum(c.items)::int8 as n from unnest(",
            $whose,
            ") w(user_id) \
             cross join lateral (select d.reason_rank, d.items from due_counts d \
                                 where d.user_id = w.user_id and d.team_id = $1 offset 0) c \
             group by c.reason_rank having sum(c.items) > 0"
        )
    };
}
pub(crate) use counts_by_rank;

/// How many items a user's stored list has per reason, with those of the teammates they cover.
pub async fn counts_by_reason(
    db: impl PgExecutor<'_>,
    team_id: i64,
    user_id: i64,
    covered: &[i64],
) -> sqlx::Result<Vec<(Reason, i64)>> {
    let whose: Vec<i64> = std::iter::once(user_id)
        .chain(covered.iter().copied())
        .collect();
    let rows: Vec<(i16, i64)> = sqlx::query_as(concat!(
        counts_by_rank!("$2::int8[]"),
        " order by reason_rank"
    ))
    .bind(team_id)
    .bind(whose)
    .fetch_all(db)
    .await?;
    Ok(rows
        .into_iter()
        .filter_map(|(rank, n)| Some((Reason::from_rank(rank)?, n)))
        .collect())
}
