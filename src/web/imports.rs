//! Contacts → Import: the upload form, the preview (columns and how each maps, editable; the
//! first rows as they will be stored; the counts and the rows left out with why), the run in the
//! background with its progress (the page refreshes itself, with or without JavaScript), and the
//! result with the CSV of the rows left out.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Multipart, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use crate::actions::{ActionError, imports};
use crate::auth::session;
use crate::db::imports::Import;
use crate::db::users;
use crate::domain::cadence::ContactKind;
use crate::error::{AppError, AppResult};
use crate::people::import::columns::Field;
use crate::people::import::plan::{Policy, Verdict};
use crate::people::import::{Ask, Checked, why_left_out};
use crate::state::AppState;
use crate::web::client::ClientAddr;
use crate::web::exports::csv_response;
use crate::web::extract::CurrentUser;
use crate::web::forms::{MultiForm, Query};
use crate::web::layout::Layout;
use crate::web::views::KindSlug;

/// Rows of each list the preview shows.
const SHOWN: usize = 50;

#[derive(Template, WebTemplate)]
#[template(path = "contacts/import.html")]
struct UploadPage {
    layout: Layout,
    slug: &'static str,
    is_manager: bool,
    owners: Vec<(i64, String)>,
    me: i64,
    error: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
pub struct UploadQuery {
    kind: Option<KindSlug>,
}

async fn upload_page(
    app: &AppState,
    user: &CurrentUser,
    kind: ContactKind,
    error: Option<String>,
) -> AppResult<UploadPage> {
    let owners = users::list_for_team(&app.db, user.team_id)
        .await?
        .into_iter()
        .filter(|u| u.active)
        .map(|u| (u.id, u.name))
        .collect();
    Ok(UploadPage {
        layout: Layout::new(user, "contacts").await,
        slug: KindSlug::of(kind),
        is_manager: user.is_manager(),
        owners,
        me: user.id,
        error,
    })
}

/// GET /contacts/import
pub async fn new_form(
    State(app): State<AppState>,
    user: CurrentUser,
    Query(q): Query<UploadQuery>,
) -> AppResult<Response> {
    let kind = q.kind.unwrap_or(KindSlug::DecisionMakers).kind();
    Ok(upload_page(&app, &user, kind, None).await?.into_response())
}

/// The upload form's fields.
#[derive(Default)]
struct Upload {
    kind: Option<ContactKind>,
    owner_id: Option<i64>,
    policy: Option<Policy>,
    file_name: String,
    bytes: Vec<u8>,
}

async fn read_upload(mut form: Multipart) -> Result<Upload, String> {
    let mut up = Upload::default();
    let cut =
        |_| "The upload was cut off or is over 20 MB. Try again, or split the file.".to_string();
    while let Some(field) = form.next_field().await.map_err(cut)? {
        match field.name().unwrap_or_default() {
            "file" => {
                up.file_name = field
                    .file_name()
                    .unwrap_or_default()
                    .chars()
                    .take(200)
                    .collect();
                up.bytes = field.bytes().await.map_err(cut)?.to_vec();
            }
            "kind" => up.kind = field.text().await.map_err(cut)?.parse().ok(),
            "owner_id" => up.owner_id = field.text().await.map_err(cut)?.parse().ok(),
            "on_duplicate" => up.policy = Policy::parse(&field.text().await.map_err(cut)?),
            _ => {}
        }
    }
    Ok(up)
}

/// POST /contacts/import: keeps the file and shows its preview.
pub async fn create(
    State(app): State<AppState>,
    user: CurrentUser,
    client: ClientAddr,
    form: Multipart,
) -> AppResult<Response> {
    let up = read_upload(form).await;
    let kind = up
        .as_ref()
        .ok()
        .and_then(|u| u.kind)
        .unwrap_or(ContactKind::DecisionMaker);
    let refuse = async |message: String| -> AppResult<Response> {
        let page = upload_page(&app, &user, kind, Some(message)).await?;
        Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
    };
    let up = match up {
        Ok(u) if !u.bytes.is_empty() => u,
        Ok(_) => return refuse("Choose a CSV file to import.".into()).await,
        Err(m) => return refuse(m).await,
    };
    let cx = app.ctx_as(Some(user.id), client);
    let made = async {
        let ask = Ask {
            kind,
            owner_id: imports::owner_for(&cx, &user, up.owner_id).await?,
            policy: up.policy.unwrap_or(Policy::Skip),
            mapping: None,
        };
        imports::create_job(&cx, &user, &ask, &up.file_name, &up.bytes).await
    };
    match made.await {
        Ok(id) => Ok(Redirect::to(&format!("/contacts/import/{id}")).into_response()),
        Err(ActionError::Invalid(e)) => refuse(e.message).await,
        Err(other) => Err(other.into()),
    }
}

/// One row of the preview as it will be stored.
pub struct PreviewRow {
    pub row: usize,
    pub name: String,
    pub company: String,
    pub title: String,
    pub email: String,
    pub phone: String,
    pub notes: String,
    pub update: bool,
}

/// A column and its field.
pub struct ColumnView {
    pub index: usize,
    pub header: String,
    pub field: &'static str,
    pub sample: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "contacts/import_job.html")]
struct JobPage {
    layout: Layout,
    job: Import,
    kind_words: &'static str,
    back: String,
    columns: Vec<ColumnView>,
    fields: Vec<(&'static str, &'static str)>,
    rows: Vec<PreviewRow>,
    left_out: Vec<(usize, String)>,
    more_left_out: usize,
    to_write: usize,
    counts: crate::people::import::Counts,
    error: Option<String>,
    percent: i32,
}

