//! Values as written in the config: durations, sizes, paths, time zones and
//! URLs, each refused with what to write instead.

use std::path::{Path, PathBuf};
use std::time::Duration;

use toml::Spanned;
use url::Url;

use super::problems::{closest, Report};

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
    // The unit of the last number read, in seconds (0: none yet).
    let mut last_unit = 0;
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
            // After a unit, the number left bare is of the next smaller
            // one, as a clock reads it: "1h30" is 1h30m.
            "" => {
                return Err(match smaller_unit(last_unit) {
                    Some(u) => format!(
                    "missing unit after {n} in duration {s:?}; write \"{s}{u}\" if {n}{u} is meant"
                ),
                    None => {
                        format!("missing unit in duration {s:?}; write e.g. \"{n}s\" or \"{n}m\"")
                    }
                })
            }
            other => {
                return Err(format!(
                    "unknown unit {other:?} in duration {s:?}; use ms, s, m, h or d"
                ))
            }
        };
        total = total.saturating_add(Duration::from_secs(n.saturating_mul(secs)));
        last_unit = secs;
        rest = rest[unit_end..].trim_start();
    }
    if total > MAX_DURATION {
        return Err(format!(
            "duration {s:?} is longer than 100 years (36500d), the longest accepted"
        ));
    }
    Ok(total)
}

/// The unit a bare number after one of `secs` seconds reads as: `1h30` is
/// 1h30m, `2d12` 2d12h, `5m30` 5m30s.
fn smaller_unit(secs: u64) -> Option<&'static str> {
    match secs {
        86400 => Some("h"),
        3600 => Some("m"),
        60 => Some("s"),
        _ => None,
    }
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

/// A path from the config: absolute, or relative to the config file's
/// directory (`base`, absolute), and then without its `.` components
/// (`./state` beside `/etc/presswatch/config.toml` is
/// `/etc/presswatch/state`). Symbolic links and `..` are left as written:
/// nothing on disk is read.
pub(super) fn resolve(base: &Path, p: &str) -> PathBuf {
    let path = PathBuf::from(p);
    let path = if path.is_absolute() {
        path
    } else {
        base.join(path)
    };
    std::path::absolute(&path).unwrap_or(path)
}

/// A duration key: a string such as "30m". A bare number is refused with
/// the key and an example, since its unit would be a guess: the example
/// reads it in minutes for an interval, in seconds for a timeout, a delay
/// or a lease, as those are usually written.
pub(super) fn duration_field(
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
        toml::Value::Integer(n) if *n > 0 => {
            let count = usize::try_from(*n).unwrap_or(usize::MAX);
            let write = |unit: &str, one: &str, many: &str| {
                format!(
                    "`{name} = \"{n}{unit}\"` for {}",
                    crate::text::plural(count, one, many)
                )
            };
            // An interval of 60 or more is as likely written in seconds
            // (3600: an hour) as in minutes: both are shown.
            let ways = match name == "interval" && *n >= 60 {
                true => format!(
                    "{}, or {}",
                    write("s", "second", "seconds"),
                    write(unit, one, many)
                ),
                false => write(unit, one, many),
            };
            format!("a duration needs a unit and quotes: write e.g. {ways} (units: s, m, h, d)")
        }
        other => {
            format!("must be a duration in quotes, e.g. `{name} = \"{example}\"`, not {other}")
        }
    };
    r.at(Some(v.span()), key, problem);
    default
}

pub(super) fn positive(
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

/// The IANA time zone named by `daemon.timezone` (UTC when unset).
pub(super) fn timezone(r: &mut Report<'_>, v: &Option<Spanned<String>>) -> chrono_tz::Tz {
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

/// The base URL of the published report: http(s), or file for a shared
/// drive; it names a directory, so it ends in `/`.
pub(super) fn report_base(s: &str) -> Result<Url, String> {
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

/// Parses an http(s) URL (a watch's page, a webhook's receiver), saying
/// what to write when it is empty, lacks its scheme or holds a space.
pub(super) fn http_url(s: &str) -> Result<Url, String> {
    let s = s.trim();
    if s.is_empty() {
        return Err(
            "the URL is empty: write the address, e.g. \"https://news.example.org/2024/05/story\""
                .into(),
        );
    }
    // A space inside the address (a line wrapped, two addresses run
    // together) is no address: the parser would take it as `%20` and the
    // watch would fetch a page that never existed.
    if s.contains(char::is_whitespace) {
        return Err("not a valid URL: it holds a space; copy the address from the browser's address bar (a space that belongs to the address is written %20)".into());
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::tests::errors;
    use crate::config::Config;

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
    fn a_number_left_bare_after_a_unit_is_shown_with_the_unit_a_clock_gives_it() {
        assert_eq!(
            parse_duration("1h30").unwrap_err(),
            "missing unit after 30 in duration \"1h30\"; write \"1h30m\" if 30m is meant"
        );
        assert_eq!(
            parse_duration("5m30").unwrap_err(),
            "missing unit after 30 in duration \"5m30\"; write \"5m30s\" if 30s is meant"
        );
        assert_eq!(
            parse_duration("90").unwrap_err(),
            "missing unit in duration \"90\"; write e.g. \"90s\" or \"90m\""
        );
    }

    #[test]
    fn sizes() {
        assert_eq!(parse_size("8MiB"), Ok(8 << 20));
        assert_eq!(parse_size("1000"), Ok(1000));
        assert!(parse_size("8 potatoes").is_err());
    }

    #[test]
    fn a_bare_number_as_a_duration_names_its_key_and_shows_an_example() {
        let e = errors("[daemon]\ninterval = 30\ntimeout = 20\n\n[[watch]]\nname = \"a\"\nurl = \"https://example.org/a\"\ninterval = 3600\n");
        assert_eq!(
            e,
            vec![
                "c.toml:2: daemon.interval: a duration needs a unit and quotes: write e.g. `interval = \"30m\"` for 30 minutes (units: s, m, h, d)",
                "c.toml:3: daemon.timeout: a duration needs a unit and quotes: write e.g. `timeout = \"20s\"` for 20 seconds (units: s, m, h, d)",
                // 3600 is an hour in seconds as likely as 60 hours in minutes.
                "c.toml:8: watch \"a\".interval: a duration needs a unit and quotes: write e.g. `interval = \"3600s\"` for 3600 seconds, or `interval = \"3600m\"` for 3600 minutes (units: s, m, h, d)",
            ]
        );
        // A size may be a plain byte count.
        let c = Config::parse(Path::new("c.toml"), "[daemon]\nmax_body = 1000000\n").unwrap();
        assert_eq!(c.daemon.max_body, 1_000_000);
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
            ["c.toml:3: watch \"w\".url: not a valid URL: it holds a space; copy the address from the browser's address bar (a space that belongs to the address is written %20)"]
        );
        // In the path too, where the URL parser would take it as %20.
        assert_eq!(
            url("https://iranwire.example/en/news/ rasoulof"),
            ["c.toml:3: watch \"w\".url: not a valid URL: it holds a space; copy the address from the browser's address bar (a space that belongs to the address is written %20)"]
        );
        assert_eq!(
            url("ftp://iranwire.example/en/news/1"),
            ["c.toml:3: watch \"w\".url: URL scheme must be http or https, not \"ftp\": presswatch fetches web pages and feeds"]
        );
    }
}
