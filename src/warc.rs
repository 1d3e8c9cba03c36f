//! The WARC record format (ISO 28500, WARC/1.1): records to bytes, each
//! record compressed as a gzip member of its own so that readers can seek to
//! any record. Pure: no files, no clock; [`crate::evidence::export`] decides
//! what goes in.
//!
//! Every record carries `WARC-Block-Digest` and `WARC-Payload-Digest`
//! (`sha256:` in base32, as the web-archiving tools write them); the payload
//! of an HTTP record is its entity body, of any other record its whole block.

use std::io::Write;

use chrono::{DateTime, SecondsFormat, Utc};
use sha2::{Digest, Sha256};

/// The version line every record starts with.
const VERSION: &str = "WARC/1.1";

/// The revisit profile for a payload identical to an earlier record's.
pub const IDENTICAL_PAYLOAD_PROFILE: &str =
    "http://netpreserve.org/warc/1.1/revisit/identical-payload-digest";

/// One WARC record: its type, named header fields and content block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    /// `WARC-Type`: warcinfo, request, response, revisit, metadata, resource.
    pub kind: &'static str,
    /// `WARC-Record-ID`, a `<urn:uuid:...>`.
    pub id: String,
    /// `WARC-Date`.
    pub date: DateTime<Utc>,
    /// `Content-Type` of the block.
    pub content_type: String,
    /// Further named fields (`WARC-Target-URI`, `WARC-Concurrent-To`, ...), in order.
    pub fields: Vec<(String, String)>,
    /// The content block.
    pub block: Vec<u8>,
    /// Where the payload starts in the block (after the HTTP header of an
    /// HTTP record; 0 for a block that is all payload).
    pub payload_start: usize,
    /// The payload digest to write instead of computing one: a revisit's
    /// block holds no payload, only the digest of the one it repeats.
    pub payload_digest: Option<String>,
}

/// The header block of an HTTP message: start line, header fields, blank line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpHead {
    /// `HTTP/1.1 200 OK` or `GET /path HTTP/1.1`.
    pub start_line: String,
    /// Header fields, in order.
    pub headers: Vec<(String, String)>,
}

impl HttpHead {
    /// The head as bytes, ending in the blank line. Line breaks inside a
    /// value (which no valid header has) become spaces.
    pub fn to_bytes(&self) -> Vec<u8> {
        let clean = |s: &str| s.replace(['\r', '\n'], " ");
        let mut out = clean(&self.start_line).into_bytes();
        out.extend_from_slice(b"\r\n");
        for (k, v) in &self.headers {
            out.extend_from_slice(clean(k).as_bytes());
            out.extend_from_slice(b": ");
            out.extend_from_slice(clean(v).as_bytes());
            out.extend_from_slice(b"\r\n");
        }
        out.extend_from_slice(b"\r\n");
        out
    }
}

/// `sha256:BASE32` of bytes, the digest form WARC tools write and compare.
pub fn digest(bytes: &[u8]) -> String {
    format!("sha256:{}", base32(&Sha256::digest(bytes)))
}

/// A record id derived from `seed` (the same evidence gives the same id, so
/// exports are reproducible): a UUID of version 8 in `<urn:uuid:...>`.
pub fn record_id(seed: &str) -> String {
    let h = Sha256::digest(seed.as_bytes());
    let mut b = [0u8; 16];
    b.copy_from_slice(&h[..16]);
    b[6] = (b[6] & 0x0f) | 0x80;
    b[8] = (b[8] & 0x3f) | 0x80;
    let hex = crate::document::hex(&b);
    format!(
        "<urn:uuid:{}-{}-{}-{}-{}>",
        &hex[..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..]
    )
}

/// A `warcinfo` record: fields describing the file and who wrote it.
pub fn warcinfo(date: DateTime<Utc>, filename: &str, fields: &[(String, String)]) -> Record {
    let block = warc_fields(fields);
    Record {
        kind: "warcinfo",
        id: record_id(&format!("warcinfo\0{filename}\0{}", digest(&block))),
        date,
        content_type: "application/warc-fields".into(),
        fields: vec![("WARC-Filename".into(), filename.into())],
        block,
        payload_start: 0,
        payload_digest: None,
    }
}

