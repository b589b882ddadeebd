//! Long text: search text over 200 characters is a 422 naming `q`, long fields are refused by
//! their own limits, and nothing is ever a 500.

use super::*;

/// 100,000 characters, some of them 4-byte.
fn huge() -> String {
    "notes 😀 ".repeat(12_500)
}

#[tokio::test]
async fn search_text_over_200_characters_is_a_422_naming_q() {
    let w = world().await;
    let at_limit = "é".repeat(200);
    let over = format!("{at_limit}x");
    for path in ["/decision-makers", "/candidates", "/companies"] {
        let (status, body) = w
            .call(Method::GET, &format!("{path}?q={}", enc(&at_limit)), None)
            .await;
        assert_eq!(
            status,
            StatusCode::OK,
            "{path}: 200 characters are fine: {body}"
        );
        let (status, err) = w
            .call(Method::GET, &format!("{path}?q={}", enc(&over)), None)
            .await;
        assert_eq!(
            (status, err["error"]["field"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("q")),
            "{path}: {err}"
        );
    }
    let job_page = format!("/jobs/{}", w.job);
    for path in ["/contacts", "/companies", job_page.as_str()] {
        let (status, _) = w.page(&format!("{path}?q={}", enc(&at_limit))).await;
        assert_eq!(status, StatusCode::OK, "{path}");
        let (status, html) = w.page(&format!("{path}?q={}", enc(&over))).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{path}");
        assert!(
            html.contains("The field q was not accepted"),
            "{path}: {html}"
        );
        assert!(html.contains("200 characters"), "{path}: {html}");
    }
}

/// The status of a GET sent over a bare socket: a client library refuses to build a URI over
/// 64 KiB, but anyone can send one.
async fn raw_get(w: &World, target: &str, header: &str) -> u16 {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let host = w.app.address.trim_start_matches("http://");
    let mut socket = tokio::net::TcpStream::connect(host).await.unwrap();
    let request =
        format!("GET {target} HTTP/1.1\r\nhost: {host}\r\n{header}\r\nconnection: close\r\n\r\n");
    socket.write_all(request.as_bytes()).await.unwrap();
    let mut response = Vec::new();
    socket.read_to_end(&mut response).await.unwrap();
    let head = String::from_utf8_lossy(&response[..response.len().min(12)]).to_string();
    head.split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("{head}"))
}

#[tokio::test]
async fn a_100000_character_search_is_a_4xx_never_a_500() {
    let w = world().await;
    let bearer = format!("authorization: Bearer {}", w.token);
    let cookie = format!("cookie: {}", w.app.cookie_header().unwrap());
    let q = enc(&huge());
    for path in [
        "/api/v1/decision-makers",
        "/api/v1/candidates",
        "/api/v1/companies",
    ] {
        let status = raw_get(&w, &format!("{path}?q={q}"), &bearer).await;
        assert!((400..500).contains(&status), "{path}: {status}");
    }
    let job_page = format!("/jobs/{}", w.job);
    for path in ["/contacts", "/companies", job_page.as_str()] {
        let status = raw_get(&w, &format!("{path}?q={q}"), &cookie).await;
        assert!((400..500).contains(&status), "{path}: {status}");
    }
    // Under the URI limit the app itself answers: 20,000 characters is a 422 naming `q`.
    let long = enc(&huge().chars().take(20_000).collect::<String>());
    for path in ["/decision-makers", "/companies"] {
        let (status, err) = w.call(Method::GET, &format!("{path}?q={long}"), None).await;
        assert_eq!(
            (status, err["error"]["field"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("q"))
        );
    }
    let (status, _) = w.page(&format!("/contacts?q={long}")).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let filter = enc(&huge().chars().take(5_000).collect::<String>());
    let (status, _) = w
        .page(&format!(
            "/board?job={filter}&company={filter}&owner={filter}"
        ))
        .await;
    assert_eq!(
        status,
        StatusCode::OK,
        "board filters that are not ids are ignored"
    );
}

#[tokio::test]
async fn a_100000_character_field_is_refused_by_its_limit_and_writes_nothing() {
    let w = world().await;
    let before = fingerprint(&w.app.db).await;
    let huge = huge();
    let cases = [
        (
            "/touches",
            json!({"decision_maker_id": w.dm, "channel": "note", "outcome": "sent", "notes": huge}),
            "notes",
        ),
        (
            "/decision-makers",
            json!({"name": "Ann", "talking_points": huge}),
            "talking_points",
        ),
        ("/candidates", json!({"name": huge}), "name"),
        (
            "/companies",
            json!({"name": "Initech", "notes": huge}),
            "notes",
        ),
        (
            "/jobs",
            json!({"title": huge, "company_id": w.company}),
            "title",
        ),
    ];
    for (path, body, field) in cases {
        let (status, err) = w.call(Method::POST, path, Some(body)).await;
        assert_eq!(
            (status, err["error"]["field"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some(field)),
            "{path}: {err}"
        );
    }
    let dm_touches = format!("/contacts/decision-makers/{}/touches", w.dm);
    let resp = w
        .app
        .post_form(
            &dm_touches,
            &[("channel", "note"), ("outcome", "sent"), ("notes", &huge)],
        )
        .await;
    assert_eq!(
        resp.status(),
        StatusCode::UNPROCESSABLE_ENTITY,
        "the form is shown again"
    );
    assert_eq!(fingerprint(&w.app.db).await, before, "nothing was written");
}
