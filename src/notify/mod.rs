//! Delivery of alerts from the outbox to channels, with retries and backoff.
//!
//! Every alert is in the state database before delivery starts; delivery is
//! at-least-once with the alert id as Message-ID / `webhook-id`, so receivers
//! can drop duplicates. A failing channel is retried with exponential backoff
//! and jitter (honouring Retry-After) for [`RetryPolicy::give_up_after`]
//! (24 h) from the first failure; after that the entry is dead until
//! `presswatch outbox retry`. Every send is bounded by
//! [`RetryPolicy::send_timeout`], and the channels are sent to at once, so a
//! channel that hangs delays no other: not in its round, nor later, since a
//! round started beside it ([`InFlight`]) sends through the other channels.
//! Digest channels collect their entries and
//! send them as one message when the schedule says so (see [`digest`]).

pub mod agreement;
pub mod digest;
pub mod email;
pub mod outbox;
pub mod render;
pub mod webhook;

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use crate::alert::Alert;
use crate::config::{Channel, ChannelKind, Config, DigestSchedule};
use crate::store::{DisabledChannel, OutboxEntry, State, Thread};

/// What the messages of one installation share.
#[derive(Debug, Clone)]
pub struct Installation {
    /// Random, made once per state database ([`State::installation_id`]):
    /// every Message-ID carries it, so two installations that report the
    /// same change never send messages with the same id.
    pub id: String,
    /// The time zone and the config file the messages are rendered with.
    pub render: render::Context,
}

impl Installation {
    /// The installation whose state database is `state`, configured by `config`.
    pub fn of(config: &Config, state: &State) -> Result<Installation, String> {
        let id = state
            .installation_id()
            .map_err(|e| format!("reading the installation id: {e}"))?;
        let mut render = render::Context::of(config);
        // The command an email suggests must work from any directory.
        if let Ok(path) = std::fs::canonicalize(&config.path) {
            render.config = Some(path);
        }
        Ok(Installation { id, render })
    }
}

/// The channel name used when no channel is configured: alerts go to stdout and the log.
pub const STDOUT_CHANNEL: &str = "-";

/// How delivery retries; the defaults are what the daemon uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Delay after the first failure; it doubles with each further failure.
    pub first_delay: Duration,
    /// The longest delay between two attempts.
    pub max_delay: Duration,
    /// How long after its first failure an entry is retried before it is dead.
    pub give_up_after: Duration,
    /// Upper bound on one delivery attempt (connect, TLS, SMTP dialogue or HTTP exchange).
    pub send_timeout: Duration,
}

impl Default for RetryPolicy {
    fn default() -> RetryPolicy {
        RetryPolicy {
            first_delay: Duration::from_secs(30),
            max_delay: Duration::from_secs(3600),
            give_up_after: Duration::from_secs(24 * 3600),
            send_timeout: Duration::from_secs(60),
        }
    }
}

impl RetryPolicy {
    /// Delay before the next attempt after `failures` failures: `first_delay`
    /// doubling up to `max_delay`, plus up to 20% jitter so that many entries
    /// do not retry in lockstep; never sooner than the receiver's Retry-After
    /// (capped at `max_delay`).
    pub fn delay(&self, failures: u32, retry_after: Option<Duration>) -> Duration {
        let base = self
            .first_delay
            .saturating_mul(1u32 << failures.saturating_sub(1).min(16))
            .min(self.max_delay);
        let jittered = base + base.mul_f64(0.2 * crate::scheduler::jitter_fraction());
        jittered.max(retry_after.unwrap_or_default().min(self.max_delay))
    }
}

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

/// The channel names `alert` (about `watch`) goes to: the watch's channels
/// that take one of the alert's kinds (`-` when no channel is configured).
pub fn route(config: &Config, watch: &crate::config::Watch, alert: &Alert) -> Vec<String> {
    let kinds = alert.kinds();
    let names: Vec<String> = config
        .channels_for(watch)
        .filter(|c| kinds.iter().any(|&k| c.takes(k)))
        .map(|c| c.name.clone())
        .collect();
    if names.is_empty() && config.channels.is_empty() {
        vec![STDOUT_CHANNEL.to_string()]
    } else {
        names
    }
}

/// The leader lease of the fleet-wide delivery jobs: digests and pruning.
pub const FLEET_LEADER_JOB: &str = "digests-and-pruning";

