//! The storage contract, run against both backends: SQLite (a real file)
//! and PostgreSQL (a throwaway cluster on 127.0.0.1, see `pg.rs`). Every
//! test here takes each backend in turn; the PostgreSQL half is skipped with
//! a message only when PostgreSQL cannot start (never under CI=true).

use std::collections::HashSet;

use presswatch::config::KeepRaw;
use presswatch::document::Item;
use presswatch::retitle::Recorded;
use presswatch::store::{
    Checked, Durability, EventKind, FollowTry, NewAlert, NewEvent, NewSnapshot, NewVersion, Origin,
    OutboxStatus, SeenItems, SnapshotKind, State, WatchState,
};

use crate::pg;
use crate::support::{backends, queuing, store_check, Backend};

fn version(sha: &str, body: &str, at: i64, keep: usize) -> NewVersion {
    NewVersion {
        sha256: sha.into(),
        body: body.into(),
        fetched_at: at,
        keep,
        raw: None,
        raw_cap: None,
        origin: Origin::Fetched,
        reading: None,
        page_facts: None,
        alerted: None,
    }
}

/// Queues the alert `id` (kind `edited`, payload `{}`) about watch `w` at
/// `at` for `channels`, as a check does.
fn queue(st: &State, id: &str, channels: &[&str], at: i64) {
    store_check(st, "w", &queuing(id, "edited", "{}", channels, at));
}

/// A check at `at` that remembers `items` as seen (those whose keys are in
/// `untitled` named by presswatch).
fn seeing(items: &[Item], untitled: &HashSet<String>, at: i64) -> Checked {
    Checked {
        items: Some(SeenItems {
            seen: items.to_vec(),
            untitled: untitled.clone(),
            ..SeenItems::default()
        }),
        at,
        ..Checked::default()
    }
}

/// A check at `at` that remembers the titles items carried.
fn titling(titles: &[presswatch::retitle::Remember], at: i64) -> Checked {
    Checked {
        titles: titles.to_vec(),
        at,
        ..Checked::default()
    }
}

/// A check at `at` of a `follow` watch that could not read the articles of
/// the `failed` items and is done with the `done` ones.
fn following(failed: &[&Item], done: &[&str], at: i64) -> Checked {
    Checked {
        items: Some(SeenItems {
            follow_failed: failed.iter().map(|&i| i.clone()).collect(),
            follow_done: done.iter().map(|k| k.to_string()).collect(),
            ..SeenItems::default()
        }),
        at,
        ..Checked::default()
    }
}

fn record(st: &State, watch: &str, v: &NewVersion) -> usize {
    let check = Checked {
        versions: vec![v.clone()],
        ..Default::default()
    };
    st.save_check(watch, &WatchState::default(), &check, Durability::Durable)
        .unwrap()
}

