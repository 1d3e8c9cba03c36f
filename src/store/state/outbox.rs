//! The alert outbox: each alert stored once, with one entry per channel
//! ([`OutboxEntry`]) delivered, retried or dead; channels disabled by
//! their receiver ([`DisabledChannel`]), digests sent, the queues of
//! undelivered alerts ([`ChannelQueue`]) and the mail thread an alert
//! continues ([`Thread`]).

use rusqlite::{params, Connection, OptionalExtension};

use super::{Durability, Result, Sqlite};

/// SQL saying whether the outbox row (`row`: its alias and a dot, or "")
/// is being sent at the time bound to `now`: an attempt started and its
/// time limit not passed. Retry, drop and the queue counts read it alike.
macro_rules! being_sent {
    ($row:literal, $now:literal) => {
        concat!(
            "COALESCE(",
            $row,
            "status = 'pending' AND ",
            $row,
            "sending_until > ",
            $now,
            ", 0)"
        )
    };
}

/// Delivery status of an outbox entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutboxStatus {
    /// Waiting for (re)delivery.
    Pending,
    /// Delivered.
    Sent,
    /// Gave up after the retry window; needs `presswatch outbox retry`.
    Dead,
}

impl OutboxStatus {
    pub(in crate::store) fn as_str(self) -> &'static str {
        match self {
            OutboxStatus::Pending => "pending",
            OutboxStatus::Sent => "sent",
            OutboxStatus::Dead => "dead",
        }
    }
    pub(in crate::store) fn parse(s: &str) -> OutboxStatus {
        match s {
            "sent" => OutboxStatus::Sent,
            "dead" => OutboxStatus::Dead,
            _ => OutboxStatus::Pending,
        }
    }
}

/// One alert waiting for (or done with) one channel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboxEntry {
    /// The alert's stable id.
    pub alert_id: String,
    /// The channel name (`-` for the log/stdout when no channel is configured).
    pub channel: String,
    /// The watch the alert is about.
    pub watch: String,
    /// The alert kind.
    pub kind: String,
    /// The alert as JSON.
    pub payload: String,
    /// Delivery status.
    pub status: OutboxStatus,
    /// Delivery attempts so far.
    pub attempts: u32,
    /// Unix time the alert was created.
    pub created_at: i64,
    /// Unix time of the next attempt.
    pub next_attempt: i64,
    /// The last delivery error.
    pub last_error: Option<String>,
    /// Unix time of the first failed attempt (the retry window starts there).
    pub first_failure: Option<i64>,
    /// Unix time the attempt under way (or the last one, cut off) started.
    pub sending_since: Option<i64>,
    /// Unix time that attempt's time limit runs out: until then the entry
    /// is being sent, after it delivery takes it as due (or retrying) again.
    pub sending_until: Option<i64>,
    /// Who makes that attempt: with PostgreSQL, the holder of the entry's
    /// claim. `None` with SQLite, where one daemon per state directory
    /// sends, and while no attempt is recorded.
    pub sending_by: Option<Sender>,
}

/// The process sending an outbox entry in a fleet (PostgreSQL).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sender {
    /// Its id (`host:pid:random`), as `status`'s fleet section lists a replica.
    pub id: String,
    /// Whether it is a replica of the fleet (`presswatch run`); else it is a
    /// command that delivers (`check`, `outbox retry`).
    pub replica: bool,
    /// For a replica, how long since it last renewed its leases (ms): one
    /// silent for longer than the lease time has stopped or lost the
    /// database, and its attempt may never end.
    pub silent_ms: Option<i64>,
}

impl Sender {
    /// As messages name it: `replica db1:4242:a3f0`, or for a command
    /// `command db1:4242:a3f0 (presswatch check or outbox retry)`.
    pub fn describe(&self) -> String {
        if self.replica {
            format!("replica {}", self.id)
        } else {
            format!("command {} (presswatch check or outbox retry)", self.id)
        }
    }
}

/// Why a channel is disabled: its receiver said it is gone (HTTP 410).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DisabledChannel {
    /// The error that disabled it.
    pub reason: String,
    /// The channel target it was disabled for (a changed URL enables it again).
    pub target: String,
}

