//! What anchors the history outside the database: chain heads that
//! `verify` printed and an operator kept (`verify --heads FILE`), and the
//! record each alert carries, the chain digest of the version it reports
//! (`verify --record RECORD`). Checked against the chain as `verify`
//! recomputed it ([`super::verify::Verified`]): a head or a record that the
//! chain no longer holds shows the newest versions deleted, or versions
//! rewritten with their digests recomputed, since it was copied out.

use chrono_tz::Tz;

use super::verify::{Held, Verified};
use crate::integrity::chain::short;

/// A chain head as `verify` printed it: "watch W: …, chain head HEX
/// (version N, …".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SavedHead {
    /// The watch.
    pub watch: String,
    /// Its newest version then.
    pub seq: i64,
    /// That version's chain digest.
    pub digest: String,
}

/// The heads in `text` (a `verify` output kept earlier, whatever else it
/// holds), in order.
pub fn saved_heads(text: &str) -> Vec<SavedHead> {
    text.lines()
        .filter_map(|line| {
            let rest = line.trim().strip_prefix("watch ")?;
            let (watch, rest) = rest.split_once(": ")?;
            let (_, rest) = rest.split_once(", chain head ")?;
            let (digest, rest) = rest.split_once(" (version ")?;
            let seq: String = rest.chars().take_while(char::is_ascii_digit).collect();
            let seq = seq.parse().ok()?;
            (is_digest(digest) && !watch.contains(' ')).then(|| SavedHead {
                watch: watch.to_string(),
                seq,
                digest: digest.to_ascii_lowercase(),
            })
        })
        .collect()
}

/// Whether `s` is a whole chain digest: 64 hex digits.
fn is_digest(s: &str) -> bool {
    s.len() == 64 && s.bytes().all(|b| b.is_ascii_hexdigit())
}

/// What checking against heads or records found: lines that say what holds,
/// and mismatches (as `verify` lists them, without `MISMATCH`).
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Anchored {
    /// What holds, or cannot be checked (pruned since), one line each.
    pub notes: Vec<String>,
    /// What no longer holds.
    pub problems: Vec<String>,
    /// Records typed or pasted by hand that no kept version holds: a typo,
    /// or a version pruned since; no sign of damage.
    pub not_found: Vec<String>,
}

/// Checks each head saved earlier against the chain now: still kept with
/// the same digest, or pruned since (older than the oldest kept version),
/// or no longer held (the newest versions deleted, or rewritten).
pub fn check_heads(v: &Verified, saved: &[SavedHead]) -> Anchored {
    let mut out = Anchored::default();
    for s in saved {
        let head = v.heads.iter().find(|h| h.watch == s.watch);
        let kept = v.held.iter().find(|h| h.watch == s.watch && h.seq == s.seq);
        let was = format!(
            "the head saved earlier (version {}, {})",
            s.seq,
            short(&s.digest)
        );
        match (head, kept) {
            (_, Some(k)) if k.digest == s.digest => {
                if k.head.is_some() {
                    out.notes.push(format!(
                        "watch {}: {was} is still in the chain{}",
                        s.watch,
                        match head {
                            Some(h) if h.seq > s.seq => format!(", and version {} chains from it", h.seq),
                            _ => ", and still its head".to_string(),
                        }
                    ));
                }
                // Otherwise the chain after it is broken: named above.
            }
            (_, Some(k)) => out.problems.push(format!(
                "watch {} version {}: {was} is no longer in the chain: the version's chain digest is now {}: it, or a version before it, was rewritten (its digest recomputed) since that head was saved",
                s.watch,
                s.seq,
                short(&k.digest)
            )),
            (Some(h), None) if s.seq < h.from => out.notes.push(format!(
                "watch {}: {was} was pruned since (keep_versions: the oldest version kept is {}): it cannot be checked any more; keep the heads of this output instead",
                s.watch, h.from
            )),
            (Some(h), None) if s.seq > h.seq => out.problems.push(format!(
                "watch {} version {}: {was} is no longer kept, and the watch's newest version is {}: its newest versions were deleted since that head was saved",
                s.watch, s.seq, h.seq
            )),
            (Some(_), None) => out.problems.push(format!(
                "watch {} version {}: {was} is no longer kept, yet versions before and after it are: it was deleted since that head was saved",
                s.watch, s.seq
            )),
            (None, None) => out.problems.push(format!(
                "watch {} version {}: {was} is no longer kept, nor any version of the watch: its history was deleted since that head was saved",
                s.watch, s.seq
            )),
        }
    }
    out
}

