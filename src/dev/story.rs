//! A contact's touches, generated from its plan: what was tried, how it went, when, by whom, and
//! the next step dates agreed — consistent with the rules (an outbound conversation always sets a
//! next step; promises are mostly kept by the next attempt; outcomes fit their channel).

use chrono::{Datelike, NaiveDate, TimeZone, Weekday};
use chrono_tz::Tz;

use crate::domain::cadence::{Approach, Channel, Direction, Outcome};

use super::plan::{Ending, Kind, Plan, Story};
use super::rng::Rng;

/// One generated touch, compact (the seed holds a block of them to write in time order).
#[derive(Debug, Clone)]
pub struct Touch {
    pub at: i64,
    pub created: i64,
    pub kind: Kind,
    pub contact: u32,
    pub author: u32,
    pub channel: Channel,
    pub direction: Direction,
    pub outcome: Outcome,
    pub approach: Approach,
    /// Days since 1970-01-01.
    pub next_step: Option<i64>,
    pub referrals: u8,
}

/// "Now" for the whole dataset, and the team it is generated for.
#[derive(Debug, Clone, Copy)]
pub struct Clock {
    /// Unix seconds.
    pub now: i64,
    /// Today (UTC), in days since 1970-01-01.
    pub today: i64,
}

/// What one touch is before it gets its time.
#[derive(Debug, Clone, Copy)]
struct Spec {
    ago: i64,
    channel: Channel,
    direction: Direction,
    outcome: Outcome,
    approach: Approach,
    /// Days to the next step when no later attempt fixes it.
    promise_days: i64,
}

impl Spec {
    fn new(ago: i64, (channel, direction, outcome): (Channel, Direction, Outcome)) -> Self {
        Self {
            ago,
            channel,
            direction,
            outcome,
            approach: Approach::Standard,
            promise_days: 7,
        }
    }

    fn spoke(&self) -> bool {
        self.direction == Direction::Outbound
            && matches!(self.channel, Channel::Call | Channel::Meeting)
            && self.outcome == Outcome::Connected
    }

    fn is_attempt(&self) -> bool {
        self.direction == Direction::Outbound
            && self.channel != Channel::Note
            && !matches!(self.outcome, Outcome::Bounced | Outcome::WrongNumber)
    }
}

type Act = (Channel, Direction, Outcome);

const CONNECTED_CALL: Act = (Channel::Call, Direction::Outbound, Outcome::Connected);

/// An outbound try that does not reach the person's ear.
fn unanswered_attempt(rng: &mut Rng, no_email: bool) -> Act {
    use {Channel as C, Direction::Outbound as O, Outcome as R};
    let act = rng.weighted(&[
        (30, (C::Call, O, R::NoAnswer)),
        (30, (C::Call, O, R::VoicemailLeft)),
        (10, (C::Voicemail, O, R::VoicemailLeft)),
        (20, (C::Email, O, R::Sent)),
        (10, (C::Linkedin, O, R::Sent)),
    ]);
    if no_email && act.0 == C::Email {
        (C::Call, O, R::VoicemailLeft)
    } else {
        act
    }
}

/// Any touch of an ongoing relationship.
fn any_touch(rng: &mut Rng, no_email: bool) -> Act {
    use {Channel as C, Direction as D, Outcome as R};
    if rng.chance(0.12) {
        return rng.weighted(&[
            (45, (C::Email, D::Inbound, R::Replied)),
            (30, (C::Call, D::Inbound, R::Connected)),
            (12, (C::Text, D::Inbound, R::Replied)),
            (13, (C::Linkedin, D::Inbound, R::Replied)),
        ]);
    }
    let act = rng.weighted(&[
        (106, CONNECTED_CALL),
        (114, (C::Call, D::Outbound, R::NoAnswer)),
        (140, (C::Call, D::Outbound, R::VoicemailLeft)),
        (20, (C::Call, D::Outbound, R::WrongNumber)),
        (100, (C::Voicemail, D::Outbound, R::VoicemailLeft)),
        (240, (C::Email, D::Outbound, R::Sent)),
        (10, (C::Email, D::Outbound, R::Bounced)),
        (80, (C::Text, D::Outbound, R::Sent)),
        (100, (C::Linkedin, D::Outbound, R::Sent)),
        (40, (C::Meeting, D::Outbound, R::Connected)),
        (50, (C::Note, D::Outbound, R::Sent)),
    ]);
    if no_email && act.0 == C::Email {
        (C::Call, D::Outbound, R::VoicemailLeft)
    } else {
        act
    }
}

