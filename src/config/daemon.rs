//! The `[daemon]` settings and the `[[host]]` rules: intervals, limits,
//! raw-response retention, state, politeness, listen address, User-Agent.

use std::path::{Path, PathBuf};
use std::time::Duration;

use toml::Spanned;
use url::Url;

use super::problems::Report;
use super::secret::{secret_ref, SecretRef};
use super::value::{
    duration_field, parse_duration, parse_size, positive, report_base, resolve, timezone,
};
use super::{RawDaemon, RawHost, MIN_INTERVAL};

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

impl DaemonSettings {
    /// Whether every fetch goes out as under `other`: the same timeout,
    /// body limit, User-Agent and redirect limit. A reload that changes one
    /// may cure (or cause) a failing watch's failures.
    pub fn fetches_as(&self, other: &DaemonSettings) -> bool {
        self.timeout == other.timeout
            && self.max_body == other.max_body
            && self.user_agent == other.user_agent
            && self.max_redirects == other.max_redirects
    }

    /// Whether every watch is checked as under `other` as far as `[daemon]`
    /// goes: fetched alike ([`DaemonSettings::fetches_as`]), failing after
    /// as many errors, keeping as many versions. A reload that changes one
    /// of these changes every watch.
    pub fn checks_watches_as(&self, other: &DaemonSettings) -> bool {
        self.fetches_as(other)
            && self.failure_threshold == other.failure_threshold
            && self.keep_versions == other.keep_versions
    }

    /// The settings that differ in `other`, named as the config writes
    /// them (`daemon.report_url`, `[[host]]`), each once, in the order of
    /// this type's fields: what a reload log line names.
    pub fn changed_keys(&self, other: &DaemonSettings) -> Vec<&'static str> {
        // Destructured, so that a new setting cannot be left out here.
        let DaemonSettings {
            interval,
            concurrency,
            timeout,
            max_body,
            user_agent,
            baseline_dir,
            state_dir,
            state_url,
            state_password,
            lease,
            failure_threshold,
            keep_versions,
            max_redirects,
            timezone,
            politeness,
            listen,
            keep_raw,
            raw_snapshots,
            report_url,
        } = self;
        let Politeness {
            delay,
            concurrency: per_host,
            hosts,
        } = politeness;
        let differs = [
            (*interval != other.interval, "daemon.interval"),
            (*concurrency != other.concurrency, "daemon.concurrency"),
            (*timeout != other.timeout, "daemon.timeout"),
            (*max_body != other.max_body, "daemon.max_body"),
            (*user_agent != other.user_agent, "daemon.user_agent"),
            (*baseline_dir != other.baseline_dir, "daemon.baseline_dir"),
            (*state_dir != other.state_dir, "daemon.state_dir"),
            (*state_url != other.state_url, "daemon.state_url"),
            (
                *state_password != other.state_password,
                "daemon.state_password",
            ),
            (*lease != other.lease, "daemon.lease"),
            (
                *failure_threshold != other.failure_threshold,
                "daemon.failure_threshold",
            ),
            (
                *keep_versions != other.keep_versions,
                "daemon.keep_versions",
            ),
            (
                *max_redirects != other.max_redirects,
                "daemon.max_redirects",
            ),
            (*timezone != other.timezone, "daemon.timezone"),
            (*delay != other.politeness.delay, "daemon.per_host_delay"),
            (
                *per_host != other.politeness.concurrency,
                "daemon.per_host_concurrency",
            ),
            (*hosts != other.politeness.hosts, "[[host]]"),
            (*listen != other.listen, "daemon.listen"),
            (
                *keep_raw != other.keep_raw || *raw_snapshots != other.raw_snapshots,
                "daemon.keep_raw",
            ),
            (*report_url != other.report_url, "daemon.report_url"),
        ];
        differs
            .into_iter()
            .filter(|(d, _)| *d)
            .map(|(_, k)| k)
            .collect()
    }
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

/// The shortest `timeout` accepted: below it, no fetch of a page, nor of a
/// robots.txt, could finish.
const MIN_TIMEOUT: Duration = Duration::from_secs(1);

/// `state_dir` or `baseline_dir` (`name`): the path written, resolved
/// against the config file's directory, `default` when left out. An empty
/// path is refused: it would be the config's own directory, holding the
/// database or baseline files beside the config unasked.
fn directory(
    r: &mut Report<'_>,
    written: &Option<Spanned<String>>,
    name: &str,
    default: &str,
    base: &Path,
) -> PathBuf {
    let Some(w) = written else {
        return resolve(base, default);
    };
    if w.get_ref().trim().is_empty() {
        r.at(
            Some(w.span()),
            format!("daemon.{name}"),
            format!(
                "is empty: write the directory, e.g. {name} = \"/var/lib/presswatch/{default}\" \
                 (a relative path is taken from the config file's directory), or leave {name} out \
                 for \"{default}\" beside the config"
            ),
        );
        return resolve(base, default);
    }
    resolve(base, w.get_ref())
}

