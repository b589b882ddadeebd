//! The period a report covers: `from`/`to` dates in the manager's zone, by default the last four
//! full weeks (Monday to Sunday) before the current one.

use chrono::{Datelike, Days, NaiveDate};

/// The longest period a report may cover (a bound on the work one request asks for).
pub const MAX_DAYS: i64 = 3 * 366;

/// Why a period was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PeriodError {
    Reversed,
    TooLong,
}

impl PeriodError {
    /// The message shown next to the dates.
    pub fn message(self) -> &'static str {
        match self {
            PeriodError::Reversed => "The start date must be on or before the end date.",
            PeriodError::TooLong => "Choose a period of at most three years.",
        }
    }
}

/// The Monday of the week of `d`.
pub fn monday_of(d: NaiveDate) -> NaiveDate {
    d - Days::new(u64::from(d.weekday().num_days_from_monday()))
}

/// The last four full weeks before the week of `today`.
pub fn default_period(today: NaiveDate) -> (NaiveDate, NaiveDate) {
    let monday = monday_of(today);
    (monday - Days::new(28), monday - Days::new(1))
}

/// The dates asked for, a missing end filled in from the default (or four weeks from the start).
pub fn resolve(
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
    today: NaiveDate,
) -> Result<(NaiveDate, NaiveDate), PeriodError> {
    let (d_from, d_to) = default_period(today);
    let (from, to) = match (from, to) {
        (Some(f), Some(t)) => (f, t),
        (Some(f), None) => (f, (f + Days::new(27)).min(today).max(f)),
        (None, Some(t)) => (t - Days::new(27), t),
        (None, None) => (d_from, d_to),
    };
    if from > to {
        return Err(PeriodError::Reversed);
    }
    if (to - from).num_days() >= MAX_DAYS {
        return Err(PeriodError::TooLong);
    }
    Ok((from, to))
}

/// The working days of the period up to today (the divisor of "per working day").
pub fn working_days(
    (from, to): (NaiveDate, NaiveDate),
    today: NaiveDate,
    cal: &crate::domain::cadence::Calendar<'_>,
) -> i64 {
    let last = to.min(today);
    from.iter_days()
        .take_while(|d| *d <= last)
        .filter(|d| cal.is_working_day(*d))
        .count() as i64
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn the_default_is_the_four_full_weeks_before_this_one() {
        // Sunday 22 Nov 2026: this week began Monday 16 Nov.
        assert_eq!(
            default_period(d("2026-11-22")),
            (d("2026-10-19"), d("2026-11-15"))
        );
        assert_eq!(
            default_period(d("2026-11-16")),
            (d("2026-10-19"), d("2026-11-15"))
        );
    }

    #[test]
    fn reversed_and_overlong_periods_are_refused() {
        let today = d("2026-11-22");
        assert_eq!(
            resolve(Some(d("2026-11-02")), Some(d("2026-11-01")), today),
            Err(PeriodError::Reversed)
        );
        assert_eq!(
            resolve(Some(d("2020-01-01")), Some(d("2026-01-01")), today),
            Err(PeriodError::TooLong)
        );
        assert_eq!(
            resolve(None, Some(d("2026-11-28")), today),
            Ok((d("2026-11-01"), d("2026-11-28")))
        );
        // A start alone runs four weeks, but not past today.
        assert_eq!(
            resolve(Some(d("2026-10-01")), None, today),
            Ok((d("2026-10-01"), d("2026-10-28")))
        );
        assert_eq!(
            resolve(Some(d("2026-11-10")), None, today),
            Ok((d("2026-11-10"), today))
        );
    }

    #[test]
    fn working_days_skip_weekends_holidays_and_the_future() {
        let holidays: BTreeSet<NaiveDate> = [d("2026-11-11")].into();
        let cal = crate::domain::cadence::Calendar::new(
            crate::domain::cadence::Calendar::MON_TO_FRI,
            &holidays,
        );
        let today = d("2026-11-18");
        // Mon 9 .. Wed 18 Nov: 8 weekdays, minus the 11th; the 19th and 20th are not yet.
        assert_eq!(
            working_days((d("2026-11-09"), d("2026-11-20")), today, &cal),
            7
        );
    }
}
