//! Main-content detection and block collection for article pages.

use std::collections::HashMap;
use std::sync::LazyLock;

use ego_tree::iter::Edge;
use ego_tree::NodeId;
use regex::Regex;
use scraper::{ElementRef, Html, Node, Selector};

use crate::document::{Block, BlockKind};
use crate::text;

/// Elements whose content is never article text (the `<h1>` headline is
/// metadata, compared on its own).
const SKIP_TAGS: &[&str] = &[
    "h1",
    "script",
    "style",
    "noscript",
    "nav",
    "aside",
    "footer",
    "form",
    "button",
    "figure",
    "figcaption",
    "iframe",
    "svg",
    "template",
    "select",
    "textarea",
    "input",
    "header",
    "menu",
    "dialog",
    "object",
    "embed",
    "video",
    "audio",
    "canvas",
    "picture",
    "img",
    "head",
    "title",
];

/// class/id fragments that mark boilerplate inside and around articles.
static BOILERPLATE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)(^|[-_\s])(share|sharing|social|related|recommend|newsletter|subscribe|subscription|promo|advert|advertisement|ads?|sponsor|sponsored|comments?|most-?read|most-?popular|popular|trending|outbrain|taboola|cookie|consent|breadcrumbs?|tags|caption|credit|sidebar|widget|menu|toolbar|signup|sign-up|read-?more|more-stories|paywall|modal|banner|byline|author-bio|disclaimer|hidden|visually-hidden|sr-only|print-only)([-_\s]|$)",
    )
    .expect("static regex")
});

/// Whole-block texts that are page furniture, not article text.
static FURNITURE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^(related( articles?| stories| content)?|read more|more news|advertisement|sponsored|share this( article)?|follow us.*|sign up.*newsletter.*|subscribe.*|editor'?s picks?|most read|recommended)[:.!]?$")
        .expect("static regex")
});

/// An image credit line such as "(Photo by A. Person/Getty Images)".
static CREDIT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)\((photo|image|picture|credit)s?( by)?[^)]{0,80}\)\s*$|^(photo|image|credit)s?:\s",
    )
    .expect("static regex")
});

fn sel(s: &str) -> Selector {
    Selector::parse(s).expect("static selector")
}

/// The article blocks of a page: from `selector` when given, else from the
/// detected main content.
pub(super) fn blocks(dom: &Html, selector: Option<&str>) -> Vec<Block> {
    if let Some(s) = selector.and_then(|s| Selector::parse(s).ok()) {
        let mut out = Vec::new();
        for root in dom.select(&s) {
            collect(root, &mut out);
        }
        return out;
    }
    let Some(root) = main_content(dom) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    collect(root, &mut out);
    out
}

fn is_boilerplate(e: ElementRef<'_>) -> bool {
    let v = e.value();
    if SKIP_TAGS.contains(&v.name()) {
        return true;
    }
    if v.attr("hidden").is_some() || v.attr("aria-hidden") == Some("true") {
        return true;
    }
    if matches!(
        v.attr("role"),
        Some("navigation" | "complementary" | "banner" | "contentinfo" | "dialog")
    ) {
        return true;
    }
    let class = v.attr("class").unwrap_or("");
    let id = v.attr("id").unwrap_or("");
    if class.is_empty() && id.is_empty() {
        return false;
    }
    // Never drop the container that says it is the article body.
    if v.attr("itemprop") == Some("articleBody") {
        return false;
    }
    BOILERPLATE.is_match(class) || BOILERPLATE.is_match(id)
}

