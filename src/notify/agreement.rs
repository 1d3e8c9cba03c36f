//! The channels of a fleet's replicas: what each replica announces of its
//! channels (a hash of each one's settings, and what it is set to without
//! secrets), the channels the replicas set differently, and which channels'
//! alerts this process does not send now (held in the outbox until the
//! replicas agree). Delivery asks it before each round; `status` shows the
//! channels held and what each replica sets them to.

use crate::config::Config;
use crate::store::{ChannelPeer, State};

/// Each channel's settings as replicas compare them: `name=hash`, the
/// hash (SHA-256, shortened) of the channel as this config defines it
/// (URL or server and recipients, format, secrets' sources, digest,
/// kinds). A reload that edits a channel changes its hash.
pub fn channel_settings(config: &Config) -> Vec<String> {
    config
        .channels
        .iter()
        .map(|c| {
            let hash = crate::document::sha256_hex(format!("{c:?}").as_bytes());
            format!("{}={}", c.name, &hash[..16])
        })
        .collect()
}

/// What a channel is set to, as `status` shows it beside the replicas that
/// hold it when they define the channel differently: one `key: value` line
/// per setting, without secrets. A secret shows where it is read from,
/// never its value; a webhook URL shows its scheme, host and port, and
/// in place of its path and query (where Slack, Discord and Teams put the
/// token) a fingerprint keyed by this installation's random id (see
/// [`crate::notify::Installation`]): two URLs that differ read differently,
/// and the fingerprint tells nothing of the token to whoever reads it
/// without the state database.
pub fn channel_view(channel: &crate::config::Channel, key: &str) -> String {
    use crate::config::{ChannelKind, SecretRef, SecretSource};
    let fingerprint = |s: &str| {
        let h = crate::document::sha256_hex(format!("{key}\0{s}").as_bytes());
        format!("#{}", &h[..8])
    };
    let secret = |s: &Option<SecretRef>| match s.as_ref().map(|s| &s.source) {
        None => "none".to_string(),
        Some(SecretSource::Env(var)) => format!("from environment variable {var}"),
        Some(SecretSource::File(path)) => format!("from file {}", path.display()),
        Some(SecretSource::Credential(name)) => {
            format!("from systemd credential {}", name.display())
        }
    };
    let mut lines = Vec::new();
    match &channel.kind {
        ChannelKind::Webhook(w) => {
            let u = &w.url;
            let hidden = !(u.path() == "/" && u.query().is_none() && u.username().is_empty());
            lines.push(format!(
                "url: {}://{}{}",
                u.scheme(),
                crate::net_error::host_port(u),
                if hidden {
                    format!("/… (path and query not shown: {})", fingerprint(u.as_str()))
                } else {
                    "/".into()
                }
            ));
            lines.push(format!("format: {:?}", w.format).to_lowercase());
            lines.push(format!("signing secret: {}", secret(&w.secret)));
        }
        ChannelKind::Email(e) => {
            lines.push(format!("server: {}:{} ({:?})", e.host, e.port, e.tls));
            lines.push(format!(
                "username: {}",
                e.username.as_deref().unwrap_or("none")
            ));
            lines.push(format!("password: {}", secret(&e.password)));
            lines.push(format!("from: {}", e.from));
            lines.push(format!("to: {}", e.to.join(", ")));
        }
    }
    lines.push(format!(
        "digest: {}",
        crate::notify::digest::describe(channel.digest)
    ));
    lines.push(format!(
        "kinds: {}",
        match &channel.kinds {
            None => "every kind".to_string(),
            Some(k) => k.iter().map(|k| k.as_str()).collect::<Vec<_>>().join(", "),
        }
    ));
    lines.join("\n")
}

/// What this replica announces of its channels: each one's settings
/// ([`channel_settings`]) with what it is set to ([`channel_view`]).
pub fn announced(config: &Config, key: &str) -> Vec<(String, String)> {
    channel_settings(config)
        .into_iter()
        .zip(config.channels.iter().map(|c| channel_view(c, key)))
        .collect()
}

/// `name=hash` as (name, hash): a name with '=' in it splits at the hash.
fn split_setting(s: &str) -> (String, String) {
    let (name, hash) = s.rsplit_once('=').unwrap_or((s, ""));
    (name.to_string(), hash.to_string())
}

