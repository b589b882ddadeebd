//! What a Today request asks for: a reason filter, a page, the one item opened, the item just
//! logged, and the URLs that keep them.

use std::fmt;
use std::str::FromStr;

use serde::Deserialize;

use chrono::NaiveDate;

use crate::domain::cadence::{Channel, ContactKind, Reason};
use crate::web::fmt as words;
use crate::web::views::LogForm;

/// A page number past any real list (a million pages of 100); larger ones are read as this, so
/// the offset never overflows.
const MAX_PAGE: i64 = 1_000_000;

/// The query string of `/today`, as typed (anything that does not parse is ignored).
#[derive(Debug, Default, Deserialize)]
pub struct TodayQuery {
    reason: Option<String>,
    page: Option<i64>,
    /// The item to open: `decision_maker-42`.
    open: Option<String>,
    /// The item just logged or snoozed, marked on the list if it is still there.
    done: Option<String>,
    /// The channel to preselect in the opened item's log form (the `c` and `e` shortcuts).
    channel: Option<String>,
    /// What the touch just logged from Today led to (see [`LogNote`]).
    logged: Option<String>,
}

impl TodayQuery {
    /// The request, parsed.
    pub fn ask(&self) -> Ask {
        Ask {
            reason: self.reason.as_deref().and_then(|r| r.parse().ok()),
            page: self.page.unwrap_or(1).clamp(1, MAX_PAGE),
            open: self.open.as_deref().and_then(|o| o.parse().ok()),
            done: self.done.as_deref().and_then(|o| o.parse().ok()),
            channel: self.channel.as_deref().and_then(|c| c.parse().ok()),
            logged: self.logged.as_deref().and_then(|l| l.parse().ok()),
            reshow: None,
        }
    }
}

/// One item of the list, as it appears in URLs and element ids: `decision_maker-42`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ItemRef {
    pub kind: ContactKind,
    pub id: i64,
}

impl FromStr for ItemRef {
    type Err = ();

    fn from_str(s: &str) -> Result<Self, ()> {
        let (kind, id) = s.rsplit_once('-').ok_or(())?;
        Ok(Self {
            kind: kind.parse().map_err(|_| ())?,
            id: id.parse().map_err(|_| ())?,
        })
    }
}

impl fmt::Display for ItemRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{}", self.kind, self.id)
    }
}

/// A Today request, parsed.
#[derive(Debug, Default)]
pub struct Ask {
    pub reason: Option<Reason>,
    pub page: i64,
    pub open: Option<ItemRef>,
    pub done: Option<ItemRef>,
    pub channel: Option<Channel>,
    pub logged: Option<LogNote>,
    /// The opened item's log form as the user posted it, with its errors.
    pub reshow: Option<LogForm>,
}

impl Ask {
    /// The request a `/today…` URL makes (the `return_to` of a form posted from Today).
    pub fn from_url(url: &str) -> Self {
        let query = url.split_once('?').map_or("", |(_, q)| q);
        let query = query.split_once('#').map_or(query, |(q, _)| q);
        serde_urlencoded_query(query).ask()
    }

    /// Only the plain list (no item opened or marked): the page cache keeps these.
    pub fn is_plain(&self) -> bool {
        self.open.is_none()
            && self.done.is_none()
            && self.channel.is_none()
            && self.logged.is_none()
    }

    /// `&reason=…&page=…`, or nothing, for the list's links.
    pub fn list_params(&self) -> String {
        let mut s = String::new();
        if let Some(r) = self.reason {
            s.push_str("&reason=");
            s.push_str(r.as_str());
        }
        if self.page > 1 {
            s.push_str(&format!("&page={}", self.page));
        }
        s
    }

    /// This list with `open` opened (and `done` marked), or the plain list.
    pub fn url(&self, open: Option<ItemRef>) -> String {
        let params = self.list_params();
        match open {
            Some(item) => format!("/today?open={item}{params}"),
            None if params.is_empty() => "/today".to_string(),
            None => format!("/today?{}", &params[1..]),
        }
    }
}

/// What a logged touch led to, said once on the page the log leads back to ("Logged. Next: Fri
/// 4 Dec, second call."). Back on Today it travels in that page's URL (`&logged=next.second_call.
/// 2026-12-04`), as the board's "Moved to …" does, rather than as a message in the session: a
/// session message costs two more database writes per call logged (queued, then taken). It names
/// only the reason and a date, nothing the user could not see on the list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogNote {
    /// The contact is still due, for this reason.
    StillDue(Reason),
    /// Nothing is due now; this is next, on that day.
    Next(Reason, NaiveDate),
    /// Nothing more is due for the contact.
    Clear,
}

impl LogNote {
    /// The message; `why` is the item's one line of why when the page has it.
    pub fn words(self, why: Option<&str>, today: NaiveDate) -> String {
        match (self, why) {
            (Self::StillDue(reason), Some(why)) => {
                format!("Logged. Still due: {} — {why}.", reason.label())
            }
            (Self::StillDue(reason), None) => format!("Logged. Still due: {}.", reason.label()),
            (Self::Next(reason, day), _) => format!(
                "Logged. Next: {}, {}.",
                words::day(day, today),
                reason.label().to_lowercase()
            ),
            (Self::Clear, _) => "Logged. Nothing more is due for them.".to_string(),
        }
    }