/// A `response` record: the HTTP response head and its body as served.
pub fn response(uri: &str, date: DateTime<Utc>, head: &HttpHead, body: &[u8]) -> Record {
    let mut block = head.to_bytes();
    let payload_start = block.len();
    block.extend_from_slice(body);
    Record {
        kind: "response",
        id: record_id(&format!(
            "response\0{uri}\0{}\0{}",
            date.timestamp_micros(),
            digest(&block)
        )),
        date,
        content_type: "application/http;msgtype=response".into(),
        fields: vec![("WARC-Target-URI".into(), uri.into())],
        block,
        payload_start,
        payload_digest: None,
    }
}

/// A `request` record: the HTTP request that `response_id` answered.
pub fn request(uri: &str, date: DateTime<Utc>, head: &HttpHead, response_id: &str) -> Record {
    let block = head.to_bytes();
    Record {
        kind: "request",
        id: record_id(&format!("request\0{response_id}")),
        date,
        content_type: "application/http;msgtype=request".into(),
        fields: vec![
            ("WARC-Target-URI".into(), uri.into()),
            ("WARC-Concurrent-To".into(), response_id.into()),
        ],
        payload_start: block.len(),
        block,
        payload_digest: None,
    }
}

/// What a revisit record points back to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Original {
    /// The earlier response record's id.
    pub id: String,
    /// Its target URI.
    pub uri: String,
    /// Its date.
    pub date: DateTime<Utc>,
    /// Its payload digest (the repeated payload's).
    pub payload_digest: String,
}

/// A `revisit` record: a response whose payload repeats `original`'s, kept
/// as its HTTP head only (profile identical-payload-digest).
pub fn revisit(uri: &str, date: DateTime<Utc>, head: &HttpHead, original: &Original) -> Record {
    let block = head.to_bytes();
    Record {
        kind: "revisit",
        id: record_id(&format!(
            "revisit\0{uri}\0{}\0{}",
            date.timestamp_micros(),
            original.id
        )),
        date,
        content_type: "application/http;msgtype=response".into(),
        fields: vec![
            ("WARC-Target-URI".into(), uri.into()),
            ("WARC-Profile".into(), IDENTICAL_PAYLOAD_PROFILE.into()),
            ("WARC-Refers-To".into(), original.id.clone()),
            ("WARC-Refers-To-Target-URI".into(), original.uri.clone()),
            ("WARC-Refers-To-Date".into(), warc_date(original.date)),
        ],
        payload_start: block.len(),
        block,
        payload_digest: Some(original.payload_digest.clone()),
    }
}

/// A `metadata` record (`application/warc-fields`) about `uri` at `date`:
/// about the record `refers_to`, and captured with the record
/// `concurrent_to` (the answer that reported a takedown), when given.
pub fn metadata(
    uri: &str,
    date: DateTime<Utc>,
    refers_to: Option<&str>,
    concurrent_to: Option<&str>,
    fields: &[(String, String)],
) -> Record {
    let block = warc_fields(fields);
    let mut links = vec![("WARC-Target-URI".to_string(), uri.to_string())];
    links.extend(refers_to.map(|id| ("WARC-Refers-To".to_string(), id.to_string())));
    links.extend(concurrent_to.map(|id| ("WARC-Concurrent-To".to_string(), id.to_string())));
    Record {
        kind: "metadata",
        id: record_id(&format!(
            "metadata\0{}\0{}\0{}\0{}",
            refers_to.unwrap_or_default(),
            concurrent_to.unwrap_or_default(),
            warc_date(date),
            digest(&block)
        )),
        date,
        content_type: "application/warc-fields".into(),
        fields: links,
        block,
        payload_start: 0,
        payload_digest: None,
    }
}

impl Record {
    /// The payload digest this record carries.
    pub fn payload_digest(&self) -> String {
        self.payload_digest
            .clone()
            .unwrap_or_else(|| digest(&self.block[self.payload_start.min(self.block.len())..]))
    }

