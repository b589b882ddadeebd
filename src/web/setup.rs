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
use crate::audit::Who;
use crate::auth::session;
use crate::auth::setup_code;
use crate::db::{setup_codes, users};
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::web::client::ClientAddr;
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
    /// The one-time code from the server's log (a public server only).
    #[serde(default)]
    pub code: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "setup.html")]
struct SetupPage {
    layout: Layout,
    form: SetupForm,
    errors: FormErrors,
    zones: Vec<&'static str>,
    /// A public server asks for the setup code.
    needs_code: bool,
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
    Ok(page(&app, form, FormErrors::default()).into_response())
}

fn page(app: &AppState, form: SetupForm, errors: FormErrors) -> SetupPage {
    SetupPage {
        layout: Layout::anonymous(),
        form,
        errors,
        zones: accounts::time_zone_names(),
        needs_code: app.config.is_public(),
    }
}

/// On a public server, the code must be one an instance printed; a wrong or missing one counts
/// against the login limit of the address (429 once over it).
async fn check_code(
    app: &AppState,
    client: ClientAddr,
    code: &str,
    errors: &mut FormErrors,
) -> AppResult<()> {
    if !app.config.is_public() || setup_code::is_valid(&app.db, code).await? {
        return Ok(());
    }
    if app.limits.count_failed_attempt(client.0).is_err() {
        return Err(AppError::TooManyRequests);
    }
    errors.set(
        "code",
        "That is not the setup code. Copy it from the server's log (the line that says FIRST RUN).",
    );
    Ok(())
}

/// POST /setup: creates the team and its manager and signs them in. Once a team exists it answers
/// 404 before reading or hashing anything.
pub async fn create(
    State(app): State<AppState>,
    client: ClientAddr,
    session: Session,
    Form(form): Form<SetupForm>,
) -> AppResult<Response> {
    if users::any_team(&app.db).await? {
        return Err(AppError::NotFound);
    }
    let mut errors = FormErrors::default();
    check_code(&app, client, &form.code, &mut errors).await?;
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
    let (Some(team), Some(valid), true) = (team, valid, errors.is_empty()) else {
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page(&app, form, errors)).into_response());
    };
    let mut tx = app.db.begin().await?;
    users::lock_setup(&mut *tx).await?;
    if users::any_team(&mut *tx).await? {
        return Err(AppError::NotFound);
    }
    let team_id = users::insert_team(&mut *tx, &team).await?;
    let user = match act::create_in(
        &mut tx,
        team_id,
        &valid,
        false,
        (
            Who {
                user_id: None,
                ip: Some(client.0),
            },
            app.clock.now(),
        ),
        ", the team's first manager, at setup",
    )
    .await
    {
        Ok(u) => u,
        Err(ActionError::Conflict(m)) => {
            errors.set("email", m);
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, page(&app, form, errors)).into_response());
        }
        Err(e) => return Err(e.into()),
    };
    setup_codes::delete_all(&mut *tx).await?;
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
