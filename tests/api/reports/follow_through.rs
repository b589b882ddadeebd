//! New DMs, 90-day coverage, touches by channel, referrals, attempts before a first job order.

use reqwest::{Method, StatusCode};

use super::*;

#[tokio::test]
async fn new_dms_count_on_the_day_of_their_first_connected_call() {
    let f = fx().await;
    let d0 = f.d0;
    // dmA: Rob's connected call on d0+1 is its first: new for Rob.
    let a = f.dm(f.rob, "A").await;
    f.touch(
        C::Dm(a),
        f.rob,
        "call",
        "outbound",
        "connected",
        noon(d0, 1),
    )
    .await;
    // dmB: first connected before the period (d0-3): not new in it, though called again on d0+2.
    let b = f.dm(f.rob, "B").await;
    f.touch(
        C::Dm(b),
        f.rob,
        "call",
        "outbound",
        "connected",
        noon(d0, -3),
    )
    .await;
    f.touch(
        C::Dm(b),
        f.rob,
        "call",
        "outbound",
        "connected",
        noon(d0, 2),
    )
    .await;
    // dmC: a connected meeting is no call; Sue's connected call on d0+5 makes it new for Sue.
    let c = f.dm(f.rob, "C").await;
    f.touch(
        C::Dm(c),
        f.rob,
        "meeting",
        "outbound",
        "connected",
        noon(d0, 1),
    )
    .await;
    f.touch(
        C::Dm(c),
        f.sue,
        "call",
        "outbound",
        "connected",
        noon(d0, 5),
    )
    .await;
    // dmD: 23:30 New York the day before d0 (d0 in UTC): before the period.
    let d = f.dm(f.rob, "D").await;
    f.touch(
        C::Dm(d),
        f.rob,
        "call",
        "outbound",
        "connected",
        ny(d0 - Duration::days(1), 23, 30),
    )
    .await;
    // dmE: a deleted connected call, then Dan's (who left) on d0+9: new for Dan.
    let e = f.dm(f.rob, "E").await;
    let gone = f
        .touch(
            C::Dm(e),
            f.rob,
            "call",
            "outbound",
            "connected",
            noon(d0, 1),
        )
        .await;
    sqlx::query("update touches set deleted_at = now() where id = $1")
        .bind(gone)
        .execute(&f.app.db)
        .await
        .unwrap();
    f.touch(
        C::Dm(e),
        f.dan,
        "call",
        "outbound",
        "connected",
        noon(d0, 9),
    )
    .await;
    f.dan_leaves().await;

    let r = f.report().await;
    // Rob 1 (A), Sue 1 (C), Dan 1 (E): team 3.
    assert_eq!(
        (
            r.user(f.rob).new_dms,
            r.user(f.sue).new_dms,
            r.user(f.dan).new_dms
        ),
        (1, 1, 1)
    );
    assert_eq!(r.team.new_dms, 3);
}

