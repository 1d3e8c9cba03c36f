//! A watch's version history: the accepted versions kept in the state
//! database (content-addressed, the newest `keep_versions` of each watch),
//! listed by `presswatch history` and compared by `presswatch diff --watch`.

use chrono::DateTime;

use crate::check;
use crate::compare;
use crate::config::Watch;
use crate::document::Document;
use crate::store::State;

/// One accepted version of a watch's document.
#[derive(Debug, Clone)]
pub struct Version {
    /// Its number: 1 for the first version ever accepted, counting up.
    pub seq: i64,
    /// SHA-256 of its compared content.
    pub sha256: String,
    /// Unix time it was accepted.
    pub accepted_at: i64,
    /// The document.
    pub doc: Document,
}

/// The versions of a watch still kept, oldest first.
pub fn versions(state: &State, watch: &str) -> Result<Vec<Version>, String> {
    let rows = state.versions(watch).map_err(|e| e.to_string())?;
    let mut out = Vec::with_capacity(rows.len());
    for (seq, sha256, accepted_at) in rows {
        let body = state
            .version_body(watch, seq)
            .map_err(|e| e.to_string())?
            .ok_or_else(|| format!("watch {watch}: version {seq} has no stored text"))?;
        out.push(Version {
            seq,
            sha256,
            accepted_at,
            doc: Document::from_baseline(&body),
        });
    }
    Ok(out)
}

/// The table `presswatch history WATCH` prints: one line per version with
/// what changed since the one before, as an alert would say it.
pub fn table(state: &State, watch: &Watch) -> Result<String, String> {
    let versions = versions(state, &watch.name)?;
    if versions.is_empty() {
        return Ok(format!(
            "watch {}: no versions recorded yet (the first check stores one)\n",
            watch.name
        ));
    }
    let rules = check::rules(watch);
    let mut out = String::new();
    let mut previous: Option<&Version> = None;
    for v in &versions {
        let change = match previous {
            None => "first version kept".to_string(),
            Some(p) => compare::compare(&p.doc, &v.doc, &rules)
                .map(|c| c.summary)
                .unwrap_or_else(|| "no change that alerts".to_string()),
        };
        out.push_str(&format!(
            "{:>4}  {}  {}  {:>5} words  {}\n",
            v.seq,
            DateTime::from_timestamp(v.accepted_at, 0)
                .map(|d| d.format("%Y-%m-%d %H:%M UTC").to_string())
                .unwrap_or_else(|| v.accepted_at.to_string()),
            &v.sha256[..v.sha256.len().min(12)],
            v.doc.word_count(),
            change
        ));
        previous = Some(v);
    }
    Ok(out)
}

/// The two versions `presswatch diff --watch` compares: `from` defaults to the
/// version before `to`, `to` to the latest.
pub fn pair(
    state: &State,
    watch: &str,
    from: Option<i64>,
    to: Option<i64>,
) -> Result<(Version, Version), String> {
    let versions = versions(state, watch)?;
    let find = |seq: i64| {
        versions
            .iter()
            .find(|v| v.seq == seq)
            .cloned()
            .ok_or_else(|| {
                let kept: Vec<String> = versions.iter().map(|v| v.seq.to_string()).collect();
                format!(
                    "watch {watch} has no version {seq} (kept: {})",
                    if kept.is_empty() {
                        "none".to_string()
                    } else {
                        kept.join(", ")
                    }
                )
            })
    };
    let to = match to {
        Some(seq) => find(seq)?,
        None => versions
            .last()
            .cloned()
            .ok_or_else(|| format!("watch {watch}: no versions recorded yet"))?,
    };
    let from = match from {
        Some(seq) => find(seq)?,
        None => versions
            .iter()
            .rev()
            .find(|v| v.seq < to.seq)
            .cloned()
            .ok_or_else(|| {
                format!(
                    "watch {watch}: version {} is the oldest kept; name --from and --to",
                    to.seq
                )
            })?,
    };
    Ok((from, to))
}