/// Why this process does not send a channel's alerts now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unsent {
    /// Live replicas (this one among them, or another and this process)
    /// define the channel differently: no one sends it until they agree.
    Contested,
    /// This process's config lacks the channel, which another live
    /// replica's has: that replica sends it.
    LackedHere,
    /// A replica that left without a clean stop (killed, crashed, cut off
    /// from the database) defined the channel otherwise than this process:
    /// its settings hold the channel until ops resolve it, as a live
    /// replica's would (see [`channel_differences`]).
    Left,
}

/// A channel this process does not send now, and the other replica that
/// makes it so.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChannelDifference {
    /// The channel.
    pub channel: String,
    /// The replica that sets it otherwise (or has it when this process
    /// lacks it).
    pub replica: String,
    /// Why this process does not send it.
    pub why: Unsent,
}

/// The channels whose settings differ between `mine` and live `peers`.
/// A channel that two live replicas define differently is contested: no
/// replica sends its alerts, which wait in the outbox until every live
/// replica that defines it defines it alike. presswatch cannot tell which
/// settings are right: "the config loaded last wins" let a replica
/// restarted with a stale file (a host that missed a deploy) win over the
/// fix ops had deployed and reloaded on the others, and send the alerts,
/// the failed ones too, to the old settings; the settings of most replicas
/// lose the fix deployed to the first host of a rolling deploy; and a
/// file's modification time is whatever the deploy tool made it. Held, an
/// alert is neither sent to the wrong place (lost) nor sent twice, and goes
/// out with the agreed settings as soon as the replicas agree. A replica
/// whose config lacks a channel leaves it to those that have it (there is
/// no other setting to send it with). A channel only this process has is
/// its own.
///
/// A replica that left without a clean stop (killed, crashed, cut off from
/// the database: `peer.live` false) still holds a channel it defined
/// otherwise than this process, until ops resolve it (deploy its settings
/// here, or `presswatch fleet forget` it): when the replica with the fix
/// was killed, counting only live replicas sent the held alerts to the
/// stale settings left, the very thing holding was for. A replica that
/// stopped cleanly deregistered and is no peer any more. One that left
/// leaves nothing to this process: a channel this config lacks is not
/// sent here whoever had it.
pub fn channel_differences(mine: &[String], peers: &[ChannelPeer]) -> Vec<ChannelDifference> {
    let mine: std::collections::HashMap<String, String> =
        mine.iter().map(|s| split_setting(s)).collect();
    let mut out = Vec::new();
    for peer in peers {
        for (channel, hash) in peer.channels.iter().map(|s| split_setting(s)) {
            let why = match mine.get(&channel) {
                Some(h) if *h == hash => continue,
                None if !peer.live => continue,
                None => Unsent::LackedHere,
                Some(_) if !peer.live => Unsent::Left,
                Some(_) => Unsent::Contested,
            };
            out.push(ChannelDifference {
                channel,
                replica: peer.replica.clone(),
                why,
            });
        }
    }
    out
}

/// The channels whose alerts this process does not send now (they wait
/// in the outbox, nothing is lost): those that live replicas of the fleet,
/// or a replica that left without a clean stop, define differently (see
/// `channel_differences` for why no one sends them then), and those this
/// config lacks and another live replica's has. The outbox is shared, and an alert goes out with the settings of
/// the process that sends it, whichever enqueued it. A process that is no
/// replica (`presswatch check`) leaves to the replicas a channel they
/// define otherwise. Empty without a fleet.
pub fn channels_not_sent_here(config: &Config, state: &State) -> Result<Vec<String>, String> {
    let Some(pg) = state.shared() else {
        return Ok(Vec::new());
    };
    let peers = pg.channel_peers().map_err(|e| e.to_string())?;
    if peers.is_empty() {
        return Ok(Vec::new());
    }
    let mut unsent: Vec<String> = channel_differences(&channel_settings(config), &peers)
        .into_iter()
        .map(|d| d.channel)
        .collect();
    unsent.sort();
    unsent.dedup();
    Ok(unsent)
}

/// One version of a contested channel: what it is set to (without
/// secrets; empty when announced by a presswatch older than migration 22)
/// and the live replicas that define it so.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChannelVersion {
    /// The settings' hash, to tell versions apart (not shown: it is a hash
    /// of the settings, secrets' sources and webhook URLs included).
    hash: String,
    /// `key: value` lines ([`channel_view`]).
    pub view: String,
    /// Live replica ids.
    pub replicas: Vec<String>,
    /// The replicas that left without a clean stop defining it so (killed,
    /// crashed, cut off from the database), each with how long it has been
    /// silent (ms): their settings hold the channel until ops deploy them to
    /// the live replicas or forget them (`presswatch fleet forget`).
    pub left: Vec<(String, i64)>,
}

