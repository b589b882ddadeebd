//! A contact's page: details and edit form, flags, the due state and why, the touch timeline, and
//! the full log-touch form; plus the posts it (and Today) makes: log a touch, snooze, archive.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use crate::actions::{self, ActionError};
use crate::auth::session;
use crate::db::contacts::{self, Contact};
use crate::db::{companies, settings, touches, users};
use crate::domain::cadence::{ContactKind, Temperature, suggest_next_step};
use crate::due::engine;
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::web::contact_form::{ContactForm, FormChoices};
use crate::web::extract::CurrentUser;
use crate::web::fmt;
use crate::web::forms::{Form, FormErrors};
use crate::web::layout::Layout;
use crate::web::today::LogNote;
use crate::web::views::{KindSlug, LogForm, TouchForm, TouchLine, contact_path};

#[derive(Template, WebTemplate)]
#[template(path = "contacts/show.html")]
pub struct ContactPage {
    layout: Layout,
    path: String,
    is_dm: bool,
    contact: Contact,
    company_path: Option<String>,
    due_now: Option<String>,
    due_hint: Option<String>,
    next_due: Option<String>,
    timeline: Vec<TouchLine>,
    log: LogForm,
    form: ContactForm,
    errors: FormErrors,
    choices: FormChoices,
    apps: Vec<crate::web::jobs::AppRow>,
    open_jobs: Vec<(i64, String, String)>,
    stages: Vec<(&'static str, &'static str)>,
}

