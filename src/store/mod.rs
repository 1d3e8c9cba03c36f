//! Storage: baseline files (`baseline/<watch>.txt`) and the state database.

mod state;

pub use state::{DisabledChannel, OutboxCounts, OutboxEntry, OutboxStatus, State, WatchState};

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::document::Document;

/// Writes a file atomically: a temporary file in the same directory, fsync,
/// rename over the target, fsync of the directory. Readers see the old or the
/// new content, never a torn file. New files are created 0600; a replaced
/// file keeps its mode.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
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
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .mode(mode)
            .open(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)?;
        std::fs::File::open(dir)?.sync_all()
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

/// The directory of baseline documents.
#[derive(Debug, Clone)]
pub struct Baselines {
    dir: PathBuf,
}

impl Baselines {
    /// Baselines kept in `dir` (created on first write).
    pub fn new(dir: &Path) -> Baselines {
        Baselines {
            dir: dir.to_path_buf(),
        }
    }

    /// The file of a watch's baseline.
    pub fn path(&self, watch: &str) -> PathBuf {
        self.dir.join(format!("{watch}.txt"))
    }

    /// Reads a watch's baseline; `Ok(None)` when there is none yet.
    pub fn read(&self, watch: &str) -> std::io::Result<Option<Document>> {
        match std::fs::read(self.path(watch)) {
            Ok(bytes) => Ok(Some(Document::from_baseline(&crate::fetch::decode(
                &bytes, None,
            )))),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Replaces a watch's baseline atomically.
    pub fn write(
        &self,
        watch: &str,
        doc: &Document,
        url: &str,
        fetched: &str,
    ) -> std::io::Result<()> {
        create_private_dir(&self.dir)?;
        write_atomic(&self.path(watch), doc.to_baseline(url, fetched).as_bytes())
    }
}

/// Creates a directory (and parents) with mode 0700 when it does not exist.
pub fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::DirBuilderExt;
    if dir.is_dir() {
        return Ok(());
    }
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn atomic_write_replaces_and_leaves_no_temp_file() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.txt");
        write_atomic(&p, b"one").unwrap();
        write_atomic(&p, b"two").unwrap();
        assert_eq!(std::fs::read(&p).unwrap(), b"two");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(
            std::fs::metadata(&p).unwrap().permissions().mode() & 0o777,
            0o600
        );
    }
}
