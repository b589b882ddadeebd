//! How to go about a due item: the channel, the change of approach for someone gone dark, and the
//! next step date the log-touch form proposes.

use chrono::NaiveDate;

use super::calendar::days_after;
use super::codes::{Approach, Channel, ContactKind, Reason, Temperature};
use super::facts::{ContactFacts, TouchFact};
use super::settings::Settings;

/// Working days until the proposed next step with a hot DM: an open job order needs momentum.
pub const HOT_NEXT_STEP_WORKING_DAYS: u32 = 3;

/// The longest wait proposed for a warm DM: two weeks, or their cycle if it is shorter.
pub const WARM_NEXT_STEP_MAX_DAYS: u32 = 14;

/// Working days until the proposed next step with a candidate: about a week.
pub const CANDIDATE_NEXT_STEP_WORKING_DAYS: u32 = 5;

/// Where the search for a channel goes after a reason's own preference: the phone first \[004\].
const FALLBACK: [Channel; 5] = [
    Channel::Call,
    Channel::Email,
    Channel::Linkedin,
    Channel::Text,
    Channel::Meeting,
];

/// The date the log-touch form proposes after a connected call, so every conversation ends with a
/// next step [003, 004]: sooner for warmer DMs, always a working day after `today`.
#[must_use]
pub fn suggest_next_step(
    kind: ContactKind,
    temperature: Temperature,
    settings: &Settings,
    today: NaiveDate,
) -> NaiveDate {
    let cal = settings.calendar();
    match (kind, temperature) {
        (ContactKind::Candidate, _) => {
            cal.add_working_days(today, CANDIDATE_NEXT_STEP_WORKING_DAYS)
        }
        (ContactKind::DecisionMaker, Temperature::Hot) => {
            cal.add_working_days(today, HOT_NEXT_STEP_WORKING_DAYS)
        }
        (ContactKind::DecisionMaker, Temperature::Warm) => {
            let days = settings.interval_warm.clamp(1, WARM_NEXT_STEP_MAX_DAYS);
            cal.next_working_day_on_or_after(days_after(today, days))
        }
        (ContactKind::DecisionMaker, Temperature::Cold) => {
            let days = settings.interval_cold.max(1);
            cal.next_working_day_on_or_after(days_after(today, days))
        }
    }
}

/// [002, 004] The first of "dropped the ball", "bring value", "another contact" that neither of
/// the last two unanswered attempts used: repeating what failed is pointless.
pub(super) fn change_of_approach(unanswered: &[&TouchFact]) -> Approach {
    let recent: Vec<Approach> = unanswered
        .iter()
        .rev()
        .take(2)
        .map(|t| t.approach)
        .collect();
    [
        Approach::DroppedTheBall,
        Approach::ValueAdd,
        Approach::OtherContact,
    ]
    .into_iter()
    .find(|a| !recent.contains(a))
    // Unreachable: two attempts can rule out at most two of the three approaches.
    .unwrap_or(Approach::DroppedTheBall)
}

/// Picks the channel: the reason's preference, then the phone, email, LinkedIn, text, a meeting;
/// skipping what the contact cannot receive and a channel that went unanswered twice in a row.
pub(super) fn channel(
    facts: &ContactFacts,
    unanswered: &[&TouchFact],
    reason: Reason,
    strike: Option<u8>,
) -> Channel {
    let blocked = twice_unanswered(unanswered);
    preference(reason, strike, unanswered)
        .iter()
        .copied()
        .chain(FALLBACK)
        .find(|c| reachable(facts, *c) && blocked.is_none_or(|b| !same_medium(b, *c)))
        // Unreachable: LinkedIn and meetings are always reachable and cannot both be blocked.
        .unwrap_or(Channel::Linkedin)
}

/// \[000\] Strike 2 goes by email, unless strike 1 already was an email: then vary, by phone.
fn preference(reason: Reason, strike: Option<u8>, unanswered: &[&TouchFact]) -> &'static [Channel] {
    let first_was_email = unanswered
        .first()
        .is_some_and(|t| t.channel == Channel::Email);
    match (reason, strike) {
        (Reason::ThreeStrikes, Some(2)) if first_was_email => &[Channel::Call, Channel::Email],
        (Reason::ThreeStrikes, Some(2)) => &[Channel::Email, Channel::Call],
        _ => &[Channel::Call],
    }
}

/// The medium of the last two unanswered attempts, when they shared one.
fn twice_unanswered(unanswered: &[&TouchFact]) -> Option<Channel> {
    match unanswered {
        [.., before, last] if same_medium(before.channel, last.channel) => Some(last.channel),
        _ => None,
    }
}

fn same_medium(a: Channel, b: Channel) -> bool {
    a == b || (a.is_phone() && b.is_phone())
}

/// Whether the contact can be reached that way: a number on file, an email they did not opt out of.
fn reachable(facts: &ContactFacts, channel: Channel) -> bool {
    match channel {
        Channel::Call | Channel::Voicemail | Channel::Text => facts.has_phone,
        Channel::Email => facts.has_email && !facts.email_opt_out,
        Channel::Linkedin | Channel::Meeting => true,
        Channel::Note => false,
    }
}
