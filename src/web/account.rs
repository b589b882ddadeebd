//! The account page: every user changes their password and time zone, manages API tokens, and
//! can sign out everywhere.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use crate::accounts::{self, FieldError};
use crate::actions::ActionError;
use crate::actions::tokens::{self as token_actions, TokenInput};
use crate::audit::{self, Event, Kind, Who};
use crate::auth::password_rules::{self, Owner};
use crate::auth::{password, session};
use crate::db::tokens::TokenRow;
use crate::db::users;
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::web::client::ClientAddr;
use crate::web::extract::CurrentUser;
use crate::web::forms::{Form, FormErrors};
use crate::web::layout::Layout;

#[derive(Template, WebTemplate)]
#[template(path = "account/show.html")]
pub(crate) struct AccountPage {
    layout: Layout,
    email: String,
    role: &'static str,
    time_zone: String,
    zones: Vec<&'static str>,
    tokens: Vec<TokenRow>,
    new_token: Option<String>,
    token_name: String,
    token_days: String,
    errors: FormErrors,
    /// Where scripts send their requests (`links::absolute`), if the server knows its address.
    api_base: Option<String>,
    /// Cover: the user's periods away and the form for a new one (`web::away`).
    pub(crate) away: crate::web::away::AwayPanel,
    /// The morning email: on or off (`web::mail`).
    digest: crate::web::mail::DigestChoice,
}

pub(crate) async fn account_page(
    app: &AppState,
    user: &CurrentUser,
    headers: &HeaderMap,
    errors: FormErrors,
    new_token: Option<String>,
) -> AppResult<AccountPage> {
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok());
    let cx = app.ctx();
    let tokens = token_actions::list(&cx, user, None).await?;
    Ok(AccountPage {
        api_base: crate::links::absolute(&app.config, host, "/api/v1"),
        layout: Layout::new(user, "account").await,
        email: user.email.clone(),
        role: if user.is_manager() {
            "Manager"
        } else {
            "Recruiter"
        },
        time_zone: user.time_zone.name().to_string(),
        zones: accounts::time_zone_names(),
        tokens,
        new_token,
        token_name: String::new(),
        token_days: String::new(),
        errors,
        away: crate::web::away::AwayPanel::own(app, user).await?,
        digest: crate::web::mail::DigestChoice::of(app, user).await?,
    })
}

/// GET /account
pub async fn show(
    State(app): State<AppState>,
    user: CurrentUser,
    headers: HeaderMap,
) -> AppResult<Response> {
    Ok(
        account_page(&app, &user, &headers, FormErrors::default(), None)
            .await?
            .into_response(),
    )
}

#[derive(Template, WebTemplate)]
#[template(path = "account/password.html")]
struct PasswordPage {
    layout: Layout,
    forced: bool,
    errors: FormErrors,
}

/// GET /account/password (also where a user with a temporary password lands).
pub async fn password_form(user: CurrentUser) -> AppResult<Response> {
    let layout = Layout::new(&user, "account").await;
    Ok(PasswordPage {
        layout,
        forced: user.must_change_password,
        errors: FormErrors::default(),
    }
    .into_response())
}

#[derive(Debug, Deserialize)]
pub struct PasswordForm {
    #[serde(default)]
    current: String,
    #[serde(default)]
    new_password: String,
    #[serde(default)]
    confirm: String,
}

/// POST /account/password: checks the current password; every other session of the user ends.
pub async fn update_password(
    State(app): State<AppState>,
    user: CurrentUser,
    ClientAddr(client): ClientAddr,
    Form(form): Form<PasswordForm>,
) -> AppResult<Response> {
    let mut errors = FormErrors::default();
    let stored = users::password_hash(&app.db, user.team_id, user.id).await?;
    if !password::verify(form.current.clone(), stored).await? {
        errors.set("current", "That is not your current password.");
    }
    let owner = Owner {
        email: &user.email,
        name: &user.name,
    };
    errors.check(password_rules::check(
        "new_password",
        &form.new_password,
        owner,
    ));
    if form.new_password != form.confirm {
        errors.set("confirm", "The two new passwords differ.");
    }
    if !errors.is_empty() {
        let layout = Layout::new(&user, "account").await;
        let page = PasswordPage {
            layout,
            forced: user.must_change_password,
            errors,
        };
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    }
    let hash = password::hash(form.new_password).await?;
    let now = app.clock.now();
    let mut tx = app.db.begin().await?;
    let epoch = users::set_password(&mut *tx, user.team_id, user.id, &hash, None)
        .await?
        .ok_or(AppError::NotFound)?;
    let who = Who {
        user_id: Some(user.id),
        ip: Some(client),
    };
    let detail = if user.must_change_password {
        "the temporary one replaced; other sessions ended"
    } else {
        "other sessions ended"
    };
    let event = Event::new(Kind::PasswordChanged, user.team_id)
        .target(user.id)
        .detail(detail);
    audit::record(&mut *tx, who, now, event).await?;
    tx.commit().await?;
    session::renew(&user.session, user.id, epoch, app.clock.now())
        .await
        .map_err(|e| anyhow::anyhow!("session: {e}"))?;
    session::flash(
        &user.session,
        "ok",
        "Password changed. Your other sessions were signed out.",
    )
    .await;
    Ok(Redirect::to("/account").into_response())
}