/// The preview's columns, first rows, rows left out (the first ones) and how many more.
type Preview = (
    Vec<ColumnView>,
    Vec<PreviewRow>,
    Vec<(usize, String)>,
    usize,
);

fn preview(checked: &Checked) -> Preview {
    let first = checked.table.rows.first().map(|r| &r.1);
    let columns = checked
        .table
        .headers
        .iter()
        .zip(&checked.mapping)
        .enumerate()
        .map(|(index, (h, f))| ColumnView {
            index,
            header: h.clone(),
            field: f.as_str(),
            sample: first
                .and_then(|c| c.get(index))
                .cloned()
                .unwrap_or_default(),
        })
        .collect();
    let mut rows = Vec::new();
    let mut left = Vec::new();
    let mut more = 0;
    for (row, v) in &checked.verdicts {
        let (r, update) = match v {
            Verdict::New(r) => (r, false),
            Verdict::Update { row, .. } => (row, true),
            other => {
                if left.len() < SHOWN {
                    left.push((*row, why_left_out(other).unwrap_or_default()));
                } else {
                    more += 1;
                }
                continue;
            }
        };
        if rows.len() < 10 {
            rows.push(PreviewRow {
                row: *row,
                name: r.write.name.clone(),
                company: r.company.clone().unwrap_or_default(),
                title: r.write.title.clone(),
                email: r.write.email.clone(),
                phone: r.write.phone.clone(),
                notes: r.write.talking_points.clone(),
                update,
            });
        }
    }
    (columns, rows, left, more)
}

/// GET /contacts/import/{id}: the preview, the progress, or the result.
pub async fn show(
    State(app): State<AppState>,
    user: CurrentUser,
    client: ClientAddr,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let cx = app.ctx_as(Some(user.id), client);
    let job = imports::job(&cx, &user, id).await?;
    // the stored kind and policy, read back strictly (an unknown code is an error, not a guess)
    let ask = imports::ask_of(&job)?;
    let kind = ask.kind;
    let mut page = JobPage {
        layout: Layout::new(&user, "contacts").await,
        kind_words: if kind == ContactKind::DecisionMaker {
            "decision makers"
        } else {
            "candidates"
        },
        back: format!("/contacts?kind={}", KindSlug::of(kind)),
        columns: Vec::new(),
        fields: Field::ALL.iter().map(|f| (f.as_str(), f.label())).collect(),
        rows: Vec::new(),
        left_out: Vec::new(),
        more_left_out: 0,
        to_write: 0,
        counts: Default::default(),
        error: None,
        percent: if job.total_rows > 0 {
            job.processed_rows * 100 / job.total_rows
        } else {
            0
        },
        job,
    };
    if page.job.status == "previewed" {
        let body = page.job.body.clone().unwrap_or_default();
        match imports::check(&cx, &user, &ask, &body, None).await {
            Ok(checked) => {
                page.counts = checked.counts();
                page.to_write = page.counts.new + page.counts.updates;
                (page.columns, page.rows, page.left_out, page.more_left_out) = preview(&checked);
            }
            Err(ActionError::Invalid(e)) => page.error = Some(e.message),
            Err(other) => return Err(other.into()),
        }
    }
    Ok(page.into_response())
}

#[derive(Debug, Deserialize)]
pub struct MappingForm {
    #[serde(default)]
    map: Vec<String>,
}

/// POST /contacts/import/{id}/mapping: another field for some columns.
pub async fn update_mapping(
    State(app): State<AppState>,
    user: CurrentUser,
    client: ClientAddr,
    Path(id): Path<i64>,
    MultiForm(form): MultiForm<MappingForm>,
) -> AppResult<Response> {
    let cx = app.ctx_as(Some(user.id), client);
    match imports::set_mapping(&cx, &user, id, &form.map).await {
        Ok(()) | Err(ActionError::Conflict(_)) => {
            Ok(Redirect::to(&format!("/contacts/import/{id}")).into_response())
        }
        Err(ActionError::Invalid(_)) => Err(AppError::Conflict("Choose a field for every column.")),
        Err(other) => Err(other.into()),
    }
}

/// POST /contacts/import/{id}/run: starts the import in the background; the page shows its
/// progress.
pub async fn run(
    State(app): State<AppState>,
    user: CurrentUser,
    client: ClientAddr,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let cx = app.ctx_as(Some(user.id), client);
    match imports::start_job(&cx, &user, id).await {
        Ok(job) => {
            let (app, user) = (app.clone(), user.user.clone());
            tokio::spawn(async move {
                let cx = app.ctx_as(Some(user.id), client);
                if let Err(e) = imports::run_job(&cx, &user, &job).await {
                    tracing::error!(error = ?e, import_id = job.id, "import failed");
                }
            });
        }
        Err(ActionError::Conflict(_)) => {}
        Err(other) => return Err(other.into()),
    }
    session::flash(&user.session, "ok", "Importing…").await;
    Ok(Redirect::to(&format!("/contacts/import/{id}")).into_response())
}

/// GET /contacts/import/{id}/left-out.csv: the rows a run left out, with why.
pub async fn left_out(
    State(app): State<AppState>,
    user: CurrentUser,
    client: ClientAddr,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let cx = app.ctx_as(Some(user.id), client);
    let job = imports::job(&cx, &user, id).await?;
    let body = crate::db::imports::left_out(&app.db, user.team_id, job.id)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(csv_response(
        body,
        format!("attachment; filename=\"secondcall-import-{id}-left-out.csv\""),
    ))
}
