//! `presswatch diff`: the change between two files or two stored versions.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use presswatch::compare::Rules;
use presswatch::document::Document;
use presswatch::extract;
use presswatch::notify::render;

use super::load_config;

/// The arguments of `presswatch diff`.
#[derive(clap::Args)]
pub struct Diff {
    /// The old version.
    #[arg(required_unless_present_any = ["watch", "config"])]
    old: Option<PathBuf>,
    /// The new version.
    #[arg(required_unless_present_any = ["watch", "config"])]
    new: Option<PathBuf>,
    /// Print JSON.
    #[arg(long)]
    json: bool,
    /// Neutralise text matching this regex before comparing (repeatable).
    #[arg(long, value_name = "REGEX")]
    ignore: Vec<String>,
    /// Compare stored versions of this watch, with its rules.
    #[arg(long, value_name = "NAME", requires = "config", conflicts_with_all = ["old", "new"])]
    watch: Option<String>,
    /// The config file (with --watch).
    #[arg(long, short, value_name = "FILE")]
    config: Option<PathBuf>,
    /// With --watch: the old version (default: the one before --to).
    #[arg(long, value_name = "V", requires = "watch")]
    from: Option<i64>,
    /// With --watch: the new version (default: the latest).
    #[arg(long, value_name = "V", requires = "watch")]
    to: Option<i64>,
}

impl Diff {
    /// Prints the change; exit status 1 when the versions differ, as diff(1).
    pub async fn run(self) -> Result<ExitCode, String> {
        match (&self.watch, &self.config, &self.old, &self.new) {
            (Some(watch), Some(config), _, _) => {
                stored(config, watch, self.from, self.to, self.json, &self.ignore)
            }
            (None, Some(config), Some(_), Some(_)) => Err(format!(
                "--config {} compares a watch's stored versions and needs --watch NAME; two files \
                 are compared without it (--ignore REGEX for the watch's ignore rules)",
                config.display()
            )),
            (None, Some(config), None, None) => Err(format!(
                "--config {} compares a watch's stored versions: name the watch with --watch NAME ({})",
                config.display(),
                load_config(config)?.watch_list()
            )),
            (_, _, Some(old), Some(new)) => files(old, new, self.json, &self.ignore),
            _ => Err("diff needs OLD and NEW files, or --watch with --config".into()),
        }
    }
}

/// Two files, compared with the `--ignore` rules only.
fn files(old: &Path, new: &Path, json: bool, ignore: &[String]) -> Result<ExitCode, String> {
    let a = load_version(old)?;
    let b = load_version(new)?;
    let rules = Rules {
        ignore: ignore_rules(ignore)?,
        min_change: 0,
    };
    let name = new.display().to_string();
    // Named as an alert names a watch without `outlet`: by the name the
    // page gives itself, else by its site's host.
    let outlet = b
        .site_name
        .as_deref()
        .or(a.site_name.as_deref())
        .and_then(presswatch::config::page_outlet)
        .or_else(|| {
            b.canonical_url
                .as_deref()
                .and_then(|u| url::Url::parse(u).ok())
                .map(|u| presswatch::config::host_outlet(&u))
                .filter(|o| !o.is_empty())
        })
        .unwrap_or_else(|| name.clone());
    let about = presswatch::history::About {
        watch: "",
        url: &name,
        outlet: &outlet,
        // Two files say nothing of when a change was found: no time is shown.
        detected_at: None,
    };
    print_diff(presswatch::history::documents(
        &a,
        &b,
        &rules,
        json,
        &about,
        &render::Context::default(),
    )?)
}

/// Loads a diff operand: HTML is extracted, anything else is baseline text.
fn load_version(path: &Path) -> Result<Document, String> {
    let text = presswatch::charset::decode(&super::page_file_bytes(path)?, None).into_owned();
    let head = text
        .trim_start()
        .chars()
        .take(512)
        .collect::<String>()
        .to_ascii_lowercase();
    let is_html = head.starts_with("<!doctype html")
        || head.starts_with("<html")
        || head.contains("<body")
        || head.contains("<head");
    Ok(if is_html {
        extract::watched_article(&text, None, None)
    } else {
        Document::from_baseline(&text)
    })
}

/// The `--ignore` patterns, compiled.
fn ignore_rules(patterns: &[String]) -> Result<Vec<regex::Regex>, String> {
    patterns
        .iter()
        .map(|p| {
            regex::Regex::new(p).map_err(|e| {
                format!(
                    "--ignore '{p}': {}",
                    presswatch::config::regex_problem(p, &e)
                )
            })
        })
        .collect()
}

/// `diff --watch`: two stored versions, compared with the watch's rules.
fn stored(
    config: &Path,
    watch: &str,
    from: Option<i64>,
    to: Option<i64>,
    json: bool,
    ignore: &[String],
) -> Result<ExitCode, String> {
    let cfg = load_config(config)?;
    // Opened as a dry run opens it: reading versions never creates a
    // database (a mistyped `state_dir` would leave an empty one behind).
    let (w, state) = super::kept_watch(&cfg, watch, || super::state(&cfg, true))?;
    super::say_nothing_checked_yet(&cfg);
    let mut rules = w.rules();
    rules.ignore.extend(ignore_rules(ignore)?);
    print_diff(presswatch::history::diff(
        &state, &cfg, &w, from, to, &rules, json,
    )?)
}

/// Prints a diff; exit status 1 when the versions differ, as diff(1), or
/// when a stored version compared was altered since it was kept (a warning
/// on stderr says so).
fn print_diff(diff: presswatch::history::Diff) -> Result<ExitCode, String> {
    print!("{}", diff.output);
    let altered = super::warn_altered(&diff.altered);
    Ok(if diff.changed || altered {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}
