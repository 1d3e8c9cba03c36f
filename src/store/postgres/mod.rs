//! The PostgreSQL backend: the same state as the SQLite backend, in a
//! database shared by any number of replicas (`state_url = "postgres://…"`).
//!
//! The rest of presswatch calls storage synchronously (on the blocking pool,
//! or briefly from the main loop), as it does SQLite. This backend keeps that
//! shape: `tokio-postgres` connections are driven by a runtime of their own on
//! one thread, and each call waits for its query's answer on the calling
//! thread. A query's future only talks to its connection over a channel, so
//! it can be waited for from any thread, inside a Tokio runtime or not.
//!
//! This module holds the backend ([`Postgres`]): opening the database, its
//! pool of connections and the thread that drives them, and its errors. Its
//! parts are named as the SQLite backend's (`store::state`), each holding
//! that concern's `impl Postgres`:
//!
//! - `watch`: a watch's state ([`WatchState`]), and what this replica holds
//!   of the watches it has leases on;
//! - `versions`: a watch's versions, content-addressed and pruned beyond
//!   `keep`, and what one check leaves behind, stored in one transaction
//!   ([`Postgres::save_check`]);
//! - `events`: takedowns, restores and moves;
//! - `items`: a listing's seen items and the titles they carried, and the
//!   new items of a `follow` watch whose article could not be read yet;
//! - `outbox`: alerts and their delivery to each channel, disabled
//!   channels, digests, mail threads;
//! - `baselines`: the accepted baselines (files with SQLite);
//! - `snapshots`: raw snapshots, kept with their versions;
//! - `migrations`: the schema and its upgrades;
//! - `fleet`: sharing the work between replicas (leases on watches, host
//!   tokens, outbox claims, fleet-wide jobs).

mod baselines;
mod events;
mod fleet;
mod items;
mod migrations;
mod outbox;
mod snapshots;
mod versions;
mod watch;

pub use fleet::{
    ChannelPeer, CheckLease, FleetHosts, FleetView, Forgotten, Lease, LeaseHolder, NoLease,
    OnSchedule, ReplicaInfo, ScheduleAhead, LEASE_AND_LOOK,
};

use std::collections::HashMap;
use std::future::Future;
use std::pin::pin;
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::task::{Context, Poll, Wake, Waker};

use tokio_postgres::error::SqlState;
use tokio_postgres::types::ToSql;
use tokio_postgres::{Client, Row, Statement};

use super::state::{Durability, StateError, WatchState};

