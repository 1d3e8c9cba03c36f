//! Storage: baseline files (`baseline/<watch>.txt`) and the state, behind
//! one boundary ([`State`]) with two backends: SQLite (`state/`, the
//! embedded default) and PostgreSQL (`postgres/`, shared by replicas).

mod backend;
mod lock;
mod postgres;
mod row;
mod snapshots;
mod state;

pub use backend::{CheckTurn, State};

/// What to do about a state database whose schema is older than this
/// presswatch's, said by the commands that change nothing on disk (a dry
/// run, `diff`, `history`) and so do not upgrade it.
const UPGRADE_IT: &str =
    "restart the daemon, or run `presswatch check` once without --dry-run, then try again";
pub use lock::{CheckGuard, CheckLocks, Holder, Role, StateLock};
pub use postgres::{
    ChannelPeer, CheckLease, FleetHosts, FleetView, Forgotten, Lease, LeaseHolder, NoLease,
    OnSchedule, Postgres, ReplicaInfo, ScheduleAhead, LEASE_AND_LOOK,
};
pub use snapshots::{KeptBytes, Mismatch, NewSnapshot, RecordDigest, Snapshot, SnapshotKind};
pub use state::{
    ChannelQueue, Checked, DisabledChannel, Durability, EventKind, FollowTry, NewAlert, NewEvent,
    NewVersion, Origin, OutboxEntry, OutboxStatus, SeenItems, Sender, Sqlite, StateError, Thread,
    VersionRow, WatchEvent, WatchState,
};

use std::path::{Path, PathBuf};

use url::Url;

use crate::atomic_file::{write_atomic, Owner};
use crate::document::{Document, Item, Masthead};

/// The accepted baselines: files in `baseline_dir` (`<watch>.txt`) with
/// SQLite; with PostgreSQL, rows of the shared database, the files then
/// being an import (a watch's file, hand-written or kept from before, is
/// read on its first check) and `presswatch export --baselines` writing
/// them back out.
#[derive(Clone)]
pub struct Baselines {
    dir: PathBuf,
    db: Option<Postgres>,
}

impl Baselines {
    /// Baselines kept as files in `dir` (created on first write).
    pub fn new(dir: &Path) -> Baselines {
        Baselines {
            dir: dir.to_path_buf(),
            db: None,
        }
    }

    /// The baselines of `state`: in its database when it is shared
    /// (PostgreSQL, importing files from `dir`), else files in `dir`.
    pub fn for_state(dir: &Path, state: &State) -> Baselines {
        Baselines {
            dir: dir.to_path_buf(),
            db: state.shared().cloned(),
        }
    }

    /// The file of a watch's baseline (with PostgreSQL: the file imported
    /// when the database has none).
    pub fn path(&self, watch: &str) -> PathBuf {
        self.dir.join(format!("{watch}.txt"))
    }

    /// The baseline text stored in the database, else the file's. An error
    /// says where it was read: "in the state database: …" or "PATH: …"
    /// (with PostgreSQL, a database that does not answer is no file's
    /// fault).
    pub fn text(&self, watch: &str) -> std::io::Result<Option<String>> {
        if let Some(db) = &self.db {
            let text = db
                .baseline(watch)
                .map_err(|e| std::io::Error::other(format!("in the state database: {e}")))?;
            if let Some(text) = text {
                return Ok(Some(text));
            }
        }
        let path = self.path(watch);
        match std::fs::read(&path) {
            Ok(bytes) => Ok(Some(crate::charset::decode(&bytes, None).into_owned())),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(self.file_error(&path, e)),
        }
    }

    /// An error on a baseline file, naming it; when it is not presswatch's
    /// to read or write (it was written by root, as `sudo presswatch check`
    /// once could), how to give the files back.
    fn file_error(&self, path: &Path, e: std::io::Error) -> std::io::Error {
        if e.kind() != std::io::ErrorKind::PermissionDenied {
            return std::io::Error::new(e.kind(), format!("{}: {e}", path.display()));
        }
        // SAFETY: geteuid cannot fail and has no preconditions.
        let uid = unsafe { libc::geteuid() };
        std::io::Error::new(
            e.kind(),
            format!(
                "{}: {e}; the baseline files must be those of the user presswatch runs as (uid {uid}): run `chown -R {uid}: {}` as root",
                path.display(),
                self.dir.display()
            ),
        )
    }

