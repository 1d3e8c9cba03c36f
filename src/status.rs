//! `presswatch status`: a table of the watches of a config as the state
//! database sees them (works while the daemon runs: SQLite WAL readers do
//! not block the writer); and where undelivered alerts stand ([`Outbox`]),
//! which `status`, `outbox list`, the metrics and the systemd status line
//! all report the same way: held for a digest is waiting, not stuck.

use std::fmt::Write;
use std::time::Duration;

use chrono_tz::Tz;

use crate::config::{Config, DigestSchedule};
use crate::notify::digest;
use crate::scheduler::human;
use crate::store::{ChannelQueue, OutboxEntry, OutboxStatus, State};
use crate::text;

/// The channels' digest schedules and the zone they keep: what tells an
/// alert held for its digest from one that is late.
#[derive(Debug, Clone, PartialEq)]
pub struct DigestPlan {
    timezone: Tz,
    schedules: Vec<(String, DigestSchedule)>,
}

impl Default for DigestPlan {
    fn default() -> DigestPlan {
        DigestPlan {
            timezone: chrono_tz::UTC,
            schedules: Vec::new(),
        }
    }
}

impl DigestPlan {
    /// The digest channels of a config.
    pub fn of(config: &Config) -> DigestPlan {
        DigestPlan {
            timezone: config.daemon.timezone,
            schedules: config
                .channels
                .iter()
                .filter(|c| c.digest != DigestSchedule::Off)
                .map(|c| (c.name.clone(), c.digest))
                .collect(),
        }
    }

    fn schedule(&self, channel: &str) -> Option<DigestSchedule> {
        self.schedules
            .iter()
            .find(|(name, _)| name == channel)
            .map(|(_, s)| *s)
    }

    /// A time as people there read it: `08:00 CET` today or tomorrow,
    /// `2026-11-25 08:00 CET` further off.
    pub fn local_time(&self, t: i64, now: i64) -> String {
        let Some(at) = chrono::DateTime::from_timestamp(t, 0) else {
            return t.to_string();
        };
        let at = at.with_timezone(&self.timezone);
        if (t - now).abs() < 20 * 3600 {
            at.format("%H:%M %Z").to_string()
        } else {
            at.format("%Y-%m-%d %H:%M %Z").to_string()
        }
    }
}

/// How one alert waits for one channel.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Waiting {
    /// To be sent now: nothing failed yet.
    Due,
    /// Held for the channel's digest, which goes out at `at` (Unix time).
    Digest {
        /// The channel's schedule.
        schedule: DigestSchedule,
        /// When the digest goes out.
        at: i64,
    },
    /// Delivery failed `attempts` times; the next attempt is at `next`.
    Retrying {
        /// Failed attempts so far.
        attempts: u32,
        /// Unix time of the next attempt.
        next: i64,
    },
    /// Gave up after retrying: needs `presswatch outbox retry`.
    Dead,
    /// Delivered.
    Sent,
}

/// Undelivered alerts counted by how they wait.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct OutboxSummary {
    /// To be sent now (immediate channels, or a digest whose time came).
    pub due: i64,
    /// Held for a digest whose time has not come.
    pub held: i64,
    /// When the next of those digests goes out.
    pub next_digest: Option<i64>,
    /// Failed and retried.
    pub retrying: i64,
    /// Gave up.
    pub dead: i64,
    /// Since when the longest-waiting delivery should have happened (Unix
    /// time): its creation for an immediate channel, its digest's time for
    /// a digest channel. `None` when nothing is late; a held digest is not.
    pub overdue_since: Option<i64>,
}

impl OutboxSummary {
    /// Deliveries not done yet, held ones included.
    pub fn undelivered(&self) -> i64 {
        self.due + self.held + self.retrying + self.dead
    }

