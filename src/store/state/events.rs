//! What happened to a watched page between versions: takedowns and
//! restores (rows of `watch_events`) and moves (rows of `watch_moves`), as
//! a check records them ([`NewEvent`]) and a watch's history reads them
//! ([`WatchEvent`]).

use super::{Result, Sqlite};

/// What happened to a watched page between versions.
///
/// Takedowns and restores are rows of `watch_events`; moves are rows of a
/// table of their own, `watch_moves`, which a presswatch from before moves
/// were recorded does not read: it reads any kind of `watch_events` it does
/// not know as a takedown, and would show a move as one (in `history`, the
/// viewer, an export) after a rollback.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EventKind {
    /// The article went away (404/410, or a redirect to a section front).
    TakenDown,
    /// A taken-down article is back.
    Restored,
    /// The article's URL redirects for good (301, 308) to another article
    /// URL, as its `moved` alert said: the address it was watched at
    /// (`from`) and its new one (`to`).
    Moved {
        /// The address the watch named when the move was seen.
        from: String,
        /// Where it redirects for good.
        to: String,
    },
}

impl EventKind {
    /// The snake_case name stored in the database (as the alert kind).
    pub fn as_str(&self) -> &'static str {
        match self {
            EventKind::TakenDown => "taken_down",
            EventKind::Restored => "restored",
            EventKind::Moved { .. } => "moved",
        }
    }

    /// The kind of a `watch_events` row (a takedown or a restore); `None`
    /// for a kind this presswatch does not know (a newer one's), which is
    /// left out rather than taken for another.
    pub(in crate::store) fn parse(s: &str) -> Option<EventKind> {
        match s {
            "taken_down" => Some(EventKind::TakenDown),
            "restored" => Some(EventKind::Restored),
            _ => None,
        }
    }

    /// Whether it is a takedown or a restore (what the ids of their alerts
    /// count), not a move.
    pub fn is_takedown_or_restore(&self) -> bool {
        matches!(self, EventKind::TakenDown | EventKind::Restored)
    }
}

/// A takedown, restore or move a check detected, for [`crate::store::State::save_check`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewEvent {
    /// Unix time it was detected.
    pub at: i64,
    /// Taken down, restored or moved.
    pub kind: EventKind,
    /// How, as the alert said it ("The article answers HTTP 404"; for a
    /// move, "OLD → NEW").
    pub detail: String,
}

impl NewEvent {
    /// The move of an article from the address `from` to `to`, detected at
    /// `at`.
    pub fn moved(at: i64, from: &str, to: &str) -> NewEvent {
        NewEvent {
            at,
            kind: EventKind::Moved {
                from: from.to_string(),
                to: to.to_string(),
            },
            detail: format!("{from} \u{2192} {to}"),
        }
    }
}

/// A takedown, restore or move in a watch's history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WatchEvent {
    /// Unix time it was detected.
    pub at: i64,
    /// Taken down, restored or moved.
    pub kind: EventKind,
    /// How, as the alert said it ("The article answers HTTP 404"; for a
    /// move, "OLD → NEW").
    pub detail: String,
    /// The version current at that moment: for a takedown the last text
    /// held, for a restore the text that came back, for a move the text
    /// found at the new address.
    pub version: i64,
}

impl WatchEvent {
    /// An event as the SELECT of a watch's events reads it: the time, the
    /// kind stored, the detail, the version and, for a move, its two
    /// addresses. `None` for a kind this presswatch does not know.
    pub(in crate::store) fn read(
        at: i64,
        kind: &str,
        detail: String,
        version: i64,
        moved: Option<(String, String)>,
    ) -> Option<WatchEvent> {
        let kind = match moved {
            Some((from, to)) => EventKind::Moved { from, to },
            None => EventKind::parse(kind)?,
        };
        Some(WatchEvent {
            at,
            kind,
            detail,
            version,
        })
    }
}

impl Sqlite {
    /// The moves, takedowns and restores of a watch since its oldest kept
    /// version, oldest first (a move first when one check saw both, as its
    /// alerts go out).
    pub fn events(&self, watch: &str) -> Result<Vec<WatchEvent>> {
        let db = self.reader();
        let mut st = db
            .prepare_cached(
                "SELECT at, 'moved', detail, version, from_url, to_url, 0 AS source, rowid FROM watch_moves WHERE watch = ?1
                 UNION ALL
                 SELECT at, kind, detail, version, NULL, NULL, 1 AS source, rowid FROM watch_events WHERE watch = ?1
                 ORDER BY 1, 7, 8",
            )
            .map_err(|e| self.err(e))?;
        let rows = st
            .query_map([watch], |r| {
                let moved = match (r.get(4)?, r.get(5)?) {
                    (Some(from), Some(to)) => Some((from, to)),
                    _ => None,
                };
                Ok(WatchEvent::read(
                    r.get(0)?,
                    &r.get::<_, String>(1)?,
                    r.get(2)?,
                    r.get(3)?,
                    moved,
                ))
            })
            .map_err(|e| self.err(e))?;
        let rows: Vec<Option<WatchEvent>> = rows
            .collect::<std::result::Result<_, _>>()
            .map_err(|e| self.err(e))?;
        Ok(rows.into_iter().flatten().collect())
    }
}
