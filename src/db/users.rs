//! Teams and users. Every query that reads a user on behalf of someone is scoped by `team_id`.

use chrono::{DateTime, Utc};
use sqlx::{FromRow, PgExecutor, PgPool};

use chrono_tz::Tz;

use crate::accounts::{Email, Role};
use crate::db::codes::ZoneName;

/// A user as the app sees it (never includes the password hash). Serializable only to travel
/// inside a loaded session record (`auth::session_store`), never into a response.
#[derive(Clone, FromRow, serde::Serialize, serde::Deserialize)]
pub struct User {
    pub id: i64,
    pub team_id: i64,
    pub email: String,
    pub name: String,
    pub role: Role,
    #[sqlx(try_from = "ZoneName")]
    pub time_zone: Tz,
    pub must_change_password: bool,
    pub active: bool,
    pub session_epoch: i32,
    /// Moves on whenever anything the user's Today page shows may have changed (see the
    /// migration `list_stamps`); a rendered page is reused only while it is unchanged.
    pub list_stamp: i64,
}

// Written by hand so that logs never carry more than the id and role.
impl std::fmt::Debug for User {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("User")
            .field("id", &self.id)
            .field("team_id", &self.team_id)
            .field("role", &self.role)
            .finish()
    }
}

impl User {
    /// Managers see the team's settings, users and reports.
    pub fn is_manager(&self) -> bool {
        self.role == Role::Manager
    }

    /// The user's time zone (it defines their "today").
    pub fn tz(&self) -> Tz {
        self.time_zone
    }
}

/// What creating a user needs, already validated.
#[derive(Debug)]
pub struct NewUser<'a> {
    pub team_id: i64,
    pub email: &'a Email,
    pub name: &'a str,
    pub role: Role,
    pub time_zone: Tz,
    pub password_hash: &'a str,
    pub must_change_password: bool,
}

const USER_COLUMNS: &str = "id, team_id, email, name, role, time_zone, must_change_password, active, session_epoch, list_stamp";

/// Whether any team exists yet (the first-run setup page is shown until one does).
pub async fn any_team(db: impl PgExecutor<'_>) -> sqlx::Result<bool> {
    sqlx::query_scalar("select exists(select 1 from teams)")
        .fetch_one(db)
        .await
}

/// Creates a team; returns its id.
pub async fn insert_team(db: impl PgExecutor<'_>, name: &str) -> sqlx::Result<i64> {
    sqlx::query_scalar("insert into teams (name) values ($1) returning id")
        .bind(name)
        .fetch_one(db)
        .await
}

/// Serialises first-run setups: the advisory lock is held until the transaction ends.
pub async fn lock_setup(db: impl PgExecutor<'_>) -> sqlx::Result<()> {
    sqlx::query("select pg_advisory_xact_lock(7312001)")
        .execute(db)
        .await
        .map(|_| ())
}

/// Creates a user; a taken email is reported as the `users_email_key` unique violation.
pub async fn insert(db: impl PgExecutor<'_>, u: &NewUser<'_>) -> sqlx::Result<User> {
    let sql = format!(
        "insert into users (team_id, email, name, role, time_zone, password_hash, must_change_password) \
         values ($1, $2, $3, $4, $5, $6, $7) returning {USER_COLUMNS}"
    );
    sqlx::query_as(&sql)
        .bind(u.team_id)
        .bind(u.email.as_str())
        .bind(u.name)
        .bind(u.role)
        .bind(ZoneName(u.time_zone))
        .bind(u.password_hash)
        .bind(u.must_change_password)
        .fetch_one(db)
        .await
}

/// What the login check needs of an account: the user, their hash, and when a temporary
/// password (from a reset) stops working.
#[derive(FromRow)]
pub struct LoginRow {
    #[sqlx(flatten)]
    pub user: User,
    pub password_hash: String,
    pub temporary_password_expires_at: Option<DateTime<Utc>>,
}

/// The login lookup: an active user by email.
pub async fn find_for_login(db: &PgPool, email: &str) -> sqlx::Result<Option<LoginRow>> {
    let sql = format!(
        "select {USER_COLUMNS}, password_hash, temporary_password_expires_at from users \
         where lower(email) = lower($1) and active"
    );
    sqlx::query_as(&sql).bind(email).fetch_optional(db).await
}

