//! The command line and the environment: parsed once, at start, into [`Cli`] and [`Config`].

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

/// `secondcall` — see `secondcall --help` and docs/api.md for the stable surface.
#[derive(Debug, Parser)]
#[command(
    name = "secondcall",
    version,
    about = "Makes recruiting teams follow up."
)]
pub struct Cli {
    #[command(flatten)]
    pub config: Config,
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// Settings shared by every subcommand; tests build this directly.
#[derive(Debug, Clone, Args)]
pub struct Config {
    /// PostgreSQL connection string; without it an embedded cluster in DATA_DIR/postgres is used.
    #[arg(long, env = "DATABASE_URL", global = true, hide_env_values = true)]
    pub database_url: Option<String>,
    /// Address the web server listens on.
    #[arg(long, env = "BIND", default_value = "127.0.0.1:8080", global = true)]
    pub bind: SocketAddr,
    /// Mark session cookies Secure (set it when the app is served over HTTPS).
    #[arg(long, env = "SECURE_COOKIES", default_value_t = false, global = true)]
    pub secure_cookies: bool,
    /// Where the embedded PostgreSQL cluster lives when DATABASE_URL is not set.
    #[arg(
        long,
        env = "SECONDCALL_DATA_DIR",
        default_value = "data",
        global = true
    )]
    pub data_dir: PathBuf,
    /// An origin allowed to post forms besides the app's own host (behind a proxy that rewrites Host).
    #[arg(long, env = "TRUSTED_ORIGIN", global = true)]
    pub trusted_origin: Option<String>,
    /// Start the nightly due-list task (turn off for extra instances that must never rebuild).
    #[arg(long, env = "NIGHTLY", default_value_t = true, global = true, action = clap::ArgAction::Set)]
    pub nightly: bool,
    /// Memory for rendered Today pages, in MB (each served again only while nothing it shows has
    /// changed); 0 renders every request.
    #[arg(long, env = "PAGE_CACHE_MB", default_value_t = 64, global = true)]
    pub page_cache_mb: u64,
    /// A folder for the nightly backup (off when unset): the server writes one `pg_dump` file a
    /// day there after the nightly rebuild.
    #[arg(long, env = "BACKUP_DIR", global = true)]
    pub backup_dir: Option<PathBuf>,
    /// Days the nightly backups are kept in BACKUP_DIR; older ones are removed after a good one.
    #[arg(long, env = "BACKUP_KEEP", default_value_t = 7, global = true, value_parser = clap::value_parser!(u32).range(1..))]
    pub backup_keep: u32,
    /// Tests only: a pause after each user's rebuild, so a test can stop the server half-way.
    #[arg(long, env = "SECONDCALL_REBUILD_PAUSE_MS", global = true, hide = true)]
    pub rebuild_pause_ms: Option<u64>,
}

impl Config {
    /// A configuration for tests and tools: an explicit database, an ephemeral port.
    pub fn for_database(database_url: impl Into<String>) -> Self {
        Self {
            database_url: Some(database_url.into()),
            bind: SocketAddr::from(([127, 0, 0, 1], 0)),
            secure_cookies: false,
            data_dir: PathBuf::from("data"),
            trusted_origin: None,
            nightly: false,
            page_cache_mb: 64,
            backup_dir: None,
            backup_keep: 7,
            rebuild_pause_ms: None,
        }
    }
}

/// The subcommands of docs/api.md.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the web server and the nightly task (the default).
    Serve,
    /// Apply pending database migrations and exit.
    Migrate,
    /// Create teams, users and API tokens; back up, restore, check the installation.
    #[command(subcommand)]
    Admin(AdminCommand),
    /// Rebuild due lists now, for each user's today or for a replayed date.
    RebuildDue {
        /// Only this team.
        #[arg(long)]
        team_id: Option<i64>,
        /// Rebuild for this date (YYYY-MM-DD) from the facts known up to its end.
        #[arg(long)]
        as_of: Option<chrono::NaiveDate>,
    },
    /// Developer tools: the benchmark dataset.
    #[command(subcommand)]
    Dev(DevCommand),
}

/// `secondcall admin …`
#[derive(Debug, Subcommand)]
pub enum AdminCommand {
    /// Create a team and its first manager; prints the team id.
    CreateTeam {
        #[arg(long)]
        team: String,
        #[arg(long)]
        email: String,
        #[arg(long)]
        name: String,
        /// Read the password from standard input (one line).
        #[arg(long, required = true)]
        password_stdin: bool,
        #[arg(long, default_value = "UTC")]
        time_zone: String,
    },
    /// Add a user to a team.
    CreateUser {
        #[arg(long)]
        team_id: i64,
        #[arg(long)]
        email: String,
        #[arg(long)]
        name: String,
        #[arg(long)]
        role: String,
        #[arg(long, required = true)]
        password_stdin: bool,
        #[arg(long, default_value = "UTC")]
        time_zone: String,
    },
    /// Print a new API token for a user.
    CreateToken {
        #[arg(long)]
        email: String,
    },
    /// Write a consistent backup of the database (pg_dump, custom format) while the server runs.
    Backup {
        /// The backup file (written under a temporary name, renamed when complete).
        #[arg(long)]
        to: PathBuf,
    },
    /// Restore a backup into an empty database, then apply this version's migrations.
    Restore {
        /// The backup file made by `admin backup` (or `pg_dump -Fc`).
        #[arg(long)]
        from: PathBuf,
        /// Replace a database that already has teams (everything in it is lost).
        #[arg(long)]
        force: bool,
    },
    /// Check the installation: one line per check; exit status 1 when something needs action.
    Doctor,
}

/// `secondcall dev …`
#[derive(Debug, Subcommand)]
pub enum DevCommand {
    /// Generate a deterministic benchmark team (COPY into the database).
    Seed(SeedArgs),
}

/// Size of the generated dataset.
#[derive(Debug, Clone, Args)]
pub struct SeedArgs {
    #[arg(long, default_value_t = 20)]
    pub recruiters: u32,
    #[arg(long, default_value_t = 40_000)]
    pub decision_makers: u32,
    #[arg(long, default_value_t = 60_000)]
    pub candidates: u32,
    #[arg(long, default_value_t = 1_000_000)]
    pub touches: u64,
    /// Random seed: the same seed gives the same dataset.
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    /// The team's name (a new team is created each run).
    #[arg(long, default_value = "Benchmark Staffing")]
    pub team: String,
}
