//! The follow-up rules the pipeline drives, over the API and checked with GET /due: the sign-off
//! call (rule 1) and what settles it, candidates who go dark (rule 5), and DMs who turn hot.

use super::*;

/// A candidate of Rob's in a job of Mia's, walked through `stages` after being sourced.
async fn finalist(t: &Acme, job: i64, name: &str, stages: &[&str]) -> (i64, i64) {
    let candidate = t.candidate(name).await;
    let application = t.apply(job, candidate, "sourced").await;
    t.walk(application, stages).await;
    (candidate, application)
}

// --- sign-off: triggers ---

#[tokio::test]
async fn presented_then_rejected_makes_a_sign_off_call_due_today() {
    let t = acme().await;
    let job = t.job("Engineer").await;
    let (ann, application) = finalist(&t, job, "Ann", &["screening", "presented"]).await;
    assert_eq!(
        t.candidate_reason(ann).await,
        None,
        "nothing due while in play"
    );
    t.walk(application, &["rejected"]).await;
    t.assert_sign_off_due_today(ann).await;
    let (_, shown) = t.get(&format!("/applications/{application}"), &t.rob).await;
    assert_eq!(shown["due_reason"], "sign_off");
    let (_, contact) = t.get(&format!("/candidates/{ann}"), &t.rob).await;
    assert_eq!(
        (
            contact["due_reason"].as_str(),
            contact["next_due_on"].as_str()
        ),
        (Some("sign_off"), Some(&*today().to_string()))
    );
}

#[tokio::test]
async fn interviewing_then_rejected_makes_a_sign_off_call_due_today() {
    let t = acme().await;
    let job = t.job("Engineer").await;
    let (ann, application) =
        finalist(&t, job, "Ann", &["screening", "presented", "interviewing"]).await;
    t.walk(application, &["rejected"]).await;
    t.assert_sign_off_due_today(ann).await;
}

#[tokio::test]
async fn filling_a_job_makes_a_sign_off_call_due_for_a_presented_candidate() {
    let t = acme().await;
    let job = t.job("Engineer").await;
    let (ann, _) = finalist(&t, job, "Ann", &["presented"]).await;
    assert_eq!(t.candidate_reason(ann).await, None);
    t.set_status(job, "filled").await;
    t.assert_sign_off_due_today(ann).await;
}

#[tokio::test]
async fn cancelling_a_job_makes_a_sign_off_call_due_for_a_candidate_at_offer() {
    let t = acme().await;
    let job = t.job("Engineer").await;
    let (ann, _) = finalist(&t, job, "Ann", &["presented", "interviewing", "offer"]).await;
    t.set_status(job, "cancelled").await;
    t.assert_sign_off_due_today(ann).await;
}

// --- sign-off: not triggers ---

#[tokio::test]
async fn screening_then_rejected_owes_no_sign_off_the_client_never_saw_them() {
    let t = acme().await;
    let job = t.job("Engineer").await;
    let (ann, _) = finalist(&t, job, "Ann", &["contacted", "screening", "rejected"]).await;
    assert_eq!(t.candidate_reason(ann).await, None);
}

#[tokio::test]
async fn the_placed_candidate_of_a_filled_job_owes_no_sign_off_but_the_runner_up_does() {
    let t = acme().await;
    let job = t.job("Engineer").await;
    let (placed, _) = finalist(&t, job, "Placed", &["presented", "offer", "placed"]).await;
    let (runner_up, _) = finalist(&t, job, "Runner-up", &["presented", "interviewing"]).await;
    t.set_status(job, "filled").await;
    assert_eq!(t.candidate_reason(placed).await, None);
    t.assert_sign_off_due_today(runner_up).await;
}

#[tokio::test]
async fn a_candidate_who_withdrew_before_the_job_was_filled_owes_no_sign_off() {
    let t = acme().await;
    let job = t.job("Engineer").await;
    let (gone, _) = finalist(&t, job, "Gone", &["presented", "interviewing", "withdrawn"]).await;
    assert_eq!(
        t.candidate_reason(gone).await,
        None,
        "withdrawing is their no"
    );
    t.set_status(job, "filled").await;
    assert_eq!(t.candidate_reason(gone).await, None);
}

#[tokio::test]
async fn a_job_put_on_hold_owes_no_sign_off() {
    let t = acme().await;
    let job = t.job("Engineer").await;
    let (ann, _) = finalist(&t, job, "Ann", &["presented", "interviewing"]).await;
    t.set_status(job, "on_hold").await;
    assert_eq!(t.candidate_reason(ann).await, None);
    t.set_status(job, "open").await;
    assert_eq!(t.candidate_reason(ann).await, None);
}