/// Delivers every pending entry that is due now, with the default policy.
pub async fn deliver_due(
    config: &Config,
    state: &State,
    http: &reqwest::Client,
) -> Result<DeliveryReport, String> {
    let now = chrono::Utc::now().timestamp();
    deliver_due_at(config, state, http, &RetryPolicy::default(), now).await
}

/// The channels that delivery rounds of one process are sending through
/// now, each with the alerts on their way through it. A round leaves them
/// to the round under way and sends through the others, so the daemon starts
/// a round beside one held up by a channel that does not answer: that
/// channel's alerts wait for it, the others' do not, and no channel is ever
/// sent to by two rounds at once (which would send an alert twice, and one
/// watch's alerts out of order).
#[derive(Debug, Clone, Default)]
pub struct InFlight(std::sync::Arc<std::sync::Mutex<BTreeMap<String, BTreeSet<String>>>>);

impl InFlight {
    /// Whether a round is sending through any channel.
    pub fn is_empty(&self) -> bool {
        self.channels().is_empty()
    }

    /// The channels rounds are sending through now, sorted.
    pub fn names(&self) -> Vec<String> {
        self.channels().keys().cloned().collect()
    }

    /// The ids of the alerts on their way now (a send started, not yet
    /// answered), sorted: those a stop abandons, which a receiver may have
    /// taken and will get again after the next start, under the same id.
    pub fn alerts(&self) -> Vec<String> {
        let ids: BTreeSet<String> = self.channels().values().flatten().cloned().collect();
        ids.into_iter().collect()
    }

    fn channels(&self) -> std::sync::MutexGuard<'_, BTreeMap<String, BTreeSet<String>>> {
        self.0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Notes the alerts `ids` on their way through `channel` until the
    /// returned guard is dropped (the send answered, failed or abandoned).
    fn on_the_way(&self, channel: &str, ids: &[&str]) -> OnTheWay {
        if let Some(sending) = self.channels().get_mut(channel) {
            sending.extend(ids.iter().map(|id| id.to_string()));
        }
        OnTheWay {
            sending: self.clone(),
            channel: channel.to_string(),
            ids: ids.iter().map(|id| id.to_string()).collect(),
        }
    }
}

/// A channel a round took in [`InFlight`]: handed back when the round is done
/// with it, or dropped unfinished.
struct Taken {
    sending: InFlight,
    channel: String,
}

impl Drop for Taken {
    fn drop(&mut self) {
        self.sending.channels().remove(&self.channel);
    }
}

/// Alerts a send has on its way in [`InFlight`], until it is dropped.
struct OnTheWay {
    sending: InFlight,
    channel: String,
    ids: Vec<String>,
}

impl Drop for OnTheWay {
    fn drop(&mut self) {
        if let Some(sending) = self.sending.channels().get_mut(&self.channel) {
            for id in &self.ids {
                sending.remove(id);
            }
        }
    }
}

/// Delivers every pending entry due at `now` (Unix time): immediate channels
/// entry by entry, digest channels as one message once their slot has come.
pub async fn deliver_due_at(
    config: &Config,
    state: &State,
    http: &reqwest::Client,
    policy: &RetryPolicy,
    now: i64,
) -> Result<DeliveryReport, String> {
    deliver_due_beside(config, state, http, policy, now, &InFlight::default()).await
}

