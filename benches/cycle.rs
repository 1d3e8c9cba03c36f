//! Whole-cycle benchmark: the real `presswatch` binary checking 1,000 and
//! 10,000 article watches served by a loopback HTTP server from this process.
//!
//!     cargo bench --bench cycle                # 1,000 and 10,000 watches, then the feeds
//!     cargo bench --bench cycle -- 1000        # only these sizes, then the feeds
//!     cargo bench --bench cycle -- feeds       # only the feeds
//!     cargo bench --bench cycle -- feeds rounds=3   # the feeds, least of 3 runs
//!     cargo bench --bench cycle -- articles sqlite 1000
//!                                              # only the article cycles on SQLite
//!     PRESSWATCH_BIN=/tmp/old/presswatch cargo bench --bench cycle -- articles sqlite 1000
//!                                              # another build, same harness
//!     cargo bench --bench cycle -- articles sqlite 1000 identity
//!                                              # pages served uncompressed
//!     cargo bench --bench cycle -- articles sqlite 1000 rounds=5
//!                                              # what raw responses cost, 5 rounds
//!
//! Pages come from ../shared/corpus/extraction-dev/html (real news pages,
//! about 180 KB on average; `PRESSWATCH_CORPUS=DIR` points elsewhere) or are
//! generated when it is absent. Each watch's body is its own: a comment
//! naming the watch and the version ends it, so no two watches serve the
//! same bytes and every changed body is new to the snapshot store (which
//! keeps a body once per SHA-256). Pages are served gzip-compressed (level
//! 1, compressed per request, as a web server's dynamic gzip does) to a
//! client that accepts it, as nearly every news site serves them; with
//! `identity` they are served uncompressed. Each size runs three cycles: a first one
//! that stores baselines, one where every page changed (fetch + extract +
//! compare + store + raw snapshot + outbox + webhook delivery), and one where
//! the server answers 304. The first two also run on a copy of the watches
//! with `keep_raw = "off"`, side by side with them (so that load from
//! elsewhere on the machine weighs on both alike), `rounds` times
//! (`rounds=N`, default 1); the CPU the copy saves (least against least) is
//! what keeping raw responses costs, and the rounds' ratios show the noise. Wall time, CPU time and peak RSS are those of the
//! presswatch process (wait4), not of this harness. Extraction, comparison
//! and snapshot (SHA-256, zstd) costs per page are measured separately, in
//! process, so a regression shows where it is.
//!
//! Then one feed watch of 10,000 and of 100,000 items: a first cycle records
//! the items, a second finds every item new (and sends one alert listing
//! them). Handling new items must be linear: the 100,000-item check may cost
//! at most 10 times the CPU of the 10,000-item one (least of `rounds` runs
//! each: `cargo bench --bench cycle -- feeds rounds=3`), which is reported.
//! Unless `sqlite` is given, the feeds run again on a state kept in
//! PostgreSQL (a throwaway cluster, as for the article cycles): the same
//! ratio, counting the server's CPU with presswatch's, and what a new-item
//! check costs there against SQLite.

use std::collections::HashMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

#[path = "../tests/it/pg.rs"]
mod pg;

use presswatch::compare::{compare, Rules};
use presswatch::extract;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

/// The page versions the server holds: `pages[version][i]`.
struct Pages {
    versions: Vec<Vec<Arc<Vec<u8>>>>,
}

fn main() {
    // `cargo test --all-targets` runs bench targets without `--bench`: skip there.
    let args: Vec<String> = std::env::args().skip(1).collect();
    if !args.iter().any(|a| a == "--bench") {
        println!("cycle benchmark skipped (run it with `cargo bench --bench cycle`)");
        return;
    }
    let feeds_only = args.iter().any(|a| a == "feeds");
    let postgres = !args.iter().any(|a| a == "sqlite");
    let articles_only = args.iter().any(|a| a == "articles");
    let gzip = !args.iter().any(|a| a == "identity");
    let rounds: usize = args
        .iter()
        .find_map(|a| a.strip_prefix("rounds=")?.parse().ok())
        .unwrap_or(1)
        .max(1);
    let sizes: Vec<usize> = args.iter().filter_map(|a| a.parse().ok()).collect();
    let sizes = match (feeds_only, sizes.is_empty()) {
        (true, _) => vec![],
        (false, true) => vec![1_000, 10_000],
        (false, false) => sizes,
    };
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(run(&sizes, postgres, !articles_only, gzip, rounds));
}

/// The presswatch binary measured: this build's, or `PRESSWATCH_BIN`.
fn presswatch_bin() -> PathBuf {
    std::env::var_os("PRESSWATCH_BIN")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_BIN_EXE_presswatch")))
}

