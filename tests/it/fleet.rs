//! A fleet: several `presswatch run` processes sharing one PostgreSQL state
//! (a throwaway cluster, see `pg.rs`) and a loopback newsroom that records
//! every request — when it started and ended, at which host — and every
//! webhook delivery. Skipped with a message only when PostgreSQL cannot
//! start here (never under CI=true).

use std::collections::{HashMap, HashSet};
use std::net::SocketAddr;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

use crate::pg;
use crate::support::{article, eventually, Daemon, Route, Server};

/// The schedule runs this many times faster than configured: an interval
/// of 1m lasts 6 s.
const SCALE: u32 = 10;
const INTERVAL: Duration = Duration::from_secs(60 / SCALE as u64);

/// One page request the newsroom answered.
#[derive(Debug, Clone)]
struct Hit {
    path: String,
    host: String,
    start: Instant,
}

#[derive(Default)]
struct Log {
    hits: Vec<Hit>,
    in_flight: HashMap<String, usize>,
    most_in_flight: HashMap<String, usize>,
    /// (webhook-id, watch) of each delivery.
    deliveries: Vec<(String, String)>,
}

/// Article pages at /a/N on 127.0.0.1 and 127.0.0.2 (ETag = version, 304 on
/// a match), and a webhook receiver at /hook.
#[derive(Clone)]
struct Newsroom {
    port: u16,
    versions: Arc<Mutex<HashMap<String, u32>>>,
    log: Arc<Mutex<Log>>,
}

impl Newsroom {
    async fn start() -> Newsroom {
        let first = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = first.local_addr().unwrap().port();
        let second = TcpListener::bind(("127.0.0.2", port)).await.unwrap();
        let room = Newsroom {
            port,
            versions: Default::default(),
            log: Default::default(),
        };
        for l in [first, second] {
            let r = room.clone();
            tokio::spawn(async move {
                while let Ok((sock, peer)) = l.accept().await {
                    let r = r.clone();
                    tokio::spawn(async move { r.serve(sock, peer).await });
                }
            });
        }
        room
    }

    fn url(&self, host: &str, path: &str) -> String {
        format!("http://{host}:{}{path}", self.port)
    }

    /// Serves a new version of the page at `path` from now on.
    fn edit(&self, path: &str) {
        *self
            .versions
            .lock()
            .unwrap()
            .entry(path.into())
            .or_insert(1) += 1;
    }

