//! Secrets never leak, and what presswatch stores is private.

use std::io::{BufRead, BufReader};
use std::os::unix::fs::PermissionsExt;
use std::sync::{Arc, Mutex};

use crate::support::{news_page, run, Project, Route, Server};

const SMTP_PASSWORD: &str = "smtp-pa55word-never-logged";
const WEBHOOK_SECRET: &str = "whsec_c2VjcmV0LW5ldmVyLWxvZ2dlZA==";

#[tokio::test(flavor = "multi_thread")]
async fn secrets_appear_in_no_output_even_when_delivery_fails_at_debug_level() {
    let server = Server::start().await;
    let p = "A paragraph of article text that is long enough to count as text.";
    server.set(
        "/a",
        Route::html(news_page("Headline one", "A. Writer", &[p, p], &[])),
    );
    server.set("/hook", Route::status(500));
    let dead_port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("smtp-password"), SMTP_PASSWORD).unwrap();
    let config = format!(
        r#"[daemon]
per_host_delay = "0s"
[[channel]]
name = "mail"
type = "email"
smtp_url = "smtp://127.0.0.1:{dead_port}"
tls = "none"
username = "alerts"
password_file = "{}"
from = "alerts@example.org"
to = ["staff@example.org"]
[[channel]]
name = "hook"
type = "webhook"
url = "{}"
secret_env = "PW_TEST_WEBHOOK_SECRET"
[[watch]]
name = "a"
url = "{}"
"#,
        dir.path().join("smtp-password").display(),
        server.url("/hook"),
        server.url("/a")
    );
    let project = Project::new(&config);
    let env = [
        ("PW_TEST_WEBHOOK_SECRET", WEBHOOK_SECRET),
        ("RUST_LOG", "debug"),
    ];
    let cfg = project.config_arg();
    let mut outputs = Vec::new();
    outputs.push(run(&["check", "--config", &cfg], &env).await);
    server.set(
        "/a",
        Route::html(news_page("Headline two", "A. Writer", &[p, p], &[])),
    );
    outputs.push(run(&["check", "--config", &cfg, "-vv"], &env).await);
    outputs.push(run(&["outbox", "--config", &cfg, "list"], &env).await);
    outputs.push(run(&["outbox", "--config", &cfg, "retry"], &env).await);
    outputs.push(run(&["validate", "--config", &cfg], &env).await);
    let all: String = outputs
        .iter()
        .map(|o| {
            format!(
                "{}{}",
                String::from_utf8_lossy(&o.stdout),
                String::from_utf8_lossy(&o.stderr)
            )
        })
        .collect();
    assert!(
        all.contains("delivery failed"),
        "delivery did fail and was logged:\n{all}"
    );
    for secret in [SMTP_PASSWORD, WEBHOOK_SECRET, "c2VjcmV0LW5ldmVyLWxvZ2dlZA"] {
        assert!(!all.contains(secret), "secret {secret:?} leaked:\n{all}");
    }
    // The stored alerts and outbox do not hold them either.
    let db = std::fs::read(project.path("state/presswatch.db")).unwrap();
    assert!(!String::from_utf8_lossy(&db).contains(SMTP_PASSWORD));
    // The webhook requests were signed with it, though.
    assert!(server.requests_to("/hook").iter().all(|r| r
        .headers
        .get("webhook-signature")
        .is_some_and(|s| s.starts_with("v1,"))));
}

