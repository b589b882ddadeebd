//! Today: the signed-in recruiter's due list, grouped by reason, one compact row per item. One
//! item at a time opens in place (`/today?open=decision_maker-42`) with what is needed to make the
//! call and log it; only that item's details and forms are in the page.

mod ask;
mod items;

use std::collections::HashMap;

use askama::Template;
use askama_web::WebTemplate;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue};
use axum::response::{Html, IntoResponse, Response};
use chrono::{Datelike, Duration, NaiveDate};
use chrono_tz::Tz;

use crate::auth::session::Flash;
use crate::db::away::{self, Covered};
use crate::db::facts;
use crate::db::kept::KeptConn;
use crate::db::today as today_db;
use crate::domain::cadence::ContactKind;
use crate::error::AppResult;
use crate::page_cache::{Fingerprint, PageKey, accepts_gzip};
use crate::state::AppState;
use crate::web::extract::CurrentUser;
use crate::web::fmt;
use crate::web::forms::Query;
use crate::web::layout::Layout;
use crate::web::views::{LogForm, contact_path};

pub use ask::{Ask, ItemRef, LogNote, TodayQuery};
pub use items::{ItemView, OpenItem};

/// Items per page of a long list.
pub const PAGE_SIZE: i64 = 100;

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
    /// The list as it is, with no item open (the opened item's Close link).
    pub close_url: String,
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

/// Whether a Today answer came from the page cache (`hit`) or was rendered (`miss`): the
/// benchmarks count it; it tells a client nothing it could not time.
const CACHE_HEADER: &str = "x-page-cache";

/// GET /today: a kept rendering of the plain list when nothing it shows has changed (see
/// `page_cache`), else a new one, kept for next time unless it carries a flash message or an
/// opened item.
pub async fn show(
    State(app): State<AppState>,
    user: CurrentUser,
    headers: HeaderMap,
    Query(q): Query<TodayQuery>,
) -> AppResult<Response> {
    let layout = Layout::new(&user, "today").await;
    let ask = q.ask();
    let key = PageKey {
        user_id: user.id,
        reason: ask.reason.map(|r| r.as_str().to_string()),
        page: ask.page,
    };
    // every read of the page, the cover included, on one kept connection with kept plans
    let mut conn = app.hot.get().await?;
    let keep = layout.flashes.is_empty() && ask.is_plain();
    // a page that may be kept depends on the stamps of those the user covers too; the head reads
    // the cover again, so a page never kept skips this read. The page is kept under what this
    // read saw, and read after it: a write in between makes the next load's key differ.
    let fingerprint = if keep {
        let covered = away::covered_now(&mut *conn, user.team_id, user.id, app.clock.now()).await?;
        let fingerprint = Fingerprint::of(&user, app.clock.today_in(user.tz())).covering(&covered);
        if let Some(kept) = app.pages.get(&key, &fingerprint) {
            conn.done();
            return Ok(marked(kept.response(accepts_gzip(&headers)), "hit"));
        }
        Some(fingerprint)
    } else {
        None
    };
    let page = build(&app, conn, &user, layout, ask).await?;
    let mut html = String::with_capacity(room_for(&page));
    page.render_into(&mut html).map_err(anyhow::Error::from)?;
    let body = Bytes::from(html);
    if let Some(fingerprint) = fingerprint {
        app.pages.put(key, fingerprint, body.clone());
    }
    Ok(marked(Html(body).into_response(), "miss"))
}

/// Room for a rendered page, so that it is written once rather than copied each time it outgrows
/// its buffer (a list page is tens of kilobytes: the frame and the head, then at most 800 bytes a
/// row).
fn room_for(page: &TodayPage) -> usize {
    let rows: usize = page.groups.iter().map(|g| g.items.len()).sum();
    16 * 1024 + 800 * rows
}

fn marked(mut response: Response, how: &'static str) -> Response {
    response
        .headers_mut()
        .insert(CACHE_HEADER, HeaderValue::from_static(how));
    response
}

/// The page with one item open and its log form re-shown (an invalid log from Today); the list
/// is the one the form came from (its `return_to` keeps the reason filter and the page).
pub async fn reshow(
    app: &AppState,
    user: &CurrentUser,
    layout: Layout,
    item: ItemRef,
    return_to: &str,
    log: LogForm,
) -> AppResult<TodayPage> {
    let conn = app.hot.get().await?;
    let mut ask = Ask::from_url(return_to);
    ask.open = Some(item);
    ask.done = None;
    ask.reshow = Some(log);
    build(app, conn, user, layout, ask).await
}

