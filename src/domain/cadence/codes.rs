//! The small vocabularies of the follow-up rules (contact kinds, channels, outcomes, reasons...),
//! each with its stable API code, its plain-words label and a parser.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// A code from a form, the API or the database that no vocabulary knows; says which word it was,
/// so a 422 can point at the right field.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParseCodeError {
    /// Not `decision_maker` or `candidate`.
    #[error("unknown contact kind {0:?}")]
    ContactKind(String),
    /// Not `hot`, `warm` or `cold`.
    #[error("unknown temperature {0:?}")]
    Temperature(String),
    /// Not one of the touch channels.
    #[error("unknown channel {0:?}")]
    Channel(String),
    /// Not `outbound` or `inbound`.
    #[error("unknown direction {0:?}")]
    Direction(String),
    /// Not one of the touch outcomes.
    #[error("unknown outcome {0:?}")]
    Outcome(String),
    /// Not one of the approaches.
    #[error("unknown approach {0:?}")]
    Approach(String),
    /// Not one of the due-list reasons.
    #[error("unknown reason {0:?}")]
    Reason(String),
    /// Not one of the kinds of company news.
    #[error("unknown event kind {0:?}")]
    EventKind(String),
}

/// Declares a vocabulary once: variants, API codes, labels, `ALL`, `FromStr`, `Display` and serde
/// names all come from the same table, so they can never drift apart.
macro_rules! code_enum {
    (@one $t:ident) => { 1 };
    (
        $(#[$meta:meta])*
        $name:ident / $err:ident {
            $( $(#[$vmeta:meta])* $variant:ident = $code:literal, $label:literal; )+
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        pub enum $name {
            $( $(#[$vmeta])* #[serde(rename = $code)] $variant, )+
        }

        impl $name {
            /// Every value in declaration order, so forms, filters and tests never repeat the list.
            pub const ALL: [Self; 0 $(+ code_enum!(@one $variant))+] = [$(Self::$variant),+];

            /// The stable code the API, the database and the URLs use.
            pub fn as_str(self) -> &'static str {
                match self { $(Self::$variant => $code,)+ }
            }

            /// Plain recruiter words for the pages, never the internal code.
            pub fn label(self) -> &'static str {
                match self { $(Self::$variant => $label,)+ }
            }
        }

        impl FromStr for $name {
            type Err = ParseCodeError;

            fn from_str(code: &str) -> Result<Self, Self::Err> {
                Self::ALL
                    .into_iter()
                    .find(|value| value.as_str() == code)
                    .ok_or_else(|| ParseCodeError::$err(code.to_owned()))
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

code_enum! {
    /// Who a contact is decides which rules apply: DMs get the cycle, candidates the strikes.
    ContactKind / ContactKind {
        /// Someone at a company who can hire or refer.
        DecisionMaker = "decision_maker", "Decision maker";
        /// Someone we might place.
        Candidate = "candidate", "Candidate";
    }
}

code_enum! {
    /// How warm a DM is sets how soon the contact cycle comes round (hot first).
    Temperature / Temperature {
        /// An open job order with us.
        Hot = "hot", "Hot";
        /// Friendly, no open order.
        Warm = "warm", "Warm";
        /// Resistant or unknown.
        Cold = "cold", "Cold";
    }
}

code_enum! {
    /// The medium of a touch; the suggestion logic prefers the phone and varies the rest.
    Channel / Channel {
        /// A phone call.
        Call = "call", "Call";
        /// A voicemail; the same phone as a call.
        Voicemail = "voicemail", "Voicemail";
        /// An email.
        Email = "email", "Email";
        /// A text message.
        Text = "text", "Text";
        /// A meeting, in person or on video.
        Meeting = "meeting", "Meeting";
        /// A LinkedIn message.
        Linkedin = "linkedin", "LinkedIn";
        /// An internal note: never an attempt or a response.
        Note = "note", "Note";
    }
}

code_enum! {
    /// Who started a touch: only our outbound touches are attempts.
    Direction / Direction {
        /// We reached out.
        Outbound = "outbound", "Outbound";
        /// They reached us.
        Inbound = "inbound", "Inbound";
    }
}

code_enum! {
    /// What a touch achieved: it decides whether the touch reached or answered anyone.
    Outcome / Outcome {
        /// We spoke.
        Connected = "connected", "Connected";
        /// We left a message on their phone.
        VoicemailLeft = "voicemail_left", "Left voicemail";
        /// Nobody picked up.
        NoAnswer = "no_answer", "No answer";
        /// The number was not theirs: never counts as an attempt.
        WrongNumber = "wrong_number", "Wrong number";
        /// A message went out.
        Sent = "sent", "Sent";
        /// They wrote back: always a response.
        Replied = "replied", "Replied";
        /// The email never arrived: never counts as an attempt.
        Bounced = "bounced", "Bounced";
        /// They asked to be removed from email.
        OptedOut = "opted_out", "Opted out";
    }
}

code_enum! {
    /// The angle of a touch, so a contact who went dark gets a different one next time.
    Approach / Approach {
        /// The usual follow-up.
        Standard = "standard", "Standard";
        /// Owning a possible mistake and asking for blunt feedback.
        DroppedTheBall = "dropped_the_ball", "I dropped the ball";
        /// Bringing news or an insight that helps them.
        ValueAdd = "value_add", "Bring value";
        /// Going through someone else at the company.
        OtherContact = "other_contact", "Try another contact";
    }
}

code_enum! {
    /// Why a contact is on the due list; the declaration order IS the due-list order.
    Reason / Reason {
        /// A candidate's process ended without an offer.
        SignOff = "sign_off", "Sign-off call";
        /// A DM had exactly one attempt.
        SecondCall = "second_call", "Second call";
        /// The recruiter agreed a next step date.
        PromisedFollowUp = "promised_follow_up", "Promised follow-up";
        /// Something happened at their company.
        CompanyNews = "company_news", "Company news";
        /// They answered once, then stopped answering.
        GoneDark = "gone_dark", "Gone dark";
        /// A candidate who never answered gets three tries.
        ThreeStrikes = "three_strikes", "Three strikes";
        /// A DM's regular call, by temperature.
        ContactCycle = "contact_cycle", "Contact cycle";
    }
}

impl Reason {
    /// The reason's place in the due-list order (0 first), as stored with each item and count.
    pub fn rank(self) -> i16 {
        Self::ALL
            .iter()
            .position(|r| *r == self)
            .and_then(|p| i16::try_from(p).ok())
            .unwrap_or(i16::MAX)
    }

    /// The reason stored at `rank`, if any.
    pub fn from_rank(rank: i16) -> Option<Self> {
        Self::ALL.get(usize::try_from(rank).ok()?).copied()
    }
}

code_enum! {
    /// What happened at a company: logging any of them makes its contacts due for `company_news`.
    EventKind / EventKind {
        /// A new CIO, CTO, head of HR…
        NewLeader = "new_leader", "New leader (CIO, CTO, HR head…)";
        /// The office moved.
        Move = "move", "Office move";
        /// A funding round.
        Funding = "funding", "Funding";
        /// Layoffs.
        Layoffs = "layoffs", "Layoffs";
        /// They bought or were bought.
        Acquisition = "acquisition", "Acquisition";
        /// Anything else worth a call.
        Other = "other", "Other news";
    }
}

impl Channel {
    /// Calls and voicemails both reach the same phone, so the rules treat them as one channel.
    #[must_use]
    pub fn is_phone(self) -> bool {
        matches!(self, Channel::Call | Channel::Voicemail)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::de::value::{Error as ValueError, StrDeserializer};

    fn round_trips<T>(all: &[T])
    where
        T: Copy + fmt::Display + FromStr + PartialEq + fmt::Debug + for<'de> Deserialize<'de>,
    {
        for value in all {
            let code = value.to_string();
            assert!(matches!(code.parse::<T>(), Ok(v) if v == *value), "{code}");
            let from_serde = T::deserialize(StrDeserializer::<ValueError>::new(&code));
            assert_eq!(from_serde.ok(), Some(*value), "serde name of {code}");
        }
    }

    #[test]
    fn every_code_parses_back_to_its_value_and_serde_uses_the_same_code() {
        round_trips(&ContactKind::ALL);
        round_trips(&Temperature::ALL);
        round_trips(&Channel::ALL);
        round_trips(&Direction::ALL);
        round_trips(&Outcome::ALL);
        round_trips(&Approach::ALL);
        round_trips(&Reason::ALL);
        round_trips(&EventKind::ALL);
    }

    #[test]
    fn an_unknown_code_names_the_vocabulary_and_the_word() {
        let err = "fax".parse::<Channel>().err();
        assert_eq!(err, Some(ParseCodeError::Channel("fax".into())));
        assert_eq!(
            err.map(|e| e.to_string()).as_deref(),
            Some("unknown channel \"fax\"")
        );
        assert!("Call".parse::<Channel>().is_err(), "codes are exact");
    }

    #[test]
    fn codes_and_labels_use_the_documented_words() {
        assert_eq!(Outcome::VoicemailLeft.as_str(), "voicemail_left");
        assert_eq!(Approach::DroppedTheBall.as_str(), "dropped_the_ball");
        assert_eq!(ContactKind::DecisionMaker.as_str(), "decision_maker");
        assert_eq!(Reason::SignOff.label(), "Sign-off call");
        assert_eq!(Channel::Linkedin.label(), "LinkedIn");
        assert_eq!(Approach::ValueAdd.label(), "Bring value");
    }

    #[test]
    fn reasons_sort_in_due_list_order() {
        let mut shuffled = [Reason::ContactCycle, Reason::SignOff, Reason::GoneDark];
        shuffled.sort();
        assert_eq!(
            shuffled,
            [Reason::SignOff, Reason::GoneDark, Reason::ContactCycle]
        );
        assert!(Reason::ALL.is_sorted());
    }

    #[test]
    fn a_reason_reads_back_from_its_rank() {
        for (i, reason) in Reason::ALL.iter().enumerate() {
            assert_eq!(usize::try_from(reason.rank()).unwrap(), i);
            assert_eq!(Reason::from_rank(reason.rank()), Some(*reason));
        }
        assert_eq!(Reason::from_rank(-1), None);
        assert_eq!(Reason::from_rank(99), None);
    }
}