/// The undelivered alerts of one channel, counted by how they wait (for
/// `status`, `outbox list`, the metrics and the systemd status line).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ChannelQueue {
    /// The channel.
    pub channel: String,
    /// Pending entries not tried yet (and not being sent): due, or held for
    /// the channel's digest.
    pub untried: i64,
    /// Creation time of the oldest untried entry.
    pub untried_oldest: Option<i64>,
    /// Pending entries whose delivery failed and is retried (and that are
    /// not being sent again now).
    pub retrying: i64,
    /// When the oldest retrying entry first failed (its creation when
    /// unknown), one being sent again included: a failing alert stays as
    /// late while it is tried again.
    pub retrying_since: Option<i64>,
    /// Entries that gave up.
    pub dead: i64,
    /// Creation time of the oldest dead entry.
    pub dead_oldest: Option<i64>,
    /// When the channel's last digest went out.
    pub last_digest: Option<i64>,
    /// Pending entries being sent now: an attempt started and its time
    /// limit has not run out.
    pub sending: i64,
    /// Creation time of the oldest entry being sent on its first attempt:
    /// not delivered yet, it is as late as an untried one (a receiver that
    /// hangs, a replica killed while sending holds it until its claim runs
    /// out), however far that attempt has got.
    pub first_try_oldest: Option<i64>,
}

impl ChannelQueue {
    /// Entries not delivered: untried, being sent, retrying or dead.
    pub fn undelivered(&self) -> i64 {
        self.untried + self.sending + self.retrying + self.dead
    }
}

impl Sqlite {
    /// Outbox entries, filtered by status; due-only limits pending ones to those due by `now`.
    pub fn outbox(
        &self,
        status: Option<OutboxStatus>,
        due_by: Option<i64>,
    ) -> Result<Vec<OutboxEntry>> {
        let db = self.reader();
        // With a status the index on (status, next_attempt) finds the entries
        // without reading the delivered ones.
        let by_status = if status.is_some() {
            "o.status = ?1"
        } else {
            "?1 IS NULL"
        };
        let sql = format!(
            "SELECT o.alert_id, o.channel, a.watch, a.kind, a.payload, o.status, o.attempts, a.created_at, o.next_attempt, o.last_error, o.first_failure,
                    o.sending_since, o.sending_until
             FROM outbox o JOIN alerts a ON a.id = o.alert_id
             WHERE {by_status} AND o.next_attempt <= COALESCE(?2, 9223372036854775807)
             ORDER BY a.created_at, a.rowid, o.channel"
        );
        let mut st = db.prepare_cached(&sql).map_err(|e| self.err(e))?;
        let rows = st
            .query_map(params![status.map(OutboxStatus::as_str), due_by], |r| {
                Ok(OutboxEntry {
                    alert_id: r.get(0)?,
                    channel: r.get(1)?,
                    watch: r.get(2)?,
                    kind: r.get(3)?,
                    payload: r.get(4)?,
                    status: OutboxStatus::parse(&r.get::<_, String>(5)?),
                    attempts: r.get(6)?,
                    created_at: r.get(7)?,
                    next_attempt: r.get(8)?,
                    last_error: r.get(9)?,
                    first_failure: r.get(10)?,
                    sending_since: r.get(11)?,
                    sending_until: r.get(12)?,
                    sending_by: None,
                })
            })
            .map_err(|e| self.err(e))?;
        rows.collect::<std::result::Result<_, _>>()
            .map_err(|e| self.err(e))
    }

    /// Marks an entry delivered. The commit does not wait for the disk: a
    /// power cut can only make the alert go out again under the same id,
    /// which receivers drop as a duplicate.
    pub fn mark_sent(&self, alert_id: &str, channel: &str, now: i64) -> Result<()> {
        self.write(Durability::Lazy, |db| {
            db.prepare_cached(
                "UPDATE outbox SET status='sent', sent_at=?3, attempts=attempts+1, last_error=NULL, sending_since=NULL, sending_until=NULL WHERE alert_id=?1 AND channel=?2",
            )?
            .execute(params![alert_id, channel, now])
            .map(|_| ())
        })
    }

