//! `presswatch export --warc OUT.warc.gz`: the kept raw responses as a WARC
//! file that web-archive tools (warcio, pywb, ReplayWeb.page) read.
//!
//! Per kept response: a `response` record (or a `revisit` record when its
//! body repeats one already written), the `request` that fetched it, and a
//! `metadata` record naming the watch, the version and its content hash. A
//! `warcinfo` record first names the software, the config and the watches.
//! Then a `metadata` record per takedown, restore and move: when, what
//! happened, the version it concerns (`WARC-Refers-To` that version's
//! response), for a takedown the answer that reported it
//! (`WARC-Concurrent-To`), and for a move the old and the new address
//! (`presswatch-moved-from`, `presswatch-moved-to`; the record is about the
//! old one). An event comes with the responses it refers to, whatever
//! `--since` says.
//!
//! A kept response whose body no longer hashes to its SHA-256, or whose
//! record was altered since it was kept (its record digest), is left out
//! and named: nothing refers to it, and a later response with the same body
//! is written whole rather than as a revisit of it.

use crate::atomic_file::Owner;
use std::collections::{HashMap, HashSet};
use std::io::Write;
use std::path::Path;

use chrono::{DateTime, TimeZone, Utc};

use super::{Checked, KeptBody};
use crate::config::Config;
use crate::integrity::RecordCheck;
use crate::store::{EventKind, Snapshot, SnapshotKind, State, WatchEvent};
use crate::warc::{self, HttpHead, Original};

/// What an export wrote.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Exported {
    /// Responses written whole.
    pub responses: usize,
    /// Responses written as revisits of an identical body.
    pub revisits: usize,
    /// Takedowns and restores.
    pub events: usize,
    /// Moves.
    pub moves: usize,
    /// Records in all.
    pub records: usize,
    /// Kept responses left out: a body missing or no longer matching its
    /// SHA-256, or a record altered since it was kept. Why, for each.
    pub left_out: Vec<String>,
}

impl Exported {
    /// What was written to `out`, as `export` says it: the counts (moves
    /// when there are some), and
    /// when nothing kept matched, that the file holds only its `warcinfo`
    /// record and why that may be.
    pub fn describe(&self, out: &Path) -> String {
        use crate::text::plural;
        let mut counts = vec![
            plural(self.responses, "response", "responses"),
            plural(self.revisits, "revisit", "revisits"),
            plural(self.events, "takedown or restore", "takedowns and restores"),
        ];
        // Named only when there are some, as before moves were exported.
        if self.moves > 0 {
            counts.push(plural(self.moves, "move", "moves"));
        }
        let mut s = format!(
            "{}: {} ({})",
            out.display(),
            plural(self.records, "record", "records"),
            counts.join(", ")
        );
        if self.responses + self.revisits + self.events + self.moves == 0 {
            s.push_str(
                "; no kept response matched, so it holds only its warcinfo record (nothing fetched since \
                 --since, a watch with no version accepted yet, or keep_raw = \"off\")",
            );
        }
        s
    }
}

