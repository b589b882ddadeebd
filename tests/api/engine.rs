//! The engine against a real database: refresh after a touch, rebuilds, replayed dates, runs.

use chrono::{Duration, NaiveDate, Utc};
use secondcall::actions::input::{ContactInput, TouchInput};
use secondcall::actions::{contacts, touches};
use secondcall::background::nightly::Trigger;
use secondcall::db::users::{self, User};
use secondcall::domain::cadence::{ContactKind, Reason};
use secondcall::due::engine;
use secondcall::due::rebuilds::Started;
use secondcall::due::runs::RunTrigger;

use crate::helpers::TestApp;

pub async fn user(app: &TestApp, email: &str) -> User {
    users::find_by_email(&app.db, email).await.unwrap().unwrap()
}

pub async fn new_dm(app: &TestApp, owner: &User, name: &str, temperature: &str) -> i64 {
    let input = ContactInput {
        name: name.into(),
        phone: "+1 212 555 0100".into(),
        email: format!("{}@client.test", name.to_lowercase().replace(' ', ".")),
        temperature: temperature.into(),
        ..Default::default()
    };
    let w = input.parse(ContactKind::DecisionMaker, owner.id).unwrap();
    contacts::create(&app.ctx(), owner, ContactKind::DecisionMaker, &w)
        .await
        .unwrap()
}

pub async fn log_call(
    app: &TestApp,
    by: &User,
    kind: ContactKind,
    id: i64,
    outcome: &str,
    days_ago: i64,
    next: Option<NaiveDate>,
) -> i64 {
    let input = TouchInput {
        channel: "call".into(),
        outcome: outcome.into(),
        occurred_at: Some(Utc::now() - Duration::days(days_ago)),
        next_step_on: next,
        ..Default::default()
    };
    let w = input.parse(by.tz(), Utc::now()).unwrap();
    touches::log(&app.ctx(), by, kind, id, &w)
        .await
        .unwrap()
        .touch_id
}

async fn due_reason(app: &TestApp, kind: ContactKind, id: i64) -> Option<String> {
    sqlx::query_scalar("select reason from due_items where contact_kind = $1 and contact_id = $2")
        .bind(kind.as_str())
        .bind(id)
        .fetch_optional(&app.db)
        .await
        .unwrap()
}

#[tokio::test]
async fn a_touch_updates_the_contacts_item_at_once() {
    let app = TestApp::spawn().await;
    let team = app.create_team("Acme", "mia@acme.test").await;
    app.create_user(team, "rob@acme.test", "recruiter").await;
    let rob = user(&app, "rob@acme.test").await;
    let dm = new_dm(&app, &rob, "Dana Client", "warm").await;
    assert_eq!(
        due_reason(&app, ContactKind::DecisionMaker, dm).await,
        None,
        "never attempted: not due"
    );

    log_call(
        &app,
        &rob,
        ContactKind::DecisionMaker,
        dm,
        "no_answer",
        14,
        None,
    )
    .await;
    assert_eq!(
        due_reason(&app, ContactKind::DecisionMaker, dm)
            .await
            .as_deref(),
        Some("second_call")
    );

    let next = engine::today_at(chrono::Utc::now(), rob.tz()) + Duration::days(10);
    log_call(
        &app,
        &rob,
        ContactKind::DecisionMaker,
        dm,
        "connected",
        0,
        Some(next),
    )
    .await;
    assert_eq!(
        due_reason(&app, ContactKind::DecisionMaker, dm).await,
        None,
        "the second call settles it"
    );
    let settled: Option<i64> = sqlx::query_scalar("select settled_by_touch_id from due_item_history where contact_id = $1 and reason = 'second_call'")
        .bind(dm).fetch_one(&app.db).await.unwrap();
    assert!(settled.is_some(), "the history says which touch settled it");
}

