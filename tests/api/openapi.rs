//! The OpenAPI document is what API users generate clients from, so it must be exact: the served
//! document is a valid OpenAPI 3.1 document (checked strictly, and for what generators trip on),
//! and every operation, driven with requests generated from its schemas (valid and invalid) by a
//! real token against the real server, never answers 5xx, answers only statuses the document
//! lists for it, and with bodies that match the document's schemas.
//!
//! `OPENAPI_FUZZ_CASES` (default 24) sets the generated requests per operation, and
//! `OPENAPI_FUZZ_SEED` (a number) another seed than the fixed one; a failure prints the requests
//! that failed.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::time::Instant;

use proptest::strategy::{Strategy, ValueTree};
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};
use reqwest::header::CONTENT_TYPE;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::TestApp;

mod generate;
mod schema;

use generate::{Body, Case, Pools, Who};
use schema::{Doc, Op};

/// The served document.
async fn served(app: &TestApp) -> Doc {
    let resp = app.get("/api/v1/openapi.json").await;
    assert_eq!(resp.status(), StatusCode::OK);
    let content_type = resp.headers()[CONTENT_TYPE].to_str().unwrap().to_string();
    assert!(
        content_type.starts_with("application/json"),
        "{content_type}"
    );
    Doc(resp.json().await.unwrap())
}

/// The error code of each status, as docs/api.md lists them.
fn codes_of(status: u16) -> &'static [&'static str] {
    match status {
        400 => &["bad_request"],
        401 => &["unauthorized"],
        403 => &["forbidden"],
        404 => &["not_found"],
        405 => &["method_not_allowed"],
        408 => &["timeout"],
        409 => &["conflict", "already_running"],
        413 => &["payload_too_large"],
        422 => &["invalid"],
        429 => &["rate_limited"],
        503 => &["unavailable"],
        _ => &[],
    }
}

