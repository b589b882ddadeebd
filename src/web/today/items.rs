//! The rows of Today and the one opened item: its details, its log form and its snooze form.

use std::collections::HashMap;

use chrono::{Duration, NaiveDate};

use super::{Ask, Group, ItemRef};
use crate::db::settings::TeamSettings;
use crate::db::today::Row;
use crate::domain::cadence::{Approach, Settings, Temperature, suggest_next_step};
use crate::due::listed::{self, ListedItem};
use crate::error::AppResult;
use crate::web::extract::CurrentUser;
use crate::web::fmt;
use crate::web::views::{LogForm, TouchLine, contact_path};

/// One due item as a compact row.
pub struct ItemView {
    pub anchor: String,
    pub path: String,
    pub name: String,
    pub company: Option<String>,
    pub temperature: Option<(&'static str, &'static str)>,
    pub reason_label: &'static str,
    pub why: String,
    pub overdue: String,
    pub overdue_days: i64,
    pub channel: &'static str,
    pub phone: String,
    pub tel: String,
    /// On a coverer's list: the absent teammate whose item it is.
    pub covering_for: Option<String>,
    /// The URL that opens this item.
    pub open_url: String,
    /// Just logged or snoozed from this page, and still on the list.
    pub done: bool,
    /// The details and forms, on the opened item only.
    pub opened: Option<OpenItem>,
}

impl ItemView {
    /// Whether this row is the opened one.
    pub fn is_open(&self) -> bool {
        self.opened.is_some()
    }
}

/// What the opened item adds to its row.
pub struct OpenItem {
    pub title: String,
    pub company_path: Option<String>,
    pub approach: Option<&'static str>,
    pub strike: Option<i16>,
    pub hint: String,
    pub talking_points: String,
    pub email: Option<String>,
    pub last: Vec<TouchLine>,
    pub log: LogForm,
    /// Where the forms lead back to: the list with the next item opened.
    pub return_to: String,
    pub snooze_min: String,
    pub snooze_default: String,
}

/// The opened item's details, if the asked-for item is on this page.
pub async fn opened(
    tx: &mut sqlx::PgConnection,
    user: &CurrentUser,
    rows: &[Row],
    ask: &Ask,
    (covered, settings): (&[i64], &TeamSettings),
    today: NaiveDate,
) -> AppResult<Option<(ItemRef, OpenItem)>> {
    let refs: Vec<ItemRef> = rows.iter().map(item_ref).collect();
    let Some(open) = ask.open else {
        return Ok(None);
    };
    let Some(at) = refs.iter().position(|r| *r == open) else {
        return Ok(None);
    };
    let whose: Vec<i64> = std::iter::once(user.id)
        .chain(covered.iter().copied())
        .collect();
    let Some((item, last)) =
        listed::opened(&mut *tx, user.team_id, &whose, (open.kind, open.id), 3).await?
    else {
        return Ok(None);
    };
    // back to the list at the next item (the previous one at the end of the page)
    let next = refs
        .get(at + 1)
        .or_else(|| at.checked_sub(1).and_then(|p| refs.get(p)));
    let return_to = match next {
        Some(n) => format!("{}&done={open}#{n}", ask.url(Some(*n))),
        None => ask.url(None),
    };
    let tz = user.tz();
    let last = last
        .iter()
        .map(|t| TouchLine::of(t, tz, today, user.id))
        .collect();
    Ok(Some((
        open,
        open_item(item, ask, &settings.cadence, today, return_to, last),
    )))
}

/// The rows grouped by reason, in list order, the opened item with its details.
pub fn groups(
    rows: Vec<Row>,
    ask: &Ask,
    mut opened: Option<(ItemRef, OpenItem)>,
    covered_names: &HashMap<i64, &str>,
    today: NaiveDate,
) -> Vec<Group> {
    let mut groups: Vec<Group> = Vec::new();
    for row in rows {
        let item = item_ref(&row);
        let owner = row.user_id;
        let mut view = row_view(row, ask, today);
        view.covering_for = covered_names.get(&owner).map(|n| (*n).to_string());
        view.done = ask.done == Some(item);
        if opened.as_ref().is_some_and(|(o, _)| *o == item) {
            view.opened = opened.take().map(|(_, o)| o);
        }
        match groups.last_mut() {
            Some(g) if g.label == view.reason_label => g.items.push(view),
            _ => groups.push(Group {
                label: view.reason_label,
                items: vec![view],
            }),
        }
    }
    groups
}

pub(super) fn item_ref(row: &Row) -> ItemRef {
    ItemRef {
        kind: row.contact_kind,
        id: row.contact_id,
    }
}

fn row_view(row: Row, ask: &Ask, today: NaiveDate) -> ItemView {
    let item = item_ref(&row);
    let overdue_days = (today - row.due_on).num_days().max(0);
    ItemView {
        anchor: item.to_string(),
        path: contact_path(row.contact_kind, row.contact_id),
        company: row.company_name,
        temperature: row.temperature.map(|t| (t.as_str(), t.label())),
        reason_label: row.reason.label(),
        why: row.why,
        overdue: fmt::overdue(overdue_days),
        overdue_days,
        channel: row.suggested_channel.label(),
        tel: tel(&row.phone),
        phone: row.phone,
        covering_for: None,
        open_url: ask.url(Some(item)),
        done: false,
        opened: None,
        name: row.name,
    }
}

/// The digits (and a leading `+`) of a phone number, for a `tel:` link.
fn tel(phone: &str) -> String {
    phone
        .chars()
        .filter(|c| c.is_ascii_digit() || *c == '+')
        .collect()
}

fn open_item(
    row: ListedItem,
    ask: &Ask,
    settings: &Settings,
    today: NaiveDate,
    return_to: String,
    last: Vec<TouchLine>,
) -> OpenItem {
    let kind = row.contact_kind;
    // a candidate has no temperature, and the proposed date of a candidate does not read one
    let temperature = row.temperature.unwrap_or(Temperature::Warm);
    let next = suggest_next_step(kind, temperature, settings, today);
    let channel = ask.channel.unwrap_or(row.suggested_channel);
    let log = match &ask.reshow {
        Some(form) => form.clone(),
        None => LogForm::new(
            kind,
            row.contact_id,
            &return_to,
            channel.as_str(),
            next,
            today,
        ),
    };
    OpenItem {
        title: row.title,
        company_path: row.company_id.map(|id| format!("/companies/{id}")),
        approach: row.suggested_approach.map(Approach::label),
        strike: row.strike,
        hint: row.script_hint,
        talking_points: row.talking_points,
        email: (!row.email_opt_out && !row.email.is_empty()).then_some(row.email),
        last,
        log,
        return_to,
        snooze_min: (today + Duration::days(1)).to_string(),
        snooze_default: (today + Duration::days(7)).to_string(),
    }
}