#[tokio::test]
async fn after_a_touch_the_refresh_knows_its_transaction_holds_the_owners_stamp() {
    use secondcall::due::store;
    let app = TestApp::spawn().await;
    let team = app.create_team("Acme", "mia@acme.test").await;
    app.create_user(team, "rob@acme.test", "recruiter").await;
    let rob = user(&app, "rob@acme.test").await;
    let mia = user(&app, "mia@acme.test").await;
    let dm = new_dm(&app, &rob, "Dana Client", "warm").await;
    let w = TouchInput {
        channel: "call".into(),
        outcome: "no_answer".into(),
        ..Default::default()
    }
    .parse(rob.tz(), Utc::now())
    .unwrap();

    for author in [&rob, &mia] {
        let mut tx = app.db.begin().await.unwrap();
        let (before, _) = store::stored(&mut tx, team, ContactKind::DecisionMaker, dm, Utc::now())
            .await
            .unwrap()
            .unwrap();
        assert!(
            !before.stamp_held,
            "nothing written yet: the refresh locks the stamp itself"
        );
        let (_, lock) = engine::insert_touch(
            &mut tx,
            team,
            (ContactKind::DecisionMaker, dm),
            author.id,
            &w,
        )
        .await
        .unwrap()
        .expect("a live contact");
        assert!(
            !contact_lock_free(&app, ContactKind::DecisionMaker, dm).await,
            "the insert took the contact's lock ({lock:?})"
        );
        let (after, _) = store::stored(&mut tx, team, ContactKind::DecisionMaker, dm, Utc::now())
            .await
            .unwrap()
            .unwrap();
        assert!(
            after.stamp_held,
            "the insert moved the owner's stamp (by {})",
            author.email
        );
        assert_eq!(after.list_stamp, before.list_stamp + 1);
        // and the row is this transaction's: another one cannot lock it until this one ends
        let mut other = app.db.acquire().await.unwrap();
        let locked: Option<i64> =
            sqlx::query_scalar("select id from users where id = $1 for no key update skip locked")
                .bind(rob.id)
                .fetch_optional(&mut *other)
                .await
                .unwrap();
        assert_eq!(
            locked, None,
            "the owner's row is locked by the touch's transaction"
        );
        tx.rollback().await.unwrap();
    }
}

#[tokio::test]
async fn two_rebuilds_give_the_same_list() {
    let app = TestApp::spawn().await;
    let team = app.create_team("Acme", "mia@acme.test").await;
    let mia = user(&app, "mia@acme.test").await;
    for i in 0..20 {
        let dm = new_dm(
            &app,
            &mia,
            &format!("Client {i}"),
            ["hot", "warm", "cold"][i % 3],
        )
        .await;
        log_call(
            &app,
            &mia,
            ContactKind::DecisionMaker,
            dm,
            "no_answer",
            3 + i as i64 * 7,
            None,
        )
        .await;
        if i % 2 == 0 {
            log_call(
                &app,
                &mia,
                ContactKind::DecisionMaker,
                dm,
                "voicemail_left",
                2 + i as i64 * 3,
                None,
            )
            .await;
        }
    }
    let snapshot = || async {
        sqlx::query_as::<_, (i64, String, NaiveDate, String)>(
            "select contact_id, reason, due_on, why from due_items order by contact_id",
        )
        .fetch_all(&app.db)
        .await
        .unwrap()
    };
    let refreshed = snapshot().await;
    let Started::Done(first) = app
        .state
        .rebuilds
        .run_now(team, RunTrigger::Manual, None)
        .await
        .unwrap()
    else {
        panic!("no other rebuild is running");
    };
    let after_first = snapshot().await;
    let Started::Done(second) = app
        .state
        .rebuilds
        .run_now(team, RunTrigger::Manual, None)
        .await
        .unwrap()
    else {
        panic!("no other rebuild is running");
    };
    assert_eq!(first, second);
    assert_eq!(after_first, snapshot().await, "idempotent");
    assert_eq!(
        refreshed, after_first,
        "the nightly rebuild agrees with the updates made after each touch"
    );
    assert!(first.items > 0);
    let runs: Vec<(String, i32)> =
        sqlx::query_as("select status, users_rebuilt from due_runs order by id")
            .fetch_all(&app.db)
            .await
            .unwrap();
    assert_eq!(runs, vec![("ok".to_string(), 1), ("ok".to_string(), 1)]);
    let open: i64 =
        sqlx::query_scalar("select count(*) from due_item_history where settled_at is null")
            .fetch_one(&app.db)
            .await
            .unwrap();
    assert_eq!(
        open,
        i64::try_from(first.items).unwrap(),
        "one open history row per item, not one per rebuild"
    );
}

