//! Digest schedules: when a digest channel's collected alerts go out.
//!
//! Alerts for a digest channel wait in the outbox (so a digest survives
//! restarts); they are sent together once the first slot after both the
//! previous digest and the oldest waiting alert has come. A daemon that was
//! down at slot time sends on start. Slots are wall
//! clock times in `[daemon] timezone`, daylight saving time included.

use chrono::{DateTime, Duration, NaiveDateTime, TimeZone, Timelike};
use chrono_tz::Tz;

use crate::alert::Alert;
use crate::compare::ChangeKind;
use crate::config::DigestSchedule;

/// When a digest channel sends the alerts waiting for it: the first slot
/// after both its previous digest and the oldest waiting alert (a quiet week
/// must not make a new alert go out at once).
pub fn send_at(schedule: DigestSchedule, tz: Tz, last_digest: Option<i64>, oldest: i64) -> i64 {
    let base = last_digest.map_or(oldest, |t| t.max(oldest));
    next_slot(schedule, tz, base)
}

/// "daily 08:00 digest", "hourly digest": what a channel's alerts wait for.
pub fn describe(schedule: DigestSchedule) -> String {
    match schedule {
        DigestSchedule::Off => "immediate delivery".into(),
        DigestSchedule::Hourly => "hourly digest".into(),
        DigestSchedule::Daily { hour, minute } => format!("daily {hour:02}:{minute:02} digest"),
    }
}

/// The first slot strictly after `after` (Unix time), as Unix time.
/// `Off` has a slot every second (each alert goes at once).
pub fn next_slot(schedule: DigestSchedule, tz: Tz, after: i64) -> i64 {
    let Some(base) = DateTime::from_timestamp(after, 0) else {
        return after + 1;
    };
    let local = base.with_timezone(&tz).naive_local();
    let candidate = match schedule {
        DigestSchedule::Off => return after + 1,
        DigestSchedule::Hourly => {
            local
                .date()
                .and_hms_opt(local.hour(), 0, 0)
                .unwrap_or(local)
                + Duration::hours(1)
        }
        DigestSchedule::Daily { hour, minute } => {
            let today = local.date().and_hms_opt(hour, minute, 0).unwrap_or(local);
            if today > local {
                today
            } else {
                today + Duration::days(1)
            }
        }
    };
    let t = resolve(tz, candidate);
    if t > after {
        t
    } else {
        // A repeated wall-clock hour (DST ends): the earlier instance already passed.
        resolve(tz, candidate + Duration::hours(1)).max(after + 1)
    }
}

/// A wall-clock time as Unix time: the earlier of two instances when the
/// clock goes back, and the time after the gap when it jumps forward.
fn resolve(tz: Tz, local: NaiveDateTime) -> i64 {
    let mut t = local;
    for _ in 0..4 {
        if let Some(dt) = tz.from_local_datetime(&t).earliest() {
            return dt.timestamp();
        }
        t += Duration::minutes(30);
    }
    tz.from_utc_datetime(&local).timestamp()
}

/// The digest's stable id (its Message-ID): derived from the alert ids, so a
/// retried digest keeps it.
pub fn digest_id(alerts: &[Alert]) -> String {
    let ids: Vec<&str> = alerts.iter().map(|a| a.id.as_str()).collect();
    format!("digest-{}", Alert::derive_id("digest", &ids))
}

/// `Daily digest: 1 taken down, 2 new items, 3 changes in 2 stories`: the
/// most important count first (a takedown is evidence), short enough for a
/// phone.
pub fn subject(alerts: &[Alert], schedule: DigestSchedule) -> String {
    let label = match schedule {
        DigestSchedule::Hourly => "Hourly digest",
        _ => "Daily digest",
    };
    let new_items: usize = alerts
        .iter()
        .filter(|a| a.kind == ChangeKind::NewItems)
        .map(|a| a.new_item_count().max(1))
        .sum();
    let taken_down = alerts
        .iter()
        .filter(|a| a.kind == ChangeKind::TakenDown)
        .count();
    let changes: Vec<&Alert> = alerts
        .iter()
        .filter(|a| !matches!(a.kind, ChangeKind::NewItems | ChangeKind::TakenDown))
        .collect();
    let mut stories: Vec<&str> = changes.iter().map(|a| a.watch.as_str()).collect();
    stories.sort_unstable();
    stories.dedup();
    let mut parts = Vec::new();
    if taken_down > 0 {
        parts.push(format!("{taken_down} taken down"));
    }
    if new_items > 0 {
        parts.push(crate::text::plural(new_items, "new item", "new items"));
    }
    if !changes.is_empty() {
        parts.push(format!(
            "{} in {}",
            crate::text::plural(changes.len(), "change", "changes"),
            crate::text::plural(stories.len(), "story", "stories")
        ));
    }
    format!("{label}: {}", parts.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(tz: Tz, y: i32, mo: u32, d: u32, h: u32, mi: u32) -> i64 {
        tz.with_ymd_and_hms(y, mo, d, h, mi, 0)
            .earliest()
            .unwrap()
            .timestamp()
    }

    #[test]
    fn daily_slot_is_local_time_across_dst() {
        let tz: Tz = "Europe/Berlin".parse().unwrap();
        let daily = DigestSchedule::Daily { hour: 8, minute: 0 };
        // Saturday 10:00 before the spring change -> Sunday 08:00 CEST (06:00 UTC).
        let sat = at(tz, 2026, 3, 28, 10, 0);
        assert_eq!(next_slot(daily, tz, sat), at(tz, 2026, 3, 29, 8, 0));
        assert_eq!(
            next_slot(daily, tz, sat),
            chrono::Utc
                .with_ymd_and_hms(2026, 3, 29, 6, 0, 0)
                .unwrap()
                .timestamp()
        );
        // Before 08:00 the same day; exactly at 08:00 -> tomorrow.
        assert_eq!(
            next_slot(daily, tz, at(tz, 2026, 3, 29, 7, 59)),
            at(tz, 2026, 3, 29, 8, 0)
        );
        assert_eq!(
            next_slot(daily, tz, at(tz, 2026, 3, 29, 8, 0)),
            at(tz, 2026, 3, 30, 8, 0)
        );
        // 02:30 does not exist on 2026-03-29 in Berlin: the slot moves past the gap.
        let gap = DigestSchedule::Daily {
            hour: 2,
            minute: 30,
        };
        assert_eq!(
            next_slot(gap, tz, at(tz, 2026, 3, 29, 0, 0)),
            at(tz, 2026, 3, 29, 3, 0)
        );
    }

    #[test]
    fn hourly_slot_is_the_next_full_hour() {
        let tz = chrono_tz::UTC;
        assert_eq!(
            next_slot(DigestSchedule::Hourly, tz, at(tz, 2026, 1, 1, 9, 59)),
            at(tz, 2026, 1, 1, 10, 0)
        );
        assert_eq!(
            next_slot(DigestSchedule::Hourly, tz, at(tz, 2026, 1, 1, 10, 0)),
            at(tz, 2026, 1, 1, 11, 0)
        );
        // India is UTC+05:30: local full hours are at :30 UTC.
        let kolkata: Tz = "Asia/Kolkata".parse().unwrap();
        assert_eq!(
            next_slot(DigestSchedule::Hourly, kolkata, at(tz, 2026, 1, 1, 9, 0)),
            at(tz, 2026, 1, 1, 9, 30)
        );
    }
}
