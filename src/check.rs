//! One check of one watch — the single function the CLI (`check`), the daemon
//! (`run`) and the tests all use — and a pass over many watches.
//!
//! Order of effects for a detected change: the alert goes to the outbox
//! (durable, idempotent by alert id), then the baseline advances, then the
//! version is recorded and the watch state saved. A crash anywhere in between
//! re-detects the same change on the next check, derives the same alert id,
//! and adds nothing twice.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::Instant;

use chrono::Utc;

use crate::alert::{Alert, Evidence, LastKnown};
use crate::compare::{self, ChangeKind, Rules};
use crate::config::{Config, Watch, WatchKind};
use crate::document::{Document, Item, Masthead};
use crate::extract;
use crate::fetch::{Fetched, Fetcher, NetworkPolicy, Response};
use crate::http_header::Validators;
use crate::notify;
use crate::retitle;
use crate::store::{
    self, Baselines, Durability, EventKind, FollowTry, LeaseHolder, NewEvent, NewSnapshot,
    NewVersion, NoLease, Origin, SnapshotKind, State, StateError, VersionRow, WatchState,
};

/// Everything a check needs.
#[derive(Clone)]
pub struct Context {
    /// The configuration.
    pub config: Arc<Config>,
    /// Network or replay.
    pub fetcher: Fetcher,
    /// State database.
    pub state: State,
    /// Baseline files.
    pub baselines: Baselines,
    /// Render alerts to stdout and change nothing on disk.
    pub dry_run: bool,
    /// One permit per core for parsing and comparing pages: that work runs on
    /// the blocking pool, so it uses every core and never stalls the fetches
    /// and timers of other checks, and at most this many parsed pages are in
    /// memory at once however high `concurrency` is.
    pub cpu: Arc<tokio::sync::Semaphore>,
    /// The watch whose baseline `check --reset-baseline` forgot: an article's
    /// check stores the page as a new baseline, where a baseline file gone
    /// missing is otherwise restored from the watch's history.
    pub resetting: Option<String>,
}

impl Context {
    /// Opens the state database and baseline directory named by the config.
    pub fn open(config: Arc<Config>, fetcher: Fetcher, dry_run: bool) -> Result<Context, String> {
        let state = State::for_config(&config.daemon, dry_run)?;
        let baselines = Baselines::for_state(&config.daemon.baseline_dir, &state);
        Ok(Context {
            config,
            fetcher,
            state,
            baselines,
            dry_run,
            cpu: Context::cpu_permits(),
            resetting: None,
        })
    }

    /// The permits for CPU-bound work: one per core.
    fn cpu_permits() -> Arc<tokio::sync::Semaphore> {
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        Arc::new(tokio::sync::Semaphore::new(cores))
    }

    /// Runs storage work (fsynced files, SQLite commits) on the blocking pool,
    /// so a check waiting for the disk never holds up the fetches and timers
    /// of the others.
    async fn storage<T: Send + 'static>(
        &self,
        work: impl FnOnce(&Context) -> T + Send + 'static,
    ) -> Result<T, String> {
        let ctx = self.clone();
        tokio::task::spawn_blocking(move || work(&ctx))
            .await
            .map_err(|e| format!("storing the check's result failed: {e}"))
    }

    /// Runs CPU-bound work (parsing, extraction, comparison) on the blocking
    /// pool under a core permit. A panic in it becomes an error of this check.
    async fn cpu_bound<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, String> {
        let _permit = self
            .cpu
            .acquire()
            .await
            .map_err(|_| "shutting down".to_string())?;
        tokio::task::spawn_blocking(work)
            .await
            .map_err(|e| format!("parsing the page failed: {e}"))
    }
}

/// What one check found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Fetched and compared: nothing that matters changed.
    Unchanged,
    /// The server answered 304 Not Modified.
    NotModified,
    /// First check: the baseline was stored, no alert.
    BaselineStored,
    /// First check of a listing or feed: its items were recorded, no alert.
    ItemsRecorded(usize),
    /// The article changed (or was taken down or restored).
    Changed(ChangeKind),
    /// The article is still taken down (its takedown was alerted before).
    Gone,
    /// New items appeared (count of those alerted).
    NewItems(usize),
    /// The check failed.
    Error(String),
    /// Not checked: another process is checking the watch now (a replica of
    /// the fleet, when this is a `presswatch check` beside one).
    Skipped,
}

impl Outcome {
    /// The word printed in the per-watch summary.
    pub fn label(&self) -> &'static str {
        match self {
            Outcome::Unchanged => "unchanged",
            Outcome::NotModified => "unchanged",
            Outcome::BaselineStored => "baseline",
            Outcome::ItemsRecorded(_) => "baseline",
            Outcome::Changed(ChangeKind::TakenDown) | Outcome::Gone => "taken down",
            Outcome::Changed(ChangeKind::Restored) => "restored",
            Outcome::Changed(_) => "changed",
            Outcome::NewItems(_) => "new items",
            Outcome::Error(_) => "error",
            Outcome::Skipped => "skipped",
        }
    }
}

/// The result of checking one watch.
#[derive(Debug, Clone)]
pub struct Report {
    /// The watch.
    pub watch: String,
    /// What happened.
    pub outcome: Outcome,
    /// A detail for the summary line.
    pub detail: String,
    /// Alerts raised (already in the outbox unless dry-run).
    pub alerts: Vec<Alert>,
    /// Why what the check found could not be stored (a full disk, a
    /// database that refuses writes); `None` when it was, or in a dry run.
    pub unstored: Option<String>,
    /// How long the check took.
    pub elapsed: std::time::Duration,
    /// In a dry run, the items a listing or feed check found, in page order:
    /// what the watch records (to try a `selector`); empty otherwise.
    pub found: Vec<Item>,
}

fn now_rfc3339() -> String {
    rfc3339(Utc::now().timestamp())
}

/// Checks one watch: fetch, extract, compare, alert, advance.
///
/// No two processes check a watch at once. With SQLite, a `presswatch
/// check` beside the daemon waits for the daemon's check of this watch, and
/// the other way round. Beside a PostgreSQL fleet, a `presswatch check`
/// takes the watch's lease as replicas do, and skips a watch a replica is
/// checking now ([`Outcome::Skipped`], the row naming the replica).
pub async fn check_watch(ctx: &Context, watch: &Watch) -> Report {
    let started = Instant::now();
    let turn = match ctx.state.one_check_at_a_time(&watch.name).await {
        Ok(turn) => turn,
        Err(NoLease::Held(holder)) => {
            let msg = format!(
                "{}: skipped; its result is in `presswatch status` once that check is done",
                checked_elsewhere(watch, &holder)
            );
            return report(watch, Outcome::Skipped, msg, vec![], started);
        }
        Err(NoLease::Failed(e)) => {
            let msg = format!("cannot take the lease on watch {}: {e}", watch.name);
            return report(watch, Outcome::Error(msg.clone()), msg, vec![], started);
        }
    };
    let mut r = check_in_turn(ctx, watch, started).await;
    if let Err(e) = turn.end() {
        tracing::warn!(watch = %watch.name, error = %e, "the lease taken for this check was not handed back");
        r.detail = if r.detail.is_empty() {
            e
        } else {
            format!("{}; {e}", r.detail)
        };
    }
    r
}

/// Says that another process is checking `watch` now: `watch X is being
/// checked by replica db1:4242:a3f0 now`.
fn checked_elsewhere(watch: &Watch, holder: &LeaseHolder) -> String {
    format!(
        "watch {} is being checked by {} now",
        watch.name,
        holder.describe()
    )
}

/// The check of [`check_watch`], once no other process checks the watch.
async fn check_in_turn(ctx: &Context, watch: &Watch, started: Instant) -> Report {
    let mut st = match ctx.state.watch(&watch.name) {
        Ok(s) => s,
        Err(e) => {
            return report(
                watch,
                Outcome::Error(e.to_string()),
                e.to_string(),
                vec![],
                started,
            )
        }
    };
    // Where the watch's URL was known to redirect for good before this check.
    let moved_before = st.moved_to.clone();
    let result = match watch.kind {
        WatchKind::Article => check_article(ctx, watch, &mut st).await,
        WatchKind::Listing | WatchKind::Feed => check_items(ctx, watch, &mut st).await,
    };
    let now = Utc::now().timestamp();
    let (outcome, mut detail, mut alerts, mut keep) = match result {
        Ok(r) => r,
        Err(msg) => {
            // A move seen by a check that failed is reported by the next
            // one that works.
            st.moved_to = moved_before.clone();
            st.failures += 1;
            st.last_error = Some(msg.clone());
            let mut alerts = vec![];
            if st.failures >= ctx.config.daemon.failure_threshold && !st.error_alerted {
                alerts.push(base_alert(
                    watch,
                    ChangeKind::Error,
                    format!(
                        "Cannot check this watch: {} in a row",
                        crate::text::plural(st.failures as usize, "failure", "failures")
                    ),
                    &[&"error", &st.last_check.unwrap_or(0).to_string()],
                ));
                alerts[0].error = Some(msg.clone());
                st.error_alerted = true;
            }
            (Outcome::Error(msg.clone()), msg, alerts, Keep::default())
        }
    };
    if !matches!(outcome, Outcome::Error(_)) {
        if st.error_alerted {
            alerts.push(base_alert(
                watch,
                ChangeKind::Recovered,
                "The watch can be checked again".into(),
                &[&"recovered", &now.to_string()],
            ));
        }
        st.failures = 0;
        st.error_alerted = false;
        st.last_error = None;
        // Where the URL redirected before this check is unknown until a
        // check by a build that knows moves fetched it (a watch checked
        // before the upgrade): its redirect then is where the URL was.
        let moves_unknown = std::mem::take(&mut st.moves_unknown);
        if let Some(to) = st.moved_to.as_deref() {
            detail = tell_ops_of_move(watch, to, &detail);
            // A URL that redirected when the watch began is no news to
            // the staff who configured it; a move of an article since is.
            // An address once alerted is no news again (a CDN that serves
            // the redirect now and then), however long ago.
            let news = watch.kind == WatchKind::Article
                && outcome != Outcome::BaselineStored
                && !moves_unknown
                && moved_before.as_deref() != Some(to)
                && !moved_there_before(ctx, watch, to);
            if news {
                let mut moved = moved_alert(watch, to);
                moved.evidence = match moved_evidence(ctx, watch, &keep) {
                    Ok(evidence) => evidence,
                    Err(e) => {
                        // The alert goes out all the same, unlinked.
                        tracing::warn!(watch = %watch.name, error = %e, "watch {}: the move's place in the history could not be read: its alert goes out without a link to the viewer", watch.name);
                        None
                    }
                };
                alerts.insert(0, moved);
                // Its place in the history, after the versions this check
                // stores and before its takedown or restore.
                keep.events
                    .insert(0, NewEvent::moved(now, watch.url.as_str(), to));
            }
        }
    }
    for alert in alerts.iter_mut().filter(|a| {
        matches!(
            a.kind,
            ChangeKind::Error | ChangeKind::Recovered | ChangeKind::Moved
        )
    }) {
        let story = story_baseline(ctx, watch).await;
        alert.title = story
            .as_ref()
            .and_then(Document::headline)
            .map(str::to_string);
        alert.outlet = watch.outlet_named(story.as_ref().and_then(|d| d.site_name.as_deref()));
        alert.lang = story.and_then(|d| d.lang);
    }
    st.last_check = Some(now);
    st.last_result = Some(outcome.label().to_string());
    // A failing watch's alerts (error, recovered) say nothing of its page.
    if alerts
        .iter()
        .any(|a| !matches!(a.kind, ChangeKind::Error | ChangeKind::Recovered))
    {
        st.last_change = Some(now);
    }
    let (mut outcome, mut unstored) = (outcome, None);
    let found = match &keep.baseline {
        Some(NewBaseline::Items { items, .. }) if ctx.dry_run => items.clone(),
        _ => Vec::new(),
    };
    // In a fleet, a check that stores more than its quiet state first makes
    // sure its replica still holds the watch: after a stall longer than the
    // lease another replica may have checked it, and this check's page may
    // be older than the baseline it stored (compared with it, the old page
    // would be a bogus change back). A quiet check's state goes with the
    // lease's hand-back, which a moved lease refuses. A check dropped so is
    // no storage failure: the replica holding the watch stores its own.
    if !ctx.dry_run
        && (!alerts.is_empty() || keep.stores_history())
        && matches!(ctx.state.confirm_lease(&watch.name), Ok(false))
    {
        let msg = format!(
            "the lease on watch {} moved to another replica during this check (this process was held up for longer than daemon.lease): nothing stored; the replica that holds it now checks it",
            watch.name
        );
        return report(watch, Outcome::Error(msg.clone()), msg, vec![], started);
    }
    if !ctx.dry_run {
        // The alerts travel to the storage step and back, uncopied: a feed's
        // alert may list many thousands of items.
        let w = watch.clone();
        let stored = ctx.storage(move |ctx| {
            let mut queued = 0;
            let stored = store(ctx, &w, &alerts, keep, &st, &mut queued);
            (stored, alerts, queued)
        });
        let stored = match stored.await {
            Ok((stored, mut raised, queued)) => {
                // The report names only alerts that reached the outbox.
                raised.truncate(queued);
                alerts = raised;
                stored
            }
            Err(e) => {
                alerts = Vec::new();
                Err(e)
            }
        };
        if let Err(e) = stored {
            // The row says what was found and why it did not stick (a
            // first check's says nothing was stored, which it would claim).
            detail = if detail.is_empty() {
                e.clone()
            } else if outcome == Outcome::BaselineStored {
                format!("first check: storing the baseline failed: {e}")
            } else {
                format!("{detail}; storing the check failed: {e}")
            };
            outcome = Outcome::Error(e.clone());
            unstored = Some(e);
        }
    }
    Report {
        unstored,
        found,
        ..report(watch, outcome, detail, alerts, started)
    }
}

