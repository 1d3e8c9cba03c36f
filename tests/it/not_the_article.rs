//! A page that is not the article is never stored as its new text: given an
//! article served on loopback with a baseline, when its URL redirects
//! (temporarily or for good) to a page that does not carry the story, the
//! story is taken down and the baseline kept; and its coming back is a
//! restore, not a second edit. A page that stops before its end, a story
//! behind a paywall, and a redirect for now to a sign-in, consent or
//! subscription page are failed checks, and the baseline is kept.

use std::sync::{Arc, Mutex};

use presswatch::check::Outcome;
use presswatch::compare::ChangeKind;

use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::support::{check_first, news_page, recorded, Project, Route, Server};

/// A language-prefixed article address, as many outlets use.
const STORY: &str =
    "/en/news/127455-filmmaker-rasoulof-flees-iran-after-eight-year-prison-sentence/";

fn story() -> String {
    recorded("changes/en/base.html")
}

/// An article watch named `story` on `path`.
fn config(server: &Server, path: &str) -> String {
    config_keeping(server, path, KEEP_RAW[0])
}

/// The `[daemon]` lines of the two ways to keep evidence: each raw
/// response (the default), and none, so that what a check needs of the
/// page kept last is kept with its version instead.
const KEEP_RAW: [&str; 2] = ["", "keep_raw = \"off\"\n"];

/// An article watch named `story` on `path`, with `keep_raw` (a line of
/// [`KEEP_RAW`]) in its `[daemon]` table.
fn config_keeping(server: &Server, path: &str, keep_raw: &str) -> String {
    format!(
        "[daemon]\nper_host_delay = \"0s\"\nfailure_threshold = 2\n{keep_raw}\n[[watch]]\nname = \"story\"\nurl = \"{}\"\noutlet = \"Example News\"\nrobots = false\n",
        server.url(path)
    )
}

/// What a baseline file holds, but for when it was fetched.
fn held(baseline: &str) -> String {
    baseline
        .lines()
        .filter(|l| !l.starts_with("Fetched: "))
        .collect::<Vec<_>>()
        .join("\n")
}

fn kinds(report: &presswatch::check::Report) -> Vec<ChangeKind> {
    report.alerts.iter().map(|a| a.kind).collect()
}

/// Given an article with a baseline, when the server answers a temporary
/// redirect (302, 303, 307) to a section page, a tag page, a section front
/// or another story, a `taken_down` alert goes out with what the story
/// said, and the baseline is kept; while it lasts, nothing more; when the
/// story comes back, `restored`.
#[tokio::test(flavor = "multi_thread")]
async fn a_temporary_redirect_to_a_page_without_the_story_is_a_takedown_and_its_return_a_restore() {
    let targets = [
        // The story's section, its tag page, a section front: other stories' teasers.
        ("/en/news/", recorded("iranintl-tag-cinema.html")),
        ("/en/tag/cinema", recorded("iranintl-tag-cinema.html")),
        ("/world/", recorded("listings/aggregator-1.html")),
        // Another story about the same people.
        (
            "/en/news/127460-rasoulof-letter/",
            recorded("iranintl-rasoulof-letter.html"),
        ),
    ];
    for status in [302, 303, 307] {
        for (to, served) in &targets {
            let server = Server::start().await;
            server.set(STORY, Route::html(story()));
            let project = Project::new(&config(&server, STORY));
            let first = check_first(&project).await;
            assert_eq!(first.outcome, Outcome::BaselineStored, "{}", first.detail);
            let baseline = project.read_baseline("story");

            server.set(STORY, Route::status(status).header("Location", to));
            server.set(to, Route::html(served.clone()));
            let gone = check_first(&project).await;
            assert_eq!(
                kinds(&gone),
                vec![ChangeKind::TakenDown],
                "{status} {to}: {}",
                gone.detail
            );
            let alert = &gone.alerts[0];
            assert!(
                alert
                    .summary
                    .starts_with(&format!("The article now redirects to {}", server.url(to))),
                "{status} {to}: {}",
                alert.summary
            );
            assert!(
                alert.last_known.is_some(),
                "{status} {to}: the takedown carries what the story said"
            );
            assert_eq!(
                project.read_baseline("story"),
                baseline,
                "{status} {to}: the page redirected to is never the baseline"
            );

            let still = check_first(&project).await;
            assert_eq!(still.alerts, vec![], "{status} {to}");
            assert!(
                still.detail.starts_with("still gone"),
                "{status} {to}: {}",
                still.detail
            );

            server.set(STORY, Route::html(story()));
            let back = check_first(&project).await;
            assert_eq!(
                kinds(&back),
                vec![ChangeKind::Restored],
                "{status} {to}: {}",
                back.detail
            );
            assert_eq!(back.alerts[0].summary, "Article is back, unchanged");
            assert_eq!(
                held(&project.read_baseline("story")),
                held(&baseline),
                "{status} {to}: the story is the baseline again"
            );
        }
    }
}

/// Given an article with a baseline, a temporary redirect to a page that
/// carries the story (its address with a tracking parameter, the story
/// moved for a while) is the story: nothing to report, nothing taken down.
#[tokio::test(flavor = "multi_thread")]
async fn a_temporary_redirect_to_a_page_that_carries_the_story_is_no_news() {
    let server = Server::start().await;
    server.set(STORY, Route::html(story()));
    let project = Project::new(&config(&server, STORY));
    check_first(&project).await;
    let tracked = format!("{STORY}?utm_source=homepage");
    let elsewhere = "/en/news/127455/";
    for to in [tracked.as_str(), elsewhere] {
        server.set(STORY, Route::status(302).header("Location", to));
        server.set(to, Route::html(story()));
        let report = check_first(&project).await;
        assert_eq!(
            report.outcome,
            Outcome::Unchanged,
            "{to}: {}",
            report.detail
        );
        assert_eq!(report.alerts, vec![], "{to}");
    }
    // Edited at the other address: an edit, not a takedown.
    server.set(
        elsewhere,
        Route::html(recorded("changes/en/edit-paragraph-added.html")),
    );
    let edited = check_first(&project).await;
    assert_eq!(
        kinds(&edited),
        vec![ChangeKind::Edited],
        "{}",
        edited.detail
    );
}

