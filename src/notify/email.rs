//! Email delivery over SMTP (lettre, rustls): implicit TLS, required
//! STARTTLS, or plain for an explicitly configured local relay.

use std::time::Duration;

use lettre::message::header::{ContentType, Header, HeaderName, HeaderValue};
use lettre::message::{Mailbox, MultiPart, SinglePart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use super::{digest, render, Installation, Outgoing};
use crate::config::{EmailChannel, SmtpTls};

/// The Message-ID of an alert's (or digest's) email:
/// `<alert-id.installation-id@from-domain>`. The installation id keeps two
/// installations that report the same change from sending two messages
/// with one id (mail providers drop the second); the domain is the From
/// address's, as RFC 5322 advises.
pub fn message_id(id: &str, installation: &str, domain: &str) -> String {
    format!("<{id}.{installation}@{domain}>")
}

/// Headers carrying a word presswatch chose (an alert kind, a watch name;
/// never page text), for mail filters: `X-Presswatch-Kind: correction_added`.
macro_rules! tag_header {
    ($ty:ident, $name:literal) => {
        #[derive(Debug, Clone)]
        struct $ty(String);

        impl Header for $ty {
            fn name() -> HeaderName {
                HeaderName::new_from_ascii_str($name)
            }
            fn parse(s: &str) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
                Ok($ty(s.to_string()))
            }
            fn display(&self) -> HeaderValue {
                HeaderValue::new(Self::name(), self.0.clone())
            }
        }
    };
}

tag_header!(KindHeader, "X-Presswatch-Kind");
tag_header!(WatchHeader, "X-Presswatch-Watch");
tag_header!(RecordHeader, "X-Presswatch-Record");

/// `Auto-Submitted: auto-generated` (RFC 3834): vacation responders and
/// ticket systems must not answer alerts.
#[derive(Debug, Clone)]
struct AutoSubmitted;

impl Header for AutoSubmitted {
    fn name() -> HeaderName {
        HeaderName::new_from_ascii_str("Auto-Submitted")
    }
    fn parse(_: &str) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        Ok(AutoSubmitted)
    }
    fn display(&self) -> HeaderValue {
        HeaderValue::new(Self::name(), "auto-generated".into())
    }
}

/// Builds the email: multipart/alternative (plain text, then HTML), a
/// Message-ID unique to this installation, `X-Presswatch-Kind` and
/// `X-Presswatch-Watch` for filters, `X-Presswatch-Record` (the chain
/// digest of the version the alert reports, whole; a digest's, each of its
/// alerts' records, comma-separated), and for an alert that continues a
/// story In-Reply-To (the latest earlier alert) and References (the whole
/// chain, oldest first, at most [`MAX_REFERENCES`]) so mail clients thread
/// them. Page text only ever reaches the Subject (control characters
/// removed, encoded by lettre) and the bodies (escaped for HTML).
pub fn build_message(
    ch: &EmailChannel,
    out: &Outgoing<'_>,
    installation: &Installation,
) -> Result<Message, String> {
    let from: Mailbox = crate::config::mailbox(&ch.from).map_err(|e| {
        format!(
            "bad From address {:?} ({e}); write e.g. \"presswatch <alerts@example.org>\"",
            ch.from
        )
    })?;
    let domain = from.email.domain().to_string();
    let ctx = &installation.render;
    let mid = |id: &str| message_id(id, &installation.id, &domain);
    let mut b = Message::builder().header(AutoSubmitted);
    let (text, html) = match out {
        Outgoing::Alert(alert, thread) => {
            b = b
                .subject(alert.subject_in_thread(thread.headline.as_deref()))
                .message_id(Some(mid(&alert.id)))
                .header(KindHeader(alert.kind.as_str().to_string()))
                .header(WatchHeader(alert.watch.clone()));
            // The whole record, for `presswatch verify --record` to read
            // from the saved email: "HEX (version N)".
            if let Some((record, version)) = alert
                .evidence
                .as_ref()
                .and_then(|e| Some((e.record.clone()?, e.version)))
            {
                b = b.header(RecordHeader(format!("{record} (version {version})")));
            }
            if let Some(last) = thread.ids.last() {
                let first = thread.ids.len().saturating_sub(MAX_REFERENCES - 1).max(1);
                let refs: Vec<String> = thread.ids[..1]
                    .iter()
                    .chain(&thread.ids[first..])
                    .map(|id| mid(id))
                    .collect();
                b = b.in_reply_to(mid(last)).references(refs.join(" "));
            }
            (render::text(alert, ctx), render::html(alert, ctx))
        }
        Outgoing::Digest(alerts, schedule) => {
            b = b
                .subject(digest::subject(alerts, *schedule))
                .message_id(Some(mid(&digest::digest_id(alerts))))
                .header(KindHeader("digest".to_string()));
            // Each alert's whole record, in the order the alerts came, in
            // one header (lettre sets a header once): "HEX (watch W,
            // version N), HEX (watch V, version M)", which `presswatch
            // verify --record` reads all of.
            let records: Vec<String> = alerts
                .iter()
                .filter_map(|a| {
                    let e = a.evidence.as_ref()?;
                    // The watch named when the header can carry it as it is.
                    let watch = if a.watch.is_ascii() {
                        format!("watch {}, ", a.watch)
                    } else {
                        String::new()
                    };
                    Some(format!(
                        "{} ({watch}version {})",
                        e.record.as_deref()?,
                        e.version
                    ))
                })
                .collect();
            if !records.is_empty() {
                b = b.header(RecordHeader(records.join(", ")));
            }
            (
                render::digest_text(alerts, ctx),
                render::digest_html(alerts, ctx),
            )
        }
    };
    b = b.from(from);
    for to in &ch.to {
        b = b.to(crate::config::mailbox(to)
            .map_err(|e| format!("bad recipient {to:?} ({e}); fix `to` in the channel"))?);
    }
    let body = MultiPart::alternative()
        .singlepart(
            SinglePart::builder()
                .header(ContentType::TEXT_PLAIN)
                .body(text),
        )
        .singlepart(
            SinglePart::builder()
                .header(ContentType::TEXT_HTML)
                .body(html),
        );
    b.multipart(body)
        .map_err(|e| format!("cannot build email: {e}"))
}

