//! Raw snapshots in PostgreSQL: the same records and rules as
//! [`crate::store::snapshots`] (content-addressed compressed bodies, written with
//! their version, pruned with it and by `keep_raw`).

use super::{Conn, PgResult, Postgres, Result};
use crate::config::KeepRaw;
use crate::store::snapshots::{body_mismatch, orphan, record_digest, unpack, ORPHANS};
pub(super) use crate::store::snapshots::{Packed, RawPruned};
use crate::store::{KeptBytes, Mismatch, NewVersion, Snapshot, SnapshotKind};

/// What stores a snapshot: the body unless it is known ($10–$14), and the
/// record ($1–$10) with its digest ($15, $16), after the common table
/// expressions before it.
macro_rules! store_snapshot {
    () => {
        "body AS (
            INSERT INTO raw_bodies (sha256, size, stored, codec, packed)
            SELECT $10, $11, $12, $13, $14 WHERE NOT EXISTS (SELECT 1 FROM raw_bodies WHERE sha256 = $10)
            ON CONFLICT DO NOTHING)
         INSERT INTO raw_snapshots (watch, version, kind, url, final_url, status, response_head, request_head, fetched_at_ms, body_sha256, record_sha256, record_fields)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $15, $16) ON CONFLICT DO NOTHING"
    };
}

/// Stores a snapshot.
const RECORD: &str = concat!("WITH ", store_snapshot!());

/// Stores a version ($1, $2, $17–$20, $22, $23, $26) with its link in the
/// chain ($24, $25), its text ($20, $21) unless it is known, and its snapshot.
const RECORD_WITH_VERSION: &str = concat!(
    "WITH blob AS (INSERT INTO blobs (sha256, body) VALUES ($20, $21) ON CONFLICT DO NOTHING),
         version AS (
            INSERT INTO versions (watch, seq, sha256, body_sha256, fetched_at, origin, reading, page_facts, chain_prev, chain_sha256, alerted) VALUES ($1, $2, $17, $20, $18, $19, $22, $23, $24, $25, $26)),
         ",
    store_snapshot!()
);

/// Stores a snapshot of `watch`'s `version` (idempotent), in one
/// statement: the body unless it is known, and the record.
pub(super) async fn record_in(
    c: &mut Conn,
    watch: &str,
    version: i64,
    kind: SnapshotKind,
    p: &Packed<'_>,
) -> PgResult<()> {
    write(c, watch, version, kind, p, None).await
}

/// Stores version `seq` of `watch`, with its link in the chain (`chain`:
/// the digest before it and its own), and its raw snapshot, in one
/// statement (as [`record_in`] does, with the version).
pub(super) async fn record_with_version_in(
    c: &mut Conn,
    watch: &str,
    seq: i64,
    v: &NewVersion,
    p: &Packed<'_>,
    chain: [&String; 2],
) -> PgResult<()> {
    write(c, watch, seq, SnapshotKind::Version, p, Some((v, chain))).await
}

/// [`RECORD`], or [`RECORD_WITH_VERSION`] when there is a `version`.
async fn write(
    c: &mut Conn,
    watch: &str,
    seq: i64,
    kind: SnapshotKind,
    p: &Packed<'_>,
    version: Option<(&NewVersion, [&String; 2])>,
) -> PgResult<()> {
    type Param<'a> = &'a (dyn tokio_postgres::types::ToSql + Sync);
    let (s, sha, packed) = (p.snapshot, &p.sha256, p.packed.as_ref());
    let status = s.status as i32;
    let (size, stored) = (s.body.len() as i64, packed.len() as i64);
    let digest = p.record_digest(watch, seq, kind);
    let kind = kind.as_str();
    let mut params: Vec<Param<'_>> = vec![
        &watch,
        &seq,
        &kind,
        &s.url,
        &s.final_url,
        &status,
        &s.response_head,
        &s.request_head,
        &s.fetched_at_ms,
        sha,
        &size,
        &stored,
        &p.codec,
        &packed,
        &digest.sha256,
        &digest.fields,
    ];
    let origin = version.map(|(v, _)| v.origin.as_str());
    let body_sha256 = version.map(|(v, _)| v.body_sha256());
    let sql = match (version, &origin, &body_sha256) {
        (Some((v, [prev, chain])), Some(origin), Some(body_sha256)) => {
            params.extend([
                &v.sha256 as Param<'_>,
                &v.fetched_at,
                origin,
                body_sha256,
                &v.body,
                &v.reading,
                &v.page_facts,
                prev,
                chain,
                &v.alerted,
            ]);
            RECORD_WITH_VERSION
        }
        _ => RECORD,
    };
    c.execute(sql, &params).await?;
    Ok(())
}

