//! Watches: their kinds, outlets, comparison rules ([`Watch::rules`]),
//! names, selectors and `ignore` patterns, and the channels they send to.

use std::time::Duration;

use regex::Regex;
use serde::Deserialize;
use toml::Spanned;
use url::Url;

use super::channel::Channel;
use super::daemon::DaemonSettings;
use super::problems::{closest, quote, Report};
use super::value::{duration_field, http_url, parse_duration, positive};
use super::{RawWatch, MIN_INTERVAL};

/// What a watch looks at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum WatchKind {
    /// One article: alert when its text, headline or byline changes, or it disappears.
    Article,
    /// A page of links (tag, section, search): alert on new items.
    Listing,
    /// An RSS, Atom or JSON feed: alert on new items.
    Feed,
}

impl WatchKind {
    /// The lower-case name used in config and output.
    pub fn as_str(self) -> &'static str {
        match self {
            WatchKind::Article => "article",
            WatchKind::Listing => "listing",
            WatchKind::Feed => "feed",
        }
    }
}

/// One watched URL (`[[watch]]`).
#[derive(Debug, Clone)]
pub struct Watch {
    /// Unique name; also the baseline file name.
    pub name: String,
    /// The URL to fetch.
    pub url: Url,
    /// Article, listing or feed.
    pub kind: WatchKind,
    /// How often to check.
    pub interval: Duration,
    /// CSS selector overriding automatic content (or item) detection.
    pub selector: Option<String>,
    /// Text matching these is neutralised before comparing.
    pub ignore: Vec<Regex>,
    /// Alert only when the change or new item mentions one of these.
    pub keywords: Vec<String>,
    /// Ignore changes of fewer words than this.
    pub min_change: usize,
    /// Channels to alert; empty means all channels.
    pub channels: Vec<String>,
    /// For listings and feeds: fetch each new item's article for keyword matching.
    pub follow: bool,
    /// Outlet name shown in alerts (defaults to the name the page or feed
    /// gives its publication, else the URL's host: [`Watch::outlet_named`]).
    pub outlet: Option<String>,
    /// Allow redirects from this watch to loopback, private or link-local addresses.
    pub allow_private_redirects: bool,
    /// Obey the site's robots.txt (default); `robots = false` for pages the
    /// organisation is entitled to fetch regardless.
    pub robots: bool,
    /// Take a change confined to the site's chrome (blocks the site's other
    /// watched pages show, or changed the same way) without an alert
    /// (default); `site_chrome = false` alerts every change
    /// ([`crate::compare::site_chrome`]).
    pub site_chrome: bool,
}

/// Two watches are the same when every setting is (`ignore` rules by
/// their patterns): a reload tells ops how many watches it changed.
impl PartialEq for Watch {
    fn eq(&self, other: &Watch) -> bool {
        // Destructured, so that a new setting cannot be left out here.
        let Watch {
            name,
            url,
            kind,
            interval,
            selector,
            ignore,
            keywords,
            min_change,
            channels,
            follow,
            outlet,
            allow_private_redirects,
            robots,
            site_chrome,
        } = self;
        *name == other.name
            && *url == other.url
            && *kind == other.kind
            && *interval == other.interval
            && *selector == other.selector
            && ignore.len() == other.ignore.len()
            && ignore
                .iter()
                .zip(&other.ignore)
                .all(|(a, b)| a.as_str() == b.as_str())
            && *keywords == other.keywords
            && *min_change == other.min_change
            && *channels == other.channels
            && *follow == other.follow
            && *outlet == other.outlet
            && *allow_private_redirects == other.allow_private_redirects
            && *robots == other.robots
            && *site_chrome == other.site_chrome
    }
}