    /// Records that an attempt to send the pending entry starts at `now`
    /// and lasts up to `until` (Unix times): `outbox list` shows it being
    /// sent until then. Like [`crate::store::State::mark_sent`], the commit does not wait
    /// for the disk: a power cut can only lose this mark.
    pub fn mark_sending(&self, alert_id: &str, channel: &str, now: i64, until: i64) -> Result<()> {
        self.write(Durability::Lazy, |db| {
            db.prepare_cached(
                "UPDATE outbox SET sending_since=?3, sending_until=?4 WHERE alert_id=?1 AND channel=?2 AND status='pending'",
            )?
            .execute(params![alert_id, channel, now, until])
            .map(|_| ())
        })
    }

    /// Records a failed attempt at `now`: retry at `next_attempt`, or dead
    /// when `None`. Like [`crate::store::State::mark_sent`], the commit does not wait for
    /// the disk: a power cut can only make the entry due again sooner.
    pub fn mark_failed(
        &self,
        alert_id: &str,
        channel: &str,
        error: &str,
        now: i64,
        next_attempt: Option<i64>,
    ) -> Result<()> {
        let (status, next) = match next_attempt {
            Some(t) => ("pending", t),
            None => ("dead", 0),
        };
        self.write(Durability::Lazy, |db| {
            db.prepare_cached(
                "UPDATE outbox SET status=?3, attempts=attempts+1, last_error=?4, first_failure=COALESCE(first_failure, ?6),
                   sending_since=NULL, sending_until=NULL, next_attempt=CASE WHEN ?3='dead' THEN next_attempt ELSE ?5 END
                 WHERE alert_id=?1 AND channel=?2",
            )?
            .execute(params![alert_id, channel, status, error, next, now])
            .map(|_| ())
        })
    }

    /// Makes unsent entries (all, or of one alert) pending and due now with
    /// a fresh retry window, and enables channels disabled by a 410. An
    /// entry being sent at `now` (its attempt's time limit not passed) is
    /// left as it is: that attempt settles it. Returns how many entries.
    pub fn retry(&self, alert_id: Option<&str>, now: i64) -> Result<usize> {
        let mut db = self.db();
        let tx = db.transaction().map_err(|e| self.err(e))?;
        let n = tx
            .execute(
                concat!(
                    "UPDATE outbox SET status='pending', next_attempt=?2, first_failure=NULL, sending_since=NULL, sending_until=NULL
                     WHERE status != 'sent' AND (?1 IS NULL OR alert_id = ?1) AND NOT ",
                    being_sent!("", "?2"),
                ),
                params![alert_id, now],
            )
            .map_err(|e| self.err(e))?;
        tx.execute(
            "UPDATE channel_state SET disabled_reason=NULL, disabled_for=NULL",
            [],
        )
        .map_err(|e| self.err(e))?;
        tx.commit().map_err(|e| self.err(e))?;
        Ok(n)
    }

    /// Drops unsent entries (all, or of one alert). An entry being sent at
    /// `now` (its attempt's time limit not passed) is kept, as by
    /// [`crate::store::State::retry`]: that attempt may still deliver it. Returns how many.
    pub fn drop_entries(
        &self,
        alert_id: Option<&str>,
        channel: Option<&str>,
        now: i64,
    ) -> Result<usize> {
        self.db()
            .execute(
                concat!(
                    "DELETE FROM outbox WHERE status != 'sent' AND (?1 IS NULL OR alert_id = ?1) AND (?2 IS NULL OR channel = ?2)
                       AND NOT ",
                    being_sent!("", "?3"),
                ),
                params![alert_id, channel, now],
            )
            .map_err(|e| self.err(e))
    }

