//! Rate limits held in memory by each instance: per client address for the login form, the
//! setup code and `POST /api/v1/tokens` (the per-account throttle is `auth::login`'s, in
//! PostgreSQL), and per signed-in user for the API and the report pages, so that one user's
//! script cannot starve the other teams.

use std::num::NonZeroU32;
use std::sync::{Arc, Weak};
use std::time::Duration;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use governor::clock::{Clock, DefaultClock, QuantaInstant};
use governor::middleware::NoOpMiddleware;
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use tower_governor::governor::{GovernorConfig, GovernorConfigBuilder};
use tower_governor::{GovernorError, GovernorLayer};
use tower_sessions::Session;

use crate::config::Config;
use crate::error::{AppError, ErrorPage};
use crate::state::AppState;
use crate::web::client::ClientKey;

type AddressLimit = Arc<GovernorConfig<ClientKey, NoOpMiddleware<QuantaInstant>>>;

/// The limiters of one instance, made once at start and shared by the routes that use them.
#[derive(Clone)]
pub struct Limits {
    /// POST /login and wrong setup codes, per client address.
    login: AddressLimit,
    /// POST /api/v1/tokens, per client address.
    tokens: AddressLimit,
    /// The API and the report pages, per user id; `None` when API_RATE_PER_SECOND is 0.
    per_user: Option<Arc<DefaultKeyedRateLimiter<i64>>>,
}

impl Limits {
    /// Why: the limiters must be shared by every route that counts against them, so they are
    /// made here once and handed to the routes, not made by each route.
    pub fn new(config: &Config) -> Self {
        let per_user = NonZeroU32::new(config.api_rate_per_second).map(|rate| {
            let burst = NonZeroU32::new(config.api_rate_burst).unwrap_or(rate);
            Arc::new(RateLimiter::keyed(
                Quota::per_second(rate).allow_burst(burst),
            ))
        });
        let limits = Self {
            login: address_limit(),
            tokens: address_limit(),
            per_user,
        };
        limits.forget_idle_keys();
        limits
    }

    /// The layer of POST /login.
    pub fn login_layer(&self) -> GovernorLayer<ClientKey, NoOpMiddleware<QuantaInstant>, Body> {
        layer(&self.login)
    }

    /// The layer of POST /api/v1/tokens.
    pub fn tokens_layer(&self) -> GovernorLayer<ClientKey, NoOpMiddleware<QuantaInstant>, Body> {
        layer(&self.tokens)
    }

    /// Counts a failed attempt that is not a login (a wrong setup code) against the login limit
    /// of the address; `Err` with the wait once the address is over it.
    pub fn count_failed_attempt(&self, client: std::net::IpAddr) -> Result<(), Duration> {
        self.login
            .limiter()
            .check_key(&client)
            .map_err(|not_until| not_until.wait_time_from(DefaultClock::default().now()))
    }

    /// One request of `user_id` on the API or a report page; `Err` with the wait when over.
    pub fn check_user(&self, user_id: i64) -> Result<(), Duration> {
        let Some(limiter) = &self.per_user else {
            return Ok(());
        };
        limiter
            .check_key(&user_id)
            .map_err(|not_until| not_until.wait_time_from(DefaultClock::default().now()))
    }

    /// Drops the state of keys that are back to full every minute, for as long as the limiters
    /// live (the task ends with the last copy of them).
    fn forget_idle_keys(&self) {
        let login = Arc::downgrade(&self.login);
        let tokens = Arc::downgrade(&self.tokens);
        let per_user = self.per_user.as_ref().map(Arc::downgrade);
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(Duration::from_secs(60));
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
            loop {
                tick.tick().await;
                let (Some(login), Some(tokens)) = (Weak::upgrade(&login), Weak::upgrade(&tokens))
                else {
                    return;
                };
                login.limiter().retain_recent();
                tokens.limiter().retain_recent();
                if let Some(limiter) = per_user.as_ref().and_then(Weak::upgrade) {
                    limiter.retain_recent();
                }
            }
        });
    }
}

