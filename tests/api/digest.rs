//! The morning digest against a real SMTP server on loopback (`mailin-embedded`, an SMTP server
//! library): the app's own digest task, driven by the server's clock, and `send-digests` through
//! the function the binary calls.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration as StdDuration;

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use chrono_tz::America::New_York;
use mailin_embedded::response::{OK, Response};
use mailin_embedded::{Handler, Server, SslConfig};
use reqwest::{Method, StatusCode};
use secondcall::clock::Clock;
use secondcall::config::Config;
use serde_json::json;
use sqlx::PgPool;

use crate::helpers::{TestApp, assert_redirect, fresh_database};

/// One message as the SMTP server received it.
#[derive(Debug, Clone)]
struct Received {
    to: Vec<String>,
    raw: String,
}

/// What the server received, and a switch that makes it answer 451 (try later) to every mail.
#[derive(Clone, Default)]
struct Inbox {
    received: Arc<Mutex<Vec<Received>>>,
    refusing: Arc<AtomicBool>,
    to: Vec<String>,
    data: Vec<u8>,
}

impl Handler for Inbox {
    fn mail(&mut self, _ip: std::net::IpAddr, _domain: &str, _from: &str) -> Response {
        if self.refusing.load(Ordering::SeqCst) {
            Response::custom(451, "Mail system busy, try again later".into())
        } else {
            OK
        }
    }

    fn data_start(&mut self, _domain: &str, _from: &str, _is8bit: bool, to: &[String]) -> Response {
        self.to = to.to_vec();
        self.data.clear();
        OK
    }

    fn data(&mut self, buf: &[u8]) -> std::io::Result<()> {
        self.data.extend_from_slice(buf);
        Ok(())
    }

    fn data_end(&mut self) -> Response {
        let message = Received {
            to: self.to.clone(),
            raw: String::from_utf8_lossy(&self.data).into_owned(),
        };
        self.received.lock().unwrap().push(message);
        OK
    }
}

impl Inbox {
    fn all(&self) -> Vec<Received> {
        self.received.lock().unwrap().clone()
    }

    fn refuse(&self, refusing: bool) {
        self.refusing.store(refusing, Ordering::SeqCst);
    }
}

/// A real SMTP server on a free loopback port; its URL and inbox.
fn smtp_server() -> (String, Inbox) {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let inbox = Inbox::default();
    let mut server = Server::new(inbox.clone());
    server
        .with_name("mail.test")
        .with_ssl(SslConfig::None)
        .unwrap()
        .with_tcp_listener(listener);
    std::thread::spawn(move || {
        // runs until the test process ends; a failure to serve shows as missing mail
        if let Err(e) = server.serve() {
            eprintln!("the test SMTP server stopped: {e}");
        }
    });
    (format!("smtp://127.0.0.1:{port}"), inbox)
}

fn mail_config(smtp: &str) -> Config {
    let mut config = Config::for_database("postgres://unused");
    config.smtp_url = Some(smtp.to_string());
    config.mail_from = Some("Secondcall <secondcall@acme.test>".into());
    config.public_url = Some("https://crm.acme.test".into());
    config
}

/// `hour`:`minute` in New York on `day`.
fn at(day: NaiveDate, hour: u32, minute: u32) -> DateTime<Utc> {
    New_York
        .from_local_datetime(&day.and_hms_opt(hour, minute, 0).unwrap())
        .earliest()
        .unwrap()
        .with_timezone(&Utc)
}

fn new_york_today() -> NaiveDate {
    Utc::now().with_timezone(&New_York).date_naive()
}

async fn server(db: &PgPool, smtp: &str, now: DateTime<Utc>) -> TestApp {
    TestApp::spawn_with(db.clone(), mail_config(smtp), Clock::starting_at(now)).await
}