fn report(
    watch: &Watch,
    outcome: Outcome,
    detail: String,
    alerts: Vec<Alert>,
    started: Instant,
) -> Report {
    Report {
        watch: watch.name.clone(),
        outcome,
        detail,
        alerts,
        unstored: None,
        elapsed: started.elapsed(),
        found: Vec::new(),
    }
}

/// What a check keeps once its alerts are in the outbox.
#[derive(Default)]
struct Keep {
    /// The new baseline, when the check accepted one.
    baseline: Option<NewBaseline>,
    /// The baseline file taken into the history as version 1: a watch's
    /// first check against a baseline presswatch did not fetch itself.
    file_version: Option<NewVersion>,
    /// A move, a takedown or restore, for the history, in the order of
    /// their alerts.
    events: Vec<NewEvent>,
    /// The answer that reported the article taken down, kept with the
    /// version it took down.
    takedown: Option<(i64, Box<NewSnapshot>)>,
    /// With `follow = true`: the new items whose article could not be read.
    follow: Option<FollowTries>,
    /// Titles the items of a listing or feed carried, to remember: those
    /// they were retitled to, and the other texts a listing shows them under.
    titles: Vec<crate::retitle::Remember>,
}

/// The new items of a `follow = true` watch whose article could not be read
/// this check (to try again: one more failed try each, kept as listed), and
/// those done with (read, alerted unread, or gone from the listing: their
/// count is forgotten), by key.
struct FollowTries {
    failed: Vec<Item>,
    done: Vec<String>,
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
    fn version_after(&self, latest: Option<&VersionRow>) -> i64 {
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
    fn stores_history(&self) -> bool {
        self.baseline.is_some()
            || self.file_version.is_some()
            || !self.events.is_empty()
            || self.takedown.is_some()
            || self.follow.is_some()
            || !self.titles.is_empty()
    }
}

/// A baseline a check accepted.
enum NewBaseline {
    /// The article's new version (`hash`: its [`Document::content_hash`]):
    /// the baseline and the version history advance.
    Article {
        doc: Box<Document>,
        hash: String,
        fetched: String,
        raw: Box<NewSnapshot>,
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
    /// retitle that is news ([`items_make_a_version`]); `None` when a title
    /// changing otherwise (a first headline, one the retitle rules take in
    /// silence) is written to the baseline only. `raw`: the response they were read from, kept with
    /// the version they make (as an article's). `masthead`: the page's or
    /// feed's name and language, which the baseline keeps for the alerts of
    /// checks that cannot read it.
    Items {
        items: Vec<Item>,
        new_version: Option<String>,
        raw: Box<NewSnapshot>,
        gone: Vec<Item>,
        untitled: HashSet<String>,
        now: i64,
        masthead: Masthead,
    },
}

/// Stores what a check leaves behind, in the order that loses nothing to a
/// crash: its alerts into the outbox, then the baseline, then the versions,
/// the events (a move, a takedown or restore) and the watch's state in one
/// transaction.
/// `queued` counts the alerts in the outbox, also when a later step fails.
fn store(
    ctx: &Context,
    watch: &Watch,
    alerts: &[Alert],
    keep: Keep,
    st: &WatchState,
    queued: &mut usize,
) -> Result<(), String> {
    let takedown = keep.takedown.filter(|_| ctx.config.daemon.raw_snapshots);
    if let Some((version, raw)) = &takedown {
        ctx.state
            .record_takedown(&watch.name, *version, raw)
            .map_err(|e| format!("keeping the takedown of watch {}: {e}", watch.name))?;
    }
    enqueue(ctx, watch, alerts, queued)?;
    if !alerts.is_empty() {
        failpoint("after-enqueue");
    }
    // A directory that takes no file is said as validate says it: which
    // config line, what is wrong, what to do; not only the system's error.
    let baseline_error = |e: std::io::Error| {
        let path = ctx.baselines.path(&watch.name);
        match crate::preflight::baseline_dir_refusal(&ctx.config) {
            Some(why) => format!("cannot write baseline {}: {why}", path.display()),
            None => format!("writing baseline {}: {e}", path.display()),
        }
    };
    let mut versions: Vec<NewVersion> = keep.file_version.into_iter().collect();
    let fetched = |sha256: String, body: String, fetched_at: i64, raw, reading| NewVersion {
        sha256,
        body,
        fetched_at,
        keep: ctx.config.daemon.keep_versions,
        origin: Origin::Fetched,
        raw,
        raw_cap: ctx.config.daemon.keep_raw,
        reading,
    };
    match keep.baseline {
        None => {}
        Some(NewBaseline::Article {
            doc,
            hash,
            fetched: at,
            raw,
        }) => {
            let body = doc.to_baseline(watch.url.as_str(), &at);
            ctx.baselines
                .write(&watch.name, &body)
                .map_err(baseline_error)?;
            let raw = ctx.config.daemon.raw_snapshots.then_some(*raw);
            let reading = Some(extract::reading(watch.selector.as_deref()));
            versions.push(fetched(hash, body, Utc::now().timestamp(), raw, reading));
        }
        Some(NewBaseline::Items {
            items,
            new_version,
            raw,
            gone,
            untitled,
            now,
            masthead,
        }) => {
            if let Some(f) = &keep.follow {
                let failed: Vec<&Item> = f.failed.iter().collect();
                ctx.state
                    .record_follow_tries(&watch.name, &failed, &as_strs(&f.done), now)
                    .map_err(|e| e.to_string())?;
            }
            ctx.state
                .mark_seen(&watch.name, &items, &untitled, now)
                .map_err(|e| e.to_string())?;
            if !gone.is_empty() {
                ctx.state
                    .mark_seen(&watch.name, &gone, &untitled, now)
                    .map_err(|e| e.to_string())?;
            }
            let body = store::items_baseline(&items, watch.url.as_str(), &now_rfc3339(), &masthead);
            ctx.baselines
                .write(&watch.name, &body)
                .map_err(baseline_error)?;
            if let Some(hash) = new_version {
                let raw = ctx.config.daemon.raw_snapshots.then_some(*raw);
                versions.push(fetched(hash, body, now, raw, None));
            }
        }
    }
    // After the items are recorded as seen: a retitle updates their row.
    ctx.state
        .record_titles(&watch.name, &keep.titles, Utc::now().timestamp())
        .map_err(|e| format!("recording the titles of watch {}: {e}", watch.name))?;
    // A new version, and the flags (gone, error alerted) that an alert's
    // identity depends on, must reach the disk; a quiet check's schedule
    // and validators need not wait for it.
    let durability = if alerts.is_empty() && versions.is_empty() && keep.events.is_empty() {
        Durability::Lazy
    } else {
        Durability::Durable
    };
    ctx.state
        .save_check(&watch.name, st, &versions, &keep.events, durability)
        .map(|_pruned| ())
        .map_err(|e| format!("recording the check of watch {}: {e}", watch.name))
}

/// Borrows each string of a list.
fn as_strs(v: &[String]) -> Vec<&str> {
    v.iter().map(String::as_str).collect()
}

/// A watch's baseline file taken into its history as version 1 (`body` in
/// the baseline format, `sha256` its content hash).
fn file_version(ctx: &Context, body: String, sha256: String) -> NewVersion {
    NewVersion {
        sha256,
        body,
        fetched_at: Utc::now().timestamp(),
        keep: ctx.config.daemon.keep_versions,
        origin: Origin::File,
        raw: None,
        raw_cap: None,
        reading: None,
    }
}

/// Writes alerts to the outbox, each routed to the watch's channels.
fn enqueue(
    ctx: &Context,
    watch: &Watch,
    alerts: &[Alert],
    queued: &mut usize,
) -> Result<(), String> {
    let now = Utc::now().timestamp();
    for a in alerts {
        let channels = notify::route(&ctx.config, watch, a);
        let payload = serde_json::to_string(a).map_err(|e| e.to_string())?;
        ctx.state
            .enqueue(&a.id, &a.watch, a.kind.as_str(), &payload, &channels, now)
            .map_err(|e| e.to_string())?;
        *queued += 1;
    }
    Ok(())
}

/// An alert with the watch's identity filled in.
fn base_alert(
    watch: &Watch,
    kind: ChangeKind,
    summary: String,
    id_parts: &[&dyn ToString],
) -> Alert {
    let parts: Vec<String> = id_parts.iter().map(|p| p.to_string()).collect();
    let parts: Vec<&str> = parts.iter().map(String::as_str).collect();
    Alert::new(
        Alert::derive_id(&watch.name, &parts),
        watch.name.clone(),
        watch.url.to_string(),
        watch.outlet(),
        kind,
        summary,
        now_rfc3339(),
    )
}

type CheckResult = Result<(Outcome, String, Vec<Alert>, Keep), String>;

/// True when a redirect landed on a section front or the home page instead
/// of an article: a much shorter path on the same site.
fn redirected_to_front(requested: &url::Url, landed: &url::Url) -> bool {
    if requested.path() == landed.path() {
        return false;
    }
    let depth = |u: &url::Url| {
        u.path()
            .trim_matches('/')
            .split('/')
            .filter(|s| !s.is_empty())
            .count()
    };
    let req_depth = depth(requested);
    req_depth >= 1
        && (depth(landed) == 0
            || (depth(landed) == 1
                && req_depth >= 2
                && landed.path().len() < requested.path().len() / 2))
}

/// Fetches the watch's URL, and notes in `st` where it now redirects for
/// good, if it does ([`crate::fetch::Redirects::permanent_move`]). A dry
/// run asks unconditionally: it shows what the page yields now (a
/// `selector` being tried on a listing), which a 304 would hide.
async fn fetch(
    ctx: &Context,
    watch: &Watch,
    validators: &Validators,
    st: &mut WatchState,
) -> Result<Fetched, String> {
    let policy = NetworkPolicy::for_watch(watch);
    let unconditional = Validators::default();
    let validators = if ctx.dry_run {
        &unconditional
    } else {
        validators
    };
    if watch.robots {
        ctx.fetcher
            .robots_allow(&watch.url, &policy)
            .await
            .map_err(|e| format!("fetching {}: {e}", watch.url))?;
    }
    let fetched = ctx
        .fetcher
        .fetch(&watch.url, validators, &policy)
        .await
        .map_err(|e| format!("fetching {}: {e}", watch.url))?;
    st.moved_to = fetched
        .redirects()
        .permanent_move(&watch.url)
        .map(|to| to.to_string());
    Ok(fetched)
}

/// Tells ops that the watch's URL redirects for good to `to`: a warning
/// logged on every check until the config names the new address, and the
/// check's `detail` with the same note (the check's summary line).
fn tell_ops_of_move(watch: &Watch, to: &str, detail: &str) -> String {
    tracing::warn!(watch = %watch.name, url = %watch.url, moved_to = %to, "{}", move_for_ops(watch, to));
    let note = format!("moved permanently to {to}: {}", set_url(to));
    if detail.is_empty() {
        note
    } else {
        format!("{detail}; {note}")
    }
}

/// What ops read (log, `presswatch status`) of a watch whose URL redirects
/// for good to `to`: `watch NAME: OLD redirects permanently to NEW: set url
/// = "NEW" in the watch's config`.
pub fn move_for_ops(watch: &Watch, to: &str) -> String {
    format!(
        "watch {}: {} redirects permanently to {to}: {}",
        watch.name,
        watch.url,
        set_url(to)
    )
}

/// What to do about a watch whose URL redirects for good to `to`.
fn set_url(to: &str) -> String {
    format!("set url = \"{to}\" in the watch's config")
}

/// The alert that an article watch's URL now redirects for good to another
/// article (`to`): once per new address (its id is the watch's and the
/// address's), so that people citing the story cite where it is now. Its
/// summary says when the story moved to another site.
fn moved_alert(watch: &Watch, to: &str) -> Alert {
    let moved = match crate::alert::another_site(watch.url.as_str(), to) {
        Some(_) => "The article moved to another site",
        None => "The article moved",
    };
    let mut a = base_alert(
        watch,
        ChangeKind::Moved,
        format!("{moved}: {} \u{2192} {to}", watch.url),
        &[&"moved", &to],
    );
    a.moved_to = Some(to.to_string());
    a
}

async fn check_article(ctx: &Context, watch: &Watch, st: &mut WatchState) -> CheckResult {
    let restored_file = restore_missing_baseline(ctx, watch).await?;
    // Where the URL was known to redirect for good before this check.
    let moved_before = st.moved_to.clone();
    // A conditional GET only makes sense against a baseline we hold; the
    // baseline itself is read only when the page has to be compared.
    let has_baseline = restored_file.is_some() || ctx.baselines.exists(&watch.name);
    let validators = if has_baseline && !st.gone {
        st.validators.clone()
    } else {
        Validators::default()
    };
    let resp = match fetch(ctx, watch, &validators, st).await? {
        Fetched::NotModified(_) => {
            st.last_ok = Some(Utc::now().timestamp());
            return Ok((
                Outcome::NotModified,
                "304 Not Modified".into(),
                vec![],
                Keep::default(),
            ));
        }
        Fetched::Page(r) => r,
    };
    if let Some(how) = gone(watch, &resp) {
        if st.last_ok.is_none() {
            // Nothing was ever there to take down: most often a mistyped URL.
            return Err(never_worked(ctx, watch, &resp, has_baseline));
        }
        return taken_down(ctx, watch, st, how, resp).await;
    }
    let new_validators = resp.validators.clone();
    let latest = ctx.state.latest(&watch.name).map_err(|e| e.to_string())?;
    let (selector, rules, baselines, name, url) = (
        watch.selector.clone(),
        watch.rules(),
        ctx.baselines.clone(),
        watch.name.clone(),
        watch.url.to_string(),
    );
    // Reading the baseline, parsing, comparing and hashing happen off the
    // runtime; the baseline comes back with what was found against it.
    let restoring = st.gone;
    let first_version = latest.is_none();
    // A redirect new to this watch (not there when the watch began, nor an
    // address a move was alerted to before) is a move only if the page it
    // leads to still carries the story; one the watch always had is where
    // the story is, whatever it says now.
    let new_move = match st.moved_to.as_deref() {
        Some(to) => {
            moved_before.as_deref() != Some(to)
                && !st.moves_unknown
                && !moved_there_before(ctx, watch, to)
        }
        None => false,
    };
    let (found, from_file, not_the_story, stand_in, resp) = ctx
        .cpu_bound(move || {
            let baseline = match restored_file {
                Some(body) => Some(Document::from_baseline(&body)),
                None => read_baseline(&baselines, &name)?,
            };
            let doc = extract_article(&resp, selector.as_deref(), &name)?;
            // A baseline the history does not hold yet (written by hand, or
            // kept from before the history began) becomes version 1.
            let from_file = baseline
                .as_ref()
                .filter(|_| first_version)
                .map(|b| (b.to_baseline(&url, ""), b.content_hash()));
            let found = against(doc, baseline, &rules, restoring);
            let not_the_story = new_move
                && matches!(&found, Against::Changed(page) if !compare::same_story(&page.old, &page.doc));
            // What came may be no version of the story: a "not found" page
            // or a bot check served with 200 in its place.
            let stand_in = match &found {
                Against::Changed(page) => compare::stand_in(&page.doc, Some(&page.old), &resp.body),
                Against::First { doc, .. } => compare::stand_in(doc, None, &resp.body),
                Against::Same => None,
            };
            Ok::<_, String>((found, from_file, not_the_story, stand_in, resp))
        })
        .await??;
    match stand_in {
        Some(compare::StandIn::Wall(title)) => {
            return Err(walled(&resp.final_url, &watch.name, &title))
        }
        Some(compare::StandIn::NotFound(said)) => {
            let how = format!(
                "The article's page now says “{said}” (HTTP {})",
                resp.status
            );
            return taken_down(ctx, watch, st, how, resp).await;
        }
        None => {}
    }
    if let Against::Changed(_) = &found {
        // A permanent redirect to a page that is not the story (a section
        // page, a tag page, another story) is the story gone from where it
        // was cited, not a move.
        if not_the_story {
            let how = format!(
                "The article now redirects to {}, which does not carry its text",
                resp.final_url
            );
            return taken_down(ctx, watch, st, how, resp).await;
        }
    }
    // A change may be, in part or whole, this presswatch reading pages
    // otherwise than the one that kept the baseline.
    let read_now = match &found {
        Against::Changed(page) if !restoring => {
            baseline_read_now(ctx, watch, latest.as_ref(), page).await
        }
        _ => None,
    };
    let now = Utc::now().timestamp();
    st.last_ok = Some(now);
    st.validators = new_validators;
    let mut keep = Keep {
        file_version: from_file.map(|(body, sha)| file_version(ctx, body, sha)),
        ..Keep::default()
    };
    // Accepting the page makes it the new baseline; its response is kept.
    let raw = snapshot_of(watch, resp);
    let accept = |doc, hash| {
        Some(NewBaseline::Article {
            doc: Box::new(doc),
            hash,
            fetched: now_rfc3339(),
            raw: Box::new(raw),
        })
    };
    let (doc, hash, old, old_hash, change) = match found {
        Against::First { doc, hash } => {
            let detail = format!(
                "first check: baseline {} ({}, {}), no alert",
                if ctx.dry_run {
                    "found (dry run: not stored)"
                } else {
                    "stored"
                },
                crate::text::plural(doc.blocks.len(), "paragraph", "paragraphs"),
                crate::text::plural(doc.word_count(), "word", "words")
            );
            // A watch started afresh (`--reset-baseline`) on a story that
            // was gone is no longer gone: its next check is no restore.
            st.gone = false;
            keep.baseline = accept(*doc, hash);
            return Ok((Outcome::BaselineStored, detail, vec![], keep));
        }
        Against::Same => {
            // Said apart from a 304, which fetched nothing: the page was
            // read and compared.
            let detail = "fetched: no change that counts".to_string();
            return Ok((Outcome::Unchanged, detail, vec![], keep));
        }
        Against::Changed(page) => {
            let ChangedPage {
                doc,
                hash,
                old,
                old_hash,
                change,
            } = *page;
            // What the newsroom changed: the page against the baseline's own
            // response, both read by this presswatch.
            let (old, change) = read_now.map_or((old, change), |r| (r.old, r.change));
            (doc, hash, old, old_hash, change)
        }
    };
    let restored = std::mem::take(&mut st.gone);
    let switching = if restored {
        None
    } else {
        switching_back(ctx, watch, &old_hash, &hash)?
    };
    if let Some(Switching::Again { versions }) = switching {
        return Ok((
            Outcome::Unchanged,
            format!("switched back to version {}: the page switches back and forth between versions {} and {}, which was reported; not stored", versions.0, versions.0, versions.1),
            vec![],
            keep,
        ));
    }
    // The page is the same, read otherwise now: taken as the baseline
    // silently.
    let read_anew = if change.is_none() && !restored {
        Some("the page reads otherwise with this presswatch than when the baseline was kept, and the baseline's kept response, read again, matches the page now: baseline taken silently")
    } else if !restored && compare::only_undecoded_characters_read(&old, &doc) {
        // A baseline read before the page's encoding was detected (a
        // legacy encoding served as UTF-8) held U+FFFD where the page has
        // letters.
        Some("characters the baseline could not read are now read (the page's encoding was detected): taken silently")
    } else {
        None
    };
    if let Some(why) = read_anew {
        keep.baseline = accept(doc, hash);
        return Ok((Outcome::Unchanged, why.into(), vec![], keep));
    }
    let mut mentioned = Vec::new();
    if let Some(c) = change.as_ref().filter(|_| !restored) {
        mentioned = Keywords::of(&watch.keywords).mentioned(&c.touched_text(), "");
        if !watch.keywords.is_empty() && mentioned.is_empty() {
            // Accept the new version silently: the change does not concern the watch's keywords.
            keep.baseline = accept(doc, hash);
            return Ok((
                Outcome::Unchanged,
                "changed, but mentions no keyword".into(),
                vec![],
                keep,
            ));
        }
    }
    let kind = if restored {
        ChangeKind::Restored
    } else {
        change
            .as_ref()
            .map(|c| c.kind())
            .unwrap_or(ChangeKind::Edited)
    };
    let summary = match (&change, restored) {
        (Some(c), true) => format!("Article is back; {}", c.summary),
        (None, true) => "Article is back, unchanged".into(),
        (Some(c), false) if switching.is_some() => format!(
            "{}. The page switches back and forth between this version and the one before (a cache serving an old copy, or a test of two versions?): further switches between the two are not reported",
            c.summary
        ),
        (Some(c), false) => c.summary.clone(),
        (None, false) => unreachable!("an unchanged page is Against::Same"),
    };
    // A restore's id counts the watch's takedowns and restores; an edit's
    // id is what it always was.
    let events;
    let id_parts: &[&dyn ToString] = if restored {
        events = takedowns_and_restores(ctx, watch)?;
        &[&old_hash, &hash, &restored, &events]
    } else {
        &[&old_hash, &hash, &restored]
    };
    let mut a = article_alert(watch, kind, summary.clone(), id_parts, latest.as_ref());
    a.outlet = watch.outlet_named(doc.site_name.as_deref().or(old.site_name.as_deref()));
    a.lang = doc.lang.clone().or_else(|| old.lang.clone());
    a.title = doc.headline().or(old.headline()).map(str::to_string);
    a.byline = doc.byline.clone();
    a.keywords = mentioned;
    keep.baseline = accept(doc, hash);
    // The version this change makes: a new one (after the baseline file,
    // when it becomes version 1 now), unless the article came back as it
    // was kept.
    let shown = keep.version_after(latest.as_ref());
    a.evidence = evidence(
        ctx,
        shown,
        &crate::evidence::page_path(&watch.name, shown),
        None,
    );
    a.change = change;
    if restored {
        keep.events.push(NewEvent {
            at: now,
            kind: EventKind::Restored,
            detail: summary.clone(),
        });
    }
    Ok((Outcome::Changed(kind), summary, vec![a], keep))
}

/// A page switching back and forth between two versions (an edge cache
/// still serving the old copy beside the new, a test of two versions), as
/// [`switching_back`] finds it.
enum Switching {
    /// The kept versions end A, B, A and the page is B again: both switches
    /// were reported; this one is too, saying that the page alternates, and
    /// is kept.
    First,
    /// The kept versions end A, B, A, B and the page is A again: the
    /// switching was reported, so this switch is neither reported nor kept
    /// (the history keeps what came before). `versions`: the pair's numbers.
    Again { versions: (i64, i64) },
}

/// Whether a page (content hash `hash`) that changed from the latest version
/// (`old_hash`) switches back to the version before it, for the second time
/// or more (see [`Switching`]). It takes four kept versions to tell the
/// switches apart from the first report of switching (`keep_versions`).
fn switching_back(
    ctx: &Context,
    watch: &Watch,
    old_hash: &str,
    hash: &str,
) -> Result<Option<Switching>, String> {
    let versions = ctx
        .state
        .newest_versions(&watch.name, 4)
        .map_err(|e| format!("reading the versions of watch {}: {e}", watch.name))?;
    Ok(match versions.as_slice() {
        [.., w, x, y, z]
            if w.sha256 == hash
                && x.sha256 == old_hash
                && y.sha256 == hash
                && z.sha256 == old_hash =>
        {
            Some(Switching::Again {
                versions: (y.seq, z.seq),
            })
        }
        [.., x, y, z] if x.sha256 == old_hash && y.sha256 == hash && z.sha256 == old_hash => {
            Some(Switching::First)
        }
        _ => None,
    })
}

/// What a page's document is against its baseline.
enum Against {
    /// There is no baseline yet: the document and its content hash.
    First { doc: Box<Document>, hash: String },
    /// Nothing that matters changed, and the article was not gone: nothing
    /// is kept, so nothing is hashed.
    Same,
    /// Changed, or back after being gone.
    Changed(Box<ChangedPage>),
}

/// A page that changed against its baseline, or is back after being gone.
struct ChangedPage {
    doc: Document,
    /// The content hashes of both documents: they name the alert and the
    /// new version.
    hash: String,
    old: Document,
    old_hash: String,
    change: Option<compare::Change>,
}

/// Compares a page's document with its baseline (`restoring`: the article
/// was gone, so even an unchanged page is news).
fn against(doc: Document, baseline: Option<Document>, rules: &Rules, restoring: bool) -> Against {
    let Some(old) = baseline else {
        let hash = doc.content_hash();
        return Against::First {
            doc: Box::new(doc),
            hash,
        };
    };
    let change = compare::compare(&old, &doc, rules);
    if change.is_none() && !restoring {
        return Against::Same;
    }
    Against::Changed(Box::new(ChangedPage {
        hash: doc.content_hash(),
        old_hash: old.content_hash(),
        doc,
        old,
        change,
    }))
}

/// The baseline as this presswatch reads it, against the page now.
struct ReadNow {
    /// The baseline's kept response, read by this presswatch.
    old: Document,
    /// The page now against it: `None` when the page did not change, only
    /// how presswatch reads it.
    change: Option<compare::Change>,
}

/// Reads the baseline's kept response again when the baseline was read
/// otherwise than this presswatch reads the watch's page now: an upgrade
/// whose extractor keeps a paragraph it dropped before, or reads words
/// otherwise, or whose safety net watches more (the captions of the
/// story's photos); or a new `selector`. The baseline then differs from the
/// page by how it was read as well as by what the newsroom changed, and
/// only the second is news: the page is compared with the baseline's own
/// response, read now.
///
/// Only for the watch's newest version, when its raw response is kept and
/// its reading ([`extract::reading`]) is not this one's: a change found
/// with the same reading costs no second extraction. Any error reading the
/// response leaves the change as found.
async fn baseline_read_now(
    ctx: &Context,
    watch: &Watch,
    latest: Option<&VersionRow>,
    page: &ChangedPage,
) -> Option<ReadNow> {
    let reading = extract::reading(watch.selector.as_deref());
    let latest = latest
        .filter(|v| v.sha256 == page.old_hash && v.reading.as_deref() != Some(reading.as_str()))?;
    let (state, name, seq) = (ctx.state.clone(), watch.name.clone(), latest.seq);
    let (selector, rules, doc) = (watch.selector.clone(), watch.rules(), page.doc.clone());
    let read = ctx.cpu_bound(move || {
        let kept = state
            .snapshots(Some(&name))
            .ok()?
            .into_iter()
            .rev()
            .find(|s| s.version == seq && s.kind == SnapshotKind::Version)?;
        let body = state.snapshot_body(&kept.body_sha256).ok()??;
        let (_, fields) = crate::evidence::split_head(&kept.response_head);
        let content_type = fields
            .into_iter()
            .find(|(name, _)| name.eq_ignore_ascii_case("content-type"))
            .map(|(_, value)| value);
        let html = crate::charset::decode(&body, content_type.as_deref());
        let url = url::Url::parse(&kept.final_url).ok();
        let old = extract::watched_article(&html, url.as_ref(), selector.as_deref());
        let change = compare::compare(&old, &doc, &rules);
        Some(ReadNow { old, change })
    });
    read.await.ok().flatten()
}

/// How an article's page is gone, if it is: it answers 404 or 410, or
/// redirects to a section front or the home page.
fn gone(watch: &Watch, resp: &Response) -> Option<String> {
    if resp.status == 404 || resp.status == 410 {
        Some(format!("The article answers HTTP {}", resp.status))
    } else if redirected_to_front(&watch.url, &resp.final_url) {
        Some(format!("The article now redirects to {}", resp.final_url))
    } else {
        None
    }
}

/// The error of an article whose URL is gone (`resp`) and has never worked
/// for the watch: there was nothing to take down, so it is most often a
/// mistyped or cut-off URL. Said as what to check.
fn never_worked(ctx: &Context, watch: &Watch, resp: &Response, has_baseline: bool) -> String {
    let how = match resp.status {
        404 => "answers HTTP 404 (not found)".to_string(),
        410 => "answers HTTP 410 (gone)".to_string(),
        _ => format!("redirects to the site's front page {}", resp.final_url),
    };
    let baseline = if has_baseline {
        format!(
            " ({} holds the text you expect, but this URL has never served it)",
            ctx.baselines.path(&watch.name).display()
        )
    } else {
        String::new()
    };
    format!(
        "{url} {how} and has never worked for this watch{baseline}. The URL may be mistyped or cut off, \
         or the article was removed before the watch began. Open the URL in a browser: if the article \
         is there, copy the address from the address bar into `url` of watch {name} in the config; if \
         the browser gets the same error, find the article on the site (its search or the story's tag \
         page) and use its address",
        url = watch.url,
        name = watch.name,
    )
}

/// The error of an article watch served a bot check, an access wall or a
/// JavaScript-or-cookie wall titled `title` in place of the article
/// ([`compare::StandIn::Wall`]): a failed check, which says what to do.
fn walled(url: &url::Url, name: &str, title: &str) -> String {
    format!(
        "{url}: the site served a bot check instead of the article (“{title}”: a page that asks a \
         browser to prove it is no robot, or to enable JavaScript and cookies, or that denies access); \
         the baseline is kept. presswatch retries; if it persists, the site blocks automated fetches: \
         ask the outlet to let presswatch through, or lower the check rate (`interval` of watch {name})"
    )
}

/// An article that is gone (`how`, as [`gone`] says it): one "taken down"
/// alert carrying the last text held, then quiet until it is back.
async fn taken_down(
    ctx: &Context,
    watch: &Watch,
    st: &mut WatchState,
    how: String,
    resp: Response,
) -> CheckResult {
    // Where a gone article's URL leads is no new address of the story.
    st.moved_to = None;
    if st.gone {
        let since = st
            .last_change
            .and_then(|t| chrono::DateTime::from_timestamp(t, 0))
            .map(|t| format!(" since {}", t.format("%Y-%m-%d %H:%M UTC")))
            .unwrap_or_default();
        return Ok((
            Outcome::Gone,
            format!("still gone{since}"),
            vec![],
            Keep::default(),
        ));
    }
    let (baselines, name) = (ctx.baselines.clone(), watch.name.clone());
    let Some(old) = ctx
        .cpu_bound(move || read_baseline(&baselines, &name))
        .await??
    else {
        return Ok((
            Outcome::Gone,
            format!(
                "gone, with no baseline to hold what it said ({} is missing)",
                ctx.baselines.path(&watch.name).display()
            ),
            vec![],
            Keep::default(),
        ));
    };
    let latest = ctx.state.latest(&watch.name).map_err(|e| e.to_string())?;
    let now = Utc::now().timestamp();
    let old_hash = old.content_hash();
    // The text held is the latest version, or the baseline file, which
    // becomes version 1 now if the history does not hold it yet.
    let (file, version, stored_at) = match &latest {
        Some(v) => (None, v.seq, v.stored_at),
        None => (
            Some(file_version(
                ctx,
                old.to_baseline(watch.url.as_str(), ""),
                old_hash.clone(),
            )),
            1,
            now,
        ),
    };
    // The watch's events so far: the alert's id counts its takedowns and
    // restores, the viewer's row this version's takedowns.
    let events = ctx.state.events(&watch.name).map_err(|e| e.to_string())?;
    let mut a = article_alert(
        watch,
        ChangeKind::TakenDown,
        how.clone(),
        &[
            &"taken_down",
            &old_hash,
            &events
                .iter()
                .filter(|e| e.kind.is_takedown_or_restore())
                .count(),
        ],
        latest.as_ref(),
    );
    a.outlet = watch.outlet_named(old.site_name.as_deref());
    a.lang = old.lang.clone();
    a.title = old.headline().map(str::to_string);
    a.byline = old.byline.clone();
    a.last_known = Some(LastKnown::of(
        &old,
        version,
        rfc3339(stored_at),
        st.last_ok.map(rfc3339),
    ));
    // The evidence: the last version kept, and the answer that reported it gone.
    let snapshot = ctx
        .state
        .snapshots(Some(&watch.name))
        .map_err(|e| e.to_string())?
        .into_iter()
        .find(|s| s.version == version && s.kind == SnapshotKind::Version);
    // The viewer's row for this takedown: the how-manieth of this version.
    let nth = 1 + events
        .iter()
        .filter(|e| e.kind == EventKind::TakenDown && e.version == version)
        .count();
    a.evidence = evidence(
        ctx,
        version,
        &crate::evidence::takedown_path(&watch.name, version, nth),
        snapshot.map(|s| s.body_sha256),
    );
    st.gone = true;
    st.validators = Validators::default();
    let keep = Keep {
        file_version: file,
        events: vec![NewEvent {
            at: now,
            kind: EventKind::TakenDown,
            detail: how.clone(),
        }],
        takedown: Some((version, Box::new(snapshot_of(watch, resp)))),
        ..Keep::default()
    };
    Ok((Outcome::Changed(ChangeKind::TakenDown), how, vec![a], keep))
}

/// How many takedowns and restores of `watch` are recorded: part of the id
/// of a takedown or restore alert, which would otherwise repeat when a story
/// is taken down (or restored) a second time with the same text and version,
/// and be dropped by the outbox as delivered already. Two checks that see the
/// same state still derive the same id. (Moves are not counted: ids stay
/// what they were before moves were recorded.)
fn takedowns_and_restores(ctx: &Context, watch: &Watch) -> Result<usize, String> {
    Ok(ctx
        .state
        .events(&watch.name)
        .map_err(|e| e.to_string())?
        .iter()
        .filter(|e| e.kind.is_takedown_or_restore())
        .count())
}

/// Whether the watch's history records a move of its URL to `to`. When the
/// history cannot be read, the move is taken for new (a repeated alert
/// rather than a missed one).
fn moved_there_before(ctx: &Context, watch: &Watch, to: &str) -> bool {
    match ctx.state.events(&watch.name) {
        Ok(events) => events
            .iter()
            .any(|e| matches!(&e.kind, EventKind::Moved { to: known, .. } if known == to)),
        Err(e) => {
            tracing::warn!(watch = %watch.name, error = %e, "watch {}: its history could not be read to tell whether its move to {to} was alerted before: it is alerted", watch.name);
            false
        }
    }
}

/// Where a `moved` alert's evidence is: the version current once the check
/// stores its versions (the text found at the new address), and the move's
/// row on the viewer's timeline (the how-manieth move of that version), linked
/// when `report_url` is set.
fn moved_evidence(ctx: &Context, watch: &Watch, keep: &Keep) -> Result<Option<Evidence>, String> {
    let latest = ctx.state.latest(&watch.name).map_err(|e| e.to_string())?;
    let version = keep.version_after(latest.as_ref());
    let nth = 1 + ctx
        .state
        .events(&watch.name)
        .map_err(|e| e.to_string())?
        .iter()
        .filter(|e| matches!(e.kind, EventKind::Moved { .. }) && e.version == version)
        .count();
    Ok(evidence(
        ctx,
        version,
        &crate::evidence::moved_path(&watch.name, version, nth),
        None,
    ))
}

/// Where an alert's evidence is: the version it shows, the place
/// in the viewer that shows it (`viewer`, relative to `report_url`, linked
/// when that is set), and for a takedown the SHA-256 of the last kept
/// snapshot.
fn evidence(
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
    })
}

