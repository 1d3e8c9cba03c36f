//! Listings of other sites' stories, and listings that go quiet: given
//! recorded versions of an aggregator's front page and of a Persian news
//! search (tests/recordings/listings/), a listing watch with no selector
//! reports each new story once; a listing or feed that yields nothing, or
//! suddenly far fewer items than before, is an error alert that says what
//! to check.

use presswatch::check::Outcome;
use presswatch::compare::ChangeKind;

use crate::pg;
use crate::support::{article, as_read, check_first, recorded, run, Project, Route, Server};

/// A listing watch on `path` of `server`, with extra keys.
fn listing_config(server: &Server, path: &str, kind: &str, extra: &str) -> String {
    format!(
        "[daemon]\nper_host_delay = \"0s\"\nfailure_threshold = 2\n\n[[watch]]\nname = \"coverage\"\nkind = \"{kind}\"\nurl = \"{}\"\nrobots = false\n{extra}\n",
        server.url(path)
    )
}

/// Serves `page` and checks once: the outcome, its detail and the titles of
/// the new items alerted.
async fn serve_and_check(
    server: &Server,
    path: &str,
    project: &Project,
    page: String,
) -> (Outcome, String, Vec<String>) {
    server.set(path, Route::html(page));
    let r = check_first(project).await;
    let titles = r
        .alerts
        .iter()
        .filter(|a| a.kind == ChangeKind::NewItems)
        .flat_map(|a| a.items.iter().map(|i| i.title.clone()))
        .collect();
    (r.outcome, r.detail, titles)
}