type Result<T> = std::result::Result<T, StateError>;
type PgResult<T> = std::result::Result<T, tokio_postgres::Error>;
type Params<'a> = &'a [&'a (dyn ToSql + Sync)];

/// Connections kept open per process at most: enough for the blocking pool,
/// the main loop and delivery to never wait for one another.
const MAX_CONNECTIONS: usize = 8;

/// How long opening a connection may take before the database counts as unreachable.
const CONNECT_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(5);

/// Handle on the PostgreSQL state; cheap to clone, safe to share.
#[derive(Clone)]
pub struct Postgres {
    inner: Arc<Inner>,
}

struct Inner {
    config: tokio_postgres::Config,
    /// This process's id in the fleet.
    replica: String,
    /// How long its leases last unless renewed.
    lease_ms: i64,
    /// Opened for a dry run, which changes nothing: it takes no lease.
    preview: bool,
    /// The URL without its password, for messages.
    location: String,
    driver: Driver,
    pool: Mutex<Pool>,
    freed: Condvar,
    /// The watches this replica holds leases on, with their state.
    held: Mutex<HashMap<String, Held>>,
    /// When this replica last loaded its config (announced it, Unix ms,
    /// the database's clock; 0 before): its row, written again after the
    /// other replicas forgot it, says so, not that it is the oldest.
    config_ms: std::sync::atomic::AtomicI64,
    /// Watches known to have a baseline in the database. A check replaces
    /// baselines, never deletes them, so a watch once seen with one keeps
    /// it and [`Postgres::has_baseline`] need not ask again. Only
    /// [`Postgres::delete_baseline`] (`presswatch check --reset-baseline`)
    /// deletes one; another replica still taking it for present reads no
    /// items from it, which is what the reset asks for.
    with_baseline: Mutex<std::collections::HashSet<String>>,
    /// The host tokens this replica took and has not given back: the only
    /// ones its heartbeat renews. One it could not give back (the database
    /// away, or the give-back lost as it crashed) is dropped from here all
    /// the same, and expires with the lease; renewed by the holder's id
    /// alone, it would come back to life and be kept for ever, a request
    /// slot of its host lost to the whole fleet.
    tokens: Mutex<std::collections::HashSet<i64>>,
}

struct Pool {
    idle: Vec<Conn>,
    open: usize,
}

/// One connection and the statements prepared on it.
pub(super) struct Conn {
    client: Client,
    statements: HashMap<&'static str, Statement>,
    /// Whether the session's commits wait for the disk
    /// (`synchronous_commit`), as [`Durability::Durable`] writes need.
    durable: bool,
    /// Why the server ended the session, once it has (its SQLSTATE).
    ended: Arc<Mutex<Option<SqlState>>>,
}

/// A watch this replica holds a lease on. No other replica checks it
/// meanwhile, so its state is known here: read with the lease, then as
/// this replica's check saved it. A quiet check's state (which SQLite
/// commits lazily) is not written at once but with the lease's hand-back,
/// in the same statement ([`Postgres::finish_leases`]): a replica that dies
/// before leaves the watch's state and lease as they were, and the watch
/// is checked again once the lease expires.
struct Held {
    state: WatchState,
    /// Whether `state` is newer than the database's.
    unsaved: bool,
}

/// The thread whose runtime drives the connections' sockets.
struct Driver {
    handle: tokio::runtime::Handle,
    stop: Mutex<Option<tokio::sync::oneshot::Sender<()>>>,
}

impl Driver {
    fn start() -> std::result::Result<Driver, String> {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| format!("cannot start the PostgreSQL runtime: {e}"))?;
        let handle = rt.handle().clone();
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        std::thread::Builder::new()
            .name("presswatch-postgres".into())
            .spawn(move || {
                rt.block_on(async {
                    let _ = stopped.await;
                });
            })
            .map_err(|e| format!("cannot start the PostgreSQL thread: {e}"))?;
        Ok(Driver {
            handle,
            stop: Mutex::new(Some(stop)),
        })
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        if let Some(stop) = lock(&self.stop).take() {
            let _ = stop.send(());
        }
    }
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// Waits for a future on this thread (parking it between wake-ups).
fn block_on<F: Future>(fut: F) -> F::Output {
    struct Unpark(std::thread::Thread);
    impl Wake for Unpark {
        fn wake(self: Arc<Self>) {
            self.0.unpark();
        }
    }
    let waker = Waker::from(Arc::new(Unpark(std::thread::current())));
    let mut cx = Context::from_waker(&waker);
    let mut fut = pin!(fut);
    loop {
        if let Poll::Ready(out) = fut.as_mut().poll(&mut cx) {
            return out;
        }
        std::thread::park();
    }
}

/// A replica id unique in the fleet: `hostname:pid:random`.
fn replica_id() -> String {
    use std::hash::{BuildHasher, Hasher};
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u128(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0),
    );
    format!(
        "{}:{}:{:04x}",
        fleet::hostname(),
        std::process::id(),
        h.finish() & 0xffff
    )
}

/// `postgres://user:secret@host/db` without the secret.
fn redact(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut u) => {
            if u.password().is_some() {
                let _ = u.set_password(Some("***"));
            }
            u.to_string()
        }
        Err(_) => "postgres://…".into(),
    }
}

fn tls_connector() -> std::result::Result<tokio_postgres_rustls::MakeRustlsConnect, String> {
    use rustls_platform_verifier::ConfigVerifierExt;
    let config = rustls::ClientConfig::with_platform_verifier()
        .map_err(|e| format!("cannot set up TLS for PostgreSQL: {e}"))?;
    Ok(tokio_postgres_rustls::MakeRustlsConnect::new(config))
}

impl Postgres {
    /// Connects to the database at `url` (a `postgres://` URL; `password`
    /// from `state_password_env` / `_file`), and brings its schema up to
    /// date. `lease` is how long this process's leases last unless renewed.
    pub fn open(
        url: &str,
        password: Option<&str>,
        lease: std::time::Duration,
    ) -> std::result::Result<Postgres, String> {
        let pg = Postgres::connect_to(url, password, lease, false)?;
        let mut conn = pg.checkout(false).map_err(|e| pg.not_opened(e))?;
        let applied = block_on(migrations::apply(&mut conn.client))
            .map_err(|e| format!("state database {}: {e}", pg.inner.location))?;
        if !applied.is_empty() {
            tracing::info!(database = %pg.inner.location, versions = ?applied, "schema migrations applied");
        }
        pg.checkin(conn);
        Ok(pg)
    }

