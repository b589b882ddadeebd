//! The figures read from the engine's due-item history: sign-off calls, three strikes, gone dark.

use super::*;

#[tokio::test]
async fn sign_off_calls_due_done_overdue_and_median_hours_to_done() {
    let f = fx().await;
    let d0 = f.d0;
    let cand = f.cand(f.rob, "Cara").await;
    let call = f
        .touch(
            C::Cand(cand),
            f.rob,
            "call",
            "outbound",
            "connected",
            noon(d0, 1),
        )
        .await;
    // Open items are one per contact (the engine's unique index): other candidates hold them.
    let (c2, c3, c4) = (
        f.cand(f.rob, "Cy").await,
        f.cand(f.rob, "Cid").await,
        f.cand(f.sue, "Cal").await,
    );
    let seen = |n: i64| noon(d0, n);
    let after = |n: i64, h: i64| Some((noon(d0, n) + Duration::hours(h), Some(call)));
    let sign_off = (None, None);
    // Rob: done after 4, 10 and 30 hours (median 10); two overdue (open, due before today);
    // one closed without a touch; one not due yet (first due after today); one before the period.
    f.history(
        C::Cand(cand),
        f.rob,
        "sign_off",
        sign_off,
        d0 + Duration::days(1),
        seen(1),
        after(1, 4),
    )
    .await;
    f.history(
        C::Cand(cand),
        f.rob,
        "sign_off",
        sign_off,
        d0 + Duration::days(2),
        seen(2),
        after(2, 10),
    )
    .await;
    f.history(
        C::Cand(cand),
        f.rob,
        "sign_off",
        sign_off,
        d0 + Duration::days(3),
        seen(3),
        after(3, 30),
    )
    .await;
    f.history(
        C::Cand(cand),
        f.rob,
        "sign_off",
        sign_off,
        d0 + Duration::days(10),
        seen(10),
        None,
    )
    .await;
    f.history(
        C::Cand(c2),
        f.rob,
        "sign_off",
        sign_off,
        f.today - Duration::days(1),
        seen(59),
        None,
    )
    .await;
    f.history(
        C::Cand(cand),
        f.rob,
        "sign_off",
        sign_off,
        d0 + Duration::days(11),
        seen(11),
        Some((seen(12), None)),
    )
    .await;
    f.history(
        C::Cand(c3),
        f.rob,
        "sign_off",
        sign_off,
        f.today + Duration::days(2),
        seen(59),
        None,
    )
    .await;
    f.history(
        C::Cand(cand),
        f.rob,
        "sign_off",
        sign_off,
        d0 - Duration::days(2),
        seen(-2),
        after(-2, 1),
    )
    .await;
    // Sue: done after 2 hours, by her own call. A gone-dark row is another figure.
    let sue_call = f
        .touch(
            C::Cand(c4),
            f.sue,
            "call",
            "outbound",
            "connected",
            noon(d0, 4),
        )
        .await;
    let by_sue = |n: i64, h: i64| Some((noon(d0, n) + Duration::hours(h), Some(sue_call)));
    f.history(
        C::Cand(cand),
        f.sue,
        "sign_off",
        sign_off,
        d0 + Duration::days(4),
        seen(4),
        by_sue(4, 2),
    )
    .await;
    // Rob's item that Sue settled while covering for him: the call, so the "done", is hers
    f.history(
        C::Cand(c2),
        f.rob,
        "sign_off",
        sign_off,
        d0 + Duration::days(5),
        seen(5),
        by_sue(5, 6),
    )
    .await;
    f.history(
        C::Cand(c4),
        f.sue,
        "gone_dark",
        (None, Some("value_add")),
        d0 + Duration::days(4),
        seen(4),
        None,
    )
    .await;

    // The period runs to today + 3 here, so the item first due in two days is in it.
    let scope = Scope::new(
        f.team,
        (d0, f.today + Duration::days(3)),
        New_York,
        f.today,
        30,
    );
    let r = TeamReport::load(&f.app.db, &scope, &[Figure::SignOff])
        .await
        .unwrap();
    let rob = &r.user(f.rob).sign_off;
    assert_eq!(
        (rob.due(), rob.done, rob.overdue, rob.open, rob.closed),
        (7, 3, 2, 1, 1)
    );
    assert_eq!(rob.median_hours, Some(10.0));
    let sue = &r.user(f.sue).sign_off;
    assert_eq!((sue.due(), sue.done, sue.median_hours), (2, 2, Some(4.0)));
    let team = &r.team.sign_off;
    // Team: done after 2, 4, 6, 10, 30 hours: median 6.
    assert_eq!(
        (team.due(), team.done, team.median_hours),
        (9, 5, Some(6.0))
    );
}

