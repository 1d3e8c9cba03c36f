//! Fuzz target: article and listing extraction on arbitrary bytes.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let html = presswatch::charset::decode(data, None);
    let base = url::Url::parse("https://news.example.org/section/article").unwrap();
    let doc = presswatch::extract::article(&html, Some(&base), None);
    assert!(doc.blocks.iter().all(|b| !b.text.is_empty()));
    let _ = presswatch::extract::listing(&html, &base, None);
});
