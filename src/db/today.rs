//! What the Today page reads, in as few statements as it can: the head of the page and its rows
//! in one (counts by reason, the list's date, the team's settings (the goal among them) and the
//! progress towards the goal, who covers an absent user and whom the user covers, a few
//! never-tried DMs for the goal, and the page of rows with only the columns a row shows). A user
//! who covers teammates today reads the rows in a second statement, theirs with the teammates'.
//!
//! They run on a page read's kept connection, on which PostgreSQL keeps their plans
//! ([`crate::db::hot`]).

use chrono::{DateTime, NaiveDate, Utc};
use sqlx::{FromRow, PgExecutor};

use crate::db::away::Covered;
use crate::db::settings::TeamSettings;
use crate::domain::cadence::{Channel, ContactKind, Reason, Temperature};

/// The head of the page.
#[derive(Debug, Clone, FromRow)]
pub struct Summary {
    /// Items per reason (by the reason's rank) on the user's list and those they cover.
    pub ranks: Vec<i16>,
    pub counts: Vec<i64>,
    /// The date the user's list was built for, and when.
    pub list_date: Option<NaiveDate>,
    pub built_at: Option<DateTime<Utc>>,
    /// The team's settings (its goal of new decision makers; an opened item's next-step
    /// suggestion), read with the head.
    #[sqlx(skip)]
    pub settings: TeamSettings,
    /// Decision makers whose first connected call ever was the user's, today and this week.
    pub new_today: i64,
    pub new_week: i64,
    /// The teammates the user covers today (`db::away::covered_now`), column by column in id
    /// order: their items are on the list too.
    pub covered_ids: Vec<i64>,
    pub covered_names: Vec<String>,
    pub covered_stamps: Vec<i64>,
    pub covered_until_dates: Vec<NaiveDate>,
    /// Who covers the user today (they are away), and until when.
    pub covered_by: Option<String>,
    pub covered_until: Option<NaiveDate>,
    /// A few of the user's decision makers nobody has tried yet, oldest first (the pool for the
    /// goal), column by column: id, name, title, company, phone.
    pub fresh_ids: Vec<i64>,
    pub fresh_names: Vec<String>,
    pub fresh_titles: Vec<String>,
    pub fresh_companies: Vec<Option<String>>,
    pub fresh_phones: Vec<String>,
}

/// A decision maker nobody has tried yet, suggested for the two-new-a-day goal \[003\].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NeverTried {
    pub id: i64,
    pub name: String,
    pub title: String,
    pub company_name: Option<String>,
    pub phone: String,
}

impl Summary {
    /// The never-tried decision makers, row by row. "Never tried" is "no row in
    /// `dm_first_attempts`" (kept by a trigger on touches), which each DM's `tried` copies (a
    /// trigger on that table): the first five entries of the owner's range of
    /// `decision_makers_untried_idx`, however many of their DMs have been tried.
    pub fn never_tried(&self) -> Vec<NeverTried> {
        self.fresh_ids
            .iter()
            .zip(&self.fresh_names)
            .zip(&self.fresh_titles)
            .zip(&self.fresh_companies)
            .zip(&self.fresh_phones)
            .map(|((((id, name), title), company), phone)| NeverTried {
                id: *id,
                name: name.clone(),
                title: title.clone(),
                company_name: company.clone(),
                phone: phone.clone(),
            })
            .collect()
    }

    /// The teammates the user covers today, row by row.
    pub fn covered(&self) -> Vec<Covered> {
        self.covered_ids
            .iter()
            .zip(&self.covered_names)
            .zip(&self.covered_stamps)
            .zip(&self.covered_until_dates)
            .map(|(((id, name), stamp), to_date)| Covered {
                user_id: *id,
                name: name.clone(),
                list_stamp: *stamp,
                to_date: *to_date,
            })
            .collect()
    }

    /// The counts by reason, in list order.
    pub fn by_reason(&self) -> Vec<(Reason, i64)> {
        self.ranks
            .iter()
            .zip(&self.counts)
            .filter_map(|(rank, n)| Some((Reason::from_rank(*rank)?, *n)))
            .collect()
    }
}

/// When "today" and "this week" start and end for the progress counts.
#[derive(Debug, Clone, Copy)]
pub struct Span {
    pub today: NaiveDate,
    pub day_start: DateTime<Utc>,
    pub week_start: DateTime<Utc>,
    pub end: DateTime<Utc>,
}

/// Which page of the list a load asks for: optionally one reason's items only, from `offset`,
/// at most `limit` rows.
#[derive(Debug, Clone, Copy)]
pub struct PageAsk {
    pub reason: Option<Reason>,
    pub offset: i64,
    pub limit: i64,
}

