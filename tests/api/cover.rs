//! Cover (DOMAIN.md, "Cover"): while a recruiter is away, their due items are on the coverer's
//! list too, read from their own list; over real HTTP, PostgreSQL and the nightly task.

use std::time::Duration as StdDuration;

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use chrono_tz::America::New_York;
use reqwest::{Method, StatusCode};
use secondcall::clock::Clock;
use secondcall::config::Config;
use serde_json::{Value, json};

use crate::helpers::{TestApp, assert_redirect, fresh_database};

/// A team (every day a working day) with Mia (manager), Rob and Sam (recruiters), in New York.
struct Team {
    id: i64,
    mia: String,
    rob: String,
    sam: String,
    rob_id: i64,
    sam_id: i64,
    mia_id: i64,
}

async fn team(app: &TestApp) -> Team {
    let id = app.create_team("Acme", "mia@acme.test").await;
    let rob_id = app.create_user(id, "rob@acme.test", "recruiter").await;
    let sam_id = app.create_user(id, "sam@acme.test", "recruiter").await;
    app.every_day_working(id).await;
    let mia_id = sqlx::query_scalar("select id from users where email = 'mia@acme.test'")
        .fetch_one(&app.db)
        .await
        .unwrap();
    Team {
        id,
        mia: app.token_for("mia@acme.test").await,
        rob: app.token_for("rob@acme.test").await,
        sam: app.token_for("sam@acme.test").await,
        rob_id,
        sam_id,
        mia_id,
    }
}

/// A decision maker of the token's user, first called (unanswered) ten days ago: a second call due.
async fn dm_due(app: &TestApp, token: &str, name: &str) -> i64 {
    let (status, dm) = app
        .api(
            Method::POST,
            "/decision-makers",
            token,
            Some(json!({"name": name, "phone": "+1 212 555 0100"})),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{dm}");
    let id = dm["id"].as_i64().unwrap();
    let at = app.clock().now() - Duration::days(10);
    let (status, body) = app
        .api(
            Method::POST,
            "/touches",
            token,
            Some(
                json!({"decision_maker_id": id, "channel": "call", "direction": "outbound",
                        "outcome": "no_answer", "occurred_at": at.to_rfc3339()}),
            ),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    id
}

fn today(app: &TestApp) -> NaiveDate {
    app.clock().today_in(New_York)
}

/// The names on a user's `GET /due`, with whom each is covered for.
async fn due(app: &TestApp, token: &str) -> Vec<(String, Option<String>)> {
    let (status, body) = app.api(Method::GET, "/due", token, None).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            (
                i["contact"]["name"].as_str().unwrap().to_string(),
                i["covering_for"]["name"].as_str().map(String::from),
            )
        })
        .collect()
}

async fn set_away(
    app: &TestApp,
    token: &str,
    user: i64,
    from: NaiveDate,
    to: NaiveDate,
    cover: i64,
) -> (StatusCode, Value) {
    app.api(
        Method::POST,
        &format!("/users/{user}/away"),
        token,
        Some(json!({"from": from, "to": to, "covered_by": cover})),
    )
    .await
}

/// Rob and Sam each with one second call due, the lists built for today.
async fn two_lists(app: &TestApp) -> (Team, i64, i64) {
    let t = team(app).await;
    let dana = dm_due(app, &t.rob, "Dana Rob-Client").await;
    let sid = dm_due(app, &t.sam, "Sid Sam-Client").await;
    let (status, body) = app.api(Method::POST, "/due/rebuild", &t.mia, None).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    (t, dana, sid)
}

fn own(name: &str) -> (String, Option<String>) {
    (name.to_string(), None)
}

fn covered(name: &str, for_whom: &str) -> (String, Option<String>) {
    (name.to_string(), Some(for_whom.to_string()))
}

