//! Change detection as staff rely on it: given recorded versions of an
//! English and a Persian article (tests/recordings/changes/), boilerplate
//! churn sends nothing, every edit sends exactly the alert below, and the
//! life of a watch (taken down, restored, failing, recovered, new items,
//! history) alerts once per event.

use std::path::PathBuf;

use presswatch::alert::Alert;
use presswatch::compare::{self, Change, ChangeKind, Rules};
use presswatch::document::Document;
use presswatch::extract;

use crate::support::{as_read, check_first, run, Project, Route, Server};

fn recording(lang: &str, name: &str) -> String {
    let path: PathBuf = [
        env!("CARGO_MANIFEST_DIR"),
        "tests/recordings/changes",
        lang,
        &format!("{name}.html"),
    ]
    .iter()
    .collect();
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The daemon's path for one pair: extract both, store the old one as a
/// baseline and read it back, compare with default rules.
fn diff(lang: &str, new: &str) -> Option<Change> {
    diff_between(lang, "base", new)
}

/// [`diff`] from another recorded version than `base`.
fn diff_between(lang: &str, old: &str, new: &str) -> Option<Change> {
    let old = extract::watched_article(&recording(lang, old), None, None);
    let old = Document::from_baseline(&old.to_baseline("https://news.example/a", "2026-01-01"));
    let new = extract::watched_article(&recording(lang, new), None, None);
    compare::compare(&old, &new, &Rules::default())
}

const NOISE: &[&str] = &[
    "noise-teasers-rewritten",
    "noise-list-reordered",
    "noise-ad-inserted",
    "noise-newsletter-inserted",
    "noise-scripts-changed",
    "noise-attributes-changed",
    "noise-cache-busting",
    "noise-timestamp-ticked",
    "noise-whitespace-punctuation",
    "noise-social-tags-removed",
    "noise-chrome-variant",
    "noise-consent-banner",
    "noise-lazy-loading",
];

#[test]
fn boilerplate_only_changes_send_nothing_in_english_and_persian() {
    for lang in ["en", "fa"] {
        for name in NOISE {
            assert_eq!(diff(lang, name), None, "{lang}/{name} must not alert");
        }
    }
}

#[test]
fn structured_data_that_appears_disappears_or_ticks_sends_nothing() {
    // structured-data: the page with JSON-LD (another headline for search
    // engines, two authors) and a modification time; the headline and
    // byline readers see are the same.
    for lang in ["en", "fa"] {
        for (old, new) in [
            ("base", "structured-data"),
            ("structured-data", "base"),
            ("structured-data", "noise-date-modified-ticked"),
        ] {
            assert_eq!(
                diff_between(lang, old, new),
                None,
                "{lang}: {old} -> {new} must not alert"
            );
        }
    }
}

#[test]
fn json_ld_naming_the_author_that_comes_and_goes_leaves_the_article_as_it_was() {
    // The author's card (photo, bio) closes the story, and no element is
    // marked as the byline; JSON-LD that names the author appears on one
    // fetch and not the next (an SEO plugin, an A/B variant). The article,
    // and so the alert, must not depend on it.
    let page = |json_ld: &str| {
        format!(
            r#"<html><head><title>Court blocks the river plan</title>{json_ld}</head><body>
            <article><h1>Court blocks the river plan</h1><p>Jane Doe, 2 May 2026</p>
            <p>The regional court blocked the plan to divert the river on Monday, citing the damage to farms downstream.</p>
            <p>Farmers who brought the case said they had waited three years for the ruling and would now replant.</p>
            <p>The ministry said it would study the judgment before deciding whether to appeal to the supreme court.</p>
            <div class="about"><img src="/jane.jpg" alt=""><p>Jane Doe is a reporter who has covered courts and the environment for ten years.</p>
            <p>Senior Writer</p></div></article></body></html>"#
        )
    };
    let with = page(
        r#"<script type="application/ld+json">{"@context":"https://schema.org","@type":"NewsArticle","headline":"Court blocks the river plan","author":{"@type":"Person","name":"Jane Doe"}}</script>"#,
    );
    let without = page("");
    let (a, b) = (
        extract::watched_article(&with, None, None),
        extract::watched_article(&without, None, None),
    );
    assert_eq!(a.blocks, b.blocks);
    for (old, new) in [(&with, &without), (&without, &with)] {
        let old = extract::watched_article(old, None, None);
        let old = Document::from_baseline(&old.to_baseline("https://news.example/a", "2026-01-01"));
        let new = extract::watched_article(new, None, None);
        assert_eq!(compare::compare(&old, &new, &Rules::default()), None);
    }
}

#[test]
fn headline_alerts_follow_what_readers_see_not_which_metadata_is_there() {
    for (lang, old, new) in [
        (
            "en",
            "Filmmaker Rasoulof flees Iran after prison sentence",
            "Filmmaker Rasoulof flees Iran on foot to escape prison",
        ),
        (
            "fa",
            "محمد رسول‌اف پس از حکم زندان از ایران خارج شد",
            "محمد رسول‌اف پیاده از ایران گریخت تا به زندان نرود",
        ),
    ] {
        // Only the <h1> changed; <title> and og:title still say the old one.
        let c =
            diff(lang, "edit-headline-shown-changed").expect("a visible headline change alerts");
        assert_eq!(c.kinds, vec![ChangeKind::HeadlineChanged], "{lang}");
        assert_eq!(
            c.headline,
            Some((old.to_string(), new.to_string())),
            "{lang}"
        );
        // With JSON-LD on the page, the same change is still found.
        let c = diff_between(lang, "structured-data", "edit-headline-shown-changed");
        assert_eq!(
            c.map(|c| c.kinds),
            Some(vec![ChangeKind::HeadlineChanged]),
            "{lang}"
        );
    }
}

#[test]
fn an_edit_of_prose_the_extractor_did_not_keep_is_a_possible_edit_naming_its_words() {
    // standfirst: the story's standfirst sits in the article's <header>,
    // which extraction leaves out, and teaser cards follow the article.
    for (lang, removed, added) in [("en", "eight", "ten"), ("fa", "هشت", "ده")] {
        let c = diff_between(lang, "standfirst", "edit-standfirst-changed")
            .unwrap_or_else(|| panic!("{lang}: an edit of the standfirst must alert"));
        assert_eq!(c.kinds, vec![ChangeKind::PossiblyEdited], "{lang}");
        assert_eq!(
            c.summary, "1 word changed outside the detected article (lower confidence)",
            "{lang}"
        );
        assert_eq!(c.removed_text(), vec![removed], "{lang}");
        assert_eq!(c.added_text(), vec![added], "{lang}");
        assert!(
            c.blocks.is_empty(),
            "{lang}: the article itself did not change"
        );
        assert_eq!(
            diff_between(lang, "standfirst", "noise-teaser-summaries-rewritten"),
            None,
            "{lang}: rewritten teasers and their summaries must not alert"
        );
    }
}

/// A story whose update stamp sits in a box named like the story's
/// metadata that also holds two paragraphs of the story: the safety net
/// watches the box.
fn page_with_stamp_box(stamp: &str, note: &str) -> String {
    format!(
        r#"<html><head><title>Court upholds sentence</title></head><body>
        <article><h1>Court upholds sentence</h1>
        <p>The court upheld the sentence on Monday, his lawyer told reporters outside the building.</p>
        <p>He left the country on foot and is now in Europe, where he plans to keep working as a journalist.</p>
        <p>His family said they had not been told of the hearing and learned of the ruling from the news.</p>
        </article>
        <div class="story-updated"><p>{stamp}</p>
        <p>{note}</p>
        <p>Witnesses reached by telephone described the scene; their names are withheld for their safety.</p></div>
        </body></html>"#
    )
}

#[test]
fn an_update_stamp_that_ticks_in_a_watched_box_about_the_story_sends_nothing() {
    let note = "This story was reported by our correspondent in the capital and edited in London.";
    let diff = |old: &str, new: &str, new_note: &str| {
        let old = extract::watched_article(&page_with_stamp_box(old, note), None, None);
        let old = Document::from_baseline(&old.to_baseline("https://news.example/a", "2026-01-01"));
        let new = extract::watched_article(&page_with_stamp_box(new, new_note), None, None);
        assert!(
            new.other_prose.iter().any(|p| p.text == new_note),
            "the box is watched: {:?}",
            new.other_prose
        );
        compare::compare(&old, &new, &Rules::default())
    };
    for (old, new) in [
        (
            "Last updated: 4 December 2026, 01:10 GMT",
            "Last updated: 4 December 2026, 02:25 GMT",
        ),
        (
            "Last updated on Thursday, 3 December 2026 at 23:10 GMT",
            "Last updated on Friday, 4 December 2026 at 01:10 GMT",
        ),
        ("Updated 3 minutes ago", "Updated 1 hour ago"),
        (
            "Updated 3 minutes ago by the news desk of our paper",
            "Updated 2 hours ago by the news desk of our paper",
        ),
        (
            "آخرین به‌روزرسانی: ۱۳ آذر ۱۴۰۵ - ۱۰:۳۰",
            "آخرین به‌روزرسانی: ۱۳ آذر ۱۴۰۵ - ۱۲:۴۵",
        ),
        (
            "آخرین به‌روزرسانی: پنجشنبه ۱۳ آذر ۱۴۰۵ ساعت ۱۰:۳۰",
            "آخرین به‌روزرسانی: جمعه ۱۴ آذر ۱۴۰۵ ساعت ۰۹:۱۵",
        ),
        ("به‌روز شده ۳ دقیقه پیش", "به‌روز شده ۲ ساعت پیش"),
        (
            "آخر تحديث: الخميس 3 ديسمبر 2026 الساعة 10:30",
            "آخر تحديث: الجمعة 4 ديسمبر 2026 الساعة 01:10",
        ),
        ("تم التحديث منذ 5 دقائق", "تم التحديث منذ 3 ساعات"),
        (
            "This story was last updated on 3 December 2026 at 23:10 GMT",
            "This story was last updated on 4 December 2026 at 01:10 GMT",
        ),
        (
            "این خبر آخرین بار در ۱۳ آذر ۱۴۰۵ ساعت ۱۰:۳۰ به‌روز شد",
            "این خبر آخرین بار در ۱۴ آذر ۱۴۰۵ ساعت ۰۹:۱۵ به‌روز شد",
        ),
        (
            "تم تحديث هذا الخبر في 3 ديسمبر 2026 الساعة 10:30",
            "تم تحديث هذا الخبر في 4 ديسمبر 2026 الساعة 01:10",
        ),
    ] {
        assert_eq!(diff(old, new, note), None, "{old} → {new}");
    }
    // The box is watched: an edit of its paragraph is a possible edit.
    let edited = note.replace("London", "Paris");
    let c = diff("Updated 3 minutes ago", "Updated 1 hour ago", &edited)
        .expect("an edit of the box's paragraph alerts");
    assert_eq!(c.kinds, vec![ChangeKind::PossiblyEdited]);
    assert_eq!(c.added_text(), vec!["Paris."]);
}

/// An edit and the alert it must give: kinds, summary, removed and added words.
struct Expect {
    file: &'static str,
    kinds: &'static [ChangeKind],
    summary: &'static str,
    removed: &'static [&'static str],
    added: &'static [&'static str],
}

