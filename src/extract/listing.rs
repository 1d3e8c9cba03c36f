//! Listing pages (tag, section, search): the links that look like articles.

use std::collections::HashMap;
use std::sync::LazyLock;

use scraper::{ElementRef, Html, Selector};
use url::Url;

use super::{attr, reader_text, teaser};
use crate::document::{Item, Masthead};
use crate::text;

/// The identity of an item URL: lower-case host, no fragment, no tracking
/// parameters ([`crate::tracking::is_tracking_parameter`]: utm_*, fbclid,
/// gclid, ...), no default port, no trailing slash difference.
pub fn normalize_url(url: &Url) -> String {
    let mut u = url.clone();
    u.set_fragment(None);
    let kept: Vec<(String, String)> = u
        .query_pairs()
        .filter(|(k, _)| !crate::tracking::is_tracking_parameter(k))
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    if kept.is_empty() {
        u.set_query(None);
    } else {
        u.query_pairs_mut().clear().extend_pairs(kept);
    }
    let _ = u.set_scheme("https");
    if u.path().len() > 1 && u.path().ends_with('/') {
        let trimmed = u.path().trim_end_matches('/').to_string();
        u.set_path(&trimmed);
    }
    u.to_string()
}

/// An item of a listing page, with every text the page shows its link under.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ListingEntry {
    /// The item, titled by the first text its link is shown under.
    pub item: Item,
    /// The distinct texts of the links to the item, in page order, its
    /// title first: a page often shows one story in several places (a
    /// teaser, a caption, the list), each with its own words.
    pub shown: Vec<String>,
}

/// Items of a listing page: the links matched by `selector`, or by default
/// the links that read like headlines (`headline_links`).
pub fn listing(html: &str, base: &Url, selector: Option<&str>) -> Vec<Item> {
    listing_entries(html, base, selector)
        .0
        .into_iter()
        .map(|e| e.item)
        .collect()
}

/// Items of a listing page as [`listing`] finds them, each with the texts
/// its link is shown under, and the page's masthead (its site's name and
/// language).
pub fn listing_entries(
    html: &str,
    base: &Url,
    selector: Option<&str>,
) -> (Vec<ListingEntry>, Masthead) {
    let dom = Html::parse_document(&super::prepare::for_parsing(html));
    let custom = selector.and_then(|s| Selector::parse(s).ok());
    let links: Vec<(ElementRef<'_>, Url, String)> = match &custom {
        Some(s) => dom
            .select(s)
            .flat_map(|e| {
                if e.value().name() == "a" {
                    vec![e]
                } else {
                    e.select(&ANCHORS).collect()
                }
            })
            .filter_map(|a| link(a, base))
            .collect(),
        None => headline_links(&dom, base),
    };
    let mut at: HashMap<String, usize> = HashMap::new();
    let mut items: Vec<ListingEntry> = Vec::new();
    let mut teasers = Teasers::default();
    for (a, url, title) in links {
        let key = normalize_url(&url);
        if let Some(&i) = at.get(&key) {
            if !items[i].shown.contains(&title) {
                items[i].shown.push(title);
            }
            continue;
        }
        at.insert(key.clone(), items.len());
        items.push(ListingEntry {
            item: Item {
                key,
                url: url.to_string(),
                title: title.clone(),
                snippet: teasers.near(a),
                published: None,
            },
            shown: vec![title],
        });
    }
    (items, super::metadata::masthead(&dom))
}

static ANCHORS: LazyLock<Selector> =
    LazyLock::new(|| Selector::parse("a[href]").expect("static selector"));

/// An anchor's absolute http(s) URL and its text, when it has both.
fn link<'a>(a: ElementRef<'a>, base: &Url) -> Option<(ElementRef<'a>, Url, String)> {
    let url = base.join(attr(a.value(), "href")?.trim()).ok()?;
    if !matches!(url.scheme(), "http" | "https") {
        return None;
    }
    let title = reader_text(a);
    (!title.is_empty()).then_some((a, url, title))
}

