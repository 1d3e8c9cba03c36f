//! The first working pipeline, end to end: given recorded pages served on
//! loopback and this config, these alerts go out.

use std::sync::{Arc, Mutex};

use crate::support::{news_page, run, smtp_sink, snapshot, Project, Route, Server};

const P1: &str = "Iranian dissident filmmaker Mohammad Rasoulof has fled Iran, escaping on foot through rugged mountainous borders after receiving an eight-year prison sentence.";
const P2: &str = "In a statement released Monday, the artist said he arrived in Europe a few days ago after a long and complicated journey.";
const P3: &str = "Rasoulof's film, The Seed of The Sacred Fig, delves into the protest movements in Iran following the death of Mahsa Amini in 2022.";
const P4: &str = "The crackdown has not only targeted Rasoulof but also involved the film's crew, some of whom have faced interrogation and travel bans.";

fn article_config(server: &Server, extra: &str) -> String {
    format!(
        r#"[daemon]
baseline_dir = "baseline"
state_dir = "state"
per_host_delay = "0s"

[[channel]]
name = "hook"
type = "webhook"
url = "{hook}"
{extra}
[[watch]]
name = "rasoulof"
url = "{page}"
outlet = "Example News"
"#,
        hook = server.url("/hook"),
        page = server.url("/2024/05/rasoulof-flees-iran"),
    )
}

fn baseline_page(most_read: &[&str]) -> String {
    news_page(
        "Filmmaker Rasoulof flees Iran",
        "Jane Doe",
        &[P1, P2, P3, P4],
        most_read,
    )
}

/// The story's page served with these paragraphs (no "most read" box).
fn story_page(paras: &[&str]) -> Route {
    Route::html(news_page(
        "Filmmaker Rasoulof flees Iran",
        "Jane Doe",
        paras,
        &[],
    ))
}

/// Alerts the webhook receiver got, parsed.
fn received(server: &Server) -> Vec<serde_json::Value> {
    server
        .requests_to("/hook")
        .iter()
        .map(|r| serde_json::from_slice(&r.body).expect("webhook body is JSON"))
        .collect()
}

async fn check(project: &Project) -> std::process::Output {
    run(&["check", "--config", &project.config_arg()], &[]).await
}

#[tokio::test(flavor = "multi_thread")]
async fn first_check_stores_the_baseline_and_sends_no_alert() {
    let server = Server::start().await;
    server.set(
        "/2024/05/rasoulof-flees-iran",
        Route::html(baseline_page(&["A", "B"])),
    );
    let project = Project::new(&article_config(&server, ""));
    let out = check(&project).await;
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.contains("rasoulof  baseline   first check: baseline stored (4 paragraphs"),
        "{stdout}"
    );
    assert!(received(&server).is_empty());
    let baseline = project.read_baseline("rasoulof");
    assert!(baseline.contains(P1) && baseline.contains(P4));
    assert!(
        !baseline.contains("Advertisement")
            && !baseline.contains("newsletter")
            && !baseline.contains("Most read")
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_changed_article_sends_exactly_one_alert_with_the_changed_words() {
    let server = Server::start().await;
    server.set(
        "/2024/05/rasoulof-flees-iran",
        Route::html(baseline_page(&["Story A", "Story B"])),
    );
    let project = Project::new(&article_config(&server, ""));
    check(&project).await;
    // Later version: one word changed, a paragraph added; "most read" rotated.
    let p2_edited = P2.replace("a few days ago", "two weeks ago");
    let added =
        "Correction: An earlier version of this article misstated the length of the sentence.";
    let later = news_page(
        "Filmmaker Rasoulof flees Iran",
        "Jane Doe",
        &[P1, &p2_edited, P3, P4, added],
        &["Story C", "Story A"],
    );
    server.set("/2024/05/rasoulof-flees-iran", Route::html(later));
    let out = check(&project).await;
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("rasoulof  changed"), "{stdout}");
    let alerts = received(&server);
    assert_eq!(alerts.len(), 1, "{alerts:#?}");
    let a = &alerts[0];
    assert_eq!(a["watch"], "rasoulof");
    assert_eq!(a["kind"], "correction_added");
    assert_eq!(a["title"], "Filmmaker Rasoulof flees Iran");
    assert_eq!(
        a["summary"],
        "Correction added; 1 paragraph added; 3 words changed in paragraph 2"
    );
    let blocks = a["change"]["blocks"].as_array().unwrap();
    let words: Vec<(String, String)> = blocks
        .iter()
        .flat_map(|b| b["segments"].as_array().cloned().unwrap_or_default())
        .filter(|s| s["op"] != "same")
        .map(|s| {
            (
                s["op"].as_str().unwrap().to_string(),
                s["text"].as_str().unwrap().trim().to_string(),
            )
        })
        .collect();
    assert_eq!(
        words,
        vec![
            ("removed".into(), "a few days".into()),
            ("added".into(), "two weeks".into())
        ]
    );
    // The baseline advanced: a third check finds nothing new.
    check(&project).await;
    assert_eq!(received(&server).len(), 1);
}

