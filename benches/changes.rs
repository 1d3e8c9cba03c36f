//! The change-detection benchmark: does presswatch alert on every real edit
//! and stay silent on boilerplate churn?
//!
//! `cargo bench --bench changes -- --corpus DIR [--corpus DIR ...] [--seed N]
//! [--variants N] [--json] [--dump DIR] [-v]` (README: Change-detection
//! benchmark). Run without `--bench`, as `cargo test --all-targets` does, it
//! checks itself on a small fixture instead.
//!
//! From each page of a corpus (`html/<id>.html[.gz]` plus `ground-truth.json`
//! giving each page's true `articleBody`) it generates pairs of versions by
//! editing the parsed HTML:
//! - noise: changes that touch only nodes whose text is *not* in the true
//!   article body (teasers rewritten, lists re-ordered, an ad or newsletter
//!   block inserted, scripts / attributes / cache-busting URLs changed, a
//!   relative timestamp ticking);
//! - edits: changes to text that *is* in the true body (one word, a paragraph
//!   removed or added, the headline).
//!
//! Both versions of a pair are serialised from the same parse, so only the
//! mutation differs. Each pair then runs the daemon's own path:
//! [`extract::watched_article`] on both, the old one round-tripped through the
//! baseline format, and [`compare::compare`] with default rules. A noise pair
//! that alerts is a false alert; an edit pair that does not alert, or whose
//! diff does not name the changed words, is a missed edit.

use std::collections::{BTreeMap, HashSet};
use std::io::Read;
use std::path::Path;
use std::time::{Duration, Instant};

use ego_tree::NodeId;
use scraper::{Html, Node};
use serde::Serialize;

use presswatch::compare::{self, Change, Rules};
use presswatch::document::Document;
use presswatch::{charset, extract, text};

/// One corpus page: its HTML and the text of its true article body.
#[derive(Debug, Clone)]
pub struct Page {
    /// The page id (file stem).
    pub id: String,
    /// The page URL, when the ground truth gives one.
    pub url: Option<url::Url>,
    /// The HTML as served.
    pub html: String,
    /// The true article text.
    pub body: String,
    /// The headline, when the ground truth gives one.
    pub title: Option<String>,
    /// The byline, when the ground truth gives one.
    pub byline: Option<String>,
}

/// Loads `DIR/ground-truth.json` and the pages it names from `DIR/html/`.
pub fn load_corpus(dir: &Path) -> Result<Vec<Page>, String> {
    let truth_path = dir.join("ground-truth.json");
    let truth = std::fs::read_to_string(&truth_path)
        .map_err(|e| format!("cannot read {}: {e}", truth_path.display()))?;
    let truth: BTreeMap<String, serde_json::Value> = serde_json::from_str(&truth)
        .map_err(|e| format!("{}: not a JSON object of pages: {e}", truth_path.display()))?;
    let mut pages = Vec::new();
    for (id, entry) in truth {
        let Some(body) = entry.get("articleBody").and_then(|b| b.as_str()) else {
            return Err(format!(
                "{}: page {id} has no articleBody",
                truth_path.display()
            ));
        };
        let plain = dir.join("html").join(format!("{id}.html"));
        let gz = dir.join("html").join(format!("{id}.html.gz"));
        let bytes = if gz.exists() {
            let raw =
                std::fs::read(&gz).map_err(|e| format!("cannot read {}: {e}", gz.display()))?;
            let mut out = Vec::new();
            flate2::read::GzDecoder::new(&raw[..])
                .read_to_end(&mut out)
                .map_err(|e| format!("cannot gunzip {}: {e}", gz.display()))?;
            out
        } else {
            std::fs::read(&plain).map_err(|e| format!("cannot read {}: {e}", plain.display()))?
        };
        let field = |k: &str| {
            entry
                .get(k)
                .and_then(|v| v.as_str())
                .map(str::trim)
                .filter(|v| !v.is_empty())
                .map(str::to_string)
        };
        pages.push(Page {
            title: field("title"),
            byline: field("byline"),
            url: entry
                .get("url")
                .and_then(|u| u.as_str())
                .and_then(|u| url::Url::parse(u).ok()),
            html: presswatch::charset::decode(&bytes, None).into_owned(),
            body: body.to_string(),
            id,
        });
    }
    Ok(pages)
}

/// A boilerplate-only mutation: must not alert.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum NoiseKind {
    /// Up to three teaser / link texts outside the article replaced by others
    /// (outside the element that holds the article's paragraphs, too).
    TeaserRewritten,
    /// A list of links outside the article rotated (outside the element
    /// that holds the article's paragraphs, too).
    ListReordered,
    /// An advertisement slot inserted after an article paragraph.
    AdInserted,
    /// A newsletter sign-up block inserted after an article paragraph.
    NewsletterInserted,
    /// Every inline script's code changed.
    ScriptsChanged,
    /// data-*, nonce and style attributes and generated class names changed.
    AttributesChanged,
    /// Cache-busting query strings on images, scripts and stylesheets changed.
    CacheBusting,
    /// A relative timestamp near the headline ticks ("5 minutes ago" → "17 minutes ago").
    RelativeTimestamp,
    /// Schema.org JSON-LD dropped or added (an SEO plugin switched off or
    /// on): all of it, or only the article object. A page without an
    /// article object gets one made from its own headline and byline.
    StructuredDataToggled,
    /// The `dateModified` of the JSON-LD article (made as above when the page
    /// has none) and the `article:modified_time` / `og:updated_time` tags tick.
    DateModifiedTicked,
    /// OpenGraph and Twitter `<meta>` tags removed or added (made from the
    /// page's own headline, byline and first sentence when it has none).
    SocialTagsToggled,
    /// Page chrome that differs between A/B variants: a "most read" box
    /// next to the article lists other stories, with their summaries.
    ChromeVariant,
    /// A cookie consent banner present on one fetch and absent on the next.
    ConsentBannerToggled,
    /// Images switch between eager (`src`, `srcset`) and lazy loading
    /// (`data-src`, `data-srcset`, a placeholder `src`, `loading="lazy"`).
    LazyLoadingSwapped,
}

/// An edit of the article: must alert and name the changed words.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum EditKind {
    /// One word of an article sentence replaced.
    WordChanged,
    /// One article paragraph removed.
    ParagraphRemoved,
    /// One paragraph added after an article paragraph.
    ParagraphAdded,
    /// The headline changed wherever the page prints it (`<h1>`, `<title>`,
    /// og:title, twitter:title, JSON-LD).
    HeadlineChanged,
}

/// What a pair tests.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(tag = "class", content = "kind", rename_all = "snake_case")]
pub enum PairKind {
    /// Boilerplate only.
    Noise(NoiseKind),
    /// The article changed.
    Edit(EditKind),
}

impl PairKind {
    /// Every kind the benchmark generates.
    pub const ALL: [PairKind; 18] = [
        PairKind::Noise(NoiseKind::TeaserRewritten),
        PairKind::Noise(NoiseKind::ListReordered),
        PairKind::Noise(NoiseKind::AdInserted),
        PairKind::Noise(NoiseKind::NewsletterInserted),
        PairKind::Noise(NoiseKind::ScriptsChanged),
        PairKind::Noise(NoiseKind::AttributesChanged),
        PairKind::Noise(NoiseKind::CacheBusting),
        PairKind::Noise(NoiseKind::RelativeTimestamp),
        PairKind::Noise(NoiseKind::StructuredDataToggled),
        PairKind::Noise(NoiseKind::DateModifiedTicked),
        PairKind::Noise(NoiseKind::SocialTagsToggled),
        PairKind::Noise(NoiseKind::ChromeVariant),
        PairKind::Noise(NoiseKind::ConsentBannerToggled),
        PairKind::Noise(NoiseKind::LazyLoadingSwapped),
        PairKind::Edit(EditKind::WordChanged),
        PairKind::Edit(EditKind::ParagraphRemoved),
        PairKind::Edit(EditKind::ParagraphAdded),
        PairKind::Edit(EditKind::HeadlineChanged),
    ];

    /// `noise/teaser_rewritten`, `edit/word_changed`, ...
    pub fn name(self) -> String {
        let v = serde_json::to_value(self).unwrap_or_default();
        format!(
            "{}/{}",
            v["class"].as_str().unwrap_or(""),
            v["kind"].as_str().unwrap_or("")
        )
    }
}

/// The words an edit changed, which the alert's diff must name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Expected {
    /// Words that must appear among the removed text.
    pub removed: Vec<String>,
    /// Words that must appear among the added text (or the new headline).
    pub added: Vec<String>,
    /// The article text the edit touches or sits next to: when extraction
    /// missed it, a missed edit is extraction's fault.
    pub context: Option<String>,
}

/// Two versions of a page.
#[derive(Debug, Clone)]
pub struct Pair {
    /// The page.
    pub page: String,
    /// What was mutated.
    pub kind: PairKind,
    /// The old version.
    pub old_html: String,
    /// The new version.
    pub new_html: String,
    /// For edits: what the diff must name.
    pub expected: Expected,
}

/// A deterministic pseudo-random generator (SplitMix64).
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    /// A generator for a seed.
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (0 when `n` is 0).
    pub fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next_u64() % n as u64) as usize
        }
    }

    /// A random element of a slice.
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> Option<&'a T> {
        (!items.is_empty()).then(|| &items[self.below(items.len())])
    }
}

fn seed_for(seed: u64, page: &str, kind: PairKind, variant: usize) -> u64 {
    let mut h = seed ^ 0xA076_1D64_78BD_642F;
    for b in page
        .bytes()
        .chain(kind.name().bytes())
        .chain(variant.to_le_bytes())
    {
        h = (h ^ b as u64).wrapping_mul(0x100_0000_01B3);
    }
    h
}

