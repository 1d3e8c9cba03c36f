//! When each watch is checked next: its interval with jitter, exponential
//! backoff while it fails, `Retry-After` pauses, and a spread start-up so a
//! restart causes no burst and missed checks do not pile up.
//!
//! All times are Unix milliseconds; the state database keeps due times in
//! seconds (see [`crate::store::WatchState::next_due`]).

use std::time::Duration;

/// Jitter applied to every interval: ±10 %, so watches drift apart.
pub const JITTER: f64 = 0.10;

/// Longest backoff of a failing watch (unless its own interval is longer).
pub const MAX_BACKOFF: Duration = Duration::from_secs(6 * 3600);

/// Watches overdue at start-up (or never checked) start within this window.
pub const STARTUP_SPREAD: Duration = Duration::from_secs(5 * 60);

/// Test-only knob, deliberately left out of the user documentation: an
/// integer that divides every scheduling duration (intervals, backoff,
/// start-up spread) so integration tests can run a "1m" watch every second.
/// The 1-minute minimum stays a config rule that no config can break;
/// politeness delays, timeouts and delivery retries are not scaled. The
/// daemon logs a warning when it is set.
pub const TIME_SCALE_ENV: &str = "PRESSWATCH_TEST_TIME_SCALE";

/// Scheduling arithmetic, with the time scale applied.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Scheduler {
    scale: u32,
}

impl Scheduler {
    /// A scheduler using [`TIME_SCALE_ENV`] when it is set to an integer ≥ 1.
    pub fn from_env() -> Scheduler {
        let scale = std::env::var(TIME_SCALE_ENV)
            .ok()
            .and_then(|v| v.trim().parse::<u32>().ok())
            .filter(|&s| s >= 1)
            .unwrap_or(1);
        Scheduler { scale }
    }

    /// The time scale (1 in production).
    pub fn scale(self) -> u32 {
        self.scale
    }

    fn ms(self, d: Duration) -> i64 {
        (d.as_millis() / u128::from(self.scale)) as i64
    }

    /// Due time of a watch when the daemon starts or the watch is added: the
    /// persisted due time, or one interval after the last successful check
    /// (which `presswatch check` also records), whichever is later, if still
    /// ahead; else a random moment within [`STARTUP_SPREAD`] (or the
    /// interval, if shorter). Times are Unix seconds.
    ///
    /// After a successful check, a persisted due time lies no further than
    /// the interval (with its jitter) past that check: one further away was
    /// set under a longer interval than the config has now, and gives way to
    /// the new one, as it does on a reload.
    pub fn initial_due(
        self,
        now_ms: i64,
        persisted_s: Option<i64>,
        last_ok_s: Option<i64>,
        interval: Duration,
    ) -> i64 {
        let after_last = last_ok_s.map(|s| s * 1000 + self.ms(interval));
        let latest =
            last_ok_s.map(|s| s * 1000 + (self.ms(interval) as f64 * (1.0 + JITTER)) as i64);
        let persisted = match (persisted_s.map(|s| s * 1000), latest) {
            (Some(due), Some(latest)) => Some(due.min(latest)),
            (due, _) => due,
        };
        match persisted.max(after_last) {
            Some(due) if due > now_ms => due,
            _ => now_ms + (self.ms(interval.min(STARTUP_SPREAD)) as f64 * jitter_fraction()) as i64,
        }
    }

    /// Due time after a successful check: the interval, ±[`JITTER`].
    pub fn after_success(self, now_ms: i64, interval: Duration) -> i64 {
        let base = self.ms(interval) as f64;
        now_ms + (base * (1.0 + JITTER * (2.0 * jitter_fraction() - 1.0))) as i64
    }

    /// Due time after the `failures`-th consecutive failure: the interval
    /// doubled per failure beyond the first, capped at [`MAX_BACKOFF`] (or the
    /// interval, when longer), and never before a `Retry-After` pause ends.
    pub fn after_failure(
        self,
        now_ms: i64,
        interval: Duration,
        failures: u32,
        pause: Option<Duration>,
    ) -> i64 {
        let doubled = interval.saturating_mul(1u32 << failures.saturating_sub(1).min(16));
        let backoff = doubled.min(MAX_BACKOFF.max(interval));
        let due = self.after_success(now_ms, backoff);
        due.max(now_ms + self.ms(pause.unwrap_or_default()))
    }
}

