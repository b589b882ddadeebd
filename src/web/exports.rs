//! The CSV downloads linked from the Contacts page: `/export/contacts.csv?kind=` and
//! `/export/touches.csv?from=&to=` (a manager's are the team's, anyone else's their own).

use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;
use serde::Deserialize;

use crate::actions::{ActionError, exports};
use crate::domain::cadence::ContactKind;
use crate::error::{AppResult, ErrorPage};
use crate::state::AppState;
use crate::web::extract::CurrentUser;
use crate::web::forms::Query;

/// The kind as a query names it: the API's codes or the pages' URL segments.
#[derive(Debug, Clone, Copy, Default, Deserialize, utoipa::ToSchema)]
pub enum KindParam {
    #[default]
    #[serde(rename = "decision_maker", alias = "decision-makers")]
    DecisionMaker,
    #[serde(rename = "candidate", alias = "candidates")]
    Candidate,
}

impl KindParam {
    /// The engine's kind.
    pub fn kind(self) -> ContactKind {
        match self {
            KindParam::DecisionMaker => ContactKind::DecisionMaker,
            KindParam::Candidate => ContactKind::Candidate,
        }
    }
}

#[derive(Debug, Deserialize)]
pub struct ContactsQuery {
    #[serde(default)]
    kind: KindParam,
}

#[derive(Debug, Deserialize)]
pub struct TouchesQuery {
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
}

/// A CSV download.
pub fn csv_response(body: Vec<u8>, disposition: String) -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        body,
    )
        .into_response()
}

fn refused(e: ActionError) -> AppResult<Response> {
    match e {
        ActionError::Invalid(f) => Ok(ErrorPage::respond(
            StatusCode::UNPROCESSABLE_ENTITY,
            "Check the dates",
            f.message,
        )),
        other => Err(other.into()),
    }
}

/// GET /export/contacts.csv
pub async fn contacts(
    State(app): State<AppState>,
    user: CurrentUser,
    Query(q): Query<ContactsQuery>,
) -> AppResult<Response> {
    let cx = app.ctx();
    let kind = q.kind.kind();
    let body = exports::contacts_csv(&cx, &user, kind).await?;
    let what = crate::web::views::KindSlug::of(kind);
    let today = app.clock.today_in(user.tz());
    Ok(csv_response(body, exports::file_name(what, today)))
}

/// GET /export/touches.csv
pub async fn touches(
    State(app): State<AppState>,
    user: CurrentUser,
    Query(q): Query<TouchesQuery>,
) -> AppResult<Response> {
    let cx = app.ctx();
    let range = match exports::touch_range(&user, &cx, q.from, q.to) {
        Ok(r) => r,
        Err(e) => return refused(e),
    };
    let body = exports::touches_csv(&cx, &user, range).await?;
    Ok(csv_response(
        body,
        exports::file_name(&format!("touches-{}", range.0), range.1),
    ))
}
