//! config.toml: schema, defaults and validation.
//!
//! [`Config::load`] reports every problem at once, each naming the file, the
//! line and the key, a watch by its name
//! (`config.toml:14: watch "iranwire-rasoulof".interval: ...`). Relative paths
//! in the config are resolved against the config file's directory.

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use regex::Regex;
use serde::Deserialize;
use toml::de::{DeTable, DeValue};
use toml::Spanned;
use url::Url;

use crate::compare::ChangeKind;

/// The shortest interval a watch may have: checking more often is impolite.
pub const MIN_INTERVAL: Duration = Duration::from_secs(60);

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

/// A secret (SMTP password, webhook signing key) read from the environment or
/// a file. Its Debug and Display never show the value.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret value.
    pub fn new(value: String) -> Secret {
        Secret(value)
    }
    /// The secret itself, for the one place that must use it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

/// Where a secret comes from. Loading a config never reads it: a channel
/// reads it when it sends, `presswatch run` when it starts, `validate` to
/// check it. So read-only commands work where the secret is not available,
/// e.g. outside the systemd unit that passes it in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SecretRef {
    /// The config key naming it, e.g. `channel "mail".password_file`.
    pub key: String,
    /// The environment variable or file.
    pub source: SecretSource,
}

/// The place a secret is read from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SecretSource {
    /// An environment variable (`*_env`).
    Env(String),
    /// A file (`*_file`), resolved against the config file's directory.
    File(PathBuf),
    /// A systemd credential: a file relative to `$CREDENTIALS_DIRECTORY`
    /// (`*_file = "$CREDENTIALS_DIRECTORY/NAME"`), which systemd sets only
    /// inside the unit.
    Credential(PathBuf),
}

/// Why a secret could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SecretError {
    /// Not available to this process, but it may be where the daemon runs
    /// (inside the systemd unit, with its environment or its user).
    Unavailable(String),
    /// Broken wherever it is read: a missing file, an empty value.
    Invalid(String),
}

impl SecretError {
    /// What is wrong.
    pub fn message(&self) -> &str {
        match self {
            SecretError::Unavailable(m) | SecretError::Invalid(m) => m,
        }
    }
}

impl fmt::Display for SecretError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.message())
    }
}

impl SecretRef {
    /// Reads the secret now (trailing line breaks of a file are dropped).
    pub fn read(&self) -> Result<Secret, SecretError> {
        let value = match &self.source {
            SecretSource::Env(var) => std::env::var(var).map_err(|_| {
                SecretError::Unavailable(format!(
                    "environment variable {var} is not set in this environment (under systemd, set it with Environment= or EnvironmentFile= in the unit)"
                ))
            })?,
            SecretSource::Credential(name) => {
                let Some(dir) = std::env::var_os("CREDENTIALS_DIRECTORY") else {
                    return Err(SecretError::Unavailable(
                        "$CREDENTIALS_DIRECTORY is not set: systemd sets it only inside the unit, for the credentials its LoadCredential= lines pass in".into(),
                    ));
                };
                let path = Path::new(&dir).join(name);
                read_secret_file(&path).map_err(|e| match e {
                    SecretError::Invalid(m) => SecretError::Invalid(format!(
                        "{m} (is there a LoadCredential={}:... line in the unit?)",
                        name.display()
                    )),
                    other => other,
                })?
            }
            SecretSource::File(path) => read_secret_file(path)?,
        };
        if value.is_empty() {
            return Err(SecretError::Invalid(match &self.source {
                SecretSource::Env(var) => format!("environment variable {var} is empty"),
                _ => "the secret file is empty".into(),
            }));
        }
        Ok(Secret::new(value))
    }
}

/// Reads a secret file; permission problems may be this user's only.
fn read_secret_file(path: &Path) -> Result<String, SecretError> {
    match std::fs::read_to_string(path) {
        Ok(v) => Ok(v.trim_end_matches(['\n', '\r']).to_string()),
        Err(e) if e.kind() == std::io::ErrorKind::PermissionDenied => {
            Err(SecretError::Unavailable(format!(
                "cannot read {} as this user ({e}); the user the daemon runs as must be able to",
                path.display()
            )))
        }
        Err(e) => Err(SecretError::Invalid(format!(
            "cannot read {}: {e}",
            path.display()
        ))),
    }
}

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

/// Daemon-wide settings (`[daemon]`).
#[derive(Debug, Clone)]
pub struct DaemonSettings {
    /// Default check interval.
    pub interval: Duration,
    /// How many checks may run at once.
    pub concurrency: usize,
    /// Timeout of one whole fetch.
    pub timeout: Duration,
    /// Largest response body accepted, in bytes.
    pub max_body: u64,
    /// The User-Agent header sent with every request.
    pub user_agent: String,
    /// Directory of baseline documents.
    pub baseline_dir: PathBuf,
    /// Directory holding the state database.
    pub state_dir: PathBuf,
    /// PostgreSQL database holding all state instead (`state_url =
    /// "postgres://…"`), shared by any number of replicas; `None`: SQLite in
    /// `state_dir`.
    pub state_url: Option<String>,
    /// The PostgreSQL password (`state_password_env` / `state_password_file`),
    /// read when the database is opened.
    pub state_password: Option<SecretRef>,
    /// How long a replica's leases (watches, outbox entries, host tokens,
    /// leader) last unless renewed (`lease`, default 30s): after a replica
    /// dies, its work moves to the others within this time.
    pub lease: Duration,
    /// Consecutive failures before a watch raises an `error` alert.
    pub failure_threshold: u32,
    /// Accepted versions kept per watch in the history (`keep_versions`).
    pub keep_versions: usize,
    /// Redirects followed at most.
    pub max_redirects: usize,
    /// Time zone of digest times (`timezone = "Europe/Berlin"`; default UTC).
    pub timezone: chrono_tz::Tz,
    /// Scheduling and politeness (`[daemon]` keys and `[[host]]` tables).
    pub politeness: Politeness,
    /// Address of the metrics and health listener; `None` (the default) means off.
    pub listen: Option<std::net::SocketAddr>,
    /// Cap on the raw responses kept as evidence (`keep_raw = "2GiB"` or
    /// `"180d"`); `None`: only `keep_versions` bounds them.
    pub keep_raw: Option<KeepRaw>,
    /// Whether accepted versions and takedowns keep their raw response as
    /// evidence (the default); `keep_raw = "off"` turns it off.
    pub raw_snapshots: bool,
    /// Base URL where ops publish `presswatch report`'s directory; alerts
    /// then link to the viewer's page of their change.
    pub report_url: Option<Url>,
}

/// The `keep_raw` value that keeps no raw responses at all.
const KEEP_RAW_OFF: &str = "off";

/// The `keep_raw` cap on kept raw responses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeepRaw {
    /// At most this many bytes of compressed bodies in all.
    Bytes(u64),
    /// Nothing fetched longer ago than this.
    Age(Duration),
}

impl KeepRaw {
    /// Parses a size (`2GiB`) or an age (`180d`).
    pub fn parse(s: &str) -> Result<KeepRaw, String> {
        match parse_size(s) {
            Ok(n) if n > 0 => Ok(KeepRaw::Bytes(n)),
            _ => match parse_duration(s) {
                Ok(d) if !d.is_zero() => Ok(KeepRaw::Age(d)),
                _ => Err(format!(
                    "cannot parse {s:?}: give a size (\"2GiB\"), an age (\"180d\") or \"off\" (keep none)"
                )),
            },
        }
    }
}

/// How presswatch treats the sites it fetches: requests in flight and the
/// delay between requests per host, with per-host overrides.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Politeness {
    /// Default minimum delay before a request to one host, counted from the
    /// start of the request before and from its answer.
    pub delay: Duration,
    /// Default number of requests in flight to one host.
    pub concurrency: usize,
    /// Overrides for named hosts (`[[host]]`).
    pub hosts: Vec<HostRule>,
}

/// Politeness for one host (`[[host]] name = "news.example.org"`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostRule {
    /// Host name, lower case, matched exactly.
    pub name: String,
    /// Minimum delay between two requests to this host.
    pub delay: Duration,
    /// Requests in flight to this host.
    pub concurrency: usize,
}

impl Politeness {
    /// The (delay, concurrency) that apply to `host`.
    pub fn for_host(&self, host: &str) -> (Duration, usize) {
        self.hosts
            .iter()
            .find(|h| h.name.eq_ignore_ascii_case(host))
            .map(|h| (h.delay, h.concurrency))
            .unwrap_or((self.delay, self.concurrency))
    }
}

/// An alert channel (`[[channel]]`).
#[derive(Debug, Clone)]
pub struct Channel {
    /// Unique name watches refer to.
    pub name: String,
    /// Email or webhook settings.
    pub kind: ChannelKind,
    /// Send each alert at once, or collect them into a digest (email only).
    pub digest: DigestSchedule,
    /// The kinds of alert the channel takes (`kinds = ["error", "recovered"]`); `None`: every kind.
    pub kinds: Option<Vec<ChangeKind>>,
}

impl Channel {
    /// Whether the channel takes alerts of this kind.
    pub fn takes(&self, kind: ChangeKind) -> bool {
        // A channel that takes edits takes the safety net's possible edits
        // too: they are edits the extractor may have missed. One that takes
        // changed headlines takes retitled items: their headlines changed.
        let also = match kind {
            ChangeKind::PossiblyEdited => Some(ChangeKind::Edited),
            ChangeKind::Retitled => Some(ChangeKind::HeadlineChanged),
            _ => None,
        };
        self.kinds
            .as_ref()
            .is_none_or(|k| k.contains(&kind) || also.is_some_and(|a| k.contains(&a)))
    }
}

/// When a channel sends: each alert at once, or one digest per hour or day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DigestSchedule {
    /// `digest = "off"`: every alert is sent as soon as it is detected.
    Off,
    /// `digest = "hourly"`: one message at the top of each hour.
    Hourly,
    /// `digest = "daily HH:MM"`: one message a day at this local time.
    Daily {
        /// Hour, 0-23.
        hour: u32,
        /// Minute, 0-59.
        minute: u32,
    },
}

impl DigestSchedule {
    /// Parses `off`, `hourly` or `daily HH:MM`.
    pub fn parse(s: &str) -> Result<DigestSchedule, String> {
        let s = s.trim();
        let hint = "use \"off\", \"hourly\" or \"daily HH:MM\" (e.g. \"daily 08:00\")";
        match s {
            "off" => return Ok(DigestSchedule::Off),
            "hourly" => return Ok(DigestSchedule::Hourly),
            _ => {}
        }
        let time = s
            .strip_prefix("daily")
            .map(str::trim)
            .ok_or_else(|| format!("unknown digest schedule {s:?}; {hint}"))?;
        let (h, m) = time
            .split_once(':')
            .ok_or_else(|| format!("digest time {time:?} is not HH:MM; {hint}"))?;
        match (h.parse::<u32>(), m.parse::<u32>()) {
            (Ok(hour), Ok(minute)) if hour < 24 && minute < 60 && m.len() == 2 => {
                Ok(DigestSchedule::Daily { hour, minute })
            }
            _ => Err(format!("digest time {time:?} is not a valid HH:MM; {hint}")),
        }
    }
}

/// How a channel delivers.
#[derive(Debug, Clone)]
pub enum ChannelKind {
    /// SMTP email.
    Email(EmailChannel),
    /// HTTP POST of JSON.
    Webhook(WebhookChannel),
}

/// Transport security of an SMTP connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SmtpTls {
    /// TLS from the first byte (smtps://, usually port 465).
    Implicit,
    /// Plain connection upgraded with STARTTLS, which is required (port 587).
    StartTls,
    /// No TLS at all: only for a local relay, and only when configured so.
    None,
}

/// Settings of an email channel.
#[derive(Debug, Clone)]
pub struct EmailChannel {
    /// SMTP host.
    pub host: String,
    /// SMTP port.
    pub port: u16,
    /// Transport security.
    pub tls: SmtpTls,
    /// AUTH user name, if the server needs one.
    pub username: Option<String>,
    /// AUTH password.
    pub password: Option<SecretRef>,
    /// The From address.
    pub from: String,
    /// Recipients.
    pub to: Vec<String>,
}

/// Payload flavour of a webhook channel.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum WebhookFormat {
    /// presswatch's own versioned JSON schema.
    Json,
    /// Slack incoming webhook.
    Slack,
    /// Discord webhook.
    Discord,
    /// Microsoft Teams (Adaptive Card).
    Teams,
}

/// Settings of a webhook channel.
#[derive(Debug, Clone)]
pub struct WebhookChannel {
    /// Where to POST.
    pub url: Url,
    /// Payload flavour.
    pub format: WebhookFormat,
    /// Signing key (Standard Webhooks), if set.
    pub secret: Option<SecretRef>,
}

/// What a watch looks at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum WatchKind {
    /// One article: alert when its text, headline or byline changes, or it disappears.
    Article,
    /// A page of links (tag, section, search): alert on new items.
    Listing,
    /// An RSS, Atom or JSON feed: alert on new items.
    Feed,
}

impl WatchKind {
    /// The lower-case name used in config and output.
    pub fn as_str(self) -> &'static str {
        match self {
            WatchKind::Article => "article",
            WatchKind::Listing => "listing",
            WatchKind::Feed => "feed",
        }
    }
}

/// One watched URL (`[[watch]]`).
#[derive(Debug, Clone)]
pub struct Watch {
    /// Unique name; also the baseline file name.
    pub name: String,
    /// The URL to fetch.
    pub url: Url,
    /// Article, listing or feed.
    pub kind: WatchKind,
    /// How often to check.
    pub interval: Duration,
    /// CSS selector overriding automatic content (or item) detection.
    pub selector: Option<String>,
    /// Text matching these is neutralised before comparing.
    pub ignore: Vec<Regex>,
    /// Alert only when the change or new item mentions one of these.
    pub keywords: Vec<String>,
    /// Ignore changes of fewer words than this.
    pub min_change: usize,
    /// Channels to alert; empty means all channels.
    pub channels: Vec<String>,
    /// For listings and feeds: fetch each new item's article for keyword matching.
    pub follow: bool,
    /// Outlet name shown in alerts (defaults to the name the page or feed
    /// gives its publication, else the URL's host: [`Watch::outlet_named`]).
    pub outlet: Option<String>,
    /// Allow redirects from this watch to loopback, private or link-local addresses.
    pub allow_private_redirects: bool,
    /// Obey the site's robots.txt (default); `robots = false` for pages the
    /// organisation is entitled to fetch regardless.
    pub robots: bool,
}

