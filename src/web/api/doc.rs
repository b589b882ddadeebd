//! The OpenAPI document's frame and its error answers: the info and tags, the bearer scheme, one
//! response component per error status, and the rules that say which operation can answer which
//! of them. The operations themselves come from the handlers' `#[utoipa::path]`, registered with
//! their routes in `super::routes`.

use utoipa::OpenApi;
use utoipa::openapi::path::{Operation, ParameterIn};
use utoipa::openapi::response::{Response, ResponseBuilder};
use utoipa::openapi::schema::{Schema, SchemaType, Type};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityRequirement, SecurityScheme};
use utoipa::openapi::{ContentBuilder, Ref, RefOr, Required};

use super::json::{ErrorDetailJson, ErrorJson};

/// Where the API is served: the prefix of every path of the document.
pub const PREFIX: &str = "/api/v1";

/// The name of the bearer token scheme in `components.securitySchemes`.
const BEARER: &str = "bearer";

/// The frame of the document; its paths are added by [`document`].
#[derive(OpenApi)]
#[openapi(
    info(title = "Secondcall API", version = "1", description = "Follow-up engine for recruiting teams. Authenticate with `Authorization: Bearer TOKEN` (a token from POST /api/v1/tokens).\n\n\
Team scoping: every id is of the caller's team. An id in the path, the contact a touch or snooze is about, the `job_id` and `candidate_id` of a new application, a `user_id` of GET /due and the ids a list is filtered by answer 404 when they are another team's, exactly as a missing id (and nothing is written). An id a body refers to otherwise (`company_id`, `decision_maker_id` of a job, `owner_id`, `reassign_to`) answers 422 naming the field.\n\n\
Lists take `limit` (1 to 500, default 50; more is a 422) and `cursor` (the opaque `next` of the previous page) and answer `{\"items\", \"next\"}` (`next` null at the end).\n\n\
Errors: every error has the body `{\"error\": {\"code\", \"message\", \"field\"?}}` (schema `ErrorJson`); the `code` is stable, the message is for people."),
    tags(
        (name = "users", description = "The caller, API tokens and the team's users"),
        (name = "companies", description = "Companies and their news events"),
        (name = "decision-makers", description = "Decision makers: the client contacts"),
        (name = "candidates", description = "Candidates"),
        (name = "touches", description = "Calls, emails and other touches logged with a contact"),
        (name = "jobs", description = "Job orders"),
        (name = "applications", description = "Candidates in a job's pipeline"),
        (name = "due", description = "Due lists: who to follow up with, and when"),
        (name = "settings", description = "The team's cadence settings"),
        (name = "reports", description = "Managers' reports"),
        (name = "exports", description = "CSV exports of contacts and touches"),
        (name = "imports", description = "Contacts imported from CSV files"),
        (name = "meta", description = "This document"),
    ),
    components(schemas(ErrorJson, ErrorDetailJson)),
)]
struct Frame;

/// One error answer of the API: a response component referred to by status.
struct ErrorAnswer {
    status: u16,
    name: &'static str,
    when: &'static str,
}

/// Every error status the API answers (docs/api.md, "Errors"), with its component's name. A 500
/// is a bug and not listed.
const ERRORS: [ErrorAnswer; 10] = [
    ErrorAnswer {
        status: 400,
        name: "BadRequest",
        when: "`bad_request`: the body is not JSON or not readable, its content type is not `application/json`, or an id in the path is not an integer",
    },
    ErrorAnswer {
        status: 401,
        name: "Unauthorized",
        when: "`unauthorized`: no valid token (missing, unknown, revoked, or its user deactivated)",
    },
    ErrorAnswer {
        status: 403,
        name: "Forbidden",
        when: "`forbidden`: the caller's role does not allow it (managers only)",
    },
    ErrorAnswer {
        status: 404,
        name: "NotFound",
        when: "`not_found`: no such object in the caller's team",
    },
    ErrorAnswer {
        status: 408,
        name: "Timeout",
        when: "`timeout`: the request took longer than 30 s",
    },
    ErrorAnswer {
        status: 409,
        name: "Conflict",
        when: "`conflict`: the request conflicts with the current state",
    },
    ErrorAnswer {
        status: 413,
        name: "PayloadTooLarge",
        when: "`payload_too_large`: the body is too large",
    },
    ErrorAnswer {
        status: 422,
        name: "Invalid",
        when: "`invalid`: a field or parameter is missing, of the wrong type, out of range, unknown, or holds a control character; `field` names it",
    },
    ErrorAnswer {
        status: 429,
        name: "RateLimited",
        when: "`rate_limited`: too many requests: token requests or failed logins from this address or for this account (about 10 a minute), or requests of this user (the per-user limit, by default 20 a second after a burst of 100); `Retry-After` gives the seconds to wait",
    },
    ErrorAnswer {
        status: 503,
        name: "Unavailable",
        when: "`unavailable`: the database did not answer in time (or the server is stopping); nothing was changed, try again",
    },
];

