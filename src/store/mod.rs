//! Storage: baseline files (`baseline/<watch>.txt`) and the state database.

mod snapshots;
mod state;

pub use snapshots::{Mismatch, NewSnapshot, Snapshot, SnapshotKind};
pub use state::{
    DisabledChannel, Durability, NewVersion, OutboxCounts, OutboxEntry, OutboxStatus, State,
    Thread, WatchState,
};

use std::io::Write;
use std::path::{Path, PathBuf};

use std::collections::HashSet;

use url::Url;

use crate::document::{Document, Item};

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

    /// True when the watch has a baseline file.
    pub fn exists(&self, watch: &str) -> bool {
        self.path(watch).is_file()
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

    /// Replaces a watch's baseline atomically with `body`, a document in the
    /// baseline format ([`crate::document::Document::to_baseline`]).
    pub fn write(&self, watch: &str, body: &str) -> std::io::Result<()> {
        create_private_dir(&self.dir)?;
        write_atomic(&self.path(watch), body.as_bytes())
    }
}

impl Baselines {
    /// Reads the item keys of a listing or feed watch's baseline: one item per
    /// line, written `- Title <URL>` (or just the URL), with ` (id: KEY)` when
    /// the item's identity is a feed GUID. `Ok(None)` when there is no file.
    pub fn read_items(&self, watch: &str) -> std::io::Result<Option<HashSet<String>>> {
        let bytes = match std::fs::read(self.path(watch)) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(e),
        };
        let text = crate::fetch::decode(&bytes, None);
        let doc = Document::from_baseline(&text);
        Ok(Some(
            doc.blocks
                .iter()
                .filter_map(|b| item_key_of_line(&b.text))
                .collect(),
        ))
    }

    /// Replaces a listing or feed watch's baseline with its current items.
    pub fn write_items(
        &self,
        watch: &str,
        items: &[Item],
        url: &str,
        fetched: &str,
    ) -> std::io::Result<()> {
        create_private_dir(&self.dir)?;
        let mut out = format!("URL: {url}\nFetched: {fetched}\n\n");
        for it in items {
            let title = it.title.replace(['\r', '\n', '<', '>'], " ");
            out.push_str(&format!("- {title} <{}>", it.url));
            let by_url = Url::parse(&it.url)
                .map(|u| crate::extract::normalize_url(&u))
                .ok();
            if by_url.as_deref() != Some(it.key.as_str()) {
                out.push_str(&format!(" (id: {})", it.key));
            }
            out.push('\n');
        }
        write_atomic(&self.path(watch), out.as_bytes())
    }
}

/// The item key a baseline line names: its `(id: ...)`, else its normalised URL.
fn item_key_of_line(line: &str) -> Option<String> {
    if let Some(start) = line.rfind("(id: ") {
        return Some(
            line[start + 5..]
                .trim_end()
                .trim_end_matches(')')
                .to_string(),
        );
    }
    let start = line.find("http://").or_else(|| line.find("https://"))?;
    let url = line[start..]
        .split(|c: char| c.is_whitespace() || c == '>')
        .next()?;
    Url::parse(url)
        .ok()
        .map(|u| crate::extract::normalize_url(&u))
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
    fn listing_baseline_round_trips_urls_and_guids() {
        let dir = tempfile::tempdir().unwrap();
        let b = Baselines::new(dir.path());
        let item = |key: &str, url: &str| Item {
            key: key.into(),
            url: url.into(),
            title: "A <b> title".into(),
            snippet: None,
            published: None,
        };
        b.write_items(
            "tag",
            &[
                item("https://n.example/a", "https://n.example/a?utm_source=x"),
                item("tag:n,7", "https://n.example/b"),
            ],
            "https://n.example/tag",
            "now",
        )
        .unwrap();
        let keys = b.read_items("tag").unwrap().unwrap();
        assert_eq!(
            keys,
            ["https://n.example/a".to_string(), "tag:n,7".to_string()]
                .into_iter()
                .collect()
        );
        // A hand-written file of bare URLs works too.
        std::fs::write(
            b.path("hand"),
            "https://n.example/c/\nhttps://N.example/d#top\n",
        )
        .unwrap();
        let keys = b.read_items("hand").unwrap().unwrap();
        assert_eq!(
            keys,
            [
                "https://n.example/c".to_string(),
                "https://n.example/d".to_string()
            ]
            .into_iter()
            .collect()
        );
    }

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