/// A record as given to `--record`: the digest (whole, as an alert's
/// email header and JSON carry it, or as staff read it,
/// `3f2a91c0…e1d254c9`, or its first digits), and the watch and version the
/// alert named, when read from a saved alert.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    /// The digest's first hex digits (all 64 when whole).
    pub prefix: String,
    /// Its last digits, when given in the short form.
    pub suffix: String,
    /// The watch the alert was about, when known.
    pub watch: Option<String>,
    /// The version it reported, when known.
    pub seq: Option<i64>,
}

impl Record {
    /// What `--record` was given: a file (a saved alert email, `.eml`, or
    /// the alert JSON a webhook received; a digest email carries each of
    /// its alerts' records, and each is read) or the digest itself.
    pub fn read(arg: &str) -> Result<Vec<Record>, String> {
        let path = std::path::Path::new(arg);
        // A named pipe or a device is named as what it is, not read as a
        // record that is "neither a file nor a record".
        if path.is_file() || crate::file_kind::special(path).is_some() {
            let wanted = "a saved alert email (its X-Presswatch-Record header), the alert JSON a \
                          webhook received (evidence.record), or the digest itself";
            let bytes = crate::corpus::read_file(path, wanted)?;
            let found = Record::in_alert(&String::from_utf8_lossy(&bytes));
            if found.is_empty() {
                return Err(format!(
                    "{} holds no presswatch record: give {wanted}",
                    path.display()
                ));
            }
            return Ok(found);
        }
        Record::digest(arg).map(|r| vec![r]).ok_or_else(|| {
            format!(
                "--record {arg}: neither a file nor a record. A record is the digest an alert carries: \
                 64 hex digits (0-9, a-f), or as the alert shows it, its first and last 8 digits \
                 (3f2a91c0…e1d254c9). Copy it from the alert's `Record` line (its X-Presswatch-Record \
                 header, or evidence.record in its JSON) or from the record column of `presswatch \
                 history --config FILE WATCH`; or give the saved alert email (.eml) or JSON itself"
            )
        })
    }

    /// A digest as written: 64 hex digits, or the short form alerts and
    /// `history` show (`3f2a91c0…e1d254c9`, `...` for `…`): at least its
    /// first 8 digits, then its last.
    pub fn digest(s: &str) -> Option<Record> {
        let s = s.trim().to_ascii_lowercase();
        let hex = |p: &str| !p.is_empty() && p.bytes().all(|b| b.is_ascii_hexdigit());
        let (prefix, suffix) = match s.split_once('…').or_else(|| s.split_once("...")) {
            Some((p, x)) => (p.to_string(), x.to_string()),
            None => (s.clone(), String::new()),
        };
        let ok = hex(&prefix)
            && if suffix.is_empty() {
                prefix.len() == 64
            } else {
                prefix.len() >= 8 && prefix.len() + suffix.len() <= 64 && hex(&suffix)
            };
        ok.then_some(Record {
            prefix,
            suffix,
            watch: None,
            seq: None,
        })
    }

    /// The records a saved alert carries: an email's `X-Presswatch-Record`
    /// header (a single alert's "HEX (version N)", with
    /// `X-Presswatch-Watch`; a digest's, one record an alert, "HEX (watch
    /// W, version N), HEX (version M)"), the alert JSON's
    /// `evidence.record`, or else each `Record …` line of its text.
    fn in_alert(text: &str) -> Vec<Record> {
        if let Ok(alert) = serde_json::from_str::<crate::alert::Alert>(text) {
            let Some(e) = alert.evidence else {
                return Vec::new();
            };
            let Some(mut r) = e.record.as_deref().and_then(Record::digest) else {
                return Vec::new();
            };
            r.watch = Some(alert.watch);
            r.seq = Some(e.version);
            return vec![r];
        }
        let header = |name: &str| {
            let mut lines = text.lines();
            let first = lines.find(|l| {
                l.len() > name.len()
                    && l.is_char_boundary(name.len())
                    && l[..name.len()].eq_ignore_ascii_case(name)
            })?;
            let mut value = first[name.len()..].trim().to_string();
            for more in lines.take_while(|l| l.starts_with([' ', '\t'])) {
                value.push(' ');
                value.push_str(more.trim());
            }
            Some(value)
        };
        if let Some(value) = header("X-Presswatch-Record:") {
            // Each digest starts a record; "version N" and "watch W" after
            // it are its.
            let mut found: Vec<Record> = Vec::new();
            let mut words = value
                .split([' ', ',', ';', '(', ')'])
                .filter(|w| !w.is_empty());
            while let Some(w) = words.next() {
                if is_digest(w) {
                    found.extend(Record::digest(w));
                    continue;
                }
                let Some(r) = found.last_mut() else {
                    continue;
                };
                match w {
                    "version" => r.seq = words.next().and_then(|n| n.parse().ok()),
                    "watch" => r.watch = words.next().map(str::to_string),
                    _ => {}
                }
            }
            // A single alert's watch is a header of its own.
            if let [r] = &mut found[..] {
                if r.watch.is_none() {
                    r.watch = header("X-Presswatch-Watch:").filter(|w| !w.starts_with("=?"));
                }
            }
            if !found.is_empty() {
                return found;
            }
        }
        let mut found: Vec<Record> = Vec::new();
        for (at, _) in text.match_indices("Record ") {
            let rest = &text[at + "Record ".len()..];
            let Some(r) = rest.split_whitespace().next().and_then(Record::digest) else {
                continue;
            };
            if !found.contains(&r) {
                found.push(r);
            }
        }
        found
    }

