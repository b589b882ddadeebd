//! The security log: what a manager reads on Settings → Security log and at `GET /api/v1/audit`,
//! filtered, paged, and only ever the team's own.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::TestApp;

async fn audit(app: &TestApp, token: &str, query: &str) -> (StatusCode, Value) {
    app.api(Method::GET, &format!("/audit{query}"), token, None)
        .await
}

#[tokio::test]
async fn a_settings_change_is_logged_with_who_where_and_what_changed() {
    let app = TestApp::spawn().await;
    let team = app.create_team("Acme", "mia@acme.test").await;
    let token = app.token_for("mia@acme.test").await;
    let mia = app.api(Method::GET, "/me", &token, None).await.1["id"].clone();

    let (status, body) = app
        .api(
            Method::PATCH,
            "/settings",
            &token,
            Some(json!({"intervals": {"hot": 5}, "nightly_hour": 3})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    // saving the same values again changes nothing and logs nothing
    app.api(
        Method::PATCH,
        "/settings",
        &token,
        Some(json!({"intervals": {"hot": 5}})),
    )
    .await;

    let (status, log) = audit(&app, &token, "?kind=settings_changed").await;
    assert_eq!(status, StatusCode::OK, "{log}");
    let items = log["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "{log}");
    let e = &items[0];
    assert_eq!(e["kind"], "settings_changed");
    assert_eq!(e["actor_id"], mia);
    assert_eq!(e["ip"], "127.0.0.1");
    assert_eq!(e["detail"], "intervals.hot, nightly_hour");
    assert!(e["at"].as_str().unwrap().ends_with('Z') || e["at"].as_str().unwrap().contains('+'));

    // the page shows the same entry (a form save adds a second one)
    app.login("mia@acme.test").await;
    let page = app.get("/settings/security-log").await;
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.unwrap();
    assert!(html.contains("settings_changed") && html.contains("intervals.hot, nightly_hour"));
    assert!(html.contains("127.0.0.1"));
    let _ = team;
}

#[tokio::test]
async fn recruiters_may_not_read_it_and_other_teams_see_nothing_of_it() {
    let app = TestApp::spawn().await;
    let acme = app.create_team("Acme", "mia@acme.test").await;
    app.create_user(acme, "rob@acme.test", "recruiter").await;
    app.create_team("Other", "olga@other.test").await;
    let mia = app.token_for("mia@acme.test").await;
    let rob = app.token_for("rob@acme.test").await;
    let olga = app.token_for("olga@other.test").await;
    app.api(
        Method::PATCH,
        "/settings",
        &mia,
        Some(json!({"intervals": {"warm": 20}})),
    )
    .await;
    let rob_id = app.api(Method::GET, "/me", &rob, None).await.1["id"]
        .as_i64()
        .unwrap();

    assert_eq!(audit(&app, &rob, "").await.0, StatusCode::FORBIDDEN);
    app.login("rob@acme.test").await;
    assert_eq!(
        app.get("/settings/security-log").await.status(),
        StatusCode::FORBIDDEN
    );

    let olga_id = app.api(Method::GET, "/me", &olga, None).await.1["id"].clone();
    let (status, log) = audit(&app, &olga, "").await;
    assert_eq!(status, StatusCode::OK);
    let items = log["items"].as_array().unwrap();
    assert!(!items.is_empty(), "her own login and token are there");
    for e in items {
        assert_eq!(
            e["target_user_id"], olga_id,
            "another team's events stay theirs: {e}"
        );
    }
    // naming another team's user answers as a missing one would
    let (status, body) = audit(&app, &olga, &format!("?user_id={rob_id}")).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
}

#[tokio::test]
async fn bad_filters_are_named_and_pages_follow_each_other() {
    let app = TestApp::spawn().await;
    app.create_team("Acme", "mia@acme.test").await;
    let token = app.token_for("mia@acme.test").await;
    for days in 10..15 {
        app.api(
            Method::PATCH,
            "/settings",
            &token,
            Some(json!({"intervals": {"warm": days}})),
        )
        .await;
    }

    let (status, body) = audit(&app, &token, "?kind=hacked").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["error"]["field"], "kind");
    let (status, body) = audit(&app, &token, "?from=2026-05-02&to=2026-05-01").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["error"]["field"], "to");
    let (status, body) = audit(&app, &token, "?cursor=nonsense").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["error"]["field"], "cursor");

    // five entries, two a page, newest first, none twice
    let mut seen = Vec::new();
    let mut query = "?kind=settings_changed&limit=2".to_string();
    loop {
        let (status, page) = audit(&app, &token, &query).await;
        assert_eq!(status, StatusCode::OK, "{page}");
        for e in page["items"].as_array().unwrap() {
            seen.push(e["id"].as_i64().unwrap());
        }
        match page["next"].as_str() {
            Some(next) => query = format!("?kind=settings_changed&limit=2&cursor={next}"),
            None => break,
        }
    }
    assert_eq!(seen.len(), 5);
    assert!(
        seen.windows(2).all(|w| w[0] > w[1]),
        "newest first: {seen:?}"
    );

    // a date range outside the entries finds none; today's finds them all
    let (_, none) = audit(
        &app,
        &token,
        "?kind=settings_changed&from=2020-01-01&to=2020-01-31",
    )
    .await;
    assert_eq!(none["items"], json!([]));
    // the range is days in the reader's zone
    let today = app.today_of("mia@acme.test").await;
    let (_, all) = audit(
        &app,
        &token,
        &format!("?kind=settings_changed&from={today}&to={today}&limit=500"),
    )
    .await;
    assert_eq!(all["items"].as_array().unwrap().len(), 5);

    // the page re-shows a bad date with its message
    app.login("mia@acme.test").await;
    let resp = app.get("/settings/security-log?from=yesterday").await;
    assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = resp.text().await.unwrap();
    assert!(html.contains("value=\"yesterday\"") && html.contains("YYYY-MM-DD"));
}

