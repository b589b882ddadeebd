//! The subcommands of docs/api.md: serve, migrate, admin, rebuild-due, dev.

use std::io::BufRead;
use std::process::ExitCode;

use anyhow::Context;
use tokio_util::sync::CancellationToken;

use crate::accounts;
use crate::actions::tokens::{self as token_actions, TokenInput};
use crate::actions::users::{self as act, UserInput};
use crate::actions::{ActionError, Ctx};
use crate::auth::password;
use crate::clock::Clock;
use crate::config::{AdminCommand, Cli, Command, Config};
use crate::db::Database;
use crate::db::kept::Kept;
use crate::db::users;
use crate::due::rebuilds::Rebuilder;
use crate::due::rebuilds::Started;
use crate::due::runs::RunTrigger;
use crate::embedded::{EmbeddedError, Mode};
use crate::ops::pg_tools::PgTarget;
use crate::ops::{backup, doctor};
use crate::startup::{self, Application};

/// Runs one command; the exit code is 2 for a configuration problem, 1 for any other failure.
pub async fn run(cli: Cli) -> ExitCode {
    let command = cli.command.unwrap_or(Command::Serve);
    let mode = if matches!(command, Command::Serve) {
        Mode::Serve
    } else {
        Mode::Command
    };
    // the operator's kit looks at the database as it is: a backup before an upgrade's
    // migrations, a restore into an empty database, the doctor's count of what is applied
    let as_it_is = matches!(
        command,
        Command::Admin(
            AdminCommand::Backup { .. } | AdminCommand::Restore { .. } | AdminCommand::Doctor
        )
    );
    let opened = if as_it_is {
        Database::connect(&cli.config, mode).await
    } else {
        Database::open(&cli.config, mode).await
    };
    let database = match opened {
        Ok(d) => d,
        Err(err) if matches!(command, Command::Admin(AdminCommand::Doctor)) => {
            let finding = doctor::Finding {
                check: "database",
                detail: format!("cannot be reached: {err:#}"),
                action: Some(
                    "check DATABASE_URL (or the data folder) and that PostgreSQL runs".into(),
                ),
            };
            let _ = write_line(&finding.line());
            return ExitCode::FAILURE;
        }
        Err(err) => return report_open_error(&err),
    };
    let result = match command {
        Command::Serve => serve(cli.config, &database).await,
        Command::Migrate => {
            eprintln!("migrations applied");
            Ok(())
        }
        Command::Admin(AdminCommand::Doctor) => {
            let findings = doctor::Doctor {
                db: &database.pool,
                config: &cli.config,
                now: Clock::system().now(),
            }
            .examine()
            .await;
            let lines = findings.iter().try_for_each(|f| write_line(&f.line()));
            let needs_action = findings.iter().any(doctor::Finding::needs_action);
            match lines {
                Ok(()) if needs_action => Err(anyhow::anyhow!(
                    "{} check(s) need action",
                    findings.iter().filter(|f| f.needs_action()).count()
                )),
                other => other,
            }
        }
        Command::Admin(admin) => run_admin(&cli.config, &database.pool, admin).await,
        Command::RebuildDue { team_id, as_of } => rebuild_due(&database.pool, team_id, as_of).await,
        Command::SendDigests { team_id, as_of } => send_digests(
            &database.pool,
            &cli.config,
            team_id,
            as_of,
            &Clock::system(),
        )
        .await
        .map(|_| ()),
        Command::Dev(dev) => run_dev(&database.pool, dev).await,
    };
    let closed = database.close().await;
    match result.and(closed) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("secondcall: {err:#}");
            ExitCode::FAILURE
        }
    }
}

fn report_open_error(err: &anyhow::Error) -> ExitCode {
    match err.downcast_ref::<EmbeddedError>() {
        Some(e @ (EmbeddedError::NoBinaries | EmbeddedError::AlreadyServing(_))) => {
            eprintln!("{e}");
            ExitCode::from(2)
        }
        _ => {
            eprintln!("secondcall: {err:#}");
            ExitCode::from(2)
        }
    }
}