fn check_edits(lang: &str, cases: &[Expect]) {
    for e in cases {
        let c = diff(lang, e.file).unwrap_or_else(|| panic!("{lang}/{} must alert", e.file));
        assert_eq!(c.kinds, e.kinds, "{lang}/{}", e.file);
        assert_eq!(c.summary, e.summary, "{lang}/{}", e.file);
        let removed = c.removed_text().join(" ");
        let added = c.added_text().join(" ");
        for w in e.removed {
            assert!(
                removed.contains(w),
                "{lang}/{}: removed {removed:?} lacks {w:?}",
                e.file
            );
        }
        for w in e.added {
            assert!(
                added.contains(w),
                "{lang}/{}: added {added:?} lacks {w:?}",
                e.file
            );
        }
    }
}

#[test]
fn every_english_edit_sends_its_alert_naming_the_changed_words() {
    use ChangeKind::*;
    check_edits(
        "en",
        &[
            Expect {
                file: "edit-word-changed",
                kinds: &[Edited],
                summary: "1 word changed in paragraph 2",
                removed: &["Monday"],
                added: &["Tuesday"],
            },
            Expect {
                file: "edit-paragraph-removed",
                kinds: &[Edited],
                summary: "1 paragraph removed",
                removed: &["Members of the film's crew have faced interrogation"],
                added: &[],
            },
            Expect {
                file: "edit-paragraph-added",
                kinds: &[Edited],
                summary: "1 paragraph added",
                removed: &[],
                added: &["A spokesperson for the festival confirmed on Wednesday"],
            },
            Expect {
                file: "edit-paragraph-moved",
                kinds: &[Edited],
                summary: "1 paragraph moved",
                removed: &[],
                added: &[],
            },
            Expect {
                file: "edit-headline-changed",
                kinds: &[HeadlineChanged],
                summary: "Headline changed",
                removed: &[],
                added: &[],
            },
            Expect {
                file: "edit-byline-changed",
                kinds: &[BylineChanged],
                summary: "Byline changed",
                removed: &[],
                added: &[],
            },
            Expect {
                file: "edit-correction-added",
                kinds: &[CorrectionAdded],
                summary: "Correction added; 1 paragraph added",
                removed: &[],
                added: &["Correction: An earlier version of this article misstated"],
            },
        ],
    );
    let moved = diff("en", "edit-paragraph-moved").unwrap();
    assert!(matches!(
        moved.blocks.as_slice(),
        [compare::BlockChange::Moved {
            old_index: 0,
            new_index: 3,
            ..
        }]
    ));
    let headline = diff("en", "edit-headline-changed").unwrap().headline;
    assert_eq!(
        headline,
        Some((
            "Filmmaker Rasoulof flees Iran after prison sentence".into(),
            "Filmmaker Rasoulof reaches Europe after fleeing Iran".into()
        ))
    );
}

