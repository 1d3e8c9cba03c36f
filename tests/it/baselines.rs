//! Baseline files that go missing: with SQLite, `baseline/<watch>.txt` is a
//! watch's accepted version, and the history in the state database keeps
//! its versions. A file gone (a deploy that wiped `baseline/`, a restore
//! from an old backup) is restored from the history, so that an edit made
//! meanwhile is still alerted; starting a watch afresh is
//! `check --reset-baseline`.

use crate::support::{article, run, Project, Route, Server};

/// A project watching the article at `/story` of `server` as `story`.
fn article_project(server: &Server) -> Project {
    Project::new(&format!(
        "[daemon]\nper_host_delay = \"0s\"\n\n[[watch]]\nname = \"story\"\nurl = \"{}\"\nrobots = false\n",
        server.url("/story")
    ))
}

/// `presswatch check --watch story` with `extra` arguments: exit code, and
/// stdout then stderr (where the log goes).
async fn check_story(project: &Project, extra: &[&str]) -> (i32, String) {
    let config = project.config_arg();
    let mut args = vec!["check", "--config", config.as_str(), "--watch", "story"];
    args.extend_from_slice(extra);
    let out = run(&args, &[]).await;
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.code().unwrap_or(-1), text)
}

const BEFORE: &str = "Rasoulof said he had no choice but to leave.";
const AFTER: &str = "Rasoulof said security agents forced him to leave.";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_baseline_file_gone_missing_is_restored_from_the_history_and_the_edit_made_meanwhile_is_alerted(
) {
    let server = Server::start().await;
    server.set("/story", Route::html(article("Director flees", BEFORE)));
    let project = article_project(&server);
    let (code, out) = check_story(&project, &[]).await;
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("1 baseline"), "{out}");
    let file = project.path("baseline/story.txt");
    std::fs::remove_file(&file).unwrap();

    // The page is edited while the file is gone.
    server.set("/story", Route::html(article("Director flees", AFTER)));
    let (code, out) = check_story(&project, &[]).await;
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains(&format!(
            "watch story: {} was missing: restored from version 1 of the history (stored ",
            file.display()
        )),
        "the log warns, naming the watch and the file:\n{out}"
    );
    assert!(
        out.contains(&format!(
            "to start the watch afresh, run `presswatch check --config {} --watch story --reset-baseline`",
            project.config_arg()
        )),
        "{out}"
    );
    assert!(!out.contains("first check"), "{out}");
    assert!(out.contains("1 alert"), "the edit is alerted:\n{out}");
    for words in ["security agents forced him", "had no choice but"] {
        assert!(out.contains(words), "the alert shows «{words}»:\n{out}");
    }
    // The file is back, holding the version just accepted.
    assert!(std::fs::read_to_string(&file).unwrap().contains(AFTER));

    // Gone again, with the page as it was accepted: restored, no alert.
    std::fs::remove_file(&file).unwrap();
    let (code, out) = check_story(&project, &[]).await;
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("was missing: restored from version 2 of the history"),
        "{out}"
    );
    assert!(out.contains("0 alerts"), "{out}");
    assert!(std::fs::read_to_string(&file).unwrap().contains(AFTER));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reset_baseline_on_an_article_stores_the_page_as_a_fresh_baseline_with_no_alert() {
    let server = Server::start().await;
    server.set("/story", Route::html(article("Director flees", BEFORE)));
    let project = article_project(&server);
    let (code, out) = check_story(&project, &[]).await;
    assert_eq!(code, 0, "{out}");

    server.set("/story", Route::html(article("Director flees", AFTER)));
    let (code, out) = check_story(&project, &["--reset-baseline"]).await;
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("story: baseline forgotten"), "{out}");
    assert!(out.contains("first check: baseline stored"), "{out}");
    assert!(out.contains("0 alerts"), "{out}");
    assert!(
        !out.contains("was missing"),
        "a reset is no missing file:\n{out}"
    );
    let file = project.path("baseline/story.txt");
    assert!(std::fs::read_to_string(&file).unwrap().contains(AFTER));

    // The fresh baseline is the accepted version from now on.
    let (code, out) = check_story(&project, &[]).await;
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("unchanged"), "{out}");
    assert!(out.contains("0 alerts"), "{out}");
}

