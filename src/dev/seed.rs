//! `secondcall dev seed`: a deterministic benchmark team — recruiters, companies, decision makers,
//! candidates, two years of touches, this week's company news and a few snoozes — streamed into
//! PostgreSQL with COPY, in one transaction, then VACUUM ANALYZEd.
//!
//! Determinism: every contact's profile and touches come from its own SplitMix64 stream keyed by
//! (`--seed`, kind, index), so the same seed gives the same team. Dates are laid out relative to
//! the day the seed runs ("days ago"), so the due lists look the same whenever it is run.
//!
//! Touches are written in time order within blocks of about 20,000 contacts: a contact's touches
//! then lie scattered over the table as they do when logged day by day, not side by side (which
//! would flatter the rebuild); a single global time order would need every row in memory.

use std::time::Instant;

use anyhow::Context as _;
use chrono::Utc;
use chrono_tz::Tz;
use sqlx::{Connection, PgConnection, PgPool};

use super::copy::CopyWriter;
use super::plan::{Kind, Plan, Sizes, allocate};
use super::rng::Rng;
use super::story::{self, Clock, Context, Touch};
use super::{extras, words};
use crate::accounts::Role;
use crate::auth::password;
use crate::config::SeedArgs;
use crate::db::codes::ZoneName;

/// The password of every seeded user.
pub const PASSWORD: &str = "secondcall-bench";

/// Contacts per block of touches written in time order.
const BLOCK_CONTACTS: u32 = 20_000;

