//! Secondcall: follow-up discipline for recruiting teams. The binary is a thin shell over
//! [`cli::run`]; tests start the app in-process through [`startup::Application`].

pub mod accounts;
pub mod actions;
pub mod audit;
pub mod auth;
pub mod background;
pub mod calendar;
pub mod cli;
pub mod clock;
pub mod config;
pub mod db;
pub mod dev;
pub mod digest;
pub mod domain;
pub mod due;
pub mod embedded;
pub mod error;
pub mod links;
pub mod mail;
pub mod ops;
pub mod page_cache;
pub mod people;
pub mod reports;
pub mod spreadsheet;
pub mod startup;
pub mod state;
pub mod telemetry;
pub mod text;
pub mod web;
