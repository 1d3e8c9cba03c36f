//! The validation report: one problem with its file, line and key
//! ([`ConfigError`]), all of a file's problems ([`ConfigErrors`]), the
//! report they are collected in, and the words messages share: the name
//! probably meant, a value quoted as it reads, an unreadable config file.

use std::fmt;
use std::path::{Path, PathBuf};

/// One problem found in a config file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    /// The config file.
    pub file: PathBuf,
    /// 1-based line, when the problem has a place.
    pub line: Option<usize>,
    /// The key the problem is about, e.g. `watch "iranwire-rasoulof".interval`
    /// (`watch[2].interval` for a watch without a name).
    pub key: String,
    /// What is wrong and what to do about it.
    pub message: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file.display())?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
        }
        if !self.key.is_empty() {
            write!(f, ": {}", self.key)?;
        }
        write!(f, ": {}", self.message)
    }
}

/// All problems found in a config file; displays one per line.
#[derive(Debug, Clone)]
pub struct ConfigErrors(pub Vec<ConfigError>);

impl fmt::Display for ConfigErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, e) in self.0.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{e}")?;
        }
        Ok(())
    }
}

impl std::error::Error for ConfigErrors {}

/// Collects errors while validating one file.
pub(super) struct Report<'a> {
    pub(super) file: &'a Path,
    pub(super) src: &'a str,
    pub(super) errors: Vec<ConfigError>,
}

impl Report<'_> {
    pub(super) fn line_of(&self, offset: usize) -> usize {
        self.src[..offset.min(self.src.len())].matches('\n').count() + 1
    }
    pub(super) fn at(
        &mut self,
        span: Option<std::ops::Range<usize>>,
        key: impl Into<String>,
        message: impl Into<String>,
    ) {
        let line = span.map(|s| self.line_of(s.start));
        self.errors.push(ConfigError {
            file: self.file.to_path_buf(),
            line,
            key: key.into(),
            message: message.into(),
        });
    }
    /// A required key that is not there, unless its value was there and
    /// already reported (a value of the wrong type is left out of what is
    /// validated, and must not be reported missing as well).
    pub(super) fn missing(&mut self, span: std::ops::Range<usize>, key: String, message: &str) {
        if !self.errors.iter().any(|e| e.key == key) {
            self.at(Some(span), key, message);
        }
    }
}

/// The candidate `word` was probably meant as, ignoring case: the nearest
/// within one edit of a name of up to 4 characters, two of a longer one.
pub(super) fn closest<'a>(
    word: &str,
    candidates: impl Iterator<Item = &'a str>,
) -> Option<&'a str> {
    let word = word.to_lowercase();
    candidates
        .map(|c| (edit_distance(&word, &c.to_lowercase()), c))
        .filter(|(d, c)| *d <= if c.chars().count() <= 4 { 1 } else { 2 })
        .min()
        .map(|(_, c)| c)
}

/// Edits (insert, delete, replace, swap two neighbours) between two words.
fn edit_distance(a: &str, b: &str) -> usize {
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    let mut d = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in d[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            d[i][j] = (d[i - 1][j] + 1)
                .min(d[i][j - 1] + 1)
                .min(d[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                d[i][j] = d[i][j].min(d[i - 2][j - 2] + 1);
            }
        }
    }
    d[a.len()][b.len()]
}

/// Why `path`, given as the config file, names no file to read, said
/// before it is opened (which could wait for ever, or fail in the system's
/// words): a named pipe, a device, a file of `/proc`
/// ([`crate::file_kind::special`]). `None` for a file on a disk.
pub(super) fn special_config(path: &Path) -> Option<String> {
    crate::file_kind::special(path).map(|what| {
        format!(
            "cannot read config file: it is {what}: --config takes the config file itself, \
             e.g. --config /etc/presswatch/config.toml"
        )
    })
}

