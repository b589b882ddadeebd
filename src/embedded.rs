//! The embedded default: a private PostgreSQL cluster run from the server binaries on the machine,
//! so that `secondcall serve` works on a fresh machine with nothing configured.

use std::fs::{File, TryLockError};
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use sqlx::postgres::PgConnectOptions;

/// The database the embedded cluster serves the app from (created on first start).
const DATABASE: &str = "secondcall";

/// The role the app connects as: it owns the app's database and everything in it, and is no
/// superuser (`postgres` stays the cluster's administrator, used only to set this up).
const APP_ROLE: &str = "secondcall";
/// The port number in the name of the cluster's unix socket (it listens on no TCP port).
const PORT: u16 = 5432;

/// Why the embedded cluster could not be used; each message tells the operator what to do.
#[derive(Debug, thiserror::Error)]
pub enum EmbeddedError {
    #[error(
        "No DATABASE_URL is set and no PostgreSQL server binaries were found on this machine.\n\n\
         Secondcall needs PostgreSQL. Either point it at an existing database, for example\n  \
         DATABASE_URL=postgres://user:password@localhost:5432/secondcall secondcall serve\n\
         or install the PostgreSQL server binaries (on Debian: apt-get install postgresql) and run\n\
         `secondcall serve` again: without DATABASE_URL it then runs its own private cluster in ./data/postgres."
    )]
    NoBinaries,
    #[error(
        "Another `secondcall serve` is already running with the data folder {0}.\n\
         Stop it first, or give this one its own folder with --data-dir (or a DATABASE_URL)."
    )]
    AlreadyServing(PathBuf),
    #[error("the embedded PostgreSQL could not be {action}: {detail}")]
    Command {
        action: &'static str,
        detail: String,
    },
    #[error("the embedded PostgreSQL data folder {path} is not usable: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// How a caller shares the cluster with other processes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// `secondcall serve`: owns the cluster while it runs; a second server is refused.
    Serve,
    /// A one-off command: uses the cluster of a running server, or starts it for the command.
    Command,
    /// The test suite: starts the cluster once and leaves it running for later test processes.
    Shared,
}

/// A running embedded cluster; call [`EmbeddedPostgres::stop`] when the process ends.
#[derive(Debug)]
pub struct EmbeddedPostgres {
    root: PathBuf,
    bin_dir: PathBuf,
    as_postgres_user: bool,
    stop_on_exit: bool,
    _lock: Option<File>,
}

