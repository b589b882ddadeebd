//! `/decision-makers` and `/candidates`: one implementation for both kinds, with a thin handler
//! per path so that each appears in the OpenAPI document. DELETE archives: the contact leaves
//! lists and due lists and answers 404 afterwards; its touches and history stay.

pub mod json;

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;

use crate::actions::contacts as act;
use crate::actions::input::ContactInput;
use crate::db::contacts::{self, Contact, ListFilter};
use crate::db::{companies, users};
use crate::domain::cadence::ContactKind;
use crate::due::engine;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use crate::text::SearchText;
use crate::web::api::json::{ApiJson, ApiQuery, ErrorJson};
use crate::web::api::paging;
use crate::web::extract::ApiUser;
use json::{ContactFields, ContactJson, ContactPage, ContactQuery, input_of};

use ContactKind::{Candidate, DecisionMaker};

/// Answers contacts with what comes next for each (one batch for the whole set).
async fn answer(
    app: &AppState,
    team_id: i64,
    kind: ContactKind,
    rows: Vec<Contact>,
) -> ApiResult<Vec<ContactJson>> {
    let pending: Vec<(i64, i64)> = rows
        .iter()
        .filter(|c| c.due_reason.is_none())
        .map(|c| (c.id, c.owner_id))
        .collect();
    let upcoming = engine::upcoming_for(&app.db, team_id, kind, &pending, app.clock.now()).await?;
    Ok(rows
        .into_iter()
        .map(|c| ContactJson::new(kind, c, &upcoming))
        .collect())
}

/// A live (not archived) contact of the team, or 404.
async fn live(app: &AppState, team_id: i64, kind: ContactKind, id: i64) -> ApiResult<Contact> {
    contacts::find(&app.db, team_id, kind, id)
        .await?
        .filter(|c| c.archived_at.is_none())
        .ok_or_else(ApiError::not_found)
}

/// One contact as answered (also after a snooze).
pub async fn one(
    app: &AppState,
    team_id: i64,
    kind: ContactKind,
    id: i64,
) -> ApiResult<ContactJson> {
    let contact = live(app, team_id, kind, id).await?;
    let mut answered = answer(app, team_id, kind, vec![contact]).await?;
    answered.pop().ok_or_else(ApiError::not_found)
}

fn write(
    kind: ContactKind,
    input: &ContactInput,
    acting: i64,
) -> ApiResult<contacts::ContactWrite> {
    input
        .parse(kind, acting)
        .map_err(|mut errs| ApiError::invalid(errs.remove(0)))
}

async fn create(
    app: AppState,
    user: users::User,
    kind: ContactKind,
    body: ContactFields,
) -> ApiResult<(StatusCode, Json<ContactJson>)> {
    let input = body.over(kind, ContactInput::default())?;
    let id = act::create(&app.ctx(), &user, kind, &write(kind, &input, user.id)?).await?;
    Ok((
        StatusCode::CREATED,
        Json(one(&app, user.team_id, kind, id).await?),
    ))
}

async fn filter(
    app: &AppState,
    team_id: i64,
    kind: ContactKind,
    q: ContactQuery,
) -> ApiResult<ListFilter> {
    let temperature = q.temperature(kind)?;
    if let Some(owner) = q.owner_id
        && users::find_in_team(&app.db, team_id, owner)
            .await?
            .is_none()
    {
        return Err(ApiError::not_found());
    }
    if let Some(company) = q.company_id
        && !companies::exists(&app.db, team_id, company).await?
    {
        return Err(ApiError::not_found());
    }
    Ok(ListFilter {
        query: q
            .q
            .as_ref()
            .and_then(SearchText::as_query)
            .map(str::to_string),
        owner_id: q.owner_id,
        temperature,
        due: q.due,
        company_id: q.company_id,
        after: paging::parse_name_cursor(q.cursor.as_deref())?,
        limit: paging::limit(q.limit)? + 1,
    })
}

async fn index(
    app: AppState,
    user: users::User,
    kind: ContactKind,
    q: ContactQuery,
) -> ApiResult<Json<ContactPage>> {
    let f = filter(&app, user.team_id, kind, q).await?;
    let rows = contacts::list(&app.db, user.team_id, kind, &f).await?;
    let (rows, next) =
        paging::split_page(rows, f.limit - 1, |c| paging::name_cursor(c.id, &c.name));
    let items = answer(&app, user.team_id, kind, rows).await?;
    Ok(Json(ContactPage { items, next }))
}

async fn update(
    app: AppState,
    user: users::User,
    kind: ContactKind,
    id: i64,
    body: ContactFields,
) -> ApiResult<Json<ContactJson>> {
    let stored = live(&app, user.team_id, kind, id).await?;
    let input = body.over(kind, input_of(&stored))?;
    act::update(&app.ctx(), &user, kind, id, &write(kind, &input, user.id)?).await?;
    Ok(Json(one(&app, user.team_id, kind, id).await?))
}

async fn destroy(
    app: AppState,
    user: users::User,
    kind: ContactKind,
    id: i64,
) -> ApiResult<StatusCode> {
    act::archive(&app.ctx(), &user, kind, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Creates a decision maker.
#[utoipa::path(post, path = "/decision-makers", operation_id = "createDecisionMaker", tag = "decision-makers", request_body = ContactFields,
    responses((status = 201, description = "The new decision maker", body = ContactJson)))]