/// Watch A monitors an intranet service on 127.0.0.1; watch B's page, on
/// localhost, redirects to that service's /admin. A's trust in its own host
/// is A's alone: B's redirect is refused, and /admin is never requested.
#[tokio::test(flavor = "multi_thread")]
async fn a_redirect_cannot_reach_the_internal_host_of_another_watch() {
    let p = "A paragraph of article text that is long enough to count as text.";
    let intranet = Server::start().await;
    intranet.set(
        "/page",
        Route::html(news_page("Intranet page", "A. Writer", &[p, p], &[])),
    );
    intranet.set(
        "/admin",
        Route::html(news_page("Admin console", "Ops", &[p, p], &[])),
    );
    let hostile = Server::start().await;
    hostile.set(
        "/r",
        Route::status(302).header("Location", &intranet.url("/admin")),
    );
    let project = Project::new(&format!(
        "[daemon]\nper_host_delay = \"0s\"\n[[watch]]\nname = \"intranet\"\nurl = \"{}\"\n[[watch]]\nname = \"hostile\"\nurl = \"http://localhost:{}/r\"\n",
        intranet.url("/page"),
        hostile.addr.port()
    ));
    let out = run(&["check", "--config", &project.config_arg()], &[]).await;
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        intranet.requests_to("/admin").is_empty(),
        "the other watch's /admin was fetched:\n{stdout}"
    );
    assert_eq!(hostile.requests_to("/r").len(), 1, "{stdout}");
    assert_eq!(intranet.requests_to("/page").len(), 1, "{stdout}");
    let hostile_line = stdout
        .lines()
        .find(|l| l.contains("hostile"))
        .unwrap_or_default();
    assert!(
        hostile_line.contains("127.0.0.1 is a loopback, private or link-local address")
            && hostile_line.contains("allow_private_redirects"),
        "{stdout}"
    );
}

/// Under `RUST_LOG=trace`, the most any log filter can ask for,
/// a real authenticated SMTP exchange (AUTH PLAIN, accepted by the server)
/// leaves neither the password, nor its base64, nor the AUTH PLAIN line in
/// any output: the sample alert of `test-alert` and an alert from `check`.
#[tokio::test(flavor = "multi_thread")]
async fn an_smtp_login_leaves_no_password_in_the_logs_at_trace_level() {
    use base64::Engine;
    let smtp = AuthSmtp::start("alerts", SMTP_PASSWORD);
    let server = Server::start().await;
    let p = "A paragraph of article text that is long enough to count as text.";
    server.set(
        "/a",
        Route::html(news_page("Headline one", "A. Writer", &[p, p], &[])),
    );
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("smtp-password"), SMTP_PASSWORD).unwrap();
    let project = Project::new(&format!(
        "[daemon]\nper_host_delay = \"0s\"\n[[channel]]\nname = \"mail\"\ntype = \"email\"\nsmtp_url = \"smtp://127.0.0.1:{}\"\ntls = \"none\"\nusername = \"alerts\"\npassword_file = \"{}\"\nfrom = \"alerts@example.org\"\nto = [\"staff@example.org\"]\n[[watch]]\nname = \"a\"\nurl = \"{}\"\n",
        smtp.port,
        dir.path().join("smtp-password").display(),
        server.url("/a")
    ));
    let cfg = project.config_arg();
    let env = [("RUST_LOG", "trace")];
    let mut outputs = vec![run(&["test-alert", "--config", &cfg], &env).await];
    outputs.push(run(&["check", "--config", &cfg], &env).await);
    server.set(
        "/a",
        Route::html(news_page("Headline two", "A. Writer", &[p, p], &[])),
    );
    outputs.push(run(&["check", "--config", &cfg, "-vv"], &env).await);
    let all: String = outputs
        .iter()
        .map(|o| {
            format!(
                "{}{}",
                String::from_utf8_lossy(&o.stdout),
                String::from_utf8_lossy(&o.stderr)
            )
        })
        .collect();
    assert!(outputs.iter().all(|o| o.status.success()), "{all}");
    assert_eq!(
        smtp.logins(),
        vec![true, true],
        "both sends logged in with the password:\n{all}"
    );
    assert_eq!(smtp.messages(), 2, "{all}");
    assert!(all.contains("TRACE"), "trace logging was on:\n{all}");
    let engine = base64::engine::general_purpose::STANDARD;
    let plain = engine.encode(format!("\0alerts\0{SMTP_PASSWORD}"));
    let login = engine.encode(SMTP_PASSWORD);
    for secret in [SMTP_PASSWORD, plain.as_str(), login.as_str(), "AUTH PLAIN"] {
        assert!(!all.contains(secret), "{secret:?} was logged:\n{all}");
    }
}

/// An SMTP server on 127.0.0.1 that requires AUTH PLAIN over plain TCP (a
/// local relay, `tls = "none"`), as mailin implements it; counts logins and
/// messages.
struct AuthSmtp {
    port: u16,
    received: Arc<Mutex<SmtpReceived>>,
}

