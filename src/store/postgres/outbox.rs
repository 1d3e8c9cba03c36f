//! The alert outbox in PostgreSQL, as the SQLite backend keeps it: each
//! alert stored once, with one entry per channel ([`OutboxEntry`])
//! delivered, retried or dead; channels disabled by their receiver
//! ([`DisabledChannel`]), digests sent, the queues of undelivered alerts
//! ([`ChannelQueue`]) and the mail thread an alert continues ([`Thread`]).
//! Which replica sends an entry (its claim, [`Postgres::claim_outbox`]) is
//! the fleet's part.

use tokio_postgres::Row;

use super::{Conn, PgResult, Postgres, Result};
use crate::store::{
    ChannelQueue, DisabledChannel, Durability, NewAlert, OutboxEntry, OutboxStatus, Sender, Thread,
};

/// SQL saying whether the outbox row (`row`: its alias and a dot, or "")
/// is being sent at the time bound to `now`: an attempt started and the
/// claim it holds not run out. Retry, drop and the queue counts read it alike.
macro_rules! being_sent {
    ($row:literal, $now:literal) => {
        concat!(
            "COALESCE(",
            $row,
            "status = 'pending' AND ",
            $row,
            "sending_since IS NOT NULL AND (",
            $row,
            "claim_until_ms + 999) / 1000 > ",
            $now,
            ", false)"
        )
    };
}

impl Postgres {
    /// Outbox entries, filtered by status; due-only limits them to those due by `now`.
    pub fn outbox(
        &self,
        status: Option<OutboxStatus>,
        due_by: Option<i64>,
    ) -> Result<Vec<OutboxEntry>> {
        let status = status.map(OutboxStatus::as_str);
        self.run(async |c| {
            Ok(c.query(OUTBOX_SQL, &[&status, &due_by])
                .await?
                .iter()
                .map(outbox_entry)
                .collect())
        })
    }

    /// Marks an entry delivered (and releases its claim).
    pub fn mark_sent(&self, alert_id: &str, channel: &str, now: i64) -> Result<()> {
        self.run(async |c| {
            c.execute(
                "UPDATE outbox SET status='sent', sent_at=$3, attempts=attempts+1, last_error=NULL, claimed_by=NULL, claim_until_ms=NULL, sending_since=NULL WHERE alert_id=$1 AND channel=$2",
                &[&alert_id, &channel, &now],
            )
            .await
            .map(|_| ())
        })
    }

