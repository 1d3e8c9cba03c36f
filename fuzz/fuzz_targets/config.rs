//! Fuzz target: the config loader on arbitrary text.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(src) = std::str::from_utf8(data) {
        if let Err(errors) = presswatch::config::Config::parse(std::path::Path::new("fuzz.toml"), src) {
            assert!(!errors.0.is_empty());
        }
    }
});
