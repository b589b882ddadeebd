//! Database access: connecting (a URL or the embedded cluster), migrations, one module per table group.
//!
//! Queries are checked at run time (`sqlx::query_as::<_, Row>` with `FromRow` rows) rather than by
//! the `query!` macros: the build needs no database and no `.sqlx/` snapshot (CI, Docker and a
//! fresh checkout compile the same way), and every query runs in the HTTP tests against a real
//! PostgreSQL, which is where a wrong column or type shows up.

pub mod applications;
pub mod away;
pub mod backup_runs;
pub mod codes;
pub mod companies;
pub mod contacts;
pub mod digests;
pub mod exports;
pub mod facts;
pub mod imports;
pub mod jobs;
pub mod kept;
pub mod reports;
pub mod settings;
pub mod setup_codes;
pub mod today;
pub mod tokens;
pub mod touches;
pub mod users;

use std::str::FromStr;
use std::time::Duration;

use anyhow::Context;
use sqlx::PgPool;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};

use crate::config::Config;
use crate::embedded::{EmbeddedPostgres, Mode};

/// The migrations in `migrations/`, compiled into the binary.
pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

/// The database the process talks to, and the embedded cluster to stop when it ends.
pub struct Database {
    pub pool: PgPool,
    pub embedded: Option<EmbeddedPostgres>,
}

impl Database {
    /// Connects to `DATABASE_URL`, or starts/joins the embedded cluster, then applies migrations.
    pub async fn open(config: &Config, mode: Mode) -> anyhow::Result<Self> {
        let database = Self::connect(config, mode).await?;
        migrate(&database.pool).await?;
        Ok(database)
    }

    /// [`Self::open`] without the migrations: what the operator's commands use (a backup of the
    /// database as it is, a restore into an empty one, the doctor's look at what is applied).
    pub async fn connect(config: &Config, mode: Mode) -> anyhow::Result<Self> {
        let (options, embedded) = match &config.database_url {
            Some(url) => (
                PgConnectOptions::from_str(url)
                    .context("DATABASE_URL is not a valid PostgreSQL URL")?,
                None,
            ),
            None => {
                let dir = config.data_dir.clone();
                let cluster =
                    tokio::task::spawn_blocking(move || EmbeddedPostgres::start(&dir, mode, ""))
                        .await
                        .context("embedded PostgreSQL start task failed")??;
                prepare_app_database(&cluster).await?;
                (cluster.app_options(), Some(cluster))
            }
        };
        let options = match mode {
            Mode::Serve => for_requests(options),
            _ => tune(options),
        };
        let pool = connect(options, config.pool_size()).await?;
        Ok(Self { pool, embedded })
    }

    /// Closes the pool and stops the embedded cluster if this process owns it. A connection still
    /// in use (a rebuild in its last user) is given a few seconds; then the cluster's fast stop
    /// ends its session, and its transaction rolls back whole.
    pub async fn close(self) -> anyhow::Result<()> {
        if tokio::time::timeout(Duration::from_secs(2), self.pool.close())
            .await
            .is_err()
        {
            tracing::warn!("database connections still in use at shutdown are cut off");
        }
        if let Some(cluster) = self.embedded {
            tokio::task::spawn_blocking(move || cluster.stop())
                .await
                .context("embedded PostgreSQL stop task failed")??;
        }
        Ok(())
    }
}

/// Session settings every connection gets: the list and search queries take optional filters
/// (`$n is null or …`), which PostgreSQL plans well only with the values in hand.
pub fn tune(options: PgConnectOptions) -> PgConnectOptions {
    options.options([("plan_cache_mode", "force_custom_plan")])
}

/// The connections of what a recruiter repeats all day, kept between requests ([`kept`]: no
/// round trip to check each one handed back): the reads of the pages loaded after every call
/// (Today, the board) and the writes of [`begin_write`], `size` of them, to the same server and
/// database as the serving pool `db` and with its statement timeout. The two share one queue, as
/// they did on the serving pool: a page of its own kept set made Today loads wait 12 ms and the
/// touches 110 ms (BENCHMARKS.md, eighth pass), where a team at work needs both quick.
///
/// PostgreSQL plans each statement once per connection and reuses that plan
/// (`plan_cache_mode = force_generic_plan`): the pages' statements have fixed shapes (a filtered
/// variant is its own statement), so their generic plans are the custom ones, and planning them on
/// every request cost about as much as running them (BENCHMARKS.md). The rest of the serving pool
/// plans every execution anew ([`tune`]). A page's statements run each in its own snapshot,
/// without a transaction around them (a `begin` and its end were two of a page's round trips):
/// what a write changes between two of them shows on the next load. It connects on first use.
pub fn hot(db: &PgPool, size: u32) -> kept::Kept {
    let options = (*db.connect_options())
        .clone()
        .options([("plan_cache_mode", "force_generic_plan")]);
    kept::Kept::new(pool_options(size).connect_lazy_with(options), size as usize)
}