/// [`deliver_due_at`] beside the rounds already under way in `sending`:
/// the due entries of the channels they send through are left to them.
pub async fn deliver_due_beside(
    config: &Config,
    state: &State,
    http: &reqwest::Client,
    policy: &RetryPolicy,
    now: i64,
    sending: &InFlight,
) -> Result<DeliveryReport, String> {
    // In a fleet, one replica (the leader) sends the digests and prunes;
    // every replica sends the immediate alerts it claims.
    let leader = state.lead(FLEET_LEADER_JOB).map_err(|e| e.to_string())?;
    let digests = config
        .channels
        .iter()
        .filter(|c| c.digest != DigestSchedule::Off)
        .map(|c| c.name.clone());
    let mut skip: Vec<String> = if leader {
        Vec::new()
    } else {
        digests.collect()
    };
    // A channel live replicas set differently waits until they agree, and
    // one this config lacks is left to the replicas that have it (see
    // `agreement::channels_not_sent_here`); digests too.
    skip.extend(agreement::channels_not_sent_here(config, state)?);
    let mut by_channel: Vec<(Taken, Vec<OutboxEntry>)> = Vec::new();
    {
        // Held while claiming, so that two rounds never take one channel.
        let mut busy = sending.channels();
        let mut skip = skip;
        skip.extend(busy.keys().cloned());
        for e in state.claim_due(now, &skip).map_err(|e| e.to_string())? {
            match by_channel.iter_mut().find(|(c, _)| c.channel == e.channel) {
                Some((_, list)) => list.push(e),
                None => {
                    busy.insert(e.channel.clone(), BTreeSet::new());
                    let taken = Taken {
                        sending: sending.clone(),
                        channel: e.channel.clone(),
                    };
                    by_channel.push((taken, vec![e]));
                }
            }
        }
    }
    let mut report = DeliveryReport::default();
    if by_channel.is_empty() {
        return Ok(report);
    }
    let installation = Installation::of(config, state)?;
    // The channels are sent to at once: a relay or receiver that hangs
    // until the send timeout holds up its own alerts, not the others'.
    let round = Round {
        config,
        state,
        http,
        policy,
        installation: &installation,
        now,
        sending,
    };
    let channels = by_channel.into_iter().map(|(taken, entries)| async move {
        let done = round.deliver_channel(taken.channel.clone(), entries).await;
        drop(taken);
        done
    });
    for done in futures_util::future::join_all(channels).await {
        let done = done?;
        report.sent += done.sent;
        report.retrying += done.retrying;
        report.dead += done.dead;
    }
    if report.dead > 0 {
        tracing::error!(
            dead = report.dead,
            "alerts NOT DELIVERED: see `{}` and send them again with `{}`",
            config.command("outbox list"),
            config.command("outbox retry")
        );
    }
    if report.sent > 0 && leader {
        let before = now - DELIVERED_KEPT.as_secs() as i64;
        state.prune_delivered(before).map_err(|e| e.to_string())?;
    }
    Ok(report)
}

/// What one delivery round shares between its channels.
#[derive(Clone, Copy)]
struct Round<'a> {
    config: &'a Config,
    state: &'a State,
    http: &'a reqwest::Client,
    policy: &'a RetryPolicy,
    installation: &'a Installation,
    now: i64,
    /// The channels and alerts under way, this round's among them.
    sending: &'a InFlight,
}

impl Round<'_> {
    /// Delivers the due `entries` of the channel `name`: each alert on its
    /// own, or a digest once its slot has come.
    async fn deliver_channel(
        self,
        name: String,
        entries: Vec<OutboxEntry>,
    ) -> Result<DeliveryReport, String> {
        let Round {
            config,
            state,
            http,
            policy,
            installation,
            now,
            sending: in_flight,
        } = self;
        let mut report = DeliveryReport::default();
        if name == STDOUT_CHANNEL {
            for e in &entries {
                let result = parse(config, e).map(|alert| {
                    println!("{}", render::text(&alert, &installation.render));
                    tracing::info!(alert = %alert.id, watch = %alert.watch, kind = alert.kind.as_str(), summary = %alert.summary, "alert (no channel configured)");
                });
                settle(state, &name, &[e], result, policy, now, &mut report)?;
            }
            return Ok(report);
        }
        let Some(channel) = config.channels.iter().find(|c| c.name == name) else {
            let failure = Failure::retry(format!(
                "channel {name:?} is no longer in the config; add it back, or drop what waits for it with `{}`",
                config.command(&format!("outbox drop --channel {name}"))
            ));
            let refs: Vec<&OutboxEntry> = entries.iter().collect();
            settle(state, &name, &refs, Err(failure), policy, now, &mut report)?;
            return Ok(report);
        };
        if is_disabled(state, channel)? {
            return Ok(report);
        }
        match channel.digest {
            DigestSchedule::Off => {
                let sending = Sending {
                    config,
                    state,
                    channel,
                    http,
                    policy,
                    installation,
                    now,
                    in_flight,
                };
                deliver_each(&sending, &entries, &mut report).await?
            }
            schedule => {
                let oldest = entries.iter().map(|e| e.created_at).min().unwrap_or(now);
                let last = state.last_digest(&name).map_err(|e| e.to_string())?;
                if now < digest::send_at(schedule, config.daemon.timezone, last, oldest) {
                    return Ok(report);
                }
                let mut alerts = Vec::new();
                let mut readable = Vec::new();
                for e in &entries {
                    if !still_ours(state, e, policy)? {
                        continue;
                    }
                    match parse(config, e) {
                        Ok(a) => {
                            alerts.push(a);
                            readable.push(e);
                        }
                        Err(f) => settle(state, &name, &[e], Err(f), policy, now, &mut report)?,
                    }
                }
                if alerts.is_empty() {
                    return Ok(report);
                }
                let out = Outgoing::Digest(&alerts, schedule);
                let ids: Vec<&str> = alerts.iter().map(|a| a.id.as_str()).collect();
                let on_the_way = in_flight.on_the_way(&name, &ids);
                let sent = send(channel, &out, http, policy, installation).await;
                drop(on_the_way);
                match sent {
                    Ok(()) => {
                        let ids: Vec<String> = alerts.iter().map(|a| a.id.clone()).collect();
                        state
                            .mark_digest_sent(&name, &ids, now)
                            .map_err(|e| e.to_string())?;
                        tracing::info!(channel = %name, alerts = ids.len(), "digest delivered");
                        report.sent += ids.len();
                    }
                    Err(f) => settle(state, &name, &readable, Err(f), policy, now, &mut report)?,
                }
            }
        }
        Ok(report)
    }
}