#[test]
fn every_persian_edit_sends_its_alert_naming_the_changed_words() {
    use ChangeKind::*;
    check_edits(
        "fa",
        &[
            Expect {
                file: "edit-word-changed",
                kinds: &[Edited],
                summary: "1 word changed in paragraph 2",
                removed: &["دوشنبه"],
                added: &["سه‌شنبه"],
            },
            Expect {
                file: "edit-paragraph-removed",
                kinds: &[Edited],
                summary: "1 paragraph removed",
                removed: &["به گفته افراد نزدیک به گروه تولید"],
                added: &[],
            },
            Expect {
                file: "edit-paragraph-added",
                kinds: &[Edited],
                summary: "1 paragraph added",
                removed: &[],
                added: &["سخنگوی جشنواره روز چهارشنبه"],
            },
            Expect {
                file: "edit-paragraph-moved",
                kinds: &[Edited],
                summary: "1 paragraph moved",
                removed: &[],
                added: &[],
            },
            Expect {
                file: "edit-headline-changed",
                kinds: &[HeadlineChanged],
                summary: "Headline changed",
                removed: &[],
                added: &[],
            },
            Expect {
                file: "edit-byline-changed",
                kinds: &[BylineChanged],
                summary: "Byline changed",
                removed: &[],
                added: &[],
            },
            Expect {
                file: "edit-correction-added",
                kinds: &[CorrectionAdded],
                summary: "Correction added; 1 paragraph added",
                removed: &[],
                added: &["اصلاحیه: در نسخه پیشین این گزارش"],
            },
        ],
    );
}

fn watch_config(server: &Server, extra: &str) -> String {
    format!(
        "[daemon]\nper_host_delay = \"0s\"\nfailure_threshold = 2\nkeep_versions = 2\n{extra}\n[[watch]]\nname = \"story\"\nurl = \"{}\"\nrobots = false\n",
        server.url("/fa/news/2024/rasoulof-flees")
    )
}

/// One check of the only watch; the alerts it raised (also in the outbox).
async fn check_once(project: &Project) -> Vec<Alert> {
    check_first(project).await.alerts
}

/// An alert's text part, as email sends it.
fn text_of(alert: &Alert) -> String {
    presswatch::notify::render::text(alert, &presswatch::notify::render::Context::default())
}

fn kinds(alerts: &[Alert]) -> Vec<ChangeKind> {
    alerts.iter().map(|a| a.kind).collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_taken_down_article_alerts_once_and_again_when_restored() {
    let server = Server::start().await;
    let path = "/fa/news/2024/rasoulof-flees";
    let project = Project::new(&watch_config(&server, ""));
    server.set(path, Route::html(recording("fa", "base")));
    assert_eq!(
        check_once(&project).await,
        vec![],
        "first check stores the baseline"
    );

    server.set(path, Route::status(404));
    let gone = check_once(&project).await;
    assert_eq!(kinds(&gone), vec![ChangeKind::TakenDown]);
    assert_eq!(gone[0].summary, "The article answers HTTP 404");
    assert_eq!(
        gone[0].title.as_deref(),
        Some("محمد رسول‌اف پس از حکم زندان از ایران خارج شد")
    );
    server.set(path, Route::status(410));
    assert_eq!(
        check_once(&project).await,
        vec![],
        "still gone: no second alert"
    );

    server.set(path, Route::html(recording("fa", "noise-timestamp-ticked")));
    let back = check_once(&project).await;
    assert_eq!(kinds(&back), vec![ChangeKind::Restored]);
    assert_eq!(back[0].summary, "Article is back, unchanged");
    assert_eq!(check_once(&project).await, vec![]);

    // A redirect to the home page is a takedown too.
    server.set(path, Route::status(301).header("Location", "/"));
    server.set("/", Route::html(recording("en", "base")));
    let redirected = check_once(&project).await;
    assert_eq!(kinds(&redirected), vec![ChangeKind::TakenDown]);
    assert!(
        redirected[0]
            .summary
            .starts_with("The article now redirects to"),
        "{}",
        redirected[0].summary
    );
}

/// A page that switches back and forth between two versions (an edge cache
/// still serving the old copy beside the new one, or a test of two
/// versions): the edit and the switch back are reported, the next switch
/// once more saying that the page alternates, and then no more (nor are
/// those switches stored); a third version is reported as usual.
#[tokio::test(flavor = "multi_thread")]
async fn a_page_switching_back_and_forth_alerts_three_times_then_only_for_a_new_version() {
    let server = Server::start().await;
    let path = "/fa/news/2024/rasoulof-flees";
    let project = Project::new(&format!(
        "[daemon]\nper_host_delay = \"0s\"\n\n[[watch]]\nname = \"story\"\nurl = \"{}\"\nrobots = false\n",
        server.url(path)
    ));
    let (a, b) = (
        recording("en", "base"),
        recording("en", "edit-word-changed"),
    );
    server.set(path, Route::html(a.clone()));
    assert_eq!(check_once(&project).await, vec![]);
    server.set(path, Route::html(b.clone()));
    let edit = check_once(&project).await;
    server.set(path, Route::html(a.clone()));
    let back = check_once(&project).await;
    assert_eq!(kinds(&edit), vec![ChangeKind::Edited]);
    assert_eq!(kinds(&back), vec![ChangeKind::Edited]);
    assert!(
        !back[0].summary.contains("back and forth"),
        "{}",
        back[0].summary
    );

    server.set(path, Route::html(b.clone()));
    let again = check_once(&project).await;
    assert_eq!(kinds(&again), vec![ChangeKind::Edited]);
    assert!(
        again[0].summary.starts_with(&edit[0].summary)
            && again[0].summary.contains(
                "The page switches back and forth between this version and the one before"
            ),
        "{}",
        again[0].summary
    );
    assert_eq!(
        again[0].change, edit[0].change,
        "the same words, named again"
    );
    for page in [&a, &b, &a, &b] {
        server.set(path, Route::html(page.clone()));
        assert_eq!(
            check_once(&project).await,
            vec![],
            "switches are not reported again"
        );
    }

    server.set(path, Route::html(recording("en", "edit-paragraph-added")));
    let third = check_once(&project).await;
    assert_eq!(kinds(&third), vec![ChangeKind::Edited]);
    assert!(
        third[0].summary.contains("paragraph added"),
        "{}",
        third[0].summary
    );
    assert!(
        !third[0].summary.contains("back and forth"),
        "{}",
        third[0].summary
    );
    let out = run(
        &["history", "--config", &project.config_arg(), "story"],
        &[],
    )
    .await;
    let history = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        history.lines().filter(|l| l.trim_start().starts_with(char::is_numeric)).count(),
        5,
        "versions: the first, the edit, the switch back, the switch reported as such, the third; not the later switches\n{history}"
    );
}

