//! `presswatch status`: the table of watches.

use std::path::PathBuf;
use std::process::ExitCode;

use presswatch::config::Config;
use presswatch::store;

use super::open_state;

/// The arguments of `presswatch status`.
#[derive(clap::Args)]
pub struct Status {
    /// The config file.
    #[arg(long, short, value_name = "FILE")]
    config: PathBuf,
}

impl Status {
    /// Prints the table (`presswatch::status::table`), then, when no daemon
    /// runs on the state directory, a line saying so; before them, when
    /// nothing was checked yet, a line saying so in its place
    /// ([`super::nothing_checked_yet`]).
    pub async fn run(self) -> Result<ExitCode, String> {
        let (cfg, state) = open_state(&self.config)?;
        let fresh = super::say_nothing_checked_yet(&cfg);
        print!(
            "{}",
            presswatch::status::table(&cfg, &state, chrono::Utc::now().timestamp())?
        );
        if let Some(line) = no_daemon(&cfg, &state).filter(|_| !fresh) {
            println!("{line}");
        }
        Ok(ExitCode::SUCCESS)
    }
}

/// What to say when no daemon runs on a SQLite state directory: the table's
/// NEXT DUE is the plan a daemon left (a watch overdue reads "now"), and
/// nothing checks the watches or delivers their alerts until one starts.
/// Found as `check` finds it before it delivers: the daemon holds the state
/// directory's lock for as long as it runs ([`store::StateLock`]). `None`
/// while a daemon (or a command delivering) holds it, for a PostgreSQL fleet
/// (the table's fleet lines say which replicas run), and when this user
/// cannot open the lock file (the state is another user's). A state kept
/// read-only (a backup, evidence handed over) is only looked at: its lock
/// file is read, never written.
fn no_daemon(cfg: &Config, state: &store::State) -> Option<String> {
    if cfg.daemon.state_url.is_some() {
        return None;
    }
    let state_dir = &cfg.daemon.state_dir;
    // A daemon makes the lock file as it starts: none there, none ever ran.
    // One there is taken and released at once, held only for the probe; it
    // is never made here, where it would be this user's (root's, under sudo)
    // and the unit's user could not open it. A state kept read-only is only
    // looked at.
    if state.kept_read_only() {
        if store::StateLock::holder_of(state_dir).is_some() {
            return None;
        }
    } else if store::StateLock::path_in(state_dir).exists() {
        let _probe = store::StateLock::try_take(state_dir, store::Role::Delivery)
            .ok()?
            .ok()?;
    }
    Some(format!(
        "daemon: none runs on this state directory ({}): no watch is checked and no alert is delivered \
         until one starts (`systemctl start presswatch`, or `{}`); NEXT DUE is the plan the last daemon made",
        cfg.daemon.state_dir.display(),
        cfg.command("run")
    ))
}
