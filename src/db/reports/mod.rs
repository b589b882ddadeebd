//! The manager's reports (docs/rules.md, "Goals and reports") as SQL aggregates.
//!
//! Every figure is defined once, as a query yielding one row per thing it counts (a DM first
//! attempted, a touch, a due-item history row…) in the columns of [`ListRow`], with a `status`
//! per row. The figures are `count(*)`/`sum`/median over those rows grouped by recruiter and
//! status ([`aggregate`]), and the drill-down lists behind each figure are the same rows
//! ([`list`]): what a page shows is exactly what its link lists. All queries bind the same
//! parameters from a [`Scope`], and every one filters on `team_id`.

mod figures;

use chrono::{DateTime, Days, NaiveDate, NaiveTime, Utc};
use sqlx::postgres::PgArguments;
use sqlx::postgres::PgRow;
use sqlx::query::QueryAs;
use sqlx::{FromRow, PgExecutor, PgPool, Postgres};

pub use figures::Figure;

use crate::db::facts::end_of_day;
use crate::domain::cadence::ContactKind;

/// Days of the coverage window (the cold cycle of \[003\]: four calls a year).
pub const COVERAGE_DAYS: u64 = 90;

/// The period and filters every report query binds, as `$1`…`$10`:
/// `$1` team, `$2`/`$3` the period's first and after-last instants, `$4` the manager's zone,
/// `$5`/`$6` the period's first and last dates, `$7` the manager's today, `$8` one recruiter
/// (or null for everyone), `$9` the second-call window in days, `$10` the start of the 90 days
/// of coverage that end with the period's last date.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scope {
    pub team_id: i64,
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    pub tz: chrono_tz::Tz,
    pub today: NaiveDate,
    pub user_id: Option<i64>,
    pub window_days: i32,
    pub coverage_start: DateTime<Utc>,
}

impl Scope {
    /// The scope of the dates `from..=to` in the zone `tz` (its local midnights bound the period).
    pub fn new(
        team_id: i64,
        (from, to): (NaiveDate, NaiveDate),
        tz: chrono_tz::Tz,
        today: NaiveDate,
        window_days: u32,
    ) -> Self {
        let day_before = |d: NaiveDate, n: u64| d.checked_sub_days(Days::new(n)).unwrap_or(d);
        Self {
            team_id,
            from,
            to,
            start: end_of_day(day_before(from, 1), tz),
            end: end_of_day(to, tz),
            tz,
            today,
            user_id: None,
            window_days: i32::try_from(window_days).unwrap_or(i32::MAX),
            coverage_start: end_of_day(day_before(to, COVERAGE_DAYS), tz),
        }
    }

    /// The same scope narrowed to one recruiter (their scorecard, or a drill-down for them).
    #[must_use]
    pub fn for_user(mut self, user_id: Option<i64>) -> Self {
        self.user_id = user_id;
        self
    }

    /// The whole UTC days inside the period, for the summaries kept by UTC day: the first one and
    /// the day after the last (empty when the first is not before it), then the instant where the
    /// period's first hours end and the one where its last hours begin. The hours before the first
    /// whole day and from the end of the last one are read from the touches themselves, so a period
    /// bounded by midnights of any zone is counted exactly.
    pub fn utc_days(&self) -> (NaiveDate, NaiveDate, DateTime<Utc>, DateTime<Utc>) {
        let midnight = |d: NaiveDate| d.and_time(NaiveTime::MIN).and_utc();
        let start_day = self.start.date_naive();
        let first = if midnight(start_day) == self.start {
            start_day
        } else {
            start_day.succ_opt().unwrap_or(start_day)
        };
        let after_last = self.end.date_naive();
        let (first_at, after_last_at) = (midnight(first), midnight(after_last));
        (
            first,
            after_last,
            first_at.min(self.end),
            first_at.max(after_last_at),
        )
    }

    /// For the coverage summaries: the first whole UTC day of the 90 days and its midnight (the
    /// hours before it are read DM by DM). None when the window is too short for
    /// `dm_attempt_gaps`, which keeps only the attempts after a gap of over 85 days (2040 hours):
    /// a window of 90 local days always is longer.
    pub fn coverage_utc_days(&self) -> Option<(NaiveDate, DateTime<Utc>)> {
        if self.end - self.coverage_start <= chrono::TimeDelta::hours(2040) {
            return None;
        }
        let day = self.coverage_start.date_naive();
        let midnight = day.and_time(NaiveTime::MIN).and_utc();
        let first = if midnight == self.coverage_start {
            day
        } else {
            day.succ_opt()?
        };
        Some((first, first.and_time(NaiveTime::MIN).and_utc()))
    }

