//! Alert channels: email and webhook, the alert kinds each takes, digest
//! schedules, and how messages name a channel.

use std::path::Path;

use lettre::message::Mailbox;
use serde::Deserialize;
use toml::Spanned;
use url::Url;

use crate::compare::ChangeKind;

use super::problems::{quote, Report};
use super::secret::{secret_ref, SecretRef};
use super::value::http_url;
use super::RawChannel;

/// An alert channel (`[[channel]]`).
#[derive(Debug, Clone, PartialEq)]
pub struct Channel {
    /// Unique name watches refer to.
    pub name: String,
    /// Email or webhook settings.
    pub kind: ChannelKind,
    /// Send each alert at once, or collect them into a digest (email only).
    pub digest: DigestSchedule,
    /// The kinds of alert the channel takes (`kinds = ["error", "recovered"]`); `None`: every kind.
    pub kinds: Option<Vec<ChangeKind>>,
}

impl Channel {
    /// Whether the channel takes alerts of this kind.
    pub fn takes(&self, kind: ChangeKind) -> bool {
        // A channel that takes edits takes the safety net's possible edits
        // too: they are edits the extractor may have missed. One that takes
        // changed headlines takes retitled items: their headlines changed.
        let also = match kind {
            ChangeKind::PossiblyEdited => Some(ChangeKind::Edited),
            ChangeKind::Retitled => Some(ChangeKind::HeadlineChanged),
            _ => None,
        };
        self.kinds
            .as_ref()
            .is_none_or(|k| k.contains(&kind) || also.is_some_and(|a| k.contains(&a)))
    }
}

/// When a channel sends: each alert at once, or one digest per hour or day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DigestSchedule {
    /// `digest = "off"`: every alert is sent as soon as it is detected.
    Off,
    /// `digest = "hourly"`: one message at the top of each hour.
    Hourly,
    /// `digest = "daily HH:MM"`: one message a day at this local time.
    Daily {
        /// Hour, 0-23.
        hour: u32,
        /// Minute, 0-59.
        minute: u32,
    },
}

impl DigestSchedule {
    /// Parses `off`, `hourly` or `daily HH:MM`.
    pub fn parse(s: &str) -> Result<DigestSchedule, String> {
        let s = s.trim();
        let hint = "use \"off\", \"hourly\" or \"daily HH:MM\" (e.g. \"daily 08:00\")";
        match s {
            "off" => return Ok(DigestSchedule::Off),
            "hourly" => return Ok(DigestSchedule::Hourly),
            _ => {}
        }
        let time = s
            .strip_prefix("daily")
            .map(str::trim)
            .ok_or_else(|| format!("unknown digest schedule {s:?}; {hint}"))?;
        let (h, m) = time
            .split_once(':')
            .ok_or_else(|| format!("digest time {time:?} is not HH:MM; {hint}"))?;
        match (h.parse::<u32>(), m.parse::<u32>()) {
            (Ok(hour), Ok(minute)) if hour < 24 && minute < 60 && m.len() == 2 => {
                Ok(DigestSchedule::Daily { hour, minute })
            }
            _ => Err(format!("digest time {time:?} is not a valid HH:MM; {hint}")),
        }
    }
}

/// How a channel delivers.
#[derive(Debug, Clone, PartialEq)]
pub enum ChannelKind {
    /// SMTP email.
    Email(EmailChannel),
    /// HTTP POST of JSON.
    Webhook(WebhookChannel),
}

/// Transport security of an SMTP connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SmtpTls {
    /// TLS from the first byte (smtps://, usually port 465).
    Implicit,
    /// Plain connection upgraded with STARTTLS, which is required (port 587).
    StartTls,
    /// No TLS at all: only for a local relay, and only when configured so.
    None,
}

/// Settings of an email channel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmailChannel {
    /// SMTP host.
    pub host: String,
    /// SMTP port.
    pub port: u16,
    /// Transport security.
    pub tls: SmtpTls,
    /// AUTH user name, if the server needs one.
    pub username: Option<String>,
    /// AUTH password.
    pub password: Option<SecretRef>,
    /// The From address.
    pub from: String,
    /// Recipients.
    pub to: Vec<String>,
}

