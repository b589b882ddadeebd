//! HTTP tests: the real app on a real port against a real PostgreSQL database per test.
#![expect(
    clippy::unwrap_used,
    reason = "helpers fail the test loudly on any unexpected error"
)]

mod api_engine;
mod auth;
mod browser;
mod embedded;
mod engine;
mod helpers;
mod manage;
mod pages;
mod reports;