/// Deletes the snapshots of `watch` whose version is no longer kept.
pub(super) async fn prune_in(c: &mut Conn, watch: &str) -> PgResult<()> {
    let dropped: Vec<String> = c
        .query(
            "DELETE FROM raw_snapshots WHERE watch = $1 AND version NOT IN (SELECT seq FROM versions WHERE watch = $1) RETURNING body_sha256",
            &[&watch],
        )
        .await?
        .iter()
        .map(|r| r.get(0))
        .collect();
    drop_unreferenced(c, &dropped).await.map(|_| ())
}

/// Applies `keep_raw`, never touching a watch's newest version, counting
/// what it deletes in `pruned`.
pub(super) async fn cap_in(
    c: &mut Conn,
    cap: KeepRaw,
    now_ms: i64,
    pruned: &mut RawPruned,
) -> PgResult<()> {
    match cap {
        KeepRaw::Age(age) => {
            let before = now_ms.saturating_sub(age.as_millis() as i64);
            let dropped: Vec<(String, String)> = c
                .query(
                    "DELETE FROM raw_snapshots WHERE fetched_at_ms < $1
                       AND version < (SELECT MAX(seq) FROM versions v WHERE v.watch = raw_snapshots.watch)
                     RETURNING watch, body_sha256",
                    &[&before],
                )
                .await?
                .iter()
                .map(|r| (r.get(0), r.get(1)))
                .collect();
            for (watch, sha) in dropped {
                let freed = drop_unreferenced(c, &[sha]).await?;
                pruned.add(cap, watch, freed);
            }
        }
        KeepRaw::Bytes(limit) => {
            let limit = limit as i64;
            while usage_in(c).await? > limit {
                let batch = c
                    .query(
                        "SELECT watch, version, kind, body_sha256 FROM raw_snapshots
                         WHERE version < (SELECT MAX(seq) FROM versions v WHERE v.watch = raw_snapshots.watch)
                         ORDER BY fetched_at_ms LIMIT 32",
                        &[],
                    )
                    .await?;
                if batch.is_empty() {
                    break;
                }
                for r in batch {
                    let (watch, version, kind, sha): (String, i64, String, String) =
                        (r.get(0), r.get(1), r.get(2), r.get(3));
                    c.execute(
                        "DELETE FROM raw_snapshots WHERE watch = $1 AND version = $2 AND kind = $3",
                        &[&watch, &version, &kind],
                    )
                    .await?;
                    let freed = drop_unreferenced(c, &[sha]).await?;
                    pruned.add(cap, watch, freed);
                    if usage_in(c).await? <= limit {
                        break;
                    }
                }
            }
        }
    }
    Ok(())
}

/// Compressed bytes of all kept bodies: the sum of the counter's stripes.
async fn usage_in(c: &mut Conn) -> PgResult<i64> {
    Ok(c.query_one("SELECT SUM(bytes)::BIGINT FROM raw_usage", &[])
        .await?
        .get(0))
}

/// Deletes the bodies of `shas` that no snapshot refers to any more;
/// returns the compressed bytes freed.
async fn drop_unreferenced(c: &mut Conn, shas: &[String]) -> PgResult<i64> {
    let mut freed = 0;
    for sha in shas {
        if let Some(r) = c
            .query_opt(
                "DELETE FROM raw_bodies WHERE sha256 = $1 AND NOT EXISTS (SELECT 1 FROM raw_snapshots WHERE body_sha256 = $1) RETURNING stored",
                &[sha],
            )
            .await?
        {
            freed += r.get::<_, i64>(0);
        }
    }
    Ok(freed)
}