/// An article read from a page is tiny under this many words: a page
/// whose article is that small while it links to many stories
/// ([`reads_as_listing`]) is most likely no article page. No article page
/// of the extraction-dev and wcxb-dev-articles corpora reads under 43.
pub const TINY_ARTICLE_WORDS: usize = 40;

/// A page links to many stories from this many on (the stories
/// [`listing`] reads from it): a tag, section or front page lists at least
/// as many.
pub const MANY_STORY_LINKS: usize = 5;

/// The number of stories a page (`html`, at `base`) lists when it reads as
/// a listing page rather than as the article extracted from it (of
/// `article_words` words): the article is tiny (under
/// [`TINY_ARTICLE_WORDS`], a teaser line read as the story) while the page
/// links to [`MANY_STORY_LINKS`] stories or more. `None` otherwise.
pub fn reads_as_listing(html: &str, base: &Url, article_words: usize) -> Option<usize> {
    if article_words >= TINY_ARTICLE_WORDS {
        return None;
    }
    let stories = listing(html, base, None).len();
    (stories >= MANY_STORY_LINKS).then_some(stories)
}

/// Links to other sites count as items only when at least this many of them
/// sit in repeated structure (or headline markup): a page made of them, such
/// as an aggregator's front page or a search result page.
const MIN_OTHER_SITE_LINKS: usize = 3;

/// The links of a page that read like headlines, in page order: headline-
/// length text (4 to 40 words), a path below the site's root, outside
/// navigation, header, footer, sidebars and "most read" boxes.
///
/// Links to the page's own site always count. Links to other sites count
/// where the page is made of them, which is how aggregators, search results
/// and press-release wires look: each sits in a structure repeated for at
/// least [`MIN_OTHER_SITE_LINKS`] of them (the same chain of elements above
/// the link) or in headline markup (`h1`–`h6`), they are not marked as
/// sponsored, and they are at least a third of all headline links. A news
/// site's own tag page with a box of partner links keeps its own stories
/// only.
pub fn headline_links<'a>(dom: &'a Html, base: &Url) -> Vec<(ElementRef<'a>, Url, String)> {
    let candidates: Vec<Candidate<'a>> = dom
        .select(&ANCHORS)
        .filter_map(|a| link(a, base))
        .filter(|(a, url, title)| reads_like_headline(url, base, title) && !in_page_chrome(*a))
        .map(|(a, url, title)| {
            let same = url.host_str().map(site) == base.host_str().map(site);
            (a, url, title, same)
        })
        .filter(|(a, _, _, same)| *same || !sponsored(*a))
        .collect();
    let candidates = without_side_boxes(candidates);
    let mut shapes: std::collections::HashMap<Vec<&str>, usize> = Default::default();
    for (a, _, _, same) in &candidates {
        if !same {
            *shapes.entry(shape(*a)).or_default() += 1;
        }
    }
    let other_site_item = |a: ElementRef<'_>| {
        shapes.get(&shape(a)).copied().unwrap_or(0) >= MIN_OTHER_SITE_LINKS || in_headline(a)
    };
    let others = candidates
        .iter()
        .filter(|(a, _, _, same)| !same && other_site_item(*a))
        .count();
    let own = candidates.iter().filter(|c| c.3).count();
    let page_of_other_sites = others >= MIN_OTHER_SITE_LINKS && others * 2 >= own;
    candidates
        .into_iter()
        .filter(|(a, _, _, same)| *same || (page_of_other_sites && other_site_item(*a)))
        .map(|(a, url, title, _)| (a, url, title))
        .collect()
}

/// A link that reads like a headline: the anchor, its URL and text, and
/// whether it points to the page's own site.
type Candidate<'a> = (ElementRef<'a>, Url, String, bool);

