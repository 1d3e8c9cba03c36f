//! `presswatch status`: the table of watches.

use std::path::PathBuf;
use std::process::ExitCode;

use super::open_state;

/// The arguments of `presswatch status`.
#[derive(clap::Args)]
pub struct Status {
    /// The config file.
    #[arg(long, short, value_name = "FILE")]
    config: PathBuf,
}

impl Status {
    /// Prints the table (`presswatch::status::table`).
    pub async fn run(self) -> Result<ExitCode, String> {
        let (cfg, state) = open_state(&self.config)?;
        print!(
            "{}",
            presswatch::status::table(&cfg, &state, chrono::Utc::now().timestamp())?
        );
        Ok(ExitCode::SUCCESS)
    }
}
