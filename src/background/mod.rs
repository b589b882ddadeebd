//! Background tasks: the nightly due-list rebuild and, after it, the nightly backup
//! (`BACKUP_DIR`); the morning digest (when a mail server is configured); and the pruning of
//! rows that have outlived their use. Started by [`spawn_background`], the one function the
//! server (`Application::run`) calls.

pub mod backup;
pub mod digest;
pub mod nightly;
pub mod prune;

use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

use crate::state::AppState;

/// Starts the background tasks of a server; each stops when `shutdown` fires. The nightly task
/// (and with it the nightly backup) runs unless the configuration turns it off (`NIGHTLY=false`).
pub fn spawn_background(state: &AppState, shutdown: &CancellationToken) -> Vec<JoinHandle<()>> {
    let mut tasks = vec![tokio::spawn(prune::run(
        state.db.clone(),
        state.clock.clone(),
        shutdown.clone(),
    ))];
    if state.config.nightly {
        let backup = match backup::NightlyBackup::of(&state.config) {
            Ok(b) => b,
            Err(err) => {
                tracing::error!(error = ?err, "the nightly backup cannot run on this instance");
                None
            }
        };
        tasks.push(tokio::spawn(nightly::run(
            state.db.clone(),
            state.clock.clone(),
            state.rebuilds.clone(),
            backup,
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