    /// "2 alerts to send, 3 held for a digest (next at 08:00 CET), 1
    /// failing (retrying), 1 dead"; "0 pending alerts" when all went out.
    pub fn describe(&self, plan: &DigestPlan, now: i64) -> String {
        let count = |n: i64| usize::try_from(n).unwrap_or(0);
        let mut parts = Vec::new();
        if self.due > 0 {
            parts.push(text::plural(
                count(self.due),
                "alert to send",
                "alerts to send",
            ));
        }
        if self.held > 0 {
            let next = self
                .next_digest
                .map(|t| format!(" (next at {})", plan.local_time(t, now)))
                .unwrap_or_default();
            parts.push(format!(
                "{} for a digest{next}",
                text::plural(count(self.held), "alert held", "alerts held")
            ));
        }
        if self.retrying > 0 {
            parts.push(format!(
                "{} (retrying)",
                text::plural(count(self.retrying), "alert failing", "alerts failing")
            ));
        }
        if self.dead > 0 {
            parts.push(text::plural(count(self.dead), "alert dead", "alerts dead"));
        }
        if parts.is_empty() {
            "0 pending alerts".to_string()
        } else {
            parts.join(", ")
        }
    }
}

/// The outbox at one moment: each channel's undelivered alerts and its
/// digest schedule.
#[derive(Debug, Clone)]
pub struct Outbox {
    plan: DigestPlan,
    queues: Vec<ChannelQueue>,
    now: i64,
}

impl Outbox {
    /// Reads the outbox at Unix time `now`.
    pub fn read(plan: &DigestPlan, state: &State, now: i64) -> Result<Outbox, String> {
        Ok(Outbox {
            plan: plan.clone(),
            queues: state.outbox_queues().map_err(|e| e.to_string())?,
            now,
        })
    }

    /// The digest plan it was read with.
    pub fn plan(&self) -> &DigestPlan {
        &self.plan
    }

    /// A digest channel's schedule and when its waiting alerts go out, while
    /// that time has not come.
    fn held_until(&self, channel: &str) -> Option<(DigestSchedule, i64)> {
        let schedule = self.plan.schedule(channel)?;
        let q = self.queues.iter().find(|q| q.channel == channel)?;
        let at = digest::send_at(
            schedule,
            self.plan.timezone,
            q.last_digest,
            q.untried_oldest?,
        );
        (self.now < at).then_some((schedule, at))
    }

    /// How an outbox entry waits.
    pub fn waiting(&self, e: &OutboxEntry) -> Waiting {
        match e.status {
            OutboxStatus::Sent => Waiting::Sent,
            OutboxStatus::Dead => Waiting::Dead,
            OutboxStatus::Pending if e.attempts > 0 => Waiting::Retrying {
                attempts: e.attempts,
                next: e.next_attempt,
            },
            OutboxStatus::Pending => match self.held_until(&e.channel) {
                Some((schedule, at)) => Waiting::Digest { schedule, at },
                None => Waiting::Due,
            },
        }
    }

    /// The counts, and how late the longest-waiting delivery is.
    pub fn summary(&self) -> OutboxSummary {
        let mut s = OutboxSummary::default();
        let mut late = |t: Option<i64>| {
            if let Some(t) = t {
                s.overdue_since = Some(s.overdue_since.map_or(t, |o| o.min(t)));
            }
        };
        let mut held = 0;
        let mut due = 0;
        let mut next_digest: Option<i64> = None;
        for q in &self.queues {
            match (q.untried, self.held_until(&q.channel)) {
                (0, _) => {}
                (n, Some((_, at))) => {
                    held += n;
                    next_digest = Some(next_digest.map_or(at, |t| t.min(at)));
                }
                (n, None) => {
                    due += n;
                    // A digest whose time came is late from that time on.
                    let since = match (self.plan.schedule(&q.channel), q.untried_oldest) {
                        (Some(schedule), Some(oldest)) => Some(digest::send_at(
                            schedule,
                            self.plan.timezone,
                            q.last_digest,
                            oldest,
                        )),
                        (_, oldest) => oldest,
                    };
                    late(since);
                }
            }
            late(q.retrying_since);
            late(q.dead_oldest);
        }
        s.held = held;
        s.due = due;
        s.next_digest = next_digest;
        s.retrying = self.queues.iter().map(|q| q.retrying).sum();
        s.dead = self.queues.iter().map(|q| q.dead).sum();
        s
    }
}

