//! The morning digest task: a one-minute tick (and a look at once whenever a test moves the
//! clock) that sends the digests owed now and tries again those that failed (`digest::run_once`).
//! The claims make it safe on several instances at once: no lock is needed.

use std::sync::Arc;
use std::time::Duration;

use tokio_util::sync::CancellationToken;

use crate::clock::Clock;
use crate::config::Config;
use crate::mail::Mail;

/// How often the task looks for digests owed.
const TICK: Duration = Duration::from_secs(60);

/// Runs until `shutdown`; errors are logged and the next tick tries again.
pub async fn run(
    db: sqlx::PgPool,
    clock: Clock,
    mail: Mail,
    config: Arc<Config>,
    shutdown: CancellationToken,
) {
    let mut tick = tokio::time::interval(TICK);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    let mut moves = clock.moves();
    loop {
        tokio::select! {
            () = shutdown.cancelled() => return,
            _ = tick.tick() => {}
            Ok(()) = moves.changed() => {}
        }
        match crate::digest::run_once(&db, &mail, &config, clock.now()).await {
            Ok(t) if t.sent > 0 || t.failed > 0 => {
                tracing::info!(sent = t.sent, failed = t.failed, "morning digests");
            }
            Ok(_) => {}
            Err(err) => tracing::error!(error = ?err, "the morning digest task failed"),
        }
    }
}
