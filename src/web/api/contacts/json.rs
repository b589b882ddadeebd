//! The JSON of decision makers and candidates: the contact as answered, its fields as sent, and
//! the list's filters.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Deserializer, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::accounts::FieldError;
use crate::actions::input::ContactInput;
use crate::db::contacts::Contact;
use crate::domain::cadence::{ContactKind, Reason, Temperature};
use crate::text::SearchText;

/// A decision maker or candidate, with where it stands in the follow-up cycle.
#[derive(Debug, Serialize, ToSchema)]
pub struct ContactJson {
    pub id: i64,
    /// `decision_maker` or `candidate`.
    pub kind: String,
    pub name: String,
    pub title: String,
    /// The DM's company, or the candidate's current employer.
    pub company_id: Option<i64>,
    pub company_name: Option<String>,
    pub email: String,
    pub phone: String,
    pub owner_id: i64,
    pub owner_name: String,
    /// `hot`, `warm` or `cold`; decision makers only (absent for candidates).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub temperature: Option<String>,
    pub source: String,
    pub talking_points: String,
    pub email_opt_out: bool,
    pub do_not_contact: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// The latest touch by anyone in the team.
    pub last_touch_at: Option<DateTime<Utc>>,
    /// The reason of the contact's item on its owner's current due list; null when nothing is
    /// due now.
    pub due_reason: Option<String>,
    /// When a follow-up is next due: the current item's due date if there is one, else the
    /// earliest coming due date by the cadence rules as of the owner's today (`cadence::upcoming`,
    /// computed for a whole page at once, never a query per row); null when nothing is coming
    /// (never attempted, do not contact, three strikes closed).
    pub next_due_on: Option<NaiveDate>,
    /// The reason `next_due_on` is for.
    pub next_due_reason: Option<String>,
}

impl ContactJson {
    /// The answer for a stored contact and what comes next for it (if nothing is due now).
    pub fn new(
        kind: ContactKind,
        c: Contact,
        upcoming: &HashMap<i64, (Reason, NaiveDate)>,
    ) -> Self {
        let next = match (&c.due_reason, c.due_on) {
            (Some(reason), Some(on)) => Some((reason.as_str().to_string(), on)),
            _ => upcoming
                .get(&c.id)
                .map(|(r, on)| (r.as_str().to_string(), *on)),
        };
        let (next_due_reason, next_due_on) = next.unzip();
        Self {
            id: c.id,
            kind: kind.as_str().into(),
            name: c.name,
            title: c.title,
            company_id: c.company_id,
            company_name: c.company_name,
            email: c.email,
            phone: c.phone,
            owner_id: c.owner_id,
            owner_name: c.owner_name,
            temperature: c.temperature.map(|t| t.as_str().to_string()),
            source: c.source,
            talking_points: c.talking_points,
            email_opt_out: c.email_opt_out,
            do_not_contact: c.do_not_contact,
            created_at: c.created_at,
            updated_at: c.updated_at,
            last_touch_at: c.last_touch_at,
            due_reason: c.due_reason.map(|r| r.as_str().to_string()),
            next_due_on,
            next_due_reason,
        }
    }
}

/// A page of contacts by name; `next` is the cursor of the following page, null at the end.
#[derive(Debug, Serialize, ToSchema)]
pub struct ContactPage {
    pub items: Vec<ContactJson>,
    pub next: Option<String>,
}

/// A contact's fields: to create (`name` required; `owner_id` defaults to the caller), or any
/// subset to update (merged with the stored contact, then checked like a new one). Empty strings
/// clear text fields; `company_id: null` clears the company. `company_id` and `owner_id` must be
/// of the caller's team: otherwise 422 naming the field.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ContactFields {
    pub name: Option<String>,
    pub title: Option<String>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<i64>)]
    pub company_id: Option<Option<i64>>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub owner_id: Option<i64>,
    /// `hot`, `warm` or `cold` (default `cold`); decision makers only: a 422 for candidates.
    pub temperature: Option<String>,
    pub source: Option<String>,
    pub talking_points: Option<String>,
    pub email_opt_out: Option<bool>,
    pub do_not_contact: Option<bool>,
}

/// A field that is present, even as `null` (which then means "clear it").
pub fn present<'de, D: Deserializer<'de>, T: Deserialize<'de>>(
    d: D,
) -> Result<Option<T>, D::Error> {
    T::deserialize(d).map(Some)
}

impl ContactFields {
    /// Overlays the given fields on `base` (the stored contact, or empty for a new one).
    pub fn over(self, kind: ContactKind, base: ContactInput) -> Result<ContactInput, FieldError> {
        if kind == ContactKind::Candidate && self.temperature.is_some() {
            return Err(FieldError::new(
                "temperature",
                "Candidates have no temperature.",
            ));
        }
        Ok(ContactInput {
            name: self.name.unwrap_or(base.name),
            title: self.title.unwrap_or(base.title),
            company_id: self.company_id.unwrap_or(base.company_id),
            email: self.email.unwrap_or(base.email),
            phone: self.phone.unwrap_or(base.phone),
            owner_id: self.owner_id.or(base.owner_id),
            temperature: self.temperature.unwrap_or(base.temperature),
            source: self.source.unwrap_or(base.source),
            talking_points: self.talking_points.unwrap_or(base.talking_points),
            email_opt_out: self.email_opt_out.unwrap_or(base.email_opt_out),
            do_not_contact: self.do_not_contact.unwrap_or(base.do_not_contact),
        })
    }
}

/// The stored contact as input, so a PATCH changes only what it names.
pub fn input_of(c: &Contact) -> ContactInput {
    ContactInput {
        name: c.name.clone(),
        title: c.title.clone(),
        company_id: c.company_id,
        email: c.email.clone(),
        phone: c.phone.clone(),
        owner_id: Some(c.owner_id),
        temperature: c
            .temperature
            .map(|t| t.as_str().to_string())
            .unwrap_or_default(),
        source: c.source.clone(),
        talking_points: c.talking_points.clone(),
        email_opt_out: c.email_opt_out,
        do_not_contact: c.do_not_contact,
    }
}

/// Filters and paging of a contacts list. An `owner_id` or `company_id` that is not the team's
/// answers 404, as a missing one does.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ContactQuery {
    /// Matched anywhere in the name, email, phone or company name; at most 200 characters.
    #[param(value_type = Option<String>, max_length = 200)]
    pub q: Option<SearchText>,
    pub owner_id: Option<i64>,
    /// `hot`, `warm` or `cold` (decision makers only).
    pub temperature: Option<String>,
    /// true: only contacts with an item on their owner's list; false: only those without.
    pub due: Option<bool>,
    pub company_id: Option<i64>,
    /// 1 to 500, default 50 (more is a 422).
    pub limit: Option<i64>,
    /// The `next` of the previous page.
    pub cursor: Option<String>,
}

impl ContactQuery {
    /// The temperature filter, checked (decision makers only).
    pub fn temperature(&self, kind: ContactKind) -> Result<Option<String>, FieldError> {
        let Some(t) = self.temperature.as_deref() else {
            return Ok(None);
        };
        if kind == ContactKind::Candidate {
            return Err(FieldError::new(
                "temperature",
                "Candidates have no temperature.",
            ));
        }
        t.parse::<Temperature>()
            .map(|t| Some(t.as_str().to_string()))
            .map_err(|_| FieldError::new("temperature", "Choose hot, warm or cold."))
    }
}
