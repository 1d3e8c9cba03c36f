//! The commands of the `presswatch` binary, one file each: its arguments
//! and what it does, a thin layer over the library (the daemon calls the
//! same library functions). Helpers that several commands share are here.

use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;

use presswatch::config::Config;
use presswatch::{notify, preflight, store};

pub mod check;
pub mod diff;
pub mod export;
pub mod extract;
pub mod fleet;
pub mod history;
pub mod outbox;
mod progress;
pub mod record;
pub mod report;
pub mod run;
pub mod status;
pub mod test_alert;
pub mod validate;
pub mod verify;

/// The config, or every problem it has.
pub(crate) fn load_config(path: &Path) -> Result<Arc<Config>, String> {
    Config::load(path)
        .map(Arc::new)
        .map_err(|e| format!("invalid config:\n{e}"))
}

/// What `extract FILE` and `diff OLD NEW` take, as their errors name it.
const PAGE_FILE: &str = "a saved HTML page (may be .gz) or a baseline file";

/// The bytes of a page or text file a command compares or extracts
/// (`extract FILE`, `diff OLD NEW`), gunzipped when `.gz`; refused when
/// they are binary data (a NUL byte in a file that is not UTF-16: a PDF,
/// an image, an archive, a program), whose "text" would be printed as
/// noise.
pub(crate) fn page_file_bytes(path: &Path) -> Result<Vec<u8>, String> {
    let bytes = presswatch::corpus::read_page(path, PAGE_FILE)?;
    let head = &bytes[..bytes.len().min(8192)];
    let encoding = presswatch::charset::sniff_encoding(head, None);
    let utf16 = encoding == encoding_rs::UTF_16LE || encoding == encoding_rs::UTF_16BE;
    if head.contains(&0) && !utf16 {
        return Err(format!(
            "{} is no web page or text file: it holds binary data (a PDF, an image, an archive \
             or a program?): give {PAGE_FILE}",
            path.display()
        ));
    }
    Ok(bytes)
}

/// The config and the state it names (`state_url`, or SQLite in
/// `state_dir`), for the commands that report on what checks stored
/// (`status`, `outbox`, `verify`, `report`, `export`, `fleet`), as
/// [`existing_state`] opens it.
pub(crate) fn open_state(path: &Path) -> Result<(Arc<Config>, store::State), String> {
    let cfg = load_config(path)?;
    let state = existing_state(&cfg)?;
    Ok((cfg, state))
}

/// The state of `cfg` for a command that reads what checks stored. A
/// SQLite state directory with no database yet (nothing was checked with
/// this config, or `state_dir` is mistyped) is read as an empty state held
/// in memory: no database is made on the spot, which would be left behind
/// empty; each such command first prints [`nothing_checked_yet`], and
/// answers as of a state where nothing was checked (exit 0), as `history`
/// and `diff --watch` do. A database in a directory no user may write (a
/// read-only mount, an immutable directory: a backup, evidence handed over)
/// is read where it is, changing nothing there.
pub(crate) fn existing_state(cfg: &Config) -> Result<store::State, String> {
    if cfg.daemon.state_url.is_some() {
        return store::State::for_config(&cfg.daemon, false);
    }
    let found = preflight::state_database(cfg, false)?;
    store::State::for_config(&cfg.daemon, found != preflight::StateDatabase::There)
}

/// The state of `cfg` for a command that changes what checks stored
/// (`outbox retry`, `outbox drop`): as [`existing_state`], but a state
/// directory no user may write is refused, saying what forbids it
/// ([`preflight::state_database_to_change`]).
pub(crate) fn existing_state_to_change(cfg: &Config) -> Result<store::State, String> {
    if cfg.daemon.state_url.is_some() {
        return store::State::for_config(&cfg.daemon, false);
    }
    let there = preflight::state_database_to_change(cfg)?;
    store::State::for_config(&cfg.daemon, !there)
}

/// What a command that reads the state says first (on stderr) when no
/// check has made the SQLite state database of `cfg` yet: that nothing was
/// checked yet, what makes the database, and that a mistyped `state_dir`
/// reads so too. `None` when the database is there, or the state is in
/// PostgreSQL (`state_url`).
pub(crate) fn nothing_checked_yet(cfg: &Config) -> Option<String> {
    if cfg.daemon.state_url.is_some() {
        return None;
    }
    let db = cfg.daemon.state_dir.join("presswatch.db");
    if db.try_exists().unwrap_or(true) {
        return None;
    }
    Some(format!(
        "nothing checked yet: there is no state database at {} (the first check makes it): run `{}`, \
         or start the daemon (`systemctl start presswatch`, or `{}`); if checks did run with this \
         config, its state_dir is not where they keep their database",
        db.display(),
        cfg.command("check"),
        cfg.command("run")
    ))
}

/// For a command whose output stands as evidence (`verify`, `export`):
/// an error when no check has made the state database yet. `verify` of a
/// `state_dir` that is mistyped, or of a backup restored elsewhere, must
/// not read as a state whose evidence all matches, nor `export` hand over
/// a WARC that holds nothing as if it were the record.
/// `lead` says what the command cannot do (`nothing to verify, and that is
/// no pass`).
pub(crate) fn nothing_to_attest(cfg: &Config, lead: &str) -> Result<(), String> {
    match nothing_checked_yet(cfg) {
        Some(note) => Err(format!("{lead}: {note}")),
        None => Ok(()),
    }
}

