//! Requests made from the document's schemas with proptest strategies: valid values (codes taken
//! from the field's description, ids of the seeded teams, dates around today), and invalid ones
//! (a wrong type, a missing field, an unknown field, a huge string, a NUL, a negative or huge id,
//! a body that is not JSON or not sent as JSON, no token or a wrong one).

use std::collections::HashMap;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use proptest::prelude::*;
use proptest::sample::select;
use serde_json::{Map, Value, json};

use super::schema::{Doc, Op};
use crate::helpers::PASSWORD;

/// Ids that exist: of the caller's team, and of another team (which the API must not reveal).
#[derive(Clone, Default)]
pub struct Pools {
    pub own: HashMap<&'static str, Vec<i64>>,
    pub foreign: HashMap<&'static str, Vec<i64>>,
    /// Emails that have an account, and its password, for POST /tokens and POST /users.
    pub emails: Vec<String>,
    pub today: NaiveDate,
    pub now: DateTime<Utc>,
}

/// Who calls.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Who {
    Manager,
    Recruiter,
    Nobody,
    /// A well-formed token that is no one's.
    Stranger,
}

/// What is sent as the body.
#[derive(Clone, Debug)]
pub enum Body {
    None,
    Json(Value),
    /// Bytes with this content type (or none).
    Raw {
        content_type: Option<&'static str>,
        bytes: Vec<u8>,
    },
}

/// One request to make.
#[derive(Clone, Debug)]
pub struct Case {
    pub who: Who,
    /// The path with its parameters filled in.
    pub path: String,
    pub query: Vec<(String, String)>,
    pub body: Body,
}

/// The kind of object an id names, from the field or the path segment before it.
fn kind_of(name: &str) -> Option<&'static str> {
    Some(match name {
        "company_id" | "companies" => "company",
        "decision_maker_id" | "decision-makers" => "decision_maker",
        "candidate_id" | "candidates" => "candidate",
        "job_id" | "jobs" => "job",
        "applications" => "application",
        "owner_id" | "user_id" | "reassign_to" | "users" => "user",
        "tokens" => "token",
        _ => return None,
    })
}

/// The backquoted lowercase codes a description lists (`call`, `voicemail`...).
fn codes_in(description: Option<&str>) -> Vec<String> {
    description
        .unwrap_or_default()
        .split('`')
        .skip(1)
        .step_by(2)
        .filter(|c| !c.is_empty() && c.chars().all(|ch| ch.is_ascii_lowercase() || ch == '_'))
        .map(str::to_string)
        .collect()
}

fn id(kind: &str, pools: &Pools) -> BoxedStrategy<i64> {
    let own = pools.own.get(kind).cloned().unwrap_or_default();
    let foreign = pools.foreign.get(kind).cloned().unwrap_or_default();
    let mut choices: Vec<(u32, BoxedStrategy<i64>)> = vec![
        (1, Just(-1).boxed()),
        (1, Just(0).boxed()),
        (1, Just(i64::MAX).boxed()),
    ];
    if !own.is_empty() {
        choices.push((24, select(own).boxed()));
    }
    if !foreign.is_empty() {
        choices.push((2, select(foreign).boxed()));
    }
    proptest::strategy::Union::new_weighted(choices).boxed()
}

fn integer() -> BoxedStrategy<i64> {
    prop_oneof![
        8 => 0i64..=40,
        3 => 41i64..=4000,
        1 => Just(-1),
        1 => Just(i64::MAX),
        1 => Just(i64::from(u32::MAX) + 1),
    ]
    .boxed()
}

fn date(pools: &Pools) -> BoxedStrategy<String> {
    let today = pools.today;
    (-400i64..=400)
        .prop_map(move |d| (today + Duration::days(d)).format("%Y-%m-%d").to_string())
        .boxed()
}

fn date_time(pools: &Pools) -> BoxedStrategy<String> {
    let now = pools.now;
    (-90 * 24 * 60i64..=10)
        .prop_map(move |m| (now + Duration::minutes(m)).to_rfc3339())
        .boxed()
}

fn text() -> BoxedStrategy<String> {
    prop_oneof![
        6 => "[A-Za-z][A-Za-z0-9 .,'-]{0,23}",
        2 => "\\PC{0,12}",
        1 => Just(String::new()),
        1 => Just("   ".to_string()),
    ]
    .boxed()
}