/// An active user by id (the session lookup).
pub async fn find_active(db: impl PgExecutor<'_>, id: i64) -> sqlx::Result<Option<User>> {
    let sql = format!("select {USER_COLUMNS} from users where id = $1 and active");
    sqlx::query_as(&sql).bind(id).fetch_optional(db).await
}

/// A user of this team (active or not); another team's id finds nothing.
pub async fn find_in_team(
    db: impl PgExecutor<'_>,
    team_id: i64,
    id: i64,
) -> sqlx::Result<Option<User>> {
    let sql = format!("select {USER_COLUMNS} from users where team_id = $1 and id = $2");
    sqlx::query_as(&sql)
        .bind(team_id)
        .bind(id)
        .fetch_optional(db)
        .await
}

/// A user by email (for the CLI, which acts as the operator across teams).
pub async fn find_by_email(db: &PgPool, email: &str) -> sqlx::Result<Option<User>> {
    let sql = format!("select {USER_COLUMNS} from users where lower(email) = lower($1)");
    sqlx::query_as(&sql).bind(email).fetch_optional(db).await
}

/// Every user of the team, read under the team's user-change lock (an advisory lock held to the
/// end of the transaction): a change that must keep an active manager sees the team as no
/// concurrent change can alter it. An advisory lock rather than row locks, because the list-stamp
/// triggers lock the users' rows in their own order while contacts change.
pub async fn lock_team(db: &mut sqlx::PgConnection, team_id: i64) -> sqlx::Result<Vec<User>> {
    sqlx::query("select pg_advisory_xact_lock(7312022, $1::int4)")
        .bind(i32::try_from(team_id.rem_euclid(i64::from(i32::MAX))).unwrap_or(0))
        .execute(&mut *db)
        .await?;
    let sql = format!("select {USER_COLUMNS} from users where team_id = $1 order by id");
    sqlx::query_as(&sql).bind(team_id).fetch_all(db).await
}

/// The team's users, active first, by name.
pub async fn list_for_team(db: impl PgExecutor<'_>, team_id: i64) -> sqlx::Result<Vec<User>> {
    let sql = format!(
        "select {USER_COLUMNS} from users where team_id = $1 order by active desc, name, id"
    );
    sqlx::query_as(&sql).bind(team_id).fetch_all(db).await
}

/// The ids of every team, or of the one asked for if it exists (the operator's commands).
pub async fn team_ids(db: impl PgExecutor<'_>, only: Option<i64>) -> sqlx::Result<Vec<i64>> {
    sqlx::query_scalar("select id from teams where $1::bigint is null or id = $1 order by id")
        .bind(only)
        .fetch_all(db)
        .await
}

/// The team's name.
pub async fn team_name(db: &PgPool, team_id: i64) -> sqlx::Result<String> {
    sqlx::query_scalar("select name from teams where id = $1")
        .bind(team_id)
        .fetch_one(db)
        .await
}

/// Sets a new password hash and ends every other session (the epoch moves on). A temporary
/// password (`temporary_until` given) must be changed at the next login and stops working then.
pub async fn set_password(
    db: impl PgExecutor<'_>,
    team_id: i64,
    id: i64,
    password_hash: &str,
    temporary_until: Option<DateTime<Utc>>,
) -> sqlx::Result<Option<i32>> {
    sqlx::query_scalar(
        "update users set password_hash = $3, must_change_password = $4 is not null, \
         temporary_password_expires_at = $4, \
         session_epoch = session_epoch + 1, updated_at = now() \
         where team_id = $1 and id = $2 returning session_epoch",
    )
    .bind(team_id)
    .bind(id)
    .bind(password_hash)
    .bind(temporary_until)
    .fetch_optional(db)
    .await
}

/// Ends every session of the user (the epoch moves on); the new epoch, None for no such user.
pub async fn end_sessions(
    db: impl PgExecutor<'_>,
    team_id: i64,
    id: i64,
) -> sqlx::Result<Option<i32>> {
    sqlx::query_scalar(
        "update users set session_epoch = session_epoch + 1, updated_at = now() \
         where team_id = $1 and id = $2 returning session_epoch",
    )
    .bind(team_id)
    .bind(id)
    .fetch_optional(db)
    .await
}

/// The stored hash of a user of this team (to check the current password before a change).
pub async fn password_hash(db: &PgPool, team_id: i64, id: i64) -> sqlx::Result<Option<String>> {
    sqlx::query_scalar("select password_hash from users where team_id = $1 and id = $2")
        .bind(team_id)
        .bind(id)
        .fetch_optional(db)
        .await
}

