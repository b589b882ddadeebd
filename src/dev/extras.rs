//! The rows of the benchmark team besides the touches' timing: companies, contact rows, touch
//! rows, this week's company news and a few snoozes.

use sqlx::PgConnection;

use super::copy::CopyWriter;
use super::plan::{Kind, Plan, Story};
use super::rng::Rng;
use super::seed::Team;
use super::story::Touch;
use super::words;
use crate::domain::cadence::{Channel, Outcome};

const CITIES: &[&str] = &[
    "Austin", "Boston", "Chicago", "Denver", "Dublin", "Hamburg", "Houston", "Leeds", "Lyon",
    "Madrid", "Miami", "Munich", "Phoenix", "Seattle", "Toronto", "Zurich",
];

fn company_parts(seed: u64, k: u32) -> (&'static str, &'static str, &'static str) {
    let mut rng = Rng::new(seed, 6, u64::from(k));
    (
        rng.pick(words::COMPANY_FIRST),
        rng.pick(words::COMPANY_SECOND),
        rng.pick(CITIES),
    )
}

fn days(n: i64) -> i64 {
    n * 86_400
}

/// One company per eight decision makers.
pub async fn write_companies(tx: &mut PgConnection, team: &Team) -> sqlx::Result<u64> {
    let mut copy = CopyWriter::start(
        tx,
        "companies (id, team_id, name, website, notes, created_at, updated_at)",
    )
    .await?;
    for k in 0..team.sizes.companies {
        let (a, b, city) = company_parts(team.sizes.seed, k);
        let created = team.clock.now - days(800) + i64::from(k % 86_400);
        let website = format!("https://{}-{}.test", a.to_lowercase(), b.to_lowercase());
        copy.row()
            .int(team.company_base + i64::from(k))
            .int(team.id)
            .text(&format!("{a} {b} {city}"))
            .text(&website)
            .text("")
            .timestamp(created)
            .timestamp(created);
        copy.maybe_flush().await?;
    }
    copy.finish().await
}

fn slug(s: &str) -> String {
    s.chars()
        .filter(char::is_ascii_alphabetic)
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// The row of one decision maker or candidate (the columns of `seed::write_contacts`).
pub fn contact_row(
    copy: &mut CopyWriter<'_>,
    team: &Team,
    kind: Kind,
    id: i64,
    plan: &Plan,
    rng: &mut Rng,
) {
    let (first, last) = (rng.pick(words::FIRST_NAMES), rng.pick(words::LAST_NAMES));
    let title = match kind {
        Kind::DecisionMaker => rng.pick(words::DM_TITLES),
        Kind::Candidate => rng.pick(words::CANDIDATE_TITLES),
    };
    let domain = plan.company.map_or_else(
        || "mail.test".to_string(),
        |k| {
            let (a, b, _) = company_parts(team.sizes.seed, k);
            format!("{}-{}.test", slug(a), slug(b))
        },
    );
    let email = if plan.has_email {
        format!("{}.{}.{id}@{domain}", slug(first), slug(last))
    } else {
        String::new()
    };
    let phone = if plan.has_phone {
        format!("+1 555 {:03} {:04}", rng.below(1000), rng.below(10_000))
    } else {
        String::new()
    };
    let created = team.clock.now - days(plan.created_ago) - rng.range(0, 86_399);
    let archived = plan
        .archived
        .then(|| team.clock.now - days(rng.range(1, 100)));
    let owner = team.users[plan.owner as usize];
    let mut row = copy.row();
    row.int(id)
        .int(team.id)
        .int(owner)
        .opt_int(plan.company.map(|k| team.company_base + i64::from(k)))
        .text(&format!("{first} {last}"))
        .text(title)
        .text(&email)
        .text(&phone);
    if kind == Kind::DecisionMaker {
        row.text(plan.temperature.as_str());
    }
    row.text(rng.pick(words::SOURCES))
        .text(rng.pick(words::TALKING_POINTS))
        .bool(plan.email_opt_out)
        .bool(plan.do_not_contact)
        .opt_timestamp(archived)
        .timestamp(created)
        .timestamp(created);
}

fn notes(t: &Touch) -> &'static str {
    match (t.channel, t.outcome) {
        (_, Outcome::VoicemailLeft) => "Left a short voicemail with my number.",
        (Channel::Call | Channel::Meeting, Outcome::Connected) => {
            "Talked about current needs; next step agreed."
        }
        (_, Outcome::Replied) => "Replied; interested, asked for details.",
        (Channel::Note, _) => "Background: see talking points.",
        _ => "",
    }
}

