//! Saving a team's settings, for the settings form and `PATCH /api/v1/settings` alike: one
//! validation (the domain's cadence rules plus the team's own numbers), the save, and the team's
//! rebuild queued after any running one, so the new numbers take effect.

use chrono::NaiveDate;

use super::{ActionResult, Ctx};
use crate::audit::{self, Event, Kind};
use crate::db::settings::{self, TeamSettings};
use crate::domain::cadence::{SettingsError, within};
use crate::due::runs::RunTrigger;

/// The team's own numbers beside the cadence: the nightly hour, the second-call window and the
/// daily goal of new decision makers, with the ranges they must fall in.
fn team_ranges(s: &TeamSettings) -> [(&'static str, u32, u32, u32); 5] {
    [
        ("audit_retention_days", s.audit_retention_days, 30, 3650),
        ("digest_hour", s.digest_hour, 0, 23),
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
    let mut tx = cx.db.begin().await?;
    let old = settings::load(&mut *tx, team_id).await?;
    settings::save(&mut *tx, team_id, s).await?;
    let changed = changed_fields(&old, s);
    if !changed.is_empty() {
        let event = Event::new(Kind::SettingsChanged, team_id).detail(changed.join(", "));
        audit::record(&mut *tx, cx.who, cx.now, event).await?;
    }
    tx.commit().await?;
    cx.rebuilds.queue(team_id, RunTrigger::Settings);
    Ok(())
}

/// The names (as the API spells them) of the settings that differ, for the security log.
pub fn changed_fields(old: &TeamSettings, new: &TeamSettings) -> Vec<&'static str> {
    let (a, b) = (&old.cadence, &new.cadence);
    [
        ("intervals.hot", a.interval_hot != b.interval_hot),
        ("intervals.warm", a.interval_warm != b.interval_warm),
        ("intervals.cold", a.interval_cold != b.interval_cold),
        (
            "second_call_working_days",
            a.second_call_working_days != b.second_call_working_days,
        ),
        ("strike_gaps", a.strike_gaps != b.strike_gaps),
        (
            "gone_dark.touches",
            a.gone_dark_touches != b.gone_dark_touches,
        ),
        (
            "gone_dark.min_days",
            a.gone_dark_min_days != b.gone_dark_min_days,
        ),
        (
            "gone_dark.rearm_days",
            a.gone_dark_rearm_days != b.gone_dark_rearm_days,
        ),
        ("working_days", a.working_days != b.working_days),
        ("holidays", a.holidays != b.holidays),
        ("nightly_hour", old.nightly_hour != new.nightly_hour),
        (
            "second_call_window_days",
            old.second_call_window_days != new.second_call_window_days,
        ),
        (
            "new_dm_daily_goal",
            old.new_dm_daily_goal != new.new_dm_daily_goal,
        ),
        ("digest_hour", old.digest_hour != new.digest_hour),
        (
            "audit_retention_days",
            old.audit_retention_days != new.audit_retention_days,
        ),
    ]
    .into_iter()
    .filter_map(|(name, differs)| differs.then_some(name))
    .collect()
}
