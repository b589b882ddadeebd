//! Decision makers and candidates. The two tables share their shape (candidates have no
//! temperature), so one set of statements serves both, filled in per kind.

use std::sync::LazyLock;

use chrono::{DateTime, NaiveDate, Utc};
use sqlx::{FromRow, PgConnection, PgExecutor};

use crate::domain::cadence::{ContactKind, Reason, Temperature};

/// A contact with the names and due state the pages and the API show next to it.
#[derive(Debug, Clone, FromRow)]
pub struct Contact {
    pub id: i64,
    pub team_id: i64,
    pub owner_id: i64,
    pub owner_name: String,
    pub company_id: Option<i64>,
    pub company_name: Option<String>,
    pub name: String,
    pub title: String,
    pub email: String,
    pub phone: String,
    /// Decision makers only.
    pub temperature: Option<Temperature>,
    pub source: String,
    pub talking_points: String,
    pub email_opt_out: bool,
    pub do_not_contact: bool,
    pub archived_at: Option<DateTime<Utc>>,
    /// Set when the person's data was erased (the row stays, blank, for the reports).
    pub erased_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub last_touch_at: Option<DateTime<Utc>>,
    pub due_reason: Option<Reason>,
    pub due_on: Option<NaiveDate>,
}

/// The writable fields, validated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContactWrite {
    pub owner_id: i64,
    pub company_id: Option<i64>,
    pub name: String,
    pub title: String,
    pub email: String,
    pub phone: String,
    /// Decision makers only; ignored for candidates.
    pub temperature: Temperature,
    pub source: String,
    pub talking_points: String,
    pub email_opt_out: bool,
    pub do_not_contact: bool,
}

/// Filters of the contacts list; `None` means "any".
#[derive(Debug, Clone, Default)]
pub struct ListFilter {
    /// Matched anywhere in name, email, phone or company name.
    pub query: Option<String>,
    pub owner_id: Option<i64>,
    /// A temperature code; one that is not a temperature finds nothing.
    pub temperature: Option<String>,
    pub due: Option<bool>,
    pub company_id: Option<i64>,
    /// Keyset cursor: the (name, id) of the last row of the previous page (lowered in SQL, so the
    /// database's own `lower` decides the order).
    pub after: Option<(String, i64)>,
    pub limit: i64,
}

const BASE: &str = "\
select c.id, c.team_id, c.owner_id, u.name as owner_name, c.company_id, co.name as company_name, c.name, c.title, \
       c.email, c.phone, {temperature} as temperature, c.source, c.talking_points, c.email_opt_out, c.do_not_contact, \
       c.archived_at, c.erased_at, c.created_at, c.updated_at, \
       (select max(t.occurred_at) from touches t where t.team_id = c.team_id and t.{fk} = c.id and t.deleted_at is null) as last_touch_at, \
       di.reason as due_reason, di.due_on \
from {table} c join users u on u.id = c.owner_id \
left join companies co on co.id = c.company_id and co.team_id = c.team_id \
left join due_items di on di.team_id = c.team_id and di.contact_kind = '{kind}' and di.contact_id = c.id ";

const FIND: &str = "where c.team_id = $1 and c.id = $2";

const LIST: &str = "\
where c.team_id = $1 and c.archived_at is null \
  and ($2::text is null or (c.name || ' ' || c.email || ' ' || c.phone) ilike $2 \
       or c.company_id in (select id from companies where team_id = $1 and name ilike $2)) \
  and ($3::bigint is null or c.owner_id = $3) \
  and ($4::text is null or {temperature} = $4) \
  and ($5::bool is null or (di.contact_id is not null) = $5) \
  and ($6::bigint is null or c.company_id = $6) \
  and ($7::text is null or (lower(c.name), c.id) > (lower($7), $8)) \
order by lower(c.name), c.id limit $9";

const INSERT: &str = "\
insert into {table} (team_id, owner_id, company_id, name, title, email, phone, source, talking_points, \
                     email_opt_out, do_not_contact {temperature_col}) \
values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11 {temperature_val}) returning id";

const UPDATE: &str = "\
update {table} set owner_id = $2, company_id = $3, name = $4, title = $5, email = $6, phone = $7, \
       source = $8, talking_points = $9, email_opt_out = $10, do_not_contact = $11, {temperature_set} updated_at = now() \
where team_id = $1 and id = $12 and archived_at is null";

struct Statements {
    find: String,
    list: String,
    insert: String,
    update: String,
}

