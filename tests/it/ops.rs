//! What ops meet: commands on the recommended systemd set-up, `validate`,
//! one daemon per state directory, outbox commands and their hints.

use std::path::Path;

use crate::support::{article, queuing, run, store_check, Project, Route, Server};

fn text(o: &std::process::Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// The config docs/OPERATIONS.md recommends under systemd: absolute paths
/// into the state directory, secrets as systemd credentials.
fn systemd_style_config(state: &Path, server: &Server) -> String {
    format!(
        r#"[daemon]
state_dir = "{state}/state"
baseline_dir = "{state}/baseline"
per_host_delay = "0s"

[[channel]]
name = "press-office"
type = "email"
smtp_url = "smtp://127.0.0.1:9"
tls = "none"
username = "alerts@example.org"
password_file = "$CREDENTIALS_DIRECTORY/smtp-password"
from = "presswatch <alerts@example.org>"
to = ["press@example.org"]
digest = "daily 08:00"

[[channel]]
name = "newsroom"
type = "webhook"
url = "{hook}"
secret_file = "$CREDENTIALS_DIRECTORY/webhook-secret"

[[watch]]
name = "story"
url = "{page}"
"#,
        state = state.display(),
        hook = server.url("/hook"),
        page = server.url("/story"),
    )
}

/// `validate` lists every problem in one run: a config with a mistake of
/// its own names it, and beside it the secrets it could not check here
/// (they were listed only once the mistake was fixed: a second round for
/// ops, who may be fixing a config on a machine they reach rarely), all in
/// the config's line order (the secrets not checked were listed last, below
/// the mistake of a later line).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn validate_lists_the_secrets_it_could_not_check_beside_the_config_s_problems() {
    let server = Server::start().await;
    let var_lib = tempfile::tempdir().unwrap();
    let config = systemd_style_config(var_lib.path(), &server).replace(
        "[[watch]]\nname = \"story\"\n",
        "[[watch]]\nname = \"story\"\nintervall = \"10m\"\n",
    );
    let project = Project::new(&config);
    let cfg = project.config_arg();
    let validate = run(&["validate", "--config", &cfg], &[]).await;
    let out = text(&validate);
    assert_eq!(validate.status.code(), Some(1), "{out}");
    for line in [
        "watch \"story\".intervall: unknown key `intervall`: did you mean `interval`?",
        "channel \"press-office\".password_file: not checked here: $CREDENTIALS_DIRECTORY is not set",
        "channel \"newsroom\".secret_file: not checked here: $CREDENTIALS_DIRECTORY is not set",
        "1 problem found",
    ] {
        assert!(out.contains(line), "{line}\n{out}");
    }
    let lines: Vec<usize> = out
        .lines()
        .filter_map(|l| {
            l.strip_prefix(&format!("{cfg}:"))?
                .split(':')
                .next()?
                .parse()
                .ok()
        })
        .collect();
    assert_eq!(lines.len(), 3, "{out}");
    assert!(lines.is_sorted(), "{lines:?}\n{out}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn read_only_commands_work_outside_the_unit_and_validate_says_which_secrets_it_could_not_check(
) {
    let server = Server::start().await;
    server.set(
        "/story",
        Route::html(article("Director flees", "On Monday")),
    );
    let var_lib = tempfile::tempdir().unwrap();
    let credentials = tempfile::tempdir().unwrap();
    std::fs::write(credentials.path().join("smtp-password"), "pa55word\n").unwrap();
    std::fs::write(
        credentials.path().join("webhook-secret"),
        "whsec_c2VjcmV0LWtleQ==",
    )
    .unwrap();
    let project = Project::new(&systemd_style_config(var_lib.path(), &server));
    let cfg = project.config_arg();
    let in_unit = [(
        "CREDENTIALS_DIRECTORY",
        credentials.path().to_str().unwrap(),
    )];
    // Inside the unit (credentials present): a first check, then a change.
    assert!(run(&["check", "--config", &cfg], &in_unit)
        .await
        .status
        .success());
    server.set(
        "/story",
        Route::html(article("Director escapes", "On Tuesday")),
    );
    let changed = run(&["check", "--config", &cfg], &in_unit).await;
    assert!(changed.status.success(), "{}", text(&changed));
    let signed = server.requests_to("/hook");
    assert_eq!(signed.len(), 1, "the webhook got the alert");
    assert!(signed[0].headers.contains_key("webhook-signature"));

    // Outside the unit: no $CREDENTIALS_DIRECTORY, and every read-only command works.
    for args in [
        vec!["status", "--config", &cfg],
        vec!["history", "--config", &cfg, "story"],
        vec!["outbox", "list", "--config", &cfg],
    ] {
        let out = run(&args, &[]).await;
        assert!(out.status.success(), "{args:?}:\n{}", text(&out));
    }
    let diff = run(&["diff", "--config", &cfg, "--watch", "story"], &[]).await;
    assert_eq!(diff.status.code(), Some(1), "changed:\n{}", text(&diff));
    assert!(text(&diff).contains("Tuesday"), "{}", text(&diff));

    let validate = run(&["validate", "--config", &cfg], &[]).await;
    let out = text(&validate);
    assert!(validate.status.success(), "{out}");
    for key in [
        "channel \"press-office\".password_file: not checked here: $CREDENTIALS_DIRECTORY is not set: systemd sets it only inside the unit",
        "channel \"newsroom\".secret_file: not checked here: $CREDENTIALS_DIRECTORY is not set",
    ] {
        assert!(out.contains(key), "{key}\n{out}");
    }
    assert!(
        out.contains("the daemon reads the secret when it starts"),
        "{out}"
    );
    assert!(
        out.contains(": OK (1 watch, 2 channels); 2 secrets not checked here"),
        "{out}"
    );

    // Inside the unit, validate reads them.
    let validate = run(&["validate", "--config", &cfg], &in_unit).await;
    assert!(validate.status.success());
    assert!(
        text(&validate).ends_with(": OK (1 watch, 2 channels)\n"),
        "{}",
        text(&validate)
    );

    // The daemon does need them, and says so before doing anything.
    let daemon = run(&["run", "--config", &cfg], &[]).await;
    assert_eq!(daemon.status.code(), Some(2));
    let out = text(&daemon);
    assert!(out.contains("cannot read the secrets"), "{out}");
    assert!(
        out.contains(
            ":12: channel \"press-office\".password_file: $CREDENTIALS_DIRECTORY is not set"
        ),
        "{out}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn validate_finds_what_would_break_at_run_time() {
    let project = Project::new(
        "[daemon]\ninterval = 30\nstate_dir = \"not-a-dir/state\"\n\n[[watch]]\nname = \"a\"\nurl = \"https://example.org/a\"\nintervall = \"5m\"\n",
    );
    std::fs::write(project.path("not-a-dir"), "").unwrap();
    let cfg = project.config_arg();
    let out = run(&["validate", "--config", &cfg], &[]).await;
    assert_eq!(out.status.code(), Some(1));
    let lines: Vec<String> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| l.replace(&cfg, "config.toml"))
        .collect();
    // Every problem in one run: the config text's, and the directory that
    // cannot be created (shown only once the text was fixed, before).
    let dir = project.path("").display().to_string();
    let lines: Vec<String> = lines.iter().map(|l| l.replace(&dir, "")).collect();
    assert_eq!(
        lines,
        [
            "config.toml:2: daemon.interval: a duration needs a unit and quotes: write e.g. `interval = \"30m\"` for 30 minutes (units: s, m, h, d)",
            "config.toml:3: daemon.state_dir: not-a-dir/state cannot be created: not-a-dir is not a directory: set state_dir to a directory this user may write to, or run presswatch as a user who may",
            "config.toml:8: watch \"a\".intervall: unknown key `intervall`: did you mean `interval`?",
            "3 problems found",
        ]
    );
    // With the config text fixed, the directory that cannot be created
    // remains.
    std::fs::write(
        project.config(),
        "[daemon]\ninterval = \"30m\"\nstate_dir = \"not-a-dir/state\"\n\n[[watch]]\nname = \"a\"\nurl = \"https://example.org/a\"\n",
    )
    .unwrap();
    let out = run(&["validate", "--config", &cfg], &[]).await;
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains(":3: daemon.state_dir: ")
            && stdout.contains("not-a-dir is not a directory: set state_dir to a directory this user may write to, or run presswatch as a user who may"),
        "{stdout}"
    );
    assert!(stdout.ends_with("1 problem found\n"), "{stdout}");
    // A directory on a filesystem the kernel makes up, which root may
    // "write", holds no baselines.
    if Path::new("/proc/self/status").exists() {
        std::fs::write(
            project.config(),
            "[daemon]\nbaseline_dir = \"/proc/presswatch\"\n\n[[watch]]\nname = \"a\"\nurl = \"https://example.org/a\"\n",
        )
        .unwrap();
        let out = run(&["validate", "--config", &cfg], &[]).await;
        assert_eq!(out.status.code(), Some(1));
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(
            stdout.contains(
                ":2: daemon.baseline_dir: /proc/presswatch is on a proc filesystem (/proc)"
            ),
            "{stdout}"
        );
        assert!(stdout.ends_with("1 problem found\n"), "{stdout}");
    }
    // Fixed: one watch, no channel, said in the singular where it is one.
    std::fs::write(
        project.config(),
        "[[watch]]\nname = \"a\"\nurl = \"https://example.org/a\"\n",
    )
    .unwrap();
    let out = run(&["validate", "--config", &cfg], &[]).await;
    assert!(out.status.success());
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        format!("{cfg}: OK (1 watch, 0 channels)\n")
    );
}

