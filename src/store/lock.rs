//! One daemon per state directory, and one deliverer at a time.
//!
//! `presswatch run` holds an exclusive flock(2) on `STATE_DIR/presswatch.lock`
//! for as long as it runs, so a second daemon on the same state directory
//! (which would send every alert twice) is refused, naming the PID of the
//! first. A command that delivers alerts (`check`, `outbox retry`) takes the
//! same lock while it delivers; when a daemon holds it, the command leaves
//! delivery to the daemon. The kernel releases the lock when its holder
//! exits, however it exits, so a crash never leaves a stale lock behind.
//!
//! Checks of one watch never overlap either, whichever processes run them:
//! [`CheckLocks`] holds a byte-range lock per watch on
//! `STATE_DIR/checks.lock` from reading the watch's state to storing the
//! check's result. So a `presswatch check` beside the daemon compares with the
//! baseline the daemon left, and a change both see is one alert (its id is
//! derived from the change; the outbox ignores an id it holds), sent once by
//! the one deliverer.

use crate::atomic_file::Owner;
use std::fs::File;
use std::os::fd::AsRawFd;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

/// What the holder of the lock is doing, as it wrote it in the lock file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// `presswatch run`, for its whole life.
    Daemon,
    /// A command delivering alerts (`check`, `outbox retry`), briefly.
    Delivery,
}

impl Role {
    fn as_str(self) -> &'static str {
        match self {
            Role::Daemon => "daemon",
            Role::Delivery => "delivery",
        }
    }
}

/// The process holding the lock, as far as its lock file tells.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Holder {
    /// Its process id, when it had written it.
    pub pid: Option<u32>,
    /// The daemon, or a command delivering.
    pub role: Role,
}

impl Holder {
    /// "the presswatch daemon (PID 1234)", "the presswatch command (PID 99)".
    pub fn describe(&self) -> String {
        let pid = self.pid.map(|p| format!(" (PID {p})")).unwrap_or_default();
        match self.role {
            Role::Daemon => format!("the presswatch daemon{pid}"),
            Role::Delivery => format!("the presswatch command{pid}"),
        }
    }
}

/// A held lock on a state directory; released when dropped (or when the
/// process ends).
#[derive(Debug)]
pub struct StateLock {
    _file: File,
    path: PathBuf,
}

impl StateLock {
    /// The lock file of a state directory.
    pub fn path_in(state_dir: &Path) -> PathBuf {
        state_dir.join("presswatch.lock")
    }

    /// Where the lock file is.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Takes the lock of `state_dir` for `role` without waiting: the lock,
    /// or who holds it.
    pub fn try_take(state_dir: &Path, role: Role) -> Result<Result<StateLock, Holder>, String> {
        super::create_private_dir(state_dir, Owner::State)
            .map_err(|e| format!("cannot create state directory {}: {e}", state_dir.display()))?;
        let path = StateLock::path_in(state_dir);
        let file = open_lock_file(&path)
            .map_err(|e| format!("cannot open the lock file {}: {e}", path.display()))?;
        // SAFETY: flock on a file descriptor this function owns.
        if unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) } != 0 {
            let err = std::io::Error::last_os_error();
            if err.raw_os_error() == Some(libc::EWOULDBLOCK) {
                return Ok(Err(holder(&path)));
            }
            return Err(format!("cannot lock {}: {err}", path.display()));
        }
        let record = format!("{} {}\n", std::process::id(), role.as_str());
        file.set_len(0)
            .and_then(|_| std::os::unix::fs::FileExt::write_all_at(&file, record.as_bytes(), 0))
            .map_err(|e| format!("cannot write the lock file {}: {e}", path.display()))?;
        Ok(Ok(StateLock { _file: file, path }))
    }

    /// Who holds the lock of `state_dir` now, if anyone, found without
    /// taking it for long or writing anything: the lock file is opened for
    /// reading and locked shared for an instant. For a state directory no
    /// user may write (a read-only mount, an immutable directory), where
    /// [`StateLock::try_take`] could neither write its record nor, on a
    /// read-only mount, open the file. `None` too when there is no lock
    /// file (no daemon ever ran there) or it cannot be read.
    pub fn holder_of(state_dir: &Path) -> Option<Holder> {
        let path = StateLock::path_in(state_dir);
        let file = File::open(&path).ok()?;
        // SAFETY: flock on a file descriptor this function owns; closing it
        // releases the lock.
        if unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_SH | libc::LOCK_NB) } == 0 {
            return None;
        }
        let err = std::io::Error::last_os_error();
        (err.raw_os_error() == Some(libc::EWOULDBLOCK)).then(|| holder(&path))
    }

    /// Takes the lock for `role`, waiting up to `patience` while a command
    /// delivers; a daemon holding it is answered at once.
    pub async fn take(
        state_dir: &Path,
        role: Role,
        patience: Duration,
    ) -> Result<Result<StateLock, Holder>, String> {
        let start = Instant::now();
        loop {
            match StateLock::try_take(state_dir, role)? {
                Err(h) if h.role == Role::Delivery && start.elapsed() < patience => {
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
                taken_or_held => return Ok(taken_or_held),
            }
        }
    }
}

