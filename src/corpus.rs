//! Extraction over a directory of saved pages: the benchmark behind
//! `presswatch extract --corpus DIR --out PRED.json`.
//!
//! Every `*.html` and `*.html.gz` below the directory is one page. Its id is
//! the file name without extension, except `source.html[.gz]` (the layout of
//! Readability's test pages, `<case>/source.html.gz`), whose id is the name of
//! the directory holding it. Only extraction is timed: reading, gunzip and
//! charset decoding are not. Kept out of `extract`, which reads no files.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use serde::Serialize;

use crate::content_coding::{self, Coding};
use crate::document::Document;

/// One page's result, in the shape the extraction benchmark reads.
#[derive(Debug, Clone, Serialize)]
pub struct Prediction {
    /// The article text, blocks separated by blank lines.
    #[serde(rename = "articleBody")]
    pub article_body: String,
    /// The headline.
    pub title: Option<String>,
    /// The author(s).
    pub byline: Option<String>,
    /// The publication date as the page states it.
    pub published: Option<String>,
    /// The declared language.
    pub lang: Option<String>,
    /// The text direction (`rtl`/`ltr`) when known.
    pub dir: Option<String>,
}

impl From<&Document> for Prediction {
    fn from(d: &Document) -> Self {
        Prediction {
            article_body: d.text(),
            title: d.title.clone(),
            byline: d.byline.clone(),
            published: d.published.clone(),
            lang: d.lang.clone(),
            dir: d.dir.clone(),
        }
    }
}

/// The outcome of extracting a whole corpus.
#[derive(Debug, Default)]
pub struct CorpusRun {
    /// Page id to its result.
    pub predictions: BTreeMap<String, Prediction>,
    /// Extraction time of each page.
    pub times: Vec<Duration>,
    /// Bytes of decoded HTML extracted.
    pub html_bytes: usize,
}

impl CorpusRun {
    /// Total extraction time.
    pub fn total(&self) -> Duration {
        self.times.iter().sum()
    }

    /// Median extraction time per page, in milliseconds.
    pub fn median_ms(&self) -> f64 {
        let mut t: Vec<Duration> = self.times.clone();
        t.sort();
        match t.len() {
            0 => 0.0,
            n if n % 2 == 1 => t[n / 2].as_secs_f64() * 1e3,
            n => (t[n / 2 - 1] + t[n / 2]).as_secs_f64() * 1e3 / 2.0,
        }
    }

    /// Throughput in MB (10^6 bytes) of HTML per second of extraction.
    pub fn mb_per_s(&self) -> f64 {
        let secs = self.total().as_secs_f64();
        if secs == 0.0 {
            return 0.0;
        }
        self.html_bytes as f64 / 1e6 / secs
    }

    /// The one-line summary the command prints.
    pub fn summary(&self) -> String {
        format!(
            "pages {}  total {:.1} ms  median {:.2} ms/page  {:.1} MB/s",
            self.times.len(),
            self.total().as_secs_f64() * 1e3,
            self.median_ms(),
            self.mb_per_s()
        )
    }
}

/// Extracts every page below `dir`, timing extraction only.
pub fn extract_corpus(dir: &Path) -> Result<CorpusRun, String> {
    let files = page_files(dir)?;
    if files.is_empty() {
        return Err(format!(
            "no *.html or *.html.gz files below {}",
            dir.display()
        ));
    }
    let mut run = CorpusRun::default();
    for (id, path) in files {
        let bytes = read_page(&path, "a saved HTML page (may be .gz)")?;
        let html = crate::charset::decode(&bytes, None);
        let start = Instant::now();
        let doc = crate::extract::article(&html, None, None);
        run.times.push(start.elapsed());
        run.html_bytes += html.len();
        run.predictions.insert(id, Prediction::from(&doc));
    }
    Ok(run)
}

/// The pages below `dir` as (id, path), sorted by path.
fn page_files(dir: &Path) -> Result<Vec<(String, PathBuf)>, String> {
    let mut out = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(d) = pending.pop() {
        let cannot_list = |e: std::io::Error| unreadable(&d, &e);
        for entry in std::fs::read_dir(&d).map_err(cannot_list)? {
            let path = entry.map_err(cannot_list)?.path();
            if path.is_dir() {
                pending.push(path);
            } else if let Some(id) = page_id(&path) {
                out.push((id, path));
            }
        }
    }
    out.sort_by(|a, b| a.1.cmp(&b.1));
    Ok(out)
}

