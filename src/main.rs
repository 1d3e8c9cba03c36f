//! The `presswatch` command line: a thin layer over the library.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use clap::{Parser, Subcommand};
use presswatch::check::{self, Context};
use presswatch::compare::Rules;
use presswatch::config::Config;
use presswatch::document::Document;
use presswatch::fetch::{self, Fetcher, Replay};
use presswatch::notify::{self, digest, render};
use presswatch::status::{DigestPlan, Outbox, Waiting};
use presswatch::store::OutboxStatus;
use presswatch::{extract, store};

#[derive(Parser)]
#[command(
    name = "presswatch",
    version,
    about = "Watch press coverage: alerts when articles change or new ones appear"
)]
struct Cli {
    /// Log format: text (default) or json.
    #[arg(long, global = true, default_value = "text", value_parser = ["text", "json"])]
    log_format: String,
    /// More log output (repeat for debug).
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    verbose: u8,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// One pass over all watches (or one), then exit.
    Check {
        /// The config file.
        #[arg(long, short)]
        config: PathBuf,
        /// Check only this watch.
        #[arg(long)]
        watch: Option<String>,
        /// Print the alerts instead of sending them; change nothing on disk.
        #[arg(long)]
        dry_run: bool,
        /// Answer fetches from recorded responses in DIR (see README: Replay format).
        #[arg(long, value_name = "DIR")]
        replay: Option<PathBuf>,
    },
    /// Run as a daemon: check each watch on its interval until SIGTERM/SIGINT.
    Run {
        /// The config file.
        #[arg(long, short)]
        config: PathBuf,
    },
    /// Print the extracted article of an HTML file or URL, or extract a whole
    /// corpus directory (--corpus) and report timing.
    Extract {
        /// An HTML file (may be .gz) or an http(s) URL.
        #[arg(required_unless_present = "corpus")]
        source: Option<String>,
        /// Extract every *.html / *.html.gz below DIR instead, printing pages,
        /// total time, median ms per page and MB/s (extraction only).
        #[arg(long, value_name = "DIR", conflicts_with_all = ["source", "selector", "json"])]
        corpus: Option<PathBuf>,
        /// With --corpus: write {id: {articleBody, title, byline, ...}} here.
        #[arg(long, value_name = "FILE", requires = "corpus")]
        out: Option<PathBuf>,
        /// Print JSON (all fields and the blocks).
        #[arg(long)]
        json: bool,
        /// CSS selector of the article text, overriding detection.
        #[arg(long)]
        selector: Option<String>,
    },
    /// Show the change between two versions: two files (HTML or baseline
    /// text), or two stored versions of a watch (--watch, see `history`).
    /// Exit status: 0 no change, 1 changed, 2 error.
    Diff {
        /// The old version.
        #[arg(required_unless_present = "watch")]
        old: Option<PathBuf>,
        /// The new version.
        #[arg(required_unless_present = "watch")]
        new: Option<PathBuf>,
        /// Print JSON.
        #[arg(long)]
        json: bool,
        /// Neutralise text matching this regex before comparing (repeatable).
        #[arg(long)]
        ignore: Vec<String>,
        /// Compare stored versions of this watch, with its rules.
        #[arg(long, requires = "config", conflicts_with_all = ["old", "new"])]
        watch: Option<String>,
        /// The config file (with --watch).
        #[arg(long, short)]
        config: Option<PathBuf>,
        /// With --watch: the old version (default: the one before --to).
        #[arg(long, requires = "watch")]
        from: Option<i64>,
        /// With --watch: the new version (default: the latest).
        #[arg(long, requires = "watch")]
        to: Option<i64>,
    },
    /// List the stored versions of a watch, each with what changed, and its
    /// takedowns and restores; or print one version's text (--show).
    History {
        /// The config file.
        #[arg(long, short)]
        config: PathBuf,
        /// The watch.
        watch: String,
        /// Print the stored text of this version (an article's text, a
        /// listing's items).
        #[arg(long, value_name = "V")]
        show: Option<i64>,
    },
    /// Export the kept raw responses as a WARC file (request, response or
    /// revisit, and metadata records; a warcinfo record first).
    Export {
        /// The config file.
        #[arg(long, short)]
        config: PathBuf,
        /// Only this watch.
        #[arg(long)]
        watch: Option<String>,
        /// Only responses fetched since: an RFC 3339 time, a date
        /// (2024-05-14) or an age (30d).
        #[arg(long)]
        since: Option<String>,
        /// The WARC file to write (OUT.warc.gz).
        #[arg(long, required_unless_present = "baselines")]
        warc: Option<PathBuf>,
        /// Also (or only) write the accepted baselines into DIR as files
        /// (`<watch>.txt`): with `state_url`, the database holds them.
        #[arg(long, value_name = "DIR")]
        baselines: Option<PathBuf>,
    },
    /// Write the static evidence viewer (plain HTML, no scripts) into DIR.
    Report {
        /// The config file.
        #[arg(long, short)]
        config: PathBuf,
        /// The directory to write.
        #[arg(long)]
        out: PathBuf,
    },
    /// Re-hash every kept raw response and version against the database.
    /// Exit status: 0 all match, 1 a mismatch, 2 error.
    Verify {
        /// The config file.
        #[arg(long, short)]
        config: PathBuf,
    },
    /// Check the config and print every problem.
    Validate {
        /// The config file.
        #[arg(long, short)]
        config: PathBuf,
    },
    /// Save each watch's current response into DIR for replay.
    Record {
        /// The config file.
        #[arg(long, short)]
        config: PathBuf,
        /// Directory to write recordings and manifest.toml into.
        #[arg(long, value_name = "DIR")]
        to: PathBuf,
        /// Record only this watch.
        #[arg(long)]
        watch: Option<String>,
    },
    /// Send a sample alert through each channel (or one) and report success
    /// or the exact failure (DNS, TLS, authentication, HTTP status).
    TestAlert {
        /// The config file.
        #[arg(long, short)]
        config: PathBuf,
        /// Only this channel.
        #[arg(long)]
        channel: Option<String>,
    },
    /// Print a table of the watches: last check, result, last change, next
    /// due, consecutive failures, pending alerts.
    Status {
        /// The config file.
        #[arg(long, short)]
        config: PathBuf,
    },
    /// Show the outbox, retry dead alerts or drop them.
    Outbox {
        /// The config file (before or after the action: `outbox list --config FILE`).
        #[arg(long, short, global = true)]
        config: Option<PathBuf>,
        #[command(subcommand)]
        action: OutboxAction,
    },
}