// Filled in from closed sets of our own identifiers; every value is a bound parameter.
static STATEMENTS: LazyLock<[Statements; 2]> = LazyLock::new(|| {
    [ContactKind::DecisionMaker, ContactKind::Candidate].map(|kind| {
        let dm = kind == ContactKind::DecisionMaker;
        let fill = |sql: &str| {
            sql.replace("{table}", table(kind))
                .replace(
                    "{fk}",
                    if dm {
                        "decision_maker_id"
                    } else {
                        "candidate_id"
                    },
                )
                .replace("{kind}", kind.as_str())
                .replace(
                    "{temperature}",
                    if dm { "c.temperature" } else { "null::text" },
                )
                .replace("{temperature_col}", if dm { ", temperature" } else { "" })
                .replace("{temperature_val}", if dm { ", $12" } else { "" })
                .replace(
                    "{temperature_set}",
                    if dm { "temperature = $13," } else { "" },
                )
        };
        Statements {
            find: fill(&format!("{BASE}{FIND}")),
            list: fill(&format!("{BASE}{LIST}")),
            insert: fill(INSERT),
            update: fill(UPDATE),
        }
    })
});

/// The table of a kind of contact.
pub fn table(kind: ContactKind) -> &'static str {
    match kind {
        ContactKind::DecisionMaker => "decision_makers",
        ContactKind::Candidate => "candidates",
    }
}

fn statements(kind: ContactKind) -> &'static Statements {
    &STATEMENTS[usize::from(kind == ContactKind::Candidate)]
}

/// One contact of the team (archived ones too); another team's id finds nothing.
pub async fn find(
    db: impl PgExecutor<'_>,
    team_id: i64,
    kind: ContactKind,
    id: i64,
) -> sqlx::Result<Option<Contact>> {
    sqlx::query_as(&statements(kind).find)
        .bind(team_id)
        .bind(id)
        .fetch_optional(db)
        .await
}

/// A page of the team's active contacts, by name.
pub async fn list(
    db: impl PgExecutor<'_>,
    team_id: i64,
    kind: ContactKind,
    f: &ListFilter,
) -> sqlx::Result<Vec<Contact>> {
    let pattern = f.query.as_deref().map(|q| format!("%{}%", escape_like(q)));
    let (after_name, after_id) = f
        .after
        .clone()
        .map_or((None, None), |(n, i)| (Some(n), Some(i)));
    sqlx::query_as(&statements(kind).list)
        .bind(team_id)
        .bind(pattern)
        .bind(f.owner_id)
        .bind(f.temperature.as_deref())
        .bind(f.due)
        .bind(f.company_id)
        .bind(after_name)
        .bind(after_id)
        .bind(f.limit)
        .fetch_all(db)
        .await
}

/// `%` and `_` typed by a user are matched literally.
fn escape_like(q: &str) -> String {
    q.replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_")
}

/// Creates a contact; returns its id.
pub async fn insert(
    conn: &mut PgConnection,
    team_id: i64,
    kind: ContactKind,
    w: &ContactWrite,
) -> sqlx::Result<i64> {
    let q = sqlx::query_scalar(&statements(kind).insert).bind(team_id);
    let q = q
        .bind(w.owner_id)
        .bind(w.company_id)
        .bind(&w.name)
        .bind(&w.title)
        .bind(&w.email)
        .bind(&w.phone)
        .bind(&w.source)
        .bind(&w.talking_points)
        .bind(w.email_opt_out)
        .bind(w.do_not_contact);
    let q = if kind == ContactKind::DecisionMaker {
        q.bind(w.temperature)
    } else {
        q
    };
    q.fetch_one(conn).await
}

/// Updates a contact; false when it is not this team's or is archived.
pub async fn update(
    conn: &mut PgConnection,
    team_id: i64,
    kind: ContactKind,
    id: i64,
    w: &ContactWrite,
) -> sqlx::Result<bool> {
    let q = sqlx::query(&statements(kind).update).bind(team_id);
    let q = q
        .bind(w.owner_id)
        .bind(w.company_id)
        .bind(&w.name)
        .bind(&w.title)
        .bind(&w.email)
        .bind(&w.phone)
        .bind(&w.source)
        .bind(&w.talking_points)
        .bind(w.email_opt_out)
        .bind(w.do_not_contact)
        .bind(id);
    let q = if kind == ContactKind::DecisionMaker {
        q.bind(w.temperature)
    } else {
        q
    };
    Ok(q.execute(conn).await?.rows_affected() == 1)
}