/// `check` says what `validate` says of a directory that cannot hold
/// state or baselines (a file, a pseudo filesystem) before it fetches a
/// page: the config line, what is wrong, what to write, not "reading
/// baseline ./afile/a.txt: Not a directory" after the fetch, nor the
/// system's bare error.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn check_refuses_directories_validate_refuses_before_fetching() {
    let server = Server::start().await;
    server.set("/a", Route::html(article("A story", "It happened today.")));
    let mut cases = vec![(
        "baseline_dir = \"afile\"",
        "daemon.baseline_dir: ",
        "afile exists but is not a directory",
    )];
    if Path::new("/proc/self/status").exists() {
        cases.push((
            "state_dir = \"/proc/pw\"",
            "daemon.state_dir: ",
            "/proc/pw is on a proc filesystem (/proc)",
        ));
    }
    for (setting, key, said) in cases {
        let project = Project::new(&format!(
            "[daemon]\nper_host_delay = \"0s\"\n{setting}\n\n[[watch]]\nname = \"a\"\nurl = \"{}\"\nrobots = false\n",
            server.url("/a")
        ));
        std::fs::write(project.path("afile"), "").unwrap();
        let cfg = project.config_arg();
        let validate = text(&run(&["validate", "--config", &cfg], &[]).await);
        assert!(
            validate.contains(&format!(":3: {key}")) && validate.contains(said),
            "{validate}"
        );
        for dry_run in [false, true] {
            let mut args = vec!["check", "--config", &cfg];
            if dry_run {
                args.push("--dry-run");
            }
            let check = run(&args, &[]).await;
            assert_eq!(check.status.code(), Some(2), "{}", text(&check));
            let stderr = String::from_utf8_lossy(&check.stderr);
            assert!(
                stderr.starts_with(&format!("error: {cfg}:3: {key}"))
                    && stderr.contains(said)
                    && stderr.contains(&format!(
                        "(`presswatch validate --config {cfg}` checks every directory)"
                    )),
                "{stderr}"
            );
        }
        assert!(server.requests_to("/a").is_empty(), "nothing was fetched");
    }
}

/// An empty config file (the wrong `--config`, a file not yet written) or
/// one whose watches are all commented out has nothing to check: `validate`
/// says so as a problem, and `check` refuses to run on it (exit 2), rather
/// than "OK (0 watches, 0 channels)" or an empty total and exit 0.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_config_without_a_watch_is_told_there_is_nothing_to_check() {
    for (config, what) in [
        ("", "the file is empty (is --config the right file?)"),
        (
            "[daemon]\ninterval = \"30m\"\n\n# [[watch]]\n# name = \"a\"\n",
            "no [[watch]]",
        ),
    ] {
        let project = Project::new(config);
        let cfg = project.config_arg();
        let said = format!(
            "{cfg}: {what}: there is nothing to check; add a [[watch]] for each page, with a name and a url"
        );
        let validate = run(&["validate", "--config", &cfg], &[]).await;
        assert_eq!(validate.status.code(), Some(1), "{}", text(&validate));
        let stdout = String::from_utf8_lossy(&validate.stdout);
        assert!(stdout.starts_with(&said), "{stdout}");
        assert!(stdout.ends_with("\n1 problem found\n"), "{stdout}");
        // `check` refuses it as `validate` does: exit 2, as for any config
        // it cannot run.
        for dry_run in [true, false] {
            let mut args = vec!["check", "--config", &cfg];
            if dry_run {
                args.push("--dry-run");
            }
            let check = run(&args, &[]).await;
            assert_eq!(check.status.code(), Some(2), "{}", text(&check));
            assert!(
                String::from_utf8_lossy(&check.stderr).starts_with(&format!("error: {said}")),
                "{}",
                text(&check)
            );
            assert!(check.stdout.is_empty(), "{}", text(&check));
        }
    }
}

/// `test-alert` right after setting up: with no channel it says what to add
/// (not only "defines no channel"); with a channel name mistyped, which
/// channels there are.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn test_alert_without_the_channel_says_what_to_add_or_which_there_are() {
    let watch = "[[watch]]\nname = \"a\"\nurl = \"https://example.org/a\"\n";
    let project = Project::new(watch);
    let cfg = project.config_arg();
    let out = run(&["test-alert", "--config", &cfg], &[]).await;
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        format!(
            "error: {cfg} defines no channel, so there is nothing to test: alerts go to stdout and the log. \
             Add a [[channel]] (type = \"email\" or \"webhook\"; see README.md, Configuration, and docs/ALERTS.md), \
             then run `presswatch test-alert --config {cfg}` again\n"
        )
    );
    let project = Project::new(&format!(
        "[[channel]]\nname = \"press-office\"\ntype = \"webhook\"\nurl = \"http://127.0.0.1:9/hook\"\n\n\
         [[channel]]\nname = \"newsroom\"\ntype = \"webhook\"\nurl = \"http://127.0.0.1:9/other\"\n\n{watch}"
    ));
    let cfg = project.config_arg();
    let out = run(&["test-alert", "--config", &cfg, "--channel", "press"], &[]).await;
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        format!(
            "error: no channel named \"press\" in {cfg}; its channels: press-office, newsroom\n"
        )
    );
}

/// `diff OLD NEW` on two saved pages names the outlet as an alert does: by
/// the name the page gives itself (`og:site_name`), else by its site's
/// host; and the file it read the new version from.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_diff_of_two_saved_pages_names_the_site_as_alerts_do() {
    let dir = tempfile::tempdir().unwrap();
    let page = |words: &str| {
        article("Filmmaker flees Iran", words).replace(
            "<meta charset=\"utf-8\">",
            "<meta charset=\"utf-8\"><link rel=\"canonical\" href=\"https://www.news.example.org/2024/05/flees\">",
        )
    };
    let (old, new) = (dir.path().join("old.html"), dir.path().join("new.html"));
    std::fs::write(&old, page("He left a few days ago.")).unwrap();
    std::fs::write(&new, page("He left two weeks ago.")).unwrap();
    let out = std::process::Command::new(crate::support::binary())
        .arg("diff")
        .arg(&old)
        .arg(&new)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.starts_with("Edited · news.example.org\nFilmmaker flees Iran\n"),
        "{stdout}"
    );
    assert!(stdout.contains(&new.display().to_string()), "{stdout}");
    let named = |p: &Path| {
        std::fs::read_to_string(p).unwrap().replace(
            "<meta charset=\"utf-8\">",
            "<meta charset=\"utf-8\"><meta property=\"og:site_name\" content=\"The News\">",
        )
    };
    std::fs::write(&new, named(&new)).unwrap();
    let out = run(&["diff", old.to_str().unwrap(), new.to_str().unwrap()], &[]).await;
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.starts_with("Edited · The News\nFilmmaker flees Iran\n"),
        "{stdout}"
    );
}

/// `diff --json` answers in one shape, changed or not: the keys the README
/// lists are there with empty values when nothing changed, so a script
/// needs no second case.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_json_diff_has_the_same_keys_whether_or_not_anything_changed() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (dir.path().join("a.txt"), dir.path().join("b.txt"));
    std::fs::write(&a, "Title: A story\n\nIt happened on Monday.\n").unwrap();
    std::fs::write(&b, "Title: A story\n\nIt happened on Tuesday.\n").unwrap();
    let keys = |out: std::process::Output| {
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let mut keys: Vec<String> = v.as_object().unwrap().keys().cloned().collect();
        keys.sort();
        (out.status.code(), keys, v)
    };
    let (a, b) = (a.to_str().unwrap(), b.to_str().unwrap());
    let (code, changed, _) = keys(run(&["diff", "--json", a, b], &[]).await);
    assert_eq!(code, Some(1));
    let (code, same, v) = keys(run(&["diff", "--json", a, a], &[]).await);
    assert_eq!(code, Some(0));
    assert_eq!(same, changed);
    for key in [
        "kinds",
        "summary",
        "headline",
        "byline",
        "stats",
        "blocks",
        "other_prose",
    ] {
        assert!(same.iter().any(|k| k == key), "{key}: {v}");
    }
    assert_eq!(v["stats"]["words_added"], 0, "{v}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn output_cut_short_by_a_closed_pipe_ends_quietly() {
    use std::io::{BufRead, BufReader};
    // Two long versions: the JSON diff is far larger than a pipe's buffer.
    let dir = tempfile::tempdir().unwrap();
    let version = |word: &str| -> String {
        (0..3000)
            .map(|i| format!("Paragraph {i} of the report says {word} about the trial.\n\n"))
            .collect()
    };
    std::fs::write(dir.path().join("old.txt"), version("little")).unwrap();
    std::fs::write(dir.path().join("new.txt"), version("much more")).unwrap();
    let mut child = std::process::Command::new(crate::support::binary())
        .args(["diff", "--json"])
        .arg(dir.path().join("old.txt"))
        .arg(dir.path().join("new.txt"))
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // Like `| head -n 1`: read one line, then close the pipe.
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    assert_eq!(first.trim(), "{");
    let out = tokio::task::spawn_blocking(move || child.wait_with_output().unwrap())
        .await
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.is_empty(), "nothing on stderr, no panic:\n{stderr}");
    use std::os::unix::process::ExitStatusExt;
    assert_eq!(
        out.status.signal(),
        Some(libc::SIGPIPE),
        "ends as `cat` does"
    );
}

/// A server that answers whatever arrives with plain HTTP at once and hangs
/// up: spoken to over https://, the TLS handshake fails mid-write.
async fn plain_http_server() -> std::net::SocketAddr {
    use tokio::io::AsyncWriteExt;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((mut sock, _)) = listener.accept().await {
            let _ = sock
                .write_all(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")
                .await;
        }
    });
    addr
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_that_hangs_up_mid_handshake_is_an_error_in_words_not_a_silent_death() {
    let plain = plain_http_server().await;
    let project = Project::new(&format!(
        "[daemon]\nstate_dir = \"state\"\n\n[[watch]]\nname = \"wire\"\nurl = \"https://{plain}/story\"\n\n\
         [[channel]]\nname = \"hook\"\ntype = \"webhook\"\nurl = \"https://{plain}/hook\"\n"
    ));
    let config = project.config_arg();
    for (args, line) in [
        (vec!["check", "--config", &config], "wire  error"),
        (
            vec!["test-alert", "--config", &config],
            "hook  FAILED  POST to 127.0.0.1",
        ),
    ] {
        let out = run(&args, &[]).await;
        let said = text(&out);
        assert_eq!(
            out.status.code(),
            Some(1),
            "{args:?} ends with an error, not killed by SIGPIPE: {out:?}"
        );
        assert!(said.contains(line), "{args:?}: {said}");
    }
    // A test alert is not queued, whatever the failure's words say of
    // alerts in the outbox.
    let out = run(&["test-alert", "--config", &config], &[]).await;
    assert!(
        String::from_utf8_lossy(&out.stderr)
            .contains("The test alert was sent once and is not queued"),
        "{}",
        text(&out)
    );
}

