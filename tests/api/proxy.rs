//! A public server (issue 11, part A): who the client is behind a trusted proxy, the cookie
//! flags and HSTS of public mode, `no-store`, the first-run setup code, the per-user limit and
//! the address the account page shows for scripts.

use reqwest::StatusCode;
use reqwest::header::{CACHE_CONTROL, RETRY_AFTER, SET_COOKIE, STRICT_TRANSPORT_SECURITY};
use secondcall::clock::Clock;
use secondcall::config::Config;
use sqlx::PgPool;

use crate::helpers::{PASSWORD, TestApp, assert_redirect, fresh_database};

/// A server configured by `change`, served as `serve` does.
async fn server_on(db: PgPool, change: impl FnOnce(&mut Config)) -> TestApp {
    let mut config = Config::for_database("postgres://unused");
    change(&mut config);
    TestApp::spawn_with(db, config, Clock::starting_at(chrono::Utc::now())).await
}

async fn server(change: impl FnOnce(&mut Config)) -> TestApp {
    let (db, _) = fresh_database().await;
    server_on(db, change).await
}

/// Behind a proxy on this machine: the server is public.
fn behind_local_proxy(config: &mut Config) {
    config.trusted_proxies = vec!["127.0.0.1/32".parse().unwrap()];
}

/// A login post that says it comes from `client` (through `X-Forwarded-For`).
async fn login_from(app: &TestApp, client: &str, email: &str, password: &str) -> StatusCode {
    app.client
        .post(app.url("/login"))
        .header("x-forwarded-for", client)
        .form(&[("email", email), ("password", password)])
        .send()
        .await
        .unwrap()
        .status()
}

async fn ten_failed_logins_from(app: &TestApp, client: impl Fn(usize) -> String) {
    for i in 0..10 {
        let status = login_from(app, &client(i), "nobody@acme.test", "guess guess guess").await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "attempt {i}");
    }
}

#[tokio::test]
async fn behind_a_trusted_proxy_the_login_limit_holds_the_named_client_only() {
    let app = server(behind_local_proxy).await;
    app.create_team("Acme", "mia@acme.test").await;
    ten_failed_logins_from(&app, |_| "203.0.113.5".into()).await;

    let blocked = login_from(&app, "203.0.113.5", "mia@acme.test", PASSWORD).await;
    assert_eq!(blocked, StatusCode::TOO_MANY_REQUESTS);
    // a client's own entry on the left does not change who it is
    let forged = login_from(&app, "198.51.100.1, 203.0.113.5", "mia@acme.test", PASSWORD).await;
    assert_eq!(forged, StatusCode::TOO_MANY_REQUESTS);
    let other = login_from(&app, "203.0.113.6", "mia@acme.test", PASSWORD).await;
    assert_eq!(other, StatusCode::SEE_OTHER, "another client still logs in");
}

#[tokio::test]
async fn without_trusted_proxies_a_forged_forwarded_for_does_not_escape_the_limit() {
    let app = server(|_| {}).await;
    app.create_team("Acme", "mia@acme.test").await;
    ten_failed_logins_from(&app, |i| format!("198.51.100.{i}")).await;
    let status = login_from(&app, "198.51.100.99", "mia@acme.test", PASSWORD).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
}

#[tokio::test]
async fn the_header_of_a_peer_outside_trusted_proxies_is_ignored() {
    let app = server(|c| c.trusted_proxies = vec!["10.0.0.0/8".parse().unwrap()]).await;
    app.create_team("Acme", "mia@acme.test").await;
    ten_failed_logins_from(&app, |i| format!("198.51.100.{i}")).await;
    let status = login_from(&app, "198.51.100.99", "mia@acme.test", PASSWORD).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
}

fn set_cookie(resp: &reqwest::Response) -> String {
    resp.headers()
        .get_all(SET_COOKIE)
        .iter()
        .map(|v| v.to_str().unwrap().to_string())
        .find(|c| c.contains("secondcall_session="))
        .expect("a session cookie")
}

