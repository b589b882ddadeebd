//! The seven rules of docs/rules.md ("The seven reasons, in list order"): each gives a contact a
//! due date for its reason, or nothing. Precedence, promises and snoozes are applied by `decide`.

use chrono::NaiveDate;
use chrono_tz::Tz;

use super::calendar::{Calendar, days_after, local_date};
use super::codes::{Approach, ContactKind, Outcome, Reason};
use super::facts::{ContactFacts, TouchFact};
use super::hints::Why;
use super::history::History;
use super::settings::Settings;
use super::suggest::change_of_approach;

/// Everything a rule reads, worked out once per contact.
pub(super) struct Ctx<'a> {
    pub(super) facts: &'a ContactFacts,
    pub(super) settings: &'a Settings,
    pub(super) cal: Calendar<'a>,
    pub(super) tz: Tz,
    pub(super) today: NaiveDate,
    pub(super) history: History<'a>,
    /// The open promise's date, as agreed (not yet moved to a working day).
    pub(super) promise: Option<NaiveDate>,
    /// The attempts since the latest response, oldest first.
    pub(super) unanswered: Vec<&'a TouchFact>,
}

impl<'a> Ctx<'a> {
    pub(super) fn new(
        facts: &'a ContactFacts,
        settings: &'a Settings,
        tz: Tz,
        today: NaiveDate,
    ) -> Self {
        let history = History::new(&facts.touches, tz, today);
        let promise = history.open_promise();
        let unanswered = history.unanswered();
        let cal = settings.calendar();
        Self {
            facts,
            settings,
            cal,
            tz,
            today,
            history,
            promise,
            unanswered,
        }
    }

    fn is_dm(&self) -> bool {
        self.facts.kind == ContactKind::DecisionMaker
    }
}

/// A reason's due date and the details that go with it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Found {
    pub(super) due_on: NaiveDate,
    pub(super) strike: Option<u8>,
    pub(super) approach: Option<Approach>,
    pub(super) why: Why,
}

impl Found {
    fn on(due_on: NaiveDate, why: Why) -> Self {
        Self {
            due_on,
            strike: None,
            approach: None,
            why,
        }
    }
}

/// Runs the rule of one reason.
pub(super) fn evaluate(reason: Reason, ctx: &Ctx<'_>) -> Option<Found> {
    match reason {
        Reason::SignOff => sign_off(ctx),
        Reason::SecondCall => second_call(ctx),
        Reason::PromisedFollowUp => promised_follow_up(ctx),
        Reason::CompanyNews => company_news(ctx),
        Reason::GoneDark => gone_dark(ctx),
        Reason::ThreeStrikes => three_strikes(ctx),
        Reason::ContactCycle => contact_cycle(ctx),
    }
}

/// \[001\] A candidate whose process ended is owed a call that day; only a later phone touch that
/// connected or left a voicemail settles it.
fn sign_off(ctx: &Ctx<'_>) -> Option<Found> {
    if ctx.is_dm() {
        return None;
    }
    let settles = |t: &TouchFact| {
        t.is_phone() && matches!(t.outcome, Outcome::Connected | Outcome::VoicemailLeft)
    };
    let trigger =
        ctx.history
            .earliest_unsettled(&ctx.facts.sign_off_triggers, ctx.today, settles)?;
    let day = local_date(trigger, ctx.tz);
    let due_on = ctx.cal.next_working_day_on_or_after(day);
    Some(Found::on(due_on, Why::ProcessEnded(day)))
}

/// \[003\] A DM with exactly one attempt: the promised date, else N working days later.
fn second_call(ctx: &Ctx<'_>) -> Option<Found> {
    if !ctx.is_dm() {
        return None;
    }
    let mut attempts = ctx.history.attempts();
    let only = attempts.next()?;
    if attempts.next().is_some() {
        return None;
    }
    let on = ctx.history.day(only);
    let due_on = match ctx.promise {
        Some(promise) => ctx.cal.next_working_day_on_or_after(promise),
        None => ctx
            .cal
            .add_working_days(on, ctx.settings.second_call_working_days),
    };
    let why = Why::FirstAttempt {
        channel: only.channel,
        on,
        promised: ctx.promise,
    };
    Some(Found::on(due_on, why))
}