/// Given an article with a baseline, a temporary redirect to another site
/// whose page does not carry the story (a consent, login or regional page)
/// keeps the story from presswatch rather than takes it down: a failed
/// check that says so, no alert below the failure threshold, the baseline
/// kept; the story back is no news.
#[tokio::test(flavor = "multi_thread")]
async fn a_temporary_redirect_to_another_site_without_the_story_is_a_failed_check() {
    let server = Server::start().await;
    server.set(STORY, Route::html(story()));
    // The same server under another name stands for another site, which
    // a loopback address may redirect to only with this.
    let project = Project::new(&format!(
        "{}allow_private_redirects = true\n",
        config(&server, STORY)
    ));
    check_first(&project).await;
    let baseline = project.read_baseline("story");
    let consent = server
        .url("/consent?continue=story")
        .replace("127.0.0.1", "localhost");
    let consent_page = news_page(
        "Before you continue",
        "",
        &["We and our partners use cookies and data to deliver and maintain our services, measure audience engagement and show personalised ads. Select Accept all to agree, or More options to choose."],
        &[],
    );
    server.set("/consent?continue=story", Route::html(consent_page));
    server.set(STORY, Route::status(302).header("Location", &consent));
    let sent = check_first(&project).await;
    let Outcome::Error(error) = &sent.outcome else {
        panic!("{:?} {}", sent.outcome, sent.detail);
    };
    for said in [
        format!("redirects for now to {consent}, on another site (localhost)"),
        "presswatch keeps the baseline and tries again at the next check".to_string(),
    ] {
        assert!(error.contains(&said), "{said}: {error}");
    }
    assert_eq!(sent.alerts, vec![]);
    assert_eq!(project.read_baseline("story"), baseline);

    server.set(STORY, Route::html(story()));
    let back = check_first(&project).await;
    assert_eq!(back.outcome, Outcome::Unchanged, "{}", back.detail);
    assert_eq!(back.alerts, vec![]);
}

/// Given a watch whose URL always answered a temporary redirect (to the
/// story's slug), the story rewritten past recognition there is an edit,
/// not a takedown: that redirect is where the story is.
#[tokio::test(flavor = "multi_thread")]
async fn a_story_rewritten_behind_a_temporary_redirect_the_watch_always_had_is_an_edit() {
    let server = Server::start().await;
    let slug = "/en/news/127455-filmmaker-rasoulof/";
    server.set(
        "/en/news/127455",
        Route::status(302).header("Location", slug),
    );
    server.set(slug, Route::html(story()));
    let project = Project::new(&config(&server, "/en/news/127455"));
    let first = check_first(&project).await;
    assert_eq!(first.outcome, Outcome::BaselineStored, "{}", first.detail);
    server.set(slug, Route::html(recorded("iranintl-rasoulof-letter.html")));
    let rewritten = check_first(&project).await;
    let found = kinds(&rewritten);
    assert!(
        !found.is_empty() && !found.contains(&ChangeKind::TakenDown),
        "{found:?}: {}",
        rewritten.detail
    );
}

/// The story's paragraph `i`.
fn paragraph(i: usize) -> String {
    format!("Paragraph {i}: the filmmaker Mohammad Rasoulof left the country on foot after an appeals court upheld his eight-year prison sentence, his lawyer said in statement number {i}.")
}

/// A story of twenty paragraphs, as a whole page.
fn long_story() -> String {
    let paragraphs: Vec<String> = (1..=20).map(paragraph).collect();
    let paragraphs: Vec<&str> = paragraphs.iter().map(String::as_str).collect();
    news_page(
        "Filmmaker Rasoulof flees Iran after prison sentence",
        "Jane Doe",
        &paragraphs,
        &["Markets fall", "Weather warning"],
    )
}

/// The page up to the middle of its tenth paragraph.
fn cut_halfway(page: &str) -> String {
    let at = page
        .find("Paragraph 10: the filmmaker Mohammad Ras")
        .unwrap()
        + 40;
    page[..at].to_string()
}

/// A server that answers every request with its page as HTTP/1.1 200 with
/// no Content-Length, closing the connection at the end of what it sends:
/// a body delimited by the connection's close, so a cut connection looks
/// like the end of the page.
async fn close_delimited(page: Arc<Mutex<String>>) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        loop {
            let Ok((mut sock, _)) = listener.accept().await else {
                return;
            };
            let body = page.lock().unwrap().clone();
            tokio::spawn(async move {
                let mut buf = [0u8; 8192];
                let mut head = Vec::new();
                while !head.windows(4).any(|w| w == b"\r\n\r\n") {
                    match sock.read(&mut buf).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => head.extend_from_slice(&buf[..n]),
                    }
                }
                let _ = sock
                    .write_all(b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nConnection: close\r\n\r\n")
                    .await;
                let _ = sock.write_all(body.as_bytes()).await;
                let _ = sock.shutdown().await;
            });
        }
    });
    format!("http://{addr}")
}

/// Given an article with a baseline whose page ended properly, when the
/// connection is cut halfway through a page sent without a length (so the
/// cut looks like its end), the check fails saying so and the baseline is
/// kept; no "paragraphs removed" goes out, and when the whole page comes
/// back, no "paragraphs added" either. So too with no raw response kept.
#[tokio::test(flavor = "multi_thread")]
async fn a_page_cut_off_halfway_is_a_failed_check_and_the_baseline_is_kept() {
    for keep_raw in KEEP_RAW {
        a_page_cut_off_halfway_keeping(keep_raw).await;
    }
}

/// [`a_page_cut_off_halfway_is_a_failed_check_and_the_baseline_is_kept`],
/// with `keep_raw` (a line of [`KEEP_RAW`]).
async fn a_page_cut_off_halfway_keeping(keep_raw: &str) {
    let page = Arc::new(Mutex::new(long_story()));
    let base = close_delimited(page.clone()).await;
    let project = Project::new(&format!(
        "[daemon]\nper_host_delay = \"0s\"\nfailure_threshold = 2\n{keep_raw}\n[[watch]]\nname = \"story\"\nurl = \"{base}/world/2024/05/13/rasoulof-flees\"\nrobots = false\n"
    ));
    let first = check_first(&project).await;
    assert_eq!(first.outcome, Outcome::BaselineStored, "{}", first.detail);
    let baseline = project.read_baseline("story");

    *page.lock().unwrap() = cut_halfway(&long_story());
    let cut = check_first(&project).await;
    let Outcome::Error(error) = &cut.outcome else {
        panic!(
            "a cut page is a failed check: {:?} {}",
            cut.outcome, cut.detail
        );
    };
    for said in [
        "the page stops before its end",
        "“Paragraph 10: the filmmaker Mohammad Ras”",
        "a server error or a cut connection; presswatch keeps the baseline and tries again at the next check",
    ] {
        assert!(error.contains(said), "{said}: {error}");
    }
    assert_eq!(cut.alerts, vec![], "one failure is below the threshold");
    assert_eq!(project.read_baseline("story"), baseline);

    // Cut again: the error alert at the threshold, still no edit.
    let again = check_first(&project).await;
    assert_eq!(kinds(&again), vec![ChangeKind::Error]);
    assert!(
        again.alerts[0]
            .error
            .as_deref()
            .is_some_and(|e| e.contains("the page stops before its end")),
        "{:?}",
        again.alerts[0].error
    );
    assert_eq!(project.read_baseline("story"), baseline);

    // The whole page again: the watch recovers, and there is no change.
    *page.lock().unwrap() = long_story();
    let back = check_first(&project).await;
    assert_eq!(back.outcome, Outcome::Unchanged, "{}", back.detail);
    assert_eq!(kinds(&back), vec![ChangeKind::Recovered]);
    assert_eq!(project.read_baseline("story"), baseline);
}

