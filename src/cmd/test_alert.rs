//! `presswatch test-alert`: a sample alert through each channel.

use std::path::PathBuf;
use std::process::ExitCode;

use futures_util::stream::{FuturesUnordered, StreamExt};
use presswatch::{notify, store};

use super::{http_client, load_config};

/// The arguments of `presswatch test-alert`.
#[derive(clap::Args)]
pub struct TestAlert {
    /// The config file.
    #[arg(long, short, value_name = "FILE")]
    config: PathBuf,
    /// Only this channel.
    #[arg(long, value_name = "NAME")]
    channel: Option<String>,
}

impl TestAlert {
    /// Sends the sample alert and prints OK or the exact failure for each
    /// channel; exit 1 when one failed.
    pub async fn run(self) -> Result<ExitCode, String> {
        let (config, only) = (&self.config, self.channel.as_deref());
        let cfg = load_config(config)?;
        let channels: Vec<_> = cfg
            .channels
            .iter()
            .filter(|c| only.is_none_or(|o| o == c.name))
            .collect();
        if channels.is_empty() {
            let names: Vec<&str> = cfg.channels.iter().map(|c| c.name.as_str()).collect();
            return Err(match only {
                Some(name) if !names.is_empty() => format!(
                    "no channel named {name:?} in {}; its channels: {}",
                    config.display(),
                    names.join(", ")
                ),
                _ => format!(
                    "{} defines no channel, so there is nothing to test: alerts go to stdout and the log. \
                     Add a [[channel]] (type = \"email\" or \"webhook\"; see README.md, Configuration, and docs/ALERTS.md), \
                     then run `{}` again",
                    config.display(),
                    cfg.command("test-alert")
                ),
            });
        }
        let http = http_client(&cfg)?;
        let policy = notify::RetryPolicy::default();
        let alert = presswatch::alert::test_alert();
        let state = super::state(&cfg, false)?;
        let installation = notify::Installation::of(&cfg, &state)?;
        let thread = store::Thread::default();
        let width = channels
            .iter()
            .map(|c| c.name.chars().count())
            .max()
            .unwrap_or(0);
        // Every channel at once, each line printed as its answer comes: a
        // relay that never answers holds up only its own line, and after a
        // few seconds stderr says who is still awaited and for how long.
        let mut sending: FuturesUnordered<_> = channels
            .iter()
            .map(|&ch| {
                let (alert, thread, http) = (&alert, &thread, &http);
                let (policy, installation) = (&policy, &installation);
                async move {
                    let out = notify::Outgoing::Alert(alert, thread);
                    (ch, notify::send(ch, &out, http, policy, installation).await)
                }
            })
            .collect();
        let mut awaited: Vec<&str> = channels.iter().map(|c| c.name.as_str()).collect();
        let patience = tokio::time::sleep(PATIENCE);
        tokio::pin!(patience);
        let mut told = false;
        let mut failed = false;
        loop {
            tokio::select! {
                next = sending.next() => {
                    let Some((ch, sent)) = next else { break };
                    awaited.retain(|n| *n != ch.name);
                    let target = notify::channel_target(ch);
                    match sent {
                        Ok(()) => println!("{:<width$}  OK      sent to {target}", ch.name),
                        Err(f) => {
                            failed = true;
                            println!("{:<width$}  FAILED  {}", ch.name, f.message);
                        }
                    }
                }
                _ = &mut patience, if !told => {
                    told = true;
                    eprintln!(
                        "waiting for {} to answer (at most {} s from the start)...",
                        awaited.join(", "),
                        policy.send_timeout.as_secs()
                    );
                }
            }
        }
        if failed {
            // The failures' words say what happens to an alert in the
            // outbox; a test alert is not in it.
            eprintln!(
                "The test alert was sent once and is not queued: fix what the FAILED line says, then run `{}` again.",
                cfg.command("test-alert")
            );
        }
        Ok(if failed {
            ExitCode::from(1)
        } else {
            ExitCode::SUCCESS
        })
    }
}

/// How long `test-alert` waits in silence before saying which channels it
/// is still waiting for.
const PATIENCE: std::time::Duration = std::time::Duration::from_secs(5);
