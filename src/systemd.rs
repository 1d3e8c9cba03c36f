//! The systemd notification protocol (`Type=notify`): READY, RELOADING,
//! STOPPING, STATUS lines and watchdog pings. Everything is a no-op when
//! `NOTIFY_SOCKET` is not set.

use std::time::{Duration, Instant};

use sd_notify::NotifyState;

/// Talks to the service manager.
pub struct Notifier {
    enabled: bool,
    watchdog_every: Option<Duration>,
    last_ping: Instant,
    last_status: String,
}

impl Notifier {
    /// Reads `NOTIFY_SOCKET` and `WATCHDOG_USEC` from the environment. The
    /// watchdog is pinged at half the configured timeout.
    pub fn from_env() -> Notifier {
        let enabled = std::env::var_os("NOTIFY_SOCKET").is_some();
        Notifier {
            enabled,
            watchdog_every: enabled
                .then(sd_notify::watchdog_enabled)
                .flatten()
                .map(|d| d / 2),
            last_ping: Instant::now(),
            last_status: String::new(),
        }
    }

    fn send(&self, states: &[NotifyState<'_>]) {
        if self.enabled {
            if let Err(e) = sd_notify::notify(states) {
                tracing::debug!(error = %e, "cannot notify systemd");
            }
        }
    }

    /// The longest the main loop may sleep without missing a watchdog ping.
    pub fn max_sleep(&self) -> Option<Duration> {
        self.watchdog_every.map(|d| d / 2)
    }

    /// Start-up (or a reload) is complete.
    pub fn ready(&mut self, status: &str) {
        self.last_status = status.to_string();
        self.send(&[NotifyState::Ready, NotifyState::Status(status)]);
    }

    /// A reload begins; [`Notifier::ready`] ends it.
    pub fn reloading(&self) {
        let mut states = vec![NotifyState::Reloading];
        if let Ok(now) = NotifyState::monotonic_usec_now() {
            states.push(now);
        }
        self.send(&states);
    }

    /// Shutdown begins.
    pub fn stopping(&self, status: &str) {
        self.send(&[NotifyState::Stopping, NotifyState::Status(status)]);
    }

    /// Updates the STATUS line when it changed.
    pub fn status(&mut self, status: &str) {
        if status != self.last_status {
            self.last_status = status.to_string();
            self.send(&[NotifyState::Status(status)]);
        }
    }

    /// Sends WATCHDOG=1 when half the watchdog timeout has passed since the last ping.
    pub fn ping_if_due(&mut self) {
        if let Some(every) = self.watchdog_every {
            if self.last_ping.elapsed() >= every {
                self.last_ping = Instant::now();
                self.send(&[NotifyState::Watchdog]);
            }
        }
    }
}