async fn run(sizes: &[usize], postgres: bool, with_feeds: bool, gzip: bool, rounds: usize) {
    let (originals, source) = if sizes.is_empty() {
        (vec![generated_page(0)], "generated".to_string())
    } else {
        load_pages()
    };
    let pages = Arc::new(Pages {
        versions: vec![
            originals.iter().map(|p| Arc::new(p.clone())).collect(),
            originals.iter().map(|p| Arc::new(revise(p))).collect(),
        ],
    });
    if !sizes.is_empty() {
        let total: usize = originals.iter().map(Vec::len).sum();
        println!(
            "pages: {} distinct ({source}), average {:.0} KB, served {}; binary {}",
            originals.len(),
            total as f64 / originals.len() as f64 / 1024.0,
            if gzip {
                "gzip-compressed"
            } else {
                "uncompressed"
            },
            presswatch_bin().display()
        );
        per_page_costs(&originals);
    }
    let version = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let served = Arc::new(Served::default());
    let addr = serve(pages.clone(), version.clone(), served.clone(), gzip).await;
    let mut table: Vec<Row> = Vec::new();
    for &n in sizes {
        // What keeping raw responses costs, in the same run: the same
        // watches, in a state of their own, with `keep_raw = "off"`. The
        // two run side by side, `rounds` times: on this shared machine the
        // CPU a process is charged for the same work drifts by a fifth or
        // more from one run to the next (other load on the cores, their
        // caches), and two runs at the same moment suffer the same drift,
        // where runs taking turns did not. Each round's ratio is printed;
        // the least CPU of each (least against least) is the figure, and
        // the spread of the rounds' ratios is the noise it stands in.
        let (mut kept, mut off) = (RawCost::default(), RawCost::default());
        let mut dirs = Vec::new();
        for _ in 0..rounds {
            let dir = tempfile::tempdir().unwrap();
            let config = write_config(dir.path(), addr, n);
            let bare_dir = tempfile::tempdir().unwrap();
            let bare = write_config(bare_dir.path(), addr, n);
            keep_no_raw_responses(&bare);
            version.store(0, std::sync::atomic::Ordering::SeqCst);
            let (first, first_off) =
                tokio::join!(presswatch_check(&config, &[]), presswatch_check(&bare, &[]));
            report(n, "first cycle (baselines stored)", &first);
            report(n, "first cycle, keep_raw = \"off\"", &first_off);
            version.store(1, std::sync::atomic::Ordering::SeqCst);
            let (changed, changed_off) =
                tokio::join!(presswatch_check(&config, &[]), presswatch_check(&bare, &[]));
            report(n, "every page changed", &changed);
            report(n, "every page changed, keep_raw = \"off\"", &changed_off);
            kept.add(first, changed);
            off.add(first_off, changed_off);
            dirs.push((dir, config, bare_dir));
        }
        for (phase, kept, off, ratios) in [
            (
                "first cycle",
                kept.least_first(),
                off.least_first(),
                kept.ratios(&off, |r| &r.0),
            ),
            (
                "changed cycle",
                kept.least_changed(),
                off.least_changed(),
                kept.ratios(&off, |r| &r.1),
            ),
        ] {
            let rounds_said: Vec<String> = ratios
                .iter()
                .map(|r| format!("{:+.1}%", (r - 1.0) * 100.0))
                .collect();
            println!(
                "{n:>6} watches, raw snapshots: {phase} CPU (least of {rounds}) {kept:.2} s kept, {off:.2} s with keep_raw = \"off\": {:+.1}%; round by round {} (median {:+.1}%)",
                (kept / off - 1.0) * 100.0,
                rounds_said.join(" "),
                (median(&mut ratios.clone()) - 1.0) * 100.0,
            );
        }
        let (first, changed) = kept.last();
        let config = &dirs.last().unwrap().1;
        let unchanged = presswatch_check(config, &[]).await;
        report(n, "304 Not Modified", &unchanged);
        table.extend(rows(
            n,
            "SQLite, presswatch check",
            [first, changed, &unchanged],
        ));
        if with_feeds && n == *sizes.iter().max().unwrap() {
            idle(config, n).await;
        }
    }
    let cluster = match postgres && (with_feeds || !sizes.is_empty()) {
        true => pg::start(true)
            .inspect_err(|why| println!("PostgreSQL runs skipped: it cannot start here ({why})"))
            .ok(),
        false => None,
    };
    if let Some(cluster) = cluster.as_ref().filter(|_| !sizes.is_empty()) {
        for &n in sizes {
            table.extend(postgres_cycles(cluster, addr, &version, &served, n).await);
        }
        print_table(&table);
    }
    if with_feeds {
        feeds(addr, &version, rounds, cluster.as_ref()).await;
    }
}

/// One line of the side-by-side table: a size, a setup, a phase and its cost.
struct Row {
    n: usize,
    setup: String,
    phase: &'static str,
    wall: Duration,
    cpu: Duration,
    postgres_cpu: Option<Duration>,
}

const PHASES: [&str; 3] = ["first cycle", "every page changed", "304 Not Modified"];

fn rows(n: usize, setup: &str, usage: [&Usage; 3]) -> Vec<Row> {
    PHASES
        .iter()
        .zip(usage)
        .map(|(phase, u)| Row {
            n,
            setup: setup.to_string(),
            phase,
            wall: u.wall,
            cpu: u.cpu,
            postgres_cpu: u.postgres_cpu,
        })
        .collect()
}

/// The table of every setup, with each PostgreSQL row's cost (presswatch
/// and PostgreSQL CPU, and wall time) against SQLite's for the same size and phase.
fn print_table(table: &[Row]) {
    println!("\n| watches | setup | cycle | wall | CPU presswatch | CPU PostgreSQL | wall vs SQLite | CPU (all) vs SQLite |");
    println!("|---|---|---|---|---|---|---|---|");
    for r in table {
        let base = table
            .iter()
            .find(|b| b.n == r.n && b.phase == r.phase && b.postgres_cpu.is_none());
        let all = r.cpu + r.postgres_cpu.unwrap_or_default();
        let (wall_ratio, cpu_ratio) = match base {
            Some(b) if r.postgres_cpu.is_some() => (
                format!("{:.2}x", r.wall.as_secs_f64() / b.wall.as_secs_f64()),
                format!("{:.2}x", all.as_secs_f64() / b.cpu.as_secs_f64()),
            ),
            _ => ("-".into(), "-".into()),
        };
        println!(
            "| {} | {} | {} | {:.2} s | {:.2} s | {} | {wall_ratio} | {cpu_ratio} |",
            r.n,
            r.setup,
            r.phase,
            r.wall.as_secs_f64(),
            r.cpu.as_secs_f64(),
            r.postgres_cpu
                .map_or("-".to_string(), |c| format!("{:.2} s", c.as_secs_f64())),
        );
    }
}