/// Given an article with a baseline, a page that the server stopped
/// writing in the middle of the article (a PHP "Fatal error: Maximum
/// execution time exceeded", sent with a proper length) is a failed check
/// that quotes the error; the baseline is kept.
#[tokio::test(flavor = "multi_thread")]
async fn a_page_a_server_error_stopped_midway_is_a_failed_check_quoting_the_error() {
    let server = Server::start().await;
    server.set(STORY, Route::html(long_story()));
    let project = Project::new(&config(&server, STORY));
    check_first(&project).await;
    let baseline = project.read_baseline("story");
    let fatal = format!(
        "{}<br />\n<b>Fatal error</b>:  Maximum execution time of 30 seconds exceeded in <b>/var/www/html/wp-includes/formatting.php</b> on line <b>2345</b><br />\n",
        cut_halfway(&long_story())
    );
    server.set(STORY, Route::html(fatal));
    let stopped = check_first(&project).await;
    let Outcome::Error(error) = &stopped.outcome else {
        panic!("{:?} {}", stopped.outcome, stopped.detail);
    };
    assert!(
        error.contains("the page stops before its end (it ends “Fatal error: Maximum execution time of 30 seconds exceeded in /var/www/html/wp-includes/formatting.php on line 2345”"),
        "{error}"
    );
    assert_eq!(project.read_baseline("story"), baseline);
}

/// HTML lets a page leave out `</body>` and `</html>`. Given a site whose
/// pages always do, a story cut short by its newsroom is an edit, as it
/// always was: only a page that stops where the watch's pages used to end
/// properly is taken for cut off.
#[tokio::test(flavor = "multi_thread")]
async fn on_a_site_whose_pages_leave_out_their_end_tags_a_shorter_story_is_an_edit() {
    let without_end = |page: String| page.replace("</body></html>", "");
    let server = Server::start().await;
    server.set(STORY, Route::html(without_end(long_story())));
    let project = Project::new(&config(&server, STORY));
    check_first(&project).await;
    let shorter = long_story().replace(
        "<p>Paragraph 20: the filmmaker Mohammad Rasoulof left the country on foot after an appeals court upheld his eight-year prison sentence, his lawyer said in statement number 20.</p>\n",
        "",
    );
    server.set(STORY, Route::html(without_end(shorter)));
    let edited = check_first(&project).await;
    assert!(
        matches!(edited.outcome, Outcome::Changed(_)),
        "{:?} {}",
        edited.outcome,
        edited.detail
    );
}

/// Maintenance pages and a database error, as sites serve them with 200 in
/// place of every page: (the page, words the error quotes).
fn maintenance_pages() -> Vec<(String, &'static str)> {
    vec![
        (
            "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Maintenance | Test Herald</title></head><body><h1>We’ll be back soon</h1><p>Sorry for the inconvenience. We’re performing scheduled maintenance at the moment. We’ll be back online shortly!</p><p>— The Test Herald team</p></body></html>".into(),
            "Maintenance | Test Herald",
        ),
        (
            "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>Test Herald</title></head><body><p>Briefly unavailable for scheduled maintenance. Check back in a minute.</p></body></html>".into(),
            "Briefly unavailable for scheduled maintenance. Check back in a minute.",
        ),
        (
            "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>Database Error</title></head><body><h1>Error establishing a database connection</h1></body></html>".into(),
            "Error establishing a database connection",
        ),
        (
            "<!DOCTYPE html><html lang=\"fa\" dir=\"rtl\"><head><meta charset=\"utf-8\"><title>سایت در دست تعمیر است</title></head><body><h1>سایت در دست تعمیر است</h1><p>به‌زودی برمی‌گردیم. از شکیبایی شما سپاسگزاریم.</p></body></html>".into(),
            "سایت در دست تعمیر است",
        ),
        (
            "<!DOCTYPE html><html lang=\"ar\" dir=\"rtl\"><head><meta charset=\"utf-8\"><title>الموقع تحت الصيانة | الجريدة</title></head><body><h1>الموقع تحت الصيانة</h1><p>نعتذر عن الإزعاج، سنعود قريباً.</p></body></html>".into(),
            "الموقع تحت الصيانة",
        ),
    ]
}

/// Given an article with a baseline, when the site serves a maintenance
/// page or a database error with 200 in its place (in English, Persian or
/// Arabic), the check fails with words saying what the page said, no alert
/// goes out below the failure threshold, and the baseline is kept; when the
/// story comes back as it was, there is nothing to report.
#[tokio::test(flavor = "multi_thread")]
async fn a_maintenance_page_served_with_200_is_a_failed_check_and_the_baseline_is_kept() {
    for (page, said) in maintenance_pages() {
        let server = Server::start().await;
        server.set(STORY, Route::html(long_story()));
        let project = Project::new(&config(&server, STORY));
        check_first(&project).await;
        let baseline = project.read_baseline("story");

        server.set(STORY, Route::html(page));
        let down = check_first(&project).await;
        let Outcome::Error(error) = &down.outcome else {
            panic!("{said}: {:?} {}", down.outcome, down.detail);
        };
        for words in [
            "the site served a maintenance or error page instead of the article",
            &format!("it says “{said}”, HTTP 200"),
            "presswatch keeps the baseline and tries again at the next check",
        ] {
            assert!(error.contains(words), "{said}: {words}: {error}");
        }
        assert_eq!(down.alerts, vec![], "{said}");
        assert_eq!(project.read_baseline("story"), baseline, "{said}");

        server.set(STORY, Route::html(long_story()));
        let back = check_first(&project).await;
        assert_eq!(back.outcome, Outcome::Unchanged, "{said}: {}", back.detail);
        assert_eq!(back.alerts, vec![], "{said}");
    }
}

