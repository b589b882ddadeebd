//! The test harness: a fresh, migrated database per test in a private PostgreSQL cluster (or the
//! server `DATABASE_URL` names), the app served on 127.0.0.1:0, and a cookie-keeping client.

use std::path::PathBuf;
use std::str::FromStr;
use std::sync::{Arc, OnceLock};

use reqwest::cookie::{CookieStore, Jar};
use reqwest::{Response, StatusCode};
use secondcall::clock::Clock;
use secondcall::config::Config;
use secondcall::embedded::{EmbeddedPostgres, Mode};
use secondcall::startup::Application;
use secondcall::state::AppState;
use sqlx::Connection as _;
use sqlx::PgPool;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use tokio_util::sync::CancellationToken;

pub const PASSWORD: &str = "correct horse battery";

/// Where the test cluster's server lives: `DATABASE_URL`, else a private cluster in target/.
fn admin_options() -> PgConnectOptions {
    static OPTIONS: OnceLock<PgConnectOptions> = OnceLock::new();
    OPTIONS
        .get_or_init(|| match std::env::var("DATABASE_URL") {
            Ok(url) => PgConnectOptions::from_str(&url).expect("DATABASE_URL is a valid PostgreSQL URL"),
            Err(_) => {
                // Under /tmp rather than target/: as root the cluster runs as `postgres`, which may
                // not be able to reach a checkout inside /root.
                let root = std::env::var_os("SECONDCALL_TEST_PG_DIR")
                    .map(PathBuf::from)
                    .unwrap_or_else(|| std::env::temp_dir().join("secondcall-test-postgres"));
                let options = "-c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=400";
                let cluster = EmbeddedPostgres::start(&root, Mode::Shared, options).expect("the test PostgreSQL cluster starts");
                cluster.admin_options()
            }
        })
        .clone()
}

/// Creates an empty, migrated database for one test. Its name carries when it was made
/// (`t_<unix seconds>_<uuid>`), so that a later test can tell it has been left behind.
pub async fn fresh_database() -> (PgPool, PgConnectOptions) {
    let admin = PgPoolOptions::new()
        .max_connections(1)
        .connect_with(admin_options())
        .await
        .expect("connect to the test cluster");
    let name = format!(
        "t_{}_{}",
        chrono::Utc::now().timestamp(),
        uuid::Uuid::new_v4().simple()
    );
    sqlx::query(&format!("create database {name}"))
        .execute(&admin)
        .await
        .expect("create test database");
    admin.close().await;
    tokio::spawn(sweep_left_databases());
    // the serving pool's settings, statement timeout included, as `serve` connects
    let options = secondcall::db::for_requests(admin_options().database(&name));
    let pool = PgPoolOptions::new()
        .max_connections(8)
        .connect_with(options.clone())
        .await
        .expect("connect to test database");
    secondcall::db::migrate(&pool)
        .await
        .expect("migrations apply");
    (pool, options)
}

/// How old a test database must be before a later test drops it: far longer than any test runs
/// (nextest stops the slowest kinds after five minutes).
const LEFT_AFTER_SECS: i64 = 15 * 60;

/// How many left-behind databases one test drops at most, while it runs.
const SWEEP_AT_MOST: i64 = 25;

/// Drops test databases that earlier tests left behind: a test never drops its own (its app and
/// pool hold it until the process ends), so every test, while it runs, drops a few of those that
/// are older than [`LEFT_AFTER_SECS`] and have no connection, and those named before names
/// carried a time, each picked at random so that tests sweeping at once seldom meet. Without it
/// the shared cluster grew by some 5 GB on every run of the suite.
async fn sweep_left_databases() {
    let Ok(mut admin) = sqlx::PgConnection::connect_with(&admin_options()).await else {
        return;
    };
    let sweep = async {
        let before = chrono::Utc::now().timestamp() - LEFT_AFTER_SECS;
        let left: Vec<String> = sqlx::query_scalar(
            "select d.datname::text from pg_database d \
             where (d.datname ~ '^t_[0-9a-f]{32}$' \
                    or (d.datname ~ '^t_[0-9]{10}_[0-9a-f]{32}$' and split_part(d.datname, '_', 2)::int8 < $1)) \
               and not exists (select 1 from pg_stat_activity a where a.datid = d.oid) \
             order by random() limit $2",
        )
        .bind(before)
        .bind(SWEEP_AT_MOST)
        .fetch_all(&mut admin)
        .await?;
        for name in left {
            // the name matched the patterns above: letters, digits and underscores only; one
            // that gained a connection meanwhile refuses, one another test dropped first is gone
            let _ = sqlx::query(&format!("drop database if exists \"{name}\""))
                .execute(&mut admin)
                .await;
        }
        Ok::<(), sqlx::Error>(())
    };
    let _ = sweep.await;
    let _ = admin.close().await;
}