    /// True when the watch has a baseline. When the database cannot say,
    /// true: the check then fails reading it, rather than taking the page
    /// for a first version and missing a change.
    pub fn exists(&self, watch: &str) -> bool {
        self.db
            .as_ref()
            .is_some_and(|db| db.has_baseline(watch).unwrap_or(true))
            || self.path(watch).is_file()
    }

    /// Whether the baselines are the files themselves (SQLite), not rows of a
    /// shared database the files are only imported into (PostgreSQL).
    pub fn in_files(&self) -> bool {
        self.db.is_none()
    }

    /// Reads a watch's baseline; `Ok(None)` when there is none yet. An
    /// error names the file or the database it was read from.
    pub fn read(&self, watch: &str) -> std::io::Result<Option<Document>> {
        Ok(self.text(watch)?.map(|t| Document::from_baseline(&t)))
    }

    /// Replaces a watch's baseline with `body`, a document in the baseline
    /// format ([`crate::document::Document::to_baseline`]): atomically as a
    /// file, or in one durable commit.
    pub fn write(&self, watch: &str, body: &str) -> std::io::Result<()> {
        if let Some(db) = &self.db {
            let now = chrono::Utc::now().timestamp();
            return db
                .set_baseline(watch, body, now)
                .map_err(std::io::Error::other);
        }
        let path = self.path(watch);
        create_private_dir(&self.dir, Owner::State)
            .and_then(|()| write_atomic(&path, Owner::State, body.as_bytes()))
            .map_err(|e| match e.kind() {
                std::io::ErrorKind::PermissionDenied => self.file_error(&path, e),
                _ => e,
            })
    }

    /// Deletes a watch's baseline wherever it is kept: the database's copy
    /// (PostgreSQL) and the file (with PostgreSQL, the file would otherwise
    /// be imported again). True when there was one.
    pub fn forget(&self, watch: &str) -> std::io::Result<bool> {
        let mut had = false;
        if let Some(db) = &self.db {
            had = db.delete_baseline(watch).map_err(std::io::Error::other)?;
        }
        match std::fs::remove_file(self.path(watch)) {
            Ok(()) => Ok(true),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(had),
            Err(e) => Err(e),
        }
    }

    /// Reads the items of a listing or feed watch's baseline ([`items_of_baseline`]).
    /// `Ok(None)` when there is none.
    pub fn read_items(&self, watch: &str) -> std::io::Result<Option<Vec<Item>>> {
        Ok(self.text(watch)?.map(|t| items_of_baseline(&t)))
    }

    /// Writes every baseline the database holds into `dir` as files
    /// (`<watch>.txt`, atomically); returns how many. With SQLite the
    /// baselines already are files: none are written.
    pub fn export(&self, dir: &Path) -> Result<usize, String> {
        let Some(db) = &self.db else {
            return Ok(0);
        };
        let all = db.all_baselines().map_err(|e| e.to_string())?;
        create_private_dir(dir, Owner::Writer)
            .map_err(|e| format!("creating {}: {e}", dir.display()))?;
        for (watch, body) in &all {
            let path = dir.join(format!("{watch}.txt"));
            write_atomic(&path, Owner::Writer, body.as_bytes())
                .map_err(|e| format!("writing {}: {e}", path.display()))?;
        }
        Ok(all.len())
    }
}

/// A listing's or feed's items in the baseline format: a header (with the
/// page's or feed's name and language as `masthead` gives them), then one
/// `- Title <URL>` line per item, with ` (id: KEY)` when the item's
/// identity is not its URL (a feed GUID).
pub fn items_baseline(items: &[Item], url: &str, fetched: &str, masthead: &Masthead) -> String {
    let mut out = format!("URL: {url}\n");
    for (key, value) in [("Site-Name", &masthead.name), ("Lang", &masthead.lang)] {
        let value = value.as_deref().map(|v| v.replace(['\r', '\n'], " "));
        if let Some(v) = value.filter(|v| !v.trim().is_empty()) {
            out.push_str(&format!("{key}: {}\n", v.trim()));
        }
    }
    if !fetched.is_empty() {
        out.push_str(&format!("Fetched: {fetched}\n"));
    }
    out.push('\n');
    for it in items {
        let title = it.title.replace(['\r', '\n', '<', '>'], " ");
        if title.trim().is_empty() {
            out.push_str(&format!("- {}", it.url));
        } else {
            out.push_str(&format!("- {title} <{}>", it.url));
        }
        let by_url = Url::parse(&it.url)
            .map(|u| crate::extract::normalize_url(&u))
            .ok();
        if by_url.as_deref() != Some(it.key.as_str()) {
            out.push_str(&format!(" (id: {})", it.key));
        }
        out.push('\n');
    }
    out
}

