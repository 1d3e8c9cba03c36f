//! The accepted baselines in PostgreSQL (the table `baselines`, one text a
//! watch), which the SQLite backend keeps as files instead
//! ([`crate::store::Baselines`]), and what this process knows of which
//! watches have one, so that a check need not ask again.

use super::{lock, Postgres, Result};
use crate::store::Durability;

impl Postgres {
    /// Notes that the database holds a baseline of `watch` (see
    /// [`Postgres::has_baseline`]).
    pub(super) fn known_baseline(&self, watch: &str) {
        let mut known = lock(&self.inner.with_baseline);
        if !known.contains(watch) {
            known.insert(watch.to_string());
        }
    }

    /// A watch's accepted baseline, as stored text.
    pub fn baseline(&self, watch: &str) -> Result<Option<String>> {
        self.run(async |c| {
            Ok(
                c.query_opt("SELECT body FROM baselines WHERE watch = $1", &[&watch])
                    .await?
                    .map(|r| r.get(0)),
            )
        })
    }

    /// Whether the database holds a baseline of the watch.
    pub fn has_baseline(&self, watch: &str) -> Result<bool> {
        if lock(&self.inner.with_baseline).contains(watch) {
            return Ok(true);
        }
        let has: bool = self.run(async |c| {
            Ok(c.query_one(
                "SELECT EXISTS(SELECT 1 FROM baselines WHERE watch = $1)",
                &[&watch],
            )
            .await?
            .get(0))
        })?;
        if has {
            self.known_baseline(watch);
        }
        Ok(has)
    }

    /// Replaces a watch's baseline (a durable commit of its own, made after
    /// the check's alerts are in the outbox).
    pub fn set_baseline(&self, watch: &str, body: &str, now: i64) -> Result<()> {
        self.session(Durability::Durable, async |c| {
            c.execute(
                "INSERT INTO baselines (watch, body, updated_at) VALUES ($1, $2, $3)
                 ON CONFLICT (watch) DO UPDATE SET body = $2, updated_at = $3",
                &[&watch, &body, &now],
            )
            .await
            .map(|_| ())
        })?;
        self.known_baseline(watch);
        Ok(())
    }

    /// Deletes a watch's baseline (a durable commit of its own); true when
    /// there was one. Used to accept a listing's new shape
    /// ([`crate::check::reset_baseline`]).
    pub fn delete_baseline(&self, watch: &str) -> Result<bool> {
        let deleted = self.session(Durability::Durable, async |c| {
            c.execute("DELETE FROM baselines WHERE watch = $1", &[&watch])
                .await
        })?;
        lock(&self.inner.with_baseline).remove(watch);
        Ok(deleted > 0)
    }

    /// Every stored baseline: (watch, body), by watch name.
    pub fn all_baselines(&self) -> Result<Vec<(String, String)>> {
        self.run(async |c| {
            Ok(
                c.query("SELECT watch, body FROM baselines ORDER BY watch", &[])
                    .await?
                    .iter()
                    .map(|r| (r.get(0), r.get(1)))
                    .collect(),
            )
        })
    }
}
