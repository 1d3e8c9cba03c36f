//! Being a good citizen towards the sites presswatch fetches: per-host limits
//! on requests in flight, a minimum delay before each request to one host
//! (counted from the start of the one before and from its answer), pauses
//! requested with `Retry-After`, and robots.txt.
//!
//! [`Hosts`] is shared by every fetch of the process (the daemon's checks and
//! the CLI alike) and survives a config reload, so a reload never resets the
//! delay clock of a host.

use std::collections::HashMap;
use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use tokio::sync::Notify;
use tokio::time::Instant;

use crate::config::Politeness;

/// How long a fetched robots.txt is trusted (RFC 9309 allows caching up to a day).
pub const ROBOTS_TTL: Duration = Duration::from_secs(24 * 3600);

/// The longest pause a `Retry-After` may impose on a host.
pub const MAX_RETRY_AFTER: Duration = Duration::from_secs(6 * 3600);

/// How long a fleet token whose request is done waits for this process's
/// next request to its host before it goes back to the fleet (see
/// [`SharedHosts::keep`]).
pub const KEEP_TOKEN: Duration = Duration::from_millis(50);

/// The product token matched against robots.txt `User-agent` lines.
pub const ROBOTS_AGENT: &str = "presswatch";

/// Per-host request gates and robots.txt cache.
pub struct Hosts {
    rules: Mutex<Politeness>,
    hosts: Mutex<HashMap<String, Arc<Host>>>,
    robots: Mutex<HashMap<String, Arc<RobotsSlot>>>,
    /// The gates shared with other replicas, when the state is shared.
    shared: Mutex<Option<Arc<dyn SharedHosts>>>,
}

/// Per-host gates shared by every replica of a fleet, so a host's delay and
/// concurrency hold for the whole fleet (implemented by the shared state;
/// `take`, `give_back` and `pause` block briefly, so they run on the
/// blocking pool; `reuse`, `keep` and `unkeep` never block).
pub trait SharedHosts: Send + Sync {
    /// A token this process already holds for `host` and may use for the
    /// next request at once (only when `delay` is zero), if it has one.
    fn reuse(&self, host: &str, delay: Duration) -> Option<i64>;
    /// Takes a token for one request to `host` when fewer than `limit` are
    /// out fleet-wide and `delay` has passed since the last start: `Ok(token)`,
    /// else `Err(how long to wait)`.
    fn take(&self, host: &str, delay: Duration, limit: usize) -> Result<i64, Duration>;
    /// Keeps a token whose request is done for [`SharedHosts::reuse`];
    /// false when it must be given back.
    fn keep(&self, token: i64) -> bool;
    /// Takes a kept token back out of reuse; false when it was reused meanwhile.
    fn unkeep(&self, token: i64) -> bool;
    /// Returns a token.
    fn give_back(&self, token: i64);
    /// Pauses `host` for the whole fleet (a `Retry-After`).
    fn pause(&self, host: &str, pause: Duration);
}

struct Host {
    slot: Mutex<Slot>,
    freed: Notify,
}

struct Slot {
    in_flight: usize,
    next_start: Instant,
    blocked_until: Option<Instant>,
}

/// The robots.txt of one origin: its rules while fresh, and the one fetch
/// of them that concurrent checks of the origin wait for.
#[derive(Default)]
struct RobotsSlot {
    /// Held for the whole fetch, so checks of the origin queue behind it.
    fetched: tokio::sync::Mutex<RobotsFetched>,
    /// Fetches finished so far; a check that waited through one shares its
    /// outcome.
    fetches: AtomicU64,
}

/// What the last fetch of an origin's robots.txt gave.
#[derive(Default)]
struct RobotsFetched {
    /// The rules and when they were fetched.
    rules: Option<(Instant, Arc<Robots>)>,
    /// Why the last fetch failed, when it did (never reused by a later check).
    failure: Option<String>,
}

/// Permission to have one request in flight to a host; dropping it (once
/// the answer is in, or the request gave up) frees the slot, starts the
/// delay again, and returns the fleet's token when the gates are shared.
pub struct Permit {
    host: Arc<Host>,
    delay: Duration,
    token: Option<(Arc<dyn SharedHosts>, i64)>,
}

