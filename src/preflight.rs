//! What the config text cannot show: whether the directories the daemon
//! writes are writable, and whether the secrets it names can be read.
//! `presswatch validate` reports both; `presswatch run` refuses to start (and
//! a reload is rejected) while a secret cannot be read. Commands ask here
//! too, before any work, whether this user may use the state database and
//! write where it was told to ([`state_database`], [`state_dir_makeable`],
//! [`output`]), so that a refusal names the owner, the config line and what
//! to do, not only "Permission denied".

use std::path::{Path, PathBuf};

use crate::config::{ChannelKind, Config, ConfigError, SecretError, SecretRef};
use crate::file_kind::{write_forbidden_to_all, WriteForbidden};
use crate::notify::webhook;

/// How sure a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Severity {
    /// It breaks the daemon wherever it runs.
    Problem,
    /// It could not be checked here (e.g. a systemd credential outside the
    /// unit); the daemon checks it when it starts.
    NotChecked,
}

/// One thing found, with the config line and key it is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// Problem, or only not checkable here.
    pub severity: Severity,
    /// Where and what.
    pub error: ConfigError,
}

/// System directories a systemd service with `ProtectSystem=strict` (as
/// `dist/presswatch.service` has) cannot write.
const READ_ONLY_UNDER_SYSTEMD: [&str; 3] = ["/etc", "/usr", "/boot"];

fn finding(config: &Config, key: &str, severity: Severity, message: String) -> Finding {
    Finding {
        severity,
        error: ConfigError {
            file: config.path.clone(),
            line: config.key_lines.get(key).copied(),
            key: key.to_string(),
            message,
        },
    }
}

/// Checks that `daemon.state_dir` and `daemon.baseline_dir` can be written:
/// each exists as a writable directory or can be created, and neither lies
/// where the systemd unit cannot write.
pub fn directories(config: &Config) -> Vec<Finding> {
    directory_findings(config, true)
}

/// Before a command checks watches (`check`, `run`): whether the state
/// database can be used or made ([`state_database`], [`state_dir_makeable`]),
/// then what `validate` says of the directories ([`directories`]; for a dry
/// run, which writes nothing, only a directory that cannot be one: a file,
/// a path through a file, a pseudo filesystem): so that a command
/// refuses at once, with the config line and what to do, rather than after
/// fetching every page, with the system's words.
pub fn before_checks(config: &Config, dry_run: bool) -> Result<(), String> {
    // The state database first: its words name the owner of a directory
    // another user made, and what to run.
    if config.daemon.state_url.is_none() {
        match dry_run {
            true => state_database(config, true).map(drop)?,
            false => state_dir_makeable(config)?,
        }
    }
    let mut found = directory_findings(config, !dry_run);
    found.retain(|f| f.severity == Severity::Problem);
    found.sort_by_key(|f| f.error.line);
    let problems: Vec<String> = found.iter().map(|f| f.error.to_string()).collect();
    if !problems.is_empty() {
        return Err(format!(
            "{} (`{}` checks every directory)",
            problems.join("\n"),
            config.command("validate")
        ));
    }
    Ok(())
}

