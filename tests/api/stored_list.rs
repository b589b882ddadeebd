//! What the stored list keeps beside its items for Today: each item's copy of its contact (name,
//! company, phone, temperature) and the counts per user and reason (`due_counts`). Both are kept by
//! the database in the transaction of every change; these tests make the changes a team makes,
//! over the API, and compare with the truth read the long way.

use reqwest::Method;
use serde_json::json;

use crate::helpers::TestApp;
use crate::today::{rows, seeded_recruiter};

/// Items whose copy of their contact is not what the contact says now.
async fn stale_copies(app: &TestApp) -> Vec<(String, i64, String)> {
    sqlx::query_as(
        "select i.contact_kind, i.contact_id, i.name from due_items i \
         left join decision_makers d on i.contact_kind = 'decision_maker' and d.id = i.contact_id \
         left join candidates c on i.contact_kind = 'candidate' and c.id = i.contact_id \
         left join companies co on co.id = coalesce(d.company_id, c.company_id) \
         where i.name is distinct from coalesce(d.name, c.name) \
            or i.phone is distinct from coalesce(d.phone, c.phone) \
            or i.temperature is distinct from d.temperature \
            or i.company_name is distinct from co.name",
    )
    .fetch_all(&app.db)
    .await
    .unwrap()
}

/// (user, reason rank, items) where the kept counts and a count of the items differ.
async fn wrong_counts(app: &TestApp) -> Vec<(i64, i16, i64, i64)> {
    sqlx::query_as(
        "with truth as (select user_id, reason_rank, count(*) as n from due_items group by 1, 2), \
              kept as (select user_id, reason_rank, items::int8 as n from due_counts where items > 0) \
         select coalesce(t.user_id, k.user_id), coalesce(t.reason_rank, k.reason_rank), \
                coalesce(t.n, 0), coalesce(k.n, 0) \
         from truth t full join kept k on k.user_id = t.user_id and k.reason_rank = t.reason_rank \
         where t.n is distinct from k.n",
    )
    .fetch_all(&app.db)
    .await
    .unwrap()
}

async fn listed_dm_ids(app: &TestApp, n: i64) -> Vec<i64> {
    sqlx::query_scalar(
        "select contact_id from due_items where contact_kind = 'decision_maker' \
         order by reason_rank, due_on, contact_id limit $1",
    )
    .bind(n)
    .fetch_all(&app.db)
    .await
    .unwrap()
}

#[tokio::test]
async fn the_copies_and_the_counts_follow_every_change_of_a_team() {
    let app = seeded_recruiter().await;
    let (status, body) = app
        .api(
            Method::POST,
            "/tokens",
            "",
            Some(json!({"email": "recruiter001@bench.test", "password": secondcall::dev::seed::PASSWORD})),
        )
        .await;
    assert_eq!(status.as_u16(), 201, "{body}");
    let token = body["token"].as_str().unwrap().to_string();
    let team: i64 = sqlx::query_scalar("select team_id from users limit 1")
        .fetch_one(&app.db)
        .await
        .unwrap();
    app.create_user(team, "boss@bench.test", "manager").await;
    let boss = app.token_for("boss@bench.test").await;
    assert!(stale_copies(&app).await.is_empty(), "right after a rebuild");
    assert!(wrong_counts(&app).await.is_empty(), "right after a rebuild");
    let dms = listed_dm_ids(&app, 8).await;
    assert_eq!(dms.len(), 8);

    // a decision maker renamed, given a new phone and a new temperature
    let (status, _) = app
        .api(
            Method::PATCH,
            &format!("/decision-makers/{}", dms[0]),
            &token,
            Some(
                json!({"name": "Renamed Rhoda", "phone": "+1 415 555 0199", "temperature": "hot"}),
            ),
        )
        .await;
    assert!(status.is_success(), "{status}");
    // one moved to a new company, which is then renamed
    let (status, company) = app
        .api(
            Method::POST,
            "/companies",
            &token,
            Some(json!({"name": "Northwind"})),
        )
        .await;
    assert!(status.is_success(), "{status}");
    let company_id = company["id"].as_i64().unwrap();
    let (status, _) = app
        .api(
            Method::PATCH,
            &format!("/decision-makers/{}", dms[1]),
            &token,
            Some(json!({"company_id": company_id})),
        )
        .await;
    assert!(status.is_success(), "{status}");
    let (status, _) = app
        .api(
            Method::PATCH,
            &format!("/companies/{company_id}"),
            &token,
            Some(json!({"name": "Northwind Traders"})),
        )
        .await;
    assert!(status.is_success(), "{status}");
    // touches that end items, keep them, or move them to another reason
    for (i, outcome) in [(2, "connected"), (3, "no_answer"), (4, "voicemail_left")] {
        let mut body = json!({"decision_maker_id": dms[i], "channel": "call", "outcome": outcome});
        if outcome == "connected" {
            body["next_step_on"] = json!("2099-01-04");
        }
        let (status, _) = app.api(Method::POST, "/touches", &token, Some(body)).await;
        assert_eq!(status.as_u16(), 201);
    }
    // one archived, one snoozed, one erased
    let (status, _) = app
        .api(
            Method::DELETE,
            &format!("/decision-makers/{}", dms[5]),
            &token,
            None,
        )
        .await;
    assert_eq!(status.as_u16(), 204);
    let (status, _) = app
        .api(
            Method::POST,
            "/due/snooze",
            &token,
            Some(json!({"decision_maker_id": dms[6], "until": "2099-01-01"})),
        )
        .await;
    assert!(status.is_success(), "{status}");
    let (status, _) = app
        .api(
            Method::POST,
            &format!("/decision-makers/{}/erase", dms[7]),
            &boss,
            Some(json!({})),
        )
        .await;
    assert!(status.is_success(), "{status}");

    assert_eq!(
        stale_copies(&app).await,
        vec![],
        "every copy as its contact is now"
    );
    assert_eq!(
        wrong_counts(&app).await,
        vec![],
        "every count as the items are now"
    );

    // and the page shows them
    let page = app.get("/today").await.text().await.unwrap();
    let list = rows(&page);
    let renamed = list
        .iter()
        .find(|r| r.contains("Renamed Rhoda"))
        .expect("the renamed contact's row");
    assert!(
        renamed.contains("tel:+14155550199"),
        "the new phone: {renamed}"
    );
    if let Some(moved) = list
        .iter()
        .find(|r| r.contains(&format!("decision_maker-{}", dms[1])))
    {
        assert!(moved.contains("Northwind Traders"), "{moved}");
    }

    // a rebuild of the team leaves them true
    let (status, body) = app
        .api(Method::POST, "/due/rebuild", &boss, Some(json!({})))
        .await;
    assert!(status.is_success(), "{status} {body}");
    assert_eq!(wrong_counts(&app).await, vec![]);
    assert_eq!(stale_copies(&app).await, vec![]);
}

