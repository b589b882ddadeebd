//! A scorecard: every figure of the reports for one recruiter or for the team, assembled from the
//! per-status counts of [`crate::db::reports::aggregate`].

use std::collections::BTreeMap;

use sqlx::PgPool;

use crate::db::reports::{self, Count, Figure, Scope};

/// The channels of the touches table, in column order (notes are not touches of a person).
pub const CHANNELS: [&str; 6] = ["call", "voicemail", "email", "text", "meeting", "linkedin"];
/// The approaches of the gone-dark table.
pub const APPROACHES: [&str; 4] = ["standard", "dropped_the_ball", "value_add", "other_contact"];
/// The buckets of attempts before a first job order.
pub const JOB_BUCKETS: [&str; 6] = ["0", "1", "2", "3", "4", "5+"];
/// The outcomes of a three-strikes sequence, in column order.
pub const STRIKES: [&str; 6] = [
    "strike_1",
    "strike_2",
    "strike_3",
    "later",
    "unanswered",
    "pending",
];

/// The headline: DMs first attempted in the period and how many got their second call.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SecondCall {
    pub first_touched: i64,
    pub second_called: i64,
    pub missed: i64,
    pub pending: i64,
    pub median_days: Option<f64>,
}

impl SecondCall {
    /// Second-called over the DMs whose window has ended or who were called again; pending ones
    /// are left out. None when nothing is decided yet.
    pub fn rate(&self) -> Option<f64> {
        let decided = self.first_touched - self.pending;
        (decided > 0).then(|| self.second_called as f64 / decided as f64)
    }
}

/// Sign-off calls first due in the period.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SignOff {
    pub done: i64,
    pub overdue: i64,
    pub open: i64,
    pub closed: i64,
    pub median_hours: Option<f64>,
}

impl SignOff {
    /// Every sign-off item first due in the period.
    pub fn due(&self) -> i64 {
        self.done + self.overdue + self.open + self.closed
    }
}

/// Gone-dark items of one suggested approach.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Recovery {
    pub recovered: i64,
    pub not_recovered: i64,
    pub pending: i64,
}

impl Recovery {
    /// Recovered over the items whose 14 days are over or that got an answer.
    pub fn rate(&self) -> Option<f64> {
        let decided = self.recovered + self.not_recovered;
        (decided > 0).then(|| self.recovered as f64 / decided as f64)
    }
}

/// Every figure for one recruiter or the team.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FigureCard {
    pub second_call: SecondCall,
    pub new_dms: i64,
    pub active_dms: i64,
    pub touched_dms: i64,
    /// Touches by channel, in [`CHANNELS`] order.
    pub touches: [i64; 6],
    pub referrals: i64,
    pub referral_touches: i64,
    pub sign_off: SignOff,
    /// Three-strikes sequences by outcome, in [`STRIKES`] order.
    pub strikes: [i64; 6],
    /// Gone-dark items by approach, in [`APPROACHES`] order.
    pub gone_dark: [Recovery; 4],
    /// DMs by attempts before their first job order, in [`JOB_BUCKETS`] order.
    pub job_orders: [i64; 6],
}

fn slot(all: &[&str], code: &str) -> Option<usize> {
    all.iter().position(|c| *c == code)
}

impl FigureCard {
    /// Adds one count of a figure.
    pub fn apply(&mut self, figure: Figure, c: &Count) {
        let n = c.n;
        match figure {
            Figure::SecondCall => {
                let s = &mut self.second_call;
                s.first_touched += n;
                match c.status.as_str() {
                    "second_called" => {
                        s.second_called += n;
                        s.median_days = c.median;
                    }
                    "pending" => s.pending += n,
                    _ => s.missed += n,
                }
            }
            Figure::NewDms => self.new_dms += n,
            Figure::Coverage => {
                self.active_dms += n;
                if c.status == "touched" {
                    self.touched_dms += n;
                }
            }
            Figure::Touches => {
                if let Some(i) = slot(&CHANNELS, &c.status) {
                    self.touches[i] += n;
                }
            }
            Figure::Referrals => {
                self.referral_touches += n;
                self.referrals += c.total.map_or(0, |t| t.round() as i64);
            }
            Figure::SignOff => self.apply_sign_off(c),
            Figure::ThreeStrikes => {
                if let Some(i) = slot(&STRIKES, &c.status) {
                    self.strikes[i] += n;
                }
            }
            Figure::GoneDark => self.apply_gone_dark(c),
            Figure::JobOrders => {
                if let Some(i) = slot(&JOB_BUCKETS, &c.status) {
                    self.job_orders[i] += n;
                }
            }
        }
    }

