//! Real servers on 127.0.0.1 for the integration tests: an HTTP/1.1 server
//! whose routes a test sets (pages, feeds, webhook receivers), and helpers to
//! run the `presswatch` binary.

#![allow(dead_code)]

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
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
    /// When it arrived.
    pub at: Instant,
}

/// A loopback HTTP server. Unknown paths answer 404; a route with an ETag
/// answers 304 to a matching If-None-Match; POSTs answer 200 unless a route
/// says otherwise (a route list per path is served in turn, the last repeating).
#[derive(Clone)]
pub struct Server {
    /// Where it listens.
    pub addr: SocketAddr,
    routes: Arc<Mutex<HashMap<String, Vec<Route>>>>,
    requests: Arc<Mutex<Vec<Request>>>,
}

impl Server {
    /// Starts a server on 127.0.0.1 on a free port.
    pub async fn start() -> Server {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind loopback");
        let server = Server {
            addr: listener.local_addr().unwrap(),
            routes: Default::default(),
            requests: Default::default(),
        };
        let s = server.clone();
        tokio::spawn(async move {
            while let Ok((sock, _)) = listener.accept().await {
                let s = s.clone();
                tokio::spawn(async move {
                    let _ = s.serve(sock).await;
                });
            }
        });
        server
    }

    /// The absolute URL of a path on this server.
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.addr, path)
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

    async fn serve(&self, mut sock: TcpStream) -> std::io::Result<()> {
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
