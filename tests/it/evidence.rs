//! Evidence: given a story that is edited, edited back and taken down, the
//! raw responses are kept; `export` writes a WARC that independent readers
//! (warcio) accept and that replays the same article text; `verify` finds a
//! tampered snapshot; `report` writes pages a real Chromium opens without
//! errors, showing the changed words; the viewer's timeline and the export
//! list takedowns and restores with their evidence; alerts link to the
//! evidence, and an alert email links to the viewer's page for its change.
//!
//! warcio and Chromium come from `.ci/run` (a venv under target/ and
//! Debian's chromium). Outside CI a missing tool skips its part with a
//! message; with CI=true it must be there.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Arc, Mutex};

use mail_parser::MessageParser;

use crate::pg;
use crate::support::{
    assert_local_links_resolve, mismatch_line, mismatches, news_page, ok, run, smtp_sink, Project,
    Route, Server,
};

const PARAS: [&str; 3] = [
    "Iranian dissident filmmaker Mohammad Rasoulof has fled Iran, escaping on foot through rugged mountainous borders.",
    "In a statement released Monday, the artist said he arrived in Europe after a long and complicated journey.",
    "Rasoulof's film delves into the protest movements in Iran following the death of Mahsa Amini in 2022.",
];

fn page(second: &str) -> String {
    news_page(
        "Filmmaker Rasoulof flees Iran",
        "Jane Doe",
        &[PARAS[0], second, PARAS[2]],
        &["Unrelated story"],
    )
}

/// A tool from `.ci/run`'s venv or the PATH; `None` (after saying so) when
/// it is missing outside CI. In CI a missing tool fails the test.
fn tool(name: &str) -> Option<PathBuf> {
    let venv = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("target/pytools/bin")
        .join(name);
    if venv.is_file() {
        return Some(venv);
    }
    let found = std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|d| d.join(name))
            .find(|p| p.is_file())
    });
    if found.is_none() {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "{name} is required in CI (.ci/run installs it)"
        );
        eprintln!("SKIPPED: {name} is not installed (.ci/run installs it); this part of the test did not run");
    }
    found
}

/// Runs `presswatch report --config CONFIG --out OUT` with `env`.
async fn report(config: &str, out: &Path, env: &[(&str, &str)]) -> std::process::Output {
    run(
        &["report", "--config", config, "--out", out.to_str().unwrap()],
        env,
    )
    .await
}

/// `presswatch export --config CONFIG --warc WARC`.
async fn export(config: &str, warc: &Path, env: &[(&str, &str)]) -> std::process::Output {
    run(
        &[
            "export",
            "--config",
            config,
            "--warc",
            warc.to_str().unwrap(),
        ],
        env,
    )
    .await
}

/// A page as most servers send it: gzip-compressed.
fn gzipped(html: String) -> Route {
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    std::io::Write::write_all(&mut gz, html.as_bytes()).unwrap();
    Route::html(gz.finish().unwrap()).header("Content-Encoding", "gzip")
}

/// A story checked four times: first version (served gzip-compressed), an
/// edit (served uncompressed), the edit undone (the very bytes of the first
/// version again), then a 404. `daemon`: more `[daemon]` keys (a
/// PostgreSQL state's among them: its checks run with [`PG_ENV`]).
async fn edited_and_taken_down(daemon: &str) -> (Server, Project) {
    let server = Server::start().await;
    let path = "/2024/05/rasoulof";
    let cfg = format!(
        "[daemon]\nper_host_delay = \"0s\"\n{daemon}\n[[channel]]\nname = \"hook\"\ntype = \"webhook\"\nurl = \"{}\"\n[[watch]]\nname = \"rasoulof\"\nurl = \"{}\"\n",
        server.url("/hook"),
        server.url(path)
    );
    let project = Project::new(&cfg);
    let config = project.config_arg();
    let edited = PARAS[1].replace("in Europe", "in Germany");
    for route in [
        gzipped(page(PARAS[1])),
        Route::html(page(&edited)),
        gzipped(page(PARAS[1])),
        Route::status(404),
    ] {
        server.set(path, route);
        ok(&run(&["check", "--config", &config], &PG_ENV).await);
    }
    (server, project)
}

