//! The rows behind a figure (`/team/list`) and their CSV (`/team/list.csv`): a manager may list
//! anyone's, everyone else only their own.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use chrono_tz::Tz;

use crate::db::reports::{self, Figure, ListRow};
use crate::domain::cadence::local_date;
use crate::error::{AppError, AppResult};
use crate::spreadsheet::Sheet;
use crate::state::AppState;
use crate::web::extract::CurrentUser;
use crate::web::fmt;
use crate::web::forms::Query;
use crate::web::layout::Layout;
use crate::web::reports::words::{status_words, title};
use crate::web::reports::{Ctx, Params, context};
use crate::web::views::contact_path;

/// Rows per page of a list.
const PAGE: i64 = 100;
/// The most rows a CSV carries.
const CSV_MAX: i64 = 100_000;

/// One row as the list shows it.
#[derive(Debug, Clone)]
pub struct RowView {
    pub path: String,
    pub name: String,
    pub company: String,
    pub who: String,
    pub when: String,
    pub detail: String,
    pub status: String,
}

fn detail(f: Figure, r: &ListRow, tz: Tz, ctx: &Ctx) -> String {
    let day = |d: Option<chrono::NaiveDate>| d.map(|d| fmt::day(d, ctx.today)).unwrap_or_default();
    let at2 = r.at2.map(|t| fmt::moment(t, tz, ctx.today));
    let value = r.value.map(|v| v.round() as i64);
    match f {
        Figure::SecondCall => match (at2, value) {
            (Some(t), Some(n)) => format!("First {}; second {t} ({n} days later)", day(r.day)),
            _ => format!("First {}; no second attempt yet", day(r.day)),
        },
        Figure::Coverage => match r.at2 {
            Some(t) => format!("Last attempt {}", day(Some(local_date(t, tz)))),
            None => "Never attempted".into(),
        },
        Figure::Touches => format!("{} · {}", fmt::label(&r.status), fmt::label(&r.note)),
        Figure::Referrals => format!("{} referrals {}", value.unwrap_or(0), r.note),
        Figure::SignOff => match r.value {
            Some(h) => format!("Due {}; done after {h:.0} h", day(r.day)),
            None => format!("Due {}", day(r.day)),
        },
        Figure::ThreeStrikes => format!(
            "{} attempts{}",
            value.unwrap_or(0),
            at2.map(|t| format!("; first answer {t}"))
                .unwrap_or_default()
        ),
        Figure::GoneDark => format!(
            "Due {}{}",
            day(r.day),
            at2.map(|t| format!("; answered {t}")).unwrap_or_default()
        ),
        Figure::JobOrders => format!("“{}” after {} attempts", r.note, value.unwrap_or(0)),
        Figure::NewDms => "First connected call".into(),
    }
}

fn view(f: Figure, r: ListRow, tz: Tz, ctx: &Ctx) -> RowView {
    let kind = r.contact_kind;
    RowView {
        detail: detail(f, &r, tz, ctx),
        path: contact_path(kind, r.contact_id),
        when: r
            .at
            .map(|t| fmt::moment(t, tz, ctx.today))
            .unwrap_or_default(),
        status: status_words(&r.status),
        name: r.name,
        company: r.company,
        who: r.user_name,
    }
}

/// The first rows of a figure (the not-touched DMs on the Team page).
pub async fn preview(
    app: &AppState,
    ctx: &Ctx,
    f: Figure,
    status: &str,
    n: i64,
) -> AppResult<Vec<RowView>> {
    let tz = ctx.scope.tz;
    let rows = reports::list(&app.db, &ctx.scope, f, Some(status), n, 0).await?;
    Ok(rows.into_iter().map(|r| view(f, r, tz, ctx)).collect())
}

#[derive(Template, WebTemplate)]
#[template(path = "team/list.html")]
struct ListPage {
    layout: Layout,
    title: &'static str,
    period: String,
    who: Option<String>,
    status: Option<String>,
    rows: Vec<RowView>,
    query: String,
    page: i64,
    has_next: bool,
    back: &'static str,
}