/// Why the config file cannot be read, and what to do, as a newcomer
/// needs it: a path that names no file (relative to which directory), a
/// directory, a file this user may not read, a file that is not UTF-8.
pub(super) fn unreadable_config(path: &Path, e: &std::io::Error) -> String {
    use std::io::ErrorKind;
    match e.kind() {
        ErrorKind::NotFound => format!(
            "cannot read config file: there is no such file{}: is the --config path right? \
             The repository's config.toml is an example to start from",
            crate::file_kind::relative_to_current_dir(path)
        ),
        ErrorKind::IsADirectory => "cannot read config file: it is a directory: --config takes the config file itself, e.g. --config /etc/presswatch/config.toml".into(),
        ErrorKind::PermissionDenied => format!(
            "cannot read config file: this user (uid {}) may not read it: run presswatch as a user who may (the daemon's, or root), or make the file readable",
            // SAFETY: geteuid cannot fail and has no preconditions.
            unsafe { libc::geteuid() }
        ),
        _ => format!("cannot read config file: {e}"),
    }
}

/// A config file that is not UTF-8 (`bytes`, valid up to `at`): the line
/// of its first byte that is not, what comes before it on that line, the
/// encoding the file reads as (UTF-16, as some Windows editors save
/// "Unicode"; windows-1256 for a Persian keyword an older editor saved;
/// windows-1252 for an accented letter), and the command that converts it.
pub(super) fn not_utf8(path: &Path, bytes: &[u8], at: usize) -> ConfigError {
    let line = bytes[..at].iter().filter(|&&b| b == b'\n').count() + 1;
    let start = bytes[..at]
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |p| p + 1);
    // Valid UTF-8: the bytes before `at` are.
    let before = String::from_utf8_lossy(&bytes[start..at]);
    let before = before.trim_start();
    let cut = before.char_indices().rev().nth(39).map_or(0, |(i, _)| i);
    let place = match &before[cut..] {
        "" => "at the start of the line".to_string(),
        shown => format!("after `{}{shown}`", if cut > 0 { "…" } else { "" }),
    };
    let encoding = crate::charset::sniff_encoding(bytes, None);
    // iconv's UTF-16 takes the byte order from the mark, and drops it.
    let (encoding, iconv) = match encoding_rs::Encoding::for_bom(bytes) {
        Some((bom, _)) if bom != encoding_rs::UTF_8 => (encoding.name(), "UTF-16"),
        _ => (encoding.name(), encoding.name()),
    };
    let file = crate::text::shell_word(&path.display().to_string());
    let converted = crate::text::shell_word(&format!("{}.utf8", path.display()));
    ConfigError {
        file: path.to_path_buf(),
        line: Some(line),
        key: String::new(),
        message: format!(
            "the file is not UTF-8 text, as a TOML file must be: byte 0x{:02X} {place} is not \
             UTF-8; the file reads as {encoding}. Save it as UTF-8 in the editor, or convert it: \
             `iconv -f {iconv} -t UTF-8 {file} > {converted}`, check the result, and put it \
             in place",
            bytes[at]
        ),
    }
}