#[tokio::test]
async fn a_period_that_starts_tomorrow_moves_nothing_today() {
    let app = TestApp::spawn().await;
    let (t, _, _) = two_lists(&app).await;
    let tomorrow = today(&app) + Duration::days(1);
    let (status, body) = set_away(
        &app,
        &t.rob,
        t.rob_id,
        tomorrow,
        tomorrow + Duration::days(2),
        t.sam_id,
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(body["covered_by"], t.sam_id);
    assert_eq!(body["from"], tomorrow.to_string());

    assert_eq!(due(&app, &t.sam).await, vec![own("Sid Sam-Client")]);
    assert_eq!(due(&app, &t.rob).await, vec![own("Dana Rob-Client")]);
    // the list for tomorrow (computed) already shows the cover
    let (_, body) = app
        .api(Method::GET, &format!("/due?date={tomorrow}"), &t.sam, None)
        .await;
    assert_eq!(body["items"].as_array().unwrap().len(), 2, "{body}");
}

#[tokio::test]
async fn a_period_that_covers_today_shows_the_items_on_both_lists_and_counts_stay_right() {
    let app = TestApp::spawn().await;
    let (t, dana, _) = two_lists(&app).await;
    let d = today(&app);
    let (status, body) = set_away(&app, &t.mia, t.rob_id, d, d + Duration::days(3), t.sam_id).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");

    // after Sam's own item of the same reason, marked with Rob's name
    assert_eq!(
        due(&app, &t.sam).await,
        vec![
            own("Sid Sam-Client"),
            covered("Dana Rob-Client", "User rob@acme.test")
        ]
    );
    let (_, body) = app.api(Method::GET, "/due", &t.sam, None).await;
    assert_eq!(body["items"][1]["covering_for"]["user_id"], t.rob_id);
    assert!(body["items"][0]["covering_for"].is_null());
    // Rob's own list is still his, and nothing was copied: one stored item each
    assert_eq!(due(&app, &t.rob).await, vec![own("Dana Rob-Client")]);
    let rows: Vec<(i64,)> =
        sqlx::query_as("select user_id from due_items where team_id = $1 order by user_id")
            .bind(t.id)
            .fetch_all(&app.db)
            .await
            .unwrap();
    assert_eq!(rows, vec![(t.rob_id,), (t.sam_id,)]);

    // the pages: Sam's Today counts both and marks Rob's; Rob's Today says who covers, until when
    app.login("sam@acme.test").await;
    let page = app.get("/today").await.text().await.unwrap();
    assert!(page.contains("All 2"), "{page}");
    assert!(page.contains("covering for User rob@acme.test"), "{page}");
    assert!(
        page.contains("You cover for User rob@acme.test until"),
        "{page}"
    );
    // a page never kept (an item open) reads the cover with its head: the same list
    let opened = app
        .get(&format!("/today?open=decision_maker-{dana}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(opened.contains("All 2"), "{opened}");
    assert!(
        opened.contains("covering for User rob@acme.test")
            && opened.contains("You cover for User rob@acme.test until")
            && opened.contains("due-row open"),
        "{opened}"
    );
    app.logout().await;
    app.login("rob@acme.test").await;
    let page = app.get("/today").await.text().await.unwrap();
    assert!(
        page.contains("User sam@acme.test covers for you until"),
        "{page}"
    );
    assert!(
        page.contains("Dana Rob-Client") && page.contains("All 1"),
        "{page}"
    );
    app.logout().await;
    // the Team page shows who is away and who covers
    app.login("mia@acme.test").await;
    let page = app.get("/team").await.text().await.unwrap();
    assert!(page.contains("id=\"team-away\""), "{page}");
    assert!(
        page.contains("<strong>User rob@acme.test</strong> is away"),
        "{page}"
    );
}

#[tokio::test]
async fn the_coverers_call_settles_the_item_on_both_lists_and_counts_for_the_coverer() {
    let app = TestApp::spawn().await;
    let (t, dana, _) = two_lists(&app).await;
    let d = today(&app);
    set_away(&app, &t.rob, t.rob_id, d, d, t.sam_id).await;
    // Sam keeps a rendered Today; Rob's list changing must show on it
    app.login("sam@acme.test").await;
    let before = app.get("/today").await.text().await.unwrap();
    assert!(before.contains("Dana Rob-Client"));

    let (status, body) = app
        .api(
            Method::POST,
            "/touches",
            &t.sam,
            Some(json!({"decision_maker_id": dana, "channel": "call", "direction": "outbound", "outcome": "connected",
                        "next_step_on": today(&app) + Duration::days(30)})),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");

    assert_eq!(due(&app, &t.sam).await, vec![own("Sid Sam-Client")]);
    assert!(due(&app, &t.rob).await.is_empty());
    let after = app.get("/today").await.text().await.unwrap();
    assert!(!after.contains("Dana Rob-Client"), "{after}");
    // the touch is Sam's; the contact is still Rob's
    let (author, owner): (i64, i64) = sqlx::query_as(
        "select t.author_id, d.owner_id from touches t join decision_makers d on d.id = t.decision_maker_id \
         where d.id = $1 order by t.id desc limit 1",
    )
    .bind(dana)
    .fetch_one(&app.db)
    .await
    .unwrap();
    assert_eq!((author, owner), (t.sam_id, t.rob_id));
    // the reports: Sam's touch is Sam's, in the touches per UTC day the Team page reads
    let sams: i64 = sqlx::query_scalar(
        "select coalesce(sum(d.calls), 0)::bigint from touch_days d where d.team_id = $1 and d.author_id = $2",
    )
    .bind(t.id)
    .bind(t.sam_id)
    .fetch_one(&app.db)
    .await
    .unwrap();
    assert_eq!(sams, 2, "Sam's first call and the covered one");
}

/// 03:30 in New York on the day after `day`: past midnight and the nightly hour.
fn night_after(day: NaiveDate) -> DateTime<Utc> {
    New_York
        .from_local_datetime(&(day + Duration::days(1)).and_hms_opt(3, 30, 0).unwrap())
        .earliest()
        .unwrap()
        .with_timezone(&Utc)
}

async fn lists_built_for(app: &TestApp, day: NaiveDate) {
    for _ in 0..200 {
        let behind: i64 = sqlx::query_scalar(
            "select count(*) from users u left join due_lists l on l.user_id = u.id \
             where u.active and (l.list_date is null or l.list_date < $1)",
        )
        .bind(day)
        .fetch_one(&app.db)
        .await
        .unwrap();
        if behind == 0 {
            return;
        }
        tokio::time::sleep(StdDuration::from_millis(100)).await;
    }
    panic!("the nightly task did not rebuild the lists for {day}");
}

#[tokio::test]
async fn across_the_nights_at_the_periods_edges_the_items_move_and_come_back_whole() {
    let (db, _) = fresh_database().await;
    let mut config = Config::for_database("postgres://unused");
    config.nightly = true;
    let app = TestApp::spawn_with(db, config, Clock::starting_at(Utc::now())).await;
    let (t, _, _) = two_lists(&app).await;
    let day0 = today(&app);
    let day1 = day0 + Duration::days(1);
    let (status, body) = set_away(&app, &t.rob, t.rob_id, day1, day1, t.sam_id).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(due(&app, &t.sam).await, vec![own("Sid Sam-Client")]);

    // the night into the period: the nightly rebuild, then Sam has Rob's item too
    app.clock().set(night_after(day0));
    lists_built_for(&app, day1).await;
    assert_eq!(
        due(&app, &t.sam).await,
        vec![
            own("Sid Sam-Client"),
            covered("Dana Rob-Client", "User rob@acme.test")
        ]
    );
    assert_eq!(due(&app, &t.rob).await, vec![own("Dana Rob-Client")]);

    // the night after its last day: back on Rob's list only, nothing lost or doubled
    app.clock().set(night_after(day1));
    lists_built_for(&app, day1 + Duration::days(1)).await;
    assert_eq!(due(&app, &t.sam).await, vec![own("Sid Sam-Client")]);
    assert_eq!(due(&app, &t.rob).await, vec![own("Dana Rob-Client")]);
}

#[tokio::test]
async fn the_rules_of_a_period_answer_409_422_403_and_404() {
    let app = TestApp::spawn().await;
    let t = team(&app).await;
    let d = today(&app);
    let week = d + Duration::days(6);
    let (status, _) = set_away(&app, &t.rob, t.rob_id, d, week, t.sam_id).await;
    assert_eq!(status, StatusCode::CREATED);

    // an overlap of Rob's own periods
    let (status, body) = set_away(
        &app,
        &t.rob,
        t.rob_id,
        week,
        week + Duration::days(2),
        t.mia_id,
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    // the coverer: himself, away then, deactivated, another team's
    let field = |b: &Value| b["error"]["field"].as_str().unwrap_or_default().to_string();
    let later = week + Duration::days(10);
    let (status, body) = set_away(&app, &t.mia, t.mia_id, later, later, t.mia_id).await;
    assert_eq!(
        (status, field(&body)),
        (StatusCode::UNPROCESSABLE_ENTITY, "covered_by".into())
    );
    let (status, body) = set_away(
        &app,
        &t.sam,
        t.sam_id,
        d + Duration::days(2),
        d + Duration::days(3),
        t.rob_id,
    )
    .await;
    assert_eq!(
        (status, field(&body)),
        (StatusCode::UNPROCESSABLE_ENTITY, "covered_by".into()),
        "{body}"
    );
    let other_team = app.create_team("Other", "olga@other.test").await;
    let olga = app
        .create_user(other_team, "oscar@other.test", "recruiter")
        .await;
    let (status, body) = set_away(&app, &t.sam, t.sam_id, later, later, olga).await;
    assert_eq!(
        (status, field(&body)),
        (StatusCode::UNPROCESSABLE_ENTITY, "covered_by".into()),
        "{body}"
    );
    let (status, body) = set_away(&app, &t.sam, t.sam_id, later, d, t.mia_id).await;
    assert_eq!(
        (status, field(&body)),
        (StatusCode::UNPROCESSABLE_ENTITY, "to".into()),
        "{body}"
    );
    // another team's user is not found; another user's period needs a manager
    let (status, _) = set_away(&app, &t.mia, olga, later, later, t.sam_id).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = app
        .api(Method::GET, &format!("/users/{olga}/away"), &t.mia, None)
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, body) = set_away(&app, &t.sam, t.rob_id, later, later, t.mia_id).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");

    // the list and a removal
    let (status, body) = app
        .api(
            Method::GET,
            &format!("/users/{}/away", t.rob_id),
            &t.sam,
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let id = body["items"][0]["id"].as_i64().unwrap();
    assert_eq!(body["items"][0]["covered_by_name"], "User sam@acme.test");
    let (status, _) = app
        .api(
            Method::DELETE,
            &format!("/users/{}/away/{id}", t.rob_id),
            &t.sam,
            None,
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = app
        .api(
            Method::DELETE,
            &format!("/users/{}/away/{id}", t.rob_id),
            &t.rob,
            None,
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (_, body) = app
        .api(
            Method::GET,
            &format!("/users/{}/away", t.rob_id),
            &t.rob,
            None,
        )
        .await;
    assert_eq!(body["items"], json!([]));

    // a deactivated coverer cannot cover
    sqlx::query("update users set active = false where id = $1")
        .bind(t.sam_id)
        .execute(&app.db)
        .await
        .unwrap();
    let (status, body) = set_away(&app, &t.rob, t.rob_id, later, later, t.sam_id).await;
    assert_eq!(
        (status, field(&body)),
        (StatusCode::UNPROCESSABLE_ENTITY, "covered_by".into()),
        "{body}"
    );
}

#[tokio::test]
async fn a_coverer_who_is_deactivated_ends_the_cover_they_give() {
    let app = TestApp::spawn().await;
    let (t, _, _) = two_lists(&app).await;
    let d = today(&app);
    set_away(
        &app,
        &t.rob,
        t.rob_id,
        d - Duration::days(2),
        d + Duration::days(2),
        t.sam_id,
    )
    .await;
    set_away(
        &app,
        &t.rob,
        t.rob_id,
        d + Duration::days(10),
        d + Duration::days(12),
        t.sam_id,
    )
    .await;
    let (status, body) = app
        .api(
            Method::PATCH,
            &format!("/users/{}", t.sam_id),
            &t.mia,
            Some(json!({"active": false, "reassign_to": t.mia_id})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (_, body) = app
        .api(
            Method::GET,
            &format!("/users/{}/away", t.rob_id),
            &t.rob,
            None,
        )
        .await;
    let items = body["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "the coming period is gone: {body}");
    assert_eq!(
        items[0]["to"],
        (d - Duration::days(1)).to_string(),
        "the running one ended yesterday"
    );
    assert_eq!(due(&app, &t.rob).await, vec![own("Dana Rob-Client")]);
}

#[tokio::test]
async fn the_account_page_and_settings_users_set_and_remove_periods() {
    let app = TestApp::spawn().await;
    let t = team(&app).await;
    let d = today(&app);
    let (from, to) = (d.to_string(), (d + Duration::days(4)).to_string());
    let sam = t.sam_id.to_string();
    app.login("rob@acme.test").await;
    let page = app.get("/account").await.text().await.unwrap();
    assert!(page.contains("id=\"h-away\""), "{page}");
    // a bad form is shown again with its problem
    let resp = app
        .post_form(
            "/account/away",
            &[("from", &to), ("to", &from), ("covered_by", &sam)],
        )
        .await;
    assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = resp.text().await.unwrap();
    assert!(
        page.contains("The last day away is on or after the first."),
        "{page}"
    );
    let resp = app
        .post_form(
            "/account/away",
            &[("from", &from), ("to", &to), ("covered_by", &sam)],
        )
        .await;
    assert_redirect(&resp, "/account");
    let page = app.get("/account").await.text().await.unwrap();
    assert!(page.contains("<td>User sam@acme.test</td>"), "{page}");
    let resp = app
        .post_form(
            "/account/away",
            &[("from", &from), ("to", &from), ("covered_by", &sam)],
        )
        .await;
    assert_eq!(
        resp.status(),
        StatusCode::UNPROCESSABLE_ENTITY,
        "an overlap"
    );
    app.logout().await;

    // the manager sees it on Settings → Users and removes it
    app.login("mia@acme.test").await;
    let page = app.get("/settings/users").await.text().await.unwrap();
    assert!(page.contains("<td>User rob@acme.test</td>"), "{page}");
    let id: i64 = sqlx::query_scalar("select id from away_periods")
        .fetch_one(&app.db)
        .await
        .unwrap();
    let resp = app
        .post_form(
            &format!("/settings/users/{}/away/{id}/delete", t.rob_id),
            &[],
        )
        .await;
    assert_redirect(&resp, "/settings/users");
    let resp = app
        .post_form(
            "/settings/users/away",
            &[
                ("user_id", &sam),
                ("from", &from),
                ("to", &to),
                ("covered_by", &sam),
            ],
        )
        .await;
    assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        resp.text()
            .await
            .unwrap()
            .contains("not the one who is away")
    );
    let rob = t.rob_id.to_string();
    let resp = app
        .post_form(
            "/settings/users/away",
            &[
                ("user_id", &sam),
                ("from", &from),
                ("to", &to),
                ("covered_by", &rob),
            ],
        )
        .await;
    assert_redirect(&resp, "/settings/users");
    let n: i64 = sqlx::query_scalar("select count(*) from away_periods where user_id = $1")
        .bind(t.sam_id)
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert_eq!(n, 1);
}
