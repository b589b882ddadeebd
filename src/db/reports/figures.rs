//! The rows each figure counts, one query per figure in the shape of [`super::ListRow`]:
//! `contact_kind, contact_id, user_id, at, at2, day, status, value, note`, bound to `$1`…`$10`
//! of [`super::Scope`].
//!
//! Definitions (docs/rules.md words; dates are the manager's local dates of `$4`):
//! - attempt: outbound, not a note, not bounced or a wrong number, not deleted;
//! - response: inbound (not a note), an outbound call or meeting that connected, or a reply.

use std::str::FromStr;
use std::sync::LazyLock;

/// `t` is an attempt: the SQL function of the migration `attempt_function`, which the planner
/// inlines (so the partial attempts indexes still serve these queries).
const ATTEMPT: &str = "t.deleted_at is null and is_attempt(t.direction, t.channel, t.outcome)";

/// `t` is a response.
const RESPONSE: &str = "t.deleted_at is null and ((t.direction = 'inbound' and t.channel <> 'note') \
    or (t.direction = 'outbound' and t.channel in ('call', 'meeting') and t.outcome = 'connected') \
    or t.outcome = 'replied')";

/// A report figure, and the rows it counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Figure {
    /// DMs whose first attempt ever fell in the period, credited to its author: `second_called`
    /// (a second attempt by anyone within the window, day N counting), `pending` (none yet and
    /// the window still open today) or `missed`; value = days from the first to the second.
    SecondCall,
    /// DMs whose first connected call ever fell in the period (the two-a-day goal), by its author.
    NewDms,
    /// Active DMs (not archived, not do-not-contact) as of the period's last day, by owner:
    /// `touched` (an attempt in the 90 days ending that day) or `not_touched`; `at2` = their
    /// latest attempt up to that day.
    Coverage,
    /// Touches (not notes) in the period by author; status = channel, note = outcome.
    Touches,
    /// Touches in the period that recorded referrals; value = how many.
    Referrals,
    /// Sign-off items first due in the period, by owner: `done` (settled by a touch), `overdue`
    /// (open, due before today), `open` (due from today), `closed` (settled without a touch);
    /// value = hours from the item's appearance to done.
    SignOff,
    /// Candidates whose three-strikes sequence started (first item due) in the period: `strike_N`
    /// (their first response came after N attempts, a connected call counting itself), `later`,
    /// `unanswered` (three attempts, no response) or `pending` (still in the sequence).
    ThreeStrikes,
    /// Gone-dark items first due in the period: `<approach>:recovered` (a response within 14 days
    /// of the item appearing), `<approach>:pending` (not yet 14 days) or `<approach>:not_recovered`.
    GoneDark,
    /// DMs whose first job order was opened in the period, by the job's owner: status = attempts
    /// before it (`0`…`4`, `5+`), note = the job's title.
    JobOrders,
}

impl Figure {
    /// Every figure, in page order.
    pub const ALL: [Figure; 9] = [
        Figure::SecondCall,
        Figure::NewDms,
        Figure::Coverage,
        Figure::Touches,
        Figure::Referrals,
        Figure::SignOff,
        Figure::ThreeStrikes,
        Figure::GoneDark,
        Figure::JobOrders,
    ];

