//! Evidence of what a story said: the kept versions and raw responses,
//! exported as WARC ([`export`]), shown by a static viewer ([`report`]) and
//! checked against their hashes ([`verify`]).

pub mod anchor;
pub mod export;
pub mod pages;
pub mod report;
pub mod verify;

use std::collections::HashSet;

use crate::config::{Config, Watch};
use crate::integrity::RecordCheck;
use crate::store::{EventKind, Snapshot, SnapshotKind, State, WatchEvent};

/// The watches whose evidence `report` and `export` hand over: the
/// config's, then, by name, each one the state keeps versions of that the
/// config no longer names ([`Watch::retired`]): evidence kept is handed
/// over whatever the config says now. An error is the database's.
pub fn watches_kept(config: &Config, state: &State) -> Result<Vec<Watch>, String> {
    let mut out = config.watches.clone();
    for name in state.watches_with_versions().map_err(|e| e.to_string())? {
        if config.watch(&name).is_some() {
            continue;
        }
        if let Some(url) = kept_url(state, &name)? {
            out.push(Watch::retired(&name, url));
        }
    }
    Ok(out)
}

/// The address a watch was fetched at, as its evidence says: its newest
/// kept response's, else the `URL:` line of its newest version's text.
fn kept_url(state: &State, watch: &str) -> Result<Option<url::Url>, String> {
    let newest = state
        .snapshots(Some(watch))
        .map_err(|e| e.to_string())?
        .into_iter()
        .max_by_key(|s| s.fetched_at_ms)
        .map(|s| s.url);
    let url = match newest {
        Some(url) => Some(url),
        None => {
            let latest = state.latest(watch).map_err(|e| e.to_string())?;
            let body = match latest {
                Some(v) => state
                    .version_body(watch, v.seq)
                    .map_err(|e| e.to_string())?,
                None => None,
            };
            body.and_then(|b| crate::document::Document::from_baseline(&b).canonical_url)
        }
    };
    Ok(url.and_then(|u| url::Url::parse(&u).ok()))
}

/// A kept snapshot with its record checked against the digest taken when
/// it was kept ([`Snapshot::check_record`]), once: `export`, `report` and
/// `verify` read the snapshots so ([`checked_snapshots`]) and go by
/// `record`, however many places refer to the snapshot.
pub(crate) struct Checked {
    /// The snapshot as stored.
    pub snapshot: Snapshot,
    /// How its record compares with its digest.
    pub record: RecordCheck,
}

/// The kept snapshots of `watch` (of every watch when `None`), each with
/// its record checked once. An error is the database's.
pub(crate) fn checked_snapshots(
    state: &State,
    watch: Option<&str>,
) -> Result<Vec<Checked>, String> {
    Ok(state
        .snapshots(watch)
        .map_err(|e| e.to_string())?
        .into_iter()
        .map(|snapshot| Checked {
            record: snapshot.check_record(),
            snapshot,
        })
        .collect())
}

/// A kept body, as evidence handed over (`export`, `report`) reads it back.
pub(crate) enum KeptBody {
    /// Its bytes hash to the SHA-256 it was kept under.
    Sound(Vec<u8>),
    /// It is missing, or was altered or damaged since it was kept (or, read
    /// by [`kept_response`], the record pointing to it was): what to tell
    /// the user, naming the watch, the version and the body or record.
    /// Evidence leaves it out rather than pass it on under fresh digests.
    Damaged(String),
}

/// Reads a kept body back and checks it against the SHA-256 it was kept
/// under: one that no longer decodes is damaged, as one that hashes
/// otherwise. An error is the database's (it cannot be read at all).
pub(crate) fn kept_body(
    config: &Config,
    state: &State,
    watch: &str,
    version: i64,
    sha256: &str,
) -> Result<KeptBody, String> {
    let problem = match state.snapshot_body(sha256).map_err(|e| e.to_string())? {
        None => "is not stored".to_string(),
        // What is stored no longer decodes: damaged, as `verify` says it.
        Some(Err(why)) => format!("was altered or damaged since it was kept: it {why}"),
        Some(Ok(body)) => {
            let got = crate::document::sha256_hex(&body);
            if got == sha256 {
                return Ok(KeptBody::Sound(body));
            }
            format!("was altered or damaged since it was kept: its bytes hash to {got}")
        }
    };
    Ok(KeptBody::Damaged(format!(
        "watch {watch} version {version}: the kept response {sha256} {problem}; `{}` lists every such record",
        config.command("verify")
    )))
}

