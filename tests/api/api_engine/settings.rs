//! Settings over the API, the rebuild a change triggers, and reassigning a user's contacts.

use super::*;

#[tokio::test]
async fn settings_are_read_by_everyone_and_changed_by_managers() {
    let t = acme_with_defaults().await;
    let (status, s) = t.get("/settings", &t.rob).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(s["intervals"], json!({"hot": 14, "warm": 30, "cold": 90}));
    assert_eq!(
        (
            s["second_call_working_days"].as_u64(),
            s["strike_gaps"].clone()
        ),
        (Some(5), json!([2, 3]))
    );
    assert_eq!(
        (
            s["gone_dark"]["touches"].as_u64(),
            s["gone_dark"]["min_days"].as_u64()
        ),
        (Some(3), Some(14))
    );
    assert_eq!(
        s["working_days"],
        json!(["mon", "tue", "wed", "thu", "fri"])
    );
    assert_eq!(
        (s["holidays"].clone(), s["nightly_hour"].as_u64()),
        (json!([]), Some(2))
    );
    assert_eq!(
        (
            s["second_call_window_days"].as_u64(),
            s["new_dm_daily_goal"].as_u64()
        ),
        (Some(30), Some(2))
    );

    let (status, _) = t
        .patch("/settings", &t.rob, json!({"nightly_hour": 3}))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    for (body, expected) in [
        (json!({"intervals": {"warm": 0}}), "intervals.warm"),
        (json!({"nightly_hour": 24}), "nightly_hour"),
        (json!({"working_days": []}), "working_days"),
        (json!({"strike_gaps": [2, -1]}), "strike_gaps[1]"),
        (json!({"holidays": ["someday"]}), "holidays[0]"),
    ] {
        let (status, err) = t.patch("/settings", &t.mia, body.clone()).await;
        assert_eq!(
            (status, field(&err)),
            (StatusCode::UNPROCESSABLE_ENTITY, expected),
            "{body}"
        );
    }
    let (status, s) = t
        .patch("/settings", &t.mia, json!({"nightly_hour": 4, "holidays": ["2026-12-25"], "working_days": ["mon", "tue", "wed", "thu"]}))
        .await;
    assert_eq!(status, StatusCode::OK, "{s}");
    assert_eq!(
        (s["nightly_hour"].as_u64(), s["holidays"].clone()),
        (Some(4), json!(["2026-12-25"]))
    );
    assert_eq!(t.get("/settings", &t.rob).await.1, s, "saved");
}

/// Waits (up to 10 s) for the background rebuild a settings save starts to finish.
async fn settings_rebuild_done(t: &Acme) {
    for _ in 0..100 {
        let done: i64 = sqlx::query_scalar(
            "select count(*) from due_runs where trigger = 'settings' and status = 'ok'",
        )
        .fetch_one(&t.app.db)
        .await
        .unwrap();
        if done == 1 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}

/// A touch decides its contact's item with the team's saved settings, not the defaults (the
/// touch reads them with the contact's stored state, in one statement).
#[tokio::test]
async fn a_touch_decides_with_the_teams_saved_settings() {
    let t = acme().await;
    let (status, _) = t
        .patch("/settings", &t.mia, json!({"intervals": {"warm": 10}}))
        .await;
    assert_eq!(status, StatusCode::OK);
    // the lists' rebuild after the save is over before the contact exists
    settings_rebuild_done(&t).await;
    let dm = t.dm(&t.rob, "Dana", "warm").await;
    t.call_dm(&t.rob, dm, "no_answer", 25).await;
    t.call_dm(&t.rob, dm, "no_answer", 12).await;
    assert_eq!(
        reason_of(&t.due("", &t.rob).await, dm).as_deref(),
        Some("contact_cycle"),
        "12 days > the team's 10 (the default 30 would not be due)"
    );
}

#[tokio::test]
async fn lowering_the_warm_interval_rebuilds_the_lists_in_the_background() {
    let t = acme().await;
    let dm = t.dm(&t.rob, "Dana", "warm").await;
    t.call_dm(&t.rob, dm, "no_answer", 25).await;
    t.call_dm(&t.rob, dm, "no_answer", 20).await;
    assert_eq!(
        reason_of(&t.due("", &t.rob).await, dm),
        None,
        "20 days < 30"
    );

    let (status, _) = t
        .patch("/settings", &t.mia, json!({"intervals": {"warm": 10}}))
        .await;
    assert_eq!(status, StatusCode::OK);
    // the rebuild runs in the background, after the save answered
    settings_rebuild_done(&t).await;
    let list = t.due("", &t.rob).await;
    assert!(
        list["built_at"].is_string(),
        "the team's lists were rebuilt"
    );
    assert_eq!(reason_of(&list, dm).as_deref(), Some("contact_cycle"));
    let runs: Vec<String> = sqlx::query_scalar("select trigger from due_runs")
        .fetch_all(&t.app.db)
        .await
        .unwrap();
    assert_eq!(runs, ["settings"]);
}

#[tokio::test]
async fn reassigned_contacts_bring_their_due_items_to_the_new_owner() {
    let t = acme().await;
    let dm = t.dm(&t.rob, "Dana", "warm").await;
    t.call_dm(&t.rob, dm, "no_answer", 10).await;
    let body = json!({"reassign_to": t.mia_id, "active": false});
    let (status, _) = t.patch(&format!("/users/{}", t.rob_id), &t.mia, body).await;
    assert_eq!(status, StatusCode::OK);
    let mine = t.due("", &t.mia).await;
    assert_eq!(reason_of(&mine, dm).as_deref(), Some("second_call"));
    assert!(mine["built_at"].is_string());
    let robs = t.due(&format!("?user_id={}", t.rob_id), &t.mia).await;
    assert_eq!(robs["items"], json!([]));
    let (_, shown) = t.get(&format!("/decision-makers/{dm}"), &t.mia).await;
    assert_eq!(shown["owner_id"], t.mia_id);
}
