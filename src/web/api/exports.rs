//! `/export/contacts.csv` and `/export/touches.csv`: the same CSV files as the Contacts page's
//! download links (`actions::exports`), for a script.

use axum::extract::State;
use axum::response::Response;
use chrono::NaiveDate;
use serde::Deserialize;
use utoipa::IntoParams;

use crate::actions::exports;
use crate::error::ApiResult;
use crate::state::AppState;
use crate::web::api::json::ApiQuery;
use crate::web::exports::{KindParam, csv_response};
use crate::web::extract::ApiUser;

/// Which contacts.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ContactsExportQuery {
    /// `decision_maker` (default) or `candidate`.
    #[param(value_type = Option<String>)]
    pub kind: Option<KindParam>,
}

/// Which touches: the caller's local dates, inclusive (default the last 90 days).
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TouchesExportQuery {
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
}

/// The contacts of one kind as CSV (UTF-8 with a byte-order mark, a header row, formula-safe
/// cells): a manager gets the team's, anyone else their own.
#[utoipa::path(get, path = "/export/contacts.csv", operation_id = "exportContacts", tag = "exports", params(ContactsExportQuery),
    responses((status = 200, description = "The CSV file", content_type = "text/csv", body = String)))]
pub async fn contacts(
    State(app): State<AppState>,
    ApiUser(user): ApiUser,
    ApiQuery(q): ApiQuery<ContactsExportQuery>,
) -> ApiResult<Response> {
    let kind = q.kind.unwrap_or_default().kind();
    let body = exports::contacts_csv(&app.ctx(), &user, kind).await?;
    let today = app.clock.today_in(user.tz());
    let what = crate::web::views::KindSlug::of(kind);
    Ok(csv_response(body, exports::file_name(what, today)))
}

/// The touches between two dates as CSV, oldest first: a manager gets the team's, anyone else
/// those they logged or that are on their own contacts.
#[utoipa::path(get, path = "/export/touches.csv", operation_id = "exportTouches", tag = "exports", params(TouchesExportQuery),
    responses((status = 200, description = "The CSV file", content_type = "text/csv", body = String)))]
pub async fn touches(
    State(app): State<AppState>,
    ApiUser(user): ApiUser,
    ApiQuery(q): ApiQuery<TouchesExportQuery>,
) -> ApiResult<Response> {
    let cx = app.ctx();
    let range = exports::touch_range(&user, &cx, q.from, q.to)?;
    let body = exports::touches_csv(&cx, &user, range).await?;
    Ok(csv_response(
        body,
        exports::file_name(&format!("touches-{}", range.0), range.1),
    ))
}