#[tokio::test]
async fn a_rebuild_that_dies_half_way_leaves_the_old_list_whole() {
    let app = TestApp::spawn().await;
    let team = app.create_team("Acme", "mia@acme.test").await;
    let mia = user(&app, "mia@acme.test").await;
    let dm = new_dm(&app, &mia, "Dana Client", "warm").await;
    log_call(
        &app,
        &mia,
        ContactKind::DecisionMaker,
        dm,
        "no_answer",
        10,
        None,
    )
    .await;
    let before: Vec<(i64, String)> = sqlx::query_as("select contact_id, reason from due_items")
        .fetch_all(&app.db)
        .await
        .unwrap();
    assert_eq!(before.len(), 1);

    let settings = secondcall::db::settings::load(&app.db, team).await.unwrap();
    let mut tx = app.db.begin().await.unwrap();
    // a replay of a date before any touch: the list would be empty...
    let replay = NaiveDate::from_ymd_opt(2020, 1, 6).unwrap();
    engine::rebuild_user_in(&mut tx, &mia, &settings, Some(replay), chrono::Utc::now())
        .await
        .unwrap();
    let inside: i64 = sqlx::query_scalar("select count(*) from due_items")
        .fetch_one(&mut *tx)
        .await
        .unwrap();
    assert_eq!(inside, 0);
    // ...but the process dies before the commit.
    drop(tx);
    let after: Vec<(i64, String)> = sqlx::query_as("select contact_id, reason from due_items")
        .fetch_all(&app.db)
        .await
        .unwrap();
    assert_eq!(before, after);
}

#[tokio::test]
async fn a_replayed_date_counts_only_what_was_known_by_its_end() {
    let app = TestApp::spawn().await;
    let team = app.create_team("Acme", "mia@acme.test").await;
    let mia = user(&app, "mia@acme.test").await;
    let dm = new_dm(&app, &mia, "Dana Client", "warm").await;
    log_call(
        &app,
        &mia,
        ContactKind::DecisionMaker,
        dm,
        "no_answer",
        20,
        None,
    )
    .await;
    log_call(
        &app,
        &mia,
        ContactKind::DecisionMaker,
        dm,
        "no_answer",
        2,
        None,
    )
    .await;
    let settings = secondcall::db::settings::load(&app.db, team).await.unwrap();
    let today = engine::today_at(chrono::Utc::now(), mia.tz());
    let mut conn = app.db.acquire().await.unwrap();
    // Ten days ago only the first call had happened: the second call was due.
    let then = engine::compute_user(&mut conn, &mia, &settings, today - Duration::days(10))
        .await
        .unwrap();
    assert_eq!(
        then[0].item.as_ref().map(|i| i.reason),
        Some(Reason::SecondCall)
    );
    // Today both calls count: nothing is due yet (the warm cycle is 30 days).
    let now = engine::compute_user(&mut conn, &mia, &settings, today)
        .await
        .unwrap();
    assert_eq!(now[0].item, None);
}

