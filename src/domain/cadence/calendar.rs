//! Working days, holidays and the owner's local date: the only places dates are moved or converted.

use std::collections::BTreeSet;

use chrono::{DateTime, Datelike, Days, NaiveDate, Utc};
use chrono_tz::Tz;

/// The owner's calendar date of an instant: a touch at 23:30 in New York happens on the New York
/// date, whatever the UTC date says.
#[must_use]
pub fn local_date(at: DateTime<Utc>, tz: Tz) -> NaiveDate {
    at.with_timezone(&tz).date_naive()
}

/// `d` plus `n` calendar days, saturating at the last representable date instead of failing.
#[must_use]
pub fn days_after(d: NaiveDate, n: u32) -> NaiveDate {
    d.checked_add_days(Days::new(u64::from(n)))
        .unwrap_or(NaiveDate::MAX)
}

/// A team's working days, so due dates never land on a weekend or a holiday.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Calendar<'a> {
    working_days: [bool; 7],
    holidays: &'a BTreeSet<NaiveDate>,
}

impl<'a> Calendar<'a> {
    /// Monday to Friday: the default week, and the fallback for a week with no working day.
    pub const MON_TO_FRI: [bool; 7] = [true, true, true, true, true, false, false];

    /// Builds the calendar. A week with no working day at all (which `Settings::validate`
    /// rejects) is read as Monday to Friday, so no search can run forever.
    #[must_use]
    pub fn new(working_days: [bool; 7], holidays: &'a BTreeSet<NaiveDate>) -> Self {
        let working_days = if working_days.contains(&true) {
            working_days
        } else {
            Self::MON_TO_FRI
        };
        Self {
            working_days,
            holidays,
        }
    }

    /// A working weekday that is not a team holiday: the only kind of day anything is due on.
    #[must_use]
    pub fn is_working_day(&self, d: NaiveDate) -> bool {
        let weekday = d.weekday().num_days_from_monday() as usize;
        self.working_days[weekday] && !self.holidays.contains(&d)
    }

    /// Moves a due date that lands on a weekend or holiday to the next working day; a working day
    /// stays as it is. Holidays are finite, so the search ends (at the latest at the last date).
    #[must_use]
    pub fn next_working_day_on_or_after(&self, d: NaiveDate) -> NaiveDate {
        d.iter_days()
            .find(|day| self.is_working_day(*day))
            .unwrap_or(NaiveDate::MAX)
    }