/// Days ago, sorted oldest first, of `n` touches spread over `(newest, oldest]`.
fn spread(rng: &mut Rng, n: u32, newest: i64, oldest: i64, out: &mut Vec<i64>) {
    out.clear();
    let oldest = oldest.max(newest + 1);
    out.extend((0..n).map(|_| rng.range(newest + 1, oldest)));
    out.sort_unstable_by(|a, b| b.cmp(a));
}

/// The specs of a story, oldest first.
fn specs(plan: &Plan, kind: Kind, n: u32, rng: &mut Rng, days: &mut Vec<i64>) -> Vec<Spec> {
    let no_email = plan.email_opt_out;
    match plan.story {
        Story::Untouched => Vec::new(),
        Story::FirstAttempt { ago, connected } => {
            let act = if connected {
                CONNECTED_CALL
            } else {
                unanswered_attempt(rng, no_email)
            };
            let mut s = Spec::new(ago, act);
            s.promise_days = rng.range(3, 14);
            vec![s]
        }
        Story::Strikes { count, last_ago } => strikes(rng, count, last_ago, no_email),
        Story::Relationship {
            ending,
            first_ago,
            last_ago,
            ..
        } => {
            let mut tail = tail(rng, ending, last_ago, no_email, kind);
            let body_n = n.saturating_sub(u32::try_from(tail.len()).unwrap_or(0));
            let tail_start = tail.first().map_or(last_ago, |s| s.ago);
            spread(rng, body_n, tail_start, first_ago, days);
            let mut all: Vec<Spec> = Vec::with_capacity(days.len() + tail.len());
            let opt_out_at = (no_email && days.len() >= 3).then_some(days.len() / 2);
            let mut opted_out = false;
            for (i, ago) in days.iter().enumerate() {
                let act = if i == 0 {
                    unanswered_attempt(rng, false)
                } else if Some(i) == opt_out_at {
                    opted_out = true;
                    (Channel::Email, Direction::Inbound, Outcome::OptedOut)
                } else {
                    any_touch(rng, opted_out)
                };
                let mut s = Spec::new(*ago, act);
                s.approach = approach(rng, kind);
                all.push(s);
            }
            all.append(&mut tail);
            all
        }
    }
}

fn approach(rng: &mut Rng, kind: Kind) -> Approach {
    let roll = rng.below(100);
    match (roll, kind) {
        (0..=4, _) => Approach::ValueAdd,
        (5..=7, _) => Approach::DroppedTheBall,
        (8..=9, Kind::DecisionMaker) => Approach::OtherContact,
        _ => Approach::Standard,
    }
}

fn strikes(rng: &mut Rng, count: u8, last_ago: i64, no_email: bool) -> Vec<Spec> {
    let mut agos = vec![last_ago];
    for _ in 1..count {
        let prev = agos[agos.len() - 1];
        agos.push(prev + rng.range(2, 5));
    }
    agos.reverse();
    agos.iter()
        .enumerate()
        .map(|(i, ago)| {
            use {Channel as C, Direction::Outbound as O, Outcome as R};
            let act = match i {
                0 => rng.pick(&[(C::Call, O, R::VoicemailLeft), (C::Call, O, R::NoAnswer)]),
                1 if !no_email => (C::Email, O, R::Sent),
                _ => (C::Call, O, R::VoicemailLeft),
            };
            Spec::new(*ago, act)
        })
        .collect()
}