#[tokio::test]
async fn two_instances_on_one_database_rebuild_once() {
    let app = TestApp::spawn().await;
    let team = app.create_team("Acme", "mia@acme.test").await;
    app.create_user(team, "rob@acme.test", "recruiter").await;
    app.create_user(team, "sue@acme.test", "recruiter").await;
    let rob = user(&app, "rob@acme.test").await;
    let dm = new_dm(&app, &rob, "Dana Client", "warm").await;
    log_call(
        &app,
        &rob,
        ContactKind::DecisionMaker,
        dm,
        "no_answer",
        12,
        None,
    )
    .await;
    // Forget every list: all three users are behind.
    sqlx::query("delete from due_lists")
        .execute(&app.db)
        .await
        .unwrap();
    let stop = tokio_util::sync::CancellationToken::new();
    let (state, other) = (&app.state, &app.state);
    let (a, b) = tokio::join!(
        secondcall::background::nightly::run_once(
            &state.db,
            &state.clock,
            &state.rebuilds,
            Trigger::Nightly,
            &stop
        ),
        secondcall::background::nightly::run_once(
            &other.db,
            &other.clock,
            &other.rebuilds,
            Trigger::Nightly,
            &stop
        )
    );
    let (a, b) = (a.unwrap().unwrap_or(0), b.unwrap().unwrap_or(0));
    assert_eq!(a + b, 3, "each user rebuilt exactly once");
    let runs: i64 = sqlx::query_scalar("select count(*) from due_runs where trigger = 'nightly'")
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert_eq!(runs, 1);
    // A later tick finds nothing behind.
    assert_eq!(
        secondcall::background::nightly::run_once(
            &state.db,
            &state.clock,
            &state.rebuilds,
            Trigger::Nightly,
            &stop
        )
        .await
        .unwrap(),
        Some(0)
    );
    assert_eq!(
        due_reason(&app, ContactKind::DecisionMaker, dm)
            .await
            .as_deref(),
        Some("second_call")
    );
}

/// The facts of one contact (the refresh after a write: one statement, its touches read beside it
/// as arrays) are the facts the owner's rebuild gathers for it (the contacts and their touches in
/// two statements), for both kinds, at two bounds (now, and a month back, which leaves out the
/// later touches), and an archived contact has none.
#[tokio::test]
async fn one_contacts_facts_are_what_the_rebuild_gathers_for_it() {
    use secondcall::db::facts::{self, Scope};
    use secondcall::due::store;
    let app = crate::today::seeded_recruiter().await;
    let (team, owner): (i64, i64) =
        sqlx::query_as("select team_id, id from users where email = 'recruiter001@bench.test'")
            .fetch_one(&app.db)
            .await
            .unwrap();
    let archived: i64 = sqlx::query_scalar(
        "update candidates set archived_at = now() \
         where id = (select min(id) from candidates where owner_id = $1) returning id",
    )
    .bind(owner)
    .fetch_one(&app.db)
    .await
    .unwrap();
    // news on the companies of every third of the owner's contacts (two weeks and two days ago),
    // so the comparison below meets news whatever the seed logged
    sqlx::query(
        "insert into company_events (team_id, company_id, kind, summary, occurred_on, logged_at) \
         select $1, company_id, 'funding', 'Raised a round', (now() - d)::date, now() - d \
         from (select distinct company_id from decision_makers \
               where owner_id = $2 and company_id is not null and id % 3 = 0 \
               union select distinct company_id from candidates \
               where owner_id = $2 and company_id is not null and id % 3 = 0) c \
         cross join (values (interval '14 days'), (interval '2 days')) x(d)",
    )
    .bind(team)
    .bind(owner)
    .execute(&app.db)
    .await
    .unwrap();
    let mut conn = app.db.acquire().await.unwrap();
    for until in [
        Utc::now() + Duration::days(1),
        Utc::now() - Duration::days(30),
    ] {
        for kind in [ContactKind::DecisionMaker, ContactKind::Candidate] {
            let all = facts::gather(&mut conn, team, kind, Scope::Owner(owner), until)
                .await
                .unwrap();
            assert!(all.len() > 100, "the seed gives the owner many {kind:?}s");
            let (mut compared, mut with_news) = (0, 0);
            for whole in all.iter().step_by(7) {
                let one = facts::gather(&mut conn, team, kind, Scope::Contact(whole.id), until)
                    .await
                    .unwrap();
                assert_eq!(one.len(), 1, "{kind:?} {}", whole.id);
                assert_eq!(one[0].owner_id, whole.owner_id);
                assert_eq!(one[0].facts, whole.facts, "{kind:?} {}", whole.id);
                // and the same facts beside the stored state, the read of a write's refresh
                let (stored, beside) = store::stored(&mut conn, team, kind, whole.id, until)
                    .await
                    .unwrap()
                    .unwrap();
                assert_eq!(stored.owner_id, owner);
                let beside = beside.expect("a live contact has facts");
                assert_eq!(beside.facts, whole.facts, "{kind:?} {}", whole.id);
                compared += usize::from(!whole.facts.touches.is_empty());
                with_news += usize::from(!whole.facts.news_logged.is_empty());
            }
            assert!(compared > 10, "contacts with touches were compared");
            if until > Utc::now() {
                assert!(
                    with_news > 5,
                    "contacts with news were compared ({with_news})"
                );
            }
        }
    }
    let none = facts::gather(
        &mut conn,
        team,
        ContactKind::Candidate,
        Scope::Contact(archived),
        Utc::now(),
    )
    .await
    .unwrap();
    assert!(none.is_empty(), "an archived contact has no facts");
    let (_, beside) = store::stored(
        &mut conn,
        team,
        ContactKind::Candidate,
        archived,
        Utc::now(),
    )
    .await
    .unwrap()
    .expect("an archived contact still has its stored state");
    assert!(beside.is_none(), "and no facts beside it");
}

