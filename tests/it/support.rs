//! Real servers on 127.0.0.1 for the integration tests: an HTTP/1.1 server
//! whose routes a test sets (pages, feeds, webhook receivers), over plain TCP
//! or TLS with a certificate made at test time; an SMTP server, plain or
//! speaking TLS (STARTTLS or implicit); and helpers to run the `presswatch`
//! binary.

#![allow(dead_code)]

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// A canned response.
#[derive(Clone, Debug)]
pub struct Route {
    /// HTTP status.
    pub status: u16,
    /// Extra headers (Content-Type, ETag, Location, ...).
    pub headers: Vec<(String, String)>,
    /// The body.
    pub body: Vec<u8>,
}

impl Route {
    /// 200 text/html with this body.
    pub fn html(body: impl Into<Vec<u8>>) -> Route {
        Route {
            status: 200,
            headers: vec![("Content-Type".into(), "text/html; charset=utf-8".into())],
            body: body.into(),
        }
    }
    /// A bare status with an empty body.
    pub fn status(status: u16) -> Route {
        Route {
            status,
            headers: vec![],
            body: vec![],
        }
    }
    /// Adds a header.
    pub fn header(mut self, k: &str, v: &str) -> Route {
        self.headers.push((k.into(), v.into()));
        self
    }
}

/// A request the server received.
#[derive(Clone, Debug)]
pub struct Request {
    /// GET, POST, ...
    pub method: String,
    /// Path and query.
    pub path: String,
    /// Headers, names lower-cased.
    pub headers: HashMap<String, String>,
    /// The body.
    pub body: Vec<u8>,
    /// When it was recorded: after it arrived, before it was answered.
    pub at: Instant,
}

/// A loopback HTTP server. Unknown paths answer 404; a route with an ETag
/// answers 304 to a matching If-None-Match; POSTs answer 200 unless a route
/// says otherwise (a route list per path is served in turn, the last repeating).
#[derive(Clone)]
pub struct Server {
    /// Where it listens.
    pub addr: SocketAddr,
    /// "http", or "https" for a server started with [`Server::start_tls`].
    scheme: &'static str,
    routes: Arc<Mutex<HashMap<String, Vec<Route>>>>,
    requests: Arc<Mutex<Vec<Request>>>,
}

impl Server {
    /// Starts a server on 127.0.0.1 on a free port.
    pub async fn start() -> Server {
        Server::listen(None).await
    }

    /// Starts a server on 127.0.0.1 on a free port that speaks HTTPS only,
    /// presenting `cert`. A client that refuses the certificate ends the
    /// handshake, and no request is recorded.
    pub async fn start_tls(cert: &ServerCert) -> Server {
        Server::listen(Some(cert.acceptor())).await
    }

