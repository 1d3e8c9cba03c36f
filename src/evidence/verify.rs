//! `presswatch verify`: re-hashes every kept raw body against the SHA-256 it
//! is stored under, and every kept version's text against its content hash.

use crate::store::State;

/// What a verification found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Verified {
    /// Raw bodies re-hashed.
    pub bodies: usize,
    /// Versions re-hashed.
    pub versions: usize,
    /// Every mismatch, one line each.
    pub problems: Vec<String>,
}

/// Re-hashes everything kept in the state database. `progress` hears how
/// many raw bodies are re-hashed, and of how many.
pub fn verify(state: &State, progress: &mut dyn FnMut(usize, usize)) -> Result<Verified, String> {
    let (bodies, mismatches) = state
        .verify_snapshots(progress)
        .map_err(|e| e.to_string())?;
    let mut problems: Vec<String> = mismatches
        .into_iter()
        .map(|m| format!("raw body {}: {}", m.sha256, m.problem))
        .collect();
    let mut versions = 0;
    for watch in state.watches_with_versions().map_err(|e| e.to_string())? {
        for row in state.versions(&watch).map_err(|e| e.to_string())? {
            let (seq, sha256) = (row.seq, row.sha256);
            versions += 1;
            let body = state.version_body(&watch, seq).map_err(|e| e.to_string())?;
            let Some(body) = body else {
                problems.push(format!(
                    "watch {watch} version {seq}: its text is not stored"
                ));
                continue;
            };
            // An article's version hashes as a document, a listing's as its item keys.
            let got = crate::document::Document::from_baseline(&body).content_hash();
            let items = crate::store::items_hash(&crate::store::items_of_baseline(&body));
            if got != sha256 && items != sha256 {
                problems.push(format!(
                    "watch {watch} version {seq}: recorded as {sha256}, its text hashes to {got}"
                ));
            }
        }
    }
    Ok(Verified {
        bodies,
        versions,
        problems,
    })
}