/// A touch on a contact that is not live (archived, or another team's) writes nothing and takes no
/// lock: the insert's lock is behind its check of the contact.
#[tokio::test]
async fn a_touch_on_no_live_contact_writes_and_locks_nothing() {
    let app = TestApp::spawn().await;
    let team = app.create_team("Acme", "mia@acme.test").await;
    let other_team = app.create_team("Other", "olga@other.test").await;
    let mia = user(&app, "mia@acme.test").await;
    let dm = new_dm(&app, &mia, "Gone Client", "warm").await;
    sqlx::query("update decision_makers set archived_at = now() where id = $1")
        .bind(dm)
        .execute(&app.db)
        .await
        .unwrap();
    let w = TouchInput {
        channel: "call".into(),
        outcome: "no_answer".into(),
        ..Default::default()
    }
    .parse(mia.tz(), Utc::now())
    .unwrap();
    for t in [team, other_team] {
        let mut tx = app.db.begin().await.unwrap();
        let logged = engine::insert_touch(&mut tx, t, (ContactKind::DecisionMaker, dm), mia.id, &w)
            .await
            .unwrap();
        assert!(logged.is_none(), "team {t}: no live contact, no touch");
        assert!(
            contact_lock_free(&app, ContactKind::DecisionMaker, dm).await,
            "team {t}: no lock was taken"
        );
        tx.rollback().await.unwrap();
    }
    let touches: i64 =
        sqlx::query_scalar("select count(*) from touches where decision_maker_id = $1")
            .bind(dm)
            .fetch_one(&app.db)
            .await
            .unwrap();
    assert_eq!(touches, 0);
}

/// Whether another connection could take the contact's lock now (it lets go at once: outside a
/// transaction the try ends with its statement).
async fn contact_lock_free(app: &TestApp, kind: ContactKind, id: i64) -> bool {
    let (space, key) = secondcall::due::locks::contact_lock_key(kind, id);
    sqlx::query_scalar("select pg_try_advisory_xact_lock($1, $2)")
        .bind(space)
        .bind(key)
        .fetch_one(&app.db)
        .await
        .unwrap()
}