/// One check of a watch at a time across processes: an open file
/// description's (OFD) byte-range write lock on `checks.lock` at an offset
/// derived from the watch's name. The file is opened on first use and kept.
#[derive(Debug)]
pub struct CheckLocks {
    path: PathBuf,
    file: OnceLock<Option<Arc<File>>>,
}

/// The lock on one watch's checks; released when dropped.
#[derive(Debug)]
pub struct CheckGuard {
    file: Arc<File>,
    offset: i64,
}

impl CheckLocks {
    /// The check locks of a state directory (nothing is opened yet).
    pub fn new(state_dir: &Path) -> CheckLocks {
        CheckLocks {
            path: state_dir.join("checks.lock"),
            file: OnceLock::new(),
        }
    }

    /// Waits until no other process checks `watch`, and holds that until the
    /// guard is dropped. Without a lock file (it cannot be created: the check
    /// itself will fail to store anything) this logs why and returns `None`.
    pub async fn lock(&self, watch: &str) -> Option<CheckGuard> {
        let file = self
            .file
            .get_or_init(|| {
                open_lock_file(&self.path)
                    .map(Arc::new)
                    .map_err(|e| {
                        tracing::warn!(file = %self.path.display(), error = %e,
                            "cannot open the check lock file: checks beside another presswatch process are not kept apart")
                    })
                    .ok()
            })
            .clone()?;
        let offset = watch_offset(watch);
        let write = libc::F_WRLCK as libc::c_short;
        // Free (nearly always): no thread to wait on.
        if range_lock(&file, offset, write, false).is_ok() {
            return Some(CheckGuard { file, offset });
        }
        let locking = file.clone();
        let taken = tokio::task::spawn_blocking(move || range_lock(&locking, offset, write, true))
            .await
            .map_err(std::io::Error::other)
            .and_then(|r| r);
        match taken {
            Ok(()) => Some(CheckGuard { file, offset }),
            Err(e) => {
                tracing::warn!(watch, error = %e, "cannot lock the watch's checks");
                None
            }
        }
    }
}

/// Opens a lock file of the state directory, creating it 0600 when there is
/// none; one created as root is the state directory's owner's
/// ([`Owner::State`]), or the service user could not open it.
fn open_lock_file(path: &Path) -> std::io::Result<File> {
    use std::os::unix::fs::OpenOptionsExt;
    let existed = path.exists();
    let file = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .mode(0o600)
        .open(path)?;
    if !existed {
        Owner::State.give(&file, crate::atomic_file::parent_dir(path))?;
    }
    Ok(file)
}

impl Drop for CheckGuard {
    fn drop(&mut self) {
        let _ = range_lock(
            &self.file,
            self.offset,
            libc::F_UNLCK as libc::c_short,
            false,
        );
    }
}

/// A watch's byte in the lock file: a 47-bit FNV-1a hash of its name, stable
/// across processes and versions (so a daemon and a newer `check` agree).
fn watch_offset(watch: &str) -> i64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in watch.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    (h >> 17) as i64
}

