//! Tables that do not grow forever: every few minutes the [`JOBS`] delete what has outlived its
//! use, in batches of [`BATCH`] rows, each its own short statement with a pause between, so no
//! table is locked for long and the rows a request needs are never waited on. The due history,
//! the touches and the application history are never pruned: the reports read them.

use std::time::Duration;

use chrono::{DateTime, Utc};
use sqlx::PgPool;
use tokio_util::sync::CancellationToken;

use crate::clock::Clock;

/// One kind of row that is deleted once it is old: a statement that deletes at most `$2` such
/// rows as of `$1` (the clock's now) and touches nothing else.
#[derive(Debug, Clone, Copy)]
pub struct PruneJob {
    /// What the log and the tests call it.
    pub name: &'static str,
    pub sql: &'static str,
}

/// Every pruning job, run in this order.
pub const JOBS: &[PruneJob] = &[
    // what tower-sessions' own clean-up deleted in one statement, in batches
    PruneJob {
        name: "expired sessions",
        sql: "delete from sessions where id in \
              (select id from sessions where expiry_date < $1 limit $2)",
    },
    // the login limit reads the last minute; a day is kept for whoever looks into an attack
    PruneJob {
        name: "login failures older than a day",
        sql: "delete from login_failures where id in \
              (select id from login_failures where failed_at < $1 - interval '1 day' limit $2)",
    },
    PruneJob {
        name: "rebuild runs older than 90 days",
        sql: "delete from due_runs where id in \
              (select id from due_runs where status <> 'running' and finished_at < $1 - interval '90 days' limit $2)",
    },
    // the security log: as long as each team chose (Settings), a year unless it said otherwise
    PruneJob {
        name: "security log entries past the team's retention",
        sql: "delete from audit_events where id in \
              (select e.id from audit_events e \
               left join team_settings s on s.team_id = e.team_id \
               where e.at < $1 - make_interval(days => coalesce(s.audit_retention_days, 365)) limit $2)",
    },
    PruneJob {
        name: "backup runs older than 90 days",
        sql: "delete from backup_runs where id in \
              (select id from backup_runs where status <> 'running' and finished_at < $1 - interval '90 days' limit $2)",
    },
    // an import's file waits between its preview and its run; its result is read right after
    PruneJob {
        name: "imports older than a week",
        sql: "delete from imports where id in \
              (select id from imports where created_at < $1 - interval '7 days' limit $2)",
    },
];

/// Rows one statement deletes at most.
pub const BATCH: i64 = 1_000;

/// The pause between two batches of a job, so other writers get their turn.
const PAUSE: Duration = Duration::from_millis(50);

/// How often the task looks.
const TICK: Duration = Duration::from_secs(600);

/// Runs until `shutdown`; errors are logged and the next tick tries again.
pub async fn run(db: PgPool, clock: Clock, shutdown: CancellationToken) {
    let mut tick = tokio::time::interval(TICK);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    loop {
        tokio::select! {
            () = shutdown.cancelled() => return,
            _ = tick.tick() => {}
        }
        match prune_once(&db, clock.now(), &shutdown).await {
            Ok(pruned) => {
                for (job, rows) in pruned.into_iter().filter(|(_, rows)| *rows > 0) {
                    tracing::info!(job, rows, "old rows pruned");
                }
            }
            Err(err) => tracing::error!(error = ?err, "pruning old rows failed"),
        }
    }
}

/// Runs every job to its end (or until `shutdown`) as of `now`; returns the rows each deleted.
pub async fn prune_once(
    db: &PgPool,
    now: DateTime<Utc>,
    shutdown: &CancellationToken,
) -> anyhow::Result<Vec<(&'static str, u64)>> {
    let mut pruned = Vec::with_capacity(JOBS.len());
    for job in JOBS {
        let mut rows = 0;
        while !shutdown.is_cancelled() {
            let deleted = sqlx::query(job.sql)
                .bind(now)
                .bind(BATCH)
                .execute(db)
                .await
                .map_err(|e| anyhow::anyhow!("pruning {}: {e}", job.name))?
                .rows_affected();
            rows += deleted;
            if deleted < BATCH.unsigned_abs() {
                break;
            }
            tokio::time::sleep(PAUSE).await;
        }
        pruned.push((job.name, rows));
    }
    Ok(pruned)
}
