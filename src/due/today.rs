//! A user's due list for a date: the stored list when it was built for that date, else computed
//! now from the facts known up to that date's end (the API's `GET /due`), followed within each
//! reason by the lists of the teammates the user covers on that date (DOMAIN.md, "Cover").

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use sqlx::PgPool;

use crate::db::users::User;
use crate::db::{contacts, settings};
use crate::domain::cadence::{ContactKind, Reason};
use crate::due;
use crate::due::engine;
use crate::due::listed::ListedItem;
use crate::due::store::Decided;

/// One line of a due list, stored or computed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    pub kind: ContactKind,
    pub contact_id: i64,
    pub name: String,
    pub reason: String,
    pub due_on: NaiveDate,
    pub overdue_days: i64,
    pub suggested_channel: String,
    pub suggested_approach: Option<String>,
    pub strike: Option<i16>,
    pub script_hint: String,
    pub why: String,
    /// The absent teammate whose item this is, on a coverer's list.
    pub covering_for: Option<CoveringFor>,
}

/// Whose item a coverer is seeing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CoveringFor {
    pub user_id: i64,
    pub name: String,
}

/// A list for a date; `built_at` is set when it is the stored list, `None` when computed.
#[derive(Debug, Clone)]
pub struct DueList {
    pub date: NaiveDate,
    pub built_at: Option<DateTime<Utc>>,
    pub lines: Vec<Line>,
}

/// More than anyone can call in a day; the stored list is read whole.
const WHOLE_LIST: i64 = 100_000;

/// The list of `owner` for `date`, in due-list order, with the items of every teammate `owner`
/// covers on `date` after `owner`'s own items of the same reason (read from the absent teammate's
/// list, stored or computed alike, never copied).
pub async fn for_date(db: &PgPool, owner: &User, date: NaiveDate) -> sqlx::Result<DueList> {
    let mut list = own_list(db, owner, date).await?;
    let covered = crate::db::away::covered_on(db, owner.team_id, owner.id, date).await?;
    if covered.is_empty() {
        return Ok(list);
    }
    for c in covered {
        let Some(absent) = crate::db::users::find_in_team(db, owner.team_id, c.user_id).await?
        else {
            continue;
        };
        let theirs = own_list(db, &absent, date).await?;
        let mark = CoveringFor {
            user_id: c.user_id,
            name: c.name,
        };
        list.lines.extend(theirs.lines.into_iter().map(|mut l| {
            l.covering_for = Some(mark.clone());
            l
        }));
    }
    // stable: the owner's items, then each absent teammate's, within each reason
    list.lines.sort_by_key(|l| l.reason.parse::<Reason>().ok());
    Ok(list)
}

/// One user's own list for `date`.
async fn own_list(db: &PgPool, owner: &User, date: NaiveDate) -> sqlx::Result<DueList> {
    let state = due::listed::list_state(db, owner.team_id, owner.id).await?;
    if let Some((list_date, built_at)) = state.filter(|(d, _)| *d == date) {
        let items =
            due::listed::list_items(db, owner.team_id, owner.id, None, 0, WHOLE_LIST).await?;
        return Ok(DueList {
            date: list_date,
            built_at: Some(built_at),
            lines: items.into_iter().map(|i| stored(i, date)).collect(),
        });
    }
    let settings = settings::load(db, owner.team_id).await?;
    let mut conn = db.acquire().await?;
    let mut decided = engine::compute_user(&mut conn, owner, &settings, date).await?;
    decided.retain(|d| d.item.is_some());
    decided.sort_by_key(|d| {
        let item = d.item.as_ref().map(|i| (i.reason, i.due_on));
        (item, d.temperature, d.kind.as_str(), d.contact_id)
    });
    let names = names_of(&mut conn, owner.team_id, &decided).await?;
    let lines = decided
        .into_iter()
        .filter_map(|d| {
            let name = names.get(&(d.kind, d.contact_id)).cloned()?;
            computed(d, name)
        })
        .collect();
    Ok(DueList {
        date,
        built_at: None,
        lines,
    })
}

async fn names_of(
    conn: &mut sqlx::PgConnection,
    team_id: i64,
    decided: &[Decided],
) -> sqlx::Result<HashMap<(ContactKind, i64), String>> {
    let mut names = HashMap::new();
    for kind in ContactKind::ALL {
        let ids: Vec<i64> = decided
            .iter()
            .filter(|d| d.kind == kind)
            .map(|d| d.contact_id)
            .collect();
        if ids.is_empty() {
            continue;
        }
        for (id, name) in contacts::names(&mut *conn, team_id, kind, &ids).await? {
            names.insert((kind, id), name);
        }
    }
    Ok(names)
}

fn stored(i: ListedItem, date: NaiveDate) -> Line {
    Line {
        kind: i.contact_kind,
        contact_id: i.contact_id,
        name: i.name,
        reason: i.reason.as_str().into(),
        due_on: i.due_on,
        overdue_days: (date - i.due_on).num_days().max(0),
        suggested_channel: i.suggested_channel.as_str().into(),
        suggested_approach: i.suggested_approach.map(|a| a.as_str().into()),
        strike: i.strike,
        script_hint: i.script_hint,
        why: i.why,
        covering_for: None,
    }
}

fn computed(d: Decided, name: String) -> Option<Line> {
    let item = d.item?;
    Some(Line {
        kind: d.kind,
        contact_id: d.contact_id,
        name,
        reason: item.reason.as_str().into(),
        due_on: item.due_on,
        overdue_days: item.overdue_days,
        suggested_channel: item.suggested_channel.as_str().into(),
        suggested_approach: item.suggested_approach.map(|a| a.as_str().into()),
        strike: item.strike.map(i16::from),
        script_hint: item.script_hint.into(),
        why: item.why,
        covering_for: None,
    })
}
