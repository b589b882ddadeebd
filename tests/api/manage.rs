//! Companies and news, touch corrections, the settings page and users who leave.

use reqwest::StatusCode;

use crate::helpers::{TestApp, assert_redirect};
use crate::pages::add_dm;

async fn manager(app: &TestApp) -> i64 {
    let team = app.create_team("Acme", "mia@acme.test").await;
    app.login("mia@acme.test").await;
    team
}

async fn due_reason(app: &TestApp, dm_path: &str) -> Option<String> {
    let id: i64 = dm_path.rsplit('/').next().unwrap().parse().unwrap();
    sqlx::query_scalar(
        "select reason from due_items where contact_id = $1 and contact_kind = 'decision_maker'",
    )
    .bind(id)
    .fetch_optional(&app.db)
    .await
    .unwrap()
}

#[tokio::test]
async fn company_news_makes_a_call_due_for_its_people() {
    let app = TestApp::spawn().await;
    let team = app.create_team("Acme", "mia@acme.test").await;
    app.every_day_working(team).await;
    app.create_user(team, "rob@acme.test", "recruiter").await;
    app.login("rob@acme.test").await;
    let resp = app
        .post_form(
            "/companies",
            &[("name", "Initech"), ("website", "https://initech.test")],
        )
        .await;
    let company = resp.headers()["location"].to_str().unwrap().to_string();
    let company_id = company.rsplit('/').next().unwrap().to_string();
    let rob: i64 = sqlx::query_scalar("select id from users where email = 'rob@acme.test'")
        .fetch_one(&app.db)
        .await
        .unwrap();
    let dm = app
        .post_form(
            "/contacts/decision-makers",
            &[
                ("name", "Bill Lumbergh"),
                ("company_id", &company_id),
                ("owner_id", &rob.to_string()),
                ("temperature", "cold"),
            ],
        )
        .await;
    let dm = dm.headers()["location"].to_str().unwrap().to_string();
    assert_eq!(due_reason(&app, &dm).await, None);

    let bad = app
        .post_form(
            &format!("{company}/events"),
            &[("kind", "new_leader"), ("summary", "")],
        )
        .await;
    assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let ok = app
        .post_form(
            &format!("{company}/events"),
            &[("kind", "new_leader"), ("summary", "New CIO from Globex")],
        )
        .await;
    assert_redirect(&ok, &company);
    assert_eq!(due_reason(&app, &dm).await.as_deref(), Some("company_news"));
    let page = app.get(&company).await.text().await.unwrap();
    assert!(page.contains("New CIO from Globex") && page.contains("Bill Lumbergh"));
    let today = app.get("/today").await.text().await.unwrap();
    assert!(today.contains("Company news"));
}

#[tokio::test]
async fn the_author_corrects_a_touch_and_the_old_version_is_kept() {
    let app = TestApp::spawn().await;
    manager(&app).await;
    let owner: i64 = sqlx::query_scalar("select id from users")
        .fetch_one(&app.db)
        .await
        .unwrap();
    let dm = app
        .post_form(
            "/contacts/decision-makers",
            &[("name", "Dana Client"), ("owner_id", &owner.to_string())],
        )
        .await;
    let dm = dm.headers()["location"].to_str().unwrap().to_string();
    app.post_form(
        &format!("{dm}/touches"),
        &[
            ("channel", "call"),
            ("outcome", "no_answer"),
            ("notes", "rang out"),
            ("return_to", &dm),
        ],
    )
    .await;
    let id: i64 = sqlx::query_scalar("select id from touches")
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert_eq!(
        app.get(&format!("/touches/{id}/edit")).await.status(),
        StatusCode::OK
    );
    let when = (chrono::Utc::now() - chrono::Duration::hours(1))
        .with_timezone(&chrono_tz::America::New_York)
        .format("%Y-%m-%dT%H:%M")
        .to_string();
    let resp = app
        .post_form(
            &format!("/touches/{id}"),
            &[
                ("channel", "email"),
                ("direction", "outbound"),
                ("outcome", "sent"),
                ("occurred_local", &when),
                ("notes", "it was an email"),
            ],
        )
        .await;
    assert_redirect(&resp, &dm);
    let page = app.get(&dm).await.text().await.unwrap();
    assert!(page.contains("corrected") && page.contains("it was an email"));
    let old: serde_json::Value =
        sqlx::query_scalar("select previous from touch_revisions where touch_id = $1")
            .bind(id)
            .fetch_one(&app.db)
            .await
            .unwrap();
    assert_eq!(old["channel"], "call");

    assert_redirect(
        &app.post_form(&format!("/touches/{id}/delete"), &[]).await,
        &dm,
    );
    assert_eq!(
        due_reason(&app, &dm).await,
        None,
        "a deleted touch no longer counts"
    );
    assert!(app.get(&dm).await.text().await.unwrap().contains("deleted"));

    // Someone else cannot touch it.
    let team: i64 = sqlx::query_scalar("select team_id from users")
        .fetch_one(&app.db)
        .await
        .unwrap();
    app.create_user(team, "rob@acme.test", "recruiter").await;
    app.logout().await;
    app.login("rob@acme.test").await;
    let other = app
        .post_form(
            &format!("/touches/{id}"),
            &[("channel", "call"), ("outcome", "no_answer")],
        )
        .await;
    assert_ne!(other.status(), StatusCode::SEE_OTHER);
}