    /// The code in URLs.
    pub fn as_str(self) -> &'static str {
        match self {
            Figure::SecondCall => "second_call",
            Figure::NewDms => "new_dms",
            Figure::Coverage => "coverage",
            Figure::Touches => "touches",
            Figure::Referrals => "referrals",
            Figure::SignOff => "sign_off",
            Figure::ThreeStrikes => "three_strikes",
            Figure::GoneDark => "gone_dark",
            Figure::JobOrders => "job_orders",
        }
    }

    /// Whether its rows' values have a median worth showing (days, hours).
    pub fn has_median(self) -> bool {
        matches!(self, Figure::SecondCall | Figure::SignOff)
    }

    /// Its counts per recruiter and status from a summary table, when it has one: the shape of
    /// [`super::Count`], binding `$11`/`$12` (the first and after-last whole UTC days of the
    /// period) and `$13`/`$14` (where the period's first hours end and its last hours begin), as
    /// [`super::Scope::utc_days`] gives them. The rows behind it (the lists) stay [`Self::rows_sql`].
    pub fn summary_sql(self) -> Option<&'static str> {
        match self {
            Figure::Touches => Some(TOUCHES_SUMMARY.as_str()),
            Figure::Referrals => Some(REFERRALS_SUMMARY.as_str()),
            _ => None,
        }
    }

    /// The query of the rows it counts.
    pub fn rows_sql(self) -> &'static str {
        match self {
            Figure::SecondCall => SECOND_CALL,
            Figure::NewDms => NEW_DMS,
            Figure::Coverage => &COVERAGE,
            Figure::Touches => TOUCHES,
            Figure::Referrals => REFERRALS,
            Figure::SignOff => SIGN_OFF,
            Figure::ThreeStrikes => &THREE_STRIKES,
            Figure::GoneDark => &GONE_DARK,
            Figure::JobOrders => &JOB_ORDERS,
        }
    }
}

impl FromStr for Figure {
    type Err = ();
    fn from_str(s: &str) -> Result<Self, ()> {
        Figure::ALL.into_iter().find(|f| f.as_str() == s).ok_or(())
    }
}

/// The DMs first attempted in the period come from `dm_first_attempts` (kept by a trigger on
/// touches, see its migration): one range of its `(team_id, first_at)` index.
const SECOND_CALL: &str = "\
select 'decision_maker'::text as contact_kind, f.decision_maker_id as contact_id, f.first_author_id as user_id, \
       f.first_at as at, f.second_at as at2, (f.first_at at time zone $4)::date as day, \
       case when f.second_at is not null \
                 and (f.second_at at time zone $4)::date - (f.first_at at time zone $4)::date <= $9 \
              then 'second_called' \
            when f.second_at is null and $7 - (f.first_at at time zone $4)::date <= $9 then 'pending' \
            else 'missed' end as status, \
       ((f.second_at at time zone $4)::date - (f.first_at at time zone $4)::date)::float8 as value, \
       ''::text as note \
from dm_first_attempts f \
where f.team_id = $1 and f.first_at >= $2 and f.first_at < $3 and ($8::bigint is null or f.first_author_id = $8)";

/// The DMs whose first connected call ever fell in the period come from
/// `dm_first_connected_calls` (kept by a trigger on touches, see its migration): one range of its
/// `(team_id, first_at)` index instead of a probe per DM called in the period.
const NEW_DMS: &str = "\
select 'decision_maker'::text as contact_kind, f.decision_maker_id as contact_id, f.author_id as user_id, \
       f.first_at as at, null::timestamptz as at2, (f.first_at at time zone $4)::date as day, 'new'::text as status, \
       null::float8 as value, ''::text as note \
from dm_first_connected_calls f \
where f.team_id = $1 and f.first_at >= $2 and f.first_at < $3 and ($8::bigint is null or f.author_id = $8)";

/// The DMs attempted in the 90 days come from one range of the attempts index, joined by hash;
/// the latest attempt (`at2`, for the lists) is a subquery PostgreSQL evaluates only for the rows
/// a list shows (the aggregates never read it).
static COVERAGE: LazyLock<String> = LazyLock::new(|| {
    format!(
        "select 'decision_maker'::text as contact_kind, d.id as contact_id, d.owner_id as user_id, \
                null::timestamptz as at, \
                (select max(t.occurred_at) from touches t where t.team_id = $1 and t.decision_maker_id = d.id \
                   and {ATTEMPT} and t.occurred_at < $3) as at2, \
                null::date as day, \
                case when c.dm_id is not null then 'touched' else 'not_touched' end as status, \
                null::float8 as value, d.temperature as note \
         from decision_makers d \
         left join (select distinct t.decision_maker_id as dm_id from touches t \
               where t.team_id = $1 and t.decision_maker_id is not null and {ATTEMPT} \
                 and t.occurred_at >= $10 and t.occurred_at < $3) c on c.dm_id = d.id \
         where d.team_id = $1 and d.archived_at is null and not d.do_not_contact and d.created_at < $3 \
           and ($8::bigint is null or d.owner_id = $8)"
    )
});