/// Changes a user's time zone.
pub async fn set_time_zone(
    db: impl PgExecutor<'_>,
    team_id: i64,
    id: i64,
    tz: Tz,
) -> sqlx::Result<bool> {
    let r = sqlx::query(
        "update users set time_zone = $3, updated_at = now() where team_id = $1 and id = $2",
    )
    .bind(team_id)
    .bind(id)
    .bind(ZoneName(tz))
    .execute(db)
    .await?;
    Ok(r.rows_affected() == 1)
}

/// Changes a user's role.
pub async fn set_role(
    db: impl PgExecutor<'_>,
    team_id: i64,
    id: i64,
    role: Role,
) -> sqlx::Result<bool> {
    let r = sqlx::query(
        "update users set role = $3, updated_at = now() where team_id = $1 and id = $2",
    )
    .bind(team_id)
    .bind(id)
    .bind(role)
    .execute(db)
    .await?;
    Ok(r.rows_affected() == 1)
}

/// Deactivates (or reactivates) a user; deactivation ends their sessions and revokes their tokens.
pub async fn set_active(
    db: &mut sqlx::PgConnection,
    team_id: i64,
    id: i64,
    active: bool,
) -> sqlx::Result<bool> {
    let r = sqlx::query(
        "update users set active = $3, session_epoch = session_epoch + case when $3 then 0 else 1 end, \
         updated_at = now() where team_id = $1 and id = $2",
    )
    .bind(team_id)
    .bind(id)
    .bind(active)
    .execute(&mut *db)
    .await?;
    if !active {
        sqlx::query("update api_tokens set revoked_at = now() where team_id = $1 and user_id = $2 and revoked_at is null")
            .bind(team_id)
            .bind(id)
            .execute(&mut *db)
            .await?;
    }
    Ok(r.rows_affected() == 1)
}

/// This account's failed logins since `here_since` from this client, and since `all_since` from
/// anywhere (the two login limits).
pub async fn login_failure_counts(
    db: &PgPool,
    email: &str,
    client: &str,
    here_since: DateTime<Utc>,
    all_since: DateTime<Utc>,
) -> sqlx::Result<(i64, i64)> {
    sqlx::query_as(
        "select count(*) filter (where client = $2 and failed_at > $3), count(*) \
         from login_failures where lower(email) = lower($1) and failed_at > $4",
    )
    .bind(email)
    .bind(client)
    .bind(here_since)
    .bind(all_since)
    .fetch_one(db)
    .await
}

/// Records a failed login for the account from this client (those older than a day are pruned
/// by `background::prune`).
pub async fn record_login_failure(
    db: &PgPool,
    email: &str,
    client: &str,
    now: DateTime<Utc>,
) -> sqlx::Result<()> {
    sqlx::query("insert into login_failures (email, client, failed_at) values (lower($1), $2, $3)")
        .bind(email)
        .bind(client)
        .bind(now)
        .execute(db)
        .await?;
    Ok(())
}

/// Moves every contact owned by `from` to `to` (both of this team); touches stay with their
/// authors. The caller rebuilds both users' due lists once this commits.
pub async fn reassign_contacts(
    db: &mut sqlx::PgConnection,
    team_id: i64,
    from: i64,
    to: i64,
) -> sqlx::Result<u64> {
    let dms = sqlx::query(
        "update decision_makers set owner_id = $3, updated_at = now() where team_id = $1 and owner_id = $2",
    )
    .bind(team_id)
    .bind(from)
    .bind(to)
    .execute(&mut *db)
    .await?;
    let candidates = sqlx::query(
        "update candidates set owner_id = $3, updated_at = now() where team_id = $1 and owner_id = $2",
    )
    .bind(team_id)
    .bind(from)
    .bind(to)
    .execute(&mut *db)
    .await?;
    Ok(dms.rows_affected() + candidates.rows_affected())
}

/// How many active contacts a user owns (a user who leaves must hand them to someone).
pub async fn owned_contacts(db: impl PgExecutor<'_>, team_id: i64, id: i64) -> sqlx::Result<i64> {
    sqlx::query_scalar(
        "select (select count(*) from decision_makers where team_id = $1 and owner_id = $2 and archived_at is null) \
              + (select count(*) from candidates where team_id = $1 and owner_id = $2 and archived_at is null)",
    )
    .bind(team_id)
    .bind(id)
    .fetch_one(db)
    .await
}
