//! The one pure function behind every due list: a contact's facts, the team's settings and a date
//! in, at most one due item out.

use chrono::NaiveDate;
use chrono_tz::Tz;

use super::calendar::local_date;
use super::codes::Reason;
use super::facts::{ContactFacts, DueItem};
use super::hints::{script_hint, short, why_text};
use super::history::History;
use super::rules::{Ctx, Found, evaluate};
use super::settings::Settings;
use super::suggest::channel;

/// Decides what, if anything, a contact is owed on `today` (the owner's date in `tz`): the first
/// reason in due-list order whose due date has come, so the nightly rebuild, the update after a
/// touch and a replayed date all give the same answer from the same facts.
#[must_use]
pub fn decide(
    facts: &ContactFacts,
    settings: &Settings,
    tz: Tz,
    today: NaiveDate,
) -> Option<DueItem> {
    if !facts.active || facts.do_not_contact {
        return None;
    }
    let ctx = Ctx::new(facts, settings, tz, today);
    let snooze = snooze_return(&ctx);
    // A promise on a weekend is due the next working day, so it is "ahead" until then.
    let promise_ahead = ctx
        .promise
        .is_some_and(|p| ctx.cal.next_working_day_on_or_after(p) > today);
    Reason::ALL
        .into_iter()
        .filter(|r| !(promise_ahead && matches!(r, Reason::GoneDark | Reason::ContactCycle)))
        .find_map(|reason| {
            let found = evaluate(reason, &ctx)?;
            let (found, snoozed) = apply_snooze(reason, found, snooze);
            (found.due_on <= today).then(|| item(&ctx, reason, found, snoozed))
        })
}

/// The next date something falls due for a contact as seen on `today`, and for which reason: the
/// current item if there is one, else the earliest coming due date (the contact page and the API's
/// `next_due_on` show it, so a recruiter sees what is coming, not only what is late).
#[must_use]
pub fn upcoming(
    facts: &ContactFacts,
    settings: &Settings,
    tz: Tz,
    today: NaiveDate,
) -> Option<(Reason, NaiveDate)> {
    if let Some(item) = decide(facts, settings, tz, today) {
        return Some((item.reason, item.due_on));
    }
    if !facts.active || facts.do_not_contact {
        return None;
    }
    let ctx = Ctx::new(facts, settings, tz, today);
    let snooze = snooze_return(&ctx);
    let promise = ctx.promise.map(|p| ctx.cal.next_working_day_on_or_after(p));
    Reason::ALL
        .into_iter()
        .filter_map(|reason| {
            let (found, _) = apply_snooze(reason, evaluate(reason, &ctx)?, snooze);
            // a promise holds these two back until its own date
            let held = matches!(reason, Reason::GoneDark | Reason::ContactCycle);
            let due_on = match promise {
                Some(p) if held => found.due_on.max(p),
                _ => found.due_on,
            };
            Some((reason, due_on))
        })
        .min_by_key(|(reason, due_on)| (*due_on, *reason))
}

/// The open promise of a contact: the date the log-touch form and the contact page show as agreed,
/// counting every touch given (the caller bounds them by date).
#[must_use]
pub fn open_promise(facts: &ContactFacts, tz: Tz) -> Option<NaiveDate> {
    History::new(&facts.touches, tz, NaiveDate::MAX).open_promise()
}

/// The snoozed reason and the working day its item comes back, while the snooze still applies:
/// it existed by `today` and no attempt or response has happened since it was set.
fn snooze_return(ctx: &Ctx<'_>) -> Option<(Reason, NaiveDate)> {
    let snooze = ctx.facts.snooze?;
    let set_later = local_date(snooze.created_at, ctx.tz) > ctx.today;
    if set_later || ctx.history.any_contact_after(snooze.created_at) {
        return None;
    }
    Some((
        snooze.reason,
        ctx.cal.next_working_day_on_or_after(snooze.until),
    ))
}

/// A snooze holds back its reason and every reason ranked below it until it returns, then they
/// come back due no earlier than that day. Says whether the snooze moved the date.
fn apply_snooze(
    reason: Reason,
    found: Found,
    snooze: Option<(Reason, NaiveDate)>,
) -> (Found, Option<NaiveDate>) {
    match snooze {
        Some((snoozed, back)) if reason >= snoozed && back > found.due_on => (
            Found {
                due_on: back,
                ..found
            },
            Some(back),
        ),
        _ => (found, None),
    }
}

fn item(ctx: &Ctx<'_>, reason: Reason, found: Found, snoozed: Option<NaiveDate>) -> DueItem {
    let suggested_channel = channel(ctx.facts, &ctx.unanswered, reason, found.strike);
    let why = match snoozed {
        Some(back) => format!(
            "{} (snoozed until {})",
            why_text(found.why, ctx.today),
            short(back)
        ),
        None => why_text(found.why, ctx.today),
    };
    DueItem {
        reason,
        due_on: found.due_on,
        overdue_days: (ctx.today - found.due_on).num_days(),
        suggested_channel,
        suggested_approach: found.approach,
        strike: found.strike,
        script_hint: script_hint(reason, found.strike, found.approach, suggested_channel),
        why,
    }
}
