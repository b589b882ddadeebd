//! The JSON API: every text field of every body, and the text query parameters.

use super::*;
use crate::helpers::PASSWORD;

/// `body` with `bad` inside the string at `path` (`notes`, `intervals.hot`, `holidays[0]`).
fn corrupt(body: &Value, path: &str, bad: char) -> Value {
    let mut body = body.clone();
    let mut at = &mut body;
    for step in path.split('.') {
        at = match step.split_once('[') {
            Some((key, index)) => {
                let i: usize = index.trim_end_matches(']').parse().unwrap();
                &mut at[key][i]
            }
            None => &mut at[step],
        };
    }
    let text = at.as_str().unwrap_or_else(|| panic!("{path} is a string"));
    *at = Value::String(spoil(text, bad));
    body
}

/// Each endpoint that takes text, a body it could take, and the text fields in it.
fn cases(w: &World) -> Vec<(Method, String, Value, Vec<&'static str>)> {
    let company = json!({"name": "Initech", "website": "initech.test", "notes": "Printers"});
    let contact = json!({
        "name": "Ann Lee", "title": "CTO", "email": "ann@lee.test", "phone": "+1 212 555 0100",
        "source": "referral", "talking_points": "golf", "temperature": "warm",
    });
    let contact_fields = vec![
        "name",
        "title",
        "email",
        "phone",
        "source",
        "talking_points",
    ];
    let mut dm_fields = contact_fields.clone();
    dm_fields.push("temperature");
    let mut candidate = contact.clone();
    candidate.as_object_mut().unwrap().remove("temperature");
    let touch = json!({
        "decision_maker_id": w.dm, "channel": "email", "direction": "outbound", "outcome": "sent",
        "occurred_at": "2026-01-05T10:00:00Z", "notes": "Sent the brief", "approach": "standard",
        "referral_names": "Bo Brown",
    });
    let job = json!({"title": "Analyst", "company_id": w.company, "status": "open"});
    let user = json!({
        "email": "new@acme.test", "name": "Nia New", "role": "recruiter", "password": PASSWORD,
        "time_zone": "Europe/London",
    });
    let settings = json!({
        "working_days": ["mon", "tue"], "holidays": ["2026-12-25"], "intervals": {"hot": "7"},
    });
    let (c, dm, cand) = (w.company, w.dm, w.candidate);
    use Method as M;
    vec![
        (
            M::POST,
            "/tokens".into(),
            json!({"email": "mia@acme.test", "password": PASSWORD}),
            vec!["email", "password"],
        ),
        (
            M::POST,
            "/users".into(),
            user,
            vec!["email", "name", "role", "password", "time_zone"],
        ),
        (
            M::PATCH,
            format!("/users/{}", w.mia),
            json!({"role": "manager", "time_zone": "UTC"}),
            vec!["role", "time_zone"],
        ),
        (
            M::POST,
            "/companies".into(),
            company.clone(),
            vec!["name", "website", "notes"],
        ),
        (
            M::PATCH,
            format!("/companies/{c}"),
            company,
            vec!["name", "website", "notes"],
        ),
        (
            M::POST,
            format!("/companies/{c}/events"),
            json!({"kind": "funding", "summary": "Series B", "occurred_on": "2026-01-02"}),
            vec!["kind", "summary", "occurred_on"],
        ),
        (
            M::POST,
            "/decision-makers".into(),
            contact.clone(),
            dm_fields.clone(),
        ),
        (
            M::PATCH,
            format!("/decision-makers/{dm}"),
            contact,
            dm_fields,
        ),
        (
            M::POST,
            "/candidates".into(),
            candidate.clone(),
            contact_fields.clone(),
        ),
        (
            M::PATCH,
            format!("/candidates/{cand}"),
            candidate,
            contact_fields,
        ),
        (
            M::POST,
            "/touches".into(),
            touch,
            vec![
                "channel",
                "direction",
                "outcome",
                "occurred_at",
                "notes",
                "approach",
                "referral_names",
            ],
        ),
        (
            M::POST,
            "/jobs".into(),
            job.clone(),
            vec!["title", "status"],
        ),
        (
            M::PATCH,
            format!("/jobs/{}", w.job),
            job,
            vec!["title", "status"],
        ),
        (
            M::POST,
            "/applications".into(),
            json!({"job_id": w.job, "candidate_id": cand, "stage": "sourced"}),
            vec!["stage"],
        ),
        (
            M::PATCH,
            format!("/applications/{}", w.application),
            json!({"stage": "presented", "version": 1}),
            vec!["stage"],
        ),
        (
            M::POST,
            "/due/snooze".into(),
            json!({"decision_maker_id": dm, "until": "2099-01-01", "note": "After the holidays"}),
            vec!["until", "note"],
        ),
        (
            M::POST,
            "/due/rebuild".into(),
            json!({"as_of": "2026-01-05"}),
            vec!["as_of"],
        ),
        (
            M::PATCH,
            "/settings".into(),
            settings,
            vec!["working_days[1]", "holidays[0]", "intervals.hot"],
        ),
    ]
}

