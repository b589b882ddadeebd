//! Away periods (`away_periods`): who is away when, and who covers. Dates are the absent user's
//! local dates, both ends included; "today" for a user is computed in SQL from the app clock's
//! instant (bound as a parameter) in that user's time zone. Every query is team-scoped.

use chrono::{DateTime, NaiveDate, Utc};
use sqlx::{FromRow, PgExecutor};

/// A period with the two names the pages and the API show.
#[derive(Debug, Clone, FromRow, PartialEq, Eq)]
pub struct Period {
    pub id: i64,
    pub user_id: i64,
    pub user_name: String,
    pub from_date: NaiveDate,
    pub to_date: NaiveDate,
    pub covered_by: i64,
    pub covered_by_name: String,
}

const PERIOD: &str = "select a.id, a.user_id, u.name as user_name, a.from_date, a.to_date, a.covered_by, \
    c.name as covered_by_name \
    from away_periods a join users u on u.id = a.user_id join users c on c.id = a.covered_by";

/// Records a period; the caller has checked it (under the team's user-change lock).
pub async fn insert(
    db: &mut sqlx::PgConnection,
    team_id: i64,
    user_id: i64,
    dates: (NaiveDate, NaiveDate),
    covered_by: i64,
    created_by: i64,
) -> sqlx::Result<Period> {
    let id: i64 = sqlx::query_scalar(
        "insert into away_periods (team_id, user_id, from_date, to_date, covered_by, created_by) \
         values ($1, $2, $3, $4, $5, $6) returning id",
    )
    .bind(team_id)
    .bind(user_id)
    .bind(dates.0)
    .bind(dates.1)
    .bind(covered_by)
    .bind(created_by)
    .fetch_one(&mut *db)
    .await?;
    let sql = format!("{PERIOD} where a.team_id = $1 and a.id = $2");
    sqlx::query_as(&sql)
        .bind(team_id)
        .bind(id)
        .fetch_one(db)
        .await
}

/// A user's periods, by start date.
pub async fn list_for_user(
    db: impl PgExecutor<'_>,
    team_id: i64,
    user_id: i64,
) -> sqlx::Result<Vec<Period>> {
    let sql =
        format!("{PERIOD} where a.team_id = $1 and a.user_id = $2 order by a.from_date, a.id");
    sqlx::query_as(&sql)
        .bind(team_id)
        .bind(user_id)
        .fetch_all(db)
        .await
}

/// The team's periods that have not ended by the absent user's today at `now`, by start date.
pub async fn current_and_coming(
    db: impl PgExecutor<'_>,
    team_id: i64,
    now: DateTime<Utc>,
) -> sqlx::Result<Vec<Period>> {
    let sql = format!(
        "{PERIOD} where a.team_id = $1 and a.to_date >= ($2::timestamptz at time zone u.time_zone)::date \
         order by a.from_date, u.name, a.id"
    );
    sqlx::query_as(&sql)
        .bind(team_id)
        .bind(now)
        .fetch_all(db)
        .await
}

/// Whether the user has a period sharing a day with `from..=to` (other than `except`).
pub async fn overlaps(
    db: impl PgExecutor<'_>,
    team_id: i64,
    user_id: i64,
    (from, to): (NaiveDate, NaiveDate),
) -> sqlx::Result<bool> {
    sqlx::query_scalar(
        "select exists(select 1 from away_periods where team_id = $1 and user_id = $2 \
         and from_date <= $4 and to_date >= $3)",
    )
    .bind(team_id)
    .bind(user_id)
    .bind(from)
    .bind(to)
    .fetch_one(db)
    .await
}

/// Deletes one of the user's periods; false when there is none of that id.
pub async fn delete(
    db: impl PgExecutor<'_>,
    team_id: i64,
    user_id: i64,
    id: i64,
) -> sqlx::Result<bool> {
    let r = sqlx::query("delete from away_periods where team_id = $1 and user_id = $2 and id = $3")
        .bind(team_id)
        .bind(user_id)
        .bind(id)
        .execute(db)
        .await?;
    Ok(r.rows_affected() == 1)
}

/// A teammate whose items a coverer shows.
#[derive(Debug, Clone, FromRow, PartialEq, Eq)]
pub struct Covered {
    pub user_id: i64,
    pub name: String,
    /// The absent user's list stamp (a kept Today of the coverer depends on it).
    pub list_stamp: i64,
    pub to_date: NaiveDate,
}