    fn apply_sign_off(&mut self, c: &Count) {
        let s = &mut self.sign_off;
        match c.status.as_str() {
            "done" => {
                s.done += c.n;
                s.median_hours = c.median;
            }
            "overdue" => s.overdue += c.n,
            "open" => s.open += c.n,
            _ => s.closed += c.n,
        }
    }

    fn apply_gone_dark(&mut self, c: &Count) {
        let (approach, outcome) = c.status.split_once(':').unwrap_or(("standard", ""));
        let Some(i) = slot(&APPROACHES, approach) else {
            return;
        };
        let r = &mut self.gone_dark[i];
        match outcome {
            "recovered" => r.recovered += c.n,
            "pending" => r.pending += c.n,
            _ => r.not_recovered += c.n,
        }
    }

    /// Every touch of the period (notes aside).
    pub fn touches_total(&self) -> i64 {
        self.touches.iter().sum()
    }

    /// Calls and voicemails over all touches.
    pub fn phone_share(&self) -> Option<f64> {
        let total = self.touches_total();
        (total > 0).then(|| (self.touches[0] + self.touches[1]) as f64 / total as f64)
    }

    /// Active DMs with an attempt in the last 90 days.
    pub fn coverage(&self) -> Option<f64> {
        (self.active_dms > 0).then(|| self.touched_dms as f64 / self.active_dms as f64)
    }

    /// Is there anything at all on this card (a recruiter with no activity is listed last).
    pub fn is_empty(&self) -> bool {
        *self == FigureCard::default()
    }
}

/// The team's card and each recruiter's (by user id).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TeamReport {
    pub team: FigureCard,
    pub users: BTreeMap<i64, FigureCard>,
}

impl TeamReport {
    /// Files every count under its recruiter or the team.
    pub fn from_counts(counts: &[(Figure, Vec<Count>)]) -> Self {
        let mut report = TeamReport::default();
        for (figure, rows) in counts {
            for c in rows {
                let card = match c.user_id {
                    None => &mut report.team,
                    Some(id) => report.users.entry(id).or_default(),
                };
                card.apply(*figure, c);
            }
        }
        report
    }

    /// Runs the figures' aggregates side by side (one connection each) and files them.
    pub async fn load(db: &PgPool, scope: &Scope, figures: &[Figure]) -> sqlx::Result<Self> {
        let queries = figures
            .iter()
            .map(|f| async move { reports::aggregate(db, scope, *f).await.map(|c| (*f, c)) });
        let counts = futures_util::future::try_join_all(queries).await?;
        Ok(Self::from_counts(&counts))
    }

    /// One recruiter's card (empty when they have nothing in the period).
    pub fn user(&self, id: i64) -> FigureCard {
        self.users.get(&id).cloned().unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn count(user_id: Option<i64>, status: &str, n: i64, median: Option<f64>) -> Count {
        Count {
            user_id,
            status: status.into(),
            n,
            total: None,
            median,
        }
    }

    #[test]
    fn pending_dms_are_left_out_of_the_rate() {
        let counts = vec![(
            Figure::SecondCall,
            vec![
                count(Some(1), "second_called", 3, Some(6.0)),
                count(Some(1), "missed", 1, None),
                count(Some(1), "pending", 2, None),
            ],
        )];
        let r = TeamReport::from_counts(&counts);
        let s = &r.user(1).second_call;
        assert_eq!((s.first_touched, s.second_called, s.pending), (6, 3, 2));
        assert_eq!(s.rate(), Some(0.75));
        assert_eq!(s.median_days, Some(6.0));
        assert_eq!(r.team.second_call.rate(), None);
    }

    #[test]
    fn gone_dark_counts_file_under_their_approach() {
        let counts = vec![(
            Figure::GoneDark,
            vec![
                count(None, "value_add:recovered", 4, None),
                count(None, "value_add:not_recovered", 1, None),
                count(None, "value_add:pending", 2, None),
            ],
        )];
        let r = TeamReport::from_counts(&counts);
        assert_eq!(r.team.gone_dark[2].rate(), Some(0.8));
        assert_eq!(r.team.gone_dark[0], Recovery::default());
    }
}