impl Watch {
    /// A watch the state keeps evidence of that the config no longer names
    /// (its `[[watch]]` removed since): its name and the address it was
    /// fetched at, every other setting as a `[[watch]]` giving only those
    /// would have it. `report` and `export` hand its evidence over as
    /// such; its kept versions are read as the kind each was stored as.
    pub fn retired(name: &str, url: Url) -> Watch {
        Watch {
            name: name.to_string(),
            url,
            kind: WatchKind::Article,
            interval: Duration::from_secs(30 * 60),
            selector: None,
            ignore: Vec::new(),
            keywords: Vec::new(),
            min_change: 0,
            channels: Vec::new(),
            follow: false,
            outlet: None,
            allow_private_redirects: false,
            robots: true,
            site_chrome: true,
        }
    }

    /// Whether `other` fetches and reads its page as this watch does: the
    /// same URL, kind and selector, the same redirect and robots.txt rules,
    /// following its items or not. A failing check is about these (not
    /// about the interval, the alert rules or the channels): a reload that
    /// changes one makes the watch a new one, whose failures start again.
    pub fn checks_as(&self, other: &Watch) -> bool {
        self.url == other.url
            && self.kind == other.kind
            && self.selector == other.selector
            && self.follow == other.follow
            && self.allow_private_redirects == other.allow_private_redirects
            && self.robots == other.robots
    }

    /// The comparison rules of the watch: its `ignore` and `min_change`.
    pub fn rules(&self) -> crate::compare::Rules {
        crate::compare::Rules {
            ignore: self.ignore.clone(),
            min_change: self.min_change,
        }
    }

    /// The outlet name where no page is at hand: the configured one, else
    /// the host.
    pub fn outlet(&self) -> String {
        self.outlet_named(None)
    }

    /// The outlet name alerts show: the configured one, else the name the
    /// page gives its publication (`page_name`: a feed's own title, a page's
    /// `og:site_name`), else the host.
    /// A page's own name is cut to [`MAX_PAGE_OUTLET_CHARS`] characters:
    /// it is the page's to write, and goes into every alert's summary.
    pub fn outlet_named(&self, page_name: Option<&str>) -> String {
        self.outlet
            .clone()
            .or_else(|| page_name.and_then(page_outlet))
            .unwrap_or_else(|| host_outlet(&self.url))
    }
}

/// The most characters of a page's or feed's own name an alert names it by.
pub const MAX_PAGE_OUTLET_CHARS: usize = 80;

/// The outlet a page's or feed's own name for itself names, cut to
/// [`MAX_PAGE_OUTLET_CHARS`] characters; none when it is blank.
pub fn page_outlet(page_name: &str) -> Option<String> {
    let n = page_name.trim();
    if n.is_empty() {
        return None;
    }
    Some(match n.char_indices().nth(MAX_PAGE_OUTLET_CHARS) {
        Some((cut, _)) => format!("{}…", n[..cut].trim_end()),
        None => n.to_string(),
    })
}

/// The outlet a page's address names when no `outlet` is set: its host
/// without `www.`.
pub fn host_outlet(url: &Url) -> String {
    url.host_str()
        .unwrap_or("")
        .trim_start_matches("www.")
        .to_string()
}

// ---- raw (as written) schema -------------------------------------------------

/// Why a CSS selector does not parse, in words; `None` when it parses. (The
/// parser's own message for most typos asks the reader to report a bug to
/// its developer, on a second line.)
pub fn selector_problem(selector: &str) -> Option<String> {
    use scraper::error::SelectorErrorKind as Kind;
    let e = scraper::Selector::parse(selector).err()?;
    let why = match &e {
        Kind::UnexpectedSelectorParseError(inner) => match format!("{inner:?}").as_str() {
            "EmptySelector" => {
                "part of it is empty (a comma with nothing after it, or `#` or `.` with no name?)"
            }
            "DanglingCombinator" => "it ends with `>`, `+` or `~` and nothing after it",
            "ClassNeedsIdent" => "a `.` must be followed by a class name, e.g. `div.article-body`",
            "NoIdentForPseudo" | "UnsupportedPseudoClassOrElement" => {
                "it uses a pseudo-class or pseudo-element that is not supported"
            }
            "NoQualifiedNameInAttributeSelector"
            | "UnexpectedTokenInAttributeSelector"
            | "ExpectedBarInAttr"
            | "BadValueInAttr"
            | "InvalidQualNameInAttr" => {
                "an attribute selector `[...]` is malformed: write e.g. `[itemprop=articleBody]`"
            }
            other => return Some(format!("it does not parse ({other})")),
        }
        .to_string(),
        Kind::EndOfLine => "it ends too early (an unclosed `[` or `(`?)".to_string(),
        Kind::UnexpectedToken => "it has a character that is not allowed where it is".to_string(),
        other => other.to_string(),
    };
    Some(why)
}

