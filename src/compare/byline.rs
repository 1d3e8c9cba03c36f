//! Headline and byline changes: decided on the source the reader sees
//! ([`sourced_change`]), the byline compared without its date
//! ([`byline_key`]), and the date words (date labels, weekday and month
//! names) that bylines and update stamps are read with.

use std::collections::HashSet;
use std::sync::LazyLock;

use super::{keyed, Rules};
use crate::document::{Source, Sources};
use crate::text;

/// The labels of a date that says when the story was last touched, in
/// English, Persian and Arabic: "Last updated", "Modified", "آخرین
/// به‌روزرسانی", "به‌روز شده", "آخر تحديث", "تم التحديث". Their words are
/// apart by a space or a zero-width non-joiner, which may also be left out
/// ("به‌روز‌رسانی" is "به‌روزرسانی" and "به روز رسانی" too). Read by a line
/// that is only such a date ([`UPDATE_LABEL`](super::neutral::UPDATE_LABEL))
/// and by a byline's date ([`DATE_LABELS`]).
pub(super) const UPDATE_LABELS: &[&str] = &[
    "updated",
    "last updated",
    "modified",
    "last modified",
    "edited",
    "last edited",
    "به‌روز شده",
    "بروز شده",
    "به روز شده",
    "به‌روز‌رسانی",
    "بروز‌رسانی",
    "آخرین به‌روز شده",
    "آخرین بروز شده",
    "آخرین به‌روز‌رسانی",
    "آخرین بروز‌رسانی",
    "تحديث",
    "آخر تحديث",
    "تم التحديث",
    "تم تحديث الخبر",
    "تم تحديث هذا الخبر",
    "تم تحديث المقال",
    "تم تحديث هذا المقال",
    "تم تحديث الصفحة",
    "محدث",
];

/// The labels of a date that says when the story was first published (see
/// [`DATE_LABELS`]).
const PUBLISH_LABELS: &[&str] = &[
    "published",
    "first published",
    "posted",
    "منتشر شده",
    "منتشرشده",
    "انتشار",
    "تاریخ انتشار",
    "زمان انتشار",
    "نشر",
    "نشر بتاريخ",
    "تاريخ النشر",
];

/// Words that may stand between a date label and its date: "Updated on 12
/// March", "منتشر شده در ۲۴ اردیبهشت", "نشر في ١٢ مارس".
pub(super) const DATE_LINKS: &[&str] = &["on", "at", "در", "في"];

/// A headline or byline change, decided on what the reader sees: the one
/// shown on the page when both versions show one; else each source both
/// versions declare (`<title>`, the same meta tag, JSON-LD) compared with
/// itself. A
/// source that appears or disappears (JSON-LD dropped, the headline falling
/// back to the `<title>`) is not a change. A baseline that kept no sources
/// (written by an older version) changed only when its value is none of the
/// new page's.
pub(super) fn sourced_change(
    old: (Option<&str>, &Sources),
    new: (Option<&str>, &Sources),
    key: &dyn Fn(&str) -> String,
) -> Option<(String, String)> {
    let ((old_value, old_sources), (new_value, new_sources)) = (old, new);
    // What a version says: its first source, else its value.
    let first = |s: &'_ Sources, v: Option<&'_ str>| -> Option<String> {
        s.iter()
            .next()
            .map(|(_, x)| x.to_string())
            .or(v.map(str::to_string))
    };
    if old_sources.is_empty() || new_sources.is_empty() {
        let (known, value) = if old_sources.is_empty() {
            (new_sources, old_value)
        } else {
            (old_sources, new_value)
        };
        let value = key(value?);
        if known.iter().any(|(_, v)| key(v) == value) {
            return None;
        }
        return differs(
            first(old_sources, old_value).as_deref(),
            first(new_sources, new_value).as_deref(),
            key,
        );
    }
    // What the reader sees on the page, when both versions show it.
    if let (Some(o), Some(n)) = (
        old_sources.get(Source::Shown),
        new_sources.get(Source::Shown),
    ) {
        return differs(Some(o), Some(n), key);
    }
    // Else what the page declares, source with source; meta tags tag with
    // tag (which one is read shifts when og:title appears beside `title`).
    let mut common = false;
    for s in [Source::DocumentTitle, Source::Meta, Source::JsonLd] {
        if s == Source::Meta && !old_sources.same_meta_tag(new_sources) {
            continue;
        }
        if let (Some(o), Some(n)) = (old_sources.get(s), new_sources.get(s)) {
            common = true;
            if let Some(change) = differs(Some(o), Some(n), key) {
                return Some(change);
            }
        }
    }
    if common {
        return None;
    }
    // No source in common: changed only when no value matches any other.
    let new_keys: Vec<String> = new_sources.iter().map(|(_, v)| key(v)).collect();
    if old_sources.iter().any(|(_, v)| new_keys.contains(&key(v))) {
        return None;
    }
    differs(
        first(old_sources, old_value).as_deref(),
        first(new_sources, new_value).as_deref(),
        key,
    )
}

