//! Form helpers shared by the pages: the extractors every page form and query string goes
//! through (they refuse control characters before a handler runs), and per-field error messages
//! for re-shown forms.

use std::collections::BTreeMap;

use axum::body::Body;
use axum::extract::rejection::FormRejection;
use axum::extract::{FromRequest, FromRequestParts, RawForm, Request};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use serde::de::DeserializeOwned;

use crate::accounts::FieldError;
use crate::error::ErrorPage;
use crate::text;

/// The first url-encoded pair whose name or value holds a refused character: the field's label
/// and the message. Why: page forms, page queries and the API's queries share this one check.
pub fn refused_field(encoded: &[u8]) -> Option<(String, String)> {
    form_urlencoded::parse(encoded).find_map(|(name, value)| {
        let c = text::first_forbidden(&name).or_else(|| text::first_forbidden(&value))?;
        Some((text::field_label(&name), text::forbidden_message(c)))
    })
}

/// Splits axum's `"<context>: <path>: <serde message>"` into the field and the message; the
/// field of "missing field `x`" / "unknown field `x`" (reported without a path) is `x`.
pub fn field_and_detail(text: &str) -> (Option<String>, &str) {
    let detail = text.split_once(": ").map_or(text, |(_, rest)| rest);
    if let Some((path, rest)) = detail.split_once(": ")
        && !path.is_empty()
        && !path.contains(char::is_whitespace)
    {
        return (Some(path.to_string()), rest);
    }
    let name = detail
        .split_once(" field `")
        .and_then(|(_, after)| after.split_once('`'))
        .map(|(name, _)| name.to_string());
    (name, detail)
}

/// The 422 page naming a field the extractors refused (`field` is already a safe label).
fn refused(field: &str, message: &str) -> Response {
    ErrorPage::respond(
        StatusCode::UNPROCESSABLE_ENTITY,
        "This cannot be used",
        format!("The field {field} was not accepted. {message}"),
    )
}

/// The 422 page for a value the handler's form or query type could not take.
fn unreadable(text: &str) -> Response {
    let (field, detail) = field_and_detail(text);
    let field = text::field_label(field.as_deref().unwrap_or("form"));
    refused(
        &field,
        &format!("It could not be read: {}.", detail.trim_end_matches('.')),
    )
}

/// The request with its url-encoded form read and checked (the query on GET, as `axum::Form`
/// reads it), the body put back for the form extractor.
async fn checked<S: Send + Sync>(req: Request, state: &S) -> Result<Request, Response> {
    let (parts, body) = req.into_parts();
    let RawForm(bytes) = RawForm::from_request(Request::from_parts(parts.clone(), body), state)
        .await
        .map_err(IntoResponse::into_response)?;
    if let Some((field, message)) = refused_field(&bytes) {
        return Err(refused(&field, &message));
    }
    Ok(Request::from_parts(parts, Body::from(bytes)))
}

/// `axum::Form` for the pages (a repeated key keeps one value): a control character in any
/// field is a 422 page naming it, before the handler runs, so no handler can forget the check.
pub struct Form<T>(pub T);

#[expect(
    clippy::disallowed_types,
    reason = "the one place that wraps axum's form extractor"
)]
impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for Form<T> {
    type Rejection = Response;

    async fn from_request(req: Request, state: &S) -> Result<Self, Response> {
        let req = checked(req, state).await?;
        match axum::Form::<T>::from_request(req, state).await {
            Ok(axum::Form(value)) => Ok(Self(value)),
            Err(FormRejection::FailedToDeserializeFormBody(e)) => Err(unreadable(&e.body_text())),
            Err(FormRejection::FailedToDeserializeForm(e)) => Err(unreadable(&e.body_text())),
            Err(e) => Err(e.into_response()),
        }
    }
}

/// [`Form`] whose repeated keys collect into a `Vec` (axum_extra's form, e.g. checkboxes).
pub struct MultiForm<T>(pub T);