/// Renders the status table at Unix time `now`.
pub fn table(config: &Config, state: &State, now: i64) -> Result<String, String> {
    let ago = |t: Option<i64>| match t {
        None => "never".to_string(),
        Some(t) if t <= now => format!("{} ago", human(Duration::from_secs((now - t) as u64))),
        Some(t) => format!("in {}", human(Duration::from_secs((t - now) as u64))),
    };
    let mut rows = vec![[
        "WATCH".to_string(),
        "LAST CHECK".into(),
        "RESULT".into(),
        "LAST CHANGE".into(),
        "NEXT DUE".into(),
        "FAILURES".into(),
        "PENDING".into(),
    ]];
    for w in &config.watches {
        let st = state.watch(&w.name).map_err(|e| e.to_string())?;
        let pending = state
            .pending_count(Some(&w.name))
            .map_err(|e| e.to_string())?;
        let next = match st.next_due {
            None => "at start".to_string(),
            Some(t) if t <= now => "now".to_string(),
            t => ago(t),
        };
        // A taken-down article stays taken down until it is back, whatever
        // a check said since (unless it failed).
        let result = match st.last_result.as_deref() {
            Some(r) if st.gone && r != "error" => "taken down".to_string(),
            Some(r) => r.to_string(),
            None => "-".to_string(),
        };
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
    let outbox = Outbox::read(&DigestPlan::of(config), state, now)?.summary();
    let _ = writeln!(
        out,
        "{}; alert deliveries: {} (state: {})",
        text::plural(config.watches.len(), "watch", "watches"),
        outbox.describe(&DigestPlan::of(config), now),
        state.location()
    );
    let _ = writeln!(out, "{}", raw_line(config, state)?);
    if outbox.dead > 0 {
        let _ = writeln!(
            out,
            "{} gave up after retrying: `{}` shows why, `{}` sends them again",
            text::plural(
                usize::try_from(outbox.dead).unwrap_or(0),
                "alert delivery",
                "alert deliveries"
            ),
            config.command("outbox list"),
            config.command("outbox retry")
        );
    }
    if let Some(fleet) = state.fleet().map_err(|e| e.to_string())? {
        fleet_section(&mut out, &fleet);
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

/// The fleet sharing the state: each replica, its leases and what it
/// leads, and the queue.
fn fleet_section(out: &mut String, fleet: &crate::store::FleetView) {
    let _ = writeln!(
        out,
        "fleet: {}, {} watches leased now, {} due and waiting, {} alert deliveries pending",
        text::plural(fleet.replicas.len(), "replica", "replicas"),
        fleet.leased,
        fleet.due,
        fleet.outbox_pending
    );
    let hashes: std::collections::HashSet<&str> = fleet
        .replicas
        .iter()
        .map(|r| r.config_hash.as_str())
        .collect();
    for r in &fleet.replicas {
        let leads = if r.leads.is_empty() {
            String::new()
        } else {
            format!(", leads {}", r.leads.join(", "))
        };
        let _ = writeln!(
            out,
            "  {}  pid {} on {}, config {}, {} leases, seen {} ago{leads}",
            r.id,
            r.pid,
            r.hostname,
            r.config_hash,
            r.leases,
            human(Duration::from_millis(r.silent_ms.max(0) as u64))
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::DisabledChannel;

    #[test]
    fn dead_alerts_and_disabled_channels_are_shown_with_what_to_do() {
        let dir = tempfile::tempdir().unwrap();
        let src = "[[channel]]\nname = \"hook\"\ntype = \"webhook\"\nurl = \"https://hooks.example.org/x\"\n\n[[watch]]\nname = \"story\"\nurl = \"https://news.example.org/a\"\n";
        let config = Config::parse(&dir.path().join("config.toml"), src).unwrap();
        let state = State::open(&dir.path().join("state")).unwrap();
        let channels = vec!["hook".to_string()];
        state
            .enqueue("a1", "story", "edited", "{}", &channels, 100)
            .unwrap();
        state
            .enqueue("a2", "story", "edited", "{}", &channels, 100)
            .unwrap();
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
        state.record_takedown("story", 1, &snapshot).unwrap();
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

    /// 2026-11-22 (a Sunday) at `h:m` UTC.
    fn at(h: i64, m: i64) -> i64 {
        1_795_305_600 + h * 3600 + m * 60
    }

    #[test]
    fn an_alert_held_for_the_daily_digest_is_waiting_not_late() {
        let dir = tempfile::tempdir().unwrap();
        let src = "[[channel]]\nname = \"mail\"\ntype = \"email\"\nsmtp_url = \"smtp://127.0.0.1:25\"\ntls = \"none\"\nfrom = \"pw@example.org\"\nto = [\"press@example.org\"]\ndigest = \"daily 08:00\"\n\n[[channel]]\nname = \"hook\"\ntype = \"webhook\"\nurl = \"https://hooks.example.org/x\"\n";
        let config = Config::parse(&dir.path().join("config.toml"), src).unwrap();
        let plan = DigestPlan::of(&config);
        let state = State::open(&dir.path().join("state")).unwrap();
        let both = vec!["mail".to_string(), "hook".to_string()];
        state
            .enqueue("a1", "story", "edited", "{}", &both, at(9, 0))
            .unwrap();
        state.mark_sent("a1", "hook", at(9, 0)).unwrap();

        // 23:00: the digest goes out at 08:00 tomorrow. Nothing is late.
        let outbox = Outbox::read(&plan, &state, at(23, 0)).unwrap();
        let entry = |id: &str, channel: &str| {
            state
                .outbox(None, None)
                .unwrap()
                .into_iter()
                .find(|e| e.alert_id == id && e.channel == channel)
                .unwrap()
        };
        assert_eq!(
            outbox.waiting(&entry("a1", "mail")),
            Waiting::Digest {
                schedule: DigestSchedule::Daily { hour: 8, minute: 0 },
                at: at(24 + 8, 0)
            }
        );
        let summary = outbox.summary();
        assert_eq!(
            (summary.held, summary.due, summary.overdue_since),
            (1, 0, None)
        );
        assert_eq!(
            summary.describe(&plan, at(23, 0)),
            "1 alert held for a digest (next at 08:00 UTC)"
        );

        // 08:30 next day, not sent yet (the daemon was down): late since 08:00.
        let outbox = Outbox::read(&plan, &state, at(24 + 8, 30)).unwrap();
        assert_eq!(outbox.waiting(&entry("a1", "mail")), Waiting::Due);
        assert_eq!(outbox.summary().overdue_since, Some(at(24 + 8, 0)));

        // The digest failed at 08:00: failing, and late from its first failure.
        state
            .mark_failed(
                "a1",
                "mail",
                "connection refused",
                at(24 + 8, 0),
                Some(at(24 + 8, 1)),
            )
            .unwrap();
        let outbox = Outbox::read(&plan, &state, at(24 + 8, 30)).unwrap();
        assert_eq!(
            outbox.waiting(&entry("a1", "mail")),
            Waiting::Retrying {
                attempts: 1,
                next: at(24 + 8, 1)
            }
        );
        let summary = outbox.summary();
        assert_eq!(
            (summary.retrying, summary.overdue_since),
            (1, Some(at(24 + 8, 0)))
        );
        assert_eq!(
            summary.describe(&plan, at(24 + 8, 30)),
            "1 alert failing (retrying)"
        );

        // An immediate channel's alert is late from its creation.
        state
            .enqueue(
                "a2",
                "story",
                "edited",
                "{}",
                &["hook".to_string()],
                at(24 + 8, 10),
            )
            .unwrap();
        let summary = Outbox::read(&plan, &state, at(24 + 8, 30))
            .unwrap()
            .summary();
        assert_eq!(
            (summary.due, summary.overdue_since),
            (1, Some(at(24 + 8, 0)))
        );
    }
}
