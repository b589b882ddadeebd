//! Due lists: replacing a user's items, upserting one contact's item, the history of every item
//! that appeared, snoozes, and the record of rebuild runs.

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use sqlx::{FromRow, PgConnection, PgExecutor};

use crate::db::codes::ZoneName;
pub use crate::db::codes::{RunStatus, RunTrigger};
use crate::domain::cadence::{Approach, Channel, ContactKind, DueItem, Reason, Temperature};

/// One computed item, tied to its contact and owner.
#[derive(Debug, Clone)]
pub struct Decided {
    pub kind: ContactKind,
    pub contact_id: i64,
    pub owner_id: i64,
    pub temperature: Temperature,
    pub item: Option<DueItem>,
}

/// Locks one user's whole list for the transaction (a rebuild holds it from before its facts query
/// to its commit) and moves the user's list stamp on: the lock is the stamp's row, the one the
/// triggers of the migration `list_stamps` take too, so both orders of taking them are the same.
/// A refresh of one contact takes the same row late, with [`lock_list_stamp`], and writes only if
/// the stamp or the contact's stored state moved.
pub async fn lock_user_list(conn: &mut PgConnection, user_id: i64) -> sqlx::Result<()> {
    sqlx::query("select bump_list_stamps(array[$1::bigint])")
        .bind(user_id)
        .execute(conn)
        .await
        .map(|_| ())
}

/// The advisory lock namespaces of the two kinds of contact (the first key of the two-key form;
/// 7312001 to 7312004 are taken by the setup and the report summaries).
fn contact_lock_space(kind: ContactKind) -> i32 {
    match kind {
        ContactKind::DecisionMaker => 7_312_010,
        ContactKind::Candidate => 7_312_011,
    }
}

/// Takes the transaction-long lock of each of some contacts, in one order for every caller (so two
/// writers of overlapping sets cannot each wait for the other). See `engine::lock_contacts`.
pub async fn lock_contacts(
    conn: &mut PgConnection,
    contacts: &[(ContactKind, i64)],
) -> sqlx::Result<()> {
    // the second key is the id folded into an int4; a clash of two ids only makes one wait
    let mut keys: Vec<(i32, i32)> = contacts
        .iter()
        .map(|(kind, id)| {
            let folded = i32::try_from(id.rem_euclid(i64::from(i32::MAX))).unwrap_or(0);
            (contact_lock_space(*kind), folded)
        })
        .collect();
    keys.sort_unstable();
    keys.dedup();
    let (spaces, ids): (Vec<i32>, Vec<i32>) = keys.into_iter().unzip();
    // unnest walks the arrays in order, so the locks are taken in the sorted order
    sqlx::query("select pg_advisory_xact_lock(s, i) from unnest($1::int4[], $2::int4[]) as k(s, i)")
        .bind(&spaces)
        .bind(&ids)
        .execute(conn)
        .await
        .map(|_| ())
}

fn reason_rank(r: Reason) -> i16 {
    Reason::ALL
        .iter()
        .position(|x| *x == r)
        .map_or(99, |p| i16::try_from(p).unwrap_or(99))
}

fn temperature_rank(t: Temperature) -> i16 {
    match t {
        Temperature::Hot => 0,
        Temperature::Warm => 1,
        Temperature::Cold => 2,
    }
}

/// Column arrays for UNNEST: one insert for a whole list.
#[derive(Default)]
struct Columns {
    kind: Vec<&'static str>,
    id: Vec<i64>,
    user: Vec<i64>,
    reason: Vec<&'static str>,
    reason_rank: Vec<i16>,
    temperature_rank: Vec<i16>,
    due_on: Vec<NaiveDate>,
    channel: Vec<&'static str>,
    approach: Vec<Option<&'static str>>,
    strike: Vec<Option<i16>>,
    hint: Vec<&'static str>,
    why: Vec<String>,
}

