//! Form helpers shared by the pages: per-field error messages for re-shown forms.

use std::collections::BTreeMap;

use crate::accounts::FieldError;

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