/// A page retitled in its `<h1>` while its `<title>` and `og:title` still
/// give the old headline (a CMS or cache that lags behind): the alert names
/// the headline readers see, and so does a later takedown, quoting what the
/// article said.
#[tokio::test(flavor = "multi_thread")]
async fn alerts_name_the_headline_readers_see_when_the_meta_tags_lag() {
    let server = Server::start().await;
    let path = "/fa/news/2024/rasoulof-flees";
    let project = Project::new(&watch_config(&server, ""));
    let old = "Filmmaker flees Iran after prison sentence";
    let new = "Filmmaker escapes Iran on foot after prison sentence";
    let page = crate::support::article(old, "In a statement released on Monday,");
    server.set(path, Route::html(page.clone()));
    assert_eq!(check_once(&project).await, vec![], "baseline stored");

    let retitled = page.replace(&format!("<h1>{old}</h1>"), &format!("<h1>{new}</h1>"));
    assert!(retitled.contains(&format!("<title>{old} | Example News</title>")));
    server.set(path, Route::html(retitled));
    let alerts = check_once(&project).await;
    assert_eq!(kinds(&alerts), vec![ChangeKind::HeadlineChanged]);
    assert_eq!(alerts[0].title.as_deref(), Some(new));

    server.set(path, Route::status(404));
    let gone = check_once(&project).await;
    assert_eq!(kinds(&gone), vec![ChangeKind::TakenDown]);
    assert_eq!(gone[0].title.as_deref(), Some(new));
    let said = gone[0].last_known.as_ref().expect("what the article said");
    assert_eq!(said.title.as_deref(), Some(new));
}

#[tokio::test(flavor = "multi_thread")]
async fn failures_alert_once_at_the_threshold_and_recovery_is_announced() {
    let server = Server::start().await;
    let path = "/fa/news/2024/rasoulof-flees";
    let project = Project::new(&watch_config(&server, ""));
    server.set(path, Route::html(recording("fa", "base")));
    check_once(&project).await;
    server.set(path, Route::status(500));
    assert_eq!(
        check_once(&project).await,
        vec![],
        "one failure: below the threshold"
    );
    let error = check_once(&project).await;
    assert_eq!(kinds(&error), vec![ChangeKind::Error]);
    assert!(
        error[0].error.as_deref().unwrap().contains("500"),
        "{error:?}"
    );
    // It names the story, as the watch's other alerts do.
    let headline = "محمد رسول‌اف پس از حکم زندان از ایران خارج شد";
    assert_eq!(error[0].title.as_deref(), Some(headline));
    assert_eq!(
        check_once(&project).await,
        vec![],
        "the error alert goes out once"
    );
    server.set(path, Route::html(recording("fa", "noise-ad-inserted")));
    let report = check_first(&project).await;
    let recovered = &report.alerts;
    assert_eq!(kinds(recovered), vec![ChangeKind::Recovered]);
    assert_eq!(recovered[0].title.as_deref(), Some(headline));
    // The check's line says why it raised an alert.
    assert!(
        report
            .detail
            .starts_with("recovered after 3 failed checks; "),
        "{}",
        report.detail
    );
    assert_eq!(check_once(&project).await, vec![]);
}

#[tokio::test(flavor = "multi_thread")]
async fn history_lists_kept_versions_and_diff_shows_any_two() {
    let server = Server::start().await;
    let path = "/fa/news/2024/rasoulof-flees";
    let project = Project::new(&watch_config(&server, ""));
    for version in [
        "base",
        "noise-list-reordered",
        "edit-word-changed",
        "edit-paragraph-added",
    ] {
        server.set(path, Route::html(recording("fa", version)));
        check_once(&project).await;
    }
    let cfg = project.config_arg();
    let out = run(&["history", "--config", &cfg, "story"], &[]).await;
    let listing = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{listing}");
    // Three versions were accepted; keep_versions = 2 keeps the last two.
    let lines: Vec<&str> = listing.lines().collect();
    assert_eq!(lines.len(), 2, "{listing}");
    assert!(
        lines[0].trim_start().starts_with("2 ")
            && lines[0].ends_with("oldest version kept (earlier ones were pruned)"),
        "{listing}"
    );
    assert!(
        lines[1].trim_start().starts_with("3 ")
            && lines[1].ends_with("1 paragraph added; 1 word changed in paragraph 2"),
        "{listing}"
    );

    let out = run(
        &["diff", "--config", &cfg, "--watch", "story", "--json"],
        &[],
    )
    .await;
    assert_eq!(out.status.code(), Some(1), "changed: exit 1 like diff(1)");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        v["summary"],
        "1 paragraph added; 1 word changed in paragraph 2"
    );
    assert_eq!(v["kinds"], serde_json::json!(["edited"]));

    let out = run(
        &[
            "diff", "--config", &cfg, "--watch", "story", "--from", "1", "--to", "3",
        ],
        &[],
    )
    .await;
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("has no version 1 (kept: 2, 3)"));
}

#[tokio::test(flavor = "multi_thread")]
async fn new_listing_items_alert_once_by_normalised_url_and_persian_keyword() {
    let server = Server::start().await;
    let item = |href: &str, title: &str| format!("<li><a href=\"{href}\">{title}</a></li>");
    let listing = |items: &[String]| {
        format!(
            "<!DOCTYPE html><html lang=\"fa\" dir=\"rtl\"><body><main><ul class=\"news\">{}</ul></main></body></html>",
            items.concat()
        )
    };
    let old = [
        item(
            "/fa/news/1001",
            "بازار سهام تهران امروز افت کرد و شاخص کل پایین آمد",
        ),
        item(
            "/fa/news/1002",
            "هشدار هواشناسی برای سواحل شمالی کشور صادر شد",
        ),
    ];
    server.set("/fa/tag/cinema", Route::html(listing(&old)));
    let cfg = format!(
        "[daemon]\nper_host_delay = \"0s\"\n[[watch]]\nname = \"story\"\nkind = \"listing\"\nurl = \"{}\"\nkeywords = [\"رسول‌اف\"]\nrobots = false\n",
        server.url("/fa/tag/cinema")
    );
    let project = Project::new(&cfg);
    assert_eq!(
        check_once(&project).await,
        vec![],
        "first check records items silently"
    );

    // Re-ordered, tracking parameters added, one new item about the story
    // (written with Arabic yeh and no ZWNJ) and one that is not.
    let new = [
        item(
            "/fa/news/1003",
            "فيلم تازه محمد رسولاف در جشنواره کن نمایش داده می‌شود",
        ),
        item("/fa/news/1004", "فوتبال: گل دقیقه آخر دربی پایتخت را برد"),
        item(
            "/fa/news/1002?utm_source=home&fbclid=x1#top",
            "هشدار هواشناسی برای سواحل شمالی کشور صادر شد",
        ),
        item(
            "/fa/news/1001",
            "بازار سهام تهران امروز افت کرد و شاخص کل پایین آمد",
        ),
    ];
    server.set("/fa/tag/cinema", Route::html(listing(&new)));
    let alerts = check_once(&project).await;
    assert_eq!(kinds(&alerts), vec![ChangeKind::NewItems]);
    assert_eq!(alerts[0].items.len(), 1, "{:?}", alerts[0].items);
    assert!(alerts[0].items[0].url.ends_with("/fa/news/1003"));
    assert_eq!(
        check_once(&project).await,
        vec![],
        "seen items never alert again"
    );
}

/// Checks `base` then `next` under a watch with these extra keys; the
/// alerts of the second check.
async fn second_check(lang: &str, next: &str, rules: &str) -> Vec<Alert> {
    let server = Server::start().await;
    let path = "/fa/news/2024/rasoulof-flees";
    let cfg = format!("{}{rules}\n", watch_config(&server, ""));
    let project = Project::new(&cfg);
    server.set(path, Route::html(recording(lang, "base")));
    assert_eq!(check_once(&project).await, vec![]);
    server.set(path, Route::html(recording(lang, next)));
    check_once(&project).await
}