/// The most ids a References header carries: the thread's first alert and
/// the latest ones (a story with more alerts than this within the 30 days
/// alerts are kept loses the middle of its chain, as RFC 5322 allows).
pub const MAX_REFERENCES: usize = 50;

/// Builds the SMTP transport for a channel. `timeout` bounds connecting and
/// each SMTP command; the caller bounds the whole exchange.
pub fn transport(
    ch: &EmailChannel,
    timeout: Duration,
) -> Result<AsyncSmtpTransport<Tokio1Executor>, String> {
    let builder = match ch.tls {
        SmtpTls::Implicit => AsyncSmtpTransport::<Tokio1Executor>::relay(&ch.host),
        SmtpTls::StartTls => AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(&ch.host),
        SmtpTls::None => Ok(AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(
            &ch.host,
        )),
    }
    .map_err(|e| format!("cannot set up SMTP to {}: {e}", ch.host))?;
    let mut builder = builder.port(ch.port).timeout(Some(timeout));
    if let (Some(user), Some(pass)) = (&ch.username, &ch.password) {
        let secret = pass.read().map_err(|e| {
            format!(
                "email to {}:{}: cannot read the password ({}): {e}",
                ch.host, ch.port, pass.key
            )
        })?;
        builder = builder.credentials(Credentials::new(user.clone(), secret.expose().to_string()));
    }
    Ok(builder.build())
}

/// Sends one message. Errors name the failing step (DNS, connection, TLS,
/// authentication, rejection) and never contain the password.
pub async fn send(
    ch: &EmailChannel,
    out: &Outgoing<'_>,
    installation: &Installation,
    timeout: Duration,
) -> Result<(), String> {
    let msg = build_message(ch, out, installation)?;
    let transport = transport(ch, timeout)?;
    let sending = transport.send(msg);
    // A relay that expects TLS at once (smtps://, port 465) never greets a
    // client that waits for its SMTP greeting (smtp://): the exchange would
    // only time out. When it is still going half-way through its time, a
    // second connection looks at what the relay sends first.
    let look = GREETING_WAIT.min(timeout / 4);
    let probe = async {
        if ch.tls == SmtpTls::Implicit {
            return std::future::pending().await;
        }
        tokio::time::sleep(timeout / 2).await;
        greeting(&ch.host, ch.port, look).await
    };
    let deadline = tokio::time::sleep(timeout);
    tokio::pin!(sending, probe, deadline);
    let mut found = None;
    let sent = loop {
        tokio::select! {
            sent = &mut sending => break Some(sent),
            g = &mut probe, if found.is_none() => found = Some(g),
            _ = &mut deadline => break None,
        }
    };
    match sent {
        Some(sent) => sent.map(|_| ()).map_err(|e| smtp_error(ch, &e)),
        None => {
            let why = found
                .and_then(|g| crate::net_error::relay_expects_tls_at_once(g, look))
                .unwrap_or_else(|| "the SMTP server is slow or down".to_string());
            Err(super::timed_out(
                &format!("email to {}:{}", ch.host, ch.port),
                timeout,
                &why,
            ))
        }
    }
}

