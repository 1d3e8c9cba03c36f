//! `presswatch verify`: re-hash everything kept, and check the chain
//! against heads and alert records kept outside the database.

use std::path::PathBuf;
use std::process::ExitCode;

use presswatch::evidence::anchor::{self, Record};
use presswatch::text::plural;

use super::open_state;
use super::progress::Progress;

/// The exit status of a `verify` that found no mismatch, but a `--record`
/// no kept version holds (mistyped, or its version pruned since).
const RECORD_NOT_FOUND: u8 = 3;

/// The arguments of `presswatch verify`.
#[derive(clap::Args)]
pub struct Verify {
    /// The config file.
    #[arg(long, short, value_name = "FILE")]
    config: PathBuf,
    /// A `verify` output kept earlier: each chain head it printed must still
    /// be in the chain (a head no longer held shows the newest versions
    /// deleted, or versions rewritten, since).
    #[arg(long, value_name = "FILE")]
    heads: Option<PathBuf>,
    /// The record an alert carried (its digest, whole or as the alert shows
    /// it, or a saved alert email or JSON; a digest email's records, each):
    /// which watch and version it is, and whether the chain still holds it;
    /// one no kept version holds is "not found" (exit 3). May be given more
    /// than once.
    #[arg(long, value_name = "RECORD")]
    record: Vec<String>,
}

impl Verify {
    /// Prints each mismatch and the count; exit 1 when there is one, else
    /// [`RECORD_NOT_FOUND`] when a `--record` is held by no kept version.
    pub async fn run(self) -> Result<ExitCode, String> {
        let (cfg, state) = open_state(&self.config)?;
        super::nothing_to_attest(&cfg, "nothing to verify, and that is no pass")?;
        let saved = match &self.heads {
            Some(path) => {
                let wanted = format!(
                    "a file holding the output of `{}` (its lines \"watch W: … chain head …\")",
                    cfg.command("verify")
                );
                let text = presswatch::corpus::read_file(path, &wanted)?;
                let saved = anchor::saved_heads(&String::from_utf8_lossy(&text));
                if saved.is_empty() {
                    return Err(format!(
                        "{} holds no chain head: give {wanted}",
                        path.display()
                    ));
                }
                saved
            }
            None => Vec::new(),
        };
        let records = self
            .record
            .iter()
            .map(|r| Record::read(r))
            .collect::<Result<Vec<_>, _>>()?
            .into_iter()
            .flatten()
            .collect::<Vec<_>>();
        let mut progress = Progress::new("re-hashed", "raw bodies and versions");
        let mut v = presswatch::evidence::verify::verify(
            &state,
            cfg.daemon.timeout,
            &mut |done, total| progress.show(done, total),
        )?;
        drop(progress);
        let heads = anchor::check_heads(&v, &saved);
        let history = |h: &presswatch::evidence::verify::Held| {
            format!(
                "`{}`",
                cfg.command(&format!(
                    "history {} --show {}",
                    presswatch::text::shell_word(&h.watch),
                    h.seq
                ))
            )
        };
        let recorded = anchor::check_records(&v, &records, cfg.daemon.timezone, &history);
        v.problems.extend(heads.problems);
        v.problems.extend(recorded.problems);
        for p in &v.problems {
            println!("MISMATCH {p}");
        }
        for r in &recorded.not_found {
            println!("NOT FOUND {r}");
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
        for line in heads.notes.iter().chain(&recorded.notes) {
            println!("{line}");
        }
        if !v.heads.is_empty() {
            println!(
                "Chain heads (keep these lines away from the database, with the alerts; `{}` checks that the chain still holds them):",
                cfg.command("verify --heads FILE")
            );
        }
        for h in &v.heads {
            println!("{}", h.line(cfg.daemon.timezone));
        }
        if v.problems.is_empty() {
            return Ok(if recorded.not_found.is_empty() {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(RECORD_NOT_FOUND)
            });
        }
        println!("{}", presswatch::evidence::verify::what_to_do(&cfg));
        Ok(ExitCode::from(1))
    }
}
