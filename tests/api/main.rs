//! HTTP tests: the real app on a real port against a real PostgreSQL database per test.
#![expect(
    clippy::unwrap_used,
    reason = "helpers fail the test loudly on any unexpected error"
)]

mod api_engine;
mod api_jobs;
mod audit;
mod auth;
mod backup;
mod bad_input;
pub mod board;
mod browser;
mod calendar;
mod codes;
mod cover;
mod digest;
mod embedded;
pub mod engine;
mod erase;
mod export;
mod faults;
mod helpers;
pub mod import;
mod kept;
mod login_limits;
mod manage;
mod nightly;
mod openapi;
mod pages;
mod passwords;
mod proxy;
mod reports;
mod seed;
mod stored_list;
pub mod today;
mod today_cache;
mod tokens;
mod users_rules;
