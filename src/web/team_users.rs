//! The team's users (managers only): add a recruiter or manager, reset a password.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use crate::accounts::{self, Email, FieldError, Role};
use crate::auth::{password, session};
use crate::db::users::{self, NewUser, User};
use crate::error::{AppError, AppResult, is_unique_violation};
use crate::startup::AppState;
use crate::web::extract::Manager;
use crate::web::forms::{Form, FormErrors};
use crate::web::layout::Layout;

#[derive(Template, WebTemplate)]
#[template(path = "users/index.html")]
struct UsersPage {
    layout: Layout,
    users: Vec<User>,
    me: i64,
}

/// GET /settings/users
pub async fn index(State(app): State<AppState>, manager: Manager) -> AppResult<Response> {
    let users = users::list_for_team(&app.db, manager.team_id).await?;
    Ok(UsersPage {
        layout: Layout::new(&manager, "settings").await,
        users,
        me: manager.id,
    }
    .into_response())
}

/// The new-user form as typed.
#[derive(Debug, Default, Deserialize)]
pub struct UserForm {
    #[serde(default)]
    pub email: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub role: String,
    #[serde(default)]
    pub time_zone: String,
    #[serde(default)]
    pub password: String,
}

/// A new user's input, parsed; shared by the form and the JSON API.
#[derive(Debug)]
pub struct ValidUser {
    pub email: Email,
    pub name: String,
    pub role: Role,
    pub time_zone: chrono_tz::Tz,
}

