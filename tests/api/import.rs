//! The CSV import (`POST /api/v1/imports`): real files (BOM, CRLF, `;`, quoted line breaks,
//! LinkedIn and ATS headers), duplicates within the file and against the team, suppression,
//! a re-import that changes nothing, and the size limit.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::TestApp;

/// A LinkedIn connections export: BOM, CRLF, a quoted company with a comma, a quoted line break,
/// a duplicate (the same email in other case), a formula cell, a bad email, a blank row.
pub const LINKEDIN: &str = "\u{feff}First Name,Last Name,URL,Email Address,Company,Position,Connected On\r\n\
Ann,Lee,https://www.linkedin.com/in/ann,ann.lee@acme.test,\"Acme, Inc.\",CTO,12 Jan 2024\r\n\
Bob,Ray,,,\"Beta\r\nLabs\",\"Head of\r\nPeople\",03 Feb 2024\r\n\
Cleo,Park,,ANN.LEE@ACME.TEST,Gamma,VP,01 Mar 2024\r\n\
=cmd,Evil,,evil@x.test,=HYPERLINK(\"x\"),@boss,01 Mar 2024\r\n\
Dan,Wu,,not-an-email,Delta,CEO,01 Mar 2024\r\n\
,,,,,,\r\n\
Eve,Stone,,,\"acme,  inc.\",Engineer,02 Mar 2024\r\n";

pub async fn import(app: &TestApp, token: &str, query: &str, body: &[u8]) -> (StatusCode, Value) {
    let resp = app
        .client
        .post(app.url(&format!("/api/v1/imports{query}")))
        .bearer_auth(token)
        .header("content-type", "text/csv")
        .body(body.to_vec())
        .send()
        .await
        .unwrap();
    let status = resp.status();
    (status, resp.json().await.unwrap_or(Value::Null))
}

async fn names(app: &TestApp, token: &str, path: &str) -> Vec<Value> {
    let (s, page) = app
        .api(Method::GET, &format!("{path}?limit=500"), token, None)
        .await;
    assert_eq!(s, StatusCode::OK);
    page["items"].as_array().unwrap().clone()
}

