//! Tracking parameters: the query parameters that only say where a reader
//! came from (`utm_source`, `fbclid`...), never part of what a URL names.
//! The one list, shared by what recognises a listing's or feed's item by
//! its link (`extract::normalize_url`), what tells a move from a
//! normalisation (`fetch::same_resource`), and the links an alert gives
//! ([`without_tracking`]). Pure: no fetching, no extraction.

use url::Url;

/// Query parameters that only track where a reader came from. Besides
/// these, every parameter whose name starts with one of
/// [`TRACKING_PREFIXES`].
const TRACKING_PARAMETERS: &[&str] = &[
    "fbclid",
    "gclid",
    "dclid",
    "gbraid",
    "wbraid",
    "msclkid",
    "yclid",
    "igshid",
    "mc_cid",
    "mc_eid",
    "_ga",
    "_gl",
    "ocid",
    "cmpid",
    "cmp",
    "ito",
    "at_medium",
    "at_campaign",
    "xtor",
    "smid",
    "ref",
    "ref_src",
    "guccounter",
    "_hsenc",
    "_hsmi",
    "mkt_tok",
    "spm",
];

/// Name prefixes of tracking parameters: Google Analytics' `utm_source`...,
/// AT Internet's `at_custom1`... and `at_link_id`..., comScore's
/// `ns_mchannel`, `ns_source`, `ns_campaign`...
const TRACKING_PREFIXES: &[&str] = &["utm_", "at_custom", "at_link_", "ns_"];

/// Whether a query parameter (its name, any case) only tracks where a
/// reader came from.
pub fn is_tracking_parameter(name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    TRACKING_PARAMETERS.contains(&name.as_str())
        || TRACKING_PREFIXES.iter().any(|p| name.starts_with(p))
}

/// `url` as a reader should click and forward it: without its tracking
/// parameters ([`is_tracking_parameter`]), in the query or in a fragment
/// that holds only such parameters (`#xtor=RSS-1`, as some outlets tag
/// their feeds' links). Everything else is kept as written: the other
/// parameters in their order, the scheme, host, path and any other
/// fragment. A URL with no tracking parameter, or a link that is no URL,
/// is returned as it is.
pub fn without_tracking(url: &str) -> String {
    let Ok(mut u) = Url::parse(url) else {
        return url.to_string();
    };
    let mut changed = false;
    if let Some(query) = u.query() {
        let pairs: Vec<&str> = query.split('&').collect();
        let kept: Vec<&str> = pairs
            .iter()
            .copied()
            .filter(|p| !p.is_empty() && !is_tracking_parameter(&parameter_name(p)))
            .collect();
        if kept.len() != pairs.len() {
            changed = true;
            let kept = kept.join("&");
            u.set_query((!kept.is_empty()).then_some(kept.as_str()));
        }
    }
    if let Some(fragment) = u.fragment() {
        let only_tracking = fragment.contains('=')
            && fragment
                .split('&')
                .all(|p| is_tracking_parameter(&parameter_name(p)));
        if only_tracking {
            changed = true;
            u.set_fragment(None);
        }
    }
    if changed {
        u.to_string()
    } else {
        url.to_string()
    }
}

/// The name of a `name=value` pair of a query or fragment, percent-decoded.
fn parameter_name(pair: &str) -> String {
    let name = pair.split('=').next().unwrap_or_default();
    percent_encoding::percent_decode_str(&name.replace('+', " "))
        .decode_utf8_lossy()
        .into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_link_loses_its_tracking_parameters_and_keeps_the_rest_as_written() {
        assert_eq!(
            without_tracking("https://n.example/a?utm_source=tw&id=3&FBCLID=x&p=%D8%A7#top"),
            "https://n.example/a?id=3&p=%D8%A7#top"
        );
        assert_eq!(
            without_tracking("https://n.example/a/?utm_source=tw&utm_medium=social"),
            "https://n.example/a/"
        );
        assert_eq!(
            without_tracking("https://n.example/a#xtor=RSS-3208"),
            "https://n.example/a"
        );
        // Untouched: no tracking parameter, or no URL.
        for link in [
            "https://n.example/a?id=3&page=2#section-2",
            "http://N.example/a?q=%D8%A7",
            "not a link",
            "",
        ] {
            assert_eq!(without_tracking(link), link);
        }
    }

    #[test]
    fn tracking_parameters_are_told_by_name_and_by_prefix_in_any_case() {
        for name in [
            "utm_source",
            "UTM_Campaign",
            "fbclid",
            "xtor",
            "ns_mchannel",
            "at_custom1",
        ] {
            assert!(is_tracking_parameter(name), "{name}");
        }
        for name in ["id", "page", "q", "utm", "reference", "at"] {
            assert!(!is_tracking_parameter(name), "{name}");
        }
    }
}