/// The figure of [`COVERAGE`] from `coverage_days`, `dm_first_attempts.last_at` and
/// `dm_attempt_gaps` (see their migration for why it is exact), binding `$11` (the first whole UTC
/// day from the window's start `$10`) and `$12` (its midnight). Per owner: the counted DMs whose
/// latest attempt is from `$10` on, less those attempted again from `$3` on after no attempt in
/// the window, less those created from `$3` on; the active ones likewise.
pub(super) static COVERAGE_SUMMARY: LazyLock<String> = LazyLock::new(|| {
    let counted = "d.team_id = $1 and d.archived_at is null and not d.do_not_contact \
                   and ($8::bigint is null or d.owner_id = $8)";
    format!(
        "with parts as ( \
           select c.owner_id, sum(c.dms) filter (where c.day >= $11) as touched, sum(c.dms) as active \
           from coverage_days c where c.team_id = $1 and ($8::bigint is null or c.owner_id = $8) group by c.owner_id \
           union all \
           select d.owner_id, count(*), 0 from dm_first_attempts f join decision_makers d on d.id = f.decision_maker_id \
           where f.team_id = $1 and f.last_at >= $10 and f.last_at < $12 and {counted} group by d.owner_id \
           union all \
           select d.owner_id, -count(*), 0 from dm_attempt_gaps g join decision_makers d on d.id = g.decision_maker_id \
           where g.team_id = $1 and g.at >= $3 and (g.prev_at is null or g.prev_at < $10) and {counted} group by d.owner_id \
           union all \
           select d.owner_id, -count(*) filter (where exists (select 1 from touches t where t.team_id = $1 \
                    and t.decision_maker_id = d.id and {ATTEMPT} and t.occurred_at >= $10 and t.occurred_at < $3)), \
                  -count(*) \
           from decision_makers d where d.created_at >= $3 and {counted} group by d.owner_id), \
         per_owner as (select p.owner_id, sum(p.touched)::bigint as touched, sum(p.active)::bigint as active \
           from parts p group by p.owner_id) \
         select o.owner_id as user_id, s.status, s.n, null::float8 as total, null::float8 as median \
         from per_owner o cross join lateral (values ('touched'::text, o.touched), ('not_touched', o.active - o.touched)) s(status, n) \
         where s.n > 0"
    )
});

const TOUCHES: &str = "\
select case when t.decision_maker_id is null then 'candidate' else 'decision_maker' end as contact_kind, \
       coalesce(t.decision_maker_id, t.candidate_id) as contact_id, t.author_id as user_id, t.occurred_at as at, \
       null::timestamptz as at2, (t.occurred_at at time zone $4)::date as day, t.channel as status, \
       null::float8 as value, t.outcome as note \
from touches t \
where t.team_id = $1 and t.deleted_at is null and t.channel <> 'note' and t.occurred_at >= $2 and t.occurred_at < $3 \
  and ($8::bigint is null or t.author_id = $8)";

const REFERRALS: &str = "\
select case when t.decision_maker_id is null then 'candidate' else 'decision_maker' end as contact_kind, \
       coalesce(t.decision_maker_id, t.candidate_id) as contact_id, t.author_id as user_id, t.occurred_at as at, \
       null::timestamptz as at2, (t.occurred_at at time zone $4)::date as day, 'referral'::text as status, \
       t.referrals::float8 as value, t.referral_names as note \
from touches t \
where t.team_id = $1 and t.deleted_at is null and t.referrals > 0 and t.occurred_at >= $2 and t.occurred_at < $3 \
  and ($8::bigint is null or t.author_id = $8)";

