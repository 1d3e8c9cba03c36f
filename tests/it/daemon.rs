//! The daemon as ops run it: a child process against a loopback server.
//!
//! Intervals: the config keeps its 1-minute minimum, and the tests set the
//! undocumented `PRESSWATCH_TEST_TIME_SCALE=60`, which divides scheduling
//! durations only (a "1m" watch runs every second). Politeness delays are not
//! scaled: they are real config values, so the per-host delay is tested as
//! configured.

use std::collections::BTreeMap;
use std::os::unix::net::UnixDatagram;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::support::{
    article, eventually, held_receiver, http_get, ok, run, silent_listener, slow_receiver, Daemon,
    Gate, Route, Server,
};

const SCALE: (&str, &str) = ("PRESSWATCH_TEST_TIME_SCALE", "60");

fn count(server: &Server, path: &str) -> usize {
    server.requests_to(path).len()
}

fn write_config(path: &Path, body: &str) {
    let dir = path.parent().unwrap().display().to_string();
    let text = format!(
        "[daemon]\ninterval = \"1m\"\nstate_dir = \"{dir}/state\"\nbaseline_dir = \"{dir}/baseline\"\n{body}"
    );
    std::fs::write(path, text).unwrap();
}

/// Collects every datagram sent to a NOTIFY_SOCKET.
pub(crate) fn notify_socket(dir: &Path) -> (String, Arc<Mutex<Vec<String>>>) {
    let path = dir.join("notify.sock");
    let sock = UnixDatagram::bind(&path).unwrap();
    let got: Arc<Mutex<Vec<String>>> = Arc::default();
    let g = got.clone();
    std::thread::spawn(move || {
        let mut buf = [0u8; 4096];
        while let Ok(n) = sock.recv(&mut buf) {
            g.lock()
                .unwrap()
                .push(String::from_utf8_lossy(&buf[..n]).to_string());
        }
    });
    (path.display().to_string(), got)
}

/// A strict parser of the Prometheus text format (0.0.4): every sample's
/// family has one `# TYPE` before it, names and labels are well formed,
/// values parse, no series repeats. Returns series -> value.
pub(crate) fn parse_prometheus(text: &str) -> Result<BTreeMap<String, f64>, String> {
    let name_ok = |n: &str| {
        !n.is_empty()
            && n.chars().enumerate().all(|(i, c)| {
                c.is_ascii_alphabetic() || c == '_' || c == ':' || (i > 0 && c.is_ascii_digit())
            })
    };
    let mut types: BTreeMap<String, String> = BTreeMap::new();
    let mut series = BTreeMap::new();
    for (no, line) in text.lines().enumerate() {
        let err = |m: &str| Err(format!("line {}: {m}: {line:?}", no + 1));
        if line.is_empty() {
            continue;
        }
        if let Some(rest) = line.strip_prefix("# ") {
            let mut parts = rest.splitn(3, ' ');
            match (parts.next(), parts.next(), parts.next()) {
                (Some("HELP"), Some(n), _) if name_ok(n) => {}
                (Some("TYPE"), Some(n), Some(t)) if name_ok(n) => {
                    if !["counter", "gauge", "histogram", "summary", "untyped"].contains(&t) {
                        return err("unknown type");
                    }
                    if types.insert(n.to_string(), t.to_string()).is_some() {
                        return err("second TYPE for a family");
                    }
                }
                _ => return err("bad comment line"),
            }
            continue;
        }
        let name_end = line.find(['{', ' ']).ok_or("no value")?;
        let name = &line[..name_end];
        if !name_ok(name) {
            return err("bad metric name");
        }
        let mut rest = &line[name_end..];
        let mut labels = Vec::new();
        if let Some(r) = rest.strip_prefix('{') {
            let mut r = r;
            loop {
                if let Some(after) = r.strip_prefix('}') {
                    r = after;
                    break;
                }
                let eq = r.find('=').ok_or("label without =")?;
                let lname = &r[..eq];
                if !name_ok(lname) || lname.contains(':') {
                    return err("bad label name");
                }
                let v = r[eq + 1..]
                    .strip_prefix('"')
                    .ok_or("unquoted label value")?;
                let mut value = String::new();
                let mut chars = v.char_indices();
                let end = loop {
                    match chars.next() {
                        Some((_, '\\')) => match chars.next() {
                            Some((_, 'n')) => value.push('\n'),
                            Some((_, c @ ('\\' | '"'))) => value.push(c),
                            _ => return err("bad escape"),
                        },
                        Some((i, '"')) => break i,
                        Some((_, c)) => value.push(c),
                        None => return err("unterminated label value"),
                    }
                };
                labels.push(format!("{lname}={value:?}"));
                r = &v[end + 1..];
                r = r.strip_prefix(',').unwrap_or(r);
            }
            rest = r;
        }
        let mut fields = rest.trim_start_matches(' ').split(' ');
        let v = fields.next().ok_or("no value")?;
        let value: f64 = match v {
            "+Inf" => f64::INFINITY,
            "-Inf" => f64::NEG_INFINITY,
            "NaN" => f64::NAN,
            v => v
                .parse()
                .map_err(|_| format!("line {}: bad value {v:?}", no + 1))?,
        };
        if let Some(ts) = fields.next() {
            ts.parse::<i64>()
                .map_err(|_| format!("line {}: bad timestamp", no + 1))?;
        }
        if fields.next().is_some() {
            return err("trailing fields");
        }
        let family = types
            .iter()
            .find(|(f, t)| {
                *f == name
                    || (t.as_str() == "histogram"
                        && ["_bucket", "_sum", "_count"]
                            .iter()
                            .any(|s| name.strip_suffix(s) == Some(f.as_str())))
            })
            .map(|(f, _)| f.clone());
        if family.is_none() {
            return err("sample without a TYPE for its family");
        }
        let key = format!("{name}{{{}}}", labels.join(","));
        if series.insert(key, value).is_some() {
            return err("duplicate series");
        }
    }
    Ok(series)
}

#[test]
fn prometheus_parser_is_strict() {
    assert!(parse_prometheus("# TYPE a counter\na{x=\"1\"} 2\n").is_ok());
    assert!(parse_prometheus("a 1\n").is_err());
    assert!(parse_prometheus("# TYPE a counter\na{x=1} 2\n").is_err());
    assert!(parse_prometheus("# TYPE a counter\na 1\na 2\n").is_err());
    assert!(parse_prometheus("# TYPE a gauge\na one\n").is_err());
}

