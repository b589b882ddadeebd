//! Moving a card: the move form's post, answered with a redirect back to the page it came from,
//! or, for the board's script (`Accept: application/json`), with the new stage and version so the
//! card moves in place.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use serde_json::json;

use crate::actions::{self, ActionError};
use crate::auth::session;
use crate::domain::pipeline::Stage;
use crate::error::{ApiError, AppResult};
use crate::state::AppState;
use crate::web::extract::CurrentUser;
use crate::web::forms::Form;

#[derive(Debug, Deserialize)]
pub struct MoveForm {
    #[serde(default)]
    stage: String,
    #[serde(default)]
    version: Option<i32>,
    #[serde(default)]
    return_to: String,
}

/// POST /applications/{id}/move: from the card's select, from a drag, or from the pages. The
/// board's script posts the same form with `Accept: application/json` and moves the card in place
/// from the answer (the new stage and version) instead of reloading the board.
pub async fn move_card(
    State(app): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    headers: HeaderMap,
    Form(form): Form<MoveForm>,
) -> AppResult<Response> {
    if wants_json(&headers) {
        return move_in_place(&app, &user, id, &form).await;
    }
    let allowed = ["/board", "/jobs/", "/contacts/", "/applications/"];
    let back = crate::web::return_to(&form.return_to, &allowed, "/board");
    let Ok(to) = form.stage.parse::<Stage>() else {
        session::flash(&user.session, "error", "Choose a stage to move to.").await;
        return Ok(Redirect::to(&back).into_response());
    };
    match actions::jobs::move_application(&app.ctx(), &user, id, to, form.version).await {
        Ok(_) => {
            if let Some(board) = board_after_move(&back, to) {
                return Ok(Redirect::to(&board).into_response());
            }
            session::flash(&user.session, "ok", format!("Moved to {}.", to.label())).await
        }
        Err(ActionError::Conflict(message)) => {
            session::flash(&user.session, "error", message).await
        }
        Err(other) => return Err(other.into()),
    }
    Ok(Redirect::to(&back).into_response())
}

fn wants_json(headers: &HeaderMap) -> bool {
    headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"))
}

/// The answer to the board's script: `{"stage", "label", "version", "message"}`, or the JSON
/// error (409 when someone moved the card meanwhile, 422 for an unknown stage).
async fn move_in_place(
    app: &AppState,
    user: &CurrentUser,
    id: i64,
    form: &MoveForm,
) -> AppResult<Response> {
    let Ok(to) = form.stage.parse::<Stage>() else {
        let err = ApiError::invalid_at(Some("stage".into()), "Choose a stage to move to.");
        return Ok(err.into_response());
    };
    match actions::jobs::move_application(&app.ctx(), user, id, to, form.version).await {
        Ok(moved) => Ok(Json(json!({
            "stage": to.as_str(),
            "label": to.label(),
            "version": moved.version,
            "message": format!("Moved to {}.", to.label()),
        }))
        .into_response()),
        Err(err) => Ok(ApiError::from(err).into_response()),
    }
}

/// Back to the board after a move, with the stage the card went to in the URL (the board says
/// "Moved to …" from it); None when the move came from another page, which takes a flash.
fn board_after_move(back: &str, to: Stage) -> Option<String> {
    let (path, query) = back.split_once('?').unwrap_or((back, ""));
    if path != "/board" {
        return None;
    }
    let mut parts: Vec<&str> = query
        .split('&')
        .filter(|p| !p.is_empty() && !p.starts_with("moved="))
        .collect();
    let moved = format!("moved={}", to.as_str());
    parts.push(&moved);
    Some(format!("/board?{}", parts.join("&")))
}
