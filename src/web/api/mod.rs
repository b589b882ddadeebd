//! The JSON API of docs/api.md under `/api/v1`: bearer tokens, JSON errors, an OpenAPI document
//! generated from the handlers by utoipa.

pub mod applications;
pub mod companies;
pub mod contacts;
pub mod due;
pub mod jobs;
pub mod json;
pub mod paging;
pub mod reports;
pub mod settings;
pub mod touches;
pub mod users;

use axum::Router;
use axum::body::Body;
use axum::http::{Request, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, patch, post};
use utoipa::OpenApi;

use crate::error::ApiError;
use crate::state::AppState;

/// The OpenAPI document: every path and schema below is listed here.
#[derive(OpenApi)]
#[openapi(
    info(title = "Secondcall API", version = "1", description = "Follow-up engine for recruiting teams. Authenticate with `Authorization: Bearer TOKEN`.\n\n\
Team scoping: every id is of the caller's team. An id in the path, the contact a touch or snooze is about, the `job_id` and `candidate_id` of a new application, a `user_id` of GET /due and the ids a list is filtered by answer 404 when they are another team's, exactly as a missing id (and nothing is written). An id a body refers to otherwise (`company_id`, `decision_maker_id` of a job, `owner_id`, `reassign_to`) answers 422 naming the field.\n\n\
Lists take `limit` (1 to 500, default 50; more is a 422) and `cursor` (the opaque `next` of the previous page) and answer `{\"items\", \"next\"}` (`next` null at the end)."),
    paths(
        users::me, users::create_token, users::create, users::update,
        companies::create, companies::index, companies::show, companies::update, companies::create_event, companies::events,
        contacts::dm_create, contacts::dm_index, contacts::dm_show, contacts::dm_update, contacts::dm_destroy,
        contacts::candidate_create, contacts::candidate_index, contacts::candidate_show, contacts::candidate_update, contacts::candidate_destroy,
        touches::create, touches::index,
        jobs::create, jobs::index, jobs::show, jobs::update,
        applications::create, applications::show, applications::update,
        due::index, due::snooze, due::rebuild,
        settings::show, settings::update,
        reports::second_call_rate, reports::coverage,
    ),
    components(schemas(
        users::UserJson, users::TokenRequest, users::TokenJson, users::NewUserJson, users::UserPatch, json::ErrorJson,
        companies::CompanyJson, companies::CompanyPage, companies::CompanyFields, companies::EventJson, companies::EventBody,
        contacts::json::ContactJson, contacts::json::ContactPage, contacts::json::ContactFields,
        touches::TouchJson, touches::TouchBody, touches::TouchPage,
        jobs::JobJson, jobs::JobPage, jobs::JobFields,
        applications::ApplicationJson, applications::StageChangeJson, applications::ApplicationBody, applications::ApplicationPatch,
        due::DueListJson, due::DueItemJson, due::DueContact, due::SnoozeBody, due::RebuildBody, due::RebuildJson,
        settings::SettingsJson, settings::SettingsPatch, settings::Intervals, settings::IntervalsPatch, settings::GoneDark, settings::GoneDarkPatch,
        reports::SecondCallReportJson, reports::RateJson, reports::RecruiterRateJson,
        reports::CoverageJson, reports::CoverageCountsJson, reports::RecruiterCoverageJson, reports::UntouchedJson, reports::UntouchedPage,
    )),
    modifiers(&BearerAuth)
)]
pub struct ApiDoc;

struct BearerAuth;
impl utoipa::Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
        openapi.security = Some(vec![utoipa::openapi::security::SecurityRequirement::new(
            "bearer",
            Vec::<String>::new(),
        )]);
    }
}

/// The routes, relative to `/api/v1`.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/openapi.json",
            get(|| async { axum::Json(ApiDoc::openapi()) }),
        )
        .route("/me", get(users::me))
        .route(
            "/tokens",
            post(users::create_token).layer(crate::web::login::rate_limit_layer()),
        )
        .route("/users", post(users::create))
        .route("/users/{id}", patch(users::update))
        .route("/companies", get(companies::index).post(companies::create))
        .route(
            "/companies/{id}",
            get(companies::show).patch(companies::update),
        )
        .route(
            "/companies/{id}/events",
            get(companies::events).post(companies::create_event),
        )
        .route(
            "/decision-makers",
            get(contacts::dm_index).post(contacts::dm_create),
        )
        .route(
            "/decision-makers/{id}",
            get(contacts::dm_show)
                .patch(contacts::dm_update)
                .delete(contacts::dm_destroy),
        )
        .route(
            "/candidates",
            get(contacts::candidate_index).post(contacts::candidate_create),
        )
        .route(
            "/candidates/{id}",
            get(contacts::candidate_show)
                .patch(contacts::candidate_update)
                .delete(contacts::candidate_destroy),
        )
        .route("/touches", get(touches::index).post(touches::create))
        .route("/jobs", get(jobs::index).post(jobs::create))
        .route("/jobs/{id}", get(jobs::show).patch(jobs::update))
        .route("/applications", post(applications::create))
        .route(
            "/applications/{id}",
            get(applications::show).patch(applications::update),
        )
        .route("/due", get(due::index))
        .route("/due/snooze", post(due::snooze))
        .route("/due/rebuild", post(due::rebuild))
        .route("/settings", get(settings::show).patch(settings::update))
        .route("/reports/second-call-rate", get(reports::second_call_rate))
        .route("/reports/coverage", get(reports::coverage))
        .fallback(|| async { ApiError::not_found() })
        .layer(middleware::from_fn(json_errors))
}

/// Turns error responses made outside our handlers (413, 405, 408, 429 from layers) into the
/// JSON error format, so API clients always get `{"error": {...}}`.
async fn json_errors(req: Request<Body>, next: Next) -> Response {
    let resp = next.run(req).await;
    let status = resp.status();
    let is_json = resp
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if !(status.is_client_error() || status.is_server_error()) || is_json {
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
        _ if status.is_server_error() => "internal",
        _ => "error",
    };
    let message = status.canonical_reason().unwrap_or("Error");
    ApiError::new(status, code, message).into_response()
}
