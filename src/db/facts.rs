//! The facts query of the engine: for one owner's contacts (the nightly rebuild) or for one
//! contact (after a touch), everything `cadence::decide` reads, bounded by the end of the as-of
//! date. Two queries per kind of contact — the contacts with their flags, news and snooze, and
//! their touches in one ordered pass — never a query per contact; one contact alone is one query,
//! its touches read beside it.

use std::collections::HashMap;
use std::sync::LazyLock;

use chrono::{DateTime, NaiveDate, Utc};
use futures_util::TryStreamExt;
use sqlx::{FromRow, PgConnection};

use chrono_tz::Tz;

use crate::db::codes::ZoneName;
use crate::domain::cadence::{
    Approach, Channel, ContactFacts, ContactKind, Direction, Outcome, Reason, Snooze, Temperature,
    TouchFact,
};

/// Which contacts to gather facts for.
#[derive(Debug, Clone, Copy)]
pub enum Scope {
    /// Every active contact this user owns.
    Owner(i64),
    /// One contact (of the kind being queried).
    Contact(i64),
}

impl Scope {
    fn index(self) -> usize {
        match self {
            Scope::Owner(_) => 0,
            Scope::Contact(_) => 1,
        }
    }
}

/// The facts of one contact, with who owns it.
#[derive(Debug, Clone)]
pub struct OwnedFacts {
    pub kind: ContactKind,
    pub id: i64,
    pub owner_id: i64,
    pub facts: ContactFacts,
}

// The two statement templates below differ only in the table and the scope column; both are
// closed sets of our own identifiers, so the SQL is still fully static with bound values.
// Company news ({news_join}) is joined from the team's events grouped by company for many contacts
// (an owner's rebuild): events are few next to contacts, so one pass over them beats a probe (or,
// while the table is small, a sequential scan) per contact. For one contact (the refresh after a
// write) it is the events of the contact's company only, read by `company_events_company_idx`:
// a pass over all the team's events on every touch would grow with the team's history. Only news
// logged since the contact was added counts: news is a reason to call the people who were there
// when it broke, not everyone added to the company later.
const CONTACTS_SQL: &str = "\
select c.id, c.owner_id, {temperature} as temperature, c.do_not_contact, c.email_opt_out, \
       c.email <> '' as has_email, c.phone <> '' as has_phone, \
       array(select l from unnest(n.logged) l where l >= c.created_at) as news, \
       {sign_offs} as sign_offs, {pipeline} as in_pipeline, \
       s.reason as snooze_reason, s.until as snooze_until, s.created_at as snooze_created_at{touch_columns}{extra_columns} \
from {table} c \
{news_join}\
left join lateral (select reason, until, created_at from due_snoozes s \
                   where s.team_id = c.team_id and s.contact_kind = '{kind}' and s.contact_id = c.id \
                     and s.created_at < $3 order by s.created_at desc limit 1) s on true \
{touch_join}{extra_joins}where c.team_id = $1 and {scope}{live}";

const NEWS_BY_COMPANY: &str = "\
left join (select e.company_id, array_agg(e.logged_at order by e.logged_at) as logged from company_events e \
           where e.team_id = $1 and e.logged_at < $3 group by e.company_id) n on n.company_id = c.company_id ";
const ONE_CONTACT_NEWS: &str = "\
left join lateral (select array_agg(e.logged_at order by e.logged_at) as logged from company_events e \
                   where e.team_id = $1 and e.company_id = c.company_id and e.logged_at < $3) n on true ";

// One contact's touches beside its row, for the statement that reads a single contact (the
// refresh after a write): one array per column, all filled from the same rows in the same order
// (one aggregate pass), zipped back into touches by `OneContactRow`. One statement and one round
// trip instead of the pair.
const ONE_CONTACT_TOUCH_COLUMNS: &str = ", \
       coalesce(tt.ids, '{}') as touch_ids, coalesce(tt.ats, '{}') as touch_ats, \
       coalesce(tt.channels, '{}') as touch_channels, coalesce(tt.directions, '{}') as touch_directions, \
       coalesce(tt.outcomes, '{}') as touch_outcomes, coalesce(tt.next_steps, '{}') as touch_next_steps, \
       coalesce(tt.approaches, '{}') as touch_approaches";
