//! `presswatch status`: a table of the watches of a config as the state
//! database sees them (works while the daemon runs: SQLite WAL readers do
//! not block the writer).

use std::fmt::Write;
use std::time::Duration;

use crate::config::Config;
use crate::scheduler::human;
use crate::store::State;

/// Renders the status table at Unix time `now`.
pub fn table(config: &Config, state: &State, now: i64) -> Result<String, String> {
    let ago = |t: Option<i64>| match t {
        None => "never".to_string(),
        Some(t) if t <= now => format!("{} ago", human(Duration::from_secs((now - t) as u64))),
        Some(t) => format!("in {}", human(Duration::from_secs((t - now) as u64))),
    };
    let mut rows = vec![[
        "WATCH".to_string(),
        "LAST CHECK".into(),
        "RESULT".into(),
        "LAST CHANGE".into(),
        "NEXT DUE".into(),
        "FAILURES".into(),
        "PENDING".into(),
    ]];
    for w in &config.watches {
        let st = state.watch(&w.name).map_err(|e| e.to_string())?;
        let pending = state
            .pending_count(Some(&w.name))
            .map_err(|e| e.to_string())?;
        let next = match st.next_due {
            None => "at start".to_string(),
            Some(t) if t <= now => "now".to_string(),
            t => ago(t),
        };
        rows.push([
            w.name.clone(),
            ago(st.last_check),
            st.last_result.clone().unwrap_or_else(|| "-".into()),
            ago(st.last_change),
            next,
            st.failures.to_string(),
            pending.to_string(),
        ]);
    }
    let widths: Vec<usize> = (0..7)
        .map(|c| rows.iter().map(|r| r[c].chars().count()).max().unwrap_or(0))
        .collect();
    let mut out = String::new();
    for r in &rows {
        let line: Vec<String> = r
            .iter()
            .zip(&widths)
            .map(|(cell, w)| format!("{cell:<w$}"))
            .collect();
        let _ = writeln!(out, "{}", line.join("  ").trim_end());
    }
    let total = state.pending_count(None).map_err(|e| e.to_string())?;
    let _ = writeln!(
        out,
        "{} watches, {total} pending alert deliveries (state: {})",
        config.watches.len(),
        state.path().display()
    );
    Ok(out)
}
