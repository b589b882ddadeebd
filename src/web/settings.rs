//! The team's settings page (managers): the cadence numbers, working days and holidays, the
//! nightly hour, the recent rebuild runs and a "rebuild now" button, the last nightly backup.

use std::collections::BTreeSet;

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::NaiveDate;
use serde::Deserialize;

use crate::actions::{self, settings::SaveError};
use crate::auth::session;
use crate::background::nightly;
use crate::db::backup_runs;
use crate::db::settings::{self, TeamSettings, WEEKDAYS};
use crate::domain::cadence::{MAX_HOLIDAYS, SettingsError};
use crate::due;
use crate::due::rebuilds::Asked;
use crate::due::runs::{Run, RunStatus, RunTrigger};
use crate::error::{AppError, AppResult};
use crate::ops::human_size;
use crate::state::AppState;
use crate::web::client::ClientAddr;
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
    /// The morning digest's hour; left out (an older form), the current one stays.
    #[serde(default)]
    pub digest_hour: String,
    /// Days the security log is kept; left out, the current value stays.
    #[serde(default)]
    pub audit_retention_days: String,
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
            digest_hour: s.digest_hour.to_string(),
            audit_retention_days: s.audit_retention_days.to_string(),
        }
    }

    /// The settings, or every field's problem. The cadence numbers, working days and holidays
    /// are checked by the domain's one validation (`Settings::validate`), as the API's are.
    pub fn parse(
        &self,
        current: &TeamSettings,
        today: NaiveDate,
    ) -> Result<TeamSettings, FormErrors> {
        let mut errors = FormErrors::default();
        let mut num = |field: &'static str, raw: &str| -> u32 {
            raw.trim().parse::<u32>().unwrap_or_else(|_| {
                errors.set(field, "A whole number.");
                0
            })
        };
        let mut s = current.clone();
        let c = &mut s.cadence;
        c.interval_hot = num("interval_hot", &self.interval_hot);
        c.interval_warm = num("interval_warm", &self.interval_warm);
        c.interval_cold = num("interval_cold", &self.interval_cold);
        c.second_call_working_days =
            num("second_call_working_days", &self.second_call_working_days);
        c.strike_gaps = [
            num("strike_gap_1", &self.strike_gap_1),
            num("strike_gap_2", &self.strike_gap_2),
        ];
        c.gone_dark_touches = num("gone_dark_touches", &self.gone_dark_touches);
        c.gone_dark_min_days = num("gone_dark_min_days", &self.gone_dark_min_days);
        s.nightly_hour = num("nightly_hour", &self.nightly_hour);
        s.second_call_window_days = num("second_call_window_days", &self.second_call_window_days);
        s.new_dm_daily_goal = num("new_dm_daily_goal", &self.new_dm_daily_goal);
        if !self.digest_hour.trim().is_empty() {
            s.digest_hour = num("digest_hour", &self.digest_hour);
        }
        if !self.audit_retention_days.trim().is_empty() {
            s.audit_retention_days = num("audit_retention_days", &self.audit_retention_days);
        }
        s.cadence.working_days = WEEKDAYS.map(|d| self.working_days.iter().any(|w| w == d));
        match parse_holidays(&self.holidays) {
            Ok(h) => s.cadence.holidays = h,
            Err(line) => errors.set(
                "holidays",
                format!("“{line}” is not a date; write one date per line, like 2026-12-25."),
            ),
        }
        // the one validation (a field that did not even parse keeps its own message)
        if let Err(e) = actions::settings::validate(&s, today) {
            let (field, message) = form_error(&e);
            if !errors.has(field) {
                errors.set(field, message);
            }
        }
        if errors.is_empty() {
            Ok(s)
        } else {
            Err(errors)
        }
    }
}

