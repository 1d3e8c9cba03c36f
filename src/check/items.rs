//! A listing's or feed's check: its items read from the page or feed,
//! those not seen before, retitles, the watch's keywords, the articles of a
//! `follow = true` watch's new items (tried again when they cannot be read),
//! and the errors that say what to check: no items, not a feed, far fewer
//! items than before, a page gone.

use std::collections::{HashMap, HashSet};

use chrono::Utc;

use crate::alert::Alert;
use crate::compare::ChangeKind;
use crate::config::{Watch, WatchKind};
use crate::document::{Item, Masthead};
use crate::extract;
use crate::fetch::{Fetched, NetworkPolicy};
use crate::http_header::Validators;
use crate::retitle;
use crate::store::{self, FollowTry, WatchState};

use super::keep::{evidence, file_version, snapshot_of, FollowTries, Keep, NewBaseline};
use super::{base_alert, fetch, CheckResult, Context, Keywords, Outcome};

/// A listing's or feed's check; `afresh` when the watch starts afresh
/// (`super::starts_afresh`): its baseline is not read, and the check is a
/// first one.
pub(super) async fn check_items(
    ctx: &Context,
    watch: &Watch,
    st: &mut WatchState,
    afresh: bool,
) -> CheckResult {
    // The first check records the items and alerts nothing: no item was ever
    // seen and the watch has no baseline file listing items.
    let first = afresh
        || !ctx.baselines.exists(&watch.name)
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
                        // A listing page that says itself why it holds no
                        // links (an empty body, a PDF or an image; a body
                        // that is no HTML, whatever its label: JSON, a feed,
                        // a sitemap, plain text) is told so, not sent to
                        // look for a selector.
                        if entries.is_empty() {
                            let no_page =
                                super::no_web_page(&resp).or_else(|| super::not_html(&resp));
                            if let Some(why) = no_page {
                                return Err(format!("no story links found on {url}: {why}"));
                            }
                        }
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
            // (which a person may write by hand), and those seen before. A
            // watch started afresh has none: its baseline is of another
            // kind or page.
            let listed = if afresh {
                Vec::new()
            } else {
                work_ctx
                    .baselines
                    .read_items(&name)
                    .map_err(|e| format!("reading the baseline {e}"))?
                    .unwrap_or_default()
            };
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
                        (i, Mention::of(&keywords, &listed, text.unwrap_or("")))
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
            alerted: None,
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
                alerted: None,
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
                new_items.push((items.len(), Mention::default()));
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
    // New items none of which mentions a keyword: where their line stands
    // in `details`, and how many.
    let mut unalerted_new = None;
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
            Alert::several_items_title(ChangeKind::NewItems, n, &outlet)
        });
        a.outlet = outlet;
        a.lang = masthead.lang.clone();
        a.items = matched
            .iter()
            .take(Alert::MAX_ITEMS)
            .map(|(i, mention)| {
                let i = *i;
                let mut it = items[i].clone();
                // The link staff click and forward; the item keeps its
                // link as served where it is recorded.
                it.url = crate::tracking::without_tracking(&it.url);
                if let Some(note) = notes.get(&i) {
                    it.snippet = Some(with_teaser(note, it.snippet.as_deref()));
                }
                crate::alert::AlertItem {
                    item: it,
                    keywords: mention.keywords.clone(),
                    passage: mention.passage.clone(),
                }
            })
            .collect();
        a.items_total = n;
        a.keywords = watch
            .keywords
            .iter()
            .filter(|k| matched.iter().any(|(_, m)| m.keywords.contains(k)))
            .cloned()
            .collect();
        details.push(a.summary.clone());
        alerts.push(a);
    } else if new_count > 0 {
        // What became of them is said once the version is known (below).
        unalerted_new = Some((details.len(), new_count));
        details.push(String::new());
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
    // Which new items the alert named, for the version's record: with
    // keywords, those that mention one (or could not be read to look).
    let alerted = (!watch.keywords.is_empty()).then(|| {
        matching
            .iter()
            .map(|&i| items[i].key.clone())
            .collect::<Vec<_>>()
    });
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
        alerted,
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
    let page = crate::evidence::pages::page_path(&watch.name, version);
    for a in &mut alerts {
        a.evidence = evidence(ctx, version, &page, None);
    }
    if let Some((at, count)) = unalerted_new {
        let stored = latest.as_ref().map_or(0, |v| v.seq) < version;
        details[at] = unalerted_line(count, stored.then_some(version), ctx.dry_run);
    }
    let detail = details.join("; ");
    Ok((outcome, detail, alerts, keep))
}

