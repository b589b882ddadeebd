//! The one answer to "what time is it": the nightly tick, each user's today, session lifetimes.
//! Production reads the system clock; a test holds a clock it can set and move forward, and the
//! nightly task wakes at once when it moves.

use std::sync::{Arc, Mutex};

use chrono::{DateTime, Duration, NaiveDate, Utc};
use chrono_tz::Tz;
use tokio::sync::watch;

/// A clock shared by everything one server runs (held in `AppState`; clones share it).
#[derive(Clone)]
pub struct Clock {
    /// Added to the system time: zero in production, what a test set.
    offset: Arc<Mutex<Duration>>,
    /// Bumped on every move, so waiting tasks look again at once.
    moved: watch::Sender<u64>,
    settable: bool,
}

impl std::fmt::Debug for Clock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Clock")
            .field("now", &self.now())
            .field("settable", &self.settable)
            .finish()
    }
}

impl Clock {
    /// The system clock; it cannot be moved.
    pub fn system() -> Self {
        Self::with(Duration::zero(), false)
    }

    /// A clock that reads `start` now and runs on from there at the system's pace; tests move it
    /// with [`Clock::set`] and [`Clock::advance`].
    pub fn starting_at(start: DateTime<Utc>) -> Self {
        Self::with(start - Utc::now(), true)
    }

    fn with(offset: Duration, settable: bool) -> Self {
        Self {
            offset: Arc::new(Mutex::new(offset)),
            moved: watch::Sender::new(0),
            settable,
        }
    }

    /// The current instant.
    pub fn now(&self) -> DateTime<Utc> {
        Utc::now() + self.offset()
    }

    /// The calendar date in a time zone now: a user's "today".
    pub fn today_in(&self, tz: Tz) -> NaiveDate {
        self.now().with_timezone(&tz).date_naive()
    }

    fn offset(&self) -> Duration {
        // a poisoned lock still holds a valid offset: a panicking setter wrote it whole or not at all
        *self.offset.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Moves a test clock to `at` (and on from there); the system clock ignores it.
    pub fn set(&self, at: DateTime<Utc>) {
        self.shift(|_| at - Utc::now());
    }

    /// Moves a test clock forward (or back) by `by`; the system clock ignores it.
    pub fn advance(&self, by: Duration) {
        self.shift(|old| old + by);
    }

    fn shift(&self, to: impl FnOnce(Duration) -> Duration) {
        if !self.settable {
            tracing::warn!("the system clock cannot be moved");
            return;
        }
        {
            let mut offset = self.offset.lock().unwrap_or_else(|p| p.into_inner());
            *offset = to(*offset);
        }
        self.moved.send_modify(|n| *n = n.wrapping_add(1));
    }

    /// A receiver that changes whenever the clock is moved (never, for the system clock).
    pub fn moves(&self) -> watch::Receiver<u64> {
        self.moved.subscribe()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn a_test_clock_reads_what_was_set_and_moves_forward() {
        let start = Utc.with_ymd_and_hms(2026, 3, 1, 12, 0, 0).unwrap();
        let clock = Clock::starting_at(start);
        assert!((clock.now() - start).num_seconds().abs() < 2);
        clock.advance(Duration::days(2));
        assert_eq!(
            clock.today_in(chrono_tz::UTC),
            NaiveDate::from_ymd_opt(2026, 3, 3).unwrap()
        );
        let later = Utc.with_ymd_and_hms(2026, 3, 9, 23, 30, 0).unwrap();
        clock.set(later);
        // 23:30 in UTC is already the next day in Tokyo
        assert_eq!(
            clock.today_in(chrono_tz::Asia::Tokyo),
            NaiveDate::from_ymd_opt(2026, 3, 10).unwrap()
        );
    }

    #[test]
    fn clones_share_one_clock_and_moves_are_announced() {
        let clock = Clock::starting_at(Utc::now());
        let other = clock.clone();
        let moves = other.moves();
        clock.advance(Duration::hours(5));
        assert!(moves.has_changed().unwrap());
        assert!(
            (other.now() - Utc::now() - Duration::hours(5))
                .num_seconds()
                .abs()
                < 2
        );
    }

    #[test]
    fn the_system_clock_cannot_be_moved() {
        let clock = Clock::system();
        clock.advance(Duration::days(30));
        assert!((clock.now() - Utc::now()).num_seconds().abs() < 2);
    }
}