/// A running app and a client that keeps cookies and does not follow redirects.
pub struct TestApp {
    pub address: String,
    pub db: PgPool,
    /// The server's state: its clock (which the test moves), its rebuilder.
    pub state: AppState,
    pub client: reqwest::Client,
    pub jar: Arc<Jar>,
    pub shutdown: CancellationToken,
    /// The one-time setup code the server printed at start (a public server with no team yet).
    pub setup_code: Option<String>,
}

impl Drop for TestApp {
    fn drop(&mut self) {
        self.shutdown.cancel();
    }
}

impl TestApp {
    /// Serves the real router on an ephemeral port.
    pub async fn spawn() -> Self {
        if std::env::var("TEST_LOG").is_ok() {
            secondcall::telemetry::init();
        }
        let (db, _) = fresh_database().await;
        Self::spawn_on(db).await
    }

    /// Serves another app instance on an existing database (two instances, one database).
    pub async fn spawn_on(db: PgPool) -> Self {
        let config = Config::for_database("postgres://unused");
        Self::spawn_with(db, config, Clock::starting_at(chrono::Utc::now())).await
    }

    /// Serves the app as `serve` composes it (router, layers, background tasks) with this
    /// configuration and clock.
    pub async fn spawn_with(db: PgPool, config: Config, clock: Clock) -> Self {
        if std::env::var("TEST_LOG").is_ok() {
            secondcall::telemetry::init();
        }
        let app = Application::build(config, db.clone(), clock)
            .await
            .expect("app builds");
        let port = app.port();
        let state = app.state().clone();
        let setup_code = app.setup_code().map(String::from);
        let shutdown = CancellationToken::new();
        tokio::spawn(app.run(shutdown.clone()));
        let jar = Arc::new(Jar::default());
        Self {
            address: format!("http://127.0.0.1:{port}"),
            db,
            state,
            client: client_with(jar.clone()),
            jar,
            shutdown,
            setup_code,
        }
    }

