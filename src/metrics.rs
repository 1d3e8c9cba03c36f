//! Process-wide metrics, rendered in the Prometheus text exposition format.
//!
//! Counters that describe what this process did (checks, fetches, alerts
//! raised) live in memory; gauges that describe durable state (outbox depth,
//! oldest pending alert, failures per watch) are read from the state database
//! at scrape time, so they are right even just after a restart.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::{LazyLock, Mutex, MutexGuard};
use std::time::Duration;

use crate::notify::outbox::{DigestPlan, Outbox};
use crate::store::State;

/// Upper bounds (seconds) of the fetch duration histogram buckets.
const FETCH_BUCKETS: [f64; 10] = [0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0];

#[derive(Default)]
struct Registry {
    checks: BTreeMap<String, u64>,
    fetches: BTreeMap<String, u64>,
    fetch_buckets: [u64; FETCH_BUCKETS.len()],
    fetch_count: u64,
    fetch_seconds: f64,
    fetch_bytes: u64,
    alerts: BTreeMap<(String, String), u64>,
    watches: Vec<String>,
    last_success: BTreeMap<String, i64>,
    digests: DigestPlan,
    reload_rejected: bool,
}

static REGISTRY: LazyLock<Mutex<Registry>> = LazyLock::new(Default::default);

fn registry() -> MutexGuard<'static, Registry> {
    REGISTRY.lock().unwrap_or_else(|p| p.into_inner())
}

/// Records one finished fetch: duration, body bytes, and its `status`
/// label (the HTTP status code, `timeout` or `error`).
pub fn fetch_finished(elapsed: Duration, status: String, bytes: u64) {
    let secs = elapsed.as_secs_f64();
    let mut r = registry();
    *r.fetches.entry(status).or_default() += 1;
    for (i, le) in FETCH_BUCKETS.iter().enumerate() {
        if secs <= *le {
            r.fetch_buckets[i] += 1;
        }
    }
    r.fetch_count += 1;
    r.fetch_seconds += secs;
    r.fetch_bytes += bytes;
}

/// Records one finished check: its result label, the alerts it raised per
/// channel, and (when it succeeded) the time of the success.
pub fn check_finished(
    watch: &str,
    result: &str,
    alerts: &[(&str, &[String])],
    succeeded_at: Option<i64>,
) {
    let mut r = registry();
    *r.checks.entry(result.replace(' ', "_")).or_default() += 1;
    for (kind, channels) in alerts {
        for ch in *channels {
            *r.alerts.entry((kind.to_string(), ch.clone())).or_default() += 1;
        }
    }
    if let Some(t) = succeeded_at {
        r.last_success.insert(watch.to_string(), t);
    }
}

/// Sets the watches the daemon schedules, with their last success known from
/// the state database (on start and reload).
pub fn set_watches(watches: &[(String, Option<i64>)]) {
    let mut r = registry();
    let last = watches
        .iter()
        .filter_map(|(w, t)| {
            let t = r.last_success.get(w).copied().or(*t)?;
            Some((w.clone(), t))
        })
        .collect();
    r.watches = watches.iter().map(|(w, _)| w.clone()).collect();
    r.last_success = last;
}

/// Sets the channels' digest schedules (on start and reload), which tell an
/// alert held for its digest from a late one.
pub fn set_digest_plan(plan: DigestPlan) {
    registry().digests = plan;
}

/// Sets whether the last config reload was rejected (the daemon runs the
/// config loaded before it), until one succeeds.
pub fn set_reload_rejected(rejected: bool) {
    registry().reload_rejected = rejected;
}