/// A watch's first check that meets a maintenance page stores no baseline:
/// the error says what the page said, and the story is the baseline once
/// it is read.
#[tokio::test(flavor = "multi_thread")]
async fn a_maintenance_page_on_the_first_check_is_an_error_and_no_baseline() {
    let server = Server::start().await;
    let (page, said) = maintenance_pages().remove(0);
    server.set(STORY, Route::html(page));
    let project = Project::new(&config(&server, STORY));
    let first = check_first(&project).await;
    let Outcome::Error(error) = &first.outcome else {
        panic!("{:?} {}", first.outcome, first.detail);
    };
    assert!(error.contains(&format!("it says “{said}”")), "{error}");
    assert!(!project.path("baseline/story.txt").exists());
    server.set(STORY, Route::html(long_story()));
    let story = check_first(&project).await;
    assert_eq!(story.outcome, Outcome::BaselineStored, "{}", story.detail);
}

/// A story about a site's maintenance is a story: given an article with a
/// baseline, a paragraph added that says a ministry's site is "down for
/// scheduled maintenance" is an edit.
#[tokio::test(flavor = "multi_thread")]
async fn a_story_that_tells_of_maintenance_is_an_edit() {
    let server = Server::start().await;
    server.set(STORY, Route::html(long_story()));
    let project = Project::new(&config(&server, STORY));
    check_first(&project).await;
    let added = long_story().replace(
        "</article>",
        "<p>The court’s website, where the ruling was published, has since been down for scheduled maintenance, a message on it says: “We’ll be back soon.”</p></article>",
    );
    server.set(STORY, Route::html(added));
    let edited = check_first(&project).await;
    assert!(
        matches!(edited.outcome, Outcome::Changed(_)),
        "{:?} {}",
        edited.outcome,
        edited.detail
    );
}

/// Given an article whose page ended properly, a site that starts leaving
/// out `</body>` and `</html>` (a new minifier) still has its newsroom's
/// edits reported: a page that keeps the story's last paragraph did not stop
/// before its end.
#[tokio::test(flavor = "multi_thread")]
async fn a_site_that_starts_leaving_out_its_end_tags_still_has_its_edits_reported() {
    let server = Server::start().await;
    server.set(STORY, Route::html(long_story()));
    let project = Project::new(&config(&server, STORY));
    check_first(&project).await;
    let edited = long_story()
        .replace(
            "statement number 3.",
            "statement number 3, read out in court.",
        )
        .replace("</body></html>", "");
    server.set(STORY, Route::html(edited));
    let report = check_first(&project).await;
    assert_eq!(
        kinds(&report),
        vec![ChangeKind::Edited],
        "{:?} {}",
        report.outcome,
        report.detail
    );
}

/// The story's page as a metered paywall serves it once the meter runs
/// out: the first `kept` paragraphs, then `wall` (the prompt's markup), and
/// `ld` added to the page's head.
fn behind_a_paywall(kept: usize, wall: &str, ld: &str) -> String {
    let full = long_story();
    let start = full.find("<p>Paragraph 1:").unwrap();
    let end = full.find("<div class=\"ad-slot\">").unwrap();
    let shown: String = (1..=kept)
        .map(|i| format!("<p>{}</p>\n", paragraph(i)))
        .collect();
    format!("{}{shown}{wall}\n{}", &full[..start], &full[end..])
        .replace("</head>", &format!("{ld}</head>"))
}

/// Schema.org's paywall markup, as search engines document it.
const NOT_FREE: &str = r#"<script type="application/ld+json">{"@context":"https://schema.org","@type":"NewsArticle","headline":"Filmmaker Rasoulof flees Iran after prison sentence","isAccessibleForFree":false,"hasPart":{"@type":"WebPageElement","isAccessibleForFree":false,"cssSelector":".paywall"}}</script>"#;

/// Given an article with a baseline, when the site's meter runs out and the
/// page shows only the story's first paragraphs behind a prompt to
/// subscribe (in English, Persian or Arabic, with schema.org's "not free"
/// mark or without), the check fails saying so and quoting the prompt, no
/// "paragraphs removed" goes out, the baseline is kept; failing again, the
/// error alert; the whole story back, no "paragraphs added". So too with
/// no raw response kept.
#[tokio::test(flavor = "multi_thread")]
async fn a_story_behind_a_metered_paywall_is_a_failed_check_and_the_baseline_is_kept() {
    let walls = [
        (
            r#"<div class="paywall"><h3>Subscribe to continue reading</h3><p>You have reached your limit of free articles. Already a subscriber? <a href="/login">Log in</a></p></div>"#,
            NOT_FREE,
            "“Subscribe to continue reading”",
        ),
        (
            r#"<div class="premium-box" dir="rtl"><p>برای ادامه مطالعه مشترک شوید</p><a href="/subscribe">اشتراک</a></div>"#,
            "",
            "“برای ادامه مطالعه مشترک شوید”",
        ),
        (
            r#"<section dir="rtl"><p>للمتابعة اشترك الآن</p></section>"#,
            NOT_FREE,
            "“للمتابعة اشترك الآن”",
        ),
        (
            "",
            NOT_FREE,
            "the page now marks the article as not free to read",
        ),
    ];
    for ((wall, ld, said), keep_raw) in walls.iter().flat_map(|w| KEEP_RAW.map(|k| (w, k))) {
        let case = format!("{said} {keep_raw}");
        let server = Server::start().await;
        server.set(STORY, Route::html(long_story()));
        let project = Project::new(&config_keeping(&server, STORY, keep_raw));
        check_first(&project).await;
        let baseline = project.read_baseline("story");

        server.set(STORY, Route::html(behind_a_paywall(2, wall, ld)));
        let walled = check_first(&project).await;
        let Outcome::Error(error) = &walled.outcome else {
            panic!("{case}: {:?} {}", walled.outcome, walled.detail);
        };
        for words in [
            format!(
                "the page now shows only the first 2 of 20 paragraphs, behind a paywall ({said}"
            ),
            "not a change; the baseline is kept and the page is tried again at the next check"
                .into(),
        ] {
            assert!(error.contains(&words), "{case}: {words}: {error}");
        }
        assert_eq!(
            walled.alerts,
            vec![],
            "{case}: one failure is below the threshold"
        );
        assert_eq!(project.read_baseline("story"), baseline, "{case}");

        let again = check_first(&project).await;
        assert_eq!(kinds(&again), vec![ChangeKind::Error], "{case}");
        assert!(
            again.alerts[0]
                .error
                .as_deref()
                .is_some_and(|e| e.contains("behind a paywall")),
            "{case}: {:?}",
            again.alerts[0].error
        );
        assert_eq!(project.read_baseline("story"), baseline, "{case}");

        server.set(STORY, Route::html(long_story()));
        let back = check_first(&project).await;
        assert_eq!(back.outcome, Outcome::Unchanged, "{case}: {}", back.detail);
        assert_eq!(kinds(&back), vec![ChangeKind::Recovered], "{case}");
        assert_eq!(project.read_baseline("story"), baseline, "{case}");
    }
}

