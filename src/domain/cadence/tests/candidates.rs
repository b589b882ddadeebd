//! \[000\] Three strikes for candidates who have never answered.

use super::support::*;
use crate::domain::cadence::*;

#[test]
fn strike_two_is_due_two_working_days_after_the_first_call_by_email() {
    // [000] strike one is the call; vary the approach: write next.
    let facts = candidate(vec![no_answer("2026-11-02")]);
    assert_eq!(due_on(&facts, "2026-11-03"), None);
    let item = decide_on(&facts, "2026-11-04").unwrap();
    assert_eq!(
        (item.reason, item.due_on),
        (Reason::ThreeStrikes, d("2026-11-04"))
    );
    assert_eq!(item.strike, Some(2));
    assert_eq!(item.suggested_channel, Channel::Email);
    assert!(item.script_hint.contains("opt out"));
    assert_eq!(
        item.why,
        "Strike 2 of 3: no answer to the call on Mon 2 Nov"
    );
}

#[test]
fn strike_gaps_count_working_days_across_a_weekend() {
    // [000] Thursday's call: strike two on Monday.
    let facts = candidate(vec![no_answer("2026-11-05")]);
    assert_eq!(due_on(&facts, "2026-11-06"), None);
    assert_eq!(
        due_on(&facts, "2026-11-09"),
        due(Reason::ThreeStrikes, "2026-11-09")
    );
}

#[test]
fn strike_two_goes_by_phone_when_the_candidate_opted_out_of_email() {
    // [000] honour "remove" replies: never email them again.
    let mut facts = candidate(vec![no_answer("2026-11-02")]);
    facts.email_opt_out = true;
    let item = decide_on(&facts, "2026-11-04").unwrap();
    assert_eq!(item.suggested_channel, Channel::Call);
    assert!(!item.script_hint.contains("opt out"));
    facts.email_opt_out = false;
    facts.has_email = false;
    assert_eq!(
        decide_on(&facts, "2026-11-04").unwrap().suggested_channel,
        Channel::Call
    );
}

#[test]
fn strike_two_varies_to_the_phone_when_strike_one_was_an_email() {
    // [000] vary the approach rather than repeat it.
    let facts = candidate(vec![email("2026-11-02")]);
    let item = decide_on(&facts, "2026-11-04").unwrap();
    assert_eq!(
        (item.strike, item.suggested_channel),
        (Some(2), Channel::Call)
    );
}

#[test]
fn strike_three_is_due_three_working_days_after_strike_two_by_phone() {
    // [000] the second message mentions the earlier call and the email.
    let facts = candidate(vec![no_answer("2026-11-02"), email("2026-11-04")]);
    assert_eq!(due_on(&facts, "2026-11-06"), None);
    let item = decide_on(&facts, "2026-11-09").unwrap();
    assert_eq!(
        (item.reason, item.due_on),
        (Reason::ThreeStrikes, d("2026-11-09"))
    );
    assert_eq!(
        (item.strike, item.suggested_channel),
        (Some(3), Channel::Call)
    );
    assert!(item.script_hint.contains("earlier call and email"));
}

#[test]
fn three_strikes_close_after_the_third_unanswered_attempt() {
    // [000] after three tries the next move is the candidate's.
    let facts = candidate(vec![
        no_answer("2026-11-02"),
        email("2026-11-04"),
        call("2026-11-09", Outcome::VoicemailLeft),
    ]);
    assert_eq!(due_on(&facts, "2026-11-12"), None);
    assert_eq!(due_on(&facts, "2027-06-30"), None);
}

#[test]
fn a_candidate_never_attempted_is_not_due() {
    // [000] outreach starts with the first attempt.
    let facts = candidate(vec![touch(
        "2026-11-02",
        Channel::Note,
        Direction::Outbound,
        Outcome::Sent,
    )]);
    assert_eq!(due_on(&facts, "2026-12-31"), None);
}

#[test]
fn a_candidate_who_answered_leaves_the_strikes() {
    // [000] once they answer, the strikes no longer apply.
    let facts = candidate(vec![no_answer("2026-11-02"), reply("2026-11-03")]);
    assert_eq!(due_on(&facts, "2026-11-04"), None);
    let opted_out = candidate(vec![
        no_answer("2026-11-02"),
        touch(
            "2026-11-03",
            Channel::Email,
            Direction::Inbound,
            Outcome::OptedOut,
        ),
    ]);
    assert_eq!(due_on(&opted_out, "2026-11-09"), None);
}

#[test]
fn a_strike_two_without_a_phone_number_or_email_goes_to_linkedin() {
    // [004] phone first, but only where we can reach them.
    let mut facts = candidate(vec![touch(
        "2026-11-02",
        Channel::Linkedin,
        Direction::Outbound,
        Outcome::Sent,
    )]);
    facts.has_phone = false;
    facts.has_email = false;
    assert_eq!(
        decide_on(&facts, "2026-11-04").unwrap().suggested_channel,
        Channel::Linkedin
    );
}
