//! docs/rules.md "Dates": everything happens on the owner's local date, DST included.

use chrono_tz::America::New_York;
use chrono_tz::Europe::Berlin;

use super::support::*;
use crate::domain::cadence::*;

fn reason_in(
    facts: &ContactFacts,
    tz: chrono_tz::Tz,
    today: &str,
) -> Option<(Reason, chrono::NaiveDate)> {
    decide_in(facts, tz, today).map(|item| (item.reason, item.due_on))
}

#[test]
fn a_touch_at_half_past_eleven_new_york_time_counts_on_the_new_york_date() {
    // [003] Mon 2 Nov 23:30 EST is Tue 3 Nov in UTC; the second call counts from Monday.
    let facts = dm(vec![
        no_answer("2026-11-02").at_instant("2026-11-03T04:30:00Z"),
    ]);
    assert_eq!(
        reason_in(&facts, New_York, "2026-11-09"),
        due(Reason::SecondCall, "2026-11-09")
    );
    assert_eq!(
        due_on(&facts, "2026-11-09"),
        None,
        "in UTC it would count from Tuesday"
    );
}

#[test]
fn touches_after_the_end_of_the_owner_s_today_are_ignored() {
    // [003] replaying a date counts only what had happened by the end of it.
    let mut facts = dm(vec![no_answer("2026-11-02")]);
    facts
        .touches
        .push(email("2026-11-10").at_instant("2026-11-10T06:00:00Z"));
    assert_eq!(
        reason_in(&facts, New_York, "2026-11-09"),
        due(Reason::SecondCall, "2026-11-09")
    );
    facts.touches[1].at = instant("2026-11-10T04:30:00Z");
    assert_eq!(
        reason_in(&facts, New_York, "2026-11-09"),
        None,
        "23:30 on Mon 9 in New York"
    );
}

#[test]
fn the_new_york_spring_forward_night_counts_on_the_right_date() {
    // [003] 04:30 UTC on Mon 9 Mar 2026 is 00:30 EDT Monday (it would be Sunday under EST).
    let facts = dm(vec![
        no_answer("2026-03-09").at_instant("2026-03-09T04:30:00Z"),
    ]);
    assert_eq!(reason_in(&facts, New_York, "2026-03-13"), None);
    assert_eq!(
        reason_in(&facts, New_York, "2026-03-16"),
        due(Reason::SecondCall, "2026-03-16")
    );
    // 03:30 UTC is 23:30 EDT on Sunday 8 Mar: five working days later is Friday.
    let sunday = dm(vec![
        no_answer("2026-03-09").at_instant("2026-03-09T03:30:00Z"),
    ]);
    assert_eq!(
        reason_in(&sunday, New_York, "2026-03-13"),
        due(Reason::SecondCall, "2026-03-13")
    );
}

#[test]
fn the_berlin_fall_back_night_counts_on_the_right_date() {
    // [000] 22:30 UTC on Sun 25 Oct 2026 is 23:30 CET, still Sunday (Monday under CEST).
    let sunday = candidate(vec![
        no_answer("2026-10-25").at_instant("2026-10-25T22:30:00Z"),
    ]);
    assert_eq!(
        reason_in(&sunday, Berlin, "2026-10-27"),
        due(Reason::ThreeStrikes, "2026-10-27")
    );
    // 23:30 UTC is 00:30 CET on Monday 26: strike two two working days later, Wednesday.
    let monday = candidate(vec![
        no_answer("2026-10-25").at_instant("2026-10-25T23:30:00Z"),
    ]);
    assert_eq!(reason_in(&monday, Berlin, "2026-10-27"), None);
    assert_eq!(
        reason_in(&monday, Berlin, "2026-10-28"),
        due(Reason::ThreeStrikes, "2026-10-28")
    );
}

#[test]
fn events_are_due_on_the_owner_s_date_when_they_were_logged() {
    // [001] a sign-off logged late on Friday evening in New York is due that Friday.
    let mut facts = candidate(vec![reply("2026-10-01")]);
    facts.sign_off_triggers = vec![instant("2026-11-07T03:00:00Z")];
    assert_eq!(
        reason_in(&facts, New_York, "2026-11-06"),
        due(Reason::SignOff, "2026-11-06")
    );
    assert_eq!(
        due_on(&facts, "2026-11-06"),
        None,
        "in UTC it was logged on Saturday"
    );
}
