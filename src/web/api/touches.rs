//! `/touches`: logging a touch (the contact's due state changes at once) and reading them back.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::accounts::FieldError;
use crate::actions::input::TouchInput;
use crate::db::contacts;
use crate::db::touches::{self, Touch};
use crate::domain::cadence::ContactKind;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use crate::web::api::json::{ApiJson, ApiQuery, ErrorJson};
use crate::web::api::paging;
use crate::web::extract::ApiUser;

/// Exactly one of the two contact ids of a body, else a 422 naming the field to fix.
pub fn one_contact(
    dm: Option<i64>,
    candidate: Option<i64>,
) -> Result<(ContactKind, i64), FieldError> {
    match (dm, candidate) {
        (Some(id), None) => Ok((ContactKind::DecisionMaker, id)),
        (None, Some(id)) => Ok((ContactKind::Candidate, id)),
        (Some(_), Some(_)) => Err(FieldError::new(
            "candidate_id",
            "Give exactly one of decision_maker_id or candidate_id, not both.",
        )),
        (None, None) => Err(FieldError::new(
            "decision_maker_id",
            "Give exactly one of decision_maker_id or candidate_id.",
        )),
    }
}

/// A logged touch.
#[derive(Debug, Serialize, ToSchema)]
pub struct TouchJson {
    pub id: i64,
    pub decision_maker_id: Option<i64>,
    pub candidate_id: Option<i64>,
    pub author_id: i64,
    pub author_name: String,
    pub channel: String,
    pub direction: String,
    pub outcome: String,
    pub occurred_at: DateTime<Utc>,
    pub notes: String,
    pub next_step_on: Option<NaiveDate>,
    pub approach: String,
    pub referrals: i32,
    pub referral_names: String,
    pub created_at: DateTime<Utc>,
    /// Whether its author corrected it since (the old versions are kept).
    pub corrected: bool,
}

impl From<Touch> for TouchJson {
    fn from(t: Touch) -> Self {
        Self {
            id: t.id,
            decision_maker_id: t.decision_maker_id,
            candidate_id: t.candidate_id,
            author_id: t.author_id,
            author_name: t.author_name,
            channel: t.channel.to_string(),
            direction: t.direction.to_string(),
            outcome: t.outcome.to_string(),
            occurred_at: t.occurred_at,
            notes: t.notes,
            next_step_on: t.next_step_on,
            approach: t.approach.to_string(),
            referrals: t.referrals,
            referral_names: t.referral_names,
            created_at: t.created_at,
            corrected: t.revisions > 0,
        }
    }
}

/// A touch to log. The contact (exactly one id) must be the caller's team's: else 404.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TouchBody {
    pub decision_maker_id: Option<i64>,
    pub candidate_id: Option<i64>,
    /// `call`, `voicemail`, `email`, `text`, `meeting`, `linkedin` or `note`.
    pub channel: String,
    /// `outbound` (default) or `inbound`.
    pub direction: Option<String>,
    /// `connected`, `voicemail_left`, `no_answer`, `wrong_number`, `sent`, `replied`, `bounced`
    /// or `opted_out`.
    pub outcome: String,
    /// Default now; not in the future (5 minutes of clock skew are forgiven).
    pub occurred_at: Option<DateTime<Utc>>,
    pub notes: Option<String>,
    /// Required after an outbound call or meeting that connected; not before the touch.
    pub next_step_on: Option<NaiveDate>,
    /// `standard` (default), `dropped_the_ball`, `value_add` or `other_contact`.
    pub approach: Option<String>,
    /// Referrals obtained (0 to 1000).
    pub referrals: Option<i32>,
    pub referral_names: Option<String>,
}

impl TouchBody {
    /// The contact and the input the shared parser checks.
    fn split(self) -> Result<((ContactKind, i64), TouchInput), FieldError> {
        let contact = one_contact(self.decision_maker_id, self.candidate_id)?;
        let input = TouchInput {
            channel: self.channel,
            direction: self.direction.unwrap_or_default(),
            outcome: self.outcome,
            occurred_at: self.occurred_at,
            occurred_local: None,
            notes: self.notes.unwrap_or_default(),
            next_step_on: self.next_step_on,
            approach: self.approach.unwrap_or_default(),
            referrals: self.referrals,
            referral_names: self.referral_names.unwrap_or_default(),
        };
        Ok((contact, input))
    }
}

/// Filters and paging of the touches list, newest first.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TouchQuery {
    /// Only this decision maker's touches (404 if not the team's).
    pub decision_maker_id: Option<i64>,
    /// Only this candidate's touches (404 if not the team's).
    pub candidate_id: Option<i64>,
    /// 1 to 500, default 50 (more is a 422).
    pub limit: Option<i64>,
    /// The `next` of the previous page.
    pub cursor: Option<String>,
}

/// A page of touches, newest first; `next` is the cursor of the following page, null at the end.
#[derive(Debug, Serialize, ToSchema)]
pub struct TouchPage {
    pub items: Vec<TouchJson>,
    pub next: Option<String>,
}

/// Logs a touch; the contact's item on its owner's due list is recomputed in the same transaction.
#[utoipa::path(post, path = "/touches", operation_id = "createTouch", tag = "touches", request_body = TouchBody,
    responses((status = 201, description = "The touch", body = TouchJson),
        (status = 404, description = "`not_found`: the contact is not of the team (or archived)", body = ErrorJson)))]
pub async fn create(
    State(app): State<AppState>,
    ApiUser(user): ApiUser,
    ApiJson(body): ApiJson<TouchBody>,
) -> ApiResult<(StatusCode, Json<TouchJson>)> {
    let ((kind, contact_id), input) = body.split()?;
    let write = input.parse(user.tz(), app.clock.now())?;
    let logged = crate::actions::touches::log(&app.ctx(), &user, kind, contact_id, &write).await?;
    Ok((StatusCode::CREATED, Json(logged.touch.into())))
}

/// The team's touches (of one contact if asked), newest first; deleted ones are left out.
#[utoipa::path(get, path = "/touches", operation_id = "listTouches", tag = "touches", params(TouchQuery),
    responses((status = 200, description = "A page of touches, newest first", body = TouchPage),
        (status = 404, description = "`not_found`: the contact filter is not of the team", body = ErrorJson)))]
pub async fn index(
    State(app): State<AppState>,
    ApiUser(user): ApiUser,
    ApiQuery(q): ApiQuery<TouchQuery>,
) -> ApiResult<Json<TouchPage>> {
    let team = user.team_id;
    let limit = paging::limit(q.limit)?;
    let before = paging::parse_id_cursor(q.cursor.as_deref())?;
    for (kind, id) in [
        (ContactKind::DecisionMaker, q.decision_maker_id),
        (ContactKind::Candidate, q.candidate_id),
    ] {
        if let Some(id) = id
            && contacts::find(&app.db, team, kind, id).await?.is_none()
        {
            return Err(ApiError::not_found());
        }
    }
    let rows = touches::list(
        &app.db,
        team,
        q.decision_maker_id,
        q.candidate_id,
        before,
        limit + 1,
    )
    .await?;
    let (rows, next) = paging::split_page(rows, limit, |t| t.id.to_string());
    Ok(Json(TouchPage {
        items: rows.into_iter().map(Into::into).collect(),
        next,
    }))
}
