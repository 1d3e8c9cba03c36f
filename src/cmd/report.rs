//! `presswatch report`: the static evidence viewer.

use std::path::PathBuf;
use std::process::ExitCode;

use presswatch::preflight;

use super::open_state;
use super::progress::Progress;

/// The arguments of `presswatch report`.
#[derive(clap::Args)]
pub struct Report {
    /// The config file.
    #[arg(long, short, value_name = "FILE")]
    config: PathBuf,
    /// The directory to write.
    #[arg(long, value_name = "DIR")]
    out: PathBuf,
}

impl Report {
    /// Writes the viewer into `--out` and says where to open it.
    pub async fn run(self) -> Result<ExitCode, String> {
        let (cfg, state) = open_state(&self.config)?;
        super::say_nothing_checked_yet(&cfg);
        preflight::output("--out", &self.out, preflight::Output::Dir)?;
        let mut progress = Progress::new("wrote", "watches");
        let n =
            presswatch::evidence::report::write(&cfg, &state, &self.out, &mut |done, total| {
                progress.show(done, total)
            })?;
        drop(progress);
        println!("{}", n.describe(&self.out));
        let meaning = if n.altered.is_empty() {
            "of the viewer (its pages warn in place of an altered record, and a damaged body's link leads \
             nowhere): the rest is written and sound"
        } else {
            "of the viewer (its pages warn in place of an altered record, and a damaged body's link leads \
             nowhere)"
        };
        let code = super::left_out(&n.left_out, ("kept response", "kept responses"), meaning);
        if !super::warn_altered(&n.altered) {
            return Ok(code);
        }
        let (texts, it, them) = if n.altered.len() == 1 {
            ("version text no longer matches", "it was", "it")
        } else {
            ("version texts no longer match", "they were", "them")
        };
        eprintln!(
            "{} {texts} the SHA-256 {it} stored under (altered after presswatch kept {them}): the \
             viewer shows {them} with a warning beside {them}, on the index, the watch's timeline and \
             the version's page; the rest is written and sound",
            n.altered.len()
        );
        Ok(ExitCode::FAILURE)
    }
}
