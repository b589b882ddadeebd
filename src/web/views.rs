//! View models shared by several pages: the log-touch form, a touch line, the kind in URLs.

use std::sync::LazyLock;

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use serde::Deserialize;

use crate::actions::input::TouchInput;
use crate::db::touches::Touch;
use crate::domain::cadence::{Approach, Channel, ContactKind, Direction, Outcome};
use crate::web::fmt;
use crate::web::forms::FormErrors;

/// The kind of contact as it appears in URLs: `/contacts/decision-makers/12`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub enum KindSlug {
    #[serde(rename = "decision-makers")]
    DecisionMakers,
    #[serde(rename = "candidates")]
    Candidates,
}

impl KindSlug {
    /// The engine's kind.
    pub fn kind(self) -> ContactKind {
        match self {
            KindSlug::DecisionMakers => ContactKind::DecisionMaker,
            KindSlug::Candidates => ContactKind::Candidate,
        }
    }
    /// The URL segment of a kind.
    pub fn of(kind: ContactKind) -> &'static str {
        match kind {
            ContactKind::DecisionMaker => "decision-makers",
            ContactKind::Candidate => "candidates",
        }
    }
}

/// The path of a contact's page.
pub fn contact_path(kind: ContactKind, id: i64) -> String {
    format!("/contacts/{}/{id}", KindSlug::of(kind))
}

/// Options of a select: (code, words).
pub type Options = Vec<(&'static str, &'static str)>;

/// Channels, outcomes, directions and approaches for the touch forms.
pub static CHANNELS: LazyLock<Options> =
    LazyLock::new(|| fmt::options(&Channel::ALL, Channel::as_str, Channel::label));
pub static OUTCOMES: LazyLock<Options> =
    LazyLock::new(|| fmt::options(&Outcome::ALL, Outcome::as_str, Outcome::label));
pub static DIRECTIONS: LazyLock<Options> =
    LazyLock::new(|| fmt::options(&Direction::ALL, Direction::as_str, Direction::label));
pub static APPROACHES: LazyLock<Options> =
    LazyLock::new(|| fmt::options(&Approach::ALL, Approach::as_str, Approach::label));

/// The log-touch form: four fields on Today, every field on the contact page.
#[derive(Debug, Clone)]
pub struct LogForm {
    pub action: String,
    pub return_to: String,
    /// Makes element ids unique when many forms share a page.
    pub prefix: String,
    pub full: bool,
    pub channel: String,
    pub direction: String,
    pub outcome: String,
    pub occurred_local: String,
    pub next_step_on: String,
    pub notes: String,
    pub approach: String,
    pub referrals: String,
    pub referral_names: String,
    /// The date suggested for the next step after a conversation (yyyy-mm-dd) and in words.
    pub suggested_next: String,
    pub suggested_next_words: String,
    pub errors: FormErrors,
    /// The words on the button.
    pub submit: &'static str,
    pub channels: &'static Options,
    pub outcomes: &'static Options,
    pub directions: &'static Options,
    pub approaches: &'static Options,
}

impl LogForm {
    /// An empty form for a contact, with the suggested channel preselected.
    pub fn new(
        kind: ContactKind,
        id: i64,
        return_to: &str,
        channel: &str,
        suggested_next: NaiveDate,
        today: NaiveDate,
    ) -> Self {
        Self {
            action: format!("{}/touches", contact_path(kind, id)),
            return_to: return_to.to_string(),
            prefix: format!("{}-{id}", kind.as_str()),
            full: false,
            channel: channel.to_string(),
            direction: "outbound".into(),
            outcome: String::new(),
            occurred_local: String::new(),
            next_step_on: String::new(),
            notes: String::new(),
            approach: "standard".into(),
            referrals: String::new(),
            referral_names: String::new(),
            suggested_next: suggested_next.to_string(),
            suggested_next_words: fmt::day(suggested_next, today),
            errors: FormErrors::default(),
            submit: "Log touch",
            channels: &CHANNELS,
            outcomes: &OUTCOMES,
            directions: &DIRECTIONS,
            approaches: &APPROACHES,
        }
    }

