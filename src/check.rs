//! One check of one watch — the single function the CLI (`check`), the daemon
//! (`run`) and the tests all use — and a pass over many watches.
//!
//! Order of effects for a detected change: the alert goes to the outbox
//! (durable, idempotent by alert id), then the baseline advances, then the
//! version is recorded and the watch state saved. A crash anywhere in between
//! re-detects the same change on the next check, derives the same alert id,
//! and adds nothing twice.

use std::sync::Arc;
use std::time::Instant;

use chrono::Utc;

use crate::alert::{Alert, Evidence, SCHEMA_VERSION};
use crate::compare::{self, ChangeKind, Rules};
use crate::config::{Config, Watch, WatchKind};
use crate::document::{Document, Item};
use crate::extract;
use crate::fetch::{Fetched, Fetcher, NetworkPolicy, Response, Validators};
use crate::notify;
use crate::store::{
    Baselines, Durability, NewSnapshot, NewVersion, SnapshotKind, State, WatchState,
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
}

impl Context {
    /// Opens the state database and baseline directory named by the config.
    pub fn open(config: Arc<Config>, fetcher: Fetcher, dry_run: bool) -> Result<Context, String> {
        let state = if dry_run {
            State::open_preview(&config.daemon.state_dir)?
        } else {
            State::open(&config.daemon.state_dir)?
        };
        let baselines = Baselines::new(&config.daemon.baseline_dir);
        Ok(Context {
            config,
            fetcher,
            state,
            baselines,
            dry_run,
            cpu: Context::cpu_permits(),
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
    /// New items appeared (count of those alerted).
    NewItems(usize),
    /// The check failed.
    Error(String),
}

impl Outcome {
    /// The word printed in the per-watch summary.
    pub fn label(&self) -> &'static str {
        match self {
            Outcome::Unchanged => "unchanged",
            Outcome::NotModified => "unchanged",
            Outcome::BaselineStored => "baseline",
            Outcome::ItemsRecorded(_) => "baseline",
            Outcome::Changed(_) => "changed",
            Outcome::NewItems(_) => "new items",
            Outcome::Error(_) => "error",
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
    /// How long the check took.
    pub elapsed: std::time::Duration,
}

fn now_rfc3339() -> String {
    Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// Checks one watch: fetch, extract, compare, alert, advance.
pub async fn check_watch(ctx: &Context, watch: &Watch) -> Report {
    let started = Instant::now();
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
    let result = match watch.kind {
        WatchKind::Article => check_article(ctx, watch, &mut st).await,
        WatchKind::Listing | WatchKind::Feed => check_items(ctx, watch, &mut st).await,
    };
    let now = Utc::now().timestamp();
    let (outcome, detail, mut alerts, keep) = match result {
        Ok(r) => r,
        Err(msg) => {
            st.failures += 1;
            st.last_error = Some(msg.clone());
            let mut alerts = vec![];
            if st.failures >= ctx.config.daemon.failure_threshold && !st.error_alerted {
                alerts.push(base_alert(
                    watch,
                    ChangeKind::Error,
                    format!("Cannot check this watch: {} failures in a row", st.failures),
                    &[&"error", &st.last_check.unwrap_or(0).to_string()],
                ));
                alerts[0].error = Some(msg.clone());
                st.error_alerted = true;
            }
            (Outcome::Error(msg.clone()), msg, alerts, Keep::Nothing)
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
    }
    st.last_check = Some(now);
    st.last_result = Some(outcome.label().to_string());
    if !alerts.is_empty() {
        st.last_change = Some(now);
    }
    let mut outcome = outcome;
    if !ctx.dry_run {
        let (w, raised) = (watch.clone(), alerts.clone());
        let stored = ctx.storage(move |ctx| store(ctx, &w, &raised, keep, &st));
        if let Err(e) = stored.await.and_then(|r| r) {
            outcome = Outcome::Error(e.clone());
        }
    }
    report(watch, outcome, detail, alerts, started)
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
        elapsed: started.elapsed(),
    }
}

/// What a check keeps once its alerts are in the outbox.
enum Keep {
    /// Nothing new: the page is unchanged, gone, or could not be checked.
    Nothing,
    /// The article's new version (`hash`: its [`Document::content_hash`]):
    /// the baseline and the version history advance.
    Article {
        doc: Box<Document>,
        hash: String,
        fetched: String,
        raw: Box<NewSnapshot>,
    },
    /// The answer that reported the article taken down, kept with the
    /// version it took down.
    TakenDown { version: i64, raw: Box<NewSnapshot> },
    /// The listing's or feed's current items: remembered as seen and
    /// written as its baseline.
    Items { items: Vec<Item>, now: i64 },
}

/// Stores what a check leaves behind, in the order that loses nothing to a
/// crash: its alerts into the outbox, then the baseline, then the version
/// and the watch's state in one transaction.
fn store(
    ctx: &Context,
    watch: &Watch,
    alerts: &[Alert],
    keep: Keep,
    st: &WatchState,
) -> Result<(), String> {
    if let Keep::TakenDown { version, raw } = &keep {
        ctx.state
            .record_takedown(&watch.name, *version, raw)
            .map_err(|e| format!("keeping the takedown of watch {}: {e}", watch.name))?;
    }
    enqueue(ctx, watch, alerts)?;
    if !alerts.is_empty() {
        failpoint("after-enqueue");
    }
    let baseline_error = |e: std::io::Error| {
        format!(
            "writing baseline {}: {e}",
            ctx.baselines.path(&watch.name).display()
        )
    };
    let version = match keep {
        Keep::Nothing | Keep::TakenDown { .. } => None,
        Keep::Article {
            doc,
            hash,
            fetched,
            raw,
        } => {
            let body = doc.to_baseline(watch.url.as_str(), &fetched);
            ctx.baselines
                .write(&watch.name, &body)
                .map_err(baseline_error)?;
            Some(NewVersion {
                sha256: hash,
                body,
                fetched_at: Utc::now().timestamp(),
                keep: ctx.config.daemon.keep_versions,
                raw: Some(*raw),
                raw_cap: ctx.config.daemon.keep_raw,
            })
        }
        Keep::Items { items, now } => {
            ctx.state
                .mark_seen(&watch.name, &items, now)
                .map_err(|e| e.to_string())?;
            ctx.baselines
                .write_items(&watch.name, &items, watch.url.as_str(), &now_rfc3339())
                .map_err(baseline_error)?;
            None
        }
    };
    // A new version, and the flags (gone, error alerted) that an alert's
    // identity depends on, must reach the disk; a quiet check's schedule
    // and validators need not wait for it.
    let durability = if alerts.is_empty() && version.is_none() {
        Durability::Lazy
    } else {
        Durability::Durable
    };
    ctx.state
        .save_check(&watch.name, st, version.as_ref(), durability)
        .map(|_pruned| ())
        .map_err(|e| format!("recording the check of watch {}: {e}", watch.name))
}

/// Writes alerts to the outbox, each routed to the watch's channels.
fn enqueue(ctx: &Context, watch: &Watch, alerts: &[Alert]) -> Result<(), String> {
    let now = Utc::now().timestamp();
    for a in alerts {
        let channels = notify::route(&ctx.config, watch, a);
        let payload = serde_json::to_string(a).map_err(|e| e.to_string())?;
        ctx.state
            .enqueue(&a.id, &a.watch, a.kind.as_str(), &payload, &channels, now)
            .map_err(|e| e.to_string())?;
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
    Alert {
        schema: SCHEMA_VERSION,
        id: Alert::derive_id(&watch.name, &parts),
        watch: watch.name.clone(),
        url: watch.url.to_string(),
        outlet: watch.outlet(),
        kind,
        summary,
        title: None,
        byline: None,
        detected_at: now_rfc3339(),
        change: None,
        items: vec![],
        error: None,
        evidence: None,
    }
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

async fn fetch(ctx: &Context, watch: &Watch, validators: &Validators) -> Result<Fetched, String> {
    let policy = NetworkPolicy::for_watch(watch);
    if watch.robots {
        ctx.fetcher
            .robots_allow(&watch.url, &policy)
            .await
            .map_err(|e| format!("fetching {}: {e}", watch.url))?;
    }
    ctx.fetcher
        .fetch(&watch.url, validators, &policy)
        .await
        .map_err(|e| format!("fetching {}: {e}", watch.url))
}

async fn check_article(ctx: &Context, watch: &Watch, st: &mut WatchState) -> CheckResult {
    // A conditional GET only makes sense against a baseline we hold; the
    // baseline itself is read only when the page has to be compared.
    let validators = if ctx.baselines.exists(&watch.name) && !st.gone {
        st.validators.clone()
    } else {
        Validators::default()
    };
    let resp = match fetch(ctx, watch, &validators).await? {
        Fetched::NotModified => {
            return Ok((
                Outcome::NotModified,
                "304 Not Modified".into(),
                vec![],
                Keep::Nothing,
            ))
        }
        Fetched::Page(r) => r,
    };
    let gone = resp.status == 404
        || resp.status == 410
        || redirected_to_front(&watch.url, &resp.final_url);
    if gone {
        return taken_down(ctx, watch, st, &resp);
    }
    let new_validators = resp.validators.clone();
    let (selector, rules, baselines, name) = (
        watch.selector.clone(),
        rules(watch),
        ctx.baselines.clone(),
        watch.name.clone(),
    );
    // Reading the baseline, parsing, comparing and hashing happen off the
    // runtime; the baseline comes back with what was found against it.
    let restoring = st.gone;
    let (found, resp) = ctx
        .cpu_bound(move || {
            let baseline = read_baseline(&baselines, &name)?;
            let doc = extract_article(&resp, selector.as_deref())?;
            Ok::<_, String>((against(doc, baseline, &rules, restoring), resp))
        })
        .await??;
    // Accepting the page makes it the new baseline; its response is kept.
    let raw = snapshot_of(watch, resp);
    let accept = |doc, hash| Keep::Article {
        doc: Box::new(doc),
        hash,
        fetched: now_rfc3339(),
        raw: Box::new(raw),
    };
    st.validators = new_validators;
    let (doc, hash, old, old_hash, change) = match found {
        Against::First { doc, hash } => {
            let detail = format!(
                "first check: baseline stored ({} paragraphs, {} words), no alert",
                doc.blocks.len(),
                doc.word_count()
            );
            return Ok((Outcome::BaselineStored, detail, vec![], accept(*doc, hash)));
        }
        Against::Same => return Ok((Outcome::Unchanged, String::new(), vec![], Keep::Nothing)),
        Against::Changed(page) => {
            let ChangedPage {
                doc,
                hash,
                old,
                old_hash,
                change,
            } = *page;
            (doc, hash, old, old_hash, change)
        }
    };
    let restored = std::mem::take(&mut st.gone);
    if let Some(c) = &change {
        // What changed: added and removed words, and both headlines when it changed.
        let mut changed = c.added_text();
        changed.extend(c.removed_text());
        if let Some((old_headline, new_headline)) = &c.headline {
            changed.extend([old_headline.clone(), new_headline.clone()]);
        }
        if !watch.keywords.is_empty() && !mentions_keyword(&watch.keywords, &changed.join(" "), "")
        {
            // Accept the new version silently: the change does not concern the watch's keywords.
            return Ok((
                Outcome::Unchanged,
                "changed, but mentions no keyword".into(),
                vec![],
                accept(doc, hash),
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
        (Some(c), false) => c.summary.clone(),
        (None, false) => unreachable!("an unchanged page is Against::Same"),
    };
    let mut a = article_alert(
        ctx,
        watch,
        kind,
        summary.clone(),
        &[&old_hash, &hash, &restored],
    )?;
    a.title = doc.title.clone().or(old.title.clone());
    a.byline = doc.byline.clone();
    // The version this change makes: a new one, unless the article came
    // back exactly as it was kept.
    let shown = latest_version(ctx, watch)? + i64::from(change.is_some() || !restored);
    a.evidence = evidence(ctx, watch, shown, None);
    a.change = change;
    Ok((Outcome::Changed(kind), summary, vec![a], accept(doc, hash)))
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

/// An article that answers 404 or 410, or redirects to a section front: one
/// "taken down" alert against the baseline, then quiet until it is back.
fn taken_down(ctx: &Context, watch: &Watch, st: &mut WatchState, resp: &Response) -> CheckResult {
    let baseline = read_baseline(&ctx.baselines, &watch.name)?;
    let Some(old) = baseline.filter(|_| !st.gone) else {
        return Ok((
            Outcome::Unchanged,
            "still gone".into(),
            vec![],
            Keep::Nothing,
        ));
    };
    st.gone = true;
    st.validators = Validators::default();
    let how = if resp.status == 404 || resp.status == 410 {
        format!("The article answers HTTP {}", resp.status)
    } else {
        format!("The article now redirects to {}", resp.final_url)
    };
    let mut a = article_alert(
        ctx,
        watch,
        ChangeKind::TakenDown,
        how.clone(),
        &[&"taken_down", &old.content_hash()],
    )?;
    a.title = old.title.clone();
    a.byline = old.byline.clone();
    // The evidence: the last version kept, and the answer that reported it gone.
    let version = latest_version(ctx, watch)?;
    let kept = ctx
        .state
        .snapshots(Some(&watch.name))
        .map_err(|e| e.to_string())?
        .into_iter()
        .find(|s| s.version == version && s.kind == SnapshotKind::Version);
    a.evidence = evidence(ctx, watch, version, kept.map(|s| s.body_sha256));
    Ok((
        Outcome::Changed(ChangeKind::TakenDown),
        how,
        vec![a],
        Keep::TakenDown {
            version,
            raw: Box::new(snapshot_of(watch, resp.clone())),
        },
    ))
}

/// The number of a watch's latest kept version (0 before the first).
fn latest_version(ctx: &Context, watch: &Watch) -> Result<i64, String> {
    ctx.state
        .latest_version(&watch.name)
        .map_err(|e| e.to_string())
}

/// Where an article alert's evidence is: the version it shows, the viewer's
/// page for it when `report_url` is set, and for a takedown the SHA-256 of
/// the last kept snapshot.
fn evidence(
    ctx: &Context,
    watch: &Watch,
    version: i64,
    snapshot: Option<String>,
) -> Option<Evidence> {
    (version > 0).then(|| Evidence {
        version,
        report: ctx
            .config
            .daemon
            .report_url
            .as_ref()
            .and_then(|base| {
                base.join(&crate::evidence::page_path(&watch.name, version))
                    .ok()
            })
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
    }
}

/// An alert about a watch's article. Its id also carries the number of the
/// baseline's version: a change that recurs (A→B, back to A, A→B again)
/// stays distinct, while a re-run after a crash derives the same id.
fn article_alert(
    ctx: &Context,
    watch: &Watch,
    kind: ChangeKind,
    summary: String,
    id_parts: &[&dyn ToString],
) -> Result<Alert, String> {
    let version = ctx
        .state
        .latest_version(&watch.name)
        .map_err(|e| e.to_string())?;
    let mut parts = id_parts.to_vec();
    parts.push(&version);
    Ok(base_alert(watch, kind, summary, &parts))
}

/// Reads a watch's baseline document (`None` before the first check).
fn read_baseline(baselines: &Baselines, watch: &str) -> Result<Option<Document>, String> {
    baselines
        .read(watch)
        .map_err(|e| format!("reading baseline {}: {e}", baselines.path(watch).display()))
}

/// The comparison rules of a watch.
pub fn rules(watch: &Watch) -> Rules {
    Rules {
        ignore: watch.ignore.clone(),
        min_change: watch.min_change,
    }
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
fn extract_article(resp: &Response, selector: Option<&str>) -> Result<Document, String> {
    let html = resp.text();
    let doc = extract::article(&html, Some(&resp.final_url), selector);
    if doc.blocks.is_empty() {
        let hint = if selector.is_some() {
            " (does the selector still match?)"
        } else {
            " (set `selector` for this watch)"
        };
        return Err(format!("no article text found at {}{hint}", resp.final_url));
    }
    Ok(doc)
}

/// True when any keyword occurs in any of the texts (Unicode-aware, case- and
/// Persian/Arabic-variant-insensitive).
pub fn mentions_keyword(keywords: &[String], a: &str, b: &str) -> bool {
    let hay = [crate::text::match_key(a), crate::text::match_key(b)];
    keywords
        .iter()
        .map(|k| crate::text::match_key(k))
        .any(|k| hay.iter().any(|h| h.contains(&k)))
}

async fn check_items(ctx: &Context, watch: &Watch, st: &mut WatchState) -> CheckResult {
    // Items already known: those seen before, and those listed in the
    // watch's baseline file (which a person may write by hand).
    let listed = ctx.baselines.read_items(&watch.name).map_err(|e| {
        format!(
            "reading baseline {}: {e}",
            ctx.baselines.path(&watch.name).display()
        )
    })?;
    let first = listed.is_none()
        && !ctx
            .state
            .has_seen_items(&watch.name)
            .map_err(|e| e.to_string())?;
    let listed = listed.unwrap_or_default();
    let validators = if first {
        Validators::default()
    } else {
        st.validators.clone()
    };
    let resp = match fetch(ctx, watch, &validators).await? {
        Fetched::NotModified => {
            return Ok((
                Outcome::NotModified,
                "304 Not Modified".into(),
                vec![],
                Keep::Nothing,
            ))
        }
        Fetched::Page(r) => r,
    };
    if resp.status == 404 || resp.status == 410 {
        return Err(format!("{} answers HTTP {}", watch.url, resp.status));
    }
    st.validators = resp.validators.clone();
    let (kind, selector) = (watch.kind, watch.selector.clone());
    let items = ctx
        .cpu_bound(move || match kind {
            WatchKind::Feed => {
                extract::feed(&resp.body, resp.content_type.as_deref(), &resp.final_url)
            }
            _ => Ok(extract::listing(
                &resp.text(),
                &resp.final_url,
                selector.as_deref(),
            )),
        })
        .await?
        .map_err(|e| format!("{}: {e}", watch.url))?;
    let now = Utc::now().timestamp();
    if first {
        let detail = format!("first check: {} items recorded, no alert", items.len());
        return Ok((
            Outcome::ItemsRecorded(items.len()),
            detail,
            vec![],
            Keep::Items { items, now },
        ));
    }
    let mut new_items = Vec::new();
    for it in items.iter().filter(|it| !listed.contains(&it.key)) {
        if !ctx
            .state
            .seen(&watch.name, &it.key)
            .map_err(|e| e.to_string())?
            && !new_items.iter().any(|n: &Item| n.key == it.key)
        {
            new_items.push(it.clone());
        }
    }
    if new_items.is_empty() {
        return Ok((Outcome::Unchanged, String::new(), vec![], Keep::Nothing));
    }
    let matching = matching_items(ctx, watch, &new_items).await;
    let mut alerts = vec![];
    if !matching.is_empty() {
        let n = matching.len();
        let summary = if n == 1 {
            format!("1 new item: {}", matching[0].title)
        } else {
            format!("{n} new items")
        };
        let mut keys: Vec<&str> = matching.iter().map(|i| i.key.as_str()).collect();
        keys.sort_unstable();
        let mut a = base_alert(
            watch,
            ChangeKind::NewItems,
            summary,
            &[&"new_items", &keys.join("\n")],
        );
        a.title = Some(if n == 1 {
            matching[0].title.clone()
        } else {
            format!("{n} new items on {}", watch.outlet())
        });
        a.items = matching;
        alerts.push(a);
    }
    let detail = alerts
        .first()
        .map(|a| a.summary.clone())
        .unwrap_or_else(|| format!("{} new items, none mentions a keyword", new_items.len()));
    let outcome = if alerts.is_empty() {
        Outcome::Unchanged
    } else {
        Outcome::NewItems(alerts[0].items.len())
    };
    Ok((outcome, detail, alerts, Keep::Items { items, now }))
}

/// The new items that pass the watch's keyword filter (all when it has none).
/// With `follow = true` an item's article text is fetched and searched too.
async fn matching_items(ctx: &Context, watch: &Watch, items: &[Item]) -> Vec<Item> {
    if watch.keywords.is_empty() {
        return items.to_vec();
    }
    let policy = NetworkPolicy::for_links_of(watch);
    let mut out = Vec::new();
    for it in items {
        let listed = format!("{} {}", it.title, it.snippet.as_deref().unwrap_or(""));
        if mentions_keyword(&watch.keywords, &listed, "") {
            out.push(it.clone());
            continue;
        }
        if watch.follow {
            let Ok(url) = url::Url::parse(&it.url) else {
                continue;
            };
            if watch.robots && ctx.fetcher.robots_allow(&url, &policy).await.is_err() {
                continue;
            }
            match ctx
                .fetcher
                .fetch(&url, &Validators::default(), &policy)
                .await
            {
                Ok(Fetched::Page(r)) if r.status < 400 => {
                    let keywords = watch.keywords.clone();
                    let mentions = ctx.cpu_bound(move || {
                        let doc = extract::article(&r.text(), Some(&r.final_url), None);
                        mentions_keyword(&keywords, &doc.text(), doc.title.as_deref().unwrap_or(""))
                    });
                    if mentions.await.unwrap_or(false) {
                        out.push(it.clone());
                    }
                }
                Ok(_) => {}
                Err(e) => {
                    tracing::warn!(watch = %watch.name, url = %it.url, error = %e, "cannot fetch new item for keyword matching")
                }
            }
        }
    }
    out
}

/// Checks the given watches (concurrently, up to the configured limit, each
/// check a task of its own so that checks use every core) and returns their
/// reports in config order.
pub async fn check_all(ctx: &Context, watches: &[&Watch]) -> Vec<Report> {
    let permits = Arc::new(tokio::sync::Semaphore::new(
        ctx.config.daemon.concurrency.max(1),
    ));
    let mut checks = tokio::task::JoinSet::new();
    let mut task_watch = std::collections::HashMap::new();
    for (i, w) in watches.iter().enumerate() {
        let Ok(permit) = permits.clone().acquire_owned().await else {
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
    let mut reports: Vec<(usize, Report)> = Vec::with_capacity(watches.len());
    while let Some(done) = checks.join_next_with_id().await {
        match done {
            Ok((_, r)) => reports.push(r),
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
                reports.push((i, r));
            }
        }
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

/// The closing total line of a pass.
pub fn total_line(reports: &[Report]) -> String {
    let count = |f: fn(&Outcome) -> bool| reports.iter().filter(|r| f(&r.outcome)).count();
    let alerts: usize = reports.iter().map(|r| r.alerts.len()).sum();
    format!(
        "total: {} watches: {} changed, {} with new items, {} unchanged, {} baselines stored, {} errors; {} alerts",
        reports.len(),
        count(|o| matches!(o, Outcome::Changed(_))),
        count(|o| matches!(o, Outcome::NewItems(_))),
        count(|o| matches!(o, Outcome::Unchanged | Outcome::NotModified)),
        count(|o| matches!(o, Outcome::BaselineStored | Outcome::ItemsRecorded(_))),
        count(|o| matches!(o, Outcome::Error(_))),
        alerts
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
        let k = vec!["Rasoulof".to_string(), "رسول‌اف".to_string()];
        assert!(mentions_keyword(&k, "director RASOULOF fled", ""));
        assert!(mentions_keyword(&k, "", "محمد رسولاف"));
        assert!(!mentions_keyword(&k, "nothing relevant", ""));
    }
}
