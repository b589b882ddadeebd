//! Small builders so each scenario reads like the rule it checks.

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;

use crate::domain::cadence::*;

pub fn d(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

/// Mid-afternoon UTC: the same calendar date in UTC, New York and Berlin.
pub fn at(day: &str) -> DateTime<Utc> {
    format!("{day}T15:00:00Z").parse().unwrap()
}

pub fn instant(s: &str) -> DateTime<Utc> {
    s.parse().unwrap()
}

pub fn touch(day: &str, channel: Channel, direction: Direction, outcome: Outcome) -> TouchFact {
    TouchFact {
        id: 0,
        at: at(day),
        channel,
        direction,
        outcome,
        next_step_on: None,
        approach: Approach::Standard,
    }
}

pub fn call(day: &str, outcome: Outcome) -> TouchFact {
    touch(day, Channel::Call, Direction::Outbound, outcome)
}

pub fn no_answer(day: &str) -> TouchFact {
    call(day, Outcome::NoAnswer)
}

pub fn email(day: &str) -> TouchFact {
    touch(day, Channel::Email, Direction::Outbound, Outcome::Sent)
}

pub fn reply(day: &str) -> TouchFact {
    touch(day, Channel::Email, Direction::Inbound, Outcome::Replied)
}

pub trait TouchExt {
    fn promising(self, day: &str) -> Self;
    fn with_approach(self, approach: Approach) -> Self;
    fn at_instant(self, s: &str) -> Self;
}

impl TouchExt for TouchFact {
    fn promising(mut self, day: &str) -> Self {
        self.next_step_on = Some(d(day));
        self
    }
    fn with_approach(mut self, approach: Approach) -> Self {
        self.approach = approach;
        self
    }
    fn at_instant(mut self, s: &str) -> Self {
        self.at = instant(s);
        self
    }
}

pub fn contact(kind: ContactKind, touches: Vec<TouchFact>) -> ContactFacts {
    ContactFacts {
        kind,
        temperature: Temperature::Warm,
        active: true,
        do_not_contact: false,
        email_opt_out: false,
        has_email: true,
        has_phone: true,
        touches,
        sign_off_triggers: Vec::new(),
        news_logged: Vec::new(),
        in_active_pipeline: false,
        snooze: None,
    }
}

pub fn dm(touches: Vec<TouchFact>) -> ContactFacts {
    contact(ContactKind::DecisionMaker, touches)
}

pub fn candidate(touches: Vec<TouchFact>) -> ContactFacts {
    contact(ContactKind::Candidate, touches)
}

pub fn decide_in(facts: &ContactFacts, tz: Tz, today: &str) -> Option<DueItem> {
    decide(facts, &Settings::default(), tz, d(today))
}

pub fn decide_on(facts: &ContactFacts, today: &str) -> Option<DueItem> {
    decide_in(facts, chrono_tz::UTC, today)
}

/// The reason and due date shown on `today`, the two things most scenarios check.
pub fn due_on(facts: &ContactFacts, today: &str) -> Option<(Reason, NaiveDate)> {
    decide_on(facts, today).map(|item| (item.reason, item.due_on))
}

pub fn due(reason: Reason, day: &str) -> Option<(Reason, NaiveDate)> {
    Some((reason, d(day)))
}