const TEASERS: &[&str] = &[
    "Five things to know before the markets open",
    "The week in pictures: storms, protests and a royal visit",
    "Opinion: why the city needs a new transport plan",
    "Live: follow the latest updates from the summit",
    "Recipe of the day: a quick autumn soup",
    "Watch: the moment a rescue dog found its way home",
    "Analysis: what the new budget means for you",
    "Quiz: how well did you follow the news this week?",
];

const NEW_SENTENCES: &[&str] = &[
    "Officials declined to comment further when reached by telephone on Tuesday evening.",
    "The spokesperson added that a full statement would be published within the coming days.",
    "Several witnesses told reporters they had seen police vehicles gathering near the square.",
    "A spokeswoman for the ministry said the figures would be reviewed by independent auditors.",
    "Critics argue that the decision was taken without consulting the communities most affected.",
];

const AD_BLOCKS: &[&str] = &[
    r#"<div class="ad-slot ad-mid" data-slot="mid-1" aria-label="Advertisement"><span class="ad-label">Advertisement</span><iframe src="https://ads.example.net/frame?slot=mid-1&amp;cb=8812" width="300" height="250"></iframe></div>"#,
    r#"<div class="sponsored-content native-ad"><span class="label">Sponsored</span><a href="https://ads.example.net/click?id=4471"><img src="https://ads.example.net/i/4471.jpg" alt="">Discover the ten most beautiful coastal towns to visit this winter</a></div>"#,
];

const NEWSLETTER_BLOCKS: &[&str] = &[
    r#"<aside class="newsletter-signup inline-promo"><h3>Get our morning briefing</h3><p>Sign up to receive the day's top stories in your inbox every morning.</p><form action="https://news.example.net/subscribe"><input type="email" placeholder="Email address"><button>Subscribe</button></form></aside>"#,
    r#"<div class="newsletter-promo"><p><strong>Newsletter:</strong> The stories that matter, delivered to your inbox every weekday. <a href="/newsletters">Sign up here</a>.</p></div>"#,
];

/// Stories of the "most read" boxes that differ between A/B variants of a
/// page: a headline and its one-sentence summary.
const OTHER_STORIES: &[(&str, &str)] = &[
    ("Markets fall as oil prices climb again", "Shares in energy companies led the losses after producers signalled they would keep output low through the winter."),
    ("Storm warning issued for the north coast", "Forecasters expect gusts of up to 90 km/h overnight and have asked residents to avoid travelling unless necessary."),
    ("Ten films to watch this winter season", "From a quiet family drama to a loud space opera, these are the releases our critics are looking forward to most."),
    ("City council approves new cycling lanes", "The plan adds forty kilometres of protected lanes over three years and will be paid for from the transport budget."),
    ("Hospital waiting lists reach a record high", "Patients now wait an average of eighteen weeks for planned surgery, according to figures published on Thursday."),
    ("Teachers vote to accept the pay offer", "The union said the agreement was not perfect but would end months of uncertainty for schools and for families."),
    ("Scientists map the oldest known forest", "Fossilised roots found in a disused quarry suggest that complex forests existed millions of years earlier than thought."),
    ("Rail strike called off after late talks", "Services will run as normal this weekend after both sides agreed to return to negotiations early next month."),
    ("Food prices rise for the third month", "Bread, dairy and fresh vegetables accounted for most of the increase, the statistics office said in its latest report."),
    ("Museum returns looted statues to Nepal", "The two bronze figures, taken from a temple in the 1980s, will be handed over at a ceremony in Kathmandu next week."),
    ("Young chess player breaks age record", "The eleven-year-old became the youngest player to earn the title after winning her final game in a tense endgame."),
    ("Heatwave puts pressure on power grid", "Operators asked large users to cut demand during the afternoon as air conditioning pushed consumption to new highs."),
];

/// The A/B "most read" box: (element, class, heading). Some carry class
/// names that say what they are, some only layout ones.
const CHROME_BOXES: &[(&str, &str, &str)] = &[
    ("aside", "most-read", "Most read"),
    ("section", "popular-stories", "Popular now"),
    ("div", "recirculation", "More from this section"),
    ("div", "module module--list", "Recommended for you"),
    ("section", "box", "Trending"),
];

/// Cookie consent banners, as consent platforms inject them.
const CONSENT_BANNERS: &[&str] = &[
    r#"<div id="cookie-consent" class="cookie-banner" role="dialog" aria-live="polite" aria-label="Cookie consent"><p>We use cookies and similar technologies to improve your experience, to measure our audience and to show you personalised content and advertising. By clicking "Accept all", you agree to the storing of cookies on your device. You can change your choice at any time in the privacy settings.</p><button>Accept all</button> <button>Manage preferences</button></div>"#,
    r#"<div class="cmp-container" aria-modal="true"><div class="cmp-body"><h2>We value your privacy</h2><p>We and our partners store and access information on your device, such as cookies, and process personal data such as unique identifiers to deliver content, to measure how it performs and to develop our services. You may accept or manage your choices below, including your right to object where legitimate interest is used.</p></div><div class="cmp-buttons"><button>I accept</button><button>Show purposes</button></div></div>"#,
    r#"<section id="privacy-notice" class="fixed-bottom"><p>This website stores data such as cookies to enable essential site functionality, as well as marketing, personalisation and analytics. You may change your settings at any time or accept the default settings.</p><p><a href="/privacy">Privacy policy</a> <button>Accept</button> <button>Reject</button></p></section>"#,
];

/// A transparent one-pixel image: the `src` of a lazily loaded image
/// until a script swaps in the real one.
const PLACEHOLDER_SRC: &str =
    "data:image/gif;base64,R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7";

/// Element names whose text never counts as page content.
const NON_CONTENT: &[&str] = &[
    "script", "style", "noscript", "template", "head", "title", "svg", "button", "select",
    "option", "textarea", "time",
];

/// Element names that delimit blocks of text.
const BLOCK_TAGS: &[&str] = &[
    "p",
    "div",
    "li",
    "ul",
    "ol",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "td",
    "tr",
    "table",
    "section",
    "article",
    "aside",
    "nav",
    "header",
    "footer",
    "figure",
    "figcaption",
    "blockquote",
    "dd",
    "dt",
    "dl",
    "main",
    "body",
    "form",
];

/// The parsed page with what the mutations need to know about it.
struct Analysed {
    dom: Html,
    body_key: String,
    /// Key of all the content text of the page's `<body>`.
    page_key: String,
    /// Keys of the extracted headline and byline (never touched by noise).
    protected: Vec<String>,
    title: Option<String>,
    /// The headline as the page shows it (its `<h1>`), else as declared.
    headline: Option<String>,
    /// The byline: the ground truth's, else the extracted one.
    byline: Option<String>,
    /// The first sentence of the article: the summary of made-up social tags.
    summary: Option<String>,
    /// The smallest element holding most (4 in 5) of the article's
    /// paragraphs: text inside it, between the paragraphs, is the story's
    /// (its subheadings, its links), not a teaser, even where the ground
    /// truth leaves it out.
    region: Option<NodeId>,
}

fn ancestors_have(dom: &Html, id: NodeId, names: &[&str]) -> bool {
    dom.tree
        .get(id)
        .into_iter()
        .flat_map(|n| n.ancestors())
        .any(|a| matches!(a.value(), Node::Element(e) if names.contains(&e.name())))
}

fn block_ancestor(dom: &Html, id: NodeId) -> Option<NodeId> {
    dom.tree
        .get(id)?
        .ancestors()
        .find(|a| matches!(a.value(), Node::Element(e) if BLOCK_TAGS.contains(&e.name())))
        .map(|a| a.id())
}

/// The comparison key of the text under a node (content text only).
fn text_key(dom: &Html, id: NodeId) -> String {
    let Some(node) = dom.tree.get(id) else {
        return String::new();
    };
    let mut s = String::new();
    for d in node.descendants() {
        if let Node::Text(t) = d.value() {
            if !ancestors_have(dom, d.id(), NON_CONTENT) {
                s.push_str(t);
                s.push(' ');
            }
        }
    }
    text::compare_key(&s)
}

impl Analysed {
    fn new(page: &Page) -> Analysed {
        // The words an edit is expected to name are read as extraction
        // reads them: a page encoded twice ("donâ€™t"), and the ground
        // truth taken from it, as its writer wrote it.
        let mut dom = Html::parse_document(&page.html);
        let body = match extract::undo_twice_encoded(&mut dom) {
            true => charset::undo_twice_encoded(&page.body),
            false => None,
        };
        let extracted = extract::article(&page.html, page.url.as_ref(), None);
        let protected = [extracted.title.as_deref(), extracted.byline.as_deref()]
            .into_iter()
            .flatten()
            .map(text::compare_key)
            .filter(|k| !k.is_empty())
            .collect();
        let declared = page.title.clone().or(extracted.title.clone());
        let headline = shown_headline(&dom, declared.as_deref()).or(declared);
        let summary = page
            .body
            .split_inclusive(['.', '!', '?', '\n'])
            .map(str::trim)
            .find(|s| text::word_count(s) >= 6)
            .map(|s| shorten(s, 200));
        let page_key = dom
            .tree
            .nodes()
            .find(|n| matches!(n.value(), Node::Element(e) if e.name() == "body"))
            .map(|b| text_key(&dom, b.id()))
            .unwrap_or_default();
        let mut a = Analysed {
            dom,
            body_key: text::compare_key(body.as_deref().unwrap_or(&page.body)),
            page_key,
            protected,
            title: extracted.title.clone(),
            headline,
            byline: page.byline.clone().or(extracted.byline),
            summary,
            region: None,
        };
        a.region = a.article_region();
        a
    }