/// A regex that does not parse, on one line as every problem is: what is
/// wrong and where in the pattern (the regex crate draws it over three
/// lines, a caret under the place).
pub fn regex_problem(pattern: &str, e: &regex::Error) -> String {
    let text = e.to_string();
    let lines: Vec<&str> = text.lines().collect();
    let what = lines
        .iter()
        .rev()
        .find_map(|l| l.strip_prefix("error: "))
        .unwrap_or(text.as_str());
    // The caret line: four spaces of indent, then `^` under the place
    // (a char count: the pattern line is the pattern, indented alike).
    let at = lines
        .iter()
        .find(|l| l.trim_start().starts_with('^'))
        .map(|l| {
            l.chars()
                .take_while(|c| *c == ' ')
                .count()
                .saturating_sub(4)
        });
    let near = at
        .and_then(|i| pattern.chars().nth(i).map(|c| (i, c)))
        .map(|(i, c)| format!(" at character {} ({c:?})", i + 1))
        .unwrap_or_default();
    format!("not a valid regex: {what}{near}; a literal ( ) [ ] . * + ? \\ is written with a \\ before it, e.g. '\\(AP\\)'")
}

/// What to say of a watch's `channels` entry that names no channel: the
/// channel probably meant, else those there are; a channel `left_out` for
/// its own problems counts as there (the config has it, once fixed).
fn unknown_channel(name: &str, channels: &[Channel], left_out: &[String]) -> String {
    let missing = format!("no channel named {} is defined", quote(name));
    let names = || {
        channels
            .iter()
            .map(|c| c.name.as_str())
            .chain(left_out.iter().map(String::as_str))
    };
    if let Some(meant) = closest(name, names()) {
        return format!("{missing}: did you mean {}?", quote(meant));
    }
    if names().next().is_none() {
        return format!(
            "{missing}: the config has no [[channel]] (without one, alerts go to stdout and the log)"
        );
    }
    let names: Vec<String> = names().map(quote).collect();
    format!("{missing}; its channels: {}", names.join(", "))
}

/// How problems name a watch: by its name (`watch "iranwire-rasoulof"`), by
/// its place in the file (`watch[3]`, counted from 0) only when it has none.
pub(super) fn watch_label(index: usize, name: Option<&str>) -> String {
    match name.map(str::trim).filter(|n| !n.is_empty()) {
        Some(name) => format!("watch {}", quote(name)),
        None => format!("watch[{index}]"),
    }
}

/// A character that shows nothing: zero-width (non-)joiners and spaces,
/// direction marks, the byte-order mark, a soft hyphen.
fn invisible(c: char) -> bool {
    matches!(c, '\u{00ad}' | '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2060}'..='\u{2064}' | '\u{feff}')
}

/// Why `follow = true` is refused on an article watch.
const FOLLOW_ON_AN_ARTICLE: &str = "follow = true is for a listing or feed: for each new item whose title (or a feed's \
     summary) mentions no keyword, it fetches the story the item links to and matches the keywords in its text; this \
     watch is an article (no kind, or kind = \"article\"), whose own text is compared, and which lists no items to \
     follow. Remove follow; or, if the url is a section page or a feed that lists stories, write kind = \"listing\" \
     or kind = \"feed\"";