#[tokio::test(flavor = "multi_thread")]
async fn a_watch_sends_a_possible_edit_for_prose_outside_the_article_with_its_words() {
    let server = Server::start().await;
    let path = "/fa/news/2024/rasoulof-flees";
    let project = Project::new(&watch_config(&server, ""));
    server.set(path, Route::html(recording("en", "standfirst")));
    assert_eq!(check_once(&project).await, vec![]);
    server.set(
        path,
        Route::html(recording("en", "noise-teaser-summaries-rewritten")),
    );
    assert_eq!(
        check_once(&project).await,
        vec![],
        "teasers change, nothing is sent"
    );
    server.set(
        path,
        Route::html(recording("en", "edit-standfirst-changed")),
    );
    let alerts = check_once(&project).await;
    assert_eq!(kinds(&alerts), vec![ChangeKind::PossiblyEdited]);
    let text = text_of(&alerts[0]);
    assert!(
        text.starts_with(
            "Possibly edited · 127.0.0.1\nFilmmaker Rasoulof flees Iran after prison sentence\n"
        ),
        "{text}"
    );
    assert!(
        text.contains("Outside the detected article (lower confidence: the extractor did not keep\n  this text):"),
        "{text}"
    );
    assert!(
        text.contains("  The director, sentenced to [-eight-] {+ten+} years in prison"),
        "{text}"
    );
    // A selector says what to watch: the rest of the page is not watched.
    let cfg = format!(
        "{}selector = \"article.story > p\"\n",
        watch_config(&server, "")
    );
    let selected = Project::new(&cfg);
    server.set(path, Route::html(recording("en", "standfirst")));
    assert_eq!(check_once(&selected).await, vec![]);
    server.set(
        path,
        Route::html(recording("en", "edit-standfirst-changed")),
    );
    assert_eq!(check_once(&selected).await, vec![]);
}