/// `presswatch check config.toml`, the config file without `--config`: clap
/// said only "unexpected argument 'config.toml' found" and the usage; each
/// command says what to write instead.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_config_file_given_without_config_is_told_to_write_it_after_config() {
    let project = Project::new("[[watch]]\nname = \"a\"\nurl = \"https://example.org/a\"\n");
    let cfg = project.config_arg();
    let plain = project.path("presswatch.conf");
    std::fs::copy(project.config(), &plain).unwrap();
    let plain = plain.display().to_string();
    for (args, write) in [
        (
            vec!["check", &cfg],
            format!("presswatch check --config {cfg}"),
        ),
        (
            vec!["validate", &cfg],
            format!("presswatch validate --config {cfg}"),
        ),
        (
            vec!["status", &cfg],
            format!("presswatch status --config {cfg}"),
        ),
        (
            vec!["test-alert", &cfg],
            format!("presswatch test-alert --config {cfg}"),
        ),
        (
            vec!["outbox", "list", &cfg],
            format!("presswatch outbox list --config {cfg}"),
        ),
        (
            vec!["history", &cfg, "a"],
            format!("presswatch history --config {cfg} a"),
        ),
        (
            vec!["check", "--watch", "a", &plain],
            format!("presswatch check --watch a --config {plain}"),
        ),
    ] {
        let out = run(&args, &[]).await;
        let file = if args.contains(&cfg.as_str()) {
            &cfg
        } else {
            &plain
        };
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", text(&out));
        assert_eq!(
            String::from_utf8_lossy(&out.stderr),
            format!("error: {file} is given without --config: the config file follows --config; write `{write}`\n"),
            "{args:?}"
        );
    }
}

/// A bare `outbox drop` shows the three ways to say what to drop, not only
/// `<ID>`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn outbox_drop_without_what_to_drop_names_id_channel_and_all() {
    let project = Project::new("[[watch]]\nname = \"a\"\nurl = \"https://example.org/a\"\n");
    let out = run(&["outbox", "drop", "--config", &project.config_arg()], &[]).await;
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.starts_with(
            "error: the following required arguments were not provided:\n  <ID|--all|--channel <NAME>>\n"
        ) && stderr.contains("Usage: presswatch outbox drop --config <FILE> <ID|--all|--channel <NAME>>"),
        "{stderr}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn outbox_commands_on_an_unknown_id_fail_and_say_how_to_list() {
    let server = Server::start().await;
    server.set(
        "/a",
        Route::html(article("A story", "It happened today, as reported.")),
    );
    let project = Project::new(&format!(
        "[daemon]\nper_host_delay = \"0s\"\n\n[[watch]]\nname = \"a\"\nurl = \"{}\"\nrobots = false\n",
        server.url("/a")
    ));
    crate::support::check_first(&project).await;
    let cfg = project.config_arg();
    for action in ["drop", "retry"] {
        let out = run(&["outbox", action, "no-such-id", "--config", &cfg], &[]).await;
        assert_eq!(out.status.code(), Some(2), "{action}: {}", text(&out));
        let msg = String::from_utf8_lossy(&out.stderr);
        assert!(
            msg.contains(&format!(
                "no undelivered alert has the id \"no-such-id\": `presswatch outbox list --config {cfg}` lists them"
            )),
            "{msg}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_command_names_a_watch_the_config_does_not_have() {
    let project = Project::new("[[watch]]\nname = \"a\"\nurl = \"https://example.org/a\"\n");
    let cfg = project.config_arg();
    let to = project.path("recordings");
    let out_warc = project.path("out.warc.gz");
    let commands: [Vec<&str>; 5] = [
        vec!["check", "--config", &cfg, "--watch", "nosuch", "--dry-run"],
        vec!["diff", "--config", &cfg, "--watch", "nosuch"],
        vec!["history", "--config", &cfg, "nosuch"],
        vec![
            "export",
            "--config",
            &cfg,
            "--watch",
            "nosuch",
            "--warc",
            out_warc.to_str().unwrap(),
        ],
        vec![
            "record",
            "--config",
            &cfg,
            "--watch",
            "nosuch",
            "--to",
            to.to_str().unwrap(),
        ],
    ];
    for args in commands {
        let out = run(&args, &[]).await;
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", text(&out));
        let msg = String::from_utf8_lossy(&out.stderr);
        assert!(
            msg.contains(&format!(
                "no watch named \"nosuch\" in {cfg}; its watches: a"
            )),
            "{args:?}: {msg}"
        );
    }
    assert!(
        !to.exists(),
        "record made no directory for nothing to record"
    );
}

/// `history` without a watch's name, and `diff --config` without
/// `--watch` (and without two files), say what to add and list the
/// config's watches, as a mistyped name does: clap only said that an
/// argument was missing, and diff's usage line showed a form it refuses.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn history_or_diff_that_names_no_watch_lists_the_watches_to_name() {
    let project = Project::new(
        "[[watch]]\nname = \"a\"\nurl = \"https://example.org/a\"\n\n\
         [[watch]]\nname = \"b\"\nurl = \"https://example.org/b\"\n",
    );
    let cfg = project.config_arg();
    for (args, said) in [
        (
            vec!["history", "--config", &cfg],
            format!(
                "error: history needs the name of a watch: `presswatch history NAME --config {cfg}`; \
                 its watches: a, b\n"
            ),
        ),
        (
            vec!["diff", "--config", &cfg],
            format!(
                "error: --config {cfg} compares a watch's stored versions: name the watch with \
                 --watch NAME (its watches: a, b)\n"
            ),
        ),
    ] {
        let out = run(&args, &[]).await;
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", text(&out));
        assert_eq!(String::from_utf8_lossy(&out.stderr), said, "{args:?}");
    }
}

/// `check --watch` repeated checks each watch named, once, and no other;
/// a name the config lacks is an error before anything is checked, naming
/// every such name (with the one probably meant) and the config's watches.
/// `--reset-baseline` with several forgets each one's baseline.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn check_takes_several_watches_and_refuses_unknown_ones_before_checking_anything() {
    let server = Server::start().await;
    let names = ["rasoulof", "bbc", "wire"];
    let mut config = String::from("[daemon]\nper_host_delay = \"0s\"\n");
    for n in names {
        server.set(
            &format!("/{n}"),
            Route::html(article("Director flees", "He had no choice but to leave.")),
        );
        config.push_str(&format!(
            "\n[[watch]]\nname = \"{n}\"\nurl = \"{}\"\nrobots = false\n",
            server.url(&format!("/{n}"))
        ));
    }
    let project = Project::new(&config);
    let cfg = project.config_arg();
    let requests = |n: &str| server.requests_to(&format!("/{n}")).len();

    let out = run(
        &[
            "check", "--config", &cfg, "--watch", "rasoulof", "--watch", "rasulof", "--watch",
            "wire", "--watch", "nosuch",
        ],
        &[],
    )
    .await;
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains(&format!(
            "no watches named \"rasulof\" (did you mean \"rasoulof\"?) and \"nosuch\" in {cfg}; its watches: rasoulof, bbc, wire"
        )),
        "{}",
        text(&out)
    );
    assert_eq!(names.map(requests), [0, 0, 0], "nothing was checked");

    let out = run(
        &[
            "check", "--config", &cfg, "--watch", "wire", "--watch", "rasoulof", "--watch", "wire",
        ],
        &[],
    )
    .await;
    let said = text(&out);
    assert_eq!(out.status.code(), Some(0), "{said}");
    assert_eq!(names.map(requests), [1, 0, 1], "{said}");
    let rows: Vec<&str> = said
        .lines()
        .filter(|l| names.iter().any(|n| l.starts_with(n)))
        .collect();
    assert_eq!(rows.len(), 2, "{said}");
    assert!(said.contains("2 baselines"), "{said}");

    // Both pages edited, both started afresh: no alert, each page taken.
    for n in names {
        server.set(
            &format!("/{n}"),
            Route::html(article(
                "Director flees",
                "Security agents forced him to leave.",
            )),
        );
    }
    let out = run(
        &[
            "check",
            "--config",
            &cfg,
            "--watch",
            "rasoulof",
            "--watch",
            "wire",
            "--reset-baseline",
        ],
        &[],
    )
    .await;
    let said = text(&out);
    assert_eq!(out.status.code(), Some(0), "{said}");
    for n in ["rasoulof", "wire"] {
        assert!(said.contains(&format!("{n}: baseline forgotten")), "{said}");
        let kept = std::fs::read_to_string(project.path(&format!("baseline/{n}.txt"))).unwrap();
        assert!(
            kept.contains("Security agents forced him"),
            "{n}: {kept}\n{said}"
        );
    }
    assert!(said.contains("0 alerts"), "{said}");
    assert!(!said.contains("was missing"), "{said}");
    assert_eq!(requests("bbc"), 0, "{said}");
}

/// What `presswatch extract ARGS` says on stderr, once it has exited with
/// `code`.
async fn extract_says(args: &[&str], code: i32) -> String {
    let out = run(&[&["extract"][..], args].concat(), &[]).await;
    assert_eq!(out.status.code(), Some(code), "{}", text(&out));
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn extract_refuses_a_selector_that_does_not_parse_instead_of_ignoring_it() {
    let project = Project::new("");
    let page = project.path("page.html");
    std::fs::write(&page, article("Story", "First version.")).unwrap();
    let out = run(
        &[
            "extract",
            page.to_str().unwrap(),
            "--selector",
            "div..article-body",
        ],
        &[],
    )
    .await;
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(
        out.stdout.is_empty(),
        "no article printed as if the selector applied"
    );
    assert_eq!(
        String::from_utf8_lossy(&out.stderr).trim(),
        "error: --selector \"div..article-body\" is not a valid CSS selector: a `.` must be followed by a class name, e.g. `div.article-body`"
    );
}

/// `extract` shows the headline alerts show: when the title the page
/// declares carries its site's name, the headline as the page shows it
/// follows it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn extract_shows_the_headline_as_the_page_shows_it_beside_a_title_with_the_site_name() {
    let project = Project::new("");
    let page = project.path("page.html");
    std::fs::write(
        &page,
        "<html><head><meta property=\"og:title\" content=\"Director flees the country | Example News\"></head><body>\
         <article><h1>Director flees the country</h1><p>The director left on Monday, people close to him said.</p>\
         <p>He had been sentenced to eight years in prison and flogging.</p></article></body></html>",
    )
    .unwrap();
    let out = run(&["extract", page.to_str().unwrap()], &[]).await;
    assert!(out.status.success(), "{}", text(&out));
    assert!(
        String::from_utf8_lossy(&out.stdout)
            .starts_with("Title: Director flees the country | Example News\nHeadline: Director flees the country\n"),
        "{}",
        text(&out)
    );
    // A title that is the headline says it once.
    std::fs::write(&page, article("Director flees", "On Monday")).unwrap();
    let out = run(&["extract", page.to_str().unwrap()], &[]).await;
    assert!(
        !String::from_utf8_lossy(&out.stdout).contains("Headline:"),
        "{}",
        text(&out)
    );
}

