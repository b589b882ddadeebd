//! How a scorecard reads on the pages: formatted figures, and the link behind each one to the
//! rows it counts (`/team/list?figure=…`).

use chrono::NaiveDate;

use crate::reports::card::{APPROACHES, FigureCard, JOB_BUCKETS, Recovery};

/// "60%", or a dash when there is nothing to divide.
pub fn pct(share: Option<f64>) -> String {
    share.map_or_else(|| "—".into(), |s| format!("{:.0}%", s * 100.0))
}

/// "6", "6.5", or a dash.
pub fn num(v: Option<f64>) -> String {
    match v {
        None => "—".into(),
        Some(v) if (v - v.round()).abs() < 0.05 => format!("{v:.0}"),
        Some(v) => format!("{v:.1}"),
    }
}

/// One card with what its links and per-day figures need.
#[derive(Debug, Clone)]
pub struct CardView {
    pub name: String,
    /// None: the team.
    pub user_id: Option<i64>,
    /// A deactivated user (their work still counts).
    pub left: bool,
    pub card: FigureCard,
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub working_days: i64,
    pub goal: u32,
    pub window_days: u32,
}

impl CardView {
    /// The list of the rows a figure counts for this card (`status` empty: all of them).
    pub fn link(&self, figure: &str, status: &str) -> String {
        let mut href = format!(
            "/team/list?figure={figure}&from={}&to={}",
            self.from, self.to
        );
        if !status.is_empty() {
            href.push_str("&status=");
            href.push_str(&status.replace('+', "%2B"));
        }
        if let Some(id) = self.user_id {
            href.push_str(&format!("&user_id={id}"));
        }
        href
    }

    pub fn rate(&self) -> String {
        pct(self.card.second_call.rate())
    }

    pub fn median_days(&self) -> String {
        num(self.card.second_call.median_days)
    }

    fn per_day(&self, n: i64) -> Option<f64> {
        (self.working_days > 0).then(|| n as f64 / self.working_days as f64)
    }

    /// New DMs per working day, one decimal.
    pub fn new_per_day(&self) -> String {
        self.per_day(self.card.new_dms)
            .map_or_else(|| "—".into(), |v| format!("{v:.1}"))
    }

    /// Whether the recruiter keeps up with the goal of new DMs a day.
    pub fn meets_goal(&self) -> bool {
        self.per_day(self.card.new_dms)
            .is_some_and(|v| v + 1e-9 >= f64::from(self.goal))
    }

    pub fn coverage(&self) -> String {
        pct(self.card.coverage())
    }

    pub fn not_touched(&self) -> i64 {
        self.card.active_dms - self.card.touched_dms
    }

    pub fn touches_per_day(&self) -> String {
        self.per_day(self.card.touches_total())
            .map_or_else(|| "—".into(), |v| format!("{v:.1}"))
    }

    /// Touches of one channel a working day.
    pub fn channel_per_day(&self, i: &usize) -> String {
        let n = self.card.touches.get(*i).copied().unwrap_or(0);
        self.per_day(n)
            .map_or_else(|| "—".into(), |v| format!("{v:.1}"))
    }

    pub fn phone_share(&self) -> String {
        pct(self.card.phone_share())
    }

    pub fn sign_off_hours(&self) -> String {
        num(self.card.sign_off.median_hours)
    }

    /// A share of the three-strikes sequences that ended (pending ones left out).
    pub fn strike_share(&self, i: &usize) -> String {
        let s = &self.card.strikes;
        let decided: i64 = s[..5].iter().sum();
        let n = s.get(*i).copied().unwrap_or(0);
        pct((decided > 0 && *i < 5).then(|| n as f64 / decided as f64))
    }

    /// (code, words, counts) of each approach of the gone-dark table.
    pub fn recoveries(&self) -> Vec<(&'static str, &'static str, Recovery, String)> {
        APPROACHES
            .iter()
            .zip(self.card.gone_dark.iter())
            .map(|(code, r)| {
                (
                    *code,
                    crate::web::fmt::label(code),
                    r.clone(),
                    pct(r.rate()),
                )
            })
            .collect()
    }

