//! Faults the server survives: PostgreSQL restarted under writes, the server killed in the middle
//! of a rebuild, SIGTERM with requests in flight. Each test runs a PostgreSQL cluster of its own,
//! so restarting or killing things leaves the rest of the suite (running beside it) alone; the
//! guards below stop what a test started and remove its folder, whether it passed or not.

mod kill;
mod load;
mod restart;
mod sigterm;

use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use secondcall::embedded::{EmbeddedPostgres, Mode, find_bin_dir};
use sqlx::PgPool;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};

use crate::embedded::{free_port, temp_root, wait_healthy};

const BIN: &str = env!("CARGO_BIN_EXE_secondcall");

/// A temp folder (reachable by the `postgres` user) that is removed when dropped, after any
/// PostgreSQL cluster still running in it is stopped: a failed test leaves no server behind.
pub struct TempFolder(PathBuf);

impl TempFolder {
    pub fn new() -> Self {
        Self(temp_root())
    }

    pub fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempFolder {
    fn drop(&mut self) {
        for data in [self.0.join("postgres"), self.0.join("data/postgres")] {
            if data.join("postmaster.pid").exists() {
                let _ = pg_ctl()
                    .arg("-D")
                    .arg(&data)
                    .args(["-m", "immediate", "-w", "stop"])
                    .stdout(Stdio::null())
                    .stderr(Stdio::null())
                    .status();
            }
        }
        std::fs::remove_dir_all(&self.0).ok();
    }
}

/// One test's own PostgreSQL cluster, the embedded one the binary runs, in a temp folder.
pub struct PrivateCluster {
    cluster: Option<EmbeddedPostgres>,
    // dropped after `cluster` is stopped
    folder: TempFolder,
}

impl PrivateCluster {
    pub fn start() -> Self {
        let folder = TempFolder::new();
        let cluster =
            EmbeddedPostgres::start(folder.path(), Mode::Serve, "").expect("the cluster starts");
        Self {
            cluster: Some(cluster),
            folder,
        }
    }

    fn cluster(&self) -> &EmbeddedPostgres {
        self.cluster.as_ref().expect("running until dropped")
    }

    pub fn folder(&self) -> &Path {
        self.folder.path()
    }

    pub fn data_dir(&self) -> PathBuf {
        self.cluster().data_dir()
    }

    /// Creates and migrates the app's database; returns what `serve` connects with.
    pub async fn database(&self) -> PgConnectOptions {
        // as `serve` does: the app's role, and its database owned by it
        secondcall::db::prepare_app_database(self.cluster())
            .await
            .unwrap();
        let options = secondcall::db::for_requests(self.cluster().app_options());
        let db = small_pool(&options).await;
        secondcall::db::migrate(&db).await.unwrap();
        db.close().await;
        options
    }
}

impl Drop for PrivateCluster {
    fn drop(&mut self) {
        if let Some(cluster) = self.cluster.take()
            && let Err(err) = cluster.stop()
        {
            eprintln!("the private cluster did not stop: {err}");
        }
    }
}

/// `pg_ctl restart -m fast`: every session is cut, the server stops and starts again with the
/// options it ran with. Blocks until it accepts connections again.
pub fn restart_postgres(data_dir: &Path) {
    let status = pg_ctl()
        .arg("-D")
        .arg(data_dir)
        .arg("-l")
        .arg(data_dir.join("server.log"))
        .args(["-m", "fast", "-w", "-t", "30", "restart"])
        .stdout(Stdio::null())
        .status()
        .unwrap();
    assert!(status.success(), "pg_ctl restart failed: {status}");
}

/// `pg_ctl` from the server binaries, run as `postgres` when we are root (as `embedded` does).
fn pg_ctl() -> Command {
    let program = find_bin_dir()
        .expect("the PostgreSQL server binaries")
        .join("pg_ctl");
    let as_root = std::fs::metadata("/proc/self").is_ok_and(|m| m.uid() == 0);
    if as_root {
        let mut cmd = Command::new("runuser");
        cmd.args(["-u", "postgres", "--"]).arg(program);
        cmd
    } else {
        Command::new(program)
    }
}

/// A pool of two connections for a test's own checks, beside the one the server uses.
pub async fn small_pool(options: &PgConnectOptions) -> PgPool {
    PgPoolOptions::new()
        .max_connections(2)
        .connect_with(options.clone())
        .await
        .expect("connect to the private cluster")
}

/// The real binary as `secondcall serve` runs, on a free port, with none of the test process's
/// own settings leaking in; `configure` adds the test's.
pub fn secondcall(folder: &Path, port: u16) -> Command {
    let mut cmd = Command::new(BIN);
    cmd.env_remove("DATABASE_URL")
        .env_remove("SECONDCALL_REBUILD_PAUSE_MS")
        .env_remove("NIGHTLY")
        .env("SECONDCALL_DATA_DIR", folder.join("data"))
        .env("BIND", format!("127.0.0.1:{port}"))
        .env("RUST_LOG", "info");
    cmd
}

/// A running `secondcall serve`; killed (SIGKILL) when dropped if it still runs, and its log
/// printed if the test failed.
pub struct Server {
    child: Child,
    pub port: u16,
    log: PathBuf,
}

impl Server {
    /// Starts `secondcall serve` in `folder` (its log there too) and waits until it is healthy.
    pub async fn start(folder: &Path, configure: impl FnOnce(&mut Command)) -> Self {
        let port = free_port();
        let log = folder.join(format!("server-{port}.log"));
        let mut cmd = secondcall(folder, port);
        configure(&mut cmd);
        let child = cmd
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&log).unwrap())
            .spawn()
            .unwrap();
        let mut server = Self { child, port, log };
        wait_healthy(port, &mut server.child).await;
        server
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    /// SIGKILL: the process ends at once, between two awaits or inside a transaction.
    pub fn kill(&mut self) {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
    }

    /// Sends SIGTERM; `secondcall serve` then stops gracefully.
    pub fn terminate(&self) {
        let status = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(status.success());
    }

    /// The exit status once the process ends, or None if it still runs after `within`.
    pub async fn exit_within(&mut self, within: Duration) -> Option<ExitStatus> {
        let deadline = Instant::now() + within;
        while Instant::now() < deadline {
            if let Some(status) = self.child.try_wait().unwrap() {
                return Some(status);
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        self.child.try_wait().unwrap()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if self.child.try_wait().ok().flatten().is_none() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
        if std::thread::panicking() {
            let log = std::fs::read_to_string(&self.log).unwrap_or_default();
            let tail: Vec<&str> = log.lines().rev().take(40).collect();
            eprintln!("--- the server's log, last lines ---");
            for line in tail.iter().rev() {
                eprintln!("{line}");
            }
        }
    }
}

/// Polls `check` every 50 ms until it gives a value; fails the test after `within`.
pub async fn poll<T, F, Fut>(what: &str, within: Duration, mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Option<T>>,
{
    let deadline = Instant::now() + within;
    loop {
        if let Some(value) = check().await {
            return value;
        }
        assert!(
            Instant::now() < deadline,
            "timed out after {within:?} waiting for: {what}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}
