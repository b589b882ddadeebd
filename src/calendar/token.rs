//! The secret in a feed URL: 32 random bytes, hex; only its SHA-256 is stored, one per user.

use rand::RngCore;
use sha2::{Digest, Sha256};
use sqlx::PgExecutor;

use crate::db::users::{self, User};

fn hash(secret: &str) -> Vec<u8> {
    Sha256::digest(secret.as_bytes()).to_vec()
}

/// A new secret for the user; the old one (if any) stops at once.
pub async fn replace(db: impl PgExecutor<'_>, user: &User) -> sqlx::Result<String> {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    let secret = hex::encode(bytes);
    sqlx::query(
        "insert into calendar_tokens (user_id, team_id, token_hash) values ($1, $2, $3) \
         on conflict (user_id) do update set token_hash = excluded.token_hash, created_at = now()",
    )
    .bind(user.id)
    .bind(user.team_id)
    .bind(hash(&secret))
    .execute(db)
    .await?;
    Ok(secret)
}

/// Turns the user's feed off; false when there was none.
pub async fn revoke(db: impl PgExecutor<'_>, user: &User) -> sqlx::Result<bool> {
    Ok(
        sqlx::query("delete from calendar_tokens where user_id = $1 and team_id = $2")
            .bind(user.id)
            .bind(user.team_id)
            .execute(db)
            .await?
            .rows_affected()
            == 1,
    )
}

/// When the user's current feed URL was made, if they have one.
pub async fn made_at(
    db: impl PgExecutor<'_>,
    user: &User,
) -> sqlx::Result<Option<chrono::DateTime<chrono::Utc>>> {
    sqlx::query_scalar("select created_at from calendar_tokens where user_id = $1 and team_id = $2")
        .bind(user.id)
        .bind(user.team_id)
        .fetch_optional(db)
        .await
}

/// The active user a secret belongs to.
pub async fn user_of(db: &sqlx::PgPool, secret: &str) -> sqlx::Result<Option<User>> {
    if secret.len() != 64 || !secret.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Ok(None);
    }
    let id: Option<i64> =
        sqlx::query_scalar("select user_id from calendar_tokens where token_hash = $1")
            .bind(hash(secret))
            .fetch_optional(db)
            .await?;
    match id {
        Some(id) => Ok(users::find_active(db, id).await?),
        None => Ok(None),
    }
}

/// The feed's path for a secret.
pub fn path(secret: &str) -> String {
    format!("/calendar/{secret}.ics")
}
