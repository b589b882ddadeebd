//! One item per contact: the first due reason in list order, with its own due date.

use super::support::*;
use crate::domain::cadence::*;

#[test]
fn a_contact_never_touched_is_not_due() {
    // [000] [003] outreach starts with the first attempt.
    assert_eq!(due_on(&dm(vec![]), "2026-11-09"), None);
    assert_eq!(due_on(&candidate(vec![]), "2026-11-09"), None);
}

#[test]
fn the_first_due_reason_in_list_order_wins_with_its_own_due_date() {
    // [003] second call (due Mon 9) outranks company news (due Wed 4) [004].
    let mut facts = dm(vec![no_answer("2026-11-02")]);
    facts.news_logged = vec![at("2026-11-04")];
    let item = decide_on(&facts, "2026-11-09").unwrap();
    assert_eq!(
        (item.reason, item.due_on),
        (Reason::SecondCall, d("2026-11-09"))
    );
    assert_eq!(item.overdue_days, 0);
}

#[test]
fn a_higher_reason_not_yet_due_does_not_hide_a_lower_one_that_is() {
    // [003] the second call is not due before Mon 9; the news [004] is due at once.
    let mut facts = dm(vec![no_answer("2026-11-02")]);
    facts.news_logged = vec![at("2026-11-04")];
    assert_eq!(
        due_on(&facts, "2026-11-05"),
        due(Reason::CompanyNews, "2026-11-04")
    );
}

#[test]
fn a_sign_off_comes_before_a_promise_and_the_strikes() {
    // [001] the sign-off call outranks everything else on the list.
    let mut facts = candidate(vec![no_answer("2026-11-02").promising("2026-11-03")]);
    facts.sign_off_triggers = vec![at("2026-11-05")];
    assert_eq!(
        due_on(&facts, "2026-11-05"),
        due(Reason::SignOff, "2026-11-05")
    );
}

#[test]
fn overdue_days_count_calendar_days_from_the_due_date() {
    // [003] the item stays and grows overdue until the second call is made.
    let facts = dm(vec![no_answer("2026-11-02")]);
    let item = decide_on(&facts, "2026-11-15").unwrap();
    assert_eq!(item.due_on, d("2026-11-09"));
    assert_eq!(item.overdue_days, 6);
}

#[test]
fn do_not_contact_hides_every_reason_even_a_sign_off() {
    // [000] honour "remove": never due, whatever else is true.
    let mut facts = candidate(vec![no_answer("2026-11-02")]);
    facts.sign_off_triggers = vec![at("2026-11-03")];
    facts.news_logged = vec![at("2026-11-03")];
    facts.do_not_contact = true;
    assert_eq!(due_on(&facts, "2026-11-09"), None);
}

#[test]
fn an_archived_contact_is_never_due() {
    // [003] the cycle covers active decision makers only.
    let mut facts = dm(vec![no_answer("2026-01-05")]);
    facts.active = false;
    assert_eq!(due_on(&facts, "2026-11-09"), None);
}

#[test]
fn company_news_is_due_the_day_it_is_logged_until_an_attempt_follows() {
    // [004] call at once when their company makes news.
    let mut facts = candidate(vec![reply("2026-10-01")]);
    facts.news_logged = vec![at("2026-11-04"), at("2026-11-06")];
    assert_eq!(
        due_on(&facts, "2026-11-04"),
        due(Reason::CompanyNews, "2026-11-04")
    );
    facts.touches.push(email("2026-11-05"));
    assert_eq!(
        due_on(&facts, "2026-11-06"),
        due(Reason::CompanyNews, "2026-11-06")
    );
    facts
        .touches
        .push(no_answer("2026-11-06").at_instant("2026-11-06T18:00:00Z"));
    assert_eq!(due_on(&facts, "2026-11-09"), None);
}

#[test]
fn company_news_logged_on_a_weekend_is_due_on_monday() {
    // [004] and docs/rules.md "Dates": due dates move to the next working day.
    let mut facts = dm(vec![reply("2026-10-01")]);
    facts.news_logged = vec![at("2026-11-07")];
    assert_eq!(due_on(&facts, "2026-11-07"), None);
    assert_eq!(
        due_on(&facts, "2026-11-09"),
        due(Reason::CompanyNews, "2026-11-09")
    );
}

#[test]
fn a_note_or_an_inbound_touch_does_not_settle_company_news() {
    // [004] only an attempt after the news settles it.
    let mut facts = dm(vec![reply("2026-10-01")]);
    facts.news_logged = vec![at("2026-11-04")];
    facts.touches.push(touch(
        "2026-11-05",
        Channel::Note,
        Direction::Outbound,
        Outcome::Sent,
    ));
    facts.touches.push(reply("2026-11-05"));
    assert_eq!(
        due_on(&facts, "2026-11-06"),
        due(Reason::CompanyNews, "2026-11-04")
    );
}

#[test]
fn upcoming_shows_the_coming_due_date_when_nothing_is_due_yet() {
    // [003] a DM with one attempt on Monday owes the second call five working days later
    let facts = super::support::dm(vec![super::support::no_answer("2026-11-02")]);
    let s = crate::domain::cadence::Settings::default();
    let today = super::support::d("2026-11-03");
    assert_eq!(
        crate::domain::cadence::decide(&facts, &s, chrono_tz::UTC, today),
        None
    );
    assert_eq!(
        crate::domain::cadence::upcoming(&facts, &s, chrono_tz::UTC, today),
        super::support::due(crate::domain::cadence::Reason::SecondCall, "2026-11-09")
    );
}
