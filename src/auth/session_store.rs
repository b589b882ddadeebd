//! Where browser sessions are kept: the `sessions` table, each row with the id of the user it
//! speaks for, so that the read every signed-in request starts with brings the user along.
//!
//! tower-sessions keeps the session itself (the cookie, the id and its rotation at login, the
//! idle expiry); this is its store. The rows are the ones tower-sessions' own PostgreSQL store
//! writes (the record in MessagePack, its expiry), plus `user_id`: a page request then reads its
//! session and its user in one statement on one connection, where it took two of each
//! (BENCHMARKS.md, fifth pass); the connection is one kept between requests (`db::lookups`). The
//! user read along is handed to [`crate::web::extract`] inside the loaded record under
//! [`SIGNED_IN_KEY`], which no save ever writes back.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use std::sync::Arc;

use sqlx::{FromRow, Row};
use tower_sessions::cookie::time::OffsetDateTime;
use tower_sessions::session::{Id, Record};
use tower_sessions::session_store::{self, Error};

use crate::auth::session::AUTH_KEY;
use crate::db::kept::Kept;
use crate::db::users::User;

/// The key of a loaded record that carries the signed-in user as read with the session: set by
/// [`SessionStore`]'s `load` only, and removed by every save, so a stored row never holds it.
pub const SIGNED_IN_KEY: &str = "_signed_in";

/// The sessions of the `sessions` table.
#[derive(Debug, Clone)]
pub struct SessionStore {
    lookups: Arc<Kept>,
}

impl SessionStore {
    /// A store on the server's lookups (`db::lookups`: kept connections whose statements keep
    /// their plans).
    pub fn new(lookups: Arc<Kept>) -> Self {
        Self { lookups }
    }
}

fn backend(e: sqlx::Error) -> Error {
    Error::Backend(e.to_string())
}

fn instant(t: OffsetDateTime) -> DateTime<Utc> {
    DateTime::from_timestamp(t.unix_timestamp(), t.nanosecond()).unwrap_or(DateTime::UNIX_EPOCH)
}

/// The row of a record: its MessagePack (as tower-sessions' PostgreSQL store writes it, without
/// the user read along) and the id of the user its auth names.
fn encode(record: &Record) -> session_store::Result<(Vec<u8>, Option<i64>)> {
    let user_id = record
        .data
        .get(AUTH_KEY)
        .and_then(|a| a.get("user_id"))
        .and_then(serde_json::Value::as_i64);
    let data = if record.data.contains_key(SIGNED_IN_KEY) {
        let mut kept = record.clone();
        kept.data.remove(SIGNED_IN_KEY);
        rmp_serde::to_vec(&kept)
    } else {
        rmp_serde::to_vec(record)
    }
    .map_err(|e| Error::Encode(e.to_string()))?;
    Ok((data, user_id))
}

/// Writes a record; with `replace` false, only if its id is new (false when it was taken).
async fn write(lookups: &Kept, record: &Record, replace: bool) -> session_store::Result<bool> {
    let (data, user_id) = encode(record)?;
    let sql = if replace {
        "insert into sessions (id, data, expiry_date, user_id) values ($1, $2, $3, $4) \
         on conflict (id) do update \
         set data = excluded.data, expiry_date = excluded.expiry_date, user_id = excluded.user_id"
    } else {
        "insert into sessions (id, data, expiry_date, user_id) values ($1, $2, $3, $4) \
         on conflict (id) do nothing"
    };
    let mut conn = lookups.get().await.map_err(backend)?;
    let done = sqlx::query(sql)
        .bind(record.id.to_string())
        .bind(data)
        .bind(instant(record.expiry_date))
        .bind(user_id)
        .execute(&mut *conn)
        .await
        .map_err(backend)?;
    conn.done();
    Ok(done.rows_affected() == 1)
}

#[async_trait]
impl tower_sessions::SessionStore for SessionStore {
    async fn create(&self, record: &mut Record) -> session_store::Result<()> {
        // an id already taken (once in 2^128) is drawn again, never overwritten
        while !write(&self.lookups, record, false).await? {
            record.id = Id::default();
        }
        Ok(())
    }

    async fn save(&self, record: &Record) -> session_store::Result<()> {
        write(&self.lookups, record, true).await.map(|_| ())
    }

    async fn load(&self, id: &Id) -> session_store::Result<Option<Record>> {
        let mut conn = self.lookups.get().await.map_err(backend)?;
        let row = sqlx::query(
            "select s.data, u.id, u.team_id, u.email, u.name, u.role, u.time_zone, \
                    u.must_change_password, u.active, u.session_epoch, u.list_stamp \
             from sessions s left join users u on u.id = s.user_id and u.active \
             where s.id = $1 and s.expiry_date > $2",
        )
        .bind(id.to_string())
        .bind(Utc::now())
        .fetch_optional(&mut *conn)
        .await
        .map_err(backend)?;
        conn.done();
        let Some(row) = row else {
            return Ok(None);
        };
        let data: Vec<u8> = row.try_get("data").map_err(backend)?;
        let mut record: Record =
            rmp_serde::from_slice(&data).map_err(|e| Error::Decode(e.to_string()))?;
        record.data.remove(SIGNED_IN_KEY);
        let user_id: Option<i64> = row.try_get("id").map_err(backend)?;
        if user_id.is_some() {
            let user = User::from_row(&row).map_err(backend)?;
            let carried = serde_json::to_value(&user).map_err(|e| Error::Encode(e.to_string()))?;
            record.data.insert(SIGNED_IN_KEY.to_string(), carried);
        }
        Ok(Some(record))
    }

    async fn delete(&self, id: &Id) -> session_store::Result<()> {
        let mut conn = self.lookups.get().await.map_err(backend)?;
        sqlx::query("delete from sessions where id = $1")
            .bind(id.to_string())
            .execute(&mut *conn)
            .await
            .map_err(backend)?;
        conn.done();
        Ok(())
    }
}