/// `s` in double quotes as it reads, for messages: only quotes, backslashes
/// and control characters escaped. (Rust's `{:?}` would also write the
/// zero-width non-joiner of a Persian name, or an Arabic vowel mark, as
/// `\u{200c}`.)
pub(super) fn quote(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' | '\\' => {
                out.push('\\');
                out.push(c);
            }
            c if c.is_control() => out.extend(c.escape_default()),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;

    #[test]
    fn a_config_file_that_cannot_be_read_says_why_and_what_to_do() {
        let dir = tempfile::tempdir().unwrap();
        let load = |path: &Path| Config::load(path).unwrap_err().to_string();
        let missing = dir.path().join("confg.toml");
        assert_eq!(
            load(&missing),
            format!(
                "{}: cannot read config file: there is no such file: is the --config path right? The repository's config.toml is an example to start from",
                missing.display()
            )
        );
        assert!(load(Path::new("no-such-dir/config.toml")).starts_with(&format!(
            "no-such-dir/config.toml: cannot read config file: there is no such file (a relative path is read from the current directory, {}): ",
            std::env::current_dir().unwrap().display()
        )));
        assert_eq!(
            load(dir.path()),
            format!(
                "{}: cannot read config file: it is a directory: --config takes the config file itself, e.g. --config /etc/presswatch/config.toml",
                dir.path().display()
            )
        );
        // A file of /proc, a device: named as what they are, not read (an
        // "Input/output error (os error 5)", or no end at all).
        assert_eq!(
            load(Path::new("/proc/self/mem")),
            "/proc/self/mem: cannot read config file: it is a file of a proc filesystem, which the \
             kernel makes up as it is read, not a file saved on a disk: --config takes the config \
             file itself, e.g. --config /etc/presswatch/config.toml"
        );
        assert!(load(Path::new("/dev/zero")).starts_with(
            "/dev/zero: cannot read config file: it is a character device (such as /dev/null, \
             /dev/zero or a terminal), not a file: --config takes the config file itself"
        ));
    }

    /// A file saved in another encoding is named at the line of its first
    /// byte that is not UTF-8, with what comes before it and the encoding
    /// it reads as; was "cannot read config file: it is not UTF-8 text",
    /// no line, in a file of a hundred lines.
    #[test]
    fn a_config_file_not_in_utf8_names_the_line_and_the_encoding_it_reads_as() {
        let dir = tempfile::tempdir().unwrap();
        let load = |path: &Path| Config::load(path).unwrap_err().to_string();
        let latin1 = dir.path().join("latin1.toml");
        std::fs::write(
            &latin1,
            b"[daemon]\ninterval = \"30m\"\n\n[[watch]]\nname = \"caf\xe9\"\n",
        )
        .unwrap();
        let shown = latin1.display();
        assert_eq!(
            load(&latin1),
            format!(
                "{shown}:5: the file is not UTF-8 text, as a TOML file must be: byte 0xE9 after \
                 `name = \"caf` is not UTF-8; the file reads as windows-1252. Save it as UTF-8 in \
                 the editor, or convert it: `iconv -f windows-1252 -t UTF-8 {shown} > {shown}.utf8`, \
                 check the result, and put it in place"
            )
        );
        // A Persian keyword saved by an editor set to windows-1256.
        let persian = dir.path().join("fa.toml");
        let (keyword, _, _) = encoding_rs::WINDOWS_1256.encode("رسول‌اف فیلمساز سینما ایران");
        let mut text = b"[[watch]]\nname = \"tag\"\nkind = \"listing\"\nkeywords = [\"".to_vec();
        text.extend_from_slice(&keyword);
        text.extend_from_slice(b"\"]\n");
        std::fs::write(&persian, text).unwrap();
        let said = load(&persian);
        assert!(
            said.starts_with(&format!(
                "{}:4: the file is not UTF-8 text, as a TOML file must be: byte 0x",
                persian.display()
            )) && said
                .contains(" after `keywords = [\"` is not UTF-8; the file reads as windows-1256."),
            "{said}"
        );
        // UTF-16, as some Windows editors save "Unicode": iconv reads its
        // byte order mark.
        let utf16 = dir.path().join("utf16.toml");
        let mut text = vec![0xFF, 0xFE];
        text.extend("[daemon]\n".encode_utf16().flat_map(u16::to_le_bytes));
        std::fs::write(&utf16, text).unwrap();
        let said = load(&utf16);
        assert!(
            said.starts_with(&format!(
                "{}:1: the file is not UTF-8 text, as a TOML file must be: byte 0xFF at the start \
                 of the line is not UTF-8; the file reads as UTF-16LE. ",
                utf16.display()
            )) && said.contains("`iconv -f UTF-16 -t UTF-8 "),
            "{said}"
        );
    }
}
