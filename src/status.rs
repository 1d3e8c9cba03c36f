//! `presswatch status`: a table of the watches of a config as the state
//! database sees them (works while the daemon runs: SQLite WAL readers do
//! not block the writer), with where undelivered alerts stand
//! ([`crate::notify::outbox`]).

use std::fmt::Write;
use std::time::Duration;

use crate::config::Config;
use crate::notify::outbox::{DigestPlan, Outbox};
use crate::notify::render;
use crate::scheduler::{ago, human};
use crate::store::{OnSchedule, State};
use crate::text;

/// NEXT DUE of a watch no daemon has scheduled: one checked only by
/// `presswatch check`, or never, or added since the daemon (re)started.
const NOT_SCHEDULED: &str = "not scheduled";

/// The columns the lines about failing watches are wrapped at: a
/// terminal's usual width.
pub const COLUMNS: usize = 80;

/// Renders the status table at Unix time `now`.
pub fn table(config: &Config, state: &State, now: i64) -> Result<String, String> {
    let ago = |t: Option<i64>| ago(t, now);
    let mut rows = vec![[
        "WATCH".to_string(),
        "LAST CHECK".into(),
        "RESULT".into(),
        "LAST CHANGE".into(),
        "NEXT DUE".into(),
        "FAILURES".into(),
        "PENDING".into(),
    ]];
    let mut moved = Vec::new();
    let mut failing_watches = Vec::new();
    let fleet = state.fleet().map_err(|e| e.to_string())?;
    // A fleet's schedule is in the database: what `next_due` says there is
    // only when a replica last handed the watch back, and says nothing of
    // a watch taken off the schedule since.
    let names: Vec<String> = config.watches.iter().map(|w| w.name.clone()).collect();
    let schedule = state.fleet_schedule(&names).map_err(|e| e.to_string())?;
    // Watches no daemon has scheduled, and those off the fleet's schedule.
    let mut unscheduled = 0;
    let mut off_fleet = 0;
    for (i, w) in config.watches.iter().enumerate() {
        let st = state.watch(&w.name).map_err(|e| e.to_string())?;
        let pending = state
            .pending_count(Some(&w.name))
            .map_err(|e| e.to_string())?;
        let next = match (&schedule, st.next_due) {
            (Some((on, db_now)), _) => match &on[i] {
                OnSchedule::Off => {
                    off_fleet += 1;
                    NOT_SCHEDULED.to_string()
                }
                OnSchedule::Leased(_) => "checking now".to_string(),
                // Whole seconds, rounded up: never shown due before it is.
                OnSchedule::Due(ms) if *ms <= *db_now => "now".to_string(),
                OnSchedule::Due(ms) => format!(
                    "in {}",
                    human(Duration::from_secs(((ms - db_now + 999) / 1000) as u64))
                ),
            },
            (None, None) => {
                unscheduled += 1;
                NOT_SCHEDULED.to_string()
            }
            (None, Some(t)) if t <= now => "now".to_string(),
            (None, t) => ago(t),
        };
        // A taken-down article stays taken down until it is back, whatever
        // a check said since (unless it failed).
        let result = match st.last_result.as_deref() {
            Some(r) if st.gone && r != "error" => "taken down".to_string(),
            Some(r) => r.to_string(),
            None => "-".to_string(),
        };
        failing_watches.extend(crate::history::failing_in_brief(config, &w.name, &st, now));
        // Until the config names the new address (a check then clears it).
        // A config that names it without its tracking parameters, as
        // advised, names it.
        if let Some(to) = st
            .moved_to
            .filter(|to| crate::tracking::without_tracking(to) != w.url.as_str())
        {
            moved.push(crate::check::move_for_ops(w, &to));
        }
        rows.push([
            w.name.clone(),
            ago(st.last_check),
            result,
            ago(st.last_change),
            next,
            st.failures.to_string(),
            pending.to_string(),
        ]);
    }
    let widths: Vec<usize> = (0..7)
        .map(|c| rows.iter().map(|r| r[c].chars().count()).max().unwrap_or(0))
        .collect();
    let mut out = String::new();
    for r in &rows {
        let line: Vec<String> = r
            .iter()
            .zip(&widths)
            .map(|(cell, w)| format!("{cell:<w$}"))
            .collect();
        let _ = writeln!(out, "{}", line.join("  ").trim_end());
    }
    for line in &moved {
        let _ = writeln!(out, "{line}");
    }
    // Wrapped to a terminal's width, continued by two spaces, so that a
    // long error reads as a paragraph; its commands stay whole.
    for line in &failing_watches {
        let _ = writeln!(out, "{}", render::own_lines(line, Some(COLUMNS)));
    }
    if unscheduled > 0 {
        let _ = writeln!(
            out,
            "NEXT DUE {NOT_SCHEDULED:?}: no daemon has scheduled {} yet (none runs on this state, or it was not \
             reloaded since the config gained {}); the daemon schedules a watch when it next starts or reloads \
             (`systemctl reload presswatch`, or SIGHUP): one interval after its last good check, or within {} \
             when that has passed",
            if unscheduled == 1 { "this watch" } else { "these watches" },
            if unscheduled == 1 { "it" } else { "them" },
            human(crate::scheduler::STARTUP_SPREAD)
        );
    }
    if let (Some(fleet), 1..) = (&fleet, off_fleet) {
        let _ = writeln!(out, "{}", off_the_fleets_schedule(config, fleet, off_fleet));
    }
    let outbox = Outbox::read(&DigestPlan::of(config), state, now)?;
    let queues = outbox.clone();
    let removed = outbox.removed_channels(config);
    // Those retrying for a channel the replicas set differently wait for
    // them to agree: `outbox retry` would not send them, and their own
    // lines say so. (Dead ones still need it.)
    let held: Vec<&crate::store::ChannelQueue> = fleet
        .as_ref()
        .map(crate::notify::agreement::contested_channels)
        .unwrap_or_default()
        .iter()
        .filter_map(|c| queues.queue(&c.channel))
        .collect();
    let outbox = outbox.summary();
    let _ = writeln!(
        out,
        "{}; alert deliveries: {} (state: {})",
        text::plural(config.watches.len(), "watch", "watches"),
        outbox.describe(&DigestPlan::of(config), now),
        state.location()
    );
    let _ = writeln!(out, "{}", raw_line(config, state)?);
    // Those for a removed channel get their own line below, as the same
    // advice would not help them.
    let retrying = outbox.retrying
        - (removed.iter().chain(&held))
            .map(|q| q.retrying)
            .sum::<i64>();
    if retrying > 0 {
        let _ = writeln!(
            out,
            "{} failing, retried with backoff: `{}` shows the last error, `{}` sends them now",
            text::plural(
                usize::try_from(retrying).unwrap_or(0),
                "alert delivery",
                "alert deliveries"
            ),
            config.command("outbox list"),
            config.command("outbox retry")
        );
    }
    let dead = outbox.dead - removed.iter().map(|q| q.dead).sum::<i64>();
    if dead > 0 {
        let _ = writeln!(
            out,
            "{} gave up after retrying: `{}` shows why, `{}` sends them again",
            text::plural(
                usize::try_from(dead).unwrap_or(0),
                "alert delivery",
                "alert deliveries"
            ),
            config.command("outbox list"),
            config.command("outbox retry")
        );
    }
    for q in &removed {
        let (waiting, them) = match q.undelivered() {
            1 => ("1 alert waits".to_string(), "it"),
            n => (format!("{n} alerts wait"), "them"),
        };
        let _ = writeln!(
            out,
            "{waiting} for channel {:?}, which the config no longer has: retrying cannot deliver {them}; \
             add the channel back, or drop {them} with `{}`",
            q.channel,
            config.command(&format!("outbox drop --channel {}", q.channel))
        );
    }
    if let Some(fleet) = &fleet {
        fleet_section(&mut out, fleet);
        contested_section(&mut out, config, state, fleet, &queues)?;
    }
    for c in &config.channels {
        if let Some(d) = state.channel_disabled(&c.name).map_err(|e| e.to_string())? {
            let _ = writeln!(
                out,
                "channel {} is disabled: {} (`{}` enables it again)",
                c.name,
                d.reason,
                config.command("outbox retry")
            );
        }
    }
    Ok(out)
}

