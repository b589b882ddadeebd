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

    let (status, log) = audit(&app, &olga, "").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(log["items"], json!([]), "another team's events stay theirs");
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
    let mut query = "?limit=2".to_string();
    loop {
        let (status, page) = audit(&app, &token, &query).await;
        assert_eq!(status, StatusCode::OK, "{page}");
        for e in page["items"].as_array().unwrap() {
            seen.push(e["id"].as_i64().unwrap());
        }
        match page["next"].as_str() {
            Some(next) => query = format!("?limit=2&cursor={next}"),
            None => break,
        }
    }
    assert_eq!(seen.len(), 5);
    assert!(
        seen.windows(2).all(|w| w[0] > w[1]),
        "newest first: {seen:?}"
    );

    // a date range outside the entries finds none; today's finds them all
    let (_, none) = audit(&app, &token, "?from=2020-01-01&to=2020-01-31").await;
    assert_eq!(none["items"], json!([]));
    let today = app.clock().now().date_naive();
    let (_, all) = audit(&app, &token, &format!("?from={today}&to={today}&limit=500")).await;
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
