//! Connections kept out of their pool between uses (`db::kept`): the next use gets the same
//! connection as the last one left it, and a connection that may be broken is checked first and
//! replaced when it is.

use std::time::Duration;

use secondcall::db::kept::Kept;
use sqlx::PgPool;

use crate::helpers::fresh_database;

async fn kept(size: u32) -> (Kept, PgPool) {
    let (admin, options) = fresh_database().await;
    let pool = secondcall::db::connect(options, size).await.unwrap();
    (Kept::new(pool, size as usize), admin)
}

async fn backend(kept: &Kept) -> i32 {
    let mut conn = kept.get().await.unwrap();
    let pid = sqlx::query_scalar("select pg_backend_pid()")
        .fetch_one(&mut *conn)
        .await
        .unwrap();
    conn.done();
    pid
}

/// `n`, as PostgreSQL answers it on a kept connection: a use that ends well.
async fn echo(kept: &Kept, n: i32) -> i32 {
    let mut conn = kept.get().await.unwrap();
    let answer = sqlx::query_scalar("select $1")
        .bind(n)
        .fetch_one(&mut *conn)
        .await
        .unwrap();
    conn.done();
    answer
}

async fn end_backend(admin: &PgPool, pid: i32) {
    let ended: bool = sqlx::query_scalar("select pg_terminate_backend($1, 5000)")
        .bind(pid)
        .fetch_one(admin)
        .await
        .unwrap();
    assert!(ended);
}

#[tokio::test]
async fn the_next_use_gets_the_connection_the_last_one_left() {
    let (kept, _admin) = kept(2).await;
    assert_eq!(kept.kept(), 0, "nothing is taken before the first use");
    let first = backend(&kept).await;
    for _ in 0..5 {
        assert_eq!(backend(&kept).await, first);
    }
    assert_eq!(kept.kept(), 1);
    // two uses at once take two connections
    let a = kept.get().await.unwrap();
    let b = kept.get().await.unwrap();
    drop((a, b));
    assert_eq!(kept.kept(), 2);
    kept.close().await;
}

/// A use that failed, as a request does when PostgreSQL drops its connection: the next use checks
/// the connection first, finds it dead and takes another.
#[tokio::test]
async fn after_a_use_that_failed_the_connection_is_checked_and_replaced() {
    let (kept, admin) = kept(1).await;
    let first = backend(&kept).await;
    end_backend(&admin, first).await;
    let mut conn = kept.get().await.unwrap();
    let failed = sqlx::query("select 1").execute(&mut *conn).await;
    assert!(
        failed.is_err(),
        "used at once, the dead connection is not checked"
    );
    drop(conn);
    let second = backend(&kept).await;
    assert_ne!(second, first);
    assert_eq!(backend(&kept).await, second);
    kept.close().await;
}

/// A quiet spell: a connection unused for `db::PING_AFTER_IDLE` is checked before it is handed
/// out, so one PostgreSQL dropped meanwhile (a restart) fails no request.
#[tokio::test]
async fn a_connection_idle_for_a_while_is_checked_before_use() {
    let (kept, admin) = kept(1).await;
    let first = backend(&kept).await;
    end_backend(&admin, first).await;
    // the quiet spell is the scenario itself, not a wait for something to be ready
    tokio::time::sleep(secondcall::db::PING_AFTER_IDLE).await;
    assert_eq!(echo(&kept, 7).await, 7);
    assert_ne!(backend(&kept).await, first);
    kept.close().await;
}

/// A request dropped while its statement runs (the browser went away) leaves that statement's
/// answer unread on the connection: the next use reads past it and gets its own answer.
#[tokio::test]
async fn a_use_dropped_half_way_leaves_the_next_one_its_own_answers() {
    let (kept, _admin) = kept(1).await;
    let first = backend(&kept).await;
    {
        let mut conn = kept.get().await.unwrap();
        let slow =
            sqlx::query_scalar::<_, i32>("select 1 from pg_sleep(0.3)").fetch_one(&mut *conn);
        assert!(
            tokio::time::timeout(Duration::from_millis(50), slow)
                .await
                .is_err()
        );
    }
    for n in [41, 42] {
        assert_eq!(echo(&kept, n).await, n);
    }
    assert_eq!(
        backend(&kept).await,
        first,
        "the connection was sound: kept"
    );
    kept.close().await;
}

/// With every connection in use, a use waits for the first one back, and at shutdown the kept
/// connections go back to their pool, which closes.
#[tokio::test]
async fn a_use_waits_for_a_connection_and_close_hands_them_back() {
    let (kept, _admin) = kept(1).await;
    let kept = std::sync::Arc::new(kept);
    let held = kept.get().await.unwrap();
    let waiting = tokio::spawn({
        let kept = kept.clone();
        async move { echo(&kept, 3).await }
    });
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert!(
        !waiting.is_finished(),
        "it waits while the one connection is in use"
    );
    held.done();
    assert_eq!(waiting.await.unwrap(), 3);
    tokio::time::timeout(Duration::from_secs(5), kept.close())
        .await
        .expect("closing does not wait for connections that are only kept");
    assert!(kept.get().await.is_err(), "closed");
}

/// A write whose transaction is dropped without its commit (an error half-way through an action)
/// leaves its rollback queued on the kept connection: the next use sends it first, so that use
/// runs outside the dropped transaction and nothing of it was kept.
#[tokio::test]
async fn a_write_dropped_before_its_commit_is_rolled_back_before_the_next_use() {
    let (kept, admin) = kept(1).await;
    sqlx::query("create table kept_probe (n int)")
        .execute(&admin)
        .await
        .unwrap();
    {
        let mut conn = kept.get().await.unwrap();
        let mut tx = secondcall::db::begin_write(&mut conn).await.unwrap();
        sqlx::query("insert into kept_probe values (1)")
            .execute(&mut *tx)
            .await
            .unwrap();
        // an action returning its error here: the transaction and the connection are dropped
    }
    let mut conn = kept.get().await.unwrap();
    let (rows, in_transaction): (i64, bool) = sqlx::query_as(
        "select (select count(*) from kept_probe), \
                pg_current_xact_id_if_assigned() is not null",
    )
    .fetch_one(&mut *conn)
    .await
    .unwrap();
    conn.done();
    assert_eq!(rows, 0, "the dropped write was not kept");
    assert!(
        !in_transaction,
        "the next use is not inside the dropped transaction (which had written)"
    );
    kept.close().await;
}

/// A use waits for a connection at most `db::ACQUIRE_TIMEOUT`, as for a pooled one: then it is
/// refused (the request answers that the server is busy) rather than waiting on.
#[tokio::test]
async fn a_use_that_waits_too_long_is_refused() {
    let (kept, _admin) = kept(1).await;
    let held = kept.get().await.unwrap();
    let asked = tokio::time::Instant::now();
    let refused = kept.get().await;
    assert!(matches!(refused, Err(sqlx::Error::PoolTimedOut)));
    assert!(asked.elapsed() >= secondcall::db::ACQUIRE_TIMEOUT);
    held.done();
    assert!(
        backend(&kept).await > 0,
        "the connection serves again once back"
    );
    kept.close().await;
}