    /// Connects for a dry run (or a command that only reads), which must
    /// change nothing: a database whose schema is not this presswatch's is
    /// an error, saying how to upgrade it (none yet, or an older one) or
    /// presswatch (a newer one, as [`Postgres::open`] refuses it).
    pub fn open_preview(
        url: &str,
        password: Option<&str>,
        lease: std::time::Duration,
    ) -> std::result::Result<Postgres, String> {
        let pg = Postgres::connect_to(url, password, lease, true)?;
        let conn = pg.checkout(false).map_err(|e| pg.not_opened(e))?;
        let current = block_on(migrations::current(&conn.client))
            .map_err(|e| format!("state database {}: {e}", pg.inner.location))?;
        pg.checkin(conn);
        let location = &pg.inner.location;
        migrations::refuse_newer(current).map_err(|e| format!("state database {location}: {e}"))?;
        let upgrade = super::UPGRADE_IT;
        match current {
            0 => Err(format!(
                "state database {location} holds no presswatch tables yet, and this command creates none (it changes nothing): {upgrade}"
            )),
            v if v < migrations::latest() => Err(format!(
                "state database {location} was written by an older presswatch (schema version {v}, this one needs {}) and must be upgraded first, which this command does not do (it changes nothing): {upgrade}",
                migrations::latest()
            )),
            _ => Ok(pg),
        }
    }

