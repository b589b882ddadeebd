//! Another team's jobs, applications and candidates answer 404, exactly as missing ones, and
//! nothing of either team is written.

use super::*;

#[tokio::test]
async fn another_teams_jobs_applications_and_candidates_answer_404() {
    let t = acme().await;
    let other = t.app.create_team("Other", "olga@other.test").await;
    let olga = t.app.token_for("olga@other.test").await;
    let their_company = t
        .create("/companies", &olga, json!({"name": "Theirs"}))
        .await;
    let their_dm = t
        .create(
            "/decision-makers",
            &olga,
            json!({"name": "Their DM", "company_id": their_company}),
        )
        .await;
    let their_job = t
        .create(
            "/jobs",
            &olga,
            json!({"title": "Their job", "company_id": their_company}),
        )
        .await;
    let their_candidate = t
        .create("/candidates", &olga, json!({"name": "Their candidate"}))
        .await;
    let their_application = t
        .create(
            "/applications",
            &olga,
            json!({"job_id": their_job, "candidate_id": their_candidate, "stage": "presented"}),
        )
        .await;
    let our_job = t.job("Our job").await;
    let our_candidate = t.candidate("Ours").await;
    let our_application = t.apply(our_job, our_candidate, "screening").await;

    let cases: Vec<(Method, String, Option<Value>)> = vec![
        (Method::GET, format!("/jobs/{their_job}"), None),
        (
            Method::PATCH,
            format!("/jobs/{their_job}"),
            Some(json!({"status": "cancelled"})),
        ),
        (
            Method::GET,
            format!("/jobs?company_id={their_company}"),
            None,
        ),
        (
            Method::GET,
            format!("/applications/{their_application}"),
            None,
        ),
        (
            Method::PATCH,
            format!("/applications/{their_application}"),
            Some(json!({"stage": "rejected", "version": 1})),
        ),
        (
            Method::POST,
            "/applications".into(),
            Some(json!({"job_id": their_job, "candidate_id": our_candidate})),
        ),
        (
            Method::POST,
            "/applications".into(),
            Some(json!({"job_id": our_job, "candidate_id": their_candidate})),
        ),
        (
            Method::POST,
            "/applications".into(),
            Some(json!({"job_id": their_job, "candidate_id": their_candidate})),
        ),
    ];
    let before = (t.count("applications").await, t.count("job_orders").await);
    for (method, path, body) in cases {
        let (status, err) = t.call(method.clone(), &path, &t.mia, body).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{method} {path}: {err}");
        assert_eq!(err["error"]["code"], "not_found");
        assert_eq!(err["error"]["message"], "No such object in your team.");
    }
    // Ids a job refers to in its body are fields to fix: 422 naming them.
    for (body, expected) in [
        (
            json!({"title": "X", "company_id": their_company}),
            "company_id",
        ),
        (
            json!({"title": "X", "company_id": t.company, "decision_maker_id": their_dm}),
            "decision_maker_id",
        ),
    ] {
        let (status, err) = t.post("/jobs", &t.mia, body).await;
        assert_eq!(
            (status, field(&err)),
            (StatusCode::UNPROCESSABLE_ENTITY, expected),
            "{err}"
        );
    }
    let (status, err) = t
        .patch(
            &format!("/jobs/{our_job}"),
            &t.mia,
            json!({"owner_id": other_user(&t, other).await}),
        )
        .await;
    assert_eq!(
        (status, field(&err)),
        (StatusCode::UNPROCESSABLE_ENTITY, "owner_id")
    );

    assert_eq!(
        (t.count("applications").await, t.count("job_orders").await),
        before,
        "nothing written in our team"
    );
    let (_, theirs) = t.get(&format!("/jobs/{their_job}"), &olga).await;
    assert_eq!(
        (theirs["status"].as_str(), theirs["applications"].as_i64()),
        (Some("open"), Some(1)),
        "their job unchanged"
    );
    let (_, theirs) = t
        .get(&format!("/applications/{their_application}"), &olga)
        .await;
    assert_eq!(
        (theirs["stage"].as_str(), theirs["version"].as_i64()),
        (Some("presented"), Some(1)),
        "their application unchanged"
    );
    let (_, ours) = t
        .get(&format!("/applications/{our_application}"), &t.mia)
        .await;
    assert_eq!(ours["stage"], "screening");
    // Our ids are just as missing for them.
    for path in [
        format!("/jobs/{our_job}"),
        format!("/applications/{our_application}"),
    ] {
        let (status, _) = t.get(&path, &olga).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}");
    }
    let (_, their_list) = t.get("/jobs", &olga).await;
    assert_eq!(their_list["items"].as_array().unwrap().len(), 1);
}

/// A user of the other team.
async fn other_user(t: &Acme, team: i64) -> i64 {
    t.app.create_user(team, "sam@other.test", "recruiter").await
}