/// Every PL/pgSQL function and every non-inlined SQL function keeps its plans, whatever the
/// connection's own `plan_cache_mode` (migration `trigger_functions_keep_their_plans`): a function
/// created or replaced later without the clause would re-plan its statements on every call.
#[tokio::test]
async fn every_trigger_function_keeps_its_plans() {
    let app = TestApp::spawn().await;
    let without: Vec<String> = sqlx::query_scalar(
        "select p.oid::regprocedure::text from pg_proc p \
         join pg_namespace n on n.oid = p.pronamespace join pg_language l on l.oid = p.prolang \
         where n.nspname = 'public' \
           and (l.lanname = 'plpgsql' or (l.lanname = 'sql' and p.prorettype = 'void'::regtype)) \
           and not coalesce(p.proconfig @> array['plan_cache_mode=auto'], false) \
         order by 1",
    )
    .fetch_all(&app.db)
    .await
    .unwrap();
    assert_eq!(without, Vec::<String>::new());
}

/// `bump_list_stamps` moves each named stamp once per transaction, however often a transaction's
/// triggers name it: one row by one update (migration `one_stamp_one_statement`), several rows
/// locked in id order first, no row for an empty set; the moved rows stay locked until the end.
#[tokio::test]
async fn a_list_stamp_moves_once_a_transaction_however_often_it_is_named() {
    let app = TestApp::spawn().await;
    let team = app.create_team("Acme", "mia@acme.test").await;
    let rob = app.create_user(team, "rob@acme.test", "recruiter").await;
    let sam = app.create_user(team, "sam@acme.test", "recruiter").await;
    let mut tx = app.db.begin().await.unwrap();
    let before = stamps(&mut tx, [rob, sam]).await;
    bump(&mut tx, vec![]).await;
    assert_eq!(
        stamps(&mut tx, [rob, sam]).await,
        before,
        "an empty set moves nothing"
    );
    bump(&mut tx, vec![rob]).await;
    bump(&mut tx, vec![rob]).await;
    assert_eq!(
        stamps(&mut tx, [rob, sam]).await,
        vec![before[0] + 1, before[1]],
        "one row, named twice, moves once"
    );
    bump(&mut tx, vec![sam, rob]).await;
    bump(&mut tx, vec![rob, sam]).await;
    assert_eq!(
        stamps(&mut tx, [rob, sam]).await,
        vec![before[0] + 1, before[1] + 1],
        "the other row of a set moves once too"
    );
    let mut other = app.db.acquire().await.unwrap();
    let free: Vec<i64> =
        sqlx::query_scalar("select id from users where id = any($1) for no key update skip locked")
            .bind(vec![rob, sam])
            .fetch_all(&mut *other)
            .await
            .unwrap();
    assert_eq!(
        free,
        Vec::<i64>::new(),
        "both rows stay locked until the end"
    );
    tx.commit().await.unwrap();
    let mut next = app.db.begin().await.unwrap();
    bump(&mut next, vec![sam]).await;
    assert_eq!(
        stamps(&mut next, [rob, sam]).await,
        vec![before[0] + 1, before[1] + 2],
        "a later transaction moves it again"
    );
}

async fn stamps(conn: &mut sqlx::PgConnection, ids: [i64; 2]) -> Vec<i64> {
    sqlx::query_scalar("select list_stamp from users where id = any($1) order by id")
        .bind(ids.to_vec())
        .fetch_all(conn)
        .await
        .unwrap()
}

async fn bump(conn: &mut sqlx::PgConnection, ids: Vec<i64>) {
    sqlx::query("select bump_list_stamps($1)")
        .bind(ids)
        .execute(conn)
        .await
        .unwrap();
}
