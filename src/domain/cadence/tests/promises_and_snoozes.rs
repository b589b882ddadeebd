//! \[004\] Promises the recruiter made, and snoozes that put an item aside.

use super::support::*;
use crate::domain::cadence::*;

/// A warm DM called twice; the last call connected and agreed Thu 12 Nov.
fn promised() -> ContactFacts {
    dm(vec![
        no_answer("2026-10-01"),
        call("2026-11-02", Outcome::Connected).promising("2026-11-12"),
    ])
}

fn snooze(reason: Reason, until: &str, created: &str) -> Option<Snooze> {
    Some(Snooze {
        reason,
        until: d(until),
        created_at: at(created),
    })
}

#[test]
fn a_promise_is_due_on_its_date() {
    // [004] never rely on the prospect to call back.
    let facts = promised();
    assert_eq!(due_on(&facts, "2026-11-11"), None);
    let item = decide_on(&facts, "2026-11-12").unwrap();
    assert_eq!(
        (item.reason, item.due_on),
        (Reason::PromisedFollowUp, d("2026-11-12"))
    );
    assert_eq!(item.why, "Promised for Thu 12 Nov");
    assert_eq!(open_promise(&facts, chrono_tz::UTC), Some(d("2026-11-12")));
}

#[test]
fn a_promise_on_a_weekend_is_due_the_next_working_day() {
    // [004] and docs/rules.md "Dates".
    let mut facts = promised();
    facts.touches[1].next_step_on = Some(d("2026-11-14"));
    assert_eq!(due_on(&facts, "2026-11-14"), None);
    assert_eq!(
        due_on(&facts, "2026-11-16"),
        due(Reason::PromisedFollowUp, "2026-11-16")
    );
}

#[test]
fn a_promise_is_kept_by_an_attempt_on_or_after_its_date_only() {
    // [004] following through is what closes it.
    let mut early = promised();
    early.touches.push(email("2026-11-11"));
    assert_eq!(
        due_on(&early, "2026-11-12"),
        due(Reason::PromisedFollowUp, "2026-11-12")
    );
    let mut kept = promised();
    kept.touches.push(email("2026-11-13"));
    assert_eq!(due_on(&kept, "2026-11-13"), None);
    assert_eq!(open_promise(&kept, chrono_tz::UTC), None);
}

#[test]
fn a_later_next_step_date_replaces_the_promise() {
    // [003] diarise the next call after every conversation.
    let mut facts = promised();
    facts
        .touches
        .push(reply("2026-11-05").promising("2026-11-20"));
    assert_eq!(due_on(&facts, "2026-11-12"), None);
    assert_eq!(
        due_on(&facts, "2026-11-20"),
        due(Reason::PromisedFollowUp, "2026-11-20")
    );
}

#[test]
fn a_future_promise_holds_back_gone_dark_and_the_contact_cycle() {
    // [004] the recruiter agreed a date: no nagging before it.
    let mut cycle = dm(vec![no_answer("2026-06-01"), no_answer("2026-06-02")]);
    cycle
        .touches
        .push(reply("2026-06-03").promising("2026-12-01"));
    assert_eq!(due_on(&cycle, "2026-11-30"), None);
    assert_eq!(
        due_on(&cycle, "2026-12-01"),
        due(Reason::PromisedFollowUp, "2026-12-01")
    );
    let mut dark = dm(vec![call("2026-10-01", Outcome::Connected)]);
    dark.touches
        .extend([no_answer("2026-10-05"), no_answer("2026-10-06")]);
    dark.touches
        .push(email("2026-10-07").promising("2026-11-16"));
    assert_eq!(due_on(&dark, "2026-11-13"), None);
}

#[test]
fn a_future_promise_holds_back_neither_company_news_nor_the_strikes() {
    // [004] news is a reason to call at once; [000] the strikes keep their pace.
    let mut facts = dm(vec![
        no_answer("2026-06-01"),
        no_answer("2026-06-02").promising("2026-12-01"),
    ]);
    facts.news_logged = vec![at("2026-11-10")];
    assert_eq!(
        due_on(&facts, "2026-11-10"),
        due(Reason::CompanyNews, "2026-11-10")
    );
    let strikes = candidate(vec![no_answer("2026-11-02").promising("2026-12-01")]);
    assert_eq!(
        due_on(&strikes, "2026-11-04"),
        due(Reason::ThreeStrikes, "2026-11-04")
    );
}