/// A write's refresh reads the contact's facts beside its stored state, bounded by the end of the
/// writer's day (the likely owner's); when the owner's day ends at another instant, it reads them
/// again with the owner's bound: the answer is the owner's, whoever writes.
#[tokio::test]
async fn a_refresh_by_a_writer_in_another_zone_decides_on_the_owners_day() {
    use secondcall::db::facts;
    let app = TestApp::spawn().await;
    let team = app.create_team("Acme", "mia@acme.test").await;
    app.create_user(team, "rob@acme.test", "recruiter").await;
    for (email, zone) in [
        ("rob@acme.test", chrono_tz::Pacific::Kiritimati),
        ("mia@acme.test", chrono_tz::Pacific::Pago_Pago),
    ] {
        let u = user(&app, email).await;
        assert!(
            users::set_time_zone(&app.db, team, u.id, zone)
                .await
                .unwrap()
        );
    }
    let rob = user(&app, "rob@acme.test").await;
    let mia = user(&app, "mia@acme.test").await;
    let dm = new_dm(&app, &rob, "Dana Client", "warm").await;
    // a first call a week ago: the second call is due
    log_call(
        &app,
        &rob,
        ContactKind::DecisionMaker,
        dm,
        "no_answer",
        7,
        None,
    )
    .await;
    // Rob's day (UTC+14) always ends an hour before Mia's (UTC-11, a day behind). The second call
    // is snoozed since an hour ago; a second snooze is set in that hour (in Rob's tomorrow). By the
    // end of Rob's day the latest snooze is the first, which holds; by the end of Mia's it is the
    // second, set after Rob's today and so not yet in force: the item would show.
    // at noon UTC Kiritimati's date is a day ahead of Pago Pago's; between 10:00 and 11:00 UTC
    // it is two days ahead, and the two days' ends are 23 hours apart the other way
    let now = Utc::now()
        .date_naive()
        .and_hms_opt(12, 0, 0)
        .unwrap()
        .and_utc();
    let robs_end = facts::end_of_day(engine::today_at(now, rob.tz()), rob.tz());
    let mias_end = facts::end_of_day(engine::today_at(now, mia.tz()), mia.tz());
    assert_eq!(mias_end - robs_end, Duration::hours(1));
    let mut conn = app.db.acquire().await.unwrap();
    let (_, due, today) =
        engine::contact_state(&mut conn, team, ContactKind::DecisionMaker, dm, now)
            .await
            .unwrap()
            .unwrap();
    let reason = due.item.expect("the second call is due").reason;
    for created_at in [now - Duration::hours(1), robs_end + Duration::minutes(30)] {
        sqlx::query(
            "insert into due_snoozes (team_id, contact_kind, contact_id, reason, until, created_by, created_at) \
             values ($1, 'decision_maker', $2, $3, $4, $5, $6)",
        )
        .bind(team)
        .bind(dm)
        .bind(reason.as_str())
        .bind(today + Duration::days(10))
        .bind(rob.id)
        .bind(created_at)
        .execute(&app.db)
        .await
        .unwrap();
    }
    let (_, owners, _) =
        engine::contact_state(&mut conn, team, ContactKind::DecisionMaker, dm, now)
            .await
            .unwrap()
            .unwrap();
    assert_eq!(owners.item, None, "snoozed on Rob's day");
    drop(conn);

    for writer in [&mia, &rob] {
        let mut tx = app.db.begin().await.unwrap();
        let lock = engine::lock_contact(&mut tx, ContactKind::DecisionMaker, dm)
            .await
            .unwrap();
        let refreshed = engine::refresh_contact(&mut tx, team, &lock, (now, writer.tz()))
            .await
            .unwrap();
        assert_eq!(refreshed, owners, "written by {}", writer.email);
        tx.rollback().await.unwrap();
    }
}
