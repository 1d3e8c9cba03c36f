//! Fuzz target: the feed parser on arbitrary bytes.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let base = url::Url::parse("https://news.example.org/feed").unwrap();
    let _ = presswatch::extract::feed(data, Some("application/rss+xml"), &base);
});