    async fn listen(tls: Option<tokio_rustls::TlsAcceptor>) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind loopback");
        let server = Server {
            addr: listener.local_addr().unwrap(),
            scheme: if tls.is_some() { "https" } else { "http" },
            routes: Default::default(),
            requests: Default::default(),
        };
        let s = server.clone();
        tokio::spawn(async move {
            while let Ok((sock, _)) = listener.accept().await {
                let s = s.clone();
                let tls = tls.clone();
                tokio::spawn(async move {
                    let _ = match tls {
                        None => s.serve(sock).await,
                        Some(tls) => match tls.accept(sock).await {
                            Ok(sock) => s.serve(sock).await,
                            Err(_) => Ok(()),
                        },
                    };
                });
            }
        });
        server
    }

    /// The absolute URL of a path on this server.
    pub fn url(&self, path: &str) -> String {
        format!("{}://{}{}", self.scheme, self.addr, path)
    }

    /// Serves `route` at `path` from now on.
    pub fn set(&self, path: &str, route: Route) {
        self.routes
            .lock()
            .unwrap()
            .insert(path.to_string(), vec![route]);
    }

    /// Serves these routes at `path` one request after another; the last repeats.
    pub fn sequence(&self, path: &str, routes: Vec<Route>) {
        self.routes.lock().unwrap().insert(path.to_string(), routes);
    }

    /// Every request received so far.
    pub fn requests(&self) -> Vec<Request> {
        self.requests.lock().unwrap().clone()
    }

    /// Requests received for one path.
    pub fn requests_to(&self, path: &str) -> Vec<Request> {
        self.requests()
            .into_iter()
            .filter(|r| r.path == path)
            .collect()
    }

    async fn serve(&self, mut sock: impl AsyncRead + AsyncWrite + Unpin) -> std::io::Result<()> {
        let mut buf = Vec::new();
        let mut chunk = [0u8; 8192];
        let head_end = loop {
            let n = sock.read(&mut chunk).await?;
            if n == 0 {
                return Ok(());
            }
            buf.extend_from_slice(&chunk[..n]);
            if let Some(p) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                break p + 4;
            }
        };
        let head = String::from_utf8_lossy(&buf[..head_end]).to_string();
        let mut lines = head.split("\r\n");
        let mut first = lines.next().unwrap_or("").split(' ');
        let method = first.next().unwrap_or("").to_string();
        let path = first.next().unwrap_or("").to_string();
        let headers: HashMap<String, String> = lines
            .filter_map(|l| l.split_once(':'))
            .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
            .collect();
        let len: usize = headers
            .get("content-length")
            .and_then(|v| v.parse().ok())
            .unwrap_or(0);
        let mut body = buf[head_end..].to_vec();
        while body.len() < len {
            let n = sock.read(&mut chunk).await?;
            if n == 0 {
                break;
            }
            body.extend_from_slice(&chunk[..n]);
        }
        let route = {
            let mut routes = self.routes.lock().unwrap();
            match routes.get_mut(&path) {
                Some(list) if list.len() > 1 => Some(list.remove(0)),
                Some(list) => list.first().cloned(),
                None => None,
            }
        };
        let if_none_match = headers.get("if-none-match").cloned();
        self.requests.lock().unwrap().push(Request {
            method: method.clone(),
            path,
            headers,
            body,
            at: Instant::now(),
        });
        let route = route.unwrap_or_else(|| {
            if method == "POST" {
                Route::status(200)
            } else {
                Route::status(404)
            }
        });
        let etag = route
            .headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case("etag"))
            .map(|(_, v)| v.clone());
        let (status, headers, body) = if etag.is_some() && etag == if_none_match {
            (304, vec![], vec![])
        } else {
            (route.status, route.headers, route.body)
        };
        let mut out = format!(
            "HTTP/1.1 {status} X\r\nContent-Length: {}\r\nConnection: close\r\n",
            body.len()
        );
        for (k, v) in headers {
            out.push_str(&format!("{k}: {v}\r\n"));
        }
        out.push_str("\r\n");
        sock.write_all(out.as_bytes()).await?;
        sock.write_all(&body).await?;
        sock.shutdown().await
    }
}

// ---- certificates made at test time, for `Server::start_tls` ---------------

/// A certificate authority made for one test. A `presswatch` process trusts
/// it as a machine trusts a CA installed in its store: run it with
/// `SSL_CERT_FILE` naming the CA's PEM file ([`TestCa::trust_file`]), which
/// then stands for the whole store (rustls-platform-verifier reads the
/// store through rustls-native-certs, which honours the variable).
pub struct TestCa {
    issuer: rcgen::Issuer<'static, rcgen::KeyPair>,
    der: Vec<u8>,
}

/// A server's certificate (with the chain up to its CA) and its key.
pub struct ServerCert {
    chain: Vec<rustls::pki_types::CertificateDer<'static>>,
    key: rustls::pki_types::PrivateKeyDer<'static>,
    /// The certificate itself.
    der: Vec<u8>,
}

impl ServerCert {
    /// A self-signed certificate for `names`, issued by no CA: what a
    /// receiver set up by hand, or a device's built-in page, presents.
    pub fn self_signed(names: &[&str]) -> ServerCert {
        let key = rcgen::KeyPair::generate().unwrap();
        let cert = server_params(names, (2020, 1, 1), (4000, 1, 1))
            .self_signed(&key)
            .unwrap();
        ServerCert {
            chain: vec![cert.der().clone()],
            key: private_key(&key),
            der: cert.der().to_vec(),
        }
    }

    /// A self-signed certificate for `names` marked as a certificate
    /// authority (basic constraints `CA:TRUE`), as plain `openssl req
    /// -x509` makes one: what a server set up by hand often presents.
    pub fn self_signed_ca(names: &[&str]) -> ServerCert {
        let key = rcgen::KeyPair::generate().unwrap();
        let mut params = server_params(names, (2020, 1, 1), (4000, 1, 1));
        params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
        let cert = params.self_signed(&key).unwrap();
        ServerCert {
            chain: vec![cert.der().clone()],
            key: private_key(&key),
            der: cert.der().to_vec(),
        }
    }

    /// Writes this certificate as PEM into `dir` and returns the file: a
    /// `presswatch` process run with `SSL_CERT_FILE` naming it trusts this
    /// certificate (and nothing else), as when an operator adds a
    /// self-signed certificate to the machine's store.
    pub fn trust_file(&self, dir: &Path) -> String {
        trust_file(dir, &self.der)
    }

