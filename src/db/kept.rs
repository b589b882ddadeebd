//! Connections kept out of their pool between uses, for what nearly every request does: read its
//! session and its user (`db::lookups`), and read Today or the board or make an everyday write
//! (`db::hot`).
//!
//! sqlx checks every connection given back to a pool with a round trip (it sends a `Sync` and
//! waits for PostgreSQL's answer) before another request may take it; 0.8 has no setting for it.
//! Where a request's use of a connection is one to five statements, that check was a sixth to a
//! half of its round trips there, paid on both sides of the socket on every request
//! (BENCHMARKS.md, eighth pass). A kept connection stays checked out of its sqlx pool (which still
//! opens it, and closes and replaces it once handed back), and the next request takes it as
//! the last one left it. It is checked first only when there is reason to:
//!
//! - its last use did not end well ([`KeptConn::done`] was not called: an error, or a request
//!   dropped half-way with a statement's answer still unread);
//! - it sat unused for [`super::PING_AFTER_IDLE`] or longer, as the pools check theirs
//!   ([`super::connect`]): a connection PostgreSQL dropped meanwhile (a restart) is then handed
//!   back unseen and another one taken, rather than failing the request.
//!
//! A kept connection goes back to its pool after [`HAND_BACK_AFTER`] of keeping, so the pool's own
//! lifetime limit still renews it. Which request gets a connection is fair: they queue for one in
//! the order they asked, for at most [`super::ACQUIRE_TIMEOUT`], as for a pooled one.

use std::ops::{Deref, DerefMut};
use std::time::{Duration, Instant};

use sqlx::pool::PoolConnection;
use sqlx::{Connection, PgConnection, PgPool, Postgres};
use tokio::sync::{Mutex, MutexGuard, Semaphore, SemaphorePermit};

/// How long a connection is kept before it goes back to its pool (which replaces it when it is
/// past the pool's lifetime) and another one is taken.
pub const HAND_BACK_AFTER: Duration = Duration::from_secs(300);

/// Up to `size` connections of `pool`, each kept out of it between uses.
pub struct Kept {
    pool: PgPool,
    slots: Box<[Mutex<Option<Held>>]>,
    /// One permit per slot: a request that holds one finds a slot free.
    free: Semaphore,
}

struct Held {
    conn: PoolConnection<Postgres>,
    taken: Instant,
    used: Instant,
    /// Whether its last use ended with [`KeptConn::done`].
    sound: bool,
}

impl std::fmt::Debug for Kept {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Kept")
            .field("slots", &self.slots.len())
            .field("kept", &self.kept())
            .finish_non_exhaustive()
    }
}

impl Kept {
    /// Keeps up to `size` (at least one) connections of `pool`; none is taken before first use.
    pub fn new(pool: PgPool, size: usize) -> Self {
        let size = size.max(1);
        Self {
            pool,
            slots: (0..size).map(|_| Mutex::new(None)).collect(),
            free: Semaphore::new(size),
        }
    }

    /// How many connections are kept now.
    pub fn kept(&self) -> usize {
        self.slots
            .iter()
            .filter(|s| s.try_lock().is_ok_and(|held| held.is_some()))
            .count()
    }

    /// A connection for one use: a kept one if any is free and sound (checked first when it
    /// needs to be, see the module), else a new one from the pool. Waits its turn when all are
    /// in use.
    pub async fn get(&self) -> sqlx::Result<KeptConn<'_>> {
        let permit = tokio::time::timeout(super::ACQUIRE_TIMEOUT, self.free.acquire())
            .await
            .map_err(|_| sqlx::Error::PoolTimedOut)?
            .map_err(|_| sqlx::Error::PoolClosed)?;
        // a permit stands for a slot no one holds
        let mut slot = match self.slots.iter().find_map(|s| s.try_lock().ok()) {
            Some(slot) => slot,
            None => self.slots[0].lock().await,
        };
        let now = Instant::now();
        if let Some(held) = slot.as_mut() {
            let due_back = now.duration_since(held.taken) >= HAND_BACK_AFTER;
            let check = !held.sound || now.duration_since(held.used) >= super::PING_AFTER_IDLE;
            if due_back || (check && held.conn.ping().await.is_err()) {
                // back to the pool, which checks it again and closes it if it is dead
                *slot = None;
            }
        }
        let mut held = match slot.take() {
            Some(held) => held,
            None => Held {
                conn: self.pool.acquire().await?,
                taken: now,
                used: now,
                sound: true,
            },
        };
        held.sound = false;
        Ok(KeptConn {
            held: Some(held),
            slot,
            _permit: permit,
        })
    }

    /// Hands every kept connection back and closes the pool (at shutdown, after the requests).
    pub async fn close(&self) {
        self.free.close();
        for slot in &self.slots {
            slot.lock().await.take();
        }
        self.pool.close().await;
    }
}

/// One use of a kept connection: a `PgConnection` to run statements on. Call [`Self::done`] when
/// the use went well; otherwise the next use checks the connection first.
pub struct KeptConn<'a> {
    held: Option<Held>,
    // dropped before the permit: a permit free means its slot is free
    slot: MutexGuard<'a, Option<Held>>,
    _permit: SemaphorePermit<'a>,
}

impl KeptConn<'_> {
    /// The use ended well: the connection can go to the next request as it is.
    pub fn done(mut self) {
        if let Some(held) = self.held.as_mut() {
            held.sound = true;
        }
    }

    fn held(&self) -> &Held {
        // taken in `get`, put back only in `drop`
        self.held
            .as_ref()
            .unwrap_or_else(|| unreachable!("a kept connection in use"))
    }
}

impl Deref for KeptConn<'_> {
    type Target = PgConnection;

    fn deref(&self) -> &PgConnection {
        &self.held().conn
    }
}

impl DerefMut for KeptConn<'_> {
    fn deref_mut(&mut self) -> &mut PgConnection {
        let held = self
            .held
            .as_mut()
            .unwrap_or_else(|| unreachable!("a kept connection in use"));
        &mut held.conn
    }
}

impl Drop for KeptConn<'_> {
    fn drop(&mut self) {
        if let Some(mut held) = self.held.take() {
            held.used = Instant::now();
            *self.slot = Some(held);
        }
    }
}