    /// Connects to the database at `url`, its schema as it is; a `preview`
    /// (a dry run) takes no lease.
    fn connect_to(
        url: &str,
        password: Option<&str>,
        lease: std::time::Duration,
        preview: bool,
    ) -> std::result::Result<Postgres, String> {
        let location = redact(url);
        let mut config: tokio_postgres::Config = url
            .parse()
            .map_err(|e| format!("daemon.state_url {location}: {e}"))?;
        if let Some(p) = password {
            config.password(p);
        }
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(CONNECT_TIMEOUT);
        }
        if config.get_application_name().is_none() {
            config.application_name("presswatch");
        }
        Ok(Postgres {
            inner: Arc::new(Inner {
                config,
                replica: replica_id(),
                lease_ms: lease.as_millis().min(i64::MAX as u128) as i64,
                preview,
                location,
                driver: Driver::start()?,
                pool: Mutex::new(Pool {
                    idle: Vec::new(),
                    open: 0,
                }),
                freed: Condvar::new(),
                held: Mutex::new(HashMap::new()),
                config_ms: std::sync::atomic::AtomicI64::new(0),
                with_baseline: Mutex::new(std::collections::HashSet::new()),
                tokens: Mutex::new(std::collections::HashSet::new()),
            }),
        })
    }

    /// The database, as a URL without its password.
    pub fn location(&self) -> &str {
        &self.inner.location
    }

    /// Why the database could not be opened; when it did not answer, with
    /// what to check: that PostgreSQL runs where `state_url` says and
    /// takes connections from here.
    fn not_opened(&self, e: StateError) -> String {
        if !e.is_unavailable() {
            return e.to_string();
        }
        format!(
            "{e}: PostgreSQL does not answer there. Check that it runs and takes connections \
             from this machine ({}), and that daemon.state_url names its host and port",
            self.pg_isready()
        )
    }

    /// The command that asks whether the database's server takes
    /// connections: `` `pg_isready -h db.example.org -p 5432` ``.
    pub fn pg_isready(&self) -> String {
        let host = match self.inner.config.get_hosts().first() {
            Some(tokio_postgres::config::Host::Tcp(h)) => h.clone(),
            #[cfg(unix)]
            Some(tokio_postgres::config::Host::Unix(dir)) => dir.display().to_string(),
            None => "localhost".to_string(),
        };
        let port = self
            .inner
            .config
            .get_ports()
            .first()
            .copied()
            .unwrap_or(5432);
        format!("`pg_isready -h {host} -p {port}`")
    }

    /// Opens a connection whose session's commits wait for the disk when `durable`.
    fn connect(&self, durable: bool) -> Result<Conn> {
        let config = self.inner.config.clone();
        let needs_tls = config.get_ssl_mode() != tokio_postgres::config::SslMode::Disable;
        let ended = Arc::new(Mutex::new(None));
        let why = ended.clone();
        let opened = self.inner.driver.handle.spawn(async move {
            let client = if needs_tls {
                let tls = tls_connector().map_err(ConnectError::Setup)?;
                let (client, connection) = config.connect(tls).await.map_err(ConnectError::Db)?;
                tokio::spawn(serve(connection, why));
                client
            } else {
                let (client, connection) = config
                    .connect(tokio_postgres::NoTls)
                    .await
                    .map_err(ConnectError::Db)?;
                tokio::spawn(serve(connection, why));
                client
            };
            Ok::<_, ConnectError>(client)
        });
        let client = match block_on(opened) {
            Ok(Ok(client)) => client,
            Ok(Err(ConnectError::Db(e))) => return Err(self.err(e)),
            Ok(Err(ConnectError::Setup(e))) => return Err(StateError::other(self.location(), e)),
            Err(e) => {
                return Err(StateError::unavailable(
                    self.location(),
                    format!("the connection task stopped: {e}"),
                ))
            }
        };
        let setup = format!(
            "{}; SET idle_in_transaction_session_timeout = {}",
            synchronous_commit(durable),
            self.inner.lease_ms.clamp(1, i64::from(i32::MAX))
        );
        block_on(client.batch_execute(&setup)).map_err(|e| self.err(e))?;
        Ok(Conn {
            client,
            statements: HashMap::new(),
            durable,
            ended,
        })
    }

    /// Takes an idle connection whose session has `durable` commits, or
    /// opens one (up to [`MAX_CONNECTIONS`]), or switches an idle one, or
    /// waits for one to be returned.
    fn checkout(&self, durable: bool) -> Result<Conn> {
        let mut pool = lock(&self.inner.pool);
        loop {
            let before = pool.idle.len();
            pool.idle.retain(|c| !c.client.is_closed());
            pool.open -= before - pool.idle.len();
            if let Some(i) = pool.idle.iter().rposition(|c| c.durable == durable) {
                return Ok(pool.idle.swap_remove(i));
            }
            if pool.open < MAX_CONNECTIONS {
                pool.open += 1;
                drop(pool);
                return self.connect(durable).inspect_err(|_| {
                    lock(&self.inner.pool).open -= 1;
                    self.inner.freed.notify_one();
                });
            }
            if let Some(mut conn) = pool.idle.pop() {
                drop(pool);
                return match block_on(conn.client.batch_execute(synchronous_commit(durable))) {
                    Ok(()) => {
                        conn.durable = durable;
                        Ok(conn)
                    }
                    Err(e) => {
                        self.checkin(conn);
                        Err(self.err(e))
                    }
                };
            }
            pool = self
                .inner
                .freed
                .wait(pool)
                .unwrap_or_else(|p| p.into_inner());
        }
    }

    fn checkin(&self, conn: Conn) {
        let mut pool = lock(&self.inner.pool);
        if conn.client.is_closed() {
            pool.open -= 1;
        } else {
            pool.idle.push(conn);
        }
        drop(pool);
        self.inner.freed.notify_one();
    }

    /// Runs `work` on a connection of the pool whose commits do not wait
    /// for the disk (reads, and writes a crash of the database may lose).
    pub(super) fn run<T>(&self, work: impl AsyncFnOnce(&mut Conn) -> PgResult<T>) -> Result<T> {
        self.session(Durability::Lazy, work)
    }

    /// Runs `work` on a connection of the pool whose commits wait for the
    /// disk only with [`Durability::Durable`]: a one-statement durable
    /// write needs no transaction around it.
    pub(super) fn session<T>(
        &self,
        durability: Durability,
        work: impl AsyncFnOnce(&mut Conn) -> PgResult<T>,
    ) -> Result<T> {
        let mut conn = self.checkout(durability == Durability::Durable)?;
        let out = block_on(work(&mut conn));
        let stalled = out.as_ref().is_err_and(|e| conn.stalled_in_transaction(e));
        self.checkin(conn);
        out.map_err(|e| {
            if stalled {
                StateError::other(
                    self.location(),
                    format!(
                        "this process left a transaction idle for longer than daemon.lease ({} ms): it stalled (a paused VM, a starved process), and the database rolled the transaction back so that its row locks do not hold up the other replicas, and nothing of it was stored; if this recurs, find what pauses this process or raise daemon.lease",
                        self.inner.lease_ms
                    ),
                )
            } else {
                self.err(e)
            }
        })
    }

    /// Runs `work` in one transaction; only with [`Durability::Durable`]
    /// does its commit wait for the disk.
    pub(super) fn transaction<T>(
        &self,
        durability: Durability,
        work: impl AsyncFnOnce(&mut Conn) -> PgResult<T>,
    ) -> Result<T> {
        self.session(durability, async |c| {
            c.client.batch_execute("BEGIN").await?;
            match work(c).await {
                Ok(v) => {
                    c.client.batch_execute("COMMIT").await?;
                    Ok(v)
                }
                Err(e) => {
                    let _ = c.client.batch_execute("ROLLBACK").await;
                    Err(e)
                }
            }
        })
    }

    pub(super) fn err(&self, e: tokio_postgres::Error) -> StateError {
        let unavailable = e.is_closed()
            || e.code().is_some_and(|c| {
                let c = c.code();
                c.starts_with("08") || c.starts_with("57P")
            })
            || (e.as_db_error().is_none()
                && std::error::Error::source(&e).is_some_and(|s| s.is::<std::io::Error>()));
        // tokio-postgres says only "db error" for the server's errors: name them.
        let message = match e.as_db_error() {
            Some(db) => format!("{} (SQLSTATE {})", db.message(), db.code().code()),
            None => match std::error::Error::source(&e) {
                Some(cause) => format!("{e}: {cause}"),
                None => e.to_string(),
            },
        };
        if unavailable {
            StateError::unavailable(self.location(), message)
        } else {
            StateError::other(self.location(), message)
        }
    }

    /// Fails unless the database answers and accepts writes (health checks).
    pub fn check_writable(&self) -> Result<()> {
        self.run(async |c| {
            let r = c.query_one("SELECT pg_is_in_recovery()", &[]).await?;
            let read_only: bool = r.get(0);
            if read_only {
                // A standby answers but takes no writes: report it like a refused write.
                c.client
                    .batch_execute("CREATE TEMP TABLE presswatch_write_check ()")
                    .await?;
            }
            Ok(())
        })
    }

    /// This installation's id: random, made when the schema was created.
    pub fn installation_id(&self) -> Result<String> {
        self.run(async |c| {
            Ok(c.query_one("SELECT id FROM installation", &[])
                .await?
                .get(0))
        })
    }
}