/// A decision maker of the token's user with talking points, first called ten days ago with a
/// note: a second call due today.
async fn dm_due(app: &TestApp, token: &str, name: &str) -> i64 {
    let (status, dm) = app
        .api(
            Method::POST,
            "/decision-makers",
            token,
            Some(json!({"name": name, "phone": "+1 212 555 0100",
                        "talking_points": "PRIVATE-TALKING-POINTS"})),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{dm}");
    let id = dm["id"].as_i64().unwrap();
    let when = app.clock().now() - Duration::days(10);
    let (status, body) = app
        .api(
            Method::POST,
            "/touches",
            token,
            Some(
                json!({"decision_maker_id": id, "channel": "call", "direction": "outbound",
                        "outcome": "no_answer", "occurred_at": when.to_rfc3339(),
                        "notes": "PRIVATE-NOTE-TEXT"}),
            ),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    id
}

/// A team, every day working, with Mia (manager, nothing due) and Rob (one second call due);
/// the lists built for today. Returns the team id and the two tokens.
async fn team(app: &TestApp) -> (i64, String, String) {
    let team = app.create_team("Acme", "mia@acme.test").await;
    app.create_user(team, "rob@acme.test", "recruiter").await;
    app.every_day_working(team).await;
    let mia = app.token_for("mia@acme.test").await;
    let rob = app.token_for("rob@acme.test").await;
    dm_due(app, &rob, "Dana Client").await;
    rebuild(app, &mia).await;
    (team, mia, rob)
}

async fn rebuild(app: &TestApp, manager: &str) {
    let (status, body) = app.api(Method::POST, "/due/rebuild", manager, None).await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

/// Polls `check` every 100 ms for up to 20 s.
async fn eventually<F: FnMut() -> bool>(what: &str, mut check: F) {
    for _ in 0..200 {
        if check() {
            return;
        }
        tokio::time::sleep(StdDuration::from_millis(100)).await;
    }
    panic!("timed out waiting for: {what}");
}

async fn statuses(db: &PgPool) -> Vec<(String, String, i32)> {
    sqlx::query_as(
        "select u.email, d.status, d.attempts from digest_sends d join users u on u.id = d.user_id order by u.email",
    )
    .fetch_all(db)
    .await
    .unwrap()
}

#[tokio::test]
async fn the_digest_goes_out_once_at_the_digest_hour_with_two_instances_on_one_database() {
    let (smtp, inbox) = smtp_server();
    let (db, _) = fresh_database().await;
    let day = new_york_today();
    let one = server(&db, &smtp, at(day, 6, 30)).await;
    let two = server(&db, &smtp, at(day, 6, 30)).await;
    team(&one).await;
    tokio::time::sleep(StdDuration::from_millis(500)).await;
    assert!(inbox.all().is_empty(), "nothing before the digest hour");

    one.clock().set(at(day, 7, 5));
    two.clock().set(at(day, 7, 5));
    eventually("the digest", || !inbox.all().is_empty()).await;
    tokio::time::sleep(StdDuration::from_millis(1500)).await;
    one.clock().advance(Duration::minutes(5));
    two.clock().advance(Duration::minutes(5));
    tokio::time::sleep(StdDuration::from_millis(1000)).await;

    let mails = inbox.all();
    assert_eq!(
        mails.len(),
        1,
        "one mail, to Rob only (Mia has nothing due)"
    );
    let m = &mails[0];
    assert_eq!(m.to, vec!["rob@acme.test".to_string()]);
    assert!(m.raw.contains("To: rob@acme.test"), "{}", m.raw);
    assert!(
        m.raw.contains("Subject: Secondcall: 1 follow-up due today"),
        "{}",
        m.raw
    );
    assert!(m.raw.contains("Second call: 1"), "{}", m.raw);
    assert!(m.raw.contains("Dana Client"), "{}", m.raw);
    assert!(m.raw.contains("tel:+12125550100"), "{}", m.raw);
    assert!(m.raw.contains("https://crm.acme.test/today"), "{}", m.raw);
    assert!(
        m.raw.contains("text/plain") && m.raw.contains("text/html"),
        "{}",
        m.raw
    );
    assert!(!m.raw.contains("PRIVATE-NOTE-TEXT") && !m.raw.contains("PRIVATE-TALKING-POINTS"));
    let sent: Vec<(String, String, i32)> = statuses(&db)
        .await
        .into_iter()
        .filter(|s| s.1 == "sent")
        .collect();
    assert_eq!(sent, vec![("rob@acme.test".into(), "sent".into(), 1)]);
}

#[tokio::test]
async fn nobody_away_off_or_with_nothing_due_gets_one_and_the_coverer_gets_the_covered_items() {
    let (smtp, inbox) = smtp_server();
    let (db, _) = fresh_database().await;
    let day = new_york_today();
    let app = server(&db, &smtp, at(day, 6, 0)).await;
    let team = app.create_team("Acme", "mia@acme.test").await;
    app.every_day_working(team).await;
    let rob_id = app.create_user(team, "rob@acme.test", "recruiter").await;
    let sam_id = app.create_user(team, "sam@acme.test", "recruiter").await;
    app.create_user(team, "tom@acme.test", "recruiter").await;
    let mia = app.token_for("mia@acme.test").await;
    let rob = app.token_for("rob@acme.test").await;
    let sam = app.token_for("sam@acme.test").await;
    let tom = app.token_for("tom@acme.test").await;
    dm_due(&app, &rob, "Rita Robsclient").await;
    dm_due(&app, &sam, "Sid Samsclient").await;
    dm_due(&app, &tom, "Tina Tomsclient").await;
    // Rob is away today, Sam covers; Tom turned the morning email off
    let (status, body) = app
        .api(
            Method::POST,
            &format!("/users/{rob_id}/away"),
            &rob,
            Some(json!({"from": day, "to": day, "covered_by": sam_id})),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    app.login("tom@acme.test").await;
    let resp = app.post_form("/account/digest", &[("on", "false")]).await;
    assert_redirect(&resp, "/account");
    let page = app.get("/account").await.text().await.unwrap();
    assert!(
        page.contains("The morning email is <strong>off</strong>"),
        "{page}"
    );
    let _ = tom;
    rebuild(&app, &mia).await;

    app.clock().set(at(day, 7, 1));
    eventually("the digest", || !inbox.all().is_empty()).await;
    tokio::time::sleep(StdDuration::from_millis(1500)).await;
    let mails = inbox.all();
    assert_eq!(mails.len(), 1, "Sam's only: {mails:?}");
    assert_eq!(mails[0].to, vec!["sam@acme.test".to_string()]);
    let raw = &mails[0].raw;
    assert!(
        raw.contains("Sid Samsclient") && raw.contains("Rita Robsclient"),
        "{raw}"
    );
    assert!(raw.contains("covering for User rob@acme.test"), "{raw}");
    assert!(raw.contains("Second call: 2"), "{raw}");
    let by_user = statuses(&db).await;
    assert!(
        by_user.contains(&("rob@acme.test".into(), "skipped".into(), 0)),
        "{by_user:?}"
    );
    assert!(
        by_user.contains(&("mia@acme.test".into(), "empty".into(), 0)),
        "{by_user:?}"
    );
    assert!(
        !by_user.iter().any(|s| s.0 == "tom@acme.test"),
        "{by_user:?}"
    );
}

#[tokio::test]
async fn send_digests_sends_each_once_and_nothing_on_a_holiday() {
    let (smtp, inbox) = smtp_server();
    let (db, _) = fresh_database().await;
    let day = new_york_today();
    // before the digest hour: the server's own task sends nothing
    let app = server(&db, &smtp, at(day, 5, 0)).await;
    let (team, mia, _) = team(&app).await;
    let holiday = day + Duration::days(1);
    let (status, body) = app
        .api(
            Method::PATCH,
            "/settings",
            &mia,
            Some(json!({"holidays": [holiday], "digest_hour": 8})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["digest_hour"], 8);
    let (status, body) = app
        .api(
            Method::PATCH,
            "/settings",
            &mia,
            Some(json!({"digest_hour": 24})),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["error"]["field"], "digest_hour");

    let config = mail_config(&smtp);
    let clock = app.clock().clone();
    let on_holiday = secondcall::cli::send_digests(&db, &config, Some(team), Some(holiday), &clock)
        .await
        .unwrap();
    assert_eq!(on_holiday.sent, 0);
    let first = secondcall::cli::send_digests(&db, &config, Some(team), None, &clock)
        .await
        .unwrap();
    assert_eq!(first.sent, 1);
    let again = secondcall::cli::send_digests(&db, &config, Some(team), None, &clock)
        .await
        .unwrap();
    assert_eq!(again.sent, 0, "already sent today");
    assert_eq!(inbox.all().len(), 1);
    assert!(
        secondcall::cli::send_digests(&db, &config, Some(team + 100), None, &clock)
            .await
            .is_err()
    );
}

#[tokio::test]
async fn a_mail_server_that_is_down_is_retried_then_given_up_at_the_end_of_the_day_and_settings_shows_it()
 {
    let (smtp, inbox) = smtp_server();
    let (db, _) = fresh_database().await;
    let day = new_york_today();
    let app = server(&db, &smtp, at(day, 6, 0)).await;
    team(&app).await;
    inbox.refuse(true);

    app.clock().set(at(day, 7, 0));
    let attempts = |n: i32| {
        let db = db.clone();
        async move {
            for _ in 0..200 {
                let s = statuses(&db).await;
                if s.iter()
                    .any(|r| r.0 == "rob@acme.test" && r.1 == "retry" && r.2 >= n)
                {
                    return;
                }
                tokio::time::sleep(StdDuration::from_millis(100)).await;
            }
            panic!("no attempt {n}: {:?}", statuses(&db).await);
        }
    };
    attempts(1).await;
    // the wait before the next try has passed: tried again, still refused
    app.clock().advance(Duration::minutes(2));
    attempts(2).await;
    // the manager sees the failure, and the test email shows the server's refusal
    app.login("mia@acme.test").await;
    let page = app.get("/settings").await.text().await.unwrap();
    assert!(page.contains("failed 2 times, trying again"), "{page}");
    assert!(page.contains("451"), "{page}");
    let resp = app.post_form("/settings/test-email", &[]).await;
    assert_redirect(&resp, "/settings");
    let page = app.get("/settings").await.text().await.unwrap();
    assert!(page.contains("The test email did not go out"), "{page}");

    // the day ends in New York: given up, never sent
    app.clock().set(at(day + Duration::days(1), 0, 30));
    for _ in 0..200 {
        if statuses(&db).await.iter().any(|r| r.1 == "given_up") {
            break;
        }
        tokio::time::sleep(StdDuration::from_millis(100)).await;
    }
    let page = app.get("/settings").await.text().await.unwrap();
    assert!(page.contains("given up after 2 tries"), "{page}");
    assert!(inbox.all().is_empty());

    // the server is back: the test email goes out and the page shows its answer
    inbox.refuse(false);
    let resp = app.post_form("/settings/test-email", &[]).await;
    assert_redirect(&resp, "/settings");
    let page = app.get("/settings").await.text().await.unwrap();
    assert!(page.contains("The mail server answered: 250"), "{page}");
    let mails = inbox.all();
    assert_eq!(mails.len(), 1);
    assert_eq!(mails[0].to, vec!["mia@acme.test".to_string()]);
}

#[tokio::test]
async fn the_doctor_says_whether_the_mail_server_answers() {
    let (db, _) = crate::helpers::fresh_database().await;
    let (smtp, _inbox) = smtp_server();
    let finding = |config: Config| {
        let db = db.clone();
        async move {
            let doctor = secondcall::ops::doctor::Doctor {
                db: &db,
                config: &config,
                now: Utc::now(),
            };
            doctor
                .examine()
                .await
                .into_iter()
                .filter(|f| f.check == "mail" || f.check == "public address")
                .collect::<Vec<_>>()
        }
    };
    let mut config = mail_config(&smtp);
    config.trusted_proxies = vec!["127.0.0.1/32".parse().unwrap()];
    let up = finding(config).await;
    assert!(up.iter().all(|f| !f.needs_action()), "{up:?}");
    assert!(up[0].detail.contains("answers"), "{up:?}");

    // nobody listens on the port any more
    let closed = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let mut config = mail_config(&format!("smtp://127.0.0.1:{closed}"));
    config.public_url = None;
    let down = finding(config).await;
    assert!(down.iter().all(|f| f.needs_action()), "{down:?}");
    assert!(down[0].line().contains("check SMTP_URL"), "{down:?}");
    assert!(down[1].line().contains("PUBLIC_URL"), "{down:?}");
}
