//! An article's check: the page fetched, extracted and compared with its
//! baseline (read again by this presswatch when an upgrade or a new
//! `selector` reads pages otherwise), a page switching back and forth
//! between two versions, a missing baseline file restored from the history,
//! and what to check when a page yields no article text.

use chrono::Utc;

use crate::alert::NotAlerted;
use crate::compare::{self, ChangeKind, Rules};
use crate::config::Watch;
use crate::document::Document;
use crate::extract;
use crate::fetch::{Fetched, Response};
use crate::http_header::Validators;
use crate::store::{Baselines, EventKind, NewEvent, State, StateError, VersionRow, WatchState};

use super::cut_short::{cut_short, ends_properly};
use super::keep::{
    evidence, file_version, snapshot_of, version_page, version_snapshot, Keep, NewBaseline,
};
use super::moved::moved_there_before;
use super::not_a_page;
use super::page_facts::PageFacts;
use super::paywall::{behind_a_paywall, first_check_note, lifted, Lifted, PageSigns};
use super::site::confined_to_chrome;
use super::takedown::{
    for_now_to_a_gate, for_now_to_another_site, for_now_within_the_site, gone, names_a_gate,
    never_worked, sent_to_a_gate, sign_in_form, takedowns_and_restores, taken_down, Gate,
};
use super::{article_alert, fetch, now_rfc3339, rfc3339, CheckResult, Context, Keywords, Outcome};