/// A transaction on `conn` (one of [`hot`]'s) for the writes a recruiter repeats all day (a touch
/// logged, corrected or deleted, a contact edited, archived or snoozed, a card moved), begun in
/// one round trip with PostgreSQL's own `plan_cache_mode = auto` for its statements: they have
/// fixed shapes, and with a fresh plan for each ([`tune`]) planning them cost more than running
/// them. `auto` still plans a statement afresh when its kept plan would cost more than one made for
/// the values at hand. A transaction dropped without its commit (an action's error) leaves its
/// rollback queued on the connection, and sqlx sends it before the connection's next statement;
/// the connection is checked first too ([`kept::KeptConn::done`] was not called).
pub async fn begin_write(
    conn: &mut sqlx::PgConnection,
) -> sqlx::Result<sqlx::Transaction<'_, sqlx::Postgres>> {
    sqlx::Connection::begin_with(conn, "begin; set local plan_cache_mode = auto").await
}

/// How long one statement of a page or an API request may run before PostgreSQL cancels it: a
/// query that went wrong answers an error in seconds instead of holding a connection.
pub const REQUEST_STATEMENT_TIMEOUT: &str = "5s";

/// How long one statement of the long work may run: a user's rebuild, the reports. They run
/// outside the request timeout (a rebuild keeps going after its request answered).
pub const LONG_STATEMENT_TIMEOUT: &str = "120s";

/// The serving pool's settings: [`tune`] plus the request statement timeout. Commands (seed,
/// migrate, rebuild-due) connect without it.
pub fn for_requests(options: PgConnectOptions) -> PgConnectOptions {
    tune(options).options([("statement_timeout", REQUEST_STATEMENT_TIMEOUT)])
}

/// Lets the rest of the caller's transaction run statements up to [`LONG_STATEMENT_TIMEOUT`].
pub async fn allow_long_statements(conn: &mut sqlx::PgConnection) -> sqlx::Result<()> {
    sqlx::query("select set_config('statement_timeout', $1, true)")
        .bind(LONG_STATEMENT_TIMEOUT)
        .execute(conn)
        .await
        .map(|_| ())
}

/// A transaction for long work (the reports) on the serving pool, with the long timeout.
pub async fn begin_long(db: &PgPool) -> sqlx::Result<sqlx::Transaction<'static, sqlx::Postgres>> {
    let mut tx = db.begin().await?;
    allow_long_statements(&mut tx).await?;
    Ok(tx)
}

/// How long a request waits for a connection of a pool (or a kept one, [`kept`]) before it is
/// answered that the server is busy.
pub const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(10);

/// A connection idle this long is pinged before it is handed out (see [`connect`]).
pub const PING_AFTER_IDLE: Duration = Duration::from_secs(1);

/// A pool of `size` connections (`Config::pool_size`). A connection back in use within [`PING_AFTER_IDLE`] is not
/// pinged: that round trip doubled the database's share of a kept Today page (two queries). One
/// idle longer is pinged first, and dropped unseen if PostgreSQL restarted meanwhile: else after
/// a restart each pooled connection failed one request (a 503) on its next use, one per
/// connection in a row on a quiet server. The ping is paid only when a connection waits over a
/// second for its next use (under a few requests a second), where one round trip costs nothing that matters;
/// a busy server meets its dead connections during the restart itself. Idle ones are closed
/// after 10 minutes and every one is replaced after 30.
pub async fn connect(options: PgConnectOptions, size: u32) -> anyhow::Result<PgPool> {
    pool_options(size)
        .connect_with(options)
        .await
        .context("connecting to PostgreSQL")
}

/// The settings of every pool of the server ([`connect`]).
fn pool_options(size: u32) -> PgPoolOptions {
    PgPoolOptions::new()
        .max_connections(size)
        .test_before_acquire(false)
        .before_acquire(|conn, meta| {
            Box::pin(async move {
                if meta.idle_for >= PING_AFTER_IDLE {
                    sqlx::Connection::ping(conn).await?;
                }
                Ok(true)
            })
        })
        .idle_timeout(Duration::from_secs(600))
        .max_lifetime(Duration::from_secs(1800))
        .acquire_timeout(ACQUIRE_TIMEOUT)
}

/// How many connections [`lookups`] keeps: its statements take a few hundredths of a millisecond
/// each, and two serve thousands of requests a second.
pub const LOOKUP_CONNECTIONS: u32 = 2;

/// The two reads every signed-in request starts with, its session row and its user (one
/// statement), and the session's writes: connections kept between requests ([`kept`]: no
/// round trip to check each one handed back), to the same server and database as the serving
/// pool `db`, with its settings but PostgreSQL's own `plan_cache_mode = auto`. These statements
/// have one shape, so each connection plans them once; on the serving pool ([`tune`]) planning
/// them cost more than running them, 0.17 ms of PostgreSQL time on each call a recruiter logs
/// (BENCHMARKS.md, third pass). It connects on first use.
pub fn lookups(db: &PgPool) -> kept::Kept {
    let options = (*db.connect_options())
        .clone()
        .options([("plan_cache_mode", "auto")]);
    kept::Kept::new(
        pool_options(LOOKUP_CONNECTIONS).connect_lazy_with(options),
        LOOKUP_CONNECTIONS as usize,
    )
}