#[tokio::test]
async fn three_strikes_says_which_strike_got_the_answer() {
    let f = fx().await;
    let d0 = f.d0;
    let strike2 = (Some(2), None);
    let strike3 = (Some(3), None);
    let day = |n: i64| d0 + Duration::days(n);
    // c1: strike 1 on d0+1; they call back on d0+2 while strike 2 is due: strike 1 got it.
    let c1 = f.cand(f.rob, "C1").await;
    f.attempt(C::Cand(c1), f.rob, noon(d0, 1)).await;
    let back = f
        .touch(
            C::Cand(c1),
            f.rob,
            "call",
            "inbound",
            "connected",
            noon(d0, 2),
        )
        .await;
    f.history(
        C::Cand(c1),
        f.rob,
        "three_strikes",
        strike2,
        day(3),
        noon(d0, 1),
        Some((noon(d0, 2), Some(back))),
    )
    .await;
    // c2: strikes on d0+1 and d0+3 (email); an emailed reply on d0+4: strike 2.
    let c2 = f.cand(f.rob, "C2").await;
    f.attempt(C::Cand(c2), f.rob, noon(d0, 1)).await;
    f.touch(C::Cand(c2), f.rob, "email", "outbound", "sent", noon(d0, 3))
        .await;
    f.touch(
        C::Cand(c2),
        f.rob,
        "email",
        "inbound",
        "replied",
        noon(d0, 4),
    )
    .await;
    f.history(
        C::Cand(c2),
        f.rob,
        "three_strikes",
        strike2,
        day(3),
        noon(d0, 1),
        Some((noon(d0, 3), None)),
    )
    .await;
    f.history(
        C::Cand(c2),
        f.rob,
        "three_strikes",
        strike3,
        day(6),
        noon(d0, 3),
        Some((noon(d0, 4), None)),
    )
    .await;
    // c3: the third strike, a call, connects: it answers itself: strike 3.
    let c3 = f.cand(f.rob, "C3").await;
    f.attempt(C::Cand(c3), f.rob, noon(d0, 1)).await;
    f.touch(C::Cand(c3), f.rob, "email", "outbound", "sent", noon(d0, 3))
        .await;
    f.touch(
        C::Cand(c3),
        f.rob,
        "call",
        "outbound",
        "connected",
        noon(d0, 6),
    )
    .await;
    f.history(
        C::Cand(c3),
        f.rob,
        "three_strikes",
        strike2,
        day(3),
        noon(d0, 1),
        Some((noon(d0, 3), None)),
    )
    .await;
    // c4: three strikes, no answer: the sequence closed unanswered.
    let c4 = f.cand(f.rob, "C4").await;
    for n in [1, 3, 6] {
        f.attempt(C::Cand(c4), f.rob, noon(d0, n)).await;
    }
    f.history(
        C::Cand(c4),
        f.rob,
        "three_strikes",
        strike2,
        day(3),
        noon(d0, 1),
        Some((noon(d0, 3), None)),
    )
    .await;
    // c5: one strike two days ago, strike 2 due yesterday: still in the sequence (pending).
    let c5 = f.cand(f.rob, "C5").await;
    f.attempt(C::Cand(c5), f.rob, noon(f.today, -2)).await;
    f.history(
        C::Cand(c5),
        f.rob,
        "three_strikes",
        strike2,
        f.today - Duration::days(1),
        noon(f.today, -2),
        None,
    )
    .await;
    // c6: four attempts, then they answer: after the sequence.
    let c6 = f.cand(f.rob, "C6").await;
    for n in [1, 3, 6, 10] {
        f.attempt(C::Cand(c6), f.rob, noon(d0, n)).await;
    }
    f.touch(
        C::Cand(c6),
        f.rob,
        "text",
        "inbound",
        "replied",
        noon(d0, 12),
    )
    .await;
    f.history(
        C::Cand(c6),
        f.rob,
        "three_strikes",
        strike2,
        day(3),
        noon(d0, 1),
        Some((noon(d0, 3), None)),
    )
    .await;
    // c7: its sequence started before the period (strike 2 first due d0-5): not counted.
    let c7 = f.cand(f.rob, "C7").await;
    f.attempt(C::Cand(c7), f.rob, noon(d0, -7)).await;
    f.attempt(C::Cand(c7), f.rob, noon(d0, 0)).await;
    f.history(
        C::Cand(c7),
        f.rob,
        "three_strikes",
        strike2,
        day(-5),
        noon(d0, -7),
        Some((noon(d0, 0), None)),
    )
    .await;
    f.history(
        C::Cand(c7),
        f.rob,
        "three_strikes",
        strike3,
        day(2),
        noon(d0, 0),
        None,
    )
    .await;

    // Strike 1, 2, 3, later, unanswered, pending: one each.
    let rob = f.card(f.rob).await;
    assert_eq!(rob.strikes, [1, 1, 1, 1, 1, 1]);
}

