//! Saving a team's settings, for the settings form and `PATCH /api/v1/settings` alike: one
//! validation (the domain's cadence rules plus the team's own numbers), the save, and the team's
//! rebuild queued after any running one, so the new numbers take effect.

use chrono::NaiveDate;

use super::{ActionResult, Ctx};
use crate::db::settings::{self, TeamSettings};
use crate::domain::cadence::{SettingsError, within};
use crate::due::runs::RunTrigger;

/// The team's own numbers beside the cadence: the nightly hour, the second-call window and the
/// daily goal of new decision makers, with the ranges they must fall in.
fn team_ranges(s: &TeamSettings) -> [(&'static str, u32, u32, u32); 3] {
    [
        ("nightly_hour", s.nightly_hour, 0, 23),
        ("second_call_window_days", s.second_call_window_days, 1, 365),
        ("new_dm_daily_goal", s.new_dm_daily_goal, 0, 100),
    ]
}

/// Whether settings may be saved on `today` (the editor's date): the first problem, named by the
/// settings field (`interval_hot`, `strike_gaps[1]`, `holidays`, `nightly_hour`…), which each
/// interface shows under its own name.
pub fn validate(s: &TeamSettings, today: NaiveDate) -> Result<(), SettingsError> {
    s.cadence.validate(today)?;
    within(&team_ranges(s))
}

/// Why settings were not saved.
#[derive(Debug, thiserror::Error)]
pub enum SaveError {
    #[error(transparent)]
    Invalid(#[from] SettingsError),
    #[error(transparent)]
    Action(#[from] super::ActionError),
}

/// Validates and saves a team's settings, then queues the team's rebuild (after a running one).
pub async fn save(
    cx: &Ctx<'_>,
    team_id: i64,
    s: &TeamSettings,
    today: NaiveDate,
) -> Result<(), SaveError> {
    validate(s, today)?;
    store(cx, team_id, s).await?;
    Ok(())
}

async fn store(cx: &Ctx<'_>, team_id: i64, s: &TeamSettings) -> ActionResult<()> {
    settings::save(cx.db, team_id, s).await?;
    cx.rebuilds.queue(team_id, RunTrigger::Settings);
    Ok(())
}
