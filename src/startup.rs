//! Building and running the application: state, router, middleware, serve, graceful shutdown.

use std::future::IntoFuture;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use axum::Router;
use axum::http::{HeaderName, HeaderValue, StatusCode, header};
use sqlx::PgPool;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;
use tower::ServiceBuilder;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::compression::CompressionLayer;
use tower_http::csrf::CsrfLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::sensitive_headers::SetSensitiveHeadersLayer;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;
use tower_sessions::cookie::SameSite;
use tower_sessions::{Expiry, SessionManagerLayer};

use crate::clock::Clock;
use crate::config::Config;
use crate::due::rebuilds::Rebuilder;
use crate::error::ErrorPage;
use crate::page_cache::PageCache;
pub use crate::state::AppState;
use crate::web::client::{TrustedProxies, resolve_client};
use crate::web::limits::Limits;

/// The strict policy: everything from our own origin, no inline script or style, no framing.
const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
    font-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'";

/// Sent with Secure cookies: browsers then use HTTPS only, for a year, subdomains included.
const HSTS: &str = "max-age=31536000; includeSubDomains";

/// How long a stopping server waits for its requests and background tasks: under the 10 s a
/// container runtime gives between SIGTERM and SIGKILL, with room to stop the embedded cluster.
const GRACE: Duration = Duration::from_secs(5);

/// A server bound to its port, ready to run: what `secondcall serve` runs and the tests start.
pub struct Application {
    listener: TcpListener,
    router: Router,
    state: AppState,
    setup_code: Option<String>,
}

/// What a public server tells its operator at start: the setup code while no team exists, and
/// that PUBLIC_URL is missing. Returns the code.
async fn first_run_checks(config: &Config, db: &PgPool) -> anyhow::Result<Option<String>> {
    if !config.is_public() {
        return Ok(None);
    }
    if config.public_url.is_none() {
        tracing::warn!(
            "PUBLIC_URL is not set: this public server builds no absolute links (API address, \
             links in mail and feeds). Set PUBLIC_URL to the address users reach, e.g. https://crm.example.com"
        );
    }
    let code = crate::auth::setup_code::issue(db)
        .await
        .context("storing the setup code")?;
    if let Some(code) = &code {
        tracing::warn!(
            setup_code = %code,
            "FIRST RUN: no team exists yet. Open /setup and enter the one-time setup code {code} \
             to create the first team and its manager (any instance's code works until then)"
        );
    }
    Ok(code)
}

impl Application {
    /// Binds the listener first, so callers (tests) know the port before anything is served.
    pub async fn build(config: Config, db: PgPool, clock: Clock) -> anyhow::Result<Self> {
        let listener = TcpListener::bind(config.bind)
            .await
            .with_context(|| format!("binding {}", config.bind))?;
        let pause = config.rebuild_pause_ms.map(Duration::from_millis);
        let setup_code = first_run_checks(&config, &db).await?;
        let state = AppState {
            rebuilds: Rebuilder::new(db.clone(), clock.clone(), pause),
            lookups: Arc::new(crate::db::lookups(&db)),
            hot: Arc::new(crate::db::hot(&db, config.pool_size())),
            db,
            pages: PageCache::new(config.page_cache_mb),
            limits: Limits::new(&config),
            mail: crate::mail::Mail::from_config(&config)?,
            config: Arc::new(config),
            clock,
        };
        let router = build_router(state.clone())?;
        Ok(Self {
            listener,
            router,
            state,
            setup_code,
        })
    }

    /// The one-time setup code this instance printed in its log (a public server before its
    /// first team exists): how the tests read it, as an operator reads the log.
    pub fn setup_code(&self) -> Option<&str> {
        self.setup_code.as_deref()
    }

    /// The state the server runs with (its clock, its pool).
    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// The bound port (port 0 in the config picks a free one).
    pub fn port(&self) -> u16 {
        self.listener.local_addr().map(|a| a.port()).unwrap_or(0)
    }

