//! API tokens through their life: an expiry by the app's clock, creation with the current
//! password (and none while a temporary password must be changed), listing and revoking over the
//! API and on the users page, and the end of every token at a reset, a deactivation and a
//! "sign out everywhere".

use chrono::Duration;
use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::helpers::{PASSWORD, TestApp, assert_redirect};

/// A token from `POST /tokens` with more than the email and password.
async fn token_with(app: &TestApp, email: &str, extra: serde_json::Value) -> serde_json::Value {
    let mut body = json!({"email": email, "password": PASSWORD});
    body.as_object_mut()
        .unwrap()
        .extend(extra.as_object().unwrap().clone());
    let resp = app
        .client
        .post(app.url("/api/v1/tokens"))
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::CREATED);
    resp.json().await.unwrap()
}

async fn me_status(app: &TestApp, token: &str) -> StatusCode {
    app.api(Method::GET, "/me", token, None).await.0
}

/// Acme with Mia (manager) and Rob (recruiter), and Oz's team next door; Mia is signed in.
async fn acme(app: &TestApp) -> (i64, i64, i64) {
    let team = app.create_team("Acme", "mia@acme.test").await;
    let rob = app.create_user(team, "rob@acme.test", "recruiter").await;
    let other = app.create_team("Other", "oz@other.test").await;
    let oz: i64 = sqlx::query_scalar("select id from users where team_id = $1")
        .bind(other)
        .fetch_one(&app.db)
        .await
        .unwrap();
    app.login("mia@acme.test").await;
    (team, rob, oz)
}

#[tokio::test]
async fn a_token_with_an_expiry_answers_401_once_it_has_passed() {
    let app = TestApp::spawn().await;
    acme(&app).await;
    let made = token_with(
        &app,
        "rob@acme.test",
        json!({"name": "nightly sync", "expires_in_days": 1}),
    )
    .await;
    assert_eq!(made["name"], "nightly sync");
    assert!(made["expires_at"].is_string() && made["id"].is_i64());
    let token = made["token"].as_str().unwrap();
    let lasting = app.token_for("rob@acme.test").await;
    assert_eq!(me_status(&app, token).await, StatusCode::OK);

    app.clock().advance(Duration::hours(23));
    assert_eq!(me_status(&app, token).await, StatusCode::OK);
    app.clock()
        .advance(Duration::hours(1) + Duration::minutes(1));
    assert_eq!(me_status(&app, token).await, StatusCode::UNAUTHORIZED);
    assert_eq!(
        me_status(&app, &lasting).await,
        StatusCode::OK,
        "a token without an expiry lasts"
    );
    let (_, list) = app.api(Method::GET, "/tokens", &lasting, None).await;
    let names: Vec<&str> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["API login"], "an expired token is no longer listed");
}

#[tokio::test]
async fn post_tokens_refuses_an_expiry_out_of_range_and_an_overlong_name() {
    let app = TestApp::spawn().await;
    acme(&app).await;
    for (body, field) in [
        (json!({"expires_in_days": 0}), "expires_in_days"),
        (json!({"expires_in_days": 3651}), "expires_in_days"),
        (json!({"name": "n".repeat(101)}), "name"),
    ] {
        let mut full = json!({"email": "rob@acme.test", "password": PASSWORD});
        full.as_object_mut()
            .unwrap()
            .extend(body.as_object().unwrap().clone());
        let resp = app
            .client
            .post(app.url("/api/v1/tokens"))
            .json(&full)
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        let answer: serde_json::Value = resp.json().await.unwrap();
        assert_eq!(answer["error"]["field"], field);
    }
    let longest = token_with(&app, "rob@acme.test", json!({"expires_in_days": 3650})).await;
    assert!(longest["expires_at"].is_string());
    let count: i64 = sqlx::query_scalar("select count(*) from api_tokens")
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert_eq!(count, 1, "a refused request makes no token");
}

