//! Input as typed (forms and JSON share these) and its parsing into the writes of `db`.

use chrono::{DateTime, Duration, NaiveDate, NaiveDateTime, TimeZone, Utc};
use chrono_tz::Tz;
use serde::Deserialize;

use crate::accounts::{Email, FieldError};
use crate::db::contacts::ContactWrite;
use crate::db::touches::TouchWrite;
use crate::domain::cadence::{
    Approach, Channel, ContactKind, Direction, Outcome, Temperature, local_date,
};

/// A contact's fields as typed; empty strings mean "none".
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ContactInput {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub company_id: Option<i64>,
    #[serde(default)]
    pub email: String,
    #[serde(default)]
    pub phone: String,
    #[serde(default)]
    pub owner_id: Option<i64>,
    #[serde(default)]
    pub temperature: String,
    #[serde(default)]
    pub source: String,
    #[serde(default)]
    pub talking_points: String,
    #[serde(default)]
    pub email_opt_out: bool,
    #[serde(default)]
    pub do_not_contact: bool,
}

fn bounded(field: &'static str, value: &str, max: usize) -> Result<String, FieldError> {
    let v = value.trim();
    if v.chars().count() > max {
        return Err(FieldError::new(
            field,
            format!("Keep it under {max} characters."),
        ));
    }
    Ok(v.to_string())
}

fn phone(value: &str) -> Result<String, FieldError> {
    let v = value.trim();
    let ok = v
        .chars()
        .all(|c| c.is_ascii_digit() || " +-().x/".contains(c))
        && v.chars().filter(char::is_ascii_digit).count() <= 20;
    if !ok {
        return Err(FieldError::new(
            "phone",
            "Use digits, spaces and + - ( ) only, e.g. +1 212 555 0100.",
        ));
    }
    Ok(v.to_string())
}

impl ContactInput {
    /// Every field problem at once, or the write (owner defaults to the acting user).
    pub fn parse(
        &self,
        kind: ContactKind,
        acting_user: i64,
    ) -> Result<ContactWrite, Vec<FieldError>> {
        let mut errors = Vec::new();
        let mut ok =
            |r: Result<String, FieldError>| r.map_err(|e| errors.push(e)).unwrap_or_default();
        let name = ok(crate::accounts::parse_name("name", &self.name));
        let title = ok(bounded("title", &self.title, 200));
        let email = if self.email.trim().is_empty() {
            String::new()
        } else {
            ok(Email::parse("email", &self.email).map(|e| e.as_str().to_string()))
        };
        let phone = ok(phone(&self.phone));
        let source = ok(bounded("source", &self.source, 500));
        let talking_points = ok(bounded("talking_points", &self.talking_points, 5000));
        let temperature = match (kind, self.temperature.trim()) {
            (ContactKind::Candidate, _) | (ContactKind::DecisionMaker, "") => Temperature::Cold,
            (ContactKind::DecisionMaker, t) => t.parse::<Temperature>().unwrap_or_else(|_| {
                errors.push(FieldError::new("temperature", "Choose hot, warm or cold."));
                Temperature::Cold
            }),
        };
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(ContactWrite {
            owner_id: self.owner_id.unwrap_or(acting_user),
            company_id: self.company_id,
            name,
            title,
            email,
            phone,
            temperature,
            source,
            talking_points,
            email_opt_out: self.email_opt_out,
            do_not_contact: self.do_not_contact,
        })
    }
}

/// A touch as typed. `occurred_at` is RFC 3339 (API) or `occurred_local` a datetime-local value
/// in the user's zone (the form); neither means now.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct TouchInput {
    #[serde(default)]
    pub channel: String,
    #[serde(default)]
    pub direction: String,
    #[serde(default)]
    pub outcome: String,
    #[serde(default)]
    pub occurred_at: Option<DateTime<Utc>>,
    #[serde(default)]
    pub occurred_local: Option<String>,
    #[serde(default)]
    pub notes: String,
    #[serde(default)]
    pub next_step_on: Option<NaiveDate>,
    #[serde(default)]
    pub approach: String,
    #[serde(default)]
    pub referrals: Option<i32>,
    #[serde(default)]
    pub referral_names: String,
}

/// Touches may be back-dated but not dated in the future (a little clock skew is forgiven).
const FUTURE_SLACK: Duration = Duration::minutes(5);

fn code<T: std::str::FromStr>(
    field: &'static str,
    raw: &str,
    default: Option<T>,
    hint: &str,
) -> Result<T, FieldError> {
    match (raw.trim(), default) {
        ("", Some(d)) => Ok(d),
        (v, _) => v
            .parse()
            .map_err(|_| FieldError::new(field, hint.to_string())),
    }
}

