//! A watch's history: the versions kept in the state database
//! (content-addressed, the newest `keep_versions` of each watch) and the
//! takedowns, restores and moves between them, listed by `presswatch history` and
//! compared by `presswatch diff --watch`.
//!
//! Version 1 is the baseline the watch started from: its first fetch, or the
//! baseline file as presswatch first found it (written by hand). An article's
//! versions are its texts, a listing's or feed's versions its item lists.

use std::collections::HashSet;

use chrono::DateTime;
use chrono_tz::Tz;

use crate::alert::{Alert, NotAlerted};
use crate::compare::{self, Rules};
use crate::config::{Config, Watch, WatchKind};
use crate::document::{Document, Item};
use crate::extract;
use crate::integrity::AlteredText;
use crate::notify::render;
use crate::scheduler::ago;
use crate::store::{self, EventKind, Origin, State, WatchEvent, WatchState};

/// One kept version of a watch.
#[derive(Debug, Clone)]
pub struct Version {
    /// Its number: 1 for the watch's first version, counting up.
    pub seq: i64,
    /// SHA-256 of its compared content (an article's text; a listing's item
    /// keys and titles, its keys alone for a version an older presswatch
    /// stored).
    pub sha256: String,
    /// Unix time it was stored.
    pub stored_at: i64,
    /// Where it came from.
    pub origin: Origin,
    /// What it holds.
    pub content: Content,
    /// Set when its stored text no longer hashes to the SHA-256 it was
    /// stored under (altered after presswatch kept it): whatever shows the
    /// text says so beside it.
    pub altered: Option<AlteredText>,
    /// Of an item list of a watch with keywords: the keys of the new items
    /// its check alerted (those that mention a keyword); `None` when every
    /// new item was (no keywords), or not recorded (an older presswatch).
    pub alerted: Option<HashSet<String>>,
    /// Its chain digest ([`crate::integrity::chain`]), the record an alert
    /// about it carries; `None` for a version not chained yet (an older
    /// presswatch stored it since this one last opened the database).
    pub record: Option<String>,
    /// Of an article's text: why its change sent no alert, when one would
    /// have but for that (site chrome, no keyword); `None` when it alerted,
    /// or was the watch's first version.
    pub quiet: Option<NotAlerted>,
}

/// What a version holds.
#[derive(Debug, Clone)]
pub enum Content {
    /// An article's text.
    Article(Box<Document>),
    /// A listing's or feed's items.
    Items(Vec<Item>),
}

/// `2026-05-14 09:00:07 UTC`: Unix time in the configured zone, with its
/// zone, to the second: a version's time is evidence, exact as stored.
/// `history` and `verify` say a version's time so.
pub(crate) fn when(t: i64, tz: Tz) -> String {
    DateTime::from_timestamp(t, 0)
        .map(|d| {
            d.with_timezone(&tz)
                .format("%Y-%m-%d %H:%M:%S %Z")
                .to_string()
        })
        .unwrap_or_else(|| t.to_string())
}

impl Version {
    /// An article version's text (`None` for a listing's items).
    pub fn document(&self) -> Option<&Document> {
        match &self.content {
            Content::Article(d) => Some(d),
            Content::Items(_) => None,
        }
    }

    /// `version 2 (stored 2026-05-14 09:00:07 UTC)`.
    fn named(&self, tz: Tz) -> String {
        format!("version {} (stored {})", self.seq, when(self.stored_at, tz))
    }

    /// Its record as alerts show it, `3f2a91c0…e1d254c9`
    /// ([`crate::integrity::chain::short`]), or `-` when it has none yet.
    pub fn record_short(&self) -> String {
        self.record
            .as_deref()
            .map_or_else(|| "-".to_string(), crate::integrity::chain::short)
    }

    /// Where a watch's first version came from, in words.
    fn baseline_label(&self) -> &'static str {
        match self.origin {
            Origin::File => "baseline (hand-written file)",
            Origin::Fetched => "baseline (first fetch)",
            Origin::Afresh => AFRESH,
        }
    }

    /// `812 words`, `14 items` or `    1 item ` (the column keeps its width).
    fn size(&self) -> String {
        match &self.content {
            Content::Article(d) => match d.word_count() {
                1 => format!("{:>5} word ", 1),
                n => format!("{n:>5} words"),
            },
            Content::Items(items) => match items.len() {
                1 => format!("{:>5} item ", 1),
                n => format!("{n:>5} items"),
            },
        }
    }
}