#[derive(Subcommand)]
enum OutboxAction {
    /// List undelivered alerts (pending and dead) and disabled channels.
    List {
        /// Include delivered alerts.
        #[arg(long)]
        all: bool,
    },
    /// Make undelivered alerts due now (enabling disabled channels) and deliver them.
    Retry {
        /// Only this alert.
        id: Option<String>,
    },
    /// Remove undelivered alerts: one by id, or all with --all.
    Drop {
        /// The alert to drop.
        #[arg(required_unless_present = "all")]
        id: Option<String>,
        /// Drop every undelivered alert.
        #[arg(long, conflicts_with = "id")]
        all: bool,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    if !matches!(cli.command, Command::Run { .. }) {
        exit_quietly_on_broken_pipe();
    }
    let default_level = match (&cli.command, cli.verbose) {
        (_, 2..) => "debug",
        (Command::Run { .. }, _) | (_, 1) => "info",
        _ => "warn",
    };
    init_logging(&cli.log_format, default_level);
    // Blocking threads run parsing (one per core, by permit), storage and DNS
    // lookups; a small pool keeps memory flat (each thread that allocates
    // gets an allocator arena of its own).
    let rt = match tokio::runtime::Builder::new_multi_thread()
        .max_blocking_threads(6)
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::from(2);
        }
    };
    match rt.block_on(dispatch(cli.command)) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
    }
}

/// A command whose output is cut short (`presswatch diff ... | head`) ends
/// quietly, as Unix tools do, instead of panicking on the failed write. Not
/// for the daemon, which keeps ignoring SIGPIPE: its sockets report the
/// error instead.
fn exit_quietly_on_broken_pipe() {
    // SAFETY: called before any other thread exists; SIG_DFL is a valid disposition.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}

/// Logs go to journald when stderr is connected to the journal (systemd
/// sets JOURNAL_STREAM), else to stderr: JSON with `--log-format json`,
/// coloured text on a terminal, plain text otherwise. Whatever `RUST_LOG`
/// says, lettre logs at most at info level (see [`no_smtp_traffic`]).
fn init_logging(format: &str, default_level: &str) {
    use std::io::IsTerminal;
    use tracing_subscriber::prelude::*;
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new(format!("presswatch={default_level},warn")));
    let logs = tracing_subscriber::registry()
        .with(filter)
        .with(no_smtp_traffic());
    if format == "json" {
        logs.with(
            tracing_subscriber::fmt::layer()
                .with_writer(std::io::stderr)
                .json(),
        )
        .init();
        return;
    }
    if stderr_is_journal() {
        if let Ok(journald) = tracing_journald::layer() {
            logs.with(journald.with_syslog_identifier("presswatch".into()))
                .init();
            return;
        }
    }
    logs.with(
        tracing_subscriber::fmt::layer()
            .with_writer(std::io::stderr)
            .with_ansi(std::io::stderr().is_terminal())
            .with_target(false),
    )
    .init();
}