/// Writes the kept responses of the config's watches and of those removed
/// from it whose evidence the state keeps ([`super::watches_kept`]) (or of
/// `watch`),
/// fetched at or after `since`, to `out`, written whole or not at all. An
/// existing `out` is an error unless `replace` (an export may be evidence
/// handed over already: a second one never overwrites it unasked).
/// `progress` hears how many of the responses are written, and of how many.
pub fn export(
    config: &Config,
    state: &State,
    watch: Option<&str>,
    since: Option<DateTime<Utc>>,
    out: &Path,
    replace: bool,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<Exported, String> {
    check_out(out, replace)?;
    let watches = super::watches_kept(config, state)?;
    let names: Vec<&str> = watches
        .iter()
        .map(|w| w.name.as_str())
        .filter(|n| watch.is_none_or(|w| w == *n))
        .collect();
    if let Some(w) = watch.filter(|_| names.is_empty()) {
        config.watch_named(w)?;
    }
    let all = super::checked_snapshots(state, None)?;
    let events = chosen_events(state, &all, &names, since)?;
    let chosen = select(&all, &names, since, &events);
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
    for w in watches.iter().filter(|w| names.contains(&w.name.as_str())) {
        info.push(("presswatch-watch".into(), format!("{} {}", w.name, w.url)));
    }
    let written = crate::atomic_file::write_atomic_with(out, Owner::Writer, |file| {
        let mut n = Exported::default();
        let mut put = |r: &warc::Record, file: &mut std::io::BufWriter<std::fs::File>| {
            n.records += 1;
            file.write_all(&r.to_gzip())
        };
        put(&warc::warcinfo(Utc::now(), &filename, &info), file)?;
        let mut first_by_body: HashMap<&str, Original> = HashMap::new();
        // The response record of each snapshot written.
        let mut written: HashMap<Written, String> = HashMap::new();
        for (done, c) in chosen.iter().enumerate() {
            progress(done, chosen.len());
            let s = &c.snapshot;
            let body =
                match super::kept_response(config, state, c).map_err(std::io::Error::other)? {
                    KeptBody::Sound(body) => body,
                    // Neither written nor a revisit's original: a later
                    // snapshot of the same body is written whole.
                    KeptBody::Damaged(why) => {
                        n.left_out.push(why);
                        continue;
                    }
                };
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
            put(&record, file)?;
            written.insert(
                (s.watch.as_str(), s.version, s.kind, s.fetched_at_ms),
                record.id.clone(),
            );
            let (request_line, request_headers) = crate::http_header::split_head(&s.request_head);
            let request = HttpHead {
                start_line: request_line,
                headers: request_headers,
            };
            put(
                &warc::request(&s.final_url, date, &request, &record.id),
                file,
            )?;
            let content = content_hash(state, &s.watch, s.version)?;
            let fields = [
                ("presswatch-watch", s.watch.clone()),
                ("presswatch-version", s.version.to_string()),
                ("presswatch-event", s.kind.as_str().to_string()),
                ("presswatch-watched-url", s.url.clone()),
                ("presswatch-body-sha256", s.body_sha256.clone()),
                ("presswatch-content-sha256", content),
                (
                    "presswatch-charset",
                    super::read_as(&s.response_head, &body).to_string(),
                ),
            ]
            .map(|(k, v)| (k.to_string(), v));
            put(
                &warc::metadata(&s.final_url, date, Some(&record.id), None, &fields),
                file,
            )?;
        }
        for (watch, e, answer) in &events {
            let record = event_record(config, state, &all, &written, watch, e, *answer)?;
            put(&record, file)?;
            match e.kind {
                EventKind::Moved { .. } => n.moves += 1,
                EventKind::TakenDown | EventKind::Restored => n.events += 1,
            }
        }
        Ok(n)
    });
    written.map_err(|e| format!("writing {}: {e}", out.display()))
}

/// Whether `out` can be written: not a directory, in a directory that
/// exists, and not an existing file unless `replace`.
fn check_out(out: &Path, replace: bool) -> Result<(), String> {
    if out.is_dir() {
        return Err(format!(
            "{} is a directory: give the WARC file to write in it, e.g. {}",
            out.display(),
            out.join("presswatch.warc.gz").display()
        ));
    }
    if out.exists() && !replace {
        return Err(format!(
            "{} exists already: an export does not overwrite a file unasked (it may be evidence handed \
             over); choose another name, or add --force to replace it",
            out.display()
        ));
    }
    let dir = out.parent().filter(|d| !d.as_os_str().is_empty());
    if let Some(dir) = dir.filter(|d| !d.is_dir()) {
        return Err(format!(
            "cannot write {}: the directory {} does not exist; create it or choose another path",
            out.display(),
            dir.display()
        ));
    }
    Ok(())
}

/// A snapshot written, as event records find its response record: its
/// watch, version, kind and fetch time (Unix milliseconds).
type Written<'a> = (&'a str, i64, SnapshotKind, i64);

