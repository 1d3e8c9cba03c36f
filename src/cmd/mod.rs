//! The commands of the `presswatch` binary, one file each: its arguments
//! and what it does, a thin layer over the library (the daemon calls the
//! same library functions). Helpers that several commands share are here.

use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;

use presswatch::config::Config;
use presswatch::{notify, store};

pub mod check;
pub mod diff;
pub mod export;
pub mod extract;
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

/// The config and the state it names (`state_url`, or SQLite in
/// `state_dir`), for the commands that report on what checks stored
/// (`status`, `outbox`, `verify`, `report`, `export`): a
/// SQLite state directory with no database is an error, never an empty
/// database made on the spot, which would show every watch as never checked,
/// or "verify" as sound, when `state_dir` is mistyped or a backup was
/// restored elsewhere.
pub(crate) fn open_state(path: &Path) -> Result<(Arc<Config>, store::State), String> {
    let cfg = load_config(path)?;
    let state = existing_state(&cfg)?;
    Ok((cfg, state))
}

/// What to say of a config with no `[[watch]]` (an empty file, the wrong
/// file, every watch commented out): there is nothing to check, and how to
/// add a watch (the file's name not included).
pub(crate) fn no_watches(cfg: &Config) -> Option<String> {
    if !cfg.watches.is_empty() {
        return None;
    }
    let empty = std::fs::read_to_string(&cfg.path).is_ok_and(|t| {
        t.lines()
            .all(|l| l.trim().is_empty() || l.trim_start().starts_with('#'))
    });
    let what = if empty {
        "the file is empty (is --config the right file?)"
    } else {
        "no [[watch]]"
    };
    Some(format!(
        "{what}: there is nothing to check; add a [[watch]] for each page, with a name and a url \
         (name = \"iranwire-rasoulof\", url = \"https://iranwire.example/en/news/…\"; see README.md, Configuration)"
    ))
}

/// The state of `cfg`, as [`open_state`] opens it.
pub(crate) fn existing_state(cfg: &Config) -> Result<store::State, String> {
    if cfg.daemon.state_url.is_none() && !sqlite_reachable(cfg, false)? {
        return Err(format!(
            "no state database at {}: nothing was checked with this config's state_dir yet \
             (is `state_dir` right? `presswatch run` or `presswatch check` creates it)",
            cfg.daemon.state_dir.join("presswatch.db").display()
        ));
    }
    store::State::for_config(&cfg.daemon, false)
}

/// The state of `cfg` for any command, `preview` as [`store::State::for_config`]
/// takes it, once [`sqlite_reachable`] found that this user can use it.
pub(crate) fn state(cfg: &Config, preview: bool) -> Result<store::State, String> {
    if cfg.daemon.state_url.is_none() {
        sqlite_reachable(cfg, preview)?;
    }
    store::State::for_config(&cfg.daemon, preview)
}

/// Whether the SQLite state database of `cfg` is there (`false`: none yet),
/// or, when this user cannot use it, what to do. A command opens it as its
/// owner (it keeps the file private); a `preview` (a dry run, `history`,
/// `diff --watch`) opens it for reading and writing (SQLite's write-ahead
/// log needs that, though nothing is written). So a state directory another
/// user owns (made by `sudo presswatch check`, or the systemd unit's) is an
/// error naming the owner, never taken for a missing database, an empty
/// history or an older schema.
pub(crate) fn sqlite_reachable(cfg: &Config, preview: bool) -> Result<bool, String> {
    use std::os::unix::fs::MetadataExt;
    let dir = &cfg.daemon.state_dir;
    let db = dir.join("presswatch.db");
    // SAFETY: geteuid cannot fail and has no preconditions.
    let uid = unsafe { libc::geteuid() };
    let key = match cfg.key_lines.get("daemon.state_dir") {
        Some(line) => format!("{}:{line}: daemon.state_dir", cfg.path.display()),
        None => format!("{}: the default state_dir", cfg.path.display()),
    };
    if dir.exists() && !dir.is_dir() {
        return Err(format!(
            "the state directory {} ({key}) is a file, not a directory: set state_dir to a directory \
             (made if missing), e.g. state_dir = \"state\" beside the config",
            dir.display()
        ));
    }
    let refused = match db.try_exists() {
        Ok(false) => return Ok(false),
        Ok(true) if uid == 0 => return Ok(true),
        Ok(true) => match std::fs::metadata(&db) {
            Ok(m) if m.uid() == uid => return Ok(true),
            Ok(_) if preview && may_read_and_write(&db) && may_read_and_write(dir) => {
                return Ok(true)
            }
            Ok(m) => (db.clone(), Some(m.uid())),
            Err(_) => (db.clone(), None),
        },
        // Not a question of permissions (a loop of symbolic links, say):
        // what the system says.
        Err(e) if e.kind() != std::io::ErrorKind::PermissionDenied => {
            return Err(format!(
                "cannot look for the state database {} ({key}): {e}",
                db.display()
            ));
        }
        // The directory cannot be searched (or one above it: systemd's
        // /var/lib/private).
        Err(_) => (
            dir.to_path_buf(),
            std::fs::metadata(dir).ok().map(|m| m.uid()),
        ),
    };
    let (path, owner) = refused;
    let (whose, run_as) = match owner {
        Some(0) => (
            ", which belongs to root".to_string(),
            "as root (`sudo presswatch …`)".to_string(),
        ),
        Some(owner) => (
            format!(", which belongs to uid {owner}"),
            format!("as that user (`sudo -u '#{owner}' presswatch …`) or as root"),
        ),
        None => (
            String::new(),
            "as root (`sudo presswatch …`) or as the user that owns it".to_string(),
        ),
    };
    Err(format!(
        "cannot use the state database {} ({key}): this user (uid {uid}) may not read and write {}{whose}: \
         run presswatch {run_as}, or give this user the state directory",
        db.display(),
        path.display(),
    ))
}

