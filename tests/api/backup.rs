//! The operator's kit as an operator uses it, through the binary (`secondcall admin backup |
//! restore | doctor`): the backup drill (a team at work, backed up while another team's requests
//! are served, restored into a fresh database, served again: the API answers the same), refused
//! files and databases left untouched, the doctor's verdicts and exit status, the nightly backup
//! of a running server, and the pruning of old rows.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Output;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration as StdDuration;

use chrono::{Duration, Utc};
use reqwest::{Method, StatusCode};
use secondcall::clock::Clock;
use secondcall::config::{Config, SeedArgs};
use secondcall::domain::pipeline::Stage;
use serde_json::{Value, json};
use sqlx::PgPool;
use sqlx::postgres::PgConnectOptions;
use tokio_util::sync::CancellationToken;

use crate::board::pipeline;
use crate::embedded::{temp_root, url_of};
use crate::engine::user;
use crate::helpers::{PASSWORD, TestApp, fresh_database};

const BIN: &str = env!("CARGO_BIN_EXE_secondcall");

/// The migration that created `backup_runs` (a database without it is an older release's).
const BACKUP_RUNS_MIGRATION: i64 = 20261129300100;

/// `secondcall <args>` against the database of `options`, as an operator runs it.
async fn secondcall(options: &PgConnectOptions, args: &[&str]) -> Output {
    tokio::process::Command::new(BIN)
        .env("DATABASE_URL", url_of(options))
        .env_remove("BACKUP_DIR")
        .env("RUST_LOG", "warn")
        .args(args)
        .output()
        .await
        .unwrap()
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn path_str(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// A small seeded team (3 users in three zones, contacts, touches, snoozes) whose manager is
/// `recruiter001@bench.test`; returns the team id.
async fn seeded_team(db: &PgPool, seed: u64) -> i64 {
    let args = SeedArgs {
        recruiters: 3,
        decision_makers: 60,
        candidates: 90,
        touches: 1500,
        seed,
        team: "Drill".into(),
    };
    secondcall::dev::seed::run(db, &args).await.unwrap().team_id
}

async fn token(app: &TestApp, email: &str, password: &str) -> String {
    let resp = app
        .client
        .post(app.url("/api/v1/tokens"))
        .json(&json!({"email": email, "password": password}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::CREATED);
    resp.json::<Value>().await.unwrap()["token"]
        .as_str()
        .unwrap()
        .to_string()
}

async fn get(app: &TestApp, token: &str, path: &str) -> Value {
    let (status, body) = app.api(Method::GET, path, token, None).await;
    assert_eq!(status, StatusCode::OK, "GET {path}: {body}");
    body
}

/// Every page of a list.
async fn all(app: &TestApp, token: &str, path: &str) -> Vec<Value> {
    let sep = if path.contains('?') { '&' } else { '?' };
    let mut items = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let page_path = match &cursor {
            Some(c) => format!("{path}{sep}limit=500&cursor={c}"),
            None => format!("{path}{sep}limit=500"),
        };
        let page = get(app, token, &page_path).await;
        items.extend(page["items"].as_array().unwrap().iter().cloned());
        match page["next"].as_str() {
            Some(next) => cursor = Some(next.to_string()),
            None => return items,
        }
    }
}

/// What the team's manager sees through the API: contacts, touches, each user's due list, jobs
/// and applications with their history, the settings and the two Team reports.
async fn what_the_api_answers(app: &TestApp, token: &str, users: &[i64], apps: &[i64]) -> Value {
    let mut due = Vec::new();
    for u in users {
        due.push(get(app, token, &format!("/due?user_id={u}")).await);
    }
    let mut applications = Vec::new();
    for a in apps {
        applications.push(get(app, token, &format!("/applications/{a}")).await);
    }
    json!({
        "decision_makers": all(app, token, "/decision-makers").await,
        "candidates": all(app, token, "/candidates").await,
        "touches": all(app, token, "/touches").await,
        "due": due,
        "jobs": all(app, token, "/jobs").await,
        "applications": applications,
        "settings": get(app, token, "/settings").await,
        "second_call_rate": get(app, token, "/reports/second-call-rate").await,
        "coverage": get(app, token, "/reports/coverage").await,
    })
}

/// "it holds 2 teams, …" from the backup's output, "the database holds …" from the restore's.
fn holds(out: &str) -> String {
    out.lines()
        .find_map(|l| l.split_once("holds ").map(|(_, rest)| rest.to_string()))
        .unwrap_or_else(|| panic!("no counts in {out:?}"))
}

async fn team_count(db: &PgPool) -> i64 {
    sqlx::query_scalar("select count(*) from teams")
        .fetch_one(db)
        .await
        .unwrap()
}

async fn touch_count(db: &PgPool) -> i64 {
    sqlx::query_scalar("select count(*) from touches")
        .fetch_one(db)
        .await
        .unwrap()
}

#[tokio::test]
async fn a_backup_taken_while_requests_are_served_restores_to_the_same_answers() {
    let (db, options) = fresh_database().await;
    let team = seeded_team(&db, 11).await;
    let app = TestApp::spawn_on(db.clone()).await;
    let manager = token(
        &app,
        "recruiter001@bench.test",
        secondcall::dev::seed::PASSWORD,
    )
    .await;

    // jobs and applications with a history of stages (one moved through the API)
    let mia = user(&app, "recruiter001@bench.test").await;
    let p = pipeline(&app, &mia, "Initech", &[Stage::Screening, Stage::Presented]).await;
    let read = get(&app, &manager, &format!("/applications/{}", p.apps[0])).await;
    let (status, moved) = app
        .api(
            Method::PATCH,
            &format!("/applications/{}", p.apps[0]),
            &manager,
            Some(json!({"stage": "presented", "version": read["version"]})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{moved}");
    // every list rebuilt for its user's today
    let (status, rebuilt) = app
        .api(Method::POST, "/due/rebuild", &manager, Some(json!({})))
        .await;
    assert_eq!(status, StatusCode::OK, "{rebuilt}");
    assert!(rebuilt["items"].as_i64().unwrap() > 0, "{rebuilt}");
    // a browser session
    let login = app
        .post_form(
            "/login",
            &[
                ("email", "recruiter001@bench.test"),
                ("password", secondcall::dev::seed::PASSWORD),
            ],
        )
        .await;
    assert_eq!(login.status(), StatusCode::SEE_OTHER);
    let cookie = app.cookie_header().unwrap();

    let users: Vec<i64> = sqlx::query_scalar("select id from users where team_id = $1 order by id")
        .bind(team)
        .fetch_all(&db)
        .await
        .unwrap();
    let before = what_the_api_answers(&app, &manager, &users, &p.apps).await;
    // what is compared is the whole team, not empty lists
    // (archived contacts are not listed)
    assert!(before["decision_makers"].as_array().unwrap().len() > 50);
    assert!(before["candidates"].as_array().unwrap().len() > 80);
    assert!(before["touches"].as_array().unwrap().len() >= 1500);
    assert!(
        before["due"]
            .as_array()
            .unwrap()
            .iter()
            .any(|d| !d["items"].as_array().unwrap().is_empty())
    );
    assert!(
        before["applications"][0]["history"]
            .as_array()
            .unwrap()
            .len()
            >= 2
    );
    assert!(before["second_call_rate"]["team"].is_object());

    // another team logs calls and reads its list for as long as the backup runs
    let other = app.create_team("Busy", "bea@busy.test").await;
    app.every_day_working(other).await;
    let busy = token(&app, "bea@busy.test", PASSWORD).await;
    let (status, dm) = app
        .api(
            Method::POST,
            "/decision-makers",
            &busy,
            Some(json!({"name": "Dana Busy", "phone": "+1 212 555 0199"})),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{dm}");
    let dm = dm["id"].as_i64().unwrap();
    let stop = Arc::new(AtomicBool::new(false));
    let served = Arc::new(AtomicUsize::new(0));
    let hammer = {
        let (client, address) = (app.client.clone(), app.address.clone());
        let (stop, served) = (stop.clone(), served.clone());
        tokio::spawn(async move {
            while !stop.load(Ordering::SeqCst) {
                let touch = client
                    .post(format!("{address}/api/v1/touches"))
                    .bearer_auth(&busy)
                    .json(&json!({"decision_maker_id": dm, "channel": "email", "outcome": "sent"}))
                    .send()
                    .await
                    .unwrap();
                assert_eq!(touch.status(), StatusCode::CREATED);
                let due = client
                    .get(format!("{address}/api/v1/due"))
                    .bearer_auth(&busy)
                    .send()
                    .await
                    .unwrap();
                assert_eq!(due.status(), StatusCode::OK);
                served.fetch_add(2, Ordering::SeqCst);
            }
        })
    };
    while served.load(Ordering::SeqCst) < 10 {
        tokio::time::sleep(StdDuration::from_millis(10)).await;
    }

    let dir = temp_root();
    let file = dir.join("drill.dump");
    let at_start = served.load(Ordering::SeqCst);
    let backed_up = secondcall(&options, &["admin", "backup", "--to", path_str(&file)]).await;
    let during = served.load(Ordering::SeqCst) - at_start;
    stop.store(true, Ordering::SeqCst);
    hammer.await.unwrap();
    assert!(backed_up.status.success(), "{}", stderr(&backed_up));
    let said = stdout(&backed_up);
    assert!(
        said.contains(&format!("backup written to {}", file.display())) && said.contains(" s"),
        "{said}"
    );
    assert!(during > 0, "requests were served while the backup ran");
    assert!(file.is_file());
    assert!(
        std::fs::read_dir(&dir).unwrap().count() == 1,
        "no temporary file is left beside the backup"
    );

    // a fresh database, restored by the operator, served by a new server
    let (restored_db, restored_options) = fresh_database().await;
    let restored = secondcall(
        &restored_options,
        &["admin", "restore", "--from", path_str(&file)],
    )
    .await;
    assert!(restored.status.success(), "{}", stderr(&restored));
    // the counts printed at backup are those of its snapshot, which the restore brought back
    assert_eq!(holds(&stdout(&restored)), holds(&said));
    assert!(holds(&said).starts_with("2 teams, 4 users"), "{said}");

    let again = TestApp::spawn_with(
        restored_db.clone(),
        Config::for_database("postgres://unused"),
        Clock::starting_at(Utc::now()),
    )
    .await;
    // the token and the browser session were restored with the rest
    let after = what_the_api_answers(&again, &manager, &users, &p.apps).await;
    assert_eq!(after, before);
    let today = again.get_with_cookie("/today", &cookie).await;
    assert_eq!(today.status(), StatusCode::OK, "the session still signs in");
    std::fs::remove_dir_all(&dir).ok();
}

#[tokio::test]
async fn a_damaged_or_truncated_backup_is_refused_and_the_target_is_left_as_it_was() {
    let (source, source_options) = fresh_database().await;
    seeded_team(&source, 3).await;
    let dir = temp_root();
    let good = dir.join("good.dump");
    let out = secondcall(
        &source_options,
        &["admin", "backup", "--to", path_str(&good)],
    )
    .await;
    assert!(out.status.success(), "{}", stderr(&out));
    let bytes = std::fs::read(&good).unwrap();

    let truncated = dir.join("truncated.dump");
    std::fs::write(&truncated, &bytes[..bytes.len() * 2 / 3]).unwrap();
    let damaged = dir.join("damaged.dump");
    let mut flipped = bytes.clone();
    let middle = bytes.len() / 2;
    for b in &mut flipped[middle..middle + 4096] {
        *b ^= 0x55;
    }
    std::fs::write(&damaged, &flipped).unwrap();
    let not_a_backup = dir.join("notes.txt");
    std::fs::write(&not_a_backup, "call Dana on Monday\n").unwrap();

    // an empty database stays empty (and migrated); one with a team keeps it, even with --force
    let (empty, empty_options) = fresh_database().await;
    let (busy, busy_options) = fresh_database().await;
    seeded_team(&busy, 5).await;
    let busy_touches = touch_count(&busy).await;
    for (file, says) in [
        (&truncated, "damaged"),
        (&damaged, "damaged"),
        (&not_a_backup, "not a backup"),
    ] {
        for (options, force) in [(&empty_options, false), (&busy_options, true)] {
            let mut args = vec!["admin", "restore", "--from", path_str(file)];
            if force {
                args.push("--force");
            }
            let out = secondcall(options, &args).await;
            assert!(!out.status.success(), "{} was restored", file.display());
            let err = stderr(&out);
            assert!(
                err.contains(says) && err.contains("nothing was changed"),
                "{}: {err}",
                file.display()
            );
        }
    }
    assert_eq!(team_count(&empty).await, 0);
    let migrations: i64 = sqlx::query_scalar("select count(*) from _sqlx_migrations")
        .fetch_one(&empty)
        .await
        .unwrap();
    assert_eq!(migrations, secondcall::db::MIGRATOR.iter().count() as i64);
    assert_eq!(team_count(&busy).await, 1);
    assert_eq!(touch_count(&busy).await, busy_touches);

    // a database with teams is refused without --force, and replaced with it
    let refused = secondcall(
        &busy_options,
        &["admin", "restore", "--from", path_str(&good)],
    )
    .await;
    assert!(!refused.status.success());
    let err = stderr(&refused);
    assert!(
        err.contains("already has 1 team(s)") && err.contains("--force"),
        "{err}"
    );
    assert_eq!(touch_count(&busy).await, busy_touches);
    let forced = secondcall(
        &busy_options,
        &["admin", "restore", "--from", path_str(&good), "--force"],
    )
    .await;
    assert!(forced.status.success(), "{}", stderr(&forced));
    assert!(stdout(&forced).contains("replacing 1 team(s)"));
    assert_eq!(touch_count(&busy).await, touch_count(&source).await);
    std::fs::remove_dir_all(&dir).ok();
}

#[tokio::test]
async fn a_backup_from_an_older_version_restores_and_is_migrated() {
    let (source, source_options) = fresh_database().await;
    seeded_team(&source, 4).await;
    // the database of the release before `backup_runs`
    let latest = BACKUP_RUNS_MIGRATION;
    sqlx::query("delete from _sqlx_migrations where version = $1")
        .bind(latest)
        .execute(&source)
        .await
        .unwrap();
    sqlx::query("drop table backup_runs")
        .execute(&source)
        .await
        .unwrap();
    let dir = temp_root();
    let file = dir.join("old.dump");
    let out = secondcall(
        &source_options,
        &["admin", "backup", "--to", path_str(&file)],
    )
    .await;
    assert!(out.status.success(), "{}", stderr(&out));
    let (target, target_options) = fresh_database().await;
    let out = secondcall(
        &target_options,
        &["admin", "restore", "--from", path_str(&file)],
    )
    .await;
    assert!(out.status.success(), "{}", stderr(&out));
    let applied: bool =
        sqlx::query_scalar("select exists(select 1 from _sqlx_migrations where version = $1)")
            .bind(latest)
            .fetch_one(&target)
            .await
            .unwrap();
    assert!(applied, "the restore applied this version's migrations");
    let doctor = secondcall(&target_options, &["admin", "doctor"]).await;
    assert!(
        stdout(&doctor).contains("ok            migrations: all"),
        "{}",
        stdout(&doctor)
    );
    std::fs::remove_dir_all(&dir).ok();
}

#[tokio::test]
async fn the_doctor_passes_a_healthy_database_and_says_what_needs_action() {
    let (db, options) = fresh_database().await;
    let team = seeded_team(&db, 6).await;
    let rebuilds = secondcall::due::rebuilds::Rebuilder::new(db.clone(), Clock::system(), None);
    rebuilds
        .run_now(team, secondcall::due::runs::RunTrigger::CatchUp, None)
        .await
        .unwrap();

    let healthy = secondcall(&options, &["admin", "doctor"]).await;
    let lines = stdout(&healthy);
    assert!(healthy.status.success(), "{lines}{}", stderr(&healthy));
    assert_eq!(lines.lines().count(), secondcall::ops::doctor::CHECKS.len());
    assert!(lines.lines().all(|l| l.starts_with("ok ")), "{lines}");
    assert!(lines.contains("database: PostgreSQL "), "{lines}");
    assert!(lines.contains("every list is current"), "{lines}");

    // a list two days old, and a migration not applied
    sqlx::query(
        "update due_lists set list_date = list_date - 2 where user_id = (select min(id) from users)",
    )
    .execute(&db)
    .await
    .unwrap();
    let latest = secondcall::db::MIGRATOR
        .iter()
        .map(|m| m.version)
        .max()
        .unwrap();
    sqlx::query("delete from _sqlx_migrations where version = $1")
        .bind(latest)
        .execute(&db)
        .await
        .unwrap();
    let sick = secondcall(&options, &["admin", "doctor"]).await;
    let lines = stdout(&sick);
    assert_eq!(sick.status.code(), Some(1), "{lines}");
    let needs: Vec<&str> = lines
        .lines()
        .filter(|l| l.starts_with("needs action"))
        .collect();
    assert_eq!(needs.len(), 2, "{lines}");
    assert!(
        needs[0].starts_with("needs action  migrations: 1 of")
            && needs[0].contains("secondcall migrate"),
        "{lines}"
    );
    assert!(
        needs[1].starts_with("needs action  nightly rebuild: 1 of 3 lists")
            && needs[1].contains("rebuild-due"),
        "{lines}"
    );
    assert!(stderr(&sick).contains("2 check(s) need action"));

    // backups on, but none taken: that too needs action
    let dir = temp_root();
    let out = tokio::process::Command::new(BIN)
        .env("DATABASE_URL", url_of(&options))
        .env("BACKUP_DIR", &dir)
        .args(["admin", "doctor"])
        .output()
        .await
        .unwrap();
    assert!(
        stdout(&out).contains("needs action  backups: no good backup yet"),
        "{}",
        stdout(&out)
    );
    std::fs::remove_dir_all(&dir).ok();
}

#[tokio::test]
async fn a_server_with_backup_dir_backs_up_once_a_day_after_the_rebuild_and_keeps_the_last_days() {
    let (db, options) = fresh_database().await;
    let dir = temp_root();
    // an old nightly backup, and a file of the operator's own
    let old = dir.join("secondcall-20200101-020000.dump");
    std::fs::write(&old, b"old").unwrap();
    let mine = dir.join("before-the-upgrade.dump");
    std::fs::write(&mine, b"mine").unwrap();
    let mut config = Config::for_database(url_of(&options));
    config.nightly = true;
    config.backup_dir = Some(dir.clone());
    config.backup_keep = 7;
    // noon UTC, so the day does not turn during the test's first minutes
    let noon = Utc::now()
        .date_naive()
        .and_hms_opt(12, 0, 0)
        .unwrap()
        .and_utc();
    app_team_only(&db).await;
    let app = TestApp::spawn_with(db.clone(), config, Clock::starting_at(noon)).await;

    let runs = || async {
        sqlx::query_as::<_, (String, String, Option<i64>)>(
            "select status, file, size_bytes from backup_runs where finished_at is not null order by id",
        )
        .fetch_all(&db)
        .await
        .unwrap()
    };
    let mut done = Vec::new();
    for _ in 0..200 {
        done = runs().await;
        if !done.is_empty() {
            break;
        }
        tokio::time::sleep(StdDuration::from_millis(100)).await;
    }
    assert_eq!(done.len(), 1, "the first tick backed up");
    let (status, file, size) = &done[0];
    assert_eq!(status, "ok");
    let file = PathBuf::from(file);
    assert_eq!(file.parent(), Some(dir.as_path()));
    assert_eq!(Some(std::fs::metadata(&file).unwrap().len() as i64), *size);
    assert!(
        !old.exists(),
        "a backup older than BACKUP_KEEP days is removed"
    );
    assert!(mine.exists(), "a file of another name is left alone");

    // the same day: no second backup; the next day: one more
    app.clock().advance(Duration::minutes(5));
    tokio::time::sleep(StdDuration::from_millis(500)).await;
    assert_eq!(runs().await.len(), 1);
    app.clock().advance(Duration::days(1));
    for _ in 0..200 {
        if runs().await.len() == 2 {
            break;
        }
        tokio::time::sleep(StdDuration::from_millis(100)).await;
    }
    assert_eq!(runs().await.len(), 2, "the next day's backup");
    assert!(file.exists(), "yesterday's backup is kept");

    // Settings shows the last one to managers; and a failure, with its error
    app.login("mia@acme.test").await;
    let page = app.get("/settings").await.text().await.unwrap();
    assert!(page.contains("Last nightly backup:"), "{page}");
    sqlx::query(
        "insert into backup_runs (started_at, finished_at, status, file, error) \
         values (now() + interval '3 days', now() + interval '3 days', 'failed', '/x', 'pg_dump failed: disk full')",
    )
    .execute(&db)
    .await
    .unwrap();
    let page = app.get("/settings").await.text().await.unwrap();
    assert!(page.contains("failed: pg_dump failed: disk full"), "{page}");
    std::fs::remove_dir_all(&dir).ok();
}

/// A team with its manager, before any server runs.
async fn app_team_only(db: &PgPool) {
    let team: i64 = sqlx::query_scalar("insert into teams (name) values ('Acme') returning id")
        .fetch_one(db)
        .await
        .unwrap();
    let hash = secondcall::auth::password::hash(PASSWORD.into())
        .await
        .unwrap();
    sqlx::query(
        "insert into users (team_id, email, name, role, time_zone, password_hash) \
         values ($1, 'mia@acme.test', 'Mia', 'manager', 'UTC', $2)",
    )
    .bind(team)
    .bind(hash)
    .execute(db)
    .await
    .unwrap();
}

#[tokio::test]
async fn old_rows_are_pruned_in_batches_and_history_is_never_touched() {
    let app = TestApp::spawn().await;
    let db = &app.db;
    let team = app.create_team("Acme", "mia@acme.test").await;
    let now = Utc::now();
    // 2,500 login failures of two days ago (more than two batches), 3 of an hour ago
    sqlx::query(
        "insert into login_failures (email, failed_at) \
         select 'x@y.test', $1 from generate_series(1, 2500)",
    )
    .bind(now - Duration::days(2))
    .execute(db)
    .await
    .unwrap();
    sqlx::query(
        "insert into login_failures (email, failed_at) select 'x@y.test', $1 from generate_series(1, 3)",
    )
    .bind(now - Duration::hours(1))
    .execute(db)
    .await
    .unwrap();
    sqlx::query(
        "insert into sessions (id, data, expiry_date) values ('gone', '', $1), ('alive', '', $2)",
    )
    .bind(now - Duration::minutes(1))
    .bind(now + Duration::days(1))
    .execute(db)
    .await
    .unwrap();
    for (days, status) in [(100, "ok"), (100, "running"), (10, "ok")] {
        sqlx::query(
            "insert into due_runs (team_id, trigger, started_at, finished_at, status) \
             values ($1, 'nightly', $2, case when $3 = 'running' then null else $2 end, $3)",
        )
        .bind(team)
        .bind(now - Duration::days(days))
        .bind(status)
        .execute(db)
        .await
        .unwrap();
        sqlx::query(
            "insert into backup_runs (started_at, finished_at, status, file) \
             values ($1, case when $2 = 'running' then null else $1 end, $2, '/b')",
        )
        .bind(now - Duration::days(days))
        .bind(status)
        .execute(db)
        .await
        .unwrap();
    }
    // history the reports read, however old
    let mia = user(&app, "mia@acme.test").await;
    let dm = crate::engine::new_dm(&app, &mia, "Old Contact", "warm").await;
    crate::engine::log_call(
        &app,
        &mia,
        secondcall::domain::cadence::ContactKind::DecisionMaker,
        dm,
        "no_answer",
        400,
        None,
    )
    .await;
    let touches = touch_count(db).await;

    let pruned = secondcall::background::prune::prune_once(db, now, &CancellationToken::new())
        .await
        .unwrap();
    let by_job: std::collections::HashMap<_, _> = pruned.into_iter().collect();
    assert_eq!(by_job["expired sessions"], 1);
    assert_eq!(by_job["login failures older than a day"], 2500);
    assert_eq!(by_job["rebuild runs older than 90 days"], 1);
    assert_eq!(by_job["backup runs older than 90 days"], 1);

    let count = |sql: &'static str| async move {
        sqlx::query_scalar::<_, i64>(sql)
            .fetch_one(db)
            .await
            .unwrap()
    };
    assert_eq!(count("select count(*) from login_failures").await, 3);
    assert_eq!(count("select count(*) from sessions").await, 1);
    // the running one and the recent one stay
    assert_eq!(count("select count(*) from due_runs").await, 2);
    assert_eq!(count("select count(*) from backup_runs").await, 2);
    assert_eq!(touch_count(db).await, touches);
}

#[tokio::test]
async fn a_pg_dump_older_than_the_server_is_refused_with_what_to_install() {
    let (_db, options) = fresh_database().await;
    let dir = temp_root();
    let bin = dir.join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    let fake = bin.join("pg_dump");
    std::fs::write(&fake, "#!/bin/sh\necho 'pg_dump (PostgreSQL) 9.6.24'\n").unwrap();
    std::fs::set_permissions(&fake, std::fs::Permissions::from_mode(0o755)).unwrap();
    let file = dir.join("never.dump");
    let out = tokio::process::Command::new(BIN)
        .env("DATABASE_URL", url_of(&options))
        .env("PG_BIN_DIR", &bin)
        .args(["admin", "backup", "--to", path_str(&file)])
        .output()
        .await
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(
        err.contains("pg_dump is version 9.6.24 but the database server is PostgreSQL")
            && err.contains("must be at least the server's major version")
            && err.contains("postgresql-client-"),
        "{err}"
    );
    assert!(!file.exists());
    assert_eq!(
        std::fs::read_dir(&dir).unwrap().count(),
        1,
        "no partial file is left"
    );
    std::fs::remove_dir_all(&dir).ok();
}