/// Archives a contact (the API's DELETE): it leaves lists and searches; its touches stay.
pub async fn archive(
    conn: &mut PgConnection,
    team_id: i64,
    kind: ContactKind,
    id: i64,
) -> sqlx::Result<bool> {
    let sql = match kind {
        ContactKind::DecisionMaker => {
            "update decision_makers set archived_at = now(), updated_at = now() where team_id = $1 and id = $2 and archived_at is null"
        }
        ContactKind::Candidate => {
            "update candidates set archived_at = now(), updated_at = now() where team_id = $1 and id = $2 and archived_at is null"
        }
    };
    Ok(sqlx::query(sql)
        .bind(team_id)
        .bind(id)
        .execute(conn)
        .await?
        .rows_affected()
        == 1)
}

/// Sets the email opt-out flag (an inbound "remove me" reply).
pub async fn set_email_opt_out(
    conn: &mut PgConnection,
    team_id: i64,
    kind: ContactKind,
    id: i64,
) -> sqlx::Result<()> {
    let sql = match kind {
        ContactKind::DecisionMaker => {
            "update decision_makers set email_opt_out = true, updated_at = now() where team_id = $1 and id = $2"
        }
        ContactKind::Candidate => {
            "update candidates set email_opt_out = true, updated_at = now() where team_id = $1 and id = $2"
        }
    };
    sqlx::query(sql)
        .bind(team_id)
        .bind(id)
        .execute(conn)
        .await
        .map(|_| ())
}

/// The active contacts of a company (DMs at it, candidates employed there).
pub async fn ids_at_company(
    conn: &mut PgConnection,
    team_id: i64,
    company_id: i64,
) -> sqlx::Result<Vec<(ContactKind, i64)>> {
    sqlx::query_as(
        "select 'decision_maker', id from decision_makers where team_id = $1 and company_id = $2 and archived_at is null \
         union all select 'candidate', id from candidates where team_id = $1 and company_id = $2 and archived_at is null",
    )
    .bind(team_id)
    .bind(company_id)
    .fetch_all(conn)
    .await
}

/// The names of some contacts of one kind (a computed due list shows who each item is for).
pub async fn names(
    db: impl PgExecutor<'_>,
    team_id: i64,
    kind: ContactKind,
    ids: &[i64],
) -> sqlx::Result<Vec<(i64, String)>> {
    let sql = match kind {
        ContactKind::DecisionMaker => {
            "select id, name from decision_makers where team_id = $1 and id = any($2)"
        }
        ContactKind::Candidate => {
            "select id, name from candidates where team_id = $1 and id = any($2)"
        }
    };
    sqlx::query_as(sql)
        .bind(team_id)
        .bind(ids)
        .fetch_all(db)
        .await
}

/// Blanks a contact's personal data for good (see `actions::people::erase`): its fields, its
/// touches' notes and referral names, the same in the versions corrections kept, its snooze
/// notes. Archived and do-not-contact, so it leaves lists and is never due again.
pub async fn erase(
    conn: &mut PgConnection,
    team_id: i64,
    kind: ContactKind,
    id: i64,
    name: &str,
    now: DateTime<Utc>,
) -> sqlx::Result<()> {
    let fk = match kind {
        ContactKind::DecisionMaker => "decision_maker_id",
        ContactKind::Candidate => "candidate_id",
    };
    // identifiers from the closed set of kinds; every value is bound
    sqlx::query(&format!(
        "update {} set name = $3, title = '', email = '', phone = '', source = '', talking_points = '', \
                email_opt_out = true, do_not_contact = true, archived_at = coalesce(archived_at, $4), \
                erased_at = $4, updated_at = now() \
         where team_id = $1 and id = $2",
        table(kind)
    ))
    .bind(team_id)
    .bind(id)
    .bind(name)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    sqlx::query(&format!(
        "update touch_revisions r set previous = r.previous || jsonb_build_object('notes', '', 'referral_names', '') \
         from touches t where t.team_id = $1 and t.{fk} = $2 and r.team_id = t.team_id and r.touch_id = t.id"
    ))
    .bind(team_id)
    .bind(id)
    .execute(&mut *conn)
    .await?;
    sqlx::query(&format!(
        "update touches set notes = '', referral_names = '' \
         where team_id = $1 and {fk} = $2 and (notes <> '' or referral_names <> '')"
    ))
    .bind(team_id)
    .bind(id)
    .execute(&mut *conn)
    .await?;
    sqlx::query(
        "update due_snoozes set note = '' where team_id = $1 and contact_kind = $2 and contact_id = $3",
    )
    .bind(team_id)
    .bind(kind.as_str())
    .bind(id)
    .execute(conn)
    .await
    .map(|_| ())
}
