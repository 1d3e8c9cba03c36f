//! Takedowns are evidence, and a URL that never worked is an error: given an
//! article served on loopback that answers 404, these alerts, emails,
//! `status` rows and `history` lines come out.

use std::sync::{Arc, Mutex};

use mail_parser::MessageParser;
use presswatch::alert::{Alert, LastKnown};
use presswatch::check::Outcome;
use presswatch::compare::ChangeKind;
use presswatch::notify::{digest, render};

use crate::support::{check_first, news_page, run, smtp_sink, Project, Route, Server};

const PATH: &str = "/world/2024/05/13/rasoulof-flees-iran";
const P1: &str = "Iranian dissident filmmaker Mohammad Rasoulof has fled Iran, escaping on foot through rugged mountainous borders after receiving an eight-year prison sentence.";
const P2: &str = "In a statement released Monday, the artist said he arrived in Europe a few days ago after a long and complicated journey.";
const P3: &str = "Rasoulof's film, The Seed of The Sacred Fig, delves into the protest movements in Iran following the death of Mahsa Amini in 2022.";

fn page() -> String {
    news_page(
        "Filmmaker Rasoulof flees Iran after prison sentence",
        "Jane Doe",
        &[P1, P2, P3],
        &["Markets fall", "Weather warning"],
    )
}

/// An article watch named `story` on [`PATH`], with extra config text.
fn config(server: &Server, extra: &str) -> String {
    format!(
        "[daemon]\nper_host_delay = \"0s\"\nfailure_threshold = 2\n{extra}\n[[watch]]\nname = \"story\"\nurl = \"{}\"\noutlet = \"Example News\"\nrobots = false\n",
        server.url(PATH)
    )
}

fn kinds(alerts: &[Alert]) -> Vec<ChangeKind> {
    alerts.iter().map(|a| a.kind).collect()
}

