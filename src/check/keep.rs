//! What a check keeps, and how: the new baseline, versions and events
//! ([`Keep`]), stored with the alerts in one transaction ([`store()`]), the
//! evidence an alert names, and the raw snapshot of a response.

use std::collections::HashSet;

use chrono::Utc;

use crate::alert::{Alert, Evidence};
use crate::config::Watch;
use crate::document::{Document, Item, Masthead};
use crate::extract;
use crate::fetch::Response;
use crate::notify;
use crate::store::{
    self, Checked, Durability, NewAlert, NewEvent, NewSnapshot, NewVersion, Origin, SeenItems,
    Snapshot, SnapshotKind, State, StateError, VersionRow, WatchState,
};

use super::{now_rfc3339, Context};

/// What a check keeps, with its alerts.
#[derive(Default)]
pub(super) struct Keep {
    /// The new baseline, when the check accepted one.
    pub(super) baseline: Option<NewBaseline>,
    /// The baseline file taken into the history as version 1: a watch's
    /// first check against a baseline presswatch did not fetch itself.
    pub(super) file_version: Option<NewVersion>,
    /// A move, a takedown or restore, for the history, in the order of
    /// their alerts.
    pub(super) events: Vec<NewEvent>,
    /// The answer that reported the article taken down, kept with the
    /// version it took down.
    pub(super) takedown: Option<(i64, Box<NewSnapshot>)>,
    /// With `follow = true`: the new items whose article could not be read.
    pub(super) follow: Option<FollowTries>,
    /// Titles the items of a listing or feed carried, to remember: those
    /// they were retitled to, and the other texts a listing shows them under.
    pub(super) titles: Vec<crate::retitle::Remember>,
    /// The watch started afresh: the page or items it accepts are a new
    /// baseline, taken with no alert ([`Origin::Afresh`]).
    pub(super) afresh: bool,
}

/// The new items of a `follow = true` watch whose article could not be read
/// this check (to try again: one more failed try each, kept as listed), and
/// those done with (read, alerted unread, or gone from the listing: their
/// count is forgotten), by key.
pub(super) struct FollowTries {
    pub(super) failed: Vec<Item>,
    pub(super) done: Vec<String>,
}

impl Keep {
    /// The number of the watch's version current once the check stores the
    /// versions it keeps, after `latest` (the newest version kept before
    /// it), as `save_check` stores them: the baseline file as version 1
    /// when the history has none, then the accepted page or items, each a
    /// new version only when its content is not the latest version's
    /// already (and items only when they make one, [`NewBaseline::Items`]).
    /// What an alert's evidence names, and what the check's events refer
    /// to.
    pub(super) fn version_after(&self, latest: Option<&VersionRow>) -> i64 {
        let (mut seq, mut last) = latest.map_or((0, None), |v| (v.seq, Some(v.sha256.clone())));
        let accepted = match &self.baseline {
            Some(NewBaseline::Article { hash, .. }) => Some(hash.clone()),
            Some(NewBaseline::Items {
                new_version: Some(hash),
                ..
            }) => Some(hash.clone()),
            Some(NewBaseline::Items { .. }) | None => None,
        };
        let file = self.file_version.as_ref().map(|v| v.sha256.clone());
        for sha in file.into_iter().chain(accepted) {
            if last.as_ref() != Some(&sha) {
                seq += 1;
                last = Some(sha);
            }
        }
        seq
    }

    /// Whether the check stores more than the watch's state: a baseline, a
    /// version, a move, a takedown or restore.
    pub(super) fn stores_history(&self) -> bool {
        self.baseline.is_some()
            || self.file_version.is_some()
            || !self.events.is_empty()
            || self.takedown.is_some()
            || self.follow.is_some()
            || !self.titles.is_empty()
    }
}