/// Payload flavour of a webhook channel.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum WebhookFormat {
    /// presswatch's own versioned JSON schema.
    Json,
    /// Slack incoming webhook.
    Slack,
    /// Discord webhook.
    Discord,
    /// Microsoft Teams (Adaptive Card).
    Teams,
}

/// Settings of a webhook channel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebhookChannel {
    /// Where to POST.
    pub url: Url,
    /// Payload flavour.
    pub format: WebhookFormat,
    /// Signing key (Standard Webhooks), if set.
    pub secret: Option<SecretRef>,
}

/// The channels that can send, and the names of those left out for their
/// problems (already reported: a watch naming one is no further problem).
pub(super) fn channels(
    r: &mut Report<'_>,
    raw: Vec<Spanned<RawChannel>>,
    base: &Path,
) -> (Vec<Channel>, Vec<String>) {
    let mut out = Vec::new();
    let mut left_out = Vec::new();
    // Each name, with the line of the channel that has it first.
    let mut names = std::collections::HashMap::new();
    for (i, c) in raw.into_iter().enumerate() {
        let table = c.span();
        let c = c.into_inner();
        fn text(v: &Option<Spanned<String>>) -> Option<&str> {
            v.as_ref().map(|v| v.get_ref().as_str())
        }
        let label = channel_label(
            i,
            text(&c.name),
            text(&c.kind),
            c.to.as_ref()
                .and_then(|t| t.get_ref().first())
                .map(String::as_str),
            match text(&c.kind) {
                Some("email") => text(&c.smtp_url),
                _ => text(&c.url),
            },
        );
        let k = |f: &str| format!("{label}.{f}");
        // Where a problem of the channel as a whole is shown: its name, else its header.
        let name_span = c.name.as_ref().map_or(table.clone(), Spanned::span);
        let name = match &c.name {
            None => {
                r.missing(
                    table.clone(),
                    k("name"),
                    "missing name: give the channel a name watches can refer to, e.g. name = \"press\"",
                );
                String::new()
            }
            Some(n) => n.get_ref().trim().to_string(),
        };
        if name.is_empty() {
            if c.name.is_some() {
                r.at(Some(name_span.clone()), k("name"), "must not be empty");
            }
        } else if let Some(first) = names.get(&name) {
            r.at(
                Some(name_span.clone()),
                k("name"),
                format!("duplicate channel name {name:?}: the channel on line {first} has it already; give each channel a name of its own (watches' `channels` and `outbox` name it)"),
            );
        } else {
            names.insert(name.clone(), r.line_of(name_span.start));
        }
        // Every setting is checked, whatever else is wrong with the
        // channel, so that one pass of `validate` finds every problem; a
        // channel with no usable type or endpoint is then left out.
        let kind_written = c.kind.as_ref().map(|t| (t.get_ref().as_str(), t.span()));
        let webhook = matches!(kind_written, Some(("webhook", _)));
        let kind = match kind_written {
            None => {
                r.missing(
                    table,
                    k("type"),
                    "missing type: write type = \"email\" or type = \"webhook\"",
                );
                None
            }
            Some(("email", _)) => email_settings(r, &c, &k, &name_span, base),
            Some(("webhook", _)) => webhook_settings(r, &c, &k, &name_span, base),
            Some((other, span)) => {
                r.at(
                    Some(span),
                    k("type"),
                    format!("unknown channel type {other:?}; use \"email\" or \"webhook\""),
                );
                None
            }
        };
        let digest = match &c.digest {
            None => DigestSchedule::Off,
            Some(d) => match DigestSchedule::parse(d.get_ref()) {
                Ok(DigestSchedule::Off) => DigestSchedule::Off,
                Ok(_) if webhook => {
                    r.at(Some(d.span()), k("digest"), "digests are for email channels; a webhook receiver gets each alert as it happens");
                    DigestSchedule::Off
                }
                Ok(s) => s,
                Err(e) => {
                    r.at(Some(d.span()), k("digest"), e);
                    DigestSchedule::Off
                }
            },
        };
        let kinds = c
            .kinds
            .as_ref()
            .map(|list| alert_kinds(r, &k("kinds"), list));
        match kind {
            Some(kind) => out.push(Channel {
                name,
                kind,
                digest,
                kinds,
            }),
            None => left_out.push(name),
        }
    }
    (out, left_out)
}