    /// (bucket, count, share) of the attempts-before-the-first-job-order distribution.
    pub fn job_buckets(&self) -> Vec<(&'static str, i64, f64)> {
        let total: i64 = self.card.job_orders.iter().sum();
        JOB_BUCKETS
            .iter()
            .zip(self.card.job_orders)
            .map(|(b, n)| {
                let share = if total > 0 {
                    n as f64 / total as f64
                } else {
                    0.0
                };
                (*b, n, share)
            })
            .collect()
    }

    pub fn job_orders_total(&self) -> i64 {
        self.card.job_orders.iter().sum()
    }

    /// Share of first job orders that came at the fifth attempt or later (\[003\] says 80 %).
    pub fn fifth_or_later(&self) -> String {
        let total = self.job_orders_total();
        pct((total > 0).then(|| self.card.job_orders[5] as f64 / total as f64))
    }
}

/// The columns the recruiter tables sort by.
pub const SORT_KEYS: [&str; 10] = [
    "name",
    "first_touched",
    "second_called",
    "pending",
    "rate",
    "median",
    "new_dms",
    "coverage",
    "touches",
    "phone",
];

fn sort_value(v: &CardView, key: &str) -> Option<f64> {
    let c = &v.card;
    match key {
        "first_touched" => Some(c.second_call.first_touched as f64),
        "second_called" => Some(c.second_call.second_called as f64),
        "pending" => Some(c.second_call.pending as f64),
        "rate" => c.second_call.rate(),
        "median" => c.second_call.median_days,
        "new_dms" => Some(c.new_dms as f64),
        "coverage" => c.coverage(),
        "touches" => Some(c.touches_total() as f64),
        "phone" => c.phone_share(),
        _ => None,
    }
}

/// Sorts the recruiter rows by a column; rows without a value go last either way, then by name.
pub fn sort_rows(rows: &mut [CardView], key: &str, desc: bool) {
    rows.sort_by(|a, b| {
        let by_name = a.name.to_lowercase().cmp(&b.name.to_lowercase());
        if key == "name" {
            return if desc { by_name.reverse() } else { by_name };
        }
        match (sort_value(a, key), sort_value(b, key)) {
            (Some(x), Some(y)) => {
                let o = x.total_cmp(&y);
                (if desc { o.reverse() } else { o }).then(by_name)
            }
            (Some(_), None) => std::cmp::Ordering::Less,
            (None, Some(_)) => std::cmp::Ordering::Greater,
            (None, None) => by_name,
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shares_and_numbers_read_plainly() {
        assert_eq!(pct(Some(0.6)), "60%");
        assert_eq!(pct(None), "—");
        assert_eq!(num(Some(6.0)), "6");
        assert_eq!(num(Some(6.5)), "6.5");
    }

    fn view(name: &str, called: i64, first: i64) -> CardView {
        let mut card = FigureCard::default();
        card.second_call.first_touched = first;
        card.second_call.second_called = called;
        CardView {
            name: name.into(),
            user_id: Some(1),
            left: false,
            card,
            from: "2026-10-19".parse().unwrap(),
            to: "2026-11-15".parse().unwrap(),
            working_days: 20,
            goal: 2,
            window_days: 30,
        }
    }

    #[test]
    fn rows_sort_by_rate_with_empty_rows_last() {
        let mut rows = vec![view("Ann", 1, 4), view("Bob", 0, 0), view("Cid", 3, 4)];
        sort_rows(&mut rows, "rate", true);
        let names: Vec<_> = rows.iter().map(|r| r.name.as_str()).collect();
        assert_eq!(names, ["Cid", "Ann", "Bob"]);
        sort_rows(&mut rows, "rate", false);
        let names: Vec<_> = rows.iter().map(|r| r.name.as_str()).collect();
        assert_eq!(names, ["Ann", "Cid", "Bob"]);
    }

    #[test]
    fn links_carry_the_period_status_and_recruiter() {
        let v = view("Ann", 1, 4);
        assert_eq!(
            v.link("job_orders", "5+"),
            "/team/list?figure=job_orders&from=2026-10-19&to=2026-11-15&status=5%2B&user_id=1"
        );
    }
}