impl TouchInput {
    /// Parses and checks the rules of a touch, in the zone of the user who logs it.
    pub fn parse(&self, tz: Tz, now: DateTime<Utc>) -> Result<TouchWrite, FieldError> {
        let channel: Channel = code(
            "channel",
            &self.channel,
            None,
            "Choose a channel: call, voicemail, email, text, meeting, linkedin or note.",
        )?;
        let direction: Direction = code(
            "direction",
            &self.direction,
            Some(Direction::Outbound),
            "Choose outbound or inbound.",
        )?;
        let outcome: Outcome = code(
            "outcome",
            &self.outcome,
            None,
            "Choose what happened (connected, no answer, voicemail left…).",
        )?;
        let approach: Approach = code(
            "approach",
            &self.approach,
            Some(Approach::Standard),
            "Choose an approach.",
        )?;
        let occurred_at = self.occurred(tz, now)?;
        if occurred_at > now + FUTURE_SLACK {
            return Err(FieldError::new(
                "occurred_at",
                "A touch cannot happen in the future; log it when it has happened.",
            ));
        }
        let spoke = direction == Direction::Outbound
            && matches!(channel, Channel::Call | Channel::Meeting)
            && outcome == Outcome::Connected;
        if spoke && self.next_step_on.is_none() {
            return Err(FieldError::new(
                "next_step_on",
                "After a conversation, set the date of the next step: never rely on them to call back.",
            ));
        }
        if let Some(next) = self.next_step_on
            && next < local_date(occurred_at, tz)
        {
            return Err(FieldError::new(
                "next_step_on",
                "The next step cannot be before the touch itself.",
            ));
        }
        let referrals = self.referrals.unwrap_or(0);
        if !(0..=1000).contains(&referrals) {
            return Err(FieldError::new(
                "referrals",
                "Referrals are a count from 0 to 1000.",
            ));
        }
        Ok(TouchWrite {
            channel,
            direction,
            outcome,
            occurred_at,
            notes: bounded("notes", &self.notes, 10_000)?,
            next_step_on: self.next_step_on,
            approach,
            referrals,
            referral_names: bounded("referral_names", &self.referral_names, 2000)?,
        })
    }

    fn occurred(&self, tz: Tz, now: DateTime<Utc>) -> Result<DateTime<Utc>, FieldError> {
        if let Some(at) = self.occurred_at {
            return Ok(at);
        }
        let Some(local) = self
            .occurred_local
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
        else {
            return Ok(now);
        };
        let bad = || {
            FieldError::new(
                "occurred_at",
                "Give the date and time it happened, e.g. 2026-11-20 14:30.",
            )
        };
        let naive = NaiveDateTime::parse_from_str(local, "%Y-%m-%dT%H:%M")
            .or_else(|_| NaiveDateTime::parse_from_str(local, "%Y-%m-%dT%H:%M:%S"))
            .or_else(|_| NaiveDateTime::parse_from_str(local, "%Y-%m-%d %H:%M"))
            .map_err(|_| bad())?;
        tz.from_local_datetime(&naive)
            .earliest()
            .map(|t| t.with_timezone(&Utc))
            .ok_or_else(bad)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> DateTime<Utc> {
        "2026-11-20T15:00:00Z".parse().unwrap()
    }

    fn input(channel: &str, outcome: &str) -> TouchInput {
        TouchInput {
            channel: channel.into(),
            outcome: outcome.into(),
            ..TouchInput::default()
        }
    }

    #[test]
    fn a_connected_outbound_call_needs_a_next_step_date() {
        // [004] never end a call without a follow-up expectation
        let err = input("call", "connected")
            .parse(chrono_tz::UTC, now())
            .unwrap_err();
        assert_eq!(err.field, "next_step_on");
        let mut ok = input("call", "connected");
        ok.next_step_on = NaiveDate::from_ymd_opt(2026, 11, 25);
        assert!(ok.parse(chrono_tz::UTC, now()).is_ok());
        assert!(
            input("call", "no_answer")
                .parse(chrono_tz::UTC, now())
                .is_ok()
        );
    }

    #[test]
    fn touches_cannot_be_dated_in_the_future() {
        let mut t = input("email", "sent");
        t.occurred_local = Some("2026-11-21T09:00".into());
        assert_eq!(
            t.parse(chrono_tz::UTC, now()).unwrap_err().field,
            "occurred_at"
        );
    }

    #[test]
    fn a_local_time_is_read_in_the_users_zone() {
        let mut t = input("email", "sent");
        t.occurred_local = Some("2026-11-19T23:30".into());
        let w = t.parse(chrono_tz::America::New_York, now()).unwrap();
        assert_eq!(
            w.occurred_at,
            "2026-11-20T04:30:00Z".parse::<DateTime<Utc>>().unwrap()
        );
    }

    #[test]
    fn unknown_codes_name_their_field() {
        assert_eq!(
            input("fax", "sent")
                .parse(chrono_tz::UTC, now())
                .unwrap_err()
                .field,
            "channel"
        );
        assert_eq!(
            input("call", "maybe")
                .parse(chrono_tz::UTC, now())
                .unwrap_err()
                .field,
            "outcome"
        );
    }

    #[test]
    fn contact_input_reports_every_bad_field() {
        let c = ContactInput {
            name: " ".into(),
            email: "nope".into(),
            phone: "call me".into(),
            temperature: "tepid".into(),
            ..Default::default()
        };
        let fields: Vec<_> = c
            .parse(ContactKind::DecisionMaker, 1)
            .unwrap_err()
            .into_iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(fields, ["name", "email", "phone", "temperature"]);
    }
}