async fn serve(config: Config, database: &Database) -> anyhow::Result<()> {
    let shutdown = CancellationToken::new();
    let app = Application::build(config.clone(), database.pool.clone(), Clock::system()).await?;
    tracing::info!(
        "secondcall listening on http://{}:{}",
        config.bind.ip(),
        app.port()
    );
    let signal = shutdown.clone();
    tokio::spawn(async move {
        startup::shutdown_signal().await;
        signal.cancel();
    });
    app.run(shutdown).await
}

fn read_password() -> anyhow::Result<String> {
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .context("reading the password from standard input")?;
    Ok(line.trim_end_matches(['\r', '\n']).to_string())
}

async fn run_admin(
    config: &Config,
    pool: &sqlx::PgPool,
    command: AdminCommand,
) -> anyhow::Result<()> {
    match command {
        AdminCommand::Backup { to } => {
            let target = PgTarget::of(config)?;
            let done = backup::backup(pool, &target, &to).await?;
            done.report().iter().try_for_each(|l| write_line(l))
        }
        AdminCommand::Restore { from, force } => {
            let target = PgTarget::of(config)?;
            let done = backup::restore(pool, &target, &from, force).await?;
            done.report(&from).iter().try_for_each(|l| write_line(l))
        }
        // run above, with the database it could not open
        AdminCommand::Doctor => Ok(()),
        AdminCommand::CreateTeam {
            team,
            email,
            name,
            time_zone,
            ..
        } => {
            let team =
                accounts::parse_name("team", &team).map_err(|e| anyhow::anyhow!("--team: {e}"))?;
            let mut tx = pool.begin().await?;
            let team_id = users::insert_team(&mut *tx, &team).await?;
            let user = NewUserArgs {
                team_id,
                email,
                name,
                role: "manager".into(),
                time_zone,
            };
            create_user(&mut tx, user).await?;
            crate::db::setup_codes::delete_all(&mut *tx).await?;
            tx.commit().await?;
            write_line(&team_id.to_string())
        }
        AdminCommand::CreateUser {
            team_id,
            email,
            name,
            role,
            time_zone,
            ..
        } => {
            let mut tx = pool.begin().await?;
            let exists = !users::team_ids(&mut *tx, Some(team_id)).await?.is_empty();
            anyhow::ensure!(exists, "no team with id {team_id}");
            let id = create_user(
                &mut tx,
                NewUserArgs {
                    team_id,
                    email,
                    name,
                    role,
                    time_zone,
                },
            )
            .await?;
            tx.commit().await?;
            write_line(&id.to_string())
        }
        AdminCommand::CreateToken { email } => {
            let user = active_user(pool, &email).await?;
            let rebuilds = Rebuilder::new(pool.clone(), Clock::system(), None);
            let hot = Kept::new(pool.clone(), 1);
            let cx = operator_ctx(pool, &hot, &rebuilds);
            let new = token_actions::create(&cx, &user, &TokenInput::default(), "command line")
                .await
                .map_err(|e| match e {
                    ActionError::Forbidden => anyhow::anyhow!(
                        "{email} has a temporary password: they must change it at their next login before tokens can be made"
                    ),
                    other => anyhow::anyhow!("{other}"),
                })?;
            write_line(&new.token)
        }
        AdminCommand::ResetPassword { email } => {
            let temporary = reset_password(pool, &email).await?;
            write_line(&temporary)
        }
    }
}

async fn active_user(pool: &sqlx::PgPool, email: &str) -> anyhow::Result<users::User> {
    users::find_by_email(pool, email)
        .await?
        .filter(|u| u.active)
        .with_context(|| format!("no active user with email {email}"))
}

/// What the operator's commands act with: the system clock's now, and the everyday writes on a
/// connection kept from the command's pool (`hot`, connected on first use).
fn operator_ctx<'a>(pool: &'a sqlx::PgPool, hot: &'a Kept, rebuilds: &'a Rebuilder) -> Ctx<'a> {
    Ctx {
        db: pool,
        hot,
        now: Clock::system().now(),
        rebuilds,
        who: crate::audit::Who::OPERATOR,
    }
}