/// The longest a second look at a relay that does not answer waits for its
/// first bytes.
const GREETING_WAIT: Duration = Duration::from_secs(10);

/// What a fresh connection to `host:port` receives first within `wait`,
/// before saying anything: an SMTP server's greeting, TLS bytes, or nothing.
async fn greeting(host: &str, port: u16, wait: Duration) -> crate::net_error::Greeting {
    use crate::net_error::Greeting;
    use tokio::io::AsyncReadExt;
    let Ok(Ok(mut sock)) =
        tokio::time::timeout(wait, tokio::net::TcpStream::connect((host, port))).await
    else {
        return Greeting::Unreachable;
    };
    let mut first = [0u8; 8];
    match tokio::time::timeout(wait, sock.read(&mut first)).await {
        Err(_) => Greeting::None,
        Ok(Ok(n)) if n > 0 => Greeting::of(&first[..n]),
        Ok(_) => Greeting::Unreachable,
    }
}

/// Names the failing step (DNS, connection, TLS, authentication, rejection).
/// A certificate the handshake refused is said in the words of
/// [`crate::net_error`], which watches and webhooks share: what is wrong
/// with it and what to check.
fn smtp_error(ch: &EmailChannel, e: &lettre::transport::smtp::Error) -> String {
    let at = format!("{}:{}", ch.host, ch.port);
    let role = crate::net_error::Role::Relay {
        starttls: ch.tls == SmtpTls::StartTls,
    };
    if let Some(why) = crate::net_error::refused_certificate(e, &ch.host, &at, role) {
        return format!("email to {at}: TLS handshake failed: {why}");
    }
    if ch.tls == SmtpTls::Implicit {
        if let Some(why) = crate::net_error::relay_speaks_no_tls_at_once(e) {
            return format!("email to {at}: TLS handshake failed: {why}");
        }
    }
    let mut detail = e.to_string();
    let mut src = std::error::Error::source(e);
    while let Some(s) = src {
        let s_text = s.to_string();
        if !detail.contains(&s_text) {
            detail = format!("{detail}: {s_text}");
        }
        src = s.source();
    }
    let lower = detail.to_lowercase();
    let code = e.status().map(|c| c.to_string()).unwrap_or_default();
    let what = if code.starts_with("53") || lower.contains("authentication") {
        "authentication failed (check username and password_env / password_file)"
    } else if e.is_permanent() {
        "the server rejected the message"
    } else if e.is_transient() {
        "the server refused the message for now"
    } else if lower.contains("starttls is not supported") {
        "the server offers no STARTTLS, which smtp:// requires (for a relay on this machine, \
         set `tls = \"none\"` on the channel; otherwise use smtps:// on port 465, or the \
         server's submission port 587)"
    } else if lower.contains("certificate")
        || lower.contains("tls")
        || lower.contains("handshake")
        || lower.contains("starttls")
    {
        "TLS failed (check smtp_url's scheme and port: smtps:// 465 is implicit TLS, smtp:// 587 needs STARTTLS)"
    } else if lower.contains("lookup")
        || lower.contains("resolve")
        || lower.contains("name or service")
        || lower.contains("dns")
    {
        "DNS lookup failed (check the host name in smtp_url)"
    } else if lower.contains("incomplete response")
        || lower.contains("reset by peer")
        || lower.contains("broken pipe")
        || lower.contains("unexpected eof")
        || lower.contains("unexpected end of file")
        || lower.contains("connection aborted")
    {
        "the connection broke off during the SMTP exchange (the server, or a firewall or proxy \
         between, closed it); the message is sent again later with the same Message-ID"
    } else if lower.contains("refused") || lower.contains("connect") || lower.contains("reset") {
        "cannot connect (is the SMTP server running and the port right?)"
    } else {
        "SMTP error"
    };
    format!("email to {at}: {what}: {detail}")
}
