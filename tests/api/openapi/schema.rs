//! The served document as JSON: `$ref` resolution, its operations, and a checker of a JSON value
//! against a schema for the part of JSON Schema (2020-12, as OpenAPI 3.1 uses it) that utoipa
//! writes: `type` (one or a list), `properties`, `required`, `additionalProperties`, `items`,
//! `prefixItems`, `minItems`/`maxItems`, `enum`, `allOf`/`oneOf`/`anyOf`, `minimum`/`maximum`,
//! `maxLength`, and the formats `date`, `date-time`, `int32`, `int64`.

use reqwest::Method;
use serde_json::Value;

/// The document, and what the checks need of it.
pub struct Doc(pub Value);

/// One operation of the document.
pub struct Op<'a> {
    pub method: Method,
    /// The path as the document writes it, `/api/v1/companies/{id}`.
    pub path: String,
    pub id: String,
    pub op: &'a Value,
}

pub const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

impl Doc {
    /// What a local `$ref` (`#/components/schemas/X`) points at.
    pub fn target(&self, reference: &str) -> Option<&Value> {
        self.0.pointer(reference.strip_prefix('#')?)
    }

    /// The value behind a chain of `$ref`s (the value itself when it is not one).
    pub fn resolve<'a>(&'a self, mut v: &'a Value) -> &'a Value {
        for _ in 0..64 {
            match v.get("$ref").and_then(Value::as_str) {
                Some(r) => {
                    v = self
                        .target(r)
                        .unwrap_or_else(|| panic!("the $ref {r} resolves"))
                }
                None => return v,
            }
        }
        panic!("a cycle of $ref")
    }

