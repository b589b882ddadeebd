//! `/reports`: the second-call rate and the 90-day coverage for managers, computed by the same
//! SQL as the Team page (`crate::db::reports`), in the manager's time zone.

use axum::Json;
use axum::extract::State;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::accounts::FieldError;
use crate::db::reports::{self, Figure, Person, Scope};
use crate::db::settings;
use crate::domain::cadence::local_date;
use crate::error::{ApiError, ApiResult};
use crate::reports::card::{FigureCard, SecondCall, TeamReport};
use crate::reports::period::{self, PeriodError};
use crate::state::AppState;
use crate::web::api::doc::Forbidden;
use crate::web::api::json::ApiQuery;
use crate::web::api::paging;
use crate::web::extract::ApiManager;

/// The period (dates in the caller's zone; default the last 4 full weeks) and the window.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SecondCallQuery {
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    /// Days after the first attempt within which the second counts (1 to 365; default the
    /// team's `second_call_window_days`, 30). Day N counts.
    pub window_days: Option<u32>,
}

/// The second-call figures of the team or one recruiter.
#[derive(Debug, Serialize, ToSchema)]
pub struct RateJson {
    /// DMs whose first attempt ever fell in the period (credited to its author).
    pub first_touched: i64,
    /// Of those, DMs with a second attempt (by anyone) within the window.
    pub second_called: i64,
    /// No second attempt yet and the window still open: left out of the rate.
    pub pending: i64,
    /// The window ended without a second attempt.
    pub missed: i64,
    /// `second_called / (first_touched - pending)`, null when that is 0.
    pub rate: Option<f64>,
    /// Median days from the first to the second attempt, among the second-called.
    pub median_days: Option<f64>,
}

impl From<&SecondCall> for RateJson {
    fn from(s: &SecondCall) -> Self {
        Self {
            first_touched: s.first_touched,
            second_called: s.second_called,
            pending: s.pending,
            missed: s.missed,
            rate: s.rate(),
            median_days: s.median_days,
        }
    }
}

/// One recruiter's figures.
#[derive(Debug, Serialize, ToSchema)]
pub struct RecruiterRateJson {
    pub user_id: i64,
    pub name: String,
    /// False for a deactivated user: their first attempts still count.
    pub active: bool,
    #[serde(flatten)]
    pub figures: RateJson,
}

/// The second-call rate of the team and of each recruiter.
#[derive(Debug, Serialize, ToSchema)]
pub struct SecondCallReportJson {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub window_days: u32,
    /// The zone whose dates bound the period (the caller's).
    pub time_zone: String,
    pub team: RateJson,
    pub recruiters: Vec<RecruiterRateJson>,
}

fn period_error(e: PeriodError) -> ApiError {
    let field = match e {
        PeriodError::Reversed => "from",
        PeriodError::TooLong => "to",
    };
    FieldError::new(field, e.message()).into()
}

/// Active users, and deactivated ones who have figures.
fn members<'a>(
    people: &'a [Person],
    report: &'a TeamReport,
) -> impl Iterator<Item = (&'a Person, FigureCard)> {
    people
        .iter()
        .filter(|u| u.active || report.users.contains_key(&u.id))
        .map(|u| (u, report.user(u.id)))
}

/// Of the DMs whose first attempt ever fell in the period, how many got a second attempt within
/// the window (managers only).
#[utoipa::path(get, path = "/reports/second-call-rate", operation_id = "getSecondCallRateReport", tag = "reports", params(SecondCallQuery),
    responses((status = 200, description = "The report", body = SecondCallReportJson), (status = 403, response = Forbidden)))]
pub async fn second_call_rate(
    State(app): State<AppState>,
    ApiManager(manager): ApiManager,
    ApiQuery(q): ApiQuery<SecondCallQuery>,
) -> ApiResult<Json<SecondCallReportJson>> {
    let tz = manager.tz();
    let today = app.clock.today_in(tz);
    let dates = period::resolve(q.from, q.to, today).map_err(period_error)?;
    let team_settings = settings::load(&app.db, manager.team_id).await?;
    let window = q
        .window_days
        .unwrap_or(team_settings.second_call_window_days);
    if !(1..=365).contains(&window) {
        return Err(FieldError::new("window_days", "From 1 to 365 days.").into());
    }
    let scope = Scope::new(manager.team_id, dates, tz, today, window);
    let report = TeamReport::load(&app.db, &scope, &[Figure::SecondCall]).await?;
    let people = reports::people(&app.db, manager.team_id).await?;
    let recruiters = members(&people, &report)
        .map(|(u, card)| RecruiterRateJson {
            user_id: u.id,
            name: u.name.clone(),
            active: u.active,
            figures: (&card.second_call).into(),
        })
        .collect();
    Ok(Json(SecondCallReportJson {
        from: dates.0,
        to: dates.1,
        window_days: window,
        time_zone: tz.name().into(),
        team: (&report.team.second_call).into(),
        recruiters,
    }))
}

