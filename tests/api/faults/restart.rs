//! PostgreSQL restarted while touches are written: nothing acknowledged is lost, the requests
//! caught in the outage answer a clean 503, and writing works again by itself.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use reqwest::{Method, StatusCode};
use secondcall::clock::Clock;
use secondcall::config::Config;
use serde_json::json;
use sqlx::postgres::PgConnectOptions;

use super::load::{Outcome, Request, Requests, call_on, keep_sending};
use super::{PrivateCluster, poll, restart_postgres, small_pool};
use crate::helpers::TestApp;

/// How many clients write at once.
const WRITERS: usize = 6;

/// When the last answer other than 201 came, if one came after `since`, and how many 201s
/// started after it (or after `since`).
fn since_last_failure(answers: &[Request], since: Instant) -> (Option<Instant>, usize) {
    let last_failure = answers
        .iter()
        .filter(|a| a.created().is_none() && a.ended >= since)
        .map(|a| a.ended)
        .max();
    let from = last_failure.unwrap_or(since).max(since);
    let ok = answers
        .iter()
        .filter(|a| a.started >= from && a.created().is_some())
        .count();
    (last_failure, ok)
}

/// The app in-process on a private cluster, its pool exactly as `serve` makes it (no ping
/// before each use, see `db::connect`), grown to its full size so that the restart cuts idle
/// connections too; a manager's token and one decision maker per writer.
async fn app_on_private_cluster() -> (PrivateCluster, PgConnectOptions, TestApp, String, Vec<i64>) {
    let cluster = PrivateCluster::start();
    let options = cluster.database().await;
    let pool = secondcall::db::connect(options.clone(), 16).await.unwrap();
    let config = Config::for_database("postgres://unused");
    let app = TestApp::spawn_with(pool, config, Clock::system()).await;
    let team = app.create_team("Acme", "mia@acme.test").await;
    app.every_day_working(team).await;
    let token = app.token_for("mia@acme.test").await;
    let mut dms = Vec::new();
    for i in 0..WRITERS {
        let body = json!({"name": format!("Dana {i}"), "phone": "+1 212 555 0100"});
        let (status, dm) = app
            .api(Method::POST, "/decision-makers", &token, Some(body))
            .await;
        assert_eq!(status, StatusCode::CREATED, "{dm}");
        dms.push(dm["id"].as_i64().unwrap());
    }
    let conns = futures_util::future::join_all((0..16).map(|_| app.db.acquire())).await;
    assert!(conns.iter().all(Result::is_ok));
    drop(conns);
    // each goes back to the pool after a ping of its own
    poll(
        "the connections back in the pool",
        Duration::from_secs(5),
        || async { (app.db.num_idle() >= 16).then_some(()) },
    )
    .await;
    (cluster, options, app, token, dms)
}

/// A 503 that says the database is away: the only failure a restart may cause.
fn assert_unavailable(outcome: &Outcome) {
    match outcome {
        Outcome::Answered(StatusCode::SERVICE_UNAVAILABLE, body) => {
            assert_eq!(body["error"]["code"], "unavailable", "{body}");
        }
        other => panic!("a failure during the restart is a clean 503, not {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn touches_written_across_a_postgresql_restart_are_kept_refused_cleanly_or_resumed_alone() {
    let (cluster, options, app, token, dms) = app_on_private_cluster().await;
    let (stop, answers): (Arc<AtomicBool>, Requests) = Default::default();
    let writers: Vec<_> = dms
        .iter()
        .map(|&dm| {
            let url = app.url("/api/v1/touches");
            let touch = move |c: &reqwest::Client, _| c.post(&url).json(&call_on(dm));
            tokio::spawn(keep_sending(
                token.clone(),
                stop.clone(),
                answers.clone(),
                touch,
            ))
        })
        .collect();
    poll(
        "touches written before the restart",
        Duration::from_secs(10),
        || async {
            let ok = answers
                .lock()
                .unwrap()
                .iter()
                .filter(|a| a.created().is_some())
                .count();
            (ok >= 30).then_some(())
        },
    )
    .await;

    let restart_began = Instant::now();
    let data = cluster.data_dir();
    tokio::task::spawn_blocking(move || restart_postgres(&data))
        .await
        .unwrap();
    let restarted = Instant::now();
    // recovered: 30 touches in a row acknowledged after the last failure
    let last_failure = poll(
        "writes to succeed again",
        Duration::from_secs(10),
        || async {
            let (last, ok) = since_last_failure(&answers.lock().unwrap(), restarted);
            (ok >= 30).then_some(last)
        },
    )
    .await;
    stop.store(true, Ordering::Relaxed);
    for w in writers {
        w.await.unwrap();
    }

    let answers = std::mem::take(&mut *answers.lock().unwrap());
    let recovery = last_failure.map_or(Duration::ZERO, |t| t.saturating_duration_since(restarted));
    assert!(
        recovery < Duration::from_secs(5),
        "requests failed for {recovery:?} after PostgreSQL was back"
    );
    let failures: Vec<&Request> = answers.iter().filter(|a| a.created().is_none()).collect();
    for failure in &failures {
        assert_unavailable(&failure.outcome);
    }
    let slowest = answers.iter().map(|a| a.ended - a.started).max().unwrap();
    assert!(
        slowest < Duration::from_secs(11),
        "a request waited {slowest:?}"
    );

    // every acknowledged touch is stored
    let acknowledged: Vec<i64> = answers.iter().filter_map(Request::created).collect();
    let db = small_pool(&options).await;
    let stored: i64 = sqlx::query_scalar("select count(*) from touches where id = any($1)")
        .bind(&acknowledged)
        .fetch_one(&db)
        .await
        .unwrap();
    assert_eq!(
        stored,
        acknowledged.len() as i64,
        "acknowledged touches lost"
    );
    let all: i64 = sqlx::query_scalar("select count(*) from touches")
        .fetch_one(&db)
        .await
        .unwrap();
    eprintln!(
        "restart took {:?}; {} requests, {} acknowledged, {} failed (last {:?} after the restart), \
         {} stored without an acknowledgement; slowest request {slowest:?}",
        restarted - restart_began,
        answers.len(),
        acknowledged.len(),
        failures.len(),
        recovery,
        all - acknowledged.len() as i64,
    );
    db.close().await;
}

/// A quiet server: its pooled connections have sat idle past `db::PING_AFTER_IDLE` when the
/// next request comes, so each is pinged first and dropped unseen if it died.
#[tokio::test]
async fn after_a_restart_while_the_server_was_quiet_no_request_fails() {
    let (cluster, _, app, token, dms) = app_on_private_cluster().await;
    let quiet_until = tokio::time::Instant::now() + secondcall::db::PING_AFTER_IDLE;
    let idle = app.db.num_idle();
    restart_postgres(&cluster.data_dir());
    // the quiet spell is the scenario itself, not a wait for something to be ready
    tokio::time::sleep_until(quiet_until).await;
    for _ in 0..20 {
        let touch = Some(call_on(dms[0]));
        let (status, body) = app.api(Method::POST, "/touches", &token, touch).await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
    }
    eprintln!("no request failed after the restart; {idle} connections were idle before it");
}
