//! How kept evidence is checked, purely: each watch's versions' hash chain
//! ([`chain`]), a version's text against the SHA-256 it was stored under
//! ([`AlteredText`]), and how a snapshot record compares with the digest
//! taken when it was kept ([`RecordCheck`]). Storage computes and keeps
//! them; `verify`, `history`, `diff`, the viewer and the alerts check and
//! show them.

pub mod chain;

/// A kept version whose stored text no longer hashes to the SHA-256 it was
/// stored under: altered (or damaged) after presswatch kept it. `verify`
/// names it as a mismatch; the viewer, `history` and `diff`, which show the
/// text, warn beside it. The one check of a version's text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AlteredText {
    /// The watch.
    pub watch: String,
    /// The version.
    pub seq: i64,
    /// The SHA-256 it was stored under.
    pub stored: String,
    /// What its text hashes to now.
    pub now: String,
}

impl AlteredText {
    /// Checks a version's stored text (`body`) against the SHA-256 it was
    /// stored under (`stored`): `None` when it still hashes to it.
    pub fn check(watch: &str, seq: i64, stored: &str, body: &str) -> Option<AlteredText> {
        let now = crate::document::sha256_hex(body.as_bytes());
        (now != stored).then(|| AlteredText {
            watch: watch.to_string(),
            seq,
            stored: stored.to_string(),
            now,
        })
    }

    /// As `verify` lists it: "watch W version N: its text was stored as …
    /// and now hashes to …".
    pub fn mismatch(&self) -> String {
        format!(
            "watch {} version {}: its text was stored as {} and now hashes to {}",
            self.watch, self.seq, self.stored, self.now
        )
    }

    /// What is said beside the text wherever it is shown, naming the
    /// command that lists every such record (`verify`): "this text no
    /// longer matches the SHA-256 it was stored under: it was altered after
    /// presswatch kept it; run `presswatch verify --config FILE`".
    pub fn warning(&self, verify: &str) -> String {
        self.worded(verify, &|hash| hash.to_string(), &|command| {
            format!("`{command}`")
        })
    }

    /// [`AlteredText::warning`] with its hashes and command set as `hash`
    /// and `command` set them (the viewer's HTML).
    pub fn worded(
        &self,
        verify: &str,
        hash: &dyn Fn(&str) -> String,
        command: &dyn Fn(&str) -> String,
    ) -> String {
        format!(
            "this text no longer matches the SHA-256 it was stored under: it was altered after \
             presswatch kept it (it was stored as {}, and now hashes to {}); run {}",
            hash(&self.stored),
            hash(&self.now),
            command(verify)
        )
    }

    /// [`AlteredText::warning`] naming the watch and version, as `report`,
    /// `history` and `diff` print it on stderr.
    pub fn named_warning(&self, verify: &str) -> String {
        format!(
            "watch {} version {}: {}",
            self.watch,
            self.seq,
            self.warning(verify)
        )
    }
}

/// How a kept snapshot record compares with its digest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RecordCheck {
    /// It says what it said when it was kept.
    Sound,
    /// It was kept before records had a digest: it cannot be checked.
    Undigested,
    /// It was altered since it was kept: what `verify` calls the fields that
    /// differ (none when only the digest itself was altered).
    Altered(Vec<&'static str>),
}

/// The fields of an altered snapshot record ([`RecordCheck::Altered`]) as
/// one phrase: "the status and the fetch time", or "the digest kept with
/// it" when only the digest itself differs.
pub fn what_differs(fields: &[&str]) -> String {
    match fields {
        [] => "the digest kept with it".to_string(),
        [one] => one.to_string(),
        [some @ .., last] => format!("{} and {last}", some.join(", ")),
    }
}
