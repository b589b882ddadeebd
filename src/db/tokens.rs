//! API tokens of users, stored as SHA-256 hashes.

use chrono::{DateTime, Utc};
use sqlx::{FromRow, PgExecutor, PgPool};

use super::users::User;

/// A token as listed on the account page (never the token itself).
#[derive(Debug, Clone, FromRow)]
pub struct TokenRow {
    pub id: i64,
    pub name: String,
    pub created_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
}

/// Stores a new token's hash for a user.
pub async fn insert(
    db: impl PgExecutor<'_>,
    user: &User,
    name: &str,
    hash: &[u8],
) -> sqlx::Result<i64> {
    sqlx::query_scalar("insert into api_tokens (team_id, user_id, name, token_hash) values ($1, $2, $3, $4) returning id")
        .bind(user.team_id)
        .bind(user.id)
        .bind(name)
        .bind(hash)
        .fetch_one(db)
        .await
}

/// The user's live tokens, newest first.
pub async fn list_for_user(db: &PgPool, user: &User) -> sqlx::Result<Vec<TokenRow>> {
    sqlx::query_as(
        "select id, name, created_at, last_used_at from api_tokens \
         where team_id = $1 and user_id = $2 and revoked_at is null order by created_at desc, id desc",
    )
    .bind(user.team_id)
    .bind(user.id)
    .fetch_all(db)
    .await
}

/// Revokes one of the user's own tokens; false when it is not theirs or already revoked.
pub async fn revoke(db: &PgPool, user: &User, id: i64) -> sqlx::Result<bool> {
    let r = sqlx::query(
        "update api_tokens set revoked_at = now() \
         where team_id = $1 and user_id = $2 and id = $3 and revoked_at is null",
    )
    .bind(user.team_id)
    .bind(user.id)
    .bind(id)
    .execute(db)
    .await?;
    Ok(r.rows_affected() == 1)
}

/// The active user a live token belongs to; marks the token used (at most once a minute).
/// The update runs even though nothing reads `t`: Postgres always executes data-modifying CTEs.
pub async fn authenticate(db: &PgPool, hash: &[u8]) -> sqlx::Result<Option<User>> {
    sqlx::query_as(
        "with t as ( \
           update api_tokens set last_used_at = now() \
           where token_hash = $1 and revoked_at is null \
             and (last_used_at is null or last_used_at < now() - interval '1 minute') \
           returning user_id), \
         live as (select user_id from api_tokens where token_hash = $1 and revoked_at is null) \
         select u.id, u.team_id, u.email, u.name, u.role, u.time_zone, u.must_change_password, u.active, u.session_epoch, u.list_stamp \
         from users u join live on live.user_id = u.id where u.active",
    )
    .bind(hash)
    .fetch_optional(db)
    .await
}