impl Postgres {
    /// Kept snapshots, of one watch or all, oldest first.
    pub fn snapshots(&self, watch: Option<&str>) -> Result<Vec<Snapshot>> {
        self.run(async |c| {
            Ok(c.query(
                "SELECT s.watch, s.version, s.kind, s.url, s.final_url, s.status, s.response_head, s.request_head, s.fetched_at_ms, s.body_sha256, b.size, s.record_sha256, s.record_fields
                 FROM raw_snapshots s JOIN raw_bodies b ON b.sha256 = s.body_sha256
                 WHERE $1::TEXT IS NULL OR s.watch = $1 ORDER BY s.fetched_at_ms, s.watch, s.version",
                &[&watch],
            )
            .await?
            .iter()
            .map(|r| Snapshot {
                watch: r.get(0),
                version: r.get(1),
                kind: SnapshotKind::parse(r.get(2)),
                url: r.get(3),
                final_url: r.get(4),
                status: r.get::<_, i32>(5) as u16,
                response_head: r.get(6),
                request_head: r.get(7),
                fetched_at_ms: r.get(8),
                body_sha256: r.get(9),
                size: r.get(10),
                record_digest: record_digest(r.get(11), r.get(12)),
            })
            .collect())
        })
    }

    /// A kept body, decompressed, by its SHA-256; `None` when not kept.
    pub fn snapshot_body(&self, sha256: &str) -> Result<Option<KeptBytes>> {
        let row: Option<(i64, String, Vec<u8>)> = self.run(async |c| {
            Ok(c.query_opt(
                "SELECT size, codec, packed FROM raw_bodies WHERE sha256 = $1",
                &[&sha256],
            )
            .await?
            .map(|r| (r.get(0), r.get(1), r.get(2))))
        })?;
        Ok(row.map(|(size, codec, packed)| unpack(&packed, &codec, size)))
    }

    /// Compressed bytes of all kept bodies.
    pub fn raw_usage(&self) -> Result<i64> {
        self.run(async |c| usage_in(c).await)
    }

    /// Re-hashes every kept body; returns how many were checked and the
    /// mismatches. Bodies are read a few at a time, in order of address, so
    /// memory stays flat however much is kept.
    pub fn verify_snapshots(
        &self,
        progress: &mut dyn FnMut(usize, usize),
    ) -> Result<(usize, Vec<Mismatch>)> {
        const BATCH: i64 = 16;
        self.run(async |c| {
            let total: i64 = c
                .query_one("SELECT count(*) FROM raw_bodies", &[])
                .await?
                .get(0);
            let (mut checked, mut bad, mut after) = (0, Vec::new(), String::new());
            loop {
                let rows = c
                    .query(
                        "SELECT sha256, size, codec, packed FROM raw_bodies WHERE sha256 > $1 ORDER BY sha256 LIMIT $2",
                        &[&after, &BATCH],
                    )
                    .await?;
                for r in &rows {
                    progress(checked, total as usize);
                    checked += 1;
                    let (sha, codec, packed): (String, String, &[u8]) = (r.get(0), r.get(2), r.get(3));
                    after.clone_from(&sha);
                    bad.extend(body_mismatch(sha, r.get(1), &codec, packed));
                }
                if (rows.len() as i64) < BATCH {
                    break;
                }
            }
            let orphans = c.query(ORPHANS, &[]).await?;
            bad.extend(orphans.iter().map(|r| orphan(r.get(0))));
            Ok((checked, bad))
        })
    }

    /// The watches that have kept versions, by name.
    pub fn watches_with_versions(&self) -> Result<Vec<String>> {
        self.run(async |c| {
            Ok(
                c.query("SELECT DISTINCT watch FROM versions ORDER BY watch", &[])
                    .await?
                    .iter()
                    .map(|r| r.get(0))
                    .collect(),
            )
        })
    }
}