#[tokio::test(flavor = "multi_thread")]
async fn an_aggregator_front_page_reports_each_new_story_on_other_sites_by_default() {
    let server = Server::start().await;
    let path = "/iran";
    let project = Project::new(&listing_config(&server, path, "listing", ""));

    let (outcome, detail, _) = serve_and_check(
        &server,
        path,
        &project,
        recorded("listings/aggregator-1.html"),
    )
    .await;
    assert_eq!(outcome, Outcome::ItemsRecorded(16), "{detail}");
    // The stories, not the site's own navigation, explainers, newsletter,
    // footer or the sponsored links.
    let baseline = project.read_baseline("coverage");
    assert!(baseline.contains(
        "- UN experts urge Iran to halt execution of rapper Toomaj Salehi <https://news.worldwire.example/2024/05/20/un-experts-iran-toomaj-salehi-execution>"
    ), "{baseline}");
    for chrome in [
        "Doctors stunned",
        "five charts",
        "Sign up",
        "how stories are selected",
        "Full coverage",
    ] {
        assert!(!baseline.contains(chrome), "{chrome}: {baseline}");
    }

    // A new story cluster on top; older stories moved to "More headlines".
    let (_, _, new) = serve_and_check(
        &server,
        path,
        &project,
        recorded("listings/aggregator-2.html"),
    )
    .await;
    assert_eq!(
        new,
        [
            "Mohammad Rasoulof arrives in Cannes after escaping Iran on foot",
            "‘I had to choose between prison and exile’: Rasoulof speaks before his Cannes premiere",
        ]
    );
    // A new related link and a new headline below; a story whose headline
    // the aggregator rewrote is not new.
    let (_, _, new) = serve_and_check(
        &server,
        path,
        &project,
        recorded("listings/aggregator-3.html"),
    )
    .await;
    assert_eq!(
        new,
        [
            "Rights groups launch campaign to save Toomaj Salehi as appeal is heard",
            "Rasoulof holds up photos of actors who could not leave Iran at Cannes premiere",
        ]
    );
    // Every link now carries tracking parameters: only the new cluster is new.
    let (_, _, new) = serve_and_check(
        &server,
        path,
        &project,
        recorded("listings/aggregator-4.html"),
    )
    .await;
    assert_eq!(
        new,
        [
            "Rasoulof’s ‘The Seed of the Sacred Fig’ wins special jury prize at Cannes",
            "Cannes 2024: Anora wins the Palme d’Or; full list of winners",
            "Exiled director dedicates Cannes award to cast and crew who could not leave Iran",
        ]
    );
    let (outcome, _, new) = serve_and_check(
        &server,
        path,
        &project,
        recorded("listings/aggregator-4.html"),
    )
    .await;
    assert_eq!((outcome, new.len()), (Outcome::Unchanged, 0));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_persian_news_search_reports_each_new_result_by_default() {
    let server = Server::start().await;
    let path = "/search";
    let project = Project::new(&listing_config(
        &server,
        path,
        "listing",
        "keywords = [\"رسول‌اف\", \"انجیر معابد\"]",
    ));
    let (outcome, detail, _) = serve_and_check(
        &server,
        path,
        &project,
        recorded("listings/search-fa-1.html"),
    )
    .await;
    assert_eq!(outcome, Outcome::ItemsRecorded(8), "{detail}");
    let (_, _, new) = serve_and_check(
        &server,
        path,
        &project,
        recorded("listings/search-fa-2.html"),
    )
    .await;
    assert_eq!(
        new,
        [
            "رسول‌اف عکس بازیگرانش را روی فرش قرمز کن بالا برد",
            "فیلم رسول‌اف در کن با تشویق ایستاده تماشاگران روبه‌رو شد",
        ]
    );
    // Written with Arabic yeh, the title still matches the keyword.
    let (_, _, new) = serve_and_check(
        &server,
        path,
        &project,
        recorded("listings/search-fa-3.html"),
    )
    .await;
    assert_eq!(
        new,
        ["«دانه انجیر معابد» جایزه ویژه هيئت داوران جشنواره کن را برد"]
    );
}

/// Checks twice (the failure threshold is 2): the second check's error alert.
async fn error_alert(project: &Project) -> String {
    let first = check_first(project).await;
    assert!(
        matches!(first.outcome, Outcome::Error(_)),
        "{:?}",
        first.outcome
    );
    assert!(
        first.alerts.is_empty(),
        "one failure is below the threshold"
    );
    let second = check_first(project).await;
    assert_eq!(second.alerts.len(), 1, "{:?}", second.outcome);
    assert_eq!(second.alerts[0].kind, ChangeKind::Error);
    second.alerts[0].error.clone().unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_listing_or_feed_that_yields_no_items_is_an_error_alert_that_says_what_to_check() {
    let server = Server::start().await;
    // A page rendered in the browser: nothing in the HTML reads like a story.
    let shell = "<!DOCTYPE html><html><head><title>News search</title></head><body><header><a href=\"/\">Home</a></header><div id=\"root\">Loading…</div><script src=\"/app.js\"></script></body></html>";
    server.set("/news", Route::html(shell));
    let project = Project::new(&listing_config(&server, "/news", "listing", ""));
    let error = error_alert(&project).await;
    assert!(error.contains("no story links found on"), "{error}");
    assert!(
        error.contains("set `selector` of watch coverage"),
        "{error}"
    );
    assert!(
        error.contains("--watch coverage --dry-run") && error.contains("config.toml"),
        "{error}"
    );

    // A page that says itself why it lists nothing (an empty body, a PDF)
    // is told so, with no selector to look for.
    server.set("/empty", Route::html(""));
    let project = Project::new(&listing_config(&server, "/empty", "listing", ""));
    let error = error_alert(&project).await;
    assert!(
        error.contains("no story links found on")
            && error.contains("the server sent an empty body (HTTP 200)")
            && !error.contains("selector"),
        "{error}"
    );
    server.set(
        "/report.pdf",
        Route {
            status: 200,
            headers: vec![("Content-Type".into(), "application/pdf".into())],
            body: b"%PDF-1.7 binary".to_vec(),
        },
    );
    let project = Project::new(&listing_config(&server, "/report.pdf", "listing", ""));
    let error = error_alert(&project).await;
    assert!(
        error.contains("it serves application/pdf, not a web page") && !error.contains("selector"),
        "{error}"
    );

    // A selector that no longer matches says so.
    server.set("/tag", Route::html(recorded("listings/aggregator-1.html")));
    let project = Project::new(&listing_config(
        &server,
        "/tag",
        "listing",
        "selector = \".story-river\"",
    ));
    let error = error_alert(&project).await;
    assert!(
        error.contains("`selector = \".story-river\"` of watch coverage matches no links"),
        "{error}"
    );
    // The browser-console line to try it runs the selector as written: one
    // that names the links themselves gets no second ` a` that matches nothing.
    let project = Project::new(&listing_config(
        &server,
        "/tag",
        "listing",
        "selector = \".story-river h3 a\"",
    ));
    let error = error_alert(&project).await;
    assert!(
        error.contains("document.querySelectorAll(\".story-river h3 a\")"),
        "{error}"
    );

    // A feed with no entries.
    server.set(
        "/feed.xml",
        Route::html("<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>Iran</title><link>https://n.example/</link><description>News</description></channel></rss>")
            .header("Content-Type", "application/rss+xml"),
    );
    let project = Project::new(&listing_config(&server, "/feed.xml", "feed", ""));
    let error = error_alert(&project).await;
    assert!(error.contains("has no entries"), "{error}");
}

/// A listing's URL that answers something that is no HTML page, labelled
/// `text/html` as many servers label every answer (JSON, plain text, a CSV
/// table, a feed, an XML sitemap): `presswatch check` says what it is and
/// what to watch instead; it said "no story links found …: set `selector`
/// of watch coverage …", which could find none there.
#[tokio::test(flavor = "multi_thread")]
async fn a_listing_served_what_is_no_web_page_says_what_it_is_not_to_set_a_selector() {
    let server = Server::start().await;
    let other = "watch the web page that lists the stories (the address a browser shows for \
                 it), or the site's feed with kind = \"feed\"";
    let cases = [
        (
            "/api/stories",
            "{\"stories\": [{\"id\": 1, \"title\": \"Court upholds the sentence\"}]}".to_string(),
            format!("it is JSON data (as an API answers), served as text/html, not a web page: it has no links to read, whatever the selector; {other}"),
        ),
        (
            "/latest.txt",
            "Court upholds the sentence\nDirector leaves the country\n".to_string(),
            format!("it is plain text, with no HTML markup, served as text/html, not a web page: it has no links to read, whatever the selector; {other}"),
        ),
        (
            "/export.csv",
            "date,title,url\n2024-05-14,Court upholds the sentence,https://news.example/a\n2024-05-15,Director leaves,https://news.example/b\n".to_string(),
            format!("it is a CSV table, served as text/html, not a web page: it has no links to read, whatever the selector; {other}"),
        ),
        (
            "/rss",
            feed(1, 3),
            "it is a feed (RSS, Atom or JSON Feed), served as text/html, not a web page: it has no links to read, whatever the selector; watch it with kind = \"feed\"".to_string(),
        ),
        (
            "/sitemap.xml",
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n<url><loc>https://news.example/a</loc><lastmod>2024-05-14</lastmod></url>\n<url><loc>https://news.example/b</loc></url>\n</urlset>\n".to_string(),
            "it is an XML sitemap (a <urlset> of 2 page addresses), served as text/html, not a web page: it has no links to read, whatever the selector; presswatch reads a sitemap's pages as a feed's items: watch it with kind = \"feed\"".to_string(),
        ),
    ];
    for (path, body, why) in cases {
        server.set(path, Route::html(body));
        let project = Project::new(&listing_config(&server, path, "listing", ""));
        let out = run(&["check", "--config", &project.config_arg()], &[]).await;
        let said = String::from_utf8_lossy(&out.stdout);
        assert_eq!(out.status.code(), Some(1), "{path}: {said}");
        let line = said.lines().next().unwrap_or_default();
        assert_eq!(
            line,
            format!(
                "coverage  error      no story links found on {}: {why}",
                server.url(path)
            ),
            "{path}"
        );
    }
    // A page that lists its stories in HTML is read as ever.
    server.set("/news", Route::html(recorded("listings/aggregator-1.html")));
    let project = Project::new(&listing_config(&server, "/news", "listing", ""));
    let out = run(&["check", "--config", &project.config_arg()], &[]).await;
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_listing_that_suddenly_yields_far_fewer_items_is_an_error_alert() {
    let server = Server::start().await;
    let path = "/iran";
    let project = Project::new(&listing_config(&server, path, "listing", ""));
    server.set(path, Route::html(recorded("listings/aggregator-1.html")));
    assert_eq!(
        check_first(&project).await.outcome,
        Outcome::ItemsRecorded(16)
    );
    // The redesign renders the list in the browser: 3 stories are left in the HTML.
    server.set(
        path,
        Route::html(recorded("listings/aggregator-redesigned.html")),
    );
    let error = error_alert(&project).await;
    assert!(
        error.contains("lists only 3 items where its last accepted version had 16"),
        "{error}"
    );
    assert!(error.contains("set `selector`"), "{error}");
    assert!(
        error.contains("--watch coverage --reset-baseline"),
        "{error}"
    );

    // The page is back: the watch recovered, and the new stories are
    // reported, and the one whose headline changed meanwhile.
    server.set(path, Route::html(recorded("listings/aggregator-4.html")));
    let r = check_first(&project).await;
    let kinds: Vec<ChangeKind> = r.alerts.iter().map(|a| a.kind).collect();
    assert_eq!(
        kinds,
        [
            ChangeKind::NewItems,
            ChangeKind::Retitled,
            ChangeKind::Recovered
        ]
    );
    assert_eq!(
        r.alerts[1].retitled[0].new_title,
        "Iran\u{2019}s culture minister condemns Rasoulof film as \u{2018}illegal\u{2019} ahead of Cannes"
    );
}

/// An RSS feed of the numbered items `from..to`.
fn feed(from: usize, to: usize) -> String {
    let mut rss =
        String::from("<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>Wire</title>");
    for i in (from..to).rev() {
        rss.push_str(&format!(
            "<item><title>Story number {i}</title><link>https://wire.example/{i}</link><guid>g{i}</guid></item>"
        ));
    }
    rss.push_str("</channel></rss>");
    rss
}

#[tokio::test(flavor = "multi_thread")]
async fn a_feed_that_brings_hundreds_of_items_lists_the_first_and_says_how_to_see_all() {
    let server = Server::start().await;
    let path = "/feed.xml";
    let project = Project::new(&listing_config(&server, path, "feed", ""));
    let serve = |body: String| Route::html(body).header("Content-Type", "application/rss+xml");
    server.set(path, serve(feed(0, 3)));
    let first = check_first(&project).await;
    assert_eq!(first.outcome, Outcome::ItemsRecorded(3), "{}", first.detail);

    // The feed returns its archive: 250 items never seen.
    server.set(path, serve(feed(0, 253)));
    let r = check_first(&project).await;
    assert_eq!(r.outcome, Outcome::NewItems(250), "{}", r.detail);
    let [alert] = r.alerts.as_slice() else {
        panic!("one alert: {:?}", r.alerts)
    };
    assert_eq!(alert.items.len(), presswatch::alert::Alert::MAX_ITEMS);
    assert_eq!(alert.new_item_count(), 250);
    assert_eq!(alert.items[0].title, "Story number 252", "page order");
    // Named as the feed names itself (its channel title), not by its host.
    assert_eq!(alert.title.as_deref(), Some("250 new items on Wire"));

    let ctx = presswatch::notify::render::Context {
        config: Some(project.config_arg().into()),
        ..Default::default()
    };
    let text = presswatch::notify::render::text(alert, &ctx);
    let version = alert.evidence.as_ref().unwrap().version;
    let command = format!(
        "presswatch history --config {} coverage --show {version}",
        project.config_arg()
    );
    assert!(
        text.contains(&format!(
            "150 more new items not listed. See them all with:\n  {command}\n"
        )),
        "{text}"
    );
    assert!(text.contains("Story number 153"), "{text}");
    assert!(!text.contains("Story number 152"), "{text}");
    let html = presswatch::notify::render::html(alert, &ctx);
    assert!(html.contains("150 more new items not listed."), "{html}");

    // The command the alert names lists every one of them.
    let args: Vec<&str> = command.split(' ').skip(1).collect();
    let out = crate::support::run(&args, &[]).await;
    let listed = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{listed}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for i in [3, 152, 252] {
        assert!(
            listed.contains(&format!("Story number {i}")),
            "{i}: {listed}"
        );
    }
}

/// A dry run of one listing watch lists the items it finds, before the
/// first check and after it, even from a server that would answer a
/// conditional request 304 (the page has not changed, but the `selector`
/// being tried may have).
#[tokio::test(flavor = "multi_thread")]
async fn a_dry_run_of_one_listing_watch_lists_the_items_it_finds() {
    let server = Server::start().await;
    let path = "/tag/iran";
    let project = Project::new(&listing_config(
        &server,
        path,
        "listing",
        "selector = \"ul.results\"",
    ));
    let page = "<html><body><nav><a href=\"/about\">About this site and its many pages</a></nav>\
        <ul class=\"results\"><li><a href=\"/2024/05/appeal\">Court hears Rasoulof appeal in Tehran</a></li>\
        <li><a href=\"/2024/05/verdict\">Verdict upheld, lawyer says</a></li></ul></body></html>";
    server.set(path, Route::html(page).header("ETag", "\"v1\""));
    let config = project.config_arg();
    let try_it = [
        "check",
        "--config",
        config.as_str(),
        "--watch",
        "coverage",
        "--dry-run",
    ];
    let listed = format!(
        "\n2 items found:\n- Court hears Rasoulof appeal in Tehran <{}>\n- Verdict upheld, lawyer says <{}>\n",
        server.url("/2024/05/appeal"),
        server.url("/2024/05/verdict")
    );
    // Before the first check, and beside a baseline with nothing new. A
    // dry run stores nothing, and says so.
    let out = crate::support::run(&try_it, &[]).await;
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains(&listed), "{stdout}");
    assert!(
        stdout.contains("first check: 2 items found (dry run: not recorded), no alert")
            && stdout.contains(
                "total: 1 watch: 0 changed, 0 with new items, 0 unchanged, 0 taken down, 1 baseline found (dry run: not stored), 0 errors; 0 alerts\n"
            ),
        "{stdout}"
    );
    check_first(&project).await;
    let out = crate::support::run(&try_it, &[]).await;
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("coverage  unchanged") && stdout.contains(&listed),
        "{stdout}"
    );
}

/// A dry run of several listing watches named (`--watch a --watch b`)
/// lists the items each finds, under the watch's name.
#[tokio::test(flavor = "multi_thread")]
async fn a_dry_run_of_several_listing_watches_lists_the_items_each_finds_under_its_name() {
    let server = Server::start().await;
    let mut config = listing_config(&server, "/tag/iran", "listing", "selector = \"ul.results\"");
    config.push_str(&format!(
        "\n[[watch]]\nname = \"wire\"\nkind = \"listing\"\nurl = \"{}\"\nrobots = false\nselector = \"ul.results\"\n",
        server.url("/wire")
    ));
    let project = Project::new(&config);
    let page = |items: &[(&str, &str)]| {
        let lis: String = items
            .iter()
            .map(|(href, title)| format!("<li><a href=\"{href}\">{title}</a></li>"))
            .collect();
        format!("<html><body><nav><a href=\"/about\">About this site and its many pages</a></nav><ul class=\"results\">{lis}</ul></body></html>")
    };
    server.set(
        "/tag/iran",
        Route::html(page(&[
            ("/2024/05/appeal", "Court hears Rasoulof appeal in Tehran"),
            ("/2024/05/verdict", "Verdict upheld, lawyer says"),
        ])),
    );
    server.set(
        "/wire",
        Route::html(page(&[(
            "/2024/05/flight",
            "Director reaches Europe on foot",
        )])),
    );
    let config = project.config_arg();
    let out = crate::support::run(
        &[
            "check",
            "--config",
            &config,
            "--watch",
            "coverage",
            "--watch",
            "wire",
            "--dry-run",
        ],
        &[],
    )
    .await;
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}");
    for listed in [
        format!(
            "\ncoverage: 2 items found:\n- Court hears Rasoulof appeal in Tehran <{}>\n- Verdict upheld, lawyer says <{}>\n",
            server.url("/2024/05/appeal"),
            server.url("/2024/05/verdict")
        ),
        format!(
            "\nwire: 1 item found:\n- Director reaches Europe on foot <{}>\n",
            server.url("/2024/05/flight")
        ),
    ] {
        assert!(stdout.contains(&listed), "{listed}\n{stdout}");
    }
}

