//! Site chrome learned across a site's watched pages (docs/DETECTION.md,
//! "Site chrome"): a press office watching several stories of one outlet
//! whose kept "also read" box rotates gets no storm of "edited" alerts,
//! while an edit of a background paragraph the stories share still alerts.
//! Real binary, real pages on 127.0.0.1, SQLite and PostgreSQL.

use crate::support::{ok, run, Project, Route, Server};

/// The background paragraph the outlet's stories carry verbatim.
const BACKGROUND: &str = "The protests began in September 2022 after the death of a young woman in police custody, and spread to every province within weeks.";

/// The outlet's "also read" box, as the extractor keeps it: two lines.
const BOX_OLD: [&str; 2] = [
    "Also read today: Oil prices climb for a third day as traders brace for a long and cold winter of shortages.",
    "Also read today: Storms close the mountain roads in the north and the ministry tells drivers to stay at home.",
];
const BOX_NEW: [&str; 2] = [
    "Also read today: The bazaar shuts for the holiday as traders protest against the new taxes on imported goods.",
    "Also read today: The football club names a new coach after its worst season in twenty years of the league.",
];

/// The stories of the outlet, each with paragraphs of its own.
const STORIES: [(&str, &str, &str); 4] = [
    (
        "director",
        "Director flees the country",
        "The director left the country after the court upheld an eight-year sentence, people close to him said on Monday.",
    ),
    (
        "teachers",
        "Teachers strike for a second week",
        "Teachers in twelve cities stayed away from their classrooms for a second week, demanding the release of their union leaders.",
    ),
    (
        "lawyer",
        "Lawyer of detained rapper summoned",
        "The lawyer of a detained rapper was summoned to the prosecutor's office in Tehran on Tuesday, his family said.",
    ),
    (
        "students",
        "Students expelled after protest",
        "Seventeen students were expelled from a university in Mashhad after a protest on campus last month, a rights group said.",
    ),
];

/// A story page of the outlet: its own lead, the shared background
/// paragraph (edited by `background`), and the box.
fn story_page(story: usize, background: &str, boxed: &[&str]) -> String {
    let (_, headline, lead) = STORIES[story];
    let own = format!(
        "{headline}: the outlet's correspondent spoke to three people who asked not to be named for fear of reprisals."
    );
    let paras: String = [lead, own.as_str(), background]
        .iter()
        .chain(boxed)
        .map(|p| format!("<p>{p}</p>\n"))
        .collect();
    format!(
        r#"<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{headline} | Example News</title></head><body>
<header><nav><a href="/">Home</a> <a href="/world">World</a></nav></header>
<main><article><h1>{headline}</h1><div class="byline">By Staff reporter</div>
{paras}</article></main>
<footer><p>© Example News. All rights reserved.</p></footer></body></html>"#
    )
}

/// The backends to run on: each one's name, the `[daemon]` lines that
/// choose it, and the environment it needs.
fn backends() -> impl Iterator<Item = (&'static str, String, Vec<(&'static str, &'static str)>)> {
    crate::support::backends()
        .into_iter()
        .map(|b| (b.name, b.state_lines(), b.env()))
}

/// A project watching the first `n` stories of the outlet on `server`,
/// alerting its webhook.
fn watching(server: &Server, state: &str, n: usize) -> Project {
    let mut cfg = format!(
        "[daemon]\nper_host_delay = \"0s\"\n{state}[[channel]]\nname = \"hook\"\ntype = \"webhook\"\nurl = \"{}\"\n",
        server.url("/hook")
    );
    for (name, _, _) in &STORIES[..n] {
        cfg.push_str(&format!(
            "[[watch]]\nname = \"{name}\"\nurl = \"{}\"\nrobots = false\n",
            server.url(&format!("/news/{name}"))
        ));
    }
    Project::new(&cfg)
}

/// `presswatch check` of one watch: its report line.
async fn check(project: &Project, watch: &str, env: &[(&str, &str)]) -> String {
    ok(&run(
        &["check", "--config", &project.config_arg(), "--watch", watch],
        env,
    )
    .await)
}

