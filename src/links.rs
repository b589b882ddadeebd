//! Links the server builds and the redirect targets it accepts, shared by the pages and the
//! error responses (a login redirect carries the page the user asked for).

/// Percent-encodes a query-string value (`/` and the unreserved characters stay as they are,
/// which RFC 3986 allows in a query).
pub fn query_value(v: &str) -> String {
    v.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'/' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// Only relative paths on this site may be redirect targets after login (no open redirect).
pub fn is_safe_next(next: &str) -> bool {
    next.starts_with('/')
        && !next.starts_with("//")
        && !next.starts_with("/\\")
        && !next.contains(['\r', '\n'])
}

#[cfg(test)]
mod tests {
    use super::{is_safe_next, query_value};

    #[test]
    fn next_accepts_only_local_paths() {
        assert!(is_safe_next("/contacts?q=a"));
        for bad in ["//evil.com", "https://evil.com", "/\\evil.com", "evil", ""] {
            assert!(!is_safe_next(bad), "{bad}");
        }
    }

    #[test]
    fn query_values_are_percent_encoded() {
        assert_eq!(query_value("/today?a=b c"), "/today%3Fa%3Db%20c");
    }
}
