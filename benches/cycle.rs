//! Whole-cycle benchmark: the real `presswatch` binary checking 1,000 and
//! 10,000 article watches served by a loopback HTTP server from this process.
//!
//!     cargo bench --bench cycle                # 1,000 and 10,000 watches, then the feeds
//!     cargo bench --bench cycle -- 1000        # only these sizes, then the feeds
//!     cargo bench --bench cycle -- feeds       # only the feeds
//!
//! Pages come from ../shared/corpus/extraction-dev/html (real news pages,
//! about 180 KB on average; `PRESSWATCH_CORPUS=DIR` points elsewhere) or are
//! generated when it is absent. Each size runs three cycles: a first one that
//! stores baselines, one where every page changed (fetch + extract + compare +
//! store + outbox + webhook delivery), and one where the server answers 304.
//! Wall time, CPU time and peak RSS are those of the presswatch process
//! (wait4), not of this harness. Extraction and comparison cost per page are
//! measured separately, in process, so a regression shows where it is.
//!
//! Then one feed watch of 10,000 and of 100,000 items: a first cycle records
//! the items, a second finds every item new (and sends one alert listing
//! them). Handling new items must be linear: the 100,000-item check may cost
//! at most 10 times the CPU of the 10,000-item one, which the last line
//! reports.

use std::collections::HashMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

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
    rt.block_on(run(&sizes));
}

async fn run(sizes: &[usize]) {
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
            "pages: {} distinct ({source}), average {:.0} KB",
            originals.len(),
            total as f64 / originals.len() as f64 / 1024.0
        );
        per_page_costs(&originals);
    }
    let version = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let addr = serve(pages.clone(), version.clone()).await;
    for &n in sizes {
        let dir = tempfile::tempdir().unwrap();
        let config = write_config(dir.path(), addr, n);
        version.store(0, std::sync::atomic::Ordering::SeqCst);
        let first = presswatch_check(&config).await;
        report(n, "first cycle (baselines stored)", &first);
        version.store(1, std::sync::atomic::Ordering::SeqCst);
        let changed = presswatch_check(&config).await;
        report(n, "every page changed", &changed);
        let unchanged = presswatch_check(&config).await;
        report(n, "304 Not Modified", &unchanged);
        if n == *sizes.iter().max().unwrap() {
            idle(&config, n).await;
        }
    }
    feeds(addr, &version).await;
}

/// The feed sizes of the bench: the larger must cost at most 10 times the smaller.
const FEED_SIZES: [usize; 2] = [10_000, 100_000];

/// One feed watch per size: a first cycle records its items, a second finds
/// every item new. Reports both, and the CPU ratio of the new-item checks.
async fn feeds(addr: std::net::SocketAddr, version: &std::sync::atomic::AtomicUsize) {
    let mut new_items_cpu = Vec::new();
    for n in FEED_SIZES {
        let dir = tempfile::tempdir().unwrap();
        let config = write_feed_config(dir.path(), addr, n);
        version.store(0, std::sync::atomic::Ordering::SeqCst);
        let first = presswatch_check(&config).await;
        report_feed(n, "first cycle (items recorded)", &first);
        version.store(1, std::sync::atomic::Ordering::SeqCst);
        let new = presswatch_check(&config).await;
        report_feed(n, "every item new", &new);
        new_items_cpu.push(new.cpu.as_secs_f64());
    }
    let ratio = new_items_cpu[1] / new_items_cpu[0];
    println!(
        "feed of {} vs {} items, every item new: cpu ratio {ratio:.1} (at most 10 allowed): {}",
        FEED_SIZES[1],
        FEED_SIZES[0],
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

fn report_feed(n: usize, what: &str, u: &Usage) {
    println!(
        "feed of {n:>6} items, {what:<28} wall {:>6.2} s  cpu {:>6.2} s  peak RSS {:>4} MB   [{}]",
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
/// of the page is located in the HTML and its longest paragraph edited.
fn revise(page: &[u8]) -> Vec<u8> {
    let html = String::from_utf8_lossy(page).into_owned();
    let doc = extract::article(&html, None, None);
    let longest = doc
        .blocks
        .iter()
        .map(|b| b.text.as_str())
        .filter(|t| html.contains(*t))
        .max_by_key(|t| t.len());
    match longest.and_then(|t| t.split_whitespace().nth(3).map(|w| (t, w))) {
        Some((t, w)) => html
            .replacen(t, &t.replacen(w, "revised", 1), 1)
            .into_bytes(),
        None => html
            .replacen(
                "<body",
                "<body><article><p>Revised paragraph of the story.</p></article",
                1,
            )
            .into_bytes(),
    }
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
}

fn median(v: &mut [f64]) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v.get(v.len() / 2).copied().unwrap_or(0.0)
}

/// Serves `/w/{i}` and the feeds `/feed/{n}` from the current version (ETag
/// per version, 304 on a match) and accepts webhook POSTs at `/hook`.
/// HTTP/1.1 keep-alive.
async fn serve(
    pages: Arc<Pages>,
    version: Arc<std::sync::atomic::AtomicUsize>,
) -> std::net::SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((mut sock, _)) = listener.accept().await {
            let pages = pages.clone();
            let version = version.clone();
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
                    let (status, content_type, body): (u16, &str, Vec<u8>) = match (page, feed) {
                        (Some(_), _) | (_, Some(_)) if not_modified => {
                            (304, "text/html", Vec::new())
                        }
                        (Some(i), _) => {
                            let set = &pages.versions[v];
                            (200, "text/html; charset=utf-8", set[i % set.len()].to_vec())
                        }
                        (_, Some(n)) => (200, "application/rss+xml", generated_feed(n, v)),
                        _ => (200, "text/html", Vec::new()),
                    };
                    let head = format!(
                        "HTTP/1.1 {status} X\r\nContent-Type: {content_type}\r\nETag: {etag}\r\nContent-Length: {}\r\n\r\n",
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

/// What one presswatch process cost.
struct Usage {
    wall: Duration,
    cpu: Duration,
    max_rss_kb: i64,
    summary: String,
}

/// Runs `presswatch check` to completion and reads its resource usage.
// The child is reaped by wait4 (which std's wait cannot do with rusage).
#[allow(clippy::zombie_processes)]
async fn presswatch_check(config: &Path) -> Usage {
    let config = config.to_path_buf();
    tokio::task::spawn_blocking(move || {
        let started = Instant::now();
        let child = std::process::Command::new(env!("CARGO_BIN_EXE_presswatch"))
            .args(["check", "--config"])
            .arg(&config)
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
        }
    })
    .await
    .unwrap()
}

fn report(n: usize, what: &str, u: &Usage) {
    println!(
        "{n:>6} watches, {what:<32} wall {:>6.2} s  cpu {:>6.2} s  peak RSS {:>4} MB  {:>7.0} watches/s   [{}]",
        u.wall.as_secs_f64(),
        u.cpu.as_secs_f64(),
        u.max_rss_kb / 1024,
        n as f64 / u.wall.as_secs_f64(),
        u.summary
    );
}

/// The daemon with `n` watches, all checked and not due: CPU share and RSS over 20 s.
async fn idle(config: &Path, n: usize) {
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_presswatch"))
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