const ONE_CONTACT_TOUCH_JOIN: &str = "\
left join lateral (select array_agg(t.id) as ids, array_agg(t.occurred_at) as ats, array_agg(t.channel) as channels, \
                          array_agg(t.direction) as directions, array_agg(t.outcome) as outcomes, \
                          array_agg(t.next_step_on) as next_steps, array_agg(t.approach) as approaches \
                   from touches t \
                   where t.team_id = c.team_id and t.{fk} = c.id and t.deleted_at is null and t.occurred_at < $3) tt on true ";

// The touches of the scope's contacts, driven from the contacts: for each one an index scan of
// `touches_{dm,candidate}_idx`, so an owner's rebuild reads that owner's touches only, whatever
// the team's shape. As a plain join the plan flipped with the statistics: when an owner holds a
// large share of the team (20 owners, 1M touches) the planner chose a merge join over the whole
// team's index, and every owner's rebuild read every touch of the team (500 ms instead of 130 ms
// an owner there, growing with owners x team). `offset 0` keeps the lateral subquery from being
// flattened back into that join.
const TOUCHES_SQL: &str = "\
select c.id as contact_id, t.id, t.occurred_at, t.channel, t.direction, t.outcome, t.next_step_on, t.approach \
from {table} c \
cross join lateral (select t.id, t.occurred_at, t.channel, t.direction, t.outcome, t.next_step_on, t.approach \
                    from touches t \
                    where t.team_id = c.team_id and t.{fk} = c.id and t.deleted_at is null and t.occurred_at < $3 \
                    offset 0) t \
where c.team_id = $1 and {scope} and c.archived_at is null \
order by c.id, t.occurred_at, t.id";

/// The statements per kind ([decision makers, candidates]) and scope ([owner, contact, ids]): the
/// contacts and their touches, two statements, except for one contact: one statement with its
/// touches as arrays (the second string is then empty).
static STATEMENTS: LazyLock<[[(String, String); 3]; 2]> = LazyLock::new(|| {
    let build = |kind: ContactKind, scope: &str, one: bool| {
        let (touch_columns, touch_join, news_join) = if one {
            (
                ONE_CONTACT_TOUCH_COLUMNS,
                ONE_CONTACT_TOUCH_JOIN,
                ONE_CONTACT_NEWS,
            )
        } else {
            ("", "", NEWS_BY_COMPANY)
        };
        let fill = |sql: &str| {
            let sql = sql
                .replace("{touch_columns}", touch_columns)
                .replace("{touch_join}", touch_join)
                .replace("{news_join}", news_join)
                .replace("{extra_columns}", "")
                .replace("{extra_joins}", "")
                .replace("{live}", " and c.archived_at is null")
                .replace("{scope}", scope);
            fill_kind(&sql, kind)
        };
        if one {
            (fill(CONTACTS_SQL), String::new())
        } else {
            (fill(CONTACTS_SQL), fill(TOUCHES_SQL))
        }
    };
    [ContactKind::DecisionMaker, ContactKind::Candidate].map(|kind| {
        [
            build(kind, "c.owner_id = $2", false),
            build(kind, "c.id = $2", true),
            build(kind, "c.id = any($2)", false),
        ]
    })
});

/// The kind's table and columns in one of the statements above.
fn fill_kind(sql: &str, kind: ContactKind) -> String {
    let (table, fk, temperature, sign_offs, pipeline) = match kind {
        ContactKind::DecisionMaker => (
            "decision_makers",
            "decision_maker_id",
            "c.temperature",
            "'{}'::timestamptz[]",
            "false",
        ),
        ContactKind::Candidate => (
            "candidates",
            "candidate_id",
            "'warm'",
            CANDIDATE_SIGN_OFFS,
            CANDIDATE_PIPELINE,
        ),
    };
    sql.replace("{table}", table)
        .replace("{fk}", fk)
        .replace("{temperature}", temperature)
        .replace("{sign_offs}", sign_offs)
        .replace("{pipeline}", pipeline)
        .replace("{kind}", kind.as_str())
}

