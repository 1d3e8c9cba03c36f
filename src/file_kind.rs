//! What a path a command is given names, in words, for the messages of a
//! file that cannot be used as one: a special file (a named pipe, a device,
//! a socket), a file of a filesystem the kernel makes up (`/proc`, `/sys`),
//! and where a relative path is read from. Shared by the config file's
//! errors (`config::problems`) and those of the files commands read
//! (`corpus`), and by the state and baseline directories' (`preflight`).
//! It also says what forbids every user to write a path (a read-only
//! mount, an immutable attribute), which the state database is opened by
//! (`store`) and `preflight` words. It reads a path's metadata (stat,
//! statfs, access), never a file's bytes: a named pipe would wait for a
//! writer, `/dev/zero` never end.

use std::path::{Path, PathBuf};

/// Filesystems the kernel makes up (their `statfs` magic numbers, from
/// linux/magic.h), where access(2) may say a directory is writable (to
/// root) but no file can be kept, and whose files are made up as they are
/// read: process and kernel state, devices, control groups, kernel
/// interfaces.
const PSEUDO_FILESYSTEMS: [(u32, &str); 16] = [
    (0x9fa0, "a proc"),
    (0x6265_6572, "a sysfs"),
    (0x1cd1, "a devpts"),
    (0x0027_e0eb, "a cgroup"),
    (0x6367_7270, "a cgroup2"),
    (0x6462_6720, "a debugfs"),
    (0x7472_6163, "a tracefs"),
    (0x7363_6673, "a securityfs"),
    (0xcafe_4a11, "a bpf"),
    (0x6165_676c, "a pstore"),
    (0xde5e_81e4, "an efivarfs"),
    (0x6265_6570, "a configfs"),
    (0x6573_5543, "a fusectl"),
    (0x1980_0202, "an mqueue"),
    (0x4249_4e4d, "a binfmt_misc"),
    (0xf97c_ff8c, "a selinuxfs"),
];

/// The filesystem of anonymous pipes (`PIPEFS_MAGIC`): what `/dev/stdin`
/// and `<(command)` name when a program writes into them.
const PIPEFS: u32 = 0x5049_5045;

/// What forbids every user, root included, to write a path: not its owner
/// and mode (which another user may pass), but something no user can.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WriteForbidden {
    /// An attribute such as immutable (`chattr +i`): access(2) says EPERM.
    Attribute,
    /// A read-only mount: access(2) says EROFS.
    ReadOnlyMount,
}

impl WriteForbidden {
    /// What forbids it, by the error access(2) (or a write) gave; `None`
    /// for anything else, such as this user's permissions (EACCES). Rust
    /// calls EACCES and EPERM both `PermissionDenied`: the raw error tells
    /// them apart.
    pub fn of(e: &std::io::Error) -> Option<WriteForbidden> {
        match e.raw_os_error()? {
            libc::EPERM => Some(WriteForbidden::Attribute),
            libc::EROFS => Some(WriteForbidden::ReadOnlyMount),
            _ => None,
        }
    }
}

/// What forbids every user, root included, to write `path`, asked of
/// access(2); `None` when this user may write it, or only this user's
/// permissions forbid it.
pub fn write_forbidden_to_all(path: &Path) -> Option<WriteForbidden> {
    use std::os::unix::ffi::OsStrExt;
    let c = std::ffi::CString::new(path.as_os_str().as_bytes()).ok()?;
    // SAFETY: `c` is a valid NUL-terminated string for the duration of the call.
    if unsafe { libc::access(c.as_ptr(), libc::W_OK) } == 0 {
        return None;
    }
    WriteForbidden::of(&std::io::Error::last_os_error())
}

/// The `statfs` magic number of the filesystem `path` is on (followed
/// through symbolic links); `None` when it cannot be told.
fn filesystem_magic(path: &Path) -> Option<u32> {
    use std::os::unix::ffi::OsStrExt;
    let path = std::ffi::CString::new(path.as_os_str().as_bytes()).ok()?;
    // SAFETY: statfs only writes into `st`, a zeroed plain C struct, and
    // `path` is a valid NUL-terminated string for the duration of the call.
    let mut st: libc::statfs = unsafe { std::mem::zeroed() };
    if unsafe { libc::statfs(path.as_ptr(), &mut st) } != 0 {
        return None;
    }
    // A magic number is 32 bits, in an f_type whose type differs between
    // platforms.
    #[allow(clippy::unnecessary_cast)]
    Some(st.f_type as u32)
}