/// The row of one touch (the columns of `seed::write_touches`).
pub fn touch_row(copy: &mut CopyWriter<'_>, team: &Team, id: i64, t: &Touch) {
    let (dm, candidate) = match t.kind {
        Kind::DecisionMaker => (Some(team.dm_base + i64::from(t.contact)), None),
        Kind::Candidate => (None, Some(team.candidate_base + i64::from(t.contact))),
    };
    let names = if t.referrals > 0 {
        let n = |k: i64| usize::try_from(k).unwrap_or(0);
        format!(
            "{} {}",
            words::FIRST_NAMES[n(id) % words::FIRST_NAMES.len()],
            words::LAST_NAMES[n(id / 7) % words::LAST_NAMES.len()]
        )
    } else {
        String::new()
    };
    copy.row()
        .int(id)
        .int(team.id)
        .opt_int(dm)
        .opt_int(candidate)
        .int(team.users[t.author as usize])
        .text(t.channel.as_str())
        .text(t.direction.as_str())
        .text(t.outcome.as_str())
        .timestamp(t.at)
        .text(notes(t))
        .opt_date(t.next_step)
        .text(t.approach.as_str())
        .int(i64::from(t.referrals))
        .text(&names)
        .timestamp(t.created)
        .timestamp(t.created);
}

/// Company news logged in the last week: one event per 500 companies.
pub async fn write_events(tx: &mut PgConnection, team: &Team) -> sqlx::Result<u64> {
    let n = (team.sizes.companies / 500).max(1);
    let base = super::seed::next_id(tx, "company_events").await?;
    let mut copy = CopyWriter::start(
        tx,
        "company_events (id, team_id, company_id, kind, summary, occurred_on, logged_at, logged_by, created_at)",
    )
    .await?;
    for e in 0..n {
        let mut rng = Rng::new(team.sizes.seed, 4, u64::from(e));
        let company = rng.below(u64::from(team.sizes.companies));
        let (kind, summary) = rng.pick(words::NEWS);
        let logged = team.clock.now - rng.range(600, days(7));
        let by = team.users[usize::try_from(rng.below(team.users.len() as u64)).unwrap_or(0)];
        copy.row()
            .int(base + i64::from(e))
            .int(team.id)
            .int(team.company_base + i64::try_from(company).unwrap_or(0))
            .text(kind)
            .text(summary)
            .date(logged.div_euclid(86_400) - rng.range(0, 10))
            .timestamp(logged)
            .int(by)
            .timestamp(logged);
        copy.maybe_flush().await?;
    }
    copy.finish().await
}

/// The reason a recruiter would have snoozed for a contact of this plan, if any.
fn snooze_reason(kind: Kind, plan: &Plan) -> Option<&'static str> {
    use super::plan::Ending;
    if plan.archived || plan.do_not_contact {
        return None;
    }
    match (kind, plan.story) {
        (_, Story::Untouched) => None,
        (Kind::DecisionMaker, Story::FirstAttempt { .. }) => Some("second_call"),
        (Kind::Candidate, Story::Strikes { .. }) => Some("three_strikes"),
        (_, Story::Relationship { ending, .. }) => match ending {
            Ending::Promise => Some("promised_follow_up"),
            Ending::GoneDark(_) => Some("gone_dark"),
            Ending::Cycle if kind == Kind::DecisionMaker => Some("contact_cycle"),
            _ => None,
        },
        _ => None,
    }
}

const SNOOZE_NOTES: &[&str] = &[
    "On holiday until then.",
    "Budget decision after the board meeting.",
    "Asked me to call after the quarter closes.",
    "Parental leave.",
];

/// A few snoozes (one per 1,000 contacts) set in the last three days.
pub async fn write_snoozes(
    tx: &mut PgConnection,
    team: &Team,
    dms: u32,
    candidates: u32,
) -> sqlx::Result<u64> {
    let n = ((dms + candidates) / 1000).max(1);
    let base = super::seed::next_id(tx, "due_snoozes").await?;
    let mut copy = CopyWriter::start(
        tx,
        "due_snoozes (id, team_id, contact_kind, contact_id, reason, until, note, created_by, created_at)",
    )
    .await?;
    let mut written = 0_i64;
    for s in 0..u64::from(n) * 4 {
        if written >= i64::from(n) {
            break;
        }
        let mut rng = Rng::new(team.sizes.seed, 5, s);
        let (kind, size, kind_code, id_base) = if rng.chance(0.7) || candidates == 0 {
            (Kind::DecisionMaker, dms, "decision_maker", team.dm_base)
        } else {
            (
                Kind::Candidate,
                candidates,
                "candidate",
                team.candidate_base,
            )
        };
        if size == 0 {
            continue;
        }
        let index = u32::try_from(rng.below(u64::from(size))).unwrap_or(0);
        let (plan, _) = Plan::new(kind, index, team.sizes);
        let Some(reason) = snooze_reason(kind, &plan) else {
            continue;
        };
        copy.row()
            .int(base + written)
            .int(team.id)
            .text(kind_code)
            .int(id_base + i64::from(index))
            .text(reason)
            .date(team.clock.today + rng.range(1, 14))
            .text(rng.pick(SNOOZE_NOTES))
            .int(team.users[plan.owner as usize])
            .timestamp(team.clock.now - rng.range(3600, days(3)));
        written += 1;
        copy.maybe_flush().await?;
    }
    copy.finish().await
}
