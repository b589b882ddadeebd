//! A person's data (DOMAIN.md, "People's data"): how emails, phones and names are compared, the
//! suppression list of erased people, the JSON export of everything held about one person, and
//! the CSV import of a team's existing contacts.

pub mod export;
pub mod import;
pub mod normalise;
pub mod suppression;
