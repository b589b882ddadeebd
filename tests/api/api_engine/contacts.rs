//! Decision makers and candidates over the API: create, patch, search, filter, page, archive.

use super::*;

#[tokio::test]
async fn decision_makers_are_created_patched_searched_and_archived() {
    let t = acme().await;
    let (status, dm) = t
        .post(
            "/decision-makers",
            &t.rob,
            json!({"name": "Dana Scully", "email": "dana@fbi.test", "temperature": "warm"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let id = dm["id"].as_i64().unwrap();
    assert_eq!(
        (dm["owner_id"].as_i64(), dm["temperature"].as_str()),
        (Some(t.rob_id), Some("warm"))
    );
    assert_eq!(
        (dm["last_touch_at"].clone(), dm["due_reason"].clone()),
        (Value::Null, Value::Null)
    );

    let (status, patched) = t
        .patch(
            &format!("/decision-makers/{id}"),
            &t.rob,
            json!({"temperature": "hot", "title": "CIO"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        (patched["temperature"].as_str(), patched["title"].as_str()),
        (Some("hot"), Some("CIO"))
    );
    assert_eq!(
        patched["email"], "dana@fbi.test",
        "fields not sent are kept"
    );
    let (status, err) = t
        .patch(
            &format!("/decision-makers/{id}"),
            &t.rob,
            json!({"temperature": "tepid"}),
        )
        .await;
    assert_eq!(
        (status, field(&err)),
        (StatusCode::UNPROCESSABLE_ENTITY, "temperature")
    );
    let (status, err) = t
        .patch(
            &format!("/decision-makers/{id}"),
            &t.rob,
            json!({"email": "nope"}),
        )
        .await;
    assert_eq!(
        (status, field(&err)),
        (StatusCode::UNPROCESSABLE_ENTITY, "email")
    );

    t.dm(&t.rob, "Fox Mulder", "cold").await;
    let (_, found) = t.get("/decision-makers?q=scul", &t.rob).await;
    assert_eq!(found["items"].as_array().unwrap().len(), 1);
    assert_eq!(found["items"][0]["id"], id);

    let (status, _) = t
        .call(
            Method::DELETE,
            &format!("/decision-makers/{id}"),
            &t.rob,
            None,
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, _) = t.get(&format!("/decision-makers/{id}"), &t.rob).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (_, all) = t.get("/decision-makers", &t.rob).await;
    assert_eq!(
        all["items"].as_array().unwrap().len(),
        1,
        "archived contacts leave the list"
    );
}

#[tokio::test]
async fn candidates_have_no_temperature_and_are_archived_by_delete() {
    let t = acme().await;
    let (status, err) = t
        .post(
            "/candidates",
            &t.rob,
            json!({"name": "Ann", "temperature": "hot"}),
        )
        .await;
    assert_eq!(
        (status, field(&err)),
        (StatusCode::UNPROCESSABLE_ENTITY, "temperature")
    );
    let (status, c) = t
        .post(
            "/candidates",
            &t.rob,
            json!({"name": "Ann Perkins", "source": "LinkedIn"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    assert!(c.get("temperature").is_none());
    assert_eq!(c["kind"], "candidate");
    let id = c["id"].as_i64().unwrap();

    let (status, patched) = t
        .patch(
            &format!("/candidates/{id}"),
            &t.rob,
            json!({"email_opt_out": true}),
        )
        .await;
    assert_eq!(
        (status, patched["email_opt_out"].as_bool()),
        (StatusCode::OK, Some(true))
    );
    assert_eq!(patched["source"], "LinkedIn");
    let (status, _) = t
        .call(Method::DELETE, &format!("/candidates/{id}"), &t.rob, None)
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, _) = t
        .call(Method::DELETE, &format!("/candidates/{id}"), &t.rob, None)
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn lists_page_with_an_opaque_cursor_and_refuse_a_limit_over_500() {
    let t = acme().await;
    for name in ["Carla", "alice", "Bob"] {
        t.dm(&t.rob, name, "cold").await;
    }
    let (_, first) = t.get("/decision-makers?limit=2", &t.rob).await;
    let names: Vec<_> = first["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].clone())
        .collect();
    assert_eq!(names, ["alice", "Bob"], "by name, case-insensitively");
    let next = first["next"].as_str().unwrap();
    let (_, second) = t
        .get(&format!("/decision-makers?limit=2&cursor={next}"), &t.rob)
        .await;
    assert_eq!(second["items"][0]["name"], "Carla");
    assert_eq!(second["next"], Value::Null);

    let (status, err) = t.get("/decision-makers?limit=501", &t.rob).await;
    assert_eq!(
        (status, field(&err)),
        (StatusCode::UNPROCESSABLE_ENTITY, "limit")
    );
    let (status, err) = t.get("/decision-makers?cursor=nonsense", &t.rob).await;
    assert_eq!(
        (status, field(&err)),
        (StatusCode::UNPROCESSABLE_ENTITY, "cursor")
    );
    let (status, err) = t.get("/companies?limit=ten", &t.rob).await;
    assert_eq!(
        (status, field(&err)),
        (StatusCode::UNPROCESSABLE_ENTITY, "limit")
    );
}

#[tokio::test]
async fn contacts_are_filtered_by_owner_temperature_due_and_company() {
    let t = acme().await;
    let company = t
        .create("/companies", &t.rob, json!({"name": "Globex"}))
        .await;
    let hot = t
        .create(
            "/decision-makers",
            &t.rob,
            json!({"name": "Hot One", "temperature": "hot", "company_id": company}),
        )
        .await;
    let cold = t.dm(&t.rob, "Cold One", "cold").await;
    let mias = t.dm(&t.mia, "Mia's", "cold").await;
    t.call_dm(&t.rob, cold, "no_answer", 10).await;

    let ids = |page: &Value| -> Vec<i64> {
        page["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["id"].as_i64().unwrap())
            .collect()
    };
    let (_, by_owner) = t
        .get(&format!("/decision-makers?owner_id={}", t.mia_id), &t.rob)
        .await;
    assert_eq!(ids(&by_owner), [mias]);
    let (_, by_temp) = t.get("/decision-makers?temperature=hot", &t.rob).await;
    assert_eq!(ids(&by_temp), [hot]);
    let (_, due) = t.get("/decision-makers?due=true", &t.rob).await;
    assert_eq!(ids(&due), [cold]);
    assert_eq!(due["items"][0]["due_reason"], "second_call");
    let (_, by_company) = t
        .get(&format!("/decision-makers?company_id={company}"), &t.rob)
        .await;
    assert_eq!(ids(&by_company), [hot]);
    let (status, err) = t.get("/decision-makers?temperature=boiling", &t.rob).await;
    assert_eq!(
        (status, field(&err)),
        (StatusCode::UNPROCESSABLE_ENTITY, "temperature")
    );
}

#[tokio::test]
async fn next_due_on_shows_the_coming_date_when_nothing_is_due_yet() {
    let t = acme().await;
    let dm = t.dm(&t.rob, "Dana", "warm").await;
    t.call_dm(&t.rob, dm, "no_answer", 0).await;
    let (_, shown) = t.get(&format!("/decision-makers/{dm}"), &t.rob).await;
    assert_eq!(shown["due_reason"], Value::Null);
    assert_eq!(shown["next_due_reason"], "second_call");
    let next: NaiveDate = shown["next_due_on"].as_str().unwrap().parse().unwrap();
    assert!(
        next > today() + Duration::days(4),
        "5 working days after the first call"
    );
    assert!(shown["last_touch_at"].is_string());
    let (_, listed) = t.get("/decision-makers", &t.rob).await;
    assert_eq!(
        listed["items"][0]["next_due_on"], shown["next_due_on"],
        "lists show it too"
    );
}
