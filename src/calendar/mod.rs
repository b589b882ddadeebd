//! The iCalendar feed of a user's due list (RFC 5545, written by the `icalendar` crate): its
//! secret URL (`token`), and the events (`feed`): one all-day event per due item for today (the
//! stored list, covered teammates' items marked) and, for the next 14 days, the dates the engine
//! knows are coming. A feed holds names, companies, reasons and links: never note text, talking
//! points, email or phone.

pub mod feed;
pub mod token;