// The head's statement. Each part is one subquery in the from list that yields one row (its lists
// as arrays), not a CTE read back by a subplan per column: fewer plan nodes for PostgreSQL to set
// up on every load. The cover is the one CTE: read once, it gives its own columns and whose counts
// are summed (as an array computed once, not per row of the counts). The page of the user's own
// rows rides along as arrays, one per column (`rw`), read by one index range in list order
// (`due_items_list_order_idx`), and aggregated straight from that ordered subquery, with no join
// at the aggregate's level to reorder them; for a user who covers someone it is empty (`not
// exists` on the cover) and [`covering_rows`] reads their page with the covered teammates' items.
macro_rules! head_sql {
    ($reason:literal) => {
        concat!(
            "with cover as materialized (",
            crate::db::away::covered_now_sql!("$1", "$2", "$3"),
            ") \
             select coalesce(c.ranks, '{}') as ranks, coalesce(c.counts, '{}') as counts, \
                    l.list_date, l.built_at, \
                    fresh.today as new_today, fresh.week as new_week, \
                    away.name as covered_by, away.to_date as covered_until, \
                    coalesce(nt.ids, '{}') as fresh_ids, coalesce(nt.names, '{}') as fresh_names, \
                    coalesce(nt.titles, '{}') as fresh_titles, coalesce(nt.companies, '{}') as fresh_companies, \
                    coalesce(nt.phones, '{}') as fresh_phones, \
                    coalesce(cv.ids, '{}') as covered_ids, coalesce(cv.names, '{}') as covered_names, \
                    coalesce(cv.stamps, '{}') as covered_stamps, coalesce(cv.until_dates, '{}') as covered_until_dates, \
                    coalesce(rw.kinds, '{}') as row_kinds, coalesce(rw.ids, '{}') as row_ids, \
                    coalesce(rw.names, '{}') as row_names, coalesce(rw.companies, '{}') as row_companies, \
                    coalesce(rw.phones, '{}') as row_phones, coalesce(rw.temperatures, '{}') as row_temperatures, \
                    coalesce(rw.reasons, '{}') as row_reasons, coalesce(rw.due_ons, '{}') as row_due_ons, \
                    coalesce(rw.channels, '{}') as row_channels, coalesce(rw.whys, '{}') as row_whys, \
                    ts.* \
             from (select count(*) filter (where first_at >= $5) as today, count(*) as week from dm_first_connected_calls \
                   where team_id = $1 and first_at >= $6 and first_at < $7 and author_id = $2) fresh \
             cross join (select array_agg(user_id order by user_id) as ids, array_agg(name order by user_id) as names, \
                                array_agg(list_stamp order by user_id) as stamps, array_agg(to_date order by user_id) as until_dates \
                         from cover) cv \
             cross join (select array_agg(reason_rank order by reason_rank) as ranks, array_agg(n order by reason_rank) as counts \
                         from (",
            crate::due::listed::counts_by_rank!("array_prepend($2::int8, array(select user_id from cover))"),
            ") k) c \
             cross join (select array_agg(contact_kind) as kinds, array_agg(contact_id) as ids, array_agg(name) as names, \
                                array_agg(company_name) as companies, array_agg(phone) as phones, \
                                array_agg(temperature) as temperatures, array_agg(reason) as reasons, \
                                array_agg(due_on) as due_ons, array_agg(suggested_channel) as channels, array_agg(why) as whys \
                         from (select contact_kind, contact_id, name, company_name, phone, temperature, reason, due_on, \
                                      suggested_channel, why \
                               from due_items where team_id = $1 and user_id = $2 ",
            $reason,
            " and not exists (select 1 from cover) \
                               order by reason_rank, due_on, temperature_rank, contact_kind, contact_id \
                               offset $8 limit $9) r) rw \
             cross join (select array_agg(id order by id) as ids, array_agg(name order by id) as names, \
                                array_agg(title order by id) as titles, array_agg(company_name order by id) as companies, \
                                array_agg(phone order by id) as phones \
                         from (select d.id, d.name, d.title, co.name as company_name, d.phone from decision_makers d \
                               left join companies co on co.team_id = d.team_id and co.id = d.company_id \
                               where d.team_id = $1 and d.owner_id = $2 and d.archived_at is null and not d.do_not_contact \
                                 and not d.tried \
                               order by d.id limit 5) n) nt \
             left join lateral (select cu.name, a.to_date from away_periods a join users cu on cu.id = a.covered_by \
                                where a.team_id = $1 and a.user_id = $2 and $4 between a.from_date and a.to_date limit 1) away on true \
             left join due_lists l on l.team_id = $1 and l.user_id = $2",
            crate::db::settings::join_settings!("$1")
        )
    };
}
const HEAD: &str = head_sql!("");
const HEAD_ONE_REASON: &str = head_sql!("and reason = $10");

/// The user's own rows of a head, column by column in list order.
#[derive(Debug, Clone, FromRow)]
struct OwnRows {
    row_kinds: Vec<ContactKind>,
    row_ids: Vec<i64>,
    row_names: Vec<String>,
    row_companies: Vec<Option<String>>,
    row_phones: Vec<String>,
    row_temperatures: Vec<Option<Temperature>>,
    row_reasons: Vec<Reason>,
    row_due_ons: Vec<NaiveDate>,
    row_channels: Vec<Channel>,
    row_whys: Vec<String>,
}

