//! Cover on the pages: the "Away" panel of the account page (a user's own periods) and of
//! Settings → Users (a manager's view of everyone's), and their forms. The rules are the
//! action's (`actions::away`), as for `/api/v1/users/{id}/away`.

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use crate::actions::ActionError;
use crate::actions::away::{self as act, AwayInput};
use crate::auth::session;
use crate::db::away::{self, Period};
use crate::db::users::{self, User};
use crate::error::AppResult;
use crate::state::AppState;
use crate::web::extract::{CurrentUser, Manager};
use crate::web::fmt;
use crate::web::forms::{Form, FormErrors};

/// One period as the panel lists it.
pub struct PeriodRow {
    pub user_name: String,
    pub dates: String,
    pub covered_by_name: String,
    /// Where its "Remove" button posts.
    pub delete: String,
}

/// The form as typed (strings, shown again on an error).
#[derive(Debug, Default, Clone, Deserialize)]
pub struct AwayForm {
    /// Settings → Users only: whose period it is.
    #[serde(default)]
    pub user_id: String,
    #[serde(default)]
    pub from: String,
    #[serde(default)]
    pub to: String,
    #[serde(default)]
    pub covered_by: String,
}

/// The "Away" panel: the periods not ended yet, and the form for a new one.
pub struct AwayPanel {
    pub periods: Vec<PeriodRow>,
    /// Who may be chosen as the absent user (a manager's panel) or as the coverer.
    pub people: Vec<(i64, String)>,
    /// The manager's panel (chooses whose period); the account page sets the user's own.
    pub for_anyone: bool,
    pub action: &'static str,
    pub form: AwayForm,
    pub errors: FormErrors,
}

impl AwayPanel {
    /// The account page's panel: the user's own periods.
    pub async fn own(app: &AppState, user: &User) -> AppResult<Self> {
        let today = app.clock.today_in(user.tz());
        let periods = away::list_for_user(&app.db, user.team_id, user.id)
            .await?
            .into_iter()
            .filter(|p| p.to_date >= today)
            .map(|p| row(&p, today, format!("/account/away/{}/delete", p.id)))
            .collect();
        Ok(Self {
            periods,
            people: teammates(app, user, Some(user.id)).await?,
            for_anyone: false,
            action: "/account/away",
            form: AwayForm::default(),
            errors: FormErrors::default(),
        })
    }

    /// Settings → Users: the team's periods not ended yet.
    pub async fn team(app: &AppState, manager: &User) -> AppResult<Self> {
        let today = app.clock.today_in(manager.tz());
        let periods = away::current_and_coming(&app.db, manager.team_id, app.clock.now())
            .await?
            .into_iter()
            .map(|p| {
                let delete = format!("/settings/users/{}/away/{}/delete", p.user_id, p.id);
                row(&p, today, delete)
            })
            .collect();
        Ok(Self {
            periods,
            people: teammates(app, manager, None).await?,
            for_anyone: true,
            action: "/settings/users/away",
            form: AwayForm::default(),
            errors: FormErrors::default(),
        })
    }

    /// The same panel with the form as typed and its problems.
    fn reshow(mut self, form: AwayForm, errors: FormErrors) -> Self {
        self.form = form;
        self.errors = errors;
        self
    }
}

fn row(p: &Period, today: chrono::NaiveDate, delete: String) -> PeriodRow {
    PeriodRow {
        user_name: p.user_name.clone(),
        dates: format!(
            "{} – {}",
            fmt::day(p.from_date, today),
            fmt::day(p.to_date, today)
        ),
        covered_by_name: p.covered_by_name.clone(),
        delete,
    }
}

async fn teammates(app: &AppState, user: &User, but: Option<i64>) -> AppResult<Vec<(i64, String)>> {
    Ok(users::list_for_team(&app.db, user.team_id)
        .await?
        .into_iter()
        .filter(|u| u.active && Some(u.id) != but)
        .map(|u| (u.id, u.name))
        .collect())
}

/// What the action said, for a form: the problems to show, or an error page.
fn form_errors(err: ActionError) -> AppResult<FormErrors> {
    let mut errors = FormErrors::default();
    match err {
        ActionError::Invalid(e) => errors.add(e),
        ActionError::Conflict(m) => errors.set("from", m),
        other => return Err(other.into()),
    }
    Ok(errors)
}

/// Parses and records the period; the form's problems on failure.
async fn record(
    app: &AppState,
    actor: &User,
    user_id: i64,
    form: &AwayForm,
) -> AppResult<Result<Period, FormErrors>> {
    let input = AwayInput {
        from: form.from.clone(),
        to: form.to.clone(),
        covered_by: form.covered_by.clone(),
    };
    let new = match input.parse() {
        Ok(n) => n,
        Err(list) => {
            let mut errors = FormErrors::default();
            list.into_iter().for_each(|e| errors.add(e));
            return Ok(Err(errors));
        }
    };
    match act::create(&app.ctx(), actor, user_id, &new).await {
        Ok(p) => Ok(Ok(p)),
        Err(e) => Ok(Err(form_errors(e)?)),
    }
}

fn saved_text(p: &Period) -> String {
    format!(
        "{} is away from {} to {}; {} covers.",
        p.user_name, p.from_date, p.to_date, p.covered_by_name
    )
}

/// POST /account/away: the user's own period.
pub async fn create_own(
    State(app): State<AppState>,
    user: CurrentUser,
    headers: HeaderMap,
    Form(form): Form<AwayForm>,
) -> AppResult<Response> {
    match record(&app, &user, user.id, &form).await? {
        Ok(p) => {
            session::flash(&user.session, "ok", saved_text(&p)).await;
            Ok(Redirect::to("/account").into_response())
        }
        Err(errors) => {
            let mut page = crate::web::account::account_page(
                &app,
                &user,
                &headers,
                FormErrors::default(),
                None,
            )
            .await?;
            page.away = AwayPanel::own(&app, &user).await?.reshow(form, errors);
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
    }
}

/// POST /account/away/{id}/delete
pub async fn delete_own(
    State(app): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    act::delete(&app.ctx(), &user, user.id, id).await?;
    session::flash(&user.session, "ok", "The period away is removed.").await;
    Ok(Redirect::to("/account").into_response())
}

/// POST /settings/users/away: a manager sets anyone's period.
pub async fn create_any(
    State(app): State<AppState>,
    manager: Manager,
    Form(form): Form<AwayForm>,
) -> AppResult<Response> {
    let result = match form.user_id.trim().parse::<i64>() {
        Ok(user_id) => record(&app, &manager, user_id, &form).await?,
        Err(_) => {
            let mut errors = FormErrors::default();
            errors.set("user_id", "Choose who is away.");
            Err(errors)
        }
    };
    match result {
        Ok(p) => {
            session::flash(&manager.session, "ok", saved_text(&p)).await;
            Ok(Redirect::to("/settings/users").into_response())
        }
        Err(errors) => {
            let away = AwayPanel::team(&app, &manager).await?.reshow(form, errors);
            let page = crate::web::users::users_page(
                &app,
                &manager,
                crate::web::layout::Layout::new(&manager, "settings").await,
                away,
            )
            .await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
    }
}

/// POST /settings/users/{user_id}/away/{id}/delete
pub async fn delete_any(
    State(app): State<AppState>,
    manager: Manager,
    Path((user_id, id)): Path<(i64, i64)>,
) -> AppResult<Response> {
    act::delete(&app.ctx(), &manager, user_id, id).await?;
    session::flash(&manager.session, "ok", "The period away is removed.").await;
    Ok(Redirect::to("/settings/users").into_response())
}
