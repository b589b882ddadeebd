//! The benchmark seed: a small team, deterministic, consistent with what the engine and the
//! reports read.

use secondcall::config::SeedArgs;
use secondcall::due::runs::RunTrigger;

fn args(seed: u64) -> SeedArgs {
    SeedArgs {
        recruiters: 3,
        decision_makers: 60,
        candidates: 90,
        touches: 1500,
        seed,
        team: "Bench".into(),
    }
}

#[tokio::test]
async fn a_small_seed_is_deterministic_and_rebuilds_like_any_team() {
    let (a, _) = crate::helpers::fresh_database().await;
    let (b, _) = crate::helpers::fresh_database().await;
    let ra = secondcall::dev::seed::run(&a, &args(7)).await.unwrap();
    let rb = secondcall::dev::seed::run(&b, &args(7)).await.unwrap();
    assert_eq!(rb.touches, ra.touches);
    assert_eq!(
        (ra.users, ra.decision_makers, ra.candidates, ra.touches),
        (3, 60, 90, 1500)
    );
    let shape = "select channel || ':' || outcome || ':' || coalesce(decision_maker_id, -candidate_id) from touches order by id";
    let ta: Vec<String> = sqlx::query_scalar(shape).fetch_all(&a).await.unwrap();
    let tb: Vec<String> = sqlx::query_scalar(shape).fetch_all(&b).await.unwrap();
    assert_eq!(ta, tb, "the same seed gives the same touches");

    // The reports' table of first attempts (and the DMs' marker of it) is filled even though the
    // load skipped triggers.
    let attempted: i64 = sqlx::query_scalar(
        "select count(distinct decision_maker_id) from touches where decision_maker_id is not null and direction = 'outbound' \
         and channel <> 'note' and outcome not in ('bounced', 'wrong_number')",
    )
    .fetch_one(&a)
    .await
    .unwrap();
    let firsts: i64 = sqlx::query_scalar("select count(*) from dm_first_attempts")
        .fetch_one(&a)
        .await
        .unwrap();
    assert_eq!(firsts, attempted);
    let tried: i64 = sqlx::query_scalar("select count(*) from decision_makers where tried")
        .fetch_one(&a)
        .await
        .unwrap();
    assert_eq!(
        tried, attempted,
        "each attempted DM is marked, and only they"
    );

    let rebuilds = secondcall::due::rebuilds::Rebuilder::new(
        a.clone(),
        secondcall::clock::Clock::system(),
        None,
    );
    let secondcall::due::rebuilds::Started::Done(counts) = rebuilds
        .run_now(ra.team_id, RunTrigger::Command, None)
        .await
        .unwrap()
    else {
        panic!("no other rebuild runs on a fresh database");
    };
    assert_eq!(counts.users, 3);
    assert!(counts.items > 0, "a seeded team has follow-ups due");
}