impl Drop for Permit {
    fn drop(&mut self) {
        let mut s = lock(&self.host.slot);
        s.in_flight -= 1;
        // The host saw this request before it answered, so the delay counted
        // from now holds at the host however long the request took to reach
        // it (a new connection, a TLS handshake, a busy machine). Counted
        // from the start alone, a request that was slow to go out could be
        // followed by the next one sooner than the delay.
        s.next_start = s.next_start.max(Instant::now() + self.delay);
        drop(s);
        self.host.freed.notify_waiters();
        let Some((shared, token)) = self.token.take() else {
            return;
        };
        match tokio::runtime::Handle::try_current() {
            // Kept a moment for the next request to the host; given back
            // unless one took it by then.
            Ok(rt) if shared.keep(token) => drop(rt.spawn(async move {
                tokio::time::sleep(KEEP_TOKEN).await;
                if shared.unkeep(token) {
                    off_the_runtime(move || shared.give_back(token));
                }
            })),
            _ => off_the_runtime(move || shared.give_back(token)),
        }
    }
}

/// Runs a short blocking call on the blocking pool when inside a Tokio
/// runtime (without waiting for it), else here.
fn off_the_runtime(work: impl FnOnce() + Send + 'static) {
    match tokio::runtime::Handle::try_current() {
        Ok(rt) => drop(rt.spawn_blocking(work)),
        Err(_) => work(),
    }
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl Hosts {
    /// Gates following `rules`.
    pub fn new(rules: Politeness) -> Arc<Hosts> {
        Arc::new(Hosts {
            rules: Mutex::new(rules),
            hosts: Mutex::new(HashMap::new()),
            robots: Mutex::new(HashMap::new()),
            shared: Mutex::new(None),
        })
    }

    /// Shares the gates with the other replicas of a fleet: from now on a
    /// request also needs the fleet's token for its host.
    pub fn share(&self, shared: Arc<dyn SharedHosts>) {
        *lock(&self.shared) = Some(shared);
    }

    /// Replaces the rules (on reload); the per-host clocks are kept.
    pub fn configure(&self, rules: Politeness) {
        *lock(&self.rules) = rules;
    }

    fn host(&self, name: &str) -> Arc<Host> {
        lock(&self.hosts)
            .entry(name.to_ascii_lowercase())
            .or_insert_with(|| {
                Arc::new(Host {
                    slot: Mutex::new(Slot {
                        in_flight: 0,
                        next_start: Instant::now(),
                        blocked_until: None,
                    }),
                    freed: Notify::new(),
                })
            })
            .clone()
    }

    /// Waits until a request to `host` may start: a free slot, the delay
    /// elapsed since the previous request started and since its answer came
    /// in, and no `Retry-After` pause in force — in this process, then, when
    /// the gates are shared, in the whole fleet.
    pub async fn acquire(&self, host: &str) -> Permit {
        let mut permit = self.acquire_here(host).await;
        let Some(shared) = lock(&self.shared).clone() else {
            return permit;
        };
        let (delay, limit) = lock(&self.rules).for_host(host);
        loop {
            if let Some(token) = shared.reuse(host, delay) {
                permit.token = Some((shared, token));
                return permit;
            }
            let (s, h) = (shared.clone(), host.to_string());
            let taken = tokio::task::spawn_blocking(move || s.take(&h, delay, limit))
                .await
                .unwrap_or(Err(Duration::from_millis(100)));
            match taken {
                Ok(token) => {
                    permit.token = Some((shared, token));
                    return permit;
                }
                Err(wait) => tokio::time::sleep(wait).await,
            }
        }
    }

    /// [`Hosts::acquire`] within this process.
    async fn acquire_here(&self, host: &str) -> Permit {
        let h = self.host(host);
        loop {
            let (delay, limit) = lock(&self.rules).for_host(host);
            let freed = h.freed.notified();
            tokio::pin!(freed);
            freed.as_mut().enable();
            let wait_until = {
                let mut s = lock(&h.slot);
                let now = Instant::now();
                let start_at = s
                    .blocked_until
                    .map_or(s.next_start, |b| b.max(s.next_start));
                if s.in_flight < limit && start_at <= now {
                    s.in_flight += 1;
                    s.next_start = now + delay;
                    return Permit {
                        host: h.clone(),
                        delay,
                        token: None,
                    };
                }
                if s.in_flight >= limit {
                    None
                } else {
                    Some(start_at)
                }
            };
            match wait_until {
                Some(t) => tokio::time::sleep_until(t).await,
                None => freed.await,
            }
        }
    }

    /// Pauses all requests to `host` for `pause` (capped at [`MAX_RETRY_AFTER`]).
    pub fn pause(&self, host: &str, pause: Duration) {
        if let Some(shared) = lock(&self.shared).clone() {
            let (host, pause) = (host.to_string(), pause.min(MAX_RETRY_AFTER));
            off_the_runtime(move || shared.pause(&host, pause));
        }
        let until = Instant::now() + pause.min(MAX_RETRY_AFTER);
        let h = self.host(host);
        let mut s = lock(&h.slot);
        s.blocked_until = Some(s.blocked_until.map_or(until, |b| b.max(until)));
    }

    /// How long requests to `host` remain paused by a `Retry-After`, if they are.
    pub fn paused_for(&self, host: &str) -> Option<Duration> {
        let h = lock(&self.hosts).get(&host.to_ascii_lowercase()).cloned()?;
        let until = lock(&h.slot).blocked_until?;
        let left = until.saturating_duration_since(Instant::now());
        (!left.is_zero()).then_some(left)
    }

    /// The robots.txt rules of `origin`: the cached ones while fresh (for
    /// [`ROBOTS_TTL`]), else those `fetch` gets. Single-flight per origin:
    /// checks of the origin that ask while a fetch is in flight wait for it
    /// and share its outcome, rules or failure. A failure is not cached: the
    /// next check to ask fetches again.
    pub async fn robots(
        &self,
        origin: &str,
        fetch: impl Future<Output = Result<Robots, String>>,
    ) -> Result<Arc<Robots>, String> {
        let slot = lock(&self.robots)
            .entry(origin.to_string())
            .or_default()
            .clone();
        let finished_before = slot.fetches.load(Ordering::SeqCst);
        let mut fetched = slot.fetched.lock().await;
        if let Some((at, rules)) = &fetched.rules {
            if at.elapsed() < ROBOTS_TTL {
                return Ok(rules.clone());
            }
        }
        if let Some(failure) = &fetched.failure {
            if slot.fetches.load(Ordering::SeqCst) != finished_before {
                return Err(failure.clone());
            }
        }
        let outcome = fetch.await.map(Arc::new);
        *fetched = match &outcome {
            Ok(rules) => RobotsFetched {
                rules: Some((Instant::now(), rules.clone())),
                failure: None,
            },
            Err(why) => RobotsFetched {
                rules: None,
                failure: Some(why.clone()),
            },
        };
        slot.fetches.fetch_add(1, Ordering::SeqCst);
        outcome
    }
}

/// The rules of one robots.txt that apply to presswatch.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Robots {
    /// (allow, path pattern) pairs of the group that applies.
    rules: Vec<(bool, String)>,
}

