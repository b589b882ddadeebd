//! The manager's Team page (second-call rates, trend, follow-through), each user's own scorecard
//! (`/team/me`), and the lists and CSV behind every figure (`/team/list`).

pub mod context;
pub mod list;
pub mod trend;
pub mod view;
pub mod words;

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use futures_util::TryFutureExt;

use crate::db::reports::{self, Figure, Person, Scope, WeekCount};
use crate::error::{AppError, AppResult};
use crate::reports::card::{CHANNELS, STRIKES, TeamReport};
use crate::state::AppState;
use crate::web::chart::ChartView;
use crate::web::extract::{CurrentUser, Manager};
use crate::web::forms::Query;
use crate::web::layout::Layout;
pub use context::{Ctx, Params, context};
use trend::Line;
use view::{CardView, sort_rows};

#[derive(Template, WebTemplate)]
#[template(path = "team/show.html")]
struct TeamPage {
    layout: Layout,
    period: String,
    from: String,
    to: String,
    error: Option<&'static str>,
    team: CardView,
    rows: Vec<CardView>,
    sort: String,
    desc: bool,
    chart: ChartView,
    chart_empty: bool,
    lines: Vec<Line>,
    week_labels: Vec<String>,
    chooser: Vec<(i64, String, bool)>,
    channels: Vec<(usize, &'static str, &'static str)>,
    strikes: Vec<(usize, &'static str, &'static str)>,
    not_touched: Vec<list::RowView>,
    /// Who is away (now or coming) and who covers (DOMAIN.md, "Cover").
    away: Vec<AwayRow>,
}

/// One period away as the Team page lists it.
struct AwayRow {
    who: String,
    dates: String,
    covered_by: String,
    now: bool,
}

async fn away_rows(
    app: &AppState,
    manager: &Manager,
    today: chrono::NaiveDate,
) -> AppResult<Vec<AwayRow>> {
    let periods =
        crate::db::away::current_and_coming(&app.db, manager.team_id, app.clock.now()).await?;
    Ok(periods
        .into_iter()
        .map(|p| AwayRow {
            now: p.from_date <= today,
            dates: format!(
                "{} – {}",
                crate::web::fmt::day(p.from_date, today),
                crate::web::fmt::day(p.to_date, today)
            ),
            who: p.user_name,
            covered_by: p.covered_by_name,
        })
        .collect())
}

impl TeamPage {
    /// The header link that sorts by `key` (again: the other way round).
    fn sort_link(&self, key: &str) -> String {
        let dir = if self.sort == key && self.desc {
            "asc"
        } else {
            "desc"
        };
        format!(
            "/team?from={}&to={}&sort={key}&dir={dir}",
            self.from, self.to
        )
    }

    /// `aria-sort` of a header.
    fn aria_sort(&self, key: &str) -> &'static str {
        match (self.sort == key, self.desc) {
            (false, _) => "none",
            (true, true) => "descending",
            (true, false) => "ascending",
        }
    }
}

fn channels() -> Vec<(usize, &'static str, &'static str)> {
    CHANNELS
        .iter()
        .enumerate()
        .map(|(i, c)| (i, *c, crate::web::fmt::label(c)))
        .collect()
}

/// Plain words of the three-strikes outcomes.
pub fn strikes() -> Vec<(usize, &'static str, &'static str)> {
    let words = [
        "Strike 1 (first call)",
        "Strike 2",
        "Strike 3",
        "After the sequence",
        "Never answered",
        "Still in the sequence",
    ];
    STRIKES
        .iter()
        .zip(words)
        .enumerate()
        .map(|(i, (code, w))| (i, *code, w))
        .collect()
}

/// GET /team
pub async fn show(
    State(app): State<AppState>,
    manager: Manager,
    Query(pairs): Query<Vec<(String, String)>>,
) -> AppResult<Response> {
    let p = Params::parse(pairs);
    let ctx = context(&app, &manager, &p).await?;
    // The trend's counts do not depend on the figures: all three run at once on the pool.
    let (report, people, weekly) = tokio::try_join!(
        TeamReport::load(&app.db, &ctx.scope, &Figure::ALL),
        reports::people(&app.db, manager.team_id),
        weekly_counts(&app, &ctx),
    )?;
    let mut rows = recruiter_rows(&ctx, &report, &people);
    sort_rows(&mut rows, &p.sort, p.desc);
    let chosen = chosen(&p.show, &rows);
    let (chart, lines, week_labels) = chart(&ctx, &weekly, &chosen, true);
    let away = away_rows(&app, &manager, ctx.today).await?;
    Ok(TeamPage {
        away,
        layout: Layout::new(&manager, "team").await,
        period: ctx.period_words(),
        from: ctx.scope.from.to_string(),
        to: ctx.scope.to.to_string(),
        error: ctx.error,
        team: ctx.view("Team".into(), None, false, report.team.clone()),
        chooser: rows
            .iter()
            .filter_map(|r| {
                r.user_id
                    .map(|id| (id, r.name.clone(), chosen.iter().any(|c| c.1 == Some(id))))
            })
            .collect(),
        rows,
        sort: p.sort,
        desc: p.desc,
        chart_empty: lines.iter().all(|l| !l.has_data()),
        chart,
        lines,
        week_labels,
        channels: channels(),
        strikes: strikes(),
        // The team's list is a link away: listing it here would cost a second pass over every DM.
        not_touched: Vec::new(),
    }
    .into_response())
}

