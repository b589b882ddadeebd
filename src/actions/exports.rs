//! The CSV exports of contacts and touches (page and API alike): every field, a header row, and
//! cells a spreadsheet opens safely (`spreadsheet::Sheet`). A manager exports the team's, anyone
//! else their own.

use chrono::{Days, NaiveDate};

use super::{ActionError, ActionResult, Ctx};
use crate::accounts::FieldError;
use crate::db::contacts::{self, ListFilter};
use crate::db::facts::end_of_day;
use crate::db::users::User;
use crate::domain::cadence::ContactKind;
use crate::due::engine::today_at;
use crate::spreadsheet::Sheet;

/// Rows read at a time from the contacts list.
const BATCH: i64 = 5_000;
/// The longest range of one touches export.
const MAX_DAYS: i64 = 3 * 366;

fn sheet_error(e: csv::Error) -> ActionError {
    ActionError::Internal(format!("csv: {e}"))
}

fn yes_no(b: bool) -> &'static str {
    if b { "yes" } else { "no" }
}

const CONTACT_HEADER: [&str; 19] = [
    "id",
    "kind",
    "name",
    "title",
    "company",
    "email",
    "phone",
    "temperature",
    "owner",
    "source",
    "talking_points",
    "email_opt_out",
    "do_not_contact",
    "last_touch_at",
    "due_reason",
    "due_on",
    "created_at",
    "updated_at",
    "company_id",
];

/// The contacts of one kind (not archived) as CSV, by name.
pub async fn contacts_csv(cx: &Ctx<'_>, user: &User, kind: ContactKind) -> ActionResult<Vec<u8>> {
    let mut sheet = Sheet::new(&CONTACT_HEADER).map_err(sheet_error)?;
    let mut filter = ListFilter {
        owner_id: (!user.is_manager()).then_some(user.id),
        limit: BATCH,
        ..ListFilter::default()
    };
    loop {
        let rows = contacts::list(cx.db, user.team_id, kind, &filter).await?;
        for c in &rows {
            let cells = [
                c.id.to_string(),
                kind.as_str().to_string(),
                c.name.clone(),
                c.title.clone(),
                c.company_name.clone().unwrap_or_default(),
                c.email.clone(),
                c.phone.clone(),
                c.temperature
                    .map(|t| t.as_str().to_string())
                    .unwrap_or_default(),
                c.owner_name.clone(),
                c.source.clone(),
                c.talking_points.clone(),
                yes_no(c.email_opt_out).into(),
                yes_no(c.do_not_contact).into(),
                c.last_touch_at.map(|t| t.to_rfc3339()).unwrap_or_default(),
                c.due_reason
                    .map(|r| r.as_str().to_string())
                    .unwrap_or_default(),
                c.due_on.map(|d| d.to_string()).unwrap_or_default(),
                c.created_at.to_rfc3339(),
                c.updated_at.to_rfc3339(),
                c.company_id.map(|i| i.to_string()).unwrap_or_default(),
            ];
            sheet
                .row(cells.iter().map(String::as_str))
                .map_err(sheet_error)?;
        }
        match rows.last() {
            Some(last) if rows.len() as i64 == BATCH => {
                filter.after = Some((last.name.clone(), last.id));
            }
            _ => break,
        }
    }
    sheet.finish().map_err(sheet_error)
}

/// The dates of a touches export: `from` and `to` (the user's local dates, inclusive); by default
/// the last 90 days up to today.
pub fn touch_range(
    user: &User,
    cx: &Ctx<'_>,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
) -> ActionResult<(NaiveDate, NaiveDate)> {
    let today = today_at(cx.now, user.tz());
    let to = to.unwrap_or(today);
    let from = from.unwrap_or_else(|| to.checked_sub_days(Days::new(90)).unwrap_or(to));
    if to < from {
        return Err(FieldError::new("to", "The end date comes before the start date.").into());
    }
    if (to - from).num_days() > MAX_DAYS {
        return Err(FieldError::new("from", "Export at most three years at a time.").into());
    }
    Ok((from, to))
}

const TOUCH_HEADER: [&str; 18] = [
    "id",
    "occurred_at",
    "contact_kind",
    "contact_id",
    "contact_name",
    "company",
    "author_id",
    "author",
    "channel",
    "direction",
    "outcome",
    "notes",
    "next_step_on",
    "approach",
    "referrals",
    "referral_names",
    "created_at",
    "updated_at",
];

/// The touches between two local dates (inclusive) as CSV, oldest first.
pub async fn touches_csv(
    cx: &Ctx<'_>,
    user: &User,
    (from, to): (NaiveDate, NaiveDate),
) -> ActionResult<Vec<u8>> {
    let tz = user.tz();
    let start = end_of_day(from.pred_opt().unwrap_or(from), tz);
    let until = end_of_day(to, tz);
    let scope = (!user.is_manager()).then_some(user.id);
    let rows = crate::db::exports::touches(cx.db, user.team_id, scope, (start, until)).await?;
    let mut sheet = Sheet::new(&TOUCH_HEADER).map_err(sheet_error)?;
    for t in rows {
        let cells = [
            t.id.to_string(),
            t.occurred_at.with_timezone(&tz).to_rfc3339(),
            t.contact_kind,
            t.contact_id.to_string(),
            t.contact_name,
            t.company_name.unwrap_or_default(),
            t.author_id.to_string(),
            t.author_name,
            t.channel,
            t.direction,
            t.outcome,
            t.notes,
            t.next_step_on.map(|d| d.to_string()).unwrap_or_default(),
            t.approach,
            t.referrals.to_string(),
            t.referral_names,
            t.created_at.to_rfc3339(),
            t.updated_at.to_rfc3339(),
        ];
        sheet
            .row(cells.iter().map(String::as_str))
            .map_err(sheet_error)?;
    }
    sheet.finish().map_err(sheet_error)
}

/// A file name for a download: `secondcall-<what>-<date>.csv`.
pub fn file_name(what: &str, date: NaiveDate) -> String {
    format!("attachment; filename=\"secondcall-{what}-{date}.csv\"")
}