/// Drops lettre's debug and trace events: at debug level lettre logs every
/// SMTP line it writes, `AUTH PLAIN` with the base64 of the password
/// included. Secrets never reach the logs, whatever `RUST_LOG` asks for.
fn no_smtp_traffic() -> tracing_subscriber::filter::FilterFn {
    tracing_subscriber::filter::filter_fn(|meta| {
        !(meta.target().starts_with("lettre") && *meta.level() > tracing::Level::INFO)
    })
}

/// True when stderr is the journal stream systemd connected (JOURNAL_STREAM
/// names its device and inode).
fn stderr_is_journal() -> bool {
    use std::os::fd::AsFd;
    use std::os::unix::fs::MetadataExt;
    let Ok(stream) = std::env::var("JOURNAL_STREAM") else {
        return false;
    };
    let Some((dev, ino)) = stream.split_once(':') else {
        return false;
    };
    let Ok(fd) = std::io::stderr().as_fd().try_clone_to_owned() else {
        return false;
    };
    std::fs::File::from(fd)
        .metadata()
        .is_ok_and(|m| dev.parse() == Ok(m.dev()) && ino.parse() == Ok(m.ino()))
}

/// `--since`: an RFC 3339 time, a date (midnight UTC) or an age (`30d`).
fn parse_since(s: &str) -> Result<chrono::DateTime<chrono::Utc>, String> {
    if let Ok(t) = chrono::DateTime::parse_from_rfc3339(s) {
        return Ok(t.with_timezone(&chrono::Utc));
    }
    if let Ok(d) = chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d") {
        return Ok(d.and_time(chrono::NaiveTime::MIN).and_utc());
    }
    let age = presswatch::config::parse_duration(s).map_err(|_| {
        format!("--since {s:?}: give an RFC 3339 time, a date (2024-05-14) or an age (30d)")
    })?;
    Ok(chrono::Utc::now() - chrono::Duration::from_std(age).map_err(|e| e.to_string())?)
}

fn load_config(path: &Path) -> Result<Arc<Config>, String> {
    Config::load(path)
        .map(Arc::new)
        .map_err(|e| format!("invalid config:\n{e}"))
}

