//! Webhook delivery: presswatch JSON (versioned schema) signed per the
//! Standard Webhooks convention, or Slack / Discord / Teams payloads.

use std::time::Duration;

use base64::Engine;
use hmac::{Hmac, Mac};
use serde_json::{json, Value};
use sha2::Sha256;

use super::render;
use crate::alert::Alert;
use crate::config::{Secret, WebhookChannel, WebhookFormat};

/// How a webhook attempt ended, when it did not succeed.
#[derive(Debug)]
pub struct WebhookError {
    /// What went wrong, for logs and status.
    pub message: String,
    /// The receiver says the endpoint is gone (410): disable the channel.
    pub gone: bool,
    /// When the receiver asked to retry (Retry-After).
    pub retry_after: Option<Duration>,
}

/// The body POSTed for an alert in the channel's format.
pub fn payload(format: WebhookFormat, alert: &Alert) -> Value {
    match format {
        WebhookFormat::Json => serde_json::to_value(alert).unwrap_or(Value::Null),
        WebhookFormat::Slack => {
            json!({ "text": format!("*{}*\n{}\n{}", alert.subject(), alert.url, truncate(&render::text(alert), 2800)) })
        }
        WebhookFormat::Discord => {
            json!({ "content": truncate(&format!("**{}**\n{}\n{}", alert.subject(), alert.url, render::text(alert)), 1900) })
        }
        WebhookFormat::Teams => json!({
            "type": "message",
            "attachments": [{
                "contentType": "application/vnd.microsoft.card.adaptive",
                "content": {
                    "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
                    "type": "AdaptiveCard",
                    "version": "1.4",
                    "body": [
                        { "type": "TextBlock", "text": alert.subject(), "weight": "Bolder", "wrap": true },
                        { "type": "TextBlock", "text": truncate(&render::text(alert), 20_000), "wrap": true }
                    ],
                    "actions": [{ "type": "Action.OpenUrl", "title": "Open article", "url": alert.url }]
                }
            }]
        }),
    }
}

fn truncate(s: &str, max_chars: usize) -> String {
    if s.chars().count() <= max_chars {
        return s.to_string();
    }
    let cut: String = s.chars().take(max_chars).collect();
    format!("{cut}\n… (truncated; open the article for the full change)")
}

/// The Standard Webhooks signature header value: `v1,<base64 HMAC-SHA256>`
/// over `id.timestamp.body`. A secret of the form `whsec_<base64>` is
/// base64-decoded; any other secret is used as raw bytes.
pub fn signature(secret: &Secret, id: &str, timestamp: i64, body: &[u8]) -> String {
    let s = secret.expose();
    let key = s
        .strip_prefix("whsec_")
        .and_then(|b| base64::engine::general_purpose::STANDARD.decode(b).ok())
        .unwrap_or_else(|| s.as_bytes().to_vec());
    let mut mac = Hmac::<Sha256>::new_from_slice(&key).expect("HMAC accepts any key length");
    mac.update(id.as_bytes());
    mac.update(b".");
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    format!(
        "v1,{}",
        base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
    )
}

/// POSTs an alert. 2xx is success; everything else is an error saying whether to retry.
pub async fn send(
    client: &reqwest::Client,
    ch: &WebhookChannel,
    alert: &Alert,
    timeout: Duration,
) -> Result<(), WebhookError> {
    let body = serde_json::to_vec(&payload(ch.format, alert)).unwrap_or_default();
    let ts = chrono::Utc::now().timestamp();
    let mut req = client
        .post(ch.url.clone())
        .timeout(timeout)
        .header(reqwest::header::CONTENT_TYPE, "application/json")
        .header("webhook-id", &alert.id)
        .header("webhook-timestamp", ts.to_string());
    if let Some(secret) = &ch.secret {
        req = req.header("webhook-signature", signature(secret, &alert.id, ts, &body));
    }
    let host = ch.url.host_str().unwrap_or("").to_string();
    let resp = req.body(body).send().await.map_err(|e| WebhookError {
        message: format!(
            "POST to {host} failed: {}",
            if e.is_timeout() {
                format!("timed out after {timeout:?}")
            } else {
                root_cause(&e)
            }
        ),
        gone: false,
        retry_after: None,
    })?;
    let status = resp.status();
    if status.is_success() {
        return Ok(());
    }
    let retry_after = resp
        .headers()
        .get(reqwest::header::RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(crate::fetch::parse_retry_after);
    Err(WebhookError {
        message: format!("POST to {host} answered HTTP {}", status.as_u16()),
        gone: status.as_u16() == 410,
        retry_after,
    })
}

fn root_cause(e: &dyn std::error::Error) -> String {
    let mut msg = e.to_string();
    let mut src = e.source();
    while let Some(s) = src {
        msg = format!("{msg}: {s}");
        src = s.source();
    }
    msg
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn standard_webhooks_test_vector() {
        // The example from the Standard Webhooks specification.
        let secret = Secret::new("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw".into());
        let body = br#"{"test": 2432232314}"#;
        assert_eq!(
            signature(&secret, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, body),
            "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
        );
    }
}