    /// The Nth working day strictly after `d`, whatever day `d` is (from a Saturday, the Monday
    /// is the first). `n = 0` (rejected by `Settings::validate`) gives the first working day on
    /// or after `d`, so the result is always a working day.
    #[must_use]
    pub fn add_working_days(&self, d: NaiveDate, n: u32) -> NaiveDate {
        if n == 0 {
            return self.next_working_day_on_or_after(d);
        }
        let mut day = d;
        for _ in 0..n {
            let Some(next) = day.succ_opt() else {
                return NaiveDate::MAX;
            };
            day = self.next_working_day_on_or_after(next);
        }
        day
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::cadence::tests::support::{d, instant};
    use chrono::TimeZone;
    use chrono_tz::{America::New_York, Europe::Berlin};

    #[test]
    fn weekends_are_not_working_days_by_default() {
        let none = BTreeSet::new();
        let cal = Calendar::new(Calendar::MON_TO_FRI, &none);
        assert!(cal.is_working_day(d("2026-11-06")), "Friday");
        assert!(!cal.is_working_day(d("2026-11-07")), "Saturday");
        assert!(!cal.is_working_day(d("2026-11-08")), "Sunday");
    }

    #[test]
    fn a_due_date_on_a_weekend_or_holiday_moves_to_the_next_working_day() {
        let holidays = BTreeSet::from([d("2026-11-09")]);
        let cal = Calendar::new(Calendar::MON_TO_FRI, &holidays);
        assert_eq!(
            cal.next_working_day_on_or_after(d("2026-11-07")),
            d("2026-11-10")
        );
        assert_eq!(
            cal.next_working_day_on_or_after(d("2026-11-10")),
            d("2026-11-10")
        );
    }

    #[test]
    fn n_working_days_after_a_saturday_counts_from_the_monday() {
        let none = BTreeSet::new();
        let cal = Calendar::new(Calendar::MON_TO_FRI, &none);
        assert_eq!(cal.add_working_days(d("2026-11-07"), 1), d("2026-11-09"));
        assert_eq!(cal.add_working_days(d("2026-11-07"), 5), d("2026-11-13"));
        assert_eq!(cal.add_working_days(d("2026-11-06"), 1), d("2026-11-09"));
        assert_eq!(cal.add_working_days(d("2026-11-02"), 5), d("2026-11-09"));
    }

    #[test]
    fn working_days_skip_holidays() {
        let holidays = BTreeSet::from([d("2026-12-25"), d("2026-12-28")]);
        let cal = Calendar::new(Calendar::MON_TO_FRI, &holidays);
        // Thu 24 Dec + 2: Fri 25 is a holiday, Mon 28 too, so Tue 29 then Wed 30.
        assert_eq!(cal.add_working_days(d("2026-12-24"), 2), d("2026-12-30"));
    }

    #[test]
    fn zero_working_days_means_the_first_working_day_on_or_after() {
        let none = BTreeSet::new();
        let cal = Calendar::new(Calendar::MON_TO_FRI, &none);
        assert_eq!(cal.add_working_days(d("2026-11-07"), 0), d("2026-11-09"));
        assert_eq!(cal.add_working_days(d("2026-11-05"), 0), d("2026-11-05"));
    }

    #[test]
    fn a_week_without_working_days_is_read_as_monday_to_friday() {
        let none = BTreeSet::new();
        let cal = Calendar::new([false; 7], &none);
        assert_eq!(
            cal.next_working_day_on_or_after(d("2026-11-07")),
            d("2026-11-09")
        );
    }

    #[test]
    fn a_custom_week_is_respected() {
        let none = BTreeSet::new();
        // Sunday to Thursday.
        let cal = Calendar::new([true, true, true, true, false, false, true], &none);
        assert_eq!(cal.add_working_days(d("2026-11-05"), 1), d("2026-11-08"));
    }

    #[test]
    fn the_last_date_saturates_instead_of_failing() {
        let none = BTreeSet::new();
        let cal = Calendar::new(Calendar::MON_TO_FRI, &none);
        assert_eq!(cal.add_working_days(NaiveDate::MAX, 3), NaiveDate::MAX);
        assert_eq!(days_after(NaiveDate::MAX, 1), NaiveDate::MAX);
    }

    #[test]
    fn a_touch_at_half_past_eleven_in_new_york_is_on_the_new_york_date() {
        let local = New_York.with_ymd_and_hms(2026, 11, 3, 23, 30, 0).unwrap();
        let at = local.with_timezone(&Utc);
        assert_eq!(
            at.date_naive(),
            d("2026-11-04"),
            "already the next day in UTC"
        );
        assert_eq!(local_date(at, New_York), d("2026-11-03"));
    }

    #[test]
    fn local_dates_follow_the_dst_changes() {
        // New York springs forward on Sun 8 Mar 2026: 23:30 EDT is 03:30 UTC the next day.
        assert_eq!(
            local_date(instant("2026-03-09T03:30:00Z"), New_York),
            d("2026-03-08")
        );
        assert_eq!(
            local_date(instant("2026-03-08T04:30:00Z"), New_York),
            d("2026-03-07")
        );
        // Berlin falls back on Sun 25 Oct 2026: 22:30 UTC on the 24th is 00:30 CEST on the 25th,
        // while 23:30 UTC on the 25th is already 00:30 CET on the 26th.
        assert_eq!(
            local_date(instant("2026-10-24T22:30:00Z"), Berlin),
            d("2026-10-25")
        );
        assert_eq!(
            local_date(instant("2026-10-25T22:30:00Z"), Berlin),
            d("2026-10-25")
        );
        assert_eq!(
            local_date(instant("2026-10-25T23:30:00Z"), Berlin),
            d("2026-10-26")
        );
    }
}