/// The figure and period asked for; a recruiter only ever gets their own rows.
async fn prepare(app: &AppState, user: &CurrentUser, p: &mut Params) -> AppResult<(Figure, Ctx)> {
    let figure = p.figure.ok_or(AppError::NotFound)?;
    if !user.is_manager() {
        p.user_id = Some(user.id);
    }
    let mut ctx = context(app, user, p).await?;
    ctx.scope = ctx.scope.clone().for_user(p.user_id);
    Ok((figure, ctx))
}

fn query_of(f: Figure, p: &Params, ctx: &Ctx) -> String {
    let mut q = format!(
        "figure={}&from={}&to={}",
        f.as_str(),
        ctx.scope.from,
        ctx.scope.to
    );
    if let Some(s) = &p.status {
        q.push_str(&format!("&status={}", s.replace('+', "%2B")));
    }
    if let Some(id) = p.user_id {
        q.push_str(&format!("&user_id={id}"));
    }
    q
}

/// GET /team/list
pub async fn index(
    State(app): State<AppState>,
    user: CurrentUser,
    Query(pairs): Query<Vec<(String, String)>>,
) -> AppResult<Response> {
    let mut p = Params::parse(pairs);
    let (f, ctx) = prepare(&app, &user, &mut p).await?;
    let tz = user.tz();
    let offset = (p.page - 1) * PAGE;
    let mut rows = reports::list(
        &app.db,
        &ctx.scope,
        f,
        p.status.as_deref(),
        PAGE + 1,
        offset,
    )
    .await?;
    let has_next = rows.len() > PAGE as usize;
    rows.truncate(PAGE as usize);
    let who = match p.user_id {
        Some(id) => reports::people(&app.db, user.team_id)
            .await?
            .into_iter()
            .find(|u| u.id == id)
            .map(|u| u.name),
        None => None,
    };
    Ok(ListPage {
        layout: Layout::new(
            &user,
            if user.is_manager() {
                "team"
            } else {
                "scorecard"
            },
        )
        .await,
        title: title(f),
        period: ctx.period_words(),
        who,
        status: p.status.as_deref().map(status_words),
        rows: rows.into_iter().map(|r| view(f, r, tz, &ctx)).collect(),
        query: query_of(f, &p, &ctx),
        page: p.page,
        has_next,
        back: if user.is_manager() {
            "/team"
        } else {
            "/team/me"
        },
    }
    .into_response())
}

/// GET /team/list.csv: the same rows (up to 100 000), for a spreadsheet or the monthly sweep.
pub async fn csv(
    State(app): State<AppState>,
    user: CurrentUser,
    Query(pairs): Query<Vec<(String, String)>>,
) -> AppResult<Response> {
    let mut p = Params::parse(pairs);
    let (f, ctx) = prepare(&app, &user, &mut p).await?;
    let tz = user.tz();
    let rows = reports::list(&app.db, &ctx.scope, f, p.status.as_deref(), CSV_MAX, 0).await?;
    let sheet = || -> Result<Vec<u8>, ::csv::Error> {
        let mut sheet = Sheet::new(&[
            "kind",
            "id",
            "name",
            "company",
            "phone",
            "email",
            "recruiter",
            "date",
            "at",
            "status",
            "detail",
            "path",
        ])?;
        for r in rows {
            let v = view(f, r.clone(), tz, &ctx);
            sheet.row([
                r.contact_kind.as_str(),
                &r.contact_id.to_string(),
                &r.name,
                &r.company,
                &r.phone,
                &r.email,
                &r.user_name,
                &r.day.map(|d| d.to_string()).unwrap_or_default(),
                &r.at
                    .map(|t| t.with_timezone(&tz).to_rfc3339())
                    .unwrap_or_default(),
                &r.status,
                &v.detail,
                &v.path,
            ])?;
        }
        sheet.finish()
    };
    let body = sheet().map_err(|e| AppError::Internal(e.into()))?;
    let name = format!(
        "attachment; filename=\"secondcall-{}-{}-{}.csv\"",
        f.as_str(),
        ctx.scope.from,
        ctx.scope.to
    );
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (header::CONTENT_DISPOSITION, name),
        ],
        body,
    )
        .into_response())
}
