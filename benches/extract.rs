//! Extraction benchmark: one core, parse + metadata + main content per page.
//!
//!     cargo bench --bench extract               # 5 passes over the corpus
//!     cargo bench --bench extract -- 20         # 20 passes
//!
//! Pages come from ../shared/corpus/extraction-dev (`PRESSWATCH_CORPUS=DIR`
//! points elsewhere; any *.html / *.html.gz below it) or are generated when it
//! is absent. Prints the median time per page and the throughput in MB of HTML
//! per second; reading and gunzip are not timed. `presswatch extract --corpus`
//! gives the same figures for a single pass, with the predictions.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use presswatch::extract;

fn main() {
    // `cargo test --all-targets` runs bench targets without `--bench`: skip there.
    let args: Vec<String> = std::env::args().skip(1).collect();
    if !args.iter().any(|a| a == "--bench") {
        println!("extract benchmark skipped (run it with `cargo bench --bench extract`)");
        return;
    }
    let passes: usize = args.iter().find_map(|a| a.parse().ok()).unwrap_or(5);
    let dir = std::env::var_os("PRESSWATCH_CORPUS")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("../shared/corpus/extraction-dev"));
    let pages: Vec<String> = match dir.is_dir() {
        true => {
            // One warm-up pass through the library also loads the pages.
            let run = extract::extract_corpus(&dir).expect("corpus readable");
            println!("corpus {}: {}", dir.display(), run.summary());
            load_pages(&dir)
        }
        false => {
            println!("no corpus at {}: generated pages", dir.display());
            (0..50).map(generated_page).collect()
        }
    };
    let bytes: usize = pages.iter().map(String::len).sum();
    let mut per_page: Vec<Duration> = Vec::new();
    let mut total = Duration::ZERO;
    for _ in 0..passes {
        for html in &pages {
            let start = Instant::now();
            let doc = extract::article(html, None, None);
            let t = start.elapsed();
            std::hint::black_box(doc);
            per_page.push(t);
            total += t;
        }
    }
    per_page.sort();
    let median = per_page[per_page.len() / 2];
    println!(
        "{} pages x {passes} passes: median {:.2} ms/page, {:.1} MB/s",
        pages.len(),
        median.as_secs_f64() * 1e3,
        (bytes * passes) as f64 / 1e6 / total.as_secs_f64()
    );
}

/// The decoded HTML of every page below `dir`.
fn load_pages(dir: &std::path::Path) -> Vec<String> {
    let mut out = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(d) = pending.pop() {
        for entry in std::fs::read_dir(&d).expect("corpus readable").flatten() {
            let path = entry.path();
            let name = path.to_string_lossy().to_string();
            if path.is_dir() {
                pending.push(path);
            } else if name.ends_with(".html.gz") {
                let raw = std::fs::read(&path).expect("page readable");
                let mut html = Vec::new();
                std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(&raw[..]), &mut html)
                    .expect("gzip");
                out.push(presswatch::fetch::decode(&html, None));
            } else if name.ends_with(".html") {
                out.push(presswatch::fetch::decode(
                    &std::fs::read(&path).expect("page readable"),
                    None,
                ));
            }
        }
    }
    out
}

/// A news-like page of about 150 KB: navigation, an article, teasers, footer.
fn generated_page(seed: usize) -> String {
    let mut html = String::from("<html><head><title>Story | Site</title></head><body><nav>");
    for i in 0..200 {
        html.push_str(&format!("<a href=\"/s{i}\">Section {i}</a> "));
    }
    html.push_str("</nav><article><h1>Headline</h1>");
    for i in 0..40 {
        html.push_str(&format!(
            "<p>Paragraph {i} of story {seed}: the minister said on Monday that the case would be reviewed, <a href=\"/x\">officials</a> added.</p>"
        ));
    }
    html.push_str("</article><aside>");
    for i in 0..300 {
        html.push_str(&format!(
            "<div class=\"teaser\"><a href=\"/t{i}\">Teaser headline {i}</a><span>2h</span></div>"
        ));
    }
    html.push_str("</aside><script>");
    html.push_str(&"var x = 1;".repeat(5_000));
    html.push_str("</script><footer>Copyright</footer></body></html>");
    html
}