/// Escapes a label value.
fn label(v: &str) -> String {
    v.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

/// The fleet's gauges: replicas, the leases each holds, the queue.
fn fleet_series(out: &mut String, fleet: &crate::store::FleetView) {
    header(
        out,
        "presswatch_fleet_replicas",
        "gauge",
        "Replicas sharing the state database, heard from within the lease time.",
    );
    let _ = writeln!(
        out,
        "presswatch_fleet_replicas {}",
        fleet.live_replicas().count()
    );
    header(
        out,
        "presswatch_fleet_leases",
        "gauge",
        "Watches leased now, per replica.",
    );
    for r in &fleet.replicas {
        let _ = writeln!(
            out,
            "presswatch_fleet_leases{{replica=\"{}\",config=\"{}\"}} {}",
            label(&r.id),
            label(&r.config_hash),
            r.leases
        );
    }
    header(
        out,
        "presswatch_fleet_leader",
        "gauge",
        "Fleet-wide jobs led, per replica (1 = leader).",
    );
    for r in &fleet.replicas {
        for job in &r.leads {
            let _ = writeln!(
                out,
                "presswatch_fleet_leader{{replica=\"{}\",job=\"{}\"}} 1",
                label(&r.id),
                label(job)
            );
        }
    }
    header(
        out,
        "presswatch_fleet_queue_depth",
        "gauge",
        "Watches due now that no replica has leased yet.",
    );
    let _ = writeln!(out, "presswatch_fleet_queue_depth {}", fleet.due);
}

fn header(out: &mut String, name: &str, kind: &str, help: &str) {
    let _ = writeln!(out, "# HELP {name} {help}");
    let _ = writeln!(out, "# TYPE {name} {kind}");
}

/// The whole exposition: in-memory series plus gauges read from `state`.
pub fn render(state: &State, now: i64) -> Result<String, String> {
    let mut out = String::new();
    let (watches, last_success, digests) = {
        let r = registry();
        header(
            &mut out,
            "presswatch_checks_total",
            "counter",
            "Checks finished, by result.",
        );
        for (k, v) in &r.checks {
            let _ = writeln!(
                out,
                "presswatch_checks_total{{result=\"{}\"}} {v}",
                label(k)
            );
        }
        header(
            &mut out,
            "presswatch_config_reload_rejected",
            "gauge",
            "1 when the last config reload (SIGHUP) was rejected: the daemon runs the config loaded before it; the log says why.",
        );
        let _ = writeln!(
            out,
            "presswatch_config_reload_rejected {}",
            u8::from(r.reload_rejected)
        );
        header(
            &mut out,
            "presswatch_fetches_total",
            "counter",
            "HTTP fetches, by status code (or error, timeout).",
        );
        for (k, v) in &r.fetches {
            let _ = writeln!(
                out,
                "presswatch_fetches_total{{status=\"{}\"}} {v}",
                label(k)
            );
        }
        header(
            &mut out,
            "presswatch_fetch_duration_seconds",
            "histogram",
            "Duration of HTTP fetches.",
        );
        for (i, le) in FETCH_BUCKETS.iter().enumerate() {
            let _ = writeln!(
                out,
                "presswatch_fetch_duration_seconds_bucket{{le=\"{le}\"}} {}",
                r.fetch_buckets[i]
            );
        }
        let _ = writeln!(
            out,
            "presswatch_fetch_duration_seconds_bucket{{le=\"+Inf\"}} {}",
            r.fetch_count
        );
        let _ = writeln!(
            out,
            "presswatch_fetch_duration_seconds_sum {}",
            r.fetch_seconds
        );
        let _ = writeln!(
            out,
            "presswatch_fetch_duration_seconds_count {}",
            r.fetch_count
        );
        header(
            &mut out,
            "presswatch_fetch_bytes_total",
            "counter",
            "Response body bytes fetched.",
        );
        let _ = writeln!(out, "presswatch_fetch_bytes_total {}", r.fetch_bytes);
        header(
            &mut out,
            "presswatch_alerts_total",
            "counter",
            "Alerts raised, by kind and channel.",
        );
        for ((kind, ch), v) in &r.alerts {
            let _ = writeln!(
                out,
                "presswatch_alerts_total{{kind=\"{}\",channel=\"{}\"}} {v}",
                label(kind),
                label(ch)
            );
        }
        (r.watches.clone(), r.last_success.clone(), r.digests.clone())
    };
    header(
        &mut out,
        "presswatch_watches",
        "gauge",
        "Watches being scheduled.",
    );
    let _ = writeln!(out, "presswatch_watches {}", watches.len());
    header(
        &mut out,
        "presswatch_last_success_timestamp_seconds",
        "gauge",
        "Unix time of the last successful check, per watch.",
    );
    for (w, t) in &last_success {
        let _ = writeln!(
            out,
            "presswatch_last_success_timestamp_seconds{{watch=\"{}\"}} {t}",
            label(w)
        );
    }
    // What the state database holds: while it cannot be read (a PostgreSQL
    // outage), the series above still answer, with the database's gauge
    // at 0 and the reason as a comment, rather than the whole scrape
    // failing and the replicas reading as down themselves.
    header(
        &mut out,
        "presswatch_state_database_up",
        "gauge",
        "Whether the state database answered this scrape (1) or not (0; the outbox, fleet and failure series are then left out).",
    );
    match stored_series(state, now, &digests, &watches) {
        Ok(stored) => {
            let _ = writeln!(out, "presswatch_state_database_up 1");
            out.push_str(&stored);
        }
        Err(e) => {
            let _ = writeln!(out, "presswatch_state_database_up 0");
            let _ = writeln!(
                out,
                "# state database unreachable: {}",
                e.replace('\n', " ")
            );
        }
    }
    Ok(out)
}

/// The series read from the state database: the outbox, the fleet, and
/// each watch's consecutive failures.
fn stored_series(
    state: &State,
    now: i64,
    digests: &DigestPlan,
    watches: &[String],
) -> Result<String, String> {
    let mut out = String::new();
    let outbox = Outbox::read(digests, state, now)?.summary();
    header(
        &mut out,
        "presswatch_outbox_depth",
        "gauge",
        "Alert deliveries not yet done (being sent, held for a digest, to send, retrying or dead).",
    );
    let _ = writeln!(out, "presswatch_outbox_depth {}", outbox.undelivered());
    header(
        &mut out,
        "presswatch_outbox_held_for_digest",
        "gauge",
        "Alert deliveries waiting for their channel's digest, whose time has not come.",
    );
    let _ = writeln!(out, "presswatch_outbox_held_for_digest {}", outbox.held);
    header(
        &mut out,
        "presswatch_outbox_oldest_pending_age_seconds",
        "gauge",
        "How long the longest-waiting alert delivery not done is overdue: from its creation, or for a digest channel from the digest's time, or from its first failure once it failed; one being sent counts (it is not delivered), alerts held for a digest do not (0 when none).",
    );
    let _ = writeln!(
        out,
        "presswatch_outbox_oldest_pending_age_seconds {}",
        outbox.overdue_since.map_or(0, |t| (now - t).max(0))
    );
    if let Some(fleet) = state.fleet().map_err(|e| e.to_string())? {
        fleet_series(&mut out, &fleet);
    }
    header(
        &mut out,
        "presswatch_watch_consecutive_failures",
        "gauge",
        "Consecutive failed checks, per watch.",
    );
    for w in watches {
        let st = state.watch(w).map_err(|e| e.to_string())?;
        let _ = writeln!(
            out,
            "presswatch_watch_consecutive_failures{{watch=\"{}\"}} {}",
            label(w),
            st.failures
        );
    }
    Ok(out)
}
