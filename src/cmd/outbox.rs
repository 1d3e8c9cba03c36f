//! `presswatch outbox`: list, retry or drop undelivered alerts.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Subcommand;
use presswatch::config::Config;
use presswatch::notify::digest;
use presswatch::notify::outbox::{self, DigestPlan, Waiting};
use presswatch::store::{OutboxEntry, OutboxStatus};

use super::{deliver_unless_daemon, fmt_time, open_state};

/// The arguments of `presswatch outbox`.
#[derive(clap::Args)]
pub struct Outbox {
    /// The config file (before or after the action: `outbox list --config FILE`).
    #[arg(long, short, global = true, value_name = "FILE")]
    config: Option<PathBuf>,
    #[command(subcommand)]
    action: Action,
}

/// What to do with the outbox.
#[derive(Subcommand)]
enum Action {
    /// List undelivered alerts (pending and dead) and disabled channels.
    List {
        /// Include delivered alerts.
        #[arg(long)]
        all: bool,
    },
    /// Make undelivered alerts due now (enabling disabled channels) and deliver them.
    Retry {
        /// Only this alert.
        id: Option<String>,
    },
    /// Remove undelivered alerts: one by id, those of one channel with
    /// --channel, or all with --all.
    // One of the three is required, as a group: a bare `drop` is told all
    // three ways (`<ID|--all|--channel <NAME>>`), not only `<ID>`.
    #[command(group = clap::ArgGroup::new("what").required(true).multiple(true).args(["id", "all", "channel"]))]
    Drop {
        /// The alert to drop (`outbox list` shows the ids).
        id: Option<String>,
        /// Drop every undelivered alert.
        #[arg(long, conflicts_with_all = ["id", "channel"])]
        all: bool,
        /// Drop only what waits for this channel (one removed from the
        /// config, say); with an id, only that alert's entry for it.
        #[arg(long, value_name = "NAME")]
        channel: Option<String>,
    },
}