    /// Starts the background tasks (`background::spawn_background`) and serves until `shutdown`
    /// fires; then requests in flight and the tasks get `GRACE` to finish.
    pub async fn run(self, shutdown: CancellationToken) -> anyhow::Result<()> {
        let tasks = crate::background::spawn_background(&self.state, &shutdown);
        let app = self
            .router
            .into_make_service_with_connect_info::<SocketAddr>();
        let server = axum::serve(self.listener, app)
            .with_graceful_shutdown(shutdown.clone().cancelled_owned())
            .into_future();
        let grace_over = async {
            shutdown.cancelled().await;
            tokio::time::sleep(GRACE).await;
        };
        let served = tokio::select! {
            served = server => served.context("serving HTTP"),
            () = grace_over => {
                tracing::warn!("requests still running at the end of the grace period were cut off");
                Ok(())
            }
        };
        shutdown.cancel();
        let tasks = futures_util::future::join_all(tasks);
        if tokio::time::timeout(GRACE, tasks).await.is_err() {
            tracing::warn!("background tasks still running at the end of the grace period");
        }
        self.state.lookups.close().await;
        self.state.hot.close().await;
        served
    }
}

/// The whole router with its middleware, outermost first.
pub fn build_router(state: AppState) -> anyhow::Result<Router> {
    let store = crate::auth::session_store::SessionStore::new(state.lookups.clone());
    let secure = state.config.secure_cookies();
    let sessions = SessionManagerLayer::new(store)
        .with_name(crate::auth::session::cookie_name(secure))
        .with_secure(secure)
        .with_same_site(SameSite::Lax)
        .with_http_only(true)
        .with_path("/")
        .with_expiry(Expiry::OnInactivity(
            tower_sessions::cookie::time::Duration::hours(
                crate::auth::session::IDLE_LIFETIME_HOURS,
            ),
        ));
    let mut csrf = CsrfLayer::new().with_insecure_bypass(|_, uri| uri.path().starts_with("/api/"));
    if let Some(origin) = &state.config.trusted_origin {
        csrf = csrf
            .add_trusted_origin(origin)
            .map_err(|e| anyhow::anyhow!("TRUSTED_ORIGIN: {e:?}"))?;
    }
    let pages = crate::web::page_routes(&state).layer(sessions);
    let trusted = TrustedProxies::new(&state.config.trusted_proxies);
    let hsts = secure.then(|| {
        SetResponseHeaderLayer::overriding(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static(HSTS),
        )
    });
    let router = Router::new()
        .merge(pages)
        .nest("/api/v1", crate::web::api::routes(&state.limits))
        .merge(crate::web::infra_routes())
        .fallback(not_found)
        .with_state(state);
    let request_id = HeaderName::from_static("x-request-id");
    let middleware = ServiceBuilder::new()
        .layer(SetRequestIdLayer::new(request_id.clone(), MakeRequestUuid))
        // who the client is (behind TRUSTED_PROXIES: the address they name), for everything below
        .layer(axum::middleware::from_fn_with_state(
            trusted,
            resolve_client,
        ))
        .layer(TraceLayer::new_for_http().make_span_with(crate::telemetry::make_span))
        .layer(PropagateRequestIdLayer::new(request_id))
        // the API's errors from the layers below (body limit, timeout, panic) as JSON
        .layer(axum::middleware::from_fn(crate::web::api::json_errors))
        .layer(CatchPanicLayer::custom(panic_page))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            Duration::from_secs(30),
        ))
        .layer(axum::middleware::from_fn(run_to_the_end))
        .layer(CompressionLayer::new())
        .layer(SetSensitiveHeadersLayer::new([
            header::AUTHORIZATION,
            header::COOKIE,
            header::SET_COOKIE,
        ]))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(CSP),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::X_FRAME_OPTIONS,
            HeaderValue::from_static("DENY"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::REFERRER_POLICY,
            HeaderValue::from_static("strict-origin-when-cross-origin"),
        ))
        .option_layer(hsts)
        .layer(axum::middleware::from_fn(crate::web::limits::body_limit))
        .layer(csrf);
    Ok(router.layer(middleware))
}

