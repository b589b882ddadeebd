//! The server as it runs: the nightly task that `Application::run` starts (the same composition
//! `secondcall serve` runs), driven by the server's clock, over real HTTP and PostgreSQL.

use std::time::Duration as StdDuration;

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use chrono_tz::America::New_York;
use reqwest::{Method, StatusCode};
use secondcall::clock::Clock;
use secondcall::config::Config;
use secondcall::due::rebuilds::TeamLock;
use serde_json::json;
use sqlx::PgPool;

use crate::helpers::{TestApp, fresh_database};

/// A server with the nightly task on, on `db`, with its own clock.
async fn server(db: &PgPool, nightly: bool) -> TestApp {
    let mut config = Config::for_database("postgres://unused");
    config.nightly = nightly;
    TestApp::spawn_with(db.clone(), config, Clock::starting_at(Utc::now())).await
}

/// Polls `check` every 100 ms for up to 20 s.
async fn eventually<F, Fut>(what: &str, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    for _ in 0..200 {
        if check().await {
            return;
        }
        tokio::time::sleep(StdDuration::from_millis(100)).await;
    }
    panic!("timed out waiting for: {what}");
}

async fn runs(db: &PgPool, trigger: &str) -> Vec<(String, i32)> {
    sqlx::query_as(
        "select status, users_rebuilt from due_runs where trigger = $1 and finished_at is not null order by id",
    )
    .bind(trigger)
    .fetch_all(db)
    .await
    .unwrap()
}

async fn users_rebuilt(db: &PgPool, trigger: &str) -> i64 {
    runs(db, trigger)
        .await
        .iter()
        .map(|(_, n)| i64::from(*n))
        .sum()
}

async fn list_dates(db: &PgPool) -> Vec<(i64, Option<NaiveDate>)> {
    sqlx::query_as(
        "select u.id, l.list_date from users u left join due_lists l on l.user_id = u.id where u.active order by u.id",
    )
    .fetch_all(db)
    .await
    .unwrap()
}

/// 03:30 in New York on the day after `today` there: past midnight and the nightly hour (02:00).
fn next_night(today: NaiveDate) -> DateTime<Utc> {
    let tomorrow = today + Duration::days(1);
    New_York
        .from_local_datetime(&tomorrow.and_hms_opt(3, 30, 0).unwrap())
        .earliest()
        .unwrap()
        .with_timezone(&Utc)
}

/// A team (every day a working day) with a manager and a recruiter in New York; a token each.
async fn team(app: &TestApp) -> (i64, String, String) {
    let team = app.create_team("Acme", "mia@acme.test").await;
    app.create_user(team, "rob@acme.test", "recruiter").await;
    app.every_day_working(team).await;
    let mia = app.token_for("mia@acme.test").await;
    let rob = app.token_for("rob@acme.test").await;
    (team, mia, rob)
}