/// Schedule, per-host delay, READY/WATCHDOG/STATUS/STOPPING, /healthz,
/// /metrics, SIGTERM and `presswatch status`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn checks_on_schedule_politely_and_reports_to_systemd() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start().await;
    for p in ["/a", "/b", "/c"] {
        server.set(p, Route::html(article(&format!("Story {p}"), "Fled.")));
    }
    let config = dir.path().join("config.toml");
    write_config(
        &config,
        &format!(
            "per_host_delay = \"300ms\"\nlisten = \"0\"\n\n\
             [[watch]]\nname = \"a\"\nurl = \"{}\"\n\n\
             [[watch]]\nname = \"b\"\nurl = \"{}\"\n\n\
             [[watch]]\nname = \"c\"\nurl = \"{}\"\n",
            server.url("/a"),
            server.url("/b"),
            server.url("/c")
        ),
    );
    let (sock, notes) = notify_socket(dir.path());
    let mut d = Daemon::start(
        &config,
        &[
            SCALE,
            ("NOTIFY_SOCKET", &sock),
            ("WATCHDOG_USEC", "1000000"),
        ],
    );
    // Port 0: a free port the system gives, which the start logs.
    let addr = d.listen_addr().await;
    assert!(addr.ip().is_loopback() && addr.port() != 0, "{addr}");
    let every_watch_thrice = || ["/a", "/b", "/c"].iter().all(|p| count(&server, p) >= 3);
    assert!(
        eventually(Duration::from_secs(15), every_watch_thrice).await,
        "each watch should be checked about once a second; hits: {:?}\n{}",
        server
            .requests()
            .iter()
            .map(|h| &h.path)
            .collect::<Vec<_>>(),
        d.log_text()
    );

    // The host never sees two requests closer than the configured delay.
    // A request's `at` is taken once it has arrived and before it is
    // answered; the daemon waits the delay after each answer, so however
    // late a busy machine delivers or records a request, the next one
    // arrives at least 300 ms after the previous one was recorded.
    let hits = server.requests();
    for pair in hits.windows(2) {
        let gap = pair[1].at.duration_since(pair[0].at);
        assert!(
            gap >= Duration::from_millis(300),
            "{} then {} only {gap:?} apart",
            pair[0].path,
            pair[1].path
        );
    }
    assert_eq!(
        count(&server, "/robots.txt"),
        1,
        "robots.txt is fetched once and cached"
    );

    let (status, body) = http_get(addr, "/healthz").await;
    assert_eq!((status, body.as_str()), (200, "ok\n"));
    let (status, body) = http_get(addr, "/metrics").await;
    assert_eq!(status, 200);
    let m = parse_prometheus(&body).unwrap_or_else(|e| panic!("{e}\n{body}"));
    assert!(
        m["presswatch_checks_total{result=\"unchanged\"}"] >= 3.0,
        "{body}"
    );
    assert!(
        m["presswatch_fetch_duration_seconds_count{}"] >= 9.0,
        "{body}"
    );
    assert!(m["presswatch_fetch_bytes_total{}"] > 0.0, "{body}");
    assert_eq!(m["presswatch_watches{}"], 3.0);
    assert_eq!(m["presswatch_outbox_depth{}"], 0.0);
    assert!(m.contains_key("presswatch_last_success_timestamp_seconds{watch=\"a\"}"));
    let (status, _) = http_get(addr, "/nope").await;
    assert_eq!(status, 404);

    d.stop(Duration::from_secs(10)).await;
    let notes = notes.lock().unwrap().clone();
    let has = |s: &str| notes.iter().any(|n| n.lines().any(|l| l == s));
    assert!(has("READY=1"), "{notes:?}");
    assert!(has("WATCHDOG=1"), "{notes:?}");
    assert!(has("STOPPING=1"), "{notes:?}");
    assert!(
        notes
            .iter()
            .any(|n| n.contains("STATUS=3 watches, ") && n.contains("pending alerts")),
        "{notes:?}"
    );
    let ready = notes.iter().position(|n| n.contains("READY=1")).unwrap();
    let stopping = notes.iter().position(|n| n.contains("STOPPING=1")).unwrap();
    assert!(ready < stopping);

    let out = run(&["status", "--config", config.to_str().unwrap()], &[]).await;
    let table = String::from_utf8_lossy(&out.stdout).to_string();
    println!("{table}");
    assert!(out.status.success());
    let lines: Vec<&str> = table.lines().collect();
    assert!(lines[0].starts_with("WATCH"), "{table}");
    for w in ["a ", "b ", "c "] {
        assert!(
            lines
                .iter()
                .any(|l| l.starts_with(w) && l.contains("unchanged")),
            "{table}"
        );
    }
}

/// Polls `/healthz` at `addr`, where the daemon listens, until its status
/// is `want` (at most 15 s); returns the last answer.
async fn healthz_until(addr: std::net::SocketAddr, want: u16) -> (u16, String) {
    let until = std::time::Instant::now() + Duration::from_secs(15);
    loop {
        let answer = http_get(addr, "/healthz").await;
        if answer.0 == want || std::time::Instant::now() > until {
            return answer;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// A change the state cannot take (a full disk) makes `/healthz` fail with
/// the reason, loses nothing, and clears once checks store again.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn healthz_fails_while_checks_cannot_be_stored() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start().await;
    server.set("/a", Route::html(article("Story", "Fled.")));
    let config = dir.path().join("config.toml");
    write_config(
        &config,
        &format!(
            "per_host_delay = \"0s\"\nlisten = \"127.0.0.1:0\"\n\n\
             [[channel]]\nname = \"hook\"\ntype = \"webhook\"\nurl = \"{}\"\n\n\
             [[watch]]\nname = \"a\"\nurl = \"{}\"\n",
            server.url("/hook"),
            server.url("/a")
        ),
    );
    let cfg = config.to_str().unwrap();
    assert!(run(&["check", "--config", cfg], &[]).await.status.success());
    // The outbox refuses rows, as a full disk would.
    let db = rusqlite::Connection::open(dir.path().join("state/presswatch.db")).unwrap();
    db.execute_batch(
        "CREATE TRIGGER refuse BEFORE INSERT ON outbox BEGIN SELECT RAISE(FAIL, 'database or disk is full'); END;",
    )
    .unwrap();
    server.set(
        "/a",
        Route::html(article("Story", "Fled across the mountains.")),
    );

    let mut d = Daemon::start(&config, &[SCALE]);
    let addr = d.listen_addr().await;
    let (status, body) = healthz_until(addr, 503).await;
    assert_eq!(status, 503, "{body}\n{}", d.log_text());
    assert!(
        body.contains("the last check could not be stored")
            && body.contains("database or disk is full"),
        "{body}"
    );
    assert!(server.requests_to("/hook").is_empty());

    db.execute_batch("DROP TRIGGER refuse;").unwrap();
    let (status, body) = healthz_until(addr, 200).await;
    assert_eq!((status, body.as_str()), (200, "ok\n"), "{}", d.log_text());
    assert!(
        eventually(Duration::from_secs(10), || count(&server, "/hook") == 1).await,
        "the change is sent once: {}",
        d.log_text()
    );
    d.stop(Duration::from_secs(10)).await;
    assert_eq!(count(&server, "/hook"), 1, "and only once");
}

/// Run as installed (no `RUST_LOG`), the daemon's log holds events: the
/// baseline stored, the change found, the alert delivered; a check that
/// finds nothing new adds no line, so a quiet day leaves a quiet journal.
/// `run -v` logs every check, the quiet ones too.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_quiet_check_logs_nothing_at_the_default_level_and_every_check_with_v() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start().await;
    server.set("/a", Route::html(article("Story", "Fled.")));
    let config = dir.path().join("config.toml");
    write_config(
        &config,
        &format!(
            "per_host_delay = \"0s\"\n\n[[watch]]\nname = \"a\"\nurl = \"{}\"\n",
            server.url("/a")
        ),
    );
    let quiet = "result=\"unchanged\"";

    let mut d = Daemon::start_as_installed(&config, &[], &[SCALE]);
    d.wait_for_log("result=\"baseline\"", Duration::from_secs(20))
        .await;
    // Three more checks (a minute is a second here), each finding nothing.
    assert!(
        eventually(Duration::from_secs(20), || count(&server, "/a") >= 4).await,
        "{}",
        d.log_text()
    );
    server.set(
        "/a",
        Route::html(article("Story", "Fled across the mountains.")),
    );
    d.wait_for_log("result=\"changed\"", Duration::from_secs(20))
        .await;
    d.stop(Duration::from_secs(10)).await;
    let log = d.log_text();
    assert!(!log.contains(quiet), "{log}");
    assert_eq!(log.matches("checked watch=a").count(), 2, "{log}");

    let mut d = Daemon::start_as_installed(&config, &["-v"], &[SCALE]);
    d.wait_for_log(quiet, Duration::from_secs(20)).await;
    d.stop(Duration::from_secs(10)).await;
}

/// SIGHUP: an invalid config is rejected and the old one kept; a valid one
/// adds and removes watches.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sighup_reloads_the_config() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start().await;
    server.set("/old", Route::html(article("Old", "Old.")));
    server.set("/new", Route::html(article("New", "New.")));
    let config = dir.path().join("config.toml");
    let watch = |name: &str, path: &str| {
        format!(
            "per_host_delay = \"0s\"\nlisten = \"0\"\n\n[[watch]]\nname = \"{name}\"\nurl = \"{}\"\n",
            server.url(path)
        )
    };
    write_config(&config, &watch("old", "/old"));
    let (sock, notes) = notify_socket(dir.path());
    let mut d = Daemon::start(&config, &[SCALE, ("NOTIFY_SOCKET", &sock)]);
    let addr = d.listen_addr().await;
    let reload_rejected = || async move {
        let (_, body) = http_get(addr, "/metrics").await;
        let m = parse_prometheus(&body).unwrap_or_else(|e| panic!("{e}\n{body}"));
        m["presswatch_config_reload_rejected{}"]
    };
    assert_eq!(reload_rejected().await, 0.0);
    assert!(
        eventually(Duration::from_secs(10), || count(&server, "/old") >= 1).await,
        "{}",
        d.log_text()
    );

    std::fs::write(
        &config,
        "[[watch]]\nname = \"broken\"\nurl = \"not a url\"\n",
    )
    .unwrap();
    d.signal("HUP");
    d.wait_for_log("config reload rejected", Duration::from_secs(5))
        .await;
    assert!(
        d.log_text().contains("broken") && d.log_text().contains(".url: not a valid URL"),
        "the errors are logged: {}",
        d.log_text()
    );
    let before = count(&server, "/old");
    assert!(
        eventually(Duration::from_secs(5), || count(&server, "/old") > before).await,
        "the old config keeps running"
    );
    // systemctl status says it too, not the log alone.
    let rejected = |n: &String| {
        n.contains("STATUS=1 watch, ")
            && n.contains(" · config reload rejected at ")
            && n.contains("the running config is the one loaded at ")
    };
    assert!(
        eventually(Duration::from_secs(5), || notes
            .lock()
            .unwrap()
            .iter()
            .any(rejected))
        .await,
        "{:?}",
        notes.lock().unwrap()
    );
    assert_eq!(reload_rejected().await, 1.0);

    write_config(&config, &watch("new", "/new"));
    d.signal("HUP");
    assert!(
        eventually(Duration::from_secs(10), || count(&server, "/new") >= 2).await,
        "{}",
        d.log_text()
    );
    // At most one check of the removed watch may have been in flight.
    let old_after = count(&server, "/old");
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert!(
        count(&server, "/old") <= old_after + 1,
        "removed watch is still checked"
    );
    // The new watch is checked on (once a second, each check's own time
    // added: on a busy machine, the third may come after those 2 s).
    assert!(
        eventually(Duration::from_secs(10), || count(&server, "/new") >= 3).await,
        "{}",
        d.log_text()
    );
    assert!(notes
        .lock()
        .unwrap()
        .iter()
        .any(|n| n.contains("RELOADING=1")));
    // Once a reload succeeds, the status line is the usual one again.
    let last = notes
        .lock()
        .unwrap()
        .iter()
        .rev()
        .find(|n| n.contains("STATUS="))
        .cloned()
        .unwrap_or_default();
    assert!(
        last.contains("STATUS=1 watch, ") && !last.contains("reload rejected"),
        "{last}"
    );
    assert_eq!(reload_rejected().await, 0.0);

    d.stop(Duration::from_secs(10)).await;
}