    /// `url` with this note added to its query (before any `#anchor`).
    pub fn add_to(self, url: &str) -> String {
        let (path, anchor) = url.split_once('#').map_or((url, ""), |(p, a)| (p, a));
        let joint = if path.contains('?') { '&' } else { '?' };
        let hash = if anchor.is_empty() { "" } else { "#" };
        format!("{path}{joint}logged={self}{hash}{anchor}")
    }
}

impl fmt::Display for LogNote {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::StillDue(reason) => write!(f, "due.{reason}"),
            Self::Next(reason, day) => write!(f, "next.{reason}.{day}"),
            Self::Clear => f.write_str("clear"),
        }
    }
}

impl FromStr for LogNote {
    type Err = ();

    fn from_str(s: &str) -> Result<Self, ()> {
        let mut parts = s.split('.');
        let logged = match (parts.next(), parts.next(), parts.next()) {
            (Some("due"), Some(reason), None) => Self::StillDue(reason.parse().map_err(|_| ())?),
            (Some("next"), Some(reason), Some(day)) => Self::Next(
                reason.parse().map_err(|_| ())?,
                day.parse().map_err(|_| ())?,
            ),
            (Some("clear"), None, None) => Self::Clear,
            _ => return Err(()),
        };
        match parts.next() {
            None => Ok(logged),
            Some(_) => Err(()),
        }
    }
}

fn serde_urlencoded_query(query: &str) -> TodayQuery {
    let mut q = TodayQuery::default();
    for (k, v) in form_urlencoded::parse(query.as_bytes()) {
        let v = Some(v.into_owned());
        match k.as_ref() {
            "reason" => q.reason = v,
            "page" => q.page = v.and_then(|p| p.parse().ok()),
            "open" => q.open = v,
            "done" => q.done = v,
            "channel" => q.channel = v,
            "logged" => q.logged = v,
            _ => {}
        }
    }
    q
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_item_reads_and_writes_as_kind_dash_id() {
        let item: ItemRef = "decision_maker-42".parse().unwrap();
        assert_eq!(item.kind, ContactKind::DecisionMaker);
        assert_eq!(item.id, 42);
        assert_eq!(item.to_string(), "decision_maker-42");
        assert!("candidate-x".parse::<ItemRef>().is_err());
        assert!("dm-1".parse::<ItemRef>().is_err());
        assert!("42".parse::<ItemRef>().is_err());
    }

    #[test]
    fn a_return_url_keeps_the_filter_and_the_page() {
        let ask = Ask::from_url("/today?open=candidate-7&reason=second_call&page=2#candidate-7");
        assert_eq!(ask.reason, Some(Reason::SecondCall));
        assert_eq!(ask.page, 2);
        assert_eq!(ask.open.map(|o| o.id), Some(7));
        assert_eq!(
            ask.url(None),
            "/today?reason=second_call&page=2".to_string()
        );
        assert_eq!(Ask::from_url("/today").url(None), "/today");
        assert!(Ask::from_url("/today?page=99999999999999").page <= MAX_PAGE);
    }

    #[test]
    fn what_a_log_led_to_reads_back_from_the_url_it_wrote() {
        let day = NaiveDate::from_ymd_opt(2026, 12, 4).unwrap();
        for logged in [
            LogNote::StillDue(Reason::SecondCall),
            LogNote::Next(Reason::ContactCycle, day),
            LogNote::Clear,
        ] {
            let url = logged.add_to("/today?open=candidate-7&done=candidate-6#candidate-7");
            assert!(url.ends_with("#candidate-7"), "{url}");
            assert_eq!(Ask::from_url(&url).logged, Some(logged), "{url}");
            assert!(!Ask::from_url(&url).is_plain());
        }
        assert_eq!(
            LogNote::Clear.add_to("/today"),
            "/today?logged=clear".to_string()
        );
        for bad in [
            "due",
            "due.nope",
            "next.second_call",
            "next.second_call.x",
            "clear.1",
            "",
        ] {
            assert!(bad.parse::<LogNote>().is_err(), "{bad}");
        }
    }

    #[test]
    fn what_a_log_led_to_in_words() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 30).unwrap();
        let day = NaiveDate::from_ymd_opt(2026, 12, 4).unwrap();
        assert_eq!(
            LogNote::Next(Reason::SecondCall, day).words(None, today),
            format!(
                "Logged. Next: Fri 4 Dec, {}.",
                Reason::SecondCall.label().to_lowercase()
            )
        );
        let still = LogNote::StillDue(Reason::SecondCall);
        assert!(
            still
                .words(Some("no answer twice"), today)
                .ends_with("— no answer twice.")
        );
        assert_eq!(
            LogNote::Clear.words(None, today),
            "Logged. Nothing more is due for them."
        );
    }
}