impl Outbox {
    /// Runs the action. `list` exits 1 when an alert is dead, `retry` when
    /// one is still undelivered after the attempt.
    pub async fn run(self) -> Result<ExitCode, String> {
        let config = self
            .config
            .ok_or("outbox needs the config file: `presswatch outbox list --config FILE`")?;
        let action = self.action;
        // `list` reads a state kept read-only where it is; `retry` and
        // `drop` change it, and are refused there.
        let (cfg, state) = match action {
            Action::List { .. } => open_state(&config)?,
            _ => {
                let cfg = super::load_config(&config)?;
                let state = super::existing_state_to_change(&cfg)?;
                (cfg, state)
            }
        };
        // Nothing was checked yet: the state read is an empty one, held in
        // memory, and nothing is delivered from it (which would make the
        // state directory, to lock it).
        let fresh = super::say_nothing_checked_yet(&cfg);
        let now = chrono::Utc::now().timestamp();
        match action {
            Action::List { all } => {
                let entries: Vec<_> = state
                    .outbox(None, None)
                    .map_err(|e| e.to_string())?
                    .into_iter()
                    .filter(|e| all || e.status != OutboxStatus::Sent)
                    .collect();
                for ch in &cfg.channels {
                    if let Some(d) = state
                        .channel_disabled(&ch.name)
                        .map_err(|e| e.to_string())?
                    {
                        println!(
                            "channel {} is DISABLED: {} (fix its URL, or run `{}`)",
                            ch.name,
                            d.reason,
                            cfg.command("outbox retry")
                        );
                    }
                }
                match (entries.is_empty(), fresh) {
                    (true, true) => println!("outbox is empty: no alert was made yet"),
                    (true, false) => println!("outbox is empty: every alert was delivered"),
                    _ => {}
                }
                let outbox = outbox::Outbox::read(&DigestPlan::of(&cfg), &state, now)?;
                for e in &entries {
                    let status = match outbox.waiting(e) {
                        Waiting::Due if e.next_attempt > now => {
                            format!(
                                "waiting, next attempt {}",
                                fmt_time(e.next_attempt, cfg.daemon.timezone)
                            )
                        }
                        Waiting::Due => "waiting, due now".to_string(),
                        Waiting::Digest { schedule, at } => format!(
                            "held for the {}: goes out at {}",
                            digest::describe(schedule),
                            outbox.plan().local_time(at, now)
                        ),
                        Waiting::Retrying { next, .. } => {
                            format!(
                                "delivery failed, retrying at {}",
                                fmt_time(next, cfg.daemon.timezone)
                            )
                        }
                        Waiting::Sending { since, attempt } => {
                            format!("sending {}", under_way(e, since, attempt, &cfg))
                        }
                        Waiting::Sent => "sent".to_string(),
                        Waiting::Dead => format!(
                            "DEAD: retry with `{}`",
                            cfg.command(&format!("outbox retry {}", e.alert_id))
                        ),
                    };
                    println!(
                        "{}  channel {}  watch {}  {}  created {}  attempts {}  {status}",
                        e.alert_id,
                        e.channel,
                        e.watch,
                        e.kind,
                        fmt_time(e.created_at, cfg.daemon.timezone),
                        e.attempts
                    );
                    if let Some(err) = &e.last_error {
                        println!("    last error: {err}");
                    }
                }
                if !entries.is_empty() {
                    println!("outbox: {}", outbox.summary().describe(outbox.plan(), now));
                }
                let dead = entries
                    .iter()
                    .filter(|e| e.status == OutboxStatus::Dead)
                    .count();
                Ok(if dead > 0 {
                    ExitCode::from(1)
                } else {
                    ExitCode::SUCCESS
                })
            }
            Action::Retry { id } => {
                let outbox = outbox::Outbox::read(&DigestPlan::of(&cfg), &state, now)?;
                let targeted: Vec<_> = state
                    .outbox(None, None)
                    .map_err(|e| e.to_string())?
                    .into_iter()
                    .filter(|e| e.status != OutboxStatus::Sent)
                    .filter(|e| id.as_ref().is_none_or(|id| *id == e.alert_id))
                    .collect();
                if let (Some(id), true) = (&id, targeted.is_empty()) {
                    return Err(no_such_alert(&cfg, id));
                }
                let mut held = 0;
                for e in &targeted {
                    let digest_channel = cfg
                        .channels
                        .iter()
                        .find(|c| c.name == e.channel)
                        .map(|c| c.digest)
                        .filter(|d| *d != presswatch::config::DigestSchedule::Off);
                    match (outbox.waiting(e), digest_channel) {
                        (Waiting::Digest { schedule, at }, _) => {
                            held += 1;
                            println!(
                                "{} for channel {}: held for the {} at {}. It has not failed, so there is nothing to retry: it goes out with that digest",
                                e.alert_id,
                                e.channel,
                                digest::describe(schedule),
                                outbox.plan().local_time(at, now)
                            );
                        }
                        // Its attempt settles it: made due now, it would
                        // read as due while it is sent (the store leaves it).
                        (Waiting::Sending { since, attempt }, _) => println!(
                            "{} for channel {}: being sent {}; not retried",
                            e.alert_id,
                            e.channel,
                            under_way(e, since, attempt, &cfg)
                        ),
                        (Waiting::Retrying { .. } | Waiting::Dead, Some(schedule)) => println!(
                            "{} for channel {}: the {} failed; retrying sends that digest now, with every alert waiting for it",
                            e.alert_id,
                            e.channel,
                            digest::describe(schedule)
                        ),
                        _ => {}
                    }
                }
                let n = state.retry(id.as_deref(), now).map_err(|e| e.to_string())?;
                println!(
                    "{} due now",
                    presswatch::text::plural(n.saturating_sub(held), "entry", "entries")
                );
                if fresh {
                    return Ok(ExitCode::SUCCESS);
                }
                let Some(d) = deliver_unless_daemon(&cfg, &state).await? else {
                    return Ok(ExitCode::SUCCESS);
                };
                println!("{}", super::delivery_line(&cfg, &d));
                Ok(if d.retrying + d.dead > 0 {
                    ExitCode::from(1)
                } else {
                    ExitCode::SUCCESS
                })
            }
            Action::Drop { id, all, channel } => {
                let id = if all { None } else { id };
                // A channel removed from the config may still have alerts
                // waiting for it; a name that is neither is a typo, not
                // "0 entries dropped".
                if let Some(name) = channel.as_deref() {
                    let waiting = state
                        .outbox(None, None)
                        .map_err(|e| e.to_string())?
                        .iter()
                        .any(|e| e.channel == name && e.status != OutboxStatus::Sent);
                    if !waiting && !cfg.channels.iter().any(|c| c.name == name) {
                        return Err(no_such_channel(&cfg, name));
                    }
                }
                // An entry being sent is kept: the attempt under way may
                // still deliver it, so dropping it would say "dropped" of
                // an alert the receiver then gets. Its attempt settles it;
                // once that has failed, it can be dropped.
                let outbox = outbox::Outbox::read(&DigestPlan::of(&cfg), &state, now)?;
                let mut kept = 0;
                for e in state.outbox(None, None).map_err(|e| e.to_string())? {
                    let picked = id.as_ref().is_none_or(|id| *id == e.alert_id)
                        && channel.as_ref().is_none_or(|c| *c == e.channel);
                    if let (true, Waiting::Sending { since, attempt }) =
                        (picked, outbox.waiting(&e))
                    {
                        kept += 1;
                        println!(
                            "{} for channel {}: being sent {}; not dropped, as that attempt may still deliver it. If it fails, drop it then: `{}`",
                            e.alert_id,
                            e.channel,
                            under_way(&e, since, attempt, &cfg),
                            cfg.command(&format!("outbox drop {}", e.alert_id))
                        );
                    }
                }
                let n = state
                    .drop_entries(id.as_deref(), channel.as_deref(), now)
                    .map_err(|e| e.to_string())?;
                if let (Some(id), 0, 0) = (&id, n, kept) {
                    return Err(no_such_alert(&cfg, id));
                }
                println!(
                    "{} dropped",
                    presswatch::text::plural(n, "entry", "entries")
                );
                // Not all that was asked for is gone: a script that drops
                // an alert learns that it may still go out.
                Ok(if kept > 0 {
                    ExitCode::from(1)
                } else {
                    ExitCode::SUCCESS
                })
            }
        }
    }
}

