//! Integration tests, one crate (`cargo test --test it`): the real binary and
//! library against real servers on 127.0.0.1, real SQLite files and real
//! baseline directories.

mod baselines;
mod changes;
mod crash;
mod daemon;
mod delivery;
mod evidence;
mod faults;
mod feeds;
mod fleet;
mod history;
mod layering;
mod listings;
mod moves;
mod not_the_article;
mod ops;
mod pg;
mod pipeline;
mod properties;
mod security;
mod site_chrome;
mod storage;
mod support;
mod takedowns;
mod tls;