#[tokio::test]
async fn the_account_page_asks_for_the_current_password_before_making_a_token() {
    let app = TestApp::spawn().await;
    acme(&app).await;
    let wrong = app
        .post_form(
            "/account/tokens",
            &[("name", "laptop"), ("current_password", "not my password")],
        )
        .await;
    assert_eq!(wrong.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = wrong.text().await.unwrap();
    assert!(html.contains("That is not your current password.") && !html.contains("sc_"));
    let bad_days = app
        .post_form(
            "/account/tokens",
            &[
                ("name", "laptop"),
                ("expires_in_days", "soon"),
                ("current_password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(bad_days.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        bad_days
            .text()
            .await
            .unwrap()
            .contains("whole number of days")
    );
    let count = || async {
        sqlx::query_scalar::<_, i64>("select count(*) from api_tokens")
            .fetch_one(&app.db)
            .await
            .unwrap()
    };
    assert_eq!(count().await, 0);

    let ok = app
        .post_form(
            "/account/tokens",
            &[
                ("name", "laptop"),
                ("expires_in_days", "30"),
                ("current_password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(ok.status(), StatusCode::OK);
    let html = ok.text().await.unwrap();
    let start = html.find("sc_").expect("the token is shown once");
    assert_eq!(
        me_status(&app, &html[start..start + 67]).await,
        StatusCode::OK
    );
    assert_eq!(count().await, 1);
    let expires: Option<chrono::DateTime<chrono::Utc>> =
        sqlx::query_scalar("select expires_at from api_tokens")
            .fetch_one(&app.db)
            .await
            .unwrap();
    let days = (expires.unwrap() - app.clock().now()).num_hours();
    assert!((719..=720).contains(&days), "30 days from now: {days} h");
}

#[tokio::test]
async fn no_token_is_made_while_a_temporary_password_must_be_changed() {
    let app = TestApp::spawn().await;
    let (_, rob, _) = acme(&app).await;
    let resp = app
        .post_form(
            &format!("/settings/users/{rob}/reset-password"),
            &[("password", "temporary pass 1")],
        )
        .await;
    assert_redirect(&resp, "/settings/users");

    let (browser, _jar) = app.new_browser();
    let login = browser
        .post(app.url("/login"))
        .form(&[("email", "rob@acme.test"), ("password", "temporary pass 1")])
        .send()
        .await
        .unwrap();
    assert_redirect(&login, "/account/password");
    let page = browser
        .post(app.url("/account/tokens"))
        .form(&[("name", "x"), ("current_password", "temporary pass 1")])
        .send()
        .await
        .unwrap();
    assert_redirect(&page, "/account/password");
    let api = app
        .client
        .post(app.url("/api/v1/tokens"))
        .json(&json!({"email": "rob@acme.test", "password": "temporary pass 1"}))
        .send()
        .await
        .unwrap();
    assert_eq!(api.status(), StatusCode::FORBIDDEN);
    let body: serde_json::Value = api.json().await.unwrap();
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("temporary")
    );
    let count: i64 = sqlx::query_scalar("select count(*) from api_tokens where user_id = $1")
        .bind(rob)
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert_eq!(count, 0);
}

#[tokio::test]
async fn tokens_are_listed_and_revoked_over_the_api_within_the_team() {
    let app = TestApp::spawn().await;
    let (_, rob, oz) = acme(&app).await;
    let mia = app.token_for("mia@acme.test").await;
    let rob_first = token_with(&app, "rob@acme.test", json!({"name": "first"})).await;
    let rob_second = app.token_for("rob@acme.test").await;
    let oz_token = app.token_for("oz@other.test").await;

    let (status, own) = app.api(Method::GET, "/tokens", &rob_second, None).await;
    assert_eq!(status, StatusCode::OK);
    let items = own["items"].as_array().unwrap();
    assert_eq!(items.len(), 2);
    for field in ["id", "name", "created_at", "last_used_at", "expires_at"] {
        assert!(items[0].get(field).is_some(), "{field} in {}", items[0]);
    }
    assert!(
        items[0]["last_used_at"].is_string(),
        "the token just used says so"
    );
    let (status, teammate) = app
        .api(Method::GET, &format!("/tokens?user_id={rob}"), &mia, None)
        .await;
    assert_eq!(
        (status, teammate["items"].as_array().unwrap().len()),
        (StatusCode::OK, 2)
    );
    let mia_id: i64 = sqlx::query_scalar("select id from users where email = 'mia@acme.test'")
        .fetch_one(&app.db)
        .await
        .unwrap();
    let (status, _) = app
        .api(
            Method::GET,
            &format!("/tokens?user_id={mia_id}"),
            &rob_second,
            None,
        )
        .await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "a recruiter sees only their own"
    );
    let (status, _) = app
        .api(Method::GET, &format!("/tokens?user_id={oz}"), &mia, None)
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "another team's user");

    let first_id = rob_first["id"].as_i64().unwrap();
    let first = rob_first["token"].as_str().unwrap();
    let (status, _) = app
        .api(
            Method::DELETE,
            &format!("/tokens/{first_id}"),
            &oz_token,
            None,
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "another team's token");
    let mia_token_id: i64 =
        sqlx::query_scalar("select id from api_tokens where user_id = $1 limit 1")
            .bind(mia_id)
            .fetch_one(&app.db)
            .await
            .unwrap();
    let (status, _) = app
        .api(
            Method::DELETE,
            &format!("/tokens/{mia_token_id}"),
            &rob_second,
            None,
        )
        .await;
    assert_eq!(
        status,
        StatusCode::NOT_FOUND,
        "a recruiter revokes only their own"
    );
    assert_eq!(me_status(&app, first).await, StatusCode::OK);

    let (status, _) = app
        .api(Method::DELETE, &format!("/tokens/{first_id}"), &mia, None)
        .await;
    assert_eq!(
        status,
        StatusCode::NO_CONTENT,
        "a manager revokes a teammate's"
    );
    assert_eq!(me_status(&app, first).await, StatusCode::UNAUTHORIZED);
    let (status, _) = app
        .api(Method::DELETE, &format!("/tokens/{first_id}"), &mia, None)
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "already revoked");

    let second_id = own["items"][0]["id"].as_i64().unwrap();
    let (status, _) = app
        .api(
            Method::DELETE,
            &format!("/tokens/{second_id}"),
            &rob_second,
            None,
        )
        .await;
    assert_eq!(
        status,
        StatusCode::NO_CONTENT,
        "one's own, even the one in use"
    );
    assert_eq!(me_status(&app, &rob_second).await, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn the_users_page_shows_teammates_tokens_and_a_manager_revokes_them() {
    let app = TestApp::spawn().await;
    let (team, rob, _) = acme(&app).await;
    let made = token_with(&app, "rob@acme.test", json!({"name": "crm bridge"})).await;
    let html = app.get("/settings/users").await.text().await.unwrap();
    let row = &html[html.find(&format!("id=\"user-{rob}\"")).unwrap()..];
    let row = &row[..row.find("</tr>").unwrap()];
    assert!(
        row.contains("1 live") && row.contains("crm bridge"),
        "{row}"
    );

    let id = made["id"].as_i64().unwrap();
    let sue = app.create_user(team, "sue@acme.test", "recruiter").await;
    let (sue_browser, _jar) = app.new_browser();
    sue_browser
        .post(app.url("/login"))
        .form(&[("email", "sue@acme.test"), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    let refused = sue_browser
        .post(app.url(&format!("/settings/tokens/{id}/revoke")))
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), StatusCode::FORBIDDEN, "recruiter {sue}");
    let token = made["token"].as_str().unwrap();
    assert_eq!(me_status(&app, token).await, StatusCode::OK);

    let resp = app
        .post_form(&format!("/settings/tokens/{id}/revoke"), &[])
        .await;
    assert_redirect(&resp, "/settings/users");
    assert_eq!(me_status(&app, token).await, StatusCode::UNAUTHORIZED);
    let html = app.get("/settings/users").await.text().await.unwrap();
    assert!(html.contains("Token revoked") && !html.contains("crm bridge"));
}

#[tokio::test]
async fn a_managers_reset_ends_the_users_sessions_and_tokens() {
    let app = TestApp::spawn().await;
    let (_, rob, _) = acme(&app).await;
    let token = app.token_for("rob@acme.test").await;
    let (browser, _jar) = app.new_browser();
    browser
        .post(app.url("/login"))
        .form(&[("email", "rob@acme.test"), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(
        browser
            .get(app.url("/today"))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::OK
    );
    let resp = app
        .post_form(
            &format!("/settings/users/{rob}/reset-password"),
            &[("password", "temporary pass 1")],
        )
        .await;
    assert_redirect(&resp, "/settings/users");
    assert_eq!(me_status(&app, &token).await, StatusCode::UNAUTHORIZED);
    assert_redirect(
        &browser.get(app.url("/today")).send().await.unwrap(),
        "/login?next=/today",
    );
}

#[tokio::test]
async fn a_deactivated_users_tokens_stay_revoked_after_reactivation() {
    let app = TestApp::spawn().await;
    let (_, rob, _) = acme(&app).await;
    let token = app.token_for("rob@acme.test").await;
    assert_redirect(
        &app.post_form(&format!("/settings/users/{rob}/deactivate"), &[])
            .await,
        "/settings/users",
    );
    assert_eq!(me_status(&app, &token).await, StatusCode::UNAUTHORIZED);
    assert_redirect(
        &app.post_form(&format!("/settings/users/{rob}/reactivate"), &[])
            .await,
        "/settings/users",
    );
    assert_eq!(me_status(&app, &token).await, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn signing_out_everywhere_ends_every_session_and_token_of_the_user() {
    let app = TestApp::spawn().await;
    acme(&app).await;
    let mine = app.token_for("mia@acme.test").await;
    let robs = app.token_for("rob@acme.test").await;
    let (other, _jar) = app.new_browser();
    other
        .post(app.url("/login"))
        .form(&[("email", "mia@acme.test"), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(
        other.get(app.url("/today")).send().await.unwrap().status(),
        StatusCode::OK
    );
    let account = app.get("/account").await.text().await.unwrap();
    assert!(account.contains("action=\"/account/sign-out-everywhere\""));

    let resp = app.post_form("/account/sign-out-everywhere", &[]).await;
    assert_redirect(&resp, "/login");
    assert_redirect(&app.get("/today").await, "/login?next=/today");
    assert_redirect(
        &other.get(app.url("/today")).send().await.unwrap(),
        "/login?next=/today",
    );
    assert_eq!(me_status(&app, &mine).await, StatusCode::UNAUTHORIZED);
    assert_eq!(
        me_status(&app, &robs).await,
        StatusCode::OK,
        "a teammate's tokens stay"
    );
    app.login("mia@acme.test").await;
    assert_eq!(app.get("/today").await.status(), StatusCode::OK);
}