/// The `metadata` record of a takedown, restore or move: dated when it was
/// detected, about the watched URL (for a move, the address it moved from),
/// referring to the response of the version it concerns and, for a
/// takedown, captured with the answer that reported it.
fn event_record(
    config: &Config,
    state: &State,
    all: &[Checked],
    written: &HashMap<Written, String>,
    watch: &str,
    e: &WatchEvent,
    answer: Option<&Checked>,
) -> std::io::Result<warc::Record> {
    let url = match &e.kind {
        EventKind::Moved { from, .. } => from.clone(),
        EventKind::TakenDown | EventKind::Restored => config
            .watches
            .iter()
            .find(|w| w.name == watch)
            .map(|w| w.url.to_string())
            .unwrap_or_default(),
    };
    let shown = all.iter().find(|c| {
        let s = &c.snapshot;
        s.watch == watch && s.version == e.version && s.kind == SnapshotKind::Version
    });
    // What an altered record says is not handed over, here either.
    fn sound(c: &Checked) -> Option<&Snapshot> {
        (!matches!(c.record, RecordCheck::Altered(_))).then_some(&c.snapshot)
    }
    let (shown, answer) = (shown.and_then(sound), answer.and_then(sound));
    let mut fields = vec![
        ("presswatch-watch", watch.to_string()),
        ("presswatch-event", e.kind.as_str().to_string()),
        ("presswatch-event-detail", e.detail.clone()),
        ("presswatch-version", e.version.to_string()),
        (
            "presswatch-content-sha256",
            content_hash(state, watch, e.version)?,
        ),
    ];
    if let EventKind::Moved { from, to } = &e.kind {
        fields.push(("presswatch-moved-from", from.clone()));
        fields.push(("presswatch-moved-to", to.clone()));
    }
    fields.extend(shown.map(|s| ("presswatch-body-sha256", s.body_sha256.clone())));
    fields.extend(answer.map(|a| ("presswatch-answer-body-sha256", a.body_sha256.clone())));
    let fields: Vec<(String, String)> = fields
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect();
    let refers_to = shown.and_then(|s| written.get(&(watch, s.version, s.kind, s.fetched_at_ms)));
    let concurrent_to =
        answer.and_then(|a| written.get(&(watch, a.version, a.kind, a.fetched_at_ms)));
    // Events are timed to the second; the answer that reported a takedown
    // was fetched within the second it was detected in, before it: the
    // record is not dated before its own evidence.
    let detected = e.at.saturating_mul(1000);
    let date = answer.map_or(detected, |a| {
        a.fetched_at_ms
            .clamp(detected, detected.saturating_add(999))
    });
    Ok(warc::metadata(
        &url,
        at(date),
        refers_to.map(String::as_str),
        concurrent_to.map(String::as_str),
        &fields,
    ))
}

/// The snapshots to export, oldest first: those of `names` fetched at or
/// after `since`, plus the version each chosen takedown answer took down and
/// the responses each chosen event refers to.
fn select<'a>(
    all: &'a [Checked],
    names: &[&str],
    since: Option<DateTime<Utc>>,
    events: &[ChosenEvent],
) -> Vec<&'a Checked> {
    let ours: Vec<&Checked> = all
        .iter()
        .filter(|c| names.contains(&c.snapshot.watch.as_str()))
        .collect();
    let recent = |s: &Snapshot| since.is_none_or(|t| s.fetched_at_ms >= t.timestamp_millis());
    let mut referred: HashSet<(&str, i64)> = ours
        .iter()
        .map(|c| &c.snapshot)
        .filter(|s| s.kind == SnapshotKind::TakenDown && recent(s))
        .map(|s| (s.watch.as_str(), s.version))
        .collect();
    referred.extend(events.iter().map(|(w, e, _)| (w.as_str(), e.version)));
    ours.into_iter()
        .filter(|c| {
            let s = &c.snapshot;
            recent(s) || referred.contains(&(s.watch.as_str(), s.version))
        })
        .collect()
}

/// A takedown, restore or move to export: its watch, the event, and for a
/// takedown the kept answer that reported it.
type ChosenEvent<'a> = (String, WatchEvent, Option<&'a Checked>);

/// The takedowns, restores and moves of `names` detected at or after `since`,
/// oldest first, each with its watch and, for a takedown, the kept answer
/// that reported it among `all` snapshots ([`super::takedown_answers`],
/// matched among all the watch's events).
fn chosen_events<'a>(
    state: &State,
    all: &'a [Checked],
    names: &[&str],
    since: Option<DateTime<Utc>>,
) -> Result<Vec<ChosenEvent<'a>>, String> {
    let mut out = Vec::new();
    for name in names {
        let events = state.events(name).map_err(|e| e.to_string())?;
        let ours = all.iter().filter(|c| c.snapshot.watch == *name);
        let answers = super::takedown_answers(&events, ours);
        for (e, answer) in events.iter().zip(answers) {
            if since.is_none_or(|t| e.at >= t.timestamp()) {
                out.push((name.to_string(), e.clone(), answer));
            }
        }
    }
    out.sort_by(|a, b| (a.1.at, &a.0).cmp(&(b.1.at, &b.0)));
    Ok(out)
}