#[test]
fn a_future_promise_sets_the_second_call_instead_of_holding_it_back() {
    // [003] the second call is still owed, on the agreed date rather than after five days.
    let facts = dm(vec![no_answer("2026-11-02").promising("2026-11-05")]);
    assert_eq!(
        due_on(&facts, "2026-11-05"),
        due(Reason::SecondCall, "2026-11-05")
    );
}

#[test]
fn a_snooze_hides_its_reason_until_its_date_then_it_comes_back_due_that_day() {
    // docs/rules.md "Snoozes"; the cycle [003] is still owed afterwards.
    let mut facts = dm(vec![no_answer("2026-09-01"), no_answer("2026-09-02")]);
    facts.snooze = snooze(Reason::ContactCycle, "2026-11-20", "2026-11-10");
    assert_eq!(due_on(&facts, "2026-11-19"), None);
    let item = decide_on(&facts, "2026-11-23").unwrap();
    assert_eq!(
        (item.reason, item.due_on),
        (Reason::ContactCycle, d("2026-11-20"))
    );
    assert_eq!(item.overdue_days, 3);
    assert!(item.why.ends_with("(snoozed until Fri 20 Nov)"));
}

#[test]
fn a_snooze_hides_lower_reasons_but_higher_ones_show_through() {
    // docs/rules.md "Snoozes": a sign-off [001] or company news [004] shows through.
    let mut facts = dm(vec![no_answer("2026-09-01"), no_answer("2026-09-02")]);
    facts.news_logged = vec![at("2026-11-04")];
    facts.snooze = snooze(Reason::CompanyNews, "2026-11-20", "2026-11-05");
    assert_eq!(
        due_on(&facts, "2026-11-10"),
        None,
        "the cycle ranks below the news"
    );
    facts.snooze = snooze(Reason::ContactCycle, "2026-11-20", "2026-11-05");
    assert_eq!(
        due_on(&facts, "2026-11-10"),
        due(Reason::CompanyNews, "2026-11-04")
    );
}

#[test]
fn a_snooze_until_a_weekend_comes_back_on_the_next_working_day() {
    // docs/rules.md "Dates": due dates move to the next working day.
    let mut facts = dm(vec![no_answer("2026-09-01"), no_answer("2026-09-02")]);
    facts.snooze = snooze(Reason::ContactCycle, "2026-11-21", "2026-11-10");
    assert_eq!(due_on(&facts, "2026-11-22"), None);
    assert_eq!(
        due_on(&facts, "2026-11-23"),
        due(Reason::ContactCycle, "2026-11-23")
    );
}

#[test]
fn an_attempt_after_the_snooze_was_set_ends_it() {
    // [000] strike two made during the snooze: strike three is due on its own schedule.
    let mut facts = candidate(vec![no_answer("2026-11-02"), email("2026-11-04")]);
    facts.snooze = snooze(Reason::ThreeStrikes, "2026-12-01", "2026-11-03");
    assert_eq!(
        due_on(&facts, "2026-11-09"),
        due(Reason::ThreeStrikes, "2026-11-09")
    );
}

#[test]
fn a_response_after_the_snooze_was_set_ends_it() {
    // docs/rules.md "Snoozes": a response settles things as usual and ends the snooze.
    let mut facts = dm(vec![no_answer("2026-09-01"), no_answer("2026-09-02")]);
    facts.snooze = snooze(Reason::ContactCycle, "2026-12-01", "2026-11-05");
    facts.touches.push(reply("2026-11-06"));
    assert_eq!(
        due_on(&facts, "2026-11-09"),
        due(Reason::ContactCycle, "2026-10-02")
    );
}

#[test]
fn a_touch_before_the_snooze_or_a_snooze_set_after_the_date_does_not_count() {
    // docs/rules.md "Replaying a date": facts later than the date are ignored.
    let mut facts = dm(vec![no_answer("2026-09-01"), no_answer("2026-09-02")]);
    facts.snooze = snooze(Reason::ContactCycle, "2026-12-01", "2026-11-05");
    assert_eq!(due_on(&facts, "2026-11-09"), None);
    assert_eq!(
        due_on(&facts, "2026-11-04"),
        due(Reason::ContactCycle, "2026-10-02")
    );
}
