//! The words of a due item: the short script hint and the "why" line on the Today page.

use chrono::NaiveDate;

use super::codes::{Approach, Channel, Reason, Temperature};

/// What a rule found, kept as plain data so the sentence is only written for the item shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Why {
    /// A sign-off trigger was logged on this date.
    ProcessEnded(NaiveDate),
    /// A DM's only attempt, and the promise if one is open.
    FirstAttempt {
        channel: Channel,
        on: NaiveDate,
        promised: Option<NaiveDate>,
    },
    /// The open promise's date.
    Promised(NaiveDate),
    /// Company news was logged on this date.
    NewsLogged(NaiveDate),
    /// Attempts since the latest response.
    Unanswered {
        count: usize,
        since: NaiveDate,
        phone_only: bool,
    },
    /// The unanswered strikes so far.
    Strikes {
        first: (Channel, NaiveDate),
        second: Option<(Channel, NaiveDate)>,
    },
    /// The latest attempt of a DM's cycle.
    LastAttempt {
        on: NaiveDate,
        temperature: Temperature,
        days: u32,
    },
}

/// Writes the "why" line, e.g. "First call was 6 days ago".
pub(super) fn why_text(why: Why, today: NaiveDate) -> String {
    match why {
        Why::ProcessEnded(on) => format!("Their process ended {}", short(on)),
        Why::FirstAttempt {
            channel,
            on,
            promised,
        } => {
            let first = format!("First {} was {}", noun(channel), ago(on, today));
            match promised {
                Some(p) => format!("{first}; promised for {}", short(p)),
                None => first,
            }
        }
        Why::Promised(on) => format!("Promised for {}", short(on)),
        Why::NewsLogged(on) => format!("Company news logged {}", short(on)),
        Why::Unanswered {
            count,
            since,
            phone_only,
        } => {
            let what = if phone_only { "calls" } else { "attempts" };
            format!("{count} {what} unanswered since {}", short(since))
        }
        Why::Strikes { first, second } => strikes_text(first, second),
        Why::LastAttempt {
            on,
            temperature,
            days,
        } => format!(
            "Last reached out {}; {} contacts every {days} days",
            ago(on, today),
            temperature.as_str()
        ),
    }
}

fn strikes_text(first: (Channel, NaiveDate), second: Option<(Channel, NaiveDate)>) -> String {
    let earlier = format!("the {} on {}", noun(first.0), short(first.1));
    match second {
        None => format!("Strike 2 of 3: no answer to {earlier}"),
        Some((channel, on)) => format!(
            "Strike 3 of 3: no answer to {earlier} or the {} on {}",
            noun(channel),
            short(on)
        ),
    }
}

/// A date the way the pages show it: "Tue 3 Nov".
pub(super) fn short(on: NaiveDate) -> String {
    on.format("%a %-d %b").to_string()
}

fn ago(on: NaiveDate, today: NaiveDate) -> String {
    match (today - on).num_days() {
        ..=0 => "today".to_owned(),
        1 => "yesterday".to_owned(),
        n => format!("{n} days ago"),
    }
}

fn noun(channel: Channel) -> &'static str {
    match channel {
        Channel::Call | Channel::Voicemail => "call",
        Channel::Email => "email",
        Channel::Text => "text",
        Channel::Meeting => "meeting",
        Channel::Linkedin => "LinkedIn message",
        Channel::Note => "note",
    }
}

/// Picks the one-line reminder of what to say for the item shown.
pub(super) fn script_hint(
    reason: Reason,
    strike: Option<u8>,
    approach: Option<Approach>,
    channel: Channel,
) -> &'static str {
    match reason {
        Reason::SignOff => SIGN_OFF,
        Reason::SecondCall => SECOND_CALL,
        Reason::PromisedFollowUp => PROMISED,
        Reason::CompanyNews => NEWS,
        Reason::GoneDark => gone_dark_hint(approach),
        Reason::ThreeStrikes => strike_hint(strike, channel),
        Reason::ContactCycle => CYCLE,
    }
}

fn gone_dark_hint(approach: Option<Approach>) -> &'static str {
    match approach {
        Some(Approach::ValueAdd) => VALUE_ADD,
        Some(Approach::OtherContact) => OTHER_CONTACT,
        _ => DROPPED_THE_BALL,
    }
}

fn strike_hint(strike: Option<u8>, channel: Channel) -> &'static str {
    match (strike, channel) {
        (Some(3), _) => STRIKE_THREE,
        (_, Channel::Email) => STRIKE_TWO_EMAIL,
        _ => STRIKE_TWO_OTHER,
    }
}

const SIGN_OFF: &str = "Tell them yourself before anyone else does; ask what their ideal next step \
     would be and whether they would move for the right role, then ask who they know who would fit.";
const SECOND_CALL: &str = "Build on your first conversation with a reason to call: a role you are \
     filling or a candidate you are marketing; ask for job orders and names.";
const PROMISED: &str = "You agreed this date, so keep it: pick up where you left off and set the \
     next step before you hang up.";
const NEWS: &str = "Call about their news while it is fresh: ask what it changes for their team \
     and offer something that helps.";
const DROPPED_THE_BALL: &str = "Take the blame: say you must have let something slip and ask for \
     frank feedback on what went wrong.";
const VALUE_ADD: &str = "Stop chasing and bring something useful instead: news about their market, \
     an insight or a strong candidate.";
const OTHER_CONTACT: &str = "Go around the silence: reach another decision maker at the company \
     and ask what has changed.";
const STRIKE_TWO_EMAIL: &str = "Introduce yourself and your firm, say where you came across their \
     name, sum up the role, ask who else might fit, and end with your number and a way to opt out.";
const STRIKE_TWO_OTHER: &str = "Try a different way in: who you are, where you came across their \
     name, the role in one line, and how to reach you.";
const STRIKE_THREE: &str = "Mention your earlier call and email, follow up on the role and ask \
     whether other openings would interest them; after this try the next move is theirs.";
const CYCLE: &str = "Call with a real reason, not just to check in: a role you are filling, a \
     candidate you are marketing or news that matters to them; ask for job orders and names.";

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::cadence::tests::support::d;

    #[test]
    fn dates_read_like_the_pages_show_them() {
        assert_eq!(short(d("2026-11-03")), "Tue 3 Nov");
    }

    #[test]
    fn the_why_line_uses_plain_words() {
        let today = d("2026-11-09");
        let first = Why::FirstAttempt {
            channel: Channel::Voicemail,
            on: d("2026-11-03"),
            promised: None,
        };
        assert_eq!(why_text(first, today), "First call was 6 days ago");
        let dark = Why::Unanswered {
            count: 3,
            since: d("2026-10-12"),
            phone_only: true,
        };
        assert_eq!(why_text(dark, today), "3 calls unanswered since Mon 12 Oct");
        assert_eq!(
            why_text(Why::Promised(d("2026-11-03")), today),
            "Promised for Tue 3 Nov"
        );
    }

    #[test]
    fn strike_two_by_email_gets_the_introduction_hint() {
        let hint = script_hint(Reason::ThreeStrikes, Some(2), None, Channel::Email);
        assert_eq!(hint, STRIKE_TWO_EMAIL);
        let hint = script_hint(Reason::ThreeStrikes, Some(3), None, Channel::Call);
        assert_eq!(hint, STRIKE_THREE);
    }
}
