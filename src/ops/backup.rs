//! Backup and restore with PostgreSQL's own tools: `pg_dump` in its custom format, from a
//! snapshot the command shares (so the counts it prints are the backup's), written under a
//! temporary name and renamed when complete; and a restore that reads the file first, then
//! replaces the app's schema content in one transaction (all of it, or nothing on any error),
//! then applies this version's migrations.

use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use anyhow::Context;
use sqlx::{FromRow, PgConnection, PgPool};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::db;
use crate::ops::human_size;
use crate::ops::pg_tools::{self, PgTarget, Version};

/// The rows of the main tables: what a backup holds and a restore brought back.
#[derive(Debug, Clone, Copy, PartialEq, Eq, FromRow)]
pub struct Counts {
    pub teams: i64,
    pub users: i64,
    pub decision_makers: i64,
    pub candidates: i64,
    pub touches: i64,
    pub applications: i64,
}

impl Counts {
    /// Counted in the caller's transaction (the backup's snapshot).
    pub async fn read(conn: &mut PgConnection) -> sqlx::Result<Self> {
        sqlx::query_as(
            "select (select count(*) from teams) as teams, (select count(*) from users) as users, \
             (select count(*) from decision_makers) as decision_makers, \
             (select count(*) from candidates) as candidates, (select count(*) from touches) as touches, \
             (select count(*) from applications) as applications",
        )
        .fetch_one(conn)
        .await
    }
}

impl std::fmt::Display for Counts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let plural =
            |n: i64, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
        write!(
            f,
            "{}, {}, {}, {}, {}, {}",
            plural(self.teams, "team", "teams"),
            plural(self.users, "user", "users"),
            plural(self.decision_makers, "decision maker", "decision makers"),
            plural(self.candidates, "candidate", "candidates"),
            plural(self.touches, "touch", "touches"),
            plural(self.applications, "application", "applications"),
        )
    }
}

/// A backup written.
#[derive(Debug, Clone)]
pub struct Backup {
    pub file: PathBuf,
    pub bytes: u64,
    pub took: Duration,
    pub counts: Counts,
    pub server: Version,
}

impl Backup {
    /// What the command prints: the file, its size, the time taken, then what it holds.
    pub fn report(&self) -> [String; 2] {
        [
            format!(
                "backup written to {} ({}, PostgreSQL {}) in {:.1} s",
                self.file.display(),
                human_size(self.bytes),
                self.server.text,
                self.took.as_secs_f64()
            ),
            format!("it holds {}", self.counts),
        ]
    }
}

/// The temporary file of a backup being written: removed unless the backup completed.
struct Partial(Option<PathBuf>);

impl Drop for Partial {
    fn drop(&mut self) {
        if let Some(path) = self.0.take() {
            let _ = std::fs::remove_file(path);
        }
    }
}

/// Writes a consistent backup of the database to `to` while the server runs: `pg_dump
/// --format=custom` into `.<name>.partial` in the same folder (readable by its owner only), from
/// a snapshot this function's transaction exports and counts in; synced and renamed to `to` only
/// when pg_dump ended well.
pub async fn backup(db: &PgPool, target: &PgTarget, to: &Path) -> anyhow::Result<Backup> {
    let started = Instant::now();
    let name = to
        .file_name()
        .and_then(|n| n.to_str())
        .with_context(|| format!("{} is not a file name", to.display()))?;
    let dir = match to.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    anyhow::ensure!(
        dir.is_dir(),
        "the folder {} does not exist; create it first",
        dir.display()
    );
    anyhow::ensure!(
        !to.is_dir(),
        "{} is a folder; give the backup's file name",
        to.display()
    );
    let server = pg_tools::server_version(db).await?;
    pg_tools::checked_tool(target, "pg_dump", &server).await?;

    let partial_path = dir.join(format!(".{name}.partial"));
    let _ = std::fs::remove_file(&partial_path);
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(&partial_path)
        .with_context(|| format!("cannot write in {}", dir.display()))?;
    let mut partial = Partial(Some(partial_path.clone()));

    let mut tx = db.begin().await?;
    sqlx::query("set transaction isolation level repeatable read, read only")
        .execute(&mut *tx)
        .await?;
    db::allow_long_statements(&mut tx).await?;
    let snapshot: String = sqlx::query_scalar("select pg_export_snapshot()")
        .fetch_one(&mut *tx)
        .await?;
    let dump = target
        .command("pg_dump")
        .args(["--format=custom", "--no-password"])
        .arg(format!("--snapshot={snapshot}"))
        .arg("--file")
        .arg(&partial_path)
        .args(target.connection())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .context("cannot run pg_dump")?;
    let (counts, dumped) = tokio::join!(Counts::read(&mut tx), dump.wait_with_output());
    let dumped = dumped.context("pg_dump did not run to its end")?;
    anyhow::ensure!(
        dumped.status.success(),
        "pg_dump failed ({}): {}",
        dumped.status,
        String::from_utf8_lossy(&dumped.stderr).trim()
    );
    let counts = counts?;
    tx.commit().await?;

    let file = tokio::fs::File::open(&partial_path).await?;
    file.sync_all().await?;
    let bytes = file.metadata().await?.len();
    tokio::fs::rename(&partial_path, to)
        .await
        .with_context(|| format!("cannot rename the finished backup to {}", to.display()))?;
    partial.0 = None;
    if let Ok(d) = tokio::fs::File::open(&dir).await {
        // the rename itself on disk, so a crash now cannot lose the finished backup
        let _ = d.sync_all().await;
    }
    Ok(Backup {
        file: to.to_path_buf(),
        bytes,
        took: started.elapsed(),
        counts,
        server,
    })
}

