//! What becomes of each row of an import, decided before anything is written: a new contact, an
//! update of an existing one's empty fields, a duplicate (of an existing contact or an earlier
//! row), a suppressed person, or an invalid row with the field and why. Pure: the team's
//! contacts and suppression list are read beforehand.

use std::collections::{HashMap, HashSet};

use super::columns::Field;
use crate::accounts::FieldError;
use crate::actions::input::ContactInput;
use crate::db::contacts::ContactWrite;
use crate::domain::cadence::ContactKind;
use crate::people::normalise;
use crate::people::suppression;

/// What to do with a row that matches an existing contact.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Policy {
    /// Leave the existing contact as it is.
    Skip,
    /// Fill the existing contact's empty fields from the row.
    Update,
}

impl Policy {
    pub fn parse(code: &str) -> Option<Policy> {
        match code {
            "skip" => Some(Policy::Skip),
            "update" => Some(Policy::Update),
            _ => None,
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            Policy::Skip => "skip",
            Policy::Update => "update",
        }
    }
}

/// A contact of the team as the duplicate check sees it.
#[derive(Debug, Clone)]
pub struct Existing {
    pub id: i64,
    pub name: String,
    pub email: String,
    pub phone: String,
    pub title: String,
    pub source: String,
    pub company_id: Option<i64>,
    pub company: Option<String>,
    pub do_not_contact: bool,
    /// Archived ones are duplicates, never updated.
    pub archived: bool,
}

/// Whom a duplicate row duplicates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Of {
    Contact { id: i64, name: String },
    Row(usize),
}

/// The fields a row fills, validated; the company by name.
#[derive(Debug, Clone)]
pub struct RowContact {
    pub write: ContactWrite,
    pub company: Option<String>,
}

/// What becomes of one row.
#[derive(Debug, Clone)]
pub enum Verdict {
    New(RowContact),
    Update { id: i64, row: RowContact },
    Duplicate(Of),
    Suppressed,
    Invalid(Vec<FieldError>),
}

/// The row's key values for matching.
#[derive(Debug, Default, Clone)]
struct Keys {
    email: Option<String>,
    phone: Option<String>,
    name_at: Option<(String, String)>,
}

fn keys_of(name: &str, email: &str, phone: &str, company: Option<&str>) -> Keys {
    Keys {
        email: normalise::email(email),
        phone: normalise::phone(phone),
        name_at: company
            .map(normalise::words)
            .filter(|c| !c.is_empty())
            .map(|c| (normalise::words(name), c)),
    }
}

/// Where each key was seen: an existing contact (index into the list) or a row of the file.
#[derive(Debug, Clone, Copy)]
enum Seen {
    Contact(usize),
    Row(usize),
}

/// Checks rows one after the other (a row is compared with the team and the rows before it).
pub struct Planner<'a> {
    kind: ContactKind,
    owner_id: i64,
    policy: Policy,
    mapping: Vec<Field>,
    headers: &'a [String],
    existing: Vec<Existing>,
    by_email: HashMap<String, Seen>,
    by_phone: HashMap<String, Seen>,
    by_name_at: HashMap<(String, String), Seen>,
    suppressed: &'a suppression::List,
    /// Contacts a row already updates (a later row matching one is a duplicate).
    updated: HashSet<i64>,
}

impl<'a> Planner<'a> {
    /// Why: the team's contacts are indexed once, then thousands of rows are checked.
    pub fn new(
        (kind, owner_id, policy): (ContactKind, i64, Policy),
        headers: &'a [String],
        mapping: Vec<Field>,
        existing: Vec<Existing>,
        suppressed: &'a suppression::List,
    ) -> Self {
        let mut p = Self {
            kind,
            owner_id,
            policy,
            mapping,
            headers,
            existing: Vec::new(),
            by_email: HashMap::new(),
            by_phone: HashMap::new(),
            by_name_at: HashMap::new(),
            suppressed,
            updated: HashSet::new(),
        };
        for (i, e) in existing.iter().enumerate() {
            let k = keys_of(&e.name, &e.email, &e.phone, e.company.as_deref());
            p.remember(&k, Seen::Contact(i));
        }
        p.existing = existing;
        p
    }

