//! The team's settings page (managers): the cadence numbers, working days and holidays, the
//! nightly hour, the recent rebuild runs and a "rebuild now" button.

use std::collections::BTreeSet;

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::NaiveDate;
use serde::Deserialize;

use crate::auth::session;
use crate::db::due::{self, Run};
use crate::db::settings::{self, TeamSettings, WEEKDAYS};
use crate::engine;
use crate::error::AppResult;
use crate::startup::AppState;
use crate::web::extract::Manager;
use crate::web::fmt;
use crate::web::forms::{FormErrors, MultiForm};
use crate::web::layout::Layout;

/// The form as posted (strings, so anything typed is shown again).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct SettingsForm {
    #[serde(default)]
    pub interval_hot: String,
    #[serde(default)]
    pub interval_warm: String,
    #[serde(default)]
    pub interval_cold: String,
    #[serde(default)]
    pub second_call_working_days: String,
    #[serde(default)]
    pub strike_gap_1: String,
    #[serde(default)]
    pub strike_gap_2: String,
    #[serde(default)]
    pub gone_dark_touches: String,
    #[serde(default)]
    pub gone_dark_min_days: String,
    #[serde(default)]
    pub working_days: Vec<String>,
    #[serde(default)]
    pub holidays: String,
    #[serde(default)]
    pub nightly_hour: String,
    #[serde(default)]
    pub second_call_window_days: String,
    #[serde(default)]
    pub new_dm_daily_goal: String,
}

impl SettingsForm {
    fn of(s: &TeamSettings) -> Self {
        let c = &s.cadence;
        Self {
            interval_hot: c.interval_hot.to_string(),
            interval_warm: c.interval_warm.to_string(),
            interval_cold: c.interval_cold.to_string(),
            second_call_working_days: c.second_call_working_days.to_string(),
            strike_gap_1: c.strike_gaps[0].to_string(),
            strike_gap_2: c.strike_gaps[1].to_string(),
            gone_dark_touches: c.gone_dark_touches.to_string(),
            gone_dark_min_days: c.gone_dark_min_days.to_string(),
            working_days: WEEKDAYS
                .iter()
                .zip(c.working_days)
                .filter(|(_, on)| *on)
                .map(|(d, _)| d.to_string())
                .collect(),
            holidays: c
                .holidays
                .iter()
                .map(NaiveDate::to_string)
                .collect::<Vec<_>>()
                .join("\n"),
            nightly_hour: s.nightly_hour.to_string(),
            second_call_window_days: s.second_call_window_days.to_string(),
            new_dm_daily_goal: s.new_dm_daily_goal.to_string(),
        }
    }

    /// The settings, or every field's problem.
    pub fn parse(&self, current: &TeamSettings) -> Result<TeamSettings, FormErrors> {
        let mut errors = FormErrors::default();
        let mut num = |field: &'static str, raw: &str, min: u32, max: u32| -> u32 {
            match raw.trim().parse::<u32>() {
                Ok(n) if (min..=max).contains(&n) => n,
                _ => {
                    errors.set(field, format!("A whole number from {min} to {max}."));
                    0
                }
            }
        };
        let mut s = current.clone();
        s.cadence.interval_hot = num("interval_hot", &self.interval_hot, 1, 3650);
        s.cadence.interval_warm = num("interval_warm", &self.interval_warm, 1, 3650);
        s.cadence.interval_cold = num("interval_cold", &self.interval_cold, 1, 3650);
        s.cadence.second_call_working_days = num(
            "second_call_working_days",
            &self.second_call_working_days,
            1,
            60,
        );
        s.cadence.strike_gaps = [
            num("strike_gap_1", &self.strike_gap_1, 1, 60),
            num("strike_gap_2", &self.strike_gap_2, 1, 60),
        ];
        s.cadence.gone_dark_touches = num("gone_dark_touches", &self.gone_dark_touches, 1, 100);
        s.cadence.gone_dark_min_days = num("gone_dark_min_days", &self.gone_dark_min_days, 0, 365);
        s.nightly_hour = num("nightly_hour", &self.nightly_hour, 0, 23);
        s.second_call_window_days = num(
            "second_call_window_days",
            &self.second_call_window_days,
            1,
            365,
        );
        s.new_dm_daily_goal = num("new_dm_daily_goal", &self.new_dm_daily_goal, 0, 100);
        s.cadence.working_days = WEEKDAYS.map(|d| self.working_days.iter().any(|w| w == d));
        if !s.cadence.working_days.contains(&true) {
            errors.set("working_days", "Tick at least one working day.");
        }
        match parse_holidays(&self.holidays) {
            Ok(h) => s.cadence.holidays = h,
            Err(line) => errors.set(
                "holidays",
                format!("“{line}” is not a date; write one date per line, like 2026-12-25."),
            ),
        }
        if errors.is_empty() {
            Ok(s)
        } else {
            Err(errors)
        }
    }
}