    /// Whether a kept version's digest is this one.
    fn matches(&self, digest: &str) -> bool {
        digest.starts_with(&self.prefix) && digest.ends_with(&self.suffix)
    }

    /// The digest as given, as staff read it.
    fn shown(&self) -> String {
        if self.suffix.is_empty() {
            short(&self.prefix)
        } else {
            format!("{}…{}", self.prefix, self.suffix)
        }
    }
}

/// Looks each record up in the chain: which watch and version holds it,
/// and whether the chain from it to its watch's head is unbroken; times in
/// `tz` (`daemon.timezone`), as `history` says them. `history`: the command that shows a version (`presswatch history …`).
pub fn check_records(
    v: &Verified,
    records: &[Record],
    tz: Tz,
    history: &dyn Fn(&Held) -> String,
) -> Anchored {
    let mut out = Anchored::default();
    for r in records {
        let found: Vec<&Held> = v.held.iter().filter(|h| r.matches(&h.digest)).collect();
        let named = match (&r.watch, r.seq) {
            (Some(w), Some(n)) => format!(" (watch {w} version {n}, as the alert said)"),
            (None, Some(n)) => format!(" (version {n}, as the alert said)"),
            _ => String::new(),
        };
        match found[..] {
            [h] => {
                let what = format!(
                    "record {} is watch {} version {}, stored {}",
                    short(&h.digest),
                    h.watch,
                    h.seq,
                    crate::history::when(h.stored_at, tz)
                );
                match h.head {
                    Some(head) => out.notes.push(format!(
                        "{what}: the chain still holds it, unbroken {}: its text is the one presswatch stored then ({})",
                        if head == h.seq {
                            "(it is the watch's head)".to_string()
                        } else {
                            format!("to the watch's head, version {head}")
                        },
                        history(h)
                    )),
                    None => out.problems.push(format!(
                        "{what}, but the chain is broken at it or after it (see the mismatches above): it cannot vouch for it"
                    )),
                }
            }
            [] => {
                let head = r
                    .watch
                    .as_ref()
                    .and_then(|w| v.heads.iter().find(|h| &h.watch == w));
                match (head, r.seq) {
                    (Some(h), Some(n)) if n < h.from => out.notes.push(format!(
                        "record {}{named}: pruned since (keep_versions: the oldest version of watch {} kept is {}): it cannot be checked any more",
                        r.shown(),
                        h.watch,
                        h.from
                    )),
                    // A record typed or pasted by hand may be mistyped, or
                    // its version pruned: a staff member must not read
                    // either as evidence gone.
                    (_, None) if r.watch.is_none() => out.not_found.push(format!(
                        "record {}: not found: no kept version holds it. It may be mistyped or cut short \
                         (check it against the alert, or give the saved alert itself, `--record ALERT.eml` \
                         or its JSON, which says which watch and version it is), or its version was pruned \
                         by keep_versions since the alert went out (`presswatch history --config FILE WATCH` \
                         lists the versions kept)",
                        r.shown()
                    )),
                    _ => out.problems.push(format!(
                        "record {}{named} is held by no kept version: the version it was given for was deleted, or rewritten with its digests recomputed, since the alert that carried it went out (unless keep_versions pruned it since: a version older than its watch's oldest kept)",
                        r.shown()
                    )),
                }
            }
            _ => out.problems.push(format!(
                "record {} matches {} kept versions: give more of its digits (the whole digest is in the alert's X-Presswatch-Record header and its JSON)",
                r.shown(),
                found.len()
            )),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_typed_record_no_version_holds_is_not_found_rather_than_a_mismatch() {
        let typed = Record::digest(&"deadbeef".repeat(8)).unwrap();
        let out = check_records(&Verified::default(), &[typed], Tz::UTC, &|_| String::new());
        assert_eq!(out.problems, Vec::<String>::new(), "a typo is no damage");
        let [said] = &out.not_found[..] else {
            panic!("one record not found: {:?}", out.not_found)
        };
        assert!(
            said.starts_with(
                "record deadbeef…deadbeef: not found: no kept version holds it. It may be mistyped"
            ) && said.contains("pruned by keep_versions")
                && !said.contains("backup"),
            "{said}"
        );
        // One read from a saved alert was copied by presswatch: it is no typo.
        let saved = Record {
            prefix: "deadbeef".into(),
            suffix: String::new(),
            watch: Some("rasoulof".into()),
            seq: Some(2),
        };
        let out = check_records(&Verified::default(), &[saved], Tz::UTC, &|_| String::new());
        assert!(out.not_found.is_empty(), "{:?}", out.not_found);
        assert!(
            out.problems[0].contains("is held by no kept version"),
            "{}",
            out.problems[0]
        );
    }

    #[test]
    fn a_record_found_says_when_its_version_was_stored_in_the_configured_zone() {
        let digest = "3f2a91c0".repeat(8);
        let v = Verified {
            held: vec![Held {
                watch: "rasoulof".into(),
                seq: 2,
                // 2026-12-06 10:41:07 UTC.
                stored_at: 1_796_553_667,
                digest: digest.clone(),
                head: Some(2),
            }],
            ..Verified::default()
        };
        let record = Record::digest(&digest).unwrap();
        let tz = chrono_tz::Europe::Berlin;
        let out = check_records(&v, &[record], tz, &|_| String::new());
        assert!(
            out.notes[0].starts_with(
                "record 3f2a91c0…3f2a91c0 is watch rasoulof version 2, stored 2026-12-06 11:41:07 CET:"
            ),
            "{:?}",
            out.notes
        );
    }

    #[test]
    fn heads_are_read_back_from_a_verify_output() {
        let d = "3f2a91c0".repeat(8);
        let text = format!(
            "verified 3 raw bodies, …\nwatch rasoulof: 3 versions, chain head {d} (version 4, stored 2026-12-06 10:41:07 UTC)\nwatch feed: 1 version, chain head nothex (version 1, stored …)\n"
        );
        assert_eq!(
            saved_heads(&text),
            [SavedHead {
                watch: "rasoulof".into(),
                seq: 4,
                digest: d
            }]
        );
    }

    #[test]
    fn a_record_is_read_whole_short_or_from_a_saved_alert() {
        let d = format!("3f2a91c0{}e1d254c9", "0".repeat(48));
        let r = Record::digest(&d).unwrap();
        assert!(r.matches(&d) && r.suffix.is_empty());
        let short = Record::digest("3F2A91C0…e1d254c9").unwrap();
        assert!(short.matches(&d));
        assert!(Record::digest("3f2a91c0...e1d254c9").unwrap().matches(&d));
        assert!(!Record::digest("3f2a91c0…e1d254c8").unwrap().matches(&d));
        assert_eq!(Record::digest("3f2a"), None, "too few digits");
        assert_eq!(
            Record::digest("deadbeef"),
            None,
            "a part of a digest is no record"
        );
        assert_eq!(Record::digest(&"deadbeef".repeat(7)), None, "56 digits");
        let err = Record::read("deadbeef").unwrap_err();
        assert!(
            err.contains("64 hex digits")
                && err.contains("`Record` line")
                && err.contains("presswatch history"),
            "{err}"
        );
        assert_eq!(Record::digest("not a digest"), None);
        let eml = format!(
            "Subject: x\r\nX-Presswatch-Watch: rasoulof\r\nX-Presswatch-Record: {d}\r\n (version 4)\r\n\r\nbody"
        );
        let [r] = &Record::in_alert(&eml)[..] else {
            panic!("one record")
        };
        assert_eq!(
            (r.prefix.as_str(), r.watch.as_deref(), r.seq),
            (d.as_str(), Some("rasoulof"), Some(4))
        );
        let text = "Edited · Outlet\n…\nRecord 3f2a91c0…e1d254c9 — presswatch verify can prove this version is unaltered\n";
        assert!(Record::in_alert(text)[0].matches(&d));
    }

    #[test]
    fn a_digest_email_gives_each_of_its_alerts_records() {
        let (a, b) = ("3f2a91c0".repeat(8), "0541d1a3".repeat(8));
        let eml = format!(
            "Subject: x\r\nX-Presswatch-Kind: digest\r\nX-Presswatch-Record: {a} (watch tag,\r\n version 3), {b}\r\n (version 7)\r\n\r\nbody"
        );
        let read: Vec<_> = Record::in_alert(&eml)
            .into_iter()
            .map(|r| (r.prefix, r.watch, r.seq))
            .collect();
        assert_eq!(
            read,
            [(a, Some("tag".to_string()), Some(3)), (b, None, Some(7))]
        );
        // Without the header, each record line of the text.
        let text = "Record 3f2a91c0…e1d254c9 (version 3) — …\nRecord 0541d1a3…5c81215f (version 7) — …\nRecord 3f2a91c0…e1d254c9 (version 3) — …\n";
        assert_eq!(Record::in_alert(text).len(), 2);
    }
}