#[derive(Default)]
struct SmtpReceived {
    /// Each AUTH attempt: whether user and password were right.
    logins: Vec<bool>,
    messages: usize,
}

#[derive(Clone)]
struct AuthSmtpHandler {
    user: &'static str,
    password: &'static str,
    received: Arc<Mutex<SmtpReceived>>,
}

impl mailin::Handler for AuthSmtpHandler {
    fn auth_plain(&mut self, _: &str, user: &str, password: &str) -> mailin::Response {
        let ok = user == self.user && password == self.password;
        self.received.lock().unwrap().logins.push(ok);
        if ok {
            mailin::response::AUTH_OK
        } else {
            mailin::response::INVALID_CREDENTIALS
        }
    }
    fn data_end(&mut self) -> mailin::Response {
        self.received.lock().unwrap().messages += 1;
        mailin::response::OK
    }
}

impl AuthSmtp {
    fn start(user: &'static str, password: &'static str) -> AuthSmtp {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let received = Arc::new(Mutex::new(SmtpReceived::default()));
        let handler = AuthSmtpHandler {
            user,
            password,
            received: received.clone(),
        };
        let mut sessions = mailin::SessionBuilder::new("smtp.test");
        sessions
            .enable_auth(mailin::AuthMechanism::Plain)
            .insecure_enable_plaintext_auth();
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let session = sessions.build(stream.peer_addr().unwrap().ip(), handler.clone());
                std::thread::spawn(move || AuthSmtp::serve(session, stream));
            }
        });
        AuthSmtp { port, received }
    }

    /// One SMTP session: a line in, mailin's answer out, until QUIT.
    fn serve(
        mut session: mailin::Session<AuthSmtpHandler>,
        stream: std::net::TcpStream,
    ) -> std::io::Result<()> {
        let mut reader = BufReader::new(stream.try_clone()?);
        let mut writer = stream;
        session.greeting().write_to(&mut writer)?;
        let mut line = Vec::new();
        loop {
            line.clear();
            if reader.read_until(b'\n', &mut line)? == 0 {
                return Ok(());
            }
            let response = session.process(&line);
            match response.action {
                mailin::Action::NoReply => {}
                mailin::Action::Close => return response.write_to(&mut writer),
                _ => response.write_to(&mut writer)?,
            }
        }
    }

    fn logins(&self) -> Vec<bool> {
        self.received.lock().unwrap().logins.clone()
    }

    fn messages(&self) -> usize {
        self.received.lock().unwrap().messages
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn state_and_baselines_are_private() {
    let server = Server::start().await;
    let p = "A paragraph of article text that is long enough to count as text.";
    server.set(
        "/a",
        Route::html(news_page("Headline", "A. Writer", &[p, p], &[])),
    );
    let project = Project::new(&format!(
        "[[watch]]\nname = \"a\"\nurl = \"{}\"\n",
        server.url("/a")
    ));
    let out = run(&["check", "--config", &project.config_arg()], &[]).await;
    assert!(out.status.success());
    let mode = |rel: &str| {
        std::fs::metadata(project.path(rel))
            .unwrap()
            .permissions()
            .mode()
            & 0o777
    };
    assert_eq!(mode("state"), 0o700);
    assert_eq!(mode("baseline"), 0o700);
    assert_eq!(mode("state/presswatch.db"), 0o600);
    assert_eq!(mode("baseline/a.txt"), 0o600);
}

/// Makes a directory immutable (read-only even for root) until dropped.
struct Immutable(std::path::PathBuf);

impl Immutable {
    fn set(dir: std::path::PathBuf) -> Option<Immutable> {
        let ok = std::process::Command::new("chattr")
            .arg("+i")
            .arg(&dir)
            .status()
            .is_ok_and(|s| s.success());
        ok.then_some(Immutable(dir))
    }
}

impl Drop for Immutable {
    fn drop(&mut self) {
        let _ = std::process::Command::new("chattr")
            .arg("-i")
            .arg(&self.0)
            .status();
    }
}

/// A watched article with a webhook channel, checked once (its baseline
/// stored), whose page then gained a paragraph; returns the server, the
/// project and the added paragraph.
async fn an_article_that_changed() -> (Server, Project, &'static str) {
    let server = Server::start().await;
    let p = "A paragraph of article text that is long enough to count as text.";
    let q = "A second paragraph, added later, that the alert must not lose.";
    server.set(
        "/a",
        Route::html(news_page("Headline", "A. Writer", &[p, p], &[])),
    );
    let project = Project::new(&format!(
        "[daemon]\nper_host_delay = \"0s\"\n[[channel]]\nname = \"hook\"\ntype = \"webhook\"\nurl = \"{}\"\n[[watch]]\nname = \"a\"\nurl = \"{}\"\n",
        server.url("/hook"),
        server.url("/a")
    ));
    assert!(run(&["check", "--config", &project.config_arg()], &[])
        .await
        .status
        .success());
    server.set(
        "/a",
        Route::html(news_page("Headline", "A. Writer", &[p, p, q], &[])),
    );
    (server, project, q)
}

/// What a run printed, stdout then stderr.
fn output_text(out: &std::process::Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

#[tokio::test(flavor = "multi_thread")]
async fn a_read_only_state_or_baseline_directory_is_a_clear_error_and_loses_nothing() {
    let (server, project, q) = an_article_that_changed().await;
    let cfg = project.config_arg();

    // State directory read-only: nothing can be recorded, so nothing advances.
    let Some(guard) = Immutable::set(project.path("state")) else {
        eprintln!("chattr is not available here: read-only directory test not run");
        return;
    };
    let out = run(&["check", "--config", &cfg], &[]).await;
    drop(guard);
    let text = output_text(&out);
    assert!(!out.status.success(), "{text}");
    // Refused before any fetch, as `validate` would say it.
    assert!(
        text.contains("daemon.state_dir: ")
            && text.contains(&project.path("state").display().to_string())
            && text.contains("cannot be written, not even by root"),
        "the error names the state directory and what forbids writing it:\n{text}"
    );
    assert!(
        !project.read_baseline("a").contains(q),
        "the baseline must not advance past an unrecorded alert"
    );

    // Baseline directory read-only: `check` refuses before fetching, as
    // `validate` would say it.
    let guard = Immutable::set(project.path("baseline")).unwrap();
    let out = run(&["check", "--config", &cfg], &[]).await;
    let text = output_text(&out);
    assert_eq!(out.status.code(), Some(2), "{text}");
    assert!(
        text.contains("daemon.baseline_dir: ")
            && text.contains("cannot be written, not even by root"),
        "{text}"
    );
    assert!(server.requests_to("/hook").is_empty(), "{text}");
    // A check that meets it all the same (the daemon's, when the directory
    // went read-only after it started): the alert is recorded, the error
    // reported, and the next run delivers it and sends no second alert.
    let report = crate::support::check_first(&project).await;
    drop(guard);
    assert!(
        report
            .detail
            .contains("storing the check failed: cannot write baseline")
            && report.detail.contains("a.txt"),
        "the watch's row says what was found and why it was not stored:\n{}",
        report.detail
    );
    let state = presswatch::store::State::open(&project.path("state")).unwrap();
    assert_eq!(
        state.pending_count(None).unwrap(),
        1,
        "the alert is recorded"
    );
    drop(state);
    assert!(run(&["check", "--config", &cfg], &[])
        .await
        .status
        .success());
    assert!(project.read_baseline("a").contains(q));
    assert_eq!(
        server.requests_to("/hook").len(),
        1,
        "no second alert for the same change"
    );
}

/// A state directory no user may write, root included (`chattr +i`, as a
/// read-only mount or a copy of evidence handed over is), is read where it
/// is by the commands that only read the state (status, history, diff
/// --watch, verify, export, report, outbox list, check --dry-run): each says
/// what it said of the same state writable, and every file there stays as
/// it was, byte for byte, with no -wal or -shm made beside the database
/// (SQLite opens it `immutable`). They refused it, saying to `cp -a` it
/// somewhere writable. The commands that change the state refuse, saying
/// what forbids it: `check` as `validate` says it, `outbox retry` naming the
/// commands that read it where it is.
#[tokio::test(flavor = "multi_thread")]
async fn the_commands_that_read_the_state_read_a_state_directory_no_user_may_write_where_it_is() {
    let (_server, project, _) = an_article_that_changed().await;
    let cfg = project.config_arg();
    // A second check keeps a second version and an alert, which the
    // webhook (no route: 404) leaves undelivered, in the outbox.
    run(&["check", "--config", &cfg], &[]).await;
    let readers = |out: &str| -> Vec<Vec<String>> {
        let warc = project
            .path(&format!("{out}.warc.gz"))
            .display()
            .to_string();
        let viewer = project.path(&format!("{out}-viewer")).display().to_string();
        [
            vec!["status"],
            vec!["history", "a"],
            vec!["history", "a", "--show", "2"],
            vec!["diff", "--watch", "a"],
            vec!["verify"],
            vec!["export", "--warc", &warc],
            vec!["report", "--out", &viewer],
            vec!["outbox", "list", "--all"],
            vec!["check", "--dry-run"],
        ]
        .into_iter()
        .map(|args| {
            let mut args: Vec<String> = args.into_iter().map(String::from).collect();
            args.extend(["--config".to_string(), cfg.clone()]);
            args
        })
        .collect()
    };
    // What each says, its output paths made one, and the times it reads
    // the clock for (a check's age, a dry run's alert detected now) left out.
    let said = |out: &std::process::Output, run: &str| {
        let path = project.path(run).display().to_string();
        let text = output_text(out).replace(&path, "OUT");
        let text = crate::history::ages_unread(&text);
        let text: Vec<&str> = text
            .lines()
            .filter(|l| !l.starts_with("Detected "))
            .collect();
        (out.status.code(), text.join("\n"))
    };
    let mut writable = Vec::new();
    for args in readers("writable") {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        writable.push(said(&run(&args, &[]).await, "writable"));
    }
    let before = crate::support::snapshot(&project.path("state"));
    let Some(guard) = Immutable::set(project.path("state")) else {
        eprintln!("chattr is not available here: read-only state directory test not run");
        return;
    };
    let mut kept = Vec::new();
    for args in readers("kept") {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        kept.push((args.join(" "), said(&run(&args, &[]).await, "kept")));
    }
    let check = run(&["check", "--config", &cfg], &[]).await;
    let retry = run(&["outbox", "retry", "--config", &cfg], &[]).await;
    let after = crate::support::snapshot(&project.path("state"));
    drop(guard);

    for ((args, kept), writable) in kept.iter().zip(&writable) {
        assert_eq!(kept, writable, "{args}: as it said of the state writable");
        assert!(!kept.1.contains("cannot"), "{args}: {}", kept.1);
    }
    assert_eq!(writable[4].0, Some(0), "verify: {}", writable[4].1);
    assert!(
        writable[4]
            .1
            .contains("verified 2 raw bodies, 2 snapshot records and 2 versions: 0 mismatches"),
        "verify re-hashes every body and version: {}",
        writable[4].1
    );
    assert_eq!(after, before, "no file in the state directory changed");
    assert!(
        after.keys().all(|f| {
            let name = f.to_string_lossy();
            !name.ends_with("-wal") && !name.ends_with("-shm")
        }),
        "no -wal or -shm was made: {:?}",
        after.keys()
    );

    let dir = project.path("state").display().to_string();
    let forbids = format!(
        "{dir} cannot be written, not even by root: operation not permitted, so an attribute \
         forbids it, most likely immutable"
    );
    let text = output_text(&check);
    assert_eq!(check.status.code(), Some(2), "{text}");
    assert!(
        text.contains(&forbids),
        "check says what forbids it: {text}"
    );
    let text = output_text(&retry);
    assert_eq!(retry.status.code(), Some(2), "{text}");
    assert!(
        text.contains(&format!(
            "cannot use the state database {dir}/presswatch.db ({cfg}: the default state_dir): \
             {forbids}"
        )) && text.contains("this command changes the state")
            && text.contains("read it where it is, changing nothing"),
        "outbox retry says what forbids it, and what reads the state there: {text}"
    );
    for out in [&check, &retry] {
        assert!(
            !output_text(out).contains("os error"),
            "{}",
            output_text(out)
        );
    }
}

#[tokio::test]
async fn an_alert_the_outbox_refuses_is_neither_counted_nor_lost() {
    let (server, project, q) = an_article_that_changed().await;
    let cfg = project.config_arg();
    let db = rusqlite::Connection::open(project.path("state/presswatch.db")).unwrap();
    db.execute_batch(
        "CREATE TRIGGER refuse BEFORE INSERT ON outbox BEGIN SELECT RAISE(FAIL, 'database or disk is full'); END;",
    )
    .unwrap();

    let out = run(&["check", "--config", &cfg], &[]).await;
    let rows = String::from_utf8_lossy(&out.stdout);
    assert!(!out.status.success(), "{}", output_text(&out));
    assert!(
        rows.contains("1 paragraph added; storing the check failed: ")
            && rows.contains("database or disk is full")
            && rows.contains("1 error; 0 alerts"),
        "the row says what was found and why it did not stick, and counts no alert:\n{rows}"
    );
    assert!(!project.read_baseline("a").contains(q));
    assert!(server.requests_to("/hook").is_empty());

    // The outbox takes alerts again: the change is found and sent once.
    db.execute_batch("DROP TRIGGER refuse;").unwrap();
    let out = run(&["check", "--config", &cfg], &[]).await;
    assert!(out.status.success(), "{}", output_text(&out));
    assert!(String::from_utf8_lossy(&out.stdout).contains("1 changed"));
    assert_eq!(server.requests_to("/hook").len(), 1);
    assert!(project.read_baseline("a").contains(q));
}

/// Runs presswatch unable to grow any file beyond `max_bytes`, as on a full
/// disk: writes past the limit fail (EFBIG) instead of raising SIGXFSZ.
async fn run_on_a_full_disk(args: &[&str], max_bytes: u64) -> std::process::Output {
    use std::os::unix::process::CommandExt;
    let args: Vec<String> = args.iter().map(|s| s.to_string()).collect();
    tokio::task::spawn_blocking(move || {
        let mut cmd = std::process::Command::new(crate::support::binary());
        cmd.args(&args).env("NO_COLOR", "1");
        // SAFETY: only async-signal-safe calls between fork and exec.
        unsafe {
            cmd.pre_exec(move || {
                libc::signal(libc::SIGXFSZ, libc::SIG_IGN);
                let limit = libc::rlimit {
                    rlim_cur: max_bytes,
                    rlim_max: max_bytes,
                };
                if libc::setrlimit(libc::RLIMIT_FSIZE, &limit) != 0 {
                    return Err(std::io::Error::last_os_error());
                }
                Ok(())
            });
        }
        cmd.output().expect("run presswatch")
    })
    .await
    .unwrap()
}

#[tokio::test]
async fn a_full_disk_is_a_clear_error_and_loses_nothing() {
    let (server, project, q) = an_article_that_changed().await;
    let cfg = project.config_arg();

    // No file can grow: the change cannot be recorded, so nothing advances.
    let out = run_on_a_full_disk(&["check", "--config", &cfg], 1024).await;
    let text = output_text(&out);
    assert!(!out.status.success(), "{text}");
    assert!(
        text.contains("state database")
            && text.contains(&project.path("state").display().to_string())
            && text.contains("space left"),
        "the error names the database and what to check:\n{text}"
    );
    assert!(
        !project.read_baseline("a").contains(q),
        "the baseline must not advance past an unrecorded alert"
    );
    assert!(server.requests_to("/hook").is_empty());

    // Space again: the change is detected and delivered once.
    assert!(run(&["check", "--config", &cfg], &[])
        .await
        .status
        .success());
    assert!(project.read_baseline("a").contains(q));
    assert_eq!(server.requests_to("/hook").len(), 1);
    assert!(run(&["check", "--config", &cfg], &[])
        .await
        .status
        .success());
    assert_eq!(
        server.requests_to("/hook").len(),
        1,
        "no second alert for the same change"
    );
}