/// Runs `presswatch check` on the project's `coverage` watch, with extra
/// arguments and environment: its exit code and stdout.
async fn check_cli(project: &Project, extra: &[&str], env: &[(&str, &str)]) -> (i32, String) {
    let config = project.config_arg();
    let mut args = vec!["check", "--config", config.as_str(), "--watch", "coverage"];
    args.extend_from_slice(extra);
    let out = run(&args, env).await;
    let stdout = String::from_utf8_lossy(&out.stdout).to_string();
    let stderr = String::from_utf8_lossy(&out.stderr);
    (out.status.code().unwrap_or(-1), format!("{stdout}{stderr}"))
}

#[tokio::test(flavor = "multi_thread")]
async fn a_listing_that_really_lists_fewer_items_is_accepted_with_reset_baseline_on_either_backend()
{
    let server = Server::start().await;
    let path = "/iran";
    let mut backends = vec![("sqlite", None)];
    if let Some(cluster) = pg::cluster() {
        backends.push(("postgres", Some(cluster.database())));
    }
    let env = [(pg::PASSWORD_ENV, pg::PASSWORD)];
    for (backend, url) in backends {
        let state = match &url {
            Some(url) => pg::state_lines(url),
            None => String::new(),
        };
        let config = listing_config(&server, path, "listing", "")
            .replace("[daemon]\n", &format!("[daemon]\n{state}"));
        let project = Project::new(&config);
        server.set(path, Route::html(recorded("listings/aggregator-1.html")));
        let (code, out) = check_cli(&project, &[], &env).await;
        assert_eq!(code, 0, "{backend}: {out}");
        assert!(out.contains("baseline"), "{backend}: {out}");
        server.set(
            path,
            Route::html(recorded("listings/aggregator-redesigned.html")),
        );
        let (code, out) = check_cli(&project, &[], &env).await;
        assert_eq!(code, 1, "{backend}: {out}");
        assert!(
            out.contains("lists only 3 items where its last accepted version had 16"),
            "{backend}: {out}"
        );
        // Beside a fleet, a watch a replica is checking now keeps its
        // baseline: the reset forgets nothing, says why, and fails.
        if let Some(url) = &url {
            let replica = presswatch::store::State::open_postgres(
                url,
                Some(pg::PASSWORD),
                std::time::Duration::from_secs(30),
            )
            .unwrap();
            let pg = replica.shared().unwrap();
            pg.register_replica("its-config", &[], &[]).unwrap();
            pg.schedule_watches(&["coverage".into()], &[0], &[])
                .unwrap();
            assert_eq!(pg.lease_due(1, &[]).unwrap().len(), 1);
            let (code, out) = check_cli(&project, &["--reset-baseline"], &env).await;
            assert_eq!(code, 2, "{out}");
            assert!(
                out.contains(&format!(
                    "watch coverage is being checked by replica {} now: its baseline was not forgotten; run this again once that check is done",
                    pg.replica()
                )),
                "{out}"
            );
            pg.resign().unwrap();
        }
        // The remedy the error names works whichever backend holds the baseline.
        let (code, out) = check_cli(&project, &["--reset-baseline"], &env).await;
        assert_eq!(code, 0, "{backend}: {out}");
        assert!(
            out.contains("coverage: baseline forgotten"),
            "{backend}: {out}"
        );
        assert!(!out.contains("coverage  error"), "{backend}: {out}");
        assert!(out.contains("0 errors"), "{backend}: {out}");
        // The page as it is now is the accepted version: no error, and the
        // stories seen before are not reported again.
        let (code, out) = check_cli(&project, &[], &env).await;
        assert_eq!(code, 0, "{backend}: {out}");
        assert!(out.contains("unchanged"), "{backend}: {out}");
        assert!(out.contains("0 alerts"), "{backend}: {out}");
    }
}

