//! What the lease statement of an idle replica costs PostgreSQL: the
//! statement each replica of a fleet runs about every quarter of a second
//! while it has a free permit (`Postgres::lease_and_look`), against a real
//! PostgreSQL (a throwaway cluster on 127.0.0.1, as the tests start) whose
//! shared schedule holds 10,000 watches, none due yet (spread over the next
//! hour) and 20 leased to another replica, being checked there.
//!
//!     cargo bench --bench lease                 # 10,000 watches, 5 rounds of 400 runs each
//!     cargo bench --bench lease -- 50000 rounds=7 runs=200
//!
//! Three statements, with the same parameters, in turns within each round
//! (so that load from elsewhere on the machine weighs on all alike):
//!
//! - `lease only`: the lease statement before the status line read the
//!   schedule (147c801, `Postgres::lease_due`);
//! - `lease+look, scan`: the same with the schedule figures computed by a
//!   `MIN(…) FILTER`/`COUNT(*) FILTER` over every row (e458636, as first
//!   written);
//! - `lease+look, this build`: [`presswatch::store::LEASE_AND_LOOK`], what
//!   `Postgres::lease_and_look` runs.
//!
//! Each is timed from this process (one round trip on loopback, the
//! client's cost included); the least round of each is what the table and
//! the ratios give. The statements must agree on what they read: the bench
//! fails when the schedule figures differ.

use std::time::{Duration, Instant};

#[path = "../tests/it/pg.rs"]
mod pg;

use presswatch::store::{Postgres, LEASE_AND_LOOK};

/// 147c801's `lease_due`: leasing alone.
const LEASE_ONLY: &str = "WITH now AS (SELECT (extract(epoch from clock_timestamp()) * 1000)::BIGINT AS ms),
 due AS (
    SELECT w.watch FROM watch_state w, now
    WHERE w.due_ms <= now.ms AND (w.lease_until_ms IS NULL OR w.lease_until_ms < now.ms)
      AND NOT (w.watch = ANY($4))
    ORDER BY w.due_ms LIMIT $3 FOR UPDATE OF w SKIP LOCKED)
 UPDATE watch_state w SET lease_owner = $1, lease_until_ms = (SELECT ms FROM now) + $2::BIGINT
 FROM due WHERE w.watch = due.watch
 RETURNING w.etag, w.last_modified, w.last_check, w.last_result, w.last_error, w.last_change, w.next_due,
    w.failures, w.error_alerted, w.gone, w.last_ok, w.moved_to,
    EXISTS(SELECT 1 FROM baselines b WHERE b.watch = w.watch), w.watch, w.due_ms";

/// e458636's `lease_and_look`: the schedule figures by a scan of every row.
const LEASE_AND_SCAN: &str = "WITH now AS (SELECT (extract(epoch from clock_timestamp()) * 1000)::BIGINT AS ms),
 due AS (
    SELECT w.watch FROM watch_state w, now
    WHERE w.due_ms <= now.ms AND (w.lease_until_ms IS NULL OR w.lease_until_ms < now.ms)
      AND NOT (w.watch = ANY($4))
    ORDER BY w.due_ms LIMIT $3 FOR UPDATE OF w SKIP LOCKED),
 leased AS (
    UPDATE watch_state w SET lease_owner = $1, lease_until_ms = (SELECT ms FROM now) + $2::BIGINT
    FROM due WHERE w.watch = due.watch
    RETURNING w.etag, w.last_modified, w.last_check, w.last_result, w.last_error, w.last_change, w.next_due,
        w.failures, w.error_alerted, w.gone, w.last_ok, w.moved_to,
        EXISTS(SELECT 1 FROM baselines b WHERE b.watch = w.watch), w.watch, w.due_ms AS leased_due_ms),
 ahead AS (
    SELECT MIN(w.due_ms) FILTER (WHERE w.lease_until_ms IS NULL OR w.lease_until_ms < now.ms) AS next_due_ms,
           COUNT(*) FILTER (WHERE w.lease_until_ms >= now.ms AND w.lease_owner <> $1) AS elsewhere,
           MAX(now.ms) AS now_ms
    FROM now LEFT JOIN watch_state w
      ON w.due_ms IS NOT NULL AND NOT (w.watch = ANY($4))
     AND NOT EXISTS (SELECT 1 FROM due WHERE due.watch = w.watch))
 SELECT leased.*, ahead.next_due_ms, ahead.elsewhere, ahead.now_ms
 FROM ahead LEFT JOIN leased ON true";

