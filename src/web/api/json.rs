//! JSON request bodies and query strings whose rejections use the API's error format. Every
//! string in them (and every key) is checked for control characters before deserializing.

use std::fmt::Write;

use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, FromRequestParts, OptionalFromRequest, Request};
use axum::http::request::Parts;
use axum::http::{StatusCode, header};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::error::ApiError;
use crate::text;
use crate::web::forms::{field_and_detail, refused_field};

/// `Json<T>` with the errors of docs/api.md: 400 for malformed JSON, 422 for a wrong or missing field (with
/// `field` set to the path the parser reports, e.g. `occurred_at` or `intervals.hot`), and 422
/// for a control character in any string, naming its path the same way.
pub struct ApiJson<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        match <axum::Json<Value> as FromRequest<S>>::from_request(req, state).await {
            Ok(axum::Json(value)) => checked(value).map(Self),
            Err(JsonRejection::JsonDataError(e)) => Err(invalid(&e.body_text())),
            Err(JsonRejection::BytesRejection(e))
                if e.status() == StatusCode::PAYLOAD_TOO_LARGE =>
            {
                Err(ApiError::new(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    "payload_too_large",
                    "The request body is too large.",
                ))
            }
            Err(e) => Err(ApiError::bad_request(e.body_text())),
        }
    }
}

/// `Option<ApiJson<T>>`: a request without a `Content-Type` has no body (every field optional).
impl<S: Send + Sync, T: DeserializeOwned> OptionalFromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Option<Self>, ApiError> {
        if req.headers().get(header::CONTENT_TYPE).is_none() {
            return Ok(None);
        }
        <Self as FromRequest<S>>::from_request(req, state)
            .await
            .map(Some)
    }
}

/// The body as `T`, once no string or key in it holds a refused character.
fn checked<T: DeserializeOwned>(value: Value) -> Result<T, ApiError> {
    if let Some((steps, c)) = refused_in(&value) {
        let path = path_of(&steps);
        let field = Some(path).filter(|p| !p.is_empty());
        return Err(ApiError::invalid_at(field, text::forbidden_message(c)));
    }
    serde_path_to_error::deserialize(value).map_err(|e| {
        invalid(&format!(
            "Failed to deserialize the JSON body into the target type: {e}"
        ))
    })
}

/// One step of a path into a JSON document.
enum Step<'a> {
    Key(&'a str),
    Index(usize),
}

/// The first string or key holding a refused character: its path (innermost step first) and
/// the character. Depth is bounded by serde_json's recursion limit.
fn refused_in(value: &Value) -> Option<(Vec<Step<'_>>, char)> {
    match value {
        Value::String(s) => text::first_forbidden(s).map(|c| (Vec::new(), c)),
        Value::Array(items) => items.iter().enumerate().find_map(|(i, item)| {
            let (mut steps, c) = refused_in(item)?;
            steps.push(Step::Index(i));
            Some((steps, c))
        }),
        Value::Object(map) => map.iter().find_map(|(key, item)| {
            let (mut steps, c) = match text::first_forbidden(key) {
                Some(c) => (Vec::new(), c),
                None => refused_in(item)?,
            };
            steps.push(Step::Key(key));
            Some((steps, c))
        }),
        _ => None,
    }
}

/// The path as serde_path_to_error writes it (`intervals.hot`, `holidays[2]`), keys made safe.
fn path_of(steps: &[Step<'_>]) -> String {
    let mut path = String::new();
    for step in steps.iter().rev() {
        let _ = match step {
            Step::Key(key) if path.is_empty() => write!(path, "{}", text::field_label(key)),
            Step::Key(key) => write!(path, ".{}", text::field_label(key)),
            Step::Index(i) => write!(path, "[{i}]"),
        };
    }
    path
}

/// `Query<T>` with the errors of docs/api.md: a parameter of the wrong type, or holding a control
/// character, is a 422 naming it.
pub struct ApiQuery<T>(pub T);

#[expect(
    clippy::disallowed_types,
    reason = "the one place that wraps axum's query extractor for the API"
)]
impl<S: Send + Sync, T: DeserializeOwned> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, ApiError> {
        let query = parts.uri.query().unwrap_or_default();
        if let Some((field, message)) = refused_field(query.as_bytes()) {
            return Err(ApiError::invalid_at(Some(field), message));
        }
        axum::extract::Query::<T>::try_from_uri(&parts.uri)
            .map(|q| Self(q.0))
            .map_err(|e| invalid(&e.body_text()))
    }
}

/// A 422 from axum's deserialization message, `"<context>: <path>: <serde message>"`.
fn invalid(text: &str) -> ApiError {
    ApiError::invalid_at(field_and_detail(text).0, text)
}

// The schema of what `crate::error::ApiError` writes, for the OpenAPI document.
/// The body of every error answer.
#[derive(Serialize, utoipa::ToSchema)]
pub struct ErrorJson {
    pub error: ErrorDetailJson,
}

/// What went wrong. More members may come; a client ignores those it does not know.
#[derive(Serialize, utoipa::ToSchema)]
pub struct ErrorDetailJson {
    /// Stable: `bad_request`, `unauthorized`, `forbidden`, `not_found`, `method_not_allowed`,
    /// `timeout`, `conflict`, `already_running`, `payload_too_large`, `invalid`, `rate_limited`,
    /// `internal` or `unavailable`.
    pub code: String,
    /// For people; it may change.
    pub message: String,
    /// 422 only, when one field is to blame: its name, or a path for a nested one
    /// (`intervals.warm`, `holidays[2]`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// A 409 of a stale application move: the application's current stage.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stage: Option<String>,
    /// A 409 of a stale application move: the application's current version.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<i32>,
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::{path_of, refused_in};

    fn refused(value: serde_json::Value) -> Option<(String, char)> {
        refused_in(&value).map(|(steps, c)| (path_of(&steps), c))
    }

    #[test]
    fn the_first_refused_string_is_named_by_its_path() {
        let cases = [
            (json!({"notes": "ok\tfine\r\n"}), None),
            (json!({"notes": "a\u{0}b"}), Some(("notes", '\u{0}'))),
            (
                json!({"intervals": {"hot": "\u{7}"}}),
                Some(("intervals.hot", '\u{7}')),
            ),
            (
                json!({"holidays": ["2026-01-01", "x\u{1b}"]}),
                Some(("holidays[1]", '\u{1b}')),
            ),
            (json!({"b\u{0}ad": 1}), Some(("b\\u{0}ad", '\u{0}'))),
            (json!(["\u{0}"]), Some(("[0]", '\u{0}'))),
            (json!({"name": "Zoë 😀 \u{200f} e\u{301}"}), None),
        ];
        for (value, expected) in cases {
            let want = expected.map(|(p, c)| (p.to_string(), c));
            assert_eq!(refused(value.clone()), want, "{value}");
        }
    }
}
