//! The due history: every item that appeared, what settled it and when; the reports read it and
//! it survives every rebuild.

use sqlx::PgConnection;

use super::store::Decided;
use crate::domain::cadence::DueItem;

// What settles an open history item when the caller does not name the touch: the latest touch
// logged on the contact since the item appeared, if any. (One text for both statements below.)
macro_rules! settled_by_touch {
    () => {
        "coalesce($7, \
    (select t.id from touches t where h.contact_kind = 'decision_maker' and t.team_id = h.team_id \
       and t.decision_maker_id = h.contact_id and t.deleted_at is null and t.created_at >= h.first_seen_at \
     order by t.created_at desc, t.id desc limit 1), \
    (select t.id from touches t where h.contact_kind = 'candidate' and t.team_id = h.team_id \
       and t.candidate_id = h.contact_id and t.deleted_at is null and t.created_at >= h.first_seen_at \
     order by t.created_at desc, t.id desc limit 1))"
    };
}

// The open history items that changed or went away are found by one probe of the open-item index
// per contact of the list (the lateral subquery, kept apart by `offset 0`), then updated by id. As
// an `update … from unnest(…)` join the planner, knowing the list's size, hashed the whole team's
// open history for every user's rebuild: 157k rows per user on the benchmark team (156 ms against
// 30 ms), growing with users x team. An item "changed" when the decided one has another reason,
// strike or approach, or there is none.
const SETTLE_HISTORY: &str = concat!(
    "with cur as (select * from unnest($2::text[], $3::bigint[], $4::text[], $5::int2[], $6::text[]) \
              as c(kind, id, reason, strike, approach)), \
changed as (select o.id from cur \
            cross join lateral (select h.id, h.reason, h.strike, h.approach from due_item_history h \
                                where h.team_id = $1 and h.contact_kind = cur.kind and h.contact_id = cur.id \
                                  and h.settled_at is null offset 0) o \
            where cur.reason is null or cur.reason <> o.reason or cur.strike is distinct from o.strike \
               or cur.approach is distinct from o.approach) \
update due_item_history h set settled_at = now(), settled_by_touch_id = ",
    settled_by_touch!(),
    " where h.id = any(array(select id from changed)) and h.team_id = $1 and h.settled_at is null"
);

// The same for one contact, the refresh after a write: with scalar parameters PostgreSQL keeps one
// plan for it (the array statement's plan is made for ten elements and costs more than one made
// for the one at hand, so it was planned afresh on every touch: a third of the touch's planning).
// When the caller names the touch ($7), the statement that looks for one is not the same
// statement (a plan for both would be planned afresh each time, the named touch pruning the
// lookup).
macro_rules! settle_one {
    ($settled_by:expr) => {
        concat!(
            "update due_item_history h set settled_at = now(), settled_by_touch_id = ",
            $settled_by,
            " where h.team_id = $1 and h.contact_kind = $2 and h.contact_id = $3 and h.settled_at is null \
   and ($4::text is null or $4 <> h.reason or $5::int2 is distinct from h.strike \
        or $6::text is distinct from h.approach)"
        )
    };
}
const SETTLE_ONE: &str = settle_one!(settled_by_touch!());
const SETTLE_ONE_BY: &str = settle_one!("$7");
// A contact left with no item: its stored item deleted and its open history item settled in one
// statement (one round trip fewer on most touches, which end the item they were made for).
const CLEAR_SETTLE_ONE: &str = concat!(
    "with cleared as (",
    super::store::clear_item_sql!(),
    ") ",
    settle_one!(settled_by_touch!())
);
const CLEAR_SETTLE_ONE_BY: &str = concat!(
    "with cleared as (",
    super::store::clear_item_sql!(),
    ") ",
    settle_one!("$7")
);

const OPEN_HISTORY: &str = "\
insert into due_item_history (team_id, contact_kind, contact_id, owner_id, reason, strike, approach, first_due_on) \
select $1, k, i, o, r, s, a, d from unnest($2::text[], $3::bigint[], $4::bigint[], $5::text[], $6::int2[], $7::text[], $8::date[]) \
  as x(k, i, o, r, s, a, d) \
on conflict (team_id, contact_kind, contact_id) where settled_at is null do nothing";

const OPEN_ONE: &str = "\
insert into due_item_history (team_id, contact_kind, contact_id, owner_id, reason, strike, approach, first_due_on) \
values ($1, $2, $3, $4, $5, $6, $7, $8) \
on conflict (team_id, contact_kind, contact_id) where settled_at is null do nothing";

/// Keeps the history in step with the decided items: items that changed or went away are
/// settled, new ones are opened. What settled an item is `settled_by`, the touch that made the
/// change when the caller knows it (a touch just logged), else the latest touch logged since the
/// item appeared, if any (looking that up reads the contact's touches from the table: most of the
/// time of a touch's refresh when they are not in memory).
pub async fn record_history(
    conn: &mut PgConnection,
    team_id: i64,
    decided: &[Decided],
    settled_by: Option<i64>,
) -> sqlx::Result<()> {
    if let [one] = decided {
        return record_one(conn, team_id, one, settled_by).await;
    }
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
        .bind(settled_by)
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

/// Stores that a contact has no item any more and keeps its history in step, in one statement:
/// the delete of `store::clear_item_sql!` and [`record_history`] for a decision without an item.
pub async fn clear_and_settle(
    conn: &mut PgConnection,
    team_id: i64,
    d: &Decided,
    settled_by: Option<i64>,
) -> sqlx::Result<()> {
    debug_assert!(
        d.item.is_none(),
        "a contact with an item is stored by an upsert"
    );
    let sql = if settled_by.is_some() {
        CLEAR_SETTLE_ONE_BY
    } else {
        CLEAR_SETTLE_ONE
    };
    settle_one_with(conn, sql, team_id, d, settled_by).await
}

/// [`record_history`] for one contact.
async fn record_one(
    conn: &mut PgConnection,
    team_id: i64,
    d: &Decided,
    settled_by: Option<i64>,
) -> sqlx::Result<()> {
    let sql = if settled_by.is_some() {
        SETTLE_ONE_BY
    } else {
        SETTLE_ONE
    };
    settle_one_with(conn, sql, team_id, d, settled_by).await?;
    if let Some(i) = d.item.as_ref() {
        sqlx::query(OPEN_ONE)
            .bind(team_id)
            .bind(d.kind.as_str())
            .bind(d.contact_id)
            .bind(d.owner_id)
            .bind(i.reason.as_str())
            .bind(i.strike.map(i16::from))
            .bind(i.suggested_approach.map(|a| a.as_str()))
            .bind(i.due_on)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// Runs one of the one-contact settling statements (`$1`..`$7`: team, kind, contact, the decided
/// reason, strike and approach, the touch that settles).
async fn settle_one_with(
    conn: &mut PgConnection,
    sql: &'static str,
    team_id: i64,
    d: &Decided,
    settled_by: Option<i64>,
) -> sqlx::Result<()> {
    let item = d.item.as_ref();
    sqlx::query(sql)
        .bind(team_id)
        .bind(d.kind.as_str())
        .bind(d.contact_id)
        .bind(item.map(|i| i.reason.as_str()))
        .bind(item.and_then(|i| i.strike).map(i16::from))
        .bind(item.and_then(|i| i.suggested_approach).map(|a| a.as_str()))
        .bind(settled_by)
        .execute(&mut *conn)
        .await
        .map(|_| ())
}