    /// See [`Analysed::region`].
    fn article_region(&self) -> Option<NodeId> {
        let paras = self.body_paragraphs(5);
        let mut held: BTreeMap<NodeId, usize> = BTreeMap::new();
        for p in &paras {
            for anc in self.dom.tree.get(*p)?.ancestors() {
                *held.entry(anc.id()).or_default() += 1;
            }
        }
        let enough = (paras.len() * 4).div_ceil(5).max(1);
        // The deepest element holding enough: the one with fewest descendants.
        held.into_iter()
            .filter(|&(_, n)| n >= enough)
            .filter_map(|(id, _)| Some((self.dom.tree.get(id)?.descendants().count(), id)))
            .min()
            .map(|(_, id)| id)
    }

    /// True when a node is inside the article's region.
    fn in_region(&self, id: NodeId) -> bool {
        self.region.is_some_and(|r| {
            self.dom
                .tree
                .get(id)
                .is_some_and(|n| n.ancestors().any(|a| a.id() == r))
        })
    }

    /// The element holding most of the article's paragraphs (the body when
    /// there are none).
    fn article_container(&self) -> Option<NodeId> {
        let mut counts: BTreeMap<NodeId, usize> = BTreeMap::new();
        for p in self.body_paragraphs(5) {
            if let Some(parent) = self.dom.tree.get(p).and_then(|n| n.parent()) {
                *counts.entry(parent.id()).or_default() += 1;
            }
        }
        counts
            .into_iter()
            .max_by_key(|&(id, n)| (n, std::cmp::Reverse(id)))
            .map(|(id, _)| id)
            .or_else(|| self.element("body"))
    }

    /// The first element of this name.
    fn element(&self, name: &str) -> Option<NodeId> {
        self.dom
            .tree
            .nodes()
            .find(|n| matches!(n.value(), Node::Element(e) if e.name() == name))
            .map(|n| n.id())
    }

    /// The `application/ld+json` scripts: (node of their text, whether it
    /// holds a schema.org article).
    fn json_ld_scripts(&self) -> Vec<(NodeId, bool)> {
        self.dom
            .tree
            .nodes()
            .filter(|n| matches!(n.value(), Node::Element(e) if e.name() == "script" && e.attr("type").is_some_and(|t| t.contains("ld+json"))))
            .map(|n| {
                let json: String = n
                    .children()
                    .filter_map(|c| match c.value() {
                        Node::Text(t) => Some(&**t),
                        _ => None,
                    })
                    .collect();
                let article = serde_json::from_str::<serde_json::Value>(json.trim())
                    .is_ok_and(|v| holds_article(&v));
                (n.id(), article)
            })
            .collect()
    }

    /// A schema.org article made from the page's own headline and byline,
    /// as an SEO plugin writes it.
    fn made_json_ld(&self, modified: &str) -> Option<String> {
        let mut v = serde_json::json!({
            "@context": "https://schema.org",
            "@type": "NewsArticle",
            "headline": self.headline.as_deref()?,
            "datePublished": "2025-06-02T08:00:00Z",
            "dateModified": modified,
        });
        if let Some(b) = &self.byline {
            v["author"] = serde_json::json!({"@type": "Person", "name": b});
        }
        Some(format!(
            r#"<script type="application/ld+json">{}</script>"#,
            v.to_string().replace("</", "<\\/")
        ))
    }

    /// OpenGraph and Twitter tags made from the page's own headline, byline
    /// and first sentence.
    fn made_social_tags(&self) -> Option<String> {
        let attr = |s: &str| html_escape::encode_double_quoted_attribute(s).to_string();
        let h = attr(self.headline.as_deref()?);
        let mut tags = format!(
            r#"<meta property="og:type" content="article"><meta property="og:title" content="{h}"><meta name="twitter:card" content="summary_large_image"><meta name="twitter:title" content="{h}">"#
        );
        if let Some(s) = &self.summary {
            let s = attr(s);
            tags.push_str(&format!(
                r#"<meta property="og:description" content="{s}"><meta name="twitter:description" content="{s}">"#
            ));
        }
        if let Some(b) = &self.byline {
            tags.push_str(&format!(
                r#"<meta property="article:author" content="{}">"#,
                attr(b)
            ));
        }
        Some(tags)
    }

    fn in_body(&self, key: &str) -> bool {
        !key.is_empty() && self.body_key.contains(key)
    }

    /// Content text nodes inside `<body>`: (node, comparison key).
    fn text_nodes(&self) -> Vec<(NodeId, String)> {
        self.dom
            .tree
            .nodes()
            .filter_map(|n| match n.value() {
                Node::Text(t) => Some((n.id(), text::compare_key(t))),
                _ => None,
            })
            .filter(|(id, k)| {
                k.chars().any(char::is_alphanumeric)
                    && ancestors_have(&self.dom, *id, &["body"])
                    && !ancestors_have(&self.dom, *id, NON_CONTENT)
            })
            .collect()
    }

    /// True when no text under the node is article text, headline or byline.
    fn is_boilerplate(&self, id: NodeId) -> bool {
        let key = text_key(&self.dom, id);
        if key.is_empty()
            || self.in_body(&key)
            || self
                .protected
                .iter()
                .any(|p| key.contains(p.as_str()) || p.contains(key.as_str()))
        {
            return false;
        }
        let Some(node) = self.dom.tree.get(id) else {
            return false;
        };
        node.descendants().all(|d| match d.value() {
            Node::Text(t) => {
                let k = text::compare_key(t);
                k.chars().filter(|c| c.is_alphanumeric()).count() < 4 || !self.in_body(&k)
            }
            Node::Element(e) => !matches!(e.name(), "h1" | "article" | "main"),
            _ => true,
        })
    }

    /// Elements `<p>` whose whole text is article text of at least
    /// `min_words` words, once on the page: not a pull quote or a reader's
    /// comment repeating it, wherever the story's own copy is (an edit of
    /// the copy would not be an edit of the story).
    fn body_paragraphs(&self, min_words: usize) -> Vec<NodeId> {
        self.dom
            .tree
            .nodes()
            .filter(|n| matches!(n.value(), Node::Element(e) if e.name() == "p"))
            .map(|n| (n.id(), text_key(&self.dom, n.id())))
            .filter(|(id, k)| {
                text::word_count(k) >= min_words
                    && self.in_body(k)
                    && !ancestors_have(&self.dom, *id, &["aside", "figure"])
                    && self.page_key.matches(k.as_str()).nth(1).is_none()
            })
            .map(|(id, _)| id)
            .collect()
    }
}

/// The text of the page's `<h1>` (else `<h2>`) that is most like the
/// declared headline (its words in common), or `None` when none shares
/// half of them.
fn shown_headline(dom: &Html, declared: Option<&str>) -> Option<String> {
    let declared: HashSet<String> = text::words(&text::compare_key(declared?))
        .map(str::to_lowercase)
        .collect();
    ["h1", "h2"].into_iter().find_map(|level| {
        dom.tree
            .nodes()
            .filter(|n| matches!(n.value(), Node::Element(e) if e.name() == level))
            .map(|n| text::clean(&text_key_raw(n.id(), dom)))
            .map(|h| {
                let words: HashSet<String> = text::words(&text::compare_key(&h))
                    .map(str::to_lowercase)
                    .collect();
                let common = words.intersection(&declared).count();
                (
                    2.0 * common as f64 / (words.len() + declared.len()).max(1) as f64,
                    h,
                )
            })
            .filter(|(dice, _)| *dice >= 0.5)
            .max_by(|a, b| a.0.total_cmp(&b.0))
            .map(|(_, h)| h)
    })
}

/// The text under a node as it reads (content text only).
fn text_key_raw(id: NodeId, dom: &Html) -> String {
    let Some(node) = dom.tree.get(id) else {
        return String::new();
    };
    let mut s = String::new();
    for d in node.descendants() {
        if let Node::Text(t) = d.value() {
            if !ancestors_have(dom, d.id(), NON_CONTENT) {
                s.push_str(t);
            }
        }
    }
    s
}

/// True when a JSON-LD value holds a schema.org article (at any depth).
fn holds_article(v: &serde_json::Value) -> bool {
    match v {
        serde_json::Value::Object(m) => {
            let typed = |t: &serde_json::Value| {
                t.as_str()
                    .is_some_and(|t| t.ends_with("Article") || t.ends_with("Posting"))
            };
            m.get("@type").is_some_and(|t| match t {
                serde_json::Value::Array(ts) => ts.iter().any(typed),
                t => typed(t),
            }) || m.values().any(holds_article)
        }
        serde_json::Value::Array(a) => a.iter().any(holds_article),
        _ => false,
    }
}

/// Sets `dateModified` wherever a JSON-LD value has one, and on every
/// article object that lacks it.
fn set_date_modified(v: &mut serde_json::Value, when: &str) {
    match v {
        serde_json::Value::Object(m) => {
            let article = holds_article(&serde_json::Value::Object(
                m.iter()
                    .filter(|(k, _)| *k == "@type")
                    .map(|(k, v)| (k.clone(), v.clone()))
                    .collect(),
            ));
            if article || m.contains_key("dateModified") {
                m.insert("dateModified".into(), when.into());
            }
            for (_, x) in m.iter_mut() {
                set_date_modified(x, when);
            }
        }
        serde_json::Value::Array(a) => a.iter_mut().for_each(|x| set_date_modified(x, when)),
        _ => {}
    }
}

/// An OpenGraph or Twitter `<meta>` tag.
fn is_social_tag(e: &scraper::node::Element) -> bool {
    e.name() == "meta"
        && e.attr("property").or(e.attr("name")).is_some_and(|p| {
            let p = p.trim().to_ascii_lowercase();
            p.starts_with("og:") || p.starts_with("twitter:")
        })
}