/// Given a daemon alerting a webhook and a mail desk, ops edit only the
/// channels (the webhook moved, the desk has a new address) and reload: the
/// log line says the channels changed (it said `changed=0` before, which
/// reads as a reload that did nothing), and the next edit goes to the new
/// webhook URL and the new recipient, none to the old ones.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reload_that_edits_only_channels_says_so_and_alerts_go_to_the_new_ones() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start().await;
    server.set("/story", Route::html(article("Story", "First version.")));
    let mails = Arc::new(Mutex::new(Vec::new()));
    let smtp = crate::support::smtp_sink(mails.clone());
    let config = dir.path().join("config.toml");
    let body = |hook: &str, to: &str| {
        format!(
            "per_host_delay = \"0s\"\n\n[[channel]]\nname = \"hook\"\ntype = \"webhook\"\nurl = \"{}\"\n\n\
             [[channel]]\nname = \"desk\"\ntype = \"email\"\nsmtp_url = \"smtp://127.0.0.1:{smtp}\"\ntls = \"none\"\n\
             from = \"pw@example.org\"\nto = [\"{to}\"]\n\n\
             [[watch]]\nname = \"story\"\nurl = \"{}\"\n",
            server.url(hook),
            server.url("/story")
        )
    };
    write_config(&config, &body("/hook-old", "old-desk@example.org"));
    let cfg = config.to_str().unwrap();
    assert!(run(&["check", "--config", cfg], &[]).await.status.success());
    let mut d = Daemon::start(&config, &[SCALE]);
    d.wait_for_log("presswatch started", Duration::from_secs(10))
        .await;

    write_config(&config, &body("/hook-new", "new-desk@example.org"));
    d.signal("HUP");
    d.wait_for_log("config reloaded", Duration::from_secs(5))
        .await;
    let log = d.log_text();
    let line = log.lines().find(|l| l.contains("config reloaded")).unwrap();
    assert!(
        line.contains("changed=0")
            && line.contains("channels_changed=2")
            && line.contains("changes=channels hook, desk edited"),
        "{line}"
    );

    server.set(
        "/story",
        Route::html(article("Story", "Second version, with more words.")),
    );
    let mailed = |to: &str| {
        mails
            .lock()
            .unwrap()
            .iter()
            .filter(|m| String::from_utf8_lossy(m).contains(&format!("To: {to}")))
            .count()
    };
    assert!(
        eventually(Duration::from_secs(20), || {
            count(&server, "/hook-new") == 1 && mailed("new-desk@example.org") == 1
        })
        .await,
        "the edit goes to the new webhook and recipient\n{}",
        d.log_text()
    );
    assert_eq!(count(&server, "/hook-old"), 0);
    assert_eq!(mailed("old-desk@example.org"), 0);
    d.stop(Duration::from_secs(10)).await;
}

/// The config of a daemon watching the story at `/story` on `server` and
/// alerting the webhook at `hook`.
fn story_alerting(server: &Server, hook: &str) -> String {
    format!(
        "per_host_delay = \"0s\"\n\n[[channel]]\nname = \"hook\"\ntype = \"webhook\"\nurl = \"{hook}\"\n\n\
         [[watch]]\nname = \"story\"\nurl = \"{}\"\n",
        server.url("/story")
    )
}

/// Given a story on `server` checked once (`presswatch check`, its first
/// version the baseline) and then edited, a daemon started in `dir` on
/// [`story_alerting`] `hook`: its first check finds the edit and alerts it.
/// The daemon and its config file.
async fn started_on_an_edit(dir: &Path, server: &Server, hook: &str) -> (Daemon, PathBuf) {
    server.set("/story", Route::html(article("Story", "First version.")));
    let config = dir.join("config.toml");
    write_config(&config, &story_alerting(server, hook));
    let cfg = config.to_str().unwrap();
    assert!(run(&["check", "--config", cfg], &[]).await.status.success());
    server.set(
        "/story",
        Route::html(article("Story", "Second version, with more words.")),
    );
    (Daemon::start(&config, &[SCALE]), config)
}

/// Given an alert failing at a mistyped webhook URL (retried with backoff,
/// the next try 30 s or more away), ops fix the URL and reload: the alert
/// goes to the fixed URL within the next delivery round, not when the
/// backoff the wrong URL earned ends (up to an hour).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reload_that_fixes_a_channel_sends_its_failed_alerts_now() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start().await;
    server.set("/hook-typo", Route::status(404));
    let (mut d, config) = started_on_an_edit(dir.path(), &server, &server.url("/hook-typo")).await;
    // The edit's alert is tried at the mistyped URL, and the failure
    // recorded with its backoff (the request arriving is not enough: a
    // reload before the failure is recorded finds nothing failed to send
    // again, and the failure then waits out its backoff).
    d.wait_for_log("delivery failed; will retry", Duration::from_secs(20))
        .await;

    write_config(&config, &story_alerting(&server, &server.url("/hook")));
    d.signal("HUP");
    d.wait_for_log("config reloaded", Duration::from_secs(5))
        .await;
    assert!(
        eventually(Duration::from_secs(10), || count(&server, "/hook") == 1).await,
        "the failed alert goes to the fixed URL at once\n{}",
        d.log_text()
    );
    assert!(
        d.log_text()
            .contains("the alerts that failed to reach it are sent again now"),
        "{}",
        d.log_text()
    );
    assert_eq!(count(&server, "/hook-typo"), 1);
    d.stop(Duration::from_secs(10)).await;
}

/// A reload to a config whose secret file cannot be read (a credential not
/// installed yet) is rejected, the running config kept, and the log says
/// which file, line and key, each problem on a line of its own as every
/// log event is: a journal or log shipper reads one line as one event.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reload_whose_secret_cannot_be_read_is_rejected_one_log_line_per_problem() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start().await;
    server.set("/story", Route::html(article("Story", "First version.")));
    let config = dir.path().join("config.toml");
    let watch = format!(
        "per_host_delay = \"0s\"\n\n[[watch]]\nname = \"story\"\nurl = \"{}\"\n",
        server.url("/story")
    );
    write_config(&config, &watch);
    let mut d = Daemon::start(&config, &[SCALE]);
    assert!(
        eventually(Duration::from_secs(10), || count(&server, "/story") >= 1).await,
        "{}",
        d.log_text()
    );
    let hooks = |secret: &str| {
        format!(
            "{watch}\n[[channel]]\nname = \"one\"\ntype = \"webhook\"\nurl = \"{hook}\"\nsecret_file = \"{secret}\"\n\n\
             [[channel]]\nname = \"two\"\ntype = \"webhook\"\nurl = \"{hook}\"\nsecret_file = \"{secret}\"\n",
            hook = server.url("/hook")
        )
    };
    write_config(&config, &hooks("missing-secret"));
    d.signal("HUP");
    d.wait_for_log("still running the previous one", Duration::from_secs(5))
        .await;
    let log = d.log_text();
    let rejected: Vec<&str> = log
        .lines()
        .filter(|l| l.contains("config reload rejected"))
        .collect();
    assert_eq!(rejected.len(), 2, "{log}");
    for (line, name) in [(15, "one"), (21, "two")] {
        assert!(
            rejected.iter().any(|l| l.contains(&format!(
                "config.toml:{line}: channel \"{name}\".secret_file: cannot read "
            ))),
            "{log}"
        );
    }
    // Every line of the log is an event: a time stamp and a level first.
    for l in log.lines() {
        assert!(
            l.starts_with("20") && l.contains('Z'),
            "not an event: {l:?}\n{log}"
        );
    }
    let before = count(&server, "/story");
    assert!(
        eventually(Duration::from_secs(5), || count(&server, "/story") > before).await,
        "the old config keeps running: {log}"
    );
    d.stop(Duration::from_secs(10)).await;
}

