//! `presswatch run`: the daemon.

use std::path::PathBuf;
use std::process::ExitCode;

use presswatch::preflight;

use super::load_config;

/// The arguments of `presswatch run`.
#[derive(clap::Args)]
pub struct Run {
    /// The config file.
    #[arg(long, short, value_name = "FILE")]
    config: PathBuf,
}

impl Run {
    /// Runs the daemon (`presswatch::daemon::run`) until SIGTERM or SIGINT.
    pub async fn run(self) -> Result<ExitCode, String> {
        let cfg = load_config(&self.config)?;
        if let Some(message) = cfg.no_watches() {
            tracing::warn!(
                "{}: {message} (then `systemctl reload presswatch`, or SIGHUP)",
                cfg.path.display()
            );
        }
        preflight::before_checks(&cfg, false)?;
        presswatch::daemon::run(cfg).await?;
        Ok(ExitCode::SUCCESS)
    }
}
