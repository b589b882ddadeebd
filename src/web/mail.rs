//! The morning digest on the pages: turning it off and on (the account page), and for managers
//! on Settings whether mail is configured, the team's latest digests (failures included) and a
//! "send me a test email" button that shows the mail server's answer.

use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use crate::auth::session;
use crate::db::digests;
use crate::error::AppResult;
use crate::mail::{Letter, SendError};
use crate::state::AppState;
use crate::web::extract::{CurrentUser, Manager};
use crate::web::fmt;
use crate::web::forms::Form;

/// The account page's "Morning email" panel.
pub struct DigestChoice {
    pub on: bool,
    pub mail_configured: bool,
}

impl DigestChoice {
    /// The user's choice, and whether this server sends mail at all.
    pub async fn of(app: &AppState, user: &CurrentUser) -> AppResult<Self> {
        Ok(Self {
            on: !digests::is_off(&app.db, user.team_id, user.id).await?,
            mail_configured: app.mail.is_configured(),
        })
    }
}

#[derive(Debug, Deserialize)]
pub struct DigestForm {
    #[serde(default)]
    on: String,
}

/// POST /account/digest: `on=true` turns the morning email on, anything else off.
pub async fn set_digest(
    State(app): State<AppState>,
    user: CurrentUser,
    Form(form): Form<DigestForm>,
) -> AppResult<Response> {
    let on = form.on == "true";
    digests::set_off(&app.db, user.team_id, user.id, !on).await?;
    let text = if on {
        "You will get the morning email on working days."
    } else {
        "The morning email is off; turn it back on here whenever you like."
    };
    session::flash(&user.session, "ok", text).await;
    Ok(Redirect::to("/account").into_response())
}

/// One digest as Settings lists it.
pub struct SendView {
    pub who: String,
    pub date: String,
    pub status: String,
    pub when: String,
    pub error: String,
    pub failed: bool,
}

/// Settings' "Morning email" panel.
pub struct MailPanel {
    pub server: Option<String>,
    /// No PUBLIC_URL: the digest cannot link to Today.
    pub no_public_url: bool,
    pub sends: Vec<SendView>,
}

impl MailPanel {
    /// The panel for a manager's team.
    pub async fn of(app: &AppState, manager: &Manager) -> AppResult<Self> {
        let tz = manager.tz();
        let today = app.clock.today_in(tz);
        let sends = digests::recent(&app.db, manager.team_id, 10)
            .await?
            .into_iter()
            .map(|r| SendView {
                failed: matches!(r.status.as_str(), "retry" | "failed" | "given_up"),
                who: r.name,
                date: fmt::day(r.local_date, today),
                status: match r.status.as_str() {
                    "retry" => format!("failed {} times, trying again", r.attempts),
                    "given_up" => format!("given up after {} tries", r.attempts),
                    "sent" => format!("sent ({} items)", r.items),
                    other => other.to_string(),
                },
                when: fmt::moment(r.sent_at.unwrap_or(r.updated_at), tz, today),
                error: r.last_error,
            })
            .collect();
        Ok(Self {
            server: app.mail.server().map(str::to_string),
            no_public_url: app.config.public_url.is_none(),
            sends,
        })
    }
}

/// POST /settings/test-email: a test email to the manager; the page shows the server's answer.
pub async fn test_email(State(app): State<AppState>, manager: Manager) -> AppResult<Response> {
    let letter = Letter {
        to: manager.email.clone(),
        subject: "Secondcall: a test email".into(),
        text: "This is a test email from Secondcall: the mail server works.\n".into(),
        html: "<p>This is a test email from Secondcall: the mail server works.</p>".into(),
    };
    let (kind, text) = match app.mail.send(&letter).await {
        Ok(answer) => (
            "ok",
            format!(
                "A test email went to {}. The mail server answered: {answer}",
                manager.email
            ),
        ),
        Err(SendError::NotConfigured) => (
            "error",
            "No mail server is configured: set SMTP_URL and MAIL_FROM and restart Secondcall."
                .into(),
        ),
        Err(e) => ("error", format!("The test email did not go out: {e}")),
    };
    session::flash(&manager.session, kind, text).await;
    Ok(Redirect::to("/settings").into_response())
}