/// A string for a field or parameter of this name and schema.
fn string(name: &str, schema: &Value, pools: &Pools) -> BoxedStrategy<String> {
    match schema["format"].as_str() {
        Some("date") => return date(pools),
        Some("date-time") => return date_time(pools),
        _ => {}
    }
    let codes = codes_in(schema["description"].as_str());
    match name {
        "email" => {
            let known = pools.emails.clone();
            prop_oneof![
                2 => select(known),
                3 => (0u32..1_000_000).prop_map(|n| format!("fz{n}@fuzz.test")),
                1 => text(),
            ]
            .boxed()
        }
        "password" => prop_oneof![
            3 => Just(PASSWORD.to_string()),
            1 => Just("a much longer password".to_string()),
            1 => text(),
        ]
        .boxed(),
        "time_zone" => select(vec![
            "UTC".to_string(),
            "Europe/London".to_string(),
            "America/New_York".to_string(),
            "Mars/Olympus_Mons".to_string(),
        ])
        .boxed(),
        "phone" => prop_oneof![
            3 => Just("+1 555 0100".to_string()),
            1 => text(),
        ]
        .boxed(),
        "website" => prop_oneof![
            Just("https://example.test".to_string()),
            Just("not a url".to_string()),
            text(),
        ]
        .boxed(),
        "cursor" => prop_oneof![
            Just(String::new()),
            Just("zz".to_string()),
            Just("12".to_string()),
            Just(hex_of("3:Ann")),
            Just(hex_of("x:y")),
            text(),
        ]
        .boxed(),
        _ if !codes.is_empty() => prop_oneof![5 => select(codes), 1 => text()].boxed(),
        _ => text(),
    }
}

fn hex_of(s: &str) -> String {
    s.bytes().map(|b| format!("{b:02x}")).collect()
}

/// The types a schema allows, from `type` (one or a list); empty when it says none.
fn types_of(schema: &Value) -> Vec<String> {
    match &schema["type"] {
        Value::String(t) => vec![t.clone()],
        Value::Array(ts) => ts
            .iter()
            .filter_map(Value::as_str)
            .map(String::from)
            .collect(),
        _ => Vec::new(),
    }
}

/// A value for a schema, mostly valid (`name` is the field's name: it picks ids and codes).
pub fn value(doc: &Doc, schema: &Value, name: &str, pools: &Pools) -> BoxedStrategy<Value> {
    let schema = doc.resolve(schema);
    if let Some(alternatives) = schema
        .get("oneOf")
        .or_else(|| schema.get("anyOf"))
        .and_then(Value::as_array)
    {
        let subs: Vec<_> = alternatives
            .iter()
            .map(|s| value(doc, s, name, pools))
            .collect();
        return proptest::strategy::Union::new(subs).boxed();
    }
    if let Some(parts) = schema.get("allOf").and_then(Value::as_array) {
        let subs: Vec<_> = parts.iter().map(|s| value(doc, s, name, pools)).collect();
        return subs
            .prop_map(|objects| {
                let mut merged = Map::new();
                for o in objects {
                    if let Value::Object(m) = o {
                        merged.extend(m);
                    }
                }
                Value::Object(merged)
            })
            .boxed();
    }
    let types = types_of(schema);
    if types.is_empty() {
        return select(vec![
            json!(null),
            json!(1),
            json!("x"),
            json!({}),
            json!([]),
        ])
        .boxed();
    }
    let mut choices: Vec<(u32, BoxedStrategy<Value>)> = Vec::new();
    for t in &types {
        let strategy = match t.as_str() {
            "null" => {
                choices.push((1, Just(Value::Null).boxed()));
                continue;
            }
            "boolean" => any::<bool>().prop_map(Value::from).boxed(),
            "integer" => match kind_of(name) {
                Some(kind) => id(kind, pools).prop_map(Value::from).boxed(),
                None => integer().prop_map(Value::from).boxed(),
            },
            "number" => (-1.0f64..1000.0).prop_map(Value::from).boxed(),
            "string" => string(name, schema, pools).prop_map(Value::from).boxed(),
            "array" => {
                let min = schema["minItems"].as_u64().unwrap_or(0) as usize;
                let max = schema["maxItems"].as_u64().map_or(min + 3, |m| m as usize);
                let items = value(doc, &schema["items"], name, pools);
                proptest::collection::vec(items, min..=max.max(min))
                    .prop_map(Value::from)
                    .boxed()
            }
            "object" => object(doc, schema, pools),
            other => panic!("a schema type the generator does not know: {other}"),
        };
        choices.push((4, strategy));
    }
    proptest::strategy::Union::new_weighted(choices).boxed()
}