/// The SQLite state of `cfg` for a command that makes it when it is not
/// there yet (`check`, `run`): [`sqlite_reachable`], and when there is none
/// yet, whether this user may make its directory; when not, where and what
/// to do (not only "cannot create state directory …: Permission denied").
pub(crate) fn sqlite_makeable(cfg: &Config) -> Result<(), String> {
    if sqlite_reachable(cfg, false)? {
        return Ok(());
    }
    let dir = &cfg.daemon.state_dir;
    let mut at = dir.to_path_buf();
    while !at.exists() {
        if !at.pop() || at.as_os_str().is_empty() {
            return Ok(()); // nothing to look at: the making says why
        }
    }
    if !at.is_dir() {
        return Ok(()); // the making says what is not a directory
    }
    let Err(e) = may_write_in(&at) else {
        return Ok(());
    };
    let key = match cfg.key_lines.get("daemon.state_dir") {
        Some(line) => format!("{}:{line}: daemon.state_dir", cfg.path.display()),
        None => format!("{}: the default state_dir", cfg.path.display()),
    };
    let why = if e.raw_os_error() == Some(libc::EROFS) {
        format!("{} is on a read-only file system", at.display())
    } else {
        // SAFETY: geteuid cannot fail and has no preconditions.
        let uid = unsafe { libc::geteuid() };
        format!("this user (uid {uid}) may not write in {}", at.display())
    };
    Err(format!(
        "cannot make the state directory {} ({key}): {why}: set state_dir to a directory this user may write to, \
         or run presswatch as a user who may (`{}` checks every directory)",
        dir.display(),
        cfg.command("validate")
    ))
}

/// What an output option (`flag`) names: a file to write (`--warc`) or a
/// directory to write into, made when missing (`--out`, `--to`,
/// `--baselines`).
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Output {
    File,
    Dir,
}

/// Whether this user can write what `flag` names at `path`, checked before
/// any work; when not, where and what to do (rather than the bare
/// "Permission denied (os error 13)" of the first write, after the work).
pub(crate) fn writable_output(flag: &str, path: &Path, what: Output) -> Result<(), String> {
    // SAFETY: geteuid cannot fail and has no preconditions.
    let uid = unsafe { libc::geteuid() };
    let shown = path.display();
    if what == Output::Dir && path.exists() && !path.is_dir() {
        return Err(format!(
            "{flag} {shown} is a file: {flag} takes a directory to write into (made if missing)"
        ));
    }
    // The directory the writes go in: the path itself (a directory that is
    // there), else its nearest ancestor that is there, where it is made.
    let mut at = match what {
        Output::Dir if path.is_dir() => path.to_path_buf(),
        _ => path.parent().unwrap_or(Path::new(".")).to_path_buf(),
    };
    if at.as_os_str().is_empty() {
        at = Path::new(".").to_path_buf();
    }
    while !at.exists() {
        if !at.pop() || at.as_os_str().is_empty() {
            return Ok(()); // nothing above it to look at: the write says why
        }
    }
    if !at.is_dir() {
        return Ok(()); // the write says what is not a directory
    }
    match may_write_in(&at) {
        Ok(()) => Ok(()),
        Err(e) => {
            let why = if e.raw_os_error() == Some(libc::EROFS) {
                format!("{} is on a read-only file system", at.display())
            } else {
                format!("this user (uid {uid}) may not write in {}", at.display())
            };
            Err(format!(
                "cannot write {flag} {shown}: {why}: choose a directory this user may write to, \
                 such as one in your home directory"
            ))
        }
    }
}

/// access(2) for making files in a directory.
fn may_write_in(dir: &Path) -> std::io::Result<()> {
    use std::os::unix::ffi::OsStrExt;
    let c = std::ffi::CString::new(dir.as_os_str().as_bytes())
        .map_err(|_| std::io::Error::other("the path contains a NUL byte"))?;
    // SAFETY: `c` is a valid NUL-terminated string for the duration of the call.
    if unsafe { libc::access(c.as_ptr(), libc::W_OK | libc::X_OK) } == 0 {
        Ok(())
    } else {
        Err(std::io::Error::last_os_error())
    }
}

/// access(2) for reading and writing (and searching, for a directory).
fn may_read_and_write(path: &Path) -> bool {
    use std::os::unix::ffi::OsStrExt;
    let Ok(c) = std::ffi::CString::new(path.as_os_str().as_bytes()) else {
        return false;
    };
    let mode = if path.is_dir() {
        libc::R_OK | libc::W_OK | libc::X_OK
    } else {
        libc::R_OK | libc::W_OK
    };
    // SAFETY: `c` is a valid NUL-terminated string for the duration of the call.
    unsafe { libc::access(c.as_ptr(), mode) == 0 }
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