/// The setting that makes a session's commits wait for the disk, or not.
/// Only [`Durability::Durable`] writes wait: the fleet's leases, tokens and
/// claims are written many times a second and a crash of the database may
/// lose the last of them, which costs at worst a repeated check.
fn synchronous_commit(durable: bool) -> &'static str {
    if durable {
        "SET synchronous_commit = on"
    } else {
        "SET synchronous_commit = off"
    }
}

/// Drives a connection until it ends, noting in `ended` why the server
/// ended it (before the client sees it closed).
async fn serve<S, T>(
    mut connection: tokio_postgres::Connection<S, T>,
    ended: Arc<Mutex<Option<SqlState>>>,
) where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin,
    T: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin,
{
    if let Err(e) = (&mut connection).await {
        *lock(&ended) = e.code().cloned();
    }
}

enum ConnectError {
    Db(tokio_postgres::Error),
    Setup(String),
}

impl Conn {
    /// Whether `e` failed this session's work because the server ended the
    /// session for staying idle in a transaction longer than the lease
    /// (`idle_in_transaction_session_timeout`, set when it opens): this
    /// process stalled mid-transaction, a paused VM or a starved process.
    /// Without that timeout, the row locks of a stalled replica's open
    /// transaction (its heartbeat renewing a watch's lease, a check being
    /// stored) would hold up the other replicas until its connection died:
    /// their lease queries skip the locked watch and their schedule waits
    /// for it, so the watch would go unchecked.
    fn stalled_in_transaction(&self, e: &tokio_postgres::Error) -> bool {
        let timeout = Some(&SqlState::IDLE_IN_TRANSACTION_SESSION_TIMEOUT);
        e.code() == timeout || (e.is_closed() && lock(&self.ended).as_ref() == timeout)
    }

    /// The statement for `sql`, prepared once per connection.
    async fn prepare(&mut self, sql: &'static str) -> PgResult<Statement> {
        if let Some(s) = self.statements.get(sql) {
            return Ok(s.clone());
        }
        let s = self.client.prepare(sql).await?;
        self.statements.insert(sql, s.clone());
        Ok(s)
    }

    pub(super) async fn query(
        &mut self,
        sql: &'static str,
        params: Params<'_>,
    ) -> PgResult<Vec<Row>> {
        let s = self.prepare(sql).await?;
        self.client.query(&s, params).await
    }

    pub(super) async fn query_opt(
        &mut self,
        sql: &'static str,
        params: Params<'_>,
    ) -> PgResult<Option<Row>> {
        let s = self.prepare(sql).await?;
        self.client.query_opt(&s, params).await
    }

    pub(super) async fn query_one(
        &mut self,
        sql: &'static str,
        params: Params<'_>,
    ) -> PgResult<Row> {
        let s = self.prepare(sql).await?;
        self.client.query_one(&s, params).await
    }

    pub(super) async fn execute(&mut self, sql: &'static str, params: Params<'_>) -> PgResult<u64> {
        let s = self.prepare(sql).await?;
        self.client.execute(&s, params).await
    }
}
