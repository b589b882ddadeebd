//! JSON request bodies and query strings whose rejections use the API's error format.

use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, FromRequestParts, OptionalFromRequest, Request};
use axum::http::request::Parts;
use axum::http::{StatusCode, header};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::error::ApiError;

/// `Json<T>` with the errors of docs/api.md: 400 for malformed JSON, 422 for a wrong or missing
/// field (with `field` set to the path the parser reports, e.g. `occurred_at` or `intervals.hot`).
pub struct ApiJson<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        match <axum::Json<T> as FromRequest<S>>::from_request(req, state).await {
            Ok(axum::Json(v)) => Ok(Self(v)),
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

/// `Query<T>` with the errors of docs/api.md: a parameter of the wrong type is a 422 naming it.
pub struct ApiQuery<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        axum::extract::Query::<T>::from_request_parts(parts, state)
            .await
            .map(|q| Self(q.0))
            .map_err(|e| invalid(&e.body_text()))
    }
}

/// A 422 from axum's deserialization message, `"<context>: <path>: <serde message>"`.
fn invalid(text: &str) -> ApiError {
    ApiError::invalid_at(field_of(text), text)
}

/// The field a serde message is about: the path before the message, or the name in
/// "missing field `x`" / "unknown field `x`" (reported without a path at the top level).
fn field_of(text: &str) -> Option<String> {
    let detail = text.split_once(": ").map_or(text, |(_, rest)| rest);
    if let Some((path, _)) = detail.split_once(": ")
        && !path.is_empty()
        && !path.contains(char::is_whitespace)
    {
        return Some(path.to_string());
    }
    let (_, after) = detail.split_once(" field `")?;
    after.split_once('`').map(|(name, _)| name.to_string())
}

/// The error body, for the OpenAPI document.
#[derive(Serialize, utoipa::ToSchema)]
pub struct ErrorJson {
    /// `{"code": "not_found", "message": "...", "field": "email"}`; `field` only for 422. A 409
    /// of a stale application move also carries the current `stage` and `version`.
    pub error: serde_json::Value,
}

#[cfg(test)]
mod tests {
    use super::field_of;

    #[test]
    fn the_field_comes_from_the_path_or_the_missing_name() {
        let body = "Failed to deserialize the JSON body into the target type";
        assert_eq!(
            field_of(&format!(
                "{body}: intervals.hot: invalid type: string \"x\", expected u32 at line 1 column 9"
            ))
            .as_deref(),
            Some("intervals.hot")
        );
        assert_eq!(
            field_of(&format!("{body}: missing field `until` at line 1 column 2")).as_deref(),
            Some("until")
        );
        assert_eq!(
            field_of(&format!(
                "{body}: unknown field `temp`, expected one of `name`"
            ))
            .as_deref(),
            Some("temp")
        );
        assert_eq!(
            field_of("Failed to deserialize query string: limit: invalid digit found in string")
                .as_deref(),
            Some("limit")
        );
        assert_eq!(field_of(&format!("{body}: expected value at line 1")), None);
    }
}
