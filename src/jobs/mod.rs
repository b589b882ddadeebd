//! Background tasks: the nightly due-list rebuild and the clean-up of expired sessions.

pub mod nightly;

use std::time::Duration;

use sqlx::PgPool;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;
use tower_sessions::ExpiredDeletion;
use tower_sessions_sqlx_store::PostgresStore;

use crate::config::Config;

/// Starts the background tasks; each stops when `shutdown` fires.
pub fn spawn_background(
    db: &PgPool,
    _config: &Config,
    shutdown: &CancellationToken,
) -> Vec<JoinHandle<()>> {
    vec![tokio::spawn(delete_expired_sessions(
        db.clone(),
        shutdown.clone(),
    ))]
}

async fn delete_expired_sessions(db: PgPool, shutdown: CancellationToken) {
    let store = match PostgresStore::new(db)
        .with_schema_name("public")
        .and_then(|s| s.with_table_name("sessions"))
    {
        Ok(s) => s,
        Err(err) => {
            tracing::error!(error = %err, "session store misconfigured");
            return;
        }
    };
    tokio::select! {
        () = shutdown.cancelled() => {}
        result = store.continuously_delete_expired(Duration::from_secs(300)) => {
            if let Err(err) = result { tracing::error!(error = ?err, "session clean-up stopped"); }
        }
    }
}
