//! Words for a failed HTTP exchange, a page fetched for a watch or an alert
//! POSTed to a webhook: what happened, at which host and port, and what to
//! check. The one place a reqwest (hyper, rustls, resolver) error chain is
//! turned into a sentence, and the one home of the words for a certificate
//! a TLS handshake refused, a mail relay's too (lettre's error chain, read
//! by [`refused_certificate`]); pure: it reads the error and the URL, nothing
//! else.

use url::Url;

/// Whose URL failed: the words differ (a watch's site, a channel's receiver
/// or mail relay).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// A page fetched for a watch.
    Watch,
    /// An alert POSTed to a webhook channel.
    Webhook,
    /// The SMTP relay of an email channel, reached with STARTTLS on a plain
    /// connection (`smtp://`) or with TLS from the first byte (`smtps://`).
    Relay {
        /// STARTTLS, not implicit TLS.
        starttls: bool,
    },
}

impl Role {
    fn url(self) -> &'static str {
        match self {
            Role::Watch => "the URL",
            Role::Webhook => "the channel's url",
            Role::Relay { .. } => "the channel's smtp_url",
        }
    }
    fn server(self) -> &'static str {
        match self {
            Role::Watch => "the site",
            Role::Webhook => "the receiver",
            Role::Relay { .. } => "the relay",
        }
    }
    /// How to see the certificate the server at `at` (`host:port`)
    /// presents: a browser for an https URL, `openssl s_client` for a relay
    /// (a browser does not speak SMTP).
    fn look(self, at: &str) -> String {
        match self {
            Role::Watch | Role::Webhook => format!("open {} in a browser", self.url()),
            Role::Relay { starttls } => format!(
                "run `openssl s_client -connect {}{}`",
                crate::text::shell_word(at),
                if starttls { " -starttls smtp" } else { "" }
            ),
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

/// The certificate problem a TLS handshake failed on, when the chain holds
/// rustls's error. It travels inside an `io::Error` (in another, as
/// hyper-util wraps it), whose `source()` skips the error it wraps: an
/// `io::Error` is followed into what it wraps instead.
fn certificate_error<'e>(
    e: &'e (dyn std::error::Error + 'static),
) -> Option<&'e rustls::CertificateError> {
    match rustls_error(e)? {
        rustls::Error::InvalidCertificate(c) => Some(c),
        _ => None,
    }
}