#[tokio::test]
async fn gone_dark_recovery_counts_answers_within_14_days_by_approach() {
    let f = fx().await;
    let now = Utc::now();
    let ago = |d: i64| now - Duration::days(d);
    let due = |d: i64| f.today - Duration::days(d);
    let value_add = (None, Some("value_add"));
    // g1: answered 5 days after the item appeared: recovered.
    let g1 = f.dm(f.rob, "G1").await;
    f.history(
        C::Dm(g1),
        f.rob,
        "gone_dark",
        value_add,
        due(30),
        ago(30),
        Some((ago(25), None)),
    )
    .await;
    f.touch(C::Dm(g1), f.rob, "call", "inbound", "connected", ago(25))
        .await;
    // g2: answered after 20 days: too late, not recovered.
    let g2 = f.dm(f.rob, "G2").await;
    f.history(
        C::Dm(g2),
        f.rob,
        "gone_dark",
        value_add,
        due(30),
        ago(30),
        None,
    )
    .await;
    f.touch(C::Dm(g2), f.rob, "call", "inbound", "connected", ago(10))
        .await;
    // g3: appeared 3 days ago, no answer yet: pending.
    let g3 = f.dm(f.rob, "G3").await;
    f.history(
        C::Dm(g3),
        f.rob,
        "gone_dark",
        value_add,
        due(3),
        ago(3),
        None,
    )
    .await;
    // g6: the only answer came a day before the item; within the 14 days only an unanswered call.
    let g6 = f.dm(f.rob, "G6").await;
    f.history(
        C::Dm(g6),
        f.rob,
        "gone_dark",
        value_add,
        due(30),
        ago(30),
        None,
    )
    .await;
    f.touch(C::Dm(g6), f.rob, "call", "inbound", "connected", ago(31))
        .await;
    f.attempt(C::Dm(g6), f.rob, ago(29)).await;
    // g7: first due before the period: not counted.
    let g7 = f.dm(f.rob, "G7").await;
    f.history(
        C::Dm(g7),
        f.rob,
        "gone_dark",
        value_add,
        due(70),
        ago(70),
        None,
    )
    .await;
    // g4: dropped the ball, never answered.
    let g4 = f.dm(f.rob, "G4").await;
    f.history(
        C::Dm(g4),
        f.rob,
        "gone_dark",
        (None, Some("dropped_the_ball")),
        due(30),
        ago(30),
        None,
    )
    .await;
    // g5: a candidate, other contact, replied the next day: recovered.
    let g5 = f.cand(f.rob, "G5").await;
    f.history(
        C::Cand(g5),
        f.rob,
        "gone_dark",
        (None, Some("other_contact")),
        due(30),
        ago(30),
        None,
    )
    .await;
    f.touch(C::Cand(g5), f.rob, "email", "inbound", "replied", ago(29))
        .await;

    // Approaches in order standard, dropped the ball, value add, other contact.
    // Value add: recovered g1, not g2 g6, pending g3: 1 of 3.
    let team = f.report().await.team;
    let counts: Vec<(i64, i64, i64)> = team
        .gone_dark
        .iter()
        .map(|r| (r.recovered, r.not_recovered, r.pending))
        .collect();
    assert_eq!(counts, [(0, 0, 0), (0, 1, 0), (1, 2, 1), (1, 0, 0)]);
    assert!((team.gone_dark[2].rate().unwrap() - 1.0 / 3.0).abs() < 1e-9);
}
