//! Settings → Security log (managers): the team's security events, newest first, filtered by
//! kind, user and dates — the same reading as `GET /api/v1/audit`.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;
use serde::Deserialize;

use crate::actions::ActionError;
use crate::audit::Kind;
use crate::audit::read::{self, Entry, FilterInput};
use crate::db::users::{self, User};
use crate::error::AppResult;
use crate::state::AppState;
use crate::web::extract::Manager;
use crate::web::fmt;
use crate::web::forms::{FormErrors, Query};
use crate::web::layout::Layout;

/// Entries per page.
const PAGE: i64 = 100;

/// The filter form as typed (every field text, so a bad one is re-shown as it was).
#[derive(Debug, Default, Deserialize)]
pub struct LogQuery {
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    user_id: String,
    #[serde(default)]
    cursor: String,
}

/// One row as shown.
struct Row {
    when: String,
    kind: &'static str,
    actor: String,
    target: String,
    ip: String,
    detail: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "settings/security_log.html")]
struct LogPage {
    layout: Layout,
    q: LogQuery,
    kinds: Vec<&'static str>,
    users: Vec<User>,
    rows: Vec<Row>,
    next: Option<String>,
    errors: FormErrors,
}

impl LogPage {
    /// The link to the next page: the filters as given, with the cursor.
    fn next_link(&self, cursor: &str) -> String {
        let q = &self.q;
        let pairs = [
            ("from", q.from.as_str()),
            ("to", q.to.as_str()),
            ("kind", q.kind.as_str()),
            ("user_id", q.user_id.as_str()),
            ("cursor", cursor),
        ];
        let mut s = form_urlencoded::Serializer::new(String::new());
        for (k, v) in pairs.iter().filter(|(_, v)| !v.is_empty()) {
            s.append_pair(k, v);
        }
        format!("/settings/security-log?{}", s.finish())
    }
}

/// GET /settings/security-log
pub async fn show(
    State(app): State<AppState>,
    manager: Manager,
    Query(q): Query<LogQuery>,
) -> AppResult<Response> {
    let mut errors = FormErrors::default();
    let mut date = |field: &'static str, raw: &str| -> Option<NaiveDate> {
        let raw = raw.trim();
        if raw.is_empty() {
            return None;
        }
        let parsed = raw.parse().ok();
        if parsed.is_none() {
            errors.set(field, "Give a date as YYYY-MM-DD.");
        }
        parsed
    };
    let input = FilterInput {
        from: date("from", &q.from),
        to: date("to", &q.to),
        kind: Some(q.kind.clone()),
        user_id: q.user_id.trim().parse().ok(),
    };
    let team_users = users::list_for_team(&app.db, manager.team_id).await?;
    let mut rows = Vec::new();
    let mut next = None;
    if errors.is_empty() {
        match read::check(&app.db, manager.team_id, manager.tz(), &input).await {
            Ok(filter) => {
                let after = read::parse_cursor(Some(&q.cursor)).unwrap_or(None);
                let found = read::list(&app.db, manager.team_id, &filter, after, PAGE + 1).await?;
                let (found, more) = crate::web::api::paging::split_page(found, PAGE, read::cursor);
                let today = crate::due::engine::today_at(app.clock.now(), manager.tz());
                rows = found.into_iter().map(|e| row(e, &manager, today)).collect();
                next = more;
            }
            Err(ActionError::Invalid(e)) => errors.add(e),
            // A user filter of another team (only a hand-made link) finds nothing, as a 404.
            Err(other) => return Err(other.into()),
        }
    }
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = LogPage {
        layout: Layout::new(&manager, "settings").await,
        q,
        kinds: Kind::ALL.iter().map(|k| k.as_str()).collect(),
        users: team_users,
        rows,
        next,
        errors,
    };
    Ok((status, page).into_response())
}

fn row(e: Entry, viewer: &Manager, today: NaiveDate) -> Row {
    let name = |id: Option<i64>, name: Option<String>| match (id, name) {
        (Some(_), Some(n)) => n,
        (Some(id), None) => format!("user {id}"),
        (None, _) => String::new(),
    };
    Row {
        when: fmt::moment(e.at, viewer.tz(), today),
        kind: Kind::parse(&e.kind).map_or("other", Kind::as_str),
        actor: match e.actor_id {
            Some(_) => name(e.actor_id, e.actor_name),
            None => "—".into(),
        },
        target: name(e.target_user_id, e.target_name),
        ip: e.ip.unwrap_or_default(),
        detail: e.detail,
    }
}