impl Columns {
    fn of(decided: &[Decided]) -> Self {
        let mut c = Columns::default();
        for d in decided {
            let Some(item) = &d.item else { continue };
            c.kind.push(d.kind.as_str());
            c.id.push(d.contact_id);
            c.user.push(d.owner_id);
            c.reason.push(item.reason.as_str());
            c.reason_rank.push(reason_rank(item.reason));
            c.temperature_rank.push(temperature_rank(d.temperature));
            c.due_on.push(item.due_on);
            c.channel.push(item.suggested_channel.as_str());
            c.approach.push(item.suggested_approach.map(|a| a.as_str()));
            c.strike.push(item.strike.map(i16::from));
            c.hint.push(item.script_hint);
            c.why.push(item.why.clone());
        }
        c
    }
}

const UPSERT_ITEMS: &str = "\
insert into due_items (team_id, contact_kind, contact_id, user_id, list_date, reason, reason_rank, temperature_rank, \
                       due_on, suggested_channel, suggested_approach, strike, script_hint, why, built_at) \
select $1, k, i, u, $2, r, rr, tr, d, ch, ap, st, h, w, now() \
from unnest($3::text[], $4::bigint[], $5::bigint[], $6::text[], $7::int2[], $8::int2[], $9::date[], $10::text[], \
            $11::text[], $12::int2[], $13::text[], $14::text[]) as x(k, i, u, r, rr, tr, d, ch, ap, st, h, w) \
on conflict (team_id, contact_kind, contact_id) do update set user_id = excluded.user_id, list_date = excluded.list_date, \
  reason = excluded.reason, reason_rank = excluded.reason_rank, temperature_rank = excluded.temperature_rank, \
  due_on = excluded.due_on, suggested_channel = excluded.suggested_channel, suggested_approach = excluded.suggested_approach, \
  strike = excluded.strike, script_hint = excluded.script_hint, why = excluded.why, built_at = now()";

async fn upsert(
    conn: &mut PgConnection,
    team_id: i64,
    list_date: NaiveDate,
    decided: &[Decided],
) -> sqlx::Result<usize> {
    let c = Columns::of(decided);
    if c.id.is_empty() {
        return Ok(0);
    }
    sqlx::query(UPSERT_ITEMS)
        .bind(team_id)
        .bind(list_date)
        .bind(&c.kind)
        .bind(&c.id)
        .bind(&c.user)
        .bind(&c.reason)
        .bind(&c.reason_rank)
        .bind(&c.temperature_rank)
        .bind(&c.due_on)
        .bind(&c.channel)
        .bind(&c.approach)
        .bind(&c.strike)
        .bind(&c.hint)
        .bind(&c.why)
        .execute(&mut *conn)
        .await?;
    Ok(c.id.len())
}

/// Replaces a user's whole list with `decided` (inside the caller's transaction).
pub async fn replace_user_list(
    conn: &mut PgConnection,
    team_id: i64,
    user_id: i64,
    list_date: NaiveDate,
    decided: &[Decided],
) -> sqlx::Result<usize> {
    clear_user_list(&mut *conn, team_id, user_id).await?;
    let n = upsert(conn, team_id, list_date, decided).await?;
    sqlx::query(
        "insert into due_lists (user_id, team_id, list_date, built_at) values ($1, $2, $3, now()) \
         on conflict (user_id) do update set list_date = excluded.list_date, built_at = now()",
    )
    .bind(user_id)
    .bind(team_id)
    .bind(list_date)
    .execute(&mut *conn)
    .await?;
    Ok(n)
}

/// One item's columns as stored (all that [`upsert`] writes but the time it was built).
#[derive(Debug, Clone, PartialEq, Eq)]
struct ItemRow {
    user_id: i64,
    list_date: NaiveDate,
    reason: Reason,
    reason_rank: i16,
    temperature_rank: i16,
    due_on: NaiveDate,
    channel: Channel,
    approach: Option<Approach>,
    strike: Option<i16>,
    hint: String,
    why: String,
}

