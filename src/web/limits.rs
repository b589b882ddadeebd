//! Rate limits per client address, for the login form and `POST /api/v1/tokens` alike (the
//! per-account throttle is `auth::login`'s, in PostgreSQL).

use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::response::IntoResponse;
use governor::clock::QuantaInstant;
use governor::middleware::NoOpMiddleware;
use tower_governor::GovernorLayer;
use tower_governor::governor::GovernorConfigBuilder;
use tower_governor::key_extractor::PeerIpKeyExtractor;

use crate::error::AppError;

/// Per client address: bursts of 10 login posts, then one every 6 seconds (10 a minute).
pub fn rate_limit_layer() -> GovernorLayer<PeerIpKeyExtractor, NoOpMiddleware<QuantaInstant>, Body>
{
    let config = GovernorConfigBuilder::default()
        .period(Duration::from_secs(6))
        .burst_size(10)
        .methods(vec![axum::http::Method::POST])
        .finish()
        .map(Arc::new)
        .expect("a non-zero period and burst always make a valid governor config");
    let limiter = config.limiter().clone();
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(60));
        loop {
            tick.tick().await;
            limiter.retain_recent();
        }
    });
    GovernorLayer::new(config).error_handler(|_| AppError::TooManyRequests.into_response())
}