/// What the loopback server has served: page requests and webhook deliveries.
#[derive(Default)]
struct Served {
    pages: std::sync::atomic::AtomicUsize,
    hooks: std::sync::atomic::AtomicUsize,
}

/// The PostgreSQL setups for `n` watches: `presswatch check`, then fleets
/// of one and three replicas.
async fn postgres_cycles(
    cluster: &pg::Cluster,
    addr: std::net::SocketAddr,
    version: &std::sync::atomic::AtomicUsize,
    served: &Served,
    n: usize,
) -> Vec<Row> {
    use std::sync::atomic::Ordering::SeqCst;
    let env = [(pg::PASSWORD_ENV, pg::PASSWORD)];
    let mut out = Vec::new();
    let dir = tempfile::tempdir().unwrap();
    let url = cluster.database();
    let config = write_config(dir.path(), addr, n);
    append_postgres(&config, &url);
    let mut usage = Vec::new();
    for (phase, v) in PHASES.iter().zip([0, 1, 1]) {
        version.store(v, SeqCst);
        let before = postgres_cpu(cluster);
        let mut u = presswatch_check(&config, &env).await;
        u.postgres_cpu = Some(postgres_cpu(cluster).saturating_sub(before));
        report(n, &format!("{phase}, PostgreSQL"), &u);
        usage.push(u);
    }
    out.extend(rows(
        n,
        "PostgreSQL, presswatch check",
        [&usage[0], &usage[1], &usage[2]],
    ));
    for replicas in [1, 3] {
        let dir = tempfile::tempdir().unwrap();
        let url = cluster.database();
        let config = write_config(dir.path(), addr, n);
        append_postgres(&config, &url);
        // Every watch on the schedule but not due: the replicas start idle
        // and each cycle begins when the bench makes them all due.
        let db = url.rsplit('/').next().unwrap().split('?').next().unwrap();
        cluster
            .psql(db, "SELECT 1")
            .expect("the bench database answers");
        // Pages the first cycle will see, should the startup spread let a
        // check run before the schedule is pushed out below.
        version.store(0, SeqCst);
        let mut fleet: Vec<std::process::Child> = (0..replicas)
            .map(|_| {
                std::process::Command::new(presswatch_bin())
                    .args(["run", "--config"])
                    .arg(&config)
                    .envs(env)
                    .stdout(std::process::Stdio::null())
                    .stderr(std::process::Stdio::null())
                    .spawn()
                    .expect("start presswatch run")
            })
            .collect();
        // The replicas create the schema and schedule; push every due time
        // out of reach before the startup spread lets any run.
        let mut scheduled = false;
        for _ in 0..400 {
            if cluster
                .psql(db, &format!("SELECT count(*) FROM watch_state WHERE due_ms IS NOT NULL HAVING count(*) = {n}"))
                .is_ok_and(|o| !o.is_empty())
            {
                scheduled = true;
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        assert!(scheduled, "the replicas scheduled the watches");
        set_every_due_time(cluster, db, 9000000000000000).await;
        tokio::time::sleep(Duration::from_secs(2)).await;
        let pids: Vec<u32> = fleet.iter().map(|c| c.id()).collect();
        let mut usage = Vec::new();
        for (phase, v) in PHASES.iter().zip([0, 1, 1]) {
            version.store(v, SeqCst);
            let (cpu0, pg0) = (children_cpu(&pids), postgres_cpu(cluster));
            let (pages0, hooks0) = (served.pages.load(SeqCst), served.hooks.load(SeqCst));
            let started = Instant::now();
            set_every_due_time(cluster, db, 0).await;
            while served.pages.load(SeqCst) - pages0 < n {
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
            // Every alert delivered (or none raised).
            loop {
                let left = cluster
                    .psql(db, "SELECT count(*) FROM outbox WHERE status = 'pending'")
                    .unwrap_or_default();
                let leased = cluster
                    .psql(
                        db,
                        "SELECT count(*) FROM watch_state WHERE lease_owner IS NOT NULL",
                    )
                    .unwrap_or_default();
                if left == "0" && leased == "0" {
                    break;
                }
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
            let wall = started.elapsed();
            let u = Usage {
                wall,
                cpu: children_cpu(&pids).saturating_sub(cpu0),
                max_rss_kb: pids.iter().map(|&p| peak_rss_kb(p)).max().unwrap_or(0),
                summary: format!(
                    "{} replicas, {} webhook deliveries",
                    replicas,
                    served.hooks.load(SeqCst) - hooks0
                ),
                postgres_cpu: Some(postgres_cpu(cluster).saturating_sub(pg0)),
            };
            report(n, &format!("{phase}, {replicas} replicas"), &u);
            usage.push(u);
        }
        for c in &mut fleet {
            let _ = c.kill();
            let _ = c.wait();
        }
        out.extend(rows(
            n,
            &format!(
                "PostgreSQL, {replicas} replica{} (run)",
                if replicas == 1 { "" } else { "s" }
            ),
            [&usage[0], &usage[1], &usage[2]],
        ));
    }
    out
}

/// Puts the config's state in PostgreSQL.
fn append_postgres(config: &Path, url: &str) {
    let text = std::fs::read_to_string(config).unwrap();
    let text = text.replacen(
        "[daemon]\n",
        &format!(
            "[daemon]\nstate_url = \"{url}\"\nstate_password_env = \"{}\"\n",
            pg::PASSWORD_ENV
        ),
        1,
    );
    std::fs::write(config, text).unwrap();
}

/// CPU time of processes so far (user + system), from /proc.
fn children_cpu(pids: &[u32]) -> Duration {
    pids.iter().map(|&p| process_cpu(p, false)).sum()
}

/// CPU time of a process; with `reaped`, also of its children that exited.
fn process_cpu(pid: u32, reaped: bool) -> Duration {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    let fields: Vec<u64> = stat
        .rsplit(')')
        .next()
        .unwrap_or("")
        .split_whitespace()
        .map(|f| f.parse().unwrap_or(0))
        .collect();
    let field = |i: usize| fields.get(i).copied().unwrap_or(0);
    let ticks = field(11) + field(12) + if reaped { field(13) + field(14) } else { 0 };
    let hz = unsafe { libc::sysconf(libc::_SC_CLK_TCK) } as u64;
    Duration::from_millis(ticks * 1000 / hz.max(1))
}

/// CPU time of the PostgreSQL server: the postmaster with its exited
/// children, and the live ones (each connection is a process).
fn postgres_cpu(cluster: &pg::Cluster) -> Duration {
    let Some(main) = cluster.postmaster_pid() else {
        return Duration::ZERO;
    };
    let mut total = process_cpu(main, true);
    if let Ok(rd) = std::fs::read_dir("/proc") {
        for e in rd.flatten() {
            let Some(pid) = e.file_name().to_str().and_then(|s| s.parse::<u32>().ok()) else {
                continue;
            };
            let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
            let ppid: Option<u32> = stat
                .rsplit(')')
                .next()
                .and_then(|r| r.split_whitespace().nth(1))
                .and_then(|p| p.parse().ok());
            if ppid == Some(main) {
                total += process_cpu(pid, false);
            }
        }
    }
    total
}

/// The peak resident set of a running process (VmHWM), in kB.
fn peak_rss_kb(pid: u32) -> i64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .unwrap_or_default()
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        .unwrap_or(0)
}

/// The feed sizes of the bench: the larger must cost at most 10 times the smaller.
const FEED_SIZES: [usize; 2] = [10_000, 100_000];

/// One feed watch per size: a first cycle records its items, a second finds
/// every item new. Reports both, and the CPU ratio of the new-item checks;
/// with a PostgreSQL `cluster`, the same on a state kept there, and what a
/// new-item check costs there (presswatch's CPU and the server's) against
/// SQLite.
async fn feeds(
    addr: std::net::SocketAddr,
    version: &std::sync::atomic::AtomicUsize,
    rounds: usize,
    cluster: Option<&pg::Cluster>,
) {
    let sqlite = new_items_cpu(addr, version, rounds, None).await;
    linear(&sqlite, rounds, "");
    if let Some(cluster) = cluster {
        let postgres = new_items_cpu(addr, version, rounds, Some(cluster)).await;
        linear(
            &postgres,
            rounds,
            " on PostgreSQL (presswatch and server CPU)",
        );
        for ((n, pg), sq) in FEED_SIZES.iter().zip(postgres).zip(sqlite) {
            println!(
                "feed of {n} items, every item new: least cpu {pg:.2} s on PostgreSQL (presswatch and server), {sq:.2} s on SQLite: {:.2}x",
                pg / sq
            );
        }
    }
}

/// The least CPU a check that finds every item new costs, of `rounds` runs
/// for each feed size, each run on a fresh state: SQLite, or a database of
/// `cluster` (its server's CPU added). A busy machine only ever adds time,
/// so the least is the steadiest figure.
async fn new_items_cpu(
    addr: std::net::SocketAddr,
    version: &std::sync::atomic::AtomicUsize,
    rounds: usize,
    backend: Option<&pg::Cluster>,
) -> [f64; FEED_SIZES.len()] {
    let mut new_items_cpu = [f64::INFINITY; FEED_SIZES.len()];
    for round in 1..=rounds {
        for (least, n) in new_items_cpu.iter_mut().zip(FEED_SIZES) {
            let dir = tempfile::tempdir().unwrap();
            let config = write_feed_config(dir.path(), addr, n);
            let env = match backend {
                Some(cluster) => {
                    append_postgres(&config, &cluster.database());
                    vec![(pg::PASSWORD_ENV, pg::PASSWORD)]
                }
                None => Vec::new(),
            };
            let on = if backend.is_some() {
                ", PostgreSQL"
            } else {
                ""
            };
            let mut new = Duration::ZERO;
            for (phase, v) in [("first cycle (items recorded)", 0), ("every item new", 1)] {
                version.store(v, std::sync::atomic::Ordering::SeqCst);
                let before = backend.map(postgres_cpu);
                let mut u = presswatch_check(&config, &env).await;
                u.postgres_cpu = backend
                    .zip(before)
                    .map(|(c, b)| postgres_cpu(c).saturating_sub(b));
                report_feed(n, round, &format!("{phase}{on}"), &u);
                new = u.cpu + u.postgres_cpu.unwrap_or_default();
            }
            *least = least.min(new.as_secs_f64());
        }
    }
    new_items_cpu
}

/// Prints whether new items cost linear time: the larger feed's least CPU
/// against the smaller's.
fn linear(new_items_cpu: &[f64; FEED_SIZES.len()], rounds: usize, on: &str) {
    let ratio = new_items_cpu[1] / new_items_cpu[0];
    println!(
        "feed of {} vs {} items, every item new{on}: least cpu {:.2} s vs {:.2} s of {rounds} round(s), \
         ratio {ratio:.1} (at most 10 allowed): {}",
        FEED_SIZES[1],
        FEED_SIZES[0],
        new_items_cpu[1],
        new_items_cpu[0],
        if ratio <= 10.0 { "met" } else { "NOT MET" }
    );
}

/// An RSS feed of `n` items whose GUIDs and links carry `version`, so that
/// every item is new once the version changes.
fn generated_feed(n: usize, version: usize) -> Vec<u8> {
    let mut out = String::with_capacity(n * 400);
    out.push_str("<?xml version=\"1.0\" encoding=\"utf-8\"?><rss version=\"2.0\"><channel><title>Wire</title><link>https://wire.example.org/</link><description>All stories</description>");
    for i in 0..n {
        out.push_str(&format!(
            "<item><title>Story {i} of edition {version}: the appeal court upheld the sentence</title><link>https://wire.example.org/{version}/story-{i}</link><guid>https://wire.example.org/{version}/story-{i}</guid><description>The director said in a statement that he had chosen exile over prison (story {i}).</description><pubDate>Tue, 14 May 2024 09:00:00 GMT</pubDate></item>"
        ));
    }
    out.push_str("</channel></rss>");
    out.into_bytes()
}

/// A config with one feed watch of `n` items on the loopback server.
fn write_feed_config(dir: &Path, addr: std::net::SocketAddr, n: usize) -> PathBuf {
    let cfg = format!(
        "[daemon]\nper_host_delay = \"0s\"\ninterval = \"1h\"\nmax_body = \"128MiB\"\n\n[[channel]]\nname = \"hook\"\ntype = \"webhook\"\nurl = \"http://{addr}/hook\"\n\n[[watch]]\nname = \"feed\"\nurl = \"http://{addr}/feed/{n}\"\nkind = \"feed\"\nrobots = false\n"
    );
    let path = dir.join("config.toml");
    std::fs::write(&path, cfg).unwrap();
    path
}

fn report_feed(n: usize, round: usize, what: &str, u: &Usage) {
    println!(
        "feed of {n:>6} items, round {round}, {what:<28} wall {:>6.2} s  cpu {:>6.2} s  peak RSS {:>4} MB   [{}]",
        u.wall.as_secs_f64(),
        u.cpu.as_secs_f64(),
        u.max_rss_kb / 1024,
        u.summary
    );
}

/// Reads the corpus pages, or generates pages when the corpus is absent.
fn load_pages() -> (Vec<Vec<u8>>, String) {
    let dir = std::env::var_os("PRESSWATCH_CORPUS")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus/extraction-dev/html")
        });
    let mut pages = Vec::new();
    if let Ok(rd) = std::fs::read_dir(&dir) {
        let mut paths: Vec<PathBuf> = rd.flatten().map(|e| e.path()).collect();
        paths.sort();
        for p in paths {
            let Ok(bytes) = std::fs::read(&p) else {
                continue;
            };
            if p.extension().is_some_and(|e| e == "gz") {
                let mut out = Vec::new();
                if flate2::read::GzDecoder::new(&bytes[..])
                    .read_to_end(&mut out)
                    .is_ok()
                {
                    pages.push(out);
                }
            } else if p.extension().is_some_and(|e| e == "html") {
                pages.push(bytes);
            }
        }
    }
    if !pages.is_empty() {
        return (pages, dir.display().to_string());
    }
    eprintln!(
        "WARNING: no .html or .html.gz pages in {}: the bench uses generated pages, which compress far better than real ones (keep_raw figures on them understate its cost); set PRESSWATCH_CORPUS to a directory of real pages",
        dir.display()
    );
    ((0..50).map(generated_page).collect(), "generated".into())
}

/// A ~200 KB news page: navigation, scripts, boilerplate and 30 paragraphs.
fn generated_page(i: usize) -> Vec<u8> {
    let para = |k: usize| {
        format!("<p>Paragraph {k} of story {i}: the director said in a statement that the appeal court had upheld the sentence, and that he had chosen exile over prison after a long and complicated journey across the mountains.</p>")
    };
    let body: String = (0..30).map(para).collect();
    let nav: String = (0..500)
        .map(|k| format!("<li><a href=\"/section/{k}\">Section {k}</a></li>"))
        .collect();
    let script = format!(
        "<script>var config = {{{}}};</script>",
        "\"key\": \"value\", ".repeat(9000)
    );
    format!("<!DOCTYPE html><html><head><title>Story {i} | News</title>{script}</head><body><nav><ul>{nav}</ul></nav><article><h1>Story {i}</h1>{body}</article><footer>{nav}</footer></body></html>").into_bytes()
}

/// The page with one word of its article text changed: the extracted article
/// of the page is located in the HTML, outside scripts (a JSON-LD
/// `articleBody` often repeats the story, and an edit there changes nothing a
/// reader sees), and its longest paragraph edited.
fn revise(page: &[u8]) -> Vec<u8> {
    let html = String::from_utf8_lossy(page).into_owned();
    let doc = extract::article(&html, None, None);
    let longest = doc
        .blocks
        .iter()
        .filter_map(|b| shown_at(&html, &b.text).map(|at| (b.text.as_str(), at)))
        .max_by_key(|(t, _)| t.len());
    match longest.and_then(|(t, at)| t.split_whitespace().nth(3).map(|w| (t, at, w))) {
        Some((t, at, w)) => {
            let mut revised = html[..at].to_string();
            revised.push_str(&t.replacen(w, "revised", 1));
            revised.push_str(&html[at + t.len()..]);
            revised.into_bytes()
        }
        None => html
            .replacen(
                "<body",
                "<body><article><p>Revised paragraph of the story.</p></article",
                1,
            )
            .into_bytes(),
    }
}

/// Where `text` first stands in `html` as text a reader sees: outside a
/// `<script>` and outside a tag (a `<meta name="description">` often
/// repeats the story's opening), if anywhere.
fn shown_at(html: &str, text: &str) -> Option<usize> {
    // Whether the last `open` before a place is closed before it.
    let closed = |before: &str, open: &str, close: &str| {
        before
            .rfind(open)
            .is_none_or(|o| before.rfind(close).is_some_and(|c| c > o))
    };
    html.match_indices(text).map(|(at, _)| at).find(|&at| {
        let before = &html[..at];
        closed(before, "<script", "</script") && closed(before, "<", ">")
    })
}

/// Extraction and comparison cost per page, in process.
fn per_page_costs(pages: &[Vec<u8>]) {
    let mut extract_ms = Vec::new();
    let mut compare_us = Vec::new();
    let mut bytes = 0usize;
    for p in pages {
        let html = String::from_utf8_lossy(p);
        let revised = String::from_utf8(revise(p)).unwrap_or_default();
        let t = Instant::now();
        let a = extract::article(&html, None, None);
        extract_ms.push(t.elapsed().as_secs_f64() * 1000.0);
        bytes += p.len();
        let b = extract::article(&revised, None, None);
        let t = Instant::now();
        let _ = compare(&a, &b, &Rules::default());
        compare_us.push(t.elapsed().as_secs_f64() * 1e6);
    }
    let total_s: f64 = extract_ms.iter().sum::<f64>() / 1000.0;
    println!(
        "extraction: median {:.2} ms/page, {:.1} MB/s; comparison: median {:.1} µs/page, max {:.1} µs",
        median(&mut extract_ms),
        bytes as f64 / 1e6 / total_s,
        median(&mut compare_us),
        compare_us.iter().cloned().fold(0.0, f64::max)
    );
    snapshot_costs(pages);
}

/// What keeping a page's raw response costs, in process: its SHA-256 (the
/// body's address) and its zstd compression at levels 1 (what presswatch
/// uses), 3, and the fast -1 and -3 (time, and stored size as a share of
/// the page).
fn snapshot_costs(pages: &[Vec<u8>]) {
    let mut sha_us = Vec::new();
    for p in pages {
        let t = Instant::now();
        std::hint::black_box(presswatch::document::sha256_hex(p));
        sha_us.push(t.elapsed().as_secs_f64() * 1e6);
    }
    let raw: usize = pages.iter().map(Vec::len).sum();
    let mut line = format!(
        "snapshot: SHA-256 median {:.0} µs/page",
        median(&mut sha_us)
    );
    for level in [1, 3, -1, -3] {
        let (mut us, mut stored) = (Vec::new(), 0usize);
        for p in pages {
            let t = Instant::now();
            let packed = zstd::bulk::compress(p, level).expect("zstd");
            us.push(t.elapsed().as_secs_f64() * 1e6);
            stored += packed.len();
        }
        line.push_str(&format!(
            "; zstd level {level} median {:.0} µs/page, {:.1}% of the size",
            median(&mut us),
            stored as f64 * 100.0 / raw as f64
        ));
    }
    println!("{line}");
    delta_costs(pages);
}

/// What storing a changed page as a delta against the version before it
/// would cost, in process: the page before unpacked from zstd (as the store
/// keeps it), then the changed page ([`revise`]) compressed at level 1 with
/// that page as zstd's prefix (hash log 17, large enough to find the long
/// matches a prefix of ~200 KB holds), against plain level 1. presswatch
/// stores each body whole, so that each one can be checked, exported and
/// read back alone; this line shows what that costs.
fn delta_costs(pages: &[Vec<u8>]) {
    use zstd::zstd_safe::{CCtx, CParameter};
    let (mut plain_us, mut unpack_us, mut delta_us) = (Vec::new(), Vec::new(), Vec::new());
    let (mut raw, mut plain, mut delta) = (0usize, 0usize, 0usize);
    for p in pages {
        let revised = revise(p);
        let kept = zstd::bulk::compress(p, 1).expect("zstd");
        let t = Instant::now();
        let packed = zstd::bulk::compress(&revised, 1).expect("zstd");
        plain_us.push(t.elapsed().as_secs_f64() * 1e6);
        let t = Instant::now();
        let before = zstd::bulk::decompress(&kept, p.len()).expect("zstd");
        unpack_us.push(t.elapsed().as_secs_f64() * 1e6);
        // A context per page, as `zstd::bulk::compress` makes one per call
        // (it borrows the prefix).
        let t = Instant::now();
        let mut cctx = CCtx::create();
        cctx.set_parameter(CParameter::CompressionLevel(1))
            .expect("zstd level");
        cctx.set_parameter(CParameter::HashLog(17))
            .expect("zstd hash log");
        cctx.ref_prefix(&before).expect("zstd prefix");
        let mut out: Vec<u8> = Vec::with_capacity(zstd::zstd_safe::compress_bound(revised.len()));
        cctx.compress2(&mut out, &revised).expect("zstd");
        delta_us.push(t.elapsed().as_secs_f64() * 1e6);
        raw += revised.len();
        plain += packed.len();
        delta += out.len();
    }
    println!(
        "snapshot of a changed page: zstd level 1 median {:.0} µs/page, {:.1}% of the size; as a delta against the page before: unpacking that page {:.0} µs + compressing {:.0} µs, {:.1}% of the size",
        median(&mut plain_us),
        plain as f64 * 100.0 / raw as f64,
        median(&mut unpack_us),
        median(&mut delta_us),
        delta as f64 * 100.0 / raw as f64
    );
}

fn median(v: &mut [f64]) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v.get(v.len() / 2).copied().unwrap_or(0.0)
}

