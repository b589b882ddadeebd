//! A person's data on the contact page (managers): the JSON export of everything held, and the
//! erase with a confirmation page naming the person (`actions::people`).

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use crate::actions::{self, ActionError};
use crate::auth::session;
use crate::db::contacts;
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::web::client::ClientAddr;
use crate::web::extract::Manager;
use crate::web::forms::Form;
use crate::web::layout::Layout;
use crate::web::views::{KindSlug, contact_path};

/// GET /contacts/{kind}/{id}/export: the JSON document, as a download.
pub async fn export(
    State(app): State<AppState>,
    Manager(user): Manager,
    client: ClientAddr,
    Path((slug, id)): Path<(KindSlug, i64)>,
) -> AppResult<Response> {
    let cx = app.ctx_as(Some(user.id), client);
    let doc = actions::people::export(&cx, &user, slug.kind(), id).await?;
    let body = serde_json::to_vec_pretty(&doc).map_err(|e| AppError::Internal(e.into()))?;
    let name = format!(
        "attachment; filename=\"secondcall-{}-{id}.json\"",
        slug.kind().as_str()
    );
    Ok((
        [
            (header::CONTENT_TYPE, "application/json".to_string()),
            (header::CONTENT_DISPOSITION, name),
        ],
        body,
    )
        .into_response())
}

#[derive(Template, WebTemplate)]
#[template(path = "contacts/erase.html")]
struct ErasePage {
    layout: Layout,
    path: String,
    name: String,
    reason: String,
    error: Option<String>,
}

async fn erase_page(
    app: &AppState,
    user: &Manager,
    (slug, id): (KindSlug, i64),
    reason: String,
    error: Option<String>,
) -> AppResult<ErasePage> {
    let contact = contacts::find(&app.db, user.team_id, slug.kind(), id)
        .await?
        .filter(|c| c.erased_at.is_none())
        .ok_or(AppError::NotFound)?;
    Ok(ErasePage {
        layout: Layout::new(user, "contacts").await,
        path: contact_path(slug.kind(), id),
        name: contact.name,
        reason,
        error,
    })
}

/// GET /contacts/{kind}/{id}/erase: the confirmation.
pub async fn erase_form(
    State(app): State<AppState>,
    user: Manager,
    Path(key): Path<(KindSlug, i64)>,
) -> AppResult<Response> {
    Ok(erase_page(&app, &user, key, String::new(), None)
        .await?
        .into_response())
}

#[derive(Debug, Deserialize)]
pub struct EraseForm {
    #[serde(default)]
    reason: String,
}

/// POST /contacts/{kind}/{id}/erase
pub async fn erase(
    State(app): State<AppState>,
    user: Manager,
    client: ClientAddr,
    Path((slug, id)): Path<(KindSlug, i64)>,
    Form(form): Form<EraseForm>,
) -> AppResult<Response> {
    let cx = app.ctx_as(Some(user.id), client);
    match actions::people::erase(&cx, &user, slug.kind(), id, &form.reason).await {
        Ok(()) => {
            session::flash(
                &user.session,
                "ok",
                "Erased: their personal data is gone for good.",
            )
            .await;
            Ok(Redirect::to(&contact_path(slug.kind(), id)).into_response())
        }
        Err(ActionError::Invalid(e)) => {
            let page = erase_page(&app, &user, (slug, id), form.reason, Some(e.message)).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(other) => Err(other.into()),
    }
}