impl ItemRow {
    fn of(d: &Decided, list_date: NaiveDate) -> Option<Self> {
        let item = d.item.as_ref()?;
        Some(ItemRow {
            user_id: d.owner_id,
            list_date,
            reason: item.reason,
            reason_rank: reason_rank(item.reason),
            temperature_rank: temperature_rank(d.temperature),
            due_on: item.due_on,
            channel: item.suggested_channel,
            approach: item.suggested_approach,
            strike: item.strike.map(i16::from),
            hint: item.script_hint.to_string(),
            why: item.why.clone(),
        })
    }
}

/// What [`record_history`] compares of an open history item.
#[derive(Debug, Clone, PartialEq, Eq)]
struct OpenRow {
    reason: Reason,
    strike: Option<i16>,
    approach: Option<Approach>,
}

impl OpenRow {
    fn of(item: &DueItem) -> Self {
        OpenRow {
            reason: item.reason,
            strike: item.strike.map(i16::from),
            approach: item.suggested_approach,
        }
    }
}

/// One contact's stored due state, read before deciding anew: its owner (and their zone), the
/// owner's list stamp at the time, the contact's item and its open history item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stored {
    pub owner_id: i64,
    pub time_zone: Tz,
    pub list_stamp: i64,
    item: Option<ItemRow>,
    open: Option<OpenRow>,
}

#[derive(FromRow)]
struct StoredRow {
    owner_id: i64,
    #[sqlx(try_from = "ZoneName")]
    time_zone: Tz,
    list_stamp: i64,
    user_id: Option<i64>,
    list_date: Option<NaiveDate>,
    reason: Option<Reason>,
    reason_rank: Option<i16>,
    temperature_rank: Option<i16>,
    due_on: Option<NaiveDate>,
    suggested_channel: Option<Channel>,
    suggested_approach: Option<Approach>,
    strike: Option<i16>,
    script_hint: Option<String>,
    why: Option<String>,
    open_reason: Option<Reason>,
    open_strike: Option<i16>,
    open_approach: Option<Approach>,
}

impl From<StoredRow> for Stored {
    fn from(r: StoredRow) -> Self {
        // the item's columns are all there (an item row) or all null (none)
        let item = (|| {
            Some(ItemRow {
                user_id: r.user_id?,
                list_date: r.list_date?,
                reason: r.reason?,
                reason_rank: r.reason_rank?,
                temperature_rank: r.temperature_rank?,
                due_on: r.due_on?,
                channel: r.suggested_channel?,
                approach: r.suggested_approach,
                strike: r.strike,
                hint: r.script_hint?,
                why: r.why?,
            })
        })();
        let open = r.open_reason.map(|reason| OpenRow {
            reason,
            strike: r.open_strike,
            approach: r.open_approach,
        });
        Stored {
            owner_id: r.owner_id,
            time_zone: r.time_zone,
            list_stamp: r.list_stamp,
            item,
            open,
        }
    }
}

impl Stored {
    /// Whether storing `decided` as the item of `list_date` would change nothing: the same item
    /// (or none) and the history already in step with it.
    pub fn holds(&self, decided: &Decided, list_date: NaiveDate) -> bool {
        self.item == ItemRow::of(decided, list_date)
            && self.open == decided.item.as_ref().map(OpenRow::of)
    }
}

/// The query of [`stored`] for one kind's table.
macro_rules! stored_sql {
    ($table:literal, $kind:literal) => {
        concat!(
            "select c.owner_id, u.time_zone, u.list_stamp, d.user_id, d.list_date, d.reason, ",
            "d.reason_rank, d.temperature_rank, d.due_on, d.suggested_channel, d.suggested_approach, ",
            "d.strike, d.script_hint, d.why, h.reason as open_reason, h.strike as open_strike, ",
            "h.approach as open_approach from ", $table, " c join users u on u.id = c.owner_id ",
            "left join due_items d on d.team_id = c.team_id and d.contact_kind = '", $kind, "' ",
            "and d.contact_id = c.id ",
            "left join due_item_history h on h.team_id = c.team_id and h.contact_kind = '", $kind, "' ",
            "and h.contact_id = c.id and h.settled_at is null ",
            "where c.team_id = $1 and c.id = $2"
        )
    };
}