/// Two watches are the same when every setting is (`ignore` rules by
/// their patterns): a reload tells ops how many watches it changed.
impl PartialEq for Watch {
    fn eq(&self, other: &Watch) -> bool {
        // Destructured, so that a new setting cannot be left out here.
        let Watch {
            name,
            url,
            kind,
            interval,
            selector,
            ignore,
            keywords,
            min_change,
            channels,
            follow,
            outlet,
            allow_private_redirects,
            robots,
        } = self;
        *name == other.name
            && *url == other.url
            && *kind == other.kind
            && *interval == other.interval
            && *selector == other.selector
            && ignore.len() == other.ignore.len()
            && ignore
                .iter()
                .zip(&other.ignore)
                .all(|(a, b)| a.as_str() == b.as_str())
            && *keywords == other.keywords
            && *min_change == other.min_change
            && *channels == other.channels
            && *follow == other.follow
            && *outlet == other.outlet
            && *allow_private_redirects == other.allow_private_redirects
            && *robots == other.robots
    }
}

impl Watch {
    /// The comparison rules of the watch: its `ignore` and `min_change`.
    pub fn rules(&self) -> crate::compare::Rules {
        crate::compare::Rules {
            ignore: self.ignore.clone(),
            min_change: self.min_change,
        }
    }

    /// The outlet name where no page is at hand: the configured one, else
    /// the host.
    pub fn outlet(&self) -> String {
        self.outlet_named(None)
    }

    /// The outlet name alerts show: the configured one, else the name the
    /// page gives its publication (`page_name`: a feed's own title, a page's
    /// `og:site_name`), else the host.
    /// A page's own name is cut to [`MAX_PAGE_OUTLET_CHARS`] characters:
    /// it is the page's to write, and goes into every alert's summary.
    pub fn outlet_named(&self, page_name: Option<&str>) -> String {
        self.outlet
            .clone()
            .or_else(|| page_name.and_then(page_outlet))
            .unwrap_or_else(|| host_outlet(&self.url))
    }
}

/// The most characters of a page's or feed's own name an alert names it by.
pub const MAX_PAGE_OUTLET_CHARS: usize = 80;

/// The outlet a page's or feed's own name for itself names, cut to
/// [`MAX_PAGE_OUTLET_CHARS`] characters; none when it is blank.
pub fn page_outlet(page_name: &str) -> Option<String> {
    let n = page_name.trim();
    if n.is_empty() {
        return None;
    }
    Some(match n.char_indices().nth(MAX_PAGE_OUTLET_CHARS) {
        Some((cut, _)) => format!("{}…", n[..cut].trim_end()),
        None => n.to_string(),
    })
}

/// The outlet a page's address names when no `outlet` is set: its host
/// without `www.`.
pub fn host_outlet(url: &Url) -> String {
    url.host_str()
        .unwrap_or("")
        .trim_start_matches("www.")
        .to_string()
}

// ---- raw (as written) schema -------------------------------------------------

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
    baseline_dir: Option<String>,
    state_dir: Option<String>,
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
    follow: bool,
    outlet: Option<String>,
    #[serde(default)]
    allow_private_redirects: bool,
    robots: Option<bool>,
}

/// Collects errors while validating one file.
struct Report<'a> {
    file: &'a Path,
    src: &'a str,
    errors: Vec<ConfigError>,
}

impl Report<'_> {
    fn line_of(&self, offset: usize) -> usize {
        self.src[..offset.min(self.src.len())].matches('\n').count() + 1
    }
    fn at(
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
    fn missing(&mut self, span: std::ops::Range<usize>, key: String, message: &str) {
        if !self.errors.iter().any(|e| e.key == key) {
            self.at(Some(span), key, message);
        }
    }
}

impl Config {
    /// Reads and validates a config file.
    pub fn load(path: &Path) -> Result<Config, ConfigErrors> {
        let src = std::fs::read_to_string(path).map_err(|e| {
            ConfigErrors(vec![ConfigError {
                file: path.to_path_buf(),
                line: None,
                key: String::new(),
                message: unreadable_config(path, &e),
            }])
        })?;
        Config::parse(path, &src)
    }

    /// Validates config text; `path` names it in errors and anchors relative paths.
    pub fn parse(path: &Path, src: &str) -> Result<Config, ConfigErrors> {
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
                r.at(
                    e.span(),
                    "",
                    format!("not valid TOML: {}", e.message().trim()),
                );
            }
            r.errors.sort_by_key(|e| e.line.unwrap_or(0));
            return Err(ConfigErrors(r.errors));
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
            return Err(ConfigErrors(r.errors));
        };
        let base = path.parent().map(Path::to_path_buf).unwrap_or_default();
        let base = if base.as_os_str().is_empty() {
            PathBuf::from(".")
        } else {
            base
        };
        let mut daemon = daemon_settings(&mut r, raw.daemon, &base);
        daemon.politeness.hosts = host_rules(&mut r, raw.host, &daemon.politeness);
        let channels = channels(&mut r, raw.channel, &base);
        let watches = watches(&mut r, raw.watch, &daemon, &channels);
        r.errors.sort_by_key(|e| e.line.unwrap_or(0));
        if r.errors.is_empty() {
            Ok(Config {
                path: path.to_path_buf(),
                daemon,
                channels,
                watches,
                key_lines: keys.lines(src),
            })
        } else {
            Err(ConfigErrors(r.errors))
        }
    }

    /// A presswatch command line for this config, as hints show it:
    /// `presswatch outbox retry --config /etc/presswatch/config.toml`.
    pub fn command(&self, args: &str) -> String {
        let quoted = crate::text::shell_word(&self.path.display().to_string());
        format!("presswatch {args} --config {quoted}")
    }

    /// The watch with this name.
    pub fn watch(&self, name: &str) -> Option<&Watch> {
        self.watches.iter().find(|w| w.name == name)
    }

    /// The watch a command was asked for by name, or what to say when the
    /// config has none by that name: the name probably meant, else the
    /// watches it has (their number, when there are many).
    pub fn watch_named(&self, name: &str) -> Result<&Watch, String> {
        if let Some(w) = self.watch(name) {
            return Ok(w);
        }
        let missing = format!("no watch named {} in {}", quote(name), self.path.display());
        let close = closest(name, self.watches.iter().map(|w| w.name.as_str()));
        Err(match close {
            Some(n) => format!("{missing}: did you mean {}?", quote(n)),
            None if self.watches.is_empty() => format!("{missing}: it has no watches"),
            None if self.watches.len() <= 10 => {
                let names: Vec<&str> = self.watches.iter().map(|w| w.name.as_str()).collect();
                format!("{missing}; its watches: {}", names.join(", "))
            }
            None => format!(
                "{missing} (it has {} watches: `{}` lists them)",
                self.watches.len(),
                self.command("status")
            ),
        })
    }

    /// The channels a watch alerts (all channels when it names none).
    pub fn channels_for<'a>(&'a self, watch: &'a Watch) -> impl Iterator<Item = &'a Channel> + 'a {
        self.channels
            .iter()
            .filter(move |c| watch.channels.is_empty() || watch.channels.contains(&c.name))
    }
}

/// A serde path as the file writes it: without the segment serde adds for
/// a table read with its place (`watch.0.$__serde_spanned_private_value.folow`).
fn written_path(serde_path: &str) -> String {
    serde_path
        .split('.')
        .filter(|s| !s.starts_with("$__serde_spanned"))
        .collect::<Vec<_>>()
        .join(".")
}

/// serde's message for a value of the wrong type, in the config's words: a
/// lone string where a list belongs is shown written as a list.
fn type_error_message(message: &str, key: &str) -> String {
    let lone_string = message
        .strip_prefix("invalid type: string ")
        .and_then(|m| m.strip_suffix(", expected a sequence"));
    let name = key.rsplit('.').next().unwrap_or(key);
    // `[watch]` where each watch is one of an array of tables.
    if message.starts_with("invalid type: map, expected a sequence") && !key.contains('.') {
        return format!(
            "each {name} is a table of its own: write [[{name}]] (two brackets), not [{name}]"
        );
    }
    if let Some(value) = lone_string {
        return format!("this is a list: write it in brackets, {name} = [{value}]");
    }
    // A number or a truth value in quotes: what to write is the value
    // without them, when that is one.
    let quoted = |expected: &str| {
        message
            .strip_prefix("invalid type: string \"")
            .and_then(|m| m.strip_suffix(&format!("\", expected {expected}")))
    };
    if let Some(n) = quoted("i64").filter(|n| n.trim().parse::<i64>().is_ok()) {
        return format!("a number takes no quotes: write {name} = {}", n.trim());
    }
    if let Some(b) = quoted("a boolean").filter(|b| ["true", "false"].contains(&b.trim())) {
        return format!("true and false take no quotes: write {name} = {}", b.trim());
    }
    // Any other value of the wrong type: what the key takes.
    let what_to_write = if message.ends_with("expected i64") {
        format!(": write a whole number without quotes, e.g. {name} = 3")
    } else if message.ends_with("expected a boolean") {
        format!(": write {name} = true or {name} = false, without quotes")
    } else if message.ends_with("expected a string") {
        ": write the value in quotes".to_string()
    } else {
        String::new()
    };
    let message = message
        .replace("expected i64", "expected a whole number")
        .replace("expected a boolean", "expected true or false");
    format!("{message}{what_to_write}")
}

/// One key written in the config: `watch[1].interval`, where its name and
/// its value are.
struct KeyAt {
    /// The key as errors name it, e.g. `watch "evin".interval`.
    path: String,
    /// The same as serde paths name it, e.g. `watch.1.interval`.
    serde_path: String,
    key_span: std::ops::Range<usize>,
    value_span: std::ops::Range<usize>,
}

/// Every key of a parsed config file, with its place.
struct KeyIndex(Vec<KeyAt>);

impl KeyIndex {
    fn of(table: &DeTable<'_>) -> KeyIndex {
        fn table_keys(t: &DeTable<'_>, path: &str, serde_path: &str, out: &mut Vec<KeyAt>) {
            for (k, v) in t.iter() {
                let (p, sp) = if path.is_empty() {
                    (k.get_ref().to_string(), k.get_ref().to_string())
                } else {
                    (
                        format!("{path}.{}", k.get_ref()),
                        format!("{serde_path}.{}", k.get_ref()),
                    )
                };
                out.push(KeyAt {
                    path: p.clone(),
                    serde_path: sp.clone(),
                    key_span: k.span(),
                    value_span: v.span(),
                });
                value_keys(v.get_ref(), &p, &sp, k.span(), out);
            }
        }
        fn value_keys(
            v: &DeValue<'_>,
            path: &str,
            serde_path: &str,
            key_span: std::ops::Range<usize>,
            out: &mut Vec<KeyAt>,
        ) {
            match v {
                DeValue::Table(t) => table_keys(t, path, serde_path, out),
                DeValue::Array(a) => {
                    for (i, item) in a.iter().enumerate() {
                        let p = match item.get_ref() {
                            // A watch is named by its name, as `watches` names it.
                            DeValue::Table(t) if serde_path == "watch" => {
                                watch_label(i, t.get("name").and_then(|n| n.get_ref().as_str()))
                            }
                            // A channel too, as `channels` names it.
                            DeValue::Table(t) if serde_path == "channel" => {
                                let text = |k: &str| t.get(k).and_then(|v| v.get_ref().as_str());
                                let to = t.get("to").and_then(|v| match v.get_ref() {
                                    DeValue::Array(a) => {
                                        a.first().and_then(|f| f.get_ref().as_str())
                                    }
                                    v => v.as_str(),
                                });
                                let url = match text("type") {
                                    Some("email") => text("smtp_url"),
                                    _ => text("url"),
                                };
                                channel_label(i, text("name"), text("type"), to, url)
                            }
                            _ => format!("{path}[{i}]"),
                        };
                        let sp = format!("{serde_path}.{i}");
                        // An array of tables has no key of its own per element:
                        // its header's place is the element's start.
                        let span = item.span();
                        let item_key = if span.is_empty() {
                            key_span.clone()
                        } else {
                            span.start..span.start
                        };
                        out.push(KeyAt {
                            path: p.clone(),
                            serde_path: sp.clone(),
                            key_span: item_key,
                            value_span: span,
                        });
                        value_keys(item.get_ref(), &p, &sp, key_span.clone(), out);
                    }
                }
                _ => {}
            }
        }
        let mut out = Vec::new();
        table_keys(table, "", "", &mut out);
        KeyIndex(out)
    }

    /// The key serde_ignored names `watch.1.selectr`.
    fn by_serde_path(&self, serde_path: &str) -> Option<&KeyAt> {
        self.0.iter().find(|k| k.serde_path == serde_path)
    }

    /// The key of a table that holds `k`: `k` itself, or for an element of
    /// an array (`watch.0.channels.1`) the array's key.
    fn entry_holding(&self, k: &KeyAt) -> Option<&KeyAt> {
        let mut path = k.serde_path.as_str();
        while let Some((parent, last)) = path.rsplit_once('.') {
            if last.parse::<usize>().is_err() {
                break;
            }
            path = parent;
        }
        self.by_serde_path(path)
    }

    /// The innermost key whose name or value holds byte `pos` (for type errors).
    fn at(&self, pos: usize) -> Option<&KeyAt> {
        self.0
            .iter()
            .filter(|k| k.value_span.contains(&pos) || k.key_span.contains(&pos))
            // The innermost: the first `[[watch]]` header is the place of
            // both the array and its element 0, which is meant.
            .min_by_key(|k| (k.value_span.len(), std::cmp::Reverse(k.path.len())))
    }