/// A snapshot as evidence names it: the watch, the version, and what the
/// snapshot is the evidence of.
pub(crate) fn snapshot_name(s: &Snapshot) -> String {
    match s.kind {
        SnapshotKind::Version => format!(
            "watch {} version {} (the response it was accepted from)",
            s.watch, s.version
        ),
        SnapshotKind::TakenDown => format!(
            "watch {} version {} (the answer that reported it taken down)",
            s.watch, s.version
        ),
    }
}

/// The charset presswatch reads a kept body in (`charset::sniff_encoding`
/// with the response's Content-Type, as when it was fetched): what a reader
/// of the evidence decodes it with to see the text presswatch extracted,
/// even when the server's header named another (a windows-1256 page served
/// as UTF-8).
pub(crate) fn read_as(response_head: &str, body: &[u8]) -> &'static str {
    crate::charset::sniff_encoding(
        body,
        crate::http_header::content_type(response_head).as_deref(),
    )
    .name()
}

/// A snapshot record altered since it was kept, as `verify` names it: the
/// snapshot, its fetch time as stored, and what differs. `None` for a sound
/// record, or one kept before records had a digest (which cannot be checked).
pub(crate) fn altered_record(c: &Checked) -> Option<String> {
    let RecordCheck::Altered(fields) = &c.record else {
        return None;
    };
    let s = &c.snapshot;
    let at = chrono::DateTime::from_timestamp_millis(s.fetched_at_ms)
        .map_or(s.fetched_at_ms.to_string(), |t| {
            t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
        });
    Some(format!(
        "{}: its record (stored as fetched at {at}) was altered since it was kept; what differs: {}",
        snapshot_name(s),
        crate::integrity::what_differs(fields)
    ))
}

/// A kept response as evidence handed over (`export`, `report`) reads it
/// back: its body checked against the SHA-256 it was kept under, then its
/// record against the digest taken when it was kept, so that neither an
/// altered body nor an altered record (its headers, fetch time...) is passed
/// on under fresh digests and links. A record kept before records had a
/// digest is handed over as before. A damaged body is named rather than
/// the records pointing to it, whose body size it alters too. An error is
/// the database's.
pub(crate) fn kept_response(
    config: &Config,
    state: &State,
    c: &Checked,
) -> Result<KeptBody, String> {
    let s = &c.snapshot;
    let body = kept_body(config, state, &s.watch, s.version, &s.body_sha256)?;
    Ok(match (body, altered_record(c)) {
        (KeptBody::Sound(_), Some(why)) => KeptBody::Damaged(format!(
            "{why}; `{}` lists every such record",
            config.command("verify")
        )),
        (body, _) => body,
    })
}

/// The kept answer that reported each of a watch's events (`None` for a
/// restore, a move, or a takedown whose answer is not kept), among the watch's
/// `snapshots`: for a takedown, the
/// first answer about its version not yet matched, fetched after the event
/// before it and by the time it was detected (times in seconds, so the
/// order breaks ties). Databases from before every answer was kept hold one
/// per version: the first takedown's.
fn takedown_answers<'a>(
    events: &[WatchEvent],
    snapshots: impl IntoIterator<Item = &'a Checked>,
) -> Vec<Option<&'a Checked>> {
    let mut answers: Vec<&Checked> = snapshots
        .into_iter()
        .filter(|c| c.snapshot.kind == SnapshotKind::TakenDown)
        .collect();
    answers.sort_by_key(|c| c.snapshot.fetched_at_ms);
    let mut answered = HashSet::new();
    let mut previous: Option<i64> = None;
    events
        .iter()
        .map(|e| {
            let after = previous.replace(e.at);
            if e.kind != EventKind::TakenDown {
                return None;
            }
            let answer = answers.iter().copied().find(|c| {
                let s = &c.snapshot;
                let at = s.fetched_at_ms.div_euclid(1000);
                s.version == e.version
                    && at <= e.at
                    && after.is_none_or(|p| at >= p)
                    && !answered.contains(&(s.version, s.fetched_at_ms))
            })?;
            answered.insert((answer.snapshot.version, answer.snapshot.fetched_at_ms));
            Some(answer)
        })
        .collect()
}
