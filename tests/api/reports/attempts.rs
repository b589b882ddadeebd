//! The attempt summaries the triggers on touches keep (`dm_first_attempts` and the DMs' `tried`,
//! `dm_attempt_gaps`, `coverage_days`, `dm_first_connected_calls`) equal a count from the touches
//! after every step of random sequences of touches logged (mostly each DM's latest, as in a working
//! day; some at the same instant, some back-dated, some no attempts at all), corrected, deleted,
//! and of DMs archived and restored. A touch that is its DM's latest attempt moves the summaries
//! forward (`attempts_step_forward`); every other change counts them again; both must agree with
//! the count.

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use super::*;

const ATTEMPT: &str = "t.deleted_at is null and t.direction = 'outbound' and t.channel <> 'note' \
                       and t.outcome not in ('bounced', 'wrong_number')";

type Firsts = Vec<(
    i64,
    DateTime<Utc>,
    i64,
    i64,
    Option<DateTime<Utc>>,
    Option<DateTime<Utc>>,
)>;
type Gaps = Vec<(i64, DateTime<Utc>, Option<DateTime<Utc>>)>;
type Connected = Vec<(i64, DateTime<Utc>, i64, i64)>;

async fn rows<T>(f: &Fx, sql: &str) -> Vec<T>
where
    T: for<'r> sqlx::FromRow<'r, sqlx::postgres::PgRow> + Send + Unpin,
{
    sqlx::query_as(sql)
        .bind(f.team)
        .fetch_all(&f.app.db)
        .await
        .unwrap()
}

async fn assert_counted(f: &Fx, when: &str) {
    let kept: Firsts = rows(
        f,
        "select decision_maker_id, first_at, first_touch_id, first_author_id, second_at, last_at \
         from dm_first_attempts where team_id = $1 order by 1",
    )
    .await;
    let counted: Firsts = rows(
        f,
        &format!(
            "with a as (select t.decision_maker_id as dm, t.occurred_at, t.id, t.author_id, \
                   row_number() over (partition by t.decision_maker_id order by t.occurred_at, t.id) as n, \
                   max(t.occurred_at) over (partition by t.decision_maker_id) as last_at \
                 from touches t where t.team_id = $1 and t.decision_maker_id is not null and {ATTEMPT}) \
             select f.dm, f.occurred_at, f.id, f.author_id, s.occurred_at, f.last_at \
             from a f left join a s on s.dm = f.dm and s.n = 2 where f.n = 1 order by 1"
        ),
    )
    .await;
    assert_eq!(kept, counted, "{when}: dm_first_attempts");

    let kept: Vec<(i64, bool)> = rows(
        f,
        "select id, tried from decision_makers where team_id = $1 order by 1",
    )
    .await;
    let counted: Vec<(i64, bool)> = rows(
        f,
        &format!(
            "select d.id, exists (select 1 from touches t where t.decision_maker_id = d.id and {ATTEMPT}) \
             from decision_makers d where d.team_id = $1 order by 1"
        ),
    )
    .await;
    assert_eq!(kept, counted, "{when}: decision_makers.tried");

    let kept: Gaps = rows(
        f,
        "select decision_maker_id, at, prev_at from dm_attempt_gaps where team_id = $1 order by 1, 2",
    )
    .await;
    let counted: Gaps = rows(
        f,
        &format!(
            "select dm, at, prev_at from ( \
               select t.decision_maker_id as dm, t.occurred_at as at, \
                      lag(t.occurred_at) over (partition by t.decision_maker_id order by t.occurred_at, t.id) as prev_at \
               from touches t where t.team_id = $1 and t.decision_maker_id is not null and {ATTEMPT}) x \
             where prev_at is null or at - prev_at > interval '85 days' order by 1, 2"
        ),
    )
    .await;
    assert_eq!(kept, counted, "{when}: dm_attempt_gaps");

    let kept: Vec<(i64, String, i64)> = rows(
        f,
        "select owner_id, day::text, dms::bigint from coverage_days where team_id = $1 and dms <> 0 order by 1, 2",
    )
    .await;
    let counted: Vec<(i64, String, i64)> = rows(
        f,
        &format!(
            "select owner_id, day::text, count(*) from ( \
               select d.owner_id, coalesce((max(t.occurred_at) at time zone 'UTC')::date, '-infinity')::date as day \
               from decision_makers d left join touches t on t.decision_maker_id = d.id and {ATTEMPT} \
               where d.team_id = $1 and d.archived_at is null and not d.do_not_contact group by d.id) x \
             group by 1, 2 order by 1, 2"
        ),
    )
    .await;
    assert_eq!(kept, counted, "{when}: coverage_days");

    let kept: Connected = rows(
        f,
        "select decision_maker_id, first_at, first_touch_id, author_id from dm_first_connected_calls \
         where team_id = $1 order by 1",
    )
    .await;
    let counted: Connected = rows(
        f,
        "select distinct on (t.decision_maker_id) t.decision_maker_id, t.occurred_at, t.id, t.author_id \
         from touches t where t.team_id = $1 and t.decision_maker_id is not null and t.deleted_at is null \
           and t.channel = 'call' and t.outcome = 'connected' \
         order by t.decision_maker_id, t.occurred_at, t.id",
    )
    .await;
    assert_eq!(kept, counted, "{when}: dm_first_connected_calls");
}

