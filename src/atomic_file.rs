//! Files written atomically: readers see the old or the new content, never
//! a torn file, whatever the moment of a crash or power cut. And whose the
//! files presswatch writes as root are ([`Owner`]).

use std::io::Write;
use std::path::Path;

/// Whose a file or directory presswatch creates is when it runs as root
/// (`sudo presswatch check`). Other users can only create their own.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Owner {
    /// The writer's: an export, report or recording the user asked for.
    Writer,
    /// The state's: a replaced file keeps its owner and group, a new one
    /// takes those of the directory it is created in, so that the service
    /// user that owns the state directory can still read and replace it.
    State,
}

impl Owner {
    /// When the process runs as root and `self` is [`Owner::State`], gives
    /// `file` the owner and group of `like` (the file it replaces, or the
    /// directory it is created in). Otherwise does nothing.
    pub fn give(self, file: &std::fs::File, like: &Path) -> std::io::Result<()> {
        use std::os::unix::fs::MetadataExt;
        // SAFETY: geteuid cannot fail and has no preconditions.
        if self == Owner::Writer || unsafe { libc::geteuid() } != 0 {
            return Ok(());
        }
        let of = std::fs::metadata(like)?;
        std::os::unix::fs::fchown(file, Some(of.uid()), Some(of.gid()))
    }
}

/// The directory a file is in: its parent, or `.` for a bare file name.
pub fn parent_dir(path: &Path) -> &Path {
    path.parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
}

/// Writes a file atomically: a temporary file in the same directory, fsync,
/// rename over the target, fsync of the directory. Readers see the old or the
/// new content, never a torn file. New files are created 0600; a replaced
/// file keeps its mode, and its owner as `owner` says.
pub fn write_atomic(path: &Path, owner: Owner, bytes: &[u8]) -> std::io::Result<()> {
    write_atomic_with(path, owner, |w| w.write_all(bytes))
}

/// [`write_atomic`] for content written piece by piece (an export of many
/// records): `write` writes it through a buffer, and what it returns is
/// returned once the file is in place.
pub fn write_atomic_with<T>(
    path: &Path,
    owner: Owner,
    write: impl FnOnce(&mut std::io::BufWriter<std::fs::File>) -> std::io::Result<T>,
) -> std::io::Result<T> {
    use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
    let dir = parent_dir(path);
    let name = path
        .file_name()
        .ok_or_else(|| std::io::Error::other("path has no file name"))?;
    let tmp = dir.join(format!(
        ".{}.tmp{}",
        name.to_string_lossy(),
        std::process::id()
    ));
    let mode = std::fs::metadata(path)
        .map(|m| m.permissions().mode() & 0o777)
        .unwrap_or(0o600);
    let result = (|| {
        let f = std::fs::OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .mode(mode)
            .open(&tmp)?;
        let mut w = std::io::BufWriter::new(f);
        let out = write(&mut w)?;
        let f = w.into_inner().map_err(|e| e.into_error())?;
        let like = if path.exists() { path } else { dir };
        owner.give(&f, like)?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)?;
        std::fs::File::open(dir)?.sync_all()?;
        Ok(out)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn atomic_write_replaces_and_leaves_no_temp_file() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.txt");
        write_atomic(&p, Owner::Writer, b"one").unwrap();
        write_atomic(&p, Owner::Writer, b"two").unwrap();
        assert_eq!(std::fs::read(&p).unwrap(), b"two");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(
            std::fs::metadata(&p).unwrap().permissions().mode() & 0o777,
            0o600
        );
    }

    /// The uid and gid of `path`.
    fn owner_of(path: &Path) -> (u32, u32) {
        use std::os::unix::fs::MetadataExt;
        let m = std::fs::metadata(path).unwrap();
        (m.uid(), m.gid())
    }

    #[test]
    fn a_state_file_written_as_root_is_the_state_directorys_owners() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("story.txt");
        // SAFETY: geteuid cannot fail and has no preconditions.
        if unsafe { libc::geteuid() } != 0 {
            eprintln!("not root: checking only that a writer's files stay its own");
            write_atomic(&p, Owner::State, b"one").unwrap();
            // SAFETY: getuid cannot fail and has no preconditions.
            assert_eq!(owner_of(&p).0, unsafe { libc::getuid() });
            return;
        }
        // A state directory of the service user (uid 4321, gid 8765): a new
        // file in it is theirs, not root's.
        std::os::unix::fs::chown(dir.path(), Some(4321), Some(8765)).unwrap();
        write_atomic(&p, Owner::State, b"one").unwrap();
        assert_eq!(owner_of(&p), (4321, 8765));
        // A replaced file keeps its owner, whoever owns the directory.
        std::os::unix::fs::chown(&p, Some(1234), Some(5678)).unwrap();
        write_atomic(&p, Owner::State, b"two").unwrap();
        assert_eq!(owner_of(&p), (1234, 5678));
        assert_eq!(std::fs::read(&p).unwrap(), b"two");
        // What the user asked for (an export) stays root's.
        let out = dir.path().join("export.warc.gz");
        write_atomic(&out, Owner::Writer, b"records").unwrap();
        // SAFETY: getegid cannot fail and has no preconditions.
        assert_eq!(owner_of(&out), (0, unsafe { libc::getegid() }));
    }
}
