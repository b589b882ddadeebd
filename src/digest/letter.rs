//! The digest's words: the counts by reason, the first ten items (name, company, reason, a
//! `tel:` link), the promises due and a link to Today, as plain text and HTML (askama templates
//! under `templates/digest/`). Never note text or talking points: the lines carry none.

use std::collections::HashMap;

use askama::Template;
use sqlx::PgPool;

use crate::config::Config;
use crate::db::digests;
use crate::db::users::User;
use crate::domain::cadence::{ContactKind, Reason};
use crate::due::today::{DueList, Line};
use crate::mail::Letter;

/// How many items the digest lists.
pub const FIRST: usize = 10;

/// One item as the digest shows it.
pub struct ItemLine {
    pub name: String,
    pub company: Option<String>,
    pub reason: &'static str,
    pub phone: String,
    /// The digits and `+` of the phone, for `tel:`.
    pub tel: String,
    pub covering_for: Option<String>,
}

/// What both templates show.
pub struct Digest {
    pub name: String,
    pub date: String,
    pub total: usize,
    pub counts: Vec<(&'static str, usize)>,
    pub first: Vec<ItemLine>,
    pub more: usize,
    pub promises: Vec<ItemLine>,
    /// The absolute address of Today, when the server knows its address (PUBLIC_URL).
    pub today_url: Option<String>,
}

#[derive(Template)]
#[template(path = "digest/mail.txt")]
struct TextMail<'a> {
    d: &'a Digest,
}

#[derive(Template)]
#[template(path = "digest/mail.html")]
struct HtmlMail<'a> {
    d: &'a Digest,
}

/// The letter for `user`'s list.
pub async fn compose(
    db: &PgPool,
    config: &Config,
    user: &User,
    list: &DueList,
) -> anyhow::Result<Letter> {
    let promises: Vec<&Line> = list
        .lines
        .iter()
        .filter(|l| l.reason == Reason::PromisedFollowUp.as_str() && l.due_on <= list.date)
        .collect();
    let shown: Vec<&Line> = list.lines.iter().take(FIRST).collect();
    let cards = cards_of(
        db,
        user.team_id,
        shown.iter().chain(promises.iter()).copied(),
    )
    .await?;
    let line = |l: &Line| item_line(l, &cards);
    let digest = Digest {
        name: user.name.clone(),
        date: list.date.format("%A %-d %B").to_string(),
        total: list.lines.len(),
        counts: counts(&list.lines),
        first: shown.iter().map(|l| line(l)).collect(),
        more: list.lines.len().saturating_sub(FIRST),
        promises: promises.iter().map(|l| line(l)).collect(),
        today_url: config
            .public_url
            .as_ref()
            .map(|base| format!("{base}/today")),
    };
    let subject = match digest.total {
        1 => "Secondcall: 1 follow-up due today".to_string(),
        n => format!("Secondcall: {n} follow-ups due today"),
    };
    Ok(Letter {
        to: user.email.clone(),
        subject,
        text: TextMail { d: &digest }.render()?,
        html: HtmlMail { d: &digest }.render()?,
    })
}

fn counts(lines: &[Line]) -> Vec<(&'static str, usize)> {
    Reason::ALL
        .iter()
        .map(|r| {
            (
                r.label(),
                lines.iter().filter(|l| l.reason == r.as_str()).count(),
            )
        })
        .filter(|(_, n)| *n > 0)
        .collect()
}

type Cards = HashMap<(ContactKind, i64), (Option<String>, String)>;

async fn cards_of<'a>(
    db: &PgPool,
    team_id: i64,
    lines: impl Iterator<Item = &'a Line>,
) -> sqlx::Result<Cards> {
    let (mut dms, mut candidates) = (Vec::new(), Vec::new());
    for l in lines {
        match l.kind {
            ContactKind::DecisionMaker => dms.push(l.contact_id),
            ContactKind::Candidate => candidates.push(l.contact_id),
        }
    }
    Ok(digests::cards(db, team_id, &dms, &candidates)
        .await?
        .into_iter()
        .map(|c| ((c.contact_kind, c.contact_id), (c.company, c.phone)))
        .collect())
}

fn item_line(l: &Line, cards: &Cards) -> ItemLine {
    let (company, phone) = cards
        .get(&(l.kind, l.contact_id))
        .cloned()
        .unwrap_or_default();
    ItemLine {
        name: l.name.clone(),
        company,
        reason: l.reason.parse::<Reason>().map_or("Due", Reason::label),
        tel: phone
            .chars()
            .filter(|c| c.is_ascii_digit() || *c == '+')
            .collect(),
        phone,
        covering_for: l.covering_for.as_ref().map(|c| c.name.clone()),
    }
}
