//! A throwaway PostgreSQL cluster on 127.0.0.1 for the tests (and the cycle
//! benchmark): `initdb` + `pg_ctl` in a temporary directory, password
//! authentication, one fresh database per test. Started once per test
//! process; a watchdog stops it and deletes its files when the process
//! exits. As root, the server runs as the `postgres` user (it refuses root).
//!
//! Tests that need it call [`cluster`]: it skips them with a message when
//! PostgreSQL cannot start here, except under `CI=true`, where they fail.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, OnceLock};

/// The cluster's superuser, and its password (tests pass it the way ops
/// would: `state_password_env`).
pub const USER: &str = "presswatch";
/// The superuser's password.
pub const PASSWORD: &str = "throwaway-test-secret";
/// The environment variable configs in the tests name in `state_password_env`.
pub const PASSWORD_ENV: &str = "PRESSWATCH_TEST_PG_PASSWORD";

/// A running cluster.
pub struct Cluster {
    /// Its port on 127.0.0.1.
    pub port: u16,
    dir: PathBuf,
    bin: PathBuf,
    databases: AtomicUsize,
    /// While stopped ([`Cluster::stop`]): its port, bound and not listening,
    /// so that no other test's server takes it before the restart.
    reserved: Mutex<Option<tokio::net::TcpSocket>>,
}

/// The `[daemon]` lines that choose the PostgreSQL database at `url`, its
/// password read from [`PASSWORD_ENV`].
pub fn state_lines(url: &str) -> String {
    format!("state_url = \"{url}\"\nstate_password_env = \"{PASSWORD_ENV}\"\n")
}

/// A lease longer than any test runs: replicas given it hold what they
/// lease until the test runs it out ([`lease_time_passes`]).
pub const LASTING_LEASE: std::time::Duration = std::time::Duration::from_secs(600);

/// What a lease time passing without a renewal does to `replicas` (handles
/// on databases of [`cluster`]): every lease they hold runs out, on
/// watches, host tokens, leaderships and outbox claims, its end now past:
/// when the test says, not when a busy machine has taken a lease time over
/// the test's next few database calls.
pub fn lease_time_passes(replicas: &[&presswatch::store::State]) {
    let cluster = cluster().expect("replicas on the tests' PostgreSQL cluster");
    for r in replicas {
        let url = r.location();
        let id = r.shared().expect("a PostgreSQL state").replica();
        cluster
            .psql(
                cluster.name_of(&url),
                &format!(
                    "UPDATE watch_state SET lease_until_ms = 0 WHERE lease_owner = '{id}';
                     UPDATE host_tokens SET until_ms = 0 WHERE holder = '{id}';
                     UPDATE leader_leases SET until_ms = 0 WHERE holder = '{id}';
                     UPDATE outbox SET claim_until_ms = 0 WHERE claimed_by = '{id}';"
                ),
            )
            .unwrap();
    }
}

/// The cluster, started on first use; `None` (after printing why) when
/// PostgreSQL cannot start here and CI is not set.
pub fn cluster() -> Option<&'static Cluster> {
    static CLUSTER: OnceLock<Result<Cluster, String>> = OnceLock::new();
    match CLUSTER.get_or_init(|| start(false)) {
        Ok(c) => Some(c),
        Err(why) => {
            if std::env::var("CI").is_ok_and(|v| v == "true") {
                panic!("PostgreSQL is required in CI and could not start: {why}");
            }
            eprintln!("SKIPPED (PostgreSQL cannot start here: {why}; install Debian's postgresql package)");
            None
        }
    }
}

impl Cluster {
    /// A new, empty database; its URL (without the password).
    pub fn database(&self) -> String {
        let n = self.databases.fetch_add(1, Ordering::SeqCst);
        let name = format!("t{}_{n}", std::process::id());
        let out = self
            .psql("postgres", &format!("CREATE DATABASE {name}"))
            .expect("create a test database");
        assert!(out.is_empty() || out.contains("CREATE"), "{out}");
        self.url(&name)
    }