async fn dispatch(command: Command) -> Result<ExitCode, String> {
    match command {
        Command::Check {
            config,
            watch,
            dry_run,
            replay,
        } => cmd_check(&config, watch.as_deref(), dry_run, replay.as_deref()).await,
        Command::Run { config } => {
            let cfg = load_config(&config)?;
            presswatch::daemon::run(cfg).await?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Extract {
            corpus: Some(dir),
            out,
            ..
        } => cmd_extract_corpus(&dir, out.as_deref()),
        Command::Extract {
            source,
            json,
            selector,
            ..
        } => {
            cmd_extract(
                source.as_deref().unwrap_or_default(),
                json,
                selector.as_deref(),
            )
            .await
        }
        Command::Diff {
            old,
            new,
            json,
            ignore,
            watch,
            config,
            from,
            to,
        } => match (watch, config, old, new) {
            (Some(watch), Some(config), _, _) => {
                cmd_diff_watch(&config, &watch, from, to, json, &ignore)
            }
            (_, _, Some(old), Some(new)) => {
                let a = load_version(&old)?;
                let b = load_version(&new)?;
                let rules = Rules {
                    ignore: ignore_rules(&ignore)?,
                    min_change: 0,
                };
                let name = new.display().to_string();
                let about = presswatch::history::About {
                    watch: "diff",
                    url: &name,
                    outlet: b.canonical_url.as_deref().unwrap_or(&name),
                    detected_at: chrono::Utc::now()
                        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                };
                print_diff(presswatch::history::documents(
                    &a,
                    &b,
                    &rules,
                    json,
                    &about,
                    &render::Context::default(),
                )?)
            }
            _ => Err("diff needs OLD and NEW files, or --watch with --config".into()),
        },
        Command::History {
            config,
            watch,
            show,
        } => {
            let cfg = load_config(&config)?;
            let w = cfg
                .watch(&watch)
                .ok_or_else(|| format!("no watch named {watch:?} in {}", config.display()))?;
            let state = store::State::for_config(&cfg.daemon, false)?;
            match show {
                Some(seq) => print!("{}", presswatch::history::show(&state, &cfg, w, seq)?),
                None => print!("{}", presswatch::history::table(&state, &cfg, w)?),
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Export {
            config,
            watch,
            since,
            warc,
            baselines,
        } => {
            let cfg = load_config(&config)?;
            let since = since.as_deref().map(parse_since).transpose()?;
            let state = store::State::for_config(&cfg.daemon, false)?;
            if let Some(warc) = warc {
                let n = presswatch::evidence::export::export(
                    &cfg,
                    &state,
                    watch.as_deref(),
                    since,
                    &warc,
                )?;
                println!(
                    "{}: {} records ({} responses, {} revisits, {} takedowns and restores)",
                    warc.display(),
                    n.records,
                    n.responses,
                    n.revisits,
                    n.events
                );
            }
            if let Some(dir) = baselines {
                let n =
                    store::Baselines::for_state(&cfg.daemon.baseline_dir, &state).export(&dir)?;
                if state.shared().is_some() {
                    println!("{}: {n} baselines", dir.display());
                } else {
                    println!(
                        "the baselines are files already, in {} (state_url is not set)",
                        cfg.daemon.baseline_dir.display()
                    );
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Report { config, out } => {
            let cfg = load_config(&config)?;
            let state = store::State::for_config(&cfg.daemon, false)?;
            let n = presswatch::evidence::report::write(&cfg, &state, &out)?;
            println!(
                "{}: {} watches, {} version pages, {} raw bodies written; open {}",
                out.display(),
                n.watches,
                n.versions,
                n.raw,
                out.join("index.html").display()
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Verify { config } => {
            let cfg = load_config(&config)?;
            let state = store::State::for_config(&cfg.daemon, false)?;
            let v = presswatch::evidence::verify::verify(&state)?;
            for p in &v.problems {
                println!("MISMATCH {p}");
            }
            println!(
                "verified {} raw bodies and {} versions: {} mismatches",
                v.bodies,
                v.versions,
                v.problems.len()
            );
            Ok(if v.problems.is_empty() {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            })
        }
        Command::Validate { config } => cmd_validate(&config),
        Command::Record { config, to, watch } => cmd_record(&config, &to, watch.as_deref()).await,
        Command::Outbox { config, action } => {
            let config = config
                .ok_or("outbox needs the config file: `presswatch outbox list --config FILE`")?;
            cmd_outbox(&config, action).await
        }
        Command::TestAlert { config, channel } => cmd_test_alert(&config, channel.as_deref()).await,
        Command::Status { config } => {
            let cfg = load_config(&config)?;
            let state = store::State::for_config(&cfg.daemon, false)?;
            print!(
                "{}",
                presswatch::status::table(&cfg, &state, chrono::Utc::now().timestamp())?
            );
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// `validate`: the config text, then what it cannot show (directories,
/// secrets). Exit 1 when anything would break the daemon.
fn cmd_validate(path: &Path) -> Result<ExitCode, String> {
    use presswatch::preflight::{self, Severity};
    use presswatch::text::plural;
    let config = match Config::load(path) {
        Ok(c) => c,
        Err(errors) => {
            for e in &errors.0 {
                println!("{e}");
            }
            println!("{} found", plural(errors.0.len(), "problem", "problems"));
            return Ok(ExitCode::from(1));
        }
    };
    let mut findings = preflight::directories(&config);
    findings.extend(preflight::secrets(&config));
    findings.sort_by_key(|f| (f.severity == Severity::NotChecked, f.error.line));
    for f in &findings {
        println!("{}", f.error);
    }
    let problems = findings
        .iter()
        .filter(|f| f.severity == Severity::Problem)
        .count();
    if problems > 0 {
        println!("{} found", plural(problems, "problem", "problems"));
        return Ok(ExitCode::from(1));
    }
    let unchecked = findings.len();
    println!(
        "{}: OK ({}, {}){}",
        path.display(),
        plural(config.watches.len(), "watch", "watches"),
        plural(config.channels.len(), "channel", "channels"),
        if unchecked > 0 {
            format!(
                "; {} not checked here (see above)",
                plural(unchecked, "secret", "secrets")
            )
        } else {
            String::new()
        }
    );
    Ok(ExitCode::SUCCESS)
}

async fn cmd_check(
    config: &Path,
    only: Option<&str>,
    dry_run: bool,
    replay: Option<&Path>,
) -> Result<ExitCode, String> {
    let cfg = load_config(config)?;
    let fetcher = match replay {
        Some(dir) => Fetcher::Replay(Replay::open(dir).map_err(|e| e.to_string())?),
        None => Fetcher::for_config(&cfg).map_err(|e| e.to_string())?,
    };
    let watches: Vec<_> = match only {
        Some(name) => vec![cfg
            .watch(name)
            .ok_or_else(|| format!("no watch named {name:?} in {}", config.display()))?],
        None => cfg.watches.iter().collect(),
    };
    let ctx = Context::open(cfg.clone(), fetcher, dry_run)?;
    let reports = check::check_all(&ctx, &watches).await;
    let width = reports.iter().map(|r| r.watch.len()).max().unwrap_or(0);
    for r in &reports {
        println!("{}", check::summary_line(r, width));
    }
    println!("{}", check::total_line(&reports));
    if dry_run {
        for a in reports.iter().flat_map(|r| &r.alerts) {
            println!("\n===== alert {} (dry run: not sent) =====", a.id);
            println!("Subject: {}\n", a.subject());
            print!("{}", render::text(a, &render::Context::of(&cfg)));
        }
    } else {
        if let Some(d) = deliver_unless_daemon(&cfg, &ctx.state).await? {
            if d.sent + d.retrying + d.dead > 0 {
                println!(
                    "delivery: {} sent, {} will be retried, {} dead",
                    d.sent, d.retrying, d.dead
                );
            }
        }
    }
    let errors = reports
        .iter()
        .any(|r| matches!(r.outcome, check::Outcome::Error(_)));
    Ok(if errors {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// Reads a file, gunzipping `.gz`.
fn read_file(path: &Path) -> Result<Vec<u8>, String> {
    let bytes = std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    if path.extension().is_some_and(|e| e == "gz") {
        let mut out = Vec::new();
        flate2::read::GzDecoder::new(&bytes[..])
            .read_to_end(&mut out)
            .map_err(|e| format!("cannot gunzip {}: {e}", path.display()))?;
        return Ok(out);
    }
    Ok(bytes)
}

async fn cmd_extract(source: &str, json: bool, selector: Option<&str>) -> Result<ExitCode, String> {
    let (html, url) = if source.starts_with("http://") || source.starts_with("https://") {
        let url = url::Url::parse(source).map_err(|e| format!("bad URL {source}: {e}"))?;
        let settings = Config::parse(Path::new("(defaults)"), "")
            .map_err(|e| e.to_string())?
            .daemon;
        let fetcher = Fetcher::http(&settings).map_err(|e| e.to_string())?;
        let policy = fetch::NetworkPolicy::trusting_host_of(&url);
        match fetcher
            .fetch(&url, &Default::default(), &policy)
            .await
            .map_err(|e| format!("fetching {url}: {e}"))?
        {
            fetch::Fetched::Page(r) => (r.text(), Some(r.final_url)),
            fetch::Fetched::NotModified => return Err("unexpected 304".into()),
        }
    } else {
        (
            presswatch::charset::decode(&read_file(Path::new(source))?, None),
            None,
        )
    };
    let doc = extract::watched_article(&html, url.as_ref(), selector);
    if json {
        println!(
            "{}",
            serde_json::to_string_pretty(&doc).map_err(|e| e.to_string())?
        );
    } else {
        for (k, v) in [
            ("Title", &doc.title),
            ("Byline", &doc.byline),
            ("Published", &doc.published),
            ("Modified", &doc.modified),
            ("URL", &doc.canonical_url),
            ("Language", &doc.lang),
            ("Direction", &doc.dir),
        ] {
            if let Some(v) = v {
                println!("{k}: {v}");
            }
        }
        println!();
        for b in &doc.blocks {
            println!("{}\n", b.text);
        }
        // The page's other prose, as the baseline keeps it for the safety net.
        for p in &doc.other_prose {
            println!("Other-Prose: {p}");
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn cmd_extract_corpus(dir: &Path, out: Option<&Path>) -> Result<ExitCode, String> {
    let run = extract::extract_corpus(dir).map_err(|e| format!("{e:#}"))?;
    if let Some(out) = out {
        let json = serde_json::to_string_pretty(&run.predictions).map_err(|e| e.to_string())?;
        std::fs::write(out, json).map_err(|e| format!("cannot write {}: {e}", out.display()))?;
    }
    println!("{}", run.summary());
    Ok(ExitCode::SUCCESS)
}

/// Loads a diff operand: HTML is extracted, anything else is baseline text.
fn load_version(path: &Path) -> Result<Document, String> {
    let text = presswatch::charset::decode(&read_file(path)?, None);
    let head = text
        .trim_start()
        .chars()
        .take(512)
        .collect::<String>()
        .to_ascii_lowercase();
    let is_html = head.starts_with("<!doctype html")
        || head.starts_with("<html")
        || head.contains("<body")
        || head.contains("<head");
    Ok(if is_html {
        extract::watched_article(&text, None, None)
    } else {
        Document::from_baseline(&text)
    })
}

fn ignore_rules(patterns: &[String]) -> Result<Vec<regex::Regex>, String> {
    patterns
        .iter()
        .map(|p| regex::Regex::new(p).map_err(|e| format!("--ignore {p:?}: {e}")))
        .collect()
}

/// `diff --watch`: two stored versions, compared with the watch's rules.
fn cmd_diff_watch(
    config: &Path,
    watch: &str,
    from: Option<i64>,
    to: Option<i64>,
    json: bool,
    ignore: &[String],
) -> Result<ExitCode, String> {
    let cfg = load_config(config)?;
    let w = cfg
        .watch(watch)
        .ok_or_else(|| format!("no watch named {watch:?} in {}", config.display()))?;
    let state = store::State::for_config(&cfg.daemon, false)?;
    let mut rules = w.rules();
    rules.ignore.extend(ignore_rules(ignore)?);
    print_diff(presswatch::history::diff(
        &state, &cfg, w, from, to, &rules, json,
    )?)
}

/// Prints a diff; exit status 1 when the versions differ, as diff(1).
fn print_diff(diff: presswatch::history::Diff) -> Result<ExitCode, String> {
    print!("{}", diff.output);
    Ok(if diff.changed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

async fn cmd_record(config: &Path, to: &Path, only: Option<&str>) -> Result<ExitCode, String> {
    let cfg = load_config(config)?;
    store::create_private_dir(to).map_err(|e| format!("cannot create {}: {e}", to.display()))?;
    let fetcher = Fetcher::for_config(&cfg).map_err(|e| e.to_string())?;
    let targets: Vec<&presswatch::config::Watch> = cfg
        .watches
        .iter()
        .filter(|w| only.is_none_or(|o| o == w.name))
        .collect();
    if targets.is_empty() {
        return Err(format!("no watch to record in {}", config.display()));
    }
    let mut failed = false;
    for (name, res) in fetch::record(&fetcher, to, &targets).await {
        match res {
            Ok(file) => println!("{name}: recorded {}", to.join(file).display()),
            Err(e) => {
                failed = true;
                println!("{name}: error: {e}");
            }
        }
    }
    Ok(if failed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// How long a command waits for another command that is delivering alerts.
const DELIVERY_WAIT: std::time::Duration = std::time::Duration::from_secs(60);

/// Delivers the due alerts, unless a daemon runs on the state directory:
/// then it delivers them (within a second), and this says so. `None` when
/// delivery was left to the daemon (see [`store::StateLock`]).
async fn deliver_unless_daemon(
    cfg: &Config,
    state: &store::State,
) -> Result<Option<notify::DeliveryReport>, String> {
    if cfg.daemon.state_url.is_some() {
        // PostgreSQL: each replica claims the entries it sends.
        return Ok(Some(
            notify::deliver_due(cfg, state, &http_client(cfg)?).await?,
        ));
    }
    match store::StateLock::take(&cfg.daemon.state_dir, store::Role::Delivery, DELIVERY_WAIT)
        .await?
    {
        Ok(_delivering) => Ok(Some(
            notify::deliver_due(cfg, state, &http_client(cfg)?).await?,
        )),
        Err(holder) => {
            let doing = match holder.role {
                store::Role::Daemon => {
                    "running on this state directory, which delivers due alerts within a second"
                }
                store::Role::Delivery => "delivering alerts from this state directory",
            };
            println!("delivery: left to {} {doing}", holder.describe());
            Ok(None)
        }
    }
}

/// The HTTP client for webhooks.
fn http_client(cfg: &Config) -> Result<reqwest::Client, String> {
    reqwest::Client::builder()
        .user_agent(&cfg.daemon.user_agent)
        .build()
        .map_err(|e| format!("cannot set up HTTP: {e}"))
}

async fn cmd_test_alert(config: &Path, only: Option<&str>) -> Result<ExitCode, String> {
    let cfg = load_config(config)?;
    let channels: Vec<_> = cfg
        .channels
        .iter()
        .filter(|c| only.is_none_or(|o| o == c.name))
        .collect();
    if channels.is_empty() {
        return Err(match only {
            Some(name) => format!("no channel named {name:?} in {}", config.display()),
            None => format!("{} defines no channel", config.display()),
        });
    }
    let http = http_client(&cfg)?;
    let policy = notify::RetryPolicy::default();
    let alert = presswatch::alert::test_alert();
    let state = store::State::for_config(&cfg.daemon, false)?;
    let installation = notify::Installation::of(&cfg, &state)?;
    let thread = store::Thread::default();
    let width = channels.iter().map(|c| c.name.len()).max().unwrap_or(0);
    let mut failed = false;
    for ch in channels {
        let target = notify::channel_target(ch);
        let out = notify::Outgoing::Alert(&alert, &thread);
        match notify::send(ch, &out, &http, &policy, &installation).await {
            Ok(()) => println!("{:<width$}  OK      sent to {target}", ch.name),
            Err(f) => {
                failed = true;
                println!("{:<width$}  FAILED  {}", ch.name, f.message);
            }
        }
    }
    Ok(if failed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// `2026-11-22 08:00:00 UTC` from Unix time.
fn fmt_time(t: i64) -> String {
    chrono::DateTime::from_timestamp(t, 0)
        .map(|d| d.format("%Y-%m-%d %H:%M:%S UTC").to_string())
        .unwrap_or_else(|| t.to_string())
}

/// The error for an id that names no undelivered alert.
fn no_such_alert(cfg: &Config, id: &str) -> String {
    format!(
        "no undelivered alert has the id {id:?}: `{}` lists them",
        cfg.command("outbox list")
    )
}

async fn cmd_outbox(config: &Path, action: OutboxAction) -> Result<ExitCode, String> {
    let cfg = load_config(config)?;
    let state = store::State::for_config(&cfg.daemon, false)?;
    let now = chrono::Utc::now().timestamp();
    match action {
        OutboxAction::List { all } => {
            let entries: Vec<_> = state
                .outbox(None, None)
                .map_err(|e| e.to_string())?
                .into_iter()
                .filter(|e| all || e.status != OutboxStatus::Sent)
                .collect();
            for ch in &cfg.channels {
                if let Some(d) = state
                    .channel_disabled(&ch.name)
                    .map_err(|e| e.to_string())?
                {
                    println!(
                        "channel {} is DISABLED: {} (fix its URL, or run `{}`)",
                        ch.name,
                        d.reason,
                        cfg.command("outbox retry")
                    );
                }
            }
            if entries.is_empty() {
                println!("outbox is empty: every alert was delivered");
            }
            let outbox = Outbox::read(&DigestPlan::of(&cfg), &state, now)?;
            for e in &entries {
                let status = match outbox.waiting(e) {
                    Waiting::Due if e.next_attempt > now => {
                        format!("waiting, next attempt {}", fmt_time(e.next_attempt))
                    }
                    Waiting::Due => "waiting, due now".to_string(),
                    Waiting::Digest { schedule, at } => format!(
                        "held for the {}: goes out at {}",
                        digest::describe(schedule),
                        outbox.plan().local_time(at, now)
                    ),
                    Waiting::Retrying { next, .. } => {
                        format!("delivery failed, retrying at {}", fmt_time(next))
                    }
                    Waiting::Sent => "sent".to_string(),
                    Waiting::Dead => format!(
                        "DEAD: retry with `{}`",
                        cfg.command(&format!("outbox retry {}", e.alert_id))
                    ),
                };
                println!(
                    "{}  channel {}  watch {}  {}  created {}  attempts {}  {status}",
                    e.alert_id,
                    e.channel,
                    e.watch,
                    e.kind,
                    fmt_time(e.created_at),
                    e.attempts
                );
                if let Some(err) = &e.last_error {
                    println!("    last error: {err}");
                }
            }
            if !entries.is_empty() {
                println!("outbox: {}", outbox.summary().describe(outbox.plan(), now));
            }
            let dead = entries
                .iter()
                .filter(|e| e.status == OutboxStatus::Dead)
                .count();
            Ok(if dead > 0 {
                ExitCode::from(1)
            } else {
                ExitCode::SUCCESS
            })
        }
        OutboxAction::Retry { id } => {
            let outbox = Outbox::read(&DigestPlan::of(&cfg), &state, now)?;
            let targeted: Vec<_> = state
                .outbox(None, None)
                .map_err(|e| e.to_string())?
                .into_iter()
                .filter(|e| e.status != OutboxStatus::Sent)
                .filter(|e| id.as_ref().is_none_or(|id| *id == e.alert_id))
                .collect();
            if let (Some(id), true) = (&id, targeted.is_empty()) {
                return Err(no_such_alert(&cfg, id));
            }
            let mut held = 0;
            for e in &targeted {
                let digest_channel = cfg
                    .channels
                    .iter()
                    .find(|c| c.name == e.channel)
                    .map(|c| c.digest)
                    .filter(|d| *d != presswatch::config::DigestSchedule::Off);
                match (outbox.waiting(e), digest_channel) {
                    (Waiting::Digest { schedule, at }, _) => {
                        held += 1;
                        println!(
                            "{} for channel {}: held for the {} at {}. It has not failed, so there is nothing to retry: it goes out with that digest",
                            e.alert_id,
                            e.channel,
                            digest::describe(schedule),
                            outbox.plan().local_time(at, now)
                        );
                    }
                    (Waiting::Retrying { .. } | Waiting::Dead, Some(schedule)) => println!(
                        "{} for channel {}: the {} failed; retrying sends that digest now, with every alert waiting for it",
                        e.alert_id,
                        e.channel,
                        digest::describe(schedule)
                    ),
                    _ => {}
                }
            }
            let n = state.retry(id.as_deref(), now).map_err(|e| e.to_string())?;
            println!(
                "{} due now",
                presswatch::text::plural(n.saturating_sub(held), "entry", "entries")
            );
            let Some(d) = deliver_unless_daemon(&cfg, &state).await? else {
                return Ok(ExitCode::SUCCESS);
            };
            println!(
                "delivery: {} sent, {} will be retried, {} dead",
                d.sent, d.retrying, d.dead
            );
            Ok(if d.retrying + d.dead > 0 {
                ExitCode::from(1)
            } else {
                ExitCode::SUCCESS
            })
        }
        OutboxAction::Drop { id, all } => {
            let id = if all { None } else { id };
            let n = state
                .drop_entries(id.as_deref())
                .map_err(|e| e.to_string())?;
            if let (Some(id), 0) = (&id, n) {
                return Err(no_such_alert(&cfg, id));
            }
            println!("{n} entries dropped");
            Ok(ExitCode::SUCCESS)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parses(line: &str) -> Result<(), String> {
        Cli::try_parse_from(line.split_whitespace())
            .map(|_| ())
            .map_err(|e| format!("{line:?} does not parse:\n{e}"))
    }

    /// Every `presswatch ...` line in a code block of the docs parses as
    /// written (optional `[...]` parts left out, `# comments` cut).
    #[test]
    fn documented_command_lines_parse() {
        let docs = [
            ("README.md", include_str!("../README.md")),
            ("docs/OPERATIONS.md", include_str!("../docs/OPERATIONS.md")),
            ("docs/ALERTS.md", include_str!("../docs/ALERTS.md")),
            ("docs/WEBHOOKS.md", include_str!("../docs/WEBHOOKS.md")),
        ];
        let mut seen = 0;
        for (name, text) in docs {
            let mut in_code = false;
            for line in text.lines() {
                if line.trim_start().starts_with("```") {
                    in_code = !in_code;
                    continue;
                }
                let line = line.split(" #").next().unwrap_or("").trim();
                if !in_code || !line.starts_with("presswatch ") {
                    continue;
                }
                let written: Vec<&str> = line
                    .split_whitespace()
                    .filter(|w| !w.starts_with('[') && !w.ends_with(']'))
                    .collect();
                parses(&written.join(" ")).unwrap_or_else(|e| panic!("{name}: {e}"));
                seen += 1;
            }
        }
        assert!(seen >= 5, "only {seen} command lines found in the docs");
    }

    /// The hints the program prints name the config and parse.
    #[test]
    fn hints_parse() {
        let cfg = Config::parse(Path::new("/etc/presswatch/config.toml"), "").unwrap();
        for args in [
            "outbox list",
            "outbox retry",
            "outbox retry 0123abcd",
            "outbox drop 0123abcd",
            "outbox drop --all",
            "status",
        ] {
            parses(&cfg.command(args)).unwrap();
        }
        parses("presswatch outbox --config c.toml list").unwrap();
    }
}