/// A channel the live replicas define differently, or a live replica
/// otherwise than one that left without a clean stop: no replica sends
/// its alerts until they agree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContestedChannel {
    /// Its name.
    pub channel: String,
    /// Its versions, in the order of their first replica's id.
    pub versions: Vec<ChannelVersion>,
}

impl ContestedChannel {
    /// The settings in which the versions differ, as `key` of `key: value`
    /// lines: what `status` shows of each version.
    pub fn differing_keys(&self) -> Vec<String> {
        let mut keys: Vec<String> = Vec::new();
        for v in &self.versions {
            for line in v.view.lines() {
                let key = line.split_once(": ").map_or(line, |(k, _)| k);
                if !keys.iter().any(|k| k == key) {
                    keys.push(key.to_string());
                }
            }
        }
        let value = |v: &ChannelVersion, key: &str| {
            v.view
                .lines()
                .find(|l| l.split_once(": ").map_or(*l, |(k, _)| k) == key)
                .map(str::to_string)
        };
        keys.retain(|k| {
            let first = value(&self.versions[0], k);
            self.versions.iter().any(|v| value(v, k) != first)
        });
        keys
    }

    /// Whether `hash` (of `name=hash`) is one of its versions', and which.
    pub fn version_of(&self, setting: &str) -> Option<usize> {
        let (name, hash) = split_setting(setting);
        if name != self.channel {
            return None;
        }
        self.versions.iter().position(|v| v.hash == hash)
    }
}

