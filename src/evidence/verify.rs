//! `presswatch verify`: re-hashes every kept raw body against the SHA-256 it
//! is stored under, every snapshot record (URLs, status, heads, fetch time,
//! the body it points to) against the digest taken when it was kept, and
//! every kept version's stored text (header lines included) against the
//! SHA-256 it is stored under; and that no version was deleted from the
//! middle of a watch's history, nor one its kept evidence still refers to.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use crate::config::Config;
use crate::integrity::{AlteredText, RecordCheck};
use crate::store::{EventKind, SnapshotKind, State};

/// What a verification found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Verified {
    /// Raw bodies re-hashed.
    pub bodies: usize,
    /// Snapshot records checked against their digest.
    pub records: usize,
    /// Snapshot records kept before records had a digest: their bodies are
    /// re-hashed, but what the record says cannot be checked.
    pub undigested: usize,
    /// Versions re-hashed.
    pub versions: usize,
    /// Versions fetched whose raw response is not kept (pruned by
    /// `keep_raw`, or kept with `keep_raw = "off"`): their texts are
    /// re-hashed, but their times cannot be checked against a fetch.
    pub unfetched: usize,
    /// Every mismatch, one line each, naming the watch and version it
    /// concerns.
    pub problems: Vec<String>,
    /// Each watch's chain head, by watch name.
    pub heads: Vec<Head>,
    /// The chain digest of every kept version, with its watch, number and
    /// time, and whether the chain from it to its watch's head is unbroken.
    pub held: Vec<Held>,
}

/// A watch's chain head: its newest version's chain digest, which vouches
/// for every kept version before it ([`crate::integrity::chain`]). `verify`
/// prints it so that it can be kept away from the database, and checked
/// against later (`--heads`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Head {
    /// The watch.
    pub watch: String,
    /// How many versions it keeps.
    pub versions: usize,
    /// Its newest version.
    pub seq: i64,
    /// That version's chain digest.
    pub digest: String,
    /// When that version was stored (Unix s).
    pub stored_at: i64,
    /// The oldest kept version: where the chain now starts.
    pub from: i64,
    /// The newest of the versions kept before presswatch chained versions,
    /// and when an upgrade chained them (Unix s): the chain vouches for those
    /// only since then.
    pub upgraded: Option<(i64, i64)>,
}

impl Head {
    /// As `verify` prints it: "watch W: 12 versions, chain head HEX
    /// (version 57, stored 2026-12-06 11:41:07 CET)", times in `tz`
    /// (`daemon.timezone`) as `history` says them, and what the chain
    /// covers when some versions were chained by an upgrade.
    pub fn line(&self, tz: chrono_tz::Tz) -> String {
        let mut line = format!(
            "watch {}: {}, chain head {} (version {}, stored {})",
            self.watch,
            crate::text::plural(self.versions, "version", "versions"),
            self.digest,
            self.seq,
            crate::history::when(self.stored_at, tz)
        );
        if let Some((last, at)) = self.upgraded {
            let which = if last == self.from {
                format!("version {last} was")
            } else {
                format!("versions {} to {last} were", self.from)
            };
            line.push_str(&format!(
                "; {which} kept before presswatch chained versions, and chained on {}: the chain vouches for {} since then, and for each later one since it was stored",
                crate::history::when(at, tz),
                if last == self.from { "it" } else { "them" }
            ));
        }
        line
    }
}

/// A kept version's chain digest, as `--record` looks it up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Held {
    /// The watch.
    pub watch: String,
    /// The version.
    pub seq: i64,
    /// When it was stored (Unix s).
    pub stored_at: i64,
    /// Its chain digest.
    pub digest: String,
    /// Its watch's head, when the chain from this version to it is
    /// unbroken; `None` when it is broken at this version or a later one.
    pub head: Option<i64>,
}

/// How long the rest of a check may take after its fetch, at most: reading
/// the page, comparing it and storing it. Nothing cuts it short (only the
/// fetch has a time limit, `timeout`); it takes seconds, a busy machine a
/// few minutes, so an hour flags no real check, however slow, while a
/// version's time moved hours or days later is caught.
pub const CHECK_AFTER_FETCH: Duration = Duration::from_secs(3600);