/// The items a listing baseline names, in its order: each line's title,
/// URL and key (its `(id: ...)`, else its normalised URL). A hand-written
/// file of bare URLs gives items without titles.
pub fn items_of_baseline(text: &str) -> Vec<Item> {
    Document::from_baseline(text)
        .blocks
        .iter()
        .filter_map(|b| {
            let key = item_key_of_line(&b.text)?;
            let (title, url) = match b.text.rfind(" <") {
                Some(i) => (
                    b.text[..i].trim().to_string(),
                    b.text[i + 2..].split('>').next().unwrap_or("").to_string(),
                ),
                None => {
                    let start = b.text.find("http://").or_else(|| b.text.find("https://"))?;
                    let url = b.text[start..].split_whitespace().next().unwrap_or("");
                    (String::new(), url.to_string())
                }
            };
            Some(Item {
                key,
                url,
                title,
                snippet: None,
                published: None,
            })
        })
        .collect()
}

/// The content hash of a listing's or feed's version: its items' keys,
/// each with its title as the version's text holds it, in any order (a
/// re-ordered page is the same version). Whether a check stores a new
/// version is decided by the check (new items, or a retitle that is news),
/// not by this hash: a title changing in a way that is no news changes it
/// but stores nothing.
pub fn items_hash(items: &[Item]) -> String {
    // The titles as read back from the baseline format (line breaks and
    // angle brackets taken out, text cleaned), so that a version's text
    // read back hashes as its check stored it.
    let held = items_of_baseline(&items_baseline(
        items,
        "https://presswatch.invalid/",
        "",
        &Masthead::default(),
    ));
    let mut lines: Vec<String> = held
        .iter()
        .map(|i| format!("{}\t{}", i.key, i.title))
        .collect();
    lines.sort_unstable();
    lines.dedup();
    crate::document::sha256_hex(lines.join("\n").as_bytes())
}

/// The hash of a listing's item keys alone, in any order: the content hash
/// presswatch stored for listing and feed versions before it kept titles
/// in it, and whether two lists hold the same items.
pub fn item_keys_hash(items: &[Item]) -> String {
    let mut keys: Vec<&str> = items.iter().map(|i| i.key.as_str()).collect();
    keys.sort_unstable();
    keys.dedup();
    crate::document::sha256_hex(keys.join("\n").as_bytes())
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

/// Creates a directory (and parents) with mode 0700 when it does not exist;
/// as root, with `owner` [`Owner::State`], those it creates take the owner
/// and group of the nearest directory above them that existed.
pub fn create_private_dir(dir: &Path, owner: Owner) -> std::io::Result<()> {
    use std::os::unix::fs::DirBuilderExt;
    if dir.is_dir() {
        return Ok(());
    }
    let existing = dir
        .ancestors()
        .skip(1)
        .find(|a| a.as_os_str().is_empty() || a.is_dir())
        .map(|a| {
            if a.as_os_str().is_empty() {
                Path::new(".")
            } else {
                a
            }
        })
        .unwrap_or(Path::new("/"))
        .to_path_buf();
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)?;
    let created: Vec<&Path> = dir
        .ancestors()
        .take_while(|a| !a.as_os_str().is_empty() && *a != existing)
        .collect();
    for d in created.into_iter().rev() {
        owner.give(&std::fs::File::open(d)?, &existing)?;
    }
    Ok(())
}

/// Crash-testing hook: when the environment variable `PRESSWATCH_FAILPOINT`
/// names this point, the process aborts here, as a power cut would. Used by
/// the tests that prove a crash between two steps of a check's storing
/// loses and duplicates nothing: `before-versions` (before the check's
/// transaction), `after-enqueue` (its alerts and versions written, not
/// committed), `before-baseline` (committed, the baseline file not written).
pub fn failpoint(name: &str) {
    static POINT: std::sync::OnceLock<Option<String>> = std::sync::OnceLock::new();
    if POINT
        .get_or_init(|| std::env::var("PRESSWATCH_FAILPOINT").ok())
        .as_deref()
        == Some(name)
    {
        eprintln!("presswatch: failpoint {name} reached, aborting");
        std::process::abort();
    }
}

/// What a check stores ([`Checked`]), built for the tests that store
/// alerts, items and takedowns as a check does: through `save_check`.
#[cfg(test)]
pub(crate) mod checked {
    use std::collections::HashSet;

    use super::{Checked, Durability, NewAlert, NewSnapshot, SeenItems, State};
    use crate::document::Item;