/// The pseudo filesystem (proc, sysfs, cgroup, debugfs, …) `dir` is on,
/// or would be created on, with the directory that was looked at (`dir`,
/// or its nearest existing ancestor); `None` on any other filesystem, or
/// when it cannot be told.
pub fn pseudo_filesystem(dir: &Path) -> Option<(&'static str, PathBuf)> {
    let mut at = dir.to_path_buf();
    while !at.exists() {
        if !at.pop() {
            return None;
        }
    }
    let magic = filesystem_magic(&at)?;
    PSEUDO_FILESYSTEMS
        .iter()
        .find(|(m, _)| *m == magic)
        .map(|(_, name)| (*name, at))
}

/// What `path` names when it is no file a command can read as one, in
/// words that follow "it is": a named pipe (FIFO) made on a disk, which
/// waits for a program to write into it; a device (`/dev/null`, a
/// terminal, a disk); a socket; a file of a pseudo filesystem (`/proc`,
/// `/sys` and the other filesystems the kernel makes up), made up as it is
/// read. `None` for a file on a disk, a directory, a path that names
/// nothing (the read says so), and a pipe a program writes into
/// (`/dev/stdin` of a pipeline, `<(command)`), which is read as a file.
pub fn special(path: &Path) -> Option<String> {
    use std::os::unix::fs::FileTypeExt;
    let kind = std::fs::metadata(path).ok()?.file_type();
    let what = if kind.is_fifo() {
        if filesystem_magic(path) == Some(PIPEFS) {
            return None;
        }
        "a named pipe (FIFO), which gives only what a program writes into it, and waits until one does"
    } else if kind.is_char_device() {
        "a character device (such as /dev/null, /dev/zero or a terminal), not a file"
    } else if kind.is_block_device() {
        "a block device (a disk or a partition), not a file"
    } else if kind.is_socket() {
        "a socket, which a program listens on, not a file"
    } else if kind.is_file() {
        let magic = filesystem_magic(path)?;
        let (_, fs) = PSEUDO_FILESYSTEMS.iter().find(|(m, _)| *m == magic)?;
        return Some(format!(
            "a file of {fs} filesystem, which the kernel makes up as it is read, not a file saved on a disk"
        ));
    } else {
        return None;
    };
    Some(what.to_string())
}

/// What to add when a relative `path` was not found: ` (a relative path is
/// read from the current directory, DIR)`, with its leading space; empty
/// for an absolute path, or when the current directory cannot be told.
pub fn relative_to_current_dir(path: &Path) -> String {
    match std::env::current_dir() {
        Ok(dir) if path.is_relative() => format!(
            " (a relative path is read from the current directory, {})",
            dir.display()
        ),
        _ => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Only what no user can pass forbids writing to all: an attribute
    /// (EPERM) or a read-only mount (EROFS), not this user's permissions
    /// (EACCES); a directory this user may write is not forbidden.
    #[test]
    fn what_forbids_every_user_to_write_is_told_from_this_users_permissions() {
        let e = std::io::Error::from_raw_os_error;
        assert_eq!(
            WriteForbidden::of(&e(libc::EPERM)),
            Some(WriteForbidden::Attribute)
        );
        assert_eq!(
            WriteForbidden::of(&e(libc::EROFS)),
            Some(WriteForbidden::ReadOnlyMount)
        );
        assert_eq!(WriteForbidden::of(&e(libc::EACCES)), None);
        assert_eq!(WriteForbidden::of(&std::io::Error::other("no errno")), None);
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(write_forbidden_to_all(dir.path()), None);
    }

    /// A named pipe, a device and a file of /proc are named as what they
    /// are; a file on a disk, a directory and a missing path are not.
    #[test]
    fn special_files_are_named_as_what_they_are() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("pipe");
        let c = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
        // SAFETY: mkfifo reads a valid NUL-terminated path.
        assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
        assert!(special(&fifo).unwrap().starts_with("a named pipe (FIFO)"));
        assert!(special(Path::new("/dev/null"))
            .unwrap()
            .starts_with("a character device"));
        assert_eq!(
            special(Path::new("/proc/self/status")).as_deref(),
            Some(
                "a file of a proc filesystem, which the kernel makes up as it is read, not a file \
                 saved on a disk"
            )
        );
        let file = dir.path().join("page.html");
        std::fs::write(&file, "<p>x</p>").unwrap();
        assert_eq!(special(&file), None);
        assert_eq!(special(dir.path()), None);
        assert_eq!(special(&dir.path().join("missing")), None);
    }

    #[test]
    fn a_relative_path_names_the_directory_it_is_read_from() {
        let here = std::env::current_dir().unwrap();
        assert_eq!(
            relative_to_current_dir(Path::new("config.toml")),
            format!(
                " (a relative path is read from the current directory, {})",
                here.display()
            )
        );
        assert_eq!(relative_to_current_dir(Path::new("/etc/config.toml")), "");
    }
}
