//! A team's rebuild runs once at a time, whoever starts it: the nightly task, the catch-up at
//! start, "Rebuild now", a settings save, `POST /due/rebuild`, the command line. The guard is a
//! PostgreSQL advisory lock per team, so it holds across every instance on the database, and a
//! run still marked `running` whose team lock nobody holds was left by a process that died.

use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{DateTime, NaiveDate, Utc};
use sqlx::PgPool;
use sqlx::pool::PoolConnection;
use tokio_util::sync::CancellationToken;

use crate::clock::Clock;
use crate::due;
use crate::due::engine::{self, Counts, Pass};
use crate::due::runs::RunTrigger;

/// The advisory lock namespace of team rebuilds (the first key of the two-key form; see
/// `due::locks::contact_lock_space` for the others taken).
const TEAM_LOCK_SPACE: i32 = 7_312_020;

/// The advisory lock namespace of the nightly task (key 0): the instance holding it works.
pub const NIGHTLY_LOCK_SPACE: i32 = 7_312_021;

/// How often a queued rebuild looks again whether the running one has ended.
const QUEUE_POLL: Duration = Duration::from_millis(500);

/// A session-level advisory lock (a team's rebuild, the nightly task), held on a connection of
/// its own until [`SessionLock::release`].
pub struct SessionLock {
    conn: PoolConnection<sqlx::Postgres>,
    space: i32,
    key: i32,
    released: bool,
}

/// The lock of one team's rebuilds.
pub type TeamLock = SessionLock;

impl SessionLock {
    fn key(team_id: i64) -> i32 {
        // a clash of two folded ids only makes one team's rebuild wait for the other's
        i32::try_from(team_id.rem_euclid(i64::from(i32::MAX))).unwrap_or(0)
    }

    /// The team's rebuild lock if nobody holds it now.
    pub async fn try_take(db: &PgPool, team_id: i64) -> sqlx::Result<Option<Self>> {
        Self::try_take_key(db, TEAM_LOCK_SPACE, Self::key(team_id)).await
    }

    /// Any lock of the two-key form, if nobody holds it now.
    pub async fn try_take_key(db: &PgPool, space: i32, key: i32) -> sqlx::Result<Option<Self>> {
        let mut conn = db.acquire().await?;
        let taken: bool = sqlx::query_scalar("select pg_try_advisory_lock($1, $2)")
            .bind(space)
            .bind(key)
            .fetch_one(&mut *conn)
            .await?;
        Ok(taken.then_some(Self {
            conn,
            space,
            key,
            released: false,
        }))
    }

    /// The lock once the running rebuild (if any) has ended; polls, so no statement waits on it
    /// beyond the statement timeout.
    pub async fn take(db: &PgPool, team_id: i64) -> sqlx::Result<Self> {
        loop {
            if let Some(lock) = Self::try_take(db, team_id).await? {
                return Ok(lock);
            }
            tokio::time::sleep(QUEUE_POLL).await;
        }
    }

    /// Gives the lock back (its connection goes back to the pool).
    pub async fn release(mut self) -> sqlx::Result<()> {
        sqlx::query("select pg_advisory_unlock($1, $2)")
            .bind(self.space)
            .bind(self.key)
            .execute(&mut *self.conn)
            .await?;
        self.released = true;
        Ok(())
    }
}

impl Drop for SessionLock {
    fn drop(&mut self) {
        // Dropped without `release` (an error, a cancelled task): closing the connection is the
        // only way to be sure the session lock goes with it and never back into the pool.
        if !self.released {
            self.conn.close_on_drop();
        }
    }
}

/// What asking for a rebuild did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Started {
    /// It ran to its end with these counts.
    Done(Counts),
    /// Another rebuild of the team was running (since then, if its run is recorded).
    AlreadyRunning { since: Option<DateTime<Utc>> },
}

/// What asking for a rebuild in the background did ([`Rebuilder::start`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Asked {
    /// It runs now, in the background.
    Started,
    /// Another rebuild of the team was running (since then, if its run is recorded).
    AlreadyRunning { since: Option<DateTime<Utc>> },
}

/// Starts team rebuilds: held in the app state, so every caller goes through the same guard.
#[derive(Clone)]
pub struct Rebuilder {
    db: PgPool,
    clock: Clock,
    /// Teams with a rebuild waiting on this instance (a second save while one waits adds none).
    queued: Arc<Mutex<HashSet<i64>>>,
    /// Tests only: a pause after each user's commit (`SECONDCALL_REBUILD_PAUSE_MS`).
    pause: Option<Duration>,
}

impl Rebuilder {
    pub fn new(db: PgPool, clock: Clock, pause: Option<Duration>) -> Self {
        Self {
            db,
            clock,
            queued: Arc::default(),
            pause,
        }
    }