pub(super) async fn check_article(
    ctx: &Context,
    watch: &Watch,
    st: &mut WatchState,
) -> CheckResult {
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
    // Sent for now to a sign-in, consent or subscription page of the site
    // that will lead back to the story: kept from it for a while, not a
    // takedown.
    if for_now_to_a_gate(watch, &resp) {
        return Err(sent_to_a_gate(&watch.url, &resp.final_url, Gate::Address));
    }
    // A page of the site a redirect for now led to, which may be a sign-in
    // form: told below, by what it says.
    let may_sign_in = for_now_within_the_site(watch, &resp) && sign_in_form(None, &resp.body);
    let mut gone_unless_signing_in = None;
    if let Some(how) = gone(watch, &resp) {
        if st.last_ok.is_none() {
            // Nothing was ever there to take down: most often a mistyped URL.
            return Err(never_worked(ctx, watch, &resp, has_baseline));
        }
        // Sent for now to another site's front, or to a page of this one
        // with a password field: told below, by what it serves.
        if may_sign_in {
            gone_unless_signing_in = Some(how);
        } else if !for_now_to_another_site(watch, &resp) {
            return taken_down(ctx, watch, st, how, resp).await;
        }
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
    // A redirect of any kind (a 302 to the section page while the story is
    // pulled) to an address the watch's page did not come from before is
    // the story only if the page there carries it.
    let elsewhere = new_move
        || redirected_elsewhere(
            ctx,
            watch,
            st,
            &resp.final_url,
            latest.as_ref(),
            &moved_before,
        );
    let (state, kept_last, dry_run) = (ctx.state.clone(), latest.clone(), ctx.dry_run);
    let (watch_url, front) = (watch.url.clone(), gone_unless_signing_in.is_some());
    // With no response kept, what later checks need to know of the page.
    let note_facts = !ctx.config.daemon.raw_snapshots;
    let (found, from_file, not_the_story, signs_in, stand_in, cut, unwalled, listing_note, facts, resp) = ctx
        .cpu_bound(move || {
            let baseline = match restored_file {
                Some(body) => Some(Document::from_baseline(&body)),
                None => behind_the_history(&baselines, &state, &name, kept_last.as_ref(), dry_run)?,
            };
            // The page decoded once: extraction and the paywall's tests read it.
            let html = resp.text();
            // A body that is no web page, whatever its label says (JSON, a
            // sitemap, plain text): no baseline of it on a first check, and
            // no version of the story where the page kept last was a web
            // page (a document its server names as none is told below).
            let body_kind = no_web_page(&resp)
                .is_none()
                .then(|| extract::not_html(&html))
                .flatten();
            if let Some(what) = &body_kind {
                let refused = match &baseline {
                    None => not_a_page::refused_first(&resp, what, &name, selector.as_deref())
                        .map(|why| format!("no article text found at {}: {why}", resp.final_url)),
                    Some(_) => kept_last
                        .as_ref()
                        .and_then(|v| not_a_page::kept_page_was_html(&state, &name, v))
                        .filter(|&was_html| was_html)
                        .map(|_| not_a_page::in_place_of_the_article(&resp, &html, what)),
                };
                if let Some(error) = refused {
                    return Err(error);
                }
            }
            let doc = match extract_article(&resp, &html, selector.as_deref(), &name) {
                Ok(doc) => doc,
                // A sign-in form says too little to be read as an article.
                Err(_) if may_sign_in => {
                    return Err(sent_to_a_gate(&watch_url, &resp.final_url, Gate::SignIn))
                }
                Err(e) => return Err(e),
            };
            // A baseline the history does not hold yet (written by hand, or
            // kept from before the history began) becomes version 1.
            let from_file = baseline
                .as_ref()
                .filter(|_| first_version)
                .map(|b| (b.to_baseline(&url, ""), b.content_hash()));
            let found = against(doc, baseline, &rules, restoring);
            let not_the_story = elsewhere
                && matches!(&found, Against::Changed(page) if !compare::same_story(&page.old, &page.doc));
            // A sign-in form where a redirect for now within the site led,
            // in place of the story (or before any was read).
            let signs_in = may_sign_in
                && match &found {
                    Against::Changed(page) => {
                        (not_the_story || front)
                            && sign_in_form(Some(&page.doc), &resp.body)
                    }
                    // With no story to have lost, a short page with a
                    // log-in box in its header is no gate: its path says.
                    Against::First { doc, .. } => {
                        names_a_gate(&resp.final_url) && sign_in_form(Some(doc), &resp.body)
                    }
                    Against::Same => false,
                };
            // What came may be no version of the story: a "not found" page
            // or a bot check served with 200 in its place.
            let stand_in = match &found {
                Against::Changed(page) => compare::stand_in(&page.doc, Some(&page.old), &resp.body),
                Against::First { doc, .. } => compare::stand_in(doc, None, &resp.body),
                Against::Same => None,
            };
            // A page that stops before its end, where the page kept last
            // ended properly, and that lost the story's end with it, is no
            // version of the story either.
            let cut = match &found {
                Against::Changed(page) if lost_its_end(&page.old, &page.doc) => {
                    cut_short(&state, &name, kept_last.as_ref(), &resp.final_url, &resp.body)
                }
                _ => None,
            };
            // The page's paywall signs, read once if at all: for a paywall's
            // teaser or one lifted, for what a first check tells ops of a
            // paywall, and for the page facts a version keeps when its
            // response is not kept.
            let page_signs = PageSigns::new(&html);
            // A page that keeps only the story's first paragraphs, behind a
            // paywall it did not show before, is no version of it either.
            let cut = cut.or_else(|| match &found {
                Against::Changed(page) => behind_a_paywall(
                    &state,
                    &name,
                    kept_last.as_ref(),
                    &resp.final_url,
                    &page.old,
                    &page.doc,
                    &page_signs,
                ),
                _ => None,
            });
            // A page that shows the whole story, where the baseline was kept
            // from its paywall's teaser: only the part the baseline held is
            // compared. On a first check, what ops are told of a paywall.
            let unwalled = match (&found, &cut) {
                (Against::Changed(page), None) if !restoring => lifted(
                    &state,
                    &name,
                    kept_last.as_ref(),
                    &page.old,
                    &page.old_hash,
                    &page.doc,
                    &page_signs,
                    &rules,
                )
                .map(|l| Unwalled::Lifted(Box::new(l))),
                (Against::First { .. }, _) => first_check_note(page_signs.get()).map(Unwalled::First),
                _ => None,
            };
            // A first check's tiny article on a page of many story links is
            // most likely a listing's teaser read as a story.
            let listing_note = match &found {
                Against::First { doc, .. } if selector.is_none() => {
                    extract::reads_as_listing(&html, &resp.final_url, doc.word_count())
                        .map(|stories| format!("; {}", listing_not_article(doc.word_count(), stories)))
                }
                _ => None,
            };
            let facts = (note_facts && !matches!(found, Against::Same)).then(|| {
                PageFacts {
                    ended: ends_properly(&resp.body),
                    bytes: resp.body.len(),
                    paywall: page_signs.into_signs(),
                    html: Some(body_kind.is_none()),
                }
                .to_json()
            });
            drop(html);
            Ok::<_, String>((
                found,
                from_file,
                not_the_story,
                signs_in,
                stand_in,
                cut,
                unwalled,
                listing_note,
                facts,
                resp,
            ))
        })
        .await??;
    if signs_in {
        return Err(sent_to_a_gate(&watch.url, &resp.final_url, Gate::SignIn));
    }
    // A redirect to the site's front that is no sign-in form after all.
    if let Some(how) = gone_unless_signing_in {
        return taken_down(ctx, watch, st, how, resp).await;
    }
    match stand_in {
        Some(compare::StandIn::Wall(title)) => {
            return Err(walled(&resp.final_url, &watch.name, &title))
        }
        Some(compare::StandIn::Unavailable(said)) => return Err(unavailable(&resp, &said)),
        Some(compare::StandIn::NotFound(said)) => {
            let how = format!(
                "The article's page now says {} (HTTP {})",
                crate::text::quoted(&said, &said),
                resp.status
            );
            return taken_down(ctx, watch, st, how, resp).await;
        }
        None => {}
    }
    if let Against::Changed(_) = &found {
        // A redirect, permanent or temporary, to a page that is not the
        // story (a section page, a tag page, another story) is the story
        // gone from where it was cited, not a move nor an edit.
        if not_the_story {
            // Sent for now to another site (a consent, login or regional
            // page): the site keeps the story from presswatch, it has not
            // pulled it.
            if for_now_to_another_site(watch, &resp) {
                return Err(sent_to_another_site(watch, &resp.final_url));
            }
            let how = format!(
                "The article now redirects to {}, which does not carry its text",
                resp.final_url
            );
            return taken_down(ctx, watch, st, how, resp).await;
        }
    }
    if let Some(error) = cut {
        return Err(error);
    }
    // A change may be, in part or whole, this presswatch reading pages
    // otherwise than the one that kept the baseline.
    let read_now = match &found {
        Against::Changed(page) if !restoring && unwalled.is_none() => {
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
            facts,
            quiet: None,
        })
    };
    let (doc, hash, old, old_hash, mut change) = match found {
        Against::First { doc, hash } => {
            let walled = match unwalled {
                Some(Unwalled::First(note)) => note,
                _ => String::new(),
            };
            let detail = format!(
                "first check: baseline {} ({}, {}), no alert{walled}{}",
                if ctx.dry_run {
                    "found (dry run: not stored)"
                } else {
                    "stored"
                },
                crate::text::plural(doc.blocks.len(), "paragraph", "paragraphs"),
                crate::text::plural(doc.word_count(), "word", "words"),
                listing_note.unwrap_or_default()
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
    // The baseline was a paywall's teaser and the page is the whole story:
    // the paragraphs the paywall hid are no news, only an edit of what the
    // baseline held is.
    let mut revealed = None;
    if let Some(Unwalled::Lifted(lifted)) = unwalled {
        let Lifted {
            change: held_change,
            held,
            of,
            revealed: more,
            sign,
        } = *lifted;
        let what = format!(
            "the story's full text is now readable: the baseline was kept behind a paywall ({sign}), \
             {held} of its {of} paragraphs"
        );
        if held_change.is_none() {
            tracing::info!(watch = %watch.name, "watch {}: {what}; taken as the baseline, no alert", watch.name);
            keep.baseline = accept(doc, hash);
            return Ok((
                Outcome::Unchanged,
                format!("{what}: taken as the baseline, no alert"),
                vec![],
                keep,
            ));
        }
        tracing::info!(watch = %watch.name, "watch {}: {what}; only its edits are reported", watch.name);
        revealed = Some(format!(
            ". The rest of the story, which a paywall hid when the baseline was kept, is now readable \
             ({more} more {}, not reported as added)",
            if more == 1 { "paragraph" } else { "paragraphs" }
        ));
        change = held_change;
    }
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
    let read_anew = if !restored && compare::only_undecoded_characters_read(&old, &doc) {
        // A baseline read before the page's encoding was detected (a
        // legacy encoding served as UTF-8) held U+FFFD where the page has
        // letters.
        Some("characters the baseline could not read are now read (the page's encoding was detected): taken silently")
    } else if change.is_none() && !restored {
        Some("the page reads otherwise with this presswatch than when the baseline was kept, and the baseline's kept response, read again, matches the page now: baseline taken silently")
    } else {
        None
    };
    if let Some(why) = read_anew {
        keep.baseline = accept(doc, hash);
        return Ok((Outcome::Unchanged, why.into(), vec![], keep));
    }
    // A change confined to the site's chrome (a "most read" box rotated on
    // the site's other watched pages), or one that mentions none of the
    // watch's keywords: kept as evidence, not alerted. Its version says
    // why, so `history` and the evidence viewer do not read as if staff had
    // been told of it.
    let mut mentioned = Vec::new();
    let mut unalerted = None;
    if let Some(c) = change.as_ref().filter(|_| !restored) {
        if let Some(chrome) = confined_to_chrome(ctx, watch, &old, &doc, c, &watch.rules()).await {
            unalerted = Some(NotAlerted::SiteChrome {
                pages: chrome.pages,
            });
        } else {
            // Paragraph by paragraph, a line each: a keyword phrase across
            // two paragraphs is none.
            mentioned = Keywords::of(&watch.keywords).mentioned("", &c.touched_text());
            if !watch.keywords.is_empty() && mentioned.is_empty() {
                unalerted = Some(NotAlerted::NoKeyword);
            }
        }
        if let Some(why) = unalerted {
            let line = why.check_line();
            keep.baseline = accept(doc, hash);
            if let Some(NewBaseline::Article { quiet, .. }) = &mut keep.baseline {
                *quiet = Some(why);
            }
            let stored = if ctx.dry_run {
                "dry run: not stored".to_string()
            } else {
                format!("stored as version {}", keep.version_after(latest.as_ref()))
            };
            return Ok((
                Outcome::Unchanged,
                format!("{line}: {}; {stored}, no alert", c.summary),
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
        (Some(c), false) => format!("{}{}", c.summary, revealed.unwrap_or_default()),
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
        &crate::evidence::pages::page_path(&watch.name, shown),
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

/// Whether the story's last paragraph (`old`'s) is missing from the page
/// (`new`): what a page cut before its end loses, whatever else it lost.
fn lost_its_end(old: &Document, new: &Document) -> bool {
    let Some(last) = old.blocks.last() else {
        return false;
    };
    let last = crate::text::compare_key(&last.text);
    !new.blocks
        .iter()
        .any(|b| crate::text::compare_key(&b.text) == last)
}

/// The error of an article whose URL redirects for now (302, 303, 307) to
/// `landed`, on another site, whose page does not carry the story:
/// a consent, login or regional step most often, which keeps the story from
/// presswatch rather than takes it down. A failed check.
fn sent_to_another_site(watch: &Watch, landed: &url::Url) -> String {
    let host = landed.host_str().unwrap_or_default();
    format!(
        "{url} redirects for now to {landed}, on another site ({host}), which does not carry the article's \
         text: most often a consent, login or regional page; presswatch keeps the baseline and tries again \
         at the next check. If it lasts, open the URL in a browser from the machine presswatch runs on",
        url = watch.url,
    )
}

/// Whether the page fetched for `watch` came, through redirects, from
/// `landed`, an address its accepted page did not come from: neither the
/// watch's URL nor, as the newest version's kept response says, where the
/// URL led when that version was fetched (a redirect the watch always had,
/// to a slug, a consent step or a tracking URL, is where the story is).
/// Addresses are compared as [`crate::fetch::same_resource`] does. A watch
/// that never worked led nowhere before; with no kept response to tell, a
/// permanent redirect known before (or from before moves were recorded) is
/// where the story was.
fn redirected_elsewhere(
    ctx: &Context,
    watch: &Watch,
    st: &WatchState,
    landed: &url::Url,
    latest: Option<&VersionRow>,
    moved_before: &Option<String>,
) -> bool {
    use crate::fetch::same_resource;
    if same_resource(&watch.url, landed) || st.last_ok.is_none() {
        return false;
    }
    let kept = latest.and_then(|v| version_snapshot(&ctx.state, &watch.name, v.seq).ok()?);
    match kept.and_then(|s| url::Url::parse(&s.final_url).ok()) {
        Some(before) => !same_resource(&before, landed),
        None => {
            let known = moved_before
                .as_deref()
                .and_then(|to| url::Url::parse(to).ok())
                .is_some_and(|to| same_resource(&to, landed));
            !(known || st.moves_unknown)
        }
    }
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

/// What a check learned of a paywall, besides whether the page is behind
/// one ([`behind_a_paywall`]).
enum Unwalled {
    /// The first check's page shows a paywall's sign: what its detail adds.
    First(String),
    /// The baseline was kept from a paywall's teaser, and the page is the
    /// whole story.
    Lifted(Box<Lifted>),
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
    // Letters the baseline could not read, now read, are no change but
    // are taken into the baseline (see `check`).
    if change.is_none() && !restoring && !compare::only_undecoded_characters_read(&old, &doc) {
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
        let (kept, html) = version_page(&state, &name, seq)?;
        let url = url::Url::parse(&kept.final_url).ok();
        let old = extract::watched_article(&html, url.as_ref(), selector.as_deref());
        let change = compare::compare(&old, &doc, &rules);
        Some(ReadNow { old, change })
    });
    read.await.ok().flatten()
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

/// The error of an article watch served a maintenance or "temporarily
/// unavailable" page, or a database error, that says `said`, in place of
/// the article ([`compare::StandIn::Unavailable`]): a failed check.
fn unavailable(resp: &Response, said: &str) -> String {
    let said = crate::text::clean(said);
    let said = match said.char_indices().nth(160) {
        Some((at, _)) => format!("{}…", &said[..at]),
        None => said,
    };
    format!(
        "{url}: the site served a maintenance or error page instead of the article (it says “{said}”, HTTP {status}): \
         the site is down for now; presswatch keeps the baseline and tries again at the next check. If it lasts, \
         open the URL in a browser",
        url = resp.final_url,
        status = resp.status,
    )
}

/// The baseline the page is compared with: the baseline file's (or row's),
/// unless the history holds a newer text than it. A check stores its
/// versions before it writes the baseline ([`super::keep::store`]), so one
/// stopped between the two (killed, the disk full) leaves the baseline a
/// version behind: the newest version is then the baseline, written back
/// (not in a dry run), and the page is compared with what was last stored,
/// not found changed again from the text before.
///
/// Whether it is behind is told by content hashes ([`Document::content_hash`],
/// what the history keeps of each version as `sha256`), which the baseline's
/// text has whatever its bytes (a hand-written file, one an older
/// presswatch wrote): the newest version's body is read only when the
/// baseline holds the version before it ([`Behind`]).
fn behind_the_history(
    baselines: &Baselines,
    state: &State,
    name: &str,
    latest: Option<&VersionRow>,
    dry_run: bool,
) -> Result<Option<Document>, String> {
    let text = baselines
        .text(name)
        .map_err(|e| format!("reading the baseline {e}"))?;
    let (text, latest) = match (text, latest) {
        (Some(text), Some(latest)) => (text, latest),
        (text, _) => return Ok(text.map(|t| Document::from_baseline(&t))),
    };
    let baseline = Document::from_baseline(&text);
    // The newest version's very bytes, or its text written otherwise: the
    // usual case, nothing more read.
    if crate::document::sha256_hex(text.as_bytes()) == latest.body_sha256 {
        return Ok(Some(baseline));
    }
    let hash = baseline.content_hash();
    if hash == latest.sha256 {
        return Ok(Some(baseline));
    }
    let before = if latest.seq > 1 {
        let newest = state
            .newest_versions(name, 2)
            .map_err(|e| format!("reading the history of watch {name}: {e}"))?;
        newest
            .into_iter()
            .find(|v| v.seq < latest.seq)
            .map(|v| v.sha256)
    } else {
        None
    };
    if Behind::of(&hash, latest, before.as_deref()) == Behind::No {
        return Ok(Some(baseline));
    }
    let Ok(Some(kept)) = state.version_body(name, latest.seq) else {
        return Ok(Some(baseline));
    };
    // An article's text (not an item list the watch kept as a listing),
    // other than the baseline's (a hand-written baseline file the history
    // took as version 1 holds the same text, written otherwise).
    let header = kept.split("\n\n").next().unwrap_or_default();
    if !header.lines().any(|l| l.starts_with("SHA256: ")) {
        return Ok(Some(baseline));
    }
    let newest = Document::from_baseline(&kept);
    if newest.content_hash() == hash {
        return Ok(Some(baseline));
    }
    let seq = latest.seq;
    tracing::warn!(watch = %name, version = seq, "watch {name}: the baseline is not version {seq}, the newest of its history (a check stopped between storing the version and writing the baseline): the page is compared with version {seq}, written back as the baseline");
    if !dry_run {
        baselines.write(name, &kept).map_err(|e| {
            format!("writing version {seq} of watch {name} back as its baseline: {e}")
        })?;
    }
    Ok(Some(newest))
}

/// Whether a baseline whose content hash is not the newest version's can
/// be a version behind the history, as a check stopped between storing its
/// version and writing the baseline leaves it.
#[derive(Debug, PartialEq, Eq)]
enum Behind {
    /// It holds the version before the newest: it is behind.
    Yes,
    /// It is no version behind: the newest version is the file's own
    /// (version 1, which a check stopped before it wrote the baseline
    /// leaves with no baseline at all), or the baseline holds another text
    /// than the version before (edited by hand): it is the baseline.
    No,
    /// The version before the newest is not kept (`keep_versions = 1`):
    /// only the newest version's text can tell.
    Unknown,
}

impl Behind {
    /// `hash`: the baseline's content hash, not `latest`'s; `before`: the
    /// content hash of the version before `latest`, when it is kept.
    fn of(hash: &str, latest: &VersionRow, before: Option<&str>) -> Behind {
        match before {
            _ if hash == latest.sha256 || latest.seq <= 1 => Behind::No,
            Some(before) if before == hash => Behind::Yes,
            Some(_) => Behind::No,
            None => Behind::Unknown,
        }
    }
}

/// Puts back the baseline file of an article watch that went missing while
/// its history holds versions (a deploy that wiped `baseline/`, a restore
/// from an old backup): the latest version is the accepted one, so the
/// check compares the page with it, as if the file had been there, rather
/// than storing the page as a first baseline and missing any edit made in
/// between. Writes the file back (not in a dry run) and logs a warning
/// naming the watch and the file. Returns the restored baseline text;
/// `None` when nothing was missing, for a watch being reset
/// ([`super::reset_baseline`]), and with PostgreSQL, whose baselines are rows of
/// its database (a file there is only an import).
async fn restore_missing_baseline(ctx: &Context, watch: &Watch) -> Result<Option<String>, String> {
    if !ctx.baselines.in_files()
        || ctx.resetting.contains(&watch.name)
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

/// Extracts the article of a response, its body decoded as `html`, failing
/// when there is no text.
fn extract_article(
    resp: &Response,
    html: &str,
    selector: Option<&str>,
    name: &str,
) -> Result<Document, String> {
    if let Some(why) = not_an_article_page(resp, selector) {
        return Err(format!(
            "no article text found at {}: {why}",
            resp.final_url
        ));
    }
    let mut doc = extract::watched_article(html, Some(&resp.final_url), selector);
    // The page's own declaration first, then the server's; neither over the
    // script of the text.
    let declared = doc.lang.take().or_else(|| resp.content_language());
    doc.lang = crate::text::declared_language(declared.as_deref(), &doc.text());
    if doc.blocks.is_empty() {
        // A bot check with no paragraph at all is no matter of selectors.
        match compare::stand_in(&doc, None, &resp.body) {
            Some(compare::StandIn::Wall(title)) => {
                return Err(walled(&resp.final_url, name, &title))
            }
            Some(compare::StandIn::Unavailable(said)) => return Err(unavailable(resp, &said)),
            _ => {}
        }
        return Err(format!(
            "no article text found at {}{}",
            resp.final_url,
            no_text_hint(resp, selector)
        ));
    }
    Ok(doc)
}

/// Why a response is no article page, whatever a detection would read in
/// it, said before it is read: its bytes as text would make a baseline of
/// noise, and each new fetch an alert. A document its server names as no
/// web page whose bytes are no markup either (a PDF, an image; a page
/// whose server labels it wrongly is read), or a feed, which a watch of
/// its kind reads (unless a `selector` picks its text).
fn not_an_article_page(resp: &Response, selector: Option<&str>) -> Option<String> {
    if let Some(why) = no_web_page(resp).filter(|_| !looks_like_markup(&resp.body)) {
        return Some(why);
    }
    if selector.is_some() || !may_be_a_feed(resp) {
        return None;
    }
    let items = extract::feed(&resp.body, resp.content_type.as_deref(), &resp.final_url)
        .map_or(0, |items| items.len());
    (items > 0).then(|| feed_not_article(items))
}

/// What to check when a response yielded no article text: see
/// [`no_web_page`], or else the `selector`.
fn no_text_hint(resp: &Response, selector: Option<&str>) -> String {
    if let Some(why) = no_web_page(resp) {
        format!(": {why}")
    } else if selector.is_some() {
        " (does the selector still match?)".to_string()
    } else {
        " (set `selector` for this watch)".to_string()
    }
}

/// Why a response holds no article text whatever the detection or a
/// selector would do, when it says so itself: an empty body, or a document
/// its server names as no web page (a PDF, an image, a download). A check's
/// error and `presswatch extract` say it alike.
pub fn no_web_page(resp: &Response) -> Option<String> {
    let mime = resp.media_type();
    let web_page = mime.is_empty()
        || mime.starts_with("text/")
        || mime.contains("html")
        || mime.contains("xml");
    if resp.body.is_empty() {
        Some(format!(
            "the server sent an empty body (HTTP {}); if it persists, check the URL in a browser",
            resp.status
        ))
    } else if !web_page {
        Some(format!(
            "it serves {mime}, not a web page; watch the page that links to it, or the feed that lists it"
        ))
    } else {
        None
    }
}

/// Why a body holds no links to read, whatever a selector would pick,
/// told by its text whatever its server labels it ([`extract::not_html`]:
/// JSON, a feed, an XML sitemap or another XML document, a CSV table,
/// plain text), and what to watch instead: a listing's check and
/// `presswatch extract` say it alike, where they would send a user to look
/// for a selector.
pub fn not_html(resp: &Response) -> Option<String> {
    let what = extract::not_html(&resp.text())?;
    let instead = match &what {
        extract::NotHtml::Feed => "watch it with kind = \"feed\"".to_string(),
        extract::NotHtml::Sitemap {
            index,
            count,
            first,
        } => sitemap_instead(*index, *count, first),
        _ => "watch the web page that lists the stories (the address a browser shows for it), or \
              the site's feed with kind = \"feed\""
            .to_string(),
    };
    Some(format!(
        "{}, not a web page: it has no links to read, whatever the selector; {instead}",
        what_is_served(resp, &what)
    ))
}

/// Why a body holds no article, told by its text whatever its server
/// labels it ([`extract::not_html`]: JSON, an XML sitemap or another XML
/// document, a CSV table, plain text), and what to watch instead:
/// `presswatch extract` says it as an article watch's first check does.
pub fn not_html_article(resp: &Response) -> Option<String> {
    let what = extract::not_html(&resp.text())?;
    Some(not_a_page::not_an_article(resp, &what, None))
}

/// `it is JSON data (as an API answers), served as text/html`: what a body
/// that is no web page (`what`) is, and what its server labels it.
pub(super) fn what_is_served(resp: &Response, what: &extract::NotHtml) -> String {
    let served = match resp.media_type() {
        m if m.is_empty() => String::new(),
        m => format!(", served as {m}"),
    };
    format!("it is {}{served}", what.describe())
}

/// What to watch instead of an XML sitemap given as a listing's URL: the
/// sitemap itself as a feed (its `<urlset>` read as a feed's items), or,
/// for a `<sitemapindex>` (`index`) of `count`, one of its sitemaps (the
/// `first` named).
pub(super) fn sitemap_instead(index: bool, count: usize, first: &[String]) -> String {
    if index {
        format!(
            "a sitemap index lists sitemaps, not pages: watch one of its sitemaps with kind = \
             \"feed\", the one that lists the newest stories (a news sitemap){}",
            sitemaps_named(count, first)
        )
    } else {
        "presswatch reads a sitemap's pages as a feed's items: watch it with kind = \"feed\""
            .to_string()
    }
}

/// The `first` sitemaps of an index of `count`, as its errors name them:
/// `: they begin A, B, C, …`; empty when it names none.
pub(super) fn sitemaps_named(count: usize, first: &[String]) -> String {
    if first.is_empty() {
        return String::new();
    }
    let more = if count > first.len() { ", …" } else { "" };
    format!(": they begin {}{more}", first.join(", "))
}

/// What a feed read as an article page is, and how to watch it: a check's
/// error and `presswatch extract` say it alike.
pub fn feed_not_article(items: usize) -> String {
    format!(
        "it is a feed (RSS, Atom or JSON Feed) of {}, not an article page: watch it with kind = \"feed\"",
        crate::text::plural(items, "item", "items")
    )
}

/// What a page that reads as a listing ([`extract::reads_as_listing`]:
/// its article of `words` words, while it links to `stories` stories) may
/// be, and how to watch it: a first check's detail and `presswatch
/// extract` say it alike. Read as an article, such a page never alerts.
pub fn listing_not_article(words: usize, stories: usize) -> String {
    format!(
        "the article found is only {} while the page links to {stories} stories: it may be no article \
         but a front, section or tag page, whose stories a watch of it as an article never alerts on; \
         if so, set kind = \"listing\" on its watch (or give it a `selector` of the story's text)",
        crate::text::plural(words, "word", "words")
    )
}

/// Whether a response may be a feed, told without parsing it: its media
/// type names XML or JSON (as RSS, Atom and JSON Feed are served), or its
/// body opens as a feed does. An HTML page is never parsed as a feed.
fn may_be_a_feed(resp: &Response) -> bool {
    let mime = resp.media_type();
    if mime.contains("xml") || mime.contains("json") || mime.contains("rss") {
        return !mime.contains("html");
    }
    let start = resp.body.trim_ascii_start();
    [&b"<?xml"[..], b"<rss", b"<feed", b"<rdf:RDF"]
        .iter()
        .any(|open| start.starts_with(open))
}

/// Whether a body's first bytes are markup (`<`, after a byte order mark
/// and white space), in UTF-8 or UTF-16.
fn looks_like_markup(body: &[u8]) -> bool {
    let body = [&b"\xEF\xBB\xBF"[..], b"\xFF\xFE", b"\xFE\xFF"]
        .iter()
        .find_map(|bom| body.strip_prefix(*bom))
        .unwrap_or(body);
    body.iter()
        .find(|b| !b.is_ascii_whitespace() && **b != 0)
        .is_some_and(|b| *b == b'<')
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A PDF is known by its bytes as well as its label: a page labelled
    /// wrongly is still read when its bytes are markup, in any encoding.
    #[test]
    fn markup_is_told_by_its_first_bytes() {
        assert!(looks_like_markup(b"  \n<!DOCTYPE html><p>x"));
        assert!(looks_like_markup(b"\xEF\xBB\xBF<html>"));
        assert!(looks_like_markup(b"\xFF\xFE<\0h\0"));
        assert!(!looks_like_markup(b"%PDF-1.4\n%\xE2\xE3\xCF\xD3"));
        assert!(!looks_like_markup(b"\x89PNG\r\n"));
        assert!(!looks_like_markup(b""));
    }

    fn version(seq: i64, sha256: &str) -> VersionRow {
        VersionRow {
            seq,
            sha256: sha256.into(),
            stored_at: 0,
            origin: crate::store::Origin::Fetched,
            body_sha256: format!("body of {sha256}"),
            reading: None,
            page_facts: None,
            chain: None,
            alerted: None,
        }
    }

    /// A baseline is a version behind the history only when it holds the
    /// version before the newest, as a check stopped between storing its
    /// version and writing the baseline leaves it; the newest version's
    /// text is read only then, or when the version before is not kept.
    #[test]
    fn a_baseline_is_behind_the_history_only_when_it_holds_the_version_before_the_newest() {
        let latest = version(3, "c");
        // The newest version's text, whatever its bytes: not behind.
        assert_eq!(Behind::of("c", &latest, Some("b")), Behind::No);
        // The version before it: a check stopped before the baseline.
        assert_eq!(Behind::of("b", &latest, Some("b")), Behind::Yes);
        // Another text (edited by hand, an older version restored from a
        // backup of a single file): the baseline it is.
        assert_eq!(Behind::of("a", &latest, Some("b")), Behind::No);
        // Version 1 has nothing before it: a check that stopped before
        // writing the first baseline left none (restored as missing).
        assert_eq!(Behind::of("x", &version(1, "a"), None), Behind::No);
        // The version before not kept (`keep_versions = 1`): only the
        // newest version's text tells.
        assert_eq!(Behind::of("b", &latest, None), Behind::Unknown);
    }
}