/// [`directories`]; with `writes` false, only what makes a path no
/// directory at all (a file, a path through a file, a pseudo filesystem).
fn directory_findings(config: &Config, writes: bool) -> Vec<Finding> {
    // As the config resolved the directories against it.
    let config_dir = config.dir();
    let mut out = Vec::new();
    for (key, dir, example) in [
        (
            "daemon.state_dir",
            &config.daemon.state_dir,
            "/var/lib/presswatch/state",
        ),
        (
            "daemon.baseline_dir",
            &config.daemon.baseline_dir,
            "/var/lib/presswatch/baseline",
        ),
    ] {
        if key == "daemon.state_dir" && config.daemon.state_url.is_some() {
            continue; // the state is in PostgreSQL
        }
        let name = key.trim_start_matches("daemon.");
        let read_only = READ_ONLY_UNDER_SYSTEMD.iter().find(|s| dir.starts_with(s));
        if let Some(system) = read_only.filter(|_| writes) {
            let relative = if dir.starts_with(&config_dir) {
                format!(
                    "; a relative path resolves against the config file's directory, {}",
                    config_dir.display()
                )
            } else {
                String::new()
            };
            out.push(finding(
                config,
                key,
                Severity::Problem,
                format!(
                    "{} is under {system}, which the systemd unit cannot write (ProtectSystem=strict){relative}. Use the unit's state directory: `{name} = \"{example}\"`",
                    dir.display()
                ),
            ));
            continue;
        }
        if let Some((fs, at)) = crate::file_kind::pseudo_filesystem(dir) {
            out.push(finding(
                config,
                key,
                Severity::Problem,
                format!(
                    "{} is on {fs} filesystem ({}), which the kernel makes up and which cannot hold {name}'s files. Put it on a disk, e.g. `{name} = \"{example}\"`",
                    dir.display(),
                    at.display()
                ),
            ));
            continue;
        }
        if !writes {
            if let Some(why) = no_directory(dir) {
                let message = format!(
                    "{why}: set {name} to a directory (made if missing), e.g. `{name} = \"{example}\"`"
                );
                out.push(finding(config, key, Severity::Problem, message));
            }
            continue;
        }
        if let Err(refusal) = writable(dir) {
            let message = format!("{}: {}", refusal.why, refusal.advice(name));
            out.push(finding(config, key, Severity::Problem, message));
        }
    }
    out
}

/// Why the baseline directory takes no baseline, for a check whose baseline
/// could not be written: what `validate` reports for `daemon.baseline_dir`
/// (its config line, what is wrong and what to do). `None` when the
/// directory looks writable: the failure was something else.
pub fn baseline_dir_refusal(config: &Config) -> Option<String> {
    let found = directories(config)
        .into_iter()
        .find(|f| f.error.key == "daemon.baseline_dir")?;
    Some(format!(
        "{} (`{}` checks every directory)",
        found.error,
        config.command("validate")
    ))
}

/// Why a directory cannot be written: the words, and whether another user
/// (its owner, root) could, which decides what to advise.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Unwritable {
    why: String,
    /// False when no user may write there, root included: an attribute
    /// or a read-only mount forbids it.
    another_user_may: bool,
}

impl Unwritable {
    fn this_user(why: String) -> Unwritable {
        Unwritable {
            why,
            another_user_may: true,
        }
    }

    /// What to do, for the directory the config key `name` sets: another
    /// user helps only when one may write there.
    fn advice(&self, name: &str) -> String {
        if self.another_user_may {
            format!("set {name} to a directory this user may write to, or run presswatch as a user who may")
        } else {
            format!("lift what forbids it, or set {name} to a directory that can be written")
        }
    }
}

/// What forbids writing in `dir` to every user, root included, by the
/// error access(2) gave ([`WriteForbidden::of`]): an attribute such as
/// immutable, or a read-only mount. `None` for anything else, such as this
/// user's permissions, which another user may have.
fn forbidden_to_all(dir: &Path, e: &std::io::Error) -> Option<Unwritable> {
    Some(forbidden_words(dir, WriteForbidden::of(e)?))
}

/// What forbids writing in `dir` to every user, in words, with how to see
/// it and lift it.
fn forbidden_words(dir: &Path, forbidden: WriteForbidden) -> Unwritable {
    let dir = dir.display();
    let why = match forbidden {
        WriteForbidden::Attribute => format!(
            "{dir} cannot be written, not even by root: operation not permitted, so an attribute \
             forbids it, most likely immutable (`lsattr -d {dir}` shows an `i`; `chattr -i {dir}` as \
             root lifts it)"
        ),
        WriteForbidden::ReadOnlyMount => format!(
            "{dir} is on a read-only file system, which no user may write, not even root \
             (`findmnt -T {dir}` shows the mount)"
        ),
    };
    Unwritable {
        why,
        another_user_may: false,
    }
}