/// A decision maker of Rob's with one unanswered call `days_ago`: the second call falls due
/// five working days after it.
async fn dm_called(app: &TestApp, rob: &str, days_ago: i64) -> i64 {
    let (status, dm) = app
        .api(
            Method::POST,
            "/decision-makers",
            rob,
            Some(json!({"name": "Dana Lee", "phone": "+1 212 555 0100"})),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{dm}");
    let id = dm["id"].as_i64().unwrap();
    let at = app.clock().now() - Duration::days(days_ago);
    let (status, body) = app
        .api(
            Method::POST,
            "/touches",
            rob,
            Some(
                json!({"decision_maker_id": id, "channel": "call", "direction": "outbound",
                        "outcome": "no_answer", "occurred_at": at.to_rfc3339()}),
            ),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    id
}

async fn due_reason(db: &PgPool, dm: i64) -> Option<(String, NaiveDate)> {
    sqlx::query_as(
        "select reason, list_date from due_items where contact_kind = 'decision_maker' and contact_id = $1",
    )
    .bind(dm)
    .fetch_optional(db)
    .await
    .unwrap()
}

#[tokio::test]
async fn a_server_that_starts_catches_up_and_marks_the_runs_a_killed_server_left() {
    let (db, _) = fresh_database().await;
    let setup = server(&db, false).await;
    let (team, _, _) = team(&setup).await;
    let other = setup.create_team("Other", "olga@other.test").await;
    // lists built yesterday (the server was down last night), and runs a killed server left
    sqlx::query("insert into due_lists (user_id, team_id, list_date) select id, team_id, current_date - 2 from users")
        .execute(&db)
        .await
        .unwrap();
    for t in [team, other] {
        sqlx::query(
            "insert into due_runs (team_id, trigger, status) values ($1, 'nightly', 'running')",
        )
        .bind(t)
        .execute(&db)
        .await
        .unwrap();
    }
    // Other's rebuild is still at work somewhere (another instance holds its lock)
    let busy = TeamLock::try_take(&db, other).await.unwrap().unwrap();

    let app = server(&db, true).await;
    eventually("the catch-up run", || async {
        users_rebuilt(&db, "catch_up").await >= 2
    })
    .await;
    let today = app.clock().today_in(New_York);
    let status = |t: i64| {
        let db = db.clone();
        async move {
            sqlx::query_scalar::<_, String>(
                "select status from due_runs where team_id = $1 and trigger = 'nightly'",
            )
            .bind(t)
            .fetch_one(&db)
            .await
            .unwrap()
        }
    };
    assert_eq!(status(team).await, "interrupted");
    assert_eq!(
        status(other).await,
        "running",
        "a run whose team lock is held is still at work"
    );
    assert_eq!(runs(&db, "catch_up").await, vec![("ok".to_string(), 2)]);
    let dates = list_dates(&db).await;
    let acme: Vec<_> = dates.iter().take(2).map(|(_, d)| *d).collect();
    assert_eq!(acme, vec![Some(today), Some(today)]);
    busy.release().await.unwrap();

    // the manager sees it on Settings
    app.login("mia@acme.test").await;
    let page = app.get("/settings").await.text().await.unwrap();
    assert!(page.contains("Last nightly rebuild: ended"), "{page}");
    assert!(page.contains("interrupted"), "the run list shows it");
}

#[tokio::test]
async fn after_the_night_each_list_is_rebuilt_once_with_what_fell_due_overnight() {
    let (db, _) = fresh_database().await;
    let app = server(&db, true).await;
    let (_, mia, rob) = team(&app).await;
    // four days ago: the second call is due tomorrow (five working days after)
    let dm = dm_called(&app, &rob, 4).await;
    let (status, _) = app.api(Method::POST, "/due/rebuild", &mia, None).await;
    assert_eq!(status, StatusCode::OK);
    let today = app.clock().today_in(New_York);
    assert_eq!(due_reason(&db, dm).await, None, "not due today");

    // past midnight but before the nightly hour: nothing yet
    let midnight = New_York
        .from_local_datetime(&(today + Duration::days(1)).and_hms_opt(0, 30, 0).unwrap())
        .earliest()
        .unwrap();
    app.clock().set(midnight.with_timezone(&Utc));
    tokio::time::sleep(StdDuration::from_millis(800)).await;
    assert!(runs(&db, "nightly").await.is_empty(), "waits for 02:00");

    app.clock().set(next_night(today));
    eventually("the nightly run", || async {
        !runs(&db, "nightly").await.is_empty()
    })
    .await;
    let tomorrow = today + Duration::days(1);
    assert_eq!(runs(&db, "nightly").await, vec![("ok".to_string(), 2)]);
    assert_eq!(
        due_reason(&db, dm).await,
        Some(("second_call".to_string(), tomorrow))
    );
    let history: i64 = sqlx::query_scalar(
        "select count(*) from due_item_history where contact_id = $1 and reason = 'second_call' and settled_at is null",
    )
    .bind(dm)
    .fetch_one(&db)
    .await
    .unwrap();
    assert_eq!(history, 1, "the item that appeared is in the history");
    let (status, list) = app.api(Method::GET, "/due", &rob, None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(list["date"], json!(tomorrow.to_string()));
    assert!(
        !list["built_at"].is_null(),
        "the stored list, not one computed now"
    );

    // later that night the task looks again and finds nothing to do
    app.clock().advance(Duration::hours(2));
    tokio::time::sleep(StdDuration::from_millis(800)).await;
    assert_eq!(runs(&db, "nightly").await.len(), 1, "once a night");
}

#[tokio::test]
async fn two_servers_on_one_database_rebuild_each_list_once() {
    let (db, _) = fresh_database().await;
    let setup = server(&db, false).await;
    let (_, mia, _) = team(&setup).await;
    let (status, _) = setup.api(Method::POST, "/due/rebuild", &mia, None).await;
    assert_eq!(status, StatusCode::OK);
    let today = setup.clock().today_in(New_York);
    let (a, b) = (server(&db, true).await, server(&db, true).await);
    a.clock().set(next_night(today));
    b.clock().set(next_night(today));
    // a server that moved its clock before its first tick counts it as its catch-up
    let automatic =
        || async { users_rebuilt(&db, "nightly").await + users_rebuilt(&db, "catch_up").await };
    eventually("the nightly rebuild", || async { automatic().await >= 2 }).await;
    // both look again on their next moves; nobody rebuilds twice
    a.clock().advance(Duration::minutes(5));
    b.clock().advance(Duration::minutes(5));
    tokio::time::sleep(StdDuration::from_millis(800)).await;
    assert_eq!(automatic().await, 2, "one rebuild per user");
    let dates = list_dates(&db).await;
    assert!(
        dates
            .iter()
            .all(|(_, d)| *d == Some(today + Duration::days(1)))
    );
}

#[tokio::test]
async fn with_nightly_off_no_rebuild_runs() {
    let (db, _) = fresh_database().await;
    let app = server(&db, false).await;
    let (_, mia, _) = team(&app).await;
    let (status, _) = app.api(Method::POST, "/due/rebuild", &mia, None).await;
    assert_eq!(status, StatusCode::OK);
    let today = app.clock().today_in(New_York);
    app.clock().set(next_night(today + Duration::days(3)));
    tokio::time::sleep(StdDuration::from_millis(800)).await;
    let automatic: i64 = sqlx::query_scalar(
        "select count(*) from due_runs where trigger in ('nightly', 'catch_up')",
    )
    .fetch_one(&db)
    .await
    .unwrap();
    assert_eq!(automatic, 0);
    // and the manager is told the lists are stale
    app.login("mia@acme.test").await;
    let page = app.get("/settings").await.text().await.unwrap();
    assert!(page.contains("Last nightly rebuild: none yet"), "{page}");
    assert!(
        page.contains("2 of the team&#x27;s lists are older than their owner&#x27;s today")
            || page.contains("2 of the team's lists are older than their owner's today"),
        "{page}"
    );
}

#[tokio::test]
async fn a_teams_rebuild_runs_once_at_a_time_whoever_starts_it() {
    let (db, _) = fresh_database().await;
    let app = server(&db, false).await;
    let (team, mia, _) = team(&app).await;
    let lock = TeamLock::try_take(&db, team).await.unwrap().unwrap();
    sqlx::query("insert into due_runs (team_id, trigger) values ($1, 'manual')")
        .bind(team)
        .execute(&db)
        .await
        .unwrap();

    // the API answers 409 already_running
    let (status, body) = app.api(Method::POST, "/due/rebuild", &mia, None).await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert_eq!(body["error"]["code"], "already_running");
    // a settings save succeeds and queues a rebuild for after the running one
    let (status, body) = app
        .api(
            Method::PATCH,
            "/settings",
            &mia,
            Some(json!({"nightly_hour": 3})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    // "Rebuild now" says since when the running one runs
    app.login("mia@acme.test").await;
    let resp = app.post_form("/settings/rebuild", &[]).await;
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    let page = app.get("/settings").await.text().await.unwrap();
    assert!(page.contains("already running (started"), "{page}");
    tokio::time::sleep(StdDuration::from_millis(700)).await;
    assert!(runs(&db, "settings").await.is_empty(), "it waits its turn");

    // the running one ends: the queued settings rebuild follows, once
    sqlx::query("update due_runs set status = 'ok', finished_at = now() where status = 'running'")
        .execute(&db)
        .await
        .unwrap();
    lock.release().await.unwrap();
    eventually("the queued settings rebuild", || async {
        !runs(&db, "settings").await.is_empty()
    })
    .await;
    assert_eq!(runs(&db, "settings").await, vec![("ok".to_string(), 2)]);
    let (status, _) = app.api(Method::POST, "/due/rebuild", &mia, None).await;
    assert_eq!(status, StatusCode::OK, "free again");
}

/// A URL the binary can connect to the test database with: the suite's server (`DATABASE_URL`,
/// password included, or the private cluster's socket) and the test's database.
pub(crate) fn url_of(options: &sqlx::postgres::PgConnectOptions) -> String {
    let (user, db) = (options.get_username(), options.get_database().unwrap());
    if let Ok(server) = std::env::var("DATABASE_URL") {
        let mut url = reqwest::Url::parse(&server).unwrap();
        url.set_path(&format!("/{db}"));
        return url.to_string();
    }
    match options.get_socket() {
        Some(dir) => format!(
            "postgres://{user}@localhost/{db}?host={}&port={}",
            dir.display(),
            options.get_port()
        ),
        None => format!(
            "postgres://{user}@{}:{}/{db}",
            options.get_host(),
            options.get_port()
        ),
    }
}

#[tokio::test]
async fn the_command_line_rebuild_refuses_while_another_runs() {
    let (db, options) = fresh_database().await;
    let app = server(&db, false).await;
    let (team, _, _) = team(&app).await;
    let url = url_of(&options);
    let rebuild = move || {
        std::process::Command::new(env!("CARGO_BIN_EXE_secondcall"))
            .args(["rebuild-due", "--team-id", &team.to_string()])
            .env("DATABASE_URL", &url)
            .env("RUST_LOG", "warn")
            .output()
            .unwrap()
    };
    let lock = TeamLock::try_take(&db, team).await.unwrap().unwrap();
    let refused = tokio::task::spawn_blocking(rebuild.clone()).await.unwrap();
    assert_eq!(refused.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(
        stderr.contains("another rebuild of this team is running"),
        "{stderr}"
    );
    lock.release().await.unwrap();
    let done = tokio::task::spawn_blocking(rebuild).await.unwrap();
    assert!(
        done.status.success(),
        "{}",
        String::from_utf8_lossy(&done.stderr)
    );
    assert!(String::from_utf8_lossy(&done.stdout).contains("2 users"));
}