/// A "most read" box listing these stories.
fn chrome_box(template: (&str, &str, &str), stories: &[(&str, &str)], first: usize) -> String {
    let (tag, class, heading) = template;
    let items: String = stories
        .iter()
        .enumerate()
        .map(|(i, (h, summary))| {
            format!(
                r#"<li><a href="/news/{}"><h3>{h}</h3></a><p>{summary}</p></li>"#,
                first + i
            )
        })
        .collect();
    format!(r#"<{tag} class="{class}"><h2>{heading}</h2><ol>{items}</ol></{tag}>"#)
}

/// The page with its images loading lazily: each `<img>` `src` moves to
/// `data-src` behind a placeholder, `srcset` to `data-srcset`.
fn lazy_images(html: &str) -> Option<String> {
    static IMG: std::sync::LazyLock<regex::Regex> =
        std::sync::LazyLock::new(|| regex::Regex::new(r"(?i)<img\b[^>]*>").expect("static regex"));
    static SRC: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
        regex::Regex::new(r#"(\s)(src|srcset)="([^"]*)""#).expect("static regex")
    });
    let mut touched = false;
    let out = IMG.replace_all(html, |c: &regex::Captures<'_>| {
        let tag = &c[0];
        if !SRC.is_match(tag) {
            return tag.to_string();
        }
        touched = true;
        let swapped = SRC.replace_all(tag, |a: &regex::Captures<'_>| {
            if &a[2] == "src" {
                format!(r#"{}src="{PLACEHOLDER_SRC}" data-src="{}""#, &a[1], &a[3])
            } else {
                format!(r#"{}data-srcset="{}""#, &a[1], &a[3])
            }
        });
        swapped.replacen("<img", r#"<img loading="lazy""#, 1)
    });
    touched.then(|| out.into_owned())
}

/// Two versions of a page in either order (old, new): a toggle goes both ways.
fn either_way(rng: &mut Rng, one: String, other: String) -> (String, String) {
    if rng.below(2) == 0 {
        (one, other)
    } else {
        (other, one)
    }
}

/// A date and time in November 2025, `minutes` after the 3rd at midnight.
fn timestamp(minutes: u64) -> String {
    let base = minutes;
    format!(
        "2025-11-{:02}T{:02}:{:02}:00Z",
        3 + base / (24 * 60),
        (base / 60) % 24,
        base % 60
    )
}

/// Serialises a DOM, replacing `<!--pw-insert-N-->` markers with raw HTML.
fn serialise<S: AsRef<str>>(dom: &Html, inserts: &[S]) -> String {
    let mut html = dom.html();
    for (i, raw) in inserts.iter().enumerate() {
        html = html.replace(
            &format!("<!--pw-insert-{i}-->"),
            &format!("\n{}\n", raw.as_ref()),
        );
    }
    html
}

fn marker(i: usize) -> Node {
    Node::Comment(scraper::node::Comment {
        comment: format!("pw-insert-{i}").into(),
    })
}

/// Rewrites attribute values of `src`'s elements into `dom`: `rewrite(element
/// name, attribute name, value)` returns the new value, or `None` to keep it.
/// Returns how many elements changed.
fn rewrite_attrs(
    src: &Html,
    dom: &mut Html,
    rewrite: impl Fn(&str, &str, &str) -> Option<String>,
) -> usize {
    let mut touched = 0;
    for n in src.tree.nodes() {
        let Node::Element(e) = n.value() else {
            continue;
        };
        let mut attrs = e.attrs.clone();
        let mut changed = false;
        for (name, value) in attrs.iter_mut() {
            if let Some(new) = rewrite(e.name(), &name.local, value) {
                *value = new.into();
                changed = true;
            }
        }
        if changed {
            touched += 1;
            set_attrs(dom, n.id(), attrs);
        }
    }
    touched
}

/// Gives the element `id` of `dom` these attributes.
fn set_attrs(dom: &mut Html, id: NodeId, attrs: scraper::node::Attributes) {
    if let Some(mut m) = dom.tree.get_mut(id) {
        if let Node::Element(me) = m.value() {
            me.attrs = attrs;
        }
    }
}

/// The element's attributes with its `content` attribute set to `content`.
fn with_content(e: &scraper::node::Element, content: &str) -> scraper::node::Attributes {
    let mut attrs = e.attrs.clone();
    for (name, value) in attrs.iter_mut() {
        if &*name.local == "content" {
            *value = content.into();
        }
    }
    attrs
}

fn set_text(dom: &mut Html, id: NodeId, new: &str) {
    if let Some(mut n) = dom.tree.get_mut(id) {
        if let Node::Text(t) = n.value() {
            t.text = new.into();
        }
    }
}

/// Generates one pair of `kind` from a page, or `None` when the page offers
/// nothing to mutate for this kind (e.g. no list outside the article).
fn make_pair(a: &Analysed, page: &Page, kind: PairKind, rng: &mut Rng) -> Option<Pair> {
    let mut old_html = serialise::<&str>(&a.dom, &[]);
    let mut dom = a.dom.clone();
    let mut expected = Expected {
        removed: vec![],
        added: vec![],
        context: None,
    };
    let mut inserts: Vec<String> = Vec::new();
    match kind {
        PairKind::Noise(NoiseKind::TeaserRewritten) => {
            let mut cands: Vec<NodeId> = a
                .text_nodes()
                .into_iter()
                .filter(|(id, k)| {
                    text::word_count(k) >= 3
                        && ancestors_have(&a.dom, *id, &["a", "h2", "h3", "h4"])
                        && !a.in_region(*id)
                        && block_ancestor(&a.dom, *id).is_some_and(|b| a.is_boilerplate(b))
                })
                .map(|(id, _)| id)
                .collect();
            if cands.is_empty() {
                return None;
            }
            for _ in 0..3.min(cands.len()) {
                let id = cands.remove(rng.below(cands.len()));
                set_text(&mut dom, id, rng.pick(TEASERS)?);
            }
        }
        PairKind::Noise(NoiseKind::ListReordered) => {
            let cands: Vec<NodeId> = a
                .dom
                .tree
                .nodes()
                .filter(|n| {
                    matches!(n.value(), Node::Element(e) if matches!(e.name(), "ul" | "ol" | "nav" | "div" | "section" | "aside"))
                })
                .filter(|n| {
                    let items: Vec<String> = n
                        .children()
                        .filter(|c| c.value().is_element())
                        .map(|c| text_key(&a.dom, c.id()))
                        .collect();
                    items.len() >= 3
                        && items.iter().all(|k| text::word_count(k) >= 1)
                        && items.iter().collect::<HashSet<_>>().len() == items.len()
                })
                .map(|n| n.id())
                .filter(|&id| !a.in_region(id) && a.is_boilerplate(id))
                .collect();
            let &list = rng.pick(&cands)?;
            let children: Vec<NodeId> = a
                .dom
                .tree
                .get(list)?
                .children()
                .filter(|c| c.value().is_element())
                .map(|c| c.id())
                .collect();
            // The newest item goes to the top, the rest move down by one.
            let last = *children.last()?;
            dom.tree.get_mut(last)?.detach();
            dom.tree.get_mut(children[0])?.insert_id_before(last);
        }
        PairKind::Noise(NoiseKind::AdInserted | NoiseKind::NewsletterInserted) => {
            let paras = a.body_paragraphs(5);
            let &after = rng.pick(&paras)?;
            let blocks = if kind == PairKind::Noise(NoiseKind::AdInserted) {
                AD_BLOCKS
            } else {
                NEWSLETTER_BLOCKS
            };
            inserts.push(rng.pick(blocks)?.to_string());
            dom.tree.get_mut(after)?.insert_after(marker(0));
        }
        PairKind::Noise(NoiseKind::ScriptsChanged) => {
            let scripts: Vec<NodeId> = a
                .dom
                .tree
                .nodes()
                .filter(|n| {
                    matches!(n.value(), Node::Text(_))
                        && n.parent().is_some_and(|p| {
                            matches!(p.value(), Node::Element(e) if e.name() == "script" && is_javascript(e.attr("type")))
                        })
                })
                .map(|n| n.id())
                .collect();
            if scripts.is_empty() {
                return None;
            }
            let stamp = rng.next_u64() % 1_000_000_000;
            for id in scripts {
                if let Some(Node::Text(t)) = a.dom.tree.get(id).map(|n| n.value()) {
                    let code = format!("{}\n;window.__pageRender={stamp};", &**t);
                    set_text(&mut dom, id, &code);
                }
            }
        }
        PairKind::Noise(NoiseKind::AttributesChanged) => {
            let stamp = rng.next_u64() % 1_000_000;
            let touched = rewrite_attrs(&a.dom, &mut dom, |_, local, value| {
                if local.starts_with("data-") || local == "nonce" {
                    Some(format!("{value}-{stamp}"))
                } else if local == "style" {
                    Some(format!("{value};--render:{stamp}"))
                } else if local == "class" {
                    Some(format!("{value} css-{stamp}"))
                } else {
                    None
                }
            });
            if touched == 0 {
                return None;
            }
        }
        PairKind::Noise(NoiseKind::CacheBusting) => {
            let stamp = rng.next_u64() % 1_000_000;
            let touched = rewrite_attrs(&a.dom, &mut dom, |element, local, value| {
                let asset = matches!(
                    element,
                    "img" | "script" | "link" | "source" | "iframe" | "video"
                );
                (asset && matches!(local, "src" | "href" | "data-src") && !value.is_empty())
                    .then(|| format!("{}?v={stamp}", value.split('?').next().unwrap_or("")))
            });
            if touched == 0 {
                return None;
            }
        }
        PairKind::Noise(NoiseKind::RelativeTimestamp) => {
            // The same element in both versions, near the headline or the
            // first paragraph; only its number and unit tick.
            let anchor = a
                .dom
                .tree
                .nodes()
                .find(|n| matches!(n.value(), Node::Element(e) if e.name() == "h1"))
                .map(|n| n.id())
                .or_else(|| a.body_paragraphs(5).first().copied())?;
            let minutes = 2 + rng.below(50);
            let (old, new) = match rng.below(3) {
                0 => (
                    format!("Updated {minutes} minutes ago"),
                    format!("Updated {} minutes ago", minutes + 7),
                ),
                1 => (
                    format!("{} hours ago", 1 + minutes % 5),
                    format!("{} hours ago", 2 + minutes % 5),
                ),
                _ => (
                    "Published 1 day ago".to_string(),
                    "Published 2 days ago".to_string(),
                ),
            };
            let old_span = format!(r#"<span class="timestamp">{old}</span>"#);
            let new_span = format!(r#"<span class="timestamp">{new}</span>"#);
            let mut old_dom = a.dom.clone();
            old_dom.tree.get_mut(anchor)?.insert_after(marker(0));
            old_html = serialise(&old_dom, &[&old_span]);
            dom.tree.get_mut(anchor)?.insert_after(marker(0));
            return Some(Pair {
                page: page.id.clone(),
                kind,
                old_html,
                new_html: serialise(&dom, &[&new_span]),
                expected,
            });
        }
        PairKind::Noise(NoiseKind::StructuredDataToggled) => {
            let scripts = a.json_ld_scripts();
            let mut with = a.dom.clone();
            let mut with_inserts = Vec::new();
            if !scripts.iter().any(|s| s.1) {
                with_inserts.push(a.made_json_ld("2025-06-02T09:30:00Z")?);
                with.tree.get_mut(a.element("head")?)?.append(marker(0));
            }
            // Switched off: all of it, or only the article object.
            let drop_all = rng.below(2) == 0;
            let mut without = a.dom.clone();
            for &(id, article) in &scripts {
                if drop_all || article {
                    without.tree.get_mut(id)?.detach();
                }
            }
            let (with, without) = (
                serialise(&with, &with_inserts),
                serialise::<&str>(&without, &[]),
            );
            if with == without {
                return None;
            }
            let (old_html, new_html) = either_way(rng, with, without);
            return Some(Pair {
                page: page.id.clone(),
                kind,
                old_html,
                new_html,
                expected,
            });
        }
        PairKind::Noise(NoiseKind::DateModifiedTicked) => {
            let start = 60 * (8 + rng.below(10) as u64) + rng.below(60) as u64;
            let later = start + 1 + rng.below(600) as u64;
            let scripts = a.json_ld_scripts();
            let html_at = |when: &str| -> Option<String> {
                let mut d = a.dom.clone();
                let mut inserts = Vec::new();
                if scripts.iter().any(|s| s.1) {
                    for &(id, _) in scripts.iter().filter(|s| s.1) {
                        let script = d.tree.get(id)?;
                        let Some(Node::Text(t)) = script.first_child().map(|c| c.value().clone())
                        else {
                            continue;
                        };
                        let text_id = script.first_child()?.id();
                        let mut v: serde_json::Value = serde_json::from_str(t.trim()).ok()?;
                        set_date_modified(&mut v, when);
                        set_text(&mut d, text_id, &v.to_string().replace("</", "<\\/"));
                    }
                } else {
                    inserts.push(a.made_json_ld(when)?);
                    d.tree.get_mut(a.element("head")?)?.append(marker(0));
                }
                for n in a.dom.tree.nodes() {
                    let Node::Element(e) = n.value() else {
                        continue;
                    };
                    let modified = e.name() == "meta"
                        && e.attr("property")
                            .or(e.attr("name"))
                            .or(e.attr("itemprop"))
                            .is_some_and(|p| {
                                matches!(
                                    p.trim().to_ascii_lowercase().as_str(),
                                    "article:modified_time" | "og:updated_time" | "datemodified"
                                )
                            });
                    if modified {
                        set_attrs(&mut d, n.id(), with_content(e, when));
                    }
                }
                Some(serialise(&d, &inserts))
            };
            return Some(Pair {
                page: page.id.clone(),
                kind,
                old_html: html_at(&timestamp(start))?,
                new_html: html_at(&timestamp(later))?,
                expected,
            });
        }
        PairKind::Noise(NoiseKind::SocialTagsToggled) => {
            let tags: Vec<NodeId> = a
                .dom
                .tree
                .nodes()
                .filter(|n| matches!(n.value(), Node::Element(e) if is_social_tag(e)))
                .map(|n| n.id())
                .collect();
            let mut with = a.dom.clone();
            let mut with_inserts = Vec::new();
            let mut without = a.dom.clone();
            if tags.is_empty() {
                with_inserts.push(a.made_social_tags()?);
                with.tree.get_mut(a.element("head")?)?.append(marker(0));
            } else {
                // All of them, or every other one.
                let every = 1 + rng.below(2);
                for id in tags.iter().step_by(every) {
                    without.tree.get_mut(*id)?.detach();
                }
            }
            let (with, without) = (
                serialise(&with, &with_inserts),
                serialise::<&str>(&without, &[]),
            );
            let (old_html, new_html) = either_way(rng, with, without);
            return Some(Pair {
                page: page.id.clone(),
                kind,
                old_html,
                new_html,
                expected,
            });
        }
        PairKind::Noise(NoiseKind::ChromeVariant) => {
            let template = *rng.pick(CHROME_BOXES)?;
            let mut order: Vec<usize> = (0..OTHER_STORIES.len()).collect();
            for i in (1..order.len()).rev() {
                order.swap(i, rng.below(i + 1));
            }
            let stories = |from: usize| -> Vec<(&str, &str)> {
                order[from..from + 4]
                    .iter()
                    .map(|&i| OTHER_STORIES[i])
                    .collect()
            };
            // Below the article, or at the end of the page.
            let container = a.article_container()?;
            let body = a.element("body")?;
            let below_article = container != body && rng.below(2) == 0;
            let html_with = |stories: &[(&str, &str)], first: usize| -> Option<String> {
                let mut d = a.dom.clone();
                if below_article {
                    d.tree.get_mut(container)?.insert_after(marker(0));
                } else {
                    d.tree.get_mut(body)?.append(marker(0));
                }
                Some(serialise(&d, &[chrome_box(template, stories, first)]))
            };
            return Some(Pair {
                page: page.id.clone(),
                kind,
                old_html: html_with(&stories(0), 100)?,
                new_html: html_with(&stories(4), 200)?,
                expected,
            });
        }
        PairKind::Noise(NoiseKind::ConsentBannerToggled) => {
            let banner = *rng.pick(CONSENT_BANNERS)?;
            let mut with = a.dom.clone();
            let body = a.element("body")?;
            if rng.below(2) == 0 {
                with.tree.get_mut(body)?.prepend(marker(0));
            } else {
                with.tree.get_mut(body)?.append(marker(0));
            }
            let (old_html, new_html) = either_way(rng, serialise(&with, &[banner]), old_html);
            return Some(Pair {
                page: page.id.clone(),
                kind,
                old_html,
                new_html,
                expected,
            });
        }
        PairKind::Noise(NoiseKind::LazyLoadingSwapped) => {
            let lazy = lazy_images(&old_html)?;
            let (old_html, new_html) = either_way(rng, lazy, old_html);
            return Some(Pair {
                page: page.id.clone(),
                kind,
                old_html,
                new_html,
                expected,
            });
        }
        PairKind::Edit(EditKind::WordChanged) => {
            let paras: HashSet<NodeId> = a.body_paragraphs(8).into_iter().collect();
            let cands: Vec<(NodeId, String)> = a
                .text_nodes()
                .into_iter()
                .filter(|(id, k)| {
                    text::word_count(k) >= 8
                        && a.dom
                            .tree
                            .get(*id)
                            .is_some_and(|n| n.ancestors().any(|p| paras.contains(&p.id())))
                })
                .collect();
            let (id, _) = rng.pick(&cands)?.clone();
            let Some(Node::Text(t)) = a.dom.tree.get(id).map(|n| n.value()) else {
                return None;
            };
            let original = t.to_string();
            let words: Vec<(usize, &str)> = word_spans(&original)
                .into_iter()
                .skip(1)
                .filter(|(_, w)| w.chars().count() >= 4 && w.chars().all(char::is_alphabetic))
                .collect();
            let &(at, word) = rng.pick(&words)?;
            let pool: Vec<&str> = text::words(&page.body)
                .filter(|w| {
                    w.chars().count() >= 4
                        && w.chars().all(char::is_alphabetic)
                        && text::compare_key(w).to_lowercase()
                            != text::compare_key(word).to_lowercase()
                })
                .collect();
            let replacement = rng.pick(&pool)?.to_string();
            let edited = format!(
                "{}{}{}",
                &original[..at],
                replacement,
                &original[at + word.len()..]
            );
            set_text(&mut dom, id, &edited);
            expected.context = Some(text::compare_key(&original));
            expected.removed.push(word.to_string());
            expected.added.push(replacement);
        }
        PairKind::Edit(EditKind::ParagraphRemoved) => {
            let paras = a.body_paragraphs(5);
            if paras.len() < 3 {
                return None;
            }
            let &p = rng.pick(&paras)?;
            expected.context = Some(text_key(&a.dom, p));
            expected.removed = text::words(&text_key(&a.dom, p))
                .map(str::to_string)
                .collect();
            dom.tree.get_mut(p)?.detach();
        }
        PairKind::Edit(EditKind::ParagraphAdded) => {
            let paras = a.body_paragraphs(5);
            let &after = rng.pick(&paras)?;
            let sentence = *rng.pick(NEW_SENTENCES)?;
            expected.context = Some(text_key(&a.dom, after));
            inserts.push(format!("<p>{sentence}</p>"));
            dom.tree.get_mut(after)?.insert_after(marker(0));
            expected.added = text::words(sentence).map(str::to_string).collect();
        }
        PairKind::Edit(EditKind::HeadlineChanged) => {
            // As a CMS does: wherever the page prints the headline (title,
            // h1, meta tags, JSON-LD, "share" texts) the new one appears.
            // Where the headline is not found verbatim, the text is extended.
            let old = a.title.clone().filter(|t| !t.trim().is_empty())?;
            let extra = *rng.pick(&["amid protests", "after talks collapse", "officials say"])?;
            let new = format!("{old} {extra}");
            let shown = a.headline.as_deref().map(text::compare_key);
            let retitle = |t: &str| -> String {
                if t.contains(&old) {
                    t.replace(&old, &new)
                } else {
                    format!("{} {extra}", t.trim_end())
                }
            };
            let mut touched = 0;
            for n in a.dom.tree.nodes() {
                match n.value() {
                    Node::Element(e) if e.name() == "meta" => {
                        let is_title = e
                            .attr("property")
                            .or(e.attr("name"))
                            .is_some_and(|p| matches!(p, "og:title" | "twitter:title"));
                        let mentions = e.attr("content").is_some_and(|c| c.contains(&old));
                        if is_title || mentions {
                            let content = retitle(e.attr("content").unwrap_or(""));
                            set_attrs(&mut dom, n.id(), with_content(e, &content));
                            touched += 1;
                        }
                    }
                    Node::Text(t)
                        if n.parent().is_some_and(|p| {
                            matches!(p.value(), Node::Element(e) if e.name() == "script" && e.attr("type").is_some_and(|t| t.contains("ld+json")))
                        }) =>
                    {
                        if let Some(json) = json_ld_with_headline(t, &old, extra) {
                            set_text(&mut dom, n.id(), &json);
                            touched += 1;
                        }
                    }
                    Node::Text(t)
                        if t.contains(&old) && !ancestors_have(&a.dom, n.id(), &["script"]) =>
                    {
                        set_text(&mut dom, n.id(), &t.replace(&old, &new));
                        touched += 1;
                    }
                    Node::Text(t)
                        if text::compare_key(t) == text::compare_key(&old)
                            && !ancestors_have(&a.dom, n.id(), &["h1", "title", "script"]) =>
                    {
                        set_text(&mut dom, n.id(), &retitle(t));
                        touched += 1;
                    }
                    // The headline as the page shows it, when it is not the declared one.
                    Node::Text(t)
                        if shown.as_deref() == Some(text::compare_key(t).as_str())
                            && !ancestors_have(&a.dom, n.id(), &["title", "script"]) =>
                    {
                        set_text(&mut dom, n.id(), &retitle(t));
                        touched += 1;
                    }
                    Node::Element(e)
                        if matches!(e.name(), "h1" | "title")
                            && !n.descendants().any(|d| {
                                matches!(d.value(), Node::Text(t) if t.contains(&old))
                            }) =>
                    {
                        let last_text = n
                            .descendants()
                            .filter(|d| matches!(d.value(), Node::Text(t) if !t.trim().is_empty()))
                            .last();
                        if let Some(Node::Text(t)) = last_text.map(|d| d.value()) {
                            set_text(&mut dom, last_text?.id(), &retitle(t));
                            touched += 1;
                        }
                    }
                    _ => {}
                }
            }
            if touched == 0 {
                return None;
            }
            expected.added = text::words(extra).map(str::to_string).collect();
        }
    }
    Some(Pair {
        page: page.id.clone(),
        kind,
        old_html,
        new_html: serialise(&dom, &inserts),
        expected,
    })
}

/// True for a `<script type>` that holds code (not JSON-LD or templates).
fn is_javascript(ty: Option<&str>) -> bool {
    ty.is_none_or(|t| {
        let t = t.trim().to_ascii_lowercase();
        t.is_empty() || t == "module" || t.ends_with("javascript") || t.ends_with("ecmascript")
    })
}

/// A JSON-LD script with the headline changed: `extra` appended to every
/// `headline` and to the other fields of the same object that repeat it
/// (`name`, `alternativeHeadline`), and `old` (the page's headline) replaced
/// wherever a string contains it. `None` when the script is not JSON or
/// mentions no headline.
fn json_ld_with_headline(script: &str, old: &str, extra: &str) -> Option<String> {
    fn walk(v: &mut serde_json::Value, old: &str, extra: &str) -> bool {
        match v {
            serde_json::Value::Object(m) => {
                let headline = m
                    .get("headline")
                    .and_then(|h| h.as_str())
                    .map(str::to_string);
                let mut hit = false;
                for (k, val) in m.iter_mut() {
                    if let serde_json::Value::String(s) = val {
                        if k == "headline" || headline.as_deref() == Some(s.as_str()) {
                            s.push(' ');
                            s.push_str(extra);
                            hit = true;
                        } else if s.contains(old) {
                            *s = s.replace(old, &format!("{old} {extra}"));
                            hit = true;
                        }
                        continue;
                    }
                    hit |= walk(val, old, extra);
                }
                hit
            }
            serde_json::Value::Array(a) => a.iter_mut().fold(false, |h, x| walk(x, old, extra) | h),
            _ => false,
        }
    }
    let mut v: serde_json::Value = serde_json::from_str(script.trim()).ok()?;
    walk(&mut v, old, extra).then(|| v.to_string())
}

/// Byte offsets and text of the words of a string.
fn word_spans(s: &str) -> Vec<(usize, &str)> {
    let mut out = Vec::new();
    let mut start = None;
    for (i, c) in s.char_indices() {
        let w = c.is_alphanumeric();
        match (w, start) {
            (true, None) => start = Some(i),
            (false, Some(st)) => {
                out.push((st, &s[st..i]));
                start = None;
            }
            _ => {}
        }
    }
    if let Some(st) = start {
        out.push((st, &s[st..]));
    }
    out
}

/// What happened to one pair.
#[derive(Debug, Clone, Serialize)]
pub struct PairResult {
    /// The page.
    pub page: String,
    /// The kind of pair.
    pub kind: PairKind,
    /// Whether an alert would go out.
    pub alerted: bool,
    /// Whether only the safety net raised it (`possibly_edited` alone).
    pub net_only: bool,
    /// Whether the outcome is what the pair expects (silence for noise, an
    /// alert naming the changed words for edits).
    pub ok: bool,
    /// The alert's summary, when there is one.
    pub summary: Option<String>,
    /// Why the pair failed, for fixing it.
    pub reason: Option<String>,
    /// A missed edit of text the extractor did not put in the old document:
    /// extraction's fault, not comparison's.
    pub extraction_dropped: bool,
    /// Time spent in [`compare::compare`].
    #[serde(skip)]
    pub compare_time: Duration,
}

/// Runs one pair through extraction and comparison, as a check would.
pub fn run_pair(pair: &Pair, url: Option<&url::Url>) -> Option<PairResult> {
    let old = extract::watched_article(&pair.old_html, url, None);
    if old.blocks.is_empty() {
        return None;
    }
    // The baseline is stored and read back as text, as the daemon does.
    let url_s = url.map(|u| u.to_string()).unwrap_or_default();
    let old = Document::from_baseline(&old.to_baseline(&url_s, "2026-01-01T00:00:00Z"));
    let new = extract::watched_article(&pair.new_html, url, None);
    let started = Instant::now();
    let change = compare::compare(&old, &new, &Rules::default());
    let compare_time = started.elapsed();
    let (ok, reason) = judge(pair, &old, change.as_ref());
    let old_key = text::compare_key(&old.text());
    let extraction_dropped = !ok
        && pair
            .expected
            .context
            .as_ref()
            .is_some_and(|c| !old_key.contains(c.as_str()));
    Some(PairResult {
        extraction_dropped,
        page: pair.page.clone(),
        kind: pair.kind,
        alerted: change.is_some(),
        net_only: change
            .as_ref()
            .is_some_and(|c| c.kinds == [compare::ChangeKind::PossiblyEdited]),
        ok,
        summary: change.as_ref().map(|c| c.summary.clone()),
        reason,
        compare_time,
    })
}

fn judge(pair: &Pair, old: &Document, change: Option<&Change>) -> (bool, Option<String>) {
    match (pair.kind, change) {
        (PairKind::Noise(_), None) => (true, None),
        (PairKind::Noise(_), Some(c)) => {
            let mut what: Vec<String> = c.added_text();
            what.extend(c.removed_text().into_iter().map(|t| format!("-{t}")));
            if let Some((o, n)) = &c.headline {
                what.push(format!("headline {o:?} -> {n:?}"));
            }
            if let Some((o, n)) = &c.byline {
                what.push(format!("byline {o:?} -> {n:?}"));
            }
            (
                false,
                Some(format!(
                    "false alert: {}: {}",
                    c.summary,
                    shorten(&what.join(" | "), 240)
                )),
            )
        }
        (PairKind::Edit(_), None) => {
            let old_key = text::compare_key(&old.text());
            let lost = pair
                .expected
                .context
                .as_ref()
                .is_some_and(|c| !old_key.contains(c.as_str()));
            let why = if lost {
                "no alert; the edited text is not in the extracted old document (extraction dropped it)".to_string()
            } else if pair.kind == PairKind::Edit(EditKind::HeadlineChanged) {
                format!("no alert; extracted headline {:?}", old.title)
            } else {
                "no alert".to_string()
            };
            (false, Some(why))
        }
        (PairKind::Edit(kind), Some(c)) => {
            let mut added = c.added_text().join(" ");
            if let Some((_, n)) = &c.headline {
                added.push(' ');
                added.push_str(n);
            }
            let removed = c.removed_text().join(" ");
            let missing: Vec<String> = names_all(&added, &pair.expected.added)
                .into_iter()
                .map(|w| format!("+{w}"))
                .chain(
                    names_all(&removed, &pair.expected.removed)
                        .into_iter()
                        .map(|w| format!("-{w}")),
                )
                .collect();
            if kind == EditKind::HeadlineChanged && c.headline.is_none() {
                return (
                    false,
                    Some(format!("headline change not reported: {}", c.summary)),
                );
            }
            if missing.is_empty() {
                (true, None)
            } else {
                (
                    false,
                    Some(format!(
                        "alert does not name {}: {} (added: {}; removed: {})",
                        missing.join(" "),
                        c.summary,
                        shorten(&added, 160),
                        shorten(&removed, 160)
                    )),
                )
            }
        }
    }
}

/// The expected words that the diff's words do not name. A diff word names
/// an expected word when it is that word or contains it ("East's" names "East").
fn names_all(text_: &str, expected: &[String]) -> Vec<String> {
    let have: HashSet<String> = text::words(&text::compare_key(text_))
        .map(str::to_string)
        .collect();
    expected
        .iter()
        .filter(|w| {
            let w = text::compare_key(w);
            !have.contains(&w) && !have.iter().any(|h| h.contains(w.as_str()))
        })
        .cloned()
        .collect()
}

fn shorten(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        format!("{}…", s.chars().take(max).collect::<String>())
    }
}

/// Per-kind counts.
#[derive(Debug, Clone, Default, Serialize)]
pub struct KindCounts {
    /// Pairs generated.
    pub pairs: usize,
    /// Pairs that alerted.
    pub alerts: usize,
    /// Pairs whose outcome was wrong.
    pub failures: usize,
    /// Pairs that alerted only through the safety net (prose outside the
    /// detected article changed: `possibly_edited`).
    pub net_alerts: usize,
}

/// The benchmark's result.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// Pages in the corpus.
    pub pages: usize,
    /// Pages skipped because extraction found no article text in them.
    pub pages_without_text: Vec<String>,
    /// Pages whose HTML extracted differently on repeated runs (their pairs
    /// still count: a monitor would alert on them).
    pub pages_with_unstable_extraction: Vec<String>,
    /// The RNG seed.
    pub seed: u64,
    /// Pairs per kind and page.
    pub variants: usize,
    /// Counts per kind (`noise/...`, `edit/...`).
    pub kinds: BTreeMap<String, KindCounts>,
    /// Noise pairs that alerted / noise pairs.
    pub false_alert_rate: f64,
    /// Edit pairs not alerted or not naming the words / edit pairs.
    pub missed_edit_rate: f64,
    /// Noise pairs.
    pub noise_pairs: usize,
    /// Edit pairs.
    pub edit_pairs: usize,
    /// Missed edits of text the extractor had dropped from the old version.
    pub missed_extraction_dropped: usize,
    /// Missed edits among pairs whose edited text was extracted / those pairs.
    pub missed_edit_rate_extracted: f64,
    /// Median time of one comparison, microseconds.
    pub compare_median_us: f64,
    /// 99th percentile time of one comparison, microseconds.
    pub compare_p99_us: f64,
    /// Slowest comparison, microseconds.
    pub compare_max_us: f64,
    /// The five slowest comparisons: page, kind, microseconds.
    pub slowest: Vec<(String, String, f64)>,
    /// What the safety net adds to a page's baseline: the median and
    /// largest size in bytes of its `Other-Prose` lines, and the median
    /// size of the whole baseline with them.
    pub other_prose_bytes: (usize, usize, usize),
    /// Every failed pair, with its reason.
    pub failures: Vec<PairResult>,
}

/// Generates the pairs of every page and runs them. With `dump`, each failed
/// pair's two versions are written there (`<page>.<kind>.<variant>.old.html`
/// and `.new.html`) for `presswatch diff`.
pub fn run(
    pages: &[Page],
    seed: u64,
    variants: usize,
    dump: Option<&Path>,
) -> Result<Report, String> {
    let mut kinds: BTreeMap<String, KindCounts> = BTreeMap::new();
    let mut failures = Vec::new();
    let mut times = Vec::new();
    let mut slowest: Vec<(Duration, String, String)> = Vec::new();
    let mut pages_without_text = Vec::new();
    let mut pages_with_unstable_extraction = Vec::new();
    let mut prose_sizes = Vec::new();
    let mut baseline_sizes = Vec::new();
    for page in pages {
        let a = Analysed::new(page);
        let html = serialise::<&str>(&a.dom, &[]);
        let probe = extract::watched_article(&html, page.url.as_ref(), None);
        // The same HTML must extract to the same document every time, or
        // every check of it can alert.
        if (0..3).any(|_| extract::watched_article(&html, page.url.as_ref(), None) != probe) {
            pages_with_unstable_extraction.push(page.id.clone());
        }
        if probe.blocks.is_empty() {
            pages_without_text.push(page.id.clone());
            continue;
        }
        let baseline = probe.to_baseline("", "").len();
        let without_prose = Document {
            other_prose: Vec::new(),
            ..probe.clone()
        };
        prose_sizes.push(baseline - without_prose.to_baseline("", "").len());
        baseline_sizes.push(baseline);
        for kind in PairKind::ALL {
            for v in 0..variants {
                let mut rng = Rng::new(seed_for(seed, &page.id, kind, v));
                let Some(pair) = make_pair(&a, page, kind, &mut rng) else {
                    continue;
                };
                let Some(r) = run_pair(&pair, page.url.as_ref()) else {
                    continue;
                };
                let k = kinds.entry(kind.name()).or_default();
                k.pairs += 1;
                k.alerts += r.alerted as usize;
                k.net_alerts += r.net_only as usize;
                times.push(r.compare_time);
                slowest.push((r.compare_time, page.id.clone(), kind.name()));
                if !r.ok {
                    k.failures += 1;
                    failures.push(r);
                    if let Some(dir) = dump {
                        let stem = format!("{}.{}.{v}", page.id, kind.name().replace('/', "-"));
                        for (ext, html) in
                            [("old.html", &pair.old_html), ("new.html", &pair.new_html)]
                        {
                            let path = dir.join(format!("{stem}.{ext}"));
                            std::fs::write(&path, html)
                                .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
                        }
                    }
                }
            }
        }
    }
    let sum = |class: &str, f: fn(&KindCounts) -> usize| -> usize {
        kinds
            .iter()
            .filter(|(k, _)| k.starts_with(class))
            .map(|(_, c)| f(c))
            .sum()
    };
    let noise_pairs = sum("noise/", |c| c.pairs);
    let edit_pairs = sum("edit/", |c| c.pairs);
    let rate = |n: usize, d: usize| if d == 0 { 0.0 } else { n as f64 / d as f64 };
    times.sort();
    slowest.sort_by_key(|s| std::cmp::Reverse(s.0));
    slowest.truncate(5);
    let pct = |p: f64| -> f64 {
        if times.is_empty() {
            return 0.0;
        }
        let i = ((times.len() - 1) as f64 * p).round() as usize;
        times[i].as_secs_f64() * 1e6
    };
    let missed = sum("edit/", |c| c.failures);
    let dropped = failures
        .iter()
        .filter(|f: &&PairResult| f.extraction_dropped)
        .count();
    prose_sizes.sort_unstable();
    baseline_sizes.sort_unstable();
    let median = |v: &[usize]| v.get(v.len() / 2).copied().unwrap_or(0);
    Ok(Report {
        other_prose_bytes: (
            median(&prose_sizes),
            prose_sizes.last().copied().unwrap_or(0),
            median(&baseline_sizes),
        ),
        missed_extraction_dropped: dropped,
        missed_edit_rate_extracted: rate(missed - dropped, edit_pairs - dropped),
        pages: pages.len(),
        pages_without_text,
        pages_with_unstable_extraction,
        seed,
        variants,
        false_alert_rate: rate(sum("noise/", |c| c.failures), noise_pairs),
        missed_edit_rate: rate(sum("edit/", |c| c.failures), edit_pairs),
        noise_pairs,
        edit_pairs,
        compare_median_us: pct(0.5),
        compare_p99_us: pct(0.99),
        compare_max_us: pct(1.0),
        kinds,
        slowest: slowest
            .into_iter()
            .map(|(t, page, kind)| (page, kind, t.as_secs_f64() * 1e6))
            .collect(),
        failures,
    })
}

impl Report {
    /// The report as a table for people; `verbose` lists every failed pair.
    pub fn to_text(&self, verbose: bool) -> String {
        let mut out = format!(
            "change-detection benchmark: {} pages ({} without article text skipped), seed {}, {} variant(s) per kind\n\n",
            self.pages,
            self.pages_without_text.len(),
            self.seed,
            self.variants
        );
        out.push_str(&format!(
            "{:<30} {:>6} {:>7} {:>7} {:>7}\n",
            "kind", "pairs", "alerts", "net", "wrong"
        ));
        for (k, c) in &self.kinds {
            out.push_str(&format!(
                "{k:<30} {:>6} {:>7} {:>7} {:>7}\n",
                c.pairs, c.alerts, c.net_alerts, c.failures
            ));
        }
        let failed = |class: &str| {
            self.failures
                .iter()
                .filter(|f| f.kind.name().starts_with(class))
                .count()
        };
        out.push_str(&format!(
            "\nfalse alerts on boilerplate-only changes: {} of {} pairs = {:.2}% (target <= 1%)\n",
            failed("noise/"),
            self.noise_pairs,
            self.false_alert_rate * 100.0
        ));
        out.push_str(&format!(
            "missed edits (no alert, or the diff does not name the words): {} of {} pairs = {:.2}% (target <= 0.5%)\n",
            failed("edit/"),
            self.edit_pairs,
            self.missed_edit_rate * 100.0
        ));
        out.push_str(&format!(
            "  of which the extractor had dropped the edited text: {}; missed among the other {} pairs: {:.2}%\n",
            self.missed_extraction_dropped,
            self.edit_pairs - self.missed_extraction_dropped,
            self.missed_edit_rate_extracted * 100.0
        ));
        let net = |class: &str| -> (usize, usize) {
            let of_class = || self.kinds.iter().filter(|(k, _)| k.starts_with(class));
            (
                of_class().map(|(_, c)| c.net_alerts).sum(),
                of_class().map(|(_, c)| c.pairs).sum(),
            )
        };
        let ((net_edits, _), (net_noise, noise)) = (net("edit/"), net("noise/"));
        out.push_str(&format!(
            "safety net (alerts raised only by prose outside the detected article): {net_edits} edits caught; {net_noise} false alerts of {noise} boilerplate-only pairs\n"
        ));
        let (median, max, baseline) = self.other_prose_bytes;
        out.push_str(&format!(
            "other prose kept per baseline: median {median} bytes, largest {max} bytes (median baseline {baseline} bytes)\n"
        ));
        out.push_str(&format!(
            "compare time per pair (excluding extraction): median {:.1} µs, p99 {:.1} µs, max {:.1} µs\n",
            self.compare_median_us, self.compare_p99_us, self.compare_max_us
        ));
        if !self.pages_without_text.is_empty() {
            out.push_str(&format!(
                "pages without article text: {}\n",
                self.pages_without_text.join(", ")
            ));
        }
        if !self.pages_with_unstable_extraction.is_empty() {
            out.push_str(&format!(
                "pages whose extraction differed between runs on the same HTML: {}\n",
                self.pages_with_unstable_extraction.join(", ")
            ));
        }
        if verbose {
            out.push_str("\nslowest comparisons:\n");
            for (page, kind, us) in &self.slowest {
                out.push_str(&format!("  {page} {kind}: {us:.1} µs\n"));
            }
            out.push_str("\nfailed pairs:\n");
            for f in &self.failures {
                out.push_str(&format!(
                    "  {} {}: {}\n",
                    f.page,
                    f.kind.name(),
                    f.reason.as_deref().unwrap_or("")
                ));
            }
        }
        out
    }
}

/// The command line (after `cargo bench --bench changes --`).
#[derive(clap::Parser)]
#[command(about = "The change-detection benchmark (docs/BENCHMARKS.md)")]
struct Args {
    /// Corpus directory: ground-truth.json and html/<id>.html[.gz]
    /// (repeatable: each corpus is reported on its own).
    #[arg(long, required = true)]
    corpus: Vec<std::path::PathBuf>,
    /// RNG seed for the mutations.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Pairs per kind and page.
    #[arg(long, default_value_t = 3)]
    variants: usize,
    /// Print JSON (with every failed pair).
    #[arg(long)]
    json: bool,
    /// Write each failed pair's two versions into DIR, created if need be (for `presswatch diff`).
    #[arg(long, value_name = "DIR")]
    dump: Option<std::path::PathBuf>,
    /// List every failed pair with its reason, and the slowest comparisons.
    #[arg(short, long)]
    verbose: bool,
    /// Passed by `cargo bench`.
    #[arg(long, hide = true)]
    bench: bool,
}

fn main() -> std::process::ExitCode {
    use clap::Parser;
    if !std::env::args().any(|a| a == "--bench") {
        self_check::run_all();
        println!("change benchmark: self-check passed (run it with `cargo bench --bench changes -- --corpus DIR`)");
        return std::process::ExitCode::SUCCESS;
    }
    let args = Args::parse();
    if let Some(dir) = &args.dump {
        if let Err(e) = std::fs::create_dir_all(dir) {
            eprintln!("error: --dump {}: cannot create it: {e}", dir.display());
            return std::process::ExitCode::from(2);
        }
    }
    let mut reports = serde_json::Map::new();
    for dir in &args.corpus {
        let report = load_corpus(dir)
            .and_then(|pages| run(&pages, args.seed, args.variants, args.dump.as_deref()));
        let report = match report {
            Ok(r) => r,
            Err(e) => {
                eprintln!("error: {}: {e}", dir.display());
                return std::process::ExitCode::from(2);
            }
        };
        if args.json {
            reports.insert(
                dir.display().to_string(),
                serde_json::to_value(&report).expect("a report serialises"),
            );
        } else {
            println!("== {}", dir.display());
            print!("{}", report.to_text(args.verbose));
            println!();
        }
    }
    if args.json {
        println!(
            "{}",
            serde_json::to_string_pretty(&reports).expect("a report serialises")
        );
    }
    std::process::ExitCode::SUCCESS
}

/// The benchmark's checks of itself, on a hand-written page: run by
/// `cargo test --all-targets` (which starts this target without `--bench`).
mod self_check {
    use super::*;

    /// Runs every check; a failed one panics with what went wrong.
    pub fn run_all() {
        every_kind_yields_a_pair_and_the_daemon_path_gets_each_right();
        noise_never_touches_article_text_and_edits_only_touch_it();
        pairs_are_the_same_for_the_same_seed();
        the_corpus_is_read_from_ground_truth_and_gzipped_html();
    }

    const BODY: [&str; 8] = [
        "The director left the country after the court upheld an eight-year sentence, people close to him said on Monday.",
        "He crossed the border on foot and is now in Europe, where he plans to keep working on new films with his crew.",
        "His lawyer said the sentence was handed down after the director refused to withdraw his latest film from a festival.",
        "The festival said the film would be screened as planned and that the director hoped to attend the premiere in May.",
        "Members of the crew have been questioned several times in recent weeks, and some of them are barred from travelling.",
        "The film follows a family in the capital during the protests of 2022 and was shot in secret over several months.",
        "Rights groups said the sentence was part of a wider campaign against artists who have spoken about the protests.",
        "The ministry of culture did not answer requests for comment on Monday, and state media did not report his departure.",
    ];

    fn fixture() -> Page {
        let paras: String = BODY.iter().map(|p| format!("<p>{p}</p>\n")).collect();
        let html = format!(
            r#"<!DOCTYPE html><html lang="en"><head><title>Director flees the country</title>
<meta property="og:title" content="Director flees the country">
<script src="/app.js?v=1"></script><script>window.cfg = {{"a": 1}};</script></head>
<body class="page" data-build="7"><nav><a href="/">Home</a> <a href="/world">World</a></nav>
<main><article><h1>Director flees the country</h1><div class="byline">By Jane Doe</div>
<img src="/photo.jpg?v=1" alt="">
{paras}</article>
<aside class="most-read"><h2>Most read</h2><ul>
<li><a href="/a">Markets fall as oil prices climb again</a></li>
<li><a href="/b">Storm warning issued for the north coast</a></li>
<li><a href="/c">Ten films to watch this winter season</a></li>
</ul></aside></main></body></html>"#
        );
        Page {
            id: "fixture".into(),
            url: url::Url::parse("https://news.example/world/director-flees").ok(),
            html,
            body: BODY.join("\n\n"),
            title: None,
            byline: None,
        }
    }

    fn every_kind_yields_a_pair_and_the_daemon_path_gets_each_right() {
        let report = run(&[fixture()], 7, 2, None).unwrap();
        assert_eq!(report.kinds.len(), PairKind::ALL.len(), "{report:#?}");
        for (kind, counts) in &report.kinds {
            assert_eq!(counts.pairs, 2, "{kind}");
        }
        assert!(report.failures.is_empty(), "{:#?}", report.failures);
        assert_eq!(report.false_alert_rate, 0.0);
        assert_eq!(report.missed_edit_rate, 0.0);
    }

    fn noise_never_touches_article_text_and_edits_only_touch_it() {
        let page = fixture();
        let a = Analysed::new(&page);
        for kind in PairKind::ALL {
            let pair = make_pair(&a, &page, kind, &mut Rng::new(3)).unwrap();
            let new = extract::article(&pair.new_html, page.url.as_ref(), None);
            let body_kept = BODY.iter().all(|p| new.text().contains(p));
            match kind {
                PairKind::Noise(_) => assert!(body_kept, "{kind:?} changed the article"),
                PairKind::Edit(EditKind::HeadlineChanged) => assert!(body_kept),
                PairKind::Edit(EditKind::ParagraphAdded) => {
                    assert!(body_kept && new.blocks.len() == BODY.len() + 1)
                }
                PairKind::Edit(_) => assert!(!body_kept, "{kind:?} left the article as it was"),
            }
        }
    }

    fn pairs_are_the_same_for_the_same_seed() {
        let page = fixture();
        let a = Analysed::new(&page);
        let kind = PairKind::Edit(EditKind::WordChanged);
        let one = make_pair(&a, &page, kind, &mut Rng::new(seed_for(1, "p", kind, 0))).unwrap();
        let two = make_pair(&a, &page, kind, &mut Rng::new(seed_for(1, "p", kind, 0))).unwrap();
        assert_eq!(one.new_html, two.new_html);
        assert_eq!(one.expected, two.expected);
    }

    fn the_corpus_is_read_from_ground_truth_and_gzipped_html() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("html")).unwrap();
        let page = fixture();
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        std::io::Write::write_all(&mut gz, page.html.as_bytes()).unwrap();
        std::fs::write(dir.path().join("html/p1.html.gz"), gz.finish().unwrap()).unwrap();
        std::fs::write(
            dir.path().join("ground-truth.json"),
            serde_json::json!({"p1": {"articleBody": page.body, "url": "https://news.example/x"}})
                .to_string(),
        )
        .unwrap();
        let pages = load_corpus(dir.path()).unwrap();
        assert_eq!(pages.len(), 1);
        assert_eq!(pages[0].html, page.html);
        std::fs::write(
            dir.path().join("ground-truth.json"),
            r#"{"p2": {"articleBody": "x"}}"#,
        )
        .unwrap();
        let err = load_corpus(dir.path()).unwrap_err();
        assert!(err.contains("p2.html"), "{err}");
    }
}
