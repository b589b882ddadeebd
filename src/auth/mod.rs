//! Authentication: password hashing, API tokens, and the browser session's contents.

pub mod login;
pub mod password;
pub mod session;
pub mod setup_code;
pub mod tokens;