/// A reload to a config with no watch (the file emptied, half written, every
/// watch commented out) would stop all monitoring while `/healthz` stays ok:
/// it is rejected like an invalid config, the running watches kept, and the
/// log says why and what to do.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reload_to_a_config_without_a_watch_is_rejected_and_the_watches_keep_running() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start().await;
    server.set("/story", Route::html(article("Story", "First version.")));
    let config = dir.path().join("config.toml");
    let watch = format!(
        "per_host_delay = \"0s\"\n\n[[watch]]\nname = \"story\"\nurl = \"{}\"\n",
        server.url("/story")
    );
    write_config(&config, &watch);
    let mut d = Daemon::start(&config, &[SCALE]);
    assert!(
        eventually(Duration::from_secs(10), || count(&server, "/story") >= 1).await,
        "{}",
        d.log_text()
    );
    for (n, empty) in [
        (1, String::new()),
        (
            2,
            "[daemon]\ninterval = \"1m\"\n\n# [[watch]]\n# name = \"story\"\n".to_string(),
        ),
    ] {
        std::fs::write(&config, empty).unwrap();
        d.signal("HUP");
        assert!(
            eventually(Duration::from_secs(5), || {
                d.log_text().matches("config reload rejected").count() >= n
            })
            .await,
            "{}",
            d.log_text()
        );
        let log = d.log_text();
        assert!(
            log.contains("there is nothing to check")
                && log.contains("still running the previous one (1 watch)")
                && log.contains("send SIGHUP again"),
            "{log}"
        );
        assert!(!log.contains("config reloaded"), "{log}");
        let before = count(&server, "/story");
        assert!(
            eventually(Duration::from_secs(5), || count(&server, "/story") > before).await,
            "the watch is still checked: {}",
            d.log_text()
        );
    }
    d.stop(Duration::from_secs(10)).await;
}

/// Given a watch that fails and backs off, a reload that fixes its URL makes
/// a new watch of it: it is checked again soon, not when the old URL's
/// backoff ends (up to 6 h), and the log says so.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reload_that_fixes_a_failing_watchs_url_checks_it_soon() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start().await;
    server.set("/typo", Route::status(500));
    server.set("/story", Route::html(article("Story", "First version.")));
    let config = dir.path().join("config.toml");
    // 1h is a minute at the tests' time scale: the failure backs off at
    // least that long; a new watch is due within the start-up spread (5 s).
    let body = |path: &str| {
        format!(
            "per_host_delay = \"0s\"\n\n[[watch]]\nname = \"story\"\nurl = \"{}\"\ninterval = \"1h\"\n",
            server.url(path)
        )
    };
    write_config(&config, &body("/typo"));
    let mut d = Daemon::start(&config, &[SCALE]);
    assert!(
        eventually(Duration::from_secs(10), || count(&server, "/typo") >= 1).await,
        "{}",
        d.log_text()
    );
    // The failure is stored and backed off.
    tokio::time::sleep(Duration::from_millis(500)).await;

    write_config(&config, &body("/story"));
    d.signal("HUP");
    d.wait_for_log("config reloaded", Duration::from_secs(5))
        .await;
    assert!(
        eventually(Duration::from_secs(8), || count(&server, "/story") >= 1).await,
        "the fixed watch is checked soon: {}",
        d.log_text()
    );
    let log = d.log_text();
    assert!(
        log.contains("the watch's URL or fetch settings changed: checked again in")
            && log.contains("as a new watch (its backoff after 1 failure is reset)"),
        "{log}"
    );
    d.stop(Duration::from_secs(10)).await;
}

/// A mail relay that takes an alert and never answers holds up that
/// channel's sends until the send timeout (60 s), and only those: an alert
/// raised meanwhile for a webhook goes out at once, not when the relay's
/// round is over.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_relay_that_hangs_does_not_hold_up_later_alerts_to_other_channels() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start().await;
    server.set("/a", Route::html(article("Story A", "First version of A.")));
    server.set("/b", Route::html(article("Story B", "First version of B.")));
    let (relay, accepted) = silent_listener();
    let (hook_url, received) = slow_receiver(Duration::ZERO).await;
    let config = dir.path().join("config.toml");
    write_config(
        &config,
        &format!(
            "per_host_delay = \"0s\"\n\n[[channel]]\nname = \"mail\"\ntype = \"email\"\n\
             smtp_url = \"smtp://127.0.0.1:{relay}\"\ntls = \"none\"\nfrom = \"pw@example.org\"\nto = [\"desk@example.org\"]\n\n\
             [[channel]]\nname = \"hook\"\ntype = \"webhook\"\nurl = \"{hook_url}\"\n\n\
             [[watch]]\nname = \"a\"\nurl = \"{}\"\nchannels = [\"mail\"]\n\n\
             [[watch]]\nname = \"b\"\nurl = \"{}\"\nchannels = [\"hook\"]\n",
            server.url("/a"),
            server.url("/b")
        ),
    );
    let cfg = config.to_str().unwrap();
    assert!(run(&["check", "--config", cfg], &[]).await.status.success());
    server.set(
        "/a",
        Route::html(article("Story A", "Second version of A, with more words.")),
    );
    let mut d = Daemon::start(&config, &[SCALE]);
    assert!(
        eventually(Duration::from_secs(20), || !accepted
            .lock()
            .unwrap()
            .is_empty())
        .await,
        "A's alert is under way to the relay, which holds it\n{}",
        d.log_text()
    );
    server.set(
        "/b",
        Route::html(article("Story B", "Second version of B, with more words.")),
    );
    assert!(
        eventually(Duration::from_secs(20), || !received
            .lock()
            .unwrap()
            .is_empty())
        .await,
        "B's alert reaches the webhook while the relay still holds A's\n{}",
        d.log_text()
    );
    assert!(received.lock().unwrap()[0].contains("\"watch\":\"b\""));
    // The relay still holds A's alert: stopping abandons it to the outbox.
    d.signal("TERM");
    d.wait_for_log("shutting down", Duration::from_secs(5))
        .await;
    d.signal("TERM");
    assert_eq!(d.wait_exit(Duration::from_secs(10)).await, Some(0));
}

/// SIGTERM while an alert delivery is in flight: the daemon waits for it,
/// exits 0, and the outbox is empty afterwards.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_lets_an_in_flight_delivery_finish() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start().await;
    server.set("/story", Route::html(article("Story", "First version.")));
    let (hook_url, received) = slow_receiver(Duration::from_millis(1500)).await;
    let config = dir.path().join("config.toml");
    write_config(
        &config,
        &format!(
            "per_host_delay = \"0s\"\n\n[[channel]]\nname = \"hook\"\ntype = \"webhook\"\nurl = \"{}\"\nsecret_env = \"PW_TEST_HOOK_SECRET\"\n\n\
             [[watch]]\nname = \"story\"\nurl = \"{}\"\n",
            hook_url,
            server.url("/story")
        ),
    );
    let secret = "whsec_c2VjcmV0LXRoYXQtbXVzdC1uZXZlci1iZS1sb2dnZWQ=";
    let mut d = Daemon::start(&config, &[SCALE, ("PW_TEST_HOOK_SECRET", secret)]);
    assert!(
        eventually(Duration::from_secs(10), || dir
            .path()
            .join("baseline/story.txt")
            .exists())
        .await,
        "the first check stores the baseline"
    );
    server.set(
        "/story",
        Route::html(article(
            "Story",
            "Second version, with the words the editors added later.",
        )),
    );
    assert!(
        eventually(Duration::from_secs(10), || !received
            .lock()
            .unwrap()
            .is_empty())
        .await,
        "the change is delivered to the webhook\n{}",
        d.log_text()
    );
    // The receiver is still answering: the delivery is in flight.
    d.stop(Duration::from_secs(20)).await;
    let bodies = received.lock().unwrap().clone();
    assert_eq!(bodies.len(), 1, "{bodies:?}");
    assert!(bodies[0].contains("\"kind\":\"edited\""), "{}", bodies[0]);
    assert!(!d.log_text().contains(secret), "a secret reached the log");
    let out = run(
        &["outbox", "--config", config.to_str().unwrap(), "list"],
        &[("PW_TEST_HOOK_SECRET", secret)],
    )
    .await;
    assert!(out.status.success(), "{out:?}");
    let out = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.contains("outbox is empty"),
        "delivered before exit: {out}\n{}",
        d.log_text()
    );
}

