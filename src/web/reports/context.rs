//! The period and filters of the report pages, read from the query string, and what every report
//! page works from (the team's settings, the viewer's today, the [`Scope`] of the queries).

use std::collections::HashMap;

use chrono::NaiveDate;

use crate::db::away;
use crate::db::reports::{Figure, Scope};
use crate::db::settings::{self, TeamSettings};
use crate::error::AppResult;
use crate::reports::card::FigureCard;
use crate::reports::period;
use crate::state::AppState;
use crate::web::extract::CurrentUser;
use crate::web::reports::view::{self, CardView};

/// The query string of the report pages, read by hand: `show` repeats (the chart's recruiters).
#[derive(Debug, Clone, Default)]
pub struct Params {
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    pub bad_date: bool,
    pub sort: String,
    pub desc: bool,
    pub show: Vec<i64>,
    pub figure: Option<Figure>,
    pub status: Option<String>,
    pub user_id: Option<i64>,
    pub page: i64,
}

impl Params {
    /// Reads the pairs; unknown keys are ignored, an unreadable date is reported.
    pub fn parse(pairs: Vec<(String, String)>) -> Self {
        let mut p = Params {
            sort: "rate".into(),
            desc: true,
            page: 1,
            ..Params::default()
        };
        let date = |v: &str, bad: &mut bool| -> Option<NaiveDate> {
            let v = v.trim();
            if v.is_empty() {
                return None;
            }
            v.parse().map_err(|_| *bad = true).ok()
        };
        for (k, v) in pairs {
            match k.as_str() {
                "from" => p.from = date(&v, &mut p.bad_date),
                "to" => p.to = date(&v, &mut p.bad_date),
                "sort" if view::SORT_KEYS.contains(&v.as_str()) => p.sort = v,
                "dir" => p.desc = v != "asc",
                "show" => p.show.extend(v.parse::<i64>().ok()),
                "figure" => p.figure = v.parse().ok(),
                "status" if !v.is_empty() => p.status = Some(v),
                "user_id" => p.user_id = v.parse().ok(),
                "page" => p.page = v.parse::<i64>().unwrap_or(1).clamp(1, 1_000_000),
                _ => {}
            }
        }
        p
    }
}

/// What every report page works from: the period, the team's settings, the viewer's today.
pub struct Ctx {
    pub today: NaiveDate,
    pub settings: TeamSettings,
    pub scope: Scope,
    pub error: Option<&'static str>,
    pub working_days: i64,
    /// Per user: the working days of the period they were away (DOMAIN.md, "Cover"), which are
    /// not working days of theirs for the per-working-day figures.
    pub away_days: HashMap<i64, i64>,
}

/// The period asked for (or the default, with the reason shown), in the viewer's zone.
pub async fn context(app: &AppState, user: &CurrentUser, p: &Params) -> AppResult<Ctx> {
    let tz = user.tz();
    let today = app.clock.today_in(tz);
    let (dates, error) = match period::resolve(p.from, p.to, today) {
        Ok(d) if !p.bad_date => (d, None),
        Ok(_) => (
            period::default_period(today),
            Some("Write dates as YYYY-MM-DD."),
        ),
        Err(e) => (period::default_period(today), Some(e.message())),
    };
    let settings = settings::load(&app.db, user.team_id).await?;
    let calendar = settings.cadence.calendar();
    let working_days = period::working_days(dates, today, &calendar);
    let mut away_days: HashMap<i64, i64> = HashMap::new();
    for (user_id, from, to) in away::in_range(&app.db, user.team_id, dates).await? {
        let days = period::working_days((from.max(dates.0), to.min(dates.1)), today, &calendar);
        *away_days.entry(user_id).or_default() += days;
    }
    let scope = Scope::new(
        user.team_id,
        dates,
        tz,
        today,
        settings.second_call_window_days,
    );
    Ok(Ctx {
        today,
        settings,
        scope,
        error,
        working_days,
        away_days,
    })
}

impl Ctx {
    /// A card as the pages show it.
    pub fn view(
        &self,
        name: String,
        user_id: Option<i64>,
        left: bool,
        card: FigureCard,
    ) -> CardView {
        CardView {
            name,
            user_id,
            left,
            card,
            from: self.scope.from,
            to: self.scope.to,
            working_days: user_id.map_or(self.working_days, |id| {
                (self.working_days - self.away_days.get(&id).copied().unwrap_or(0)).max(0)
            }),
            goal: self.settings.new_dm_daily_goal,
            window_days: self.settings.second_call_window_days,
        }
    }

    /// "Mon 19 Oct – Sun 15 Nov".
    pub fn period_words(&self) -> String {
        let f = |d| crate::web::fmt::day(d, self.today);
        format!("{} – {}", f(self.scope.from), f(self.scope.to))
    }
}