/// A pseudo-random fraction in [0, 1) (jitter needs no cryptographic
/// quality): the jitter of check times and of delivery retries.
pub fn jitter_fraction() -> f64 {
    use std::hash::{BuildHasher, Hasher};
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u128(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0),
    );
    (h.finish() >> 11) as f64 / (1u64 << 53) as f64
}

/// A short human duration: `42s`, `3m`, `2h05m`, `3d`.
pub fn human(d: Duration) -> String {
    let s = d.as_secs();
    match s {
        0..60 => format!("{s}s"),
        60..3600 => format!("{}m", s / 60),
        3600..86400 => format!("{}h{:02}m", s / 3600, s % 3600 / 60),
        _ => format!("{}d", s / 86400),
    }
}

/// Unix time `t` as seen at `now`: `5m ago`, `in 2h`, or `never`.
pub fn ago(t: Option<i64>, now: i64) -> String {
    match t {
        None => "never".to_string(),
        Some(t) if t <= now => format!("{} ago", human(Duration::from_secs((now - t) as u64))),
        Some(t) => format!("in {}", human(Duration::from_secs((t - now) as u64))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MIN: Duration = Duration::from_secs(60);

    #[test]
    fn jitter_stays_within_ten_percent() {
        let s = Scheduler { scale: 1 };
        for _ in 0..100 {
            let due = s.after_success(0, 30 * MIN);
            assert!((1_620_000..=1_980_000).contains(&due), "{due}");
        }
    }

    #[test]
    fn backoff_doubles_and_is_capped() {
        let s = Scheduler { scale: 1 };
        let around = |d: i64, secs: i64| (d - secs * 1000).abs() <= secs * 100;
        assert!(around(s.after_failure(0, 30 * MIN, 1, None), 1800));
        assert!(around(s.after_failure(0, 30 * MIN, 3, None), 7200));
        assert!(around(s.after_failure(0, 30 * MIN, 30, None), 6 * 3600));
        assert!(around(s.after_failure(0, 24 * 60 * MIN, 5, None), 86400));
        let paused = s.after_failure(0, MIN, 1, Some(Duration::from_secs(3600)));
        assert!(paused >= 3_600_000);
    }

    #[test]
    fn startup_keeps_future_due_and_spreads_overdue() {
        let s = Scheduler { scale: 1 };
        assert_eq!(
            s.initial_due(1_000_000, Some(2_000), None, 30 * MIN),
            2_000_000
        );
        // Checked 10 minutes ago (by `presswatch check`): due 20 minutes from now.
        assert_eq!(
            s.initial_due(1_000_000, Some(10), Some(400), 30 * MIN),
            2_200_000
        );
        for (persisted, last_ok) in [(None, None), (Some(10), None), (None, Some(700))] {
            let due = s.initial_due(3_000_000, persisted, last_ok, 30 * MIN);
            assert!((3_000_000..3_300_000).contains(&due), "{due}");
        }
        let fast = Scheduler { scale: 60 };
        assert!(fast.after_success(0, MIN) <= 1_100);
    }

    #[test]
    fn a_shortened_interval_applies_after_a_restart() {
        let s = Scheduler { scale: 1 };
        // Checked successfully at t = 1000 s under a 1h interval, so due at
        // about 4600 s; the config now says 10m and the daemon starts at
        // 1100 s: due by 10m (and its jitter) after that check, not in an hour.
        let due = s.initial_due(1_100_000, Some(4_600), Some(1_000), 10 * MIN);
        assert!((1_600_000..=1_660_000).contains(&due), "{due}");
        // Long past that: the watch is overdue and starts within the spread.
        let due = s.initial_due(3_000_000, Some(4_600), Some(1_000), 10 * MIN);
        assert!((3_000_000..3_300_000).contains(&due), "{due}");
        // A failing watch keeps its backoff: its last check was no success.
        assert_eq!(
            s.initial_due(1_100_000, Some(8_000), None, 10 * MIN),
            8_000_000
        );
        // An unchanged interval keeps the persisted due time, jitter and all.
        assert_eq!(
            s.initial_due(1_100_000, Some(4_900), Some(1_000), 60 * MIN),
            4_900_000
        );
    }

    #[test]
    fn human_durations() {
        assert_eq!(human(Duration::from_secs(42)), "42s");
        assert_eq!(human(Duration::from_secs(180)), "3m");
        assert_eq!(human(Duration::from_secs(7500)), "2h05m");
    }
}
