//! PostgreSQL's client programs (pg_dump, pg_restore, psql) and the database they talk to: for
//! the embedded default, those next to the server binaries the cluster runs from, over its
//! socket; for a `DATABASE_URL`, those in `PG_BIN_DIR` or on the PATH, given the URL.

use std::path::PathBuf;
use std::process::Stdio;

use anyhow::Context;
use sqlx::PgExecutor;
use tokio::process::Command;

use crate::config::Config;
use crate::embedded::{self, EmbeddedError, EmbeddedPostgres};

/// Where the client programs are and how they reach the app's database.
#[derive(Debug, Clone)]
pub struct PgTarget {
    /// The folder of the programs; none: the PATH.
    bin_dir: Option<PathBuf>,
    /// The connection arguments every program takes (`--dbname=URL`, or socket and user).
    connection: Vec<String>,
}

/// A program's or the server's version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Version {
    pub major: u32,
    /// As it introduces itself ("15.18").
    pub text: String,
}

impl PgTarget {
    /// The target of this configuration. The embedded cluster must exist (the command started
    /// or joined it before).
    pub fn of(config: &Config) -> anyhow::Result<Self> {
        match &config.database_url {
            Some(url) => Ok(Self {
                bin_dir: std::env::var_os("PG_BIN_DIR").map(PathBuf::from),
                connection: vec![format!("--dbname={url}")],
            }),
            None => {
                let bin_dir = embedded::find_bin_dir().ok_or(EmbeddedError::NoBinaries)?;
                let root = config.data_dir.canonicalize().with_context(|| {
                    format!("the data folder {} is not there", config.data_dir.display())
                })?;
                Ok(Self {
                    bin_dir: Some(bin_dir),
                    connection: EmbeddedPostgres::client_args(&root),
                })
            }
        }
    }

    /// The connection arguments, for a program that takes them as they are.
    pub fn connection(&self) -> &[String] {
        &self.connection
    }

    /// One of the client programs, never asking for a password (it would wait for ever), and
    /// killed if its caller goes away.
    pub fn command(&self, program: &str) -> Command {
        let path = self
            .bin_dir
            .as_ref()
            .map_or_else(|| PathBuf::from(program), |dir| dir.join(program));
        let mut command = Command::new(path);
        command.kill_on_drop(true).stdin(Stdio::null());
        command
    }

    /// The program's version (`pg_dump --version`), or why it cannot be run.
    pub async fn version_of(&self, program: &str) -> anyhow::Result<Version> {
        let output = self
            .command(program)
            .arg("--version")
            .output()
            .await
            .with_context(|| {
                format!(
                    "cannot run {program}: install PostgreSQL's client programs (on Debian: apt-get install postgresql-client) \
                     or set PG_BIN_DIR to the folder that holds them"
                )
            })?;
        let text = String::from_utf8_lossy(&output.stdout);
        parse_version(&text).with_context(|| format!("{program} --version said {text:?}"))
    }
}

/// The version in "pg_dump (PostgreSQL) 15.18 (Debian 15.18-0+deb12u1)".
pub fn parse_version(text: &str) -> Option<Version> {
    let number = text
        .split_whitespace()
        .find(|w| w.starts_with(|c: char| c.is_ascii_digit()))?;
    let digits: String = number.chars().take_while(char::is_ascii_digit).collect();
    Some(Version {
        major: digits.parse().ok()?,
        text: number.to_string(),
    })
}

/// The server's version.
pub async fn server_version(db: impl PgExecutor<'_>) -> sqlx::Result<Version> {
    let (num, text): (String, String) = sqlx::query_as(
        "select current_setting('server_version_num'), current_setting('server_version')",
    )
    .fetch_one(db)
    .await?;
    let num: u32 = num.parse().map_err(|e| {
        sqlx::Error::Decode(format!("server_version_num `{num}` is not a number: {e}").into())
    })?;
    let text = text.split_whitespace().next().unwrap_or("").to_string();
    Ok(Version {
        major: num / 10_000,
        text,
    })
}

/// A client program that is at least the server's major version, or what to do about it: pg_dump
/// refuses a newer server, and a restore's script from an older client may miss what the server's
/// catalog has.
pub async fn checked_tool(
    target: &PgTarget,
    program: &str,
    server: &Version,
) -> anyhow::Result<Version> {
    let tool = target.version_of(program).await?;
    anyhow::ensure!(
        tool.major >= server.major,
        "{program} is version {tool} but the database server is PostgreSQL {server}: {program} must be at least \
         the server's major version ({major}). Install the PostgreSQL {major} client programs (on Debian: \
         apt-get install postgresql-client-{major}) and put them first on the PATH, or set PG_BIN_DIR to their folder.",
        tool = tool.text,
        server = server.text,
        major = server.major,
    );
    Ok(tool)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_are_read_as_the_programs_print_them() {
        let v = parse_version("pg_dump (PostgreSQL) 15.18 (Debian 15.18-0+deb12u1)\n").unwrap();
        assert_eq!((v.major, v.text.as_str()), (15, "15.18"));
        assert_eq!(
            parse_version("psql (PostgreSQL) 17beta1").unwrap().major,
            17
        );
        assert_eq!(parse_version("nothing here"), None);
    }
}