#[tokio::test]
async fn a_control_character_in_any_json_text_field_is_a_422_naming_it_and_writes_nothing() {
    let w = world().await;
    let before = fingerprint(&w.app.db).await;
    for (method, path, body, fields) in cases(&w) {
        for field in fields {
            for bad in BAD {
                let sent = corrupt(&body, field, bad);
                let (status, err) = w.call(method.clone(), &path, Some(sent)).await;
                assert_eq!(
                    (status, err["error"]["field"].as_str()),
                    (StatusCode::UNPROCESSABLE_ENTITY, Some(field)),
                    "{method} {path} {field} {bad:?}: {err}"
                );
                let message = err["error"]["message"].as_str().unwrap();
                assert!(
                    message.contains(&format!("U+{:04X}", u32::from(bad))),
                    "{message}"
                );
            }
        }
    }
    assert_eq!(fingerprint(&w.app.db).await, before, "nothing was written");
}

#[tokio::test]
async fn a_control_character_in_a_json_key_is_named_escaped() {
    let w = world().await;
    let body = json!({"name": "Initech", "no\u{0}tes": "x"});
    let (status, err) = w.call(Method::POST, "/companies", Some(body)).await;
    assert_eq!(
        (status, err["error"]["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("no\\u{0}tes"))
    );
}

#[tokio::test]
async fn a_control_character_in_a_query_parameter_is_a_422_naming_it() {
    let w = world().await;
    let hidden_nul = hex_cursor("1:Ann\u{0}");
    let cases = [
        ("/decision-makers", "q", "ann".to_string()),
        ("/candidates", "q", "cal".into()),
        ("/companies", "q", "glob".into()),
        ("/decision-makers", "temperature", "hot".into()),
        ("/companies", "cursor", "abc".into()),
        ("/jobs", "status", "open".into()),
        ("/touches", "cursor", "12".into()),
        ("/due", "date", "2026-01-05".into()),
        ("/reports/second-call-rate", "from", "2026-01-01".into()),
        ("/reports/coverage", "cursor", "1".into()),
    ];
    for (path, param, value) in cases {
        for bad in BAD {
            let url = format!("{path}?{param}={}", enc(&spoil(&value, bad)));
            let (status, err) = w.call(Method::GET, &url, None).await;
            assert_eq!(
                (status, err["error"]["field"].as_str()),
                (StatusCode::UNPROCESSABLE_ENTITY, Some(param)),
                "{url}: {err}"
            );
        }
    }
    for path in ["/companies", "/decision-makers", "/candidates"] {
        let url = format!("{path}?cursor={hidden_nul}");
        let (status, err) = w.call(Method::GET, &url, None).await;
        assert_eq!(
            (status, err["error"]["field"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("cursor")),
            "a NUL hidden in a hex cursor: {url}: {err}"
        );
    }
}

/// A name cursor as the API encodes it (hex of `id:name`).
fn hex_cursor(text: &str) -> String {
    text.bytes().map(|b| format!("{b:02x}")).collect()
}