    fn remember(&mut self, k: &Keys, seen: Seen) {
        if let Some(e) = &k.email {
            self.by_email.entry(e.clone()).or_insert(seen);
        }
        if let Some(ph) = &k.phone {
            self.by_phone.entry(ph.clone()).or_insert(seen);
        }
        if let Some(n) = &k.name_at {
            self.by_name_at.entry(n.clone()).or_insert(seen);
        }
    }

    fn find(&self, k: &Keys) -> Option<Seen> {
        k.email
            .as_ref()
            .and_then(|e| self.by_email.get(e))
            .or_else(|| k.phone.as_ref().and_then(|p| self.by_phone.get(p)))
            .or_else(|| k.name_at.as_ref().and_then(|n| self.by_name_at.get(n)))
            .copied()
    }

    /// The row's fields as typed (name from first and last names when there is no name column).
    fn input_of(&self, cells: &[String]) -> (ContactInput, Option<String>) {
        let mut input = ContactInput {
            owner_id: Some(self.owner_id),
            ..ContactInput::default()
        };
        let (mut first, mut last, mut company, mut notes) =
            (String::new(), String::new(), None, Vec::new());
        for (i, field) in self.mapping.iter().enumerate() {
            let value = cells.get(i).map(|c| c.trim()).unwrap_or_default();
            if value.is_empty() {
                continue;
            }
            let v = value.to_string();
            match field {
                Field::Name => input.name = v,
                Field::FirstName => first = v,
                Field::LastName => last = v,
                Field::Company => company = Some(v),
                Field::Title => input.title = v,
                Field::Email => input.email = v,
                Field::Phone => input.phone = v,
                Field::Source => input.source = v,
                Field::TalkingPoints => notes.insert(0, v),
                Field::Note => notes.push(format!(
                    "{}: {v}",
                    self.headers.get(i).map_or("Note", |h| h.as_str())
                )),
                Field::Temperature => input.temperature = v.to_lowercase(),
                Field::Ignore => {}
            }
        }
        if input.name.is_empty() {
            input.name = format!("{first} {last}").trim().to_string();
        }
        input.talking_points = notes.join("\n");
        (input, company)
    }

    /// Decides one row and remembers it for the rows after it.
    pub fn check(&mut self, row: usize, cells: &[String]) -> Verdict {
        let (input, company) = self.input_of(cells);
        let long_company = company.as_ref().is_some_and(|c| c.chars().count() > 200);
        let company_error =
            || FieldError::new("company", "Keep the company name under 200 characters.");
        let write = match input.parse(self.kind, self.owner_id) {
            Ok(w) if !long_company => w,
            Ok(_) => return Verdict::Invalid(vec![company_error()]),
            Err(mut errors) => {
                if long_company {
                    errors.push(company_error());
                }
                return Verdict::Invalid(errors);
            }
        };
        let keys = keys_of(&write.name, &write.email, &write.phone, company.as_deref());
        if self
            .suppressed
            .holds(keys.email.as_deref(), keys.phone.as_deref())
        {
            return Verdict::Suppressed;
        }
        let row_contact = RowContact { write, company };
        match self.find(&keys) {
            Some(Seen::Row(r)) => Verdict::Duplicate(Of::Row(r)),
            Some(Seen::Contact(i)) => self.against(i, row_contact),
            None => {
                self.remember(&keys, Seen::Row(row));
                Verdict::New(row_contact)
            }
        }
    }

    /// A row matching an existing contact: suppressed when they are do-not-contact; an update
    /// when asked and some empty field gets a value; else a duplicate.
    fn against(&mut self, i: usize, row: RowContact) -> Verdict {
        let e = &self.existing[i];
        if e.do_not_contact {
            return Verdict::Suppressed;
        }
        let w = &row.write;
        let fills = (e.title.is_empty() && !w.title.is_empty())
            || (e.email.is_empty() && !w.email.is_empty())
            || (e.phone.is_empty() && !w.phone.is_empty())
            || (e.source.is_empty() && !w.source.is_empty())
            || (e.company_id.is_none() && row.company.is_some());
        if self.policy == Policy::Update && !e.archived && fills && self.updated.insert(e.id) {
            return Verdict::Update { id: e.id, row };
        }
        Verdict::Duplicate(Of::Contact {
            id: e.id,
            name: e.name.clone(),
        })
    }
}