// --- sign-off: what settles it ---

#[tokio::test]
async fn a_later_phone_touch_that_connected_or_left_a_voicemail_settles_the_sign_off() {
    let t = acme().await;
    let job = t.job("Engineer").await;
    let next_week = (today() + Duration::days(7)).to_string();
    for (name, touch) in [
        (
            "Outbound call",
            json!({"channel": "call", "outcome": "connected", "next_step_on": next_week, "referrals": 2, "referral_names": "Cy, Di"}),
        ),
        (
            "Inbound call",
            json!({"channel": "call", "direction": "inbound", "outcome": "connected"}),
        ),
        (
            "Outbound voicemail",
            json!({"channel": "voicemail", "outcome": "voicemail_left"}),
        ),
        (
            "Inbound voicemail",
            json!({"channel": "voicemail", "direction": "inbound", "outcome": "voicemail_left"}),
        ),
        (
            "Voicemail on a call",
            json!({"channel": "call", "outcome": "voicemail_left"}),
        ),
    ] {
        let (candidate, application) = finalist(&t, job, name, &["presented"]).await;
        t.walk(application, &["rejected"]).await;
        t.assert_sign_off_due_today(candidate).await;
        let logged = t.touch(candidate, touch.clone()).await;
        if touch.get("referrals").is_some() {
            assert_eq!(
                logged["referrals"], 2,
                "the referrals are kept on the touch"
            );
            assert_eq!(logged["referral_names"], "Cy, Di");
        }
        assert_eq!(
            t.candidate_reason(candidate).await,
            None,
            "{name} settles the sign-off"
        );
    }
}

#[tokio::test]
async fn an_email_a_missed_call_or_an_earlier_call_does_not_settle_the_sign_off() {
    let t = acme().await;
    let job = t.job("Engineer").await;
    let (ann, application) = finalist(&t, job, "Ann", &["presented"]).await;
    // a conversation before the rejection is not the sign-off call
    t.touch(
        ann,
        json!({"channel": "call", "direction": "inbound", "outcome": "connected", "occurred_at": ago(1)}),
    )
    .await;
    t.walk(application, &["rejected"]).await;
    t.assert_sign_off_due_today(ann).await;
    for touch in [
        json!({"channel": "email", "outcome": "sent"}),
        json!({"channel": "email", "direction": "inbound", "outcome": "replied"}),
        json!({"channel": "call", "outcome": "no_answer"}),
        json!({"channel": "text", "outcome": "sent"}),
    ] {
        t.touch(ann, touch.clone()).await;
        t.assert_sign_off_due_today(ann).await;
    }
}

// --- candidates who go dark ---

/// A candidate who answered once (an inbound call 30 days ago), then let three calls over two
/// weeks go unanswered (24, 17 and 10 days ago).
async fn quiet_candidate(t: &Acme, name: &str) -> i64 {
    let candidate = t.candidate(name).await;
    t.touch(
        candidate,
        json!({"channel": "call", "direction": "inbound", "outcome": "connected", "occurred_at": ago(30)}),
    )
    .await;
    for days in [24, 17, 10] {
        t.touch(
            candidate,
            json!({"channel": "call", "outcome": "no_answer", "occurred_at": ago(days)}),
        )
        .await;
    }
    candidate
}

#[tokio::test]
async fn a_candidate_in_screening_who_stopped_answering_has_gone_dark() {
    let t = acme().await;
    let job = t.job("Engineer").await;
    let ann = quiet_candidate(&t, "Ann").await;
    t.apply(job, ann, "screening").await;
    let item = t
        .item(&t.rob, "candidate", ann)
        .await
        .expect("Ann is on Rob's list");
    assert_eq!(item["reason"], "gone_dark", "{item}");
    // a week after the last attempt (10 days ago), and no sooner than 14 days after the first
    assert_eq!(item["due_on"], (today() - Duration::days(3)).to_string());
    assert_eq!(item["overdue_days"], 3);
    assert!(item["suggested_approach"].is_string(), "{item}");
}

#[tokio::test]
async fn the_same_silence_while_only_sourced_is_not_gone_dark() {
    let t = acme().await;
    let job = t.job("Engineer").await;
    let bob = quiet_candidate(&t, "Bob").await;
    let application = t.apply(job, bob, "sourced").await;
    assert_eq!(t.candidate_reason(bob).await, None);
    // once in screening, the same history is gone dark at once
    t.walk(application, &["contacted", "screening"]).await;
    assert_eq!(t.candidate_reason(bob).await.as_deref(), Some("gone_dark"));
}

