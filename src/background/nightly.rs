//! The nightly rebuild: a one-minute tick (and a look at once whenever a test moves the clock)
//! that, under a PostgreSQL advisory lock (so exactly one of several app instances works),
//! rebuilds each user's list once their local day has started and the team's nightly hour has
//! passed. The first tick at start-up is the catch-up: every list older than its user's today is
//! rebuilt, whatever the hour. Each tick first marks the runs left `running` by a process that
//! died as interrupted.

use std::collections::BTreeMap;
use std::time::Duration;

use chrono::{DateTime, NaiveDate, Timelike, Utc};
use tokio_util::sync::CancellationToken;

use crate::background::backup::NightlyBackup;
use crate::clock::Clock;
use crate::due;
use crate::due::rebuilds::{NIGHTLY_LOCK_SPACE, Rebuilder, SessionLock};
use crate::due::runs::{ListAge, RunTrigger};

/// How often the task looks for lists that are behind.
const TICK: Duration = Duration::from_secs(60);

/// Why a tick rebuilds: the first after start catches up on every list older than today.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Trigger {
    CatchUp,
    Nightly,
}

impl Trigger {
    /// What a run records.
    pub fn run_trigger(self) -> RunTrigger {
        match self {
            Trigger::CatchUp => RunTrigger::CatchUp,
            Trigger::Nightly => RunTrigger::Nightly,
        }
    }
}

/// Runs until `shutdown`; errors are logged and the next tick tries again. After a tick's
/// rebuild on the instance that holds the nightly lock, the nightly backup (when on) runs if
/// today's has not.
pub async fn run(
    db: sqlx::PgPool,
    clock: Clock,
    rebuilds: Rebuilder,
    backup: Option<NightlyBackup>,
    shutdown: CancellationToken,
) {
    let mut tick = tokio::time::interval(TICK);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    let mut moves = clock.moves();
    let mut trigger = Trigger::CatchUp;
    loop {
        tokio::select! {
            () = shutdown.cancelled() => return,
            _ = tick.tick() => {}
            Ok(()) = moves.changed() => {}
        }
        let worked = match run_once(&db, &clock, &rebuilds, trigger, &shutdown).await {
            Ok(Some(n)) => {
                if n > 0 {
                    tracing::info!(
                        users = n,
                        trigger = trigger.run_trigger().as_str(),
                        "due lists rebuilt"
                    );
                }
                trigger = Trigger::Nightly;
                true
            }
            // another instance is at work: it catches up on what this one would have
            Ok(None) => {
                trigger = Trigger::Nightly;
                false
            }
            Err(err) => {
                tracing::error!(error = ?err, "nightly rebuild failed");
                // a failed rebuild must not stop the backup: it matters most then
                true
            }
        };
        if let Some(backup) = backup
            .as_ref()
            .filter(|_| worked && !shutdown.is_cancelled())
            && let Err(err) = backup.run_if_due(&db, &clock).await
        {
            tracing::error!(error = ?err, "the nightly backup could not start");
        }
        warn_if_behind(&db, &clock).await;
    }
}

/// One tick: rebuilds every user whose list is behind; returns how many were rebuilt, or None
/// when another instance holds the nightly lock.
pub async fn run_once(
    db: &sqlx::PgPool,
    clock: &Clock,
    rebuilds: &Rebuilder,
    trigger: Trigger,
    shutdown: &CancellationToken,
) -> anyhow::Result<Option<usize>> {
    let Some(lock) = SessionLock::try_take_key(db, NIGHTLY_LOCK_SPACE, 0).await? else {
        return Ok(None);
    };
    let result = rebuild_behind(db, clock, rebuilds, trigger, shutdown).await;
    lock.release().await?;
    result.map(Some)
}