    /// Each key's line.
    fn lines(&self, src: &str) -> BTreeMap<String, usize> {
        self.0
            .iter()
            .map(|k| {
                let line = src[..k.key_span.start.min(src.len())].matches('\n').count() + 1;
                (k.path.clone(), line)
            })
            .collect()
    }
}

/// Removes the entry whose value is at `span` from `table` or a table
/// inside it; false when there is none.
fn remove_value(table: &mut DeTable<'_>, span: &std::ops::Range<usize>) -> bool {
    if span.is_empty() {
        return false;
    }
    let key = table
        .iter()
        .find(|(_, v)| v.span() == *span)
        .map(|(k, _)| k.clone());
    if let Some(key) = key {
        return table.remove(&key).is_some();
    }
    fn inside(v: &mut DeValue<'_>, span: &std::ops::Range<usize>) -> bool {
        match v {
            DeValue::Table(t) => remove_value(t, span),
            DeValue::Array(a) => a.iter_mut().any(|item| inside(item.get_mut(), span)),
            _ => false,
        }
    }
    table.iter_mut().any(|(_, v)| inside(v.get_mut(), span))
}

/// The keys a table accepts, as serde's derive lists them for `T`, so the
/// suggestions never drift from the schema.
fn fields_of<T: serde::de::DeserializeOwned>() -> &'static [&'static str] {
    use serde::de::{Error, Visitor};
    struct Probe(std::cell::Cell<&'static [&'static str]>);
    impl<'de> serde::Deserializer<'de> for &Probe {
        type Error = serde::de::value::Error;
        fn deserialize_any<V: Visitor<'de>>(self, _: V) -> Result<V::Value, Self::Error> {
            Err(Self::Error::custom("not a struct"))
        }
        fn deserialize_struct<V: Visitor<'de>>(
            self,
            _: &'static str,
            fields: &'static [&'static str],
            _: V,
        ) -> Result<V::Value, Self::Error> {
            self.0.set(fields);
            Err(Self::Error::custom("fields taken"))
        }
        serde::forward_to_deserialize_any! {
            bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes
            byte_buf option unit unit_struct newtype_struct seq tuple tuple_struct map
            enum identifier ignored_any
        }
    }
    let probe = Probe(std::cell::Cell::new(&[]));
    let _ = T::deserialize(&probe);
    probe.0.get()
}