    /// Rebuilds every active user's list of the team now, unless a rebuild of the team is running.
    pub async fn run_now(
        &self,
        team_id: i64,
        trigger: RunTrigger,
        as_of: Option<NaiveDate>,
    ) -> anyhow::Result<Started> {
        let Some(lock) = TeamLock::try_take(&self.db, team_id).await? else {
            let since = due::runs::running_since(&self.db, team_id).await?;
            return Ok(Started::AlreadyRunning { since });
        };
        self.run_and_release(lock, team_id, trigger, as_of, Pass::default())
            .await
            .map(Started::Done)
    }

    /// Rebuilds the team after the running rebuild (if any), in the background: a settings save
    /// always takes effect, and several saves during one run queue one rebuild, not several.
    pub fn queue(&self, team_id: i64, trigger: RunTrigger) {
        {
            let mut queued = self.queued.lock().unwrap_or_else(|p| p.into_inner());
            if !queued.insert(team_id) {
                return;
            }
        }
        let this = self.clone();
        tokio::spawn(async move {
            let result = async {
                let lock = TeamLock::take(&this.db, team_id).await;
                // a save from now on wants a rebuild after this one
                this.queued
                    .lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .remove(&team_id);
                this.run_and_release(lock?, team_id, trigger, None, Pass::default())
                    .await
            }
            .await;
            if let Err(err) = result {
                tracing::error!(error = ?err, team_id, trigger = trigger.as_str(), "team rebuild failed");
            }
        });
    }

    /// Rebuilds some users of the team, waiting for a running rebuild to end first (a handover
    /// rebuilds the two users it changed).
    pub async fn run_users(
        &self,
        team_id: i64,
        trigger: RunTrigger,
        ids: &[i64],
    ) -> anyhow::Result<Counts> {
        let lock = TeamLock::take(&self.db, team_id).await?;
        let pass = Pass {
            only: Some(ids),
            one_by_one: true,
            ..Pass::default()
        };
        self.run_and_release(lock, team_id, trigger, None, pass)
            .await
    }

    /// The nightly task's rebuild of the users whose lists are behind, or None when another
    /// rebuild of the team is running (the next tick tries again).
    pub async fn try_run_users(
        &self,
        team_id: i64,
        trigger: RunTrigger,
        ids: &[i64],
        stop: &CancellationToken,
    ) -> anyhow::Result<Option<Counts>> {
        let Some(lock) = TeamLock::try_take(&self.db, team_id).await? else {
            return Ok(None);
        };
        let pass = Pass {
            only: Some(ids),
            stop: Some(stop),
            ..Pass::default()
        };
        self.run_and_release(lock, team_id, trigger, None, pass)
            .await
            .map(Some)
    }

    /// Asks for a rebuild of the team in the background ("Rebuild now"): started, or refused with
    /// when the running one started.
    pub async fn start(&self, team_id: i64, trigger: RunTrigger) -> anyhow::Result<Asked> {
        match TeamLock::try_take(&self.db, team_id).await? {
            Some(lock) => {
                // handed over to the queued rebuild, which takes it again at once
                lock.release().await?;
                self.queue(team_id, trigger);
                Ok(Asked::Started)
            }
            None => {
                let since = due::runs::running_since(&self.db, team_id).await?;
                Ok(Asked::AlreadyRunning { since })
            }
        }
    }

    /// [`Self::run_locked`], then the lock given back whatever the run's outcome.
    async fn run_and_release(
        &self,
        lock: TeamLock,
        team_id: i64,
        trigger: RunTrigger,
        as_of: Option<NaiveDate>,
        pass: Pass<'_>,
    ) -> anyhow::Result<Counts> {
        let counts = self.run_locked(team_id, trigger, as_of, pass).await;
        lock.release().await?;
        counts
    }

    /// The run itself, recorded, under the team's lock; the clock and the test pause are this
    /// rebuilder's.
    async fn run_locked(
        &self,
        team_id: i64,
        trigger: RunTrigger,
        as_of: Option<NaiveDate>,
        pass: Pass<'_>,
    ) -> anyhow::Result<Counts> {
        let run = due::runs::start_run(&self.db, team_id, trigger, as_of, self.clock.now()).await?;
        let stop = pass.stop;
        let pass = Pass {
            now: Some(self.clock.now()),
            pause: self.pause,
            ..pass
        };
        let result = engine::rebuild_team_users(&self.db, team_id, run, as_of, pass).await;
        let error = result.as_ref().err().map(|e| format!("{e:#}"));
        let interrupted = stop.is_some_and(CancellationToken::is_cancelled);
        due::runs::finish_run(
            &self.db,
            run,
            error.as_deref(),
            interrupted,
            self.clock.now(),
        )
        .await?;
        result
    }

    /// Marks the runs left `running` by a process that died as `interrupted`: those of teams
    /// whose rebuild lock nobody holds. Returns how many were marked.
    pub async fn mark_interrupted(&self) -> anyhow::Result<u64> {
        let mut marked = 0;
        for team_id in due::runs::teams_with_running_runs(&self.db).await? {
            if let Some(lock) = TeamLock::try_take(&self.db, team_id).await? {
                marked += due::runs::interrupt_runs(&self.db, team_id, self.clock.now()).await?;
                lock.release().await?;
            }
        }
        Ok(marked)
    }
}
