//! The calendar feed (`GET /calendar/{secret}.ics`, authenticated by the secret alone) and the
//! account page's "Subscribe in your calendar" (`/account/calendar`): make, replace or turn off
//! the secret URL.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::{DateTime, Utc};

use crate::actions;
use crate::auth::session;
use crate::calendar::{feed, token};
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::web::extract::CurrentUser;
use crate::web::layout::Layout;

fn host(headers: &HeaderMap) -> Option<&str> {
    headers.get(header::HOST).and_then(|h| h.to_str().ok())
}

/// GET /calendar/{secret}.ics
pub async fn feed(
    State(app): State<AppState>,
    headers: HeaderMap,
    Path(file): Path<String>,
) -> AppResult<Response> {
    let secret = file.strip_suffix(".ics").ok_or(AppError::NotFound)?;
    let user = token::user_of(&app.db, secret)
        .await?
        .ok_or(AppError::NotFound)?;
    let now = app.clock.now();
    let entries = feed::entries(&app.db, &user, now).await?;
    let names = feed::names(&app.db, user.team_id, &entries).await?;
    let link = |path: &str| crate::links::absolute(&app.config, host(&headers), path);
    let body = feed::ics(&entries, &names, &user.name, link, now);
    Ok((
        [
            (header::CONTENT_TYPE, "text/calendar; charset=utf-8"),
            (
                header::CONTENT_DISPOSITION,
                "inline; filename=\"secondcall.ics\"",
            ),
        ],
        body,
    )
        .into_response())
}

#[derive(Template, WebTemplate)]
#[template(path = "account/calendar.html")]
struct CalendarPage {
    layout: Layout,
    made_at: Option<DateTime<Utc>>,
    /// The new URLs (https, webcal), shown once right after they are made.
    fresh: Option<(String, String)>,
    /// A new secret was made but the server cannot build absolute links (no PUBLIC_URL).
    fresh_path: Option<String>,
}

async fn page(
    app: &AppState,
    user: &CurrentUser,
    fresh: Option<(String, String)>,
    fresh_path: Option<String>,
) -> AppResult<CalendarPage> {
    Ok(CalendarPage {
        layout: Layout::new(user, "account").await,
        made_at: token::made_at(&app.db, user).await?,
        fresh,
        fresh_path,
    })
}

/// GET /account/calendar
pub async fn show(State(app): State<AppState>, user: CurrentUser) -> AppResult<Response> {
    Ok(page(&app, &user, None, None).await?.into_response())
}

/// POST /account/calendar: a new secret URL (the old one stops), shown once.
pub async fn replace(
    State(app): State<AppState>,
    user: CurrentUser,
    headers: HeaderMap,
) -> AppResult<Response> {
    let secret = actions::calendar::replace(&app.ctx(), &user).await?;
    let urls = actions::calendar::urls(&app.config, host(&headers), &secret);
    let path = urls.is_none().then(|| token::path(&secret));
    Ok(page(&app, &user, urls, path).await?.into_response())
}

/// POST /account/calendar/off
pub async fn turn_off(State(app): State<AppState>, user: CurrentUser) -> AppResult<Response> {
    actions::calendar::turn_off(&app.ctx(), &user).await?;
    session::flash(
        &user.session,
        "ok",
        "Calendar feed turned off: its link no longer works.",
    )
    .await;
    Ok(Redirect::to("/account/calendar").into_response())
}
