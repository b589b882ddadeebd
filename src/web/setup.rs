//! First-run setup: while no team exists, this page creates the first team and its manager.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use tower_sessions::Session;

use crate::accounts::{self, Role};
use crate::actions::ActionError;
use crate::actions::users::{self as act, UserInput};
use crate::auth::session;
use crate::db::users;
use crate::error::{AppError, AppResult};
use crate::state::AppState;
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

/// POST /setup: creates the team and its manager and signs them in. Once a team exists it answers
/// 404 before reading or hashing anything.
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
    let input = UserInput {
        email: form.email.clone(),
        name: form.name.clone(),
        role: Role::Manager.as_str().to_string(),
        time_zone: form.time_zone.clone(),
        password: form.password.clone(),
    };
    let valid = match input.parse() {
        Ok(v) => Some(v),
        Err(list) => {
            list.into_iter().for_each(|e| errors.add(e));
            None
        }
    };
    let (Some(team), Some(valid)) = (team, valid) else {
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page(form, errors)).into_response());
    };
    let mut tx = app.db.begin().await?;
    users::lock_setup(&mut *tx).await?;
    if users::any_team(&mut *tx).await? {
        return Err(AppError::NotFound);
    }
    let team_id = users::insert_team(&mut *tx, &team).await?;
    let user = match act::create_in(&mut tx, team_id, &valid, false).await {
        Ok(u) => u,
        Err(ActionError::Conflict(m)) => {
            errors.set("email", m);
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, page(form, errors)).into_response());
        }
        Err(e) => return Err(e.into()),
    };
    tx.commit().await?;
    session::login(&session, &user, app.clock.now())
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
