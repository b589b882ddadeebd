//! The web layer: routes, page layout, and one module per feature.

pub mod account;
pub mod api;
pub mod away;
pub mod board;
pub mod calendar;
pub mod chart;
pub mod client;
pub mod companies;
pub mod contact_form;
pub mod contact_page;
pub mod contacts;
pub mod exports;
pub mod extract;
pub mod fmt;
pub mod forms;
pub mod imports;
pub mod job_page;
pub mod jobs;
pub mod layout;
pub mod limits;
pub mod login;
pub mod mail;
pub mod people;
pub mod reports;
pub mod security_log;
pub mod settings;
pub mod setup;
pub mod today;
pub mod touch_edit;
pub mod users;
pub mod views;

use std::path::PathBuf;

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use tower_http::services::ServeDir;
use tower_http::set_header::SetResponseHeaderLayer;

use crate::state::AppState;

/// Page routes: they use the browser session. None of their answers may be kept by a cache
/// (`no-store`): most show a signed-in user's data.
pub fn page_routes(state: &AppState) -> Router<AppState> {
    let per_user = axum::middleware::from_fn_with_state(state.clone(), limits::per_user_pages);
    Router::new()
        .route("/", get(|| async { Redirect::to("/today") }))
        .route("/setup", get(setup::new_form).post(setup::create))
        .route(
            "/login",
            get(login::form)
                .post(login::create)
                .layer(state.limits.login_layer()),
        )
        .route("/logout", post(login::destroy))
        .route("/today", get(today::show))
        .route("/team", get(reports::show).layer(per_user.clone()))
        .route("/team/me", get(reports::me).layer(per_user.clone()))
        .route(
            "/team/list",
            get(reports::list::index).layer(per_user.clone()),
        )
        .route(
            "/team/list.csv",
            get(reports::list::csv).layer(per_user.clone()),
        )
        // the CSV exports (web::exports)
        .route(
            "/export/contacts.csv",
            get(exports::contacts).layer(per_user.clone()),
        )
        .route(
            "/export/touches.csv",
            get(exports::touches).layer(per_user.clone()),
        )
        .route("/contacts", get(contacts::index))
        .route("/contacts/new", get(contacts::new_form))
        // the CSV import (web::imports); the upload may be up to 20 MB
        .route(
            "/contacts/import",
            get(imports::new_form)
                .post(imports::create)
                .layer::<_, std::convert::Infallible>(per_user.clone())
                .layer(axum::extract::DefaultBodyLimit::max(
                    crate::actions::imports::MAX_FILE_BYTES,
                )),
        )
        .route("/contacts/import/{id}", get(imports::show))
        .route(
            "/contacts/import/{id}/mapping",
            post(imports::update_mapping),
        )
        .route(
            "/contacts/import/{id}/run",
            post(imports::run).layer(per_user),
        )
        .route("/contacts/import/{id}/left-out.csv", get(imports::left_out))
        .route("/contacts/{kind}", post(contacts::create))
        .route(
            "/contacts/{kind}/{id}",
            get(contact_page::show).post(contact_page::update),
        )
        .route("/contacts/{kind}/{id}/archive", post(contact_page::archive))
        .route(
            "/contacts/{kind}/{id}/touches",
            post(contact_page::log_touch),
        )
        .route("/contacts/{kind}/{id}/snooze", post(contact_page::snooze))
        // a person's data (web::people)
        .route("/contacts/{kind}/{id}/export", get(people::export))
        .route(
            "/contacts/{kind}/{id}/erase",
            get(people::erase_form).post(people::erase),
        )
        .route("/companies", get(companies::index).post(companies::create))
        .route(
            "/companies/{id}",
            get(companies::show).post(companies::update),
        )
        .route("/companies/{id}/events", post(companies::create_event))
        .route("/account", get(account::show))
        .route(
            "/account/password",
            get(account::password_form).post(account::update_password),
        )
        .route("/account/time-zone", post(account::update_time_zone))
        .route("/account/tokens", post(account::create_token))
        .route("/account/tokens/{id}/revoke", post(account::revoke_token))
        .route(
            "/account/sign-out-everywhere",
            post(account::sign_out_everywhere),
        )
        .route("/settings/tokens/{id}/revoke", post(users::revoke_token))
        .route("/settings/users", get(users::index).post(users::create))
        .route("/settings/users/new", get(users::new_form))
        .route("/board", get(board::show))
        .route("/jobs", get(jobs::index).post(jobs::create))
        .route("/jobs/new", get(jobs::new_form))
        .route("/jobs/{id}", get(job_page::show).post(job_page::update))
        .route("/jobs/{id}/edit", get(job_page::edit_form))
        .route("/applications", post(job_page::add))
        .route("/applications/{id}", get(job_page::application))
        .route("/applications/{id}/move", post(board::move_card))
        .route("/settings", get(settings::show).post(settings::update))
        .route("/settings/rebuild", post(settings::rebuild))
        .route("/settings/security-log", get(security_log::show))
        .route("/settings/users/{id}/deactivate", post(users::deactivate))
        .route("/settings/users/{id}/reactivate", post(users::reactivate))
        .route("/touches/{id}/edit", get(touch_edit::edit_form))
        .route("/touches/{id}", post(touch_edit::update))
        .route("/touches/{id}/delete", post(touch_edit::destroy))
        .route(
            "/settings/users/{id}/reset-password",
            post(users::reset_password),
        )
        // the calendar feed (web::calendar): the feed itself is authenticated by its secret
        .route("/calendar/{file}", get(calendar::feed))
        .route(
            "/account/calendar",
            get(calendar::show).post(calendar::replace),
        )
        .route("/account/calendar/off", post(calendar::turn_off))
        // the morning digest (web::mail)
        .route("/account/digest", post(mail::set_digest))
        .route("/settings/test-email", post(mail::test_email))
        // cover (web::away)
        .route("/account/away", post(away::create_own))
        .route("/account/away/{id}/delete", post(away::delete_own))
        .route("/settings/users/away", post(away::create_any))
        .route(
            "/settings/users/{user_id}/away/{id}/delete",
            post(away::delete_any),
        )
        .layer(no_store())
}