/// `extract` given a URL it does not fetch, or a directory, says what to
/// give instead (before: "No such file or directory", "Is a directory").
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn extract_given_an_ftp_url_or_a_directory_says_what_to_give_instead() {
    let project = Project::new("");
    let dir = project.path("pages");
    std::fs::create_dir_all(&dir).unwrap();
    let dir = dir.to_str().unwrap();
    for (source, said) in [
        (
            "ftp://news.example.org/story.html".to_string(),
            "error: ftp://news.example.org/story.html: only http:// and https:// URLs are fetched; give one of those, or an HTML file (may be .gz)".to_string(),
        ),
        (
            dir.to_string(),
            format!("error: {dir} is a directory: give one HTML file (may be .gz), or extract every page below it with `presswatch extract --corpus {dir}`"),
        ),
    ] {
        assert_eq!(extract_says(&[&source], 2).await.trim(), said);
    }
}

/// `diff` of two files signs its text with no watch (before: "presswatch ·
/// watch diff") and gives no time a change was detected (before: the time
/// the command ran, "detected 2026-…", which read as when the outlet changed
/// the story): the byline stands alone under the file's name. A `--config`
/// given with two files, which it would have ignored, is refused with what
/// it is for.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn diff_of_two_files_names_no_watch_nor_a_detection_time_and_refuses_a_config() {
    let project = Project::new("");
    let (old, new) = (project.path("old.html"), project.path("new.html"));
    std::fs::write(&old, article("Story", "The court rejected the appeal.")).unwrap();
    std::fs::write(&new, article("Story", "The court upheld the appeal.")).unwrap();
    let (old, new) = (old.to_str().unwrap(), new.to_str().unwrap());
    let out = run(&["diff", old, new], &[]).await;
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(said.contains("{+upheld+}"), "{said}");
    assert_eq!(said.lines().last(), Some("presswatch"), "{said}");
    assert!(!said.to_lowercase().contains("detected"), "{said}");
    let lines: Vec<&str> = said.lines().collect();
    let file = lines.iter().position(|l| *l == new).expect(&said);
    assert_eq!(lines[file + 1], "By Staff reporter", "{said}");
    let out = run(&["diff", "--config", "presswatch.toml", old, new], &[]).await;
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert_eq!(
        String::from_utf8_lossy(&out.stderr).trim(),
        "error: --config presswatch.toml compares a watch's stored versions and needs --watch NAME; \
         two files are compared without it (--ignore REGEX for the watch's ignore rules)"
    );
}

/// `diff --ignore` with a pattern that does not parse shows the pattern as
/// typed (before: Rust's escaping doubled its backslashes, `"Updated
/// (\\d+"`) and says what is wrong on one line, as `validate` does.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_diff_ignore_pattern_that_does_not_parse_is_shown_as_typed() {
    let project = Project::new("");
    let page = project.path("page.html");
    std::fs::write(&page, article("Story", "First version.")).unwrap();
    let page = page.to_str().unwrap();
    let out = run(&["diff", page, page, "--ignore", "Updated (\\d+"], &[]).await;
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "error: --ignore 'Updated (\\d+': not a valid regex: unclosed group at character 9 ('('); \
         a literal ( ) [ ] . * + ? \\ is written with a \\ before it, e.g. '\\(AP\\)'\n"
    );
}

/// `check` lines up its result column after the longest watch name as
/// the name reads, in characters: a Persian name (two bytes a letter) is
/// followed by the same two spaces as an English one, not by as many
/// spaces again as it has letters.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn check_lines_up_persian_watch_names_by_their_letters() {
    let server = Server::start().await;
    server.set("/a", Route::html(article("Director flees", "On Monday")));
    let project = Project::new(&format!(
        "[daemon]\nper_host_delay = \"0s\"\n\n[[watch]]\nname = \"رسولاف-آوا\"\nurl = \"{url}\"\n\n[[watch]]\nname = \"cnn\"\nurl = \"{url}\"\n",
        url = server.url("/a")
    ));
    let out = run(
        &["check", "--config", &project.config_arg(), "--dry-run"],
        &[],
    )
    .await;
    assert!(out.status.success(), "{}", text(&out));
    let stdout = String::from_utf8_lossy(&out.stdout);
    let lines: Vec<&str> = stdout.lines().take(2).collect();
    assert!(
        lines.iter().any(|l| l.starts_with("رسولاف-آوا  baseline ")),
        "{stdout}"
    );
    assert!(
        lines.iter().any(|l| l.starts_with("cnn         baseline ")),
        "{stdout}"
    );
}

/// `extract`, tried on a URL before making it a watch, says when what it
/// shows is no article: the URL answers an error (its error page was
/// printed as if it were the story, with exit 0), or no article text was
/// found (an empty output, exit 0), or the address is a feed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn extract_says_when_it_found_no_article_rather_than_printing_an_error_page_or_nothing() {
    let server = Server::start().await;
    let mut gone = Route::html(
        "<html><head><title>Page not found</title></head><body><h1>Page not found</h1>\
         <p>Sorry, the page you are looking for does not exist or has been moved elsewhere.</p></body></html>",
    );
    gone.status = 404;
    server.set("/gone", gone);
    server.set(
        "/front",
        Route::html("<html><body><nav><a href=\"/\">Home</a> <a href=\"/world\">World</a></nav></body></html>"),
    );
    server.set(
        "/story",
        Route::html(article("Director flees", "On Monday")),
    );
    let url = server.url("/gone");
    assert_eq!(
        extract_says(&[&url], 1).await,
        format!(
            "{url} answered HTTP 404 Not Found: what is shown is the text of the error page, not of an article; \
             open the URL in a browser and copy the address from the address bar\n"
        )
    );
    let url = server.url("/front");
    let said = extract_says(&[&url], 1).await;
    assert!(
        said.starts_with(&format!(
            "no article text found in {url}: the page may be no article (a front page or a tag page: a watch of kind = \"listing\")"
        )),
        "{said}"
    );
    // A feed is no article: the feed watch reads it, and the message says
    // so rather than pointing at a listing.
    server.set(
        "/feed.xml",
        Route {
            status: 200,
            headers: vec![("Content-Type".into(), "application/rss+xml".into())],
            body:
                "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>Example News</title>\
                   <item><title>Director flees</title><link>https://news.example/a</link></item>\
                   <item><title>Director speaks</title><link>https://news.example/b</link></item>\
                   </channel></rss>"
                    .into(),
        },
    );
    let url = server.url("/feed.xml");
    assert_eq!(
        extract_says(&[&url], 1).await,
        format!(
            "no article text found in {url}: it is a feed (RSS, Atom or JSON Feed) of 2 items, not an article page: \
             watch it with kind = \"feed\" (`presswatch check --config FILE --watch NAME --dry-run` lists the items it finds)\n"
        )
    );
    // A tag page whose article reads as one teaser line while it links to
    // many stories: what is shown is most likely no article's text.
    let tag = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/tag-page.html"),
    )
    .unwrap();
    server.set("/tag/evin", Route::html(tag));
    let url = server.url("/tag/evin");
    let said = extract_says(&[&url], 1).await;
    assert!(
        said.starts_with(&format!(
            "{url}: the article found is only 9 words while the page links to 8 stories: it may be no article"
        )) && said.contains("set kind = \"listing\""),
        "{said}"
    );
    let url = server.url("/story");
    assert_eq!(
        extract_says(&[&url, "--selector", "div.nothing"], 1).await,
        format!("no article text found in {url}: --selector \"div.nothing\" matches no text; check it against the page's source\n")
    );
    let out = run(&["extract", &url], &[]).await;
    assert!(out.status.success(), "{}", text(&out));
    assert!(
        out.stderr.is_empty() && text(&out).contains("On Monday"),
        "{}",
        text(&out)
    );
}

/// `extract` on a URL that serves a document that is no web page (a press
/// release as a PDF), or nothing at all, says so, as the watch's check does,
/// rather than pointing at listings and selectors; a server error says to
/// try again later.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn extract_says_when_a_url_serves_no_web_page_or_an_empty_body() {
    let server = Server::start().await;
    server.set(
        "/release.pdf",
        Route {
            status: 200,
            headers: vec![("Content-Type".into(), "application/pdf".into())],
            body: b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj<</Type/Catalog>>endobj\n".repeat(100),
        },
    );
    server.set("/empty", Route::html(""));
    server.set("/busy", Route::status(503));
    server.set(
        "/sitemap.xml",
        Route::html(
            "<?xml version=\"1.0\"?><urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\
             <url><loc>https://news.example/a</loc></url><url><loc>https://news.example/b</loc></url></urlset>"
                .to_string(),
        ),
    );
    // A server error: nothing to extract, and nothing of the URL to change.
    let url = server.url("/busy");
    assert_eq!(
        extract_says(&[&url], 2).await,
        format!(
            "error: fetching {url}: server answered HTTP 503: a server error at the site, not a \
             problem of the URL; try again later (a watch of it is checked again on its own)\n"
        )
    );
    let url = server.url("/release.pdf");
    assert_eq!(
        extract_says(&[&url], 1).await,
        format!(
            "no article text found in {url}: it serves application/pdf, not a web page; \
             watch the page that links to it, or the feed that lists it\n"
        )
    );
    let url = server.url("/empty");
    assert_eq!(
        extract_says(&[&url], 1).await,
        format!(
            "no article text found in {url}: the server sent an empty body (HTTP 200); \
             if it persists, check the URL in a browser\n"
        )
    );
    // A sitemap is named as one (it read as "a feed (RSS, Atom or JSON Feed) of 2 items").
    let url = server.url("/sitemap.xml");
    assert_eq!(
        extract_says(&[&url], 1).await,
        format!(
            "no article text found in {url}: it is an XML sitemap (a <urlset> of 2 page \
             addresses), served as text/html, not a web page: it holds no article text, whatever \
             the selector; presswatch reads a sitemap's pages as a feed's items: watch it with \
             kind = \"feed\"\n"
        )
    );
}

