//! GET /due (stored or computed, in due-list order, whose list), snoozes and manual rebuilds.

use super::*;

#[tokio::test]
async fn a_past_date_is_computed_while_todays_stored_list_carries_built_at() {
    let t = acme().await;
    let dm = t.dm(&t.rob, "Dana", "warm").await;
    t.call_dm(&t.rob, dm, "no_answer", 20).await;
    t.call_dm(&t.rob, dm, "no_answer", 1).await;
    t.call(Method::POST, "/due/rebuild", &t.mia, None).await;

    let stored = t.due("", &t.rob).await;
    assert!(stored["built_at"].is_string());
    assert_eq!(stored["date"], today().to_string());
    assert_eq!(
        reason_of(&stored, dm),
        None,
        "two attempts, the warm cycle is 30 days"
    );

    let past = today() - Duration::days(10);
    let computed = t.due(&format!("?date={past}"), &t.rob).await;
    assert_eq!(
        (computed["built_at"].clone(), computed["date"].as_str()),
        (Value::Null, Some(&*past.to_string()))
    );
    assert_eq!(
        reason_of(&computed, dm).as_deref(),
        Some("second_call"),
        "then only the first call had happened"
    );
    let (status, err) = t.get("/due?date=yesterday", &t.rob).await;
    assert_eq!(
        (status, field(&err)),
        (StatusCode::UNPROCESSABLE_ENTITY, "date")
    );
}

#[tokio::test]
async fn the_due_list_is_in_reason_then_overdue_then_temperature_order() {
    let t = acme().await;
    let company = t
        .create("/companies", &t.rob, json!({"name": "Globex"}))
        .await;
    let cold = t
        .create(
            "/decision-makers",
            &t.rob,
            json!({"name": "Cold", "temperature": "cold", "company_id": company}),
        )
        .await;
    let hot = t.dm(&t.rob, "Hot", "hot").await;
    let warm = t.dm(&t.rob, "Warm", "warm").await;
    let older = t.dm(&t.rob, "Older", "cold").await;
    for dm in [warm, hot] {
        t.call_dm(&t.rob, dm, "no_answer", 10).await;
    }
    t.call_dm(&t.rob, older, "no_answer", 20).await;
    // two attempts: no second call; the news is what makes the cold DM due
    t.call_dm(&t.rob, cold, "no_answer", 12).await;
    t.call_dm(&t.rob, cold, "no_answer", 10).await;
    t.post(
        &format!("/companies/{company}/events"),
        &t.rob,
        json!({"kind": "move", "summary": "New office"}),
    )
    .await;
    let order = |list: &Value| -> Vec<i64> {
        list["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["contact"]["id"].as_i64().unwrap())
            .collect()
    };
    let computed = t.due("", &t.rob).await;
    assert_eq!(computed["built_at"], Value::Null);
    assert_eq!(
        order(&computed),
        [older, hot, warm, cold],
        "second calls first (most overdue, then hot before warm), then news"
    );
    assert_eq!(reason_of(&computed, cold).as_deref(), Some("company_news"));
    t.call(Method::POST, "/due/rebuild", &t.mia, None).await;
    assert_eq!(
        order(&t.due("", &t.rob).await),
        [older, hot, warm, cold],
        "the stored list agrees"
    );
}

#[tokio::test]
async fn another_users_due_list_needs_a_manager_of_the_same_team() {
    let t = acme().await;
    let dm = t.dm(&t.rob, "Dana", "warm").await;
    t.call_dm(&t.rob, dm, "no_answer", 10).await;
    let (status, _) = t.get(&format!("/due?user_id={}", t.mia_id), &t.rob).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, list) = t.get(&format!("/due?user_id={}", t.rob_id), &t.mia).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(reason_of(&list, dm).as_deref(), Some("second_call"));
    let (status, _) = t.get(&format!("/due?user_id={}", t.rob_id), &t.rob).await;
    assert_eq!(status, StatusCode::OK, "one's own list by id");

    let other_team = t.app.create_team("Other", "olga@other.test").await;
    let stranger = t
        .app
        .create_user(other_team, "sam@other.test", "recruiter")
        .await;
    let (status, err) = t.get(&format!("/due?user_id={stranger}"), &t.mia).await;
    assert_eq!(
        (status, err["error"]["code"].as_str()),
        (StatusCode::NOT_FOUND, Some("not_found"))
    );
}

#[tokio::test]
async fn a_snoozed_item_leaves_the_list_and_nothing_due_cannot_be_snoozed() {
    let t = acme().await;
    let dm = t.dm(&t.rob, "Dana", "warm").await;
    let quiet = t.dm(&t.rob, "Quiet", "warm").await;
    t.call_dm(&t.rob, dm, "no_answer", 10).await;
    let until = (today() + Duration::days(7)).to_string();

    let (status, contact) = t
        .post(
            "/due/snooze",
            &t.rob,
            json!({"decision_maker_id": dm, "until": until, "note": "on holiday"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{contact}");
    assert_eq!(contact["due_reason"], Value::Null);
    assert!(
        contact["next_due_on"].as_str().unwrap() >= until.as_str(),
        "it comes back on the snooze date"
    );
    assert_eq!(reason_of(&t.due("", &t.rob).await, dm), None);

    let (status, err) = t
        .post(
            "/due/snooze",
            &t.rob,
            json!({"decision_maker_id": quiet, "until": until}),
        )
        .await;
    assert_eq!(
        (status, err["error"]["code"].as_str()),
        (StatusCode::CONFLICT, Some("conflict"))
    );
    let (status, err) = t
        .post(
            "/due/snooze",
            &t.rob,
            json!({"decision_maker_id": dm, "until": today().to_string()}),
        )
        .await;
    assert_eq!(
        (status, field(&err)),
        (StatusCode::UNPROCESSABLE_ENTITY, "until")
    );
    let (status, err) = t.post("/due/snooze", &t.rob, json!({"until": until})).await;
    assert_eq!(
        (status, field(&err)),
        (StatusCode::UNPROCESSABLE_ENTITY, "decision_maker_id")
    );
}

#[tokio::test]
async fn a_manual_rebuild_answers_counts_and_is_for_managers() {
    let t = acme().await;
    let dm = t.dm(&t.rob, "Dana", "warm").await;
    t.dm(&t.mia, "Other", "cold").await;
    t.call_dm(&t.rob, dm, "no_answer", 10).await;
    let (status, _) = t.call(Method::POST, "/due/rebuild", &t.rob, None).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, counts) = t.call(Method::POST, "/due/rebuild", &t.mia, None).await;
    assert_eq!(status, StatusCode::OK, "{counts}");
    assert_eq!(
        (
            counts["users"].as_u64(),
            counts["contacts"].as_u64(),
            counts["items"].as_u64()
        ),
        (Some(2), Some(2), Some(1))
    );

    let as_of = (today() - Duration::days(30)).to_string();
    let (status, counts) = t
        .post("/due/rebuild", &t.mia, json!({"as_of": as_of}))
        .await;
    assert_eq!(
        (status, counts["items"].as_u64(), counts["as_of"].as_str()),
        (StatusCode::OK, Some(0), Some(&*as_of))
    );
}