/// A reset's baseline is no change anyone was alerted to: `history` and the
/// evidence viewer say it is a new baseline taken with no alert, not "4
/// words changed in paragraph 1" as if an alert had said so.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reset_baseline_is_listed_in_history_and_the_viewer_as_a_new_baseline_not_an_alerted_change(
) {
    let server = Server::start().await;
    server.set("/story", Route::html(article("Director flees", BEFORE)));
    let project = article_project(&server);
    let (code, out) = check_story(&project, &[]).await;
    assert_eq!(code, 0, "{out}");
    server.set("/story", Route::html(article("Director flees", AFTER)));
    let (code, out) = check_story(&project, &["--reset-baseline"]).await;
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("0 alerts"), "{out}");

    let config = project.config_arg();
    let out = run(&["history", "--config", config.as_str(), "story"], &[]).await;
    assert!(out.status.success(), "{out:?}");
    let history = String::from_utf8_lossy(&out.stdout).to_string();
    let lines: Vec<&str> = history.lines().collect();
    assert_eq!(lines.len(), 2, "{history}");
    assert!(lines[0].ends_with("baseline (first fetch)"), "{history}");
    assert!(
        lines[1].ends_with(
            "new baseline, no alert (the watch started afresh: --reset-baseline, or its kind or url changed)"
        ),
        "{history}"
    );

    let out = run(
        &[
            "history",
            "--config",
            config.as_str(),
            "story",
            "--show",
            "2",
        ],
        &[],
    )
    .await;
    let shown = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(
        shown.lines().next().unwrap_or_default().ends_with(", new baseline, no alert (the watch started afresh: --reset-baseline, or its kind or url changed)"),
        "{shown}"
    );

    // `diff --watch` shows what changed across the reset, and says first
    // that no alert was sent for it.
    let out = run(
        &["diff", "--config", config.as_str(), "--watch", "story"],
        &[],
    )
    .await;
    let diff = String::from_utf8_lossy(&out.stdout).to_string();
    assert_eq!(
        diff.lines().nth(1),
        Some("version 2 is a new baseline, no alert (the watch started afresh: --reset-baseline, or its kind or url changed): what follows is what changed, not an alert that was sent"),
        "{diff}"
    );

    let site = project.path("site");
    let out = run(
        &[
            "report",
            "--config",
            config.as_str(),
            "--out",
            site.to_str().unwrap(),
        ],
        &[],
    )
    .await;
    assert!(out.status.success(), "{out:?}");
    let timeline = std::fs::read_to_string(site.join("story/index.html")).unwrap();
    assert!(
        timeline.contains("New baseline, no alert: the watch started afresh"),
        "{timeline}"
    );
    let page = std::fs::read_to_string(site.join("story/v2.html")).unwrap();
    assert!(!page.contains("as the alert showed it"), "{page}");
}

/// Given an article taken down (404) and then started afresh with
/// `--reset-baseline` once it is back, the reset's check stores the page
/// and the next check finds it unchanged: no "restored" alert for a story
/// the reset already took as it is.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reset_baseline_on_a_story_that_was_taken_down_is_no_restore_later() {
    let server = Server::start().await;
    server.set("/story", Route::html(article("Director flees", BEFORE)));
    let project = article_project(&server);
    let (code, out) = check_story(&project, &[]).await;
    assert_eq!(code, 0, "{out}");
    server.set("/story", Route::status(404));
    let (_, out) = check_story(&project, &[]).await;
    assert!(out.contains("taken down"), "{out}");

    server.set("/story", Route::html(article("Director flees", AFTER)));
    let (code, out) = check_story(&project, &["--reset-baseline"]).await;
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("first check: baseline stored"), "{out}");
    assert!(out.contains("0 alerts"), "{out}");

    let (code, out) = check_story(&project, &[]).await;
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("unchanged"), "{out}");
    assert!(out.contains("0 alerts"), "{out}");
}
