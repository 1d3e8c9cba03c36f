//! Integration tests, one crate: `cargo test --test it`.

mod delivery;