    /// A TLS acceptor that presents this certificate (and its chain).
    fn acceptor(&self) -> tokio_rustls::TlsAcceptor {
        let config = rustls::ServerConfig::builder()
            .with_no_client_auth()
            .with_single_cert(self.chain.clone(), self.key.clone_key())
            .expect("a usable test certificate");
        tokio_rustls::TlsAcceptor::from(Arc::new(config))
    }
}

/// A server certificate's parameters: `names` (host names or IP addresses),
/// valid from one day to another, for TLS servers.
fn server_params(
    names: &[&str],
    from: (i32, u8, u8),
    until: (i32, u8, u8),
) -> rcgen::CertificateParams {
    let names: Vec<String> = names.iter().map(|n| n.to_string()).collect();
    let mut params = rcgen::CertificateParams::new(names).unwrap();
    params
        .distinguished_name
        .push(rcgen::DnType::CommonName, "presswatch test server");
    params.not_before = rcgen::date_time_ymd(from.0, from.1, from.2);
    params.not_after = rcgen::date_time_ymd(until.0, until.1, until.2);
    params.extended_key_usages = vec![rcgen::ExtendedKeyUsagePurpose::ServerAuth];
    params
}

fn private_key(key: &rcgen::KeyPair) -> rustls::pki_types::PrivateKeyDer<'static> {
    rustls::pki_types::PrivatePkcs8KeyDer::from(key.serialize_der()).into()
}

impl TestCa {
    /// A new CA named `name` (its subject's common name), with a key of its
    /// own. Two CAs of one name would be taken for one: name them apart.
    pub fn new(name: &str) -> TestCa {
        let mut params = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
        params
            .distinguished_name
            .push(rcgen::DnType::CommonName, name);
        params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
        params.key_usages = vec![
            rcgen::KeyUsagePurpose::KeyCertSign,
            rcgen::KeyUsagePurpose::CrlSign,
        ];
        let key = rcgen::KeyPair::generate().unwrap();
        let der = params.self_signed(&key).unwrap().der().to_vec();
        TestCa {
            issuer: rcgen::Issuer::new(params, key),
            der,
        }
    }

    /// A server certificate this CA issued for `names` (host names or IP
    /// addresses), valid from 2020 for many years.
    pub fn issue(&self, names: &[&str]) -> ServerCert {
        self.issue_valid(names, (2020, 1, 1), (4000, 1, 1))
    }

    /// A server certificate this CA issued for `names`, valid from one day
    /// to another (year, month, day; from and until midnight UTC).
    pub fn issue_valid(
        &self,
        names: &[&str],
        from: (i32, u8, u8),
        until: (i32, u8, u8),
    ) -> ServerCert {
        let key = rcgen::KeyPair::generate().unwrap();
        let cert = server_params(names, from, until)
            .signed_by(&key, &self.issuer)
            .unwrap();
        ServerCert {
            chain: vec![cert.der().clone(), self.der.clone().into()],
            key: private_key(&key),
            der: cert.der().to_vec(),
        }
    }

    /// Writes the CA's certificate as PEM into `dir` and returns the file:
    /// a `presswatch` process run with `SSL_CERT_FILE` naming it trusts this
    /// CA and no other.
    pub fn trust_file(&self, dir: &Path) -> String {
        trust_file(dir, &self.der)
    }
}

/// Writes a certificate (DER) as PEM into `dir`; returns the file's path.
fn trust_file(dir: &Path, der: &[u8]) -> String {
    let path = dir.join("trusted.pem");
    std::fs::write(&path, pem("CERTIFICATE", der)).unwrap();
    path.display().to_string()
}

/// The PEM form of a DER certificate (`label` "CERTIFICATE") or key.
fn pem(label: &str, der: &[u8]) -> String {
    use base64::Engine as _;
    let b64 = base64::engine::general_purpose::STANDARD.encode(der);
    let lines: Vec<&str> = b64
        .as_bytes()
        .chunks(64)
        .map(|c| std::str::from_utf8(c).unwrap())
        .collect();
    format!(
        "-----BEGIN {label}-----\n{}\n-----END {label}-----\n",
        lines.join("\n")
    )
}