/// Sets (or clears) an OFD lock on one byte; waits for it when `wait`.
fn range_lock(file: &File, offset: i64, kind: libc::c_short, wait: bool) -> std::io::Result<()> {
    // SAFETY: an all-zero `flock` struct is valid; the fields that matter are set below.
    let mut region: libc::flock = unsafe { std::mem::zeroed() };
    region.l_type = kind;
    region.l_whence = libc::SEEK_SET as libc::c_short;
    region.l_start = offset;
    region.l_len = 1;
    let cmd = if wait {
        libc::F_OFD_SETLKW
    } else {
        libc::F_OFD_SETLK
    };
    loop {
        // SAFETY: fcntl on a descriptor `file` owns, with a valid `flock` pointer.
        if unsafe { libc::fcntl(file.as_raw_fd(), cmd, &region) } == 0 {
            return Ok(());
        }
        let err = std::io::Error::last_os_error();
        if err.kind() != std::io::ErrorKind::Interrupted {
            return Err(err);
        }
    }
}

/// Reads who holds the lock from the lock file ("PID ROLE").
fn holder(path: &Path) -> Holder {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let mut words = text.split_whitespace();
    let pid = words.next().and_then(|p| p.parse().ok());
    let role = match words.next() {
        Some("delivery") => Role::Delivery,
        _ => Role::Daemon,
    };
    Holder { pid, role }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The holder of a state directory's lock is found without writing the
    /// lock file, as on a state kept read-only; none while nobody holds it,
    /// nor where no lock file was ever made.
    #[test]
    fn the_holder_is_found_without_writing_the_lock_file() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(StateLock::holder_of(dir.path()), None);
        assert!(!StateLock::path_in(dir.path()).exists(), "none is made");
        let daemon = StateLock::try_take(dir.path(), Role::Daemon)
            .unwrap()
            .unwrap();
        let written = std::fs::read(daemon.path()).unwrap();
        assert_eq!(
            StateLock::holder_of(dir.path()),
            Some(Holder {
                pid: Some(std::process::id()),
                role: Role::Daemon
            })
        );
        assert_eq!(std::fs::read(daemon.path()).unwrap(), written);
        drop(daemon);
        assert_eq!(StateLock::holder_of(dir.path()), None);
        assert_eq!(
            std::fs::read(StateLock::path_in(dir.path())).unwrap(),
            written
        );
    }

    #[test]
    fn a_second_taker_learns_who_holds_the_lock_until_it_is_released() {
        let dir = tempfile::tempdir().unwrap();
        let daemon = StateLock::try_take(dir.path(), Role::Daemon)
            .unwrap()
            .unwrap();
        // flock locks belong to the open file: a second open in this
        // process conflicts as a second process would.
        let held = StateLock::try_take(dir.path(), Role::Delivery)
            .unwrap()
            .unwrap_err();
        assert_eq!(
            held,
            Holder {
                pid: Some(std::process::id()),
                role: Role::Daemon
            }
        );
        assert_eq!(
            held.describe(),
            format!("the presswatch daemon (PID {})", std::process::id())
        );
        drop(daemon);
        let delivery = StateLock::try_take(dir.path(), Role::Delivery)
            .unwrap()
            .unwrap();
        assert_eq!(
            std::fs::read_to_string(delivery.path()).unwrap(),
            format!("{} delivery\n", std::process::id())
        );
    }

    #[tokio::test]
    async fn a_watch_is_checked_by_one_process_at_a_time() {
        let dir = tempfile::tempdir().unwrap();
        // Two processes: two lock files opened apart (OFD locks belong to the open file).
        let daemon = CheckLocks::new(dir.path());
        let check = CheckLocks::new(dir.path());
        let held = daemon.lock("story").await.unwrap();
        let other = check.lock("other-story").await;
        assert!(other.is_some(), "another watch is not held up");
        let file = check.file.get().unwrap().clone().unwrap();
        let offset = watch_offset("story");
        let busy = range_lock(&file, offset, libc::F_WRLCK as libc::c_short, false);
        assert!(busy.is_err(), "the same watch waits");
        drop(held);
        assert!(range_lock(&file, offset, libc::F_WRLCK as libc::c_short, false).is_ok());
    }
}