/// The smallest `max_body` accepted: below it, every page would be cut off.
const MIN_MAX_BODY: u64 = 64 << 10;

pub(super) fn daemon_settings(r: &mut Report<'_>, d: RawDaemon, base: &Path) -> DaemonSettings {
    let (keep_raw, raw_snapshots) = keep_raw_field(r, &d.keep_raw);
    fleet_without_a_database(r, &d);
    let max_body = match d.max_body.as_ref().map(|v| (v.get_ref(), v.span())) {
        None => 8 << 20,
        // A number of bytes; a negative one is no size (cast as it was, it
        // read as 16 EiB: no cap at all).
        Some((toml::Value::Integer(n), _)) if *n >= MIN_MAX_BODY as i64 => *n as u64,
        Some((toml::Value::Integer(n), span)) => {
            r.at(
                Some(span),
                "daemon.max_body",
                format!("{n} bytes is smaller than a web page (most run from 50 KiB to 2 MiB): write at least \"64KiB\" (65536), e.g. max_body = \"8MiB\""),
            );
            8 << 20
        }
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
        timeout: {
            let timeout = duration_field(r, &d.timeout, "daemon.timeout", Duration::from_secs(30));
            if timeout < MIN_TIMEOUT {
                if let Some(t) = &d.timeout {
                    r.at(
                        Some(t.span()),
                        "daemon.timeout",
                        "must be at least 1s: it is how long one whole fetch of a page may take \
                         (connecting, TLS, the answer), and a shorter one fails every check; \
                         leave it out for the default, timeout = \"30s\"",
                    );
                }
            }
            timeout
        },
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
        baseline_dir: directory(r, &d.baseline_dir, "baseline_dir", "baseline", base),
        state_dir: directory(r, &d.state_dir, "state_dir", "state", base),
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

/// The settings of a fleet sharing a PostgreSQL state (`lease`, the
/// database's password) in a config that names no such database
/// (`state_url`): with the SQLite state in `state_dir` they do nothing, and
/// were meant for a config that sets `state_url`, or are left over from one.
fn fleet_without_a_database(r: &mut Report<'_>, d: &RawDaemon) {
    if d.state_url.is_some() {
        return;
    }
    let set = [
        ("lease", d.lease.as_ref().map(Spanned::span)),
        (
            "state_password",
            d.state_password.as_ref().map(Spanned::span),
        ),
        (
            "state_password_env",
            d.state_password_env.as_ref().map(Spanned::span),
        ),
        (
            "state_password_file",
            d.state_password_file.as_ref().map(Spanned::span),
        ),
    ];
    for (key, span) in set {
        let Some(span) = span else { continue };
        r.at(
            Some(span),
            format!("daemon.{key}"),
            format!(
                "is a setting of a fleet sharing a PostgreSQL state, and this config sets no daemon.state_url: \
                 the state is the SQLite database in state_dir, which {key} does nothing for; remove {key}, \
                 or set state_url (e.g. state_url = \"postgres://presswatch@db.example.org:5432/presswatch?sslmode=require\") \
                 to run replicas as a fleet (docs/OPERATIONS.md, \"Running a fleet\")"
            ),
        );
    }
}

/// Checks `daemon.state_url`: a `postgres://` URL without a password (the
/// password goes in `state_password_env` or `state_password_file`).
pub(super) fn state_url(url: &str) -> Result<String, String> {
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

/// Parses `listen`: `ip:port`, or a bare port or `localhost:port` meaning
/// 127.0.0.1 (no other name is looked up: the address is the config's).
fn listen_addr(s: &str) -> Result<std::net::SocketAddr, String> {
    let s = s.trim();
    let loopback = s
        .strip_prefix("localhost:")
        .unwrap_or(s)
        .parse::<u16>()
        .ok();
    if let Some(port) = loopback {
        return Ok(std::net::SocketAddr::from(([127, 0, 0, 1], port)));
    }
    s.parse().map_err(|_| {
        format!("cannot parse {s:?} as an address; write e.g. \"127.0.0.1:9184\" or \"9184\"")
    })
}

/// The `[[host]]` tables: per-host delay and concurrency, defaulting to the `[daemon]` ones.
pub(super) fn host_rules(
    r: &mut Report<'_>,
    raw: Vec<Spanned<RawHost>>,
    defaults: &Politeness,
) -> Vec<HostRule> {
    let mut out: Vec<HostRule> = Vec::new();
    for (i, h) in raw.into_iter().enumerate() {
        let table = h.span();
        let h = h.into_inner();
        // The delay and concurrency are checked whatever is wrong with the
        // name, so that one pass of `validate` finds every problem.
        let delay = duration_field(r, &h.delay, &format!("host[{i}].delay"), defaults.delay);
        let concurrency = positive(
            r,
            &h.concurrency,
            &format!("host[{i}].concurrency"),
            defaults.concurrency as i64,
            1,
        ) as usize;
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
            delay,
            concurrency,
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::tests::errors;
    use crate::config::Config;

    /// A fleet's settings in a config with no fleet database: each named,
    /// with what to do; with `state_url` they are what they say.
    #[test]
    fn fleet_settings_without_state_url_are_refused() {
        let watch = "[[watch]]\nname = \"a\"\nurl = \"https://example.org/a\"\n";
        let e = errors(&format!(
            "[daemon]\nlease = \"30s\"\nstate_password_env = \"PGPASSWORD\"\n\n{watch}"
        ));
        assert_eq!(e.len(), 2, "{e:#?}");
        assert!(
            e[0].starts_with("c.toml:2: daemon.lease: is a setting of a fleet sharing a PostgreSQL state, and this config sets no daemon.state_url")
                && e[0].contains("remove lease, or set state_url (e.g. state_url = \"postgres://"),
            "{e:#?}"
        );
        assert!(
            e[1].starts_with("c.toml:3: daemon.state_password_env: is a setting of a fleet"),
            "{e:#?}"
        );
        assert_eq!(
            errors(&format!(
                "[daemon]\nstate_url = \"postgres://pw@db.example.org/pw\"\nstate_password_env = \"PGPASSWORD\"\nlease = \"10s\"\n\n{watch}"
            )),
            Vec::<String>::new()
        );
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
    fn a_max_body_smaller_than_a_web_page_is_refused() {
        assert_eq!(
            errors("[daemon]\nmax_body = \"0\"\n"),
            vec!["c.toml:2: daemon.max_body: \"0\" is smaller than a web page (most run from 50 KiB to 2 MiB): write at least \"64KiB\", e.g. max_body = \"8MiB\""]
        );
        assert!(errors("[daemon]\nmax_body = \"64KiB\"\n").is_empty());
    }

    /// A size may be a number of bytes (the README says so): one too small
    /// says so, as the same size in quotes does, not "must be a size"; a
    /// negative one was taken as 16 EiB, no cap at all, without a word.
    #[test]
    fn a_max_body_in_bytes_too_small_or_negative_is_refused_saying_why() {
        for n in ["1000", "-1", "0"] {
            assert_eq!(
                errors(&format!("[daemon]\nmax_body = {n}\n")),
                vec![format!("c.toml:2: daemon.max_body: {n} bytes is smaller than a web page (most run from 50 KiB to 2 MiB): write at least \"64KiB\" (65536), e.g. max_body = \"8MiB\"")],
            );
        }
        let d = Config::parse(Path::new("c.toml"), "[daemon]\nmax_body = 65536\n")
            .unwrap()
            .daemon;
        assert_eq!(d.max_body, 65536);
        // A value of another type still says what to write.
        assert_eq!(
            errors("[daemon]\nmax_body = true\n"),
            vec!["c.toml:2: daemon.max_body: must be a size such as `max_body = \"8MiB\"`"]
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
        assert_eq!(
            listen_addr("localhost:9184"),
            Ok("127.0.0.1:9184".parse().unwrap())
        );
        assert_eq!(listen_addr("[::1]:9184"), Ok("[::1]:9184".parse().unwrap()));
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
    fn a_timeout_under_a_second_and_an_empty_directory_are_refused() {
        for t in ["0s", "1ms", "999ms"] {
            assert_eq!(
                errors(&format!("[daemon]\ntimeout = \"{t}\"\n")),
                vec!["c.toml:2: daemon.timeout: must be at least 1s: it is how long one whole fetch of a page may take (connecting, TLS, the answer), and a shorter one fails every check; leave it out for the default, timeout = \"30s\""]
            );
        }
        let c = Config::parse(Path::new("c.toml"), "[daemon]\ntimeout = \"1s\"\n").unwrap();
        assert_eq!(c.daemon.timeout, Duration::from_secs(1));
        assert_eq!(
            errors("[daemon]\nstate_dir = \"\"\nbaseline_dir = \" \"\n"),
            vec![
                "c.toml:2: daemon.state_dir: is empty: write the directory, e.g. state_dir = \"/var/lib/presswatch/state\" (a relative path is taken from the config file's directory), or leave state_dir out for \"state\" beside the config",
                "c.toml:3: daemon.baseline_dir: is empty: write the directory, e.g. baseline_dir = \"/var/lib/presswatch/baseline\" (a relative path is taken from the config file's directory), or leave baseline_dir out for \"baseline\" beside the config",
            ]
        );
    }

    #[test]
    fn a_host_whose_name_is_wrong_still_has_its_delay_and_concurrency_checked() {
        // One pass of `validate` finds every problem.
        for name in ["name = \"https://example.org/\"", "# no name"] {
            let e = errors(&format!(
                "[[host]]\n{name}\ndelay = \"fast\"\nconcurrency = 0\n"
            ));
            assert_eq!(e.len(), 3, "{e:#?}");
            assert!(e[0].contains("host[0].name: "), "{e:#?}");
            assert!(
                e[1].starts_with("c.toml:3: host[0].delay: cannot parse duration \"fast\""),
                "{e:#?}"
            );
            assert!(
                e[2].starts_with("c.toml:4: host[0].concurrency: must be at least 1"),
                "{e:#?}"
            );
        }
    }
}
