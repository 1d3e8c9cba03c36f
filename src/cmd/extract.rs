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
    /// Fetch a URL with this config's [daemon] settings (timeout, max_body,
    /// user_agent) instead of the defaults, as its daemon would.
    #[arg(long, value_name = "FILE", conflicts_with = "corpus")]
    config: Option<PathBuf>,
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
                    self.config.as_deref(),
                )
                .await
            }
        }
    }
}

/// The file `source` names, when it is one: a URL of another scheme, or a
/// directory, is refused with what to give instead.
fn page_file(source: &str) -> Result<&Path, String> {
    if let Some((scheme, _)) = source.split_once("://") {
        if !scheme.is_empty()
            && scheme
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
        {
            return Err(format!(
                "{source}: only http:// and https:// URLs are fetched; give one of those, or an HTML file (may be .gz)"
            ));
        }
    }
    let path = Path::new(source);
    if path.is_dir() {
        return Err(format!(
            "{source} is a directory: give one HTML file (may be .gz), or extract every page below it with \
             `presswatch extract --corpus {source}`"
        ));
    }
    Ok(path)
}

/// One page, from a file or a URL (fetched with the `[daemon]` settings of
/// `config`, or the defaults).
async fn page(
    source: &str,
    json: bool,
    selector: Option<&str>,
    config: Option<&Path>,
) -> Result<ExitCode, String> {
    if let Some(why) = selector.and_then(presswatch::config::selector_problem) {
        return Err(format!(
            "--selector {:?} is not a valid CSS selector: {why}",
            selector.unwrap_or_default()
        ));
    }
    // The status of a URL's answer, when it is no success.
    let mut failed_status = None;
    // Why a URL's answer holds no article whatever is detected or selected.
    let mut no_web_page = None;
    let (html, url, raw, content_type) =
        if source.starts_with("http://") || source.starts_with("https://") {
            let url = url::Url::parse(source).map_err(|e| format!("bad URL {source}: {e}"))?;
            let settings = match config {
                Some(path) => super::load_config(path)?.daemon.clone(),
                None => {
                    Config::parse(Path::new("(defaults)"), "")
                        .map_err(|e| e.to_string())?
                        .daemon
                }
            };
            let fetcher = Fetcher::http_once(&settings).map_err(|e| e.to_string())?;
            let policy = fetch::NetworkPolicy::trusting_host_of(&url);
            match fetcher
                .fetch(&url, &Default::default(), &policy)
                .await
                .map_err(|e| fetch_failed(&url, e, config.is_some()))?
            {
                fetch::Fetched::Page(r) => {
                    if !(200..300).contains(&r.status) {
                        failed_status = Some(r.exchange.status_line.clone());
                    }
                    no_web_page = presswatch::check::no_web_page(&r)
                        .or_else(|| presswatch::check::not_html_article(&r));
                    let html = r.text().into_owned();
                    (html, Some(r.final_url), r.body, r.content_type)
                }
                fetch::Fetched::NotModified(_) => return Err("unexpected 304".into()),
            }
        } else {
            let raw = super::page_file_bytes(page_file(source)?)?;
            let html = presswatch::charset::decode(&raw, None).into_owned();
            (html, None, raw, None)
        };
    let doc = extract::watched_article(&html, url.as_ref(), selector);
    if json {
        println!(
            "{}",
            serde_json::to_string_pretty(&doc).map_err(|e| e.to_string())?
        );
    } else {
        // The headline as the page shows it, which alerts show, when the
        // declared title differs (a site's name appended, an SEO title).
        let shown = doc
            .headline()
            .filter(|h| Some(*h) != doc.title.as_deref())
            .map(str::to_string);
        for (k, v) in [
            ("Title", &doc.title),
            ("Headline", &shown),
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
    // Said after the output, where it is read last: what was printed is
    // no article's text, or nothing was found.
    if let Some(status) = failed_status {
        let status = status.split_once(' ').map_or(status.as_str(), |(_, s)| s);
        eprintln!(
            "{source} answered HTTP {status}: what is shown is the text of the error page, not of an article; \
             open the URL in a browser and copy the address from the address bar"
        );
        return Ok(ExitCode::FAILURE);
    }
    // A feed is read as one, by a watch of its kind: what is shown above is
    // the feed's own title and text, not an article's.
    let base = url
        .clone()
        .or_else(|| url::Url::parse("file:///").ok())
        .ok_or("no base URL")?;
    let feed_items = extract::feed(&raw, content_type.as_deref(), &base)
        .map(|items| items.len())
        .unwrap_or(0);
    // An XML sitemap reads as a feed of its pages too: its own words
    // (`no_web_page`) name it as what it is.
    let sitemap = matches!(
        extract::not_html(&html),
        Some(extract::NotHtml::Sitemap { .. })
    );
    if doc.blocks.is_empty() || (feed_items > 0 && selector.is_none()) {
        let what = match (selector, no_web_page) {
            (None, _) if feed_items > 0 && !sitemap => format!(
                "{} (`presswatch check --config FILE --watch NAME --dry-run` lists the items it finds)",
                presswatch::check::feed_not_article(feed_items)
            ),
            (_, Some(why)) => why,
            (Some(css), None) => format!("--selector {css:?} matches no text; check it against the page's source"),
            (None, None) => "the page may be no article (a front page or a tag page: a watch of kind = \"listing\"), \
                     or build its text with scripts; try --selector with the CSS selector of the element \
                     holding the text (a watch's `selector`)"
                .to_string(),
        };
        eprintln!("no article text found in {source}: {what}");
        return Ok(ExitCode::FAILURE);
    }
    // A tiny article on a page of many story links: what was printed is
    // most likely a listing's teaser, which a watch would take for its story.
    if selector.is_none() {
        // A file's links are read against the address it declares, or a
        // stand-in site of their own.
        let site = url
            .or_else(|| {
                doc.canonical_url
                    .as_deref()
                    .and_then(|u| url::Url::parse(u).ok())
            })
            .or_else(|| url::Url::parse("https://page.invalid/").ok())
            .ok_or("no base URL")?;
        if let Some(stories) = extract::reads_as_listing(&html, &site, doc.word_count()) {
            eprintln!(
                "{source}: {}",
                presswatch::check::listing_not_article(doc.word_count(), stories)
            );
            return Ok(ExitCode::FAILURE);
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

/// Why a URL could not be fetched, for a one-shot command: in the words
/// the error has for one ([`fetch::FetchError::one_shot`]: a server error,
/// or a body cut off, says to try again, where a watch's check says
/// presswatch will); advice to raise a `[daemon]` setting says how, when no
/// config's settings were used.
fn fetch_failed(url: &url::Url, e: fetch::FetchError, with_config: bool) -> String {
    let said = e.one_shot();
    match e {
        fetch::FetchError::Timeout(_)
        | fetch::FetchError::TooLarge { .. }
        | fetch::FetchError::Inflated { .. }
            if !with_config =>
        {
            format!(
                "fetching {url}: {said} (extract used the default settings: give it --config FILE \
                 to fetch with that config's [daemon] settings)"
            )
        }
        _ => format!("fetching {url}: {said}"),
    }
}