/// `Cache-Control: no-store` unless the handler said otherwise: for the pages and the API,
/// whose answers are a signed-in user's data that no browser or proxy cache should keep.
pub fn no_store() -> SetResponseHeaderLayer<HeaderValue> {
    SetResponseHeaderLayer::if_not_present(
        header::CACHE_CONTROL,
        HeaderValue::from_static("no-store"),
    )
}

/// Health checks and static files: no session, no auth.
pub fn infra_routes() -> Router<AppState> {
    let statics = ServeDir::new(static_dir());
    let cache = SetResponseHeaderLayer::overriding(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=31536000, immutable"),
    );
    Router::new()
        .route("/healthz", get(|| async { "ok" }))
        .route("/readyz", get(readyz))
        .route("/favicon.ico", get(favicon))
        .nest_service(
            "/static",
            tower::ServiceBuilder::new().layer(cache).service(statics),
        )
}

/// The icon browsers ask for at `/favicon.ico` on every page (the pages also link it under
/// `/static/img/`); compiled in, so it answers wherever `static/` is.
async fn favicon() -> Response {
    (
        [
            (header::CONTENT_TYPE, "image/x-icon"),
            (header::CACHE_CONTROL, "public, max-age=86400"),
        ],
        &include_bytes!("../../static/img/favicon.ico")[..],
    )
        .into_response()
}

async fn readyz(State(app): State<AppState>) -> Response {
    match sqlx::query_scalar::<_, i32>("select 1")
        .fetch_one(&app.db)
        .await
    {
        Ok(_) => (StatusCode::OK, "ready").into_response(),
        Err(err) => {
            tracing::warn!(error = ?err, "readiness check failed");
            (StatusCode::SERVICE_UNAVAILABLE, "database unreachable").into_response()
        }
    }
}

/// Where `static/` is: `STATIC_DIR`, else the checkout's folder (development and tests).
pub fn static_dir() -> PathBuf {
    std::env::var_os("STATIC_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/static")))
}

/// Where a form may send the user back to: `return_to` when it starts with one of the page
/// prefixes the form comes from (never another site), else `fallback`.
pub fn return_to(return_to: &str, allowed: &[&str], fallback: &str) -> String {
    if allowed.iter().any(|p| return_to.starts_with(p)) && crate::links::is_safe_next(return_to) {
        return_to.to_string()
    } else {
        fallback.to_string()
    }
}