/// Prints [`nothing_checked_yet`] on stderr when it says something: true
/// then.
pub(crate) fn say_nothing_checked_yet(cfg: &Config) -> bool {
    match nothing_checked_yet(cfg) {
        Some(note) => {
            eprintln!("{note}");
            true
        }
        None => false,
    }
}

/// The state of `cfg` for any command, `preview` as [`store::State::for_config`]
/// takes it, once [`preflight::state_database`] found that this user can use
/// it (a preview reads one kept where no user may write it, where it is), or,
/// when it is made here (not `preview`), that this user may make its
/// directory ([`preflight::state_dir_makeable`]), as `check` and `run` say.
pub(crate) fn state(cfg: &Config, preview: bool) -> Result<store::State, String> {
    if cfg.daemon.state_url.is_none() {
        if preview {
            preflight::state_database(cfg, true)?;
        } else {
            preflight::state_dir_makeable(cfg)?;
        }
    }
    store::State::for_config(&cfg.daemon, preview)
}

/// The watch named `name` whose kept evidence a command shows, and the
/// state `open` opens: the config's watch, or one removed from it whose
/// versions the state keeps ([`presswatch::evidence::watches_kept`]). A
/// name neither has is the config's error for a name it lacks, whether
/// the state opens or not.
pub(crate) fn kept_watch(
    cfg: &Config,
    name: &str,
    open: impl FnOnce() -> Result<store::State, String>,
) -> Result<(presswatch::config::Watch, store::State), String> {
    if let Some(w) = cfg.watch(name) {
        return Ok((w.clone(), open()?));
    }
    let state = open().map_err(|_| cfg.no_watch_kept(name, &[]))?;
    let kept = presswatch::evidence::watches_kept(cfg, &state)?;
    if let Some(w) = kept.iter().find(|w| w.name == name) {
        return Ok((w.clone(), state));
    }
    let removed: Vec<&str> = kept
        .iter()
        .filter(|w| cfg.watch(&w.name).is_none())
        .map(|w| w.name.as_str())
        .collect();
    Err(cfg.no_watch_kept(name, &removed))
}

/// Says which kept responses evidence left out (missing, or no longer
/// matching their SHA-256), how many (`noun`: singular and plural) and what
/// that means (`meaning`); returns the exit status to end with: failure when
/// any was left out.
pub(crate) fn left_out(why: &[String], noun: (&str, &str), meaning: &str) -> ExitCode {
    if why.is_empty() {
        return ExitCode::SUCCESS;
    }
    for w in why {
        eprintln!("LEFT OUT {w}");
    }
    eprintln!(
        "{} left out {meaning}",
        presswatch::text::plural(why.len(), noun.0, noun.1)
    );
    ExitCode::FAILURE
}

/// Prints a warning line on stderr for each version shown whose stored text
/// was altered since it was kept ([`presswatch::integrity::AlteredText`]);
/// true when there was one (the command then exits 1, its output kept).
pub(crate) fn warn_altered(warnings: &[String]) -> bool {
    for w in warnings {
        eprintln!("WARNING {w}");
    }
    !warnings.is_empty()
}

/// How long a command waits for another command that is delivering alerts.
const DELIVERY_WAIT: std::time::Duration = std::time::Duration::from_secs(60);

/// Delivers the due alerts, unless a daemon runs on the state directory:
/// then it delivers them (within a second), and this says so. `None` when
/// delivery was left to the daemon (see [`store::StateLock`]).
pub(crate) async fn deliver_unless_daemon(
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

/// What a command's delivery did, as it prints it; when some failed, the
/// command that shows why.
pub(crate) fn delivery_line(cfg: &Config, d: &notify::DeliveryReport) -> String {
    let line = format!(
        "delivery: {} sent, {} will be retried, {} dead",
        d.sent, d.retrying, d.dead
    );
    if d.retrying + d.dead == 0 {
        return line;
    }
    format!("{line}: `{}` shows why", cfg.command("outbox list"))
}

/// The HTTP client for webhooks.
pub(crate) fn http_client(cfg: &Config) -> Result<reqwest::Client, String> {
    notify::webhook::client(&cfg.daemon.user_agent)
}

/// Unix time `t` in the configured time zone (`daemon.timezone`, UTC by
/// default), to the second: `2026-05-14 11:00:00 CEST`.
pub(crate) fn fmt_time(t: i64, tz: chrono_tz::Tz) -> String {
    chrono::DateTime::from_timestamp(t, 0)
        .map(|d| {
            d.with_timezone(&tz)
                .format("%Y-%m-%d %H:%M:%S %Z")
                .to_string()
        })
        .unwrap_or_else(|| t.to_string())
}

#[cfg(test)]
mod tests {
    use super::fmt_time;

    #[test]
    fn times_are_shown_in_the_configured_zone() {
        let t = 1_715_677_200; // 2024-05-14 09:00 UTC
        assert_eq!(fmt_time(t, chrono_tz::UTC), "2024-05-14 09:00:00 UTC");
        assert_eq!(
            fmt_time(t, chrono_tz::Europe::Berlin),
            "2024-05-14 11:00:00 CEST"
        );
        assert_eq!(
            fmt_time(t, chrono_tz::Asia::Tehran),
            "2024-05-14 12:30:00 +0330"
        );
    }
}
