//! `POST /imports`: contacts from a CSV file, checked row by row and written at once
//! (`actions::imports`); `dry_run=true` answers the same report and writes nothing.

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::accounts::FieldError;
use crate::actions::imports;
use crate::error::{ApiError, ApiResult};
use crate::people::import::plan::{Of, Policy, Verdict};
use crate::people::import::{Ask, Checked};
use crate::state::AppState;
use crate::web::api::json::{ApiQuery, ErrorJson};
use crate::web::client::ClientAddr;
use crate::web::exports::KindParam;
use crate::web::extract::ApiUser;

/// How to import.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ImportQuery {
    /// `decision_maker` (default) or `candidate`.
    #[param(value_type = Option<String>)]
    pub kind: Option<KindParam>,
    /// True: check and report, write nothing.
    pub dry_run: Option<bool>,
    /// Who owns the new contacts (default the caller; someone else: managers only).
    pub owner_id: Option<i64>,
    /// `skip` (default) or `update` (fill the existing contact's empty fields).
    pub on_duplicate: Option<String>,
}

/// A row left out on purpose.
#[derive(Debug, Serialize, ToSchema)]
pub struct SkippedJson {
    pub row: usize,
    /// `duplicate` or `suppressed`.
    pub reason: &'static str,
    /// A duplicate's original: `{"id", "name"}` of the team's contact, or `{"row"}` of the file.
    pub of: Option<serde_json::Value>,
}

/// A row left out for a bad field.
#[derive(Debug, Serialize, ToSchema)]
pub struct RowErrorJson {
    pub row: usize,
    pub field: &'static str,
    pub message: String,
}

/// How a column of the file was read.
#[derive(Debug, Serialize, ToSchema)]
pub struct ColumnJson {
    pub header: String,
    pub field: &'static str,
}

/// What an import did (or, in a dry run, would do).
#[derive(Debug, Serialize, ToSchema)]
pub struct ImportJson {
    pub dry_run: bool,
    pub rows: usize,
    pub created: u64,
    pub updated: u64,
    pub skipped: Vec<SkippedJson>,
    pub errors: Vec<RowErrorJson>,
    pub columns: Vec<ColumnJson>,
}

fn report(checked: &Checked, dry_run: bool, (created, updated): (u64, u64)) -> ImportJson {
    let mut skipped = Vec::new();
    let mut errors = Vec::new();
    for (row, v) in &checked.verdicts {
        let row = *row;
        match v {
            Verdict::Duplicate(of) => skipped.push(SkippedJson {
                row,
                reason: "duplicate",
                of: Some(match of {
                    Of::Contact { id, name } => serde_json::json!({"id": id, "name": name}),
                    Of::Row(r) => serde_json::json!({"row": r}),
                }),
            }),
            Verdict::Suppressed => skipped.push(SkippedJson {
                row,
                reason: "suppressed",
                of: None,
            }),
            Verdict::Invalid(list) => errors.extend(list.iter().map(|e| RowErrorJson {
                row,
                field: e.field,
                message: e.message.clone(),
            })),
            Verdict::New(_) | Verdict::Update { .. } => {}
        }
    }
    let columns = checked
        .table
        .headers
        .iter()
        .zip(&checked.mapping)
        .map(|(h, f)| ColumnJson {
            header: h.clone(),
            field: f.as_str(),
        })
        .collect();
    ImportJson {
        dry_run,
        rows: checked.verdicts.len(),
        created,
        updated,
        skipped,
        errors,
        columns,
    }
}

/// Imports contacts from a CSV file sent as the body (UTF-8 with or without a byte-order mark;
/// `,` or `;`; quoted fields with line breaks; at most 20 MB). Columns are found by their header
/// (LinkedIn's `First Name`, `Last Name`, `Company`, `Position`, `Email Address`; `Full Name`,
/// `Mobile`, `Current Employer`...). A duplicate (same normalised email, same normalised phone, or
/// the same name at the same company, in the team or earlier in the file) and a suppressed person
/// are skipped; rows with errors are reported and left out; the good rows go in one transaction.
/// In a dry run `created` and `updated` say what would be written.
#[utoipa::path(post, path = "/imports", operation_id = "importContacts", tag = "imports", params(ImportQuery),
    request_body(content = String, content_type = "text/csv", description = "The CSV file"),
    responses((status = 200, description = "What was (or would be) imported", body = ImportJson),
        (status = 403, description = "`forbidden`", body = ErrorJson)))]
pub async fn create(
    State(app): State<AppState>,
    ApiUser(user): ApiUser,
    client: ClientAddr,
    ApiQuery(q): ApiQuery<ImportQuery>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<(StatusCode, Json<ImportJson>)> {
    let json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if json {
        return Err(ApiError::bad_request(
            "Send the CSV file itself as the body, with Content-Type: text/csv.",
        ));
    }
    let policy = match q.on_duplicate.as_deref() {
        None => Policy::Skip,
        Some(code) => Policy::parse(code).ok_or_else(|| {
            ApiError::from(FieldError::new("on_duplicate", "Use skip or update."))
        })?,
    };
    let cx = app.ctx_as(Some(user.id), client);
    let ask = Ask {
        kind: q.kind.unwrap_or_default().kind(),
        owner_id: imports::owner_for(&cx, &user, q.owner_id).await?,
        policy,
        mapping: None,
    };
    let dry_run = q.dry_run.unwrap_or(false);
    let checked = imports::check(&cx, &user, &ask, &body, None).await?;
    let done = if dry_run {
        let c = checked.counts();
        (c.new as u64, c.updates as u64)
    } else {
        imports::apply(&cx, &user, &ask, &checked).await?
    };
    Ok((StatusCode::OK, Json(report(&checked, dry_run, done))))
}