/// The content hash of a watch's version ("" when it is no longer kept).
fn content_hash(state: &State, watch: &str, version: i64) -> std::io::Result<String> {
    Ok(state
        .versions(watch)
        .map_err(std::io::Error::other)?
        .into_iter()
        .find(|v| v.seq == version)
        .map(|v| v.sha256)
        .unwrap_or_default())
}

/// The stored response head as written to the WARC: the body is kept with
/// its transfer and content codings undone, so those header fields are
/// renamed `X-Presswatch-Orig-...` and `Content-Length` gives the body's
/// length.
fn response_head(s: &Snapshot, body_len: usize) -> HttpHead {
    let (status_line, fields) = crate::http_header::split_head(&s.response_head);
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

/// `--since` as a user types it: an RFC 3339 time; a date
/// (`2024-05-14`, from midnight) or a date and time (`2024-05-14 09:30`),
/// both in `tz` (`[daemon] timezone`, as `history` and alerts show times);
/// or an age (`30d`, `12h`) before `now`.
pub fn parse_since(
    s: &str,
    tz: chrono_tz::Tz,
    now: DateTime<Utc>,
) -> Result<DateTime<Utc>, String> {
    let s = s.trim();
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Ok(t.with_timezone(&Utc));
    }
    let local = chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .map(|d| d.and_time(chrono::NaiveTime::MIN))
        .or_else(|_| chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M"))
        .or_else(|_| chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M"))
        .or_else(|_| chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S"));
    if let Ok(local) = local {
        // A time skipped by a clock change is read as the first one after it.
        let t = tz
            .from_local_datetime(&local)
            .earliest()
            .or_else(|| {
                let later = local.checked_add_signed(chrono::Duration::hours(1))?;
                tz.from_local_datetime(&later).earliest()
            })
            .ok_or_else(|| format!("--since {s:?}: no such time in {tz}"))?;
        return Ok(t.with_timezone(&Utc));
    }
    let forms = format!(
        "give a date (2024-05-14) or a date and time (\"2024-05-14 09:30\"), both in \
         {tz} ([daemon] timezone), an RFC 3339 time (2024-05-14T09:30:00Z) or an age (30d)"
    );
    if let Some(why) = not_a_date(s) {
        return Err(format!("--since {s:?}: {why}; {forms}"));
    }
    let age = crate::config::parse_duration(s).map_err(|e| {
        if e.contains("longer than 100 years") || e.starts_with("number too large") {
            // An age, written right, but longer than anything kept.
            format!(
                "--since {s:?}: an age longer than 100 years (36500d), the longest accepted: nothing kept is \
                 older; leave --since out to export everything"
            )
        } else if s.starts_with(|c: char| c.is_ascii_digit()) && e.starts_with("unknown unit") {
            format!("--since {s:?}: {e}; {forms}")
        } else {
            format!("--since {s:?}: {forms}")
        }
    })?;
    chrono::Duration::from_std(age)
        .ok()
        .and_then(|age| now.checked_sub_signed(age))
        .ok_or_else(|| format!("--since {s:?}: too long ago"))
}

/// Why `s`, written as a date (`YYYY-MM-DD`, perhaps with a time after
/// it), is no date or time that can be: `None` when it is not written as a
/// date (an age, say) or is a valid one.
fn not_a_date(s: &str) -> Option<String> {
    let mut parts = s.get(..10)?.splitn(3, '-');
    let mut number = |len: usize| {
        parts
            .next()
            .filter(|p| p.len() == len && p.bytes().all(|b| b.is_ascii_digit()))
            .and_then(|p| p.parse::<u32>().ok())
    };
    let (year, month, day) = (number(4)?, number(2)?, number(2)?);
    let month_name = |m: u32| {
        chrono::NaiveDate::from_ymd_opt(year as i32, m, 1).map(|d| d.format("%B %Y").to_string())
    };
    Some(match month_name(month) {
        None => format!("not a valid date: there is no month {month}"),
        Some(_) if chrono::NaiveDate::from_ymd_opt(year as i32, month, day).is_some() => {
            "not a valid date and time".to_string()
        }
        Some(name) => format!("not a valid date: {name} has no day {day}"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_date_for_since_that_cannot_be_says_it_is_not_a_valid_date() {
        let now = Utc.with_ymd_and_hms(2026, 12, 4, 5, 0, 0).unwrap();
        let forms =
            "give a date (2024-05-14) or a date and time (\"2024-05-14 09:30\"), both in UTC \
                     ([daemon] timezone), an RFC 3339 time (2024-05-14T09:30:00Z) or an age (30d)";
        for (since, why) in [
            ("2024-13-01", "not a valid date: there is no month 13"),
            (
                "2023-02-29",
                "not a valid date: February 2023 has no day 29",
            ),
            ("2024-05-14 25:00", "not a valid date and time"),
        ] {
            assert_eq!(
                parse_since(since, chrono_tz::UTC, now).unwrap_err(),
                format!("--since {since:?}: {why}; {forms}")
            );
        }
        assert!(parse_since("2024-02-29", chrono_tz::UTC, now).is_ok());
    }

    #[test]
    fn an_age_for_since_too_long_or_in_an_unknown_unit_is_told_so() {
        let now = Utc.with_ymd_and_hms(2026, 12, 4, 5, 0, 0).unwrap();
        for age in ["99999999d", "99999999999999999999999s"] {
            assert_eq!(
                parse_since(age, chrono_tz::UTC, now).unwrap_err(),
                format!(
                    "--since {age:?}: an age longer than 100 years (36500d), the longest accepted: nothing kept \
                     is older; leave --since out to export everything"
                )
            );
        }
        assert_eq!(
            parse_since("2y", chrono_tz::UTC, now).unwrap_err(),
            "--since \"2y\": unknown unit \"y\" in duration \"2y\"; use ms, s, m, h or d; give a date \
             (2024-05-14) or a date and time (\"2024-05-14 09:30\"), both in UTC ([daemon] timezone), an RFC \
             3339 time (2024-05-14T09:30:00Z) or an age (30d)"
        );
        assert_eq!(
            parse_since("36500d", chrono_tz::UTC, now).unwrap(),
            Utc.with_ymd_and_hms(1926, 12, 29, 5, 0, 0).unwrap()
        );
    }

    #[test]
    fn an_export_says_its_counts_in_words_and_when_nothing_matched() {
        let out = Path::new("out.warc.gz");
        let one = Exported {
            responses: 1,
            events: 1,
            records: 4,
            ..Exported::default()
        };
        assert_eq!(
            one.describe(out),
            "out.warc.gz: 4 records (1 response, 0 revisits, 1 takedown or restore)"
        );
        let none = Exported {
            records: 1,
            ..Exported::default()
        };
        let said = none.describe(out);
        assert!(
            said.starts_with("out.warc.gz: 1 record (0 responses, 0 revisits, 0 takedowns and restores); no kept response matched"),
            "{said}"
        );
    }

    #[test]
    fn since_a_date_or_a_local_time_is_in_the_configured_time_zone() {
        let now = Utc.with_ymd_and_hms(2026, 12, 3, 12, 0, 0).unwrap();
        let tehran = chrono_tz::Asia::Tehran;
        let utc = |s: &str| DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc);
        // Midnight in Tehran (+03:30) is 20:30 UTC the day before.
        assert_eq!(
            parse_since("2026-12-03", tehran, now),
            Ok(utc("2026-12-02T20:30:00Z"))
        );
        assert_eq!(
            parse_since("2026-12-03 04:28", tehran, now),
            Ok(utc("2026-12-03T00:58:00Z"))
        );
        assert_eq!(
            parse_since("2026-12-03", chrono_tz::UTC, now),
            Ok(utc("2026-12-03T00:00:00Z"))
        );
        assert_eq!(
            parse_since("2026-12-03T04:28:00+03:30", chrono_tz::UTC, now),
            Ok(utc("2026-12-03T00:58:00Z"))
        );
        assert_eq!(
            parse_since("7d", tehran, now),
            Ok(utc("2026-11-26T12:00:00Z"))
        );
        assert!(parse_since("100000000d", tehran, now).is_err());
        let bad = parse_since("yesterday", tehran, now).unwrap_err();
        assert!(bad.contains("Asia/Tehran"), "{bad}");
        assert!(parse_since("2026-13-01", tehran, now).is_err());
    }
}