/// Old and new text, when their `key`s differ.
fn differs(
    old: Option<&str>,
    new: Option<&str>,
    key: &dyn Fn(&str) -> String,
) -> Option<(String, String)> {
    let (o, n) = (old.unwrap_or(""), new.unwrap_or(""));
    // A side that is unknown (e.g. a hand-written baseline without header) is not a change.
    if o.is_empty() || n.is_empty() {
        return None;
    }
    (key(o) != key(n)).then(|| (o.to_string(), n.to_string()))
}

/// What a byline is compared by: its words without the date a byline line
/// often carries ("By Jane Doe - June 12, 2025", "۲۴ اردیبهشت ۱۴۰۳"), which
/// moves whenever the story is touched, and without the label that says
/// which date it is ("Published: 11 Mar 2026" becoming "Updated: 12 Mar
/// 2026", "منتشر شده", "به‌روز شده", "نشر في", "آخر تحديث": see
/// [`DATE_LABELS`]). Dropped are words with a digit, month and weekday names
/// next to one (or next to a month or weekday so dropped), and a date label
/// just before the date (an "on", "at", "در" or "في" may come between);
/// "Theresa May" keeps its "May", and "Updated" that labels no date stays.
pub(super) fn byline_key(text_: &str, rules: &Rules) -> String {
    let key = keyed(text_, rules).words;
    let words: Vec<&str> = key.split(' ').collect();
    let lower: Vec<String> = words.iter().map(|w| w.to_lowercase()).collect();
    let mut dropped: Vec<bool> = words
        .iter()
        .map(|w| w.chars().any(|c| c.is_numeric()))
        .collect();
    // Month and weekday names next to a date are part of it.
    loop {
        let mut grown = false;
        for i in 0..words.len() {
            let next_to_date = (i > 0 && dropped[i - 1]) || dropped.get(i + 1) == Some(&true);
            if !dropped[i]
                && next_to_date
                && (MONTHS.contains(lower[i].as_str()) || WEEKDAYS.contains(lower[i].as_str()))
            {
                dropped[i] = true;
                grown = true;
            }
        }
        if !grown {
            break;
        }
    }
    // The label just before a date.
    for i in 0..words.len() {
        if !dropped[i] || (i > 0 && dropped[i - 1]) {
            continue;
        }
        let mut end = i;
        if end > 0 && LABEL_LINKS.contains(&lower[end - 1]) {
            end -= 1;
        }
        let label = DATE_LABELS
            .iter()
            .filter(|l| l.len() <= end && lower[end - l.len()..end] == l[..])
            .map(Vec::len)
            .max();
        if let Some(n) = label {
            dropped[end - n..i].iter_mut().for_each(|d| *d = true);
        }
    }
    let words = words
        .iter()
        .zip(&dropped)
        .filter(|(_, &d)| !d)
        .map(|(w, _)| *w)
        .collect::<Vec<_>>()
        .join(" ");
    crate::text::joined_script(&words).into_owned()
}

/// [`DATE_LINKS`] in comparison form.
static LABEL_LINKS: LazyLock<Vec<String>> =
    LazyLock::new(|| DATE_LINKS.iter().copied().map(text::compare_key).collect());

/// The labels a byline line gives its date with ([`PUBLISH_LABELS`],
/// [`UPDATE_LABELS`]), each as its words lower-cased in comparison form
/// ([`text::compare_key`], so that به‌روز and بروز, نُشر and نشر are one).
static DATE_LABELS: LazyLock<Vec<Vec<String>>> = LazyLock::new(|| {
    PUBLISH_LABELS
        .iter()
        .chain(UPDATE_LABELS)
        .map(|l| {
            text::diff_words(&text::compare_key(l))
                .map(str::to_lowercase)
                .collect()
        })
        .collect()
});

/// Weekday names, lower-cased and folded as compared: English (and their
/// short forms), Persian and Arabic.
pub(super) static WEEKDAYS: LazyLock<HashSet<String>> = LazyLock::new(|| {
    [
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
        "sunday",
        "mon",
        "tue",
        "tues",
        "wed",
        "thu",
        "thur",
        "thurs",
        "fri",
        "sat",
        "sun",
        "شنبه",
        "یکشنبه",
        "دوشنبه",
        "سه‌شنبه",
        "چهارشنبه",
        "پنجشنبه",
        "پنج‌شنبه",
        "جمعه",
        "السبت",
        "الأحد",
        "الاثنين",
        "الثلاثاء",
        "الأربعاء",
        "الخميس",
        "الجمعة",
    ]
    .into_iter()
    .map(text::compare_key)
    .collect()
});