    /// Makes the entries of `channel` that failed and wait for their next
    /// try due at `now`: a reload changed the channel (its URL, server,
    /// recipients), so the backoff earned by its old settings no longer
    /// holds. An entry being sent is left to its attempt; dead ones stay
    /// dead (`outbox retry` sends them). Returns how many.
    pub fn retry_channel_now(&self, channel: &str, now: i64) -> Result<usize> {
        self.db()
            .execute(
                concat!(
                    "UPDATE outbox SET next_attempt = ?2
                     WHERE channel = ?1 AND status = 'pending' AND attempts > 0 AND next_attempt > ?2 AND NOT ",
                    being_sent!("", "?2"),
                ),
                params![channel, now],
            )
            .map_err(|e| self.err(e))
    }

    /// Forgets delivered alerts sent before `before` (Unix time): their
    /// outbox entries, and the alerts themselves once no entry refers to them.
    /// Returns how many entries were removed.
    pub fn prune_delivered(&self, before: i64) -> Result<usize> {
        let mut db = self.db();
        let tx = db.transaction().map_err(|e| self.err(e))?;
        let n = tx
            .execute(
                "DELETE FROM outbox WHERE status = 'sent' AND sent_at < ?1",
                [before],
            )
            .map_err(|e| self.err(e))?;
        tx.execute(
            "DELETE FROM alerts WHERE created_at < ?1 AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.alert_id = alerts.id)",
            [before],
        )
        .map_err(|e| self.err(e))?;
        tx.commit().map_err(|e| self.err(e))?;
        Ok(n)
    }

    /// Why a channel is disabled, if it is.
    pub fn channel_disabled(&self, channel: &str) -> Result<Option<DisabledChannel>> {
        self.reader()
            .query_row(
                "SELECT disabled_reason, disabled_for FROM channel_state WHERE channel = ?1 AND disabled_reason IS NOT NULL",
                [channel],
                |r| {
                    Ok(DisabledChannel {
                        reason: r.get(0)?,
                        target: r.get::<_, Option<String>>(1)?.unwrap_or_default(),
                    })
                },
            )
            .optional()
            .map_err(|e| self.err(e))
    }

    /// Disables a channel (its receiver is gone) until its target changes or
    /// `outbox retry`; `None` enables it again.
    pub fn set_channel_disabled(
        &self,
        channel: &str,
        disabled: Option<&DisabledChannel>,
    ) -> Result<()> {
        self.db()
            .execute(
                "INSERT INTO channel_state (channel, disabled_reason, disabled_for) VALUES (?1, ?2, ?3)
                 ON CONFLICT(channel) DO UPDATE SET disabled_reason=?2, disabled_for=?3",
                params![
                    channel,
                    disabled.map(|d| &d.reason),
                    disabled.map(|d| &d.target)
                ],
            )
            .map(|_| ())
            .map_err(|e| self.err(e))
    }

    /// Unix time the channel's last digest went out.
    pub fn last_digest(&self, channel: &str) -> Result<Option<i64>> {
        self.reader()
            .query_row(
                "SELECT last_digest FROM channel_state WHERE channel = ?1",
                [channel],
                |r| r.get(0),
            )
            .optional()
            .map(Option::flatten)
            .map_err(|e| self.err(e))
    }

    /// Marks a digest's entries sent and records when, in one transaction.
    pub fn mark_digest_sent(&self, channel: &str, alert_ids: &[String], now: i64) -> Result<()> {
        let mut db = self.db();
        let tx = db.transaction().map_err(|e| self.err(e))?;
        for id in alert_ids {
            tx.execute(
                "UPDATE outbox SET status='sent', sent_at=?3, attempts=attempts+1, last_error=NULL, sending_since=NULL, sending_until=NULL WHERE alert_id=?1 AND channel=?2",
                params![id, channel, now],
            )
            .map_err(|e| self.err(e))?;
        }
        tx.execute(
            "INSERT INTO channel_state (channel, last_digest) VALUES (?1, ?2)
             ON CONFLICT(channel) DO UPDATE SET last_digest=?2",
            params![channel, now],
        )
        .map_err(|e| self.err(e))?;
        tx.commit().map_err(|e| self.err(e))
    }

