//! The password rule on every path that sets one (setup, the users page, `POST /users`, the
//! user's own change, a manager's reset, the command line), the 7-day life of a temporary
//! password, and `secondcall admin reset-password`.

use std::io::Write;
use std::process::{Command, Stdio};

use chrono::Duration;
use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::helpers::{PASSWORD, TestApp, assert_redirect, fresh_database};

const BIN: &str = env!("CARGO_BIN_EXE_secondcall");
const GUESSABLE: &str = "too common or too easy to guess";
const PERSONAL: &str = "Leave the name and the email name";

/// The form's error next to `field`, if any.
fn field_error(html: &str, field: &str) -> Option<String> {
    let at = html.find(&format!("id=\"e-{field}\">"))?;
    let rest = &html[at..];
    let start = rest.find('>')? + 1;
    let end = rest.find("</p>")?;
    Some(rest[start..end].to_string())
}

#[tokio::test]
async fn setup_refuses_a_common_password_and_one_with_the_managers_name() {
    let app = TestApp::spawn().await;
    for (password, why) in [
        ("Summer2024!", GUESSABLE),
        ("password123", GUESSABLE),
        ("MIA rules the desk", PERSONAL),
        ("river Okonkwo stone", PERSONAL),
    ] {
        let resp = app
            .post_form(
                "/setup",
                &[
                    ("team", "Acme"),
                    ("name", "Mia Okonkwo"),
                    ("email", "mia@acme.test"),
                    ("password", password),
                    ("time_zone", "UTC"),
                ],
            )
            .await;
        assert_eq!(
            resp.status(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "{password}"
        );
        let html = resp.text().await.unwrap();
        let error = field_error(&html, "password").expect("the password field has the error");
        assert!(error.contains(why), "{password}: {error}");
    }
    let teams: i64 = sqlx::query_scalar("select count(*) from teams")
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert_eq!(teams, 0);
    app.setup_team("Acme", "mia@acme.test").await;
}

#[tokio::test]
async fn the_users_page_and_the_api_refuse_weak_passwords_for_a_new_user() {
    let app = TestApp::spawn().await;
    app.setup_team("Acme", "mia@acme.test").await;
    let form = |password: &'static str| {
        [
            ("email", "robert.king@acme.test"),
            ("name", "Robert King"),
            ("role", "recruiter"),
            ("time_zone", "UTC"),
            ("password", password),
        ]
    };
    for (password, why) in [
        ("qwerty123456", GUESSABLE),
        ("iloveyou2024", GUESSABLE),
        ("robert.king 2024!", PERSONAL),
        ("blue KING stapler", PERSONAL),
    ] {
        let resp = app.post_form("/settings/users", &form(password)).await;
        assert_eq!(
            resp.status(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "{password}"
        );
        let error = field_error(&resp.text().await.unwrap(), "password").unwrap();
        assert!(error.contains(why), "{password}: {error}");
    }

    let token = app.token_for("mia@acme.test").await;
    for (password, why) in [("Password123!", GUESSABLE), ("i am robert king!", PERSONAL)] {
        let (status, body) = app
            .api(
                Method::POST,
                "/users",
                &token,
                Some(json!({"email": "robert.king@acme.test", "name": "Robert King", "role": "recruiter", "password": password})),
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{password}");
        assert_eq!(body["error"]["code"], "invalid");
        assert_eq!(body["error"]["field"], "password");
        assert!(body["error"]["message"].as_str().unwrap().contains(why));
    }
    let users: i64 = sqlx::query_scalar("select count(*) from users")
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert_eq!(users, 1, "nobody was added");
    assert_redirect(
        &app.post_form("/settings/users", &form(PASSWORD)).await,
        "/settings/users",
    );
}

#[tokio::test]
async fn a_user_cannot_change_to_a_common_password_or_one_with_their_name() {
    let app = TestApp::spawn().await;
    app.setup_team("Acme", "mia@acme.test").await;
    for (password, why) in [("iloveyou1234", GUESSABLE), ("Manager mia here", PERSONAL)] {
        let resp = app
            .post_form(
                "/account/password",
                &[
                    ("current", PASSWORD),
                    ("new_password", password),
                    ("confirm", password),
                ],
            )
            .await;
        assert_eq!(
            resp.status(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "{password}"
        );
        let error = field_error(&resp.text().await.unwrap(), "new_password").unwrap();
        assert!(error.contains(why), "{password}: {error}");
    }
    app.logout().await;
    app.login("mia@acme.test").await;
}

#[tokio::test]
async fn a_managers_reset_refuses_a_weak_temporary_password() {
    let app = TestApp::spawn().await;
    let team = app.setup_team("Acme", "mia@acme.test").await;
    let rob = app
        .create_user(team, "rob.stone@acme.test", "recruiter")
        .await;
    for (password, why) in [("welcome2024", GUESSABLE), ("rob.stone!!1234", PERSONAL)] {
        let resp = app
            .post_form(
                &format!("/settings/users/{rob}/reset-password"),
                &[("password", password)],
            )
            .await;
        assert_eq!(
            resp.status(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "{password}"
        );
        let html = resp.text().await.unwrap();
        assert!(
            html.contains("Temporary password: ") && html.contains(why),
            "{password}"
        );
    }
    let must_change: bool =
        sqlx::query_scalar("select must_change_password from users where id = $1")
            .bind(rob)
            .fetch_one(&app.db)
            .await
            .unwrap();
    assert!(!must_change, "nothing was reset");
}

#[tokio::test]
async fn a_temporary_password_stops_working_after_seven_days() {
    let app = TestApp::spawn().await;
    let team = app.setup_team("Acme", "mia@acme.test").await;
    let rob = app.create_user(team, "rob@acme.test", "recruiter").await;
    let reset = app
        .post_form(
            &format!("/settings/users/{rob}/reset-password"),
            &[("password", "temporary pass 1")],
        )
        .await;
    assert_redirect(&reset, "/settings/users");
    let try_login = async || {
        let (browser, _jar) = app.new_browser();
        browser
            .post(app.url("/login"))
            .form(&[("email", "rob@acme.test"), ("password", "temporary pass 1")])
            .send()
            .await
            .unwrap()
    };
    app.clock().advance(Duration::days(6) + Duration::hours(23));
    assert_redirect(&try_login().await, "/account/password");

    app.clock()
        .advance(Duration::hours(1) + Duration::minutes(1));
    let late = try_login().await;
    assert_eq!(late.status(), StatusCode::UNAUTHORIZED);
    assert!(
        late.text()
            .await
            .unwrap()
            .contains("Your temporary password has expired. Ask a manager for a new one.")
    );
    let api = app
        .client
        .post(app.url("/api/v1/tokens"))
        .json(&json!({"email": "rob@acme.test", "password": "temporary pass 1"}))
        .send()
        .await
        .unwrap();
    assert_eq!(api.status(), StatusCode::UNAUTHORIZED);
    let body: serde_json::Value = api.json().await.unwrap();
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("expired")
    );

    // a new reset gives seven more days (the manager's own session has ended meanwhile)
    app.login("mia@acme.test").await;
    let again = app
        .post_form(
            &format!("/settings/users/{rob}/reset-password"),
            &[("password", "temporary pass 2")],
        )
        .await;
    assert_redirect(&again, "/settings/users");
    let (browser, _jar) = app.new_browser();
    let login = browser
        .post(app.url("/login"))
        .form(&[("email", "rob@acme.test"), ("password", "temporary pass 2")])
        .send()
        .await
        .unwrap();
    assert_redirect(&login, "/account/password");
    let change = browser
        .post(app.url("/account/password"))
        .form(&[
            ("current", "temporary pass 2"),
            ("new_password", "my own new password"),
            ("confirm", "my own new password"),
        ])
        .send()
        .await
        .unwrap();
    assert_redirect(&change, "/account");
    app.clock().advance(Duration::days(30));
    let (later, _jar) = app.new_browser();
    let own = later
        .post(app.url("/login"))
        .form(&[
            ("email", "rob@acme.test"),
            ("password", "my own new password"),
        ])
        .send()
        .await
        .unwrap();
    assert_redirect(&own, "/today");
}

/// Runs `secondcall` against the test database with `stdin` as its standard input.
fn secondcall(url: &str, args: &[&str], stdin: &str) -> std::process::Output {
    let mut child = Command::new(BIN)
        .args(args)
        .env("DATABASE_URL", url)
        .env("RUST_LOG", "warn")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

#[tokio::test]
async fn the_command_line_refuses_weak_passwords_and_resets_a_locked_out_manager() {
    let (db, options) = fresh_database().await;
    let url = crate::nightly::url_of(&options);
    let create_team = |password: &'static str| {
        let url = url.clone();
        move || {
            secondcall(
                &url,
                &[
                    "admin",
                    "create-team",
                    "--team",
                    "Acme",
                    "--email",
                    "mia@acme.test",
                    "--name",
                    "Mia Lund",
                    "--password-stdin",
                ],
                &format!("{password}\n"),
            )
        }
    };
    for (password, why) in [("password1234", GUESSABLE), ("lund lund lund 42", PERSONAL)] {
        let out = tokio::task::spawn_blocking(create_team(password))
            .await
            .unwrap();
        assert!(!out.status.success(), "{password} was accepted");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            stderr.contains("the password on standard input") && stderr.contains(why),
            "{stderr}"
        );
    }
    let out = tokio::task::spawn_blocking(create_team(PASSWORD))
        .await
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let team = String::from_utf8_lossy(&out.stdout).trim().to_string();
    let url_user = url.clone();
    let out = tokio::task::spawn_blocking(move || {
        secondcall(
            &url_user,
            &[
                "admin",
                "create-user",
                "--team-id",
                &team,
                "--email",
                "rob@acme.test",
                "--name",
                "Rob",
                "--role",
                "recruiter",
                "--password-stdin",
            ],
            "iloveyou2024\n",
        )
    })
    .await
    .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains(GUESSABLE));

    // the sole manager is locked out: the operator resets her password
    let app = TestApp::spawn_on(db.clone()).await;
    let token = app.token_for("mia@acme.test").await;
    let url_reset = url.clone();
    let out = tokio::task::spawn_blocking(move || {
        secondcall(
            &url_reset,
            &["admin", "reset-password", "--email", "MIA@acme.test"],
            "",
        )
    })
    .await
    .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let temporary = String::from_utf8_lossy(&out.stdout).trim().to_string();
    assert_eq!(temporary.len(), 19, "{temporary}");
    assert_eq!(
        app.api(Method::GET, "/me", &token, None).await.0,
        StatusCode::UNAUTHORIZED,
        "her tokens end"
    );
    let old = app
        .post_form(
            "/login",
            &[("email", "mia@acme.test"), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(old.status(), StatusCode::UNAUTHORIZED);
    let login = app
        .post_form(
            "/login",
            &[("email", "mia@acme.test"), ("password", &temporary)],
        )
        .await;
    assert_redirect(&login, "/account/password");

    let unknown = tokio::task::spawn_blocking(move || {
        secondcall(
            &url,
            &["admin", "reset-password", "--email", "nobody@acme.test"],
            "",
        )
    })
    .await
    .unwrap();
    assert!(!unknown.status.success());
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("no active user"));
}