#[expect(
    clippy::disallowed_types,
    reason = "the one place that wraps axum_extra's form extractor"
)]
impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for MultiForm<T> {
    type Rejection = Response;

    async fn from_request(req: Request, state: &S) -> Result<Self, Response> {
        use axum_extra::extract::FormRejection as Rejection;
        let req = checked(req, state).await?;
        match axum_extra::extract::Form::<T>::from_request(req, state).await {
            Ok(axum_extra::extract::Form(value)) => Ok(Self(value)),
            Err(Rejection::FailedToDeserializeFormBody(e)) => Err(unreadable(&e.body_text())),
            Err(Rejection::FailedToDeserializeForm(e)) => Err(unreadable(&e.body_text())),
            Err(e) => Err(e.into_response()),
        }
    }
}

/// `axum::extract::Query` for the pages: a control character is a 422 page naming the
/// parameter, and so is a value its type refuses (e.g. search text over 200 characters).
pub struct Query<T>(pub T);

#[expect(
    clippy::disallowed_types,
    reason = "the one place that wraps axum's query extractor for pages"
)]
impl<S: Send + Sync, T: DeserializeOwned> FromRequestParts<S> for Query<T> {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Response> {
        let query = parts.uri.query().unwrap_or_default();
        if let Some((field, message)) = refused_field(query.as_bytes()) {
            return Err(refused(&field, &message));
        }
        axum::extract::Query::<T>::try_from_uri(&parts.uri)
            .map(|q| Self(q.0))
            .map_err(|e| unreadable(&e.body_text()))
    }
}

/// Messages keyed by field name; templates ask `errors.get("email")`.
#[derive(Debug, Clone, Default)]
pub struct FormErrors(BTreeMap<&'static str, String>);

impl FormErrors {
    /// Why: handlers collect every field's problem at once, so the user fixes all in one go.
    pub fn add(&mut self, err: FieldError) {
        self.0.entry(err.field).or_insert(err.message);
    }

    /// Records the error of a parse result and passes the value on.
    pub fn check<T>(&mut self, result: Result<T, FieldError>) -> Option<T> {
        match result {
            Ok(v) => Some(v),
            Err(e) => {
                self.add(e);
                None
            }
        }
    }

    /// Adds a message for a field.
    pub fn set(&mut self, field: &'static str, message: impl Into<String>) {
        self.0.insert(field, message.into());
    }

    /// The message for a field, if any.
    pub fn get(&self, field: &str) -> Option<&str> {
        self.0.get(field).map(String::as_str)
    }

    /// Whether a field has a message.
    pub fn has(&self, field: &str) -> bool {
        self.0.contains_key(field)
    }

    /// Whether the form is valid.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::{field_and_detail, refused_field};

    #[test]
    fn the_field_comes_from_the_path_or_the_missing_name() {
        let body = "Failed to deserialize the JSON body into the target type";
        let cases = [
            (
                format!("{body}: intervals.hot: invalid type: string \"x\", expected u32"),
                Some("intervals.hot"),
                "invalid type: string \"x\", expected u32",
            ),
            (
                format!("{body}: missing field `until` at line 1 column 2"),
                Some("until"),
                "missing field `until` at line 1 column 2",
            ),
            (
                format!("{body}: unknown field `temp`, expected one of `name`"),
                Some("temp"),
                "unknown field `temp`, expected one of `name`",
            ),
            (
                "Failed to deserialize query string: limit: invalid digit found in string".into(),
                Some("limit"),
                "invalid digit found in string",
            ),
            (
                format!("{body}: expected value at line 1"),
                None,
                "expected value at line 1",
            ),
        ];
        for (text, field, detail) in &cases {
            assert_eq!(field_and_detail(text), (field.map(String::from), *detail));
        }
    }

    #[test]
    fn a_control_character_in_a_name_or_value_names_the_field() {
        assert_eq!(
            refused_field(b"name=Ann&notes=tab%09and%0D%0Anewline"),
            None
        );
        let (field, message) = refused_field(b"name=Ann&notes=a%00b").unwrap();
        assert_eq!(field, "notes");
        assert!(message.contains("U+0000"), "{message}");
        assert_eq!(refused_field(b"q=bell%07").unwrap().0, "q");
        assert_eq!(refused_field(b"no%01tes=x").unwrap().0, "no\\u{1}tes");
        assert_eq!(refused_field("q=zo%C3%AB+%F0%9F%98%80".as_bytes()), None);
    }
}