#[tokio::test]
async fn a_public_server_sends_a_secure_host_prefixed_cookie_and_hsts() {
    let app = server(behind_local_proxy).await;
    app.create_team("Acme", "mia@acme.test").await;
    let resp = app
        .post_form(
            "/login",
            &[("email", "mia@acme.test"), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    let cookie = set_cookie(&resp);
    assert!(cookie.starts_with("__Host-secondcall_session="), "{cookie}");
    assert!(
        cookie.contains("; Secure") && cookie.contains("Path=/"),
        "{cookie}"
    );
    assert!(cookie.contains("HttpOnly"), "{cookie}");
    assert!(!cookie.to_ascii_lowercase().contains("domain="), "{cookie}");
    assert_eq!(
        resp.headers().get(STRICT_TRANSPORT_SECURITY).unwrap(),
        "max-age=31536000; includeSubDomains"
    );
    let health = app.get("/healthz").await;
    assert!(health.headers().contains_key(STRICT_TRANSPORT_SECURITY));
}

#[tokio::test]
async fn secure_cookies_false_still_wins_on_a_public_server() {
    let app = server(|c| {
        behind_local_proxy(c);
        c.secure_cookies = Some(false);
    })
    .await;
    app.create_team("Acme", "mia@acme.test").await;
    let resp = app
        .post_form(
            "/login",
            &[("email", "mia@acme.test"), ("password", PASSWORD)],
        )
        .await;
    let cookie = set_cookie(&resp);
    assert!(cookie.starts_with("secondcall_session="), "{cookie}");
    assert!(!cookie.contains("Secure"), "{cookie}");
    assert!(!resp.headers().contains_key(STRICT_TRANSPORT_SECURITY));
}

#[tokio::test]
async fn a_loopback_server_keeps_plain_cookies_and_no_hsts() {
    let app = TestApp::spawn().await;
    app.create_team("Acme", "mia@acme.test").await;
    let resp = app
        .post_form(
            "/login",
            &[("email", "mia@acme.test"), ("password", PASSWORD)],
        )
        .await;
    let cookie = set_cookie(&resp);
    assert!(
        cookie.starts_with("secondcall_session=") && !cookie.contains("Secure"),
        "{cookie}"
    );
    assert!(!resp.headers().contains_key(STRICT_TRANSPORT_SECURITY));
}

fn cache_control(resp: &reqwest::Response) -> Option<&str> {
    resp.headers()
        .get(CACHE_CONTROL)
        .map(|v| v.to_str().unwrap())
}

#[tokio::test]
async fn pages_behind_login_and_api_answers_are_no_store_static_files_are_not() {
    let app = TestApp::spawn().await;
    let team = app.create_team("Acme", "mia@acme.test").await;
    app.every_day_working(team).await;
    app.login("mia@acme.test").await;
    for path in [
        "/today",
        "/account",
        "/team",
        "/team/list.csv?figure=second_call",
    ] {
        let resp = app.get(path).await;
        assert_eq!(resp.status(), StatusCode::OK, "{path}");
        assert_eq!(cache_control(&resp), Some("no-store"), "{path}");
    }
    // twice: the second Today comes from the page cache, with the same header
    let again = app.get("/today").await;
    assert_eq!(cache_control(&again), Some("no-store"));
    let token = app.token_for("mia@acme.test").await;
    let me = app
        .client
        .get(app.url("/api/v1/me"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(me.status(), StatusCode::OK);
    assert_eq!(cache_control(&me), Some("no-store"));
    let css = app.get("/static/css/app.css").await;
    assert_eq!(css.status(), StatusCode::OK);
    assert_eq!(
        cache_control(&css),
        Some("public, max-age=31536000, immutable")
    );
}

fn setup_form(code: &str) -> Vec<(&'static str, &str)> {
    vec![
        ("team", "Acme Staffing"),
        ("name", "Mia Manager"),
        ("email", "mia@acme.test"),
        ("password", PASSWORD),
        ("time_zone", "America/New_York"),
        ("code", code),
    ]
}

#[tokio::test]
async fn a_public_first_run_asks_for_the_setup_code_from_the_log() {
    let app = server(|c| {
        behind_local_proxy(c);
        c.secure_cookies = Some(false);
    })
    .await;
    let code = app
        .setup_code
        .clone()
        .expect("a public server prints a code");
    let form = app.get("/setup").await.text().await.unwrap();
    assert!(form.contains(r#"name="code""#), "{form}");

    for wrong in ["", "abcde-fghij-kmnpq-rstuv"] {
        let resp = app.post_form("/setup", &setup_form(wrong)).await;
        assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let page = resp.text().await.unwrap();
        assert!(page.contains("That is not the setup code"), "{page}");
        assert!(
            page.contains(r#"value="Acme Staffing""#),
            "the input is kept"
        );
    }
    let teams: i64 = sqlx::query_scalar("select count(*) from teams")
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert_eq!(teams, 0);

    // another instance on the same database accepts this instance's code
    let other = server_on(app.db.clone(), |c| {
        behind_local_proxy(c);
        c.secure_cookies = Some(false);
    })
    .await;
    assert!(other.setup_code.is_some());
    let resp = other
        .post_form("/setup", &setup_form(&format!(" {} ", code.to_uppercase())))
        .await;
    assert_redirect(&resp, "/today");
    let left: i64 = sqlx::query_scalar("select count(*) from setup_codes")
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert_eq!(left, 0, "the first team deletes every code");
    assert_eq!(app.get("/setup").await.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn wrong_setup_codes_count_against_the_login_limit() {
    let app = server(behind_local_proxy).await;
    for i in 0..10 {
        let resp = app
            .client
            .post(app.url("/setup"))
            .header("x-forwarded-for", "203.0.113.7")
            .form(&setup_form(&format!("wrong-{i}")))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY, "try {i}");
    }
    let over = app
        .client
        .post(app.url("/setup"))
        .header("x-forwarded-for", "203.0.113.7")
        .form(&setup_form("wrong-again"))
        .send()
        .await
        .unwrap();
    assert_eq!(over.status(), StatusCode::TOO_MANY_REQUESTS);
    let login = login_from(&app, "203.0.113.7", "mia@acme.test", PASSWORD).await;
    assert_eq!(login, StatusCode::TOO_MANY_REQUESTS, "the same limit");
}

#[tokio::test]
async fn a_loopback_first_run_needs_no_code() {
    let app = TestApp::spawn().await;
    assert!(app.setup_code.is_none());
    let form = app.get("/setup").await.text().await.unwrap();
    assert!(!form.contains(r#"name="code""#));
    app.setup_team("Acme", "mia@acme.test").await;
}

#[tokio::test]
async fn one_users_script_is_limited_while_another_user_is_not() {
    let app = server(|c| {
        c.api_rate_per_second = 1;
        c.api_rate_burst = 3;
    })
    .await;
    let acme = app.create_team("Acme", "mia@acme.test").await;
    app.create_team("Globex", "gus@globex.test").await;
    app.create_user(acme, "rita@acme.test", "recruiter").await;
    let mia = app.token_for("mia@acme.test").await;
    let gus = app.token_for("gus@globex.test").await;

    let mut statuses = Vec::new();
    for _ in 0..5 {
        statuses.push(app.api(reqwest::Method::GET, "/me", &mia, None).await.0);
    }
    assert_eq!(&statuses[..3], &[StatusCode::OK; 3], "{statuses:?}");
    assert_eq!(statuses[4], StatusCode::TOO_MANY_REQUESTS, "{statuses:?}");
    let limited = app
        .client
        .get(app.url("/api/v1/me"))
        .bearer_auth(&mia)
        .send()
        .await
        .unwrap();
    assert_eq!(limited.status(), StatusCode::TOO_MANY_REQUESTS);
    let wait: u64 = limited.headers()[RETRY_AFTER]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=2).contains(&wait), "{wait}");
    let body: serde_json::Value = limited.json().await.unwrap();
    assert_eq!(body["error"]["code"], "rate_limited");
    assert_eq!(body["error"]["retry_after"], wait);

    let (status, _) = app.api(reqwest::Method::GET, "/me", &gus, None).await;
    assert_eq!(status, StatusCode::OK, "another team's user is unaffected");

    // the report pages count too: a signed-in user's CSV exports
    app.login("rita@acme.test").await;
    let mut pages = Vec::new();
    for _ in 0..5 {
        pages.push(app.get("/team/list.csv?figure=second_call").await);
    }
    let last = pages.pop().unwrap();
    assert_eq!(pages[0].status(), StatusCode::OK);
    assert_eq!(last.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(last.headers().contains_key(RETRY_AFTER));
    assert_eq!(
        app.get("/today").await.status(),
        StatusCode::OK,
        "Today is not limited"
    );
}

#[tokio::test]
async fn the_account_page_shows_the_api_address_from_public_url() {
    let local = TestApp::spawn().await;
    local.create_team("Acme", "mia@acme.test").await;
    local.login("mia@acme.test").await;
    let page = local.get("/account").await.text().await.unwrap();
    let want = format!(r#"<code id="api-base">{}/api/v1</code>"#, local.address);
    assert!(page.contains(&want), "{page}");

    let public = server(|c| {
        behind_local_proxy(c);
        c.secure_cookies = Some(false);
        c.public_url = Some("https://crm.example.com".into());
    })
    .await;
    public.create_team("Acme", "mia@acme.test").await;
    public.login("mia@acme.test").await;
    let page = public.get("/account").await.text().await.unwrap();
    assert!(
        page.contains(r#"<code id="api-base">https://crm.example.com/api/v1</code>"#),
        "{page}"
    );

    let unnamed = server(|c| {
        behind_local_proxy(c);
        c.secure_cookies = Some(false);
    })
    .await;
    unnamed.create_team("Acme", "mia@acme.test").await;
    unnamed.login("mia@acme.test").await;
    let page = unnamed.get("/account").await.text().await.unwrap();
    assert!(!page.contains("api-base") && page.contains("PUBLIC_URL"));
}