#[tokio::test]
async fn a_linkedin_file_is_previewed_then_imported_and_a_second_time_changes_nothing() {
    let app = TestApp::spawn().await;
    let team = app.create_team("Acme", "mia@acme.test").await;
    app.every_day_working(team).await;
    let mia = app.token_for("mia@acme.test").await;

    let (s, dry) = import(
        &app,
        &mia,
        "?kind=decision_maker&dry_run=true",
        LINKEDIN.as_bytes(),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{dry}");
    assert_eq!(dry["dry_run"], true);
    assert_eq!(dry["created"], 4, "{dry}");
    assert_eq!(
        dry["columns"][0],
        json!({"header": "First Name", "field": "first_name"})
    );
    assert_eq!(dry["columns"][2]["field"], "ignore");
    assert_eq!(dry["columns"][6]["field"], "note");
    assert_eq!(
        dry["skipped"],
        json!([{"row": 4, "reason": "duplicate", "of": {"row": 2}}])
    );
    assert_eq!(
        dry["errors"],
        json!([{"row": 6, "field": "email", "message": dry["errors"][0]["message"]}])
    );
    assert!(
        names(&app, &mia, "/decision-makers").await.is_empty(),
        "a dry run writes nothing"
    );

    let (s, done) = import(&app, &mia, "?kind=decision_maker", LINKEDIN.as_bytes()).await;
    assert_eq!(s, StatusCode::OK, "{done}");
    assert_eq!(done["created"], 4);
    let dms = names(&app, &mia, "/decision-makers").await;
    let by_name = |n: &str| dms.iter().find(|d| d["name"] == n).cloned().unwrap();
    let ann = by_name("Ann Lee");
    assert_eq!(ann["email"], "ann.lee@acme.test");
    assert_eq!(ann["title"], "CTO");
    assert_eq!(ann["talking_points"], "Connected On: 12 Jan 2024");
    assert_eq!(by_name("Bob Ray")["title"], "Head of\r\nPeople");
    // the formula cell is stored as typed (the exports make it safe)
    assert_eq!(by_name("=cmd Evil")["title"], "@boss");
    // "acme,  inc." is the company "Acme, Inc." of Ann's row: one company, matched by name
    assert_eq!(by_name("Eve Stone")["company_id"], ann["company_id"]);
    let (_, companies) = app
        .api(Method::GET, "/companies?limit=500", &mia, None)
        .await;
    assert_eq!(
        companies["items"].as_array().unwrap().len(),
        3,
        "{companies}"
    );
    // new contacts are not due: never called yet
    let (_, due) = app.api(Method::GET, "/due", &mia, None).await;
    assert_eq!(due["items"], json!([]));
    let (_, touches) = app.api(Method::GET, "/touches", &mia, None).await;
    assert_eq!(
        touches["items"],
        json!([]),
        "a Connected On column creates no touch"
    );

    // the same file again: everything is a duplicate, nothing changes
    let (s, again) = import(
        &app,
        &mia,
        "?kind=decision_maker&on_duplicate=update",
        LINKEDIN.as_bytes(),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{again}");
    assert_eq!(
        (again["created"].as_u64(), again["updated"].as_u64()),
        (Some(0), Some(0)),
        "{again}"
    );
    assert_eq!(names(&app, &mia, "/decision-makers").await.len(), 4);
    let (_, companies) = app
        .api(Method::GET, "/companies?limit=500", &mia, None)
        .await;
    assert_eq!(companies["items"].as_array().unwrap().len(), 3);

    // counts only in the security log
    let (_, log) = app.api(Method::GET, "/audit?kind=import", &mia, None).await;
    let details: Vec<&str> = log["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["detail"].as_str().unwrap())
        .collect();
    assert_eq!(details.len(), 2);
    assert!(
        details
            .iter()
            .all(|d| !d.contains("Ann") && d.contains("created")),
        "{details:?}"
    );
}

#[tokio::test]
async fn an_ats_file_with_semicolons_updates_empty_fields_and_matches_phones() {
    let app = TestApp::spawn().await;
    app.create_team("Acme", "mia@acme.test").await;
    let mia = app.token_for("mia@acme.test").await;
    let (_, existing) = app
        .api(
            Method::POST,
            "/candidates",
            &mia,
            Some(json!({"name": "Zoe Quist", "phone": "+1 (201) 555-0188"})),
        )
        .await;
    let file = "Full Name;Mobile;Current Employer;Email\nZoe Q.;201.555.0188;Initech;zoe@initech.test\nYann Tiersen;;Initech;\n";
    let (s, r) = import(
        &app,
        &mia,
        "?kind=candidate&on_duplicate=update",
        file.as_bytes(),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{r}");
    assert_eq!(
        (r["created"].as_u64(), r["updated"].as_u64()),
        (Some(1), Some(1)),
        "{r}"
    );
    let (_, zoe) = app
        .api(
            Method::GET,
            &format!("/candidates/{}", existing["id"]),
            &mia,
            None,
        )
        .await;
    assert_eq!(zoe["name"], "Zoe Quist", "a filled name is kept");
    assert_eq!(zoe["email"], "zoe@initech.test", "an empty field is filled");
    assert_eq!(
        zoe["phone"], "+1 (201) 555-0188",
        "the stored value stays as typed"
    );
    // skip (the default) leaves the contact alone
    let file = "Full Name;Mobile;Title\nZoe Q.;2015550188;Boss\n";
    let (_, r) = import(&app, &mia, "?kind=candidate", file.as_bytes()).await;
    assert_eq!(r["skipped"][0]["reason"], "duplicate");
    assert_eq!(r["skipped"][0]["of"]["name"], "Zoe Quist");
}

#[tokio::test]
async fn erased_and_do_not_contact_people_are_suppressed() {
    let app = TestApp::spawn().await;
    let team = app.create_team("Acme", "mia@acme.test").await;
    app.create_user(team, "rob@acme.test", "recruiter").await;
    let mia = app.token_for("mia@acme.test").await;
    let rob = app.token_for("rob@acme.test").await;
    let (_, ann) = app
        .api(
            Method::POST,
            "/decision-makers",
            &mia,
            Some(json!({"name": "Ann Lee", "email": "ann@acme.test"})),
        )
        .await;
    let (s, _) = app
        .api(
            Method::POST,
            &format!("/decision-makers/{}/erase", ann["id"]),
            &mia,
            None,
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    app.api(
        Method::POST,
        "/decision-makers",
        &mia,
        Some(json!({"name": "Dee No", "phone": "212 555 0199", "do_not_contact": true})),
    )
    .await;
    let file = "Name,Email,Phone\nAnn Lee,Ann@Acme.test,\nD. N.,,+1 212-555-0199\nFine Person,fine@x.test,\n";
    let (s, r) = import(&app, &rob, "", file.as_bytes()).await;
    assert_eq!(s, StatusCode::OK, "{r}");
    assert_eq!(r["created"], 1);
    assert_eq!(
        r["skipped"],
        json!([{"row": 2, "reason": "suppressed", "of": null}, {"row": 3, "reason": "suppressed", "of": null}])
    );
    // a recruiter imports for themselves only
    let mia_id = app.api(Method::GET, "/me", &mia, None).await.1["id"].clone();
    let (s, r) = import(&app, &rob, &format!("?owner_id={mia_id}"), file.as_bytes()).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{r}");
    assert_eq!(r["error"]["field"], "owner_id");
}

#[tokio::test]
async fn bad_files_are_refused_with_a_clear_message() {
    let app = TestApp::spawn().await;
    app.create_team("Acme", "mia@acme.test").await;
    let mia = app.token_for("mia@acme.test").await;
    let (s, r) = import(&app, &mia, "", b"").await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r["error"]["field"], "file");
    let (s, r) = import(&app, &mia, "", b"Name\n\xff\xfe\n").await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r["error"]["message"].as_str().unwrap().contains("UTF-8"));
    let (s, r) = import(&app, &mia, "?on_duplicate=merge", b"Name\nAnn\n").await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r["error"]["field"], "on_duplicate");
    // over 20 MB: 413 with the limit named; 12 MB (over the other routes' 10 MB) is fine
    let mut big = b"Name,Biography\n".to_vec();
    while big.len() < 12 * 1024 * 1024 {
        big.extend_from_slice(b"Someone,");
        big.extend(std::iter::repeat_n(b'x', 1024 * 1024));
        big.push(b'\n');
    }
    let (s, r) = import(&app, &mia, "?dry_run=true", &big).await;
    assert_eq!(s, StatusCode::OK, "{r}");
    big.resize(21 * 1024 * 1024, b'x');
    let (s, r) = import(&app, &mia, "?dry_run=true", &big).await;
    assert_eq!(s, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(
        r["error"]["message"].as_str().unwrap().contains("20 MB"),
        "{r}"
    );
}

/// Uploads a file on the import page; answers the response.
pub async fn upload(app: &TestApp, file: &[u8], fields: &[(&str, &str)]) -> reqwest::Response {
    let mut form = reqwest::multipart::Form::new().part(
        "file",
        reqwest::multipart::Part::bytes(file.to_vec()).file_name("connections.csv"),
    );
    for (k, v) in fields {
        form = form.text(k.to_string(), v.to_string());
    }
    app.client
        .post(app.url("/contacts/import"))
        .multipart(form)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn the_page_previews_with_editable_columns_then_imports_with_a_result() {
    let app = TestApp::spawn().await;
    app.create_team("Acme", "mia@acme.test").await;
    app.login("mia@acme.test").await;
    let resp = upload(
        &app,
        LINKEDIN.as_bytes(),
        &[("kind", "decision_maker"), ("on_duplicate", "skip")],
    )
    .await;
    assert!(resp.status().is_redirection(), "{}", resp.status());
    let job = resp.headers()["location"].to_str().unwrap().to_string();
    let html = app.get(&job).await.text().await.unwrap();
    assert!(html.contains("Import 4 contacts"), "{html}");
    assert!(html.contains("Row 4: duplicate of row 2 of this file"));
    assert!(html.contains("Row 6: email:"));
    assert!(html.contains("Acme, Inc."));

    // map the Position column to "leave out": the preview follows
    let mut map = vec![
        ("map", "first_name"),
        ("map", "last_name"),
        ("map", "ignore"),
        ("map", "email"),
        ("map", "company"),
    ];
    map.extend([("map", "ignore"), ("map", "note")]);
    let resp = app.post_form(&format!("{job}/mapping"), &map).await;
    assert!(resp.status().is_redirection());
    let html = app.get(&job).await.text().await.unwrap();
    assert!(!html.contains("<td>CTO</td>"), "Position is left out now");

    let resp = app.post_form(&format!("{job}/run"), &[]).await;
    assert!(resp.status().is_redirection());
    let mut html = String::new();
    for _ in 0..100 {
        html = app.get(&job).await.text().await.unwrap();
        if html.contains("id=\"import-result\"") {
            break;
        }
        assert!(
            html.contains("http-equiv=\"refresh\"") || html.contains("import-result"),
            "{html}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert!(html.contains("<strong>4</strong> contacts added"), "{html}");
    let csv = app.get(&format!("{job}/left-out.csv")).await;
    assert_eq!(csv.status(), StatusCode::OK);
    let text = String::from_utf8(csv.bytes().await.unwrap().to_vec()).unwrap();
    assert!(text.starts_with("\u{feff}row,why,First Name"), "{text}");
    assert!(text.contains("duplicate of row 2") && text.contains("Dan"));
    // a second run of the same job does nothing more
    app.post_form(&format!("{job}/run"), &[]).await;
    let mia = app.token_for("mia@acme.test").await;
    assert_eq!(names(&app, &mia, "/decision-makers").await.len(), 4);

    // an unreadable file is refused on the form with why; a file over the limit likewise
    let resp = upload(&app, b"Name\n\xff\n", &[("kind", "candidate")]).await;
    assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(resp.text().await.unwrap().contains("not UTF-8"));
    let resp = upload(&app, &vec![b'x'; 21 * 1024 * 1024], &[]).await;
    assert_eq!(resp.status(), StatusCode::PAYLOAD_TOO_LARGE);
    assert!(resp.text().await.unwrap().contains("over 20 MB"));
}
