//! `presswatch validate`: every problem of a config.

use std::path::PathBuf;
use std::process::ExitCode;

use presswatch::config::Config;

/// The arguments of `presswatch validate`.
#[derive(clap::Args)]
pub struct Validate {
    /// The config file.
    #[arg(long, short, value_name = "FILE")]
    config: PathBuf,
}

impl Validate {
    /// The config text, then what it cannot show (directories, secrets).
    /// Exit 1 when anything would break the daemon.
    pub async fn run(self) -> Result<ExitCode, String> {
        let path = &self.config;
        use presswatch::preflight::{self, Severity};
        use presswatch::text::plural;
        let (config, errors) = Config::load_despite_problems(path);
        let Some(config) = config else {
            for e in &errors {
                println!("{e}");
            }
            println!("{} found", plural(errors.len(), "problem", "problems"));
            return Ok(ExitCode::from(1));
        };
        // What the text cannot show is checked too when it has problems, so
        // that one run lists everything to fix: a directory unless its key
        // has a problem of its own (its value was not read), and the
        // secrets it names.
        let mut findings: Vec<preflight::Finding> = preflight::directories(&config)
            .into_iter()
            .filter(|f| !errors.iter().any(|e| e.key == f.error.key))
            .collect();
        let text_is_valid = errors.is_empty();
        findings.extend(errors.into_iter().map(|error| preflight::Finding {
            severity: Severity::Problem,
            error,
        }));
        // A watch with problems of its own is left out of the config: none
        // may be left only because of them.
        if let Some(message) = config.no_watches().filter(|_| text_is_valid) {
            findings.push(preflight::Finding {
                severity: Severity::Problem,
                error: presswatch::config::ConfigError {
                    file: config.path.clone(),
                    line: None,
                    key: String::new(),
                    message,
                },
            });
        }
        findings.extend(preflight::secrets(&config));
        // In the config's line order, whatever found them; a secret not
        // checked here says so in its line.
        findings.sort_by_key(|f| f.error.line);
        for f in &findings {
            println!("{}", f.error);
        }
        let problems = findings
            .iter()
            .filter(|f| f.severity == Severity::Problem)
            .count();
        if problems > 0 {
            println!("{} found", plural(problems, "problem", "problems"));
            return Ok(ExitCode::from(1));
        }
        let unchecked = findings.len();
        println!(
            "{}: OK ({}, {}){}",
            path.display(),
            plural(config.watches.len(), "watch", "watches"),
            plural(config.channels.len(), "channel", "channels"),
            if unchecked > 0 {
                format!(
                    "; {} not checked here (see above)",
                    plural(unchecked, "secret", "secrets")
                )
            } else {
                String::new()
            }
        );
        Ok(ExitCode::SUCCESS)
    }
}
