//! config.toml: schema, defaults and validation.
//!
//! [`Config::load`] reports every problem at once, each naming the file, the
//! line and the key, a watch by its name
//! (`config.toml:14: watch "iranwire-rasoulof".interval: ...`). Relative paths
//! in the config are resolved against the config file's directory.
//!
//! This module holds [`Config`], the file as written (the `Raw*` tables) and
//! [`Config::load`]/[`Config::parse`]; its parts:
//!
//! - `problems`: the validation report ([`ConfigError`], [`ConfigErrors`]),
//!   the name probably meant, values quoted as they read, an unreadable file;
//! - `keys`: where a key is written (line and key as the user wrote them),
//!   unknown keys and values of the wrong type;
//! - `value`: durations, sizes, paths, time zones and URLs as written;
//! - `secret`: secrets from `KEY_env` or `KEY_file` ([`SecretRef`]);
//! - `daemon`: the `[daemon]` settings and the `[[host]]` rules;
//! - `channel`: email and webhook channels, their kinds and digests;
//! - `watch`: watches, their kinds, names and comparison rules
//!   ([`Watch::rules`]).
//!
//! Its parts import one another one way only: in the order `keys`, `watch`,
//! `channel`, `daemon`, `secret`, `value`, `problems`, each imports only parts
//! after it.

mod channel;
mod daemon;
mod keys;
mod problems;
mod secret;
mod value;
mod watch;

pub use channel::{
    mailbox, Channel, ChannelKind, DigestSchedule, EmailChannel, SmtpTls, WebhookChannel,
    WebhookFormat,
};
pub use daemon::{default_user_agent, DaemonSettings, HostRule, KeepRaw, Politeness};
pub use problems::{ConfigError, ConfigErrors};
pub use secret::{Secret, SecretError, SecretRef, SecretSource};
pub use value::{parse_duration, parse_size, MAX_DURATION};
pub use watch::{
    host_outlet, page_outlet, regex_problem, selector_problem, Watch, WatchKind,
    MAX_PAGE_OUTLET_CHARS,
};

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;
use toml::de::DeTable;
use toml::Spanned;

use channel::channels;
use daemon::{daemon_settings, host_rules};
use keys::{
    duplicate_key, remove_value, type_error_message, unknown_key_message, written_path, KeyIndex,
};
use problems::{closest, quote, special_config, unreadable_config, Report};
use watch::watches;

/// The shortest interval a watch may have: checking more often is impolite.
pub const MIN_INTERVAL: Duration = Duration::from_secs(60);

/// The whole, validated configuration.
#[derive(Debug, Clone)]
pub struct Config {
    /// Where it was loaded from.
    pub path: PathBuf,
    /// Daemon-wide settings.
    pub daemon: DaemonSettings,
    /// Alert channels (may be empty: alerts then go to the log and stdout).
    pub channels: Vec<Channel>,
    /// What to watch.
    pub watches: Vec<Watch>,
    /// The line each key is written on (`daemon.state_dir`,
    /// `channel "mail".password_file`, ...), for problems found after loading.
    pub key_lines: BTreeMap<String, usize>,
}

#[derive(Deserialize, Default)]
struct RawConfig {
    #[serde(default)]
    daemon: RawDaemon,
    #[serde(default)]
    channel: Vec<Spanned<RawChannel>>,
    #[serde(default)]
    watch: Vec<Spanned<RawWatch>>,
    #[serde(default)]
    host: Vec<Spanned<RawHost>>,
}

#[derive(Deserialize)]
struct RawHost {
    name: Option<Spanned<String>>,
    delay: Option<Spanned<toml::Value>>,
    concurrency: Option<Spanned<i64>>,
}

#[derive(Deserialize, Default)]
struct RawDaemon {
    interval: Option<Spanned<toml::Value>>,
    concurrency: Option<Spanned<i64>>,
    per_host_delay: Option<Spanned<toml::Value>>,
    timeout: Option<Spanned<toml::Value>>,
    max_body: Option<Spanned<toml::Value>>,
    user_agent: Option<Spanned<String>>,
    baseline_dir: Option<Spanned<String>>,
    state_dir: Option<Spanned<String>>,
    state_url: Option<Spanned<String>>,
    state_password: Option<Spanned<String>>,
    state_password_env: Option<Spanned<String>>,
    state_password_file: Option<Spanned<String>>,
    lease: Option<Spanned<toml::Value>>,
    failure_threshold: Option<Spanned<i64>>,
    keep_versions: Option<Spanned<i64>>,
    max_redirects: Option<Spanned<i64>>,
    timezone: Option<Spanned<String>>,
    per_host_concurrency: Option<Spanned<i64>>,
    listen: Option<Spanned<String>>,
    keep_raw: Option<Spanned<toml::Value>>,
    report_url: Option<Spanned<String>>,
}