/// The statement that reads one contact's facts (bound `$3`) as [`gather`] does for one contact,
/// archived or not (the column `live` says), with the caller's `columns` and `joins` of the same
/// row (`c` is the contact; `$1` the team, `$2` the contact): a write's refresh reads its stored
/// due state beside the facts in one round trip (`due::store::stored`). Read back with
/// [`live_facts`].
pub fn one_contact_sql_with(kind: ContactKind, columns: &str, joins: &str) -> String {
    let sql = CONTACTS_SQL
        .replace("{touch_columns}", ONE_CONTACT_TOUCH_COLUMNS)
        .replace("{touch_join}", ONE_CONTACT_TOUCH_JOIN)
        .replace("{news_join}", ONE_CONTACT_NEWS)
        .replace("{live}", "")
        .replace("{scope}", "c.id = $2");
    // the kind's own parts first: the caller's text is SQL of its own, never a template
    fill_kind(&sql, kind)
        .replace(
            "{extra_columns}",
            &format!(", (c.archived_at is null) as live{columns}"),
        )
        .replace("{extra_joins}", joins)
}

/// The facts of a row of [`one_contact_sql_with`]'s statement: None for an archived contact (no
/// facts, nothing due), as [`gather`] finds none.
pub fn live_facts(
    kind: ContactKind,
    row: &sqlx::postgres::PgRow,
) -> sqlx::Result<Option<OwnedFacts>> {
    use sqlx::Row;
    if !row.try_get::<bool, _>("live")? {
        return Ok(None);
    }
    Ok(Some(OneContactRow::from_row(row)?.into_owned(kind)))
}

/// Sign-off triggers of a candidate [001], as logged before the as-of bound `$3`: an application
/// that had reached presented or later moved to rejected; or its job order became filled or
/// cancelled while the application had reached presented or later and was neither placed nor
/// already off the path (and the candidate placed later, e.g. after the job was marked filled,
/// is never called: docs/rules.md says the placed candidate never gets a sign-off call).
const CANDIDATE_SIGN_OFFS: &str = "array(\
select sc.changed_at from application_stage_changes sc \
join applications a on a.id = sc.application_id and a.team_id = sc.team_id \
where a.team_id = c.team_id and a.candidate_id = c.id and sc.to_stage = 'rejected' and sc.changed_at < $3 \
  and exists (select 1 from application_stage_changes p where p.team_id = a.team_id and p.application_id = a.id \
              and p.to_stage in ('presented', 'interviewing', 'offer', 'placed') and p.changed_at <= sc.changed_at) \
union all \
select jc.changed_at from job_status_changes jc \
join applications a on a.job_order_id = jc.job_order_id and a.team_id = jc.team_id \
where a.team_id = c.team_id and a.candidate_id = c.id and jc.to_status in ('filled', 'cancelled') and jc.changed_at < $3 \
  and exists (select 1 from application_stage_changes p where p.team_id = a.team_id and p.application_id = a.id \
              and p.to_stage in ('presented', 'interviewing', 'offer', 'placed') and p.changed_at <= jc.changed_at) \
  and not exists (select 1 from application_stage_changes p where p.team_id = a.team_id and p.application_id = a.id \
              and p.to_stage in ('placed', 'rejected', 'withdrawn') and p.changed_at <= jc.changed_at) \
  and a.stage <> 'placed')";
/// Whether a candidate is in an active pipeline (screening to offer) of a job still open or on
/// hold, as of `$3`: the stage of an application is the last one logged before the bound.
const CANDIDATE_PIPELINE: &str = "exists(\
select 1 from applications a join job_orders j on j.id = a.job_order_id and j.team_id = a.team_id \
where a.team_id = c.team_id and a.candidate_id = c.id and j.status in ('open', 'on_hold') \
  and (select s.to_stage from application_stage_changes s where s.team_id = a.team_id and s.application_id = a.id \
         and s.changed_at < $3 order by s.changed_at desc, s.id desc limit 1) \
      in ('screening', 'presented', 'interviewing', 'offer'))";

