//! `secondcall admin doctor`: a look at an installation, one line per check, each either ok or
//! needing action (with what to do). The checks are [`CHECKS`], in the order they print; a new
//! one is a variant of [`Check`], its function, and its place in the list.

use std::collections::BTreeMap;
use std::path::Path;

use chrono::{DateTime, Duration, Utc};
use sqlx::PgPool;

use crate::background::nightly;
use crate::config::Config;
use crate::db::backup_runs::{self, RunStatus};
use crate::db::{self};
use crate::ops::{human_size, pg_tools};

/// One check's verdict.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// What was checked ("database", "migrations"…).
    pub check: &'static str,
    /// What was found.
    pub detail: String,
    /// What to do, when something needs action.
    pub action: Option<String>,
}

impl Finding {
    fn ok(check: &'static str, detail: impl Into<String>) -> Self {
        Self {
            check,
            detail: detail.into(),
            action: None,
        }
    }

    fn needs(check: &'static str, detail: impl Into<String>, action: impl Into<String>) -> Self {
        Self {
            check,
            detail: detail.into(),
            action: Some(action.into()),
        }
    }

    /// Whether this check needs action.
    pub fn needs_action(&self) -> bool {
        self.action.is_some()
    }

    /// The line the command prints.
    pub fn line(&self) -> String {
        match &self.action {
            None => format!("ok            {}: {}", self.check, self.detail),
            Some(todo) => format!("needs action  {}: {} → {todo}", self.check, self.detail),
        }
    }
}

/// The checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Check {
    /// The database answers; its version.
    Database,
    /// Every migration of this binary is applied, and none unknown to it.
    Migrations,
    /// The embedded cluster's data folder is writable.
    DataFolder,
    /// The last nightly rebuild, and whether a list is older than its user's today.
    Nightly,
    /// The last nightly backup's age (when BACKUP_DIR is set).
    Backups,
    /// The mail server answers (when SMTP_URL is set).
    Mail,
    /// PUBLIC_URL, TRUSTED_PROXIES and SECURE_COOKIES agree with BIND.
    PublicAddress,
}

/// Every check, in the order they print.
pub const CHECKS: &[Check] = &[
    Check::Database,
    Check::Migrations,
    Check::DataFolder,
    Check::Nightly,
    Check::Backups,
    Check::Mail,
    Check::PublicAddress,
];

/// A nightly backup older than this needs action (a day and some slack for a slow night).
const BACKUP_MAX_AGE_HOURS: i64 = 26;

/// What the checks look at.
pub struct Doctor<'a> {
    pub db: &'a PgPool,
    pub config: &'a Config,
    pub now: DateTime<Utc>,
}

