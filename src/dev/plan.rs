//! What each generated contact is like — owner, company, temperature, flags and the shape of its
//! history — drawn from its own random stream, so both passes of the seed (counting touches, then
//! writing them) recreate the same contact from its index alone.

use crate::domain::cadence::Temperature;

use super::rng::Rng;

/// The kind of a generated contact (the random streams are keyed by it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    DecisionMaker,
    Candidate,
}

impl Kind {
    fn stream(self) -> u64 {
        match self {
            Kind::DecisionMaker => 1,
            Kind::Candidate => 2,
        }
    }

    /// The stream of this contact's touches (kept apart from its plan's stream).
    pub fn touch_stream(self) -> u64 {
        self.stream() + 10
    }
}

/// How a relationship's history ends, which decides what (if anything) is due today.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ending {
    /// Last an unanswered attempt, some time ago: the contact cycle comes round.
    Cycle,
    /// Last a conversation that set a next step date: a promise, kept or due.
    Promise,
    /// A response, then this many unanswered attempts: gone dark.
    GoneDark(u8),
    /// Touched in the last few days.
    Recent,
}

/// The shape of a contact's history.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Story {
    /// Never attempted (DMs: the pool of new DMs to call).
    Untouched,
    /// A DM attempted once, `ago` days ago (the second call is owed).
    FirstAttempt { ago: i64, connected: bool },
    /// A candidate who never answered `count` attempts, the last `last_ago` days ago.
    Strikes { count: u8, last_ago: i64 },
    /// A longer relationship from `first_ago` to `last_ago` days ago; `weight` sets its share
    /// of the touches.
    Relationship {
        weight: f64,
        ending: Ending,
        first_ago: i64,
        last_ago: i64,
    },
}

impl Story {
    /// The fewest touches this story needs (the weighted rest is shared out on top).
    pub fn min_touches(self) -> u32 {
        match self {
            Story::Untouched => 0,
            Story::FirstAttempt { .. } => 1,
            Story::Strikes { count, .. } => u32::from(count),
            Story::Relationship { ending, .. } => match ending {
                Ending::GoneDark(k) => 2 + u32::from(k),
                Ending::Cycle | Ending::Recent => 3,
                Ending::Promise => 2,
            },
        }
    }

    pub fn weight(self) -> f64 {
        match self {
            Story::Relationship { weight, .. } => weight,
            _ => 0.0,
        }
    }

    /// Days ago of the first touch, if any.
    pub fn first_ago(self) -> Option<i64> {
        match self {
            Story::Untouched => None,
            Story::FirstAttempt { ago, .. } => Some(ago),
            Story::Strikes { count, last_ago } => Some(last_ago + 5 * i64::from(count)),
            Story::Relationship { first_ago, .. } => Some(first_ago),
        }
    }
}

/// One contact's generated profile.
#[derive(Debug, Clone)]
pub struct Plan {
    pub owner: u32,
    pub company: Option<u32>,
    pub temperature: Temperature,
    pub do_not_contact: bool,
    pub email_opt_out: bool,
    pub archived: bool,
    pub has_email: bool,
    pub has_phone: bool,
    pub created_ago: i64,
    pub story: Story,
}

/// The sizes a plan draws from.
#[derive(Debug, Clone, Copy)]
pub struct Sizes {
    pub seed: u64,
    pub recruiters: u32,
    pub companies: u32,
}

/// How far back the history goes.
pub const HISTORY_DAYS: i64 = 730;

impl Plan {
    /// The plan of contact `index` of `kind`, and its stream positioned for names and details.
    pub fn new(kind: Kind, index: u32, sizes: Sizes) -> (Self, Rng) {
        let mut rng = Rng::new(sizes.seed, kind.stream(), u64::from(index));
        let owner = u32::try_from(rng.below(u64::from(sizes.recruiters.max(1)))).unwrap_or(0);
        let employed = match kind {
            Kind::DecisionMaker => 0.97,
            Kind::Candidate => 0.75,
        };
        let company = (sizes.companies > 0 && rng.chance(employed))
            .then(|| u32::try_from(rng.below(u64::from(sizes.companies))).unwrap_or(0));
        let temperature = match kind {
            Kind::DecisionMaker => rng.weighted(&[
                (15, Temperature::Hot),
                (35, Temperature::Warm),
                (50, Temperature::Cold),
            ]),
            Kind::Candidate => Temperature::Warm,
        };
        let do_not_contact = rng.chance(0.01);
        let email_opt_out = rng.chance(0.03);
        let archived = rng.chance(0.005);
        let has_email = rng.chance(0.92);
        let has_phone = rng.chance(0.95);
        let story = match kind {
            Kind::DecisionMaker => dm_story(&mut rng, temperature),
            Kind::Candidate => candidate_story(&mut rng),
        };
        let created_ago = match story.first_ago() {
            Some(first) => (first + rng.range(0, 60)).min(HISTORY_DAYS + 30),
            None => rng.range(0, HISTORY_DAYS),
        };
        let plan = Self {
            owner,
            company,
            temperature,
            do_not_contact,
            email_opt_out,
            archived,
            has_email,
            has_phone,
            created_ago,
            story,
        };
        (plan, rng)
    }
}

fn interval(t: Temperature) -> i64 {
    match t {
        Temperature::Hot => 14,
        Temperature::Warm => 30,
        Temperature::Cold => 90,
    }
}

