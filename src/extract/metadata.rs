//! Page metadata: headline, byline, dates, canonical URL, language, direction.

use scraper::{Html, Selector};
use serde_json::Value;
use url::Url;

use crate::document::Document;
use crate::text;

fn sel(s: &str) -> Selector {
    Selector::parse(s).expect("static selector")
}

/// Reads the metadata of a parsed page into an empty [`Document`].
pub(super) fn read(dom: &Html, url: Option<&Url>) -> Document {
    let ld = json_ld_article(dom);
    let ld_str = |k: &str| {
        ld.as_ref()
            .and_then(|v| v.get(k))
            .and_then(Value::as_str)
            .map(text::clean)
            .filter(|s| !s.is_empty())
    };
    let meta = |names: &[&str]| -> Option<String> {
        for n in names {
            let s = sel(&format!(
                "meta[property=\"{n}\"], meta[name=\"{n}\"], meta[itemprop=\"{n}\"]"
            ));
            if let Some(v) = dom
                .select(&s)
                .filter_map(|m| m.value().attr("content"))
                .map(text::clean)
                .find(|v| !v.is_empty())
            {
                return Some(v);
            }
        }
        None
    };
    let first_text = |s: &str| {
        dom.select(&sel(s))
            .map(|e| text::clean(&e.text().collect::<String>()))
            .find(|t| !t.is_empty())
    };

    let title = ld_str("headline")
        .or_else(|| first_text("article h1, main h1, h1[itemprop=headline], .headline"))
        .or_else(|| meta(&["og:title", "twitter:title"]))
        .or_else(|| first_text("h1"))
        .or_else(|| first_text("title").map(|t| strip_site_suffix(&t)));
    let byline = ld.as_ref().and_then(|v| v.get("author")).and_then(author_names)
        .or_else(|| meta(&["author", "article:author", "byl", "sailthru.author", "parsely-author"]).filter(|a| !a.starts_with("http")))
        .or_else(|| first_text("[rel=author], [itemprop=author] [itemprop=name], [itemprop=author], .byline, .author-name, .author"))
        .map(|b| b.trim_start_matches("By ").trim_start_matches("by ").to_string());
    let published = ld_str("datePublished")
        .or_else(|| {
            meta(&[
                "article:published_time",
                "datePublished",
                "pubdate",
                "publish-date",
                "date",
                "DC.date.issued",
            ])
        })
        .or_else(|| {
            dom.select(&sel("time[datetime]"))
                .filter_map(|t| t.value().attr("datetime"))
                .map(text::clean)
                .next()
        });
    let modified = ld_str("dateModified")
        .or_else(|| meta(&["article:modified_time", "dateModified", "og:updated_time"]));
    let canonical = dom
        .select(&sel("link[rel=canonical]"))
        .filter_map(|l| l.value().attr("href"))
        .next()
        .or_else(|| meta_attr(dom, "og:url"))
        .and_then(|h| match url {
            Some(base) => base.join(h.trim()).ok().map(|u| u.to_string()),
            None => Url::parse(h.trim()).ok().map(|u| u.to_string()),
        });
    let html_el = dom.root_element();
    let lang = html_el
        .value()
        .attr("lang")
        .or_else(|| html_el.value().attr("xml:lang"))
        .map(str::to_string)
        .or_else(|| meta(&["og:locale", "language", "content-language"]));
    let dir = html_el
        .value()
        .attr("dir")
        .map(|d| d.to_ascii_lowercase())
        .filter(|d| d == "rtl" || d == "ltr");
    Document {
        title,
        byline: byline.filter(|b| !b.is_empty() && b.len() < 200),
        published,
        modified,
        canonical_url: canonical,
        lang,
        dir,
        blocks: Vec::new(),
    }
}

fn meta_attr<'a>(dom: &'a Html, property: &str) -> Option<&'a str> {
    dom.select(&sel(&format!("meta[property=\"{property}\"]")))
        .filter_map(|m| m.value().attr("content"))
        .next()
}

/// Drops a trailing " | Site" or " - Site" from a `<title>`.
fn strip_site_suffix(t: &str) -> String {
    for sep in [" | ", " – ", " — ", " - ", " :: "] {
        if let Some(pos) = t.rfind(sep) {
            let head = &t[..pos];
            if text::word_count(head) >= 3 {
                return head.trim().to_string();
            }
        }
    }
    t.to_string()
}

/// The first schema.org article object in the page's JSON-LD.
pub(super) fn json_ld_article(dom: &Html) -> Option<Value> {
    for script in dom.select(&sel("script[type=\"application/ld+json\"]")) {
        let raw: String = script.text().collect();
        let Ok(v) = serde_json::from_str::<Value>(raw.trim()) else {
            continue;
        };
        if let Some(found) = find_article(&v) {
            return Some(found.clone());
        }
    }
    None
}

fn find_article(v: &Value) -> Option<&Value> {
    match v {
        Value::Array(a) => a.iter().find_map(find_article),
        Value::Object(o) => {
            let is_article = match o.get("@type") {
                Some(Value::String(t)) => {
                    t.ends_with("Article") || t == "BlogPosting" || t == "Report"
                }
                Some(Value::Array(ts)) => ts
                    .iter()
                    .filter_map(Value::as_str)
                    .any(|t| t.ends_with("Article") || t == "BlogPosting"),
                _ => false,
            };
            if is_article {
                return Some(v);
            }
            o.get("@graph")
                .and_then(find_article)
                .or_else(|| o.get("mainEntity").and_then(find_article))
        }
        _ => None,
    }
}

fn author_names(v: &Value) -> Option<String> {
    let names: Vec<String> = match v {
        Value::String(s) => vec![s.clone()],
        Value::Object(o) => o
            .get("name")
            .and_then(Value::as_str)
            .map(|s| vec![s.to_string()])
            .unwrap_or_default(),
        Value::Array(a) => a.iter().filter_map(author_names).collect(),
        _ => vec![],
    };
    let names: Vec<String> = names
        .into_iter()
        .map(|n| text::clean(&n))
        .filter(|n| !n.is_empty() && !n.starts_with("http"))
        .collect();
    (!names.is_empty()).then(|| names.join(", "))
}