    async fn serve(&self, mut sock: tokio::net::TcpStream, _peer: SocketAddr) {
        let mut buf = Vec::new();
        let mut chunk = [0u8; 16384];
        let (head, body) = loop {
            let Ok(n) = sock.read(&mut chunk).await else {
                return;
            };
            if n == 0 {
                return;
            }
            buf.extend_from_slice(&chunk[..n]);
            let text = String::from_utf8_lossy(&buf).into_owned();
            if let Some((head, body)) = text.split_once("\r\n\r\n") {
                let len: usize = header(head, "content-length")
                    .and_then(|v| v.parse().ok())
                    .unwrap_or(0);
                if body.len() >= len {
                    break (head.to_string(), body.to_string());
                }
            }
        };
        let path = head.split(' ').nth(1).unwrap_or("/").to_string();
        let host = header(&head, "host")
            .unwrap_or_default()
            .split(':')
            .next()
            .unwrap_or_default()
            .to_string();
        if path == "/hook" {
            let id = header(&head, "webhook-id").unwrap_or_default();
            let watch = serde_json::from_str::<serde_json::Value>(&body)
                .ok()
                .and_then(|v| v["watch"].as_str().map(String::from))
                .unwrap_or_default();
            self.log.lock().unwrap().deliveries.push((id, watch));
            let _ = sock
                .write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
                .await;
            return;
        }
        let start = Instant::now();
        {
            let mut log = self.log.lock().unwrap();
            let n = log.in_flight.entry(host.clone()).or_default();
            *n += 1;
            let n = *n;
            let most = log.most_in_flight.entry(host.clone()).or_default();
            *most = (*most).max(n);
            log.hits.push(Hit {
                path: path.clone(),
                host: host.clone(),
                start,
            });
        }
        // Long enough for requests to overlap when politeness lets them.
        tokio::time::sleep(Duration::from_millis(4)).await;
        let version = *self.versions.lock().unwrap().get(&path).unwrap_or(&1);
        let etag = format!("\"v{version}\"");
        let response = if header(&head, "if-none-match").as_deref() == Some(etag.as_str()) {
            format!("HTTP/1.1 304 Not Modified\r\nETag: {etag}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
                .into_bytes()
        } else {
            let words = if version == 1 {
                "The first account of the story.".to_string()
            } else {
                format!("A revised account, version {version}, of the story.")
            };
            let page = article(&format!("Story {path}"), &words);
            let mut r = format!(
                "HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nETag: {etag}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                page.len()
            )
            .into_bytes();
            r.extend_from_slice(page.as_bytes());
            r
        };
        // Counted out before the answer goes: a replica can free its host
        // token only once the answer is in, so a request that starts after
        // that is never counted as overlapping this one (counting out after
        // the socket closed would, on a busy machine).
        *self.log.lock().unwrap().in_flight.get_mut(&host).unwrap() -= 1;
        let _ = sock.write_all(&response).await;
        let _ = sock.shutdown().await;
    }

    fn hits(&self) -> Vec<Hit> {
        self.log.lock().unwrap().hits.clone()
    }
}

fn header(head: &str, name: &str) -> Option<String> {
    head.lines()
        .filter_map(|l| l.split_once(':'))
        .find(|(k, _)| k.trim().eq_ignore_ascii_case(name))
        .map(|(_, v)| v.trim().to_string())
}

/// A fleet config: `n` watches on 127.0.0.1 (fleet-wide at most 3 requests
/// at once, no delay) and `slow` on 127.0.0.2 (one at a time, 300 ms apart).
fn fleet_config(room: &Newsroom, url: &str, n: usize, slow: usize) -> String {
    let mut cfg = format!(
        r#"[daemon]
interval = "1m"
concurrency = 8
per_host_delay = "0s"
per_host_concurrency = 3
state_url = "{url}"
state_password_env = "{env}"
lease = "3s"
baseline_dir = "baseline"

[[host]]
name = "127.0.0.2"
delay = "300ms"
concurrency = 1

[[channel]]
name = "desk"
type = "webhook"
url = "{hook}"
"#,
        env = pg::PASSWORD_ENV,
        hook = room.url("127.0.0.1", "/hook"),
    );
    for i in 0..n {
        cfg.push_str(&format!(
            "[[watch]]\nname = \"w{i:04}\"\nurl = \"{}\"\n",
            room.url("127.0.0.1", &format!("/a/{i}"))
        ));
    }
    for i in 0..slow {
        cfg.push_str(&format!(
            "[[watch]]\nname = \"slow{i}\"\nurl = \"{}\"\n",
            room.url("127.0.0.2", &format!("/s/{i}"))
        ));
    }
    cfg
}

fn start_replica(config: &Path, name: &str) -> Daemon {
    // Each replica logs beside its config (`a.log`): the same config file,
    // linked under the replica's name.
    let log_config = config.with_file_name(format!("{name}.toml"));
    std::os::unix::fs::symlink(config, &log_config).unwrap();
    Daemon::start(
        &log_config,
        &[
            (pg::PASSWORD_ENV, pg::PASSWORD),
            ("PRESSWATCH_TEST_TIME_SCALE", &SCALE.to_string()),
            // Every check logged, the quiet ones too (`run -v`).
            ("RUST_LOG", "presswatch=info,presswatch::check=debug"),
        ],
    )
}

/// When each watched page was requested (robots.txt aside): path → start times.
fn starts_by_path(hits: &[Hit]) -> HashMap<String, Vec<Instant>> {
    let mut by: HashMap<String, Vec<Instant>> = HashMap::new();
    for h in hits.iter().filter(|h| !h.path.starts_with("/robots.txt")) {
        by.entry(h.path.clone()).or_default().push(h.start);
    }
    for v in by.values_mut() {
        v.sort();
    }
    by
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_replicas_check_a_thousand_watches_once_per_interval_politely_and_survive_a_kill() {
    let Some(cluster) = pg::cluster() else { return };
    let url = cluster.database();
    let db = cluster.name_of(&url);
    let room = Newsroom::start().await;
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("presswatch.toml");
    std::fs::write(&config, fleet_config(&room, &url, 1000, 10)).unwrap();
    let t0 = Instant::now();
    let mut replicas: Vec<Daemon> = ["a", "b", "c"]
        .iter()
        .map(|n| start_replica(&config, n))
        .collect();

    // The first cycle: every watch checked once, its baseline stored. (A
    // page requested is not yet a baseline: on a busy machine a first check
    // can still be under way, and a story edited before its baseline is
    // stored is no news.)
    let baselines = || {
        cluster
            .psql(db, "SELECT count(DISTINCT watch) FROM versions")
            .unwrap()
    };
    let all_checked = crate::support::eventually(Duration::from_secs(40), || {
        starts_by_path(&room.hits()).len() == 1010 && baselines() == "1010"
    })
    .await;
    assert!(
        all_checked,
        "every watch checked within 40 s: {} of 1010 checked, {} requests, {} baselines stored; logs:\n{}",
        starts_by_path(&room.hits()).len(),
        room.hits().len(),
        baselines(),
        replicas[0].log_text()
    );
    let first_cycle = t0.elapsed();

    // Fifty stories change; a replica is killed mid-cycle while it holds leases.
    let changed: Vec<usize> = (0..1000).step_by(20).collect();
    for i in &changed {
        room.edit(&format!("/a/{i}"));
    }
    tokio::time::sleep(INTERVAL / 2).await;
    let victim_pid = replicas[2].child.id() as i64;
    let held_by_victim = || {
        cluster
            .psql(
                db,
                &format!(
                    "SELECT string_agg(w.watch, ',') FROM watch_state w JOIN replicas r ON r.id = w.lease_owner WHERE r.pid = {victim_pid}"
                ),
            )
            .unwrap()
    };
    // The replica is frozen (SIGSTOP) while its leases are read, so the
    // watches it holds at the kill are the ones read: a running replica
    // could lease and check more between the read and the kill.
    let mut held = String::new();
    let holding = crate::support::eventually(Duration::from_secs(10), || {
        replicas[2].signal("STOP");
        held = held_by_victim();
        if held.is_empty() {
            replicas[2].signal("CONT");
        }
        !held.is_empty()
    })
    .await;
    assert!(holding, "replica c never held a lease");
    replicas[2].child.kill().unwrap(); // SIGKILL
    let killed_at = Instant::now();
    let orphaned: Vec<String> = held.split(',').map(String::from).collect();

    // Its leases move within the lease time (3 s, renewed every second):
    // the database shows none left under its name, each watch it held
    // leased again or checked by another replica.
    let moved =
        crate::support::eventually(Duration::from_secs(10), || held_by_victim().is_empty()).await;
    let moved_after = killed_at.elapsed();
    assert!(
        moved,
        "the killed replica's leases {orphaned:?} never moved"
    );
    // The lease runs out at most 3 s after the kill (its last renewal was
    // before it); the survivors, polling every 250 ms on a machine that
    // may be busy, then take it.
    assert!(
        moved_after <= Duration::from_secs(5),
        "leases moved in {moved_after:?}, more than the 3 s lease and 2 s to take them"
    );
    let path_of = |w: &str| match w.strip_prefix("slow") {
        Some(i) => format!("/s/{i}"),
        None => format!("/a/{}", w[1..].parse::<usize>().unwrap()),
    };
    let rechecked = crate::support::eventually(INTERVAL, || {
        let by = starts_by_path(&room.hits());
        orphaned.iter().all(|w| {
            by.get(&path_of(w))
                .is_some_and(|s| s.iter().any(|t| *t > killed_at))
        })
    })
    .await;
    let rechecked_after = killed_at.elapsed();
    assert!(
        rechecked,
        "the killed replica's watches {orphaned:?} were checked by the others"
    );

    // Two more intervals, then the survivors stop cleanly.
    tokio::time::sleep(INTERVAL * 2).await;
    for r in &replicas[..2] {
        r.signal("TERM");
    }
    for r in &mut replicas[..2] {
        assert_eq!(r.wait_exit(Duration::from_secs(40)).await, Some(0));
    }
    let end = Instant::now();

    // Every watch was checked once per interval: never two checks closer
    // than the interval less its jitter, never a gap longer than the
    // interval and its jitter plus, for the watches the killed replica
    // held, the lease time.
    let by = starts_by_path(&room.hits());
    assert_eq!(by.len(), 1010);
    let (mut closest, mut widest) = (Duration::MAX, Duration::ZERO);
    // The checks the killed replica had in flight never finished: the
    // replica that took the lease over does them again (at once).
    let redone: HashSet<String> = orphaned.iter().map(|w| path_of(w)).collect();
    for (path, starts) in &by {
        for pair in starts.windows(2) {
            let gap = pair[1] - pair[0];
            if redone.contains(path) && pair[0] < killed_at && pair[1] > killed_at {
                continue;
            }
            closest = closest.min(gap);
            widest = widest.max(gap);
            assert!(
                gap >= INTERVAL.mul_f64(0.85),
                "{path} checked twice within {gap:?} (interval {INTERVAL:?})"
            );
        }
        // Not starved: checked again by the end, unless last checked in the
        // last interval.
        let last = *starts.last().unwrap();
        assert!(
            end - last <= INTERVAL.mul_f64(1.1) + Duration::from_secs(5),
            "{path} starved: last checked {:?} before the end",
            end - last
        );
    }
    // Politeness held for the whole fleet, as the newsroom saw it.
    let log = room.log.lock().unwrap();
    let most = |h: &str| log.most_in_flight.get(h).copied().unwrap_or(0);
    assert!(
        most("127.0.0.1") <= 3,
        "{} requests at once to 127.0.0.1",
        most("127.0.0.1")
    );
    assert!(most("127.0.0.1") >= 2, "the fleet did work in parallel");
    assert_eq!(most("127.0.0.2"), 1);
    let mut slow: Vec<Instant> = log
        .hits
        .iter()
        .filter(|h| h.host == "127.0.0.2")
        .map(|h| h.start)
        .collect();
    slow.sort();
    // Measured where the requests arrive, so with the jitter of a busy
    // machine; without the fleet's clock three replicas would start requests
    // to it at nearly the same moment.
    let slow_gap = slow.windows(2).map(|p| p[1] - p[0]).min().unwrap();
    assert!(
        slow_gap >= Duration::from_millis(200),
        "two requests to 127.0.0.2 {slow_gap:?} apart (300 ms delay)"
    );
    // Each changed story alerted exactly once, under one id, killed replica or not.
    let mut ids_by_watch: HashMap<&str, HashSet<&str>> = HashMap::new();
    for (id, watch) in &log.deliveries {
        ids_by_watch
            .entry(watch.as_str())
            .or_default()
            .insert(id.as_str());
    }
    for i in &changed {
        let w = format!("w{i:04}");
        let ids = ids_by_watch.get(w.as_str()).map_or(0, HashSet::len);
        assert_eq!(
            ids,
            1,
            "{w}: {ids} alert ids delivered; its alerts in the outbox (id|status|attempts|last error|claimed by):\n{}",
            cluster
                .psql(
                    db,
                    &format!("SELECT o.alert_id, o.status, o.attempts, o.last_error, o.claimed_by FROM outbox o JOIN alerts a ON a.id = o.alert_id WHERE a.watch = '{w}'")
                )
                .unwrap_or_else(|e| e)
        );
    }
    assert_eq!(
        ids_by_watch.len(),
        changed.len(),
        "only changed stories alerted"
    );
    eprintln!(
        "fleet: first cycle {first_cycle:?}; {} checks; gaps {closest:?}..{widest:?} (interval {INTERVAL:?}); leases moved {moved_after:?} after SIGKILL of a replica holding {}, checked again after {rechecked_after:?}; at most {} requests at once to 127.0.0.1, 127.0.0.2 at least {slow_gap:?} apart; {} deliveries",
        log.hits.len(),
        orphaned.len(),
        most("127.0.0.1"),
        log.deliveries.len()
    );
}

/// A small fleet config: `n` watches on 127.0.0.1, polite as usual.
fn small_config(room: &Newsroom, url: &str, n: usize) -> String {
    fleet_config(room, url, n, 0).replace("lease = \"3s\"", "lease = \"2s\"")
}

/// Starts a replica of each config, time sped up 30 times, and waits until
/// both have joined the fleet.
async fn two_replicas(config_a: &Path, config_b: &Path) -> (Daemon, Daemon) {
    let env = [
        (pg::PASSWORD_ENV, pg::PASSWORD),
        ("PRESSWATCH_TEST_TIME_SCALE", "30"),
        ("RUST_LOG", "presswatch=info"),
    ];
    let a = Daemon::start(config_a, &env);
    let b = Daemon::start(config_b, &env);
    let joined = crate::support::eventually(Duration::from_secs(20), || {
        a.log_text().contains("joined the fleet") && b.log_text().contains("joined the fleet")
    })
    .await;
    assert!(joined, "{}\n{}", a.log_text(), b.log_text());
    (a, b)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_replica_reloads_on_sighup_and_the_fleet_logs_mismatched_configs() {
    let Some(cluster) = pg::cluster() else { return };
    let url = cluster.database();
    let room = Newsroom::start().await;
    let dir = tempfile::tempdir().unwrap();
    let (config_a, config_b) = (dir.path().join("a.toml"), dir.path().join("b.toml"));
    std::fs::write(&config_a, small_config(&room, &url, 3)).unwrap();
    std::fs::write(&config_b, small_config(&room, &url, 3)).unwrap();
    let (mut a, mut b) = two_replicas(&config_a, &config_b).await;
    // Same config, same hash: no warning.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert!(!a.log_text().contains("different configs"));

    // b gets a fourth watch and reloads; the fleet notices the mismatch.
    std::fs::write(&config_b, small_config(&room, &url, 4)).unwrap();
    b.signal("HUP");
    let noticed = crate::support::eventually(Duration::from_secs(10), || {
        b.log_text().contains("config reloaded")
            && a.log_text()
                .contains("replicas of this fleet run different configs")
    })
    .await;
    assert!(noticed, "a:\n{}\nb:\n{}", a.log_text(), b.log_text());
    // The new watch is due within the start-up spread (its interval, 2 s at
    // this scale) and b leases it within a poll of that; 15 s leaves a busy
    // machine room. a, whose config lacks it, hands it back at once, due as
    // it was, the one time it may lease it first, and passes over it after.
    let checked = crate::support::eventually(Duration::from_secs(15), || {
        starts_by_path(&room.hits()).contains_key("/a/3")
    })
    .await;
    assert!(
        checked,
        "the reloaded watch is checked\na:\n{}\nb:\n{}",
        a.log_text(),
        b.log_text()
    );
    let passed_over = a.log_text().matches("not in this replica's config").count();
    assert!(passed_over <= 1, "a leased w0003 {passed_over} times");

    // `status` shows the fleet: both replicas, their leases, the mismatch.
    let out = crate::support::run(
        &["status", "--config", config_a.to_str().unwrap()],
        &[(pg::PASSWORD_ENV, pg::PASSWORD)],
    )
    .await;
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("fleet: 2 replicas"), "{text}");
    assert!(
        text.contains("the replicas run 2 different configs"),
        "{text}"
    );
    for d in [&a, &b] {
        d.signal("TERM");
    }
    assert_eq!(a.wait_exit(Duration::from_secs(30)).await, Some(0));
    assert_eq!(b.wait_exit(Duration::from_secs(30)).await, Some(0));
}

/// Two replicas run four watches; one is reloaded with a config that lacks
/// the fourth (an edit deployed to one replica, or a watch renamed there).
/// The other replica's config still has it, so the fleet keeps checking it:
/// its next edit is alerted, once. When the other replica reloads the same
/// config, the fleet runs one config and the watch is taken off the shared
/// schedule (nothing is due and waiting).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_watch_removed_from_one_replicas_config_is_still_checked_by_the_replica_that_has_it() {
    let Some(cluster) = pg::cluster() else { return };
    let url = cluster.database();
    let db = cluster.name_of(&url);
    let room = Newsroom::start().await;
    let dir = tempfile::tempdir().unwrap();
    let (config_a, config_b) = (dir.path().join("a.toml"), dir.path().join("b.toml"));
    std::fs::write(&config_a, small_config(&room, &url, 4)).unwrap();
    std::fs::write(&config_b, small_config(&room, &url, 4)).unwrap();
    let (mut a, mut b) = two_replicas(&config_a, &config_b).await;
    let checked = |n: usize| {
        let room = room.clone();
        move || {
            starts_by_path(&room.hits())
                .get("/a/3")
                .is_some_and(|v| v.len() >= n)
        }
    };
    assert!(
        eventually(Duration::from_secs(15), checked(1)).await,
        "a:\n{}\nb:\n{}",
        a.log_text(),
        b.log_text()
    );

    // a loses w0003 and reloads; b still has it.
    std::fs::write(&config_a, small_config(&room, &url, 3)).unwrap();
    a.signal("HUP");
    let reloaded = eventually(Duration::from_secs(10), || {
        a.log_text().contains("config reloaded")
    })
    .await;
    assert!(reloaded, "{}", a.log_text());
    let before = starts_by_path(&room.hits())["/a/3"].len();
    room.edit("/a/3");
    // Interval 2 s at this scale: checked again within a few.
    let alerted = eventually(Duration::from_secs(15), || {
        room.log
            .lock()
            .unwrap()
            .deliveries
            .iter()
            .any(|(_, w)| w == "w0003")
    })
    .await;
    assert!(
        alerted,
        "w0003 is still b's watch and its edit is alerted (checked {} times since a's reload)\na:\n{}\nb:\n{}",
        starts_by_path(&room.hits())["/a/3"].len() - before,
        a.log_text(),
        b.log_text()
    );

    // b reloads the same config: one config, and w0003 leaves the schedule.
    std::fs::write(&config_b, small_config(&room, &url, 3)).unwrap();
    b.signal("HUP");
    let retired = eventually(Duration::from_secs(15), || {
        cluster
            .psql(
                db,
                "SELECT count(*) FROM watch_state WHERE watch = 'w0003' AND due_ms IS NULL",
            )
            .is_ok_and(|n| n.trim() == "1")
    })
    .await;
    assert!(retired, "a:\n{}\nb:\n{}", a.log_text(), b.log_text());
    let sent = room
        .log
        .lock()
        .unwrap()
        .deliveries
        .iter()
        .filter(|(_, w)| w == "w0003")
        .count();
    assert_eq!(sent, 1, "the edit is alerted once");
    for d in [&a, &b] {
        d.signal("TERM");
    }
    assert_eq!(a.wait_exit(Duration::from_secs(30)).await, Some(0));
    assert_eq!(b.wait_exit(Duration::from_secs(30)).await, Some(0));
}

/// A fleet config with these watches (never fetched: the tests drive the
/// schedule only).
fn stepped_config(url: &str, watches: &[&str]) -> String {
    let mut text = format!(
        "[daemon]\nstate_url = \"{url}\"\nstate_password_env = \"{}\"\nlease = \"30s\"\n",
        pg::PASSWORD_ENV
    );
    for w in watches {
        text.push_str(&format!(
            "[[watch]]\nname = \"{w}\"\nurl = \"http://127.0.0.1:9/{w}\"\n"
        ));
    }
    text
}

/// One replica of a fleet as `presswatch run` makes it, driven step by step
/// (no daemon loop): its config, its handle on the database, its part in
/// the fleet.
struct Stepped {
    config: presswatch::config::Config,
    replica: presswatch::fleet::Replica,
    state: presswatch::store::State,
}

impl Stepped {
    /// Joins the fleet as a starting replica does: it announces itself and
    /// its config, and puts nothing on the schedule yet.
    fn join(url: &str, path: &Path, watches: &[&str]) -> Stepped {
        std::fs::write(path, stepped_config(url, watches)).unwrap();
        Stepped::start(url, path)
    }

    /// Joins the fleet with the config at `path`.
    fn start(url: &str, path: &Path) -> Stepped {
        let config = presswatch::config::Config::load(path).unwrap();
        let state = presswatch::store::State::open_postgres(
            url,
            Some(pg::PASSWORD),
            Duration::from_secs(30),
        )
        .unwrap();
        let fetcher = presswatch::fetch::Fetcher::http(&config.daemon).unwrap();
        let replica = presswatch::fleet::Replica::join(&config, &state, &fetcher)
            .unwrap()
            .expect("a PostgreSQL state makes a replica");
        Stepped {
            config,
            replica,
            state,
        }
    }

    /// Reloads its config from `path`, as SIGHUP does: the replica
    /// announces it, and the failed alerts of each channel it edits are
    /// due at once.
    fn reload(&mut self, path: &Path) {
        let new = presswatch::config::Config::load(path).unwrap();
        self.replica.reconfigured(&new);
        let now = chrono::Utc::now().timestamp();
        for channel in new.changes_since(&self.config).channels_changed {
            self.state.retry_channel_now(&channel, now).unwrap();
        }
        self.config = new;
    }

    /// One delivery round, as the daemon runs each second.
    async fn deliver(&self) -> presswatch::notify::DeliveryReport {
        let http = reqwest::Client::new();
        presswatch::notify::deliver_due(&self.config, &self.state, &http)
            .await
            .unwrap()
    }

