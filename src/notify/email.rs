//! Email delivery over SMTP (lettre, rustls): implicit TLS, required
//! STARTTLS, or plain for an explicitly configured local relay.

use std::time::Duration;

use lettre::message::header::{ContentType, Header, HeaderName, HeaderValue};
use lettre::message::{Mailbox, MultiPart, SinglePart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use super::{digest, render, Outgoing};
use crate::config::{EmailChannel, SmtpTls};

/// The Message-ID of an alert's (or digest's) email.
pub fn message_id(id: &str) -> String {
    format!("<{id}@presswatch>")
}

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
/// Message-ID from the alert id, and for an alert that continues a story
/// In-Reply-To (the latest earlier alert) and References (the first and the
/// latest) so mail clients thread them. Page text only ever reaches the
/// Subject (control characters removed, encoded by lettre) and the bodies
/// (escaped for HTML).
pub fn build_message(ch: &EmailChannel, out: &Outgoing<'_>) -> Result<Message, String> {
    let from: Mailbox = ch.from.parse().map_err(|e| {
        format!(
            "bad From address {:?} ({e}); write e.g. \"presswatch <alerts@example.org>\"",
            ch.from
        )
    })?;
    let (subject, id, text, html, thread): (String, String, String, String, &[String]) = match out {
        Outgoing::Alert(alert, thread) => (
            alert.subject(),
            alert.id.clone(),
            render::text(alert),
            render::html(alert),
            thread,
        ),
        Outgoing::Digest(alerts, schedule, tz) => (
            digest::subject(alerts, *schedule),
            digest::digest_id(alerts),
            render::digest_text(alerts, *tz),
            render::digest_html(alerts, *tz),
            &[],
        ),
    };
    let mut b = Message::builder()
        .from(from)
        .subject(subject)
        .message_id(Some(message_id(&id)))
        .header(AutoSubmitted);
    for to in &ch.to {
        b = b.to(to
            .parse()
            .map_err(|e| format!("bad recipient {to:?} ({e}); fix `to` in the channel"))?);
    }
    if let Some(last) = thread.last() {
        let refs: Vec<String> = thread.iter().map(|id| message_id(id)).collect();
        b = b.in_reply_to(message_id(last)).references(refs.join(" "));
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
        builder = builder.credentials(Credentials::new(user.clone(), pass.expose().to_string()));
    }
    Ok(builder.build())
}

/// Sends one message. Errors name the failing step (DNS, connection, TLS,
/// authentication, rejection) and never contain the password.
pub async fn send(ch: &EmailChannel, out: &Outgoing<'_>, timeout: Duration) -> Result<(), String> {
    let msg = build_message(ch, out)?;
    let transport = transport(ch, timeout)?;
    transport
        .send(msg)
        .await
        .map(|_| ())
        .map_err(|e| smtp_error(ch, &e))
}

/// Names the failing step (DNS, connection, TLS, authentication, rejection).
fn smtp_error(ch: &EmailChannel, e: &lettre::transport::smtp::Error) -> String {
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
    } else if lower.contains("refused") || lower.contains("connect") || lower.contains("reset") {
        "cannot connect (is the SMTP server running and the port right?)"
    } else {
        "SMTP error"
    };
    format!("email to {}:{}: {what}: {detail}", ch.host, ch.port)
}
