//! Touches over the API: 201, the 422s that name their field, lists, and the due list after.

use super::*;

#[tokio::test]
async fn touches_are_created_with_201_and_invalid_ones_name_their_field() {
    let t = acme().await;
    let dm = t.dm(&t.rob, "Dana", "warm").await;
    let cand = t
        .create("/candidates", &t.rob, json!({"name": "Ann"}))
        .await;
    let (status, touch) = t
        .post("/touches", &t.rob, json!({"decision_maker_id": dm, "channel": "email", "outcome": "sent", "notes": "intro"}))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{touch}");
    assert_eq!(
        (touch["direction"].as_str(), touch["approach"].as_str()),
        (Some("outbound"), Some("standard"))
    );
    assert_eq!(touch["author_id"], t.rob_id);

    let cases = [
        (
            json!({"decision_maker_id": dm, "channel": "call", "outcome": "connected"}),
            "next_step_on",
        ),
        (
            json!({"decision_maker_id": dm, "channel": "call", "outcome": "no_answer", "occurred_at": ago(-2)}),
            "occurred_at",
        ),
        (
            json!({"decision_maker_id": dm, "candidate_id": cand, "channel": "call", "outcome": "no_answer"}),
            "candidate_id",
        ),
        (
            json!({"channel": "call", "outcome": "no_answer"}),
            "decision_maker_id",
        ),
        (
            json!({"candidate_id": cand, "channel": "fax", "outcome": "sent"}),
            "channel",
        ),
        (json!({"candidate_id": cand, "outcome": "sent"}), "channel"),
        (
            json!({"candidate_id": cand, "channel": "call", "outcome": "no_answer", "next_step_on": "soon"}),
            "next_step_on",
        ),
    ];
    for (body, expected) in cases {
        let (status, err) = t.post("/touches", &t.rob, body.clone()).await;
        assert_eq!(
            (status, field(&err)),
            (StatusCode::UNPROCESSABLE_ENTITY, expected),
            "{body}"
        );
    }
    let next = (today() + Duration::days(7)).to_string();
    let ok = json!({"decision_maker_id": dm, "channel": "call", "outcome": "connected", "next_step_on": next});
    assert_eq!(t.post("/touches", &t.rob, ok).await.0, StatusCode::CREATED);
}

#[tokio::test]
async fn touches_are_listed_per_contact_newest_first() {
    let t = acme().await;
    let dm = t.dm(&t.rob, "Dana", "warm").await;
    let other = t.dm(&t.rob, "Other", "warm").await;
    for days in [3, 2, 1] {
        t.call_dm(&t.rob, dm, "no_answer", days).await;
    }
    t.call_dm(&t.rob, other, "no_answer", 1).await;
    let (status, page) = t
        .get(&format!("/touches?decision_maker_id={dm}&limit=2"), &t.rob)
        .await;
    assert_eq!(status, StatusCode::OK);
    let items = page["items"].as_array().unwrap();
    assert_eq!(items.len(), 2);
    assert!(items[0]["id"].as_i64() > items[1]["id"].as_i64());
    assert!(items.iter().all(|t| t["decision_maker_id"] == dm));
    let next = page["next"].as_str().unwrap();
    let (_, rest) = t
        .get(
            &format!("/touches?decision_maker_id={dm}&cursor={next}"),
            &t.rob,
        )
        .await;
    assert_eq!(
        (
            rest["items"].as_array().unwrap().len(),
            rest["next"].clone()
        ),
        (1, Value::Null)
    );
    let (_, all) = t.get("/touches", &t.rob).await;
    assert_eq!(all["items"].as_array().unwrap().len(), 4);
}

#[tokio::test]
async fn a_logged_touch_changes_the_due_list_at_once() {
    let t = acme().await;
    let dm = t.dm(&t.rob, "Dana", "warm").await;
    t.call_dm(&t.rob, dm, "no_answer", 10).await;
    let (status, _) = t.call(Method::POST, "/due/rebuild", &t.mia, None).await;
    assert_eq!(status, StatusCode::OK);
    let list = t.due("", &t.rob).await;
    assert!(
        list["built_at"].is_string(),
        "today's list is the stored one"
    );
    assert_eq!(reason_of(&list, dm).as_deref(), Some("second_call"));
    let item = &list["items"][0];
    assert_eq!(
        (
            item["contact"]["kind"].as_str(),
            item["contact"]["name"].as_str()
        ),
        (Some("decision_maker"), Some("Dana"))
    );
    assert!(item["overdue_days"].as_i64().unwrap() > 0);
    assert_eq!(item["suggested_channel"], "call");
    assert!(item["script_hint"].is_string() && item["why"].is_string());

    t.call_dm(&t.rob, dm, "voicemail_left", 0).await;
    assert_eq!(
        reason_of(&t.due("", &t.rob).await, dm),
        None,
        "the second call settles it"
    );
}
