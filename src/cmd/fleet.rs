//! `presswatch fleet forget REPLICA`: what ops run to resolve a channel held
//! by the settings of a replica that left without a clean stop.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::Subcommand;
use presswatch::scheduler::human;
use presswatch::store::Forgotten;

use super::open_state;

/// The arguments of `presswatch fleet`.
#[derive(clap::Args)]
pub struct Fleet {
    /// The config file (before or after the action: `fleet forget ID --config FILE`).
    #[arg(long, short, global = true, value_name = "FILE")]
    config: Option<PathBuf>,
    #[command(subcommand)]
    action: Action,
}

/// What to do with the fleet.
#[derive(Subcommand)]
enum Action {
    /// Forget a replica that left without a clean stop (killed, crashed,
    /// cut off from the database), when the settings it left for a channel
    /// are the old ones: they no longer hold the channel, and the live
    /// replicas send its alerts with theirs.
    Forget {
        /// The replica's id, as `presswatch status` lists it (`host:pid:random`).
        replica: String,
    },
}

impl Fleet {
    /// Runs the action.
    pub async fn run(self) -> Result<ExitCode, String> {
        let config = self.config.ok_or(
            "fleet needs the config file: `presswatch fleet forget REPLICA --config FILE`",
        )?;
        let (_cfg, state) = open_state(&config)?;
        let Some(pg) = state.shared() else {
            return Err(format!(
                "{} keeps its state in SQLite (no daemon.state_url): there is no fleet of replicas to forget one of",
                config.display()
            ));
        };
        match self.action {
            Action::Forget { replica } => {
                let status = format!("presswatch status --config {}", config.display());
                match pg.forget_replica(&replica).map_err(|e| e.to_string())? {
                    Forgotten::Forgot { silent_ms } => {
                        println!(
                            "forgot replica {replica} (silent for {}): the channel settings it left no longer hold any channel; the live replicas send the alerts that waited with their own settings (`{status}` shows what is still held)",
                            human(Duration::from_millis(silent_ms.max(0) as u64))
                        );
                        Ok(ExitCode::SUCCESS)
                    }
                    Forgotten::Live { silent_ms } => Err(format!(
                        "replica {replica} is live (heard from {} ago): it is not forgotten. To resolve a channel it sets otherwise, deploy one config to every host and send each replica SIGHUP (`systemctl reload presswatch`); `{status}` shows which replica holds which settings",
                        human(Duration::from_millis(silent_ms.max(0) as u64))
                    )),
                    Forgotten::Unknown => Err(format!(
                        "no replica {replica} in this fleet (it stopped cleanly, or was forgotten already): `{status}` lists the replicas by id"
                    )),
                }
            }
        }
    }
}
