//! The due list, every part of it in one place: the engine (the three callers of the rules), the
//! stored lists, the history, snoozes, the record of rebuild runs, the contact locks, team
//! rebuilds once at a time, and the list for a date (Today and `GET /api/v1/due`). The rules
//! themselves are pure, in `domain::cadence`; the nightly task that drives rebuilds is in
//! `background::nightly`. docs/rules.md and docs/architecture.md describe them.

pub mod engine;
pub mod history;
pub mod listed;
pub mod locks;
pub mod rebuilds;
pub mod runs;
pub mod snoozes;
pub mod store;
pub mod today;