/// A restore done.
#[derive(Debug, Clone)]
pub struct Restored {
    pub bytes: u64,
    pub took: Duration,
    pub counts: Counts,
    /// The teams the database had before (replaced with --force).
    pub replaced_teams: i64,
}

impl Restored {
    /// What the command prints.
    pub fn report(&self, from: &Path) -> [String; 2] {
        let replaced = if self.replaced_teams > 0 {
            format!(", replacing {} team(s)", self.replaced_teams)
        } else {
            String::new()
        };
        [
            format!(
                "restored {} ({}) in {:.1} s{replaced}; migrations applied",
                from.display(),
                human_size(self.bytes),
                self.took.as_secs_f64()
            ),
            format!("the database holds {}", self.counts),
        ]
    }
}

/// Drops everything in the schema `public` (the app's tables, views, sequences, functions,
/// types and extensions) without dropping the schema itself, so a role that owns its objects but
/// not the schema can restore too. Runs inside the restore's transaction.
const CLEAR_SCHEMA: &str = r"
set client_min_messages = warning;
do $clear$
declare
    r record;
begin
    for r in select extname from pg_extension where extnamespace = 'public'::regnamespace loop
        execute format('drop extension if exists %I cascade', r.extname);
    end loop;
    for r in select relname, relkind from pg_class
             where relnamespace = 'public'::regnamespace and relkind in ('r', 'p', 'v', 'm', 'f') loop
        execute format('drop %s if exists public.%I cascade',
            case r.relkind when 'v' then 'view' when 'm' then 'materialized view'
                           when 'f' then 'foreign table' else 'table' end,
            r.relname);
    end loop;
    -- after the tables, which took their own (identity, serial) sequences with them
    for r in select relname from pg_class where relnamespace = 'public'::regnamespace and relkind = 'S' loop
        execute format('drop sequence if exists public.%I cascade', r.relname);
    end loop;
    for r in select oid::regprocedure::text as signature, prokind from pg_proc
             where pronamespace = 'public'::regnamespace loop
        execute format('drop %s if exists %s cascade',
            case r.prokind when 'p' then 'procedure' when 'a' then 'aggregate' else 'function' end,
            r.signature);
    end loop;
    for r in select t.typname, t.typtype from pg_type t
             where t.typnamespace = 'public'::regnamespace and t.typtype in ('e', 'd', 'r', 'c')
               and (t.typtype <> 'c' or exists (select 1 from pg_class c where c.oid = t.typrelid and c.relkind = 'c')) loop
        execute format('drop %s if exists public.%I cascade',
            case r.typtype when 'd' then 'domain' else 'type' end, r.typname);
    end loop;
end
$clear$;
";

/// How many teams the database has (none when it has no tables yet).
async fn team_count(db: &PgPool) -> sqlx::Result<i64> {
    let has_teams: bool = sqlx::query_scalar("select to_regclass('public.teams') is not null")
        .fetch_one(db)
        .await?;
    if !has_teams {
        return Ok(0);
    }
    sqlx::query_scalar("select count(*) from teams")
        .fetch_one(db)
        .await
}

/// Reads the backup's table of contents (`pg_restore --list`): a file pg_restore cannot read, or
/// one that is not a Secondcall backup, is refused before anything is touched.
async fn check_file(target: &PgTarget, from: &Path) -> anyhow::Result<u64> {
    let meta = std::fs::metadata(from)
        .with_context(|| format!("cannot read the backup {}", from.display()))?;
    anyhow::ensure!(
        meta.is_file(),
        "the backup {} is not a file",
        from.display()
    );
    let listed = target
        .command("pg_restore")
        .arg("--list")
        .arg(from)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .output()
        .await
        .context("cannot run pg_restore")?;
    anyhow::ensure!(
        listed.status.success(),
        "{} cannot be read as a backup (damaged, incomplete, or not a backup at all); nothing was changed. \
         pg_restore says: {}",
        from.display(),
        String::from_utf8_lossy(&listed.stderr).trim()
    );
    let toc = String::from_utf8_lossy(&listed.stdout);
    anyhow::ensure!(
        toc.lines().any(|l| l.contains(" TABLE DATA public teams ")),
        "{} is a PostgreSQL backup but not of Secondcall (it has no teams table); nothing was changed",
        from.display()
    );
    Ok(meta.len())
}