pub async fn dm_create(
    State(app): State<AppState>,
    ApiUser(u): ApiUser,
    ApiJson(b): ApiJson<ContactFields>,
) -> ApiResult<(StatusCode, Json<ContactJson>)> {
    create(app, u, DecisionMaker, b).await
}

/// The team's active decision makers by name.
#[utoipa::path(get, path = "/decision-makers", operation_id = "listDecisionMakers", tag = "decision-makers", params(ContactQuery),
    responses((status = 200, description = "A page of decision makers by name", body = ContactPage),
        (status = 404, description = "`not_found`: the `owner_id` or `company_id` filter is not of the team", body = ErrorJson)))]
pub async fn dm_index(
    State(app): State<AppState>,
    ApiUser(u): ApiUser,
    ApiQuery(q): ApiQuery<ContactQuery>,
) -> ApiResult<Json<ContactPage>> {
    index(app, u, DecisionMaker, q).await
}

/// One decision maker.
#[utoipa::path(get, path = "/decision-makers/{id}", operation_id = "getDecisionMaker", tag = "decision-makers", params(("id" = i64, Path)),
    responses((status = 200, description = "The contact", body = ContactJson)))]
pub async fn dm_show(
    State(app): State<AppState>,
    ApiUser(u): ApiUser,
    Path(id): Path<i64>,
) -> ApiResult<Json<ContactJson>> {
    Ok(Json(one(&app, u.team_id, DecisionMaker, id).await?))
}

/// Changes some fields of a decision maker.
#[utoipa::path(patch, path = "/decision-makers/{id}", operation_id = "updateDecisionMaker", tag = "decision-makers", params(("id" = i64, Path)), request_body = ContactFields,
    responses((status = 200, description = "The contact", body = ContactJson)))]
pub async fn dm_update(
    State(app): State<AppState>,
    ApiUser(u): ApiUser,
    Path(id): Path<i64>,
    ApiJson(b): ApiJson<ContactFields>,
) -> ApiResult<Json<ContactJson>> {
    update(app, u, DecisionMaker, id, b).await
}

/// Archives a decision maker.
#[utoipa::path(delete, path = "/decision-makers/{id}", operation_id = "archiveDecisionMaker", tag = "decision-makers", params(("id" = i64, Path)),
    responses((status = 204, description = "Archived: it leaves lists and due lists, and answers 404 from now on")))]
pub async fn dm_destroy(
    State(app): State<AppState>,
    ApiUser(u): ApiUser,
    Path(id): Path<i64>,
) -> ApiResult<StatusCode> {
    destroy(app, u, DecisionMaker, id).await
}

/// Creates a candidate.
#[utoipa::path(post, path = "/candidates", operation_id = "createCandidate", tag = "candidates", request_body = ContactFields,
    responses((status = 201, description = "The new candidate", body = ContactJson)))]
pub async fn candidate_create(
    State(app): State<AppState>,
    ApiUser(u): ApiUser,
    ApiJson(b): ApiJson<ContactFields>,
) -> ApiResult<(StatusCode, Json<ContactJson>)> {
    create(app, u, Candidate, b).await
}

/// The team's active candidates by name.
#[utoipa::path(get, path = "/candidates", operation_id = "listCandidates", tag = "candidates", params(ContactQuery),
    responses((status = 200, description = "A page of candidates by name", body = ContactPage),
        (status = 404, description = "`not_found`: the `owner_id` or `company_id` filter is not of the team", body = ErrorJson)))]
pub async fn candidate_index(
    State(app): State<AppState>,
    ApiUser(u): ApiUser,
    ApiQuery(q): ApiQuery<ContactQuery>,
) -> ApiResult<Json<ContactPage>> {
    index(app, u, Candidate, q).await
}

/// One candidate.
#[utoipa::path(get, path = "/candidates/{id}", operation_id = "getCandidate", tag = "candidates", params(("id" = i64, Path)),
    responses((status = 200, description = "The contact", body = ContactJson)))]
pub async fn candidate_show(
    State(app): State<AppState>,
    ApiUser(u): ApiUser,
    Path(id): Path<i64>,
) -> ApiResult<Json<ContactJson>> {
    Ok(Json(one(&app, u.team_id, Candidate, id).await?))
}

/// Changes some fields of a candidate.
#[utoipa::path(patch, path = "/candidates/{id}", operation_id = "updateCandidate", tag = "candidates", params(("id" = i64, Path)), request_body = ContactFields,
    responses((status = 200, description = "The contact", body = ContactJson)))]
pub async fn candidate_update(
    State(app): State<AppState>,
    ApiUser(u): ApiUser,
    Path(id): Path<i64>,
    ApiJson(b): ApiJson<ContactFields>,
) -> ApiResult<Json<ContactJson>> {
    update(app, u, Candidate, id, b).await
}

/// Archives a candidate.
#[utoipa::path(delete, path = "/candidates/{id}", operation_id = "archiveCandidate", tag = "candidates", params(("id" = i64, Path)),
    responses((status = 204, description = "Archived: it leaves lists and due lists, and answers 404 from now on")))]
pub async fn candidate_destroy(
    State(app): State<AppState>,
    ApiUser(u): ApiUser,
    Path(id): Path<i64>,
) -> ApiResult<StatusCode> {
    destroy(app, u, Candidate, id).await
}
