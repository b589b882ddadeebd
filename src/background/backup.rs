//! The nightly backup (opt-in: `BACKUP_DIR`): after the nightly task's rebuild, at most once a
//! day (UTC) across every instance on the database — an advisory lock and the record in
//! `backup_runs` — `secondcall-YYYYMMDD-HHMMSS.dump` is written into the folder the way `admin
//! backup` writes one; after a good one, the folder's backups older than `BACKUP_KEEP` days go.

use std::path::{Path, PathBuf};

use chrono::{DateTime, NaiveDateTime, TimeDelta, Utc};
use sqlx::PgPool;

use crate::clock::Clock;
use crate::config::Config;
use crate::db::backup_runs;
use crate::due::rebuilds::SessionLock;
use crate::ops::backup;
use crate::ops::pg_tools::PgTarget;

/// The advisory lock namespace of the nightly backup (key 0); docs/architecture.md lists them all.
pub const BACKUP_LOCK_SPACE: i32 = 7_312_030;

/// How the files are named (UTC): their date is what [`remove_old`] reads.
const NAME_FORMAT: &str = "secondcall-%Y%m%d-%H%M%S.dump";

/// The nightly backup of a server whose configuration turns it on.
#[derive(Debug, Clone)]
pub struct NightlyBackup {
    pub dir: PathBuf,
    pub keep_days: u32,
    pub target: PgTarget,
}

impl NightlyBackup {
    /// The nightly backup of this configuration, or none when `BACKUP_DIR` is not set.
    pub fn of(config: &Config) -> anyhow::Result<Option<Self>> {
        let Some(dir) = &config.backup_dir else {
            return Ok(None);
        };
        Ok(Some(Self {
            dir: dir.clone(),
            keep_days: config.backup_keep,
            target: PgTarget::of(config)?,
        }))
    }

    /// Takes today's backup unless one was taken (or tried) today or another instance is at it;
    /// returns the run's id when it ran. Its outcome is in the run's record.
    pub async fn run_if_due(&self, db: &PgPool, clock: &Clock) -> anyhow::Result<Option<i64>> {
        let Some(lock) = SessionLock::try_take_key(db, BACKUP_LOCK_SPACE, 0).await? else {
            return Ok(None);
        };
        let result = self.run_locked(db, clock).await;
        lock.release().await?;
        result
    }

    async fn run_locked(&self, db: &PgPool, clock: &Clock) -> anyhow::Result<Option<i64>> {
        let now = clock.now();
        let marked = backup_runs::interrupt_runs(db, now).await?;
        if marked > 0 {
            tracing::warn!(
                runs = marked,
                "backup runs left running by a stopped server were marked interrupted"
            );
        }
        let day_start = now
            .date_naive()
            .and_hms_opt(0, 0, 0)
            .map_or(now, |d| d.and_utc());
        if backup_runs::started_since(db, day_start).await? {
            return Ok(None);
        }
        let file = self.dir.join(now.format(NAME_FORMAT).to_string());
        let run = backup_runs::start_run(db, &file.display().to_string(), now).await?;
        let result = backup::backup(db, &self.target, &file).await;
        let outcome = match &result {
            Ok(b) => Ok(b.bytes),
            Err(e) => Err(format!("{e:#}")),
        };
        backup_runs::finish_run(
            db,
            run,
            outcome.as_ref().map(|b| *b).map_err(String::as_str),
            clock.now(),
        )
        .await?;
        match result {
            Ok(b) => {
                let [written, holds] = b.report();
                tracing::info!(%holds, "nightly {written}");
                let removed = remove_old(&self.dir, self.keep_days, now, &file);
                if removed > 0 {
                    tracing::info!(
                        files = removed,
                        keep_days = self.keep_days,
                        "old nightly backups removed"
                    );
                }
            }
            Err(e) => tracing::error!(error = ?e, "the nightly backup failed"),
        }
        Ok(Some(run))
    }
}

/// Removes the folder's nightly backups (by their name) older than `keep_days`, never `keep`
/// (the one just written); other files are left alone. Returns how many went.
pub fn remove_old(dir: &Path, keep_days: u32, now: DateTime<Utc>, keep: &Path) -> usize {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    let cutoff = now - TimeDelta::days(i64::from(keep_days));
    let mut removed = 0;
    for entry in entries.flatten() {
        let path = entry.path();
        let Some(taken) = path
            .file_name()
            .and_then(|n| n.to_str())
            .and_then(|n| NaiveDateTime::parse_from_str(n, NAME_FORMAT).ok())
        else {
            continue;
        };
        if path != keep && taken.and_utc() < cutoff {
            match std::fs::remove_file(&path) {
                Ok(()) => removed += 1,
                Err(e) => {
                    tracing::warn!(file = %path.display(), error = %e, "cannot remove an old backup")
                }
            }
        }
    }
    removed
}