fn tail(rng: &mut Rng, ending: Ending, last_ago: i64, no_email: bool, kind: Kind) -> Vec<Spec> {
    match ending {
        // a response shortly before the last touch: the contact is not gone dark
        Ending::Cycle => {
            let before = last_ago + rng.range(1, 20);
            vec![
                response(rng, before),
                Spec::new(last_ago, unanswered_attempt(rng, no_email)),
            ]
        }
        Ending::Promise => {
            let act = if rng.chance(0.8) {
                CONNECTED_CALL
            } else {
                (Channel::Meeting, Direction::Outbound, Outcome::Connected)
            };
            let mut s = Spec::new(last_ago, act);
            s.promise_days = rng.range(5, 30);
            vec![s]
        }
        Ending::Recent => {
            let mut s = Spec::new(last_ago, any_touch(rng, no_email));
            s.promise_days = rng.range(3, 21);
            let before = last_ago + rng.range(1, 20);
            vec![response(rng, before), s]
        }
        Ending::GoneDark(k) => {
            let mut agos = vec![last_ago];
            for _ in 1..k {
                let prev = agos[agos.len() - 1];
                agos.push(prev + rng.range(2, 8));
            }
            let response_ago = agos[agos.len() - 1] + rng.range(2, 6);
            let mut out = vec![Spec::new(response_ago, CONNECTED_CALL)];
            for (i, ago) in agos.iter().rev().enumerate() {
                let mut s = Spec::new(*ago, unanswered_attempt(rng, no_email));
                if i > 0 {
                    s.approach = approach(rng, kind);
                }
                out.push(s);
            }
            out
        }
    }
}

/// A sign of life: a call that connected, or a reply.
fn response(rng: &mut Rng, ago: i64) -> Spec {
    use {Channel as C, Direction as D, Outcome as R};
    let act = rng.weighted(&[
        (60, CONNECTED_CALL),
        (25, (C::Email, D::Inbound, R::Replied)),
        (15, (C::Call, D::Inbound, R::Connected)),
    ]);
    Spec::new(ago, act)
}

/// The instant of a spec: a working hour of its local day (mostly a weekday) in the owner's zone.
fn instant(rng: &mut Rng, clock: Clock, ago: i64, tz: Tz) -> i64 {
    let day = clock.today - ago;
    let mut date = NaiveDate::from_num_days_from_ce_opt(epoch_to_ce(day)).unwrap_or_default();
    if rng.chance(0.9) {
        date = match date.weekday() {
            Weekday::Sat => date.pred_opt().unwrap_or(date),
            Weekday::Sun => date - chrono::Days::new(2),
            _ => date,
        };
    }
    let secs = u32::try_from(rng.range(8 * 3600, 18 * 3600 + 3599)).unwrap_or(0);
    let local = date.and_time(
        chrono::NaiveTime::from_num_seconds_from_midnight_opt(secs, 0).unwrap_or_default(),
    );
    tz.from_local_datetime(&local)
        .earliest()
        .map_or_else(|| local.and_utc().timestamp(), |t| t.timestamp())
}

fn epoch_to_ce(day: i64) -> i32 {
    i32::try_from(day + 719_163).unwrap_or(719_163)
}

/// The owner's local date of an instant, in days since 1970-01-01.
fn local_day(at: i64, tz: Tz) -> i64 {
    chrono::DateTime::from_timestamp(at, 0)
        .map(|t| t.with_timezone(&tz).date_naive())
        .map_or(at.div_euclid(86_400), |d| {
            i64::from(d.num_days_from_ce()) - 719_163
        })
}

/// Who generates one contact's touches.
pub struct Context<'a> {
    pub clock: Clock,
    pub recruiters: u32,
    pub zones: &'a [Tz],
    pub seed: u64,
}

