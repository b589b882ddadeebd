//! The command line and the environment: parsed once, at start, into [`Cli`] and [`Config`].

use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};
use ipnet::IpNet;

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
    /// Mark cookies Secure (with the `__Host-` prefix) and send HSTS. Default: on when the
    /// server is public (BIND not loopback, or TRUSTED_PROXIES set); `false` turns it off.
    #[arg(long, env = "SECURE_COOKIES", global = true, action = clap::ArgAction::Set,
        value_parser = clap::builder::BoolishValueParser::new())]
    pub secure_cookies: Option<bool>,
    /// Reverse proxies whose `X-Forwarded-For` is believed: a comma-separated list of addresses
    /// or CIDR ranges (e.g. `127.0.0.1,10.0.0.0/8`). Setting it makes the server public.
    #[arg(long, env = "TRUSTED_PROXIES", global = true, value_delimiter = ',',
        value_parser = parse_proxy)]
    pub trusted_proxies: Vec<IpNet>,
    /// The address users reach, e.g. `https://crm.example.com`: absolute links (mail, feeds, the
    /// API address on the account page) are built from it.
    #[arg(long, env = "PUBLIC_URL", global = true, value_parser = parse_public_url)]
    pub public_url: Option<String>,
    /// Per-user requests a second on the API and the report pages (CSV exports included); 0
    /// turns the limit off.
    #[arg(long, env = "API_RATE_PER_SECOND", default_value_t = 20, global = true)]
    pub api_rate_per_second: u32,
    /// Requests a user may make at once above that rate before the 429s start.
    #[arg(long, env = "API_RATE_BURST", default_value_t = 100, global = true)]
    pub api_rate_burst: u32,
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
    /// Connections the server keeps to PostgreSQL for the pages, the API and the background work,
    /// and as many again for Today, the board and the everyday writes (default: twice the CPUs
    /// plus two, at least 4). More than the database's cores can run at once only queue inside
    /// it: on the 2-core bench machine 6 served a team at work faster than 16 (BENCHMARKS.md).
    #[arg(long, env = "DATABASE_POOL_SIZE", global = true, value_parser = clap::value_parser!(u32).range(1..=1000))]
    pub database_pool_size: Option<u32>,
    /// A folder for the nightly backup (off when unset): the server writes one `pg_dump` file a
    /// day there after the nightly rebuild.
    #[arg(long, env = "BACKUP_DIR", global = true)]
    pub backup_dir: Option<PathBuf>,
    /// Days the nightly backups are kept in BACKUP_DIR; older ones are removed after a good one.
    #[arg(long, env = "BACKUP_KEEP", default_value_t = 7, global = true, value_parser = clap::value_parser!(u32).range(1..))]
    pub backup_keep: u32,
    /// The mail server of the morning digest: `smtp://host:port` (STARTTLS when the server offers
    /// it), `smtp://host:port?tls=required`, or `smtps://user:pass@host` (TLS from the start);
    /// unset, no mail is sent.
    #[arg(long, env = "SMTP_URL", global = true, hide_env_values = true)]
    pub smtp_url: Option<String>,
    /// The sender of the mail, e.g. `Secondcall <secondcall@example.com>`.
    #[arg(long, env = "MAIL_FROM", global = true)]
    pub mail_from: Option<String>,
    /// Tests only: a pause after each user's rebuild, so a test can stop the server half-way.
    #[arg(long, env = "SECONDCALL_REBUILD_PAUSE_MS", global = true, hide = true)]
    pub rebuild_pause_ms: Option<u64>,
}

impl Config {
    /// The size of the serving pool, and of the connections kept for the everyday pages and writes
    /// (`db::hot`): `DATABASE_POOL_SIZE`, else twice the CPUs plus two (at least 4, at most 32).
    pub fn pool_size(&self) -> u32 {
        self.database_pool_size.unwrap_or_else(|| {
            let cpus = std::thread::available_parallelism().map_or(2, std::num::NonZero::get);
            u32::try_from(cpus * 2 + 2).unwrap_or(32).clamp(4, 32)
        })
    }

    /// A configuration for tests and tools: an explicit database, an ephemeral port, and no
    /// per-user rate limit (tests drive the API faster than any person; the limit's own tests
    /// set one).
    pub fn for_database(database_url: impl Into<String>) -> Self {
        Self {
            database_url: Some(database_url.into()),
            bind: SocketAddr::from(([127, 0, 0, 1], 0)),
            secure_cookies: None,
            trusted_proxies: Vec::new(),
            public_url: None,
            api_rate_per_second: 0,
            api_rate_burst: 100,
            data_dir: PathBuf::from("data"),
            trusted_origin: None,
            nightly: false,
            page_cache_mb: 64,
            database_pool_size: None,
            backup_dir: None,
            backup_keep: 7,
            smtp_url: None,
            mail_from: None,
            rebuild_pause_ms: None,
        }
    }