#[derive(Deserialize)]
struct RawChannel {
    name: Option<Spanned<String>>,
    #[serde(rename = "type")]
    kind: Option<Spanned<String>>,
    // email
    smtp_url: Option<Spanned<String>>,
    tls: Option<Spanned<String>>,
    username: Option<String>,
    password: Option<Spanned<String>>,
    password_env: Option<Spanned<String>>,
    password_file: Option<Spanned<String>>,
    from: Option<Spanned<String>>,
    to: Option<Spanned<Vec<String>>>,
    // webhook
    url: Option<Spanned<String>>,
    format: Option<Spanned<String>>,
    secret: Option<Spanned<String>>,
    secret_env: Option<Spanned<String>>,
    secret_file: Option<Spanned<String>>,
    // both
    digest: Option<Spanned<String>>,
    kinds: Option<Spanned<Vec<String>>>,
}

#[derive(Deserialize)]
struct RawWatch {
    name: Option<Spanned<String>>,
    url: Option<Spanned<String>>,
    #[serde(default)]
    kind: Option<Spanned<String>>,
    interval: Option<Spanned<toml::Value>>,
    selector: Option<Spanned<String>>,
    #[serde(default)]
    ignore: Vec<Spanned<String>>,
    #[serde(default)]
    keywords: Vec<String>,
    #[serde(default)]
    min_change: Option<Spanned<i64>>,
    #[serde(default)]
    channels: Vec<Spanned<String>>,
    #[serde(default)]
    follow: Option<Spanned<bool>>,
    outlet: Option<String>,
    #[serde(default)]
    allow_private_redirects: bool,
    robots: Option<bool>,
    site_chrome: Option<bool>,
}

/// The directory the paths of the config file at `path` resolve against:
/// the file's own. A config given by a relative path (`./config.toml`,
/// `sub/config.toml`, `../config.toml`) names it relative to where the
/// command runs: it is found once, here, so that the state and baseline
/// directories and secret files are named in messages as paths an operator
/// can act on from anywhere, not as `./state`, and one reached through `..`
/// is not taken for a path under where the command ran. One given by an
/// absolute path is taken as written.
fn base_dir(path: &Path) -> PathBuf {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    if dir.is_absolute() {
        return dir.to_path_buf();
    }
    std::fs::canonicalize(dir)
        .or_else(|_| std::path::absolute(dir))
        .unwrap_or_else(|_| dir.to_path_buf())
}

/// The text of the config file at `path`, or why it cannot be read: no
/// such file, a directory, a file this user may not read, a special file
/// (a named pipe, a device, a file of `/proc`), or one that is not UTF-8,
/// named at the line of its first byte that is not ([`problems::not_utf8`]).
fn source(path: &Path) -> Result<String, ConfigError> {
    let unreadable = |message| ConfigError {
        file: path.to_path_buf(),
        line: None,
        key: String::new(),
        message,
    };
    if let Some(message) = special_config(path) {
        return Err(unreadable(message));
    }
    let bytes = std::fs::read(path).map_err(|e| unreadable(unreadable_config(path, &e)))?;
    String::from_utf8(bytes).map_err(|e| {
        let at = e.utf8_error().valid_up_to();
        problems::not_utf8(path, e.as_bytes(), at)
    })
}

impl Config {
    /// Reads and validates a config file.
    pub fn load(path: &Path) -> Result<Config, ConfigErrors> {
        let src = source(path).map_err(|e| ConfigErrors(vec![e]))?;
        Config::parse(path, &src)
    }

    /// The directory relative paths in the config resolve against: the
    /// config file's, absolute.
    pub fn dir(&self) -> PathBuf {
        base_dir(&self.path)
    }

    /// Validates config text; `path` names it in errors and anchors relative paths.
    pub fn parse(path: &Path, src: &str) -> Result<Config, ConfigErrors> {
        match Config::read(path, src) {
            (Some(config), errors) if errors.is_empty() => Ok(config),
            (_, errors) => Err(ConfigErrors(errors)),
        }
    }

    /// What `presswatch validate` reads: every problem of the config file
    /// at `path`, and the config as far as it could be read despite them
    /// (`None` when the file cannot be read, is no valid TOML, or a value
    /// of the wrong type left nothing to read), so that what the text
    /// names and cannot show (the secrets it names) is checked in the same
    /// run. A config with problems is never run.
    pub fn load_despite_problems(path: &Path) -> (Option<Config>, Vec<ConfigError>) {
        match source(path) {
            Ok(src) => Config::read(path, &src),
            Err(e) => (None, vec![e]),
        }
    }

