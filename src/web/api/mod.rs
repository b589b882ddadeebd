//! The JSON API of docs/api.md under `/api/v1`: bearer tokens, JSON errors, an OpenAPI document
//! generated from the handlers by utoipa.

pub mod applications;
pub mod audit;
pub mod away;
pub mod calendar;
pub mod companies;
pub mod contacts;
pub mod doc;
pub mod due;
pub mod exports;
pub mod imports;
pub mod jobs;
pub mod json;
pub mod paging;
pub mod people;
pub mod reports;
pub mod settings;
pub mod tokens;
pub mod touches;
pub mod users;

use std::sync::Arc;

use axum::body::Body;
use axum::extract::OriginalUri;
use axum::http::{HeaderValue, Request, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Router};
use utoipa_axum::router::{OpenApiRouter, UtoipaMethodRouterExt};
use utoipa_axum::routes;

use crate::error::ApiError;
use crate::state::AppState;
use crate::web::limits::Limits;

/// Every operation, relative to [`doc::PREFIX`]: a handler is routed by its `#[utoipa::path]`
/// (method and path) and documented by it in the same step, so no route exists without its
/// documentation. One `routes!` per path (but /tokens, whose POST alone is rate-limited); nothing
/// here uses axum's `route`.
fn operations(limits: &Limits) -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(openapi_document))
        .routes(routes!(users::me))
        // two `routes!` for /tokens: the login rate limit is the POST's alone
        .routes(routes!(tokens::create).layer(limits.tokens_layer()))
        .routes(routes!(tokens::index))
        .routes(routes!(tokens::destroy))
        .routes(routes!(users::create))
        .routes(routes!(users::update))
        .routes(routes!(companies::index, companies::create))
        .routes(routes!(companies::show, companies::update))
        .routes(routes!(companies::events, companies::create_event))
        .routes(routes!(contacts::dm_index, contacts::dm_create))
        .routes(routes!(
            contacts::dm_show,
            contacts::dm_update,
            contacts::dm_destroy
        ))
        .routes(routes!(
            contacts::candidate_index,
            contacts::candidate_create
        ))
        .routes(routes!(
            contacts::candidate_show,
            contacts::candidate_update,
            contacts::candidate_destroy
        ))
        .routes(routes!(touches::index, touches::create))
        .routes(routes!(jobs::index, jobs::create))
        .routes(routes!(jobs::show, jobs::update))
        .routes(routes!(applications::create))
        .routes(routes!(applications::show, applications::update))
        .routes(routes!(due::index))
        .routes(routes!(due::snooze))
        .routes(routes!(due::rebuild))
        .routes(routes!(settings::show, settings::update))
        .routes(routes!(reports::second_call_rate))
        .routes(routes!(reports::coverage))
        .routes(routes!(audit::index))
        .routes(routes!(away::index, away::create))
        .routes(routes!(away::destroy))
        .routes(routes!(people::dm_export))
        .routes(routes!(people::candidate_export))
        .routes(routes!(people::dm_erase))
        .routes(routes!(people::candidate_erase))
        .routes(routes!(calendar::create, calendar::destroy))
        .routes(routes!(exports::contacts))
        // a file of up to 20 MB: the one route whose body may pass the API's 2 MB
        .routes(
            routes!(imports::create).layer(axum::extract::DefaultBodyLimit::max(
                crate::actions::imports::MAX_FILE_BYTES,
            )),
        )
        .routes(routes!(exports::touches))
}

/// The document, serialized once when the routes are made.
#[derive(Clone)]
struct Document(Arc<str>);

/// This document: the OpenAPI 3.1 description of every operation of the API.
#[utoipa::path(get, path = "/openapi.json", operation_id = "getOpenApiDocument", tag = "meta", security(()),
    responses((status = 200, description = "The OpenAPI document", content_type = "application/json", body = Object)))]
async fn openapi_document(Extension(Document(json)): Extension<Document>) -> Response {
    (
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        )],
        json.to_string(),
    )
        .into_response()
}

/// The routes, relative to `/api/v1`. No answer may be kept by a cache (`no-store`).
pub fn routes(limits: &Limits) -> Router<AppState> {
    let (router, operations) = operations(limits).split_for_parts();
    let json = serde_json::to_string(&doc::document(operations))
        .expect("the OpenAPI document serializes (it is plain data)");
    router
        .layer(Extension(Document(json.into())))
        .fallback(|| async { ApiError::not_found() })
        .layer(middleware::from_fn(json_errors))
        .layer(crate::web::no_store())
}

/// Turns the error responses of the API's paths made by the middleware around the handlers (the
/// body limit, a wrong method, the timeout, the rate limit, the panic guard) into the JSON error
/// format, so API clients always get `{"error": {...}}`. It runs around the API's router (a
/// wrong method, the rate limit) and, for the layers that answer before a request reaches any
/// router, around the whole app (`startup::build_router`).
pub async fn json_errors(req: Request<Body>, next: Next) -> Response {
    // inside the nested router the URI has lost its prefix; the original one has it
    let path = match req.extensions().get::<OriginalUri>() {
        Some(original) => original.path(),
        None => req.uri().path(),
    };
    let api = path
        .strip_prefix(doc::PREFIX)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'));
    let resp = next.run(req).await;
    let status = resp.status();
    let is_json = resp
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if !api || !(status.is_client_error() || status.is_server_error()) || is_json {
        return resp;
    }
    let code = match status.as_u16() {
        400 => "bad_request",
        401 => "unauthorized",
        403 => "forbidden",
        404 => "not_found",
        405 => "method_not_allowed",
        408 => "timeout",
        409 => "conflict",
        413 => "payload_too_large",
        415 => "unsupported_media_type",
        429 => "rate_limited",
        503 => "unavailable",
        _ if status.is_server_error() => "internal",
        _ => "error",
    };
    let message = status.canonical_reason().unwrap_or("Error");
    // the new body, with the headers the layers set (`Allow`, `X-Request-Id`...) kept
    let (mut parts, _) = resp.into_parts();
    let (json, body) = ApiError::new(status, code, message)
        .into_response()
        .into_parts();
    for name in [
        header::CONTENT_TYPE,
        header::CONTENT_LENGTH,
        header::CONTENT_ENCODING,
    ] {
        parts.headers.remove(name);
    }
    parts.headers.extend(json.headers);
    Response::from_parts(parts, body)
}
