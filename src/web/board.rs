//! The team's shared pipeline board: a column per stage, a card per application of an open job,
//! filters kept in the URL, and a move form on every card (the drag-and-drop script posts it too).

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use crate::actions::{self, ActionError};
use crate::auth::session;
use crate::db::applications::{self, Application, BoardFilter};
use crate::db::{jobs, users};
use crate::domain::cadence::Reason;
use crate::domain::pipeline::Stage;
use crate::engine;
use crate::error::AppResult;
use crate::startup::AppState;
use crate::web::extract::CurrentUser;
use crate::web::fmt::query_value;
use crate::web::layout::Layout;

/// Cards shown per column before "show all".
pub const COLUMN_LIMIT: usize = 50;

#[derive(Debug, Default, Deserialize)]
pub struct BoardQuery {
    #[serde(default)]
    job: String,
    #[serde(default)]
    company: String,
    #[serde(default)]
    owner: String,
    /// A column to show in full.
    #[serde(default)]
    stage: String,
}

impl BoardQuery {
    fn filter(&self) -> BoardFilter {
        BoardFilter {
            job_id: self.job.parse().ok(),
            company_id: self.company.parse().ok(),
            owner_id: self.owner.parse().ok(),
        }
    }

    /// The board's URL with these filters (and optionally one column expanded).
    fn url(&self, stage: Option<&str>) -> String {
        let mut parts = Vec::new();
        for (k, v) in [
            ("job", &self.job),
            ("company", &self.company),
            ("owner", &self.owner),
        ] {
            if !v.is_empty() {
                parts.push(format!("{k}={}", query_value(v)));
            }
        }
        if let Some(s) = stage {
            parts.push(format!("stage={s}"));
        }
        if parts.is_empty() {
            "/board".into()
        } else {
            format!("/board?{}", parts.join("&"))
        }
    }
}

/// A card on the board.
pub struct Card {
    pub id: i64,
    pub version: i32,
    pub stage: &'static str,
    pub candidate: String,
    pub candidate_path: String,
    pub job: String,
    pub job_path: String,
    pub company: String,
    pub owner: String,
    pub days: i64,
    pub due: Option<&'static str>,
}

/// A column: its stage, its first cards, and how many there are.
pub struct Column {
    pub stage: &'static str,
    pub label: &'static str,
    pub closed: bool,
    pub expanded: bool,
    pub count: usize,
    pub cards: Vec<Card>,
    pub more_url: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "board.html")]
struct BoardPage {
    layout: Layout,
    columns: Vec<Column>,
    stages: Vec<(&'static str, &'static str)>,
    jobs: Vec<(String, String)>,
    companies: Vec<(String, String)>,
    owners: Vec<(String, String)>,
    job: String,
    company: String,
    owner: String,
    here: String,
    total: usize,
}

/// GET /board
pub async fn show(
    State(app): State<AppState>,
    user: CurrentUser,
    Query(q): Query<BoardQuery>,
) -> AppResult<Response> {
    let apps = applications::board(&app.db, user.team_id, &q.filter()).await?;
    let today = engine::today_in(user.tz());
    let open = jobs::open_options(&app.db, user.team_id).await?;
    let companies = company_options(&apps);
    let owners = users::list_for_team(&app.db, user.team_id)
        .await?
        .into_iter()
        .filter(|u| u.active)
        .map(|u| (u.id.to_string(), u.name))
        .collect();
    let total = apps.len();
    let page = BoardPage {
        layout: Layout::new(&user, "board").await,
        columns: columns(apps, &q, today),
        stages: Stage::ALL.iter().map(|s| (s.as_str(), s.label())).collect(),
        jobs: open
            .into_iter()
            .map(|(id, title, company)| (id.to_string(), format!("{title} — {company}")))
            .collect(),
        companies,
        owners,
        here: q.url(Some(&q.stage).filter(|s| !s.is_empty()).map(String::as_str)),
        job: q.job,
        company: q.company,
        owner: q.owner,
        total,
    };
    Ok(page.into_response())
}

/// The companies that have cards on the board, by name.
fn company_options(apps: &[Application]) -> Vec<(String, String)> {
    let mut seen: Vec<(String, String)> = Vec::new();
    for a in apps {
        let id = a.company_id.to_string();
        if !seen.iter().any(|(i, _)| *i == id) {
            seen.push((id, a.company_name.clone()));
        }
    }
    seen.sort_by_key(|(_, name)| name.to_lowercase());
    seen
}

fn columns(apps: Vec<Application>, q: &BoardQuery, today: chrono::NaiveDate) -> Vec<Column> {
    let mut cols: Vec<Column> = Stage::ALL
        .iter()
        .map(|s| Column {
            stage: s.as_str(),
            label: s.label(),
            closed: s.is_closed(),
            expanded: q.stage == s.as_str(),
            count: 0,
            cards: Vec::new(),
            more_url: q.url(Some(s.as_str())),
        })
        .collect();
    for a in apps {
        let Ok(stage) = a.stage.parse::<Stage>() else {
            continue;
        };
        let Some(col) = cols.iter_mut().find(|c| c.stage == stage.as_str()) else {
            continue;
        };
        col.count += 1;
        let show = if col.closed {
            col.expanded
        } else {
            col.expanded || col.cards.len() < COLUMN_LIMIT
        };
        if show {
            col.cards.push(Card {
                id: a.id,
                version: a.version,
                stage: stage.as_str(),
                candidate_path: format!("/contacts/candidates/{}", a.candidate_id),
                candidate: a.candidate_name,
                job_path: format!("/jobs/{}", a.job_order_id),
                job: a.job_title,
                company: a.company_name,
                owner: a.owner_name,
                days: (today - a.stage_changed_at.date_naive()).num_days().max(0),
                due: a
                    .due_reason
                    .as_deref()
                    .and_then(|r| r.parse::<Reason>().ok())
                    .map(Reason::label),
            });
        }
    }
    cols
}

#[derive(Debug, Deserialize)]
pub struct MoveForm {
    #[serde(default)]
    stage: String,
    #[serde(default)]
    version: Option<i32>,
    #[serde(default)]
    return_to: String,
}

/// POST /applications/{id}/move: from the card's select, from a drag, or from the pages.
pub async fn move_card(
    State(app): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    Form(form): Form<MoveForm>,
) -> AppResult<Response> {
    let allowed = ["/board", "/jobs/", "/contacts/", "/applications/"];
    let back = crate::web::return_to(&form.return_to, &allowed, "/board");
    let Ok(to) = form.stage.parse::<Stage>() else {
        session::flash(&user.session, "error", "Choose a stage to move to.").await;
        return Ok(Redirect::to(&back).into_response());
    };
    match actions::jobs::move_application(&app.db, &user, id, to, form.version).await {
        Ok(_) => session::flash(&user.session, "ok", format!("Moved to {}.", to.label())).await,
        Err(ActionError::Conflict(message)) => {
            session::flash(&user.session, "error", message).await
        }
        Err(other) => return Err(other.into()),
    }
    Ok(Redirect::to(&back).into_response())
}