/// An object: every required property, and each optional one more often than not.
fn object(doc: &Doc, schema: &Value, pools: &Pools) -> BoxedStrategy<Value> {
    let required: Vec<&str> = schema["required"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect();
    let mut fields: Vec<BoxedStrategy<Option<(String, Value)>>> = Vec::new();
    for (key, sub) in schema["properties"].as_object().into_iter().flatten() {
        let owned = key.clone();
        let strategy = value(doc, sub, key, pools).prop_map(move |v| (owned.clone(), v));
        fields.push(if required.contains(&key.as_str()) {
            strategy.prop_map(Some).boxed()
        } else {
            proptest::option::weighted(0.5, strategy).boxed()
        });
    }
    fields
        .prop_map(|fields| Value::Object(fields.into_iter().flatten().collect()))
        .boxed()
}

/// Values of the wrong kind for almost any field.
fn bad_value() -> BoxedStrategy<Value> {
    select(vec![
        json!("x"),
        json!(""),
        json!(1),
        json!(-1),
        json!(1.5),
        json!(i64::MAX),
        json!(u64::MAX),
        json!(true),
        json!(null),
        json!([]),
        json!([1, "a"]),
        json!({}),
        json!({"a": {"b": [null]}}),
        json!("2026-02-30"),
        json!("2026-11-20T25:00:00Z"),
    ])
    .boxed()
}

/// A way to spoil a valid body.
#[derive(Clone, Debug)]
enum Spoil {
    Nothing,
    WrongType(Value),
    Drop,
    Unknown,
    Huge(usize),
    Nul,
    NulKey,
    NotAnObject(Value),
}

fn spoil() -> BoxedStrategy<Spoil> {
    prop_oneof![
        18 => Just(Spoil::Nothing),
        3 => bad_value().prop_map(Spoil::WrongType),
        2 => Just(Spoil::Drop),
        2 => Just(Spoil::Unknown),
        2 => Just(Spoil::Huge(100_000)),
        1 => Just(Spoil::Huge(3 * 1024 * 1024)),
        2 => Just(Spoil::Nul),
        1 => Just(Spoil::NulKey),
        1 => bad_value().prop_map(Spoil::NotAnObject),
    ]
    .boxed()
}

fn apply(body: Value, spoil: Spoil, pick: usize) -> Value {
    let Value::Object(mut map) = body else {
        return body;
    };
    let keys: Vec<String> = map.keys().cloned().collect();
    let key = (!keys.is_empty()).then(|| keys[pick % keys.len()].clone());
    match (spoil, key) {
        (Spoil::Nothing, _) => {}
        (Spoil::WrongType(v), Some(k)) => {
            map.insert(k, v);
        }
        (Spoil::Drop, Some(k)) => {
            map.remove(&k);
        }
        (Spoil::Huge(n), Some(k)) => {
            map.insert(k, Value::String("x".repeat(n)));
        }
        (Spoil::Huge(n), None) => {
            map.insert("name".into(), Value::String("x".repeat(n)));
        }
        (Spoil::Nul, Some(k)) => {
            map.insert(k, Value::String("a\u{0}b".into()));
        }
        (Spoil::NulKey, _) => {
            map.insert("na\u{0}me".into(), json!("x"));
        }
        (Spoil::Unknown, _) | (Spoil::WrongType(_) | Spoil::Drop | Spoil::Nul, None) => {
            map.insert("zz_unknown".into(), json!(1));
        }
        (Spoil::NotAnObject(v), _) => return v,
    }
    Value::Object(map)
}

/// A body that is not a JSON object sent as JSON.
fn raw_body() -> BoxedStrategy<Body> {
    select(vec![
        Body::Raw {
            content_type: Some("application/json"),
            bytes: b"{\"name\": ".to_vec(),
        },
        Body::Raw {
            content_type: Some("application/json"),
            bytes: vec![0xff, 0xfe, b'{', b'}'],
        },
        Body::Raw {
            content_type: Some("text/plain"),
            bytes: b"{}".to_vec(),
        },
        Body::Raw {
            content_type: None,
            bytes: b"{}".to_vec(),
        },
    ])
    .boxed()
}

fn path_value(path: &str, param: &str, pools: &Pools) -> BoxedStrategy<String> {
    let segment = path
        .split('/')
        .take_while(|s| *s != format!("{{{param}}}"))
        .last()
        .unwrap_or_default();
    let kind = kind_of(segment).unwrap_or("none");
    prop_oneof![
        12 => id(kind, pools).prop_map(|i| i.to_string()),
        1 => Just("abc".to_string()),
        1 => Just("99999999999999999999".to_string()),
        1 => Just("1.5".to_string()),
    ]
    .boxed()
}

/// A parameter's value as sent in a query string.
fn query_value(doc: &Doc, name: &str, schema: &Value, pools: &Pools) -> BoxedStrategy<String> {
    let typed = value(doc, schema, name, pools).prop_map(|v| match v {
        Value::String(s) => s,
        Value::Null => String::new(),
        other => other.to_string(),
    });
    prop_oneof![
        10 => typed,
        1 => Just("abc".to_string()),
        1 => Just("-1".to_string()),
        1 => Just("99999999999999999999".to_string()),
        1 => Just("a\u{0}b".to_string()),
        1 => Just("y".repeat(300)),
    ]
    .boxed()
}

/// Requests for one operation.
pub fn cases(doc: &Doc, op: &Op<'_>, pools: &Pools) -> BoxedStrategy<Case> {
    let who = prop_oneof![
        12 => Just(Who::Manager),
        3 => Just(Who::Recruiter),
        1 => Just(Who::Nobody),
        1 => Just(Who::Stranger),
    ];
    let path_params: Vec<_> = doc
        .parameters(op.op, "path")
        .into_iter()
        .map(|p| {
            let name = p["name"].as_str().unwrap_or_default().to_string();
            path_value(&op.path, &name, pools).prop_map(move |v| (name.clone(), v))
        })
        .collect();
    let template = op.path.clone();
    let path = path_params.prop_map(move |values| {
        values.iter().fold(template.clone(), |p, (name, v)| {
            p.replace(&format!("{{{name}}}"), v)
        })
    });
    let query: Vec<_> = doc
        .parameters(op.op, "query")
        .into_iter()
        .map(|p| {
            let name = p["name"].as_str().unwrap_or_default().to_string();
            // the codes a parameter takes are listed in its own description
            let mut schema = doc.resolve(&p["schema"]).clone();
            if let (Some(s), Some(d)) = (schema.as_object_mut(), p.get("description")) {
                s.insert("description".into(), d.clone());
            }
            let v = query_value(doc, &name, &schema, pools).prop_map(move |v| (name.clone(), v));
            if p["required"].as_bool().unwrap_or(false) {
                v.prop_map(Some).boxed()
            } else {
                proptest::option::weighted(0.5, v).boxed()
            }
        })
        .collect();
    let query = query.prop_map(|q| q.into_iter().flatten().collect::<Vec<_>>());
    let body = match doc.request_schema(op.op) {
        None => Just(Body::None).boxed(),
        Some(schema) => {
            let required = doc.resolve(&op.op["requestBody"])["required"]
                .as_bool()
                .unwrap_or(false);
            let json = (value(doc, schema, "", pools), spoil(), any::<usize>())
                .prop_map(|(v, s, pick)| Body::Json(apply(v, s, pick)));
            let mut choices: Vec<(u32, BoxedStrategy<Body>)> =
                vec![(20, json.boxed()), (1, raw_body())];
            if !required {
                choices.push((3, Just(Body::None).boxed()));
            }
            proptest::strategy::Union::new_weighted(choices).boxed()
        }
    };
    (who, path, query, body)
        .prop_map(|(who, path, query, body)| Case {
            who,
            path,
            query,
            body,
        })
        .boxed()
}
