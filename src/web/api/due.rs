//! `/due`: a user's due list for a date, snoozing an item, and a manager's "rebuild now".

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::db::users;
use crate::due::rebuilds::Started;
use crate::due::runs::RunTrigger;
use crate::due::today::{self, Line};
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use crate::web::api::contacts::{self, json::ContactJson};
use crate::web::api::doc::Forbidden;
use crate::web::api::json::{ApiJson, ApiQuery, ErrorJson};
use crate::web::api::touches::one_contact;
use crate::web::extract::{ApiManager, ApiUser};

/// Whose list and for which date.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DueQuery {
    /// Default the caller; another user's list needs a manager (403), another team's user is 404.
    pub user_id: Option<i64>,
    /// Default that user's today.
    pub date: Option<NaiveDate>,
}

/// Who an item is for.
#[derive(Debug, Serialize, ToSchema)]
pub struct DueContact {
    /// `decision_maker` or `candidate`.
    pub kind: String,
    pub id: i64,
    pub name: String,
}

/// One line of a due list.
#[derive(Debug, Serialize, ToSchema)]
pub struct DueItemJson {
    /// `sign_off`, `second_call`, `promised_follow_up`, `company_news`, `gone_dark`,
    /// `three_strikes` or `contact_cycle`.
    pub reason: String,
    pub contact: DueContact,
    pub suggested_channel: String,
    pub script_hint: String,
    pub due_on: NaiveDate,
    /// Calendar days from `due_on` to the list's date.
    pub overdue_days: i64,
    /// Plain words, e.g. "First call was 6 days ago".
    pub why: String,
    /// For `gone_dark`: the change of approach to try.
    pub suggested_approach: Option<String>,
    /// For `three_strikes`: the strike due (2 or 3).
    pub strike: Option<i16>,
    /// Null, or the absent teammate whose item this is (the caller covers for them).
    pub covering_for: Option<CoveringForJson>,
}

/// The absent teammate an item belongs to, on a coverer's list.
#[derive(Debug, Serialize, ToSchema)]
pub struct CoveringForJson {
    pub user_id: i64,
    pub name: String,
}

impl From<Line> for DueItemJson {
    fn from(l: Line) -> Self {
        Self {
            reason: l.reason,
            contact: DueContact {
                kind: l.kind.as_str().into(),
                id: l.contact_id,
                name: l.name,
            },
            suggested_channel: l.suggested_channel,
            script_hint: l.script_hint,
            due_on: l.due_on,
            overdue_days: l.overdue_days,
            why: l.why,
            suggested_approach: l.suggested_approach,
            strike: l.strike,
            covering_for: l.covering_for.map(|c| CoveringForJson {
                user_id: c.user_id,
                name: c.name,
            }),
        }
    }
}

/// A due list in due-list order: reason, most overdue first, hot before warm before cold.
#[derive(Debug, Serialize, ToSchema)]
pub struct DueListJson {
    pub date: NaiveDate,
    /// When the stored list was built; null when it was computed for this request.
    pub built_at: Option<DateTime<Utc>>,
    pub items: Vec<DueItemJson>,
}

/// A user's due list: the stored one when it was built for `date`, else computed now for `date`
/// from the facts known up to its end (`built_at` null). The whole list, unpaged.
#[utoipa::path(get, path = "/due", operation_id = "getDueList", tag = "due", params(DueQuery),
    responses((status = 200, description = "The due list", body = DueListJson),
        (status = 403, description = "`forbidden`: another user's list needs a manager", body = ErrorJson),
        (status = 404, description = "`not_found`: `user_id` is not of the team", body = ErrorJson)))]