/// The form and the API decide alike: both call the domain's one validation.
#[tokio::test]
async fn the_settings_form_and_the_api_take_and_refuse_the_same_values() {
    let app = TestApp::spawn().await;
    manager(&app).await;
    let token = app.token_for("mia@acme.test").await;
    let form = |gap: &'static str, holidays: &'static str| {
        vec![
            ("interval_hot", "14"),
            ("interval_warm", "30"),
            ("interval_cold", "90"),
            ("second_call_working_days", "5"),
            ("strike_gap_1", "2"),
            ("strike_gap_2", gap),
            ("gone_dark_touches", "3"),
            ("gone_dark_min_days", "14"),
            ("working_days", "mon"),
            ("working_days", "fri"),
            ("nightly_hour", "2"),
            ("second_call_window_days", "30"),
            ("new_dm_daily_goal", "2"),
            ("holidays", holidays),
        ]
    };
    let far = "2026-12-25\n2206-12-25";
    // a gap of 90 working days: allowed by the domain (up to ten years), by both
    let (status, _) = app
        .api(
            reqwest::Method::PATCH,
            "/settings",
            &token,
            Some(serde_json::json!({"strike_gaps": [2, 90]})),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_redirect(
        &app.post_form("/settings", &form("90", "")).await,
        "/settings",
    );
    // a holiday two centuries away: refused by both, naming the holidays
    let (status, body) = app
        .api(
            reqwest::Method::PATCH,
            "/settings",
            &token,
            Some(serde_json::json!({"holidays": ["2026-12-25", "2206-12-25"]})),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["error"]["field"], "holidays");
    let resp = app.post_form("/settings", &form("3", far)).await;
    assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = resp.text().await.unwrap();
    assert!(
        html.contains("2206-12-25 is more than ten years from today"),
        "{html}"
    );
    // a gap of 0: refused by both
    let (status, body) = app
        .api(
            reqwest::Method::PATCH,
            "/settings",
            &token,
            Some(serde_json::json!({"strike_gaps": [2, 0]})),
        )
        .await;
    assert_eq!(
        (status, body["error"]["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("strike_gaps"))
    );
    let resp = app.post_form("/settings", &form("0", "")).await;
    assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let stored: (i32, i32) = sqlx::query_as("select strike_gap_1, strike_gap_2 from team_settings")
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert_eq!(stored, (2, 90), "nothing refused was saved");
}

#[tokio::test]
async fn settings_are_validated_saved_and_rebuild_the_lists() {
    let app = TestApp::spawn().await;
    manager(&app).await;
    assert_eq!(app.get("/settings").await.status(), StatusCode::OK);
    let base = [
        ("interval_hot", "14"),
        ("interval_warm", "30"),
        ("interval_cold", "90"),
        ("second_call_working_days", "5"),
        ("strike_gap_1", "2"),
        ("strike_gap_2", "3"),
        ("gone_dark_touches", "3"),
        ("gone_dark_min_days", "14"),
        ("working_days", "mon"),
        ("working_days", "tue"),
        ("working_days", "wed"),
        ("working_days", "thu"),
        ("working_days", "fri"),
        ("nightly_hour", "2"),
        ("second_call_window_days", "30"),
        ("new_dm_daily_goal", "2"),
    ];
    let mut bad = base.to_vec();
    bad[0] = ("interval_hot", "0");
    bad.push(("holidays", "Christmas"));
    let resp = app.post_form("/settings", &bad).await;
    assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = resp.text().await.unwrap();
    assert!(html.contains("A whole number from 1 to 3650") && html.contains("is not a date"));

    let mut good = base.to_vec();
    good.push(("holidays", "2026-12-25 Christmas\n2026-12-26"));
    assert_redirect(&app.post_form("/settings", &good).await, "/settings");
    let holidays: Vec<chrono::NaiveDate> =
        sqlx::query_scalar("select unnest(holidays) from team_settings")
            .fetch_all(&app.db)
            .await
            .unwrap();
    assert_eq!(holidays.len(), 2);
    for _ in 0..50 {
        let status: Option<String> =
            sqlx::query_scalar("select status from due_runs where trigger = 'settings'")
                .fetch_optional(&app.db)
                .await
                .unwrap();
        if status.as_deref() == Some("ok") {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("the settings change did not rebuild the lists");
}

#[tokio::test]
async fn a_user_who_leaves_hands_their_contacts_to_a_teammate() {
    let app = TestApp::spawn().await;
    let team = app.create_team("Acme", "mia@acme.test").await;
    let rob = app.create_user(team, "rob@acme.test", "recruiter").await;
    let sue = app.create_user(team, "sue@acme.test", "recruiter").await;
    app.login("rob@acme.test").await;
    let dm = add_dm(&app, "Dana Client").await;
    app.post_form(
        &format!("{dm}/touches"),
        &[
            ("channel", "call"),
            ("outcome", "no_answer"),
            ("return_to", &dm),
        ],
    )
    .await;
    app.logout().await;
    app.login("mia@acme.test").await;

    let refused = app
        .post_form(
            &format!("/settings/users/{rob}/deactivate"),
            &[("reassign_to", "")],
        )
        .await;
    assert_redirect(&refused, "/settings/users");
    let still: bool = sqlx::query_scalar("select active from users where id = $1")
        .bind(rob)
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert!(still, "contacts must go somewhere first");

    let ok = app
        .post_form(
            &format!("/settings/users/{rob}/deactivate"),
            &[("reassign_to", &sue.to_string())],
        )
        .await;
    assert_redirect(&ok, "/settings/users");
    let (owner, author): (i64, i64) = sqlx::query_as("select d.owner_id, t.author_id from decision_makers d join touches t on t.decision_maker_id = d.id").fetch_one(&app.db).await.unwrap();
    assert_eq!(
        (owner, author),
        (sue, rob),
        "the contact moved, the touch stayed Rob's"
    );
    let (client, _jar) = app.new_browser();
    let rob_login = client
        .post(app.url("/login"))
        .form(&[
            ("email", "rob@acme.test"),
            ("password", crate::helpers::PASSWORD),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(rob_login.status(), StatusCode::UNAUTHORIZED);
}