/// What the raw responses kept as evidence take (compressed, in the state
/// database), against the `keep_raw` cap: what ops look for when the disk
/// fills or before setting a cap.
fn raw_line(config: &Config, state: &State) -> Result<String, String> {
    let used = state.raw_usage().map_err(|e| e.to_string())?.max(0) as u64;
    let used_text = text::bytes(used);
    let d = &config.daemon;
    Ok(if !d.raw_snapshots {
        format!(
            "raw responses: none kept (keep_raw = \"off\"); {used_text} kept before stay until their versions are pruned"
        )
    } else {
        match d.keep_raw {
            Some(crate::config::KeepRaw::Bytes(cap)) => format!(
                "raw responses kept as evidence: {used_text} of the keep_raw cap of {} ({} %)",
                text::bytes(cap),
                used.saturating_mul(100) / cap.max(1)
            ),
            Some(crate::config::KeepRaw::Age(age)) => format!(
                "raw responses kept as evidence: {used_text}, none fetched more than {} ago (keep_raw)",
                crate::scheduler::human(age)
            ),
            None => format!(
                "raw responses kept as evidence: {used_text} (no keep_raw cap: keep_versions = {} bounds them)",
                d.keep_versions
            ),
        }
    })
}

/// What to say under the table of `n` watches of `config` that are off the
/// fleet's schedule, which no replica checks: why, from the configs the
/// live replicas run, and what to do.
fn off_the_fleets_schedule(config: &Config, fleet: &crate::store::FleetView, n: usize) -> String {
    let (these, them, are, they) = if n == 1 {
        ("this watch", "it", "is", "it")
    } else {
        ("these watches", "them", "are", "they")
    };
    let head = format!(
        "NEXT DUE {NOT_SCHEDULED:?}: {these} {are} not on the fleet's schedule, and no replica checks {them}"
    );
    let then = format!(
        "a replica puts {them} on the schedule as it starts or reloads, due at once if {they} fell due meanwhile, else within {}",
        human(crate::scheduler::STARTUP_SPREAD)
    );
    let hash = crate::fleet::config_hash(config);
    let live: Vec<&crate::store::ReplicaInfo> = fleet.live_replicas().collect();
    if live.is_empty() {
        return format!(
            "{head}: no replica runs (none heard from within the lease time). Start `presswatch run` \
             with this config (`systemctl start presswatch`): {then}"
        );
    }
    if let Some(r) = live.iter().find(|r| r.config_hash == hash) {
        return format!(
            "{head}, though replica {} runs this config ({hash}), which has {them}: it puts {them} on the \
             schedule as it starts or reloads, within moments; if {these} stay off it, send it SIGHUP \
             (`systemctl reload presswatch`)",
            r.id
        );
    }
    let mut theirs: Vec<&str> = live.iter().map(|r| r.config_hash.as_str()).collect();
    theirs.sort_unstable();
    theirs.dedup();
    let (replicas, run, configs) = match (live.len(), theirs.len()) {
        (1, _) => ("the one live replica", "runs", "another config"),
        (_, 1) => ("the live replicas", "run", "another config"),
        _ => ("the live replicas", "run", "other configs"),
    };
    format!(
        "{head}: {replicas} {run} {configs} ({}), which lack{} {them}, not this file ({hash}, {}). \
         Deploy this file to every replica and send each SIGHUP (`systemctl reload presswatch`): {then}",
        theirs.join(", "),
        if theirs.len() == 1 { "s" } else { "" },
        config.path.display()
    )
}