/// The versions of a watch still kept, oldest first.
pub fn versions(state: &State, watch: &Watch) -> Result<Vec<Version>, String> {
    let rows = state.versions(&watch.name).map_err(|e| e.to_string())?;
    let mut out = Vec::with_capacity(rows.len());
    for row in rows {
        let body = state
            .version_body(&watch.name, row.seq)
            .map_err(|e| e.to_string())?
            .ok_or_else(|| {
                format!(
                    "watch {}: version {} has no stored text",
                    watch.name, row.seq
                )
            })?;
        let altered = AlteredText::check(&watch.name, row.seq, &row.body_sha256, &body);
        let content = if stored_as_article(&body, &row, watch.kind) {
            Content::Article(Box::new(Document::from_baseline(&body)))
        } else {
            Content::Items(store::items_of_baseline(&body))
        };
        // An article's `alerted` says why it did not alert; an item
        // list's, which of its new items did.
        let (alerted, quiet) = match &content {
            Content::Article(_) => (
                None,
                row.alerted.as_deref().and_then(NotAlerted::from_record),
            ),
            Content::Items(_) => (
                row.alerted
                    .map(|keys| keys.lines().map(str::to_string).collect()),
                None,
            ),
        };
        out.push(Version {
            seq: row.seq,
            sha256: row.sha256,
            stored_at: row.stored_at,
            origin: row.origin,
            content,
            altered,
            alerted,
            quiet,
            record: row.chain.map(|c| c.digest),
        });
    }
    Ok(out)
}

/// Whether a kept version is an article's text (else a listing's or feed's
/// item list), as it was stored, whatever the watch's `kind` says now (a
/// watch made a listing keeps its article's versions, and the other way
/// round). Its stored text says so: presswatch writes every article text
/// with its `SHA256:` header line, and no item list with one; and only an
/// article's version records how its page was read. A baseline file taken
/// as version 1 (`Origin::File`) says nothing of its kind when written by
/// hand: it is read as the watch's kind now.
fn stored_as_article(body: &str, row: &store::VersionRow, kind: WatchKind) -> bool {
    let header = body.split("\n\n").next().unwrap_or_default();
    if row.reading.is_some() || header.lines().any(|l| l.starts_with("SHA256: ")) {
        return true;
    }
    row.origin == Origin::File && kind == WatchKind::Article
}

/// How a version taken as a new baseline with no alert, the watch started
/// afresh ([`Origin::Afresh`]), is named.
const AFRESH: &str = "new baseline, no alert (the watch started afresh: --reset-baseline, or its kind or url changed)";

/// What changed from one version to the next, as an alert would say it;
/// for a version the watch started afresh from, that it is a new baseline
/// no alert reported (or, of another kind, that the watch became it). Of a
/// keyword watch's item list, the new items its alert named are told from
/// those it left out, mentioning no keyword ([`Version::alerted`]).
pub fn change_line(prev: &Version, v: &Version, rules: &Rules) -> String {
    let same_kind = matches!(
        (&prev.content, &v.content),
        (Content::Article(_), Content::Article(_)) | (Content::Items(_), Content::Items(_))
    );
    if same_kind && v.origin == Origin::Afresh {
        return AFRESH.to_string();
    }
    match (&prev.content, &v.content) {
        (Content::Article(a), Content::Article(b)) => {
            let line = compare::compare(a, b, rules)
                .map(|c| c.summary)
                .unwrap_or_else(|| "no change that alerts".to_string());
            match &v.quiet {
                Some(why) => format!("{line}; {}", why.record()),
                None => line,
            }
        }
        (Content::Items(a), Content::Items(b)) => {
            let (mut new, dropped) = item_changes(a, b);
            let mut unmatched = Vec::new();
            if let Some(alerted) = &v.alerted {
                (new, unmatched) = new.into_iter().partition(|i| alerted.contains(&i.key));
            }
            let mut parts = Vec::new();
            if !new.is_empty() {
                let titles: Vec<String> = new.iter().take(3).map(|i| item_name(i)).collect();
                let more = if new.len() > 3 {
                    format!(" and {} more", new.len() - 3)
                } else {
                    String::new()
                };
                parts.push(format!(
                    "{}: {}{more}",
                    crate::text::plural(new.len(), "new item", "new items"),
                    titles.join("; ")
                ));
            }
            if !unmatched.is_empty() {
                parts.push(crate::alert::not_alerted(unmatched.len()));
            }
            if !dropped.is_empty() {
                parts.push(format!(
                    "{} no longer listed",
                    crate::text::plural(dropped.len(), "item", "items")
                ));
            }
            let retitled = retitled_items(a, b);
            if !retitled.is_empty() {
                let pairs: Vec<String> = retitled
                    .iter()
                    .take(3)
                    .map(|(old, new)| format!("{} → {}", quoted_title(&old.title), quoted_title(&new.title)))
                    .collect();
                let more = if retitled.len() > 3 {
                    format!(" and {} more", retitled.len() - 3)
                } else {
                    String::new()
                };
                parts.push(format!(
                    "{} retitled: {}{more}",
                    crate::text::plural(retitled.len(), "item", "items"),
                    pairs.join("; ")
                ));
            }
            if parts.is_empty() {
                "the same items".to_string()
            } else {
                parts.join("; ")
            }
        }
        (Content::Article(_), Content::Items(_)) => {
            "the watch became a listing or feed: its item list, not compared with the article's text before".to_string()
        }
        (Content::Items(_), Content::Article(_)) => {
            "the watch became an article: its text, not compared with the item list before".to_string()
        }
    }
}