/// Whether `c` may stand in a watch name (which names its baseline file
/// and the watch in commands): a letter, a digit, `-`, `_` or `.`, and the
/// parts of words that Persian and Arabic spell with: the zero-width
/// (non-)joiner (رسول‌اف) and the vowel marks.
fn name_char(c: char) -> bool {
    c.is_alphanumeric()
        || "-_.\u{200c}\u{200d}".contains(c)
        || unicode_normalization::char::is_combining_mark(c)
}

/// What a watch name may hold: [`name_char`]s, starting with a letter, a
/// digit, `-` or `_` (not `.`, nor a joiner or a mark, which join nothing).
fn valid_watch_name(name: &str) -> bool {
    name.chars()
        .next()
        .is_some_and(|c| c.is_alphanumeric() || "-_".contains(c))
        && name.chars().all(name_char)
}

/// The longest watch name, in bytes (UTF-8: a Latin letter takes one, a
/// Persian or Arabic one two). The name is a file name (its baseline file,
/// `NAME.txt`), and file systems take at most 255 bytes in one; 100 leaves
/// room and is still a name one can type.
pub const MAX_NAME_BYTES: usize = 100;

/// Why `name` is too long, and a shorter one to write (its first words).
fn long_name_message(name: &str) -> String {
    let mut short = String::new();
    for part in name.split_inclusive(['-', '_', '.']) {
        if short.len() + part.len() > 40 {
            break;
        }
        short.push_str(part);
    }
    if short.is_empty() {
        short = name
            .chars()
            .scan(0, |n, c| {
                *n += c.len_utf8();
                (*n <= 40).then_some(c)
            })
            .collect();
    }
    let short = short.trim_end_matches(['-', '_', '.']);
    format!(
        "is {} bytes long, more than {MAX_NAME_BYTES}: the name is a file name (the watch's baseline file) \
         and is typed in commands; write a short one, e.g. name = {}",
        name.len(),
        quote(short)
    )
}

/// Why `name` is no valid watch name, naming the characters it may not
/// hold (invisible ones too), and the name to write instead: without the
/// invisible characters, others as `-`.
fn bad_name_message(name: &str) -> String {
    const RULE: &str = "a name may hold only letters (with their marks and joiners), digits, '-', '_' and '.', and start with a letter, a digit, '-' or '_' (it names the baseline file and the watch in commands)";
    let mut bad: Vec<String> = Vec::new();
    for c in name.chars() {
        if name_char(c) {
            continue;
        }
        let said = match c {
            ' ' => "a space".to_string(),
            c if invisible(c) || c.is_control() => {
                format!("an invisible character (U+{:04X})", c as u32)
            }
            c => format!("'{c}'"),
        };
        if !bad.contains(&said) {
            bad.push(said);
        }
    }
    let mut suggested = String::new();
    for c in name.chars() {
        if name_char(c) && c != '-' {
            suggested.push(c);
        } else if invisible(c) {
            continue;
        } else if !suggested.ends_with('-') {
            suggested.push('-');
        }
    }
    let suggested = suggested
        .trim_start_matches(|c: char| !c.is_alphanumeric() && c != '_')
        .trim_end_matches('-');
    let what = match bad.split_last() {
        None => "it does not start with a letter, a digit, '-' or '_'".to_string(),
        Some((last, [])) => format!("it holds {last}"),
        Some((last, rest)) => format!("it holds {} and {last}", rest.join(", ")),
    };
    if suggested.is_empty() {
        format!("{what}: {RULE}")
    } else {
        format!("{what}: {RULE}; write name = {}", quote(suggested))
    }
}

