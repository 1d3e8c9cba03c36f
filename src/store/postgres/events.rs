//! What happened to a watched page between versions, in PostgreSQL as the
//! SQLite backend keeps it: takedowns and restores (rows of `watch_events`)
//! and moves (rows of `watch_moves`), as a watch's history reads them
//! ([`WatchEvent`]; a check records them with its versions,
//! [`Postgres::save_check`]).

use super::{Postgres, Result};
use crate::store::WatchEvent;

impl Postgres {
    /// The moves, takedowns and restores of a watch, oldest first (a move
    /// first when one check saw both, as its alerts go out).
    pub fn events(&self, watch: &str) -> Result<Vec<WatchEvent>> {
        self.run(async |c| {
            Ok(c.query(
                "SELECT at, 'moved', detail, version, from_url, to_url, 0 AS source, id FROM watch_moves WHERE watch = $1
                 UNION ALL
                 SELECT at, kind, detail, version, NULL, NULL, 1 AS source, id FROM watch_events WHERE watch = $1
                 ORDER BY 1, 7, 8",
                &[&watch],
            )
            .await?
            .iter()
            .filter_map(|r| {
                let moved = match (r.get(4), r.get(5)) {
                    (Some(from), Some(to)) => Some((from, to)),
                    _ => None,
                };
                WatchEvent::read(r.get(0), r.get(1), r.get(2), r.get(3), moved)
            })
            .collect())
        })
    }
}
