//! The headline: second-call rate, pending, median days, by recruiter and for the team.

use reqwest::{Method, StatusCode};

use super::*;

/// The second-call dataset (period d0 .. today-1, window 30 days, New York dates):
///
/// | DM  | first attempt (by)            | second attempt          | counts as                     |
/// |-----|-------------------------------|-------------------------|-------------------------------|
/// | dm1 | d0+1 (Rob)                    | d0+31: day 30           | Rob, called, 30 days          |
/// | dm2 | d0+2 (Rob)                    | d0+33: day 31           | Rob, missed                   |
/// | dm3 | d0+3 (Rob)                    | d0+8 by Sue: day 5      | Rob, called, 5 days           |
/// | dm4 | d0+4 (Rob)                    | none, 56 days ago       | Rob, missed                   |
/// | dm5 | today-10 (Rob)                | none, window open       | Rob, pending                  |
/// | dm6 | d0-5 (Rob), before the period | d0+2                    | not counted                   |
/// | dm7 | d0+6 (Rob), back-dated        | d0+16: day 10           | Rob, called, 10 days          |
/// | dm8 | d0-1 23:30 NY (= d0 in UTC)   | d0+1                    | not counted (NY date d0-1)    |
/// | dm9 | today-1 23:30 NY (Sue)        | none                    | Sue, pending (UTC says today) |
/// | dm10| d0+7 (Dan, who left)          | d0+8 by Rob: day 1      | Dan, called, 1 day            |
/// | dm11| d0+20 (Rob) after a note, an inbound call, a bounced email, a wrong number and a deleted call | d0+22: day 2 | Rob, called, 2 days |
/// | xdm | another team's, d0+1          | d0+2                    | never counted                 |
///
/// Rob: 7 first attempted, 4 called (30, 5, 10, 2 days), 2 missed, 1 pending:
///      rate 4 / (7 - 1) = 66.7 %, median of 2, 5, 10, 30 = 7.5 days.
/// Sue: 1 first attempted, pending: no rate. Dan: 1 of 1, 1 day.
/// Team: 9 first attempted, 5 called, 2 missed, 2 pending: 5 / 7 = 71.4 %, median 5 days.
pub(super) async fn second_call_data(f: &Fx) {
    let d0 = f.d0;
    let dm1 = f.dm(f.rob, "Dm One").await;
    f.attempt(C::Dm(dm1), f.rob, noon(d0, 1)).await;
    f.attempt(C::Dm(dm1), f.rob, noon(d0, 31)).await;
    let dm2 = f.dm(f.rob, "Dm Two").await;
    f.attempt(C::Dm(dm2), f.rob, noon(d0, 2)).await;
    f.attempt(C::Dm(dm2), f.rob, noon(d0, 33)).await;
    let dm3 = f.dm(f.rob, "Dm Three").await;
    f.attempt(C::Dm(dm3), f.rob, noon(d0, 3)).await;
    f.touch(C::Dm(dm3), f.sue, "email", "outbound", "sent", noon(d0, 8))
        .await;
    let dm4 = f.dm(f.rob, "Dm Four").await;
    f.attempt(C::Dm(dm4), f.rob, noon(d0, 4)).await;
    let dm5 = f.dm(f.rob, "Dm Five Pending").await;
    f.attempt(C::Dm(dm5), f.rob, noon(f.today, -10)).await;
    let dm6 = f.dm(f.rob, "Dm Six Earlier").await;
    f.attempt(C::Dm(dm6), f.rob, noon(d0, -5)).await;
    f.attempt(C::Dm(dm6), f.rob, noon(d0, 2)).await;
    let dm7 = f.dm(f.rob, "Dm Seven Backdated").await;
    let back = f.attempt(C::Dm(dm7), f.rob, noon(d0, 6)).await;
    sqlx::query("update touches set created_at = now() where id = $1")
        .bind(back)
        .execute(&f.app.db)
        .await
        .unwrap();
    f.attempt(C::Dm(dm7), f.rob, noon(d0, 16)).await;
    let dm8 = f.dm(f.rob, "Dm Eight Midnight").await;
    f.attempt(C::Dm(dm8), f.rob, ny(d0 - Duration::days(1), 23, 30))
        .await;
    f.attempt(C::Dm(dm8), f.rob, noon(d0, 1)).await;
    let dm9 = f.dm(f.sue, "Dm Nine Late Evening").await;
    f.attempt(C::Dm(dm9), f.sue, ny(f.today - Duration::days(1), 23, 30))
        .await;
    let dm10 = f.dm(f.rob, "Dm Ten Dans").await;
    f.attempt(C::Dm(dm10), f.dan, noon(d0, 7)).await;
    f.attempt(C::Dm(dm10), f.rob, noon(d0, 8)).await;
    let dm11 = f.dm(f.rob, "Dm Eleven").await;
    f.touch(C::Dm(dm11), f.rob, "note", "outbound", "sent", noon(d0, 1))
        .await;
    f.touch(
        C::Dm(dm11),
        f.rob,
        "call",
        "inbound",
        "connected",
        noon(d0, 2),
    )
    .await;
    f.touch(
        C::Dm(dm11),
        f.rob,
        "email",
        "outbound",
        "bounced",
        noon(d0, 3),
    )
    .await;
    f.touch(
        C::Dm(dm11),
        f.rob,
        "call",
        "outbound",
        "wrong_number",
        noon(d0, 4),
    )
    .await;
    let deleted = f.attempt(C::Dm(dm11), f.rob, noon(d0, 5)).await;
    sqlx::query("update touches set deleted_at = now() where id = $1")
        .bind(deleted)
        .execute(&f.app.db)
        .await
        .unwrap();
    f.attempt(C::Dm(dm11), f.rob, noon(d0, 20)).await;
    f.attempt(C::Dm(dm11), f.rob, noon(d0, 22)).await;
    let xdm = f.dm_in(f.other_team, f.olga, "Their DM").await;
    f.touch_full(
        f.other_team,
        C::Dm(xdm),
        f.olga,
        "call",
        "outbound",
        "no_answer",
        noon(d0, 1),
        0,
    )
    .await;
    f.touch_full(
        f.other_team,
        C::Dm(xdm),
        f.olga,
        "call",
        "outbound",
        "no_answer",
        noon(d0, 2),
        0,
    )
    .await;
    f.dan_leaves().await;
}