/// The line of a check whose `count` new items mention no keyword: no
/// alert went out, but the items are kept, as `version` (`None` when the
/// check stores none): staff reading "none mentions a keyword" should not
/// take it that nothing was recorded.
fn unalerted_line(count: usize, version: Option<i64>, dry_run: bool) -> String {
    let n = crate::text::plural(count, "new item", "new items");
    match version {
        Some(_) if dry_run => {
            format!("{n}, none mentions a keyword (no alert; a dry run records no version)")
        }
        Some(v) => format!("{n}, none mentions a keyword (no alert; recorded as version {v})"),
        None => format!("{n}, none mentions a keyword (no alert)"),
    }
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
        extract::NotAFeed::NotText { .. } => format!(
            "the `url` of watch {name} is not the feed's address (a site's logo, a document or \
             another file published beside the feed is often copied by mistake). Open the site in \
             a browser and copy the feed's address: a link marked RSS or Feed, or the address in \
             the page source's <link rel=\"alternate\" type=\"application/rss+xml\">; set `url` of \
             watch {name} to it"
        ),
        extract::NotAFeed::SitemapIndex { count, first } => format!(
            "a sitemap index lists sitemaps, not pages: set `url` of watch {name} to one of its \
             sitemaps, the one that lists the newest stories (a news sitemap), which a feed watch \
             reads as a feed{}",
            super::article::sitemaps_named(*count, first)
        ),
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
/// earlier check (the titles of those seen, by key), by the rule
/// [`extract::same_stories`] states: by key, or by own link and title;
/// a story filed twice counted once ([`extract::once_each`]).
/// Linear in the number of items: sets of the keys and links, and a batched
/// lookup of the links seen (as stored, and as an older presswatch stored
/// them: unnormalised).
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
    let own = extract::own_links(items);
    let mut by_link: Vec<&str> = unseen
        .iter()
        .filter_map(|&i| own[i].as_deref().map(|link| [link, items[i].url.as_str()]))
        .flatten()
        .collect();
    if by_link.is_empty() {
        return Ok(extract::once_each(items, unseen));
    }
    by_link.sort_unstable();
    by_link.dedup();
    let known: HashSet<(String, String)> = ctx
        .state
        .seen_links(watch, &by_link)
        .map_err(|e| e.to_string())?
        .into_iter()
        .chain(listed.iter().map(|it| (it.url.clone(), it.title.clone())))
        .map(|(url, title)| extract::link_and_title(&url, &title))
        .collect();
    let unseen = unseen
        .into_iter()
        .filter(|&i| {
            !own[i].as_ref().is_some_and(|link| {
                known.contains(&(link.clone(), crate::text::match_key(&items[i].title)))
            })
        })
        .collect();
    Ok(extract::once_each(items, unseen))
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
        .filter_map(|mut r| {
            // Each title apart: a keyword phrase whose words end the old
            // title and start the new one is none.
            let rest = format!("{}\n{}", r.new_title, r.snippet.as_deref().unwrap_or(""));
            r.keywords = keywords.mentioned(&r.old_title, &rest);
            mentioned.extend(r.keywords.iter().cloned());
            (watch.keywords.is_empty() || !r.keywords.is_empty()).then_some(r)
        })
        .collect();
    let first = news.first()?;
    let n = news.len();
    let summary = if n == 1 {
        format!(
            "Retitled from {}",
            crate::text::quoted(&first.old_title, &first.old_title)
        )
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
        Alert::several_items_title(ChangeKind::Retitled, n, outlet)
    });
    a.outlet = outlet.to_string();
    a.keywords = watch
        .keywords
        .iter()
        .filter(|k| mentioned.contains(k))
        .cloned()
        .collect();
    a.retitled = news
        .into_iter()
        .take(Alert::MAX_ITEMS)
        .map(|mut r| {
            r.url = crate::tracking::without_tracking(&r.url);
            r
        })
        .collect();
    Some(a)
}

