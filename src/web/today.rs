//! Today: the signed-in recruiter's due list, grouped by reason, with everything needed to make
//! the call and log it without leaving the page.

use std::collections::HashMap;

use askama::Template;
use askama_web::WebTemplate;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::{Html, IntoResponse, Response};
use chrono::{Datelike, Duration, NaiveDate};
use chrono_tz::Tz;
use serde::Deserialize;

use crate::db::away::{self, Covered};
use crate::db::{facts, goals, settings, touches};
use crate::domain::cadence::{Approach, ContactKind, Reason, Temperature, suggest_next_step};
use crate::due;
use crate::due::listed::ListedItem;
use crate::error::AppResult;
use crate::page_cache::{Fingerprint, PageKey, accepts_gzip};
use crate::state::AppState;
use crate::web::extract::CurrentUser;
use crate::web::fmt;
use crate::web::forms::Query;
use crate::web::layout::Layout;
use crate::web::views::{LogForm, TouchLine, contact_path};

/// Items per page of a long list.
pub const PAGE_SIZE: i64 = 100;

/// A page number past any real list (a million pages of 100); larger ones are read as this, so
/// the offset never overflows.
const MAX_PAGE: i64 = 1_000_000;

#[derive(Debug, Default, Deserialize)]
pub struct TodayQuery {
    reason: Option<String>,
    page: Option<i64>,
}

/// One due item as the page shows it.
pub struct ItemView {
    pub anchor: String,
    pub path: String,
    pub name: String,
    pub title: String,
    pub company: Option<String>,
    pub company_path: Option<String>,
    pub temperature: Option<(&'static str, &'static str)>,
    pub reason: Reason,
    pub reason_label: &'static str,
    pub why: String,
    pub overdue: String,
    pub overdue_days: i64,
    pub channel: &'static str,
    pub approach: Option<&'static str>,
    pub strike: Option<i16>,
    pub hint: String,
    pub talking_points: String,
    pub phone: String,
    pub tel: String,
    pub email: Option<String>,
    pub last: Vec<TouchLine>,
    pub log: LogForm,
    pub snooze_min: String,
    pub snooze_default: String,
    /// On a coverer's list: the absent teammate whose item it is.
    pub covering_for: Option<String>,
}

/// A group heading with its items.
pub struct Group {
    pub label: &'static str,
    pub items: Vec<ItemView>,
}

/// A decision maker never called yet, suggested for the two-new-a-day goal.
pub struct FreshDm {
    pub path: String,
    pub name: String,
    /// The company, or the title when there is none.
    pub company: String,
    pub phone: String,
}

/// One reason's count on the list, with its words, for the filter links.
pub struct ReasonCount {
    pub code: String,
    pub words: &'static str,
    pub n: i64,
}

#[derive(Template, WebTemplate)]
#[template(path = "today.html")]
pub struct TodayPage {
    pub layout: Layout,
    pub date_words: String,
    pub built_words: Option<String>,
    pub new_today: i64,
    pub new_week: i64,
    pub goal: i64,
    pub week_goal: i64,
    pub fresh: Vec<FreshDm>,
    pub counts: Vec<ReasonCount>,
    pub total: i64,
    pub reason: Option<String>,
    pub groups: Vec<Group>,
    pub page: i64,
    pub has_next: bool,
    /// Cover (DOMAIN.md): who covers the signed-in user today and until when, and whom they cover.
    pub cover: CoverNotes,
}

/// The notes about cover at the top of Today.
#[derive(Default)]
pub struct CoverNotes {
    /// "Sam Lee covers for you until Fri 4 Dec": the user is away today.
    pub away: Option<String>,
    /// "You cover for Rob Ray until Fri 4 Dec", one per absent teammate.
    pub covering: Vec<String>,
}

/// GET /today: a kept rendering when nothing it shows has changed (see `page_cache`),
/// else a new one, kept for next time unless it carries a flash message.
pub async fn show(
    State(app): State<AppState>,
    user: CurrentUser,
    headers: HeaderMap,
    Query(q): Query<TodayQuery>,
) -> AppResult<Response> {
    let layout = Layout::new(&user, "today").await;
    let key = PageKey {
        user_id: user.id,
        reason: q.reason.filter(|r| r.parse::<Reason>().is_ok()),
        page: q.page.unwrap_or(1).clamp(1, MAX_PAGE),
    };
    let covered = away::covered_now(&app.db, user.team_id, user.id, app.clock.now()).await?;
    let fingerprint = Fingerprint::of(&user, app.clock.today_in(user.tz())).covering(&covered);
    let keep = layout.flashes.is_empty();
    if keep && let Some(kept) = app.pages.get(&key, &fingerprint) {
        return Ok(kept.response(accepts_gzip(&headers)));
    }
    let ask = Ask {
        reason: key.reason.as_deref(),
        page: key.page,
        reshow: None,
    };
    let page = build_covering(&app, &user, layout, ask, &covered).await?;
    let body = Bytes::from(page.render().map_err(anyhow::Error::from)?);
    if keep {
        app.pages.put(key, fingerprint, body.clone());
    }
    Ok(Html(body).into_response())
}

