//! A page that is not the article is never stored as its new text: given an
//! article served on loopback with a baseline, when its URL redirects
//! (temporarily or for good) to a page that does not carry the story, the
//! story is taken down and the baseline kept; and when its coming back, it
//! is restored, not a second edit.

use presswatch::check::Outcome;
use presswatch::compare::ChangeKind;

use crate::support::{check_first, recorded, Project, Route, Server};

/// A language-prefixed article address, as many outlets use.
const STORY: &str =
    "/en/news/127455-filmmaker-rasoulof-flees-iran-after-eight-year-prison-sentence/";

fn story() -> String {
    recorded("changes/en/base.html")
}

/// An article watch named `story` on `path`.
fn config(server: &Server, path: &str) -> String {
    format!(
        "[daemon]\nper_host_delay = \"0s\"\nfailure_threshold = 2\n\n[[watch]]\nname = \"story\"\nurl = \"{}\"\noutlet = \"Example News\"\nrobots = false\n",
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