/// A random temporary password for the user through the same action as a manager's reset; the
/// password, to hand over.
pub async fn reset_password(pool: &sqlx::PgPool, email: &str) -> anyhow::Result<String> {
    let user = active_user(pool, email).await?;
    let rebuilds = Rebuilder::new(pool.clone(), Clock::system(), None);
    let hot = Kept::new(pool.clone(), 1);
    let cx = operator_ctx(pool, &hot, &rebuilds);
    // a random one holds a name part of the user only by a rare chance: then draw again
    for _ in 0..10 {
        let temporary = password::random_temporary();
        match act::reset_password(&cx, user.team_id, user.id, &temporary).await {
            Ok(_) => return Ok(temporary),
            Err(ActionError::Invalid(_)) => continue,
            Err(other) => anyhow::bail!("{other}"),
        }
    }
    anyhow::bail!("could not draw a temporary password the password rule accepts")
}

struct NewUserArgs {
    team_id: i64,
    email: String,
    name: String,
    role: String,
    time_zone: String,
}

/// Adds the user through the same action as the users page and the API; the first problem is
/// reported with the flag it came from.
async fn create_user(tx: &mut sqlx::PgConnection, args: NewUserArgs) -> anyhow::Result<i64> {
    let input = UserInput {
        email: args.email,
        name: args.name,
        role: args.role,
        time_zone: args.time_zone,
        password: read_password()?,
    };
    let valid = input.parse().map_err(|errors| {
        let e = &errors[0];
        match e.field {
            "password" => anyhow::anyhow!("the password on standard input: {}", e.message),
            field => anyhow::anyhow!("--{}: {}", field.replace('_', "-"), e.message),
        }
    })?;
    let user = act::create_in(
        tx,
        args.team_id,
        &valid,
        false,
        (crate::audit::Who::OPERATOR, Clock::system().now()),
        ", by the operator",
    )
    .await
    .map_err(|e| match e {
        ActionError::Conflict(m) => anyhow::anyhow!("{}: {m}", valid.email.as_str()),
        other => anyhow::anyhow!("{other}"),
    })?;
    Ok(user.id)
}

/// Prints one line of a command's result on standard output (the only place the app prints).
fn write_line(text: &str) -> anyhow::Result<()> {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    writeln!(out, "{text}").context("writing to standard output")
}

/// Rebuilds the lists of one team or of every team, each recorded as a run; prints the counts and
/// the time each team took.
async fn rebuild_due(
    pool: &sqlx::PgPool,
    team_id: Option<i64>,
    as_of: Option<chrono::NaiveDate>,
) -> anyhow::Result<()> {
    let teams = users::team_ids(pool, team_id).await?;
    if let Some(id) = team_id {
        anyhow::ensure!(!teams.is_empty(), "no team with id {id}");
    }
    let date = as_of.map_or_else(|| "each user's today".to_string(), |d| d.to_string());
    let rebuilds = Rebuilder::new(pool.clone(), Clock::system(), None);
    for team in teams {
        let started = std::time::Instant::now();
        let c = match rebuilds.run_now(team, RunTrigger::Command, as_of).await? {
            Started::Done(c) => c,
            Started::AlreadyRunning { since } => {
                let since = since.map_or_else(String::new, |t| format!(" (started {t})"));
                anyhow::bail!(
                    "team {team}: another rebuild of this team is running{since}; try again when it ends"
                );
            }
        };
        write_line(&format!(
            "team {team}: {} users, {} contacts, {} items due ({date}) in {:.2} s",
            c.users,
            c.contacts,
            c.items,
            started.elapsed().as_secs_f64()
        ))?;
    }
    Ok(())
}

/// `secondcall send-digests`: the digests of one team (or all) for a date, sent now through the
/// same code as the digest task (`digest::send_now`); prints and returns how many went out.
pub async fn send_digests(
    pool: &sqlx::PgPool,
    config: &Config,
    team_id: Option<i64>,
    as_of: Option<chrono::NaiveDate>,
    clock: &Clock,
) -> anyhow::Result<crate::digest::Tally> {
    if let Some(id) = team_id {
        anyhow::ensure!(
            !users::team_ids(pool, Some(id)).await?.is_empty(),
            "no team with id {id}"
        );
    }
    let mail = crate::mail::Mail::from_config(config)?;
    let tally = crate::digest::send_now(pool, &mail, config, team_id, as_of, clock.now()).await?;
    write_line(&format!(
        "{} digests sent, {} failed",
        tally.sent, tally.failed
    ))?;
    Ok(tally)
}

async fn run_dev(pool: &sqlx::PgPool, dev: crate::config::DevCommand) -> anyhow::Result<()> {
    crate::dev::run(pool, dev).await
}