    /// Public: reachable from other machines, directly (BIND not loopback) or through a proxy
    /// (TRUSTED_PROXIES set). A public server marks cookies Secure, asks for the setup code, and
    /// builds absolute links only from PUBLIC_URL.
    pub fn is_public(&self) -> bool {
        !self.bind.ip().is_loopback() || !self.trusted_proxies.is_empty()
    }

    /// Whether cookies are Secure (and HSTS sent): SECURE_COOKIES when given, else public.
    pub fn secure_cookies(&self) -> bool {
        self.secure_cookies.unwrap_or_else(|| self.is_public())
    }
}

/// One entry of TRUSTED_PROXIES: an address (a range of one) or a CIDR range.
fn parse_proxy(s: &str) -> Result<IpNet, String> {
    let s = s.trim();
    s.parse::<IpNet>()
        .or_else(|_| s.parse::<IpAddr>().map(IpNet::from))
        .map_err(|_| format!("`{s}` is neither an IP address nor a CIDR range (e.g. 10.0.0.0/8)"))
}

/// PUBLIC_URL: an http(s) URL with a host and no query or fragment; kept without its trailing
/// slash, so a path can be appended as it is.
fn parse_public_url(s: &str) -> Result<String, String> {
    let uri: axum::http::Uri = s
        .trim()
        .parse()
        .map_err(|_| format!("`{s}` is not a URL (e.g. https://crm.example.com)"))?;
    if !matches!(uri.scheme_str(), Some("http" | "https")) {
        return Err(format!("`{s}` must start with https:// (or http://)"));
    }
    let Some(host) = uri.authority().map(|a| a.host()) else {
        return Err(format!("`{s}` has no host"));
    };
    if host.is_empty() || uri.authority().is_some_and(|a| a.as_str().contains('@')) {
        return Err(format!("`{s}` has no usable host"));
    }
    if uri.query().is_some() || s.contains('#') {
        return Err(format!("`{s}` must not have a query or fragment"));
    }
    Ok(uri.to_string().trim_end_matches('/').to_string())
}

/// The subcommands of docs/api.md.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the web server and the nightly task (the default).
    Serve,
    /// Apply pending database migrations and exit.
    Migrate,
    /// Create teams, users and API tokens; reset a password; back up, restore, check the
    /// installation.
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
    /// Send now the morning digest each opted-in user would get for a date (those already sent
    /// it are skipped); prints how many were sent.
    SendDigests {
        /// Only this team.
        #[arg(long)]
        team_id: Option<i64>,
        /// The date (YYYY-MM-DD) of the lists to send; default each user's today.
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
    /// Print a temporary password for a user (changed at their next login, good for 7 days); their
    /// sessions end and their tokens are revoked. The way back for a locked-out sole manager.
    ResetPassword {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn proxies_are_addresses_or_ranges() {
        assert_eq!(
            parse_proxy(" 127.0.0.1 ").unwrap(),
            "127.0.0.1/32".parse::<IpNet>().unwrap()
        );
        assert_eq!(
            parse_proxy("10.0.0.0/8").unwrap(),
            "10.0.0.0/8".parse::<IpNet>().unwrap()
        );
        assert!(parse_proxy("::1").is_ok());
        assert!(parse_proxy("proxy.example").is_err());
        assert!(parse_proxy("10.0.0.0/33").is_err());
    }

    #[test]
    fn public_url_is_an_http_url_without_query_and_trailing_slash() {
        assert_eq!(
            parse_public_url("https://crm.example.com/").unwrap(),
            "https://crm.example.com"
        );
        assert_eq!(
            parse_public_url("http://10.0.0.5:8080/crm/").unwrap(),
            "http://10.0.0.5:8080/crm"
        );
        for bad in [
            "crm.example.com",
            "ftp://crm.example.com",
            "https://crm.example.com/?a=b",
            "https://crm.example.com/#top",
            "https://user@crm.example.com",
            "",
        ] {
            assert!(parse_public_url(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn public_when_not_on_loopback_or_behind_trusted_proxies() {
        let mut config = Config::for_database("postgres://x");
        assert!(!config.is_public() && !config.secure_cookies());
        config.trusted_proxies = vec!["127.0.0.1/32".parse().unwrap()];
        assert!(config.is_public() && config.secure_cookies());
        config.secure_cookies = Some(false);
        assert!(!config.secure_cookies(), "an explicit false wins");
        config.trusted_proxies.clear();
        config.bind = "0.0.0.0:8080".parse().unwrap();
        assert!(config.is_public());
    }

    #[test]
    fn the_environment_forms_parse() {
        let cli = Cli::try_parse_from([
            "secondcall",
            "--trusted-proxies",
            "127.0.0.1, 10.0.0.0/8",
            "--secure-cookies",
            "false",
        ])
        .unwrap();
        assert_eq!(cli.config.trusted_proxies.len(), 2);
        assert_eq!(cli.config.secure_cookies, Some(false));
        let defaults = Cli::try_parse_from(["secondcall"]).unwrap().config;
        assert_eq!(defaults.secure_cookies, None);
        assert_eq!(
            (defaults.api_rate_per_second, defaults.api_rate_burst),
            (20, 100),
            "a limit no person clicking meets"
        );
    }
}