/// The standard output of a run of the binary that must have succeeded;
/// failing, with its exit code and both outputs, when it did not.
pub fn ok(out: &std::process::Output) -> String {
    assert!(
        out.status.success(),
        "exit {:?}\nstdout: {}\nstderr: {}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The built `presswatch` binary.
pub fn binary() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_presswatch"))
}

/// Runs the binary with arguments (and extra environment) to completion, off
/// the async runtime so loopback servers keep serving.
pub async fn run(args: &[&str], env: &[(&str, &str)]) -> std::process::Output {
    let args: Vec<String> = args.iter().map(|s| s.to_string()).collect();
    let env: Vec<(String, String)> = env
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    tokio::task::spawn_blocking(move || {
        std::process::Command::new(binary())
            .args(&args)
            .envs(env)
            .env("NO_COLOR", "1")
            .output()
            .expect("run presswatch")
    })
    .await
    .unwrap()
}

/// A temporary project directory with a config file.
pub struct Project {
    /// Keeps the directory alive.
    pub dir: tempfile::TempDir,
}

impl Project {
    /// A project whose config.toml holds `config`.
    pub fn new(config: &str) -> Project {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("config.toml"), config).unwrap();
        Project { dir }
    }
    /// The config file.
    pub fn config(&self) -> PathBuf {
        self.dir.path().join("config.toml")
    }
    /// The config file as a string argument.
    pub fn config_arg(&self) -> String {
        self.config().display().to_string()
    }
    /// A path inside the project.
    pub fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }
    /// Writes a baseline file.
    pub fn baseline(&self, watch: &str, text: &str) {
        let dir = self.path("baseline");
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join(format!("{watch}.txt")), text).unwrap();
    }
    /// Reads a baseline file.
    pub fn read_baseline(&self, watch: &str) -> String {
        std::fs::read_to_string(self.path("baseline").join(format!("{watch}.txt"))).unwrap()
    }
    /// Loads the config.
    pub fn load(&self) -> presswatch::config::Config {
        presswatch::config::Config::load(&self.config()).expect("valid config")
    }
}

/// One check of the project's first watch, in process: the library function
/// `presswatch check` and the daemon call, against the real state database
/// and baseline directory.
pub async fn check_first(project: &Project) -> presswatch::check::Report {
    let config = std::sync::Arc::new(project.load());
    let fetcher = presswatch::fetch::Fetcher::http(&config.daemon).unwrap();
    let ctx = presswatch::check::Context::open(config.clone(), fetcher, false).unwrap();
    presswatch::check::check_watch(&ctx, &config.watches[0]).await
}