    /// Puts its config's watches on the shared schedule, as the daemon
    /// does right after joining.
    fn schedule(&mut self) {
        let now = chrono::Utc::now().timestamp_millis();
        let sched = presswatch::scheduler::Scheduler::from_env();
        self.replica
            .schedule(&self.config, sched, now, &[])
            .unwrap();
    }
}

/// A fleet of replicas driven step by step with one article watch and a
/// webhook channel "hook" at a path of `server`: `text(path)` is a config
/// sending to that path. An edit of the article has been checked: its
/// alert waits in the shared outbox, due now.
struct ChannelFleet {
    cluster: &'static pg::Cluster,
    url: String,
    db: String,
    dir: tempfile::TempDir,
    server: Server,
}

impl ChannelFleet {
    async fn start() -> Option<ChannelFleet> {
        use crate::support::run;
        let cluster = pg::cluster()?;
        let url = cluster.database();
        let db = cluster.name_of(&url).to_string();
        let fleet = ChannelFleet {
            cluster,
            url,
            db,
            dir: tempfile::tempdir().unwrap(),
            server: Server::start().await,
        };
        let server = &fleet.server;
        server.set("/story", Route::html(article("Story", "First version.")));
        // The check's own delivery fails: the alert waits.
        server.set("/refused", Route::status(404));
        let path = fleet.write("setup.toml", "/refused");
        // A baseline, then an edit: its alert waits in the shared outbox.
        let env = [(pg::PASSWORD_ENV, pg::PASSWORD)];
        let cfg = path.to_str().unwrap();
        let out = run(&["check", "--config", cfg], &env).await;
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        server.set(
            "/story",
            Route::html(article("Story", "Second version, with more words.")),
        );
        run(&["check", "--config", cfg], &env).await;
        assert_eq!(fleet.pending(), "1");
        fleet.set_due("0");
        Some(fleet)
    }

    /// Makes the waiting alerts due at `when`, a SQL expression in Unix
    /// seconds.
    fn set_due(&self, when: &str) {
        let update = format!("UPDATE outbox SET next_attempt = {when}");
        self.cluster.psql(&self.db, &update).unwrap();
    }

    /// Writes the config `name`, its channel "hook" sending to `hook`.
    fn write(&self, name: &str, hook: &str) -> std::path::PathBuf {
        self.write_leased(name, hook, "30s")
    }

    /// The same with `daemon.lease` set to `lease`, for replicas run as
    /// processes, whose silence the test waits out.
    fn write_leased(&self, name: &str, hook: &str, lease: &str) -> std::path::PathBuf {
        let text = format!(
            "[daemon]\nstate_url = \"{}\"\nstate_password_env = \"{}\"\nlease = \"{lease}\"\n\
             per_host_delay = \"0s\"\nbaseline_dir = \"{}\"\n\n\
             [[channel]]\nname = \"hook\"\ntype = \"webhook\"\nurl = \"{}\"\n\n\
             [[watch]]\nname = \"story\"\nurl = \"{}\"\nrobots = false\n",
            self.url,
            pg::PASSWORD_ENV,
            self.dir.path().join("baseline").display(),
            self.server.url(hook),
            self.server.url("/story")
        );
        let path = self.dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        path
    }

    /// The alerts of "hook" not delivered.
    fn pending(&self) -> String {
        let pending = "SELECT count(*) FROM outbox WHERE channel = 'hook' AND status = 'pending'";
        self.cluster.psql(&self.db, pending).unwrap()
    }
}

/// A channel edited and reloaded on one replica is not sent to with the
/// old settings another replica still runs, nor, until every replica runs
/// the edit, with the edit. The outbox is shared, and an alert goes out
/// with the settings of the replica that sends it, whichever enqueued it.
/// Given an alert that failed at a mistyped webhook URL, ops fix the URL in
/// replica a's config and reload it (the alert is due again at once);
/// replica b still runs the config with the typo. b's next delivery round
/// took the alert and tried the typo again (a longer backoff, and the fix
/// looked like it did not work). Neither replica sends the channel while
/// they disagree (presswatch cannot tell which settings are right: see
/// the next test); once b runs the fixed config, the alert goes to the
/// fixed URL, once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_channel_fixed_and_reloaded_on_one_replica_is_not_sent_to_with_the_old_settings_of_another(
) {
    let Some(f) = ChannelFleet::start().await else {
        return;
    };
    f.server.set("/hook-typo", Route::status(404));
    let (a_path, b_path) = (
        f.write("a.toml", "/hook-typo"),
        f.write("b.toml", "/hook-typo"),
    );
    let mut a = Stepped::start(&f.url, &a_path);
    let mut b = Stepped::start(&f.url, &b_path);
    b.deliver().await;
    let tried = f.server.requests_to("/hook-typo").len();
    assert!(tried >= 1, "the alert is tried at the mistyped URL");

    f.write("a.toml", "/hook");
    a.reload(&a_path);
    let b_round = b.deliver().await;
    assert_eq!(
        f.server.requests_to("/hook-typo").len(),
        tried,
        "b, still running the typo, does not send the channel a set otherwise: {b_round:?}"
    );
    let a_round = a.deliver().await;
    assert_eq!(a_round.sent, 0, "nor does a, until b agrees: {a_round:?}");
    for r in [&a, &b] {
        assert_eq!(
            presswatch::notify::agreement::channels_not_sent_here(&r.config, &r.state).unwrap(),
            ["hook"]
        );
    }
    assert_eq!(f.pending(), "1", "the alert waits");

    // Once b runs the fixed config too, the alert goes to the fixed URL.
    f.write("b.toml", "/hook");
    b.reload(&b_path);
    for r in [&a, &b] {
        assert!(
            presswatch::notify::agreement::channels_not_sent_here(&r.config, &r.state)
                .unwrap()
                .is_empty()
        );
    }
    let sent = a.deliver().await.sent + b.deliver().await.sent;
    assert_eq!(sent, 1);
    assert_eq!(f.server.requests_to("/hook").len(), 1);
    assert_eq!(f.server.requests_to("/hook-typo").len(), tried);
}

/// A replica restarted with a stale config file (its host missed the
/// deploy) does not win back a channel ops fixed on the others. Given an
/// alert that failed at a mistyped URL, ops deploy the fix and reload
/// replica a; replica b's host missed the deploy, and b restarts (a
/// reboot, an upgrade) with the typo. b had loaded its config last, and
/// "the config loaded last wins" sent the alert, the failed ones with it,
/// back to the typo. Now no replica sends the channel while they set it
/// differently: `status` names the channel, which replica holds which
/// URL (without its token) and what to do; once b runs the fix, the alert
/// goes to the fixed URL, once, and never to the typo again.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_replica_restarted_with_a_stale_config_does_not_win_back_a_channel_fixed_on_the_others() {
    let Some(f) = ChannelFleet::start().await else {
        return;
    };
    let (typo, fixed) = ("/hook/T0KEN-typo", "/hook/T0KEN-fixed");
    f.server.set(typo, Route::status(404));
    let (a_path, b_path) = (f.write("a.toml", typo), f.write("b.toml", typo));
    let mut a = Stepped::start(&f.url, &a_path);
    let mut b = Stepped::start(&f.url, &b_path);
    a.deliver().await;
    let tried = f.server.requests_to(typo).len();
    assert!(tried >= 1, "the alert is tried at the mistyped URL");

    // The fix, deployed and reloaded on a; b restarts with the stale file.
    f.write("a.toml", fixed);
    a.reload(&a_path);
    b.replica.resign();
    drop(b);
    let mut b = Stepped::start(&f.url, &b_path);
    let (b_round, a_round) = (b.deliver().await, a.deliver().await);
    assert_eq!(
        f.server.requests_to(typo).len(),
        tried,
        "the restarted stale replica does not send to the typo: {b_round:?}"
    );
    assert_eq!(b_round.sent + a_round.sent, 0, "{b_round:?} {a_round:?}");
    assert_eq!(f.pending(), "1", "the alert waits, not lost");

    // `status` says so, without the tokens, and what to do.
    let text = fleet_status(a_path.to_str().unwrap()).await;
    assert!(
        text.contains("channel \"hook\": ALERTS HELD, the replicas set it differently: no replica sends its alerts until they all run the same settings (1 alert waiting; nothing is lost or sent twice)"),
        "{text}"
    );
    let line = |id: &str| {
        text.lines()
            .find(|l| l.starts_with(&format!("  replica {id}")))
            .unwrap_or_else(|| panic!("replica {id} is listed with its settings\n{text}"))
            .to_string()
    };
    let (a_line, b_line) = (line(a.replica.id()), line(b.replica.id()));
    assert!(
        a_line.contains(" (as ") && a_line.contains("a.toml here)"),
        "{text}"
    );
    for l in [&a_line, &b_line] {
        assert!(
            l.contains(": url: http://127.0.0.1:") && l.contains("/… (path and query not shown: #"),
            "{text}"
        );
    }
    assert_ne!(
        a_line.rsplit('#').next(),
        b_line.rsplit('#').next(),
        "{text}"
    );
    assert!(!text.contains("T0KEN"), "no token is shown\n{text}");
    assert!(
        !text.contains("failing, retried with backoff"),
        "its failed alert waits for the replicas, not for `outbox retry`\n{text}"
    );
    assert!(
        text.contains("  deploy one config to every host, then send each replica SIGHUP (`systemctl reload presswatch`) or restart it: the held alerts go out once every replica runs the same settings"),
        "{text}"
    );

    // The fix deployed to b's host too, b restarted: sent once, fixed.
    f.write("b.toml", fixed);
    b.replica.resign();
    drop(b);
    let b = Stepped::start(&f.url, &b_path);
    let sent = a.deliver().await.sent + b.deliver().await.sent;
    assert_eq!(sent, 1);
    assert_eq!(f.server.requests_to(fixed).len(), 1);
    assert_eq!(f.server.requests_to(typo).len(), tried);
    assert_eq!(f.pending(), "0");
    assert!(!fleet_status(a_path.to_str().unwrap())
        .await
        .contains("ALERTS HELD"));
}

/// Replicas a (`a.toml`) and b (`b.toml`) run as `presswatch run`, each
/// with a 2 s lease, their channel "hook" sending to `a_hook` and
/// `b_hook` (both answer 200), with the alert of ChannelFleet waiting;
/// returned once each has said that the other sets "hook" differently,
/// with their paths.
async fn held_between(
    f: &ChannelFleet,
    a_hook: &str,
    b_hook: &str,
) -> (Daemon, Daemon, std::path::PathBuf, std::path::PathBuf) {
    for hook in [a_hook, b_hook] {
        f.server.set(hook, Route::status(200));
    }
    let a_path = f.write_leased("a.toml", a_hook, "2s");
    let b_path = f.write_leased("b.toml", b_hook, "2s");
    // The alert is due only once both run: the replica that starts first
    // would otherwise send it before the other has said how it sets the
    // channel (as it should, alone), which a busy machine makes likely.
    f.set_due("extract(epoch from now())::BIGINT + 3600");
    let env = [(pg::PASSWORD_ENV, pg::PASSWORD)];
    let (a, b) = (Daemon::start(&a_path, &env), Daemon::start(&b_path, &env));
    for d in [&a, &b] {
        d.wait_for_log("is set differently on replica", Duration::from_secs(20))
            .await;
    }
    f.set_due("0");
    (a, b, a_path, b_path)
}

/// Kills `a` (SIGKILL: no clean stop) and waits until `b` has said that
/// a's settings still hold the channel.
async fn kill_while_held(a: &mut Daemon, b: &Daemon) {
    a.signal("KILL");
    let _ = a.wait_exit(Duration::from_secs(10)).await;
    b.wait_for_log("left without a clean stop", Duration::from_secs(20))
        .await;
}

/// Waits until the alert has gone to `hook` (b sends it), then a while
/// longer: it went there once, and nothing waits.
async fn sent_once(f: &ChannelFleet, hook: &str, b: &Daemon) {
    assert!(
        eventually(Duration::from_secs(20), || f.server.requests_to(hook).len()
            == 1)
        .await,
        "{}",
        b.log_text()
    );
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(f.server.requests_to(hook).len(), 1, "sent once");
    assert_eq!(f.pending(), "0");
}

/// The id `status` lists the replica with process id `pid` by.
fn replica_id(status: &str, pid: u32) -> String {
    status
        .lines()
        .find(|l| l.contains(&format!("  pid {pid} on ")))
        .and_then(|l| l.split_whitespace().next())
        .unwrap_or_else(|| panic!("replica pid {pid} is listed\n{status}"))
        .to_string()
}