/// A baseline a check accepted.
pub(super) enum NewBaseline {
    /// The article's new version (`hash`: its [`Document::content_hash`]):
    /// the baseline and the version history advance.
    Article {
        doc: Box<Document>,
        hash: String,
        fetched: String,
        raw: Box<NewSnapshot>,
        /// What later checks need to know of its page, when its response
        /// is not kept ([`super::page_facts`]).
        facts: Option<String>,
        /// Why no alert went out for the change this version is, when
        /// one would have but for that (site chrome, no keyword): kept with
        /// the version ([`crate::store::NewVersion::alerted`]) for
        /// `history` and the evidence viewer.
        quiet: Option<crate::alert::NotAlerted>,
    },
    /// The listing's or feed's current items: remembered as seen, written
    /// as its baseline, and a version of its history. `gone`: items no
    /// longer listed that the check is done with (a `follow = true` item
    /// whose article was tried once more): remembered as seen, so that they
    /// are no news if listed again, but not in the baseline. `untitled`:
    /// the keys of the items the source gave no title (a feed item named by
    /// its teaser or link), remembered as such. `new_version`: the content
    /// hash of the new version of the history the items are
    /// ([`store::items_hash`], computed once: it reads back every item), as
    /// they are when the list holds other items than the accepted one, or a
    /// retitle that is news (`items::items_make_a_version`); `None` when a title
    /// changing otherwise (a first headline, one the retitle rules take in
    /// silence) is written to the baseline only. `raw`: the response they were read from, kept with
    /// the version they make (as an article's). `masthead`: the page's or
    /// feed's name and language, which the baseline keeps for the alerts of
    /// checks that cannot read it. `alerted`: for a watch with keywords, the
    /// keys of the new items the check alerted, kept with the version
    /// ([`crate::store::NewVersion::alerted`]) so that its record says
    /// which of them the alert named; `None` when every new item was.
    Items {
        items: Vec<Item>,
        new_version: Option<String>,
        alerted: Option<Vec<String>>,
        raw: Box<NewSnapshot>,
        gone: Vec<Item>,
        untitled: HashSet<String>,
        now: i64,
        masthead: Masthead,
    },
}

