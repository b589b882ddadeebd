//! The foundation: first-run setup, login and logout, sessions, rate limits, CSRF, roles,
//! team isolation, API tokens, health checks.

use reqwest::{Method, StatusCode};

use crate::helpers::{PASSWORD, TestApp, assert_redirect};

#[tokio::test]
async fn setup_page_creates_the_first_team_and_then_disappears() {
    let app = TestApp::spawn().await;
    assert_redirect(&app.get("/login").await, "/setup");
    let page = app.get("/setup").await;
    assert_eq!(page.status(), StatusCode::OK);
    assert!(page.text().await.unwrap().contains("Create team"));

    app.setup_team("Acme Staffing", "mia@acme.test").await;

    let today = app.get("/today").await;
    assert_eq!(today.status(), StatusCode::OK);
    assert!(
        today
            .text()
            .await
            .unwrap()
            .contains("Acme Staffing is ready")
    );
    assert_eq!(app.get("/setup").await.status(), StatusCode::NOT_FOUND);
    let again = app
        .post_form(
            "/setup",
            &[
                ("team", "Evil"),
                ("name", "E"),
                ("email", "e@evil.test"),
                ("password", PASSWORD),
                ("time_zone", "UTC"),
            ],
        )
        .await;
    assert_eq!(again.status(), StatusCode::NOT_FOUND);
    let teams: i64 = sqlx::query_scalar("select count(*) from teams")
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert_eq!(teams, 1);
}

#[tokio::test]
async fn setup_with_bad_input_reshows_the_form_with_messages_and_saves_nothing() {
    let app = TestApp::spawn().await;
    let resp = app
        .post_form(
            "/setup",
            &[
                ("team", "Acme"),
                ("name", ""),
                ("email", "not-an-email"),
                ("password", "short"),
                ("time_zone", "Mars/Base"),
            ],
        )
        .await;
    assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = resp.text().await.unwrap();
    assert!(
        html.contains("value=\"Acme\""),
        "the typed team name is kept"
    );
    assert!(html.contains("Enter an email address"));
    assert!(html.contains("at least 10 characters"));
    assert!(html.contains("Choose a time zone"));
    let teams: i64 = sqlx::query_scalar("select count(*) from teams")
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert_eq!(teams, 0);
}

#[tokio::test]
async fn wrong_password_and_unknown_email_get_the_same_message() {
    let app = TestApp::spawn().await;
    let team = app.create_team("Acme", "mia@acme.test").await;
    app.create_user(team, "rob@acme.test", "recruiter").await;

    let wrong = app
        .post_form(
            "/login",
            &[("email", "rob@acme.test"), ("password", "not the password")],
        )
        .await;
    let unknown = app
        .post_form(
            "/login",
            &[
                ("email", "nobody@acme.test"),
                ("password", "not the password"),
            ],
        )
        .await;
    assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(unknown.status(), StatusCode::UNAUTHORIZED);
    let (a, b) = (wrong.text().await.unwrap(), unknown.text().await.unwrap());
    let msg = "That email and password do not match an account.";
    assert!(a.contains(msg) && b.contains(msg));
    assert_redirect(&app.get("/today").await, "/login?next=/today");
}