/// A contact's stored due state, or None for a contact the team does not have.
pub async fn stored(
    conn: &mut PgConnection,
    team_id: i64,
    kind: ContactKind,
    id: i64,
) -> sqlx::Result<Option<Stored>> {
    let sql = match kind {
        ContactKind::DecisionMaker => stored_sql!("decision_makers", "decision_maker"),
        ContactKind::Candidate => stored_sql!("candidates", "candidate"),
    };
    let row: Option<StoredRow> = sqlx::query_as(sql)
        .bind(team_id)
        .bind(id)
        .fetch_optional(conn)
        .await?;
    Ok(row.map(Stored::from))
}

/// Locks a user's list for the rest of the transaction without moving its stamp, and returns the
/// stamp: the same row lock as [`lock_user_list`], for a writer that may find nothing to write.
pub async fn lock_list_stamp(conn: &mut PgConnection, user_id: i64) -> sqlx::Result<Option<i64>> {
    sqlx::query_scalar("select list_stamp from users where id = $1 for no key update")
        .bind(user_id)
        .fetch_optional(conn)
        .await
}

/// Sets or clears one contact's item (after a touch, an edit, a snooze).
pub async fn replace_contact_item(
    conn: &mut PgConnection,
    team_id: i64,
    list_date: NaiveDate,
    decided: &Decided,
) -> sqlx::Result<()> {
    sqlx::query(
        "delete from due_items where team_id = $1 and contact_kind = $2 and contact_id = $3",
    )
    .bind(team_id)
    .bind(decided.kind.as_str())
    .bind(decided.contact_id)
    .execute(&mut *conn)
    .await?;
    upsert(conn, team_id, list_date, std::slice::from_ref(decided))
        .await
        .map(|_| ())
}

/// Empties a user's list (a user who leaves owns nothing any more).
pub async fn clear_user_list(
    conn: &mut PgConnection,
    team_id: i64,
    user_id: i64,
) -> sqlx::Result<()> {
    sqlx::query("delete from due_items where team_id = $1 and user_id = $2")
        .bind(team_id)
        .bind(user_id)
        .execute(conn)
        .await
        .map(|_| ())
}

/// Removes a contact's item (archived, or no longer anyone's).
pub async fn clear_contact_item(
    conn: &mut PgConnection,
    team_id: i64,
    kind: ContactKind,
    id: i64,
) -> sqlx::Result<()> {
    sqlx::query(
        "delete from due_items where team_id = $1 and contact_kind = $2 and contact_id = $3",
    )
    .bind(team_id)
    .bind(kind.as_str())
    .bind(id)
    .execute(conn)
    .await
    .map(|_| ())
}

// The open history items that changed or went away are found by one probe of the open-item index
// per contact of the list (the lateral subquery, kept apart by `offset 0`), then updated by id. As
// an `update … from unnest(…)` join the planner, knowing the list's size, hashed the whole team's
// open history for every user's rebuild: 157k rows per user on the benchmark team (156 ms against
// 30 ms), growing with users x team.
const SETTLE_HISTORY: &str = "\
with cur as (select * from unnest($2::text[], $3::bigint[], $4::text[], $5::int2[], $6::text[]) as c(kind, id, reason, strike, approach)), \
changed as (select o.id from cur \
            cross join lateral (select h.id, h.reason, h.strike, h.approach from due_item_history h \
                                where h.team_id = $1 and h.contact_kind = cur.kind and h.contact_id = cur.id \
                                  and h.settled_at is null offset 0) o \
            where cur.reason is null or cur.reason <> o.reason or cur.strike is distinct from o.strike \
               or cur.approach is distinct from o.approach) \
update due_item_history h set settled_at = now(), settled_by_touch_id = coalesce( \
    (select t.id from touches t where h.contact_kind = 'decision_maker' and t.team_id = h.team_id \
       and t.decision_maker_id = h.contact_id and t.deleted_at is null and t.created_at >= h.first_seen_at \
     order by t.created_at desc, t.id desc limit 1), \
    (select t.id from touches t where h.contact_kind = 'candidate' and t.team_id = h.team_id \
       and t.candidate_id = h.contact_id and t.deleted_at is null and t.created_at >= h.first_seen_at \
     order by t.created_at desc, t.id desc limit 1)) \
where h.id = any(array(select id from changed)) and h.team_id = $1 and h.settled_at is null";

