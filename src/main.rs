//! The `presswatch` command line: a thin layer over the library.

use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod cmd;

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
    /// More log output (repeat for debug). `run` logs what changed and what
    /// failed; `run -v` logs every check, those that found nothing new too.
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    verbose: u8,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// One pass over all watches (or those named by --watch), then exit.
    Check(cmd::check::Check),
    /// Run as a daemon: check each watch on its interval until SIGTERM/SIGINT;
    /// SIGHUP re-reads the config.
    Run(cmd::run::Run),
    /// Print a table of the watches: last check, result, last change, next
    /// due, consecutive failures, pending alerts.
    Status(cmd::status::Status),
    /// Print the extracted article of an HTML file or URL, or extract a whole
    /// corpus directory (--corpus) and report timing.
    Extract(cmd::extract::Extract),
    /// Show the change between two versions: two files (HTML or baseline
    /// text), or two stored versions of a watch (--watch, see `history`).
    /// Exit status: 0 no change, 1 changed, 2 error.
    Diff(cmd::diff::Diff),
    /// List the stored versions of a watch, each with what changed, and its
    /// takedowns, restores and moves; or print one version's text (--show).
    History(cmd::history::History),
    /// Export the kept raw responses as a WARC file (request, response or
    /// revisit, and metadata records; a warcinfo record first).
    Export(cmd::export::Export),
    /// Write the static evidence viewer (plain HTML, no scripts) into DIR.
    Report(cmd::report::Report),
    /// Re-hash every kept raw response and version against the database, and
    /// check each snapshot record against the digest taken when it was kept.
    /// Exit status: 0 all match, 1 a mismatch, 2 error (a malformed
    /// `--record` too), 3 a `--record` no kept version holds (mistyped, or
    /// its version pruned), and no mismatch.
    Verify(cmd::verify::Verify),
    /// Check the config and print every problem.
    Validate(cmd::validate::Validate),
    /// Send a sample alert through each channel (or one) and report success
    /// or the exact failure (DNS, TLS, authentication, HTTP status).
    TestAlert(cmd::test_alert::TestAlert),
    /// Save each watch's current response into DIR for replay.
    Record(cmd::record::Record),
    /// List the undelivered alerts, deliver them now (retry) or drop them.
    Outbox(cmd::outbox::Outbox),
    /// Forget a replica of a PostgreSQL fleet that left without a clean
    /// stop, whose settings of a channel hold its alerts.
    Fleet(cmd::fleet::Fleet),
}

impl Command {
    /// Runs the command.
    async fn run(self) -> Result<ExitCode, String> {
        match self {
            Command::Check(c) => c.run().await,
            Command::Run(c) => c.run().await,
            Command::Extract(c) => c.run().await,
            Command::Diff(c) => c.run().await,
            Command::History(c) => c.run().await,
            Command::Export(c) => c.run().await,
            Command::Report(c) => c.run().await,
            Command::Verify(c) => c.run().await,
            Command::Validate(c) => c.run().await,
            Command::Record(c) => c.run().await,
            Command::TestAlert(c) => c.run().await,
            Command::Status(c) => c.run().await,
            Command::Outbox(c) => c.run().await,
            Command::Fleet(c) => c.run().await,
        }
    }
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let args: Vec<String> = std::env::args().collect();
            if let Some(hint) = config_without_flag(&e, &args) {
                eprintln!("error: {hint}");
                return ExitCode::from(2);
            }
            e.exit()
        }
    };
    if !matches!(cli.command, Command::Run(_)) {
        exit_quietly_on_broken_pipe();
    }
    // The daemon logs its events at info; `run -v` adds every check, the
    // ones that found nothing new too (logged at debug).
    let default_level = match (&cli.command, cli.verbose) {
        (_, 2..) | (Command::Run(_), 1) => "debug",
        (Command::Run(_), _) | (_, 1) => "info",
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
    match rt.block_on(cli.command.run()) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
    }
}

/// The config file given without `--config` (`presswatch check
/// config.toml`), which clap calls only an unexpected argument or a missing
/// `--config`: what to write instead, the command line with `--config`
/// before the file.
fn config_without_flag(e: &clap::Error, args: &[String]) -> Option<String> {
    use clap::error::ErrorKind;
    if !matches!(
        e.kind(),
        ErrorKind::UnknownArgument | ErrorKind::MissingRequiredArgument
    ) || args
        .iter()
        .any(|a| a == "--config" || a.starts_with("--config="))
    {
        return None;
    }
    let at = args.iter().skip(1).position(|a| {
        !a.starts_with('-')
            && (a.to_ascii_lowercase().ends_with(".toml")
                || (e.kind() == ErrorKind::UnknownArgument && std::path::Path::new(a).is_file()))
    })? + 1;
    let quote = presswatch::text::shell_word;
    let fixed: Vec<String> = std::iter::once("presswatch".to_string())
        .chain(args.iter().enumerate().skip(1).map(|(i, a)| match i == at {
            true => format!("--config {}", quote(a)),
            false => quote(a),
        }))
        .collect();
    Some(format!(
        "{} is given without --config: the config file follows --config; write `{}`",
        args[at],
        fixed.join(" ")
    ))
}

