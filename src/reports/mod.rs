//! The follow-through figures as the Team page and the JSON API both read them: the cards of a
//! period (assembled from `db::reports`) and the period itself (chosen dates, working days). The
//! page renders them in `web::reports`, the API in `web::api::reports`.

pub mod card;
pub mod period;