impl Doctor<'_> {
    /// Runs every check of [`CHECKS`]; a check that cannot even look says so as needing action.
    pub async fn examine(&self) -> Vec<Finding> {
        let mut findings = Vec::with_capacity(CHECKS.len());
        for check in CHECKS {
            findings.push(self.run(*check).await);
        }
        findings
    }

    async fn run(&self, check: Check) -> Finding {
        let (name, result) = match check {
            Check::Database => ("database", self.database().await),
            Check::Migrations => ("migrations", self.migrations().await),
            Check::DataFolder => ("data folder", Ok(self.data_folder())),
            Check::Nightly => ("nightly rebuild", self.nightly().await),
            Check::Backups => ("backups", self.backups().await),
            Check::Mail => ("mail", self.mail().await),
            Check::PublicAddress => ("public address", Ok(public_address(self.config))),
        };
        result.unwrap_or_else(|e| {
            Finding::needs(
                name,
                format!("cannot check: {e:#}"),
                "fix what the lines above say first",
            )
        })
    }

    async fn database(&self) -> anyhow::Result<Finding> {
        let version = pg_tools::server_version(self.db).await?;
        let name: String = sqlx::query_scalar("select current_database()")
            .fetch_one(self.db)
            .await?;
        let place = match &self.config.database_url {
            Some(_) => "DATABASE_URL".to_string(),
            None => format!("the embedded cluster in {}", self.config.data_dir.display()),
        };
        Ok(Finding::ok(
            "database",
            format!(
                "PostgreSQL {} answers, database {name} ({place})",
                version.text
            ),
        ))
    }

    async fn migrations(&self) -> anyhow::Result<Finding> {
        const CHECK: &str = "migrations";
        let known: BTreeMap<i64, &sqlx::migrate::Migration> = db::MIGRATOR
            .iter()
            .filter(|m| !m.migration_type.is_down_migration())
            .map(|m| (m.version, m))
            .collect();
        let has_table: bool =
            sqlx::query_scalar("select to_regclass('public._sqlx_migrations') is not null")
                .fetch_one(self.db)
                .await?;
        let applied: Vec<(i64, bool, Vec<u8>)> = if has_table {
            sqlx::query_as("select version, success, checksum from _sqlx_migrations")
                .fetch_all(self.db)
                .await?
        } else {
            Vec::new()
        };
        if let Some((v, ..)) = applied.iter().find(|(_, success, _)| !success) {
            return Ok(Finding::needs(
                CHECK,
                format!("migration {v} failed half-way"),
                "read the server's log, fix the cause, then run `secondcall migrate`",
            ));
        }
        let unknown: Vec<i64> = applied
            .iter()
            .map(|(v, ..)| *v)
            .filter(|v| !known.contains_key(v))
            .collect();
        if let Some(v) = unknown.first() {
            return Ok(Finding::needs(
                CHECK,
                format!(
                    "the database has {} migration(s) this binary does not know (from {v}): it was migrated by a newer version",
                    unknown.len()
                ),
                "run the newer version of secondcall",
            ));
        }
        let changed: Vec<i64> = applied
            .iter()
            .filter(|(v, _, sum)| known.get(v).is_some_and(|m| m.checksum.as_ref() != sum))
            .map(|(v, ..)| *v)
            .collect();
        if let Some(v) = changed.first() {
            return Ok(Finding::needs(
                CHECK,
                format!("migration {v} was applied from a different file than this binary's"),
                "run the release that applied it, or restore a backup made by this one",
            ));
        }
        let pending = known.len() - applied.len();
        if pending > 0 {
            return Ok(Finding::needs(
                CHECK,
                format!("{pending} of {} migrations not applied", known.len()),
                "run `secondcall migrate` (the server also applies them when it starts)",
            ));
        }
        Ok(Finding::ok(CHECK, format!("all {} applied", known.len())))
    }

    async fn mail(&self) -> anyhow::Result<Finding> {
        const CHECK: &str = "mail";
        let mail = match crate::mail::Mail::from_config(self.config) {
            Ok(mail) => mail,
            Err(e) => {
                return Ok(Finding::needs(
                    CHECK,
                    format!("{e:#}"),
                    "set SMTP_URL and MAIL_FROM together, e.g. smtp://mail.example.com:587",
                ));
            }
        };
        let Some(server) = mail.server().map(str::to_string) else {
            return Ok(Finding::ok(CHECK, "off (no SMTP_URL): no morning digests"));
        };
        Ok(match mail.check_connection().await {
            Ok(()) => Finding::ok(CHECK, format!("{server} answers")),
            Err(e) => Finding::needs(
                CHECK,
                format!("{server}: {e}"),
                "check SMTP_URL (host, port, user, password) and that this machine may reach it",
            ),
        })
    }

    fn data_folder(&self) -> Finding {
        const CHECK: &str = "data folder";
        if self.config.database_url.is_some() {
            return Finding::ok(CHECK, "not used (DATABASE_URL is set)");
        }
        let dir = &self.config.data_dir;
        match writable(dir) {
            Ok(()) => Finding::ok(CHECK, format!("{} is writable", dir.display())),
            Err(e) => Finding::needs(
                CHECK,
                format!("{} is not writable: {e}", dir.display()),
                "give the user that runs secondcall write access to it, or free some disk space",
            ),
        }
    }

    async fn nightly(&self) -> anyhow::Result<Finding> {
        const CHECK: &str = "nightly rebuild";
        let users: i64 = sqlx::query_scalar("select count(*) from users where active")
            .fetch_one(self.db)
            .await?;
        if users == 0 {
            return Ok(Finding::ok(CHECK, "no users yet, nothing to rebuild"));
        }
        let last: Option<(DateTime<Utc>, RunStatus)> = sqlx::query_as(
            "select finished_at, status from due_runs \
             where trigger in ('nightly', 'catch_up') and finished_at is not null \
             order by finished_at desc limit 1",
        )
        .fetch_optional(self.db)
        .await?;
        let last_text = match last {
            Some((at, status)) => {
                format!("last nightly run ended {} ({status})", ago(self.now, at))
            }
            None => "no nightly run yet".to_string(),
        };
        let behind = nightly::lists_behind(self.db, None, self.now).await?;
        if behind > 0 {
            return Ok(Finding::needs(
                CHECK,
                format!(
                    "{behind} of {users} lists are older than their user's today after the nightly hour; {last_text}"
                ),
                "check that a server runs with NIGHTLY=true and read its log; `secondcall rebuild-due` rebuilds them now",
            ));
        }
        if let Some((_, RunStatus::Failed)) = last {
            return Ok(Finding::needs(
                CHECK,
                last_text,
                "read the server's log for the error; the next tick tries again",
            ));
        }
        Ok(Finding::ok(
            CHECK,
            format!("every list is current; {last_text}"),
        ))
    }

    async fn backups(&self) -> anyhow::Result<Finding> {
        const CHECK: &str = "backups";
        let Some(dir) = &self.config.backup_dir else {
            return Ok(Finding::ok(
                CHECK,
                "the nightly backup is off (set BACKUP_DIR to turn it on)",
            ));
        };
        if let Err(e) = writable(dir) {
            return Ok(Finding::needs(
                CHECK,
                format!("BACKUP_DIR {} is not writable: {e}", dir.display()),
                "create the folder and let the user that runs secondcall write in it",
            ));
        }
        let last = backup_runs::last_run(self.db).await?;
        let good = backup_runs::last_good_run(self.db).await?;
        let good_text = good.as_ref().map_or_else(
            || "no good backup yet".to_string(),
            |g| {
                format!(
                    "last good backup {} ({}, {})",
                    ago(self.now, g.started_at),
                    human_size(g.size_bytes.unwrap_or(0).try_into().unwrap_or(0)),
                    g.file
                )
            },
        );
        if let Some(run) = last
            .as_ref()
            .filter(|r| matches!(r.status, RunStatus::Failed | RunStatus::Interrupted))
        {
            return Ok(Finding::needs(
                CHECK,
                format!(
                    "the last nightly backup ({}) {}: {}; {good_text}",
                    ago(self.now, run.started_at),
                    run.status,
                    run.error.as_deref().unwrap_or("no error recorded")
                ),
                "fix the cause, then run `secondcall admin backup --to FILE` (the server tries again the next day)",
            ));
        }
        match good {
            Some(g) if self.now - g.started_at <= Duration::hours(BACKUP_MAX_AGE_HOURS) => {
                Ok(Finding::ok(CHECK, good_text))
            }
            _ => Ok(Finding::needs(
                CHECK,
                good_text,
                "check that a server runs with NIGHTLY=true and BACKUP_DIR set, and read its log",
            )),
        }
    }
}