/// A file of tests/recordings, as text.
pub fn recorded(rel: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/recordings")
        .join(rel);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Builds a realistic news page around article paragraphs: navigation, a
/// share bar, an ad, a "most read" box, a newsletter box and a footer.
pub fn news_page(headline: &str, byline: &str, paragraphs: &[&str], most_read: &[&str]) -> String {
    let paras: String = paragraphs.iter().map(|p| format!("<p>{p}</p>\n")).collect();
    let most: String = most_read
        .iter()
        .map(|t| format!("<li><a href=\"/news/{}\">{t}</a></li>", t.len()))
        .collect();
    format!(
        r#"<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{headline} | Example News</title>
<meta property="og:title" content="{headline}"></head><body>
<header><nav><a href="/">Home</a> <a href="/world">World</a> <a href="/culture">Culture</a></nav></header>
<main><article>
<h1>{headline}</h1><div class="byline">By {byline}</div>
<div class="share-bar"><a href="https://x.example/share">Share on X</a> <a href="mailto:?">Email</a></div>
{paras}<div class="ad-slot">Advertisement: Buy the new phone today, limited offer for readers.</div>
<div class="newsletter-signup"><h3>Sign up for our newsletter</h3><p>Get the best stories in your inbox every morning, free.</p></div>
</article>
<aside class="most-read"><h2>Most read</h2><ol>{most}</ol></aside></main>
<footer><p>© Example News. All rights reserved. Terms of use and privacy policy apply.</p></footer>
</body></html>"#
    )
}

/// Reads every file below `dir` into a map (for "nothing changed on disk" checks).
pub fn snapshot(dir: &Path) -> HashMap<PathBuf, Vec<u8>> {
    let mut out = HashMap::new();
    if let Ok(rd) = std::fs::read_dir(dir) {
        for e in rd.flatten() {
            let p = e.path();
            if p.is_dir() {
                out.extend(snapshot(&p));
            } else if let Ok(b) = std::fs::read(&p) {
                out.insert(p, b);
            }
        }
    }
    out
}

// ---- the daemon as a child process (tests/it/daemon.rs) ---------------------

/// An article page whose second paragraph starts with `words`.
pub fn article(title: &str, words: &str) -> String {
    news_page(
        title,
        "Staff reporter",
        &[
            "The director left the country after the court upheld an eight-year sentence, people close to him said on Monday.",
            &format!("{words} He crossed the border on foot and is now in Europe, where he plans to keep working on new films."),
            "His lawyer said the sentence was handed down after the director refused to withdraw his latest film from a festival.",
        ],
        &["Markets fall", "Weather warning"],
    )
}

/// A running `presswatch run`, killed when dropped.
pub struct Daemon {
    /// The child process.
    pub child: std::process::Child,
    /// Its stderr log file.
    pub log: PathBuf,
}

impl Daemon {
    /// Starts `presswatch run --config CONFIG` with extra environment and
    /// none of systemd's variables inherited.
    pub fn start(config: &Path, env: &[(&str, &str)]) -> Daemon {
        Daemon::spawn(config, &[], Some("presswatch=debug"), env)
    }

    /// Starts `presswatch run --config CONFIG ARGS...` logging as it does
    /// when installed: at its own default level, with no `RUST_LOG`.
    pub fn start_as_installed(config: &Path, args: &[&str], env: &[(&str, &str)]) -> Daemon {
        Daemon::spawn(config, args, None, env)
    }

    fn spawn(config: &Path, args: &[&str], rust_log: Option<&str>, env: &[(&str, &str)]) -> Daemon {
        let log = config.with_extension("log");
        let mut cmd = std::process::Command::new(binary());
        cmd.args(["run", "--config"]).arg(config).args(args);
        match rust_log {
            Some(filter) => cmd.env("RUST_LOG", filter),
            None => cmd.env_remove("RUST_LOG"),
        };
        cmd.env_remove("NOTIFY_SOCKET")
            .env_remove("WATCHDOG_USEC")
            .env_remove("WATCHDOG_PID")
            .env_remove("JOURNAL_STREAM")
            .env_remove("INVOCATION_ID")
            .env("NO_COLOR", "1")
            .envs(env.iter().copied())
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::null())
            .stderr(std::fs::File::create(&log).unwrap());
        Daemon {
            child: cmd.spawn().expect("start presswatch"),
            log,
        }
    }

    /// Sends a signal (`TERM`, `HUP`) to the daemon.
    pub fn signal(&self, name: &str) {
        let ok = std::process::Command::new("kill")
            .arg(format!("-{name}"))
            .arg(self.child.id().to_string())
            .status()
            .unwrap()
            .success();
        assert!(ok, "kill -{name} failed");
    }

    /// Stops the daemon as systemd does (SIGTERM) and waits, at most
    /// `within`, for it to exit cleanly (status 0); else fails with its log.
    pub async fn stop(&mut self, within: std::time::Duration) {
        self.signal("TERM");
        assert_eq!(
            self.wait_exit(within).await,
            Some(0),
            "not a clean stop; log:\n{}",
            self.log_text()
        );
    }

    /// Waits, at most `within`, until the daemon has logged `text`; else
    /// fails with its log.
    pub async fn wait_for_log(&self, text: &str, within: std::time::Duration) {
        assert!(
            eventually(within, || self.log_text().contains(text)).await,
            "no {text:?} logged within {within:?}; log:\n{}",
            self.log_text()
        );
    }

    /// Waits for the daemon to exit and returns its exit code.
    pub async fn wait_exit(&mut self, timeout: std::time::Duration) -> Option<i32> {
        let until = Instant::now() + timeout;
        while Instant::now() < until {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status.code();
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        panic!(
            "daemon did not exit in {timeout:?}; log:\n{}",
            self.log_text()
        );
    }

    /// The address the daemon serves `/healthz` and `/metrics` on, as its
    /// start logs it: a config says `listen = "127.0.0.1:0"`, and the
    /// system gives the daemon a free port (one a test chose beforehand
    /// could be taken by another test before the daemon bound it). Waits,
    /// at most 20 s, for the line; else fails with the log.
    pub async fn listen_addr(&self) -> SocketAddr {
        const LINE: &str = "serving /healthz and /metrics addr=";
        let within = std::time::Duration::from_secs(20);
        self.wait_for_log(LINE, within).await;
        let log = self.log_text();
        let addr = log
            .split(LINE)
            .nth(1)
            .and_then(|rest| rest.split_whitespace().next()?.parse().ok());
        addr.unwrap_or_else(|| panic!("no address after {LINE:?}; log:\n{log}"))
    }

    /// What the daemon logged so far.
    pub fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }
}

