//! `presswatch verify`: re-hashes every kept raw body against the SHA-256 it
//! is stored under, every snapshot record (URLs, status, heads, fetch time,
//! the body it points to) against the digest taken when it was kept, and
//! every kept version's stored text (header lines included) against the
//! SHA-256 it is stored under.

use std::collections::BTreeMap;

use crate::config::Config;
use crate::store::{RecordCheck, SnapshotKind, State};

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
    /// Every mismatch, one line each, naming the watch and version it
    /// concerns.
    pub problems: Vec<String>,
}

/// Re-hashes everything kept in the state database. `progress` hears how
/// many raw bodies and versions are re-hashed, and of how many.
pub fn verify(state: &State, progress: &mut dyn FnMut(usize, usize)) -> Result<Verified, String> {
    let mut rows = Vec::new();
    for watch in state.watches_with_versions().map_err(|e| e.to_string())? {
        for row in state.versions(&watch).map_err(|e| e.to_string())? {
            let fetched = row.origin == crate::store::Origin::Fetched;
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
        } else if let Some(why) =
            stored_before_fetched(*stored_at, fetched.get(&(watch.as_str(), *seq)).copied())
        {
            problems.push(format!("watch {watch} version {seq}: {why}"));
        }
    }
    Ok(Verified {
        bodies,
        records,
        undigested,
        versions: rows.len(),
        problems,
    })
}

/// A version stored (`stored_at`, Unix seconds: the time `history` and the
/// viewer show it accepted at) before the response it was accepted from
/// was fetched (`fetched_ms`, as its record, checked against its digest,
/// says): presswatch stores a version after fetching it, so the version's
/// time was altered (moved earlier) since. `None` when in order, or with
/// no sound record to go by (none kept, or a baseline file's version).
fn stored_before_fetched(stored_at: Option<i64>, fetched_ms: Option<i64>) -> Option<String> {
    let (stored_at, fetched_ms) = (stored_at?, fetched_ms?);
    if stored_at >= fetched_ms.div_euclid(1000) {
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
    Some(format!(
        "it is stored as accepted at {stored}, before the response it was accepted from was fetched ({fetched}, as its record, which matches its digest, says): the time it was accepted at was altered since it was kept (or the system clock was set back during that check)"
    ))
}

/// A kept version whose stored text no longer hashes to the SHA-256 it was
/// stored under: altered (or damaged) after presswatch kept it. `verify`
/// names it as a mismatch; the viewer, `history` and `diff`, which show the
/// text, warn beside it. The one check of a version's text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AlteredText {
    /// The watch.
    pub watch: String,
    /// The version.
    pub seq: i64,
    /// The SHA-256 it was stored under.
    pub stored: String,
    /// What its text hashes to now.
    pub now: String,
}

impl AlteredText {
    /// Checks a version's stored text (`body`) against the SHA-256 it was
    /// stored under (`stored`): `None` when it still hashes to it.
    pub fn check(watch: &str, seq: i64, stored: &str, body: &str) -> Option<AlteredText> {
        let now = crate::document::sha256_hex(body.as_bytes());
        (now != stored).then(|| AlteredText {
            watch: watch.to_string(),
            seq,
            stored: stored.to_string(),
            now,
        })
    }

    /// As `verify` lists it: "watch W version N: its text was stored as …
    /// and now hashes to …".
    pub fn mismatch(&self) -> String {
        format!(
            "watch {} version {}: its text was stored as {} and now hashes to {}",
            self.watch, self.seq, self.stored, self.now
        )
    }

    /// What is said beside the text wherever it is shown, naming the
    /// command that lists every such record (`verify`): "this text no
    /// longer matches the SHA-256 it was stored under: it was altered after
    /// presswatch kept it; run `presswatch verify --config FILE`".
    pub fn warning(&self, verify: &str) -> String {
        self.worded(verify, &|hash| hash.to_string(), &|command| {
            format!("`{command}`")
        })
    }

    /// [`AlteredText::warning`] with its hashes and command set as `hash`
    /// and `command` set them (the viewer's HTML).
    pub fn worded(
        &self,
        verify: &str,
        hash: &dyn Fn(&str) -> String,
        command: &dyn Fn(&str) -> String,
    ) -> String {
        format!(
            "this text no longer matches the SHA-256 it was stored under: it was altered after \
             presswatch kept it (it was stored as {}, and now hashes to {}); run {}",
            hash(&self.stored),
            hash(&self.now),
            command(verify)
        )
    }

    /// [`AlteredText::warning`] naming the watch and version, as `report`,
    /// `history` and `diff` print it on stderr.
    pub fn named_warning(&self, verify: &str) -> String {
        format!(
            "watch {} version {}: {}",
            self.watch,
            self.seq,
            self.warning(verify)
        )
    }
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
