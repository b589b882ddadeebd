//! The contact form (new and edit): as posted, as shown, and parsed into the shared input.

use serde::Deserialize;

use crate::actions::input::ContactInput;
use crate::db::contacts::Contact;
use crate::db::users::User;
use crate::domain::cadence::{ContactKind, Temperature};
use crate::web::forms::FormErrors;

/// The form as posted: strings and checkboxes, so anything typed can be shown again.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ContactForm {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub company_id: String,
    #[serde(default)]
    pub email: String,
    #[serde(default)]
    pub phone: String,
    #[serde(default)]
    pub owner_id: String,
    #[serde(default)]
    pub temperature: String,
    #[serde(default)]
    pub source: String,
    #[serde(default)]
    pub talking_points: String,
    #[serde(default)]
    pub email_opt_out: Option<String>,
    #[serde(default)]
    pub do_not_contact: Option<String>,
}

impl ContactForm {
    /// The form filled from a stored contact (the edit form).
    pub fn of(c: &Contact) -> Self {
        Self {
            name: c.name.clone(),
            title: c.title.clone(),
            company_id: c.company_id.map(|i| i.to_string()).unwrap_or_default(),
            email: c.email.clone(),
            phone: c.phone.clone(),
            owner_id: c.owner_id.to_string(),
            temperature: c
                .temperature
                .map(|t| t.as_str().to_string())
                .unwrap_or_default(),
            source: c.source.clone(),
            talking_points: c.talking_points.clone(),
            email_opt_out: c.email_opt_out.then(|| "on".into()),
            do_not_contact: c.do_not_contact.then(|| "on".into()),
        }
    }

    /// The shared input; an id field that is not a number is reported on that field.
    pub fn to_input(&self, errors: &mut FormErrors) -> ContactInput {
        let mut id = |field: &'static str, raw: &str| match raw.trim() {
            "" => None,
            s => s
                .parse::<i64>()
                .map_err(|_| errors.set(field, "Choose from the list."))
                .ok(),
        };
        ContactInput {
            company_id: id("company_id", &self.company_id),
            owner_id: id("owner_id", &self.owner_id),
            name: self.name.clone(),
            title: self.title.clone(),
            email: self.email.clone(),
            phone: self.phone.clone(),
            temperature: self.temperature.clone(),
            source: self.source.clone(),
            talking_points: self.talking_points.clone(),
            email_opt_out: self.email_opt_out.is_some(),
            do_not_contact: self.do_not_contact.is_some(),
        }
    }

    /// Whether a checkbox is ticked, for the template.
    pub fn ticked(v: &Option<String>) -> bool {
        v.is_some()
    }
}

/// What the form's selects offer.
#[derive(Debug, Clone)]
pub struct FormChoices {
    pub is_dm: bool,
    pub companies: Vec<(String, String)>,
    pub owners: Vec<(String, String)>,
    pub temperatures: Vec<(&'static str, &'static str)>,
}

impl FormChoices {
    /// Companies and active teammates of the team.
    pub fn new(kind: ContactKind, companies: Vec<(i64, String)>, owners: &[User]) -> Self {
        Self {
            is_dm: kind == ContactKind::DecisionMaker,
            companies: companies
                .into_iter()
                .map(|(id, n)| (id.to_string(), n))
                .collect(),
            owners: owners
                .iter()
                .filter(|u| u.active)
                .map(|u| (u.id.to_string(), u.name.clone()))
                .collect(),
            temperatures: Temperature::ALL
                .iter()
                .map(|t| (t.as_str(), t.label()))
                .collect(),
        }
    }
}
