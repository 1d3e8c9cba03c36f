//! `presswatch verify`: re-hashes every kept raw body against the SHA-256 it
//! is stored under, every snapshot record (URLs, status, heads, fetch time,
//! the body it points to) against the digest taken when it was kept, and
//! every kept version's stored text (header lines included) against the
//! SHA-256 it is stored under.

use std::collections::BTreeMap;

use crate::config::Config;
use crate::store::{RecordCheck, State};

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
            rows.push((watch.clone(), row.seq, row.body_sha256));
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
    let total = bodies + rows.len();
    for (i, (watch, seq, body_sha256)) in rows.iter().enumerate() {
        progress(bodies + i, total);
        let body = state.version_body(watch, *seq).map_err(|e| e.to_string())?;
        let Some(body) = body else {
            problems.push(format!(
                "watch {watch} version {seq}: its text is not stored"
            ));
            continue;
        };
        let got = crate::document::sha256_hex(body.as_bytes());
        if &got != body_sha256 {
            problems.push(format!(
                "watch {watch} version {seq}: its text was stored as {body_sha256} and now hashes to {got}"
            ));
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

/// What to do about mismatches, for the user who just saw them.
pub fn what_to_do(config: &Config) -> String {
    format!(
        "What to do: the records named above no longer match what was kept (the database was altered or \
         damaged since). Keep this output with the evidence. Restore the state database from a backup \
         made before the damage (docs/OPERATIONS.md, Backup) and run `{}` again. Until then `presswatch \
         export` and `presswatch report` leave these records out and name them; the rest is sound, and \
         exports and reports made earlier keep their own digests.",
        config.command("verify")
    )
}
