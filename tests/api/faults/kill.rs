//! The server killed (SIGKILL) in the middle of the catch-up rebuild: every list is left whole,
//! old or new, and the next start marks the run interrupted and rebuilds the rest.

use std::collections::BTreeMap;
use std::time::Duration;

use chrono::{NaiveDate, Utc};
use chrono_tz::America::New_York;
use reqwest::{Method, StatusCode};
use secondcall::clock::Clock;
use secondcall::config::Config;
use secondcall::due::rebuilds::{Rebuilder, Started};
use secondcall::due::runs::RunTrigger;
use serde_json::json;
use sqlx::PgPool;
use sqlx::postgres::PgConnectOptions;

use super::{PrivateCluster, Server, poll, small_pool};
use crate::embedded::url_of;
use crate::helpers::TestApp;

/// The users of the team: its manager and five recruiters.
const USERS: usize = 6;

/// A stored item, all but the time it was built.
#[derive(Debug, PartialEq, sqlx::FromRow)]
struct Item {
    user_id: i64,
    contact_kind: String,
    contact_id: i64,
    list_date: NaiveDate,
    reason: String,
    due_on: NaiveDate,
    strike: Option<i16>,
    suggested_channel: String,
    why: String,
}

/// A user's stored list: its date and its items.
type List = (Option<NaiveDate>, Vec<Item>);

async fn lists(db: &PgPool) -> BTreeMap<i64, List> {
    let dates: Vec<(i64, Option<NaiveDate>)> = sqlx::query_as(
        "select u.id, l.list_date from users u left join due_lists l on l.user_id = u.id",
    )
    .fetch_all(db)
    .await
    .unwrap();
    let mut lists: BTreeMap<i64, List> = dates.into_iter().map(|(u, d)| (u, (d, vec![]))).collect();
    let items: Vec<Item> = sqlx::query_as(
        "select user_id, contact_kind, contact_id, list_date, reason, due_on, strike, \
         suggested_channel, why from due_items order by contact_kind, contact_id",
    )
    .fetch_all(db)
    .await
    .unwrap();
    for item in items {
        let list = lists.get_mut(&item.user_id).expect("an item's user");
        list.1.push(item);
    }
    lists
}

/// A decision maker of the token's user with one unanswered call `days_ago`: the second call
/// falls due five working days after it.
async fn dm_called(app: &TestApp, token: &str, days_ago: i64) {
    let body = json!({"name": "Dana Lee", "phone": "+1 212 555 0100"});
    let (status, dm) = app
        .api(Method::POST, "/decision-makers", token, Some(body))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{dm}");
    let at = Utc::now() - chrono::Duration::days(days_ago);
    let touch = json!({"decision_maker_id": dm["id"], "channel": "call", "direction": "outbound",
                       "outcome": "no_answer", "occurred_at": at.to_rfc3339()});
    let (status, body) = app.api(Method::POST, "/touches", token, Some(touch)).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
}

/// A team (every day a working day) whose users each own decision makers called 9, 6 and 2
/// days ago, with lists built two days ago (the server was down since). Returns the team and
/// the manager's token.
async fn team_behind(options: &PgConnectOptions, old: NaiveDate) -> (i64, String) {
    let db = secondcall::db::connect(options.clone(), 16).await.unwrap();
    let app =
        TestApp::spawn_with(db.clone(), Config::for_database("unused"), Clock::system()).await;
    let team = app.create_team("Acme", "mia@acme.test").await;
    app.every_day_working(team).await;
    let mut emails = vec!["mia@acme.test".to_string()];
    for i in 1..USERS {
        let email = format!("rec{i}@acme.test");
        app.create_user(team, &email, "recruiter").await;
        emails.push(email);
    }
    for email in &emails {
        let token = app.token_for(email).await;
        for days_ago in [9, 6, 2] {
            dm_called(&app, &token, days_ago).await;
        }
    }
    let rebuilds = Rebuilder::new(db.clone(), Clock::system(), None);
    let built = rebuilds
        .run_now(team, RunTrigger::Command, Some(old))
        .await
        .unwrap();
    assert!(matches!(built, Started::Done(c) if c.users == USERS));
    let token = app.token_for("mia@acme.test").await;
    drop(app);
    db.close().await;
    (team, token)
}

