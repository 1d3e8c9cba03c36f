//! `history` and `diff --watch` explain every alert: the baseline a watch
//! started from is version 1 (hand-written or first fetched), each alert's
//! change is a version, listings keep their item lists as versions, a watch
//! with one version or none gets an answer, and times are when a version
//! was stored.

use std::sync::LazyLock;

use presswatch::compare::ChangeKind;

use crate::support::{as_read, check_first, news_page, recorded, run, Project, Route, Server};

const PATH: &str = "/world/2024/05/13/rasoulof-flees-iran";
const P1: &str = "Iranian dissident filmmaker Mohammad Rasoulof has fled Iran, escaping on foot through rugged mountainous borders after receiving an eight-year prison sentence.";
const P2: &str = "In a statement released Monday, the artist said he arrived in Europe a few days ago after a long and complicated journey.";
const P3: &str = "Rasoulof's film, The Seed of The Sacred Fig, delves into the protest movements in Iran following the death of Mahsa Amini in 2022.";
const TITLE: &str = "Filmmaker Rasoulof flees Iran after prison sentence";

fn config(server: &Server, path: &str, kind: &str) -> String {
    format!(
        "[daemon]\nper_host_delay = \"0s\"\n\n[[watch]]\nname = \"story\"\nkind = \"{kind}\"\nurl = \"{}\"\nrobots = false\n",
        server.url(path)
    )
}