impl Drop for Daemon {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `text` with each run of white space as one space: a phrase of an
/// alert's text part as it reads, wherever its lines wrap (at 76 columns,
/// each continuation indented).
pub fn as_read(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Polls `cond` every 50 ms until it holds; false after `timeout`.
pub async fn eventually(timeout: std::time::Duration, mut cond: impl FnMut() -> bool) -> bool {
    let until = Instant::now() + timeout;
    loop {
        if cond() {
            return true;
        }
        if Instant::now() >= until {
            return false;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

/// GET `path` from `addr` with a raw HTTP/1.1 request: (status, body).
pub async fn http_get(addr: SocketAddr, path: &str) -> (u16, String) {
    let mut s = TcpStream::connect(addr).await.unwrap();
    s.write_all(format!("GET {path} HTTP/1.1\r\nHost: localhost\r\n\r\n").as_bytes())
        .await
        .unwrap();
    let mut out = String::new();
    s.read_to_string(&mut out).await.unwrap();
    let status = out.get(9..12).and_then(|s| s.parse().ok()).unwrap_or(0);
    let body = out
        .split_once("\r\n\r\n")
        .map(|x| x.1)
        .unwrap_or("")
        .to_string();
    (status, body)
}

/// A loopback listener that accepts every connection and never answers (a
/// server or receiver that hangs): its port, and the connections it holds
/// open, in the order they came.
pub fn silent_listener() -> (u16, Arc<Mutex<Vec<std::net::TcpStream>>>) {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let accepted = Arc::new(Mutex::new(Vec::new()));
    let held = accepted.clone();
    std::thread::spawn(move || {
        for conn in listener.incoming().flatten() {
            held.lock().unwrap().push(conn);
        }
    });
    (port, accepted)
}

/// A webhook receiver that takes `delay` to answer 200: (its URL, the bodies
/// received, each recorded when the request arrived).
pub async fn slow_receiver(delay: std::time::Duration) -> (String, Arc<Mutex<Vec<String>>>) {
    // The delay starts once the request has arrived.
    receiver(move || async move { tokio::time::sleep(delay).await }).await
}

/// A webhook receiver that holds every request until the test lets it go
/// ([`Gate::open`]), then answers 200: (its URL, the bodies received, each
/// recorded when the request arrived, and the gate). A test that looks at an
/// attempt under way does so for as long as it needs, not within a delay a
/// busy machine may outrun.
pub async fn held_receiver() -> (String, Arc<Mutex<Vec<String>>>, Gate) {
    let gate = Gate(tokio_util::sync::CancellationToken::new());
    let g = gate.clone();
    let (url, got) = receiver(move || {
        let g = g.clone();
        async move { g.0.cancelled().await }
    })
    .await;
    (url, got, gate)
}

/// What holds a [`held_receiver`]'s requests.
#[derive(Clone)]
pub struct Gate(tokio_util::sync::CancellationToken);

impl Gate {
    /// Answers the requests held, and every later one at once.
    pub fn open(&self) {
        self.0.cancel();
    }
}

/// A webhook receiver that records each request's body when it has arrived,
/// then waits for `answer_when()` before it answers 200: its URL and the
/// bodies.
async fn receiver<W, F>(answer_when: W) -> (String, Arc<Mutex<Vec<String>>>)
where
    W: Fn() -> F + Send + 'static,
    F: std::future::Future<Output = ()> + Send + 'static,
{
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    let got: Arc<Mutex<Vec<String>>> = Arc::default();
    let g = got.clone();
    tokio::spawn(async move {
        while let Ok((mut sock, _)) = listener.accept().await {
            let g = g.clone();
            let answered = answer_when();
            tokio::spawn(async move {
                let mut buf = Vec::new();
                let mut chunk = [0u8; 8192];
                while let Ok(n) = sock.read(&mut chunk).await {
                    if n == 0 {
                        break;
                    }
                    buf.extend_from_slice(&chunk[..n]);
                    let text = String::from_utf8_lossy(&buf);
                    if let Some((head, body)) = text.split_once("\r\n\r\n") {
                        let len: usize = head
                            .lines()
                            .filter_map(|l| l.split_once(':'))
                            .find(|(k, _)| k.eq_ignore_ascii_case("content-length"))
                            .and_then(|(_, v)| v.trim().parse().ok())
                            .unwrap_or(0);
                        if body.len() >= len {
                            g.lock().unwrap().push(body.to_string());
                            break;
                        }
                    }
                }
                answered.await;
                let _ = sock
                    .write_all(
                        b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok",
                    )
                    .await;
                let _ = sock.shutdown().await;
            });
        }
    });
    (url, got)
}

/// A real SMTP server (mailin-embedded) on a free loopback port that keeps
/// every message it receives in `mails`; returns the port. It offers no
/// STARTTLS.
pub fn smtp_sink(mails: Arc<Mutex<Vec<Vec<u8>>>>) -> u16 {
    smtp_server(mails, mailin_embedded::SslConfig::None)
}

/// How a test SMTP server ([`smtp_sink_tls`]) speaks TLS.
#[derive(Debug, Clone, Copy)]
pub enum SmtpTls {
    /// It offers STARTTLS after EHLO, as a submission port (587) does.
    StartTls,
    /// TLS from the first byte, as smtps:// (465).
    Implicit,
}

/// A real SMTP server on a free loopback port that speaks TLS (`tls`),
/// presenting `cert`, and keeps every message it receives in `mails`;
/// returns the port. A client that refuses the certificate ends the
/// handshake before any message.
pub async fn smtp_sink_tls(
    mails: Arc<Mutex<Vec<Vec<u8>>>>,
    cert: &ServerCert,
    tls: SmtpTls,
) -> u16 {
    match tls {
        SmtpTls::StartTls => {
            // mailin-embedded reads the certificate and key from PEM files,
            // once, when it is set up.
            let dir = tempfile::tempdir().unwrap();
            let (cert_path, key_path) = (dir.path().join("cert.pem"), dir.path().join("key.pem"));
            let chain: String = cert.chain.iter().map(|c| pem("CERTIFICATE", c)).collect();
            std::fs::write(&cert_path, chain).unwrap();
            std::fs::write(&key_path, pem("PRIVATE KEY", cert.key.secret_der())).unwrap();
            smtp_server(
                mails,
                mailin_embedded::SslConfig::SelfSigned {
                    cert_path: cert_path.display().to_string(),
                    key_path: key_path.display().to_string(),
                },
            )
        }
        SmtpTls::Implicit => {
            // TLS ends here, and the plain SMTP behind goes to a sink.
            let plain = smtp_sink(mails);
            let acceptor = cert.acceptor();
            let listener = TcpListener::bind("127.0.0.1:0")
                .await
                .expect("bind loopback");
            let port = listener.local_addr().unwrap().port();
            tokio::spawn(async move {
                while let Ok((sock, _)) = listener.accept().await {
                    let acceptor = acceptor.clone();
                    tokio::spawn(async move {
                        let Ok(mut tls) = acceptor.accept(sock).await else {
                            return;
                        };
                        if let Ok(mut sink) = TcpStream::connect(("127.0.0.1", plain)).await {
                            let _ = tokio::io::copy_bidirectional(&mut tls, &mut sink).await;
                        }
                    });
                }
            });
            port
        }
    }
}

/// A mailin-embedded server on a free loopback port, STARTTLS as `ssl`
/// says, keeping every message in `mails`; returns the port.
fn smtp_server(mails: Arc<Mutex<Vec<Vec<u8>>>>, ssl: mailin_embedded::SslConfig) -> u16 {
    #[derive(Clone)]
    struct Sink {
        mails: Arc<Mutex<Vec<Vec<u8>>>>,
        current: Vec<u8>,
    }
    impl mailin_embedded::Handler for Sink {
        fn data(&mut self, buf: &[u8]) -> std::io::Result<()> {
            self.current.extend_from_slice(buf);
            Ok(())
        }
        fn data_end(&mut self) -> mailin_embedded::Response {
            self.mails
                .lock()
                .unwrap()
                .push(std::mem::take(&mut self.current));
            mailin_embedded::response::OK
        }
    }
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let mut server = mailin_embedded::Server::new(Sink {
        mails,
        current: vec![],
    });
    server
        .with_name("localhost")
        .with_ssl(ssl)
        .expect("a usable test certificate")
        .with_tcp_listener(listener);
    std::thread::spawn(move || {
        let _ = server.serve();
    });
    port
}

/// Asserts that every local link (`href`) of every page a report wrote
/// into `dir` leads to a file that exists: a page, a timeline, a kept body.
/// A link with a scheme (`https:`, `mailto:`) leaves the report and is not
/// followed; a fragment names a place in its file.
pub fn assert_local_links_resolve(dir: &Path) {
    let mut pages = Vec::new();
    let mut dirs = vec![dir.to_path_buf()];
    while let Some(d) = dirs.pop() {
        for entry in std::fs::read_dir(&d).unwrap_or_else(|e| panic!("{}: {e}", d.display())) {
            let path = entry.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "html") {
                pages.push(path);
            }
        }
    }
    assert!(!pages.is_empty(), "no pages in {}", dir.display());
    let mut dead = Vec::new();
    for page in &pages {
        let html = std::fs::read_to_string(page).unwrap();
        let base = url::Url::from_file_path(page).unwrap();
        for href in html.split("href=\"").skip(1) {
            let href = href.split('"').next().unwrap().replace("&amp;", "&");
            let Ok(target) = base.join(&href) else {
                dead.push(format!("{}: {href} (not a URL)", page.display()));
                continue;
            };
            if target.scheme() != "file" {
                continue;
            }
            let path = target.to_file_path().unwrap();
            if !path.is_file() {
                dead.push(format!("{}: {href}", page.display()));
            }
        }
    }
    assert!(dead.is_empty(), "links to no file:\n{}", dead.join("\n"));
}

/// The line of `verify`'s output `said` that reports a mismatch starting
/// with `about` (the words after `MISMATCH `); panics naming `backend` and
/// showing the whole output when there is none.
pub fn mismatch_line<'a>(said: &'a str, about: &str, backend: &str) -> &'a str {
    let start = format!("MISMATCH {about}");
    said.lines()
        .find(|l| l.starts_with(&start))
        .unwrap_or_else(|| panic!("{backend}: no line starting {start:?} in:\n{said}"))
}

/// How many mismatches `verify`'s output `said` reports.
pub fn mismatches(said: &str) -> usize {
    said.matches("MISMATCH").count()
}

/// A state backend the tests run on: SQLite (the project's own file, the
/// default) or a fresh PostgreSQL database of the test cluster.
pub struct Backend {
    /// `sqlite` or `postgres`, as a failing assertion names it.
    pub name: &'static str,
    /// The PostgreSQL database's URL (without its password); `None` for SQLite.
    pub url: Option<String>,
}

/// The state backends to run a test on: SQLite and, when PostgreSQL can
/// start here ([`crate::pg::cluster`]), a fresh PostgreSQL database.
pub fn backends() -> Vec<Backend> {
    let mut out = vec![Backend {
        name: "sqlite",
        url: None,
    }];
    if let Some(cluster) = crate::pg::cluster() {
        out.push(Backend {
            name: "postgres",
            url: Some(cluster.database()),
        });
    }
    out
}

impl Backend {
    /// The `[daemon]` lines that choose it (none for SQLite, the default).
    pub fn state_lines(&self) -> String {
        self.url
            .as_deref()
            .map(crate::pg::state_lines)
            .unwrap_or_default()
    }

    /// The environment a presswatch run needs for it: PostgreSQL's password.
    pub fn env(&self) -> Vec<(&'static str, &'static str)> {
        match self.url {
            Some(_) => vec![(crate::pg::PASSWORD_ENV, crate::pg::PASSWORD)],
            None => Vec::new(),
        }
    }

    /// The state opened in-process: a SQLite database in a directory of its
    /// own, or the PostgreSQL database.
    pub fn open(&self) -> OpenState {
        match &self.url {
            None => {
                let dir = tempfile::tempdir().unwrap();
                OpenState {
                    name: self.name,
                    state: presswatch::store::State::open(dir.path()).unwrap(),
                    _dir: Some(dir),
                }
            }
            Some(url) => OpenState {
                name: self.name,
                state: presswatch::store::State::open_postgres(
                    url,
                    Some(crate::pg::PASSWORD),
                    std::time::Duration::from_secs(30),
                )
                .unwrap(),
                _dir: None,
            },
        }
    }
}

/// A backend's state opened in-process ([`Backend::open`]): its name, the
/// handle, and what keeps it alive.
pub struct OpenState {
    /// `sqlite` or `postgres`.
    pub name: &'static str,
    /// The state.
    pub state: presswatch::store::State,
    _dir: Option<tempfile::TempDir>,
}

/// Stores what a check leaves behind, `check`, for `watch`, as a check does
/// ([`presswatch::store::State::save_check`]), the watch's state as it was.
pub fn store_check(
    state: &presswatch::store::State,
    watch: &str,
    check: &presswatch::store::Checked,
) {
    let st = state.watch(watch).unwrap();
    state
        .save_check(watch, &st, check, presswatch::store::Durability::Durable)
        .unwrap();
}

/// A check at Unix time `at` that queues the alert `id` of `kind`, its JSON
/// `payload`, for `channels`.
pub fn queuing(
    id: &str,
    kind: &str,
    payload: &str,
    channels: &[&str],
    at: i64,
) -> presswatch::store::Checked {
    presswatch::store::Checked {
        alerts: vec![presswatch::store::NewAlert {
            id: id.into(),
            kind: kind.into(),
            payload: payload.into(),
            channels: channels.iter().map(|c| c.to_string()).collect(),
        }],
        at,
        ..Default::default()
    }
}