impl EmbeddedPostgres {
    /// Starts (or joins) the cluster kept in `<root>/postgres`.
    pub fn start(root: &Path, mode: Mode, extra_options: &str) -> Result<Self, EmbeddedError> {
        let bin_dir = find_bin_dir().ok_or(EmbeddedError::NoBinaries)?;
        std::fs::create_dir_all(root).map_err(|e| io_err(root, e))?;
        let root = root.canonicalize().map_err(|e| io_err(root, e))?;
        let lock_path = root.join("secondcall.lock");
        let lock = File::options()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&lock_path)
            .map_err(|e| io_err(&lock_path, e))?;
        let mut cluster = Self {
            root,
            bin_dir,
            as_postgres_user: running_as_root(),
            stop_on_exit: false,
            _lock: None,
        };
        match mode {
            Mode::Serve | Mode::Command => match lock.try_lock() {
                Ok(()) => {
                    cluster.ensure_running(extra_options)?;
                    cluster.stop_on_exit = true;
                    cluster._lock = Some(lock);
                }
                Err(TryLockError::WouldBlock) if mode == Mode::Serve => {
                    return Err(EmbeddedError::AlreadyServing(cluster.data_dir()));
                }
                Err(TryLockError::WouldBlock) => {}
                Err(TryLockError::Error(e)) => return Err(io_err(&lock_path, e)),
            },
            Mode::Shared => {
                lock.lock().map_err(|e| io_err(&lock_path, e))?;
                cluster.ensure_running(extra_options)?;
                drop(lock);
            }
        }
        Ok(cluster)
    }

    /// The folder that holds the cluster's files and its unix socket.
    pub fn data_dir(&self) -> PathBuf {
        self.root.join("postgres")
    }

    /// Options for the `postgres` maintenance database (used to create the app's database).
    pub fn admin_options(&self) -> PgConnectOptions {
        PgConnectOptions::new()
            .socket(self.data_dir())
            .username("postgres")
            .database("postgres")
    }

    /// Options for the app's own database inside the cluster, as the app's role (local trust,
    /// like the administrator: the socket is reachable only from this machine's data folder).
    pub fn app_options(&self) -> PgConnectOptions {
        self.admin_options().username(APP_ROLE).database(DATABASE)
    }

    /// How PostgreSQL's own client programs (pg_dump, pg_restore, psql) reach the app's database
    /// in the cluster kept in `<root>/postgres`: its socket, as the app's own role, which owns everything in it.
    pub fn client_args(root: &Path) -> Vec<String> {
        vec![
            format!("--host={}", root.join("postgres").display()),
            format!("--port={PORT}"),
            format!("--username={APP_ROLE}"),
            format!("--dbname={DATABASE}"),
        ]
    }

    /// Name of the app's database inside the cluster.
    pub fn database_name(&self) -> &'static str {
        DATABASE
    }

    /// Name of the role the app connects as.
    pub fn app_role(&self) -> &'static str {
        APP_ROLE
    }

    /// Stops the cluster if this process started or owns it; a joined cluster is left running.
    pub fn stop(mut self) -> Result<(), EmbeddedError> {
        if !std::mem::take(&mut self.stop_on_exit) {
            return Ok(());
        }
        let data = self.data_dir();
        let status = self
            .pg_command("pg_ctl")
            .arg("-D")
            .arg(&data)
            .args(["-m", "fast", "-w", "stop"])
            .stdout(Stdio::null())
            .status();
        check(status, "stopped")?;
        tracing::info!(data_dir = %data.display(), "embedded PostgreSQL stopped");
        Ok(())
    }

    /// Whether a postmaster is running on the cluster's data folder.
    pub fn is_running(&self) -> bool {
        self.pg_command("pg_ctl")
            .arg("-D")
            .arg(self.data_dir())
            .arg("status")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .map(|s| s.success())
            .unwrap_or(false)
    }

    fn ensure_running(&self, extra_options: &str) -> Result<(), EmbeddedError> {
        let data = self.data_dir();
        if !data.join("PG_VERSION").exists() {
            self.init(&data)?;
        }
        if self.is_running() {
            return Ok(());
        }
        let options = format!(
            "-k {} -c listen_addresses='' -p {PORT} {extra_options}",
            data.display()
        );
        let status = self
            .pg_command("pg_ctl")
            .arg("-D")
            .arg(&data)
            .arg("-l")
            .arg(data.join("server.log"))
            .args(["-w", "-t", "60", "-o", &options, "start"])
            .stdout(Stdio::null())
            .status();
        check(status, "started (see server.log in the data folder)")?;
        tracing::info!(data_dir = %data.display(), "embedded PostgreSQL started");
        Ok(())
    }

    fn init(&self, data: &Path) -> Result<(), EmbeddedError> {
        std::fs::create_dir_all(data).map_err(|e| io_err(data, e))?;
        if self.as_postgres_user {
            let reachable = Command::new("runuser")
                .args(["-u", "postgres", "--", "test", "-x"])
                .arg(&self.root)
                .status()
                .is_ok_and(|s| s.success());
            if !reachable {
                let detail = format!(
                    "the postgres system user cannot reach {}; choose a data folder it can reach, e.g. --data-dir /var/lib/secondcall",
                    self.root.display()
                );
                return Err(EmbeddedError::Command {
                    action: "initialised",
                    detail,
                });
            }
            let status = Command::new("chown")
                .args(["-R", "postgres:postgres"])
                .arg(data)
                .status();
            check(status, "given to the postgres system user")?;
        }
        let status = self
            .pg_command("initdb")
            .arg("-D")
            .arg(data)
            .args([
                "-U",
                "postgres",
                "-A",
                "trust",
                "-E",
                "UTF8",
                "--locale=C.UTF-8",
            ])
            .stdout(Stdio::null())
            .status();
        check(status, "initialised")?;
        tracing::info!(data_dir = %data.display(), "embedded PostgreSQL initialised");
        Ok(())
    }

    /// A command from the server binaries, run as `postgres` when we are root (initdb refuses root).
    fn pg_command(&self, program: &str) -> Command {
        let program = self.bin_dir.join(program);
        if self.as_postgres_user {
            let mut cmd = Command::new("runuser");
            cmd.args(["-u", "postgres", "--"]).arg(program);
            cmd
        } else {
            Command::new(program)
        }
    }
}

/// The PostgreSQL server binaries: `PG_BIN_DIR`, else `pg_config --bindir`, else the newest
/// Debian install.
pub fn find_bin_dir() -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os("PG_BIN_DIR") {
        let dir = PathBuf::from(dir);
        return dir.join("initdb").exists().then_some(dir);
    }
    let from_pg_config = Command::new("pg_config")
        .arg("--bindir")
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| PathBuf::from(String::from_utf8_lossy(&o.stdout).trim()))
        .filter(|dir| dir.join("initdb").exists());
    from_pg_config.or_else(newest_debian_bin_dir)
}

fn newest_debian_bin_dir() -> Option<PathBuf> {
    let entries = std::fs::read_dir("/usr/lib/postgresql").ok()?;
    entries
        .filter_map(|e| e.ok())
        .filter_map(|e| {
            let major: u32 = e.file_name().to_str()?.parse().ok()?;
            Some((major, e.path().join("bin")))
        })
        .filter(|(_, bin)| bin.join("initdb").exists())
        .max_by_key(|(major, _)| *major)
        .map(|(_, bin)| bin)
}

fn running_as_root() -> bool {
    std::fs::metadata("/proc/self")
        .map(|m| m.uid() == 0)
        .unwrap_or(false)
}

fn check(
    status: std::io::Result<std::process::ExitStatus>,
    action: &'static str,
) -> Result<(), EmbeddedError> {
    match status {
        Ok(s) if s.success() => Ok(()),
        Ok(s) => Err(EmbeddedError::Command {
            action,
            detail: format!("exit status {s}"),
        }),
        Err(e) => Err(EmbeddedError::Command {
            action,
            detail: e.to_string(),
        }),
    }
}

fn io_err(path: &Path, source: std::io::Error) -> EmbeddedError {
    EmbeddedError::Io {
        path: path.to_path_buf(),
        source,
    }
}