/// One date per line (anything after the date on a line is a note); the bad line on error.
fn parse_holidays(text: &str) -> Result<BTreeSet<NaiveDate>, String> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(|l| {
            l.split_whitespace()
                .next()
                .unwrap_or(l)
                .parse::<NaiveDate>()
                .map_err(|_| l.to_string())
        })
        .collect()
}

/// A run as the page lists it.
pub struct RunRow {
    pub started: String,
    pub trigger: String,
    pub as_of: String,
    pub progress: String,
    pub status: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "settings/show.html")]
struct SettingsPage {
    layout: Layout,
    form: SettingsForm,
    errors: FormErrors,
    days: [(&'static str, &'static str); 7],
    runs: Vec<RunRow>,
}

async fn page(
    app: &AppState,
    manager: &Manager,
    form: SettingsForm,
    errors: FormErrors,
) -> AppResult<SettingsPage> {
    let tz = manager.tz();
    let today = engine::today_in(tz);
    let runs = due::recent_runs(&app.db, manager.team_id, 10)
        .await?
        .into_iter()
        .map(|r: Run| RunRow {
            started: fmt::moment(r.started_at, tz, today),
            trigger: r.trigger.replace('_', " "),
            as_of: r
                .as_of
                .map(|d| fmt::day(d, today))
                .unwrap_or_else(|| "each user's today".into()),
            progress: format!(
                "{} users, {} contacts, {} due",
                r.users_rebuilt, r.contacts, r.items
            ),
            status: match (r.status.as_str(), r.finished_at) {
                ("running", _) => "running…".into(),
                ("ok", Some(f)) => format!(
                    "done in {:.1} s",
                    (f - r.started_at).num_milliseconds() as f64 / 1000.0
                ),
                (s, _) => s.to_string(),
            },
        })
        .collect();
    let days = [
        ("mon", "Mon"),
        ("tue", "Tue"),
        ("wed", "Wed"),
        ("thu", "Thu"),
        ("fri", "Fri"),
        ("sat", "Sat"),
        ("sun", "Sun"),
    ];
    Ok(SettingsPage {
        layout: Layout::new(manager, "settings").await,
        form,
        errors,
        days,
        runs,
    })
}

/// GET /settings
pub async fn show(State(app): State<AppState>, manager: Manager) -> AppResult<Response> {
    let current = settings::load(&app.db, manager.team_id).await?;
    Ok(page(
        &app,
        &manager,
        SettingsForm::of(&current),
        FormErrors::default(),
    )
    .await?
    .into_response())
}

/// POST /settings: saves, then rebuilds the team's lists at once (in the background; the runs
/// table shows its progress).
pub async fn update(
    State(app): State<AppState>,
    manager: Manager,
    MultiForm(form): MultiForm<SettingsForm>,
) -> AppResult<Response> {
    let current = settings::load(&app.db, manager.team_id).await?;
    match form.parse(&current) {
        Ok(new) => {
            settings::save(&app.db, manager.team_id, &new).await?;
            spawn_rebuild(&app, manager.team_id, "settings");
            session::flash(
                &manager.session,
                "ok",
                "Settings saved. The team's lists are being rebuilt with them now.",
            )
            .await;
            Ok(Redirect::to("/settings").into_response())
        }
        Err(errors) => Ok((
            StatusCode::UNPROCESSABLE_ENTITY,
            page(&app, &manager, form, errors).await?,
        )
            .into_response()),
    }
}

/// POST /settings/rebuild: the "rebuild now" button.
pub async fn rebuild(State(app): State<AppState>, manager: Manager) -> AppResult<Response> {
    spawn_rebuild(&app, manager.team_id, "manual");
    session::flash(
        &manager.session,
        "ok",
        "Rebuilding every list of the team now; the run appears below.",
    )
    .await;
    Ok(Redirect::to("/settings").into_response())
}

fn spawn_rebuild(app: &AppState, team_id: i64, trigger: &'static str) {
    let db = app.db.clone();
    tokio::spawn(async move {
        if let Err(err) = engine::rebuild_team(&db, team_id, trigger, None).await {
            tracing::error!(error = ?err, team_id, "team rebuild failed");
        }
    });
}
