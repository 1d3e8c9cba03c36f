//! Retitled items: an item of a listing or feed seen before (the same key)
//! whose title, read as readers read it, is not the one last recorded — an
//! outlet changing a story's headline. Pure: `check` reads what was
//! recorded of the items and stores what this module decides to remember.
//!
//! False alerts cost trust, so a title change is news only when it is a
//! headline changing into another headline: a title that is empty, only a
//! date or a link label ("Read more") never is, nor is a story's first
//! headline (an item seen before with no title of its own, named by its
//! teaser or link), and a change that only folds away (case, spelling
//! variants, Persian/Arabic letter forms, a ZWNJ typed as a space or left
//! out, punctuation) is none. Each item
//! remembers the titles it has carried, with whether it was retitled to
//! them: a title is alerted at most once as an item's new title, so an
//! outlet testing two headlines (A, B, A, B…) is alerted A → B and B → A
//! once each, then taken in silence. Listings are read more strictly than
//! feeds (a feed's title is one element of its item; a listing page often
//! shows one story in several places under different words): a listing's
//! item is retitled only when no link to it on the page still reads its old
//! title, its links all read the new one, and the new one was never shown
//! for it before. A change that many items of one check share at the start
//! or end of their titles (a suffix with the site's name added to every
//! title) is the site's template, taken in silence.

use std::collections::HashMap;
use std::sync::LazyLock;

use crate::alert::Retitle;
use crate::compare::{self, Rules, Segment, SegmentOp};
use crate::document::Item;
use crate::text;

/// The form titles are compared in: [`text::match_key`] (case, spelling
/// and letter variants, typographic punctuation folded), its words only
/// (punctuation aside, as the word diff shows it), the parts of a
/// Persian/Arabic word joined whatever separates them ([`text::joined_script`]).
pub fn title_key(title: &str) -> String {
    let key = text::match_key(title);
    let words: Vec<&str> = text::words(&key).collect();
    text::joined_script(&words.join(" ")).into_owned()
}

/// Link texts that name no story, in [`title_key`] form.
static LINK_LABELS: LazyLock<Vec<String>> = LazyLock::new(|| {
    [
        "read more",
        "read the full story",
        "full story",
        "continue reading",
        "more",
        "see more",
        "view more",
        "learn more",
        "click here",
        "details",
        "more details",
        "watch the video",
        "watch video",
        "listen",
        "ادامه",
        "ادامه مطلب",
        "ادامه خبر",
        "بیشتر",
        "بیشتر بخوانید",
        "مشاهده",
        "جزئیات",
        "اقرأ المزيد",
        "المزيد",
        "التفاصيل",
        "اقرأ أيضا",
    ]
    .into_iter()
    .map(title_key)
    .collect()
});

/// Whether a title can be a story's headline: at least two words that are
/// not words of a date or a time ([`crate::correction::is_date_word`]),
/// and not a link label such as "Read more" or "ادامه مطلب".
pub fn reads_like_headline(title: &str) -> bool {
    let key = text::match_key(title);
    let content = text::words(&key)
        .filter(|w| !crate::correction::is_date_word(w))
        .count();
    content >= 2 && !LINK_LABELS.contains(&title_key(title))
}

/// Where a watch's items come from: how strictly a title change is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// A feed: each item's title is an element of its own.
    Feed,
    /// A listing page: an item's title is the text of the first link to it,
    /// and the page may show other links to it with other words.
    Listing,
}

/// What a check knows of one item of its page.
pub struct Observed<'a> {
    /// The item as extracted now.
    pub item: &'a Item,
    /// The texts the page shows the item under: a listing's links to it
    /// (its title first), a feed item's title when the feed gives one
    /// (none when the item is titled by its teaser).
    pub shown: &'a [String],
    /// The title last recorded for it (its own title when it is new).
    pub recorded: &'a str,
    /// Whether the source gave the recorded title: false when the item was
    /// seen with no title and named by its teaser or link, so that the
    /// headline it is given now is its first, no retitle.
    pub recorded_given: bool,
}

impl Observed<'_> {
    /// Whether the page shows the item under a title other than the one
    /// recorded: only then is what it carried before worth reading.
    pub fn shows_another_title(&self) -> bool {
        let recorded = title_key(self.recorded);
        self.shown.iter().any(|s| title_key(s) != recorded)
    }
}