/// The active teammates the coverer `$coverer` of the team `$team` covers at the instant `$now`
/// (SQL expressions): their period holds their own today. Its columns are [`Covered`]'s. Today's
/// head reads it too (`db::today::head`).
macro_rules! covered_now_sql {
    ($team:literal, $coverer:literal, $now:literal) => {
        concat!(
            "select u.id as user_id, u.name, u.list_stamp, a.to_date from away_periods a \
             join users u on u.id = a.user_id and u.team_id = a.team_id \
             where a.team_id = ",
            $team,
            " and a.covered_by = ",
            $coverer,
            " and u.active \
               and (",
            $now,
            "::timestamptz at time zone u.time_zone)::date between a.from_date and a.to_date"
        )
    };
}
pub(crate) use covered_now_sql;

/// The active teammates `coverer` covers at `now`: their period holds their own today.
pub async fn covered_now(
    db: impl PgExecutor<'_>,
    team_id: i64,
    coverer: i64,
    now: DateTime<Utc>,
) -> sqlx::Result<Vec<Covered>> {
    sqlx::query_as(concat!(
        covered_now_sql!("$1", "$2", "$3"),
        " order by u.id"
    ))
    .bind(team_id)
    .bind(coverer)
    .bind(now)
    .fetch_all(db)
    .await
}

/// The active teammates `coverer` covers on `date` (the API's list for a chosen date).
pub async fn covered_on(
    db: impl PgExecutor<'_>,
    team_id: i64,
    coverer: i64,
    date: NaiveDate,
) -> sqlx::Result<Vec<Covered>> {
    sqlx::query_as(
        "select u.id as user_id, u.name, u.list_stamp, a.to_date from away_periods a \
         join users u on u.id = a.user_id and u.team_id = a.team_id \
         where a.team_id = $1 and a.covered_by = $2 and u.active and $3 between a.from_date and a.to_date \
         order by u.id",
    )
    .bind(team_id)
    .bind(coverer)
    .bind(date)
    .fetch_all(db)
    .await
}

/// Who covers `user_id` on `date`, and until when.
pub async fn cover_on(
    db: impl PgExecutor<'_>,
    team_id: i64,
    user_id: i64,
    date: NaiveDate,
) -> sqlx::Result<Option<Period>> {
    let sql = format!(
        "{PERIOD} where a.team_id = $1 and a.user_id = $2 and $3 between a.from_date and a.to_date"
    );
    sqlx::query_as(&sql)
        .bind(team_id)
        .bind(user_id)
        .bind(date)
        .fetch_optional(db)
        .await
}

/// Ends the cover a user gives (they are being deactivated), in the absent users' own today at
/// `now`: periods not started yet are deleted, running ones end yesterday.
pub async fn end_cover_by(
    db: &mut sqlx::PgConnection,
    team_id: i64,
    coverer: i64,
    now: DateTime<Utc>,
) -> sqlx::Result<u64> {
    let today = "(select ($3::timestamptz at time zone u.time_zone)::date from users u where u.id = a.user_id)";
    let deleted = sqlx::query(&format!(
        "delete from away_periods a where a.team_id = $1 and a.covered_by = $2 and a.from_date >= {today}"
    ))
    .bind(team_id)
    .bind(coverer)
    .bind(now)
    .execute(&mut *db)
    .await?;
    let ended = sqlx::query(&format!(
        "update away_periods a set to_date = {today} - 1 \
         where a.team_id = $1 and a.covered_by = $2 and a.to_date >= {today}"
    ))
    .bind(team_id)
    .bind(coverer)
    .bind(now)
    .execute(db)
    .await?;
    Ok(deleted.rows_affected() + ended.rows_affected())
}

/// Every period of the team that shares a day with `from..=to` (the reports' working days).
pub async fn in_range(
    db: impl PgExecutor<'_>,
    team_id: i64,
    (from, to): (NaiveDate, NaiveDate),
) -> sqlx::Result<Vec<(i64, NaiveDate, NaiveDate)>> {
    sqlx::query_as(
        "select user_id, from_date, to_date from away_periods \
         where team_id = $1 and from_date <= $3 and to_date >= $2 order by user_id, from_date",
    )
    .bind(team_id)
    .bind(from)
    .bind(to)
    .fetch_all(db)
    .await
}