    fn bind<'q, O>(
        &self,
        q: QueryAs<'q, Postgres, O, PgArguments>,
    ) -> QueryAs<'q, Postgres, O, PgArguments> {
        q.bind(self.team_id)
            .bind(self.start)
            .bind(self.end)
            .bind(self.tz.name())
            .bind(self.from)
            .bind(self.to)
            .bind(self.today)
            .bind(self.user_id)
            .bind(self.window_days)
            .bind(self.coverage_start)
    }
}

/// How many rows of a figure have one status, for one recruiter or (`user_id` null) the team.
#[derive(Debug, Clone, PartialEq, FromRow)]
pub struct Count {
    pub user_id: Option<i64>,
    pub status: String,
    pub n: i64,
    /// Sum of the rows' values (referrals, attempts).
    pub total: Option<f64>,
    /// Median of the rows' values (days to the second call, hours to a sign-off call).
    pub median: Option<f64>,
}

/// A figure's counts per recruiter and status, plus the team's (`user_id` null): one query.
pub async fn aggregate(db: &PgPool, scope: &Scope, figure: Figure) -> sqlx::Result<Vec<Count>> {
    if figure == Figure::Coverage
        && let Some((first, first_at)) = scope.coverage_utc_days()
    {
        let q = scope
            .bind(sqlx::query_as(figures::COVERAGE_SUMMARY.as_str()))
            .bind(first)
            .bind(first_at);
        return Ok(with_team_totals(without_jit(db, q).await?));
    }
    if let Some(sql) = figure.summary_sql() {
        let (first, after_last, first_hours_end, last_hours_start) = scope.utc_days();
        let q = scope
            .bind(sqlx::query_as(sql))
            .bind(first)
            .bind(after_last)
            .bind(first_hours_end)
            .bind(last_hours_start);
        return Ok(with_team_totals(without_jit(db, q).await?));
    }
    if !figure.has_median() {
        // Counts and sums add up: the team's rows are the recruiters' summed, and a plain GROUP BY
        // (unlike grouping sets) can be split over parallel workers.
        let sql = format!(
            "with r as ({}) \
             select r.user_id, r.status, count(*) as n, sum(r.value) as total, null::float8 as median \
             from r group by r.user_id, r.status",
            figure.rows_sql()
        );
        let rows = without_jit(db, scope.bind(sqlx::query_as(&sql))).await?;
        return Ok(with_team_totals(rows));
    }
    // A median does not add up, and its ordered-set aggregate sorts the rows: the team's is
    // computed by the query too.
    let sql = format!(
        "with r as ({}) \
         select case when grouping(r.user_id) = 1 then null else r.user_id end as user_id, r.status, \
                count(*) as n, sum(r.value) as total, \
                percentile_cont(0.5) within group (order by r.value) as median \
         from r group by grouping sets ((r.user_id, r.status), (r.status))",
        figure.rows_sql()
    );
    without_jit(db, scope.bind(sqlx::query_as(&sql))).await
}

/// Adds the team's row of each status (user_id null): the sum of the recruiters'.
fn with_team_totals(mut rows: Vec<Count>) -> Vec<Count> {
    let mut team: std::collections::BTreeMap<String, Count> = std::collections::BTreeMap::new();
    for r in &rows {
        let t = team.entry(r.status.clone()).or_insert_with(|| Count {
            user_id: None,
            status: r.status.clone(),
            n: 0,
            total: None,
            median: None,
        });
        t.n += r.n;
        if let Some(v) = r.total {
            t.total = Some(t.total.unwrap_or(0.0) + v);
        }
    }
    rows.extend(team.into_values());
    rows
}

/// Runs a report query with JIT compilation off and the long statement timeout: these aggregates are index-driven and short,
/// and compiling them cost more (about 0.1 s each) than it ever saved.
async fn without_jit<O>(
    db: &PgPool,
    q: QueryAs<'_, Postgres, O, PgArguments>,
) -> sqlx::Result<Vec<O>>
where
    O: for<'r> FromRow<'r, PgRow> + Send + Unpin,
{
    // a year's figures for a large team may take longer than a page's statements may
    let mut tx = crate::db::begin_long(db).await?;
    // Enough memory that a year's grouping and median sorts stay in memory (4 MB spilled to disk).
    sqlx::query("set local jit = off").execute(&mut *tx).await?;
    sqlx::query("set local work_mem = '64MB'")
        .execute(&mut *tx)
        .await?;
    let rows = q.fetch_all(&mut *tx).await?;
    tx.commit().await?;
    Ok(rows)
}

