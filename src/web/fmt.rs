//! How dates, times and codes read on pages: "Mon 9 Nov", "Mon 9 Nov 14:30" in the user's zone,
//! and plain words instead of internal codes.

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use chrono_tz::Tz;

use crate::domain::cadence::{Approach, Channel, Direction, Outcome, Reason, Temperature};

/// "Mon 9 Nov" (with the year when it is not this year's).
pub fn day(d: NaiveDate, today: NaiveDate) -> String {
    if d.year() == today.year() {
        d.format("%a %-d %b").to_string()
    } else {
        d.format("%a %-d %b %Y").to_string()
    }
}

/// "Mon 9 Nov 14:30" in the user's zone.
pub fn moment(t: DateTime<Utc>, tz: Tz, today: NaiveDate) -> String {
    let local = t.with_timezone(&tz);
    format!(
        "{} {}",
        day(local.date_naive(), today),
        local.format("%H:%M")
    )
}

/// "due today", "1 day overdue", "12 days overdue".
pub fn overdue(days: i64) -> String {
    match days {
        i64::MIN..=0 => "due today".into(),
        1 => "1 day overdue".into(),
        n => format!("{n} days overdue"),
    }
}

/// Plain words for any code of the engine; unknown codes pass through.
pub fn label(code: &str) -> &str {
    if let Ok(r) = code.parse::<Reason>() {
        return r.label();
    }
    if let Ok(c) = code.parse::<Channel>() {
        return c.label();
    }
    if let Ok(o) = code.parse::<Outcome>() {
        return o.label();
    }
    if let Ok(a) = code.parse::<Approach>() {
        return a.label();
    }
    if let Ok(t) = code.parse::<Temperature>() {
        return t.label();
    }
    if let Ok(d) = code.parse::<Direction>() {
        return d.label();
    }
    code
}

/// (code, words) pairs for selects.
pub fn options<T: Copy>(
    all: &[T],
    code: fn(T) -> &'static str,
    words: fn(T) -> &'static str,
) -> Vec<(&'static str, &'static str)> {
    all.iter().map(|v| (code(*v), words(*v))).collect()
}