#[derive(FromRow)]
struct ContactRow {
    id: i64,
    owner_id: i64,
    temperature: Temperature,
    do_not_contact: bool,
    email_opt_out: bool,
    has_email: bool,
    has_phone: bool,
    news: Vec<DateTime<Utc>>,
    sign_offs: Vec<DateTime<Utc>>,
    in_pipeline: bool,
    snooze_reason: Option<Reason>,
    snooze_until: Option<NaiveDate>,
    snooze_created_at: Option<DateTime<Utc>>,
}

#[derive(FromRow)]
struct TouchRow {
    contact_id: i64,
    id: i64,
    occurred_at: DateTime<Utc>,
    channel: Channel,
    direction: Direction,
    outcome: Outcome,
    next_step_on: Option<NaiveDate>,
    approach: Approach,
}

/// One contact with its touches as parallel arrays ([`ONE_CONTACT_TOUCH_COLUMNS`]).
#[derive(FromRow)]
struct OneContactRow {
    #[sqlx(flatten)]
    contact: ContactRow,
    touch_ids: Vec<i64>,
    touch_ats: Vec<DateTime<Utc>>,
    touch_channels: Vec<Channel>,
    touch_directions: Vec<Direction>,
    touch_outcomes: Vec<Outcome>,
    touch_next_steps: Vec<Option<NaiveDate>>,
    touch_approaches: Vec<Approach>,
}

impl OneContactRow {
    fn into_owned(self, kind: ContactKind) -> OwnedFacts {
        let mut touches: Vec<TouchFact> = self
            .touch_ids
            .into_iter()
            .zip(self.touch_ats)
            .zip(self.touch_channels)
            .zip(self.touch_directions)
            .zip(self.touch_outcomes)
            .zip(self.touch_next_steps)
            .zip(self.touch_approaches)
            .map(
                |((((((id, at), channel), direction), outcome), next_step_on), approach)| {
                    TouchFact {
                        id,
                        at,
                        channel,
                        direction,
                        outcome,
                        next_step_on,
                        approach,
                    }
                },
            )
            .collect();
        // the facts' order, as the pair of statements gives it: by time, then id
        touches.sort_by_key(|t| (t.at, t.id));
        let id = self.contact.id;
        into_owned(kind, self.contact, &mut HashMap::from([(id, touches)]))
    }
}

impl TouchRow {
    fn into_fact(self) -> TouchFact {
        TouchFact {
            id: self.id,
            at: self.occurred_at,
            channel: self.channel,
            direction: self.direction,
            outcome: self.outcome,
            next_step_on: self.next_step_on,
            approach: self.approach,
        }
    }
}

/// Turns JIT compilation off for the rest of the caller's transaction before gathering a whole
/// list: the facts queries are thousands of cheap index probes whose estimated cost passes
/// `jit_above_cost`, and compiling them (30-50 ms a query here) costs more than it saves. Outside a
/// transaction it changes nothing.
pub async fn without_jit(conn: &mut PgConnection) -> sqlx::Result<()> {
    sqlx::query("select set_config('jit', 'off', true)")
        .execute(conn)
        .await
        .map(|_| ())
}

/// Gathers the facts of every contact of `kind` in `scope`, as known before `until` (the end of
/// the as-of date in the owner's zone).
pub async fn gather(
    conn: &mut PgConnection,
    team_id: i64,
    kind: ContactKind,
    scope: Scope,
    until: DateTime<Utc>,
) -> sqlx::Result<Vec<OwnedFacts>> {
    let statements = &STATEMENTS[kind_index(kind)][scope.index()];
    match scope {
        Scope::Contact(id) => {
            let row: Option<OneContactRow> = sqlx::query_as(&statements.0)
                .bind(team_id)
                .bind(id)
                .bind(until)
                .fetch_optional(conn)
                .await?;
            Ok(row.map(|r| r.into_owned(kind)).into_iter().collect())
        }
        Scope::Owner(id) => gather_with(conn, team_id, kind, statements, id, until).await,
    }
}

