//! Follow-up cadence: who is owed which follow-up on a given day, and how to make it. The pure
//! rules of docs/rules.md, with "today" and the owner's time zone as parameters.
//!
//! The entry point is [`decide()`]; the nightly rebuild, the update after each touch and replayed
//! dates all call it on the same facts. Sources cited as \[000\]..\[004\] are the seed articles.

mod calendar;
mod codes;
mod decide;
mod facts;
mod hints;
mod history;
mod rules;
mod settings;
mod suggest;

#[cfg(test)]
mod tests;

pub use calendar::{Calendar, days_after, local_date};
pub use codes::{
    Approach, Channel, ContactKind, Direction, EventKind, Outcome, ParseCodeError, Reason,
    Temperature,
};
pub use decide::{decide, open_promise, upcoming};
pub use facts::{ContactFacts, DueItem, Snooze, TouchFact};
pub use settings::{
    MAX_DAYS, MAX_GONE_DARK_TOUCHES, MAX_HOLIDAYS, Settings, SettingsError, within,
};
pub use suggest::{
    CANDIDATE_NEXT_STEP_WORKING_DAYS, HOT_NEXT_STEP_WORKING_DAYS, WARM_NEXT_STEP_MAX_DAYS,
    suggest_next_step,
};