/// Whether a file can be created (and removed) in the folder.
fn writable(dir: &Path) -> std::io::Result<()> {
    let probe = dir.join(format!(".secondcall-doctor-{}", std::process::id()));
    std::fs::write(&probe, b"")?;
    std::fs::remove_file(&probe)
}

/// "3 h ago", "2 days ago".
fn ago(now: DateTime<Utc>, then: DateTime<Utc>) -> String {
    let d = now - then;
    if d < Duration::minutes(2) {
        "just now".to_string()
    } else if d < Duration::hours(2) {
        format!("{} min ago", d.num_minutes())
    } else if d < Duration::hours(48) {
        format!("{} h ago", d.num_hours())
    } else {
        format!("{} days ago", d.num_days())
    }
}

/// Whether the addresses the server is told agree with each other (a pure function of the
/// configuration, so each rule has its test).
pub fn public_address(config: &Config) -> Finding {
    const CHECK: &str = "public address";
    let public = config.is_public();
    let https = config
        .public_url
        .as_deref()
        .is_some_and(|u| u.starts_with("https://"));
    if config.public_url.is_none() && public {
        return Finding::needs(
            CHECK,
            format!(
                "BIND {} is reachable from other machines but PUBLIC_URL is not set",
                config.bind
            ),
            "set PUBLIC_URL to the address users reach (e.g. https://crm.example.com): mail and calendar links are built from it",
        );
    }
    if config.public_url.is_none() && config.smtp_url.is_some() {
        return Finding::needs(
            CHECK,
            "mail is on but PUBLIC_URL is not set: the morning digest has no link to Today",
            "set PUBLIC_URL to the address users reach",
        );
    }
    if https && config.trusted_proxies.is_empty() {
        return Finding::needs(
            CHECK,
            "PUBLIC_URL is https but TRUSTED_PROXIES is empty: the server does not speak TLS, so a proxy is in front and every user looks like the proxy's address",
            "set TRUSTED_PROXIES to the proxy's address (e.g. 127.0.0.1), so the login limits and the security log see each client",
        );
    }
    if https && !config.secure_cookies() {
        return Finding::needs(
            CHECK,
            "PUBLIC_URL is https but SECURE_COOKIES=false",
            "remove SECURE_COOKIES=false: behind HTTPS the session cookie should be Secure",
        );
    }
    match &config.public_url {
        Some(url) => Finding::ok(
            CHECK,
            format!(
                "{url}, BIND {}, {} trusted proxy range(s), cookies {}",
                config.bind,
                config.trusted_proxies.len(),
                if config.secure_cookies() {
                    "Secure"
                } else {
                    "not Secure"
                }
            ),
        ),
        None => Finding::ok(
            CHECK,
            format!(
                "BIND {} is loopback: links use the address in the browser",
                config.bind
            ),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config_with(bind: &str, proxies: &[&str], public_url: Option<&str>) -> Config {
        let mut c = Config::for_database("postgres://unused");
        c.bind = bind.parse().unwrap();
        c.trusted_proxies = proxies.iter().map(|p| p.parse().unwrap()).collect();
        c.public_url = public_url.map(str::to_string);
        c
    }

    #[test]
    fn the_public_address_check_follows_each_rule() {
        // loopback, nothing set: fine
        assert!(!public_address(&config_with("127.0.0.1:8080", &[], None)).needs_action());
        // behind a proxy, as the README shows: fine
        let good = config_with(
            "127.0.0.1:8080",
            &["127.0.0.1/32"],
            Some("https://crm.example.com"),
        );
        assert!(
            !public_address(&good).needs_action(),
            "{:?}",
            public_address(&good)
        );
        // public without PUBLIC_URL
        assert!(public_address(&config_with("0.0.0.0:8080", &[], None)).needs_action());
        assert!(
            public_address(&config_with("127.0.0.1:8080", &["10.0.0.0/8"], None)).needs_action()
        );
        // https without a trusted proxy
        let f = public_address(&config_with(
            "127.0.0.1:8080",
            &[],
            Some("https://crm.example.com"),
        ));
        assert!(f.needs_action() && f.detail.contains("TRUSTED_PROXIES"));
        // https with cookies explicitly not Secure
        let mut c = good.clone();
        c.secure_cookies = Some(false);
        assert!(
            public_address(&c)
                .action
                .is_some_and(|a| a.contains("SECURE_COOKIES"))
        );
        // mail without PUBLIC_URL
        let mut c = config_with("127.0.0.1:8080", &[], None);
        c.smtp_url = Some("smtp://127.0.0.1:2525".into());
        assert!(public_address(&c).needs_action());
    }
}