/// The tables of a config and the keys each accepts: `""` is the top level.
fn known_keys() -> [(&'static str, &'static [&'static str]); 5] {
    [
        ("", fields_of::<RawConfig>()),
        ("daemon", fields_of::<RawDaemon>()),
        ("channel", fields_of::<RawChannel>()),
        ("watch", fields_of::<RawWatch>()),
        ("host", fields_of::<RawHost>()),
    ]
}

/// The header a table is written under, for messages.
fn table_header(table: &str) -> String {
    match table {
        "daemon" => "[daemon]".into(),
        t => format!("[[{t}]]"),
    }
}

/// What to say about an unknown key (serde path `watch.1.intervl`): the key
/// it is probably a typo of, or the table it belongs in.
fn unknown_key_message(serde_path: &str) -> String {
    let segments: Vec<&str> = serde_path
        .split('.')
        .filter(|s| s.parse::<usize>().is_err())
        .collect();
    let name = segments.last().copied().unwrap_or(serde_path);
    let table = if segments.len() > 1 { segments[0] } else { "" };
    let tables = known_keys();
    let here = tables
        .iter()
        .find(|(t, _)| *t == table)
        .map(|(_, k)| *k)
        .unwrap_or(&[]);
    if let Some(k) = closest(name, here.iter().copied()) {
        return format!("unknown key `{name}`: did you mean `{k}`?");
    }
    // Every table it belongs in, a watch's first: keys written above any
    // header (`name`, `url`) are most often a watch whose header was left out.
    let mut homes: Vec<String> = ["watch", "daemon", "channel", "host"]
        .into_iter()
        .filter(|t| *t != table)
        .filter(|t| {
            tables
                .iter()
                .any(|(k, keys)| k == t && keys.contains(&name))
        })
        .map(table_header)
        .collect();
    if let Some(last) = homes.pop() {
        let homes = match homes.is_empty() {
            true => last,
            false => format!("{} or {last}", homes.join(", ")),
        };
        return match table {
            "" => format!(
                "unknown key `{name}` at the top level: it belongs in {homes}: write its table's header above it"
            ),
            t => format!("unknown key `{name}` in {}: it belongs in {homes}", table_header(t)),
        };
    }
    format!("unknown key `{name}` (see the config reference in README.md)")
}

/// The candidate `word` was probably meant as, ignoring case: the nearest
/// within one edit of a name of up to 4 characters, two of a longer one.
fn closest<'a>(word: &str, candidates: impl Iterator<Item = &'a str>) -> Option<&'a str> {
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

/// The longest duration accepted: 100 years (36500d), far past any
/// interval, timeout or retention, and short enough that times computed
/// from it never overflow.
pub const MAX_DURATION: Duration = Duration::from_secs(36_500 * 86_400);

/// Parses a duration like `90s`, `15m`, `1h30m`, `2d`, `500ms`, at most
/// [`MAX_DURATION`]. Months and years are refused (`1M` would be ambiguous).
pub fn parse_duration(s: &str) -> Result<Duration, String> {
    let s = s.trim();
    if s.is_empty() {
        return Err("empty duration; write e.g. \"30s\", \"15m\", \"1h\"".into());
    }
    let mut total = Duration::ZERO;
    let mut rest = s;
    while !rest.is_empty() {
        let num_end = rest
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(rest.len());
        if num_end == 0 {
            return Err(format!(
                "cannot parse duration {s:?}; write e.g. \"30s\", \"15m\", \"1h30m\""
            ));
        }
        let n: u64 = rest[..num_end]
            .parse()
            .map_err(|_| format!("number too large in {s:?}"))?;
        rest = rest[num_end..].trim_start();
        let unit_end = rest
            .find(|c: char| c.is_ascii_digit() || c.is_whitespace())
            .unwrap_or(rest.len());
        let unit = &rest[..unit_end];
        let secs = match unit {
            "ms" => {
                total = total.saturating_add(Duration::from_millis(n));
                rest = rest[unit_end..].trim_start();
                continue;
            }
            "s" | "sec" | "secs" | "second" | "seconds" => 1,
            "m" | "min" | "mins" | "minute" | "minutes" => 60,
            "h" | "hr" | "hour" | "hours" => 3600,
            "d" | "day" | "days" => 86400,
            "" => {
                return Err(format!(
                    "missing unit in duration {s:?}; write e.g. \"{n}s\" or \"{n}m\""
                ))
            }
            other => {
                return Err(format!(
                    "unknown unit {other:?} in duration {s:?}; use ms, s, m, h or d"
                ))
            }
        };
        total = total.saturating_add(Duration::from_secs(n.saturating_mul(secs)));
        rest = rest[unit_end..].trim_start();
    }
    if total > MAX_DURATION {
        return Err(format!(
            "duration {s:?} is longer than 100 years (36500d), the longest accepted"
        ));
    }
    Ok(total)
}

/// Parses a size like `8MiB`, `512KiB`, `2MB` or a plain byte count.
pub fn parse_size(s: &str) -> Result<u64, String> {
    let s = s.trim();
    let num_end = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
    let n: u64 = s[..num_end]
        .parse()
        .map_err(|_| format!("cannot parse size {s:?}; write e.g. \"8MiB\""))?;
    let mult = match s[num_end..].trim() {
        "" | "B" => 1,
        "KiB" | "K" | "k" => 1 << 10,
        "MiB" | "M" => 1 << 20,
        "GiB" | "G" => 1 << 30,
        "KB" | "kB" => 1000,
        "MB" => 1_000_000,
        "GB" => 1_000_000_000,
        u => {
            return Err(format!(
                "unknown size unit {u:?} in {s:?}; use B, KiB, MiB or GiB"
            ))
        }
    };
    Ok(n.saturating_mul(mult))
}

/// Why a CSS selector does not parse, in words; `None` when it parses. (The
/// parser's own message for most typos asks the reader to report a bug to
/// its developer, on a second line.)
pub fn selector_problem(selector: &str) -> Option<String> {
    use scraper::error::SelectorErrorKind as Kind;
    let e = scraper::Selector::parse(selector).err()?;
    let why = match &e {
        Kind::UnexpectedSelectorParseError(inner) => match format!("{inner:?}").as_str() {
            "EmptySelector" => {
                "part of it is empty (a comma with nothing after it, or `#` or `.` with no name?)"
            }
            "DanglingCombinator" => "it ends with `>`, `+` or `~` and nothing after it",
            "ClassNeedsIdent" => "a `.` must be followed by a class name, e.g. `div.article-body`",
            "NoIdentForPseudo" | "UnsupportedPseudoClassOrElement" => {
                "it uses a pseudo-class or pseudo-element that is not supported"
            }
            "NoQualifiedNameInAttributeSelector"
            | "UnexpectedTokenInAttributeSelector"
            | "ExpectedBarInAttr"
            | "BadValueInAttr"
            | "InvalidQualNameInAttr" => {
                "an attribute selector `[...]` is malformed: write e.g. `[itemprop=articleBody]`"
            }
            other => return Some(format!("it does not parse ({other})")),
        }
        .to_string(),
        Kind::EndOfLine => "it ends too early (an unclosed `[` or `(`?)".to_string(),
        Kind::UnexpectedToken => "it has a character that is not allowed where it is".to_string(),
        other => other.to_string(),
    };
    Some(why)
}

/// A path from the config: absolute, or relative to the config file's directory.
fn resolve(base: &Path, p: &str) -> PathBuf {
    let path = PathBuf::from(p);
    if path.is_absolute() {
        path
    } else {
        base.join(path)
    }
}

/// A duration key: a string such as "30m". A bare number is refused with
/// the key and an example, since its unit would be a guess: the example
/// reads it in minutes for an interval, in seconds for a timeout, a delay
/// or a lease, as those are usually written.
fn duration_field(
    r: &mut Report<'_>,
    v: &Option<Spanned<toml::Value>>,
    key: &str,
    default: Duration,
) -> Duration {
    let Some(v) = v else {
        return default;
    };
    let name = key.rsplit('.').next().unwrap_or(key);
    let (unit, one, many, example) = if name == "interval" {
        ("m", "minute", "minutes", "30m")
    } else {
        ("s", "second", "seconds", "30s")
    };
    let problem = match v.get_ref() {
        toml::Value::String(s) => match parse_duration(s) {
            Ok(d) => return d,
            Err(e) => e,
        },
        toml::Value::Integer(n) if *n > 0 => format!(
            "a duration needs a unit and quotes: write e.g. `{name} = \"{n}{unit}\"` for {} (units: s, m, h, d)",
            crate::text::plural(usize::try_from(*n).unwrap_or(usize::MAX), one, many)
        ),
        other => format!(
            "must be a duration in quotes, e.g. `{name} = \"{example}\"`, not {other}"
        ),
    };
    r.at(Some(v.span()), key, problem);
    default
}

fn positive(
    r: &mut Report<'_>,
    v: &Option<Spanned<i64>>,
    key: &str,
    default: i64,
    min: i64,
) -> i64 {
    match v {
        None => default,
        Some(n) if *n.get_ref() >= min => *n.get_ref(),
        Some(n) => {
            r.at(
                Some(n.span()),
                key,
                format!("must be at least {min}, got {}", n.get_ref()),
            );
            default
        }
    }
}

/// `daemon.keep_raw`: the cap, and whether raw responses are kept at all
/// (`"off"`: none). A bare number is refused with what to write: a cap read
/// in the wrong unit deletes evidence for good (180 meant as days, read as
/// bytes, would prune nearly every response), and 0 means "none" to some
/// and "no limit" to others.
fn keep_raw_field(r: &mut Report<'_>, v: &Option<Spanned<toml::Value>>) -> (Option<KeepRaw>, bool) {
    const KEY: &str = "daemon.keep_raw";
    let Some(v) = v else {
        return (None, true);
    };
    let zero = "0 could mean none or no limit: write `keep_raw = \"off\"` to keep no raw responses, or leave keep_raw out to keep them without a cap";
    let problem = match v.get_ref() {
        toml::Value::String(s) if s.trim() == KEEP_RAW_OFF => return (None, false),
        toml::Value::String(s) if s.trim() == "0" => zero.to_string(),
        toml::Value::String(s) => match KeepRaw::parse(s) {
            Ok(cap) => return (Some(cap), true),
            Err(e) => e,
        },
        toml::Value::Integer(0) => zero.to_string(),
        toml::Value::Integer(n) if *n > 0 => {
            let n = *n as u64;
            let size = [("GiB", 1u64 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)]
                .iter()
                .find(|(_, unit)| n % unit == 0)
                .map_or(format!("{n}B"), |(name, unit)| format!("{}{name}", n / unit));
            let days = if n <= 36_500 {
                format!(", or `keep_raw = \"{n}d\"` for {n} days")
            } else {
                String::new()
            };
            format!("a bare number could be bytes or days: write the cap in quotes with its unit, `keep_raw = \"{size}\"` for {n} bytes{days}")
        }
        toml::Value::Boolean(false) => {
            "write `keep_raw = \"off\"` to keep no raw responses".to_string()
        }
        other => format!(
            "must be a size or an age in quotes (`keep_raw = \"2GiB\"`, `keep_raw = \"180d\"`) or \"off\", not {other}"
        ),
    };
    r.at(Some(v.span()), KEY, problem);
    (None, true)
}

/// The smallest `max_body` accepted: below it, every page would be cut off.
const MIN_MAX_BODY: u64 = 64 << 10;

fn daemon_settings(r: &mut Report<'_>, d: RawDaemon, base: &Path) -> DaemonSettings {
    let (keep_raw, raw_snapshots) = keep_raw_field(r, &d.keep_raw);
    let max_body = match d.max_body.as_ref().map(|v| (v.get_ref(), v.span())) {
        None => 8 << 20,
        Some((toml::Value::Integer(n), _)) if *n as u64 >= MIN_MAX_BODY => *n as u64,
        Some((toml::Value::String(s), span)) => match parse_size(s) {
            Ok(n) if n >= MIN_MAX_BODY => n,
            Ok(_) => {
                r.at(
                    Some(span),
                    "daemon.max_body",
                    format!("{s:?} is smaller than a web page (most run from 50 KiB to 2 MiB): write at least \"64KiB\", e.g. max_body = \"8MiB\""),
                );
                8 << 20
            }
            Err(e) => {
                r.at(Some(span), "daemon.max_body", e);
                8 << 20
            }
        },
        Some((_, span)) => {
            r.at(
                Some(span),
                "daemon.max_body",
                "must be a size such as `max_body = \"8MiB\"`",
            );
            8 << 20
        }
    };
    let interval = duration_field(
        r,
        &d.interval,
        "daemon.interval",
        Duration::from_secs(30 * 60),
    );
    if interval < MIN_INTERVAL {
        if let Some(s) = &d.interval {
            r.at(
                Some(s.span()),
                "daemon.interval",
                "must be at least 1m: checking more often is impolite to the sites",
            );
        }
    }
    DaemonSettings {
        interval,
        concurrency: positive(r, &d.concurrency, "daemon.concurrency", 16, 1) as usize,
        timeout: duration_field(r, &d.timeout, "daemon.timeout", Duration::from_secs(30)),
        max_body,
        user_agent: match d.user_agent {
            Some(ua) if ua.get_ref().trim().is_empty() => {
                r.at(
                    Some(ua.span()),
                    "daemon.user_agent",
                    format!(
                        "is empty: sites would see no name, and many refuse such requests or answer with a bot check; \
                         leave user_agent out for the default ({:?}), or write a name with a way to reach you, \
                         e.g. user_agent = \"presswatch (press office of Example; press@example.org)\"",
                        default_user_agent()
                    ),
                );
                default_user_agent()
            }
            Some(ua) => ua.into_inner(),
            None => default_user_agent(),
        },
        baseline_dir: resolve(base, d.baseline_dir.as_deref().unwrap_or("baseline")),
        state_dir: resolve(base, d.state_dir.as_deref().unwrap_or("state")),
        state_url: d.state_url.as_ref().and_then(|u| {
            state_url(u.get_ref())
                .map_err(|e| r.at(Some(u.span()), "daemon.state_url", e))
                .ok()
        }),
        state_password: secret_ref(
            r,
            "daemon.state_password",
            &d.state_password,
            &d.state_password_env,
            &d.state_password_file,
            base,
        ),
        lease: {
            let lease = duration_field(r, &d.lease, "daemon.lease", Duration::from_secs(30));
            if lease < Duration::from_secs(1) {
                if let Some(l) = &d.lease {
                    r.at(Some(l.span()), "daemon.lease", "must be at least 1s");
                }
            }
            lease.max(Duration::from_secs(1))
        },
        failure_threshold: positive(r, &d.failure_threshold, "daemon.failure_threshold", 3, 1)
            as u32,
        max_redirects: positive(r, &d.max_redirects, "daemon.max_redirects", 5, 0) as usize,
        keep_versions: positive(r, &d.keep_versions, "daemon.keep_versions", 100, 1) as usize,
        timezone: timezone(r, &d.timezone),
        politeness: Politeness {
            delay: duration_field(
                r,
                &d.per_host_delay,
                "daemon.per_host_delay",
                Duration::from_secs(2),
            ),
            concurrency: positive(
                r,
                &d.per_host_concurrency,
                "daemon.per_host_concurrency",
                1,
                1,
            ) as usize,
            hosts: Vec::new(),
        },
        listen: d
            .listen
            .as_ref()
            .and_then(|l| match listen_addr(l.get_ref()) {
                Ok(a) => Some(a),
                Err(e) => {
                    r.at(Some(l.span()), "daemon.listen", e);
                    None
                }
            }),
        keep_raw,
        raw_snapshots,
        report_url: d.report_url.as_ref().and_then(|u| {
            report_base(u.get_ref())
                .map_err(|e| r.at(Some(u.span()), "daemon.report_url", e))
                .ok()
        }),
    }
}

/// Checks `daemon.state_url`: a `postgres://` URL without a password (the
/// password goes in `state_password_env` or `state_password_file`).
fn state_url(url: &str) -> Result<String, String> {
    let u = Url::parse(url.trim()).map_err(|e| {
        format!("not a URL ({e}); write it as \"postgres://user@host:5432/presswatch\"")
    })?;
    if !matches!(u.scheme(), "postgres" | "postgresql") {
        return Err(format!(
            "must be a postgres:// URL, not {}:// (leave it out to keep state in SQLite under state_dir)",
            u.scheme()
        ));
    }
    if u.password().is_some() {
        return Err(
            "must not contain the password; set `state_password_env = \"VAR\"` or `state_password_file = \"path\"` instead"
                .into(),
        );
    }
    Ok(url.trim().to_string())
}

/// The IANA time zone named by `daemon.timezone` (UTC when unset).
fn timezone(r: &mut Report<'_>, v: &Option<Spanned<String>>) -> chrono_tz::Tz {
    let Some(name) = v else {
        return chrono_tz::UTC;
    };
    name.get_ref().trim().parse().unwrap_or_else(|_| {
        let message = match zone_meant(name.get_ref()) {
            Some(meant) => format!(
                "unknown time zone {:?}: write timezone = \"{meant}\" (an IANA name: area/city)",
                name.get_ref()
            ),
            None => format!(
                "unknown time zone {:?}; use an IANA name such as \"Europe/Berlin\" or \"UTC\"",
                name.get_ref()
            ),
        };
        r.at(Some(name.span()), "daemon.timezone", message);
        chrono_tz::UTC
    })
}

/// Parses `listen`: `host:port`, or a bare port meaning 127.0.0.1.
fn listen_addr(s: &str) -> Result<std::net::SocketAddr, String> {
    let s = s.trim();
    if let Ok(port) = s.parse::<u16>() {
        return Ok(std::net::SocketAddr::from(([127, 0, 0, 1], port)));
    }
    s.parse().map_err(|_| {
        format!("cannot parse {s:?} as an address; write e.g. \"127.0.0.1:9184\" or \"9184\"")
    })
}

/// The `[[host]]` tables: per-host delay and concurrency, defaulting to the `[daemon]` ones.
fn host_rules(
    r: &mut Report<'_>,
    raw: Vec<Spanned<RawHost>>,
    defaults: &Politeness,
) -> Vec<HostRule> {
    let mut out: Vec<HostRule> = Vec::new();
    for (i, h) in raw.into_iter().enumerate() {
        let table = h.span();
        let h = h.into_inner();
        let Some(written) = &h.name else {
            r.missing(
                table,
                format!("host[{i}].name"),
                "missing name: write the host the settings are for, e.g. name = \"news.example.org\"",
            );
            continue;
        };
        let name = written.get_ref().trim().to_ascii_lowercase();
        if name.is_empty() || name.contains(['/', ':', ' ']) {
            r.at(
                Some(written.span()),
                format!("host[{i}].name"),
                "must be a bare host name such as \"news.example.org\" (no scheme, port or path)",
            );
            continue;
        }
        if out.iter().any(|o| o.name == name) {
            r.at(
                Some(written.span()),
                format!("host[{i}].name"),
                format!("duplicate host {name:?}"),
            );
            continue;
        }
        out.push(HostRule {
            delay: duration_field(r, &h.delay, &format!("host[{i}].delay"), defaults.delay),
            concurrency: positive(
                r,
                &h.concurrency,
                &format!("host[{i}].concurrency"),
                defaults.concurrency as i64,
                1,
            ) as usize,
            name,
        });
    }
    out
}

/// The default User-Agent: names presswatch and its version.
pub fn default_user_agent() -> String {
    format!(
        "presswatch/{} (press monitor; +https://github.com/presswatch/presswatch)",
        env!("CARGO_PKG_VERSION")
    )
}

/// Where a channel's secret comes from (`KEY_env` or `KEY_file`); an inline
/// `KEY` is refused. Nothing is read here (see [`SecretRef`]).
fn secret_ref(
    r: &mut Report<'_>,
    key: &str,
    inline: &Option<Spanned<String>>,
    env: &Option<Spanned<String>>,
    file: &Option<Spanned<String>>,
    base: &Path,
) -> Option<SecretRef> {
    if let Some(s) = inline {
        // What to write in the same table, as TOML: `password_env = "VAR"`.
        let name = key.rsplit('.').next().unwrap_or(key);
        r.at(
            Some(s.span()),
            key,
            format!("secrets may not be written in the config; write `{name}_env = \"VAR\"` (an environment variable) or `{name}_file = \"path\"` in its place"),
        );
        return None;
    }
    if let (Some(_), Some(f)) = (env, file) {
        r.at(
            Some(f.span()),
            format!("{key}_file"),
            format!("set either `{key}_env` or `{key}_file`, not both"),
        );
        return None;
    }
    if let Some(var) = env {
        let name = var.get_ref().trim();
        if name.is_empty() {
            r.at(
                Some(var.span()),
                format!("{key}_env"),
                "names no environment variable",
            );
            return None;
        }
        return Some(SecretRef {
            key: format!("{key}_env"),
            source: SecretSource::Env(name.to_string()),
        });
    }
    let f = file.as_ref()?;
    let written = f.get_ref().trim();
    let source = match written.strip_prefix("$CREDENTIALS_DIRECTORY") {
        Some(rest) if rest.starts_with('/') && rest.len() > 1 => {
            SecretSource::Credential(PathBuf::from(rest.trim_start_matches('/')))
        }
        Some(_) => {
            r.at(
                Some(f.span()),
                format!("{key}_file"),
                "write a credential as \"$CREDENTIALS_DIRECTORY/NAME\", NAME as in the unit's LoadCredential=NAME:...",
            );
            return None;
        }
        None if written.is_empty() => {
            r.at(Some(f.span()), format!("{key}_file"), "names no file");
            return None;
        }
        None => SecretSource::File(resolve(base, written)),
    };
    Some(SecretRef {
        key: format!("{key}_file"),
        source,
    })
}

fn channels(r: &mut Report<'_>, raw: Vec<Spanned<RawChannel>>, base: &Path) -> Vec<Channel> {
    let mut out = Vec::new();
    let mut names = HashSet::new();
    for (i, c) in raw.into_iter().enumerate() {
        let table = c.span();
        let c = c.into_inner();
        fn text(v: &Option<Spanned<String>>) -> Option<&str> {
            v.as_ref().map(|v| v.get_ref().as_str())
        }
        let label = channel_label(
            i,
            text(&c.name),
            text(&c.kind),
            c.to.as_ref()
                .and_then(|t| t.get_ref().first())
                .map(String::as_str),
            match text(&c.kind) {
                Some("email") => text(&c.smtp_url),
                _ => text(&c.url),
            },
        );
        let k = |f: &str| format!("{label}.{f}");
        // Where a problem of the channel as a whole is shown: its name, else its header.
        let name_span = c.name.as_ref().map_or(table.clone(), Spanned::span);
        let name = match &c.name {
            None => {
                r.missing(
                    table.clone(),
                    k("name"),
                    "missing name: give the channel a name watches can refer to, e.g. name = \"press\"",
                );
                String::new()
            }
            Some(n) => n.get_ref().trim().to_string(),
        };
        if name.is_empty() {
            if c.name.is_some() {
                r.at(Some(name_span.clone()), k("name"), "must not be empty");
            }
        } else if !names.insert(name.clone()) {
            r.at(
                Some(name_span.clone()),
                k("name"),
                format!("duplicate channel name {name:?}"),
            );
        }
        let Some(kind_written) = &c.kind else {
            r.missing(
                table,
                k("type"),
                "missing type: write type = \"email\" or type = \"webhook\"",
            );
            continue;
        };
        let kind = match kind_written.get_ref().as_str() {
            "email" => {
                let Some(smtp) = &c.smtp_url else {
                    r.missing(
                        name_span.clone(),
                        k("smtp_url"),
                        "an email channel needs smtp_url, e.g. \"smtps://mail.example.org:465\"",
                    );
                    continue;
                };
                let password = secret_ref(
                    r,
                    &k("password"),
                    &c.password,
                    &c.password_env,
                    &c.password_file,
                    base,
                );
                let tls_setting = c.tls.as_ref().map(|t| (t.get_ref().as_str(), t.span()));
                match email_channel(smtp.get_ref(), tls_setting.as_ref().map(|t| t.0)) {
                    Ok((host, port, tls)) => {
                        if let Some((_, span)) =
                            tls_setting.filter(|t| !["implicit", "starttls", "none"].contains(&t.0))
                        {
                            r.at(
                                Some(span),
                                k("tls"),
                                "must be \"implicit\", \"starttls\" or \"none\"",
                            );
                        }
                        let from = c
                            .from
                            .as_ref()
                            .map(|f| f.get_ref().clone())
                            .unwrap_or_default();
                        let needs_from = "an email channel needs a From address, e.g. \"presswatch <alerts@example.org>\"";
                        match &c.from {
                            None => r.missing(name_span.clone(), k("from"), needs_from),
                            Some(f) if !from.contains('@') => {
                                r.at(Some(f.span()), k("from"), needs_from)
                            }
                            Some(_) => {}
                        }
                        let to =
                            c.to.as_ref()
                                .map(|t| t.get_ref().clone())
                                .unwrap_or_default();
                        let span = c.to.as_ref().map_or(name_span.clone(), Spanned::span);
                        let needs_to = "an email channel needs a list of recipient addresses";
                        if c.to.is_none() {
                            r.missing(span, k("to"), needs_to);
                        } else if to.is_empty() {
                            r.at(Some(span), k("to"), needs_to);
                        } else if let Some(bad) = to.iter().find(|a| !a.contains('@')) {
                            r.at(
                                Some(span),
                                k("to"),
                                format!(
                                    "{bad:?} is not an email address, e.g. \"press@example.org\""
                                ),
                            );
                        }
                        ChannelKind::Email(EmailChannel {
                            host,
                            port,
                            tls,
                            username: c.username,
                            password,
                            from,
                            to,
                        })
                    }
                    Err(e) => {
                        r.at(Some(smtp.span()), k("smtp_url"), e);
                        continue;
                    }
                }
            }
            "webhook" => {
                let Some(url) = &c.url else {
                    r.missing(name_span.clone(), k("url"), "a webhook channel needs url");
                    continue;
                };
                let secret = secret_ref(
                    r,
                    &k("secret"),
                    &c.secret,
                    &c.secret_env,
                    &c.secret_file,
                    base,
                );
                let format = match c.format.as_ref().map(|f| f.get_ref().as_str()) {
                    None | Some("json") => WebhookFormat::Json,
                    Some("slack") => WebhookFormat::Slack,
                    Some("discord") => WebhookFormat::Discord,
                    Some("teams") => WebhookFormat::Teams,
                    Some(other) => {
                        let span = c.format.as_ref().map(|f| f.span());
                        r.at(
                            span,
                            k("format"),
                            format!("unknown format {other:?}; use json, slack, discord or teams"),
                        );
                        WebhookFormat::Json
                    }
                };
                match http_url(url.get_ref()) {
                    Ok(url) => ChannelKind::Webhook(WebhookChannel {
                        url,
                        format,
                        secret,
                    }),
                    Err(e) => {
                        r.at(Some(url.span()), k("url"), e);
                        continue;
                    }
                }
            }
            other => {
                r.at(
                    Some(kind_written.span()),
                    k("type"),
                    format!("unknown channel type {other:?}; use \"email\" or \"webhook\""),
                );
                continue;
            }
        };
        let digest = match &c.digest {
            None => DigestSchedule::Off,
            Some(d) => match DigestSchedule::parse(d.get_ref()) {
                Ok(DigestSchedule::Off) => DigestSchedule::Off,
                Ok(_) if matches!(kind, ChannelKind::Webhook(_)) => {
                    r.at(Some(d.span()), k("digest"), "digests are for email channels; a webhook receiver gets each alert as it happens");
                    DigestSchedule::Off
                }
                Ok(s) => s,
                Err(e) => {
                    r.at(Some(d.span()), k("digest"), e);
                    DigestSchedule::Off
                }
            },
        };
        let kinds = c
            .kinds
            .as_ref()
            .map(|list| alert_kinds(r, &k("kinds"), list));
        out.push(Channel {
            name,
            kind,
            digest,
            kinds,
        });
    }
    out
}

/// A channel's `kinds`: each a routable alert kind, at least one.
fn alert_kinds(r: &mut Report<'_>, key: &str, list: &Spanned<Vec<String>>) -> Vec<ChangeKind> {
    let names: Vec<&str> = ChangeKind::ROUTABLE.iter().map(|k| k.as_str()).collect();
    if list.get_ref().is_empty() {
        r.at(
            Some(list.span()),
            key.to_string(),
            "an empty list routes no alert to the channel; remove `kinds` to send it every kind",
        );
    }
    list.get_ref()
        .iter()
        .filter_map(|name| {
            let kind = ChangeKind::parse(name.trim());
            if kind.is_none() {
                r.at(
                    Some(list.span()),
                    key.to_string(),
                    format!("unknown alert kind {name:?}; use {}", names.join(", ")),
                );
            }
            kind
        })
        .collect()
}

/// Parses `smtps://host[:port]`, `smtp://host[:port]` into host, port and TLS mode.
fn email_channel(smtp_url: &str, tls: Option<&str>) -> Result<(String, u16, SmtpTls), String> {
    let url = Url::parse(smtp_url).map_err(|e| {
        format!("not a valid URL ({e}); write e.g. \"smtps://mail.example.org:465\"")
    })?;
    let host = url.host_str().ok_or("smtp_url has no host")?.to_string();
    let (default_tls, default_port) = match url.scheme() {
        "smtps" => (SmtpTls::Implicit, 465),
        "smtp" => (SmtpTls::StartTls, 587),
        s => return Err(format!("scheme {s:?} is not smtp:// or smtps://")),
    };
    let tls = match tls {
        Some("implicit") => SmtpTls::Implicit,
        Some("starttls") => SmtpTls::StartTls,
        Some("none") => SmtpTls::None,
        _ => default_tls,
    };
    Ok((host, url.port().unwrap_or(default_port), tls))
}

/// Parses an http(s) URL.
/// The base URL of the published report: http(s), or file for a shared
/// drive; it names a directory, so it ends in `/`.
fn report_base(s: &str) -> Result<Url, String> {
    let mut url = Url::parse(s.trim()).map_err(|e| format!("not a valid URL: {e}"))?;
    if !matches!(url.scheme(), "http" | "https" | "file") {
        return Err(format!(
            "URL scheme must be http, https or file, not {:?}",
            url.scheme()
        ));
    }
    if !url.path().ends_with('/') {
        url.set_path(&format!("{}/", url.path()));
    }
    Ok(url)
}

fn http_url(s: &str) -> Result<Url, String> {
    let s = s.trim();
    if s.is_empty() {
        return Err(
            "the URL is empty: write the address, e.g. \"https://news.example.org/2024/05/story\""
                .into(),
        );
    }
    let url = Url::parse(s).map_err(|e| {
        // An address copied without its scheme ("www.example.org/feed").
        let with_scheme = format!("https://{s}");
        match e {
            url::ParseError::RelativeUrlWithoutBase
                if Url::parse(&with_scheme)
                    .is_ok_and(|u| u.host_str().is_some_and(|h| h.contains('.'))) =>
            {
                format!("not a valid URL: it does not start with https:// or http://; write \"{with_scheme}\"")
            }
            _ if s.contains(char::is_whitespace) => "not a valid URL: it holds a space; copy the address from the browser's address bar".to_string(),
            e => format!("not a valid URL: {e}"),
        }
    })?;
    if !matches!(url.scheme(), "http" | "https") {
        let scheme = url.scheme();
        // A scheme mistyped ("htps://"): the address as meant.
        if let Some(meant) = closest(scheme, ["https", "http"].into_iter()) {
            let rest = &s[s.find(':').map_or(0, |i| i + 1)..];
            let rest = rest.trim_start_matches('/');
            return Err(format!(
                "URL scheme {scheme:?} is mistyped (http or https): write \"{meant}://{rest}\""
            ));
        }
        return Err(format!(
            "URL scheme must be http or https, not {scheme:?}: presswatch fetches web pages and feeds"
        ));
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err("URL has no host".into());
    }
    Ok(url)
}

/// How messages name a channel, as the user knows it: `channel "press"` by
/// its name; unnamed, by its type and where it sends (`email channel to
/// "press@example.org"`, `webhook channel to "hooks.example.org"`: the
/// first recipient, or the host of its URL, not the URL, which may hold a
/// token); else by its place, `channel[2]`.
fn channel_label(
    index: usize,
    name: Option<&str>,
    kind: Option<&str>,
    to: Option<&str>,
    url: Option<&str>,
) -> String {
    if let Some(name) = name.map(str::trim).filter(|n| !n.is_empty()) {
        return format!("channel {}", quote(name));
    }
    let host = |u: &str| {
        Url::parse(u.trim())
            .ok()
            .and_then(|u| u.host_str().map(str::to_string))
    };
    let to = match kind {
        Some("email") => to
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .map(str::to_string)
            .or_else(|| url.and_then(host)),
        Some("webhook") => url.and_then(host),
        _ => None,
    };
    match (kind, to) {
        (Some(kind), Some(to)) => format!("{kind} channel to {to:?}"),
        _ => format!("channel[{index}]"),
    }
}

/// A regex that does not parse, on one line as every problem is: what is
/// wrong and where in the pattern (the regex crate draws it over three
/// lines, a caret under the place).
pub fn regex_problem(pattern: &str, e: &regex::Error) -> String {
    let text = e.to_string();
    let lines: Vec<&str> = text.lines().collect();
    let what = lines
        .iter()
        .rev()
        .find_map(|l| l.strip_prefix("error: "))
        .unwrap_or(text.as_str());
    // The caret line: four spaces of indent, then `^` under the place
    // (a char count: the pattern line is the pattern, indented alike).
    let at = lines
        .iter()
        .find(|l| l.trim_start().starts_with('^'))
        .map(|l| {
            l.chars()
                .take_while(|c| *c == ' ')
                .count()
                .saturating_sub(4)
        });
    let near = at
        .and_then(|i| pattern.chars().nth(i).map(|c| (i, c)))
        .map(|(i, c)| format!(" at character {} ({c:?})", i + 1))
        .unwrap_or_default();
    format!("not a valid regex: {what}{near}; a literal ( ) [ ] . * + ? \\ is written with a \\ before it, e.g. '\\(AP\\)'")
}

/// The IANA time zone a name that is none probably means: the same name
/// in other case, or a city alone ("Tehran", "new york": `Asia/Tehran`,
/// `America/New_York`).
fn zone_meant(written: &str) -> Option<&'static str> {
    let key = written.trim().replace(' ', "_").to_lowercase();
    if key.is_empty() {
        return None;
    }
    let names = || chrono_tz::TZ_VARIANTS.iter().map(|z| z.name());
    names().find(|n| n.to_lowercase() == key).or_else(|| {
        names().find(|n| {
            n.rsplit('/')
                .next()
                .is_some_and(|c| c.to_lowercase() == key)
        })
    })
}