/// `extract URL` is run once, by hand: what its fetch's error says to do is
/// to run it again, not what a watch's check does ("presswatch checks again
/// later", "a later check usually gets all of it"), which it said of a body
/// cut off or damaged on its way. The same error, in the words for each.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn extract_of_a_url_says_what_to_do_now_not_what_a_watch_does_later() {
    use std::io::Write;
    let server = Server::start().await;
    let page = article("Director flees", "On Monday");
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(page.repeat(20).as_bytes()).unwrap();
    let mut cut = gz.finish().unwrap();
    cut.truncate(cut.len() / 2);
    server.set("/cut", Route::html(cut).header("Content-Encoding", "gzip"));
    server.set(
        "/plain",
        Route::html(page.clone()).header("Content-Encoding", "gzip"),
    );
    let curl =
        "`curl -v --compressed` on the URL shows what the server sends, for its administrators";
    let url = server.url("/cut");
    assert_eq!(
        extract_says(&[&url], 2).await,
        format!(
            "error: fetching {url}: the response body, served as Content-Encoding: gzip, stops \
             before its gzip data ends (incomplete deflate stream): the server sent only part of it (an \
             overloaded or restarting server, or a proxy in between broke it off). Run the \
             command again: another fetch usually gets all of it; if it never does, {curl}\n"
        )
    );
    let url = server.url("/plain");
    assert_eq!(
        extract_says(&[&url], 2).await,
        format!(
            "error: fetching {url}: the response body was served as Content-Encoding: gzip but \
             it is not valid gzip: invalid gzip header: the server, or a proxy in between, damaged it, or names a coding it did \
             not apply. Run the command again later; if it lasts, {curl}\n"
        )
    );
    // A server error's words for it: `extract_says_when_a_url_serves_no_web_page_or_an_empty_body`.
}

/// `extract URL` has no watch to set `allow_private_redirects` on: a
/// redirect to another host on a loopback or private address (by name, or
/// by address) says what to run instead, with the address it leads to, not
/// to set the option "on the watch".
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn extract_of_a_url_that_redirects_to_a_private_address_says_to_give_that_address() {
    let server = Server::start().await;
    let port = server.addr.port();
    let by_name = format!("http://localhost:{port}/intranet");
    let by_address = format!("http://127.0.0.2:{port}/intranet");
    server.set("/by-name", Route::status(302).header("Location", &by_name));
    server.set(
        "/by-address",
        Route::status(301).header("Location", &by_address),
    );
    for (from, to, host) in [
        ("/by-name", &by_name, "localhost"),
        ("/by-address", &by_address, "127.0.0.2"),
    ] {
        let url = server.url(from);
        assert_eq!(
            extract_says(&[&url], 2).await,
            format!(
                "error: fetching {url}: redirect refused: the URL leads to {to}, and {host} is a \
                 loopback, private or link-local address, which presswatch reaches only as the host \
                 of the URL it is given (so that no page can send it into this machine's network); \
                 if that is the page you mean, run the command again with that address\n"
            )
        );
    }
    assert!(server.requests_to("/intranet").is_empty());
}

/// A server that asks `extract URL` to wait (`Retry-After` on a 503 or a
/// 429) is told in one error, with the time it asked for and when to try
/// again, not also in the log line of the pause of the host that the
/// fetches of a schedule take (none follow a one-shot command's).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn extract_of_a_url_whose_server_asks_to_wait_says_so_in_one_error() {
    let server = Server::start().await;
    server.set("/busy", Route::status(503).header("Retry-After", "120"));
    server.set("/slow-down", Route::status(429).header("Retry-After", "30"));
    let url = server.url("/busy");
    assert_eq!(
        extract_says(&[&url], 2).await,
        format!(
            "error: fetching {url}: server answered HTTP 503 (retry after 120s): a server error at \
             the site, not a problem of the URL; try again once that time has passed (a watch of \
             it is checked again on its own)\n"
        )
    );
    let url = server.url("/slow-down");
    assert_eq!(
        extract_says(&[&url], 2).await,
        format!(
            "error: fetching {url}: server answered HTTP 429 (retry after 30s): the site asks for \
             fewer requests (too many came from this address); try again once that time has \
             passed\n"
        )
    );
}

/// `extract URL` fetches with the default settings, so a page over the
/// default body limit is told how to use a config's; with `--config`, the
/// config's `[daemon]` settings apply, as its daemon's checks would.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn extract_fetches_with_a_config_s_daemon_settings_when_given_one() {
    let server = Server::start().await;
    let padding = format!("<!-- {} -->", "x".repeat(9 << 20));
    let page = article(
        "Director flees",
        "The director left the country on Monday after the verdict.",
    )
    .replace("</body>", &format!("{padding}</body>"));
    server.set("/big", Route::html(page));
    let url = server.url("/big");

    let said = extract_says(&[&url], 2).await;
    assert!(
        said.contains("over the limit of 8MiB (daemon.max_body)"),
        "{said}"
    );
    assert!(
        said.trim_end().ends_with("(extract used the default settings: give it --config FILE to fetch with that config's [daemon] settings)"),
        "{said}"
    );

    let project = Project::new("[daemon]\nmax_body = \"16MiB\"\n");
    let config = project.config_arg();
    let out = run(&["extract", &url, "--config", &config], &[]).await;
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(
        text(&out).contains("The director left the country on Monday after the verdict."),
        "{}",
        text(&out)
    );
}

/// A local relay without TLS behind `smtp://` (which requires STARTTLS): the
/// failure says how to allow it, not only which ports mean what.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_relay_without_starttls_is_told_to_set_tls_none() {
    let mails = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let port = crate::support::smtp_sink(mails.clone());
    let project = Project::new(&format!(
        "[[channel]]\nname = \"relay\"\ntype = \"email\"\nsmtp_url = \"smtp://127.0.0.1:{port}\"\nfrom = \"a@example.org\"\nto = [\"b@example.org\"]\n"
    ));
    let out = run(&["test-alert", "--config", &project.config_arg()], &[]).await;
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(
        text(&out).contains("the server offers no STARTTLS, which smtp:// requires (for a relay on this machine, set `tls = \"none\"` on the channel"),
        "{}",
        text(&out)
    );
    assert!(mails.lock().unwrap().is_empty());
}

/// A site that answers its pages but stalls robots.txt (as some do for bots
/// they do not know): the error names robots.txt and how to skip it, not the
/// page, which a browser opens fine.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stalled_robots_txt_is_named_as_what_timed_out() {
    use std::io::{BufRead, BufReader, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let page = article("Story", "First version.");
    std::thread::spawn(move || {
        for conn in listener.incoming().flatten() {
            let page = page.clone();
            std::thread::spawn(move || {
                let mut line = String::new();
                let mut reader = BufReader::new(&conn);
                let _ = reader.read_line(&mut line);
                if line.contains("/robots.txt") {
                    std::thread::sleep(std::time::Duration::from_secs(10));
                    return;
                }
                let mut conn = &conn;
                let _ = write!(
                    conn,
                    "HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{page}",
                    page.len()
                );
            });
        }
    });
    let project = Project::new(&format!(
        "[daemon]\ntimeout = \"1s\"\nper_host_delay = \"0s\"\n\n[[watch]]\nname = \"story\"\nurl = \"http://127.0.0.1:{port}/story\"\n"
    ));
    let out = run(
        &["check", "--config", &project.config_arg(), "--dry-run"],
        &[],
    )
    .await;
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(
        text(&out).contains(&format!(
            "fetching http://127.0.0.1:{port}/story: reading http://127.0.0.1:{port}/robots.txt, which presswatch reads before the page: timed out after 1s (daemon.timeout); set `robots = false` on the watch"
        )),
        "{}",
        text(&out)
    );
}

/// Before the first check (or with a mistyped `state_dir`) there is no
/// state database: each command that reads what checks stored says first
/// that nothing was checked yet, where it looked and what makes it, then
/// answers as of a state where nothing was checked, exit 0, as `history`
/// always did (`status` exited 2 on it); `verify` and `export`, whose
/// output stands as evidence, refuse (exit 2); none makes a database on
/// the spot.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_commands_that_read_the_state_say_nothing_was_checked_yet_before_the_first_check() {
    let server = Server::start().await;
    server.set("/a", Route::html(article("A story", "word ")));
    let project = Project::new(&format!(
        "[daemon]\nstate_dir = \"stat\"\n\n[[watch]]\nname = \"a\"\nurl = \"{}\"\n",
        server.url("/a")
    ));
    let cfg = project.config_arg();
    let warc = project.path("out.warc.gz");
    let viewer = project.path("viewer");
    let note = format!(
        "nothing checked yet: there is no state database at {} (the first check makes it): run \
         `presswatch check --config {cfg}`, or start the daemon (`systemctl start presswatch`, or \
         `presswatch run --config {cfg}`); if checks did run with this config, its state_dir is not \
         where they keep their database\n",
        project.path("stat/presswatch.db").display()
    );
    for (args, said) in [
        (vec!["status", "--config", &cfg], "never"),
        (
            vec!["history", "--config", &cfg, "a"],
            "watch a: no versions recorded yet",
        ),
        (
            vec!["diff", "--config", &cfg, "--watch", "a"],
            "watch a has no versions yet",
        ),
        (
            vec!["outbox", "--config", &cfg, "list"],
            "outbox is empty: no alert was made yet",
        ),
        (
            vec!["outbox", "--config", &cfg, "retry"],
            "0 entries due now",
        ),
        (
            vec![
                "report",
                "--config",
                &cfg,
                "--out",
                viewer.to_str().unwrap(),
            ],
            "viewer",
        ),
    ] {
        let out = run(&args, &[]).await;
        assert_eq!(out.status.code(), Some(0), "{args:?}: {}", text(&out));
        assert_eq!(String::from_utf8_lossy(&out.stderr), note, "{args:?}");
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(stdout.contains(said), "{args:?}: {stdout}");
        // No daemon ever ran: the line on the plan the last one made would
        // mislead.
        assert!(!stdout.contains("daemon: none runs"), "{args:?}: {stdout}");
    }
    // What stands as evidence is refused: a `verify` that passed, or a
    // WARC holding no record, would read as the record of a state that
    // may only be elsewhere (a mistyped `state_dir`, a backup restored
    // there).
    for (args, lead) in [
        (
            vec!["verify", "--config", &cfg],
            "nothing to verify, and that is no pass",
        ),
        (
            vec!["export", "--config", &cfg, "--warc", warc.to_str().unwrap()],
            "nothing to export",
        ),
    ] {
        let out = run(&args, &[]).await;
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", text(&out));
        assert_eq!(
            String::from_utf8_lossy(&out.stderr),
            format!("error: {lead}: {note}"),
            "{args:?}"
        );
        assert!(!warc.exists(), "{args:?}: no WARC written");
    }
    assert!(
        !project.path("stat").exists(),
        "no database made on the spot"
    );
    assert!(server.requests().is_empty(), "nothing fetched");
    // Once a check has run, the note is gone.
    let out = run(&["check", "--config", &cfg], &[]).await;
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let out = run(&["status", "--config", &cfg], &[]).await;
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(
        !text(&out).contains("nothing checked yet"),
        "{}",
        text(&out)
    );
}