/// The touches of the hours before the period's first whole UTC day and after its last one:
/// `{cond}` is the figure's condition on `t`, `{cols}` what it selects.
fn edge_hours(cols: &str, cond: &str) -> String {
    let by_author = "($8::bigint is null or t.author_id = $8)";
    format!(
        "select {cols} from touches t where t.team_id = $1 and {cond} and {by_author} \
           and t.occurred_at >= $2 and t.occurred_at < $13 \
         union all \
         select {cols} from touches t where t.team_id = $1 and {cond} and {by_author} \
           and t.occurred_at >= $14 and t.occurred_at < $3"
    )
}

/// The figure of [`TOUCHES`], counted from `touch_days` (see its migration) for the whole days.
static TOUCHES_SUMMARY: LazyLock<String> = LazyLock::new(|| {
    format!(
        "select s.user_id, s.status, sum(s.n)::bigint as n, null::float8 as total, null::float8 as median \
         from (select d.author_id as user_id, c.status, c.n from touch_days d \
               cross join lateral (values ('call'::text, d.calls), ('voicemail', d.voicemails), ('email', d.emails), \
                                          ('text', d.texts), ('meeting', d.meetings), ('linkedin', d.linkedins)) c(status, n) \
               where d.team_id = $1 and d.day >= $11 and d.day < $12 and ($8::bigint is null or d.author_id = $8) \
               union all {}) s \
         group by s.user_id, s.status having sum(s.n) > 0",
        edge_hours(
            "t.author_id, t.channel, 1",
            "t.deleted_at is null and t.channel <> 'note'"
        )
    )
});

/// The figure of [`REFERRALS`], counted from `touch_days` for the whole days.
static REFERRALS_SUMMARY: LazyLock<String> = LazyLock::new(|| {
    format!(
        "select s.user_id, 'referral'::text as status, sum(s.n)::bigint as n, sum(s.total)::float8 as total, \
                null::float8 as median \
         from (select d.author_id as user_id, d.referral_touches as n, d.referrals as total from touch_days d \
               where d.team_id = $1 and d.day >= $11 and d.day < $12 and ($8::bigint is null or d.author_id = $8) \
               union all {}) s \
         group by s.user_id having sum(s.n) > 0",
        edge_hours(
            "t.author_id, 1, t.referrals",
            "t.deleted_at is null and t.referrals > 0"
        )
    )
});

/// A sign-off call's item stays its owner's while open, overdue or closed; one settled by a call
/// counts as done for whoever made the call (a coverer's call is theirs: docs/rules.md, Cover).
const SIGN_OFF: &str = "\
select h.contact_kind, h.contact_id, coalesce(st.author_id, h.owner_id) as user_id, \
       h.first_seen_at as at, h.settled_at as at2, \
       h.first_due_on as day, \
       case when h.settled_by_touch_id is not null then 'done' when h.settled_at is not null then 'closed' \
            when h.first_due_on < $7 then 'overdue' else 'open' end as status, \
       case when h.settled_by_touch_id is not null \
            then (extract(epoch from h.settled_at - h.first_seen_at) / 3600)::float8 end as value, \
       ''::text as note \
from due_item_history h \
left join touches st on st.team_id = h.team_id and st.id = h.settled_by_touch_id \
where h.team_id = $1 and h.reason = 'sign_off' and h.first_due_on between $5 and $6 \
  and ($8::bigint is null or coalesce(st.author_id, h.owner_id) = $8)";

/// The sequence starts with its first item (strike 2 due); the answer is read from the touches:
/// attempts up to and including the first response.
static THREE_STRIKES: LazyLock<String> = LazyLock::new(|| {
    format!(
        "select 'candidate'::text as contact_kind, s.contact_id, s.owner_id as user_id, s.first_seen_at as at, \
                r.resp_at as at2, s.first_due_on as day, \
                case when r.resp_at is null then case when a.n >= 3 then 'unanswered' else 'pending' end \
                     when a.n <= 3 then 'strike_' || greatest(a.n, 1) else 'later' end as status, \
                a.n::float8 as value, ''::text as note \
         from (select distinct on (h.contact_id) h.contact_id, h.owner_id, h.first_due_on, h.first_seen_at \
               from due_item_history h \
               where h.team_id = $1 and h.reason = 'three_strikes' and h.contact_kind = 'candidate' \
                 and h.first_due_on between $5 and $6 \
               order by h.contact_id, h.first_due_on, h.id) s \
         left join lateral (select min(t.occurred_at) as resp_at from touches t \
               where t.team_id = $1 and t.candidate_id = s.contact_id and {RESPONSE}) r on true \
         cross join lateral (select count(*) as n from touches t \
               where t.team_id = $1 and t.candidate_id = s.contact_id and {ATTEMPT} \
                 and (r.resp_at is null or t.occurred_at <= r.resp_at)) a \
         where not exists (select 1 from due_item_history p where p.team_id = $1 and p.contact_kind = 'candidate' \
                 and p.contact_id = s.contact_id and p.reason = 'three_strikes' and p.first_due_on < $5) \
           and ($8::bigint is null or s.owner_id = $8)"
    )
});

