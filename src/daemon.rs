//! The daemon: checks each watch on its interval, delivers the outbox, and
//! stops cleanly on SIGTERM / SIGINT.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;

use crate::check::{self, Context};
use crate::config::Config;
use crate::fetch::Fetcher;
use crate::notify;

/// How often the main loop wakes up at most to look for due work.
const TICK: Duration = Duration::from_secs(5);

/// Runs until SIGTERM or SIGINT. Due times live in the state database, so a
/// restart neither re-checks everything at once nor forgets what was due.
pub async fn run(config: Arc<Config>) -> Result<(), String> {
    let fetcher = Fetcher::for_config(&config).map_err(|e| e.to_string())?;
    let ctx = Context::open(config.clone(), fetcher, false)?;
    let http = reqwest::Client::builder()
        .user_agent(&config.daemon.user_agent)
        .build()
        .map_err(|e| e.to_string())?;
    tracing::info!(watches = config.watches.len(), channels = config.channels.len(), config = %config.path.display(), "presswatch started");
    let mut next_due: HashMap<String, i64> = HashMap::new();
    let now = Utc::now().timestamp();
    for (i, w) in config.watches.iter().enumerate() {
        let st = ctx.state.watch(&w.name).map_err(|e| e.to_string())?;
        // Never-checked watches are spread over the first interval.
        let spread = (w.interval.as_secs() as i64 * i as i64) / config.watches.len().max(1) as i64;
        next_due.insert(w.name.clone(), st.next_due.unwrap_or(now + spread.min(60)));
    }
    let shutdown = shutdown_signal();
    tokio::pin!(shutdown);
    loop {
        let now = Utc::now().timestamp();
        let due: Vec<_> = config
            .watches
            .iter()
            .filter(|w| next_due.get(&w.name).is_some_and(|&t| t <= now))
            .collect();
        if !due.is_empty() {
            let reports = check::check_all(&ctx, &due).await;
            for (w, r) in due.iter().zip(&reports) {
                let next = Utc::now().timestamp() + w.interval.as_secs() as i64;
                next_due.insert(w.name.clone(), next);
                if let Ok(mut st) = ctx.state.watch(&w.name) {
                    st.next_due = Some(next);
                    if let Err(e) = ctx.state.save_watch(&w.name, &st) {
                        tracing::error!(watch = %w.name, error = %e, "cannot save schedule");
                    }
                }
                let _ = r;
            }
        }
        match notify::deliver_due(&config, &ctx.state, &http).await {
            Ok(r) if r.sent + r.retrying + r.dead > 0 => tracing::info!(
                sent = r.sent,
                retrying = r.retrying,
                dead = r.dead,
                "delivery round"
            ),
            Ok(_) => {}
            Err(e) => tracing::error!(error = %e, "delivery failed"),
        }
        let earliest = next_due.values().min().copied().unwrap_or(now + 60);
        let wait = Duration::from_secs(
            (earliest - Utc::now().timestamp()).clamp(1, TICK.as_secs() as i64) as u64,
        );
        tokio::select! {
            _ = &mut shutdown => {
                tracing::info!("shutting down");
                return Ok(());
            }
            _ = tokio::time::sleep(wait) => {}
        }
    }
}

/// Resolves on SIGTERM or SIGINT.
async fn shutdown_signal() {
    use tokio::signal::unix::{signal, SignalKind};
    let mut term = signal(SignalKind::terminate()).expect("install SIGTERM handler");
    let mut int = signal(SignalKind::interrupt()).expect("install SIGINT handler");
    tokio::select! {
        _ = term.recv() => {}
        _ = int.recv() => {}
    }
}
