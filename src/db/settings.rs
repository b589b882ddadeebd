//! The team's cadence settings (one row per team, created with the defaults of docs/rules.md on
//! first read).

use std::collections::BTreeSet;

use chrono::NaiveDate;
use sqlx::{FromRow, PgExecutor};

use crate::db::codes::WeekdayCode;
use crate::domain::cadence::Settings;

/// Weekday codes in `Weekday::num_days_from_monday` order, as stored and as the API spells them.
pub const WEEKDAYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

/// Everything a manager sets for the team: the rules' numbers plus the task and report settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TeamSettings {
    pub cadence: Settings,
    pub nightly_hour: u32,
    pub second_call_window_days: u32,
    pub new_dm_daily_goal: u32,
    /// The local hour (0-23) of the morning digest.
    pub digest_hour: u32,
    /// Days the security log keeps its entries (30 to 3650).
    pub audit_retention_days: u32,
}

impl Default for TeamSettings {
    fn default() -> Self {
        Self {
            cadence: Settings::default(),
            nightly_hour: 2,
            second_call_window_days: 30,
            new_dm_daily_goal: 2,
            digest_hour: 7,
            audit_retention_days: 365,
        }
    }
}

#[derive(FromRow)]
struct Row {
    interval_hot: i32,
    interval_warm: i32,
    interval_cold: i32,
    second_call_working_days: i32,
    strike_gap_1: i32,
    strike_gap_2: i32,
    gone_dark_touches: i32,
    gone_dark_min_days: i32,
    gone_dark_rearm_days: i32,
    working_days: Vec<WeekdayCode>,
    holidays: Vec<NaiveDate>,
    nightly_hour: i32,
    second_call_window_days: i32,
    new_dm_daily_goal: i32,
    digest_hour: i32,
    audit_retention_days: i32,
}

fn u(v: i32) -> u32 {
    u32::try_from(v).unwrap_or(0)
}

impl From<Row> for TeamSettings {
    fn from(r: Row) -> Self {
        let mut working_days = [false; 7];
        for WeekdayCode(day) in r.working_days {
            working_days[day.num_days_from_monday() as usize] = true;
        }
        let cadence = Settings {
            interval_hot: u(r.interval_hot),
            interval_warm: u(r.interval_warm),
            interval_cold: u(r.interval_cold),
            second_call_working_days: u(r.second_call_working_days),
            strike_gaps: [u(r.strike_gap_1), u(r.strike_gap_2)],
            gone_dark_touches: u(r.gone_dark_touches),
            gone_dark_min_days: u(r.gone_dark_min_days),
            gone_dark_rearm_days: u(r.gone_dark_rearm_days),
            working_days,
            holidays: r.holidays.into_iter().collect::<BTreeSet<_>>(),
        };
        Self {
            cadence,
            nightly_hour: u(r.nightly_hour),
            second_call_window_days: u(r.second_call_window_days),
            new_dm_daily_goal: u(r.new_dm_daily_goal),
            digest_hour: u(r.digest_hour),
            audit_retention_days: u(r.audit_retention_days),
        }
    }
}

/// The columns of a team's settings row that [`Row`] reads.
macro_rules! settings_columns {
    () => {
        "interval_hot, interval_warm, interval_cold, second_call_working_days, strike_gap_1, strike_gap_2, \
         gone_dark_touches, gone_dark_min_days, gone_dark_rearm_days, working_days, holidays, nightly_hour, \
         second_call_window_days, new_dm_daily_goal, digest_hour, audit_retention_days"
    };
}
pub(crate) use settings_columns;

/// The team's settings; a team that never saved any gets the defaults.
pub async fn load(db: impl PgExecutor<'_>, team_id: i64) -> sqlx::Result<TeamSettings> {
    let row: Option<Row> = sqlx::query_as(concat!(
        "select ",
        settings_columns!(),
        " from team_settings where team_id = $1"
    ))
    .bind(team_id)
    .fetch_optional(db)
    .await?;
    Ok(row.map(TeamSettings::from).unwrap_or_default())
}

/// A join that brings the settings of the team `$team` (an SQL expression) into another statement,
/// so a read that needs them beside its own rows makes no round trip for them: select `ts.*`
/// from it and read the row with [`from_joined`]. `settings_saved` is false for a team that never
/// saved any (the defaults).
macro_rules! join_settings {
    ($team:literal) => {
        concat!(
            " left join lateral (select true as settings_saved, ",
            $crate::db::settings::settings_columns!(),
            " from team_settings s where s.team_id = ",
            $team,
            ") ts on true "
        )
    };
}
pub(crate) use join_settings;

/// The team's settings from a row of a statement with `join_settings!` (its own columns must not
/// share their names).
pub fn from_joined(row: &sqlx::postgres::PgRow) -> sqlx::Result<TeamSettings> {
    use sqlx::Row as _;
    if row.try_get::<Option<bool>, _>("settings_saved")? == Some(true) {
        Ok(Row::from_row(row)?.into())
    } else {
        Ok(TeamSettings::default())
    }
}

fn i(v: u32) -> i32 {
    i32::try_from(v).unwrap_or(i32::MAX)
}

/// Saves validated settings (insert or replace).
pub async fn save(db: impl PgExecutor<'_>, team_id: i64, s: &TeamSettings) -> sqlx::Result<()> {
    let c = &s.cadence;
    let days: Vec<&str> = WEEKDAYS
        .iter()
        .zip(c.working_days)
        .filter(|(_, on)| *on)
        .map(|(d, _)| *d)
        .collect();
    let holidays: Vec<NaiveDate> = c.holidays.iter().copied().collect();
    sqlx::query(
        "insert into team_settings (team_id, interval_hot, interval_warm, interval_cold, second_call_working_days, \
           strike_gap_1, strike_gap_2, gone_dark_touches, gone_dark_min_days, gone_dark_rearm_days, working_days, \
           holidays, nightly_hour, second_call_window_days, new_dm_daily_goal, digest_hour, audit_retention_days) \
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17) \
         on conflict (team_id) do update set interval_hot = excluded.interval_hot, interval_warm = excluded.interval_warm, \
           interval_cold = excluded.interval_cold, second_call_working_days = excluded.second_call_working_days, \
           strike_gap_1 = excluded.strike_gap_1, strike_gap_2 = excluded.strike_gap_2, \
           gone_dark_touches = excluded.gone_dark_touches, gone_dark_min_days = excluded.gone_dark_min_days, \
           gone_dark_rearm_days = excluded.gone_dark_rearm_days, working_days = excluded.working_days, \
           holidays = excluded.holidays, nightly_hour = excluded.nightly_hour, \
           second_call_window_days = excluded.second_call_window_days, new_dm_daily_goal = excluded.new_dm_daily_goal, \
           digest_hour = excluded.digest_hour, audit_retention_days = excluded.audit_retention_days, \
           updated_at = now()",
    )
    .bind(team_id)
    .bind(i(c.interval_hot))
    .bind(i(c.interval_warm))
    .bind(i(c.interval_cold))
    .bind(i(c.second_call_working_days))
    .bind(i(c.strike_gaps[0]))
    .bind(i(c.strike_gaps[1]))
    .bind(i(c.gone_dark_touches))
    .bind(i(c.gone_dark_min_days))
    .bind(i(c.gone_dark_rearm_days))
    .bind(days)
    .bind(holidays)
    .bind(i(s.nightly_hour))
    .bind(i(s.second_call_window_days))
    .bind(i(s.new_dm_daily_goal))
    .bind(i(s.digest_hour))
    .bind(i(s.audit_retention_days))
    .execute(db)
    .await
    .map(|_| ())
}