    /// Pending entries per watch (for status).
    pub fn pending_count(&self, watch: Option<&str>) -> Result<i64> {
        self.reader()
            .query_row(
                "SELECT COUNT(*) FROM outbox o JOIN alerts a ON a.id = o.alert_id WHERE o.status IN ('pending', 'dead') AND (?1 IS NULL OR a.watch = ?1)",
                params![watch],
                |r| r.get(0),
            )
            .map_err(|e| self.err(e))
    }

    /// The undelivered entries of each channel that has any, by how they
    /// wait at Unix time `now`.
    pub fn outbox_queues(&self, now: i64) -> Result<Vec<ChannelQueue>> {
        let db = self.reader();
        // An entry is being sent while its attempt's time limit has not run
        // out; it counts there, not as untried or retrying, but stays as late
        // as it was: a failing one tried again from its first failure
        // (`retrying_since`), one on its first attempt from its creation
        // (`first_try_oldest`).
        let mut st = db
            .prepare_cached(concat!(
                "WITH o AS (
                    SELECT o.*, ",
                being_sent!("o.", "?1"),
                " AS sending FROM outbox o
                    WHERE o.status IN ('pending', 'dead'))
                 SELECT o.channel,
                    COALESCE(SUM(o.status = 'pending' AND o.attempts = 0 AND NOT o.sending), 0),
                    MIN(CASE WHEN o.status = 'pending' AND o.attempts = 0 AND NOT o.sending THEN a.created_at END),
                    COALESCE(SUM(o.status = 'pending' AND o.attempts > 0 AND NOT o.sending), 0),
                    MIN(CASE WHEN o.status = 'pending' AND o.attempts > 0 THEN COALESCE(o.first_failure, a.created_at) END),
                    COALESCE(SUM(o.status = 'dead'), 0),
                    MIN(CASE WHEN o.status = 'dead' THEN a.created_at END),
                    (SELECT c.last_digest FROM channel_state c WHERE c.channel = o.channel),
                    COALESCE(SUM(o.sending), 0),
                    MIN(CASE WHEN o.sending AND o.attempts = 0 THEN a.created_at END)
                 FROM o JOIN alerts a ON a.id = o.alert_id
                 GROUP BY o.channel ORDER BY o.channel"))
            .map_err(|e| self.err(e))?;
        let rows = st
            .query_map([now], |r| {
                Ok(ChannelQueue {
                    channel: r.get(0)?,
                    untried: r.get(1)?,
                    untried_oldest: r.get(2)?,
                    retrying: r.get(3)?,
                    retrying_since: r.get(4)?,
                    dead: r.get(5)?,
                    dead_oldest: r.get(6)?,
                    last_digest: r.get(7)?,
                    sending: r.get(8)?,
                    first_try_oldest: r.get(9)?,
                })
            })
            .map_err(|e| self.err(e))?;
        rows.collect::<std::result::Result<_, _>>()
            .map_err(|e| self.err(e))
    }

    /// The mail thread an alert continues: the ids of every earlier alert
    /// about the same watch still kept, oldest first (for In-Reply-To and
    /// References), and the first headline among them (the thread's stable
    /// subject). A listing's or feed's new and retitled items are each a
    /// story of their own (`notify::story_thread` starts none for them): they are no part of the
    /// watch's thread, so its error alert is not titled by a story it found.
    pub fn thread(&self, watch: &str, alert_id: &str) -> Result<Thread> {
        let db = self.reader();
        let mut st = db
            .prepare_cached(
                "SELECT id, json_extract(payload, '$.title') FROM alerts
                 WHERE watch = ?1 AND rowid < (SELECT rowid FROM alerts WHERE id = ?2)
                   AND kind NOT IN ('new_items', 'retitled') ORDER BY rowid",
            )
            .map_err(|e| self.err(e))?;
        let rows: Vec<(String, Option<String>)> = st
            .query_map(params![watch, alert_id], |r| Ok((r.get(0)?, r.get(1)?)))
            .map_err(|e| self.err(e))?
            .collect::<std::result::Result<_, _>>()
            .map_err(|e| self.err(e))?;
        let headline = rows
            .iter()
            .find_map(|(_, t)| t.clone().filter(|t| !t.is_empty()));
        Ok(Thread {
            ids: rows.into_iter().map(|(id, _)| id).collect(),
            headline,
        })
    }
}

/// The earlier alerts about one watch, for mail threading.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Thread {
    /// Their ids, oldest first.
    pub ids: Vec<String>,
    /// The first headline among them.
    pub headline: Option<String>,
}

