//! HTTP content codings (RFC 9110 §8.4): gzip, br, zstd and deflate.
//!
//! presswatch asks servers for compressed bodies and undoes the coding
//! itself, with a cap on what a body may decode to, so that a page served
//! compressed can be kept as evidence in the very bytes it came in: those
//! bytes are already compressed, and keeping them costs no compression.

use std::io::Read;

/// The `Accept-Encoding` every request sends.
pub const ACCEPT_ENCODING: &str = "gzip, br, zstd, deflate";

/// A content coding presswatch can undo.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Coding {
    /// `gzip` (and its old name `x-gzip`).
    Gzip,
    /// `br`: Brotli.
    Brotli,
    /// `zstd`: Zstandard.
    Zstd,
    /// `deflate`: zlib, or a bare deflate stream as some servers send.
    Deflate,
}

impl Coding {
    /// The coding a `Content-Encoding` token names; `None` for any other.
    pub fn parse(token: &str) -> Option<Coding> {
        match token.trim().to_ascii_lowercase().as_str() {
            "gzip" | "x-gzip" => Some(Coding::Gzip),
            "br" => Some(Coding::Brotli),
            "zstd" => Some(Coding::Zstd),
            "deflate" => Some(Coding::Deflate),
            _ => None,
        }
    }

    /// The coding's token, as `Content-Encoding` names it.
    pub fn as_str(self) -> &'static str {
        match self {
            Coding::Gzip => "gzip",
            Coding::Brotli => "br",
            Coding::Zstd => "zstd",
            Coding::Deflate => "deflate",
        }
    }
}

/// A body in the coding it was served in, kept beside the decoded body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Encoded {
    /// The coding the server applied.
    pub coding: Coding,
    /// The bytes as they came off the wire.
    pub bytes: Vec<u8>,
}

/// Why a body does not decode.
#[derive(Debug, thiserror::Error)]
pub enum DecodeError {
    /// The body decodes to more than the cap.
    #[error("it decodes to more than {limit} bytes")]
    TooLarge {
        /// The cap.
        limit: u64,
        /// How many of the encoded bytes were read to pass it (a Brotli
        /// decoder reads ahead: up to 32 KiB more than it used).
        read: u64,
    },
    /// The bytes are not a valid stream of the coding.
    #[error("it is not valid {coding}: {error}")]
    Corrupt {
        /// The coding's token.
        coding: &'static str,
        /// What the decoder said.
        error: std::io::Error,
    },
}

impl DecodeError {
    /// Whether the bytes are the start of a stream of the coding that stops
    /// before its end (a body cut off on its way: an overloaded server, a
    /// proxy that broke it off), not bytes of another kind: the decoders
    /// say so as an unexpected end of input, or, for a deflate stream cut
    /// inside a block, as an incomplete stream. (The Brotli decoder says
    /// "Invalid Data" of both: a Brotli body cut off reads as damaged.)
    pub fn cut_short(&self) -> bool {
        match self {
            DecodeError::TooLarge { .. } => false,
            DecodeError::Corrupt { error, .. } => {
                let words = error.to_string().to_lowercase();
                error.kind() == std::io::ErrorKind::UnexpectedEof
                    || words.contains("incomplete")
                    || words.contains("unexpected end")
            }
        }
    }
}

/// Undoes `coding` on `bytes`; fails when they would decode to more than
/// `limit` bytes (a small body that expands to gigabytes is refused as soon
/// as it passes the limit) or are not a valid stream of the coding. An
/// empty body is empty in every coding.
pub fn decode(coding: Coding, bytes: &[u8], limit: u64) -> Result<Vec<u8>, DecodeError> {
    if bytes.is_empty() {
        return Ok(Vec::new());
    }
    let corrupt = |error| DecodeError::Corrupt {
        coding: coding.as_str(),
        error,
    };
    // What is left of the input tells how much of it was read.
    let mut input = bytes;
    let mut out = Vec::with_capacity(bytes.len().saturating_mul(4).min(limit as usize));
    {
        let src = &mut input;
        let reader: Box<dyn Read + '_> = match coding {
            // The bufread decoders take no more input than they use.
            Coding::Gzip => Box::new(flate2::bufread::MultiGzDecoder::new(src)),
            Coding::Brotli => Box::new(brotli_decompressor::Decompressor::new(src, 32 * 1024)),
            Coding::Zstd => {
                Box::new(zstd::stream::read::Decoder::with_buffer(src).map_err(corrupt)?)
            }
            Coding::Deflate if is_zlib(bytes) => Box::new(flate2::bufread::ZlibDecoder::new(src)),
            Coding::Deflate => Box::new(flate2::bufread::DeflateDecoder::new(src)),
        };
        reader
            .take(limit.saturating_add(1))
            .read_to_end(&mut out)
            .map_err(corrupt)?;
    }
    if out.len() as u64 > limit {
        return Err(DecodeError::TooLarge {
            limit,
            read: (bytes.len() - input.len()) as u64,
        });
    }
    Ok(out)
}

