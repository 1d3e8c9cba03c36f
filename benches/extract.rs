//! Extraction benchmark: one core, parse + metadata + main content per page,
//! against a bare html5ever parse of the same pages in the same run.
//!
//!     cargo bench --bench extract               # 5 passes over the corpus
//!     cargo bench --bench extract -- 20         # 20 passes
//!
//! Pages come from ../shared/corpus/extraction-dev (`PRESSWATCH_CORPUS=DIR`
//! points elsewhere; any *.html / *.html.gz below it) or are generated when it
//! is absent. Each pass parses every page bare (`scraper::Html::parse_document`,
//! the html5ever tree the extractor builds, with nothing done to it but
//! freeing it, which extraction's time includes too) and then
//! extracts it; the two alternate page by page so that drifts in machine speed
//! hit both alike. Prints, for each, the median time per page, the total and
//! the throughput in MB of HTML per second, then the ratio of the extraction
//! total to the parse total; reading and gunzip are not timed.
//! `presswatch extract --corpus` gives the extraction figures for a single
//! pass, with the predictions.

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
            let run = presswatch::corpus::extract_corpus(&dir).expect("corpus readable");
            println!("corpus {}: {}", dir.display(), run.summary());
            load_pages(&dir)
        }
        false => {
            println!("no corpus at {}: generated pages", dir.display());
            (0..50).map(generated_page).collect()
        }
    };
    let bytes: usize = pages.iter().map(String::len).sum();
    let mut parse = Timings::default();
    let mut extract = Timings::default();
    for _ in 0..passes {
        for html in &pages {
            // The tree is freed inside the timing, as extraction frees its own.
            let start = Instant::now();
            drop(std::hint::black_box(scraper::Html::parse_document(html)));
            parse.add(start.elapsed());
            let start = Instant::now();
            let doc = extract::article(html, None, None);
            extract.add(start.elapsed());
            std::hint::black_box(doc);
        }
    }
    println!("{} pages x {passes} passes", pages.len());
    println!("bare html5ever parse: {}", parse.summary(bytes * passes));
    println!("extraction:           {}", extract.summary(bytes * passes));
    println!(
        "extraction / bare parse: {:.2}x (total time)",
        extract.total.as_secs_f64() / parse.total.as_secs_f64()
    );
}

/// Per-page times of one kind of work.
#[derive(Default)]
struct Timings {
    per_page: Vec<Duration>,
    total: Duration,
}

impl Timings {
    fn add(&mut self, t: Duration) {
        self.per_page.push(t);
        self.total += t;
    }

    /// Median per page, total, and MB of HTML per second over `bytes`.
    fn summary(&mut self, bytes: usize) -> String {
        self.per_page.sort();
        let median = self.per_page[self.per_page.len() / 2];
        format!(
            "median {:.2} ms/page, total {:.0} ms, {:.1} MB/s",
            median.as_secs_f64() * 1e3,
            self.total.as_secs_f64() * 1e3,
            bytes as f64 / 1e6 / self.total.as_secs_f64()
        )
    }
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
                out.push(presswatch::charset::decode(&html, None).into_owned());
            } else if name.ends_with(".html") {
                out.push(
                    presswatch::charset::decode(
                        &std::fs::read(&path).expect("page readable"),
                        None,
                    )
                    .into_owned(),
                );
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