    /// Records a failed attempt: retry at `next_attempt`, or dead when `None`.
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
        self.run(async |c| {
            c.execute(
                "UPDATE outbox SET status=$3, attempts=attempts+1, last_error=$4, first_failure=COALESCE(first_failure, $6),
                   next_attempt=CASE WHEN $3='dead' THEN next_attempt ELSE $5 END, claimed_by=NULL, claim_until_ms=NULL, sending_since=NULL
                 WHERE alert_id=$1 AND channel=$2",
                &[&alert_id, &channel, &status, &error, &next, &now],
            )
            .await
            .map(|_| ())
        })
    }

    /// Makes unsent entries pending and due now, and enables disabled
    /// channels. An entry being sent at `now` (the claim its attempt holds
    /// has not run out, as [`Postgres::outbox_queues`] reads it) is left as
    /// it is: that attempt settles it.
    pub fn retry(&self, alert_id: Option<&str>, now: i64) -> Result<usize> {
        self.transaction(Durability::Durable, async |c| {
            let n = c
                .execute(
                    concat!(
                        "UPDATE outbox SET status='pending', next_attempt=$2, first_failure=NULL
                         WHERE status != 'sent' AND ($1::TEXT IS NULL OR alert_id = $1) AND NOT ",
                        being_sent!("", "$2"),
                    ),
                    &[&alert_id, &now],
                )
                .await?;
            c.execute(
                "UPDATE channel_state SET disabled_reason=NULL, disabled_for=NULL",
                &[],
            )
            .await?;
            Ok(n as usize)
        })
    }

    /// Drops unsent entries (all, or of one alert). An entry being sent at
    /// `now` is kept, as by [`Postgres::retry`]: that attempt may still
    /// deliver it. Returns how many.
    pub fn drop_entries(
        &self,
        alert_id: Option<&str>,
        channel: Option<&str>,
        now: i64,
    ) -> Result<usize> {
        self.transaction(Durability::Durable, async |c| {
            c.execute(
                concat!(
                    "DELETE FROM outbox WHERE status != 'sent' AND ($1::TEXT IS NULL OR alert_id = $1) AND ($2::TEXT IS NULL OR channel = $2)
                       AND NOT ",
                    being_sent!("", "$3"),
                ),
                &[&alert_id, &channel, &now],
            )
            .await
            .map(|n| n as usize)
        })
    }

    /// Makes the failed entries of `channel` waiting for their next try due
    /// at `now` (see [`crate::store::State::retry_channel_now`]).
    pub fn retry_channel_now(&self, channel: &str, now: i64) -> Result<usize> {
        self.session(Durability::Durable, async |c| {
            c.execute(
                concat!(
                    "UPDATE outbox SET next_attempt = $2
                     WHERE channel = $1 AND status = 'pending' AND attempts > 0 AND next_attempt > $2 AND NOT ",
                    being_sent!("", "$2"),
                ),
                &[&channel, &now],
            )
            .await
            .map(|n| n as usize)
        })
    }

    /// Forgets delivered alerts sent before `before`.
    pub fn prune_delivered(&self, before: i64) -> Result<usize> {
        self.transaction(Durability::Durable, async |c| {
            let n = c
                .execute(
                    "DELETE FROM outbox WHERE status = 'sent' AND sent_at < $1",
                    &[&before],
                )
                .await?;
            c.execute(
                "DELETE FROM alerts WHERE created_at < $1 AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.alert_id = alerts.id)",
                &[&before],
            )
            .await?;
            Ok(n as usize)
        })
    }

    /// Why a channel is disabled, if it is.
    pub fn channel_disabled(&self, channel: &str) -> Result<Option<DisabledChannel>> {
        self.run(async |c| {
            Ok(c.query_opt(
                "SELECT disabled_reason, disabled_for FROM channel_state WHERE channel = $1 AND disabled_reason IS NOT NULL",
                &[&channel],
            )
            .await?
            .map(|r| DisabledChannel {
                reason: r.get(0),
                target: r.get::<_, Option<String>>(1).unwrap_or_default(),
            }))
        })
    }

    /// Disables a channel; `None` enables it again.
    pub fn set_channel_disabled(
        &self,
        channel: &str,
        disabled: Option<&DisabledChannel>,
    ) -> Result<()> {
        let reason = disabled.map(|d| d.reason.as_str());
        let target = disabled.map(|d| d.target.as_str());
        self.transaction(Durability::Durable, async |c| {
            c.execute(
                "INSERT INTO channel_state (channel, disabled_reason, disabled_for) VALUES ($1, $2, $3)
                 ON CONFLICT (channel) DO UPDATE SET disabled_reason=$2, disabled_for=$3",
                &[&channel, &reason, &target],
            )
            .await
            .map(|_| ())
        })
    }

    /// Unix time the channel's last digest went out.
    pub fn last_digest(&self, channel: &str) -> Result<Option<i64>> {
        self.run(async |c| {
            Ok(c.query_opt(
                "SELECT last_digest FROM channel_state WHERE channel = $1",
                &[&channel],
            )
            .await?
            .and_then(|r| r.get(0)))
        })
    }

    /// Marks a digest's entries sent and records when, in one transaction.
    pub fn mark_digest_sent(&self, channel: &str, alert_ids: &[String], now: i64) -> Result<()> {
        self.transaction(Durability::Durable, async |c| {
            c.execute(
                "UPDATE outbox SET status='sent', sent_at=$3, attempts=attempts+1, last_error=NULL, claimed_by=NULL, claim_until_ms=NULL, sending_since=NULL
                 WHERE alert_id = ANY($1) AND channel=$2",
                &[&alert_ids, &channel, &now],
            )
            .await?;
            c.execute(
                "INSERT INTO channel_state (channel, last_digest) VALUES ($1, $2)
                 ON CONFLICT (channel) DO UPDATE SET last_digest=$2",
                &[&channel, &now],
            )
            .await
            .map(|_| ())
        })
    }

    /// Pending entries per watch (for status).
    pub fn pending_count(&self, watch: Option<&str>) -> Result<i64> {
        self.run(async |c| {
            Ok(c.query_one(
                "SELECT COUNT(*) FROM outbox o JOIN alerts a ON a.id = o.alert_id WHERE o.status IN ('pending', 'dead') AND ($1::TEXT IS NULL OR a.watch = $1)",
                &[&watch],
            )
            .await?
            .get(0))
        })
    }

    /// The undelivered entries of each channel that has any, by how they
    /// wait at Unix time `now`: an entry is being sent while the claim its
    /// attempt holds has not run out (see [`Postgres::hold_claim`]), and
    /// stays as late as it was (see [`ChannelQueue::first_try_oldest`]).
    pub fn outbox_queues(&self, now: i64) -> Result<Vec<ChannelQueue>> {
        self.run(async |c| {
            let rows = c
                .query(
                    concat!(
                        "WITH o AS (
                        SELECT o.*, ",
                        being_sent!("o.", "$1"),
                        " AS sending
                        FROM outbox o WHERE o.status IN ('pending', 'dead'))
                     SELECT o.channel,
                        COUNT(*) FILTER (WHERE o.status = 'pending' AND o.attempts = 0 AND NOT o.sending),
                        MIN(a.created_at) FILTER (WHERE o.status = 'pending' AND o.attempts = 0 AND NOT o.sending),
                        COUNT(*) FILTER (WHERE o.status = 'pending' AND o.attempts > 0 AND NOT o.sending),
                        MIN(COALESCE(o.first_failure, a.created_at)) FILTER (WHERE o.status = 'pending' AND o.attempts > 0),
                        COUNT(*) FILTER (WHERE o.status = 'dead'),
                        MIN(a.created_at) FILTER (WHERE o.status = 'dead'),
                        (SELECT cs.last_digest FROM channel_state cs WHERE cs.channel = o.channel),
                        COUNT(*) FILTER (WHERE o.sending),
                        MIN(a.created_at) FILTER (WHERE o.sending AND o.attempts = 0)
                     FROM o JOIN alerts a ON a.id = o.alert_id
                     GROUP BY o.channel ORDER BY o.channel"),
                    &[&now],
                )
                .await?;
            Ok(rows
                .iter()
                .map(|r| ChannelQueue {
                    channel: r.get(0),
                    untried: r.get(1),
                    untried_oldest: r.get(2),
                    retrying: r.get(3),
                    retrying_since: r.get(4),
                    dead: r.get(5),
                    dead_oldest: r.get(6),
                    last_digest: r.get(7),
                    sending: r.get(8),
                    first_try_oldest: r.get(9),
                })
                .collect())
        })
    }

    /// The mail thread an alert continues (new and retitled items left
    /// out, as in SQLite's `thread`).
    pub fn thread(&self, watch: &str, alert_id: &str) -> Result<Thread> {
        self.run(async |c| {
            let rows = c
                .query(
                    "SELECT id, payload::jsonb ->> 'title' FROM alerts
                     WHERE watch = $1 AND seq < (SELECT seq FROM alerts WHERE id = $2)
                       AND kind NOT IN ('new_items', 'retitled') ORDER BY seq",
                    &[&watch, &alert_id],
                )
                .await?;
            let rows: Vec<(String, Option<String>)> =
                rows.iter().map(|r| (r.get(0), r.get(1))).collect();
            let headline = rows
                .iter()
                .find_map(|(_, t)| t.clone().filter(|t| !t.is_empty()));
            Ok(Thread {
                ids: rows.into_iter().map(|(id, _)| id).collect(),
                headline,
            })
        })
    }
}