/// An article watch with `keywords` alerts an edit in a paragraph that
/// mentions one, although the changed words do not ("eight-year" →
/// "six-year" in a sentence about Rasoulof), and accepts in silence an edit
/// in a paragraph that mentions none.
#[tokio::test(flavor = "multi_thread")]
async fn keywords_keep_edits_to_the_paragraphs_that_mention_them() {
    let server = Server::start().await;
    let path = "/2024/05/rasoulof-flees-iran";
    server.set(path, Route::html(baseline_page(&[])));
    let config = article_config(&server, "").replace(
        "outlet = \"Example News\"\n",
        "outlet = \"Example News\"\nkeywords = [\"Rasoulof\"]\n",
    );
    let project = Project::new(&config);
    check(&project).await;

    let p1_edited = P1.replace("eight-year", "six-year");
    let page = |paragraphs: &[&str]| {
        news_page("Filmmaker Rasoulof flees Iran", "Jane Doe", paragraphs, &[])
    };
    server.set(path, Route::html(page(&[&p1_edited, P2, P3, P4])));
    let out = check(&project).await;
    let stdout = String::from_utf8_lossy(&out.stdout);
    let alerts = received(&server);
    assert_eq!(alerts.len(), 1, "{stdout}");
    assert_eq!(alerts[0]["kind"], "edited");
    assert_eq!(alerts[0]["keywords"], serde_json::json!(["Rasoulof"]));

    let p2_edited = P2.replace("a few days ago", "two weeks ago");
    server.set(path, Route::html(page(&[&p1_edited, &p2_edited, P3, P4])));
    let out = check(&project).await;
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains(
            "changed, but mentions no keyword: 3 words changed in paragraph 2; stored as version 3, no alert"
        ),
        "{stdout}"
    );
    assert_eq!(
        received(&server).len(),
        1,
        "no alert for the other paragraph"
    );
    // The history tells the version staff were alerted of from the one
    // they were not.
    let out = run(
        &["history", "--config", &project.config_arg(), "rasoulof"],
        &[],
    )
    .await;
    let history = String::from_utf8_lossy(&out.stdout);
    let lines: Vec<&str> = history.lines().collect();
    assert!(
        lines[1].contains("paragraph 1") && !lines[1].contains("not alerted"),
        "{history}"
    );
    assert!(
        lines[2].ends_with(
            "3 words changed in paragraph 2; not alerted: the change mentions no keyword"
        ),
        "{history}"
    );
    // And `diff --watch`, asked why, does not read as an alert sent.
    let out = run(
        &[
            "diff",
            "--config",
            &project.config_arg(),
            "--watch",
            "rasoulof",
        ],
        &[],
    )
    .await;
    let diff = String::from_utf8_lossy(&out.stdout);
    assert!(
        diff.lines().nth(1).is_some_and(|l| l
            == "version 3 was stored with no alert (the change mentions no keyword): what follows is what changed, not an alert that was sent"),
        "{diff}"
    );
}

/// An article watch with `keywords = ["Evin prison"]` is not alerted by an
/// edit of two paragraphs of which one ends in "Evin" and the next starts
/// with "Prison": the words of the keyword stand in two paragraphs, which
/// no reader takes for the phrase. An edit of a paragraph that says "Evin
/// prison" is alerted.
#[tokio::test(flavor = "multi_thread")]
async fn a_keyword_phrase_is_matched_within_one_changed_paragraph_not_across_two() {
    let server = Server::start().await;
    let path = "/2024/05/rasoulof-flees-iran";
    server.set(path, Route::html(baseline_page(&[])));
    let config = article_config(&server, "").replace(
        "outlet = \"Example News\"\n",
        "outlet = \"Example News\"\nkeywords = [\"Evin prison\"]\n",
    );
    let project = Project::new(&config);
    check(&project).await;
    let page = |paragraphs: &[&str]| {
        news_page("Filmmaker Rasoulof flees Iran", "Jane Doe", paragraphs, &[])
    };

    // Two changed paragraphs: the first ends in "Evin", the next starts
    // with "Prison".
    let p1 = P1.replace(
        "eight-year prison sentence.",
        "eight-year sentence to be served in Evin",
    );
    let p2 = P2.replace(
        "In a statement released Monday,",
        "Prison officials declined comment;",
    );
    server.set(path, Route::html(page(&[&p1, &p2, P3, P4])));
    let out = check(&project).await;
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("changed, but mentions no keyword"),
        "{stdout}"
    );
    assert_eq!(received(&server).len(), 0, "{stdout}");

    // The phrase inside one changed paragraph.
    let p3 = P3.replace("in 2022.", "in 2022, and was written in Evin prison.");
    server.set(path, Route::html(page(&[&p1, &p2, &p3, P4])));
    let out = check(&project).await;
    let stdout = String::from_utf8_lossy(&out.stdout);
    let alerts = received(&server);
    assert_eq!(alerts.len(), 1, "{stdout}");
    assert_eq!(alerts[0]["keywords"], serde_json::json!(["Evin prison"]));
}

