//! Pure business rules of Secondcall: no database, no HTTP, no clock reads; "today" is always a parameter.

pub mod cadence;
pub mod pipeline;
