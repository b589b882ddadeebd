//! Stored due lists: replacing a user's items, upserting one contact's item, the stored state a
//! refresh compares with, and the items Today and the API read.

use std::sync::LazyLock;

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use sqlx::{FromRow, PgConnection};

use crate::db::codes::ZoneName;
use crate::db::facts::{self, OwnedFacts};
use crate::db::settings::TeamSettings;
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
            c.reason_rank.push(item.reason.rank());
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

// The item carries what its row on Today shows of its contact (name, company, phone,
// temperature), read here in the same statement; the triggers of the migration
// `due_items_show_their_contact` keep the copy when the contact or its company changes.
const UPSERT_ITEMS: &str = "\
insert into due_items (team_id, contact_kind, contact_id, user_id, list_date, reason, reason_rank, temperature_rank, \
                       due_on, suggested_channel, suggested_approach, strike, script_hint, why, built_at, \
                       name, company_name, phone, temperature) \
select $1, x.k, x.i, x.u, $2, x.r, x.rr, x.tr, x.d, x.ch, x.ap, x.st, x.h, x.w, now(), \
       coalesce(dm.name, c.name, ''), co.name, coalesce(dm.phone, c.phone, ''), dm.temperature \
from unnest($3::text[], $4::bigint[], $5::bigint[], $6::text[], $7::int2[], $8::int2[], $9::date[], $10::text[], \
            $11::text[], $12::int2[], $13::text[], $14::text[]) as x(k, i, u, r, rr, tr, d, ch, ap, st, h, w) \
left join decision_makers dm on x.k = 'decision_maker' and dm.team_id = $1 and dm.id = x.i \
left join candidates c on x.k = 'candidate' and c.team_id = $1 and c.id = x.i \
left join companies co on co.team_id = $1 and co.id = coalesce(dm.company_id, c.company_id) \
on conflict (team_id, contact_kind, contact_id) do update set user_id = excluded.user_id, list_date = excluded.list_date, \
  reason = excluded.reason, reason_rank = excluded.reason_rank, temperature_rank = excluded.temperature_rank, \
  due_on = excluded.due_on, suggested_channel = excluded.suggested_channel, suggested_approach = excluded.suggested_approach, \
  strike = excluded.strike, script_hint = excluded.script_hint, why = excluded.why, built_at = now(), \
  name = excluded.name, company_name = excluded.company_name, phone = excluded.phone, temperature = excluded.temperature";

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
            reason_rank: item.reason.rank(),
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
/// owner's list stamp at the time, the contact's item and its open history item, and the team's
/// settings the decision needs (read in the same statement).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stored {
    pub owner_id: i64,
    pub time_zone: Tz,
    pub list_stamp: i64,
    /// This transaction already moved the owner's list stamp (a touch's insert does, through its
    /// trigger), so it holds the stamp's row lock and `list_stamp` cannot move before it commits.
    pub stamp_held: bool,
    pub settings: TeamSettings,
    item: Option<ItemRow>,
    open: Option<OpenRow>,
}

#[derive(FromRow)]
struct StoredRow {
    owner_id: i64,
    #[sqlx(try_from = "ZoneName")]
    time_zone: Tz,
    list_stamp: i64,
    stamp_held: bool,
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

impl Stored {
    fn of(r: StoredRow, settings: TeamSettings) -> Self {
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
            stamp_held: r.stamp_held,
            settings,
            item,
            open,
        }
    }

    /// Whether storing `decided` as the item of `list_date` would change nothing: the same item
    /// (or none) and the history already in step with it.
    pub fn holds(&self, decided: &Decided, list_date: NaiveDate) -> bool {
        self.item == ItemRow::of(decided, list_date)
            && self.open == decided.item.as_ref().map(OpenRow::of)
    }
}

// What [`stored`] reads beside the contact's facts, in the facts' one-contact statement
// (`facts::one_contact_sql_with`; `c` is the contact, whose `owner_id` the facts read too).
const STORED_COLUMNS: &str = ", u.time_zone, u.list_stamp, \
    coalesce(u.xmin = xid(pg_current_xact_id_if_assigned()), false) as stamp_held, \
    d.user_id, d.list_date, d.reason, d.reason_rank, d.temperature_rank, d.due_on, d.suggested_channel, \
    d.suggested_approach, d.strike, d.script_hint, d.why, \
    h.reason as open_reason, h.strike as open_strike, h.approach as open_approach, ts.*";
// the owner's row as this transaction wrote it (`stamp_held`): its lock is held to the commit
const STORED_JOINS: &str = concat!(
    "join users u on u.id = c.owner_id \
     left join due_items d on d.team_id = c.team_id and d.contact_kind = $4 and d.contact_id = c.id \
     left join due_item_history h on h.team_id = c.team_id and h.contact_kind = $4 \
       and h.contact_id = c.id and h.settled_at is null",
    crate::db::settings::join_settings!("$1")
);

/// The statements of [`stored`], per kind ([decision makers, candidates]).
static STORED: LazyLock<[String; 2]> = LazyLock::new(|| {
    [ContactKind::DecisionMaker, ContactKind::Candidate]
        .map(|kind| facts::one_contact_sql_with(kind, STORED_COLUMNS, STORED_JOINS))
});

/// A contact's stored due state and its facts as known before `until`, in one statement, or None
/// for a contact the team does not have. The facts are None for an archived contact (nothing is
/// due); the caller bounds them by a guess of the owner's end of day (who the owner is, and so
/// their zone, comes with the state) and reads them again when the guess was wrong.
pub async fn stored(
    conn: &mut PgConnection,
    team_id: i64,
    kind: ContactKind,
    id: i64,
    until: DateTime<Utc>,
) -> sqlx::Result<Option<(Stored, Option<OwnedFacts>)>> {
    let sql = match kind {
        ContactKind::DecisionMaker => &STORED[0],
        ContactKind::Candidate => &STORED[1],
    };
    let Some(row) = sqlx::query(sql)
        .bind(team_id)
        .bind(id)
        .bind(until)
        .bind(kind.as_str())
        .fetch_optional(conn)
        .await?
    else {
        return Ok(None);
    };
    let settings = crate::db::settings::from_joined(&row)?;
    let stored = Stored::of(StoredRow::from_row(&row)?, settings);
    Ok(Some((stored, facts::live_facts(kind, &row)?)))
}

/// Locks a user's list for the rest of the transaction without moving its stamp, and returns the
/// stamp: the same row lock as [`lock_user_list`], for a writer that may find nothing to write.
pub async fn lock_list_stamp(conn: &mut PgConnection, user_id: i64) -> sqlx::Result<Option<i64>> {
    sqlx::query_scalar("select list_stamp from users where id = $1 for no key update")
        .bind(user_id)
        .fetch_optional(conn)
        .await
}

/// Stores one contact's item (after a touch, an edit, a snooze), upserted in place: the row and
/// its counts change in one statement. A contact left without one is `history::clear_and_settle`'s.
pub async fn upsert_contact_item(
    conn: &mut PgConnection,
    team_id: i64,
    list_date: NaiveDate,
    decided: &Decided,
) -> sqlx::Result<()> {
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

/// The delete of one contact's item: team `$1`, kind `$2`, contact `$3` (run by
/// `history::clear_and_settle` together with the settling of its history).
macro_rules! clear_item_sql {
    () => {
        "delete from due_items where team_id = $1 and contact_kind = $2 and contact_id = $3"
    };
}
pub(crate) use clear_item_sql;

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
            stamp_held: false,
            settings: TeamSettings::default(),
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