/// Serves `/w/{i}` (a page of the current version, ending in a comment
/// that makes it watch `i`'s own) and the feeds `/feed/{n}` (ETag per
/// version, 304 on a match) and accepts webhook POSTs at `/hook`.
/// HTTP/1.1 keep-alive. With `gzip`, pages go gzip-compressed to a client
/// that accepts it.
async fn serve(
    pages: Arc<Pages>,
    version: Arc<std::sync::atomic::AtomicUsize>,
    served: Arc<Served>,
    gzip: bool,
) -> std::net::SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((mut sock, _)) = listener.accept().await {
            let pages = pages.clone();
            let version = version.clone();
            let served = served.clone();
            tokio::spawn(async move {
                let mut buf = Vec::with_capacity(8192);
                let mut chunk = [0u8; 8192];
                loop {
                    let head_end = loop {
                        if let Some(p) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                            break p + 4;
                        }
                        match sock.read(&mut chunk).await {
                            Ok(0) | Err(_) => return,
                            Ok(n) => buf.extend_from_slice(&chunk[..n]),
                        }
                    };
                    let head = String::from_utf8_lossy(&buf[..head_end]).to_string();
                    let headers: HashMap<String, String> = head
                        .split("\r\n")
                        .skip(1)
                        .filter_map(|l| l.split_once(':'))
                        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
                        .collect();
                    let len: usize = headers
                        .get("content-length")
                        .and_then(|v| v.parse().ok())
                        .unwrap_or(0);
                    while buf.len() < head_end + len {
                        match sock.read(&mut chunk).await {
                            Ok(0) | Err(_) => return,
                            Ok(n) => buf.extend_from_slice(&chunk[..n]),
                        }
                    }
                    buf.drain(..head_end + len);
                    let path = head.split(' ').nth(1).unwrap_or("/").to_string();
                    let v = version.load(std::sync::atomic::Ordering::SeqCst);
                    let etag = format!("\"v{v}\"");
                    let page = path
                        .strip_prefix("/w/")
                        .and_then(|i| i.parse::<usize>().ok());
                    let feed = path
                        .strip_prefix("/feed/")
                        .and_then(|n| n.parse::<usize>().ok());
                    let not_modified = headers.get("if-none-match") == Some(&etag);
                    if page.is_some() {
                        served
                            .pages
                            .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                    } else if path == "/hook" {
                        served
                            .hooks
                            .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                    }
                    let accepts_gzip = headers
                        .get("accept-encoding")
                        .is_some_and(|v| v.contains("gzip"));
                    let mut encoding = "";
                    let (status, content_type, body): (u16, &str, Vec<u8>) = match (page, feed) {
                        (Some(_), _) | (_, Some(_)) if not_modified => {
                            (304, "text/html", Vec::new())
                        }
                        (Some(i), _) => {
                            let set = &pages.versions[v];
                            let mut body = set[i % set.len()].to_vec();
                            body.extend_from_slice(
                                format!("\n<!-- watch {i}, version {v} -->\n").as_bytes(),
                            );
                            if gzip && accepts_gzip {
                                encoding = "Content-Encoding: gzip\r\n";
                                body = gzipped(&body);
                            }
                            (200, "text/html; charset=utf-8", body)
                        }
                        (_, Some(n)) => (200, "application/rss+xml", generated_feed(n, v)),
                        _ => (200, "text/html", Vec::new()),
                    };
                    let head = format!(
                        "HTTP/1.1 {status} X\r\nContent-Type: {content_type}\r\n{encoding}ETag: {etag}\r\nContent-Length: {}\r\n\r\n",
                        body.len()
                    );
                    if sock.write_all(head.as_bytes()).await.is_err()
                        || sock.write_all(&body).await.is_err()
                    {
                        return;
                    }
                }
            });
        }
    });
    addr
}

