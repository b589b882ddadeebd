//! Reading the security log, for Settings → Security log and `GET /api/v1/audit` alike: the
//! filters checked once, dates read in the manager's time zone, newest first, keyset paging.

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use sqlx::{FromRow, PgPool};

use super::Kind;
use crate::accounts::FieldError;
use crate::actions::{ActionError, ActionResult};
use crate::db::users;

/// The filters as given (text from a form or a query string).
#[derive(Debug, Clone, Default)]
pub struct FilterInput {
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    pub kind: Option<String>,
    pub user_id: Option<i64>,
}

/// Checked filters: an instant range, a kind, a user of the team (acting or acted upon).
#[derive(Debug, Clone, Copy, Default)]
pub struct Filter {
    pub since: Option<DateTime<Utc>>,
    pub until: Option<DateTime<Utc>>,
    pub kind: Option<Kind>,
    pub user_id: Option<i64>,
}

/// One entry as the page and the API show it.
#[derive(Debug, Clone, FromRow)]
pub struct Entry {
    pub id: i64,
    pub at: DateTime<Utc>,
    pub kind: String,
    pub actor_id: Option<i64>,
    pub actor_name: Option<String>,
    pub target_user_id: Option<i64>,
    pub target_name: Option<String>,
    pub ip: Option<String>,
    pub detail: String,
}

/// Checks the filters: a known kind, `from` not after `to`, a user of the team (another team's
/// or a missing user is "not found", as everywhere).
pub async fn check(db: &PgPool, team_id: i64, tz: Tz, input: &FilterInput) -> ActionResult<Filter> {
    let kind = match input
        .kind
        .as_deref()
        .map(str::trim)
        .filter(|k| !k.is_empty())
    {
        None => None,
        Some(k) => Some(Kind::parse(k).ok_or_else(|| {
            FieldError::new("kind", "Choose one of the kinds of the security log.")
        })?),
    };
    if let (Some(from), Some(to)) = (input.from, input.to)
        && from > to
    {
        return Err(FieldError::new("to", "The end date comes on or after the start date.").into());
    }
    if let Some(id) = input.user_id
        && users::find_in_team(db, team_id, id).await?.is_none()
    {
        return Err(ActionError::NotFound);
    }
    Ok(Filter {
        since: input.from.map(|d| start_of(d, tz)),
        until: input.to.and_then(|d| d.succ_opt()).map(|d| start_of(d, tz)),
        kind,
        user_id: input.user_id,
    })
}

/// The first instant of a local date (the earlier one when the clock went back).
fn start_of(day: NaiveDate, tz: Tz) -> DateTime<Utc> {
    let midnight = day.and_time(chrono::NaiveTime::MIN);
    midnight
        .and_local_timezone(tz)
        .earliest()
        .map(|t| t.with_timezone(&Utc))
        // A zone that skips midnight: the day starts an hour later, close enough for a filter.
        .unwrap_or_else(|| midnight.and_utc())
}

/// Encodes the keyset position of an entry for the next page.
pub fn cursor(e: &Entry) -> String {
    format!("{}:{}", e.at.timestamp_micros(), e.id)
}

/// Decodes a cursor of [`cursor`].
pub fn parse_cursor(raw: Option<&str>) -> Result<Option<(DateTime<Utc>, i64)>, FieldError> {
    let bad = || {
        FieldError::new(
            "cursor",
            "Pass the `next` value of the previous page unchanged.",
        )
    };
    let Some(raw) = raw.filter(|r| !r.is_empty()) else {
        return Ok(None);
    };
    let (micros, id) = raw.split_once(':').ok_or_else(bad)?;
    let at = micros
        .parse()
        .ok()
        .and_then(DateTime::from_timestamp_micros)
        .ok_or_else(bad)?;
    Ok(Some((at, id.parse().map_err(|_| bad())?)))
}

/// The team's entries matching the filter, newest first, after the cursor.
pub async fn list(
    db: &PgPool,
    team_id: i64,
    filter: &Filter,
    after: Option<(DateTime<Utc>, i64)>,
    limit: i64,
) -> sqlx::Result<Vec<Entry>> {
    sqlx::query_as(
        "select e.id, e.at, e.kind, e.actor_id, a.name as actor_name, e.target_user_id, \
                t.name as target_name, host(e.ip) as ip, e.detail \
         from audit_events e \
         left join users a on a.id = e.actor_id and a.team_id = e.team_id \
         left join users t on t.id = e.target_user_id and t.team_id = e.team_id \
         where e.team_id = $1 \
           and ($2::timestamptz is null or e.at >= $2) \
           and ($3::timestamptz is null or e.at < $3) \
           and ($4::text is null or e.kind = $4) \
           and ($5::bigint is null or e.actor_id = $5 or e.target_user_id = $5) \
           and ($6::timestamptz is null or (e.at, e.id) < ($6, $7)) \
         order by e.at desc, e.id desc limit $8",
    )
    .bind(team_id)
    .bind(filter.since)
    .bind(filter.until)
    .bind(filter.kind.map(Kind::as_str))
    .bind(filter.user_id)
    .bind(after.map(|(at, _)| at))
    .bind(after.map(|(_, id)| id).unwrap_or(0))
    .bind(limit)
    .fetch_all(db)
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cursor_reads_back_and_garbage_is_refused() {
        let e = Entry {
            id: 42,
            at: DateTime::from_timestamp_micros(1_780_000_000_123_456).unwrap(),
            kind: "login".into(),
            actor_id: None,
            actor_name: None,
            target_user_id: None,
            target_name: None,
            ip: None,
            detail: String::new(),
        };
        assert_eq!(parse_cursor(Some(&cursor(&e))).unwrap(), Some((e.at, 42)));
        assert_eq!(parse_cursor(None).unwrap(), None);
        for bad in ["x", "1:y", "z:1", "99999999999999999999:1"] {
            assert!(parse_cursor(Some(bad)).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_local_date_starts_at_local_midnight() {
        let tz: Tz = "Europe/Berlin".parse().unwrap();
        let d = NaiveDate::from_ymd_opt(2026, 7, 1).unwrap();
        assert_eq!(start_of(d, tz).to_rfc3339(), "2026-06-30T22:00:00+00:00");
    }
}