    /// The record, uncompressed: version line, header fields, blank line,
    /// block, and the two line breaks that end a record.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut head = vec![
            ("WARC-Type".to_string(), self.kind.to_string()),
            ("WARC-Record-ID".to_string(), self.id.clone()),
            ("WARC-Date".to_string(), warc_date(self.date)),
        ];
        head.extend(self.fields.iter().cloned());
        head.push(("WARC-Block-Digest".into(), digest(&self.block)));
        head.push(("WARC-Payload-Digest".into(), self.payload_digest()));
        head.push(("Content-Type".into(), self.content_type.clone()));
        head.push(("Content-Length".into(), self.block.len().to_string()));
        let mut out = Vec::with_capacity(self.block.len() + 1024);
        out.extend_from_slice(VERSION.as_bytes());
        out.extend_from_slice(b"\r\n");
        for (k, v) in head {
            out.extend_from_slice(k.as_bytes());
            out.extend_from_slice(b": ");
            out.extend_from_slice(v.replace(['\r', '\n'], " ").as_bytes());
            out.extend_from_slice(b"\r\n");
        }
        out.extend_from_slice(b"\r\n");
        out.extend_from_slice(&self.block);
        out.extend_from_slice(b"\r\n\r\n");
        out
    }

    /// The record as one gzip member (a `.warc.gz` is these, concatenated).
    pub fn to_gzip(&self) -> Vec<u8> {
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        gz.write_all(&self.to_bytes())
            .and_then(|_| gz.finish())
            .expect("writing to memory cannot fail")
    }
}

/// `2024-05-14T09:00:00.123456Z`: WARC/1.1 dates, to the microsecond when
/// there is one.
pub fn warc_date(t: DateTime<Utc>) -> String {
    if t.timestamp_subsec_micros() == 0 {
        t.to_rfc3339_opts(SecondsFormat::Secs, true)
    } else {
        t.to_rfc3339_opts(SecondsFormat::Micros, true)
    }
}

/// `name: value` lines (`application/warc-fields`).
fn warc_fields(fields: &[(String, String)]) -> Vec<u8> {
    let mut out = Vec::new();
    for (k, v) in fields {
        out.extend_from_slice(format!("{k}: {}\r\n", v.replace(['\r', '\n'], " ")).as_bytes());
    }
    out
}

/// RFC 4648 base32 with padding.
fn base32(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    let mut out = String::with_capacity(bytes.len().div_ceil(5) * 8);
    for chunk in bytes.chunks(5) {
        let mut buf = [0u8; 5];
        buf[..chunk.len()].copy_from_slice(chunk);
        let n = buf.iter().fold(0u64, |acc, b| (acc << 8) | u64::from(*b));
        let chars = (chunk.len() * 8).div_ceil(5);
        for i in 0..8 {
            if i < chars {
                out.push(ALPHABET[((n >> (35 - i * 5)) & 31) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base32_matches_rfc_4648_vectors() {
        for (input, want) in [
            ("", ""),
            ("f", "MY======"),
            ("fo", "MZXQ===="),
            ("foo", "MZXW6==="),
            ("foob", "MZXW6YQ="),
            ("fooba", "MZXW6YTB"),
            ("foobar", "MZXW6YTBOI======"),
        ] {
            assert_eq!(base32(input.as_bytes()), want, "{input}");
        }
    }

    #[test]
    fn a_response_record_has_its_length_digests_and_payload_after_the_http_head() {
        let head = HttpHead {
            start_line: "HTTP/1.1 200 OK".into(),
            headers: vec![("Content-Type".into(), "text/html".into())],
        };
        let date = DateTime::parse_from_rfc3339("2024-05-14T09:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        let r = response("https://n.example/a", date, &head, b"<p>hi</p>");
        let bytes = String::from_utf8(r.to_bytes()).unwrap();
        let (fields, rest) = bytes.split_once("\r\n\r\n").unwrap();
        assert!(fields.starts_with("WARC/1.1\r\nWARC-Type: response\r\n"));
        assert!(fields.contains("WARC-Date: 2024-05-14T09:00:00Z"));
        assert!(fields.contains(&format!("Content-Length: {}", r.block.len())));
        assert!(fields.contains(&format!("WARC-Payload-Digest: {}", digest(b"<p>hi</p>"))));
        assert_eq!(
            rest,
            "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n<p>hi</p>\r\n\r\n"
        );
        assert!(
            r.id.starts_with("<urn:uuid:") && r.id.len() == 47,
            "{}",
            r.id
        );
    }
}