/// An email channel's settings, each checked (`None` when `smtp_url` is
/// missing or wrong: the channel cannot send).
fn email_settings(
    r: &mut Report<'_>,
    c: &RawChannel,
    k: &dyn Fn(&str) -> String,
    name_span: &std::ops::Range<usize>,
    base: &Path,
) -> Option<ChannelKind> {
    let password = secret_ref(
        r,
        &k("password"),
        &c.password,
        &c.password_env,
        &c.password_file,
        base,
    );
    let tls_setting = c.tls.as_ref().map(|t| (t.get_ref().as_str(), t.span()));
    if let Some((_, span)) = tls_setting
        .clone()
        .filter(|t| !["implicit", "starttls", "none"].contains(&t.0))
    {
        r.at(
            Some(span),
            k("tls"),
            "must be \"implicit\", \"starttls\" or \"none\"",
        );
    }
    let from = c
        .from
        .as_ref()
        .map(|f| f.get_ref().clone())
        .unwrap_or_default();
    match &c.from {
        None => r.missing(
            name_span.clone(),
            k("from"),
            "an email channel needs a From address, e.g. \"presswatch <alerts@example.org>\"",
        ),
        Some(f) => {
            if let Err(why) = address(&from, Field::From) {
                r.at(Some(f.span()), k("from"), why);
            }
        }
    }
    let to =
        c.to.as_ref()
            .map(|t| t.get_ref().clone())
            .unwrap_or_default();
    let span = c.to.as_ref().map_or(name_span.clone(), Spanned::span);
    let needs_to = "an email channel needs a list of recipient addresses";
    if c.to.is_none() {
        r.missing(span, k("to"), needs_to);
    } else if to.is_empty() {
        r.at(Some(span), k("to"), needs_to);
    } else {
        for why in to.iter().filter_map(|a| address(a, Field::To).err()) {
            r.at(Some(span.clone()), k("to"), why);
        }
    }
    let Some(smtp) = &c.smtp_url else {
        r.missing(
            name_span.clone(),
            k("smtp_url"),
            "an email channel needs smtp_url, e.g. \"smtps://mail.example.org:465\"",
        );
        return None;
    };
    match email_channel(smtp.get_ref(), tls_setting.as_ref().map(|t| t.0)) {
        Ok((host, port, tls)) => {
            if let (SmtpTls::None, Some((_, span))) = (tls, &tls_setting) {
                if !loopback(&host) {
                    r.at(Some(span.clone()), k("tls"), in_clear(&host, port));
                }
            }
            Some(ChannelKind::Email(EmailChannel {
                host,
                port,
                tls,
                username: c.username.clone(),
                password,
                from,
                to,
            }))
        }
        Err(e) => {
            r.at(Some(smtp.span()), k("smtp_url"), e);
            None
        }
    }
}