#[tokio::test]
async fn the_document_is_a_valid_openapi_document_that_generators_can_use() {
    let app = TestApp::spawn().await;
    let doc = served(&app).await;
    let text = doc.0.to_string();
    let spec = oas3::from_json(&text).expect("the document parses as OpenAPI 3.1");
    let version = spec
        .validate_version()
        .expect("a supported OpenAPI version");
    assert_eq!((version.major, version.minor), (3, 1), "{version}");

    let mut problems = Vec::new();
    let mut refs = Vec::new();
    schema::refs(&doc.0, "#", &mut refs);
    for (at, r) in &refs {
        if doc.target(r).is_none() {
            problems.push(format!("{at}: $ref {r} does not resolve"));
        }
    }
    let tags: BTreeSet<&str> = doc.0["tags"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|t| t["name"].as_str())
        .collect();
    let schemes = &doc.0["components"]["securitySchemes"];
    assert_eq!(
        (&schemes["bearer"]["type"], &schemes["bearer"]["scheme"]),
        (&json!("http"), &json!("bearer")),
        "the bearer scheme: {schemes}"
    );
    let mut ids = BTreeMap::new();
    let ops = doc.operations();
    assert!(ops.len() >= 37, "{} operations", ops.len());
    for Op {
        method,
        path,
        id,
        op,
        ..
    } in &ops
    {
        let here = format!("{method} {path} ({id})");
        if !path.starts_with("/api/v1/") {
            problems.push(format!("{here}: not under /api/v1"));
        }
        let well_formed = id.chars().next().is_some_and(|c| c.is_ascii_lowercase())
            && id.chars().all(|c| c.is_ascii_alphanumeric());
        if !well_formed {
            problems.push(format!("{here}: operationId is not camelCase"));
        }
        if let Some(other) = ids.insert(id.clone(), here.clone()) {
            problems.push(format!("{here}: operationId also used by {other}"));
        }
        match op["tags"].as_array().map(Vec::as_slice) {
            Some([tag]) if tags.contains(tag.as_str().unwrap_or_default()) => {}
            other => problems.push(format!("{here}: tags {other:?}, not one declared tag")),
        }
        // every {name} of the path is a required path parameter, and every path parameter is in it
        let in_path: BTreeSet<&str> = path
            .split('/')
            .filter_map(|s| s.strip_prefix('{')?.strip_suffix('}'))
            .collect();
        let declared: BTreeSet<&str> = doc
            .parameters(op, "path")
            .iter()
            .filter(|p| p["required"] == json!(true))
            .filter_map(|p| p["name"].as_str())
            .collect();
        if in_path != declared {
            problems.push(format!(
                "{here}: path parameters {in_path:?}, declared {declared:?}"
            ));
        }
        for p in doc.parameters(op, "query") {
            if p["schema"].is_null() {
                problems.push(format!(
                    "{here}: query parameter {} has no schema",
                    p["name"]
                ));
            }
        }
        // the security: explicit, and a known scheme
        let security = op["security"].as_array();
        let public = security.is_some_and(Vec::is_empty);
        match security {
            None => problems.push(format!("{here}: no explicit security")),
            Some(reqs) => {
                for name in reqs
                    .iter()
                    .flat_map(|r| r.as_object().into_iter().flatten())
                {
                    if schemes.get(name.0).is_none() {
                        problems.push(format!("{here}: unknown security scheme {}", name.0));
                    }
                }
            }
        }
        // every response has a description; successes with a body have a schema; every error
        // has the error body
        let responses = op["responses"].as_object().unwrap();
        for (status, response) in responses {
            let response = doc.resolve(response);
            if response["description"]
                .as_str()
                .unwrap_or_default()
                .is_empty()
            {
                problems.push(format!("{here}: {status} has no description"));
            }
            let content = &response["content"];
            let schema = match other_media_type(response) {
                Some(media) => &content[media]["schema"],
                None => &content["application/json"]["schema"],
            };
            if status.starts_with('2') {
                if content.is_object() && schema.is_null() {
                    problems.push(format!("{here}: {status} has content but no schema"));
                }
            } else if schema.get("$ref") != Some(&json!("#/components/schemas/ErrorJson")) {
                problems.push(format!("{here}: {status} is not the error body"));
            }
        }
        if !responses.keys().any(|s| s.starts_with('2')) {
            problems.push(format!("{here}: no success response"));
        }
        // the statuses every operation of its shape answers
        let has_body = op.get("requestBody").is_some();
        let has_path = !declared.is_empty();
        let has_query = !doc.parameters(op, "query").is_empty();
        let mut expected = vec!["408", "503"];
        if !public {
            expected.push("401");
        }
        if has_body {
            expected.extend(["400", "413", "422"]);
        }
        if has_path {
            expected.extend(["400", "404"]);
        }
        if has_query {
            expected.push("422");
        }
        for status in expected {
            if !responses.contains_key(status) {
                problems.push(format!("{here}: does not list {status}"));
            }
        }
    }
    // the two public operations
    for id in ["createToken", "getOpenApiDocument"] {
        let op = ops.iter().find(|o| o.id == id).expect(id);
        assert_eq!(op.op["security"], json!([]), "{id} needs no token");
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// A team with a manager (who calls), another manager and a recruiter, and some of everything;
/// and another team with some of everything, whose ids must answer as missing ones.
async fn seed(app: &TestApp) -> (Pools, HashMap<Who, String>) {
    let team = app.create_team("Acme", "mia@acme.test").await;
    let max = app.create_user(team, "max@acme.test", "manager").await;
    let rae = app.create_user(team, "rae@acme.test", "recruiter").await;
    app.every_day_working(team).await;
    app.create_team("Other", "oz@other.test").await;
    let mut tokens = HashMap::new();
    tokens.insert(Who::Manager, app.token_for("mia@acme.test").await);
    tokens.insert(Who::Recruiter, app.token_for("rae@acme.test").await);
    tokens.insert(Who::Nobody, String::new());
    tokens.insert(Who::Stranger, "0".repeat(64));
    let oz = app.token_for("oz@other.test").await;
    let clock = app.clock();
    let mut pools = Pools {
        emails: vec![
            "mia@acme.test".into(),
            "rae@acme.test".into(),
            "oz@other.test".into(),
        ],
        today: clock.now().date_naive(),
        now: clock.now(),
        ..Pools::default()
    };
    // the caller's own id is left out: a fuzzed PATCH /users of the caller would demote them
    pools.own.insert("user", vec![max, rae]);
    let oz_id: i64 = sqlx::query_scalar("select id from users where email = 'oz@other.test'")
        .fetch_one(&app.db)
        .await
        .unwrap();
    pools.foreign.insert("user", vec![oz_id]);
    // tokens to revoke: spare ones of the team (never the callers'), and Oz's
    let max_user = secondcall::db::users::find_in_team(&app.db, team, max)
        .await
        .unwrap()
        .unwrap();
    let mut spare = Vec::new();
    for _ in 0..3 {
        let input = secondcall::actions::tokens::TokenInput::default();
        let new = secondcall::actions::tokens::create(&app.ctx(), &max_user, &input, "spare")
            .await
            .unwrap();
        spare.push(new.row.id);
    }
    pools.own.insert("token", spare);
    let oz_token: i64 = sqlx::query_scalar("select id from api_tokens where user_id = $1")
        .bind(oz_id)
        .fetch_one(&app.db)
        .await
        .unwrap();
    pools.foreign.insert("token", vec![oz_token]);
    for (token, ids, n) in [
        (&tokens[&Who::Manager], &mut pools.own, 3),
        (&oz, &mut pools.foreign, 1),
    ] {
        let make = async |path: &str, body: Value| -> i64 {
            let (status, answer) = app.api(Method::POST, path, token, Some(body.clone())).await;
            assert_eq!(status, StatusCode::CREATED, "{path} {body}: {answer}");
            answer["id"].as_i64().unwrap()
        };
        for i in 0..n {
            let company = make("/companies", json!({"name": format!("Company {i}")})).await;
            let dm = make(
                "/decision-makers",
                json!({"name": format!("Dana {i}"), "company_id": company, "temperature": "warm"}),
            )
            .await;
            let other_dm = make("/decision-makers", json!({"name": format!("Dale {i}")})).await;
            let candidate = make("/candidates", json!({"name": format!("Cal {i}")})).await;
            let job = make(
                "/jobs",
                json!({"title": format!("Job {i}"), "company_id": company, "decision_maker_id": dm}),
            )
            .await;
            let application = make(
                "/applications",
                json!({"job_id": job, "candidate_id": candidate, "stage": "presented"}),
            )
            .await;
            make(
                "/touches",
                json!({"decision_maker_id": dm, "channel": "call", "outcome": "no_answer"}),
            )
            .await;
            // a promised follow-up, due today (the recruiter's): something to snooze
            let today = app.today_of("rae@acme.test").await;
            make(
                "/touches",
                json!({"decision_maker_id": other_dm, "channel": "call", "outcome": "connected", "next_step_on": today}),
            )
            .await;
            for (kind, id) in [
                ("company", company),
                ("decision_maker", dm),
                ("decision_maker", other_dm),
                ("candidate", candidate),
                ("job", job),
                ("application", application),
            ] {
                ids.entry(kind).or_default().push(id);
            }
        }
    }
    (pools, tokens)
}

/// What came back.
struct Answer {
    status: StatusCode,
    content_type: String,
    bytes: Vec<u8>,
}

async fn send(app: &TestApp, method: &Method, case: &Case, token: &str) -> Answer {
    let mut req = app
        .client
        .request(method.clone(), app.url(&case.path))
        .query(&case.query);
    if !token.is_empty() {
        req = req.bearer_auth(token);
    }
    req = match &case.body {
        Body::None => req,
        Body::Json(v) => req.json(v),
        Body::Raw {
            content_type,
            bytes,
        } => {
            let req = req.body(bytes.clone());
            match content_type {
                Some(t) => req.header(CONTENT_TYPE, *t),
                None => req,
            }
        }
    };
    let resp = req.send().await.expect("the server answers");
    let status = resp.status();
    let content_type = resp
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    let bytes = resp.bytes().await.expect("a body").to_vec();
    Answer {
        status,
        content_type,
        bytes,
    }
}

/// The media type of a response whose body is a file rather than JSON (`text/csv`...).
fn other_media_type(response: &Value) -> Option<&str> {
    let content = response["content"].as_object()?;
    let mut types = content.keys().map(String::as_str);
    let first = types.next()?;
    (first != "application/json" && types.next().is_none()).then_some(first)
}

/// Whether the answer is one the document promises for the operation.
fn check(doc: &Doc, op: &Op<'_>, answer: &Answer) -> Result<(), String> {
    let status = answer.status.as_u16();
    let body = String::from_utf8_lossy(&answer.bytes);
    let shown: String = body.chars().take(300).collect();
    if answer.status.is_server_error() {
        return Err(format!("{status}: {shown}"));
    }
    let responses = &op.op["responses"];
    let Some(response) = responses.get(status.to_string()) else {
        return Err(format!("{status} is not documented: {shown}"));
    };
    let response = doc.resolve(response);
    // a file (CSV, iCalendar): the content type the document names
    if let Some(media) = other_media_type(response) {
        if !answer.content_type.starts_with(media) {
            return Err(format!(
                "{status} is {:?}, not {media}",
                answer.content_type
            ));
        }
        return Ok(());
    }
    let schema = &response["content"]["application/json"]["schema"];
    if schema.is_null() {
        if !answer.bytes.is_empty() {
            return Err(format!(
                "{status} has a body the document does not: {shown}"
            ));
        }
        return Ok(());
    }
    if !answer.content_type.starts_with("application/json") {
        return Err(format!(
            "{status} is {:?}, not application/json: {shown}",
            answer.content_type
        ));
    }
    let value: Value =
        serde_json::from_slice(&answer.bytes).map_err(|e| format!("{status}: {e}: {shown}"))?;
    doc.check(&value, schema)
        .map_err(|e| format!("{status} does not match its schema: {e}"))?;
    if answer.status.is_client_error() {
        let code = value["error"]["code"].as_str().unwrap_or_default();
        if !codes_of(status).contains(&code) {
            return Err(format!("{status} with the code {code:?}"));
        }
        if value["error"].get("field").is_some() && status != 422 {
            return Err(format!("{status} names a field: {shown}"));
        }
    }
    Ok(())
}

/// The requests every operation gets besides the generated ones, each with the statuses it may
/// have (any documented one when empty): no token, a stranger's token, a recruiter's token, a
/// body that is not JSON, not declared as JSON, too large for the API (2 MB) or for the server
/// (10 MB), an id that is not an integer, a missing id, another team's id (an empty body may be
/// refused before the id is looked up).
fn fixed_cases(doc: &Doc, op: &Op<'_>, pools: &Pools) -> Vec<(Case, &'static [u16])> {
    let public = op.op["security"] == json!([]);
    let path_params = doc.parameters(op.op, "path");
    let plain = |path: &str, body: Body, who: Who| Case {
        who,
        path: path.to_string(),
        query: Vec::new(),
        body,
    };
    let fill = |id: &str| {
        path_params.iter().fold(op.path.clone(), |p, param| {
            p.replace(&format!("{{{}}}", param["name"].as_str().unwrap()), id)
        })
    };
    let own_id = {
        let segment = op.path.split('/').nth(3).unwrap_or_default();
        let kind = match segment {
            "companies" => "company",
            "decision-makers" => "decision_maker",
            "candidates" => "candidate",
            "jobs" => "job",
            "applications" => "application",
            "tokens" => "token",
            _ => "user",
        };
        (pools.own[kind][0], pools.foreign[kind][0])
    };
    let path = fill(&own_id.0.to_string());
    let empty = || match doc.request_schema(op.op) {
        Some(_) => Body::Json(json!({})),
        None => Body::None,
    };
    let mut cases: Vec<(Case, &'static [u16])> = Vec::new();
    if !public {
        cases.push((plain(&path, empty(), Who::Nobody), &[401]));
        cases.push((plain(&path, empty(), Who::Stranger), &[401]));
        cases.push((plain(&path, empty(), Who::Recruiter), &[]));
    }
    if doc.request_schema(op.op).is_some() {
        let raw = |content_type, bytes: &[u8]| Body::Raw {
            content_type,
            bytes: bytes.to_vec(),
        };
        let not_json = raw(Some("application/json"), b"{\"name\": ");
        let text = raw(Some("text/plain"), b"{}");
        let huge = raw(
            Some("application/json"),
            format!("{{\"name\": \"{}\"}}", "x".repeat(11 * 1024 * 1024)).as_bytes(),
        );
        let over_api_limit = raw(
            Some("application/json"),
            format!("{{\"name\": \"{}\"}}", "x".repeat(3 * 1024 * 1024)).as_bytes(),
        );
        cases.push((plain(&path, not_json, Who::Manager), &[400]));
        cases.push((plain(&path, text, Who::Manager), &[400]));
        cases.push((plain(&path, huge, Who::Manager), &[413]));
        cases.push((plain(&path, over_api_limit, Who::Manager), &[413]));
        cases.push((plain(&path, Body::Json(json!([])), Who::Manager), &[422]));
    }
    if !path_params.is_empty() {
        let foreign = fill(&own_id.1.to_string());
        let missing: &[u16] = match empty() {
            Body::None => &[404],
            _ => &[404, 422],
        };
        for id in ["abc", "99999999999999999999", "1.5"] {
            cases.push((plain(&fill(id), empty(), Who::Manager), &[400]));
        }
        for id in ["-1", "0"] {
            cases.push((plain(&fill(id), empty(), Who::Manager), missing));
        }
        cases.push((plain(&foreign, empty(), Who::Manager), missing));
    }
    if public && op.id == "getOpenApiDocument" {
        cases.push((plain(&path, Body::None, Who::Nobody), &[200]));
    }
    cases
}

fn cases_per_operation() -> usize {
    std::env::var("OPENAPI_FUZZ_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(24)
}

fn runner() -> TestRunner {
    let rng = match std::env::var("OPENAPI_FUZZ_SEED")
        .ok()
        .and_then(|s| s.parse::<u64>().ok())
    {
        Some(seed) => {
            let mut bytes = [0u8; 32];
            bytes[..8].copy_from_slice(&seed.to_le_bytes());
            TestRng::from_seed(RngAlgorithm::ChaCha, &bytes)
        }
        None => TestRng::deterministic_rng(RngAlgorithm::ChaCha),
    };
    TestRunner::new_with_rng(Config::default(), rng)
}

/// A request as a line of the failure report (bodies cut short).
fn describe(method: &Method, case: &Case) -> String {
    let body = match &case.body {
        Body::None => String::new(),
        Body::Json(v) => v.to_string(),
        Body::Raw {
            content_type,
            bytes,
        } => format!("{content_type:?} {:?}", String::from_utf8_lossy(bytes)),
    };
    let body: String = body.chars().take(200).collect();
    format!(
        "{method} {} {:?} as {:?} {body}",
        case.path, case.query, case.who
    )
}

#[tokio::test]
async fn every_operation_answers_generated_requests_as_the_document_says() {
    let app = TestApp::spawn().await;
    let doc = served(&app).await;
    let (pools, tokens) = seed(&app).await;
    let per_operation = cases_per_operation();
    let mut runner = runner();
    let started = Instant::now();
    let mut ops = doc.operations();
    // what takes ids or rights away goes last, so the other operations still find them
    ops.sort_by_key(|o| {
        (
            o.method == Method::DELETE || o.id == "updateUser",
            o.id.clone(),
        )
    });
    let mut failures = Vec::new();
    let mut seen: BTreeMap<String, BTreeMap<u16, usize>> = BTreeMap::new();
    let mut requests = 0;
    for op in &ops {
        let strategy = generate::cases(&doc, op, &pools);
        let mut all = fixed_cases(&doc, op, &pools);
        for _ in 0..per_operation {
            let case = strategy.new_tree(&mut runner).unwrap().current();
            all.push((case, &[]));
        }
        for (case, must) in all {
            let answer = send(&app, &op.method, &case, &tokens[&case.who]).await;
            requests += 1;
            let status = answer.status.as_u16();
            *seen
                .entry(op.id.clone())
                .or_default()
                .entry(status)
                .or_default() += 1;
            // (the rate limit may come first)
            let limited = status == 429 && op.op["responses"].get("429").is_some();
            let verdict = check(&doc, op, &answer).and_then(|()| {
                if must.is_empty() || must.contains(&status) || limited {
                    Ok(())
                } else {
                    Err(format!("{status}, expected one of {must:?}"))
                }
            });
            if let Err(why) = verdict {
                failures.push(format!(
                    "{}: {why}\n    {}",
                    op.id,
                    describe(&op.method, &case)
                ));
            }
        }
    }
    let elapsed = started.elapsed();
    let table: Vec<String> = seen
        .iter()
        .map(|(id, statuses)| format!("{id}: {statuses:?}"))
        .collect();
    eprintln!(
        "{requests} requests to {} operations in {elapsed:.1?}; statuses seen:\n{}",
        ops.len(),
        table.join("\n")
    );
    assert!(
        failures.is_empty(),
        "{} of {requests} requests answered otherwise than the document says:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
