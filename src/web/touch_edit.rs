//! Correcting or deleting a mistaken touch (its author only); the old version stays in the trail.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};

use crate::actions::{self, ActionError};
use crate::auth::session;
use crate::db::touches;
use crate::domain::cadence::ContactKind;
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::web::extract::CurrentUser;
use crate::web::forms::{Form, FormErrors};
use crate::web::layout::Layout;
use crate::web::views::{LogForm, TouchForm, contact_path, datetime_local};

#[derive(Template, WebTemplate)]
#[template(path = "touches/edit.html")]
struct EditPage {
    layout: Layout,
    id: i64,
    back: String,
    log: LogForm,
}

async fn page(
    app: &AppState,
    user: &CurrentUser,
    id: i64,
    typed: Option<(TouchForm, FormErrors)>,
) -> AppResult<EditPage> {
    let t = touches::find(&app.db, user.team_id, id)
        .await?
        .filter(|t| t.deleted_at.is_none())
        .ok_or(AppError::NotFound)?;
    if t.author_id != user.id {
        return Err(AppError::Forbidden);
    }
    let (kind, contact) = match (t.decision_maker_id, t.candidate_id) {
        (Some(c), _) => (ContactKind::DecisionMaker, c),
        (_, Some(c)) => (ContactKind::Candidate, c),
        _ => return Err(AppError::NotFound),
    };
    let tz = user.tz();
    let today = app.clock.today_in(tz);
    let back = contact_path(kind, contact);
    let mut log = LogForm::new(kind, contact, &back, t.channel.as_str(), today, today);
    log.action = format!("/touches/{id}");
    log.full = true;
    log.submit = "Save correction";
    let current = TouchForm {
        channel: t.channel.to_string(),
        direction: t.direction.to_string(),
        outcome: t.outcome.to_string(),
        occurred_local: datetime_local(t.occurred_at, tz),
        next_step_on: t.next_step_on.map(|d| d.to_string()).unwrap_or_default(),
        notes: t.notes,
        approach: t.approach.to_string(),
        referrals: t.referrals.to_string(),
        referral_names: t.referral_names,
        return_to: back.clone(),
        full: true,
    };
    let (form, errors) = typed.unwrap_or((current, FormErrors::default()));
    Ok(EditPage {
        layout: Layout::new(user, "contacts").await,
        id,
        back,
        log: log.reshow(&form, errors),
    })
}

/// GET /touches/{id}/edit
pub async fn edit_form(
    State(app): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    Ok(page(&app, &user, id, None).await?.into_response())
}

/// POST /touches/{id}: the correction.
pub async fn update(
    State(app): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    Form(form): Form<TouchForm>,
) -> AppResult<Response> {
    let parsed = form
        .to_input()
        .and_then(|i| i.parse(user.tz(), app.clock.now()));
    let error = match parsed {
        Ok(w) => match actions::touches::correct(&app.ctx(), &user, id, &w).await {
            Ok((kind, contact)) => {
                session::flash(
                    &user.session,
                    "ok",
                    "Touch corrected; the earlier version is kept in the history.",
                )
                .await;
                return Ok(Redirect::to(&contact_path(kind, contact)).into_response());
            }
            Err(ActionError::Invalid(e)) => e,
            Err(other) => return Err(other.into()),
        },
        Err(e) => e,
    };
    let mut errors = FormErrors::default();
    errors.add(error);
    Ok((
        StatusCode::UNPROCESSABLE_ENTITY,
        page(&app, &user, id, Some((form, errors))).await?,
    )
        .into_response())
}

/// POST /touches/{id}/delete
pub async fn destroy(
    State(app): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let (kind, contact) = actions::touches::delete(&app.ctx(), &user, id).await?;
    session::flash(
        &user.session,
        "ok",
        "Touch deleted; it no longer counts, and the timeline shows it was there.",
    )
    .await;
    Ok(Redirect::to(&contact_path(kind, contact)).into_response())
}
