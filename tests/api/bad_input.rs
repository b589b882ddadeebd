//! Bad bytes over real HTTP: a control character in any text field, JSON or form, or in a query
//! parameter, is a 422 naming the field, and nothing is written; search text is capped at 200
//! characters; long text is refused cleanly; odd but printable Unicode is stored exactly.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use sqlx::PgPool;

use crate::helpers::TestApp;

mod json;
mod long_text;
mod pages;

/// What is sent: NUL (PostgreSQL refuses it in text) and BEL (no person types it).
const BAD: [char; 2] = ['\u{0}', '\u{7}'];

/// Accents, an emoji and a clef (4-byte characters), right-to-left marks around Hebrew, a
/// combining accent, CJK: all printable, all to be stored as sent.
const ODD: &str = "Zoë 😀 \u{200f}שלום\u{200e} e\u{301} 𝄞 漢字";

/// A team whose manager Mia is signed in on the client and holds a token, with one of everything
/// to edit: a company, a decision maker, a candidate in a job, and a touch.
struct World {
    app: TestApp,
    token: String,
    mia: i64,
    company: i64,
    dm: i64,
    candidate: i64,
    job: i64,
    application: i64,
    touch: i64,
}

async fn world() -> World {
    let app = TestApp::spawn().await;
    app.setup_team("Acme", "mia@acme.test").await;
    let token = app.token_for("mia@acme.test").await;
    let (_, me) = app.api(Method::GET, "/me", &token, None).await;
    let mut w = World {
        mia: me["id"].as_i64().unwrap(),
        app,
        token,
        company: 0,
        dm: 0,
        candidate: 0,
        job: 0,
        application: 0,
        touch: 0,
    };
    w.company = w.create("/companies", json!({"name": "Globex"})).await;
    let dm = json!({"name": "Hana Hiring", "company_id": w.company, "temperature": "cold"});
    w.dm = w.create("/decision-makers", dm).await;
    w.candidate = w
        .create("/candidates", json!({"name": "Cal Candidate"}))
        .await;
    let job = json!({"title": "Staff engineer", "company_id": w.company});
    w.job = w.create("/jobs", job).await;
    let application = json!({"job_id": w.job, "candidate_id": w.candidate, "stage": "screening"});
    w.application = w.create("/applications", application).await;
    let touch = json!({"decision_maker_id": w.dm, "channel": "email", "outcome": "sent"});
    w.touch = w.create("/touches", touch).await;
    w
}

impl World {
    async fn call(&self, method: Method, path: &str, body: Option<Value>) -> (StatusCode, Value) {
        self.app.api(method, path, &self.token, body).await
    }

    /// Creates something through the API and returns its id, asserting the 201.
    async fn create(&self, path: &str, body: Value) -> i64 {
        let (status, created) = self.call(Method::POST, path, Some(body)).await;
        assert_eq!(status, StatusCode::CREATED, "{path}: {created}");
        created["id"].as_i64().unwrap()
    }

    /// The page as text, with its status.
    async fn page(&self, path: &str) -> (StatusCode, String) {
        let resp = self.app.get(path).await;
        (resp.status(), resp.text().await.unwrap())
    }
}

/// Tables a request can write, each as a digest of its rows (api_tokens by count: using a token
/// stamps `last_used_at`). Equal before and after a request means it wrote nothing.
async fn fingerprint(db: &PgPool) -> String {
    let tables = [
        "teams",
        "users",
        "team_settings",
        "login_failures",
        "companies",
        "company_events",
        "decision_makers",
        "candidates",
        "touches",
        "touch_revisions",
        "due_snoozes",
        "job_orders",
        "job_status_changes",
        "applications",
        "application_stage_changes",
    ];
    let mut all = String::new();
    for table in tables {
        let sql = format!(
            "select coalesce(md5(string_agg(t::text, '|' order by t::text)), '') from {table} t"
        );
        let digest: String = sqlx::query_scalar(&sql).fetch_one(db).await.unwrap();
        all.push_str(&format!("{table}: {digest}\n"));
    }
    let tokens: i64 = sqlx::query_scalar("select count(*) from api_tokens")
        .fetch_one(db)
        .await
        .unwrap();
    all.push_str(&format!("api_tokens: {tokens}\n"));
    all
}

/// `text` with `bad` in its middle (or alone, when empty).
fn spoil(text: &str, bad: char) -> String {
    let mid = text
        .char_indices()
        .nth(text.chars().count() / 2)
        .map_or(text.len(), |(i, _)| i);
    format!("{}{bad}{}", &text[..mid], &text[mid..])
}

/// A query-string value, percent-encoded byte by byte.
fn enc(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'-' | b'_' | b'.' => {
                char::from(b).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[tokio::test]
async fn odd_unicode_and_tabs_and_newlines_are_stored_exactly() {
    let w = world().await;
    let notes = format!("line one\r\nline\ttwo\n{ODD}\nend");
    let dm = w
        .create(
            "/decision-makers",
            json!({"name": ODD, "title": ODD, "talking_points": notes}),
        )
        .await;
    let (name, title, points): (String, String, String) =
        sqlx::query_as("select name, title, talking_points from decision_makers where id = $1")
            .bind(dm)
            .fetch_one(&w.app.db)
            .await
            .unwrap();
    assert_eq!(
        (name.as_str(), title.as_str(), points.as_str()),
        (ODD, ODD, notes.as_str())
    );

    let body =
        json!({"decision_maker_id": dm, "channel": "note", "outcome": "sent", "notes": notes});
    let touch = w.create("/touches", body).await;
    let stored: String = sqlx::query_scalar("select notes from touches where id = $1")
        .bind(touch)
        .fetch_one(&w.app.db)
        .await
        .unwrap();
    assert_eq!(stored, notes);

    let (status, found) = w
        .call(
            Method::GET,
            &format!("/decision-makers?q={}", enc("😀 \u{200f}שלום")),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{found}");
    assert_eq!(found["items"][0]["name"], ODD);

    let resp = w
        .app
        .post_form("/companies", &[("name", ODD), ("notes", &notes)])
        .await;
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    let (name, stored): (String, String) =
        sqlx::query_as("select name, notes from companies where name <> 'Globex'")
            .fetch_one(&w.app.db)
            .await
            .unwrap();
    assert_eq!((name.as_str(), stored.as_str()), (ODD, notes.as_str()));
    let (status, html) = w.page(&format!("/companies?q={}", enc("漢字"))).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        html.contains("漢字"),
        "the company is found by its CJK name"
    );
}