/// The candidate links of a page but for those of its side boxes. A side
/// box is a box of links under a title that names it as the site's other
/// stories ("Most read", "Popular now", "Related articles", "Latest news",
/// "پربازدیدترین", "الأكثر قراءة": the vocabulary article text is read
/// with, [`teaser::is_recirculation_list`]) beside a bigger list: another
/// such box holds more of the page's headline links, or the links outside
/// all such boxes are at least twice as many (they may be several lists).
/// The page's own list under such a title ("Latest news" on a news
/// section) is the biggest, and stays.
fn without_side_boxes<'a>(candidates: Vec<Candidate<'a>>) -> Vec<Candidate<'a>> {
    // Whether an element is a titled box, each looked at once: the links of
    // one list share their ancestors.
    let mut titled: HashMap<ego_tree::NodeId, bool> = HashMap::new();
    let boxes: Vec<Option<ego_tree::NodeId>> = candidates
        .iter()
        .map(|(a, ..)| {
            a.ancestors()
                .filter_map(ElementRef::wrap)
                .take_while(|e| !matches!(e.value().name(), "body" | "html"))
                .find(|e| {
                    *titled
                        .entry(e.id())
                        .or_insert_with(|| teaser::is_recirculation_list(*e))
                })
                .map(|e| e.id())
        })
        .collect();
    let mut held: HashMap<ego_tree::NodeId, usize> = HashMap::new();
    for b in boxes.iter().flatten() {
        *held.entry(*b).or_default() += 1;
    }
    if held.is_empty() {
        return candidates;
    }
    let untitled = boxes.iter().filter(|b| b.is_none()).count();
    let biggest = held.values().copied().max().unwrap_or(0);
    // The links outside titled boxes may be several lists: a box is beside
    // them when they are twice as many.
    let side = |b: &ego_tree::NodeId| 2 * held[b] <= untitled || held[b] < biggest;
    candidates
        .into_iter()
        .zip(boxes)
        .filter(|(_, b)| !b.as_ref().is_some_and(side))
        .map(|(c, _)| c)
        .collect()
}

/// Headline-length link text and a path below the site's root that is not
/// the listing page itself.
fn reads_like_headline(url: &Url, base: &Url, title: &str) -> bool {
    let words = text::word_count(title);
    let path_depth = url
        .path()
        .trim_matches('/')
        .split('/')
        .filter(|s| !s.is_empty())
        .count();
    (4..=40).contains(&words)
        && path_depth > 0
        && url.as_str() != base.as_str()
        && !(url.host_str() == base.host_str() && url.path() == base.path())
}

/// Inside navigation, header, footer, a sidebar, a menu, breadcrumbs or a
/// "most read" / "trending" box.
fn in_page_chrome(a: ElementRef<'_>) -> bool {
    a.ancestors().filter_map(ElementRef::wrap).any(|e| {
        let name = e.value().name();
        if matches!(name, "nav" | "header" | "footer" | "aside") {
            return true;
        }
        let class = attr(e.value(), "class").unwrap_or("").to_ascii_lowercase();
        [
            "nav",
            "menu",
            "footer",
            "breadcrumb",
            "most-read",
            "trending",
            "popular",
        ]
        .iter()
        .any(|c| class.contains(c))
    })
}

/// A link marked as paid for: `rel="sponsored"`, or in an element near it
/// (itself or one of five ancestors) whose class or id says ad, advert,
/// sponsored or promoted.
fn sponsored(a: ElementRef<'_>) -> bool {
    if attr(a.value(), "rel").is_some_and(|r| r.to_ascii_lowercase().contains("sponsored")) {
        return true;
    }
    let paid = |token: &str| {
        let t = token.to_ascii_lowercase();
        matches!(t.as_str(), "ad" | "ads")
            || ["ad-", "ads-", "advert", "promoted"]
                .iter()
                .any(|p| t.starts_with(p))
            || t.contains("sponsor")
    };
    std::iter::once(a)
        .chain(a.ancestors().filter_map(ElementRef::wrap))
        .take(6)
        .any(|e| {
            let v = e.value();
            attr(v, "class")
                .unwrap_or("")
                .split_whitespace()
                .chain(attr(v, "id"))
                .any(paid)
        })
}