/// The raw snapshot of a response to a watch, to keep as evidence.
fn snapshot_of(watch: &Watch, resp: Response) -> NewSnapshot {
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

/// Unix time as RFC 3339 (UTC, seconds).
fn rfc3339(t: i64) -> String {
    chrono::DateTime::from_timestamp(t, 0)
        .unwrap_or_default()
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// An alert about a watch's article. Its id also carries the number of the
/// baseline's version (`latest`, 0 before the first): a change that recurs
/// (A→B, back to A, A→B again) stays distinct, while a re-run after a crash
/// derives the same id.
fn article_alert(
    watch: &Watch,
    kind: ChangeKind,
    summary: String,
    id_parts: &[&dyn ToString],
    latest: Option<&VersionRow>,
) -> Alert {
    let version = latest.map_or(0, |v| v.seq);
    let mut parts = id_parts.to_vec();
    parts.push(&version);
    base_alert(watch, kind, summary, &parts)
}

/// The watch's baseline as last kept, for alerts about the watch itself (it
/// cannot be checked, it can again, it moved), so that they name the story
/// and its outlet (and mark its language) as its other alerts do: an
/// article's headline, name and language; a listing's or feed's name and
/// language (its items are no headline). `None` before the first check, or
/// when the baseline cannot be read.
async fn story_baseline(ctx: &Context, watch: &Watch) -> Option<Document> {
    let (baselines, name) = (ctx.baselines.clone(), watch.name.clone());
    ctx.cpu_bound(move || read_baseline(&baselines, &name))
        .await
        .ok()?
        .ok()?
}

/// Puts back the baseline file of an article watch that went missing while
/// its history holds versions (a deploy that wiped `baseline/`, a restore
/// from an old backup): the latest version is the accepted one, so the
/// check compares the page with it, as if the file had been there, rather
/// than storing the page as a first baseline and missing any edit made in
/// between. Writes the file back (not in a dry run) and logs a warning
/// naming the watch and the file. Returns the restored baseline text;
/// `None` when nothing was missing, for a watch being reset
/// ([`reset_baseline`]), and with PostgreSQL, whose baselines are rows of
/// its database (a file there is only an import).
async fn restore_missing_baseline(ctx: &Context, watch: &Watch) -> Result<Option<String>, String> {
    if !ctx.baselines.in_files()
        || ctx.resetting.as_deref() == Some(watch.name.as_str())
        || ctx.baselines.exists(&watch.name)
    {
        return Ok(None);
    }
    let history = |e: StateError| format!("reading the history of watch {}: {e}", watch.name);
    let Some(latest) = ctx.state.latest(&watch.name).map_err(history)? else {
        return Ok(None);
    };
    let Some(body) = ctx
        .state
        .version_body(&watch.name, latest.seq)
        .map_err(history)?
    else {
        return Ok(None);
    };
    let path = ctx.baselines.path(&watch.name);
    if !ctx.dry_run {
        let (baselines, name, text) = (ctx.baselines.clone(), watch.name.clone(), body.clone());
        ctx.storage(move |_| baselines.write(&name, &text))
            .await?
            .map_err(|e| format!("restoring baseline {}: {e}", path.display()))?;
    }
    let message = format!(
        "{file} was missing: restored from version {seq} of the history (stored {at}{dry}); to start the \
         watch afresh, run `presswatch check --config {config} --watch {name} --reset-baseline`",
        file = path.display(),
        dry = if ctx.dry_run { "; dry run: not written" } else { "" },
        seq = latest.seq,
        at = rfc3339(latest.stored_at),
        config = ctx.config.path.display(),
        name = watch.name,
    );
    tracing::warn!(watch = %watch.name, "watch {}: {message}", watch.name);
    Ok(Some(body))
}

/// Reads a watch's baseline document (`None` before the first check).
fn read_baseline(baselines: &Baselines, watch: &str) -> Result<Option<Document>, String> {
    baselines
        .read(watch)
        .map_err(|e| format!("reading baseline {}: {e}", baselines.path(watch).display()))
}

/// Crash-testing hook: when the environment variable `PRESSWATCH_FAILPOINT`
/// names this point, the process aborts here, as a power cut would. Used by
/// the tests that prove a crash between two steps loses and duplicates nothing.
fn failpoint(name: &str) {
    static POINT: std::sync::OnceLock<Option<String>> = std::sync::OnceLock::new();
    if POINT
        .get_or_init(|| std::env::var("PRESSWATCH_FAILPOINT").ok())
        .as_deref()
        == Some(name)
    {
        eprintln!("presswatch: failpoint {name} reached, aborting");
        std::process::abort();
    }
}

/// Extracts the article of a response, failing when there is no text.
fn extract_article(
    resp: &Response,
    selector: Option<&str>,
    name: &str,
) -> Result<Document, String> {
    let html = resp.text();
    let mut doc = extract::watched_article(&html, Some(&resp.final_url), selector);
    // The page's own declaration first, then the server's; neither over the
    // script of the text.
    let declared = doc.lang.take().or_else(|| resp.content_language());
    doc.lang = crate::text::declared_language(declared.as_deref(), &doc.text());
    if doc.blocks.is_empty() {
        // A bot check with no paragraph at all is no matter of selectors.
        if let Some(compare::StandIn::Wall(title)) = compare::stand_in(&doc, None, &resp.body) {
            return Err(walled(&resp.final_url, name, &title));
        }
        return Err(format!(
            "no article text found at {}{}",
            resp.final_url,
            no_text_hint(resp, selector)
        ));
    }
    Ok(doc)
}

/// What to check when a response yielded no article text: an empty body,
/// a document that is no web page (a PDF, an image, a download), or else
/// the `selector`.
fn no_text_hint(resp: &Response, selector: Option<&str>) -> String {
    let mime = resp.media_type();
    let web_page = mime.is_empty()
        || mime.starts_with("text/")
        || mime.contains("html")
        || mime.contains("xml");
    if resp.body.is_empty() {
        format!(
            ": the server sent an empty body (HTTP {}); if it persists, check the URL in a browser",
            resp.status
        )
    } else if !web_page {
        format!(": it serves {mime}, not a web page; watch the page that links to it, or the feed that lists it")
    } else if selector.is_some() {
        " (does the selector still match?)".to_string()
    } else {
        " (set `selector` for this watch)".to_string()
    }
}

/// A watch's keywords, each beside the form it is matched in
/// ([`crate::text::keyword_key`]): folded once per check, not once for each
/// of a feed's thousands of new items.
struct Keywords(Vec<(String, String)>);

impl Keywords {
    fn of(keywords: &[String]) -> Keywords {
        Keywords(
            keywords
                .iter()
                .map(|k| (k.clone(), crate::text::keyword_key(k)))
                .collect(),
        )
    }

    /// The keywords that occur in either text, in the order given
    /// ([`crate::text::mentions`]: case-insensitive, Persian/Arabic spelling
    /// variants folded, a keyword in Latin script at the start of a word).
    fn mentioned(&self, a: &str, b: &str) -> Vec<String> {
        if self.0.is_empty() {
            return Vec::new();
        }
        let hay = [crate::text::keyword_key(a), crate::text::keyword_key(b)];
        self.0
            .iter()
            .filter(|(_, key)| hay.iter().any(|h| crate::text::mentions(h, key)))
            .map(|(given, _)| given.clone())
            .collect()
    }
}

async fn check_items(ctx: &Context, watch: &Watch, st: &mut WatchState) -> CheckResult {
    // The first check records the items and alerts nothing: no item was ever
    // seen and the watch has no baseline file listing items.
    let first = !ctx.baselines.exists(&watch.name)
        && !ctx
            .state
            .has_seen_items(&watch.name)
            .map_err(|e| e.to_string())?;
    let validators = if first {
        Validators::default()
    } else {
        st.validators.clone()
    };
    let resp = match fetch(ctx, watch, &validators, st).await? {
        Fetched::NotModified(_) => {
            return Ok((
                Outcome::NotModified,
                "304 Not Modified".into(),
                vec![],
                Keep::default(),
            ))
        }
        Fetched::Page(r) => r,
    };
    if resp.status == 404 || resp.status == 410 {
        return Err(listing_gone(watch, resp.status, st.last_ok.is_none()));
    }
    // The page's validators are kept only once it has yielded its items: a
    // cookie wall or bot check served with an ETag of its own would
    // otherwise be answered 304 next time, and read as "unchanged" while
    // the listing stays broken (its error never alerted, its stories missed).
    let new_validators = resp.validators.clone();
    let (kind, selector) = (watch.kind, watch.selector.clone());
    let (work_ctx, name, url) = (ctx.clone(), watch.name.clone(), watch.url.clone());
    let keywords = Keywords::of(&watch.keywords);
    let work_watch = watch.clone();
    let (items, untitled, listed, new_items, found, raw, masthead) = ctx
        .cpu_bound(move || {
            // A full-text feed carries each story's text, which keywords are
            // looked for in too; a listing's items are their links' text.
            // Each item also comes with the texts the page shows it under:
            // a listing's links to it, a feed item's own title (none when
            // the feed gives it no title).
            let mut masthead: Masthead;
            let (items, texts, shown): (Vec<Item>, Vec<Option<String>>, Vec<Vec<String>>) =
                match kind {
                    WatchKind::Feed => {
                        let (entries, feed_masthead) = extract::feed_entries(
                            &resp.body,
                            resp.content_type.as_deref(),
                            &resp.final_url,
                        )
                        .map_err(|e| not_a_feed(&url, &name, &e))?;
                        masthead = feed_masthead;
                        let mut out = (Vec::new(), Vec::new(), Vec::new());
                        for e in entries {
                            out.2.push(if e.titled {
                                vec![e.item.title.clone()]
                            } else {
                                Vec::new()
                            });
                            out.0.push(e.item);
                            out.1.push(e.text);
                        }
                        out
                    }
                    _ => {
                        let (entries, page_masthead) = extract::listing_entries(
                            &resp.text(),
                            &resp.final_url,
                            selector.as_deref(),
                        );
                        masthead = page_masthead;
                        let (items, shown) = entries.into_iter().map(|e| (e.item, e.shown)).unzip();
                        (items, Vec::new(), shown)
                    }
                };
            // The page's or feed's own declaration first, then the server's.
            masthead.lang = masthead.lang.or_else(|| resp.content_language());
            let titles: Vec<&str> = items.iter().map(|it| it.title.as_str()).collect();
            let masthead = Masthead {
                lang: crate::text::declared_language(masthead.lang.as_deref(), &titles.join("\n")),
                ..masthead
            };
            // The response, kept as the evidence of the version it makes.
            let raw = Box::new(snapshot_of(&work_watch, resp));
            // The items the page shows under no title of their own.
            let untitled: HashSet<String> = items
                .iter()
                .zip(&shown)
                .filter(|(_, shown)| shown.is_empty())
                .map(|(it, _)| it.key.clone())
                .collect();
            // Items already known: those listed in the watch's baseline file
            // (which a person may write by hand), and those seen before.
            let listed = work_ctx
                .baselines
                .read_items(&name)
                .map_err(|e| {
                    let path = work_ctx.baselines.path(&name);
                    format!("reading baseline {}: {e}", path.display())
                })?
                .unwrap_or_default();
            // The items the accepted list does not hold as the page shows
            // them now (all on a first check): only their titles can have
            // changed. The title each was last seen under is looked up (a
            // quiet check looks up none).
            let unsettled: Option<HashSet<&str>> = (!first).then(|| {
                let accepted: HashMap<&str, String> = listed
                    .iter()
                    .map(|it| (it.key.as_str(), retitle::title_key(&it.title)))
                    .collect();
                items
                    .iter()
                    .zip(&shown)
                    .filter(|(it, shown)| {
                        accepted.get(it.key.as_str()).is_none_or(|title| {
                            std::iter::once(&it.title)
                                .chain(shown.iter())
                                .any(|t| retitle::title_key(t) != *title)
                        })
                    })
                    .map(|(it, _)| it.key.as_str())
                    .collect()
            });
            let seen = match &unsettled {
                None => HashMap::new(),
                Some(keys) => {
                    let keys: Vec<&str> = keys.iter().copied().collect();
                    work_ctx
                        .state
                        .seen_titles(&name, &keys)
                        .map_err(|e| e.to_string())?
                }
            };
            let found = retitles(
                &work_ctx,
                &name,
                kind,
                &items,
                &shown,
                &seen,
                unsettled.as_ref(),
            )?;
            let new_items = if first {
                Vec::new()
            } else {
                let unseen = unseen_items(&work_ctx, &name, &listed, &items, &seen)?;
                unseen
                    .into_iter()
                    .map(|i| {
                        let it = &items[i];
                        let listed =
                            format!("{} {}", it.title, it.snippet.as_deref().unwrap_or(""));
                        let text = texts.get(i).and_then(|t| t.as_deref());
                        (i, keywords.mentioned(&listed, text.unwrap_or("")))
                    })
                    .collect()
            };
            Ok::<_, String>((items, untitled, listed, new_items, found, raw, masthead))
        })
        .await??;
    // The outlet the page or feed names itself, unless the watch names it.
    let outlet = watch.outlet_named(masthead.name.as_deref());
    if items.is_empty() {
        return Err(no_items(ctx, watch));
    }
    if redesigned(listed.len(), items.len()) {
        return Err(too_few_items(ctx, watch, listed.len(), items.len()));
    }
    let now = Utc::now().timestamp();
    st.last_ok = Some(now);
    st.validators = new_validators;
    // A hand-written list the history does not hold yet becomes version 1.
    let mut keep = Keep::default();
    let latest = ctx.state.latest(&watch.name).map_err(|e| e.to_string())?;
    if !listed.is_empty() && latest.is_none() {
        keep.file_version = Some(file_version(
            ctx,
            store::items_baseline(&listed, watch.url.as_str(), "", &Masthead::default()),
            store::items_hash(&listed),
        ));
    }
    if first {
        let (count, detail) = (
            items.len(),
            format!(
                "first check: {} {}, no alert",
                crate::text::plural(items.len(), "item", "items"),
                if ctx.dry_run {
                    "found (dry run: not recorded)"
                } else {
                    "recorded"
                }
            ),
        );
        keep.baseline = Some(NewBaseline::Items {
            new_version: Some(store::items_hash(&items)),
            items,
            raw,
            gone: Vec::new(),
            untitled,
            now,
            masthead,
        });
        keep.titles = found.remember;
        return Ok((Outcome::ItemsRecorded(count), detail, vec![], keep));
    }
    keep.titles = found.remember;
    // With follow = true, the items whose article could not be read yet,
    // and those of them the page no longer lists: busy listings scroll fast,
    // and such an item is tried once more now, not lost.
    let tries = if watch.follow && !watch.keywords.is_empty() {
        ctx.state
            .follow_tries(&watch.name)
            .map_err(|e| e.to_string())?
    } else {
        Vec::new()
    };
    let gone = no_longer_listed(&items, &tries);
    if new_items.is_empty() && found.retitled == 0 && found.first_headlines == 0 && gone.is_empty()
    {
        if ctx.dry_run {
            // Stored nowhere: shown, so that a dry run lists what the page yields.
            keep.baseline = Some(NewBaseline::Items {
                items,
                new_version: None,
                raw,
                gone: Vec::new(),
                untitled,
                now,
                masthead,
            });
        }
        return Ok((Outcome::Unchanged, String::new(), vec![], keep));
    }
    let (retitled, first_headlines) = (found.retitled, found.first_headlines);
    let retitle_news = !found.news.is_empty();
    let retitle_alert = retitle_alert(watch, &outlet, found.news).map(|mut a| {
        a.lang = masthead.lang.clone();
        a
    });
    let new_count = new_items.len();
    // The items gone from the page whose article is tried once more come
    // after the page's own, and go with none of its keywords (had their
    // title or teaser mentioned one, they would have been alerted).
    let (listed_now, mut items, mut new_items) = (items.len(), items, new_items);
    let mut forgotten = Vec::new();
    for t in gone {
        match t.item {
            Some(it) => {
                new_items.push((items.len(), Vec::new()));
                items.push(it);
            }
            None => {
                tracing::warn!(watch = %watch.name, key = %t.key, tries = t.tries, "a new item whose article could not be read has left the listing, and was counted by an older presswatch, which kept no link to read it by: forgetting it");
                forgotten.push(t.key);
            }
        }
    }
    let new_indexes: Vec<usize> = new_items.iter().map(|(i, _)| *i).collect();
    let Matched {
        matching: mut matched,
        unread,
    } = matching_items(ctx, watch, &items, new_items).await;
    // An item whose article could not be read is tried again next check
    // (not recorded as seen), and alerted unread once it has failed on
    // FOLLOW_TRIES checks, or once it has left the listing: a story lost to
    // a timeout or a 429 is worse than an alert that says it could not be
    // read.
    let mut notes = HashMap::new();
    let unread = Unread {
        unread,
        tries: &tries,
        listed: listed_now,
    };
    let retry = sort_unread(watch, &items, &mut matched, unread, &mut notes);
    if watch.follow && !watch.keywords.is_empty() {
        keep.follow = Some(FollowTries {
            failed: retry.iter().map(|&i| items[i].clone()).collect(),
            done: new_indexes
                .iter()
                .filter(|i| !retry.contains(i))
                .map(|&i| items[i].key.clone())
                .chain(forgotten)
                .collect(),
        });
    }
    // Gone from the page, read at last, and mentioning no keyword: done with.
    let read_gone = (listed_now..items.len())
        .filter(|i| !matched.iter().any(|(m, _)| m == i))
        .count();
    let matching: Vec<usize> = matched.iter().map(|(i, _)| *i).collect();
    let mut alerts = vec![];
    let mut details = Vec::new();
    if let Some(&first_match) = matching.first() {
        let n = matching.len();
        let mut summary = if n == 1 {
            format!("1 new item: {}", items[first_match].title)
        } else {
            format!("{n} new items")
        };
        if !notes.is_empty() {
            summary.push_str(&format!(
                " ({} could not be read to look for the keywords)",
                crate::text::plural(notes.len(), "article", "articles")
            ));
        }
        let mut keys: Vec<&str> = matching.iter().map(|&i| items[i].key.as_str()).collect();
        keys.sort_unstable();
        let mut a = base_alert(
            watch,
            ChangeKind::NewItems,
            summary,
            &[&"new_items", &keys.join("\n")],
        );
        a.title = Some(if n == 1 {
            items[first_match].title.clone()
        } else {
            format!("{n} new items on {outlet}")
        });
        a.outlet = outlet;
        a.lang = masthead.lang.clone();
        a.items = matching
            .iter()
            .take(Alert::MAX_ITEMS)
            .map(|&i| {
                let mut it = items[i].clone();
                if let Some(note) = notes.get(&i) {
                    it.snippet = Some(with_teaser(note, it.snippet.as_deref()));
                }
                it
            })
            .collect();
        a.items_total = n;
        a.keywords = watch
            .keywords
            .iter()
            .filter(|k| matched.iter().any(|(_, m)| m.contains(k)))
            .cloned()
            .collect();
        details.push(a.summary.clone());
        alerts.push(a);
    } else if new_count > 0 {
        let n = crate::text::plural(new_count, "new item", "new items");
        details.push(format!("{n}, none mentions a keyword"));
    }
    if read_gone > 0 {
        details.push(format!(
            "{} no longer listed, read at last: no keyword",
            crate::text::plural(read_gone, "item", "items")
        ));
    }
    if !retry.is_empty() {
        details.push(format!(
            "{} could not be read, tried again next check",
            crate::text::plural(retry.len(), "article", "articles")
        ));
    }
    let outcome = match alerts.first() {
        Some(a) => Outcome::NewItems(a.new_item_count()),
        None if retitle_alert.is_some() => Outcome::Changed(ChangeKind::Retitled),
        None => Outcome::Unchanged,
    };
    match retitle_alert {
        Some(a) => {
            details.push(a.summary.clone());
            alerts.push(a);
        }
        None if retitled > 0 => details.push(format!(
            "{} retitled, not alerted (a title it had before, the site's template, or no keyword)",
            crate::text::plural(retitled, "item", "items")
        )),
        None => {}
    }
    if first_headlines > 0 {
        details.push(format!(
            "{} given a first headline, not alerted",
            crate::text::plural(first_headlines, "item", "items")
        ));
    }
    let detail = details.join("; ");
    // The items gone from the page are not in its baseline.
    let gone = items.split_off(listed_now);
    // The items to try again are not recorded: the next check finds them new.
    let items = if retry.is_empty() || ctx.dry_run {
        items
    } else {
        items
            .into_iter()
            .enumerate()
            .filter(|(i, _)| !retry.contains(i))
            .map(|(_, it)| it)
            .collect()
    };
    keep.baseline = Some(NewBaseline::Items {
        new_version: items_make_a_version(&listed, &items, retitle_news)
            .then(|| store::items_hash(&items)),
        items,
        raw,
        gone,
        untitled,
        now,
        masthead,
    });
    // The version this check stores lists every item, those its alerts
    // leave out too (`presswatch history --show`), each under the title
    // the page shows now.
    // Its page in the viewer is the alerts' evidence, linked when
    // `report_url` is set.
    let version = keep.version_after(latest.as_ref());
    let page = crate::evidence::page_path(&watch.name, version);
    for a in &mut alerts {
        a.evidence = evidence(ctx, version, &page, None);
    }
    Ok((outcome, detail, alerts, keep))
}

/// Whether a check's items (`items`, as the page lists them now) are a new
/// version of a listing's history after the accepted list (`listed`, the
/// baseline, which every accepted check rewrites): when they hold other
/// items, or when a story was retitled in a way that is news
/// (`retitle_news`, the watch's keywords not applied: the history records the page, whichever
/// stories its alerts name, as it records new items that mention no
/// keyword). A title taken away and put back, a first headline, or a change
/// the retitle rules take in silence makes none, so the history does not
/// churn with a site's cosmetic changes; nor does an upgrade from a
/// presswatch whose versions' hash covered the keys alone.
fn items_make_a_version(listed: &[Item], items: &[Item], retitle_news: bool) -> bool {
    retitle_news || store::item_keys_hash(listed) != store::item_keys_hash(items)
}

/// The items of a `follow = true` watch whose article could not be read yet
/// (`tries`) that the page (`items`) no longer lists.
fn no_longer_listed(items: &[Item], tries: &[FollowTry]) -> Vec<FollowTry> {
    if tries.is_empty() {
        return Vec::new();
    }
    let listed: HashSet<&str> = items.iter().map(|it| it.key.as_str()).collect();
    tries
        .iter()
        .filter(|t| !listed.contains(t.key.as_str()))
        .cloned()
        .collect()
}

/// What an item alerted although its article could not be read says first:
/// on how many checks it failed and why, and whether the item has left the
/// listing.
fn unread_note(tries: u32, left: bool, why: &str) -> String {
    format!(
        "Its article could not be read on {} ({why}){}: alerted in case it mentions a keyword.",
        crate::text::plural(tries as usize, "check", "checks"),
        if left {
            ", and the item has left the listing"
        } else {
            ""
        }
    )
}

/// An alerted item's teaser after a note about it.
fn with_teaser(note: &str, snippet: Option<&str>) -> String {
    match snippet.filter(|s| !s.trim().is_empty()) {
        Some(s) => format!("{note} {s}"),
        None => note.to_string(),
    }
}

/// A listing or feed that had at least this many items before can tell a
/// redesign from ordinary churn: tag pages, search results and feeds show a
/// fixed page of items (10 to 50), so new stories push old ones out and the
/// count holds. Below it, a drop is too noisy to read (3 to 1 is normal on a
/// quiet search); an empty page is an error whatever it had before.
const REDESIGN_MIN_BEFORE: usize = 8;

/// True when a listing or feed went from `before` items (its last accepted
/// version) to fewer than a quarter of them: a redesign the default
/// detection or the `selector` no longer follows, or a consent, login or
/// error page served in place of the page, not news getting quieter.
fn redesigned(before: usize, now: usize) -> bool {
    before >= REDESIGN_MIN_BEFORE && now * 4 < before
}

/// The hint at the end of the item errors: how to try a change.
fn try_it(ctx: &Context, watch: &Watch) -> String {
    format!(
        "try it with `presswatch check --config {} --watch {} --dry-run`",
        ctx.config.path.display(),
        watch.name
    )
}

/// The error of a listing or feed that yields no items, saying what to check.
fn no_items(ctx: &Context, watch: &Watch) -> String {
    let (url, name) = (&watch.url, &watch.name);
    match (watch.kind, &watch.selector) {
        (WatchKind::Feed, _) => format!(
            "the feed at {url} has no entries. Open it in a browser: if the feed moved, the site's pages \
             usually name the new one in their source (<link rel=\"alternate\" type=\"application/rss+xml\">); \
             set `url` of watch {name} to it"
        ),
        (_, Some(selector)) => format!(
            "`selector = \"{selector}\"` of watch {name} matches no links on {url}: the site has probably \
             changed its markup. Open the page in a browser, find the list of stories with Inspect (the \
             developer tools) and set `selector` to the CSS selector of the element that holds their links \
             (in the browser console, document.querySelectorAll(\"{selector}\") shows what it matches: the links, or the elements holding them); {}",
            try_it(ctx, watch)
        ),
        (_, None) => format!(
            "no story links found on {url}: presswatch looks for links whose text reads like a headline \
             (4 to 40 words) outside navigation, header and footer. Open the page in a browser: if it lists \
             stories, set `selector` of watch {name} to the CSS selector of the element that holds their \
             links (find it with Inspect in the developer tools, e.g. selector = \".search-results\"); {}. \
             If the browser shows a login, a cookie wall or a captcha instead, presswatch cannot read this page",
            try_it(ctx, watch)
        ),
    }
}

/// The error of a feed watch whose URL answered something else than a
/// feed, saying what to check.
fn not_a_feed(url: &url::Url, name: &str, why: &extract::NotAFeed) -> String {
    let what = match why {
        extract::NotAFeed::WebPage { .. } => format!(
            "the site may be checking for bots, asking for a login or showing an error, or the feed \
             has moved. Open {url} in a browser: if it shows the feed, the site serves presswatch \
             something else (a bot check); if it shows a web page, find the feed's address in that \
             page's source (<link rel=\"alternate\" type=\"application/rss+xml\">) and set `url` of \
             watch {name} to it; or, if that page itself lists the stories to watch (a section, tag or \
             search page), set kind = \"listing\" on watch {name}"
        ),
        extract::NotAFeed::CutOff { .. } => "the server sent only part of it (an overloaded or \
             restarting server, or a proxy in between). A later check usually gets all of it; if \
             this lasts, open it in a browser to see where it ends"
            .to_string(),
        extract::NotAFeed::Empty => format!(
            "open {url} in a browser: if it shows the feed, the site serves presswatch nothing (a \
             bot check); if not, find the feed's new address and set `url` of watch {name} to it"
        ),
        extract::NotAFeed::Invalid(_) => format!(
            "open {url} in a browser: if it is a feed, the site publishes it broken; if the site \
             moved its feed, set `url` of watch {name} to the new address"
        ),
    };
    format!("{url}: {why}: {what}")
}

/// The error of a listing or feed whose items dropped from `before` to
/// `now` ([`redesigned`]), saying what to check.
fn too_few_items(ctx: &Context, watch: &Watch, before: usize, now: usize) -> String {
    let what = if watch.kind == WatchKind::Feed {
        "Open it in a browser: if the feed still lists as many entries, it may be served differently \
         to presswatch (a bot check)"
            .to_string()
    } else {
        format!(
            "Open it in a browser: if it still lists as many stories, set `selector` of watch {} to the CSS \
             selector of the element that holds their links (find it with Inspect in the developer tools); {}",
            watch.name,
            try_it(ctx, watch)
        )
    };
    format!(
        "{url} lists only {now} items where its last accepted version had {before}: the page was probably \
         redesigned, or a consent, login or error page was served in its place. {what}. If the page really \
         lists fewer items now, run `presswatch check --config {config} --watch {name} --reset-baseline`: \
         it takes the page as it is (items seen before are never reported as new again)",
        url = watch.url,
        config = ctx.config.path.display(),
        name = watch.name,
    )
}

/// Forgets the accepted version of a watch (its baseline: the database's
/// copy with PostgreSQL, and the file), so that its next check takes the
/// page as it is, with no alert: for a listing or feed, the remedy when a
/// page really lists far fewer items than before ([`redesigned`]; items
/// seen before stay known and are not reported as new again); for an
/// article, the way to start the watch afresh (its history stays, and the
/// check of this `ctx` does not restore the file from it, see
/// [`Context::resetting`]). Waits for a check of the watch in progress.
/// Returns whether there was a baseline to forget.
pub async fn reset_baseline(ctx: &Context, watch: &Watch) -> Result<bool, String> {
    if ctx.dry_run {
        return Err(format!(
            "--reset-baseline changes the state of watch {}: run it without --dry-run",
            watch.name
        ));
    }
    let turn = match ctx.state.one_check_at_a_time(&watch.name).await {
        Ok(turn) => turn,
        Err(NoLease::Held(holder)) => {
            return Err(format!(
                "{}: its baseline was not forgotten; run this again once that check is done (`presswatch status` shows it)",
                checked_elsewhere(watch, &holder)
            ))
        }
        Err(NoLease::Failed(e)) => {
            return Err(format!(
                "cannot take the lease on watch {}: {e}; its baseline was not forgotten",
                watch.name
            ))
        }
    };
    let (baselines, name) = (ctx.baselines.clone(), watch.name.clone());
    let forgotten = ctx
        .storage(move |_| baselines.forget(&name))
        .await?
        .map_err(|e| {
            format!(
                "forgetting the baseline of watch {} ({}): {e}",
                watch.name,
                ctx.baselines.path(&watch.name).display()
            )
        });
    // The reset happened or not whatever becomes of the lease: a lease not
    // handed back expires within daemon.lease.
    if let Err(e) = turn.end() {
        tracing::warn!(watch = %watch.name, error = %e, "watch {}: {e}", watch.name);
    }
    forgotten
}

/// The error of a listing or feed answering 404 or 410: a wrong URL when it
/// never worked, a moved page when it did.
fn listing_gone(watch: &Watch, status: u16, never_worked: bool) -> String {
    if never_worked {
        format!(
            "{url} answers HTTP {status} and has never worked for this watch: the URL may be mistyped or \
             cut off. Open it in a browser and copy the address of the page that lists the stories into \
             `url` of watch {name}",
            url = watch.url,
            name = watch.name
        )
    } else {
        format!(
            "{url} answers HTTP {status}: the page has moved or is gone (sites rename tag, section and \
             feed addresses). Find it on the site and set `url` of watch {name} to its new address",
            url = watch.url,
            name = watch.name
        )
    }
}

/// The items not known before, each once, in page order (as indexes into
/// `items`): neither `listed` in the watch's baseline file nor `seen` by an
/// earlier check (the titles of those seen, by key). An item is known by
/// its key, or by its link and title when no other item of the page shares
/// the link: feeds change their
/// items' ids (a CMS migration, ids with a date in them, GUIDs that appear
/// where there were none), and a story under a new id is not news. A new
/// title at a known link is a new item (a daily briefing at one address),
/// and a feed whose items all link to one page (a live blog) is told apart
/// by ids only. Linear in the number of items: sets of the keys and links,
/// and a batched lookup of the links seen.
fn unseen_items(
    ctx: &Context,
    watch: &str,
    listed: &[Item],
    items: &[Item],
    seen: &HashMap<String, retitle::Recorded>,
) -> Result<Vec<usize>, String> {
    let mut keys: HashSet<&str> = listed.iter().map(|it| it.key.as_str()).collect();
    let unseen: Vec<usize> = (0..items.len())
        .filter(|&i| keys.insert(items[i].key.as_str()) && !seen.contains_key(&items[i].key))
        .collect();
    let mut links: HashMap<&str, usize> = HashMap::new();
    for it in items.iter().filter(|it| !it.url.is_empty()) {
        *links.entry(it.url.as_str()).or_default() += 1;
    }
    let own_link = |i: usize| Some(items[i].url.as_str()).filter(|u| links.get(u) == Some(&1));
    let by_link: Vec<&str> = unseen.iter().filter_map(|&i| own_link(i)).collect();
    if by_link.is_empty() {
        return Ok(unseen);
    }
    // Titles compared as readers read them: case, spelling variants and
    // entities aside.
    let known: HashSet<(String, String)> = ctx
        .state
        .seen_links(watch, &by_link)
        .map_err(|e| e.to_string())?
        .into_iter()
        .chain(listed.iter().map(|it| (it.url.clone(), it.title.clone())))
        .map(|(url, title)| (url, crate::text::match_key(&title)))
        .collect();
    Ok(unseen
        .into_iter()
        .filter(|&i| {
            !own_link(i).is_some_and(|u| {
                known.contains(&(u.to_string(), crate::text::match_key(&items[i].title)))
            })
        })
        .collect())
}

/// The items of a check retitled since they were last seen (`seen`: the
/// title each was last seen under, by key), judged by [`retitle::judge`]
/// on what the page shows each under (`shown`, by index) and the titles it
/// carried before, read in one batched lookup of the items that show
/// another title. Each key is judged once, at its first item; only the keys
/// in `unsettled` (those the accepted list does not hold as shown now; all
/// when `None`) can be retitled.
fn retitles(
    ctx: &Context,
    watch: &str,
    kind: WatchKind,
    items: &[Item],
    shown: &[Vec<String>],
    seen: &HashMap<String, retitle::Recorded>,
    unsettled: Option<&HashSet<&str>>,
) -> Result<retitle::Found, String> {
    let source = match kind {
        WatchKind::Feed => retitle::Source::Feed,
        _ => retitle::Source::Listing,
    };
    let mut keys = HashSet::new();
    let observed: Vec<retitle::Observed> = items
        .iter()
        .zip(shown)
        .filter(|(it, _)| keys.insert(it.key.as_str()))
        .filter(|(it, _)| unsettled.is_none_or(|u| u.contains(it.key.as_str())))
        .map(|(item, shown)| {
            let (recorded, recorded_given) = seen
                .get(&item.key)
                .map_or((item.title.as_str(), true), |r| (r.title.as_str(), r.given));
            retitle::Observed {
                item,
                shown,
                recorded,
                recorded_given,
            }
        })
        .filter(|o| o.shows_another_title())
        .collect();
    if observed.is_empty() {
        return Ok(retitle::Found::default());
    }
    let keys: Vec<&str> = observed.iter().map(|o| o.item.key.as_str()).collect();
    let mut carried = ctx
        .state
        .item_titles(watch, &keys)
        .map_err(|e| e.to_string())?;
    let observed: Vec<_> = observed
        .into_iter()
        .map(|o| {
            let before = carried.remove(&o.item.key).unwrap_or_default();
            (o, before)
        })
        .collect();
    Ok(retitle::judge(source, &observed))
}

/// The alert of a check's retitled items (`news`, in page order), those
/// that mention one of the watch's keywords in the old or the new title or
/// the teaser when it has some; `None` when none is left. One alert for
/// all of them, as for new items; its id says which items carry which new
/// title, so a retitle detected again after a crash is the same alert.
/// `outlet`: the outlet the alert names.
fn retitle_alert(watch: &Watch, outlet: &str, news: Vec<crate::alert::Retitle>) -> Option<Alert> {
    let keywords = Keywords::of(&watch.keywords);
    let mut mentioned: Vec<String> = Vec::new();
    let news: Vec<crate::alert::Retitle> = news
        .into_iter()
        .filter(|r| {
            let titles = format!("{} {}", r.old_title, r.new_title);
            let m = keywords.mentioned(&titles, r.snippet.as_deref().unwrap_or(""));
            mentioned.extend(m.iter().cloned());
            watch.keywords.is_empty() || !m.is_empty()
        })
        .collect();
    let first = news.first()?;
    let n = news.len();
    let summary = if n == 1 {
        format!("Retitled from \u{201C}{}\u{201D}", first.old_title)
    } else {
        format!("{n} items retitled")
    };
    let mut ids: Vec<String> = news
        .iter()
        .map(|r| format!("{}\u{0}{}", r.key, r.new_title))
        .collect();
    ids.sort_unstable();
    let mut a = base_alert(
        watch,
        ChangeKind::Retitled,
        summary,
        &[&"retitled", &ids.join("\n")],
    );
    a.title = Some(if n == 1 {
        first.new_title.clone()
    } else {
        format!("{n} items retitled on {outlet}")
    });
    a.outlet = outlet.to_string();
    a.keywords = watch
        .keywords
        .iter()
        .filter(|k| mentioned.contains(k))
        .cloned()
        .collect();
    a.retitled = news.into_iter().take(Alert::MAX_ITEMS).collect();
    Some(a)
}

/// What [`matching_items`] found among a check's new items.
struct Matched {
    /// The items that pass the watch's keyword filter (all when it has
    /// none), in page order, each with the keywords it mentions.
    matching: Vec<(usize, Vec<String>)>,
    /// With `follow = true`: the items that do not mention a keyword where
    /// listed and whose article could not be read (a failed or refused
    /// fetch, an HTTP error, a robots.txt that cannot be read, a page with
    /// no article text), each with why.
    unread: Vec<(usize, String)>,
}

/// The new items (indexes into `items`, each with the keywords its title,
/// teaser or text mentions, matched with the extraction on the blocking
/// pool) that pass the watch's keyword filter (all when it has none), in
/// page order, each with the keywords it mentions. With `follow = true` the
/// article of an item that does not mention one is fetched and searched
/// too; an item whose article cannot be read is returned apart.
async fn matching_items(
    ctx: &Context,
    watch: &Watch,
    items: &[Item],
    new_items: Vec<(usize, Vec<String>)>,
) -> Matched {
    let policy = NetworkPolicy::for_links_of(watch);
    let mut out = Matched {
        matching: Vec::with_capacity(new_items.len()),
        unread: Vec::new(),
    };
    for (i, listed_match) in new_items {
        if watch.keywords.is_empty() || !listed_match.is_empty() {
            out.matching.push((i, listed_match));
            continue;
        }
        if !watch.follow {
            continue;
        }
        // An item with no link of its own (a ticker line) is all there is to read.
        let Ok(url) = url::Url::parse(&items[i].url) else {
            continue;
        };
        match read_followed(ctx, watch, &url, &policy).await {
            Ok(mentioned) if !mentioned.is_empty() => out.matching.push((i, mentioned)),
            Ok(_) => {}
            Err(why) => out.unread.push((i, why)),
        }
    }
    out
}

/// Fetches and extracts the article of a new item of a `follow = true`
/// watch: the keywords it mentions, or why it could not be read.
async fn read_followed(
    ctx: &Context,
    watch: &Watch,
    url: &url::Url,
    policy: &NetworkPolicy,
) -> Result<Vec<String>, String> {
    if watch.robots {
        ctx.fetcher
            .robots_allow(url, policy)
            .await
            .map_err(|e| e.to_string())?;
    }
    let r = match ctx.fetcher.fetch(url, &Validators::default(), policy).await {
        Ok(Fetched::Page(r)) if r.status < 400 => r,
        Ok(Fetched::Page(r)) => return Err(format!("HTTP {}", r.status)),
        Ok(Fetched::NotModified(_)) => return Err("HTTP 304 to an unconditional request".into()),
        Err(e) => return Err(e.to_string()),
    };
    let keywords = Keywords::of(&watch.keywords);
    ctx.cpu_bound(move || {
        let doc = extract::article(&r.text(), Some(&r.final_url), None);
        let text = doc.text();
        if text.trim().is_empty() {
            return Err(format!("no article text found at {}", r.final_url));
        }
        Ok(keywords.mentioned(&text, doc.title.as_deref().unwrap_or("")))
    })
    .await?
}

/// How many checks may fail to read the article of a new item of a
/// `follow = true` watch (whose title and teaser mention no keyword) before
/// the item is alerted unread, in case it mentions one. Until then it is
/// not recorded as seen, so the next check tries it again; an item that
/// leaves the listing meanwhile is tried once more on the check that finds
/// it gone, and alerted unread if it still cannot be read.
pub const FOLLOW_TRIES: u32 = 3;

/// The items whose article was not read this check, and what sorts them.
struct Unread<'a> {
    /// Each item (an index) with why ([`Matched::unread`]).
    unread: Vec<(usize, String)>,
    /// How many earlier checks could not read each item's article.
    tries: &'a [FollowTry],
    /// How many of the items the page lists: those after are no longer
    /// listed, and tried for the last time.
    listed: usize,
}

/// The new items whose article was not read, sorted out by how many checks
/// have failed to read them ([`FOLLOW_TRIES`]) and whether they are still
/// listed: those to try again next check (returned) and those to alert
/// unread (moved into `matched`, in page order, each with its note in
/// `notes`). Logs each.
fn sort_unread(
    watch: &Watch,
    items: &[Item],
    matched: &mut Vec<(usize, Vec<String>)>,
    unread: Unread<'_>,
    notes: &mut HashMap<usize, String>,
) -> HashSet<usize> {
    let mut retry = HashSet::new();
    for (i, why) in unread.unread {
        let it = &items[i];
        let before = unread.tries.iter().find(|t| t.key == it.key);
        let tried = before.map_or(0, |t| t.tries).saturating_add(1);
        let left = i >= unread.listed;
        if left {
            tracing::warn!(watch = %watch.name, url = %it.url, error = %why, tries = tried, "cannot read the article of a new item that has left the listing to look for the keywords: alerting the item unread");
            matched.push((i, Vec::new()));
            notes.insert(i, unread_note(tried, true, &why));
        } else if tried >= FOLLOW_TRIES {
            tracing::warn!(watch = %watch.name, url = %it.url, error = %why, tries = tried, "cannot read a new item's article to look for the keywords: alerting the item unread");
            matched.push((i, Vec::new()));
            notes.insert(i, unread_note(tried, false, &why));
        } else {
            tracing::warn!(watch = %watch.name, url = %it.url, error = %why, tries = tried, "cannot read a new item's article to look for the keywords: trying it again on the next check");
            retry.insert(i);
        }
    }
    matched.sort_by_key(|(i, _)| *i);
    retry
}

/// Checks the given watches (concurrently, up to the configured limit, each
/// check a task of its own so that checks use every core) and returns their
/// reports in config order. `on_done` sees each report as its check ends
/// (the CLI's progress line).
pub async fn check_all(
    ctx: &Context,
    watches: &[&Watch],
    mut on_done: impl FnMut(&Report),
) -> Vec<Report> {
    type Done = Result<(tokio::task::Id, (usize, Report)), tokio::task::JoinError>;
    let permits = Arc::new(tokio::sync::Semaphore::new(
        ctx.config.daemon.concurrency.max(1),
    ));
    let mut checks = tokio::task::JoinSet::new();
    let mut task_watch = std::collections::HashMap::new();
    let mut reports: Vec<(usize, Report)> = Vec::with_capacity(watches.len());
    let mut finish = |done: Done, task_watch: &std::collections::HashMap<_, usize>| {
        let (i, r) = match done {
            Ok((_, ir)) => ir,
            // A check that panicked is an error of its watch, not of the run.
            Err(e) => {
                let i = task_watch[&e.id()];
                let msg = format!("the check failed unexpectedly: {e}");
                let r = report(
                    watches[i],
                    Outcome::Error(msg.clone()),
                    msg,
                    vec![],
                    Instant::now(),
                );
                log_report(&r, watches[i]);
                (i, r)
            }
        };
        on_done(&r);
        reports.push((i, r));
    };
    for (i, w) in watches.iter().enumerate() {
        // Checks that end while this one waits for its turn are reported now.
        let permit = loop {
            tokio::select! {
                permit = permits.clone().acquire_owned() => break permit,
                Some(done) = checks.join_next_with_id() => finish(done, &task_watch),
            }
        };
        let Ok(permit) = permit else {
            break;
        };
        let (ctx, w) = (ctx.clone(), (*w).clone());
        let task = checks.spawn(async move {
            let _permit = permit;
            let r = check_watch(&ctx, &w).await;
            log_report(&r, &w);
            (i, r)
        });
        task_watch.insert(task.id(), i);
    }
    while let Some(done) = checks.join_next_with_id().await {
        finish(done, &task_watch);
    }
    reports.sort_by_key(|(i, _)| *i);
    reports.into_iter().map(|(_, r)| r).collect()
}

/// Logs a finished check with structured fields (watch, url, duration, result or error).
pub fn log_report(r: &Report, w: &Watch) {
    let ms = r.elapsed.as_millis() as u64;
    match &r.outcome {
        Outcome::Error(e) => {
            tracing::warn!(watch = %w.name, url = %w.url, duration_ms = ms, error = %e, "check failed")
        }
        o => {
            tracing::info!(watch = %w.name, url = %w.url, duration_ms = ms, result = o.label(), detail = %r.detail, "checked")
        }
    }
}

/// The one-line summary of a report, as `check` prints it.
pub fn summary_line(r: &Report, name_width: usize) -> String {
    let detail = if r.detail.is_empty() {
        String::new()
    } else {
        format!("  {}", r.detail)
    };
    format!("{:<name_width$}  {:<9}{detail}", r.watch, r.outcome.label())
}

/// The closing total line of a pass; a dry run says its first versions
/// were found, not stored.
pub fn total_line(reports: &[Report], dry_run: bool) -> String {
    use crate::text::plural;
    let count = |f: fn(&Outcome) -> bool| reports.iter().filter(|r| f(&r.outcome)).count();
    let alerts: usize = reports.iter().map(|r| r.alerts.len()).sum();
    let firsts = count(|o| matches!(o, Outcome::BaselineStored | Outcome::ItemsRecorded(_)));
    let skipped = match count(|o| matches!(o, Outcome::Skipped)) {
        0 => String::new(),
        n => format!(", {n} skipped (being checked by another process)"),
    };
    let restored = match count(|o| matches!(o, Outcome::Changed(ChangeKind::Restored))) {
        0 => String::new(),
        n => format!(", {n} restored"),
    };
    format!(
        "total: {}: {} changed, {} with new items, {} unchanged, {} taken down{restored}, {} {}{skipped}, {}; {}",
        plural(reports.len(), "watch", "watches"),
        count(|o| {
            matches!(o, Outcome::Changed(k) if !matches!(k, ChangeKind::TakenDown | ChangeKind::Restored))
        }),
        count(|o| matches!(o, Outcome::NewItems(_))),
        count(|o| matches!(o, Outcome::Unchanged | Outcome::NotModified)),
        count(|o| matches!(o, Outcome::Changed(ChangeKind::TakenDown) | Outcome::Gone)),
        plural(firsts, "baseline", "baselines"),
        if dry_run {
            "found (dry run: not stored)"
        } else {
            "stored"
        },
        plural(count(|o| matches!(o, Outcome::Error(_))), "error", "errors"),
        plural(alerts, "alert", "alerts")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redirect_to_home_or_section_is_taken_down() {
        let u = |s: &str| url::Url::parse(s).unwrap();
        assert!(redirected_to_front(
            &u("https://n.example.org/world/2024/05/rasoulof-flees"),
            &u("https://n.example.org/")
        ));
        assert!(redirected_to_front(
            &u("https://n.example.org/world/2024/05/rasoulof-flees-iran-exile"),
            &u("https://n.example.org/world")
        ));
        assert!(!redirected_to_front(
            &u("https://n.example.org/a/b"),
            &u("https://n.example.org/a/b")
        ));
        assert!(!redirected_to_front(
            &u("http://n.example.org/story/123"),
            &u("https://n.example.org/story/123-rasoulof-flees")
        ));
    }

    #[test]
    fn keywords_match_across_case_and_persian_variants() {
        let mentions_keyword =
            |k: &[String], a: &str, b: &str| !Keywords::of(k).mentioned(a, b).is_empty();
        let k = vec!["Rasoulof".to_string(), "رسول‌اف".to_string()];
        assert!(mentions_keyword(&k, "director RASOULOF fled", ""));
        assert!(mentions_keyword(&k, "", "محمد رسولاف"));
        // The ZWNJ typed as a space, as many Persian sites do, with Arabic
        // letter forms (windows-1256 pages).
        assert!(mentions_keyword(&k, "فيلم تازه رسول اف در كن", ""));
        assert!(!mentions_keyword(&k, "nothing relevant", ""));
    }
}
