//! `presswatch history`: a watch's kept versions, or one version's text.

use std::path::PathBuf;
use std::process::ExitCode;

use super::load_config;

/// The arguments of `presswatch history`.
#[derive(clap::Args)]
pub struct History {
    /// The config file.
    #[arg(long, short, value_name = "FILE")]
    config: PathBuf,
    /// The watch (without it, the error lists the config's watches).
    #[arg(value_name = "NAME")]
    watch: Option<String>,
    /// Print the stored text of this version (an article's text, a
    /// listing's items).
    #[arg(long, value_name = "V")]
    show: Option<i64>,
}

impl History {
    /// Prints the table of versions, or the text of `--show`; exit 1, after
    /// a warning on stderr, when a version shown was altered since it was
    /// kept.
    pub async fn run(self) -> Result<ExitCode, String> {
        let cfg = load_config(&self.config)?;
        let Some(name) = &self.watch else {
            return Err(format!(
                "history needs the name of a watch: `{}`; {}",
                cfg.command("history NAME"),
                cfg.watch_list()
            ));
        };
        // Opened as a dry run opens it: reading versions never creates a
        // database (a mistyped `state_dir` would leave an empty one behind).
        let (w, state) = super::kept_watch(&cfg, name, || super::state(&cfg, true))?;
        super::say_nothing_checked_yet(&cfg);
        let shown = match self.show {
            Some(seq) => presswatch::history::show(&state, &cfg, &w, seq)?,
            None => presswatch::history::table(&state, &cfg, &w, chrono::Utc::now().timestamp())?,
        };
        print!("{}", shown.output);
        Ok(if super::warn_altered(&shown.altered) {
            ExitCode::FAILURE
        } else {
            ExitCode::SUCCESS
        })
    }
}
