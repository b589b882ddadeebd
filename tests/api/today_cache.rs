//! Today is kept rendered in memory between changes (`page_cache`): whatever changes what the
//! page shows — through this instance, another instance or plain SQL — shows on the next load.

use reqwest::StatusCode;

use crate::helpers::{TestApp, assert_redirect};
use crate::pages::add_dm;

/// Rob, signed in, with Dana Client due for a second call (first called ten days ago).
async fn rob_with_dana_due(app: &TestApp) -> (i64, String) {
    let team = app.create_team("Acme", "mia@acme.test").await;
    app.every_day_working(team).await;
    app.create_user(team, "rob@acme.test", "recruiter").await;
    app.login("rob@acme.test").await;
    let path = add_dm(app, "Dana Client").await;
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
    (team, path)
}

async fn today(app: &TestApp) -> String {
    let resp = app.get("/today").await;
    assert_eq!(resp.status(), StatusCode::OK);
    resp.text().await.unwrap()
}

async fn sql(app: &TestApp, statement: &str) {
    sqlx::query(statement).execute(&app.db).await.unwrap();
}

#[tokio::test]
async fn a_kept_today_page_is_the_same_page() {
    let app = TestApp::spawn().await;
    rob_with_dana_due(&app).await;
    let first = today(&app).await;
    assert!(first.contains("Dana Client") && first.contains("Second call"));
    // The first load after logging carried the flash; these two are a rendering and its copy.
    let second = today(&app).await;
    let third = today(&app).await;
    assert_eq!(second, third);
    assert!(!second.contains("Logged."));
}

#[tokio::test]
async fn writes_from_anywhere_show_on_the_next_load() {
    let app = TestApp::spawn().await;
    let (team, _) = rob_with_dana_due(&app).await;
    today(&app).await;
    assert!(today(&app).await.contains("Dana Client"));

    // A contact edited behind the app's back (another instance, a script).
    sql(&app, "update decision_makers set name = 'Dana Renamed'").await;
    let page = today(&app).await;
    assert!(page.contains("Dana Renamed") && !page.contains("Dana Client"));

    // Her company gets a new name.
    sql(
        &app,
        &format!("insert into companies (team_id, name) values ({team}, 'Initech')"),
    )
    .await;
    sql(
        &app,
        "update decision_makers set company_id = (select id from companies)",
    )
    .await;
    assert!(today(&app).await.contains("Initech"));
    sql(&app, "update companies set name = 'Initrode'").await;
    let page = today(&app).await;
    assert!(page.contains("Initrode") && !page.contains("Initech"));

    // The team's daily goal changes.
    assert!(page.contains("/2</strong> new decision makers"));
    sql(&app, "update team_settings set new_dm_daily_goal = 3").await;
    assert!(
        today(&app)
            .await
            .contains("/3</strong> new decision makers")
    );

    // A new DM of Rob's, never called, is suggested.
    add_dm(&app, "Newt Prospect").await;
    today(&app).await; // the flash of the add
    assert!(today(&app).await.contains("Newt Prospect"));
}

#[tokio::test]
async fn a_teammates_touch_on_another_instance_settles_the_item_here() {
    let app = TestApp::spawn().await;
    let (_, path) = rob_with_dana_due(&app).await;
    today(&app).await;
    assert!(today(&app).await.contains("Dana Client"));

    // Mia, on a second instance, reaches Dana and books the next step.
    let other = TestApp::spawn_on(app.db.clone()).await;
    other.login("mia@acme.test").await;
    let next = (chrono::Utc::now() + chrono::Duration::days(20))
        .format("%Y-%m-%d")
        .to_string();
    let resp = other
        .post_form(
            &format!("{path}/touches"),
            &[
                ("channel", "call"),
                ("outcome", "connected"),
                ("next_step_on", &next),
                ("return_to", &path),
            ],
        )
        .await;
    assert_redirect(&resp, &path);
    let page = today(&app).await;
    assert!(!page.contains("Dana Client"), "{page}");
}

#[tokio::test]
async fn a_rebuild_shows_at_once() {
    let app = TestApp::spawn().await;
    rob_with_dana_due(&app).await;
    today(&app).await;
    assert!(today(&app).await.contains("Dana Client"));
    sql(&app, "delete from due_items").await;
    let page = today(&app).await;
    assert!(!page.contains("Dana Client"), "{page}");
}