const OPEN_HISTORY: &str = "\
insert into due_item_history (team_id, contact_kind, contact_id, owner_id, reason, strike, approach, first_due_on) \
select $1, k, i, o, r, s, a, d from unnest($2::text[], $3::bigint[], $4::bigint[], $5::text[], $6::int2[], $7::text[], $8::date[]) \
  as x(k, i, o, r, s, a, d) \
on conflict (team_id, contact_kind, contact_id) where settled_at is null do nothing";

/// Keeps the history in step with the decided items: items that changed or went away are
/// settled (by the latest touch logged since they appeared, if any), new ones are opened.
pub async fn record_history(
    conn: &mut PgConnection,
    team_id: i64,
    decided: &[Decided],
) -> sqlx::Result<()> {
    if decided.is_empty() {
        return Ok(());
    }
    let kinds: Vec<&str> = decided.iter().map(|d| d.kind.as_str()).collect();
    let ids: Vec<i64> = decided.iter().map(|d| d.contact_id).collect();
    let reasons: Vec<Option<&str>> = decided
        .iter()
        .map(|d| d.item.as_ref().map(|i| i.reason.as_str()))
        .collect();
    let strikes: Vec<Option<i16>> = decided
        .iter()
        .map(|d| d.item.as_ref().and_then(|i| i.strike).map(i16::from))
        .collect();
    let approaches: Vec<Option<&str>> = decided
        .iter()
        .map(|d| {
            d.item
                .as_ref()
                .and_then(|i| i.suggested_approach)
                .map(|a| a.as_str())
        })
        .collect();
    sqlx::query(SETTLE_HISTORY)
        .bind(team_id)
        .bind(&kinds)
        .bind(&ids)
        .bind(&reasons)
        .bind(&strikes)
        .bind(&approaches)
        .execute(&mut *conn)
        .await?;
    let open: Vec<&Decided> = decided.iter().filter(|d| d.item.is_some()).collect();
    let items: Vec<&DueItem> = open.iter().filter_map(|d| d.item.as_ref()).collect();
    sqlx::query(OPEN_HISTORY)
        .bind(team_id)
        .bind(open.iter().map(|d| d.kind.as_str()).collect::<Vec<_>>())
        .bind(open.iter().map(|d| d.contact_id).collect::<Vec<_>>())
        .bind(open.iter().map(|d| d.owner_id).collect::<Vec<_>>())
        .bind(items.iter().map(|i| i.reason.as_str()).collect::<Vec<_>>())
        .bind(
            items
                .iter()
                .map(|i| i.strike.map(i16::from))
                .collect::<Vec<_>>(),
        )
        .bind(
            items
                .iter()
                .map(|i| i.suggested_approach.map(|a| a.as_str()))
                .collect::<Vec<_>>(),
        )
        .bind(items.iter().map(|i| i.due_on).collect::<Vec<_>>())
        .execute(&mut *conn)
        .await?;
    Ok(())
}

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

/// A snooze to record: which contact's item, which reason, until when, why, by whom.
#[derive(Debug, Clone)]
pub struct NewSnooze<'a> {
    pub kind: ContactKind,
    pub contact_id: i64,
    pub reason: Reason,
    pub until: NaiveDate,
    pub note: &'a str,
    pub user_id: i64,
}

