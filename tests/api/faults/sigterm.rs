//! SIGTERM while requests are in flight, on the embedded default: the requests the server had
//! finish, later ones are refused at once, and the server stops its cluster and exits in time.

use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use reqwest::StatusCode;
use serde_json::{Value, json};
use sqlx::postgres::PgConnectOptions;

use super::load::{Outcome, Request, Requests, call_on, keep_sending};
use super::{Server, TempFolder, poll, secondcall, small_pool};

/// What a container runtime waits between SIGTERM and SIGKILL, less room to spare.
const EXIT_WITHIN: Duration = Duration::from_secs(8);

/// `secondcall admin …` on the server's folder, the password on standard input; its output.
fn admin(folder: &Path, port: u16, args: &[&str]) -> String {
    let mut child = secondcall(folder, port)
        .arg("admin")
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"correct horse battery\n")
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "secondcall admin {args:?} failed: {err}"
    );
    String::from_utf8(out.stdout).unwrap().trim().to_string()
}

/// A team made with `secondcall admin` beside the running server, as an operator would: the
/// manager's token and a decision maker of theirs.
async fn team(dir: &Path, server: &Server) -> (String, i64) {
    let create = [
        "create-team",
        "--team",
        "Acme",
        "--email",
        "mia@acme.test",
        "--name",
        "Mia",
        "--password-stdin",
    ];
    admin(dir, server.port, &create);
    let token = admin(
        dir,
        server.port,
        &["create-token", "--email", "mia@acme.test"],
    );
    let dm: Value = reqwest::Client::new()
        .post(server.url("/api/v1/decision-makers"))
        .bearer_auth(&token)
        .json(&json!({"name": "Dana Lee", "phone": "+1 212 555 0100"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    (token, dm["id"].as_i64().unwrap())
}

fn embedded_database(folder: &Path) -> PgConnectOptions {
    PgConnectOptions::new()
        .socket(folder.join("data/postgres"))
        .username("postgres")
        .database("secondcall")
}

fn cluster_running(folder: &Path) -> bool {
    folder.join("data/postgres/postmaster.pid").exists()
}

/// The requests of a run, by how they ended; only answers (all 2xx), refusals and closed
/// connections are allowed, never a hang.
struct Tally {
    requests: usize,
    answered: usize,
    refused: usize,
    closed: usize,
    in_flight_at_signal: usize,
    /// The ids of the touches answered 201.
    touches: Vec<i64>,
}

impl Tally {
    fn of(requests: &[Request], signalled: Instant) -> Self {
        let mut tally = Self {
            requests: requests.len(),
            answered: 0,
            refused: 0,
            closed: 0,
            in_flight_at_signal: 0,
            touches: Vec::new(),
        };
        for r in requests {
            match &r.outcome {
                Outcome::Answered(status, body) => {
                    assert!(status.is_success(), "{status} {body}");
                    tally.touches.extend(r.created());
                    tally.answered += 1;
                }
                Outcome::Refused => tally.refused += 1,
                Outcome::Closed => tally.closed += 1,
                Outcome::TimedOut => panic!("a request hung for {:?}", r.ended - r.started),
            }
            if r.started < signalled && r.ended > signalled {
                tally.in_flight_at_signal += 1;
            }
        }
        tally
    }
}

impl std::fmt::Display for Tally {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} requests: {} answered 2xx ({} touches), {} refused, {} closed unanswered, \
             {} in flight at the signal",
            self.requests,
            self.answered,
            self.touches.len(),
            self.refused,
            self.closed,
            self.in_flight_at_signal
        )
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_lets_requests_in_flight_finish_and_the_server_stops_its_cluster_in_time() {
    let folder = TempFolder::new();
    let dir = folder.path();
    let pause = |cmd: &mut Command| {
        cmd.env("SECONDCALL_REBUILD_PAUSE_MS", "1500");
    };
    let mut server = Server::start(dir, pause).await;
    let (token, dm) = team(dir, &server).await;
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(15))
        .build()
        .unwrap();
    let rebuild = || {
        client
            .post(server.url("/api/v1/due/rebuild"))
            .bearer_auth(&token)
            .send()
    };
    // a catch-up at start that saw the new team holds its rebuild for a moment (409)
    poll("a first rebuild", Duration::from_secs(20), || async {
        let status = rebuild().await.unwrap().status();
        assert!(
            matches!(status, StatusCode::OK | StatusCode::CONFLICT),
            "{status}"
        );
        (status == StatusCode::OK).then_some(())
    })
    .await;

    let (stop, log): (Arc<AtomicBool>, Requests) = Default::default();
    let clients: Vec<_> = (0..8)
        .map(|_| {
            let (touches, due) = (server.url("/api/v1/touches"), server.url("/api/v1/due"));
            // a touch, then the list, and again
            let next = move |c: &reqwest::Client, n: usize| match n % 2 {
                0 => c.post(&touches).json(&call_on(dm)),
                _ => c.get(&due),
            };
            tokio::spawn(keep_sending(token.clone(), stop.clone(), log.clone(), next))
        })
        .collect();
    poll(
        "requests answered under load",
        Duration::from_secs(10),
        || async { (log.lock().unwrap().len() >= 40).then_some(()) },
    )
    .await;
    // a slow request: the rebuild pauses 1.5 s after its one user; SIGTERM comes in the pause
    let slow = tokio::spawn({
        let req = rebuild();
        async move { (req.await.map(|r| r.status()), Instant::now()) }
    });
    let db = small_pool(&embedded_database(dir)).await;
    poll(
        "the rebuild in its pause",
        Duration::from_secs(10),
        || async {
            let n: i64 = sqlx::query_scalar(
                "select count(*) from due_runs where trigger = 'manual' and status = 'running' \
                 and users_rebuilt = 1",
            )
            .fetch_one(&db)
            .await
            .unwrap();
            (n == 1).then_some(())
        },
    )
    .await;
    db.close().await;

    let signalled = Instant::now();
    server.terminate();
    let exit = server.exit_within(EXIT_WITHIN).await;
    let exit_time = signalled.elapsed();
    stop.store(true, Ordering::Relaxed);
    for c in clients {
        c.await.unwrap();
    }
    assert!(
        exit.is_some_and(|s| s.success()),
        "exit {exit:?} after {exit_time:?}"
    );
    assert!(
        !cluster_running(dir),
        "the embedded cluster stopped with the server"
    );
    let (slow, slow_ended) = slow.await.unwrap();
    assert_eq!(
        slow.unwrap(),
        StatusCode::OK,
        "the rebuild in flight finished"
    );
    assert!(slow_ended > signalled);

    let requests = std::mem::take(&mut *log.lock().unwrap());
    let tally = Tally::of(&requests, signalled);

    // the same folder starts again, with every acknowledged touch
    let mut again = Server::start(dir, |_| {}).await;
    let db = small_pool(&embedded_database(dir)).await;
    let stored: i64 = sqlx::query_scalar("select count(*) from touches where id = any($1)")
        .bind(&tally.touches)
        .fetch_one(&db)
        .await
        .unwrap();
    assert_eq!(
        stored,
        tally.touches.len() as i64,
        "acknowledged touches lost"
    );
    db.close().await;
    again.terminate();
    let exit = again.exit_within(EXIT_WITHIN).await;
    assert!(exit.is_some_and(|s| s.success()), "{exit:?}");
    assert!(!cluster_running(dir));
    eprintln!(
        "exit {exit_time:?} after SIGTERM; {tally}; the rebuild ended {:?} after it",
        slow_ended - signalled,
    );
}