#[tokio::test(flavor = "multi_thread")]
async fn per_watch_rules_decide_which_changes_alert() {
    let persian = "keywords = [\"رسول‌اف\"]";
    // The changed words do not mention the keyword; the new headline does.
    assert_eq!(
        second_check("fa", "edit-word-changed", persian).await,
        vec![]
    );
    assert_eq!(
        kinds(&second_check("fa", "edit-headline-changed", persian).await),
        vec![ChangeKind::HeadlineChanged]
    );
    // Keywords match across case; the alert says which one the change mentions.
    let english = "keywords = [\"FESTIVAL\", \"Tehran\"]";
    let alerts = second_check("en", "edit-paragraph-added", english).await;
    assert_eq!(kinds(&alerts), vec![ChangeKind::Edited]);
    assert_eq!(alerts[0].keywords, ["FESTIVAL"]);
    // min_change: one word is too small, a paragraph is not.
    assert_eq!(
        second_check("en", "edit-word-changed", "min_change = 3").await,
        vec![]
    );
    assert_eq!(
        second_check("en", "edit-paragraph-added", "min_change = 3").await[0].summary,
        "1 paragraph added"
    );
    // ignore: the day of the week is noise for this watch.
    let ignore = "ignore = ['(Mon|Tues)day']";
    assert_eq!(
        second_check("en", "edit-word-changed", ignore).await,
        vec![]
    );
    // selector: only the first paragraph is watched.
    let selector = "selector = \"article.story p:first-of-type\"";
    assert_eq!(
        second_check("en", "edit-word-changed", selector).await,
        vec![]
    );
    assert_eq!(
        kinds(&second_check("en", "edit-paragraph-moved", selector).await),
        vec![ChangeKind::Edited]
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn with_follow_a_new_item_alerts_when_its_article_mentions_a_keyword() {
    let server = Server::start().await;
    let listing = |hrefs: &[(&str, &str)]| {
        let items: String = hrefs
            .iter()
            .map(|(h, t)| format!("<li><a href=\"{h}\">{t}</a></li>"))
            .collect();
        format!(
            "<!DOCTYPE html><html lang=\"fa\"><body><main><ul>{items}</ul></main></body></html>"
        )
    };
    server.set(
        "/fa/tag/cinema",
        Route::html(listing(&[(
            "/fa/news/2001",
            "بازار سهام تهران امروز افت کرد و شاخص کل پایین آمد",
        )])),
    );
    server.set("/fa/news/2002", Route::html(recording("fa", "base")));
    server.set("/fa/news/2003", Route::html(recording("en", "base")));
    let cfg = format!(
        "[daemon]\nper_host_delay = \"0s\"\n[[watch]]\nname = \"tag\"\nkind = \"listing\"\nurl = \"{}\"\nkeywords = [\"رسول‌اف\"]\nfollow = true\nrobots = false\n",
        server.url("/fa/tag/cinema")
    );
    let project = Project::new(&cfg);
    assert_eq!(check_once(&project).await, vec![]);
    server.set(
        "/fa/tag/cinema",
        Route::html(listing(&[
            (
                "/fa/news/2002",
                "گزارش تازه درباره جشنواره فیلم و سینمای ایران",
            ),
            (
                "/fa/news/2003",
                "گزارش دیگری درباره بازار فیلم در اروپا و آمریکا",
            ),
            (
                "/fa/news/2001",
                "بازار سهام تهران امروز افت کرد و شاخص کل پایین آمد",
            ),
        ])),
    );
    let alerts = check_once(&project).await;
    assert_eq!(kinds(&alerts), vec![ChangeKind::NewItems]);
    let urls: Vec<&str> = alerts[0].items.iter().map(|i| i.url.as_str()).collect();
    assert_eq!(
        urls,
        vec![server.url("/fa/news/2002")],
        "only the item whose text mentions the keyword"
    );
}

/// A news page with a table of figures in the story, before its last
/// paragraph, one row a line of `rows` ("Khuzestan | 12 | 3").
fn page_with_table(rows: &[&str]) -> String {
    let rows: String = rows
        .iter()
        .map(|r| {
            let cells: String = r.split(" | ").map(|c| format!("<td>{c}</td>")).collect();
            format!("<tr>{cells}</tr>")
        })
        .collect();
    crate::support::news_page(
        "Floods in the south kill dozens",
        "Staff reporter",
        &[
            "The floods that hit the south of the country this week have killed dozens of people, officials said on Tuesday.",
            "Rescue teams are still searching for the missing in several provinces, the crisis management agency said in a statement.",
            "The government has declared three days of mourning across the country for the victims of the floods.",
        ],
        &["Parliament passes the budget", "Football: league results"],
    )
    .replace(
        "<p>The government",
        &format!("<table><tr><th>Province</th><th>Killed</th><th>Injured</th></tr>{rows}</table>\n<p>The government"),
    )
}

#[tokio::test(flavor = "multi_thread")]
async fn a_table_row_whose_figures_change_is_an_edit_naming_them() {
    let server = Server::start().await;
    let path = "/fa/news/2024/rasoulof-flees";
    let project = Project::new(&watch_config(&server, ""));
    let rows = ["Khuzestan | 12 | 3", "Tehran | 4 | 1", "Isfahan | 2 | 0"];
    server.set(path, Route::html(page_with_table(&rows)));
    assert_eq!(check_once(&project).await, vec![]);
    // Khuzestan's toll rises, and a row comes in for a province with the
    // figures Khuzestan had.
    let next = [
        "Khuzestan | 15 | 3",
        "Ilam | 12 | 3",
        "Tehran | 4 | 1",
        "Isfahan | 2 | 0",
    ];
    server.set(path, Route::html(page_with_table(&next)));
    let alerts = check_once(&project).await;
    assert_eq!(kinds(&alerts), vec![ChangeKind::Edited]);
    let text = text_of(&alerts[0]);
    assert!(
        text.contains("Changed: the paragraph beginning \u{201C}Khuzestan 15 3\u{201D}\n  Khuzestan [-12-] {+15+} 3\n"),
        "{text}"
    );
    assert!(text.contains("  {+Ilam 12 3+}\n"), "{text}");
    assert!(!text.contains("[-Khuzestan"), "{text}");
    // Both of its figures updated: still the row, edited.
    let last = [
        "Khuzestan | 19 | 5",
        "Ilam | 12 | 3",
        "Tehran | 4 | 1",
        "Isfahan | 2 | 0",
    ];
    server.set(path, Route::html(page_with_table(&last)));
    let alerts = check_once(&project).await;
    assert_eq!(kinds(&alerts), vec![ChangeKind::Edited]);
    let text = text_of(&alerts[0]);
    assert!(text.contains("  Khuzestan [-15 3-] {+19 5+}\n"), "{text}");
    assert!(
        !text.contains("[-Khuzestan") && !text.contains("{+Khuzestan"),
        "{text}"
    );
}

/// A news page whose story has a photo among its paragraphs (`photo`: its
/// image, `caption`: its caption), and a teaser card of another story, with
/// its own photo and caption, below it.
fn page_with_photo(photo: &str, caption: &str, teaser_caption: &str) -> String {
    crate::support::news_page(
        "Protesters killed in Zahedan",
        "Staff reporter",
        &[
            "Security forces opened fire on protesters after Friday prayers in Zahedan, witnesses and rights groups said.",
            "Rights groups said dozens of people were killed, among them children, and many more were wounded.",
            "The authorities have not said how many people died, and internet access in the city was cut on Saturday.",
        ],
        &["Parliament passes the budget", "Football: league results"],
    )
    .replace(
        "<p>Rights groups",
        &format!("<figure><img src=\"{photo}\" alt=\"\"><figcaption>{caption}</figcaption></figure>\n<p>Rights groups"),
    )
    .replace(
        "<footer>",
        &format!("<section class=\"more\"><div class=\"card\"><figure><img src=\"/img/floods.jpg\" alt=\"\"><figcaption>{teaser_caption}</figcaption></figure><h3><a href=\"/news/floods\">Floods: the toll rises in the south</a></h3></div></section>\n<footer>"),
    )
}

#[tokio::test(flavor = "multi_thread")]
async fn an_edited_caption_of_the_storys_photo_is_a_possible_edit_naming_its_words() {
    let server = Server::start().await;
    let path = "/fa/news/2024/rasoulof-flees";
    let project = Project::new(&watch_config(&server, ""));
    let caption = "Protesters killed by security forces in Zahedan on Friday";
    let teaser = "Rescue workers search for survivors in the flooded villages of the south";
    server.set(
        path,
        Route::html(page_with_photo(
            "/img/zahedan.jpg",
            &format!("{caption}. Photo: AFP"),
            teaser,
        )),
    );
    assert_eq!(check_once(&project).await, vec![]);
    // Another photo of the scene, from another agency: no edit.
    server.set(
        path,
        Route::html(page_with_photo(
            "/img/zahedan-2.jpg",
            &format!("{caption}. Photo: Reuters"),
            teaser,
        )),
    );
    assert_eq!(
        check_once(&project).await,
        vec![],
        "a photo credit changed, nothing is sent"
    );
    // The caption of another story's photo, in a teaser card: no edit.
    server.set(
        path,
        Route::html(page_with_photo(
            "/img/zahedan-2.jpg",
            &format!("{caption}. Photo: Reuters"),
            "Rescue workers have found no survivors in the flooded villages of the south",
        )),
    );
    assert_eq!(
        check_once(&project).await,
        vec![],
        "a teaser card's caption changed, nothing is sent"
    );
    // The story's own caption softened: a possible edit, naming the words.
    server.set(
        path,
        Route::html(page_with_photo(
            "/img/zahedan-2.jpg",
            "Protesters died in clashes in Zahedan on Friday. Photo: Reuters",
            "Rescue workers have found no survivors in the flooded villages of the south",
        )),
    );
    let alerts = check_once(&project).await;
    assert_eq!(kinds(&alerts), vec![ChangeKind::PossiblyEdited]);
    let text = text_of(&alerts[0]);
    assert!(
        text.starts_with("Possibly edited · 127.0.0.1\nProtesters killed in Zahedan\n"),
        "{text}"
    );
    // Said to be a photo caption, which it is, not a paragraph.
    assert!(
        text.contains("Outside the detected article (lower confidence: the extractor did not keep\n  this text):\n\nChanged: the photo caption beginning \u{201C}Protesters died in clashes in Zahedan\non Friday.\u{201D}\n"),
        "{text}"
    );
    assert!(!text.contains("paragraph"), "{text}");
    assert!(
        text.contains(
            "  Protesters [-killed by security forces-] {+died in clashes+} in Zahedan on\n"
        ),
        "{text}"
    );
    assert_eq!(
        alerts[0].summary,
        "4 words changed in a photo caption outside the detected article (lower confidence)"
    );
    let html = presswatch::notify::render::html(
        &alerts[0],
        &presswatch::notify::render::Context::default(),
    );
    assert!(
        html.contains("Changed: the photo caption beginning"),
        "{html}"
    );
    assert!(!html.contains("paragraph beginning"), "{html}");
    // The webhook's JSON says what it is beside the change.
    let json = serde_json::to_value(&alerts[0]).unwrap();
    assert_eq!(
        json["change"]["other_prose"][0]["kind"], "caption",
        "{json}"
    );
    // So do the history, `diff` and the evidence viewer, from the versions kept.
    let cfg = project.config_arg();
    let out = run(&["history", "--config", &cfg, "story"], &[]).await;
    let listing = String::from_utf8_lossy(&out.stdout);
    assert!(
        listing.contains("4 words changed in a photo caption outside"),
        "{listing}"
    );
    let out = run(&["diff", "--config", &cfg, "--watch", "story"], &[]).await;
    let diff = String::from_utf8_lossy(&out.stdout);
    assert!(
        diff.contains("Changed: the photo caption beginning \u{201C}Protesters died"),
        "{diff}"
    );
    let dir = project.path("report");
    let out = run(
        &["report", "--config", &cfg, "--out", dir.to_str().unwrap()],
        &[],
    )
    .await;
    assert!(out.status.success(), "{out:?}");
    let mut pages = String::new();
    let mut dirs = vec![dir];
    while let Some(d) = dirs.pop() {
        for e in std::fs::read_dir(d).unwrap().flatten() {
            let path = e.path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|x| x == "html") {
                pages.push_str(&std::fs::read_to_string(path).unwrap());
            }
        }
    }
    assert!(
        pages.contains("Changed: the photo caption beginning"),
        "{pages}"
    );
    assert!(!pages.contains("paragraph beginning"));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_baseline_whose_captions_were_kept_without_their_kind_sends_nothing_and_then_names_them()
{
    let server = Server::start().await;
    let path = "/fa/news/2024/rasoulof-flees";
    let project = Project::new(&watch_config(&server, ""));
    let caption = "Protesters killed by security forces in Zahedan on Friday";
    server.set(path, Route::html(page_with_photo_and_note(caption)));
    assert_eq!(check_once(&project).await, vec![]);
    // The baseline keeps the caption as a caption.
    let file = project.path("baseline/story.txt");
    let kept = std::fs::read_to_string(&file).unwrap();
    let mark = presswatch::document::CAPTION_MARK;
    assert!(
        kept.contains(&format!("\nOther-Prose: {caption}{mark}\n")),
        "{kept}"
    );
    // As a presswatch that watched captions but kept no kinds wrote it: the
    // same words, the same hash.
    let unkinded = kept.replace(mark, "");
    assert_eq!(
        Document::from_baseline(&unkinded).content_hash(),
        Document::from_baseline(&kept).content_hash()
    );
    std::fs::write(&file, &unkinded).unwrap();
    assert_eq!(
        check_once(&project).await,
        vec![],
        "kinds appearing are no change of the page"
    );
    // An edit of the caption then is named as one: its kind is the page's.
    server.set(
        path,
        Route::html(page_with_photo_and_note(
            "Protesters died in clashes in Zahedan on Friday",
        )),
    );
    let alerts = check_once(&project).await;
    assert_eq!(kinds(&alerts), vec![ChangeKind::PossiblyEdited]);
    let text = text_of(&alerts[0]);
    assert!(
        text.contains("Changed: the photo caption beginning \u{201C}Protesters died in clashes"),
        "{text}"
    );
}

/// The story of [`page_with_photo`] with `caption`, and a note of the
/// newsroom's outside the article, which the safety net watches.
fn page_with_photo_and_note(caption: &str) -> String {
    page_with_photo(
        "/img/zahedan.jpg",
        caption,
        "Rescue workers search for survivors in the flooded villages of the south",
    )
    .replace(
        "</article>",
        "</article><div class=\"note\"><p>Witnesses reached by telephone described the scene; their names are withheld for their safety.</p></div>",
    )
}

/// Makes the watch's baseline what an older presswatch, which did not read
/// `dropped` (as the baseline file has it, with the line break or blank
/// line after it), kept: the file without it, its version hashed so.
fn as_kept_by_an_older_presswatch(project: &Project, dropped: &str) {
    let file = project.path("baseline/story.txt");
    let kept = std::fs::read_to_string(&file).unwrap();
    assert!(kept.contains(dropped), "{kept}");
    let older = kept.replace(dropped, "");
    std::fs::write(&file, &older).unwrap();
    let hash = Document::from_baseline(&older).content_hash();
    rusqlite::Connection::open(project.path("state/presswatch.db"))
        .unwrap()
        .execute(
            "UPDATE versions SET sha256 = ?1, reading = NULL WHERE watch = 'story'",
            [&hash],
        )
        .unwrap();
}

/// Makes the watch's baseline what a presswatch whose safety net skipped
/// figures kept: without `caption`.
fn as_kept_before_captions(project: &Project, caption: &str) {
    let kept = std::fs::read_to_string(project.path("baseline/story.txt")).unwrap();
    assert!(kept.contains("Other-Prose: Witnesses reached"), "{kept}");
    let mark = presswatch::document::CAPTION_MARK;
    as_kept_by_an_older_presswatch(project, &format!("Other-Prose: {caption}{mark}\n"));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_baseline_kept_before_captions_were_watched_takes_them_from_its_own_response_silently() {
    let server = Server::start().await;
    let path = "/fa/news/2024/rasoulof-flees";
    let project = Project::new(&watch_config(&server, ""));
    let caption = "Protesters killed by security forces in Zahedan on Friday";
    server.set(path, Route::html(page_with_photo_and_note(caption)));
    assert_eq!(check_once(&project).await, vec![]);
    as_kept_before_captions(&project, caption);

    // The page as it was: the caption is how this presswatch reads it, not
    // an edit. The page is taken as the baseline, with its caption.
    assert_eq!(
        check_once(&project).await,
        vec![],
        "a caption the older baseline lacked, on a page that did not change, is no edit"
    );
    let file = project.path("baseline/story.txt");
    let mark = presswatch::document::CAPTION_MARK;
    assert!(std::fs::read_to_string(&file)
        .unwrap()
        .contains(&format!("Other-Prose: {caption}{mark}\n")));
    // From then on the caption is watched like the rest.
    server.set(
        path,
        Route::html(page_with_photo_and_note(
            "Protesters died in clashes in Zahedan on Friday",
        )),
    );
    assert_eq!(
        kinds(&check_once(&project).await),
        vec![ChangeKind::PossiblyEdited]
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_read_more_link_in_the_story_that_changes_between_fetches_is_no_edit() {
    let server = Server::start().await;
    let path = "/fa/news/2024/rasoulof-flees";
    let project = Project::new(&watch_config(&server, ""));
    let caption = "Protesters killed by security forces in Zahedan on Friday";
    let with_read_more = |label: &str, href: &str, headline: &str| {
        page_with_photo_and_note(caption).replace(
            "<p>The authorities",
            &format!("<p><strong>{label}</strong> <a href=\"{href}\">{headline}</a></p>\n<p>The authorities"),
        )
    };
    server.set(
        path,
        Route::html(with_read_more(
            "Read more:",
            "/news/executions",
            "Iran executes a protester convicted of killing a guard, rights groups say",
        )),
    );
    assert_eq!(check_once(&project).await, vec![]);
    // The site recommends another story on the next fetch, as recommendation
    // boxes do: the story did not change.
    server.set(
        path,
        Route::html(with_read_more(
            "Read more:",
            "/news/un-inquiry",
            "UN experts call for an independent inquiry into the killings in Sistan-Baluchestan",
        )),
    );
    assert_eq!(
        check_once(&project).await,
        vec![],
        "another story recommended"
    );
    server.set(
        path,
        Route::html(with_read_more(
            "بیشتر بخوانید:",
            "/fa/news/un-inquiry",
            "کارشناسان سازمان ملل خواستار تحقیق مستقل درباره کشتار زاهدان شدند",
        )),
    );
    assert_eq!(check_once(&project).await, vec![], "the same in Persian");
    // The story's own words are watched as ever.
    server.set(
        path,
        Route::html(
            with_read_more(
                "بیشتر بخوانید:",
                "/fa/news/un-inquiry",
                "کارشناسان سازمان ملل خواستار تحقیق مستقل درباره کشتار زاهدان شدند",
            )
            .replace("opened fire on protesters", "clashed with protesters"),
        ),
    );
    assert_eq!(kinds(&check_once(&project).await), vec![ChangeKind::Edited]);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_caption_edited_before_the_first_check_that_watches_captions_is_still_alerted() {
    let server = Server::start().await;
    let path = "/fa/news/2024/rasoulof-flees";
    let project = Project::new(&watch_config(&server, ""));
    let caption = "Protesters killed by security forces in Zahedan on Friday";
    server.set(path, Route::html(page_with_photo_and_note(caption)));
    assert_eq!(check_once(&project).await, vec![]);
    as_kept_before_captions(&project, caption);
    // The kept response, read again, has the caption as it was: the page
    // changed, and the new caption is alerted.
    server.set(
        path,
        Route::html(page_with_photo_and_note(
            "Protesters died in clashes in Zahedan on Friday",
        )),
    );
    let alerts = check_once(&project).await;
    assert_eq!(kinds(&alerts), vec![ChangeKind::PossiblyEdited]);
    let text = text_of(&alerts[0]);
    assert!(
        as_read(&text).contains("Protesters died in clashes in Zahedan on Friday"),
        "{text}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_paragraph_an_older_extractor_dropped_is_taken_from_the_kept_response_silently() {
    let server = Server::start().await;
    let path = "/fa/news/2024/rasoulof-flees";
    let project = Project::new(&watch_config(&server, ""));
    let caption = "Protesters killed by security forces in Zahedan on Friday";
    server.set(path, Route::html(page_with_photo_and_note(caption)));
    assert_eq!(check_once(&project).await, vec![]);
    // As an extractor that dropped the story's second paragraph kept it.
    let dropped = "Rights groups said dozens of people were killed, among them children, and many more were wounded.";
    as_kept_by_an_older_presswatch(&project, &format!("{dropped}\n\n"));
    let file = project.path("baseline/story.txt");

    assert_eq!(
        check_once(&project).await,
        vec![],
        "a paragraph the page always had is no paragraph added"
    );
    assert!(std::fs::read_to_string(&file).unwrap().contains(dropped));
    // A paragraph the newsroom adds is news as ever.
    server.set(
        path,
        Route::html(page_with_photo_and_note(caption).replace(
            "<p>The authorities",
            "<p>The governor said on Sunday that an inquiry into the shootings would report within a month.</p>\n<p>The authorities",
        )),
    );
    let alerts = check_once(&project).await;
    assert_eq!(kinds(&alerts), vec![ChangeKind::Edited]);
    assert_eq!(alerts[0].summary, "1 paragraph added");
}

#[tokio::test(flavor = "multi_thread")]
async fn words_an_older_extractor_read_otherwise_are_taken_from_the_kept_response_silently() {
    let server = Server::start().await;
    let path = "/fa/news/2024/rasoulof-flees";
    let project = Project::new(&watch_config(&server, ""));
    let caption = "Protesters killed by security forces in Zahedan on Friday";
    server.set(path, Route::html(page_with_photo_and_note(caption)));
    assert_eq!(check_once(&project).await, vec![]);
    // As an extractor that dropped words set apart in the page's markup
    // (an inline element it did not read) kept the paragraph.
    as_kept_by_an_older_presswatch(&project, " among them children,");
    let file = project.path("baseline/story.txt");

    assert_eq!(
        check_once(&project).await,
        vec![],
        "words the page always had are no edit"
    );
    assert!(std::fs::read_to_string(&file)
        .unwrap()
        .contains("were killed, among them children, and many"));
    // Words the newsroom changes are an edit as ever.
    server.set(
        path,
        Route::html(
            page_with_photo_and_note(caption).replace("among them children", "among them women"),
        ),
    );
    let alerts = check_once(&project).await;
    assert_eq!(kinds(&alerts), vec![ChangeKind::Edited]);
}

#[tokio::test(flavor = "multi_thread")]
async fn an_edit_after_an_upgrade_names_the_newsrooms_words_not_how_the_older_presswatch_read_the_page(
) {
    let server = Server::start().await;
    let path = "/fa/news/2024/rasoulof-flees";
    let project = Project::new(&watch_config(&server, ""));
    let caption = "Protesters killed by security forces in Zahedan on Friday";
    server.set(path, Route::html(page_with_photo_and_note(caption)));
    assert_eq!(check_once(&project).await, vec![]);
    // As an extractor that dropped the story's last paragraph kept it.
    let dropped = "The authorities have not said how many people died, and internet access in the city was cut on Saturday.";
    as_kept_by_an_older_presswatch(&project, &format!("{dropped}\n"));

    // The first check after the upgrade finds the newsroom's edit: the alert
    // is that edit alone, not also the paragraph the older presswatch
    // dropped, shown as added.
    server.set(
        path,
        Route::html(
            page_with_photo_and_note(caption)
                .replace("opened fire on protesters", "clashed with protesters"),
        ),
    );
    let alerts = check_once(&project).await;
    assert_eq!(kinds(&alerts), vec![ChangeKind::Edited]);
    let text = text_of(&alerts[0]);
    assert!(
        text.contains("[-opened fire on-] {+clashed with+} protesters"),
        "{text}"
    );
    assert!(!text.contains("internet access"), "{text}");
    assert!(
        !alerts[0].summary.contains("added"),
        "{}",
        alerts[0].summary
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_new_selector_is_how_the_page_is_read_not_an_edit() {
    let server = Server::start().await;
    let path = "/fa/news/2024/rasoulof-flees";
    let config = watch_config(&server, "");
    let project = Project::new(&config);
    let caption = "Protesters killed by security forces in Zahedan on Friday";
    server.set(path, Route::html(page_with_photo_and_note(caption)));
    assert_eq!(check_once(&project).await, vec![]);
    // Staff narrow the watch to the article: the newsroom's note and the
    // caption beside it are no longer watched, which is no edit of the page.
    std::fs::write(
        project.path("config.toml"),
        format!("{config}selector = \"article\"\n"),
    )
    .unwrap();
    assert_eq!(check_once(&project).await, vec![]);
    let kept = std::fs::read_to_string(project.path("baseline/story.txt")).unwrap();
    assert!(!kept.contains("Witnesses reached"), "{kept}");
}

/// A new headline's two lines agree on which words stayed. Given an
/// article retitled from "Filmmaker Rasoulof flees Iran after prison
/// sentence" to "Rasoulof reaches Europe after fleeing Iran on foot", the
/// alert's old line kept "Rasoulof … Iran" and struck "after", while its
/// new line kept "Rasoulof … after" and underlined "Iran": each line came
/// from a diff taken its own way, and the two paired other words. Both
/// lines now come from one diff.
#[tokio::test(flavor = "multi_thread")]
async fn a_new_headlines_two_lines_keep_the_same_words_unchanged() {
    let server = Server::start().await;
    let path = "/fa/news/2024/rasoulof-flees";
    let project = Project::new(&watch_config(&server, ""));
    let old = "Filmmaker Rasoulof flees Iran after prison sentence";
    let new = "Rasoulof reaches Europe after fleeing Iran on foot";
    let page = crate::support::article(old, "In a statement released on Monday,");
    server.set(path, Route::html(page.clone()));
    assert_eq!(check_once(&project).await, vec![], "baseline stored");
    server.set(path, Route::html(page.replace(old, new)));
    let alerts = check_once(&project).await;
    assert_eq!(kinds(&alerts), vec![ChangeKind::HeadlineChanged]);
    let text = text_of(&alerts[0]);
    assert!(
        text.contains(
            "Headline:\n  - [-Filmmaker-] Rasoulof [-flees Iran-] after [-prison sentence-]\n  + Rasoulof {+reaches Europe+} after {+fleeing Iran on foot+}\n"
        ),
        "{text}"
    );
}