/// Why this user may not write in the existing directory `dir`, by the
/// error access(2) gave: [`forbidden_to_all`], else this user's
/// permissions.
fn unwritable(dir: &Path, uid: u32, e: &std::io::Error) -> Unwritable {
    forbidden_to_all(dir, e).unwrap_or_else(|| {
        Unwritable::this_user(format!(
            "{} is not writable by this user (uid {uid}): {e}: its owner and mode do not let this \
             user write (`ls -ld {}`)",
            dir.display(),
            dir.display()
        ))
    })
}

/// Whether this process could create files in `dir` (creating it first if
/// needed); the reason when not.
fn writable(dir: &Path) -> Result<(), Unwritable> {
    let uid = current_uid();
    match std::fs::metadata(dir) {
        Ok(m) if !m.is_dir() => Err(Unwritable::this_user(format!(
            "{} exists but is not a directory",
            dir.display()
        ))),
        Ok(_) => can_write(dir).map_err(|e| unwritable(dir, uid, &e)),
        Err(_) => {
            let Some(parent) = existing_ancestor(dir) else {
                return Err(Unwritable::this_user(format!(
                    "{} cannot be created",
                    dir.display()
                )));
            };
            if !parent.is_dir() {
                return Err(Unwritable::this_user(format!(
                    "{} cannot be created: {} is not a directory",
                    dir.display(),
                    parent.display()
                )));
            }
            can_write(&parent).map_err(|e| {
                let parent = unwritable(&parent, uid, &e);
                Unwritable {
                    why: format!(
                        "{} does not exist and cannot be created: {}",
                        dir.display(),
                        parent.why
                    ),
                    ..parent
                }
            })
        }
    }
}

/// Why `dir` can be no directory whoever looks: it is a file, or a path
/// through one. `None` when it is a directory or could be made one.
fn no_directory(dir: &Path) -> Option<String> {
    match std::fs::metadata(dir) {
        Ok(m) if !m.is_dir() => Some(format!("{} exists but is not a directory", dir.display())),
        Ok(_) => None,
        Err(_) => existing_ancestor(dir)
            .filter(|parent| !parent.is_dir())
            .map(|parent| {
                format!(
                    "{} cannot be created: {} is not a directory",
                    dir.display(),
                    parent.display()
                )
            }),
    }
}

/// The nearest path at or above `path` that exists: where making `path`
/// would begin. `None` when nothing above a relative path exists.
fn existing_ancestor(path: &Path) -> Option<PathBuf> {
    let mut at = path.to_path_buf();
    while !at.exists() {
        if !at.pop() || at.as_os_str().is_empty() {
            return None;
        }
    }
    Some(at)
}

/// Why this user may not make files in the directory `dir`, in words (what
/// forbids it to every user, [`forbidden_to_all`], or that this user may
/// not); `None` when it may.
fn write_refusal(dir: &Path) -> Option<Unwritable> {
    let e = can_write(dir).err()?;
    Some(forbidden_to_all(dir, &e).unwrap_or_else(|| {
        Unwritable::this_user(format!(
            "this user (uid {}) may not write in {}",
            current_uid(),
            dir.display()
        ))
    }))
}

/// Where the state directory is set: `FILE:LINE: daemon.state_dir`, or that
/// it is the default.
fn state_dir_key(config: &Config) -> String {
    match config.key_lines.get("daemon.state_dir") {
        Some(line) => format!("{}:{line}: daemon.state_dir", config.path.display()),
        None => format!("{}: the default state_dir", config.path.display()),
    }
}

/// What a command that reads the SQLite state finds of its database
/// ([`state_database`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StateDatabase {
    /// None yet: nothing was checked with this `state_dir`.
    Missing,
    /// There, and this user may use it.
    There,
    /// There, in a directory no user may write, root included (a read-only
    /// mount, an immutable directory or file: a backup, evidence handed
    /// over): read where it is, changing nothing
    /// ([`crate::store::Sqlite::open_preview`]).
    KeptReadOnly,
}