/// (channel, direction, outcome): attempts, connected calls, and touches that are no attempt.
const KINDS: [(&str, &str, &str); 9] = [
    ("call", "outbound", "no_answer"),
    ("call", "outbound", "connected"),
    ("call", "outbound", "connected"),
    ("voicemail", "outbound", "voicemail_left"),
    ("email", "outbound", "sent"),
    ("email", "outbound", "bounced"),
    ("call", "outbound", "wrong_number"),
    ("call", "inbound", "connected"),
    ("note", "outbound", "sent"),
];

async fn exec(f: &Fx, sql: &str, id: i64, at: Option<DateTime<Utc>>) {
    let mut query = sqlx::query(sql).bind(id);
    if let Some(at) = at {
        query = query.bind(at);
    }
    query.execute(&f.app.db).await.unwrap();
}

#[tokio::test]
async fn attempt_summaries_equal_a_count_of_the_touches_after_every_step() {
    let f = fx().await;
    let dms = [
        f.dm(f.rob, "Ann").await,
        f.dm(f.rob, "Ben").await,
        f.dm(f.sue, "Cat").await,
        f.dm(f.sue, "Dee").await,
    ];
    let start = noon(f.today, -700);
    for seed in 0..4u64 {
        let mut rng = StdRng::seed_from_u64(seed);
        // each DM's latest touch time so far: most touches come after it, as in a working day
        let mut latest = [start; 4];
        let mut touches: Vec<i64> = Vec::new();
        for step in 0..70 {
            let pick = rng.random_range(0..dms.len());
            let op = rng.random_range(0..20);
            let what = if op < 13 || touches.is_empty() {
                let (channel, direction, outcome) = KINDS[rng.random_range(0..KINDS.len())];
                let at = match rng.random_range(0..10) {
                    // the same instant as the latest (ties are ordered by id)
                    0 => latest[pick],
                    // back-dated, anywhere in the two years
                    1 => start + Duration::hours(rng.random_range(0..24 * 700)),
                    // after the latest: hours, days, or over the 85 days of a gap
                    _ => latest[pick] + Duration::hours(rng.random_range(1..24 * 120)),
                };
                latest[pick] = latest[pick].max(at);
                let author = if rng.random_bool(0.8) { f.rob } else { f.sue };
                let id = f
                    .touch(C::Dm(dms[pick]), author, channel, direction, outcome, at)
                    .await;
                touches.push(id);
                format!("{channel}/{direction}/{outcome} at {at} on DM {pick}")
            } else {
                let id = touches[rng.random_range(0..touches.len())];
                match op {
                    13..=14 => {
                        let at = start + Duration::hours(rng.random_range(0..24 * 800));
                        exec(
                            &f,
                            "update touches set occurred_at = $2 where id = $1",
                            id,
                            Some(at),
                        )
                        .await;
                        format!("touch {id} moved to {at}")
                    }
                    15 => {
                        exec(
                            &f,
                            "update touches set outcome = case outcome when 'connected' then 'no_answer' \
                             else 'connected' end, channel = 'call' where id = $1",
                            id,
                            None,
                        )
                        .await;
                        format!("touch {id}'s outcome turned")
                    }
                    16..=17 => {
                        exec(
                            &f,
                            "update touches set deleted_at = case when deleted_at is null then $2 end where id = $1",
                            id,
                            Some(Utc::now()),
                        )
                        .await;
                        format!("touch {id} deleted or restored")
                    }
                    _ => {
                        exec(
                            &f,
                            "update decision_makers set archived_at = case when archived_at is null then $2 end where id = $1",
                            dms[pick],
                            Some(Utc::now()),
                        )
                        .await;
                        format!("DM {pick} archived or restored")
                    }
                }
            };
            assert_counted(&f, &format!("seed {seed}, step {step} ({what})")).await;
        }
        // the next seed starts from no touches
        sqlx::query(
            "update touches set deleted_at = now() where team_id = $1 and deleted_at is null",
        )
        .bind(f.team)
        .execute(&f.app.db)
        .await
        .unwrap();
        assert_counted(&f, &format!("seed {seed}: every touch deleted")).await;
    }
}