impl Robots {
    /// Allows everything (no robots.txt, or it answered 4xx).
    pub fn allow_all() -> Robots {
        Robots::default()
    }

    /// Parses robots.txt and keeps the group for `agent` (else the `*` group).
    pub fn parse(text: &str, agent: &str) -> Robots {
        let agent = agent.to_ascii_lowercase();
        let mut specific: Vec<(bool, String)> = Vec::new();
        let mut generic: Vec<(bool, String)> = Vec::new();
        let mut found_specific = false;
        // Agents of the group being read, and whether its rules have started.
        let mut agents: Vec<String> = Vec::new();
        let mut in_rules = false;
        for line in text.lines() {
            let line = line.split('#').next().unwrap_or("").trim();
            let Some((key, value)) = line.split_once(':') else {
                continue;
            };
            let key = key.trim().to_ascii_lowercase();
            let value = value.trim();
            match key.as_str() {
                "user-agent" => {
                    if in_rules {
                        agents.clear();
                        in_rules = false;
                    }
                    agents.push(value.to_ascii_lowercase());
                }
                "allow" | "disallow" => {
                    in_rules = true;
                    if value.is_empty() {
                        continue; // `Disallow:` with no path allows everything.
                    }
                    let rule = (key == "allow", value.to_string());
                    if agents.contains(&agent) {
                        found_specific = true;
                        specific.push(rule.clone());
                    }
                    if agents.iter().any(|a| a == "*") {
                        generic.push(rule);
                    }
                }
                _ => {}
            }
        }
        Robots {
            rules: if found_specific { specific } else { generic },
        }
    }