/// An item as a line names it: its title, else its URL.
fn item_name(item: &Item) -> String {
    if item.title.is_empty() {
        item.url.clone()
    } else {
        quoted_title(&item.title)
    }
}

/// A title quoted as alerts quote a passage: “ ” around an English or
/// French one, « » around a Persian or Arabic one
/// ([`crate::text::quote_marks`]), which is also isolated so that it keeps
/// its order in the line around it.
fn quoted_title(title: &str) -> String {
    crate::text::quoted(title, &crate::text::bidi_isolate(title))
}

/// The items of `b` not in `a`, and those of `a` no longer in `b`: told
/// apart by the rule the new-item alert uses ([`extract::same_stories`]),
/// so that a story the feed gave a new id is neither.
fn item_changes<'a>(a: &'a [Item], b: &'a [Item]) -> (Vec<&'a Item>, Vec<&'a Item>) {
    let pairs = extract::same_stories(a, b);
    let listed = extract::still_listed(a, &pairs);
    (
        new_stories(b, &pairs).into_iter().map(|i| &b[i]).collect(),
        a.iter()
            .filter(|i| !listed.contains(i.key.as_str()))
            .collect(),
    )
}

/// The items of `b` (indexes, in its order) that are new stories, as the
/// new-item alert counts them: paired with no item before (`pairs`, from
/// [`extract::same_stories`]), each story once ([`extract::once_each`]: a
/// story the feed filed twice in one check, under two ids, is one).
fn new_stories(b: &[Item], pairs: &[Option<usize>]) -> Vec<usize> {
    let unpaired = (0..b.len()).filter(|&i| pairs[i].is_none()).collect();
    extract::once_each(b, unpaired)
}

/// The items listed in both `a` and `b` (as [`extract::same_stories`]
/// pairs them) under titles that read differently
/// ([`crate::retitle::title_key`]: spelling, case and punctuation aside),
/// each as (before, after), in `b`'s order. An item with no title on either
/// side (a feed item named by its link) is not retitled.
fn retitled_items<'a>(a: &'a [Item], b: &'a [Item]) -> Vec<(&'a Item, &'a Item)> {
    let mut seen = HashSet::new();
    b.iter()
        .zip(extract::same_stories(a, b))
        .filter(|(i, _)| seen.insert(i.key.as_str()))
        .filter_map(|(i, p)| Some((&a[p?], i)))
        .filter(|(old, new)| {
            !old.title.is_empty()
                && !new.title.is_empty()
                && crate::retitle::title_key(&old.title) != crate::retitle::title_key(&new.title)
        })
        .collect()
}

/// A listing's or feed's item list as a document, one block per item (its
/// title, else its URL), in the list's order: how the evidence viewer shows
/// it, with [`items_marks`] marking what changed.
pub fn items_document(items: &[Item]) -> Document {
    let mut doc = Document::default();
    for i in items {
        let text = if i.title.is_empty() { &i.url } else { &i.title };
        doc.blocks.push(crate::document::Block {
            kind: crate::document::BlockKind::ListItem,
            text: text.clone(),
        });
    }
    if doc.blocks.iter().any(|b| crate::text::is_rtl(&b.text)) {
        doc.dir = Some("rtl".into());
    }
    doc
}

