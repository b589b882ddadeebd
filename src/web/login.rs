//! Logging in and out, with the rate limits: per client address (tower_governor, in memory), and
//! per account from this address and from everywhere (`auth::login`, shared by every instance).

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use tower_sessions::Session;

use crate::audit::{self, Event, Kind, Who};
use crate::auth::login::{self, LoginError};
use crate::auth::session;
use crate::db::users;
use crate::error::{AppError, AppResult};
use crate::links::is_safe_next;
use crate::state::AppState;
use crate::web::client::ClientAddr;
use crate::web::extract::CurrentUser;
use crate::web::forms::{Form, FormErrors, Query};
use crate::web::layout::Layout;

#[derive(Debug, Deserialize)]
pub struct NextQuery {
    next: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    next: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "login.html")]
struct LoginPage {
    layout: Layout,
    email: String,
    next: String,
    errors: FormErrors,
}

/// GET /login (the setup page instead while there is no team).
pub async fn form(
    State(app): State<AppState>,
    user: Option<CurrentUser>,
    Query(q): Query<NextQuery>,
) -> AppResult<Response> {
    if user.is_some() {
        return Ok(Redirect::to("/today").into_response());
    }
    if !users::any_team(&app.db).await? {
        return Ok(Redirect::to("/setup").into_response());
    }
    let next = q.next.filter(|n| is_safe_next(n)).unwrap_or_default();
    Ok(LoginPage {
        layout: Layout::anonymous(),
        email: String::new(),
        next,
        errors: FormErrors::default(),
    }
    .into_response())
}

/// POST /login: the same message for an unknown email and a wrong password; a refusal re-shows
/// the form with what to do (a throttled one with `Retry-After`).
pub async fn create(
    State(app): State<AppState>,
    ClientAddr(client): ClientAddr,
    session: Session,
    Form(form): Form<LoginForm>,
) -> AppResult<Response> {
    let now = app.clock.now();
    let user = match login::login(
        &app.db,
        &form.email,
        &form.password,
        client,
        now,
        "login form",
    )
    .await
    {
        Ok(user) => user,
        Err(LoginError::Internal(e)) => return Err(AppError::Internal(e)),
        Err(refused) => return Ok(refused_page(&refused, form)),
    };
    session::login(&session, &user, now)
        .await
        .map_err(|e| anyhow::anyhow!("session: {e}"))?;
    let target = if user.must_change_password {
        "/account/password".to_string()
    } else if is_safe_next(&form.next) {
        form.next
    } else {
        "/today".to_string()
    };
    Ok(Redirect::to(&target).into_response())
}

/// The form again, with why the login was refused: 429 and `Retry-After` when throttled, else 401.
fn refused_page(refused: &LoginError, form: LoginForm) -> Response {
    let next = if is_safe_next(&form.next) {
        form.next
    } else {
        String::new()
    };
    let page = LoginPage {
        layout: Layout::anonymous().with_error(refused.to_string()),
        email: form.email,
        next,
        errors: FormErrors::default(),
    };
    match refused.retry_after() {
        Some(seconds) => (
            StatusCode::TOO_MANY_REQUESTS,
            [(header::RETRY_AFTER, seconds.to_string())],
            page,
        )
            .into_response(),
        None => (StatusCode::UNAUTHORIZED, page).into_response(),
    }
}

/// POST /logout: the session row is deleted, the cookie cleared.
pub async fn destroy(
    State(app): State<AppState>,
    ClientAddr(client): ClientAddr,
    session: Session,
) -> AppResult<Response> {
    if let Some(auth) = session::current(&session).await
        && let Some(user) = users::find_active(&app.db, auth.user_id).await?
    {
        let who = Who {
            user_id: Some(user.id),
            ip: Some(client),
        };
        let event = Event::new(Kind::Logout, user.team_id).target(user.id);
        audit::record(&app.db, who, app.clock.now(), event).await?;
    }
    session::logout(&session)
        .await
        .map_err(|e| anyhow::anyhow!("session: {e}"))?;
    Ok(Redirect::to("/login").into_response())
}
