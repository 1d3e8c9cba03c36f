//! presswatch: a press-monitoring daemon. It fetches watched articles,
//! listings and feeds, extracts the article text, compares it with the stored
//! baseline and alerts by email or webhook when coverage changes or new items
//! appear.
//!
//! The flow of one check is [`check::check_watch`]: [`fetch`] →
//! [`extract`] → [`compare`] → outbox ([`store`]) → baseline → [`notify`].

pub mod alert;
pub mod atomic_file;
pub mod charset;
pub mod check;
pub mod compare;
pub mod config;
pub mod content_coding;
pub mod corpus;
pub mod correction;
pub mod daemon;
pub mod document;
pub mod evidence;
pub mod extract;
pub mod fetch;
pub mod file_kind;
pub mod fleet;
pub mod history;
pub mod http_header;
pub mod integrity;
pub mod listener;
pub mod metrics;
pub mod net_error;
pub mod notify;
pub mod politeness;
pub mod preflight;
pub mod retitle;
pub mod scheduler;
pub mod status;
pub mod store;
pub mod systemd;
pub mod text;
pub mod tracking;
pub mod warc;