/// The id of a page file, or `None` when the file is not a page.
fn page_id(path: &Path) -> Option<String> {
    let name = path.file_name()?.to_str()?;
    let stem = name
        .strip_suffix(".html.gz")
        .or_else(|| name.strip_suffix(".html"))?;
    if stem == "source" {
        let case = path.parent()?.file_name()?.to_str()?;
        return Some(case.to_string());
    }
    Some(stem.to_string())
}

/// The most a saved page may decode to (256 MiB): a small `.gz` that would
/// expand to gigabytes is refused, not read into memory.
pub const MAX_PAGE_FILE: u64 = 256 << 20;

/// Reads a saved page, gunzipping a `.gz` under [`MAX_PAGE_FILE`], or says
/// why it cannot be read ([`read_file`]; `wanted` is what to give instead).
pub fn read_page(path: &Path, wanted: &str) -> Result<Vec<u8>, String> {
    let bytes = read_file(path, wanted)?;
    if path.extension().is_some_and(|e| e == "gz") {
        return content_coding::decode(Coding::Gzip, &bytes, MAX_PAGE_FILE)
            .map_err(|e| format!("cannot gunzip {}: {e}", path.display()));
    }
    Ok(bytes)
}

/// Reads a file a command was given (a page, `--heads`, `--record`), or
/// says why it cannot be read and what to do. A path that names no file
/// on a disk ([`crate::file_kind::special`]: a named pipe, a device, a file
/// of `/proc`) is refused before it is opened, which could wait for ever or
/// fail in the system's words ("Input/output error (os error 5)"), with
/// what it is and `wanted`, what to give instead (`a saved HTML page (may
/// be .gz)`); any other failure is told by [`unreadable`].
pub fn read_file(path: &Path, wanted: &str) -> Result<Vec<u8>, String> {
    if let Some(what) = crate::file_kind::special(path) {
        return Err(format!(
            "cannot read {}: it is {what}: give {wanted}",
            path.display()
        ));
    }
    std::fs::read(path).map_err(|e| unreadable(path, &e))
}

/// Why a file or directory a command was given (a page, `--heads`,
/// `--record`, `--corpus`) cannot be read, and what to do, in words: not
/// the system's alone ("No such file or directory (os error 2)").
pub fn unreadable(path: &Path, e: &std::io::Error) -> String {
    use std::io::ErrorKind;
    let shown = path.display();
    match e.kind() {
        ErrorKind::NotFound => format!(
            "cannot read {shown}: there is no such file or directory{}: check the path",
            crate::file_kind::relative_to_current_dir(path)
        ),
        ErrorKind::IsADirectory => {
            format!("cannot read {shown}: it is a directory: give the file itself")
        }
        ErrorKind::PermissionDenied => format!(
            "cannot read {shown}: this user (uid {}) may not read it: run presswatch as a user \
             who may (its owner, or root), or make it readable (`ls -l {}` shows its owner and mode)",
            // SAFETY: getuid cannot fail and has no preconditions.
            unsafe { libc::getuid() },
            crate::text::shell_word(&shown.to_string())
        ),
        _ => format!("cannot read {shown}: {e}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_ids_are_file_stems_or_the_case_directory() {
        assert_eq!(
            page_id(Path::new("c/html/abc123.html.gz")).as_deref(),
            Some("abc123")
        );
        assert_eq!(page_id(Path::new("c/x.html")).as_deref(), Some("x"));
        assert_eq!(
            page_id(Path::new("pages/ars-1/source.html.gz")).as_deref(),
            Some("ars-1")
        );
        assert_eq!(page_id(Path::new("c/ground-truth.json")), None);
    }

    #[test]
    fn corpus_run_reports_median_and_throughput() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("case")).unwrap();
        std::fs::write(
            dir.path().join("case/source.html"),
            "<html><body><article><p>One paragraph of article text, long enough to count.</p></article></body></html>",
        )
        .unwrap();
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        std::io::Write::write_all(&mut gz, b"<p>Second page with a paragraph of text.</p>")
            .unwrap();
        std::fs::write(dir.path().join("two.html.gz"), gz.finish().unwrap()).unwrap();
        std::fs::write(dir.path().join("notes.txt"), "not a page").unwrap();

        let run = extract_corpus(dir.path()).unwrap();
        assert_eq!(
            run.predictions.keys().collect::<Vec<_>>(),
            vec!["case", "two"]
        );
        assert_eq!(
            run.predictions["case"].article_body,
            "One paragraph of article text, long enough to count."
        );
        assert_eq!(run.times.len(), 2);
        assert!(run.median_ms() >= 0.0 && run.html_bytes > 0);
    }
}