#[tokio::test]
async fn the_second_call_rate_counts_dms_first_attempted_in_the_period() {
    let f = fx().await;
    second_call_data(&f).await;
    let r = f.report().await;

    let rob = &r.user(f.rob).second_call;
    assert_eq!(
        (
            rob.first_touched,
            rob.second_called,
            rob.missed,
            rob.pending
        ),
        (7, 4, 2, 1)
    );
    assert!((rob.rate().unwrap() - 4.0 / 6.0).abs() < 1e-9);
    assert_eq!(rob.median_days, Some(7.5));

    let sue = &r.user(f.sue).second_call;
    assert_eq!((sue.first_touched, sue.pending, sue.rate()), (1, 1, None));

    let dan = &r.user(f.dan).second_call;
    assert_eq!((dan.first_touched, dan.second_called), (1, 1));
    assert_eq!((dan.rate(), dan.median_days), (Some(1.0), Some(1.0)));

    let team = &r.team.second_call;
    assert_eq!(
        (
            team.first_touched,
            team.second_called,
            team.missed,
            team.pending
        ),
        (9, 5, 2, 2)
    );
    assert!((team.rate().unwrap() - 5.0 / 7.0).abs() < 1e-9);
    assert_eq!(team.median_days, Some(5.0));
    assert!(
        !r.users.contains_key(&f.olga),
        "another team's DMs never count"
    );
}