    /// The URL of database `name`.
    pub fn url(&self, name: &str) -> String {
        format!(
            "postgres://{USER}@127.0.0.1:{}/{name}?sslmode=disable",
            self.port
        )
    }

    /// The name of the database at `url` (one of [`Cluster::database`]'s),
    /// as [`Cluster::psql`] takes it.
    pub fn name_of<'a>(&self, url: &'a str) -> &'a str {
        let path = url.rsplit('/').next().unwrap_or(url);
        path.split('?').next().unwrap_or(path)
    }

    /// Runs SQL with psql; its output.
    pub fn psql(&self, db: &str, sql: &str) -> Result<String, String> {
        let out = Command::new(self.bin.join("psql"))
            .args([
                "-X",
                "-q",
                "-A",
                "-t",
                "-v",
                "ON_ERROR_STOP=1",
                "-h",
                "127.0.0.1",
            ])
            .args([
                "-p",
                &self.port.to_string(),
                "-U",
                USER,
                "-d",
                db,
                "-c",
                sql,
            ])
            .env("PGPASSWORD", PASSWORD)
            .output()
            .map_err(|e| format!("psql: {e}"))?;
        if !out.status.success() {
            return Err(String::from_utf8_lossy(&out.stderr).into_owned());
        }
        Ok(String::from_utf8_lossy(&out.stdout).trim().to_string())
    }

    /// The server's main process (its children are the connections).
    pub fn postmaster_pid(&self) -> Option<u32> {
        std::fs::read_to_string(self.dir.join("data/postmaster.pid"))
            .ok()?
            .lines()
            .next()?
            .trim()
            .parse()
            .ok()
    }

    /// Stops the server at once (as a crash would), for the drills. Its
    /// port stays reserved until [`Cluster::restart`]: connections to it are
    /// refused, as by a stopped server, and no other test's server can take
    /// it meanwhile.
    pub fn stop(&self) {
        let _ = as_server_user(self.bin.join("pg_ctl"))
            .args(["-D"])
            .arg(self.dir.join("data"))
            .args(["stop", "-m", "immediate", "-w"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
        // Address reuse: the server's closed connections may still hold the
        // port (TIME_WAIT), and PostgreSQL binds it beside this socket.
        let reserved = tokio::net::TcpSocket::new_v4().and_then(|s| {
            s.set_reuseaddr(true)?;
            s.bind(([127, 0, 0, 1], self.port).into())?;
            Ok(s)
        });
        *self.reserved.lock().unwrap() = reserved.ok();
    }

    /// Starts the server again after [`Cluster::stop`], on its port.
    pub fn restart(&self) {
        self.reserved.lock().unwrap().take();
        let ok = pg_ctl_start(&self.bin, &self.dir, self.port, false);
        assert!(ok.is_ok(), "{ok:?}");
    }
}

/// The directory of PostgreSQL's programs (Debian puts them under
/// /usr/lib/postgresql/VERSION/bin), newest version first.
fn bin_dir() -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os("PRESSWATCH_PG_BIN") {
        return Some(PathBuf::from(dir));
    }
    let mut versions: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .flatten()
        .map(|e| e.path().join("bin"))
        .filter(|b| b.join("initdb").is_file())
        .collect();
    versions.sort();
    versions.pop()
}

fn is_root() -> bool {
    // The owner of /proc/self is the process's effective user.
    std::os::unix::fs::MetadataExt::uid(&std::fs::metadata("/proc/self").unwrap()) == 0
}

/// A command run as the server's user: `postgres` when we are root.
fn as_server_user(program: PathBuf) -> Command {
    if is_root() {
        let mut c = Command::new("runuser");
        c.args(["-u", "postgres", "--"]).arg(program);
        c
    } else {
        Command::new(program)
    }
}

