//! Listing pages (tag, section, search): the links that look like articles.

use std::collections::HashSet;
use std::sync::LazyLock;

use scraper::{ElementRef, Html, Selector};
use url::Url;

use crate::document::Item;
use crate::text;

/// Query parameters that only track clicks; removed from item identities.
const TRACKING_PARAMS: &[&str] = &[
    "fbclid",
    "gclid",
    "dclid",
    "msclkid",
    "mc_cid",
    "mc_eid",
    "igshid",
    "ref",
    "ref_src",
    "cmpid",
    "ocid",
    "_ga",
    "at_medium",
    "at_campaign",
    "xtor",
];

/// The identity of an item URL: lower-case host, no fragment, no tracking
/// parameters (utm_*, fbclid, gclid, ...), no default port, no trailing
/// slash difference.
pub fn normalize_url(url: &Url) -> String {
    let mut u = url.clone();
    u.set_fragment(None);
    let kept: Vec<(String, String)> = u
        .query_pairs()
        .filter(|(k, _)| {
            let k = k.to_ascii_lowercase();
            !k.starts_with("utm_") && !TRACKING_PARAMS.contains(&k.as_str())
        })
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

/// Items of a listing page: the links matched by `selector`, or by default the
/// links that look like articles (same site, headline-length anchor text,
/// outside navigation, header and footer).
pub fn listing(html: &str, base: &Url, selector: Option<&str>) -> Vec<Item> {
    let dom = Html::parse_document(&super::prepare::for_parsing(html));
    let custom = selector.and_then(|s| Selector::parse(s).ok());
    let anchors = Selector::parse("a[href]").expect("static selector");
    let mut seen = HashSet::new();
    let mut items = Vec::new();
    let candidates: Vec<ElementRef<'_>> = match &custom {
        Some(s) => dom
            .select(s)
            .flat_map(|e| {
                if e.value().name() == "a" {
                    vec![e]
                } else {
                    e.select(&anchors).collect()
                }
            })
            .collect(),
        None => dom.select(&anchors).collect(),
    };
    for a in candidates {
        let Some(href) = a.value().attr("href") else {
            continue;
        };
        let Ok(url) = base.join(href.trim()) else {
            continue;
        };
        if !matches!(url.scheme(), "http" | "https") {
            continue;
        }
        let title = text::clean(&a.text().collect::<String>());
        if custom.is_none() && !looks_like_article_link(a, &url, base, &title) {
            continue;
        }
        if title.is_empty() {
            continue;
        }
        let key = normalize_url(&url);
        if !seen.insert(key.clone()) {
            continue;
        }
        items.push(Item {
            key,
            url: url.to_string(),
            title,
            snippet: snippet_near(a),
            published: None,
        });
    }
    items
}

fn looks_like_article_link(a: ElementRef<'_>, url: &Url, base: &Url, title: &str) -> bool {
    let same_site = url.host_str().map(site) == base.host_str().map(site);
    let words = text::word_count(title);
    let path_depth = url
        .path()
        .trim_matches('/')
        .split('/')
        .filter(|s| !s.is_empty())
        .count();
    if !same_site || !(4..=40).contains(&words) || path_depth == 0 || url.path() == base.path() {
        return false;
    }
    let mut cur = a.parent().and_then(ElementRef::wrap);
    while let Some(e) = cur {
        let name = e.value().name();
        if matches!(name, "nav" | "header" | "footer" | "aside") {
            return false;
        }
        let class = e.value().attr("class").unwrap_or("").to_ascii_lowercase();
        if [
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
        {
            return false;
        }
        cur = e.parent().and_then(ElementRef::wrap);
    }
    true
}

/// The registrable-ish part of a host: drops a leading `www.`.
fn site(host: &str) -> String {
    host.trim_start_matches("www.").to_ascii_lowercase()
}

/// A teaser next to the link: the first paragraph in its nearest container.
fn snippet_near(a: ElementRef<'_>) -> Option<String> {
    static P: LazyLock<Selector> = LazyLock::new(|| Selector::parse("p").expect("static selector"));
    let p = &*P;
    let mut cur = a.parent().and_then(ElementRef::wrap);
    for _ in 0..3 {
        let e = cur?;
        if let Some(t) = e
            .select(p)
            .map(|p| text::clean(&p.text().collect::<String>()))
            .find(|t| text::word_count(t) >= 5)
        {
            return Some(t);
        }
        cur = e.parent().and_then(ElementRef::wrap);
    }
    None
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