/// What changed from item list `a` to `b`, as block changes of their
/// [`items_document`]s: each new item added (a story filed twice once,
/// as the alert counts it), each item no longer listed
/// removed, and each retitled item's title as a word diff (the old and the
/// new headline's words), in `b`'s order, then the removed.
pub fn items_marks(a: &[Item], b: &[Item], rules: &Rules) -> Vec<compare::BlockChange> {
    let pairs = extract::same_stories(a, b);
    let listed = extract::still_listed(a, &pairs);
    let retitled: std::collections::HashMap<&str, &Item> = retitled_items(a, b)
        .into_iter()
        .map(|(old, new)| (new.key.as_str(), old))
        .collect();
    let block = |i: &Item| {
        items_document(std::slice::from_ref(i)).blocks[0]
            .text
            .clone()
    };
    let new: HashSet<usize> = new_stories(b, &pairs).into_iter().collect();
    let mut out = Vec::new();
    let mut shown = HashSet::new();
    for (j, (i, pair)) in b.iter().zip(&pairs).enumerate() {
        if !shown.insert(i.key.as_str()) {
            continue;
        }
        match (*pair, retitled.get(i.key.as_str())) {
            // The second filing of a story new in this version.
            (None, _) if !new.contains(&j) => {}
            (None, _) => out.push(compare::BlockChange::Added {
                new_index: j,
                text: block(i),
                after: None,
            }),
            (Some(old_index), Some(old)) => out.push(compare::BlockChange::Changed {
                old_index,
                new_index: j,
                segments: compare::word_diff(&old.title, &i.title, rules),
            }),
            (Some(_), None) => {}
        }
    }
    let mut gone = HashSet::new();
    for (n, i) in a.iter().enumerate() {
        if !listed.contains(i.key.as_str()) && gone.insert(i.key.as_str()) {
            out.push(compare::BlockChange::Removed {
                old_index: n,
                text: block(i),
                after: None,
            });
        }
    }
    out
}

/// How a watch's next version comes about, for a watch that has only one.
fn how_versions_come(watch: &Watch, config: &Config) -> String {
    let when = match watch.kind {
        WatchKind::Article => "when a check finds a change of the text, headline or byline",
        WatchKind::Listing | WatchKind::Feed => {
            "when a check finds new items or a story retitled (as a `retitled` alert says it)"
        }
    };
    format!(
        "A new version is stored {when}; `presswatch diff --config {config} --watch {name}` then shows \
         what changed.",
        config = config.path.display(),
        name = watch.name
    )
}

/// What to say of a watch whose checks fail, from its state `st` at Unix
/// time `now` (`None` while its last check worked): how many failed in a
/// row and when the last did, since when (its last check that worked, or
/// none ever did), the last error as the state records it, whole, and the
/// command that checks it now and shows what fails. `history` says it under
/// a watch's versions (or that it has none yet); `status` says it under its
/// table in the words of [`failing_in_brief`].
pub fn failing(config: &Config, watch: &str, st: &WatchState, now: i64) -> Option<String> {
    failing_with(config, watch, st, now, false)
}

/// What [`failing`] says, for `status`'s lines under its table: an error
/// longer than [`ERROR_SHOWN`] characters (a TLS or HTTP error with a long
/// chain of causes) is cut in the middle, keeping its start (what failed)
/// and its end (what to do), and the `history` command that shows it whole
/// is named.
pub fn failing_in_brief(config: &Config, watch: &str, st: &WatchState, now: i64) -> Option<String> {
    failing_with(config, watch, st, now, true)
}

/// An error of at most this many characters is shown whole by `status`;
/// a longer one is cut in the middle to about this many.
pub const ERROR_SHOWN: usize = 480;

fn failing_with(
    config: &Config,
    watch: &str,
    st: &WatchState,
    now: i64,
    brief: bool,
) -> Option<String> {
    if st.failures == 0 {
        return None;
    }
    let failed = match (st.failures, st.last_check) {
        (1, Some(t)) => format!("its last check failed ({})", ago(Some(t), now)),
        (1, None) => "its last check failed".to_string(),
        (n, Some(t)) => format!(
            "its last {n} checks failed (the last {})",
            ago(Some(t), now)
        ),
        (n, None) => format!("its last {n} checks failed"),
    };
    let since = match st.last_ok {
        Some(t) => format!("the last that worked was {}", ago(Some(t), now)),
        None => "none has worked yet".to_string(),
    };
    let error = st
        .last_error
        .as_deref()
        .map_or("not recorded", |e| e.trim_end_matches('.'));
    let name = crate::text::shell_word(watch);
    let (error, whole) = match brief.then(|| cut_in_the_middle(error, ERROR_SHOWN)) {
        Some(Some(cut)) => (
            cut,
            format!(
                " `{}` shows the whole error;",
                config.command(&format!("history {name}"))
            ),
        ),
        _ => (error.to_string(), String::new()),
    };
    Some(format!(
        "watch {watch}: {failed}; {since}. Last error: {error}.{whole} `{}` checks it now and shows what fails",
        config.command(&format!("check --watch {name}"))
    ))
}