/// The day (default the caller's today) and a page of the DMs not touched.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CoverageQuery {
    pub as_of: Option<NaiveDate>,
    /// Not-touched DMs per page: 1 to 500, default 50.
    pub limit: Option<i64>,
    /// The `next` of the previous page of `not_touched`.
    pub cursor: Option<String>,
}

/// Active DMs (not archived, not do-not-contact) and how many had an attempt in the 90 days
/// ending with `as_of`.
#[derive(Debug, Serialize, ToSchema)]
pub struct CoverageCountsJson {
    pub active: i64,
    pub touched: i64,
    pub not_touched: i64,
    /// `touched / active`, null without active DMs.
    pub share: Option<f64>,
}

impl From<&FigureCard> for CoverageCountsJson {
    fn from(c: &FigureCard) -> Self {
        Self {
            active: c.active_dms,
            touched: c.touched_dms,
            not_touched: c.active_dms - c.touched_dms,
            share: c.coverage(),
        }
    }
}

/// One owner's coverage.
#[derive(Debug, Serialize, ToSchema)]
pub struct RecruiterCoverageJson {
    pub user_id: i64,
    pub name: String,
    #[serde(flatten)]
    pub figures: CoverageCountsJson,
}

/// A DM without an attempt in the 90 days.
#[derive(Debug, Serialize, ToSchema)]
pub struct UntouchedJson {
    pub id: i64,
    pub name: String,
    pub owner_id: Option<i64>,
    /// The local date of their latest attempt up to `as_of`, null if never attempted.
    pub last_attempt_on: Option<NaiveDate>,
}

/// A page of the DMs not touched, newest DM first.
#[derive(Debug, Serialize, ToSchema)]
pub struct UntouchedPage {
    pub items: Vec<UntouchedJson>,
    pub next: Option<String>,
}

/// The 90-day coverage of the team and of each owner, and the DMs not touched.
#[derive(Debug, Serialize, ToSchema)]
pub struct CoverageJson {
    pub as_of: NaiveDate,
    pub days: u64,
    pub team: CoverageCountsJson,
    pub recruiters: Vec<RecruiterCoverageJson>,
    pub not_touched: UntouchedPage,
}

/// Share of active DMs with an attempt in the 90 days ending `as_of`, per owner, and the list of
/// those without (the monthly sweep). Managers only.
#[utoipa::path(get, path = "/reports/coverage", operation_id = "getCoverageReport", tag = "reports", params(CoverageQuery),
    responses((status = 200, description = "The report", body = CoverageJson), (status = 403, response = Forbidden)))]
pub async fn coverage(
    State(app): State<AppState>,
    ApiManager(manager): ApiManager,
    ApiQuery(q): ApiQuery<CoverageQuery>,
) -> ApiResult<Json<CoverageJson>> {
    let tz = manager.tz();
    let today = app.clock.today_in(tz);
    let as_of = q.as_of.unwrap_or(today);
    let limit = paging::limit(q.limit)?;
    let offset = match q.cursor.as_deref().filter(|c| !c.is_empty()) {
        None => 0,
        Some(c) => c.parse::<i64>().ok().filter(|n| *n >= 0).ok_or_else(|| {
            FieldError::new(
                "cursor",
                "Pass the `next` value of the previous page unchanged.",
            )
        })?,
    };
    let scope = Scope::new(manager.team_id, (as_of, as_of), tz, today, 30);
    let report = TeamReport::load(&app.db, &scope, &[Figure::Coverage]).await?;
    let people = reports::people(&app.db, manager.team_id).await?;
    let rows = reports::list(
        &app.db,
        &scope,
        Figure::Coverage,
        Some("not_touched"),
        limit + 1,
        offset,
    )
    .await?;
    let (rows, next) =
        paging::split_page(rows, limit, |_| offset.saturating_add(limit).to_string());
    Ok(Json(CoverageJson {
        as_of,
        days: reports::COVERAGE_DAYS,
        team: (&report.team).into(),
        recruiters: members(&people, &report)
            .map(|(u, card)| RecruiterCoverageJson {
                user_id: u.id,
                name: u.name.clone(),
                figures: (&card).into(),
            })
            .collect(),
        not_touched: UntouchedPage {
            items: rows
                .into_iter()
                .map(|r| UntouchedJson {
                    id: r.contact_id,
                    name: r.name,
                    owner_id: r.user_id,
                    last_attempt_on: r.at2.map(|t| local_date(t, tz)),
                })
                .collect(),
            next,
        },
    }))
}