    /// Reads and validates config text: the config as far as it could be
    /// read (see [`Config::load_despite_problems`]), and every problem.
    fn read(path: &Path, src: &str) -> (Option<Config>, Vec<ConfigError>) {
        let mut r = Report {
            file: path,
            src,
            errors: Vec::new(),
        };
        // Every syntax error at once; what the parser made of the rest is
        // not validated, which would report its guesses as problems too.
        let (table, syntax_errors) = DeTable::parse_recoverable(src);
        if !syntax_errors.is_empty() {
            for e in syntax_errors {
                let message = match (e.message().trim(), e.span()) {
                    ("duplicate key", Some(span)) => duplicate_key(src, span),
                    (m, _) => format!("not valid TOML: {m}"),
                };
                r.at(e.span(), "", message);
            }
            r.errors.sort_by_key(|e| e.line.unwrap_or(0));
            return (None, r.errors);
        }
        let keys = KeyIndex::of(table.get_ref());
        let mut table = table;
        let mut unknown = BTreeSet::new();
        // A value of the wrong type stops serde at the first one: each is
        // reported and left out, and the rest read again, so that every
        // problem of the file is reported at once.
        let raw = loop {
            let de = toml::de::Deserializer::from(table.clone());
            let parsed: Result<RawConfig, _> = serde_ignored::deserialize(de, |p| {
                unknown.insert(written_path(&p.to_string()));
            });
            let e = match parsed {
                Ok(raw) => break Some(raw),
                Err(e) => e,
            };
            let at = e.span().and_then(|s| keys.at(s.start));
            let key = at.map(|k| k.path.clone()).unwrap_or_default();
            let message = type_error_message(e.message().trim(), &key);
            r.at(e.span(), key, message);
            let left_out = at
                .and_then(|k| keys.entry_holding(k))
                .is_some_and(|k| remove_value(table.get_mut(), &k.value_span));
            if !left_out {
                break None;
            }
        };
        for path_str in unknown {
            let (span, key) = match keys.by_serde_path(&path_str) {
                Some(k) => (Some(k.key_span.clone()), k.path.clone()),
                None => (None, path_str.clone()),
            };
            r.at(span, key, unknown_key_message(&path_str));
        }
        let Some(raw) = raw else {
            r.errors.sort_by_key(|e| e.line.unwrap_or(0));
            return (None, r.errors);
        };
        let base = base_dir(path);
        let mut daemon = daemon_settings(&mut r, raw.daemon, &base);
        daemon.politeness.hosts = host_rules(&mut r, raw.host, &daemon.politeness);
        let (channels, left_out) = channels(&mut r, raw.channel, &base);
        let watches = watches(&mut r, raw.watch, &daemon, &channels, &left_out);
        r.errors.sort_by_key(|e| e.line.unwrap_or(0));
        let config = Config {
            path: path.to_path_buf(),
            daemon,
            channels,
            watches,
            key_lines: keys.lines(src),
        };
        (Some(config), r.errors)
    }

    /// A presswatch command line for this config, as hints show it:
    /// `presswatch outbox retry --config /etc/presswatch/config.toml`.
    pub fn command(&self, args: &str) -> String {
        let quoted = crate::text::shell_word(&self.path.display().to_string());
        format!("presswatch {args} --config {quoted}")
    }

    /// What to say of a config with no `[[watch]]` (an empty file, the
    /// wrong file, every watch commented out): there is nothing to check,
    /// and how to add a watch (the file's name not included). `validate`
    /// counts it a problem, `check` refuses to run on it, `run` warns, and
    /// a reload (SIGHUP) is rejected, keeping the watches that run.
    pub fn no_watches(&self) -> Option<String> {
        if !self.watches.is_empty() {
            return None;
        }
        let empty = std::fs::read_to_string(&self.path).is_ok_and(|t| {
            t.lines()
                .all(|l| l.trim().is_empty() || l.trim_start().starts_with('#'))
        });
        let what = if empty {
            "the file is empty (is --config the right file?)"
        } else {
            "no [[watch]]"
        };
        Some(format!(
            "{what}: there is nothing to check; add a [[watch]] for each page, with a name and a url \
             (name = \"iranwire-rasoulof\", url = \"https://iranwire.example/en/news/…\"; see README.md, Configuration)"
        ))
    }