/// `s` cut to about `max` characters when it is longer (`None` when it is
/// not): its first third and its last two thirds kept, each ending at a
/// space, with ` … ` between them. A span in backticks (a command to run)
/// is never cut.
fn cut_in_the_middle(s: &str, max: usize) -> Option<String> {
    let total = s.chars().count();
    if total <= max {
        return None;
    }
    // The spaces outside backticks, where a cut may fall: each one's byte
    // offset and how many characters come before it, counted in one pass.
    let mut in_code = false;
    let spaces: Vec<(usize, usize)> = s
        .char_indices()
        .enumerate()
        .filter_map(|(before, (i, c))| {
            in_code ^= c == '`';
            (c == ' ' && !in_code).then_some((i, before))
        })
        .collect();
    let head_end = spaces
        .iter()
        .take_while(|&&(_, before)| before <= max / 3)
        .last()?
        .0;
    let tail_start = spaces
        .iter()
        .find(|&&(i, before)| i > head_end && total - before <= max - max / 3)?
        .0;
    Some(format!("{} … {}", &s[..head_end], &s[tail_start + 1..]))
}

/// The table `presswatch history WATCH` prints at Unix time `now`: one
/// line per version with what changed since the one before, as an alert
/// would say it, and the takedowns, restores and moves between them. A
/// watch whose latest checks fail is told so after them (or, with no
/// version yet, after saying so), as `status` tells it ([`failing`]).
pub fn table(state: &State, config: &Config, watch: &Watch, now: i64) -> Result<Shown, String> {
    let versions = versions(state, watch)?;
    if versions.is_empty() {
        let st = state.watch(&watch.name).map_err(|e| e.to_string())?;
        let failing = failing(config, &watch.name, &st, now)
            .map(|line| line + "\n")
            .unwrap_or_default();
        return Ok(Shown::sound(format!(
            "watch {}: no versions recorded yet (its first check stores its baseline as version 1)\n{failing}",
            watch.name
        )));
    }
    let events = state.events(&watch.name).map_err(|e| e.to_string())?;
    let rules = watch.rules();
    // Each event after the version it refers to (the text held when taken
    // down, the text that came back); in time order otherwise.
    let mut lines: Vec<((i64, u8, i64), String)> = Vec::new();
    for (i, v) in versions.iter().enumerate() {
        let change = match i.checked_sub(1).map(|p| &versions[p]) {
            None if v.seq == 1 => v.baseline_label().to_string(),
            None => "oldest version kept (earlier ones were pruned)".to_string(),
            Some(p) => change_line(p, v, &rules),
        };
        lines.push((
            (v.seq, 0, v.stored_at),
            format!(
                "{:>4}  {}  {}  record {:<17}  {}  {}",
                v.seq,
                when(v.stored_at, config.daemon.timezone),
                &v.sha256[..v.sha256.len().min(12)],
                v.record_short(),
                v.size(),
                change
            ),
        ));
    }
    for e in &events {
        lines.push(((e.version, 1, e.at), event_line(e, config.daemon.timezone)));
    }
    lines.sort_by_key(|(order, _)| *order);
    let mut out: String = lines.into_iter().map(|(_, l)| l + "\n").collect();
    if versions.len() == 1 && versions[0].seq == 1 {
        out.push_str(&format!(
            "Only the baseline so far. {}\n",
            how_versions_come(watch, config)
        ));
    }
    let st = state.watch(&watch.name).map_err(|e| e.to_string())?;
    if let Some(line) = failing(config, &watch.name, &st, now) {
        out.push_str(&line);
        out.push('\n');
    }
    Ok(Shown {
        output: out,
        altered: warnings(config, &versions),
    })
}

/// What `history` prints, and a warning for each version it shows whose
/// stored text was altered since it was kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shown {
    /// The text to print.
    pub output: String,
    /// One line each ([`AlteredText::named_warning`]), for stderr: the
    /// command exits 1 after printing the text.
    pub altered: Vec<String>,
}

impl Shown {
    fn sound(output: String) -> Shown {
        Shown {
            output,
            altered: Vec::new(),
        }
    }
}

/// The warnings of the altered versions among `versions`, naming the
/// command that lists every such record.
fn warnings<'a>(config: &Config, versions: impl IntoIterator<Item = &'a Version>) -> Vec<String> {
    let verify = config.command("verify");
    versions
        .into_iter()
        .filter_map(|v| v.altered.as_ref())
        .map(|a| a.named_warning(&verify))
        .collect()
}