impl OwnRows {
    fn into_rows(self, user_id: i64) -> Vec<Row> {
        let mut kinds = self.row_kinds.into_iter();
        let mut ids = self.row_ids.into_iter();
        let mut names = self.row_names.into_iter();
        let mut companies = self.row_companies.into_iter();
        let mut phones = self.row_phones.into_iter();
        let mut temperatures = self.row_temperatures.into_iter();
        let mut reasons = self.row_reasons.into_iter();
        let mut due_ons = self.row_due_ons.into_iter();
        let mut channels = self.row_channels.into_iter();
        let mut whys = self.row_whys.into_iter();
        std::iter::from_fn(|| {
            Some(Row {
                user_id,
                contact_kind: kinds.next()?,
                contact_id: ids.next()?,
                name: names.next()?,
                company_name: companies.next()?,
                phone: phones.next()?,
                temperature: temperatures.next()?,
                reason: reasons.next()?,
                due_on: due_ons.next()?,
                suggested_channel: channels.next()?,
                why: whys.next()?,
            })
        })
        .collect()
    }
}

/// The head of the page of `user_id` at `now`, with the teammates they cover then (whose items
/// and counts their list shows too), and the asked page of rows when the user covers no one
/// (None when they do: [`covering_rows`] reads theirs with the covered teammates' items).
pub async fn head(
    db: impl PgExecutor<'_>,
    team_id: i64,
    user_id: i64,
    now: DateTime<Utc>,
    span: Span,
    page: PageAsk,
) -> sqlx::Result<(Summary, Option<Vec<Row>>)> {
    let sql = if page.reason.is_some() {
        HEAD_ONE_REASON
    } else {
        HEAD
    };
    let mut query = sqlx::query(sql)
        .bind(team_id)
        .bind(user_id)
        .bind(now)
        .bind(span.today)
        .bind(span.day_start)
        .bind(span.week_start)
        .bind(span.end)
        .bind(page.offset)
        .bind(page.limit);
    if let Some(r) = page.reason {
        query = query.bind(r.as_str());
    }
    let row = query.fetch_one(db).await?;
    let mut summary = Summary::from_row(&row)?;
    summary.settings = crate::db::settings::from_joined(&row)?;
    let own = if summary.covered_ids.is_empty() {
        Some(OwnRows::from_row(&row)?.into_rows(user_id))
    } else {
        None
    };
    Ok((summary, own))
}

/// One row of the list: only what a compact row shows.
#[derive(Debug, Clone, FromRow)]
pub struct Row {
    /// Whose list the item is on (the user's own, or an absent teammate's they cover).
    pub user_id: i64,
    pub contact_kind: ContactKind,
    pub contact_id: i64,
    pub name: String,
    pub company_name: Option<String>,
    pub phone: String,
    pub temperature: Option<Temperature>,
    pub reason: Reason,
    pub due_on: NaiveDate,
    pub suggested_channel: Channel,
    pub why: String,
}

// The page of items is the first rows of one index range in list order
// (`due_items_list_order_idx`); each item carries what its row shows of its contact (the migration
// `due_items_show_their_contact`), so the page joins nothing. The head reads a user's own page
// (`head_sql!`); a coverer's list reads the absent teammates' items too: within a reason the
// coverer's own come first, then each teammate's in turn. Two fixed statements (with or without a
// reason) rather than an optional filter, so that each keeps one good plan.
macro_rules! covering_rows_sql {
    ($reason:literal) => {
        concat!(
            "select user_id, contact_kind, contact_id, name, company_name, phone, temperature, reason, due_on, \
                    suggested_channel, why \
             from due_items where team_id = $1 and user_id = any($5) ",
            $reason,
            " order by reason_rank, (user_id <> $2), user_id, due_on, temperature_rank, contact_kind, contact_id \
             offset $3 limit $4"
        )
    };
}
const COVERING_ROWS: &str = covering_rows_sql!("");
const COVERING_ROWS_ONE_REASON: &str = covering_rows_sql!("and reason = $6");

/// A page of the list of `user_id` and the teammates they cover (`covered`, at least one),
/// optionally one reason only.
pub async fn covering_rows(
    db: impl PgExecutor<'_>,
    team_id: i64,
    user_id: i64,
    covered: &[i64],
    page: PageAsk,
) -> sqlx::Result<Vec<Row>> {
    let whose: Vec<i64> = std::iter::once(user_id)
        .chain(covered.iter().copied())
        .collect();
    let sql = if page.reason.is_some() {
        COVERING_ROWS_ONE_REASON
    } else {
        COVERING_ROWS
    };
    let mut query = sqlx::query_as(sql)
        .bind(team_id)
        .bind(user_id)
        .bind(page.offset)
        .bind(page.limit)
        .bind(whose);
    if let Some(r) = page.reason {
        query = query.bind(r.as_str());
    }
    query.fetch_all(db).await
}
