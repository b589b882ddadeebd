//! The morning digest (DOMAIN.md, "The morning digest"): once per user and working day, at the
//! team's digest hour, after their list was rebuilt for the day, one email with the counts by
//! reason, the first ten items, the promises due and a link to Today (`letter`). The background
//! task (`background::digest`) and `secondcall send-digests` both call this module.
//!
//! Once per user and day: the claim (`digest_sends`, unique per user and local date) is written
//! before the mail goes out, so two instances or a restart never send twice (a crash between the
//! server's acceptance and the record may lose one digest, never double it). A temporary failure
//! is tried again with a growing wait, and given up at the end of the user's local day.

pub mod letter;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use sqlx::PgPool;

use crate::config::Config;
use crate::db::digests::{self, ClaimAs};
use crate::db::users::{self, User};
use crate::db::{away, settings};
use crate::due::today;
use crate::mail::{Mail, SendError};

/// What happened to one user's digest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Sent,
    /// Nothing was due: no email.
    Empty,
    /// Not a working day of the team, or the user is away.
    Skipped,
    /// Already claimed (sent, or on its way) by this or another instance.
    AlreadyDone,
    /// The mail server failed for now; tried again later.
    WillRetry(String),
    /// Refused for good.
    Failed(String),
}

/// How many digests a pass sent, and how many failed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Tally {
    pub sent: usize,
    pub failed: usize,
}

impl Tally {
    fn add(&mut self, o: &Outcome) {
        match o {
            Outcome::Sent => self.sent += 1,
            Outcome::WillRetry(_) | Outcome::Failed(_) => self.failed += 1,
            _ => {}
        }
    }
}

/// The wait before attempt `attempts + 1`: 1, 2, 4 … minutes, at most an hour.
pub fn backoff(attempts: i32) -> Duration {
    let doubling = u32::try_from(attempts.clamp(1, 7) - 1).unwrap_or(0);
    Duration::minutes((1_i64 << doubling).min(60))
}

/// What the digest task does on each tick at `now`: gives up the retries whose day is over,
/// tries again those whose time has come, then sends the digests owed now.
pub async fn run_once(
    db: &PgPool,
    mail: &Mail,
    config: &Config,
    now: DateTime<Utc>,
) -> anyhow::Result<Tally> {
    let mut tally = Tally::default();
    let given_up = digests::give_up_past(db, now).await?;
    if given_up > 0 {
        tracing::warn!(
            digests = given_up,
            "morning digests given up at the end of their day"
        );
    }
    for r in digests::take_retries(db, now).await? {
        let Some(user) = users::find_in_team(db, r.team_id, r.user_id).await? else {
            continue;
        };
        let list = today::for_date(db, &user, r.local_date).await?;
        let letter = letter::compose(db, config, &user, &list).await?;
        let outcome = deliver(db, mail, r.id, r.attempts, &letter, now).await?;
        tally.add(&outcome);
    }
    for (team_id, user_id) in digests::owed(db, now, None).await? {
        let Some(user) = users::find_in_team(db, team_id, user_id).await? else {
            continue;
        };
        let date = now.with_timezone(&user.tz()).date_naive();
        tally.add(&send_for(db, mail, config, &user, date, now).await?);
    }
    Ok(tally)
}

/// `secondcall send-digests`: what each opted-in user of the team (or every team) would get for
/// `as_of` (default their today), sent now, skipping those already sent it.
pub async fn send_now(
    db: &PgPool,
    mail: &Mail,
    config: &Config,
    team_id: Option<i64>,
    as_of: Option<NaiveDate>,
    now: DateTime<Utc>,
) -> anyhow::Result<Tally> {
    anyhow::ensure!(
        mail.is_configured(),
        "no mail server: set SMTP_URL and MAIL_FROM"
    );
    let mut tally = Tally::default();
    for (team, user_id) in digests::opted_in(db, team_id).await? {
        let Some(user) = users::find_in_team(db, team, user_id).await? else {
            continue;
        };
        let date = as_of.unwrap_or_else(|| now.with_timezone(&user.tz()).date_naive());
        tally.add(&send_for(db, mail, config, &user, date, now).await?);
    }
    Ok(tally)
}

/// One user's digest for `date`: claimed first, then sent.
pub async fn send_for(
    db: &PgPool,
    mail: &Mail,
    config: &Config,
    user: &User,
    date: NaiveDate,
    now: DateTime<Utc>,
) -> anyhow::Result<Outcome> {
    let who = (user.team_id, user.id);
    let team = settings::load(db, user.team_id).await?;
    let away_then = away::cover_on(db, user.team_id, user.id, date)
        .await?
        .is_some();
    if !team.cadence.calendar().is_working_day(date) || away_then {
        digests::claim(db, who, date, ClaimAs::Skipped, 0).await?;
        return Ok(Outcome::Skipped);
    }
    let list = today::for_date(db, user, date).await?;
    if list.lines.is_empty() {
        digests::claim(db, who, date, ClaimAs::Empty, 0).await?;
        return Ok(Outcome::Empty);
    }
    let items = i32::try_from(list.lines.len()).unwrap_or(i32::MAX);
    let letter = letter::compose(db, config, user, &list).await?;
    let Some(id) = digests::claim(db, who, date, ClaimAs::Sending, items).await? else {
        return Ok(Outcome::AlreadyDone);
    };
    deliver(db, mail, id, 1, &letter, now).await
}

/// Sends a claimed digest and records what happened.
async fn deliver(
    db: &PgPool,
    mail: &Mail,
    id: i64,
    attempts: i32,
    letter: &crate::mail::Letter,
    now: DateTime<Utc>,
) -> anyhow::Result<Outcome> {
    match mail.send(letter).await {
        Ok(_) => {
            digests::sent(db, id, now).await?;
            Ok(Outcome::Sent)
        }
        Err(SendError::Temporary(e)) => {
            tracing::warn!(digest = id, attempts, error = %e, "a morning digest failed for now");
            digests::not_sent(db, id, &e, Some(now + backoff(attempts))).await?;
            Ok(Outcome::WillRetry(e))
        }
        Err(e) => {
            let e = e.to_string();
            tracing::error!(digest = id, error = %e, "a morning digest was refused");
            digests::not_sent(db, id, &e, None).await?;
            Ok(Outcome::Failed(e))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_wait_doubles_up_to_an_hour() {
        let minutes: Vec<i64> = (1..=9).map(|a| backoff(a).num_minutes()).collect();
        assert_eq!(minutes, vec![1, 2, 4, 8, 16, 32, 60, 60, 60]);
    }
}