/// The form field and message of the domain's verdict on the settings.
fn form_error(e: &SettingsError) -> (&'static str, String) {
    match e {
        SettingsError::OutOfRange {
            field, min, max, ..
        } => {
            let field = match *field {
                "strike_gaps[0]" => "strike_gap_1",
                "strike_gaps[1]" => "strike_gap_2",
                other => other,
            };
            (field, format!("A whole number from {min} to {max}."))
        }
        SettingsError::NoWorkingDay => ("working_days", "Tick at least one working day.".into()),
        SettingsError::TooManyHolidays => {
            ("holidays", format!("Keep at most {MAX_HOLIDAYS} holidays."))
        }
        SettingsError::HolidayTooFar(d) => (
            "holidays",
            format!("{d} is more than ten years from today; check the year."),
        ),
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

/// What the page says about the nights: when the last nightly run ended, and how many lists the
/// nightly task should have rebuilt by now and has not.
pub struct NightRow {
    pub last: String,
    pub behind: usize,
}

/// What the page says about the nightly backups of the whole installation.
pub struct BackupRow {
    pub text: String,
    /// The last one's error, when it failed.
    pub failed: Option<String>,
}

async fn backup_row(app: &AppState, manager: &Manager) -> AppResult<BackupRow> {
    let tz = manager.tz();
    let today = app.clock.today_in(tz);
    let on = app.config.backup_dir.is_some();
    let good = backup_runs::last_good_run(&app.db).await?;
    let mut text = match (&good, on) {
        (Some(g), _) => format!(
            "Last nightly backup: {} ({}).",
            fmt::moment(g.started_at, tz, today),
            human_size(g.size_bytes.and_then(|b| u64::try_from(b).ok()).unwrap_or(0))
        ),
        (None, true) => {
            "No nightly backup yet: the first is taken after the next nightly rebuild.".into()
        }
        (None, false) => "Nightly backups are off on this server; whoever runs Secondcall turns them on (BACKUP_DIR).".into(),
    };
    let failed = match backup_runs::last_run(&app.db).await? {
        Some(r) if matches!(r.status, RunStatus::Failed | RunStatus::Interrupted) => Some(format!(
            "The nightly backup of {} {}: {}. Tell whoever runs Secondcall.",
            fmt::moment(r.started_at, tz, today),
            r.status,
            r.error.as_deref().unwrap_or("no error recorded")
        )),
        _ => None,
    };
    if good.is_some() && !on {
        text.push_str(" This server does not take them (BACKUP_DIR is not set here).");
    }
    Ok(BackupRow { text, failed })
}

#[derive(Template, WebTemplate)]
#[template(path = "settings/show.html")]
struct SettingsPage {
    layout: Layout,
    form: SettingsForm,
    errors: FormErrors,
    days: [(&'static str, &'static str); 7],
    runs: Vec<RunRow>,
    night: NightRow,
    backup: BackupRow,
    /// The morning email: the mail server, the latest digests, the test button (`web::mail`).
    mail: crate::web::mail::MailPanel,
}

async fn night_row(app: &AppState, manager: &Manager) -> AppResult<NightRow> {
    let (tz, now) = (manager.tz(), app.clock.now());
    let today = app.clock.today_in(tz);
    let state = due::runs::night_state(&app.db, manager.team_id).await?;
    let last = match (state.last_nightly_end, state.last_nightly_status) {
        (Some(end), Some(RunStatus::Ok)) => {
            format!("ended {}", fmt::moment(end, tz, today))
        }
        (Some(end), Some(status)) => format!("ended {} ({status})", fmt::moment(end, tz, today)),
        _ => "none yet".to_string(),
    };
    let behind = nightly::lists_behind(&app.db, Some(manager.team_id), now).await?;
    Ok(NightRow { last, behind })
}

async fn page(
    app: &AppState,
    manager: &Manager,
    form: SettingsForm,
    errors: FormErrors,
) -> AppResult<SettingsPage> {
    let tz = manager.tz();
    let today = app.clock.today_in(tz);
    let runs = due::runs::recent_runs(&app.db, manager.team_id, 10)
        .await?
        .into_iter()
        .map(|r: Run| RunRow {
            started: fmt::moment(r.started_at, tz, today),
            trigger: r.trigger.as_str().replace('_', " "),
            as_of: r
                .as_of
                .map(|d| fmt::day(d, today))
                .unwrap_or_else(|| "each user's today".into()),
            progress: format!(
                "{} users, {} contacts, {} due",
                r.users_rebuilt, r.contacts, r.items
            ),
            status: match (r.status, r.finished_at) {
                (RunStatus::Running, _) => "running…".into(),
                (RunStatus::Ok, Some(f)) => format!(
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
        night: night_row(app, manager).await?,
        backup: backup_row(app, manager).await?,
        mail: crate::web::mail::MailPanel::of(app, manager).await?,
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
    client: ClientAddr,
    MultiForm(form): MultiForm<SettingsForm>,
) -> AppResult<Response> {
    let current = settings::load(&app.db, manager.team_id).await?;
    let today = app.clock.today_in(manager.tz());
    match form.parse(&current, today) {
        Ok(new) => {
            actions::settings::save(
                &app.ctx_as(Some(manager.id), client),
                manager.team_id,
                &new,
                today,
            )
            .await
            .map_err(|e| match e {
                SaveError::Invalid(e) => anyhow::anyhow!("settings checked twice: {e}").into(),
                SaveError::Action(e) => AppError::from(e),
            })?;
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

/// POST /settings/rebuild: the "rebuild now" button. It runs in the background (the runs table
/// shows its progress); while another rebuild of the team runs, the page says since when.
pub async fn rebuild(State(app): State<AppState>, manager: Manager) -> AppResult<Response> {
    let message = match app
        .rebuilds
        .start(manager.team_id, RunTrigger::Manual)
        .await?
    {
        Asked::AlreadyRunning { since } => {
            let today = app.clock.today_in(manager.tz());
            let since = since.map_or_else(String::new, |t| {
                format!(" (started {})", fmt::moment(t, manager.tz(), today))
            });
            format!("A rebuild of the team's lists is already running{since}; its run is below.")
        }
        Asked::Started => {
            "Rebuilding every list of the team now; the run appears below.".to_string()
        }
    };
    session::flash(&manager.session, "ok", message).await;
    Ok(Redirect::to("/settings").into_response())
}