/// Appends the `n` touches of contact `index` (its plan given) to `out`.
pub fn generate(
    ctx: &Context<'_>,
    kind: Kind,
    index: u32,
    plan: &Plan,
    n: u32,
    out: &mut Vec<Touch>,
    days: &mut Vec<i64>,
) {
    if n == 0 {
        return;
    }
    let mut rng = Rng::new(ctx.seed, kind.touch_stream(), u64::from(index));
    let specs = specs(plan, kind, n, &mut rng, days);
    let tz = ctx.zones[usize::try_from(plan.owner).unwrap_or(0) % ctx.zones.len()];
    let mut ats: Vec<i64> = specs
        .iter()
        .map(|s| instant(&mut rng, ctx.clock, s.ago, tz))
        .collect();
    // keep the story's order, and nothing after now
    for i in 1..ats.len() {
        ats[i] = ats[i].max(ats[i - 1] + 60);
    }
    let mut ceiling = ctx.clock.now - 60;
    for at in ats.iter_mut().rev() {
        *at = (*at).min(ceiling);
        ceiling = *at - 60;
    }
    for (i, (spec, at)) in specs.iter().zip(&ats).enumerate() {
        let next_step = spec.spoke().then(|| {
            let own = local_day(*at, tz);
            specs[i + 1..]
                .iter()
                .zip(&ats[i + 1..])
                .find(|(s, _)| s.is_attempt())
                .map_or(own + spec.promise_days, |(_, later)| local_day(*later, tz))
                .max(own)
        });
        let author = if ctx.recruiters > 1 && rng.chance(0.08) {
            u32::try_from(rng.below(u64::from(ctx.recruiters))).unwrap_or(0)
        } else {
            plan.owner
        };
        let referrals = if kind == Kind::Candidate && spec.spoke() && rng.chance(0.1) {
            u8::try_from(rng.range(1, 3)).unwrap_or(1)
        } else {
            0
        };
        out.push(Touch {
            at: *at,
            created: (*at + rng.range(30, 1800)).min(ctx.clock.now),
            kind,
            contact: index,
            author,
            channel: spec.channel,
            direction: spec.direction,
            outcome: spec.outcome,
            approach: spec.approach,
            next_step,
            referrals,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dev::plan::Sizes;

    fn ctx() -> Context<'static> {
        Context {
            clock: Clock {
                now: 1_795_000_000,
                today: 1_795_000_000 / 86_400,
            },
            recruiters: 5,
            zones: &[chrono_tz::America::New_York, chrono_tz::Europe::Berlin],
            seed: 3,
        }
    }

    #[test]
    fn touches_are_in_order_in_the_past_and_conversations_set_a_next_step() {
        let ctx = ctx();
        let sizes = Sizes {
            seed: 3,
            recruiters: 5,
            companies: 10,
        };
        let (mut out, mut days) = (Vec::new(), Vec::new());
        for kind in [Kind::DecisionMaker, Kind::Candidate] {
            for i in 0..2000 {
                let (plan, _) = Plan::new(kind, i, sizes);
                let n = plan.story.min_touches() + 6 * u32::from(plan.story.weight() > 0.0);
                out.clear();
                generate(&ctx, kind, i, &plan, n, &mut out, &mut days);
                assert_eq!(out.len(), usize::try_from(n).unwrap());
                assert!(out.windows(2).all(|w| w[0].at < w[1].at));
                for t in &out {
                    assert!(t.at < ctx.clock.now && t.created <= ctx.clock.now);
                    let spoke = t.direction == Direction::Outbound
                        && matches!(t.channel, Channel::Call | Channel::Meeting)
                        && t.outcome == Outcome::Connected;
                    assert_eq!(spoke, t.next_step.is_some());
                    if let Some(d) = t.next_step {
                        assert!(d >= local_day(t.at, ctx.zones[0]) - 1);
                    }
                }
            }
        }
    }
}