    /// Whether `path` (with query) may be fetched: the longest matching rule
    /// wins, and Allow wins a tie.
    pub fn allows(&self, path: &str) -> bool {
        let mut best: Option<(usize, bool)> = None;
        for (allow, pattern) in &self.rules {
            if pattern_matches(pattern, path) {
                let len = pattern.len();
                if best.is_none_or(|(l, a)| len > l || (len == l && *allow && !a)) {
                    best = Some((len, *allow));
                }
            }
        }
        best.is_none_or(|(_, allow)| allow)
    }
}

/// Matches a robots.txt path pattern (`*` any run, `$` end) against a path.
fn pattern_matches(pattern: &str, path: &str) -> bool {
    let full = match pattern.strip_suffix('$') {
        Some(p) => p.to_string(),
        None => format!("{pattern}*"),
    };
    glob(full.as_bytes(), path.as_bytes())
}

/// Whole-string match where `*` matches any run of bytes.
fn glob(pat: &[u8], s: &[u8]) -> bool {
    let (mut p, mut i) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while i < s.len() {
        if p < pat.len() && pat[p] == b'*' {
            star = Some((p, i));
            p += 1;
        } else if p < pat.len() && pat[p] == s[i] {
            p += 1;
            i += 1;
        } else if let Some((sp, si)) = star {
            p = sp + 1;
            i = si + 1;
            star = Some((sp, si + 1));
        } else {
            return false;
        }
    }
    pat[p..].iter().all(|&c| c == b'*')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn robots_groups_and_longest_match() {
        let txt = "User-agent: *\nDisallow: /\n\nUser-agent: PressWatch\nUser-agent: other\nDisallow: /private\nAllow: /private/ok\nDisallow: /*.pdf$\n";
        let r = Robots::parse(txt, ROBOTS_AGENT);
        assert!(r.allows("/news/1"));
        assert!(!r.allows("/private/x"));
        assert!(r.allows("/private/ok/1"));
        assert!(!r.allows("/a/b.pdf"));
        assert!(r.allows("/a/b.pdf?x=1"));
        let generic = Robots::parse(txt, "someone-else");
        assert!(!generic.allows("/news/1"));
        assert!(Robots::parse("User-agent: *\nDisallow:\n", ROBOTS_AGENT).allows("/x"));
    }

    /// Polls `fut` once: whether it is still waiting.
    async fn pending<F: Future>(fut: std::pin::Pin<&mut F>) -> bool {
        let mut fut = fut;
        std::future::poll_fn(|cx| std::task::Poll::Ready(fut.as_mut().poll(cx).is_pending())).await
    }

    fn no_delay() -> Politeness {
        Politeness {
            delay: Duration::ZERO,
            concurrency: 1,
            hosts: vec![],
        }
    }

    #[tokio::test]
    async fn checks_asking_while_robots_txt_is_fetched_share_that_fetch() {
        let hosts = Hosts::new(no_delay());
        let fetches = AtomicU64::new(0);
        let fetch = |rules: &'static str, answer: tokio::sync::oneshot::Receiver<()>| {
            let fetches = &fetches;
            async move {
                fetches.fetch_add(1, Ordering::SeqCst);
                let _ = answer.await;
                Ok(Robots::parse(rules, ROBOTS_AGENT))
            }
        };
        let (answer, held) = tokio::sync::oneshot::channel();
        let first = hosts.robots(
            "http://a.example",
            fetch("User-agent: *\nDisallow: /x\n", held),
        );
        let (_, never) = tokio::sync::oneshot::channel();
        let second = hosts.robots(
            "http://a.example",
            fetch("User-agent: *\nDisallow:\n", never),
        );
        tokio::pin!(first, second);
        // The first check is fetching; the second asks while it is.
        assert!(pending(first.as_mut()).await);
        assert!(pending(second.as_mut()).await);
        answer.send(()).unwrap();
        let (first, second) = tokio::join!(first, second);
        assert_eq!(fetches.load(Ordering::SeqCst), 1);
        assert!(!first.unwrap().allows("/x"));
        assert!(
            !second.unwrap().allows("/x"),
            "the second check has the first's rules"
        );
        // Another origin is fetched on its own.
        let (answer, held) = tokio::sync::oneshot::channel();
        answer.send(()).unwrap();
        hosts
            .robots("http://b.example", fetch("", held))
            .await
            .unwrap();
        assert_eq!(fetches.load(Ordering::SeqCst), 2);
    }

    #[tokio::test]
    async fn a_failed_robots_txt_fetch_is_shared_by_those_waiting_not_by_later_checks() {
        let hosts = Hosts::new(no_delay());
        let fetches = AtomicU64::new(0);
        let (answer, held) = tokio::sync::oneshot::channel::<()>();
        let failing = async {
            fetches.fetch_add(1, Ordering::SeqCst);
            let _ = held.await;
            Err("connection refused".to_string())
        };
        let waiting = async {
            fetches.fetch_add(1, Ordering::SeqCst);
            Ok(Robots::allow_all())
        };
        let first = hosts.robots("http://down.example", failing);
        let second = hosts.robots("http://down.example", waiting);
        tokio::pin!(first, second);
        assert!(pending(first.as_mut()).await);
        assert!(pending(second.as_mut()).await);
        answer.send(()).unwrap();
        let (first, second) = tokio::join!(first, second);
        assert_eq!(first.unwrap_err(), "connection refused");
        assert_eq!(second.unwrap_err(), "connection refused");
        assert_eq!(fetches.load(Ordering::SeqCst), 1);
        // A check asking after the failure tries again.
        let later = hosts
            .robots("http://down.example", async {
                fetches.fetch_add(1, Ordering::SeqCst);
                Ok(Robots::allow_all())
            })
            .await;
        assert!(later.unwrap().allows("/"));
        assert_eq!(fetches.load(Ordering::SeqCst), 2);
    }

    #[tokio::test]
    async fn delay_between_starts_and_retry_after() {
        let ms = Duration::from_millis;
        let hosts = Hosts::new(Politeness {
            delay: ms(200),
            concurrency: 1,
            hosts: vec![crate::config::HostRule {
                name: "fast.example".into(),
                delay: Duration::ZERO,
                concurrency: 4,
            }],
        });
        let t0 = Instant::now();
        drop(hosts.acquire("a.example").await);
        drop(hosts.acquire("a.example").await);
        assert!(t0.elapsed() >= ms(200));
        // A host with no delay and room for four: two requests start at
        // once, neither waiting (not "within 100 ms", which a busy machine
        // can take to run any two lines).
        use futures_util::FutureExt as _;
        let p1 = hosts.acquire("fast.example").now_or_never();
        let p2 = hosts.acquire("fast.example").now_or_never();
        assert!(
            p1.is_some() && p2.is_some(),
            "fast.example made a request wait"
        );
        drop((p1, p2));
        hosts.pause("a.example", ms(500));
        assert!(hosts.paused_for("a.example").is_some());
        let t2 = Instant::now();
        drop(hosts.acquire("a.example").await);
        assert!(t2.elapsed() >= ms(450));
    }

    /// A request that takes longer than the delay (slow to connect, slow to
    /// answer) is followed by the next one a whole delay after its answer,
    /// not a delay after it started.
    #[tokio::test]
    async fn the_delay_runs_again_from_the_answer() {
        let ms = Duration::from_millis;
        let hosts = Hosts::new(Politeness {
            delay: ms(200),
            concurrency: 4,
            hosts: vec![],
        });
        let slow = hosts.acquire("slow.example").await;
        tokio::time::sleep(ms(300)).await;
        let answered = Instant::now();
        drop(slow);
        drop(hosts.acquire("slow.example").await);
        assert!(answered.elapsed() >= ms(200));
    }
}