/// rustls's error in the chain of `e`, followed as [`certificate_error`]
/// follows it.
fn rustls_error<'e>(e: &'e (dyn std::error::Error + 'static)) -> Option<&'e rustls::Error> {
    let mut src: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(s) = src {
        if let Some(r) = s.downcast_ref::<rustls::Error>() {
            return Some(r);
        }
        src = match s.downcast_ref::<std::io::Error>() {
            Some(io) => io
                .get_ref()
                .map(|inner| inner as &(dyn std::error::Error + 'static)),
            None => s.source(),
        };
    }
    None
}

/// Whether the chain of `e` tells of a TLS handshake answered by something
/// that is not TLS (a plain-text greeting read as a TLS record): rustls's
/// `InvalidMessage` ("received corrupt message of type InvalidContentType").
fn not_tls(e: &(dyn std::error::Error + 'static)) -> bool {
    matches!(rustls_error(e), Some(rustls::Error::InvalidMessage(_)))
        || chain(e)
            .iter()
            .any(|c| c.to_lowercase().contains("corrupt message"))
}

/// What to say when a mail relay reached with TLS from the first byte
/// (`smtps://`) answered in plain text, as a port for STARTTLS (587, 25)
/// does: `None` when the chain of `e` tells of something else.
pub fn relay_speaks_no_tls_at_once(e: &(dyn std::error::Error + 'static)) -> Option<String> {
    not_tls(e).then(|| {
        "the server there does not speak TLS at once, as smtps:// needs (it answered in plain text, \
         as a port for STARTTLS does): use smtp:// (STARTTLS, usually port 587), or the relay's \
         implicit-TLS port (465), in the channel's smtp_url"
            .to_string()
    })
}

/// What a relay reached without TLS at first (`smtp://`) sent, or did not,
/// on a fresh connection before the client says anything: an SMTP server
/// greets first (`220 …`), one that expects TLS at once waits for the
/// client's handshake, or answers it in TLS.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Greeting {
    /// An SMTP greeting (or any plain text) came.
    Plain,
    /// Nothing came within the time waited.
    None,
    /// TLS bytes came (a TLS record: a handshake or an alert).
    Tls,
    /// The connection could not be made, or closed at once.
    Unreachable,
}

impl Greeting {
    /// What the first bytes a server sent (`first`; empty when it sent
    /// none in time) say it speaks.
    pub fn of(first: &[u8]) -> Greeting {
        match first.first() {
            None => Greeting::None,
            // A TLS record's content type: handshake (22) or alert (21).
            Some(0x15 | 0x16) => Greeting::Tls,
            Some(_) => Greeting::Plain,
        }
    }
}

/// What to add when a mail relay reached with `smtp://` never answered
/// (`greeting`: what a fresh connection to it got, waited for `waited`):
/// that the server may expect TLS at once, and to use smtps://, when it
/// sent no greeting or sent TLS bytes; `None` when it greets as SMTP does
/// (it is slow, not of another scheme) or could not be reached.
pub fn relay_expects_tls_at_once(
    greeting: Greeting,
    waited: std::time::Duration,
) -> Option<String> {
    let what = match greeting {
        Greeting::None => format!(
            "no SMTP greeting came within {}s of connecting",
            waited.as_secs_f64()
        ),
        Greeting::Tls => "it answered in TLS, not with an SMTP greeting".to_string(),
        Greeting::Plain | Greeting::Unreachable => return None,
    };
    Some(format!(
        "{what}: the server may expect TLS at once, as on port 465: use smtps:// in the channel's \
         smtp_url (smtp:// is plain SMTP then STARTTLS)"
    ))
}

/// What kind of failure a chain of causes tells of. A refused certificate
/// is told by rustls's error itself (`certificate`), before any word of the
/// chain is read: its words may name a `DnsName`.
fn cause_of(e: &reqwest::Error, chain: &[String], certificate: bool) -> Cause {
    if e.is_timeout() {
        return Cause::Timeout;
    }
    let all = chain.join(": ").to_lowercase();
    if certificate || all.contains("invalid peer certificate") {
        return Cause::Tls;
    }
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
        // hyper's words for a body shorter than its Content-Length.
        || all.contains("end of file before message length reached")
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
    let certificate = certificate_error(e);
    let cause = cause_of(e, &chain, certificate.is_some());
    let at = host_port(url);
    let host = url.host_str().unwrap_or_default();
    let detail = detail(&chain);
    if let (Cause::Tls, Some(certificate)) = (&cause, certificate) {
        let why = certificate_words(certificate, host, &at, role, &detail);
        let message = format!("TLS handshake failed with {at}: {why}");
        return Failure { cause, message };
    }
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
        // hyper's words for a head of more headers than it reads (100).
        Cause::Other if detail.contains("message head is too large") => format!(
            "{at} sent a response head too large to read ({detail}: more than 100 headers, or \
             headers of many KB): {server} or a proxy between is misconfigured; open {u} in a \
             browser's developer tools to see its headers"
        ),
        // hyper's words for an answer that is not HTTP/1.x: `invalid HTTP
        // version parsed` (another protocol's greeting, or TLS bytes),
        // `invalid HTTP status-code parsed`, `invalid HTTP header parsed`.
        Cause::Other if detail.starts_with("invalid HTTP") => format!(
            "{at} did not answer in HTTP ({detail}): another kind of server listens on that port \
             (a mail, SSH or database server), it speaks HTTPS where http:// is written, or {server} \
             or a proxy between sends a broken answer; check the scheme and port in {u} (does it \
             open in a browser?)"
        ),
        Cause::Other => format!("request to {at} failed ({detail})"),
    };
    Failure { cause, message }
}

/// What is wrong with the certificate a TLS handshake refused, in plain
/// words, and what to check (`the certificate is not trusted: …`), when the
/// chain of `e` holds rustls's refusal; `None` when it does not. For a
/// client other than reqwest, whose errors [`describe`] reads: the mail
/// relay's, through lettre. `host` is the name the certificate was checked
/// against, `at` the server's `host:port`.
pub fn refused_certificate(
    e: &(dyn std::error::Error + 'static),
    host: &str,
    at: &str,
    role: Role,
) -> Option<String> {
    let certificate = certificate_error(e)?;
    Some(certificate_words(
        certificate,
        host,
        at,
        role,
        &detail(&chain(e)),
    ))
}

/// What is wrong with the certificate a server presented, in plain words,
/// and what to check: `the certificate is for example.org, not 127.0.0.1:
/// …`. `detail` is rustls's own words, kept where they add a searchable
/// name (`UnknownIssuer`).
fn certificate_words(
    error: &rustls::CertificateError,
    host: &str,
    at: &str,
    role: Role,
    detail: &str,
) -> String {
    use rustls::CertificateError as E;
    let (u, server, look) = (role.url(), role.server(), role.look(at));
    let clock =
        |now: &rustls::pki_types::UnixTime| format!("this machine's clock reads {}", utc(now));
    match error {
        E::UnknownIssuer => format!(
            "the certificate is not trusted: it is self-signed, or issued by an authority this machine \
             does not trust (UnknownIssuer); {look} to see who issued it, and if {server} is \
             meant to use that certificate, add it or its issuer to this machine's trust store"
        ),
        // Plain `openssl req -x509` marks the certificate it makes as an
        // authority (CA:TRUE), which webpki refuses for a server whatever
        // the trust store holds: self-signed, all the same.
        E::Other(other) if format!("{other:?}").contains("CaUsedAsEndEntity") => format!(
            "the certificate is not trusted: it is self-signed, or issued by an authority this machine \
             does not trust, and it is marked as a certificate authority itself, as plain `openssl req \
             -x509` makes one (CaUsedAsEndEntity), which no trust store makes good for a server; {look} \
             to see who issued it, and if {server} is meant to use a certificate of its own, make one \
             not marked as an authority (`openssl req -x509 -addext \
             basicConstraints=critical,CA:FALSE …`) and add that to this machine's trust store"
        ),
        E::NotValidForNameContext { presented, .. } => {
            let names: Vec<String> = presented.iter().map(|n| presented_name(n)).collect();
            let is_for = match names.as_slice() {
                [] => "names no host".to_string(),
                names => format!("is for {}", one_of(names)),
            };
            format!(
                "the certificate {is_for}, not {host}: check the host in {u} ({server} may answer under \
                 another name), or {server} presents the wrong certificate"
            )
        }
        E::NotValidForName => format!(
            "the certificate is for another name, not {host}: check the host in {u} ({server} may answer \
             under another name), or {server} presents the wrong certificate"
        ),
        E::ExpiredContext { time, not_after } => format!(
            "the certificate expired on {} ({}): {server} has to renew it; if this machine's clock is \
             wrong, set it right",
            utc(not_after),
            clock(time)
        ),
        E::NotValidYetContext { time, not_before } => format!(
            "the certificate is not valid until {} ({}): check this machine's clock; if it is right, \
             {server} presents a certificate dated ahead",
            utc(not_before),
            clock(time)
        ),
        E::Expired | E::NotValidYet => format!(
            "the certificate has expired or is not valid yet ({detail}): check this machine's clock, \
             and {look} to see the certificate's dates"
        ),
        E::Revoked => format!(
            "the certificate was revoked by its issuer: {server} has to replace it"
        ),
        _ => format!(
            "the certificate is not accepted ({detail}); {look} to see why"
        ),
    }
}

/// A name a certificate presents, as rustls shows it (`DnsName("example.org")`,
/// `IpAddress(192.0.2.1)`), without the wrapping.
fn presented_name(shown: &str) -> String {
    shown
        .strip_prefix("DnsName(\"")
        .and_then(|n| n.strip_suffix("\")"))
        .or_else(|| {
            shown
                .strip_prefix("IpAddress(")
                .and_then(|n| n.strip_suffix(')'))
        })
        .unwrap_or(shown)
        .to_string()
}

/// `a`, `a or b`, `a, b or c`; past three names, `a, b, c and 7 other names`.
fn one_of(names: &[String]) -> String {
    const SHOWN: usize = 3;
    match names {
        [one] => one.clone(),
        _ if names.len() > SHOWN => format!(
            "{} and {} other names",
            names[..SHOWN].join(", "),
            names.len() - SHOWN
        ),
        [rest @ .., last] => format!("{} or {last}", rest.join(", ")),
        [] => String::new(),
    }
}

/// A time of a certificate or of the clock, to the minute, in UTC.
fn utc(t: &rustls::pki_types::UnixTime) -> String {
    i64::try_from(t.as_secs())
        .ok()
        .and_then(|s| chrono::DateTime::from_timestamp(s, 0))
        .map(|t| t.format("%Y-%m-%d %H:%M UTC").to_string())
        .unwrap_or_else(|| format!("{} (UNIX time)", t.as_secs()))
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

#[cfg(test)]
mod tests {
    use super::*;
    use rustls::pki_types::{ServerName, UnixTime};
    use rustls::CertificateError as E;

    fn words(e: E, role: Role) -> String {
        certificate_words(
            &e,
            "news.example.org",
            "news.example.org:443",
            role,
            "detail",
        )
    }

    fn for_names(presented: &[&str]) -> E {
        E::NotValidForNameContext {
            expected: ServerName::try_from("news.example.org").unwrap(),
            presented: presented.iter().map(|n| n.to_string()).collect(),
        }
    }

    #[test]
    fn a_certificate_for_other_names_names_three_bare_and_counts_the_rest() {
        assert_eq!(
            words(for_names(&["DnsName(\"*.cdn.example\")", "IpAddress(192.0.2.1)"]), Role::Watch),
            "the certificate is for *.cdn.example or 192.0.2.1, not news.example.org: check the host in \
             the URL (the site may answer under another name), or the site presents the wrong certificate"
        );
        let many: Vec<String> = (1..=8)
            .map(|i| format!("DnsName(\"s{i}.example\")"))
            .collect();
        let many: Vec<&str> = many.iter().map(String::as_str).collect();
        assert!(
            words(for_names(&many), Role::Watch)
                .starts_with("the certificate is for s1.example, s2.example, s3.example and 5 other names, not news.example.org: "),
            "{}",
            words(for_names(&many), Role::Watch)
        );
        assert!(words(for_names(&[]), Role::Webhook).starts_with(
            "the certificate names no host, not news.example.org: check the host in the channel's url \
             (the receiver may answer under another name)"
        ));
    }

    #[test]
    fn an_expired_certificate_says_the_day_and_the_clock_in_utc() {
        let at = |s| UnixTime::since_unix_epoch(std::time::Duration::from_secs(s));
        assert_eq!(
            words(
                E::ExpiredContext {
                    time: at(1_796_368_368),
                    not_after: at(1_609_459_200),
                },
                Role::Webhook
            ),
            "the certificate expired on 2021-01-01 00:00 UTC (this machine's clock reads 2026-12-04 \
             07:12 UTC): the receiver has to renew it; if this machine's clock is wrong, set it right"
        );
    }

    #[test]
    fn a_mail_relay_s_certificate_is_seen_with_openssl_not_a_browser() {
        let relay = |e: E, starttls| {
            certificate_words(
                &e,
                "mail.example.org",
                "mail.example.org:587",
                Role::Relay { starttls },
                "detail",
            )
        };
        assert_eq!(
            relay(E::UnknownIssuer, true),
            "the certificate is not trusted: it is self-signed, or issued by an authority this machine \
             does not trust (UnknownIssuer); run `openssl s_client -connect mail.example.org:587 \
             -starttls smtp` to see who issued it, and if the relay is meant to use that certificate, \
             add it or its issuer to this machine's trust store"
        );
        assert_eq!(
            relay(E::BadSignature, false),
            "the certificate is not accepted (detail); run `openssl s_client -connect \
             mail.example.org:587` to see why"
        );
        assert_eq!(
            relay(E::NotValidForName, true),
            "the certificate is for another name, not mail.example.org: check the host in the channel's \
             smtp_url (the relay may answer under another name), or the relay presents the wrong \
             certificate"
        );
    }

    #[test]
    fn a_certificate_problem_without_plain_words_keeps_rustls_words() {
        assert_eq!(
            words(E::BadSignature, Role::Watch),
            "the certificate is not accepted (detail); open the URL in a browser to see why"
        );
        assert_eq!(
            words(E::Revoked, Role::Watch),
            "the certificate was revoked by its issuer: the site has to replace it"
        );
    }
}