/// What one check leaves behind is stored whole or not at all, on either
/// backend: its version, its alert (whose record names that version), the
/// items it saw and the watch's state commit together; a check whose
/// alerts' records were computed after a version that is no longer the
/// newest (another process stored one meanwhile) stores none of it.
#[test]
fn a_checks_alert_is_stored_with_its_version_items_and_state_or_not_at_all() {
    let item = |key: &str| Item {
        key: key.into(),
        url: format!("https://news.example/{key}"),
        title: format!("Story {key}"),
        snippet: None,
        published: None,
    };
    let check = |sha: &str, alert: &str, after: i64, at: i64| Checked {
        versions: vec![version(sha, &format!("text {sha}"), at, 10)],
        alerts: vec![NewAlert {
            id: alert.into(),
            kind: "new_items".into(),
            payload: format!(r#"{{"version":{}}}"#, after + 1),
            channels: vec!["hook".into()],
        }],
        items: Some(SeenItems {
            seen: vec![item(sha)],
            ..Default::default()
        }),
        records_after: Some(after),
        at,
        ..Default::default()
    };
    for b in backends().iter().map(Backend::open) {
        let st = &b.state;
        record(st, "w", &version("h1", "one", 1, 10));
        let checked = WatchState {
            last_check: Some(2),
            ..WatchState::default()
        };
        st.save_check("w", &checked, &check("h2", "a2", 1, 2), Durability::Durable)
            .unwrap();
        let seqs = |st: &State| {
            st.versions("w")
                .unwrap()
                .iter()
                .map(|v| v.seq)
                .collect::<Vec<_>>()
        };
        assert_eq!(seqs(st), [1, 2], "{}", b.name);
        let queued = st.outbox(None, None).unwrap();
        assert_eq!(
            queued
                .iter()
                .map(|e| (e.alert_id.as_str(), e.payload.as_str()))
                .collect::<Vec<_>>(),
            [("a2", r#"{"version":2}"#)],
            "{}",
            b.name
        );
        assert!(st.has_seen_items("w").unwrap(), "{}", b.name);
        // Its records computed after version 1, which is no longer the newest.
        let late = WatchState {
            last_check: Some(3),
            ..WatchState::default()
        };
        let refused = st
            .save_check("w", &late, &check("h3", "a3", 1, 3), Durability::Durable)
            .unwrap_err()
            .to_string();
        assert!(
            refused.contains("nothing of this check of watch w was stored")
                && refused.contains("the watch's newest version is now 2"),
            "{}: {refused}",
            b.name
        );
        assert_eq!(seqs(st), [1, 2], "{}: no version", b.name);
        assert_eq!(
            st.outbox(None, None).unwrap().len(),
            1,
            "{}: no alert",
            b.name
        );
        assert!(
            st.seen_titles("w", &["h3"]).unwrap().is_empty(),
            "{}: no item",
            b.name
        );
        assert_eq!(
            st.watch("w").unwrap().last_check,
            Some(2),
            "{}: no state",
            b.name
        );
    }
}

#[test]
fn a_watchs_state_round_trips_lazy_or_durable() {
    for b in backends().iter().map(Backend::open) {
        let st = &b.state;
        assert_eq!(st.watch("w").unwrap(), WatchState::default(), "{}", b.name);
        let mut s = WatchState {
            failures: 2,
            last_check: Some(100),
            last_result: Some("error".into()),
            last_error: Some("HTTP 503".into()),
            next_due: Some(160),
            error_alerted: true,
            gone: true,
            moved_to: Some("https://news.example.org/2026/12/new-slug".into()),
            ..WatchState::default()
        };
        s.validators.etag = Some("\"abc\"".into());
        s.validators.last_modified = Some("Tue, 01 Dec 2026 10:00:00 GMT".into());
        st.save_watch("w", &s, Durability::Lazy).unwrap();
        assert_eq!(st.watch("w").unwrap(), s, "{}", b.name);
        s.failures = 0;
        st.save_watch("w", &s, Durability::Durable).unwrap();
        assert_eq!(st.watch("w").unwrap().failures, 0, "{}", b.name);
    }
}

/// The daemon stores when it will first check a watch it takes on (new, or
/// added by a reload), so that `status` shows it before that check; the
/// rest of the watch's state stays as a watch never checked has it.
#[test]
fn a_watch_never_checked_keeps_the_due_time_the_daemon_gives_it() {
    for b in backends().iter().map(Backend::open) {
        let st = &b.state;
        st.set_next_due("new", 1_800).unwrap();
        assert_eq!(
            st.watch("new").unwrap(),
            WatchState {
                next_due: Some(1_800),
                ..WatchState::default()
            },
            "{}",
            b.name
        );
        // Rescheduled later, only the due time changes.
        let checked = WatchState {
            last_check: Some(100),
            last_result: Some("unchanged".into()),
            next_due: Some(200),
            ..WatchState::default()
        };
        st.save_watch("old", &checked, Durability::Lazy).unwrap();
        st.set_next_due("old", 150).unwrap();
        assert_eq!(
            st.watch("old").unwrap(),
            WatchState {
                next_due: Some(150),
                ..checked
            },
            "{}",
            b.name
        );
    }
}

#[test]
fn failed_follow_tries_are_counted_per_item_kept_as_last_listed_and_forgotten_when_done() {
    let item = |key: &str, title: &str| Item {
        key: key.into(),
        url: format!("https://news.example/{key}"),
        title: title.into(),
        snippet: Some("\u{06A9}\u{0627}\u{0631}\u{06AF}\u{0631}\u{062F}\u{0627}\u{0646}".into()),
        published: None,
    };
    for b in backends().iter().map(Backend::open) {
        let st = &b.state;
        assert!(st.follow_tries("w").unwrap().is_empty(), "{}", b.name);
        let (one, two) = (item("a", "Director leaves"), item("b", "Markets fall"));
        store_check(st, "w", &following(&[&one, &two], &[], 1));
        // Listed under another title on the next check: kept as last listed.
        let retitled = item("a", "Director leaves the country on foot");
        store_check(st, "w", &following(&[&retitled], &["b"], 2));
        store_check(st, "other", &following(&[&one], &[], 2));
        assert_eq!(
            st.follow_tries("w").unwrap(),
            [FollowTry {
                key: "a".into(),
                tries: 2,
                item: Some(retitled),
            }],
            "{}",
            b.name
        );
        store_check(st, "w", &following(&[], &["a"], 3));
        assert!(st.follow_tries("w").unwrap().is_empty(), "{}", b.name);
        let other = st.follow_tries("other").unwrap();
        assert_eq!(
            (other[0].tries, other[0].item.as_ref()),
            (1, Some(&one)),
            "{}",
            b.name
        );
    }
}

#[test]
fn enqueue_is_idempotent_per_alert_id() {
    for b in backends().iter().map(Backend::open) {
        let st = &b.state;
        let chans = ["mail", "hook"];
        queue(st, "a1", &chans, 10);
        queue(st, "a1", &chans, 11);
        assert_eq!(
            st.outbox(Some(OutboxStatus::Pending), None).unwrap().len(),
            2,
            "{}: queued once",
            b.name
        );
        // Queued again, before any channel tried it or after one has it:
        // the payload it was queued with, which the delivery loop may
        // already have read, is what every channel sends.
        let payloads = |st: &State| {
            st.outbox(None, None)
                .unwrap()
                .into_iter()
                .map(|e| e.payload)
                .collect::<Vec<_>>()
        };
        let other = r#"{"record":"other"}"#;
        let again = |at| store_check(st, "w", &queuing("a1", "edited", other, &chans, at));
        again(11);
        assert_eq!(payloads(st), ["{}", "{}"], "{}", b.name);
        st.mark_sent("a1", "mail", 12).unwrap();
        again(12);
        assert_eq!(payloads(st), ["{}", "{}"], "{}", b.name);
        st.mark_failed("a1", "hook", "HTTP 500", 13, None).unwrap();
        let dead = st.outbox(Some(OutboxStatus::Dead), None).unwrap();
        assert_eq!(dead.len(), 1, "{}", b.name);
        assert_eq!(dead[0].last_error.as_deref(), Some("HTTP 500"));
        assert_eq!(dead[0].first_failure, Some(13));
        let queue = |st: &State| {
            let q = st.outbox_queues(20).unwrap();
            assert_eq!(q.len(), 1, "{}: only hook waits", b.name);
            let q = &q[0];
            (
                q.channel.clone(),
                q.untried,
                q.retrying,
                q.retrying_since,
                q.dead,
                q.dead_oldest,
            )
        };
        assert_eq!(
            queue(st),
            ("hook".into(), 0, 0, None, 1, Some(10)),
            "{}",
            b.name
        );
        assert_eq!(st.retry(None, 20).unwrap(), 1);
        assert_eq!(st.pending_count(Some("w")).unwrap(), 1, "{}", b.name);
        // Retried after failing: retrying, counted from its creation.
        assert_eq!(
            queue(st),
            ("hook".into(), 0, 1, Some(10), 0, None),
            "{}",
            b.name
        );
        let due = st.claim_due(20, &[]).unwrap();
        assert_eq!(due[0].alert_id, "a1");
        assert_eq!(due[0].channel, "hook");
        // Sent again: counted as being sent, and still late from its first
        // failure (the oldest-pending age does not drop while it is tried).
        assert!(st
            .hold_claim("a1", "hook", std::time::Duration::from_secs(60))
            .unwrap());
        let q = &st.outbox_queues(20).unwrap()[0];
        assert_eq!(
            (q.retrying, q.sending, q.retrying_since),
            (0, 1, Some(10)),
            "{}",
            b.name
        );
        assert_eq!(
            st.drop_entries(Some("a1"), Some("mail"), 20).unwrap(),
            0,
            "{}",
            b.name
        );
        // Being sent: kept, as its attempt may still deliver it.
        assert_eq!(
            st.drop_entries(None, Some("hook"), 20).unwrap(),
            0,
            "{}: an entry being sent is not dropped",
            b.name
        );
        assert_eq!(st.pending_count(None).unwrap(), 1, "{}", b.name);
        // Once its attempt's time limit has passed (cut off), it drops.
        let later = chrono::Utc::now().timestamp() + 3600;
        assert_eq!(
            st.drop_entries(None, Some("hook"), later).unwrap(),
            1,
            "{}",
            b.name
        );
        assert_eq!(st.pending_count(None).unwrap(), 0);
    }
}

/// `retry` leaves an entry being sent to the attempt under way: it is not
/// made due beside it (nor counted), and keeps its retry window and its
/// mark; once the attempt's limit has passed (an attempt cut off), retry
/// takes it as any other.
#[test]
fn retry_leaves_an_entry_being_sent_to_its_attempt() {
    for b in backends().iter().map(Backend::open) {
        let st = &b.state;
        let now = chrono::Utc::now().timestamp();
        queue(st, "a1", &["hook"], now - 100);
        st.mark_failed("a1", "hook", "HTTP 503", now - 50, Some(now - 10))
            .unwrap();
        assert_eq!(st.claim_due(now, &[]).unwrap().len(), 1, "{}", b.name);
        assert!(st
            .hold_claim("a1", "hook", std::time::Duration::from_secs(60))
            .unwrap());
        assert_eq!(st.retry(None, now).unwrap(), 0, "{}", b.name);
        assert_eq!(st.retry(Some("a1"), now).unwrap(), 0, "{}", b.name);
        let e = &st.outbox(None, None).unwrap()[0];
        assert_eq!(
            (e.first_failure, e.next_attempt, e.attempts),
            (Some(now - 50), now - 10, 1),
            "{}",
            b.name
        );
        assert!(
            e.sending_since.is_some_and(|t| t >= now) && e.sending_until.is_some_and(|t| t > now),
            "{}: {e:?}",
            b.name
        );
        let q = &st.outbox_queues(now).unwrap()[0];
        assert_eq!((q.sending, q.retrying), (1, 0), "{}", b.name);
        // Its limit passed: the attempt was cut off, and retry takes it.
        let later = e.sending_until.unwrap() + 1;
        assert_eq!(st.retry(None, later).unwrap(), 1, "{}", b.name);
        let e = &st.outbox(None, None).unwrap()[0];
        assert_eq!(
            (e.first_failure, e.next_attempt),
            (None, later),
            "{}",
            b.name
        );
    }
}

/// A channel edited by a reload: its alerts that failed and wait for their
/// next try are due now, on either backend; another channel's, a dead one
/// and one not tried yet (held for a digest) keep their times.
#[test]
fn a_changed_channels_failed_alerts_are_due_now_and_nothing_else_moves() {
    for b in backends().iter().map(Backend::open) {
        let st = &b.state;
        let now = chrono::Utc::now().timestamp();
        let both = ["hook", "other"];
        queue(st, "failed", &both, now - 100);
        queue(st, "dead", &both[..1], now - 100);
        queue(st, "held", &both[..1], now + 3600);
        for ch in both {
            st.mark_failed("failed", ch, "HTTP 404", now - 50, Some(now + 1800))
                .unwrap();
        }
        st.mark_failed("dead", "hook", "HTTP 404", now - 50, None)
            .unwrap();
        assert_eq!(st.retry_channel_now("hook", now).unwrap(), 1, "{}", b.name);
        let next = |id: &str, ch: &str| {
            st.outbox(None, None)
                .unwrap()
                .into_iter()
                .find(|e| e.alert_id == id && e.channel == ch)
                .map(|e| e.next_attempt)
                .unwrap()
        };
        assert_eq!(next("failed", "hook"), now, "{}", b.name);
        assert_eq!(next("failed", "other"), now + 1800, "{}", b.name);
        assert_eq!(next("held", "hook"), now + 3600, "{}", b.name);
        assert_eq!(st.claim_due(now, &[]).unwrap().len(), 1, "{}", b.name);
    }
}

/// An alert whose first attempt is under way (a receiver that hangs, or a
/// replica killed while sending, whose claim holds the alert for up to the
/// lease and send timeout) is not delivered: it is pending from when it was
/// queued. `/metrics` reports its age, and `status` and `outbox list` count
/// it as being sent, so an ops rule "oldest pending > 10 min" fires for it.
#[test]
fn an_alert_whose_first_attempt_is_under_way_is_pending_from_when_it_was_queued() {
    use presswatch::notify::outbox::{DigestPlan, Outbox, Waiting};
    for b in backends().iter().map(Backend::open) {
        let st = &b.state;
        let now = chrono::Utc::now().timestamp();
        queue(st, "a1", &["hook"], now - 900);
        assert_eq!(st.claim_due(now, &[]).unwrap().len(), 1, "{}", b.name);
        assert!(st
            .hold_claim("a1", "hook", std::time::Duration::from_secs(60))
            .unwrap());
        let outbox = Outbox::read(&DigestPlan::default(), st, now).unwrap();
        let entry = &st.outbox(None, None).unwrap()[0];
        assert!(
            matches!(outbox.waiting(entry), Waiting::Sending { attempt: 1, .. }),
            "{}: {entry:?}",
            b.name
        );
        // Who sends it: with PostgreSQL the holder of its claim, by its id
        // (here a process that is no replica of the fleet, as a `presswatch
        // check` is); SQLite has one sender and names none.
        assert_eq!(
            entry.sending_by.as_ref().map(|s| s.describe()),
            st.shared().map(|pg| format!(
                "command {} (presswatch check or outbox retry)",
                pg.replica()
            )),
            "{}",
            b.name
        );
        let summary = outbox.summary();
        assert_eq!(
            (
                summary.sending,
                summary.undelivered(),
                summary.overdue_since
            ),
            (1, 1, Some(now - 900)),
            "{}",
            b.name
        );
        assert_eq!(
            summary.describe(&DigestPlan::default(), now),
            "1 alert being sent",
            "{}",
            b.name
        );
        let metrics = presswatch::metrics::render(st, now + 60).unwrap();
        assert!(
            metrics.contains("\npresswatch_outbox_oldest_pending_age_seconds 960\n"),
            "{}: {metrics}",
            b.name
        );
        // Delivered: nothing is pending, nor being sent by anyone.
        st.mark_sent("a1", "hook", now).unwrap();
        assert_eq!(st.outbox(None, None).unwrap()[0].sending_by, None);
        let metrics = presswatch::metrics::render(st, now + 60).unwrap();
        assert!(
            metrics.contains("\npresswatch_outbox_oldest_pending_age_seconds 0\n"),
            "{}: {metrics}",
            b.name
        );
    }
}

/// A replica killed while it sends an alert leaves its claim to run out
/// (lease and send timeout): meanwhile the other replicas read the alert
/// as being sent, and as pending from when it was queued; the fleet counts
/// it pending, as a dead one, like the outbox line does.
#[test]
fn an_alert_a_killed_replica_was_sending_is_pending_from_when_it_was_queued() {
    use presswatch::notify::outbox::{DigestPlan, Outbox};
    let Some((a, b)) = two_replicas() else { return };
    let now = chrono::Utc::now().timestamp();
    queue(&a, "a1", &["hook"], now - 900);
    assert_eq!(a.claim_due(now, &[]).unwrap().len(), 1);
    assert!(a
        .hold_claim("a1", "hook", std::time::Duration::from_secs(60))
        .unwrap());
    let sender = a.shared().unwrap().replica().to_string();
    a.shared()
        .unwrap()
        .register_replica("hash", &[], &[])
        .unwrap();
    // Killed: no resign, the claim stays until it runs out.
    drop(a);
    // The others see which replica holds it, by the id the fleet lists.
    assert_eq!(
        b.outbox(None, None).unwrap()[0]
            .sending_by
            .as_ref()
            .map(|s| s.describe()),
        Some(format!("replica {sender}"))
    );
    queue(&b, "a2", &["hook"], now - 60);
    b.mark_failed("a2", "hook", "HTTP 500", now - 30, None)
        .unwrap();
    let summary = Outbox::read(&DigestPlan::default(), &b, now)
        .unwrap()
        .summary();
    assert_eq!(
        (summary.sending, summary.dead, summary.overdue_since),
        (1, 1, Some(now - 900))
    );
    // `status`'s fleet line counts the same deliveries not done as its
    // outbox line and PENDING column: the one being sent and the dead one.
    assert_eq!(b.fleet().unwrap().unwrap().outbox_pending, 2);
    assert_eq!(b.pending_count(None).unwrap(), 2);
    assert_eq!(summary.undelivered(), 2);
}

#[test]
fn delivered_alerts_are_pruned_undelivered_kept_and_threads_follow_creation() {
    for b in backends().iter().map(Backend::open) {
        let st = &b.state;
        let queued =
            |id, kind, payload| store_check(st, "w", &queuing(id, kind, payload, &["mail"], 10));
        queued("old", "edited", r#"{"title":"First headline"}"#);
        queued("dead", "edited", r#"{"title":"Second"}"#);
        // A story a listing found is no part of the watch's thread.
        queued("found", "new_items", r#"{"title":"A story"}"#);
        queued("new", "edited", "{}");
        assert_eq!(
            st.thread("w", "new").unwrap().ids,
            vec!["old", "dead"],
            "{}",
            b.name
        );
        assert_eq!(
            st.thread("w", "new").unwrap().headline.as_deref(),
            Some("First headline")
        );
        st.mark_sent("old", "mail", 20).unwrap();
        st.mark_failed("dead", "mail", "HTTP 500", 20, None)
            .unwrap();
        st.mark_sent("new", "mail", 100).unwrap();
        st.mark_sent("found", "mail", 100).unwrap();
        assert_eq!(st.prune_delivered(50).unwrap(), 1, "{}", b.name);
        let left: Vec<String> = st
            .outbox(None, None)
            .unwrap()
            .into_iter()
            .map(|e| e.alert_id)
            .collect();
        assert_eq!(left, vec!["dead", "found", "new"], "{}", b.name);
        assert_eq!(st.thread("w", "new").unwrap().ids, vec!["dead"]);
    }
}

#[test]
fn versions_are_content_addressed_and_pruned_with_their_bodies() {
    for b in backends().iter().map(Backend::open) {
        let st = &b.state;
        record(st, "other", &version("h2", "two", 0, 2));
        let pruned: Vec<usize> = [
            ("h1", "one"),
            ("h2", "two"),
            ("h3", "three"),
            ("h1", "one"),
            ("h1", "one"),
        ]
        .into_iter()
        .enumerate()
        .map(|(i, (h, body))| record(st, "w", &version(h, body, i as i64, 2)))
        .collect();
        assert_eq!(pruned, vec![0, 0, 1, 1, 0], "{}", b.name);
        let seqs: Vec<i64> = st.versions("w").unwrap().iter().map(|v| v.seq).collect();
        assert_eq!(seqs, vec![3, 4], "{}", b.name);
        assert_eq!(st.latest("w").unwrap().map(|v| v.seq), Some(4));
        assert_eq!(st.version_body("w", 4).unwrap().as_deref(), Some("one"));
        assert_eq!(st.version_body("w", 1).unwrap(), None);
        assert_eq!(st.version_body("other", 1).unwrap().as_deref(), Some("two"));
        assert_eq!(st.watches_with_versions().unwrap(), vec!["other", "w"]);
    }
}

#[test]
fn verify_re_hashes_every_body_once_and_says_how_far_it_is() {
    for b in backends().iter().map(Backend::open) {
        let st = &b.state;
        // More bodies than PostgreSQL's verify reads at a time.
        for i in 1..=40 {
            let hash = format!("h{i}");
            accept(st, "w", &hash, &format!("<p>page {i}</p>"), i, 100, None);
        }
        let mut heard = Vec::new();
        let (checked, problems) = st
            .verify_snapshots(&mut |done, total| heard.push((done, total)))
            .unwrap();
        assert_eq!((checked, problems), (40, vec![]), "{}", b.name);
        let expected: Vec<(usize, usize)> = (0..40).map(|done| (done, 40)).collect();
        assert_eq!(heard, expected, "{}", b.name);
    }
}

fn snap(body: &str, at_ms: i64) -> NewSnapshot {
    NewSnapshot {
        url: "https://n.example/a".into(),
        final_url: "https://n.example/a".into(),
        status: 200,
        response_head: "HTTP/1.1 200 OK\r\nContent-Type: text/html".into(),
        request_head: "GET /a HTTP/1.1\r\nHost: n.example".into(),
        fetched_at_ms: at_ms,
        body: body.as_bytes().to_vec(),
        encoded: None,
    }
}

fn accept(
    st: &State,
    watch: &str,
    hash: &str,
    body: &str,
    at: i64,
    keep: usize,
    cap: Option<KeepRaw>,
) {
    let v = NewVersion {
        raw: Some(snap(body, at * 1000)),
        raw_cap: cap,
        ..version(hash, &format!("Title: {hash}\n\n{hash}\n"), at, keep)
    };
    record(st, watch, &v);
}

#[test]
fn a_version_records_how_its_page_was_read_and_with_its_response_or_its_page_s_facts() {
    for b in backends().iter().map(Backend::open) {
        let st = &b.state;
        // With its response, or in its place what later checks need of
        // its page (its page facts).
        let read = |sha: &str, at: i64, raw: Option<&str>| NewVersion {
            reading: Some(format!("build-{at}")),
            page_facts: raw.is_none().then(|| format!("facts-{at}")),
            raw: raw.map(|body| snap(body, at * 1000)),
            ..version(sha, &format!("Title: {sha}\n\n{sha}\n"), at, 5)
        };
        record(st, "w", &version("h1", "Title: h1\n\nh1\n", 1, 5));
        record(st, "w", &read("h2", 2, None));
        record(st, "w", &read("h3", 3, Some("<p>three</p>")));
        let readings: Vec<Option<String>> = st
            .versions("w")
            .unwrap()
            .into_iter()
            .map(|v| v.reading)
            .collect();
        assert_eq!(
            readings,
            [None, Some("build-2".into()), Some("build-3".into())],
            "{}",
            b.name
        );
        assert_eq!(
            st.latest("w").unwrap().unwrap().reading.as_deref(),
            Some("build-3"),
            "{}",
            b.name
        );
        let facts: Vec<Option<String>> = st
            .newest_versions("w", 3)
            .unwrap()
            .into_iter()
            .map(|v| v.page_facts)
            .collect();
        assert_eq!(facts, [None, Some("facts-2".into()), None], "{}", b.name);
    }
}

#[test]
fn raw_snapshots_are_stored_once_go_with_their_versions_and_obey_keep_raw() {
    for b in backends().iter().map(Backend::open) {
        let st = &b.state;
        accept(st, "w", "h1", "<p>one</p>", 1, 2, None);
        accept(st, "w", "h2", "<p>two</p>", 2, 2, None);
        accept(st, "other", "h1", "<p>one</p>", 3, 2, None);
        let one = presswatch::document::sha256_hex(b"<p>one</p>");
        assert_eq!(
            st.snapshot_body(&one).unwrap().unwrap().unwrap(),
            b"<p>one</p>"
        );
        accept(st, "w", "h3", "<p>three</p>", 4, 2, None);
        let kept: Vec<i64> = st
            .snapshots(Some("w"))
            .unwrap()
            .iter()
            .map(|s| s.version)
            .collect();
        assert_eq!(kept, vec![2, 3], "{}", b.name);
        accept(st, "other", "h4", "<p>four</p>", 5, 1, None);
        assert!(
            st.snapshot_body(&one).unwrap().is_none(),
            "{}: nothing refers to it",
            b.name
        );
        assert_eq!(
            st.verify_snapshots(&mut |_, _| {}).unwrap(),
            (3, vec![]),
            "{}",
            b.name
        );
        // keep_raw by size: a tiny cap keeps only each watch's newest response.
        let page = |i: usize| format!("<p>{}</p>", format!("page {i} ").repeat(200 + i));
        accept(st, "w", "h5", &page(5), 6, 100, Some(KeepRaw::Bytes(1)));
        let kept: Vec<i64> = st
            .snapshots(Some("w"))
            .unwrap()
            .iter()
            .map(|s| s.version)
            .collect();
        assert_eq!(kept, vec![4], "{}", b.name);
        assert!(st.raw_usage().unwrap() > 0);
        // A takedown answer is kept beside its version, and the event in the history.
        let taken_down = |answer| Checked {
            takedown: Some((4, answer)),
            ..Checked::default()
        };
        store_check(st, "w", &taken_down(snap("gone", 7000)));
        assert_eq!(st.snapshots(Some("w")).unwrap().len(), 2, "{}", b.name);
        // Taken down again (after a restore), it keeps that answer too.
        store_check(st, "w", &taken_down(snap("gone for good", 7500)));
        let answers: Vec<i64> = st
            .snapshots(Some("w"))
            .unwrap()
            .iter()
            .filter(|s| s.kind == SnapshotKind::TakenDown)
            .map(|s| s.fetched_at_ms)
            .collect();
        assert_eq!(answers, vec![7000, 7500], "{}", b.name);
        let gone = NewEvent {
            at: 7,
            kind: EventKind::TakenDown,
            detail: "The article answers HTTP 404".into(),
        };
        let check = Checked {
            events: vec![gone],
            ..Default::default()
        };
        st.save_check("w", &WatchState::default(), &check, Durability::Durable)
            .unwrap();
        let events = st.events("w").unwrap();
        assert_eq!(events.len(), 1, "{}", b.name);
        assert_eq!(
            (events[0].kind.clone(), events[0].version),
            (EventKind::TakenDown, 4)
        );
    }
}

/// A move is a watch event as a takedown is: stored with the check that saw
/// it, referring to the version current then, listed in time order (first
/// among the events of its check, as its alert goes out), and, unlike
/// takedowns and restores, kept when its version is pruned (so that its
/// address is never alerted again). It is kept apart from takedowns and
/// restores, in a table an older presswatch does not read (which would take
/// it for a takedown).
#[test]
fn a_move_is_kept_in_the_history_with_both_addresses_and_outlives_its_version() {
    let (old, new) = (
        "https://news.example/a/old-slug",
        "https://news.example/a/نو",
    );
    for b in backends().iter().map(Backend::open) {
        let st = &b.state;
        record(st, "w", &version("h1", "one", 1, 2));
        let gone = NewEvent {
            at: 2,
            kind: EventKind::TakenDown,
            detail: "The article answers HTTP 404".into(),
        };
        let back = NewEvent {
            at: 3,
            kind: EventKind::Restored,
            detail: "Article is back, unchanged".into(),
        };
        for events in [vec![gone], vec![NewEvent::moved(3, old, new), back]] {
            let check = Checked {
                events,
                ..Default::default()
            };
            st.save_check("w", &WatchState::default(), &check, Durability::Durable)
                .unwrap();
        }
        let events = st.events("w").unwrap();
        let moved = EventKind::Moved {
            from: old.into(),
            to: new.into(),
        };
        assert_eq!(
            events
                .iter()
                .map(|e| (e.at, e.kind.clone(), e.version))
                .collect::<Vec<_>>(),
            [
                (2, EventKind::TakenDown, 1),
                (3, moved, 1),
                (3, EventKind::Restored, 1)
            ],
            "{}",
            b.name
        );
        assert_eq!(
            events[1].detail,
            format!("{old} \u{2192} {new}"),
            "{}",
            b.name
        );
        record(st, "w", &version("h2", "two", 4, 2));
        assert_eq!(
            st.events("w").unwrap().len(),
            3,
            "{}: version 1 is kept",
            b.name
        );
        record(st, "w", &version("h3", "three", 5, 2));
        assert_eq!(
            st.events("w").unwrap(),
            vec![events[1].clone()],
            "{}: the takedown and restore pruned with version 1, the move kept",
            b.name
        );
    }
}

#[test]
fn seen_items_channels_and_digests() {
    for b in backends().iter().map(Backend::open) {
        let st = &b.state;
        assert!(!st.has_seen_items("list").unwrap());
        let item = |k: &str| presswatch::document::Item {
            key: k.into(),
            url: k.into(),
            title: "t".into(),
            snippet: None,
            published: None,
        };
        let twice = [item("https://n.example/1"), item("https://n.example/1")];
        store_check(st, "list", &seeing(&twice, &HashSet::new(), 5));
        assert!(st.has_seen_items("list").unwrap(), "{}", b.name);
        let seen = st
            .seen_titles("list", &["https://n.example/1", "https://n.example/2"])
            .unwrap();
        let recorded = Recorded {
            title: "t".into(),
            given: true,
        };
        assert_eq!(
            seen.into_iter().collect::<Vec<_>>(),
            [("https://n.example/1".to_string(), recorded)],
            "{}",
            b.name
        );
        // An item is found by its link too, whatever key it was seen under.
        let guid = presswatch::document::Item {
            key: "urn:guid:3".into(),
            url: "https://n.example/3".into(),
            ..item("")
        };
        store_check(st, "list", &seeing(&[guid], &HashSet::new(), 6));
        let seen = st
            .seen_links(
                "list",
                &["https://n.example/3", "urn:guid:3", "https://n.example/4"],
            )
            .unwrap();
        assert_eq!(
            seen.into_iter().collect::<Vec<_>>(),
            [("https://n.example/3".to_string(), "t".to_string())],
            "{}",
            b.name
        );
        assert!(st
            .seen_links("other", &["https://n.example/3"])
            .unwrap()
            .is_empty());
        let off = presswatch::store::DisabledChannel {
            reason: "HTTP 410".into(),
            target: "https://hook.example/".into(),
        };
        st.set_channel_disabled("hook", Some(&off)).unwrap();
        assert_eq!(
            st.channel_disabled("hook").unwrap(),
            Some(off),
            "{}",
            b.name
        );
        st.set_channel_disabled("hook", None).unwrap();
        assert_eq!(st.channel_disabled("hook").unwrap(), None);
        queue(st, "d1", &["daily"], 1);
        assert_eq!(st.last_digest("daily").unwrap(), None);
        st.mark_digest_sent("daily", &["d1".to_string()], 50)
            .unwrap();
        assert_eq!(st.last_digest("daily").unwrap(), Some(50), "{}", b.name);
        assert_eq!(st.pending_count(None).unwrap(), 0);
        assert_eq!(st.installation_id().unwrap().len(), 16, "{}", b.name);
        st.check_writable().unwrap();
    }
}

#[test]
fn a_retitled_item_keeps_its_latest_title_and_the_titles_it_carried() {
    use presswatch::retitle::Remember;
    for b in backends().iter().map(Backend::open) {
        let st = &b.state;
        let item = presswatch::document::Item {
            key: "urn:7".into(),
            url: "https://n.example/7".into(),
            title: "Director leaves Iran".into(),
            snippet: None,
            published: None,
        };
        store_check(
            st,
            "feed",
            &seeing(std::slice::from_ref(&item), &HashSet::new(), 5),
        );
        let remember = |title_key: &str, becomes: Option<&str>| Remember {
            key: "urn:7".into(),
            title_key: title_key.into(),
            becomes: becomes.map(str::to_string),
        };
        let titles = [
            remember("director leaves iran", None),
            remember("director flees iran", Some("Director flees Iran")),
        ];
        store_check(st, "feed", &titling(&titles, 6));
        let seen = st.seen_titles("feed", &["urn:7"]).unwrap();
        assert_eq!(seen["urn:7"].title, "Director flees Iran", "{}", b.name);
        // Seen again with its first title: not new, and its row keeps it seen.
        store_check(st, "feed", &seeing(&[item], &HashSet::new(), 7));
        assert_eq!(
            st.seen_titles("feed", &["urn:7"]).unwrap()["urn:7"].title,
            "Director flees Iran",
            "{}",
            b.name
        );
        // Back to the first title: it becomes one the item was retitled to;
        // a title only shown again stays what it was.
        let titles = [
            remember("director flees iran", None),
            remember("director leaves iran", Some("Director leaves Iran")),
        ];
        store_check(st, "feed", &titling(&titles, 8));
        let carried = st.item_titles("feed", &["urn:7", "urn:8"]).unwrap();
        let mut titles: Vec<(&str, bool)> = carried["urn:7"]
            .iter()
            .map(|(k, r)| (k.as_str(), *r))
            .collect();
        titles.sort_unstable();
        assert_eq!(
            titles,
            [
                ("director flees iran", true),
                ("director leaves iran", true)
            ],
            "{}",
            b.name
        );
        assert!(!carried.contains_key("urn:8"), "{}", b.name);
        assert!(st.item_titles("other", &["urn:7"]).unwrap().is_empty());
        assert_eq!(
            st.seen_titles("feed", &["urn:7"]).unwrap()["urn:7"].title,
            "Director leaves Iran",
            "{}",
            b.name
        );
    }
}

#[test]
fn an_item_seen_with_no_title_is_recorded_as_named_by_presswatch_until_it_is_given_one() {
    use presswatch::retitle::Remember;
    for b in backends().iter().map(Backend::open) {
        let st = &b.state;
        let item = |key: &str, title: &str| Item {
            key: key.into(),
            url: format!("https://n.example/{key}"),
            title: title.into(),
            snippet: None,
            published: None,
        };
        let teaser = "Dozens of political prisoners were moved from Evin\u{2026}";
        let untitled = HashSet::from(["urn:1".to_string()]);
        let items = [
            item("urn:1", teaser),
            item("urn:2", "Rivers rise in Khuzestan"),
        ];
        store_check(st, "feed", &seeing(&items, &untitled, 5));
        let recorded = |key: &str| st.seen_titles("feed", &[key]).unwrap().remove(key).unwrap();
        assert_eq!(
            recorded("urn:1"),
            Recorded {
                title: teaser.into(),
                given: false
            },
            "{}",
            b.name
        );
        assert!(recorded("urn:2").given, "{}", b.name);
        // Seen again with a title of its own: its row stays as first seen.
        let retitled = [item("urn:1", "Prisoners moved")];
        store_check(st, "feed", &seeing(&retitled, &HashSet::new(), 6));
        assert!(!recorded("urn:1").given, "{}", b.name);
        // Its first headline becomes its recorded title, one the source gave.
        let first = Remember {
            key: "urn:1".into(),
            title_key: "prisoners moved".into(),
            becomes: Some("Prisoners moved".into()),
        };
        store_check(st, "feed", &titling(&[first], 6));
        assert_eq!(
            recorded("urn:1"),
            Recorded {
                title: "Prisoners moved".into(),
                given: true
            },
            "{}",
            b.name
        );
    }
}

/// Two replicas (two handles on one PostgreSQL database) whose leases last
/// until the test runs them out ([`pg::LASTING_LEASE`]).
fn two_replicas() -> Option<(State, State)> {
    let cluster = pg::cluster()?;
    let url = cluster.database();
    let open = || State::open_postgres(&url, Some(pg::PASSWORD), pg::LASTING_LEASE).unwrap();
    Some((open(), open()))
}

#[test]
fn replicas_lease_each_due_watch_to_one_of_them_and_an_expired_lease_moves() {
    let Some((a, b)) = two_replicas() else { return };
    let (pa, pb) = (a.shared().unwrap(), b.shared().unwrap());
    let names: Vec<String> = (0..10).map(|i| format!("w{i}")).collect();
    pa.schedule_watches(&names, &[0; 10], &[]).unwrap();
    pb.schedule_watches(&names, &[0; 10], &[]).unwrap();
    // a passes over four watches (as one whose config lacks them would).
    let foreign = &names[6..];
    let first = pa.lease_due(6, foreign).unwrap();
    assert!(
        first.iter().all(|l| !foreign.contains(&l.watch)),
        "{first:?}"
    );
    let second = pb.lease_due(100, &[]).unwrap();
    assert_eq!(first.len(), 6);
    assert_eq!(second.len(), 4, "the rest, none twice");
    assert!(
        pa.lease_due(100, &[]).unwrap().is_empty(),
        "nothing left to lease"
    );
    // A finished check hands the watch back with its next due time, and
    // the state of a quiet check with it.
    let (w0, w1) = (first[0].watch.clone(), first[1].watch.clone());
    let quiet = WatchState {
        last_check: Some(7),
        moved_to: Some("https://news.example.org/2026/12/new-slug".into()),
        ..WatchState::default()
    };
    a.save_watch(&w0, &quiet, Durability::Lazy).unwrap();
    assert_eq!(
        pa.finish_leases(std::slice::from_ref(&w0), &[Some(i64::MAX / 2)])
            .unwrap(),
        std::slice::from_ref(&w0)
    );
    let handed_back = pb.watch(&w0).unwrap();
    assert_eq!(
        (handed_back.last_check, handed_back.moved_to),
        (quiet.last_check, quiet.moved_to)
    );
    assert!(
        pb.finish_leases(std::slice::from_ref(&w1), &[Some(0)])
            .unwrap()
            .is_empty(),
        "not b's lease"
    );
    // The lease time passes with no renewal after b's: every lease runs
    // out, and a's move to b.
    pb.heartbeat("hash-b", &[], &[]).unwrap();
    pg::lease_time_passes(&[&a, &b]);
    let moved = pb.lease_due(100, &[]).unwrap();
    assert_eq!(
        moved.len(),
        5 + 4,
        "a's five unfinished watches and b's own expired four"
    );
    assert!(
        pa.finish_leases(&[w1], &[Some(0)]).unwrap().is_empty(),
        "a's lease is gone"
    );
    // A watch removed from the config is no longer scheduled.
    pb.schedule_watches(&names[1..], &[0; 9], &[]).unwrap();
    assert_eq!(
        pb.watch("w0").unwrap().next_due,
        Some((i64::MAX / 2 + 999) / 1000)
    );
    let view = pb.fleet().unwrap();
    assert_eq!(view.leased, 9);
    pb.resign().unwrap();
    assert_eq!(
        pb.fleet().unwrap().leased,
        0,
        "a clean stop hands everything back"
    );
}

/// A `presswatch check` beside the fleet (b) leases the watch it checks
/// whatever its due time, so no replica (a) leases it meanwhile; another
/// check is told who holds it; the hand-back writes the check's quiet
/// state and leaves the watch due as it was, and a watch no replica
/// schedules stays off the schedule.
#[tokio::test(flavor = "multi_thread")]
async fn a_check_beside_the_fleet_leases_its_watch_and_hands_it_back_due_as_it_was() {
    use presswatch::store::NoLease;
    let Some(cluster) = pg::cluster() else { return };
    let url = cluster.database();
    // The check's lease lasts 3 s and is renewed every second: a renewal
    // up to 2 s late (a busy machine) still comes in time.
    let lease_time = std::time::Duration::from_secs(3);
    let open = |lease| State::open_postgres(&url, Some(pg::PASSWORD), lease).unwrap();
    let (a, b) = (open(pg::LASTING_LEASE), open(lease_time));
    let (pa, pb) = (a.shared().unwrap(), b.shared().unwrap());
    pa.register_replica("hash-a", &[], &[]).unwrap();
    let due = vec!["due".to_string()];
    pa.schedule_watches(&due, &[5_000], &[]).unwrap();

    let lease = pb
        .lease_for_check("due")
        .unwrap()
        .expect("b takes the lease");
    assert!(
        pa.lease_due(10, &[]).unwrap().is_empty(),
        "a leases nothing"
    );
    match pa.lease_for_check("due") {
        Err(NoLease::Held(h)) => {
            assert_eq!(h.id, pb.replica());
            assert!(!h.replica, "b is no replica: {}", h.describe());
        }
        other => panic!("a is told b holds it: {:?}", other.map(|l| l.is_some())),
    }
    // The lease outlives the lease time while the check runs: once the
    // end it has now is past, by the database's clock, b still holds it.
    let sql = |q: &str| cluster.psql(cluster.name_of(&url), q).unwrap();
    let until = sql("SELECT lease_until_ms FROM watch_state WHERE watch = 'due'");
    let past = format!("SELECT (extract(epoch from clock_timestamp()) * 1000)::BIGINT > {until}");
    assert!(
        crate::support::eventually(10 * lease_time, || sql(&past) == "t").await,
        "the database's clock never passed {until}"
    );
    assert!(pa.lease_due(10, &[]).unwrap().is_empty(), "renewed");
    let quiet = WatchState {
        last_result: Some("unchanged".into()),
        last_check: Some(1_700_000_000),
        ..WatchState::default()
    };
    b.save_watch("due", &quiet, Durability::Lazy).unwrap();
    assert_eq!(
        a.watch("due").unwrap().last_result,
        None,
        "written with the hand-back"
    );
    lease.hand_back().unwrap();
    assert_eq!(
        a.watch("due").unwrap().last_result.as_deref(),
        Some("unchanged")
    );
    let leased = pa.lease_due(10, &[]).unwrap();
    assert_eq!(leased.len(), 1);
    assert_eq!(leased[0].due_ms, 5_000, "due as it was");

    // A watch never scheduled: leased, checked, handed back, still unscheduled.
    pb.lease_for_check("new")
        .unwrap()
        .unwrap()
        .hand_back()
        .unwrap();
    pa.finish_leases(&due, &[Some(i64::MAX / 2)]).unwrap();
    assert!(pa.lease_due(10, &[]).unwrap().is_empty(), "nothing due");
    // A replica checking a watch it leased takes nothing more.
    pa.schedule_watches(&["due".into(), "new".into()], &[0, 0], &[])
        .unwrap();
    assert_eq!(pa.lease_due(10, &[]).unwrap().len(), 1, "new, due now");
    assert!(pa.lease_for_check("new").unwrap().is_none());
}

#[test]
fn host_tokens_leader_and_outbox_claims_are_fleet_wide() {
    let Some((a, b)) = two_replicas() else { return };
    let (pa, pb) = (a.shared().unwrap(), b.shared().unwrap());
    // Two requests at once to a host, fleet-wide.
    let t1 = pa.take_host_token("n.example", 0, 2).unwrap().unwrap();
    let _t2 = pb.take_host_token("n.example", 0, 2).unwrap().unwrap();
    assert!(pa.take_host_token("n.example", 0, 2).unwrap().is_err());
    pa.return_host_tokens(&[t1]).unwrap();
    assert!(pb.take_host_token("n.example", 0, 2).unwrap().is_ok());
    // A delay between starts, fleet-wide: the second waits what is left of
    // the 5 s since the first started (however long the database took to
    // answer the two; times are whole milliseconds).
    let before = std::time::Instant::now();
    pa.take_host_token("slow.example", 5_000, 5)
        .unwrap()
        .unwrap();
    let wait = pb
        .take_host_token("slow.example", 5_000, 5)
        .unwrap()
        .unwrap_err();
    let between = before.elapsed().as_millis() as i64;
    assert!(
        wait <= 5_000 && wait >= 5_000 - between - 1,
        "{wait} ms, {between} ms after the first"
    );
    // A Retry-After pause, fleet-wide.
    pa.pause_host("paused.example", 60_000).unwrap();
    assert!(pb.take_host_token("paused.example", 0, 5).unwrap().is_err());
    // One leader, until its lease expires.
    assert!(a.lead("digests").unwrap());
    assert!(!b.lead("digests").unwrap());
    assert!(a.lead("digests").unwrap(), "the leader keeps it");
    pg::lease_time_passes(&[&a]);
    assert!(b.lead("digests").unwrap(), "the lease moved");
    // Each outbox entry is claimed by one replica; digest channels can be skipped.
    queue(&a, "x1", &["hook", "daily"], 10);
    queue(&a, "x2", &["hook", "daily"], 10);
    let mine = a.claim_due(20, &["daily".to_string()]).unwrap();
    assert_eq!(mine.len(), 2);
    assert!(mine.iter().all(|e| e.channel == "hook"));
    assert_eq!(
        a.claim_due(20, &[]).unwrap().len(),
        4,
        "its own claims again, and the rest"
    );
    assert!(
        b.claim_due(20, &[]).unwrap().is_empty(),
        "nothing b may send"
    );
    a.mark_sent("x1", "hook", 21).unwrap();
    pg::lease_time_passes(&[&a]);
    let theirs = b.claim_due(20, &[]).unwrap();
    assert_eq!(
        theirs.len(),
        3,
        "a's unsent claims expired and moved, under the same ids"
    );
}
