//! `/companies` and their news events: logging an event makes a call due for everyone there.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::actions::companies::{self as act, CompanyInput, EventInput};
use crate::db::companies::{self, Company, Event};
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use crate::text::SearchText;
use crate::web::api::json::{ApiJson, ApiQuery};
use crate::web::api::paging;
use crate::web::extract::ApiUser;

/// A company of the caller's team.
#[derive(Debug, Serialize, ToSchema)]
pub struct CompanyJson {
    pub id: i64,
    pub name: String,
    pub website: String,
    pub notes: String,
    pub created_at: DateTime<Utc>,
    /// Active decision makers at it plus candidates employed there.
    pub contacts: i64,
}

impl From<Company> for CompanyJson {
    fn from(c: Company) -> Self {
        Self {
            id: c.id,
            name: c.name,
            website: c.website,
            notes: c.notes,
            created_at: c.created_at,
            contacts: c.contacts,
        }
    }
}

/// A page of companies by name; `next` is the cursor of the following page, null at the end.
#[derive(Debug, Serialize, ToSchema)]
pub struct CompanyPage {
    pub items: Vec<CompanyJson>,
    pub next: Option<String>,
}

/// A company's fields: all of them to create (`name` required), any subset to update.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CompanyFields {
    pub name: Option<String>,
    pub website: Option<String>,
    pub notes: Option<String>,
}

impl CompanyFields {
    /// Overlays the given fields on `base` (a stored company, or empty for a new one).
    fn over(self, base: CompanyInput) -> CompanyInput {
        CompanyInput {
            name: self.name.unwrap_or(base.name),
            website: self.website.unwrap_or(base.website),
            notes: self.notes.unwrap_or(base.notes),
        }
    }
}

/// Search and paging of the companies list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CompanyQuery {
    /// Matched anywhere in the name; at most 200 characters.
    #[param(value_type = Option<String>, max_length = 200)]
    pub q: Option<SearchText>,
    /// 1 to 500, default 50 (more is a 422).
    pub limit: Option<i64>,
    /// The `next` of the previous page.
    pub cursor: Option<String>,
}

/// A piece of company news.
#[derive(Debug, Serialize, ToSchema)]
pub struct EventJson {
    pub id: i64,
    pub company_id: i64,
    /// `new_leader`, `move`, `funding`, `layoffs`, `acquisition` or `other`.
    pub kind: String,
    pub summary: String,
    pub occurred_on: NaiveDate,
    /// When it was logged: what makes calls due.
    pub logged_at: DateTime<Utc>,
    pub logged_by_name: Option<String>,
}

impl From<Event> for EventJson {
    fn from(e: Event) -> Self {
        Self {
            id: e.id,
            company_id: e.company_id,
            kind: e.kind.as_str().to_string(),
            summary: e.summary,
            occurred_on: e.occurred_on,
            logged_at: e.logged_at,
            logged_by_name: e.logged_by_name,
        }
    }
}

/// A new event; `occurred_on` defaults to the caller's today and cannot be later.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EventBody {
    /// `new_leader`, `move`, `funding`, `layoffs`, `acquisition` or `other`.
    pub kind: String,
    pub summary: String,
    pub occurred_on: Option<NaiveDate>,
}

/// Creates a company.
#[utoipa::path(post, path = "/companies", operation_id = "createCompany", tag = "companies", request_body = CompanyFields,
    responses((status = 201, description = "The new company", body = CompanyJson)))]
pub async fn create(
    State(app): State<AppState>,
    ApiUser(user): ApiUser,
    ApiJson(body): ApiJson<CompanyFields>,
) -> ApiResult<(StatusCode, Json<CompanyJson>)> {
    let (name, website, notes) = act::parse(&body.over(CompanyInput::default()))?;
    let id = companies::insert(&app.db, user.team_id, &name, &website, &notes).await?;
    let company = companies::find(&app.db, user.team_id, id).await?;
    Ok((
        StatusCode::CREATED,
        Json(company.ok_or_else(ApiError::not_found)?.into()),
    ))
}