#[tokio::test]
async fn a_kept_page_goes_out_gzipped_to_clients_that_take_gzip() {
    let app = TestApp::spawn().await;
    rob_with_dana_due(&app).await;
    today(&app).await;
    let plain = today(&app).await;
    let resp = app
        .client
        .get(app.url("/today"))
        .header("accept-encoding", "gzip, br")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    assert_eq!(resp.headers()["content-encoding"], "gzip");
    assert_eq!(resp.headers()["vary"], "accept-encoding");
    assert!(
        resp.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    let zipped = resp.bytes().await.unwrap();
    assert!(zipped.len() < plain.len());
    let mut unzipped = String::new();
    std::io::Read::read_to_string(
        &mut flate2::read::GzDecoder::new(&zipped[..]),
        &mut unzipped,
    )
    .unwrap();
    assert_eq!(unzipped, plain);
}

/// Mia (a manager) and Rob (a recruiter) of one team, their API tokens, and `n` new DMs each
/// (Mia's, then Rob's).
async fn two_owners_with_dms(app: &TestApp, n: usize) -> (String, String, [Vec<i64>; 2]) {
    let team = app.create_team("Acme", "mia@acme.test").await;
    app.create_user(team, "rob@acme.test", "recruiter").await;
    let mia = app.token_for("mia@acme.test").await;
    let rob = app.token_for("rob@acme.test").await;
    let mut owned = [Vec::new(), Vec::new()];
    for (k, owner) in [&mia, &rob].into_iter().enumerate() {
        for i in 0..n {
            let (status, dm) = app
                .api(
                    reqwest::Method::POST,
                    "/decision-makers",
                    owner,
                    Some(serde_json::json!({"name": format!("DM {k}-{i}")})),
                )
                .await;
            assert_eq!(status, StatusCode::CREATED);
            owned[k].push(dm["id"].as_i64().unwrap());
        }
    }
    (mia, rob, owned)
}

/// A call with no answer on `dm`, logged through the API with `token`.
async fn call_by_api(app: &TestApp, token: &str, dm: i64) -> (StatusCode, serde_json::Value) {
    app.api(
        reqwest::Method::POST,
        "/touches",
        token,
        Some(
            serde_json::json!({"decision_maker_id": dm, "channel": "call", "outcome": "no_answer"}),
        ),
    )
    .await
}

/// The stamp's row is the list lock, taken by triggers in id order: recruiters logging touches on
/// each other's contacts while the team's lists are rebuilt never deadlock (every write succeeds).
#[tokio::test]
async fn crossed_touches_and_rebuilds_at_once_all_succeed() {
    let app = TestApp::spawn().await;
    let (mia, rob, owned) = two_owners_with_dms(&app, 3).await;
    let mut writes = Vec::new();
    for round in 0..8 {
        for (author, dm) in [(&rob, owned[0][round % 3]), (&mia, owned[1][round % 3])] {
            let (app, author) = (&app, author.clone());
            writes.push(Box::pin(async move { call_by_api(app, &author, dm).await })
                as std::pin::Pin<Box<dyn std::future::Future<Output = _>>>);
        }
        if round % 2 == 0 {
            let (app, mia) = (&app, mia.clone());
            writes.push(Box::pin(async move {
                app.api(reqwest::Method::POST, "/due/rebuild", &mia, None)
                    .await
            }));
        }
    }
    for (status, body) in futures_util::future::join_all(writes).await {
        // a rebuild asked for while another runs is refused, never queued behind it
        let busy = status == StatusCode::CONFLICT && body["error"]["code"] == "already_running";
        assert!(status.is_success() || busy, "{status}: {body}");
    }
    let touches: i64 = sqlx::query_scalar("select count(*) from touches")
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert_eq!(touches, 16);
}

/// A DM's first attempt marks it tried (`decision_makers.tried`), and that update moves its owner's
/// list stamp too: two recruiters making first attempts on each other's DMs at once must not take
/// the two stamps in opposite orders (the marker waits for the commit, when the touch's statement
/// has taken both in id order).
#[tokio::test]
async fn crossed_first_attempts_all_succeed() {
    let app = TestApp::spawn().await;
    let (mia, rob, owned) = two_owners_with_dms(&app, 12).await;
    let mut writes = Vec::new();
    for (&mias, &robs) in owned[0].iter().zip(&owned[1]) {
        for (author, dm) in [(&rob, mias), (&mia, robs)] {
            let (app, author) = (&app, author.clone());
            writes.push(async move { call_by_api(app, &author, dm).await });
        }
    }
    for (status, body) in futures_util::future::join_all(writes).await {
        assert!(status.is_success(), "{status}: {body}");
    }
    let untried: i64 = sqlx::query_scalar("select count(*) from decision_makers where not tried")
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert_eq!(untried, 0, "every DM was attempted");
}

#[tokio::test]
async fn any_page_number_answers_a_page() {
    let app = TestApp::spawn().await;
    rob_with_dana_due(&app).await;
    for page in ["0", "-5", "2", "9223372036854775807"] {
        let resp = app.get(&format!("/today?page={page}")).await;
        assert_eq!(resp.status(), StatusCode::OK, "page={page}");
    }
    let beyond = app.get("/today?page=2").await.text().await.unwrap();
    assert!(!beyond.contains("Dana Client"));
}
