//! Delivery of alerts from the outbox to channels, with retries and backoff.
//!
//! Every alert is in the state database before delivery starts; delivery is
//! at-least-once with the alert id as Message-ID / `webhook-id`, so receivers
//! can drop duplicates. A failing channel is retried with exponential backoff
//! and jitter for [`RETRY_WINDOW`]; after that the entry is dead until
//! `presswatch outbox retry`.

pub mod email;
pub mod render;
pub mod webhook;

use std::time::Duration;

use crate::alert::Alert;
use crate::config::{Channel, ChannelKind, Config};
use crate::store::{OutboxEntry, OutboxStatus, State};

/// The channel name used when no channel is configured: alerts go to stdout and the log.
pub const STDOUT_CHANNEL: &str = "-";

/// How long delivery keeps retrying before an alert is marked dead.
pub const RETRY_WINDOW: Duration = Duration::from_secs(24 * 3600);

/// Upper bound on one delivery attempt.
pub const SEND_TIMEOUT: Duration = Duration::from_secs(60);

/// What a delivery round did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct DeliveryReport {
    /// Entries delivered.
    pub sent: usize,
    /// Entries that failed and will be retried.
    pub retrying: usize,
    /// Entries that gave up.
    pub dead: usize,
}

/// The channel names an alert about `watch` goes to (`-` when none are configured).
pub fn route(config: &Config, watch: &crate::config::Watch) -> Vec<String> {
    let names: Vec<String> = config.channels_for(watch).map(|c| c.name.clone()).collect();
    if names.is_empty() && config.channels.is_empty() {
        vec![STDOUT_CHANNEL.to_string()]
    } else {
        names
    }
}

/// Delay before the next attempt after `attempts` failures: 30 s doubling to
/// at most 1 h, with up to 20% jitter, or the receiver's Retry-After if longer.
pub fn backoff(attempts: u32, retry_after: Option<Duration>) -> Duration {
    let base = Duration::from_secs(30)
        .saturating_mul(1u32 << attempts.min(7))
        .min(Duration::from_secs(3600));
    let jitter = base.mul_f64(0.2 * jitter_fraction());
    (base + jitter).max(retry_after.unwrap_or_default())
}

/// A pseudo-random fraction in [0, 1) (jitter needs no cryptographic quality).
fn jitter_fraction() -> f64 {
    use std::hash::{BuildHasher, Hasher};
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u64(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos() as u64)
            .unwrap_or(0),
    );
    (h.finish() >> 11) as f64 / (1u64 << 53) as f64
}

/// Delivers every pending entry that is due now.
pub async fn deliver_due(
    config: &Config,
    state: &State,
    http: &reqwest::Client,
) -> Result<DeliveryReport, String> {
    let now = chrono::Utc::now().timestamp();
    let due = state
        .outbox(Some(OutboxStatus::Pending), Some(now))
        .map_err(|e| e.to_string())?;
    let mut report = DeliveryReport::default();
    for entry in due {
        match deliver_one(config, state, http, &entry).await {
            Ok(()) => {
                state
                    .mark_sent(
                        &entry.alert_id,
                        &entry.channel,
                        chrono::Utc::now().timestamp(),
                    )
                    .map_err(|e| e.to_string())?;
                tracing::info!(alert = %entry.alert_id, channel = %entry.channel, watch = %entry.watch, "alert delivered");
                report.sent += 1;
            }
            Err(failure) => {
                let age = Duration::from_secs((now - entry.created_at).max(0) as u64);
                let next = if failure.permanent || age >= RETRY_WINDOW {
                    None
                } else {
                    Some(now + backoff(entry.attempts, failure.retry_after).as_secs() as i64)
                };
                state
                    .mark_failed(&entry.alert_id, &entry.channel, &failure.message, next)
                    .map_err(|e| e.to_string())?;
                if next.is_none() {
                    tracing::error!(alert = %entry.alert_id, channel = %entry.channel, watch = %entry.watch, error = %failure.message,
                        "ALERT NOT DELIVERED: giving up; see `presswatch outbox list` and retry with `presswatch outbox retry`");
                    report.dead += 1;
                } else {
                    tracing::warn!(alert = %entry.alert_id, channel = %entry.channel, watch = %entry.watch, error = %failure.message,
                        attempt = entry.attempts + 1, "delivery failed; will retry");
                    report.retrying += 1;
                }
            }
        }
    }
    Ok(report)
}

/// Why one delivery failed.
struct Failure {
    message: String,
    permanent: bool,
    retry_after: Option<Duration>,
}

impl From<String> for Failure {
    fn from(message: String) -> Failure {
        Failure {
            message,
            permanent: false,
            retry_after: None,
        }
    }
}

async fn deliver_one(
    config: &Config,
    state: &State,
    http: &reqwest::Client,
    entry: &OutboxEntry,
) -> Result<(), Failure> {
    let alert: Alert = serde_json::from_str(&entry.payload).map_err(|e| Failure {
        message: format!("stored alert is unreadable: {e}"),
        permanent: true,
        retry_after: None,
    })?;
    if entry.channel == STDOUT_CHANNEL {
        println!("{}", render::text(&alert));
        tracing::info!(alert = %alert.id, watch = %alert.watch, kind = alert.kind.as_str(), summary = %alert.summary, "alert (no channel configured)");
        return Ok(());
    }
    let channel = config
        .channels
        .iter()
        .find(|c| c.name == entry.channel)
        .ok_or_else(|| {
            Failure::from(format!(
                "channel {:?} is no longer in the config",
                entry.channel
            ))
        })?;
    send(channel, &alert, state, http).await
}

/// Sends one alert through one channel now (used by delivery and `test-alert`).
async fn send(
    channel: &Channel,
    alert: &Alert,
    state: &State,
    http: &reqwest::Client,
) -> Result<(), Failure> {
    match &channel.kind {
        ChannelKind::Email(em) => {
            let previous = state.previous_alert(&alert.watch, &alert.id).ok().flatten();
            email::send(em, alert, previous.as_deref(), SEND_TIMEOUT).await.map_err(Failure::from)
        }
        ChannelKind::Webhook(wh) => webhook::send(http, wh, alert, SEND_TIMEOUT).await.map_err(|e| {
            if e.gone {
                tracing::error!(channel = %channel.name, "webhook receiver answered 410 Gone: channel disabled until the config changes");
            }
            Failure { message: e.message, permanent: e.gone, retry_after: e.retry_after }
        }),
    }
}
