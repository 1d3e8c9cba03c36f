//! `presswatch export`: the kept responses as a WARC file, and the
//! baselines as files.

use std::path::PathBuf;
use std::process::ExitCode;

use presswatch::{preflight, store};

use super::progress::Progress;
use super::{existing_state, load_config};

/// The arguments of `presswatch export`.
#[derive(clap::Args)]
pub struct Export {
    /// The config file.
    #[arg(long, short, value_name = "FILE")]
    config: PathBuf,
    /// Only this watch.
    #[arg(long, value_name = "NAME")]
    watch: Option<String>,
    /// Only responses fetched since: a date (2024-05-14) or a date and
    /// time ("2024-05-14 09:30") in [daemon] timezone, an RFC 3339 time or
    /// an age (30d).
    #[arg(long, value_name = "T")]
    since: Option<String>,
    /// The WARC file to write.
    #[arg(
        long,
        value_name = "OUT.warc.gz",
        required_unless_present = "baselines"
    )]
    warc: Option<PathBuf>,
    /// Also (or only) write the accepted baselines into DIR as files
    /// (`<watch>.txt`): with `state_url`, the database holds them.
    #[arg(long, value_name = "DIR")]
    baselines: Option<PathBuf>,
    /// Replace the WARC file when it exists (by default an export never
    /// overwrites one).
    #[arg(long, requires = "warc")]
    force: bool,
}

impl Export {
    /// Writes the WARC file and the baselines, and says what it wrote.
    pub async fn run(self) -> Result<ExitCode, String> {
        let cfg = load_config(&self.config)?;
        if let Some(warc) = &self.warc {
            preflight::output("--warc", warc, preflight::Output::File)?;
        }
        if let Some(dir) = &self.baselines {
            preflight::output("--baselines", dir, preflight::Output::Dir)?;
        }
        let state = match self.watch.as_deref() {
            Some(w) => super::kept_watch(&cfg, w, || existing_state(&cfg))?.1,
            None => existing_state(&cfg)?,
        };
        super::nothing_to_attest(&cfg, "nothing to export")?;
        let since = self
            .since
            .as_deref()
            .map(|s| {
                presswatch::evidence::export::parse_since(
                    s,
                    cfg.daemon.timezone,
                    chrono::Utc::now(),
                )
            })
            .transpose()?;
        let mut left_out = Vec::new();
        if let Some(warc) = &self.warc {
            let mut progress = Progress::new("exported", "responses");
            let n = presswatch::evidence::export::export(
                &cfg,
                &state,
                self.watch.as_deref(),
                since,
                warc,
                self.force,
                &mut |done, total| progress.show(done, total),
            )?;
            drop(progress);
            println!("{}", n.describe(warc));
            left_out = n.left_out;
        }
        if let Some(dir) = &self.baselines {
            let n = store::Baselines::for_state(&cfg.daemon.baseline_dir, &state).export(dir)?;
            if state.shared().is_some() {
                println!("{}: {n} baselines", dir.display());
            } else {
                println!(
                    "the baselines are files already, in {} (state_url is not set)",
                    cfg.daemon.baseline_dir.display()
                );
            }
        }
        Ok(super::left_out(
            &left_out,
            ("kept response", "kept responses"),
            "of the export: the rest is written and sound",
        ))
    }
}
