//! One check of one watch — the single function the CLI (`check`), the daemon
//! (`run`) and the tests all use — and a pass over many watches.
//!
//! Order of effects for a detected change: the alert goes to the outbox in
//! the same transaction as the version it reports, the events, the items
//! and the watch state (durable, idempotent by alert id); then the baseline
//! advances. A crash before the commit leaves nothing of the check, and the
//! next check re-detects the same change, derives the same alert id and
//! queues it once; a crash after it leaves the baseline a version behind
//! the history, which the next check compares with instead.
//!
//! The parts of a check:
//! - this module: the [`Context`] a check runs in, its [`Outcome`] and
//!   [`Report`], the check of one watch ([`check_watch`]: its turn, its
//!   failures and recoveries, a move told and alerted, its storing step) and
//!   a pass over many ([`check_all`]), the report lines, `--reset-baseline`,
//!   and the small helpers the others share (fetching the watch's URL, an
//!   alert's identity, reading the baseline, the watch's keywords);
//! - `article`: an article's check: the page against its baseline (read
//!   again by this presswatch after an upgrade), a page switching back and
//!   forth, a missing baseline file restored, the article extracted and
//!   what to check when it yields no text;
//! - `takedown`: an article taken down (404, 410, a redirect to a front),
//!   its alert with the last text held, and the URL that never worked;
//! - `moved`: a watch's URL that redirects for good: told to ops, alerted
//!   for an article;
//! - `items`: a listing's or feed's check: unseen items, retitles,
//!   keywords, followed items' articles, and the "no items", "not a feed",
//!   "too few items" errors;
//! - `site`: a change confined to the site's chrome, told by the kept
//!   texts of the site's other watched pages (read only for a change);
//! - `keep`: what a check keeps and how (`keep::Keep`, the storing step:
//!   versions, events, items, outbox and state in one transaction, then
//!   the baseline), the evidence an alert names and the raw snapshot of a
//!   response.

mod article;
mod cut_short;
mod items;
mod keep;
mod moved;
mod not_a_page;
mod page_facts;
mod paywall;
mod site;
mod takedown;

pub use article::{feed_not_article, listing_not_article, no_web_page, not_html, not_html_article};
pub use items::FOLLOW_TRIES;
pub use moved::move_for_ops;
pub(crate) use site::SiteKeys;

use std::sync::Arc;
use std::time::Instant;

use chrono::Utc;

use crate::alert::Alert;
use crate::compare::ChangeKind;
use crate::config::{Config, Watch, WatchKind};
use crate::document::{Document, Item};
use crate::fetch::{Fetched, Fetcher, NetworkPolicy};
use crate::http_header::Validators;
use crate::store::{Baselines, LeaseHolder, NewEvent, NoLease, State, VersionRow, WatchState};

use article::check_article;
use items::check_items;
use keep::{store, Keep, NewBaseline};
use moved::{moved_alert, moved_evidence, moved_there_before, tell_ops_of_move};

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
    /// The watches whose baseline `check --reset-baseline` forgot: an
    /// article's check stores the page as a new baseline, where a baseline
    /// file gone missing is otherwise restored from the watch's history.
    pub resetting: Vec<String>,
    /// The keyed versions of other pages site chrome read lately, kept for
    /// the next checks of their site (`check::site`).
    pub(crate) site_keys: Arc<SiteKeys>,
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
            resetting: Vec::new(),
            site_keys: Arc::default(),
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
    /// The version the check stored with no alert going out for it (a
    /// change confined to site chrome, new items or an edit mentioning no
    /// keyword, a page read otherwise now): `None` when it stored none, or
    /// alerted. Logged at the daemon's default level ([`ReportLine`]): ops
    /// see a version was recorded.
    pub unalerted_version: Option<i64>,
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

