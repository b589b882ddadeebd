//! \[001\] The sign-off call: due the day the process ends, settled only by the phone.

use super::support::*;
use crate::domain::cadence::*;

fn signed_off(day: &str) -> ContactFacts {
    let mut facts = candidate(vec![reply("2026-10-01")]);
    facts.sign_off_triggers = vec![at(day)];
    facts
}

#[test]
fn sign_off_is_due_the_day_the_trigger_is_logged_by_phone() {
    // [001] call as soon as possible; tell them first, ask about next steps, get a referral.
    let item = decide_on(&signed_off("2026-11-04"), "2026-11-04").unwrap();
    assert_eq!(
        (item.reason, item.due_on),
        (Reason::SignOff, d("2026-11-04"))
    );
    assert_eq!(item.suggested_channel, Channel::Call);
    assert!(item.script_hint.contains("ideal next step"));
    assert_eq!(item.why, "Their process ended Wed 4 Nov");
}

#[test]
fn a_sign_off_logged_on_a_saturday_is_due_on_monday() {
    // [001] and docs/rules.md "Dates": next working day if it is not one.
    let facts = signed_off("2026-11-07");
    assert_eq!(due_on(&facts, "2026-11-08"), None);
    assert_eq!(
        due_on(&facts, "2026-11-09"),
        due(Reason::SignOff, "2026-11-09")
    );
}

#[test]
fn sign_off_is_settled_by_a_later_connected_call_or_voicemail_either_way() {
    // [001] the call itself is what counts, whoever dialled.
    let settling = [
        call("2026-11-05", Outcome::Connected),
        call("2026-11-05", Outcome::VoicemailLeft),
        touch(
            "2026-11-05",
            Channel::Voicemail,
            Direction::Outbound,
            Outcome::VoicemailLeft,
        ),
        touch(
            "2026-11-05",
            Channel::Call,
            Direction::Inbound,
            Outcome::Connected,
        ),
    ];
    for touch in settling {
        let mut facts = signed_off("2026-11-04");
        facts.touches.push(touch.clone());
        assert_eq!(due_on(&facts, "2026-11-06"), None, "{touch:?}");
    }
}

#[test]
fn sign_off_is_not_settled_by_an_email_a_missed_call_or_an_earlier_call() {
    // [001] bad news is given by phone, after the process ended.
    let not_settling = [
        email("2026-11-05"),
        reply("2026-11-05"),
        no_answer("2026-11-05"),
        touch(
            "2026-11-05",
            Channel::Meeting,
            Direction::Outbound,
            Outcome::Connected,
        ),
        call("2026-11-04", Outcome::Connected).at_instant("2026-11-04T09:00:00Z"),
    ];
    for touch in not_settling {
        let mut facts = signed_off("2026-11-04");
        facts.touches.push(touch.clone());
        assert_eq!(
            due_on(&facts, "2026-11-06"),
            due(Reason::SignOff, "2026-11-04"),
            "{touch:?}"
        );
    }
}

#[test]
fn a_second_trigger_after_a_settled_one_is_due_on_its_own_date() {
    // [001] each ended process gets its own call.
    let mut facts = signed_off("2026-11-02");
    facts.touches.push(call("2026-11-03", Outcome::Connected));
    facts.sign_off_triggers.push(at("2026-11-05"));
    assert_eq!(due_on(&facts, "2026-11-04"), None);
    assert_eq!(
        due_on(&facts, "2026-11-06"),
        due(Reason::SignOff, "2026-11-05")
    );
}

#[test]
fn unsettled_triggers_show_the_earliest_date() {
    // [001] the oldest unanswered sign-off sets how overdue the call is.
    let mut facts = signed_off("2026-11-05");
    facts.sign_off_triggers.push(at("2026-11-03"));
    assert_eq!(
        due_on(&facts, "2026-11-06"),
        due(Reason::SignOff, "2026-11-03")
    );
}

#[test]
fn decision_makers_never_get_a_sign_off() {
    // [001] the sign-off is for candidates.
    let mut facts = dm(vec![reply("2026-10-01")]);
    facts.sign_off_triggers = vec![at("2026-11-04")];
    assert_eq!(due_on(&facts, "2026-11-04"), None);
}
