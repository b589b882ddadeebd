//! \[002\] \[004\] Gone dark: answered once, then silence; change the approach.

use super::support::*;
use crate::domain::cadence::*;

/// Spoke on Thu 1 Oct, then three unanswered calls on Mon 5, Tue 6, Wed 7 Oct.
fn went_quiet() -> ContactFacts {
    dm(vec![
        call("2026-10-01", Outcome::Connected),
        no_answer("2026-10-05"),
        no_answer("2026-10-06"),
        touch(
            "2026-10-07",
            Channel::Voicemail,
            Direction::Outbound,
            Outcome::VoicemailLeft,
        ),
    ])
}

#[test]
fn gone_dark_is_due_a_week_after_the_third_attempt_but_not_before_fourteen_days() {
    // [002] after a few unanswered follow-ups, stop repeating yourself.
    let facts = went_quiet();
    assert_eq!(due_on(&facts, "2026-10-16"), None);
    let item = decide_on(&facts, "2026-10-19").unwrap();
    assert_eq!(
        (item.reason, item.due_on),
        (Reason::GoneDark, d("2026-10-19"))
    );
    assert_eq!(item.suggested_approach, Some(Approach::DroppedTheBall));
    assert_eq!(item.why, "3 calls unanswered since Mon 5 Oct");
}

#[test]
fn each_new_unanswered_attempt_rearms_gone_dark_a_week_later() {
    // [002] re-armed a week after each new silence.
    let mut facts = went_quiet();
    facts.touches.push(email("2026-10-20"));
    assert_eq!(due_on(&facts, "2026-10-26"), None);
    assert_eq!(
        due_on(&facts, "2026-10-27"),
        due(Reason::GoneDark, "2026-10-27")
    );
}

#[test]
fn gone_dark_never_suggests_the_approach_of_the_last_two_unanswered_attempts() {
    // [002] "dropped the ball", then [004] bring value, then another contact.
    use Approach::*;
    let cases = [
        ([Standard, Standard], DroppedTheBall),
        ([DroppedTheBall, Standard], ValueAdd),
        ([DroppedTheBall, ValueAdd], OtherContact),
        ([ValueAdd, OtherContact], DroppedTheBall),
        ([OtherContact, DroppedTheBall], ValueAdd),
    ];
    for (last_two, expected) in cases {
        let mut facts = went_quiet();
        facts
            .touches
            .push(no_answer("2026-10-20").with_approach(last_two[0]));
        facts
            .touches
            .push(email("2026-10-21").with_approach(last_two[1]));
        let item = decide_on(&facts, "2026-10-28").unwrap();
        assert_eq!(item.reason, Reason::GoneDark);
        assert_eq!(item.suggested_approach, Some(expected), "{last_two:?}");
    }
}

#[test]
fn the_hint_follows_the_suggested_approach() {
    // [004] bring value, not "touching base".
    let mut facts = went_quiet();
    facts.touches[3].approach = Approach::DroppedTheBall;
    let item = decide_on(&facts, "2026-10-19").unwrap();
    assert_eq!(item.suggested_approach, Some(Approach::ValueAdd));
    assert!(item.script_hint.contains("useful"));
}

#[test]
fn a_response_ends_gone_dark() {
    // [002] once they call back, the silence is over.
    let mut facts = went_quiet();
    facts.touches.push(reply("2026-10-15"));
    assert_eq!(due_on(&facts, "2026-10-20"), None);
}

#[test]
fn someone_who_never_answered_does_not_go_dark() {
    // [002] going dark needs an earlier conversation.
    let mut facts = went_quiet();
    facts.touches.remove(0);
    assert_eq!(due_on(&facts, "2026-10-19"), None);
}

#[test]
fn a_candidate_goes_dark_only_while_in_an_active_pipeline() {
    // [002] a candidate mid-process who stops answering.
    let mut facts = went_quiet();
    facts.kind = ContactKind::Candidate;
    assert_eq!(due_on(&facts, "2026-10-19"), None);
    facts.in_active_pipeline = true;
    assert_eq!(
        due_on(&facts, "2026-10-19"),
        due(Reason::GoneDark, "2026-10-19")
    );
}

#[test]
fn gone_dark_outranks_the_contact_cycle() {
    // [002] a changed approach beats another routine call [003].
    let mut facts = went_quiet();
    facts.temperature = Temperature::Hot;
    // The cycle (latest attempt + 14 days) is due Wed 21 Oct; gone dark since Mon 19.
    assert_eq!(
        due_on(&facts, "2026-10-22"),
        due(Reason::GoneDark, "2026-10-19")
    );
}
