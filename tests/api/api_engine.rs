//! The follow-up engine's JSON API over real HTTP with bearer tokens: companies, contacts,
//! touches, due lists, snoozes, rebuilds, settings, and team isolation.

use chrono::{Duration, NaiveDate, Utc};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::TestApp;

mod companies;
mod contacts;
mod due;
mod isolation;
mod settings;
mod touches;

/// A team with a manager (Mia) and a recruiter (Rob), each with a token.
struct Acme {
    app: TestApp,
    mia: String,
    rob: String,
    mia_id: i64,
    rob_id: i64,
}

/// Acme with every day a working day, so that what falls due today does not depend on the
/// weekday the tests run on (written directly: a PATCH would also rebuild the lists).
async fn acme() -> Acme {
    let t = acme_with_defaults().await;
    sqlx::query("insert into team_settings (team_id, working_days) select team_id, '{mon,tue,wed,thu,fri,sat,sun}' from users where id = $1")
        .bind(t.rob_id)
        .execute(&t.app.db)
        .await
        .unwrap();
    t
}

async fn acme_with_defaults() -> Acme {
    let app = TestApp::spawn().await;
    let team = app.create_team("Acme", "mia@acme.test").await;
    let rob_id = app.create_user(team, "rob@acme.test", "recruiter").await;
    let mia = app.token_for("mia@acme.test").await;
    let rob = app.token_for("rob@acme.test").await;
    let (_, me) = app.api(Method::GET, "/me", &mia, None).await;
    let mia_id = me["id"].as_i64().unwrap();
    Acme {
        app,
        mia,
        rob,
        mia_id,
        rob_id,
    }
}

impl Acme {
    async fn call(
        &self,
        method: Method,
        path: &str,
        token: &str,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        self.app.api(method, path, token, body).await
    }
    async fn get(&self, path: &str, token: &str) -> (StatusCode, Value) {
        self.call(Method::GET, path, token, None).await
    }
    async fn post(&self, path: &str, token: &str, body: Value) -> (StatusCode, Value) {
        self.call(Method::POST, path, token, Some(body)).await
    }
    async fn patch(&self, path: &str, token: &str, body: Value) -> (StatusCode, Value) {
        self.call(Method::PATCH, path, token, Some(body)).await
    }
    /// Creates something and returns its id, asserting the 201.
    async fn create(&self, path: &str, token: &str, body: Value) -> i64 {
        let (status, created) = self.post(path, token, body).await;
        assert_eq!(status, StatusCode::CREATED, "{path}: {created}");
        created["id"].as_i64().unwrap()
    }
    /// A DM owned by the caller.
    async fn dm(&self, token: &str, name: &str, temperature: &str) -> i64 {
        let body = json!({"name": name, "phone": "+1 212 555 0100", "temperature": temperature});
        self.create("/decision-makers", token, body).await
    }
    /// An outbound call logged `days_ago`.
    async fn call_dm(&self, token: &str, dm: i64, outcome: &str, days_ago: i64) {
        let body = json!({"decision_maker_id": dm, "channel": "call", "outcome": outcome, "occurred_at": ago(days_ago)});
        self.create("/touches", token, body).await;
    }
    async fn due(&self, query: &str, token: &str) -> Value {
        let (status, list) = self.get(&format!("/due{query}"), token).await;
        assert_eq!(status, StatusCode::OK, "{list}");
        list
    }
}

fn ago(days: i64) -> String {
    (Utc::now() - Duration::days(days)).to_rfc3339()
}

fn today() -> NaiveDate {
    secondcall::due::engine::today_at(chrono::Utc::now(), chrono_tz::America::New_York)
}

/// The reason the list gives this contact, if it is on it.
fn reason_of(list: &Value, id: i64) -> Option<String> {
    list["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["contact"]["id"] == id)
        .map(|i| i["reason"].as_str().unwrap().to_string())
}

fn field(body: &Value) -> &str {
    body["error"]["field"].as_str().unwrap_or("")
}