    /// The watch with this name.
    pub fn watch(&self, name: &str) -> Option<&Watch> {
        self.watches.iter().find(|w| w.name == name)
    }

    /// The watch a command was asked for by name, or what to say when the
    /// config has none by that name (see [`Config::watches_named`]).
    pub fn watch_named(&self, name: &str) -> Result<&Watch, String> {
        self.watches_named(&[name]).map(|mut w| w.remove(0))
    }

    /// The watches a command was asked for by name (`check --watch a
    /// --watch b`), in that order, each once; or, when the config has no
    /// watch by one of them, what to say before doing anything: every name
    /// it lacks, each with the name probably meant, and the watches it has
    /// (their number, when there are many).
    pub fn watches_named<S: AsRef<str>>(&self, names: &[S]) -> Result<Vec<&Watch>, String> {
        let mut found: Vec<&Watch> = Vec::new();
        let mut missing: Vec<&str> = Vec::new();
        for name in names.iter().map(AsRef::as_ref) {
            match self.watch(name) {
                Some(w) if found.iter().any(|f| std::ptr::eq(*f, w)) => {}
                Some(w) => found.push(w),
                None if missing.contains(&name) => {}
                None => missing.push(name),
            }
        }
        if missing.is_empty() {
            return Ok(found);
        }
        let named: Vec<String> = missing
            .iter()
            .map(
                |name| match closest(name, self.watches.iter().map(|w| w.name.as_str())) {
                    Some(n) => format!("{} (did you mean {}?)", quote(name), quote(n)),
                    None => quote(name),
                },
            )
            .collect();
        let named = match named.split_last() {
            Some((last, rest)) if !rest.is_empty() => {
                format!("watches named {} and {last}", rest.join(", "))
            }
            _ => format!("watch named {}", named.join("")),
        };
        Err(format!(
            "no {named} in {}; {}",
            self.path.display(),
            self.watch_list()
        ))
    }

    /// The watches a command could be asked for, as an error names them:
    /// "its watches: a, b", or their number and the command that lists
    /// them when there are many.
    pub fn watch_list(&self) -> String {
        match self.watches.len() {
            0 => "it has no watches".to_string(),
            1..=10 => {
                let names: Vec<&str> = self.watches.iter().map(|w| w.name.as_str()).collect();
                format!("its watches: {}", names.join(", "))
            }
            n => format!(
                "it has {n} watches: `{}` lists them",
                self.command("status")
            ),
        }
    }

    /// What to say when `name` names no watch of the config nor one of the
    /// watches removed from it whose versions are kept (`removed`): what
    /// [`Config::watch_named`] says, then the removed watches, with the one
    /// probably meant (empty when the config has that watch).
    pub fn no_watch_kept(&self, name: &str, removed: &[&str]) -> String {
        let Err(lacks) = self.watch_named(name) else {
            return String::new();
        };
        if removed.is_empty() {
            return lacks;
        }
        let meant = closest(name, removed.iter().copied())
            .map_or(String::new(), |n| format!(" (did you mean {}?)", quote(n)));
        format!(
            "{lacks}; removed from it, with their versions kept: {}{meant}",
            removed.join(", ")
        )
    }

    /// What differs in this config from `old`, the one that ran until a
    /// reload: watches and channels added, removed or edited (a setting of
    /// their own), and `[daemon]` settings and `[[host]]` tables.
    pub fn changes_since(&self, old: &Config) -> Changes {
        /// The names added, removed and edited.
        fn diff<T: PartialEq>(new: &[T], old: &[T], name: fn(&T) -> &str) -> [Vec<String>; 3] {
            let mut out: [Vec<String>; 3] = Default::default();
            for t in new {
                match old.iter().find(|o| name(o) == name(t)) {
                    None => out[0].push(name(t).to_string()),
                    Some(o) if o != t => out[2].push(name(t).to_string()),
                    Some(_) => {}
                }
            }
            for o in old {
                if !new.iter().any(|t| name(t) == name(o)) {
                    out[1].push(name(o).to_string());
                }
            }
            out
        }
        let [watches_added, watches_removed, mut watches_changed] =
            diff(&self.watches, &old.watches, |w| &w.name);
        // A setting every watch takes from [daemon] (its timeout) changes
        // every watch the reload keeps.
        if !self.daemon.checks_watches_as(&old.daemon) {
            watches_changed = self
                .watches
                .iter()
                .filter(|w| old.watches.iter().any(|o| o.name == w.name))
                .map(|w| w.name.clone())
                .collect();
        }
        let [channels_added, channels_removed, channels_changed] =
            diff(&self.channels, &old.channels, |c| &c.name);
        Changes {
            watches_added,
            watches_removed,
            watches_changed,
            channels_added,
            channels_removed,
            channels_changed,
            settings: self.daemon.changed_keys(&old.daemon),
        }
    }