#[tokio::test(flavor = "multi_thread")]
async fn an_unchanged_article_with_rotating_boilerplate_sends_nothing() {
    let server = Server::start().await;
    server.set(
        "/2024/05/rasoulof-flees-iran",
        Route::html(baseline_page(&["Story A", "Story B"])),
    );
    let project = Project::new(&article_config(&server, ""));
    check(&project).await;
    server.set(
        "/2024/05/rasoulof-flees-iran",
        Route::html(baseline_page(&["Story Z", "Story A", "Story Q"])),
    );
    let out = check(&project).await;
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("rasoulof  unchanged  fetched: no change that counts"),
        "{stdout}"
    );
    assert!(received(&server).is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn not_modified_sends_nothing_and_uses_the_stored_etag() {
    let server = Server::start().await;
    let page = Route::html(baseline_page(&[])).header("ETag", "\"v1\"");
    server.set("/2024/05/rasoulof-flees-iran", page);
    let project = Project::new(&article_config(&server, ""));
    check(&project).await;
    let out = check(&project).await;
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("304 Not Modified"), "{stdout}");
    let reqs = server.requests_to("/2024/05/rasoulof-flees-iran");
    assert_eq!(reqs.len(), 2);
    assert_eq!(
        reqs[1].headers.get("if-none-match").map(String::as_str),
        Some("\"v1\"")
    );
    assert!(reqs[0]
        .headers
        .get("user-agent")
        .is_some_and(|ua| ua.starts_with("presswatch/")));
    assert!(received(&server).is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn a_new_listing_item_sends_one_alert_and_the_first_check_sends_none() {
    let server = Server::start().await;
    let listing = |items: &[(&str, &str)]| {
        let lis: String = items
            .iter()
            .map(|(href, t)| format!("<li><a href=\"{href}\">{t}</a></li>"))
            .collect();
        format!("<html><body><nav><a href=\"/world/middle-east\">Middle East news and analysis</a></nav><ul>{lis}</ul></body></html>")
    };
    let a = (
        "/2024/05/13/rasoulof-flees-iran",
        "Filmmaker Rasoulof flees Iran after prison sentence",
    );
    let b = (
        "/2024/05/14/cannes-awaits-rasoulof",
        "Cannes awaits Rasoulof as his film premieres",
    );
    let c = (
        "/2024/05/20/rasoulof-arrives-in-cannes?utm_source=home",
        "Rasoulof arrives in Cannes for the premiere",
    );
    server.set("/tag/rasoulof", Route::html(listing(&[a, b])));
    let config = format!(
        "[daemon]\nper_host_delay = \"0s\"\n[[channel]]\nname = \"hook\"\ntype = \"webhook\"\nurl = \"{}\"\n[[watch]]\nname = \"tag\"\nkind = \"listing\"\nurl = \"{}\"\nkeywords = [\"rasoulof\"]\n",
        server.url("/hook"),
        server.url("/tag/rasoulof")
    );
    let project = Project::new(&config);
    let out = check(&project).await;
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("first check: 2 items recorded, no alert")
    );
    // Re-ordered, plus one new item carrying a tracking parameter.
    server.set("/tag/rasoulof", Route::html(listing(&[c, b, a])));
    let out = check(&project).await;
    assert!(
        String::from_utf8_lossy(&out.stdout)
            .contains("tag  new items  1 new item: Rasoulof arrives in Cannes"),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let alerts = received(&server);
    assert_eq!(alerts.len(), 1);
    assert_eq!(alerts[0]["kind"], "new_items");
    // The link to click and forward, without the tracking parameter.
    assert_eq!(
        alerts[0]["items"][0]["url"],
        server.url("/2024/05/20/rasoulof-arrives-in-cannes")
    );
    // Seen once, never new again.
    check(&project).await;
    assert_eq!(received(&server).len(), 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn an_email_alert_reaches_a_real_smtp_server() {
    let mails = Arc::new(Mutex::new(Vec::<Vec<u8>>::new()));
    let smtp = smtp_sink(mails.clone());
    let server = Server::start().await;
    server.set(
        "/2024/05/rasoulof-flees-iran",
        Route::html(baseline_page(&[])),
    );
    let config = format!(
        r#"[daemon]
per_host_delay = "0s"
[[channel]]
name = "press-office"
type = "email"
smtp_url = "smtp://127.0.0.1:{smtp}"
tls = "none"
from = "presswatch <alerts@example.org>"
to = ["staff@example.org"]
[[watch]]
name = "rasoulof"
url = "{}"
"#,
        server.url("/2024/05/rasoulof-flees-iran")
    );
    let project = Project::new(&config);
    check(&project).await;
    server.set(
        "/2024/05/rasoulof-flees-iran",
        Route::html(news_page(
            "Filmmaker Rasoulof flees Iran for Europe",
            "Jane Doe",
            &[P1, P2, P3, P4],
            &[],
        )),
    );
    let out = check(&project).await;
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mails = mails.lock().unwrap();
    assert_eq!(mails.len(), 1);
    // Unfold header lines (RFC 5322 folding) before looking at them.
    let raw = String::from_utf8_lossy(&mails[0]).replace("\r\n ", " ");
    assert!(
        raw.contains("Subject: New headline ")
            && raw.contains("127.0.0.1: Filmmaker Rasoulof flees Iran for Europe"),
        "{raw}"
    );
    assert!(raw.contains("multipart/alternative"));
    assert!(raw.contains("Message-ID: <"));
}

#[tokio::test(flavor = "multi_thread")]
async fn invalid_configs_name_file_line_and_key_all_at_once() {
    // A value of the wrong type (`follow = "yes"`) stopped the report at
    // itself; each watch is named by its name, not by its place.
    let project = Project::new(
        "[daemon]\ninterval = \"soon\"\n\n[[watch]]\nname = \"a\"\nurl = \"ftp://example.org/x\"\nchannels = [\"nowhere\"]\nselectr = \"article\"\n\n[[watch]]\nname = \"a\"\nurl = \"https://example.org/\"\nfollow = \"yes\"\n\n[[watch]]\nurl = \"https://example.org/c\"\n",
    );
    let out = run(&["validate", "--config", &project.config_arg()], &[]).await;
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&out.stdout);
    let cfg = project.config_arg();
    for expected in [
        format!("{cfg}:2: daemon.interval: cannot parse duration \"soon\""),
        format!("{cfg}:6: watch \"a\".url: URL scheme must be http or https, not \"ftp\""),
        format!("{cfg}:7: watch \"a\".channels: no channel named \"nowhere\" is defined"),
        format!("{cfg}:8: watch \"a\".selectr: unknown key `selectr`"),
        format!("{cfg}:11: watch \"a\".name: duplicate watch name \"a\""),
        format!("{cfg}:13: watch \"a\".follow: invalid type: string \"yes\", expected true or false: write follow = true or follow = false, without quotes"),
        format!("{cfg}:15: watch[2].name: missing name: give the watch a name of its own"),
        "7 problems found".to_string(),
    ] {
        assert!(
            stdout.contains(&expected),
            "missing {expected:?} in:\n{stdout}"
        );
    }
}

/// Killed after writing its alert in its storing transaction and before
/// the commit, a check leaves the baseline and the outbox as they were;
/// the next run finds the same change, under the same alert id, and sends
/// it once.
#[tokio::test(flavor = "multi_thread")]
async fn a_crash_before_the_check_commits_sends_the_same_alert_once() {
    let server = Server::start().await;
    server.set(
        "/2024/05/rasoulof-flees-iran",
        Route::html(baseline_page(&[])),
    );
    // The webhook is down during the crashed run, so nothing is delivered then.
    server.sequence("/hook", vec![Route::status(503), Route::status(200)]);
    let project = Project::new(&article_config(&server, ""));
    check(&project).await;
    let before = project.read_baseline("rasoulof");
    let later = news_page(
        "Filmmaker Rasoulof flees Iran",
        "Jane Doe",
        &[P1, P2, P3],
        &[],
    );
    server.set("/2024/05/rasoulof-flees-iran", Route::html(later));
    let crashed = run(
        &["check", "--config", &project.config_arg()],
        &[("PRESSWATCH_FAILPOINT", "after-enqueue")],
    )
    .await;
    assert!(!crashed.status.success(), "the failpoint must kill the run");
    assert_eq!(
        project.read_baseline("rasoulof"),
        before,
        "baseline must not advance before the crash point"
    );
    assert!(server.requests_to("/hook").is_empty());
    // The next run re-detects the same change: same alert id, one delivery.
    check(&project).await;
    let out = run(&["outbox", "--config", &project.config_arg(), "retry"], &[]).await;
    assert!(out.status.success());
    let ids: Vec<String> = received(&server)
        .iter()
        .map(|a| a["id"].as_str().unwrap().to_string())
        .collect();
    let hook_ids: Vec<String> = server
        .requests_to("/hook")
        .iter()
        .map(|r| r.headers["webhook-id"].clone())
        .collect();
    assert!(!ids.is_empty());
    assert!(
        ids.iter().all(|i| i == &ids[0]),
        "one alert id only: {ids:?}"
    );
    assert_eq!(hook_ids.iter().filter(|h| *h == &ids[0]).count(), ids.len());
    assert_eq!(
        server
            .requests_to("/hook")
            .iter()
            .filter(|r| r.body.len() > 2)
            .count(),
        ids.len()
    );
    assert_ne!(
        project.read_baseline("rasoulof"),
        before,
        "the baseline advanced on the good run"
    );
    let list = run(&["outbox", "--config", &project.config_arg(), "list"], &[]).await;
    assert!(String::from_utf8_lossy(&list.stdout).contains("every alert was delivered"));
}

#[tokio::test(flavor = "multi_thread")]
async fn dry_run_renders_the_alert_and_changes_nothing_on_disk() {
    let server = Server::start().await;
    server.set(
        "/2024/05/rasoulof-flees-iran",
        Route::html(baseline_page(&[])),
    );
    let project = Project::new(&article_config(&server, ""));
    check(&project).await;
    let before = snapshot(project.dir.path());
    server.set(
        "/2024/05/rasoulof-flees-iran",
        Route::html(news_page(
            "Filmmaker Rasoulof flees Iran",
            "Jane Doe",
            &[P1, P3, P4],
            &[],
        )),
    );
    let out = run(
        &["check", "--config", &project.config_arg(), "--dry-run"],
        &[],
    )
    .await;
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("1 paragraph removed"), "{stdout}");
    assert!(stdout.contains("(dry run: not sent)"));
    assert!(
        stdout.contains("[-In a statement released Monday"),
        "{stdout}"
    );
    assert!(received(&server).is_empty());
    assert_eq!(snapshot(project.dir.path()), before);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_dry_run_never_creates_or_upgrades_a_postgres_schema() {
    let Some(cluster) = crate::pg::cluster() else {
        return;
    };
    let server = Server::start().await;
    server.set(
        "/2024/05/rasoulof-flees-iran",
        Route::html(baseline_page(&[])),
    );
    let url = cluster.database();
    let db = cluster.name_of(&url);
    let state = crate::pg::state_lines(&url);
    let project =
        Project::new(&article_config(&server, "").replace("state_dir = \"state\"\n", &state));
    let env = [(crate::pg::PASSWORD_ENV, crate::pg::PASSWORD)];
    let config = project.config_arg();
    let dry_run_args = ["check", "--config", config.as_str(), "--dry-run"];
    let dry_run = || run(&dry_run_args, &env);
    let tables = "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'";
    // An empty database: the dry run creates no table.
    let out = dry_run().await;
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("holds no presswatch tables yet, and this command creates none"),
        "{stderr}"
    );
    assert_eq!(cluster.psql(db, tables).unwrap(), "0");
    // A check makes the schema; a dry run then works.
    let out = run(&["check", "--config", &project.config_arg()], &env).await;
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(dry_run().await.status.success());
    // As an older presswatch left it (its last migration not applied): the
    // dry run says how to upgrade it, and applies nothing.
    let last = "SELECT max(version) FROM schema_migrations";
    let latest = cluster.psql(db, last).unwrap();
    cluster
        .psql(
            db,
            &format!("DELETE FROM schema_migrations WHERE version = {latest}"),
        )
        .unwrap();
    let out = dry_run().await;
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("was written by an older presswatch")
            && stderr.contains("restart the daemon, or run `presswatch check` once"),
        "{stderr}"
    );
    assert_ne!(cluster.psql(db, last).unwrap(), latest);
}

/// A database a newer presswatch migrated holds tables this one does not
/// know: a dry run refuses it as a check does, instead of reading it.
#[tokio::test(flavor = "multi_thread")]
async fn a_dry_run_refuses_a_postgres_schema_a_newer_presswatch_migrated() {
    let Some(cluster) = crate::pg::cluster() else {
        return;
    };
    let server = Server::start().await;
    server.set(
        "/2024/05/rasoulof-flees-iran",
        Route::html(baseline_page(&[])),
    );
    let url = cluster.database();
    let db = cluster.name_of(&url);
    let state = crate::pg::state_lines(&url);
    let project =
        Project::new(&article_config(&server, "").replace("state_dir = \"state\"\n", &state));
    let env = [(crate::pg::PASSWORD_ENV, crate::pg::PASSWORD)];
    let config = project.config_arg();
    let out = run(&["check", "--config", &config], &env).await;
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // A newer presswatch's migration, applied after this one's last.
    cluster
        .psql(
            db,
            "INSERT INTO schema_migrations (version, name) \
             SELECT max(version) + 1, 'from a newer presswatch' FROM schema_migrations",
        )
        .unwrap();
    for args in [
        vec!["check", "--config", config.as_str(), "--dry-run"],
        vec!["check", "--config", config.as_str()],
    ] {
        let out = run(&args, &env).await;
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(
            stderr.contains("newer than this presswatch knows")
                && stderr.contains("upgrade presswatch on this machine"),
            "{args:?}: {stderr}"
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn replay_answers_fetches_from_a_recorded_directory() {
    let dir = tempfile::tempdir().unwrap();
    let html = format!(
        "<html><head><meta charset=\"windows-1256\"><title>رسول‌اف</title></head><body><article><p>{}</p><p>{}</p></article></body></html>",
        "محمد رسول‌اف، فيلمساز ايراني، پس از محکوميت به هشت سال زندان از ايران خارج شد.",
        "او در بيانيه‌اي گفت که با دلي سنگين تبعيد را انتخاب کرده است."
    );
    let (page, _, _) = encoding_rs::WINDOWS_1256.encode(&html);
    std::fs::write(dir.path().join("fa.html"), &page).unwrap();
    std::fs::write(
        dir.path().join("manifest.toml"),
        "[[response]]\nurl = \"https://fa.example/rasoulof\"\nbody = \"fa.html\"\ncontent_type = \"text/html\"\n",
    )
    .unwrap();
    let project = Project::new("[[watch]]\nname = \"fa\"\nurl = \"https://fa.example/rasoulof\"\n");
    let out = run(
        &[
            "check",
            "--config",
            &project.config_arg(),
            "--replay",
            &dir.path().display().to_string(),
        ],
        &[],
    )
    .await;
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(project.read_baseline("fa").contains("فيلمساز ايراني"));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_change_that_recurs_after_a_revert_alerts_again() {
    let server = Server::start().await;
    let a = news_page(
        "Filmmaker Rasoulof flees Iran",
        "Jane Doe",
        &[P1, P2, P3],
        &[],
    );
    let b = news_page(
        "Filmmaker Rasoulof flees Iran",
        "Jane Doe",
        &[P1, P2, P3, P4],
        &[],
    );
    server.set("/2024/05/rasoulof-flees-iran", Route::html(a.clone()));
    let project = Project::new(&article_config(&server, ""));
    check(&project).await;
    for page in [&b, &a, &b] {
        server.set("/2024/05/rasoulof-flees-iran", Route::html(page.clone()));
        check(&project).await;
    }
    let alerts = received(&server);
    let summaries: Vec<&str> = alerts
        .iter()
        .map(|a| a["summary"].as_str().unwrap())
        .collect();
    assert_eq!(summaries.len(), 3, "{summaries:?}");
    assert_eq!(summaries[..2], ["1 paragraph added", "1 paragraph removed"]);
    // Back a second time: it says the page switches back and forth (see
    // changes::a_page_switching_back_and_forth_…).
    assert!(
        summaries[2].starts_with("1 paragraph added. The page switches back and forth"),
        "{}",
        summaries[2]
    );
    assert_ne!(alerts[0]["id"], alerts[2]["id"]);
}

/// A Chinese story, written without spaces: paragraphs of one sentence run
/// each, as the outlet sets them.
fn chinese_page(first: &str) -> String {
    let paragraphs = [
        first,
        "拉苏洛夫周一在一份声明中说，他几天前经过漫长而复杂的旅程抵达欧洲。",
        "他的电影《神圣无花果之种》讲述了玛莎·阿米尼去世后伊朗爆发的抗议运动。",
    ];
    let body: String = paragraphs.iter().map(|p| format!("<p>{p}</p>\n")).collect();
    format!(
        r#"<!DOCTYPE html><html lang="zh"><head><meta charset="utf-8"><title>导演拉苏洛夫逃离伊朗 | 示例新闻</title></head><body>
<header><nav><a href="/">首页</a> <a href="/world">国际</a></nav></header>
<main><article><h1>导演拉苏洛夫逃离伊朗</h1>
{body}</article></main><footer><p>© 示例新闻 版权所有</p></footer></body></html>"#
    )
}

/// One character of a Chinese sentence changed ("eight" → "nine" years):
/// the email's text and HTML parts and `presswatch diff` show that
/// character alone as removed and the other as added, with no space put
/// between the characters, and count one word changed. Checking the
/// unchanged page again, as after an upgrade, sends nothing.
#[tokio::test(flavor = "multi_thread")]
async fn one_changed_chinese_character_is_shown_alone_in_the_email_and_the_diff() {
    let mails = Arc::new(Mutex::new(Vec::<Vec<u8>>::new()));
    let smtp = smtp_sink(mails.clone());
    let server = Server::start().await;
    let path = "/2024/05/rasoulof-zh";
    let eight =
        "伊朗异见导演穆罕默德·拉苏洛夫在被判处八年徒刑后逃离伊朗，他徒步越过崎岖的山区边境。";
    server.set(path, Route::html(chinese_page(eight)));
    let config = format!(
        r#"[daemon]
per_host_delay = "0s"
[[channel]]
name = "press-office"
type = "email"
smtp_url = "smtp://127.0.0.1:{smtp}"
tls = "none"
from = "presswatch <alerts@example.org>"
to = ["staff@example.org"]
[[watch]]
name = "rasoulof-zh"
url = "{}"
selector = "article p"
"#,
        server.url(path)
    );
    let project = Project::new(&config);
    for _ in 0..2 {
        let out = check(&project).await;
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    assert!(project.read_baseline("rasoulof-zh").contains(eight));
    assert!(mails.lock().unwrap().is_empty(), "baseline, then unchanged");

    server.set(path, Route::html(chinese_page(&eight.replace('八', "九"))));
    let out = check(&project).await;
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mails = mails.lock().unwrap().clone();
    assert_eq!(mails.len(), 1);
    let m = mail_parser::MessageParser::default()
        .parse(&mails[0])
        .unwrap();
    let text = m.body_text(0).unwrap().replace("\r\n", "\n");
    assert!(text.contains("1 word changed in paragraph 1"), "{text}");
    assert!(
        text.contains("  … 穆罕默德·拉苏洛夫在被判处[-八-]{+九+}年徒刑后逃离伊朗，他徒步越 …\n"),
        "{text}"
    );
    let html = m.body_html(0).unwrap();
    // Struck through and underlined alone, right after the characters
    // before them and right before the ones after.
    for marked in [
        "被判处<del ",
        "removed: </span>八</del><ins ",
        "added: </span>九</ins>年徒刑后",
    ] {
        assert!(html.contains(marked), "{marked} in {html}");
    }

    let out = run(
        &[
            "diff",
            "--config",
            &project.config_arg(),
            "--watch",
            "rasoulof-zh",
        ],
        &[],
    )
    .await;
    assert_eq!(out.status.code(), Some(1), "changed: exit 1 like diff(1)");
    let diff = String::from_utf8_lossy(&out.stdout);
    assert!(diff.contains("在被判处[-八-]{+九+}年徒刑后"), "{diff}");
    assert!(diff.contains("1 word changed in paragraph 1"), "{diff}");
}

/// A plain Chinese news page: a menu of short links, the headline, a
/// dateline, four short paragraphs (`second` the second), related stories
/// and a footer, in boxes named in pinyin, no `<article>`.
fn plain_chinese_page(second: &str) -> String {
    format!(
        r#"<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><title>暴雨致南方多地交通中断_新闻网</title></head><body>
<div class="top"><ul><li><a href="/">首页</a></li><li><a href="/gn/">国内</a></li><li><a href="/gj/">国际</a></li><li><a href="/cj/">财经</a></li><li><a href="/ty/">体育</a></li></ul></div>
<div class="main"><h1>暴雨致南方多地交通中断</h1><div class="info">2024-05-13 09:30 来源：新华网</div>
<div class="wz"><p>受强降雨影响，广东、广西等地多条高速公路和铁路线路于周一中断运行。</p>
<p>{second}</p>
<p>铁路部门已停运部分列车，并为滞留旅客提供免费改签和退票服务。</p>
<p>当地政府已连夜组织低洼地区居民转移，目前尚无人员伤亡的报告。</p></div>
<div class="xg"><h3>相关新闻</h3><ul><li><a href="/a/1.html">广东启动防汛四级应急响应</a></li><li><a href="/a/2.html">广西多地学校停课一天</a></li></ul></div></div>
<div class="foot"><p>关于我们 | 联系我们</p><p>版权所有 新闻网</p></div></body></html>"#
    )
}

/// A watch of a plain Chinese news page without a `selector`: its short
/// paragraphs are the article, so one character changed in one of them
/// ("three" → "five" days) is one email, which shows that character.
#[tokio::test(flavor = "multi_thread")]
async fn one_changed_chinese_character_is_alerted_without_a_selector() {
    let mails = Arc::new(Mutex::new(Vec::<Vec<u8>>::new()));
    let smtp = smtp_sink(mails.clone());
    let server = Server::start().await;
    let path = "/2024/05/13/baoyu";
    let three = "气象部门表示，未来三天南方仍将有大到暴雨，局地可能出现特大暴雨。";
    server.set(path, Route::html(plain_chinese_page(three)));
    let config = format!(
        r#"[daemon]
per_host_delay = "0s"
[[channel]]
name = "press-office"
type = "email"
smtp_url = "smtp://127.0.0.1:{smtp}"
tls = "none"
from = "presswatch <alerts@example.org>"
to = ["staff@example.org"]
[[watch]]
name = "baoyu"
url = "{}"
"#,
        server.url(path)
    );
    let project = Project::new(&config);
    for _ in 0..2 {
        let out = check(&project).await;
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let baseline = project.read_baseline("baoyu");
    assert!(baseline.contains(&format!("\n{three}\n")), "{baseline}");
    assert!(!baseline.contains("\n首页"), "{baseline}");
    assert!(mails.lock().unwrap().is_empty(), "baseline, then unchanged");

    server.set(
        path,
        Route::html(plain_chinese_page(&three.replace('三', "五"))),
    );
    let out = check(&project).await;
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mails = mails.lock().unwrap().clone();
    assert_eq!(mails.len(), 1);
    let m = mail_parser::MessageParser::default()
        .parse(&mails[0])
        .unwrap();
    let text = m.body_text(0).unwrap().replace("\r\n", "\n");
    assert!(text.contains("1 word changed in paragraph 2"), "{text}");
    assert!(text.contains("未来[-三-]{+五+}天南方"), "{text}");
}

/// Given a French story (`<html lang="fr-FR">`), a Turkish one whose server
/// alone says its language (`Content-Language: tr`) and an Arabic one whose
/// site template says `lang="en"`, each edited after its first check: the
/// email marks each story in its own language (the labels stay English),
/// the Arabic one by its script, right to left, whatever the page says; the
/// webhook's `lang` is the page's language, absent where the script belies it.
#[tokio::test(flavor = "multi_thread")]
async fn each_story_is_marked_in_its_declared_language_and_the_script_decides_over_a_wrong_one() {
    let mails = Arc::new(Mutex::new(Vec::<Vec<u8>>::new()));
    let smtp = smtp_sink(mails.clone());
    let server = Server::start().await;
    let story = |lang: &str, title: &str, paragraphs: &[&str]| {
        news_page(title, "Rédaction", paragraphs, &[])
            .replace("<html lang=\"en\">", &format!("<html{lang}>"))
    };
    let fr = [
        "Le cinéaste Mohammad Rasoulof a quitté l'Iran à pied par les montagnes après sa condamnation à huit ans de prison.",
        "Il est arrivé en Europe il y a quelques jours, selon un communiqué publié lundi par son avocat.",
    ];
    let tr = [
        "Yönetmen Muhammed Resulof, sekiz yıl hapis cezasına çarptırıldıktan sonra İran'dan yaya olarak kaçtı.",
        "Avukatının pazartesi günü yaptığı açıklamaya göre birkaç gün önce Avrupa'ya ulaştı.",
    ];
    let ar = [
        "غادر المخرج محمد رسول آف إيران سيراً على الأقدام عبر الجبال بعد الحكم عليه بالسجن ثماني سنوات.",
        "ووصل إلى أوروبا قبل أيام بحسب بيان نشره محاميه يوم الاثنين.",
    ];
    let serve = |edited: [&str; 3]| {
        server.set(
            "/fr",
            Route::html(story(
                " lang=\"fr-FR\"",
                "Rasoulof a fui l'Iran",
                &[fr[0], fr[1], edited[0]],
            )),
        );
        server.set(
            "/tr",
            Route::html(story(
                "",
                "Resulof İran'dan kaçtı",
                &[tr[0], tr[1], edited[1]],
            ))
            .header("Content-Language", "tr"),
        );
        server.set(
            "/ar",
            Route::html(story(
                " lang=\"en\"",
                "رسول آف يغادر إيران",
                &[ar[0], ar[1], edited[2]],
            )),
        );
    };
    let watch = |name: &str| {
        format!(
            "[[watch]]\nname = \"{name}\"\nurl = \"{}\"\nrobots = false\nchannels = [\"{}\"]\n",
            server.url(&format!("/{name}")),
            if name == "ar" { "hook" } else { "mail" }
        )
    };
    let config = format!(
        "[daemon]\nper_host_delay = \"0s\"\n[[channel]]\nname = \"mail\"\ntype = \"email\"\nsmtp_url = \"smtp://127.0.0.1:{smtp}\"\ntls = \"none\"\nfrom = \"presswatch <alerts@example.org>\"\nto = [\"staff@example.org\"]\n[[channel]]\nname = \"hook\"\ntype = \"webhook\"\nurl = \"{}\"\n{}{}{}",
        server.url("/hook"),
        watch("fr"),
        watch("tr"),
        watch("ar"),
    );
    let project = Project::new(&config);
    // Each story's own edit: one edit made on every page of the site at
    // once is site chrome, taken in silence on the third page checked.
    serve([
        "Un paragraphe de plus sur le voyage du cinéaste a été publié mardi.",
        "Yönetmenin yolculuğu hakkında salı günü bir paragraf daha yayımlandı.",
        "نشرت فقرة أخرى يوم الثلاثاء عن رحلة المخرج عبر الجبال.",
    ]);
    check(&project).await;
    serve([
        "Le ministère iranien de la Culture n'a fait aucun commentaire jusqu'à présent.",
        "İran Kültür Bakanlığı şimdiye kadar herhangi açıklama yapmadı.",
        "ولم تعلق وزارة الثقافة الإيرانية على الأمر حتى الآن.",
    ]);
    let out = check(&project).await;
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    // The webhook: the Arabic page said `en`, which its script belies.
    let hook = received(&server);
    assert_eq!(hook.len(), 1, "{}", String::from_utf8_lossy(&out.stdout));
    assert_eq!(hook[0]["watch"], "ar");
    assert!(hook[0].get("lang").is_none(), "{}", hook[0]);

    let mails = mails.lock().unwrap();
    assert_eq!(mails.len(), 2);
    let html_of = |watch: &str| {
        mails
            .iter()
            .map(|m| {
                mail_parser::MessageParser::default()
                    .parse(m)
                    .expect("a mail")
            })
            .find(|m| m.header("X-Presswatch-Watch").and_then(|h| h.as_text()) == Some(watch))
            .and_then(|m| m.body_html(0).map(|h| h.to_string()))
            .unwrap_or_else(|| panic!("no mail about {watch}"))
    };
    for (watch, lang) in [("fr", "fr-FR"), ("tr", "tr")] {
        let html = html_of(watch);
        assert!(
            html.starts_with(&format!("<!DOCTYPE html><html lang=\"{lang}\"><head>")),
            "{html}"
        );
        assert!(html.contains("<div lang=\"en\" dir=\"ltr\">"), "{html}");
        // The headline, the byline and the paragraphs are the story's.
        assert!(
            html.contains(&format!("color:#222222;\" lang=\"{lang}\"><a href=")),
            "{html}"
        );
        assert!(
            html.contains(&format!("By <span lang=\"{lang}\">Rédaction</span>")),
            "{html}"
        );
        assert_eq!(
            html.matches(&format!("line-height:1.55;\" lang=\"{lang}\">"))
                .count(),
            2,
            "{html}"
        );
        assert!(!html.contains("dir=\"rtl\""), "{html}");
    }
    // The Arabic story through the same rendering, from the webhook's alert.
    let alert: presswatch::alert::Alert = serde_json::from_value(hook[0].clone()).unwrap();
    let html = presswatch::notify::render::html(&alert, &Default::default());
    assert!(
        html.starts_with("<!DOCTYPE html><html lang=\"ar\" dir=\"rtl\"><head>"),
        "{html}"
    );
    assert!(!html.contains("lang=\"en\" dir=\"rtl\""), "{html}");
}

/// A check stores its versions before it writes the baseline. Killed
/// between reading the page and storing the version (here an edit that
/// mentions none of the watch's keywords: stored, not alerted), it leaves
/// the baseline as it was, and the next check stores the version. Written
/// first, the baseline held the new text, the next check found the page
/// "unchanged", and the version (with its raw response) was never stored.
#[tokio::test(flavor = "multi_thread")]
async fn a_crash_before_the_check_stores_its_version_loses_no_version() {
    let server = Server::start().await;
    let path = "/2024/05/rasoulof-flees-iran";
    server.set(path, Route::html(baseline_page(&[])));
    let config = article_config(&server, "").replace(
        "outlet = \"Example News\"\n",
        "outlet = \"Example News\"\nkeywords = [\"Evin\"]\n",
    );
    let project = Project::new(&config);
    check(&project).await;
    let before = project.read_baseline("rasoulof");
    let p2 = P2.replace("a few days ago", "two weeks ago");
    let edited = news_page(
        "Filmmaker Rasoulof flees Iran",
        "Jane Doe",
        &[P1, &p2, P3, P4],
        &[],
    );
    server.set(path, Route::html(edited));
    let crashed = run(
        &["check", "--config", &project.config_arg()],
        &[("PRESSWATCH_FAILPOINT", "before-versions")],
    )
    .await;
    assert!(!crashed.status.success(), "the failpoint must kill the run");
    assert_eq!(project.read_baseline("rasoulof"), before);
    let out = check(&project).await;
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("changed, but mentions no keyword")
            && stdout.contains("stored as version 2, no alert"),
        "{stdout}"
    );
    let history = run(
        &["history", "--config", &project.config_arg(), "rasoulof"],
        &[],
    )
    .await;
    let history = String::from_utf8_lossy(&history.stdout);
    assert!(
        history.contains("not alerted: the change mentions no keyword"),
        "{history}"
    );
    assert!(received(&server).is_empty());
}

/// Killed after its versions are stored and before the baseline is
/// written, a check leaves the baseline a version behind the history: the
/// next check compares the page with the newest version, writes it back as
/// the baseline, and finds nothing new; the alert queued before the crash
/// goes out once, and a later edit's alert names that edit alone.
#[tokio::test(flavor = "multi_thread")]
async fn a_crash_before_the_baseline_is_written_is_caught_up_from_the_history() {
    let server = Server::start().await;
    let path = "/2024/05/rasoulof-flees-iran";
    server.set(path, Route::html(baseline_page(&[])));
    let project = Project::new(&article_config(&server, ""));
    check(&project).await;
    let before = project.read_baseline("rasoulof");
    let p1 = P1.replace("rugged ", "");
    let page = story_page;
    server.set(path, page(&[&p1, P2, P3, P4]));
    let crashed = run(
        &["check", "--config", &project.config_arg()],
        &[("PRESSWATCH_FAILPOINT", "before-baseline")],
    )
    .await;
    assert!(!crashed.status.success(), "the failpoint must kill the run");
    assert_eq!(project.read_baseline("rasoulof"), before);
    // The page has not changed since version 2.
    let out = check(&project).await;
    assert!(out.status.success());
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stdout.contains("unchanged"), "{stdout}{stderr}");
    assert!(
        stderr.contains("the baseline is not version 2, the newest of its history"),
        "{stderr}"
    );
    assert!(project.read_baseline("rasoulof").contains(&p1));
    ok_delivered(&project).await;
    let sent = received(&server);
    assert_eq!(sent.len(), 1, "{sent:?}");
    assert_eq!(sent[0]["evidence"]["version"], 2, "{}", sent[0]);
    // A later edit is compared with version 2: its alert names it alone.
    let p3 = P3.replace("in 2022", "in September 2022");
    server.set(path, page(&[&p1, P2, &p3, P4]));
    check(&project).await;
    ok_delivered(&project).await;
    let sent = received(&server);
    assert_eq!(sent.len(), 2, "{sent:?}");
    let summary = sent[1]["summary"].as_str().unwrap();
    assert!(
        summary.contains("paragraph 3") && !summary.contains("paragraph 1"),
        "{summary}"
    );
    assert_eq!(sent[1]["evidence"]["version"], 3, "{}", sent[1]);
}

/// A baseline file rewritten by hand (here the story as a report cited it,
/// without its last paragraph) holds no version of the history, newer or
/// older: it is no baseline a crash left behind, and the page is compared
/// with it. Only a baseline holding the version before the newest is caught
/// up from the history (see the test above); this one was replaced by the
/// newest version, with a warning that a check had stopped, and the page
/// found unchanged.
#[tokio::test(flavor = "multi_thread")]
async fn a_baseline_file_rewritten_by_hand_is_what_the_page_is_compared_with() {
    let server = Server::start().await;
    let path = "/2024/05/rasoulof-flees-iran";
    server.set(path, Route::html(baseline_page(&[])));
    let project = Project::new(&article_config(&server, ""));
    check(&project).await;
    let p1 = P1.replace("rugged ", "");
    let edited = news_page(
        "Filmmaker Rasoulof flees Iran",
        "Jane Doe",
        &[&p1, P2, P3, P4],
        &[],
    );
    server.set(path, Route::html(edited));
    check(&project).await;
    ok_delivered(&project).await;
    assert_eq!(received(&server).len(), 1);
    project.baseline(
        "rasoulof",
        &format!(
            "Title: Filmmaker Rasoulof flees Iran\nByline: Jane Doe\n\n{P1}\n\n{P2}\n\n{P3}\n"
        ),
    );
    let out = check(&project).await;
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("the baseline is not version"), "{stderr}");
    assert!(stdout.contains("rasoulof  changed"), "{stdout}{stderr}");
    assert!(project.read_baseline("rasoulof").contains(P4));
    ok_delivered(&project).await;
    let sent = received(&server);
    assert_eq!(sent.len(), 2, "{sent:?}");
    let summary = sent[1]["summary"].as_str().unwrap();
    assert!(
        summary.contains("1 paragraph added") && summary.contains("in paragraph 1"),
        "{summary}"
    );
}

/// A check stores its alert with the version the alert reports, in one
/// transaction, on either backend. Killed after writing its alert and
/// before committing (here an edit, A to B, the receiver up), it leaves
/// nothing: no alert goes out. The story is edited again (B to C) before
/// the next check, which finds A to C under the same alert id, stores C and
/// sends its alert, once, whose record (`evidence.record`) `verify
/// --record` finds as the version stored. The alert was queued in a
/// commit of its own before the version: killed there, the A to B alert
/// went out, the next check's A to C alert, under the same id, was taken
/// for it and never sent, and C was stored with another record than the
/// one the alert staff held, which no kept version had.
#[tokio::test(flavor = "multi_thread")]
async fn a_check_killed_before_storing_its_version_queues_no_alert_and_the_next_one_names_a_kept_version(
) {
    let mut backends = vec![("sqlite", String::new())];
    if let Some(cluster) = crate::pg::cluster() {
        // The killed check's lease on the watch runs out 2 s after it took it.
        let state = crate::pg::state_lines(&cluster.database()) + "lease = \"2s\"\n";
        backends.push(("postgres", state));
    }
    let env = [(crate::pg::PASSWORD_ENV, crate::pg::PASSWORD)];
    for (backend, state) in backends {
        let server = Server::start().await;
        let path = "/2024/05/rasoulof-flees-iran";
        let page = story_page;
        server.set(path, page(&[P1, P2, P3, P4]));
        let config = article_config(&server, "");
        let config = match state.as_str() {
            "" => config,
            pg => config.replace("state_dir = \"state\"\n", pg),
        };
        let project = Project::new(&config);
        let config = project.config_arg();
        let presswatch = |args: &[&str], failpoint: Option<&'static str>| {
            let mut all: Vec<String> = args.iter().map(|a| a.to_string()).collect();
            all.extend(["--config".to_string(), config.clone()]);
            let mut env = env.to_vec();
            env.extend(failpoint.map(|f| ("PRESSWATCH_FAILPOINT", f)));
            async move {
                let all: Vec<&str> = all.iter().map(String::as_str).collect();
                run(&all, &env).await
            }
        };
        let ok = |out: std::process::Output| {
            let said = format!(
                "{}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
            assert!(out.status.success(), "{backend}: {said}");
            said
        };
        ok(presswatch(&["check"], None).await);
        let b = P2.replace("a few days ago", "last week");
        server.set(path, page(&[P1, &b, P3, P4]));
        let crashed = presswatch(&["check"], Some("after-enqueue")).await;
        assert!(
            !crashed.status.success(),
            "{backend}: the failpoint must kill the run"
        );
        // Whatever the outbox holds goes out before the next check.
        ok(presswatch(&["outbox", "retry"], None).await);
        assert!(
            received(&server).is_empty(),
            "{backend}: {:?}",
            received(&server)
        );
        // Edited again, once the killed check's lease (PostgreSQL) has run
        // out; versions are stamped to the second.
        tokio::time::sleep(std::time::Duration::from_millis(2200)).await;
        let c = P2.replace("a few days ago", "on Sunday");
        server.set(path, page(&[P1, &c, P3, P4]));
        ok(presswatch(&["check"], None).await);
        ok(presswatch(&["outbox", "retry"], None).await);
        let sent = received(&server);
        assert_eq!(sent.len(), 1, "{backend}: {sent:?}");
        let ids: Vec<String> = server
            .requests_to("/hook")
            .iter()
            .map(|r| r.headers["webhook-id"].clone())
            .collect();
        assert_eq!(ids, [sent[0]["id"].as_str().unwrap()], "{backend}: once");
        assert_eq!(sent[0]["evidence"]["version"], 2, "{backend}: {}", sent[0]);
        assert!(
            sent[0].to_string().contains("on Sunday"),
            "{backend}: the alert shows the page as stored: {}",
            sent[0]
        );
        for alert in &sent {
            let record = alert["evidence"]["record"].as_str().unwrap();
            let said = ok(presswatch(&["verify", "--record", record], None).await);
            assert!(
                said.contains(" is watch rasoulof version 2, stored ")
                    && !said.contains("MISMATCH"),
                "{backend}: {said}"
            );
        }
        let listed = ok(presswatch(&["outbox", "list"], None).await);
        assert!(
            listed.contains("every alert was delivered"),
            "{backend}: {listed}"
        );
    }
}

/// Delivers what the outbox holds (`outbox retry`).
async fn ok_delivered(project: &Project) {
    let out = run(&["outbox", "--config", &project.config_arg(), "retry"], &[]).await;
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