/// `listen`, `state_dir` and `state_url` take a restart: a reload that changes one says
/// so, and a reload that undoes the change says nothing, since the daemon
/// never stopped running the original.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reload_that_undoes_a_change_needing_a_restart_warns_no_more() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start().await;
    server.set("/story", Route::html(article("Story", "First version.")));
    let config = dir.path().join("config.toml");
    // The other address is never bound: the change waits for a restart.
    let (listen, other) = ("127.0.0.1:0", "127.0.0.1:9184");
    let body = |listen: &str| {
        format!(
            "per_host_delay = \"0s\"\nlisten = \"{listen}\"\n\n[[watch]]\nname = \"story\"\nurl = \"{}\"\n",
            server.url("/story")
        )
    };
    write_config(&config, &body(listen));
    let mut d = Daemon::start(&config, &[SCALE]);
    let addr = d.listen_addr().await;
    let reloaded = |d: &Daemon, n: usize| d.log_text().matches("config reloaded").count() >= n;
    let warned = |d: &Daemon| d.log_text().matches("daemon.listen changed").count();
    d.wait_for_log("presswatch started", Duration::from_secs(10))
        .await;
    // Its start says when the first check comes.
    let started = d.log_text();
    let started = started
        .lines()
        .find(|l| l.contains("presswatch started"))
        .unwrap();
    assert!(started.contains("status=1 watch, next check "), "{started}");

    write_config(&config, &body(other));
    d.signal("HUP");
    assert!(
        eventually(Duration::from_secs(5), || reloaded(&d, 1)).await,
        "{}",
        d.log_text()
    );
    assert_eq!(warned(&d), 1, "{}", d.log_text());

    write_config(&config, &body(listen));
    d.signal("HUP");
    assert!(
        eventually(Duration::from_secs(5), || reloaded(&d, 2)).await,
        "{}",
        d.log_text()
    );
    assert_eq!(
        warned(&d),
        1,
        "the change undone is no change: {}",
        d.log_text()
    );
    let (status, _) = http_get(addr, "/healthz").await;
    assert_eq!(status, 200, "still serving where it started");

    // Moving the state to PostgreSQL takes a restart too: it was ignored
    // without a word, the daemon carrying on alone on SQLite.
    let pg = "state_url = \"postgres://presswatch@127.0.0.1:9/presswatch\"\n";
    write_config(&config, &format!("{pg}{}", body(listen)));
    d.signal("HUP");
    assert!(
        eventually(Duration::from_secs(5), || reloaded(&d, 3)).await,
        "{}",
        d.log_text()
    );
    assert!(
        d.log_text()
            .contains("daemon.state_url or state_password changed: the new state database is used after a restart"),
        "{}",
        d.log_text()
    );

    d.stop(Duration::from_secs(10)).await;
}

/// Ctrl-C in a terminal: the first SIGINT gives a running check its grace
/// period; pressed again, as in any foreground program, the daemon stops
/// now instead of making the user wait the grace out.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_ctrl_c_stops_the_daemon_without_waiting_out_the_grace() {
    let dir = tempfile::tempdir().unwrap();
    // A server that accepts and never answers: the check hangs until its timeout.
    let (port, accepted) = silent_listener();
    let config = dir.path().join("config.toml");
    write_config(
        &config,
        &format!(
            "per_host_delay = \"0s\"\ntimeout = \"10m\"\n\n[[watch]]\nname = \"hangs\"\nurl = \"http://127.0.0.1:{port}/story\"\nrobots = false\n"
        ),
    );
    let mut d = Daemon::start(&config, &[SCALE]);
    assert!(
        eventually(Duration::from_secs(15), || !accepted
            .lock()
            .unwrap()
            .is_empty())
        .await,
        "the check is in flight\n{}",
        d.log_text()
    );
    d.signal("INT");
    d.wait_for_log("shutting down", Duration::from_secs(5))
        .await;
    d.signal("INT");
    assert_eq!(
        d.wait_exit(Duration::from_secs(5)).await,
        Some(0),
        "{}",
        d.log_text()
    );
    // It names the check it abandons.
    assert!(
        d.log_text()
            .lines()
            .any(|l| l.contains("second signal: stopping now")
                && l.contains("checks=hangs")
                && l.contains("delivering_to=none alerts=none")),
        "{}",
        d.log_text()
    );
}

/// Stopped while a webhook receiver holds a delivery without answering,
/// the daemon abandons it at the deadline (here, at once: a second
/// SIGTERM) and starts no last delivery round beside it: that round would
/// send the same alert again while the first attempt may still get
/// through. The alert stays in the outbox for the next start.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_delivery_abandoned_at_shutdown_is_not_started_again_beside_itself() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start().await;
    // A receiver that accepts and never answers.
    let (port, accepted) = silent_listener();
    // The daemon finds the change and sends it to the receiver, which holds it.
    let hook = format!("http://127.0.0.1:{port}/hook");
    let (mut d, config) = started_on_an_edit(dir.path(), &server, &hook).await;
    let cfg = config.to_str().unwrap();
    assert!(
        eventually(Duration::from_secs(20), || !accepted
            .lock()
            .unwrap()
            .is_empty())
        .await,
        "the delivery is in flight\n{}",
        d.log_text()
    );
    // The check that found the edit has finished (the delivery round may
    // start before it has).
    d.wait_for_log("result=\"changed\"", Duration::from_secs(20))
        .await;
    // The story is checked every second, and the delivery round may have
    // started beside its next check: the stop comes right after a check
    // has finished, the next one a second away.
    let checks = || d.log_text().matches("checked watch=story").count();
    let before = checks();
    assert!(
        eventually(Duration::from_secs(20), || checks() > before).await,
        "{}",
        d.log_text()
    );
    d.signal("TERM");
    d.wait_for_log("shutting down", Duration::from_secs(5))
        .await;
    // It says what it waits for: no check, the delivery under way.
    let log = d.log_text();
    assert!(
        log.lines().any(|l| l.contains("shutting down")
            && l.contains("running_checks=0 delivery_under_way=true")),
        "{log}"
    );
    d.signal("TERM");
    assert_eq!(
        d.wait_exit(Duration::from_secs(10)).await,
        Some(0),
        "{}",
        d.log_text()
    );
    let log = d.log_text();
    assert!(
        log.contains("no last delivery round: the one abandoned is still sending"),
        "{log}"
    );
    assert!(!log.contains("final delivery cut short"), "{log}");
    assert_eq!(accepted.lock().unwrap().len(), 1, "{log}");
    let list = run(&["outbox", "list", "--config", cfg], &[]).await;
    let listed = String::from_utf8_lossy(&list.stdout);
    let line = listed
        .lines()
        .find(|l| l.contains("channel hook  watch story"))
        .unwrap_or_else(|| panic!("{list:?}"));
    // The stop named the alert it abandoned on its way, by the id the
    // outbox lists it under (and the receiver got it under).
    let id = line.split_whitespace().next().unwrap();
    assert!(
        log.lines()
            .any(|l| l.contains("second signal: stopping now")
                && l.contains(&format!("delivering_to=hook alerts={id}"))),
        "{log}"
    );
}