#[tokio::test]
async fn users_added_promoted_deactivated_and_reactivated_are_logged_by_page_and_api() {
    let app = TestApp::spawn().await;
    app.create_team("Acme", "mia@acme.test").await;
    let token = app.token_for("mia@acme.test").await;
    let (status, rob) = app
        .api(
            Method::POST,
            "/users",
            &token,
            Some(
                json!({"email": "rob@acme.test", "name": "Rob Roe", "role": "recruiter",
                "password": crate::helpers::PASSWORD, "time_zone": "UTC"}),
            ),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{rob}");
    let rob = rob["id"].as_i64().unwrap();
    let path = format!("/users/{rob}");
    app.api(
        Method::PATCH,
        &path,
        &token,
        Some(json!({"role": "manager"})),
    )
    .await;
    // a time zone is not a security event
    app.api(
        Method::PATCH,
        &path,
        &token,
        Some(json!({"time_zone": "Europe/Berlin"})),
    )
    .await;
    app.login("mia@acme.test").await;
    let resp = app
        .post_form(&format!("/settings/users/{rob}/deactivate"), &[])
        .await;
    assert!(resp.status().is_redirection(), "{}", resp.status());
    let resp = app
        .post_form(&format!("/settings/users/{rob}/reactivate"), &[])
        .await;
    assert!(resp.status().is_redirection(), "{}", resp.status());

    let (_, log) = audit(&app, &token, &format!("?user_id={rob}")).await;
    let seen: Vec<(String, String)> = log["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            assert_eq!(e["target_user_id"], rob);
            (
                e["kind"].as_str().unwrap().to_string(),
                e["detail"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let expected: Vec<(String, String)> = [
        ("user_reactivated", ""),
        ("user_deactivated", ""),
        ("role_changed", "recruiter -> manager"),
        ("user_created", "role recruiter"),
    ]
    .iter()
    .map(|(k, d)| (k.to_string(), d.to_string()))
    .collect();
    assert_eq!(seen, expected);
}

/// The kinds and details of a user's entries, oldest first.
async fn history_of(app: &TestApp, token: &str, user: i64) -> Vec<(String, Value, String)> {
    let (status, log) = audit(app, token, &format!("?user_id={user}&limit=500")).await;
    assert_eq!(status, StatusCode::OK, "{log}");
    let mut rows: Vec<(String, Value, String)> = log["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            assert_eq!(e["ip"], "127.0.0.1", "{e}");
            (
                e["kind"].as_str().unwrap().to_string(),
                e["actor_id"].clone(),
                e["detail"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    rows.reverse();
    rows
}

#[tokio::test]
async fn an_account_s_life_is_logged_from_setup_to_logout() {
    let app = TestApp::spawn().await;
    app.setup_team("Acme", "mia@acme.test").await;
    let mia_token = app.token_for("mia@acme.test").await;
    let mia = app.api(Method::GET, "/me", &mia_token, None).await.1["id"]
        .as_i64()
        .unwrap();
    let rob = app
        .create_user(
            app.api(Method::GET, "/me", &mia_token, None).await.1["team_id"]
                .as_i64()
                .unwrap(),
            "rob@acme.test",
            "recruiter",
        )
        .await;

    // Rob: a wrong password, a login, a token from the account page, a new password, logout
    let (browser, _) = app.new_browser();
    let wrong = browser
        .post(app.url("/login"))
        .form(&[("email", "rob@acme.test"), ("password", "not his password")])
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);
    // an unknown email files nothing under any team
    browser
        .post(app.url("/login"))
        .form(&[
            ("email", "nobody@acme.test"),
            ("password", "whatever it is"),
        ])
        .send()
        .await
        .unwrap();
    app.login("rob@acme.test").await;
    let resp = app
        .post_form(
            "/account/tokens",
            &[
                ("name", "calendar script"),
                ("expires_in_days", "30"),
                ("current_password", crate::helpers::PASSWORD),
            ],
        )
        .await;
    assert_eq!(resp.status(), StatusCode::OK);
    let resp = app
        .post_form(
            "/account/password",
            &[
                ("current", crate::helpers::PASSWORD),
                ("new_password", "a brand new long phrase"),
                ("confirm", "a brand new long phrase"),
            ],
        )
        .await;
    assert!(resp.status().is_redirection(), "{}", resp.status());
    app.logout().await;

    // Mia resets Rob's password, then revokes the API token he gets with the temporary one changed
    let (status, body) = app
        .api(
            Method::POST,
            "/tokens",
            &mia_token,
            Some(json!({"email": "rob@acme.test", "password": "a brand new long phrase"})),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let token_id = body["id"].as_i64().unwrap();
    let (status, _) = app
        .api(
            Method::DELETE,
            &format!("/tokens/{token_id}"),
            &mia_token,
            None,
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    app.login("mia@acme.test").await;
    let resp = app
        .post_form(
            &format!("/settings/users/{rob}/reset-password"),
            &[("password", "temporary pass 1")],
        )
        .await;
    assert!(resp.status().is_redirection(), "{}", resp.status());

    let rob_actor = json!(rob);
    let mia_actor = json!(mia);
    let history = history_of(&app, &mia_token, rob).await;
    let kinds: Vec<&str> = history.iter().map(|(k, _, _)| k.as_str()).collect();
    assert_eq!(
        kinds,
        [
            "login_failed",
            "login",
            "token_created",
            "password_changed",
            "logout",
            "login",
            "token_created",
            "token_revoked",
            "password_reset",
        ],
        "{history:?}"
    );
    assert_eq!(
        history[0].1,
        Value::Null,
        "nobody is signed in at a failed login"
    );
    assert_eq!(history[0].2, "wrong password (login form)");
    assert_eq!(history[1].1, rob_actor);
    assert!(
        history[2].2.starts_with("token ")
            && history[2].2.contains(" expires ")
            && history[2].2.ends_with(" UTC"),
        "{}",
        history[2].2
    );
    assert_eq!(history[5].2, "API token request");
    assert_eq!(history[7].1, mia_actor, "the manager revoked it");
    assert_eq!(history[8].1, mia_actor);
    assert!(history[8].2.contains("1 tokens revoked") || history[8].2.contains("0 tokens revoked"));

    // the setup's first manager: created by nobody signed in
    let setup = history_of(&app, &mia_token, mia).await;
    assert_eq!(setup[0].0, "user_created");
    assert_eq!(setup[0].1, Value::Null);
    assert!(setup[0].2.contains("first manager"), "{setup:?}");
    // no entry ever holds a password
    let (_, all) = audit(&app, &mia_token, "?limit=500").await;
    let text = all.to_string();
    for secret in [
        crate::helpers::PASSWORD,
        "a brand new long phrase",
        "temporary pass 1",
    ] {
        assert!(!text.contains(secret));
    }
}

#[tokio::test]
async fn entries_older_than_the_team_s_retention_are_pruned_and_no_others() {
    let app = TestApp::spawn().await;
    let acme = app.create_team("Acme", "mia@acme.test").await;
    let other = app.create_team("Other", "olga@other.test").await;
    let mia = app.token_for("mia@acme.test").await;
    let now = app.clock().now();
    for team in [acme, other] {
        for days in [400, 100, 10] {
            sqlx::query(
                "insert into audit_events (team_id, at, kind, detail) values ($1, $2, 'settings_changed', $3)",
            )
            .bind(team)
            .bind(now - chrono::Duration::days(days))
            .bind(format!("{days} days old"))
            .execute(&app.db)
            .await
            .unwrap();
        }
    }
    let left = |team: i64| {
        let db = app.db.clone();
        async move {
            let rows: Vec<String> = sqlx::query_scalar(
                "select detail from audit_events where team_id = $1 and detail like '% days old' order by at",
            )
            .bind(team)
            .fetch_all(&db)
            .await
            .unwrap();
            rows
        }
    };

    // the default keeps a year
    secondcall::background::prune::prune_once(&app.db, now, &Default::default())
        .await
        .unwrap();
    assert_eq!(left(acme).await, ["100 days old", "10 days old"]);

    // a team that keeps 60 days loses the 100-day-old entry; the other team keeps its year
    let (status, body) = app
        .api(
            Method::PATCH,
            "/settings",
            &mia,
            Some(json!({"audit_retention_days": 10})),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["error"]["field"], "audit_retention_days");
    let (status, body) = app
        .api(
            Method::PATCH,
            "/settings",
            &mia,
            Some(json!({"audit_retention_days": 60})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["audit_retention_days"], 60);
    secondcall::background::prune::prune_once(&app.db, now, &Default::default())
        .await
        .unwrap();
    assert_eq!(left(acme).await, ["10 days old"]);
    assert_eq!(left(other).await, ["100 days old", "10 days old"]);
}