#[tokio::test]
async fn a_job_filled_before_the_hire_is_moved_to_placed_leaves_the_hire_alone() {
    let t = acme().await;
    let job = t.job("Engineer").await;
    let (hire, application) = finalist(&t, job, "Hire", &["presented", "offer"]).await;
    t.set_status(job, "filled").await;
    t.assert_sign_off_due_today(hire).await;
    // the recruiter records the placement a moment later: the placed candidate is never called
    t.walk(application, &["placed"]).await;
    assert_eq!(t.candidate_reason(hire).await, None);
}

#[tokio::test]
async fn a_quiet_candidate_of_a_cancelled_job_is_not_gone_dark() {
    let t = acme().await;
    let job = t.job("Engineer").await;
    let ann = quiet_candidate(&t, "Ann").await;
    t.apply(job, ann, "screening").await;
    assert_eq!(t.candidate_reason(ann).await.as_deref(), Some("gone_dark"));
    t.set_status(job, "cancelled").await;
    assert_eq!(
        t.candidate_reason(ann).await,
        None,
        "no longer in an active pipeline"
    );
}

// --- decision makers with an open job turn hot ---

#[tokio::test]
async fn a_dm_whose_job_order_is_created_open_becomes_hot() {
    let t = acme().await;
    let temperature = |dm: i64| temperature_of(&t, dm);
    assert_eq!(temperature(t.dm).await, "cold");
    t.create(
        "/jobs",
        &t.rob,
        json!({"title": "Engineer", "company_id": t.company, "decision_maker_id": t.dm}),
    )
    .await;
    assert_eq!(temperature(t.dm).await, "hot");

    // a job created on hold does not; opening it later does
    let other = t
        .create(
            "/decision-makers",
            &t.mia,
            json!({"name": "Ivo", "company_id": t.company, "temperature": "warm"}),
        )
        .await;
    let held = t
        .create(
            "/jobs",
            &t.rob,
            json!({"title": "Analyst", "company_id": t.company, "decision_maker_id": other, "status": "on_hold"}),
        )
        .await;
    assert_eq!(temperature(other).await, "warm");
    t.set_status(held, "open").await;
    assert_eq!(temperature(other).await, "hot");
}

async fn temperature_of(t: &Acme, dm: i64) -> String {
    let (status, body) = t.get(&format!("/decision-makers/{dm}"), &t.rob).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body["temperature"].as_str().unwrap().to_string()
}

// --- moves that skip the due refresh ---

/// The candidate's row on the due list, as text (without when it was built).
async fn due_row(t: &Acme, candidate: i64) -> Option<String> {
    sqlx::query_scalar(
        "select (to_jsonb(d) - 'built_at')::text from due_items d \
         where contact_kind = 'candidate' and contact_id = $1",
    )
    .bind(candidate)
    .fetch_optional(&t.app.db)
    .await
    .unwrap()
}

#[tokio::test]
async fn after_every_move_the_due_list_is_what_a_full_refresh_makes_of_it() {
    // A move recomputes the candidate's item only when it can change it; walk a candidate who
    // can go dark through every kind of move and check each against a forced refresh.
    let t = acme().await;
    let job = t.job("Engineer").await;
    let ann = quiet_candidate(&t, "Ann").await;
    let application = t.apply(job, ann, "sourced").await;
    let path = [
        "contacted",
        "screening",
        "presented",
        "interviewing",
        "offer",
        "placed",
        "offer",
        "rejected",
        "sourced",
        "withdrawn",
        "screening",
        "withdrawn",
        "contacted",
    ];
    for stage in path {
        t.walk(application, &[stage]).await;
        let after_move = due_row(&t, ann).await;
        let mut tx = t.app.db.begin().await.unwrap();
        let lock = secondcall::due::engine::lock_contact(
            &mut tx,
            secondcall::domain::cadence::ContactKind::Candidate,
            ann,
        )
        .await
        .unwrap();
        secondcall::due::engine::refresh_contact(
            &mut tx,
            t.team_id,
            &lock,
            (chrono::Utc::now(), chrono_tz::UTC),
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
        assert_eq!(
            due_row(&t, ann).await,
            after_move,
            "after the move to {stage}"
        );
    }
}