/// \[004\] An open promise is due on its date: never rely on the other side to call.
fn promised_follow_up(ctx: &Ctx<'_>) -> Option<Found> {
    let promise = ctx.promise?;
    let due_on = ctx.cal.next_working_day_on_or_after(promise);
    Some(Found::on(due_on, Why::Promised(promise)))
}

/// \[004\] Company news makes a call due the day it is logged, until an attempt follows it.
fn company_news(ctx: &Ctx<'_>) -> Option<Found> {
    let logged =
        ctx.history
            .earliest_unsettled(&ctx.facts.news_logged, ctx.today, TouchFact::is_attempt)?;
    let day = local_date(logged, ctx.tz);
    let due_on = ctx.cal.next_working_day_on_or_after(day);
    Some(Found::on(due_on, Why::NewsLogged(day)))
}

/// [002, 004] Someone who answered once and then let enough attempts go unanswered needs a change
/// of approach: a week after the latest attempt, and no sooner than the minimum after the first.
fn gone_dark(ctx: &Ctx<'_>) -> Option<Found> {
    let eligible = ctx.is_dm() || ctx.facts.in_active_pipeline;
    if !eligible || !ctx.history.ever_responded() {
        return None;
    }
    let unanswered = &ctx.unanswered;
    let needed = usize::try_from(ctx.settings.gone_dark_touches).unwrap_or(usize::MAX);
    if unanswered.len() < needed {
        return None;
    }
    let (first, last) = (unanswered.first()?, unanswered.last()?);
    let since = ctx.history.day(first);
    let rearmed = days_after(ctx.history.day(last), ctx.settings.gone_dark_rearm_days);
    let floor = days_after(since, ctx.settings.gone_dark_min_days);
    let count = unanswered.len();
    let phone_only = unanswered.iter().all(|t| t.is_phone());
    Some(Found {
        due_on: ctx.cal.next_working_day_on_or_after(rearmed.max(floor)),
        strike: None,
        approach: Some(change_of_approach(unanswered)),
        why: Why::Unanswered {
            count,
            since,
            phone_only,
        },
    })
}

/// \[000\] A candidate who never answered gets three tries, spaced by working days; after the third
/// the next move is theirs.
fn three_strikes(ctx: &Ctx<'_>) -> Option<Found> {
    if ctx.is_dm() || ctx.history.ever_responded() {
        return None;
    }
    let mut attempts = ctx
        .history
        .attempts()
        .map(|t| (t.channel, ctx.history.day(t)));
    let first = attempts.next()?;
    let second = attempts.next();
    if attempts.next().is_some() {
        return None;
    }
    let [gap_two, gap_three] = ctx.settings.strike_gaps;
    let (strike, due_on) = match second {
        None => (2, ctx.cal.add_working_days(first.1, gap_two)),
        Some((_, on)) => (3, ctx.cal.add_working_days(on, gap_three)),
    };
    Some(Found {
        due_on,
        strike: Some(strike),
        approach: None,
        why: Why::Strikes { first, second },
    })
}

/// [003, 004] Every DM once attempted is called again within their temperature's interval.
fn contact_cycle(ctx: &Ctx<'_>) -> Option<Found> {
    if !ctx.is_dm() {
        return None;
    }
    let on = ctx.history.day(ctx.history.latest_attempt()?);
    let temperature = ctx.facts.temperature;
    let days = ctx.settings.interval(temperature);
    let due_on = ctx.cal.next_working_day_on_or_after(days_after(on, days));
    Some(Found::on(
        due_on,
        Why::LastAttempt {
            on,
            temperature,
            days,
        },
    ))
}