/// The replica with the fix killed does not hand the channel to the one
/// with the stale settings. Given replica a running the fixed webhook URL
/// and b, whose host missed the deploy, the stale one, the channel is held
/// while both run; then a is killed (SIGKILL: no clean stop). Once a had
/// been silent for the lease time, b sent the held alert to the stale URL
/// (a replica not live was not counted): the fix ops had deployed was
/// forgotten. Now a's settings still hold the channel: b logs at error
/// level that a left without a clean stop and what to run, `status` lists
/// a as having left so and the command that forgets it, and the alert
/// waits. Ops deploy the fix to b's host and reload b, as documented: the
/// alert goes to the fixed URL, once, and never to the stale one.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_replica_with_the_fix_killed_does_not_let_the_stale_one_send_until_ops_deploy_the_fix() {
    let Some(f) = ChannelFleet::start().await else {
        return;
    };
    let (fixed, stale) = ("/hook/fixed", "/hook/stale");
    let (mut a, mut b, _a_path, b_path) = held_between(&f, fixed, stale).await;
    let cfg = b_path.to_str().unwrap().to_string();
    let a_id = replica_id(&fleet_status(&cfg).await, a.child.id());

    kill_while_held(&mut a, &b).await;
    // Several lease times and delivery rounds later, still held.
    tokio::time::sleep(Duration::from_secs(5)).await;
    assert_eq!(
        f.server.requests_to(stale).len(),
        0,
        "b does not send to the stale URL\n{}",
        b.log_text()
    );
    assert_eq!(f.server.requests_to(fixed).len(), 0);
    assert_eq!(f.pending(), "1", "the alert waits, not lost");
    let log = b.log_text();
    let said = log
        .lines()
        .find(|l| l.contains("left without a clean stop"))
        .unwrap();
    assert!(
        said.contains("ERROR")
            && said.contains(&format!("replica {a_id}, which sets channel \"hook\" otherwise than this replica, left without a clean stop"))
            && said.contains(&format!("`presswatch fleet forget {a_id} --config {cfg}`")),
        "{said}"
    );
    let text = fleet_status(&cfg).await;
    assert!(
        text.contains("channel \"hook\": ALERTS HELD")
            && text.contains(&format!(
                "  replica {a_id} (LEFT WITHOUT A CLEAN STOP, silent for "
            ))
            && text.contains(&format!("`presswatch fleet forget {a_id} --config {cfg}`")),
        "{text}"
    );
    let a_line = text
        .lines()
        .find(|l| l.starts_with(&format!("  {a_id}  pid ")))
        .unwrap_or_else(|| panic!("a is listed\n{text}"));
    assert!(
        a_line.contains("LEFT WITHOUT A CLEAN STOP")
            && a_line.contains("its settings of channel \"hook\" still hold it"),
        "{text}"
    );

    // Ops deploy the fix to b's host and reload b.
    f.write_leased("b.toml", fixed, "2s");
    b.signal("HUP");
    sent_once(&f, fixed, &b).await;
    assert_eq!(
        f.server.requests_to(stale).len(),
        0,
        "never to the stale URL"
    );
    assert!(!fleet_status(&cfg).await.contains("ALERTS HELD"));
    b.stop(Duration::from_secs(30)).await;
}

/// The other way round: the replica killed ran the stale settings, and
/// presswatch cannot tell; ops can, and forget it. Given a with the stale
/// URL and b with the fix, a killed: b holds the channel; `presswatch
/// fleet forget` refuses the live b, and forgets a; b then sends the alert
/// to the fixed URL, once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_replica_killed_with_the_stale_settings_holds_the_channel_until_ops_forget_it() {
    let Some(f) = ChannelFleet::start().await else {
        return;
    };
    let (fixed, stale) = ("/hook/fixed", "/hook/stale");
    let (mut a, mut b, _a_path, b_path) = held_between(&f, stale, fixed).await;
    let cfg = b_path.to_str().unwrap().to_string();
    let status = fleet_status(&cfg).await;
    let (a_id, b_id) = (
        replica_id(&status, a.child.id()),
        replica_id(&status, b.child.id()),
    );
    kill_while_held(&mut a, &b).await;
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert_eq!(f.server.requests_to(fixed).len(), 0, "held");
    assert_eq!(f.pending(), "1");

    let env = [(pg::PASSWORD_ENV, pg::PASSWORD)];
    let out = crate::support::run(&["fleet", "forget", &b_id, "--config", &cfg], &env).await;
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(&format!("replica {b_id} is live (heard from ")),
        "{err}"
    );
    let out = crate::support::run(&["fleet", "forget", &a_id, "--config", &cfg], &env).await;
    assert!(out.status.success(), "{out:?}");
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(
        said.starts_with(&format!("forgot replica {a_id} (silent for ")),
        "{said}"
    );

    sent_once(&f, fixed, &b).await;
    assert_eq!(f.server.requests_to(stale).len(), 0);
    b.wait_for_log(
        "was forgotten (`presswatch fleet forget`)",
        Duration::from_secs(5),
    )
    .await;
    let out = crate::support::run(&["fleet", "forget", &a_id, "--config", &cfg], &env).await;
    assert_eq!(out.status.code(), Some(2), "forgotten already: {out:?}");
    b.stop(Duration::from_secs(30)).await;
}

/// A replica that stops cleanly (SIGTERM, as `systemctl stop` sends)
/// deregisters, and its settings hold nothing: ops stopped it on purpose.
/// Given a (one URL) and b (another) holding the channel, a stopped
/// cleanly: b sends the alert with its own settings, once, and says so at
/// warning level.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_replica_stopped_cleanly_lets_the_one_left_send_a_held_channel() {
    let Some(f) = ChannelFleet::start().await else {
        return;
    };
    let (a_hook, b_hook) = ("/hook/a", "/hook/b");
    let (mut a, mut b, _a_path, _b_path) = held_between(&f, a_hook, b_hook).await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(f.server.requests_to(b_hook).len(), 0, "held while both run");
    a.stop(Duration::from_secs(30)).await;
    sent_once(&f, b_hook, &b).await;
    assert_eq!(f.server.requests_to(a_hook).len(), 0);
    b.wait_for_log("stopped cleanly or was forgotten", Duration::from_secs(5))
        .await;
    b.stop(Duration::from_secs(30)).await;
}

/// Replicas with different configs starting within milliseconds of each
/// other, in the order that lost watches: a joins and sees no other
/// replica; b joins (a config with one watch more, w-extra) and puts its
/// watches on the schedule; only then does a put its own on it. a, which
/// had seen one config when it joined, took w-extra off the schedule, and
/// no replica checked it until b was restarted. No watch of a live
/// replica's config is taken off the schedule, in whatever order they
/// start; one no live replica's config has is, as before.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn replicas_starting_together_with_different_configs_keep_each_others_watches_scheduled() {
    let Some(cluster) = pg::cluster() else { return };
    let url = cluster.database();
    let db = cluster.name_of(&url);
    let dir = tempfile::tempdir().unwrap();
    let scheduled = |watch: &str| {
        cluster
            .psql(
                db,
                &format!("SELECT count(*) FROM watch_state WHERE watch = '{watch}' AND due_ms IS NOT NULL"),
            )
            .unwrap()
            == "1"
    };
    // An earlier run scheduled a watch that no config has any more.
    let mut old = Stepped::join(&url, &dir.path().join("old.toml"), &["w-gone"]);
    old.schedule();
    drop(old);
    // Its replica stopped long ago: only live replicas count.
    cluster.psql(db, "UPDATE replicas SET seen_ms = 0").unwrap();
    assert!(scheduled("w-gone"));

    let mut a = Stepped::join(&url, &dir.path().join("a.toml"), &["w-shared"]);
    let mut b = Stepped::join(&url, &dir.path().join("b.toml"), &["w-shared", "w-extra"]);
    b.schedule();
    assert!(scheduled("w-extra"));
    a.schedule();
    assert!(
        scheduled("w-extra"),
        "b's own watch stays on the schedule: b runs, and its config has it"
    );
    assert!(scheduled("w-shared"));
    assert!(
        !scheduled("w-gone"),
        "a watch no live replica's config has is taken off"
    );

    // The same at a reload: a's config gains a watch b's lacks, and a
    // reloads just after b started and before b scheduled; b then
    // schedules beside it.
    std::fs::write(
        dir.path().join("a.toml"),
        std::fs::read_to_string(dir.path().join("a.toml")).unwrap()
            + "[[watch]]\nname = \"w-new\"\nurl = \"http://127.0.0.1:9/w-new\"\n",
    )
    .unwrap();
    a.config = presswatch::config::Config::load(&dir.path().join("a.toml")).unwrap();
    a.replica.reconfigured(&a.config);
    a.schedule();
    b.schedule();
    for w in ["w-shared", "w-extra", "w-new"] {
        assert!(scheduled(w), "{w} is in a live replica's config");
    }
}

/// A watch off the fleet's schedule is checked by no replica, and `status`
/// says so, with why and what to do. Given a replica that checked
/// w-extra (due a minute ago, by its last hand-back) and then reloaded a
/// config without it, and ops' config that still has it and a watch no
/// replica ever had: `status` on that config showed w-extra due "now" and
/// the new one "when leased", though no replica would check either. They
/// read "not scheduled", and the line under the table says the replicas run
/// another config and to deploy this file and reload them.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn status_says_a_watch_off_the_fleets_schedule_is_not_scheduled_and_what_to_do() {
    let Some(cluster) = pg::cluster() else { return };
    let url = cluster.database();
    let db = cluster.name_of(&url);
    let dir = tempfile::tempdir().unwrap();
    let replica_config = dir.path().join("replica.toml");
    let mut r = Stepped::join(&url, &replica_config, &["w-shared", "w-extra"]);
    r.schedule();
    // Checked before: its hand-back said due a minute ago.
    cluster
        .psql(
            db,
            "UPDATE watch_state SET next_due = extract(epoch from now())::BIGINT - 60, last_check = extract(epoch from now())::BIGINT - 120",
        )
        .unwrap();
    std::fs::write(&replica_config, stepped_config(&url, &["w-shared"])).unwrap();
    r.config = presswatch::config::Config::load(&replica_config).unwrap();
    r.replica.reconfigured(&r.config);
    r.schedule();

    let ops_config = dir.path().join("ops.toml");
    std::fs::write(
        &ops_config,
        stepped_config(&url, &["w-shared", "w-extra", "w-new"]),
    )
    .unwrap();
    let out = fleet_status(ops_config.to_str().unwrap()).await;
    let row = |out: &str, w: &str| {
        out.lines()
            .find(|l| l.starts_with(&format!("{w} ")))
            .unwrap_or_default()
            .to_string()
    };
    // On the schedule, due within the start-up spread.
    assert!(row(&out, "w-shared").contains(" in "), "{out}");
    for w in ["w-extra", "w-new"] {
        assert!(row(&out, w).contains("not scheduled"), "{w}:\n{out}");
        assert!(
            !row(&out, w).contains("now") && !row(&out, w).contains("when leased"),
            "{w}:\n{out}"
        );
    }
    assert!(
        out.contains("NEXT DUE \"not scheduled\": these watches are not on the fleet's schedule, and no replica checks them: the one live replica runs another config")
            && out.contains("Deploy this file to every replica and send each SIGHUP (`systemctl reload presswatch`)"),
        "{out}"
    );

    // Deployed and reloaded: on the schedule again, due at once (w-extra
    // fell due while off it).
    std::fs::copy(&ops_config, &replica_config).unwrap();
    r.config = presswatch::config::Config::load(&replica_config).unwrap();
    r.replica.reconfigured(&r.config);
    r.schedule();
    let out = fleet_status(ops_config.to_str().unwrap()).await;
    assert!(!out.contains("not scheduled"), "{out}");
    assert!(row(&out, "w-extra").contains("now"), "{out}");
}