/// An alert a check puts in the outbox, one entry per channel, in the
/// transaction that stores the version it reports ([`crate::store::Checked::alerts`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAlert {
    /// Its stable id ([`crate::alert::Alert::id`]).
    pub id: String,
    /// Its kind ([`crate::compare::ChangeKind::as_str`]).
    pub kind: String,
    /// The alert as JSON, as channels send it.
    pub payload: String,
    /// The channels it goes to.
    pub channels: Vec<String>,
}

/// Puts an alert about `watch` in the outbox at `now`, one entry per
/// channel, in the caller's transaction (a check's, [`Sqlite::save_check`],
/// with the version the alert reports). Idempotent: an alert id already
/// present adds nothing, and keeps the payload it was queued with: what a
/// channel may already have is what every channel sends.
pub(super) fn enqueue_in(
    db: &Connection,
    watch: &str,
    alert: &NewAlert,
    now: i64,
) -> rusqlite::Result<()> {
    db.prepare_cached(
        "INSERT OR IGNORE INTO alerts (id, watch, kind, created_at, payload) VALUES (?1, ?2, ?3, ?4, ?5)",
    )?
    .execute(params![alert.id, watch, alert.kind, now, alert.payload])?;
    let mut entry = db.prepare_cached(
        "INSERT OR IGNORE INTO outbox (alert_id, channel, next_attempt) VALUES (?1, ?2, ?3)",
    )?;
    for ch in &alert.channels {
        entry.execute(params![alert.id, ch, now])?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{Durability, WatchState};

    /// Queues the alert `id` about watch `w` at `at` for `channels`, as a
    /// check does.
    fn queue(st: &Sqlite, id: &str, channels: &[&str], at: i64) {
        let check = crate::store::checked::queuing(id, "edited", "{}", channels, at);
        st.save_check("w", &WatchState::default(), &check, Durability::Durable)
            .unwrap();
    }

    #[test]
    fn enqueue_is_idempotent_per_alert_id() {
        let dir = tempfile::tempdir().unwrap();
        let st = Sqlite::open(dir.path()).unwrap();
        let chans = ["mail", "hook"];
        queue(&st, "a1", &chans, 10);
        queue(&st, "a1", &chans, 11);
        assert_eq!(
            st.outbox(Some(OutboxStatus::Pending), None).unwrap().len(),
            2
        );
        st.mark_sent("a1", "mail", 12).unwrap();
        st.mark_failed("a1", "hook", "HTTP 500", 13, None).unwrap();
        assert_eq!(st.outbox(Some(OutboxStatus::Dead), None).unwrap().len(), 1);
        assert_eq!(st.retry(None, 20).unwrap(), 1);
        assert_eq!(st.pending_count(Some("w")).unwrap(), 1);
    }

    #[test]
    fn delivered_alerts_are_pruned_undelivered_kept() {
        let dir = tempfile::tempdir().unwrap();
        let st = Sqlite::open(dir.path()).unwrap();
        for id in ["old", "dead", "new"] {
            queue(&st, id, &["mail"], 10);
        }
        st.mark_sent("old", "mail", 20).unwrap();
        st.mark_failed("dead", "mail", "HTTP 500", 20, None)
            .unwrap();
        st.mark_sent("new", "mail", 100).unwrap();
        assert_eq!(st.prune_delivered(50).unwrap(), 1);
        let left: Vec<String> = st
            .outbox(None, None)
            .unwrap()
            .into_iter()
            .map(|e| e.alert_id)
            .collect();
        assert_eq!(left, vec!["dead", "new"]);
        assert_eq!(st.thread("w", "new").unwrap().ids, vec!["dead"]);
    }
}