/// Given an article with a baseline, a newsroom that cuts the story's last
/// paragraphs is reported, whatever the page says around them: with no
/// paywall sign; and on a site whose pages always carried the prompt and
/// the "not free" mark (a sign that is nothing new), whether or not raw
/// responses are kept.
#[tokio::test(flavor = "multi_thread")]
async fn a_story_cut_short_by_its_newsroom_with_no_new_paywall_sign_is_an_edit() {
    let prompt = r#"<div class="paywall"><h3>Subscribe to continue reading</h3></div>"#;
    let always_walled = long_story()
        .replace(
            "<div class=\"ad-slot\">",
            &format!("{prompt}<div class=\"ad-slot\">"),
        )
        .replace("</head>", &format!("{NOT_FREE}</head>"));
    let cases = [
        (long_story(), behind_a_paywall(2, "", "")),
        (always_walled, behind_a_paywall(2, prompt, NOT_FREE)),
    ];
    for ((before, after), keep_raw) in cases.iter().flat_map(|c| KEEP_RAW.map(|k| (c, k))) {
        let server = Server::start().await;
        server.set(STORY, Route::html(before.clone()));
        let project = Project::new(&config_keeping(&server, STORY, keep_raw));
        check_first(&project).await;
        server.set(STORY, Route::html(after.clone()));
        let cut = check_first(&project).await;
        assert_eq!(
            kinds(&cut),
            vec![ChangeKind::Edited],
            "{:?} {}",
            cut.outcome,
            cut.detail
        );
        assert!(
            cut.detail.contains("18 paragraphs removed"),
            "{}",
            cut.detail
        );
    }
}

/// A story about paywalls is a story: given one whose paragraphs say
/// "subscribe to continue reading", its last paragraphs cut by the
/// newsroom are an edit.
#[tokio::test(flavor = "multi_thread")]
async fn a_story_about_paywalls_cut_short_is_an_edit() {
    let about = long_story().replace(
        &paragraph(2),
        "Paragraph 2: readers of the paper now see a box that says “Subscribe to continue reading” after three stories a month.",
    );
    let server = Server::start().await;
    server.set(STORY, Route::html(about.clone()));
    let project = Project::new(&config(&server, STORY));
    check_first(&project).await;
    let start = about.find(&format!("<p>{}", paragraph(3))).unwrap();
    let end = about.find("<div class=\"ad-slot\">").unwrap();
    server.set(
        STORY,
        Route::html(format!("{}{}", &about[..start], &about[end..])),
    );
    let cut = check_first(&project).await;
    assert_eq!(
        kinds(&cut),
        vec![ChangeKind::Edited],
        "{:?} {}",
        cut.outcome,
        cut.detail
    );
}

/// A recorded story's page (`page`) as a metered paywall serves it once the
/// meter runs out: its first two paragraphs, the third cut midway, then
/// `wall` (the prompt's markup), and `ld` added to the page's head.
fn paywall_teaser(page: &str, wall: &str, ld: &str) -> String {
    let third = page.match_indices("<p>").nth(2).unwrap().0;
    let end = page.find("</article>").unwrap();
    let cut: String = page[third..].chars().take(40).collect();
    format!("{}{cut}…</p>\n{wall}\n{}", &page[..third], &page[end..])
        .replace("</head>", &format!("{ld}</head>"))
}

