//! `/settings`: the team's cadence in docs/api.md's shape. A manager's change is checked as a whole
//! and every list of the team is rebuilt at once, so the next GET /due follows the new numbers.

use axum::Json;
use axum::extract::State;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::accounts::FieldError;
use crate::actions::settings::SaveError;
use crate::db::settings::{self, TeamSettings, WEEKDAYS};
use crate::domain::cadence::SettingsError;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use crate::web::api::doc::Forbidden;
use crate::web::api::json::ApiJson;
use crate::web::client::ClientAddr;
use crate::web::extract::{ApiManager, ApiUser};

/// Days between calls to a DM by temperature (the contact cycle).
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct Intervals {
    pub hot: u32,
    pub warm: u32,
    pub cold: u32,
}

/// When a contact who responded once counts as gone dark.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct GoneDark {
    /// Unanswered attempts since the latest response.
    pub touches: u32,
    /// Due no earlier than this many days after the first of them.
    pub min_days: u32,
    /// Due this many days after the latest of them.
    pub rearm_days: u32,
}

/// The team's settings, as GET answers and PATCH takes them.
#[derive(Debug, Serialize, ToSchema)]
pub struct SettingsJson {
    pub intervals: Intervals,
    pub second_call_working_days: u32,
    /// Working days before strike 2 and before strike 3.
    pub strike_gaps: [u32; 2],
    pub gone_dark: GoneDark,
    /// Weekday codes `mon`..`sun`.
    pub working_days: Vec<String>,
    pub holidays: Vec<NaiveDate>,
    /// The local hour (0-23) of the nightly rebuild.
    pub nightly_hour: u32,
    pub second_call_window_days: u32,
    pub new_dm_daily_goal: u32,
    /// The local hour (0-23) each user's morning digest goes out.
    pub digest_hour: u32,
    /// Days the security log keeps its entries.
    pub audit_retention_days: u32,
}

impl From<&TeamSettings> for SettingsJson {
    fn from(s: &TeamSettings) -> Self {
        let c = &s.cadence;
        Self {
            intervals: Intervals {
                hot: c.interval_hot,
                warm: c.interval_warm,
                cold: c.interval_cold,
            },
            second_call_working_days: c.second_call_working_days,
            strike_gaps: c.strike_gaps,
            gone_dark: GoneDark {
                touches: c.gone_dark_touches,
                min_days: c.gone_dark_min_days,
                rearm_days: c.gone_dark_rearm_days,
            },
            working_days: WEEKDAYS
                .iter()
                .zip(c.working_days)
                .filter(|(_, on)| *on)
                .map(|(d, _)| (*d).to_string())
                .collect(),
            holidays: c.holidays.iter().copied().collect(),
            nightly_hour: s.nightly_hour,
            second_call_window_days: s.second_call_window_days,
            new_dm_daily_goal: s.new_dm_daily_goal,
            digest_hour: s.digest_hour,
            audit_retention_days: s.audit_retention_days,
        }
    }
}

/// Part of the intervals.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct IntervalsPatch {
    pub hot: Option<u32>,
    pub warm: Option<u32>,
    pub cold: Option<u32>,
}

/// Part of the gone-dark numbers.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GoneDarkPatch {
    pub touches: Option<u32>,
    pub min_days: Option<u32>,
    pub rearm_days: Option<u32>,
}

/// Any subset of the settings; the result is checked as a whole (422 naming the field, e.g.
/// `intervals.warm`). Days are 1 to 3650 (`gone_dark.min_days` from 0), `gone_dark.touches` 1 to
/// 100, `nightly_hour` 0 to 23, `second_call_window_days` 1 to 365, `new_dm_daily_goal` 0 to 100,
/// at least one working day, at most 1000 holidays.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SettingsPatch {
    pub intervals: Option<IntervalsPatch>,
    pub second_call_working_days: Option<u32>,
    pub strike_gaps: Option<[u32; 2]>,
    pub gone_dark: Option<GoneDarkPatch>,
    pub working_days: Option<Vec<String>>,
    pub holidays: Option<Vec<NaiveDate>>,
    pub nightly_hour: Option<u32>,
    pub second_call_window_days: Option<u32>,
    pub new_dm_daily_goal: Option<u32>,
    /// 0 to 23.
    pub digest_hour: Option<u32>,
    /// 30 to 3650 (default 365).
    pub audit_retention_days: Option<u32>,
}

/// The API's field and message for the one validation's verdict.
fn api_error(e: &SettingsError) -> FieldError {
    match e {
        SettingsError::OutOfRange {
            field, min, max, ..
        } => FieldError::new(
            api_field(field),
            format!("Use a number from {min} to {max}."),
        ),
        SettingsError::NoWorkingDay => {
            FieldError::new("working_days", "Keep at least one working day.")
        }
        SettingsError::TooManyHolidays | SettingsError::HolidayTooFar(_) => {
            FieldError::new("holidays", format!("Check the holidays: {e}."))
        }
    }
}

/// The API's name of a cadence setting.
fn api_field(field: &str) -> &'static str {
    match field {
        "interval_hot" => "intervals.hot",
        "interval_warm" => "intervals.warm",
        "interval_cold" => "intervals.cold",
        "second_call_working_days" => "second_call_working_days",
        "gone_dark_touches" => "gone_dark.touches",
        "gone_dark_min_days" => "gone_dark.min_days",
        "gone_dark_rearm_days" => "gone_dark.rearm_days",
        "nightly_hour" => "nightly_hour",
        "second_call_window_days" => "second_call_window_days",
        "new_dm_daily_goal" => "new_dm_daily_goal",
        "digest_hour" => "digest_hour",
        "audit_retention_days" => "audit_retention_days",
        _ => "strike_gaps",
    }
}