fn answer(status: u16) -> &'static ErrorAnswer {
    ERRORS
        .iter()
        .find(|e| e.status == status)
        .expect("every status the rules below add is in ERRORS")
}

/// An error response with the error body.
fn error_response(description: &str) -> Response {
    ResponseBuilder::new()
        .description(description)
        .content(
            "application/json",
            ContentBuilder::new()
                .schema(Some(Ref::from_schema_name("ErrorJson")))
                .build(),
        )
        .build()
}

/// The error response components an annotation may name with `response = ...`.
macro_rules! error_components {
    ($($name:ident = $status:literal),* $(,)?) => {$(
        #[doc = concat!("The shared ", stringify!($status), " answer, for `response = ", stringify!($name), "` in an annotation.")]
        pub struct $name;
        impl<'r> utoipa::ToResponse<'r> for $name {
            fn response() -> (&'r str, RefOr<Response>) {
                let e = answer($status);
                (e.name, error_response(e.when).into())
            }
        }
    )*};
}

error_components!(
    Forbidden = 403,
    NotFound = 404,
    Conflict = 409,
    RateLimited = 429
);

/// The whole document: the frame, the operations (paths relative to [`PREFIX`]), and the error
/// answers each operation has by the way it is made:
///
/// - every operation: 408 (the timeout) and 503 (the database, or a stopping server);
/// - an operation with a token (all but those declared `security(())`): 401, and 429 (the
///   per-user limit);
/// - a request body (`ApiJson`): 400, 413 and 422;
/// - a path parameter (an id): 400 (not an integer) and 404;
/// - query parameters (`ApiQuery`): 422.
///
/// The rest (403 of manager-only operations, 404 of ids in a body or a filter, 409, the 429 of
/// the per-address limit) is in each handler's annotation.
pub fn document(operations: utoipa::openapi::OpenApi) -> utoipa::openapi::OpenApi {
    let mut doc = Frame::openapi().nest(PREFIX, operations);
    let components = doc.components.get_or_insert_with(Default::default);
    for e in &ERRORS {
        components
            .responses
            .insert(e.name.to_string(), error_response(e.when).into());
    }
    components.add_security_scheme(
        BEARER,
        SecurityScheme::Http(
            HttpBuilder::new()
                .scheme(HttpAuthScheme::Bearer)
                .bearer_format("opaque")
                .description(Some(
                    "An API token from POST /api/v1/tokens, the Account page or `secondcall admin create-token`.",
                ))
                .build(),
        ),
    );
    doc.security = Some(vec![bearer()]);
    for item in doc.paths.paths.values_mut() {
        let operations = [
            &mut item.get,
            &mut item.put,
            &mut item.post,
            &mut item.delete,
            &mut item.options,
            &mut item.head,
            &mut item.patch,
            &mut item.trace,
        ];
        for op in operations.into_iter().flatten() {
            add_error_answers(op);
            no_null_body(op);
        }
    }
    doc
}

fn bearer() -> SecurityRequirement {
    SecurityRequirement::new(BEARER, Vec::<String>::new())
}

/// Makes the operation's security explicit (`[]` when public, the bearer scheme otherwise) and adds
/// the error answers that follow from its shape.
fn add_error_answers(op: &mut Operation) {
    let public = op
        .security
        .as_ref()
        .is_some_and(|s| s.iter().all(|r| *r == SecurityRequirement::default()));
    op.security = Some(if public { Vec::new() } else { vec![bearer()] });
    let has = |place: ParameterIn| {
        op.parameters
            .iter()
            .flatten()
            .any(|p| p.parameter_in == place)
    };
    let mut statuses = vec![408, 503];
    if !public {
        statuses.extend([401, 429]);
    }
    if op.request_body.is_some() {
        statuses.extend([400, 413, 422]);
    }
    if has(ParameterIn::Path) {
        statuses.extend([400, 404]);
    }
    if has(ParameterIn::Query) {
        statuses.push(422);
    }
    for status in statuses {
        let e = answer(status);
        op.responses
            .responses
            .entry(status.to_string())
            .or_insert_with(|| Ref::from_response_name(e.name).into());
    }
}

/// An optional body (`Option<ApiJson<T>>`) is sent or left out, and a JSON `null` is refused like
/// any other non-object: its schema is `T`'s, without the `null` utoipa adds for the `Option`.
fn no_null_body(op: &mut Operation) {
    let Some(body) = op.request_body.as_mut() else {
        return;
    };
    if body.required == Some(Required::True) {
        return;
    }
    for content in body.content.values_mut() {
        if let Some(RefOr::T(Schema::OneOf(one_of))) = &content.schema
            && let [only] = one_of
                .items
                .iter()
                .filter(|s| !is_null(s))
                .collect::<Vec<_>>()
                .as_slice()
        {
            content.schema = Some((*only).clone());
        }
    }
}

fn is_null(schema: &RefOr<Schema>) -> bool {
    matches!(schema, RefOr::T(Schema::Object(o)) if o.schema_type == SchemaType::Type(Type::Null))
}