/// Checks twice (the failure threshold is 2): the error alert's message.
async fn error_alert(project: &Project) -> String {
    let first = check_first(project).await;
    assert!(
        matches!(first.outcome, Outcome::Error(_)),
        "{:?}",
        first.outcome
    );
    assert_eq!(first.alerts, vec![], "one failure is below the threshold");
    let second = check_first(project).await;
    assert_eq!(kinds(&second.alerts), vec![ChangeKind::Error]);
    second.alerts[0].error.clone().unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_url_that_never_worked_is_an_error_alert_saying_what_to_check() {
    let server = Server::start().await;
    server.set(PATH, Route::status(404));
    let project = Project::new(&config(&server, ""));
    let out = run(&["check", "--config", &project.config_arg()], &[]).await;
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(
        stdout.contains("story  error")
            && stdout.contains("answers HTTP 404 (not found) and has never worked for this watch"),
        "{stdout}"
    );
    // The second failure reaches the threshold: one error alert that says what to check.
    let second = check_first(&project).await;
    assert_eq!(kinds(&second.alerts), vec![ChangeKind::Error]);
    let error = second.alerts[0].error.clone().unwrap();
    for hint in [
        "may be mistyped or cut off",
        "Open the URL in a browser",
        "`url` of watch story",
    ] {
        assert!(error.contains(hint), "{hint}: {error}");
    }
    let status = run(&["status", "--config", &project.config_arg()], &[]).await;
    let status = String::from_utf8_lossy(&status.stdout);
    let row = status.lines().find(|l| l.starts_with("story")).unwrap();
    assert!(row.contains(" error "), "{status}");

    // A first fetch that lands on the site's front page is the same mistake.
    server.set(PATH, Route::status(301).header("Location", "/"));
    server.set("/", Route::html(page()));
    let project = Project::new(&config(&server, ""));
    let error = error_alert(&project).await;
    assert!(
        error.contains("redirects to the site's front page"),
        "{error}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_hand_written_baseline_whose_url_never_worked_is_an_error_not_a_takedown() {
    let server = Server::start().await;
    server.set(PATH, Route::status(410));
    let project = Project::new(&config(&server, ""));
    project.baseline(
        "story",
        &format!(
            "Title: Filmmaker Rasoulof flees Iran after prison sentence\n\n{P1}\n\n{P2}\n\n{P3}\n"
        ),
    );
    let error = error_alert(&project).await;
    assert!(
        error.contains("answers HTTP 410 (gone) and has never worked for this watch")
            && error.contains("holds the text you expect, but this URL has never served it"),
        "{error}"
    );

    // The URL is fixed on the site: the watch recovers against its baseline.
    server.set(PATH, Route::html(page()));
    let back = check_first(&project).await;
    assert_eq!(kinds(&back.alerts), vec![ChangeKind::Recovered]);
    // Now it has worked: a 404 is a takedown, and the text held is the
    // hand-written baseline, version 1.
    server.set(PATH, Route::status(404));
    let gone = check_first(&project).await;
    assert_eq!(kinds(&gone.alerts), vec![ChangeKind::TakenDown]);
    let last = gone.alerts[0].last_known.clone().unwrap();
    assert_eq!(last.version, 1);
    assert_eq!(last.blocks.len(), 3);
    assert!(last.last_seen.is_some());
}

/// The text part of a message.
fn text_part(raw: &[u8]) -> String {
    MessageParser::default()
        .parse(raw)
        .expect("a parsable message")
        .body_text(0)
        .expect("a text part")
        .replace("\r\n", "\n")
}

#[tokio::test(flavor = "multi_thread")]
async fn a_takedown_is_evidence_in_the_email_in_status_and_in_history() {
    let mails = Arc::new(Mutex::new(Vec::<Vec<u8>>::new()));
    let smtp = smtp_sink(mails.clone());
    let server = Server::start().await;
    server.set(PATH, Route::html(page()));
    let channel = format!(
        "[[channel]]\nname = \"press-office\"\ntype = \"email\"\nsmtp_url = \"smtp://127.0.0.1:{smtp}\"\ntls = \"none\"\nfrom = \"presswatch <alerts@example.org>\"\nto = [\"staff@example.org\"]\n"
    );
    let project = Project::new(&config(&server, &channel));
    let cfg = project.config_arg();
    let check_args = ["check", "--config", cfg.as_str()];
    let check = || run(&check_args, &[]);
    check().await;

    server.set(PATH, Route::status(404));
    let out = check().await;
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("story  taken down  The article answers HTTP 404"),
        "{stdout}"
    );
    let text = text_part(&mails.lock().unwrap()[0]);
    for expected in [
        "Taken down · Example News\nFilmmaker Rasoulof flees Iran after prison sentence",
        "The article answers HTTP 404",
        "What the article said (version 1, stored ",
        "; last seen online ",
        "By Jane Doe",
        "Iranian dissident filmmaker Mohammad Rasoulof has fled Iran,",
        "the death of Mahsa Amini in 2022.",
    ] {
        // Its lines as one, however they wrap.
        let unwrapped = text.replace("\n  ", " ");
        assert!(unwrapped.contains(expected), "{expected:?} in:\n{text}");
    }
    assert!(
        !text.contains("Cut here") && !text.contains("Most read"),
        "{text}"
    );

    // Still gone: no second alert, and status says so.
    let out = check().await;
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("story  taken down  still gone since "),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert_eq!(mails.lock().unwrap().len(), 1);
    let status = run(&["status", "--config", &cfg], &[]).await;
    let status = String::from_utf8_lossy(&status.stdout);
    let row = status.lines().find(|l| l.starts_with("story")).unwrap();
    assert!(row.contains(" taken down "), "{status}");

    // Back, unchanged: a restore alert, said as a restore (not "changed")
    // on the check's line, its total and in status; history holds both
    // events.
    server.set(PATH, Route::html(page()));
    let out = check().await;
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("story  restored   Article is back, unchanged"),
        "{stdout}"
    );
    assert!(
        stdout.contains("0 changed, 0 with new items, 0 unchanged, 0 taken down, 1 restored, "),
        "{stdout}"
    );
    assert_eq!(mails.lock().unwrap().len(), 2);
    let status = run(&["status", "--config", &cfg], &[]).await;
    let status = String::from_utf8_lossy(&status.stdout);
    let row = status.lines().find(|l| l.starts_with("story")).unwrap();
    assert!(row.contains(" restored "), "{status}");
    let history = run(&["history", "--config", &cfg, "story"], &[]).await;
    let history = String::from_utf8_lossy(&history.stdout);
    let lines: Vec<&str> = history.lines().collect();
    assert!(
        lines[0].trim_start().starts_with("1 ") && lines[0].ends_with("baseline (first fetch)"),
        "{history}"
    );
    assert!(
        lines[1].contains("taken down: The article answers HTTP 404 (the text held is version 1)"),
        "{history}"
    );
    assert!(
        lines[2].contains("restored: Article is back, unchanged (its text is version 1)"),
        "{history}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_long_taken_down_article_is_cut_after_whole_paragraphs_and_says_how_much() {
    let server = Server::start().await;
    // 30 paragraphs of 60 words: 1,800 words.
    let words = "the court upheld the sentence and the director left the country on foot";
    let paragraphs: Vec<String> = (1..=30)
        .map(|n| {
            let filler: Vec<&str> = words.split(' ').cycle().take(55).collect();
            format!("Paragraph {n} of the report: {}.", filler.join(" "))
        })
        .collect();
    let refs: Vec<&str> = paragraphs.iter().map(String::as_str).collect();
    server.set(
        PATH,
        Route::html(news_page("A long report", "Jane Doe", &refs, &[])),
    );
    let project = Project::new(&config(&server, ""));
    check_first(&project).await;
    server.set(PATH, Route::status(404));
    let gone = check_first(&project).await;
    let last = gone.alerts[0].last_known.clone().unwrap();
    assert_eq!(last.words, 1800);
    assert_eq!(last.blocks.len(), LastKnown::MAX_WORDS / 60);
    assert_eq!((last.cut_paragraphs, last.cut_words), (5, 300));
    let text = render::text(&gone.alerts[0], &render::Context::of(&project.load()));
    let command = format!(
        "presswatch history --config {} story --show 1",
        project.config_arg()
    );
    assert!(
        text.contains(&format!(
            "Cut here: 5 more paragraphs (300 words) not shown. The whole text:\n  {command}\n"
        )),
        "{text}"
    );
    assert!(text.contains("Paragraph 25 of the report") && !text.contains("Paragraph 26 "));
    // The command prints the whole text.
    let args: Vec<&str> = command.split(' ').skip(1).collect();
    let out = run(&args, &[]).await;
    let whole = String::from_utf8_lossy(&out.stdout);
    assert!(
        whole.starts_with("watch story: version 1 (stored ")
            && whole.contains("Paragraph 30 of the report"),
        "{whole}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn in_a_digest_takedowns_come_first_and_stand_out() {
    let server = Server::start().await;
    // One story edited, then another taken down.
    server.set(PATH, Route::html(page()));
    let edited = Project::new(&config(&server, ""));
    check_first(&edited).await;
    server.set(
        PATH,
        Route::html(news_page(
            "Filmmaker Rasoulof flees Iran after prison sentence",
            "Jane Doe",
            &[P1, P3],
            &[],
        )),
    );
    let edit = check_first(&edited).await.alerts;
    server.set(PATH, Route::html(page()));
    let removed = Project::new(&config(&server, ""));
    check_first(&removed).await;
    server.set(PATH, Route::status(410));
    let takedown = check_first(&removed).await.alerts;
    let alerts = [edit, takedown].concat();
    assert_eq!(kinds(&alerts), [ChangeKind::Edited, ChangeKind::TakenDown]);

    let text = render::digest_text(&alerts, &render::Context::default());
    // Under the line that says what the digest holds, the takedown first.
    let (summary, groups) = text.split_once("\n\n").unwrap();
    assert!(summary.ends_with(": 1 taken down, 1 edited"), "{text}");
    assert!(groups.starts_with("TAKEN DOWN: 1 ARTICLE\n"), "{text}");
    assert!(
        text.find("What the article said").unwrap() < text.find("1 paragraph removed").unwrap(),
        "{text}"
    );
    let html = render::digest_html(&alerts, &render::Context::default());
    let first_heading = &html[html.find("<h2").unwrap()..];
    assert!(
        first_heading.starts_with("<h2 style=\"")
            && first_heading[..first_heading.find("</h2>").unwrap()]
                .ends_with("color:#9b0019;\">Taken down: 1 article"),
        "{first_heading}"
    );
    assert_eq!(
        digest::subject(
            &alerts,
            presswatch::config::DigestSchedule::Daily { hour: 8, minute: 0 }
        ),
        "Daily digest: 1 taken down, 1 change in 1 story"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_not_found_page_served_with_200_is_a_takedown_and_the_story_coming_back_a_restore() {
    let server = Server::start().await;
    server.set(PATH, Route::html(page()));
    let project = Project::new(&config(&server, ""));
    check_first(&project).await;

    // The site answers 200 with its "not found" page, in the site's frame:
    // a search box and the most-read list, and none of the story.
    let soft_404 = news_page(
        "Sorry, we couldn’t find that page",
        "",
        &["The page you are looking for may have been moved or deleted. Try the search box above, or start again from our home page."],
        &["Markets fall", "Weather warning"],
    );
    server.set(PATH, Route::html(soft_404.clone()));
    let gone = check_first(&project).await;
    assert_eq!(kinds(&gone.alerts), vec![ChangeKind::TakenDown]);
    assert!(
        gone.detail
            .contains("The article's page now says “Sorry, we couldn’t find that page” (HTTP 200)"),
        "{}",
        gone.detail
    );
    let last = gone.alerts[0].last_known.as_ref().unwrap();
    assert!(
        last.blocks.iter().any(|b| b.text == P1),
        "the takedown carries what the story said"
    );

    // Still the same page: quiet. Then the story is back: a restore.
    let still = check_first(&project).await;
    assert_eq!(still.alerts, vec![]);
    assert!(still.detail.starts_with("still gone"), "{}", still.detail);
    server.set(PATH, Route::html(page()));
    let back = check_first(&project).await;
    assert_eq!(kinds(&back.alerts), vec![ChangeKind::Restored]);
}

/// A story taken down, restored, taken down again and restored again is
/// four alerts, each delivered: the second takedown is news to the staff as
/// much as the first. The same holds for an edit made, undone and made
/// again (an outlet flip-flopping a sentence): three edits, three alerts.
#[tokio::test(flavor = "multi_thread")]
async fn a_second_takedown_and_an_edit_made_again_are_alerted_and_delivered_each_time() {
    let server = Server::start().await;
    server.set(PATH, Route::html(page()));
    let cfg = format!(
        "{}[[channel]]\nname = \"hook\"\ntype = \"webhook\"\nurl = \"{}\"\n",
        config(&server, ""),
        server.url("/hook")
    );
    let project = Project::new(&cfg);
    let config = project.config_arg();
    let edited = news_page(
        "Filmmaker Rasoulof flees Iran after prison sentence",
        "Jane Doe",
        &[P1, &P2.replace("in Europe", "in Germany"), P3],
        &["Markets fall", "Weather warning"],
    );
    let steps = [
        Route::html(page()),
        Route::status(404),
        Route::html(page()),
        Route::status(410),
        Route::html(page()),
        Route::html(edited.clone()),
        Route::html(page()),
        Route::html(edited),
    ];
    for route in steps {
        server.set(PATH, route);
        let out = run(&["check", "--config", &config], &[]).await;
        assert!(out.status.success(), "{out:?}");
    }
    let kinds: Vec<String> = server
        .requests_to("/hook")
        .iter()
        .map(|r| {
            let a: serde_json::Value = serde_json::from_slice(&r.body).unwrap();
            a["kind"].as_str().unwrap().to_string()
        })
        .collect();
    assert_eq!(
        kinds,
        [
            "taken_down",
            "restored",
            "taken_down",
            "restored",
            "edited",
            "edited",
            "edited"
        ]
    );
}

/// A story back after a takedown with a change too small to count
/// (`min_change`) is back "unchanged", yet its page is kept as a new
/// version: the restore's alert names that version, the one `history`
/// says the restore's text is.
#[tokio::test(flavor = "multi_thread")]
async fn a_restore_with_a_change_below_min_change_names_the_version_it_keeps() {
    let server = Server::start().await;
    server.set(PATH, Route::html(page()));
    let project = Project::new(&format!("{}min_change = 3\n", config(&server, "")));
    check_first(&project).await;
    server.set(PATH, Route::status(410));
    assert_eq!(
        kinds(&check_first(&project).await.alerts),
        vec![ChangeKind::TakenDown]
    );
    server.set(
        PATH,
        Route::html(page().replace("rugged mountainous", "rugged, mountainous, remote")),
    );
    let back = check_first(&project).await;
    assert_eq!(kinds(&back.alerts), vec![ChangeKind::Restored]);
    assert_eq!(back.alerts[0].summary, "Article is back, unchanged");
    let version = back.alerts[0].evidence.as_ref().unwrap().version;
    let out = run(
        &["history", "--config", &project.config_arg(), "story"],
        &[],
    )
    .await;
    let history = String::from_utf8_lossy(&out.stdout);
    assert!(
        history.contains(&format!("(its text is version {version})"))
            && history.contains(&format!("\n   {version}  ")),
        "the alert names version {version}:\n{history}"
    );
}

/// What Cloudflare's managed challenge serves with HTTP 200 in place of the
/// page (its public product markup, trimmed): a "Just a moment..." title, a
/// `noindex` robots tag, a form posting to a challenge URL and the
/// challenge platform's script.
fn cloudflare_wall(host: &str) -> String {
    format!(
        r#"<!DOCTYPE html><html lang="en-US"><head><title>Just a moment...</title><meta http-equiv="Content-Type" content="text/html; charset=UTF-8"><meta name="robots" content="noindex,nofollow"><meta name="viewport" content="width=device-width,initial-scale=1"></head><body class="no-js"><div class="main-wrapper" role="main"><div class="main-content"><h1 class="zone-name-title h1">{host}</h1><h2 class="h2" id="challenge-running">Checking if the site connection is secure</h2><noscript><div id="challenge-error-title"><div class="h2"><span id="challenge-error-text">Enable JavaScript and cookies to continue</span></div></div></noscript><div id="challenge-body-text" class="core-msg spacer">{host} needs to review the security of your connection before proceeding.</div><form id="challenge-form" action="/world?__cf_chl_f_tk=Xq2b" method="POST" enctype="application/x-www-form-urlencoded"><input type="hidden" name="md" value="a1b2"></form></div></div><script>(function(){{window._cf_chl_opt={{cvId: '2',cType: 'managed'}};var cpo = document.createElement('script');cpo.src = '/cdn-cgi/challenge-platform/h/g/orchestrate/managed/v1?ray=8a1b';document.getElementsByTagName('head')[0].appendChild(cpo);}}());</script><div class="footer" role="contentinfo"><div class="footer-inner"><div class="clearfix diagnostic-wrapper"><div class="ray-id">Ray ID: <code>8a1b2c3d4e5f6a7b</code></div></div><div class="text-center" id="footer-text">Performance &amp; security by <a rel="noopener noreferrer" href="https://www.cloudflare.com?utm_source=challenge" target="_blank">Cloudflare</a></div></div></div></body></html>"#
    )
}

/// A site behind a bot check sometimes serves presswatch the check (HTTP
/// 200) instead of the story. That is a failed check, not a new version of
/// the story: an error naming the wall (alerted only at the failure
/// threshold), the baseline untouched, and when the story comes back as it
/// was, nothing to report: in particular not its correction, which was
/// there all along.
#[tokio::test(flavor = "multi_thread")]
async fn a_bot_check_served_with_200_is_a_failed_check_and_the_story_behind_it_is_no_news() {
    const CORRECTION: &str = "Correction: An earlier version of this article said Rasoulof fled to France. He fled to Germany.";
    let story = news_page(
        "Filmmaker Rasoulof flees Iran after prison sentence",
        "Jane Doe",
        &[P1, P2, P3, CORRECTION],
        &["Markets fall", "Weather warning"],
    );
    let server = Server::start().await;
    server.set(PATH, Route::html(story.clone()));
    let project = Project::new(&config(&server, ""));
    let first = check_first(&project).await;
    assert_eq!(first.outcome, Outcome::BaselineStored);
    let baseline = project.read_baseline("story");

    // One check meets the wall: an error that says so, below the threshold
    // no alert, and the baseline stays the story.
    server.set(PATH, Route::html(cloudflare_wall("127.0.0.1")));
    let walled = check_first(&project).await;
    let Outcome::Error(error) = &walled.outcome else {
        panic!(
            "a bot check is a failed check: {:?} {}",
            walled.outcome, walled.detail
        );
    };
    for said in [
        "served a bot check instead of the article",
        "“Just a moment...”",
        "presswatch retries",
        "blocks automated fetches",
    ] {
        assert!(error.contains(said), "{said}: {error}");
    }
    assert_eq!(walled.alerts, vec![], "one failure is below the threshold");
    assert_eq!(
        project.read_baseline("story"),
        baseline,
        "the wall is never the baseline"
    );

    // The story comes back as it was: nothing to report, no "correction added".
    server.set(PATH, Route::html(story.clone()));
    let back = check_first(&project).await;
    assert_eq!(back.outcome, Outcome::Unchanged, "{}", back.detail);
    assert_eq!(back.alerts, vec![]);

    // A wall that lasts is an error alert at the threshold, and the story
    // behind it, unchanged, only its recovery.
    server.set(PATH, Route::html(cloudflare_wall("127.0.0.1")));
    let error = error_alert(&project).await;
    assert!(error.contains("served a bot check"), "{error}");
    assert_eq!(project.read_baseline("story"), baseline);
    server.set(PATH, Route::html(story));
    let back = check_first(&project).await;
    assert_eq!(back.outcome, Outcome::Unchanged, "{}", back.detail);
    assert_eq!(kinds(&back.alerts), vec![ChangeKind::Recovered]);
    assert_eq!(project.read_baseline("story"), baseline);
}

/// A bot check met on a watch's very first check is no story either: an
/// error naming it, with or without a paragraph to read, and no baseline
/// until the story itself is read.
#[tokio::test(flavor = "multi_thread")]
async fn a_bot_check_on_the_first_check_is_an_error_and_no_baseline() {
    let server = Server::start().await;
    let access_denied = r#"<HTML><HEAD><TITLE>Access Denied</TITLE></HEAD><BODY><H1>Access Denied</H1>You don't have permission to access "http&#58;&#47;&#47;127&#46;0&#46;0&#46;1&#47;world" on this server.<P>Reference&#32;&#35;18&#46;5d3b1602&#46;1701600000&#46;2a1b</BODY></HTML>"#;
    // A challenge that says nothing at all until its script runs.
    let bare = r#"<!DOCTYPE html><html><head><title>One moment, please...</title><meta name="robots" content="noindex"></head><body><div id="cf-challenge-running"></div><script src="/cdn-cgi/challenge-platform/h/b/orchestrate/jsch/v1?ray=8a1b"></script></body></html>"#;
    for (wall, title) in [
        (cloudflare_wall("127.0.0.1"), "“Just a moment...”"),
        (access_denied.to_string(), "“Access Denied”"),
        (bare.to_string(), "“One moment, please...”"),
    ] {
        server.set(PATH, Route::html(wall));
        let project = Project::new(&config(&server, ""));
        let first = check_first(&project).await;
        let Outcome::Error(error) = &first.outcome else {
            panic!("{title}: {:?} {}", first.outcome, first.detail);
        };
        assert!(
            error.contains("served a bot check instead of the article") && error.contains(title),
            "{error}"
        );
        assert!(!project.path("baseline/story.txt").exists(), "{title}");

        server.set(PATH, Route::html(page()));
        let story = check_first(&project).await;
        assert_eq!(story.outcome, Outcome::BaselineStored, "{}", story.detail);
    }
}

/// A Persian story taken down: the text it held names its author as
/// staff read it. Given the recorded Persian article (byline «مریم حسینی»)
/// answering 404, the alert's "What the article said" gave the byline as
/// `By مریم حسینی` in a right-to-left isolate in text and `<span dir="rtl">By مریم حسینی</span>`
/// in HTML: presswatch's English "By" inside the name's right-to-left
/// isolate, where it stands after the name («مریم حسینی By»). "By" stays
/// English, left to right, before the name in its own isolate, as the
/// alert's byline line above it has it.
#[tokio::test(flavor = "multi_thread")]
async fn a_persian_story_taken_down_names_its_author_after_by_not_before_it() {
    let server = Server::start().await;
    server.set(
        PATH,
        Route::html(crate::support::recorded("changes/fa/base.html")),
    );
    let project = Project::new(&config(&server, ""));
    check_first(&project).await;
    server.set(PATH, Route::status(404));
    let r = check_first(&project).await;
    assert_eq!(kinds(&r.alerts), vec![ChangeKind::TakenDown]);
    let alert = &r.alerts[0];
    let name = "مریم حسینی";
    let ctx = render::Context::default();
    let text = render::text(alert, &ctx);
    let said = text.split("What the article said").nth(1).unwrap();
    assert!(
        said.contains(&format!("\n  By \u{2067}{name}\u{2069}\n")),
        "{text}"
    );
    let html = render::html(alert, &ctx);
    assert!(
        html.contains(&format!("By <span lang=\"fa\" dir=\"rtl\">{name}</span>")),
        "{html}"
    );
    assert!(!html.contains(&format!(">By {name}<")), "{html}");
}
