//! Links the server builds and the redirect targets it accepts, shared by the pages and the
//! error responses (a login redirect carries the page the user asked for).

use crate::config::Config;

/// The one place that builds an absolute link (mail, feeds, the API address shown to users):
/// PUBLIC_URL + `path`. Without PUBLIC_URL only a server that is not public (loopback, the
/// developer's machine) uses the request's `Host`; a public server must not trust a header the
/// client chose for a link it hands to others, so it builds none (and warns at start).
pub fn absolute(config: &Config, request_host: Option<&str>, path: &str) -> Option<String> {
    debug_assert!(
        path.starts_with('/'),
        "absolute links are built from a path"
    );
    if let Some(base) = &config.public_url {
        return Some(format!("{base}{path}"));
    }
    if config.is_public() {
        return None;
    }
    let host = request_host.filter(|h| is_plain_host(h))?;
    let scheme = if config.secure_cookies() {
        "https"
    } else {
        "http"
    };
    Some(format!("{scheme}://{host}{path}"))
}

/// A `Host` value made only of what a host name, an address and a port may contain.
fn is_plain_host(host: &str) -> bool {
    !host.is_empty()
        && host.len() <= 255
        && host
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b".-:[]".contains(&b))
}

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
    use super::{absolute, is_safe_next, query_value};
    use crate::config::Config;

    fn config(bind: &str, proxies: bool, public_url: Option<&str>) -> Config {
        let mut c = Config::for_database("postgres://x");
        c.bind = bind.parse().unwrap();
        if proxies {
            c.trusted_proxies = vec!["127.0.0.1/32".parse().unwrap()];
        }
        c.public_url = public_url.map(String::from);
        c
    }

    #[test]
    fn public_url_makes_every_absolute_link() {
        let c = config("127.0.0.1:8080", true, Some("https://crm.example.com"));
        assert_eq!(
            absolute(&c, Some("evil.test"), "/api/v1").as_deref(),
            Some("https://crm.example.com/api/v1")
        );
        let c = config("127.0.0.1:8080", false, Some("https://crm.example.com/sc"));
        assert_eq!(
            absolute(&c, None, "/today").as_deref(),
            Some("https://crm.example.com/sc/today")
        );
    }

    #[test]
    fn on_loopback_without_public_url_the_request_host_is_used() {
        let c = config("127.0.0.1:8080", false, None);
        assert_eq!(
            absolute(&c, Some("localhost:8080"), "/api/v1").as_deref(),
            Some("http://localhost:8080/api/v1")
        );
        assert_eq!(absolute(&c, None, "/api/v1"), None);
        assert_eq!(absolute(&c, Some("a/b@evil"), "/api/v1"), None);
    }

    #[test]
    fn a_public_server_without_public_url_builds_no_absolute_link() {
        for c in [
            config("127.0.0.1:8080", true, None),
            config("0.0.0.0:8080", false, None),
        ] {
            assert_eq!(absolute(&c, Some("crm.example.com"), "/api/v1"), None);
        }
    }

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
