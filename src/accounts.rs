//! Account input parsed into types that cannot hold invalid values: roles, emails, names,
//! time zones (passwords: `auth::password_rules`). Pure: no database, no HTTP.

use std::fmt;
use std::str::FromStr;

use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

/// What a user may do: a manager also sees the team's reports, settings and users.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Recruiter,
    Manager,
}

impl Role {
    /// The stored and API spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Recruiter => "recruiter",
            Role::Manager => "manager",
        }
    }

    /// The word shown on pages.
    pub fn label(self) -> &'static str {
        match self {
            Role::Recruiter => "Recruiter",
            Role::Manager => "Manager",
        }
    }
}

impl FromStr for Role {
    type Err = FieldError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim() {
            "recruiter" => Ok(Role::Recruiter),
            "manager" => Ok(Role::Manager),
            _ => Err(FieldError::new("role", "Choose recruiter or manager.")),
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A user-facing validation message tied to the form field (or JSON field) it is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    pub field: &'static str,
    pub message: String,
}

impl FieldError {
    /// Why: every parser reports the field so forms and the JSON API can point at it.
    pub fn new(field: &'static str, message: impl Into<String>) -> Self {
        Self {
            field,
            message: message.into(),
        }
    }
}

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

/// A trimmed, lower-cased email address with one `@` and a dot in the domain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Email(String);

impl Email {
    /// Why: login compares emails case-insensitively, so they are stored lower-cased.
    pub fn parse(field: &'static str, raw: &str) -> Result<Self, FieldError> {
        let email = raw.trim().to_lowercase();
        let valid = email.len() <= 320
            && email.split_once('@').is_some_and(|(local, domain)| {
                !local.is_empty()
                    && domain.contains('.')
                    && !domain.starts_with('.')
                    && !domain.ends_with('.')
                    && !domain.contains('@')
            })
            && !email.chars().any(char::is_whitespace);
        if valid {
            Ok(Self(email))
        } else {
            Err(FieldError::new(
                field,
                "Enter an email address like name@example.com.",
            ))
        }
    }

    /// The normalised address.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A person's or team's display name: trimmed, 1 to 200 characters.
pub fn parse_name(field: &'static str, raw: &str) -> Result<String, FieldError> {
    let name = raw.trim();
    if name.is_empty() {
        return Err(FieldError::new(field, "This cannot be empty."));
    }
    if name.chars().count() > 200 {
        return Err(FieldError::new(field, "Keep it under 200 characters."));
    }
    Ok(name.to_string())
}

/// An IANA time zone name such as `America/New_York`; it defines "today" for a user.
pub fn parse_time_zone(field: &'static str, raw: &str) -> Result<Tz, FieldError> {
    raw.trim().parse::<Tz>().map_err(|_| {
        FieldError::new(
            field,
            "Choose a time zone from the list, e.g. Europe/London.",
        )
    })
}

/// Time zones offered in selects: all IANA names, the common ones first.
pub fn time_zone_names() -> Vec<&'static str> {
    chrono_tz::TZ_VARIANTS
        .iter()
        .map(|tz| tz.name())
        .filter(|n| n.contains('/') || *n == "UTC")
        .filter(|n| !n.starts_with("Etc/") && !n.starts_with("SystemV/"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_are_trimmed_and_lowercased() {
        assert_eq!(
            Email::parse("email", "  Ann@Example.COM ")
                .unwrap()
                .as_str(),
            "ann@example.com"
        );
    }

    #[test]
    fn emails_without_a_domain_are_refused() {
        for bad in [
            "",
            "ann",
            "ann@",
            "@x.com",
            "ann@localhost",
            "a b@x.com",
            "ann@x.com.",
        ] {
            assert!(Email::parse("email", bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn time_zones_must_be_iana_names() {
        assert!(parse_time_zone("tz", "America/New_York").is_ok());
        assert!(parse_time_zone("tz", "Mars/Olympus").is_err());
    }

    #[test]
    fn roles_parse_from_their_codes() {
        assert_eq!("manager".parse::<Role>().unwrap(), Role::Manager);
        assert!("boss".parse::<Role>().is_err());
    }
}