/// What a baseline file holds of its story: all but when and from which
/// server it was fetched.
fn story_held(baseline: &str) -> String {
    held(baseline)
        .lines()
        .filter(|l| !l.starts_with("URL: "))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The story a watch started on `page` keeps as its baseline ([`story_held`]).
async fn baseline_of(page: &str) -> String {
    let server = Server::start().await;
    server.set(STORY, Route::html(page.to_string()));
    let project = Project::new(&config(&server, STORY));
    check_first(&project).await;
    story_held(&project.read_baseline("story"))
}

/// Given a watch whose first check met the story's paywall (its first
/// paragraphs, then a prompt to subscribe, in English or Persian, with
/// schema.org's "not free" mark or without), the first check says the
/// baseline may be only the story's start; when the meter resets and the
/// page shows the whole story without the prompt (the "not free" mark kept
/// or gone, punctuation, spacing and Arabic letter forms as the comparison
/// ignores them), no alert goes out and the whole story becomes the
/// baseline; the next check finds nothing new. So too with no raw response
/// kept.
#[tokio::test(flavor = "multi_thread")]
async fn a_story_whose_first_check_met_its_paywall_takes_the_whole_story_as_its_baseline_silently()
{
    let en = recorded("changes/en/base.html");
    let fa = recorded("changes/fa/base.html");
    let english_wall = r#"<div class="paywall"><h3>Subscribe to continue reading</h3><p>You have reached your limit of free articles. Already a subscriber? <a href="/login">Log in</a></p></div>"#;
    let persian_wall = r#"<div class="premium-box"><p>برای ادامه مطالعه مشترک شوید</p><a href="/subscribe">اشتراک</a></div>"#;
    let metered = |page: String| page.replace("</head>", &format!("{NOT_FREE}</head>"));
    let cases = [
        (
            paywall_teaser(&en, english_wall, NOT_FREE),
            "“Subscribe to continue reading”",
            recorded("changes/en/base.html"),
        ),
        (
            paywall_teaser(&en, english_wall, NOT_FREE),
            "“Subscribe to continue reading”",
            metered(recorded("changes/en/noise-whitespace-punctuation.html")),
        ),
        (
            paywall_teaser(&fa, persian_wall, ""),
            "“برای ادامه مطالعه مشترک شوید”",
            recorded("changes/fa/noise-whitespace-punctuation.html"),
        ),
    ];
    for ((teaser, prompt, whole), keep_raw) in cases.iter().flat_map(|c| KEEP_RAW.map(|k| (c, k))) {
        let server = Server::start().await;
        server.set(STORY, Route::html(teaser.clone()));
        let project = Project::new(&config_keeping(&server, STORY, keep_raw));
        let first = check_first(&project).await;
        assert_eq!(first.outcome, Outcome::BaselineStored, "{}", first.detail);
        assert!(
            first.detail.contains(&format!(
                "the page shows a paywall ({prompt}): the baseline may be only the story's first paragraphs"
            )),
            "{}",
            first.detail
        );

        server.set(STORY, Route::html(whole.clone()));
        let full = check_first(&project).await;
        assert_eq!(
            full.outcome,
            Outcome::Unchanged,
            "{prompt}: {}",
            full.detail
        );
        assert_eq!(full.alerts, vec![], "{prompt}: {}", full.detail);
        assert!(
            full.detail
                .contains("the story's full text is now readable")
                && full
                    .detail
                    .contains(&format!("behind a paywall ({prompt})"))
                && full.detail.contains("taken as the baseline, no alert"),
            "{}",
            full.detail
        );
        assert_eq!(
            story_held(&project.read_baseline("story")),
            baseline_of(whole).await,
            "{prompt}"
        );

        let again = check_first(&project).await;
        assert_eq!(
            again.outcome,
            Outcome::Unchanged,
            "{prompt}: {}",
            again.detail
        );
        assert_eq!(again.alerts, vec![], "{prompt}");
    }
}

/// Given a watch whose first check met the story's paywall, when the whole
/// story comes with a word of the paragraphs the baseline held changed
/// ("Monday" → "Tuesday"; «دوشنبه» → «سه‌شنبه»), the edit alerts, naming the
/// changed words, and the paragraphs the paywall hid are not reported as
/// added; the whole story becomes the baseline.
#[tokio::test(flavor = "multi_thread")]
async fn an_edit_to_what_a_paywalled_baseline_held_alerts_when_the_whole_story_comes() {
    let cases = [
        (
            "en",
            r#"<div class="paywall"><h3>Subscribe to continue reading</h3></div>"#,
            "Monday",
            "Tuesday",
        ),
        (
            "fa",
            r#"<div class="premium-box"><p>برای ادامه مطالعه مشترک شوید</p></div>"#,
            "دوشنبه",
            "سه‌شنبه",
        ),
    ];
    for (lang, wall, before, after) in cases {
        let base = recorded(&format!("changes/{lang}/base.html"));
        let edited = recorded(&format!("changes/{lang}/edit-word-changed.html"));
        let server = Server::start().await;
        server.set(STORY, Route::html(paywall_teaser(&base, wall, NOT_FREE)));
        let project = Project::new(&config(&server, STORY));
        check_first(&project).await;

        server.set(STORY, Route::html(edited.clone()));
        let report = check_first(&project).await;
        assert_eq!(
            kinds(&report),
            vec![ChangeKind::Edited],
            "{lang}: {:?} {}",
            report.outcome,
            report.detail
        );
        let alert = &report.alerts[0];
        assert!(
            alert.summary.starts_with("1 word changed in paragraph 2. The rest of the story, which a paywall hid when the baseline was kept, is now readable (2 more paragraphs, not reported as added)"),
            "{lang}: {}",
            alert.summary
        );
        assert!(!alert.summary.contains("added;"), "{}", alert.summary);
        let change = alert.change.as_ref().expect("the change");
        let words = |texts: Vec<String>| -> Vec<String> {
            texts
                .iter()
                .map(|t| t.trim_matches(|c: char| !c.is_alphanumeric()).to_string())
                .collect()
        };
        assert_eq!(words(change.removed_text()), vec![before], "{lang}");
        assert_eq!(words(change.added_text()), vec![after], "{lang}");
        assert_eq!(
            story_held(&project.read_baseline("story")),
            baseline_of(&edited).await,
            "{lang}"
        );
    }
}

/// Paragraphs a newsroom adds are reported, where a page's paywall signs
/// say no teaser was lifted: given a watch whose first check found a short
/// story on a page with a prompt to subscribe and the "not free" mark,
/// then the longer story with both still shown (no sign went); and given a
/// whole story on a page with a box promoting subscriptions that reads as a
/// prompt, then the story with a paragraph added and the box gone (the
/// baseline held more of the story than the page adds: no teaser).
#[tokio::test(flavor = "multi_thread")]
async fn paragraphs_added_to_a_story_that_was_no_teaser_are_an_edit() {
    let base = recorded("changes/en/base.html");
    let wall = r#"<div class="paywall"><h3>Subscribe to continue reading</h3></div>"#;
    let promo = r#"<aside class="promo"><p>Subscribe now for unlimited digital access</p></aside>"#;
    let added = "<p>Rasoulof later said he would settle in Germany, where his film was co-produced.</p></article>";
    for (before, after, said) in [
        (
            paywall_teaser(&base, wall, NOT_FREE),
            base.replace("</article>", &format!("{wall}</article>"))
                .replace("</head>", &format!("{NOT_FREE}</head>")),
            "3 paragraphs added",
        ),
        (
            base.replace("</main>", &format!("{promo}</main>")),
            base.replace("</article>", added),
            "1 paragraph added",
        ),
    ] {
        let server = Server::start().await;
        server.set(STORY, Route::html(before));
        let project = Project::new(&config(&server, STORY));
        check_first(&project).await;
        server.set(STORY, Route::html(after));
        let report = check_first(&project).await;
        assert_eq!(
            kinds(&report),
            vec![ChangeKind::Edited],
            "{said}: {:?} {}",
            report.outcome,
            report.detail
        );
        assert!(report.detail.contains(said), "{said}: {}", report.detail);
    }
}

/// A sign-in form, as a site's log-in page serves it.
fn sign_in_page() -> String {
    r#"<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Log in | Example News</title></head><body>
<header><nav><a href="/">Home</a></nav></header><main><h1>Log in to Example News</h1>
<form method="post" action="/session"><label>Email <input type="email" name="email"></label>
<label>Password <input type="password" name="password"></label><button>Log in</button></form>
<p>Not a subscriber yet? Subscribe for unlimited access to our journalism.</p></main></body></html>"#
        .into()
}

/// Given an article with a baseline, a redirect for now (302, 303, 307) to
/// a page of the same site that will lead back to the story (its address
/// carries the story's: `/login?next=…`, `/subscribe?return_to=…`,
/// `/consent?redirect=…`; or it is a sign-in form) keeps the story from
/// presswatch for a while: a failed check naming the page, no takedown, the
/// baseline kept; the story back is no news.
#[tokio::test(flavor = "multi_thread")]
async fn a_temporary_redirect_to_a_sign_in_consent_or_subscription_page_is_a_failed_check() {
    let encode = |s: &str| s.replace(':', "%3A").replace('/', "%2F");
    let consent = news_page(
        "Before you continue",
        "",
        &["We and our partners use cookies to deliver our services and show personalised ads."],
        &[],
    );
    let plans = news_page(
        "Get unlimited access",
        "",
        &["Choose the plan that suits you: monthly or yearly, cancel any time from your account page."],
        &[],
    );
    let (by_address, by_form) = (
        "its address leads back to the article",
        "it is a sign-in form",
    );
    for status in [302, 303, 307] {
        let server = Server::start().await;
        let gates = [
            (
                format!("/login?next={}", encode(STORY)),
                sign_in_page(),
                by_address,
            ),
            (
                format!("/subscribe?return_to={}", encode(&server.url(STORY))),
                plans.clone(),
                by_address,
            ),
            (
                format!("/consent?redirect={STORY}"),
                consent.clone(),
                by_address,
            ),
            ("/account/login".to_string(), sign_in_page(), by_form),
            ("/login".to_string(), sign_in_page(), by_form),
        ];
        for (to, page, known) in &gates {
            server.set(STORY, Route::html(story()));
            let project = Project::new(&config(&server, STORY));
            check_first(&project).await;
            let baseline = project.read_baseline("story");

            server.set(STORY, Route::status(status).header("Location", to));
            server.set(to, Route::html(page.clone()));
            let sent = check_first(&project).await;
            let Outcome::Error(error) = &sent.outcome else {
                panic!("{status} {to}: {:?} {}", sent.outcome, sent.detail);
            };
            for said in [
                format!("the site sends presswatch for now to a sign-in, consent or subscription page, {} ({known})", server.url(to)),
                "the article is not taken down; presswatch keeps the baseline and tries again at the next check".to_string(),
            ] {
                assert!(error.contains(&said), "{status} {to}: {said}: {error}");
            }
            assert_eq!(sent.alerts, vec![], "{status} {to}");
            assert_eq!(project.read_baseline("story"), baseline, "{status} {to}");

            server.set(STORY, Route::html(story()));
            let back = check_first(&project).await;
            assert_eq!(
                back.outcome,
                Outcome::Unchanged,
                "{status} {to}: {}",
                back.detail
            );
            assert_eq!(back.alerts, vec![], "{status} {to}");
        }
    }
}

/// Given a new watch whose URL redirects for now to the story's slug, as
/// the site always does, a short story with a log-in box in its header (a
/// password field) is the story: its baseline is stored, no sign-in gate.
#[tokio::test(flavor = "multi_thread")]
async fn a_short_story_with_a_log_in_box_behind_the_site_s_usual_redirect_is_the_story() {
    let server = Server::start().await;
    let slug = "/en/news/127455-filmmaker-rasoulof/";
    server.set(
        "/en/news/127455",
        Route::status(302).header("Location", slug),
    );
    let brief = news_page(
        "Filmmaker Rasoulof flees Iran",
        "Jane Doe",
        &[
            "The filmmaker Mohammad Rasoulof has left Iran on foot, his lawyer said on Monday.",
            "An appeals court had upheld his eight-year prison sentence last week.",
        ],
        &[],
    )
    .replace(
        "</nav></header>",
        r#"</nav><form class="login-box" method="post" action="/session"><input type="email" name="email"><input type="password" name="password"><button>Log in</button></form></header>"#,
    );
    server.set(slug, Route::html(brief));
    let project = Project::new(&config(&server, "/en/news/127455"));
    let first = check_first(&project).await;
    assert_eq!(first.outcome, Outcome::BaselineStored, "{}", first.detail);
}

/// Given a tag page watched as an article (no `kind`), whose article reads
/// as one teaser line while the page links to many stories, the first
/// check stores its baseline (no alert) and says the page may be a listing
/// to watch with kind = "listing"; an ordinary short story's first check
/// says nothing of the kind.
#[tokio::test(flavor = "multi_thread")]
async fn a_tag_page_watched_as_an_article_is_said_to_be_maybe_a_listing_on_its_first_check() {
    let tag = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/tag-page.html"),
    )
    .unwrap();
    let server = Server::start().await;
    server.set("/tag/evin", Route::html(tag));
    let project = Project::new(&config(&server, "/tag/evin"));
    let first = check_first(&project).await;
    assert_eq!(first.outcome, Outcome::BaselineStored, "{}", first.detail);
    assert!(
        first
            .detail
            .starts_with("first check: baseline stored (1 paragraph, 9 words), no alert; ")
            && first.detail.contains("while the page links to 8 stories")
            && first.detail.contains("set kind = \"listing\" on its watch"),
        "{}",
        first.detail
    );

    let server = Server::start().await;
    let short = news_page(
        "Court upholds sentence of filmmaker Rasoulof",
        "By Example Staff",
        &["An appeals court in Tehran upheld the eight-year sentence of the director Mohammad Rasoulof, his lawyer said on Tuesday."],
        &[],
    );
    server.set(STORY, Route::html(short));
    let project = Project::new(&config(&server, STORY));
    let first = check_first(&project).await;
    assert_eq!(first.outcome, Outcome::BaselineStored, "{}", first.detail);
    assert!(!first.detail.contains("listing"), "{}", first.detail);
}

