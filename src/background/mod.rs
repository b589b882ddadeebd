//! Background tasks: the nightly due-list rebuild, the morning digest (when a mail server is
//! configured) and the clean-up of expired sessions, started
//! by [`spawn_background`], the one function the server (`Application::run`) calls.

pub mod digest;
pub mod nightly;

use std::time::Duration;

use sqlx::PgPool;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;
use tower_sessions::ExpiredDeletion;
use tower_sessions_sqlx_store::PostgresStore;

use crate::state::AppState;

/// Starts the background tasks of a server; each stops when `shutdown` fires. The nightly task
/// runs unless the configuration turns it off (`NIGHTLY=false`).
pub fn spawn_background(state: &AppState, shutdown: &CancellationToken) -> Vec<JoinHandle<()>> {
    let mut tasks = vec![tokio::spawn(delete_expired_sessions(
        state.db.clone(),
        shutdown.clone(),
    ))];
    if state.config.nightly {
        tasks.push(tokio::spawn(nightly::run(
            state.db.clone(),
            state.clock.clone(),
            state.rebuilds.clone(),
            shutdown.clone(),
        )));
    } else {
        tracing::info!("the nightly rebuild is off on this instance (NIGHTLY=false)");
    }
    if state.mail.is_configured() {
        tasks.push(tokio::spawn(digest::run(
            state.db.clone(),
            state.clock.clone(),
            state.mail.clone(),
            state.config.clone(),
            shutdown.clone(),
        )));
    } else {
        tracing::info!("no mail server (SMTP_URL, MAIL_FROM): no morning digests are sent");
    }
    tasks
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