/// The page, with the items of the teammates the user covers today (the head says whom).
async fn build(
    app: &AppState,
    mut conn: KeptConn<'_>,
    user: &CurrentUser,
    mut layout: Layout,
    ask: Ask,
) -> AppResult<TodayPage> {
    let tz = user.tz();
    let today = app.clock.today_in(tz);
    let page = today_db::PageAsk {
        reason: ask.reason,
        offset: (ask.page - 1) * PAGE_SIZE,
        limit: PAGE_SIZE + 1,
    };
    let (head, own_rows) = today_db::head(
        &mut *conn,
        user.team_id,
        user.id,
        app.clock.now(),
        span(tz, today),
        page,
    )
    .await?;
    let covered = head.covered();
    let covered_ids: Vec<i64> = covered.iter().map(|c| c.user_id).collect();
    let limit = usize::try_from(PAGE_SIZE).unwrap_or(100);
    // the head brings the user's own page; a coverer's page has the covered teammates' items too
    let mut rows = match own_rows {
        Some(rows) => rows,
        None => {
            today_db::covering_rows(&mut *conn, user.team_id, user.id, &covered_ids, page).await?
        }
    };
    let has_next = rows.len() > limit;
    rows.truncate(limit);
    let opened = items::opened(
        &mut conn,
        user,
        &rows,
        &ask,
        (&covered_ids, &head.settings),
        today,
    )
    .await?;
    conn.done();
    let names: HashMap<i64, &str> = covered
        .iter()
        .map(|c| (c.user_id, c.name.as_str()))
        .collect();
    if let Some(note) = ask.logged {
        let done = ask
            .done
            .and_then(|d| rows.iter().find(|r| items::item_ref(r) == d));
        layout.flashes.push(Flash {
            kind: "ok".to_string(),
            text: note.words(done.map(|r| r.why.as_str()), today),
        });
    }
    let groups = items::groups(rows, &ask, opened, &names, today);
    let goal = i64::from(head.settings.new_dm_daily_goal);
    let counts = head.by_reason();
    Ok(TodayPage {
        cover: cover_notes(&head, &covered, today),
        layout,
        date_words: fmt::day(today, today),
        built_words: head.list_date.zip(head.built_at).map(|(d, at)| {
            format!(
                "List for {}, built {}",
                fmt::day(d, today),
                fmt::moment(at, tz, today)
            )
        }),
        new_today: head.new_today,
        new_week: head.new_week,
        goal,
        week_goal: goal * 5,
        fresh: head
            .never_tried()
            .into_iter()
            .map(|d| FreshDm {
                path: contact_path(ContactKind::DecisionMaker, d.id),
                name: d.name,
                company: d.company_name.unwrap_or(d.title),
                phone: d.phone,
            })
            .collect(),
        total: counts.iter().map(|(_, n)| n).sum(),
        counts: counts
            .into_iter()
            .map(|(reason, n)| ReasonCount {
                code: reason.as_str().to_string(),
                words: reason.label(),
                n,
            })
            .collect(),
        reason: ask.reason.map(|r| r.as_str().to_string()),
        groups,
        page: ask.page,
        has_next,
        close_url: ask.url(None),
    })
}

/// Who covers the user today (they are away), and whom the user covers.
fn cover_notes(head: &today_db::Summary, covered: &[Covered], today: NaiveDate) -> CoverNotes {
    let away = head.covered_by.as_ref().zip(head.covered_until).map(|(name, until)| {
        format!(
            "You are away: {name} covers for you until {}; your list is theirs to call meanwhile.",
            fmt::day(until, today)
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
    CoverNotes { away, covering }
}

/// Where today and this week begin and end in the user's zone (the progress counts).
fn span(tz: Tz, today: NaiveDate) -> today_db::Span {
    let monday = today - Duration::days(i64::from(today.weekday().num_days_from_monday()));
    today_db::Span {
        today,
        day_start: facts::end_of_day(today.pred_opt().unwrap_or(today), tz),
        week_start: facts::end_of_day(monday.pred_opt().unwrap_or(monday), tz),
        end: facts::end_of_day(today, tz),
    }
}