/// Why a check starts the watch afresh, taking the page as a new baseline
/// with no alert as on a new watch's first check, when it does: its kind
/// is not the one of its last check that worked (`checked_as`: that
/// check's kind and URL), whose baseline it cannot be compared with; or a
/// listing's or feed's URL names another page (not the same address
/// normalised, [`crate::fetch::same_resource`], nor where the old one
/// moved for good), whose items were never seen. `None` when the watch
/// goes on (and when no check recorded them: a new watch, or one last
/// checked by a presswatch that did not).
fn starts_afresh(
    watch: &Watch,
    st: &WatchState,
    checked_as: Option<&(String, String)>,
) -> Option<String> {
    let (kind, url) = checked_as?;
    if kind != watch.kind.as_str() {
        return Some(format!(
            "its kind changed from {kind} to {}",
            watch.kind.as_str()
        ));
    }
    let same = |other: &str| {
        url::Url::parse(other).is_ok_and(|u| crate::fetch::same_resource(&u, &watch.url))
    };
    (watch.kind != WatchKind::Article && !same(url) && !st.moved_to.as_deref().is_some_and(same))
        .then(|| format!("its url changed from {url} to {}, another page", watch.url))
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
    let checked_as = match ctx.state.checked_as(&watch.name) {
        Ok(c) => c,
        Err(e) => {
            let msg = e.to_string();
            return report(watch, Outcome::Error(msg.clone()), msg, vec![], started);
        }
    };
    let afresh = starts_afresh(watch, &st, checked_as.as_ref());
    if let Some(why) = &afresh {
        tracing::info!(watch = %watch.name, "watch {}: {why}: this check takes the page as a new baseline, with no alert, as for a new watch", watch.name);
    }
    let result = match watch.kind {
        WatchKind::Article if afresh.is_some() => {
            // The baseline of another kind is no article to compare with:
            // forgotten, and not restored from the history either.
            let resetting = Context {
                resetting: vec![watch.name.clone()],
                ..ctx.clone()
            };
            match forget_baseline(&resetting, watch).await {
                Ok(_) => check_article(&resetting, watch, &mut st).await,
                Err(e) => Err(e),
            }
        }
        WatchKind::Article => check_article(ctx, watch, &mut st).await,
        WatchKind::Listing | WatchKind::Feed => {
            check_items(ctx, watch, &mut st, afresh.is_some()).await
        }
    };
    let now = Utc::now().timestamp();
    let (outcome, mut detail, mut alerts, mut keep) = match result {
        Ok((outcome, detail, alerts, keep)) => match &afresh {
            Some(why) => (outcome, format!("{why}; {detail}"), alerts, keep),
            None => (outcome, detail, alerts, keep),
        },
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
    keep.afresh = (afresh.is_some() || ctx.resetting.contains(&watch.name))
        && matches!(outcome, Outcome::BaselineStored | Outcome::ItemsRecorded(_));
    if !matches!(outcome, Outcome::Error(_)) {
        if st.error_alerted {
            alerts.push(base_alert(
                watch,
                ChangeKind::Recovered,
                "The watch can be checked again".into(),
                &[&"recovered", &now.to_string()],
            ));
            let recovered = format!(
                "recovered after {}",
                crate::text::plural(st.failures as usize, "failed check", "failed checks")
            );
            detail = if detail.is_empty() {
                recovered
            } else {
                format!("{recovered}; {detail}")
            };
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
    let (mut outcome, mut unstored, mut unalerted_version) = (outcome, None, None);
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
        // The kind and URL the page was taken under, once they are new.
        let checked = (!matches!(outcome, Outcome::Error(_))
            && checked_as.as_ref().is_none_or(|(kind, url)| {
                kind != watch.kind.as_str() || url != watch.url.as_str()
            }))
        .then(|| (watch.kind.as_str().to_string(), watch.url.to_string()));
        // A change that stores a version with no alert: which version.
        let unalerted = alerts.is_empty()
            && keep.baseline.is_some()
            && matches!(outcome, Outcome::Unchanged | Outcome::NewItems(_));
        let stored = ctx.storage(move |ctx| {
            let mut queued = 0;
            let mut alerts = alerts;
            let version = unalerted
                .then(|| ctx.state.latest(&w.name).ok())
                .flatten()
                .and_then(|latest| {
                    let seq = keep.version_after(latest.as_ref());
                    (seq > latest.map_or(0, |v| v.seq)).then_some(seq)
                });
            let stored = store(ctx, &w, &mut alerts, keep, &st, checked, &mut queued);
            (stored.map(|()| version), alerts, queued)
        });
        let stored = match stored.await {
            Ok((stored, mut raised, queued)) => {
                // The report names only alerts that reached the outbox:
                // all of them, stored with the rest, or none.
                raised.truncate(queued);
                alerts = raised;
                stored.map(|version| unalerted_version = version)
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
        unalerted_version,
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
        unalerted_version: None,
    }
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

/// Reads a watch's baseline document (`None` before the first check).
fn read_baseline(baselines: &Baselines, watch: &str) -> Result<Option<Document>, String> {
    baselines
        .read(watch)
        .map_err(|e| format!("reading the baseline {e}"))
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
    /// ([`crate::text::mentions`], the one matching of feed and listing
    /// items, followed articles and an article's changed paragraphs:
    /// case-insensitive, Persian/Arabic spelling variants folded, a keyword
    /// in Persian/Arabic script whole words only, one in Latin script at
    /// the start of a word). `b` is matched a line at a time: a story's
    /// text holds a paragraph a line, and a keyword is mentioned within
    /// one (its words ending one paragraph and starting the next are no
    /// mention, and would have no passage to show it by).
    fn mentioned(&self, a: &str, b: &str) -> Vec<String> {
        if self.0.is_empty() {
            return Vec::new();
        }
        let hay: Vec<String> = std::iter::once(a)
            .chain(b.split('\n'))
            .map(crate::text::keyword_key)
            .collect();
        self.0
            .iter()
            .filter(|(_, key)| hay.iter().any(|h| crate::text::mentions(h, key)))
            .map(|(given, _)| given.clone())
            .collect()
    }

    /// The first passage of `text` that mentions one of `given` (keywords
    /// of these, as [`Keywords::mentioned`] gives them), matched as they
    /// are ([`crate::text::keyword_passage`]); `None` when none is given
    /// or the text mentions none.
    fn passage(&self, text: &str, given: &[String]) -> Option<String> {
        let keys: Vec<String> = self
            .0
            .iter()
            .filter(|(g, _)| given.contains(g))
            .map(|(_, key)| key.clone())
            .collect();
        if keys.is_empty() {
            return None;
        }
        crate::text::keyword_passage(text, &keys)
    }
}

/// Forgets the accepted version of a watch (its baseline: the database's
/// copy with PostgreSQL, and the file), so that its next check takes the
/// page as it is, with no alert: for a listing or feed, the remedy when a
/// page really lists far fewer items than before (`items::redesigned`; items
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
    let forgotten = forget_baseline(ctx, watch).await;
    // The reset happened or not whatever becomes of the lease: a lease not
    // handed back expires within daemon.lease.
    if let Err(e) = turn.end() {
        tracing::warn!(watch = %watch.name, error = %e, "watch {}: {e}", watch.name);
    }
    forgotten
}

/// Deletes a watch's baseline wherever it is kept
/// ([`crate::store::Baselines::forget`]), not in a dry run; returns whether
/// there was one.
async fn forget_baseline(ctx: &Context, watch: &Watch) -> Result<bool, String> {
    if ctx.dry_run {
        return Ok(false);
    }
    let (baselines, name) = (ctx.baselines.clone(), watch.name.clone());
    ctx.storage(move |_| baselines.forget(&name))
        .await?
        .map_err(|e| {
            format!(
                "forgetting the baseline of watch {} ({}): {e}",
                watch.name,
                ctx.baselines.path(&watch.name).display()
            )
        })
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
                ReportLine::of(&r, watches[i]).log();
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
            ReportLine::of(&r, &w).log();
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

/// A finished check's log line (watch, url, duration, result or error),
/// taken from its report so that the report can be handed on before the
/// line is written ([`ReportLine::log`]).
pub struct ReportLine {
    watch: String,
    url: String,
    duration_ms: u64,
    event: LineEvent,
}

/// What a [`ReportLine`] says, and so at which level it is logged.
enum LineEvent {
    /// The check failed.
    Failed(String),
    /// A version was stored with no alert: an event, naming the version
    /// and why no alert went out.
    Unalerted {
        result: &'static str,
        version: i64,
        what: String,
    },
    /// Nothing new: no event at the daemon's default level (`run -v`
    /// shows it).
    Quiet {
        result: &'static str,
        detail: String,
    },
    /// A change, an alert or a first version.
    Checked {
        result: &'static str,
        detail: String,
    },
}

impl ReportLine {
    /// The line that `r`, a check of `w`, is logged with.
    pub fn of(r: &Report, w: &Watch) -> ReportLine {
        let event = match &r.outcome {
            Outcome::Error(e) => LineEvent::Failed(e.clone()),
            o @ (Outcome::Unchanged | Outcome::NewItems(_)) if r.unalerted_version.is_some() => {
                let version = r.unalerted_version.unwrap_or_default();
                let said = format!("version {version}");
                let what = match r.detail.as_str() {
                    "" => format!("no change that alerts; stored as {said}, no alert"),
                    d if d.contains(&said) => d.to_string(),
                    d => format!("{d}; stored as {said}, no alert"),
                };
                LineEvent::Unalerted {
                    result: o.label(),
                    version,
                    what,
                }
            }
            // At the daemon's default level the log holds what changed,
            // what failed and what was alerted (a watch that works again).
            o @ (Outcome::Unchanged | Outcome::NotModified | Outcome::Skipped)
                if r.alerts.is_empty() =>
            {
                LineEvent::Quiet {
                    result: o.label(),
                    detail: r.detail.clone(),
                }
            }
            o => LineEvent::Checked {
                result: o.label(),
                detail: r.detail.clone(),
            },
        };
        ReportLine {
            watch: w.name.clone(),
            url: w.url.to_string(),
            duration_ms: r.elapsed.as_millis() as u64,
            event,
        }
    }

    /// Writes the line to the log.
    pub fn log(&self) {
        let (watch, url, ms) = (&self.watch, &self.url, self.duration_ms);
        match &self.event {
            LineEvent::Failed(e) => {
                tracing::warn!(watch = %watch, url = %url, duration_ms = ms, error = %e, "check failed")
            }
            LineEvent::Unalerted {
                result,
                version,
                what,
            } => tracing::info!(watch = %watch, url = %url, duration_ms = ms, result, version,
                "watch {watch}: {what}"),
            LineEvent::Quiet { result, detail } => {
                tracing::debug!(watch = %watch, url = %url, duration_ms = ms, result, detail = %detail, "checked")
            }
            LineEvent::Checked { result, detail } => {
                tracing::info!(watch = %watch, url = %url, duration_ms = ms, result, detail = %detail, "checked")
            }
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
