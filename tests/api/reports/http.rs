//! The pages, the CSV and the API's access rules over HTTP.

use reqwest::{Method, StatusCode};

use super::second_call::second_call_data;
use super::*;

fn period(f: &Fx) -> String {
    format!("from={}&to={}", f.d0, f.today - Duration::days(1))
}

#[tokio::test]
async fn the_team_page_is_for_managers_and_shows_the_figures() {
    let f = fx().await;
    second_call_data(&f).await;
    f.app.login("rob@acme.test").await;
    let resp = f.app.get("/team").await;
    assert_eq!(resp.status(), StatusCode::FORBIDDEN);
    f.app.logout().await;

    f.app.login("mia@acme.test").await;
    let resp = f.app.get(&format!("/team?{}", period(&f))).await;
    assert_eq!(resp.status(), StatusCode::OK);
    let html = resp.text().await.unwrap();
    // Team 5 of 7 = 71 %, Rob 4 of 6 = 67 %, Dan (who left) 100 %.
    for text in [
        "71%",
        "67%",
        "100%",
        "Rob Recruiter",
        "Dan Gone",
        "(left)",
        "<svg class=\"chart\"",
        "Median <strong>5 days</strong>",
    ] {
        assert!(html.contains(text), "the Team page shows {text}");
    }
    assert!(
        html.contains("/team/list?figure=second_call&#38;from="),
        "figures link to their rows"
    );
    // The default period (the last four full weeks) renders too, sorted by any column.
    let resp = f.app.get("/team?sort=name&dir=asc").await;
    assert_eq!(resp.status(), StatusCode::OK);
    let resp = f.app.get("/team?from=2026-13-01").await;
    assert!(
        resp.text()
            .await
            .unwrap()
            .contains("Write dates as YYYY-MM-DD.")
    );
}

#[tokio::test]
async fn everyone_sees_their_own_scorecard_and_only_their_own_rows() {
    let f = fx().await;
    second_call_data(&f).await;
    f.app.login("rob@acme.test").await;
    let html = f
        .app
        .get(&format!("/team/me?{}", period(&f)))
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains("Your scorecard") && html.contains("67%"));
    assert!(
        !html.contains("71%"),
        "no team figure on a recruiter's own card"
    );

    // Rob asks for Sue's pending DMs: he gets his own.
    let html = f
        .app
        .get(&format!(
            "/team/list?figure=second_call&status=pending&user_id={}&{}",
            f.sue,
            period(&f)
        ))
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains("Dm Five Pending"));
    assert!(!html.contains("Dm Nine Late Evening"));
    f.app.logout().await;

    f.app.login("mia@acme.test").await;
    let html = f
        .app
        .get(&format!(
            "/team/list?figure=second_call&status=pending&{}",
            period(&f)
        ))
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains("Dm Five Pending") && html.contains("Dm Nine Late Evening"));
    assert!(!html.contains("Dm One"), "called DMs are not pending");
    assert_eq!(
        f.app.get("/team/list?figure=nope").await.status(),
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn every_list_downloads_as_csv() {
    let f = fx().await;
    second_call_data(&f).await;
    f.app.login("mia@acme.test").await;
    let resp = f
        .app
        .get(&format!("/team/list.csv?figure=second_call&{}", period(&f)))
        .await;
    assert_eq!(resp.status(), StatusCode::OK);
    assert_eq!(resp.headers()["content-type"], "text/csv; charset=utf-8");
    assert!(
        resp.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .starts_with("attachment")
    );
    let body = resp.text().await.unwrap();
    // UTF-8 with a byte-order mark, so a spreadsheet reads it as UTF-8
    let body = body
        .strip_prefix('\u{feff}')
        .expect("the file starts with the BOM");
    let lines: Vec<&str> = body.lines().collect();
    assert_eq!(
        lines[0],
        "kind,id,name,company,phone,email,recruiter,date,at,status,detail,path"
    );
    assert_eq!(
        lines.len(),
        1 + 9,
        "the 9 DMs first attempted in the period"
    );

    // The coverage rows as CSV: the dataset's 11 DMs of Acme all had an attempt in the 90 days
    // up to yesterday.
    let resp = f
        .app
        .get(&format!(
            "/team/list.csv?figure=coverage&status=touched&{}",
            period(&f)
        ))
        .await;
    let body = resp.text().await.unwrap();
    assert_eq!(body.lines().count(), 1 + 11);
}

#[tokio::test]
async fn the_report_api_is_for_managers_only_and_documented() {
    let f = fx().await;
    let rob = f.app.token_for("rob@acme.test").await;
    for path in ["/reports/second-call-rate", "/reports/coverage"] {
        let (status, body) = f.app.api(Method::GET, path, &rob, None).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{path}");
        assert_eq!(body["error"]["code"], "forbidden");
    }
    let mia = f.app.token_for("mia@acme.test").await;
    let (status, body) = f
        .app
        .api(Method::GET, "/reports/second-call-rate", &mia, None)
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["team"]["first_touched"], 0);
    assert!(body["team"]["rate"].is_null());
    let (status, body) = f
        .app
        .api(Method::GET, "/reports/coverage", &mia, None)
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["as_of"], f.today.to_string());
    let doc: serde_json::Value = f
        .app
        .client
        .get(f.app.url("/api/v1/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    for path in [
        "/api/v1/reports/second-call-rate",
        "/api/v1/reports/coverage",
    ] {
        assert!(
            doc["paths"][path]["get"].is_object(),
            "{path} is documented"
        );
    }
    let _ = f.mia;
}

#[tokio::test]
async fn today_links_to_the_scorecard() {
    let f = fx().await;
    f.app.login("rob@acme.test").await;
    let html = f.app.get("/today").await.text().await.unwrap();
    assert!(html.contains("href=\"/team/me\""));
    assert_eq!(f.app.get("/team/me").await.status(), StatusCode::OK);
}

#[tokio::test]
async fn page_numbers_and_cursors_past_the_end_answer_empty_pages() {
    let f = fx().await;
    second_call_data(&f).await;
    f.app.login("mia@acme.test").await;
    for page in ["0", "2", "9223372036854775807"] {
        let resp = f
            .app
            .get(&format!(
                "/team/list?figure=second_call&page={page}&{}",
                period(&f)
            ))
            .await;
        assert_eq!(resp.status(), StatusCode::OK, "page={page}");
    }
    let mia = f.app.token_for("mia@acme.test").await;
    let (status, body) = f
        .app
        .api(
            Method::GET,
            "/reports/coverage?limit=3&cursor=9223372036854775807",
            &mia,
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
}