/// A replica's systemd status line (`systemctl status presswatch`) says
/// what the fleet's shared schedule says. Given one watch that another
/// replica leased (it is being checked there) and then handed back due in
/// 50 minutes: a replica started beside it said "next check in 2m" from
/// its own start-up guess, then "next check now" for the rest of the hour,
/// knowing nothing of the other replica's check. It says the watch is
/// leased to another replica, then "next check in 49m" (or 50m).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_replicas_status_line_says_when_the_fleet_checks_next_not_its_own_guess() {
    let Some(cluster) = pg::cluster() else { return };
    let url = cluster.database();
    let db = cluster.name_of(&url);
    let dir = tempfile::tempdir().unwrap();
    let other_config = dir.path().join("other.toml");
    let mut other = Stepped::join(&url, &other_config, &["w"]);
    other.schedule();
    cluster
        .psql(db, "UPDATE watch_state SET due_ms = 0")
        .unwrap();
    assert_eq!(
        other.replica.lease(1).len(),
        1,
        "the other replica leases w"
    );

    let config = dir.path().join("replica.toml");
    std::fs::copy(&other_config, &config).unwrap();
    let (sock, got) = crate::daemon::notify_socket(dir.path());
    let mut d = Daemon::start(
        &config,
        &[(pg::PASSWORD_ENV, pg::PASSWORD), ("NOTIFY_SOCKET", &sock)],
    );
    let last_status = || {
        got.lock()
            .unwrap()
            .iter()
            .rev()
            .find_map(|n| n.lines().find_map(|l| l.strip_prefix("STATUS=")))
            .map(str::to_string)
            .unwrap_or_default()
    };
    let told = eventually(Duration::from_secs(15), || {
        last_status().contains("1 watch leased to other replicas")
    })
    .await;
    assert!(told, "{}\n{}", last_status(), d.log_text());
    assert!(!last_status().contains("next check"), "{}", last_status());

    let in_50m = chrono::Utc::now().timestamp_millis() + 50 * 60_000;
    other.replica.finish("w", in_50m);
    other.replica.heartbeat();
    let told = eventually(Duration::from_secs(15), || {
        let s = last_status();
        s.starts_with("1 watch, next check in 49m, ")
            || s.starts_with("1 watch, next check in 50m, ")
    })
    .await;
    assert!(told, "{}\n{}", last_status(), d.log_text());
    d.signal("TERM");
    assert_eq!(d.wait_exit(Duration::from_secs(30)).await, Some(0));
}

/// The lease statement runs about every quarter of a second on each idle
/// replica, and with e458636 it also read where the shared schedule stands
/// for the status line: a `MIN`/`COUNT` over every row of `watch_state`,
/// and a walk of the whole due-time index to find nothing due (the time
/// was a join, not a bound of the index scan). Given 10,000 watches, none
/// due and 20 leased to another replica, it read some 240 pages of the
/// table and its indexes each time; it reads a handful, and still says
/// when the next watch is due and how many are held elsewhere.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_idle_replicas_lease_statement_reads_a_few_pages_not_the_whole_schedule() {
    let Some(cluster) = pg::cluster() else { return };
    let url = cluster.database();
    let db = cluster.name_of(&url);
    // The schema as presswatch makes it.
    presswatch::store::State::open_postgres(&url, Some(pg::PASSWORD), Duration::from_secs(30))
        .unwrap();
    cluster
        .psql(
            db,
            "INSERT INTO watch_state (watch, due_ms)
               SELECT 'w' || g, (extract(epoch from now()) * 1000)::BIGINT + 60000 + g * 360
               FROM generate_series(1, 10000) g;
             UPDATE watch_state SET due_ms = due_ms - 3600000, lease_owner = 'other-replica',
                 lease_until_ms = (extract(epoch from now()) * 1000)::BIGINT + 3600000
               WHERE watch IN (SELECT 'w' || g FROM generate_series(1, 20) g);",
        )
        .unwrap();
    cluster.psql(db, "VACUUM ANALYZE watch_state").unwrap();
    let explain = cluster
        .psql(
            db,
            &format!(
                "PREPARE lease(text, bigint, bigint, text[]) AS {};
                 EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) EXECUTE lease('this-replica', 30000, 8, '{{}}');",
                presswatch::store::LEASE_AND_LOOK
            ),
        )
        .unwrap();
    let plan: serde_json::Value = serde_json::from_str(&explain).unwrap();
    let top = &plan[0]["Plan"];
    let pages =
        top["Shared Hit Blocks"].as_i64().unwrap() + top["Shared Read Blocks"].as_i64().unwrap();
    assert!(
        pages < 40,
        "the lease statement read {pages} pages:\n{explain}"
    );
    // What it read: nothing leased, w21 due next, 20 held elsewhere.
    let row = cluster
        .psql(
            db,
            &format!(
                "PREPARE lease(text, bigint, bigint, text[]) AS {};
                 CREATE TEMP TABLE got AS EXECUTE lease('this-replica', 30000, 8, '{{}}');
                 SELECT count(watch), bool_and(next_due_ms = (SELECT due_ms FROM watch_state WHERE watch = 'w21')), max(elsewhere) FROM got;",
                presswatch::store::LEASE_AND_LOOK
            ),
        )
        .unwrap();
    assert_eq!(row, "0|t|20");
}

/// Two replicas on one machine run one config, each with its own `listen`
/// address for /metrics, written differently, and a port each (port 0: the
/// system gives each a free one), and a comment of its own: the fleet reads
/// them as running the same config. Neither logs "different configs", and
/// `status` shows one config hash and no mismatch to fix.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn replicas_that_differ_only_in_their_listen_port_run_the_same_config() {
    let Some(cluster) = pg::cluster() else { return };
    let url = cluster.database();
    let room = Newsroom::start().await;
    let dir = tempfile::tempdir().unwrap();
    let (config_a, config_b) = (dir.path().join("a.toml"), dir.path().join("b.toml"));
    for (config, note, listen) in [
        (&config_a, "first", "127.0.0.1:0"),
        (&config_b, "second", "localhost:0"),
    ] {
        let cfg = small_config(&room, &url, 3).replacen(
            "[daemon]\n",
            &format!("# the {note} replica on this machine\n[daemon]\nlisten = \"{listen}\"\n"),
            1,
        );
        std::fs::write(config, cfg).unwrap();
    }
    let (mut a, mut b) = two_replicas(&config_a, &config_b).await;
    let (at_a, at_b) = (a.listen_addr().await, b.listen_addr().await);
    assert_ne!(at_a, at_b, "a port each");
    // A few heartbeats (every third of the 2 s lease), each comparing configs.
    tokio::time::sleep(Duration::from_secs(3)).await;
    for d in [&a, &b] {
        assert!(
            !d.log_text().contains("different configs"),
            "{}",
            d.log_text()
        );
    }
    let out = crate::support::run(
        &["status", "--config", config_a.to_str().unwrap()],
        &[(pg::PASSWORD_ENV, pg::PASSWORD)],
    )
    .await;
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("fleet: 2 replicas"), "{text}");
    assert!(!text.contains("different configs"), "{text}");
    let hashes: std::collections::HashSet<&str> = text
        .lines()
        .filter_map(|l| l.split(", config ").nth(1))
        .filter_map(|l| l.split(',').next())
        .collect();
    assert_eq!(hashes.len(), 1, "{text}");
    for d in [&a, &b] {
        d.signal("TERM");
    }
    assert_eq!(a.wait_exit(Duration::from_secs(30)).await, Some(0));
    assert_eq!(b.wait_exit(Duration::from_secs(30)).await, Some(0));
}

/// What `presswatch status` says of the fleet of `config`.
async fn fleet_status(config: &str) -> String {
    let out = crate::support::run(
        &["status", "--config", config],
        &[(pg::PASSWORD_ENV, pg::PASSWORD)],
    )
    .await;
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// A replica killed (kill -9) stops renewing its row: once it has been
/// silent for more than the lease time, `status` no longer counts it nor
/// compares its config, and lists it as silent, stopped or cut off, with
/// what that means; before, it read as a live replica seen minutes ago, and
/// its config as one the fleet still runs.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_killed_replica_is_listed_as_silent_and_no_longer_counted() {
    let Some(cluster) = pg::cluster() else { return };
    let url = cluster.database();
    let room = Newsroom::start().await;
    let dir = tempfile::tempdir().unwrap();
    let (config_a, config_b) = (dir.path().join("a.toml"), dir.path().join("b.toml"));
    std::fs::write(&config_a, small_config(&room, &url, 3)).unwrap();
    std::fs::write(&config_b, small_config(&room, &url, 4)).unwrap();
    let (mut a, mut b) = two_replicas(&config_a, &config_b).await;
    let cfg = config_a.to_str().unwrap();
    let text = fleet_status(cfg).await;
    assert!(text.contains("fleet: 2 replicas, "), "{text}");
    assert!(
        text.contains("the replicas run 2 different configs"),
        "{text}"
    );
    let b_pid = b.child.id();
    b.signal("KILL");
    let _ = b.wait_exit(Duration::from_secs(10)).await;
    // Silent for more than the 2 s lease.
    tokio::time::sleep(Duration::from_secs(4)).await;
    let text = fleet_status(cfg).await;
    assert!(text.contains("fleet: 1 replica (and 1 silent), "), "{text}");
    let line = text
        .lines()
        .find(|l| l.contains(&format!("pid {b_pid} on ")))
        .unwrap_or_else(|| panic!("the killed replica is listed\n{text}"));
    assert!(
        line.contains(", SILENT for ")
            && line.contains(": stopped, or cut off from the database; the others do its work (its watch leases have run out; an alert it was sending is sent again once that attempt's time limit passes: `outbox list`)"),
        "{text}"
    );
    assert!(!text.contains("different configs"), "{text}");
    a.signal("TERM");
    assert_eq!(a.wait_exit(Duration::from_secs(30)).await, Some(0));
}

/// A reload that fixes a failing watch's URL has the fleet check it again
/// soon, as a new watch, not after the backoff its failures earned: the
/// shared schedule and the failure count in the database are reset.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn in_a_fleet_a_reload_that_fixes_a_failing_watchs_url_checks_it_soon() {
    let Some(cluster) = pg::cluster() else { return };
    let url = cluster.database();
    let server = Server::start().await;
    server.set("/typo", Route::status(500));
    server.set("/story", Route::html(article("Story", "First version.")));
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("config.toml");
    // 1h is a minute at this time scale: the failure backs off at least
    // that long; a new watch is due within the start-up spread (5 s).
    let body = |path: &str| {
        format!(
            "[daemon]\ninterval = \"1h\"\nper_host_delay = \"0s\"\nstate_url = \"{url}\"\nstate_password_env = \"{env}\"\nbaseline_dir = \"baseline\"\n\n\
             [[watch]]\nname = \"story\"\nurl = \"{}\"\n",
            server.url(path),
            env = pg::PASSWORD_ENV,
        )
    };
    std::fs::write(&config, body("/typo")).unwrap();
    let env = [
        (pg::PASSWORD_ENV, pg::PASSWORD),
        ("PRESSWATCH_TEST_TIME_SCALE", "60"),
        ("RUST_LOG", "presswatch=info"),
    ];
    let mut d = Daemon::start(&config, &env);
    let failed = eventually(Duration::from_secs(20), || {
        !server.requests_to("/typo").is_empty()
    })
    .await;
    assert!(failed, "{}", d.log_text());
    // The failure is stored and backed off in the shared schedule.
    tokio::time::sleep(Duration::from_millis(1500)).await;

    std::fs::write(&config, body("/story")).unwrap();
    d.signal("HUP");
    d.wait_for_log("config reloaded", Duration::from_secs(5))
        .await;
    let checked = eventually(Duration::from_secs(10), || {
        !server.requests_to("/story").is_empty()
    })
    .await;
    assert!(checked, "the fixed watch is checked soon: {}", d.log_text());
    let log = d.log_text();
    assert!(
        log.contains("as a new watch (its backoff after 1 failure is reset)"),
        "{log}"
    );
    // The fixed page was read, and the database holds no failure any more.
    let db = cluster.name_of(&url);
    let sound = eventually(Duration::from_secs(10), || {
        cluster
            .psql(
                db,
                "SELECT failures, last_result FROM watch_state WHERE watch = 'story'",
            )
            .is_ok_and(|out| out.trim() == "0|baseline")
    })
    .await;
    assert!(
        sound,
        "{:?}\n{}",
        cluster.psql(db, "SELECT failures, last_result FROM watch_state"),
        d.log_text()
    );
    d.signal("TERM");
    assert_eq!(d.wait_exit(Duration::from_secs(30)).await, Some(0));
}

/// The config of the slow-receiver tests: one story at `server`'s
/// `/story`, checked every "1m" (a tenth of it at the tests' time scale),
/// alerts to the webhook `hook`, leases of 2 s.
fn slow_receiver_config(dir: &Path, url: &str, hook: &str, server: &Server) -> std::path::PathBuf {
    let config = dir.join("config.toml");
    std::fs::write(
        &config,
        format!(
            "[daemon]\ninterval = \"1m\"\nper_host_delay = \"0s\"\nlease = \"2s\"\nstate_url = \"{url}\"\nstate_password_env = \"{env}\"\nbaseline_dir = \"baseline\"\n\n\
             [[channel]]\nname = \"desk\"\ntype = \"webhook\"\nurl = \"{hook}\"\n\n\
             [[watch]]\nname = \"story\"\nurl = \"{}\"\n",
            server.url("/story"),
            env = pg::PASSWORD_ENV,
        ),
    )
    .unwrap();
    config
}