/// Runs the binary as another user than the one who owns the state: as
/// `nobody` (uid 65534) when the tests run as root, who may read anything;
/// otherwise as this user, with the state directory made unreadable.
async fn run_as_someone_else(args: &[&str]) -> std::process::Output {
    use std::os::unix::process::CommandExt;
    let args: Vec<String> = args.iter().map(|s| s.to_string()).collect();
    tokio::task::spawn_blocking(move || {
        let mut cmd = std::process::Command::new(crate::support::binary());
        cmd.args(&args).env("NO_COLOR", "1");
        // SAFETY: geteuid cannot fail and has no preconditions.
        if unsafe { libc::geteuid() } == 0 {
            cmd.uid(65534).gid(65534);
        }
        cmd.output().expect("run presswatch")
    })
    .await
    .unwrap()
}

/// A `state_dir` that names a file: every command says so, with its line,
/// rather than "no state database" (`status`) or "cannot create state
/// directory …: File exists" (`check`).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_state_dir_that_is_a_file_or_a_link_loop_is_named_as_such() {
    let project = Project::new(
        "[daemon]\nstate_dir = \"notes.txt\"\n\n[[watch]]\nname = \"a\"\nurl = \"http://127.0.0.1:9/a\"\n",
    );
    std::fs::write(project.path("notes.txt"), "").unwrap();
    let cfg = project.config_arg();
    // Nor is a link to itself taken for a matter of permissions.
    let looped = Project::new(
        "[daemon]\nstate_dir = \"loop\"\n\n[[watch]]\nname = \"a\"\nurl = \"http://127.0.0.1:9/a\"\n",
    );
    std::os::unix::fs::symlink("loop", looped.path("loop")).unwrap();
    let out = run(&["status", "--config", &looped.config_arg()], &[]).await;
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).starts_with(&format!(
            "error: cannot look for the state database {} ({}:2: daemon.state_dir): ",
            looped.path("loop/presswatch.db").display(),
            looped.config_arg()
        )),
        "{}",
        text(&out)
    );
    for args in [
        vec!["status", "--config", &cfg],
        vec!["history", "--config", &cfg, "a"],
        vec!["check", "--config", &cfg],
        vec!["check", "--config", &cfg, "--dry-run"],
    ] {
        let out = run(&args, &[]).await;
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", text(&out));
        assert_eq!(
            String::from_utf8_lossy(&out.stderr),
            format!(
                "error: the state directory {} ({cfg}:2: daemon.state_dir) is a file, not a directory: \
                 set state_dir to a directory (made if missing), e.g. state_dir = \"state\" beside the config\n",
                project.path("notes.txt").display()
            ),
            "{args:?}"
        );
    }
}

/// `sudo presswatch check` made the state directory, or the systemd unit
/// did: another user's commands cannot use its database. Each says so, with
/// the config line and whose it is, instead of "no state database" (`status`),
/// "no versions recorded yet" (`history`, exit 0) or "written by an older
/// presswatch" (a dry run).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_state_directory_another_user_owns_is_named_as_such() {
    use std::os::unix::fs::PermissionsExt;
    let server = Server::start().await;
    server.set("/a", Route::html(article("Director flees", "On Monday")));
    let project = Project::new(&format!(
        "[daemon]\nstate_dir = \"state\"\nper_host_delay = \"0s\"\n\n[[watch]]\nname = \"a\"\nurl = \"{}\"\n",
        server.url("/a")
    ));
    let cfg = project.config_arg();
    let first = run(&["check", "--config", &cfg], &[]).await;
    assert!(first.status.success(), "{}", text(&first));
    let everyone = std::fs::Permissions::from_mode(0o755);
    std::fs::set_permissions(project.dir.path(), everyone.clone()).unwrap();
    // SAFETY: geteuid cannot fail and has no preconditions.
    if unsafe { libc::geteuid() } != 0 {
        let none = std::fs::Permissions::from_mode(0o000);
        std::fs::set_permissions(project.path("state"), none).unwrap();
    }
    for args in [
        vec!["status", "--config", &cfg],
        vec!["history", "--config", &cfg, "a"],
        vec!["diff", "--config", &cfg, "--watch", "a"],
        vec!["check", "--config", &cfg, "--dry-run"],
        vec!["check", "--config", &cfg],
    ] {
        let out = run_as_someone_else(&args).await;
        let said = text(&out);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {said}");
        assert!(
            said.contains(&format!(
                "error: cannot use the state database {} ({cfg}:2: daemon.state_dir): this user (uid ",
                project.path("state/presswatch.db").display()
            )),
            "{args:?}: {said}"
        );
        assert!(
            said.contains(") may not read and write "),
            "{args:?}: {said}"
        );
        assert!(
            said.contains(", or give this user the state directory"),
            "{args:?}: {said}"
        );
    }
    std::fs::set_permissions(
        project.path("state"),
        std::fs::Permissions::from_mode(0o700),
    )
    .unwrap();
    // Its owner still sees the history the others could not.
    let history = run(&["history", "--config", &cfg, "a"], &[]).await;
    assert!(
        text(&history).contains("baseline (first fetch)"),
        "{}",
        text(&history)
    );
}

/// A first `check`, `run` or `test-alert` whose state directory cannot be
/// made, its parent being another user's or read-only: it says which line
/// sets it and what to do, not only "cannot create state directory …:
/// Permission denied (os error 13)".
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_state_directory_that_cannot_be_made_names_its_config_line_and_what_to_do() {
    use std::os::unix::fs::PermissionsExt;
    let project = Project::new(
        "[daemon]\nstate_dir = \"sealed/state\"\n\n[[watch]]\nname = \"a\"\nurl = \"http://127.0.0.1:9/a\"\n\n\
         [[channel]]\nname = \"hook\"\ntype = \"webhook\"\nurl = \"http://127.0.0.1:9/hook\"\n",
    );
    std::fs::set_permissions(project.dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    let sealed = project.path("sealed");
    std::fs::create_dir(&sealed).unwrap();
    std::fs::set_permissions(&sealed, std::fs::Permissions::from_mode(0o555)).unwrap();
    let cfg = project.config_arg();
    for args in [
        vec!["check", "--config", &cfg],
        vec!["run", "--config", &cfg],
        vec!["test-alert", "--config", &cfg],
    ] {
        let out = run_as_someone_else(&args).await;
        let said = text(&out);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {said}");
        assert!(
            said.starts_with(&format!(
                "error: cannot make the state directory {} ({cfg}:2: daemon.state_dir): this user (uid ",
                sealed.join("state").display()
            )),
            "{args:?}: {said}"
        );
        assert!(
            said.ends_with(&format!(
                ") may not write in {}: set state_dir to a directory this user may write to, \
                 or run presswatch as a user who may (`presswatch validate --config {cfg}` checks every directory)\n",
                sealed.display()
            )),
            "{args:?}: {said}"
        );
    }
    assert!(!sealed.join("state").exists());
}

/// `export`, `report` and `record` to a place this user may not write (a
/// shared drive mounted read-only, a directory of another user's) say so
/// before doing any work, and what to do, rather than "writing PATH:
/// Permission denied (os error 13)" after it; `--out` naming a file says
/// it takes a directory.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn output_to_a_place_this_user_may_not_write_is_refused_saying_where_and_what_to_do() {
    use std::os::unix::fs::PermissionsExt;
    let server = Server::start().await;
    server.set("/a", Route::html(article("Director flees", "On Monday")));
    let project = Project::new(&format!(
        "[daemon]\nstate_dir = \"state\"\nbaseline_dir = \"baseline\"\nper_host_delay = \"0s\"\n\n[[watch]]\nname = \"a\"\nurl = \"{}\"\n",
        server.url("/a")
    ));
    let cfg = project.config_arg();
    // The state is this user's: the project directory is everyone's to
    // write (as nobody's when the tests run as root), the sealed one no one's.
    std::fs::set_permissions(project.dir.path(), std::fs::Permissions::from_mode(0o777)).unwrap();
    let first = run_as_someone_else(&["check", "--config", &cfg]).await;
    assert!(first.status.success(), "{}", text(&first));
    let sealed = project.path("sealed");
    std::fs::create_dir(&sealed).unwrap();
    std::fs::set_permissions(&sealed, std::fs::Permissions::from_mode(0o555)).unwrap();
    let warc = sealed.join("out.warc.gz");
    let viewer = sealed.join("viewer");
    let recordings = sealed.join("recordings");
    for (args, flag, path) in [
        (
            vec!["export", "--config", &cfg, "--warc", warc.to_str().unwrap()],
            "--warc",
            &warc,
        ),
        (
            vec![
                "report",
                "--config",
                &cfg,
                "--out",
                viewer.to_str().unwrap(),
            ],
            "--out",
            &viewer,
        ),
        (
            vec![
                "record",
                "--config",
                &cfg,
                "--to",
                recordings.to_str().unwrap(),
            ],
            "--to",
            &recordings,
        ),
    ] {
        let out = run_as_someone_else(&args).await;
        let said = text(&out);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {said}");
        assert!(
            said.starts_with(&format!(
                "error: cannot write {flag} {}: this user (uid ",
                path.display()
            )),
            "{args:?}: {said}"
        );
        assert!(
            said.ends_with(&format!(
                ") may not write in {}: choose a directory this user may write to, such as one in your home directory\n",
                sealed.display()
            )),
            "{args:?}: {said}"
        );
    }
    assert!(
        server.requests_to("/a").len() == 1,
        "record fetched nothing"
    );
    let file = project.path("config.toml");
    let out =
        run_as_someone_else(&["report", "--config", &cfg, "--out", file.to_str().unwrap()]).await;
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        text(&out),
        format!(
            "error: --out {} is a file: --out takes a directory to write into (made if missing)\n",
            file.display()
        )
    );
}