/// Runs each request in a task of its own, to its end: a client that goes away, or the timeout
/// above answering first, no longer drops a handler between two awaits. A write that started
/// finishes (or rolls back) whole, and no connection goes back to the pool inside a transaction:
/// sqlx 0.8.6 leaves one there when `begin` is dropped during its round trip (sqlx issue 4393,
/// fixed after 0.9.0), and the next request would run inside it. A panic in the task is raised
/// again here, for the panic page above.
async fn run_to_the_end(
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    use tracing::Instrument;
    let task = tokio::spawn(next.run(req).in_current_span());
    match task.await {
        Ok(response) => response,
        Err(e) if e.is_panic() => std::panic::resume_unwind(e.into_panic()),
        // only when the runtime itself shuts down
        Err(_) => ErrorPage::respond(
            StatusCode::SERVICE_UNAVAILABLE,
            "Shutting down",
            "The server is stopping. Try again in a moment.",
        ),
    }
}

async fn not_found() -> axum::response::Response {
    ErrorPage::respond(
        StatusCode::NOT_FOUND,
        "Not found",
        "There is nothing at this address. Check the link, or start from Today.",
    )
}

fn panic_page(_: Box<dyn std::any::Any + Send + 'static>) -> axum::response::Response {
    tracing::error!("a request handler panicked");
    ErrorPage::respond(
        StatusCode::INTERNAL_SERVER_ERROR,
        "Something went wrong",
        "Something went wrong on our side and nothing was changed. Try again in a moment.",
    )
}

/// Resolves when SIGINT or SIGTERM arrives.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(err) = tokio::signal::ctrl_c().await {
            tracing::error!(error = ?err, "cannot listen for SIGINT");
            std::future::pending::<()>().await;
        }
    };
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(err) => {
                tracing::error!(error = ?err, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    tokio::select! { () = ctrl_c => {}, () = terminate => {} }
    tracing::info!("shutdown signal received");
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::time::Duration;

    use axum::Router;
    use axum::body::Body;
    use axum::http::{Request, StatusCode};
    use axum::routing::get;
    use tokio::sync::Notify;
    use tower::ServiceExt;

    /// A request whose caller stops waiting still runs to its end.
    #[tokio::test]
    async fn a_request_left_by_its_client_still_runs_to_its_end() {
        let (go, done) = (Arc::new(Notify::new()), Arc::new(AtomicBool::new(false)));
        let (go_in, done_in) = (go.clone(), done.clone());
        let app = Router::new()
            .route(
                "/slow",
                get(move || async move {
                    go_in.notified().await;
                    done_in.store(true, Ordering::SeqCst);
                    "done"
                }),
            )
            .layer(axum::middleware::from_fn(super::run_to_the_end));
        let request = Request::get("/slow").body(Body::empty()).unwrap();
        let left = tokio::time::timeout(Duration::from_millis(50), app.oneshot(request)).await;
        assert!(left.is_err(), "the caller gave up before the handler ended");
        go.notify_one();
        for _ in 0..100 {
            if done.load(Ordering::SeqCst) {
                return;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        panic!("the handler was dropped with its caller");
    }

    async fn boom() -> &'static str {
        panic!("boom")
    }

    /// A panic in the task reaches the panic layer as before.
    #[tokio::test]
    async fn a_panic_in_the_task_still_answers_the_panic_page() {
        let app = Router::new()
            .route("/boom", get(boom))
            .layer(axum::middleware::from_fn(super::run_to_the_end))
            .layer(tower_http::catch_panic::CatchPanicLayer::custom(
                super::panic_page,
            ));
        let request = Request::get("/boom").body(Body::empty()).unwrap();
        let response = app.oneshot(request).await.unwrap();
        assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
    }
}
