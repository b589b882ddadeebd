//! Team isolation on every endpoint, and the OpenAPI document.

use super::*;

#[tokio::test]
async fn every_endpoint_answers_404_for_another_teams_ids() {
    let t = acme().await;
    let other = t.app.create_team("Other", "olga@other.test").await;
    let olga = t.app.token_for("olga@other.test").await;
    let company = t
        .create("/companies", &olga, json!({"name": "Theirs"}))
        .await;
    let dm = t.dm(&olga, "Their DM", "warm").await;
    let cand = t
        .create("/candidates", &olga, json!({"name": "Their candidate"}))
        .await;
    t.call_dm(&olga, dm, "no_answer", 10).await;
    let user = t
        .app
        .create_user(other, "sam@other.test", "recruiter")
        .await;
    let until = (today() + Duration::days(3)).to_string();
    let touch = json!({"decision_maker_id": dm, "channel": "call", "outcome": "no_answer"});
    let cases: Vec<(Method, String, Option<Value>)> = vec![
        (Method::GET, format!("/companies/{company}"), None),
        (
            Method::PATCH,
            format!("/companies/{company}"),
            Some(json!({"notes": "x"})),
        ),
        (Method::GET, format!("/companies/{company}/events"), None),
        (
            Method::POST,
            format!("/companies/{company}/events"),
            Some(json!({"kind": "funding", "summary": "x"})),
        ),
        (Method::GET, format!("/decision-makers/{dm}"), None),
        (
            Method::PATCH,
            format!("/decision-makers/{dm}"),
            Some(json!({"title": "x"})),
        ),
        (Method::DELETE, format!("/decision-makers/{dm}"), None),
        (Method::GET, format!("/candidates/{cand}"), None),
        (
            Method::PATCH,
            format!("/candidates/{cand}"),
            Some(json!({"title": "x"})),
        ),
        (Method::DELETE, format!("/candidates/{cand}"), None),
        (
            Method::GET,
            format!("/decision-makers?company_id={company}"),
            None,
        ),
        (Method::GET, format!("/candidates?owner_id={user}"), None),
        (Method::POST, "/touches".into(), Some(touch)),
        (
            Method::GET,
            format!("/touches?decision_maker_id={dm}"),
            None,
        ),
        (Method::GET, format!("/touches?candidate_id={cand}"), None),
        (Method::GET, format!("/due?user_id={user}"), None),
        (
            Method::POST,
            "/due/snooze".into(),
            Some(json!({"decision_maker_id": dm, "until": until})),
        ),
        (Method::GET, "/decision-makers/999999".into(), None),
    ];
    for (method, path, body) in cases {
        let (status, err) = t.call(method.clone(), &path, &t.mia, body).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{method} {path}: {err}");
        assert_eq!(err["error"]["code"], "not_found");
    }
    let (status, err) = t
        .post(
            "/decision-makers",
            &t.mia,
            json!({"name": "X", "company_id": company}),
        )
        .await;
    assert_eq!(
        (status, field(&err)),
        (StatusCode::UNPROCESSABLE_ENTITY, "company_id")
    );
    let (status, err) = t
        .post(
            "/candidates",
            &t.mia,
            json!({"name": "X", "owner_id": user}),
        )
        .await;
    assert_eq!(
        (status, field(&err)),
        (StatusCode::UNPROCESSABLE_ENTITY, "owner_id")
    );
    let (_, theirs) = t.get(&format!("/decision-makers/{dm}"), &olga).await;
    assert_eq!(theirs["title"], "", "nothing of theirs changed");
}

#[tokio::test]
async fn the_openapi_document_lists_every_path() {
    let t = acme().await;
    let doc: Value = t
        .app
        .client
        .get(t.app.url("/api/v1/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let paths = doc["paths"].as_object().unwrap();
    for (path, methods) in [
        ("/api/v1/companies", &["get", "post"][..]),
        ("/api/v1/companies/{id}", &["get", "patch"]),
        ("/api/v1/companies/{id}/events", &["get", "post"]),
        ("/api/v1/decision-makers", &["get", "post"]),
        ("/api/v1/decision-makers/{id}", &["get", "patch", "delete"]),
        ("/api/v1/candidates", &["get", "post"]),
        ("/api/v1/candidates/{id}", &["get", "patch", "delete"]),
        ("/api/v1/touches", &["get", "post"]),
        ("/api/v1/due", &["get"]),
        ("/api/v1/due/snooze", &["post"]),
        ("/api/v1/due/rebuild", &["post"]),
        ("/api/v1/settings", &["get", "patch"]),
        ("/api/v1/users/{id}", &["patch"]),
    ] {
        for m in methods {
            assert!(
                paths.get(path).and_then(|p| p.get(*m)).is_some(),
                "{m} {path} is documented"
            );
        }
    }
    let schemas = doc["components"]["schemas"].as_object().unwrap();
    for name in [
        "ContactJson",
        "DueListJson",
        "SettingsJson",
        "TouchBody",
        "CompanyPage",
    ] {
        assert!(schemas.contains_key(name), "{name}");
    }
}
