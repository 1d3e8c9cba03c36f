//! `presswatch report --out DIR`: writes the static evidence viewer — an
//! index of watches, a timeline per watch, a page per kept version, and the
//! kept raw bodies under `raw/<sha256>.bin` — from the state database. A
//! version's change is the alert that went out for it when the database
//! still holds it, else the same comparison computed again. A listing's or
//! feed's versions are its item lists: their changes are the items new, no
//! longer listed and retitled. A raw response
//! whose body no longer hashes to its SHA-256, or whose record was altered
//! since it was kept, is left out and named, as `export` does; a version
//! whose stored text no longer hashes to the SHA-256 it was stored under is
//! shown with a warning beside it, and named.

use std::collections::{HashMap, HashSet};
use std::path::Path;

use chrono::{TimeZone, Utc};

use super::pages::{self, EventView, EventWhat, RawView, VersionView, WatchView};
use super::{Checked, KeptBody};
use crate::alert::Alert;
use crate::compare::ChangeKind;
use crate::config::{Config, Watch};
use crate::history::Content;
use crate::integrity::RecordCheck;
use crate::store::{EventKind, SnapshotKind, State, WatchEvent};

/// What a report wrote.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Written {
    /// Watches with a timeline.
    pub watches: usize,
    /// Version pages.
    pub versions: usize,
    /// Raw bodies written.
    pub raw: usize,
    /// Kept responses left out: a body missing or no longer matching its
    /// SHA-256 (its pages link to nothing there), or a record altered since
    /// it was kept (its pages warn instead of showing it). Why, for each.
    pub left_out: Vec<String>,
    /// Versions whose stored text no longer hashes to the SHA-256 it was
    /// stored under, shown with a warning beside them: one line each
    /// ([`crate::integrity::AlteredText::named_warning`]).
    pub altered: Vec<String>,
}

impl Written {
    /// What was written into `out`, as `report` says it.
    pub fn describe(&self, out: &Path) -> String {
        use crate::text::plural;
        let mut s = format!(
            "{}: {}, {}, {} written; open {}",
            out.display(),
            plural(self.watches, "watch", "watches"),
            plural(self.versions, "version page", "version pages"),
            plural(self.raw, "raw body", "raw bodies"),
            out.join("index.html").display()
        );
        if self.watches == 0 {
            s.push_str(
                " (no watch has a stored version yet: a watch has one from its first check)",
            );
        }
        s
    }
}