    /// The channels a watch alerts (all channels when it names none).
    pub fn channels_for<'a>(&'a self, watch: &'a Watch) -> impl Iterator<Item = &'a Channel> + 'a {
        self.channels
            .iter()
            .filter(move |c| watch.channels.is_empty() || watch.channels.contains(&c.name))
    }
}

/// What a reload changed ([`Config::changes_since`]): the names of the
/// watches and channels added, removed and edited, and the settings of
/// `[daemon]` and `[[host]]` that differ.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Changes {
    /// Watches the new config has and the old one lacked.
    pub watches_added: Vec<String>,
    /// Watches the old config had and the new one lacks.
    pub watches_removed: Vec<String>,
    /// Watches in both with a setting of their own changed (one they take
    /// from `[daemon]` included).
    pub watches_changed: Vec<String>,
    /// Channels the new config has and the old one lacked.
    pub channels_added: Vec<String>,
    /// Channels the old config had and the new one lacks.
    pub channels_removed: Vec<String>,
    /// Channels in both with a setting changed (recipients, SMTP server,
    /// webhook URL, secret, kinds, digest).
    pub channels_changed: Vec<String>,
    /// `[daemon]` keys and `[[host]]` tables that differ.
    pub settings: Vec<&'static str>,
}

impl Changes {
    /// How many channels were added, removed or edited.
    pub fn channels(&self) -> usize {
        self.channels_added.len() + self.channels_removed.len() + self.channels_changed.len()
    }

    /// Whether the new config is the old one (layout and comments aside).
    pub fn is_empty(&self) -> bool {
        *self == Changes::default()
    }