#[tokio::test(flavor = "multi_thread")]
async fn an_export_is_accepted_by_warcio_and_replays_the_text_presswatch_extracted() {
    let (server, project) =
        edited_and_taken_down("report_url = \"https://evidence.example/pw/\"").await;
    let config = project.config_arg();
    let warc = project.path("out.warc.gz");
    let said = ok(&export(&config, &warc, &[]).await);
    // Three versions and the takedown's answer; version 3 repeats version 1.
    assert!(
        said.contains("(3 responses, 1 revisit, 1 takedown or restore)"),
        "{said}"
    );

    // The takedown alert names the last kept snapshot and links to its page.
    let hooks = server.requests_to("/hook");
    let alerts: Vec<serde_json::Value> = hooks
        .iter()
        .map(|r| serde_json::from_slice(&r.body).unwrap())
        .collect();
    let down = alerts.iter().find(|a| a["kind"] == "taken_down").unwrap();
    let db = rusqlite::Connection::open(project.path("state/presswatch.db")).unwrap();
    let v3_body: String = db
        .query_row(
            "SELECT body_sha256 FROM raw_snapshots WHERE watch = 'rasoulof' AND version = 3 AND kind = 'version'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(down["evidence"]["snapshot_sha256"], v3_body.as_str());
    assert_eq!(
        down["evidence"]["report"],
        "https://evidence.example/pw/rasoulof/index.html#v3-taken-down-1"
    );
    let edit = alerts.iter().find(|a| a["kind"] != "taken_down").unwrap();
    assert_eq!(
        edit["evidence"]["report"],
        "https://evidence.example/pw/rasoulof/v2.html"
    );

    let Some(warcio) = tool("warcio") else {
        return;
    };
    let check = Command::new(&warcio)
        .arg("check")
        .arg("-v")
        .arg(&warc)
        .output()
        .unwrap();
    let check_text = ok(&check);
    assert!(!check_text.contains("failed"), "{check_text}");
    let index = ok(&Command::new(&warcio)
        .arg("index")
        .arg(&warc)
        .output()
        .unwrap());
    let records: Vec<serde_json::Value> = index
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let types: Vec<&str> = records
        .iter()
        .map(|r| r["warc-type"].as_str().unwrap())
        .collect();
    assert_eq!(types[0], "warcinfo");
    for (kind, n) in [
        ("response", 3),
        ("revisit", 1),
        ("request", 4),
        ("metadata", 5),
    ] {
        assert_eq!(
            types.iter().filter(|t| **t == kind).count(),
            n,
            "{kind}: {index}"
        );
    }

    // Replay: the payload of each whole response is the page as served, and
    // extracting it gives the text presswatch kept for that version.
    let responses: Vec<&serde_json::Value> = records
        .iter()
        .filter(|r| r["warc-type"] == "response")
        .collect();
    for (i, seq) in [1, 2].into_iter().enumerate() {
        let offset = responses[i]["offset"].as_str().unwrap();
        let payload = Command::new(&warcio)
            .args(["extract", "--payload"])
            .arg(&warc)
            .arg(offset)
            .output()
            .unwrap();
        assert!(payload.status.success());
        let file = project.path(&format!("replayed-{seq}.html"));
        std::fs::write(&file, &payload.stdout).unwrap();
        let extracted = ok(&run(&["extract", "--json", file.to_str().unwrap()], &[]).await);
        let extracted: serde_json::Value = serde_json::from_str(&extracted).unwrap();
        let kept: String = db
            .query_row(
                "SELECT b.body FROM versions v JOIN blobs b ON b.sha256 = v.body_sha256 WHERE v.watch = 'rasoulof' AND v.seq = ?1",
                [seq],
                |r| r.get(0),
            )
            .unwrap();
        let kept = presswatch::document::Document::from_baseline(&kept);
        let replayed: Vec<&str> = extracted["blocks"]
            .as_array()
            .unwrap()
            .iter()
            .map(|b| b["text"].as_str().unwrap())
            .collect();
        let kept_texts: Vec<&str> = kept.blocks.iter().map(|b| b.text.as_str()).collect();
        assert_eq!(replayed, kept_texts, "version {seq}");
    }
    if let Some(cdx) = tool("cdxj-indexer") {
        let out = ok(&Command::new(cdx).arg(&warc).output().unwrap());
        assert!(out.contains("rasoulof"), "{out}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_page_served_compressed_is_kept_in_the_bytes_it_came_in_and_one_served_plain_with_zstd() {
    let (server, project) = edited_and_taken_down("").await;
    // presswatch asked for compressed bodies, and says so in the evidence.
    let asked = server.requests_to("/2024/05/rasoulof");
    assert!(asked
        .iter()
        .all(|r| r.headers.get("accept-encoding").map(String::as_str)
            == Some("gzip, br, zstd, deflate")));
    let db = rusqlite::Connection::open(project.path("state/presswatch.db")).unwrap();
    let kept = |seq: i64| -> (String, String, i64, Vec<u8>) {
        db.query_row(
            "SELECT s.request_head, b.codec, b.size, b.packed FROM raw_snapshots s JOIN raw_bodies b ON b.sha256 = s.body_sha256
             WHERE s.watch = 'rasoulof' AND s.version = ?1 AND s.kind = 'version'",
            [seq],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )
        .unwrap()
    };
    // Version 1 came gzip-compressed: its body is kept in those very bytes,
    // and its size is that of the page they decode to.
    let (request_head, codec, size, packed) = kept(1);
    assert!(
        request_head.contains("\r\nAccept-Encoding: gzip, br, zstd, deflate"),
        "{request_head}"
    );
    assert_eq!(codec, "gzip");
    assert_eq!(packed, gzipped(page(PARAS[1])).body);
    assert_eq!(size as usize, page(PARAS[1]).len());
    // Version 2 came uncompressed: presswatch compressed it (zstd).
    let (_, codec, size, packed) = kept(2);
    assert_eq!(codec, "zstd");
    let edited = page(&PARAS[1].replace("in Europe", "in Germany"));
    assert_eq!(
        zstd::bulk::decompress(&packed, 1 << 20).unwrap(),
        edited.as_bytes()
    );
    assert_eq!(size as usize, edited.len());
    // Both read back as the pages served, and verify re-hashes both.
    let said = ok(&run(&["verify", "--config", &project.config_arg()], &[]).await);
    assert!(said.contains(": 0 mismatches"), "{said}");
}

#[tokio::test(flavor = "multi_thread")]
async fn an_alert_email_links_to_the_viewers_page_for_the_change() {
    let mails = Arc::new(Mutex::new(Vec::<Vec<u8>>::new()));
    let smtp = smtp_sink(mails.clone());
    let server = Server::start().await;
    let path = "/2024/05/rasoulof";
    let cfg = format!(
        "[daemon]\nper_host_delay = \"0s\"\nreport_url = \"https://evidence.example/pw/\"\n\
         [[channel]]\nname = \"press-office\"\ntype = \"email\"\nsmtp_url = \"smtp://127.0.0.1:{smtp}\"\ntls = \"none\"\n\
         from = \"presswatch <alerts@example.org>\"\nto = [\"staff@example.org\"]\n\
         [[watch]]\nname = \"rasoulof\"\nurl = \"{}\"\n",
        server.url(path)
    );
    let project = Project::new(&cfg);
    let config = project.config_arg();
    for second in [
        PARAS[1].to_string(),
        PARAS[1].replace("in Europe", "in Germany"),
    ] {
        server.set(path, Route::html(page(&second)));
        ok(&run(&["check", "--config", &config], &[]).await);
    }

    let mails = mails.lock().unwrap().clone();
    assert_eq!(mails.len(), 1, "one alert: the edit");
    let mail = MessageParser::default()
        .parse(&mails[0])
        .expect("a parsable message");
    let link = "https://evidence.example/pw/rasoulof/v2.html";
    let text = mail.body_text(0).expect("a text part");
    assert!(text.contains(&format!("Evidence: {link}")), "{text}");
    let html = mail.body_html(0).expect("an HTML part");
    let anchor = html
        .split("<a ")
        .find(|a| a.starts_with(&format!("href=\"{link}\"")))
        .unwrap_or_else(|| panic!("a link to {link} in:\n{html}"));
    assert!(anchor.contains(">Evidence</a>"), "{anchor}");

    // The link names the page `report` writes for that change, under the
    // directory published at report_url.
    let out = project.path("report");
    ok(&report(&config, &out, &[]).await);
    assert_local_links_resolve(&out);
    let viewer = link.strip_prefix("https://evidence.example/pw/").unwrap();
    let page = std::fs::read_to_string(out.join(viewer)).unwrap();
    assert!(page.contains("Germany</ins>"), "{page}");
}

#[tokio::test(flavor = "multi_thread")]
async fn verify_passes_on_kept_evidence_and_fails_on_a_tampered_snapshot() {
    let (_server, project) = edited_and_taken_down("report_url = \"file:///srv/share/pw\"").await;
    let config = project.config_arg();
    let said = ok(&run(&["verify", "--config", &config], &[]).await);
    assert!(
        said.contains("verified 3 raw bodies, 4 snapshot records and 3 versions: 0 mismatches"),
        "{said}"
    );
    // Someone swaps the kept page for another one.
    let db = rusqlite::Connection::open(project.path("state/presswatch.db")).unwrap();
    let forged = page("The artist said nothing of the kind.");
    let sha: String = db
        .query_row(
            "SELECT sha256 FROM raw_bodies ORDER BY sha256 LIMIT 1",
            [],
            |r| r.get(0),
        )
        .unwrap();
    db.execute(
        "UPDATE raw_bodies SET size = ?2, codec = 'zstd', packed = ?3 WHERE sha256 = ?1",
        rusqlite::params![
            sha,
            forged.len() as i64,
            zstd::bulk::compress(forged.as_bytes(), 3).unwrap()
        ],
    )
    .unwrap();
    db.execute("UPDATE blobs SET body = body || 'x'", [])
        .unwrap();
    drop(db);
    let out = run(&["verify", "--config", &config], &[]).await;
    assert_eq!(out.status.code(), Some(1));
    let said = String::from_utf8_lossy(&out.stdout);
    // Each mismatch names the watch and version whose evidence it is, and
    // the output ends saying what to do.
    let body_line = said
        .lines()
        .find(|l| l.contains(&format!("raw body {sha}: its bytes hash to")))
        .unwrap_or_else(|| panic!("a line about the raw body {sha}:\n{said}"));
    assert!(
        body_line.starts_with("MISMATCH watch rasoulof version ")
            && body_line.contains("(the response it was accepted from)"),
        "{body_line}"
    );
    mismatch_line(&said, "watch rasoulof version", "sqlite");
    assert!(
        said.contains("What to do:") && said.contains("Restore the state database from a backup"),
        "{said}"
    );
    assert!(said.contains("`presswatch verify --config"), "{said}");
    // Evidence handed over never carries the forged page under fresh digests:
    // export and report leave it out, name it, and fail; the rest of the
    // evidence is written and sound.
    let warc = project.path("out.warc.gz");
    let viewer = project.path("viewer");
    for args in [
        vec![
            "export",
            "--config",
            &config,
            "--warc",
            warc.to_str().unwrap(),
        ],
        vec![
            "report",
            "--config",
            &config,
            "--out",
            viewer.to_str().unwrap(),
        ],
    ] {
        let out = run(&args, &[]).await;
        assert_eq!(out.status.code(), Some(1), "{args:?}: {out:?}");
        let said = String::from_utf8_lossy(&out.stderr);
        assert!(
            said.contains("LEFT OUT watch rasoulof version"),
            "{args:?}: {said}"
        );
        assert!(
            said.contains(&format!("the kept response {sha} was altered or damaged since it was kept: its bytes hash to")),
            "{args:?}: {said}"
        );
        assert!(said.contains("`presswatch verify --config"), "{said}");
    }
    let records = warc_records(&warc);
    assert!(
        records.iter().any(|r| r.starts_with("WARC-Type: response")),
        "the sound responses are exported"
    );
    assert!(
        !records
            .iter()
            .any(|r| r.contains("The artist said nothing of the kind.")),
        "no forged page in the WARC"
    );
    assert!(viewer.join("index.html").exists());
    assert!(!viewer.join(format!("raw/{sha}.bin")).exists());
    // No page links to the body left out.
    assert_local_links_resolve(&viewer);
}

/// The state backends a test runs on: SQLite (the project's file) and,
/// when PostgreSQL can start here, a fresh database. Each: its name, the
/// `[daemon]` lines that choose it, and the database's name on the cluster.
fn state_backends() -> Vec<(&'static str, String, Option<String>)> {
    let mut backends = vec![("sqlite", String::new(), None)];
    if let Some(cluster) = pg::cluster() {
        let url = cluster.database();
        let name = cluster.name_of(&url);
        backends.push(("postgres", pg::state_lines(&url), Some(name.to_string())));
    }
    backends
}

/// The password of the test cluster, for configs that name it.
const PG_ENV: [(&str, &str); 1] = [(pg::PASSWORD_ENV, pg::PASSWORD)];

/// Runs SQL on a project's state database, as someone with access to it
/// would: the SQLite file, or the PostgreSQL database `pg_db`.
fn alter(project: &Project, pg_db: Option<&str>, sql: &str) {
    match pg_db {
        None => rusqlite::Connection::open(project.path("state/presswatch.db"))
            .unwrap()
            .execute_batch(sql)
            .unwrap(),
        Some(db) => {
            pg::cluster().unwrap().psql(db, sql).unwrap();
        }
    }
}

/// A story kept on the state `state` chooses: first served with a
/// Last-Modified date, then edited, then taken down (a 404). Versions 1 and
/// 2 keep the responses they were accepted from; the 404 is kept as the
/// answer that reported version 2 taken down.
async fn dated_edited_and_taken_down(state: &str) -> (Server, Project) {
    let server = Server::start().await;
    let path = "/2024/05/rasoulof";
    let cfg = format!(
        "[daemon]\nper_host_delay = \"0s\"\n{state}\n[[channel]]\nname = \"hook\"\ntype = \"webhook\"\nurl = \"{}\"\n[[watch]]\nname = \"rasoulof\"\nurl = \"{}\"\n",
        server.url("/hook"),
        server.url(path)
    );
    let project = Project::new(&cfg);
    let config = project.config_arg();
    for route in [
        Route::html(page(PARAS[1])).header("Last-Modified", "Mon, 06 May 2024 08:00:00 GMT"),
        Route::html(page(&PARAS[1].replace("in Europe", "in Germany"))),
        Route::status(404),
    ] {
        server.set(path, route);
        ok(&run(&["check", "--config", &config], &PG_ENV).await);
    }
    (server, project)
}

#[tokio::test(flavor = "multi_thread")]
async fn verify_finds_a_snapshot_record_altered_since_it_was_kept_on_either_backend() {
    for (backend, state, pg_db) in state_backends() {
        let (_server, project) = dated_edited_and_taken_down(&state).await;
        let config = project.config_arg();
        let said = ok(&run(&["verify", "--config", &config], &PG_ENV).await);
        assert!(
            said.contains(", 3 snapshot records and 2 versions: 0 mismatches"),
            "{backend}: {said}"
        );
        assert!(
            !said.contains("without a record digest"),
            "{backend}: {said}"
        );
        // Someone alters what the records say, leaving every body sound:
        // backdates version 1's Last-Modified, moves version 2's fetch time a
        // day back, and points the takedown's answer at version 1's page (as
        // if the 404 had served the article).
        alter(
            &project,
            pg_db.as_deref(),
            "UPDATE raw_snapshots SET response_head = replace(response_head, 'Mon, 06 May 2024', 'Sun, 05 May 2024')
               WHERE watch = 'rasoulof' AND version = 1 AND kind = 'version';
             UPDATE raw_snapshots SET fetched_at_ms = fetched_at_ms - 86400000
               WHERE watch = 'rasoulof' AND version = 2 AND kind = 'version';
             UPDATE raw_snapshots SET body_sha256 =
                 (SELECT body_sha256 FROM raw_snapshots WHERE watch = 'rasoulof' AND version = 1 AND kind = 'version')
               WHERE watch = 'rasoulof' AND kind = 'taken_down';",
        );
        let out = run(&["verify", "--config", &config], &PG_ENV).await;
        let said = String::from_utf8_lossy(&out.stdout);
        assert_eq!(out.status.code(), Some(1), "{backend}: {said}");
        let line = |about: &str| mismatch_line(&said, about, backend).to_string();
        let header =
            line("watch rasoulof version 1 (the response it was accepted from): its record");
        assert!(
            header.ends_with(
                "was altered since it was kept; what differs: the response's status line and header fields"
            ),
            "{backend}: {header}"
        );
        let time = line("watch rasoulof version 2 (the response it was accepted from): its record");
        assert!(
            time.ends_with("; what differs: the fetch time"),
            "{backend}: {time}"
        );
        let body =
            line("watch rasoulof version 2 (the answer that reported it taken down): its record");
        assert!(
            body.ends_with("; what differs: the body it points to and the body size"),
            "{backend}: {body}"
        );
        assert!(
            said.contains(", 3 snapshot records and 2 versions: 3 mismatches"),
            "{backend}: {said}"
        );
        assert!(said.contains("What to do:"), "{backend}: {said}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn verify_counts_the_records_kept_before_record_digests_without_failing_or_vouching_for_them()
{
    for (backend, state, pg_db) in state_backends() {
        let (server, project) = dated_edited_and_taken_down(&state).await;
        let config = project.config_arg();
        // The database as a presswatch from before record digests left it:
        // the next start adds the columns back, empty.
        let drop_digests = "ALTER TABLE raw_snapshots DROP COLUMN record_sha256;
             ALTER TABLE raw_snapshots DROP COLUMN record_fields;";
        match pg_db {
            None => alter(&project, None, drop_digests),
            Some(ref db) => alter(
                &project,
                Some(db),
                &format!("{drop_digests} DELETE FROM schema_migrations WHERE version >= 9;"),
            ),
        }
        let said = ok(&run(&["verify", "--config", &config], &PG_ENV).await);
        assert!(
            said.contains(", 0 snapshot records and 2 versions: 0 mismatches"),
            "{backend}: {said}"
        );
        assert!(
            said.contains(
                "3 snapshot records without a record digest (kept before presswatch took one)"
            ),
            "{backend}: {said}"
        );
        // The story comes back: the response of the new version is kept
        // with its digest, beside the three older records.
        server.set("/2024/05/rasoulof", Route::html(page(PARAS[1])));
        ok(&run(&["check", "--config", &config], &PG_ENV).await);
        let said = ok(&run(&["verify", "--config", &config], &PG_ENV).await);
        assert!(
            said.contains(", 1 snapshot record and 3 versions: 0 mismatches"),
            "{backend}: {said}"
        );
        assert!(
            said.contains("3 snapshot records without a record digest"),
            "{backend}: {said}"
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn export_and_report_leave_out_a_snapshot_record_altered_since_it_was_kept_on_either_backend()
{
    for (backend, state, pg_db) in state_backends() {
        let (_server, project) = edited_and_taken_down(&state).await;
        let config = project.config_arg();
        // Someone alters the charset version 1's response says it was served
        // in, leaving its body sound. Version 3 was served the same bytes
        // (its record is untouched).
        alter(
            &project,
            pg_db.as_deref(),
            "UPDATE raw_snapshots SET response_head = replace(response_head, 'charset=utf-8', 'charset=windows-1256')
               WHERE watch = 'rasoulof' AND version = 1 AND kind = 'version';",
        );
        let body = presswatch::document::sha256_hex(page(PARAS[1]).as_bytes());
        let left_out = |said: &str| {
            let line = said
                .lines()
                .find(|l| l.starts_with("LEFT OUT watch rasoulof version 1 (the response it was accepted from): its record (stored as fetched at "))
                .unwrap_or_else(|| panic!("{backend}: a LEFT OUT line for version 1 in:\n{said}"))
                .to_string();
            assert!(
                line.contains("was altered since it was kept; what differs: the response's status line and header fields; `presswatch verify --config"),
                "{backend}: {line}"
            );
            assert_eq!(
                said.matches("LEFT OUT").count(),
                1,
                "{backend}: the rest is sound: {said}"
            );
        };

        // The export leaves it out, says why, and fails; version 3 is
        // written whole, not as a revisit of a record that is not there.
        let warc = project.path("out.warc.gz");
        let out = export(&config, &warc, &PG_ENV).await;
        assert_eq!(out.status.code(), Some(1), "{backend}: {out:?}");
        let said = String::from_utf8_lossy(&out.stdout);
        assert!(
            said.contains("(3 responses, 0 revisits, 1 takedown or restore)"),
            "{backend}: {said}"
        );
        let said = String::from_utf8_lossy(&out.stderr);
        left_out(&said);
        assert!(
            said.contains("1 kept response left out of the export"),
            "{backend}: {said}"
        );
        let records = warc_records(&warc);
        assert!(
            !records.iter().any(|r| r.contains("windows-1256")),
            "{backend}: the altered header is not exported"
        );
        assert!(
            !records
                .iter()
                .any(|r| field(r, "presswatch-version") == Some("1")),
            "{backend}: nothing of version 1 is exported"
        );
        if let Some(warcio) = tool("warcio") {
            let check = ok(&Command::new(&warcio)
                .args(["check", "-v"])
                .arg(&warc)
                .output()
                .unwrap());
            assert!(!check.contains("failed"), "{backend}: {check}");
            let index = ok(&Command::new(&warcio)
                .arg("index")
                .arg(&warc)
                .output()
                .unwrap());
            let records: Vec<serde_json::Value> = index
                .lines()
                .map(|l| serde_json::from_str(l).unwrap())
                .collect();
            let count = |kind: &str| records.iter().filter(|r| r["warc-type"] == kind).count();
            assert_eq!(
                [
                    count("response"),
                    count("revisit"),
                    count("request"),
                    count("metadata")
                ],
                [3, 0, 3, 4],
                "{backend}: versions 2 and 3 and the 404, and the takedown: {index}"
            );
            let mut payloads = Vec::new();
            for r in records.iter().filter(|r| r["warc-type"] == "response") {
                let payload = Command::new(&warcio)
                    .args(["extract", "--payload"])
                    .arg(&warc)
                    .arg(r["offset"].as_str().unwrap())
                    .output()
                    .unwrap();
                assert!(payload.status.success());
                payloads.push(presswatch::document::sha256_hex(&payload.stdout));
            }
            assert!(
                payloads.contains(&body),
                "{backend}: version 3's page is written whole"
            );
        }

        // The viewer shows version 1 with a warning in place of its
        // response, naming what differs and what to run; version 3 links
        // the same body.
        let viewer = project.path("viewer");
        let out = report(&config, &viewer, &PG_ENV).await;
        assert_eq!(out.status.code(), Some(1), "{backend}: {out:?}");
        left_out(&String::from_utf8_lossy(&out.stderr));
        assert_local_links_resolve(&viewer);
        let v1 = std::fs::read_to_string(viewer.join("rasoulof/v1.html")).unwrap();
        assert!(
            v1.contains("The response this version was accepted from: left out")
                && v1.contains("was altered since it was kept; what differs from the digest taken then: the response&#x27;s status line and header fields.")
                && v1.contains("Run <code>presswatch verify --config"),
            "{backend}: {v1}"
        );
        assert!(
            !v1.contains(&body) && !v1.contains("windows-1256") && !v1.contains("raw/"),
            "{backend}: no link, hash or header of the altered record: {v1}"
        );
        assert!(
            v1.contains("Filmmaker Rasoulof flees Iran"),
            "{backend}: the version is shown"
        );
        let v3 = std::fs::read_to_string(viewer.join("rasoulof/v3.html")).unwrap();
        assert!(
            v3.contains(&format!("raw/{body}.bin")) && !v3.contains("left out"),
            "{backend}: {v3}"
        );
        assert!(viewer.join(format!("raw/{body}.bin")).exists());
        // The index flags the watch in words (it must read so on paper),
        // and says what to run.
        let index = std::fs::read_to_string(viewer.join("index.html")).unwrap();
        let row = index_row(&index, "rasoulof");
        assert!(
            row.contains("1 kept response failed its check")
                && row.contains("left out")
                && row.contains("presswatch verify --config"),
            "{backend}: {row}"
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_version_text_altered_since_it_was_kept_is_shown_only_with_a_warning_on_either_backend() {
    for (backend, state, pg_db) in state_backends() {
        let (_server, project) = edited_and_taken_down(&state).await;
        let config = project.config_arg();
        // Someone rewrites what version 2 said ("in Germany") in the state
        // database, and alters the charset version 1's response says it was
        // served in.
        alter(
            &project,
            pg_db.as_deref(),
            "UPDATE blobs SET body = replace(body, 'in Germany', 'in France');
             UPDATE raw_snapshots SET response_head = replace(response_head, 'charset=utf-8', 'charset=windows-1256')
               WHERE watch = 'rasoulof' AND version = 1 AND kind = 'version';",
        );
        let out = run(&["verify", "--config", &config], &PG_ENV).await;
        assert_eq!(out.status.code(), Some(1), "{backend}: {out:?}");
        let warning = "WARNING watch rasoulof version 2: this text no longer matches the SHA-256 it was stored under: it was altered after presswatch kept it (it was stored as ";
        let warned = |out: &std::process::Output, what: &str| {
            let said = String::from_utf8_lossy(&out.stderr);
            assert_eq!(out.status.code(), Some(1), "{backend}: {what}: {out:?}");
            let line = said
                .lines()
                .find(|l| l.starts_with(warning))
                .unwrap_or_else(|| {
                    panic!("{backend}: {what}: a warning about version 2 in:\n{said}")
                });
            assert!(
                line.contains("run `presswatch verify --config"),
                "{backend}: {what}: {line}"
            );
            assert_eq!(
                said.matches("WARNING").count(),
                1,
                "{backend}: {what}: {said}"
            );
            String::from_utf8_lossy(&out.stdout).into_owned()
        };

        // The viewer still shows the text (it is what the database holds),
        // and says beside it, wherever it is shown, that it was altered;
        // `report` names it and exits 1, and no longer calls the rest sound
        // before naming it.
        let viewer = project.path("viewer");
        let out = report(&config, &viewer, &PG_ENV).await;
        warned(&out, "report");
        let said = String::from_utf8_lossy(&out.stderr);
        assert_eq!(said.matches("LEFT OUT").count(), 1, "{backend}: {said}");
        let lines: Vec<&str> = said.lines().collect();
        assert!(
            lines[1].starts_with("1 kept response left out of the viewer")
                && !lines[1].contains("sound"),
            "{backend}: {said}"
        );
        assert!(
            lines.last().unwrap().starts_with(
                "1 version text no longer matches the SHA-256 it was stored under (altered after presswatch kept it): the viewer shows it with a warning beside it"
            ),
            "{backend}: {said}"
        );
        assert_local_links_resolve(&viewer);
        let page = |file: &str| std::fs::read_to_string(viewer.join(file)).unwrap();
        let altered = "this text no longer matches the SHA-256 it was stored under: it was altered after presswatch kept it";
        let index = page("index.html");
        let row = index_row(&index, "rasoulof");
        assert!(
            row.contains("Warning: the text of version 2 no longer matches the SHA-256 it was stored under: it was altered after presswatch kept it")
                && row.contains("Run <code>presswatch verify --config"),
            "{backend}: {row}"
        );
        let timeline = page("rasoulof/index.html");
        let version_row = |seq: i64| {
            timeline
                .split("<tr>")
                .find(|r| {
                    r.contains(&format!(
                        "<a href=\"v{seq}.html\">Version {seq}</a></td><td><span"
                    ))
                })
                .unwrap_or_else(|| panic!("{backend}: the row of version {seq} in:\n{timeline}"))
        };
        assert!(version_row(2).contains(altered), "{backend}: {timeline}");
        for seq in [1, 3] {
            assert!(!version_row(seq).contains(altered), "{backend}: {timeline}");
        }
        // Version 2's page warns before its text; version 3's page shows it
        // beside its own, and warns too; version 1's does not.
        let v2 = page("rasoulof/v2.html");
        let warned_at = v2
            .find("Warning: the text of version 2 (this version) was altered")
            .unwrap_or_else(|| panic!("{backend}: {v2}"));
        assert!(v2[warned_at..].contains("This text no longer matches the SHA-256 it was stored under: it was altered after presswatch kept it"), "{backend}: {v2}");
        assert!(
            warned_at < v2.find("<h2>Side by side</h2>").unwrap(),
            "{backend}: the warning comes before the text: {v2}"
        );
        let v3 = page("rasoulof/v3.html");
        assert!(
            v3.contains("Warning: the text of version 2 (the version before it, shown beside it) was altered"),
            "{backend}: {v3}"
        );
        assert!(!page("rasoulof/v1.html").contains(altered), "{backend}");

        // `history` and `diff` print what they printed, and warn on stderr
        // for the altered version they show; the others show as before.
        let out = run(
            &["history", "--config", &config, "rasoulof", "--show", "2"],
            &PG_ENV,
        )
        .await;
        assert!(
            warned(&out, "history --show 2").contains("in France"),
            "{backend}"
        );
        let out = run(&["history", "--config", &config, "rasoulof"], &PG_ENV).await;
        warned(&out, "history");
        let shown = ok(&run(
            &["history", "--config", &config, "rasoulof", "--show", "1"],
            &PG_ENV,
        )
        .await);
        assert!(shown.contains("in Europe"), "{backend}: {shown}");
        let out = run(
            &[
                "diff", "--config", &config, "--watch", "rasoulof", "--from", "1", "--to", "2",
            ],
            &PG_ENV,
        )
        .await;
        assert!(warned(&out, "diff").contains("France"), "{backend}");
        let out = run(
            &[
                "diff", "--config", &config, "--watch", "rasoulof", "--from", "1", "--to", "3",
            ],
            &PG_ENV,
        )
        .await;
        assert_eq!(out.status.code(), Some(0), "{backend}: {out:?}");
        assert!(out.stderr.is_empty(), "{backend}: {out:?}");

        // A browser shows the warnings as written.
        if let Some(chromium) = tool("chromium") {
            for (file, expected) in [
                (
                    "index.html",
                    "the text of version 2 no longer matches the SHA-256 it was stored under",
                ),
                ("rasoulof/index.html", altered),
                (
                    "rasoulof/v2.html",
                    "Warning: the text of version 2 (this version) was altered",
                ),
            ] {
                let profile = tempfile::tempdir().unwrap();
                let shown = Command::new(&chromium)
                    .args([
                        "--headless",
                        "--no-sandbox",
                        "--disable-gpu",
                        "--no-first-run",
                        "--disable-background-networking",
                        "--disable-component-update",
                        "--disable-sync",
                        "--dump-dom",
                    ])
                    .arg(format!("--user-data-dir={}", profile.path().display()))
                    .arg(format!("file://{}", viewer.join(file).display()))
                    .output()
                    .unwrap();
                assert!(shown.status.success(), "{backend}: {file}: chromium failed");
                let dom = String::from_utf8_lossy(&shown.stdout);
                assert!(
                    dom.contains(expected),
                    "{backend}: {file}: {expected:?} in {dom}"
                );
            }
        }
    }
}

/// The row of the viewer's index that links to `watch`'s timeline.
fn index_row<'a>(index: &'a str, watch: &str) -> &'a str {
    let link = format!("href=\"{watch}/index.html\"");
    index
        .split("<tr>")
        .find(|row| row.contains(&link))
        .unwrap_or_else(|| panic!("a row for {watch} in:\n{index}"))
}

#[tokio::test(flavor = "multi_thread")]
async fn a_body_that_fails_its_check_is_named_on_the_viewers_pages_and_linked_nowhere_on_either_backend(
) {
    for (backend, state, pg_db) in state_backends() {
        let (_server, project) = edited_and_taken_down(&state).await;
        let config = project.config_arg();
        // Someone swaps the kept page of versions 1 and 3 (the one taken
        // down) for another of the same length, its record left as it was.
        let body = presswatch::document::sha256_hex(page(PARAS[1]).as_bytes());
        let forged = page(&PARAS[1].replace("in Europe", "in Poland"));
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        std::io::Write::write_all(&mut gz, forged.as_bytes()).unwrap();
        let hex = presswatch::document::hex(&gz.finish().unwrap());
        let packed = match pg_db {
            None => format!("X'{hex}'"),
            Some(_) => format!("decode('{hex}', 'hex')"),
        };
        alter(
            &project,
            pg_db.as_deref(),
            &format!("UPDATE raw_bodies SET packed = {packed} WHERE sha256 = '{body}';"),
        );
        let viewer = project.path("viewer");
        let out = report(&config, &viewer, &PG_ENV).await;
        assert_eq!(out.status.code(), Some(1), "{backend}: {out:?}");
        let said = String::from_utf8_lossy(&out.stderr);
        assert!(
            said.contains(&format!(
                "the kept response {body} was altered or damaged since it was kept"
            )),
            "{backend}: {said}"
        );
        assert!(!viewer.join(format!("raw/{body}.bin")).exists());
        // No page links to it: each says in its place that it failed its
        // check and what to run.
        assert_local_links_resolve(&viewer);
        for file in [
            "rasoulof/v1.html",
            "rasoulof/v3.html",
            "rasoulof/index.html",
        ] {
            let html = std::fs::read_to_string(viewer.join(file)).unwrap();
            assert!(
                html.contains(
                    "failed its check: it is missing, or its bytes no longer hash to its SHA-256"
                ) && html.contains("Run <code>presswatch verify --config"),
                "{backend}: {file}: {html}"
            );
        }
        // The index flags the watch: two responses (versions 1 and 3) are
        // left out.
        let index = std::fs::read_to_string(viewer.join("index.html")).unwrap();
        let row = index_row(&index, "rasoulof");
        assert!(
            row.contains("2 kept responses failed their check"),
            "{backend}: {row}"
        );
    }
}

/// The SHA-256 of the edit's page (version 2 of [`edited_and_taken_down`]),
/// served uncompressed and kept in zstd.
fn edited_body() -> String {
    presswatch::document::sha256_hex(page(&PARAS[1].replace("in Europe", "in Germany")).as_bytes())
}

/// Writes `packed` (an SQL value) over the stored bytes of version 2's kept
/// body (see [`edited_body`]), so that they no longer decompress; then
/// checks that `verify` names it among the mismatches, and that `export`
/// hands over the rest, leaves it out, names it and fails (it does not
/// stop at the first damaged body). Returns the WARC written and what
/// `export` said on stderr.
async fn damaged_edit_is_named_by_verify_and_export(
    project: &Project,
    pg_db: Option<&str>,
    packed: &str,
    env: &[(&str, &str)],
    backend: &str,
) -> (PathBuf, String) {
    let config = project.config_arg();
    let body = edited_body();
    alter(
        project,
        pg_db,
        &format!("UPDATE raw_bodies SET packed = {packed} WHERE sha256 = '{body}';"),
    );
    let out = run(&["verify", "--config", &config], env).await;
    assert_eq!(out.status.code(), Some(1), "{backend}: {out:?}");
    let said = String::from_utf8_lossy(&out.stdout);
    mismatch_line(
        &said,
        &format!("watch rasoulof version 2 (the response it was accepted from): raw body {body}: does not decompress"),
        backend,
    );
    let warc = project.path("out.warc.gz");
    let out = export(&config, &warc, env).await;
    assert_eq!(out.status.code(), Some(1), "{backend}: {out:?}");
    let said = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(
        said.contains(&format!("LEFT OUT {}", damaged_edit_named())),
        "{backend}: {said}"
    );
    (warc, said)
}

/// How `export` and `report` name version 2's damaged body.
fn damaged_edit_named() -> String {
    format!(
        "watch rasoulof version 2: the kept response {} was altered or damaged since it was kept: it does not decompress",
        edited_body()
    )
}

#[tokio::test(flavor = "multi_thread")]
async fn a_body_whose_stored_bytes_no_longer_decompress_is_left_out_and_named_and_the_rest_handed_over_on_either_backend(
) {
    for (backend, state, pg_db) in state_backends() {
        let (_server, project) = edited_and_taken_down(&state).await;
        let config = project.config_arg();
        // The edit (version 2) was served uncompressed and kept in zstd. Its
        // stored bytes are damaged: they no longer decompress at all.
        let junk = match pg_db {
            None => "X'28b52ffd00deadbeef'",
            Some(_) => "decode('28b52ffd00deadbeef', 'hex')",
        };
        let (warc, said) = damaged_edit_is_named_by_verify_and_export(
            &project,
            pg_db.as_deref(),
            junk,
            &PG_ENV,
            backend,
        )
        .await;
        assert!(
            said.contains("1 kept response left out of the export"),
            "{backend}: {said}"
        );
        let records = warc_records(&warc);
        for version in ["1", "3"] {
            assert!(
                records
                    .iter()
                    .any(|r| field(r, "presswatch-version") == Some(version)),
                "{backend}: version {version} is exported"
            );
        }
        assert!(
            !records
                .iter()
                .any(|r| field(r, "presswatch-version") == Some("2")
                    && field(r, "presswatch-event") == Some("version")),
            "{backend}: nothing of version 2's response is exported"
        );

        // The viewer is written, the page of version 2 saying in place of
        // the body's link that it failed its check.
        let viewer = project.path("viewer");
        let out = report(&config, &viewer, &PG_ENV).await;
        assert_eq!(out.status.code(), Some(1), "{backend}: {out:?}");
        let said = String::from_utf8_lossy(&out.stderr);
        assert!(said.contains(&damaged_edit_named()), "{backend}: {said}");
        assert!(!viewer.join(format!("raw/{}.bin", edited_body())).exists());
        assert_local_links_resolve(&viewer);
        let v2 = std::fs::read_to_string(viewer.join("rasoulof/v2.html")).unwrap();
        assert!(
            v2.contains(
                "failed its check: it is missing, or its bytes no longer hash to its SHA-256"
            ),
            "{backend}: {v2}"
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_body_written_over_as_text_in_the_sqlite_file_is_a_mismatch_not_an_unreadable_database() {
    let (_server, project) = edited_and_taken_down("").await;
    // A tool edits the row and stores its bytes back as text.
    damaged_edit_is_named_by_verify_and_export(&project, None, "'not the page'", &[], "sqlite")
        .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_viewers_before_side_reads_as_the_version_before_did_word_for_word_and_mark_for_mark() {
    // A Persian story whose editors cut the clause after an Arabic
    // semicolon and end the sentence with a full stop.
    let before = "دادگاه انقلاب تهران او را به اتهام تبانی علیه امنیت ملی محکوم کرده بود؛ اتهامی که او و وکلایش همواره رد کرده‌اند و آن را سیاسی خوانده‌اند.";
    let after = "دادگاه انقلاب تهران او را به اتهام تبانی علیه امنیت ملی محکوم کرده بود.";
    let story = |third: &str| {
        news_page(
            "فرار رسول‌اف از ایران",
            "خبرنگار ما",
            &[
                "محمد رسول‌اف، فیلمساز ایرانی، پس از صدور حکم هشت سال زندان به صورت پنهانی و پیاده از ایران خارج شد.",
                "او در پیامی که روز دوشنبه منتشر شد گفت که ناچار بود میان زندان و ترک وطن یکی را برگزیند.",
                third,
            ],
            &["Unrelated story"],
        )
    };
    let server = Server::start().await;
    let cfg = format!(
        "[daemon]\nper_host_delay = \"0s\"\n[[watch]]\nname = \"rasoulof-fa\"\nurl = \"{}\"\n",
        server.url("/fa/rasoulof")
    );
    let project = Project::new(&cfg);
    let config = project.config_arg();
    for third in [before, after] {
        server.set("/fa/rasoulof", Route::html(story(third)));
        ok(&run(&["check", "--config", &config], &[]).await);
    }
    let viewer = project.path("viewer");
    ok(&report(&config, &viewer, &[]).await);
    let html = std::fs::read_to_string(viewer.join("rasoulof-fa/v2.html")).unwrap();
    let sides = &html[html.find("<h2>Side by side</h2>").unwrap()..];
    let (old_side, new_side) = sides.split_once("Version 2 (after)").unwrap();
    // Each side's paragraph, marks taken away, is that version's text.
    let text_of = |side: &str| -> Vec<String> {
        side.split("<p lang=\"fa\" dir=\"rtl\">")
            .skip(1)
            .map(|p| {
                let p = p.split("</p>").next().unwrap();
                let mut text = String::new();
                let mut in_tag = false;
                for c in p.chars() {
                    match c {
                        '<' => in_tag = true,
                        '>' => in_tag = false,
                        c if !in_tag => text.push(c),
                        _ => {}
                    }
                }
                text.trim().to_string()
            })
            .collect()
    };
    assert!(
        text_of(old_side).iter().any(|p| p == before),
        "version 1's paragraph as it read, with its semicolon: {old_side}"
    );
    assert!(text_of(new_side).iter().any(|p| p == after), "{new_side}");
    // The words cut are struck through on the old side, with the
    // semicolon that went with them; the full stop both versions end
    // with stays unmarked.
    assert!(
        old_side.contains("بود<del")
            && old_side.contains("؛ اتهامی که")
            && old_side.contains("خوانده‌اند</del>."),
        "the kept words end where version 1's own mark was cut: {old_side}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_windows_1256_story_served_as_utf_8_is_exported_and_shown_with_the_charset_presswatch_read_it_in(
) {
    // A Persian outlet's server calls every page UTF-8; this one is
    // windows-1256, as its own <meta> says. presswatch reads its letters;
    // the evidence must tell a reader how to read them too.
    let paragraph = "محمد رسول‌اف، فیلمساز ایرانی، پس از صدور حکم هشت سال زندان به صورت پنهانی و پیاده از ایران خارج شد.";
    let html = news_page(
        "فرار رسول‌اف از ایران",
        "خبرنگار ما",
        &[
            paragraph,
            "او در پیامی که روز دوشنبه منتشر شد گفت که ناچار بود میان زندان و ترک وطن یکی را برگزیند.",
            "فیلم تازه او قرار است در بخش مسابقه جشنواره فیلم کن به نمایش درآید.",
        ],
        &["Unrelated story"],
    )
    .replace("<meta charset=\"utf-8\">", "<meta charset=\"windows-1256\">")
    .replace('\u{6cc}', "\u{64a}");
    let (served, _, unmappable) = encoding_rs::WINDOWS_1256.encode(&html);
    assert!(!unmappable);
    let server = Server::start().await;
    let cfg = format!(
        "[daemon]\nper_host_delay = \"0s\"\n[[watch]]\nname = \"rasoulof-fa\"\nurl = \"{}\"\n",
        server.url("/fa/rasoulof")
    );
    let project = Project::new(&cfg);
    let config = project.config_arg();
    server.set("/fa/rasoulof", Route::html(served.to_vec()));
    ok(&run(&["check", "--config", &config], &[]).await);
    let extracted = ok(&run(
        &["history", "--config", &config, "rasoulof-fa", "--show", "1"],
        &[],
    )
    .await);
    let read = paragraph.replace('\u{6cc}', "\u{64a}");
    assert!(extracted.contains(&read), "{extracted}");

    // The WARC keeps the bytes and the header as served, and its metadata
    // record names the charset they were read in: decoded with it, the
    // response holds the text presswatch extracted.
    let warc = project.path("out.warc.gz");
    ok(&export(&config, &warc, &[]).await);
    let records = warc_records(&warc);
    let metadata = records
        .iter()
        .find(|r| field(r, "presswatch-event") == Some("version"))
        .unwrap();
    assert_eq!(field(metadata, "presswatch-charset"), Some("windows-1256"));
    let mut all = Vec::new();
    flate2::read::MultiGzDecoder::new(std::fs::File::open(&warc).unwrap())
        .read_to_end(&mut all)
        .unwrap();
    assert!(
        all.windows(served.len()).any(|w| w == &served[..]),
        "the body as served"
    );
    let (decoded, _, _) = encoding_rs::WINDOWS_1256.decode(&served);
    assert!(decoded.contains(&read));

    // The viewer says so beside the raw response.
    let viewer = project.path("viewer");
    ok(&report(&config, &viewer, &[]).await);
    let v1 = std::fs::read_to_string(viewer.join("rasoulof-fa/v1.html")).unwrap();
    assert!(
        v1.contains("Text read as <b>windows-1256</b>: its Content-Type header says charset=utf-8, which its bytes contradict; decode it as windows-1256 to read what presswatch read."),
        "{v1}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_report_written_again_into_its_directory_replaces_a_raw_file_changed_since() {
    let (_server, project) = edited_and_taken_down("").await;
    let config = project.config_arg();
    let viewer = project.path("viewer");
    ok(&report(&config, &viewer, &[]).await);
    // Someone edits a kept page on the shared drive, keeping its length.
    let body = page(PARAS[1]);
    let file = viewer.join(format!(
        "raw/{}.bin",
        presswatch::document::sha256_hex(body.as_bytes())
    ));
    let forged = body.replace("in Europe", "in Poland");
    assert_eq!(forged.len(), body.len());
    std::fs::write(&file, &forged).unwrap();
    // The next report puts back the bytes the pages name by their SHA-256.
    ok(&report(&config, &viewer, &[]).await);
    assert_eq!(std::fs::read_to_string(&file).unwrap(), body);
}

#[tokio::test(flavor = "multi_thread")]
async fn verify_finds_a_version_backdated_before_its_page_was_fetched_on_either_backend() {
    for (backend, state, pg_db) in state_backends() {
        let (_server, project) = edited_and_taken_down(&state).await;
        let config = project.config_arg();
        ok(&run(&["verify", "--config", &config], &PG_ENV).await);
        // Someone moves the edit (version 2) three days earlier, to make it
        // look older than it is; its text and its response stay as kept.
        alter(
            &project,
            pg_db.as_deref(),
            "UPDATE versions SET fetched_at = fetched_at - 3 * 86400 WHERE watch = 'rasoulof' AND seq = 2;",
        );
        let out = run(&["verify", "--config", &config], &PG_ENV).await;
        assert_eq!(out.status.code(), Some(1), "{backend}: {out:?}");
        let said = String::from_utf8_lossy(&out.stdout);
        let line = mismatch_line(
            &said,
            "watch rasoulof version 2: it is stored as accepted at ",
            backend,
        );
        assert!(
            line.contains("before the response it was accepted from was fetched (")
                && line.contains("as its record, which matches its digest, says): the time it was accepted at was altered since it was kept"),
            "{backend}: {line}"
        );
        // Its chain digest covers the time it was stored too.
        mismatch_line(
            &said,
            "watch rasoulof version 2: its chain digest (",
            backend,
        );
        assert_eq!(mismatches(&said), 2, "{backend}: {said}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn verify_finds_a_version_dated_later_than_its_check_could_have_stored_it_on_either_backend()
{
    for (backend, state, pg_db) in state_backends() {
        let (_server, project) = edited_and_taken_down(&state).await;
        let config = project.config_arg();
        let move_version_2 = |seconds: i64| {
            alter(
                &project,
                pg_db.as_deref(),
                &format!("UPDATE versions SET fetched_at = fetched_at + {seconds} WHERE watch = 'rasoulof' AND seq = 2;"),
            )
        };
        // A check as slow as a real one can be (its fetch cut at the
        // timeout, 30s, then an hour of reading and storing) is no mismatch
        // of the time: the version's chain digest alone, which covers the
        // time it was stored, finds it moved.
        move_version_2(30 + 3600 - 5);
        let out = run(&["verify", "--config", &config], &PG_ENV).await;
        let said = String::from_utf8_lossy(&out.stdout);
        assert_eq!(mismatches(&said), 1, "{backend}: {said}");
        mismatch_line(
            &said,
            "watch rasoulof version 2: its chain digest (",
            backend,
        );
        // Someone moves the edit (version 2) three days later, so that
        // `history` shows it at a time it never was; its text and its
        // response stay as kept.
        move_version_2(3 * 86_400 - (30 + 3600 - 5));
        let out = run(&["verify", "--config", &config], &PG_ENV).await;
        assert_eq!(out.status.code(), Some(1), "{backend}: {out:?}");
        let said = String::from_utf8_lossy(&out.stdout);
        let line = mismatch_line(
            &said,
            "watch rasoulof version 2: it is stored as accepted at ",
            backend,
        );
        assert!(
            line.contains(" after the response it was accepted from was fetched (")
                && line.contains("as its record, which matches its digest, says), later than its check could have stored it (a check stores its version within the fetch's timeout, 30s, and 1h more): the time it was accepted at was altered since it was kept"),
            "{backend}: {line}"
        );
        // How much later, to the second (the check itself took under one).
        assert!(
            line.contains(", 3d after") || line.contains(", 3d 0h 0m 1s after"),
            "{backend}: {line}"
        );
        assert_eq!(mismatches(&said), 2, "{backend}: {said}");
        assert!(said.contains("What to do:"), "{backend}: {said}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn verify_finds_a_version_deleted_from_the_history_but_not_the_oldest_pruned_on_either_backend(
) {
    for (backend, state, pg_db) in state_backends() {
        // Versions 1 to 3, version 3 taken down; then back, edited again:
        // version 4, and version 1 pruned (keep_versions = 3) with its
        // response, which is no mismatch.
        let (server, project) = edited_and_taken_down(&format!("{state}keep_versions = 3\n")).await;
        let config = project.config_arg();
        server.set(
            "/2024/05/rasoulof",
            Route::html(page(&PARAS[1].replace("in Europe", "in France"))),
        );
        ok(&run(&["check", "--config", &config], &PG_ENV).await);
        let said = ok(&run(&["verify", "--config", &config], &PG_ENV).await);
        assert!(
            said.contains(" and 3 versions: 0 mismatches"),
            "{backend}: {said}"
        );
        // Someone deletes version 3 (the text taken down) with its
        // responses and its takedown: a version missing between two kept.
        alter(
            &project,
            pg_db.as_deref(),
            "DELETE FROM raw_snapshots WHERE watch = 'rasoulof' AND version = 3;
             DELETE FROM watch_events WHERE watch = 'rasoulof' AND version = 3;
             DELETE FROM versions WHERE watch = 'rasoulof' AND seq = 3;",
        );
        let out = run(&["verify", "--config", &config], &PG_ENV).await;
        assert_eq!(out.status.code(), Some(1), "{backend}: {out:?}");
        let said = String::from_utf8_lossy(&out.stdout);
        assert!(
            mismatch_line(&said, "watch rasoulof version 3: ", backend)
                == "MISMATCH watch rasoulof version 3: it is no longer kept, yet versions 2 and 4 on either side are kept: presswatch prunes only a watch's oldest versions (keep_versions), with their responses, takedowns and restores, so it was deleted since it was kept",
            "{backend}: {said}"
        );
        // Version 4 was chained to the version deleted, not to version 2.
        let v4 = mismatch_line(
            &said,
            "watch rasoulof version 4: it was chained to a version before it whose digest was ",
            backend,
        );
        assert!(
            v4.ends_with(": a version between them was deleted, or version 2 rewritten, since version 4 was stored"),
            "{backend}: {v4}"
        );
        assert_eq!(mismatches(&said), 2, "{backend}: {said}");
        assert!(said.contains("What to do:"), "{backend}: {said}");
        // Then the newest version's row alone: its response and its
        // restore still name it.
        alter(
            &project,
            pg_db.as_deref(),
            "DELETE FROM versions WHERE watch = 'rasoulof' AND seq = 4;",
        );
        let out = run(&["verify", "--config", &config], &PG_ENV).await;
        assert_eq!(out.status.code(), Some(1), "{backend}: {out:?}");
        let said = String::from_utf8_lossy(&out.stdout);
        let v4 = mismatch_line(&said, "watch rasoulof version 4: it is no longer kept, yet the response it was accepted from is kept, and its restore at ", backend);
        assert!(v4.ends_with(" is kept: presswatch prunes only a watch's oldest versions (keep_versions), with their responses, takedowns and restores, so it was deleted since it was kept"), "{backend}: {v4}");
        assert_eq!(mismatches(&said), 1, "{backend}: {said}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_watch_removed_from_the_config_keeps_its_evidence_in_the_export_and_the_viewer_on_either_backend(
) {
    for (backend, state, _) in state_backends() {
        let (server, project) = edited_and_taken_down(&state).await;
        let config = project.config_arg();
        // The story's [[watch]] is replaced by another one: its versions,
        // responses and takedown stay in the state.
        let cfg = std::fs::read_to_string(project.config()).unwrap();
        let cfg = cfg
            .replace("name = \"rasoulof\"", "name = \"other\"")
            .replace("/2024/05/rasoulof", "/2024/05/other");
        std::fs::write(project.config(), cfg).unwrap();
        server.set("/2024/05/other", Route::html(page(PARAS[1])));
        ok(&run(&["check", "--config", &config], &PG_ENV).await);
        let warc = project.path("all.warc.gz");
        let said = ok(&export(&config, &warc, &PG_ENV).await);
        let records = warc_records(&warc);
        let watched = |name: &str| {
            records
                .iter()
                .filter(|r| field(r, "presswatch-watch") == Some(name))
                .count()
        };
        assert!(watched("rasoulof") >= 4, "{backend}: {said}");
        assert!(watched("other") >= 1, "{backend}: {said}");
        assert!(
            records[0].contains(&format!(
                "presswatch-watch: rasoulof {}",
                server.url("/2024/05/rasoulof")
            )),
            "{backend}: {}",
            records[0]
        );
        // One watch's export names it, though the config does not.
        let one = project.path("one.warc.gz");
        ok(&run(
            &[
                "export",
                "--config",
                &config,
                "--watch",
                "rasoulof",
                "--warc",
                one.to_str().unwrap(),
            ],
            &PG_ENV,
        )
        .await);
        assert!(warc_records(&one)
            .iter()
            .all(|r| field(r, "presswatch-watch") != Some("other")));
        let viewer = project.path("viewer");
        ok(&report(&config, &viewer, &PG_ENV).await);
        let index = std::fs::read_to_string(viewer.join("index.html")).unwrap();
        assert!(
            index.contains("href=\"rasoulof/index.html\""),
            "{backend}: {index}"
        );
        assert!(
            index.contains(">rasoulof · no longer in the config: not checked any more</span>")
                && index.contains(">other</span>"),
            "{backend}: {index}"
        );
        let timeline = std::fs::read_to_string(viewer.join("rasoulof/index.html")).unwrap();
        assert!(timeline.contains("Taken down"), "{backend}: {timeline}");
        assert!(viewer.join("rasoulof/v3.html").is_file(), "{backend}");
        // Its history and its changes are read as before.
        let history = ok(&run(&["history", "--config", &config, "rasoulof"], &PG_ENV).await);
        assert!(history.contains("taken down: "), "{backend}: {history}");
        let out = run(
            &[
                "diff", "--config", &config, "--watch", "rasoulof", "--from", "1", "--to", "2",
            ],
            &PG_ENV,
        )
        .await;
        assert_eq!(out.status.code(), Some(1), "{backend}: {out:?}");
        assert!(
            String::from_utf8_lossy(&out.stdout).contains("{+Germany"),
            "{backend}: {out:?}"
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn verify_says_how_many_versions_times_it_cannot_check_once_keep_raw_pruned_their_responses_on_either_backend(
) {
    for (backend, state, pg_db) in state_backends() {
        // Each watch keeps only its newest version's response.
        let (_server, project) =
            edited_and_taken_down(&format!("{state}keep_raw = \"1B\"\n")).await;
        let config = project.config_arg();
        let said = ok(&run(&["verify", "--config", &config], &PG_ENV).await);
        assert!(
            said.contains(
                "2 versions whose raw response is not kept (pruned by keep_raw, or kept with keep_raw = \"off\"): \
                 their texts are re-hashed, but the time each was accepted at cannot be checked against the fetch of its page"
            ),
            "{backend}: {said}"
        );
        // Moved later, the version whose response is kept is caught; the
        // pruned one cannot be.
        alter(
            &project,
            pg_db.as_deref(),
            "UPDATE versions SET fetched_at = fetched_at + 3 * 86400 WHERE watch = 'rasoulof';",
        );
        let out = run(&["verify", "--config", &config], &PG_ENV).await;
        assert_eq!(out.status.code(), Some(1), "{backend}: {out:?}");
        let said = String::from_utf8_lossy(&out.stdout);
        mismatch_line(
            &said,
            "watch rasoulof version 3: it is stored as accepted at ",
            backend,
        );
        assert_eq!(
            said.matches(": it is stored as accepted at ").count(),
            1,
            "{backend}: {said}"
        );
        // Each version's chain digest covers its time: all three are found.
        assert_eq!(
            said.matches(": its chain digest (").count(),
            3,
            "{backend}: {said}"
        );
    }
}

/// A section page: a lead paragraph, then links to `n` stories; an article
/// watch reads its lead, a listing watch its links.
fn section_page(n: usize) -> Route {
    let lead =
        "The court heard the appeal today in a long session that lasted many hours. ".repeat(5);
    let links: String = (0..n)
        .map(|i| format!("<li><a href=\"/news/story-{i}\">Court hears appeal number {i} in the Tehran case</a></li>"))
        .collect();
    Route::html(format!(
        "<!DOCTYPE html><html><head><title>World</title></head><body><main><h1>World</h1><p>{lead}</p><ul>{links}</ul></main></body></html>"
    ))
}

#[tokio::test(flavor = "multi_thread")]
async fn history_shows_each_version_as_the_kind_it_was_stored_as_after_the_watchs_kind_changed_on_either_backend(
) {
    for (backend, state, _) in state_backends() {
        let server = Server::start().await;
        server.set("/world", section_page(10));
        let project = Project::new("");
        let config = project.config_arg();
        let check = |kind: &str| {
            let cfg = format!(
                "[daemon]\nper_host_delay = \"0s\"\n{state}\n[[watch]]\nname = \"world\"\nkind = \"{kind}\"\nurl = \"{}\"\nrobots = false\n",
                server.url("/world")
            );
            std::fs::write(project.config(), cfg).unwrap();
            let config = &config;
            async move { ok(&run(&["check", "--config", config], &PG_ENV).await) }
        };
        let history =
            || async { ok(&run(&["history", "--config", &config, "world"], &PG_ENV).await) };
        // An article watch (version 1: the section's text), made a listing
        // of the same page (version 2: its links), then an article again
        // (version 3).
        check("article").await;
        check("listing").await;
        let said = history().await;
        let lines: Vec<&str> = said.lines().collect();
        assert_eq!(lines.len(), 2, "{backend}: {said}");
        assert!(
            lines[0].contains(" words  baseline (first fetch)"),
            "{backend}: version 1 is the article's text: {said}"
        );
        assert!(
            lines[1].contains("   10 items  the watch became a listing or feed: its item list, not compared with the article's text before"),
            "{backend}: {said}"
        );
        let shown = ok(&run(
            &["history", "--config", &config, "world", "--show", "1"],
            &PG_ENV,
        )
        .await);
        assert!(
            shown.contains("The court heard the appeal today")
                && !shown.contains("Court hears appeal number"),
            "{backend}: {shown}"
        );
        check("article").await;
        let said = history().await;
        let lines: Vec<&str> = said.lines().collect();
        assert_eq!(lines.len(), 3, "{backend}: {said}");
        assert!(
            lines[1].contains("   10 items  "),
            "{backend}: version 2 is still the item list: {said}"
        );
        assert!(
            lines[2].contains(" words  the watch became an article: its text, not compared with the item list before"),
            "{backend}: {said}"
        );
        // `diff` says why it does not compare versions 2 and 3.
        let out = run(&["diff", "--config", &config, "--watch", "world"], &PG_ENV).await;
        assert_eq!(out.status.code(), Some(2), "{backend}: {out:?}");
        let said = String::from_utf8_lossy(&out.stderr);
        assert!(
            said.contains("watch world: version 2 is a listing's or feed's item list and version 3 an article's text (the watch's kind changed between them): they cannot be compared"),
            "{backend}: {said}"
        );
        // The viewer shows each version as what it is, in order.
        let viewer = project.path("viewer");
        ok(&report(&config, &viewer, &PG_ENV).await);
        let page =
            |seq: i64| std::fs::read_to_string(viewer.join(format!("world/v{seq}.html"))).unwrap();
        assert!(
            page(1).contains("The court heard the appeal today"),
            "{backend}"
        );
        assert!(
            page(2).contains("Court hears appeal number 9 in the Tehran case"),
            "{backend}"
        );
        let v3 = page(3);
        assert!(v3.contains("The court heard the appeal today"), "{backend}");
        // A new baseline, not an edit of version 1's text.
        assert!(!v3.contains("No change that alerts"), "{backend}: {v3}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_takedowns_record_in_the_warc_is_dated_no_earlier_than_the_answer_that_reported_it() {
    let (_server, project) = dated_edited_and_taken_down("").await;
    let config = project.config_arg();
    let warc = project.path("out.warc.gz");
    ok(&export(&config, &warc, &[]).await);
    let records = warc_records(&warc);
    let date =
        |r: &String| chrono::DateTime::parse_from_rfc3339(field(r, "WARC-Date").unwrap()).unwrap();
    let takedown = records
        .iter()
        .find(|r| {
            field(r, "presswatch-event") == Some("taken_down")
                && field(r, "WARC-Concurrent-To").is_some()
        })
        .expect("a takedown record naming its answer");
    let answer_id = field(takedown, "WARC-Concurrent-To").unwrap();
    let answer = records
        .iter()
        .find(|r| field(r, "WARC-Record-ID") == Some(answer_id))
        .unwrap();
    assert!(field(answer, "WARC-Type").is_some_and(|t| t == "response" || t == "revisit"));
    // Detected after the 404 came back, within the same second.
    let (detected, fetched) = (date(takedown), date(answer));
    assert!(
        detected >= fetched,
        "{detected} before its answer {fetched}"
    );
    assert!(detected - fetched < chrono::Duration::seconds(1));
}

#[tokio::test(flavor = "multi_thread")]
async fn records_kept_before_record_digests_are_exported_and_shown_as_before_with_a_note() {
    for (backend, state, pg_db) in state_backends() {
        let (_server, project) = dated_edited_and_taken_down(&state).await;
        let config = project.config_arg();
        let viewer = project.path("viewer");
        ok(&report(&config, &viewer, &PG_ENV).await);
        assert_local_links_resolve(&viewer);
        let v1 = std::fs::read_to_string(viewer.join("rasoulof/v1.html")).unwrap();
        assert!(!v1.contains("predates record digests"), "{backend}: {v1}");
        // The database as a presswatch from before record digests left it.
        let drop_digests = "ALTER TABLE raw_snapshots DROP COLUMN record_sha256;
             ALTER TABLE raw_snapshots DROP COLUMN record_fields;";
        match pg_db {
            None => alter(&project, None, drop_digests),
            Some(ref db) => alter(
                &project,
                Some(db),
                &format!("{drop_digests} DELETE FROM schema_migrations WHERE version >= 9;"),
            ),
        }
        let warc = project.path("out.warc.gz");
        let said = ok(&export(&config, &warc, &PG_ENV).await);
        assert!(
            said.contains("(3 responses, 0 revisits, 1 takedown or restore)"),
            "{backend}: {said}"
        );
        assert!(
            warc_records(&warc)
                .iter()
                .any(|r| r.contains("Mon, 06 May 2024 08:00:00 GMT")),
            "{backend}: version 1's headers are exported as kept"
        );
        ok(&report(&config, &viewer, &PG_ENV).await);
        assert_local_links_resolve(&viewer);
        let v1 = std::fs::read_to_string(viewer.join("rasoulof/v1.html")).unwrap();
        assert!(
            v1.contains("This record predates record digests")
                && v1.contains("Mon, 06 May 2024 08:00:00 GMT")
                && v1.contains("raw/"),
            "{backend}: shown as before, with a note: {v1}"
        );
        let timeline = std::fs::read_to_string(viewer.join("rasoulof/index.html")).unwrap();
        assert!(
            timeline.contains("This record predates record digests"),
            "{backend}: {timeline}"
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn with_keep_raw_off_versions_and_alerts_are_kept_but_no_raw_response() {
    let (server, project) = edited_and_taken_down("keep_raw = \"off\"").await;
    let config = project.config_arg();
    // The edit and the takedown were alerted as always.
    let hooks = server.requests_to("/hook");
    assert_eq!(hooks.len(), 3, "edit, edit undone, takedown");
    assert!(
        String::from_utf8_lossy(&hooks[2].body).contains("taken_down"),
        "{}",
        String::from_utf8_lossy(&hooks[2].body)
    );
    // The text versions are kept; no response is.
    let said = ok(&run(&["verify", "--config", &config], &[]).await);
    assert!(
        said.contains("verified 0 raw bodies, 0 snapshot records and 3 versions: 0 mismatches"),
        "{said}"
    );
    let db = rusqlite::Connection::open(project.path("state/presswatch.db")).unwrap();
    let snapshots: i64 = db
        .query_row("SELECT count(*) FROM raw_snapshots", [], |r| r.get(0))
        .unwrap();
    assert_eq!(snapshots, 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn keep_raw_logs_each_pruning_pass_once_with_how_many_responses_and_bytes_and_why() {
    for (backend, state, pg_db) in state_backends() {
        let server = Server::start().await;
        let path = "/2024/05/rasoulof";
        let cfg = |daemon: &str| {
            format!(
                "[daemon]\nper_host_delay = \"0s\"\n{state}{daemon}\n[[watch]]\nname = \"rasoulof\"\nurl = \"{}\"\n",
                server.url(path)
            )
        };
        let project = Project::new(&cfg(""));
        let config = project.config_arg();
        let check = |second: String| {
            server.set(path, Route::html(page(&second)));
            async { run(&["-v", "check", "--config", &config], &PG_ENV).await }
        };
        // Three versions keep their responses while there is no cap.
        for place in ["Europe", "Germany", "France"] {
            let out = check(PARAS[1].replace("Europe", place)).await;
            ok(&out);
            assert!(
                !String::from_utf8_lossy(&out.stderr).contains("keep_raw"),
                "{backend}: nothing pruned, nothing logged"
            );
        }
        let sum = "SELECT sum(stored) FROM raw_bodies";
        let kept: i64 = match &pg_db {
            None => rusqlite::Connection::open(project.path("state/presswatch.db"))
                .unwrap()
                .query_row(sum, [], |r| r.get(0))
                .unwrap(),
            Some(db) => pg::cluster()
                .unwrap()
                .psql(db, sum)
                .unwrap()
                .trim()
                .parse()
                .unwrap(),
        };
        // A cap of one byte: the next version's storage prunes the three
        // older responses in one pass, logged once.
        std::fs::write(project.config(), cfg("keep_raw = \"1B\"")).unwrap();
        let out = check(PARAS[1].replace("Europe", "Italy")).await;
        ok(&out);
        let logs = String::from_utf8_lossy(&out.stderr);
        let lines: Vec<&str> = logs.lines().filter(|l| l.contains("keep_raw")).collect();
        assert_eq!(lines.len(), 1, "{backend}: {logs}");
        let line = lines[0];
        assert!(line.contains(" INFO "), "{backend}: {line}");
        assert!(
            line.contains(&format!(
                "keep_raw pruned 3 raw responses ({} compressed) of 1 watch (rasoulof), to stay within the size cap of 1 byte; each watch's newest version keeps its response",
                presswatch::text::bytes(kept as u64)
            )),
            "{backend}: {line}"
        );
        assert!(
            line.contains(&format!("responses=3 bytes={kept} watches=1")),
            "{backend}: {line}"
        );
        // The next accepted version prunes only the one before it.
        let out = check(PARAS[1].replace("Europe", "Spain")).await;
        let logs = String::from_utf8_lossy(&out.stderr);
        assert!(
            logs.contains("keep_raw pruned 1 raw response ("),
            "{backend}: {logs}"
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn the_viewer_opens_in_chromium_without_errors_and_shows_the_changed_words() {
    let server = Server::start().await;
    let path = "/fa/rasoulof";
    let fa = |day: &str| {
        format!(
            "<!DOCTYPE html><html lang=\"fa\" dir=\"rtl\"><head><meta charset=\"utf-8\"><title>محمد رسول‌اف از ایران خارج شد</title></head><body><article><h1>محمد رسول‌اف از ایران خارج شد</h1>\
<p>محمد رسول‌اف، فیلمساز ایرانی، پس از تأیید حکم هشت سال زندان در دادگاه تجدیدنظر، مخفیانه و پیاده از مرزهای کوهستانی ایران خارج شد.</p>\
<p>این خبر روز {day} اردیبهشت منتشر شد و او اکنون در اروپا به سر می‌برد و درباره سفر طولانی خود سخن گفته است.</p>\
<p>فیلم تازه او به جنبش اعتراضی پس از مرگ مهسا امینی می‌پردازد و در جشنواره کن به نمایش درمی‌آید.</p></article></body></html>"
        )
    };
    let cfg = format!(
        "[daemon]\nper_host_delay = \"0s\"\n[[watch]]\nname = \"avaye-fa\"\nurl = \"{}\"\n",
        server.url(path)
    );
    let project = Project::new(&cfg);
    let config = project.config_arg();
    for day in ["۲۳", "۲۴"] {
        server.set(path, Route::html(fa(day)));
        ok(&run(&["check", "--config", &config], &[]).await);
    }
    let out = project.path("report");
    ok(&report(&config, &out, &[]).await);
    assert_local_links_resolve(&out);
    let v2 = std::fs::read_to_string(out.join("avaye-fa/v2.html")).unwrap();
    assert!(!v2.contains("<script"), "the viewer needs no scripts");
    assert!(v2.contains("dir=\"rtl\""));
    let Some(chromium) = tool("chromium") else {
        return;
    };
    for page in ["index.html", "avaye-fa/index.html", "avaye-fa/v2.html"] {
        let profile = tempfile::tempdir().unwrap();
        let shown = Command::new(&chromium)
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--enable-logging=stderr",
                "--v=0",
                "--dump-dom",
            ])
            .arg(format!("--user-data-dir={}", profile.path().display()))
            .arg(format!("file://{}", out.join(page).display()))
            .output()
            .unwrap();
        assert!(shown.status.success(), "{page}: chromium failed");
        let log = String::from_utf8_lossy(&shown.stderr);
        assert!(
            !log.lines()
                .any(|l| l.contains("CONSOLE") || l.contains("Uncaught")),
            "{page}: console messages:\n{log}"
        );
        let dom = String::from_utf8_lossy(&shown.stdout);
        assert!(dom.contains("رسول‌اف"), "{page}: {dom}");
        if page.ends_with("v2.html") {
            // The changed word, struck out and added, as in the alert email.
            assert!(dom.contains("۲۳</del>"), "{dom}");
            assert!(dom.contains("۲۴</ins>"), "{dom}");
            assert!(dom.contains("raw/"), "links to the raw snapshot");
        }
    }
}

/// The records of a WARC file (every gzip member), as text.
fn warc_records(path: &Path) -> Vec<String> {
    let mut all = Vec::new();
    flate2::read::MultiGzDecoder::new(std::fs::File::open(path).unwrap())
        .read_to_end(&mut all)
        .unwrap();
    String::from_utf8_lossy(&all)
        .split("WARC/1.1\r\n")
        .filter(|r| !r.is_empty())
        .map(str::to_string)
        .collect()
}

/// The index's "Last change" of a story corrected, then taken down, then
/// back: what happened last, as its timeline's last entry says it.
#[tokio::test(flavor = "multi_thread")]
async fn the_index_gives_a_story_its_latest_timeline_entry_as_its_last_change() {
    let server = Server::start().await;
    let path = "/2024/05/rasoulof";
    let cfg = format!(
        "[daemon]\nper_host_delay = \"0s\"\n[[watch]]\nname = \"rasoulof\"\nurl = \"{}\"\n",
        server.url(path)
    );
    let project = Project::new(&cfg);
    let config = project.config_arg();
    let corrected = news_page(
        "Filmmaker Rasoulof flees Iran",
        "Jane Doe",
        &[
            PARAS[0],
            PARAS[1],
            PARAS[2],
            "Correction: An earlier version of this article misstated the day the statement was released.",
        ],
        &["Unrelated story"],
    );
    let last_change = |out: &Path| {
        let index = std::fs::read_to_string(out.join("index.html")).unwrap();
        let row = index
            .split("<tr>")
            .nth(2)
            .expect("the story's row")
            .to_string();
        let cells = row.split("</td></tr>").next().unwrap();
        cells.rsplit("<td>").next().unwrap().to_string()
    };
    let mut seen = Vec::new();
    for (step, route) in [
        ("first", Route::html(page(PARAS[1]))),
        ("corrected", Route::html(corrected.clone())),
        ("gone", Route::status(404)),
        ("back", Route::html(corrected.clone())),
    ] {
        server.set(path, route);
        ok(&run(&["check", "--config", &config], &[]).await);
        let out = project.path(&format!("report-{step}"));
        ok(&report(&config, &out, &[]).await);
        let last = last_change(&out);
        // The last change is dated as the timeline's last entry is.
        let timeline = std::fs::read_to_string(out.join("rasoulof/index.html")).unwrap();
        let last_row = timeline.rsplit("<tr").next().unwrap();
        let (when, _) = last.split_once(" · ").unwrap_or((&last, ""));
        if step != "first" {
            assert!(
                last_row.contains(&format!("<td>{when}</td>")),
                "{step}: {last} vs the timeline's last entry {last_row}"
            );
        }
        seen.push(
            last.split_once(" · ")
                .map_or(last.clone(), |(_, what)| what.to_string()),
        );
    }
    assert_eq!(seen, ["none", "Correction added", "Taken down", "Restored"]);
}

/// A header field of a WARC record, or a field of its `application/warc-fields` block.
fn field<'a>(record: &'a str, name: &str) -> Option<&'a str> {
    record
        .lines()
        .find_map(|l| l.strip_prefix(name)?.strip_prefix(": "))
}

#[tokio::test(flavor = "multi_thread")]
async fn the_timeline_and_the_export_list_takedowns_and_restores_with_their_evidence() {
    let server = Server::start().await;
    let path = "/2024/05/rasoulof";
    let cfg = format!(
        "[daemon]\nper_host_delay = \"0s\"\n[[watch]]\nname = \"rasoulof\"\nurl = \"{}\"\n",
        server.url(path)
    );
    let project = Project::new(&cfg);
    let config = project.config_arg();
    let report = |out: &'static str| {
        let (config, out) = (config.clone(), project.path(out));
        async move {
            ok(&report(&config, &out, &[]).await);
            assert_local_links_resolve(&out);
            out
        }
    };
    // The story, then taken down (a 404 whose answer is kept), then back.
    server.set(path, Route::html(page(PARAS[1])));
    ok(&run(&["check", "--config", &config], &[]).await);
    server.set(
        path,
        Route {
            body: b"<html><body>Page not found</body></html>".to_vec(),
            ..Route::status(404)
        },
    );
    ok(&run(&["check", "--config", &config], &[]).await);
    let while_gone = report("report-gone").await;
    server.set(path, Route::html(page(PARAS[1])));
    ok(&run(&["check", "--config", &config], &[]).await);
    let out = report("report").await;

    let db = rusqlite::Connection::open(project.path("state/presswatch.db")).unwrap();
    let kept = |kind: &str| -> String {
        db.query_row(
            "SELECT body_sha256 FROM raw_snapshots WHERE watch = 'rasoulof' AND version = 1 AND kind = ?1",
            [kind],
            |r| r.get(0),
        )
        .unwrap()
    };
    let (story, answer) = (kept("version"), kept("taken_down"));
    let events: Vec<(i64, String)> = db
        .prepare("SELECT at, kind FROM watch_events WHERE watch = 'rasoulof' ORDER BY at, rowid")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    let kinds: Vec<&str> = events.iter().map(|(_, k)| k.as_str()).collect();
    assert_eq!(kinds, ["taken_down", "restored"]);
    let when = |at: i64| {
        chrono::DateTime::from_timestamp(at, 0)
            .unwrap()
            .format("%Y-%m-%d %H:%M:%S UTC")
            .to_string()
    };

    // The timeline: version 1, then the takedown and the restore as entries
    // of their own, with their times; the takedown links to the last kept
    // snapshot of what the story said and to the answer that reported it.
    let timeline = std::fs::read_to_string(out.join("rasoulof/index.html")).unwrap();
    let rows: Vec<&str> = timeline
        .split("<tr")
        .skip(2)
        .map(|r| r.split_once('>').unwrap().1)
        .collect();
    assert_eq!(rows.len(), 3, "{timeline}");
    assert!(
        rows[0].contains("Version 1</a>") && rows[0].contains("First version kept"),
        "{timeline}"
    );
    let down = rows[1];
    for expected in [
        format!("<td>{}</td>", when(events[0].0)),
        "<a href=\"v1.html\">Version 1</a>".to_string(),
        "Taken down</span>: <span dir=\"auto\">The article answers HTTP 404</span>".to_string(),
        format!("Last kept snapshot (version 1): <a href=\"../raw/{story}.bin\">"),
        format!("SHA-256 <span class=\"hash\">{story}</span>"),
        format!("The answer (HTTP/1.1 404 Not Found): <a href=\"../raw/{answer}.bin\">"),
    ] {
        assert!(
            down.contains(&expected),
            "{expected:?} in the takedown row:\n{down}"
        );
    }
    let back = rows[2];
    for expected in [
        format!("<td>{}</td>", when(events[1].0)),
        "Restored</span>: <span dir=\"auto\">Article is back, unchanged</span>".to_string(),
        "Its text is version 1.".to_string(),
    ] {
        assert!(
            back.contains(&expected),
            "{expected:?} in the restore row:\n{back}"
        );
    }
    // The snapshot linked is the story as it was served.
    assert_eq!(
        std::fs::read(out.join(format!("raw/{story}.bin"))).unwrap(),
        page(PARAS[1]).into_bytes()
    );
    // The index marks a story taken down while it is, and not once it is back.
    let gone_index = std::fs::read_to_string(while_gone.join("index.html")).unwrap();
    assert!(
        gone_index.contains("<span class=\"gone\">taken down</span>"),
        "{gone_index}"
    );
    let index = std::fs::read_to_string(out.join("index.html")).unwrap();
    assert!(!index.contains("taken down"), "{index}");

    // The export: a metadata record per event, at its time, referring to
    // the response of the version it concerns; the takedown's names the
    // answer that reported it.
    let warc = project.path("out.warc.gz");
    let said = ok(&export(&config, &warc, &[]).await);
    assert!(said.contains("2 takedowns and restores"), "{said}");
    let records = warc_records(&warc);
    let response_of = |sha: &str| {
        let payload = presswatch::warc::digest(&if sha == story {
            page(PARAS[1]).into_bytes()
        } else {
            b"<html><body>Page not found</body></html>".to_vec()
        });
        records
            .iter()
            .find(|r| {
                field(r, "WARC-Type") == Some("response")
                    && field(r, "WARC-Payload-Digest") == Some(payload.as_str())
            })
            .and_then(|r| field(r, "WARC-Record-ID"))
            .unwrap_or_else(|| panic!("a response record with the body {sha}"))
    };
    let event = |kind: &str| {
        records
            .iter()
            .find(|r| {
                field(r, "WARC-Type") == Some("metadata")
                    && field(r, "presswatch-event") == Some(kind)
                    && field(r, "presswatch-event-detail").is_some()
            })
            .unwrap_or_else(|| panic!("a metadata record of the {kind} event"))
    };
    let down = event("taken_down");
    let iso = |at: i64| {
        chrono::DateTime::from_timestamp(at, 0)
            .unwrap()
            .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
    };
    // Within the second it was detected in (at its answer's fetch time).
    let second = |r: &str| {
        chrono::DateTime::parse_from_rfc3339(field(r, "WARC-Date").unwrap())
            .unwrap()
            .timestamp()
    };
    assert_eq!(second(down), events[0].0);
    assert_eq!(
        field(down, "WARC-Target-URI"),
        Some(server.url(path).as_str())
    );
    assert_eq!(
        field(down, "presswatch-event-detail"),
        Some("The article answers HTTP 404")
    );
    assert_eq!(field(down, "presswatch-version"), Some("1"));
    assert_eq!(field(down, "presswatch-body-sha256"), Some(story.as_str()));
    assert_eq!(field(down, "WARC-Refers-To"), Some(response_of(&story)));
    assert_eq!(
        field(down, "WARC-Concurrent-To"),
        Some(response_of(&answer))
    );
    let back = event("restored");
    assert_eq!(field(back, "WARC-Date"), Some(iso(events[1].0).as_str()));
    assert_eq!(field(back, "WARC-Refers-To"), Some(response_of(&story)));
    if let Some(warcio) = tool("warcio") {
        let check = ok(&Command::new(&warcio)
            .arg("check")
            .arg("-v")
            .arg(&warc)
            .output()
            .unwrap());
        assert!(!check.contains("failed"), "{check}");
    }
}

/// An export handed over is evidence: a second export to the same name does
/// not overwrite it unasked (`--force` does), and a path that cannot be
/// written says what to do before any work is done.
#[tokio::test(flavor = "multi_thread")]
async fn an_export_never_overwrites_a_file_unasked_and_a_bad_path_says_what_to_do() {
    let (_server, project) = edited_and_taken_down("").await;
    let config = project.config_arg();
    let warc = project.path("handed-over.warc.gz");
    let export = |extra: Vec<String>| {
        let config = config.clone();
        async move {
            let mut args = vec!["export".to_string(), "--config".into(), config];
            args.extend(extra);
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            run(&args, &[]).await
        }
    };
    let to = |p: &Path| vec!["--warc".to_string(), p.to_str().unwrap().to_string()];
    ok(&export(to(&warc)).await);
    let first = std::fs::read(&warc).unwrap();

    let again = export(to(&warc)).await;
    assert_eq!(again.status.code(), Some(2), "{again:?}");
    let said = String::from_utf8_lossy(&again.stderr);
    assert!(
        said.contains(&format!("{} exists already", warc.display())) && said.contains("--force"),
        "{said}"
    );
    assert_eq!(
        std::fs::read(&warc).unwrap(),
        first,
        "the first export stays"
    );

    let mut forced = to(&warc);
    forced.push("--force".into());
    ok(&export(forced).await);

    let missing = project.path("no-such-dir/out.warc.gz");
    let out = export(to(&missing)).await;
    assert_eq!(out.status.code(), Some(2));
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(
        said.contains(&format!(
            "the directory {} does not exist; create it",
            project.path("no-such-dir").display()
        )),
        "{said}"
    );
    let out = export(to(&project.path("state"))).await;
    assert_eq!(out.status.code(), Some(2));
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(
        said.contains("is a directory: give the WARC file"),
        "{said}"
    );
}

/// A file a command is given that is not there, or is a directory, is
/// named with what is wrong and what to do, by `verify --heads`,
/// `verify --record`, `extract` and `diff` alike; they said "reading
/// PATH: No such file or directory (os error 2)" or "Is a directory (os
/// error 21)".
#[tokio::test(flavor = "multi_thread")]
async fn a_file_a_command_is_given_that_cannot_be_read_says_what_is_wrong() {
    let (_server, project) = edited_and_taken_down("").await;
    let config = project.config_arg();
    let missing = project.path("heads.txt").display().to_string();
    let dir = project.path("state").display().to_string();
    let baseline = project.path("baseline/rasoulof.txt").display().to_string();
    let cases: [(&[&str], String); 6] = [
        (
            &["verify", "--config", &config, "--heads", &missing],
            format!("cannot read {missing}: there is no such file or directory: check the path"),
        ),
        (
            &["verify", "--config", &config, "--heads", &dir],
            format!("cannot read {dir}: it is a directory: give the file itself"),
        ),
        (
            &["extract", &missing],
            format!("cannot read {missing}: there is no such file or directory: check the path"),
        ),
        (
            &["diff", &missing, &baseline],
            format!("cannot read {missing}: there is no such file or directory: check the path"),
        ),
        (
            &["diff", &baseline, &dir],
            format!("cannot read {dir}: it is a directory: give the file itself"),
        ),
        (
            &["extract", "--corpus", &missing],
            format!("cannot read {missing}: there is no such file or directory: check the path"),
        ),
    ];
    for (args, words) in cases {
        let out = run(args, &[]).await;
        let said = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {said}");
        assert_eq!(said.trim_end(), format!("error: {words}"), "{args:?}");
    }
    // A file of binary data (a PDF, an image, a program) given as a page:
    // its bytes were printed as an article, or compared as paragraphs.
    let binary = project.path("scan.pdf");
    let mut bytes =
        b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Length 40 /Filter /FlateDecode >>\nstream\n"
            .to_vec();
    bytes.extend((0..=255u8).cycle().take(4096));
    std::fs::write(&binary, bytes).unwrap();
    let binary = binary.display().to_string();
    for args in [&["extract", &binary][..], &["diff", &baseline, &binary]] {
        let out = run(args, &[]).await;
        let said = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {said}");
        assert_eq!(
            said.trim_end(),
            format!(
                "error: {binary} is no web page or text file: it holds binary data (a PDF, an \
                 image, an archive or a program?): give a saved HTML page (may be .gz) or a \
                 baseline file"
            ),
            "{args:?}"
        );
        assert!(out.stdout.is_empty(), "{args:?}");
    }
    // A page saved as UTF-16 holds NUL bytes, and is a page.
    let utf16 = project.path("saved.html");
    let mut bytes = vec![0xFF, 0xFE];
    bytes.extend(page(PARAS[1]).encode_utf16().flat_map(u16::to_le_bytes));
    std::fs::write(&utf16, bytes).unwrap();
    let out = ok(&run(&["extract", utf16.to_str().unwrap()], &[]).await);
    assert!(out.contains(PARAS[0]), "{out}");
}

/// A path that names no file saved on a disk, given where a command reads
/// a file: a file of /proc, a named pipe no program writes into, a device.
/// Each is named as what it is, with what to give instead, and nothing is
/// read: they said "cannot read /proc/self/mem: Input/output error (os error
/// 5)", waited for ever on the pipe, or read /dev/zero until memory ran out.
#[tokio::test(flavor = "multi_thread")]
async fn a_special_file_a_command_is_given_is_named_as_what_it_is() {
    let (_server, project) = edited_and_taken_down("").await;
    let config = project.config_arg();
    let fifo = project.path("pipe");
    let c = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
    // SAFETY: mkfifo reads a valid NUL-terminated path.
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
    let fifo = fifo.display().to_string();
    let baseline = project.path("baseline/rasoulof.txt").display().to_string();
    let proc_file = "a file of a proc filesystem, which the kernel makes up as it is read, not a \
                     file saved on a disk";
    let pipe = "a named pipe (FIFO), which gives only what a program writes into it, and waits \
                until one does";
    let device = "a character device (such as /dev/null, /dev/zero or a terminal), not a file";
    let give_page = "give a saved HTML page (may be .gz) or a baseline file";
    let verify = format!("presswatch verify --config {config}");
    let cases: [(&[&str], String); 6] = [
        (
            &["extract", "/proc/self/mem"],
            format!("cannot read /proc/self/mem: it is {proc_file}: {give_page}"),
        ),
        (
            &["extract", &fifo],
            format!("cannot read {fifo}: it is {pipe}: {give_page}"),
        ),
        (
            &["diff", &baseline, "/dev/zero"],
            format!("cannot read /dev/zero: it is {device}: {give_page}"),
        ),
        (
            &["verify", "--config", &config, "--heads", "/dev/zero"],
            format!(
                "cannot read /dev/zero: it is {device}: give a file holding the output of \
                 `{verify}` (its lines \"watch W: … chain head …\")"
            ),
        ),
        (
            &["verify", "--config", &config, "--record", &fifo],
            format!(
                "cannot read {fifo}: it is {pipe}: give a saved alert email (its \
                 X-Presswatch-Record header), the alert JSON a webhook received \
                 (evidence.record), or the digest itself"
            ),
        ),
        (
            &["status", "--config", "/proc/self/mem"],
            format!(
                "invalid config:\n/proc/self/mem: cannot read config file: it is {proc_file}: \
                 --config takes the config file itself, e.g. --config /etc/presswatch/config.toml"
            ),
        ),
    ];
    for (args, words) in cases {
        let out = tokio::time::timeout(std::time::Duration::from_secs(30), run(args, &[]))
            .await
            .unwrap_or_else(|_| panic!("{args:?} still waits after 30s"));
        let said = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {said}");
        assert_eq!(said.trim_end(), format!("error: {words}"), "{args:?}");
        assert!(out.stdout.is_empty(), "{args:?}");
    }
    // A page on stdin, from a file or from a program writing into a pipe,
    // is read as a file is.
    let saved = project.path("saved.html");
    std::fs::write(&saved, page(PARAS[1])).unwrap();
    let redirected = std::process::Command::new(crate::support::binary())
        .args(["extract", "/dev/stdin"])
        .stdin(std::fs::File::open(&saved).unwrap())
        .output()
        .unwrap();
    assert!(
        String::from_utf8_lossy(&redirected.stdout).contains(PARAS[0]),
        "{redirected:?}"
    );
    let mut child = std::process::Command::new(crate::support::binary())
        .args(["extract", "/dev/stdin"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    std::io::Write::write_all(&mut child.stdin.take().unwrap(), page(PARAS[1]).as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        String::from_utf8_lossy(&out.stdout).contains(PARAS[0]),
        "{out:?}"
    );
}

/// A story taken down twice (a 404, back, then a 410) keeps both answers:
/// the timeline shows each takedown with the answer that reported it, and
/// the export's record of each takedown is captured with its own answer.
/// A takedown alert's evidence link leads to the takedown's row on the
/// watch's timeline (when and how, the last kept snapshot, the answer), not
/// to the page of the version it took down: a story taken down twice with
/// the same text has two rows, and each alert links to its own.
#[tokio::test(flavor = "multi_thread")]
async fn a_takedown_alert_links_to_its_row_on_the_watchs_timeline() {
    let server = Server::start().await;
    let path = "/2024/05/rasoulof";
    let cfg = format!(
        "[daemon]\nper_host_delay = \"0s\"\nreport_url = \"https://evidence.example/pw/\"\n\
         [[channel]]\nname = \"hook\"\ntype = \"webhook\"\nurl = \"{}\"\n\
         [[watch]]\nname = \"rasoulof\"\nurl = \"{}\"\n",
        server.url("/hook"),
        server.url(path)
    );
    let project = Project::new(&cfg);
    let config = project.config_arg();
    let gone = |status: u16, text: &str| Route {
        body: format!("<html><body>{text}</body></html>").into_bytes(),
        ..Route::status(status)
    };
    for route in [
        Route::html(page(PARAS[1])),
        gone(404, "Page not found"),
        Route::html(page(PARAS[1])),
        gone(410, "This story was removed"),
    ] {
        server.set(path, route);
        ok(&run(&["check", "--config", &config], &[]).await);
    }
    let links: Vec<String> = server
        .requests_to("/hook")
        .iter()
        .map(|r| serde_json::from_slice::<serde_json::Value>(&r.body).unwrap())
        .filter(|a| a["kind"] == "taken_down")
        .map(|a| a["evidence"]["report"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(
        links,
        [
            "https://evidence.example/pw/rasoulof/index.html#v1-taken-down-1",
            "https://evidence.example/pw/rasoulof/index.html#v1-taken-down-2"
        ]
    );
    // Each link names a row of the timeline `report` writes: that
    // takedown's, with the last kept snapshot and its own answer.
    let out = project.path("report");
    ok(&report(&config, &out, &[]).await);
    assert_local_links_resolve(&out);
    let timeline = std::fs::read_to_string(out.join("rasoulof/index.html")).unwrap();
    for (link, answer) in links
        .iter()
        .zip(["HTTP/1.1 404 Not Found", "HTTP/1.1 410 Gone"])
    {
        let (file, id) = link
            .strip_prefix("https://evidence.example/pw/")
            .unwrap()
            .split_once('#')
            .unwrap();
        assert_eq!(file, "rasoulof/index.html");
        let row = timeline
            .split(&format!("<tr id=\"{id}\">"))
            .nth(1)
            .and_then(|rest| rest.split("</tr>").next())
            .unwrap_or_else(|| panic!("a row with id {id} in:\n{timeline}"));
        assert!(row.contains("Taken down</span>"), "{row}");
        assert!(row.contains("Last kept snapshot (version 1)"), "{row}");
        assert!(row.contains(&format!("The answer ({answer})")), "{row}");
    }
}

/// Times are shown in `[daemon] timezone`, as the alerts show them.
#[tokio::test(flavor = "multi_thread")]
async fn each_takedown_of_a_story_keeps_the_answer_that_reported_it() {
    let server = Server::start().await;
    let path = "/2024/05/rasoulof";
    let cfg = format!(
        "[daemon]\nper_host_delay = \"0s\"\ntimezone = \"Asia/Tehran\"\n[[watch]]\nname = \"rasoulof\"\nurl = \"{}\"\n",
        server.url(path)
    );
    let project = Project::new(&cfg);
    let config = project.config_arg();
    let gone = |status: u16, text: &str| Route {
        body: format!("<html><body>{text}</body></html>").into_bytes(),
        ..Route::status(status)
    };
    for route in [
        Route::html(page(PARAS[1])),
        gone(404, "Page not found"),
        Route::html(page(PARAS[1])),
        gone(410, "This story was removed"),
    ] {
        server.set(path, route);
        ok(&run(&["check", "--config", &config], &[]).await);
    }
    let out = project.path("report");
    ok(&report(&config, &out, &[]).await);
    assert_local_links_resolve(&out);
    let timeline = std::fs::read_to_string(out.join("rasoulof/index.html")).unwrap();
    let downs: Vec<&str> = timeline
        .split("<tr")
        .filter(|r| r.contains("Taken down</span>"))
        .map(|r| r.split_once('>').unwrap().1)
        .collect();
    assert_eq!(downs.len(), 2, "{timeline}");
    assert!(
        timeline.contains("times in Asia/Tehran") && !timeline.contains(" UTC"),
        "{timeline}"
    );
    let events: Vec<i64> = rusqlite::Connection::open(project.path("state/presswatch.db"))
        .unwrap()
        .prepare("SELECT at FROM watch_events WHERE kind = 'taken_down' ORDER BY at, rowid")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    let tehran = chrono::DateTime::from_timestamp(events[0], 0)
        .unwrap()
        .with_timezone(&chrono_tz::Asia::Tehran)
        .format("%Y-%m-%d %H:%M:%S +0330")
        .to_string();
    assert!(
        downs[0].starts_with(&format!("<td>{tehran}</td>")),
        "{}",
        downs[0]
    );
    let body_sha = |text: &str| {
        presswatch::document::sha256_hex(format!("<html><body>{text}</body></html>").as_bytes())
    };
    for (row, status, text) in [
        (downs[0], "HTTP/1.1 404 Not Found", "Page not found"),
        (downs[1], "HTTP/1.1 410 Gone", "This story was removed"),
    ] {
        let sha = body_sha(text);
        assert!(
            row.contains(&format!(
                "The answer ({status}): <a href=\"../raw/{sha}.bin\">"
            )),
            "{status} in:\n{row}"
        );
        assert!(out.join(format!("raw/{sha}.bin")).exists());
    }

    let warc = project.path("out.warc.gz");
    ok(&export(&config, &warc, &[]).await);
    let records = warc_records(&warc);
    let takedowns: Vec<&String> = records
        .iter()
        .filter(|r| {
            field(r, "presswatch-event") == Some("taken_down")
                && field(r, "presswatch-event-detail").is_some()
        })
        .collect();
    assert_eq!(takedowns.len(), 2);
    for (down, text) in takedowns
        .iter()
        .zip(["Page not found", "This story was removed"])
    {
        assert_eq!(
            field(down, "presswatch-answer-body-sha256"),
            Some(body_sha(text).as_str()),
            "{down}"
        );
        let answer = field(down, "WARC-Concurrent-To")
            .unwrap_or_else(|| panic!("the takedown names its answer:\n{down}"));
        let response = records
            .iter()
            .find(|r| field(r, "WARC-Record-ID") == Some(answer))
            .unwrap();
        assert!(response.contains(text), "{response}");
    }
}

/// A story whose address moves is on the record with the move: given an
/// article that starts answering 301 to a new address (unchanged), then
/// to another (edited on the way), `history` lists each move with its time
/// and both addresses after the version found at the new one; the viewer's
/// timeline has a row for each (Chromium shows it), where each `moved`
/// alert's evidence link leads; the export has a metadata record of each.
#[tokio::test(flavor = "multi_thread")]
async fn a_move_is_in_the_history_the_timeline_and_the_export_and_its_alert_links_to_its_row_on_either_backend(
) {
    let (old, new, newer) = (
        "/2024/05/rasoulof",
        "/2024/05/rasoulof-flees-iran",
        "/2024/05/rasoulof-arrives-in-europe",
    );
    for (backend, state, _) in state_backends() {
        let server = Server::start().await;
        let cfg = format!(
            "[daemon]\nper_host_delay = \"0s\"\nreport_url = \"https://evidence.example/pw/\"\n{state}\n\
             [[channel]]\nname = \"hook\"\ntype = \"webhook\"\nurl = \"{}\"\n\
             [[watch]]\nname = \"rasoulof\"\nurl = \"{}\"\n",
            server.url("/hook"),
            server.url(old)
        );
        let project = Project::new(&cfg);
        let config = project.config_arg();
        let check = || async { ok(&run(&["check", "--config", &config], &PG_ENV).await) };
        server.set(old, Route::html(page(PARAS[1])));
        check().await;
        let start = chrono::Utc::now();
        server.set(old, Route::status(301).header("Location", new));
        server.set(new, Route::html(page(PARAS[1])));
        check().await;
        let edited = PARAS[1].replace("in Europe", "in Germany");
        server.set(old, Route::status(301).header("Location", newer));
        server.set(newer, Route::html(page(&edited)));
        check().await;
        let end = chrono::Utc::now();
        let (old, new, newer) = (server.url(old), server.url(new), server.url(newer));

        // Each move's alert links to its row: after version 1 (the same
        // text at the new address), then after version 2 (the edit).
        let alerts: Vec<serde_json::Value> = server
            .requests_to("/hook")
            .iter()
            .map(|r| serde_json::from_slice(&r.body).unwrap())
            .collect();
        let kinds: Vec<&str> = alerts.iter().map(|a| a["kind"].as_str().unwrap()).collect();
        assert_eq!(kinds, ["moved", "moved", "edited"], "{backend}");
        let links: Vec<&str> = alerts[..2]
            .iter()
            .map(|a| a["evidence"]["report"].as_str().unwrap())
            .collect();
        assert_eq!(
            links,
            [
                "https://evidence.example/pw/rasoulof/index.html#v1-moved-1",
                "https://evidence.example/pw/rasoulof/index.html#v2-moved-1"
            ],
            "{backend}"
        );

        // `history`: each move after the version found at its new address,
        // with when it was seen and both addresses.
        let history = ok(&run(&["history", "--config", &config, "rasoulof"], &PG_ENV).await);
        let lines: Vec<&str> = history.lines().collect();
        assert_eq!(lines.len(), 4, "{backend}: {history}");
        assert!(
            lines[0].trim_start().starts_with("1  "),
            "{backend}: {history}"
        );
        assert!(
            lines[2].trim_start().starts_with("2  "),
            "{backend}: {history}"
        );
        // When it was seen, to the second.
        let seen = |line: &str| {
            let at = line.trim_start().trim_start_matches('\u{b7}').trim_start();
            chrono::NaiveDateTime::parse_from_str(&at[..23], "%Y-%m-%d %H:%M:%S UTC")
                .unwrap_or_else(|e| panic!("{backend}: {e}: {line}"))
                .and_utc()
        };
        for (line, to, version) in [(lines[1], &new, 1), (lines[3], &newer, 2)] {
            assert!(
                line.contains(&format!(
                    "moved: {old} \u{2192} {to} (the text at the new address is version {version})"
                )),
                "{backend}: {history}"
            );
            assert!(
                (start.timestamp()..=end.timestamp()).contains(&seen(line).timestamp()),
                "{backend}: {history}"
            );
        }

        // The viewer: each link names a row of the timeline `report` writes,
        // in place, naming both addresses and the version found.
        let out = project.path("report");
        ok(&report(&config, &out, &PG_ENV).await);
        let timeline = std::fs::read_to_string(out.join("rasoulof/index.html")).unwrap();
        let ids: Vec<&str> = timeline
            .split("<tr")
            .skip(2)
            .map(|r| r.split_once('>').unwrap().0)
            .collect();
        assert_eq!(
            ids,
            ["", " id=\"v1-moved-1\"", "", " id=\"v2-moved-1\""],
            "{backend}: {timeline}"
        );
        for (link, to, version) in [(links[0], &new, 1), (links[1], &newer, 2)] {
            let (file, id) = link
                .strip_prefix("https://evidence.example/pw/")
                .unwrap()
                .split_once('#')
                .unwrap();
            assert_eq!(file, "rasoulof/index.html");
            let row = timeline
                .split(&format!("<tr id=\"{id}\">"))
                .nth(1)
                .and_then(|rest| rest.split("</tr>").next())
                .unwrap_or_else(|| panic!("{backend}: a row with id {id} in:\n{timeline}"));
            for expected in [
                "<span class=\"moved\">Moved</span>".to_string(),
                format!("<b>Old address:</b> <a href=\"{old}\""),
                format!(">{old}</a><br><b>New address:</b> <a href=\"{to}\""),
                format!(">{to}</a><br>The old address now redirects permanently to the new one: cite and link the new address."),
                format!("The text found at the new address is version {version}."),
            ] {
                assert!(row.contains(&expected), "{backend}: {expected:?} in {row}");
            }
        }
        // A story that moved is not taken down.
        let index = std::fs::read_to_string(out.join("index.html")).unwrap();
        assert!(!index.contains("taken down"), "{backend}: {index}");
        if let Some(chromium) = tool("chromium") {
            let profile = tempfile::tempdir().unwrap();
            let shown = Command::new(&chromium)
                .args([
                    "--headless",
                    "--no-sandbox",
                    "--disable-gpu",
                    "--no-first-run",
                    "--disable-background-networking",
                    "--disable-component-update",
                    "--disable-sync",
                    "--dump-dom",
                ])
                .arg(format!("--user-data-dir={}", profile.path().display()))
                .arg(format!(
                    "file://{}#v2-moved-1",
                    out.join("rasoulof/index.html").display()
                ))
                .output()
                .unwrap();
            assert!(shown.status.success(), "{backend}: chromium failed");
            let dom = String::from_utf8_lossy(&shown.stdout);
            let row = dom
                .split("id=\"v2-moved-1\"")
                .nth(1)
                .and_then(|rest| rest.split("</tr>").next())
                .unwrap_or_else(|| panic!("{backend}: the row in the DOM:\n{dom}"));
            assert!(
                row.contains(&format!(">{old}</a>")) && row.contains(&format!(">{newer}</a>")),
                "{backend}: {row}"
            );
        }

        // The export: a metadata record of each move, about the old address.
        let warc = project.path("out.warc.gz");
        let said = ok(&export(&config, &warc, &PG_ENV).await);
        assert!(said.contains(", 2 moves)"), "{backend}: {said}");
        let moves: Vec<String> = warc_records(&warc)
            .into_iter()
            .filter(|r| field(r, "presswatch-event") == Some("moved"))
            .collect();
        assert_eq!(moves.len(), 2, "{backend}");
        for (record, to, version) in [(&moves[0], &new, "1"), (&moves[1], &newer, "2")] {
            assert_eq!(field(record, "WARC-Type"), Some("metadata"), "{backend}");
            assert_eq!(
                field(record, "WARC-Target-URI"),
                Some(old.as_str()),
                "{backend}"
            );
            assert_eq!(
                field(record, "presswatch-moved-from"),
                Some(old.as_str()),
                "{backend}"
            );
            assert_eq!(
                field(record, "presswatch-moved-to"),
                Some(to.as_str()),
                "{backend}"
            );
            assert_eq!(
                field(record, "presswatch-version"),
                Some(version),
                "{backend}"
            );
            assert!(
                field(record, "WARC-Refers-To").is_some(),
                "{backend}: {record}"
            );
        }
    }
}

/// Given a Turkish story (`<html lang="tr">`) edited after its first check,
/// the viewer's page of the change marks both versions' headline, byline and
/// paragraphs, and the email's card in it, as Turkish, not English; so do
/// the index and the timeline their titles.
#[tokio::test(flavor = "multi_thread")]
async fn the_viewer_marks_a_story_in_the_language_its_page_declares() {
    let server = Server::start().await;
    let path = "/tr/resulof";
    let tr = |day: &str| {
        news_page(
            "Resulof İran'dan kaçtı",
            "Haber Merkezi",
            &[
                "Yönetmen Muhammed Resulof, sekiz yıl hapis cezasına çarptırıldıktan sonra İran'dan yaya olarak kaçtı.",
                &format!("Avukatının {day} günü yaptığı açıklamaya göre birkaç gün önce Avrupa'ya ulaştı."),
            ],
            &[],
        )
        .replace("<html lang=\"en\">", "<html lang=\"tr\">")
    };
    let cfg = format!(
        "[daemon]\nper_host_delay = \"0s\"\n[[watch]]\nname = \"resulof\"\nurl = \"{}\"\nrobots = false\n",
        server.url(path)
    );
    let project = Project::new(&cfg);
    let config = project.config_arg();
    for day in ["pazartesi", "salı"] {
        server.set(path, Route::html(tr(day)));
        ok(&run(&["check", "--config", &config], &[]).await);
    }
    let out = project.path("report");
    ok(&report(&config, &out, &[]).await);
    let v2 = std::fs::read_to_string(out.join("resulof/v2.html")).unwrap();
    // Both sides: headline, byline and two paragraphs each.
    assert_eq!(
        v2.matches("<p lang=\"tr\" dir=\"auto\">").count(),
        6,
        "{v2}"
    );
    assert_eq!(
        v2.matches("<p class=\"meta\" lang=\"tr\" dir=\"auto\">By Haber Merkezi</p>")
            .count(),
        2,
        "{v2}"
    );
    // The email's card shows the headline in Turkish too.
    assert!(v2.contains("lang=\"tr\"><a href="), "{v2}");
    assert!(!v2.contains("lang=\"en\"><a href="), "{v2}");
    assert!(
        v2.contains("<h1>Version 2 of “<bdi lang=\"tr\" dir=\"auto\">Resulof"),
        "{v2}"
    );
    let timeline = std::fs::read_to_string(out.join("resulof/index.html")).unwrap();
    assert!(
        timeline.contains("<h1 lang=\"tr\" dir=\"auto\">Resulof"),
        "{timeline}"
    );
    let index = std::fs::read_to_string(out.join("index.html")).unwrap();
    assert!(
        index.contains("<a href=\"resulof/index.html\" lang=\"tr\" dir=\"auto\">Resulof"),
        "{index}"
    );
}

/// The viewer and `diff --watch` name the outlet as the alerts do: by the
/// name the page gives itself (`og:site_name`), not the URL's host.
#[tokio::test(flavor = "multi_thread")]
async fn the_viewer_and_diff_name_the_outlet_as_the_alerts_do() {
    let server = Server::start().await;
    let path = "/story";
    let cfg = format!(
        "[daemon]\nper_host_delay = \"0s\"\n[[watch]]\nname = \"story\"\nurl = \"{}\"\nrobots = false\n",
        server.url(path)
    );
    let project = Project::new(&cfg);
    let config = project.config_arg();
    for second in ["He arrived on Monday.", "He arrived on Tuesday."] {
        let named = page(second).replace(
            "<meta charset=\"utf-8\">",
            "<meta charset=\"utf-8\"><meta property=\"og:site_name\" content=\"The Example Herald\">",
        );
        server.set(path, Route::html(named));
        ok(&run(&["check", "--config", &config], &[]).await);
    }
    let diff = run(&["diff", "--config", &config, "--watch", "story"], &[]).await;
    let diff = String::from_utf8_lossy(&diff.stdout);
    assert!(diff.contains("Edited · The Example Herald\n"), "{diff}");
    let out = project.path("report");
    ok(&report(&config, &out, &[]).await);
    for file in ["index.html", "story/index.html", "story/v2.html"] {
        let html = std::fs::read_to_string(out.join(file)).unwrap();
        assert!(html.contains("The Example Herald"), "{file}: {html}");
        assert!(!html.contains(">127.0.0.1<"), "{file}: {html}");
    }
}

/// An article page of `PARAS` (its second paragraph `second`) that says it
/// was published at `published`.
fn published_page(published: &str, second: &str) -> String {
    page(second).replace(
        "<meta charset=\"utf-8\">",
        &format!(
            "<meta charset=\"utf-8\"><meta property=\"article:published_time\" content=\"{published}\">"
        ),
    )
}

#[tokio::test(flavor = "multi_thread")]
async fn two_watches_on_identical_pages_each_keep_their_own_address_and_date_in_history_the_viewer_and_the_warc_on_either_backend(
) {
    let (published_a, published_b) = ("2024-05-13T08:00:00Z", "2024-05-14T09:30:00Z");
    for (backend, state, _) in state_backends() {
        let server = Server::start().await;
        let (a, b) = (server.url("/a.html"), server.url("/b.html"));
        let cfg = format!(
            "[daemon]\nper_host_delay = \"0s\"\n{state}\n[[watch]]\nname = \"outlet-a\"\nurl = \"{a}\"\n\n[[watch]]\nname = \"outlet-b\"\nurl = \"{b}\"\n"
        );
        let project = Project::new(&cfg);
        let config = project.config_arg();
        // Two outlets run the same wire story, word for word, each with its
        // own publication time; then both run the same correction.
        for second in [PARAS[1], &PARAS[1].replace("in Europe", "in Germany")] {
            server.set("/a.html", Route::html(published_page(published_a, second)));
            server.set("/b.html", Route::html(published_page(published_b, second)));
            ok(&run(&["check", "--config", &config], &PG_ENV).await);
        }
        for v in ["1", "2"] {
            let shown = ok(&run(
                &["history", "--config", &config, "outlet-b", "--show", v],
                &PG_ENV,
            )
            .await);
            assert!(
                shown.contains(&format!("URL: {b}\n"))
                    && shown.contains(&format!("Published: {published_b}\n")),
                "{backend}: version {v} of outlet-b is its own page: {shown}"
            );
            assert!(
                !shown.contains(&a) && !shown.contains(published_a),
                "{backend}: nothing of outlet-a's page: {shown}"
            );
        }
        let viewer = project.path("viewer");
        ok(&report(&config, &viewer, &PG_ENV).await);
        for v in ["v1", "v2"] {
            let page = std::fs::read_to_string(viewer.join(format!("outlet-b/{v}.html"))).unwrap();
            assert!(
                page.contains(&b),
                "{backend}: {v} of outlet-b names its page: {page}"
            );
            assert!(
                !page.contains(&a),
                "{backend}: nothing of outlet-a in {v}: {page}"
            );
        }

        let warc = project.path("out.warc.gz");
        ok(&export(&config, &warc, &PG_ENV).await);
        let records = warc_records(&warc);
        let of_b: Vec<&String> = records
            .iter()
            .filter(|r| field(r, "WARC-Type") != Some("warcinfo"))
            .filter(|r| field(r, "presswatch-watch") == Some("outlet-b"))
            .collect();
        assert!(!of_b.is_empty(), "{backend}: outlet-b's records");
        for r in &of_b {
            assert!(
                !r.contains(&a),
                "{backend}: nothing of outlet-a in outlet-b's record: {r}"
            );
        }
    }
}

/// Rewrites the versions' tables as a presswatch from before
/// `versions.body_sha256` kept them: each text stored once under its
/// version's content hash, by the first watch to store it (so that watches
/// with the same text share one watch's `URL:` and `Fetched:` lines).
fn as_kept_before_bodies_had_their_own_key(project: &Project, pg_db: Option<&str>) {
    let sql = match pg_db {
        None => {
            "PRAGMA foreign_keys = OFF;
             CREATE TABLE old_blobs (sha256 TEXT PRIMARY KEY, body TEXT NOT NULL);
             INSERT OR IGNORE INTO old_blobs (sha256, body)
                 SELECT v.sha256, b.body FROM versions v JOIN blobs b ON b.sha256 = v.body_sha256
                 ORDER BY v.watch, v.seq;
             CREATE TABLE old_versions (
                 watch TEXT NOT NULL, seq INTEGER NOT NULL, sha256 TEXT NOT NULL REFERENCES blobs(sha256),
                 fetched_at INTEGER NOT NULL, origin TEXT NOT NULL DEFAULT 'fetched', PRIMARY KEY (watch, seq));
             INSERT INTO old_versions SELECT watch, seq, sha256, fetched_at, origin FROM versions;
             DROP TABLE versions;
             DROP TABLE blobs;
             ALTER TABLE old_blobs RENAME TO blobs;
             ALTER TABLE old_versions RENAME TO versions;
             CREATE INDEX versions_by_blob ON versions(sha256);"
        }
        Some(_) => {
            "ALTER TABLE versions DROP CONSTRAINT versions_body_sha256_fkey;
             CREATE TABLE old_blobs (sha256 TEXT PRIMARY KEY, body TEXT NOT NULL);
             INSERT INTO old_blobs (sha256, body)
                 SELECT DISTINCT ON (v.sha256) v.sha256, b.body
                 FROM versions v JOIN blobs b ON b.sha256 = v.body_sha256
                 ORDER BY v.sha256, v.watch, v.seq;
             DROP INDEX versions_by_body;
             ALTER TABLE versions DROP COLUMN body_sha256;
             DROP TABLE blobs;
             ALTER TABLE old_blobs RENAME TO blobs;
             ALTER INDEX old_blobs_pkey RENAME TO blobs_pkey;
             ALTER TABLE versions ADD CONSTRAINT versions_sha256_fkey FOREIGN KEY (sha256) REFERENCES blobs(sha256);
             CREATE INDEX versions_by_blob ON versions(sha256);
             ALTER TABLE versions DROP COLUMN chain_prev, DROP COLUMN chain_sha256, DROP COLUMN chained_at;
             DELETE FROM schema_migrations WHERE version >= 15;"
        }
    };
    alter(project, pg_db, sql);
}

#[tokio::test(flavor = "multi_thread")]
async fn versions_kept_before_bodies_had_their_own_key_still_read_and_verify_after_an_upgrade_and_new_ones_keep_their_own_address_on_either_backend(
) {
    for (backend, state, pg_db) in state_backends() {
        let server = Server::start().await;
        let (a, b) = (server.url("/a.html"), server.url("/b.html"));
        let cfg = format!(
            "[daemon]\nper_host_delay = \"0s\"\n{state}\n[[watch]]\nname = \"outlet-a\"\nurl = \"{a}\"\n\n[[watch]]\nname = \"outlet-b\"\nurl = \"{b}\"\n"
        );
        let project = Project::new(&cfg);
        let config = project.config_arg();
        let check = |second: String| {
            let (server, config) = (&server, &config);
            async move {
                server.set("/a.html", Route::html(page(&second)));
                server.set("/b.html", Route::html(page(&second)));
                ok(&run(&["check", "--config", config], &PG_ENV).await);
            }
        };
        check(PARAS[1].to_string()).await;
        as_kept_before_bodies_had_their_own_key(&project, pg_db.as_deref());

        // The upgrade keys each stored text by its bytes: every version
        // still reads and verifies. (outlet-b's version 1 still reads
        // outlet-a's header lines: the older presswatch never kept its own.)
        let said = ok(&run(&["verify", "--config", &config], &PG_ENV).await);
        assert!(
            said.contains(" and 2 versions: 0 mismatches"),
            "{backend}: {said}"
        );
        // The upgrade chains them too, and verify says from when.
        assert!(
            said.lines()
                .any(|l| l.starts_with("watch outlet-b: 1 version, chain head ")
                    && l.contains(
                        "; version 1 was kept before presswatch chained versions, and chained on "
                    )),
            "{backend}: {said}"
        );
        let shown = ok(&run(
            &["history", "--config", &config, "outlet-b", "--show", "1"],
            &PG_ENV,
        )
        .await);
        assert!(shown.contains(PARAS[1]), "{backend}: {shown}");

        // Versions stored since keep their own page's address.
        check(PARAS[1].replace("in Europe", "in Germany")).await;
        let shown = ok(&run(
            &["history", "--config", &config, "outlet-b", "--show", "2"],
            &PG_ENV,
        )
        .await);
        assert!(
            shown.contains(&format!("URL: {b}\n")) && !shown.contains(&a),
            "{backend}: {shown}"
        );
        let said = ok(&run(&["verify", "--config", &config], &PG_ENV).await);
        assert!(
            said.contains(" and 4 versions: 0 mismatches"),
            "{backend}: {said}"
        );

        // A stored text altered since is found.
        alter(
            &project,
            pg_db.as_deref(),
            "UPDATE blobs SET body = replace(body, 'Germany', 'France');",
        );
        let out = run(&["verify", "--config", &config], &PG_ENV).await;
        let said = String::from_utf8_lossy(&out.stdout);
        assert_eq!(out.status.code(), Some(1), "{backend}: {said}");
        assert!(
            said.contains("watch outlet-b version 2: its text was stored as "),
            "{backend}: {said}"
        );
    }
}

/// Reads one value from a project's state database, as someone with access
/// to it would: the SQLite file, or the PostgreSQL database `pg_db`.
fn read_one(project: &Project, pg_db: Option<&str>, sql: &str) -> String {
    match pg_db {
        None => rusqlite::Connection::open(project.path("state/presswatch.db"))
            .unwrap()
            .query_row(sql, [], |r| r.get(0))
            .unwrap(),
        Some(db) => pg::cluster()
            .unwrap()
            .psql(db, sql)
            .unwrap()
            .trim_end_matches('\n')
            .to_string(),
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_version_altered_with_its_text_digest_recomputed_is_caught_by_the_chain_on_either_backend(
) {
    for (backend, state, pg_db) in state_backends() {
        let (server, project) = edited_and_taken_down(&state).await;
        let config = project.config_arg();
        let said = ok(&run(&["verify", "--config", &config], &PG_ENV).await);
        assert!(
            said.contains("\nwatch rasoulof: 3 versions, chain head "),
            "{backend}: {said}"
        );
        // Each alert carried the record of the version it reports, as the
        // check stored it: the edit's (version 2), the restore's (version 3,
        // the text come back) and the takedown's (version 3, kept before).
        let posted: Vec<serde_json::Value> = server
            .requests_to("/hook")
            .iter()
            .map(|r| serde_json::from_slice(&r.body).unwrap())
            .collect();
        assert_eq!(posted.len(), 3, "{backend}: {posted:?}");
        for alert in &posted {
            let (record, version) = (&alert["evidence"]["record"], &alert["evidence"]["version"]);
            let record = record
                .as_str()
                .unwrap_or_else(|| panic!("{backend}: {alert}"));
            let said = ok(&run(
                &["verify", "--config", &config, "--record", record],
                &PG_ENV,
            )
            .await);
            assert!(
                said.contains(&format!(" is watch rasoulof version {version}, stored "))
                    && said.contains(": the chain still holds it, unbroken "),
                "{backend}: {alert}: {said}"
            );
        }
        // Someone rewrites the edit (version 2) to say "in Poland", and
        // stores the forged text under its own SHA-256, so that the text
        // hashes to what its version says.
        let text = read_one(
            &project,
            pg_db.as_deref(),
            "SELECT b.body FROM versions v JOIN blobs b ON b.sha256 = v.body_sha256 WHERE v.watch = 'rasoulof' AND v.seq = 2",
        );
        assert!(text.contains("in Germany"), "{backend}: {text}");
        let forged = text.replace("in Germany", "in Poland");
        let sha = presswatch::document::sha256_hex(forged.as_bytes());
        alter(
            &project,
            pg_db.as_deref(),
            &format!(
                "INSERT INTO blobs (sha256, body) VALUES ('{sha}', '{}');
                 UPDATE versions SET body_sha256 = '{sha}' WHERE watch = 'rasoulof' AND seq = 2;",
                forged.replace('\'', "''")
            ),
        );
        let shown = ok(&run(
            &["history", "rasoulof", "--show", "2", "--config", &config],
            &PG_ENV,
        )
        .await);
        assert!(
            shown.contains("in Poland"),
            "{backend}: the forgery reads as sound: {shown}"
        );
        let out = run(&["verify", "--config", &config], &PG_ENV).await;
        assert_eq!(out.status.code(), Some(1), "{backend}: {out:?}");
        let said = String::from_utf8_lossy(&out.stdout);
        let line = mismatch_line(
            &said,
            "watch rasoulof version 2: its chain digest (",
            backend,
        );
        assert!(
            line.contains(") no longer matches the version: its text's SHA-256, its number or the time it was stored was altered since it was stored (recomputed, it is "),
            "{backend}: {line}"
        );
        assert_eq!(mismatches(&said), 1, "{backend}: {said}");
        assert!(said.contains("What to do:"), "{backend}: {said}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn the_newest_versions_deleted_with_all_that_names_them_are_caught_against_heads_saved_earlier_on_either_backend(
) {
    for (backend, state, pg_db) in state_backends() {
        let (server, project) = edited_and_taken_down(&state).await;
        let config = project.config_arg();
        // The story comes back edited again: version 4.
        server.set(
            "/2024/05/rasoulof",
            Route::html(page(&PARAS[1].replace("in Europe", "in France"))),
        );
        ok(&run(&["check", "--config", &config], &PG_ENV).await);
        // The operator keeps verify's output away from the database.
        let said = ok(&run(&["verify", "--config", &config], &PG_ENV).await);
        let head = said
            .lines()
            .find(|l| l.starts_with("watch rasoulof: 4 versions, chain head "))
            .unwrap_or_else(|| panic!("{backend}: {said}"));
        assert!(head.contains(" (version 4, stored "), "{backend}: {head}");
        let heads = project.path("heads.txt");
        std::fs::write(&heads, &said).unwrap();
        let heads = heads.display().to_string();
        let said = ok(&run(&["verify", "--config", &config, "--heads", &heads], &PG_ENV).await);
        assert!(
            said.contains("watch rasoulof: the head saved earlier (version 4, ")
                && said.contains(") is still in the chain, and still its head"),
            "{backend}: {said}"
        );
        // Someone deletes the newest version with everything that names it
        // (its response and its restore): verify alone finds nothing.
        alter(
            &project,
            pg_db.as_deref(),
            "DELETE FROM raw_snapshots WHERE watch = 'rasoulof' AND version = 4;
             DELETE FROM watch_events WHERE watch = 'rasoulof' AND version = 4;
             DELETE FROM versions WHERE watch = 'rasoulof' AND seq = 4;",
        );
        ok(&run(&["verify", "--config", &config], &PG_ENV).await);
        // Against the heads kept, it is a mismatch.
        let out = run(&["verify", "--config", &config, "--heads", &heads], &PG_ENV).await;
        assert_eq!(out.status.code(), Some(1), "{backend}: {out:?}");
        let said = String::from_utf8_lossy(&out.stdout);
        let line = mismatch_line(
            &said,
            "watch rasoulof version 4: the head saved earlier (version 4, ",
            backend,
        );
        assert!(
            line.ends_with(") is no longer kept, and the watch's newest version is 3: its newest versions were deleted since that head was saved"),
            "{backend}: {line}"
        );
        assert_eq!(mismatches(&said), 1, "{backend}: {said}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn the_record_an_alert_email_carries_is_found_by_verify_until_its_version_is_rewritten() {
    let mails = Arc::new(Mutex::new(Vec::<Vec<u8>>::new()));
    let smtp = smtp_sink(mails.clone());
    let server = Server::start().await;
    let path = "/2024/05/rasoulof";
    let cfg = format!(
        "[daemon]\nper_host_delay = \"0s\"\n\n[[channel]]\nname = \"desk\"\ntype = \"email\"\nsmtp_url = \"smtp://127.0.0.1:{smtp}\"\ntls = \"none\"\nfrom = \"presswatch <alerts@example.org>\"\nto = [\"desk@example.org\"]\n\n[[channel]]\nname = \"hook\"\ntype = \"webhook\"\nurl = \"{}\"\n\n[[watch]]\nname = \"rasoulof\"\nurl = \"{}\"\n",
        server.url("/hook"),
        server.url(path)
    );
    let project = Project::new(&cfg);
    let config = project.config_arg();
    server.set(path, Route::html(page(PARAS[1])));
    ok(&run(&["check", "--config", &config], &[]).await);
    server.set(
        path,
        Route::html(page(&PARAS[1].replace("in Europe", "in Germany"))),
    );
    ok(&run(&["check", "--config", &config], &[]).await);
    let raw = mails.lock().unwrap()[0].clone();
    let mail = MessageParser::default().parse(&raw).unwrap();
    // The email carries the chain digest of the version it reports: whole
    // in a header, short and labelled in its text and HTML.
    let header = record_header(&mail);
    let record = header.split(' ').next().unwrap().to_string();
    assert_eq!(header, format!("{record} (version 2)"));
    assert_eq!(record.len(), 64, "{header}");
    let short = format!("{}…{}", &record[..8], &record[56..]);
    let line = format!(
        "Record {short} (version 2) — presswatch verify can prove this version is unaltered"
    );
    let text = mail.body_text(0).unwrap().replace("\r\n", "\n");
    // The record line wrapped at 76 columns, as the rest of the text.
    let wrapped = line.replace(" version is unaltered", "\n  version is unaltered");
    assert!(text.contains(&format!("\n-- \n[-removed words-] {{+added words+}}\n{wrapped}\npresswatch · watch rasoulof · alert ")), "{text}");
    assert!(
        mail.body_html(0).unwrap().contains(&line),
        "the HTML footer"
    );
    // The webhook's JSON carries it whole, as the email's header does.
    let posted: serde_json::Value =
        serde_json::from_slice(&server.requests_to("/hook")[0].body).unwrap();
    assert_eq!(posted["evidence"]["record"], record.as_str());
    assert_eq!(posted["evidence"]["version"], 2);

    // Staff saved the email; verify finds its record in the chain.
    let eml = project.path("alert.eml");
    std::fs::write(&eml, &raw).unwrap();
    let eml = eml.display().to_string();
    let said = ok(&run(&["verify", "--config", &config, "--record", &eml], &[]).await);
    let found = said
        .lines()
        .find(|l| {
            l.starts_with(&format!(
                "record {short} is watch rasoulof version 2, stored "
            ))
        })
        .unwrap_or_else(|| panic!("{said}"));
    assert!(
        found.contains(": the chain still holds it, unbroken (it is the watch's head): its text is the one presswatch stored then (`presswatch history rasoulof --show 2 --config "),
        "{found}"
    );
    // The short form read off the alert does as well.
    let said = ok(&run(&["verify", "--config", &config, "--record", &short], &[]).await);
    assert!(
        said.contains(&format!("record {short} is watch rasoulof version 2")),
        "{said}"
    );
    // A record cut short or mistyped into no digest is a usage error that
    // says what a record looks like and where to find one.
    let out = run(
        &["verify", "--config", &config, "--record", "deadbeef"],
        &[],
    )
    .await;
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("64 hex digits") && err.contains("the alert's `Record` line"),
        "{err}"
    );
    // A well-formed record no kept version holds is not found: no mismatch,
    // no advice to restore a backup, exit 3 as the help says.
    let typo = "deadbeef".repeat(8);
    let out = run(&["verify", "--config", &config, "--record", &typo], &[]).await;
    assert_eq!(out.status.code(), Some(3), "{out:?}");
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(
        said.lines().any(|l| l.starts_with(
            "NOT FOUND record deadbeef…deadbeef: not found: no kept version holds it."
        )) && !said.contains("MISMATCH")
            && !said.contains("backup"),
        "{said}"
    );

    // Someone able to write the database rewrites version 2 to say "in
    // Poland" and recomputes every digest it carries, its chain digest too:
    // verify alone finds nothing, the record the email kept is no longer held.
    let db = rusqlite::Connection::open(project.path("state/presswatch.db")).unwrap();
    let (text, prev, stored): (String, String, i64) = db
        .query_row(
            "SELECT b.body, v.chain_prev, v.fetched_at FROM versions v JOIN blobs b ON b.sha256 = v.body_sha256 WHERE v.watch = 'rasoulof' AND v.seq = 2",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .unwrap();
    let forged = text.replace("in Germany", "in Poland");
    let sha = presswatch::document::sha256_hex(forged.as_bytes());
    let chain = presswatch::integrity::chain::chain_digest(&prev, "rasoulof", 2, &sha, stored);
    db.execute(
        "INSERT INTO blobs (sha256, body) VALUES (?1, ?2)",
        [&sha, &forged],
    )
    .unwrap();
    db.execute(
        "UPDATE versions SET body_sha256 = ?1, chain_sha256 = ?2 WHERE watch = 'rasoulof' AND seq = 2",
        [&sha, &chain],
    )
    .unwrap();
    drop(db);
    ok(&run(&["verify", "--config", &config], &[]).await);
    let out = run(&["verify", "--config", &config, "--record", &eml], &[]).await;
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let said = String::from_utf8_lossy(&out.stdout);
    let about = format!("record {short} (watch rasoulof version 2, as the alert said) is held by no kept version: the version it was given for was deleted, or rewritten with its digests recomputed, since the alert that carried it went out (unless keep_versions pruned it since: a version older than its watch's oldest kept)");
    assert_eq!(
        mismatch_line(&said, &about, "sqlite"),
        format!("MISMATCH {about}")
    );
}

/// Given two article watches whose email channel sends an hourly digest,
/// and an edit of each: the digest carries each alert's record, whole in
/// its `X-Presswatch-Record` header and short under each alert in its text
/// and HTML, and `presswatch verify --record digest.eml` finds both in the
/// chain (a digest carried none, and verify read one record a file).
#[tokio::test(flavor = "multi_thread")]
async fn a_digest_email_carries_each_alerts_record_and_verify_finds_them_all() {
    let mails = Arc::new(Mutex::new(Vec::<Vec<u8>>::new()));
    let smtp = smtp_sink(mails.clone());
    let server = Server::start().await;
    let (first, second) = ("/2024/05/rasoulof", "/2024/05/rasoulof-2");
    let cfg = format!(
        "[daemon]\nper_host_delay = \"0s\"\n\n[[channel]]\nname = \"desk\"\ntype = \"email\"\nsmtp_url = \"smtp://127.0.0.1:{smtp}\"\ntls = \"none\"\nfrom = \"presswatch <alerts@example.org>\"\nto = [\"desk@example.org\"]\ndigest = \"hourly\"\n\n[[watch]]\nname = \"rasoulof\"\nurl = \"{}\"\n\n[[watch]]\nname = \"رسول‌اف\"\nurl = \"{}\"\n",
        server.url(first),
        server.url(second)
    );
    let project = Project::new(&cfg);
    let config = project.config_arg();
    server.set(first, Route::html(page(PARAS[1])));
    server.set(second, Route::html(page(PARAS[1])));
    ok(&run(&["check", "--config", &config], &[]).await);
    server.set(
        first,
        Route::html(page(&PARAS[1].replace("in Europe", "in Germany"))),
    );
    server.set(
        second,
        Route::html(page(&PARAS[1].replace("in Europe", "in France"))),
    );
    ok(&run(&["check", "--config", &config], &[]).await);
    assert!(mails.lock().unwrap().is_empty(), "held for the digest");
    let loaded = project.load();
    let state = presswatch::store::State::open(&loaded.daemon.state_dir).unwrap();
    let later = chrono::Utc::now().timestamp() + 2 * 3600;
    let sent = presswatch::notify::deliver_due_at(
        &loaded,
        &state,
        &reqwest::Client::new(),
        &presswatch::notify::RetryPolicy::default(),
        later,
    )
    .await
    .unwrap();
    assert_eq!(sent.sent, 2, "{sent:?}");
    let raw = mails.lock().unwrap()[0].clone();
    let mail = MessageParser::default().parse(&raw).unwrap();
    let header = record_header(&mail);
    let records: Vec<&str> = header
        .split([' ', ',', '(', ')'])
        .filter(|w| w.len() == 64)
        .collect();
    assert_eq!(records.len(), 2, "{header}");
    // The watch whose name a header carries as it is is named; the other not.
    assert!(
        header.contains(&format!("{} (watch rasoulof, version 2)", records[0]))
            || header.contains(&format!("{} (watch rasoulof, version 2)", records[1])),
        "{header}"
    );
    let text = mail.body_text(0).unwrap().replace("\r\n", "\n");
    let html = mail.body_html(0).unwrap();
    let mut shorts = Vec::new();
    for record in &records {
        let short = format!("{}…{}", &record[..8], &record[56..]);
        let line = format!(
            "Record {short} (version 2) — presswatch verify can prove this version is unaltered"
        );
        assert!(text.replace("\n  ", " ").contains(&line), "{text}");
        assert!(html.contains(&line), "{html}");
        shorts.push(short);
    }
    let eml = project.path("digest.eml");
    std::fs::write(&eml, &raw).unwrap();
    let eml = eml.display().to_string();
    let said = ok(&run(&["verify", "--config", &config, "--record", &eml], &[]).await);
    for short in &shorts {
        assert!(
            said.lines()
                .any(|l| l.starts_with(&format!("record {short} is watch "))
                    && l.contains("version 2, stored ")
                    && l.contains("the chain still holds it")),
            "{said}"
        );
    }
    // `history` and the viewer show each version's record as the alert
    // does: staff match the alert to its version.
    let listed = ok(&run(&["history", "--config", &config, "rasoulof"], &[]).await);
    let v2 = listed
        .lines()
        .find(|l| l.starts_with("   2  "))
        .unwrap_or_else(|| panic!("{listed}"));
    assert!(
        shorts
            .iter()
            .any(|s| v2.contains(&format!("  record {s}  "))),
        "{listed}"
    );
    let shown = ok(&run(
        &["history", "--config", &config, "rasoulof", "--show", "2"],
        &[],
    )
    .await);
    assert!(
        shown.contains(&format!("Record {}", v2_record(v2))),
        "{shown}"
    );
    let out = project.path("report");
    ok(&run(
        &[
            "report",
            "--config",
            &config,
            "--out",
            &out.display().to_string(),
        ],
        &[],
    )
    .await);
    let timeline = std::fs::read_to_string(out.join("rasoulof/index.html")).unwrap();
    assert!(
        timeline.contains(&format!("<td class=\"hash\">{}</td>", v2_record(v2))),
        "{timeline}"
    );
}

/// The record a `history` line shows: the word after `record`.
fn v2_record(line: &str) -> &str {
    let mut words = line.split_whitespace();
    words.by_ref().find(|w| *w == "record");
    words.next().unwrap_or_default()
}

/// The viewer says of a keyword watch's new items what its alert said.
/// Given a feed watch with `keywords = ["Evin"]` whose feed gains a story
/// that mentions Evin and one that does not, then only one that does not:
/// the alert named the first story alone, yet the viewer underlined both as
/// the version's news, and listed the third check's version as "New items"
/// though no alert went out; a month later, the alert pruned from the
/// outbox, its summary named all of them too. The viewer marks the
/// alerted story as the news, lists the others as new but mentioning no
/// keyword and not alerted, says "No alert" of the version no alert
/// reported, and says the same once the alert itself is gone (the version
/// records which items it named). `presswatch history` says it too.
#[tokio::test(flavor = "multi_thread")]
async fn the_viewer_presents_as_a_keyword_watchs_news_only_the_items_its_alert_named_on_either_backend(
) {
    for (backend, state, pg_db) in state_backends() {
        let server = Server::start().await;
        let cfg = format!(
            "[daemon]\nper_host_delay = \"0s\"\n{state}[[channel]]\nname = \"hook\"\ntype = \"webhook\"\nurl = \"{}\"\n[[watch]]\nname = \"wire\"\nkind = \"feed\"\nurl = \"{}\"\nrobots = false\nkeywords = [\"Evin\"]\n",
            server.url("/hook"),
            server.url("/feed.xml")
        );
        let project = Project::new(&cfg);
        let config = project.config_arg();
        let env: &[(&str, &str)] = if pg_db.is_some() { &PG_ENV } else { &[] };
        let feed = |titles: &[&str]| {
            let items: String = titles
                .iter()
                .enumerate()
                .map(|(n, t)| {
                    format!(
                        "<item><title>{t}</title><link>https://wire.example/{}</link></item>",
                        titles.len() - n
                    )
                })
                .collect();
            Route {
                status: 200,
                headers: vec![("Content-Type".into(), "application/rss+xml".into())],
                body: format!("<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>Wire</title><link>https://wire.example/</link><description>d</description>{items}</channel></rss>").into_bytes(),
            }
        };
        let (old, matching, other, later) = (
            "Court hears appeal",
            "Activist moved to Evin prison",
            "Rain closes roads in the north",
            "Bazaar shuts for the holiday",
        );
        for titles in [
            &[old][..],
            &[other, matching, old][..],
            &[later, other, matching, old][..],
        ] {
            server.set("/feed.xml", feed(titles));
            ok(&run(&["check", "--config", &config], env).await);
        }
        let [hook] = server.requests_to("/hook").try_into().expect("one alert");
        let payload: serde_json::Value = serde_json::from_slice(&hook.body).unwrap();
        assert_eq!(payload["items"].as_array().unwrap().len(), 1, "{payload}");
        assert_eq!(payload["items"][0]["title"], matching);
        for step in ["kept", "pruned"] {
            if step == "pruned" {
                // A month on: the delivered alert is pruned from the outbox.
                alter(
                    &project,
                    pg_db.as_deref(),
                    "DELETE FROM outbox; DELETE FROM alerts;",
                );
            }
            let out = project.path(&format!("report-{step}"));
            ok(&report(&config, &out, env).await);
            let v2 = std::fs::read_to_string(out.join("wire/v2.html")).unwrap();
            let after = v2.split("(after)").nth(1).expect("the new side");
            assert!(
                after.contains(&format!(">{matching}</ins>")),
                "{backend} {step}: {after}"
            );
            assert!(
                !after.contains(&format!("{other}</ins>")),
                "{backend} {step}: {after}"
            );
            assert!(
                after.contains(&format!(
                    "<p><span class=\"meta\">New, mentions no keyword (not alerted):</span> <bdi dir=\"auto\">{other}</bdi></p>"
                )),
                "{backend} {step}: {after}"
            );
            let card = v2.split("Side by side").next().unwrap();
            assert!(card.contains(matching), "{backend} {step}: {card}");
            assert!(!card.contains(other), "{backend} {step}: {card}");
            let timeline = std::fs::read_to_string(out.join("wire/index.html")).unwrap();
            let row = |seq: usize| {
                timeline
                    .split("<tr>")
                    .find(|r| r.contains(&format!("Version {seq}</a>")))
                    .unwrap()
                    .to_string()
            };
            assert!(
                row(2).contains(matching) && !row(2).contains(other),
                "{backend} {step}: {}",
                row(2)
            );
            assert!(
                row(3).contains("No alert: 1 new item mentioning no keyword, not alerted"),
                "{backend} {step}: {}",
                row(3)
            );
            let v3 = std::fs::read_to_string(out.join("wire/v3.html")).unwrap();
            assert!(
                !v3.contains("as the alert showed it"),
                "{backend} {step}: {v3}"
            );
            assert!(!v3.contains("</ins>"), "{backend} {step}: {v3}");
        }
        let history = ok(&run(&["history", "--config", &config, "wire"], env).await);
        assert!(
            history.contains(&format!(
                "1 new item: \u{201C}{matching}\u{201D}; 1 new item mentioning no keyword, not alerted"
            )),
            "{backend}: {history}"
        );
        assert!(
            history
                .lines()
                .any(|l| l.ends_with("  1 new item mentioning no keyword, not alerted")),
            "{backend}: {history}"
        );
    }
}

/// An alert email's `X-Presswatch-Record` header, its folding undone.
fn record_header(mail: &mail_parser::Message) -> String {
    mail.header_raw("X-Presswatch-Record")
        .expect("an X-Presswatch-Record header")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}