/// Month names, lower-cased and folded as compared ([`text::compare_key`]):
/// English (and their short forms), the Persian solar and Gregorian months,
/// and the Arabic Gregorian and Levantine ones.
pub(super) static MONTHS: LazyLock<HashSet<String>> = LazyLock::new(|| {
    [
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
        "jan",
        "feb",
        "mar",
        "apr",
        "jun",
        "jul",
        "aug",
        "sep",
        "sept",
        "oct",
        "nov",
        "dec",
        "فروردین",
        "اردیبهشت",
        "خرداد",
        "تیر",
        "مرداد",
        "شهریور",
        "مهر",
        "آبان",
        "آذر",
        "دی",
        "بهمن",
        "اسفند",
        "ژانویه",
        "فوریه",
        "مارس",
        "آوریل",
        "مه",
        "ژوئن",
        "ژوئیه",
        "اوت",
        "سپتامبر",
        "اکتبر",
        "نوامبر",
        "دسامبر",
        "يناير",
        "فبراير",
        "أبريل",
        "مايو",
        "يونيو",
        "يوليو",
        "أغسطس",
        "سبتمبر",
        "أكتوبر",
        "نوفمبر",
        "ديسمبر",
        "كانون",
        "شباط",
        "آذار",
        "نيسان",
        "أيار",
        "حزيران",
        "تموز",
        "آب",
        "أيلول",
        "تشرين",
    ]
    .into_iter()
    .map(text::compare_key)
    .collect()
});

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compare::tests::doc;
    use crate::compare::{compare, ChangeKind};

    fn sourced(shown: Option<&str>, meta: Option<&str>, json_ld: Option<&str>) -> Sources {
        Sources {
            shown: shown.map(str::to_string),
            meta: meta.map(str::to_string),
            json_ld: json_ld.map(str::to_string),
            ..Sources::default()
        }
    }

    #[test]
    fn a_headline_source_that_appears_or_disappears_is_not_a_change() {
        let body = ["Story text stays the same."];
        let mut old = doc("Director flees", &body);
        old.headline_sources = sourced(
            Some("Director flees"),
            Some("Director flees | News"),
            Some("Director flees"),
        );
        old.byline_sources = sourced(Some("By Jane Doe"), None, Some("Jane Doe"));
        old.byline = Some("Jane Doe".into());
        // JSON-LD dropped: the declared headline falls back to the meta tag.
        let mut new = doc("Director flees | News", &body);
        new.headline_sources = sourced(Some("Director flees"), Some("Director flees | News"), None);
        new.byline_sources = sourced(Some("By Jane Doe"), None, None);
        new.byline = Some("By Jane Doe".into());
        assert_eq!(compare(&old, &new, &Rules::default()), None);
        assert_eq!(compare(&new, &old, &Rules::default()), None);
    }

    #[test]
    fn a_headline_change_is_decided_on_the_headline_shown() {
        let body = ["Story text stays the same."];
        let mut old = doc("Director flees", &body);
        old.headline_sources = sourced(Some("Director flees"), Some("Director flees"), None);
        // Only the visible headline changed: the meta tag lags behind.
        let mut new = old.clone();
        new.headline_sources.shown = Some("Director flees to Europe".into());
        let c = compare(&old, &new, &Rules::default()).unwrap();
        assert_eq!(c.kinds, vec![ChangeKind::HeadlineChanged]);
        assert_eq!(
            c.headline,
            Some(("Director flees".into(), "Director flees to Europe".into()))
        );
        // Only a source the reader does not see changed.
        let mut seo = old.clone();
        seo.headline_sources.meta = Some("Director flees: what we know".into());
        assert_eq!(compare(&old, &seo, &Rules::default()), None);
    }

    #[test]
    fn a_meta_tag_read_in_place_of_another_is_not_a_change() {
        let body = ["Story text stays the same."];
        let mut old = doc("Buying guide", &body);
        old.headline_sources = Sources {
            document_title: Some("Buying guide".into()),
            meta: Some("Buying guide".into()),
            meta_tag: Some("title".into()),
            ..Sources::default()
        };
        // og:title appears, with the site's name, and is read first.
        let mut new = old.clone();
        new.headline_sources.meta = Some("Buying guide - Example Reports".into());
        new.headline_sources.meta_tag = Some("og:title".into());
        assert_eq!(compare(&old, &new, &Rules::default()), None);
        // The same tag, changed, is a change.
        let mut edited = old.clone();
        edited.headline_sources.meta = Some("Buying guide for 2027".into());
        let c = compare(&old, &edited, &Rules::default()).unwrap();
        assert_eq!(c.kind(), ChangeKind::HeadlineChanged);
        // A baseline that did not say which tag it read compares as before.
        let mut older = old.clone();
        older.headline_sources.meta_tag = None;
        let c = compare(&older, &edited, &Rules::default()).unwrap();
        assert_eq!(c.kind(), ChangeKind::HeadlineChanged);
    }

    #[test]
    fn a_date_in_the_byline_line_moving_is_not_a_byline_change() {
        let body = ["Story text stays the same."];
        let with_byline = |line: &str| {
            let mut d = doc("Director flees", &body);
            d.byline_sources = sourced(Some(line), None, None);
            d.byline = Some(line.to_string());
            d
        };
        let rules = Rules::default();
        let old = with_byline("By Jane Doe - June 12, 2025");
        assert_eq!(
            compare(&old, &with_byline("By Jane Doe - July 3, 2025"), &rules),
            None
        );
        let old_fa = with_byline("سارا احمدی ۲۴ اردیبهشت ۱۴۰۳");
        let new_fa = with_byline("سارا احمدی ۲ خرداد ۱۴۰۳");
        assert_eq!(compare(&old_fa, &new_fa, &rules), None);
        // A changed name is a change, a month-named author too.
        let c = compare(&old, &with_byline("By John Roe - June 12, 2025"), &rules).unwrap();
        assert_eq!(c.kind(), ChangeKind::BylineChanged);
        let may = with_byline("By Theresa May");
        let c = compare(&may, &with_byline("By Theresa"), &rules).unwrap();
        assert_eq!(c.kind(), ChangeKind::BylineChanged);
    }

    #[test]
    fn a_date_label_beside_the_byline_date_changing_is_not_a_byline_change() {
        let body = ["Story text stays the same."];
        let with_byline = |line: &str| {
            let mut d = doc("Director flees", &body);
            d.byline_sources = sourced(Some(line), None, None);
            d.byline = Some(line.to_string());
            d
        };
        let rules = Rules::default();
        for (old, new) in [
            (
                "TopGear.com Published: 11 Mar 2026",
                "TopGear.com Updated: 12 Mar 2026",
            ),
            (
                "By Jane Doe, first published on Wednesday 11 March 2026",
                "By Jane Doe, last updated at Thursday 12 March 2026",
            ),
            (
                "سارا احمدی منتشر شده: ۲۴ اردیبهشت ۱۴۰۳",
                "سارا احمدی به‌روز شده: ۲۵ اردیبهشت ۱۴۰۳",
            ),
            (
                "بقلم أحمد علي - نُشر في ١٢ مارس ٢٠٢٦",
                "بقلم أحمد علي - آخر تحديث ١٣ مارس ٢٠٢٦",
            ),
        ] {
            assert_eq!(
                compare(&with_byline(old), &with_byline(new), &rules),
                None,
                "{old} → {new}"
            );
        }
        // A label that labels no date is a word of the byline; the name
        // beside a date label still counts.
        let c = compare(
            &with_byline("By Jane Doe, Updated Desk"),
            &with_byline("By Jane Doe, Published Desk"),
            &rules,
        )
        .unwrap();
        assert_eq!(c.kind(), ChangeKind::BylineChanged);
        let c = compare(
            &with_byline("By Jane Doe Published: 11 Mar 2026"),
            &with_byline("By John Roe Updated: 12 Mar 2026"),
            &rules,
        )
        .unwrap();
        assert_eq!(c.kind(), ChangeKind::BylineChanged);
    }

    #[test]
    fn a_baseline_without_sources_changes_headline_only_when_no_source_matches() {
        let body = ["Story text stays the same."];
        let old = doc("Director flees", &body);
        let mut same = doc("Director flees | News", &body);
        same.headline_sources =
            sourced(Some("Director flees"), Some("Director flees | News"), None);
        assert_eq!(compare(&old, &same, &Rules::default()), None);
        let mut changed = doc("Director reaches Europe | News", &body);
        changed.headline_sources = sourced(
            Some("Director reaches Europe"),
            Some("Director reaches Europe | News"),
            None,
        );
        let c = compare(&old, &changed, &Rules::default()).unwrap();
        assert_eq!(c.kind(), ChangeKind::HeadlineChanged);
    }
}