/// The title last recorded of an item seen before.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recorded {
    /// The title, as shown.
    pub title: String,
    /// Whether the source gave it: false for a feed item seen with no
    /// title, named by its teaser or link until it is given one.
    pub given: bool,
}

/// A title for the store to remember of an item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Remember {
    /// The item's key.
    pub key: String,
    /// The title in [`title_key`] form.
    pub title_key: String,
    /// The title as shown, when the item is retitled to it (or given its
    /// first headline): it becomes the item's recorded title, one the
    /// source gave. `None`: only shown (a listing's other link, or the
    /// title the item had before).
    pub becomes: Option<String>,
}

/// What one check's retitles are.
#[derive(Debug, Default)]
pub struct Found {
    /// The retitles worth an alert, in page order (the watch's keywords
    /// not yet applied).
    pub news: Vec<Retitle>,
    /// How many items were retitled, news or not.
    pub retitled: usize,
    /// How many items seen with no title of their own were given their
    /// first headline (never news).
    pub first_headlines: usize,
    /// The titles to remember, in the order to store them.
    pub remember: Vec<Remember>,
}

/// At least this many items of one check whose titles changed the same
/// way at their start or end are the site's template changing, not news.
pub const TEMPLATE_ITEMS: usize = 3;

/// Judges the items of one check that show another title than the one
/// recorded ([`Observed::shows_another_title`]), in page order, each given
/// with the titles it carried before (in [`title_key`] form, each with
/// whether it was retitled to it).
pub fn judge(from: Source, observed: &[(Observed<'_>, HashMap<String, bool>)]) -> Found {
    let mut found = Found::default();
    for (o, carried) in observed {
        let remember = |title_key: String, becomes: Option<String>| Remember {
            key: o.item.key.clone(),
            title_key,
            becomes,
        };
        let (old, new) = (title_key(o.recorded), title_key(&o.item.title));
        let retitled = new != old
            && !o.shown.is_empty()
            && reads_like_headline(&o.item.title)
            && (from == Source::Feed
                || (!o.shown.iter().any(|s| title_key(s) == old)
                    && o.shown
                        .iter()
                        .filter(|s| reads_like_headline(s))
                        .all(|s| title_key(s) == new)));
        if from == Source::Listing {
            // Every headline the page shows the item under is remembered:
            // when one of two placements goes, the other is no new title.
            let mut shown: Vec<String> = Vec::new();
            for k in o
                .shown
                .iter()
                .filter(|s| reads_like_headline(s))
                .map(|s| title_key(s))
            {
                let known = k == old
                    || (retitled && k == new)
                    || carried.contains_key(&k)
                    || shown.contains(&k);
                if !known {
                    shown.push(k);
                }
            }
            found
                .remember
                .extend(shown.into_iter().map(|k| remember(k, None)));
        }
        if !retitled {
            continue;
        }
        if o.recorded_given {
            found.retitled += 1;
        } else {
            found.first_headlines += 1;
        }
        let news = o.recorded_given
            && reads_like_headline(o.recorded)
            && match from {
                Source::Feed => !carried.get(&new).copied().unwrap_or(false),
                Source::Listing => !carried.contains_key(&new),
            };
        // A name presswatch gave the item is no title it carried.
        if o.recorded_given && !carried.contains_key(&old) {
            found.remember.push(remember(old, None));
        }
        found
            .remember
            .push(remember(new, Some(o.item.title.clone())));
        if news {
            let segments = compare::word_diff(o.recorded, &o.item.title, &Rules::default());
            found.news.push(Retitle {
                key: o.item.key.clone(),
                url: o.item.url.clone(),
                old_title: o.recorded.to_string(),
                new_title: o.item.title.clone(),
                segments,
                snippet: o.item.snippet.clone(),
                keywords: Vec::new(),
            });
        }
    }
    drop_template_changes(&mut found.news);
    found
}

/// Drops the retitles that are the site's template changing: the same
/// words added or removed at the start or the end of the titles of at
/// least [`TEMPLATE_ITEMS`] items, the rest of each title the same.
fn drop_template_changes(news: &mut Vec<Retitle>) {
    let mut shared: HashMap<(bool, String, String), usize> = HashMap::new();
    let edges: Vec<Option<(bool, String, String)>> =
        news.iter().map(|r| edge_change(&r.segments)).collect();
    for e in edges.iter().flatten() {
        *shared.entry(e.clone()).or_default() += 1;
    }
    let mut edges = edges.into_iter();
    news.retain(|_| {
        let template = edges
            .next()
            .flatten()
            .is_some_and(|e| shared[&e] >= TEMPLATE_ITEMS);
        !template
    });
}

/// A change of a title's words at its start or its end only: (at the
/// start, the words removed, the words added, both in [`title_key`] form).
fn edge_change(segments: &[Segment]) -> Option<(bool, String, String)> {
    let changed = |s: &Segment| s.op != SegmentOp::Same && !title_key(&s.text).is_empty();
    let first = segments.iter().position(changed)?;
    let last = segments.iter().rposition(changed)?;
    let inside = &segments[first..=last];
    let (at_start, at_end) = (
        segments[..first]
            .iter()
            .all(|s| title_key(&s.text).is_empty()),
        segments[last + 1..]
            .iter()
            .all(|s| title_key(&s.text).is_empty()),
    );
    if at_start == at_end
        || inside
            .iter()
            .any(|s| s.op == SegmentOp::Same && !title_key(&s.text).is_empty())
    {
        return None;
    }
    let words = |op: SegmentOp| {
        let text: Vec<&str> = inside
            .iter()
            .filter(|s| s.op == op)
            .map(|s| s.text.as_str())
            .collect();
        title_key(&text.join(" "))
    };
    Some((at_start, words(SegmentOp::Removed), words(SegmentOp::Added)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(key: &str, title: &str) -> Item {
        Item {
            key: key.into(),
            url: format!("https://n.example/{key}"),
            title: title.into(),
            snippet: None,
            published: None,
        }
    }

    /// One item of a check: the item, what the page shows it under, the
    /// title recorded, the titles it carried (each with whether it was
    /// retitled to it).
    type Case<'a> = (Item, Vec<String>, &'a str, &'a [(&'a str, bool)]);

    /// The new titles one check alerts.
    fn news(from: Source, cases: &[Case<'_>]) -> Vec<String> {
        let observed: Vec<_> = cases
            .iter()
            .map(|(it, shown, recorded, carried)| {
                let carried = carried.iter().map(|(t, r)| (title_key(t), *r)).collect();
                let o = Observed {
                    item: it,
                    shown,
                    recorded,
                    recorded_given: true,
                };
                (o, carried)
            })
            .collect();
        judge(from, &observed)
            .news
            .into_iter()
            .map(|r| r.new_title)
            .collect()
    }

    fn feed_case(
        title: &str,
        recorded: &'static str,
        carried: &'static [(&'static str, bool)],
    ) -> Case<'static> {
        (item("g", title), vec![title.to_string()], recorded, carried)
    }

    #[test]
    fn titles_that_read_the_same_compare_equal() {
        assert_eq!(
            title_key("Rasoulof FLEES Iran."),
            title_key("Rasoulof flees Iran")
        );
        // ZWNJ, a space or nothing between a word's parts; Arabic yeh and
        // kaf; a hamza written or not.
        assert_eq!(
            title_key("رسول\u{200C}اف از ایران گریخت"),
            title_key("رسول اف از ايران گريخت")
        );
        assert_eq!(
            title_key("رئیس دادگاه"),
            title_key("ر\u{06CC}\u{0654}یس دادگاه")
        );
        assert_ne!(
            title_key("Rasoulof flees Iran"),
            title_key("Rasoulof flees Iran for Europe")
        );
    }

    #[test]
    fn dates_labels_and_empty_titles_are_no_headlines() {
        for t in [
            "",
            "Read more",
            "ادامه مطلب",
            "14 May 2024",
            "Tuesday, 14 May 2024 10:00 GMT",
            "۲۴ اردیبهشت ۱۴۰۳",
            "Rasoulof",
        ] {
            assert!(!reads_like_headline(t), "{t}");
        }
        for t in [
            "Rasoulof flees",
            "رسول‌اف از ایران گریخت",
            "Iran executes protester",
        ] {
            assert!(reads_like_headline(t), "{t}");
        }
    }

    #[test]
    fn a_feed_title_is_alerted_once_as_new_and_once_when_it_flips_back() {
        // A → B: news.
        assert_eq!(
            news(
                Source::Feed,
                &[feed_case(
                    "Director flees Iran",
                    "Director leaves Iran",
                    &[]
                )]
            ),
            ["Director flees Iran"]
        );
        // B → A, A being the title it started with: news (a revert).
        assert_eq!(
            news(
                Source::Feed,
                &[feed_case(
                    "Director leaves Iran",
                    "Director flees Iran",
                    &[
                        ("Director leaves Iran", false),
                        ("Director flees Iran", true)
                    ]
                )]
            ),
            ["Director leaves Iran"]
        );
        // A → B again: B was alerted before; silent from now on.
        assert!(news(
            Source::Feed,
            &[feed_case(
                "Director flees Iran",
                "Director leaves Iran",
                &[
                    ("Director leaves Iran", true),
                    ("Director flees Iran", true)
                ]
            )]
        )
        .is_empty());
        // A date or a label as either title: never news.
        assert!(news(
            Source::Feed,
            &[feed_case("14 May 2024", "Director leaves Iran", &[])]
        )
        .is_empty());
        assert!(news(
            Source::Feed,
            &[feed_case("Director leaves Iran", "Read more", &[])]
        )
        .is_empty());
    }

    #[test]
    fn a_feed_items_first_headline_is_recorded_but_no_news() {
        // Seen with no title: named by its teaser.
        let teaser = "Dozens of political prisoners were moved from Evin prison to Ghezel\u{2026}";
        let it = item("g", "Prisoners moved from Evin");
        let shown = vec![it.title.clone()];
        let observed = [(
            Observed {
                item: &it,
                shown: &shown,
                recorded: teaser,
                recorded_given: false,
            },
            HashMap::new(),
        )];
        let found = judge(Source::Feed, &observed);
        assert!(found.news.is_empty(), "{:?}", found.news);
        assert_eq!((found.retitled, found.first_headlines), (0, 1));
        // The headline becomes its recorded title; the teaser is no title
        // it carried.
        assert_eq!(
            found.remember,
            [Remember {
                key: "g".into(),
                title_key: title_key("Prisoners moved from Evin"),
                becomes: Some("Prisoners moved from Evin".into()),
            }]
        );
    }

    #[test]
    fn a_listing_link_shown_under_two_texts_is_not_retitled() {
        let it = item("a", "Director flees Iran after sentence");
        // The old title still shown elsewhere on the page.
        let both = vec![
            "Director flees Iran after sentence".to_string(),
            "Director leaves Iran".to_string(),
        ];
        assert!(news(
            Source::Listing,
            &[(it.clone(), both, "Director leaves Iran", &[])]
        )
        .is_empty());
        // The old one gone, but two new texts disagree.
        let two = vec![
            "Director flees Iran after sentence".to_string(),
            "Watch: the director speaks about his escape".to_string(),
        ];
        assert!(news(
            Source::Listing,
            &[(it.clone(), two, "Director leaves Iran", &[])]
        )
        .is_empty());
        // The new one was shown for the link before (another placement).
        let one = vec!["Director flees Iran after sentence".to_string()];
        assert!(news(
            Source::Listing,
            &[(
                it.clone(),
                one.clone(),
                "Director leaves Iran",
                &[("Director flees Iran after sentence", false)]
            )]
        )
        .is_empty());
        // A "Read more" beside the one headline does not count.
        let with_label = vec![
            "Director flees Iran after sentence".to_string(),
            "Read more".to_string(),
        ];
        assert_eq!(
            news(
                Source::Listing,
                &[(it, with_label, "Director leaves Iran", &[])]
            ),
            ["Director flees Iran after sentence"]
        );
    }

    #[test]
    fn the_same_words_added_to_many_titles_are_the_template() {
        let case = |k: &str, old: &'static str, new: &str| {
            (item(k, new), vec![new.to_string()], old, &[][..])
        };
        let cases = [
            case(
                "1",
                "Director flees Iran",
                "Director flees Iran | Wire News",
            ),
            case(
                "2",
                "Court upholds sentence",
                "Court upholds sentence | Wire News",
            ),
            case(
                "3",
                "Rivers rise in Khuzestan",
                "Rivers rise in Khuzestan | Wire News",
            ),
            case("4", "Minister resigns", "Minister quits after a week"),
        ];
        assert_eq!(news(Source::Feed, &cases), ["Minister quits after a week"]);
        // On one or two items, the same words are news.
        assert_eq!(news(Source::Feed, &cases[..2]).len(), 2);
    }
}