/// A takedown, restore or move as a history line.
fn event_line(e: &WatchEvent, tz: Tz) -> String {
    let (what, version) = match e.kind {
        EventKind::TakenDown => ("taken down", "the text held is version"),
        EventKind::Restored => ("restored", "its text is version"),
        EventKind::Moved { .. } => ("moved", "the text at the new address is version"),
    };
    format!(
        "{:>4}  {}  {what}: {} ({version} {})",
        "·",
        when(e.at, tz),
        e.detail,
        e.version
    )
}

/// The stored text of one version, as `presswatch history --show V` prints
/// it: a line naming it, then the text in the baseline format (a listing's
/// items one per line).
pub fn show(state: &State, config: &Config, watch: &Watch, seq: i64) -> Result<Shown, String> {
    let versions = versions(state, watch)?;
    let v = find(&versions, &watch.name, seq)?;
    let body = state
        .version_body(&watch.name, seq)
        .map_err(|e| e.to_string())?
        .unwrap_or_default();
    let origin = if v.seq == 1 || v.origin == Origin::Afresh {
        format!(", {}", v.baseline_label())
    } else {
        String::new()
    };
    let record = v
        .record
        .as_deref()
        .map(|r| {
            format!(
                "\nRecord {} (version {}): the chain digest its alert carries\n",
                crate::integrity::chain::short(r),
                v.seq
            )
        })
        .unwrap_or_default();
    Ok(Shown {
        output: format!(
            "watch {}: {}{origin}\n{record}\n{body}",
            watch.name,
            v.named(config.daemon.timezone)
        ),
        altered: warnings(config, [v]),
    })
}

/// The kept version `seq`, or an error naming those kept.
fn find<'a>(versions: &'a [Version], watch: &str, seq: i64) -> Result<&'a Version, String> {
    versions.iter().find(|v| v.seq == seq).ok_or_else(|| {
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
}

/// What `presswatch diff` prints, and whether the two versions differ.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diff {
    /// The text (or JSON) to print.
    pub output: String,
    /// True when they differ in a way that alerts.
    pub changed: bool,
    /// A warning for each of the two kept versions compared whose stored
    /// text was altered since it was kept ([`AlteredText::named_warning`]),
    /// for stderr: the command exits 1 after printing the diff.
    pub altered: Vec<String>,
}

/// `presswatch diff --watch`: two kept versions of a watch, compared with its
/// rules (`rules`, the watch's own with any extra `--ignore`). `from`
/// defaults to the version before `to`, `to` to the latest. A watch with
/// one version or none gets an answer saying so, not an error.
pub fn diff(
    state: &State,
    config: &Config,
    watch: &Watch,
    from: Option<i64>,
    to: Option<i64>,
    rules: &Rules,
    json: bool,
) -> Result<Diff, String> {
    let versions = versions(state, watch)?;
    let only = match versions.as_slice() {
        [] if from.is_none() && to.is_none() => Some(format!(
            "watch {} has no versions yet: its first check stores its baseline as version 1.",
            watch.name
        )),
        [v] if from.is_none() && to.is_none_or(|t| t == v.seq) => Some(format!(
            "watch {} has only its {}, {}: there is nothing to compare it with yet. {}",
            watch.name,
            v.baseline_label(),
            v.named(config.daemon.timezone),
            how_versions_come(watch, config)
        )),
        _ => None,
    };
    if let Some(message) = only {
        let output = if json {
            serde_json::to_string_pretty(&serde_json::json!({
                "changed": false,
                "versions": versions.iter().map(version_json).collect::<Vec<_>>(),
                "message": message,
            }))
            .map_err(|e| e.to_string())?
                + "\n"
        } else {
            message + "\n"
        };
        return Ok(Diff {
            output,
            changed: false,
            altered: Vec::new(),
        });
    }
    let to = match to {
        Some(seq) => find(&versions, &watch.name, seq)?,
        None => versions.last().ok_or_else(|| {
            format!(
                "watch {} has no versions yet: its first check stores its baseline as version 1",
                watch.name
            )
        })?,
    };
    let from = match from {
        Some(seq) => find(&versions, &watch.name, seq)?,
        None => versions
            .iter()
            .rev()
            .find(|v| v.seq < to.seq)
            .ok_or_else(|| {
                format!(
                    "watch {}: version {} is the oldest kept; name --from and --to",
                    watch.name, to.seq
                )
            })?,
    };
    // What follows reads as an alert; for a new baseline no alert reported,
    // the header says so first.
    let afresh = if to.origin == Origin::Afresh {
        format!(
            "version {} is a {AFRESH}: what follows is what changed, not an alert that was sent\n",
            to.seq
        )
    } else if let Some(why) = &to.quiet {
        // A version kept with no alert (its change mentions no keyword,
        // or is only the site's chrome): staff were not told of it.
        format!(
            "version {} was stored with no alert ({}): what follows is what changed, not an alert that was sent\n",
            to.seq,
            why.reason()
        )
    } else {
        String::new()
    };
    let header = format!(
        "watch {}: {} → {}\n{afresh}\n",
        watch.name,
        from.named(config.daemon.timezone),
        to.named(config.daemon.timezone)
    );
    let mut d = match (&from.content, &to.content) {
        (Content::Article(a), Content::Article(b)) => documents(
            a,
            b,
            rules,
            json,
            &About {
                watch: &watch.name,
                url: watch.url.as_str(),
                outlet: &watch.outlet_named(b.site_name.as_deref().or(a.site_name.as_deref())),
                detected_at: Some(rfc3339(to.stored_at)),
            },
            &render::Context::of(config),
        )?,
        (Content::Items(a), Content::Items(b)) => items(a, b, json)?,
        _ => {
            let what = |v: &Version| match v.content {
                Content::Article(_) => format!("version {} is an article's text", v.seq),
                Content::Items(_) => {
                    format!("version {} is a listing's or feed's item list", v.seq)
                }
            };
            return Err(format!(
                "watch {}: {} and {} (the watch's kind changed between them): they cannot be \
                 compared; name --from and --to of one kind (`presswatch history` lists them)",
                watch.name,
                what(from),
                what(to).replacen(" is ", " ", 1)
            ));
        }
    };
    if json {
        // Which versions, when stored, beside what changed.
        let mut v: serde_json::Value =
            serde_json::from_str(&d.output).map_err(|e| e.to_string())?;
        v["from"] = version_json(from);
        v["to"] = version_json(to);
        d.output = serde_json::to_string_pretty(&v).map_err(|e| e.to_string())? + "\n";
    } else {
        d.output = header + &d.output;
    }
    let compared: &[&Version] = if from.seq == to.seq {
        &[to]
    } else {
        &[from, to]
    };
    d.altered = warnings(config, compared.iter().copied());
    Ok(d)
}