/// The fleet sharing the state: each replica, its leases and what it
/// leads, and the queue.
fn fleet_section(out: &mut String, fleet: &crate::store::FleetView) {
    // A replica silent for more than the lease time (killed, or cut off
    // from the database) is listed as such, not counted: its leases and
    // claims have run out, and its config is no longer one the fleet runs.
    let live = fleet.live_replicas().count();
    let silent = fleet.replicas.len() - live;
    let _ = writeln!(
        out,
        "fleet: {}{}, {} leased now, {} due and waiting, {} pending",
        text::plural(live, "replica", "replicas"),
        if silent > 0 {
            format!(" (and {silent} silent)")
        } else {
            String::new()
        },
        text::plural(fleet.leased.max(0) as usize, "watch", "watches"),
        fleet.due,
        text::plural(
            fleet.outbox_pending.max(0) as usize,
            "alert delivery",
            "alert deliveries"
        )
    );
    let hashes: std::collections::HashSet<&str> = fleet
        .live_replicas()
        .map(|r| r.config_hash.as_str())
        .collect();
    let contested = crate::notify::agreement::contested_channels(fleet);
    for r in &fleet.replicas {
        let leads = if r.leads.is_empty() {
            String::new()
        } else {
            format!(", leads {}", r.leads.join(", "))
        };
        let seen = human(Duration::from_millis(r.silent_ms.max(0) as u64));
        let holds: Vec<String> = (contested.iter())
            .filter(|c| {
                c.versions
                    .iter()
                    .any(|v| v.left.iter().any(|(id, _)| *id == r.id))
            })
            .map(|c| format!("{:?}", c.channel))
            .collect();
        if !fleet.live(r) && !holds.is_empty() {
            let _ = writeln!(
                out,
                "  {}  pid {} on {}, config {}, SILENT for {seen}, LEFT WITHOUT A CLEAN STOP (killed, crashed, or cut off from the database): its settings of {} {} still hold {}: no replica sends {} alerts until ops resolve it (below)",
                r.id,
                r.pid,
                r.hostname,
                r.config_hash,
                if holds.len() == 1 { "channel" } else { "channels" },
                holds.join(", "),
                if holds.len() == 1 { "it" } else { "them" },
                if holds.len() == 1 { "its" } else { "their" },
            );
            continue;
        }
        if !fleet.live(r) {
            let _ = writeln!(
                out,
                "  {}  pid {} on {}, config {}, SILENT for {seen}: stopped, or cut off from the database; the others do its work (its watch leases have run out; an alert it was sending is sent again once that attempt's time limit passes: `outbox list`) (listed until {} silent)",
                r.id,
                r.pid,
                r.hostname,
                r.config_hash,
                human(Duration::from_millis(10 * fleet.lease_ms.max(0) as u64))
            );
            continue;
        }
        let _ = writeln!(
            out,
            "  {}  pid {} on {}, config {}, {}, seen {seen} ago{leads}",
            r.id,
            r.pid,
            r.hostname,
            r.config_hash,
            text::plural(r.leases.max(0) as usize, "lease", "leases"),
        );
    }
    if hashes.len() > 1 {
        let _ = writeln!(
            out,
            "the replicas run {} different configs: deploy one config to all and send each SIGHUP",
            hashes.len()
        );
    }
}