#[tokio::test]
async fn coverage_counts_active_dms_attempted_in_the_90_days_up_to_its_day() {
    let f = fx().await;
    let t = f.today - Duration::days(1);
    // Rob's DMs, as of t (the period's last day): the 90 days are t-89 .. t.
    let e1 = f.dm(f.rob, "E1 day 89").await;
    f.attempt(C::Dm(e1), f.rob, noon(t, -89)).await; // touched
    let e2 = f.dm(f.rob, "E2 day 90").await;
    f.attempt(C::Dm(e2), f.rob, noon(t, -90)).await; // not touched: t-90 is outside
    f.dm(f.rob, "E3 never").await; // not touched
    let e4 = f.dm(f.rob, "E4 archived").await;
    f.attempt(C::Dm(e4), f.rob, noon(t, -1)).await;
    sqlx::query("update decision_makers set archived_at = now() where id = $1")
        .bind(e4)
        .execute(&f.app.db)
        .await
        .unwrap();
    let e5 = f.dm(f.rob, "E5 do not contact").await;
    sqlx::query("update decision_makers set do_not_contact = true where id = $1")
        .bind(e5)
        .execute(&f.app.db)
        .await
        .unwrap();
    let e6 = f.dm(f.rob, "E6 after the day").await;
    f.attempt(C::Dm(e6), f.rob, ny(f.today, 0, 1)).await; // after t: not touched as of t
    let e7 = f.dm(f.rob, "E7 inbound only").await;
    f.touch(
        C::Dm(e7),
        f.rob,
        "call",
        "inbound",
        "connected",
        noon(t, -5),
    )
    .await; // no attempt
    let e9 = f.dm(f.rob, "E9 just after midnight").await;
    f.attempt(C::Dm(e9), f.rob, ny(t - Duration::days(89), 0, 30))
        .await; // touched
    let e10 = f.dm(f.rob, "E10 just before midnight").await;
    f.attempt(C::Dm(e10), f.rob, ny(t - Duration::days(90), 23, 30))
        .await; // not (UTC says t-89)
    // E11: attempted on t-10 and again after t: touched (its latest attempt is after the day).
    let e11 = f.dm(f.rob, "E11 again after the day").await;
    f.attempt(C::Dm(e11), f.rob, noon(t, -10)).await;
    f.attempt(C::Dm(e11), f.rob, ny(f.today, 0, 2)).await;
    // Sue's DM, attempted by Rob on t: covered for Sue, its owner.
    let e8 = f.dm(f.sue, "E8 Sue's").await;
    f.attempt(C::Dm(e8), f.rob, noon(t, 0)).await;
    let x = f.dm_in(f.other_team, f.olga, "Theirs").await;
    f.touch_full(
        f.other_team,
        C::Dm(x),
        f.olga,
        "call",
        "outbound",
        "no_answer",
        noon(t, 0),
        0,
    )
    .await;

    // Rob: active E1 E2 E3 E6 E7 E9 E10 E11 = 8, touched E1 E9 E11 = 3. Sue 1 of 1. Team 4 of 9.
    let r = f.report().await;
    assert_eq!(
        (r.user(f.rob).active_dms, r.user(f.rob).touched_dms),
        (8, 3)
    );
    assert_eq!(
        (r.user(f.sue).active_dms, r.user(f.sue).touched_dms),
        (1, 1)
    );
    assert_eq!((r.team.active_dms, r.team.touched_dms), (9, 4));

    let mia = f.app.token_for("mia@acme.test").await;
    let (status, body) = f
        .app
        .api(
            Method::GET,
            &format!("/reports/coverage?as_of={t}&limit=3"),
            &mia,
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["days"], 90);
    assert_eq!(
        (
            body["team"]["active"].as_i64(),
            body["team"]["touched"].as_i64()
        ),
        (Some(9), Some(4))
    );
    assert_eq!(body["team"]["share"], 4.0 / 9.0);
    let rob = body["recruiters"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["user_id"] == f.rob)
        .unwrap()
        .clone();
    assert_eq!(
        (rob["active"].as_i64(), rob["not_touched"].as_i64()),
        (Some(8), Some(5))
    );
    // Five not touched, newest DM first: E10, E7, E6, E3, E2.
    let page = &body["not_touched"];
    let names: Vec<&str> = page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "E10 just before midnight",
            "E7 inbound only",
            "E6 after the day"
        ]
    );
    assert_eq!(
        page["items"][0]["last_attempt_on"],
        (t - Duration::days(90)).to_string()
    );
    assert_eq!(page["items"][2]["last_attempt_on"], serde_json::Value::Null);
    let next = page["next"].as_str().unwrap();
    let (_, rest) = f
        .app
        .api(
            Method::GET,
            &format!("/reports/coverage?as_of={t}&limit=3&cursor={next}"),
            &mia,
            None,
        )
        .await;
    let names: Vec<&str> = rest["not_touched"]["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["E3 never", "E2 day 90"]);
    assert!(rest["not_touched"]["next"].is_null());
}