#[derive(Debug, Deserialize)]
pub struct TimeZoneForm {
    #[serde(default)]
    time_zone: String,
}

/// POST /account/time-zone
pub async fn update_time_zone(
    State(app): State<AppState>,
    user: CurrentUser,
    headers: HeaderMap,
    Form(form): Form<TimeZoneForm>,
) -> AppResult<Response> {
    let tz = match accounts::parse_time_zone("time_zone", &form.time_zone) {
        Ok(tz) => tz,
        Err(e) => {
            let mut errors = FormErrors::default();
            errors.add(e);
            let page = account_page(&app, &user, &headers, errors, None).await?;
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
        }
    };
    users::set_time_zone(&app.db, user.team_id, user.id, tz).await?;
    session::flash(
        &user.session,
        "ok",
        format!("Time zone set to {}.", tz.name()),
    )
    .await;
    Ok(Redirect::to("/account").into_response())
}

#[derive(Debug, Deserialize)]
pub struct TokenForm {
    #[serde(default)]
    name: String,
    /// Empty: the token lasts until revoked.
    #[serde(default)]
    expires_in_days: String,
    #[serde(default)]
    current_password: String,
}

impl TokenForm {
    fn input(&self) -> Result<TokenInput, FieldError> {
        let days = self.expires_in_days.trim();
        let expires_in_days = if days.is_empty() {
            None
        } else {
            Some(days.parse::<i64>().map_err(|_| {
                FieldError::new(
                    "expires_in_days",
                    "Give a whole number of days, or leave it empty.",
                )
            })?)
        };
        Ok(TokenInput {
            name: Some(self.name.clone()),
            expires_in_days,
        })
    }
}

/// POST /account/tokens: asks for the current password; the token is shown on this response only.
/// (While a temporary password must be changed, `CurrentUser` sends the user to do that first.)
pub async fn create_token(
    State(app): State<AppState>,
    user: CurrentUser,
    client: ClientAddr,
    headers: HeaderMap,
    Form(form): Form<TokenForm>,
) -> AppResult<Response> {
    let cx = app.ctx_as(Some(user.id), client);
    let made = match form.input() {
        Ok(input) => token_actions::create_confirmed(&cx, &user, &form.current_password, &input)
            .await
            .map_err(|e| match e {
                ActionError::Invalid(f) => Ok(f),
                other => Err(other),
            }),
        Err(f) => Err(Ok(f)),
    };
    match made {
        Ok(new) => Ok(account_page(
            &app,
            &user,
            &headers,
            FormErrors::default(),
            Some(new.token),
        )
        .await?
        .into_response()),
        Err(Ok(field)) => {
            let mut errors = FormErrors::default();
            errors.add(field);
            let mut page = account_page(&app, &user, &headers, errors, None).await?;
            page.token_name = form.name;
            page.token_days = form.expires_in_days;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(Err(other)) => Err(other.into()),
    }
}

/// POST /account/tokens/{id}/revoke (the same action as the API's: a manager may revoke a
/// teammate's too, as on the users page)
pub async fn revoke_token(
    State(app): State<AppState>,
    user: CurrentUser,
    client: ClientAddr,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    token_actions::revoke(&app.ctx_as(Some(user.id), client), &user, id).await?;
    session::flash(
        &user.session,
        "ok",
        "Token revoked: scripts using it now get 401.",
    )
    .await;
    Ok(Redirect::to("/account").into_response())
}

/// POST /account/sign-out-everywhere: every session of the user ends, this one too, and every
/// token is revoked.
pub async fn sign_out_everywhere(
    State(app): State<AppState>,
    user: CurrentUser,
    client: ClientAddr,
) -> AppResult<Response> {
    token_actions::sign_out_everywhere(&app.ctx_as(Some(user.id), client), &user).await?;
    session::logout(&user.session)
        .await
        .map_err(|e| anyhow::anyhow!("session: {e}"))?;
    Ok(Redirect::to("/login").into_response())
}
