//! The team's cadence settings, their defaults (docs/rules.md, "The team settings") and the
//! checks a manager's edit must pass.

use std::collections::BTreeSet;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::calendar::Calendar;
use super::codes::Temperature;

/// The longest span, in days, any setting may hold (ten years): longer is surely a typo.
pub const MAX_DAYS: u32 = 3650;

/// The most unanswered attempts `gone_dark` may wait for before suggesting a change of approach.
pub const MAX_GONE_DARK_TOUCHES: u32 = 100;

/// The most holidays a team may keep: ten years of every public holiday is far fewer, and each
/// one is read by every date computation.
pub const MAX_HOLIDAYS: usize = 1000;

/// Every number of the rules is a team setting, so a manager can tune the cadence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Settings {
    /// Days between calls to a hot DM (an open job order).
    pub interval_hot: u32,
    /// Days between calls to a warm DM.
    pub interval_warm: u32,
    /// Days between calls to a cold DM: the 90-day cycle.
    pub interval_cold: u32,
    /// Working days after a DM's only attempt before the second call is due.
    pub second_call_working_days: u32,
    /// Working days before strike 2 and before strike 3.
    pub strike_gaps: [u32; 2],
    /// Unanswered attempts since the latest response that mean "gone dark".
    pub gone_dark_touches: u32,
    /// Gone dark is due no earlier than this many days after the first unanswered attempt.
    pub gone_dark_min_days: u32,
    /// Gone dark is due this many days after the latest unanswered attempt.
    pub gone_dark_rearm_days: u32,
    /// Working weekdays, indexed by `Weekday::num_days_from_monday()`.
    pub working_days: [bool; 7],
    /// Team holidays: never working days.
    pub holidays: BTreeSet<NaiveDate>,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            interval_hot: 14,
            interval_warm: 30,
            interval_cold: 90,
            second_call_working_days: 5,
            strike_gaps: [2, 3],
            gone_dark_touches: 3,
            gone_dark_min_days: 14,
            gone_dark_rearm_days: 7,
            working_days: Calendar::MON_TO_FRI,
            holidays: BTreeSet::new(),
        }
    }
}

/// A settings edit that would make the rules meaningless; the settings form shows it as a 422.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SettingsError {
    /// A number outside what the rules can sensibly use.
    #[error("{field} must be between {min} and {max}, not {value}")]
    OutOfRange {
        /// The settings field, as named in the struct.
        field: &'static str,
        /// The rejected value.
        value: u32,
        /// The smallest accepted value.
        min: u32,
        /// The largest accepted value.
        max: u32,
    },
    /// A week without any working day would leave nowhere to put a due date.
    #[error("at least one weekday must be a working day")]
    NoWorkingDay,
    /// More holidays than [`MAX_HOLIDAYS`].
    #[error("at most {MAX_HOLIDAYS} holidays")]
    TooManyHolidays,
    /// A holiday more than ten years ([`MAX_DAYS`]) before or after today: surely a typo.
    #[error("{0} is more than ten years from today")]
    HolidayTooFar(NaiveDate),
}