/// `systemctl stop` (SIGTERM) while the alert's channel is down (its
/// receiver answers 503): the daemon stops cleanly, its last line says the
/// alert is kept in the outbox and how to see it, and the next start sends
/// it, once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stopped_while_the_channel_is_down_the_alert_is_kept_and_the_log_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start().await;
    server.set("/hook", Route::status(503));
    let (mut d, config) = started_on_an_edit(dir.path(), &server, &server.url("/hook")).await;
    let cfg = config.to_str().unwrap();
    d.wait_for_log("delivery failed; will retry", Duration::from_secs(20))
        .await;
    d.stop(Duration::from_secs(10)).await;
    let log = d.log_text();
    let last = log.lines().last().unwrap_or_default();
    // The command can be pasted as it is: it names the config.
    assert!(
        last.contains(&format!(
            "stopped: 1 undelivered alert kept in the outbox, nothing lost \
             (`presswatch outbox list --config {cfg}` shows it; the next start sends what is due)"
        )),
        "{log}"
    );
    // Kept: the receiver is back, and `outbox retry` sends it now, once.
    let list = ok(&run(&["outbox", "list", "--config", cfg], &[]).await);
    assert!(list.contains("channel hook  watch story"), "{list}");
    server.set("/hook", Route::status(200));
    let tried = server.requests_to("/hook").len();
    let retry = run(&["outbox", "retry", "--config", cfg], &[]).await;
    assert!(retry.status.success(), "{retry:?}");
    assert_eq!(server.requests_to("/hook").len(), tried + 1, "{retry:?}");
    let list = ok(&run(&["outbox", "list", "--config", cfg], &[]).await);
    assert!(!list.contains("watch story"), "{list}");
}

/// robots.txt is obeyed unless the watch opts out with `robots = false`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn robots_txt_is_obeyed_unless_the_watch_opts_out() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start().await;
    server.set(
        "/robots.txt",
        Route::html("User-agent: *\nDisallow: /private\n").header("Content-Type", "text/plain"),
    );
    server.set("/private/a", Route::html(article("A", "Ours.")));
    server.set("/private/b", Route::html(article("B", "Theirs.")));
    let config = dir.path().join("config.toml");
    write_config(
        &config,
        &format!(
            "per_host_delay = \"0s\"\n\n[[watch]]\nname = \"ours\"\nurl = \"{}\"\nrobots = false\n\n\
             [[watch]]\nname = \"theirs\"\nurl = \"{}\"\n",
            server.url("/private/a"),
            server.url("/private/b")
        ),
    );
    let out = run(&["check", "--config", config.to_str().unwrap()], &[]).await;
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(count(&server, "/private/a"), 1, "{stdout}");
    assert_eq!(count(&server, "/private/b"), 0, "{stdout}");
    assert!(
        stdout.contains("robots.txt disallows /private/b"),
        "{stdout}"
    );
    assert!(stdout.contains("set `robots = false`"), "{stdout}");
}

/// `record` fetches what a check would, and no more: robots.txt holds for
/// it as for `check`. A manifest it cannot read is an error before anything
/// is fetched, and is left as it was, never replaced by a new one.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn record_obeys_robots_txt_and_never_replaces_a_manifest_it_cannot_read() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start().await;
    server.set(
        "/robots.txt",
        Route::html("User-agent: *\nDisallow: /private\n").header("Content-Type", "text/plain"),
    );
    server.set("/private/a", Route::html(article("A", "Ours.")));
    server.set("/private/b", Route::html(article("B", "Theirs.")));
    let config = dir.path().join("config.toml");
    write_config(
        &config,
        &format!(
            "per_host_delay = \"0s\"\n\n[[watch]]\nname = \"ours\"\nurl = \"{}\"\nrobots = false\n\n\
             [[watch]]\nname = \"theirs\"\nurl = \"{}\"\n",
            server.url("/private/a"),
            server.url("/private/b")
        ),
    );
    let to = dir.path().join("recordings");
    let args = [
        "record",
        "--config",
        config.to_str().unwrap(),
        "--to",
        to.to_str().unwrap(),
    ];
    let out = run(&args, &[]).await;
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert_eq!(count(&server, "/private/a"), 1, "{stdout}");
    assert_eq!(count(&server, "/private/b"), 0, "{stdout}");
    assert!(
        stdout.contains("theirs: error: ") && stdout.contains("robots.txt disallows /private/b"),
        "{stdout}"
    );
    assert!(to.join("ours.html").exists());

    let broken = "[[response]]\nurl = \"https://example.org/x\"\nstatuss = 200\n";
    std::fs::write(to.join("manifest.toml"), broken).unwrap();
    let out = run(&args, &[]).await;
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("manifest.toml"), "{stderr}");
    assert!(stderr.contains("fix it or move it away"), "{stderr}");
    assert_eq!(count(&server, "/private/a"), 1, "nothing fetched");
    assert_eq!(
        std::fs::read_to_string(to.join("manifest.toml")).unwrap(),
        broken,
        "the manifest is left as it was"
    );
}

/// A 429 with Retry-After pauses the host: the next request waits it out
/// although the (scaled) interval is one second.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn retry_after_pauses_the_host() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start().await;
    server.sequence(
        "/busy",
        vec![
            Route::status(429).header("Retry-After", "3"),
            Route::html(article("Busy", "Back.")),
        ],
    );
    let config = dir.path().join("config.toml");
    write_config(
        &config,
        &format!(
            "per_host_delay = \"0s\"\n\n[[watch]]\nname = \"busy\"\nurl = \"{}\"\n",
            server.url("/busy")
        ),
    );
    let d = Daemon::start(&config, &[SCALE]);
    assert!(
        eventually(Duration::from_secs(10), || count(&server, "/busy") >= 2).await,
        "{}",
        d.log_text()
    );
    let hits = server.requests_to("/busy");
    let gap = hits[1].at.duration_since(hits[0].at);
    assert!(
        gap >= Duration::from_millis(2900),
        "only {gap:?} after a 429 with Retry-After: 3"
    );
    assert!(d.log_text().contains("Retry-After"), "{}", d.log_text());
}

/// A reload that shortens a watch's interval reschedules it, and `status`
/// (which reads the state database) shows the new time, not the one its
/// last check set under the old interval.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reload_that_shortens_an_interval_shows_the_new_due_time() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start().await;
    server.set("/story", Route::html(article("Story", "First version.")));
    let config = dir.path().join("config.toml");
    let body = |interval: &str| {
        format!(
            "per_host_delay = \"0s\"\n\n[[watch]]\nname = \"story\"\nurl = \"{}\"\ninterval = \"{interval}\"\n",
            server.url("/story")
        )
    };
    write_config(&config, &body("1h"));
    let mut d = Daemon::start(&config, &[SCALE]);
    let next_due = || {
        rusqlite::Connection::open(dir.path().join("state/presswatch.db"))
            .ok()?
            .query_row(
                "SELECT next_due FROM watch_state WHERE watch = 'story'",
                [],
                |r| r.get::<_, Option<i64>>(0),
            )
            .ok()
            .flatten()
    };
    let now = || chrono::Utc::now().timestamp();
    // Its first check done (the due time the daemon stored for it before
    // that check comes within the start-up spread), the next is 1h away:
    // at the tests' time scale (60×), a minute.
    assert!(
        eventually(Duration::from_secs(10), || count(&server, "/story") >= 1).await,
        "{}",
        d.log_text()
    );
    assert!(
        eventually(Duration::from_secs(5), || next_due()
            .is_some_and(|due| due > now() + 40))
        .await,
        "{:?}\n{}",
        next_due(),
        d.log_text()
    );

    write_config(&config, &body("10m"));
    d.signal("HUP");
    d.wait_for_log("config reloaded", Duration::from_secs(5))
        .await;
    // The log says the reload changed the watch, not only its count.
    assert!(
        d.log_text()
            .contains("watches=1 added=0 removed=0 changed=1"),
        "{}",
        d.log_text()
    );
    // 10m is ten seconds now, give or take its jitter.
    assert!(
        eventually(Duration::from_secs(3), || next_due().unwrap() <= now() + 13).await,
        "next due {:?}, now {}",
        next_due(),
        now()
    );
    d.stop(Duration::from_secs(10)).await;
}

/// A watch never checked (a new state directory, or a watch a reload adds)
/// is shown by `status` with the time of its first check as soon as the
/// daemon has planned it: "not scheduled", whose hint says to start or
/// reload the daemon, would send ops to reload a daemon that already has it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn status_shows_when_the_daemon_first_checks_a_watch_it_never_checked() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start().await;
    server.set("/story", Route::html(article("Story", "First version.")));
    server.set("/other", Route::html(article("Other", "First version.")));
    let config = dir.path().join("config.toml");
    let watch = |name: &str| {
        format!(
            "\n[[watch]]\nname = \"{name}\"\nurl = \"{}\"\ninterval = \"1h\"\n",
            server.url(&format!("/{name}"))
        )
    };
    let one = format!("per_host_delay = \"0s\"\n{}", watch("story"));
    write_config(&config, &one);
    let cfg = config.to_str().unwrap();
    let row = |name: &'static str| async move {
        let out = crate::support::run(&["status", "--config", cfg], &[]).await;
        let table = String::from_utf8_lossy(&out.stdout).into_owned();
        let row = table
            .lines()
            .find(|l| l.starts_with(&format!("{name} ")))
            .unwrap_or("")
            .to_string();
        (row, table)
    };
    let mut d = Daemon::start(&config, &[]);
    d.wait_for_log("next check in", Duration::from_secs(10))
        .await;
    let (story, table) = row("story").await;
    assert!(
        story.contains(" in ") && !table.contains("not scheduled"),
        "{table}"
    );

    write_config(&config, &format!("{one}{}", watch("other")));
    d.signal("HUP");
    d.wait_for_log("config reloaded", Duration::from_secs(5))
        .await;
    let (other, table) = row("other").await;
    assert!(
        other.contains(" in ") && !table.contains("not scheduled"),
        "{table}"
    );
    d.stop(Duration::from_secs(10)).await;
}