/// Whether a deflate body starts with a zlib header (RFC 1950): method 8,
/// and the two header bytes a multiple of 31.
fn is_zlib(bytes: &[u8]) -> bool {
    match bytes {
        [cmf, flg, ..] => cmf & 0x0f == 8 && (u16::from(*cmf) << 8 | u16::from(*flg)) % 31 == 0,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use super::*;

    const PAGE: &[u8] = "<p>خبرگزاری: the minister said the talks had failed.</p>".as_bytes();

    fn gzip(b: &[u8]) -> Vec<u8> {
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        e.write_all(b).unwrap();
        e.finish().unwrap()
    }

    #[test]
    fn each_coding_decodes_to_the_page() {
        let mut zlib = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
        zlib.write_all(PAGE).unwrap();
        let mut raw =
            flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::default());
        raw.write_all(PAGE).unwrap();
        let mut br = Vec::new();
        brotli_compress(PAGE, &mut br);
        let cases = [
            (Coding::Gzip, gzip(PAGE)),
            (Coding::Zstd, zstd::bulk::compress(PAGE, 3).unwrap()),
            (Coding::Deflate, zlib.finish().unwrap()),
            (Coding::Deflate, raw.finish().unwrap()),
            (Coding::Brotli, br),
        ];
        for (coding, bytes) in cases {
            assert_eq!(decode(coding, &bytes, 1 << 20).unwrap(), PAGE, "{coding:?}");
        }
    }

    /// A Brotli stream of `b` as one uncompressed meta-block (RFC 7932
    /// §9.2), so the test needs no Brotli encoder.
    fn brotli_compress(b: &[u8], out: &mut Vec<u8>) {
        assert!(!b.is_empty() && b.len() <= 1 << 16);
        // Bit 0: WBITS = 16. Bit 1: ISLAST = 0. Bits 2-3: MNIBBLES = 4.
        // Bits 4-19: MLEN - 1. Bit 20: ISUNCOMPRESSED. Zero pad to 3 bytes.
        let header = ((b.len() as u32 - 1) << 4) | (1 << 20);
        out.extend_from_slice(&header.to_le_bytes()[..3]);
        out.extend_from_slice(b);
        // The last meta-block: ISLAST = 1, ISLASTEMPTY = 1.
        out.push(0b11);
    }

    #[test]
    fn a_body_that_expands_past_the_limit_is_refused() {
        let bomb = gzip(&vec![0u8; 10 << 20]);
        assert!(bomb.len() < 20_000);
        // Refused as soon as it passes the limit, having read a fraction
        // of the input: the ratio shows no page was served.
        assert!(matches!(
            decode(Coding::Gzip, &bomb, 1 << 20),
            Err(DecodeError::TooLarge { limit: 1_048_576, read }) if read < 4096
        ));
    }

    #[test]
    fn a_corrupt_body_says_which_coding_it_is_not() {
        let mut bytes = gzip(PAGE);
        let mid = bytes.len() / 2;
        bytes.truncate(mid);
        let e = decode(Coding::Gzip, &bytes, 1 << 20).unwrap_err();
        assert!(e.to_string().starts_with("it is not valid gzip"), "{e}");
        assert_eq!(decode(Coding::Brotli, b"", 10).unwrap(), b"");
    }

    #[test]
    fn a_stream_cut_off_is_told_from_bytes_of_another_kind() {
        let whole = [
            (Coding::Gzip, gzip(PAGE)),
            (Coding::Zstd, zstd::bulk::compress(PAGE, 3).unwrap()),
        ];
        for (coding, bytes) in whole {
            // Cut inside its header, and inside its data.
            for keep in [5, bytes.len() / 2, bytes.len() - 1] {
                let e = decode(coding, &bytes[..keep], 1 << 20).unwrap_err();
                assert!(e.cut_short(), "{coding:?} cut to {keep} bytes: {e}");
            }
        }
        // Plain HTML served as gzip, zstd or Brotli is no stream of theirs.
        let html = b"<html><body><p>The minister said the talks had failed.</p></body></html>";
        for coding in [Coding::Gzip, Coding::Zstd] {
            let e = decode(coding, html, 1 << 20).unwrap_err();
            assert!(!e.cut_short(), "{coding:?}: {e}");
        }
        let bomb = decode(Coding::Gzip, &gzip(&vec![0u8; 1 << 20]), 1024).unwrap_err();
        assert!(!bomb.cut_short());
    }

    #[test]
    fn tokens_name_codings_in_any_case() {
        assert_eq!(Coding::parse(" GZip"), Some(Coding::Gzip));
        assert_eq!(Coding::parse("x-gzip"), Some(Coding::Gzip));
        assert_eq!(Coding::parse("br").map(Coding::as_str), Some("br"));
        assert_eq!(Coding::parse("identity"), None);
        assert_eq!(Coding::parse("utf-8"), None);
    }
}