#[tokio::test]
async fn login_rotates_the_session_and_logout_ends_it() {
    let app = TestApp::spawn().await;
    let team = app.create_team("Acme", "mia@acme.test").await;
    app.create_user(team, "rob@acme.test", "recruiter").await;

    // An anonymous session exists before login (a flash was stored in it by a failed attempt? no:
    // force one by visiting a page that sets nothing, then log in and compare ids).
    app.post_form(
        "/login",
        &[("email", "rob@acme.test"), ("password", "wrong password!")],
    )
    .await;
    app.login("rob@acme.test").await;
    let after_login = app.cookie_header().expect("a session cookie after login");
    assert_eq!(
        app.get_with_cookie("/today", &after_login).await.status(),
        StatusCode::OK
    );

    // A session id planted before login is never the one that ends up signed in.
    let (other, jar) = app.new_browser();
    let planted = "secondcall_session=planted-before-login-id";
    let resp = other
        .post(app.url("/login"))
        .header("cookie", planted)
        .form(&[("email", "rob@acme.test"), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    assert_redirect(
        &app.get_with_cookie("/today", planted).await,
        "/login?next=/today",
    );
    drop(jar);

    app.logout().await;
    assert_redirect(
        &app.get_with_cookie("/today", &after_login).await,
        "/login?next=/today",
    );
    let rows: i64 = sqlx::query_scalar("select count(*) from sessions")
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert_eq!(rows, 1, "only the other browser's session is left");
}

#[tokio::test]
async fn the_cookie_from_before_login_no_longer_works_after_it() {
    let app = TestApp::spawn().await;
    let team = app.create_team("Acme", "mia@acme.test").await;
    app.create_user(team, "rob@acme.test", "recruiter").await;
    // A failed login stores nothing; a visit to a page that flashes does. Use the login page
    // with a wrong password, then read whatever session the jar holds after a signed-in flash.
    app.login("rob@acme.test").await;
    let first = app.cookie_header().unwrap();
    app.logout().await;
    app.login("rob@acme.test").await;
    let second = app.cookie_header().unwrap();
    assert_ne!(first, second, "a new session id at every login");
    assert_redirect(
        &app.get_with_cookie("/today", &first).await,
        "/login?next=/today",
    );
    assert_eq!(
        app.get_with_cookie("/today", &second).await.status(),
        StatusCode::OK
    );
}

#[tokio::test]
async fn a_session_row_names_its_user_and_a_mismatch_never_signs_in_someone_else() {
    let app = TestApp::spawn().await;
    let team = app.create_team("Acme", "mia@acme.test").await;
    let rob = app.create_user(team, "rob@acme.test", "recruiter").await;
    app.login("rob@acme.test").await;
    let named: Option<i64> = sqlx::query_scalar("select user_id from sessions")
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert_eq!(
        named,
        Some(rob),
        "the store writes whom the session speaks for"
    );
    let as_rob = |html: &str| html.contains("<p class=\"muted\">rob@acme.test · Recruiter</p>");
    let account = app.get("/account").await;
    assert_eq!(account.status(), StatusCode::OK);
    assert!(as_rob(&account.text().await.unwrap()));

    // a row that names another user (out of step with its record) still speaks for the record's
    let mia: i64 = sqlx::query_scalar("select id from users where email = 'mia@acme.test'")
        .fetch_one(&app.db)
        .await
        .unwrap();
    sqlx::query("update sessions set user_id = $1")
        .bind(mia)
        .execute(&app.db)
        .await
        .unwrap();
    let account = app.get("/account").await;
    assert_eq!(account.status(), StatusCode::OK);
    assert!(as_rob(&account.text().await.unwrap()), "never Mia's page");

    // a row written before rows named their user: the user is read on its own
    sqlx::query("update sessions set user_id = null")
        .execute(&app.db)
        .await
        .unwrap();
    let account = app.get("/account").await;
    assert_eq!(account.status(), StatusCode::OK);
    assert!(as_rob(&account.text().await.unwrap()));

    // deactivated: signed out whichever way the user is read
    sqlx::query("update sessions set user_id = $1")
        .bind(rob)
        .execute(&app.db)
        .await
        .unwrap();
    sqlx::query("update users set active = false where id = $1")
        .bind(rob)
        .execute(&app.db)
        .await
        .unwrap();
    assert_redirect(&app.get("/account").await, "/login?next=/account");
}

#[tokio::test]
async fn the_session_store_reads_the_user_along_and_never_stores_it() {
    use secondcall::auth::session_store::{SIGNED_IN_KEY, SessionStore};
    use secondcall::db::users::User;
    let user_of = |carried: Option<serde_json::Value>| -> Option<User> {
        serde_json::from_value(carried?).ok()
    };
    use tower_sessions::SessionStore as _;
    use tower_sessions::session::{Id, Record};

    let app = TestApp::spawn().await;
    let team = app.create_team("Acme", "mia@acme.test").await;
    let rob = app.create_user(team, "rob@acme.test", "recruiter").await;
    let store = SessionStore::new(app.state.lookups.clone());
    let expiry = tower_sessions::cookie::time::OffsetDateTime::now_utc()
        + tower_sessions::cookie::time::Duration::hours(1);
    let mut record = Record {
        id: Id::default(),
        data: Default::default(),
        expiry_date: expiry,
    };
    record.data.insert(
        "auth".into(),
        serde_json::json!({"user_id": rob, "epoch": 0, "logged_in_at": "2026-11-30T08:00:00Z"}),
    );
    store.create(&mut record).await.unwrap();

    let loaded = store.load(&record.id).await.unwrap().expect("the row");
    let user = user_of(loaded.data.get(SIGNED_IN_KEY).cloned()).expect("read along");
    assert_eq!((user.id, user.email.as_str()), (rob, "rob@acme.test"));
    assert_eq!(user.time_zone, chrono_tz::America::New_York);

    // saving the loaded record (a flash, a keep-alive) stores the record without the user
    store.save(&loaded).await.unwrap();
    let bytes: Vec<u8> = sqlx::query_scalar("select data from sessions where id = $1")
        .bind(record.id.to_string())
        .fetch_one(&app.db)
        .await
        .unwrap();
    let stored: Record = rmp_serde::from_slice(&bytes).unwrap();
    assert!(!stored.data.contains_key(SIGNED_IN_KEY));
    assert!(stored.data.contains_key("auth"));

    // a taken id is drawn again, never overwritten
    let mut twin = Record {
        id: record.id,
        data: Default::default(),
        expiry_date: expiry,
    };
    store.create(&mut twin).await.unwrap();
    assert_ne!(twin.id, record.id);
    let again = store.load(&record.id).await.unwrap().expect("still there");
    assert!(again.data.contains_key("auth"));

    // an inactive user is not read along; a deleted session loads nothing
    sqlx::query("update users set active = false where id = $1")
        .bind(rob)
        .execute(&app.db)
        .await
        .unwrap();
    let inactive = store.load(&record.id).await.unwrap().unwrap();
    assert!(!inactive.data.contains_key(SIGNED_IN_KEY));
    store.delete(&record.id).await.unwrap();
    assert!(store.load(&record.id).await.unwrap().is_none());
}

#[tokio::test]
async fn too_many_failed_logins_for_one_account_from_one_address_get_429() {
    let app = TestApp::spawn().await;
    app.create_team("Acme", "mia@acme.test").await;
    // Failures recorded by other instances count too: the table is shared.
    sqlx::query(
        "insert into login_failures (email, client) select 'mia@acme.test', '127.0.0.1' from generate_series(1, 10)",
    )
    .execute(&app.db)
    .await
    .unwrap();
    let resp = app
        .post_form(
            "/login",
            &[("email", "mia@acme.test"), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(resp.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(resp.headers()["retry-after"], "60");
    assert!(
        resp.text()
            .await
            .unwrap()
            .contains("Too many failed logins for this account from your address")
    );
}

#[tokio::test]
async fn too_many_login_posts_from_one_address_get_429() {
    let app = TestApp::spawn().await;
    app.create_team("Acme", "mia@acme.test").await;
    let mut statuses = Vec::new();
    for i in 0..12 {
        let email = format!("guess{i}@acme.test");
        statuses.push(
            app.post_form(
                "/login",
                &[("email", &email), ("password", "guess guess guess")],
            )
            .await
            .status(),
        );
    }
    assert!(
        statuses[..10]
            .iter()
            .all(|s| *s == StatusCode::UNAUTHORIZED),
        "{statuses:?}"
    );
    assert_eq!(statuses[11], StatusCode::TOO_MANY_REQUESTS);
}

#[tokio::test]
async fn a_cross_site_form_post_is_refused_and_changes_nothing() {
    let app = TestApp::spawn().await;
    app.setup_team("Acme", "mia@acme.test").await;
    let resp = app
        .client
        .post(app.url("/settings/users"))
        .header("sec-fetch-site", "cross-site")
        .header("origin", "https://evil.example")
        .form(&[
            ("email", "eve@evil.test"),
            ("name", "Eve"),
            ("role", "manager"),
            ("time_zone", "UTC"),
            ("password", PASSWORD),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::FORBIDDEN);
    let resp = app
        .client
        .post(app.url("/settings/users"))
        .header("origin", "https://evil.example")
        .form(&[
            ("email", "eve@evil.test"),
            ("name", "Eve"),
            ("role", "manager"),
            ("time_zone", "UTC"),
            ("password", PASSWORD),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::FORBIDDEN);
    let n: i64 = sqlx::query_scalar("select count(*) from users where email = 'eve@evil.test'")
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert_eq!(n, 0);
    // The same form from our own origin works.
    let ok = app
        .client
        .post(app.url("/settings/users"))
        .header("origin", app.address.as_str())
        .header("sec-fetch-site", "same-origin")
        .form(&[
            ("email", "rob@acme.test"),
            ("name", "Rob"),
            ("role", "recruiter"),
            ("time_zone", "UTC"),
            ("password", PASSWORD),
        ])
        .send()
        .await
        .unwrap();
    assert_redirect(&ok, "/settings/users");
}

#[tokio::test]
async fn a_manager_adds_a_user_who_can_then_log_in() {
    let app = TestApp::spawn().await;
    app.setup_team("Acme", "mia@acme.test").await;
    let resp = app
        .post_form(
            "/settings/users",
            &[
                ("email", "Rob@Acme.test"),
                ("name", "Rob Recruiter"),
                ("role", "recruiter"),
                ("time_zone", "Europe/London"),
                ("password", PASSWORD),
            ],
        )
        .await;
    assert_redirect(&resp, "/settings/users");
    let list = app.get("/settings/users").await.text().await.unwrap();
    assert!(list.contains("Rob Recruiter") && list.contains("rob@acme.test"));

    let dup = app
        .post_form(
            "/settings/users",
            &[
                ("email", "rob@acme.test"),
                ("name", "Rob Again"),
                ("role", "recruiter"),
                ("time_zone", "UTC"),
                ("password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(dup.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = dup.text().await.unwrap();
    assert!(html.contains("already has an account") && html.contains("Rob Again"));

    let (browser, _jar) = app.new_browser();
    let login = browser
        .post(app.url("/login"))
        .form(&[("email", "rob@acme.test"), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_redirect(&login, "/today");
}

#[tokio::test]
async fn a_recruiter_cannot_reach_the_users_page() {
    let app = TestApp::spawn().await;
    let team = app.create_team("Acme", "mia@acme.test").await;
    app.create_user(team, "rob@acme.test", "recruiter").await;
    app.login("rob@acme.test").await;
    let resp = app.get("/settings/users").await;
    assert_eq!(resp.status(), StatusCode::FORBIDDEN);
    assert!(
        resp.text()
            .await
            .unwrap()
            .contains("This page is for managers")
    );
    let post = app
        .post_form(
            "/settings/users",
            &[
                ("email", "x@acme.test"),
                ("name", "X"),
                ("role", "manager"),
                ("time_zone", "UTC"),
                ("password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(post.status(), StatusCode::FORBIDDEN);
    let nav = app.get("/today").await.text().await.unwrap();
    assert!(
        !nav.contains("href=\"/settings\""),
        "recruiters do not see Settings in the nav"
    );
}

#[tokio::test]
async fn a_reset_password_must_be_changed_at_the_next_login() {
    let app = TestApp::spawn().await;
    let team = app.setup_team("Acme", "mia@acme.test").await;
    let rob = app.create_user(team, "rob@acme.test", "recruiter").await;
    let resp = app
        .post_form(
            &format!("/settings/users/{rob}/reset-password"),
            &[("password", "temporary pass 1")],
        )
        .await;
    assert_redirect(&resp, "/settings/users");

    let (browser, _jar) = app.new_browser();
    let old = browser
        .post(app.url("/login"))
        .form(&[("email", "rob@acme.test"), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(old.status(), StatusCode::UNAUTHORIZED);
    let login = browser
        .post(app.url("/login"))
        .form(&[("email", "rob@acme.test"), ("password", "temporary pass 1")])
        .send()
        .await
        .unwrap();
    assert_redirect(&login, "/account/password");
    let today = browser.get(app.url("/today")).send().await.unwrap();
    assert_redirect(&today, "/account/password");
    let change = browser
        .post(app.url("/account/password"))
        .form(&[
            ("current", "temporary pass 1"),
            ("new_password", "my own new password"),
            ("confirm", "my own new password"),
        ])
        .send()
        .await
        .unwrap();
    assert_redirect(&change, "/account");
    assert_eq!(
        browser
            .get(app.url("/today"))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::OK
    );
}

#[tokio::test]
async fn changing_the_password_ends_the_other_sessions() {
    let app = TestApp::spawn().await;
    let team = app.create_team("Acme", "mia@acme.test").await;
    app.create_user(team, "rob@acme.test", "recruiter").await;
    app.login("rob@acme.test").await;
    let (other, _jar) = app.new_browser();
    other
        .post(app.url("/login"))
        .form(&[("email", "rob@acme.test"), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(
        other.get(app.url("/today")).send().await.unwrap().status(),
        StatusCode::OK
    );

    let bad = app
        .post_form(
            "/account/password",
            &[
                ("current", "wrong one!!"),
                ("new_password", "new password 22"),
                ("confirm", "different 22"),
            ],
        )
        .await;
    assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = bad.text().await.unwrap();
    assert!(html.contains("not your current password") && html.contains("differ"));

    let ok = app
        .post_form(
            "/account/password",
            &[
                ("current", PASSWORD),
                ("new_password", "new password 22"),
                ("confirm", "new password 22"),
            ],
        )
        .await;
    assert_redirect(&ok, "/account");
    assert_eq!(
        app.get("/today").await.status(),
        StatusCode::OK,
        "this session stays signed in"
    );
    assert_redirect(
        &other.get(app.url("/today")).send().await.unwrap(),
        "/login?next=/today",
    );
}

#[tokio::test]
async fn the_time_zone_is_changed_on_the_account_page() {
    let app = TestApp::spawn().await;
    app.setup_team("Acme", "mia@acme.test").await;
    let bad = app
        .post_form("/account/time-zone", &[("time_zone", "Nowhere/Land")])
        .await;
    assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_redirect(
        &app.post_form("/account/time-zone", &[("time_zone", "Asia/Tokyo")])
            .await,
        "/account",
    );
    let tz: String =
        sqlx::query_scalar("select time_zone from users where email = 'mia@acme.test'")
            .fetch_one(&app.db)
            .await
            .unwrap();
    assert_eq!(tz, "Asia/Tokyo");
}

#[tokio::test]
async fn tokens_are_shown_once_stored_hashed_and_revocable() {
    let app = TestApp::spawn().await;
    app.setup_team("Acme", "mia@acme.test").await;
    let html = app
        .post_form(
            "/account/tokens",
            &[("name", "calendar script"), ("current_password", PASSWORD)],
        )
        .await
        .text()
        .await
        .unwrap();
    let start = html.find("sc_").expect("the token is shown");
    let token = &html[start..start + 67];
    let stored: i64 =
        sqlx::query_scalar("select count(*) from api_tokens where token_hash = sha256($1::bytea)")
            .bind(token.as_bytes())
            .fetch_one(&app.db)
            .await
            .unwrap();
    assert_eq!(stored, 1);
    let plain: i64 = sqlx::query_scalar(
        "select count(*) from api_tokens where encode(token_hash, 'escape') like '%' || $1 || '%'",
    )
    .bind(token)
    .fetch_one(&app.db)
    .await
    .unwrap();
    assert_eq!(plain, 0);

    let (status, me) = app.api(Method::GET, "/me", token, None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(me["email"], "mia@acme.test");
    assert_eq!(me["role"], "manager");
    assert_eq!(me["time_zone"], "America/New_York");
    assert!(me["team_id"].is_i64() && me["id"].is_i64());

    let account = app.get("/account").await.text().await.unwrap();
    assert!(
        account.contains("calendar script") && !account.contains(token),
        "listed, never shown again"
    );
    let id: i64 = sqlx::query_scalar("select id from api_tokens")
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert_redirect(
        &app.post_form(&format!("/account/tokens/{id}/revoke"), &[])
            .await,
        "/account",
    );
    let (status, body) = app.api(Method::GET, "/me", token, None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(body["error"]["code"], "unauthorized");
}

#[tokio::test]
async fn the_api_needs_a_token() {
    let app = TestApp::spawn().await;
    let resp = app.client.get(app.url("/api/v1/me")).send().await.unwrap();
    assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);
    let body: serde_json::Value = resp.json().await.unwrap();
    assert_eq!(body["error"]["code"], "unauthorized");
    let (status, _) = app
        .api(Method::GET, "/me", "sc_not_a_real_token", None)
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn api_tokens_come_from_email_and_password() {
    let app = TestApp::spawn().await;
    app.create_team("Acme", "mia@acme.test").await;
    let token = app.token_for("mia@acme.test").await;
    let (status, me) = app.api(Method::GET, "/me", &token, None).await;
    assert_eq!(
        (status, me["email"].as_str()),
        (StatusCode::OK, Some("mia@acme.test"))
    );
    let bad = app
        .client
        .post(app.url("/api/v1/tokens"))
        .json(&serde_json::json!({"email": "mia@acme.test", "password": "nope nope nope"}))
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), StatusCode::UNAUTHORIZED);
    let malformed = app
        .client
        .post(app.url("/api/v1/tokens"))
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(malformed.status(), StatusCode::BAD_REQUEST);
    let body: serde_json::Value = malformed.json().await.unwrap();
    assert_eq!(body["error"]["code"], "bad_request");
}

#[tokio::test]
async fn two_teams_never_see_each_others_users() {
    let app = TestApp::spawn().await;
    let acme = app.create_team("Acme", "mia@acme.test").await;
    let globex = app.create_team("Globex", "gus@globex.test").await;
    let rob = app.create_user(acme, "rob@acme.test", "recruiter").await;
    app.create_user(globex, "gina@globex.test", "recruiter")
        .await;

    app.login("gus@globex.test").await;
    let list = app.get("/settings/users").await.text().await.unwrap();
    assert!(list.contains("gina@globex.test") && !list.contains("rob@acme.test"));
    let reset = app
        .post_form(
            &format!("/settings/users/{rob}/reset-password"),
            &[("password", "hijacked password")],
        )
        .await;
    assert_eq!(reset.status(), StatusCode::NOT_FOUND);

    let token = app.token_for("gus@globex.test").await;
    let (status, body) = app
        .api(
            Method::PATCH,
            &format!("/users/{rob}"),
            &token,
            Some(serde_json::json!({"active": false})),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(body["error"]["code"], "not_found");
    let active: bool = sqlx::query_scalar("select active from users where id = $1")
        .bind(rob)
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert!(active);
}

#[tokio::test]
async fn the_users_api_creates_and_deactivates_users() {
    let app = TestApp::spawn().await;
    let team = app.create_team("Acme", "mia@acme.test").await;
    app.create_user(team, "rob@acme.test", "recruiter").await;
    let manager = app.token_for("mia@acme.test").await;
    let recruiter = app.token_for("rob@acme.test").await;

    let new_user = serde_json::json!({"email": "sue@acme.test", "name": "Sue", "role": "recruiter", "password": PASSWORD, "time_zone": "Europe/Paris"});
    let (status, body) = app
        .api(Method::POST, "/users", &recruiter, Some(new_user.clone()))
        .await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (StatusCode::FORBIDDEN, Some("forbidden"))
    );
    let (status, sue) = app
        .api(Method::POST, "/users", &manager, Some(new_user.clone()))
        .await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(sue["team_id"], team);
    let (status, _) = app
        .api(Method::POST, "/users", &manager, Some(new_user))
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    let (status, body) = app.api(Method::POST, "/users", &manager, Some(serde_json::json!({"email": "x@acme.test", "name": "X", "role": "boss", "password": PASSWORD}))).await;
    assert_eq!(
        (status, body["error"]["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("role"))
    );

    let sue_token = app.token_for("sue@acme.test").await;
    let id = sue["id"].as_i64().unwrap();
    let (status, body) = app
        .api(
            Method::PATCH,
            &format!("/users/{id}"),
            &manager,
            Some(serde_json::json!({"active": false})),
        )
        .await;
    assert_eq!(
        (status, body["active"].as_bool()),
        (StatusCode::OK, Some(false))
    );
    let (status, _) = app.api(Method::GET, "/me", &sue_token, None).await;
    assert_eq!(
        status,
        StatusCode::UNAUTHORIZED,
        "a deactivated user's tokens stop working"
    );
    let login = app
        .post_form(
            "/login",
            &[("email", "sue@acme.test"), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(login.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn health_and_readiness_answer() {
    let app = TestApp::spawn().await;
    assert_eq!(app.get("/healthz").await.status(), StatusCode::OK);
    let ready = app.get("/readyz").await;
    assert_eq!(ready.status(), StatusCode::OK);
    assert_eq!(ready.text().await.unwrap(), "ready");
}

#[tokio::test]
async fn pages_carry_security_headers_and_friendly_errors() {
    let app = TestApp::spawn().await;
    let resp = app.get("/no/such/page").await;
    assert_eq!(resp.status(), StatusCode::NOT_FOUND);
    let csp = resp
        .headers()
        .get("content-security-policy")
        .unwrap()
        .to_str()
        .unwrap()
        .to_string();
    assert!(csp.contains("frame-ancestors 'none'") && csp.contains("script-src 'self'"));
    assert_eq!(
        resp.headers().get("x-content-type-options").unwrap(),
        "nosniff"
    );
    assert!(resp.headers().get("referrer-policy").is_some());
    assert!(resp.headers().get("x-request-id").is_some());
    assert!(
        resp.text()
            .await
            .unwrap()
            .contains("There is nothing at this address")
    );
    let css = app.get("/static/css/app.css").await;
    assert_eq!(css.status(), StatusCode::OK);
    assert!(
        css.headers()
            .get("cache-control")
            .unwrap()
            .to_str()
            .unwrap()
            .contains("max-age=31536000")
    );
}

#[tokio::test]
async fn session_cookies_are_http_only_and_same_site_lax() {
    let app = TestApp::spawn().await;
    app.create_team("Acme", "mia@acme.test").await;
    let resp = app
        .post_form(
            "/login",
            &[("email", "mia@acme.test"), ("password", PASSWORD)],
        )
        .await;
    let cookie = resp
        .headers()
        .get("set-cookie")
        .unwrap()
        .to_str()
        .unwrap()
        .to_string();
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"),
        "{cookie}"
    );
    assert!(
        !cookie.contains("Secure"),
        "Secure only with SECURE_COOKIES=true"
    );
}

/// The session and user of each request are read on connections of their own, kept between
/// requests (`db::kept`), which keep one plan per statement (`plan_cache_mode = auto`) and the
/// request timeout; the serving pool still plans every statement with its values (the list pages'
/// optional filters).
#[tokio::test]
async fn each_request_reads_its_session_and_user_on_the_kept_lookup_connections() {
    let app = TestApp::spawn().await;
    // it connects on first use, and only the requests use it
    assert_eq!(app.state.lookups.kept(), 0);
    app.setup_team("Acme Staffing", "mia@acme.test").await;
    assert_eq!(app.get("/today").await.status(), StatusCode::OK);
    assert!(app.state.lookups.kept() >= 1);
    app.logout().await;
    assert_redirect(&app.get("/today").await, "/login?next=/today");

    async fn setting(kept: &secondcall::db::kept::Kept, name: &str) -> String {
        let mut conn = kept.get().await.unwrap();
        let value = sqlx::query_scalar::<_, String>("select current_setting($1)")
            .bind(name)
            .fetch_one(&mut *conn)
            .await
            .unwrap();
        conn.done();
        value
    }
    let serving: String = sqlx::query_scalar("select current_setting('plan_cache_mode')")
        .fetch_one(&app.state.db)
        .await
        .unwrap();
    assert_eq!(serving, "force_custom_plan");
    assert_eq!(setting(&app.state.lookups, "plan_cache_mode").await, "auto");
    assert_eq!(setting(&app.state.lookups, "statement_timeout").await, "5s");
    // Today's reads and the everyday writes: kept connections with generic plans, same timeout
    assert!(app.state.hot.kept() >= 1, "Today read on a kept connection");
    assert_eq!(
        setting(&app.state.hot, "plan_cache_mode").await,
        "force_generic_plan"
    );
    assert_eq!(setting(&app.state.hot, "statement_timeout").await, "5s");
}
