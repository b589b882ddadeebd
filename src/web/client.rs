//! Who is at the other end of the connection: [`ClientAddr`], the address the rate limits and
//! the security log use. Today it is the connecting peer; behind trusted reverse proxies it will
//! be the client they name.

use std::net::{IpAddr, SocketAddr};

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;

use crate::error::AppError;

/// The client's address.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientAddr(pub IpAddr);

impl<S: Send + Sync> FromRequestParts<S> for ClientAddr {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, AppError> {
        if let Some(found) = parts.extensions.get::<ClientAddr>() {
            return Ok(*found);
        }
        parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|ConnectInfo(peer)| ClientAddr(peer.ip()))
            .ok_or_else(|| AppError::Internal(anyhow::anyhow!("served without connect info")))
    }
}