/// A version's number, time and origin as JSON.
fn version_json(v: &Version) -> serde_json::Value {
    serde_json::json!({
        "version": v.seq,
        "stored_at": rfc3339(v.stored_at),
        "origin": v.origin.as_str(),
    })
}

fn rfc3339(t: i64) -> String {
    DateTime::from_timestamp(t, 0)
        .unwrap_or_default()
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// The change between two listings' item lists: new items, items no
/// longer listed, and items retitled (old and new title).
fn items(a: &[Item], b: &[Item], json: bool) -> Result<Diff, String> {
    let (new, dropped) = item_changes(a, b);
    let retitled = retitled_items(a, b);
    let changed = !new.is_empty() || !retitled.is_empty();
    let output = if json {
        let list = |items: &[&Item]| {
            items
                .iter()
                .map(|i| serde_json::json!({ "title": i.title, "url": i.url, "key": i.key }))
                .collect::<Vec<_>>()
        };
        let retitled: Vec<serde_json::Value> = retitled
            .iter()
            .map(|(old, new)| {
                serde_json::json!({
                    "old_title": old.title,
                    "new_title": new.title,
                    "url": new.url,
                    "key": new.key,
                })
            })
            .collect();
        serde_json::to_string_pretty(&serde_json::json!({
            "changed": changed,
            "new": list(&new),
            "no_longer_listed": list(&dropped),
            "retitled": retitled,
        }))
        .map_err(|e| e.to_string())?
            + "\n"
    } else {
        let mut out = String::new();
        for (label, list) in [("new", &new), ("no longer listed", &dropped)] {
            if list.is_empty() {
                continue;
            }
            out.push_str(&format!(
                "{} {label}:\n",
                crate::text::plural(list.len(), "item", "items")
            ));
            for i in list.iter() {
                out.push_str(&format!("* {}\n  {}\n", i.title, i.url));
            }
        }
        if !retitled.is_empty() {
            out.push_str(&format!(
                "{} retitled:\n",
                crate::text::plural(retitled.len(), "item", "items")
            ));
            for (old, new) in &retitled {
                out.push_str(&format!(
                    "* {}\n  → {}\n  {}\n",
                    old.title, new.title, new.url
                ));
            }
        }
        if out.is_empty() {
            out.push_str("No change: the same items\n");
        }
        out
    };
    Ok(Diff {
        output,
        changed,
        altered: Vec::new(),
    })
}

/// What a compared pair of documents is, for the text of their change.
pub struct About<'a> {
    /// The watch (empty for two files: no watch is signed).
    pub watch: &'a str,
    /// The new version's URL or file.
    pub url: &'a str,
    /// The outlet.
    pub outlet: &'a str,
    /// When the new version was stored (RFC 3339); `None` for two files,
    /// of which no time says when a change was found.
    pub detected_at: Option<String>,
}