/// `body` gzip-compressed at level 1 (nginx's default `gzip_comp_level`).
fn gzipped(body: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(body).unwrap();
    gz.finish().unwrap()
}

/// A config with `n` watches on the loopback server; politeness relaxed for
/// that host through the ordinary config (`[[host]]`, and `robots = false`
/// as for an organisation's own server).
fn write_config(dir: &Path, addr: std::net::SocketAddr, n: usize) -> PathBuf {
    let host = addr.ip();
    let mut cfg = format!(
        "[daemon]\nconcurrency = 16\nper_host_delay = \"0s\"\ninterval = \"1h\"\nmax_body = \"8MiB\"\n\n[[host]]\nname = \"{host}\"\ndelay = \"0s\"\nconcurrency = 16\n\n[[channel]]\nname = \"hook\"\ntype = \"webhook\"\nurl = \"http://{addr}/hook\"\n\n"
    );
    for i in 0..n {
        cfg.push_str(&format!(
            "[[watch]]\nname = \"w{i}\"\nurl = \"http://{addr}/w/{i}\"\nrobots = false\n"
        ));
    }
    let path = dir.join("config.toml");
    std::fs::write(&path, cfg).unwrap();
    path
}

/// Turns raw snapshots off in a config `write_config` wrote.
fn keep_no_raw_responses(config: &Path) {
    let cfg = std::fs::read_to_string(config).unwrap();
    std::fs::write(
        config,
        cfg.replacen("[daemon]\n", "[daemon]\nkeep_raw = \"off\"\n", 1),
    )
    .unwrap();
}