    /// The form re-shown with what the user typed and the problem. A missing next step after a
    /// conversation is prefilled with the suggested date: one more click saves it.
    pub fn reshow(mut self, typed: &TouchForm, errors: FormErrors) -> Self {
        self.channel.clone_from(&typed.channel);
        self.direction.clone_from(&typed.direction);
        self.outcome.clone_from(&typed.outcome);
        self.occurred_local.clone_from(&typed.occurred_local);
        self.next_step_on.clone_from(&typed.next_step_on);
        if errors.has("next_step_on") && self.next_step_on.is_empty() {
            self.next_step_on.clone_from(&self.suggested_next);
        }
        self.notes.clone_from(&typed.notes);
        self.approach.clone_from(&typed.approach);
        self.referrals.clone_from(&typed.referrals);
        self.referral_names.clone_from(&typed.referral_names);
        self.errors = errors;
        self.full = self.full || typed.full;
        self
    }
}

/// The log-touch form as posted (all strings, so anything typed can be re-shown).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct TouchForm {
    #[serde(default)]
    pub channel: String,
    #[serde(default)]
    pub direction: String,
    #[serde(default)]
    pub outcome: String,
    #[serde(default)]
    pub occurred_local: String,
    #[serde(default)]
    pub next_step_on: String,
    #[serde(default)]
    pub notes: String,
    #[serde(default)]
    pub approach: String,
    #[serde(default)]
    pub referrals: String,
    #[serde(default)]
    pub referral_names: String,
    #[serde(default)]
    pub return_to: String,
    #[serde(default)]
    pub full: bool,
}

impl TouchForm {
    /// The shared input type; dates and numbers that do not parse become field errors.
    pub fn to_input(&self) -> Result<TouchInput, crate::accounts::FieldError> {
        use crate::accounts::FieldError;
        let next_step_on =
            match self.next_step_on.trim() {
                "" => None,
                s => Some(s.parse().map_err(|_| {
                    FieldError::new("next_step_on", "Give the next step as a date.")
                })?),
            };
        let referrals = match self.referrals.trim() {
            "" => None,
            s => Some(
                s.parse()
                    .map_err(|_| FieldError::new("referrals", "Referrals are a count, e.g. 2."))?,
            ),
        };
        Ok(TouchInput {
            channel: self.channel.clone(),
            direction: self.direction.clone(),
            outcome: self.outcome.clone(),
            occurred_at: None,
            occurred_local: Some(self.occurred_local.clone()),
            notes: self.notes.clone(),
            next_step_on,
            approach: self.approach.clone(),
            referrals,
            referral_names: self.referral_names.clone(),
        })
    }
}

/// A touch as one line of a timeline or of Today's "last touches".
#[derive(Debug, Clone)]
pub struct TouchLine {
    pub id: i64,
    pub when: String,
    pub summary: String,
    pub notes: String,
    pub author: String,
    pub next_step: Option<String>,
    pub deleted: bool,
    pub corrected: bool,
    pub editable: bool,
}

impl TouchLine {
    /// Words for a touch: "Call · outbound · Connected".
    pub fn of(t: &Touch, tz: Tz, today: NaiveDate, viewer: i64) -> Self {
        let mut summary = format!(
            "{} · {} · {}",
            t.channel.label(),
            t.direction.label(),
            t.outcome.label()
        );
        if t.approach != Approach::Standard {
            summary.push_str(&format!(" · {}", t.approach.label()));
        }
        if t.referrals > 0 {
            summary.push_str(&format!(
                " · {} referral{}",
                t.referrals,
                if t.referrals == 1 { "" } else { "s" }
            ));
        }
        Self {
            id: t.id,
            when: fmt::moment(t.occurred_at, tz, today),
            summary,
            notes: t.notes.clone(),
            author: t.author_name.clone(),
            next_step: t.next_step_on.map(|d| fmt::day(d, today)),
            deleted: t.deleted_at.is_some(),
            corrected: t.revisions > 0,
            editable: t.author_id == viewer && t.deleted_at.is_none(),
        }
    }
}

/// The local datetime-local value of an instant ("2026-11-20T14:30").
pub fn datetime_local(t: DateTime<Utc>, tz: Tz) -> String {
    t.with_timezone(&tz).format("%Y-%m-%dT%H:%M").to_string()
}
