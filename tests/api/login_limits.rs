//! The two login limits: ten failures a minute for an account from one address (a stranger
//! elsewhere does not lock the owner out), and a ceiling of a hundred in fifteen minutes for the
//! account from everywhere (a guesser spread over many addresses is still slowed). The test server
//! sees every request from 127.0.0.1, so other addresses come through `auth::login` itself, the
//! function both the form and `POST /tokens` call.

use std::net::IpAddr;

use chrono::Duration;
use reqwest::StatusCode;
use secondcall::auth::login::{self, LoginError};
use serde_json::json;

use crate::helpers::{PASSWORD, TestApp, assert_redirect};

async fn attempt(app: &TestApp, from: &str, password: &str) -> Result<i64, LoginError> {
    let ip: IpAddr = from.parse().unwrap();
    login::login(
        &app.db,
        "mia@acme.test",
        password,
        ip,
        app.clock().now(),
        "test",
    )
    .await
    .map(|u| u.id)
}

async fn http_login(app: &TestApp) -> reqwest::Response {
    let (browser, _jar) = app.new_browser();
    browser
        .post(app.url("/login"))
        .form(&[("email", "mia@acme.test"), ("password", PASSWORD)])
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn a_strangers_failures_from_another_address_do_not_lock_the_owner_out() {
    let app = TestApp::spawn().await;
    app.create_team("Acme", "mia@acme.test").await;
    for _ in 0..10 {
        let r = attempt(&app, "203.0.113.9", "guessing wildly 1").await;
        assert!(matches!(r, Err(LoginError::Mismatch)), "{r:?}");
    }
    // the stranger is stopped, even with the right password
    let r = attempt(&app, "203.0.113.9", PASSWORD).await;
    assert!(matches!(r, Err(LoginError::ThrottledHere)), "{r:?}");
    // the owner, elsewhere, is not
    assert!(attempt(&app, "198.51.100.7", PASSWORD).await.is_ok());
    assert_redirect(&http_login(&app).await, "/today");
    let token = app.token_for("mia@acme.test").await;
    assert!(token.starts_with("sc_"));
}

#[tokio::test]
async fn the_owner_at_the_throttled_address_waits_a_minute() {
    let app = TestApp::spawn().await;
    app.create_team("Acme", "mia@acme.test").await;
    // ten failures from this address (as another app instance would have recorded them)
    sqlx::query(
        "insert into login_failures (email, client) select 'mia@acme.test', '127.0.0.1' from generate_series(1, 10)",
    )
    .execute(&app.db)
    .await
    .unwrap();
    let resp = http_login(&app).await;
    assert_eq!(resp.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(resp.headers()["retry-after"], "60");
    let html = resp.text().await.unwrap();
    assert!(
        html.contains(
            "Too many failed logins for this account from your address. Wait a minute, then try again."
        ),
        "the login form says what to do"
    );
    assert!(
        html.contains("value=\"mia@acme.test\""),
        "the email is kept"
    );
    let api = app
        .client
        .post(app.url("/api/v1/tokens"))
        .json(&json!({"email": "mia@acme.test", "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(api.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(api.headers()["retry-after"], "60");
    let body: serde_json::Value = api.json().await.unwrap();
    assert_eq!(body["error"]["code"], "rate_limited");

    app.clock().advance(Duration::seconds(61));
    assert_redirect(&http_login(&app).await, "/today");
}

#[tokio::test]
async fn failures_from_many_addresses_reach_the_account_wide_ceiling() {
    let app = TestApp::spawn().await;
    app.create_team("Acme", "mia@acme.test").await;
    // 95 failures from 95 addresses in the last few minutes, then five more through the check
    sqlx::query(
        "insert into login_failures (email, client, failed_at) \
         select 'mia@acme.test', '10.0.' || n || '.1', $1 from generate_series(1, 95) n",
    )
    .bind(app.clock().now() - Duration::minutes(10))
    .execute(&app.db)
    .await
    .unwrap();
    for i in 0..5 {
        let r = attempt(&app, &format!("192.0.2.{i}"), "guessing wildly 1").await;
        assert!(matches!(r, Err(LoginError::Mismatch)), "{r:?}");
    }
    // now a hundred: the right password from a fresh address waits too
    let r = attempt(&app, "198.51.100.7", PASSWORD).await;
    assert!(matches!(r, Err(LoginError::ThrottledEverywhere)), "{r:?}");
    let resp = http_login(&app).await;
    assert_eq!(resp.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(resp.headers()["retry-after"], "900");
    assert!(
        resp.text()
            .await
            .unwrap()
            .contains("Too many failed logins for this account from many places")
    );
    // other accounts are not affected
    assert!(
        login::login(
            &app.db,
            "rob@acme.test",
            "guessing wildly 1",
            "198.51.100.7".parse().unwrap(),
            app.clock().now(),
            "test",
        )
        .await
        .is_err_and(|e| matches!(e, LoginError::Mismatch))
    );

    // the 95 older ones leave the window first
    app.clock().advance(Duration::minutes(6));
    assert!(attempt(&app, "198.51.100.7", PASSWORD).await.is_ok());
    assert_redirect(&http_login(&app).await, "/today");
}
