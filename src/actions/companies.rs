//! Companies and their news: logging an event makes a call due for everyone at the company.

use chrono::NaiveDate;

use super::{ActionError, ActionResult, Ctx};
use crate::accounts::{FieldError, parse_name};
use crate::db::companies::{self, Event};
use crate::db::contacts;
use crate::db::users::User;
use crate::domain::cadence::EventKind;
use crate::due::engine;

/// A company's fields as typed.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct CompanyInput {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub website: String,
    #[serde(default)]
    pub notes: String,
}

/// Parsed company fields: (name, website, notes).
pub fn parse(input: &CompanyInput) -> Result<(String, String, String), FieldError> {
    let name = parse_name("name", &input.name)?;
    let website = input.website.trim().to_string();
    if website.chars().count() > 300 || website.contains(char::is_whitespace) {
        return Err(FieldError::new(
            "website",
            "Give a web address without spaces, e.g. https://example.com.",
        ));
    }
    if input.notes.chars().count() > 10_000 {
        return Err(FieldError::new(
            "notes",
            "Keep the notes under 10,000 characters.",
        ));
    }
    Ok((name, website, input.notes.trim().to_string()))
}

/// An event as typed.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct EventInput {
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub summary: String,
    #[serde(default)]
    pub occurred_on: Option<NaiveDate>,
}

/// Logs company news and makes a call due, today, for every active contact at the company \[004\].
pub async fn log_event(
    cx: &Ctx<'_>,
    user: &User,
    company_id: i64,
    input: &EventInput,
) -> ActionResult<Event> {
    let Ok(kind) = input.kind.trim().parse::<EventKind>() else {
        return Err(FieldError::new(
            "kind",
            "Choose what happened: new leader, move, funding, layoffs, acquisition or other.",
        )
        .into());
    };
    let summary = input.summary.trim();
    if summary.is_empty() || summary.chars().count() > 500 {
        return Err(FieldError::new(
            "summary",
            "Say in a line what happened (up to 500 characters).",
        )
        .into());
    }
    let today = engine::today_at(cx.now, user.tz());
    let occurred_on = input.occurred_on.unwrap_or(today);
    if occurred_on > today {
        return Err(FieldError::new("occurred_on", "News is logged once it has happened.").into());
    }
    let mut tx = cx.db.begin().await?;
    if !companies::exists(&mut *tx, user.team_id, company_id).await? {
        return Err(ActionError::NotFound);
    }
    let event = companies::insert_event(
        &mut tx,
        user.team_id,
        company_id,
        kind,
        summary,
        occurred_on,
        user.id,
    )
    .await?;
    let at_company = contacts::ids_at_company(&mut tx, user.team_id, company_id).await?;
    for lock in engine::lock_contacts(&mut tx, &at_company).await? {
        engine::refresh_contact(&mut tx, user.team_id, &lock, (cx.now, user.tz())).await?;
    }
    tx.commit().await?;
    Ok(event)
}
