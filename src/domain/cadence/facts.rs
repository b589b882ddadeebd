//! The facts about one contact that the rules read, and the due item they produce.

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;

use super::codes::{Approach, Channel, ContactKind, Direction, Outcome, Reason, Temperature};

/// One logged touch of a contact, by anyone in the team: a colleague's call counts too.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TouchFact {
    /// Row id, used only to order touches logged at the same instant.
    pub id: i64,
    /// When it happened (`occurred_at`, may be back-dated); it falls on the owner's local date.
    pub at: DateTime<Utc>,
    /// The medium.
    pub channel: Channel,
    /// Who started it.
    pub direction: Direction,
    /// What it achieved.
    pub outcome: Outcome,
    /// The next step date the recruiter agreed, which becomes the open promise.
    pub next_step_on: Option<NaiveDate>,
    /// The angle used, so a contact who went dark gets a different one.
    pub approach: Approach,
}

impl TouchFact {
    /// An outbound try to reach them; bounced emails and wrong numbers never reached the person.
    #[must_use]
    pub fn is_attempt(&self) -> bool {
        self.direction == Direction::Outbound
            && self.channel != Channel::Note
            && !matches!(self.outcome, Outcome::Bounced | Outcome::WrongNumber)
    }

    /// A sign of life from them: they reached us, we spoke or met, or they replied.
    #[must_use]
    pub fn is_response(&self) -> bool {
        let inbound = self.direction == Direction::Inbound && self.channel != Channel::Note;
        let spoke = self.direction == Direction::Outbound
            && matches!(self.channel, Channel::Call | Channel::Meeting)
            && self.outcome == Outcome::Connected;
        inbound || spoke || self.outcome == Outcome::Replied
    }

    /// Calls and voicemails are the same medium for settling and for varying the channel.
    #[must_use]
    pub fn is_phone(&self) -> bool {
        self.channel.is_phone()
    }
}

/// A recruiter's decision to put a contact's item aside until a later date.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Snooze {
    /// The reason snoozed: it and every reason ranked below it stay hidden.
    pub reason: Reason,
    /// The date the item comes back (moved to a working day).
    pub until: NaiveDate,
    /// When it was set: any attempt or response after this ends the snooze.
    pub created_at: DateTime<Utc>,
}

/// Everything the rules need to know about one contact as of a date, gathered by one query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContactFacts {
    /// Decision maker or candidate: they follow different rules.
    pub kind: ContactKind,
    /// Meaningful for DMs; candidates carry `Warm`.
    pub temperature: Temperature,
    /// False for an archived contact: nothing is due.
    pub active: bool,
    /// Nothing is ever due for them.
    pub do_not_contact: bool,
    /// Email is never suggested.
    pub email_opt_out: bool,
    /// Whether an email address is on file.
    pub has_email: bool,
    /// Whether a phone number is on file.
    pub has_phone: bool,
    /// Every touch up to the end of the as-of date; the rules do not rely on their order.
    pub touches: Vec<TouchFact>,
    /// When each sign-off trigger was logged (a presented+ application rejected, or its job closed).
    pub sign_off_triggers: Vec<DateTime<Utc>>,
    /// When each event of their company (or current employer) was logged.
    pub news_logged: Vec<DateTime<Utc>>,
    /// A candidate with an application in screening..=offer can go dark.
    pub in_active_pipeline: bool,
    /// The latest snooze of this contact, if any.
    pub snooze: Option<Snooze>,
}

/// One line of a recruiter's due list: who is owed what, since when, and how to go about it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DueItem {
    /// Why the contact is due; also the list's first sort key.
    pub reason: Reason,
    /// The date it fell due (a working day).
    pub due_on: NaiveDate,
    /// Calendar days from `due_on` to today, never negative.
    pub overdue_days: i64,
    /// The channel to use: the phone first, email only when allowed, never a twice-ignored one.
    pub suggested_channel: Channel,
    /// For `gone_dark`: the change of approach to try.
    pub suggested_approach: Option<Approach>,
    /// For `three_strikes`: which strike is due (2 or 3).
    pub strike: Option<u8>,
    /// A one-line reminder of what to say.
    pub script_hint: &'static str,
    /// Plain words for the Today page, e.g. "First call was 6 days ago".
    pub why: String,
}