/// Builds the page; `log` and `edit` carry a form to re-show with its errors.
async fn page(
    app: &AppState,
    user: &CurrentUser,
    kind: ContactKind,
    id: i64,
    log: Option<LogForm>,
    edit: Option<(ContactForm, FormErrors)>,
) -> AppResult<ContactPage> {
    let contact = contacts::find(&app.db, user.team_id, kind, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let tz = user.tz();
    let today = app.clock.today_in(tz);
    let mut conn = app.db.acquire().await?;
    let state = engine::contact_state(&mut conn, user.team_id, kind, id, app.clock.now())
        .await?
        .map(|(_, r, _)| r)
        .unwrap_or_default();
    drop(conn);
    let settings = settings::load(&app.db, user.team_id).await?;
    // a candidate has no temperature, and the proposed date of a candidate does not read one
    let temperature = contact.temperature.unwrap_or(Temperature::Warm);
    let suggested = suggest_next_step(kind, temperature, &settings.cadence, today);
    let channel = state
        .item
        .as_ref()
        .map_or("call", |i| i.suggested_channel.as_str());
    let path = contact_path(kind, id);
    let mut log = log.unwrap_or_else(|| LogForm::new(kind, id, &path, channel, suggested, today));
    log.full = true;
    let timeline = touches::for_contact(&app.db, user.team_id, kind, id, 200)
        .await?
        .iter()
        .map(|t| TouchLine::of(t, tz, today, user.id))
        .collect();
    let (form, errors) = edit.unwrap_or_else(|| (ContactForm::of(&contact), FormErrors::default()));
    let owners = users::list_for_team(&app.db, user.team_id).await?;
    let (apps, open_jobs) = if kind == ContactKind::Candidate {
        let list =
            crate::db::applications::for_job_or_candidate(&app.db, user.team_id, None, Some(id))
                .await?;
        (
            crate::web::jobs::app_rows(app, user, list).await?,
            crate::db::jobs::open_options(&app.db, user.team_id).await?,
        )
    } else {
        (Vec::new(), Vec::new())
    };
    Ok(ContactPage {
        apps,
        open_jobs,
        stages: crate::web::jobs::stages(),
        layout: Layout::new(user, "contacts").await,
        is_dm: kind == ContactKind::DecisionMaker,
        company_path: contact.company_id.map(|c| format!("/companies/{c}")),
        due_now: state.item.as_ref().map(|i| {
            format!(
                "{} — {} ({})",
                i.reason.label(),
                i.why,
                fmt::overdue(i.overdue_days)
            )
        }),
        due_hint: state
            .item
            .as_ref()
            .map(|i| format!("{}: {}", i.suggested_channel.label(), i.script_hint)),
        next_due: state
            .upcoming
            .filter(|_| state.item.is_none())
            .map(|(r, d)| format!("{}, {}", fmt::day(d, today), r.label())),
        choices: FormChoices::new(
            kind,
            companies::options(&app.db, user.team_id).await?,
            &owners,
        ),
        path,
        contact,
        timeline,
        log,
        form,
        errors,
    })
}

/// GET /contacts/{kind}/{id}
pub async fn show(
    State(app): State<AppState>,
    user: CurrentUser,
    Path((slug, id)): Path<(KindSlug, i64)>,
) -> AppResult<Response> {
    Ok(page(&app, &user, slug.kind(), id, None, None)
        .await?
        .into_response())
}

/// POST /contacts/{kind}/{id}: the edit form.
pub async fn update(
    State(app): State<AppState>,
    user: CurrentUser,
    Path((slug, id)): Path<(KindSlug, i64)>,
    Form(form): Form<ContactForm>,
) -> AppResult<Response> {
    let kind = slug.kind();
    let mut errors = FormErrors::default();
    let input = form.to_input(&mut errors);
    let result = match input.parse(kind, user.id) {
        Ok(w) if errors.is_empty() => actions::contacts::update(&app.ctx(), &user, kind, id, &w)
            .await
            .map(|_| ()),
        Ok(_) => Err(ActionError::Conflict(String::new())),
        Err(list) => {
            list.into_iter().for_each(|e| errors.add(e));
            Err(ActionError::Conflict(String::new()))
        }
    };
    match result {
        Ok(()) => {
            session::flash(&user.session, "ok", "Saved.").await;
            Ok(Redirect::to(&contact_path(kind, id)).into_response())
        }
        Err(ActionError::Invalid(e)) => {
            errors.add(e);
            Ok((
                StatusCode::UNPROCESSABLE_ENTITY,
                page(&app, &user, kind, id, None, Some((form, errors))).await?,
            )
                .into_response())
        }
        Err(ActionError::Conflict(_)) => Ok((
            StatusCode::UNPROCESSABLE_ENTITY,
            page(&app, &user, kind, id, None, Some((form, errors))).await?,
        )
            .into_response()),
        Err(other) => Err(other.into()),
    }
}

/// POST /contacts/{kind}/{id}/archive
pub async fn archive(
    State(app): State<AppState>,
    user: CurrentUser,
    Path((slug, id)): Path<(KindSlug, i64)>,
) -> AppResult<Response> {
    actions::contacts::archive(&app.ctx(), &user, slug.kind(), id).await?;
    session::flash(
        &user.session,
        "ok",
        "Archived: off every list; the touches are kept.",
    )
    .await;
    Ok(Redirect::to(&format!("/contacts?kind={}", KindSlug::of(slug.kind()))).into_response())
}

/// Where to go back after a post from Today or the contact page (never another site).
fn back_to(return_to: &str, fallback: &str) -> String {
    crate::web::return_to(return_to, &["/today", "/contacts/"], fallback)
}

/// POST /contacts/{kind}/{id}/touches: logs a touch; an invalid one re-shows the form it came from.
pub async fn log_touch(
    State(app): State<AppState>,
    user: CurrentUser,
    Path((slug, id)): Path<(KindSlug, i64)>,
    Form(form): Form<TouchForm>,
) -> AppResult<Response> {
    let kind = slug.kind();
    let parsed = form
        .to_input()
        .and_then(|i| i.parse(user.tz(), app.clock.now()));
    let error = match parsed {
        Ok(w) => match actions::touches::log(&app.ctx(), &user, kind, id, &w).await {
            Ok(logged) => {
                let back = back_to(&form.return_to, &contact_path(kind, id));
                let note = log_note(&logged);
                // back on Today the note travels in the URL (no session write); elsewhere a flash
                if back == "/today" || back.starts_with("/today?") {
                    return Ok(Redirect::to(&note.add_to(&back)).into_response());
                }
                let why = logged.item.as_ref().map(|i| i.why.as_str());
                let text = note.words(why, app.clock.today_in(user.tz()));
                session::flash(&user.session, "ok", text).await;
                return Ok(Redirect::to(&back).into_response());
            }
            Err(ActionError::Invalid(e)) => e,
            Err(other) => return Err(other.into()),
        },
        Err(e) => e,
    };
    let mut errors = FormErrors::default();
    errors.add(error);
    reshow_log(&app, &user, kind, id, &form, errors).await
}

async fn reshow_log(
    app: &AppState,
    user: &CurrentUser,
    kind: ContactKind,
    id: i64,
    form: &TouchForm,
    errors: FormErrors,
) -> AppResult<Response> {
    let contact = contacts::find(&app.db, user.team_id, kind, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let today = app.clock.today_in(user.tz());
    let settings = settings::load(&app.db, user.team_id).await?;
    // a candidate has no temperature, and the proposed date of a candidate does not read one
    let temperature = contact.temperature.unwrap_or(Temperature::Warm);
    let suggested = suggest_next_step(kind, temperature, &settings.cadence, today);
    let back = back_to(&form.return_to, &contact_path(kind, id));
    let log = LogForm::new(kind, id, &back, &form.channel, suggested, today).reshow(form, errors);
    if back == "/today" || back.starts_with("/today?") {
        let page = crate::web::today::reshow(
            app,
            user,
            crate::web::layout::Layout::new(user, "today").await,
            crate::web::today::ItemRef { kind, id },
            &back,
            log,
        )
        .await?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    }
    Ok((
        StatusCode::UNPROCESSABLE_ENTITY,
        page(app, user, kind, id, Some(log), None).await?,
    )
        .into_response())
}

/// What a logged touch led to, for the message after it ("Logged. Next: Thu 3 Dec, promised
/// follow-up.").
fn log_note(logged: &actions::touches::Logged) -> LogNote {
    match (&logged.item, logged.upcoming) {
        (Some(item), _) => LogNote::StillDue(item.reason),
        (None, Some((reason, day))) => LogNote::Next(reason, day),
        (None, None) => LogNote::Clear,
    }
}

#[derive(Debug, Deserialize)]
pub struct SnoozeForm {
    #[serde(default)]
    until: String,
    #[serde(default)]
    note: String,
    #[serde(default)]
    return_to: String,
}

/// POST /contacts/{kind}/{id}/snooze
pub async fn snooze(
    State(app): State<AppState>,
    user: CurrentUser,
    Path((slug, id)): Path<(KindSlug, i64)>,
    Form(form): Form<SnoozeForm>,
) -> AppResult<Response> {
    let kind = slug.kind();
    let back = back_to(&form.return_to, &contact_path(kind, id));
    let Ok(until) = form.until.parse::<chrono::NaiveDate>() else {
        session::flash(&user.session, "error", "Choose the date to snooze until.").await;
        return Ok(Redirect::to(&back).into_response());
    };
    match actions::contacts::snooze(&app.ctx(), &user, kind, id, until, &form.note).await {
        Ok(()) => {
            session::flash(
                &user.session,
                "ok",
                format!(
                    "Snoozed until {}.",
                    fmt::day(until, app.clock.today_in(user.tz()))
                ),
            )
            .await
        }
        Err(ActionError::Invalid(e)) => session::flash(&user.session, "error", e.message).await,
        Err(ActionError::Conflict(m)) => session::flash(&user.session, "error", m).await,
        Err(other) => return Err(other.into()),
    }
    Ok(Redirect::to(&back).into_response())
}
