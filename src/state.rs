//! What every handler and background task can reach: the pool, the configuration, the page
//! cache, the clock and the rebuilder. Its own module, so the web layer depends on it without
//! depending on `startup`, which assembles the web layer.

use std::sync::Arc;

use sqlx::PgPool;

use crate::clock::Clock;
use crate::config::Config;
use crate::db::kept::Kept;
use crate::due::rebuilds::Rebuilder;
use crate::page_cache::PageCache;
use crate::web::limits::Limits;

/// What every handler and background task can reach.
#[derive(Clone)]
pub struct AppState {
    pub db: PgPool,
    /// The session and user reads of every request (`db::lookups`).
    pub lookups: Arc<Kept>,
    /// Today's and the board's reads and the everyday writes (`db::hot`).
    pub hot: Arc<Kept>,
    pub config: Arc<Config>,
    /// Rendered Today pages of this instance (see `page_cache`).
    pub pages: PageCache,
    /// The time: the system's in production, one a test moves.
    pub clock: Clock,
    /// Every team rebuild starts here, once at a time per team.
    pub rebuilds: Rebuilder,
    /// The in-memory rate limits of this instance (per address, per user).
    pub limits: Limits,
    /// The mail server (SMTP_URL, MAIL_FROM), if any: the morning digest and the test email.
    pub mail: crate::mail::Mail,
}

impl AppState {
    /// What an action acts with: the pool and the clock's now, read once.
    pub fn ctx(&self) -> crate::actions::Ctx<'_> {
        crate::actions::Ctx {
            db: &self.db,
            hot: &self.hot,
            now: self.clock.now(),
            rebuilds: &self.rebuilds,
            who: crate::audit::Who::default(),
        }
    }

    /// The same, for a request: who asks and from which address (what the security log records).
    pub fn ctx_as(
        &self,
        user_id: Option<i64>,
        client: crate::web::client::ClientAddr,
    ) -> crate::actions::Ctx<'_> {
        crate::actions::Ctx {
            who: crate::audit::Who {
                user_id,
                ip: Some(client.0),
            },
            ..self.ctx()
        }
    }
}
