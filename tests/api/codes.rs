//! Codes at the database boundary: a stored code that no vocabulary knows fails the query
//! (never a guess), and the SQL definition of an attempt (`is_attempt`) is planned as the
//! condition written out, so the partial attempts indexes keep serving it.

use secondcall::accounts::Role;
use secondcall::db::codes::{RunStatus, RunTrigger, WeekdayCode, ZoneName};
use secondcall::db::users;
use secondcall::domain::cadence::{
    Approach, Channel, ContactKind, Direction, EventKind, Outcome, Reason, Temperature,
};
use secondcall::domain::pipeline::{JobStatus, Stage};
use sqlx::{PgPool, Postgres};

use crate::helpers::{TestApp, fresh_database};

/// `code` read back from PostgreSQL as a `T`, through sqlx's decoding.
async fn read<T>(db: &PgPool, code: &str) -> Result<T, sqlx::Error>
where
    T: for<'r> sqlx::Decode<'r, Postgres> + sqlx::Type<Postgres> + Send + Unpin,
{
    sqlx::query_scalar::<_, T>("select $1::text")
        .bind(code)
        .fetch_one(db)
        .await
}

/// `value` written as a parameter and read back as text.
async fn written<T>(db: &PgPool, value: T) -> String
where
    T: for<'q> sqlx::Encode<'q, Postgres> + sqlx::Type<Postgres> + Send + 'static,
{
    sqlx::query_scalar("select $1::text")
        .bind(value)
        .fetch_one(db)
        .await
        .unwrap()
}

fn is_decode_error<T: std::fmt::Debug>(r: &Result<T, sqlx::Error>) -> bool {
    matches!(r, Err(sqlx::Error::ColumnDecode { .. }))
}

#[tokio::test]
async fn a_stored_code_no_vocabulary_knows_fails_the_query() {
    let (db, _) = fresh_database().await;
    assert!(is_decode_error(&read::<ContactKind>(&db, "prospect").await));
    assert!(is_decode_error(&read::<Temperature>(&db, "tepid").await));
    assert!(is_decode_error(&read::<Channel>(&db, "fax").await));
    assert!(is_decode_error(&read::<Direction>(&db, "sideways").await));
    assert!(is_decode_error(&read::<Outcome>(&db, "maybe").await));
    assert!(is_decode_error(&read::<Approach>(&db, "shouting").await));
    assert!(is_decode_error(&read::<Reason>(&db, "just_because").await));
    assert!(is_decode_error(&read::<EventKind>(&db, "rumour").await));
    assert!(is_decode_error(&read::<Stage>(&db, "hired").await));
    assert!(is_decode_error(&read::<JobStatus>(&db, "paused").await));
    assert!(is_decode_error(&read::<Role>(&db, "boss").await));
    assert!(is_decode_error(&read::<RunTrigger>(&db, "cron").await));
    assert!(is_decode_error(&read::<RunStatus>(&db, "done").await));
    assert!(is_decode_error(&read::<ZoneName>(&db, "Mars/Base").await));
    assert!(is_decode_error(&read::<WeekdayCode>(&db, "monday").await));
    // and a known one reads and writes as its code
    assert_eq!(read::<Channel>(&db, "call").await.unwrap(), Channel::Call);
    assert_eq!(
        read::<ZoneName>(&db, "Asia/Tokyo").await.unwrap(),
        ZoneName(chrono_tz::Asia::Tokyo)
    );
    assert_eq!(written(&db, Outcome::VoicemailLeft).await, "voicemail_left");
    let stages: String = sqlx::query_scalar("select array_to_string($1::text[], ',')")
        .bind(vec![Stage::Offer, Stage::Placed])
        .fetch_one(&db)
        .await
        .unwrap();
    assert_eq!(stages, "offer,placed");
    assert_eq!(written(&db, Some(Reason::SignOff)).await, "sign_off");
}

