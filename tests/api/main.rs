//! HTTP tests: the real app on a real port against a real PostgreSQL database per test.

mod auth;
mod embedded;
mod helpers;
