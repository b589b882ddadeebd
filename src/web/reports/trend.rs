//! The weekly trend of the second-call rate: 12 weeks ending with the week of the period's last
//! day, for the team and the chosen recruiters, as an inline SVG chart and a table of its data.

use std::collections::HashMap;

use chrono::{Days, NaiveDate};

use crate::db::reports::WeekCount;
use crate::reports::period::monday_of;
use crate::web::chart::{self, ChartView, LineChart, Series};

/// How many weeks the chart shows.
pub const WEEKS: u64 = 12;

/// The first Monday and last Sunday of the chart's weeks.
pub fn weeks_span(to: NaiveDate) -> (NaiveDate, NaiveDate) {
    let last_monday = monday_of(to);
    (
        last_monday - Days::new(7 * (WEEKS - 1)),
        last_monday + Days::new(6),
    )
}

/// One week of one line: DMs first attempted that week, called again, pending.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Week {
    pub first: i64,
    pub called: i64,
    pub pending: i64,
}

impl Week {
    fn rate(self) -> Option<f64> {
        let decided = self.first - self.pending;
        (decided > 0).then(|| self.called as f64 / decided as f64)
    }
}

/// A line of the chart and its weeks (also the rows of the data table).
#[derive(Debug, Clone)]
pub struct Line {
    pub name: String,
    pub user_id: Option<i64>,
    pub class: String,
    pub weeks: Vec<Week>,
}

impl Line {
    /// Whether any week has a DM first attempted.
    pub fn has_data(&self) -> bool {
        self.weeks.iter().any(|w| w.first > 0)
    }

    /// "3/5" or a dash, for the data table.
    pub fn cells(&self) -> Vec<String> {
        self.weeks
            .iter()
            .map(|w| match w.rate() {
                Some(r) => format!("{:.0}% ({}/{})", r * 100.0, w.called, w.first - w.pending),
                None if w.pending > 0 => format!("{} pending", w.pending),
                None => "—".into(),
            })
            .collect()
    }
}

/// The weeks' counts of each user (None: the team).
pub fn by_user(counts: &[WeekCount], mondays: &[NaiveDate]) -> HashMap<Option<i64>, Vec<Week>> {
    let mut out: HashMap<Option<i64>, Vec<Week>> = HashMap::new();
    for c in counts {
        let Some(i) = mondays.iter().position(|m| *m == c.week) else {
            continue;
        };
        let weeks = out
            .entry(c.user_id)
            .or_insert_with(|| vec![Week::default(); mondays.len()]);
        let w = &mut weeks[i];
        w.first += c.n;
        match c.status.as_str() {
            "second_called" => w.called += c.n,
            "pending" => w.pending += c.n,
            _ => {}
        }
    }
    out
}

/// The Mondays of the chart's weeks.
pub fn mondays(to: NaiveDate) -> Vec<NaiveDate> {
    let (first, _) = weeks_span(to);
    (0..WEEKS).map(|i| first + Days::new(7 * i)).collect()
}

/// The lines, in the order given: (name, user id) with None for the team.
pub fn lines(
    counts: &HashMap<Option<i64>, Vec<Week>>,
    who: &[(String, Option<i64>)],
    n_weeks: usize,
) -> Vec<Line> {
    who.iter()
        .enumerate()
        .map(|(i, (name, id))| Line {
            name: name.clone(),
            user_id: *id,
            class: format!("s{}", i % chart::PALETTE),
            weeks: counts
                .get(id)
                .cloned()
                .unwrap_or_else(|| vec![Week::default(); n_weeks]),
        })
        .collect()
}

/// The chart of the lines; each point links to the DMs it counts.
pub fn chart(lines: &[Line], mondays: &[NaiveDate], today: NaiveDate) -> ChartView {
    let label = |d: &NaiveDate| d.format("%-d %b").to_string();
    let series = lines
        .iter()
        .map(|l| Series {
            label: l.name.clone(),
            values: l.weeks.iter().map(|w| w.rate()).collect(),
            titles: l
                .weeks
                .iter()
                .zip(mondays)
                .map(|(w, m)| {
                    format!(
                        "{}, week of {}: {} of {} called again, {} pending",
                        l.name,
                        crate::web::fmt::day(*m, today),
                        w.called,
                        w.first - w.pending,
                        w.pending
                    )
                })
                .collect(),
            links: mondays
                .iter()
                .map(|m| {
                    let mut href = format!(
                        "/team/list?figure=second_call&from={m}&to={}",
                        *m + Days::new(6)
                    );
                    if let Some(id) = l.user_id {
                        href.push_str(&format!("&user_id={id}"));
                    }
                    Some(href)
                })
                .collect(),
            bold: l.user_id.is_none(),
        })
        .collect();
    chart::line_chart(&LineChart {
        title: "Second-call rate by week of the first attempt".into(),
        x_labels: mondays.iter().map(label).collect(),
        x_title: "Week of the first attempt (starting Monday)".into(),
        y_title: "Second-call rate".into(),
        series,
    })
}
