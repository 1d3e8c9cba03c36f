//! `presswatch export --warc OUT.warc.gz`: the kept raw responses as a WARC
//! file that web-archive tools (warcio, pywb, ReplayWeb.page) read.
//!
//! Per kept response: a `response` record (or a `revisit` record when its
//! body repeats one already written), the `request` that fetched it, and a
//! `metadata` record naming the watch, the version and its content hash. A
//! `warcinfo` record first names the software, the config and the watches.
//! A takedown's answer comes with the last version kept before it, whatever
//! `--since` says.

use std::collections::{HashMap, HashSet};
use std::io::Write;
use std::path::Path;

use chrono::{DateTime, TimeZone, Utc};

use crate::config::Config;
use crate::store::{Snapshot, SnapshotKind, State};
use crate::warc::{self, HttpHead, Original};

/// What an export wrote.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Exported {
    /// Responses written whole.
    pub responses: usize,
    /// Responses written as revisits of an identical body.
    pub revisits: usize,
    /// Records in all.
    pub records: usize,
}

/// Writes the kept responses of the config's watches (or of `watch`),
/// fetched at or after `since`, to `out` (replaced atomically).
pub fn export(
    config: &Config,
    state: &State,
    watch: Option<&str>,
    since: Option<DateTime<Utc>>,
    out: &Path,
) -> Result<Exported, String> {
    let names: Vec<&str> = config
        .watches
        .iter()
        .map(|w| w.name.as_str())
        .filter(|n| watch.is_none_or(|w| w == *n))
        .collect();
    if let Some(w) = watch.filter(|_| names.is_empty()) {
        return Err(format!("no watch named {w:?} in {}", config.path.display()));
    }
    let all = state.snapshots(None).map_err(|e| e.to_string())?;
    let chosen = select(&all, &names, since);
    let filename = out
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mut info = vec![
        (
            "software".to_string(),
            format!("presswatch/{}", env!("CARGO_PKG_VERSION")),
        ),
        ("format".into(), "WARC File Format 1.1".into()),
        (
            "conformsTo".into(),
            "http://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.1/".into(),
        ),
        (
            "presswatch-config".into(),
            config.path.display().to_string(),
        ),
    ];
    for w in config
        .watches
        .iter()
        .filter(|w| names.contains(&w.name.as_str()))
    {
        info.push(("presswatch-watch".into(), format!("{} {}", w.name, w.url)));
    }
    let tmp = out.with_file_name(format!(".{filename}.tmp{}", std::process::id()));
    let written = (|| {
        let mut file = std::io::BufWriter::new(std::fs::File::create(&tmp)?);
        let mut n = Exported::default();
        let mut put = |r: &warc::Record, file: &mut std::io::BufWriter<std::fs::File>| {
            n.records += 1;
            file.write_all(&r.to_gzip())
        };
        put(&warc::warcinfo(Utc::now(), &filename, &info), &mut file)?;
        let mut first_by_body: HashMap<&str, Original> = HashMap::new();
        for s in &chosen {
            let body = state
                .snapshot_body(&s.body_sha256)
                .map_err(std::io::Error::other)?
                .ok_or_else(|| {
                    std::io::Error::other(format!("the body {} is not stored", s.body_sha256))
                })?;
            let date = at(s.fetched_at_ms);
            let head = response_head(s, body.len());
            let record = match first_by_body.get(s.body_sha256.as_str()) {
                Some(original) => {
                    n.revisits += 1;
                    warc::revisit(&s.final_url, date, &head, original)
                }
                None => {
                    n.responses += 1;
                    let r = warc::response(&s.final_url, date, &head, &body);
                    first_by_body.insert(
                        &s.body_sha256,
                        Original {
                            id: r.id.clone(),
                            uri: s.final_url.clone(),
                            date,
                            payload_digest: r.payload_digest(),
                        },
                    );
                    r
                }
            };
            put(&record, &mut file)?;
            let (request_line, request_headers) = super::split_head(&s.request_head);
            let request = HttpHead {
                start_line: request_line,
                headers: request_headers,
            };
            put(
                &warc::request(&s.final_url, date, &request, &record.id),
                &mut file,
            )?;
            let content = state
                .versions(&s.watch)
                .map_err(std::io::Error::other)?
                .into_iter()
                .find(|v| v.seq == s.version)
                .map(|v| v.sha256)
                .unwrap_or_default();
            let fields = [
                ("presswatch-watch", s.watch.clone()),
                ("presswatch-version", s.version.to_string()),
                ("presswatch-event", s.kind.as_str().to_string()),
                ("presswatch-watched-url", s.url.clone()),
                ("presswatch-body-sha256", s.body_sha256.clone()),
                ("presswatch-content-sha256", content),
            ]
            .map(|(k, v)| (k.to_string(), v));
            put(
                &warc::metadata(&s.final_url, date, &record.id, &fields),
                &mut file,
            )?;
        }
        let file = file.into_inner().map_err(|e| e.into_error())?;
        file.sync_all()?;
        std::fs::rename(&tmp, out)?;
        Ok::<_, std::io::Error>(n)
    })();
    written.map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        format!("writing {}: {e}", out.display())
    })
}

/// The snapshots to export, oldest first: those of `names` fetched at or
/// after `since`, plus the version each chosen takedown took down.
fn select<'a>(
    all: &'a [Snapshot],
    names: &[&str],
    since: Option<DateTime<Utc>>,
) -> Vec<&'a Snapshot> {
    let ours: Vec<&Snapshot> = all
        .iter()
        .filter(|s| names.contains(&s.watch.as_str()))
        .collect();
    let recent = |s: &Snapshot| since.is_none_or(|t| s.fetched_at_ms >= t.timestamp_millis());
    let taken_down: HashSet<(&str, i64)> = ours
        .iter()
        .filter(|s| s.kind == SnapshotKind::TakenDown && recent(s))
        .map(|s| (s.watch.as_str(), s.version))
        .collect();
    ours.into_iter()
        .filter(|s| recent(s) || taken_down.contains(&(s.watch.as_str(), s.version)))
        .collect()
}

/// The stored response head as written to the WARC: the body is kept with
/// its transfer and content codings undone, so those header fields are
/// renamed `X-Presswatch-Orig-...` and `Content-Length` gives the body's
/// length.
fn response_head(s: &Snapshot, body_len: usize) -> HttpHead {
    let (status_line, fields) = super::split_head(&s.response_head);
    let mut headers: Vec<(String, String)> = fields
        .into_iter()
        .filter(|(k, _)| !k.eq_ignore_ascii_case("content-length"))
        .map(|(k, v)| {
            if k.eq_ignore_ascii_case("transfer-encoding")
                || k.eq_ignore_ascii_case("content-encoding")
            {
                (format!("X-Presswatch-Orig-{k}"), v)
            } else {
                (k, v)
            }
        })
        .collect();
    headers.push(("Content-Length".into(), body_len.to_string()));
    HttpHead {
        start_line: status_line,
        headers,
    }
}

/// A Unix time in milliseconds as a date.
fn at(ms: i64) -> DateTime<Utc> {
    Utc.timestamp_millis_opt(ms).single().unwrap_or_default()
}