async fn rebuild_behind(
    db: &sqlx::PgPool,
    clock: &Clock,
    rebuilds: &Rebuilder,
    trigger: Trigger,
    shutdown: &CancellationToken,
) -> anyhow::Result<usize> {
    // every tick, not only the first: another instance may have died since this one started
    let marked = rebuilds.mark_interrupted().await?;
    if marked > 0 {
        tracing::warn!(
            runs = marked,
            "rebuild runs left running by a stopped server were marked interrupted"
        );
    }
    let now = clock.now();
    let mut by_team: BTreeMap<i64, Vec<i64>> = BTreeMap::new();
    for age in due::runs::list_ages(db, None).await? {
        if is_behind(&age, now, trigger) {
            by_team.entry(age.team_id).or_default().push(age.user_id);
        }
    }
    let mut rebuilt = 0;
    for (team_id, ids) in by_team {
        if shutdown.is_cancelled() {
            break;
        }
        // a team whose rebuild is running now ("Rebuild now", a settings save) is looked at again
        // on the next tick
        let done = rebuilds
            .try_run_users(team_id, trigger.run_trigger(), &ids, shutdown)
            .await?;
        rebuilt += done.map_or(0, |c| c.users);
    }
    Ok(rebuilt)
}

/// Whether a user's list is behind at `now`: never built, or built for an earlier day and either
/// this is the catch-up, or the team's nightly hour has passed in the user's zone, or it is older
/// than yesterday whatever the hour (the server was down through a night).
pub fn is_behind(age: &ListAge, now: DateTime<Utc>, trigger: Trigger) -> bool {
    let local = now.with_timezone(&age.time_zone);
    let today = local.date_naive();
    match age.list_date {
        None => true,
        Some(d) if d >= today => false,
        Some(d) => {
            trigger == Trigger::CatchUp
                || i64::from(local.hour()) >= i64::from(age.nightly_hour)
                || d < today.pred_opt().unwrap_or(NaiveDate::MIN)
        }
    }
}

/// How many of a team's (or every team's) active users have a list that the nightly task should
/// have rebuilt by now and has not.
pub async fn lists_behind(
    db: &sqlx::PgPool,
    team_id: Option<i64>,
    now: DateTime<Utc>,
) -> sqlx::Result<usize> {
    let ages = due::runs::list_ages(db, team_id).await?;
    Ok(ages
        .iter()
        .filter(|a| is_behind(a, now, Trigger::Nightly))
        .count())
}

/// A night that failed is seen in the log too, not only on the Settings page.
async fn warn_if_behind(db: &sqlx::PgPool, clock: &Clock) {
    match lists_behind(db, None, clock.now()).await {
        Ok(0) => {}
        Ok(n) => tracing::warn!(
            users = n,
            "due lists are older than their users' today after the nightly hour"
        ),
        Err(err) => tracing::warn!(error = ?err, "cannot check the age of the due lists"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn age(list_date: Option<NaiveDate>) -> ListAge {
        ListAge {
            user_id: 1,
            team_id: 1,
            time_zone: chrono_tz::America::New_York,
            nightly_hour: 2,
            list_date,
        }
    }

    fn day(d: u32) -> Option<NaiveDate> {
        NaiveDate::from_ymd_opt(2026, 3, d)
    }

    /// 2026-03-10 at `hour`:30 in New York (UTC-4 after the March change, UTC-5 before it).
    fn new_york(d: u32, hour: u32) -> DateTime<Utc> {
        chrono_tz::America::New_York
            .with_ymd_and_hms(2026, 3, d, hour, 30, 0)
            .unwrap()
            .with_timezone(&Utc)
    }

    #[test]
    fn a_list_never_built_is_behind() {
        assert!(is_behind(&age(None), new_york(10, 1), Trigger::Nightly));
    }

    #[test]
    fn yesterdays_list_waits_for_the_nightly_hour() {
        assert!(!is_behind(&age(day(9)), new_york(10, 1), Trigger::Nightly));
        assert!(is_behind(&age(day(9)), new_york(10, 2), Trigger::Nightly));
    }

    #[test]
    fn the_catch_up_does_not_wait_for_the_hour() {
        assert!(is_behind(&age(day(9)), new_york(10, 0), Trigger::CatchUp));
    }

    #[test]
    fn a_list_older_than_yesterday_is_behind_at_any_hour() {
        assert!(is_behind(&age(day(8)), new_york(10, 0), Trigger::Nightly));
    }

    #[test]
    fn todays_list_is_never_behind() {
        assert!(!is_behind(
            &age(day(10)),
            new_york(10, 23),
            Trigger::CatchUp
        ));
    }

    #[test]
    fn the_day_is_the_users_own() {
        // 03:30 UTC on the 10th is still the 9th, 23:30, in New York
        let now = Utc.with_ymd_and_hms(2026, 3, 10, 3, 30, 0).unwrap();
        assert!(!is_behind(&age(day(9)), now, Trigger::CatchUp));
    }
}
