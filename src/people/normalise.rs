//! The forms in which two contacts' emails, phones, names and companies are compared (duplicates,
//! suppression). What a user typed is stored as typed; only these keys are normalised.
//!
//! Phones are parsed by the `phonenumber` crate (libphonenumber's data) and compared in E.164. A
//! number written without its country code is read as a number of [`DEFAULT_REGION`]; one the
//! crate cannot read is compared by its digits alone (at least 7 of them).

use phonenumber::Mode;
use phonenumber::country::Id;

/// The country a phone number without a `+` country code is read in.
pub const DEFAULT_REGION: Id = Id::US;

/// The comparable email: trimmed and lower-cased; None when it holds no `@`.
pub fn email(raw: &str) -> Option<String> {
    let e = raw.trim().to_lowercase();
    (e.contains('@') && e.len() > 2).then_some(e)
}

/// The comparable phone: E.164 (`+15550100123`) when it parses, else its digits when there are
/// at least 7 of them, else None.
pub fn phone(raw: &str) -> Option<String> {
    let raw = raw.trim();
    let digits: String = raw.chars().filter(char::is_ascii_digit).collect();
    if digits.len() < 7 {
        return None;
    }
    match phonenumber::parse(Some(DEFAULT_REGION), raw) {
        Ok(n) => Some(n.format().mode(Mode::E164).to_string()),
        Err(_) => Some(digits),
    }
}

/// A name or a company's name for comparing: case and spacing ignored.
pub fn words(raw: &str) -> String {
    raw.split_whitespace()
        .map(str::to_lowercase)
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_compare_without_case_or_spaces() {
        assert_eq!(
            email(" Ann.Lee@Example.COM "),
            Some("ann.lee@example.com".into())
        );
        assert_eq!(email("not an email"), None);
        assert_eq!(email(""), None);
    }

    #[test]
    fn phones_written_differently_are_one_number() {
        let a = phone("(201) 555-0123").unwrap();
        assert_eq!(a, "+12015550123");
        assert_eq!(phone("+1 201-555-0123").unwrap(), a);
        assert_eq!(phone("201.555.0123").unwrap(), a);
        assert_eq!(phone("+44 20 7946 0958").unwrap(), "+442079460958");
        assert_eq!(phone("011 44 20 7946 0958").unwrap(), "+442079460958");
        assert_eq!(phone("12"), None);
        assert_eq!(phone(""), None);
    }

    #[test]
    fn words_ignore_case_and_spacing() {
        assert_eq!(words("  Acme   Corp "), "acme corp");
        assert_eq!(words("ACME corp"), words("acme  Corp"));
    }
}
