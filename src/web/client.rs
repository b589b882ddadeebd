//! Who is at the other end of the connection: [`ClientAddr`], the address the rate limits and
//! the security log use. It is the connecting peer, unless the peer is one of TRUSTED_PROXIES:
//! then it is the right-most address of `X-Forwarded-For` that is not itself a trusted proxy.
//!
//! The header is read by hand (split on commas, each entry an IP address): `axum-client-ip`
//! takes only the right-most entry and never asks who sent the header, and a chain of proxies
//! needs the walk past the trusted ones; `ipnet` matches the ranges.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

use axum::extract::{ConnectInfo, FromRequestParts, Request, State};
use axum::http::HeaderMap;
use axum::http::request::Parts;
use axum::middleware::Next;
use axum::response::Response;
use ipnet::IpNet;
use tower_governor::GovernorError;
use tower_governor::key_extractor::KeyExtractor;

use crate::error::AppError;

/// The client's address.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientAddr(pub IpAddr);

impl<S: Send + Sync> FromRequestParts<S> for ClientAddr {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, AppError> {
        found_in(&parts.extensions)
            .ok_or_else(|| AppError::Internal(anyhow::anyhow!("served without connect info")))
    }
}

/// The address [`resolve_client`] put in the extensions, else the peer's.
fn found_in(extensions: &axum::http::Extensions) -> Option<ClientAddr> {
    extensions.get::<ClientAddr>().copied().or_else(|| {
        extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|ConnectInfo(peer)| ClientAddr(peer.ip().to_canonical()))
    })
}

/// The proxies whose `X-Forwarded-For` the server believes (TRUSTED_PROXIES).
#[derive(Debug, Clone, Default)]
pub struct TrustedProxies(Arc<[IpNet]>);

impl TrustedProxies {
    /// Why: built once at start from the configuration, shared by every request.
    pub fn new(ranges: &[IpNet]) -> Self {
        Self(ranges.into())
    }

    fn contains(&self, ip: IpAddr) -> bool {
        let ip = ip.to_canonical();
        self.0.iter().any(|net| net.contains(&ip))
    }

    /// The client of a request from `peer` carrying `headers`: the peer itself unless it is
    /// trusted; then the right-most `X-Forwarded-For` entry that is not a trusted proxy (or, if
    /// every entry is one, the left-most). A garbled entry met before that answer leaves the peer.
    pub fn client_of(&self, peer: IpAddr, headers: &HeaderMap) -> IpAddr {
        let peer = peer.to_canonical();
        if !self.contains(peer) {
            return peer;
        }
        let mut entries = Vec::new();
        for value in headers.get_all("x-forwarded-for") {
            let Ok(text) = value.to_str() else {
                return peer;
            };
            entries.extend(text.split(',').map(str::trim).filter(|e| !e.is_empty()));
        }
        let mut last_trusted = peer;
        for entry in entries.iter().rev() {
            let Some(ip) = parse_entry(entry) else {
                return peer;
            };
            if !self.contains(ip) {
                return ip;
            }
            last_trusted = ip;
        }
        last_trusted
    }
}

/// One hop of `X-Forwarded-For`: an address, possibly with a port (`1.2.3.4:5`, `[::1]:5`).
fn parse_entry(entry: &str) -> Option<IpAddr> {
    entry
        .parse::<IpAddr>()
        .or_else(|_| entry.parse::<SocketAddr>().map(|s| s.ip()))
        .ok()
        .map(|ip| ip.to_canonical())
}

/// Middleware: puts the request's [`ClientAddr`] into its extensions, for the extractor and the
/// rate limits' key. Installed by `startup::build_router` around every route.
pub async fn resolve_client(
    State(trusted): State<TrustedProxies>,
    mut req: Request,
    next: Next,
) -> Response {
    let peer = req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(peer)| peer.ip());
    if let Some(peer) = peer {
        let client = trusted.client_of(peer, req.headers());
        req.extensions_mut().insert(ClientAddr(client));
    }
    next.run(req).await
}

/// The rate limits' key: the client address, as [`ClientAddr`] says.
#[derive(Debug, Clone, Copy)]
pub struct ClientKey;

impl KeyExtractor for ClientKey {
    type Key = IpAddr;

    fn extract<T>(&self, req: &axum::http::Request<T>) -> Result<IpAddr, GovernorError> {
        found_in(req.extensions())
            .map(|ClientAddr(ip)| ip)
            .ok_or(GovernorError::UnableToExtractKey)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn proxies(list: &[&str]) -> TrustedProxies {
        let nets: Vec<IpNet> = list.iter().map(|s| s.parse().unwrap()).collect();
        TrustedProxies::new(&nets)
    }

    fn xff(values: &[&str]) -> HeaderMap {
        let mut headers = HeaderMap::new();
        for v in values {
            headers.append("x-forwarded-for", v.parse().unwrap());
        }
        headers
    }

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn without_trusted_proxies_the_header_is_ignored() {
        let none = TrustedProxies::default();
        let got = none.client_of(ip("127.0.0.1"), &xff(&["203.0.113.5"]));
        assert_eq!(got, ip("127.0.0.1"));
    }

    #[test]
    fn an_untrusted_peer_is_the_client_whatever_it_claims() {
        let trusted = proxies(&["10.0.0.0/8"]);
        let got = trusted.client_of(ip("198.51.100.7"), &xff(&["203.0.113.5"]));
        assert_eq!(got, ip("198.51.100.7"));
    }

    #[test]
    fn a_trusted_peer_names_the_right_most_untrusted_address() {
        let trusted = proxies(&["127.0.0.1/32", "10.0.0.0/8"]);
        let table = [
            (vec!["203.0.113.5"], "203.0.113.5"),
            // a client's forged entry on the left is passed over
            (vec!["1.1.1.1, 203.0.113.5"], "203.0.113.5"),
            // a chain: our proxy, then an inner proxy of ours
            (vec!["203.0.113.5, 10.1.2.3"], "203.0.113.5"),
            (vec!["1.1.1.1", "203.0.113.5, 10.1.2.3"], "203.0.113.5"),
            // garbage on the client's side does not matter
            (vec!["not-an-ip, 203.0.113.5"], "203.0.113.5"),
            (vec!["203.0.113.5:4711"], "203.0.113.5"),
            (vec!["[2001:db8::1]:4711"], "2001:db8::1"),
            // nothing usable: the peer
            (vec![], "127.0.0.1"),
            (vec!["203.0.113.5, garbage"], "127.0.0.1"),
            // only proxies: the furthest one
            (vec!["10.0.0.9, 10.0.0.8"], "10.0.0.9"),
        ];
        for (values, want) in table {
            let got = trusted.client_of(ip("127.0.0.1"), &xff(&values));
            assert_eq!(got, ip(want), "{values:?}");
        }
    }

    #[test]
    fn mapped_ipv4_peers_match_ipv4_ranges() {
        let trusted = proxies(&["127.0.0.1/32"]);
        let got = trusted.client_of(ip("::ffff:127.0.0.1"), &xff(&["203.0.113.5"]));
        assert_eq!(got, ip("203.0.113.5"));
    }
}
