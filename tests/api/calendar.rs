//! The iCalendar feed: its secret URL (made, replaced, turned off; page and API) and its events,
//! read back with the `icalendar` crate's RFC 5545 parser.

use chrono::{Duration, Utc};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::TestApp;

async fn dm(app: &TestApp, token: &str, name: &str, company: Option<&Value>, days_ago: i64) -> i64 {
    let mut body = json!({"name": name, "email": format!("{}@secret.test", name.to_lowercase().replace(' ', ".")),
                          "phone": "212 555 0142", "talking_points": "TALKING-POINT-SECRET"});
    if let Some(c) = company {
        body["company_id"] = c["id"].clone();
    }
    let (s, d) = app
        .api(Method::POST, "/decision-makers", token, Some(body))
        .await;
    assert_eq!(s, StatusCode::CREATED, "{d}");
    let at = (Utc::now() - Duration::days(days_ago)).to_rfc3339();
    let (s, t) = app
        .api(
            Method::POST,
            "/touches",
            token,
            Some(
                json!({"decision_maker_id": d["id"], "channel": "call", "outcome": "no_answer",
                        "occurred_at": at, "notes": "NOTE-TEXT-SECRET"}),
            ),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{t}");
    d["id"].as_i64().unwrap()
}

/// The feed's events as (UID, SUMMARY, DTSTART, URL), through the crate's parser.
fn parsed(text: &str) -> Vec<(String, String, String, String)> {
    let unfolded = icalendar::parser::unfold(text);
    let cal = icalendar::parser::read_calendar(&unfolded).expect("a valid iCalendar document");
    cal.components
        .iter()
        .filter(|c| c.name.as_str() == "VEVENT")
        .map(|e| {
            let prop = |n: &str| {
                e.find_prop(n)
                    .map(|p| p.val.as_str().to_string())
                    .unwrap_or_default()
            };
            let date_only = e.find_prop("DTSTART").is_some_and(|p| {
                p.params
                    .iter()
                    .any(|q| q.val.as_ref().is_some_and(|v| v.as_str() == "DATE"))
            });
            assert!(date_only, "all-day events");
            (prop("UID"), prop("SUMMARY"), prop("DTSTART"), prop("URL"))
        })
        .collect()
}

#[tokio::test]
async fn the_feed_lists_today_and_the_next_two_weeks_without_private_text() {
    let app = TestApp::spawn().await;
    let team = app.create_team("Acme", "mia@acme.test").await;
    app.every_day_working(team).await;
    app.create_user(team, "rob@acme.test", "recruiter").await;
    let mia = app.token_for("mia@acme.test").await;
    let rob = app.token_for("rob@acme.test").await;
    let (_, acme) = app
        .api(
            Method::POST,
            "/companies",
            &mia,
            Some(json!({"name": "Initech"})),
        )
        .await;
    let due_today = dm(&app, &mia, "Ann Lee", Some(&acme), 6).await;
    let coming = dm(&app, &mia, "Bob Ray", None, 1).await;
    let covered = dm(&app, &rob, "Cleo Park", None, 6).await;
    // Rob is away this week and Mia covers
    let rob_id = app.api(Method::GET, "/me", &rob, None).await.1["id"].clone();
    let mia_id = app.api(Method::GET, "/me", &mia, None).await.1["id"].clone();
    let today = Utc::now()
        .with_timezone(&chrono_tz::America::New_York)
        .date_naive();
    let (s, away) = app
        .api(
            Method::POST,
            &format!("/users/{rob_id}/away"),
            &mia,
            Some(json!({"from": today.to_string(), "to": (today + Duration::days(3)).to_string(), "covered_by": mia_id})),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{away}");

    let (s, made) = app.api(Method::POST, "/calendar-token", &mia, None).await;
    assert_eq!(s, StatusCode::CREATED, "{made}");
    let url = made["url"].as_str().unwrap().to_string();
    assert!(url.ends_with(".ics") && url.contains("/calendar/"));
    assert!(
        made["webcal_url"]
            .as_str()
            .unwrap()
            .starts_with("webcal://")
    );

    // no other authentication than the secret
    let resp = reqwest::get(&url).await.unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    assert!(
        resp.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/calendar")
    );
    let text = resp.text().await.unwrap();
    for secret in [
        "NOTE-TEXT-SECRET",
        "TALKING-POINT-SECRET",
        "@secret.test",
        // the phone, as typed and as digits (a bare "555" also matched the DTSTAMP at hh:35:55)
        "555 0142",
        "5550142",
    ] {
        assert!(
            !text.contains(secret),
            "{secret} is not in the feed: {text}"
        );
    }
    let events = parsed(&text);
    let ann = events
        .iter()
        .find(|e| e.1.contains("Ann Lee"))
        .unwrap_or_else(|| panic!("{text}"));
    assert_eq!(ann.1, "Second call: Ann Lee (Initech)");
    assert_eq!(ann.2, today.format("%Y%m%d").to_string());
    assert_eq!(
        ann.0,
        format!(
            "decision_maker-{due_today}-second_call-{}@secondcall",
            today.format("%Y%m%d")
        )
    );
    assert!(
        ann.3
            .ends_with(&format!("/contacts/decision-makers/{due_today}")),
        "{ann:?}"
    );
    // the covered teammate's item, marked
    let cleo = events.iter().find(|e| e.1.contains("Cleo Park")).unwrap();
    assert_eq!(
        cleo.1,
        "Second call: Cleo Park — covering for User rob@acme.test"
    );
    assert!(cleo.0.contains(&format!("-{covered}-")));
    // a coming date within the 14 days: Bob's second call, 5 working days after his first
    let bob = events.iter().find(|e| e.1.contains("Bob Ray")).unwrap();
    assert_eq!(
        bob.2,
        (today + Duration::days(4)).format("%Y%m%d").to_string()
    );
    assert!(
        bob.0
            .starts_with(&format!("decision_maker-{coming}-second_call-"))
    );
    // the same feed again: the same UIDs
    let again = parsed(&reqwest::get(&url).await.unwrap().text().await.unwrap());
    assert_eq!(
        again.iter().map(|e| &e.0).collect::<Vec<_>>(),
        events.iter().map(|e| &e.0).collect::<Vec<_>>()
    );

    // a new link stops the old one at once; turning it off stops the new one
    let (_, made2) = app.api(Method::POST, "/calendar-token", &mia, None).await;
    let url2 = made2["url"].as_str().unwrap().to_string();
    assert_eq!(
        reqwest::get(&url).await.unwrap().status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(reqwest::get(&url2).await.unwrap().status(), StatusCode::OK);
    let (s, _) = app.api(Method::DELETE, "/calendar-token", &mia, None).await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    assert_eq!(
        reqwest::get(&url2).await.unwrap().status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        reqwest::get(url2.replace(".ics", "0.ics"))
            .await
            .unwrap()
            .status(),
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn the_account_page_makes_replaces_and_turns_off_the_link() {
    let app = TestApp::spawn().await;
    app.create_team("Acme", "mia@acme.test").await;
    app.login("mia@acme.test").await;
    let html = app.get("/account").await.text().await.unwrap();
    assert!(html.contains("Subscribe in your calendar"));
    let html = app.get("/account/calendar").await.text().await.unwrap();
    assert!(html.contains("Your feed is off"));
    let resp = app.post_form("/account/calendar", &[]).await;
    assert_eq!(resp.status(), StatusCode::OK);
    let html = resp.text().await.unwrap();
    assert!(html.contains("webcal://") && html.contains("data-copy=\"calendar-url\""));
    let start = html.find("http://127.0.0.1").unwrap();
    let url = &html[start..start + html[start..].find(".ics").unwrap() + 4];
    assert_eq!(reqwest::get(url).await.unwrap().status(), StatusCode::OK);
    let html = app.get("/account/calendar").await.text().await.unwrap();
    assert!(
        html.contains("Your feed is on") && !html.contains(url),
        "the link is shown once"
    );
    let resp = app.post_form("/account/calendar/off", &[]).await;
    assert!(resp.status().is_redirection());
    assert_eq!(
        reqwest::get(url).await.unwrap().status(),
        StatusCode::NOT_FOUND
    );
}
