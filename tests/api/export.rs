//! The CSV exports: `/export/contacts.csv` and `/export/touches.csv` (pages and API), and the
//! Team page's CSV, all opening safely in a spreadsheet.

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::helpers::TestApp;

const BOM: &[u8] = b"\xEF\xBB\xBF";

/// The rows of a CSV download (after its byte-order mark).
fn rows_of(bytes: &[u8]) -> Vec<Vec<String>> {
    assert!(bytes.starts_with(BOM), "the file starts with the UTF-8 BOM");
    let mut r = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(&bytes[BOM.len()..]);
    r.records()
        .map(|rec| rec.unwrap().iter().map(String::from).collect())
        .collect()
}

async fn csv_page(app: &TestApp, path: &str) -> Vec<Vec<String>> {
    let resp = app.get(path).await;
    assert_eq!(resp.status(), StatusCode::OK, "{path}");
    assert!(
        resp.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/csv")
    );
    assert!(
        resp.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .starts_with("attachment")
    );
    rows_of(&resp.bytes().await.unwrap())
}

#[tokio::test]
async fn contacts_export_every_field_with_formula_cells_made_safe() {
    let app = TestApp::spawn().await;
    let team = app.create_team("Acme", "mia@acme.test").await;
    app.create_user(team, "rob@acme.test", "recruiter").await;
    let mia = app.token_for("mia@acme.test").await;
    let rob = app.token_for("rob@acme.test").await;
    let (s, _) = app
        .api(
            Method::POST,
            "/decision-makers",
            &mia,
            Some(json!({"name": "=HYPERLINK(\"http://evil\")", "title": "+CFO", "email": "ann@x.test",
                        "phone": "-555 0100", "source": "@twitter", "talking_points": "likes golf, tennis\nand cats"})),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED);
    let (s, _) = app
        .api(
            Method::POST,
            "/decision-makers",
            &rob,
            Some(json!({"name": "Rob's own", "phone": "555 0101"})),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED);

    app.login("mia@acme.test").await;
    let rows = csv_page(&app, "/export/contacts.csv?kind=decision-makers").await;
    assert_eq!(rows[0][..4], ["id", "kind", "name", "title"]);
    assert!(rows[0].contains(&"talking_points".to_string()));
    assert_eq!(rows.len(), 3, "a manager gets the team's: {rows:?}");
    let ann = rows.iter().find(|r| r[2].contains("HYPERLINK")).unwrap();
    assert_eq!(ann[2], "'=HYPERLINK(\"http://evil\")");
    assert_eq!(ann[3], "'+CFO");
    assert_eq!(ann[6], "'-555 0100");
    assert_eq!(ann[9], "'@twitter");
    assert_eq!(ann[10], "likes golf, tennis\nand cats");

    // a recruiter gets only their own, through the API too
    let resp = app
        .client
        .get(app.url("/api/v1/export/contacts.csv?kind=decision_maker"))
        .bearer_auth(&rob)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    let rows = rows_of(&resp.bytes().await.unwrap());
    assert_eq!(rows.len(), 2, "{rows:?}");
    assert_eq!(rows[1][2], "Rob's own");

    // candidates: none yet, the header alone
    let rows = csv_page(&app, "/export/contacts.csv?kind=candidates").await;
    assert_eq!(rows.len(), 1);
}

#[tokio::test]
async fn touches_export_the_range_asked_for_with_notes() {
    let app = TestApp::spawn().await;
    app.create_team("Acme", "mia@acme.test").await;
    let mia = app.token_for("mia@acme.test").await;
    let (_, dm) = app
        .api(
            Method::POST,
            "/decision-makers",
            &mia,
            Some(json!({"name": "Ann Lee"})),
        )
        .await;
    let (s, body) = app
        .api(
            Method::POST,
            "/touches",
            &mia,
            Some(
                json!({"decision_maker_id": dm["id"], "channel": "email", "direction": "outbound",
                        "outcome": "sent", "notes": "=cmd|' /C calc'!A0"}),
            ),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{body}");

    app.login("mia@acme.test").await;
    let rows = csv_page(&app, "/export/touches.csv").await;
    assert_eq!(rows.len(), 2, "{rows:?}");
    let notes = rows[0].iter().position(|h| h == "notes").unwrap();
    assert_eq!(rows[1][notes], "'=cmd|' /C calc'!A0");
    assert_eq!(rows[1][4], "Ann Lee");

    // a range without it has the header only; a reversed one is refused
    let rows = csv_page(&app, "/export/touches.csv?from=2020-01-01&to=2020-01-31").await;
    assert_eq!(rows.len(), 1);
    let resp = app
        .get("/export/touches.csv?from=2020-02-01&to=2020-01-01")
        .await;
    assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let (s, body) = app
        .api(
            Method::GET,
            "/export/touches.csv?from=2020-02-01&to=2020-01-01",
            &mia,
            None,
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["error"]["field"], "to");
}

#[tokio::test]
async fn the_team_list_csv_makes_formula_cells_safe_too() {
    let app = TestApp::spawn().await;
    app.create_team("Acme", "mia@acme.test").await;
    let mia = app.token_for("mia@acme.test").await;
    app.api(
        Method::POST,
        "/decision-makers",
        &mia,
        Some(json!({"name": "@evil", "phone": "+1 555 0100"})),
    )
    .await;
    app.login("mia@acme.test").await;
    let today = app
        .clock()
        .now()
        .with_timezone(&chrono_tz::America::New_York)
        .date_naive();
    let from = today - chrono::Days::new(6);
    let rows = csv_page(
        &app,
        &format!("/team/list.csv?figure=coverage&status=not_touched&from={from}&to={today}"),
    )
    .await;
    let row = rows
        .iter()
        .find(|r| r[2].contains("evil"))
        .expect("the DM is listed");
    assert_eq!(row[2], "'@evil");
    assert_eq!(row[4], "'+1 555 0100");
}