/// A section front: a lead story (its link under `lead`, when given) above
/// a list of `(path, link text)`.
fn section_front(lead: Option<(&str, &str)>, list: &[(&str, &str)]) -> String {
    let lead = lead
        .map(|(path, text)| {
            format!("<section class=\"lead\"><h2><a href=\"{path}\">{text}</a></h2><p>The lead story.</p></section>")
        })
        .unwrap_or_default();
    let list: String = list
        .iter()
        .map(|(path, text)| format!("<li><a href=\"{path}\">{text}</a></li>"))
        .collect();
    format!("<html><body><main>{lead}<ul class=\"river\">{list}</ul></main></body></html>")
}

#[tokio::test(flavor = "multi_thread")]
async fn a_listing_reports_a_retitled_story_but_not_one_it_shows_in_two_places_on_either_backend() {
    let server = Server::start().await;
    let path = "/world";
    let story = "/world/2024/05/rasoulof";
    // The story is shown twice: as the lead, and in the list under other words.
    let lead = Some((
        story,
        "Director flees Iran after court upholds his sentence",
    ));
    let river = |appeal: &'static str| {
        vec![
            (story, "Iranian film director crosses the border on foot"),
            ("/world/2024/05/appeal", appeal),
            (
                "/world/2024/05/rivers",
                "Rivers rise in Khuzestan as the rain continues",
            ),
        ]
    };
    let (was, now) = (
        "Court hears the appeal of a jailed rapper",
        "Supreme court overturns the death sentence of a jailed rapper",
    );
    let mut backends = vec![("sqlite", None)];
    if let Some(cluster) = pg::cluster() {
        backends.push(("postgres", Some(cluster.database())));
    }
    let env = [(pg::PASSWORD_ENV, pg::PASSWORD)];
    for (backend, url) in backends {
        let state = match &url {
            Some(url) => pg::state_lines(url),
            None => String::new(),
        };
        let config = listing_config(&server, path, "listing", "")
            .replace("[daemon]\n", &format!("[daemon]\n{state}"));
        let project = Project::new(&config);
        server.set(path, Route::html(section_front(lead, &river(was))));
        let (code, out) = check_cli(&project, &[], &env).await;
        assert_eq!(code, 0, "{backend}: {out}");
        assert!(out.contains("3 items recorded"), "{backend}: {out}");

        // The lead goes (the story is only in the list now, under its other
        // words), and the appeal story gets a new headline: only that is news.
        server.set(path, Route::html(section_front(None, &river(now))));
        let (code, out) = check_cli(&project, &[], &env).await;
        assert_eq!(code, 0, "{backend}: {out}");
        assert!(
            out.contains(&format!("changed    Retitled from \u{201C}{was}\u{201D}")),
            "{backend}: {out}"
        );
        assert!(
            as_read(&out).contains("* [-Court hears-] {+Supreme court overturns+} the [-appeal-] {+death sentence+} of a jailed rapper"),
            "{backend}: {out}"
        );
        assert!(out.contains("1 alert"), "{backend}: {out}");
        // The retitle is a version of the listing's history, holding the
        // new headline.
        let history = || async {
            let config = project.config_arg();
            let out = run(&["history", "--config", &config, "coverage"], &env).await;
            assert!(out.status.success(), "{backend}: {out:?}");
            String::from_utf8_lossy(&out.stdout)
                .lines()
                .filter(|l| l.trim_start().starts_with(|c: char| c.is_ascii_digit()))
                .map(str::to_string)
                .collect::<Vec<_>>()
        };
        let versions = history().await;
        assert_eq!(versions.len(), 2, "{backend}: {versions:?}");
        assert!(
            versions[1].contains(&format!("\u{201C}{was}\u{201D} → \u{201C}{now}\u{201D}")),
            "{backend}: {versions:?}"
        );

        // The lead is back: the story shown in two places again is no
        // retitle, nor is the page showing it only as the lead.
        let only_lead = river(now)[1..].to_vec();
        for page in [
            section_front(lead, &river(now)),
            section_front(lead, &only_lead),
        ] {
            server.set(path, Route::html(page));
            let (code, out) = check_cli(&project, &[], &env).await;
            assert_eq!(code, 0, "{backend}: {out}");
            assert!(out.contains("0 alerts"), "{backend}: {out}");
        }
        // Nor a version: the story's link texts changing is no news.
        assert_eq!(history().await.len(), 2, "{backend}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn with_follow_an_unread_item_that_leaves_the_listing_is_read_once_more_then_alerted_on_either_backend(
) {
    let server = Server::start().await;
    let path = "/world";
    let mut backends = vec![("sqlite", None)];
    if let Some(cluster) = pg::cluster() {
        backends.push(("postgres", Some(cluster.database())));
    }
    let env = [(pg::PASSWORD_ENV, pg::PASSWORD)];
    for (backend, url) in backends {
        let state = match &url {
            Some(url) => pg::state_lines(url),
            None => String::new(),
        };
        let hook = format!("/{backend}/hook");
        let config = listing_config(
            &server,
            path,
            "listing",
            &format!(
                "keywords = [\"Rasoulof\"]\nfollow = true\n\n[[channel]]\nname = \"desk\"\ntype = \"webhook\"\nurl = \"{}\"\n",
                server.url(&hook)
            ),
        )
        .replace("[daemon]\n", &format!("[daemon]\n{state}"));
        let project = Project::new(&config);
        let story = |name: &str| format!("/{backend}/{name}");
        let (unread, late, quiet) = (story("unread"), story("late"), story("quiet"));
        let front = [
            (
                story("markets"),
                "Markets fall on Monday after the central bank's decision",
            ),
            (
                story("rivers"),
                "Rivers rise in Khuzestan as the rain continues",
            ),
        ];
        let page = |list: &[(String, &str)]| {
            let list: Vec<(&str, &str)> = list.iter().map(|(p, t)| (p.as_str(), *t)).collect();
            Route::html(section_front(None, &list))
        };
        server.set(path, page(&front));
        let (code, out) = check_cli(&project, &[], &env).await;
        assert_eq!(code, 0, "{backend}: {out}");
        assert!(out.contains("2 items recorded"), "{backend}: {out}");

        // Three new stories whose titles mention no keyword, and whose
        // articles the busy site cannot serve on two checks in a row.
        let mut busy = front.to_vec();
        busy.extend([
            (
                unread.clone(),
                "Director leaves the country after the appeal court ruling",
            ),
            (
                late.clone(),
                "Film festival announces its competition lineup for May",
            ),
            (
                quiet.clone(),
                "Parliament debates the budget for the coming year",
            ),
        ]);
        server.set(&unread, Route::status(503));
        server.sequence(
            &late,
            vec![
                Route::status(503),
                Route::status(503),
                Route::html(article(
                    "Film festival announces its competition lineup for May",
                    "Rasoulof's new film is among those in competition.",
                )),
            ],
        );
        server.sequence(
            &quiet,
            vec![
                Route::status(503),
                Route::status(503),
                Route::html(article(
                    "Parliament debates the budget for the coming year",
                    "The debate went on late into the night.",
                )),
            ],
        );
        server.set(path, page(&busy));
        for n in 1..=2 {
            let (code, out) = check_cli(&project, &[], &env).await;
            assert_eq!(code, 0, "{backend}, try {n}: {out}");
            assert!(
                out.contains("3 articles could not be read, tried again next check"),
                "{backend}, try {n}: {out}"
            );
        }
        assert!(
            server.requests_to(&hook).is_empty(),
            "{backend}: nothing alerted yet"
        );

        // The listing scrolls on: all three are gone before their third try.
        // Each is read once more: the one still unreadable is alerted
        // unread, the one mentioning the keyword alerted as usual, the one
        // that does not forgotten.
        server.set(path, page(&front));
        let (code, out) = check_cli(&project, &[], &env).await;
        assert_eq!(code, 0, "{backend}: {out}");
        assert!(
            out.contains("1 item no longer listed, read at last: no keyword"),
            "{backend}: {out}"
        );
        let hooks = server.requests_to(&hook);
        assert_eq!(hooks.len(), 1, "{backend}: one alert");
        let alert: serde_json::Value = serde_json::from_slice(&hooks[0].body).unwrap();
        assert_eq!(alert["kind"], "new_items", "{backend}: {alert}");
        assert_eq!(
            alert["keywords"],
            serde_json::json!(["Rasoulof"]),
            "{backend}"
        );
        let items = alert["items"].as_array().unwrap();
        let titles: Vec<&str> = items.iter().map(|i| i["title"].as_str().unwrap()).collect();
        assert_eq!(
            titles,
            [
                "Film festival announces its competition lineup for May",
                "Director leaves the country after the appeal court ruling"
            ],
            "{backend}: {alert}"
        );
        assert_eq!(items[0]["url"], server.url(&late), "{backend}");
        assert_eq!(items[1]["url"], server.url(&unread), "{backend}");
        let note = items[1]["snippet"].as_str().unwrap_or_default();
        assert!(
            note.starts_with("Its article could not be read on 3 checks (")
                && note.contains("503")
                && note.ends_with(
                    "), and the item has left the listing: alerted in case it mentions a keyword."
                ),
            "{backend}: {note}"
        );
        assert!(
            items[0]["snippet"].is_null()
                || !items[0]["snippet"]
                    .as_str()
                    .unwrap()
                    .contains("could not be read"),
            "{backend}: {alert}"
        );

        // Done with all three: the next check reads none of them again and
        // alerts nothing.
        let (code, out) = check_cli(&project, &[], &env).await;
        assert_eq!(code, 0, "{backend}: {out}");
        assert!(out.contains("0 alerts"), "{backend}: {out}");
        for (story, n) in [(&unread, 3), (&late, 3), (&quiet, 3)] {
            assert_eq!(
                server.requests_to(story).len(),
                n,
                "{backend}: {story} read on each check until done with"
            );
        }
        assert_eq!(server.requests_to(&hook).len(), 1, "{backend}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_reset_baseline_whose_lease_cannot_be_handed_back_still_reports_the_reset_with_a_warning()
{
    let Some(cluster) = pg::cluster() else {
        return;
    };
    let server = Server::start().await;
    let path = "/iran";
    let url = cluster.database();
    let db = cluster.name_of(&url);
    let env = [(pg::PASSWORD_ENV, pg::PASSWORD)];
    let state = pg::state_lines(&url);
    let config = listing_config(&server, path, "listing", "")
        .replace("[daemon]\n", &format!("[daemon]\n{state}"));
    let project = Project::new(&config);
    server.set(path, Route::html(recorded("listings/aggregator-1.html")));
    let (code, out) = check_cli(&project, &[], &env).await;
    assert_eq!(code, 0, "{out}");
    // The lease moves to another replica while the baseline is forgotten
    // (as when this process stalls for longer than daemon.lease).
    cluster
        .psql(
            db,
            "CREATE FUNCTION take_lease() RETURNS trigger AS $$ BEGIN
                 UPDATE watch_state SET lease_owner = 'replica db2:7:b1', lease_until_ms = 0
                 WHERE watch = OLD.watch;
                 RETURN OLD;
             END $$ LANGUAGE plpgsql;
             CREATE TRIGGER take_lease AFTER DELETE ON baselines
                 FOR EACH ROW EXECUTE FUNCTION take_lease();",
        )
        .unwrap();
    let (code, out) = check_cli(&project, &["--reset-baseline"], &env).await;
    assert!(out.contains("coverage: baseline forgotten"), "{out}");
    assert!(
        out.contains("watch coverage: the lease on watch coverage expired during this check"),
        "{out}"
    );
    assert_eq!(code, 0, "{out}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_listing_whose_baseline_file_went_missing_alerts_only_the_stories_it_never_saw() {
    // Items are remembered in the state database too: a listing whose
    // `baseline/` file was wiped neither takes its page for a first check
    // (silently, missing the story published meanwhile) nor reports every
    // story it lists again.
    let server = Server::start().await;
    let path = "/world";
    let river = [
        (
            "/world/2024/05/rasoulof",
            "Iranian film director crosses the border on foot",
        ),
        (
            "/world/2024/05/appeal",
            "Court hears the appeal of a jailed rapper",
        ),
        (
            "/world/2024/05/rivers",
            "Rivers rise in Khuzestan as the rain continues",
        ),
    ];
    let project = Project::new(&listing_config(&server, path, "listing", ""));
    server.set(path, Route::html(section_front(None, &river)));
    let (code, out) = check_cli(&project, &[], &[]).await;
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("3 items recorded"), "{out}");
    std::fs::remove_file(project.path("baseline/coverage.txt")).unwrap();

    let published = (
        "/world/2024/05/journalist",
        "Journalist detained at Tehran airport on her return",
    );
    let now: Vec<_> = std::iter::once(published).chain(river).collect();
    server.set(path, Route::html(section_front(None, &now)));
    let (code, out) = check_cli(&project, &[], &[]).await;
    assert_eq!(code, 0, "{out}");
    assert!(!out.contains("recorded"), "no first check: {out}");
    assert!(out.contains("1 alert"), "{out}");
    assert!(out.contains(published.1), "{out}");
    for (_, title) in river {
        assert!(!out.contains(title), "«{title}» is no news: {out}");
    }
    // The file is written back with the page's items.
    let baseline = project.read_baseline("coverage");
    assert!(baseline.contains(published.1), "{baseline}");
}

/// A tag page: a story card for each of `stories` (path, headline) under
/// `heading`, and beside them, in the same `<main>`, a "Most read" box of
/// the site's stories (path, headline), named by its title alone.
fn tag_page_with_most_read(
    heading: &str,
    stories: &[(String, String)],
    most_read: &[(&str, &str)],
) -> String {
    let cards: String = stories
        .iter()
        .map(|(path, headline)| {
            format!("<article class=\"card\"><h3><a href=\"{path}\">{headline}</a></h3><p>A line on the story under its headline.</p></article>")
        })
        .collect();
    let boxed: String = most_read
        .iter()
        .map(|(path, headline)| format!("<li><a href=\"{path}\">{headline}</a></li>"))
        .collect();
    format!(
        "<html><head><title>Tag: cinema</title></head><body><nav><a href=\"/\">Home</a></nav><main><h1>Cinema</h1>{heading}<div class=\"grid\">{cards}</div><div class=\"box\"><h4>Most read</h4><ol>{boxed}</ol></div></main><footer>(c)</footer></body></html>"
    )
}

#[tokio::test(flavor = "multi_thread")]
async fn a_most_read_box_beside_a_tag_pages_list_is_not_its_items_and_its_turnover_is_no_alert() {
    let server = Server::start().await;
    let story = |i: usize| {
        (
            format!("/news/2024/story-{i}.html"),
            format!("Story number {i} about Iranian cinema and its directors"),
        )
    };
    let ten: Vec<_> = (1..=10).map(story).collect();
    let eleven: Vec<_> = std::iter::once(story(11)).chain(ten.clone()).collect();
    let most_read = [
        (
            "/news/2024/oil.html",
            "Oil prices climb on supply fears in the Gulf",
        ),
        (
            "/news/2024/metro.html",
            "Tehran metro fares double from next month",
        ),
        (
            "/news/2024/heat.html",
            "Heatwave forces closures of offices in the south",
        ),
        (
            "/news/2024/league.html",
            "Persepolis win the league title in the last minute",
        ),
    ];
    let rotated = [
        (
            "/news/2024/bail.html",
            "Women's rights activist released on bail after weeks",
        ),
        (
            "/news/2024/rial.html",
            "Currency hits record low against the dollar",
        ),
        (
            "/news/2024/dust.html",
            "Flights cancelled as dust storm sweeps over Khuzestan",
        ),
        (
            "/news/2024/fees.html",
            "Students protest tuition rises at universities",
        ),
    ];
    // The list bare, or under a title of the kind the box has: it is the
    // bigger list, the page's own.
    for (n, heading) in ["", "<h2>Latest news</h2>"].into_iter().enumerate() {
        let path = format!("/tag/cinema-{n}");
        let path = path.as_str();
        let project = Project::new(&listing_config(&server, path, "listing", ""));
        let page = |stories: &[(String, String)], most_read: &[(&str, &str)]| {
            tag_page_with_most_read(heading, stories, most_read)
        };
        let (outcome, detail, _) =
            serve_and_check(&server, path, &project, page(&ten, &most_read)).await;
        assert_eq!(outcome, Outcome::ItemsRecorded(10), "{heading}: {detail}");
        let baseline = project.read_baseline("coverage");
        assert!(baseline.contains("Story number 10 about"), "{baseline}");
        assert!(!baseline.contains("Oil prices"), "{baseline}");

        // The box shows other stories: nothing is new on the tag page.
        let (outcome, detail, new) =
            serve_and_check(&server, path, &project, page(&ten, &rotated)).await;
        assert_eq!(
            (outcome, new),
            (Outcome::Unchanged, vec![]),
            "{heading}: {detail}"
        );

        // A new story on top of the list is the one new item.
        let (outcome, detail, new) =
            serve_and_check(&server, path, &project, page(&eleven, &most_read)).await;
        assert_eq!(outcome, Outcome::NewItems(1), "{heading}: {detail}");
        assert_eq!(
            new,
            ["Story number 11 about Iranian cinema and its directors"]
        );
    }
}

/// An XML sitemap given as a feed's URL is read as a feed: each page its
/// `<urlset>` lists is an item, titled by its Google News `news:title`
/// (else by the words of its address), dated by its
/// `news:publication_date` (else its `lastmod`), and a page added to it is
/// a new item. A `<sitemapindex>` (labelled text/html here) lists sitemaps,
/// not pages: an error naming its first sitemaps to watch instead. Both
/// were "a web page came instead of a feed" or "not a valid RSS, Atom or
/// JSON feed: …" with the parser's words.
#[tokio::test(flavor = "multi_thread")]
async fn a_sitemap_given_as_a_feed_is_read_as_one_and_an_index_names_its_sitemaps() {
    let server = Server::start().await;
    let url = |loc: &str, news: &str| {
        format!("<url><loc>https://news.example/2024/05/{loc}</loc>{news}</url>\n")
    };
    let court = url(
        "court",
        "<news:news><news:publication><news:name>Example News</news:name>\
         <news:language>en</news:language></news:publication>\
         <news:publication_date>2024-05-14T09:00:00Z</news:publication_date>\
         <news:title>Court upholds the sentence &amp; the fine</news:title></news:news>",
    );
    let sitemap = |urls: &str| {
        format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
             <urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\" \
             xmlns:news=\"http://www.google.com/schemas/sitemap-news/0.9\">\n{urls}</urlset>\n"
        )
    };
    let path = "/news-sitemap.xml";
    server.set(
        path,
        Route::html(sitemap(&court)).header("Content-Type", "application/xml"),
    );
    let project = Project::new(&listing_config(&server, path, "feed", ""));
    let first = check_first(&project).await;
    assert_eq!(first.outcome, Outcome::ItemsRecorded(1), "{}", first.detail);
    let fled = url(
        "director-leaves-the-country.html",
        "<lastmod>2024-05-15</lastmod>",
    );
    server.set(
        path,
        Route::html(sitemap(&format!("{fled}{court}"))).header("Content-Type", "application/xml"),
    );
    let second = check_first(&project).await;
    assert_eq!(second.outcome, Outcome::NewItems(1), "{}", second.detail);
    let items = &second.alerts[0].items;
    assert_eq!(items.len(), 1);
    assert_eq!(items[0].item.title, "director leaves the country");
    assert_eq!(
        items[0].item.url,
        "https://news.example/2024/05/director-leaves-the-country.html"
    );
    assert_eq!(items[0].item.published.as_deref(), Some("2024-05-15"));
    assert_eq!(second.alerts[0].outlet, "Example News");
    // `check --dry-run` lists what it reads, the news title too.
    let out = run(
        &[
            "check",
            "--config",
            &project.config_arg(),
            "--watch",
            "coverage",
            "--dry-run",
        ],
        &[],
    )
    .await;
    let said = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{said}");
    assert!(
        said.contains(
            "- Court upholds the sentence & the fine <https://news.example/2024/05/court>"
        ),
        "{said}"
    );

    let mut index = String::from(
        "<?xml version=\"1.0\"?><sitemapindex xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">",
    );
    for i in 1..=5 {
        index.push_str(&format!(
            "<sitemap><loc>https://news.example/sitemap-{i}.xml</loc></sitemap>"
        ));
    }
    index.push_str("</sitemapindex>");
    server.set("/sitemap.xml", Route::html(index));
    let project = Project::new(&listing_config(&server, "/sitemap.xml", "feed", ""));
    let out = run(&["check", "--config", &project.config_arg()], &[]).await;
    let said = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{said}");
    assert_eq!(
        said.lines().next().unwrap_or_default(),
        format!(
            "coverage  error      {}: the address serves an XML sitemap index (a <sitemapindex> \
             of 5 sitemaps), not a feed: a sitemap index lists sitemaps, not pages: set `url` of \
             watch coverage to one of its sitemaps, the one that lists the newest stories (a news \
             sitemap), which a feed watch reads as a feed: they begin \
             https://news.example/sitemap-1.xml, https://news.example/sitemap-2.xml, \
             https://news.example/sitemap-3.xml, …",
            server.url("/sitemap.xml")
        )
    );
}