#[tokio::test]
async fn the_api_answers_the_rate_in_api_md_shape_with_a_window() {
    let f = fx().await;
    second_call_data(&f).await;
    let mia = f.app.token_for("mia@acme.test").await;
    let (from, to) = (f.d0, f.today - Duration::days(1));
    let (status, body) = f
        .app
        .api(
            Method::GET,
            &format!("/reports/second-call-rate?from={from}&to={to}"),
            &mia,
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    // Team: 9 first attempted, 5 called, 2 pending: 5/7; median 5 days.
    assert_eq!(body["team"]["first_touched"], 9);
    assert_eq!(body["team"]["second_called"], 5);
    assert_eq!(body["team"]["pending"], 2);
    assert_eq!(body["team"]["median_days"], 5.0);
    assert!((body["team"]["rate"].as_f64().unwrap() - 5.0 / 7.0).abs() < 1e-9);
    assert_eq!(body["window_days"], 30);
    let recruiters = body["recruiters"].as_array().unwrap();
    let rob = recruiters
        .iter()
        .find(|r| r["user_id"] == f.rob)
        .expect("Rob is listed");
    assert_eq!(
        (rob["first_touched"].as_i64(), rob["second_called"].as_i64()),
        (Some(7), Some(4))
    );
    assert_eq!(rob["median_days"], 7.5);
    let dan = recruiters
        .iter()
        .find(|r| r["user_id"] == f.dan)
        .expect("Dan, who left, still counts");
    assert_eq!(dan["active"], false);
    assert!(recruiters.iter().all(|r| r["user_id"] != f.olga));

    // With a 31-day window dm2 (second attempt on day 31) is called in time: Rob 5 of 6.
    let (_, wide) = f
        .app
        .api(
            Method::GET,
            &format!("/reports/second-call-rate?from={from}&to={to}&window_days=31"),
            &mia,
            None,
        )
        .await;
    let rob = wide["recruiters"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["user_id"] == f.rob)
        .unwrap()
        .clone();
    assert_eq!(
        (rob["second_called"].as_i64(), rob["missed"].as_i64()),
        (Some(5), Some(1))
    );

    let (status, err) = f
        .app
        .api(
            Method::GET,
            &format!("/reports/second-call-rate?from={to}&to={from}"),
            &mia,
            None,
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(err["error"]["field"], "from");
    let (status, err) = f
        .app
        .api(
            Method::GET,
            "/reports/second-call-rate?window_days=0",
            &mia,
            None,
        )
        .await;
    assert_eq!(
        (status, err["error"]["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("window_days"))
    );
}

#[tokio::test]
async fn the_weekly_trend_counts_each_dm_in_the_week_of_its_first_attempt() {
    let f = fx().await;
    second_call_data(&f).await;
    let mondays = secondcall::web::reports::trend::mondays(f.today - Duration::days(1));
    let (first, last) = secondcall::web::reports::trend::weeks_span(f.today - Duration::days(1));
    let scope = Scope::new(f.team, (first, last), New_York, f.today, 30);
    let counts = secondcall::db::reports::second_calls_by_week(&f.app.db, &scope)
        .await
        .unwrap();
    let weeks = secondcall::web::reports::trend::by_user(&counts, &mondays);
    // The twelve weeks end with yesterday's and start 77 days before its Monday (78 to 84 days
    // ago), so they hold the 9 DMs of the period plus dm6 (first attempt d0-5 = 65 days ago,
    // second 7 days later) and dm8 (d0-1, second 2 days later): 11 first attempted, 7 called.
    let team = &weeks[&None];
    assert_eq!(team.iter().map(|w| w.first).sum::<i64>(), 11);
    assert_eq!(team.iter().map(|w| w.called).sum::<i64>(), 7);
    // dm9 (yesterday 23:30 New York) sits in yesterday's week, not today's.
    let sue = &weeks[&Some(f.sue)];
    assert_eq!(sue[11].first, 1);
    assert_eq!(sue[11].pending, 1);
}

#[tokio::test]
async fn corrections_and_deletions_of_touches_move_the_figures() {
    let f = fx().await;
    let d0 = f.d0;
    let dm = f.dm(f.rob, "Corrected").await;
    let first = f.attempt(C::Dm(dm), f.rob, noon(d0, 1)).await;
    let second = f.attempt(C::Dm(dm), f.rob, noon(d0, 3)).await;
    let sc = |r: TeamReport| {
        let s = r.team.second_call;
        (s.first_touched, s.second_called, s.missed)
    };
    // Called again on day 2.
    assert_eq!(sc(f.report().await), (1, 1, 0));
    // The second attempt is deleted: 59 days without one, missed.
    sqlx::query("update touches set deleted_at = now() where id = $1")
        .bind(second)
        .execute(&f.app.db)
        .await
        .unwrap();
    assert_eq!(sc(f.report().await), (1, 0, 1));
    // A later call on day 9 counts, until it turns out to have been a wrong number.
    let later = f.attempt(C::Dm(dm), f.sue, noon(d0, 10)).await;
    assert_eq!(sc(f.report().await), (1, 1, 0));
    sqlx::query("update touches set outcome = 'wrong_number' where id = $1")
        .bind(later)
        .execute(&f.app.db)
        .await
        .unwrap();
    assert_eq!(sc(f.report().await), (1, 0, 1));
    // The first attempt is corrected to before the period: the DM no longer counts.
    sqlx::query("update touches set occurred_at = $2 where id = $1")
        .bind(first)
        .bind(noon(d0, -2))
        .execute(&f.app.db)
        .await
        .unwrap();
    assert_eq!(sc(f.report().await), (0, 0, 0));
    // It was logged on the wrong DM: moved to another one, first attempted in the period.
    let other = f.dm(f.sue, "Right one").await;
    sqlx::query("update touches set decision_maker_id = $2, occurred_at = $3 where id = $1")
        .bind(first)
        .bind(other)
        .bind(noon(d0, 5))
        .execute(&f.app.db)
        .await
        .unwrap();
    let r = f.report().await;
    assert_eq!(r.team.second_call.first_touched, 1);
    assert_eq!(r.user(f.rob).second_call.first_touched, 1);
    let first_dm: i64 = sqlx::query_scalar(
        "select decision_maker_id from dm_first_attempts where first_touch_id = $1",
    )
    .bind(first)
    .fetch_one(&f.app.db)
    .await
    .unwrap();
    assert_eq!(first_dm, other);
}
