//! What text a request may carry: the characters refused everywhere, and the cap on search text.
//! Pure: the web extractors (`web::forms`, `web::api::json`) apply it to every field.

use std::fmt;

use serde::{Deserialize, Deserializer};

/// Whether a character is refused in any text field. PostgreSQL cannot store NUL in `text` (the
/// insert fails), and the other control characters are never typed by a person: they come from
/// broken clients or probes, and would only corrupt notes, CSV exports and pages. Tab, newline and
/// carriage return are what text areas send, so they stay.
pub fn is_forbidden(c: char) -> bool {
    c.is_control() && !matches!(c, '\t' | '\n' | '\r')
}

/// The first refused character of a text, if any.
pub fn first_forbidden(text: &str) -> Option<char> {
    text.chars().find(|&c| is_forbidden(c))
}

/// The message for a field holding `c`: it names the character by code point, never by itself.
pub fn forbidden_message(c: char) -> String {
    format!(
        "Remove the control character U+{:04X}: text may hold tab, newline and carriage return, but no other control characters.",
        u32::from(c)
    )
}

/// A field name taken from the request, made safe to show: refused characters are escaped and
/// the name is cut at 100 characters (the name itself may be the bad input).
pub fn field_label(raw: &str) -> String {
    let mut label = String::new();
    for c in raw.chars().take(100) {
        if is_forbidden(c) {
            label.push_str(&format!("\\u{{{:x}}}", u32::from(c)));
        } else {
            label.push(c);
        }
    }
    if raw.chars().nth(100).is_some() {
        label.push('…');
    }
    label
}

/// The longest search text, in characters: longer is a 422 naming the field (`q`), never a
/// truncated search the user did not ask for nor a scan with a pattern nobody typed.
pub const SEARCH_MAX: usize = 200;

/// Search text as typed, trimmed, at most [`SEARCH_MAX`] characters. Deserializing a longer
/// one fails with a message naming the limit, so the extractors report the field.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SearchText(String);

impl SearchText {
    /// Why: search fields are typed into, so surrounding spaces are not part of the search.
    pub fn parse(raw: &str) -> Result<Self, String> {
        let text = raw.trim();
        if text.chars().count() > SEARCH_MAX {
            return Err(format!(
                "Search text is limited to {SEARCH_MAX} characters."
            ));
        }
        Ok(Self(text.to_string()))
    }

    /// The text to search for; None when nothing was typed.
    pub fn as_query(&self) -> Option<&str> {
        Some(self.0.as_str()).filter(|s| !s.is_empty())
    }

    /// Whether nothing was typed (templates show "all" then).
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The text as shown back in the search box (empty when none).
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for SearchText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for SearchText {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let raw = String::deserialize(deserializer)?;
        Self::parse(&raw).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nul_and_other_controls_are_refused_but_tab_newline_and_return_pass() {
        let cases = [
            ("plain", None),
            ("tab\tnewline\nreturn\r", None),
            ("nul\u{0}", Some('\u{0}')),
            ("bell\u{7}", Some('\u{7}')),
            ("escape\u{1b}[31m", Some('\u{1b}')),
            ("delete\u{7f}", Some('\u{7f}')),
            ("c1\u{85}", Some('\u{85}')),
            ("first\u{1}then\u{0}", Some('\u{1}')),
        ];
        for (text, found) in cases {
            assert_eq!(first_forbidden(text), found, "{text:?}");
        }
    }

    #[test]
    fn odd_but_printable_unicode_passes() {
        for text in [
            "Zoë 😀",
            "\u{200f}שלום\u{200e}",
            "e\u{301}",
            "𝄞 \u{10348}",
            "\u{feff}bom",
            "zero\u{200b}width",
            "",
        ] {
            assert_eq!(first_forbidden(text), None, "{text:?}");
        }
    }

    #[test]
    fn the_message_names_the_code_point_not_the_character() {
        let message = forbidden_message('\u{0}');
        assert!(message.contains("U+0000"), "{message}");
        assert!(!message.contains('\u{0}'));
    }

    #[test]
    fn field_labels_escape_refused_characters_and_stay_short() {
        assert_eq!(field_label("notes"), "notes");
        assert_eq!(field_label("no\u{0}tes"), "no\\u{0}tes");
        let long = "k".repeat(500);
        assert_eq!(field_label(&long).chars().count(), 101);
    }

    #[test]
    fn search_text_is_trimmed_and_capped() {
        assert_eq!(SearchText::parse("  ann ").unwrap().as_query(), Some("ann"));
        assert_eq!(SearchText::parse("   ").unwrap().as_query(), None);
        let at_limit = "é".repeat(SEARCH_MAX);
        assert!(SearchText::parse(&at_limit).is_ok());
        assert!(SearchText::parse(&format!("{at_limit}x")).is_err());
        assert!(SearchText::parse(&format!("  {at_limit}  ")).is_ok());
    }
}
