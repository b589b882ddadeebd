//! The JSON API of job orders and applications over real HTTP with bearer tokens: the endpoints,
//! the version check, team isolation, and the follow-up rules the pipeline drives (sign-off calls,
//! candidates who go dark, DMs who turn hot), checked on the due list.

use chrono::{Duration, NaiveDate, Utc};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::TestApp;

mod endpoints;
mod isolation;
mod rules;

/// A team with a manager (Mia) and a recruiter (Rob), each with a token, every day a working day,
/// and a client company with a cold hiring DM.
struct Acme {
    app: TestApp,
    team_id: i64,
    mia: String,
    rob: String,
    mia_id: i64,
    rob_id: i64,
    company: i64,
    dm: i64,
}

async fn acme() -> Acme {
    let app = TestApp::spawn().await;
    let team_id = app.create_team("Acme", "mia@acme.test").await;
    app.every_day_working(team_id).await;
    let rob_id = app.create_user(team_id, "rob@acme.test", "recruiter").await;
    let mia = app.token_for("mia@acme.test").await;
    let rob = app.token_for("rob@acme.test").await;
    let (_, me) = app.api(Method::GET, "/me", &mia, None).await;
    let mia_id = me["id"].as_i64().unwrap();
    let mut t = Acme {
        app,
        team_id,
        mia,
        rob,
        mia_id,
        rob_id,
        company: 0,
        dm: 0,
    };
    t.company = t
        .create("/companies", &t.mia, json!({"name": "Globex"}))
        .await;
    t.dm = t
        .create(
            "/decision-makers",
            &t.mia,
            json!({"name": "Hana Hiring", "company_id": t.company, "temperature": "cold", "phone": "+1 212 555 0101"}),
        )
        .await;
    t
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
    /// An open job at Globex (Mia's), without a hiring DM.
    async fn job(&self, title: &str) -> i64 {
        let body = json!({"title": title, "company_id": self.company});
        self.create("/jobs", &self.mia, body).await
    }
    /// A candidate owned by Rob: their follow-ups land on Rob's list.
    async fn candidate(&self, name: &str) -> i64 {
        let body = json!({"name": name, "phone": "+1 646 555 0199", "email": "c@mail.test"});
        self.create("/candidates", &self.rob, body).await
    }
    /// Mia puts a candidate in a job's pipeline at `stage`; returns the application id.
    async fn apply(&self, job: i64, candidate: i64, stage: &str) -> i64 {
        let body = json!({"job_id": job, "candidate_id": candidate, "stage": stage});
        self.create("/applications", &self.mia, body).await
    }
    /// Mia moves an application through `stages`, one PATCH each, asserting every 200.
    async fn walk(&self, application: i64, stages: &[&str]) -> Value {
        let mut last = Value::Null;
        for stage in stages {
            let (status, moved) = self
                .patch(
                    &format!("/applications/{application}"),
                    &self.mia,
                    json!({"stage": stage}),
                )
                .await;
            assert_eq!(status, StatusCode::OK, "to {stage}: {moved}");
            assert_eq!(moved["stage"], *stage);
            last = moved;
        }
        last
    }
    /// Mia sets a job's status.
    async fn set_status(&self, job: i64, status: &str) {
        let (code, body) = self
            .patch(
                &format!("/jobs/{job}"),
                &self.mia,
                json!({"status": status}),
            )
            .await;
        assert_eq!(code, StatusCode::OK, "{body}");
        assert_eq!(body["status"], status);
    }
    /// Logs a touch of a candidate (by Rob) and returns it.
    async fn touch(&self, candidate: i64, fields: Value) -> Value {
        let mut body = json!({"candidate_id": candidate});
        body.as_object_mut()
            .unwrap()
            .extend(fields.as_object().unwrap().clone());
        let (status, touch) = self.post("/touches", &self.rob, body).await;
        assert_eq!(status, StatusCode::CREATED, "{touch}");
        touch
    }
    /// The contact's item on the token holder's due list for today, if any.
    async fn item(&self, token: &str, kind: &str, id: i64) -> Option<Value> {
        let (status, list) = self.get("/due", token).await;
        assert_eq!(status, StatusCode::OK, "{list}");
        assert_eq!(list["date"], today().to_string());
        list["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["contact"]["id"] == id && i["contact"]["kind"] == kind)
            .cloned()
    }
    /// The reason of a candidate's item on Rob's (their owner's) list today, if any.
    async fn candidate_reason(&self, candidate: i64) -> Option<String> {
        self.item(&self.rob, "candidate", candidate)
            .await
            .map(|i| i["reason"].as_str().unwrap().to_string())
    }
    /// A sign-off call for the candidate is on Rob's list, due today, and on nobody else's.
    async fn assert_sign_off_due_today(&self, candidate: i64) {
        let item = self
            .item(&self.rob, "candidate", candidate)
            .await
            .unwrap_or_else(|| panic!("candidate {candidate} is on Rob's list"));
        assert_eq!(item["reason"], "sign_off", "{item}");
        assert_eq!(item["due_on"], today().to_string());
        assert_eq!(item["overdue_days"], 0);
        assert_eq!(item["suggested_channel"], "call");
        assert!(
            self.item(&self.mia, "candidate", candidate).await.is_none(),
            "the candidate's owner gets the call, not the one who moved them"
        );
    }
    /// How many rows a table holds for the team (to check that nothing was written).
    async fn count(&self, table: &str) -> i64 {
        sqlx::query_scalar(&format!("select count(*) from {table} where team_id = $1"))
            .bind(self.team_id)
            .fetch_one(&self.app.db)
            .await
            .unwrap()
    }
}

fn ago(days: i64) -> String {
    (Utc::now() - Duration::days(days)).to_rfc3339()
}

fn today() -> NaiveDate {
    secondcall::due::engine::today_at(chrono::Utc::now(), chrono_tz::America::New_York)
}

fn field(body: &Value) -> &str {
    body["error"]["field"].as_str().unwrap_or("")
}