/// The shape of the structure a link sits in: the names of its three
/// nearest ancestors. Links repeated in one list or grid share it.
fn shape<'a>(a: ElementRef<'a>) -> Vec<&'a str> {
    a.ancestors()
        .filter_map(ElementRef::wrap)
        .take(3)
        .map(|e| e.value().name())
        .collect()
}

/// In headline markup: inside an `h1`–`h6` near the link, or holding one.
fn in_headline(a: ElementRef<'_>) -> bool {
    static HEADINGS: LazyLock<Selector> =
        LazyLock::new(|| Selector::parse("h1, h2, h3, h4, h5, h6").expect("static selector"));
    let heading = |name: &str| matches!(name, "h1" | "h2" | "h3" | "h4" | "h5" | "h6");
    a.ancestors()
        .filter_map(ElementRef::wrap)
        .take(3)
        .any(|e| heading(e.value().name()))
        || a.select(&HEADINGS).next().is_some()
}

/// The registrable-ish part of a host: drops a leading `www.`.
fn site(host: &str) -> String {
    host.trim_start_matches("www.").to_ascii_lowercase()
}

/// The teasers of a page's containers, each looked for once: the links of
/// one list share the list as a container, and searching it again for each
/// link cost a page of 40,000 links minutes of CPU.
#[derive(Default)]
struct Teasers(HashMap<ego_tree::NodeId, Option<String>>);

impl Teasers {
    /// A teaser next to the link: the first paragraph (of five words or
    /// more) in its nearest container, up to three levels up.
    fn near(&mut self, a: ElementRef<'_>) -> Option<String> {
        let mut cur = a.parent().and_then(ElementRef::wrap);
        for _ in 0..3 {
            let e = cur?;
            if let Some(t) = self.0.entry(e.id()).or_insert_with(|| first_teaser(e)) {
                return Some(t.clone());
            }
            cur = e.parent().and_then(ElementRef::wrap);
        }
        None
    }
}

