//! A watched article that moves: given a recorded article served on
//! loopback whose URL starts answering a redirect, these alerts, log lines
//! and `status` notes come out. A permanent redirect to another article is
//! a move, alerted once; a temporary one, a normalisation of the same
//! address and a redirect to the front page are not.

use presswatch::alert::Alert;
use presswatch::compare::ChangeKind;
use presswatch::notify::render;

use crate::pg;
use crate::support::{recorded, run, Project, Route, Server};

const OLD: &str = "/world/2024/05/13/rasoulof-flees";
const NEW: &str = "/world/2024/05/13/rasoulof-flees-iran-on-foot";

fn page() -> String {
    recorded("changes/en/base.html")
}

/// An article watch named `story` on `url`, alerting a webhook on
/// `server`, with `state` under `[daemon]`.
fn config(server: &Server, url: &str, state: &str) -> String {
    format!(
        "[daemon]\nper_host_delay = \"0s\"\n{state}\n[[channel]]\nname = \"hook\"\ntype = \"webhook\"\nurl = \"{}\"\n\n[[watch]]\nname = \"story\"\nurl = \"{url}\"\noutlet = \"Example News\"\nrobots = false\n",
        server.url("/hook")
    )
}

/// A tracked story before it moves: the recorded article served at `OLD`
/// on a new server, watched as `story` ([`config`], with `daemon` lines
/// under `[daemon]`), its first check done (its baseline kept, nothing
/// alerted). The server, the project, and that check's output.
async fn tracked_story(daemon: &str) -> (Server, Project, String) {
    let server = Server::start().await;
    server.set(OLD, Route::html(page()));
    let project = Project::new(&config(&server, &server.url(OLD), daemon));
    let (code, out, err) = cli(&project, &["check"], &[]).await;
    assert_eq!(code, 0, "the story's first check: {out}{err}");
    (server, project, out)
}

/// The alerts the webhook received so far.
fn received(server: &Server) -> Vec<Alert> {
    server
        .requests_to("/hook")
        .iter()
        .map(|r| serde_json::from_slice(&r.body).expect("an alert as JSON"))
        .collect()
}

fn kinds(alerts: &[Alert]) -> Vec<ChangeKind> {
    alerts.iter().map(|a| a.kind).collect()
}

