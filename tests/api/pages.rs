//! The recruiter's pages over HTTP: contacts, the contact page, logging from Today, snoozes.

use reqwest::StatusCode;

use crate::helpers::{TestApp, assert_redirect};

async fn team_with_recruiter(app: &TestApp) -> i64 {
    let team = app.create_team("Acme", "mia@acme.test").await;
    app.create_user(team, "rob@acme.test", "recruiter").await;
    app.login("rob@acme.test").await;
    team
}

pub async fn rob_id(app: &TestApp) -> String {
    let id: i64 = sqlx::query_scalar("select id from users where email = 'rob@acme.test'")
        .fetch_one(&app.db)
        .await
        .unwrap();
    id.to_string()
}

/// Adds a DM through the form; returns its page path.
pub async fn add_dm(app: &TestApp, name: &str) -> String {
    let owner = rob_id(app).await;
    let resp = app
        .post_form(
            "/contacts/decision-makers",
            &[
                ("name", name),
                ("phone", "+1 212 555 0100"),
                ("email", "dana@client.test"),
                ("owner_id", &owner),
                ("temperature", "warm"),
            ],
        )
        .await;
    assert_eq!(resp.status(), StatusCode::SEE_OTHER, "creating {name}");
    resp.headers()["location"].to_str().unwrap().to_string()
}

#[tokio::test]
async fn a_recruiter_adds_a_contact_and_finds_it() {
    let app = TestApp::spawn().await;
    team_with_recruiter(&app).await;
    let path = add_dm(&app, "Dana Client").await;
    assert!(path.starts_with("/contacts/decision-makers/"));
    let page = app.get(&path).await.text().await.unwrap();
    assert!(page.contains("Dana Client") && page.contains("tel:+1 212 555 0100"));
    let list = app
        .get("/contacts?kind=decision-makers&q=dana")
        .await
        .text()
        .await
        .unwrap();
    assert!(list.contains("Dana Client"));
    let none = app
        .get("/contacts?kind=decision-makers&q=zzz")
        .await
        .text()
        .await
        .unwrap();
    assert!(none.contains("No contacts match"));
}

#[tokio::test]
async fn an_invalid_contact_form_is_shown_again_with_the_input() {
    let app = TestApp::spawn().await;
    team_with_recruiter(&app).await;
    let resp = app
        .post_form(
            "/contacts/decision-makers",
            &[
                ("name", ""),
                ("email", "not-an-email"),
                ("title", "VP Engineering"),
                ("temperature", "tepid"),
            ],
        )
        .await;
    assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = resp.text().await.unwrap();
    assert!(
        html.contains("VP Engineering")
            && html.contains("Enter an email address")
            && html.contains("Choose hot, warm or cold")
    );
    let n: i64 = sqlx::query_scalar("select count(*) from decision_makers")
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert_eq!(n, 0);
}

#[tokio::test]
async fn logging_a_call_from_the_contact_page_makes_the_second_call_due() {
    let app = TestApp::spawn().await;
    team_with_recruiter(&app).await;
    let path = add_dm(&app, "Dana Client").await;
    let when = (chrono::Utc::now() - chrono::Duration::days(10))
        .format("%Y-%m-%dT%H:%M")
        .to_string();
    let resp = app
        .post_form(
            &format!("{path}/touches"),
            &[
                ("channel", "call"),
                ("outcome", "no_answer"),
                ("occurred_local", &when),
                ("return_to", &path),
            ],
        )
        .await;
    assert_redirect(&resp, &path);
    let today = app.get("/today").await.text().await.unwrap();
    assert!(
        today.contains("Second call") && today.contains("Dana Client"),
        "{today}"
    );
    assert!(
        today.contains("days overdue")
            || today.contains("day overdue")
            || today.contains("due today")
    );
}

#[tokio::test]
async fn a_conversation_without_a_next_step_is_refused_with_a_suggested_date() {
    let app = TestApp::spawn().await;
    team_with_recruiter(&app).await;
    let path = add_dm(&app, "Dana Client").await;
    let resp = app
        .post_form(
            &format!("{path}/touches"),
            &[
                ("channel", "call"),
                ("outcome", "connected"),
                ("notes", "Talked budgets"),
                ("return_to", &path),
            ],
        )
        .await;
    assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = resp.text().await.unwrap();
    assert!(html.contains("never rely on them to call back") && html.contains("Talked budgets"));
    let n: i64 = sqlx::query_scalar("select count(*) from touches")
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert_eq!(n, 0, "nothing half-saved");
}

#[tokio::test]
async fn today_is_kind_when_nothing_is_due() {
    let app = TestApp::spawn().await;
    team_with_recruiter(&app).await;
    add_dm(&app, "Never Called").await;
    let html = app.get("/today").await.text().await.unwrap();
    assert!(html.contains("Nothing is due today"));
    assert!(
        html.contains("0/2") && html.contains("Never Called"),
        "the new-DM goal and a DM to call next"
    );
}

#[tokio::test]
async fn another_teams_contact_answers_404() {
    let app = TestApp::spawn().await;
    team_with_recruiter(&app).await;
    let path = add_dm(&app, "Dana Client").await;
    let other = app.create_team("Globex", "gus@globex.test").await;
    let _ = other;
    app.logout().await;
    app.login("gus@globex.test").await;
    assert_eq!(app.get(&path).await.status(), StatusCode::NOT_FOUND);
    let post = app
        .post_form(
            &format!("{path}/touches"),
            &[("channel", "call"), ("outcome", "no_answer")],
        )
        .await;
    assert_eq!(post.status(), StatusCode::NOT_FOUND);
    let n: i64 = sqlx::query_scalar("select count(*) from touches")
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert_eq!(n, 0);
}

#[tokio::test]
async fn the_favicon_answers_and_the_setup_form_asks_for_the_browser_zone() {
    let app = TestApp::spawn().await;
    let icon = app.get("/favicon.ico").await;
    assert_eq!(icon.status(), StatusCode::OK);
    assert_eq!(icon.headers()["content-type"], "image/x-icon");
    let bytes = icon.bytes().await.unwrap();
    assert_eq!(&bytes[..4], &[0, 0, 1, 0], "an ICO file");
    let setup = app.get("/setup").await.text().await.unwrap();
    assert!(
        setup.contains("data-browser-tz"),
        "app.js preselects the zone"
    );
    assert!(setup.contains("rel=\"icon\""));
}
