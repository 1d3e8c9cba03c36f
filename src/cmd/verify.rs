//! `presswatch verify`: re-hash everything kept.

use std::path::PathBuf;
use std::process::ExitCode;

use presswatch::text::plural;

use super::open_state;
use super::progress::Progress;

/// The arguments of `presswatch verify`.
#[derive(clap::Args)]
pub struct Verify {
    /// The config file.
    #[arg(long, short, value_name = "FILE")]
    config: PathBuf,
}

impl Verify {
    /// Prints each mismatch and the count; exit 1 when there is one.
    pub async fn run(self) -> Result<ExitCode, String> {
        let (cfg, state) = open_state(&self.config)?;
        let mut progress = Progress::new("re-hashed", "raw bodies and versions");
        let v = presswatch::evidence::verify::verify(
            &state,
            cfg.daemon.timeout,
            &mut |done, total| progress.show(done, total),
        )?;
        drop(progress);
        for p in &v.problems {
            println!("MISMATCH {p}");
        }
        println!(
            "verified {}, {} and {}: {}",
            plural(v.bodies, "raw body", "raw bodies"),
            plural(v.records, "snapshot record", "snapshot records"),
            plural(v.versions, "version", "versions"),
            plural(v.problems.len(), "mismatch", "mismatches")
        );
        if v.undigested > 0 {
            println!(
                "{} without a record digest (kept before presswatch took one): their bodies are \
                 re-hashed, but their URLs, status, headers and fetch time cannot be checked, nor \
                 the time of the version each was accepted for",
                plural(v.undigested, "snapshot record", "snapshot records")
            );
        }
        if v.unfetched > 0 {
            println!(
                "{} whose raw response is not kept (pruned by keep_raw, or kept with keep_raw \
                 = \"off\"): their texts are re-hashed, but the time each was accepted at cannot be \
                 checked against the fetch of its page",
                plural(v.unfetched, "version", "versions")
            );
        }
        if v.problems.is_empty() {
            return Ok(ExitCode::SUCCESS);
        }
        println!("{}", presswatch::evidence::verify::what_to_do(&cfg));
        Ok(ExitCode::from(1))
    }
}
