//! Each watch's versions form a hash chain: every version, when it is
//! stored, gets a chain digest ([`chain_digest`]) over the chain digest of
//! the version before it (or [`CHAIN_START`] for a watch's first), the
//! watch, its number, the SHA-256 of its stored text and the time it was
//! stored, in the same transaction as the version. The newest version's
//! digest (the watch's chain head) therefore vouches for every kept version
//! before it: a version altered, or one deleted from the middle, breaks the
//! chain, and a history whose newest versions were deleted or rewritten no
//! longer holds a head (or an alert's record) that was copied out of the
//! database before (`presswatch verify --heads`, `--record`).
//!
//! Pruning (`keep_versions`) deletes a watch's oldest versions; the oldest
//! kept one keeps the chain digest of the version before it as stored
//! (`chain_prev`), so that the rest still verifies.

use crate::document::sha256_hex;

/// What a watch's first version chains from: 64 zeros.
pub const CHAIN_START: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// The chain digest of version `seq` of `watch`: the SHA-256 (hex) of the
/// UTF-8 text
///
/// ```text
/// presswatch-chain/1
/// prev PREV
/// watch SHA256(WATCH)
/// seq SEQ
/// text TEXT_SHA256
/// stored STORED_AT
/// ```
///
/// each line ending in `\n`: `PREV` the chain digest of the version before
/// (or [`CHAIN_START`]), the watch's name hashed (SHA-256 of its UTF-8
/// bytes, hex), `SEQ` and `STORED_AT` (Unix seconds) in decimal, and
/// `TEXT_SHA256` the SHA-256 of the version's stored text (hex, as
/// `verify` re-hashes it). The PostgreSQL migration that chains the
/// versions kept before computes the same in SQL.
pub fn chain_digest(
    prev: &str,
    watch: &str,
    seq: i64,
    text_sha256: &str,
    stored_at: i64,
) -> String {
    let text = format!(
        "presswatch-chain/1\nprev {prev}\nwatch {}\nseq {seq}\ntext {text_sha256}\nstored {stored_at}\n",
        sha256_hex(watch.as_bytes())
    );
    sha256_hex(text.as_bytes())
}

/// A version's link in its watch's chain, as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainLink {
    /// The chain digest of the version before it when it was chained
    /// ([`CHAIN_START`] for a watch's first): what the oldest kept version
    /// goes by once those before it are pruned.
    pub prev: String,
    /// Its chain digest ([`chain_digest`]).
    pub digest: String,
    /// `None` when it was chained as it was stored; else when (Unix s) a
    /// presswatch upgrade chained it, a version kept before there were
    /// chains: the chain vouches for it only since then.
    pub chained_at: Option<i64>,
}

/// A chain digest as staff read it: its first and last 8 hex digits,
/// `3f2a91c0…e1d254c9` (64 bits: no two versions share one in practice).
pub fn short(digest: &str) -> String {
    if digest.len() <= 16 || !digest.is_ascii() {
        return digest.to_string();
    }
    format!("{}…{}", &digest[..8], &digest[digest.len() - 8..])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_chain_digest_covers_each_of_its_parts() {
        let d = chain_digest(CHAIN_START, "w", 1, &"a".repeat(64), 1_700_000_000);
        assert_eq!(d.len(), 64);
        assert_ne!(d, chain_digest(&d, "w", 1, &"a".repeat(64), 1_700_000_000));
        assert_ne!(
            d,
            chain_digest(CHAIN_START, "v", 1, &"a".repeat(64), 1_700_000_000)
        );
        assert_ne!(
            d,
            chain_digest(CHAIN_START, "w", 2, &"a".repeat(64), 1_700_000_000)
        );
        assert_ne!(
            d,
            chain_digest(CHAIN_START, "w", 1, &"b".repeat(64), 1_700_000_000)
        );
        assert_ne!(
            d,
            chain_digest(CHAIN_START, "w", 1, &"a".repeat(64), 1_700_000_001)
        );
        // As the PostgreSQL migration computes it (sha256 of the text).
        let text = format!(
            "presswatch-chain/1\nprev {CHAIN_START}\nwatch {}\nseq 1\ntext {}\nstored 1700000000\n",
            sha256_hex(b"w"),
            "a".repeat(64)
        );
        assert_eq!(d, sha256_hex(text.as_bytes()));
        assert_eq!(short(&d), format!("{}…{}", &d[..8], &d[56..]));
    }
}