/// What a seed created.
#[derive(Debug, Default)]
pub struct Seeded {
    pub team_id: i64,
    pub email_domain: String,
    pub users: u64,
    pub companies: u64,
    pub decision_makers: u64,
    pub candidates: u64,
    pub touches: u64,
    pub events: u64,
    pub snoozes: u64,
    /// Contacts and touches owned by the first recruiter (the page benchmark's user).
    pub first_owner: (u64, u64),
    pub foreign_keys_checked: bool,
    pub timings: Vec<(&'static str, f64)>,
}

/// The team being written: ids handed out and the shape of the data.
pub(super) struct Team {
    pub(super) id: i64,
    pub(super) users: Vec<i64>,
    pub(super) company_base: i64,
    pub(super) dm_base: i64,
    pub(super) candidate_base: i64,
    pub(super) sizes: Sizes,
    pub(super) clock: Clock,
}

/// The first and second attempt of every DM of the seeded team (`$1`), as the migration that
/// created `dm_first_attempts` fills it. The team is new, so none of its DMs has a row yet; an
/// anti-join on the table being filled instead would scan its growing heap once per DM (the
/// planner sees it empty), which took many minutes at full size.
const BACKFILL_FIRST_ATTEMPTS: &str = "\
insert into dm_first_attempts (team_id, decision_maker_id, first_at, first_touch_id, first_author_id, second_at) \
select d.team_id, d.id, f.occurred_at, f.id, f.author_id, s.occurred_at \
from decision_makers d \
cross join lateral (select t.occurred_at, t.id, t.author_id from touches t \
      where t.team_id = d.team_id and t.decision_maker_id = d.id and t.deleted_at is null \
        and is_attempt(t.direction, t.channel, t.outcome) \
      order by t.occurred_at, t.id limit 1) f \
left join lateral (select t.occurred_at from touches t \
      where t.team_id = d.team_id and t.decision_maker_id = d.id and t.deleted_at is null \
        and is_attempt(t.direction, t.channel, t.outcome) \
        and (t.occurred_at, t.id) > (f.occurred_at, f.id) \
      order by t.occurred_at, t.id limit 1) s on true \
where d.team_id = $1";

/// Each attempted DM's marker (`decision_makers.tried`, after [`BACKFILL_FIRST_ATTEMPTS`]), as the
/// migration that added it fills it.
const BACKFILL_TRIED: &str = "\
update decision_makers d set tried = true \
from dm_first_attempts f \
where f.team_id = $1 and d.team_id = f.team_id and d.id = f.decision_maker_id";

/// Each DM's latest attempt (`dm_first_attempts.last_at`), as the coverage migration fills it.
const BACKFILL_LAST_ATTEMPTS: &str = "\
update dm_first_attempts f set last_at = (select t.occurred_at from touches t \
      where t.team_id = f.team_id and t.decision_maker_id = f.decision_maker_id and t.deleted_at is null \
        and is_attempt(t.direction, t.channel, t.outcome) \
      order by t.occurred_at desc, t.id desc limit 1) \
where f.team_id = $1";

/// The attempts after no attempt or a gap of over 85 days (`dm_attempt_gaps`), as its migration
/// fills it.
const BACKFILL_ATTEMPT_GAPS: &str = "\
insert into dm_attempt_gaps (team_id, decision_maker_id, at, prev_at) \
select a.team_id, a.decision_maker_id, a.at, a.prev_at from ( \
    select t.team_id, t.decision_maker_id, t.occurred_at as at, \
           lag(t.occurred_at) over (partition by t.decision_maker_id order by t.occurred_at, t.id) as prev_at \
    from touches t \
    where t.team_id = $1 and t.decision_maker_id is not null and t.deleted_at is null \
      and is_attempt(t.direction, t.channel, t.outcome)) a \
where a.prev_at is null or a.at - a.prev_at > interval '2040 hours'";

/// The team's counted DMs per owner and day of their latest attempt (`coverage_days`), as its
/// migration fills it (after [`BACKFILL_LAST_ATTEMPTS`]).
const BACKFILL_COVERAGE_DAYS: &str = "\
insert into coverage_days (team_id, owner_id, day, dms) \
select d.team_id, d.owner_id, coverage_day(f.last_at), count(*) \
from decision_makers d \
left join dm_first_attempts f on f.team_id = d.team_id and f.decision_maker_id = d.id \
where d.team_id = $1 and d.archived_at is null and not d.do_not_contact \
group by 1, 2, 3";

/// The team's touches per UTC day and author (`touch_days`), as its migration fills it.
const BACKFILL_TOUCH_DAYS: &str = "\
insert into touch_days (team_id, day, author_id, calls, voicemails, emails, texts, meetings, linkedins, \
                        referral_touches, referrals) \
select t.team_id, (t.occurred_at at time zone 'UTC')::date, t.author_id, \
       count(*) filter (where t.channel = 'call'), count(*) filter (where t.channel = 'voicemail'), \
       count(*) filter (where t.channel = 'email'), count(*) filter (where t.channel = 'text'), \
       count(*) filter (where t.channel = 'meeting'), count(*) filter (where t.channel = 'linkedin'), \
       count(*) filter (where t.referrals > 0), coalesce(sum(t.referrals), 0) \
from touches t \
where t.team_id = $1 and t.deleted_at is null and (t.channel <> 'note' or t.referrals > 0) \
group by 1, 2, 3";

/// Each DM's first connected call (`dm_first_connected_calls`), as its migration fills it.
const BACKFILL_FIRST_CONNECTED: &str = "\
insert into dm_first_connected_calls (team_id, decision_maker_id, first_at, first_touch_id, author_id) \
select distinct on (t.decision_maker_id) t.team_id, t.decision_maker_id, t.occurred_at, t.id, t.author_id \
from touches t \
where t.team_id = $1 and t.decision_maker_id is not null and t.deleted_at is null \
  and t.channel = 'call' and t.outcome = 'connected' \
order by t.decision_maker_id, t.occurred_at, t.id";

/// Runs the whole seed; the pool's connection is closed afterwards (its session settings differ).
pub async fn run(pool: &PgPool, args: &SeedArgs) -> anyhow::Result<Seeded> {
    anyhow::ensure!(args.recruiters > 0, "--recruiters must be at least 1");
    let hash = password::hash(PASSWORD.to_string()).await?;
    let mut conn = pool.acquire().await?;
    conn.close_on_drop();
    // Skipping foreign-key triggers (superuser only) saves ~40M index probes; the rows are
    // consistent by construction. Without the privilege the checks simply run.
    let unchecked = sqlx::query("set session_replication_role = replica")
        .execute(&mut *conn)
        .await
        .is_ok();
    let mut report = seed(&mut conn, args, &hash).await?;
    report.foreign_keys_checked = !unchecked;
    let t = Instant::now();
    sqlx::query("reset session_replication_role")
        .execute(&mut *conn)
        .await?;
    // VACUUM as well as ANALYZE: hint bits and the visibility map are then set, as autovacuum
    // leaves a settled table, so the first rebuild after a seed measures the steady state (and
    // its index-only scans) rather than the one-off work after a bulk load.
    sqlx::query("vacuum (analyze)").execute(&mut *conn).await?;
    if unchecked {
        // The replica role skipped the triggers on touches too, so the reports' summaries of the
        // touches are filled here, as their migrations fill them (after the ANALYZE: on fresh
        // tables without statistics the planner scans instead of probing). In the replica role
        // again: the first attempts' own trigger would mark each DM in a statement of its own,
        // where one statement marks them all.
        sqlx::query("set session_replication_role = replica")
            .execute(&mut *conn)
            .await?;
        for backfill in [
            BACKFILL_FIRST_ATTEMPTS,
            BACKFILL_TRIED,
            BACKFILL_TOUCH_DAYS,
            BACKFILL_FIRST_CONNECTED,
            BACKFILL_LAST_ATTEMPTS,
            BACKFILL_ATTEMPT_GAPS,
            BACKFILL_COVERAGE_DAYS,
        ] {
            sqlx::query(backfill)
                .bind(report.team_id)
                .execute(&mut *conn)
                .await?;
        }
        sqlx::query("reset session_replication_role")
            .execute(&mut *conn)
            .await?;
        // Their rows are new since the VACUUM (and the marked DMs' versions): statistics and a
        // visibility map for them too.
        sqlx::query(
            "vacuum (analyze) decision_makers, dm_first_attempts, touch_days, dm_first_connected_calls, \
             dm_attempt_gaps, coverage_days",
        )
            .execute(&mut *conn)
            .await?;
    }
    report
        .timings
        .push(("vacuum analyze", t.elapsed().as_secs_f64()));
    Ok(report)
}

async fn seed(conn: &mut PgConnection, args: &SeedArgs, hash: &str) -> anyhow::Result<Seeded> {
    let mut tx = conn.begin().await?;
    sqlx::query(
        "lock table companies, decision_makers, candidates, touches, company_events, due_snoozes \
         in exclusive mode",
    )
    .execute(&mut *tx)
    .await?;
    let mut report = Seeded::default();
    let t = Instant::now();
    let team = create_team(&mut tx, args, hash, &mut report).await?;
    report.companies = extras::write_companies(&mut tx, &team).await?;
    report
        .timings
        .push(("team, users, companies", t.elapsed().as_secs_f64()));

    let t = Instant::now();
    let dm_counts = counts(&team, Kind::DecisionMaker, args.decision_makers);
    let cand_counts = counts(&team, Kind::Candidate, args.candidates);
    let (dm_counts, cand_counts) =
        share_touches(args.touches, &dm_counts, &cand_counts, &mut report);
    report.timings.push(("planning", t.elapsed().as_secs_f64()));

    let t = Instant::now();
    report.decision_makers =
        write_contacts(&mut tx, &team, Kind::DecisionMaker, args.decision_makers).await?;
    report.candidates = write_contacts(&mut tx, &team, Kind::Candidate, args.candidates).await?;
    report.timings.push(("contacts", t.elapsed().as_secs_f64()));

    let t = Instant::now();
    report.touches = write_touches(&mut tx, &team, &dm_counts, &cand_counts).await?;
    report.timings.push(("touches", t.elapsed().as_secs_f64()));

    let t = Instant::now();
    report.events = extras::write_events(&mut tx, &team).await?;
    report.snoozes =
        extras::write_snoozes(&mut tx, &team, args.decision_makers, args.candidates).await?;
    set_sequences(&mut tx).await?;
    tx.commit().await?;
    report
        .timings
        .push(("news, snoozes, commit", t.elapsed().as_secs_f64()));
    Ok(report)
}

/// Per-contact touch minimums and weights of one kind.
struct Counts {
    owners: Vec<u32>,
    mins: Vec<u32>,
    weights: Vec<f32>,
}

fn counts(team: &Team, kind: Kind, n: u32) -> Counts {
    let mut c = Counts {
        owners: Vec::with_capacity(n as usize),
        mins: Vec::with_capacity(n as usize),
        weights: Vec::with_capacity(n as usize),
    };
    for i in 0..n {
        let (plan, _) = Plan::new(kind, i, team.sizes);
        c.owners.push(plan.owner);
        c.mins.push(plan.story.min_touches());
        #[expect(clippy::cast_possible_truncation, reason = "a weight, f32 is plenty")]
        c.weights.push(plan.story.weight() as f32);
    }
    c
}

/// Shares the touches over both kinds at once (one allocation keeps the total exact).
fn share_touches(
    total: u64,
    dms: &Counts,
    cands: &Counts,
    report: &mut Seeded,
) -> (Vec<u32>, Vec<u32>) {
    let mins: Vec<u32> = dms.mins.iter().chain(&cands.mins).copied().collect();
    let weights: Vec<f32> = dms.weights.iter().chain(&cands.weights).copied().collect();
    let mut all = allocate(total, &mins, &weights);
    let cand = all.split_off(dms.mins.len());
    let first = |owners: &[u32], counts: &[u32]| {
        owners
            .iter()
            .zip(counts)
            .filter(|(o, _)| **o == 0)
            .fold((0_u64, 0_u64), |(c, t), (_, n)| (c + 1, t + u64::from(*n)))
    };
    let (a, b) = (first(&dms.owners, &all), first(&cands.owners, &cand));
    report.first_owner = (a.0 + b.0, a.1 + b.1);
    (all, cand)
}

async fn create_team(
    tx: &mut PgConnection,
    args: &SeedArgs,
    hash: &str,
    report: &mut Seeded,
) -> anyhow::Result<Team> {
    let team_id = crate::db::users::insert_team(&mut *tx, &args.team).await?;
    let taken: bool = sqlx::query_scalar(
        "select exists(select 1 from users where lower(email) = 'recruiter001@bench.test')",
    )
    .fetch_one(&mut *tx)
    .await?;
    let domain = if taken {
        format!("team{team_id}.bench.test")
    } else {
        "bench.test".to_string()
    };
    let mut users = Vec::with_capacity(args.recruiters as usize);
    for k in 0..args.recruiters {
        let mut rng = Rng::new(args.seed, 3, u64::from(k));
        let name = format!(
            "{} {}",
            rng.pick(words::FIRST_NAMES),
            rng.pick(words::LAST_NAMES)
        );
        let role = if k == 0 {
            Role::Manager
        } else {
            Role::Recruiter
        };
        let tz = words::TIME_ZONES[k as usize % words::TIME_ZONES.len()];
        let id: i64 = sqlx::query_scalar(
            "insert into users (team_id, email, name, role, time_zone, password_hash) \
             values ($1, $2, $3, $4, $5, $6) returning id",
        )
        .bind(team_id)
        .bind(format!("recruiter{:03}@{domain}", k + 1))
        .bind(name)
        .bind(role)
        .bind(ZoneName(tz))
        .bind(hash)
        .fetch_one(&mut *tx)
        .await
        .with_context(|| format!("creating recruiter{:03}@{domain}", k + 1))?;
        users.push(id);
    }
    report.team_id = team_id;
    report.email_domain = domain;
    report.users = users.len() as u64;
    let now = Utc::now().timestamp();
    let companies = (args.decision_makers / 8).max(1);
    Ok(Team {
        id: team_id,
        users,
        company_base: next_id(tx, "companies").await?,
        dm_base: next_id(tx, "decision_makers").await?,
        candidate_base: next_id(tx, "candidates").await?,
        sizes: Sizes {
            seed: args.seed,
            recruiters: args.recruiters,
            companies,
        },
        clock: Clock {
            now,
            today: now.div_euclid(86_400),
        },
    })
}

/// The first id of a block written with explicit ids (the sequence is moved past it at the end;
/// the exclusive table locks keep anyone else from taking ids meanwhile).
pub(super) async fn next_id(tx: &mut PgConnection, table: &str) -> sqlx::Result<i64> {
    sqlx::query_scalar("select nextval(pg_get_serial_sequence($1, 'id'))")
        .bind(table)
        .fetch_one(&mut *tx)
        .await
}

async fn set_sequences(tx: &mut PgConnection) -> sqlx::Result<()> {
    for table in [
        "companies",
        "decision_makers",
        "candidates",
        "touches",
        "company_events",
        "due_snoozes",
    ] {
        // the table name is one of our constants (no bind parameter can name a table)
        sqlx::query(&format!(
            "select setval(s, greatest((select max(id) from {table}), nextval(s))) \
             from pg_get_serial_sequence($1, 'id') as s"
        ))
        .bind(table)
        .execute(&mut *tx)
        .await?;
    }
    Ok(())
}

async fn write_contacts(
    tx: &mut PgConnection,
    team: &Team,
    kind: Kind,
    n: u32,
) -> sqlx::Result<u64> {
    let (columns, base) = match kind {
        Kind::DecisionMaker => (
            "decision_makers (id, team_id, owner_id, company_id, name, title, email, phone, temperature, \
             source, talking_points, email_opt_out, do_not_contact, archived_at, created_at, updated_at)",
            team.dm_base,
        ),
        Kind::Candidate => (
            "candidates (id, team_id, owner_id, company_id, name, title, email, phone, \
             source, talking_points, email_opt_out, do_not_contact, archived_at, created_at, updated_at)",
            team.candidate_base,
        ),
    };
    let mut copy = CopyWriter::start(tx, columns).await?;
    for i in 0..n {
        let (plan, mut rng) = Plan::new(kind, i, team.sizes);
        extras::contact_row(&mut copy, team, kind, base + i64::from(i), &plan, &mut rng);
        copy.maybe_flush().await?;
    }
    copy.finish().await
}

async fn write_touches(
    tx: &mut PgConnection,
    team: &Team,
    dm_counts: &[u32],
    cand_counts: &[u32],
) -> anyhow::Result<u64> {
    let zones: Vec<Tz> = words::TIME_ZONES.to_vec();
    let ctx = Context {
        clock: team.clock,
        recruiters: team.sizes.recruiters,
        zones: &zones,
        seed: team.sizes.seed,
    };
    let (dms, cands) = (len32(dm_counts), len32(cand_counts));
    let blocks = ((dms + cands) / BLOCK_CONTACTS).max(1);
    let mut next = next_id(tx, "touches").await?;
    let mut copy = CopyWriter::start(
        tx,
        "touches (id, team_id, decision_maker_id, candidate_id, author_id, channel, direction, outcome, \
         occurred_at, notes, next_step_on, approach, referrals, referral_names, created_at, updated_at)",
    )
    .await?;
    let (mut block, mut days) = (Vec::<Touch>::new(), Vec::new());
    for b in 0..blocks {
        block.clear();
        for (kind, n, counts) in [
            (Kind::DecisionMaker, dms, dm_counts),
            (Kind::Candidate, cands, cand_counts),
        ] {
            let range = slice(n, blocks, b);
            for i in range {
                let (plan, _) = Plan::new(kind, i, team.sizes);
                let count = counts[i as usize];
                story::generate(&ctx, kind, i, &plan, count, &mut block, &mut days);
            }
        }
        block.sort_by_key(|t| t.at);
        for t in &block {
            extras::touch_row(&mut copy, team, next, t);
            next += 1;
            copy.maybe_flush().await?;
        }
    }
    Ok(copy.finish().await?)
}

fn len32(v: &[u32]) -> u32 {
    u32::try_from(v.len()).unwrap_or(u32::MAX)
}

/// The indexes of block `b` of `blocks` over `0..n`.
fn slice(n: u32, blocks: u32, b: u32) -> std::ops::Range<u32> {
    let at = |k: u32| u32::try_from(u64::from(n) * u64::from(k) / u64::from(blocks)).unwrap_or(n);
    at(b)..at(b + 1)
}