/// Checks each `(field, value, min, max)`: the first value outside its range is the error.
///
/// # Errors
/// [`SettingsError::OutOfRange`] naming the field.
pub fn within(ranges: &[(&'static str, u32, u32, u32)]) -> Result<(), SettingsError> {
    match ranges
        .iter()
        .find(|(_, v, min, max)| !(min..=max).contains(&v))
    {
        Some(&(field, value, min, max)) => Err(SettingsError::OutOfRange {
            field,
            value,
            min,
            max,
        }),
        None => Ok(()),
    }
}

impl Settings {
    /// The contact-cycle interval for a DM's temperature: warmer DMs are called sooner.
    #[must_use]
    pub fn interval(&self, temperature: Temperature) -> u32 {
        match temperature {
            Temperature::Hot => self.interval_hot,
            Temperature::Warm => self.interval_warm,
            Temperature::Cold => self.interval_cold,
        }
    }

    /// The team's working-day calendar, which every due date is moved onto.
    #[must_use]
    pub fn calendar(&self) -> Calendar<'_> {
        Calendar::new(self.working_days, &self.holidays)
    }

    /// Rejects nonsense before it is saved, so the rules never have to guess what a manager meant.
    ///
    /// `today` is the date of the edit (holidays must fall within ten years of it). Every path
    /// that saves settings (the form, the API) calls this one check.
    ///
    /// # Errors
    /// The first field out of range, [`SettingsError::NoWorkingDay`], or a holiday problem.
    pub fn validate(&self, today: NaiveDate) -> Result<(), SettingsError> {
        within(&self.ranges())?;
        if !self.working_days.contains(&true) {
            return Err(SettingsError::NoWorkingDay);
        }
        if self.holidays.len() > MAX_HOLIDAYS {
            return Err(SettingsError::TooManyHolidays);
        }
        let far = i64::from(MAX_DAYS);
        if let Some(d) = self
            .holidays
            .iter()
            .find(|d| (**d - today).num_days().abs() > far)
        {
            return Err(SettingsError::HolidayTooFar(*d));
        }
        Ok(())
    }

    /// Each numeric field with the range it must fall in.
    fn ranges(&self) -> [(&'static str, u32, u32, u32); 9] {
        [
            ("interval_hot", self.interval_hot, 1, MAX_DAYS),
            ("interval_warm", self.interval_warm, 1, MAX_DAYS),
            ("interval_cold", self.interval_cold, 1, MAX_DAYS),
            (
                "second_call_working_days",
                self.second_call_working_days,
                1,
                MAX_DAYS,
            ),
            ("strike_gaps[0]", self.strike_gaps[0], 1, MAX_DAYS),
            ("strike_gaps[1]", self.strike_gaps[1], 1, MAX_DAYS),
            (
                "gone_dark_touches",
                self.gone_dark_touches,
                1,
                MAX_GONE_DARK_TOUCHES,
            ),
            ("gone_dark_min_days", self.gone_dark_min_days, 0, MAX_DAYS),
            (
                "gone_dark_rearm_days",
                self.gone_dark_rearm_days,
                1,
                MAX_DAYS,
            ),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_defaults_are_the_documented_ones_and_valid() {
        let s = Settings::default();
        assert_eq!(
            (s.interval_hot, s.interval_warm, s.interval_cold),
            (14, 30, 90)
        );
        assert_eq!(s.second_call_working_days, 5);
        assert_eq!(s.strike_gaps, [2, 3]);
        assert_eq!(
            (
                s.gone_dark_touches,
                s.gone_dark_min_days,
                s.gone_dark_rearm_days
            ),
            (3, 14, 7)
        );
        assert_eq!(s.working_days, [true, true, true, true, true, false, false]);
        assert_eq!(s.validate(today()), Ok(()));
    }

    #[test]
    fn validation_rejects_a_zero_or_huge_interval() {
        let zero = Settings {
            interval_warm: 0,
            ..Settings::default()
        };
        assert!(matches!(
            zero.validate(today()),
            Err(SettingsError::OutOfRange {
                field: "interval_warm",
                value: 0,
                ..
            })
        ));
        let huge = Settings {
            interval_cold: 3651,
            ..Settings::default()
        };
        assert!(matches!(
            huge.validate(today()),
            Err(SettingsError::OutOfRange { .. })
        ));
    }

    #[test]
    fn validation_rejects_a_zero_strike_gap_and_zero_gone_dark_touches() {
        let gap = Settings {
            strike_gaps: [2, 0],
            ..Settings::default()
        };
        assert!(matches!(
            gap.validate(today()),
            Err(SettingsError::OutOfRange {
                field: "strike_gaps[1]",
                ..
            })
        ));
        let touches = Settings {
            gone_dark_touches: 0,
            ..Settings::default()
        };
        assert!(matches!(
            touches.validate(today()),
            Err(SettingsError::OutOfRange {
                field: "gone_dark_touches",
                ..
            })
        ));
    }

    #[test]
    fn validation_rejects_a_week_without_working_days() {
        let none = Settings {
            working_days: [false; 7],
            ..Settings::default()
        };
        assert_eq!(none.validate(today()), Err(SettingsError::NoWorkingDay));
        assert_eq!(
            none.validate(today())
                .err()
                .map(|e| e.to_string())
                .as_deref(),
            Some("at least one weekday must be a working day")
        );
    }

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 29).unwrap()
    }

    #[test]
    fn validation_keeps_holidays_few_and_within_ten_years() {
        let day = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
        let near = Settings {
            holidays: [day(2026, 12, 25), day(2017, 1, 2), day(2036, 11, 1)].into(),
            ..Settings::default()
        };
        assert_eq!(near.validate(today()), Ok(()));
        let far = Settings {
            holidays: [day(2026, 12, 25), day(2206, 12, 25)].into(),
            ..Settings::default()
        };
        assert_eq!(
            far.validate(today()),
            Err(SettingsError::HolidayTooFar(day(2206, 12, 25)))
        );
        let many = Settings {
            holidays: (0..=1000).map(|i| today() + chrono::Days::new(i)).collect(),
            ..Settings::default()
        };
        assert_eq!(many.validate(today()), Err(SettingsError::TooManyHolidays));
    }

    #[test]
    fn the_interval_follows_the_temperature() {
        let s = Settings::default();
        assert_eq!(s.interval(Temperature::Hot), 14);
        assert_eq!(s.interval(Temperature::Warm), 30);
        assert_eq!(s.interval(Temperature::Cold), 90);
    }
}
