//! `presswatch extract`: the article of one page, or a whole corpus.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use presswatch::config::Config;
use presswatch::document::ProseKind;
use presswatch::extract;
use presswatch::fetch::{self, Fetcher};

/// The arguments of `presswatch extract`.
#[derive(clap::Args)]
pub struct Extract {
    /// An HTML file (may be .gz) or an http(s) URL.
    #[arg(required_unless_present = "corpus")]
    source: Option<String>,
    /// Extract every *.html / *.html.gz below DIR instead, printing pages,
    /// total time, median ms per page and MB/s (extraction only).
    #[arg(long, value_name = "DIR", conflicts_with_all = ["source", "selector", "json"])]
    corpus: Option<PathBuf>,
    /// With --corpus: write {id: {articleBody, title, byline, ...}} here.
    #[arg(long, value_name = "PRED.json", requires = "corpus")]
    out: Option<PathBuf>,
    /// Print JSON (all fields and the blocks).
    #[arg(long)]
    json: bool,
    /// CSS selector of the article text, overriding detection.
    #[arg(long, value_name = "CSS")]
    selector: Option<String>,
}

impl Extract {
    /// Prints the extracted article (its metadata, blocks and the page's
    /// other prose), or extracts the corpus with `--corpus`.
    pub async fn run(self) -> Result<ExitCode, String> {
        match &self.corpus {
            Some(dir) => corpus(dir, self.out.as_deref()),
            None => {
                page(
                    self.source.as_deref().unwrap_or_default(),
                    self.json,
                    self.selector.as_deref(),
                )
                .await
            }
        }
    }
}

/// One page, from a file or a URL.
async fn page(source: &str, json: bool, selector: Option<&str>) -> Result<ExitCode, String> {
    if let Some(why) = selector.and_then(presswatch::config::selector_problem) {
        return Err(format!(
            "--selector {:?} is not a valid CSS selector: {why}",
            selector.unwrap_or_default()
        ));
    }
    let (html, url) = if source.starts_with("http://") || source.starts_with("https://") {
        let url = url::Url::parse(source).map_err(|e| format!("bad URL {source}: {e}"))?;
        let settings = Config::parse(Path::new("(defaults)"), "")
            .map_err(|e| e.to_string())?
            .daemon;
        let fetcher = Fetcher::http(&settings).map_err(|e| e.to_string())?;
        let policy = fetch::NetworkPolicy::trusting_host_of(&url);
        match fetcher
            .fetch(&url, &Default::default(), &policy)
            .await
            .map_err(|e| format!("fetching {url}: {e}"))?
        {
            fetch::Fetched::Page(r) => (r.text().into_owned(), Some(r.final_url)),
            fetch::Fetched::NotModified(_) => return Err("unexpected 304".into()),
        }
    } else {
        (
            presswatch::charset::decode(&presswatch::corpus::read_page(Path::new(source))?, None)
                .into_owned(),
            None,
        )
    };
    let doc = extract::watched_article(&html, url.as_ref(), selector);
    if json {
        println!(
            "{}",
            serde_json::to_string_pretty(&doc).map_err(|e| e.to_string())?
        );
    } else {
        for (k, v) in [
            ("Title", &doc.title),
            ("Byline", &doc.byline),
            ("Published", &doc.published),
            ("Modified", &doc.modified),
            ("URL", &doc.canonical_url),
            ("Language", &doc.lang),
            ("Direction", &doc.dir),
        ] {
            if let Some(v) = v {
                println!("{k}: {v}");
            }
        }
        println!();
        for b in &doc.blocks {
            println!("{}\n", b.text);
        }
        // The page's other prose, as the baseline keeps it for the safety
        // net, the captions of the story's photos said to be.
        for p in &doc.other_prose {
            match p.kind {
                ProseKind::Paragraph => println!("Other-Prose: {}", p.text),
                ProseKind::Caption => println!("Other-Prose (photo caption): {}", p.text),
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Every page below `dir`: the summary line, and the predictions in `out`.
fn corpus(dir: &Path, out: Option<&Path>) -> Result<ExitCode, String> {
    let run = presswatch::corpus::extract_corpus(dir)?;
    if let Some(out) = out {
        let json = serde_json::to_string_pretty(&run.predictions).map_err(|e| e.to_string())?;
        std::fs::write(out, json).map_err(|e| format!("cannot write {}: {e}", out.display()))?;
    }
    println!("{}", run.summary());
    Ok(ExitCode::SUCCESS)
}