/// How many messages to one channel are in flight at once: webhook
/// receivers take parallel requests; mail servers throttle parallel sessions
/// from one client, so email goes one message at a time.
fn parallel_sends(channel: &Channel) -> usize {
    match channel.kind {
        ChannelKind::Webhook(_) => 8,
        ChannelKind::Email(_) => 1,
    }
}

/// One round of sends through one channel.
struct Sending<'a> {
    config: &'a Config,
    state: &'a State,
    channel: &'a Channel,
    http: &'a reqwest::Client,
    policy: &'a RetryPolicy,
    installation: &'a Installation,
    now: i64,
    /// Where the alerts on their way are noted.
    in_flight: &'a InFlight,
}

/// Sends a channel's due entries one message per alert, several at once
/// (see [`parallel_sends`]) but the alerts of one watch in order. Once a send
/// fails, no more start: the entries not yet sent wait with the same backoff
/// instead of each costing a timeout in this round.
async fn deliver_each(
    round: &Sending<'_>,
    entries: &[OutboxEntry],
    report: &mut DeliveryReport,
) -> Result<(), String> {
    use futures_util::stream::{FuturesUnordered, StreamExt};
    let Sending {
        config,
        state,
        channel,
        http,
        policy,
        installation,
        now,
        in_flight: sending,
    } = *round;
    let name = channel.name.as_str();
    let mut waiting: std::collections::VecDeque<&OutboxEntry> = entries.iter().collect();
    let mut busy_watches: std::collections::HashSet<&str> = std::collections::HashSet::new();
    let mut in_flight = FuturesUnordered::new();
    let mut failed: Option<Failure> = None;
    let parallel = parallel_sends(channel);
    loop {
        while failed.is_none() && in_flight.len() < parallel {
            let Some(at) = waiting
                .iter()
                .position(|e| !busy_watches.contains(e.watch.as_str()))
            else {
                break;
            };
            let e = waiting.remove(at).expect("position is in range");
            let alert = match parse(config, e) {
                Ok(a) => a,
                Err(f) => {
                    settle(state, name, &[e], Err(f), policy, now, report)?;
                    continue;
                }
            };
            if !still_ours(state, e, policy)? {
                continue;
            }
            let thread = story_thread(state, &alert);
            busy_watches.insert(e.watch.as_str());
            let on_the_way = sending.on_the_way(name, &[e.alert_id.as_str()]);
            in_flight.push(async move {
                let out = Outgoing::Alert(&alert, &thread);
                let sent = send(channel, &out, http, policy, installation).await;
                drop(on_the_way);
                (e, sent)
            });
        }
        let Some((e, sent)) = in_flight.next().await else {
            break;
        };
        busy_watches.remove(e.watch.as_str());
        if let Err(f) = &sent {
            failed.get_or_insert_with(|| f.clone());
        }
        settle(state, name, &[e], sent, policy, now, report)?;
    }
    if let Some(f) = failed {
        let gone = f.gone.then(|| f.message.clone());
        let rest: Vec<&OutboxEntry> = waiting.into_iter().collect();
        if !rest.is_empty() {
            settle(state, name, &rest, Err(f), policy, now, report)?;
        }
        if let Some(reason) = gone {
            disable(round, reason)?;
        }
    }
    Ok(())
}