/// The change between two documents as `presswatch diff` prints it: the
/// alert's text (rendered in `ctx`) with every change, none cut (`diff` is
/// the command a cut alert names to show them all), or with `json`
/// everything an alert is built from.
pub fn documents(
    a: &Document,
    b: &Document,
    rules: &Rules,
    json: bool,
    about: &About,
    ctx: &render::Context,
) -> Result<Diff, String> {
    let change = compare::compare(a, b, rules);
    let output = if json {
        let v = match &change {
            // The same keys either way, so that a script reads one shape.
            None => serde_json::json!({
                "changed": false,
                "kind": null,
                "kinds": [],
                "summary": "No change",
                "added": [],
                "removed": [],
                "headline": null,
                "byline": null,
                "stats": compare::Stats::default(),
                "blocks": [],
                "other_prose": [],
            }),
            Some(c) => serde_json::json!({
                "changed": true,
                "kind": c.kind(),
                "kinds": c.kinds,
                "summary": c.summary,
                "added": c.added_text(),
                "removed": c.removed_text(),
                "headline": c.headline,
                "byline": c.byline,
                "stats": c.stats,
                "blocks": c.blocks,
                "other_prose": c.other_prose,
            }),
        };
        serde_json::to_string_pretty(&v).map_err(|e| e.to_string())? + "\n"
    } else {
        match &change {
            None => "No change\n".to_string(),
            Some(c) => render::text(
                &Alert {
                    title: b.headline().or(a.headline()).map(str::to_string),
                    byline: b.byline.clone(),
                    change: Some(c.clone()),
                    lang: b.lang.clone().or_else(|| a.lang.clone()),
                    // A comparison, not an alert: no id to show (the id of
                    // the alert sent about a version is in the outbox).
                    ..Alert::new(
                        String::new(),
                        about.watch.to_string(),
                        about.url.to_string(),
                        about.outlet.to_string(),
                        c.kind(),
                        c.summary.clone(),
                        about.detected_at.clone().unwrap_or_default(),
                    )
                },
                &render::Context {
                    whole: true,
                    ..ctx.clone()
                },
            ),
        }
    };
    Ok(Diff {
        output,
        changed: change.is_some(),
        altered: Vec::new(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_title_is_quoted_as_its_language_quotes() {
        assert_eq!(
            quoted_title("Court hears the appeal"),
            "\u{201C}Court hears the appeal\u{201D}"
        );
        assert_eq!(
            quoted_title("دادگاه تجدیدنظر تشکیل شد"),
            "«\u{2067}دادگاه تجدیدنظر تشکیل شد\u{2069}»"
        );
    }

    /// An error cut for `status` keeps its start and its end, each ending
    /// at a space, never cutting inside a command in backticks; one short
    /// enough is not cut.
    #[test]
    fn an_error_is_cut_in_the_middle_at_spaces_never_inside_backticks() {
        assert_eq!(cut_in_the_middle("short enough", 40), None);
        let words: Vec<String> = (0..30).map(|i| format!("w{i:02}")).collect();
        let error = format!(
            "{} `openssl s_client -connect example.org:443` {}",
            words[..10].join(" "),
            words[10..].join(" ")
        );
        let cut = cut_in_the_middle(&error, 90).expect("a long error is cut");
        assert!(cut.starts_with("w00 w01 "), "{cut}");
        assert!(cut.ends_with(" w28 w29"), "{cut}");
        let (head, tail) = cut.split_once(" … ").expect(&cut);
        assert!(error.starts_with(head) && error.ends_with(tail), "{cut}");
        assert!(cut.chars().count() <= 90 + 3, "{cut}");
        assert_eq!(cut.matches('`').count() % 2, 0, "{cut}");
        // The command falls where the start ends: kept whole or left out.
        let cut = cut_in_the_middle(&error, 120).expect("a long error is cut");
        assert_eq!(cut.matches('`').count() % 2, 0, "{cut}");
        assert!(
            !cut.contains('`') || cut.contains("`openssl s_client -connect example.org:443`"),
            "{cut}"
        );
    }
}
