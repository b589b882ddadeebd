//! The candidate pipeline's words: the stages of an application and the statuses of a job order,
//! in docs/rules.md's order, with the rules that read them.

use std::fmt;
use std::str::FromStr;

/// Where an application stands; `rejected` and `withdrawn` are off the path.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Stage {
    Sourced,
    Contacted,
    Screening,
    Presented,
    Interviewing,
    Offer,
    Placed,
    Rejected,
    Withdrawn,
}

impl Stage {
    /// Every stage in board order.
    pub const ALL: [Stage; 9] = [
        Stage::Sourced,
        Stage::Contacted,
        Stage::Screening,
        Stage::Presented,
        Stage::Interviewing,
        Stage::Offer,
        Stage::Placed,
        Stage::Rejected,
        Stage::Withdrawn,
    ];

    /// The stored and API code.
    pub fn as_str(self) -> &'static str {
        match self {
            Stage::Sourced => "sourced",
            Stage::Contacted => "contacted",
            Stage::Screening => "screening",
            Stage::Presented => "presented",
            Stage::Interviewing => "interviewing",
            Stage::Offer => "offer",
            Stage::Placed => "placed",
            Stage::Rejected => "rejected",
            Stage::Withdrawn => "withdrawn",
        }
    }

    /// Words on the board.
    pub fn label(self) -> &'static str {
        match self {
            Stage::Sourced => "Sourced",
            Stage::Contacted => "Contacted",
            Stage::Screening => "Screening",
            Stage::Presented => "Presented",
            Stage::Interviewing => "Interviewing",
            Stage::Offer => "Offer",
            Stage::Placed => "Placed",
            Stage::Rejected => "Rejected by client",
            Stage::Withdrawn => "Withdrawn",
        }
    }

    /// Off the path: the board shows these columns collapsed.
    pub fn is_closed(self) -> bool {
        matches!(self, Stage::Rejected | Stage::Withdrawn)
    }

    /// Whether moving an application from `from` to `to` can change its candidate's due state,
    /// which reads the pipeline in three places only (`db::facts`, `CANDIDATE_SIGN_OFFS` and
    /// `CANDIDATE_PIPELINE`): a move to rejected (a sign-off call if the client had seen them),
    /// whether the application is placed (a closed job's sign-off skips the placed candidate), and
    /// whether it is in screening to offer (a candidate there can go dark). Any other move (sourced
    /// to contacted, presented to interviewing, or to the stage it is at) leaves every fact the
    /// rules read as it was, so the refresh, the costliest part of a move, is skipped. If the rules
    /// come to read another stage, widen this.
    pub fn changes_due_state(from: Stage, to: Stage) -> bool {
        to == Stage::Rejected
            || from == Stage::Placed
            || to == Stage::Placed
            || from.is_active() != to.is_active()
    }

    /// Screening to offer: a candidate here who stops answering has gone dark.
    pub fn is_active(self) -> bool {
        matches!(
            self,
            Stage::Screening | Stage::Presented | Stage::Interviewing | Stage::Offer
        )
    }

    /// Presented or later on the path: losing from here earns a sign-off call \[001\].
    pub fn reached_client(self) -> bool {
        matches!(
            self,
            Stage::Presented | Stage::Interviewing | Stage::Offer | Stage::Placed
        )
    }
}

impl FromStr for Stage {
    type Err = UnknownCode;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Stage::ALL
            .into_iter()
            .find(|v| v.as_str() == s)
            .ok_or_else(|| UnknownCode(s.to_string()))
    }
}

impl fmt::Display for Stage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A job order's status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum JobStatus {
    Open,
    OnHold,
    Filled,
    Cancelled,
}

impl JobStatus {
    /// Every status.
    pub const ALL: [JobStatus; 4] = [
        JobStatus::Open,
        JobStatus::OnHold,
        JobStatus::Filled,
        JobStatus::Cancelled,
    ];

    /// The stored and API code.
    pub fn as_str(self) -> &'static str {
        match self {
            JobStatus::Open => "open",
            JobStatus::OnHold => "on_hold",
            JobStatus::Filled => "filled",
            JobStatus::Cancelled => "cancelled",
        }
    }

    /// Words on pages.
    pub fn label(self) -> &'static str {
        match self {
            JobStatus::Open => "Open",
            JobStatus::OnHold => "On hold",
            JobStatus::Filled => "Filled",
            JobStatus::Cancelled => "Cancelled",
        }
    }

    /// Filled or cancelled: every finalist not placed is owed a sign-off call.
    pub fn is_closed(self) -> bool {
        matches!(self, JobStatus::Filled | JobStatus::Cancelled)
    }
}

impl FromStr for JobStatus {
    type Err = UnknownCode;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        JobStatus::ALL
            .into_iter()
            .find(|v| v.as_str() == s)
            .ok_or_else(|| UnknownCode(s.to_string()))
    }
}

/// A code that is not one of the known words.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown code {0:?}")]
pub struct UnknownCode(pub String);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stages_round_trip_through_their_codes() {
        for s in Stage::ALL {
            assert_eq!(s.as_str().parse::<Stage>(), Ok(s));
        }
        assert!("hired".parse::<Stage>().is_err());
    }

    #[test]
    fn only_presented_or_later_reached_the_client() {
        // [001] the sign-off call is for those the client saw
        let reached: Vec<_> = Stage::ALL
            .into_iter()
            .filter(|s| s.reached_client())
            .collect();
        assert_eq!(
            reached,
            [
                Stage::Presented,
                Stage::Interviewing,
                Stage::Offer,
                Stage::Placed
            ]
        );
    }

    #[test]
    fn screening_to_offer_is_the_active_pipeline() {
        let active: Vec<_> = Stage::ALL.into_iter().filter(|s| s.is_active()).collect();
        assert_eq!(
            active,
            [
                Stage::Screening,
                Stage::Presented,
                Stage::Interviewing,
                Stage::Offer
            ]
        );
    }

    #[test]
    fn filled_and_cancelled_close_a_job() {
        assert!(JobStatus::Filled.is_closed() && JobStatus::Cancelled.is_closed());
        assert!(!JobStatus::Open.is_closed() && !JobStatus::OnHold.is_closed());
    }

    #[test]
    fn only_moves_the_rules_can_see_refresh_the_due_state() {
        use Stage::*;
        let cases = [
            (Sourced, Contacted, false),
            (Presented, Interviewing, false),
            (Interviewing, Offer, false),
            (Rejected, Sourced, false),
            (Withdrawn, Contacted, false),
            (Offer, Offer, false),
            (Contacted, Screening, true),
            (Offer, Sourced, true),
            (Screening, Withdrawn, true),
            (Sourced, Rejected, true),
            (Presented, Rejected, true),
            (Offer, Placed, true),
            (Placed, Offer, true),
            (Placed, Withdrawn, true),
        ];
        for (from, to, expected) in cases {
            assert_eq!(
                Stage::changes_due_state(from, to),
                expected,
                "{from:?} -> {to:?}"
            );
        }
    }
}