    /// In words, for the log: `channel hook edited; watches a, b added;
    /// daemon.report_url changed`, or `nothing changed`. Names beyond the
    /// fifth of a list are counted, not named.
    pub fn describe(&self) -> String {
        fn names(list: &[String]) -> String {
            match list.len() {
                0..=5 => list.join(", "),
                n => format!("{} and {} more", list[..5].join(", "), n - 5),
            }
        }
        let mut parts = Vec::new();
        for (list, one, many, what) in [
            (&self.channels_added, "channel", "channels", "added"),
            (&self.channels_removed, "channel", "channels", "removed"),
            (&self.channels_changed, "channel", "channels", "edited"),
            (&self.watches_added, "watch", "watches", "added"),
            (&self.watches_removed, "watch", "watches", "removed"),
            (&self.watches_changed, "watch", "watches", "edited"),
        ] {
            if !list.is_empty() {
                let noun = if list.len() == 1 { one } else { many };
                parts.push(format!("{noun} {} {what}", names(list)));
            }
        }
        if !self.settings.is_empty() {
            parts.push(format!("{} changed", self.settings.join(", ")));
        }
        if parts.is_empty() {
            return "nothing changed".into();
        }
        parts.join("; ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(super) fn errors(src: &str) -> Vec<String> {
        match Config::parse(Path::new("c.toml"), src) {
            Ok(_) => vec![],
            Err(e) => e.0.iter().map(|e| e.to_string()).collect(),
        }
    }

    #[test]
    fn minimal_config_has_defaults() {
        let c = Config::parse(
            Path::new("/etc/pw/config.toml"),
            "[[watch]]\nname = \"a\"\nurl = \"https://example.org/a\"\n",
        )
        .unwrap();
        assert_eq!(c.daemon.interval, Duration::from_secs(1800));
        assert_eq!(c.daemon.max_body, 8 << 20);
        assert_eq!(c.daemon.baseline_dir, PathBuf::from("/etc/pw/baseline"));
        assert_eq!(c.watches[0].kind, WatchKind::Article);
        assert!(c.channels.is_empty());
    }

    #[test]
    fn every_problem_is_reported_with_line_and_key() {
        let src = r#"
[daemon]
intervall = "5m"

[[channel]]
name = "hook"
type = "webhook"
url = "https://hooks.example.org/x"

[[watch]]
name = "a"
url = "not a url"
interval = "often"

[[watch]]
name = "a"
url = "https://example.org/"
channels = ["mail"]
selectr = "article"
"#;
        let e = errors(src);
        assert!(
            e.contains(
                &"c.toml:3: daemon.intervall: unknown key `intervall`: did you mean `interval`?"
                    .to_string()
            ),
            "{e:#?}"
        );
        assert!(
            e.iter()
                .any(|l| l.starts_with("c.toml:12: watch \"a\".url: not a valid URL")),
            "{e:#?}"
        );
        assert!(
            e.iter()
                .any(|l| l.starts_with("c.toml:13: watch \"a\".interval: cannot parse duration")),
            "{e:#?}"
        );
        assert!(
            e.contains(&"c.toml:16: watch \"a\".name: duplicate watch name \"a\": the watch on line 11 has it already; give each watch a name of its own (it names the watch's baseline file and its state)".to_string()),
            "{e:#?}"
        );
        assert!(
            e.contains(
                &"c.toml:18: watch \"a\".channels: no channel named \"mail\" is defined; its channels: \"hook\""
                    .to_string()
            ),
            "{e:#?}"
        );
        assert!(
            e.contains(
                &"c.toml:19: watch \"a\".selectr: unknown key `selectr`: did you mean `selector`?"
                    .to_string()
            ),
            "{e:#?}"
        );
        assert_eq!(e.len(), 6, "{e:#?}");
    }

    #[test]
    fn a_too_short_daemon_interval_is_one_problem_not_one_per_watch() {
        let watch =
            |n: &str| format!("[[watch]]\nname = \"{n}\"\nurl = \"https://n.example/{n}\"\n");
        assert_eq!(
            errors(&format!(
                "[daemon]\ninterval = \"30s\"\n{}{}",
                watch("a"),
                watch("b")
            )),
            ["c.toml:2: daemon.interval: must be at least 1m: checking more often is impolite to the sites"]
        );
        assert_eq!(
            errors(&format!("{}interval = \"10s\"\n", watch("a"))),
            ["c.toml:4: watch \"a\".interval: must be at least 1m"]
        );
        // A watch's interval that is no duration is that one problem, not
        // also "too short" for the daemon's interval it fell back to.
        assert_eq!(
            errors(&format!(
                "[daemon]\ninterval = \"30s\"\n{}interval = 30\n",
                watch("a")
            )),
            [
                "c.toml:2: daemon.interval: must be at least 1m: checking more often is impolite to the sites",
                "c.toml:6: watch \"a\".interval: a duration needs a unit and quotes: write e.g. `interval = \"30m\"` for 30 minutes (units: s, m, h, d)"
            ]
        );
    }

    #[test]
    fn a_watch_name_not_in_the_config_says_the_one_probably_meant_or_those_it_has() {
        let config = |names: &[&str]| {
            let watches: String = names
                .iter()
                .map(|n| format!("[[watch]]\nname = \"{n}\"\nurl = \"https://n.example/{n}\"\n"))
                .collect();
            Config::parse(Path::new("c.toml"), &watches).unwrap()
        };
        let three = config(&["iranwire-rasoulof", "cnn", "feed"]);
        assert_eq!(three.watch_named("cnn").unwrap().name, "cnn");
        assert_eq!(
            three.watch_named("iranwire-rasulof").unwrap_err(),
            "no watch named \"iranwire-rasulof\" (did you mean \"iranwire-rasoulof\"?) in c.toml; its watches: iranwire-rasoulof, cnn, feed"
        );
        assert_eq!(
            three.watch_named("bbc-persian").unwrap_err(),
            "no watch named \"bbc-persian\" in c.toml; its watches: iranwire-rasoulof, cnn, feed"
        );
        let names: Vec<String> = (0..12).map(|i| format!("story-{i:02}")).collect();
        let many = config(&names.iter().map(String::as_str).collect::<Vec<_>>());
        assert_eq!(
            many.watch_named("bbc-persian").unwrap_err(),
            "no watch named \"bbc-persian\" in c.toml; it has 12 watches: `presswatch status --config c.toml` lists them"
        );
        assert_eq!(
            config(&[]).watch_named("a").unwrap_err(),
            "no watch named \"a\" in c.toml; it has no watches"
        );
    }

    #[test]
    fn watches_asked_for_together_are_found_each_once_or_every_missing_one_is_named() {
        let c = Config::parse(
            Path::new("c.toml"),
            "[[watch]]\nname = \"iranwire-rasoulof\"\nurl = \"https://n.example/a\"\n\n\
             [[watch]]\nname = \"cnn\"\nurl = \"https://n.example/b\"\n\n\
             [[watch]]\nname = \"feed\"\nurl = \"https://n.example/c\"\n",
        )
        .unwrap();
        let names = |ws: Vec<&Watch>| ws.iter().map(|w| w.name.clone()).collect::<Vec<_>>();
        assert_eq!(
            names(c.watches_named(&["feed", "cnn", "feed"]).unwrap()),
            ["feed", "cnn"]
        );
        assert_eq!(
            c.watches_named(&["cnn", "iranwire-rasulof", "bbc-persian", "bbc-persian"])
                .unwrap_err(),
            "no watches named \"iranwire-rasulof\" (did you mean \"iranwire-rasoulof\"?) and \"bbc-persian\" in c.toml; its watches: iranwire-rasoulof, cnn, feed"
        );
        assert_eq!(
            c.watches_named(&["a", "b", "c"]).unwrap_err(),
            "no watches named \"a\", \"b\" and \"c\" in c.toml; its watches: iranwire-rasoulof, cnn, feed"
        );
    }

    #[test]
    fn a_watch_asked_for_by_a_name_it_does_not_have_is_shown_as_typed() {
        let c = Config::parse(
            Path::new("c.toml"),
            "[[watch]]\nname = \"رسولاف-آوای-ایران\"\nurl = \"https://n.example/a\"\n",
        )
        .unwrap();
        // Typed with the zero-width non-joiner Persian keyboards put in.
        assert_eq!(
            c.watch_named("رسول\u{200c}اف-آوای-ایران").unwrap_err(),
            "no watch named \"رسول\u{200c}اف-آوای-ایران\" (did you mean \"رسولاف-آوای-ایران\"?) in c.toml; its watches: رسولاف-آوای-ایران"
        );
    }

    #[test]
    fn every_problem_of_the_file_is_reported_at_once_each_on_its_line_with_what_to_do() {
        let src = r#"[daemon]
concurrency = "16"
interval = 30

[[channel]]
type = "webhook"
url = "https://hooks.example.org/p"
kinds = "error"

[[watch]]
name = "evin"
url = "https://n.example/evin"
min_change = "three"
follow = "yes"
intervall = "1h"

[[watch]]
name = "rasoulof"
url = 5
interval = "10s"

[[host]]
delay = "1s"
"#;
        assert_eq!(
            errors(src),
            [
                "c.toml:2: daemon.concurrency: a number takes no quotes: write concurrency = 16",
                "c.toml:3: daemon.interval: a duration needs a unit and quotes: write e.g. `interval = \"30m\"` for 30 minutes (units: s, m, h, d)",
                "c.toml:5: webhook channel to \"hooks.example.org\".name: missing name: give the channel a name watches can refer to, e.g. name = \"press\"",
                "c.toml:8: webhook channel to \"hooks.example.org\".kinds: this is a list: write it in brackets, kinds = [\"error\"]",
                "c.toml:13: watch \"evin\".min_change: invalid type: string \"three\", expected a whole number: write a whole number without quotes, e.g. min_change = 3",
                "c.toml:14: watch \"evin\".follow: invalid type: string \"yes\", expected true or false: write follow = true or follow = false, without quotes",
                "c.toml:15: watch \"evin\".intervall: unknown key `intervall`: did you mean `interval`?",
                "c.toml:19: watch \"rasoulof\".url: invalid type: integer `5`, expected a string: write the value in quotes",
                "c.toml:20: watch \"rasoulof\".interval: must be at least 1m",
                "c.toml:22: host[0].name: missing name: write the host the settings are for, e.g. name = \"news.example.org\"",
            ]
        );
    }

    #[test]
    fn hints_name_the_config_file() {
        let c = Config::parse(Path::new("/etc/presswatch/config.toml"), "").unwrap();
        assert_eq!(
            c.command("outbox retry"),
            "presswatch outbox retry --config /etc/presswatch/config.toml"
        );
        let odd = Config::parse(Path::new("my configs/it's.toml"), "").unwrap();
        assert_eq!(
            odd.command("status"),
            "presswatch status --config 'my configs/it'\\''s.toml'"
        );
    }

    #[test]
    fn syntax_error_names_the_line() {
        let e = errors("[[watch]]\nname = \"a\nurl = 1\n");
        assert_eq!(e.len(), 1);
        assert!(e[0].starts_with("c.toml:2: not valid TOML"), "{e:?}");
    }

    #[test]
    fn a_name_given_twice_names_the_line_of_the_first_that_has_it() {
        let e = errors("[[channel]]\nname = \"desk\"\ntype = \"webhook\"\nurl = \"https://hooks.example.org/a\"\n\n[[channel]]\nname = \"desk\"\ntype = \"webhook\"\nurl = \"https://hooks.example.org/b\"\n\n[[watch]]\nname = \"story\"\nurl = \"https://n.example/a\"\n\n[[watch]]\nname = \"story\"\nurl = \"https://n.example/b\"\n");
        assert_eq!(
            e,
            [
                "c.toml:7: channel \"desk\".name: duplicate channel name \"desk\": the channel on line 2 has it already; give each channel a name of its own (watches' `channels` and `outbox` name it)",
                "c.toml:16: watch \"story\".name: duplicate watch name \"story\": the watch on line 12 has it already; give each watch a name of its own (it names the watch's baseline file and its state)",
            ]
        );
    }

    #[test]
    fn a_key_set_twice_is_named_with_the_line_that_set_it_first() {
        let e = errors("[daemon]\ntimeout = \"10s\"\ninterval = \"30m\"\ntimeout = \"20s\"\n\n[[watch]]\nname = \"a\"\nurl = \"https://n.example/a\"\n");
        assert_eq!(
            e,
            ["c.toml:4: `timeout` is set twice: line 2 sets it already; keep one of the two (TOML takes a key once per table)"]
        );
        let e = errors("[daemon]\ninterval = \"30m\"\n\n[daemon]\ntimeout = \"20s\"\n");
        assert_eq!(e.len(), 1, "{e:?}");
        assert!(
            e[0].contains("`daemon` is set twice: line 1 sets it already"),
            "{e:?}"
        );
    }

    #[test]
    fn every_syntax_error_is_reported_at_once_each_on_its_line() {
        let e = errors("[[watch]]\nname = \"a\"\nurl = https://n.example/a\n\n[[watch]]\nname = \"b\"\nurl = \"https://n.example/b\"\ninterval = 30 m\n");
        assert_eq!(e.len(), 2, "{e:#?}");
        assert!(e[0].starts_with("c.toml:3: not valid TOML"), "{e:?}");
        assert!(e[1].starts_with("c.toml:8: not valid TOML"), "{e:?}");
    }

    /// A reload that edits a channel's recipients and `report_url` only is
    /// told as such; one that edits nothing says so.
    #[test]
    fn a_reload_names_the_channels_and_settings_it_changed() {
        let cfg = |to: &str, report: &str| {
            Config::parse(
                Path::new("c.toml"),
                &format!(
                    "[daemon]\n{report}\n[[channel]]\nname = \"desk\"\ntype = \"email\"\n\
                     smtp_url = \"smtp://127.0.0.1:25\"\ntls = \"none\"\nfrom = \"pw@example.org\"\nto = [\"{to}\"]\n\n\
                     [[watch]]\nname = \"story\"\nurl = \"https://news.example.org/a\"\n"
                ),
            )
            .unwrap()
        };
        let old = cfg("a@example.org", "");
        let new = cfg(
            "b@example.org",
            "report_url = \"https://evidence.example.org/\"",
        );
        let changes = new.changes_since(&old);
        assert_eq!(changes.channels(), 1);
        assert!(changes.watches_changed.is_empty());
        assert_eq!(
            changes.describe(),
            "channel desk edited; daemon.report_url changed"
        );
        assert!(old.changes_since(&old).is_empty());
        assert_eq!(old.changes_since(&old).describe(), "nothing changed");
    }

    /// A watch counts as changed when a setting it takes from `[daemon]`
    /// does (the fetch timeout), as when one of its own does; a setting of
    /// the daemon alone (its report URL) changes no watch.
    #[test]
    fn a_reload_that_changes_the_daemons_timeout_changes_every_kept_watch() {
        let cfg = |daemon: &str, watches: &[&str]| {
            let watches: String = watches
                .iter()
                .map(|w| {
                    format!("[[watch]]\nname = \"{w}\"\nurl = \"https://news.example.org/{w}\"\n\n")
                })
                .collect();
            Config::parse(
                Path::new("c.toml"),
                &format!("[daemon]\n{daemon}\n\n{watches}"),
            )
            .unwrap()
        };
        let old = cfg("timeout = \"30s\"", &["a", "b", "gone"]);
        let new = cfg("timeout = \"20s\"", &["a", "b", "added"]);
        let changes = new.changes_since(&old);
        assert_eq!(changes.watches_changed, ["a", "b"]);
        assert_eq!(changes.watches_added, ["added"]);
        assert_eq!(changes.watches_removed, ["gone"]);
        assert_eq!(changes.settings, ["daemon.timeout"]);
        let report = cfg(
            "timeout = \"30s\"\nreport_url = \"https://evidence.example.org/\"",
            &["a", "b", "gone"],
        );
        assert!(report.changes_since(&old).watches_changed.is_empty());
    }
}
