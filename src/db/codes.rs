//! The closed sets of codes the tables store as text (roles, temperatures, channels, stages,
//! reasons…), decoded once, here, into the domain's types, and encoded back from them.
//!
//! A stored value that no vocabulary knows is a decode error (the query fails, and with it the
//! request, which logs it), never a guess: a default would quietly give a contact the wrong rules.
//! The impls live in `db/` so that `domain/` stays free of `sqlx`; the time zone, a `chrono_tz`
//! type, goes through [`ZoneName`] (the orphan rule forbids sqlx's traits on it here).

use chrono::Weekday;
use chrono_tz::Tz;
use sqlx::encode::IsNull;
use sqlx::error::BoxDynError;
use sqlx::postgres::{PgArgumentBuffer, PgHasArrayType, PgTypeInfo, PgValueRef};
use sqlx::{Decode, Encode, Postgres, Type};

use crate::accounts::Role;
use crate::db::settings::WEEKDAYS;
use crate::domain::cadence::{
    Approach, Channel, ContactKind, Direction, EventKind, Outcome, Reason, Temperature,
};
use crate::domain::pipeline::{JobStatus, Stage};

/// A value stored as one of a fixed set of text codes.
pub trait Code: Sized {
    /// The stored code.
    fn code(&self) -> &'static str;
    /// The value of a stored code; an unknown code is an error.
    fn from_code(code: &str) -> Result<Self, BoxDynError>;
}

/// A stored code that is not one of the known words of its vocabulary.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown {what} {code:?} in the database")]
pub struct UnknownCode {
    /// Which vocabulary (`role`, `time zone`, `run trigger`…).
    pub what: &'static str,
    /// The stored text.
    pub code: String,
}

/// Implements [`Code`] for types whose `FromStr` already refuses unknown codes.
macro_rules! code_by_from_str {
    ($($t:ty),+ $(,)?) => {$(
        impl Code for $t {
            fn code(&self) -> &'static str {
                self.as_str()
            }
            fn from_code(code: &str) -> Result<Self, BoxDynError> {
                Ok(code.parse::<$t>()?)
            }
        }
    )+};
}

/// Implements [`Code`] from a list of values and their `as_str`, for the types without a strict
/// parser of their own.
macro_rules! code_by_list {
    ($t:ty, $what:literal, $all:expr) => {
        impl Code for $t {
            fn code(&self) -> &'static str {
                self.as_str()
            }
            fn from_code(code: &str) -> Result<Self, BoxDynError> {
                $all.into_iter()
                    .find(|v| v.as_str() == code)
                    .ok_or_else(|| {
                        UnknownCode {
                            what: $what,
                            code: code.to_owned(),
                        }
                        .into()
                    })
            }
        }
    };
}

/// Stores each type as `text` through its [`Code`]: a column, a parameter, or an array of them.
macro_rules! stored_as_text {
    ($($t:ty),+ $(,)?) => {$(
        impl Type<Postgres> for $t {
            fn type_info() -> PgTypeInfo {
                <&str as Type<Postgres>>::type_info()
            }
            fn compatible(ty: &PgTypeInfo) -> bool {
                <&str as Type<Postgres>>::compatible(ty)
            }
        }

        impl PgHasArrayType for $t {
            fn array_type_info() -> PgTypeInfo {
                <&str as PgHasArrayType>::array_type_info()
            }
            fn array_compatible(ty: &PgTypeInfo) -> bool {
                <&str as PgHasArrayType>::array_compatible(ty)
            }
        }

        impl Encode<'_, Postgres> for $t {
            fn encode_by_ref(&self, buf: &mut PgArgumentBuffer) -> Result<IsNull, BoxDynError> {
                <&str as Encode<'_, Postgres>>::encode(self.code(), buf)
            }
        }

        impl<'r> Decode<'r, Postgres> for $t {
            fn decode(value: PgValueRef<'r>) -> Result<Self, BoxDynError> {
                <$t as Code>::from_code(<&str as Decode<'r, Postgres>>::decode(value)?)
            }
        }
    )+};
}

code_by_from_str!(
    ContactKind,
    Temperature,
    Channel,
    Direction,
    Outcome,
    Approach,
    Reason,
    EventKind,
    Stage,
    JobStatus,
);
// `Role::from_str` reads form input (it trims); a stored role must be exact.
code_by_list!(Role, "role", [Role::Recruiter, Role::Manager]);
code_by_list!(RunTrigger, "run trigger", RunTrigger::ALL);
code_by_list!(RunStatus, "run status", RunStatus::ALL);

stored_as_text!(
    ContactKind,
    Temperature,
    Channel,
    Direction,
    Outcome,
    Approach,
    Reason,
    EventKind,
    Stage,
    JobStatus,
    Role,
    RunTrigger,
    RunStatus,
    ZoneName,
    WeekdayCode,
);

/// A stored IANA time-zone name (`users.time_zone`), decoded into a [`Tz`]. Row structs hold the
/// `Tz` itself with `#[sqlx(try_from = "ZoneName")]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ZoneName(pub Tz);

impl Code for ZoneName {
    fn code(&self) -> &'static str {
        self.0.name()
    }
    fn from_code(code: &str) -> Result<Self, BoxDynError> {
        code.parse::<Tz>().map(ZoneName).map_err(|_| {
            UnknownCode {
                what: "time zone",
                code: code.to_owned(),
            }
            .into()
        })
    }
}

impl From<ZoneName> for Tz {
    fn from(z: ZoneName) -> Tz {
        z.0
    }
}

/// A weekday as `team_settings.working_days` stores it (`mon`…`sun`, [`WEEKDAYS`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WeekdayCode(pub Weekday);