/// A week's second-call counts for one recruiter or (`user_id` null) the team.
#[derive(Debug, Clone, PartialEq, FromRow)]
pub struct WeekCount {
    pub user_id: Option<i64>,
    /// The Monday of the week in which the DMs were first attempted.
    pub week: NaiveDate,
    pub status: String,
    pub n: i64,
}

/// The second-call counts by week of the first attempt (the trend chart), for the scope's dates.
pub async fn second_calls_by_week(db: &PgPool, scope: &Scope) -> sqlx::Result<Vec<WeekCount>> {
    let sql = format!(
        "with r as ({}) \
         select case when grouping(r.user_id) = 1 then null else r.user_id end as user_id, \
                date_trunc('week', r.day)::date as week, r.status, count(*) as n \
         from r group by grouping sets ((r.user_id, date_trunc('week', r.day), r.status), \
                                        (date_trunc('week', r.day), r.status))",
        Figure::SecondCall.rows_sql()
    );
    without_jit(db, scope.bind(sqlx::query_as(&sql))).await
}

/// One thing a figure counts, with the contact it is about, for the drill-down lists and CSV.
#[derive(Debug, Clone, PartialEq, FromRow)]
pub struct ListRow {
    pub contact_kind: ContactKind,
    pub contact_id: i64,
    pub name: String,
    pub company: String,
    pub phone: String,
    pub email: String,
    /// The recruiter the row counts for.
    pub user_id: Option<i64>,
    pub user_name: String,
    /// The figure's main instant (the first attempt, the touch, the item's appearance…).
    pub at: Option<DateTime<Utc>>,
    /// A second instant (the second attempt, the settling, the response…).
    pub at2: Option<DateTime<Utc>>,
    /// The figure's date (a local date in the manager's zone, or the item's first due date).
    pub day: Option<NaiveDate>,
    pub status: String,
    pub value: Option<f64>,
    /// A code or words that qualify the row (channel, outcome, approach, job title).
    pub note: String,
}

/// A page of the rows a figure counts, newest first; `status` keeps the rows of one status (or
/// of one approach: the part before `:`).
pub async fn list(
    db: &PgPool,
    scope: &Scope,
    figure: Figure,
    status: Option<&str>,
    limit: i64,
    offset: i64,
) -> sqlx::Result<Vec<ListRow>> {
    let sql = format!(
        "with r as ({}) \
         select r.contact_kind, r.contact_id, coalesce(d.name, c.name, '') as name, coalesce(co.name, '') as company, \
                coalesce(d.phone, c.phone, '') as phone, coalesce(d.email, c.email, '') as email, \
                r.user_id, coalesce(u.name, '') as user_name, r.at, r.at2, r.day, r.status, r.value, r.note \
         from r \
         left join users u on u.team_id = $1 and u.id = r.user_id \
         left join decision_makers d on r.contact_kind = 'decision_maker' and d.team_id = $1 and d.id = r.contact_id \
         left join candidates c on r.contact_kind = 'candidate' and c.team_id = $1 and c.id = r.contact_id \
         left join companies co on co.team_id = $1 and co.id = coalesce(d.company_id, c.company_id) \
         where $11::text is null or r.status = $11 or split_part(r.status, ':', 1) = $11 \
         order by r.at desc nulls last, r.contact_id desc limit $12 offset $13",
        figure.rows_sql()
    );
    let q = scope
        .bind(sqlx::query_as(&sql))
        .bind(status)
        .bind(limit)
        .bind(offset);
    without_jit(db, q).await
}

/// A member of the team as the reports name them (deactivated ones too: their work still counts).
#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct Person {
    pub id: i64,
    pub name: String,
    pub active: bool,
}

/// Everyone in the team, by name.
pub async fn people(db: impl PgExecutor<'_>, team_id: i64) -> sqlx::Result<Vec<Person>> {
    sqlx::query_as("select id, name, active from users where team_id = $1 order by lower(name), id")
        .bind(team_id)
        .fetch_all(db)
        .await
}