    /// A check at Unix time `at` that queues the alert `id` of `kind`, its
    /// JSON `payload`, for `channels`.
    pub(crate) fn queuing(
        id: &str,
        kind: &str,
        payload: &str,
        channels: &[&str],
        at: i64,
    ) -> Checked {
        Checked {
            alerts: vec![NewAlert {
                id: id.into(),
                kind: kind.into(),
                payload: payload.into(),
                channels: channels.iter().map(|c| c.to_string()).collect(),
            }],
            at,
            ..Checked::default()
        }
    }

    /// A check at `at` that remembers `items` as seen (those whose keys
    /// are in `untitled` named by presswatch).
    pub(crate) fn seeing(items: &[Item], untitled: &HashSet<String>, at: i64) -> Checked {
        Checked {
            items: Some(SeenItems {
                seen: items.to_vec(),
                untitled: untitled.clone(),
                ..SeenItems::default()
            }),
            at,
            ..Checked::default()
        }
    }

    /// A check at `at` that could not read the article of the `failed`
    /// items of a `follow` watch, and is done with the `done` ones.
    pub(crate) fn following(failed: &[Item], done: &[&str], at: i64) -> Checked {
        Checked {
            items: Some(SeenItems {
                follow_failed: failed.to_vec(),
                follow_done: done.iter().map(|k| k.to_string()).collect(),
                ..SeenItems::default()
            }),
            at,
            ..Checked::default()
        }
    }

    /// A check that found the watch's `version` taken down by `answer`.
    pub(crate) fn taking_down(version: i64, answer: NewSnapshot) -> Checked {
        Checked {
            takedown: Some((version, answer)),
            ..Checked::default()
        }
    }

    /// Stores `check` of `watch` as a check does, the watch's state as it was.
    pub(crate) fn store(state: &State, watch: &str, check: &Checked) {
        let st = state.watch(watch).unwrap();
        state
            .save_check(watch, &st, check, Durability::Durable)
            .unwrap();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_baseline_file_that_cannot_be_read_is_named_in_the_error() {
        let dir = tempfile::tempdir().unwrap();
        let b = Baselines::new(dir.path());
        assert!(b.read("story").unwrap().is_none(), "none yet is no error");
        std::fs::create_dir(b.path("story")).unwrap();
        let e = b.read("story").unwrap_err().to_string();
        assert!(
            e.starts_with(&format!("{}: ", b.path("story").display())),
            "{e}"
        );
    }

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
        let items = [
            item("https://n.example/a", "https://n.example/a?utm_source=x"),
            item("tag:n,7", "https://n.example/b"),
        ];
        b.write(
            "tag",
            &items_baseline(
                &items,
                "https://n.example/tag",
                "now",
                &Masthead {
                    name: Some("Radio\nZamaneh".into()),
                    lang: Some("fa".into()),
                },
            ),
        )
        .unwrap();
        let back = b.read_items("tag").unwrap().unwrap();
        let keys: Vec<&str> = back.iter().map(|i| i.key.as_str()).collect();
        assert_eq!(keys, ["https://n.example/a", "tag:n,7"]);
        // The page's name and language are kept for alerts of checks that
        // cannot read the page; they are no items.
        let kept = Document::from_baseline(&b.text("tag").unwrap().unwrap());
        assert_eq!(kept.site_name.as_deref(), Some("Radio Zamaneh"));
        assert_eq!(kept.lang.as_deref(), Some("fa"));
        assert_eq!(back.len(), 2);
        assert_eq!(back[0].title, "A b title");
        assert_eq!(back[0].url, "https://n.example/a?utm_source=x");
        assert_eq!(
            items_hash(&back),
            items_hash(&[items[1].clone(), items[0].clone()])
        );
        // The hash covers the titles as the text holds them; the keys-only
        // hash of older versions does not.
        let mut retitled = items.clone();
        retitled[0].title = "Another title".into();
        assert_ne!(items_hash(&retitled), items_hash(&items));
        assert_eq!(item_keys_hash(&retitled), item_keys_hash(&back));
        // A hand-written file of bare URLs works too.
        std::fs::write(
            b.path("hand"),
            "https://n.example/c/\nhttps://N.example/d#top\n",
        )
        .unwrap();
        let keys: Vec<String> = b
            .read_items("hand")
            .unwrap()
            .unwrap()
            .into_iter()
            .map(|i| i.key)
            .collect();
        assert_eq!(keys, ["https://n.example/c", "https://n.example/d"]);
    }
}