/// Starts a cluster; `durable` keeps fsync on (the benchmark), else off (tests).
pub fn start(durable: bool) -> Result<Cluster, String> {
    let bin = bin_dir().ok_or("no initdb under /usr/lib/postgresql")?;
    let dir = tempfile::Builder::new()
        .prefix("presswatch-pg")
        .tempdir()
        .map_err(|e| e.to_string())?
        .keep();
    if is_root() {
        let pw = Command::new("id").args(["-u", "postgres"]).output();
        let uid: u32 = pw
            .ok()
            .and_then(|o| String::from_utf8_lossy(&o.stdout).trim().parse().ok())
            .ok_or("running as root and there is no postgres user to run the server as")?;
        std::os::unix::fs::chown(&dir, Some(uid), None).map_err(|e| e.to_string())?;
    }
    let pwfile = dir.join("pw");
    std::fs::write(&pwfile, PASSWORD).map_err(|e| e.to_string())?;
    if is_root() {
        let _ = Command::new("chown").arg("postgres").arg(&pwfile).status();
    }
    let out = as_server_user(bin.join("initdb"))
        .arg("-D")
        .arg(dir.join("data"))
        .args([
            "-U",
            USER,
            "--auth=scram-sha-256",
            "-E",
            "UTF8",
            "--locale=C",
        ])
        .arg(format!("--pwfile={}", pwfile.display()))
        .output()
        .map_err(|e| format!("initdb: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "initdb failed: {}",
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    // The port is free when chosen, but another test's server may take it
    // before PostgreSQL binds it (a second or more on a busy machine): then
    // PostgreSQL tries another.
    let mut tries = 0;
    let port = loop {
        let port = free_port();
        match pg_ctl_start(&bin, &dir, port, durable) {
            Ok(()) => break port,
            Err(e) if e.contains("could not bind") && tries < 5 => tries += 1,
            Err(e) => return Err(e),
        }
    };
    watchdog(&bin, &dir);
    Ok(Cluster {
        port,
        dir,
        bin,
        databases: AtomicUsize::new(0),
        reserved: Mutex::new(None),
    })
}

fn pg_ctl_start(bin: &Path, dir: &Path, port: u16, durable: bool) -> Result<(), String> {
    let opts = format!(
        "-p {port} -k {} -c listen_addresses=127.0.0.1 -c max_connections=300 -c fsync={} -c full_page_writes={}",
        dir.display(),
        if durable { "on" } else { "off" },
        if durable { "on" } else { "off" },
    );
    let out = as_server_user(bin.join("pg_ctl"))
        .arg("-D")
        .arg(dir.join("data"))
        .arg("-l")
        .arg(dir.join("server.log"))
        .args(["-o", &opts, "-w", "start"])
        .output()
        .map_err(|e| format!("pg_ctl: {e}"))?;
    if !out.status.success() {
        let log = std::fs::read_to_string(dir.join("server.log")).unwrap_or_default();
        return Err(format!(
            "pg_ctl start failed: {}{log}",
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    Ok(())
}

/// Stops the cluster and deletes its directory once this process has exited.
fn watchdog(bin: &Path, dir: &Path) {
    let stop = if is_root() {
        format!(
            "runuser -u postgres -- {} -D {}/data stop -m immediate",
            bin.join("pg_ctl").display(),
            dir.display()
        )
    } else {
        format!(
            "{} -D {}/data stop -m immediate",
            bin.join("pg_ctl").display(),
            dir.display()
        )
    };
    let script = format!(
        "while kill -0 {pid} 2>/dev/null; do sleep 1; done; {stop} >/dev/null 2>&1; rm -rf {dir}",
        pid = std::process::id(),
        dir = dir.display()
    );
    use std::os::unix::process::CommandExt;
    let _ = Command::new("sh")
        .args(["-c", &script])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .process_group(0)
        .spawn();
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}