/// A command whose output is cut short (`presswatch diff ... | head`) ends
/// as `cat` does, killed by SIGPIPE, quietly, instead of panicking on the
/// failed write. SIGPIPE itself stays ignored, so that a socket the other end
/// closed (an HTTPS URL whose server answers in plain HTTP and hangs up, a
/// webhook receiver resetting) is an error the command reports in words,
/// not a silent death with status 141: only a write to stdout raises it.
fn exit_quietly_on_broken_pipe() {
    let default = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let payload = info.payload();
        let message = payload
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| payload.downcast_ref::<&str>().copied())
            .unwrap_or_default();
        let broken_pipe = format!("(os error {})", libc::EPIPE);
        if message.starts_with("failed printing to stdout") && message.ends_with(&broken_pipe) {
            // SAFETY: SIG_DFL is a valid disposition; raising it ends the
            // process as the shell expects of a pipeline cut short.
            unsafe {
                libc::signal(libc::SIGPIPE, libc::SIG_DFL);
                libc::raise(libc::SIGPIPE);
            }
        }
        default(info)
    }));
}

/// Logs go to journald when stderr is connected to the journal (systemd
/// sets JOURNAL_STREAM), else to stderr: JSON with `--log-format json`,
/// coloured text on a terminal, plain text otherwise. lettre is built
/// without its `tracing` feature, so whatever `RUST_LOG` says it logs
/// nothing: at debug level it would log every SMTP line it writes, `AUTH
/// PLAIN` with the base64 of the password included, and its one warning
/// ("no more references to Pool") only said that a channel's connection pool
/// closed. presswatch logs each delivery failure itself, with its alert.
fn init_logging(format: &str, default_level: &str) {
    use std::io::IsTerminal;
    use tracing_subscriber::prelude::*;
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new(format!("presswatch={default_level},warn")));
    let logs = tracing_subscriber::registry().with(filter);
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

#[cfg(test)]
mod tests {
    use super::*;
    use presswatch::config::Config;
    use std::path::Path;

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
            ("docs/COMMANDS.md", include_str!("../docs/COMMANDS.md")),
            ("docs/DETECTION.md", include_str!("../docs/DETECTION.md")),
            (
                "docs/TROUBLESHOOTING.md",
                include_str!("../docs/TROUBLESHOOTING.md"),
            ),
            ("docs/EVIDENCE.md", include_str!("../docs/EVIDENCE.md")),
            ("docs/BENCHMARKS.md", include_str!("../docs/BENCHMARKS.md")),
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

    /// Each option's value in the README's command table is named as
    /// `--help` names it (`--since T`, `--warc OUT.warc.gz`).
    #[test]
    fn documented_value_names_are_the_helps() {
        fn option<'a>(cmd: &'a clap::Command, long: &str) -> Option<&'a clap::Arg> {
            cmd.get_arguments()
                .find(|a| a.get_long() == Some(long))
                .or_else(|| cmd.get_subcommands().find_map(|s| option(s, long)))
        }
        let cli = <Cli as clap::CommandFactory>::command();
        let (mut seen, mut unlike) = (0, Vec::new());
        let rows = include_str!("../README.md")
            .lines()
            .filter(|l| l.starts_with("| `presswatch "));
        for row in rows {
            let usage = row.split('`').nth(1).unwrap_or_default();
            // `outbox list\|retry [ID]\|drop ID`: the word before each `\|`;
            // `[--watch NAME]...`: an option that repeats.
            let words: Vec<&str> = usage
                .split_whitespace()
                .map(|w| w.split("\\|").next().unwrap_or(w))
                .map(|w| w.trim_end_matches("...").trim_matches(['[', ']']))
                .collect();
            let command = cli
                .find_subcommand(words[1])
                .unwrap_or_else(|| panic!("README: no command {}", words[1]));
            for (i, long) in words.iter().enumerate() {
                let Some(long) = long.strip_prefix("--") else {
                    continue;
                };
                let arg = option(command, long)
                    .unwrap_or_else(|| panic!("README: {} has no --{long}", words[1]));
                if !arg.get_action().takes_values() {
                    continue;
                }
                let help = arg
                    .get_value_names()
                    .and_then(|v| v.first())
                    .map(|v| v.to_string())
                    .unwrap_or_else(|| arg.get_id().to_string().to_uppercase());
                let written = words.get(i + 1).copied().unwrap_or_default();
                if written != help {
                    unlike.push(format!("`{usage}`: --{long} {written}, --help: {help}"));
                }
                seen += 1;
            }
        }
        assert!(seen >= 10, "only {seen} option values found in the README");
        assert!(
            unlike.is_empty(),
            "README unlike --help:\n{}",
            unlike.join("\n")
        );
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
            "outbox drop --channel press-office",
            "status",
        ] {
            parses(&cfg.command(args)).unwrap();
        }
        parses("presswatch outbox --config c.toml list").unwrap();
    }
}
