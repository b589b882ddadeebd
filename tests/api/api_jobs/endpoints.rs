//! /jobs and /applications: what they take, what they answer, and the version check.

use super::*;

#[tokio::test]
async fn a_job_is_created_with_defaults_and_checked_fields() {
    let t = acme().await;
    let (status, job) = t
        .post(
            "/jobs",
            &t.rob,
            json!({"title": "  Staff engineer ", "company_id": t.company, "decision_maker_id": t.dm}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{job}");
    assert_eq!(job["title"], "Staff engineer");
    assert_eq!(job["company_id"], t.company);
    assert_eq!(job["company_name"], "Globex");
    assert_eq!(job["decision_maker_id"], t.dm);
    assert_eq!(job["decision_maker_name"], "Hana Hiring");
    assert_eq!(job["owner_id"], t.rob_id, "the caller owns it by default");
    assert_eq!(job["status"], "open", "open by default");
    assert_eq!(job["applications"], 0);
    assert!(job["created_at"].is_string() && job["updated_at"].is_string());

    let other_company = t
        .create("/companies", &t.mia, json!({"name": "Initech"}))
        .await;
    for (body, expected) in [
        (json!({"company_id": t.company}), "title"),
        (json!({"title": "", "company_id": t.company}), "title"),
        (
            json!({"title": "x".repeat(201), "company_id": t.company}),
            "title",
        ),
        (json!({"title": "Dev"}), "company_id"),
        (json!({"title": "Dev", "company_id": 999_999}), "company_id"),
        (
            json!({"title": "Dev", "company_id": t.company, "status": "closed"}),
            "status",
        ),
        (
            json!({"title": "Dev", "company_id": t.company, "status": ""}),
            "status",
        ),
        (
            json!({"title": "Dev", "company_id": other_company, "decision_maker_id": t.dm}),
            "decision_maker_id",
        ),
        (
            json!({"title": "Dev", "company_id": t.company, "owner_id": 999_999}),
            "owner_id",
        ),
        (
            json!({"title": "Dev", "company_id": t.company, "salary": 1}),
            "salary",
        ),
        (json!({"title": 7, "company_id": t.company}), "title"),
    ] {
        let (status, err) = t.post("/jobs", &t.mia, body.clone()).await;
        assert_eq!(
            (status, field(&err)),
            (StatusCode::UNPROCESSABLE_ENTITY, expected),
            "{body}: {err}"
        );
    }
    let (status, job) = t
        .post(
            "/jobs",
            &t.mia,
            json!({"title": "Analyst", "company_id": t.company, "status": "on_hold", "owner_id": t.rob_id}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{job}");
    assert_eq!(
        (job["status"].as_str(), job["owner_id"].as_i64()),
        (Some("on_hold"), Some(t.rob_id))
    );
    assert_eq!(job["decision_maker_id"], Value::Null);
    assert_eq!(
        t.count("job_orders").await,
        2,
        "only the two valid jobs were written"
    );
}

#[tokio::test]
async fn jobs_are_listed_newest_first_by_status_and_company_a_page_at_a_time() {
    let t = acme().await;
    let initech = t
        .create("/companies", &t.mia, json!({"name": "Initech"}))
        .await;
    let first = t.job("First").await;
    let second = t.job("Second").await;
    let elsewhere = t
        .create(
            "/jobs",
            &t.mia,
            json!({"title": "Elsewhere", "company_id": initech}),
        )
        .await;
    t.set_status(second, "filled").await;
    let ids = |page: &Value| -> Vec<i64> {
        page["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|j| j["id"].as_i64().unwrap())
            .collect()
    };
    let (status, all) = t.get("/jobs", &t.rob).await;
    assert_eq!(status, StatusCode::OK, "{all}");
    assert_eq!(ids(&all), [elsewhere, second, first]);
    assert_eq!(all["next"], Value::Null);

    let (_, open) = t.get("/jobs?status=open", &t.rob).await;
    assert_eq!(ids(&open), [elsewhere, first]);
    let (_, filled) = t.get("/jobs?status=filled", &t.rob).await;
    assert_eq!(ids(&filled), [second]);
    let (_, at_globex) = t
        .get(
            &format!("/jobs?company_id={}&status=open", t.company),
            &t.rob,
        )
        .await;
    assert_eq!(ids(&at_globex), [first]);

    let (_, page1) = t.get("/jobs?limit=2", &t.rob).await;
    assert_eq!(ids(&page1), [elsewhere, second]);
    let cursor = page1["next"].as_str().unwrap().to_string();
    let (_, page2) = t
        .get(&format!("/jobs?limit=2&cursor={cursor}"), &t.rob)
        .await;
    assert_eq!(ids(&page2), [first]);
    assert_eq!(page2["next"], Value::Null);

    for (query, expected) in [
        ("status=closed", "status"),
        ("limit=501", "limit"),
        ("limit=0", "limit"),
        ("cursor=abc", "cursor"),
        ("company_id=x", "company_id"),
    ] {
        let (status, err) = t.get(&format!("/jobs?{query}"), &t.rob).await;
        assert_eq!(
            (status, field(&err)),
            (StatusCode::UNPROCESSABLE_ENTITY, expected),
            "{query}: {err}"
        );
    }
    let (status, _) = t.get("/jobs?company_id=999999", &t.rob).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_job_is_shown_and_a_patch_changes_only_what_it_names() {
    let t = acme().await;
    let (_, created) = t
        .post(
            "/jobs",
            &t.mia,
            json!({"title": "Designer", "company_id": t.company, "decision_maker_id": t.dm}),
        )
        .await;
    let id = created["id"].as_i64().unwrap();
    let (status, shown) = t.get(&format!("/jobs/{id}"), &t.rob).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(shown, created, "GET answers what POST did");

    let path = format!("/jobs/{id}");
    let (status, job) = t
        .patch(&path, &t.rob, json!({"title": "Senior designer"}))
        .await;
    assert_eq!(status, StatusCode::OK, "{job}");
    assert_eq!(job["title"], "Senior designer");
    assert_eq!(
        (
            &job["company_id"],
            &job["decision_maker_id"],
            &job["owner_id"],
            &job["status"]
        ),
        (
            &json!(t.company),
            &json!(t.dm),
            &json!(t.mia_id),
            &json!("open")
        ),
        "the rest is as stored"
    );
    let (_, job) = t
        .patch(
            &path,
            &t.rob,
            json!({"status": "on_hold", "owner_id": t.rob_id, "decision_maker_id": null}),
        )
        .await;
    assert_eq!(
        (
            job["status"].as_str(),
            job["owner_id"].as_i64(),
            &job["decision_maker_id"],
            job["title"].as_str()
        ),
        (
            Some("on_hold"),
            Some(t.rob_id),
            &Value::Null,
            Some("Senior designer")
        )
    );
    let initech = t
        .create("/companies", &t.mia, json!({"name": "Initech"}))
        .await;
    let (_, job) = t.patch(&path, &t.rob, json!({"company_id": initech})).await;
    assert_eq!(job["company_name"], "Initech");
    let (status, err) = t
        .patch(&path, &t.rob, json!({"decision_maker_id": t.dm}))
        .await;
    assert_eq!(
        (status, field(&err)),
        (StatusCode::UNPROCESSABLE_ENTITY, "decision_maker_id"),
        "Hana works at Globex, not Initech"
    );
    for (body, expected) in [
        (json!({"status": "done"}), "status"),
        (json!({"status": ""}), "status"),
        (json!({"title": " "}), "title"),
        (json!({"company_id": null}), "company_id"),
        (json!({"applications": 3}), "applications"),
    ] {
        let (status, err) = t.patch(&path, &t.rob, body.clone()).await;
        assert_eq!(
            (status, field(&err)),
            (StatusCode::UNPROCESSABLE_ENTITY, expected),
            "{body}: {err}"
        );
    }
    let (_, unchanged) = t.get(&path, &t.rob).await;
    assert_eq!(
        (unchanged["status"].as_str(), unchanged["title"].as_str()),
        (Some("on_hold"), Some("Senior designer"))
    );
    for (method, body) in [
        (Method::GET, None),
        (Method::PATCH, Some(json!({"title": "x"}))),
    ] {
        let (status, err) = t.call(method, "/jobs/999999", &t.rob, body).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        assert_eq!(err["error"]["code"], "not_found");
    }
}

#[tokio::test]
async fn a_candidate_is_added_once_to_a_job_and_moved_with_history() {
    let t = acme().await;
    let job = t.job("Engineer").await;
    let ann = t.candidate("Ann").await;
    let (status, added) = t
        .post(
            "/applications",
            &t.mia,
            json!({"job_id": job, "candidate_id": ann}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{added}");
    let id = added["id"].as_i64().unwrap();
    assert_eq!(added["job_id"], job);
    assert_eq!(added["job_title"], "Engineer");
    assert_eq!(added["job_status"], "open");
    assert_eq!(added["company_id"], t.company);
    assert_eq!(added["candidate_id"], ann);
    assert_eq!(added["candidate_name"], "Ann");
    assert_eq!(added["candidate_owner_id"], t.rob_id);
    assert_eq!(added["stage"], "sourced", "sourced by default");
    assert_eq!(added["version"], 1);
    let history = added["history"].as_array().unwrap();
    assert_eq!(history.len(), 1);
    assert_eq!(history[0]["from"], Value::Null);
    assert_eq!(history[0]["to"], "sourced");
    assert_eq!(history[0]["by"], t.mia_id);
    assert_eq!(history[0]["by_name"], "User mia@acme.test");
    assert!(history[0]["at"].is_string());

    let (status, again) = t
        .post(
            "/applications",
            &t.rob,
            json!({"job_id": job, "candidate_id": ann, "stage": "screening"}),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{again}");
    assert_eq!(again["error"]["code"], "conflict");
    assert_eq!(
        again["error"]["message"],
        "This candidate is already in this job's pipeline."
    );
    assert_eq!(t.count("applications").await, 1, "no duplicate written");

    let (_, job_json) = t.get(&format!("/jobs/{job}"), &t.rob).await;
    assert_eq!(job_json["applications"], 1);

    let path = format!("/applications/{id}");
    let (status, moved) = t
        .patch(&path, &t.rob, json!({"stage": "screening", "version": 1}))
        .await;
    assert_eq!(status, StatusCode::OK, "{moved}");
    assert_eq!(
        (moved["stage"].as_str(), moved["version"].as_i64()),
        (Some("screening"), Some(2))
    );
    let (_, moved) = t.patch(&path, &t.mia, json!({"stage": "presented"})).await;
    assert_eq!(
        (moved["stage"].as_str(), moved["version"].as_i64()),
        (Some("presented"), Some(3)),
        "without a version the move is not checked"
    );
    let (_, same) = t
        .patch(&path, &t.mia, json!({"stage": "presented", "version": 3}))
        .await;
    assert_eq!(
        same["version"], 3,
        "a move to the same stage changes nothing"
    );

    let (status, shown) = t.get(&path, &t.rob).await;
    assert_eq!(status, StatusCode::OK);
    let moves: Vec<(Value, Value, Value)> = shown["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| (h["from"].clone(), h["to"].clone(), h["by"].clone()))
        .collect();
    assert_eq!(
        moves,
        [
            (Value::Null, json!("sourced"), json!(t.mia_id)),
            (json!("sourced"), json!("screening"), json!(t.rob_id)),
            (json!("screening"), json!("presented"), json!(t.mia_id)),
        ]
    );

    let bob = t.candidate("Bob").await;
    let (status, started) = t
        .post(
            "/applications",
            &t.mia,
            json!({"job_id": job, "candidate_id": bob, "stage": "interviewing"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{started}");
    assert_eq!(started["stage"], "interviewing");
    assert_eq!(started["history"][0]["to"], "interviewing");
}

#[tokio::test]
async fn unknown_stages_and_fields_are_refused_naming_them() {
    let t = acme().await;
    let job = t.job("Engineer").await;
    let ann = t.candidate("Ann").await;
    for (body, expected) in [
        (
            json!({"job_id": job, "candidate_id": ann, "stage": "hired"}),
            "stage",
        ),
        (json!({"candidate_id": ann}), "job_id"),
        (json!({"job_id": job}), "candidate_id"),
        (
            json!({"job_id": job, "candidate_id": ann, "note": "x"}),
            "note",
        ),
    ] {
        let (status, err) = t.post("/applications", &t.mia, body.clone()).await;
        assert_eq!(
            (status, field(&err)),
            (StatusCode::UNPROCESSABLE_ENTITY, expected),
            "{body}: {err}"
        );
    }
    assert_eq!(t.count("applications").await, 0);
    let id = t.apply(job, ann, "screening").await;
    let path = format!("/applications/{id}");
    for (body, expected) in [
        (json!({"stage": "hired"}), "stage"),
        (json!({"stage": "Presented"}), "stage"),
        (json!({}), "stage"),
        (json!({"stage": "presented", "version": "one"}), "version"),
    ] {
        let (status, err) = t.patch(&path, &t.mia, body.clone()).await;
        assert_eq!(
            (status, field(&err)),
            (StatusCode::UNPROCESSABLE_ENTITY, expected),
            "{body}: {err}"
        );
    }
    let (_, shown) = t.get(&path, &t.mia).await;
    assert_eq!(
        (shown["stage"].as_str(), shown["version"].as_i64()),
        (Some("screening"), Some(1))
    );
    for (method, body) in [
        (Method::GET, None),
        (Method::PATCH, Some(json!({"stage": "presented"}))),
    ] {
        let (status, _) = t.call(method, "/applications/999999", &t.mia, body).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
    }
    let (status, _) = t
        .post(
            "/applications",
            &t.mia,
            json!({"job_id": 999_999, "candidate_id": ann}),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let archived = t.candidate("Archived").await;
    let (status, _) = t
        .call(
            Method::DELETE,
            &format!("/candidates/{archived}"),
            &t.rob,
            None,
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, _) = t
        .post(
            "/applications",
            &t.mia,
            json!({"job_id": job, "candidate_id": archived}),
        )
        .await;
    assert_eq!(
        status,
        StatusCode::NOT_FOUND,
        "an archived candidate is gone"
    );
    assert_eq!(t.count("applications").await, 1);
}

#[tokio::test]
async fn a_move_based_on_a_stale_version_is_refused_with_the_current_stage() {
    let t = acme().await;
    let job = t.job("Engineer").await;
    let ann = t.candidate("Ann").await;
    let id = t.apply(job, ann, "screening").await;
    let path = format!("/applications/{id}");
    let (_, read) = t.get(&path, &t.mia).await;
    let version = read["version"].as_i64().unwrap();

    // Mia and Rob both read version 1; Mia moves first.
    let (status, first) = t
        .patch(
            &path,
            &t.mia,
            json!({"stage": "presented", "version": version}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{first}");
    assert_eq!(first["version"], version + 1);
    let (status, second) = t
        .patch(
            &path,
            &t.rob,
            json!({"stage": "rejected", "version": version}),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{second}");
    let err = &second["error"];
    assert_eq!(err["code"], "conflict");
    assert_eq!(err["stage"], "presented", "{second}");
    assert_eq!(err["version"], version + 1);
    let message = err["message"].as_str().unwrap();
    assert!(
        message.contains("presented") && message.contains(&format!("version {}", version + 1)),
        "{message}"
    );

    let (_, now) = t.get(&path, &t.mia).await;
    assert_eq!(
        (now["stage"].as_str(), now["version"].as_i64()),
        (Some("presented"), Some(version + 1))
    );
    let moves: Vec<&Value> = now["history"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|h| !h["from"].is_null())
        .collect();
    assert_eq!(moves.len(), 1, "one move kept: {}", now["history"]);
    assert_eq!(
        (moves[0]["from"].as_str(), moves[0]["to"].as_str()),
        (Some("screening"), Some("presented"))
    );
    assert_eq!(
        t.candidate_reason(ann).await,
        None,
        "the refused rejection made no sign-off call due"
    );

    // With the current version, the move goes through.
    let (status, _) = t
        .patch(
            &path,
            &t.rob,
            json!({"stage": "rejected", "version": version + 1}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn the_openapi_document_lists_jobs_and_applications() {
    let t = acme().await;
    let (status, doc) = t.get("/openapi.json", &t.mia).await;
    assert_eq!(status, StatusCode::OK);
    let paths = doc["paths"].as_object().unwrap();
    for (path, methods) in [
        ("/api/v1/jobs", &["get", "post"][..]),
        ("/api/v1/jobs/{id}", &["get", "patch"]),
        ("/api/v1/applications", &["post"]),
        ("/api/v1/applications/{id}", &["get", "patch"]),
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
        "JobJson",
        "JobPage",
        "JobFields",
        "ApplicationJson",
        "ApplicationBody",
        "ApplicationPatch",
        "StageChangeJson",
    ] {
        assert!(schemas.contains_key(name), "{name}");
    }
    let conflict = &paths["/api/v1/applications/{id}"]["patch"]["responses"]["409"];
    assert!(
        conflict.is_object(),
        "the 409 of a stale move is documented"
    );
    let description = doc["info"]["description"].as_str().unwrap();
    assert!(
        description.contains("`job_id` and `candidate_id` of a new application"),
        "{description}"
    );
}
