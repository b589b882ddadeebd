//! The team's shared pipeline board: a column per stage, a card per application of an open job,
//! filters kept in the URL, and a move form on every card (the drag-and-drop script posts it too).

use std::collections::HashMap;

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use crate::auth::session::Flash;
use crate::db::applications::{self, BoardCard, BoardFilter};
use crate::db::jobs::{self, OpenJob};
use crate::db::users::{self, User};
use crate::domain::cadence::{Reason, local_date};
use crate::domain::pipeline::Stage;
use crate::error::AppResult;
use crate::links::query_value;
use crate::state::AppState;
use crate::web::extract::CurrentUser;
use crate::web::forms::Query;
use crate::web::layout::Layout;

mod moves;

pub use moves::move_card;

/// Cards shown per column before "show all".
pub const COLUMN_LIMIT: i64 = 50;

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
    /// Set by the redirect after a move from the board: the stage the card went to, shown as the
    /// page's message (a flash in the session would cost the move a second database write).
    #[serde(default)]
    moved: String,
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

    /// What each column asks the database for: the first cards of an open column, every card of
    /// the expanded one, nothing but the count of a collapsed one.
    fn limits(&self) -> Vec<(Stage, i64)> {
        Stage::ALL
            .into_iter()
            .filter_map(|s| match (s.as_str() == self.stage, s.is_closed()) {
                (true, _) => Some((s, i64::MAX)),
                (false, true) => None,
                (false, false) => Some((s, COLUMN_LIMIT)),
            })
            .collect()
    }

    /// The message of the move that led here, if any.
    fn moved_message(&self) -> Option<Flash> {
        let stage = self.moved.parse::<Stage>().ok()?;
        Some(Flash {
            kind: "ok".into(),
            text: format!("Moved to {}.", stage.label()),
        })
    }
}

/// A card on the board.
pub struct CardView {
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
    pub cards: Vec<CardView>,
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
    let mut conn = app.hot.get().await?;
    let board = applications::board(&mut conn, user.team_id, &q.filter(), &q.limits()).await?;
    let open = jobs::open_with_companies(&mut *conn, user.team_id).await?;
    let users = users::list_for_team(&mut *conn, user.team_id).await?;
    conn.done();
    let mut layout = Layout::new(&user, "board").await;
    layout.flashes.extend(q.moved_message());
    let names = Names::new(&open, &users);
    let tz = user.tz();
    let columns = columns(board, &q, &names, (app.clock.today_in(tz), tz));
    let page = BoardPage {
        layout,
        total: columns.iter().map(|c| c.count).sum(),
        columns,
        stages: Stage::ALL.iter().map(|s| (s.as_str(), s.label())).collect(),
        companies: company_options(&open),
        jobs: job_options(open),
        owners: users
            .into_iter()
            .filter(|u| u.active)
            .map(|u| (u.id.to_string(), u.name))
            .collect(),
        here: q.url(Some(&q.stage).filter(|s| !s.is_empty()).map(String::as_str)),
        job: q.job,
        company: q.company,
        owner: q.owner,
    };
    Ok(page.into_response())
}

/// The open jobs by title, each with its company.
fn job_options(mut open: Vec<OpenJob>) -> Vec<(String, String)> {
    open.sort_by_cached_key(|j| (j.title.to_lowercase(), j.id));
    open.into_iter()
        .map(|j| {
            (
                j.id.to_string(),
                format!("{} — {}", j.title, j.company_name),
            )
        })
        .collect()
}

/// The companies with an open job, by name.
fn company_options(open: &[OpenJob]) -> Vec<(String, String)> {
    let mut seen: Vec<(i64, &str)> = open
        .iter()
        .map(|j| (j.company_id, j.company_name.as_str()))
        .collect();
    seen.sort_by_cached_key(|(id, name)| (name.to_lowercase(), *id));
    seen.dedup_by_key(|(id, _)| *id);
    seen.into_iter()
        .map(|(id, name)| (id.to_string(), name.to_string()))
        .collect()
}

/// The names on the cards, from the lists the filters need anyway: job title and company by job,
/// name by user.
struct Names<'a> {
    jobs: HashMap<i64, (&'a str, &'a str)>,
    users: HashMap<i64, &'a str>,
}

impl<'a> Names<'a> {
    fn new(open: &'a [OpenJob], users: &'a [User]) -> Self {
        Self {
            jobs: open
                .iter()
                .map(|j| (j.id, (j.title.as_str(), j.company_name.as_str())))
                .collect(),
            users: users.iter().map(|u| (u.id, u.name.as_str())).collect(),
        }
    }
}

fn columns(
    board: applications::Board,
    q: &BoardQuery,
    names: &Names<'_>,
    day: (chrono::NaiveDate, chrono_tz::Tz),
) -> Vec<Column> {
    let mut cols: Vec<Column> = Stage::ALL
        .iter()
        .map(|s| Column {
            stage: s.as_str(),
            label: s.label(),
            closed: s.is_closed(),
            expanded: q.stage == s.as_str(),
            count: board
                .counts
                .iter()
                .find(|(stage, _)| stage == s)
                .map_or(0, |(_, n)| usize::try_from(*n).unwrap_or(usize::MAX)),
            cards: Vec::new(),
            more_url: q.url(Some(s.as_str())),
        })
        .collect();
    for a in board.cards {
        let stage = a.stage;
        if let Some(col) = cols.iter_mut().find(|c| c.stage == stage.as_str()) {
            col.cards.push(card(a, stage, names, day));
        }
    }
    cols
}

/// A card; its days in the stage are counted in the viewer's calendar days (`today` and the move's
/// date both in their zone, `local_date`).
fn card(
    a: BoardCard,
    stage: Stage,
    names: &Names<'_>,
    (today, tz): (chrono::NaiveDate, chrono_tz::Tz),
) -> CardView {
    let (job, company) = names.jobs.get(&a.job_order_id).copied().unwrap_or_default();
    CardView {
        id: a.id,
        version: a.version,
        stage: stage.as_str(),
        candidate_path: format!("/contacts/candidates/{}", a.candidate_id),
        candidate: a.candidate_name,
        job_path: format!("/jobs/{}", a.job_order_id),
        job: job.to_string(),
        company: company.to_string(),
        owner: names
            .users
            .get(&a.owner_id)
            .copied()
            .unwrap_or_default()
            .to_string(),
        days: (today - local_date(a.stage_changed_at, tz))
            .num_days()
            .max(0),
        due: a.due_reason.map(Reason::label),
    }
}
