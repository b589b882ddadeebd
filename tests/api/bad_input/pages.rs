//! The pages: every field of the main forms, the query strings, and first-run setup.

use super::*;
use crate::helpers::{PASSWORD, assert_redirect};

/// The 422 error page names the field.
async fn assert_refused(resp: reqwest::Response, field: &str, context: &str) {
    let status = resp.status();
    let html = resp.text().await.unwrap();
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{context}");
    assert!(
        html.contains(&format!("The field {field} was not accepted")),
        "{context}: {html}"
    );
}

/// Each form, the fields it posts (every one a text field), all of them spoiled one at a time.
fn forms(w: &World) -> Vec<(String, Vec<(&'static str, String)>)> {
    let fields = |pairs: &[(&'static str, &str)]| -> Vec<(&'static str, String)> {
        pairs.iter().map(|(k, v)| (*k, v.to_string())).collect()
    };
    let (c, dm, mia) = (w.company.to_string(), w.dm, w.mia.to_string());
    let contact = fields(&[
        ("name", "Ann Lee"),
        ("title", "CTO"),
        ("company_id", &c),
        ("email", "ann@lee.test"),
        ("phone", "+1 212 555 0100"),
        ("owner_id", &mia),
        ("temperature", "warm"),
        ("source", "referral"),
        ("talking_points", "golf"),
        ("email_opt_out", "on"),
    ]);
    let touch = fields(&[
        ("channel", "call"),
        ("direction", "outbound"),
        ("outcome", "connected"),
        ("occurred_local", "2026-01-05T10:00"),
        ("next_step_on", "2026-01-09"),
        ("notes", "Spoke about the role\r\nCall back Friday"),
        ("approach", "standard"),
        ("referrals", "1"),
        ("referral_names", "Bo Brown"),
        ("return_to", "/today"),
    ]);
    let company = fields(&[
        ("name", "Initech"),
        ("website", "initech.test"),
        ("notes", "Printers"),
    ]);
    let job = fields(&[
        ("title", "Analyst"),
        ("company_id", &c),
        ("decision_maker_id", &dm.to_string()),
        ("owner_id", &mia),
        ("status", "open"),
    ]);
    let settings = fields(&[
        ("interval_hot", "7"),
        ("interval_warm", "14"),
        ("interval_cold", "30"),
        ("working_days", "mon"),
        ("working_days", "tue"),
        ("holidays", "2026-12-25\r\n2026-12-26"),
        ("nightly_hour", "2"),
    ]);
    let dm_path = format!("/contacts/decision-makers/{dm}");
    vec![
        (
            "/login".into(),
            fields(&[
                ("email", "mia@acme.test"),
                ("password", PASSWORD),
                ("next", "/today"),
            ]),
        ),
        ("/contacts/decision-makers".into(), contact.clone()),
        ("/contacts/candidates".into(), contact.clone()),
        (dm_path.clone(), contact),
        (format!("{dm_path}/touches"), touch.clone()),
        (
            format!("{dm_path}/snooze"),
            fields(&[
                ("until", "2099-01-01"),
                ("note", "Later"),
                ("return_to", "/today"),
            ]),
        ),
        ("/companies".into(), company.clone()),
        (format!("/companies/{c}"), company),
        (
            format!("/companies/{c}/events"),
            fields(&[
                ("kind", "funding"),
                ("summary", "Series B"),
                ("occurred_on", "2026-01-02"),
            ]),
        ),
        ("/jobs".into(), job.clone()),
        (format!("/jobs/{}", w.job), job),
        (
            "/applications".into(),
            fields(&[
                ("candidate_id", &w.candidate.to_string()),
                ("job_id", &w.job.to_string()),
                ("return_to", "/board"),
            ]),
        ),
        (
            format!("/applications/{}/move", w.application),
            fields(&[
                ("stage", "presented"),
                ("version", "1"),
                ("return_to", "/board"),
            ]),
        ),
        ("/settings".into(), settings),
        (
            "/account/password".into(),
            fields(&[
                ("current", PASSWORD),
                ("new_password", "a new long password"),
                ("confirm", "a new long password"),
            ]),
        ),
        (
            "/account/time-zone".into(),
            fields(&[("time_zone", "Europe/London")]),
        ),
        ("/account/tokens".into(), fields(&[("name", "laptop")])),
        (
            "/settings/users".into(),
            fields(&[
                ("email", "new@acme.test"),
                ("name", "Nia New"),
                ("role", "recruiter"),
                ("time_zone", "UTC"),
                ("password", PASSWORD),
            ]),
        ),
        (format!("/touches/{}", w.touch), touch),
    ]
}

#[tokio::test]
async fn a_control_character_in_any_form_field_is_a_422_page_naming_it_and_writes_nothing() {
    let w = world().await;
    let before = fingerprint(&w.app.db).await;
    for (path, fields) in forms(&w) {
        for i in 0..fields.len() {
            for bad in BAD {
                let mut sent = fields.clone();
                sent[i].1 = spoil(&sent[i].1, bad);
                let pairs: Vec<(&str, &str)> = sent.iter().map(|(k, v)| (*k, v.as_str())).collect();
                let resp = w.app.post_form(&path, &pairs).await;
                assert_refused(
                    resp,
                    sent[i].0,
                    &format!("POST {path} {} {bad:?}", sent[i].0),
                )
                .await;
            }
        }
    }
    assert_eq!(fingerprint(&w.app.db).await, before, "nothing was written");
}

#[tokio::test]
async fn a_control_character_in_a_page_query_is_a_422_page_naming_it() {
    let w = world().await;
    let job_page = format!("/jobs/{}", w.job);
    let cases = [
        ("/contacts", "q", "ann"),
        ("/contacts", "after_name", "ann"),
        ("/contacts/new", "kind", "candidates"),
        ("/companies", "q", "glob"),
        (job_page.as_str(), "q", "cal"),
        ("/jobs", "status", "open"),
        ("/board", "job", "12"),
        ("/today", "reason", "second_call"),
        ("/team", "from", "2026-01-01"),
        ("/team/list", "status", "sent"),
        ("/login", "next", "/today"),
    ];
    for (path, param, value) in cases {
        for bad in BAD {
            let url = format!("{path}?{param}={}", enc(&spoil(value, bad)));
            assert_refused(w.app.get(&url).await, param, &url).await;
        }
    }
}

#[tokio::test]
async fn setup_refuses_control_characters_in_every_field_and_creates_no_team() {
    let app = TestApp::spawn().await;
    let form = [
        ("team", "Acme"),
        ("name", "Mia Manager"),
        ("email", "mia@acme.test"),
        ("password", PASSWORD),
        ("time_zone", "UTC"),
    ];
    for i in 0..form.len() {
        for bad in BAD {
            let spoiled = spoil(form[i].1, bad);
            let mut sent = form;
            sent[i].1 = &spoiled;
            assert_refused(app.post_form("/setup", &sent).await, form[i].0, "setup").await;
        }
    }
    let teams: i64 = sqlx::query_scalar("select count(*) from teams")
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert_eq!(teams, 0);
    assert_redirect(&app.post_form("/setup", &form).await, "/today");
}

#[tokio::test]
async fn setup_once_a_team_exists_is_a_404_even_for_a_form_it_would_refuse() {
    let app = TestApp::spawn().await;
    app.setup_team("Acme", "mia@acme.test").await;
    let resp = app
        .post_form("/setup", &[("team", ""), ("password", "short")])
        .await;
    assert_eq!(
        resp.status(),
        StatusCode::NOT_FOUND,
        "the team check comes before validation (and hashing)"
    );
}