#[tokio::test]
async fn a_user_whose_stored_zone_is_unknown_is_an_error_not_utc() {
    let app = TestApp::spawn().await;
    let team = app.create_team("Acme", "mia@acme.test").await;
    let id = app.create_user(team, "rob@acme.test", "recruiter").await;
    assert!(users::find_in_team(&app.db, team, id).await.is_ok());
    // no check constraint guards the column: a name chrono-tz no longer knows could be there
    sqlx::query("update users set time_zone = 'Mars/Base' where id = $1")
        .bind(id)
        .execute(&app.db)
        .await
        .unwrap();
    let found = users::find_in_team(&app.db, team, id).await;
    assert!(is_decode_error(&found), "{found:?}");
}

/// The plan of `sql` (a statement without parameters) with every index of `touches` but the
/// primary key and the two partial attempts indexes out of the way (in a transaction rolled back
/// at the end): a plan that uses one of them proves its predicate matched the query's condition.
async fn plan_with_only_attempt_indexes(db: &PgPool, sql: &str) -> String {
    let mut tx = db.begin().await.unwrap();
    let others: Vec<String> = sqlx::query_scalar(
        "select indexname::text from pg_indexes where tablename = 'touches' \
         and indexname not in ('touches_pkey', 'touches_dm_attempt_idx', 'touches_dm_attempt_time_idx')",
    )
    .fetch_all(&mut *tx)
    .await
    .unwrap();
    for name in others {
        // our own index names, read from the catalog
        sqlx::query(&format!("drop index {name}"))
            .execute(&mut *tx)
            .await
            .unwrap();
    }
    sqlx::query("set local enable_seqscan = off")
        .execute(&mut *tx)
        .await
        .unwrap();
    let lines: Vec<String> = sqlx::query_scalar(&format!("explain (costs off, verbose) {sql}"))
        .fetch_all(&mut *tx)
        .await
        .unwrap();
    tx.rollback().await.unwrap();
    lines.join("\n")
}

#[tokio::test]
async fn the_attempt_function_is_inlined_and_served_by_the_partial_attempts_indexes() {
    let (db, _) = fresh_database().await;
    let written_out = "t.direction = 'outbound' and t.channel <> 'note' \
                       and t.outcome not in ('bounced', 'wrong_number')";
    let called = "is_attempt(t.direction, t.channel, t.outcome)";
    // the shapes that run: a DM's first attempt (the refresh trigger) and a period's attempted
    // DMs (the coverage figure)
    let queries = [
        "select t.occurred_at, t.id, t.author_id from touches t \
         where t.team_id = 1 and t.decision_maker_id = 2 and t.deleted_at is null and {attempt} \
         order by t.occurred_at, t.id limit 1",
        "select distinct t.decision_maker_id from touches t \
         where t.team_id = 1 and t.decision_maker_id is not null and t.deleted_at is null and {attempt} \
           and t.occurred_at >= '2026-09-01' and t.occurred_at < '2026-12-01'",
    ];
    for q in queries {
        let with_call = plan_with_only_attempt_indexes(&db, &q.replace("{attempt}", called)).await;
        let with_text =
            plan_with_only_attempt_indexes(&db, &q.replace("{attempt}", written_out)).await;
        assert!(
            !with_call.contains("is_attempt"),
            "not inlined:\n{with_call}"
        );
        assert!(
            with_call.contains("touches_dm_attempt"),
            "the attempts index is not used:\n{with_call}"
        );
        assert_eq!(with_call, with_text);
    }
}

#[tokio::test]
async fn the_attempt_function_counts_what_the_rules_count() {
    let (db, _) = fresh_database().await;
    for direction in Direction::ALL {
        for channel in Channel::ALL {
            for outcome in Outcome::ALL {
                let sql: bool = sqlx::query_scalar("select is_attempt($1, $2, $3)")
                    .bind(direction)
                    .bind(channel)
                    .bind(outcome)
                    .fetch_one(&db)
                    .await
                    .unwrap();
                let fact = secondcall::domain::cadence::TouchFact {
                    id: 1,
                    at: chrono::Utc::now(),
                    channel,
                    direction,
                    outcome,
                    next_step_on: None,
                    approach: Approach::Standard,
                };
                assert_eq!(sql, fact.is_attempt(), "{direction} {channel} {outcome}");
            }
        }
    }
}