/// For a command that only reads the state (`status`, `history`, `diff
/// --watch`, `outbox list`, `verify`, `export`, `report`, a dry run):
/// whether the SQLite state database of `config` is there, and whether it
/// is kept where no user may write it, which such a command reads where
/// it is; or, when this user cannot use it, what to do: this user's
/// permissions (the owner of a state directory another user made).
pub fn state_database(config: &Config, preview: bool) -> Result<StateDatabase, String> {
    // First: for a user other than root, what forbids everyone reads as
    // this user's permissions, and running as root would not help.
    let dir = &config.daemon.state_dir;
    let db = dir.join("presswatch.db");
    if db.try_exists().unwrap_or(false) && forbidden(config).is_some() {
        if access(&db, libc::R_OK).is_ok() && access(dir, libc::X_OK).is_ok() {
            return Ok(StateDatabase::KeptReadOnly);
        }
        // Not this user's to read: who may.
        database_access(config, false)?;
        return Err(format!(
            "cannot read the state database {} ({}): this user (uid {}) may not read it \
             (`ls -l {}`): run presswatch as a user who may, or as root",
            db.display(),
            state_dir_key(config),
            current_uid(),
            db.display()
        ));
    }
    Ok(match database_access(config, preview)? {
        true => StateDatabase::There,
        false => StateDatabase::Missing,
    })
}

/// For a command that changes the state (`outbox retry`, `outbox drop`):
/// whether the SQLite state database of `config` is there (`false`: none
/// yet), or, when it cannot be changed, what to do: what forbids every
/// user to write it, root included (a read-only mount, an immutable
/// directory or file), or this user's permissions.
pub fn state_database_to_change(config: &Config) -> Result<bool, String> {
    let db = config.daemon.state_dir.join("presswatch.db");
    if db.try_exists().unwrap_or(false) {
        forbidden_state(config)?;
    }
    database_access(config, false)
}

/// What forbids every user to write the state directory of `config` or
/// its database, root included, when something does.
fn forbidden(config: &Config) -> Option<Unwritable> {
    let dir = &config.daemon.state_dir;
    let db = dir.join("presswatch.db");
    let found = [dir.as_path(), db.as_path()]
        .into_iter()
        .find_map(|path| Some(forbidden_words(path, write_forbidden_to_all(path)?)));
    found
}

/// When no user may write the state database of `config` or its directory,
/// root included (a read-only mount, an immutable directory or file), for a
/// command that would change it: what forbids it, and what to do, with the
/// commands that read such a state where it is. SQLite would fail with the
/// system's words ("unable to open database file", "Read-only file system
/// (os error 30)"), not saying why or what to do.
fn forbidden_state(config: &Config) -> Result<(), String> {
    let Some(refusal) = forbidden(config) else {
        return Ok(());
    };
    Err(format!(
        "cannot use the state database {} ({}): {}; this command changes the state, which \
         cannot be written there. Lift what forbids it, or set state_dir to a directory that can be \
         written; the commands that only read the state (status, history, diff --watch, outbox \
         list, verify, export, report, check --dry-run) read it where it is, changing nothing",
        config.daemon.state_dir.join("presswatch.db").display(),
        state_dir_key(config),
        refusal.why,
    ))
}

