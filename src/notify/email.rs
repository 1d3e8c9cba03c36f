//! Email delivery over SMTP (lettre, rustls): implicit TLS, required
//! STARTTLS, or plain for an explicitly configured local relay.

use std::time::Duration;

use lettre::message::header::ContentType;
use lettre::message::{Mailbox, MultiPart, SinglePart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use super::render;
use crate::alert::Alert;
use crate::config::{EmailChannel, SmtpTls};

/// The Message-ID of an alert's email.
pub fn message_id(alert_id: &str) -> String {
    format!("<{alert_id}@presswatch>")
}

/// Builds the email for an alert: multipart/alternative (text + HTML),
/// Message-ID from the alert id, and In-Reply-To/References to the previous
/// alert about the same story so mail clients thread them.
pub fn build_message(
    ch: &EmailChannel,
    alert: &Alert,
    previous: Option<&str>,
) -> Result<Message, String> {
    let from: Mailbox = ch
        .from
        .parse()
        .map_err(|e| format!("bad From address {:?}: {e}", ch.from))?;
    let mut b = Message::builder()
        .from(from)
        .subject(alert.subject())
        .message_id(Some(message_id(&alert.id)));
    for to in &ch.to {
        b = b.to(to
            .parse()
            .map_err(|e| format!("bad recipient {to:?}: {e}"))?);
    }
    if let Some(prev) = previous {
        let prev = message_id(prev);
        b = b.in_reply_to(prev.clone()).references(prev);
    }
    let body = MultiPart::alternative()
        .singlepart(
            SinglePart::builder()
                .header(ContentType::TEXT_PLAIN)
                .body(render::text(alert)),
        )
        .singlepart(
            SinglePart::builder()
                .header(ContentType::TEXT_HTML)
                .body(render::html(alert)),
        );
    b.multipart(body)
        .map_err(|e| format!("cannot build email: {e}"))
}

/// Builds the SMTP transport for a channel.
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

/// Sends one alert; the whole exchange is bounded by `timeout` (lettre's own
/// timeout covers only the connection).
pub async fn send(
    ch: &EmailChannel,
    alert: &Alert,
    previous: Option<&str>,
    timeout: Duration,
) -> Result<(), String> {
    let msg = build_message(ch, alert, previous)?;
    let transport = transport(ch, timeout)?;
    match tokio::time::timeout(timeout, transport.send(msg)).await {
        Err(_) => Err(format!(
            "SMTP {}:{} did not finish within {timeout:?}",
            ch.host, ch.port
        )),
        Ok(Err(e)) => Err(smtp_error(ch, &e)),
        Ok(Ok(_)) => Ok(()),
    }
}

/// Names the failing step (DNS, connection, TLS, authentication, rejection).
fn smtp_error(ch: &EmailChannel, e: &lettre::transport::smtp::Error) -> String {
    let mut detail = e.to_string();
    let mut src = std::error::Error::source(e);
    while let Some(s) = src {
        detail = format!("{detail}: {s}");
        src = s.source();
    }
    let lower = detail.to_lowercase();
    let what = if e.is_permanent() && (lower.contains("auth") || lower.contains("535")) {
        "authentication failed"
    } else if e.is_permanent() {
        "server rejected the message"
    } else if lower.contains("certificate") || lower.contains("tls") || lower.contains("handshake")
    {
        "TLS failed"
    } else if lower.contains("lookup") || lower.contains("resolve") || lower.contains("dns") {
        "DNS lookup failed"
    } else if lower.contains("refused") || lower.contains("connect") {
        "cannot connect"
    } else {
        "SMTP error"
    };
    format!("{what} ({}:{}): {detail}", ch.host, ch.port)
}