/// Records a snooze of a contact's item.
pub async fn insert_snooze(
    conn: &mut PgConnection,
    team_id: i64,
    s: &NewSnooze<'_>,
) -> sqlx::Result<()> {
    let NewSnooze {
        kind,
        contact_id,
        reason,
        until,
        note,
        user_id,
    } = *s;
    sqlx::query(
        "insert into due_snoozes (team_id, contact_kind, contact_id, reason, until, note, created_by) values ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(team_id)
    .bind(kind.as_str())
    .bind(contact_id)
    .bind(reason.as_str())
    .bind(until)
    .bind(note)
    .bind(user_id)
    .execute(conn)
    .await
    .map(|_| ())
}

/// A rebuild run as managers see it.
#[derive(Debug, Clone, FromRow)]
pub struct Run {
    pub id: i64,
    pub trigger: RunTrigger,
    pub as_of: Option<NaiveDate>,
    pub started_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
    pub users_rebuilt: i32,
    pub contacts: i32,
    pub items: i32,
    pub status: RunStatus,
}

/// Opens a run record (committed at once, so managers see it while it runs).
pub async fn start_run(
    db: impl PgExecutor<'_>,
    team_id: i64,
    trigger: RunTrigger,
    as_of: Option<NaiveDate>,
    now: DateTime<Utc>,
) -> sqlx::Result<i64> {
    sqlx::query_scalar(
        "insert into due_runs (team_id, trigger, as_of, started_at) values ($1, $2, $3, $4) returning id",
    )
    .bind(team_id)
    .bind(trigger)
    .bind(as_of)
    .bind(now)
    .fetch_one(db)
    .await
}

/// Adds one rebuilt user's counts to a run (progress while it runs).
pub async fn add_to_run(
    db: impl PgExecutor<'_>,
    run_id: i64,
    contacts: usize,
    items: usize,
) -> sqlx::Result<()> {
    sqlx::query("update due_runs set users_rebuilt = users_rebuilt + 1, contacts = contacts + $2, items = items + $3 where id = $1")
        .bind(run_id)
        .bind(i32::try_from(contacts).unwrap_or(i32::MAX))
        .bind(i32::try_from(items).unwrap_or(i32::MAX))
        .execute(db)
        .await
        .map(|_| ())
}

/// Closes a run as ok, failed, or interrupted (the server stopped between two users).
pub async fn finish_run(
    db: impl PgExecutor<'_>,
    run_id: i64,
    error: Option<&str>,
    interrupted: bool,
    now: DateTime<Utc>,
) -> sqlx::Result<()> {
    sqlx::query(
        "update due_runs set finished_at = $4, error = $2, \
         status = case when $2::text is not null then 'failed' when $3 then 'interrupted' else 'ok' end \
         where id = $1",
    )
    .bind(run_id)
    .bind(error)
    .bind(interrupted)
    .bind(now)
    .execute(db)
    .await
    .map(|_| ())
}

/// When the team's running rebuild started, if one is recorded as running.
pub async fn running_since(
    db: impl PgExecutor<'_>,
    team_id: i64,
) -> sqlx::Result<Option<DateTime<Utc>>> {
    sqlx::query_scalar(
        "select max(started_at) from due_runs where team_id = $1 and status = 'running'",
    )
    .bind(team_id)
    .fetch_one(db)
    .await
}

/// The teams that have a run recorded as running (at start, some may have been left by a
/// process that died).
pub async fn teams_with_running_runs(db: impl PgExecutor<'_>) -> sqlx::Result<Vec<i64>> {
    sqlx::query_scalar(
        "select distinct team_id from due_runs where status = 'running' and team_id is not null",
    )
    .fetch_all(db)
    .await
}

/// Marks a team's running runs interrupted; the caller holds the team's rebuild lock, so none of
/// them is still at work.
pub async fn interrupt_runs(
    db: impl PgExecutor<'_>,
    team_id: i64,
    now: DateTime<Utc>,
) -> sqlx::Result<u64> {
    sqlx::query(
        "update due_runs set status = 'interrupted', finished_at = $2, \
         error = 'the server stopped before the run ended' \
         where team_id = $1 and status = 'running'",
    )
    .bind(team_id)
    .bind(now)
    .execute(db)
    .await
    .map(|r| r.rows_affected())
}

/// What the Settings page says about the nights: when the team's last nightly or catch-up run
/// ended, and how many active users' stored lists are older than their today.
#[derive(Debug, Clone, FromRow)]
pub struct NightState {
    pub last_nightly_end: Option<DateTime<Utc>>,
    pub last_nightly_status: Option<RunStatus>,
}

/// The team's latest finished nightly or catch-up run.
pub async fn night_state(db: impl PgExecutor<'_>, team_id: i64) -> sqlx::Result<NightState> {
    sqlx::query_as(
        "select r.finished_at as last_nightly_end, r.status as last_nightly_status \
         from (select 1) one left join lateral (select finished_at, status from due_runs \
               where team_id = $1 and trigger in ('nightly', 'catch_up') and finished_at is not null \
               order by started_at desc limit 1) r on true",
    )
    .bind(team_id)
    .fetch_one(db)
    .await
}

/// Every active user with the date their stored list was built for (none: never built) and
/// what the nightly task needs to know whether it is behind.
#[derive(Debug, Clone, FromRow)]
pub struct ListAge {
    pub user_id: i64,
    pub team_id: i64,
    #[sqlx(try_from = "ZoneName")]
    pub time_zone: Tz,
    pub nightly_hour: i32,
    pub list_date: Option<NaiveDate>,
}

/// [`ListAge`] of every active user (of one team, or of all).
pub async fn list_ages(
    db: impl PgExecutor<'_>,
    team_id: Option<i64>,
) -> sqlx::Result<Vec<ListAge>> {
    sqlx::query_as(
        "select u.id as user_id, u.team_id, u.time_zone, coalesce(s.nightly_hour, 2) as nightly_hour, l.list_date \
         from users u left join team_settings s on s.team_id = u.team_id \
         left join due_lists l on l.user_id = u.id and l.team_id = u.team_id \
         where u.active and ($1::bigint is null or u.team_id = $1) order by u.team_id, u.id",
    )
    .bind(team_id)
    .fetch_all(db)
    .await
}

/// The team's latest runs, newest first.
pub async fn recent_runs(
    db: impl PgExecutor<'_>,
    team_id: i64,
    limit: i64,
) -> sqlx::Result<Vec<Run>> {
    sqlx::query_as(
        "select id, trigger, as_of, started_at, finished_at, users_rebuilt, contacts, items, status \
         from due_runs where team_id = $1 order by started_at desc, id desc limit $2",
    )
    .bind(team_id)
    .bind(limit)
    .fetch_all(db)
    .await
}

/// One line of a stored list, with what the Today page and the API show of its contact.
#[derive(Debug, Clone, FromRow)]
pub struct ListedItem {
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
// their contacts, so a long list costs no more than a short one.
const LISTED: &str = "\
select i.contact_kind, i.contact_id, c.name, c.title, c.company_id, co.name as company_name, c.email, c.phone, c.email_opt_out, \
       c.temperature, c.talking_points, i.reason, i.due_on, i.suggested_channel, i.suggested_approach, i.strike, i.script_hint, \
       i.why, i.list_date, i.built_at \
from (select * from due_items \
      where team_id = $1 and user_id = $2 and ($3::text is null or reason = $3) \
      order by reason_rank, due_on, temperature_rank, contact_kind, contact_id \
      offset $4 limit $5) i \
join lateral (select d.name, d.title, d.company_id, d.email, d.phone, d.email_opt_out, d.temperature, d.talking_points \
                from decision_makers d where i.contact_kind = 'decision_maker' and d.team_id = i.team_id and d.id = i.contact_id \
              union all \
              select c.name, c.title, c.company_id, c.email, c.phone, c.email_opt_out, null, c.talking_points \
                from candidates c where i.contact_kind = 'candidate' and c.team_id = i.team_id and c.id = i.contact_id) c on true \
left join companies co on co.team_id = i.team_id and co.id = c.company_id \
order by i.reason_rank, i.due_on, i.temperature_rank, i.contact_kind, i.contact_id";

/// A page of a user's stored list in due-list order: reason, most overdue first, hot before cold.
pub async fn list_items(
    db: impl PgExecutor<'_>,
    team_id: i64,
    user_id: i64,
    reason: Option<&str>,
    offset: i64,
    limit: i64,
) -> sqlx::Result<Vec<ListedItem>> {
    sqlx::query_as(LISTED)
        .bind(team_id)
        .bind(user_id)
        .bind(reason)
        .bind(offset)
        .bind(limit)
        .fetch_all(db)
        .await
}

/// How many items a user's stored list has per reason.
pub async fn counts_by_reason(
    db: impl PgExecutor<'_>,
    team_id: i64,
    user_id: i64,
) -> sqlx::Result<Vec<(Reason, i64)>> {
    sqlx::query_as("select reason, count(*) from due_items where team_id = $1 and user_id = $2 group by reason, reason_rank order by reason_rank")
        .bind(team_id)
        .bind(user_id)
        .fetch_all(db)
        .await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, d).unwrap()
    }

    fn decided(item: Option<DueItem>) -> Decided {
        Decided {
            kind: ContactKind::Candidate,
            contact_id: 7,
            owner_id: 3,
            temperature: Temperature::Warm,
            item,
        }
    }

    fn gone_dark() -> DueItem {
        DueItem {
            reason: Reason::GoneDark,
            due_on: date(20),
            overdue_days: 2,
            suggested_channel: Channel::Call,
            suggested_approach: Some(Approach::ValueAdd),
            strike: None,
            script_hint: "Bring them something",
            why: "No answer in 10 days".into(),
        }
    }

    /// What storing `d` for `list_date` leaves: its item and its open history item.
    fn stored_as(d: &Decided, list_date: NaiveDate) -> Stored {
        Stored {
            owner_id: d.owner_id,
            time_zone: chrono_tz::UTC,
            list_stamp: 1,
            item: ItemRow::of(d, list_date),
            open: d.item.as_ref().map(OpenRow::of),
        }
    }

    #[test]
    fn a_decision_holds_where_it_was_stored_and_nowhere_else() {
        let with = decided(Some(gone_dark()));
        let without = decided(None);
        assert!(stored_as(&with, date(22)).holds(&with, date(22)));
        assert!(stored_as(&without, date(22)).holds(&without, date(22)));
        assert!(
            !stored_as(&with, date(22)).holds(&without, date(22)),
            "an item to clear"
        );
        assert!(
            !stored_as(&without, date(22)).holds(&with, date(22)),
            "an item to add"
        );
        assert!(
            !stored_as(&with, date(21)).holds(&with, date(22)),
            "built for another day"
        );

        let mut later = gone_dark();
        later.why = "No answer in 11 days".into();
        assert!(!stored_as(&with, date(22)).holds(&decided(Some(later)), date(22)));
        let mut hotter = with.clone();
        hotter.temperature = Temperature::Hot;
        assert!(
            !stored_as(&with, date(22)).holds(&hotter, date(22)),
            "the list's order"
        );
        let mut moved = with.clone();
        moved.owner_id = 4;
        assert!(
            !stored_as(&with, date(22)).holds(&moved, date(22)),
            "another's list"
        );
    }

    #[test]
    fn history_out_of_step_is_not_held() {
        let with = decided(Some(gone_dark()));
        let mut unopened = stored_as(&with, date(22));
        unopened.open = None;
        assert!(!unopened.holds(&with, date(22)), "the history item to open");
        let without = decided(None);
        let mut left_open = stored_as(&without, date(22));
        left_open.open = Some(OpenRow::of(&gone_dark()));
        assert!(
            !left_open.holds(&without, date(22)),
            "the history item to settle"
        );
        let mut other_approach = stored_as(&with, date(22));
        other_approach.open = Some(OpenRow {
            approach: Some(Approach::DroppedTheBall),
            ..OpenRow::of(&gone_dark())
        });
        assert!(!other_approach.holds(&with, date(22)));
    }
}