/// A receiver that takes longer to answer than the fleet's lease (here 5 s
/// against 2 s; by default a relay taking 45 s against 30 s) gets each alert
/// once: the replica sending it holds its claim for the whole attempt, so
/// no other replica takes it over as if the sender had died.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_receiver_slower_than_the_lease_gets_each_alert_once() {
    let Some(cluster) = pg::cluster() else { return };
    let url = cluster.database();
    let server = Server::start().await;
    server.set("/story", Route::html(article("Story", "First version.")));
    let (hook, received) = crate::support::slow_receiver(Duration::from_secs(5)).await;
    let dir = tempfile::tempdir().unwrap();
    let config = slow_receiver_config(dir.path(), &url, &hook, &server);
    let a = start_replica(&config, "a");
    let b = start_replica(&config, "b");
    let db = cluster.name_of(&url);
    let baseline = eventually(Duration::from_secs(20), || {
        cluster
            .psql(db, "SELECT count(*) FROM versions WHERE watch = 'story'")
            .is_ok_and(|n| n.trim() == "1")
    })
    .await;
    assert!(baseline, "a:\n{}\nb:\n{}", a.log_text(), b.log_text());
    server.set("/story", Route::html(article("Story", "Second version.")));
    // The change is found within an interval (6 s at this scale) and sent.
    let arrived = eventually(Duration::from_secs(30), || {
        !received.lock().unwrap().is_empty()
    })
    .await;
    assert!(arrived, "a:\n{}\nb:\n{}", a.log_text(), b.log_text());
    // Long enough for the other replica to take a lapsed claim over, many
    // times over.
    tokio::time::sleep(Duration::from_secs(10)).await;
    let got = received.lock().unwrap().clone();
    assert_eq!(
        got.len(),
        1,
        "the alert was delivered {} times:\n{got:#?}\na:\n{}\nb:\n{}",
        got.len(),
        a.log_text(),
        b.log_text()
    );
    for d in [&a, &b] {
        d.signal("TERM");
    }
}

