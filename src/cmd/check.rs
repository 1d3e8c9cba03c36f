//! `presswatch check`: one pass over all watches (or those named), then exit.

use std::path::PathBuf;
use std::process::ExitCode;

use presswatch::check::{self, Context};
use presswatch::fetch::{Fetcher, Replay};
use presswatch::notify::render;
use presswatch::preflight;

use super::progress::Progress;
use super::{deliver_unless_daemon, load_config};

/// The arguments of `presswatch check`.
#[derive(clap::Args)]
pub struct Check {
    /// The config file.
    #[arg(long, short, value_name = "FILE")]
    config: PathBuf,
    /// Check only this watch; repeat it for several (`--watch a --watch b`).
    /// A name the config lacks is an error before anything is checked.
    #[arg(long, value_name = "NAME")]
    watch: Vec<String>,
    /// Print the alerts instead of sending them; change nothing on disk.
    #[arg(long)]
    dry_run: bool,
    /// Answer fetches from recorded responses in DIR (see README: Replay format).
    #[arg(long, value_name = "DIR")]
    replay: Option<PathBuf>,
    /// Forget the accepted version of each watch named by --watch, then
    /// check it: the check takes the page as it is, with no alert (a listing that
    /// really lists far fewer items than before, an article to watch
    /// afresh). Items seen before are not reported again; the history stays.
    #[arg(long, requires = "watch", conflicts_with = "dry_run")]
    reset_baseline: bool,
}

impl Check {
    /// Checks the watches, prints a line for each and the total, and
    /// delivers (or, with `--dry-run`, prints) the alerts. Exit 1 when a
    /// check failed.
    pub async fn run(self) -> Result<ExitCode, String> {
        let (config, only, dry_run) = (&self.config, &self.watch, self.dry_run);
        let replay = self.replay.as_deref();
        let cfg = load_config(config)?;
        if let Some(message) = cfg.no_watches() {
            // As `validate` counts it: a problem, not a pass that checked nothing.
            return Err(format!("{}: {message}", cfg.path.display()));
        }
        let fetcher = match replay {
            Some(dir) => Fetcher::Replay(Replay::open(dir).map_err(|e| e.to_string())?),
            None => Fetcher::http(&cfg.daemon).map_err(|e| e.to_string())?,
        };
        // Every name is looked up before anything is checked: one the
        // config lacks stops the command, with all such names.
        let watches: Vec<_> = if only.is_empty() {
            cfg.watches.iter().collect()
        } else {
            cfg.watches_named(only)?
        };
        preflight::before_checks(&cfg, dry_run)?;
        let mut ctx = Context::open(cfg.clone(), fetcher, dry_run)?;
        if self.reset_baseline {
            for w in &watches {
                ctx.resetting.push(w.name.clone());
                if check::reset_baseline(&ctx, w).await? {
                    println!("{}: baseline forgotten; checking the page as it is", w.name);
                } else {
                    println!("{}: no baseline to forget; checking the page", w.name);
                }
            }
        }
        let mut progress = Progress::new("checked", "watches");
        let mut done = 0;
        let reports = check::check_all(&ctx, &watches, |_| {
            done += 1;
            progress.show(done, watches.len());
        })
        .await;
        drop(progress);
        let width = reports
            .iter()
            .map(|r| r.watch.chars().count())
            .max()
            .unwrap_or(0);
        for r in &reports {
            println!("{}", check::summary_line(r, width));
        }
        println!("{}", check::total_line(&reports, dry_run));
        if dry_run {
            // Trying listing or feed watches named (a `selector`): what
            // each finds, under its name when there are several.
            if !only.is_empty() {
                for r in reports.iter().filter(|r| !r.found.is_empty()) {
                    let found = presswatch::text::plural(r.found.len(), "item", "items");
                    if reports.len() == 1 {
                        println!("\n{found} found:");
                    } else {
                        println!("\n{}: {found} found:", r.watch);
                    }
                    for it in &r.found {
                        println!("- {} <{}>", render::isolate(&it.title), it.url);
                    }
                }
            }
            for a in reports.iter().flat_map(|r| &r.alerts) {
                println!("\n===== alert {} (dry run: not sent) =====", a.id);
                println!("Subject: {}\n", a.subject());
                print!("{}", render::text(a, &render::Context::of(&cfg)));
            }
        } else {
            if let Some(d) = deliver_unless_daemon(&cfg, &ctx.state).await? {
                if d.sent + d.retrying + d.dead > 0 {
                    println!("{}", super::delivery_line(&cfg, &d));
                }
            }
        }
        let errors = reports
            .iter()
            .any(|r| matches!(r.outcome, check::Outcome::Error(_)));
        Ok(if errors {
            ExitCode::from(1)
        } else {
            ExitCode::SUCCESS
        })
    }
}