    /// Every operation, in the document's order.
    pub fn operations(&self) -> Vec<Op<'_>> {
        let mut ops = Vec::new();
        for (path, item) in self.0["paths"].as_object().expect("paths") {
            for method in METHODS {
                if let Some(op) = item.get(method) {
                    ops.push(Op {
                        method: method.to_uppercase().parse().expect("a method"),
                        path: path.clone(),
                        id: op["operationId"].as_str().unwrap_or_default().to_string(),
                        op,
                    });
                }
            }
        }
        ops
    }

    /// The parameters of an operation that are `in` this place, `$ref`s resolved.
    pub fn parameters<'a>(&'a self, op: &'a Value, place: &str) -> Vec<&'a Value> {
        op["parameters"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|p| self.resolve(p))
            .filter(|p| p["in"] == place)
            .collect()
    }

    /// The JSON schema of the operation's request body, if it takes one.
    pub fn request_schema<'a>(&'a self, op: &'a Value) -> Option<&'a Value> {
        let body = self.resolve(op.get("requestBody")?);
        // a file body (an import's CSV) has no JSON schema: its own tests send it
        body["content"].get("application/json")?;
        Some(&body["content"]["application/json"]["schema"])
    }

    /// Checks `value` against `schema`; the error says where and why.
    pub fn check(&self, value: &Value, schema: &Value) -> Result<(), String> {
        self.check_at("$", value, schema)
    }

    fn check_at(&self, at: &str, value: &Value, schema: &Value) -> Result<(), String> {
        let schema = self.resolve(schema);
        let Some(s) = schema.as_object() else {
            // `true`, or a schema-less `{}` written as something else
            return Ok(());
        };
        for sub in s
            .get("allOf")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            self.check_at(at, value, sub)?;
        }
        for (key, exactly_one) in [("oneOf", true), ("anyOf", false)] {
            if let Some(subs) = s.get(key).and_then(Value::as_array) {
                let results: Vec<_> = subs.iter().map(|x| self.check_at(at, value, x)).collect();
                let fits = results.iter().filter(|r| r.is_ok()).count();
                if fits == 0 || (exactly_one && fits > 1) {
                    let why: Vec<String> = results.into_iter().filter_map(Result::err).collect();
                    return Err(format!(
                        "{at}: {fits} of the {key} alternatives fit {value}: {why:?}"
                    ));
                }
            }
        }
        if let Some(allowed) = s.get("enum").and_then(Value::as_array)
            && !allowed.contains(value)
        {
            return Err(format!("{at}: {value} is not one of {allowed:?}"));
        }
        if let Some(t) = s.get("type") {
            let types: Vec<&str> = match t {
                Value::String(one) => vec![one.as_str()],
                Value::Array(many) => many.iter().filter_map(Value::as_str).collect(),
                _ => return Err(format!("{at}: a schema type {t} that is not a name")),
            };
            if !types.iter().any(|t| is_of_type(value, t)) {
                return Err(format!("{at}: {value} is not of type {types:?}"));
            }
        }
        match value {
            Value::Object(map) => {
                let properties = s.get("properties").and_then(Value::as_object);
                for name in s
                    .get("required")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                {
                    let name = name.as_str().unwrap_or_default();
                    if !map.contains_key(name) {
                        return Err(format!("{at}: the required `{name}` is missing"));
                    }
                }
                for (key, item) in map {
                    let here = format!("{at}.{key}");
                    match properties.and_then(|p| p.get(key)) {
                        Some(sub) => self.check_at(&here, item, sub)?,
                        None => match s.get("additionalProperties") {
                            Some(Value::Bool(false)) => {
                                return Err(format!("{here}: not a property of the schema"));
                            }
                            Some(extra @ Value::Object(_)) => self.check_at(&here, item, extra)?,
                            _ => {}
                        },
                    }
                }
            }
            Value::Array(items) => {
                let n = items.len() as u64;
                if s.get("minItems")
                    .and_then(Value::as_u64)
                    .is_some_and(|m| n < m)
                {
                    return Err(format!("{at}: {n} items, fewer than minItems"));
                }
                if s.get("maxItems")
                    .and_then(Value::as_u64)
                    .is_some_and(|m| n > m)
                {
                    return Err(format!("{at}: {n} items, more than maxItems"));
                }
                let prefix = s.get("prefixItems").and_then(Value::as_array);
                for (i, item) in items.iter().enumerate() {
                    if let Some(sub) = prefix.and_then(|p| p.get(i)).or_else(|| s.get("items")) {
                        self.check_at(&format!("{at}[{i}]"), item, sub)?;
                    }
                }
            }
            Value::Number(n) => {
                let x = n.as_f64().unwrap_or(f64::NAN);
                if s.get("minimum")
                    .and_then(Value::as_f64)
                    .is_some_and(|m| x < m)
                {
                    return Err(format!("{at}: {n} is below the minimum"));
                }
                if s.get("maximum")
                    .and_then(Value::as_f64)
                    .is_some_and(|m| x > m)
                {
                    return Err(format!("{at}: {n} is above the maximum"));
                }
                let fits = match s.get("format").and_then(Value::as_str) {
                    Some("int32") => n.as_i64().is_some_and(|i| i32::try_from(i).is_ok()),
                    Some("int64") => n.as_i64().is_some(),
                    Some("uint32") => n.as_u64().is_some_and(|i| u32::try_from(i).is_ok()),
                    _ => true,
                };
                if !fits {
                    return Err(format!("{at}: {n} does not fit its format"));
                }
            }
            Value::String(text) => {
                if s.get("maxLength")
                    .and_then(Value::as_u64)
                    .is_some_and(|m| text.chars().count() as u64 > m)
                {
                    return Err(format!("{at}: longer than maxLength"));
                }
                let fits = match s.get("format").and_then(Value::as_str) {
                    Some("date") => chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d").is_ok(),
                    Some("date-time") => chrono::DateTime::parse_from_rfc3339(text).is_ok(),
                    _ => true,
                };
                if !fits {
                    return Err(format!("{at}: {text:?} does not fit its format"));
                }
            }
            _ => {}
        }
        Ok(())
    }
}

fn is_of_type(value: &Value, t: &str) -> bool {
    match t {
        "null" => value.is_null(),
        "boolean" => value.is_boolean(),
        "object" => value.is_object(),
        "array" => value.is_array(),
        "string" => value.is_string(),
        "number" => value.is_number(),
        "integer" => value.is_i64() || value.is_u64(),
        _ => false,
    }
}

/// Every `$ref` in a JSON value, with where it is.
pub fn refs(value: &Value, at: &str, out: &mut Vec<(String, String)>) {
    match value {
        Value::Object(map) => {
            for (key, item) in map {
                if key == "$ref"
                    && let Some(r) = item.as_str()
                {
                    out.push((at.to_string(), r.to_string()));
                }
                refs(item, &format!("{at}/{key}"), out);
            }
        }
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                refs(item, &format!("{at}/{i}"), out);
            }
        }
        _ => {}
    }
}