impl UserForm {
    /// All field problems at once, or the parsed user.
    pub fn parse(&self) -> Result<ValidUser, Vec<FieldError>> {
        let email = Email::parse("email", &self.email);
        let name = accounts::parse_name("name", &self.name);
        let role = self.role.parse::<Role>();
        let tz = accounts::parse_time_zone("time_zone", &self.time_zone);
        let pw = accounts::check_password("password", &self.password);
        match (email, name, role, tz, pw) {
            (Ok(email), Ok(name), Ok(role), Ok(time_zone), Ok(())) => Ok(ValidUser {
                email,
                name,
                role,
                time_zone,
            }),
            (e, n, r, t, p) => Err([e.err(), n.err(), r.err(), t.err(), p.err()]
                .into_iter()
                .flatten()
                .collect()),
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "users/new.html")]
struct NewUserPage {
    layout: Layout,
    form: UserForm,
    errors: FormErrors,
    zones: Vec<&'static str>,
}

/// GET /settings/users/new
pub async fn new_form(manager: Manager) -> AppResult<Response> {
    let form = UserForm {
        role: "recruiter".into(),
        time_zone: manager.time_zone.clone(),
        ..UserForm::default()
    };
    let layout = Layout::new(&manager, "settings").await;
    Ok(NewUserPage {
        layout,
        form,
        errors: FormErrors::default(),
        zones: accounts::time_zone_names(),
    }
    .into_response())
}

/// Creates a user in the manager's team; the email must be new.
pub async fn insert_user(
    app: &AppState,
    team_id: i64,
    v: &ValidUser,
    password: String,
    must_change: bool,
) -> Result<User, AppError> {
    let hash = password::hash(password).await?;
    let new = NewUser {
        team_id,
        email: &v.email,
        name: &v.name,
        role: v.role,
        time_zone: v.time_zone.name(),
        password_hash: &hash,
        must_change_password: must_change,
    };
    users::insert(&app.db, &new).await.map_err(|e| {
        if is_unique_violation(&e, "users_email_key") {
            AppError::Conflict("email taken")
        } else {
            e.into()
        }
    })
}

/// POST /settings/users: the initial password is the manager's to hand over; it need not change.
pub async fn create(
    State(app): State<AppState>,
    manager: Manager,
    Form(form): Form<UserForm>,
) -> AppResult<Response> {
    let mut errors = FormErrors::default();
    let result = match form.parse() {
        Ok(valid) => insert_user(&app, manager.team_id, &valid, form.password.clone(), false).await,
        Err(list) => {
            list.into_iter().for_each(|e| errors.add(e));
            Err(AppError::Conflict("invalid"))
        }
    };
    match result {
        Ok(user) => {
            session::flash(
                &manager.session,
                "ok",
                format!("{} can now log in as {}.", user.name, user.email),
            )
            .await;
            Ok(Redirect::to("/settings/users").into_response())
        }
        Err(AppError::Conflict(_)) => {
            if errors.is_empty() {
                errors.set("email", "This email already has an account.");
            }
            let layout = Layout::new(&manager, "settings").await;
            let page = NewUserPage {
                layout,
                form: UserForm {
                    password: String::new(),
                    ..form
                },
                errors,
                zones: accounts::time_zone_names(),
            };
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(other) => Err(other),
    }
}

#[derive(Debug, Deserialize)]
pub struct ResetForm {
    #[serde(default)]
    password: String,
}

/// POST /settings/users/{id}/reset-password: a temporary password, changed at the next login.
pub async fn reset_password(
    State(app): State<AppState>,
    manager: Manager,
    Path(id): Path<i64>,
    Form(form): Form<ResetForm>,
) -> AppResult<Response> {
    let target = users::find_in_team(&app.db, manager.team_id, id)
        .await?
        .ok_or(AppError::NotFound)?;
    if let Err(e) = accounts::check_password("password", &form.password) {
        session::flash(
            &manager.session,
            "error",
            format!("Temporary password for {}: {}", target.name, e.message),
        )
        .await;
        return Ok(Redirect::to("/settings/users").into_response());
    }
    let hash = password::hash(form.password).await?;
    users::set_password(&app.db, manager.team_id, id, &hash, true)
        .await?
        .ok_or(AppError::NotFound)?;
    let text = format!(
        "{} has a temporary password and must choose a new one at their next login.",
        target.name
    );
    session::flash(&manager.session, "ok", text).await;
    Ok(Redirect::to("/settings/users").into_response())
}

#[derive(Debug, Deserialize)]
pub struct DeactivateForm {
    #[serde(default)]
    reassign_to: String,
}

/// POST /settings/users/{id}/deactivate: the user can no longer log in, their sessions and tokens
/// end, their contacts move to the chosen teammate; their touches stay theirs.
pub async fn deactivate(
    State(app): State<AppState>,
    manager: Manager,
    Path(id): Path<i64>,
    Form(form): Form<DeactivateForm>,
) -> AppResult<Response> {
    let target = users::find_in_team(&app.db, manager.team_id, id)
        .await?
        .ok_or(AppError::NotFound)?;
    if target.id == manager.id {
        session::flash(
            &manager.session,
            "error",
            "You cannot deactivate yourself; ask another manager.",
        )
        .await;
        return Ok(Redirect::to("/settings/users").into_response());
    }
    let heir = match form.reassign_to.trim().parse::<i64>() {
        Ok(h) => users::find_in_team(&app.db, manager.team_id, h)
            .await?
            .filter(|u| u.active && u.id != id),
        Err(_) => None,
    };
    let owned = users::owned_contacts(&app.db, manager.team_id, id).await?;
    if owned > 0 && heir.is_none() {
        let text = format!(
            "{} owns {owned} contacts: choose a teammate to hand them to.",
            target.name
        );
        session::flash(&manager.session, "error", text).await;
        return Ok(Redirect::to("/settings/users").into_response());
    }
    let mut tx = app.db.begin().await?;
    if let Some(h) = &heir {
        users::reassign_contacts(&mut tx, manager.team_id, id, h.id).await?;
    }
    users::set_active(&mut tx, manager.team_id, id, false).await?;
    crate::db::due::clear_user_list(&mut tx, manager.team_id, id).await?;
    tx.commit().await?;
    if let Some(h) = &heir {
        crate::engine::rebuild_users(&app.db, manager.team_id, "manual", &[h.id]).await?;
    }
    let moved = heir
        .map(|h| format!(" Their {owned} contacts now belong to {}.", h.name))
        .unwrap_or_default();
    session::flash(
        &manager.session,
        "ok",
        format!("{} is deactivated.{moved}", target.name),
    )
    .await;
    Ok(Redirect::to("/settings/users").into_response())
}

/// POST /settings/users/{id}/reactivate
pub async fn reactivate(
    State(app): State<AppState>,
    manager: Manager,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let target = users::find_in_team(&app.db, manager.team_id, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let mut conn = app.db.acquire().await?;
    users::set_active(&mut conn, manager.team_id, id, true).await?;
    session::flash(
        &manager.session,
        "ok",
        format!("{} can log in again.", target.name),
    )
    .await;
    Ok(Redirect::to("/settings/users").into_response())
}