/// An attempt under way, as the commands say it: "since TIME (attempt N)",
/// and with PostgreSQL "by replica ID", the replica that holds the alert,
/// as `status`'s fleet section names it (or the command sending it). SQLite
/// says no more: one daemon per state directory sends. A replica silent for
/// longer than the lease time (killed, or cut off from the database) is
/// said to be, with when another replica takes the alert over.
fn under_way(e: &OutboxEntry, since: i64, attempt: u32, cfg: &Config) -> String {
    let by = e
        .sending_by
        .as_ref()
        .map(|s| {
            let lease_ms = cfg.daemon.lease.as_millis() as i64;
            match s.silent_ms.filter(|&ms| s.replica && ms > lease_ms) {
                Some(ms) => format!(
                    " by {}, SILENT for {} (stopped, or cut off from the database): unless it finishes, another replica sends the alert again under the same id after {}",
                    s.describe(),
                    presswatch::scheduler::human(std::time::Duration::from_millis(ms as u64)),
                    e.sending_until
                        .map(|t| fmt_time(t, cfg.daemon.timezone))
                        .unwrap_or_else(|| "the attempt's time limit".to_string())
                ),
                None => format!(" by {}", s.describe()),
            }
        })
        .unwrap_or_default();
    format!(
        "since {} (attempt {attempt}){by}",
        fmt_time(since, cfg.daemon.timezone)
    )
}

/// The error for a `--channel` that names no channel of the config and
/// none an undelivered alert waits for: the channels there are.
fn no_such_channel(cfg: &Config, name: &str) -> String {
    let missing = format!(
        "no channel named {name:?} in {}, and no undelivered alert waits for one",
        cfg.path.display()
    );
    let list = cfg.command("outbox list");
    if cfg.channels.is_empty() {
        return format!("{missing}: the config defines no channel (`{list}` shows which channel each alert waits for)");
    }
    let names: Vec<String> = cfg
        .channels
        .iter()
        .map(|c| format!("{:?}", c.name))
        .collect();
    format!(
        "{missing}: its channels are {} (`{list}` shows which channel each alert waits for)",
        names.join(", ")
    )
}

/// The error for an id that names no undelivered alert.
fn no_such_alert(cfg: &Config, id: &str) -> String {
    format!(
        "no undelivered alert has the id {id:?}: `{}` lists them",
        cfg.command("outbox list")
    )
}