/// Writes the viewer for the config's watches into `out`, and for those
/// removed from it whose evidence the state keeps ([`super::watches_kept`]).
/// `progress` hears how many of the watches are written, and of how many.
pub fn write(
    config: &Config,
    state: &State,
    out: &Path,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<Written, String> {
    let io = |p: &Path, e: std::io::Error| format!("writing {}: {e}", p.display());
    std::fs::create_dir_all(out.join("raw")).map_err(|e| io(out, e))?;
    let alerts = sent_alerts(state)?;
    let mut views = Vec::new();
    let mut written = Written::default();
    let watches = super::watches_kept(config, state)?;
    for (done, watch) in watches.iter().enumerate() {
        progress(done, watches.len());
        let (mut view, altered) = watch_view(config, state, watch, &alerts)?;
        if view.versions.is_empty() {
            continue;
        }
        written.left_out.extend(altered);
        written.altered.extend(
            view.versions
                .iter()
                .filter_map(|v| v.altered.as_ref())
                .map(|a| a.named_warning(&view.verify)),
        );
        // The bodies the pages link to, written before the pages, so that
        // a page says in its place when one failed its check instead of
        // linking to a file that is not there. A body shown for two
        // versions is named for each.
        let mut damaged: HashSet<(i64, String)> = HashSet::new();
        for (seq, r) in shown_responses(&mut view) {
            if matches!(r.record, RecordCheck::Altered(_)) {
                continue;
            }
            let key = (seq, r.sha256.clone());
            let p = out.join(super::pages::raw_path(&r.sha256));
            if damaged.contains(&key) {
                r.body_damaged = true;
                continue;
            }
            match super::kept_body(config, state, &watch.name, seq, &r.sha256)? {
                KeptBody::Sound(body) => {
                    r.read_as = Some(super::read_as(&r.head, &body));
                    // A file an earlier report left is kept only when it
                    // holds these very bytes: one changed since (on a
                    // shared drive) is written again, not linked.
                    if std::fs::read(&p).is_ok_and(|kept| kept == body) {
                        continue;
                    }
                    std::fs::write(&p, body).map_err(|e| io(&p, e))?;
                    written.raw += 1;
                }
                KeptBody::Damaged(why) => {
                    written.left_out.push(why);
                    damaged.insert(key);
                    r.body_damaged = true;
                }
            }
        }
        view.left_out += damaged.len();
        let dir = out.join(&watch.name);
        std::fs::create_dir_all(&dir).map_err(|e| io(&dir, e))?;
        let put = |name: String, html: String| {
            let p = dir.join(name);
            std::fs::write(&p, html).map_err(|e| io(&p, e))
        };
        put("index.html".into(), pages::timeline(&view))?;
        for (i, v) in view.versions.iter().enumerate() {
            put(format!("v{}.html", v.seq), pages::version(&view, i))?;
            written.versions += 1;
        }
        written.watches += 1;
        views.push(view);
    }
    let p = out.join("index.html");
    std::fs::write(&p, pages::index(&views, config.daemon.timezone)).map_err(|e| io(&p, e))?;
    Ok(written)
}

/// Every raw response a watch's pages show, with the version it is named
/// under: each version's response and the answer that reported it taken
/// down, and each takedown's last kept snapshot and answer (a story taken
/// down twice has two).
fn shown_responses(view: &mut WatchView) -> Vec<(i64, &mut RawView)> {
    let mut out = Vec::new();
    for v in &mut view.versions {
        let seq = v.seq;
        out.extend(v.raw.iter_mut().chain(&mut v.taken_down).map(|r| (seq, r)));
    }
    for e in &mut view.events {
        let seq = e.version;
        out.extend(e.snapshot.iter_mut().chain(&mut e.answer).map(|r| (seq, r)));
    }
    out
}

/// The alerts still in the database that introduced a version, by (watch, version).
fn sent_alerts(state: &State) -> Result<HashMap<(String, i64), Alert>, String> {
    let mut out = HashMap::new();
    for entry in state.outbox(None, None).map_err(|e| e.to_string())? {
        let Ok(a) = serde_json::from_str::<Alert>(&entry.payload) else {
            continue;
        };
        // A takedown, restore or move is an event of its own on the
        // timeline, not the change that made a version.
        if matches!(
            a.kind,
            ChangeKind::TakenDown | ChangeKind::Restored | ChangeKind::Moved
        ) {
            continue;
        }
        if let Some(v) = a.evidence.as_ref().map(|e| e.version) {
            out.insert((a.watch.clone(), v), a);
        }
    }
    Ok(out)
}

/// A watch's kept versions with their changes and raw responses, and why
/// each of its raw responses whose record was altered since it was kept is
/// left out (its pages show a warning in its place).
fn watch_view(
    config: &Config,
    state: &State,
    watch: &crate::config::Watch,
    alerts: &HashMap<(String, i64), Alert>,
) -> Result<(WatchView, Vec<String>), String> {
    let versions = crate::history::versions(state, watch)?;
    let snapshots = super::checked_snapshots(state, Some(&watch.name))?;
    let mut altered = Vec::new();
    for c in snapshots
        .iter()
        .filter(|c| matches!(c.record, RecordCheck::Altered(_)))
    {
        if let KeptBody::Damaged(why) = super::kept_response(config, state, c)? {
            altered.push(why);
        }
    }
    let raw_of = |seq: i64, kind: SnapshotKind| {
        snapshots
            .iter()
            .find(|c| c.snapshot.version == seq && c.snapshot.kind == kind)
            .map(raw_view)
    };
    let rules = watch.rules();
    let mut out = Vec::with_capacity(versions.len());
    // A listing's or feed's versions are item lists (and so are those a
    // watch made an article since kept from before).
    for (i, v) in versions.iter().enumerate() {
        let Content::Items(items) = &v.content else {
            continue;
        };
        let afresh = v.origin == crate::store::Origin::Afresh;
        let previous = i.checked_sub(1).filter(|_| !afresh).map(|p| &versions[p]);
        let mut not_alerted = Vec::new();
        let (alert, marks) = match previous {
            Some(p) => {
                let (alert, mut marks) = items_change(watch, p, v, &rules);
                let sent = alerts.get(&(watch.name.clone(), v.seq)).cloned();
                // A keyword watch's new items its alert named: as the
                // version records them, else (kept by an older presswatch)
                // as its alert, while the outbox keeps it whole, names them.
                let alerted: Option<HashSet<&str>> = match (&v.alerted, &sent) {
                    (Some(keys), _) => Some(keys.iter().map(String::as_str).collect()),
                    (None, Some(a))
                        if a.kind == ChangeKind::NewItems && a.items.len() == a.items_total =>
                    {
                        Some(a.items.iter().map(|it| it.key.as_str()).collect())
                    }
                    _ => None,
                };
                // The others are new, and shown so, but not as the alert's
                // news: staff citing the record cite what was alerted.
                if let Some(alerted) = &alerted {
                    marks.blocks.retain(|c| match c {
                        crate::compare::BlockChange::Added { new_index, .. }
                            if !alerted.contains(items[*new_index].key.as_str()) =>
                        {
                            not_alerted.push(*new_index);
                            false
                        }
                        _ => true,
                    });
                }
                // No alert went out for a version whose new items all
                // mention no keyword (and with no story retitled).
                let silent = sent.is_none()
                    && !not_alerted.is_empty()
                    && !marks.blocks.iter().any(|c| {
                        matches!(
                            c,
                            crate::compare::BlockChange::Added { .. }
                                | crate::compare::BlockChange::Changed { .. }
                        )
                    });
                let alert = sent.unwrap_or(alert);
                ((!silent).then_some(alert), Some(marks))
            }
            None => (None, None),
        };
        out.push(VersionView {
            seq: v.seq,
            accepted_at: v.stored_at,
            content_sha256: v.sha256.clone(),
            doc: crate::history::items_document(items),
            alert,
            afresh,
            marks,
            not_alerted,
            quiet: None,
            before: None,
            raw: raw_of(v.seq, SnapshotKind::Version),
            taken_down: None,
            altered: v.altered.clone(),
            record: v.record.clone(),
        });
    }
    // An article watch's versions are documents (and so are those a watch
    // made a listing or feed since kept from before).
    let docs: Vec<(&crate::history::Version, &crate::document::Document)> = versions
        .iter()
        .filter_map(|v| v.document().map(|d| (v, d)))
        .collect();
    for (i, &(v, doc)) in docs.iter().enumerate() {
        // The text before, unless item lists were kept between the two (the
        // watch was a listing or feed meanwhile): the text is then a new
        // baseline, not an edit of that one; nor when the watch started
        // afresh from this version.
        let afresh = v.origin == crate::store::Origin::Afresh;
        let previous = i.checked_sub(1).filter(|&p| {
            !afresh
                && !versions
                    .iter()
                    .any(|x| x.seq > docs[p].0.seq && x.seq < v.seq && x.document().is_none())
        });
        let alert = match (alerts.get(&(watch.name.clone(), v.seq)), previous) {
            (Some(a), _) => Some(a.clone()),
            (None, Some(p)) => {
                let change = crate::compare::compare(docs[p].1, doc, &rules);
                let alert = Alert::new(
                    String::new(),
                    watch.name.clone(),
                    watch.url.to_string(),
                    watch.outlet_named(doc.site_name.as_deref()),
                    change.as_ref().map_or(ChangeKind::Edited, |c| c.kind()),
                    {
                        let summary = change
                            .as_ref()
                            .map_or_else(|| "No change that alerts".into(), |c| c.summary.clone());
                        // A change its check did not alert (site chrome, no
                        // keyword) says so.
                        match &v.quiet {
                            Some(why) => format!("{summary}; {}", why.record()),
                            None => summary,
                        }
                    },
                    stored_at(v.stored_at),
                );
                Some(Alert {
                    title: doc.headline().map(str::to_string),
                    byline: doc.byline.clone(),
                    change,
                    lang: doc.lang.clone(),
                    ..alert
                })
            }
            (None, None) => None,
        };
        let marks = alert.as_ref().and_then(|a| a.change.clone());
        let before = marks
            .as_ref()
            .zip(previous)
            .map(|(c, p)| c.before(docs[p].1, doc, &rules));
        out.push(VersionView {
            seq: v.seq,
            accepted_at: v.stored_at,
            content_sha256: v.sha256.clone(),
            doc: doc.clone(),
            alert,
            afresh,
            marks,
            not_alerted: Vec::new(),
            // An alert the outbox still holds went out, whatever the
            // version says.
            quiet: v
                .quiet
                .clone()
                .filter(|_| !alerts.contains_key(&(watch.name.clone(), v.seq))),
            before,
            raw: raw_of(v.seq, SnapshotKind::Version),
            taken_down: raw_of(v.seq, SnapshotKind::TakenDown),
            altered: v.altered.clone(),
            record: v.record.clone(),
        });
    }
    out.sort_by_key(|v| v.seq);
    let events = state.events(&watch.name).map_err(|e| e.to_string())?;
    // Named as its alerts name it: by the name its latest version gives.
    let outlet = out
        .iter()
        .rev()
        .find_map(|v| v.alert.as_ref().map(|a| a.outlet.clone()))
        .or_else(|| {
            docs.last()
                .map(|(_, d)| watch.outlet_named(d.site_name.as_deref()))
        })
        .unwrap_or_else(|| watch.outlet());
    let view = WatchView {
        name: watch.name.clone(),
        url: watch.url.to_string(),
        outlet,
        versions: out,
        events: event_views(&events, &snapshots),
        tz: config.daemon.timezone,
        verify: config.command("verify"),
        left_out: altered.len(),
        watched: config.watch(&watch.name).is_some(),
    };
    Ok((view, altered))
}

/// What changed from a listing's or feed's version `prev` to `v`: as an
/// alert (`retitled` when an item was retitled, else `new_items`, its
/// summary the history's line), and as the side by side marks it.
fn items_change(
    watch: &Watch,
    prev: &crate::history::Version,
    v: &crate::history::Version,
    rules: &crate::compare::Rules,
) -> (Alert, crate::compare::Change) {
    let blocks = match (&prev.content, &v.content) {
        (Content::Items(a), Content::Items(b)) => crate::history::items_marks(a, b, rules),
        _ => Vec::new(),
    };
    let kind = if blocks
        .iter()
        .any(|c| matches!(c, crate::compare::BlockChange::Changed { .. }))
    {
        ChangeKind::Retitled
    } else {
        ChangeKind::NewItems
    };
    let summary = crate::history::change_line(prev, v, rules);
    let alert = Alert::new(
        String::new(),
        watch.name.clone(),
        watch.url.to_string(),
        watch.outlet(),
        kind,
        summary.clone(),
        stored_at(v.stored_at),
    );
    let change = crate::compare::Change {
        kinds: vec![kind],
        headline: None,
        byline: None,
        blocks,
        other_prose: Vec::new(),
        stats: Default::default(),
        summary,
    };
    (alert, change)
}

/// A watch's takedowns, restores and moves with their evidence: the
/// snapshot of the version each refers to, and for a takedown the answer
/// that reported it.
fn event_views(events: &[WatchEvent], snapshots: &[Checked]) -> Vec<EventView> {
    let answers = super::takedown_answers(events, snapshots);
    events
        .iter()
        .zip(answers)
        .map(|(e, answer)| EventView {
            at: e.at,
            what: match &e.kind {
                EventKind::TakenDown => EventWhat::TakenDown,
                EventKind::Restored => EventWhat::Restored,
                EventKind::Moved { from, to } => EventWhat::Moved {
                    from: from.clone(),
                    to: to.clone(),
                },
            },
            detail: e.detail.clone(),
            version: e.version,
            snapshot: snapshots
                .iter()
                .find(|c| {
                    c.snapshot.version == e.version && c.snapshot.kind == SnapshotKind::Version
                })
                .map(raw_view),
            answer: answer.map(raw_view),
        })
        .collect()
}

/// When a version was stored (`stored_at`, seconds since the epoch), in
/// RFC 3339, as its alert would say it.
fn stored_at(stored_at: i64) -> String {
    Utc.timestamp_opt(stored_at, 0)
        .single()
        .unwrap_or_default()
        .to_rfc3339()
}

fn raw_view(c: &Checked) -> RawView {
    let s = &c.snapshot;
    RawView {
        sha256: s.body_sha256.clone(),
        size: s.size,
        head: s.response_head.clone(),
        fetched_at_ms: s.fetched_at_ms,
        final_url: s.final_url.clone(),
        record: c.record.clone(),
        body_damaged: false,
        read_as: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_report_says_its_counts_in_words_and_why_it_holds_no_watch() {
        let one = Written {
            watches: 1,
            versions: 2,
            raw: 1,
            left_out: vec![],
            altered: vec![],
        };
        assert_eq!(
            one.describe(Path::new("rep")),
            "rep: 1 watch, 2 version pages, 1 raw body written; open rep/index.html"
        );
        let none = Written::default().describe(Path::new("rep"));
        assert!(
            none.starts_with("rep: 0 watches, 0 version pages, 0 raw bodies written; open rep/index.html (no watch has a stored version yet"),
            "{none}"
        );
    }
}