/// The first and changed cycles of one setup, round after round.
#[derive(Default)]
struct RawCost {
    rounds: Vec<(Usage, Usage)>,
}

impl RawCost {
    fn add(&mut self, first: Usage, changed: Usage) {
        self.rounds.push((first, changed));
    }

    /// The least CPU of a first cycle, in seconds.
    fn least_first(&self) -> f64 {
        least_cpu(self.rounds.iter().map(|r| &r.0))
    }

    /// The least CPU of a changed cycle, in seconds.
    fn least_changed(&self) -> f64 {
        least_cpu(self.rounds.iter().map(|r| &r.1))
    }

    /// Each round's CPU against `other`'s in the same round, for the cycle
    /// `phase` picks.
    fn ratios(&self, other: &RawCost, phase: impl Fn(&(Usage, Usage)) -> &Usage) -> Vec<f64> {
        self.rounds
            .iter()
            .zip(&other.rounds)
            .map(|(a, b)| phase(a).cpu.as_secs_f64() / phase(b).cpu.as_secs_f64())
            .collect()
    }

    /// The last round's cycles.
    fn last(&self) -> (&Usage, &Usage) {
        let (first, changed) = self.rounds.last().expect("at least one round");
        (first, changed)
    }
}

/// The least CPU of `runs`, in seconds.
fn least_cpu<'a>(runs: impl Iterator<Item = &'a Usage>) -> f64 {
    runs.map(|u| u.cpu.as_secs_f64())
        .fold(f64::INFINITY, f64::min)
}

