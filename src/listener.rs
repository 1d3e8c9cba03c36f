//! The optional HTTP listener (`[daemon] listen`): `/healthz` and `/metrics`.
//!
//! A deliberately tiny HTTP/1.1 server: one request per connection, GET or
//! HEAD only, headers capped at 8 KiB and 5 seconds, `Connection: close`.

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio_util::sync::CancellationToken;

use crate::store::State;

/// Largest request head accepted.
const MAX_HEAD: usize = 8 * 1024;

/// How long a client may take to send its request and read the answer.
const CLIENT_TIMEOUT: Duration = Duration::from_secs(5);

/// What `/healthz` looks at.
pub struct Health {
    /// Unix time (ms) of the scheduler's last main-loop turn.
    pub heartbeat: Arc<AtomicI64>,
    /// The scheduler counts as stuck when its heartbeat is older than this.
    pub stale_after: Duration,
    /// The state database, which must be writable.
    pub state: State,
    /// Why the last check could not store what it found (a full disk),
    /// until a check stores again.
    pub unstored: Arc<Mutex<Option<String>>>,
}

impl Health {
    /// `Ok` when the scheduler is alive, the state database writable and
    /// the last check stored what it found, else the reason.
    pub fn check(&self) -> Result<(), String> {
        let now = chrono::Utc::now().timestamp_millis();
        let age = now - self.heartbeat.load(Ordering::Relaxed);
        if age > self.stale_after.as_millis() as i64 {
            return Err(format!("scheduler stalled: last turn {}s ago", age / 1000));
        }
        if let Some(e) = self
            .unstored
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .as_ref()
        {
            return Err(format!("the last check could not be stored: {e}"));
        }
        self.state
            .check_writable()
            .map_err(|e| format!("state database not writable: {e}"))
    }
}

/// Serves connections on `listener` until `cancel` fires.
pub async fn serve(listener: TcpListener, health: Arc<Health>, cancel: CancellationToken) {
    loop {
        let conn = tokio::select! {
            _ = cancel.cancelled() => return,
            c = listener.accept() => c,
        };
        match conn {
            Ok((stream, _)) => {
                let health = health.clone();
                tokio::spawn(async move {
                    let _ = tokio::time::timeout(CLIENT_TIMEOUT, answer(stream, &health)).await;
                });
            }
            Err(e) => {
                tracing::warn!(error = %e, "metrics listener: accept failed");
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        }
    }
}

async fn answer(mut stream: TcpStream, health: &Health) -> std::io::Result<()> {
    let mut head = Vec::with_capacity(512);
    let mut buf = [0u8; 1024];
    while !head.windows(4).any(|w| w == b"\r\n\r\n") {
        let n = stream.read(&mut buf).await?;
        if n == 0 {
            return Ok(());
        }
        head.extend_from_slice(&buf[..n]);
        if head.len() > MAX_HEAD {
            return respond(
                &mut stream,
                "431 Request Header Fields Too Large",
                "text/plain",
                "request head too large\n",
                false,
            )
            .await;
        }
    }
    let line = String::from_utf8_lossy(&head[..head.iter().position(|&b| b == b'\r').unwrap_or(0)])
        .to_string();
    let mut parts = line.split(' ');
    let (method, target) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""));
    let head_only = method == "HEAD";
    if method != "GET" && !head_only {
        return respond(
            &mut stream,
            "405 Method Not Allowed",
            "text/plain",
            "only GET and HEAD\n",
            false,
        )
        .await;
    }
    let path = target.split('?').next().unwrap_or("");
    match path {
        "/healthz" => match health.check() {
            Ok(()) => respond(&mut stream, "200 OK", "text/plain", "ok\n", head_only).await,
            Err(reason) => {
                tracing::warn!(reason = %reason, "health check failed");
                respond(
                    &mut stream,
                    "503 Service Unavailable",
                    "text/plain",
                    &format!("{reason}\n"),
                    head_only,
                )
                .await
            }
        },
        "/metrics" => match crate::metrics::render(&health.state, chrono::Utc::now().timestamp()) {
            Ok(body) => {
                respond(
                    &mut stream,
                    "200 OK",
                    "text/plain; version=0.0.4; charset=utf-8",
                    &body,
                    head_only,
                )
                .await
            }
            Err(e) => {
                respond(
                    &mut stream,
                    "500 Internal Server Error",
                    "text/plain",
                    &format!("{e}\n"),
                    head_only,
                )
                .await
            }
        },
        _ => {
            respond(
                &mut stream,
                "404 Not Found",
                "text/plain",
                "try /healthz or /metrics\n",
                head_only,
            )
            .await
        }
    }
}

async fn respond(
    stream: &mut TcpStream,
    status: &str,
    content_type: &str,
    body: &str,
    head_only: bool,
) -> std::io::Result<()> {
    let head = format!(
        "HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes()).await?;
    if !head_only {
        stream.write_all(body.as_bytes()).await?;
    }
    stream.shutdown().await
}
