//! `presswatch record`: each watch's current response, saved for replay.

use std::path::PathBuf;
use std::process::ExitCode;

use presswatch::fetch::{self, Fetcher};
use presswatch::preflight;
use presswatch::store;

use super::load_config;

/// The arguments of `presswatch record`.
#[derive(clap::Args)]
pub struct Record {
    /// The config file.
    #[arg(long, short, value_name = "FILE")]
    config: PathBuf,
    /// Directory to write recordings and manifest.toml into.
    #[arg(long, value_name = "DIR")]
    to: PathBuf,
    /// Record only this watch.
    #[arg(long, value_name = "NAME")]
    watch: Option<String>,
}

impl Record {
    /// Records the watches into `--to`; exit 1 when a fetch failed.
    pub async fn run(self) -> Result<ExitCode, String> {
        let (config, to, only) = (&self.config, &self.to, self.watch.as_deref());
        let cfg = load_config(config)?;
        let targets: Vec<&presswatch::config::Watch> = match only {
            Some(name) => vec![cfg.watch_named(name)?],
            None => cfg.watches.iter().collect(),
        };
        if targets.is_empty() {
            return Err(format!("no watch to record in {}", config.display()));
        }
        preflight::output("--to", to, preflight::Output::Dir)?;
        store::create_private_dir(to, presswatch::atomic_file::Owner::Writer)
            .map_err(|e| format!("cannot create {}: {e}", to.display()))?;
        let fetcher = Fetcher::http(&cfg.daemon).map_err(|e| e.to_string())?;
        let mut failed = false;
        let recorded = fetch::record(&fetcher, to, &targets)
            .await
            .map_err(|e| e.to_string())?;
        for (name, res) in recorded {
            match res {
                Ok(file) => println!("{name}: recorded {}", to.join(file).display()),
                Err(e) => {
                    failed = true;
                    println!("{name}: error: {e}");
                }
            }
        }
        Ok(if failed {
            ExitCode::from(1)
        } else {
            ExitCode::SUCCESS
        })
    }
}
