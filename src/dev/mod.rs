//! Developer tools: `secondcall dev seed`, the deterministic benchmark dataset.

mod copy;
mod extras;
mod plan;
mod rng;
pub mod seed;
mod story;
mod words;

use std::io::Write;

use anyhow::Context;

use crate::config::DevCommand;

/// Runs a `secondcall dev …` command and prints what it did.
pub async fn run(pool: &sqlx::PgPool, command: DevCommand) -> anyhow::Result<()> {
    match command {
        DevCommand::Seed(args) => {
            let started = std::time::Instant::now();
            let r = seed::run(pool, &args).await?;
            let mut out = std::io::stdout().lock();
            let total = started.elapsed().as_secs_f64();
            write_report(&mut out, &r, total).context("writing to standard output")
        }
    }
}

fn write_report(out: &mut impl Write, r: &seed::Seeded, total: f64) -> std::io::Result<()> {
    writeln!(out, "seeded team {} in {total:.1} s", r.team_id)?;
    writeln!(
        out,
        "  users {} (recruiter001@{} .. , password {:?}), companies {}",
        r.users,
        r.email_domain,
        seed::PASSWORD,
        r.companies
    )?;
    writeln!(
        out,
        "  decision makers {}, candidates {}, touches {}, company events {}, snoozes {}",
        r.decision_makers, r.candidates, r.touches, r.events, r.snoozes
    )?;
    writeln!(
        out,
        "  recruiter001 owns {} contacts with {} touches",
        r.first_owner.0, r.first_owner.1
    )?;
    if !r.foreign_keys_checked {
        writeln!(
            out,
            "  foreign-key triggers skipped while copying (superuser; rows are consistent by construction)"
        )?;
    }
    let phases: Vec<String> = r
        .timings
        .iter()
        .map(|(name, s)| format!("{name} {s:.1} s"))
        .collect();
    writeln!(out, "  {}", phases.join(", "))
}