/// Stores what a check leaves behind: its versions, events (a move, a
/// takedown or restore), items, alerts and the watch's state in one
/// transaction ([`State::save_check`]), then the baseline. Nothing of the
/// transaction is kept unless all of it is: no alert is queued without the
/// version it reports, whose chain digest it carries ([`records`]), nor a
/// version or item kept without its alert. A crash before the commit
/// leaves the watch as it was, and the next check finds the change again
/// (under the same alert id); one after it leaves the baseline a version
/// behind the history, which the next check compares with instead.
/// `checked_as`: the kind and URL the check worked under, when they are new.
/// `queued` counts the alerts in the outbox (all of them once the
/// transaction commits, none before), also when the baseline then fails.
pub(super) fn store(
    ctx: &Context,
    watch: &Watch,
    alerts: &mut [Alert],
    keep: Keep,
    st: &WatchState,
    checked_as: Option<(String, String)>,
    queued: &mut usize,
) -> Result<(), String> {
    let takedown = keep
        .takedown
        .filter(|_| ctx.config.daemon.raw_snapshots)
        .map(|(version, raw)| (version, *raw));
    let mut versions: Vec<NewVersion> = keep.file_version.into_iter().collect();
    let fetched = |sha256: String, body: String, fetched_at: i64, raw, reading| NewVersion {
        sha256,
        body,
        fetched_at,
        keep: ctx.config.daemon.keep_versions,
        origin: if keep.afresh {
            Origin::Afresh
        } else {
            Origin::Fetched
        },
        raw,
        raw_cap: ctx.config.daemon.keep_raw,
        reading,
        page_facts: None,
        alerted: None,
    };
    // The new baseline's text, and for a listing or feed what it remembers.
    let mut baseline = None;
    let mut items = None;
    let mut at = Utc::now().timestamp();
    match keep.baseline {
        None => {}
        Some(NewBaseline::Article {
            doc,
            hash,
            fetched: fetched_at,
            raw,
            facts,
            quiet,
        }) => {
            let body = doc.to_baseline(watch.url.as_str(), &fetched_at);
            let raw = ctx.config.daemon.raw_snapshots.then_some(*raw);
            let reading = Some(extract::reading(watch.selector.as_deref()));
            versions.push(NewVersion {
                page_facts: facts,
                alerted: quiet.map(|why| why.record()),
                ..fetched(hash, body.clone(), Utc::now().timestamp(), raw, reading)
            });
            baseline = Some(body);
        }
        Some(NewBaseline::Items {
            items: listed,
            new_version,
            alerted,
            raw,
            gone,
            untitled,
            now,
            masthead,
        }) => {
            let body =
                store::items_baseline(&listed, watch.url.as_str(), &now_rfc3339(), &masthead);
            if let Some(hash) = new_version {
                let raw = ctx.config.daemon.raw_snapshots.then_some(*raw);
                versions.push(NewVersion {
                    alerted: alerted.map(|keys| keys.join("\n")),
                    ..fetched(hash, body.clone(), now, raw, None)
                });
            }
            baseline = Some(body);
            let (follow_failed, follow_done) = keep
                .follow
                .map_or_else(Default::default, |f| (f.failed, f.done));
            items = Some(SeenItems {
                seen: listed.into_iter().chain(gone).collect(),
                untitled,
                follow_failed,
                follow_done,
            });
            at = now;
        }
    }
    let records_after = records(&ctx.state, &watch.name, &versions, alerts)
        .map_err(|e| format!("reading the history of watch {}: {e}", watch.name))?;
    let outbox = alerts
        .iter()
        .map(|a| {
            Ok(NewAlert {
                id: a.id.clone(),
                kind: a.kind.as_str().to_string(),
                payload: serde_json::to_string(a).map_err(|e| e.to_string())?,
                channels: notify::route(&ctx.config, watch, a),
            })
        })
        .collect::<Result<Vec<_>, String>>()?;
    if !versions.is_empty() {
        store::failpoint("before-versions");
    }
    let check = Checked {
        versions,
        events: keep.events,
        takedown,
        alerts: outbox,
        items,
        titles: keep.titles,
        checked_as,
        records_after,
        at,
    };
    // A new version, an alert and the flags (gone, error alerted) that an
    // alert's identity depends on, items and titles must reach the disk; a
    // quiet check's schedule and validators need not wait for it.
    let durability = if check.is_quiet() {
        Durability::Lazy
    } else {
        Durability::Durable
    };
    ctx.state
        .save_check(&watch.name, st, &check, durability)
        .map_err(|e| format!("recording the check of watch {}: {e}", watch.name))?;
    *queued = check.alerts.len();
    // The baseline last: a crash before it leaves the history a version
    // ahead, and the next check compares the page with that version
    // (`check::article`'s `behind_the_history`); written first, a crash
    // left a baseline no version held, the page matched it, and the
    // version (and its raw response) was never stored.
    if let Some(body) = baseline {
        if !check.versions.is_empty() {
            store::failpoint("before-baseline");
        }
        // A directory that takes no file is said as validate says it: which
        // config line, what is wrong, what to do; not only the system's error.
        ctx.baselines.write(&watch.name, &body).map_err(|e| {
            let path = ctx.baselines.path(&watch.name);
            match crate::preflight::baseline_dir_refusal(&ctx.config) {
                Some(why) => format!("cannot write baseline {}: {why}", path.display()),
                None => format!("writing baseline {}: {e}", path.display()),
            }
        })?;
    }
    Ok(())
}

/// Gives each alert's evidence its record: the chain digest of the version
/// it reports ([`crate::integrity::chain`]), one of the `versions` this check
/// stores (computed as `save_check` will chain it: the check holds the
/// watch, so nothing else stores a version of it meanwhile) or one kept
/// before (a takedown's). None when the newest kept version has no chain
/// digest yet (stored by an older presswatch: storing chains it first).
/// Returns the number of the newest version the records were computed
/// after (0 for none), when any was: `save_check` stores nothing if
/// another is the newest by then ([`Checked::records_after`]).
fn records(
    state: &State,
    watch: &str,
    versions: &[NewVersion],
    alerts: &mut [Alert],
) -> Result<Option<i64>, StateError> {
    use crate::integrity::chain::{chain_digest, CHAIN_START};
    if alerts.iter().all(|a| a.evidence.is_none()) {
        return Ok(None);
    }
    let latest = state.latest(watch)?;
    if latest.as_ref().is_some_and(|v| v.chain.is_none()) {
        return Ok(None);
    }
    let after = latest.as_ref().map_or(0, |v| v.seq);
    let mut last = latest.map(|v| (v.seq, v.sha256, v.chain.map(|c| c.digest)));
    let mut made = std::collections::HashMap::new();
    for v in versions {
        if last.as_ref().is_some_and(|(_, sha, _)| *sha == v.sha256) {
            continue;
        }
        let (seq, prev) = match last {
            Some((seq, _, chain)) => (seq + 1, chain.unwrap_or_else(|| CHAIN_START.into())),
            None => (1, CHAIN_START.to_string()),
        };
        let digest = chain_digest(&prev, watch, seq, &v.body_sha256(), v.fetched_at);
        made.insert(seq, digest.clone());
        last = Some((seq, v.sha256.clone(), Some(digest)));
    }
    let mut kept = None;
    for e in alerts.iter_mut().filter_map(|a| a.evidence.as_mut()) {
        e.record = match made.get(&e.version) {
            Some(digest) => Some(digest.clone()),
            None => {
                if kept.is_none() {
                    kept = Some(state.versions(watch)?);
                }
                kept.iter()
                    .flatten()
                    .find(|v| v.seq == e.version)
                    .and_then(|v| v.chain.as_ref())
                    .map(|c| c.digest.clone())
            }
        };
    }
    Ok(Some(after))
}