fn dm_story(rng: &mut Rng, t: Temperature) -> Story {
    let roll = rng.unit();
    if roll < 0.30 {
        return Story::Untouched;
    }
    if roll < 0.36 {
        return Story::FirstAttempt {
            ago: rng.range(0, 45),
            connected: rng.chance(0.15),
        };
    }
    let ending = rng.weighted(&[
        (40, Ending::Cycle),
        (20, Ending::Promise),
        (12, Ending::GoneDark(0)),
        (28, Ending::Recent),
    ]);
    let ending = match ending {
        Ending::GoneDark(_) => Ending::GoneDark(u8::try_from(rng.range(3, 5)).unwrap_or(3)),
        e => e,
    };
    relationship(rng, ending, interval(t))
}

fn candidate_story(rng: &mut Rng) -> Story {
    let roll = rng.unit();
    if roll < 0.15 {
        return Story::Untouched;
    }
    if roll < 0.25 {
        let count = rng.weighted(&[(45, 1_u8), (35, 2), (20, 3)]);
        return Story::Strikes {
            count,
            last_ago: rng.range(0, 12),
        };
    }
    let ending = rng.weighted(&[
        (50, Ending::Cycle),
        (20, Ending::Promise),
        (30, Ending::Recent),
    ]);
    relationship(rng, ending, 60)
}

fn relationship(rng: &mut Rng, ending: Ending, interval: i64) -> Story {
    #[expect(
        clippy::cast_possible_truncation,
        reason = "a few hundred days at most"
    )]
    let last_ago = match ending {
        Ending::Cycle if rng.chance(0.9) => (interval as f64 * (0.1 + 1.1 * rng.unit())) as i64,
        Ending::Cycle => rng.range(interval, 600),
        Ending::Promise => rng.range(0, 20),
        Ending::GoneDark(_) => rng.range(0, 40),
        Ending::Recent => rng.range(0, 10),
    };
    let first_ago = (last_ago + rng.range(14, HISTORY_DAYS)).min(HISTORY_DAYS);
    Story::Relationship {
        weight: 0.15 + rng.exponential(),
        ending,
        first_ago: first_ago.max(last_ago + 14),
        last_ago,
    }
}

/// Shares `total` touches out: every contact gets its minimum, the rest goes by weight, and the
/// sum is exact (unless the minimums alone exceed `total`).
pub fn allocate(total: u64, mins: &[u32], weights: &[f32]) -> Vec<u32> {
    let floor: u64 = mins.iter().map(|m| u64::from(*m)).sum();
    let rest = total.saturating_sub(floor);
    let sum: f64 = weights.iter().map(|w| f64::from(*w)).sum();
    let mut counts = mins.to_vec();
    if rest == 0 || sum <= 0.0 {
        return counts;
    }
    #[expect(clippy::cast_precision_loss, reason = "counts far below 2^53")]
    let per_weight = rest as f64 / sum;
    let (mut cum, mut given) = (0.0_f64, 0_u64);
    let mut last_weighted = None;
    for (i, w) in weights.iter().enumerate() {
        if *w <= 0.0 {
            continue;
        }
        cum += f64::from(*w) * per_weight;
        #[expect(
            clippy::cast_possible_truncation,
            clippy::cast_sign_loss,
            reason = "cum is positive and below total"
        )]
        let upto = (cum.floor() as u64).min(rest);
        let share = upto - given;
        counts[i] += u32::try_from(share).unwrap_or(u32::MAX);
        given = upto;
        last_weighted = Some(i);
    }
    if let Some(i) = last_weighted {
        counts[i] += u32::try_from(rest - given).unwrap_or(0);
    }
    counts
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn allocation_is_exact_and_respects_minimums() {
        let mins = [0, 1, 2, 2, 3, 0];
        let weights = [0.0, 0.0, 1.0, 2.5, 0.5, 0.0];
        let counts = allocate(100, &mins, &weights);
        assert_eq!(counts.iter().map(|c| u64::from(*c)).sum::<u64>(), 100);
        assert!(counts.iter().zip(mins).all(|(c, m)| *c >= m));
        assert_eq!(counts[0], 0);
        assert_eq!(counts[1], 1);
        assert!(counts[3] > counts[2]);
    }

    #[test]
    fn too_few_touches_still_gives_every_minimum() {
        let counts = allocate(3, &[2, 2], &[1.0, 1.0]);
        assert_eq!(counts, vec![2, 2]);
    }

    #[test]
    fn a_plan_is_the_same_every_time_and_the_mix_is_as_specified() {
        let sizes = Sizes {
            seed: 7,
            recruiters: 10,
            companies: 100,
        };
        let (a, _) = Plan::new(Kind::DecisionMaker, 5, sizes);
        let (b, _) = Plan::new(Kind::DecisionMaker, 5, sizes);
        assert_eq!(a.story, b.story);
        let n = 20_000;
        let plans: Vec<Plan> = (0..n)
            .map(|i| Plan::new(Kind::DecisionMaker, i, sizes).0)
            .collect();
        let share = |f: &dyn Fn(&Plan) -> bool| {
            f64::from(u32::try_from(plans.iter().filter(|p| f(p)).count()).unwrap()) / f64::from(n)
        };
        let hot = share(&|p| p.temperature == Temperature::Hot);
        let untouched = share(&|p| p.story == Story::Untouched);
        assert!((0.13..0.17).contains(&hot), "hot {hot}");
        assert!((0.28..0.32).contains(&untouched), "untouched {untouched}");
        assert!(plans.iter().all(|p| p.owner < 10));
    }
}