fn weekdays(codes: &[String]) -> Result<[bool; 7], FieldError> {
    let mut days = [false; 7];
    for code in codes {
        let i = WEEKDAYS.iter().position(|d| d == code).ok_or_else(|| {
            FieldError::new(
                "working_days",
                "Use the weekday codes mon, tue, wed, thu, fri, sat, sun.",
            )
        })?;
        days[i] = true;
    }
    Ok(days)
}

impl SettingsPatch {
    /// The stored settings with this patch applied, or the first field out of range.
    pub fn apply(self, mut s: TeamSettings, today: NaiveDate) -> Result<TeamSettings, FieldError> {
        let c = &mut s.cadence;
        let i = self.intervals.unwrap_or_default();
        c.interval_hot = i.hot.unwrap_or(c.interval_hot);
        c.interval_warm = i.warm.unwrap_or(c.interval_warm);
        c.interval_cold = i.cold.unwrap_or(c.interval_cold);
        c.second_call_working_days = self
            .second_call_working_days
            .unwrap_or(c.second_call_working_days);
        c.strike_gaps = self.strike_gaps.unwrap_or(c.strike_gaps);
        let g = self.gone_dark.unwrap_or_default();
        c.gone_dark_touches = g.touches.unwrap_or(c.gone_dark_touches);
        c.gone_dark_min_days = g.min_days.unwrap_or(c.gone_dark_min_days);
        c.gone_dark_rearm_days = g.rearm_days.unwrap_or(c.gone_dark_rearm_days);
        if let Some(codes) = &self.working_days {
            c.working_days = weekdays(codes)?;
        }
        if let Some(holidays) = self.holidays {
            c.holidays = holidays.into_iter().collect();
        }
        s.nightly_hour = self.nightly_hour.unwrap_or(s.nightly_hour);
        s.second_call_window_days = self
            .second_call_window_days
            .unwrap_or(s.second_call_window_days);
        s.new_dm_daily_goal = self.new_dm_daily_goal.unwrap_or(s.new_dm_daily_goal);
        s.digest_hour = self.digest_hour.unwrap_or(s.digest_hour);
        s.audit_retention_days = self.audit_retention_days.unwrap_or(s.audit_retention_days);
        crate::actions::settings::validate(&s, today).map_err(|e| api_error(&e))?;
        Ok(s)
    }
}

/// The team's settings (everyone may read them).
#[utoipa::path(get, path = "/settings", operation_id = "getSettings", tag = "settings",
    responses((status = 200, description = "The team's settings", body = SettingsJson)))]
pub async fn show(
    State(app): State<AppState>,
    ApiUser(user): ApiUser,
) -> ApiResult<Json<SettingsJson>> {
    let s = settings::load(&app.db, user.team_id).await?;
    Ok(Json((&s).into()))
}

/// Changes the team's settings (managers only) and rebuilds every list of the team in the
/// background (after a rebuild that is running), recorded as a "settings" run.
#[utoipa::path(patch, path = "/settings", operation_id = "updateSettings", tag = "settings", request_body = SettingsPatch,
    responses((status = 200, description = "The team's settings", body = SettingsJson), (status = 403, response = Forbidden)))]
pub async fn update(
    State(app): State<AppState>,
    ApiManager(manager): ApiManager,
    client: ClientAddr,
    ApiJson(patch): ApiJson<SettingsPatch>,
) -> ApiResult<Json<SettingsJson>> {
    let team = manager.team_id;
    let today = app.clock.today_in(manager.tz());
    let s = patch.apply(settings::load(&app.db, team).await?, today)?;
    // validated above with the same rule; a verdict here can only repeat it
    crate::actions::settings::save(&app.ctx_as(Some(manager.id), client), team, &s, today)
        .await
        .map_err(|e| match e {
            SaveError::Invalid(e) => ApiError::invalid(api_error(&e)),
            SaveError::Action(e) => e.into(),
        })?;
    Ok(Json((&s).into()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn patch(json: serde_json::Value) -> Result<TeamSettings, FieldError> {
        serde_json::from_value::<SettingsPatch>(json)
            .unwrap()
            .apply(
                TeamSettings::default(),
                NaiveDate::from_ymd_opt(2026, 11, 29).unwrap(),
            )
    }

    #[test]
    fn a_patch_changes_only_what_it_names() {
        let s =
            patch(serde_json::json!({"intervals": {"warm": 20}, "working_days": ["mon", "sat"]}))
                .unwrap();
        assert_eq!((s.cadence.interval_hot, s.cadence.interval_warm), (14, 20));
        assert_eq!(
            s.cadence.working_days,
            [true, false, false, false, false, true, false]
        );
        assert_eq!(s.nightly_hour, 2);
    }

    #[test]
    fn out_of_range_values_name_the_api_field() {
        let field = |j| patch(j).unwrap_err().field;
        assert_eq!(
            field(serde_json::json!({"intervals": {"warm": 0}})),
            "intervals.warm"
        );
        assert_eq!(
            field(serde_json::json!({"strike_gaps": [2, 0]})),
            "strike_gaps"
        );
        assert_eq!(
            field(serde_json::json!({"gone_dark": {"touches": 0}})),
            "gone_dark.touches"
        );
        assert_eq!(
            field(serde_json::json!({"working_days": []})),
            "working_days"
        );
        assert_eq!(
            field(serde_json::json!({"working_days": ["monday"]})),
            "working_days"
        );
        assert_eq!(
            field(serde_json::json!({"nightly_hour": 24})),
            "nightly_hour"
        );
    }
}
