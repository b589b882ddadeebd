//! The nightly rebuild: a one-minute tick that, under a PostgreSQL advisory lock (so exactly one
//! of several app instances works), rebuilds each user's list once their local day has started
//! and the team's nightly hour has passed. The first tick at start-up is the catch-up.

use std::collections::BTreeMap;
use std::time::Duration;

use chrono::{NaiveDate, Timelike, Utc};
use sqlx::PgPool;
use tokio_util::sync::CancellationToken;

use crate::db::{due, settings, users};
use crate::engine;

/// The advisory lock key of the nightly task (any instance holding it is the one that rebuilds).
const LOCK_KEY: i64 = 7_312_003;

/// Runs until `shutdown`; errors are logged and the next tick tries again.
pub async fn run(db: PgPool, shutdown: CancellationToken) {
    let mut tick = tokio::time::interval(Duration::from_secs(60));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    let mut trigger = "catch_up";
    loop {
        tokio::select! {
            () = shutdown.cancelled() => return,
            _ = tick.tick() => {}
        }
        match run_once(&db, trigger, &shutdown).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(users = n, trigger, "due lists rebuilt"),
            Err(err) => tracing::error!(error = ?err, "nightly rebuild failed"),
        }
        trigger = "nightly";
    }
}

/// One tick: rebuilds every user whose list is behind; returns how many were rebuilt (0 when
/// another instance holds the lock).
pub async fn run_once(
    db: &PgPool,
    trigger: &str,
    shutdown: &CancellationToken,
) -> anyhow::Result<usize> {
    let mut lock_conn = db.acquire().await?;
    let locked: bool = sqlx::query_scalar("select pg_try_advisory_lock($1)")
        .bind(LOCK_KEY)
        .fetch_one(&mut *lock_conn)
        .await?;
    if !locked {
        return Ok(0);
    }
    let result = rebuild_behind(db, trigger, shutdown).await;
    sqlx::query("select pg_advisory_unlock($1)")
        .bind(LOCK_KEY)
        .execute(&mut *lock_conn)
        .await?;
    result
}

#[derive(sqlx::FromRow)]
struct Candidate {
    id: i64,
    team_id: i64,
    time_zone: String,
    nightly_hour: i32,
    list_date: Option<NaiveDate>,
}

/// Whether a user's list is behind: never built, or older than their today once the nightly hour
/// has passed (or older than yesterday, whatever the hour: the server was down).
fn is_behind(c: &Candidate) -> bool {
    let tz: chrono_tz::Tz = c.time_zone.parse().unwrap_or(chrono_tz::UTC);
    let now = Utc::now().with_timezone(&tz);
    let today = now.date_naive();
    match c.list_date {
        None => true,
        Some(d) if d >= today => false,
        Some(d) => {
            i64::from(now.hour()) >= i64::from(c.nightly_hour)
                || d < today.pred_opt().unwrap_or(today)
        }
    }
}

async fn rebuild_behind(
    db: &PgPool,
    trigger: &str,
    shutdown: &CancellationToken,
) -> anyhow::Result<usize> {
    let all: Vec<Candidate> = sqlx::query_as(
        "select u.id, u.team_id, u.time_zone, coalesce(s.nightly_hour, 2) as nightly_hour, l.list_date \
         from users u left join team_settings s on s.team_id = u.team_id \
         left join due_lists l on l.user_id = u.id and l.team_id = u.team_id where u.active",
    )
    .fetch_all(db)
    .await?;
    let mut by_team: BTreeMap<i64, Vec<i64>> = BTreeMap::new();
    for c in all.iter().filter(|c| is_behind(c)) {
        by_team.entry(c.team_id).or_default().push(c.id);
    }
    let mut rebuilt = 0;
    for (team_id, ids) in by_team {
        if shutdown.is_cancelled() {
            break;
        }
        rebuilt += rebuild_users(db, team_id, &ids, trigger, shutdown).await?;
    }
    Ok(rebuilt)
}

async fn rebuild_users(
    db: &PgPool,
    team_id: i64,
    ids: &[i64],
    trigger: &str,
    shutdown: &CancellationToken,
) -> anyhow::Result<usize> {
    let run = due::start_run(db, team_id, trigger, None).await?;
    let settings = settings::load(db, team_id).await?;
    let mut done = 0;
    let mut failure = None;
    for &id in ids {
        // stop between users, never inside one user's transaction
        if shutdown.is_cancelled() {
            break;
        }
        let Some(user) = users::find_in_team(db, team_id, id).await? else {
            continue;
        };
        match engine::rebuild_user(db, &user, &settings, None).await {
            Ok(c) => {
                due::add_to_run(db, run, c.contacts, c.items).await?;
                done += 1;
            }
            Err(err) => {
                tracing::error!(error = ?err, user_id = id, "rebuilding a due list failed");
                failure = Some(format!("user {id}: {err}"));
            }
        }
    }
    due::finish_run(db, run, failure.as_deref()).await?;
    Ok(done)
}