/// The page, optionally with one item's log form re-shown (an invalid quick log).
pub async fn build(
    app: &AppState,
    user: &CurrentUser,
    layout: Layout,
    reason: Option<&str>,
    page: i64,
    reshow: Option<(String, i64, LogForm)>,
) -> AppResult<TodayPage> {
    let covered = away::covered_now(&app.db, user.team_id, user.id, app.clock.now()).await?;
    let ask = Ask {
        reason,
        page,
        reshow,
    };
    build_covering(app, user, layout, ask, &covered).await
}

/// Which part of the list a request asks for.
struct Ask<'a> {
    reason: Option<&'a str>,
    page: i64,
    reshow: Option<(String, i64, LogForm)>,
}

/// The page of a user who covers for the teammates in `covered` (none: their own list only).
async fn build_covering(
    app: &AppState,
    user: &CurrentUser,
    layout: Layout,
    ask: Ask<'_>,
    covered: &[Covered],
) -> AppResult<TodayPage> {
    let Ask {
        reason,
        page,
        reshow,
    } = ask;
    let tz = user.tz();
    let today = app.clock.today_in(tz);
    let reason = reason.filter(|r| r.parse::<Reason>().is_ok());
    let page = page.clamp(1, MAX_PAGE);
    let covered_ids: Vec<i64> = covered.iter().map(|c| c.user_id).collect();
    let counts =
        due::listed::counts_by_reason(&app.db, user.team_id, user.id, &covered_ids).await?;
    let total = counts.iter().map(|(_, n)| n).sum();
    let rows = due::listed::list_items_covering(
        &app.db,
        user.team_id,
        user.id,
        &covered_ids,
        reason,
        (page - 1) * PAGE_SIZE,
        PAGE_SIZE + 1,
    )
    .await?;
    let has_next = rows.len() > usize::try_from(PAGE_SIZE).unwrap_or(100);
    let rows: Vec<ListedItem> = rows
        .into_iter()
        .take(usize::try_from(PAGE_SIZE).unwrap_or(100))
        .collect();
    let settings = settings::load(&app.db, user.team_id).await?;
    let last = last_touches(app, user, &rows, tz, today).await?;
    let mut groups: Vec<Group> = Vec::new();
    let names: HashMap<i64, &str> = covered
        .iter()
        .map(|c| (c.user_id, c.name.as_str()))
        .collect();
    for row in rows {
        let covering_for = names.get(&row.user_id).map(|n| (*n).to_string());
        let mut view = item_view(row, &last, &settings.cadence, today, &reshow);
        view.covering_for = covering_for;
        match groups.last_mut() {
            Some(g) if g.label == view.reason_label => g.items.push(view),
            _ => groups.push(Group {
                label: view.reason_label,
                items: vec![view],
            }),
        }
    }
    let (new_today, new_week) = progress(app, user, tz, today).await?;
    let goal = i64::from(settings.new_dm_daily_goal);
    let fresh = goals::fresh_dms(&app.db, user.team_id, user.id, 5).await?;
    let built = due::listed::list_state(&app.db, user.team_id, user.id).await?;
    let cover = cover_notes(app, user, covered, today).await?;
    Ok(TodayPage {
        cover,
        layout,
        date_words: fmt::day(today, today),
        built_words: built.map(|(d, at)| {
            format!(
                "List for {}, built {}",
                fmt::day(d, today),
                fmt::moment(at, tz, today)
            )
        }),
        new_today,
        new_week,
        goal,
        week_goal: goal * 5,
        fresh: fresh
            .into_iter()
            .map(|d| FreshDm {
                path: contact_path(ContactKind::DecisionMaker, d.id),
                name: d.name,
                company: d.company_name.unwrap_or(d.title),
                phone: d.phone,
            })
            .collect(),
        counts: counts
            .into_iter()
            .map(|(reason, n)| ReasonCount {
                code: reason.as_str().to_string(),
                words: reason.label(),
                n,
            })
            .collect(),
        total,
        reason: reason.map(str::to_string),
        groups,
        page,
        has_next,
    })
}