/// The long options a `--help` lists, but those every command has.
fn options_in_help(help: &str) -> Vec<String> {
    help.lines()
        .filter_map(|l| {
            let l = l.trim_start();
            let l = l
                .strip_prefix("-c, ")
                .or(l.strip_prefix("-v, "))
                .unwrap_or(l);
            let flag: String = l
                .strip_prefix("--")?
                .chars()
                .take_while(|c| c.is_ascii_lowercase() || *c == '-')
                .collect();
            Some(format!("--{flag}"))
        })
        .filter(|f| !["--log-format", "--verbose", "--help", "--version"].contains(&f.as_str()))
        .collect()
}

/// README's table of commands shows each command's usage: every option
/// its `--help` lists is in the usage written for it, so a newcomer reading
/// the table learns of each (`export --baselines`, `outbox list --all`).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_readme_command_table_shows_every_option_of_every_command() {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    // The usage cells of the table: `| `presswatch …` | what it does |`.
    let usages: Vec<&str> = readme
        .lines()
        .filter_map(|l| l.strip_prefix("| `presswatch "))
        .filter_map(|l| l.split("` |").next())
        .collect();
    let help = |args: Vec<&str>| {
        let out = std::process::Command::new(crate::support::binary())
            .args(args)
            .arg("--help")
            .output()
            .unwrap();
        String::from_utf8(out.stdout).unwrap()
    };
    let top = help(vec![]);
    let commands: Vec<&str> = top
        .lines()
        .skip_while(|l| *l != "Commands:")
        .skip(1)
        .take_while(|l| !l.is_empty())
        .filter_map(|l| l.split_whitespace().next())
        .filter(|c| *c != "help")
        .collect();
    assert!(commands.len() >= 13, "{top}");
    let mut missing = Vec::new();
    for command in commands {
        let rows: Vec<&str> = usages
            .iter()
            .copied()
            .filter(|u| u.split_whitespace().next() == Some(command))
            .collect();
        assert!(
            !rows.is_empty(),
            "README's table has no row for `presswatch {command}`"
        );
        let mut helps = vec![(command.to_string(), help(vec![command]))];
        if command == "outbox" {
            for action in ["list", "retry", "drop"] {
                helps.push((format!("outbox {action}"), help(vec![command, action])));
            }
        }
        for (name, text) in helps {
            for option in options_in_help(&text) {
                if !rows.iter().any(|u| u.contains(&option)) {
                    missing.push(format!("presswatch {name} {option}"));
                }
            }
        }
    }
    assert_eq!(
        missing,
        Vec::<String>::new(),
        "options missing from README's table of commands"
    );
}

