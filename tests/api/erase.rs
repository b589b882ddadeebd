//! A person's data: the JSON export of everything held, and the erase that removes the personal
//! data, keeps past reports as they were, and keeps the person from coming back.

use chrono::{Duration, Utc};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::TestApp;

/// A DM with everything personal filled in, two calls a month ago (with notes, one corrected),
/// and a snoozed item with a note. Returns the DM's id.
async fn ann(app: &TestApp, token: &str) -> i64 {
    let (s, dm) = app
        .api(
            Method::POST,
            "/decision-makers",
            token,
            Some(json!({"name": "Ann Zebulon", "title": "VP Quokka", "email": "Ann.Zebulon@Example.test",
                        "phone": "(201) 555-0147", "temperature": "hot", "source": "Referral from Xavier Quill",
                        "talking_points": "Loves kayaking on Lake Wobegon"})),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{dm}");
    let id = dm["id"].as_i64().unwrap();
    for (days, notes) in [
        (40, "Told me about her divorce"),
        (33, "Kids named Pip and Pop"),
    ] {
        let at = (Utc::now() - Duration::days(days)).to_rfc3339();
        let (s, t) = app
            .api(
                Method::POST,
                "/touches",
                token,
                Some(json!({"decision_maker_id": id, "channel": "call", "outcome": "no_answer",
                            "occurred_at": at, "notes": notes, "referral_names": "Quentin Marlowe"})),
            )
            .await;
        assert_eq!(s, StatusCode::CREATED, "{t}");
    }
    // a corrected touch keeps its earlier version (as `touch_revisions` stores it)
    sqlx::query(
        "insert into touch_revisions (team_id, touch_id, action, previous, revised_by) \
         select team_id, id, 'corrected', to_jsonb(t) - 'team_id', author_id from touches t \
         where t.decision_maker_id = $1 order by id limit 1",
    )
    .bind(id)
    .execute(&app.db)
    .await
    .unwrap();
    let until = (Utc::now() + Duration::days(5)).date_naive().to_string();
    let (s, body) = app
        .api(
            Method::POST,
            "/due/snooze",
            token,
            Some(json!({"decision_maker_id": id, "until": until, "note": "Away sailing with Mr Zebulon"})),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{body}");
    id
}

const PERSONAL: [&str; 10] = [
    "Zebulon",
    "zebulon",
    "Quokka",
    "555-0147",
    "Xavier",
    "kayaking",
    "divorce",
    "Pip and Pop",
    "Quentin",
    "sailing",
];

#[tokio::test]
async fn an_export_holds_everything_and_an_erase_removes_it_but_not_the_reports() {
    let app = TestApp::spawn().await;
    let team = app.create_team("Acme", "mia@acme.test").await;
    app.every_day_working(team).await;
    let mia = app.token_for("mia@acme.test").await;
    let id = ann(&app, &mia).await;

    // the export: the record, touches with notes and the earlier version, snooze, history, log
    let (s, doc) = app
        .api(
            Method::GET,
            &format!("/decision-makers/{id}/export"),
            &mia,
            None,
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{doc}");
    assert_eq!(doc["record"]["name"], "Ann Zebulon");
    assert_eq!(doc["touches"].as_array().unwrap().len(), 2);
    let text = doc.to_string();
    for word in PERSONAL {
        assert!(text.contains(word), "the export holds {word}: {text}");
    }
    assert_eq!(
        doc["touches"][0]["earlier_versions"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    assert_eq!(doc["snoozes"][0]["note"], "Away sailing with Mr Zebulon");
    assert!(!doc["due_history"].as_array().unwrap().is_empty());

    let from = (Utc::now() - Duration::days(60)).date_naive();
    let to = (Utc::now() - Duration::days(2)).date_naive();
    let report = format!("/reports/second-call-rate?from={from}&to={to}");
    let (s, before) = app.api(Method::GET, &report, &mia, None).await;
    assert_eq!(s, StatusCode::OK, "{before}");
    assert_eq!(before["team"]["first_touched"], 1, "{before}");

    let (s, body) = app
        .api(
            Method::POST,
            &format!("/decision-makers/{id}/erase"),
            &mia,
            Some(json!({"reason": "asked by email"})),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{body}");

    // the past period's figures are the same
    let (_, after) = app.api(Method::GET, &report, &mia, None).await;
    assert_eq!(before, after);

    // nothing personal is left anywhere the export looks, the touches' facts are
    let (s, doc) = app
        .api(
            Method::GET,
            &format!("/decision-makers/{id}/export"),
            &mia,
            None,
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    let text = doc.to_string();
    for word in PERSONAL {
        assert!(!text.contains(word), "{word} is gone: {text}");
    }
    assert_eq!(doc["record"]["name"], "Erased contact");
    assert_eq!(doc["touches"].as_array().unwrap().len(), 2);
    assert_eq!(doc["touches"][0]["channel"], "call");
    let erased: Vec<Value> = doc["audit"].as_array().unwrap().clone();
    let kinds: Vec<&str> = erased.iter().map(|e| e["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["contact_exported", "contact_erased"]);
    assert_eq!(
        erased[1]["detail"],
        format!("decision_maker {id}: asked by email")
    );
    // also straight from the tables
    let left: i64 = sqlx::query_scalar(
        "select count(*) from touches where decision_maker_id = $1 and (notes <> '' or referral_names <> '')",
    )
    .bind(id)
    .fetch_one(&app.db)
    .await
    .unwrap();
    assert_eq!(left, 0);
    let hashes: Vec<Vec<u8>> =
        sqlx::query_scalar("select hash from suppressions where team_id = $1")
            .bind(team)
            .fetch_all(&app.db)
            .await
            .unwrap();
    assert_eq!(hashes.len(), 2, "the email and the phone, hashed");
    assert!(
        hashes
            .iter()
            .all(|h| !String::from_utf8_lossy(h).contains("example"))
    );

    // never due again, gone from the lists; a second erase is a conflict
    let (_, due) = app.api(Method::GET, "/due", &mia, None).await;
    assert_eq!(due["items"], json!([]), "{due}");
    let (s, _) = app
        .api(Method::GET, &format!("/decision-makers/{id}"), &mia, None)
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, _) = app
        .api(
            Method::POST,
            &format!("/decision-makers/{id}/erase"),
            &mia,
            None,
        )
        .await;
    assert_eq!(s, StatusCode::CONFLICT);

    // the same email or phone, however written, cannot come back
    for (field, body) in [
        (
            "email",
            json!({"name": "A. Z.", "email": " ann.zebulon@EXAMPLE.test"}),
        ),
        (
            "phone",
            json!({"name": "A. Z.", "phone": "+1 201 555 0147"}),
        ),
    ] {
        let (s, err) = app.api(Method::POST, "/candidates", &mia, Some(body)).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{err}");
        assert_eq!(err["error"]["field"], field);
        assert!(err["error"]["message"].as_str().unwrap().contains("erased"));
    }
}

#[tokio::test]
async fn only_managers_export_or_erase_and_the_page_asks_first() {
    let app = TestApp::spawn().await;
    let team = app.create_team("Acme", "mia@acme.test").await;
    app.create_user(team, "rob@acme.test", "recruiter").await;
    let mia = app.token_for("mia@acme.test").await;
    let rob = app.token_for("rob@acme.test").await;
    let (_, c) = app
        .api(
            Method::POST,
            "/candidates",
            &rob,
            Some(json!({"name": "Cleo Vantablack", "email": "cleo@v.test"})),
        )
        .await;
    let id = c["id"].as_i64().unwrap();
    for path in [format!("/candidates/{id}/export")] {
        assert_eq!(
            app.api(Method::GET, &path, &rob, None).await.0,
            StatusCode::FORBIDDEN
        );
    }
    let (s, _) = app
        .api(Method::POST, &format!("/candidates/{id}/erase"), &rob, None)
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    app.login("rob@acme.test").await;
    let page = app
        .get(&format!("/contacts/candidates/{id}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(!page.contains("This person's data"));
    assert_eq!(
        app.get(&format!("/contacts/candidates/{id}/erase"))
            .await
            .status(),
        StatusCode::FORBIDDEN
    );
    app.logout().await;

    // the manager: the block, the confirmation naming the person, the erase
    app.login("mia@acme.test").await;
    let page = app
        .get(&format!("/contacts/candidates/{id}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("This person's data"));
    let confirm = app.get(&format!("/contacts/candidates/{id}/erase")).await;
    assert_eq!(confirm.status(), StatusCode::OK);
    assert!(
        confirm
            .text()
            .await
            .unwrap()
            .contains("Erase Cleo Vantablack")
    );
    let export = app.get(&format!("/contacts/candidates/{id}/export")).await;
    assert_eq!(export.status(), StatusCode::OK);
    let doc: Value = export.json().await.unwrap();
    assert_eq!(doc["record"]["email"], "cleo@v.test");
    let resp = app
        .post_form(
            &format!("/contacts/candidates/{id}/erase"),
            &[("reason", "line one\nline two")],
        )
        .await;
    assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let resp = app
        .post_form(
            &format!("/contacts/candidates/{id}/erase"),
            &[("reason", "request")],
        )
        .await;
    assert!(resp.status().is_redirection());
    let page = app
        .get(&format!("/contacts/candidates/{id}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("Erased contact") && !page.contains("Vantablack"));

    // the new-contact form refuses the erased email with the message by the field
    let resp = app
        .post_form(
            "/contacts/candidates",
            &[
                ("name", "Someone"),
                ("email", "CLEO@v.test"),
                ("owner_id", ""),
            ],
        )
        .await;
    assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        resp.text()
            .await
            .unwrap()
            .contains("erased at their request")
    );
    let _ = mia;
}
