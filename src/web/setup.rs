//! First-run setup: while no team exists, this page creates the first team and its manager.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use tower_sessions::Session;

use crate::accounts::{self, Email, Role};
use crate::auth::{password, session};
use crate::db::users::{self, NewUser};
use crate::error::{AppError, AppResult, is_unique_violation};
use crate::startup::AppState;
use crate::web::forms::{Form, FormErrors};
use crate::web::layout::Layout;

/// The setup form as typed (re-shown on error, password excluded).
#[derive(Debug, Default, Deserialize)]
pub struct SetupForm {
    #[serde(default)]
    pub team: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub email: String,
    #[serde(default)]
    pub password: String,
    #[serde(default)]
    pub time_zone: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "setup.html")]
struct SetupPage {
    layout: Layout,
    form: SetupForm,
    errors: FormErrors,
    zones: Vec<&'static str>,
}

/// GET /setup: the form, or 404 once a team exists.
pub async fn new_form(State(app): State<AppState>) -> AppResult<Response> {
    if users::any_team(&app.db).await? {
        return Err(AppError::NotFound);
    }
    let form = SetupForm {
        time_zone: "UTC".into(),
        ..SetupForm::default()
    };
    Ok(page(form, FormErrors::default()).into_response())
}

fn page(form: SetupForm, errors: FormErrors) -> SetupPage {
    SetupPage {
        layout: Layout::anonymous(),
        form,
        errors,
        zones: accounts::time_zone_names(),
    }
}

/// POST /setup: creates the team and its manager and signs them in. Once a team exists it is a
/// 404 before anything is checked or hashed, so the page costs a stranger's post nothing.
pub async fn create(
    State(app): State<AppState>,
    session: Session,
    Form(form): Form<SetupForm>,
) -> AppResult<Response> {
    if users::any_team(&app.db).await? {
        return Err(AppError::NotFound);
    }
    let mut errors = FormErrors::default();
    let team = errors.check(accounts::parse_name("team", &form.team));
    let name = errors.check(accounts::parse_name("name", &form.name));
    let email = errors.check(Email::parse("email", &form.email));
    let tz = errors.check(accounts::parse_time_zone("time_zone", &form.time_zone));
    errors.check(accounts::check_password("password", &form.password));
    let (Some(team), Some(name), Some(email), Some(tz), true) =
        (team, name, email, tz, errors.is_empty())
    else {
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page(form, errors)).into_response());
    };
    let hash = password::hash(form.password.clone()).await?;
    let mut tx = app.db.begin().await?;
    users::lock_setup(&mut *tx).await?;
    if users::any_team(&app.db).await? {
        return Err(AppError::NotFound);
    }
    let team_id = users::insert_team(&mut *tx, &team).await?;
    let new = NewUser {
        team_id,
        email: &email,
        name: &name,
        role: Role::Manager,
        time_zone: tz.name(),
        password_hash: &hash,
        must_change_password: false,
    };
    let user = match users::insert(&mut *tx, &new).await {
        Ok(u) => u,
        Err(e) if is_unique_violation(&e, "users_email_key") => {
            errors.set("email", "This email already has an account.");
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, page(form, errors)).into_response());
        }
        Err(e) => return Err(e.into()),
    };
    tx.commit().await?;
    session::login(&session, &user)
        .await
        .map_err(|e| anyhow::anyhow!("session: {e}"))?;
    session::flash(
        &session,
        "ok",
        format!("Welcome! {team} is ready. Add your recruiters under Settings."),
    )
    .await;
    Ok(Redirect::to("/today").into_response())
}
