//! The team's users (managers only): add a recruiter or manager, reset a password, see and
//! revoke their API tokens, deactivate and reactivate.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use crate::accounts;
use crate::actions::ActionError;
use crate::actions::tokens as token_actions;
use crate::actions::users::{self as act, Changed, UserChange, UserInput};
use crate::auth::session;
use crate::db::tokens::{self, TokenRow};
use crate::db::users::{self, User};
use crate::error::AppResult;
use crate::state::AppState;
use crate::web::client::ClientAddr;
use crate::web::extract::Manager;
use crate::web::forms::{Form, FormErrors};
use crate::web::layout::Layout;

#[derive(Template, WebTemplate)]
#[template(path = "users/index.html")]
pub(crate) struct UsersPage {
    layout: Layout,
    users: Vec<UserRow>,
    me: i64,
    /// Cover: everyone's periods away and the form for a new one (`web::away`).
    away: crate::web::away::AwayPanel,
}

/// A user and their live API tokens.
struct UserRow {
    user: User,
    tokens: Vec<TokenRow>,
}

impl std::ops::Deref for UserRow {
    type Target = User;
    fn deref(&self) -> &User {
        &self.user
    }
}

/// The page, with the given layout (a message) and "Away" panel (its form as typed).
pub(crate) async fn users_page(
    app: &AppState,
    manager: &Manager,
    layout: Layout,
    away: crate::web::away::AwayPanel,
) -> AppResult<UsersPage> {
    let cx = app.ctx();
    let mut tokens = tokens::list_for_team(&app.db, manager.team_id, cx.now).await?;
    let users = users::list_for_team(&app.db, manager.team_id)
        .await?
        .into_iter()
        .map(|user| {
            let (theirs, rest): (Vec<_>, Vec<_>) =
                tokens.drain(..).partition(|t| t.user_id == user.id);
            tokens = rest;
            UserRow {
                user,
                tokens: theirs,
            }
        })
        .collect();
    Ok(UsersPage {
        layout,
        users,
        me: manager.id,
        away,
    })
}

/// GET /settings/users
pub async fn index(State(app): State<AppState>, manager: Manager) -> AppResult<Response> {
    let layout = Layout::new(&manager, "settings").await;
    let away = crate::web::away::AwayPanel::team(&app, &manager).await?;
    Ok(users_page(&app, &manager, layout, away)
        .await?
        .into_response())
}

/// POST /settings/tokens/{id}/revoke: a teammate's token (the same action as the API's).
pub async fn revoke_token(
    State(app): State<AppState>,
    manager: Manager,
    client: ClientAddr,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    token_actions::revoke(&app.ctx_as(Some(manager.id), client), &manager, id).await?;
    session::flash(
        &manager.session,
        "ok",
        "Token revoked: scripts using it now get 401.",
    )
    .await;
    Ok(Redirect::to("/settings/users").into_response())
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

impl UserForm {
    fn input(&self) -> UserInput {
        UserInput {
            email: self.email.clone(),
            name: self.name.clone(),
            role: self.role.clone(),
            time_zone: self.time_zone.clone(),
            password: self.password.clone(),
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
        time_zone: manager.time_zone.name().to_string(),
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

/// POST /settings/users: the initial password is the manager's to hand over; it need not change.
pub async fn create(
    State(app): State<AppState>,
    manager: Manager,
    client: ClientAddr,
    Form(form): Form<UserForm>,
) -> AppResult<Response> {
    let mut errors = FormErrors::default();
    match form.input().parse() {
        Ok(valid) => match act::create(
            &app.ctx_as(Some(manager.id), client),
            manager.team_id,
            &valid,
        )
        .await
        {
            Ok(user) => {
                let text = format!("{} can now log in as {}.", user.name, user.email);
                session::flash(&manager.session, "ok", text).await;
                return Ok(Redirect::to("/settings/users").into_response());
            }
            Err(ActionError::Conflict(m)) => errors.set("email", m),
            Err(other) => return Err(other.into()),
        },
        Err(list) => list.into_iter().for_each(|e| errors.add(e)),
    }
    let page = NewUserPage {
        layout: Layout::new(&manager, "settings").await,
        form: UserForm {
            password: String::new(),
            ..form
        },
        errors,
        zones: accounts::time_zone_names(),
    };
    Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
}

#[derive(Debug, Deserialize)]
pub struct ResetForm {
    #[serde(default)]
    password: String,
}

/// POST /settings/users/{id}/reset-password: a temporary password, changed at the next login
/// and good for 7 days; the user's sessions end and their tokens are revoked. A password the rule
/// refuses re-shows the page (422) with why.
pub async fn reset_password(
    State(app): State<AppState>,
    manager: Manager,
    client: ClientAddr,
    Path(id): Path<i64>,
    Form(form): Form<ResetForm>,
) -> AppResult<Response> {
    match act::reset_password(
        &app.ctx_as(Some(manager.id), client),
        manager.team_id,
        id,
        &form.password,
    )
    .await
    {
        Ok(target) => {
            let text = format!(
                "{} has a temporary password, good for 7 days, and must choose a new one at their next login. Their sessions and API tokens have ended.",
                target.name
            );
            session::flash(&manager.session, "ok", text).await;
            Ok(Redirect::to("/settings/users").into_response())
        }
        Err(ActionError::Invalid(e)) => {
            let layout = Layout::new(&manager, "settings")
                .await
                .with_error(format!("Temporary password: {}", e.message));
            let away = crate::web::away::AwayPanel::team(&app, &manager).await?;
            let page = users_page(&app, &manager, layout, away).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(other) => Err(other.into()),
    }
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
    client: ClientAddr,
    Path(id): Path<i64>,
    Form(form): Form<DeactivateForm>,
) -> AppResult<Response> {
    let change = UserChange {
        active: Some(false),
        reassign_to: form.reassign_to.trim().parse::<i64>().ok(),
        ..UserChange::default()
    };
    let (kind, text) =
        match act::change(&app.ctx_as(Some(manager.id), client), &manager, id, &change).await {
            Ok(Changed { user, handed_to }) => {
                let moved = handed_to
                    .map(|(h, n)| format!(" Their {n} contacts now belong to {}.", h.name))
                    .unwrap_or_default();
                ("ok", format!("{} is deactivated.{moved}", user.name))
            }
            Err(ActionError::Invalid(e)) => ("error", e.message),
            Err(ActionError::Conflict(m)) => ("error", m),
            Err(other) => return Err(other.into()),
        };
    session::flash(&manager.session, kind, text).await;
    Ok(Redirect::to("/settings/users").into_response())
}

/// POST /settings/users/{id}/reactivate
pub async fn reactivate(
    State(app): State<AppState>,
    manager: Manager,
    client: ClientAddr,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let change = UserChange {
        active: Some(true),
        ..UserChange::default()
    };
    let changed = act::change(&app.ctx_as(Some(manager.id), client), &manager, id, &change).await?;
    let text = format!("{} can log in again.", changed.user.name);
    session::flash(&manager.session, "ok", text).await;
    Ok(Redirect::to("/settings/users").into_response())
}
