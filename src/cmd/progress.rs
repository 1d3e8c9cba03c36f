//! A progress line on stderr for long commands (a pass over many watches,
//! an export): shown only when stderr is a terminal and the work has taken
//! half a second, redrawn at most ten times a second, and cleared when the
//! work is done. Logs, pipes and the journal never see it.

use std::io::{IsTerminal, Write};
use std::time::{Duration, Instant};

/// How long work runs before its progress is shown.
const SHOW_AFTER: Duration = Duration::from_millis(500);
/// The least time between two redraws.
const REDRAW_EVERY: Duration = Duration::from_millis(100);

/// The progress line of one piece of work ("checked 120 of 1000 watches").
pub(crate) struct Progress {
    verb: &'static str,
    unit: &'static str,
    on_terminal: bool,
    started: Instant,
    drawn: Option<Instant>,
}

impl Progress {
    /// The progress of work that `verb`s items counted in `unit`s.
    pub(crate) fn new(verb: &'static str, unit: &'static str) -> Progress {
        Progress {
            verb,
            unit,
            on_terminal: std::io::stderr().is_terminal(),
            started: Instant::now(),
            drawn: None,
        }
    }

    /// `done` of `total` items are done.
    pub(crate) fn show(&mut self, done: usize, total: usize) {
        let now = Instant::now();
        if !self.on_terminal
            || now - self.started < SHOW_AFTER
            || self.drawn.is_some_and(|t| now - t < REDRAW_EVERY)
        {
            return;
        }
        self.drawn = Some(now);
        // Drawn from the line's start and left there, so that a log line
        // written meanwhile overwrites it instead of running on after it.
        let mut err = std::io::stderr().lock();
        let _ = write!(err, "\r\x1b[2K{}\r", self.line(done, total));
        let _ = err.flush();
    }

    /// The text of the line.
    fn line(&self, done: usize, total: usize) -> String {
        format!("{} {done} of {total} {}…", self.verb, self.unit)
    }
}

impl Drop for Progress {
    /// Clears the line, so the command's own output starts on a clean one.
    fn drop(&mut self) {
        if self.drawn.is_some() {
            eprint!("\r\x1b[2K");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_line_says_how_far_the_work_is() {
        let p = Progress::new("checked", "watches");
        assert_eq!(p.line(120, 1000), "checked 120 of 1000 watches…");
    }
}