/// The first paragraph of five words or more in `container`.
fn first_teaser(container: ElementRef<'_>) -> Option<String> {
    static P: LazyLock<Selector> = LazyLock::new(|| Selector::parse("p").expect("static selector"));
    container
        .select(&P)
        .map(reader_text)
        .find(|t| text::word_count(t) >= 5)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalisation_drops_tracking_and_fragment() {
        let u = Url::parse("https://WWW.Example.org/a/b/?utm_source=x&id=3&fbclid=y#top").unwrap();
        assert_eq!(normalize_url(&u), "https://www.example.org/a/b?id=3");
        let v = Url::parse("http://www.example.org/a/b?gclid=1").unwrap();
        assert_eq!(normalize_url(&v), "https://www.example.org/a/b");
    }

    #[test]
    fn a_listing_page_gives_its_site_name_and_language_with_its_items() {
        let base = Url::parse("https://www.zamaneh.example/fa/tag/evin").unwrap();
        let html = r#"<html lang="FA_ir"><head><meta property="og:site_name" content="رادیو زمانه"></head><body>
            <a href="/2024/05/13/evin-report">گزارش تازه از زندان اوین درباره وضعیت زندانیان سیاسی</a></body></html>"#;
        let (items, masthead) = listing_entries(html, &base, None);
        assert_eq!(items.len(), 1);
        assert_eq!(masthead.name.as_deref(), Some("رادیو زمانه"));
        assert_eq!(masthead.lang.as_deref(), Some("fa-IR"));
        let (_, none) = listing_entries("<p>No masthead</p>", &base, None);
        assert_eq!(none, Masthead::default());
    }

    #[test]
    fn a_tag_page_whose_article_is_one_teaser_line_reads_as_a_listing() {
        let base = Url::parse("https://news.example.org/tag/evin").unwrap();
        let tag = include_str!("../../tests/fixtures/tag-page.html");
        let words = super::super::watched_article(tag, Some(&base), None).word_count();
        assert!(words > 0 && words < TINY_ARTICLE_WORDS, "{words} words");
        assert_eq!(reads_as_listing(tag, &base, words), Some(8));
        // An ordinary short article, with a link or two in its text, is one.
        let brief = r#"<html><body><header><a href="/">Example News</a></header><article>
            <h1>Court upholds sentence of filmmaker Rasoulof</h1>
            <p>An appeals court in Tehran upheld the eight-year sentence of the director
            <a href="/2024/05/13/rasoulof-flees-iran/">Mohammad Rasoulof, who fled Iran last week</a>,
            his lawyer said on Tuesday.</p></article></body></html>"#;
        let base = Url::parse("https://news.example.org/2024/05/14/court-upholds/").unwrap();
        let words = super::super::watched_article(brief, Some(&base), None).word_count();
        assert!(words > 0 && words < TINY_ARTICLE_WORDS, "{words} words");
        assert_eq!(reads_as_listing(brief, &base, words), None);
        // However many links a page has, an article of its size is read as one.
        assert_eq!(reads_as_listing(tag, &base, TINY_ARTICLE_WORDS), None);
    }

    #[test]
    fn article_links_only() {
        let base = Url::parse("https://news.example.org/tag/iran").unwrap();
        let html = r#"<nav><a href="/world/middle-east">Middle East news and analysis today</a></nav>
            <ul><li><a href="/2024/05/13/rasoulof-flees-iran?utm_source=tw">Filmmaker Rasoulof flees Iran after prison sentence</a><p>The director crossed the mountains on foot, he says.</p></li>
            <li><a href="https://other.example.com/2024/x">An article on another site entirely here</a></li>
            <li><a href="/2024/05/13/short">Short</a></li></ul>"#;
        let items = listing(html, &base, None);
        assert_eq!(items.len(), 1);
        assert_eq!(
            items[0].key,
            "https://news.example.org/2024/05/13/rasoulof-flees-iran"
        );
        assert_eq!(
            items[0].snippet.as_deref(),
            Some("The director crossed the mountains on foot, he says.")
        );
    }

    #[test]
    fn a_teaser_cards_title_and_summary_in_one_link_stay_separate_words() {
        // A card that is one link around a heading and a summary: its title
        // is not "...floodWater..." (which a keyword "water" would miss).
        let base = Url::parse("https://news.example.org/tag/floods").unwrap();
        let html = r#"<main><a href="/2024/05/valley-floods"><h3>Rivers rise as the valley braces for flood</h3><p>Water reached the old bridge overnight.</p></a></main>"#;
        let items = listing(html, &base, None);
        assert_eq!(items.len(), 1);
        assert_eq!(
            items[0].title,
            "Rivers rise as the valley braces for flood Water reached the old bridge overnight."
        );
    }

    #[test]
    fn navigation_header_and_footer_links_are_not_items() {
        let base = Url::parse("https://news.example.org/tag/iran").unwrap();
        let html = r#"<header><a href="/2024/05/a">A long headline in the page header here</a></header>
            <div class="main-menu"><a href="/2024/05/b">A long headline in the menu of the site</a></div>
            <main><a href="/2024/05/c">A long headline in the listing itself here</a></main>
            <footer><a href="/2024/05/d">A long headline in the footer of the page</a></footer>"#;
        let titles: Vec<String> = listing(html, &base, None)
            .into_iter()
            .map(|i| i.title)
            .collect();
        assert_eq!(titles, vec!["A long headline in the listing itself here"]);
    }

    #[test]
    fn links_to_other_sites_are_items_where_the_page_is_made_of_them() {
        let base = Url::parse("https://hub.example/iran").unwrap();
        let story = |host: &str, n: usize| {
            format!(
                "<li><a href=\"https://{host}/2024/05/story-{n}\">Headline number {n} about the story on another site</a></li>"
            )
        };
        let outbound: String = (0..4).map(|n| story("news.example", n)).collect();
        let html = format!(
            "<main><ul>{outbound}</ul><p><a href=\"/2024/05/digest\">Our own summary of the story so far today</a></p></main>"
        );
        let items = listing(&html, &base, None);
        assert_eq!(items.len(), 5, "{items:?}");
        assert_eq!(items[0].key, "https://news.example/2024/05/story-0");

        // A news site's own tag page with a box of partner links keeps its own stories.
        let own: String = (0..10)
            .map(|n| format!("<li><a href=\"/2024/05/own-{n}\">Our own headline number {n} about the story</a></li>"))
            .collect();
        let partners: String = (0..4).map(|n| story("partner.example", n)).collect();
        let html = format!(
            "<main><ul class=\"river\">{own}</ul><div class=\"more-from-partners\"><ul>{partners}</ul></div></main>"
        );
        let items = listing(&html, &base, None);
        assert_eq!(items.len(), 10, "{items:?}");
        assert!(items.iter().all(|i| i.key.contains("/own-")));

        // Sponsored links are never items, however many.
        let paid: String = (0..6)
            .map(|n| format!("<a rel=\"sponsored\" href=\"https://ads.example/c?id={n}\">You will not believe what this gadget number {n} can do</a>"))
            .collect();
        let items = listing(&format!("<main><div>{paid}</div></main>"), &base, None);
        assert!(items.is_empty(), "{items:?}");
    }

    #[test]
    fn a_box_under_a_persian_or_arabic_most_read_title_is_not_the_listings_items() {
        let base = Url::parse("https://news.example.org/fa/tag/cinema").unwrap();
        let links = |at: &str, n: usize| -> String {
            (1..=n)
                .map(|i| format!("<li><a href=\"/{at}/{i}\">خبر شماره {i} درباره سینمای ایران و کارگردانانش</a></li>"))
                .collect()
        };
        // The tag page's own list is headed "latest news" (آخرین اخبار): it
        // is the bigger list and stays; the boxes beside it, headed "most
        // read" in Persian (پربازدیدترین‌ها) and in Arabic (الأكثر قراءة), in
        // the same <main> and named by their titles alone, are not items.
        let html = format!(
            "<main><h2>آخرین اخبار</h2><ul>{}</ul><div class=\"box\"><h3>پربازدیدترین‌ها</h3><ol>{}</ol></div><section><h4>الأكثر قراءة</h4><div><ul>{}</ul></div></section></main>",
            links("news", 8),
            links("fa-popular", 4),
            links("ar-popular", 4)
        );
        let keys: Vec<String> = listing(&html, &base, None)
            .into_iter()
            .map(|i| i.key)
            .collect();
        let want: Vec<String> = (1..=8)
            .map(|i| format!("https://news.example.org/news/{i}"))
            .collect();
        assert_eq!(keys, want);
        // A page that is only such a list is that list.
        let html = format!(
            "<main><h2>الأكثر قراءة</h2><ul>{}</ul></main>",
            links("news", 8)
        );
        assert_eq!(listing(&html, &base, None).len(), 8);
    }

    #[test]
    fn selector_picks_the_links_even_short_ones() {
        let base = Url::parse("https://news.example.org/").unwrap();
        let html = r#"<nav><a href="/n">Nav</a></nav><div class="river"><a href="/x">Short</a><div><a href="/y?utm_source=a">Also</a></div></div>"#;
        let keys: Vec<String> = listing(html, &base, Some(".river"))
            .into_iter()
            .map(|i| i.key)
            .collect();
        assert_eq!(
            keys,
            vec!["https://news.example.org/x", "https://news.example.org/y"]
        );
    }
}