/// `presswatch ARGS --config CONFIG` with the PostgreSQL password in the
/// environment: (exit code, stdout, stderr).
async fn cli(project: &Project, args: &[&str], extra: &[&str]) -> (i32, String, String) {
    let config = project.config_arg();
    let mut all = args.to_vec();
    all.extend(["--config", config.as_str()]);
    all.extend_from_slice(extra);
    let out = run(&all, &[(pg::PASSWORD_ENV, pg::PASSWORD)]).await;
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Runs `sql` on the state database of `project`, whose `[daemon]` lines
/// are `state` (as [`backends`] gives them): its SQLite file, or its
/// PostgreSQL database.
fn execute(project: &Project, state: &str, sql: &str) {
    match state.split('"').nth(1) {
        None => rusqlite::Connection::open(project.path("state/presswatch.db"))
            .unwrap()
            .execute_batch(sql)
            .unwrap(),
        Some(url) => {
            let cluster = pg::cluster().unwrap();
            cluster.psql(cluster.name_of(url), sql).unwrap();
        }
    }
}

/// The backends to run on, each as its name and the `[daemon]` lines that
/// choose it.
fn backends() -> impl Iterator<Item = (&'static str, String)> {
    crate::support::backends()
        .into_iter()
        .map(|b| (b.name, b.state_lines()))
}

#[tokio::test(flavor = "multi_thread")]
async fn an_article_that_moves_for_good_is_alerted_once_naming_both_addresses_on_either_backend() {
    for (backend, state) in backends() {
        let (server, project, out) = tracked_story(&state).await;
        assert!(out.contains("baseline"), "{backend}: {out}");

        // The outlet gives the story a new slug: the old address answers 301.
        server.set(OLD, Route::status(301).header("Location", NEW));
        server.set(NEW, Route::html(page()));
        let (old, new) = (server.url(OLD), server.url(NEW));
        let (code, out, err) = cli(&project, &["check"], &[]).await;
        assert_eq!(code, 0, "{backend}: {out}{err}");
        let fix = format!("set url = \"{new}\" in the watch's config");
        // Ops see it on the check's line and in the log, naming the watch.
        let line = out.lines().find(|l| l.starts_with("story")).unwrap();
        assert!(
            line.contains("unchanged") && line.contains(&fix),
            "{backend}: {out}"
        );
        assert!(
            err.contains(&format!(
                "watch story: {old} redirects permanently to {new}: {fix}"
            )),
            "{backend}: {err}"
        );
        // Staff get one `moved` alert: the same text is no change.
        let alerts = received(&server);
        assert_eq!(kinds(&alerts), vec![ChangeKind::Moved], "{backend}");
        let moved = &alerts[0];
        assert_eq!(moved.url, old, "{backend}");
        assert_eq!(moved.moved_to.as_deref(), Some(new.as_str()), "{backend}");
        assert_eq!(
            moved.summary,
            format!("The article moved: {old} \u{2192} {new}"),
            "{backend}"
        );
        assert_eq!(
            moved.title.as_deref(),
            Some("Filmmaker Rasoulof flees Iran after prison sentence"),
            "{backend}"
        );
        assert!(moved.subject().starts_with("Moved · "), "{backend}");
        let ctx = render::Context::of(&project.load());
        // Its lines as one: a long address stands on a line of its own.
        let text = render::text(moved, &ctx).replace("\n  ", " ");
        assert!(
            text.contains(&format!("Old address: {old}\nNew address: {new}\n")),
            "{backend}: {text}"
        );
        let html = render::html(moved, &ctx);
        assert!(
            html.contains(&format!("<b>Old address:</b> <a href=\"{old}\""))
                && html.contains(&format!("<b>New address:</b> <a href=\"{new}\"")),
            "{backend}: {html}"
        );
        assert_eq!(
            render::main_link(moved),
            Some((new.as_str(), "Open the article at its new address"))
        );

        // The next check: the same move is not alerted again, and ops are
        // still told, on the check's line and by `status`.
        let (code, out, _) = cli(&project, &["check"], &[]).await;
        assert_eq!(code, 0, "{backend}: {out}");
        assert!(out.contains(&fix), "{backend}: {out}");
        assert!(out.contains("; 0 alerts"), "{backend}: {out}");
        assert_eq!(received(&server).len(), 1, "{backend}: not alerted again");
        let (code, status, err) = cli(&project, &["status"], &[]).await;
        assert_eq!(code, 0, "{backend}: {err}");
        assert!(
            status.contains(&format!(
                "watch story: {old} redirects permanently to {new}: {fix}"
            )),
            "{backend}: {status}"
        );

        // Ops set the new address: no redirect, no note, no alert.
        std::fs::write(project.config(), config(&server, &new, &state)).unwrap();
        let (code, out, err) = cli(&project, &["check"], &[]).await;
        assert_eq!(code, 0, "{backend}: {out}{err}");
        assert!(
            !out.contains("moved") && !err.contains("moved"),
            "{backend}: {out}{err}"
        );
        let (_, status, _) = cli(&project, &["status"], &[]).await;
        assert!(
            !status.contains("redirects permanently"),
            "{backend}: {status}"
        );
        assert_eq!(received(&server).len(), 1, "{backend}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_move_whose_new_address_answers_304_is_alerted_too() {
    let server = Server::start().await;
    server.set(OLD, Route::html(page()).header("ETag", "\"v1\""));
    let project = Project::new(&config(&server, &server.url(OLD), ""));
    assert_eq!(cli(&project, &["check"], &[]).await.0, 0);
    // The page moves unchanged, and the site's ETag follows its content.
    server.set(OLD, Route::status(308).header("Location", NEW));
    server.set(NEW, Route::html(page()).header("ETag", "\"v1\""));
    let (code, out, err) = cli(&project, &["check"], &[]).await;
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("304 Not Modified"), "{out}");
    assert_eq!(kinds(&received(&server)), vec![ChangeKind::Moved]);
    assert_eq!(
        server.requests_to(NEW)[0].headers["if-none-match"],
        "\"v1\""
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_temporary_redirect_or_the_same_address_normalised_is_no_move() {
    let (server, project, _) = tracked_story("").await;
    // A 302 or 307 (a consent page, a load balancer) is temporary.
    server.set(NEW, Route::html(page()));
    for status in [302, 307] {
        server.set(OLD, Route::status(status).header("Location", NEW));
        let (code, out, err) = cli(&project, &["check"], &[]).await;
        assert_eq!(code, 0, "{out}{err}");
        assert!(
            !out.contains("moved") && !err.contains("moved"),
            "{status}: {out}{err}"
        );
    }
    // A trailing slash and a tracking parameter added for good name the same article.
    let normalised = format!("{OLD}/?utm_source=rss&utm_medium=feed");
    server.set(OLD, Route::status(301).header("Location", &normalised));
    server.set(&normalised, Route::html(page()));
    let (code, out, err) = cli(&project, &["check"], &[]).await;
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        !out.contains("moved") && !err.contains("moved"),
        "{out}{err}"
    );
    assert_eq!(server.requests_to(&normalised).len(), 1);
    assert_eq!(received(&server), vec![]);
    let (_, status, _) = cli(&project, &["status"], &[]).await;
    assert!(!status.contains("redirects permanently"), "{status}");
}

/// Writes a replay manifest: the recorded page at each URL of `pages`,
/// and a 301 from `from` to `to` when given.
fn manifest(dir: &std::path::Path, pages: &[&str], redirect: Option<(&str, &str)>) {
    std::fs::write(dir.join("story.html"), page()).unwrap();
    let mut m = String::new();
    for url in pages {
        m.push_str(&format!(
            "[[response]]\nurl = \"{url}\"\nbody = \"story.html\"\ncontent_type = \"text/html; charset=utf-8\"\n\n"
        ));
    }
    if let Some((from, to)) = redirect {
        m.push_str(&format!(
            "[[response]]\nurl = \"{from}\"\nstatus = 301\nlocation = \"{to}\"\n"
        ));
    }
    std::fs::write(dir.join("manifest.toml"), m).unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn http_to_https_of_the_same_address_is_no_move_and_another_path_is() {
    let hook = Server::start().await;
    let replay = tempfile::tempdir().unwrap();
    let dir = replay.path().display().to_string();
    let old = "http://www.news.example.org/world/rasoulof-flees";
    let project = Project::new(&config(&hook, old, ""));
    manifest(replay.path(), &[old], None);
    let (code, out, err) = cli(&project, &["check"], &["--replay", &dir]).await;
    assert_eq!(code, 0, "{out}{err}");
    // The site moves to HTTPS and drops `www.`: the same article.
    let https = "https://news.example.org/world/rasoulof-flees";
    manifest(replay.path(), &[https], Some((old, https)));
    let (code, out, err) = cli(&project, &["check"], &["--replay", &dir]).await;
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        !out.contains("moved") && !err.contains("moved"),
        "{out}{err}"
    );
    assert_eq!(received(&hook), vec![]);
    // On HTTPS, a new slug: a move.
    let slug = "https://news.example.org/world/rasoulof-flees-iran";
    manifest(replay.path(), &[slug], Some((old, slug)));
    let (code, out, err) = cli(&project, &["check"], &["--replay", &dir]).await;
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains(&format!("set url = \"{slug}\"")), "{out}");
    assert_eq!(kinds(&received(&hook)), vec![ChangeKind::Moved]);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_permanent_redirect_to_the_home_page_is_still_a_takedown() {
    let (server, project, _) = tracked_story("").await;
    server.set(OLD, Route::status(301).header("Location", "/"));
    server.set("/", Route::html(recorded("iranintl-tag-cinema.html")));
    let (_, out, err) = cli(&project, &["check"], &[]).await;
    assert!(out.contains("taken down"), "{out}{err}");
    assert!(
        !out.contains("moved permanently") && !err.contains("redirects permanently"),
        "{out}{err}"
    );
    assert_eq!(kinds(&received(&server)), vec![ChangeKind::TakenDown]);
    let (_, status, _) = cli(&project, &["status"], &[]).await;
    assert!(!status.contains("redirects permanently"), "{status}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_url_that_redirected_before_the_upgrade_is_no_news_on_the_first_check_after_it() {
    for (backend, state) in backends() {
        let server = Server::start().await;
        // The story's ID address has always redirected to its slug.
        server.set(OLD, Route::status(301).header("Location", NEW));
        server.set(NEW, Route::html(page()));
        let project = Project::new(&config(&server, &server.url(OLD), &state));
        assert_eq!(cli(&project, &["check"], &[]).await.0, 0, "{backend}");
        // The state as a build that did not know moves left it.
        let drop_column = "ALTER TABLE watch_state DROP COLUMN moved_to;";
        if backend == "sqlite" {
            execute(&project, &state, drop_column);
        } else {
            let sql = format!("{drop_column} DELETE FROM schema_migrations WHERE version >= 11;");
            execute(&project, &state, &sql);
        }

        // The upgraded build's first check: ops are told, staff are not.
        let fix = format!("set url = \"{}\" in the watch's config", server.url(NEW));
        let (code, out, err) = cli(&project, &["check"], &[]).await;
        assert_eq!(code, 0, "{backend}: {out}{err}");
        assert!(
            out.contains(&fix) && out.contains("; 0 alerts"),
            "{backend}: {out}"
        );
        assert_eq!(received(&server), vec![], "{backend}");
        let (_, out, _) = cli(&project, &["check"], &[]).await;
        assert!(out.contains("; 0 alerts"), "{backend}: {out}");

        // A move since is news.
        let newer = format!("{NEW}-updated");
        server.set(OLD, Route::status(301).header("Location", &newer));
        server.set(&newer, Route::html(page()));
        let (code, out, err) = cli(&project, &["check"], &[]).await;
        assert_eq!(code, 0, "{backend}: {out}{err}");
        assert_eq!(
            kinds(&received(&server)),
            vec![ChangeKind::Moved],
            "{backend}"
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_redirect_that_comes_and_goes_is_alerted_and_recorded_once_on_either_backend() {
    for (backend, state) in backends() {
        let (server, project, _) = tracked_story(&state).await;
        // A CDN serves the new slug's redirect on some checks only.
        server.set(NEW, Route::html(page()));
        for redirected in [true, false, true, false, true] {
            if redirected {
                server.set(OLD, Route::status(301).header("Location", NEW));
            } else {
                server.set(OLD, Route::html(page()));
            }
            let (code, out, err) = cli(&project, &["check"], &[]).await;
            assert_eq!(code, 0, "{backend}: {out}{err}");
        }
        assert_eq!(
            kinds(&received(&server)),
            vec![ChangeKind::Moved],
            "{backend}"
        );
        // The history has the move once.
        let (code, history, err) = cli(&project, &["history", "story"], &[]).await;
        assert_eq!(code, 0, "{backend}: {err}");
        assert_eq!(
            history.matches("moved: ").count(),
            1,
            "{backend}: {history}"
        );
    }
}

/// The story as a watch keeps it (its baseline) from a recorded page.
fn story(html: &str) -> presswatch::document::Document {
    let doc = presswatch::extract::watched_article(html, None, None);
    presswatch::document::Document::from_baseline(
        &doc.to_baseline("https://news.example.org/a", "2026-01-01"),
    )
}

#[test]
fn the_story_edited_is_still_the_story_and_a_section_page_or_another_story_is_not() {
    use presswatch::compare::same_story;
    for lang in ["en", "fa"] {
        let base = story(&recorded(&format!("changes/{lang}/base.html")));
        // Retitled, a paragraph cut, added or rewritten, a correction: the
        // story at its new address, in English and in Persian.
        for edit in [
            "edit-headline-changed",
            "edit-paragraph-removed",
            "edit-paragraph-added",
            "edit-word-changed",
            "edit-correction-added",
            "edit-standfirst-changed",
            "noise-chrome-variant",
        ] {
            let page = story(&recorded(&format!("changes/{lang}/{edit}.html")));
            assert!(same_story(&base, &page), "{lang}/{edit}");
        }
        // A tag page listing the story's teaser among others, a search
        // page, and other outlets' stories about the same people.
        for other in [
            "iranintl-tag-cinema.html",
            "listings/aggregator-1.html",
            "listings/search-fa-1.html",
            "cnn-rasoulof-exile.html",
            "iranintl-rasoulof-letter.html",
        ] {
            let page = story(&recorded(other));
            assert!(!same_story(&base, &page), "{lang}: {other}");
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_permanent_redirect_to_a_section_page_or_another_story_is_a_takedown_on_either_backend() {
    for (to, served) in [
        // A section deeper than the front, a tag page: other stories' teasers.
        ("/news/world/", recorded("iranintl-tag-cinema.html")),
        ("/politics/iran/", recorded("listings/aggregator-1.html")),
        // Another outlet's story about the same people.
        (
            "/world/2024/05/14/letter",
            recorded("iranintl-rasoulof-letter.html"),
        ),
    ] {
        for (backend, state) in backends() {
            let (server, project, _) = tracked_story(&state).await;
            server.set(OLD, Route::status(301).header("Location", to));
            server.set(to, Route::html(served.clone()));
            let (code, out, err) = cli(&project, &["check"], &[]).await;
            assert_eq!(code, 0, "{backend} {to}: {out}{err}");
            let alerts = received(&server);
            assert_eq!(
                kinds(&alerts),
                vec![ChangeKind::TakenDown],
                "{backend} {to}: {out}{err}"
            );
            assert_eq!(
                alerts[0].summary,
                format!(
                    "The article now redirects to {}, which does not carry its text",
                    server.url(to)
                ),
                "{backend} {to}"
            );
            // What the story said goes with it, and no move is recorded.
            assert!(alerts[0].last_known.is_some(), "{backend} {to}");
            assert!(
                !err.contains("redirects permanently"),
                "{backend} {to}: {err}"
            );
            let (_, status, _) = cli(&project, &["status"], &[]).await;
            assert!(
                !status.contains("redirects permanently") && status.contains("taken down"),
                "{backend} {to}: {status}"
            );
            let (_, history, _) = cli(&project, &["history", "story"], &[]).await;
            assert!(
                !history.contains("moved: ") && history.contains("taken down: "),
                "{backend} {to}: {history}"
            );
            // Still there on the next check: no second alert.
            let (_, out, _) = cli(&project, &["check"], &[]).await;
            assert!(out.contains("still gone"), "{backend} {to}: {out}");
            assert_eq!(received(&server).len(), 1, "{backend} {to}");
        }
    }
}

/// Given a watch whose URL redirected for good from its first check, the
/// story rewritten past recognition at the address it always led to is an
/// edit of the story, not a takedown: that redirect is where the story is.
#[tokio::test(flavor = "multi_thread")]
async fn a_story_rewritten_behind_a_redirect_the_watch_always_had_is_an_edit_not_a_takedown() {
    let server = Server::start().await;
    server.set(OLD, Route::status(301).header("Location", NEW));
    server.set(NEW, Route::html(page()));
    let project = Project::new(&config(&server, &server.url(OLD), ""));
    assert_eq!(cli(&project, &["check"], &[]).await.0, 0);
    server.set(NEW, Route::html(recorded("iranintl-rasoulof-letter.html")));
    let (code, out, err) = cli(&project, &["check"], &[]).await;
    assert_eq!(code, 0, "{out}{err}");
    let found = kinds(&received(&server));
    assert!(
        !found.is_empty()
            && !found.contains(&ChangeKind::TakenDown)
            && !found.contains(&ChangeKind::Moved),
        "{found:?}: {out}{err}"
    );
    let (_, out, err) = cli(&project, &["check"], &[]).await;
    assert!(
        out.contains("unchanged") && !out.contains("gone"),
        "{out}{err}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_story_retitled_and_cut_at_its_new_address_is_a_move_and_an_edit() {
    let (server, project, _) = tracked_story("").await;
    server.set(OLD, Route::status(301).header("Location", NEW));
    server.set(
        NEW,
        Route::html(recorded("changes/en/edit-paragraph-removed.html")),
    );
    let (code, out, err) = cli(&project, &["check"], &[]).await;
    assert_eq!(code, 0, "{out}{err}");
    assert_eq!(
        kinds(&received(&server)),
        vec![ChangeKind::Moved, ChangeKind::Edited],
        "{out}{err}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_move_is_never_alerted_twice_after_its_version_is_pruned_on_either_backend() {
    for (backend, state) in backends() {
        let daemon = format!("keep_versions = 2\n{state}");
        let (server, project, _) = tracked_story(&daemon).await;
        // The story moves (recorded at version 1)...
        server.set(OLD, Route::status(301).header("Location", NEW));
        server.set(NEW, Route::html(page()));
        assert_eq!(cli(&project, &["check"], &[]).await.0, 0, "{backend}");
        // ...its old address serves it again for a while, edited twice:
        // versions 2 and 3, and version 1 is pruned...
        for edit in ["edit-word-changed", "edit-paragraph-added"] {
            server.set(
                OLD,
                Route::html(recorded(&format!("changes/en/{edit}.html"))),
            );
            let (code, out, err) = cli(&project, &["check"], &[]).await;
            assert_eq!(code, 0, "{backend}: {out}{err}");
        }
        let (_, history, _) = cli(&project, &["history", "story"], &[]).await;
        assert!(
            history.contains("oldest version kept"),
            "{backend}: {history}"
        );
        // ...the outbox forgets the alerts it delivered (after 30 days)...
        execute(&project, &state, "DELETE FROM outbox; DELETE FROM alerts;");
        // ...and the same redirect comes back: no news.
        server.set(OLD, Route::status(301).header("Location", NEW));
        server.set(
            NEW,
            Route::html(recorded("changes/en/edit-paragraph-added.html")),
        );
        let (code, out, err) = cli(&project, &["check"], &[]).await;
        assert_eq!(code, 0, "{backend}: {out}{err}");
        let moved = received(&server)
            .iter()
            .filter(|a| a.kind == ChangeKind::Moved)
            .count();
        assert_eq!(moved, 1, "{backend}: {out}{err}");
        // The move stays on the record, naming the version it found.
        let (_, history, _) = cli(&project, &["history", "story"], &[]).await;
        assert_eq!(
            history.matches("moved: ").count(),
            1,
            "{backend}: {history}"
        );
        assert!(
            history.contains("(the text at the new address is version 1)"),
            "{backend}: {history}"
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_move_to_another_site_says_so_in_every_channel_and_one_within_the_site_does_not() {
    let hook = Server::start().await;
    let replay = tempfile::tempdir().unwrap();
    let dir = replay.path().display().to_string();
    let old = "https://news.example.org/world/rasoulof-flees";
    let project = Project::new(&config(&hook, old, ""));
    manifest(replay.path(), &[old], None);
    assert_eq!(cli(&project, &["check"], &["--replay", &dir]).await.0, 0);
    // Within the site (another subdomain): a move, not to another site.
    let within = "https://www.example.org/news/rasoulof-flees";
    manifest(replay.path(), &[within], Some((old, within)));
    assert_eq!(cli(&project, &["check"], &["--replay", &dir]).await.0, 0);
    // Then to a sister outlet.
    let sister = "https://www.sister.example.net/film/rasoulof-flees";
    manifest(replay.path(), &[sister], Some((old, sister)));
    let (code, out, err) = cli(&project, &["check"], &["--replay", &dir]).await;
    assert_eq!(code, 0, "{out}{err}");

    let alerts = received(&hook);
    assert_eq!(kinds(&alerts), vec![ChangeKind::Moved, ChangeKind::Moved]);
    let ctx = render::Context::of(&project.load());
    let line = "Moved to another site: www.sister.example.net";
    let (same_site, other_site) = (&alerts[0], &alerts[1]);
    assert_eq!(
        same_site.summary,
        format!("The article moved: {old} \u{2192} {within}")
    );
    assert!(!render::text(same_site, &ctx).contains("another site"));
    assert!(!render::html(same_site, &ctx).contains("another site"));
    assert_eq!(
        other_site.summary,
        format!("The article moved to another site: {old} \u{2192} {sister}")
    );
    assert_eq!(other_site.moved_to.as_deref(), Some(sister));
    let text = render::text(other_site, &ctx);
    assert!(
        text.contains(&format!(
            "Old address: {old}\nNew address: {sister}\n{line}\nThe old address now redirects"
        )),
        "{text}"
    );
    let html = render::html(other_site, &ctx);
    assert!(
        html.contains("<b>Moved to another site:</b> www.sister.example.net<br>"),
        "{html}"
    );
    use presswatch::config::WebhookFormat;
    for format in [
        WebhookFormat::Slack,
        WebhookFormat::Discord,
        WebhookFormat::Teams,
    ] {
        let chat = presswatch::notify::webhook::payload(format, other_site, &ctx).to_string();
        assert!(
            chat.contains("moved to another site") && chat.contains("www.sister.example.net"),
            "{format:?}: {chat}"
        );
    }
}

/// The new address a `moved` alert gives is the one staff click and cite:
/// given an article whose old address redirects for good to its new one
/// with tracking parameters on it (`?utm_source=…&fbclid=…`, as outlets'
/// redirects from social posts carry), the alert named that address as
/// served, which staff clicked and forwarded. It names it without them
/// (other parameters kept) in its summary, text, HTML, link and webhook
/// JSON; the history records the move as the redirect served it.
#[tokio::test(flavor = "multi_thread")]
async fn a_move_alert_gives_the_new_address_without_tracking_parameters_and_the_history_as_served()
{
    let (server, project, _) = tracked_story("").await;
    let served = format!("{NEW}?utm_source=twitter&id=7&fbclid=IwAR0x");
    server.set(OLD, Route::status(301).header("Location", &served));
    server.set(&served, Route::html(page()));
    let (code, out, err) = cli(&project, &["check"], &[]).await;
    assert_eq!(code, 0, "{out}{err}");
    let alerts = received(&server);
    assert_eq!(kinds(&alerts), vec![ChangeKind::Moved], "{out}{err}");
    let (old, clean) = (server.url(OLD), server.url(&format!("{NEW}?id=7")));
    let moved = &alerts[0];
    assert_eq!(moved.moved_to.as_deref(), Some(clean.as_str()));
    assert_eq!(
        moved.summary,
        format!("The article moved: {old} \u{2192} {clean}")
    );
    let ctx = render::Context::of(&project.load());
    // Its lines as one: a long address stands on a line of its own.
    let text = render::text(moved, &ctx).replace("\n  ", " ");
    assert!(text.contains(&format!("New address: {clean}\n")), "{text}");
    assert!(
        !text.contains("utm_source") && !text.contains("fbclid"),
        "{text}"
    );
    let html = render::html(moved, &ctx);
    assert!(
        !html.contains("utm_source") && !html.contains("fbclid"),
        "{html}"
    );
    assert_eq!(
        render::main_link(moved),
        Some((clean.as_str(), "Open the article at its new address"))
    );
    // The evidence keeps what the site served.
    let (code, history, err) = cli(&project, &["history", "story"], &[]).await;
    assert_eq!(code, 0, "{err}");
    assert!(history.contains(&server.url(&served)), "{history}");
}

/// The config edit ops are told to make for a moved watch is the address to
/// paste: given an article whose old address redirects for good to its new
/// one with tracking parameters on it (`?utm_source=…&fbclid=…`), the
/// check's line, the log's warning and `status` said `set url =
/// "NEW?utm_source=twitter&id=7&fbclid=…"`, and a watch so set would cite
/// and alert that. They give it without them (other parameters kept), as
/// the alert does; once the config names it so, `status` no longer asks.
#[tokio::test(flavor = "multi_thread")]
async fn the_config_edit_suggested_for_a_moved_watch_names_its_address_without_tracking_parameters()
{
    let (server, project, _) = tracked_story("").await;
    let served = format!("{NEW}?utm_source=twitter&id=7&fbclid=IwAR0x");
    server.set(OLD, Route::status(301).header("Location", &served));
    server.set(&served, Route::html(page()));
    let (code, out, err) = cli(&project, &["check"], &[]).await;
    assert_eq!(code, 0, "{out}{err}");
    let (old, clean) = (server.url(OLD), server.url(&format!("{NEW}?id=7")));
    let fix = format!("set url = \"{clean}\" in the watch's config");
    let line = out.lines().find(|l| l.starts_with("story")).unwrap();
    assert!(
        line.contains(&format!("moved permanently to {clean}: {fix}")),
        "{out}"
    );
    let warning = format!("watch story: {old} redirects permanently to {clean}: {fix}");
    assert!(err.contains(&warning), "{err}");
    let (_, status, _) = cli(&project, &["status"], &[]).await;
    assert!(status.contains(&warning), "{status}");
    for said in [line, status.as_str()] {
        assert!(
            !said.contains("utm_source") && !said.contains("fbclid"),
            "{said}"
        );
    }
    // Ops paste the address given: the note is gone.
    let edited = config(&server, &clean, "");
    std::fs::write(project.path("config.toml"), edited).unwrap();
    let (_, status, _) = cli(&project, &["status"], &[]).await;
    assert!(!status.contains("redirects permanently"), "{status}");
}

/// A link in a Discord or Teams message opens the page it names. Given an
/// article that moves to a new slug (`…/rasoulof-flees-iran-on-foot`), the
/// Discord message gave its new address Markdown-escaped
/// (`…/rasoulof\-flees\-iran\-on\-foot`): the chat links the word whole,
/// backslashes and all, and a browser reads each `\` as `/`, so the link
/// staff were told to cite opened a page not found. Links are given as
/// they are; the page's words around them stay escaped.
#[tokio::test(flavor = "multi_thread")]
async fn a_discord_or_teams_alert_gives_its_links_unescaped_so_that_they_open() {
    let (server, project, _) = tracked_story("").await;
    server.set(OLD, Route::status(301).header("Location", NEW));
    server.set(NEW, Route::html(page()));
    let (code, out, err) = cli(&project, &["check"], &[]).await;
    assert_eq!(code, 0, "{out}{err}");
    let alerts = received(&server);
    assert_eq!(kinds(&alerts), vec![ChangeKind::Moved]);
    let (old, new) = (server.url(OLD), server.url(NEW));
    assert!(new.contains('-'), "{new}");
    let ctx = render::Context::of(&project.load());
    use presswatch::config::WebhookFormat;
    let discord = presswatch::notify::webhook::payload(WebhookFormat::Discord, &alerts[0], &ctx);
    let discord = discord["content"].as_str().unwrap();
    let teams = presswatch::notify::webhook::payload(WebhookFormat::Teams, &alerts[0], &ctx);
    let teams = teams["attachments"][0]["content"]["body"][1]["text"]
        .as_str()
        .unwrap();
    // A Teams card's lines are paragraphs of their own (`\n\n`), else its
    // Markdown joins them; each line is whole, the chat wraps it.
    for (chat, body, br) in [("discord", discord, "\n"), ("teams", teams, "\n\n")] {
        assert!(
            body.contains(&format!("Old address: {old}{br}New address: {new}{br}")),
            "{chat}: {body}"
        );
        assert!(
            body.contains(&format!("The article moved: {old} \u{2192} {new}")),
            "{chat}: {body}"
        );
        // The words around them are escaped as before.
        assert!(body.contains(&format!("\\-\\- {br}")), "{chat}: {body}");
    }
}

/// The evidence viewer tells staff which address to cite as the alert does.
/// Given an article that moved to an address with tracking parameters on
/// it, the alert gave the new address clean, but the viewer's row of the
/// move said "New address: …?utm_source=twitter&id=7&fbclid=…" under "cite
/// and link the new address". Its "New address" is clean; the row's line
/// above it says where the redirect led, as served.
#[tokio::test(flavor = "multi_thread")]
async fn the_viewers_row_of_a_move_gives_the_address_to_cite_without_tracking_parameters() {
    let (server, project, _) = tracked_story("").await;
    let served = format!("{NEW}?utm_source=twitter&id=7&fbclid=IwAR0x");
    server.set(OLD, Route::status(301).header("Location", &served));
    server.set(&served, Route::html(page()));
    assert_eq!(cli(&project, &["check"], &[]).await.0, 0);
    let out = project.path("viewer");
    let out_arg = out.display().to_string();
    let (code, said, err) = cli(&project, &["report"], &["--out", &out_arg]).await;
    assert_eq!(code, 0, "{said}{err}");
    let index = std::fs::read_to_string(out.join("story/index.html")).unwrap();
    let row = index
        .split("<span class=\"moved\">Moved</span>")
        .nth(1)
        .and_then(|r| r.split("</tr>").next())
        .expect("the move's row");
    let clean = server.url(&format!("{NEW}?id=7"));
    assert!(
        row.contains(&format!("<b>New address:</b> <a href=\"{clean}\"")),
        "{row}"
    );
    let new_address = row.split("<b>New address:</b>").nth(1).unwrap();
    assert!(
        !new_address.contains("utm_source") && !new_address.contains("fbclid"),
        "{row}"
    );
    // Where the redirect led, as served: the evidence.
    let before = row.split("<b>Old address:</b>").next().unwrap();
    assert!(before.contains("utm_source=twitter"), "{row}");
}
