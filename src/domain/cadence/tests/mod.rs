//! Scenario tests of the cadence rules, one file per theme; articles cited as \[000\]..\[004\].

mod candidates;
mod channels;
mod decision_makers;
mod gone_dark;
mod precedence;
mod promises_and_snoozes;
mod proptests;
mod sign_off;
pub(super) mod support;
mod time_zones;