/// A replica is killed while it sends an alert to a slow receiver. Its
/// claim on the alert lasts the attempt's time limit, and until then
/// `outbox list` shows the alert as being sent by it: it says too that the
/// replica is silent, and when another replica sends the alert again.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_alert_a_killed_replica_was_sending_is_listed_with_the_replica_silent() {
    let Some(cluster) = pg::cluster() else { return };
    let url = cluster.database();
    let server = Server::start().await;
    server.set("/story", Route::html(article("Story", "First version.")));
    let (hook, received) = crate::support::slow_receiver(Duration::from_secs(120)).await;
    let dir = tempfile::tempdir().unwrap();
    let config = slow_receiver_config(dir.path(), &url, &hook, &server);
    let a = start_replica(&config, "a");
    a.wait_for_log("result=\"baseline\"", Duration::from_secs(30))
        .await;
    server.set("/story", Route::html(article("Story", "Second version.")));
    let arrived = eventually(Duration::from_secs(30), || {
        !received.lock().unwrap().is_empty()
    })
    .await;
    assert!(arrived, "{}", a.log_text());
    a.signal("KILL");
    // Silent for longer than the lease.
    tokio::time::sleep(Duration::from_secs(4)).await;
    let out = crate::support::run(
        &["outbox", "list", "--config", config.to_str().unwrap()],
        &[(pg::PASSWORD_ENV, pg::PASSWORD)],
    )
    .await;
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("SILENT for")
            && text.contains("(stopped, or cut off from the database): unless it finishes, another replica sends the alert again under the same id after "),
        "{text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_state_database_that_does_not_answer_at_start_says_what_to_check() {
    // Nothing listens on the port the state_url names: no PostgreSQL needed.
    // Bound but never listened on: connections are refused, and no other
    // socket (another test's cluster) can take the port meanwhile.
    let closed = tokio::net::TcpSocket::new_v4().unwrap();
    closed.bind("127.0.0.1:0".parse().unwrap()).unwrap();
    let port = closed.local_addr().unwrap().port();
    let project = crate::support::Project::new(&format!(
        "[daemon]\nstate_url = \"postgres://presswatch@127.0.0.1:{port}/presswatch?sslmode=disable\"\n[[watch]]\nname = \"a\"\nurl = \"http://127.0.0.1:9/a\"\n"
    ));
    let config = project.config_arg();
    for command in ["run", "status", "check"] {
        let out = crate::support::run(&[command, "--config", &config], &[]).await;
        let said = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{command}: {said}");
        assert!(
            said.contains(&format!("state database postgres://presswatch@127.0.0.1:{port}/presswatch?sslmode=disable: "))
                && said.contains(&format!(": PostgreSQL does not answer there. Check that it runs and takes connections from this machine (`pg_isready -h 127.0.0.1 -p {port}`), and that daemon.state_url names its host and port")),
            "{command}: {said}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn when_the_database_is_unreachable_checks_pause_one_ops_alert_goes_out_and_nothing_is_lost()
{
    let Some(_) = pg::cluster() else { return };
    // A cluster of its own: this test stops it.
    let cluster = pg::start(false).expect("a second PostgreSQL cluster");
    let url = cluster.database();
    let room = Newsroom::start().await;
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("presswatch.toml");
    let cfg = small_config(&room, &url, 5).replacen(
        "[daemon]\n",
        "[daemon]\nlisten = \"127.0.0.1:0\"\n",
        1,
    );
    std::fs::write(&config, cfg).unwrap();
    let env = [
        (pg::PASSWORD_ENV, pg::PASSWORD),
        ("PRESSWATCH_TEST_TIME_SCALE", "30"),
        ("RUST_LOG", "presswatch=info"),
    ];
    let mut replica = Daemon::start(&config, &env);
    let addr = replica.listen_addr().await;
    // Every watch has its baseline stored (fetched is not enough: a check
    // the outage cuts short stores nothing, and its story's next check is
    // a first one, with nothing to compare).
    let all = crate::support::eventually(Duration::from_secs(20), || {
        replica.log_text().matches("result=\"baseline\"").count() == 5
    })
    .await;
    assert!(all, "{}", replica.log_text());

    // The database goes away; a story changes meanwhile.
    cluster.stop();
    let stopped = Instant::now();
    room.edit("/a/0");
    let noticed = crate::support::eventually(Duration::from_secs(10), || {
        replica
            .log_text()
            .contains("the state database is unreachable")
    })
    .await;
    assert!(noticed, "{}", replica.log_text());
    tokio::time::sleep(Duration::from_secs(4)).await;
    let ops: Vec<String> = room
        .log
        .lock()
        .unwrap()
        .deliveries
        .iter()
        .filter(|(_, w)| w == "presswatch")
        .map(|(id, _)| id.clone())
        .collect();
    assert_eq!(ops.len(), 1, "one ops alert for the outage: {ops:?}");
    // Checks paused: nothing fetched once the checks in flight were done.
    let quiet_from = stopped + Duration::from_secs(2);
    let during = room.hits().iter().filter(|h| h.start > quiet_from).count();
    assert_eq!(during, 0, "{during} fetches while the database was away");
    assert_eq!(
        replica
            .log_text()
            .matches("the state database is unreachable")
            .count(),
        1,
        "logged once"
    );
    // With what to check.
    assert!(
        replica.log_text().contains(&format!(
            "Check that PostgreSQL runs and takes connections from this machine (`pg_isready -h 127.0.0.1 -p {}`)",
            cluster.port
        )),
        "{}",
        replica.log_text()
    );
    // /metrics still answers: what the process counts, and the database
    // down, with the reason; not a failed scrape that reads as the replica
    // itself down.
    let (code, metrics) = crate::support::http_get(addr, "/metrics").await;
    assert_eq!(code, 200, "{metrics}");
    assert!(
        metrics.contains("\npresswatch_state_database_up 0\n# state database unreachable: ")
            && metrics.contains("\npresswatch_checks_total{result=\"baseline\"} 5\n")
            && !metrics.contains("presswatch_outbox_depth"),
        "{metrics}"
    );

    // It comes back: checks resume, the change made meanwhile is alerted once.
    cluster.restart();
    let alerted = crate::support::eventually(Duration::from_secs(20), || {
        room.log
            .lock()
            .unwrap()
            .deliveries
            .iter()
            .any(|(_, w)| w == "w0000")
    })
    .await;
    assert!(alerted, "{}", replica.log_text());
    assert!(replica.log_text().contains("reachable again"));
    let (code, metrics) = crate::support::http_get(addr, "/metrics").await;
    assert_eq!(code, 200, "{metrics}");
    assert!(
        metrics.contains("\npresswatch_state_database_up 1\n")
            && metrics.contains("\npresswatch_outbox_depth "),
        "{metrics}"
    );
    replica.stop(Duration::from_secs(30)).await;
    let deliveries = room.log.lock().unwrap().deliveries.clone();
    let ids: HashSet<&String> = deliveries
        .iter()
        .filter(|(_, w)| w == "w0000")
        .map(|(id, _)| id)
        .collect();
    assert_eq!(
        ids.len(),
        1,
        "the change went out under one id: {deliveries:?}"
    );
    cluster.stop();
}

/// A host token a replica could not give back (the database away when it
/// tried, or the give-back lost as the database crashed and came back)
/// expires with the lease: the replica renews only the tokens it holds.
/// Renewed as every token under its id was, the token came back to life
/// once the database was back and held the host's request slot for as long
/// as the replica ran: no check of the host ran again, in the whole fleet.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_host_token_the_replica_did_not_give_back_expires_and_checks_go_on() {
    let Some(cluster) = pg::cluster() else { return };
    let url = cluster.database();
    let db = cluster.name_of(&url).to_string();
    let room = Newsroom::start().await;
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("presswatch.toml");
    let cfg = small_config(&room, &url, 1)
        .replace("per_host_concurrency = 3", "per_host_concurrency = 1");
    std::fs::write(&config, cfg).unwrap();
    let env = [
        (pg::PASSWORD_ENV, pg::PASSWORD),
        ("PRESSWATCH_TEST_TIME_SCALE", "30"),
        ("RUST_LOG", "presswatch=debug"),
    ];
    let replica = Daemon::start(&config, &env);
    let checked = eventually(Duration::from_secs(20), || {
        replica.log_text().matches("checked watch=w0000").count() >= 2
    })
    .await;
    assert!(checked, "{}", replica.log_text());

    // Just after a check (the next one is 2 s away), the database holds a
    // token of the replica's that ran out: one it could not give back.
    let checks = replica.log_text().matches("checked watch=w0000").count();
    let planted = cluster.psql(
        &db,
        "INSERT INTO host_tokens (host, holder, until_ms) SELECT '127.0.0.1', id, 0 FROM replicas",
    );
    assert!(planted.is_ok(), "{planted:?}");
    let planted_at = Instant::now();

    // The watch's next checks fetch the page as before.
    let went_on = eventually(Duration::from_secs(8), || {
        replica.log_text().matches("checked watch=w0000").count() >= checks + 2
    })
    .await;
    let tokens = cluster.psql(&db, "SELECT count(*) FROM host_tokens");
    assert!(
        went_on,
        "no check since the token ran out {:?} ago; host tokens: {tokens:?}\n{}",
        planted_at.elapsed(),
        replica.log_text()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_postgres_the_database_holds_baselines_a_file_is_imported_and_export_writes_them() {
    let Some(cluster) = pg::cluster() else { return };
    let url = cluster.database();
    let room = Newsroom::start().await;
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("presswatch.toml");
    std::fs::write(&config, small_config(&room, &url, 2)).unwrap();
    // A hand-written baseline for the first watch: what the story said before.
    let hand = "Title: Story /a/0\n\nThe director left the country, people close to him said.\n";
    std::fs::create_dir_all(dir.path().join("baseline")).unwrap();
    std::fs::write(dir.path().join("baseline/w0000.txt"), hand).unwrap();
    let env = [(pg::PASSWORD_ENV, pg::PASSWORD)];
    let cfg = config.to_str().unwrap();
    let out = crate::support::run(&["check", "--config", cfg], &env).await;
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // The file was read on the first check: the story differs from it.
    let alerted: Vec<String> = room
        .log
        .lock()
        .unwrap()
        .deliveries
        .iter()
        .map(|(_, w)| w.clone())
        .collect();
    assert_eq!(
        alerted,
        ["w0000"],
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    // The accepted baselines are in the database; the file is left as written.
    assert_eq!(
        std::fs::read_to_string(dir.path().join("baseline/w0000.txt")).unwrap(),
        hand
    );
    assert!(!dir.path().join("baseline/w0001.txt").exists());
    let exported = dir.path().join("exported");
    let out = crate::support::run(
        &[
            "export",
            "--config",
            cfg,
            "--baselines",
            exported.to_str().unwrap(),
        ],
        &env,
    )
    .await;
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for w in ["w0000", "w0001"] {
        let text = std::fs::read_to_string(exported.join(format!("{w}.txt"))).unwrap();
        assert!(
            text.contains("The first account of the story."),
            "{w}: {text}"
        );
    }
    // A second check compares with the database's baseline: nothing new.
    let out = crate::support::run(&["check", "--config", cfg], &env).await;
    assert!(out.status.success());
    assert_eq!(room.log.lock().unwrap().deliveries.len(), 1);
}

/// Article pages without validators (as many news sites serve them: every
/// check is a full fetch), whose next requests can be held: the page as it
/// was when a request arrived is sent only once released. And a webhook
/// receiver at /hook.
#[derive(Clone)]
struct StallSite {
    port: u16,
    state: Arc<Mutex<StallState>>,
    release: Arc<tokio::sync::Semaphore>,
}

#[derive(Default)]
struct StallState {
    version: u32,
    /// How many of the next page requests to hold.
    hold_next: usize,
    /// The paths of the requests held.
    held: Vec<String>,
    /// Each page request: its path, when it arrived.
    requests: Vec<(String, Instant)>,
    /// webhook-id of each delivery.
    alerts: Vec<String>,
}

impl StallSite {
    async fn start() -> StallSite {
        let l = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let site = StallSite {
            port: l.local_addr().unwrap().port(),
            state: Default::default(),
            release: Arc::new(tokio::sync::Semaphore::new(0)),
        };
        site.state.lock().unwrap().version = 1;
        let s = site.clone();
        tokio::spawn(async move {
            while let Ok((sock, _)) = l.accept().await {
                let s = s.clone();
                tokio::spawn(async move { s.serve(sock).await });
            }
        });
        site
    }

    async fn serve(&self, mut sock: tokio::net::TcpStream) {
        let mut buf = Vec::new();
        let mut chunk = [0u8; 16384];
        let head = loop {
            match sock.read(&mut chunk).await {
                Ok(0) | Err(_) => return,
                Ok(n) => buf.extend_from_slice(&chunk[..n]),
            }
            let text = String::from_utf8_lossy(&buf).into_owned();
            if let Some((head, body)) = text.split_once("\r\n\r\n") {
                let len: usize = header(head, "content-length")
                    .and_then(|v| v.parse().ok())
                    .unwrap_or(0);
                if body.len() >= len {
                    break head.to_string();
                }
            }
        };
        let path = head.split(' ').nth(1).unwrap_or("/").to_string();
        if path == "/hook" {
            let id = header(&head, "webhook-id").unwrap_or_default();
            self.state.lock().unwrap().alerts.push(id);
            let _ = sock
                .write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
                .await;
            return;
        }
        let (version, hold) = {
            let mut st = self.state.lock().unwrap();
            st.requests.push((path.clone(), Instant::now()));
            let hold = st.hold_next > 0;
            if hold {
                st.hold_next -= 1;
                st.held.push(path.clone());
            }
            (st.version, hold)
        };
        let page = article(
            "The story",
            &format!("The account of the story, version {version}, as the outlet tells it."),
        );
        if hold {
            self.release.acquire().await.unwrap().forget();
        }
        let response = format!(
            "HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{page}",
            page.len()
        );
        let _ = sock.write_all(response.as_bytes()).await;
        let _ = sock.shutdown().await;
    }

    fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }
}

/// The config of the stall tests: one story, checked every "1m" (a tenth
/// of it at the tests' time scale), alerts to the site's hook, leases of 3 s.
fn stall_config(dir: &Path, site: &StallSite, url: &str) -> std::path::PathBuf {
    let config = dir.join("presswatch.toml");
    std::fs::write(
        &config,
        format!(
            r#"[daemon]
interval = "1m"
timeout = "5m"
per_host_delay = "0s"
state_url = "{url}"
state_password_env = "{env}"
lease = "3s"
baseline_dir = "baseline"

[[channel]]
name = "desk"
type = "webhook"
url = "{hook}"

[[watch]]
name = "story"
url = "{page}"
robots = false
"#,
            env = pg::PASSWORD_ENV,
            hook = site.url("/hook"),
            page = site.url("/story"),
        ),
    )
    .unwrap();
    config
}

/// The database goes away while a replica checks a story, for longer than
/// the lease; when it is back, another replica has the watch. The replica
/// says its lease ran out during the outage: not that its check outlasted
/// the lease, with advice to raise `daemon.lease`, which would change nothing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lease_lost_to_a_database_outage_is_not_blamed_on_the_lease_time() {
    let Some(_) = pg::cluster() else { return };
    // A cluster of its own: this test stops it.
    let cluster = pg::start(false).expect("a second PostgreSQL cluster");
    let url = cluster.database();
    let db = cluster.name_of(&url);
    let site = StallSite::start().await;
    let dir = tempfile::tempdir().unwrap();
    let config = stall_config(dir.path(), &site, &url);
    let replica = start_replica(&config, "a");
    replica
        .wait_for_log("result=\"baseline\"", Duration::from_secs(30))
        .await;

    // Its next check waits for the page; meanwhile the database stops.
    site.state.lock().unwrap().hold_next = 1;
    let held = eventually(Duration::from_secs(20), || {
        !site.state.lock().unwrap().held.is_empty()
    })
    .await;
    assert!(held, "{}", replica.log_text());
    cluster.stop();
    replica
        .wait_for_log("the state database is unreachable", Duration::from_secs(10))
        .await;
    tokio::time::sleep(Duration::from_secs(4)).await;
    // Back; another replica (db1) has leased the watch, as the lease ran out.
    cluster.restart();
    let taken = eventually(Duration::from_secs(20), || {
        cluster
            .psql(
                db,
                "UPDATE watch_state SET lease_owner = 'db1:4242:a3f0',
                   lease_until_ms = (extract(epoch from clock_timestamp()) * 1000)::BIGINT + 600000
                 WHERE watch = 'story'",
            )
            .is_ok()
    })
    .await;
    assert!(taken);
    site.release.add_permits(1);
    let said = eventually(Duration::from_secs(20), || {
        replica
            .log_text()
            .contains("the lease on this watch ran out while the state database was unreachable")
    })
    .await;
    assert!(said, "{}", replica.log_text());
    assert!(
        !replica.log_text().contains("raise daemon.lease"),
        "{}",
        replica.log_text()
    );
    replica.signal("TERM");
    cluster.stop();
}

/// A replica can stall mid-check for longer than its lease (a paused VM, a
/// starved process, a network partition): its lease expires, another
/// replica checks the watch and stores what it found. When the stalled
/// replica wakes with the page it fetched before, it must not store that
/// check: compared with the newer baseline, its older page would be a bogus
/// change back, alerted under a second id, and the story's next check would
/// alert the edit a third time.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_replica_that_stalls_past_its_lease_mid_check_stores_nothing_over_the_newer_check() {
    let Some(cluster) = pg::cluster() else { return };
    let url = cluster.database();
    let db = cluster.name_of(&url);
    let site = StallSite::start().await;
    let dir = tempfile::tempdir().unwrap();
    let config = stall_config(dir.path(), &site, &url);
    let mut stalled = start_replica(&config, "stalled");
    stalled
        .wait_for_log("result=\"baseline\"", Duration::from_secs(30))
        .await;

    // Its next check fetches the page; while the answer (the first version)
    // is on its way, the replica stalls, and the story is edited.
    site.state.lock().unwrap().hold_next = 1;
    let fetching = crate::support::eventually(Duration::from_secs(30), || {
        !site.state.lock().unwrap().held.is_empty()
    })
    .await;
    assert!(fetching, "the replica checks the story again");
    stalled.signal("STOP");
    site.state.lock().unwrap().version = 2;

    // Another replica takes the watch once the lease has expired, and
    // alerts the edit.
    let mut other = start_replica(&config, "other");
    let alerted = crate::support::eventually(Duration::from_secs(30), || {
        !site.state.lock().unwrap().alerts.is_empty()
    })
    .await;
    assert!(
        alerted,
        "the other replica alerts the edit:\n{}",
        other.log_text()
    );

    // The stalled replica wakes and gets the page as it was when it asked.
    site.release.add_permits(1);
    stalled.signal("CONT");
    stalled
        .wait_for_log("expired during its check", Duration::from_secs(30))
        .await;
    // The story's next check, and every delivery done.
    let requests = site.state.lock().unwrap().requests.len();
    let checked_again = crate::support::eventually(Duration::from_secs(30), || {
        site.state.lock().unwrap().requests.len() > requests
    })
    .await;
    assert!(checked_again, "the story is checked again");
    let delivered = crate::support::eventually(Duration::from_secs(30), || {
        cluster
            .psql(db, "SELECT count(*) FROM outbox WHERE status <> 'sent'")
            .is_ok_and(|n| n == "0")
    })
    .await;
    assert!(delivered, "every alert delivered");

    let ids: HashSet<String> = site.state.lock().unwrap().alerts.iter().cloned().collect();
    assert_eq!(
        ids.len(),
        1,
        "one edit, one alert; the alerts in the outbox (kind|summary):\n{}\nstalled replica:\n{}",
        cluster
            .psql(
                db,
                "SELECT kind, payload::json->>'summary' FROM alerts ORDER BY seq"
            )
            .unwrap_or_else(|e| e),
        stalled.log_text()
    );
    let baseline = cluster
        .psql(db, "SELECT body FROM baselines WHERE watch = 'story'")
        .unwrap();
    assert!(
        baseline.contains("version 2"),
        "the baseline is the edited story:\n{baseline}"
    );
    for r in [&stalled, &other] {
        r.signal("TERM");
    }
    assert_eq!(stalled.wait_exit(Duration::from_secs(40)).await, Some(0));
    assert_eq!(other.wait_exit(Duration::from_secs(40)).await, Some(0));
}

/// A replica can stall in the middle of a database transaction: its
/// heartbeat, say, has renewed the lease of the watch it is checking (and
/// so locked the watch's row) when the process stops. The database ends
/// that transaction once it has been idle for the lease time, so the
/// other replicas are not held up by its locks: they take the watch when
/// the lease expires and alert the edit. The stalled replica, on waking,
/// says that it stalled, not that the database is unreachable, and sends
/// no ops alert.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_replica_that_stalls_mid_transaction_does_not_hold_up_the_watch() {
    let Some(cluster) = pg::cluster() else { return };
    let url = cluster.database();
    let db = cluster.name_of(&url);
    let site = StallSite::start().await;
    let dir = tempfile::tempdir().unwrap();
    let config = stall_config(dir.path(), &site, &url);
    let mut stalled = start_replica(&config, "stalled");
    stalled
        .wait_for_log("result=\"baseline\"", Duration::from_secs(30))
        .await;
    site.state.lock().unwrap().hold_next = 1;
    let fetching = crate::support::eventually(Duration::from_secs(30), || {
        !site.state.lock().unwrap().held.is_empty()
    })
    .await;
    assert!(fetching, "the replica checks the story again");

    // Its fetch holds a host token. Holding that token's row, the test
    // stops the replica's next heartbeat after it has renewed the story's
    // lease (locking the story's row) and before it renews its tokens.
    let mut pg_config: tokio_postgres::Config = url.parse().unwrap();
    pg_config.password(pg::PASSWORD);
    let (blocker, connection) = pg_config.connect(tokio_postgres::NoTls).await.unwrap();
    tokio::spawn(connection);
    blocker
        .batch_execute("BEGIN; SELECT id FROM host_tokens FOR UPDATE")
        .await
        .unwrap();
    let in_heartbeat = crate::support::eventually(Duration::from_secs(30), || {
        cluster
            .psql(
                db,
                "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE 'UPDATE host_tokens%'",
            )
            .is_ok_and(|n| n == "1")
    })
    .await;
    assert!(
        in_heartbeat,
        "the replica's heartbeat waits for its host token"
    );
    stalled.signal("STOP");
    blocker.batch_execute("COMMIT").await.unwrap();
    site.state.lock().unwrap().version = 2;

    let mut other = start_replica(&config, "other");
    let alerted = crate::support::eventually(Duration::from_secs(30), || {
        !site.state.lock().unwrap().alerts.is_empty()
    })
    .await;
    assert!(
        alerted,
        "the other replica alerts the edit:\n{}\nthe database's sessions:\n{}",
        other.log_text(),
        cluster
            .psql(
                db,
                "SELECT state, wait_event_type, query FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
            .unwrap_or_else(|e| e)
    );

    site.release.add_permits(1);
    stalled.signal("CONT");
    stalled
        .wait_for_log("expired during its check", Duration::from_secs(30))
        .await;
    stalled
        .wait_for_log(
            "left a transaction idle for longer than daemon.lease",
            Duration::from_secs(30),
        )
        .await;
    let requests = site.state.lock().unwrap().requests.len();
    let checked_again = crate::support::eventually(Duration::from_secs(30), || {
        site.state.lock().unwrap().requests.len() > requests
    })
    .await;
    assert!(checked_again, "the story is checked again");
    let log = stalled.log_text();
    assert!(
        !log.contains("unreachable"),
        "the stalled replica does not take its stall for an outage:\n{log}"
    );
    let ids: HashSet<String> = site.state.lock().unwrap().alerts.iter().cloned().collect();
    assert_eq!(ids.len(), 1, "one edit, one alert, no ops alert:\n{log}");
    for r in [&stalled, &other] {
        r.signal("TERM");
    }
    assert_eq!(stalled.wait_exit(Duration::from_secs(40)).await, Some(0));
    assert_eq!(other.wait_exit(Duration::from_secs(40)).await, Some(0));
}

/// A replica leases due watches a batch at a time: those its permits cannot
/// start yet wait in it, leased. When it stalls for longer than the lease,
/// those leases expire and the other replicas check the watches. On waking
/// it must not check them a second time.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_replica_that_stalls_past_its_lease_leaves_the_watches_it_had_queued_to_the_others() {
    let Some(cluster) = pg::cluster() else { return };
    let url = cluster.database();
    let db = cluster.name_of(&url);
    let site = StallSite::start().await;
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("presswatch.toml");
    let mut cfg = format!(
        r#"[daemon]
interval = "1m"
timeout = "5m"
concurrency = 2
per_host_delay = "0s"
state_url = "{url}"
state_password_env = "{env}"
lease = "3s"
baseline_dir = "baseline"

[[host]]
name = "127.0.0.1"
delay = "0s"
concurrency = 16
"#,
        env = pg::PASSWORD_ENV,
    );
    for i in 0..12 {
        cfg.push_str(&format!(
            "[[watch]]\nname = \"q{i:02}\"\nurl = \"{}\"\nrobots = false\n",
            site.url(&format!("/q/{i}"))
        ));
    }
    std::fs::write(&config, cfg).unwrap();
    // Every watch gets its baseline; then all fall due with no replica running.
    let mut first = start_replica(&config, "first");
    first
        .wait_for_log("result=\"baseline\"", Duration::from_secs(30))
        .await;
    let stored = crate::support::eventually(Duration::from_secs(30), || {
        first.log_text().matches("result=\"baseline\"").count() == 12
    })
    .await;
    assert!(stored, "{}", first.log_text());
    first.stop(Duration::from_secs(30)).await;
    let all_due = crate::support::eventually(Duration::from_secs(30), || {
        cluster
            .psql(db, "SELECT count(*) FROM watch_state WHERE due_ms <= (extract(epoch from clock_timestamp()) * 1000)::BIGINT")
            .is_ok_and(|n| n == "12")
    })
    .await;
    assert!(all_due, "every watch falls due");

    // A replica leases four: two start (their pages are held), two wait
    // for a permit. Then it stalls.
    site.state.lock().unwrap().hold_next = 2;
    let stalled = start_replica(&config, "stalled");
    let started = crate::support::eventually(Duration::from_secs(30), || {
        site.state.lock().unwrap().held.len() == 2
    })
    .await;
    assert!(started, "{}", stalled.log_text());
    stalled.signal("STOP");
    let stopped_at = Instant::now();
    let pid = stalled.child.id();
    let leased = cluster
        .psql(
            db,
            &format!("SELECT string_agg(w.watch, ',') FROM watch_state w JOIN replicas r ON r.id = w.lease_owner WHERE r.pid = {pid}"),
        )
        .unwrap();
    let held = site.state.lock().unwrap().held.clone();
    let queued: Vec<String> = leased
        .split(',')
        .map(|w| format!("/q/{}", w[1..].parse::<usize>().unwrap()))
        .filter(|p| !held.contains(p))
        .collect();
    assert_eq!(queued.len(), 2, "two leased and waiting: {leased}");

    // Their leases expire; another replica checks them.
    let mut other = start_replica(&config, "other");
    let taken = crate::support::eventually(Duration::from_secs(30), || {
        let st = site.state.lock().unwrap();
        queued
            .iter()
            .all(|q| st.requests.iter().any(|(p, t)| p == q && *t > stopped_at))
    })
    .await;
    assert!(
        taken,
        "the other replica checks {queued:?}:\n{}",
        other.log_text()
    );

    // The stalled replica wakes, finishes its two checks and goes on.
    site.release.add_permits(2);
    stalled.signal("CONT");
    let went_on = crate::support::eventually(Duration::from_secs(30), || {
        stalled.log_text().matches("checked watch=").count() >= 4
    })
    .await;
    assert!(went_on, "{}", stalled.log_text());
    // No watch was checked twice within its interval.
    let requests = site.state.lock().unwrap().requests.clone();
    for q in &queued {
        let starts: Vec<Instant> = requests
            .iter()
            .filter(|(p, _)| p == q)
            .map(|(_, t)| *t)
            .collect();
        for pair in starts.windows(2) {
            assert!(
                pair[1] - pair[0] >= INTERVAL.mul_f64(0.85),
                "{q} checked twice within {:?}: the stalled replica checked a watch whose lease had moved; its log:\n{}",
                pair[1] - pair[0],
                stalled.log_text()
            );
        }
    }
    let mut stalled = stalled;
    for r in [&mut stalled, &mut other] {
        r.stop(Duration::from_secs(40)).await;
    }
}