/// The team's companies by name.
#[utoipa::path(get, path = "/companies", operation_id = "listCompanies", tag = "companies", params(CompanyQuery),
    responses((status = 200, description = "A page of companies by name", body = CompanyPage)))]
pub async fn index(
    State(app): State<AppState>,
    ApiUser(user): ApiUser,
    ApiQuery(q): ApiQuery<CompanyQuery>,
) -> ApiResult<Json<CompanyPage>> {
    let limit = paging::limit(q.limit)?;
    let after = paging::parse_name_cursor(q.cursor.as_deref())?;
    let query = q.q.as_ref().and_then(SearchText::as_query);
    let rows = companies::list(&app.db, user.team_id, query, after, limit + 1).await?;
    let (rows, next) = paging::split_page(rows, limit, |c| paging::name_cursor(c.id, &c.name));
    let items = rows.into_iter().map(Into::into).collect();
    Ok(Json(CompanyPage { items, next }))
}

/// One company.
#[utoipa::path(get, path = "/companies/{id}", operation_id = "getCompany", tag = "companies", params(("id" = i64, Path)),
    responses((status = 200, description = "The company", body = CompanyJson)))]
pub async fn show(
    State(app): State<AppState>,
    ApiUser(user): ApiUser,
    Path(id): Path<i64>,
) -> ApiResult<Json<CompanyJson>> {
    let company = companies::find(&app.db, user.team_id, id).await?;
    Ok(Json(company.ok_or_else(ApiError::not_found)?.into()))
}

/// Changes some fields of a company; the result passes the same checks as a new one.
#[utoipa::path(patch, path = "/companies/{id}", operation_id = "updateCompany", tag = "companies", params(("id" = i64, Path)), request_body = CompanyFields,
    responses((status = 200, description = "The company", body = CompanyJson)))]
pub async fn update(
    State(app): State<AppState>,
    ApiUser(user): ApiUser,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<CompanyFields>,
) -> ApiResult<Json<CompanyJson>> {
    let team = user.team_id;
    let stored = companies::find(&app.db, team, id)
        .await?
        .ok_or_else(ApiError::not_found)?;
    let base = CompanyInput {
        name: stored.name,
        website: stored.website,
        notes: stored.notes,
    };
    let (name, website, notes) = act::parse(&body.over(base))?;
    companies::update(&app.db, team, id, &name, &website, &notes).await?;
    let company = companies::find(&app.db, team, id).await?;
    Ok(Json(company.ok_or_else(ApiError::not_found)?.into()))
}

/// Logs news of a company: a call becomes due today for every active contact there \[004\].
#[utoipa::path(post, path = "/companies/{id}/events", operation_id = "createCompanyEvent", tag = "companies", params(("id" = i64, Path)), request_body = EventBody,
    responses((status = 201, description = "The new event", body = EventJson)))]
pub async fn create_event(
    State(app): State<AppState>,
    ApiUser(user): ApiUser,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<EventBody>,
) -> ApiResult<(StatusCode, Json<EventJson>)> {
    let input = EventInput {
        kind: body.kind,
        summary: body.summary,
        occurred_on: body.occurred_on,
    };
    let event = act::log_event(&app.ctx(), &user, id, &input).await?;
    Ok((StatusCode::CREATED, Json(event.into())))
}

/// A company's news, newest first (the latest 200).
#[utoipa::path(get, path = "/companies/{id}/events", operation_id = "listCompanyEvents", tag = "companies", params(("id" = i64, Path)),
    responses((status = 200, description = "The latest 200 events, newest first", body = Vec<EventJson>)))]
pub async fn events(
    State(app): State<AppState>,
    ApiUser(user): ApiUser,
    Path(id): Path<i64>,
) -> ApiResult<Json<Vec<EventJson>>> {
    if !companies::exists(&app.db, user.team_id, id).await? {
        return Err(ApiError::not_found());
    }
    let events = companies::events(&app.db, user.team_id, id).await?;
    Ok(Json(events.into_iter().map(Into::into).collect()))
}
