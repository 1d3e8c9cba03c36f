//! Where undelivered alerts stand: sent, being sent, due, held for a digest
//! whose time has not come, retrying, or dead. `status`, `outbox list`, the metrics and
//! the systemd status line all read it through [`Outbox`], so they report
//! the same way: held for a digest is waiting, not stuck.

use chrono_tz::Tz;

use super::digest;
use crate::config::{Config, DigestSchedule};
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
    /// An attempt is under way: it started at `since` (Unix time) and its
    /// time limit has not run out. One cut off (the process killed, or
    /// stopped at its shutdown deadline) reads as due or retrying again
    /// once the limit passed, as delivery then takes it.
    Sending {
        /// When the attempt started.
        since: i64,
        /// Which attempt this is (1 for the first).
        attempt: u32,
    },
    /// Gave up after retrying: needs `presswatch outbox retry`.
    Dead,
    /// Delivered.
    Sent,
}

/// Undelivered alerts counted by how they wait.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct OutboxSummary {
    /// Being sent now.
    pub sending: i64,
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
    /// a digest channel; an alert being sent counts, as it is not delivered
    /// until its attempt succeeds. `None` when nothing is late; a held
    /// digest is not.
    pub overdue_since: Option<i64>,
}

impl OutboxSummary {
    /// Deliveries not done yet, held ones included.
    pub fn undelivered(&self) -> i64 {
        self.sending + self.due + self.held + self.retrying + self.dead
    }

    /// "1 alert being sent, 2 alerts to send, 3 held for a digest (next at 08:00 CET), 1
    /// failing (retrying), 1 dead"; "0 pending alerts" when all went out.
    pub fn describe(&self, plan: &DigestPlan, now: i64) -> String {
        let count = |n: i64| usize::try_from(n).unwrap_or(0);
        let mut parts = Vec::new();
        if self.sending > 0 {
            parts.push(text::plural(
                count(self.sending),
                "alert being sent",
                "alerts being sent",
            ));
        }
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
            queues: state.outbox_queues(now).map_err(|e| e.to_string())?,
            now,
        })
    }

    /// The undelivered alerts of `channel`, if any.
    pub fn queue(&self, channel: &str) -> Option<&ChannelQueue> {
        self.queues.iter().find(|q| q.channel == channel)
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
            OutboxStatus::Pending if e.sending_until.is_some_and(|t| t > self.now) => {
                Waiting::Sending {
                    since: e.sending_since.unwrap_or(self.now),
                    attempt: e.attempts.saturating_add(1),
                }
            }
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

    /// Since when the delivery of an alert of the queue `q` created at
    /// `created` (not tried before) is due: its creation for an immediate
    /// channel; for a digest channel, its digest's time, late from then on.
    fn due_since(&self, q: &ChannelQueue, created: Option<i64>) -> Option<i64> {
        let created = created?;
        Some(match self.plan.schedule(&q.channel) {
            Some(schedule) => digest::send_at(schedule, self.plan.timezone, q.last_digest, created),
            None => created,
        })
    }

    /// The queues of channels that undelivered alerts wait for but
    /// `config` no longer names (removed or renamed since the alerts were
    /// queued): retrying cannot deliver them, so `status` says what to do
    /// instead.
    pub fn removed_channels(&self, config: &Config) -> Vec<&ChannelQueue> {
        self.queues
            .iter()
            .filter(|q| q.channel != super::STDOUT_CHANNEL)
            .filter(|q| !config.channels.iter().any(|c| c.name == q.channel))
            .filter(|q| q.undelivered() > 0)
            .collect()
    }

    /// The counts, and how late the longest-waiting delivery is: an alert
    /// being sent counts as late as it was before its attempt started.
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
                    late(self.due_since(q, q.untried_oldest));
                }
            }
            // Being sent is not delivered: an alert on its first attempt
            // (a receiver that hangs, a killed replica's claim) is as late
            // as it would be due; a failing one, from its first failure.
            late(self.due_since(q, q.first_try_oldest));
            late(q.retrying_since);
            late(q.dead_oldest);
        }
        s.held = held;
        s.due = due;
        s.next_digest = next_digest;
        s.retrying = self.queues.iter().map(|q| q.retrying).sum();
        s.sending = self.queues.iter().map(|q| q.sending).sum();
        s.dead = self.queues.iter().map(|q| q.dead).sum();
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::checked::{queuing, store};

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
        store(
            &state,
            "story",
            &queuing("a1", "edited", "{}", &["mail", "hook"], at(9, 0)),
        );
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
        store(
            &state,
            "story",
            &queuing("a2", "edited", "{}", &["hook"], at(24 + 8, 10)),
        );
        let summary = Outbox::read(&plan, &state, at(24 + 8, 30))
            .unwrap()
            .summary();
        assert_eq!(
            (summary.due, summary.overdue_since),
            (1, Some(at(24 + 8, 0)))
        );
    }
    #[test]
    fn a_digest_being_sent_is_late_from_its_time_until_it_is_delivered() {
        let dir = tempfile::tempdir().unwrap();
        let src = "[[channel]]\nname = \"mail\"\ntype = \"email\"\nsmtp_url = \"smtp://127.0.0.1:25\"\ntls = \"none\"\nfrom = \"pw@example.org\"\nto = [\"press@example.org\"]\ndigest = \"daily 08:00\"\n";
        let config = Config::parse(&dir.path().join("config.toml"), src).unwrap();
        let plan = DigestPlan::of(&config);
        let state = State::open(&dir.path().join("state")).unwrap();
        store(
            &state,
            "story",
            &queuing("a1", "edited", "{}", &["mail"], at(21, 0)),
        );
        // 08:00 next day the digest goes out, and its relay hangs until 08:20.
        let db = crate::store::Sqlite::open(&dir.path().join("state")).unwrap();
        db.mark_sending("a1", "mail", at(24 + 8, 0), at(24 + 9, 0))
            .unwrap();
        let outbox = Outbox::read(&plan, &state, at(24 + 8, 20)).unwrap();
        let summary = outbox.summary();
        assert_eq!(
            (summary.sending, summary.held, summary.overdue_since),
            (1, 0, Some(at(24 + 8, 0)))
        );
    }
}
