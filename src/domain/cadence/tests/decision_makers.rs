//! \[003\] \[004\] Decision makers: the second call and the contact cycle.

use std::collections::BTreeSet;

use super::support::*;
use crate::domain::cadence::*;

#[test]
fn second_call_is_due_five_working_days_after_the_only_attempt() {
    // [003] 86% of recruiters never make the second call.
    let facts = dm(vec![no_answer("2026-11-02")]);
    assert_eq!(due_on(&facts, "2026-11-06"), None);
    let item = decide_on(&facts, "2026-11-09").unwrap();
    assert_eq!(
        (item.reason, item.due_on),
        (Reason::SecondCall, d("2026-11-09"))
    );
    assert_eq!(item.suggested_channel, Channel::Call);
    assert_eq!(item.why, "First call was 7 days ago");
}

#[test]
fn second_call_counts_working_days_after_a_saturday_attempt() {
    // [003] "N working days after D" is the Nth working day strictly after D, whatever D is.
    let facts = dm(vec![email("2026-11-07")]);
    assert_eq!(
        due_on(&facts, "2026-11-13"),
        due(Reason::SecondCall, "2026-11-13")
    );
    assert_eq!(due_on(&facts, "2026-11-12"), None);
}

#[test]
fn second_call_skips_team_holidays() {
    // [003] a holiday is not a working day.
    let settings = Settings {
        holidays: BTreeSet::from([d("2026-11-04")]),
        ..Settings::default()
    };
    let facts = dm(vec![no_answer("2026-11-02")]);
    let item = decide(&facts, &settings, chrono_tz::UTC, d("2026-11-10")).unwrap();
    assert_eq!(
        (item.reason, item.due_on),
        (Reason::SecondCall, d("2026-11-10"))
    );
    assert_eq!(
        decide(&facts, &settings, chrono_tz::UTC, d("2026-11-09")),
        None
    );
}

#[test]
fn second_call_is_due_on_the_promised_date_when_one_was_agreed() {
    // [003] diarise the next call after every conversation; sooner or later than five days.
    let soon = dm(vec![
        call("2026-11-02", Outcome::Connected).promising("2026-11-04"),
    ]);
    assert_eq!(
        due_on(&soon, "2026-11-04"),
        due(Reason::SecondCall, "2026-11-04")
    );
    let late = dm(vec![
        call("2026-11-02", Outcome::Connected).promising("2026-11-20"),
    ]);
    assert_eq!(due_on(&late, "2026-11-19"), None);
    assert_eq!(
        due_on(&late, "2026-11-20"),
        due(Reason::SecondCall, "2026-11-20")
    );
}

#[test]
fn second_call_is_settled_by_a_second_attempt_from_anyone() {
    // [003] any second attempt by the team counts.
    let facts = dm(vec![no_answer("2026-11-02"), email("2026-11-10")]);
    assert_eq!(due_on(&facts, "2026-11-12"), None);
}

#[test]
fn bounced_emails_and_wrong_numbers_are_not_attempts() {
    // docs/rules.md "Words": they never reached the person.
    let never_reached = dm(vec![
        touch(
            "2026-11-02",
            Channel::Email,
            Direction::Outbound,
            Outcome::Bounced,
        ),
        call("2026-11-03", Outcome::WrongNumber),
    ]);
    assert_eq!(due_on(&never_reached, "2026-12-31"), None);
    let mut once = never_reached.clone();
    once.touches.push(no_answer("2026-11-04"));
    assert_eq!(
        due_on(&once, "2026-11-11"),
        due(Reason::SecondCall, "2026-11-11")
    );
}

#[test]
fn notes_and_inbound_touches_are_not_attempts() {
    // docs/rules.md "Words": only our outbound touches are attempts.
    let facts = dm(vec![
        touch(
            "2026-11-02",
            Channel::Note,
            Direction::Outbound,
            Outcome::Sent,
        ),
        touch(
            "2026-11-03",
            Channel::Call,
            Direction::Inbound,
            Outcome::Connected,
        ),
    ]);
    assert_eq!(due_on(&facts, "2026-12-31"), None);
}

#[test]
fn contact_cycle_is_due_the_warm_interval_after_the_latest_attempt() {
    // [003] 90-day cycle, warmer sooner; [004] reminders every 2-3 months. Sun 1 Nov -> Mon 2.
    let facts = dm(vec![no_answer("2026-09-30"), email("2026-10-02")]);
    assert_eq!(due_on(&facts, "2026-10-30"), None);
    let item = decide_on(&facts, "2026-11-02").unwrap();
    assert_eq!(
        (item.reason, item.due_on),
        (Reason::ContactCycle, d("2026-11-02"))
    );
    assert_eq!(
        item.why,
        "Last reached out 31 days ago; warm contacts every 30 days"
    );
}

#[test]
fn hotter_decision_makers_come_round_sooner() {
    // [003] the client with a requirement gets the next call sooner than the cold one.
    let mut facts = dm(vec![no_answer("2026-09-30"), email("2026-10-02")]);
    facts.temperature = Temperature::Hot;
    assert_eq!(
        due_on(&facts, "2026-10-16"),
        due(Reason::ContactCycle, "2026-10-16")
    );
    facts.temperature = Temperature::Cold;
    assert_eq!(due_on(&facts, "2026-12-30"), None);
    assert_eq!(
        due_on(&facts, "2026-12-31"),
        due(Reason::ContactCycle, "2026-12-31")
    );
}

#[test]
fn candidates_have_no_contact_cycle() {
    // [003] the cycle is for decision makers.
    let facts = candidate(vec![reply("2026-01-05"), no_answer("2026-01-06")]);
    assert_eq!(due_on(&facts, "2026-12-31"), None);
}

#[test]
fn a_decision_maker_who_only_called_us_is_not_in_the_cycle() {
    // [003] never attempted: they are the pool for new DMs, not the cycle.
    let facts = dm(vec![touch(
        "2026-01-05",
        Channel::Call,
        Direction::Inbound,
        Outcome::Connected,
    )]);
    assert_eq!(due_on(&facts, "2026-12-31"), None);
}