/// Re-hashes everything kept in the state database, and checks each
/// version's time against the fetch of the response it was accepted from.
/// `fetch_timeout` is the `timeout` a whole fetch is cut at (the config's
/// now: a timeout lowered since by more than the hour allowed after it
/// could flag a version whose page took longer than that to arrive).
/// `progress` hears how many raw bodies and versions are re-hashed, and of
/// how many.
pub fn verify(
    state: &State,
    fetch_timeout: Duration,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<Verified, String> {
    let mut rows = Vec::new();
    for watch in state.watches_with_versions().map_err(|e| e.to_string())? {
        for row in state.versions(&watch).map_err(|e| e.to_string())? {
            let fetched = row.origin != crate::store::Origin::File;
            rows.push((
                watch.clone(),
                row.seq,
                row.body_sha256,
                fetched.then_some(row.stored_at),
            ));
        }
    }
    let (bodies, mismatches) = state
        .verify_snapshots(&mut |done, total| progress(done, total + rows.len()))
        .map_err(|e| e.to_string())?;
    // A damaged body is named by the watches and versions whose evidence it
    // is: that is what the user looks up, and what `export` and `report`
    // leave out.
    let snapshots = super::checked_snapshots(state, None)?;
    let mut used_by: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    for c in &snapshots {
        used_by
            .entry(&c.snapshot.body_sha256)
            .or_default()
            .push(super::snapshot_name(&c.snapshot));
    }
    let mut problems: Vec<String> = mismatches
        .into_iter()
        .map(|m| match used_by.get(m.sha256.as_str()) {
            Some(users) => format!("{}: raw body {}: {}", users.join(", "), m.sha256, m.problem),
            None => format!("raw body {}: {}", m.sha256, m.problem),
        })
        .collect();
    let (mut records, mut undigested) = (0, 0);
    for c in &snapshots {
        match c.record {
            RecordCheck::Sound => records += 1,
            RecordCheck::Undigested => undigested += 1,
            RecordCheck::Altered(_) => {
                records += 1;
                problems.extend(super::altered_record(c));
            }
        }
    }
    // The versions whose response is kept, its record sound or not.
    let kept: std::collections::BTreeSet<(&str, i64)> = snapshots
        .iter()
        .filter(|c| c.snapshot.kind == SnapshotKind::Version)
        .map(|c| (c.snapshot.watch.as_str(), c.snapshot.version))
        .collect();
    let unfetched = rows
        .iter()
        .filter(|(watch, seq, _, stored_at)| {
            stored_at.is_some() && !kept.contains(&(watch.as_str(), *seq))
        })
        .count();
    // When each version's response was fetched, as its record (sound:
    // matching its digest) says.
    let fetched: BTreeMap<(&str, i64), i64> = snapshots
        .iter()
        .filter(|c| c.snapshot.kind == SnapshotKind::Version && c.record == RecordCheck::Sound)
        .map(|c| {
            (
                (c.snapshot.watch.as_str(), c.snapshot.version),
                c.snapshot.fetched_at_ms,
            )
        })
        .collect();
    // What still refers to a version: its kept responses, its takedowns and
    // restores. Read before the versions they are held against (below), so
    // that a check storing a version meanwhile, and pruning the oldest, is
    // no deletion: a version newer than the references has none yet, and
    // one pruned since is older than the oldest kept.
    let mut refs: Vec<(String, i64, String)> = snapshots
        .iter()
        .map(|c| {
            let what = match c.snapshot.kind {
                SnapshotKind::Version => "the response it was accepted from is kept",
                SnapshotKind::TakenDown => "the answer that reported it taken down is kept",
            };
            (
                c.snapshot.watch.clone(),
                c.snapshot.version,
                what.to_string(),
            )
        })
        .collect();
    let watches: BTreeSet<&str> = rows.iter().map(|(watch, ..)| watch.as_str()).collect();
    for watch in watches {
        for e in state.events(watch).map_err(|e| e.to_string())? {
            let what = match e.kind {
                EventKind::TakenDown => "its takedown",
                EventKind::Restored => "its restore",
                // A move outlives the versions it names: an address once
                // alerted is never alerted again.
                EventKind::Moved { .. } => continue,
            };
            let at = chrono::DateTime::from_timestamp(e.at, 0).map_or(e.at.to_string(), |t| {
                t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
            });
            refs.push((
                watch.to_string(),
                e.version,
                format!("{what} at {at} is kept"),
            ));
        }
    }
    let mut kept_seqs: BTreeMap<String, BTreeSet<i64>> = BTreeMap::new();
    let (mut heads, mut held) = (Vec::new(), Vec::new());
    for watch in state.watches_with_versions().map_err(|e| e.to_string())? {
        let versions = state.versions(&watch).map_err(|e| e.to_string())?;
        kept_seqs.insert(watch.clone(), versions.iter().map(|v| v.seq).collect());
        let chain = check_chain(&watch, &versions);
        problems.extend(chain.problems);
        heads.extend(chain.head);
        held.extend(chain.held);
    }
    problems.extend(deleted_versions(&kept_seqs, &refs));
    let total = bodies + rows.len();
    for (i, (watch, seq, body_sha256, stored_at)) in rows.iter().enumerate() {
        progress(bodies + i, total);
        let body = state.version_body(watch, *seq).map_err(|e| e.to_string())?;
        let Some(body) = body else {
            problems.push(format!(
                "watch {watch} version {seq}: its text is not stored"
            ));
            continue;
        };
        if let Some(altered) = AlteredText::check(watch, *seq, body_sha256, &body) {
            problems.push(altered.mismatch());
        } else if let Some(why) = out_of_its_check(
            *stored_at,
            fetched.get(&(watch.as_str(), *seq)).copied(),
            fetch_timeout,
        ) {
            problems.push(format!("watch {watch} version {seq}: {why}"));
        }
    }
    Ok(Verified {
        bodies,
        records,
        undigested,
        versions: rows.len(),
        unfetched,
        problems,
        heads,
        held,
    })
}

/// What [`check_chain`] found of one watch's chain.
struct Chain {
    problems: Vec<String>,
    head: Option<Head>,
    held: Vec<Held>,
}

/// Recomputes a watch's chain over its kept versions (`versions`, oldest
/// first): each version's digest from the digest it was chained to, and
/// that one against the version kept before it. A version altered since it
/// was stored (its text's SHA-256, its number, its time), or one deleted
/// from between two kept ones, breaks it. The oldest kept version goes by
/// the link it was stored with (the versions before it are pruned), except
/// a watch's first, which starts the chain.
fn check_chain(watch: &str, versions: &[crate::store::VersionRow]) -> Chain {
    use crate::integrity::chain::{chain_digest, short, CHAIN_START};
    let mut problems = Vec::new();
    let mut held = Vec::new();
    // Versions whose own digest fails (or that have none), and versions
    // whose link to the version kept before fails: the chain from a
    // version to the head holds when neither is at it or after it (a link
    // failing at the version itself concerns those before it).
    let (mut altered, mut relinked) = (Vec::new(), Vec::new());
    let mut before: Option<(i64, &str)> = None;
    for v in versions {
        let Some(link) = &v.chain else {
            problems.push(format!(
                "watch {watch} version {}: it carries no chain digest (stored by an older presswatch since this one last opened the database, or its digest was removed since); run `presswatch check` once, which chains it, and verify again",
                v.seq
            ));
            altered.push(v.seq);
            before = None;
            continue;
        };
        let now = chain_digest(&link.prev, watch, v.seq, &v.body_sha256, v.stored_at);
        if now != link.digest {
            problems.push(format!(
                "watch {watch} version {}: its chain digest ({}) no longer matches the version: its text's SHA-256, its number or the time it was stored was altered since it was stored (recomputed, it is {})",
                v.seq,
                short(&link.digest),
                short(&now)
            ));
            altered.push(v.seq);
        }
        match before {
            Some((seq, digest)) if digest != link.prev => {
                problems.push(format!(
                    "watch {watch} version {}: it was chained to a version before it whose digest was {}, but the version kept before it, version {seq}, has {}: a version between them was deleted, or version {seq} rewritten, since version {} was stored",
                    v.seq,
                    short(&link.prev),
                    short(digest),
                    v.seq
                ));
                relinked.push(v.seq);
            }
            None if v.seq == 1 && link.prev != CHAIN_START => {
                problems.push(format!(
                    "watch {watch} version 1: it was chained to a version before it ({}), yet it is the watch's first: it was rewritten since it was stored",
                    short(&link.prev)
                ));
                altered.push(v.seq);
            }
            _ => {}
        }
        before = Some((v.seq, &link.digest));
    }
    let newest = versions.last().map(|v| v.seq);
    for v in versions {
        if let Some(link) = &v.chain {
            held.push(Held {
                watch: watch.to_string(),
                seq: v.seq,
                stored_at: v.stored_at,
                digest: link.digest.clone(),
                head: newest.filter(|_| {
                    !altered.iter().any(|&a| a >= v.seq) && !relinked.iter().any(|&r| r > v.seq)
                }),
            });
        }
    }
    let head = versions.last().and_then(|last| {
        let link = last.chain.as_ref()?;
        let upgraded = versions
            .iter()
            .filter_map(|v| Some((v.seq, v.chain.as_ref()?.chained_at?)))
            .next_back();
        Some(Head {
            watch: watch.to_string(),
            versions: versions.len(),
            seq: last.seq,
            digest: link.digest.clone(),
            stored_at: last.stored_at,
            from: versions[0].seq,
            upgraded,
        })
    });
    Chain {
        problems,
        head,
        held,
    }
}

/// Versions deleted from a watch's history since they were kept, one line
/// each: presswatch prunes only a watch's oldest versions (`keep_versions`),
/// with their responses, takedowns and restores, so a version missing
/// between two kept ones, or one that kept evidence still refers to, was
/// deleted. `kept`: each watch's kept versions; `refs`: (watch, version,
/// what refers to it, as "… is kept"). A reference to a version older than
/// the oldest kept is no sign (pruned since the reference was read, or kept
/// by an older presswatch after it pruned the version); a deletion that
/// took a watch's newest versions with everything referring to them leaves
/// no trace to find.
fn deleted_versions(
    kept: &BTreeMap<String, BTreeSet<i64>>,
    refs: &[(String, i64, String)],
) -> Vec<String> {
    let mut why: BTreeMap<(&str, i64), Vec<String>> = BTreeMap::new();
    for (watch, seqs) in kept {
        let (Some(&first), Some(&last)) = (seqs.first(), seqs.last()) else {
            continue;
        };
        for seq in (first..last).filter(|s| !seqs.contains(s)) {
            let before = seqs.range(..seq).next_back().copied().unwrap_or(first);
            let after = seqs.range(seq..).next().copied().unwrap_or(last);
            why.entry((watch, seq)).or_default().push(format!(
                "versions {before} and {after} on either side are kept"
            ));
        }
    }
    for (watch, seq, what) in refs {
        let seqs = kept.get(watch);
        if seqs.is_some_and(|s| s.contains(seq) || s.first().is_some_and(|first| seq < first)) {
            continue;
        }
        let reasons = why.entry((watch, *seq)).or_default();
        if !reasons.contains(what) {
            reasons.push(what.clone());
        }
    }
    why.into_iter()
        .map(|((watch, seq), reasons)| {
            format!(
                "watch {watch} version {seq}: it is no longer kept, yet {}: presswatch prunes only a watch's oldest versions (keep_versions), with their responses, takedowns and restores, so it was deleted since it was kept",
                reasons.join(", and ")
            )
        })
        .collect()
}

/// A version's time (`stored_at`, Unix seconds: the time `history` and the
/// viewer show it accepted at) that its check could not have given it,
/// against the fetch of the response it was accepted from (`fetched_ms`,
/// when that response arrived, as its record, checked against its digest,
/// says). A check stores its version after the fetch, and before the fetch
/// is cut (`fetch_timeout` after it began, so less after its answer
/// arrived) and the rest of the check is done ([`CHECK_AFTER_FETCH`]): a
/// time before the fetch was moved earlier, one later than that moved
/// later. `None` when within, or with no sound record to go by (none kept,
/// or a baseline file's version).
fn out_of_its_check(
    stored_at: Option<i64>,
    fetched_ms: Option<i64>,
    fetch_timeout: Duration,
) -> Option<String> {
    let (stored_at, fetched_ms) = (stored_at?, fetched_ms?);
    let fetched_s = fetched_ms.div_euclid(1000);
    let limit = fetch_timeout.saturating_add(CHECK_AFTER_FETCH);
    let latest = fetched_s.saturating_add(i64::try_from(limit.as_secs()).unwrap_or(i64::MAX));
    if (fetched_s..=latest).contains(&stored_at) {
        return None;
    }
    let stored = chrono::DateTime::from_timestamp(stored_at, 0)
        .map_or(stored_at.to_string(), |t| {
            t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
        });
    let fetched = chrono::DateTime::from_timestamp_millis(fetched_ms)
        .map_or(fetched_ms.to_string(), |t| {
            t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
        });
    if stored_at < fetched_s {
        return Some(format!(
            "it is stored as accepted at {stored}, before the response it was accepted from was fetched ({fetched}, as its record, which matches its digest, says): the time it was accepted at was altered since it was kept (or the system clock was set back during that check)"
        ));
    }
    Some(format!(
        "it is stored as accepted at {stored}, {} after the response it was accepted from was fetched ({fetched}, as its record, which matches its digest, says), later than its check could have stored it (a check stores its version within the fetch's timeout, {}, and {} more): the time it was accepted at was altered since it was kept (or the system clock was set forward, or the machine suspended, during that check)",
        span(stored_at - fetched_s),
        span(i64::try_from(fetch_timeout.as_secs()).unwrap_or(i64::MAX)),
        span(i64::try_from(CHECK_AFTER_FETCH.as_secs()).unwrap_or(i64::MAX)),
    ))
}

/// A span of seconds as days, hours, minutes and seconds, from the largest
/// unit it has to the smallest it needs: `3d 0h 0m 12s`, `30s`, `1h`.
fn span(secs: i64) -> String {
    let units = [
        (secs / 86_400, "d"),
        (secs % 86_400 / 3600, "h"),
        (secs % 3600 / 60, "m"),
        (secs % 60, "s"),
    ];
    let first = units.iter().position(|(n, _)| *n != 0).unwrap_or(3);
    let last = units.iter().rposition(|(n, _)| *n != 0).unwrap_or(3);
    units[first..=last]
        .iter()
        .map(|(n, unit)| format!("{n}{unit}"))
        .collect::<Vec<_>>()
        .join(" ")
}

/// What to do about mismatches, for the user who just saw them.
pub fn what_to_do(config: &Config) -> String {
    format!(
        "What to do: the records named above no longer match what was kept (the database was altered or \
         damaged since). Keep this output with the evidence. Restore the state database from a backup \
         made before the damage (docs/OPERATIONS.md, Backup) and run `{}` again. Until then `presswatch \
         export` and `presswatch report` leave the altered or damaged responses out and name them, and \
         `report`, `history` and `diff` show an altered version text only with a warning beside it; \
         the rest is sound, and exports and reports made earlier keep their own digests.",
        config.command("verify")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_version_missing_between_kept_ones_or_still_referred_to_was_deleted() {
        let kept: BTreeMap<String, BTreeSet<i64>> = [
            ("a".to_string(), BTreeSet::from([3, 4, 7])),
            ("b".to_string(), BTreeSet::from([1, 2])),
        ]
        .into();
        let r = |watch: &str, seq: i64, what: &str| (watch.to_string(), seq, what.to_string());
        let refs = [
            r("a", 3, "the response it was accepted from is kept"),
            r("a", 6, "the response it was accepted from is kept"),
            r("a", 6, "the answer that reported it taken down is kept"),
            r("b", 3, "its takedown at 2024-05-14T09:00:00Z is kept"),
            r("c", 1, "the response it was accepted from is kept"),
            // Older than the oldest kept: pruned since it was read.
            r("a", 2, "the response it was accepted from is kept"),
        ];
        let found = deleted_versions(&kept, &refs);
        let starts: Vec<&str> = found
            .iter()
            .map(|l| l.split(": presswatch prunes").next().unwrap())
            .collect();
        assert_eq!(
            starts,
            [
                "watch a version 5: it is no longer kept, yet versions 4 and 7 on either side are kept",
                "watch a version 6: it is no longer kept, yet versions 4 and 7 on either side are kept, and the response it was accepted from is kept, and the answer that reported it taken down is kept",
                "watch b version 3: it is no longer kept, yet its takedown at 2024-05-14T09:00:00Z is kept",
                "watch c version 1: it is no longer kept, yet the response it was accepted from is kept",
            ]
        );
        assert!(found[0].ends_with("so it was deleted since it was kept"));
        // The oldest versions pruned, with all that refers to them: nothing.
        let whole: BTreeMap<String, BTreeSet<i64>> =
            [("a".to_string(), BTreeSet::from([5, 6, 7]))].into();
        assert!(deleted_versions(&whole, &refs[5..]).is_empty());
    }

    #[test]
    fn a_chain_head_says_its_times_in_the_configured_zone_as_history_does() {
        let head = Head {
            watch: "rasoulof".into(),
            versions: 3,
            seq: 4,
            digest: "3f2a91c0".repeat(8),
            // 2026-12-06 10:41:07 UTC.
            stored_at: 1_796_553_667,
            from: 1,
            upgraded: Some((2, 1_796_553_667)),
        };
        let berlin = chrono_tz::Europe::Berlin;
        let line = head.line(berlin);
        let at = crate::history::when(head.stored_at, berlin);
        assert_eq!(at, "2026-12-06 11:41:07 CET");
        assert!(
            line.starts_with(&format!(
                "watch rasoulof: 3 versions, chain head {} (version 4, stored {at})",
                head.digest
            )) && line.contains(&format!("chained on {at}"))
                && !line.contains("UTC"),
            "{line}"
        );
        // The line is read back by `--heads` whatever the zone.
        let saved = super::super::anchor::saved_heads(&line);
        assert_eq!((saved.len(), saved[0].seq), (1, 4), "{line}");
    }

    #[test]
    fn a_span_is_said_from_its_largest_unit_to_its_smallest() {
        assert_eq!(span(0), "0s");
        assert_eq!(span(30), "30s");
        assert_eq!(span(3600), "1h");
        assert_eq!(span(3 * 86_400 + 12), "3d 0h 0m 12s");
    }

    #[test]
    fn a_version_is_in_its_check_from_its_fetch_to_the_timeout_and_an_hour_after() {
        let fetched_ms = 1_715_677_200_500;
        let timeout = Duration::from_secs(30);
        let at = |s: i64| out_of_its_check(Some(1_715_677_200 + s), Some(fetched_ms), timeout);
        assert_eq!(at(0), None);
        assert_eq!(at(3630), None, "a check as slow as can be");
        assert!(at(-1)
            .unwrap()
            .contains("before the response it was accepted from was fetched"));
        let later = at(3631).unwrap();
        assert!(
            later.contains(", 1h 0m 31s after the response it was accepted from was fetched")
                && later.contains("within the fetch's timeout, 30s, and 1h more"),
            "{later}"
        );
        // Nothing to go by: a baseline file's version, or no sound record.
        assert_eq!(out_of_its_check(None, Some(fetched_ms), timeout), None);
        assert_eq!(out_of_its_check(Some(0), None, timeout), None);
    }
}