/// Runs the binary; (exit code, stdout).
async fn cli(args: &[&str]) -> (Option<i32>, String) {
    let out = run(args, &[]).await;
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

/// Sets when a version was stored, in the real state database.
fn stored_at(project: &Project, seq: i64, unix: i64) {
    let db = rusqlite::Connection::open(project.path("state/presswatch.db")).unwrap();
    db.execute(
        "UPDATE versions SET fetched_at = ?1 WHERE watch = 'story' AND seq = ?2",
        [unix, seq],
    )
    .unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn a_hand_written_baseline_is_version_1_and_each_alert_is_the_next_version() {
    let server = Server::start().await;
    let project = Project::new(&config(&server, PATH, "article"));
    project.baseline(
        "story",
        &format!("Title: {TITLE}\n\n{P1}\n\n{P2}\n\n{P3}\n"),
    );
    let edited = P2.replace("a few days ago", "two weeks ago");
    server.set(
        PATH,
        Route::html(news_page(TITLE, "Jane Doe", &[P1, &edited, P3], &[])),
    );
    let alert = check_first(&project).await.alerts;
    assert_eq!(alert.len(), 1);
    assert_eq!(alert[0].kind, ChangeKind::Edited);

    let cfg = project.config_arg();
    let (_, history) = cli(&["history", "--config", &cfg, "story"]).await;
    let lines: Vec<&str> = history.lines().collect();
    assert_eq!(lines.len(), 2, "{history}");
    assert!(
        lines[0].trim_start().starts_with("1 ")
            && lines[0].ends_with("baseline (hand-written file)"),
        "{history}"
    );
    assert!(
        lines[1].trim_start().starts_with("2 ") && lines[1].ends_with(&alert[0].summary),
        "the version says what the alert said: {history}"
    );

    // The versions were stored on 14 and 16 May 2024: that is what diff
    // shows, to the second.
    stored_at(&project, 1, 1_715_677_207);
    stored_at(&project, 2, 1_715_844_659);
    let (code, diff) = cli(&["diff", "--config", &cfg, "--watch", "story"]).await;
    assert_eq!(code, Some(1), "changed: exit 1 like diff(1)");
    assert!(
        diff.starts_with(
            "watch story: version 1 (stored 2024-05-14 09:00:07 UTC) → version 2 (stored 2024-05-16 07:30:59 UTC)\n"
        ),
        "{diff}"
    );
    assert!(diff.contains("detected 2024-05-16 07:30 UTC"), "{diff}");
    assert!(
        as_read(&diff).contains("[-a few") && as_read(&diff).contains("{+two weeks+}"),
        "{diff}"
    );
    // A comparison, not an alert: it shows no alert id (one it made up would
    // not be the id of the alert that was sent).
    assert!(
        diff.trim_end().ends_with("presswatch · watch story") && !diff.contains(&alert[0].id),
        "{diff}"
    );
    let (_, json) = cli(&["diff", "--config", &cfg, "--watch", "story", "--json"]).await;
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v["summary"], alert[0].summary);
    assert_eq!(
        v["from"],
        serde_json::json!({"version": 1, "stored_at": "2024-05-14T09:00:07Z", "origin": "file"})
    );
    assert_eq!(v["to"]["stored_at"], "2024-05-16T07:30:59Z");

    // In the configured time zone, as the alerts show times.
    let berlin = config(&server, PATH, "article")
        .replace("[daemon]\n", "[daemon]\ntimezone = \"Europe/Berlin\"\n");
    std::fs::write(project.config(), berlin).unwrap();
    let (_, diff) = cli(&["diff", "--config", &cfg, "--watch", "story"]).await;
    assert!(
        diff.starts_with("watch story: version 1 (stored 2024-05-14 11:00:07 CEST) → version 2 (stored 2024-05-16 09:30:59 CEST)\n")
            && diff.contains("detected 2024-05-16 09:30 CEST"),
        "{diff}"
    );
}

/// An alert cut for length names the command that shows every change:
/// that command shows them all, none cut again, and then a later edit does
/// not change what it shows.
#[tokio::test(flavor = "multi_thread")]
async fn the_command_a_cut_alert_names_shows_every_change_of_that_alert() {
    let server = Server::start().await;
    let project = Project::new(&config(&server, PATH, "article"));
    let paragraph = |i: usize, verb: &str| {
        format!(
            "Report {i} from the hearing: the court in Tehran {verb} the appeal of the director on day {i}, \
             and his lawyer spoke to reporters outside the building afterwards."
        )
    };
    let version = |verb: &str| (1..=10).map(|i| paragraph(i, verb)).collect::<Vec<_>>();
    let before = version("reviewed");
    project.baseline(
        "story",
        &format!("Title: {TITLE}\n\n{}\n", before.join("\n\n")),
    );
    let after = version("rejected");
    let page = |paragraphs: &[String]| {
        let p: Vec<&str> = paragraphs.iter().map(String::as_str).collect();
        Route::html(news_page(TITLE, "Jane Doe", &p, &[]))
    };
    server.set(PATH, page(&after));
    let alerts = check_first(&project).await.alerts;
    assert_eq!(alerts.len(), 1);
    let cfg = project.config_arg();
    let ctx = presswatch::notify::render::Context {
        config: Some(cfg.clone().into()),
        ..Default::default()
    };
    let mailed = presswatch::notify::render::text(&alerts[0], &ctx);
    let command = format!("presswatch diff --config {cfg} --watch story --to 2");
    assert!(
        mailed.contains(&format!(
            "4 more changes not shown. See every change with:\n  {command}\n"
        )),
        "{mailed}"
    );
    // The next day the article changes again: the command still shows the
    // alert's change, all ten paragraphs of it.
    let mut later = after.clone();
    later[0] = paragraph(1, "upheld");
    server.set(PATH, page(&later));
    check_first(&project).await;
    let args: Vec<&str> = command.split(' ').skip(1).collect();
    let (code, diff) = cli(&args).await;
    assert_eq!(code, Some(1), "{diff}");
    assert!(diff.starts_with("watch story: version 1 "), "{diff}");
    assert!(!diff.contains("not shown"), "{diff}");
    assert_eq!(diff.matches("[-reviewed-]").count(), 10, "{diff}");
    assert_eq!(diff.matches("{+rejected+}").count(), 10, "{diff}");
    assert!(!diff.contains("upheld"), "{diff}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_watch_with_only_its_baseline_gets_an_answer_not_an_error() {
    let server = Server::start().await;
    server.set(
        PATH,
        Route::html(news_page(TITLE, "Jane Doe", &[P1, P2, P3], &[])),
    );
    let project = Project::new(&config(&server, PATH, "article"));
    let cfg = project.config_arg();

    let (code, diff) = cli(&["diff", "--config", &cfg, "--watch", "story"]).await;
    assert_eq!(code, Some(0));
    assert_eq!(
        diff,
        "watch story has no versions yet: its first check stores its baseline as version 1.\n"
    );
    let out = run(
        &["diff", "--config", &cfg, "--watch", "story", "--from", "1"],
        &[],
    )
    .await;
    let said = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "an error, not a panic: {said}");
    assert!(said.contains("watch story has no versions yet"), "{said}");
    let (code, _) = cli(&["history", "--config", &cfg, "story"]).await;
    assert_eq!(code, Some(0));
    assert!(
        !project.path("state/presswatch.db").exists(),
        "reading versions made no database"
    );

    check_first(&project).await;
    stored_at(&project, 1, 1_715_677_205);
    let (code, diff) = cli(&["diff", "--config", &cfg, "--watch", "story"]).await;
    assert_eq!(code, Some(0), "{diff}");
    assert_eq!(
        diff,
        format!(
            "watch story has only its baseline (first fetch), version 1 (stored 2024-05-14 09:00:05 UTC): \
             there is nothing to compare it with yet. A new version is stored when a check finds a change \
             of the text, headline or byline; `presswatch diff --config {cfg} --watch story` then shows \
             what changed.\n"
        )
    );
    let (code, json) = cli(&["diff", "--config", &cfg, "--watch", "story", "--json"]).await;
    assert_eq!(code, Some(0));
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v["changed"], false);
    assert_eq!(v["versions"][0]["origin"], "fetched");

    let (_, history) = cli(&["history", "--config", &cfg, "story"]).await;
    assert!(
        history.contains("   1  2024-05-14 09:00:05 UTC  ")
            && history.contains(
                "baseline (first fetch)\nOnly the baseline so far. A new version is stored when"
            ),
        "{history}"
    );
}

