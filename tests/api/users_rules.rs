//! The team's users through the page and through the API: the same inputs get the same decision,
//! because both call `actions::users`. No path leaves a team without an active manager.

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::helpers::{PASSWORD, TestApp, assert_redirect};

async fn active(app: &TestApp, id: i64) -> bool {
    sqlx::query_scalar("select active from users where id = $1")
        .bind(id)
        .fetch_one(&app.db)
        .await
        .unwrap()
}

/// The flash message the users page shows after a redirect.
async fn users_page(app: &TestApp) -> String {
    app.get("/settings/users").await.text().await.unwrap()
}

async fn a_dm_of(app: &TestApp, token: &str) {
    let (status, _) = app
        .api(
            Method::POST,
            "/decision-makers",
            token,
            Some(json!({"name": "Dana Lee"})),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
}

#[tokio::test]
async fn the_page_and_the_api_refuse_and_allow_the_same_deactivations() {
    let app = TestApp::spawn().await;
    let team = app.create_team("Acme", "mia@acme.test").await;
    let rob = app.create_user(team, "rob@acme.test", "recruiter").await;
    let mia_token = app.token_for("mia@acme.test").await;
    let mia: i64 = app.api(Method::GET, "/me", &mia_token, None).await.1["id"]
        .as_i64()
        .unwrap();
    let rob_token = app.token_for("rob@acme.test").await;
    a_dm_of(&app, &rob_token).await;
    app.login("mia@acme.test").await;

    // oneself: refused by both
    let (status, body) = app
        .api(
            Method::PATCH,
            &format!("/users/{mia}"),
            &mia_token,
            Some(json!({"active": false})),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["error"]["field"], "active");
    let resp = app
        .post_form(&format!("/settings/users/{mia}/deactivate"), &[])
        .await;
    assert_redirect(&resp, "/settings/users");
    assert!(
        users_page(&app)
            .await
            .contains("You cannot deactivate yourself")
    );
    assert!(active(&app, mia).await);

    // a user who owns contacts, with nobody to take them: refused by both
    let (status, body) = app
        .api(
            Method::PATCH,
            &format!("/users/{rob}"),
            &mia_token,
            Some(json!({"active": false})),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["error"]["field"], "reassign_to");
    let resp = app
        .post_form(&format!("/settings/users/{rob}/deactivate"), &[])
        .await;
    assert_redirect(&resp, "/settings/users");
    assert!(
        users_page(&app)
            .await
            .contains("owns 1 contacts: choose a teammate")
    );
    assert!(active(&app, rob).await);

    // with a teammate to take them: done by the page, undone by the API
    let heir = mia.to_string();
    let resp = app
        .post_form(
            &format!("/settings/users/{rob}/deactivate"),
            &[("reassign_to", heir.as_str())],
        )
        .await;
    assert_redirect(&resp, "/settings/users");
    assert!(!active(&app, rob).await);
    let owned: i64 = sqlx::query_scalar("select count(*) from decision_makers where owner_id = $1")
        .bind(mia)
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert_eq!(owned, 1);
    let (status, body) = app
        .api(
            Method::PATCH,
            &format!("/users/{rob}"),
            &mia_token,
            Some(json!({"active": true})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(active(&app, rob).await);
}

#[tokio::test]
async fn no_path_leaves_a_team_without_an_active_manager() {
    let app = TestApp::spawn().await;
    let team = app.create_team("Acme", "mia@acme.test").await;
    let max = app.create_user(team, "max@acme.test", "manager").await;
    let mia_token = app.token_for("mia@acme.test").await;
    let max_token = app.token_for("max@acme.test").await;
    let mia: i64 = app.api(Method::GET, "/me", &mia_token, None).await.1["id"]
        .as_i64()
        .unwrap();
    // two managers: one may leave
    let (status, body) = app
        .api(
            Method::PATCH,
            &format!("/users/{mia}"),
            &max_token,
            Some(json!({"active": false})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    // the last one may neither step down nor be deactivated
    let (status, body) = app
        .api(
            Method::PATCH,
            &format!("/users/{max}"),
            &max_token,
            Some(json!({"role": "recruiter"})),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("only active manager")
    );
    let role: String = sqlx::query_scalar("select role from users where id = $1")
        .bind(max)
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert_eq!(role, "manager", "nothing changed");
    // once Mia is back, Max may step down
    let (status, _) = app
        .api(
            Method::PATCH,
            &format!("/users/{mia}"),
            &max_token,
            Some(json!({"active": true})),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, body) = app
        .api(
            Method::PATCH,
            &format!("/users/{max}"),
            &max_token,
            Some(json!({"role": "recruiter"})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

#[tokio::test]
async fn the_page_and_the_api_create_users_by_the_same_rules() {
    let app = TestApp::spawn().await;
    app.create_team("Acme", "mia@acme.test").await;
    let token = app.token_for("mia@acme.test").await;
    app.login("mia@acme.test").await;
    let user = |email: &'static str| json!({"email": email, "name": "Rob Recruiter", "role": "recruiter", "password": PASSWORD, "time_zone": "Europe/London"});
    let form = |email: &'static str| {
        vec![
            ("email", email),
            ("name", "Rob Recruiter"),
            ("role", "recruiter"),
            ("password", PASSWORD),
            ("time_zone", "Europe/London"),
        ]
    };
    // not an email: 422 from both
    let (status, body) = app
        .api(Method::POST, "/users", &token, Some(user("rob")))
        .await;
    assert_eq!(
        (status, body["error"]["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("email"))
    );
    let resp = app.post_form("/settings/users", &form("rob")).await;
    assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
    // a good one through the page, then the same email again: refused by both
    assert_redirect(
        &app.post_form("/settings/users", &form("rob@acme.test"))
            .await,
        "/settings/users",
    );
    let (status, _) = app
        .api(Method::POST, "/users", &token, Some(user("rob@acme.test")))
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    let resp = app
        .post_form("/settings/users", &form("rob@acme.test"))
        .await;
    assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        resp.text()
            .await
            .unwrap()
            .contains("This email already has an account.")
    );
    let (status, body) = app
        .api(Method::POST, "/users", &token, Some(user("ann@acme.test")))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let count: i64 = sqlx::query_scalar("select count(*) from users")
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert_eq!(count, 3);
}
