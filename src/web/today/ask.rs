//! What a Today request asks for: a reason filter, a page, the one item opened, the item just
//! logged, and the URLs that keep them.

use std::fmt;
use std::str::FromStr;

use serde::Deserialize;

use crate::domain::cadence::{Channel, ContactKind, Reason};
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
        self.open.is_none() && self.done.is_none() && self.channel.is_none()
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
}