/// A body that is no web page, served as `text/html` as many servers label
/// every answer: JSON, a CSV table, an XML sitemap, plain text.
fn data_bodies(server: &Server) -> Vec<(&'static str, String, String)> {
    vec![
        (
            "/api/story.json",
            r#"{"status":"ok","data":{"id":4411,"title":"Director flees","body":"The director left the country on Monday after the verdict."}}"#.into(),
            "it is JSON data (as an API answers), served as text/html, not a web page: it holds \
             no article text, whatever the selector; watch the article's web page (the address a \
             browser shows for it)"
                .into(),
        ),
        (
            "/export/stories.csv",
            "id,title,date\n1,Director flees,2026-12-01\n2,Court verdict,2026-12-02\n".into(),
            "it is a CSV table, served as text/html, not a web page: it holds no article text, \
             whatever the selector; watch the article's web page (the address a browser shows \
             for it)"
                .into(),
        ),
        (
            "/sitemap.xml",
            format!(
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\"><url><loc>{}</loc></url><url><loc>{}</loc></url></urlset>",
                server.url("/a1"),
                server.url("/a2")
            ),
            "it is an XML sitemap (a <urlset> of 2 page addresses), served as text/html, not a web \
             page: it holds no article text, whatever the selector; presswatch reads a sitemap's \
             pages as a feed's items: watch it with kind = \"feed\""
                .into(),
        ),
        (
            "/statement.txt",
            "Director flees the country\n\nThe director left the country on Monday after the \
             verdict was announced by the court, his lawyer said in a statement.\n"
                .into(),
            "it is plain text, with no HTML markup, served as text/html, not a web page; watch the \
             article's web page (the address a browser shows for it); if this text is the article \
             itself, set selector = \"body\" on watch story to read it as one"
                .into(),
        ),
    ]
}

