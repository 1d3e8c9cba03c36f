//! HTTP header values shared by the fetcher, the state database and webhook
//! delivery: conditional-GET validators and `Retry-After`; a kept response's
//! head read back (its fields, its Content-Type) for the evidence and the
//! check. Pure.

use std::time::Duration;

/// Validators from the last successful fetch, sent as a conditional GET.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Validators {
    /// The ETag the server sent.
    pub etag: Option<String>,
    /// The Last-Modified the server sent.
    pub last_modified: Option<String>,
}

/// Parses Retry-After given in seconds or as an HTTP date.
pub fn parse_retry_after(s: &str) -> Option<Duration> {
    if let Ok(secs) = s.trim().parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let when = chrono::DateTime::parse_from_rfc2822(s.trim()).ok()?;
    let delta = when.with_timezone(&chrono::Utc) - chrono::Utc::now();
    Some(delta.to_std().unwrap_or(Duration::ZERO))
}

/// The status line and header fields of a stored head (CRLF-separated).
pub fn split_head(head: &str) -> (String, Vec<(String, String)>) {
    let mut lines = head.split("\r\n");
    let first = lines.next().unwrap_or_default().to_string();
    let fields = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
        .collect();
    (first, fields)
}

/// The Content-Type field of a stored head, if it has one.
pub fn content_type(head: &str) -> Option<String> {
    split_head(head)
        .1
        .into_iter()
        .find(|(name, _)| name.eq_ignore_ascii_case("content-type"))
        .map(|(_, value)| value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_forms() {
        assert_eq!(parse_retry_after("120"), Some(Duration::from_secs(120)));
        assert_eq!(
            parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT"),
            Some(Duration::ZERO)
        );
    }
}