/// Webhook bodies received at `/hook`, parsed.
fn hook_alerts(server: &Server) -> Vec<serde_json::Value> {
    server
        .requests_to("/hook")
        .iter()
        .map(|r| serde_json::from_slice(&r.body).unwrap())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_daemon_per_state_directory_and_checks_beside_it_alert_once() {
    use crate::support::{eventually, Daemon};
    use std::time::Duration;
    let server = Server::start().await;
    server.set(
        "/story",
        Route::html(article("Director flees", "On Monday")),
    );
    let project = Project::new(&format!(
        "[daemon]\ninterval = \"1m\"\nper_host_delay = \"0s\"\n\n\
         [[channel]]\nname = \"hook\"\ntype = \"webhook\"\nurl = \"{}\"\n\n\
         [[watch]]\nname = \"story\"\nurl = \"{}\"\n",
        server.url("/hook"),
        server.url("/story")
    ));
    let cfg = project.config_arg();
    let scale = [("PRESSWATCH_TEST_TIME_SCALE", "60")];
    let mut first = Daemon::start(&project.config(), &scale);
    let stored = || project.path("baseline/story.txt").exists();
    assert!(
        eventually(Duration::from_secs(10), stored).await,
        "{}",
        first.log_text()
    );

    // A second daemon on the same state directory is refused, naming the first.
    let second = run(&["run", "--config", &cfg], &scale).await;
    assert_eq!(second.status.code(), Some(2), "{}", text(&second));
    let refusal = text(&second);
    assert!(
        refusal.contains(&format!(
            "the presswatch daemon (PID {}) already runs on the state directory",
            first.child.id()
        )),
        "{refusal}"
    );
    assert!(
        refusal.contains("two daemons would send every alert twice"),
        "{refusal}"
    );

    // Each edit is checked by the daemon (every second) and by three
    // `presswatch check` runs at the same time.
    for day in ["Tuesday", "Wednesday", "Thursday"] {
        server.set(
            "/story",
            Route::html(article("Director flees", &format!("On {day}"))),
        );
        let checks: Vec<_> = (0..3)
            .map(|_| {
                let cfg = cfg.clone();
                tokio::spawn(async move { run(&["check", "--config", &cfg], &[]).await })
            })
            .collect();
        for c in checks {
            let out = c.await.unwrap();
            assert!(out.status.success(), "{}", text(&out));
            assert!(
                text(&out).contains(&format!(
                    "delivery: left to the presswatch daemon (PID {}) running on this state directory",
                    first.child.id()
                )),
                "{}",
                text(&out)
            );
        }
        let delivered = || {
            hook_alerts(&server)
                .iter()
                .any(|a| a.to_string().contains(day))
        };
        assert!(
            eventually(Duration::from_secs(10), delivered).await,
            "{}",
            first.log_text()
        );
    }
    // Settle: one more daemon cycle, then stop it.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    first.stop(Duration::from_secs(10)).await;

    // One alert per edit, each sent once, in order; nothing left behind.
    let alerts = hook_alerts(&server);
    let ids: Vec<&str> = alerts.iter().map(|a| a["id"].as_str().unwrap()).collect();
    let days: Vec<&str> = alerts
        .iter()
        .map(|a| {
            // The day added: the latest one the change mentions.
            ["Tuesday", "Wednesday", "Thursday"]
                .into_iter()
                .rev()
                .find(|d| a["change"].to_string().contains(d))
                .unwrap_or("?")
        })
        .collect();
    assert_eq!(days, ["Tuesday", "Wednesday", "Thursday"], "{alerts:#?}");
    let mut unique = ids.clone();
    unique.dedup();
    assert_eq!(unique, ids, "no alert sent twice");
    let history = run(&["history", "--config", &cfg, "story"], &[]).await;
    let versions = String::from_utf8_lossy(&history.stdout)
        .lines()
        .filter(|l| l.trim_start().starts_with(|c: char| c.is_ascii_digit()))
        .count();
    assert_eq!(versions, 4, "{}", text(&history));
    let outbox = run(&["outbox", "list", "--config", &cfg], &[]).await;
    assert!(outbox.status.success(), "{}", text(&outbox));
    assert!(
        text(&outbox).contains("outbox is empty"),
        "{}",
        text(&outbox)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_alert_held_for_the_daily_digest_is_waiting_not_stuck_everywhere_it_shows() {
    use crate::daemon::{notify_socket, parse_prometheus};
    use crate::support::{eventually, http_get, Daemon};
    use presswatch::store::State;
    use std::time::Duration;
    let server = Server::start().await;
    server.set(
        "/story",
        Route::html(article("Director flees", "On Monday")),
    );
    server.set("/hook", Route::status(500));
    let now = chrono::Utc::now();
    // The digest goes out two hours from now: a daily digest at that time.
    let at = now + chrono::Duration::hours(2);
    let hhmm = at.format("%H:%M").to_string();
    let project = Project::new(&format!(
        "[daemon]\nper_host_delay = \"0s\"\nlisten = \"0\"\n\n\
         [[channel]]\nname = \"mail\"\ntype = \"email\"\nsmtp_url = \"smtp://127.0.0.1:9\"\ntls = \"none\"\n\
         from = \"pw@example.org\"\nto = [\"press@example.org\"]\ndigest = \"daily {hhmm}\"\n\n\
         [[channel]]\nname = \"hook\"\ntype = \"webhook\"\nurl = \"{}\"\n\n\
         [[watch]]\nname = \"story\"\nurl = \"{}\"\n",
        server.url("/hook"),
        server.url("/story")
    ));
    let cfg = project.config_arg();
    // Five hours ago an alert went to the digest channel; ten minutes ago
    // one to the webhook, whose receiver failed.
    let state = State::open(&project.path("state")).unwrap();
    let mut alert = presswatch::alert::test_alert();
    alert.kind = presswatch::compare::ChangeKind::Edited;
    alert.watch = "story".into();
    let t = now.timestamp();
    for (id, channel, created) in [("held1", "mail", t - 5 * 3600), ("fail1", "hook", t - 600)] {
        alert.id = id.into();
        let payload = serde_json::to_string(&alert).unwrap();
        store_check(
            &state,
            "story",
            &queuing(id, "edited", &payload, &[channel], created),
        );
    }
    state
        .mark_failed(
            "fail1",
            "hook",
            "POST answered HTTP 500",
            t - 600,
            Some(t + 3600),
        )
        .unwrap();
    drop(state);
    let held_line =
        format!("1 alert held for a digest (next at {hhmm} UTC), 1 alert failing (retrying)");

    let status = run(&["status", "--config", &cfg], &[]).await;
    assert!(
        text(&status).contains(&format!("1 watch; alert deliveries: {held_line}")),
        "{}",
        text(&status)
    );
    let list = run(&["outbox", "list", "--config", &cfg], &[]).await;
    let out = text(&list);
    let line = |id: &str| {
        out.lines()
            .find(|l| l.starts_with(id))
            .unwrap_or("")
            .to_string()
    };
    assert!(
        line("held1").ends_with(&format!(
            "held for the daily {hhmm} digest: goes out at {hhmm} UTC"
        )),
        "{out}"
    );
    assert!(
        line("fail1").contains("delivery failed, retrying at "),
        "{out}"
    );
    assert!(out.contains(&format!("outbox: {held_line}")), "{out}");

    let retry = run(&["outbox", "retry", "held1", "--config", &cfg], &[]).await;
    let out = text(&retry);
    assert!(retry.status.success(), "{out}");
    assert!(
        out.contains(&format!(
            "held1 for channel mail: held for the daily {hhmm} digest at {hhmm} UTC. It has not failed, so there is nothing to retry: it goes out with that digest"
        )),
        "{out}"
    );
    assert!(out.contains("0 entries due now"), "{out}");

    // The daemon: its systemd status line and its metrics tell the same.
    let dir = tempfile::tempdir().unwrap();
    let (sock, notes) = notify_socket(dir.path());
    let mut d = Daemon::start(&project.config(), &[("NOTIFY_SOCKET", &sock)]);
    let addr = d.listen_addr().await;
    let said = || {
        notes
            .lock()
            .unwrap()
            .iter()
            .any(|n| n.contains("STATUS=1 watch, ") && n.contains(&held_line))
    };
    assert!(
        eventually(Duration::from_secs(10), said).await,
        "{:?}\n{}",
        notes.lock().unwrap(),
        d.log_text()
    );
    let (code, body) = http_get(addr, "/metrics").await;
    assert_eq!(code, 200);
    let m = parse_prometheus(&body).unwrap_or_else(|e| panic!("{e}\n{body}"));
    assert_eq!(m["presswatch_outbox_depth{}"], 2.0, "{body}");
    assert_eq!(m["presswatch_outbox_held_for_digest{}"], 1.0, "{body}");
    // The 5-hour-old digest alert does not count: the documented rule
    // (older than 1 h) stays quiet; the failing webhook counts from its failure.
    let age = m["presswatch_outbox_oldest_pending_age_seconds{}"];
    assert!((590.0..3600.0).contains(&age), "{age}\n{body}");
    d.stop(Duration::from_secs(10)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn alerts_waiting_for_a_channel_the_config_no_longer_has_are_dropped_by_channel() {
    use presswatch::store::State;
    let server = Server::start().await;
    server.set("/hook", Route::status(500));
    let project = Project::new(&format!(
        "[daemon]\nper_host_delay = \"0s\"\n\n\
         [[channel]]\nname = \"hook\"\ntype = \"webhook\"\nurl = \"{}\"\n\n\
         [[watch]]\nname = \"story\"\nurl = \"https://example.org/story\"\n",
        server.url("/hook")
    ));
    let cfg = project.config_arg();
    // An alert waits for two channels; the config has since lost "old-desk".
    let state = State::open(&project.path("state")).unwrap();
    let mut alert = presswatch::alert::test_alert();
    alert.kind = presswatch::compare::ChangeKind::Edited;
    alert.watch = "story".into();
    alert.id = "a1".into();
    let payload = serde_json::to_string(&alert).unwrap();
    let now = chrono::Utc::now().timestamp();
    let check = queuing("a1", "edited", &payload, &["old-desk", "hook"], now);
    store_check(&state, "story", &check);
    drop(state);

    let retry = run(&["outbox", "retry", "--config", &cfg], &[]).await;
    let out = text(&retry);
    assert!(
        out.contains(&format!(
            "channel \"old-desk\" is no longer in the config; add it back, or drop what waits for it with `presswatch outbox drop --channel old-desk --config {cfg}`"
        )),
        "{out}"
    );
    // The hint drops that channel's entry, and only that.
    let drop = run(
        &["outbox", "drop", "--channel", "old-desk", "--config", &cfg],
        &[],
    )
    .await;
    assert!(drop.status.success(), "{}", text(&drop));
    assert!(text(&drop).contains("1 entry dropped"), "{}", text(&drop));
    let list = text(&run(&["outbox", "list", "--config", &cfg], &[]).await);
    let waiting: Vec<&str> = list.lines().filter(|l| l.starts_with("a1 ")).collect();
    assert_eq!(waiting.len(), 1, "{list}");
    assert!(waiting[0].contains("channel hook"), "{list}");

    // A name that is no channel of the config, nor one an alert waits for
    // (the one just dropped, a typo), is an error naming the channels, as
    // an unknown alert id is; nothing is dropped.
    for name in ["old-desk", "hok"] {
        let drop = run(
            &["outbox", "drop", "--channel", name, "--config", &cfg],
            &[],
        )
        .await;
        assert_eq!(drop.status.code(), Some(2), "{}", text(&drop));
        assert_eq!(
            String::from_utf8_lossy(&drop.stderr),
            format!(
                "error: no channel named \"{name}\" in {cfg}, and no undelivered alert waits for one: its channels are \"hook\" (`presswatch outbox list --config {cfg}` shows which channel each alert waits for)\n"
            )
        );
    }
    let list = text(&run(&["outbox", "list", "--config", &cfg], &[]).await);
    assert_eq!(
        list.lines().filter(|l| l.starts_with("a1 ")).count(),
        1,
        "{list}"
    );
}

/// A first check whose baseline cannot be written (its directory cannot be
/// made) says that storing the baseline failed, not that it was stored;
/// `check` says so before it fetches anything.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_first_check_whose_baseline_cannot_be_written_says_so_and_only_so() {
    let server = Server::start().await;
    server.set(
        "/a",
        Route::html(article("A story", "It happened today, as reported.")),
    );
    // A directory that cannot be made, even as root: /proc takes none.
    let project = Project::new("");
    let parent = Path::new("/proc/presswatch-test");
    std::fs::write(
        project.config(),
        format!(
            "[daemon]\nper_host_delay = \"0s\"\nbaseline_dir = \"{}\"\n\n[[watch]]\nname = \"a\"\nurl = \"{}\"\nrobots = false\n",
            parent.join("baselines").display(),
            server.url("/a")
        ),
    )
    .unwrap();
    let cfg = project.config_arg();
    // `check` says so before it fetches, as `validate` does.
    let out = run(&["check", "--config", &cfg], &[]).await;
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(
        String::from_utf8_lossy(&out.stderr).starts_with(&format!(
            "error: {cfg}:3: daemon.baseline_dir: /proc/presswatch-test/baselines is on a proc filesystem (/proc)"
        )),
        "{}",
        text(&out)
    );
    assert!(server.requests_to("/a").is_empty(), "{}", text(&out));
    // A check that meets it all the same (the daemon's, when the directory
    // went bad after it started) fails with the same words.
    let report = crate::support::check_first(&project).await;
    let row = format!("{:?}: {}", report.outcome, report.detail);
    assert!(
        row.contains("first check: storing the baseline failed: cannot write baseline /proc/presswatch-test/baselines/"),
        "{row}"
    );
    // Which config line, what is wrong and what to do, as validate says it.
    assert!(
        row.contains(&format!(
            ": {cfg}:3: daemon.baseline_dir: /proc/presswatch-test/baselines is on a proc filesystem (/proc)"
        )) && row.contains("Put it on a disk, e.g. `baseline_dir = \"/var/lib/presswatch/baseline\"`")
            && row.ends_with(&format!("(`presswatch validate --config {cfg}` checks every directory)")),
        "{row}"
    );
    assert!(!row.contains("os error"), "{row}");
    assert!(!row.contains("baseline stored"), "{row}");
}

/// `status` says when a watch's page last changed: a watch that has only
/// ever failed (and alerted that it fails) shows "never" there.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_watch_that_only_failed_shows_no_last_change() {
    let server = Server::start().await;
    server.set("/a", Route::status(500));
    let project = Project::new(&format!(
        "[daemon]\nper_host_delay = \"0s\"\nfailure_threshold = 1\n\n[[watch]]\nname = \"a\"\nurl = \"{}\"\nrobots = false\n",
        server.url("/a")
    ));
    let cfg = project.config_arg();
    let out = run(&["check", "--config", &cfg], &[]).await;
    assert!(text(&out).contains("1 alert"), "{}", text(&out));
    let out = run(&["status", "--config", &cfg], &[]).await;
    let table = String::from_utf8_lossy(&out.stdout);
    let row: Vec<&str> = table
        .lines()
        .find(|l| l.starts_with("a "))
        .unwrap()
        .split_whitespace()
        .collect();
    // WATCH, LAST CHECK (two words), RESULT, LAST CHANGE
    assert_eq!(row[3..5], ["error", "never"], "{table}");
}

/// A config given by a relative path, `--config ./config.toml` from its
/// directory or `--config sub/config.toml` from above it: the messages name
/// the state directory, the baseline directory and a secret file resolved
/// from the config file's directory, as the config reads them, and absolute,
/// so that an operator can act on them from any shell (not `./stat`, which
/// names another directory once they `cd` elsewhere).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_relative_config_names_the_paths_it_resolves_as_absolute_paths() {
    let top = tempfile::tempdir().unwrap();
    // As the kernel gives the working directory: without symbolic links.
    let top = std::fs::canonicalize(top.path()).unwrap();
    let sub = top.join("sub");
    std::fs::create_dir(&sub).unwrap();
    std::fs::write(
        sub.join("config.toml"),
        "[daemon]\nstate_dir = \"./stat\"\nbaseline_dir = \"notes.txt\"\n\n\
         [[channel]]\nname = \"hook\"\ntype = \"webhook\"\nurl = \"http://127.0.0.1:9/hook\"\nsecret_file = \"./hook-secret\"\n\n\
         [[watch]]\nname = \"a\"\nurl = \"http://127.0.0.1:9/a\"\n",
    )
    .unwrap();
    std::fs::write(sub.join("notes.txt"), "").unwrap();
    let sub = sub.display();
    for (cwd, config) in [
        (format!("{sub}"), "./config.toml"),
        (top.display().to_string(), "sub/config.toml"),
    ] {
        let run_here = |args: &[&str]| {
            std::process::Command::new(crate::support::binary())
                .args(args)
                .current_dir(&cwd)
                .env("NO_COLOR", "1")
                .output()
                .unwrap()
        };
        let out = run_here(&["status", "--config", config]);
        assert_eq!(out.status.code(), Some(0), "{config}: {}", text(&out));
        assert!(
            text(&out).contains(&format!(
                "nothing checked yet: there is no state database at {sub}/stat/presswatch.db "
            )),
            "{config}: {}",
            text(&out)
        );
        let out = run_here(&["validate", "--config", config]);
        assert_eq!(out.status.code(), Some(1), "{config}: {}", text(&out));
        let said = text(&out);
        assert!(
            said.contains(&format!("{sub}/notes.txt exists but is not a directory"))
                && said.contains(&format!("{sub}/hook-secret")),
            "{config}: {said}"
        );
        // The config file itself is named as it was given, so that the
        // commands the messages suggest can be pasted as they are.
        assert!(
            said.contains(&format!("{config}:3: daemon.baseline_dir")),
            "{config}: {said}"
        );
        assert!(
            !said.contains("./stat") && !said.contains("./hook-secret"),
            "{config}: {said}"
        );
    }
}
