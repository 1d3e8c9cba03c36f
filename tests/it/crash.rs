//! Storage under abrupt death: the process is SIGKILLed at random points of a
//! check cycle, 200 times; afterwards no baseline is torn, the database is
//! consistent, no raw snapshot is half-written, every detected change is
//! delivered or pending, no change is delivered under two ids, and every
//! alert delivered names a version the history holds.

use std::collections::HashMap;
use std::time::Duration;

use crate::support::{binary, news_page, Project, Route, Server};

const BASE: [&str; 3] = [
    "Iranian dissident filmmaker Mohammad Rasoulof has fled Iran, escaping on foot through rugged mountainous borders.",
    "In a statement released Monday, the artist said he arrived in Europe after a long and complicated journey.",
    "Rasoulof's film delves into the protest movements in Iran following the death of Mahsa Amini in 2022.",
];

/// Version `v` of the article: the base text plus a sentence naming `v`.
fn version(v: usize) -> (String, String) {
    let extra = format!("Update {v}: the director's lawyer gave a further statement numbered {v}.");
    let mut paras: Vec<&str> = BASE.to_vec();
    paras.push(&extra);
    (
        news_page("Filmmaker Rasoulof flees Iran", "Jane Doe", &paras, &[]),
        extra,
    )
}

#[tokio::test(flavor = "multi_thread")]
async fn killed_two_hundred_times_loses_nothing_and_tears_nothing() {
    let server = Server::start().await;
    let page = "/2024/05/rasoulof";
    server.set(page, Route::html(version(0).0));
    let cfg = format!(
        "[daemon]\nper_host_delay = \"0s\"\n[[channel]]\nname = \"hook\"\ntype = \"webhook\"\nurl = \"{}\"\n[[watch]]\nname = \"rasoulof\"\nurl = \"{}\"\n",
        server.url("/hook"),
        server.url(page)
    );
    let project = Project::new(&cfg);
    let config = project.config_arg();
    let mut seed: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next_random = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    // Two clean runs: the baseline, then a first change; the second also
    // measures how long a whole check takes on this machine, so kills land
    // anywhere in it however busy the machine is.
    crate::support::run(&["check", "--config", &config], &[]).await;
    let mut served = 1usize;
    server.set(page, Route::html(version(served).0));
    let started = std::time::Instant::now();
    crate::support::run(&["check", "--config", &config], &[]).await;
    let whole_run_us = (started.elapsed().as_micros() as u64).max(1000) * 6 / 5;
    for i in 0..200 {
        // A new version every few runs, so kills land in every phase.
        if i % 3 == 0 {
            served += 1;
            server.set(page, Route::html(version(served).0));
        }
        let delay = Duration::from_micros(next_random() % whole_run_us);
        let config = config.clone();
        tokio::task::spawn_blocking(move || {
            let mut child = std::process::Command::new(binary())
                .args(["check", "--config", &config])
                .stdout(std::process::Stdio::null())
                .stderr(std::process::Stdio::null())
                .spawn()
                .unwrap();
            std::thread::sleep(delay);
            let _ = child.kill(); // SIGKILL
            let _ = child.wait();
        })
        .await
        .unwrap();
        // The baseline, when present, is always one whole version.
        if let Ok(text) = std::fs::read_to_string(project.path("baseline/rasoulof.txt")) {
            assert_whole_version(&text, served);
        }
    }
    // A clean run settles everything: the last change is detected and delivered.
    let out = crate::support::run(&["check", "--config", &config], &[]).await;
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    crate::support::run(&["outbox", "--config", &config, "retry"], &[]).await;

    let text = std::fs::read_to_string(project.path("baseline/rasoulof.txt")).unwrap();
    assert!(
        text.contains(&version(served).1),
        "the baseline ends at the last served version"
    );

    let db = rusqlite::Connection::open(project.path("state/presswatch.db")).unwrap();
    let integrity: String = db
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(integrity, "ok");
    // No snapshot is half-written: every kept raw body decompresses to the
    // bytes its SHA-256 names, and every version kept its response.
    let verified = crate::support::run(&["verify", "--config", &config], &[]).await;
    assert!(
        verified.status.success(),
        "{}",
        String::from_utf8_lossy(&verified.stdout)
    );
    let without_raw: i64 = db
        .query_row("SELECT COUNT(*) FROM versions v WHERE NOT EXISTS (SELECT 1 FROM raw_snapshots s WHERE s.watch = v.watch AND s.version = v.seq)", [], |r| r.get(0))
        .unwrap();
    assert_eq!(without_raw, 0, "every version has its raw response");
    let undelivered: i64 = db
        .query_row("SELECT COUNT(*) FROM alerts a LEFT JOIN outbox o ON o.alert_id = a.id WHERE o.status IS NOT 'sent'", [], |r| r.get(0))
        .unwrap();
    assert_eq!(undelivered, 0, "every detected change was delivered");

    // Each distinct change went out under one id only.
    let mut ids_by_change: HashMap<String, std::collections::HashSet<String>> = HashMap::new();
    for r in server.requests_to("/hook") {
        let alert: serde_json::Value = serde_json::from_slice(&r.body).unwrap();
        let change = serde_json::to_string(&alert["change"]["blocks"]).unwrap();
        ids_by_change
            .entry(change)
            .or_default()
            .insert(alert["id"].as_str().unwrap().to_string());
    }
    assert!(!ids_by_change.is_empty());
    for (change, ids) in &ids_by_change {
        assert_eq!(
            ids.len(),
            1,
            "change delivered under several ids: {ids:?}\n{change}"
        );
    }
    // Each alert delivered names, by its record, a version the history
    // holds (or pruned since by keep_versions): none names a version its
    // killed check never stored.
    let records: std::collections::BTreeSet<String> = server
        .requests_to("/hook")
        .iter()
        .filter_map(|r| {
            let alert: serde_json::Value = serde_json::from_slice(&r.body).ok()?;
            Some(alert["evidence"]["record"].as_str()?.to_string())
        })
        .collect();
    assert!(!records.is_empty());
    for record in &records {
        let said =
            crate::support::run(&["verify", "--config", &config, "--record", record], &[]).await;
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&said.stdout),
            String::from_utf8_lossy(&said.stderr)
        );
        assert!(
            said.status.success() && !text.contains("MISMATCH"),
            "record {record}: {text}"
        );
    }
}

/// Asserts that a baseline file holds exactly one served version, whole.
fn assert_whole_version(text: &str, served_up_to: usize) {
    assert!(
        BASE.iter().all(|p| text.contains(p)),
        "torn baseline:\n{text}"
    );
    let updates = (0..=served_up_to)
        .filter(|v| text.contains(&version(*v).1))
        .count();
    assert_eq!(updates, 1, "a baseline holds one version:\n{text}");
}