/// The catch-up runs, oldest first: status and users rebuilt.
async fn catch_ups(db: &PgPool) -> Vec<(String, i32)> {
    sqlx::query_as(
        "select status, users_rebuilt from due_runs where trigger = 'catch_up' order by id",
    )
    .fetch_all(db)
    .await
    .unwrap()
}

#[tokio::test]
async fn a_server_killed_mid_rebuild_leaves_each_list_whole_and_the_next_start_finishes_the_rest() {
    let cluster = PrivateCluster::start();
    let options = cluster.database().await;
    let today = Utc::now().with_timezone(&New_York).date_naive();
    let old = today - chrono::Duration::days(2);
    let (_, mia) = team_behind(&options, old).await;
    let db = small_pool(&options).await;
    let before = lists(&db).await;
    assert!(
        before
            .values()
            .all(|(d, items)| *d == Some(old) && !items.is_empty())
    );

    let url = url_of(&options);
    let mut server = Server::start(cluster.folder(), |cmd| {
        cmd.env("DATABASE_URL", &url)
            .env("NIGHTLY", "true")
            .env("SECONDCALL_REBUILD_PAUSE_MS", "1500");
    })
    .await;
    let half_way = 1..USERS as i32;
    poll("the catch-up half-way", Duration::from_secs(20), || async {
        let runs = catch_ups(&db).await;
        runs.first()
            .filter(|(_, n)| half_way.contains(n))
            .map(|_| ())
    })
    .await;
    server.kill();

    let after_kill = lists(&db).await;
    let (mut kept, mut rebuilt) = (0, Vec::new());
    for (user, (date, items)) in &after_kill {
        assert!(
            items.iter().all(|item| Some(item.list_date) == *date),
            "user {user}'s list mixes dates: {date:?} {items:?}"
        );
        if *date == Some(old) {
            assert_eq!(items, &before[user].1, "an old list is kept as it was");
            kept += 1;
        } else {
            assert_eq!(*date, Some(today), "user {user}");
            rebuilt.push(*user);
        }
    }
    assert!(
        kept > 0 && !rebuilt.is_empty(),
        "killed half-way: {kept} old lists, {rebuilt:?} new"
    );
    eprintln!("killed with {} of {USERS} lists rebuilt", rebuilt.len());
    assert_eq!(
        catch_ups(&db).await[0].0,
        "running",
        "nobody closed the run"
    );

    // the dead server's sessions end, and with them its locks
    poll(
        "the killed server's locks to go",
        Duration::from_secs(10),
        || async {
            let held: i64 =
                sqlx::query_scalar("select count(*) from pg_locks where locktype = 'advisory'")
                    .fetch_one(&db)
                    .await
                    .unwrap();
            (held == 0).then_some(())
        },
    )
    .await;
    let mut again = Server::start(cluster.folder(), |cmd| {
        cmd.env("DATABASE_URL", &url).env("NIGHTLY", "true");
    })
    .await;
    let runs = poll("the next catch-up", Duration::from_secs(20), || async {
        let runs = catch_ups(&db).await;
        (runs.len() == 2 && runs[1].0 != "running").then_some(runs)
    })
    .await;
    assert_eq!(runs[0].0, "interrupted");
    assert_eq!(
        runs[1],
        ("ok".to_string(), kept),
        "only the lists left behind"
    );

    let caught_up = lists(&db).await;
    assert!(caught_up.values().all(|(d, _)| *d == Some(today)));
    for user in &rebuilt {
        assert_eq!(
            caught_up[user], after_kill[user],
            "rebuilt before the kill: unchanged"
        );
    }
    // and each list is what a full rebuild makes now
    let resp = reqwest::Client::new()
        .post(again.url("/api/v1/due/rebuild"))
        .bearer_auth(&mia)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    assert_eq!(lists(&db).await, caught_up);
    db.close().await;

    again.terminate();
    let status = again.exit_within(Duration::from_secs(10)).await;
    assert!(status.is_some_and(|s| s.success()), "{status:?}");
}