/// Gathers the facts of some contacts of `kind` at once (the API's lists show what comes next
/// for each row without a query per row).
pub async fn gather_ids(
    conn: &mut PgConnection,
    team_id: i64,
    kind: ContactKind,
    ids: &[i64],
    until: DateTime<Utc>,
) -> sqlx::Result<Vec<OwnedFacts>> {
    let statements = &STATEMENTS[kind_index(kind)][2];
    gather_with(conn, team_id, kind, statements, ids.to_vec(), until).await
}

async fn gather_with<B>(
    conn: &mut PgConnection,
    team_id: i64,
    kind: ContactKind,
    (contacts_sql, touches_sql): &'static (String, String),
    scope: B,
    until: DateTime<Utc>,
) -> sqlx::Result<Vec<OwnedFacts>>
where
    B: 'static
        + Clone
        + Send
        + for<'q> sqlx::Encode<'q, sqlx::Postgres>
        + sqlx::Type<sqlx::Postgres>,
{
    let rows: Vec<ContactRow> = sqlx::query_as(contacts_sql)
        .bind(team_id)
        .bind(scope.clone())
        .bind(until)
        .fetch_all(&mut *conn)
        .await?;
    let mut touches: HashMap<i64, Vec<TouchFact>> = HashMap::with_capacity(rows.len());
    let mut stream = sqlx::query_as::<_, TouchRow>(touches_sql)
        .bind(team_id)
        .bind(scope)
        .bind(until)
        .fetch(&mut *conn);
    while let Some(row) = stream.try_next().await? {
        touches
            .entry(row.contact_id)
            .or_default()
            .push(row.into_fact());
    }
    drop(stream);
    Ok(rows
        .into_iter()
        .map(|r| into_owned(kind, r, &mut touches))
        .collect())
}

fn kind_index(kind: ContactKind) -> usize {
    match kind {
        ContactKind::DecisionMaker => 0,
        ContactKind::Candidate => 1,
    }
}

fn into_owned(
    kind: ContactKind,
    r: ContactRow,
    touches: &mut HashMap<i64, Vec<TouchFact>>,
) -> OwnedFacts {
    let snooze = match (r.snooze_reason, r.snooze_until, r.snooze_created_at) {
        (Some(reason), Some(until), Some(created_at)) => Some(Snooze {
            reason,
            until,
            created_at,
        }),
        _ => None,
    };
    let facts = ContactFacts {
        kind,
        temperature: r.temperature,
        active: true,
        do_not_contact: r.do_not_contact,
        email_opt_out: r.email_opt_out,
        has_email: r.has_email,
        has_phone: r.has_phone,
        touches: touches.remove(&r.id).unwrap_or_default(),
        sign_off_triggers: r.sign_offs,
        news_logged: r.news,
        in_active_pipeline: r.in_pipeline,
        snooze,
    };
    OwnedFacts {
        kind,
        id: r.id,
        owner_id: r.owner_id,
        facts,
    }
}

/// The instant a local date ends in a time zone (the facts bound for "as of that date").
pub fn end_of_day(date: NaiveDate, tz: chrono_tz::Tz) -> DateTime<Utc> {
    use chrono::TimeZone;
    let next = date.succ_opt().unwrap_or(date);
    let midnight = next.and_hms_opt(0, 0, 0).unwrap_or_default();
    tz.from_local_datetime(&midnight)
        .earliest()
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or_else(|| midnight.and_utc())
}

/// The owner of a contact and their time zone (whose "today" the contact's item follows).
pub async fn owner_of(
    conn: &mut PgConnection,
    team_id: i64,
    kind: ContactKind,
    id: i64,
) -> sqlx::Result<Option<(i64, Tz)>> {
    let sql = match kind {
        ContactKind::DecisionMaker => {
            "select c.owner_id, u.time_zone from decision_makers c join users u on u.id = c.owner_id where c.team_id = $1 and c.id = $2"
        }
        ContactKind::Candidate => {
            "select c.owner_id, u.time_zone from candidates c join users u on u.id = c.owner_id where c.team_id = $1 and c.id = $2"
        }
    };
    let found: Option<(i64, ZoneName)> = sqlx::query_as(sql)
        .bind(team_id)
        .bind(id)
        .fetch_optional(conn)
        .await?;
    Ok(found.map(|(owner, zone)| (owner, zone.0)))
}