/// Why the config file cannot be read, and what to do, as a newcomer
/// needs it: a path that names no file (relative to which directory), a
/// directory, a file this user may not read, a file that is not UTF-8.
fn unreadable_config(path: &Path, e: &std::io::Error) -> String {
    use std::io::ErrorKind;
    match e.kind() {
        ErrorKind::NotFound => {
            let from = if path.is_relative() {
                std::env::current_dir()
                    .map(|d| format!(" (a relative path is read from the current directory, {})", d.display()))
                    .unwrap_or_default()
            } else {
                String::new()
            };
            format!(
                "cannot read config file: there is no such file{from}: is the --config path right? \
                 The repository's config.toml is an example to start from"
            )
        }
        ErrorKind::IsADirectory => "cannot read config file: it is a directory: --config takes the config file itself, e.g. --config /etc/presswatch/config.toml".into(),
        ErrorKind::PermissionDenied => format!(
            "cannot read config file: this user (uid {}) may not read it: run presswatch as a user who may (the daemon's, or root), or make the file readable",
            // SAFETY: geteuid cannot fail and has no preconditions.
            unsafe { libc::geteuid() }
        ),
        ErrorKind::InvalidData => "cannot read config file: it is not UTF-8 text: save it as UTF-8 (a TOML file is UTF-8)".into(),
        _ => format!("cannot read config file: {e}"),
    }
}

/// What to say of a watch's `channels` entry that names no channel: the
/// channel probably meant, else those there are.
fn unknown_channel(name: &str, channels: &[Channel]) -> String {
    let missing = format!("no channel named {} is defined", quote(name));
    if let Some(meant) = closest(name, channels.iter().map(|c| c.name.as_str())) {
        return format!("{missing}: did you mean {}?", quote(meant));
    }
    if channels.is_empty() {
        return format!(
            "{missing}: the config has no [[channel]] (without one, alerts go to stdout and the log)"
        );
    }
    let names: Vec<String> = channels.iter().map(|c| quote(&c.name)).collect();
    format!("{missing}; its channels: {}", names.join(", "))
}

/// How problems name a watch: by its name (`watch "iranwire-rasoulof"`), by
/// its place in the file (`watch[3]`, counted from 0) only when it has none.
fn watch_label(index: usize, name: Option<&str>) -> String {
    match name.map(str::trim).filter(|n| !n.is_empty()) {
        Some(name) => format!("watch {}", quote(name)),
        None => format!("watch[{index}]"),
    }
}

