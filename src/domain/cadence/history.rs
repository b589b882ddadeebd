//! A contact's touches as of a date: cut at the end of that date, put in time order, and read the
//! way the rules need (attempts, responses, the open promise, what settles a logged event).

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;

use super::calendar::local_date;
use super::facts::TouchFact;

/// The touches that count on a given date, oldest first.
pub(super) struct History<'a> {
    touches: Vec<&'a TouchFact>,
    tz: Tz,
}

impl<'a> History<'a> {
    /// Keeps the touches up to the end of `today` in `tz` and orders them by time, then id. The
    /// query already sorts them, so the sort is usually skipped after one cheap check.
    pub(super) fn new(touches: &'a [TouchFact], tz: Tz, today: NaiveDate) -> Self {
        let mut kept: Vec<&TouchFact> = touches
            .iter()
            .filter(|t| local_date(t.at, tz) <= today)
            .collect();
        if !kept.is_sorted_by_key(|t| (t.at, t.id)) {
            kept.sort_by_key(|t| (t.at, t.id));
        }
        Self { touches: kept, tz }
    }

    /// The owner's local date of a touch.
    pub(super) fn day(&self, touch: &TouchFact) -> NaiveDate {
        local_date(touch.at, self.tz)
    }

    /// Every attempt, oldest first.
    pub(super) fn attempts(&self) -> impl Iterator<Item = &'a TouchFact> + '_ {
        self.touches.iter().copied().filter(|t| t.is_attempt())
    }

    /// The most recent attempt.
    pub(super) fn latest_attempt(&self) -> Option<&'a TouchFact> {
        self.touches.iter().rev().copied().find(|t| t.is_attempt())
    }

    /// Whether they ever answered.
    pub(super) fn ever_responded(&self) -> bool {
        self.touches.iter().any(|t| t.is_response())
    }

    /// The attempts after the latest response (all of them if they never answered), oldest first.
    pub(super) fn unanswered(&self) -> Vec<&'a TouchFact> {
        let start = self
            .touches
            .iter()
            .rposition(|t| t.is_response())
            .map_or(0, |i| i + 1);
        self.touches[start..]
            .iter()
            .copied()
            .filter(|t| t.is_attempt())
            .collect()
    }

    /// The next step date of the latest touch that set one, unless an attempt happened on or
    /// after that date.
    pub(super) fn open_promise(&self) -> Option<NaiveDate> {
        let promise = self.touches.iter().rev().find_map(|t| t.next_step_on)?;
        let kept = self.attempts().any(|t| self.day(t) >= promise);
        (!kept).then_some(promise)
    }

    /// Whether an attempt or a response happened strictly after `instant`.
    pub(super) fn any_contact_after(&self, instant: DateTime<Utc>) -> bool {
        self.touches
            .iter()
            .any(|t| t.at > instant && (t.is_attempt() || t.is_response()))
    }

    /// The earliest logged event (up to the end of `today`) that no later touch matching
    /// `settles` has answered. A touch settles every event logged strictly before it.
    pub(super) fn earliest_unsettled(
        &self,
        logged: &[DateTime<Utc>],
        today: NaiveDate,
        settles: impl Fn(&TouchFact) -> bool,
    ) -> Option<DateTime<Utc>> {
        let last_settled = self.touches.iter().rev().find(|t| settles(t)).map(|t| t.at);
        logged
            .iter()
            .copied()
            .filter(|at| local_date(*at, self.tz) <= today)
            .filter(|at| last_settled.is_none_or(|settled| settled <= *at))
            .min()
    }
}