/// Finds the element holding the article text: the declared article body,
/// else the element that collects the most paragraph text (scored like
/// Readability: each paragraph feeds its parent fully and grandparent half).
fn main_content(dom: &Html) -> Option<ElementRef<'_>> {
    for s in ["[itemprop=articleBody]", "[data-component=text-block]"] {
        let best = dom.select(&sel(s)).max_by_key(|e| text_len(*e));
        if let Some(e) = best.filter(|e| text_len(*e) > 200) {
            return Some(e);
        }
    }
    let mut score: HashMap<NodeId, f64> = HashMap::new();
    for p in dom.select(&sel("p, pre, blockquote, li, div > br + br")) {
        if inside_boilerplate(p) {
            continue;
        }
        let len = text_len(p) as f64;
        if len < 25.0 {
            continue;
        }
        let link = link_text_len(p) as f64;
        let weight = len * (1.0 - (link / len).min(1.0));
        let mut anc = p.parent().and_then(ElementRef::wrap);
        for factor in [1.0, 0.5, 0.25] {
            let Some(a) = anc else { break };
            *score.entry(a.id()).or_default() += weight * factor;
            anc = a.parent().and_then(ElementRef::wrap);
        }
    }
    let best = score.into_iter().max_by(|a, b| a.1.total_cmp(&b.1))?;
    let el = ElementRef::wrap(dom.tree.get(best.0)?)?;
    // Prefer an enclosing <article> when the winner sits inside one.
    let mut anc = el.parent().and_then(ElementRef::wrap);
    while let Some(a) = anc {
        if a.value().name() == "article" && !inside_boilerplate(a) {
            return Some(a);
        }
        anc = a.parent().and_then(ElementRef::wrap);
    }
    Some(el)
}

fn inside_boilerplate(e: ElementRef<'_>) -> bool {
    let mut cur = Some(e);
    while let Some(c) = cur {
        if is_boilerplate(c) && c.value().name() != "html" && c.value().name() != "body" {
            return true;
        }
        cur = c.parent().and_then(ElementRef::wrap);
    }
    false
}

fn text_len(e: ElementRef<'_>) -> usize {
    e.text().map(|t| t.trim().chars().count()).sum()
}

fn link_text_len(e: ElementRef<'_>) -> usize {
    e.select(&sel("a")).map(text_len).sum()
}

fn block_kind(name: &str) -> Option<BlockKind> {
    Some(match name {
        "p" | "pre" | "dd" | "td" => BlockKind::Paragraph,
        "h2" | "h3" | "h4" | "h5" | "h6" => BlockKind::Heading,
        "blockquote" => BlockKind::Quote,
        "li" => BlockKind::ListItem,
        _ => return None,
    })
}

/// True for elements that break text into separate blocks.
fn is_block_level(name: &str) -> bool {
    block_kind(name).is_some()
        || matches!(
            name,
            "div"
                | "section"
                | "article"
                | "main"
                | "ul"
                | "ol"
                | "table"
                | "tr"
                | "h1"
                | "dl"
                | "dt"
                | "center"
                | "body"
        )
}

/// A block being built: its kind, text, and how much of it is link text.
struct Pending {
    kind: BlockKind,
    text: String,
    link_chars: usize,
}

/// Collects the text blocks below `root`, iteratively (deeply nested pages
/// must not overflow the stack).
fn collect(root: ElementRef<'_>, out: &mut Vec<Block>) {
    let mut skip_until: Option<NodeId> = None;
    let mut stack: Vec<Pending> = vec![Pending {
        kind: BlockKind::Paragraph,
        text: String::new(),
        link_chars: 0,
    }];
    let mut in_link = 0usize;
    for edge in root.traverse() {
        match edge {
            Edge::Open(node) => {
                if skip_until.is_some() {
                    continue;
                }
                match node.value() {
                    Node::Text(t) => {
                        let top = stack.last_mut().expect("stack never empty");
                        top.text.push_str(t);
                        if in_link > 0 {
                            top.link_chars += t.trim().chars().count();
                        }
                    }
                    Node::Element(el) => {
                        let Some(er) = ElementRef::wrap(node) else {
                            continue;
                        };
                        if node.id() != root.id() && is_boilerplate(er) {
                            skip_until = Some(node.id());
                            continue;
                        }
                        let name = el.name();
                        if name == "a" {
                            in_link += 1;
                        } else if name == "br" {
                            stack.last_mut().expect("stack never empty").text.push(' ');
                        } else if is_block_level(name) {
                            let kind = block_kind(name).unwrap_or(BlockKind::Paragraph);
                            // Loose text before a nested block becomes its own block.
                            let top = stack.last_mut().expect("stack never empty");
                            flush(top, out);
                            stack.push(Pending {
                                kind,
                                text: String::new(),
                                link_chars: 0,
                            });
                        }
                    }
                    _ => {}
                }
            }
            Edge::Close(node) => {
                if let Some(id) = skip_until {
                    if id == node.id() {
                        skip_until = None;
                    }
                    continue;
                }
                if let Node::Element(el) = node.value() {
                    let name = el.name();
                    if name == "a" {
                        in_link = in_link.saturating_sub(1);
                    } else if is_block_level(name) && stack.len() > 1 {
                        let mut done = stack.pop().expect("checked length");
                        flush(&mut done, out);
                    } else if matches!(
                        name,
                        "span"
                            | "em"
                            | "strong"
                            | "b"
                            | "i"
                            | "a"
                            | "u"
                            | "small"
                            | "sup"
                            | "sub"
                            | "abbr"
                            | "time"
                            | "mark"
                            | "cite"
                            | "q"
                            | "code"
                    ) {
                        // inline: nothing to do
                    } else {
                        let top = stack.last_mut().expect("stack never empty");
                        top.text.push(' ');
                    }
                }
            }
        }
    }
    while let Some(mut p) = stack.pop() {
        flush(&mut p, out);
    }
}