/// `s` in double quotes as it reads, for messages: only quotes, backslashes
/// and control characters escaped. (Rust's `{:?}` would also write the
/// zero-width non-joiner of a Persian name, or an Arabic vowel mark, as
/// `\u{200c}`.)
fn quote(s: &str) -> String {
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

/// A character that shows nothing: zero-width (non-)joiners and spaces,
/// direction marks, the byte-order mark, a soft hyphen.
fn invisible(c: char) -> bool {
    matches!(c, '\u{00ad}' | '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2060}'..='\u{2064}' | '\u{feff}')
}

/// Whether `c` may stand in a watch name (which names its baseline file
/// and the watch in commands): a letter, a digit, `-`, `_` or `.`, and the
/// parts of words that Persian and Arabic spell with: the zero-width
/// (non-)joiner (رسول‌اف) and the vowel marks.
fn name_char(c: char) -> bool {
    c.is_alphanumeric()
        || "-_.\u{200c}\u{200d}".contains(c)
        || unicode_normalization::char::is_combining_mark(c)
}

/// What a watch name may hold: [`name_char`]s, starting with a letter, a
/// digit, `-` or `_` (not `.`, nor a joiner or a mark, which join nothing).
fn valid_watch_name(name: &str) -> bool {
    name.chars()
        .next()
        .is_some_and(|c| c.is_alphanumeric() || "-_".contains(c))
        && name.chars().all(name_char)
}

/// Why `name` is no valid watch name, naming the characters it may not
/// hold (invisible ones too), and the name to write instead: without the
/// invisible characters, others as `-`.
fn bad_name_message(name: &str) -> String {
    const RULE: &str = "a name may hold only letters (with their marks and joiners), digits, '-', '_' and '.', and start with a letter, a digit, '-' or '_' (it names the baseline file and the watch in commands)";
    let mut bad: Vec<String> = Vec::new();
    for c in name.chars() {
        if name_char(c) {
            continue;
        }
        let said = match c {
            ' ' => "a space".to_string(),
            c if invisible(c) || c.is_control() => {
                format!("an invisible character (U+{:04X})", c as u32)
            }
            c => format!("'{c}'"),
        };
        if !bad.contains(&said) {
            bad.push(said);
        }
    }
    let mut suggested = String::new();
    for c in name.chars() {
        if name_char(c) && c != '-' {
            suggested.push(c);
        } else if invisible(c) {
            continue;
        } else if !suggested.ends_with('-') {
            suggested.push('-');
        }
    }
    let suggested = suggested
        .trim_start_matches(|c: char| !c.is_alphanumeric() && c != '_')
        .trim_end_matches('-');
    let what = match bad.split_last() {
        None => "it does not start with a letter, a digit, '-' or '_'".to_string(),
        Some((last, [])) => format!("it holds {last}"),
        Some((last, rest)) => format!("it holds {} and {last}", rest.join(", ")),
    };
    if suggested.is_empty() {
        format!("{what}: {RULE}")
    } else {
        format!("{what}: {RULE}; write name = {}", quote(suggested))
    }
}

fn watches(
    r: &mut Report<'_>,
    raw: Vec<Spanned<RawWatch>>,
    daemon: &DaemonSettings,
    channels: &[Channel],
) -> Vec<Watch> {
    let mut out = Vec::new();
    let mut names = HashSet::new();
    for (i, w) in raw.into_iter().enumerate() {
        let table = w.span();
        let w = w.into_inner();
        let label = watch_label(i, w.name.as_ref().map(|n| n.get_ref().as_str()));
        let k = |f: &str| format!("{label}.{f}");
        let name = match &w.name {
            None => {
                r.missing(
                    table.clone(),
                    k("name"),
                    "missing name: give the watch a name of its own, e.g. name = \"iranwire-rasoulof\" (it names the baseline file and the watch in commands)",
                );
                String::new()
            }
            Some(written) => {
                let name = written.get_ref().trim().to_string();
                if name.is_empty() {
                    r.at(
                        Some(written.span()),
                        k("name"),
                        "must not be empty (it names the baseline file and the watch in commands)",
                    );
                } else if !valid_watch_name(&name) {
                    r.at(Some(written.span()), k("name"), bad_name_message(&name));
                } else if !names.insert(name.clone()) {
                    r.at(
                        Some(written.span()),
                        k("name"),
                        format!("duplicate watch name {}", quote(&name)),
                    );
                }
                name
            }
        };
        let url = match &w.url {
            None => {
                r.missing(
                    table,
                    k("url"),
                    "missing url: write the address to watch, e.g. url = \"https://news.example.org/2024/05/story\"",
                );
                None
            }
            Some(written) => match http_url(written.get_ref()) {
                Ok(u) => Some(u),
                Err(e) => {
                    r.at(Some(written.span()), k("url"), e);
                    None
                }
            },
        };
        let kind = match w.kind.as_ref().map(|s| s.get_ref().as_str()) {
            None | Some("article") => WatchKind::Article,
            Some("listing") => WatchKind::Listing,
            Some("feed") => WatchKind::Feed,
            Some(other) => {
                r.at(
                    w.kind.as_ref().map(|s| s.span()),
                    k("kind"),
                    if ["rss", "atom", "json", "jsonfeed", "json-feed"]
                        .contains(&other.to_ascii_lowercase().as_str())
                    {
                        format!(
                            "unknown kind {other:?}: RSS, Atom and JSON feeds are kind = \"feed\""
                        )
                    } else {
                        format!("unknown kind {other:?}; use article, listing or feed")
                    },
                );
                WatchKind::Article
            }
        };
        let interval = duration_field(r, &w.interval, &k("interval"), daemon.interval);
        // A watch without an interval of its own takes the daemon's, whose
        // problem is reported once, at `daemon.interval`.
        if interval < MIN_INTERVAL {
            if let Some(own) = &w.interval {
                r.at(Some(own.span()), k("interval"), "must be at least 1m");
            }
        }
        if let Some(sel) = &w.selector {
            if let Some(why) = selector_problem(sel.get_ref()) {
                r.at(
                    Some(sel.span()),
                    k("selector"),
                    format!("not a valid CSS selector: {why}"),
                );
            }
        }
        let mut ignore = Vec::new();
        for (j, pat) in w.ignore.iter().enumerate() {
            match Regex::new(pat.get_ref()) {
                Ok(re) => ignore.push(re),
                Err(e) => r.at(
                    Some(pat.span()),
                    format!("{label}.ignore[{j}]"),
                    regex_problem(pat.get_ref(), &e),
                ),
            }
        }
        for c in &w.channels {
            if !channels.iter().any(|ch| &ch.name == c.get_ref()) {
                r.at(
                    Some(c.span()),
                    k("channels"),
                    unknown_channel(c.get_ref(), channels),
                );
            }
        }
        let min_change = positive(r, &w.min_change, &k("min_change"), 0, 0) as usize;
        if let Some(url) = url {
            out.push(Watch {
                name,
                url,
                kind,
                interval,
                selector: w.selector.map(Spanned::into_inner),
                ignore,
                keywords: w
                    .keywords
                    .into_iter()
                    .filter(|k| !k.trim().is_empty())
                    .collect(),
                min_change,
                channels: w.channels.into_iter().map(Spanned::into_inner).collect(),
                follow: w.follow,
                outlet: w.outlet,
                allow_private_redirects: w.allow_private_redirects,
                robots: w.robots.unwrap_or(true),
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn errors(src: &str) -> Vec<String> {
        match Config::parse(Path::new("c.toml"), src) {
            Ok(_) => vec![],
            Err(e) => e.0.iter().map(|e| e.to_string()).collect(),
        }
    }

    #[test]
    fn a_feed_watch_written_as_users_write_it_is_corrected_with_what_to_write() {
        let watch = |body: &str| errors(&format!("[[watch]]\nname = \"w\"\n{body}\n"));
        assert_eq!(
            watch("url = \"www.radiofarda.example/feed\"\nkind = \"feed\""),
            ["c.toml:3: watch \"w\".url: not a valid URL: it does not start with https:// or http://; write \"https://www.radiofarda.example/feed\""]
        );
        assert_eq!(
            watch("url = \"https://n.example/rss\"\nkind = \"RSS\""),
            ["c.toml:4: watch \"w\".kind: unknown kind \"RSS\": RSS, Atom and JSON feeds are kind = \"feed\""]
        );
        assert_eq!(
            watch("url = \"https://n.example/rss\"\nkind = \"feed\"\nkeywords = \"Evin\""),
            ["c.toml:5: watch \"w\".keywords: this is a list: write it in brackets, keywords = [\"Evin\"]"]
        );
    }

    #[test]
    fn a_page_names_the_outlet_unless_the_watch_does_and_a_long_name_is_cut() {
        let c = Config::parse(
            Path::new("c.toml"),
            "[[watch]]\nname = \"a\"\nurl = \"https://www.n.example/a\"\n[[watch]]\nname = \"b\"\nurl = \"https://n.example/b\"\noutlet = \"Zamaneh\"\n",
        )
        .unwrap();
        let (a, b) = (&c.watches[0], &c.watches[1]);
        assert_eq!(a.outlet_named(None), "n.example");
        assert_eq!(a.outlet_named(Some("  Radio Farda ")), "Radio Farda");
        assert_eq!(b.outlet_named(Some("Radio Farda")), "Zamaneh");
        let long = "خبر ".repeat(40);
        let named = a.outlet_named(Some(&long));
        assert_eq!(named.chars().count(), MAX_PAGE_OUTLET_CHARS, "{named}");
        assert!(named.ends_with("خبر…"), "{named}");
    }

    #[test]
    fn durations() {
        assert_eq!(parse_duration("90s"), Ok(Duration::from_secs(90)));
        assert_eq!(parse_duration("1h30m"), Ok(Duration::from_secs(5400)));
        assert_eq!(parse_duration("2d"), Ok(Duration::from_secs(172800)));
        assert_eq!(parse_duration("250ms"), Ok(Duration::from_millis(250)));
        assert!(parse_duration("1M").is_err());
        assert!(parse_duration("5").is_err());
        assert!(parse_duration("soon").is_err());
        // Too long to mean anything, and once a panic on overflow.
        assert_eq!(parse_duration("36500d"), Ok(MAX_DURATION));
        for absurd in ["36501d", "100000000000d", "18446744073709551615s1s"] {
            let why = parse_duration(absurd).unwrap_err();
            assert!(why.contains("longer than 100 years"), "{absurd}: {why}");
        }
    }

    #[test]
    fn sizes() {
        assert_eq!(parse_size("8MiB"), Ok(8 << 20));
        assert_eq!(parse_size("1000"), Ok(1000));
        assert!(parse_size("8 potatoes").is_err());
    }

    #[test]
    fn keep_raw_caps_raw_responses_by_size_or_age_or_turns_them_off() {
        let daemon = |v: &str| {
            Config::parse(
                Path::new("c.toml"),
                &format!("[daemon]\nkeep_raw = \"{v}\"\n"),
            )
            .map(|c| c.daemon)
        };
        let d = Config::parse(Path::new("c.toml"), "").unwrap().daemon;
        assert_eq!((d.keep_raw, d.raw_snapshots), (None, true));
        let d = daemon("2GiB").unwrap();
        assert_eq!(
            (d.keep_raw, d.raw_snapshots),
            (Some(KeepRaw::Bytes(2 << 30)), true)
        );
        let d = daemon("180d").unwrap();
        assert_eq!(
            (d.keep_raw, d.raw_snapshots),
            (Some(KeepRaw::Age(Duration::from_secs(180 * 86400))), true)
        );
        let d = daemon("off").unwrap();
        assert_eq!((d.keep_raw, d.raw_snapshots), (None, false));
        assert_eq!(
            errors("[daemon]\nkeep_raw = \"forever\"\n"),
            vec!["c.toml:2: daemon.keep_raw: cannot parse \"forever\": give a size (\"2GiB\"), an age (\"180d\") or \"off\" (keep none)"]
        );
    }

    #[test]
    fn keep_raw_as_a_bare_number_is_refused_with_what_to_write() {
        let said = |v: &str| errors(&format!("[daemon]\nkeep_raw = {v}\n"));
        let zero = "c.toml:2: daemon.keep_raw: 0 could mean none or no limit: write `keep_raw = \"off\"` to keep no raw responses, or leave keep_raw out to keep them without a cap";
        assert_eq!(said("0"), [zero]);
        assert_eq!(said("\"0\""), [zero]);
        assert_eq!(
            said("2147483648"),
            ["c.toml:2: daemon.keep_raw: a bare number could be bytes or days: write the cap in quotes with its unit, `keep_raw = \"2GiB\"` for 2147483648 bytes"]
        );
        assert_eq!(
            said("180"),
            ["c.toml:2: daemon.keep_raw: a bare number could be bytes or days: write the cap in quotes with its unit, `keep_raw = \"180B\"` for 180 bytes, or `keep_raw = \"180d\"` for 180 days"]
        );
        assert_eq!(
            said("false"),
            ["c.toml:2: daemon.keep_raw: write `keep_raw = \"off\"` to keep no raw responses"]
        );
        assert_eq!(
            said("-1"),
            ["c.toml:2: daemon.keep_raw: must be a size or an age in quotes (`keep_raw = \"2GiB\"`, `keep_raw = \"180d\"`) or \"off\", not -1"]
        );
        // What the messages say to write is accepted.
        for (v, cap) in [
            ("\"2GiB\"", Some(KeepRaw::Bytes(2 << 30))),
            ("\"180B\"", Some(KeepRaw::Bytes(180))),
            (
                "\"180d\"",
                Some(KeepRaw::Age(Duration::from_secs(180 * 86400))),
            ),
            ("\"off\"", None),
        ] {
            let d = Config::parse(Path::new("c.toml"), &format!("[daemon]\nkeep_raw = {v}\n"))
                .unwrap()
                .daemon;
            assert_eq!(d.keep_raw, cap, "{v}");
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
            e.contains(&"c.toml:16: watch \"a\".name: duplicate watch name \"a\"".to_string()),
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
    fn inline_secrets_are_refused_and_others_are_not_read_when_loading() {
        let src = r#"
[[channel]]
name = "mail"
type = "email"
smtp_url = "smtps://mail.example.org"
from = "pw@example.org"
to = ["staff@example.org"]
password = "hunter2"

[[channel]]
name = "hook"
type = "webhook"
url = "https://example.org/hook"
secret_env = "PRESSWATCH_TEST_UNSET_VARIABLE"
"#;
        let e = errors(src);
        assert_eq!(
            e[0],
            "c.toml:8: channel \"mail\".password: secrets may not be written in the config; write `password_env = \"VAR\"` (an environment variable) or `password_file = \"path\"` in its place"
        );
        assert!(!e.iter().any(|l| l.contains("hunter2")));
        // The variable is read when the channel sends, not when the config loads.
        assert_eq!(e.len(), 1, "{e:#?}");
        let c = Config::parse(
            Path::new("/etc/presswatch/config.toml"),
            &src.replace(
                "password = \"hunter2\"",
                "password_file = \"$CREDENTIALS_DIRECTORY/smtp\"",
            ),
        )
        .unwrap();
        let ChannelKind::Email(mail) = &c.channels[0].kind else {
            panic!("email channel")
        };
        let password = mail.password.as_ref().unwrap();
        assert_eq!(password.key, "channel \"mail\".password_file");
        assert_eq!(
            password.source,
            SecretSource::Credential(PathBuf::from("smtp"))
        );
        assert_eq!(c.key_lines.get("channel \"mail\".password_file"), Some(&8));
        let ChannelKind::Webhook(hook) = &c.channels[1].kind else {
            panic!("webhook channel")
        };
        let unset = hook.secret.as_ref().unwrap().read().unwrap_err();
        assert!(matches!(unset, SecretError::Unavailable(_)), "{unset:?}");
        assert!(unset
            .message()
            .contains("PRESSWATCH_TEST_UNSET_VARIABLE is not set"));
    }

    #[test]
    fn a_secret_file_is_read_when_asked_and_a_missing_one_is_invalid() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("hook.key"), "s3cret\n").unwrap();
        let src = "[[channel]]\nname = \"hook\"\ntype = \"webhook\"\nurl = \"https://example.org/h\"\nsecret_file = \"hook.key\"\n\n[[channel]]\nname = \"other\"\ntype = \"webhook\"\nurl = \"https://example.org/o\"\nsecret_file = \"missing.key\"\n";
        let c = Config::parse(&dir.path().join("config.toml"), src).unwrap();
        let secret = |i: usize| match &c.channels[i].kind {
            ChannelKind::Webhook(w) => w.secret.clone().unwrap(),
            _ => panic!("webhook"),
        };
        assert_eq!(secret(0).read().unwrap().expose(), "s3cret");
        assert!(matches!(secret(1).read(), Err(SecretError::Invalid(_))));
        let both = errors("[[channel]]\nname = \"h\"\ntype = \"webhook\"\nurl = \"https://example.org/h\"\nsecret_env = \"X\"\nsecret_file = \"f\"\n");
        assert_eq!(
            both,
            vec!["c.toml:6: channel \"h\".secret_file: set either `channel \"h\".secret_env` or `channel \"h\".secret_file`, not both"]
        );
    }

    #[test]
    fn a_recipient_that_is_no_address_is_named() {
        let channel = |to: &str| {
            format!("[[channel]]\nname = \"m\"\ntype = \"email\"\nsmtp_url = \"smtp://mail.example.org:587\"\nfrom = \"a@example.org\"\nto = {to}\n")
        };
        assert_eq!(
            errors(&channel("[\"press@example.org\", \"director\"]")),
            vec!["c.toml:6: channel \"m\".to: \"director\" is not an email address, e.g. \"press@example.org\""]
        );
        assert_eq!(
            errors(&channel("[]")),
            vec![
                "c.toml:6: channel \"m\".to: an email channel needs a list of recipient addresses"
            ]
        );
        assert_eq!(
            errors(&channel("\"press@example.org\"")),
            vec!["c.toml:6: channel \"m\".to: this is a list: write it in brackets, to = [\"press@example.org\"]"]
        );
        assert_eq!(
            errors("[[watch]]\nname = \"a\"\nurl = \"https://example.org/a\"\nchannels = \"press\"\n"),
            vec!["c.toml:4: watch \"a\".channels: this is a list: write it in brackets, channels = [\"press\"]"]
        );
    }

    #[test]
    fn a_selector_typo_says_what_is_wrong_in_one_line() {
        let e = errors("[[watch]]\nname = \"a\"\nurl = \"https://example.org/a\"\nselector = \"div..article-body\"\n\n[[watch]]\nname = \"b\"\nurl = \"https://example.org/b\"\nselector = \"div.article-body p, \"\n");
        assert_eq!(
            e,
            vec![
                "c.toml:4: watch \"a\".selector: not a valid CSS selector: a `.` must be followed by a class name, e.g. `div.article-body`",
                "c.toml:9: watch \"b\".selector: not a valid CSS selector: part of it is empty (a comma with nothing after it, or `#` or `.` with no name?)",
            ]
        );
        for typo in ["div >", "a[", "div[[", "p:hover", "#", "}"] {
            let why = selector_problem(typo).expect(typo);
            assert!(
                !why.contains('\n') && !why.contains("report"),
                "{typo}: {why}"
            );
        }
        assert_eq!(
            selector_problem("div.article-body > p, a[href^=\"/news\"]"),
            None
        );
    }

    #[test]
    fn a_bare_number_as_a_duration_names_its_key_and_shows_an_example() {
        let e = errors("[daemon]\ninterval = 30\n\n[[watch]]\nname = \"a\"\nurl = \"https://example.org/a\"\ninterval = 15\n");
        assert_eq!(
            e,
            vec![
                "c.toml:2: daemon.interval: a duration needs a unit and quotes: write e.g. `interval = \"30m\"` for 30 minutes (units: s, m, h, d)",
                "c.toml:7: watch \"a\".interval: a duration needs a unit and quotes: write e.g. `interval = \"15m\"` for 15 minutes (units: s, m, h, d)",
            ]
        );
        // A size may be a plain byte count.
        let c = Config::parse(Path::new("c.toml"), "[daemon]\nmax_body = 1000000\n").unwrap();
        assert_eq!(c.daemon.max_body, 1_000_000);
    }

    #[test]
    fn a_watch_table_written_with_single_brackets_says_to_write_two() {
        assert_eq!(
            errors("[watch]\nname = \"a\"\nurl = \"https://example.org/a\"\n"),
            vec!["c.toml:1: watch: each watch is a table of its own: write [[watch]] (two brackets), not [watch]"]
        );
    }

    #[test]
    fn a_max_body_smaller_than_a_web_page_is_refused() {
        assert_eq!(
            errors("[daemon]\nmax_body = \"0\"\n"),
            vec!["c.toml:2: daemon.max_body: \"0\" is smaller than a web page (most run from 50 KiB to 2 MiB): write at least \"64KiB\", e.g. max_body = \"8MiB\""]
        );
        assert!(errors("[daemon]\nmax_body = \"64KiB\"\n").is_empty());
    }

    #[test]
    fn an_ignore_regex_that_does_not_parse_is_one_line_saying_where() {
        assert_eq!(
            errors("[[watch]]\nname = \"a\"\nurl = \"https://example.org/a\"\nignore = ['Updated (\\d+ minutes ago']\n"),
            ["c.toml:4: watch \"a\".ignore[0]: not a valid regex: unclosed group at character 9 ('('); a literal ( ) [ ] . * + ? \\ is written with a \\ before it, e.g. '\\(AP\\)'"]
        );
    }

    #[test]
    fn an_empty_user_agent_is_refused_with_the_default_and_an_example() {
        for ua in ["", "  "] {
            assert_eq!(
                errors(&format!("[daemon]\nuser_agent = \"{ua}\"\n")),
                [format!(
                    "c.toml:2: daemon.user_agent: is empty: sites would see no name, and many refuse such requests or \
                     answer with a bot check; leave user_agent out for the default ({:?}), or write a name with a way \
                     to reach you, e.g. user_agent = \"presswatch (press office of Example; press@example.org)\"",
                    default_user_agent()
                )]
            );
        }
    }

    #[test]
    fn a_time_zone_written_as_a_city_is_told_its_iana_name() {
        assert_eq!(
            errors("[daemon]\ntimezone = \"Tehran\"\n"),
            ["c.toml:2: daemon.timezone: unknown time zone \"Tehran\": write timezone = \"Asia/Tehran\" (an IANA name: area/city)"]
        );
        assert_eq!(
            errors("[daemon]\ntimezone = \"new york\"\n"),
            ["c.toml:2: daemon.timezone: unknown time zone \"new york\": write timezone = \"America/New_York\" (an IANA name: area/city)"]
        );
        assert_eq!(
            errors("[daemon]\ntimezone = \"europe/berlin\"\n"),
            ["c.toml:2: daemon.timezone: unknown time zone \"europe/berlin\": write timezone = \"Europe/Berlin\" (an IANA name: area/city)"]
        );
    }

    #[test]
    fn a_watch_written_without_its_header_is_told_to_write_it_not_sent_to_the_channels() {
        assert_eq!(
            errors("name = \"a\"\nurl = \"https://example.org/a\"\nkeywords = [\"Evin\"]\n"),
            vec![
                "c.toml:1: name: unknown key `name` at the top level: it belongs in [[watch]], [[channel]] or [[host]]: write its table's header above it",
                "c.toml:2: url: unknown key `url` at the top level: it belongs in [[watch]] or [[channel]]: write its table's header above it",
                "c.toml:3: keywords: unknown key `keywords` at the top level: it belongs in [[watch]]: write its table's header above it",
            ]
        );
    }

    #[test]
    fn unknown_keys_suggest_the_key_meant_or_the_table_it_belongs_in() {
        let e = errors("[deamon]\n\n[daemon]\nconcurency = 3\nkeywords = [\"x\"]\n\n[[watch]]\nname = \"a\"\nurl = \"https://example.org/a\"\nfolow = true\nper_host_delay = \"1s\"\nwhatever = 1\n");
        assert_eq!(
            e,
            vec![
                "c.toml:1: deamon: unknown key `deamon`: did you mean `daemon`?",
                "c.toml:4: daemon.concurency: unknown key `concurency`: did you mean `concurrency`?",
                "c.toml:5: daemon.keywords: unknown key `keywords` in [daemon]: it belongs in [[watch]]",
                "c.toml:10: watch \"a\".folow: unknown key `folow`: did you mean `follow`?",
                "c.toml:11: watch \"a\".per_host_delay: unknown key `per_host_delay` in [[watch]]: it belongs in [daemon]",
                "c.toml:12: watch \"a\".whatever: unknown key `whatever` (see the config reference in README.md)",
            ]
        );
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
            "no watch named \"iranwire-rasulof\" in c.toml: did you mean \"iranwire-rasoulof\"?"
        );
        assert_eq!(
            three.watch_named("bbc-persian").unwrap_err(),
            "no watch named \"bbc-persian\" in c.toml; its watches: iranwire-rasoulof, cnn, feed"
        );
        let names: Vec<String> = (0..12).map(|i| format!("story-{i:02}")).collect();
        let many = config(&names.iter().map(String::as_str).collect::<Vec<_>>());
        assert_eq!(
            many.watch_named("bbc-persian").unwrap_err(),
            "no watch named \"bbc-persian\" in c.toml (it has 12 watches: `presswatch status --config c.toml` lists them)"
        );
        assert_eq!(
            config(&[]).watch_named("a").unwrap_err(),
            "no watch named \"a\" in c.toml: it has no watches"
        );
    }

    #[test]
    fn a_bare_number_as_a_duration_is_read_in_the_unit_its_key_is_written_in() {
        let said = |key: &str, v: &str| errors(&format!("[daemon]\n{key} = {v}\n"));
        assert_eq!(
            said("interval", "1"),
            ["c.toml:2: daemon.interval: a duration needs a unit and quotes: write e.g. `interval = \"1m\"` for 1 minute (units: s, m, h, d)"]
        );
        assert_eq!(
            said("timeout", "20"),
            ["c.toml:2: daemon.timeout: a duration needs a unit and quotes: write e.g. `timeout = \"20s\"` for 20 seconds (units: s, m, h, d)"]
        );
        assert_eq!(
            said("per_host_delay", "2"),
            ["c.toml:2: daemon.per_host_delay: a duration needs a unit and quotes: write e.g. `per_host_delay = \"2s\"` for 2 seconds (units: s, m, h, d)"]
        );
        // No example that would be refused in its turn.
        assert_eq!(
            said("timeout", "-5"),
            ["c.toml:2: daemon.timeout: must be a duration in quotes, e.g. `timeout = \"30s\"`, not -5"]
        );
        assert_eq!(
            said("interval", "1.5"),
            ["c.toml:2: daemon.interval: must be a duration in quotes, e.g. `interval = \"30m\"`, not 1.5"]
        );
    }

    #[test]
    fn a_number_or_truth_value_in_quotes_says_to_write_it_without() {
        let watch = |line: &str| {
            errors(&format!(
                "[[watch]]\nname = \"a\"\nurl = \"https://n.example/a\"\n{line}\n"
            ))
        };
        assert_eq!(
            watch("min_change = \"3\""),
            ["c.toml:4: watch \"a\".min_change: a number takes no quotes: write min_change = 3"]
        );
        assert_eq!(
            watch("follow = \"true\""),
            ["c.toml:4: watch \"a\".follow: true and false take no quotes: write follow = true"]
        );
        // A word that is no number is not turned into one.
        assert_eq!(
            watch("min_change = \"three\""),
            ["c.toml:4: watch \"a\".min_change: invalid type: string \"three\", expected a whole number: write a whole number without quotes, e.g. min_change = 3"]
        );
    }

    /// The config reference in README.md: the first TOML block of its
    /// "Configuration" section.
    fn readme_config_reference() -> &'static str {
        let readme = include_str!("../README.md");
        let section = &readme[readme
            .find("\n## Configuration\n")
            .expect("a Configuration section")..];
        let start = section.find("```toml\n").expect("a TOML block") + "```toml\n".len();
        &section[start..start + section[start..].find("```").expect("its end")]
    }

    #[test]
    fn the_readme_config_reference_is_a_valid_config_that_names_every_key_in_its_table() {
        let reference = readme_config_reference();
        assert_eq!(errors(reference), Vec::<String>::new());
        // Each table's lines, commented-out keys and comments among them.
        let mut tables: Vec<(&str, String)> = Vec::new();
        for line in reference.lines() {
            let header = line.split('#').next().unwrap().trim();
            if let Some(t) = header.strip_prefix("[[").and_then(|h| h.strip_suffix("]]")) {
                tables.push((t, String::new()));
            } else if let Some(t) = header.strip_prefix('[').and_then(|h| h.strip_suffix(']')) {
                tables.push((t, String::new()));
            } else if let Some((_, text)) = tables.last_mut() {
                text.push_str(line);
                text.push('\n');
            }
        }
        // Secrets written in the config are refused: the reference shows
        // their `_env` and `_file` forms.
        let refused = ["password", "secret", "state_password"];
        for (table, keys) in known_keys().into_iter().filter(|(t, _)| !t.is_empty()) {
            let shown: String = tables
                .iter()
                .filter(|(t, _)| *t == table)
                .map(|(_, text)| text.as_str())
                .collect();
            let word = |c: char| c.is_ascii_alphanumeric() || c == '_';
            for key in keys.iter().filter(|k| !refused.contains(k)) {
                assert!(
                    shown.match_indices(key).any(|(i, _)| {
                        !shown[..i].ends_with(word) && !shown[i + key.len()..].starts_with(word)
                    }),
                    "README's config reference does not name `{key}` in {}",
                    table_header(table)
                );
            }
        }
    }

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
        let latin1 = dir.path().join("latin1.toml");
        std::fs::write(&latin1, b"[[watch]]\nname = \"caf\xe9\"\n").unwrap();
        assert_eq!(
            load(&latin1),
            format!(
                "{}: cannot read config file: it is not UTF-8 text: save it as UTF-8 (a TOML file is UTF-8)",
                latin1.display()
            )
        );
    }

    #[test]
    fn a_url_written_wrong_says_what_is_wrong_and_what_to_write() {
        let url = |u: &str| errors(&format!("[[watch]]\nname = \"w\"\nurl = \"{u}\"\n"));
        assert_eq!(
            url(""),
            ["c.toml:3: watch \"w\".url: the URL is empty: write the address, e.g. \"https://news.example.org/2024/05/story\""]
        );
        assert_eq!(
            url("htps://iranwire.example/en/news/1"),
            ["c.toml:3: watch \"w\".url: URL scheme \"htps\" is mistyped (http or https): write \"https://iranwire.example/en/news/1\""]
        );
        assert_eq!(
            url("https://iran wire.example/en/news/1"),
            ["c.toml:3: watch \"w\".url: not a valid URL: it holds a space; copy the address from the browser's address bar"]
        );
        assert_eq!(
            url("ftp://iranwire.example/en/news/1"),
            ["c.toml:3: watch \"w\".url: URL scheme must be http or https, not \"ftp\": presswatch fetches web pages and feeds"]
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
            "no watch named \"رسول\u{200c}اف-آوای-ایران\" in c.toml: did you mean \"رسولاف-آوای-ایران\"?"
        );
    }

    #[test]
    fn a_channel_a_watch_names_that_is_not_there_is_told_the_one_meant() {
        let with = |channels: &str| {
            errors(&format!(
                "{channels}[[watch]]\nname = \"a\"\nurl = \"https://example.org/a\"\nchannels = [\"press_office\"]\n"
            ))
        };
        let hook = |name: &str| {
            format!("[[channel]]\nname = \"{name}\"\ntype = \"webhook\"\nurl = \"https://hooks.example.org/x\"\n\n")
        };
        assert_eq!(
            with(&hook("press-office")),
            ["c.toml:9: watch \"a\".channels: no channel named \"press_office\" is defined: did you mean \"press-office\"?"]
        );
        assert_eq!(
            with(&hook("newsroom")),
            ["c.toml:9: watch \"a\".channels: no channel named \"press_office\" is defined; its channels: \"newsroom\""]
        );
        assert_eq!(
            with(""),
            ["c.toml:4: watch \"a\".channels: no channel named \"press_office\" is defined: the config has no [[channel]] (without one, alerts go to stdout and the log)"]
        );
    }

    #[test]
    fn a_name_a_watch_may_not_have_is_shown_as_written_with_the_characters_to_drop_and_the_name_to_write(
    ) {
        let name = |n: &str| {
            errors(&format!(
                "[[watch]]\nname = \"{n}\"\nurl = \"https://n.example/a\"\n"
            ))
        };
        // A Persian name typed with a right-to-left mark, which shows
        // nothing: the label shows the name as it reads (no `\u{200f}`),
        // and says which character to drop.
        assert_eq!(
            name("رسول\u{200c}اف-آوای-ایران\u{200f}"),
            ["c.toml:2: watch \"رسول\u{200c}اف-آوای-ایران\u{200f}\".name: it holds an invisible character (U+200F): a name may hold only letters (with their marks and joiners), digits, '-', '_' and '.', and start with a letter, a digit, '-' or '_' (it names the baseline file and the watch in commands); write name = \"رسول\u{200c}اف-آوای-ایران\""]
        );
        assert_eq!(
            name("cnn / rasoulof"),
            ["c.toml:2: watch \"cnn / rasoulof\".name: it holds a space and '/': a name may hold only letters (with their marks and joiners), digits, '-', '_' and '.', and start with a letter, a digit, '-' or '_' (it names the baseline file and the watch in commands); write name = \"cnn-rasoulof\""]
        );
        assert_eq!(
            name(".cnn"),
            ["c.toml:2: watch \".cnn\".name: it does not start with a letter, a digit, '-' or '_': a name may hold only letters (with their marks and joiners), digits, '-', '_' and '.', and start with a letter, a digit, '-' or '_' (it names the baseline file and the watch in commands); write name = \"cnn\""]
        );
        // Persian and Arabic words as they are spelt, with their
        // zero-width non-joiner and vowel marks, are names.
        for spelt in ["رسول\u{200c}اف-آوای-ایران", "رسولاف-آوای-ایران", "مُراسَلون"]
        {
            assert!(
                !errors(&format!(
                    "[[watch]]\nname = \"{spelt}\"\nurl = \"https://n.example/a\"\n"
                ))
                .iter()
                .any(|e| e.contains(".name")),
                "{spelt}"
            );
        }
    }

    #[test]
    fn a_watch_is_named_by_its_name_and_by_its_place_only_when_it_has_none() {
        let src = r#"[daemon]
interval = "1h"

[[watch]]
name = "evin-prison-report"

[[watch]]
url = "https://n.example/b"

[[watch]]
name = "زندان-اوین"
url = "https://n.example/c"
interval = "often"
"#;
        assert_eq!(
            errors(src),
            [
                "c.toml:4: watch \"evin-prison-report\".url: missing url: write the address to watch, e.g. url = \"https://news.example.org/2024/05/story\"",
                "c.toml:7: watch[1].name: missing name: give the watch a name of its own, e.g. name = \"iranwire-rasoulof\" (it names the baseline file and the watch in commands)",
                "c.toml:13: watch \"زندان-اوین\".interval: cannot parse duration \"often\"; write e.g. \"30s\", \"15m\", \"1h30m\"",
            ]
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
    fn a_type_error_names_its_key() {
        let e = errors("[daemon]\nconcurrency = \"16\"\n");
        assert_eq!(
            e,
            vec!["c.toml:2: daemon.concurrency: a number takes no quotes: write concurrency = 16"]
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
    fn politeness_hosts_listen_and_robots() {
        let c = Config::parse(
            Path::new("c.toml"),
            "[daemon]\nper_host_delay = \"5s\"\nlisten = \"9184\"\n\n[[host]]\nname = \"Intra.example.org\"\ndelay = \"0s\"\nconcurrency = 8\n\n[[watch]]\nname = \"a\"\nurl = \"https://example.org/a\"\nrobots = false\n",
        )
        .unwrap();
        let p = &c.daemon.politeness;
        assert_eq!(p.for_host("intra.example.org"), (Duration::ZERO, 8));
        assert_eq!(p.for_host("example.org"), (Duration::from_secs(5), 1));
        assert_eq!(c.daemon.listen, Some("127.0.0.1:9184".parse().unwrap()));
        assert!(!c.watches[0].robots);
        let e = errors("[daemon]\nlisten = \"everywhere\"\n\n[[host]]\nname = \"https://x.org/\"\n\n[[host]]\nname = \"y.org\"\nconcurrency = 0\n");
        assert!(
            e.iter()
                .any(|l| l.starts_with("c.toml:2: daemon.listen: cannot parse")),
            "{e:#?}"
        );
        assert!(
            e.iter()
                .any(|l| l.starts_with("c.toml:5: host[0].name: must be a bare host name")),
            "{e:#?}"
        );
        assert!(
            e.iter()
                .any(|l| l.starts_with("c.toml:9: host[1].concurrency: must be at least 1")),
            "{e:#?}"
        );
    }

    #[test]
    fn syntax_error_names_the_line() {
        let e = errors("[[watch]]\nname = \"a\nurl = 1\n");
        assert_eq!(e.len(), 1);
        assert!(e[0].starts_with("c.toml:2: not valid TOML"), "{e:?}");
    }

    #[test]
    fn every_syntax_error_is_reported_at_once_each_on_its_line() {
        let e = errors("[[watch]]\nname = \"a\"\nurl = https://n.example/a\n\n[[watch]]\nname = \"b\"\nurl = \"https://n.example/b\"\ninterval = 30 m\n");
        assert_eq!(e.len(), 2, "{e:#?}");
        assert!(e[0].starts_with("c.toml:3: not valid TOML"), "{e:?}");
        assert!(e[1].starts_with("c.toml:8: not valid TOML"), "{e:?}");
    }

    #[test]
    fn a_channel_takes_the_kinds_it_lists_and_unknown_kinds_are_errors() {
        let src = r#"
[[channel]]
name = "ops"
type = "webhook"
url = "https://hooks.example.org/ops"
kinds = ["error", "recovered"]

[[channel]]
name = "press"
type = "webhook"
url = "https://hooks.example.org/press"
"#;
        let c = Config::parse(Path::new("c.toml"), src).unwrap();
        assert!(c.channels[0].takes(ChangeKind::Error));
        assert!(!c.channels[0].takes(ChangeKind::Edited));
        assert!(!c.channels[0].takes(ChangeKind::PossiblyEdited));
        assert!(c.channels[1].takes(ChangeKind::Edited));
        // The safety net's possible edits go where edits go, and can be
        // routed on their own (they were dropped by every `kinds` list).
        let press = |kinds: &str| {
            let src = format!(
                "[[channel]]\nname = \"p\"\ntype = \"webhook\"\nurl = \"https://example.org/p\"\nkinds = {kinds}\n"
            );
            Config::parse(Path::new("c.toml"), &src).unwrap().channels[0].clone()
        };
        assert!(press(r#"["edited", "taken_down"]"#).takes(ChangeKind::PossiblyEdited));
        assert!(press(r#"["possibly_edited"]"#).takes(ChangeKind::PossiblyEdited));
        assert!(!press(r#"["possibly_edited"]"#).takes(ChangeKind::Edited));
        // Retitled items go where changed headlines go, and on their own.
        assert!(press(r#"["headline_changed"]"#).takes(ChangeKind::Retitled));
        assert!(press(r#"["retitled"]"#).takes(ChangeKind::Retitled));
        assert!(!press(r#"["retitled"]"#).takes(ChangeKind::HeadlineChanged));
        assert!(!press(r#"["new_items"]"#).takes(ChangeKind::Retitled));
        let e = errors(
            "[[channel]]\nname = \"h\"\ntype = \"webhook\"\nurl = \"https://example.org/h\"\nkinds = [\"error\", \"eror\"]\n\n[[channel]]\nname = \"g\"\ntype = \"webhook\"\nurl = \"https://example.org/g\"\nkinds = []\n",
        );
        assert_eq!(e.len(), 2, "{e:#?}");
        assert!(
            e[0].starts_with(
                "c.toml:5: channel \"h\".kinds: unknown alert kind \"eror\"; use edited,"
            ),
            "{e:#?}"
        );
        assert!(
            e[1].starts_with("c.toml:11: channel \"g\".kinds: an empty list routes no alert"),
            "{e:#?}"
        );
    }

    #[test]
    fn a_channel_is_named_in_messages_as_the_user_knows_it() {
        // By its name; unnamed, by its type and where it sends (a
        // webhook's host, not its URL, which may hold a token); else by
        // its place.
        let e = errors(
            "[[channel]]\nname = \"press\"\ntype = \"email\"\nsmtp_url = \"smtps://mail.example.org:465\"\nfrom = \"a@example.org\"\nto = [\"desk\"]\n\n[[channel]]\ntype = \"webhook\"\nurl = \"https://hooks.example.org/services/T000/SECRET\"\nformat = \"slak\"\n\n[[channel]]\ntype = \"email\"\nsmtp_url = \"smtps://mail.example.org:465\"\nfrom = \"a@example.org\"\nto = [\"editor@example.org\"]\ndigets = \"daily 08:00\"\n\n[[channel]]\nnam = \"x\"\n",
        );
        assert_eq!(
            e,
            vec![
                "c.toml:6: channel \"press\".to: \"desk\" is not an email address, e.g. \"press@example.org\"",
                "c.toml:8: webhook channel to \"hooks.example.org\".name: missing name: give the channel a name watches can refer to, e.g. name = \"press\"",
                "c.toml:11: webhook channel to \"hooks.example.org\".format: unknown format \"slak\"; use json, slack, discord or teams",
                "c.toml:13: email channel to \"editor@example.org\".name: missing name: give the channel a name watches can refer to, e.g. name = \"press\"",
                "c.toml:18: email channel to \"editor@example.org\".digets: unknown key `digets`: did you mean `digest`?",
                "c.toml:20: channel[3].name: missing name: give the channel a name watches can refer to, e.g. name = \"press\"",
                "c.toml:20: channel[3].type: missing type: write type = \"email\" or type = \"webhook\"",
                "c.toml:21: channel[3].nam: unknown key `nam`: did you mean `name`?",
            ],
            "{e:#?}"
        );
        assert!(!e.iter().any(|l| l.contains("SECRET")));
    }

    #[test]
    fn digest_schedules_and_time_zone() {
        let src = r#"
[daemon]
timezone = "Europe/Berlin"

[[channel]]
name = "mail"
type = "email"
smtp_url = "smtp://127.0.0.1:2525"
tls = "none"
from = "pw@example.org"
to = ["staff@example.org"]
digest = "daily 08:00"
"#;
        let c = Config::parse(Path::new("c.toml"), src).unwrap();
        assert_eq!(c.daemon.timezone, chrono_tz::Europe::Berlin);
        assert_eq!(
            c.channels[0].digest,
            DigestSchedule::Daily { hour: 8, minute: 0 }
        );
        assert_eq!(DigestSchedule::parse("hourly"), Ok(DigestSchedule::Hourly));
        assert_eq!(DigestSchedule::parse("off"), Ok(DigestSchedule::Off));
        for bad in ["daily 25:00", "daily 8", "daily 08:7", "weekly", ""] {
            assert!(DigestSchedule::parse(bad).is_err(), "{bad}");
        }
        let e = errors(
            "[daemon]\ntimezone = \"Mars/Olympus\"\n[[channel]]\nname = \"h\"\ntype = \"webhook\"\nurl = \"https://example.org/h\"\ndigest = \"hourly\"\n",
        );
        assert!(
            e[0].starts_with("c.toml:2: daemon.timezone: unknown time zone"),
            "{e:?}"
        );
        assert!(
            e[1].starts_with("c.toml:7: channel \"h\".digest: digests are for email channels"),
            "{e:?}"
        );
    }

    #[test]
    fn secret_debug_is_redacted() {
        assert_eq!(
            format!("{:?}", Secret::new("hunter2".into())),
            "Secret(***)"
        );
    }
}