    /// What an action acts with, at the server clock's now.
    pub fn ctx(&self) -> secondcall::actions::Ctx<'_> {
        self.state.ctx()
    }

    /// The server's clock.
    pub fn clock(&self) -> &Clock {
        &self.state.clock
    }

    /// The date it is now in the time zone of the user with this email (for a day the API reads
    /// in the user's zone: just after midnight UTC it is still yesterday in America).
    pub async fn today_of(&self, email: &str) -> chrono::NaiveDate {
        let user = secondcall::db::users::find_by_email(&self.db, email)
            .await
            .expect("the users table answers")
            .expect("the user exists");
        self.clock().today_in(user.tz())
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.address, path)
    }

    pub async fn get(&self, path: &str) -> Response {
        self.client.get(self.url(path)).send().await.expect("GET")
    }

    pub async fn post_form(&self, path: &str, form: &[(&str, &str)]) -> Response {
        self.client
            .post(self.url(path))
            .form(form)
            .send()
            .await
            .expect("POST")
    }

    /// The session cookie header the client would send now (to replay it later).
    pub fn cookie_header(&self) -> Option<String> {
        let url = reqwest::Url::parse(&self.address).expect("url");
        self.jar
            .cookies(&url)
            .map(|v| v.to_str().expect("ascii cookie").to_string())
    }

    /// A request with an explicit Cookie header and no jar (a stolen or old cookie).
    pub async fn get_with_cookie(&self, path: &str, cookie: &str) -> Response {
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("client");
        client
            .get(self.url(path))
            .header("cookie", cookie)
            .send()
            .await
            .expect("GET")
    }

    /// A second browser: its own cookie jar.
    pub fn new_browser(&self) -> (reqwest::Client, Arc<Jar>) {
        let jar = Arc::new(Jar::default());
        (client_with(jar.clone()), jar)
    }

    /// First-run setup: a team with a manager (signed in on this client). Returns the team id.
    pub async fn setup_team(&self, team: &str, email: &str) -> i64 {
        let resp = self
            .post_form(
                "/setup",
                &[
                    ("team", team),
                    ("name", "Mia Manager"),
                    ("email", email),
                    ("password", PASSWORD),
                    ("time_zone", "America/New_York"),
                ],
            )
            .await;
        assert_redirect(&resp, "/today");
        sqlx::query_scalar("select team_id from users where email = $1")
            .bind(email)
            .fetch_one(&self.db)
            .await
            .expect("team")
    }

    /// A user created directly in the database (any team), with the standard password.
    pub async fn create_user(&self, team_id: i64, email: &str, role: &str) -> i64 {
        let hash = secondcall::auth::password::hash(PASSWORD.into())
            .await
            .expect("hash");
        sqlx::query_scalar(
            "insert into users (team_id, email, name, role, time_zone, password_hash) values ($1, $2, $3, $4, 'America/New_York', $5) returning id",
        )
        .bind(team_id)
        .bind(email)
        .bind(format!("User {email}"))
        .bind(role)
        .bind(hash)
        .fetch_one(&self.db)
        .await
        .expect("insert user")
    }

    /// A new team (no setup page involved) with its manager.
    pub async fn create_team(&self, name: &str, manager_email: &str) -> i64 {
        let team_id: i64 = sqlx::query_scalar("insert into teams (name) values ($1) returning id")
            .bind(name)
            .fetch_one(&self.db)
            .await
            .expect("team");
        self.create_user(team_id, manager_email, "manager").await;
        team_id
    }

    /// Makes every weekday a working day, so tests that expect something due "today" hold on
    /// any day of the week (the suite runs on weekends too).
    pub async fn every_day_working(&self, team_id: i64) {
        sqlx::query(
            "insert into team_settings (team_id, working_days) values ($1, '{mon,tue,wed,thu,fri,sat,sun}') \
             on conflict (team_id) do update set working_days = excluded.working_days",
        )
        .bind(team_id)
        .execute(&self.db)
        .await
        .expect("team settings");
    }

    pub async fn login(&self, email: &str) {
        let resp = self
            .post_form("/login", &[("email", email), ("password", PASSWORD)])
            .await;
        assert_eq!(
            resp.status(),
            StatusCode::SEE_OTHER,
            "login of {email} failed"
        );
    }

    pub async fn logout(&self) {
        let resp = self.post_form("/logout", &[]).await;
        assert_redirect(&resp, "/login");
    }

    /// A token for the user, through the CLI's code path (no rate limit in the way).
    pub async fn token_for(&self, email: &str) -> String {
        let resp = self
            .client
            .post(self.url("/api/v1/tokens"))
            .json(&serde_json::json!({"email": email, "password": PASSWORD}))
            .send()
            .await
            .expect("POST /tokens");
        assert_eq!(resp.status(), StatusCode::CREATED);
        resp.json::<serde_json::Value>().await.expect("json")["token"]
            .as_str()
            .expect("token")
            .to_string()
    }

    pub async fn api(
        &self,
        method: reqwest::Method,
        path: &str,
        token: &str,
        body: Option<serde_json::Value>,
    ) -> (StatusCode, serde_json::Value) {
        let mut req = self
            .client
            .request(method, self.url(&format!("/api/v1{path}")))
            .bearer_auth(token);
        if let Some(b) = body {
            req = req.json(&b);
        }
        let resp = req.send().await.expect("api request");
        let status = resp.status();
        let text = resp.text().await.expect("body");
        (
            status,
            serde_json::from_str(&text).unwrap_or(serde_json::Value::String(text)),
        )
    }
}

fn client_with(jar: Arc<Jar>) -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .cookie_provider(jar)
        .build()
        .expect("client")
}

/// A 303 (or other redirect) to exactly this location.
pub fn assert_redirect(resp: &Response, location: &str) {
    assert!(
        resp.status().is_redirection(),
        "expected a redirect to {location}, got {}",
        resp.status()
    );
    assert_eq!(
        resp.headers().get("location").and_then(|v| v.to_str().ok()),
        Some(location)
    );
}