/// Whether an SMTP host is this machine (`localhost`, 127.0.0.0/8, `::1`):
/// the only relay `tls = "none"` may talk to, nothing crossing a network.
fn loopback(host: &str) -> bool {
    let host = host.trim_start_matches('[').trim_end_matches(']');
    host.eq_ignore_ascii_case("localhost")
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// Why `tls = "none"` is refused for a relay at `host:port` that is not
/// this machine, and what to write instead.
fn in_clear(host: &str, port: u16) -> String {
    format!(
        "\"none\" would send the SMTP password and every alert in clear text over the network to {host}:{port}; \
         write tls = \"starttls\" (smtp://, port 587) or tls = \"implicit\" (smtps://, port 465), or leave tls out \
         for the default of smtp_url's scheme; \"none\" is only for a relay on this machine (smtp://127.0.0.1:25)"
    )
}

/// A webhook channel's settings, each checked (`None` when `url` is
/// missing or wrong: the channel cannot send).
fn webhook_settings(
    r: &mut Report<'_>,
    c: &RawChannel,
    k: &dyn Fn(&str) -> String,
    name_span: &std::ops::Range<usize>,
    base: &Path,
) -> Option<ChannelKind> {
    let secret = secret_ref(
        r,
        &k("secret"),
        &c.secret,
        &c.secret_env,
        &c.secret_file,
        base,
    );
    let format = match c.format.as_ref().map(|f| f.get_ref().as_str()) {
        None | Some("json") => WebhookFormat::Json,
        Some("slack") => WebhookFormat::Slack,
        Some("discord") => WebhookFormat::Discord,
        Some("teams") => WebhookFormat::Teams,
        Some(other) => {
            let span = c.format.as_ref().map(|f| f.span());
            r.at(
                span,
                k("format"),
                format!("unknown format {other:?}; use json, slack, discord or teams"),
            );
            WebhookFormat::Json
        }
    };
    let Some(url) = &c.url else {
        r.missing(name_span.clone(), k("url"), "a webhook channel needs url");
        return None;
    };
    match http_url(url.get_ref()) {
        Ok(url) => Some(ChannelKind::Webhook(WebhookChannel {
            url,
            format,
            secret,
        })),
        Err(e) => {
            r.at(Some(url.span()), k("url"), e);
            None
        }
    }
}

/// A channel's `kinds`: each a routable alert kind, at least one.
fn alert_kinds(r: &mut Report<'_>, key: &str, list: &Spanned<Vec<String>>) -> Vec<ChangeKind> {
    let names: Vec<&str> = ChangeKind::ROUTABLE.iter().map(|k| k.as_str()).collect();
    if list.get_ref().is_empty() {
        r.at(
            Some(list.span()),
            key.to_string(),
            "an empty list routes no alert to the channel; remove `kinds` to send it every kind",
        );
    }
    list.get_ref()
        .iter()
        .filter_map(|name| {
            let kind = ChangeKind::parse(name.trim());
            if kind.is_none() {
                r.at(
                    Some(list.span()),
                    key.to_string(),
                    format!("unknown alert kind {name:?}; use {}", names.join(", ")),
                );
            }
            kind
        })
        .collect()
}

/// An email address as sending reads it: a mailbox of a From or To
/// header (`press@example.org`, `Press Office <press@example.org>`), parsed
/// by lettre as email delivery parses it, so that an address `validate`
/// passes is one every alert can be sent to.
pub fn mailbox(addr: &str) -> Result<Mailbox, String> {
    addr.parse::<Mailbox>().map_err(|e| e.to_string())
}

/// Which address of an email channel a problem is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Field {
    From,
    To,
}

/// `addr` as [`mailbox`] parses it, or what is wrong with it and how to
/// write it, for the `from` or one entry of the `to` list.
fn address(addr: &str, field: Field) -> Result<Mailbox, String> {
    let err = match mailbox(addr) {
        Ok(m) => return Ok(m),
        Err(e) => e,
    };
    let t = addr.trim();
    let example = match field {
        Field::From => "\"presswatch <alerts@example.org>\"",
        Field::To => "\"press@example.org\"",
    };
    let named = match field {
        Field::From => "from = \"presswatch <alerts@example.org>\"",
        Field::To => "to = [\"Press Office <press@example.org>\"]",
    };
    let parts: Vec<&str> = t
        .split([',', ';'])
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .collect();
    let why = if t.is_empty() {
        format!("an empty string is not an email address: write e.g. {example}")
    } else if !t.contains('@') {
        format!("{addr:?} is not an email address (it has no '@'): write e.g. {example}")
    } else if parts.len() > 1 && t.matches('@').count() > 1 {
        match field {
            Field::To => {
                let each: Vec<String> = if parts.iter().all(|p| mailbox(p).is_ok()) {
                    parts.iter().map(|p| format!("{p:?}")).collect()
                } else {
                    vec![
                        "\"press@example.org\"".to_string(),
                        "\"desk@example.org\"".to_string(),
                    ]
                };
                format!(
                    "{addr:?} holds {} addresses in one string, which cannot be sent to: write each address as its own string: to = [{}]",
                    parts.len(),
                    each.join(", ")
                )
            }
            Field::From => format!(
                "{addr:?} holds {} addresses: From takes one, e.g. {example}",
                parts.len()
            ),
        }
    } else if t.contains('<') != t.contains('>') {
        format!(
            "{addr:?} has a '<' or '>' without its pair: write a name, then the address in angle brackets: {named}"
        )
    } else if t.trim_end_matches('>').ends_with('@') {
        format!("{addr:?} has no domain after the '@': write e.g. {example}")
    } else if t.starts_with('@') {
        format!("{addr:?} has nothing before the '@': write e.g. {example}")
    } else if !t.contains('<') && t.contains(char::is_whitespace) {
        format!(
            "{addr:?} is not an email address (an address holds no space; a name goes before the address, which then stands in angle brackets: {named})"
        )
    } else {
        format!(
            "{addr:?} is not an email address that can be sent to ({err}): write e.g. {example}"
        )
    };
    Err(why)
}