#[tokio::test]
async fn touches_count_by_channel_with_the_phone_share_and_referrals() {
    let f = fx().await;
    let d0 = f.d0;
    let dm = f.dm(f.rob, "Busy").await;
    let cand = f.cand(f.rob, "Cara").await;
    f.touch(
        C::Dm(dm),
        f.rob,
        "call",
        "outbound",
        "no_answer",
        noon(d0, 1),
    )
    .await;
    f.touch_full(
        f.team,
        C::Dm(dm),
        f.rob,
        "call",
        "outbound",
        "connected",
        noon(d0, 2),
        2,
    )
    .await;
    f.touch(
        C::Cand(cand),
        f.rob,
        "voicemail",
        "outbound",
        "voicemail_left",
        noon(d0, 3),
    )
    .await;
    f.touch_full(
        f.team,
        C::Cand(cand),
        f.rob,
        "email",
        "outbound",
        "sent",
        noon(d0, 4),
        1,
    )
    .await;
    f.touch(
        C::Cand(cand),
        f.rob,
        "email",
        "inbound",
        "replied",
        noon(d0, 5),
    )
    .await;
    f.touch(C::Dm(dm), f.rob, "note", "outbound", "sent", noon(d0, 6))
        .await; // not a touch of a person
    let deleted = f
        .touch(
            C::Dm(dm),
            f.rob,
            "call",
            "outbound",
            "no_answer",
            noon(d0, 7),
        )
        .await;
    sqlx::query("update touches set deleted_at = now() where id = $1")
        .bind(deleted)
        .execute(&f.app.db)
        .await
        .unwrap();
    f.touch(
        C::Dm(dm),
        f.rob,
        "call",
        "outbound",
        "no_answer",
        ny(d0 - Duration::days(1), 23, 59),
    )
    .await; // before
    f.touch(
        C::Dm(dm),
        f.dan,
        "call",
        "outbound",
        "no_answer",
        noon(d0, 8),
    )
    .await;
    f.dan_leaves().await;

    let r = f.report().await;
    // Rob: 2 calls, 1 voicemail, 2 emails (one inbound) = 5; phone 3 of 5; 3 referrals, 2 touches.
    let rob = r.user(f.rob);
    assert_eq!(rob.touches, [2, 1, 2, 0, 0, 0]);
    assert_eq!(rob.phone_share(), Some(0.6));
    assert_eq!((rob.referrals, rob.referral_touches), (3, 2));
    // Team: Dan's call too: 3 calls; phone 4 of 6.
    assert_eq!(r.team.touches, [3, 1, 2, 0, 0, 0]);
    assert!((r.team.phone_share().unwrap() - 4.0 / 6.0).abs() < 1e-9);
    assert_eq!(r.user(f.dan).touches_total(), 1);
}

async fn job(f: &Fx, company: i64, dm: i64, owner: i64, at: DateTime<Utc>) {
    sqlx::query("insert into job_orders (team_id, company_id, decision_maker_id, owner_id, title, created_at) values ($1, $2, $3, $4, 'Engineer', $5)")
        .bind(f.team).bind(company).bind(dm).bind(owner).bind(at)
        .execute(&f.app.db).await.unwrap();
}

#[tokio::test]
async fn attempts_before_a_dms_first_job_order_fall_into_buckets() {
    let f = fx().await;
    let d0 = f.d0;
    let co: i64 = sqlx::query_scalar(
        "insert into companies (team_id, name) values ($1, 'Initech') returning id",
    )
    .bind(f.team)
    .fetch_one(&f.app.db)
    .await
    .unwrap();
    // j1: a job order with no attempt before: bucket 0.
    let j1 = f.dm(f.rob, "J1").await;
    job(&f, co, j1, f.rob, noon(d0, 1)).await;
    // j2: two attempts before (one before the period): bucket 2; a bounced email is no attempt.
    let j2 = f.dm(f.rob, "J2").await;
    f.attempt(C::Dm(j2), f.rob, noon(d0, -10)).await;
    f.attempt(C::Dm(j2), f.rob, noon(d0, -5)).await;
    f.touch(
        C::Dm(j2),
        f.rob,
        "email",
        "outbound",
        "bounced",
        noon(d0, -4),
    )
    .await;
    job(&f, co, j2, f.rob, noon(d0, 2)).await;
    // j3: six attempts before: 5+.
    let j3 = f.dm(f.rob, "J3").await;
    for n in 0..6 {
        f.attempt(C::Dm(j3), f.rob, noon(d0, -20 + n)).await;
    }
    job(&f, co, j3, f.rob, noon(d0, 3)).await;
    // j4: its first job order came before the period: not counted, though a second is in it.
    let j4 = f.dm(f.rob, "J4").await;
    job(&f, co, j4, f.rob, noon(d0, -3)).await;
    job(&f, co, j4, f.rob, noon(d0, 4)).await;
    // j5: one attempt before, three after: bucket 1, for Sue who owns the job.
    let j5 = f.dm(f.rob, "J5").await;
    f.attempt(C::Dm(j5), f.rob, noon(d0, 1)).await;
    job(&f, co, j5, f.sue, noon(d0, 5)).await;
    for n in 6..9 {
        f.attempt(C::Dm(j5), f.rob, noon(d0, n)).await;
    }
    // Buckets 0, 1, 2, 3, 4, 5+: team [1, 1, 1, 0, 0, 1], Rob [1, 0, 1, 0, 0, 1], Sue [0, 1, 0...].
    let r = f.report().await;
    assert_eq!(r.team.job_orders, [1, 1, 1, 0, 0, 1]);
    assert_eq!(r.user(f.rob).job_orders, [1, 0, 1, 0, 0, 1]);
    assert_eq!(r.user(f.sue).job_orders, [0, 1, 0, 0, 0, 0]);
}