pub(super) fn watches(
    r: &mut Report<'_>,
    raw: Vec<Spanned<RawWatch>>,
    daemon: &DaemonSettings,
    channels: &[Channel],
    left_out: &[String],
) -> Vec<Watch> {
    let mut out = Vec::new();
    // Each name, with the line of the watch that has it first.
    let mut names = std::collections::HashMap::new();
    for (i, w) in raw.into_iter().enumerate() {
        let table = w.span();
        let w = w.into_inner();
        let label = watch_label(i, w.name.as_ref().map(|n| n.get_ref().as_str()));
        let k = |f: &str| format!("{label}.{f}");
        let name = match &w.name {
            None => {
                r.missing(
                    table.clone(),
                    k("name"),
                    "missing name: give the watch a name of its own, e.g. name = \"iranwire-rasoulof\" (it names the baseline file and the watch in commands)",
                );
                String::new()
            }
            Some(written) => {
                let name = written.get_ref().trim().to_string();
                if name.is_empty() {
                    r.at(
                        Some(written.span()),
                        k("name"),
                        "must not be empty (it names the baseline file and the watch in commands)",
                    );
                } else if !valid_watch_name(&name) {
                    r.at(Some(written.span()), k("name"), bad_name_message(&name));
                } else if name.len() > MAX_NAME_BYTES {
                    r.at(Some(written.span()), k("name"), long_name_message(&name));
                } else if let Some(first) = names.get(&name) {
                    r.at(
                        Some(written.span()),
                        k("name"),
                        format!(
                            "duplicate watch name {}: the watch on line {first} has it already; give each watch a name of its own (it names the watch's baseline file and its state)",
                            quote(&name)
                        ),
                    );
                } else {
                    names.insert(name.clone(), r.line_of(written.span().start));
                }
                name
            }
        };
        let url = match &w.url {
            None => {
                r.missing(
                    table,
                    k("url"),
                    "missing url: write the address to watch, e.g. url = \"https://news.example.org/2024/05/story\"",
                );
                None
            }
            Some(written) => match http_url(written.get_ref()) {
                Ok(u) => Some(u),
                Err(e) => {
                    r.at(Some(written.span()), k("url"), e);
                    None
                }
            },
        };
        let kind = match w.kind.as_ref().map(|s| s.get_ref().as_str()) {
            None | Some("article") => WatchKind::Article,
            Some("listing") => WatchKind::Listing,
            Some("feed") => WatchKind::Feed,
            Some(other) => {
                r.at(
                    w.kind.as_ref().map(|s| s.span()),
                    k("kind"),
                    if ["rss", "atom", "json", "jsonfeed", "json-feed"]
                        .contains(&other.to_ascii_lowercase().as_str())
                    {
                        format!(
                            "unknown kind {other:?}: RSS, Atom and JSON feeds are kind = \"feed\""
                        )
                    } else {
                        format!("unknown kind {other:?}; use article, listing or feed")
                    },
                );
                WatchKind::Article
            }
        };
        let interval = duration_field(r, &w.interval, &k("interval"), daemon.interval);
        // A watch without an interval of its own takes the daemon's, whose
        // problem is reported once, at `daemon.interval`; so does one whose
        // own is no duration (`interval = 30`), which is reported as that
        // alone: it is not too short, it says nothing yet.
        let own_read = w.interval.as_ref().filter(
            |own| matches!(own.get_ref(), toml::Value::String(s) if parse_duration(s).is_ok()),
        );
        if interval < MIN_INTERVAL {
            if let Some(own) = own_read {
                r.at(Some(own.span()), k("interval"), "must be at least 1m");
            }
        }
        if let Some(sel) = &w.selector {
            if let Some(why) = selector_problem(sel.get_ref()) {
                r.at(
                    Some(sel.span()),
                    k("selector"),
                    format!("not a valid CSS selector: {why}"),
                );
            }
        }
        let mut ignore = Vec::new();
        for (j, pat) in w.ignore.iter().enumerate() {
            match Regex::new(pat.get_ref()) {
                Ok(re) => ignore.push(re),
                Err(e) => r.at(
                    Some(pat.span()),
                    format!("{label}.ignore[{j}]"),
                    regex_problem(pat.get_ref(), &e),
                ),
            }
        }
        for c in &w.channels {
            // A channel left out for its own problems is reported there.
            if !channels.iter().any(|ch| &ch.name == c.get_ref()) && !left_out.contains(c.get_ref())
            {
                r.at(
                    Some(c.span()),
                    k("channels"),
                    unknown_channel(c.get_ref(), channels, left_out),
                );
            }
        }
        let min_change = positive(r, &w.min_change, &k("min_change"), 0, 0) as usize;
        let follow = w.follow.as_ref().is_some_and(|f| *f.get_ref());
        let written_an_article = matches!(
            w.kind.as_ref().map(|s| s.get_ref().as_str()),
            None | Some("article")
        );
        if let Some(f) = w.follow.as_ref().filter(|_| follow && written_an_article) {
            r.at(Some(f.span()), k("follow"), FOLLOW_ON_AN_ARTICLE);
        }
        if let Some(url) = url {
            out.push(Watch {
                name,
                url,
                kind,
                interval,
                selector: w.selector.map(Spanned::into_inner),
                ignore,
                keywords: w
                    .keywords
                    .into_iter()
                    .filter(|k| !k.trim().is_empty())
                    .collect(),
                min_change,
                channels: w.channels.into_iter().map(Spanned::into_inner).collect(),
                follow,
                outlet: w.outlet,
                allow_private_redirects: w.allow_private_redirects,
                robots: w.robots.unwrap_or(true),
                site_chrome: w.site_chrome.unwrap_or(true),
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::tests::errors;
    use crate::config::Config;
    use std::path::Path;

    /// `follow = true` follows a listing's or feed's items to their
    /// stories; on an article, which lists none, it did nothing, silently.
    #[test]
    fn follow_on_an_article_is_refused_saying_what_it_is_for() {
        let watch = |lines: &str| {
            errors(&format!(
                "[[watch]]\nname = \"w\"\nurl = \"https://example.org/news\"\nkeywords = [\"Evin\"]\n{lines}\n"
            ))
        };
        for article in ["follow = true", "kind = \"article\"\nfollow = true"] {
            let e = watch(article);
            assert_eq!(e.len(), 1, "{e:?}");
            assert!(
                e[0].starts_with(
                    "c.toml:5: watch \"w\".follow: follow = true is for a listing or feed"
                ) || e[0].starts_with(
                    "c.toml:6: watch \"w\".follow: follow = true is for a listing or feed"
                ),
                "{e:?}"
            );
            assert!(
                e[0].ends_with("write kind = \"listing\" or kind = \"feed\""),
                "{e:?}"
            );
        }
        for fine in [
            "follow = false",
            "kind = \"listing\"\nfollow = true",
            "kind = \"feed\"\nfollow = true",
        ] {
            assert_eq!(watch(fine), Vec::<String>::new(), "{fine}");
        }
        // An unknown kind is reported as that alone.
        let e = watch("kind = \"lisitng\"\nfollow = true");
        assert!(
            e.len() == 1 && e[0].contains(".kind: unknown kind"),
            "{e:?}"
        );
    }

    #[test]
    fn a_watch_name_too_long_for_a_file_name_is_refused_with_a_shorter_one() {
        let watch =
            |name: &str| format!("[[watch]]\nname = \"{name}\"\nurl = \"https://example.org/a\"\n");
        let long = format!("iranwire-rasoulof-{}", "x".repeat(282));
        assert_eq!(
            errors(&watch(&long)),
            vec![format!(
                "c.toml:2: watch \"{long}\".name: is 300 bytes long, more than 100: the name is a file name (the watch's baseline file) and is typed in commands; write a short one, e.g. name = \"iranwire-rasoulof\""
            )]
        );
        // 100 bytes is a name; Persian letters take two bytes each.
        assert!(errors(&watch(&"a".repeat(100))).is_empty());
        assert!(errors(&watch(&"ر".repeat(50))).is_empty());
        assert_eq!(errors(&watch(&"ر".repeat(51))).len(), 1);
    }

    #[test]
    fn a_feed_watch_written_as_users_write_it_is_corrected_with_what_to_write() {
        let watch = |body: &str| errors(&format!("[[watch]]\nname = \"w\"\n{body}\n"));
        assert_eq!(
            watch("url = \"www.radiofarda.example/feed\"\nkind = \"feed\""),
            ["c.toml:3: watch \"w\".url: not a valid URL: it does not start with https:// or http://; write \"https://www.radiofarda.example/feed\""]
        );
        assert_eq!(
            watch("url = \"https://n.example/rss\"\nkind = \"RSS\""),
            ["c.toml:4: watch \"w\".kind: unknown kind \"RSS\": RSS, Atom and JSON feeds are kind = \"feed\""]
        );
        assert_eq!(
            watch("url = \"https://n.example/rss\"\nkind = \"feed\"\nkeywords = \"Evin\""),
            ["c.toml:5: watch \"w\".keywords: this is a list: write it in brackets, keywords = [\"Evin\"]"]
        );
    }

    #[test]
    fn a_page_names_the_outlet_unless_the_watch_does_and_a_long_name_is_cut() {
        let c = Config::parse(
            Path::new("c.toml"),
            "[[watch]]\nname = \"a\"\nurl = \"https://www.n.example/a\"\n[[watch]]\nname = \"b\"\nurl = \"https://n.example/b\"\noutlet = \"Zamaneh\"\n",
        )
        .unwrap();
        let (a, b) = (&c.watches[0], &c.watches[1]);
        assert_eq!(a.outlet_named(None), "n.example");
        assert_eq!(a.outlet_named(Some("  Radio Farda ")), "Radio Farda");
        assert_eq!(b.outlet_named(Some("Radio Farda")), "Zamaneh");
        let long = "خبر ".repeat(40);
        let named = a.outlet_named(Some(&long));
        assert_eq!(named.chars().count(), MAX_PAGE_OUTLET_CHARS, "{named}");
        assert!(named.ends_with("خبر…"), "{named}");
    }

    #[test]
    fn a_selector_typo_says_what_is_wrong_in_one_line() {
        let e = errors("[[watch]]\nname = \"a\"\nurl = \"https://example.org/a\"\nselector = \"div..article-body\"\n\n[[watch]]\nname = \"b\"\nurl = \"https://example.org/b\"\nselector = \"div.article-body p, \"\n");
        assert_eq!(
            e,
            vec![
                "c.toml:4: watch \"a\".selector: not a valid CSS selector: a `.` must be followed by a class name, e.g. `div.article-body`",
                "c.toml:9: watch \"b\".selector: not a valid CSS selector: part of it is empty (a comma with nothing after it, or `#` or `.` with no name?)",
            ]
        );
        for typo in ["div >", "a[", "div[[", "p:hover", "#", "}"] {
            let why = selector_problem(typo).expect(typo);
            assert!(
                !why.contains('\n') && !why.contains("report"),
                "{typo}: {why}"
            );
        }
        assert_eq!(
            selector_problem("div.article-body > p, a[href^=\"/news\"]"),
            None
        );
    }

    #[test]
    fn an_ignore_regex_that_does_not_parse_is_one_line_saying_where() {
        assert_eq!(
            errors("[[watch]]\nname = \"a\"\nurl = \"https://example.org/a\"\nignore = ['Updated (\\d+ minutes ago']\n"),
            ["c.toml:4: watch \"a\".ignore[0]: not a valid regex: unclosed group at character 9 ('('); a literal ( ) [ ] . * + ? \\ is written with a \\ before it, e.g. '\\(AP\\)'"]
        );
    }

    #[test]
    fn a_channel_a_watch_names_that_is_not_there_is_told_the_one_meant() {
        let with = |channels: &str| {
            errors(&format!(
                "{channels}[[watch]]\nname = \"a\"\nurl = \"https://example.org/a\"\nchannels = [\"press_office\"]\n"
            ))
        };
        let hook = |name: &str| {
            format!("[[channel]]\nname = \"{name}\"\ntype = \"webhook\"\nurl = \"https://hooks.example.org/x\"\n\n")
        };
        assert_eq!(
            with(&hook("press-office")),
            ["c.toml:9: watch \"a\".channels: no channel named \"press_office\" is defined: did you mean \"press-office\"?"]
        );
        assert_eq!(
            with(&hook("newsroom")),
            ["c.toml:9: watch \"a\".channels: no channel named \"press_office\" is defined; its channels: \"newsroom\""]
        );
        assert_eq!(
            with(""),
            ["c.toml:4: watch \"a\".channels: no channel named \"press_office\" is defined: the config has no [[channel]] (without one, alerts go to stdout and the log)"]
        );
        // A channel with a problem of its own is still the config's: the
        // watch is told the name meant, not that there is no channel.
        assert_eq!(
            with("[[channel]]\nname = \"press-office\"\ntype = \"emial\"\n\n"),
            [
                "c.toml:3: channel \"press-office\".type: unknown channel type \"emial\"; use \"email\" or \"webhook\"",
                "c.toml:8: watch \"a\".channels: no channel named \"press_office\" is defined: did you mean \"press-office\"?"
            ]
        );
    }

    #[test]
    fn a_name_a_watch_may_not_have_is_shown_as_written_with_the_characters_to_drop_and_the_name_to_write(
    ) {
        let name = |n: &str| {
            errors(&format!(
                "[[watch]]\nname = \"{n}\"\nurl = \"https://n.example/a\"\n"
            ))
        };
        // A Persian name typed with a right-to-left mark, which shows
        // nothing: the label shows the name as it reads (no `\u{200f}`),
        // and says which character to drop.
        assert_eq!(
            name("رسول\u{200c}اف-آوای-ایران\u{200f}"),
            ["c.toml:2: watch \"رسول\u{200c}اف-آوای-ایران\u{200f}\".name: it holds an invisible character (U+200F): a name may hold only letters (with their marks and joiners), digits, '-', '_' and '.', and start with a letter, a digit, '-' or '_' (it names the baseline file and the watch in commands); write name = \"رسول\u{200c}اف-آوای-ایران\""]
        );
        assert_eq!(
            name("cnn / rasoulof"),
            ["c.toml:2: watch \"cnn / rasoulof\".name: it holds a space and '/': a name may hold only letters (with their marks and joiners), digits, '-', '_' and '.', and start with a letter, a digit, '-' or '_' (it names the baseline file and the watch in commands); write name = \"cnn-rasoulof\""]
        );
        assert_eq!(
            name(".cnn"),
            ["c.toml:2: watch \".cnn\".name: it does not start with a letter, a digit, '-' or '_': a name may hold only letters (with their marks and joiners), digits, '-', '_' and '.', and start with a letter, a digit, '-' or '_' (it names the baseline file and the watch in commands); write name = \"cnn\""]
        );
        // Persian and Arabic words as they are spelt, with their
        // zero-width non-joiner and vowel marks, are names.
        for spelt in ["رسول\u{200c}اف-آوای-ایران", "رسولاف-آوای-ایران", "مُراسَلون"]
        {
            assert!(
                !errors(&format!(
                    "[[watch]]\nname = \"{spelt}\"\nurl = \"https://n.example/a\"\n"
                ))
                .iter()
                .any(|e| e.contains(".name")),
                "{spelt}"
            );
        }
    }

    #[test]
    fn a_watch_is_named_by_its_name_and_by_its_place_only_when_it_has_none() {
        let src = r#"[daemon]
interval = "1h"

[[watch]]
name = "evin-prison-report"

[[watch]]
url = "https://n.example/b"

[[watch]]
name = "زندان-اوین"
url = "https://n.example/c"
interval = "often"
"#;
        assert_eq!(
            errors(src),
            [
                "c.toml:4: watch \"evin-prison-report\".url: missing url: write the address to watch, e.g. url = \"https://news.example.org/2024/05/story\"",
                "c.toml:7: watch[1].name: missing name: give the watch a name of its own, e.g. name = \"iranwire-rasoulof\" (it names the baseline file and the watch in commands)",
                "c.toml:13: watch \"زندان-اوین\".interval: cannot parse duration \"often\"; write e.g. \"30s\", \"15m\", \"1h30m\"",
            ]
        );
    }
}