pub async fn index(
    State(app): State<AppState>,
    ApiUser(caller): ApiUser,
    ApiQuery(q): ApiQuery<DueQuery>,
) -> ApiResult<Json<DueListJson>> {
    let owner = match q.user_id.filter(|id| *id != caller.id) {
        None => caller,
        Some(id) => {
            let other = users::find_in_team(&app.db, caller.team_id, id).await?;
            let other = other.ok_or_else(ApiError::not_found)?;
            if !caller.is_manager() {
                return Err(ApiError::forbidden());
            }
            other
        }
    };
    let date = q.date.unwrap_or_else(|| app.clock.today_in(owner.tz()));
    let list = today::for_date(&app.db, &owner, date).await?;
    let items = list.lines.into_iter().map(Into::into).collect();
    Ok(Json(DueListJson {
        date: list.date,
        built_at: list.built_at,
        items,
    }))
}

/// A snooze: exactly one contact id (of the team: else 404), a later date, a note.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SnoozeBody {
    pub decision_maker_id: Option<i64>,
    pub candidate_id: Option<i64>,
    /// After the caller's today; the item comes back due that day (or the next working day).
    pub until: NaiveDate,
    /// Why (up to 500 characters).
    pub note: Option<String>,
}

/// Snoozes the contact's current item (and every reason ranked below it) until `until`; answers
/// the contact. 409 when nothing is due for it.
#[utoipa::path(post, path = "/due/snooze", operation_id = "snoozeDueItem", tag = "due", request_body = SnoozeBody,
    responses((status = 200, description = "The contact", body = ContactJson),
        (status = 404, description = "`not_found`: the contact is not of the team (or archived)", body = ErrorJson),
        (status = 409, description = "`conflict`: nothing is due for the contact", body = ErrorJson)))]
pub async fn snooze(
    State(app): State<AppState>,
    ApiUser(user): ApiUser,
    ApiJson(body): ApiJson<SnoozeBody>,
) -> ApiResult<Json<ContactJson>> {
    let (kind, id) = one_contact(body.decision_maker_id, body.candidate_id)?;
    let note = body.note.unwrap_or_default();
    crate::actions::contacts::snooze(&app.ctx(), &user, kind, id, body.until, &note).await?;
    Ok(Json(contacts::one(&app, user.team_id, kind, id).await?))
}

/// Optional: the date to rebuild the lists for (default each user's today).
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RebuildBody {
    pub as_of: Option<NaiveDate>,
}

/// What a rebuild did.
#[derive(Debug, Serialize, ToSchema)]
pub struct RebuildJson {
    /// Lists rebuilt (the team's active users).
    pub users: usize,
    /// Contacts decided.
    pub contacts: usize,
    /// Items now on the lists.
    pub items: usize,
    pub as_of: Option<NaiveDate>,
}

/// Rebuilds every list of the team now (managers only), recorded as a "manual" run.
#[utoipa::path(post, path = "/due/rebuild", operation_id = "rebuildDueLists", tag = "due", request_body(content = Option<RebuildBody>),
    responses((status = 200, description = "What the rebuild did", body = RebuildJson), (status = 403, response = Forbidden),
        (status = 409, description = "`already_running`: another rebuild of the team is running", body = ErrorJson)))]
pub async fn rebuild(
    State(app): State<AppState>,
    ApiManager(manager): ApiManager,
    body: Option<ApiJson<RebuildBody>>,
) -> ApiResult<Json<RebuildJson>> {
    let as_of = body.and_then(|ApiJson(b)| b.as_of);
    let counts = match app
        .rebuilds
        .run_now(manager.team_id, RunTrigger::Manual, as_of)
        .await?
    {
        Started::Done(c) => c,
        Started::AlreadyRunning { since } => {
            let since =
                since.map_or_else(String::new, |t| format!(" (started {})", t.to_rfc3339()));
            return Err(ApiError::new(
                StatusCode::CONFLICT,
                "already_running",
                format!("A rebuild of the team's lists is running{since}; try again when it ends."),
            ));
        }
    };
    Ok(Json(RebuildJson {
        users: counts.users,
        contacts: counts.contacts,
        items: counts.items,
        as_of,
    }))
}