/// An article watch whose URL answers JSON, a CSV table, an XML sitemap or
/// plain text (served as text/html) keeps no baseline of it: its first
/// check says what the body is and what to watch instead, as a listing's
/// does, not to set a `selector` (JSON and CSV were "no article text: set
/// `selector`", plain text a baseline of one paragraph). Plain text a
/// `selector` picks is read as the article its user says it is.
#[tokio::test(flavor = "multi_thread")]
async fn an_article_url_that_answers_data_or_plain_text_keeps_no_baseline_of_it() {
    let server = Server::start().await;
    for (path, body, said) in data_bodies(&server) {
        server.set(path, Route::html(body));
        let project = Project::new(&config(&server, path));
        let first = check_first(&project).await;
        assert_eq!(
            first.outcome,
            Outcome::Error(format!(
                "no article text found at {}: {said}",
                server.url(path)
            )),
            "{path}: {}",
            first.detail
        );
        assert!(!project.path("baseline/story.txt").exists(), "{path}");
    }
    let project = Project::new(&format!(
        "{}selector = \"body\"\n",
        config(&server, "/statement.txt")
    ));
    let first = check_first(&project).await;
    assert_eq!(first.outcome, Outcome::BaselineStored, "{}", first.detail);
    assert!(
        project
            .read_baseline("story")
            .contains("his lawyer said in a statement"),
        "{}",
        project.read_baseline("story")
    );
}

/// Given an article with a baseline, when its URL answers JSON (an API's
/// error) or a notice in plain text with 200 in place of the page, the
/// check fails saying what came, quoting its beginning; no alert goes out
/// below the failure threshold, nothing of its text is an "edited" alert,
/// and the baseline is kept; when the story comes back as it was, there is
/// nothing to report. So too with no raw response kept.
#[tokio::test(flavor = "multi_thread")]
async fn data_or_plain_text_in_place_of_a_story_is_a_failed_check_and_the_baseline_is_kept() {
    let json = r#"{"error":{"code":"UNAVAILABLE","message":"The backend that answers this request did not answer in time; the gateway gave up waiting for it. Retry the request later."}}"#;
    let notice = "Our systems have detected unusual traffic from your network. The request was \
                  blocked by the firewall (reference 7731-A); contact the administrator of this \
                  website if you believe this is a mistake.";
    for keep_raw in KEEP_RAW {
        let server = Server::start().await;
        server.set(STORY, Route::html(long_story()));
        let project = Project::new(&config_keeping(&server, STORY, keep_raw));
        check_first(&project).await;
        let baseline = project.read_baseline("story");
        for (body, what, begins) in [
            (
                json,
                "JSON data (as an API answers)",
                "{\"error\":{\"code\":\"UNAVAILABLE\",\"message\":\"The backend that answers \
                 this request did not answer in time; the gateway gave up waiting for it. Retry \
                 the request la…",
            ),
            (
                notice,
                "plain text, with no HTML markup",
                "Our systems have detected unusual traffic from your network. The request was \
                 blocked by the firewall (reference 7731-A); contact the administrator of this \
                 websi…",
            ),
        ] {
            server.set(STORY, Route::html(body));
            let report = check_first(&project).await;
            assert_eq!(
                report.outcome,
                Outcome::Error(format!(
                    "{}: the site answered with {what}, served as text/html, in place of the \
                     article's web page (HTTP 200, it begins “{begins}”): no version of the \
                     story; presswatch keeps the baseline and tries again at the next check. If \
                     it lasts, open the URL in a browser: the story may have moved, or the site \
                     serves it otherwise now",
                    server.url(STORY)
                )),
                "{keep_raw}{}",
                report.detail
            );
            assert_eq!(report.alerts, vec![], "{keep_raw}: below the threshold");
            assert_eq!(project.read_baseline("story"), baseline, "{keep_raw}");
            // Back to the story between the two: each is met after a web page.
            server.set(STORY, Route::html(long_story()));
            let back = check_first(&project).await;
            assert_eq!(
                back.outcome,
                Outcome::Unchanged,
                "{keep_raw}{}",
                back.detail
            );
            assert_eq!(back.alerts, vec![], "{keep_raw}");
        }
    }
}

/// A story that was always plain text is compared as it always was: given
/// a watch whose baseline was read from plain text (here with `selector =
/// "body"`, then the selector taken away, as a watch an older presswatch
/// began without one has it), a word changed in it is an edit.
#[tokio::test(flavor = "multi_thread")]
async fn a_story_that_was_always_plain_text_still_has_its_edits_reported() {
    let statement = |day: &str| {
        format!(
            "Director flees the country\n\nThe director left the country on {day} after the \
             verdict was announced by the court, his lawyer said in a statement to the press.\n\n\
             The family said it had not been told in advance, and that the sentence would be \
             appealed in the coming weeks.\n"
        )
    };
    for keep_raw in KEEP_RAW {
        let server = Server::start().await;
        server.set(STORY, Route::html(statement("Monday")));
        let project = Project::new(&format!(
            "{}selector = \"body\"\n",
            config_keeping(&server, STORY, keep_raw)
        ));
        let first = check_first(&project).await;
        assert_eq!(first.outcome, Outcome::BaselineStored, "{}", first.detail);
        std::fs::write(
            project.path("config.toml"),
            config_keeping(&server, STORY, keep_raw),
        )
        .unwrap();
        server.set(STORY, Route::html(statement("Tuesday")));
        let edited = check_first(&project).await;
        assert_eq!(
            kinds(&edited),
            vec![ChangeKind::Edited],
            "{keep_raw}{:?} {}",
            edited.outcome,
            edited.detail
        );
    }
}