/// Whether this process may send the entry `e` now (see
/// [`State::hold_claim`]): in a fleet, an entry whose claim lapsed while
/// earlier sends were slow, and that another replica took over, is left to
/// that replica.
fn still_ours(state: &State, e: &OutboxEntry, policy: &RetryPolicy) -> Result<bool, String> {
    let ours = state
        .hold_claim(&e.alert_id, &e.channel, policy.send_timeout)
        .map_err(|err| {
            format!(
                "confirming the claim on alert {} for channel {}: {err}",
                e.alert_id, e.channel
            )
        })?;
    if !ours {
        tracing::info!(alert = %e.alert_id, channel = %e.channel, watch = %e.watch,
            "another replica took this alert over while earlier sends were slow: it sends it, this one does not");
    }
    Ok(ours)
}

/// The mail thread an alert continues: the earlier alerts about its story.
/// New and retitled items are each a story of their own and start no thread.
fn story_thread(state: &State, alert: &Alert) -> Thread {
    use crate::compare::ChangeKind;
    if matches!(alert.kind, ChangeKind::NewItems | ChangeKind::Retitled) {
        return Thread::default();
    }
    state.thread(&alert.watch, &alert.id).unwrap_or_default()
}

/// How long delivered alerts stay in the state database (for `outbox list
/// --all` and mail threading).
pub const DELIVERED_KEPT: Duration = Duration::from_secs(30 * 24 * 3600);

/// Why one delivery failed.
#[derive(Debug, Clone)]
pub struct Failure {
    /// What went wrong, naming the step (DNS, TLS, authentication, HTTP status).
    pub message: String,
    /// Retrying cannot help (the stored alert is unreadable).
    pub permanent: bool,
    /// The receiver is gone (HTTP 410): the channel gets disabled.
    pub gone: bool,
    /// The receiver asked to wait this long (Retry-After).
    pub retry_after: Option<Duration>,
}

impl Failure {
    fn retry(message: String) -> Failure {
        Failure {
            message,
            permanent: false,
            gone: false,
            retry_after: None,
        }
    }
}

fn parse(config: &Config, e: &OutboxEntry) -> Result<Alert, Failure> {
    serde_json::from_str(&e.payload).map_err(|err| Failure {
        message: format!(
            "stored alert is unreadable ({err}); drop it with `{}`",
            config.command(&format!("outbox drop {}", e.alert_id))
        ),
        permanent: true,
        gone: false,
        retry_after: None,
    })
}

/// Records the result of one attempt for the given entries and logs it.
fn settle(
    state: &State,
    channel: &str,
    entries: &[&OutboxEntry],
    result: Result<(), Failure>,
    policy: &RetryPolicy,
    now: i64,
    report: &mut DeliveryReport,
) -> Result<(), String> {
    for entry in entries {
        match &result {
            Ok(()) => {
                state
                    .mark_sent(&entry.alert_id, channel, now)
                    .map_err(|e| e.to_string())?;
                tracing::info!(alert = %entry.alert_id, channel, watch = %entry.watch, "alert delivered");
                report.sent += 1;
            }
            Err(failure) => {
                let failing_for = now - entry.first_failure.unwrap_or(now);
                let next =
                    if failure.permanent || failing_for >= policy.give_up_after.as_secs() as i64 {
                        None
                    } else {
                        let delay = policy.delay(entry.attempts + 1, failure.retry_after);
                        Some(now + delay.as_secs().max(1) as i64)
                    };
                state
                    .mark_failed(&entry.alert_id, channel, &failure.message, now, next)
                    .map_err(|e| e.to_string())?;
                match next {
                    None => {
                        tracing::error!(alert = %entry.alert_id, channel, watch = %entry.watch, error = %failure.message,
                            "ALERT NOT DELIVERED: giving up after retrying");
                        report.dead += 1;
                    }
                    Some(at) => {
                        tracing::warn!(alert = %entry.alert_id, channel, watch = %entry.watch, error = %failure.message,
                            attempt = entry.attempts + 1, retry_in_s = at - now, "delivery failed; will retry");
                        report.retrying += 1;
                    }
                }
            }
        }
    }
    Ok(())
}

/// What a channel's deliveries go to; a change (e.g. a new webhook URL)
/// enables a channel that a 410 disabled.
pub fn channel_target(channel: &Channel) -> String {
    match &channel.kind {
        ChannelKind::Email(e) => format!("smtp://{}:{} to {}", e.host, e.port, e.to.join(",")),
        ChannelKind::Webhook(w) => w.url.to_string(),
    }
}

