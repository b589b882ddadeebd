//! Clients that keep sending requests through a fault and record how each one ended.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use reqwest::StatusCode;
use serde_json::{Value, json};

/// How a request ended, as its client saw it.
#[derive(Debug)]
pub enum Outcome {
    Answered(StatusCode, Value),
    /// No connection: the listener was closed.
    Refused,
    /// The connection closed before an answer (a kept-alive one the stopping server shut).
    Closed,
    /// No answer within the client's timeout (15 s): a hang.
    TimedOut,
}

/// One request: when it was sent, when it ended, and how.
#[derive(Debug)]
pub struct Request {
    pub started: Instant,
    pub ended: Instant,
    pub outcome: Outcome,
}

impl Request {
    /// The id of what a 201 answer created.
    pub fn created(&self) -> Option<i64> {
        match &self.outcome {
            Outcome::Answered(StatusCode::CREATED, body) => body["id"].as_i64(),
            _ => None,
        }
    }
}

/// Every client's requests, in the order they ended; the test reads it while they run.
pub type Requests = Arc<Mutex<Vec<Request>>>;

/// The body of an unanswered outbound call on a decision maker.
pub fn call_on(dm: i64) -> Value {
    json!({"decision_maker_id": dm, "channel": "call", "direction": "outbound",
           "outcome": "no_answer"})
}

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

/// A client with its own kept-alive connections: sends the requests `next` builds (the n-th
/// for n = 0, 1, …) with the token, one after the other, until `stop` or the listener is gone.
pub async fn keep_sending(
    token: String,
    stop: Arc<AtomicBool>,
    log: Requests,
    next: impl Fn(&reqwest::Client, usize) -> reqwest::RequestBuilder,
) {
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(15))
        .build()
        .unwrap();
    for n in 0.. {
        if stop.load(Ordering::Relaxed) {
            return;
        }
        let started = Instant::now();
        let outcome = send(next(&client, n).bearer_auth(&token)).await;
        let refused = matches!(outcome, Outcome::Refused);
        let request = Request {
            started,
            ended: Instant::now(),
            outcome,
        };
        log.lock().unwrap().push(request);
        if refused {
            return;
        }
    }
}