/// What one presswatch process (or fleet) cost.
struct Usage {
    wall: Duration,
    cpu: Duration,
    max_rss_kb: i64,
    summary: String,
    /// The PostgreSQL server's CPU time meanwhile, when the state is there.
    postgres_cpu: Option<Duration>,
}

/// Runs `presswatch check` to completion and reads its resource usage.
// The child is reaped by wait4 (which std's wait cannot do with rusage).
#[allow(clippy::zombie_processes)]
async fn presswatch_check(config: &Path, env: &[(&str, &str)]) -> Usage {
    let config = config.to_path_buf();
    let env: Vec<(String, String)> = env
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    tokio::task::spawn_blocking(move || {
        let started = Instant::now();
        let child = std::process::Command::new(presswatch_bin())
            .args(["check", "--config"])
            .arg(&config)
            .envs(env)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("start presswatch");
        let pid = child.id() as libc::pid_t;
        let mut stdout = child.stdout.expect("piped stdout");
        let mut out = String::new();
        let _ = stdout.read_to_string(&mut out);
        let mut status = 0;
        let mut ru: libc::rusage = unsafe { std::mem::zeroed() };
        // SAFETY: waits for our own child and fills a zeroed rusage.
        unsafe { libc::wait4(pid, &mut status, 0, &mut ru) };
        let wall = started.elapsed();
        let tv = |t: libc::timeval| {
            Duration::from_secs(t.tv_sec as u64) + Duration::from_micros(t.tv_usec as u64)
        };
        let summary = out
            .lines()
            .find(|l| l.starts_with("total:"))
            .unwrap_or("(no total line)")
            .to_string();
        Usage {
            wall,
            cpu: tv(ru.ru_utime) + tv(ru.ru_stime),
            max_rss_kb: ru.ru_maxrss,
            summary,
            postgres_cpu: None,
        }
    })
    .await
    .unwrap()
}