/// Whether a channel is disabled (its receiver answered 410 Gone for the
/// current target); a changed target enables it again.
fn is_disabled(state: &State, channel: &Channel) -> Result<bool, String> {
    let Some(d) = state
        .channel_disabled(&channel.name)
        .map_err(|e| e.to_string())?
    else {
        return Ok(false);
    };
    if d.target == channel_target(channel) {
        tracing::debug!(channel = %channel.name, reason = %d.reason, "channel disabled; alerts wait");
        return Ok(true);
    }
    tracing::info!(channel = %channel.name, "channel target changed since it was disabled: enabling it again");
    state
        .set_channel_disabled(&channel.name, None)
        .map_err(|e| e.to_string())?;
    Ok(false)
}

/// Disables a channel whose receiver is gone, persistently, with a loud log line.
fn disable(round: &Sending<'_>, reason: String) -> Result<(), String> {
    let channel = round.channel;
    tracing::error!(channel = %channel.name, error = %reason,
        "CHANNEL DISABLED: the receiver says it is gone; its alerts wait in the outbox. Fix the channel's URL in the config (or run `{}`) to enable it again",
        round.config.command("outbox retry"));
    let d = DisabledChannel {
        reason,
        target: channel_target(channel),
    };
    round
        .state
        .set_channel_disabled(&channel.name, Some(&d))
        .map_err(|e| e.to_string())
}

/// One message to send: an alert (with the thread it continues) or a digest.
pub enum Outgoing<'a> {
    /// One alert, and the earlier alerts about the same story.
    Alert(&'a Alert, &'a Thread),
    /// Several alerts in one message, for a digest channel.
    Digest(&'a [Alert], DigestSchedule),
}

/// Sends one message through one channel now, bounded by the policy's send timeout.
pub async fn send(
    channel: &Channel,
    out: &Outgoing<'_>,
    http: &reqwest::Client,
    policy: &RetryPolicy,
    installation: &Installation,
) -> Result<(), Failure> {
    let timeout = policy.send_timeout;
    let wh = match &channel.kind {
        // The relay's exchange keeps its own time: when it runs out, what a
        // second look at the relay found is part of the message.
        ChannelKind::Email(em) => {
            return email::send(em, out, installation, timeout)
                .await
                .map_err(Failure::retry)
        }
        ChannelKind::Webhook(wh) => wh,
    };
    let attempt = async {
        match out {
            Outgoing::Alert(alert, _) => webhook::send(http, wh, alert, &installation.render)
                .await
                .map_err(|e| Failure {
                    message: e.message,
                    permanent: false,
                    gone: e.gone,
                    retry_after: e.retry_after,
                }),
            Outgoing::Digest(..) => Err(Failure::retry(
                "webhook channels do not take digests; remove `digest` from the channel".into(),
            )),
        }
    };
    match tokio::time::timeout(timeout, attempt).await {
        Ok(r) => r,
        Err(_) => Err(Failure::retry(timed_out(
            &format!("POST to {}", crate::net_error::host_port(&wh.url)),
            timeout,
            "the receiver is slow or down",
        ))),
    }
}

/// The words for a delivery attempt (`what`: `POST to host:port`, `email
/// to host:port`) that had no answer within `timeout`, and `why` (`the
/// receiver is slow or down`).
fn timed_out(what: &str, timeout: Duration, why: &str) -> String {
    format!(
        "{what}: no answer within {}s (timed out): {why}; an alert in the outbox is sent again later",
        timeout.as_secs_f64()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_with_jitter_and_honours_retry_after() {
        let p = RetryPolicy::default();
        for _ in 0..20 {
            let d = p.delay(1, None).as_secs_f64();
            assert!((30.0..=36.0).contains(&d), "{d}");
            let d = p.delay(3, None).as_secs_f64();
            assert!((120.0..=144.0).contains(&d), "{d}");
            let d = p.delay(40, None).as_secs_f64();
            assert!((3600.0..=4320.0).contains(&d), "{d}");
        }
        assert_eq!(
            p.delay(1, Some(Duration::from_secs(600))),
            Duration::from_secs(600)
        );
        // A Retry-After longer than the longest delay is capped.
        assert_eq!(
            p.delay(1, Some(Duration::from_secs(86_400))),
            Duration::from_secs(3600)
        );
    }
}
