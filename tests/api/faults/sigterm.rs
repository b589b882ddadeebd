//! SIGTERM while requests are in flight, on the embedded default: the requests the server had
//! finish, later ones are refused at once, and the server stops its cluster and exits in time.

use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use reqwest::StatusCode;
use serde_json::{Value, json};
use sqlx::postgres::PgConnectOptions;

use super::{Server, TempFolder, poll, secondcall, small_pool};

/// What a container runtime waits between SIGTERM and SIGKILL, less room to spare.
const EXIT_WITHIN: Duration = Duration::from_secs(8);

/// How a request ended, as its client saw it.
#[derive(Debug)]
enum Outcome {
    Answered(StatusCode, Value),
    /// No connection: the listener was closed.
    Refused,
    /// The connection closed before an answer (a kept-alive one the stopping server shut).
    Closed,
    /// No answer within the client's timeout: a hang.
    TimedOut,
}

struct Request {
    started: Instant,
    ended: Instant,
    outcome: Outcome,
}

type Requests = Arc<Mutex<Vec<Request>>>;

async fn send(req: reqwest::RequestBuilder) -> Outcome {
    match req.send().await {
        Ok(resp) => {
            let status = resp.status();
            Outcome::Answered(status, resp.json().await.unwrap_or(Value::Null))
        }
        Err(e) if e.is_timeout() => Outcome::TimedOut,
        Err(e) if e.is_connect() => Outcome::Refused,
        Err(_) => Outcome::Closed,
    }
}

/// Logs a touch, then reads the list, and again, until `stop` or the listener is gone.
async fn client_loop(base: String, token: String, dm: i64, stop: Arc<AtomicBool>, log: Requests) {
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(15))
        .build()
        .unwrap();
    let touch = json!({"decision_maker_id": dm, "channel": "call", "direction": "outbound",
                       "outcome": "no_answer"});
    for i in 0.. {
        if stop.load(Ordering::Relaxed) {
            return;
        }
        let req = if i % 2 == 0 {
            client.post(format!("{base}/api/v1/touches")).json(&touch)
        } else {
            client.get(format!("{base}/api/v1/due"))
        };
        let started = Instant::now();
        let outcome = send(req.bearer_auth(&token)).await;
        let refused = matches!(outcome, Outcome::Refused);
        let ended = Instant::now();
        log.lock().unwrap().push(Request {
            started,
            ended,
            outcome,
        });
        if refused {
            return;
        }
    }
}

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

fn embedded_database(folder: &Path) -> PgConnectOptions {
    PgConnectOptions::new()
        .socket(folder.join("data/postgres"))
        .username("postgres")
        .database("secondcall")
}

fn cluster_running(folder: &Path) -> bool {
    folder.join("data/postgres/postmaster.pid").exists()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_lets_requests_in_flight_finish_and_the_server_stops_its_cluster_in_time() {
    let folder = TempFolder::new();
    let dir = folder.path();
    let pause = |cmd: &mut Command| {
        cmd.env("SECONDCALL_REBUILD_PAUSE_MS", "1500");
    };
    let mut server = Server::start(dir, pause).await;
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
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(15))
        .build()
        .unwrap();
    let dm: Value = client
        .post(server.url("/api/v1/decision-makers"))
        .bearer_auth(&token)
        .json(&json!({"name": "Dana Lee", "phone": "+1 212 555 0100"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let dm = dm["id"].as_i64().unwrap();
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
            let task = client_loop(server.url(""), token.clone(), dm, stop.clone(), log.clone());
            tokio::spawn(task)
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
    let mut counts = [0; 4];
    let mut acknowledged = Vec::new();
    for r in &requests {
        match &r.outcome {
            Outcome::Answered(status, body) => {
                assert!(status.is_success(), "{status} {body}");
                acknowledged.extend(
                    body["id"]
                        .as_i64()
                        .filter(|_| *status == StatusCode::CREATED),
                );
                counts[0] += 1;
            }
            Outcome::Refused => counts[1] += 1,
            Outcome::Closed => counts[2] += 1,
            Outcome::TimedOut => panic!("a request hung for {:?}", r.ended - r.started),
        }
    }
    let in_flight = requests
        .iter()
        .filter(|r| r.started < signalled && r.ended > signalled);
    counts[3] = in_flight.count();

    // the same folder starts again, with every acknowledged touch
    let again = Server::start(dir, |_| {}).await;
    let db = small_pool(&embedded_database(dir)).await;
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
    db.close().await;
    let mut again = again;
    again.terminate();
    let exit = again.exit_within(EXIT_WITHIN).await;
    assert!(exit.is_some_and(|s| s.success()), "{exit:?}");
    assert!(!cluster_running(dir));
    eprintln!(
        "exit {exit_time:?} after SIGTERM; {} requests: {} answered 2xx ({} touches), {} refused, \
         {} closed unanswered, {} in flight at the signal; the rebuild ended {:?} after it",
        requests.len(),
        counts[0],
        acknowledged.len(),
        counts[1],
        counts[2],
        counts[3],
        slow_ended - signalled,
    );
}