/// The keywords a new item mentions, and where it shows them.
#[derive(Debug, Default)]
struct Mention {
    /// The watch's keywords it mentions, in the order the config lists them.
    keywords: Vec<String>,
    /// When its title and teaser do not mention one of `keywords`: the
    /// passage of its text (a feed's full text, its followed article) that
    /// does, for the alert to show why it matched.
    passage: Option<String>,
}

impl Mention {
    /// The keywords an item mentions where it is `listed` (its title and
    /// teaser) or in its `text` (a feed's full text, a followed article's
    /// headline and text), with the passage of `text` that holds those of
    /// them `listed` does not.
    fn of(keywords: &Keywords, listed: &str, text: &str) -> Mention {
        let all = keywords.mentioned(listed, text);
        if all.is_empty() || text.is_empty() {
            return Mention {
                keywords: all,
                passage: None,
            };
        }
        let shown = keywords.mentioned(listed, "");
        let unshown: Vec<String> = all.iter().filter(|k| !shown.contains(k)).cloned().collect();
        Mention {
            passage: keywords.passage(text, &unshown),
            keywords: all,
        }
    }
}

/// What [`matching_items`] found among a check's new items.
struct Matched {
    /// The items that pass the watch's keyword filter (all when it has
    /// none), in page order, each with the keywords it mentions.
    matching: Vec<(usize, Mention)>,
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
    new_items: Vec<(usize, Mention)>,
) -> Matched {
    let policy = NetworkPolicy::for_links_of(watch);
    let mut out = Matched {
        matching: Vec::with_capacity(new_items.len()),
        unread: Vec::new(),
    };
    for (i, listed_match) in new_items {
        if watch.keywords.is_empty() || !listed_match.keywords.is_empty() {
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
            Ok(mentioned) if !mentioned.keywords.is_empty() => out.matching.push((i, mentioned)),
            Ok(_) => {}
            Err(why) => out.unread.push((i, why)),
        }
    }
    out
}

/// Fetches and extracts the article of a new item of a `follow = true`
/// watch: the keywords it mentions (in its headline or text) with the
/// passage that holds one, or why it could not be read.
async fn read_followed(
    ctx: &Context,
    watch: &Watch,
    url: &url::Url,
    policy: &NetworkPolicy,
) -> Result<Mention, String> {
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
        // The headline first: a keyword in it says most about the story.
        let read = match doc.title.as_deref() {
            Some(title) => format!("{title}\n{text}"),
            None => text,
        };
        Ok(Mention::of(&keywords, "", &read))
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
    matched: &mut Vec<(usize, Mention)>,
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
            matched.push((i, Mention::default()));
            notes.insert(i, unread_note(tried, true, &why));
        } else if tried >= FOLLOW_TRIES {
            tracing::warn!(watch = %watch.name, url = %it.url, error = %why, tries = tried, "cannot read a new item's article to look for the keywords: alerting the item unread");
            matched.push((i, Mention::default()));
            notes.insert(i, unread_note(tried, false, &why));
        } else {
            tracing::warn!(watch = %watch.name, url = %it.url, error = %why, tries = tried, "cannot read a new item's article to look for the keywords: trying it again on the next check");
            retry.insert(i);
        }
    }
    matched.sort_by_key(|(i, _)| *i);
    retry
}