/// A config in `dir` of one story served by `server`, checked hourly, and
/// checked once by `presswatch check` (which schedules nothing).
async fn a_story_checked_hourly(dir: &Path, server: &Server) -> PathBuf {
    server.set("/story", Route::html(article("Story", "First version.")));
    let config = dir.join("config.toml");
    write_config(
        &config,
        &format!(
            "per_host_delay = \"0s\"\n\n[[watch]]\nname = \"story\"\nurl = \"{}\"\ninterval = \"1h\"\n",
            server.url("/story")
        ),
    );
    let out = crate::support::run(&["check", "--config", config.to_str().unwrap()], &[]).await;
    assert!(out.status.success(), "{out:?}");
    config
}

/// A watch last checked by `presswatch check` (which schedules nothing) is
/// shown by `status` with the time the daemon will check it next as soon
/// as the daemon has planned it, not "at start" until its first check.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn status_shows_when_the_daemon_checks_a_watch_next_from_its_start() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start().await;
    let config = a_story_checked_hourly(dir.path(), &server).await;
    let cfg = config.to_str().unwrap();
    let mut d = Daemon::start(&config, &[SCALE]);
    d.wait_for_log("next check in", Duration::from_secs(10))
        .await;
    let out = crate::support::run(&["status", "--config", cfg], &[]).await;
    let table = String::from_utf8_lossy(&out.stdout);
    let row = table.lines().find(|l| l.starts_with("story")).unwrap_or("");
    assert!(!row.contains("at start") && row.contains("in "), "{table}");
    // Checked a moment ago, so not due again before the daemon's first check.
    assert_eq!(count(&server, "/story"), 1, "{}", d.log_text());
    d.stop(Duration::from_secs(10)).await;
}

/// `status` says when no daemon runs on the state directory: its NEXT DUE
/// column is the plan the last daemon made (an overdue watch reads "now"),
/// which would otherwise read as a daemon about to check. While a daemon
/// runs it says nothing of the kind, and says it again once it stopped.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn status_says_when_no_daemon_runs_on_the_state() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start().await;
    let config = a_story_checked_hourly(dir.path(), &server).await;
    let cfg = config.to_str().unwrap();
    let status = || async move {
        let out = crate::support::run(&["status", "--config", cfg], &[]).await;
        assert!(out.status.success(), "{out:?}");
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let none_runs = format!(
        "daemon: none runs on this state directory ({}): no watch is checked and no alert is delivered until \
         one starts (`systemctl start presswatch`, or `presswatch run --config {cfg}`); NEXT DUE is the plan \
         the last daemon made\n",
        dir.path().join("state").display()
    );

    let table = status().await;
    assert!(table.contains(&none_runs), "{table}");

    let mut d = Daemon::start(&config, &[]);
    d.wait_for_log("next check in", Duration::from_secs(10))
        .await;
    let table = status().await;
    assert!(!table.contains("daemon: none runs"), "{table}");

    d.stop(Duration::from_secs(10)).await;
    let table = status().await;
    assert!(table.contains(&none_runs), "{table}");
}

/// The backends the daemon tests of delivery under way run on: SQLite, and
/// PostgreSQL (a fresh database) when it runs here.
fn delivery_backends() -> Vec<(&'static str, Option<String>)> {
    let mut backends = vec![("sqlite", None)];
    if let Some(cluster) = crate::pg::cluster() {
        backends.push(("postgres", Some(cluster.database())));
    }
    backends
}

/// The environment of the daemon and the commands beside it.
const UNDER_WAY_ENV: [(&str, &str); 3] = [
    SCALE,
    (crate::pg::PASSWORD_ENV, crate::pg::PASSWORD),
    ("RUST_LOG", "presswatch=info"),
];

/// A daemon (on SQLite in `dir`, or on the PostgreSQL database `url`) whose
/// watch changed and whose alert is under way to a webhook receiver that
/// holds each request until its gate opens, then answers 200: the page's
/// server, the daemon, the config file, the bodies received, the gate and
/// the address of the daemon's `/metrics`.
async fn an_alert_under_way(
    backend: &str,
    url: Option<&str>,
    dir: &Path,
) -> (
    Server,
    Daemon,
    std::path::PathBuf,
    Arc<Mutex<Vec<String>>>,
    Gate,
    std::net::SocketAddr,
) {
    let server = Server::start().await;
    server.set("/story", Route::html(article("Story", "First version.")));
    let (hook_url, received, gate) = held_receiver().await;
    let d = dir.display().to_string();
    let state = match url {
        None => format!("state_dir = \"{d}/state\"\n"),
        Some(url) => crate::pg::state_lines(url),
    };
    let config = dir.join("config.toml");
    std::fs::write(
        &config,
        format!(
            "[daemon]\ninterval = \"1m\"\nper_host_delay = \"0s\"\nlisten = \"127.0.0.1:0\"\nbaseline_dir = \"{d}/baseline\"\n{state}\n\
             [[channel]]\nname = \"hook\"\ntype = \"webhook\"\nurl = \"{hook_url}\"\n\n\
             [[watch]]\nname = \"story\"\nurl = \"{}\"\n",
            server.url("/story")
        ),
    )
    .unwrap();
    let daemon = Daemon::start(&config, &UNDER_WAY_ENV);
    let addr = daemon.listen_addr().await;
    assert!(
        eventually(Duration::from_secs(20), || daemon
            .log_text()
            .contains("result=\"baseline\""))
        .await,
        "{backend}: the first check stores the baseline\n{}",
        daemon.log_text()
    );
    server.set(
        "/story",
        Route::html(article(
            "Story",
            "Second version, with the words the editors added later.",
        )),
    );
    assert!(
        eventually(Duration::from_secs(20), || !received
            .lock()
            .unwrap()
            .is_empty())
        .await,
        "{backend}: the change reaches the receiver\n{}",
        daemon.log_text()
    );
    (server, daemon, config, received, gate, addr)
}

/// What `outbox list`, `retry` and `drop` say of an attempt under way
/// after its number: " by replica ID" with PostgreSQL, ID being the one
/// replica `status`'s fleet section lists (the daemon sending it); nothing
/// with SQLite, where the one daemon sends.
async fn sent_by(cfg: &str) -> String {
    let out = run(&["status", "--config", cfg], &UNDER_WAY_ENV).await;
    let status = String::from_utf8_lossy(&out.stdout).into_owned();
    let mut lines = status.lines().skip_while(|l| !l.starts_with("fleet: "));
    match (lines.next(), lines.next()) {
        (Some(_), Some(replica)) => {
            let id = replica.split_whitespace().next().unwrap_or_default();
            assert!(replica.contains(&format!("{id}  pid ")), "{status}");
            format!(" by replica {id}")
        }
        _ => String::new(),
    }
}

/// Waits until `outbox list` says the outbox is empty; whether it did.
async fn outbox_emptied(cfg: &str) -> bool {
    eventually(Duration::from_secs(20), || {
        std::process::Command::new(env!("CARGO_BIN_EXE_presswatch"))
            .args(["outbox", "--config", cfg, "list"])
            .envs(UNDER_WAY_ENV)
            .output()
            .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).contains("outbox is empty"))
    })
    .await
}