fn report(n: usize, what: &str, u: &Usage) {
    let postgres = u.postgres_cpu.map_or(String::new(), |c| {
        format!(" + PostgreSQL {:.2} s", c.as_secs_f64())
    });
    println!(
        "{n:>6} watches, {what:<32} wall {:>6.2} s  cpu {:>6.2} s{postgres}  peak RSS {:>4} MB  {:>7.0} watches/s   [{}]",
        u.wall.as_secs_f64(),
        u.cpu.as_secs_f64(),
        u.max_rss_kb / 1024,
        n as f64 / u.wall.as_secs_f64(),
        u.summary
    );
}

/// The daemon with `n` watches, all checked and not due: CPU share and RSS over 20 s.
async fn idle(config: &Path, n: usize) {
    let mut child = std::process::Command::new(presswatch_bin())
        .args(["run", "--config"])
        .arg(config)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("start presswatch run");
    let pid = child.id();
    tokio::time::sleep(Duration::from_secs(5)).await;
    let cpu_ticks = |pid: u32| -> u64 {
        let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
        let fields: Vec<&str> = stat
            .rsplit(')')
            .next()
            .unwrap_or("")
            .split_whitespace()
            .collect();
        fields
            .get(11)
            .and_then(|u| u.parse::<u64>().ok())
            .unwrap_or(0)
            + fields
                .get(12)
                .and_then(|s| s.parse::<u64>().ok())
                .unwrap_or(0)
    };
    let rss_kb = |pid: u32| -> u64 {
        std::fs::read_to_string(format!("/proc/{pid}/status"))
            .unwrap_or_default()
            .lines()
            .find(|l| l.starts_with("VmRSS:"))
            .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
            .unwrap_or(0)
    };
    let before = cpu_ticks(pid);
    let window = Duration::from_secs(20);
    tokio::time::sleep(window).await;
    let ticks = cpu_ticks(pid) - before;
    let hz = unsafe { libc::sysconf(libc::_SC_CLK_TCK) } as f64;
    println!(
        "{n:>6} watches, idle daemon over {}s: {:.2}% of one core, RSS {} MB",
        window.as_secs(),
        ticks as f64 / hz / window.as_secs_f64() * 100.0,
        rss_kb(pid) / 1024
    );
    let _ = child.kill();
    let _ = child.wait();
}

/// Sets every watch's due time. The statement can deadlock with a replica's
/// batched hand-back (both write many schedule rows), and PostgreSQL then
/// aborts one of them: try again.
async fn set_every_due_time(cluster: &pg::Cluster, db: &str, due_ms: i64) {
    let sql = format!("UPDATE watch_state SET due_ms = {due_ms}");
    let mut last = String::new();
    for _ in 0..20 {
        match cluster.psql(db, &sql) {
            Ok(_) => return,
            Err(e) => last = e,
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("cannot set the due times: {last}");
}
