//! Companies and their news over the API: news makes calls due.

use super::*;

#[tokio::test]
async fn companies_are_created_listed_searched_and_patched() {
    let t = acme().await;
    let id = t
        .create(
            "/companies",
            &t.rob,
            json!({"name": "Globex", "website": "https://globex.test"}),
        )
        .await;
    t.create("/companies", &t.rob, json!({"name": "Initech"}))
        .await;

    let (status, page) = t.get("/companies?q=glob", &t.rob).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(page["items"].as_array().unwrap().len(), 1);
    assert_eq!(page["items"][0]["name"], "Globex");
    assert_eq!(page["next"], Value::Null);

    let (status, patched) = t
        .patch(
            &format!("/companies/{id}"),
            &t.rob,
            json!({"notes": "Met at the fair"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        (patched["name"].as_str(), patched["notes"].as_str()),
        (Some("Globex"), Some("Met at the fair"))
    );
    let (status, shown) = t.get(&format!("/companies/{id}"), &t.rob).await;
    assert_eq!(
        (status, shown["website"].as_str()),
        (StatusCode::OK, Some("https://globex.test"))
    );

    let (status, err) = t.post("/companies", &t.rob, json!({"name": " "})).await;
    assert_eq!(
        (status, field(&err)),
        (StatusCode::UNPROCESSABLE_ENTITY, "name")
    );
    let (status, err) = t
        .patch(
            &format!("/companies/{id}"),
            &t.rob,
            json!({"website": "not a url"}),
        )
        .await;
    assert_eq!(
        (status, field(&err)),
        (StatusCode::UNPROCESSABLE_ENTITY, "website")
    );
}

/// News is owed to the people who were there when it was logged, not to contacts added later.
#[tokio::test]
async fn a_contact_added_after_the_news_is_not_owed_a_call_about_it() {
    let t = acme().await;
    let company = t
        .create("/companies", &t.rob, json!({"name": "Initech"}))
        .await;
    let before = t
        .create(
            "/decision-makers",
            &t.rob,
            json!({"name": "Bill", "company_id": company, "phone": "1"}),
        )
        .await;
    let (status, _) = t
        .post(
            &format!("/companies/{company}/events"),
            &t.rob,
            json!({"kind": "layoffs", "summary": "A third of the staff"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let after = t
        .create(
            "/decision-makers",
            &t.rob,
            json!({"name": "Peter", "company_id": company, "phone": "2"}),
        )
        .await;
    let list = t.due("", &t.rob).await;
    assert_eq!(reason_of(&list, before).as_deref(), Some("company_news"));
    assert_eq!(reason_of(&list, after), None, "added after the news");
    let (status, _) = t.post("/due/rebuild", &t.mia, json!({})).await;
    assert_eq!(status, StatusCode::OK);
    let list = t.due("", &t.rob).await;
    assert_eq!(reason_of(&list, after), None, "the rebuild agrees");
}

#[tokio::test]
async fn a_company_event_makes_a_call_due_for_its_contacts() {
    let t = acme().await;
    let company = t
        .create("/companies", &t.rob, json!({"name": "Globex"}))
        .await;
    let dm = t
        .create(
            "/decision-makers",
            &t.rob,
            json!({"name": "Dana", "company_id": company, "phone": "1"}),
        )
        .await;
    assert_eq!(reason_of(&t.due("", &t.rob).await, dm), None);

    let (status, event) = t
        .post(
            &format!("/companies/{company}/events"),
            &t.rob,
            json!({"kind": "funding", "summary": "Series B"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{event}");
    assert_eq!(event["occurred_on"], today().to_string());

    assert_eq!(
        reason_of(&t.due("", &t.rob).await, dm).as_deref(),
        Some("company_news")
    );
    let (_, shown) = t.get(&format!("/decision-makers/{dm}"), &t.rob).await;
    assert_eq!(shown["due_reason"], "company_news");
    assert_eq!(shown["next_due_on"], today().to_string());

    let (status, err) = t
        .post(
            &format!("/companies/{company}/events"),
            &t.rob,
            json!({"kind": "gossip", "summary": "x"}),
        )
        .await;
    assert_eq!(
        (status, field(&err)),
        (StatusCode::UNPROCESSABLE_ENTITY, "kind")
    );
}