/// Emits a pending block if it is article text, and resets it.
fn flush(p: &mut Pending, out: &mut Vec<Block>) {
    let t = text::clean(&p.text);
    let chars = t.chars().count();
    let link_chars = p.link_chars;
    p.text.clear();
    p.link_chars = 0;
    if t.is_empty() || FURNITURE.is_match(&t) || CREDIT.is_match(&t) {
        return;
    }
    // Mostly-link blocks (teasers, "Related: ..." lines) are navigation.
    if chars > 0 && link_chars * 10 > chars * 6 {
        return;
    }
    // Tiny fragments that are not headings are page furniture (counters, dates).
    if p.kind != BlockKind::Heading
        && text::word_count(&t) < 2
        && !t.ends_with(['.', '!', '?', '"', '”', '؟', '.'])
    {
        return;
    }
    out.push(Block {
        kind: p.kind,
        text: t,
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn extract(html: &str) -> Vec<String> {
        blocks(&Html::parse_document(html), None)
            .into_iter()
            .map(|b| b.text)
            .collect()
    }

    #[test]
    fn picks_article_and_drops_furniture() {
        let html = r##"<html><body>
            <nav><a href="/">Home</a> <a href="/world">World</a></nav>
            <article>
              <h1>Headline</h1>
              <div class="share-bar"><a href="#">Share on X</a></div>
              <p>Iranian filmmaker Mohammad Rasoulof has fled Iran after an eight-year sentence.</p>
              <figure><img src="a.jpg"><figcaption>Rasoulof in Cannes. (Photo by A. Rentz/Getty Images)</figcaption></figure>
              <p>He crossed the mountains on foot, he said in a statement released on Monday.</p>
              <div class="related"><h3>Related</h3><a href="/x">Iran sentences director to prison</a></div>
              <h2>Reaction</h2>
              <p>The culture minister called the film illegal and pressed the crew.</p>
            </article>
            <aside class="most-read"><p>Most read: something else entirely that is long enough to count.</p></aside>
            <footer><p>Copyright News Corp, all rights reserved in every territory.</p></footer>
        </body></html>"##;
        assert_eq!(
            extract(html),
            vec![
                "Iranian filmmaker Mohammad Rasoulof has fled Iran after an eight-year sentence.",
                "He crossed the mountains on foot, he said in a statement released on Monday.",
                "Reaction",
                "The culture minister called the film illegal and pressed the crew.",
            ]
        );
    }

    #[test]
    fn selector_overrides_detection() {
        let html = r#"<div id="story"><p>Only this paragraph is wanted here.</p></div><article><p>Not this long article paragraph which would otherwise win the scoring.</p></article>"#;
        let got: Vec<String> = blocks(&Html::parse_document(html), Some("#story"))
            .into_iter()
            .map(|b| b.text)
            .collect();
        assert_eq!(got, vec!["Only this paragraph is wanted here."]);
    }

    #[test]
    fn deep_nesting_does_not_overflow() {
        let html = format!(
            "{}<p>Deep text that is long enough to be scored as content.</p>{}",
            "<div>".repeat(5_000),
            "</div>".repeat(5_000)
        );
        let got = extract(&html);
        assert!(got.len() <= 1);
    }
}