/// Parses `smtps://host[:port]`, `smtp://host[:port]` into host, port and TLS mode.
fn email_channel(smtp_url: &str, tls: Option<&str>) -> Result<(String, u16, SmtpTls), String> {
    let url = Url::parse(smtp_url).map_err(|e| {
        format!("not a valid URL ({e}); write e.g. \"smtps://mail.example.org:465\"")
    })?;
    let host = url.host_str().ok_or("smtp_url has no host")?.to_string();
    let (default_tls, default_port) = match url.scheme() {
        "smtps" => (SmtpTls::Implicit, 465),
        "smtp" => (SmtpTls::StartTls, 587),
        s => return Err(format!("scheme {s:?} is not smtp:// or smtps://")),
    };
    let tls = match tls {
        Some("implicit") => SmtpTls::Implicit,
        Some("starttls") => SmtpTls::StartTls,
        Some("none") => SmtpTls::None,
        _ => default_tls,
    };
    Ok((host, url.port().unwrap_or(default_port), tls))
}

/// How messages name a channel, as the user knows it: `channel "press"` by
/// its name; unnamed, by its type and where it sends (`email channel to
/// "press@example.org"`, `webhook channel to "hooks.example.org"`: the
/// first recipient, or the host of its URL, not the URL, which may hold a
/// token); else by its place, `channel[2]`.
pub(super) fn channel_label(
    index: usize,
    name: Option<&str>,
    kind: Option<&str>,
    to: Option<&str>,
    url: Option<&str>,
) -> String {
    if let Some(name) = name.map(str::trim).filter(|n| !n.is_empty()) {
        return format!("channel {}", quote(name));
    }
    let host = |u: &str| {
        Url::parse(u.trim())
            .ok()
            .and_then(|u| u.host_str().map(str::to_string))
    };
    let to = match kind {
        Some("email") => to
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .map(str::to_string)
            .or_else(|| url.and_then(host)),
        Some("webhook") => url.and_then(host),
        _ => None,
    };
    match (kind, to) {
        (Some(kind), Some(to)) => format!("{kind} channel to {to:?}"),
        _ => format!("channel[{index}]"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::tests::errors;
    use crate::config::Config;

    #[test]
    fn a_recipient_that_is_no_address_is_named() {
        let channel = |to: &str| {
            format!("[[channel]]\nname = \"m\"\ntype = \"email\"\nsmtp_url = \"smtp://mail.example.org:587\"\nfrom = \"a@example.org\"\nto = {to}\n")
        };
        assert_eq!(
            errors(&channel("[\"press@example.org\", \"director\"]")),
            vec!["c.toml:6: channel \"m\".to: \"director\" is not an email address (it has no '@'): write e.g. \"press@example.org\""]
        );
        assert_eq!(
            errors(&channel("[]")),
            vec![
                "c.toml:6: channel \"m\".to: an email channel needs a list of recipient addresses"
            ]
        );
        assert_eq!(
            errors(&channel("\"press@example.org\"")),
            vec!["c.toml:6: channel \"m\".to: this is a list: write it in brackets, to = [\"press@example.org\"]"]
        );
        assert_eq!(
            errors("[[watch]]\nname = \"a\"\nurl = \"https://example.org/a\"\nchannels = \"press\"\n"),
            vec!["c.toml:4: watch \"a\".channels: this is a list: write it in brackets, channels = [\"press\"]"]
        );
    }

    #[test]
    fn every_address_sending_cannot_use_is_named_with_how_to_write_it() {
        let channel = |from: &str, to: &str| {
            format!("[[channel]]\nname = \"m\"\ntype = \"email\"\nsmtp_url = \"smtp://mail.example.org:587\"\nfrom = {from:?}\nto = {to}\n")
        };
        // What sending takes passes.
        for ok in ["press@example.org", "Press Office <press@example.org>"] {
            assert!(mailbox(ok).is_ok(), "{ok}");
            assert_eq!(
                errors(&channel(ok, &format!("[{ok:?}, \"desk@example.org\"]"))),
                Vec::<String>::new()
            );
        }
        // Every entry that sending would refuse is named, each once.
        let e = errors(&channel(
            "presswatch pw@example.org",
            r#"["press@example.org, desk@example.org", "a@x.org; b@x.org", "Press Office <press@example.org", "press @example.org", "desk@", "ok@example.org"]"#,
        ));
        assert_eq!(
            e,
            vec![
                "c.toml:5: channel \"m\".from: \"presswatch pw@example.org\" is not an email address (an address holds no space; a name goes before the address, which then stands in angle brackets: from = \"presswatch <alerts@example.org>\")",
                "c.toml:6: channel \"m\".to: \"press@example.org, desk@example.org\" holds 2 addresses in one string, which cannot be sent to: write each address as its own string: to = [\"press@example.org\", \"desk@example.org\"]",
                "c.toml:6: channel \"m\".to: \"a@x.org; b@x.org\" holds 2 addresses in one string, which cannot be sent to: write each address as its own string: to = [\"a@x.org\", \"b@x.org\"]",
                "c.toml:6: channel \"m\".to: \"Press Office <press@example.org\" has a '<' or '>' without its pair: write a name, then the address in angle brackets: to = [\"Press Office <press@example.org>\"]",
                "c.toml:6: channel \"m\".to: \"press @example.org\" is not an email address (an address holds no space; a name goes before the address, which then stands in angle brackets: to = [\"Press Office <press@example.org>\"])",
                "c.toml:6: channel \"m\".to: \"desk@\" has no domain after the '@': write e.g. \"press@example.org\"",
            ],
            "{e:#?}"
        );
        // A From that is no address at all is said to be none, not missing.
        assert_eq!(
            errors(&channel("not an address", r#"["press@example.org"]"#)),
            vec!["c.toml:5: channel \"m\".from: \"not an address\" is not an email address (it has no '@'): write e.g. \"presswatch <alerts@example.org>\""]
        );
        assert_eq!(
            errors(&channel("a@x.org, b@x.org", r#"["press@example.org"]"#)),
            vec!["c.toml:5: channel \"m\".from: \"a@x.org, b@x.org\" holds 2 addresses: From takes one, e.g. \"presswatch <alerts@example.org>\""]
        );
    }

    #[test]
    fn a_channel_whose_endpoint_is_wrong_still_has_its_other_settings_checked() {
        // One pass of `validate` finds every problem: a wrong or missing
        // smtp_url, url or type hides none of the channel's other settings.
        let e = errors(
            "[[channel]]\nname = \"m\"\ntype = \"email\"\nsmtp_url = \"smtp://mail.example.org:99999\"\nfrom = \"not an address\"\nto = [\"desk@\"]\ndigest = \"daily 25:00\"\nkinds = [\"edit\"]\ntls = \"yes\"\n\n[[channel]]\nname = \"h\"\ntype = \"webhook\"\nformat = \"mattermost\"\n\n[[channel]]\nname = \"x\"\ndigest = \"weekly\"\n",
        );
        // Each line's place and key, without its message.
        let keys: Vec<String> = e
            .iter()
            .map(|l| l.splitn(3, ": ").take(2).collect::<Vec<_>>().join(": "))
            .collect();
        assert_eq!(
            keys,
            vec![
                "c.toml:4: channel \"m\".smtp_url",
                "c.toml:5: channel \"m\".from",
                "c.toml:6: channel \"m\".to",
                "c.toml:7: channel \"m\".digest",
                "c.toml:8: channel \"m\".kinds",
                "c.toml:9: channel \"m\".tls",
                "c.toml:12: channel \"h\".url",
                "c.toml:14: channel \"h\".format",
                "c.toml:16: channel \"x\".type",
                "c.toml:18: channel \"x\".digest",
            ],
            "{e:#?}"
        );
        // A watch that names such a channel is no further problem: the
        // channel is defined, its problem said where it is.
        let e = errors(
            "[[channel]]\nname = \"m\"\ntype = \"email\"\nsmtp_url = \"smtp://mail.example.org:99999\"\nfrom = \"a@example.org\"\nto = [\"b@example.org\"]\n\n[[watch]]\nname = \"a\"\nurl = \"https://example.org/a\"\nchannels = [\"m\"]\n",
        );
        assert_eq!(e.len(), 1, "{e:#?}");
        assert!(
            e[0].starts_with("c.toml:4: channel \"m\".smtp_url: "),
            "{e:#?}"
        );
    }

    #[test]
    fn a_channel_takes_the_kinds_it_lists_and_unknown_kinds_are_errors() {
        let src = r#"
[[channel]]
name = "ops"
type = "webhook"
url = "https://hooks.example.org/ops"
kinds = ["error", "recovered"]

[[channel]]
name = "press"
type = "webhook"
url = "https://hooks.example.org/press"
"#;
        let c = Config::parse(Path::new("c.toml"), src).unwrap();
        assert!(c.channels[0].takes(ChangeKind::Error));
        assert!(!c.channels[0].takes(ChangeKind::Edited));
        assert!(!c.channels[0].takes(ChangeKind::PossiblyEdited));
        assert!(c.channels[1].takes(ChangeKind::Edited));
        // The safety net's possible edits go where edits go, and can be
        // routed on their own (they were dropped by every `kinds` list).
        let press = |kinds: &str| {
            let src = format!(
                "[[channel]]\nname = \"p\"\ntype = \"webhook\"\nurl = \"https://example.org/p\"\nkinds = {kinds}\n"
            );
            Config::parse(Path::new("c.toml"), &src).unwrap().channels[0].clone()
        };
        assert!(press(r#"["edited", "taken_down"]"#).takes(ChangeKind::PossiblyEdited));
        assert!(press(r#"["possibly_edited"]"#).takes(ChangeKind::PossiblyEdited));
        assert!(!press(r#"["possibly_edited"]"#).takes(ChangeKind::Edited));
        // Retitled items go where changed headlines go, and on their own.
        assert!(press(r#"["headline_changed"]"#).takes(ChangeKind::Retitled));
        assert!(press(r#"["retitled"]"#).takes(ChangeKind::Retitled));
        assert!(!press(r#"["retitled"]"#).takes(ChangeKind::HeadlineChanged));
        assert!(!press(r#"["new_items"]"#).takes(ChangeKind::Retitled));
        let e = errors(
            "[[channel]]\nname = \"h\"\ntype = \"webhook\"\nurl = \"https://example.org/h\"\nkinds = [\"error\", \"eror\"]\n\n[[channel]]\nname = \"g\"\ntype = \"webhook\"\nurl = \"https://example.org/g\"\nkinds = []\n",
        );
        assert_eq!(e.len(), 2, "{e:#?}");
        assert!(
            e[0].starts_with(
                "c.toml:5: channel \"h\".kinds: unknown alert kind \"eror\"; use edited,"
            ),
            "{e:#?}"
        );
        assert!(
            e[1].starts_with("c.toml:11: channel \"g\".kinds: an empty list routes no alert"),
            "{e:#?}"
        );
    }

    #[test]
    fn a_channel_is_named_in_messages_as_the_user_knows_it() {
        // By its name; unnamed, by its type and where it sends (a
        // webhook's host, not its URL, which may hold a token); else by
        // its place.
        let e = errors(
            "[[channel]]\nname = \"press\"\ntype = \"email\"\nsmtp_url = \"smtps://mail.example.org:465\"\nfrom = \"a@example.org\"\nto = [\"desk\"]\n\n[[channel]]\ntype = \"webhook\"\nurl = \"https://hooks.example.org/services/T000/SECRET\"\nformat = \"slak\"\n\n[[channel]]\ntype = \"email\"\nsmtp_url = \"smtps://mail.example.org:465\"\nfrom = \"a@example.org\"\nto = [\"editor@example.org\"]\ndigets = \"daily 08:00\"\n\n[[channel]]\nnam = \"x\"\n",
        );
        assert_eq!(
            e,
            vec![
                "c.toml:6: channel \"press\".to: \"desk\" is not an email address (it has no '@'): write e.g. \"press@example.org\"",
                "c.toml:8: webhook channel to \"hooks.example.org\".name: missing name: give the channel a name watches can refer to, e.g. name = \"press\"",
                "c.toml:11: webhook channel to \"hooks.example.org\".format: unknown format \"slak\"; use json, slack, discord or teams",
                "c.toml:13: email channel to \"editor@example.org\".name: missing name: give the channel a name watches can refer to, e.g. name = \"press\"",
                "c.toml:18: email channel to \"editor@example.org\".digets: unknown key `digets`: did you mean `digest`?",
                "c.toml:20: channel[3].name: missing name: give the channel a name watches can refer to, e.g. name = \"press\"",
                "c.toml:20: channel[3].type: missing type: write type = \"email\" or type = \"webhook\"",
                "c.toml:21: channel[3].nam: unknown key `nam`: did you mean `name`?",
            ],
            "{e:#?}"
        );
        assert!(!e.iter().any(|l| l.contains("SECRET")));
    }

    /// `tls = "none"` sends the password and the alerts in clear text: to
    /// a relay on this machine that crosses no network, to any other it is
    /// refused, saying what to write.
    #[test]
    fn no_tls_is_refused_for_a_relay_that_is_not_this_machine() {
        let channel = |url: &str| {
            errors(&format!(
                "[[channel]]\nname = \"desk\"\ntype = \"email\"\nsmtp_url = \"{url}\"\ntls = \"none\"\nfrom = \"pw@example.org\"\nto = [\"desk@example.org\"]\n"
            ))
        };
        for local in [
            "smtp://127.0.0.1:25",
            "smtp://localhost:2525",
            "smtp://LOCALHOST",
            "smtp://127.0.0.2:25",
            "smtp://[::1]:25",
        ] {
            assert_eq!(channel(local), Vec::<String>::new(), "{local}");
        }
        assert_eq!(
            channel("smtp://mail.example.org:25"),
            ["c.toml:5: channel \"desk\".tls: \"none\" would send the SMTP password and every alert in clear text over the network to mail.example.org:25; write tls = \"starttls\" (smtp://, port 587) or tls = \"implicit\" (smtps://, port 465), or leave tls out for the default of smtp_url's scheme; \"none\" is only for a relay on this machine (smtp://127.0.0.1:25)"]
        );
        for remote in [
            "smtp://10.0.0.5:25",
            "smtps://mail.example.org",
            "smtp://[2001:db8::1]:25",
        ] {
            let e = channel(remote);
            assert!(
                e.len() == 1 && e[0].contains(".tls: \"none\" would send"),
                "{remote}: {e:?}"
            );
        }
    }

    #[test]
    fn digest_schedules_and_time_zone() {
        let src = r#"
[daemon]
timezone = "Europe/Berlin"

[[channel]]
name = "mail"
type = "email"
smtp_url = "smtp://127.0.0.1:2525"
tls = "none"
from = "pw@example.org"
to = ["staff@example.org"]
digest = "daily 08:00"
"#;
        let c = Config::parse(Path::new("c.toml"), src).unwrap();
        assert_eq!(c.daemon.timezone, chrono_tz::Europe::Berlin);
        assert_eq!(
            c.channels[0].digest,
            DigestSchedule::Daily { hour: 8, minute: 0 }
        );
        assert_eq!(DigestSchedule::parse("hourly"), Ok(DigestSchedule::Hourly));
        assert_eq!(DigestSchedule::parse("off"), Ok(DigestSchedule::Off));
        for bad in ["daily 25:00", "daily 8", "daily 08:7", "weekly", ""] {
            assert!(DigestSchedule::parse(bad).is_err(), "{bad}");
        }
        let e = errors(
            "[daemon]\ntimezone = \"Mars/Olympus\"\n[[channel]]\nname = \"h\"\ntype = \"webhook\"\nurl = \"https://example.org/h\"\ndigest = \"hourly\"\n",
        );
        assert!(
            e[0].starts_with("c.toml:2: daemon.timezone: unknown time zone"),
            "{e:?}"
        );
        assert!(
            e[1].starts_with("c.toml:7: channel \"h\".digest: digests are for email channels"),
            "{e:?}"
        );
    }
}