/// The channels the live replicas set differently, whose alerts no
/// replica sends until they agree: each with how many alerts wait, which
/// replicas hold which settings (those that differ, without secrets: see
/// [`crate::notify::agreement::channel_view`]), which of them this host's config has,
/// and what to do.
fn contested_section(
    out: &mut String,
    config: &Config,
    state: &State,
    fleet: &crate::store::FleetView,
    outbox: &Outbox,
) -> Result<(), String> {
    let contested = crate::notify::agreement::contested_channels(fleet);
    if contested.is_empty() {
        return Ok(());
    }
    let here = crate::notify::agreement::channel_settings(config);
    for c in &contested {
        let waiting = outbox.queue(&c.channel).map_or(0, |q| q.undelivered());
        let _ = writeln!(
            out,
            "channel {:?}: ALERTS HELD, the replicas set it differently: no replica sends its alerts until they all run the same settings ({} waiting; nothing is lost or sent twice)",
            c.channel,
            text::plural(usize::try_from(waiting).unwrap_or(0), "alert", "alerts")
        );
        let keys = c.differing_keys();
        let mine = here.iter().find_map(|s| c.version_of(s));
        for (i, v) in c.versions.iter().enumerate() {
            let shown: Vec<&str> = v
                .view
                .lines()
                .filter(|l| {
                    keys.iter()
                        .any(|k| l.split_once(": ").is_some_and(|(lk, _)| lk == k))
                })
                .collect();
            let settings = if shown.is_empty() {
                "settings not shown (announced by an older presswatch, or differing in a setting not shown)".to_string()
            } else {
                shown.join("; ")
            };
            let mut ids = v.replicas.clone();
            ids.extend(v.left.iter().map(|(id, silent_ms)| {
                format!(
                    "{id} (LEFT WITHOUT A CLEAN STOP, silent for {})",
                    human(Duration::from_millis((*silent_ms).max(0) as u64))
                )
            }));
            let _ = writeln!(
                out,
                "  {} {}{}: {settings}",
                if ids.len() == 1 {
                    "replica"
                } else {
                    "replicas"
                },
                ids.join(", "),
                if mine == Some(i) {
                    format!(" (as {} here)", config.path.display())
                } else {
                    String::new()
                }
            );
        }
        if mine.is_none() && config.channels.iter().any(|ch| ch.name == c.channel) {
            let key = state.installation_id().map_err(|e| e.to_string())?;
            if let Some(ch) = config.channels.iter().find(|ch| ch.name == c.channel) {
                let view = crate::notify::agreement::channel_view(ch, &key);
                let shown: Vec<&str> = view
                    .lines()
                    .filter(|l| {
                        keys.iter()
                            .any(|k| l.split_once(": ").is_some_and(|(lk, _)| lk == k))
                    })
                    .collect();
                let _ = writeln!(
                    out,
                    "  {} here, which no live replica runs: {}",
                    config.path.display(),
                    shown.join("; ")
                );
            }
        }
        let _ = writeln!(
            out,
            "  deploy one config to every host, then send each replica SIGHUP (`systemctl reload presswatch`) or restart it: the held alerts go out once every replica runs the same settings"
        );
        for (id, _) in c.versions.iter().flat_map(|v| &v.left) {
            let _ = writeln!(
                out,
                "  replica {id} left without a clean stop (killed, crashed, or cut off from the database) and its settings still hold the channel, as presswatch cannot tell whether they are the fix or the old ones: if they are the fix, deploy them to every live replica and send SIGHUP; if they are the old ones, run `presswatch fleet forget {id} --config {}`",
                config.path.display()
            );
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::checked::{queuing, store, taking_down};
    use crate::store::DisabledChannel;

    /// Given a fleet with a replica heard from 1 s ago and one silent for
    /// 2 min (lease 30 s) running another config, one watch leased and one
    /// alert pending: the silent one is listed as such, not counted nor
    /// compared, and the counts read in the singular.
    #[test]
    fn a_silent_replica_is_listed_not_counted_and_counts_read_in_the_singular() {
        let replica = |id: &str, hash: &str, silent_ms| crate::store::ReplicaInfo {
            id: id.into(),
            hostname: "host".into(),
            pid: 7,
            config_hash: hash.into(),
            silent_ms,
            leases: 1,
            leads: vec![],
            channels: None,
        };
        let fleet = crate::store::FleetView {
            replicas: vec![
                replica("host:7:a", "aaaa", 1_000),
                replica("host:7:b", "bbbb", 120_000),
            ],
            lease_ms: 30_000,
            due: 1,
            leased: 1,
            outbox_pending: 1,
        };
        let mut out = String::new();
        fleet_section(&mut out, &fleet);
        assert_eq!(
            out,
            "fleet: 1 replica (and 1 silent), 1 watch leased now, 1 due and waiting, 1 alert delivery pending\n\
             \x20 host:7:a  pid 7 on host, config aaaa, 1 lease, seen 1s ago\n\
             \x20 host:7:b  pid 7 on host, config bbbb, SILENT for 2m: stopped, or cut off from the database; the others do its work (its watch leases have run out; an alert it was sending is sent again once that attempt's time limit passes: `outbox list`) (listed until 5m silent)\n"
        );
    }

    #[test]
    fn dead_alerts_and_disabled_channels_are_shown_with_what_to_do() {
        let dir = tempfile::tempdir().unwrap();
        let src = "[[channel]]\nname = \"hook\"\ntype = \"webhook\"\nurl = \"https://hooks.example.org/x\"\n\n[[watch]]\nname = \"story\"\nurl = \"https://news.example.org/a\"\n";
        let config = Config::parse(&dir.path().join("config.toml"), src).unwrap();
        let state = State::open(&dir.path().join("state")).unwrap();
        for id in ["a1", "a2"] {
            store(
                &state,
                "story",
                &queuing(id, "edited", "{}", &["hook"], 100),
            );
        }
        state
            .mark_failed("a1", "hook", "HTTP 500", 200, None)
            .unwrap();
        state
            .set_channel_disabled(
                "hook",
                Some(&DisabledChannel {
                    reason: "the receiver answered 410 Gone".into(),
                    target: "https://hooks.example.org/x".into(),
                }),
            )
            .unwrap();

        let out = table(&config, &state, 300).unwrap();
        let story = out.lines().find(|l| l.starts_with("story")).unwrap();
        assert!(story.ends_with(" 2"), "{out}");
        // No daemon has scheduled it: the table says so, not "at start".
        assert!(story.contains(" not scheduled "), "{out}");
        assert!(
            out.contains("NEXT DUE \"not scheduled\": no daemon has scheduled this watch yet (none runs on this state, or it was not reloaded since the config gained it); the daemon schedules a watch when it next starts or reloads (`systemctl reload presswatch`, or SIGHUP): one interval after its last good check, or within 5m when that has passed\n"),
            "{out}"
        );
        assert!(
            out.contains("1 watch; alert deliveries: 1 alert to send, 1 alert dead (state: "),
            "{out}"
        );
        let retry = format!(
            "`presswatch outbox retry --config {}`",
            config.path.display()
        );
        assert!(out.contains(&retry), "{out}");
        assert!(
            out.contains("channel hook is disabled: the receiver answered 410 Gone"),
            "{out}"
        );
        assert!(
            out.contains("raw responses kept as evidence: 0 bytes (no keep_raw cap: keep_versions = 100 bounds them)"),
            "{out}"
        );
    }

    #[test]
    fn failing_deliveries_say_where_to_read_the_error() {
        let dir = tempfile::tempdir().unwrap();
        let src = "[[channel]]\nname = \"mail\"\ntype = \"webhook\"\nurl = \"https://hooks.example.org/x\"\n\n[[watch]]\nname = \"story\"\nurl = \"https://news.example.org/a\"\n";
        let config = Config::parse(&dir.path().join("config.toml"), src).unwrap();
        let state = State::open(&dir.path().join("state")).unwrap();
        store(
            &state,
            "story",
            &queuing("a1", "edited", "{}", &["mail"], 100),
        );
        state
            .mark_failed("a1", "mail", "connection refused", 200, Some(260))
            .unwrap();

        let out = table(&config, &state, 230).unwrap();
        let cfg = config.path.display();
        assert!(
            out.contains(&format!("1 alert delivery failing, retried with backoff: `presswatch outbox list --config {cfg}` shows the last error, `presswatch outbox retry --config {cfg}` sends them now")),
            "{out}"
        );
    }

    #[test]
    fn alerts_for_a_channel_removed_from_the_config_say_to_add_it_back_or_drop_them() {
        let dir = tempfile::tempdir().unwrap();
        let src = "[[channel]]\nname = \"hook\"\ntype = \"webhook\"\nurl = \"https://hooks.example.org/x\"\n\n[[watch]]\nname = \"story\"\nurl = \"https://news.example.org/a\"\n";
        let config = Config::parse(&dir.path().join("config.toml"), src).unwrap();
        let state = State::open(&dir.path().join("state")).unwrap();
        // Queued for "old-desk" and "hook" when the config had both.
        let channels = ["old-desk", "hook"];
        for id in ["a1", "a2"] {
            store(
                &state,
                "story",
                &queuing(id, "edited", "{}", &channels, 100),
            );
            for channel in channels {
                state
                    .mark_failed(id, channel, "HTTP 500", 200, Some(400))
                    .unwrap();
            }
        }

        let out = table(&config, &state, 300).unwrap();
        let cfg = config.path.display();
        assert!(
            out.contains(&format!("2 alerts wait for channel \"old-desk\", which the config no longer has: retrying cannot deliver them; add the channel back, or drop them with `presswatch outbox drop --channel old-desk --config {cfg}`")),
            "{out}"
        );
        // The advice to retry counts only the channel the config still has.
        assert!(
            out.contains("2 alert deliveries failing, retried with backoff"),
            "{out}"
        );
    }

    #[test]
    fn the_space_raw_responses_take_is_shown_against_the_keep_raw_cap() {
        let dir = tempfile::tempdir().unwrap();
        let watch = "[[watch]]\nname = \"story\"\nurl = \"https://news.example.org/a\"\n";
        let state = State::open(&dir.path().join("state")).unwrap();
        let page = "<p>what the story said</p>".repeat(4000);
        let snapshot = crate::store::NewSnapshot {
            url: "https://news.example.org/a".into(),
            final_url: "https://news.example.org/a".into(),
            status: 200,
            response_head: "HTTP/1.1 200 OK".into(),
            request_head: "GET /a HTTP/1.1".into(),
            fetched_at_ms: 1_000,
            body: page.into_bytes(),
            encoded: None,
        };
        store(&state, "story", &taking_down(1, snapshot));
        let used = state.raw_usage().unwrap();
        assert!(used > 0);
        for (daemon, expected) in [
            (
                "keep_raw = \"1MiB\"",
                format!(
                    "raw responses kept as evidence: {} of the keep_raw cap of 1.0 MiB (0 %)",
                    text::bytes(used as u64)
                ),
            ),
            (
                "keep_raw = \"180d\"",
                format!(
                    "raw responses kept as evidence: {}, none fetched more than 180d ago (keep_raw)",
                    text::bytes(used as u64)
                ),
            ),
            (
                "keep_raw = \"off\"",
                format!(
                    "raw responses: none kept (keep_raw = \"off\"); {} kept before stay until their versions are pruned",
                    text::bytes(used as u64)
                ),
            ),
        ] {
            let src = format!("[daemon]\n{daemon}\n{watch}");
            let config = Config::parse(&dir.path().join("config.toml"), &src).unwrap();
            let out = table(&config, &state, 300).unwrap();
            assert!(out.contains(&expected), "{expected}\nin\n{out}");
        }
    }
}