/// The alerts the webhook received, as JSON.
fn alerts(server: &Server) -> Vec<serde_json::Value> {
    server
        .requests_to("/hook")
        .iter()
        .map(|r| serde_json::from_slice(&r.body).unwrap())
        .collect()
}

/// `presswatch report` of the project into its `report` directory: that
/// directory.
async fn report(project: &Project, env: &[(&str, &str)]) -> std::path::PathBuf {
    let out = project.path("report");
    ok(&run(
        &[
            "report",
            "--config",
            &project.config_arg(),
            "--out",
            out.to_str().unwrap(),
        ],
        env,
    )
    .await);
    out
}

fn serve(server: &Server, story: usize, background: &str, boxed: &[&str]) {
    server.set(
        &format!("/news/{}", STORIES[story].0),
        Route::html(story_page(story, background, boxed)),
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_box_rotating_on_every_watched_story_of_a_site_alerts_for_the_first_two_pages_only_on_either_backend(
) {
    for (backend, state, env) in backends() {
        let server = Server::start().await;
        let project = watching(&server, &state, 4);
        for story in 0..4 {
            serve(&server, story, BACKGROUND, &BOX_OLD);
        }
        ok(&run(&["check", "--config", &project.config_arg()], &env).await);
        // The box rotates on every page of the site; the watches are
        // checked one after another, as the daemon spreads them.
        for story in 0..4 {
            serve(&server, story, BACKGROUND, &BOX_NEW);
        }
        let mut lines = Vec::new();
        for (name, _, _) in STORIES {
            lines.push(check(&project, name, &env).await);
        }
        // The first two pages to show the new box cannot know it is the
        // site's: nothing else shows it yet. They alert.
        let sent = alerts(&server);
        let watches: Vec<&str> = sent.iter().map(|a| a["watch"].as_str().unwrap()).collect();
        assert_eq!(watches, ["director", "teachers"], "{backend}: {sent:?}");
        // The rest are the box the site rotated, on the pages named.
        assert!(
            lines[2].contains(
                "changed only in site chrome recurring on 2 other pages of the site (director, teachers): \
                 2 paragraphs added; 2 paragraphs removed; stored as version 2, no alert"
            ),
            "{backend}: {}",
            lines[2]
        );
        assert!(
            lines[3].contains("changed only in site chrome recurring on 3 other pages of the site (director, lawyer, teachers)"),
            "{backend}: {}",
            lines[3]
        );
        // Kept as evidence, and the history says it was not alerted.
        let history = ok(&run(
            &["history", "--config", &project.config_arg(), "lawyer"],
            &env,
        )
        .await);
        assert!(
            history.contains("2 paragraphs added; 2 paragraphs removed; not alerted: changed only in site chrome recurring on 2 other pages of the site (director, teachers)"),
            "{backend}: {history}"
        );
        // So does the evidence viewer's timeline.
        let out = report(&project, &env).await;
        let timeline = std::fs::read_to_string(out.join("lawyer/index.html")).unwrap();
        let row = timeline
            .split("<tr>")
            .find(|r| r.contains("Version 2</a>"))
            .unwrap_or_else(|| panic!("{backend}: {timeline}"));
        assert!(
            row.contains("not alerted: changed only in site chrome recurring on 2 other pages of the site (director, teachers)"),
            "{backend}: {row}"
        );
        // The page as it is now is the baseline: the next check is quiet.
        let again = check(&project, "lawyer", &env).await;
        assert!(again.contains("unchanged"), "{backend}: {again}");
        assert_eq!(alerts(&server).len(), 2, "{backend}");
    }
}

/// The daemon checks a site's pages one after another in one process,
/// which keeps what it read of the other pages for the next checks: a
/// page's newer version is read when it is stored, never a version kept
/// from before it, so the rotation is told as across `presswatch check`
/// runs. (The director's check reads the others' first versions; the
/// lawyer's must read the teachers' second.)
#[tokio::test(flavor = "multi_thread")]
async fn checks_in_one_process_read_each_other_pages_newest_version_not_one_read_before() {
    let server = Server::start().await;
    let project = watching(&server, "", 4);
    for story in 0..4 {
        serve(&server, story, BACKGROUND, &BOX_OLD);
    }
    let config = std::sync::Arc::new(project.load());
    let fetcher = presswatch::fetch::Fetcher::http(&config.daemon).unwrap();
    let ctx = presswatch::check::Context::open(config.clone(), fetcher, false).unwrap();
    for watch in &config.watches {
        presswatch::check::check_watch(&ctx, watch).await;
    }
    for story in 0..4 {
        serve(&server, story, BACKGROUND, &BOX_NEW);
    }
    let mut reports = Vec::new();
    for watch in &config.watches {
        reports.push(presswatch::check::check_watch(&ctx, watch).await);
    }
    let alerted: Vec<&str> = reports
        .iter()
        .filter(|r| !r.alerts.is_empty())
        .map(|r| r.watch.as_str())
        .collect();
    assert_eq!(alerted, ["director", "teachers"], "{reports:?}");
    assert!(
        reports[2].detail.starts_with(
            "changed only in site chrome recurring on 2 other pages of the site (director, teachers)"
        ),
        "{}",
        reports[2].detail
    );
    assert!(
        reports[3].detail.starts_with(
            "changed only in site chrome recurring on 3 other pages of the site (director, lawyer, teachers)"
        ),
        "{}",
        reports[3].detail
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_background_paragraph_three_stories_share_edited_in_one_of_them_alerts_with_its_words_on_either_backend(
) {
    for (backend, state, env) in backends() {
        let server = Server::start().await;
        let project = watching(&server, &state, 3);
        for story in 0..3 {
            serve(&server, story, BACKGROUND, &BOX_OLD);
        }
        ok(&run(&["check", "--config", &project.config_arg()], &env).await);
        // The box rotates on the other two first (their two newest versions
        // differ), then the outlet quietly edits the shared paragraph in
        // one story, while its box rotates too.
        for (story, (name, _, _)) in STORIES.iter().enumerate().take(3).skip(1) {
            serve(&server, story, BACKGROUND, &BOX_NEW);
            check(&project, name, &env).await;
        }
        let edited = BACKGROUND.replace(" in police custody", "");
        serve(&server, 0, &edited, &BOX_NEW);
        let line = check(&project, "director", &env).await;
        let sent = alerts(&server);
        let alert = sent
            .iter()
            .find(|a| a["watch"] == "director")
            .unwrap_or_else(|| panic!("{backend}: the edit alerts: {line}"));
        assert_eq!(alert["kind"], "edited", "{backend}: {alert}");
        let removed: Vec<&str> = alert["change"]["blocks"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|b| b["segments"].as_array().into_iter().flatten())
            .filter(|s| s["op"] == "removed")
            .map(|s| s["text"].as_str().unwrap())
            .collect();
        assert!(
            removed.iter().any(|t| t.contains("in police custody")),
            "{backend}: the alert names the words: {alert}"
        );
        assert!(!line.contains("site chrome"), "{backend}: {line}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_box_that_recurs_on_only_one_other_page_still_alerts() {
    let server = Server::start().await;
    let project = watching(&server, "", 4);
    // Only the first two stories carry the box.
    for story in 0..4 {
        let boxed: &[&str] = if story < 2 { &BOX_OLD } else { &[] };
        serve(&server, story, BACKGROUND, boxed);
    }
    ok(&run(&["check", "--config", &project.config_arg()], &[]).await);
    for story in [1, 0] {
        serve(&server, story, BACKGROUND, &BOX_NEW);
        check(&project, STORIES[story].0, &[]).await;
    }
    let sent = alerts(&server);
    let watches: Vec<&str> = sent.iter().map(|a| a["watch"].as_str().unwrap()).collect();
    assert_eq!(watches, ["teachers", "director"], "{sent:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn with_site_chrome_off_a_watch_alerts_the_rotated_box() {
    let server = Server::start().await;
    let project = watching(&server, "", 3);
    let cfg = std::fs::read_to_string(project.config()).unwrap();
    // The third watch opts out.
    let cfg = cfg.replacen(
        "name = \"lawyer\"\n",
        "name = \"lawyer\"\nsite_chrome = false\n",
        1,
    );
    std::fs::write(project.config(), cfg).unwrap();
    for story in 0..3 {
        serve(&server, story, BACKGROUND, &BOX_OLD);
    }
    ok(&run(&["check", "--config", &project.config_arg()], &[]).await);
    for (story, (name, _, _)) in STORIES.iter().enumerate().take(3) {
        serve(&server, story, BACKGROUND, &BOX_NEW);
        check(&project, name, &[]).await;
    }
    assert_eq!(alerts(&server).len(), 3);
}

/// The evidence viewer's index names a watch's last change as the last one
/// alerted: a later version stored for the site's rotated box is no change
/// of the story, and is noted beside it as stored without an alert.
#[tokio::test(flavor = "multi_thread")]
async fn the_evidence_index_shows_the_last_alerted_change_not_a_version_stored_for_site_chrome_on_either_backend(
) {
    for (backend, state, env) in backends() {
        let server = Server::start().await;
        let project = watching(&server, &state, 4);
        for story in 0..4 {
            serve(&server, story, BACKGROUND, &BOX_OLD);
        }
        ok(&run(&["check", "--config", &project.config_arg()], &env).await);
        // The lawyer story's headline is edited: alerted.
        let headline = |html: String| {
            html.replace(
                "<h1>Lawyer of detained rapper summoned</h1>",
                "<h1>Lawyer of detained rapper summoned by the prosecutor</h1>",
            )
        };
        server.set(
            "/news/lawyer",
            Route::html(headline(story_page(2, BACKGROUND, &BOX_OLD))),
        );
        check(&project, "lawyer", &env).await;
        assert_eq!(alerts(&server).len(), 1, "{backend}");
        // Then the box rotates site-wide: the lawyer story's version 3 is
        // site chrome, stored with no alert.
        for story in 0..4 {
            serve(&server, story, BACKGROUND, &BOX_NEW);
        }
        server.set(
            "/news/lawyer",
            Route::html(headline(story_page(2, BACKGROUND, &BOX_NEW))),
        );
        for (name, _, _) in STORIES {
            check(&project, name, &env).await;
        }
        let sent = alerts(&server);
        let watches: Vec<&str> = sent.iter().map(|a| a["watch"].as_str().unwrap()).collect();
        assert_eq!(
            watches,
            ["lawyer", "director", "teachers"],
            "{backend}: {sent:?}"
        );
        let out = report(&project, &env).await;
        let index = std::fs::read_to_string(out.join("index.html")).unwrap();
        let row = index
            .split("<tr>")
            .find(|r| r.contains("href=\"lawyer/index.html\""))
            .unwrap_or_else(|| panic!("{backend}: {index}"));
        let last = row.rsplit("<td>").next().unwrap();
        assert!(last.contains("Headline changed"), "{backend}: {last}");
        assert!(!last.contains("Edited"), "{backend}: {last}");
        assert!(
            last.contains("1 later version stored without an alert: site chrome"),
            "{backend}: {last}"
        );
        // A story whose only versions after its first are site chrome has
        // had no change staff were alerted to.
        let row = index
            .split("<tr>")
            .find(|r| r.contains("href=\"students/index.html\""))
            .unwrap_or_else(|| panic!("{backend}: {index}"));
        let last = row.rsplit("<td>").next().unwrap();
        assert!(
            last.starts_with("none<br>")
                && last.contains("1 later version stored without an alert: site chrome"),
            "{backend}: {last}"
        );
        // The timeline and the version's page say no alert went out.
        let timeline = std::fs::read_to_string(out.join("lawyer/index.html")).unwrap();
        let row = timeline
            .split("<tr>")
            .find(|r| r.contains("Version 3</a>"))
            .unwrap_or_else(|| panic!("{backend}: {timeline}"));
        assert!(row.contains("No alert: "), "{backend}: {row}");
        let page = std::fs::read_to_string(out.join("lawyer/v3.html")).unwrap();
        assert!(
            page.contains("as an alert would have shown it (none went out)"),
            "{backend}"
        );
    }
}
