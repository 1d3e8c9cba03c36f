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
        preflight::output("--out", &self.out, preflight::Output::Dir)?;
        let mut progress = Progress::new("wrote", "watches");
        let n =
            presswatch::evidence::report::write(&cfg, &state, &self.out, &mut |done, total| {
                progress.show(done, total)
            })?;
        drop(progress);
        println!("{}", n.describe(&self.out));
        Ok(super::left_out(
            &n.left_out,
            ("kept response", "kept responses"),
            "of the viewer (its pages warn in place of an altered record, and a damaged body's link leads \
             nowhere): the rest is written and sound",
        ))
    }
}
