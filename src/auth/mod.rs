//! Authentication: password hashing, API tokens, and the browser session's contents.

pub mod login;
pub mod password;
pub mod password_rules;
pub mod session;
pub mod session_store;
pub mod setup_code;
pub mod tokens;
