//! Words for a failed HTTP exchange, a page fetched for a watch or an alert
//! POSTed to a webhook: what happened, at which host and port, and what to
//! check. The one place a reqwest (hyper, rustls, resolver) error chain is
//! turned into a sentence; pure: it reads the error and the URL, nothing else.

use url::Url;

/// Whose URL failed: the words differ (a watch's site, a channel's receiver).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// A page fetched for a watch.
    Watch,
    /// An alert POSTed to a webhook channel.
    Webhook,
}

impl Role {
    fn url(self) -> &'static str {
        match self {
            Role::Watch => "the URL",
            Role::Webhook => "the channel's url",
        }
    }
    fn server(self) -> &'static str {
        match self {
            Role::Watch => "the site",
            Role::Webhook => "the receiver",
        }
    }
}

/// What kind of failure it was.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cause {
    /// No answer in time.
    Timeout,
    /// The host name does not resolve.
    Dns,
    /// The TLS handshake failed (certificate, or no TLS on that port).
    Tls,
    /// Nothing listens at the host and port.
    Refused,
    /// The connection broke off before the answer was complete.
    Closed,
    /// The body could not be read or decoded.
    Body,
    /// A redirect to a loopback, private or link-local address was refused;
    /// the refusal's words.
    InternalAddress(String),
    /// Anything else.
    Other,
}

/// A failed exchange in words: its cause and a one-line message naming the
/// host and port and what to do.
#[derive(Debug, Clone)]
pub struct Failure {
    /// The kind of failure.
    pub cause: Cause,
    /// The message, one line.
    pub message: String,
}

/// `host:port` of a URL, the port its scheme's default when not written.
pub fn host_port(url: &Url) -> String {
    let host = url.host_str().unwrap_or_default();
    match url.port_or_known_default() {
        Some(port) => format!("{host}:{port}"),
        None => host.to_string(),
    }
}

/// The error's chain of causes, outermost first, each as it displays.
fn chain(e: &(dyn std::error::Error + 'static)) -> Vec<String> {
    let mut out = Vec::new();
    let mut src: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(s) = src {
        out.push(s.to_string());
        src = s.source();
    }
    out
}

/// What kind of failure a chain of causes tells of.
fn cause_of(e: &reqwest::Error, chain: &[String]) -> Cause {
    if e.is_timeout() {
        return Cause::Timeout;
    }
    let all = chain.join(": ").to_lowercase();
    if let Some(refusal) = chain
        .iter()
        .find(|c| c.contains("loopback, private or link-local"))
    {
        return Cause::InternalAddress(refusal.clone());
    }
    if all.contains("dns")
        || all.contains("failed to lookup")
        || all.contains("name or service not known")
        || all.contains("no address associated")
        || all.contains("nodename nor servname")
    {
        Cause::Dns
    } else if [
        "certificate",
        "tls",
        "handshake",
        "corrupt message",
        "fatal alert",
        "peer is incompatible",
        "unknownissuer",
        "notvalidforname",
        "certexpired",
    ]
    .iter()
    .any(|t| all.contains(t))
    {
        Cause::Tls
    } else if all.contains("refused") {
        Cause::Refused
    } else if all.contains("reset")
        || all.contains("closed")
        || all.contains("incomplete")
        || all.contains("unexpected eof")
    {
        Cause::Closed
    } else if e.is_body() || e.is_decode() {
        Cause::Body
    } else {
        Cause::Other
    }
}

/// The innermost cause, without what the message says already: "Name or
/// service not known", "Connection refused (os error 111)",
/// "invalid peer certificate: UnknownIssuer".
fn detail(chain: &[String]) -> String {
    let last = chain.last().cloned().unwrap_or_default();
    // The resolver's own words may repeat the lookup: keep its reason.
    match last.rsplit_once("failed to lookup address information: ") {
        Some((_, reason)) => reason.to_string(),
        None => last
            .rsplit_once("DNS lookup failed for ")
            .and_then(|(_, rest)| rest.split_once(": "))
            .map(|(_, reason)| reason.to_string())
            .unwrap_or(last),
    }
}

/// The words for a failed request to `url` by `role`: `DNS lookup failed for
/// news.example.invalid (Name or service not known): check the host in the
/// URL …`. A URL's path and query are never shown (a webhook's may carry a
/// token).
pub fn describe(e: &reqwest::Error, url: &Url, role: Role) -> Failure {
    let chain = chain(e);
    let cause = cause_of(e, &chain);
    let at = host_port(url);
    let host = url.host_str().unwrap_or_default();
    let detail = detail(&chain);
    let (u, server) = (role.url(), role.server());
    let message = match &cause {
        Cause::Timeout => format!("no answer from {at} in time ({detail}): {server} is slow or down"),
        Cause::Dns => format!(
            "DNS lookup failed for {host} ({detail}): no such host is known; check the host name in {u} \
             (a typo? does it open in a browser?), or this machine's DNS if every host fails so"
        ),
        Cause::Tls => {
            let lower = detail.to_lowercase();
            let why = if lower.contains("certificate")
                || lower.contains("unknownissuer")
                || lower.contains("notvalidforname")
                || lower.contains("expired")
            {
                format!("the certificate of {host} is not trusted: it may have expired, be self-signed or be for another name; open {u} in a browser to see")
            } else {
                format!("the server there does not speak TLS, as when https:// is written for a port that speaks plain HTTP: check the scheme and port in {u}")
            };
            format!("TLS handshake failed with {at} ({detail}): {why}")
        }
        Cause::Refused => format!(
            "{}: nothing listens at {at} (check the port in {u}, or whether {server} is down)",
            said("connection refused", &detail)
        ),
        Cause::Closed => format!(
            "connection closed by {at} before the response was complete ({detail}): {server}, or a proxy between, broke it off"
        ),
        Cause::Body => format!("error reading the response body from {at} ({detail})"),
        Cause::InternalAddress(refusal) => refusal.clone(),
        Cause::Other => format!("request to {at} failed ({detail})"),
    };
    Failure { cause, message }
}

/// `what (detail)`, or `what (os error 111)` when the detail begins with
/// what it is ("Connection refused (os error 111)"), so it is said once.
fn said(what: &str, detail: &str) -> String {
    match detail
        .get(..what.len())
        .filter(|p| p.eq_ignore_ascii_case(what))
        .map(|_| detail[what.len()..].trim_start())
    {
        Some("") => what.to_string(),
        Some(rest) => format!("{what} {rest}"),
        None => format!("{what} ({detail})"),
    }
}