/// While a receiver takes its time to answer (a slow relay), `outbox list`
/// and `status` say the alert is being sent, since when and which attempt
/// (with PostgreSQL, by which replica, as `status`'s fleet section names
/// it), not "due now" or "retrying at" a time already past, and `/metrics`
/// counts it as pending from when it was queued (an alert not delivered is
/// late however far its attempt has got: a receiver that hangs keeps the
/// oldest-pending age growing); once delivered, the outbox is empty and the
/// age 0. On SQLite, and on PostgreSQL when it runs here.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_alert_under_way_to_a_slow_receiver_is_listed_as_being_sent_on_either_backend() {
    for (backend, url) in delivery_backends() {
        let dir = tempfile::tempdir().unwrap();
        let (_server, mut daemon, config, received, gate, addr) =
            an_alert_under_way(backend, url.as_deref(), dir.path()).await;
        let queued = std::time::Instant::now();
        let env = UNDER_WAY_ENV;
        // The receiver holds the request until the gate opens: the alert
        // is being sent.
        let cfg = config.to_str().unwrap();
        let by = sent_by(cfg).await;
        assert_eq!(by.is_empty(), url.is_none(), "{backend}: {by}");
        let out = run(&["outbox", "--config", cfg, "list"], &env).await;
        let listed = String::from_utf8_lossy(&out.stdout).into_owned();
        assert!(out.status.success(), "{backend}: {out:?}");
        let line = listed
            .lines()
            .find(|l| l.contains("channel hook"))
            .unwrap_or_else(|| panic!("{backend}: no entry listed:\n{listed}"));
        assert!(
            line.contains("attempts 0  sending since ")
                && line.ends_with(&format!(" (attempt 1){by}")),
            "{backend}: {listed}"
        );
        assert!(
            listed.contains("outbox: 1 alert being sent"),
            "{backend}: {listed}"
        );
        let out = run(&["status", "--config", cfg], &env).await;
        let status = String::from_utf8_lossy(&out.stdout).into_owned();
        assert!(status.contains("1 alert being sent"), "{backend}: {status}");
        // Still being sent 3 s after it reached the receiver: pending for
        // at least that long, as `outbox list` and `status` say.
        tokio::time::sleep(Duration::from_secs(3).saturating_sub(queued.elapsed())).await;
        let metric = |body: &str| {
            parse_prometheus(body).unwrap_or_else(|e| panic!("{e}\n{body}"))
                ["presswatch_outbox_oldest_pending_age_seconds{}"]
        };
        let (code, body) = http_get(addr, "/metrics").await;
        assert_eq!(code, 200, "{backend}: {body}");
        assert!(metric(&body) >= 3.0, "{backend}: {body}");
        let out = run(&["outbox", "--config", cfg, "list"], &env).await;
        let listed = String::from_utf8_lossy(&out.stdout).into_owned();
        assert!(
            listed.contains("outbox: 1 alert being sent"),
            "{backend}: {listed}"
        );
        // Once the receiver answers, the alert is delivered.
        gate.open();
        assert!(
            outbox_emptied(cfg).await,
            "{backend}: {}",
            daemon.log_text()
        );
        let (_, body) = http_get(addr, "/metrics").await;
        assert_eq!(metric(&body), 0.0, "{backend}: {body}");
        daemon.stop(Duration::from_secs(20)).await;
        assert_eq!(received.lock().unwrap().len(), 1, "{backend}");
    }
}

/// Runs each of `commands` (`outbox` subcommands; an "ID" stands for the
/// alert's id) while an alert is being sent to a receiver that holds it
/// until the commands have run, on either backend, and hands `check` what each said: the backend, the
/// command, the alert's id, the config's path, stdout, the exit code, and
/// how the attempt reads after its number (see [`sent_by`]).
/// After each command the alert still reads as being sent; at the end its
/// attempt has delivered it, once.
async fn outbox_commands_on_an_alert_being_sent(
    commands: &[&[&str]],
    check: impl Fn(&str, &[&str], &str, &str, &str, Option<i32>, &str),
) {
    for (backend, url) in delivery_backends() {
        let dir = tempfile::tempdir().unwrap();
        let (_server, mut daemon, config, received, gate, _) =
            an_alert_under_way(backend, url.as_deref(), dir.path()).await;
        let env = UNDER_WAY_ENV;
        let cfg = config.to_str().unwrap();
        let by = sent_by(cfg).await;
        for command in commands {
            let listed = run(&["outbox", "--config", cfg, "list"], &env).await;
            let listed = String::from_utf8_lossy(&listed.stdout).into_owned();
            let id = listed
                .lines()
                .find(|l| l.contains("channel hook"))
                .and_then(|l| l.split_whitespace().next())
                .unwrap_or_else(|| panic!("{backend} {command:?}: no entry listed:\n{listed}"));
            let args: Vec<&str> = command
                .iter()
                .map(|a| if *a == "ID" { id } else { a })
                .collect();
            let out = run(&[&["outbox", "--config", cfg], &args[..]].concat(), &env).await;
            let said = String::from_utf8_lossy(&out.stdout).into_owned();
            check(backend, command, id, cfg, &said, out.status.code(), &by);
            let listed = run(&["outbox", "--config", cfg, "list"], &env).await;
            let listed = String::from_utf8_lossy(&listed.stdout).into_owned();
            assert!(
                listed.contains("attempts 0  sending since ")
                    && listed.contains("outbox: 1 alert being sent"),
                "{backend} {command:?}: {listed}"
            );
        }
        gate.open();
        assert!(
            outbox_emptied(cfg).await,
            "{backend}: {}",
            daemon.log_text()
        );
        daemon.stop(Duration::from_secs(20)).await;
        assert_eq!(
            received.lock().unwrap().len(),
            1,
            "{backend}: {}",
            daemon.log_text()
        );
    }
}

/// `outbox drop` while an alert is being sent keeps it and says so: the
/// attempt under way may still deliver it, so "dropped" would name an alert
/// the receiver then gets. By id, by channel and with --all, the command
/// exits 1, the alert still reads as being sent, and its attempt delivers
/// it once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dropping_an_alert_being_sent_keeps_it_says_so_and_exits_1_on_either_backend() {
    outbox_commands_on_an_alert_being_sent(
        &[&["drop", "ID"], &["drop", "--channel", "hook"], &["drop", "--all"]],
        |backend, drop, id, cfg, said, code, by| {
            assert!(
                said.contains(&format!("{id} for channel hook: being sent since "))
                    && said.contains(&format!(" (attempt 1){by}; not dropped, as that attempt may still deliver it. If it fails, drop it then: `"))
                    && said.contains(&format!("outbox drop {id} --config {cfg}`\n"))
                    && said.ends_with("0 entries dropped\n"),
                "{backend} {drop:?}: {said}"
            );
            assert_eq!(code, Some(1), "{backend} {drop:?}: {said}");
        },
    )
    .await;
}

/// `outbox retry` while an alert is being sent leaves it to the attempt
/// under way and says so: the alert still reads as being sent, not "due
/// now", nothing is made due beside it, and the receiver gets it once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn retrying_an_alert_being_sent_leaves_it_to_its_attempt_and_sends_it_once_on_either_backend()
{
    outbox_commands_on_an_alert_being_sent(
        &[&["retry"], &["retry", "ID"]],
        |backend, retry, id, _, said, _, by| {
            assert!(
                said.contains(&format!("{id} for channel hook: being sent since "))
                    && said.contains(&format!(" (attempt 1){by}; not retried\n"))
                    && said.contains("0 entries due now"),
                "{backend} {retry:?}: {said}"
            );
        },
    )
    .await;
}

/// Run as installed, the daemon logs a version it stored with no alert (an
/// edit of a keyword watch's story that mentions none of its keywords): ops
/// reading the journal see the version was recorded, which, and why no
/// alert went out, in one line naming the watch and its URL.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_version_stored_without_an_alert_is_logged_at_the_default_level() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start().await;
    server.set("/a", Route::html(article("Story", "Fled.")));
    let config = dir.path().join("config.toml");
    write_config(
        &config,
        &format!(
            "per_host_delay = \"0s\"\n\n[[watch]]\nname = \"a\"\nurl = \"{}\"\nkeywords = [\"Evin\"]\n",
            server.url("/a")
        ),
    );
    let mut d = Daemon::start_as_installed(&config, &[], &[SCALE]);
    d.wait_for_log("result=\"baseline\"", Duration::from_secs(20))
        .await;
    // An edit that names no keyword: stored, not alerted.
    server.set(
        "/a",
        Route::html(article("Story", "Fled across the mountains.")),
    );
    d.wait_for_log("stored as version 2, no alert", Duration::from_secs(20))
        .await;
    d.stop(Duration::from_secs(10)).await;
    let log = d.log_text();
    let lines: Vec<&str> = log.lines().filter(|l| l.contains("version 2")).collect();
    assert_eq!(lines.len(), 1, "{log}");
    let line = lines[0];
    assert!(line.contains(" INFO "), "{line}");
    assert!(
        line.contains("watch a: changed, but mentions no keyword"),
        "{line}"
    );
    assert!(
        line.contains(&format!("url={}", server.url("/a"))),
        "{line}"
    );
    assert!(line.contains("version=2"), "{line}");
}
