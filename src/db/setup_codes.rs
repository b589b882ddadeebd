//! The hashes of the one-time setup codes of a public server's first run.

use sqlx::PgExecutor;

/// Stores the hash of a code an instance printed.
pub async fn insert(db: impl PgExecutor<'_>, hash: &[u8]) -> sqlx::Result<()> {
    sqlx::query("insert into setup_codes (code_hash) values ($1) on conflict do nothing")
        .bind(hash)
        .execute(db)
        .await
        .map(|_| ())
}

/// Whether a code with this hash was printed by some instance (and no team exists since).
pub async fn exists(db: impl PgExecutor<'_>, hash: &[u8]) -> sqlx::Result<bool> {
    sqlx::query_scalar("select exists(select 1 from setup_codes where code_hash = $1)")
        .bind(hash)
        .fetch_one(db)
        .await
}

/// Forgets every code: the first team exists, and setup is closed for good.
pub async fn delete_all(db: impl PgExecutor<'_>) -> sqlx::Result<()> {
    sqlx::query("delete from setup_codes")
        .execute(db)
        .await
        .map(|_| ())
}