/// Whether the SQLite state database of `config` is there (`false`: none
/// yet), or, when this user cannot use it, what to do. A command opens it
/// as its owner (it keeps the file private); a `preview` (a dry run,
/// `history`, `diff --watch`) opens it for reading and writing (SQLite's
/// write-ahead log needs that, though nothing is written). So a state
/// directory another user owns (made by `sudo presswatch check`, or the
/// systemd unit's) is an error naming the owner, never taken for a missing
/// database, an empty history or an older schema.
fn database_access(config: &Config, preview: bool) -> Result<bool, String> {
    use std::os::unix::fs::MetadataExt;
    let dir = &config.daemon.state_dir;
    let db = dir.join("presswatch.db");
    let uid = current_uid();
    let key = state_dir_key(config);
    if dir.exists() && !dir.is_dir() {
        return Err(format!(
            "the state directory {} ({key}) is a file, not a directory: set state_dir to a directory \
             (made if missing), e.g. state_dir = \"state\" beside the config",
            dir.display()
        ));
    }
    let read_write = libc::R_OK | libc::W_OK;
    let (path, owner) = match db.try_exists() {
        Ok(false) => return Ok(false),
        Ok(true) if uid == 0 => return Ok(true),
        Ok(true) => match std::fs::metadata(&db) {
            Ok(m) if m.uid() == uid => return Ok(true),
            Ok(_)
                if preview
                    && access(&db, read_write).is_ok()
                    && access(dir, read_write | libc::X_OK).is_ok() =>
            {
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

/// For a command that makes the SQLite state when it is not there yet
/// (`check`, `run`): [`state_database`], and when there is none yet,
/// whether this user may make its directory; when not, where and what to do
/// (not only "cannot create state directory …: Permission denied").
pub fn state_dir_makeable(config: &Config) -> Result<(), String> {
    // A database that is there in a directory no user may write is left to
    // the directories' check that follows, which says it as `validate` does.
    if database_access(config, false)? {
        return Ok(());
    }
    let dir = &config.daemon.state_dir;
    // With nothing to look at, or no directory there, the making says why.
    let Some(at) = existing_ancestor(dir).filter(|at| at.is_dir()) else {
        return Ok(());
    };
    let Some(refusal) = write_refusal(&at) else {
        return Ok(());
    };
    Err(format!(
        "cannot make the state directory {} ({}): {}: {} (`{}` checks every directory)",
        dir.display(),
        state_dir_key(config),
        refusal.why,
        refusal.advice("state_dir"),
        config.command("validate")
    ))
}

/// What a command's output option names: a file to write (`--warc`) or a
/// directory to write into, made when missing (`--out`, `--to`,
/// `--baselines`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Output {
    /// A file, made or replaced.
    File,
    /// A directory, made when missing.
    Dir,
}

/// Whether this user can write what the option `flag` names at `path`,
/// checked before any work; when not, where and what to do (rather than
/// the bare "Permission denied (os error 13)" of the first write, after the
/// work).
pub fn output(flag: &str, path: &Path, what: Output) -> Result<(), String> {
    let shown = path.display();
    if what == Output::Dir && path.exists() && !path.is_dir() {
        return Err(format!(
            "{flag} {shown} is a file: {flag} takes a directory to write into (made if missing)"
        ));
    }
    // The directory the writes go in: the path itself (a directory that is
    // there), else its nearest ancestor that is there, where it is made.
    let within = match what {
        Output::Dir if path.is_dir() => path,
        _ => path
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new(".")),
    };
    // With nothing to look at, or no directory there, the write says why.
    let Some(at) = existing_ancestor(within).filter(|at| at.is_dir()) else {
        return Ok(());
    };
    match write_refusal(&at) {
        None => Ok(()),
        Some(refusal) => Err(format!(
            "cannot write {flag} {shown}: {}: choose a directory this user may write to, \
             such as one in your home directory",
            refusal.why
        )),
    }
}

/// access(2) for writing and searching a directory: honours permissions and
/// read-only mounts without creating anything.
fn can_write(dir: &Path) -> Result<(), std::io::Error> {
    access(dir, libc::W_OK | libc::X_OK)
}

/// access(2): whether this user may use `path` in `mode` (`R_OK`, `W_OK`,
/// `X_OK` together), with the system's reason when not.
fn access(path: &Path, mode: libc::c_int) -> Result<(), std::io::Error> {
    use std::os::unix::ffi::OsStrExt;
    let c = std::ffi::CString::new(path.as_os_str().as_bytes())
        .map_err(|_| std::io::Error::other("the path contains a NUL byte"))?;
    // SAFETY: `c` is a valid NUL-terminated string for the duration of the call.
    if unsafe { libc::access(c.as_ptr(), mode) } == 0 {
        Ok(())
    } else {
        Err(std::io::Error::last_os_error())
    }
}

fn current_uid() -> u32 {
    // SAFETY: getuid cannot fail and has no preconditions.
    unsafe { libc::getuid() }
}

/// Every secret the config names (the state database's password, the
/// channels'), as (whether it signs webhooks, the reference).
fn secret_refs(config: &Config) -> impl Iterator<Item = (bool, &SecretRef)> {
    let database = config.daemon.state_password.iter().map(|s| (false, s));
    let channels = config.channels.iter().filter_map(|c| match &c.kind {
        ChannelKind::Email(e) => e.password.as_ref().map(|s| (false, s)),
        ChannelKind::Webhook(w) => w.secret.as_ref().map(|s| (true, s)),
    });
    // In the config's line order (a `[daemon]` table may follow the channels).
    let mut refs: Vec<(bool, &SecretRef)> = database.chain(channels).collect();
    refs.sort_by_key(|(_, s)| config.key_lines.get(&s.key).copied());
    refs.into_iter()
}

/// Reads one secret as its channel will; a webhook key must also decode.
fn read_secret(signs_webhooks: bool, secret: &SecretRef) -> Result<(), SecretError> {
    let value = secret.read()?;
    if signs_webhooks {
        webhook::signing_key(&value).map_err(SecretError::Invalid)?;
    }
    Ok(())
}

/// Reads every channel's secret: a secret that is broken anywhere (missing
/// file, empty, a `whsec_` key that is not base64) is a problem; one that
/// this process cannot see (a systemd credential outside the unit, an
/// environment variable set only for the service) is not checked.
pub fn secrets(config: &Config) -> Vec<Finding> {
    secret_refs(config)
        .filter_map(|(signs, secret)| match read_secret(signs, secret) {
            Ok(()) => None,
            Err(SecretError::Invalid(why)) => {
                Some(finding(config, &secret.key, Severity::Problem, why))
            }
            Err(SecretError::Unavailable(why)) => Some(finding(
                config,
                &secret.key,
                Severity::NotChecked,
                format!("not checked here: {why}; the daemon reads the secret when it starts"),
            )),
        })
        .collect()
}

/// Each secret of the config that cannot be read now, one line each, with
/// file, line and key (a reload logs each as an event of its own).
pub fn unreadable_secrets(config: &Config) -> Vec<String> {
    secret_refs(config)
        .filter_map(|(signs, secret)| {
            let why = read_secret(signs, secret).err()?;
            let f = finding(config, &secret.key, Severity::Problem, why.to_string());
            Some(f.error.to_string())
        })
        .collect()
}

/// For `presswatch run` (at start and on reload): every secret must be
/// readable now. The error lists each one that is not, with its line.
pub fn require_secrets(config: &Config) -> Result<(), String> {
    let problems = unreadable_secrets(config);
    if problems.is_empty() {
        Ok(())
    } else {
        Err(format!("cannot read the secrets:\n{}", problems.join("\n")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The secrets `run` cannot read are named in the config's line order,
    /// a `[daemon]` table written after the channels included.
    #[test]
    fn unreadable_secrets_are_named_in_the_configs_line_order() {
        let dir = tempfile::tempdir().unwrap();
        let src = "[[channel]]\nname = \"hook\"\ntype = \"webhook\"\nurl = \"https://hooks.example.org/x\"\n\
                   secret_file = \"hook-secret\"\n\n[daemon]\nstate_url = \"postgres://presswatch@127.0.0.1/presswatch\"\n\
                   state_password_file = \"db-password\"\n\n\
                   [[watch]]\nname = \"a\"\nurl = \"https://example.org/a\"\n";
        let config = Config::parse(&dir.path().join("config.toml"), src).unwrap();
        let named = unreadable_secrets(&config);
        assert_eq!(named.len(), 2, "{named:#?}");
        assert!(
            named[0].contains(":5: channel \"hook\".secret_file: cannot read "),
            "{named:#?}"
        );
        assert!(
            named[1].contains(":9: daemon.state_password_file: cannot read "),
            "{named:#?}"
        );
    }

    #[test]
    fn relative_state_paths_under_etc_are_the_classic_systemd_mistake() {
        let src =
            "[daemon]\nstate_dir = \"state\"\nbaseline_dir = \"/var/lib/presswatch/baseline\"\n";
        let config = Config::parse(Path::new("/etc/presswatch/config.toml"), src).unwrap();
        let found = directories(&config);
        assert_eq!(found.len(), 1, "{found:#?}");
        assert_eq!(found[0].severity, Severity::Problem);
        assert_eq!(
            found[0].error.to_string(),
            "/etc/presswatch/config.toml:2: daemon.state_dir: /etc/presswatch/state is under /etc, which the systemd unit cannot write (ProtectSystem=strict); a relative path resolves against the config file's directory, /etc/presswatch. Use the unit's state directory: `state_dir = \"/var/lib/presswatch/state\"`"
        );
    }

    #[test]
    fn a_directory_on_a_filesystem_the_kernel_makes_up_is_a_problem() {
        // access(2) tells root such a directory is writable: it holds no files.
        for (dir, fs, mounted) in [
            ("/proc/presswatch", "a proc", "/proc/self/status"),
            ("/sys/kernel", "a sysfs", "/sys/kernel"),
        ] {
            if !Path::new(mounted).exists() {
                continue; // not mounted here
            }
            let src = format!("[daemon]\nstate_dir = \"state\"\nbaseline_dir = \"{dir}\"\n");
            let dir_ = tempfile::tempdir().unwrap();
            let config = Config::parse(&dir_.path().join("config.toml"), &src).unwrap();
            let found = directories(&config);
            assert_eq!(found.len(), 1, "{found:#?}");
            assert_eq!(found[0].severity, Severity::Problem);
            assert_eq!(found[0].error.key, "daemon.baseline_dir");
            assert!(
                found[0]
                    .error
                    .message
                    .starts_with(&format!("{dir} is on {fs} filesystem (")),
                "{found:#?}"
            );
            assert!(
                found[0].error.message.ends_with(
                    "Put it on a disk, e.g. `baseline_dir = \"/var/lib/presswatch/baseline\"`"
                ),
                "{found:#?}"
            );
        }
        // An ordinary directory is not.
        assert_eq!(
            crate::file_kind::pseudo_filesystem(&std::env::temp_dir()),
            None
        );
    }

    #[test]
    fn a_directory_that_cannot_be_created_is_a_problem() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("a-file"), "").unwrap();
        let src = "[daemon]\nstate_dir = \"a-file/state\"\nbaseline_dir = \"baseline\"\n";
        let config = Config::parse(&dir.path().join("config.toml"), src).unwrap();
        let found = directories(&config);
        assert_eq!(found.len(), 1, "{found:#?}");
        assert_eq!(found[0].error.key, "daemon.state_dir");
        assert!(
            found[0]
                .error
                .message
                .ends_with("a-file is not a directory: set state_dir to a directory this user may write to, or run presswatch as a user who may"),
            "{found:#?}"
        );
    }

    /// A directory marked immutable (`chattr +i`) refuses even root, with
    /// EPERM where permissions give EACCES (Rust calls both
    /// `PermissionDenied`); a read-only mount gives EROFS. Only this user's
    /// refusal is helped by another user.
    #[test]
    fn what_forbids_writing_a_directory_is_told_by_the_error_access_gave() {
        let dir = Path::new("/srv/presswatch/baseline");
        let said = |errno| {
            let refusal = unwritable(dir, 1000, &std::io::Error::from_raw_os_error(errno));
            format!("{}: {}", refusal.why, refusal.advice("baseline_dir"))
        };
        assert_eq!(
            said(libc::EPERM),
            "/srv/presswatch/baseline cannot be written, not even by root: operation not permitted, so an \
             attribute forbids it, most likely immutable (`lsattr -d /srv/presswatch/baseline` shows an `i`; \
             `chattr -i /srv/presswatch/baseline` as root lifts it): lift what forbids it, or set \
             baseline_dir to a directory that can be written"
        );
        assert_eq!(
            said(libc::EROFS),
            "/srv/presswatch/baseline is on a read-only file system, which no user may write, not even root \
             (`findmnt -T /srv/presswatch/baseline` shows the mount): lift what forbids it, or set \
             baseline_dir to a directory that can be written"
        );
        assert_eq!(
            said(libc::EACCES),
            "/srv/presswatch/baseline is not writable by this user (uid 1000): Permission denied (os error \
             13): its owner and mode do not let this user write (`ls -ld /srv/presswatch/baseline`): set \
             baseline_dir to a directory this user may write to, or run presswatch as a user who may"
        );
    }
}