/// A watch's baseline file taken into its history as version 1 (`body` in
/// the baseline format, `sha256` its content hash).
pub(super) fn file_version(ctx: &Context, body: String, sha256: String) -> NewVersion {
    NewVersion {
        sha256,
        body,
        fetched_at: Utc::now().timestamp(),
        keep: ctx.config.daemon.keep_versions,
        origin: Origin::File,
        raw: None,
        raw_cap: None,
        reading: None,
        page_facts: None,
        alerted: None,
    }
}

/// Where an alert's evidence is: the version it shows, the place
/// in the viewer that shows it (`viewer`, relative to `report_url`, linked
/// when that is set), and for a takedown the SHA-256 of the last kept
/// snapshot.
pub(super) fn evidence(
    ctx: &Context,
    version: i64,
    viewer: &str,
    snapshot: Option<String>,
) -> Option<Evidence> {
    (version > 0).then(|| Evidence {
        version,
        report: ctx
            .config
            .daemon
            .report_url
            .as_ref()
            .and_then(|base| base.join(viewer).ok())
            .map(|u| u.to_string()),
        snapshot_sha256: snapshot,
        // Set as the check stores its versions (see `store`).
        record: None,
    })
}

/// The raw snapshot of a response to a watch, to keep as evidence.
pub(super) fn snapshot_of(watch: &Watch, resp: Response) -> NewSnapshot {
    let head = |first: &str, fields: &[(String, String)]| {
        let mut s = first.to_string();
        for (k, v) in fields {
            s.push_str(&format!("\r\n{k}: {v}"));
        }
        s
    };
    let x = &resp.exchange;
    NewSnapshot {
        url: watch.url.to_string(),
        final_url: resp.final_url.to_string(),
        status: resp.status,
        response_head: head(&x.status_line, &x.headers),
        request_head: head(&x.request_line, &x.request_headers),
        fetched_at_ms: x.fetched_at.timestamp_millis(),
        body: resp.body,
        encoded: resp.exchange.encoded,
    }
}

/// The page `watch`'s version `version` was read from, decoded as it was
/// served (its Content-Type's charset, else what the page declares), with
/// the raw response it was kept in; `None` when none was kept or it cannot
/// be read.
pub(super) fn version_page(state: &State, watch: &str, version: i64) -> Option<(Snapshot, String)> {
    let kept = version_snapshot(state, watch, version).ok()??;
    let body = state.snapshot_body(&kept.body_sha256).ok()??.ok()?;
    let content_type = crate::http_header::content_type(&kept.response_head);
    let html = crate::charset::decode(&body, content_type.as_deref()).into_owned();
    Some((kept, html))
}

/// The raw response kept with `watch`'s version `version`: the page that
/// version was read from; `None` when none was kept.
pub(super) fn version_snapshot(
    state: &State,
    watch: &str,
    version: i64,
) -> Result<Option<Snapshot>, StateError> {
    Ok(state
        .snapshots(Some(watch))?
        .into_iter()
        .rev()
        .find(|s| s.version == version && s.kind == SnapshotKind::Version))
}