/// A watch removed from the config keeps its versions, and `history`
/// reads them by its name; a name mistyped is told apart from it: the
/// error names the removed watches too, with the one probably meant, not
/// only the config's watches, which would read as if its history were gone.
#[tokio::test(flavor = "multi_thread")]
async fn a_mistyped_name_of_a_removed_watch_is_answered_with_the_removed_watches() {
    let server = Server::start().await;
    server.set(
        PATH,
        Route::html(news_page(TITLE, "Jane Doe", &[P1, P2, P3], &[])),
    );
    let project = Project::new(&config(&server, PATH, "article"));
    check_first(&project).await;
    let cfg = project.config_arg();
    std::fs::write(
        project.config(),
        config(&server, PATH, "article").replace("name = \"story\"", "name = \"other\""),
    )
    .unwrap();
    let (code, history) = cli(&["history", "--config", &cfg, "story"]).await;
    assert_eq!(code, Some(0), "{history}");
    assert!(history.contains("baseline (first fetch)"), "{history}");
    let out = run(&["history", "--config", &cfg, "storry"], &[]).await;
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        format!(
            "error: no watch named \"storry\" in {cfg}; its watches: other; \
             removed from it, with their versions kept: story (did you mean \"story\"?)\n"
        )
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_listing_keeps_its_item_lists_as_versions() {
    let server = Server::start().await;
    let project = Project::new(&config(&server, "/iran", "listing"));
    let cfg = project.config_arg();
    for page in ["aggregator-1", "aggregator-2"] {
        server.set(
            "/iran",
            Route::html(recorded(&format!("listings/{page}.html"))),
        );
        check_first(&project).await;
    }
    let (_, history) = cli(&["history", "--config", &cfg, "story"]).await;
    let lines: Vec<&str> = history.lines().collect();
    assert_eq!(lines.len(), 2, "{history}");
    assert!(
        lines[0].contains("   16 items  baseline (first fetch)"),
        "{history}"
    );
    assert!(
        lines[1].ends_with(
            "16 items  2 new items: “Mohammad Rasoulof arrives in Cannes after escaping Iran on foot”; \
             “‘I had to choose between prison and exile’: Rasoulof speaks before his Cannes premiere”; \
             2 items no longer listed"
        ),
        "{history}"
    );
    let (code, diff) = cli(&["diff", "--config", &cfg, "--watch", "story"]).await;
    assert_eq!(code, Some(1));
    assert!(
        diff.contains("2 items new:\n* Mohammad Rasoulof arrives in Cannes after escaping Iran on foot\n  https://www.dailyherald.example/film/2024/may/22/mohammad-rasoulof-arrives-cannes\n"),
        "{diff}"
    );
    assert!(
        diff.contains("2 items no longer listed:\n* Iranian journalist")
            || diff.contains("2 items no longer listed:\n* Three dual nationals"),
        "{diff}"
    );
    let (_, shown) = cli(&["history", "--config", &cfg, "story", "--show", "2"]).await;
    assert!(
        shown.starts_with("watch story: version 2 (stored ")
            && shown.contains("- Mohammad Rasoulof arrives in Cannes after escaping Iran on foot <https://www.dailyherald.example/film/2024/may/22/mohammad-rasoulof-arrives-cannes>"),
        "{shown}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_hand_written_list_of_items_is_a_listings_version_1() {
    let server = Server::start().await;
    let project = Project::new(&config(&server, "/search", "listing"));
    project.baseline(
        "story",
        "https://www.radiozamaneh.example/fa/news/2024/05/13/rasoulof-exile\nhttps://www.iranintl.example/fa/202405127712\n",
    );
    server.set(
        "/search",
        Route::html(recorded("listings/search-fa-1.html")),
    );
    let alerts = check_first(&project).await.alerts;
    assert_eq!(
        alerts[0].items.len(),
        6,
        "the 6 results not in the list are new"
    );
    let (_, history) = cli(&["history", "--config", &project.config_arg(), "story"]).await;
    let lines: Vec<&str> = history.lines().collect();
    assert!(
        lines[0].contains("    2 items  baseline (hand-written file)"),
        "{history}"
    );
    assert!(lines[1].contains("    8 items  6 new items: "), "{history}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_story_a_feed_files_twice_in_one_check_is_one_new_item_in_the_history_as_in_the_alert() {
    let server = Server::start().await;
    let project = Project::new(&config(&server, "/feed.xml", "feed"));
    let cfg = project.config_arg();
    let feed = |items: &[(&str, &str, &str)]| {
        let items: String = items
            .iter()
            .map(|(title, link, guid)| {
                format!("<item><title>{title}</title><link>{link}</link><guid isPermaLink=\"false\">{guid}</guid><description>The court heard the appeal on Monday.</description></item>")
            })
            .collect();
        Route {
            status: 200,
            headers: vec![("Content-Type".into(), "application/rss+xml".into())],
            body: format!("<rss version=\"2.0\"><channel><title>Wire</title><link>https://wire.example/</link><description>d</description>{items}</channel></rss>").into_bytes(),
        }
    };
    let old = (
        "Court hears appeal in Tehran",
        "https://wire.example/1",
        "g1",
    );
    server.set("/feed.xml", feed(&[old]));
    check_first(&project).await;
    // The story under its section's id and under the Telegram channel's,
    // its link with a tracking query.
    server.set(
        "/feed.xml",
        feed(&[
            (TITLE, "https://wire.example/9", "fa-9"),
            (
                TITLE,
                "https://wire.example/9?utm_source=telegram&amp;utm_medium=social",
                "fa-9-tg",
            ),
            old,
        ]),
    );
    let alerts = check_first(&project).await.alerts;
    assert_eq!(alerts.len(), 1);
    assert_eq!(alerts[0].summary, format!("1 new item: {TITLE}"));
    let (_, history) = cli(&["history", "--config", &cfg, "story"]).await;
    let lines: Vec<&str> = history.lines().collect();
    assert_eq!(lines.len(), 2, "{history}");
    assert!(
        lines[0].contains("    1 item   baseline (first fetch)"),
        "{history}"
    );
    assert!(
        lines[1].ends_with(&format!("3 items  1 new item: \u{201C}{TITLE}\u{201D}")),
        "{history}"
    );
    let (_, diff) = cli(&["diff", "--config", &cfg, "--watch", "story"]).await;
    assert!(
        diff.contains(&format!(
            "1 item new:\n* {TITLE}\n  https://wire.example/9\n"
        )),
        "{diff}"
    );
}

/// What `status` says under its table of the failing watch `story`: its
/// line and the lines that continue it (wrapped at 80 columns, indented by
/// two spaces), read as one line, its ages unread ([`ages_unread`]).
fn status_says_of_story(status: &str) -> String {
    let mut lines = status
        .lines()
        .skip_while(|l| !l.starts_with("watch story: "));
    let first = lines.next().unwrap_or_default().to_string();
    let said = lines
        .take_while(|l| l.starts_with("  "))
        .fold(first, |said, l| format!("{said} {}", &l[2..]));
    ages_unread(&said)
}

/// `text` with its ages ("1s ago", "3m ago") written `…s ago`: `history`
/// and `status`, run a second apart, may say "0s ago" and "1s ago" of the
/// same check.
pub(crate) fn ages_unread(text: &str) -> String {
    static AGE: LazyLock<regex::Regex> =
        LazyLock::new(|| regex::Regex::new(r"\b\d+([smhd]) ago\b").expect("static regex"));
    AGE.replace_all(text, "…$1 ago").into_owned()
}

/// A watch whose checks have all failed has no version, and `history` says
/// why, as `status` does: how many checks failed in a row, that none has
/// worked yet, the last error as the state records it, and the command
/// that checks it now and shows what fails (it said only "no versions
/// recorded yet", as of a watch not checked yet).
#[tokio::test(flavor = "multi_thread")]
async fn a_watch_whose_checks_all_fail_says_so_in_its_history() {
    let server = Server::start().await;
    server.set(PATH, Route::status(500));
    let project = Project::new(&config(&server, PATH, "article"));
    let cfg = project.config_arg();
    for _ in 0..2 {
        check_first(&project).await;
    }
    let state = presswatch::store::State::open(&project.path("state")).unwrap();
    let recorded = state.watch("story").unwrap();
    let error = recorded.last_error.expect("the failed check's error");
    assert!(error.contains("500"), "{error}");

    let (code, history) = cli(&["history", "--config", &cfg, "story"]).await;
    assert_eq!(code, Some(0), "{history}");
    let lines: Vec<&str> = history.lines().collect();
    assert_eq!(
        lines[0],
        "watch story: no versions recorded yet (its first check stores its baseline as version 1)"
    );
    let failing = lines.get(1).copied().unwrap_or_default();
    assert!(
        failing.starts_with("watch story: its last 2 checks failed (the last ")
            && failing.contains(" ago); none has worked yet. Last error: ")
            && failing.contains(error.trim_end_matches('.'))
            && failing.ends_with(&format!(
                "`presswatch check --watch story --config {cfg}` checks it now and shows what fails"
            )),
        "{history}"
    );
    // `status` says the same under its table, wrapped.
    let out = run(&["status", "--config", &cfg], &[]).await;
    let status = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        status_says_of_story(&status),
        ages_unread(failing),
        "{status}"
    );
}

/// A watch that has versions but whose latest checks fail lists its
/// versions, then says that its checks fail, in the words `status` gives
/// (how many in a row, its last check that worked, the last error, the
/// command that shows it): it listed the versions alone, as if all were
/// well.
#[tokio::test(flavor = "multi_thread")]
async fn a_watch_with_versions_whose_latest_checks_fail_says_so_under_its_versions() {
    let server = Server::start().await;
    server.set(
        PATH,
        Route::html(news_page(TITLE, "Jane Doe", &[P1, P2, P3], &[])),
    );
    let project = Project::new(&config(&server, PATH, "article"));
    let cfg = project.config_arg();
    check_first(&project).await;
    server.set(PATH, Route::status(500));
    for _ in 0..2 {
        check_first(&project).await;
    }

    let (code, history) = cli(&["history", "--config", &cfg, "story"]).await;
    assert_eq!(code, Some(0), "{history}");
    let lines: Vec<&str> = history.lines().collect();
    assert!(lines[0].ends_with("baseline (first fetch)"), "{history}");
    assert!(
        lines[1].starts_with("Only the baseline so far."),
        "{history}"
    );
    assert_eq!(lines.len(), 3, "{history}");
    let failing = lines[2];
    assert!(
        failing.starts_with("watch story: its last 2 checks failed (the last ")
            && failing.contains(" ago); the last that worked was ")
            && failing.contains("Last error: ")
            && failing.contains("500")
            && failing.ends_with(&format!(
                "`presswatch check --watch story --config {cfg}` checks it now and shows what fails"
            )),
        "{history}"
    );
    // `status` says the same under its table, wrapped.
    let out = run(&["status", "--config", &cfg], &[]).await;
    let status = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        status_says_of_story(&status),
        ages_unread(failing),
        "{status}"
    );

    // Once a check works again, the history says nothing of failures.
    server.set(
        PATH,
        Route::html(news_page(TITLE, "Jane Doe", &[P1, P2, P3], &[])),
    );
    check_first(&project).await;
    let (_, history) = cli(&["history", "--config", &cfg, "story"]).await;
    assert_eq!(history.lines().count(), 2, "{history}");
    assert!(!history.contains("failed"), "{history}");
}