/// Per client address: bursts of 10 posts, then one every 6 seconds (10 a minute).
fn address_limit() -> AddressLimit {
    GovernorConfigBuilder::default()
        .period(Duration::from_secs(6))
        .burst_size(10)
        .methods(vec![axum::http::Method::POST])
        .key_extractor(ClientKey)
        .finish()
        .map(Arc::new)
        .expect("a non-zero period and burst always make a valid governor config")
}

fn layer(config: &AddressLimit) -> GovernorLayer<ClientKey, NoOpMiddleware<QuantaInstant>, Body> {
    GovernorLayer::new(config.clone()).error_handler(|err| {
        let wait = match err {
            GovernorError::TooManyRequests { wait_time, .. } => Duration::from_secs(wait_time),
            _ => Duration::ZERO,
        };
        with_retry_after(AppError::TooManyRequests.into_response(), wait)
    })
}

/// `Retry-After` in whole seconds, at least one.
pub fn retry_after_secs(wait: Duration) -> u64 {
    (wait.as_secs() + u64::from(wait.subsec_nanos() > 0)).max(1)
}

/// Adds `Retry-After` to a 429.
pub fn with_retry_after(mut resp: Response, wait: Duration) -> Response {
    resp.headers_mut().insert(
        header::RETRY_AFTER,
        HeaderValue::from(retry_after_secs(wait)),
    );
    resp
}

/// Middleware of the report pages: a signed-in user over the per-user limit gets a 429 page
/// with `Retry-After`. Anyone else passes (the page itself sends strangers to the login).
pub async fn per_user_pages(
    State(app): State<AppState>,
    session: Session,
    req: Request,
    next: Next,
) -> Response {
    if let Some(auth) = crate::auth::session::current(&session).await
        && let Err(wait) = app.limits.check_user(auth.user_id)
    {
        let page = ErrorPage::respond(
            StatusCode::TOO_MANY_REQUESTS,
            "Too many requests",
            "You asked for a lot in a short time. Wait a few seconds, then try again.",
        );
        return with_retry_after(page, wait);
    }
    next.run(req).await
}

/// The largest request body of most routes.
pub const BODY_LIMIT: usize = 10 * 1024 * 1024;

/// The paths that take a whole file (an import): they may send up to
/// `actions::imports::MAX_FILE_BYTES`.
fn takes_a_file(path: &str) -> bool {
    path == "/api/v1/imports" || path == "/contacts/import"
}

/// Middleware around every route: a body over the path's limit is refused with 413 (by its
/// `Content-Length` at once, else while it is read), with a clear message on the import pages.
pub async fn body_limit(req: Request, next: Next) -> Response {
    let path = req.uri().path().to_string();
    let limit = if takes_a_file(&path) {
        crate::actions::imports::MAX_FILE_BYTES
    } else {
        BODY_LIMIT
    };
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > limit as u64) {
        let mb = limit / (1024 * 1024);
        return if path.starts_with("/api/") {
            crate::error::ApiError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "payload_too_large",
                format!("The body is over {mb} MB."),
            )
            .into_response()
        } else {
            ErrorPage::respond(
                StatusCode::PAYLOAD_TOO_LARGE,
                "File too large",
                format!(
                    "The file is over {mb} MB, the most one import takes. Split it into smaller files and import them one after the other."
                ),
            )
        };
    }
    let req = req.map(|body| Body::new(http_body_util::Limited::new(body, limit)));
    next.run(req).await
}

#[cfg(test)]
mod tests {
    use super::retry_after_secs;
    use std::time::Duration;

    #[test]
    fn retry_after_rounds_up_to_whole_seconds() {
        assert_eq!(retry_after_secs(Duration::ZERO), 1);
        assert_eq!(retry_after_secs(Duration::from_millis(10)), 1);
        assert_eq!(retry_after_secs(Duration::from_secs(6)), 6);
        assert_eq!(retry_after_secs(Duration::from_millis(6001)), 7);
    }
}