/// The channels the replicas of `fleet` define differently (see
/// `channel_differences`: the live ones among them, or a live one and
/// one that left without a clean stop), each with its versions and the
/// replicas that hold them (replicas of a presswatch older than migration
/// 21 announce no channels and are left out).
pub fn contested_channels(fleet: &crate::store::FleetView) -> Vec<ContestedChannel> {
    let mut out: Vec<ContestedChannel> = Vec::new();
    for r in fleet.live_replicas() {
        for (setting, view) in r.channels.iter().flatten() {
            let (name, hash) = split_setting(setting);
            let i = match out.iter().position(|c| c.channel == name) {
                Some(i) => i,
                None => {
                    out.push(ContestedChannel {
                        channel: name,
                        versions: Vec::new(),
                    });
                    out.len() - 1
                }
            };
            let c = &mut out[i];
            match c.versions.iter_mut().find(|v| v.hash == hash) {
                Some(v) => v.replicas.push(r.id.clone()),
                None => c.versions.push(ChannelVersion {
                    hash,
                    view: view.clone(),
                    replicas: vec![r.id.clone()],
                    left: Vec::new(),
                }),
            }
        }
    }
    // A replica that left without a clean stop counts on a channel a live
    // replica defines otherwise; its settings alike count for nothing.
    for r in fleet.replicas.iter().filter(|r| !fleet.live(r)) {
        for (setting, view) in r.channels.iter().flatten() {
            let (name, hash) = split_setting(setting);
            let Some(c) = out.iter_mut().find(|c| c.channel == name) else {
                continue;
            };
            let left = (r.id.clone(), r.silent_ms);
            match c.versions.iter_mut().find(|v| v.hash == hash) {
                Some(v) => v.left.push(left),
                None => c.versions.push(ChannelVersion {
                    hash,
                    view: view.clone(),
                    replicas: Vec::new(),
                    left: vec![left],
                }),
            }
        }
    }
    out.retain(|c| c.versions.len() > 1);
    out.sort_by(|a, b| a.channel.cmp(&b.channel));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn peer(id: &str, channels: &[&str]) -> ChannelPeer {
        ChannelPeer {
            replica: id.into(),
            channels: channels.iter().map(|c| c.to_string()).collect(),
            live: true,
        }
    }

    /// Which channels a replica does not send: one that another live
    /// replica sets differently is held (whichever loaded its config
    /// last: a replica restarted with a stale file does not win, nor does
    /// the other); one whose config lacks the channel leaves it to those
    /// that have it; a channel set alike, or only this replica has, is no
    /// difference.
    #[test]
    fn a_channel_set_differently_on_two_replicas_is_sent_by_neither() {
        let mine: Vec<String> = ["hook=aaa", "mail=bbb", "only-here=ccc"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let peers = [
            peer("b", &["hook=xxx", "mail=bbb", "only-there=ddd"]),
            peer("c", &["hook=yyy", "mail=zzz"]),
        ];
        let got: Vec<(String, String, Unsent)> = channel_differences(&mine, &peers)
            .into_iter()
            .map(|d| (d.channel, d.replica, d.why))
            .collect();
        let s = |c: &str, r: &str, w| (c.to_string(), r.to_string(), w);
        assert_eq!(
            got,
            [
                s("hook", "b", Unsent::Contested),
                s("only-there", "b", Unsent::LackedHere),
                s("hook", "c", Unsent::Contested),
                s("mail", "c", Unsent::Contested),
            ]
        );
        // A name with '=' in it splits at the hash.
        let mine = vec!["a=b=111".to_string()];
        assert!(channel_differences(&mine, &[peer("p", &["a=b=111"])]).is_empty());
    }

    /// A replica that left without a clean stop (killed: not live, its row
    /// kept) still holds a channel it set otherwise than this one, until
    /// ops deploy its settings here or forget it: when it had the fix,
    /// sending with the settings left sent to the stale ones. Its settings
    /// alike hold nothing, and a channel this config lacks is not left to
    /// it (it sends nothing).
    #[test]
    fn a_replica_that_left_without_a_clean_stop_still_holds_a_channel_it_set_otherwise() {
        let mine: Vec<String> = ["hook=stale", "mail=bbb"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let left = ChannelPeer {
            live: false,
            ..peer("a", &["hook=fixed", "mail=bbb", "only-there=ddd"])
        };
        let got: Vec<(String, String, Unsent)> = channel_differences(&mine, &[left])
            .into_iter()
            .map(|d| (d.channel, d.replica, d.why))
            .collect();
        assert_eq!(got, [("hook".into(), "a".into(), Unsent::Left)]);
        // Once this replica runs its settings (ops deployed the fix here),
        // nothing is held.
        let fixed = vec!["hook=fixed".to_string(), "mail=bbb".to_string()];
        let left = ChannelPeer {
            live: false,
            ..peer("a", &["hook=fixed", "mail=bbb"])
        };
        assert!(channel_differences(&fixed, &[left]).is_empty());
    }

    fn channel(toml_channel: &str) -> crate::config::Channel {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.toml");
        std::fs::write(
            &path,
            format!("{toml_channel}\n[[watch]]\nname = \"w\"\nurl = \"https://example.org/\"\n"),
        )
        .unwrap();
        let config = Config::load(&path).unwrap();
        config.channels[0].clone()
    }

    /// What `status` shows of a channel's settings never holds a secret:
    /// a webhook URL's path and query (where a token is) read as a
    /// fingerprint keyed by the installation, which differs when they do;
    /// a password or signing key reads as where it comes from.
    #[test]
    fn a_channel_view_shows_its_settings_without_secrets() {
        let hook = |url: &str| {
            channel(&format!(
                "[[channel]]\nname = \"chat\"\ntype = \"webhook\"\nformat = \"slack\"\nurl = \"{url}\"\nsecret_env = \"HOOK_KEY\"\n"
            ))
        };
        let token = "https://hooks.slack.com/services/T0001/B0001/s3cr3tT0ken";
        let view = channel_view(&hook(token), "installation-1");
        assert!(
            !view.contains("s3cr3t") && !view.contains("T0001"),
            "{view}"
        );
        assert!(
            view.starts_with("url: https://hooks.slack.com:443/… (path and query not shown: #"),
            "{view}"
        );
        assert!(view.contains("\nformat: slack\n"), "{view}");
        assert!(
            view.contains("signing secret: from environment variable HOOK_KEY"),
            "{view}"
        );
        let other = channel_view(
            &hook("https://hooks.slack.com/services/T0001/B0001/n3wT0ken"),
            "installation-1",
        );
        assert_ne!(view.lines().next(), other.lines().next());
        // Keyed: the fingerprint of one URL differs between installations.
        assert_ne!(view, channel_view(&hook(token), "installation-2"));
        let mail = channel(
            "[[channel]]\nname = \"desk\"\ntype = \"email\"\nsmtp_url = \"smtp://mail.example.org:587\"\n\
             username = \"pw\"\npassword_env = \"SMTP_PASSWORD\"\nfrom = \"pw@example.org\"\nto = [\"desk@example.org\"]\n",
        );
        let view = channel_view(&mail, "k");
        assert!(view.contains("server: mail.example.org:587"), "{view}");
        assert!(
            view.contains("password: from environment variable SMTP_PASSWORD"),
            "{view}"
        );
        assert!(view.contains("to: desk@example.org"), "{view}");
    }
}
