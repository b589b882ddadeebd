//! Plain words for the figures' lists: their titles and each row's status.

use crate::db::reports::Figure;
use crate::web::fmt;

/// What a figure's list is called.
pub fn title(f: Figure) -> &'static str {
    match f {
        Figure::SecondCall => "Decision makers first attempted",
        Figure::NewDms => "New decision makers (first connected call)",
        Figure::Coverage => "Active decision makers and their last attempt",
        Figure::Touches => "Touches",
        Figure::Referrals => "Touches that brought referrals",
        Figure::SignOff => "Sign-off calls",
        Figure::ThreeStrikes => "Three-strikes sequences",
        Figure::GoneDark => "Gone-dark items and recoveries",
        Figure::JobOrders => "First job orders from decision makers",
    }
}

/// Plain words for a row's status.
pub fn status_words(status: &str) -> String {
    let (approach, outcome) = status.split_once(':').unwrap_or(("", status));
    let words = match outcome {
        "second_called" => "Called again in time",
        "missed" => "Missed",
        "pending" => "Pending",
        "touched" => "Attempted in 90 days",
        "not_touched" => "Not attempted in 90 days",
        "done" => "Done",
        "overdue" => "Overdue",
        "open" => "Not due yet",
        "closed" => "Closed without a call",
        "strike_1" => "Answered strike 1",
        "strike_2" => "Answered strike 2",
        "strike_3" => "Answered strike 3",
        "later" => "Answered after the sequence",
        "unanswered" => "Never answered",
        "recovered" => "Recovered",
        "not_recovered" => "Not recovered",
        "new" => "New",
        "referral" => "Referral",
        other => return format!("{}{}", label_prefix(approach), fmt::label(other)),
    };
    format!("{}{words}", label_prefix(approach))
}

fn label_prefix(approach: &str) -> String {
    if approach.is_empty() {
        String::new()
    } else {
        format!("{}: ", fmt::label(approach))
    }
}
