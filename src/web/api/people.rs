//! `/decision-makers/{id}/export`, `/candidates/{id}/export` and the `/erase` twins (managers):
//! everything held about a person as JSON, and the erase of their personal data
//! (`actions::people`; DOMAIN.md, "People's data").

use axum::Json;
use axum::extract::{Path, State};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;

use crate::actions::people;
use crate::domain::cadence::ContactKind;
use crate::error::ApiResult;
use crate::state::AppState;
use crate::web::api::doc::Forbidden;
use crate::web::api::json::{ApiJson, ErrorJson};
use crate::web::client::ClientAddr;
use crate::web::extract::ApiManager;

use ContactKind::{Candidate, DecisionMaker};

/// Why the person is erased, for the security log (one line, at most 200 characters; not their
/// name).
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EraseBody {
    pub reason: Option<String>,
}

/// The answer of an erase.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErasedJson {
    pub kind: String,
    pub id: i64,
    pub erased: bool,
}

async fn export(
    app: AppState,
    user: ApiManager,
    client: ClientAddr,
    kind: ContactKind,
    id: i64,
) -> ApiResult<Json<Value>> {
    let cx = app.ctx_as(Some(user.0.id), client);
    Ok(Json(people::export(&cx, &user.0, kind, id).await?))
}

async fn erase(
    app: AppState,
    user: ApiManager,
    client: ClientAddr,
    (kind, id): (ContactKind, i64),
    body: EraseBody,
) -> ApiResult<Json<ErasedJson>> {
    let cx = app.ctx_as(Some(user.0.id), client);
    people::erase(
        &cx,
        &user.0,
        kind,
        id,
        body.reason.as_deref().unwrap_or_default(),
    )
    .await?;
    Ok(Json(ErasedJson {
        kind: kind.as_str().into(),
        id,
        erased: true,
    }))
}

/// Everything held about a decision maker: the record, touches with their notes and earlier
/// versions, the job orders they hire for, snoozes, the due item and its history, the security-log
/// entries about them. The export is logged.
#[utoipa::path(get, path = "/decision-makers/{id}/export", operation_id = "exportDecisionMaker", tag = "decision-makers", params(("id" = i64, Path)),
    responses((status = 200, description = "The document", body = Object), (status = 403, response = Forbidden)))]
pub async fn dm_export(
    State(app): State<AppState>,
    user: ApiManager,
    client: ClientAddr,
    Path(id): Path<i64>,
) -> ApiResult<Json<Value>> {
    export(app, user, client, DecisionMaker, id).await
}

/// Everything held about a candidate (as for a decision maker, with applications and their stage
/// history instead of job orders).
#[utoipa::path(get, path = "/candidates/{id}/export", operation_id = "exportCandidate", tag = "candidates", params(("id" = i64, Path)),
    responses((status = 200, description = "The document", body = Object), (status = 403, response = Forbidden)))]
pub async fn candidate_export(
    State(app): State<AppState>,
    user: ApiManager,
    client: ClientAddr,
    Path(id): Path<i64>,
) -> ApiResult<Json<Value>> {
    export(app, user, client, Candidate, id).await
}

/// Erases a decision maker's personal data for good; the anonymous facts the reports count stay,
/// and their email and phone are suppressed (a later create or import of them is refused).
#[utoipa::path(post, path = "/decision-makers/{id}/erase", operation_id = "eraseDecisionMaker", tag = "decision-makers", params(("id" = i64, Path)), request_body(content = Option<EraseBody>),
    responses((status = 200, description = "Erased", body = ErasedJson), (status = 403, response = Forbidden),
        (status = 409, description = "`conflict`: already erased", body = ErrorJson)))]
pub async fn dm_erase(
    State(app): State<AppState>,
    user: ApiManager,
    client: ClientAddr,
    Path(id): Path<i64>,
    body: Option<ApiJson<EraseBody>>,
) -> ApiResult<Json<ErasedJson>> {
    let body = body.map(|ApiJson(b)| b).unwrap_or_default();
    erase(app, user, client, (DecisionMaker, id), body).await
}

/// Erases a candidate's personal data (as for a decision maker).
#[utoipa::path(post, path = "/candidates/{id}/erase", operation_id = "eraseCandidate", tag = "candidates", params(("id" = i64, Path)), request_body(content = Option<EraseBody>),
    responses((status = 200, description = "Erased", body = ErasedJson), (status = 403, response = Forbidden),
        (status = 409, description = "`conflict`: already erased", body = ErrorJson)))]
pub async fn candidate_erase(
    State(app): State<AppState>,
    user: ApiManager,
    client: ClientAddr,
    Path(id): Path<i64>,
    body: Option<ApiJson<EraseBody>>,
) -> ApiResult<Json<ErasedJson>> {
    let body = body.map(|ApiJson(b)| b).unwrap_or_default();
    erase(app, user, client, (Candidate, id), body).await
}