fn main() {
    // `cargo test --all-targets` runs bench targets without `--bench`: skip there.
    let args: Vec<String> = std::env::args().skip(1).collect();
    if !args.iter().any(|a| a == "--bench") {
        println!("lease benchmark skipped (run it with `cargo bench --bench lease`)");
        return;
    }
    let arg = |name: &str, default: usize| {
        args.iter()
            .find_map(|a| a.strip_prefix(name)?.parse().ok())
            .unwrap_or(default)
            .max(1)
    };
    let watches = args
        .iter()
        .find_map(|a| a.parse().ok())
        .unwrap_or(10_000usize);
    let rounds = arg("rounds=", 5);
    let runs = arg("runs=", 400);

    let cluster = pg::start(true).expect("start PostgreSQL");
    let url = cluster.database();
    let db = url.rsplit('/').next().unwrap().split('?').next().unwrap();
    // The schema as presswatch makes it (its migrations, its indexes).
    let store = Postgres::open(&url, Some(pg::PASSWORD), Duration::from_secs(60))
        .expect("open the state database");
    let out = cluster
        .psql(
            db,
            &format!(
                "INSERT INTO watch_state (watch, due_ms)
                   SELECT 'w' || g, (extract(epoch from now()) * 1000)::BIGINT + 60000 + g * (3600000 / {watches})
                   FROM generate_series(1, {watches}) g;
                 UPDATE watch_state SET due_ms = due_ms - 3600000, lease_owner = 'other-replica',
                     lease_until_ms = (extract(epoch from now()) * 1000)::BIGINT + 3600000
                   WHERE watch IN (SELECT 'w' || g FROM generate_series(1, 20) g);"
            ),
        )
        .expect("fill the schedule");
    assert!(!out.contains("ERROR"), "{out}");
    cluster
        .psql(db, "VACUUM ANALYZE watch_state")
        .expect("vacuum");

    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let statements = [
        ("lease only (147c801)", LEASE_ONLY),
        ("lease+look, scan (e458636)", LEASE_AND_SCAN),
        ("lease+look, this build", LEASE_AND_LOOK),
    ];
    let least = rt.block_on(async {
        let conninfo = format!(
            "host=127.0.0.1 port={} user={} password={} dbname={db}",
            cluster.port,
            pg::USER,
            pg::PASSWORD
        );
        let (client, conn) = tokio_postgres::connect(&conninfo, tokio_postgres::NoTls)
            .await
            .expect("connect");
        tokio::spawn(conn);
        let mut prepared = Vec::new();
        for (_, sql) in &statements {
            prepared.push(client.prepare(sql).await.expect("prepare"));
        }
        let (owner, lease_ms, limit) = ("this-replica", 60_000i64, 8i64);
        let pass_over: Vec<String> = Vec::new();
        let params: [&(dyn tokio_postgres::types::ToSql + Sync); 4] =
            [&owner, &lease_ms, &limit, &pass_over];
        // The two looks read the same schedule.
        let mut read = Vec::new();
        for st in &prepared[1..] {
            let rows = client.query(st, &params).await.expect("lease");
            assert_eq!(rows.len(), 1, "an idle replica leases nothing");
            let r = &rows[0];
            read.push((r.get::<_, Option<i64>>(15), r.get::<_, i64>(16)));
        }
        assert_eq!(
            read[0], read[1],
            "the scan and this build read the schedule alike"
        );
        assert_eq!(read[1].1, 20, "20 watches leased elsewhere");
        let mut least = [Duration::MAX; 3];
        for round in 0..rounds {
            let mut line = format!("round {}:", round + 1);
            for (i, st) in prepared.iter().enumerate() {
                let t = Instant::now();
                for _ in 0..runs {
                    client.query(st, &params).await.expect("lease");
                }
                let each = t.elapsed() / runs as u32;
                least[i] = least[i].min(each);
                line.push_str(&format!("  {:>8.3} ms", each.as_secs_f64() * 1e3));
            }
            println!("{line}");
        }
        least
    });
    // And what presswatch runs reads the same.
    let (leased, ahead) = store.lease_and_look(8, &[]).expect("lease_and_look");
    assert!(leased.is_empty());
    assert_eq!(ahead.leased_elsewhere, 20);

    println!(
        "\n{watches} watches on the shared schedule, none due, 20 leased elsewhere; \
         least of {rounds} rounds of {runs} runs, per statement:"
    );
    for ((name, _), t) in statements.iter().zip(least) {
        println!("  {name:<28} {:>8.3} ms", t.as_secs_f64() * 1e3);
    }
    let ms = |t: Duration| t.as_secs_f64();
    println!(
        "  scan / this build: {:.1}x   this build / lease only: {:.2}x   scan / lease only: {:.1}x",
        ms(least[1]) / ms(least[2]),
        ms(least[2]) / ms(least[0]),
        ms(least[1]) / ms(least[0]),
    );
    cluster.stop();
}