/// A replica that stalls for ten lease times is forgotten by the others
/// (its row deleted); its next heartbeat writes its row again. The row
/// still says when the replica loaded its config, as its start did: a
/// replica of a presswatch older than migration 22, which lets the config
/// loaded last win, must not take it for the oldest (0) and send the
/// channel with its own older settings.
#[test]
fn a_forgotten_replica_written_again_keeps_when_it_loaded_its_config() {
    let Some(cluster) = pg::cluster() else { return };
    let url = cluster.database();
    let db = cluster.name_of(&url);
    let state =
        presswatch::store::State::open_postgres(&url, Some(pg::PASSWORD), Duration::from_secs(3))
            .unwrap();
    let pg = state.shared().unwrap();
    let channels = [("desk=0a1b2c".to_string(), "webhook".to_string())];
    pg.register_replica("its-config", &[], &channels).unwrap();
    let config_ms = || {
        cluster
            .psql(
                db,
                &format!(
                    "SELECT config_ms FROM replicas WHERE id = '{}'",
                    pg.replica()
                ),
            )
            .unwrap()
    };
    let loaded = config_ms();
    assert!(
        loaded.parse::<i64>().is_ok_and(|ms| ms > 0),
        "loaded at {loaded:?}"
    );
    // Forgotten, as the others forget a replica silent for ten lease times.
    cluster
        .psql(
            db,
            &format!("DELETE FROM replicas WHERE id = '{}'", pg.replica()),
        )
        .unwrap();
    pg.heartbeat("its-config", &[], &channels).unwrap();
    assert_eq!(
        config_ms(),
        loaded,
        "the row written again says when the replica loaded its config"
    );
}

/// `presswatch check` beside a fleet takes each watch's lease as the
/// replicas do. Given a watch a replica holds the lease on (it is checking
/// it), a manual pass or a check of that watch leaves it to the replica and
/// its row says so; once the replica hands the lease back, or its lease
/// expires (a replica that died), the manual check checks the watch and
/// hands it back, and a replica's next check of the unchanged page alerts
/// nothing: one edit, one alert, one version.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_manual_check_beside_the_fleet_leaves_a_watch_a_replica_holds_to_it() {
    use crate::support::{run, Project, Route, Server};
    let Some(cluster) = pg::cluster() else { return };
    let url = cluster.database();
    let db = cluster.name_of(&url);
    let site = Server::start().await;
    let page = |words: &str| Route::html(article("Story", words));
    site.set("/story", page("The first account of the story."));
    site.set("/other", page("Another story, as it stands."));
    let project = Project::new(&format!(
        r#"[daemon]
interval = "1m"
per_host_delay = "0s"
state_url = "{url}"
state_password_env = "{env}"
lease = "2s"
baseline_dir = "baseline"

[[watch]]
name = "story"
url = "{story}"
robots = false

[[watch]]
name = "other"
url = "{other}"
robots = false
"#,
        env = pg::PASSWORD_ENV,
        story = site.url("/story"),
        other = site.url("/other"),
    ));
    let config = project.config_arg();
    let env = [(pg::PASSWORD_ENV, pg::PASSWORD)];
    let check = |watch: Option<&'static str>| {
        let mut args = vec!["check".to_string(), "--config".into(), config.clone()];
        if let Some(w) = watch {
            args.extend(["--watch".into(), w.into()]);
        }
        async move {
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            let out = run(&args, &env).await;
            let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
            let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
            (out.status.code(), stdout, stderr)
        }
    };
    let count = |sql: &str| cluster.psql(db, sql).unwrap();
    let story_alerts = "SELECT count(*) FROM alerts WHERE watch = 'story'";
    let story_versions = "SELECT count(*) FROM versions WHERE watch = 'story'";

    let (code, stdout, stderr) = check(None).await;
    assert_eq!(code, Some(0), "{stdout}{stderr}");
    // The story is edited, and a replica leases it (it is checking it now).
    // Its lease lasts longer than the test: it runs out when the test says,
    // not while a busy machine starts a manual check.
    site.set("/story", page("A revised account of the story."));
    let replica =
        presswatch::store::State::open_postgres(&url, Some(pg::PASSWORD), pg::LASTING_LEASE)
            .unwrap();
    let pg = replica.shared().unwrap();
    pg.register_replica("its-config", &[], &[]).unwrap();
    let names = ["other".to_string(), "story".to_string()];
    pg.schedule_watches(&names, &[0, 0], &[]).unwrap();
    let leased = pg.lease_due(10, &names[..1]).unwrap();
    assert_eq!(leased.len(), 1);
    assert_eq!(leased[0].watch, "story");
    let fetched = site.requests_to("/story").len();

    // A manual pass, and a manual check of that watch, leave it to the replica.
    let held = format!(
        "watch story is being checked by replica {} now: skipped; its result is in `presswatch status`",
        pg.replica()
    );
    for watch in [None, Some("story")] {
        pg.heartbeat("its-config", &[], &[]).unwrap();
        let (code, stdout, stderr) = check(watch).await;
        assert_eq!(code, Some(0), "{watch:?}: {stdout}{stderr}");
        let row = stdout
            .lines()
            .find(|l| l.starts_with("story "))
            .unwrap_or("");
        assert!(
            row.contains("skipped") && row.contains(&held),
            "{watch:?}: the story's row says which replica checks it:\n{stdout}{stderr}"
        );
        assert!(stdout.contains("1 skipped"), "{stdout}");
        if watch.is_none() {
            assert!(
                stdout
                    .lines()
                    .any(|l| l.starts_with("other ") && l.contains("unchanged")),
                "the other watch is checked:\n{stdout}"
            );
        }
    }
    assert_eq!(
        site.requests_to("/story").len(),
        fetched,
        "the manual checks did not fetch the story"
    );
    assert_eq!(count(story_alerts), "0");

    // The replica hands the lease back: the manual check checks the story.
    let story = &names[1..];
    assert_eq!(pg.finish_leases(story, &[Some(0)]).unwrap(), story);
    let (code, stdout, stderr) = check(Some("story")).await;
    assert_eq!(code, Some(0), "{stdout}{stderr}");
    assert!(
        stdout
            .lines()
            .any(|l| l.starts_with("story ") && l.contains("changed")),
        "{stdout}{stderr}"
    );
    assert_eq!(count(story_alerts), "1");
    assert_eq!(count(story_versions), "2");
    let unleased = "SELECT count(*) FROM watch_state WHERE lease_owner IS NOT NULL";
    assert_eq!(
        count(unleased),
        "0",
        "the manual check handed its lease back"
    );

    // A replica leases the story and dies: once its lease has expired, the
    // manual check checks the story again, and finds nothing new.
    assert_eq!(pg.lease_due(10, &names[..1]).unwrap().len(), 1);
    pg::lease_time_passes(&[&replica]);
    let (code, stdout, stderr) = check(Some("story")).await;
    assert_eq!(code, Some(0), "{stdout}{stderr}");
    assert!(
        stdout
            .lines()
            .any(|l| l.starts_with("story ") && l.contains("unchanged")),
        "{stdout}{stderr}"
    );
    pg.resign().unwrap();

    // A real replica checks the story next (it is due): the unchanged page
    // alerts nothing, and no version is stored twice.
    let mut fleet = start_replica(&project.config(), "replica");
    let checked = crate::support::eventually(Duration::from_secs(30), || {
        fleet
            .log_text()
            .lines()
            .any(|l| l.contains("checked watch=story") && l.contains("result=\"unchanged\""))
    })
    .await;
    assert!(
        checked,
        "the replica checks the story:\n{}",
        fleet.log_text()
    );
    fleet.stop(Duration::from_secs(30)).await;
    assert_eq!(count(story_alerts), "1", "one edit, one alert");
    assert_eq!(count(story_versions), "2", "one edit, one new version");
}