/// Restores a backup: refuses a database with teams unless `force`; checks the file; then, in
/// one transaction, clears the schema `public` and replays the backup into it (`pg_restore
/// --no-owner --no-privileges` piped into `psql`, so the objects belong to the app's role); a
/// damaged or truncated file, or any error, rolls everything back. Then applies this version's
/// migrations, so a backup from an older version restores into a newer one.
pub async fn restore(
    db: &PgPool,
    target: &PgTarget,
    from: &Path,
    force: bool,
) -> anyhow::Result<Restored> {
    let started = Instant::now();
    let bytes = check_file(target, from).await?;
    let teams = team_count(db).await?;
    anyhow::ensure!(
        teams == 0 || force,
        "the database already has {teams} team(s); a restore replaces everything in it. \
         Back it up first (admin backup), then run the restore again with --force"
    );
    let server = pg_tools::server_version(db).await?;
    pg_tools::checked_tool(target, "pg_restore", &server).await?;
    pg_tools::checked_tool(target, "psql", &server).await?;
    replay(target, from).await?;
    db::migrate(db)
        .await
        .context("the backup was restored but the migrations failed")?;
    let mut conn = db.acquire().await?;
    let counts = Counts::read(&mut conn).await?;
    Ok(Restored {
        bytes,
        took: started.elapsed(),
        counts,
        replaced_teams: teams,
    })
}

/// The one transaction: `begin`, [`CLEAR_SCHEMA`], the backup as SQL, and `commit` only once
/// pg_restore has read the whole file without an error. psql stops at the first error
/// (`ON_ERROR_STOP`), and a psql ended before the commit leaves nothing behind.
async fn replay(target: &PgTarget, from: &Path) -> anyhow::Result<()> {
    let mut psql = target
        .command("psql")
        .args([
            "--no-psqlrc",
            "--quiet",
            "--no-password",
            "--set=ON_ERROR_STOP=1",
        ])
        .args(target.connection())
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .context("cannot run psql")?;
    let mut restore = target
        .command("pg_restore")
        .args([
            "--no-owner",
            "--no-privileges",
            "--exit-on-error",
            "--file=-",
        ])
        .arg(from)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .context("cannot run pg_restore")?;
    let psql_errors = read_all(psql.stderr.take());
    let restore_errors = read_all(restore.stderr.take());
    let mut sql_in = psql.stdin.take().context("psql's input")?;
    let mut script = restore.stdout.take().context("pg_restore's output")?;

    let fed = async {
        sql_in.write_all(b"begin;\n").await?;
        sql_in.write_all(CLEAR_SCHEMA.as_bytes()).await?;
        tokio::io::copy(&mut script, &mut sql_in).await?;
        Ok::<_, std::io::Error>(())
    }
    .await;
    // a psql that stopped at an error reads no more: pg_restore then ends on its closed pipe
    drop(script);
    let restored = restore.wait().await?;
    let restore_errors = restore_errors.await;
    if fed.is_err() || !restored.success() {
        // no commit: ending psql now rolls the transaction back
        let _ = psql.start_kill();
        let _ = psql.wait().await;
        let psql_errors = psql_errors.await;
        if fed.is_err() {
            anyhow::bail!(
                "the restore failed; nothing was changed. psql says: {}",
                psql_errors.trim()
            );
        }
        anyhow::bail!(
            "{} is damaged or incomplete; nothing was changed. pg_restore says: {}",
            from.display(),
            restore_errors.trim()
        );
    }
    let committed = async {
        sql_in.write_all(b"commit;\n").await?;
        sql_in.shutdown().await?;
        drop(sql_in);
        psql.wait().await
    }
    .await;
    let psql_errors = psql_errors.await;
    match committed {
        Ok(status) if status.success() => Ok(()),
        _ => anyhow::bail!(
            "the restore failed; nothing was changed. psql says: {}",
            psql_errors.trim()
        ),
    }
}

/// Everything a child writes on a pipe, read as it comes (so a full pipe never blocks it).
fn read_all(
    pipe: Option<impl tokio::io::AsyncRead + Unpin + Send + 'static>,
) -> impl std::future::Future<Output = String> {
    let task = tokio::spawn(async move {
        let mut text = String::new();
        if let Some(mut p) = pipe {
            let mut bytes = Vec::new();
            let _ = p.read_to_end(&mut bytes).await;
            text = String::from_utf8_lossy(&bytes).into_owned();
        }
        text
    });
    async move { task.await.unwrap_or_default() }
}