/// An outbox entry from a row of [`OUTBOX_SQL`] (as the fleet's claims
/// select them too).
pub(super) fn outbox_entry(r: &Row) -> OutboxEntry {
    OutboxEntry {
        alert_id: r.get(0),
        channel: r.get(1),
        watch: r.get(2),
        kind: r.get(3),
        payload: r.get(4),
        status: OutboxStatus::parse(r.get(5)),
        attempts: r.get::<_, i64>(6).clamp(0, u32::MAX as i64) as u32,
        created_at: r.get(7),
        next_attempt: r.get(8),
        last_error: r.get(9),
        first_failure: r.get(10),
        sending_since: r.get(11),
        sending_until: r.get(12),
        sending_by: r.get::<_, Option<String>>(13).map(|id| Sender {
            id,
            replica: r.get(14),
            silent_ms: r.get(15),
        }),
    }
}

/// The outbox listing, filtered by status and due time.
const OUTBOX_SQL: &str = "SELECT o.alert_id, o.channel, a.watch, a.kind, a.payload, o.status, o.attempts, a.created_at, o.next_attempt, o.last_error, o.first_failure,
        o.sending_since, CASE WHEN o.sending_since IS NOT NULL THEN (o.claim_until_ms + 999) / 1000 END,
        CASE WHEN o.sending_since IS NOT NULL THEN o.claimed_by END, EXISTS(SELECT 1 FROM replicas r WHERE r.id = o.claimed_by),
        (SELECT (extract(epoch from clock_timestamp()) * 1000)::BIGINT - r.seen_ms FROM replicas r WHERE r.id = o.claimed_by)
     FROM outbox o JOIN alerts a ON a.id = o.alert_id
     WHERE ($1::TEXT IS NULL OR o.status = $1) AND o.next_attempt <= COALESCE($2::BIGINT, 9223372036854775807)
     ORDER BY a.created_at, a.seq, o.channel";

/// Puts an alert about `watch` in the outbox at `now`, one entry per
/// channel, in one statement of the caller's transaction (a check's,
/// [`Postgres::save_check`], with the version the alert reports).
/// Idempotent: an alert id already present adds nothing, and keeps the
/// payload it was queued with.
pub(super) async fn enqueue_in(
    c: &mut Conn,
    watch: &str,
    alert: &NewAlert,
    now: i64,
) -> PgResult<()> {
    c.execute(
        "WITH alert AS (
            INSERT INTO alerts (id, watch, kind, created_at, payload) VALUES ($1, $2, $3, $4, $5)
            ON CONFLICT (id) DO NOTHING)
         INSERT INTO outbox (alert_id, channel, next_attempt)
         SELECT $1, ch, $4 FROM unnest($6::TEXT[]) AS ch ON CONFLICT DO NOTHING",
        &[
            &alert.id,
            &watch,
            &alert.kind,
            &now,
            &alert.payload,
            &alert.channels,
        ],
    )
    .await?;
    Ok(())
}