impl Code for WeekdayCode {
    fn code(&self) -> &'static str {
        WEEKDAYS[self.0.num_days_from_monday() as usize]
    }
    fn from_code(code: &str) -> Result<Self, BoxDynError> {
        const DAYS: [Weekday; 7] = [
            Weekday::Mon,
            Weekday::Tue,
            Weekday::Wed,
            Weekday::Thu,
            Weekday::Fri,
            Weekday::Sat,
            Weekday::Sun,
        ];
        WEEKDAYS
            .iter()
            .position(|d| *d == code)
            .map(|i| WeekdayCode(DAYS[i]))
            .ok_or_else(|| {
                UnknownCode {
                    what: "weekday",
                    code: code.to_owned(),
                }
                .into()
            })
    }
}

/// Why a rebuild run started (`due_runs.trigger`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RunTrigger {
    /// The nightly task, once a user's day has started.
    Nightly,
    /// The nightly task's first tick after the server started.
    CatchUp,
    /// A manager asked for it (the Settings page, the API).
    Manual,
    /// The command line (`rebuild-due`).
    Command,
    /// A change of the team's settings.
    Settings,
}

impl RunTrigger {
    /// Every trigger.
    pub const ALL: [RunTrigger; 5] = [
        RunTrigger::Nightly,
        RunTrigger::CatchUp,
        RunTrigger::Manual,
        RunTrigger::Command,
        RunTrigger::Settings,
    ];

    /// The stored code.
    pub fn as_str(self) -> &'static str {
        match self {
            RunTrigger::Nightly => "nightly",
            RunTrigger::CatchUp => "catch_up",
            RunTrigger::Manual => "manual",
            RunTrigger::Command => "command",
            RunTrigger::Settings => "settings",
        }
    }
}

impl std::fmt::Display for RunTrigger {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where a rebuild run stands (`due_runs.status`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RunStatus {
    /// At work (or left so by a process that died, until the next start marks it).
    Running,
    /// Ended well.
    Ok,
    /// Ended with an error.
    Failed,
    /// The server stopped before it ended.
    Interrupted,
}

impl RunStatus {
    /// Every status.
    pub const ALL: [RunStatus; 4] = [
        RunStatus::Running,
        RunStatus::Ok,
        RunStatus::Failed,
        RunStatus::Interrupted,
    ];

    /// The stored code.
    pub fn as_str(self) -> &'static str {
        match self {
            RunStatus::Running => "running",
            RunStatus::Ok => "ok",
            RunStatus::Failed => "failed",
            RunStatus::Interrupted => "interrupted",
        }
    }
}

impl std::fmt::Display for RunStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every value reads back from its stored code, and an unknown code is an error naming it.
    fn decodes<T: Code + Copy + PartialEq + std::fmt::Debug>(all: &[T], unknown: &str) {
        for value in all {
            let code = value.code();
            assert_eq!(T::from_code(code).ok(), Some(*value), "{code}");
        }
        let err = T::from_code(unknown).err().map(|e| e.to_string());
        assert!(
            err.as_deref()
                .is_some_and(|e| e.contains(&format!("{unknown:?}"))),
            "{unknown:?} gave {err:?}"
        );
    }

    #[test]
    fn an_unknown_contact_kind_is_an_error() {
        decodes(&ContactKind::ALL, "prospect");
    }

    #[test]
    fn an_unknown_temperature_is_an_error() {
        decodes(&Temperature::ALL, "tepid");
    }

    #[test]
    fn an_unknown_channel_is_an_error() {
        decodes(&Channel::ALL, "fax");
    }

    #[test]
    fn an_unknown_direction_is_an_error() {
        decodes(&Direction::ALL, "sideways");
    }

    #[test]
    fn an_unknown_outcome_is_an_error() {
        decodes(&Outcome::ALL, "maybe");
    }

    #[test]
    fn an_unknown_approach_is_an_error() {
        decodes(&Approach::ALL, "shouting");
    }

    #[test]
    fn an_unknown_reason_is_an_error() {
        decodes(&Reason::ALL, "just_because");
    }

    #[test]
    fn an_unknown_event_kind_is_an_error() {
        decodes(&EventKind::ALL, "rumour");
    }

    #[test]
    fn an_unknown_stage_is_an_error() {
        decodes(&Stage::ALL, "hired");
    }

    #[test]
    fn an_unknown_job_status_is_an_error() {
        decodes(&JobStatus::ALL, "paused");
    }

    #[test]
    fn an_unknown_role_is_an_error_and_a_stored_role_is_exact() {
        decodes(&[Role::Recruiter, Role::Manager], "boss");
        assert!(Role::from_code(" manager").is_err(), "no trimming");
        assert!(Role::from_code("Manager").is_err(), "no case folding");
    }

    #[test]
    fn an_unknown_run_trigger_is_an_error() {
        decodes(&RunTrigger::ALL, "cron");
    }

    #[test]
    fn an_unknown_run_status_is_an_error() {
        decodes(&RunStatus::ALL, "done");
    }

    #[test]
    fn an_unknown_time_zone_is_an_error_never_utc() {
        let zones: Vec<ZoneName> = chrono_tz::TZ_VARIANTS
            .iter()
            .map(|z| ZoneName(*z))
            .collect();
        decodes(&zones, "Mars/Base");
        assert!(ZoneName::from_code("").is_err());
    }

    #[test]
    fn an_unknown_weekday_is_an_error() {
        let days = [
            Weekday::Mon,
            Weekday::Tue,
            Weekday::Wed,
            Weekday::Thu,
            Weekday::Fri,
            Weekday::Sat,
            Weekday::Sun,
        ]
        .map(WeekdayCode);
        decodes(&days, "monday");
        assert_eq!(WeekdayCode(Weekday::Sun).code(), "sun");
    }
}