/// Recovery window after a gone-dark item appears ([002]: did the changed approach get an answer).
/// A window that has not ended by the end of the manager's today (`$7` in the zone `$4`, from the
/// app's clock, not the database's) is pending.
static GONE_DARK: LazyLock<String> = LazyLock::new(|| {
    let within =
        "t.occurred_at >= h.first_seen_at and t.occurred_at < h.first_seen_at + interval '14 days'";
    format!(
        "select h.contact_kind, h.contact_id, h.owner_id as user_id, h.first_seen_at as at, r.resp_at as at2, \
                h.first_due_on as day, \
                coalesce(h.approach, 'standard') || ':' || \
                  case when r.resp_at is not null then 'recovered' \
                       when (($7::date + 1)::timestamp at time zone $4) < h.first_seen_at + interval '14 days' then 'pending' \
                       else 'not_recovered' end as status, \
                (extract(epoch from r.resp_at - h.first_seen_at) / 86400)::float8 as value, \
                coalesce(h.approach, 'standard') as note \
         from due_item_history h \
         left join lateral (select min(x.at) as resp_at from ( \
                 select min(t.occurred_at) as at from touches t where h.contact_kind = 'decision_maker' \
                   and t.team_id = $1 and t.decision_maker_id = h.contact_id and {RESPONSE} and {within} \
                 union all \
                 select min(t.occurred_at) from touches t where h.contact_kind = 'candidate' \
                   and t.team_id = $1 and t.candidate_id = h.contact_id and {RESPONSE} and {within}) x) r on true \
         where h.team_id = $1 and h.reason = 'gone_dark' and h.first_due_on between $5 and $6 \
           and ($8::bigint is null or h.owner_id = $8)"
    )
});

static JOB_ORDERS: LazyLock<String> = LazyLock::new(|| {
    format!(
        "select 'decision_maker'::text as contact_kind, j.decision_maker_id as contact_id, j.owner_id as user_id, \
                j.created_at as at, null::timestamptz as at2, (j.created_at at time zone $4)::date as day, \
                case when a.n >= 5 then '5+' else a.n::text end as status, a.n::float8 as value, j.title as note \
         from (select distinct on (o.decision_maker_id) o.decision_maker_id, o.owner_id, o.created_at, o.title \
               from job_orders o where o.team_id = $1 and o.decision_maker_id is not null \
                 and o.created_at >= $2 and o.created_at < $3 \
               order by o.decision_maker_id, o.created_at, o.id) j \
         cross join lateral (select count(*) as n from touches t \
               where t.team_id = $1 and t.decision_maker_id = j.decision_maker_id and {ATTEMPT} \
                 and t.occurred_at < j.created_at) a \
         where not exists (select 1 from job_orders p where p.team_id = $1 \
                 and p.decision_maker_id = j.decision_maker_id and p.created_at < j.created_at) \
           and ($8::bigint is null or j.owner_id = $8)"
    )
});

#[cfg(test)]
mod tests {
    use super::Figure;

    #[test]
    fn every_figure_round_trips_its_code() {
        for f in Figure::ALL {
            assert_eq!(f.as_str().parse::<Figure>(), Ok(f));
        }
        assert!("nope".parse::<Figure>().is_err());
    }
}