/// Applies pending migrations on one connection without a statement timeout (a migration may
/// rewrite a large table), which it gives back as it found it.
pub async fn migrate(pool: &PgPool) -> anyhow::Result<()> {
    let mut conn = pool.acquire().await?;
    sqlx::query("set statement_timeout = 0")
        .execute(&mut *conn)
        .await?;
    MIGRATOR
        .run(&mut *conn)
        .await
        .context("applying migrations")?;
    sqlx::query("reset statement_timeout")
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Makes the embedded cluster ready for the app, as its administrator: the app's role (login,
/// no superuser, no role or database creation), the app's database owned by it, and, in a data
/// folder from before the role existed, everything the migrations made handed over to it.
pub async fn prepare_app_database(cluster: &EmbeddedPostgres) -> anyhow::Result<()> {
    let admin = PgPoolOptions::new()
        .max_connections(1)
        .connect_with(cluster.admin_options())
        .await
        .context("connecting to the embedded PostgreSQL")?;
    let (role, database) = (cluster.app_role(), cluster.database_name());
    // Role and database names take no bind parameters; both are our own constants.
    let role_exists: bool =
        sqlx::query_scalar("select exists(select 1 from pg_roles where rolname = $1)")
            .bind(role)
            .fetch_one(&admin)
            .await?;
    if !role_exists {
        sqlx::query(&format!(
            "create role {role} login nosuperuser nocreatedb nocreaterole noreplication"
        ))
        .execute(&admin)
        .await
        .context("creating the app's database role")?;
    }
    let owner: Option<String> = sqlx::query_scalar(
        "select pg_get_userbyid(datdba)::text from pg_database where datname = $1",
    )
    .bind(database)
    .fetch_optional(&admin)
    .await?;
    match owner.as_deref() {
        None => sqlx::query(&format!("create database {database} owner {role}"))
            .execute(&admin)
            .await
            .map(|_| ())
            .context("creating the secondcall database")?,
        Some(o) => {
            if o != role {
                sqlx::query(&format!("alter database {database} owner to {role}"))
                    .execute(&admin)
                    .await
                    .context("giving the secondcall database to its role")?;
            }
            // every start, so a hand-over cut short is finished: nothing to do costs a lookup
            hand_over_objects(cluster).await?;
        }
    }
    admin.close().await;
    Ok(())
}

/// Gives the app's role the tables, views, sequences, functions and types of the `public` schema
/// that another role (the administrator, before the app had a role of its own) created. Members
/// of extensions stay with the extension; sequences of identity columns follow their table.
/// `REASSIGN OWNED BY postgres` cannot do this: it refuses the bootstrap superuser's objects.
async fn hand_over_objects(cluster: &EmbeddedPostgres) -> anyhow::Result<()> {
    use sqlx::Connection;
    let mut conn = sqlx::PgConnection::connect_with(
        &cluster.admin_options().database(cluster.database_name()),
    )
    .await
    .context("connecting to the secondcall database as the administrator")?;
    // One DO block, run as it is: it binds nothing and names only our own role.
    let sql = r#"
        do $$
        declare
            app oid := (select oid from pg_roles where rolname = 'ROLE');
            r record;
        begin
            for r in
                select format('alter %s %s owner to ROLE',
                              case c.relkind when 'v' then 'view' when 'm' then 'materialized view'
                                             when 'S' then 'sequence' when 'f' then 'foreign table'
                                             else 'table' end,
                              c.oid::regclass) as stmt
                from pg_class c join pg_namespace n on n.oid = c.relnamespace
                where n.nspname = 'public' and c.relkind in ('r', 'p', 'v', 'm', 'S', 'f')
                  and c.relowner <> app
                  and not exists (select 1 from pg_depend d where d.classid = 'pg_class'::regclass
                                  and d.objid = c.oid and d.deptype in ('e', 'a', 'i'))
            union all
                select format('alter routine %s owner to ROLE', p.oid::regprocedure)
                from pg_proc p join pg_namespace n on n.oid = p.pronamespace
                where n.nspname = 'public' and p.proowner <> app
                  and not exists (select 1 from pg_depend d where d.classid = 'pg_proc'::regclass
                                  and d.objid = p.oid and d.deptype = 'e')
            union all
                select format('alter type %s owner to ROLE', t.oid::regtype)
                from pg_type t join pg_namespace n on n.oid = t.typnamespace
                where n.nspname = 'public' and t.typtype in ('e', 'd', 'r') and t.typowner <> app
                  and not exists (select 1 from pg_depend d where d.classid = 'pg_type'::regclass
                                  and d.objid = t.oid and d.deptype = 'e')
            loop
                execute r.stmt;
            end loop;
        end $$"#
        .replace("ROLE", cluster.app_role());
    sqlx::raw_sql(&sql)
        .execute(&mut conn)
        .await
        .context("handing the app's tables to its role")?;
    conn.close().await?;
    Ok(())
}
