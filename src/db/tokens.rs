//! API tokens of users, stored as SHA-256 hashes. A token is live while it is neither revoked nor
//! past its `expires_at`; "now" is the app's clock, passed in.

use chrono::{DateTime, Utc};
use sqlx::{FromRow, PgExecutor};

use super::users::User;

/// A token as listed (never the token itself).
#[derive(Debug, Clone, FromRow)]
pub struct TokenRow {
    pub id: i64,
    pub user_id: i64,
    pub name: String,
    pub created_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
    /// None: it lasts until revoked.
    pub expires_at: Option<DateTime<Utc>>,
}

const TOKEN_COLUMNS: &str = "id, user_id, name, created_at, last_used_at, expires_at";
const LIVE: &str = "revoked_at is null and (expires_at is null or expires_at > $2)";

/// Stores a new token's hash for a user.
pub async fn insert(
    db: impl PgExecutor<'_>,
    user: &User,
    name: &str,
    hash: &[u8],
    now: DateTime<Utc>,
    expires_at: Option<DateTime<Utc>>,
) -> sqlx::Result<TokenRow> {
    let sql = format!(
        "insert into api_tokens (team_id, user_id, name, token_hash, created_at, expires_at) \
         values ($1, $2, $3, $4, $5, $6) returning {TOKEN_COLUMNS}"
    );
    sqlx::query_as(&sql)
        .bind(user.team_id)
        .bind(user.id)
        .bind(name)
        .bind(hash)
        .bind(now)
        .bind(expires_at)
        .fetch_one(db)
        .await
}

/// A user's live tokens (the user of this team), newest first.
pub async fn list_for_user(
    db: impl PgExecutor<'_>,
    team_id: i64,
    user_id: i64,
    now: DateTime<Utc>,
) -> sqlx::Result<Vec<TokenRow>> {
    let sql = format!(
        "select {TOKEN_COLUMNS} from api_tokens where team_id = $1 and {LIVE} and user_id = $3 \
         order by created_at desc, id desc"
    );
    sqlx::query_as(&sql)
        .bind(team_id)
        .bind(now)
        .bind(user_id)
        .fetch_all(db)
        .await
}

/// Every live token of the team (the users page shows them per user), newest first.
pub async fn list_for_team(
    db: impl PgExecutor<'_>,
    team_id: i64,
    now: DateTime<Utc>,
) -> sqlx::Result<Vec<TokenRow>> {
    let sql = format!(
        "select {TOKEN_COLUMNS} from api_tokens where team_id = $1 and {LIVE} \
         order by created_at desc, id desc"
    );
    sqlx::query_as(&sql)
        .bind(team_id)
        .bind(now)
        .fetch_all(db)
        .await
}

/// Revokes a live token of the team, of `owner` only when given; whose it was, none when there
/// is no such live token.
pub async fn revoke(
    db: impl PgExecutor<'_>,
    team_id: i64,
    owner: Option<i64>,
    id: i64,
    now: DateTime<Utc>,
) -> sqlx::Result<Option<i64>> {
    let sql = format!(
        "update api_tokens set revoked_at = $2 where team_id = $1 and {LIVE} \
         and id = $3 and ($4::bigint is null or user_id = $4) returning user_id"
    );
    sqlx::query_scalar(&sql)
        .bind(team_id)
        .bind(now)
        .bind(id)
        .bind(owner)
        .fetch_optional(db)
        .await
}

/// Revokes every token of a user (a reset, a deactivation, "sign out everywhere"); how many.
pub async fn revoke_all(
    db: impl PgExecutor<'_>,
    team_id: i64,
    user_id: i64,
    now: DateTime<Utc>,
) -> sqlx::Result<u64> {
    let r = sqlx::query(
        "update api_tokens set revoked_at = $3 \
         where team_id = $1 and user_id = $2 and revoked_at is null",
    )
    .bind(team_id)
    .bind(user_id)
    .bind(now)
    .execute(db)
    .await?;
    Ok(r.rows_affected())
}

/// The active user a live token belongs to; marks the token used (at most once a minute).
/// The update runs even though nothing reads `t`: Postgres always executes data-modifying CTEs.
pub async fn authenticate(
    db: impl PgExecutor<'_>,
    hash: &[u8],
    now: DateTime<Utc>,
) -> sqlx::Result<Option<User>> {
    let sql = format!(
        "with t as ( \
           update api_tokens set last_used_at = $2 \
           where token_hash = $1 and {LIVE} \
             and (last_used_at is null or last_used_at < $2 - interval '1 minute') \
           returning user_id), \
         live as (select user_id from api_tokens where token_hash = $1 and {LIVE}) \
         select u.id, u.team_id, u.email, u.name, u.role, u.time_zone, u.must_change_password, u.active, u.session_epoch, u.list_stamp \
         from users u join live on live.user_id = u.id where u.active"
    );
    sqlx::query_as(&sql)
        .bind(hash)
        .bind(now)
        .fetch_optional(db)
        .await
}
