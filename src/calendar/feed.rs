//! The feed's events: today's list as stored (with the items of teammates the user covers, marked)
//! and the next 14 days' dates the engine knows are coming (`due::engine::upcoming_for`) for the
//! user's own contacts and, on the days they cover for someone, that teammate's.

use std::collections::HashMap;

use chrono::{DateTime, Days, NaiveDate, Utc};
use icalendar::{Calendar, Component, Event, EventLike};
use sqlx::PgPool;

use crate::db::contacts::table;
use crate::db::users::User;
use crate::domain::cadence::{ContactKind, Reason};
use crate::due;
use crate::due::engine::{self, today_at};
use crate::web::views::contact_path;

/// Days after today the feed looks ahead.
pub const DAYS_AHEAD: u64 = 14;

/// One event of the feed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub kind: ContactKind,
    pub contact_id: i64,
    pub reason: Reason,
    pub date: NaiveDate,
    pub covering_for: Option<String>,
}

/// A contact's name and company, for the summary.
type Names = HashMap<(ContactKind, i64), (String, Option<String>)>;

async fn live_contacts(
    db: &PgPool,
    team_id: i64,
    owner: i64,
    kind: ContactKind,
) -> sqlx::Result<Vec<(i64, i64)>> {
    let ids: Vec<i64> = sqlx::query_scalar(&format!(
        "select id from {} where team_id = $1 and owner_id = $2 and archived_at is null and not do_not_contact",
        table(kind)
    ))
    .bind(team_id)
    .bind(owner)
    .fetch_all(db)
    .await?;
    Ok(ids.into_iter().map(|id| (id, owner)).collect())
}

/// The coming items of `owner`'s contacts on the days of `days` (inclusive).
async fn coming(
    db: &PgPool,
    team_id: i64,
    owner: i64,
    days: (NaiveDate, NaiveDate),
    now: DateTime<Utc>,
    covering_for: Option<&str>,
) -> sqlx::Result<Vec<Entry>> {
    let mut out = Vec::new();
    for kind in ContactKind::ALL {
        let pairs = live_contacts(db, team_id, owner, kind).await?;
        for (id, (reason, date)) in engine::upcoming_for(db, team_id, kind, &pairs, now).await? {
            if (days.0..=days.1).contains(&date) {
                out.push(Entry {
                    kind,
                    contact_id: id,
                    reason,
                    date,
                    covering_for: covering_for.map(String::from),
                });
            }
        }
    }
    Ok(out)
}

/// Every event of the user's feed at `now`, by date then reason.
pub async fn entries(db: &PgPool, user: &User, now: DateTime<Utc>) -> sqlx::Result<Vec<Entry>> {
    let today = today_at(now, user.tz());
    let last = today
        .checked_add_days(Days::new(DAYS_AHEAD))
        .unwrap_or(today);
    let first_ahead = today.succ_opt().unwrap_or(today);
    let list = due::today::for_date(db, user, today).await?;
    let mut out: Vec<Entry> = list
        .lines
        .into_iter()
        .filter_map(|l| {
            Some(Entry {
                kind: l.kind,
                contact_id: l.contact_id,
                reason: l.reason.parse().ok()?,
                date: today,
                covering_for: l.covering_for.map(|c| c.name),
            })
        })
        .collect();
    out.extend(coming(db, user.team_id, user.id, (first_ahead, last), now, None).await?);
    let covered: Vec<(i64, String, NaiveDate, NaiveDate)> = sqlx::query_as(
        "select a.user_id, u.name, a.from_date, a.to_date from away_periods a \
         join users u on u.id = a.user_id and u.team_id = a.team_id \
         where a.team_id = $1 and a.covered_by = $2 and u.active and a.from_date <= $4 and a.to_date >= $3 \
         order by a.from_date, a.user_id",
    )
    .bind(user.team_id)
    .bind(user.id)
    .bind(first_ahead)
    .bind(last)
    .fetch_all(db)
    .await?;
    for (absent, name, from, to) in covered {
        let days = (from.max(first_ahead), to.min(last));
        out.extend(coming(db, user.team_id, absent, days, now, Some(&name)).await?);
    }
    out.sort_by_key(|e| {
        (
            e.date,
            e.reason,
            e.covering_for.is_some(),
            e.kind.as_str(),
            e.contact_id,
        )
    });
    Ok(out)
}

/// The names and companies of the entries' contacts.
pub async fn names(db: &PgPool, team_id: i64, entries: &[Entry]) -> sqlx::Result<Names> {
    let mut names = Names::new();
    for kind in ContactKind::ALL {
        let ids: Vec<i64> = entries
            .iter()
            .filter(|e| e.kind == kind)
            .map(|e| e.contact_id)
            .collect();
        if ids.is_empty() {
            continue;
        }
        let rows: Vec<(i64, String, Option<String>)> = sqlx::query_as(&format!(
            "select c.id, c.name, co.name from {} c \
             left join companies co on co.team_id = c.team_id and co.id = c.company_id \
             where c.team_id = $1 and c.id = any($2)",
            table(kind)
        ))
        .bind(team_id)
        .bind(&ids)
        .fetch_all(db)
        .await?;
        for (id, name, company) in rows {
            names.insert((kind, id), (name, company));
        }
    }
    Ok(names)
}

/// The feed as iCalendar text. `link` makes a contact page's path absolute (None: no link).
pub fn ics(
    entries: &[Entry],
    names: &Names,
    user_name: &str,
    link: impl Fn(&str) -> Option<String>,
    now: DateTime<Utc>,
) -> String {
    let mut cal = Calendar::new();
    cal.name(&format!("Secondcall: {user_name}'s calls"));
    for e in entries {
        let Some((name, company)) = names.get(&(e.kind, e.contact_id)) else {
            continue;
        };
        let mut summary = format!("{}: {name}", e.reason.label());
        if let Some(c) = company {
            summary.push_str(&format!(" ({c})"));
        }
        if let Some(who) = &e.covering_for {
            summary.push_str(&format!(" — covering for {who}"));
        }
        let uid = format!(
            "{}-{}-{}-{}@secondcall",
            e.kind.as_str(),
            e.contact_id,
            e.reason.as_str(),
            e.date.format("%Y%m%d")
        );
        let mut event = Event::new();
        event
            .uid(&uid)
            .summary(&summary)
            .all_day(e.date)
            .timestamp(now);
        let mut description = format!("{} with {name}.", e.reason.label());
        if let Some(who) = &e.covering_for {
            description.push_str(&format!(" You cover for {who}."));
        }
        if let Some(url) = link(&contact_path(e.kind, e.contact_id)) {
            description.push_str(&format!("\n{url}"));
            event.url(&url);
        }
        event.description(&description);
        cal.push(event.done());
    }
    cal.done().to_string()
}