/// Who covers the user today (they are away), and whom the user covers.
async fn cover_notes(
    app: &AppState,
    user: &CurrentUser,
    covered: &[Covered],
    today: NaiveDate,
) -> AppResult<CoverNotes> {
    let away = away::cover_on(&app.db, user.team_id, user.id, today)
        .await?
        .map(|p| {
            format!(
                "You are away: {} covers for you until {}; your list is theirs to call meanwhile.",
                p.covered_by_name,
                fmt::day(p.to_date, today)
            )
        });
    let covering = covered
        .iter()
        .map(|c| {
            format!(
                "You cover for {} until {}: their items are on your list, marked with their name.",
                c.name,
                fmt::day(c.to_date, today)
            )
        })
        .collect();
    Ok(CoverNotes { away, covering })
}

async fn progress(
    app: &AppState,
    user: &CurrentUser,
    tz: Tz,
    today: NaiveDate,
) -> AppResult<(i64, i64)> {
    let monday = today - Duration::days(i64::from(today.weekday().num_days_from_monday()));
    let day_start = facts::end_of_day(today.pred_opt().unwrap_or(today), tz);
    let week_start = facts::end_of_day(monday.pred_opt().unwrap_or(monday), tz);
    let end = facts::end_of_day(today, tz);
    Ok(goals::new_dms(&app.db, user.team_id, user.id, day_start, week_start, end).await?)
}

async fn last_touches(
    app: &AppState,
    user: &CurrentUser,
    rows: &[ListedItem],
    tz: Tz,
    today: NaiveDate,
) -> AppResult<HashMap<(bool, i64), Vec<TouchLine>>> {
    let ids = |kind: ContactKind| {
        rows.iter()
            .filter(|r| r.contact_kind == kind)
            .map(|r| r.contact_id)
            .collect::<Vec<_>>()
    };
    let found = touches::latest_for(
        &app.db,
        user.team_id,
        &ids(ContactKind::DecisionMaker),
        &ids(ContactKind::Candidate),
        3,
    )
    .await?;
    let mut by_contact: HashMap<(bool, i64), Vec<TouchLine>> = HashMap::new();
    for t in found {
        let key = match (t.decision_maker_id, t.candidate_id) {
            (Some(id), _) => (true, id),
            (_, Some(id)) => (false, id),
            _ => continue,
        };
        by_contact
            .entry(key)
            .or_default()
            .push(TouchLine::of(&t, tz, today, user.id));
    }
    Ok(by_contact)
}

fn item_view(
    row: ListedItem,
    last: &HashMap<(bool, i64), Vec<TouchLine>>,
    settings: &crate::domain::cadence::Settings,
    today: NaiveDate,
    reshow: &Option<(String, i64, LogForm)>,
) -> ItemView {
    let kind = row.contact_kind;
    let temperature = row.temperature;
    // a candidate has no temperature, and the proposed date of a candidate does not read one
    let next = suggest_next_step(
        kind,
        temperature.unwrap_or(Temperature::Warm),
        settings,
        today,
    );
    let log = match reshow {
        Some((k, id, form)) if *k == kind.as_str() && *id == row.contact_id => form.clone(),
        _ => LogForm::new(
            kind,
            row.contact_id,
            "/today",
            row.suggested_channel.as_str(),
            next,
            today,
        ),
    };
    let overdue_days = (today - row.due_on).num_days().max(0);
    ItemView {
        anchor: format!("{}-{}", row.contact_kind, row.contact_id),
        path: contact_path(kind, row.contact_id),
        company_path: row.company_id.map(|id| format!("/companies/{id}")),
        company: row.company_name,
        temperature: temperature.map(|t| (t.as_str(), t.label())),
        reason_label: row.reason.label(),
        why: row.why,
        overdue: fmt::overdue(overdue_days),
        overdue_days,
        channel: row.suggested_channel.label(),
        approach: row.suggested_approach.map(Approach::label),
        strike: row.strike,
        hint: row.script_hint,
        talking_points: row.talking_points,
        tel: row
            .phone
            .chars()
            .filter(|c| c.is_ascii_digit() || *c == '+')
            .collect(),
        phone: row.phone,
        email: (!row.email_opt_out && !row.email.is_empty()).then_some(row.email),
        last: last
            .get(&(kind == ContactKind::DecisionMaker, row.contact_id))
            .cloned()
            .unwrap_or_default(),
        log,
        snooze_min: (today + Duration::days(1)).to_string(),
        snooze_default: (today + Duration::days(7)).to_string(),
        covering_for: None,
        reason: row.reason,
        name: row.name,
        title: row.title,
    }
}
