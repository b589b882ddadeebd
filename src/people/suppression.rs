//! The suppression list: a keyed hash (HMAC-SHA256 with a per-team key kept in `team_keys`) of
//! the normalised email and phone of each erased person. The plain values are never stored, and
//! without the team's key the hashes cannot be tested against a guessed list elsewhere.

use std::collections::HashSet;

use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::Sha256;
use sqlx::PgConnection;

use super::normalise;

/// What a suppression entry is of.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Of {
    Email,
    Phone,
}

impl Of {
    fn as_str(self) -> &'static str {
        match self {
            Of::Email => "email",
            Of::Phone => "phone",
        }
    }
}

/// A team's hashing key, made once (concurrent first uses agree on one).
pub async fn team_key(conn: &mut PgConnection, team_id: i64) -> sqlx::Result<Vec<u8>> {
    let mut fresh = [0u8; 32];
    rand::rng().fill_bytes(&mut fresh);
    sqlx::query(
        "insert into team_keys (team_id, suppression_key) values ($1, $2) on conflict (team_id) do nothing",
    )
    .bind(team_id)
    .bind(fresh.as_slice())
    .execute(&mut *conn)
    .await?;
    sqlx::query_scalar("select suppression_key from team_keys where team_id = $1")
        .bind(team_id)
        .fetch_one(conn)
        .await
}

/// The keyed hash of one normalised value.
pub fn hash(key: &[u8], of: Of, normalised: &str) -> Vec<u8> {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("HMAC takes a key of any length");
    mac.update(of.as_str().as_bytes());
    mac.update(b":");
    mac.update(normalised.as_bytes());
    mac.finalize().into_bytes().to_vec()
}

/// The hashes of a contact's email and phone (those that normalise).
pub fn hashes_of(key: &[u8], email: &str, phone: &str) -> Vec<(Of, Vec<u8>)> {
    let mut out = Vec::new();
    if let Some(e) = normalise::email(email) {
        out.push((Of::Email, hash(key, Of::Email, &e)));
    }
    if let Some(p) = normalise::phone(phone) {
        out.push((Of::Phone, hash(key, Of::Phone, &p)));
    }
    out
}

/// Adds a person's email and phone to the team's list.
pub async fn add(
    conn: &mut PgConnection,
    team_id: i64,
    email: &str,
    phone: &str,
) -> sqlx::Result<()> {
    let key = team_key(conn, team_id).await?;
    for (of, h) in hashes_of(&key, email, phone) {
        sqlx::query(
            "insert into suppressions (team_id, kind, hash) values ($1, $2, $3) on conflict do nothing",
        )
        .bind(team_id)
        .bind(of.as_str())
        .bind(h)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// Which of an email and phone is on the team's list, if any.
pub async fn matches(
    conn: &mut PgConnection,
    team_id: i64,
    email: &str,
    phone: &str,
) -> sqlx::Result<Option<Of>> {
    let key = team_key(conn, team_id).await?;
    for (of, h) in hashes_of(&key, email, phone) {
        let found: bool = sqlx::query_scalar(
            "select exists (select 1 from suppressions where team_id = $1 and kind = $2 and hash = $3)",
        )
        .bind(team_id)
        .bind(of.as_str())
        .bind(h)
        .fetch_one(&mut *conn)
        .await?;
        if found {
            return Ok(Some(of));
        }
    }
    Ok(None)
}

/// The team's whole list and its key, for checking many rows at once (an import).
pub struct List {
    key: Vec<u8>,
    entries: HashSet<(Of, Vec<u8>)>,
}

impl List {
    /// Why: an import checks thousands of rows; one query instead of one per row.
    pub async fn load(conn: &mut PgConnection, team_id: i64) -> sqlx::Result<Self> {
        let key = team_key(conn, team_id).await?;
        let rows: Vec<(String, Vec<u8>)> =
            sqlx::query_as("select kind, hash from suppressions where team_id = $1")
                .bind(team_id)
                .fetch_all(conn)
                .await?;
        let entries = rows
            .into_iter()
            .map(|(k, h)| (if k == "email" { Of::Email } else { Of::Phone }, h))
            .collect();
        Ok(Self { key, entries })
    }

    /// Whether a normalised email or phone is on the list.
    pub fn holds(&self, email: Option<&str>, phone: Option<&str>) -> bool {
        let hit = |of: Of, v: Option<&str>| {
            v.is_some_and(|v| self.entries.contains(&(of, hash(&self.key, of, v))))
        };
        !self.entries.is_empty() && (hit(Of::Email, email) || hit(Of::Phone, phone))
    }
}
