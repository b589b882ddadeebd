//! `/audit`: the team's security log, for managers.

use axum::Json;
use axum::extract::State;
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::audit::read::{self, Entry, FilterInput};
use crate::error::ApiResult;
use crate::state::AppState;
use crate::web::api::doc::Forbidden;
use crate::web::api::json::{ApiQuery, ErrorJson};
use crate::web::api::paging;
use crate::web::extract::ApiManager;

/// Filters and paging of the security log.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditQuery {
    /// First local date (the caller's time zone), included.
    pub from: Option<NaiveDate>,
    /// Last local date, included.
    pub to: Option<NaiveDate>,
    /// One kind: `login`, `login_failed`, `logout`, `password_changed`, `password_reset`,
    /// `role_changed`, `user_created`, `user_deactivated`, `user_reactivated`, `token_created`,
    /// `token_revoked`, `settings_changed`, `contact_exported`, `contact_erased` or `import`.
    pub kind: Option<String>,
    /// Entries where this user of the team acted or was acted upon (404 if not the team's).
    pub user_id: Option<i64>,
    /// 1 to 500, default 50.
    pub limit: Option<i64>,
    /// The `next` of the previous page.
    pub cursor: Option<String>,
}

/// One security event: ids and kinds only, never a password, token, session id or contact name.
#[derive(Debug, Serialize, ToSchema)]
pub struct AuditJson {
    pub id: i64,
    pub at: DateTime<Utc>,
    pub kind: String,
    /// Who acted (null: the operator's command line, or a failed login).
    pub actor_id: Option<i64>,
    /// Whose account it is about.
    pub target_user_id: Option<i64>,
    /// The client's address.
    pub ip: Option<String>,
    pub detail: String,
}

impl From<Entry> for AuditJson {
    fn from(e: Entry) -> Self {
        Self {
            id: e.id,
            at: e.at,
            kind: e.kind,
            actor_id: e.actor_id,
            target_user_id: e.target_user_id,
            ip: e.ip,
            detail: e.detail,
        }
    }
}

/// A page of the security log, newest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct AuditPage {
    pub items: Vec<AuditJson>,
    pub next: Option<String>,
}

/// The team's security log, newest first (managers).
#[utoipa::path(get, path = "/audit", operation_id = "listAudit", tag = "users", params(AuditQuery),
    responses((status = 200, description = "A page of the security log", body = AuditPage),
        (status = 403, response = Forbidden),
        (status = 404, description = "`not_found`: `user_id` is not of the team", body = ErrorJson),
        (status = 422, description = "`invalid`: an unknown kind, `from` after `to`, a bad limit or cursor", body = ErrorJson)))]
pub async fn index(
    State(app): State<AppState>,
    ApiManager(manager): ApiManager,
    ApiQuery(q): ApiQuery<AuditQuery>,
) -> ApiResult<Json<AuditPage>> {
    let limit = paging::limit(q.limit)?;
    let after = read::parse_cursor(q.cursor.as_deref())?;
    let input = FilterInput {
        from: q.from,
        to: q.to,
        kind: q.kind,
        user_id: q.user_id,
    };
    let filter = read::check(&app.db, manager.team_id, manager.tz(), &input).await?;
    let rows = read::list(&app.db, manager.team_id, &filter, after, limit + 1).await?;
    let (rows, next) = paging::split_page(rows, limit, read::cursor);
    Ok(Json(AuditPage {
        items: rows.into_iter().map(Into::into).collect(),
        next,
    }))
}