/// Active users, and deactivated ones who still have figures in the period.
fn recruiter_rows(ctx: &Ctx, report: &TeamReport, people: &[Person]) -> Vec<CardView> {
    people
        .iter()
        .filter(|u| u.active || report.users.contains_key(&u.id))
        .map(|u| ctx.view(u.name.clone(), Some(u.id), !u.active, report.user(u.id)))
        .collect()
}

/// The recruiters on the chart: those asked for, else the five with the most first attempts.
fn chosen(show: &[i64], rows: &[CardView]) -> Vec<(String, Option<i64>)> {
    let mut picked: Vec<&CardView> = if show.is_empty() {
        let mut busiest: Vec<&CardView> = rows
            .iter()
            .filter(|r| r.card.second_call.first_touched > 0)
            .collect();
        busiest.sort_by_key(|r| std::cmp::Reverse(r.card.second_call.first_touched));
        busiest.into_iter().take(5).collect()
    } else {
        rows.iter()
            .filter(|r| r.user_id.is_some_and(|id| show.contains(&id)))
            .take(chart_max())
            .collect()
    };
    picked.sort_by_key(|r| r.name.to_lowercase());
    picked
        .into_iter()
        .map(|r| (r.name.clone(), r.user_id))
        .collect()
}

const fn chart_max() -> usize {
    crate::web::chart::PALETTE - 1
}

/// The second calls per week of the trend's 12 weeks, for the page's scope.
async fn weekly_counts(app: &AppState, ctx: &Ctx) -> sqlx::Result<Vec<WeekCount>> {
    let span = trend::weeks_span(ctx.scope.to);
    let tz = ctx.scope.tz;
    let scope = Scope::new(
        ctx.scope.team_id,
        span,
        tz,
        ctx.today,
        ctx.settings.second_call_window_days,
    )
    .for_user(ctx.scope.user_id);
    reports::second_calls_by_week(&app.db, &scope).await
}

/// The trend chart of the team (when `team`) and the given recruiters.
fn chart(
    ctx: &Ctx,
    counts: &[WeekCount],
    who: &[(String, Option<i64>)],
    team: bool,
) -> (ChartView, Vec<Line>, Vec<String>) {
    let mondays = trend::mondays(ctx.scope.to);
    let weeks = trend::by_user(counts, &mondays);
    let mut all: Vec<(String, Option<i64>)> = Vec::new();
    if team {
        all.push(("Team".into(), None));
    }
    all.extend(who.iter().cloned());
    let lines = trend::lines(&weeks, &all, mondays.len());
    let chart = trend::chart(&lines, &mondays, ctx.today);
    let labels = mondays
        .iter()
        .map(|m| crate::web::fmt::day(*m, ctx.today))
        .collect();
    (chart, lines, labels)
}

#[derive(Template, WebTemplate)]
#[template(path = "team/me.html")]
struct ScorecardPage {
    layout: Layout,
    period: String,
    from: String,
    to: String,
    error: Option<&'static str>,
    me: CardView,
    chart: ChartView,
    chart_empty: bool,
    lines: Vec<Line>,
    week_labels: Vec<String>,
    channels: Vec<(usize, &'static str, &'static str)>,
    strikes: Vec<(usize, &'static str, &'static str)>,
    not_touched: Vec<list::RowView>,
    is_manager: bool,
}

/// GET /team/me: the signed-in user's own figures.
pub async fn me(
    State(app): State<AppState>,
    user: CurrentUser,
    Query(pairs): Query<Vec<(String, String)>>,
) -> AppResult<Response> {
    let p = Params::parse(pairs);
    let mut ctx = context(&app, &user, &p).await?;
    ctx.scope = ctx.scope.for_user(Some(user.id));
    let (report, weekly, not_touched) = tokio::try_join!(
        TeamReport::load(&app.db, &ctx.scope, &Figure::ALL).map_err(AppError::from),
        weekly_counts(&app, &ctx).map_err(AppError::from),
        list::preview(&app, &ctx, Figure::Coverage, "not_touched", 10),
    )?;
    let who = [(user.name.clone(), Some(user.id))];
    let (chart, lines, week_labels) = chart(&ctx, &weekly, &who, false);
    Ok(ScorecardPage {
        layout: Layout::new(&user, "scorecard").await,
        period: ctx.period_words(),
        from: ctx.scope.from.to_string(),
        to: ctx.scope.to.to_string(),
        error: ctx.error,
        me: ctx.view(
            user.name.clone(),
            Some(user.id),
            false,
            report.user(user.id),
        ),
        chart_empty: lines.iter().all(|l| !l.has_data()),
        chart,
        lines,
        week_labels,
        channels: channels(),
        strikes: strikes(),
        not_touched,
        is_manager: user.is_manager(),
    }
    .into_response())
}
