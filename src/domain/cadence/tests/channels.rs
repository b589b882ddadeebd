//! \[000\] \[004\] Which channel to suggest, and the next step date the form proposes.

use std::collections::BTreeSet;

use super::support::*;
use crate::domain::cadence::*;

fn channel_on(facts: &ContactFacts, today: &str) -> Channel {
    decide_on(facts, today).unwrap().suggested_channel
}

#[test]
fn the_phone_is_preferred() {
    // [004] use the telephone whenever possible.
    let facts = dm(vec![
        email("2026-09-30"),
        email("2026-10-02").with_approach(Approach::ValueAdd),
    ]);
    assert_eq!(channel_on(&facts, "2026-11-02"), Channel::Call);
}

#[test]
fn a_channel_unanswered_twice_in_a_row_is_not_suggested_again() {
    // [000] vary the approach; a call and a voicemail are the same phone.
    let twice = dm(vec![
        no_answer("2026-09-30"),
        touch(
            "2026-10-02",
            Channel::Voicemail,
            Direction::Outbound,
            Outcome::VoicemailLeft,
        ),
    ]);
    assert_eq!(channel_on(&twice, "2026-11-02"), Channel::Email);
    let mut opted_out = twice.clone();
    opted_out.email_opt_out = true;
    assert_eq!(channel_on(&opted_out, "2026-11-02"), Channel::Linkedin);
}

#[test]
fn a_response_resets_the_unanswered_channel() {
    // [000] only unanswered attempts count against a channel.
    let facts = dm(vec![
        no_answer("2026-09-28"),
        no_answer("2026-09-29"),
        reply("2026-09-30"),
        no_answer("2026-10-02"),
    ]);
    assert_eq!(channel_on(&facts, "2026-11-02"), Channel::Call);
}

#[test]
fn email_is_never_suggested_to_someone_who_opted_out_or_has_no_address() {
    // [000] honour "remove" replies.
    let mut facts = dm(vec![no_answer("2026-09-30"), no_answer("2026-10-02")]);
    facts.has_phone = false;
    facts.email_opt_out = true;
    assert_eq!(channel_on(&facts, "2026-11-02"), Channel::Linkedin);
    facts.email_opt_out = false;
    assert_eq!(channel_on(&facts, "2026-11-02"), Channel::Email);
    facts.has_email = false;
    assert_eq!(channel_on(&facts, "2026-11-02"), Channel::Linkedin);
}

#[test]
fn without_a_phone_number_no_call_is_suggested() {
    // [004] the phone first, where there is one.
    let mut facts = dm(vec![email("2026-09-30"), no_answer("2026-10-02")]);
    facts.has_phone = false;
    assert_eq!(channel_on(&facts, "2026-11-02"), Channel::Email);
}

#[test]
fn the_next_step_for_a_hot_dm_is_three_working_days_out() {
    // [003] the client with a live requirement hears from us soonest.
    let s = Settings::default();
    let next = suggest_next_step(
        ContactKind::DecisionMaker,
        Temperature::Hot,
        &s,
        d("2026-11-06"),
    );
    assert_eq!(next, d("2026-11-11"));
}

#[test]
fn the_next_step_for_warm_and_cold_dms_follows_their_interval() {
    // [003] diarise the next call: two weeks for warm, the 90-day cycle for cold.
    let s = Settings::default();
    let warm = suggest_next_step(
        ContactKind::DecisionMaker,
        Temperature::Warm,
        &s,
        d("2026-11-02"),
    );
    assert_eq!(warm, d("2026-11-16"));
    let cold = suggest_next_step(
        ContactKind::DecisionMaker,
        Temperature::Cold,
        &s,
        d("2026-11-02"),
    );
    assert_eq!(cold, d("2027-02-01"), "Sun 31 Jan moves to Monday");
    let short = Settings {
        interval_warm: 7,
        ..Settings::default()
    };
    let warm = suggest_next_step(
        ContactKind::DecisionMaker,
        Temperature::Warm,
        &short,
        d("2026-11-02"),
    );
    assert_eq!(warm, d("2026-11-09"), "never later than the warm cycle");
}

#[test]
fn the_next_step_for_a_candidate_is_a_working_week_out() {
    // [004] never hang up without a follow-up expectation.
    let s = Settings {
        holidays: BTreeSet::from([d("2026-11-09")]),
        ..Settings::default()
    };
    let next = suggest_next_step(
        ContactKind::Candidate,
        Temperature::Warm,
        &s,
        d("2026-11-07"),
    );
    assert_eq!(next, d("2026-11-16"));
}

#[test]
fn the_next_step_is_always_a_working_day_after_today() {
    // [004] a reminder on a closed day would be missed.
    let s = Settings::default();
    let mut day = d("2026-11-01");
    while day < d("2026-12-31") {
        for kind in ContactKind::ALL {
            for temperature in Temperature::ALL {
                let next = suggest_next_step(kind, temperature, &s, day);
                assert!(
                    next > day && s.calendar().is_working_day(next),
                    "{kind:?} {day}"
                );
            }
        }
        day = day.succ_opt().unwrap();
    }
}
