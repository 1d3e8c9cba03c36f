//! Alert delivery against real servers on 127.0.0.1: an SMTP server
//! (mailin-embedded) and a small HTTP webhook receiver, both inside the test;
//! fault injection (server down, 4xx/5xx, 410, 429 + Retry-After, hangs,
//! killed process); and snapshots of the rendered bodies.

use std::collections::VecDeque;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use base64::Engine as _;
use hmac::{KeyInit as _, Mac as _};
use mail_parser::{MessageParser, MimeHeaders as _};
use presswatch::alert::Alert;
use presswatch::compare::{self, ChangeKind, Rules};
use presswatch::config::Config;
use presswatch::document::{Block, Document, Item};
use presswatch::notify::{self, render, RetryPolicy};
use presswatch::store::{OutboxStatus, State};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::support::{as_read, queuing, store_check};

// ---- the demo story -----------------------------------------------------------

const P1: &str = "Iranian dissident filmmaker Mohammad Rasoulof has fled Iran, escaping on foot through rugged mountainous borders after receiving an eight-year prison sentence for his film about Iran’s recent uprising.";
const P1_EDITED: &str = "Iranian dissident filmmaker Mohammad Rasoulof has fled Iran, escaping on foot through mountainous borders after receiving an eight-year prison sentence and a flogging for his film about Iran’s recent uprising.";
const P2: &str = "Rasoulof’s film, The Seed of The Sacred Fig, delves into the protest movements in Iran following the death of Mahsa Amini in 2022. Amini's death in custody, allegedly for not adhering to hijab, ignited widespread protests across Iran.";
const P3: &str = "Mohammad Mehdi Esmaeili, Iran's Culture Minister, on Monday called the film “illegal”. The legal repercussions for Rasoulof, upheld on appeal, include imprisonment, lashes, a fine, and property confiscation.";
const P3_EDITED: &str = "Mohammad Mehdi Esmaeili, Iran's Culture Minister, on Monday called the film “illegal”. The legal repercussions for Rasoulof, upheld on appeal, include imprisonment, flogging, a fine, and the confiscation of his property.";
const P4: &str = "Due to potential backlash from the Iranian authorities, the identities of the cast and crew, along with the plot and script details of his latest film, remain confidential.";
const P_ADDED: &str = "Rasoulof said he hoped to attend the premiere of the film at the Cannes Film Festival later this month.";

fn doc(title: &str, paras: &[&str]) -> Document {
    Document {
        title: Some(title.into()),
        byline: Some("Deepa Parent".into()),
        blocks: paras.iter().map(|p| Block::paragraph(p)).collect(),
        ..Document::default()
    }
}

/// An alert built by the real comparison from two versions of the story.
fn story_alert(watch: &str, old: &Document, new: &Document, detected_at: &str) -> Alert {
    let change = compare::compare(old, new, &Rules::default()).expect("the versions differ");
    Alert {
        title: new.title.clone(),
        byline: new.byline.clone(),
        change: Some(change.clone()),
        ..Alert::new(
            Alert::derive_id(watch, &[&old.content_hash(), &new.content_hash()]),
            watch.into(),
            "https://news.example.org/world/2024/may/14/mohammad-rasoulof-flees-iran".into(),
            "The Example Herald".into(),
            change.kind(),
            change.summary.clone(),
            detected_at.into(),
        )
    }
}

fn edited_alert() -> Alert {
    let old = doc(
        "Iranian director Mohammad Rasoulof flees Iran",
        &[P1, P2, P3, P4],
    );
    let new = doc(
        "Iranian director Mohammad Rasoulof flees Iran",
        &[P1_EDITED, P2, P3_EDITED, P_ADDED, P4],
    );
    story_alert("herald-rasoulof", &old, &new, "2026-11-22T08:15:00Z")
}

fn headline_alert() -> Alert {
    let old = doc(
        "Iranian director Mohammad Rasoulof flees Iran",
        &[P1_EDITED, P2, P3_EDITED, P_ADDED, P4],
    );
    let new = doc(
        "Mohammad Rasoulof escapes Iran on foot after prison sentence",
        &[P1_EDITED, P2, P3_EDITED, P_ADDED, P4],
    );
    story_alert("herald-rasoulof", &old, &new, "2026-11-22T09:40:00Z")
}

fn new_items_alert() -> Alert {
    Alert {
        title: Some("Cannes selects The Seed of the Sacred Fig for competition".into()),
        items: vec![presswatch::alert::AlertItem::from(Item {
            key: "k1".into(),
            url: "https://wire.example.net/2024/05/cannes-seed-sacred-fig".into(),
            title: "Cannes selects The Seed of the Sacred Fig for competition".into(),
            snippet: Some("The film by Mohammad Rasoulof, who fled Iran this month, will compete for the Palme d'Or.".into()),
            published: None,
        })],
        items_total: 1,
        ..Alert::new(
            Alert::derive_id("wire-iran", &["new_items", "k1"]),
            "wire-iran".into(),
            "https://wire.example.net/tag/iran".into(),
            "wire.example.net".into(),
            ChangeKind::NewItems,
            "1 new item: Cannes selects The Seed of the Sacred Fig for competition".into(),
            "2026-11-22T08:30:00Z".into(),
        )
    }
}

// A Persian report of the story, as a Persian-language outlet publishes it;
// the correction is spelt with Arabic yeh, as some pages do.
const FA_TITLE: &str = "محمد رسول‌اف پس از حکم زندان از ایران گریخت";
const FA_P1: &str = "محمد رسول‌اف، فیلمساز ایرانی، پس از محکومیت به هشت سال زندان، پیاده و از مسیری کوهستانی از ایران خارج شد.";
const FA_P1_EDITED: &str = "محمد رسول‌اف، فیلمساز سرشناس ایرانی، پس از محکومیت به هشت سال زندان و شلاق، پیاده و از مسیری کوهستانی از ایران خارج شد.";
const FA_P2: &str =
    "فیلم تازه او، «دانه انجیر معابد»، به اعتراضات پس از مرگ مهسا امینی در سال ۱۴۰۱ می‌پردازد.";
const FA_P3: &str = "وزیر فرهنگ و ارشاد اسلامی این فیلم را «غیرقانونی» خوانده بود.";
const FA_CORRECTION: &str =
    "اصلاحيه: در نسخه قبلي اين گزارش تاريخ حکم دادگاه تجديدنظر به اشتباه ذکر شده بود.";

fn persian_alert() -> Alert {
    let old = Document {
        byline: Some("آیدا قجر".into()),
        ..doc(FA_TITLE, &[FA_P1, FA_P2, FA_P3])
    };
    let new = Document {
        byline: Some("آیدا قجر".into()),
        ..doc(FA_TITLE, &[FA_P1_EDITED, FA_P2, FA_P3, FA_CORRECTION])
    };
    let mut a = story_alert("herald-rasoulof", &old, &new, "2026-11-22T08:15:00Z");
    a.outlet = "ایران‌وایر".into();
    a.url = "https://iranwire.example/fa/news/rasoulof".into();
    a
}

/// Distinct sentences, so that a rewrite's paragraphs do not pair up as edits.
fn sentences(topic: &str, n: usize) -> Vec<String> {
    const WORDS: [&str; 12] = [
        "committee",
        "archive",
        "verdict",
        "witness",
        "festival",
        "border",
        "ministry",
        "producer",
        "lawyer",
        "statement",
        "screening",
        "appeal",
    ];
    (0..n)
        .map(|i| {
            format!(
                "The {topic} {} number {i} was described by the {} in detail, and the {} said the {} would follow the {} closely over the coming weeks while the {} waited.",
                WORDS[i % 12],
                WORDS[(i + 3) % 12],
                WORDS[(i + 5) % 12],
                WORDS[(i + 7) % 12],
                WORDS[(i + 9) % 12],
                WORDS[(i + 11) % 12],
            )
        })
        .collect()
}

/// A rewrite of much of an article: a new headline, six consecutive
/// paragraphs removed and three new ones in their place, and edits,
/// removals and additions further down.
fn rewrite_alert() -> Alert {
    let old_paras = sentences("original", 14);
    let rewritten = [
        "Lawyers acting for Rasoulof told reporters on Thursday that crossing took eleven days, mostly at night, guided by Kurdish smugglers.",
        "Snow still covered several passes; two companions turned back early, fearing patrols.",
        "Berlin officials confirmed receiving an asylum request, declining further comment citing privacy rules.",
        "Festival organisers in Cannes welcomed news of his safe arrival and expect him at Friday's premiere.",
    ];
    let mut new_paras: Vec<String> = Vec::new();
    new_paras.push(old_paras[0].clone());
    new_paras.push(old_paras[1].replace("described", "reported"));
    new_paras.push(old_paras[2].clone());
    new_paras.extend(rewritten[..3].iter().map(|p| p.to_string()));
    new_paras.push(old_paras[9].clone());
    new_paras.push(old_paras[10].clone());
    new_paras.push(old_paras[11].replace("closely", "very closely"));
    new_paras.push(old_paras[13].replace("waited", "waited outside"));
    new_paras.push(rewritten[3].to_string());
    let old_refs: Vec<&str> = old_paras.iter().map(String::as_str).collect();
    let new_refs: Vec<&str> = new_paras.iter().map(String::as_str).collect();
    story_alert(
        "herald-rasoulof",
        &doc("Iranian director Mohammad Rasoulof flees Iran", &old_refs),
        &doc(
            "Rasoulof's lawyer describes the escape from Iran",
            &new_refs,
        ),
        "2026-11-22T08:15:00Z",
    )
}

/// A listing that yields three new stories at once, two of them in Persian.
fn new_items_list_alert() -> Alert {
    let item = |key: &str, title: &str, snippet: &str| {
        presswatch::alert::AlertItem::from(Item {
            key: key.into(),
            url: format!("https://wire.example.net/2024/05/{key}"),
            title: title.into(),
            snippet: Some(snippet.into()),
            published: None,
        })
    };
    Alert {
        id: Alert::derive_id("wire-iran", &["new_items", "k2", "k3", "k4"]),
        summary: "3 new items".into(),
        title: Some("3 new items on wire.example.net".into()),
        items: vec![
            item(
                "k2",
                "Rasoulof arrives in Hamburg",
                "The director reached Germany on Tuesday, his lawyer said.",
            ),
            item(
                "k3",
                "رسول‌اف به هامبورگ رسید",
                "وکیل این کارگردان گفت او روز سه‌شنبه به آلمان رسید.",
            ),
            item(
                "k4",
                "واکنش وزارت ارشاد به خروج رسول‌اف",
                "سخنگوی وزارت ارشاد گفت این فیلم مجوز نمایش نداشته است.",
            ),
        ],
        ..new_items_alert()
    }
}

/// The alert `test-alert` sends, with its fresh id and time fixed for snapshots.
fn fixed_test_alert() -> Alert {
    Alert {
        id: "test-0123456789abcdef".into(),
        detected_at: "2026-11-22T08:15:00Z".into(),
        ..presswatch::alert::test_alert()
    }
}

/// Delivers one alert by email to a fresh SMTP server and returns the raw message.
async fn mailed(alert: &Alert, daemon: &str) -> (Vec<u8>, Setup) {
    let listener = free_listener();
    let port = listener.local_addr().unwrap().port();
    let inbox = smtp_server(listener);
    let s = setup(&email_channel(port, ""), daemon);
    enqueue(&s, alert, now());
    assert_eq!(deliver(&s, now()).await.sent, 1);
    let raw = inbox.messages.lock().unwrap()[0].1.clone();
    (raw, s)
}

// ---- an SMTP server inside the test ------------------------------------------------

/// What the SMTP server received.
#[derive(Default)]
struct Inbox {
    messages: Mutex<Vec<(Vec<String>, Vec<u8>)>>,
    /// Answer DATA with 451 (try again later) this many more times.
    reject: AtomicUsize,
}

#[derive(Clone)]
struct SmtpHandler {
    inbox: Arc<Inbox>,
    to: Vec<String>,
    data: Vec<u8>,
}

impl mailin_embedded::Handler for SmtpHandler {
    fn data_start(
        &mut self,
        _: &str,
        _: &str,
        _: bool,
        to: &[String],
    ) -> mailin_embedded::Response {
        self.to = to.to_vec();
        self.data.clear();
        let r = &self.inbox.reject;
        if r.load(Ordering::SeqCst) > 0 {
            r.fetch_sub(1, Ordering::SeqCst);
            return mailin_embedded::response::INTERNAL_ERROR;
        }
        mailin_embedded::response::OK
    }
    fn data(&mut self, buf: &[u8]) -> std::io::Result<()> {
        self.data.extend_from_slice(buf);
        Ok(())
    }
    fn data_end(&mut self) -> mailin_embedded::Response {
        self.inbox
            .messages
            .lock()
            .unwrap()
            .push((self.to.clone(), std::mem::take(&mut self.data)));
        mailin_embedded::response::OK
    }
}

/// Starts an SMTP server (plain, for `tls = "none"`) on `listener`.
fn smtp_server(listener: std::net::TcpListener) -> Arc<Inbox> {
    let inbox = Arc::new(Inbox::default());
    let handler = SmtpHandler {
        inbox: inbox.clone(),
        to: vec![],
        data: vec![],
    };
    let mut server = mailin_embedded::Server::new(handler);
    server
        .with_name("smtp.test")
        .with_num_threads(2)
        .with_tcp_listener(listener);
    std::thread::spawn(move || {
        let _ = server.serve();
    });
    inbox
}

fn free_listener() -> std::net::TcpListener {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap()
}

// ---- a webhook receiver inside the test ------------------------------------------

/// One request the receiver got.
#[derive(Debug, Clone)]
struct Received {
    path: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Received {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// How the receiver answers the next request.
#[derive(Debug, Clone)]
enum Reply {
    Status(u16, Vec<(&'static str, String)>),
    /// Read the request and never answer.
    Hang,
    /// Answer 200 after this long.
    Slow(Duration),
    /// Answer with this status, content type and body.
    Answer(u16, &'static str, &'static str),
}

#[derive(Default)]
struct Hook {
    received: Mutex<Vec<Received>>,
    /// Scripted replies; 200 when empty.
    replies: Mutex<VecDeque<Reply>>,
    /// Requests being answered now, and the most there ever were at once.
    in_flight: AtomicUsize,
    most_in_flight: AtomicUsize,
}

impl Hook {
    fn script(&self, replies: &[Reply]) {
        self.replies.lock().unwrap().extend(replies.iter().cloned());
    }
    fn count(&self) -> usize {
        self.received.lock().unwrap().len()
    }
    fn requests(&self) -> Vec<Received> {
        self.received.lock().unwrap().clone()
    }
}

/// A minimal HTTP/1.1 server: reads one request per connection, records it,
/// answers with the next scripted reply. Runs on its own thread and runtime
/// so it also serves child processes while the test blocks.
fn webhook_server() -> (Arc<Hook>, String) {
    let hook = Arc::new(Hook::default());
    let listener = free_listener();
    listener.set_nonblocking(true).unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let h = hook.clone();
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async move {
            let listener = tokio::net::TcpListener::from_std(listener).unwrap();
            loop {
                let Ok((mut sock, _)) = listener.accept().await else {
                    continue;
                };
                let h = h.clone();
                tokio::spawn(async move {
                    let Some(req) = read_request(&mut sock).await else {
                        return;
                    };
                    h.received.lock().unwrap().push(req);
                    let now_in_flight = h.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
                    h.most_in_flight.fetch_max(now_in_flight, Ordering::SeqCst);
                    let reply = h
                        .replies
                        .lock()
                        .unwrap()
                        .pop_front()
                        .unwrap_or(Reply::Status(200, vec![]));
                    let reply = match reply {
                        Reply::Slow(delay) => {
                            tokio::time::sleep(delay).await;
                            Reply::Status(200, vec![])
                        }
                        r => r,
                    };
                    match reply {
                        Reply::Hang | Reply::Slow(_) => {
                            tokio::time::sleep(Duration::from_secs(3600)).await;
                        }
                        Reply::Status(code, headers) => {
                            let mut resp = format!(
                                "HTTP/1.1 {code} X\r\ncontent-length: 0\r\nconnection: close\r\n"
                            );
                            for (k, v) in headers {
                                resp.push_str(&format!("{k}: {v}\r\n"));
                            }
                            resp.push_str("\r\n");
                            let _ = sock.write_all(resp.as_bytes()).await;
                            let _ = sock.shutdown().await;
                            h.in_flight.fetch_sub(1, Ordering::SeqCst);
                        }
                        Reply::Answer(code, mime, body) => {
                            let resp = format!(
                                "HTTP/1.1 {code} X\r\ncontent-type: {mime}\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                                body.len()
                            );
                            let _ = sock.write_all(resp.as_bytes()).await;
                            let _ = sock.shutdown().await;
                            h.in_flight.fetch_sub(1, Ordering::SeqCst);
                        }
                    }
                });
            }
        });
    });
    (hook, url)
}

async fn read_request(sock: &mut tokio::net::TcpStream) -> Option<Received> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 8192];
    let head_end = loop {
        let n = sock.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i;
        }
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).to_string();
    let mut lines = head.split("\r\n");
    let path = lines.next()?.split(' ').nth(1)?.to_string();
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_lowercase(), v.trim().to_string()))
        .collect();
    let len: usize = headers
        .iter()
        .find(|(k, _)| k == "content-length")
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(0);
    let mut body = buf[head_end + 4..].to_vec();
    while body.len() < len {
        let n = sock.read(&mut chunk).await.ok()?;
        if n == 0 {
            break;
        }
        body.extend_from_slice(&chunk[..n]);
    }
    Some(Received {
        path,
        headers,
        body,
    })
}

/// Standard Webhooks verification written from the spec, independently of
/// presswatch: HMAC-SHA256 keyed with the base64-decoded `whsec_` secret over
/// `id.timestamp.body`, base64, in a space-separated list of `v1,<sig>`.
fn verify_standard_webhook(secret: &str, r: &Received) -> bool {
    let b64 = base64::engine::general_purpose::STANDARD;
    let key = b64.decode(secret.strip_prefix("whsec_").unwrap()).unwrap();
    let (Some(id), Some(ts), Some(sigs)) = (
        r.header("webhook-id"),
        r.header("webhook-timestamp"),
        r.header("webhook-signature"),
    ) else {
        return false;
    };
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(&key).unwrap();
    mac.update(format!("{id}.{ts}.").as_bytes());
    mac.update(&r.body);
    let expected = format!("v1,{}", b64.encode(mac.finalize().into_bytes()));
    let fresh = ts
        .parse::<i64>()
        .is_ok_and(|t| (chrono::Utc::now().timestamp() - t).abs() < 300);
    fresh && sigs.split(' ').any(|s| s == expected)
}

// ---- setup -------------------------------------------------------------------------

const SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

struct Setup {
    dir: tempfile::TempDir,
    config: Config,
    state: State,
}

/// A config in a temp dir with the given channels (TOML), one watch per
/// story used here, and its state database.
fn setup(channels: &str, daemon: &str) -> Setup {
    let dir = tempfile::tempdir().unwrap();
    let src = format!(
        "[daemon]\nstate_dir = \"state\"\nbaseline_dir = \"baseline\"\n{daemon}\n{channels}\n\
         [[watch]]\nname = \"herald-rasoulof\"\nurl = \"https://news.example.org/world/2024/may/14/mohammad-rasoulof-flees-iran\"\n\n\
         [[watch]]\nname = \"wire-iran\"\nurl = \"https://wire.example.net/tag/iran\"\nkind = \"listing\"\n"
    );
    let path = dir.path().join("config.toml");
    std::fs::write(&path, &src).unwrap();
    let config = Config::load(&path).unwrap_or_else(|e| panic!("{e}"));
    let state = State::open(&config.daemon.state_dir).unwrap();
    Setup { dir, config, state }
}

fn email_channel(port: u16, extra: &str) -> String {
    format!(
        "[[channel]]\nname = \"mail\"\ntype = \"email\"\nsmtp_url = \"smtp://127.0.0.1:{port}\"\ntls = \"none\"\n\
         from = \"presswatch <alerts@example.org>\"\nto = [\"press@example.org\", \"desk@example.org\"]\n{extra}\n"
    )
}

fn webhook_channel(url: &str, extra: &str) -> String {
    format!("[[channel]]\nname = \"hook\"\ntype = \"webhook\"\nurl = \"{url}\"\n{extra}\n")
}

fn enqueue(s: &Setup, alert: &Alert, now: i64) {
    let watch = s.config.watch(&alert.watch).unwrap();
    let channels = notify::route(&s.config, watch, alert);
    let channels: Vec<&str> = channels.iter().map(String::as_str).collect();
    let payload = serde_json::to_string(alert).unwrap();
    let check = queuing(&alert.id, alert.kind.as_str(), &payload, &channels, now);
    store_check(&s.state, &alert.watch, &check);
}

/// Fast retries: tests move the clock instead of waiting.
fn policy() -> RetryPolicy {
    RetryPolicy {
        first_delay: Duration::from_secs(30),
        max_delay: Duration::from_secs(3600),
        give_up_after: Duration::from_secs(24 * 3600),
        send_timeout: Duration::from_secs(5),
    }
}

fn http() -> reqwest::Client {
    reqwest::Client::new()
}

async fn deliver(s: &Setup, now: i64) -> notify::DeliveryReport {
    notify::deliver_due_at(&s.config, &s.state, &http(), &policy(), now)
        .await
        .unwrap()
}

fn parse(raw: &[u8]) -> mail_parser::Message<'_> {
    MessageParser::default()
        .parse(raw)
        .expect("a parsable message")
}

fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

// ---- email -------------------------------------------------------------------------

#[tokio::test]
async fn a_storys_alerts_thread_with_a_stable_subject_and_ids_unique_to_the_installation() {
    let listener = free_listener();
    let port = listener.local_addr().unwrap().port();
    let inbox = smtp_server(listener);
    let s = setup(&email_channel(port, ""), "");
    let first = edited_alert();
    let second = headline_alert();
    let third = Alert {
        id: "third".into(),
        ..edited_alert()
    };
    let t = now();
    for a in [&first, &second, &third] {
        enqueue(&s, a, t);
    }
    let r = deliver(&s, t).await;
    assert_eq!(
        r,
        notify::DeliveryReport {
            sent: 3,
            retrying: 0,
            dead: 0
        }
    );
    let install = s.state.installation_id().unwrap();
    let mid = |id: &str| format!("{id}.{install}@example.org");

    let msgs = inbox.messages.lock().unwrap();
    assert_eq!(msgs.len(), 3);
    let (rcpt, raw) = &msgs[1];
    assert_eq!(rcpt, &["press@example.org", "desk@example.org"]);
    let m = parse(raw);
    // The kind first, then the stem: the outlet and the story's first headline.
    assert_eq!(
        m.subject(),
        Some("New headline · The Example Herald: Iranian director Mohammad Rasoulof flees…")
    );
    assert_eq!(m.message_id(), Some(mid(&second.id).as_str()));
    assert_eq!(m.in_reply_to().as_text(), Some(mid(&first.id).as_str()));
    assert_eq!(
        m.header("X-Presswatch-Kind").and_then(|h| h.as_text()),
        Some("headline_changed")
    );
    assert_eq!(
        m.header("X-Presswatch-Watch").and_then(|h| h.as_text()),
        Some("herald-rasoulof")
    );
    assert_eq!(
        m.header("Auto-Submitted").and_then(|h| h.as_text()),
        Some("auto-generated")
    );
    assert_eq!(
        m.from().unwrap().first().unwrap().address(),
        Some("alerts@example.org")
    );
    // multipart/alternative: text/plain first, then text/html.
    let ct = m.content_type().unwrap();
    assert_eq!(
        (ct.ctype(), ct.subtype()),
        ("multipart", Some("alternative"))
    );
    assert_eq!(m.text_body.len(), 1);
    assert_eq!(m.html_body.len(), 1);
    let text = m.body_text(0).unwrap().replace("\r\n", "\n");
    assert!(text.starts_with("Headline changed · The Example Herald\nMohammad Rasoulof escapes Iran on foot after prison sentence\n"), "{text}");
    assert!(text.contains("Headline:\n  - [-Iranian director-] Mohammad Rasoulof [-flees-] Iran\n  + Mohammad Rasoulof {+escapes+} Iran {+on foot after prison sentence+}"), "{text}");

    // The third carries the whole chain in References, and the same stem.
    let m3 = parse(&msgs[2].1);
    assert_eq!(
        m3.references().as_text_list().unwrap_or_default(),
        vec![mid(&first.id), mid(&second.id)]
    );
    assert_eq!(m3.in_reply_to().as_text(), Some(mid(&second.id).as_str()));
    let stem = |s: &str| s.split_once(" · ").unwrap().1.to_string();
    assert_eq!(stem(m3.subject().unwrap()), stem(m.subject().unwrap()));

    // The first alert is the root: no threading headers.
    let first_msg = parse(&msgs[0].1);
    assert_eq!(first_msg.message_id(), Some(mid(&first.id).as_str()));
    assert!(first_msg.in_reply_to().is_empty());
    let first_text = first_msg.body_text(0).unwrap();
    assert!(first_text.contains("{+and a flogging+}"), "{first_text}");
    assert_eq!(
        first_msg.subject(),
        Some("Edited · The Example Herald: Iranian director Mohammad Rasoulof flees…")
    );
    let subject_chars = first_msg.subject().unwrap().chars().count();
    assert!(subject_chars <= presswatch::alert::SUBJECT_CHARS);
}

#[tokio::test]
async fn two_installations_reporting_one_change_send_different_message_ids() {
    let listener = free_listener();
    let port = listener.local_addr().unwrap().port();
    let inbox = smtp_server(listener);
    let alert = edited_alert();
    for _ in 0..2 {
        let s = setup(&email_channel(port, ""), "");
        enqueue(&s, &alert, now());
        assert_eq!(deliver(&s, now()).await.sent, 1);
    }
    let msgs = inbox.messages.lock().unwrap();
    let ids: Vec<String> = msgs
        .iter()
        .map(|(_, raw)| parse(raw).message_id().unwrap().to_string())
        .collect();
    assert_ne!(ids[0], ids[1]);
    for id in &ids {
        assert!(id.starts_with(&format!("{}.", alert.id)), "{id}");
        assert!(id.ends_with("@example.org"), "under the From domain: {id}");
    }
}

#[tokio::test]
async fn hostile_page_produces_a_safe_email() {
    let listener = free_listener();
    let port = listener.local_addr().unwrap().port();
    let inbox = smtp_server(listener);
    let s = setup(&email_channel(port, ""), "");
    let old = doc("Rasoulof flees", &[P1, P2]);
    let new = doc(
        "Rasoulof flees\r\nBcc: victim@example.com\r\n\r\n<b>owned</b>",
        &[
            P1,
            "<script>alert('x')</script> Rasoulof <img src=x onerror=\"alert(1)\"> fled <a href=\"javascript:alert(2)\">here</a>",
        ],
    );
    let mut alert = story_alert("herald-rasoulof", &old, &new, "2026-11-22T08:15:00Z");
    alert.byline = Some("<i>Evil</i>\nReply-To: x@evil.example".into());
    alert.items = vec![Item {
        key: "k".into(),
        url: "javascript:alert(3)".into(),
        title: "<svg onload=alert(4)>".into(),
        snippet: None,
        published: None,
    }
    .into()];
    enqueue(&s, &alert, now());
    assert_eq!(deliver(&s, now()).await.sent, 1);

    let msgs = inbox.messages.lock().unwrap();
    let (rcpt, raw) = &msgs[0];
    assert_eq!(rcpt.len(), 2, "no recipient was injected: {rcpt:?}");
    let m = parse(raw);
    assert!(m.header("Bcc").is_none());
    assert!(m.header("Reply-To").is_none());
    let subject = m.subject().unwrap();
    assert!(
        !subject.contains('\r') && !subject.contains('\n'),
        "{subject:?}"
    );
    assert!(
        subject.contains("Rasoulof flees Bcc: victim@example.com"),
        "kept as text: {subject:?}"
    );
    let html = m.body_html(0).unwrap();
    let lower = html.to_lowercase();
    for bad in [
        "<script",
        "<img",
        "<svg",
        "<b>owned",
        "<i>evil",
        "href=\"javascript",
        "onerror=\"",
    ] {
        assert!(!lower.contains(bad), "{bad} in {html}");
    }
    assert!(html.contains("&lt;script&gt;"), "{html}");
    assert!(html.contains("&lt;img src=x onerror="), "{html}");
    // The only links are the article's.
    let hrefs: Vec<&str> = html
        .match_indices("href=\"")
        .map(|(i, _)| &html[i + 6..i + 40])
        .collect();
    assert!(
        hrefs
            .iter()
            .all(|h| h.starts_with("https://news.example.org/")),
        "{hrefs:?}"
    );
    let text = m.body_text(0).unwrap();
    assert!(
        text.contains("<script>alert('x')</script>"),
        "text part shows the text as it was: {text}"
    );
}

#[tokio::test]
async fn hostile_html_page_through_extract_and_compare_gives_a_safe_email() {
    // A real page as a hostile site might serve it: script and img onerror
    // elements, markup-looking text (entity-encoded, so it is text after
    // extraction), a CR LF in the headline, and a javascript: link.
    let page = |extra: &str| {
        format!(
            "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>Rasoulof flees&#13;&#10;Bcc: victim@example.com</title>\
             <script>document.write('<b>x</b>')</script></head><body><article>\
             <h1>Rasoulof flees&#13;&#10;Bcc: victim@example.com</h1>\
             <p>{P1}</p><p>{P2}</p>{extra}\
             <p>Read <a href=\"javascript:alert(1)\">more</a>.<img src=x onerror=\"alert(2)\"></p>\
             </article><script>alert(3)</script></body></html>"
        )
    };
    let old = presswatch::extract::article(&page(""), None, None);
    let new = presswatch::extract::article(
        &page("<p>Witnesses said &lt;script&gt;alert(4)&lt;/script&gt; and &lt;img src=x onerror=alert(5)&gt; appeared on the page.</p>"),
        None,
        None,
    );
    let alert = story_alert("herald-rasoulof", &old, &new, "2026-11-22T08:15:00Z");
    let listener = free_listener();
    let port = listener.local_addr().unwrap().port();
    let inbox = smtp_server(listener);
    let s = setup(&email_channel(port, ""), "");
    enqueue(&s, &alert, now());
    assert_eq!(deliver(&s, now()).await.sent, 1);
    let msgs = inbox.messages.lock().unwrap().clone();
    let (rcpt, raw) = &msgs[0];
    assert_eq!(rcpt.len(), 2);
    let m = parse(raw);
    assert!(m.header("Bcc").is_none());
    let subject = m.subject().unwrap();
    assert!(!subject.contains(['\r', '\n']), "{subject:?}");
    let html = m.body_html(0).unwrap().to_lowercase();
    for bad in ["<script", "<img", "<b>x", "href=\"javascript", "onerror=\""] {
        assert!(!html.contains(bad), "{bad} in {html}");
    }
    assert!(
        html.contains("&lt;script&gt;alert(4)&lt;/script&gt;"),
        "{html}"
    );
}

#[tokio::test]
async fn smtp_down_then_refusing_then_up_delivers_exactly_once() {
    // Attempt 1: nothing listens on the port. Attempt 2: the server answers
    // DATA with 451. Attempt 3: accepted. Later rounds send nothing. The
    // port is bound but not listened on at first (connections are refused),
    // so that no other connection can take it before the server starts.
    let socket = tokio::net::TcpSocket::new_v4().unwrap();
    socket.bind("127.0.0.1:0".parse().unwrap()).unwrap();
    let port = socket.local_addr().unwrap().port();
    let s = setup(&email_channel(port, ""), "");
    let alert = edited_alert();
    let t0 = now();
    enqueue(&s, &alert, t0);
    let r = deliver(&s, t0).await;
    assert_eq!((r.sent, r.retrying), (0, 1));
    let e = &s.state.outbox(None, None).unwrap()[0];
    assert!(
        e.last_error.as_deref().unwrap().contains("cannot connect"),
        "{e:?}"
    );
    assert!(e.next_attempt >= t0 + 30, "backoff: {e:?}");

    let listener = socket.listen(16).unwrap().into_std().unwrap();
    listener.set_nonblocking(false).unwrap();
    let inbox = smtp_server(listener);
    inbox.reject.store(1, Ordering::SeqCst);
    // Not due yet: nothing is attempted.
    assert_eq!(deliver(&s, t0 + 1).await, notify::DeliveryReport::default());
    let r = deliver(&s, t0 + 3600).await;
    assert_eq!((r.sent, r.retrying), (0, 1));
    let e = &s.state.outbox(None, None).unwrap()[0];
    assert!(e.last_error.as_deref().unwrap().contains("451"), "{e:?}");
    let r = deliver(&s, t0 + 7200).await;
    assert_eq!(r.sent, 1);
    for k in 3..6 {
        assert_eq!(
            deliver(&s, t0 + k * 3600).await,
            notify::DeliveryReport::default()
        );
    }
    let msgs = inbox.messages.lock().unwrap();
    assert_eq!(msgs.len(), 1, "exactly one message arrived");
    let id = format!(
        "{}.{}@example.org",
        alert.id,
        s.state.installation_id().unwrap()
    );
    assert_eq!(parse(&msgs[0].1).message_id(), Some(id.as_str()));
    let e = &s.state.outbox(None, None).unwrap()[0];
    assert_eq!((e.status, e.attempts), (OutboxStatus::Sent, 3));
}

/// A mail server (or a middlebox) that accepts the message and drops the
/// connection while it is being sent: the attempt failed, and the error
/// says so rather than blaming the connection setup; the alert waits and
/// goes out once, with its Message-ID, when the server works again.
#[tokio::test]
async fn smtp_that_drops_the_connection_mid_message_is_retried_and_says_what_happened() {
    let listener = free_listener();
    let port = listener.local_addr().unwrap().port();
    // The same socket serves the working server afterwards: a port closed
    // and bound again can be taken meanwhile by another test's connection.
    let dropping = listener.try_clone().unwrap();
    let dropper = std::thread::spawn(move || {
        use std::io::{BufRead, BufReader};
        let (sock, _) = dropping.accept().unwrap();
        let mut w = sock.try_clone().unwrap();
        let mut r = BufReader::new(sock);
        w.write_all(b"220 smtp.test ESMTP\r\n").unwrap();
        let mut line = String::new();
        loop {
            line.clear();
            if r.read_line(&mut line).unwrap_or(0) == 0 {
                return;
            }
            let cmd = line.trim().to_ascii_uppercase();
            if cmd.starts_with("EHLO") {
                w.write_all(b"250-smtp.test\r\n250 8BITMIME\r\n").unwrap();
            } else if cmd == "DATA" {
                w.write_all(b"354 go ahead\r\n").unwrap();
                // Part of the message, then the connection is gone.
                let mut part = [0u8; 64];
                let _ = std::io::Read::read(&mut r, &mut part);
                return;
            } else {
                w.write_all(b"250 ok\r\n").unwrap();
            }
        }
    });
    let s = setup(&email_channel(port, ""), "");
    let alert = edited_alert();
    let t0 = now();
    enqueue(&s, &alert, t0);
    let r = deliver(&s, t0).await;
    assert_eq!((r.sent, r.retrying), (0, 1));
    dropper.join().unwrap();
    let e = &s.state.outbox(None, None).unwrap()[0];
    let error = e.last_error.as_deref().unwrap();
    assert!(
        error.contains("the connection broke off during the SMTP exchange")
            && !error.contains("cannot connect"),
        "{error}"
    );

    let inbox = smtp_server(listener);
    assert_eq!(deliver(&s, t0 + 3600).await.sent, 1);
    assert_eq!(
        deliver(&s, t0 + 7200).await,
        notify::DeliveryReport::default()
    );
    let msgs = inbox.messages.lock().unwrap();
    assert_eq!(msgs.len(), 1, "exactly one message arrived");
    let id = format!(
        "{}.{}@example.org",
        alert.id,
        s.state.installation_id().unwrap()
    );
    assert_eq!(parse(&msgs[0].1).message_id(), Some(id.as_str()));
}

// ---- what an alert says and how it reads ------------------------------------------------

#[tokio::test]
async fn a_persian_alert_isolates_its_headline_and_marks_its_language() {
    let alert = persian_alert();
    assert_eq!(
        alert.kind,
        ChangeKind::CorrectionAdded,
        "Arabic yeh spelling"
    );
    let (raw, _s) = mailed(&alert, "").await;
    let m = parse(&raw);
    let rli_pdi = |s: &str| format!("\u{2067}{s}\u{2069}");
    assert_eq!(
        m.subject(),
        Some(
            format!(
                "Correction · {}: {}",
                rli_pdi("ایران‌وایر"),
                rli_pdi(FA_TITLE)
            )
            .as_str()
        )
    );
    let text = m.body_text(0).unwrap().replace("\r\n", "\n");
    assert!(
        text.starts_with(&format!(
            "Correction added · {}\n{}\n",
            rli_pdi("ایران‌وایر"),
            rli_pdi(FA_TITLE)
        )),
        "{text}"
    );
    let html = m.body_html(0).unwrap();
    // The document is the story's, Persian and right to left, for mail
    // clients and screen readers; the labels around it ("Detected", the
    // footer) stay English and left to right.
    assert!(
        html.starts_with("<!DOCTYPE html><html lang=\"fa\" dir=\"rtl\"><head>"),
        "{html}"
    );
    let labels = html.find("<div lang=\"en\" dir=\"ltr\">").expect(&html);
    let detected = html.find("Detected ").expect(&html);
    assert!(labels < detected, "{html}");
    assert!(
        html.ends_with("</div></td></tr></table></body></html>"),
        "{html}"
    );
    // A digest of stories in several languages keeps the labels' language
    // at its root, each story marking its own.
    let digest = render::digest_html(&[alert.clone(), edited_alert()], &berlin());
    assert!(
        digest.starts_with("<!DOCTYPE html><html lang=\"en\"><head>"),
        "{digest}"
    );
    assert!(digest.contains("lang=\"fa\" dir=\"rtl\">"), "{digest}");
    assert!(
        html.contains(
            "<h1 style=\"font-size:22px;line-height:1.3;margin:6px 0 8px 0;color:#222222;\" lang=\"fa\" dir=\"rtl\">"
        ),
        "{html}"
    );
    let rtl_paragraphs = html.matches("lang=\"fa\" dir=\"rtl\">").count();
    assert!(
        rtl_paragraphs >= 4,
        "headline, byline, two paragraphs: {html}"
    );
}

#[tokio::test]
async fn a_single_new_item_links_to_the_article_and_names_it_once() {
    let alert = new_items_alert();
    let item = &alert.items[0];
    let (raw, _s) = mailed(&alert, "").await;
    let m = parse(&raw);
    assert_eq!(
        m.subject(),
        Some("New · wire.example.net: Cannes selects The Seed of the Sacred Fig…")
    );
    let text = m.body_text(0).unwrap().replace("\r\n", "\n");
    assert_eq!(text.matches(item.title.as_str()).count(), 1, "{text}");
    assert!(
        text.starts_with(&format!(
            "New item · wire.example.net\n{}\n\n{}\n",
            item.title, item.url
        )),
        "{text}"
    );
    assert!(text.contains(&format!("found on {}", alert.url)), "{text}");
    let html = m.body_html(0).unwrap();
    assert_eq!(html.matches(item.title.as_str()).count(), 1, "{html}");
    assert!(
        html.contains(&format!(
            "<a href=\"{}\" style=\"color:#1a4b8c;text-decoration:none;\">{}</a>",
            item.url, item.title
        )),
        "the headline links to the new article: {html}"
    );
    // Nothing is struck through or underlined: no legend.
    assert!(
        !html.contains("struck through") && !html.contains("<del"),
        "{html}"
    );
    assert!(!text.contains("[-removed words-]"), "{text}");
}

#[tokio::test]
async fn changed_words_read_without_colour_and_paragraphs_are_named_by_their_words() {
    let (raw, _s) = mailed(&edited_alert(), "").await;
    let m = parse(&raw);
    let html = m.body_html(0).unwrap();
    // Underlined (below the dots of Persian letters) and struck through, and announced to screen readers.
    assert!(html.contains("<ins style=\"color:#0a5c26;background:#e3f6e8;text-decoration:underline;text-underline-offset:0.3em;\"><span lang=\"en\" dir=\"ltr\" style=\"position:absolute;"), "{html}");
    assert!(html.contains("<del style=\"color:#9b0019;background:#fde7e9;text-decoration:line-through;\"><span lang=\"en\" dir=\"ltr\" style=\"position:absolute;"), "{html}");
    assert!(
        html.contains(">added: </span>and a flogging</ins>"),
        "{html}"
    );
    assert!(html.contains(">removed: </span>rugged</del>"), "{html}");
    assert!(
        html.contains("Removed words are <del"),
        "the legend: {html}"
    );
    // Where each change is, in the reader's terms, linked to the spot.
    let text = m.body_text(0).unwrap().replace("\r\n", "\n");
    assert!(
        text.contains("New paragraph after \u{201C}Mohammad Mehdi Esmaeili, Iran's Culture Minister, on\nMonday…\u{201D}:\n  {+Rasoulof said he hoped"),
        "{text}"
    );
    assert!(
        text.contains("Changed: the paragraph beginning \u{201C}Iranian dissident filmmaker Mohammad\nRasoulof has fled Iran,…\u{201D}"),
        "{text}"
    );
    assert!(!text.contains("Paragraph 4"), "{text}");
    assert!(
        html.contains("href=\"https://news.example.org/world/2024/may/14/mohammad-rasoulof-flees-iran#:~:text=Mohammad%20Mehdi%20Esmaeili%2C%20Iran%27s%20Culture%20Minister%2C\""),
        "{html}"
    );
    assert!(
        text.contains("\n-- \n[-removed words-] {+added words+}\n"),
        "{text}"
    );
}

/// A word replaced before an unchanged comma is mailed with the comma
/// once, after its marks, in the text and the HTML part (`[-lashes-]
/// {+flogging+}, a fine`), in English and in Persian (، ): the marks took
/// the comma in (`[-lashes,-] {+flogging,+} a fine`), as if it had changed
/// too.
#[tokio::test]
async fn a_word_replaced_before_an_unchanged_comma_is_mailed_with_the_comma_after_its_marks() {
    let persian = |p: &str| Document {
        byline: Some("آیدا قجر".into()),
        ..doc(FA_TITLE, &[p, FA_P2])
    };
    let fa_edited = FA_P1.replace("سال زندان،", "سال حبس،");
    assert_ne!(fa_edited, FA_P1);
    let fa_alert = story_alert(
        "herald-rasoulof",
        &persian(FA_P1),
        &persian(&fa_edited),
        "2026-11-22T08:15:00Z",
    );
    for (alert, line, removed, added) in [
        (
            edited_alert(),
            "include imprisonment, [-lashes-] {+flogging+}, a fine, and",
            ">removed: </span>lashes</del> <ins",
            ">added: </span>flogging</ins>, a fine, and",
        ),
        (
            fa_alert,
            "به هشت سال [-زندان-] {+حبس+}، پیاده و از",
            ">removed: </span>زندان</del> <ins",
            ">added: </span>حبس</ins>، پیاده و از",
        ),
    ] {
        let (raw, _s) = mailed(&alert, "").await;
        let m = parse(&raw);
        let text = m.body_text(0).unwrap().replace("\r\n", "\n");
        assert!(
            as_read(&text.replace('\u{200F}', "")).contains(line),
            "{text}"
        );
        let html = m.body_html(0).unwrap();
        assert!(html.contains(removed), "{html}");
        assert!(html.contains(added), "{html}");
    }
}

#[tokio::test]
async fn a_softened_headline_is_mailed_with_only_its_changed_words_marked() {
    let old = doc(
        "Filmmaker Mohammad Rasoulof Escapes Iran on Foot After Prison Sentence",
        &[P1, P2],
    );
    let new = doc(
        "Filmmaker Mohammad Rasoulof Leaves Iran After Prison Sentence",
        &[P1, P2],
    );
    let alert = story_alert("herald-rasoulof", &old, &new, "2026-11-22T09:40:00Z");
    assert_eq!(alert.kind, ChangeKind::HeadlineChanged);
    let (raw, _s) = mailed(&alert, "").await;
    let m = parse(&raw);
    let text = m.body_text(0).unwrap().replace("\r\n", "\n");
    let lines = "Headline:\n  - Filmmaker Mohammad Rasoulof [-Escapes-] Iran [-on Foot-] After Prison Sentence\n  + Filmmaker Mohammad Rasoulof {+Leaves+} Iran After Prison Sentence\n";
    assert!(as_read(&text).contains(&as_read(lines)), "{text}");
    // Both headlines whole in the HTML part, only the changed words struck
    // through or underlined.
    let html = m.body_html(0).unwrap();
    let del = |w: &str| {
        format!("<del style=\"color:#9b0019;background:#fde7e9;text-decoration:line-through;\"><span lang=\"en\" dir=\"ltr\" style=\"position:absolute;display:inline-block;width:1px;height:1px;margin:-1px;padding:0;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap;border:0;mso-hide:all;font-size:0;line-height:0;max-height:0;\">removed: </span>{w}</del>")
    };
    assert!(
        html.contains(&format!(
            "Filmmaker Mohammad Rasoulof {} Iran {} After Prison Sentence</span>",
            del("Escapes"),
            del("on Foot")
        )),
        "{html}"
    );
    assert!(
        html.contains(">added: </span>Leaves</ins> Iran After Prison Sentence</span>"),
        "{html}"
    );
    // Chat messages carry the same marks.
    use presswatch::config::WebhookFormat;
    let ctx = render::Context::default();
    let slack = notify::webhook::payload(WebhookFormat::Slack, &alert, &ctx);
    assert!(
        as_read(slack["text"].as_str().unwrap()).contains(&as_read(lines)),
        "{slack}"
    );
    let discord = notify::webhook::payload(WebhookFormat::Discord, &alert, &ctx);
    assert!(
        discord["content"]
            .as_str()
            .unwrap()
            .contains("Filmmaker Mohammad Rasoulof \\[\\-Escapes\\-\\] Iran"),
        "{discord}"
    );
}

#[tokio::test]
async fn a_long_rewrite_is_cut_with_merged_runs_and_the_command_that_shows_it_all() {
    let alert = rewrite_alert();
    let (raw, s) = mailed(&alert, "").await;
    let m = parse(&raw);
    let text = m.body_text(0).unwrap().replace("\r\n", "\n");
    assert!(
        text.contains("6 paragraphs removed (186 words); they were after \u{201C}The original verdict\nnumber 2 was described by…\u{201D}:"),
        "{text}"
    );
    assert!(text.contains("  … and 2 more paragraphs\n"), "{text}");
    assert!(text.contains("3 new paragraphs (45 words) after"), "{text}");
    let config = std::fs::canonicalize(s.dir.path().join("config.toml")).unwrap();
    assert!(
        text.contains(&format!(
            "2 more changes not shown. See every change with:\n  presswatch diff --config {} --watch herald-rasoulof\n",
            config.display()
        )),
        "{text}"
    );
    let lines = text.lines().count();
    assert!(lines < 60, "{lines} lines: {text}");
    let html = m.body_html(0).unwrap();
    assert!(html.contains("2 more changes not shown."), "{html}");
}

/// The command a cut alert ends with shows that alert's change, read days
/// later too: by then a later edit has made the watch's latest change
/// another one, so the command names the version the alert shows.
#[tokio::test]
async fn a_cut_alert_s_command_shows_the_alert_s_own_change_not_the_watch_s_latest() {
    let mut alert = rewrite_alert();
    alert.evidence = Some(presswatch::alert::Evidence {
        version: 7,
        report: None,
        snapshot_sha256: None,
        record: None,
    });
    let (raw, s) = mailed(&alert, "").await;
    let m = parse(&raw);
    let text = m.body_text(0).unwrap().replace("\r\n", "\n");
    let config = std::fs::canonicalize(s.dir.path().join("config.toml")).unwrap();
    let command = format!(
        "presswatch diff --config {} --watch herald-rasoulof --to 7",
        config.display()
    );
    assert!(
        text.contains(&format!(
            "2 more changes not shown. See every change with:\n  {command}\n"
        )),
        "{text}"
    );
    assert!(m.body_html(0).unwrap().contains(&command));
}

#[tokio::test]
async fn immediate_alerts_show_times_in_the_configured_zone_as_digests_do() {
    let (raw, _s) = mailed(&edited_alert(), "timezone = \"Europe/Berlin\"").await;
    let m = parse(&raw);
    let text = m.body_text(0).unwrap();
    assert!(text.contains("detected 2026-11-22 09:15 CET"), "{text}");
    assert!(m
        .body_html(0)
        .unwrap()
        .contains("Detected 2026-11-22 09:15 CET"));
}

// ---- webhooks ----------------------------------------------------------------------

#[tokio::test]
async fn webhook_500_then_200_is_signed_and_keeps_its_id() {
    let (hook, base) = webhook_server();
    // The secret from a file: setting an environment variable in this
    // process would race with every test thread reading the environment.
    let keys = tempfile::tempdir().unwrap();
    let key = keys.path().join("hook.key");
    std::fs::write(&key, format!("{SECRET}\n")).unwrap();
    let s = setup(
        &webhook_channel(
            &format!("{base}/hook"),
            &format!("secret_file = \"{}\"", key.display()),
        ),
        "",
    );
    hook.script(&[Reply::Status(500, vec![])]);
    let alert = edited_alert();
    let t0 = now();
    enqueue(&s, &alert, t0);
    assert_eq!(deliver(&s, t0).await.retrying, 1);
    let e = &s.state.outbox(None, None).unwrap()[0];
    assert!(
        e.last_error.as_deref().unwrap().contains("HTTP 500"),
        "{e:?}"
    );
    assert_eq!(deliver(&s, t0 + 3600).await.sent, 1);
    assert_eq!(
        deliver(&s, t0 + 7200).await,
        notify::DeliveryReport::default()
    );

    let reqs = hook.requests();
    assert_eq!(reqs.len(), 2);
    for r in &reqs {
        assert_eq!(r.path, "/hook");
        assert_eq!(r.header("webhook-id"), Some(alert.id.as_str()));
        assert_eq!(r.header("content-type"), Some("application/json"));
        assert!(verify_standard_webhook(SECRET, r), "signature of {r:?}");
    }
    // A tampered body fails verification.
    let mut forged = reqs[1].clone();
    forged.body.extend_from_slice(b" ");
    assert!(!verify_standard_webhook(SECRET, &forged));
    // The documented schema.
    let v: serde_json::Value = serde_json::from_slice(&reqs[1].body).unwrap();
    assert_eq!(v["schema"], 1);
    assert_eq!(v["id"], alert.id.as_str());
    assert_eq!(v["watch"], "herald-rasoulof");
    assert_eq!(v["kind"], "edited");
    assert_eq!(v["detected_at"], "2026-11-22T08:15:00Z");
    let blocks = v["change"]["blocks"].as_array().unwrap();
    assert!(blocks
        .iter()
        .any(|b| b["op"] == "added" && b["text"] == P_ADDED));
    assert!(blocks
        .iter()
        .any(|b| b["op"] == "changed" && b["segments"].is_array()));
}

#[tokio::test]
async fn webhooks_go_out_in_parallel_a_watchs_alerts_in_order_and_a_failure_stops_new_sends() {
    let (hook, base) = webhook_server();
    let s = setup(&webhook_channel(&format!("{base}/hook"), ""), "");
    let t0 = now();
    let hooked = |watch: &str, id: &str| {
        let mut a = edited_alert();
        a.watch = watch.to_string();
        a.id = id.to_string();
        let payload = serde_json::to_string(&a).unwrap();
        store_check(
            &s.state,
            watch,
            &queuing(id, "edited", &payload, &["hook"], t0),
        );
    };
    // Three alerts about one story, then one about each of nine others.
    for id in ["story-1", "story-2", "story-3"] {
        hooked("story", id);
    }
    for i in 0..9 {
        hooked(&format!("other-{i}"), &format!("other-{i}-1"));
    }
    hook.script(&vec![Reply::Slow(Duration::from_millis(150)); 12]);
    assert_eq!(deliver(&s, t0).await.sent, 12);
    let most = hook.most_in_flight.load(Ordering::SeqCst);
    assert!((2..=8).contains(&most), "{most} requests at once");
    let story: Vec<String> = hook
        .requests()
        .iter()
        .filter_map(|r| {
            r.header("webhook-id")
                .filter(|id| id.starts_with("story"))
                .map(str::to_string)
        })
        .collect();
    assert_eq!(story, ["story-1", "story-2", "story-3"]);

    // A failing receiver: the sends already started finish, no new one
    // starts, and the rest wait with the failure's backoff.
    let (hook, base) = webhook_server();
    let s = setup(&webhook_channel(&format!("{base}/hook"), ""), "");
    for i in 0..16 {
        let mut a = edited_alert();
        a.watch = format!("w{i}");
        a.id = format!("w{i}-1");
        let payload = serde_json::to_string(&a).unwrap();
        store_check(
            &s.state,
            &a.watch,
            &queuing(&a.id, "edited", &payload, &["hook"], t0),
        );
    }
    let mut replies = vec![Reply::Status(500, vec![])];
    replies.extend(vec![Reply::Slow(Duration::from_millis(150)); 15]);
    hook.script(&replies);
    let r = deliver(&s, t0).await;
    assert_eq!((r.sent, r.retrying, r.dead), (7, 9, 0));
    assert_eq!(hook.count(), 8);
    let waiting = s.state.outbox(Some(OutboxStatus::Pending), None).unwrap();
    assert_eq!(waiting.len(), 9);
    assert!(
        waiting.iter().all(|e| e.next_attempt >= t0 + 30),
        "{waiting:?}"
    );
    // The next round delivers them.
    assert_eq!(deliver(&s, t0 + 3600).await.sent, 9);
}

#[tokio::test]
async fn webhook_429_honours_retry_after() {
    let (hook, base) = webhook_server();
    let s = setup(&webhook_channel(&format!("{base}/hook"), ""), "");
    hook.script(&[Reply::Status(429, vec![("retry-after", "1200".into())])]);
    let t0 = now();
    enqueue(&s, &edited_alert(), t0);
    assert_eq!(deliver(&s, t0).await.retrying, 1);
    let e = &s.state.outbox(None, None).unwrap()[0];
    assert!(e.next_attempt >= t0 + 1200, "Retry-After honoured: {e:?}");
    assert_eq!(
        deliver(&s, t0 + 600).await,
        notify::DeliveryReport::default()
    );
    assert_eq!(hook.count(), 1);
    assert_eq!(deliver(&s, t0 + 1300).await.sent, 1);
    assert_eq!(hook.count(), 2);
}

#[tokio::test]
async fn webhook_410_disables_the_channel_until_its_url_changes() {
    let (hook, base) = webhook_server();
    let s = setup(&webhook_channel(&format!("{base}/old"), ""), "");
    hook.script(&[Reply::Status(410, vec![])]);
    let t0 = now();
    enqueue(&s, &edited_alert(), t0);
    enqueue(&s, &headline_alert(), t0);
    let r = deliver(&s, t0).await;
    assert_eq!((r.sent, r.retrying), (0, 2), "the second alert waits too");
    let d = s.state.channel_disabled("hook").unwrap().expect("disabled");
    assert!(d.reason.contains("410"), "{d:?}");
    // Persisted: a new State (a restart) still skips the channel.
    let state = State::open(&s.config.daemon.state_dir).unwrap();
    let r = notify::deliver_due_at(&s.config, &state, &http(), &policy(), t0 + 7200)
        .await
        .unwrap();
    assert_eq!(r, notify::DeliveryReport::default());
    assert_eq!(hook.count(), 1);
    // A fixed URL enables it; both alerts go out, nothing is lost.
    let fixed = setup(&webhook_channel(&format!("{base}/new"), ""), "");
    let cfg = Config::parse(
        &s.dir.path().join("config.toml"),
        &std::fs::read_to_string(fixed.dir.path().join("config.toml")).unwrap(),
    )
    .unwrap();
    let r = notify::deliver_due_at(&cfg, &state, &http(), &policy(), t0 + 7200)
        .await
        .unwrap();
    assert_eq!(r.sent, 2);
    assert!(state.channel_disabled("hook").unwrap().is_none());
    assert!(hook.requests()[1..].iter().all(|r| r.path == "/new"));
}

/// A relay named smtp:// (plain SMTP, then STARTTLS) on a port that speaks
/// TLS from the first byte, as 465 does: it never greets, so the attempt
/// times out, and the message says the server may expect TLS at once and to
/// use smtps://, not only that it is slow or down.
#[tokio::test(flavor = "multi_thread")]
async fn a_relay_named_smtp_on_an_implicit_tls_port_times_out_saying_to_use_smtps() {
    let cert = crate::support::ServerCert::self_signed(&["127.0.0.1"]);
    let mails = Arc::new(Mutex::new(Vec::<Vec<u8>>::new()));
    let port =
        crate::support::smtp_sink_tls(mails.clone(), &cert, crate::support::SmtpTls::Implicit)
            .await;
    let s = setup(
        &format!(
            "[[channel]]\nname = \"mail\"\ntype = \"email\"\nsmtp_url = \"smtp://127.0.0.1:{port}\"\n\
             from = \"presswatch <alerts@example.org>\"\nto = [\"press@example.org\"]\n"
        ),
        "",
    );
    let policy = RetryPolicy {
        send_timeout: Duration::from_secs(2),
        ..policy()
    };
    let t0 = now();
    enqueue(&s, &edited_alert(), t0);
    let started = std::time::Instant::now();
    let r = notify::deliver_due_at(&s.config, &s.state, &http(), &policy, t0)
        .await
        .unwrap();
    assert!(started.elapsed() < Duration::from_secs(4));
    assert_eq!((r.sent, r.retrying), (0, 1));
    let e = &s.state.outbox(None, None).unwrap()[0];
    assert_eq!(
        e.last_error.as_deref().unwrap(),
        format!(
            "email to 127.0.0.1:{port}: no answer within 2s (timed out): no SMTP greeting came within \
             0.5s of connecting: the server may expect TLS at once, as on port 465: use smtps:// in the \
             channel's smtp_url (smtp:// is plain SMTP then STARTTLS); an alert in the outbox is sent \
             again later"
        )
    );
    assert!(mails.lock().unwrap().is_empty());
}

#[tokio::test]
async fn a_hanging_receiver_times_out_and_gives_up_after_the_window_until_retried() {
    let (hook, base) = webhook_server();
    let s = setup(&webhook_channel(&format!("{base}/hook"), ""), "");
    hook.script(&[Reply::Hang, Reply::Status(503, vec![])]);
    let policy = RetryPolicy {
        send_timeout: Duration::from_millis(300),
        ..policy()
    };
    let t0 = now();
    enqueue(&s, &edited_alert(), t0);
    let started = std::time::Instant::now();
    let r = notify::deliver_due_at(&s.config, &s.state, &http(), &policy, t0)
        .await
        .unwrap();
    assert!(started.elapsed() < Duration::from_secs(3));
    assert_eq!(r.retrying, 1);
    let e = &s.state.outbox(None, None).unwrap()[0];
    assert!(
        e.last_error.as_deref().unwrap().starts_with(&format!(
            "POST to {}: no answer within ",
            base.trim_start_matches("http://")
        )) && e.last_error.as_deref().unwrap().ends_with(
            "(timed out): the receiver is slow or down; an alert in the outbox is sent again later"
        ),
        "{e:?}"
    );
    // Still failing when the 24 h window is over: dead.
    let late = t0 + 24 * 3600 + 1;
    let r = notify::deliver_due_at(&s.config, &s.state, &http(), &policy, late)
        .await
        .unwrap();
    assert_eq!(r.dead, 1);
    let dead = s.state.outbox(Some(OutboxStatus::Dead), None).unwrap();
    assert_eq!(dead.len(), 1);
    // `outbox retry` makes it due again; now it is delivered.
    assert_eq!(s.state.retry(None, late).unwrap(), 1);
    let r = notify::deliver_due_at(&s.config, &s.state, &http(), &policy, late)
        .await
        .unwrap();
    assert_eq!(r.sent, 1);
    assert_eq!(hook.count(), 3);
}

/// A receiver that hangs holds up its own channel's alerts only: the mail
/// channel beside it gets the alert at once, not after the webhook's send
/// timeout (channels were sent to one after another, so each hanging relay
/// or receiver delayed every other channel by a minute in each round).
#[tokio::test]
async fn a_hanging_channel_does_not_hold_up_the_others() {
    let (hook, base) = webhook_server();
    hook.script(&[Reply::Hang]);
    let listener = free_listener();
    let port = listener.local_addr().unwrap().port();
    let inbox = smtp_server(listener);
    let s = setup(
        &format!(
            "{}{}",
            webhook_channel(&format!("{base}/hook"), ""),
            email_channel(port, "")
        ),
        "",
    );
    let t0 = now();
    enqueue(&s, &edited_alert(), t0);
    let started = std::time::Instant::now();
    let round = deliver(&s, t0);
    tokio::pin!(round);
    let mailed_after = loop {
        tokio::select! {
            r = &mut round => panic!("the round ended before the mail went out: {r:?}"),
            _ = tokio::time::sleep(Duration::from_millis(50)) => {}
        }
        if !inbox.messages.lock().unwrap().is_empty() {
            break started.elapsed();
        }
    };
    assert!(
        mailed_after < policy().send_timeout / 2,
        "the mail waited {mailed_after:?} for the hanging webhook"
    );
    let r = round.await;
    assert_eq!((r.sent, r.retrying), (1, 1));
    let hook_entry = s
        .state
        .outbox(None, None)
        .unwrap()
        .into_iter()
        .find(|e| e.channel == "hook")
        .unwrap();
    assert!(
        hook_entry
            .last_error
            .as_deref()
            .unwrap()
            .contains("timed out"),
        "{hook_entry:?}"
    );
}

#[test]
fn chat_payloads_escape_markup_and_fit_the_limits() {
    use presswatch::config::WebhookFormat;
    let mut alert = edited_alert();
    // Markup in the headline, and a headline far too long for any chat message.
    alert.title = Some(format!(
        "<!channel> @everyone [click](https://evil.example) *bold* {}",
        "word ".repeat(5000)
    ));
    let ctx = render::Context::default();
    let slack = notify::webhook::payload(WebhookFormat::Slack, &alert, &ctx);
    let t = slack["text"].as_str().unwrap();
    assert!(t.chars().count() <= 3000, "{}", t.len());
    assert!(!t.contains("<!channel>") && t.contains("&lt;!channel&gt;"));
    assert!(t.contains("truncated") && t.contains(&alert.url));
    let discord = notify::webhook::payload(WebhookFormat::Discord, &alert, &ctx);
    let c = discord["content"].as_str().unwrap();
    assert!(c.chars().count() <= 2000);
    assert!(c.contains("\\[click\\]\\(https://evil.example\\)"), "{c}");
    assert_eq!(discord["allowed_mentions"]["parse"], serde_json::json!([]));
    let teams = notify::webhook::payload(WebhookFormat::Teams, &alert, &ctx);
    assert!(serde_json::to_vec(&teams).unwrap().len() < 28 * 1024);
    assert_eq!(teams["attachments"][0]["content"]["type"], "AdaptiveCard");
}

// ---- digests -----------------------------------------------------------------------

#[tokio::test]
async fn daily_digest_groups_by_story_new_items_first_and_survives_restart() {
    let listener = free_listener();
    let port = listener.local_addr().unwrap().port();
    let inbox = smtp_server(listener);
    let s = setup(
        &email_channel(port, "digest = \"daily 08:00\""),
        "timezone = \"Europe/Berlin\"",
    );
    use chrono::TimeZone as _;
    let berlin: chrono_tz::Tz = "Europe/Berlin".parse().unwrap();
    let at = |d: u32, h: u32, m: u32| {
        berlin
            .with_ymd_and_hms(2026, 11, d, h, m, 0)
            .unwrap()
            .timestamp()
    };
    let (a1, a2, a3) = (edited_alert(), new_items_alert(), headline_alert());
    enqueue(&s, &a1, at(22, 9, 15));
    enqueue(&s, &a2, at(22, 9, 30));
    enqueue(&s, &a3, at(22, 10, 40));
    // Before the slot nothing goes out.
    assert_eq!(
        deliver(&s, at(22, 23, 0)).await,
        notify::DeliveryReport::default()
    );
    assert_eq!(
        deliver(&s, at(23, 7, 59)).await,
        notify::DeliveryReport::default()
    );
    // Restart: a fresh handle on the same database; the slot has come.
    let state = State::open(&s.config.daemon.state_dir).unwrap();
    let r = notify::deliver_due_at(&s.config, &state, &http(), &policy(), at(23, 8, 0))
        .await
        .unwrap();
    assert_eq!(r.sent, 3);
    let msgs = inbox.messages.lock().unwrap().clone();
    assert_eq!(msgs.len(), 1, "one message for three alerts");
    let m = parse(&msgs[0].1);
    assert_eq!(
        m.subject(),
        Some("Daily digest: 1 new item, 2 changes in 1 story")
    );
    let text = as_read(&m.body_text(0).unwrap());
    // What it holds, at the top of both parts.
    let summary = "3 alerts on 2 watches: 1 with new items, 1 edited, 1 with a new headline";
    assert!(text.starts_with(summary), "{text}");
    let html = m.body_html(0).unwrap();
    assert!(html.contains(&format!(">{summary}</p>")), "{html}");
    let new_items = text.find("New items =========").expect(&text);
    let story = text
        .find("Mohammad Rasoulof escapes Iran on foot after prison sentence (The Example Herald)")
        .expect(&text);
    assert!(new_items < story, "{text}");
    let (edit, headline) = (
        text.find("Edited · ").unwrap(),
        text.find("Headline changed · ").unwrap(),
    );
    assert!(
        story < edit && edit < headline,
        "story alerts in order: {text}"
    );
    assert!(text.contains("2026-11-22 09:15 CET"), "local times: {text}");
    // The next digest waits for the next slot.
    let a4 = Alert {
        id: "follow-up".into(),
        ..edited_alert()
    };
    enqueue(&s, &a4, at(23, 9, 0));
    assert_eq!(
        deliver(&s, at(23, 12, 0)).await,
        notify::DeliveryReport::default()
    );
    assert_eq!(deliver(&s, at(24, 8, 1)).await.sent, 1);
    // After a quiet week a new alert still waits for the next slot.
    let a5 = Alert {
        id: "after-a-quiet-week".into(),
        ..edited_alert()
    };
    enqueue(&s, &a5, at(28, 10, 0));
    assert_eq!(
        deliver(&s, at(28, 10, 1)).await,
        notify::DeliveryReport::default()
    );
    assert_eq!(deliver(&s, at(29, 8, 0)).await.sent, 1);
}

/// A digest of many alerts says at the top of both its parts what it holds
/// (how many alerts, on how many watches, how many of each kind,
/// takedowns first), so a reader sees it at a glance before the stories.
#[test]
fn a_digest_starts_with_a_line_counting_its_alerts_by_kind_and_watch() {
    let on = |watch: &str, kind: ChangeKind| {
        Alert::new(
            format!("{watch}-{}", kind.as_str()),
            watch.into(),
            format!("https://news.example.org/{watch}"),
            "The Example Herald".into(),
            kind,
            format!("{} (a summary of the change)", kind.label()),
            "2026-11-22T10:00:00Z".into(),
        )
    };
    let later_edit = Alert {
        id: "follow-up".into(),
        ..edited_alert()
    };
    let alerts = [
        edited_alert(),
        new_items_alert(),
        on("herald-evin", ChangeKind::Edited),
        on("herald-cannes", ChangeKind::TakenDown),
        later_edit,
        Alert {
            id: "second-listing".into(),
            ..new_items_alert()
        },
        on("wire-feed", ChangeKind::Retitled),
    ];
    let line = "7 alerts on 5 watches: 1 taken down, 2 with new items, 3 edited, 1 retitled";
    assert_eq!(render::digest_summary(&alerts), line);
    let text = render::digest_text(&alerts, &berlin());
    assert!(text.starts_with(&format!("{line}\n\n")), "{text}");
    let html = render::digest_html(&alerts, &berlin());
    let first_heading = html.find("<h2").expect(&html);
    let summary = html.find(&format!(">{line}</p>")).expect(&html);
    assert!(summary < first_heading, "{html}");
}

// ---- the real binary: killed mid-delivery, test-alert ----------------------------------

const BIN: &str = env!("CARGO_BIN_EXE_presswatch");

fn article_html(title: &str, paras: &[&str]) -> String {
    let body: String = paras.iter().map(|p| format!("<p>{p}</p>\n")).collect();
    format!("<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>{title}</title></head><body><article><h1>{title}</h1>\n{body}</article></body></html>")
}

fn replay_dir(root: &Path, name: &str, html: &str) -> PathBuf {
    let dir = root.join(name);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("a.html"), html).unwrap();
    std::fs::write(
        dir.join("manifest.toml"),
        "[[response]]\nurl = \"https://news.example.org/world/2024/may/14/mohammad-rasoulof-flees-iran\"\nbody = \"a.html\"\ncontent_type = \"text/html; charset=utf-8\"\n",
    )
    .unwrap();
    dir
}

fn run(args: &[&str]) -> std::process::Output {
    std::process::Command::new(BIN).args(args).output().unwrap()
}

#[test]
fn delivery_interrupted_by_kill_resumes_on_restart() {
    let (hook, base) = webhook_server();
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("config.toml");
    let mut f = std::fs::File::create(&config).unwrap();
    write!(
        f,
        "{}\n[[watch]]\nname = \"herald-rasoulof\"\nurl = \"https://news.example.org/world/2024/may/14/mohammad-rasoulof-flees-iran\"\n",
        webhook_channel(&format!("{base}/hook"), "")
    )
    .unwrap();
    let cfg = config.to_str().unwrap();
    let v1 = replay_dir(
        dir.path(),
        "v1",
        &article_html("Rasoulof flees Iran", &[P1, P2, P3, P4]),
    );
    let v2 = replay_dir(
        dir.path(),
        "v2",
        &article_html("Rasoulof flees Iran", &[P1_EDITED, P2, P3, P4]),
    );
    let out = run(&["check", "--config", cfg, "--replay", v1.to_str().unwrap()]);
    assert!(out.status.success(), "{out:?}");

    // The receiver takes the request and never answers; the process is killed mid-send.
    hook.script(&[Reply::Hang]);
    let mut child = std::process::Command::new(BIN)
        .args(["check", "--config", cfg, "--replay", v2.to_str().unwrap()])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    while hook.count() == 0 {
        assert!(std::time::Instant::now() < deadline, "no delivery attempt");
        std::thread::sleep(Duration::from_millis(20));
    }
    child.kill().unwrap();
    child.wait().unwrap();

    // Restart: the change is not detected again (the baseline advanced), but
    // the alert still waits in the outbox and is delivered with the same id.
    let out = run(&["check", "--config", cfg, "--replay", v2.to_str().unwrap()]);
    assert!(out.status.success(), "{out:?}");
    let reqs = hook.requests();
    assert_eq!(reqs.len(), 2, "{reqs:?}");
    assert_eq!(reqs[0].header("webhook-id"), reqs[1].header("webhook-id"));
    let v: serde_json::Value = serde_json::from_slice(&reqs[1].body).unwrap();
    assert_eq!(v["kind"], "edited");
    let out = run(&["outbox", "--config", cfg, "list"]);
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("outbox is empty"),
        "{out:?}"
    );
}

/// A webhook endpoint that moved answers the POST with a redirect. Were it
/// followed, the POST would be repeated as a GET without the alert (301,
/// 302, 303), and a landing page answering that GET with 200 would have the
/// alert counted as delivered though it never arrived. So the redirect is a
/// failed attempt that says where the endpoint went and what to change; the
/// alert waits, and goes out once the channel's url is the new one.
#[test]
fn a_webhook_that_redirects_keeps_the_alert_and_says_to_update_the_url() {
    let (hook, base) = webhook_server();
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("config.toml");
    let watch = "[[watch]]\nname = \"herald-rasoulof\"\nurl = \"https://news.example.org/world/2024/may/14/mohammad-rasoulof-flees-iran\"\n";
    let write_config = |url: &str| {
        std::fs::write(&config, format!("{}\n{watch}", webhook_channel(url, ""))).unwrap();
    };
    write_config(&format!("{base}/hook"));
    let cfg = config.to_str().unwrap();
    let v1 = replay_dir(
        dir.path(),
        "v1",
        &article_html("Rasoulof flees Iran", &[P1, P2, P3, P4]),
    );
    let v2 = replay_dir(
        dir.path(),
        "v2",
        &article_html("Rasoulof flees Iran", &[P1_EDITED, P2, P3, P4]),
    );
    let out = run(&["check", "--config", cfg, "--replay", v1.to_str().unwrap()]);
    assert!(out.status.success(), "{out:?}");

    // The edit is found; the receiver answers its POST with a permanent
    // redirect, and would answer anything after it with 200.
    for status in [301, 302, 303, 307, 308] {
        hook.script(&[Reply::Status(
            status,
            vec![("location", format!("{base}/moved"))],
        )]);
        let out = if status == 301 {
            run(&["check", "--config", cfg, "--replay", v2.to_str().unwrap()])
        } else {
            run(&["outbox", "--config", cfg, "retry"])
        };
        let stdout = String::from_utf8_lossy(&out.stdout);
        let reqs = hook.requests();
        assert_eq!(
            reqs.iter().map(|r| r.path.as_str()).collect::<Vec<_>>(),
            vec!["/hook"],
            "HTTP {status}: the redirect is not followed; {stdout}"
        );
        hook.received.lock().unwrap().clear();
        let out = run(&["outbox", "--config", cfg, "list"]);
        let list = String::from_utf8_lossy(&out.stdout);
        assert!(
            list.contains(&format!("answered HTTP {status}, a redirect to {base}/…"))
                && list.contains("set the channel's url to the address the receiver moved to"),
            "HTTP {status}: the alert waits, and the error says where the endpoint went and what to do:\n{list}"
        );
    }

    // Ops point the channel at the new address: the alert goes out there,
    // once, under its id.
    write_config(&format!("{base}/moved"));
    let out = run(&["outbox", "--config", cfg, "retry"]);
    assert!(out.status.success(), "{out:?}");
    let reqs = hook.requests();
    assert_eq!(reqs.len(), 1, "{reqs:?}");
    assert_eq!(reqs[0].path, "/moved");
    let v: serde_json::Value = serde_json::from_slice(&reqs[0].body).unwrap();
    assert_eq!(v["kind"], "edited");
    assert_eq!(reqs[0].header("webhook-id"), v["id"].as_str());
    let out = run(&["outbox", "--config", cfg, "list"]);
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("outbox is empty"),
        "{out:?}"
    );
}

#[test]
fn test_alert_to_a_webhook_that_fails_says_where_what_happened_and_what_to_do() {
    let hook = |status: u16| {
        let (h, base) = webhook_server();
        h.script(&[Reply::Status(status, vec![])]);
        (h, base)
    };
    let (_h401, unauthorised) = hook(401);
    let (_h404, missing) = hook(404);
    let (_h503, broken) = hook(503);
    // Receivers that say why: in JSON (as Slack does), and in an HTML
    // error page, which says no more than its status. One repeats the
    // channel's path, token and all.
    let answering = |reply: Reply| {
        let (h, base) = webhook_server();
        h.script(&[reply]);
        (h, base)
    };
    let (_h400, invalid) = answering(Reply::Answer(
        400,
        "application/json",
        "{\"ok\": false,\n \"error\": \"invalid_payload\"}",
    ));
    let (_h422, echoing) = answering(Reply::Answer(
        422,
        "text/html; charset=utf-8",
        "no such hook: /hook/T0KEN",
    ));
    let (_h502, gateway) = answering(Reply::Answer(
        502,
        "text/html",
        "<html><body><h1>502 Bad Gateway</h1></body></html>",
    ));
    // A plain HTTP server spoken to over TLS: it answers whatever arrives
    // with plain HTTP at once.
    let plain_listener = free_listener();
    let plain = format!("http://{}", plain_listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for mut sock in plain_listener.incoming().flatten() {
            let _ = sock.write_all(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n");
        }
    });
    let closed = free_listener().local_addr().unwrap();
    let channel = |name: &str, url: &str| {
        format!("[[channel]]\nname = \"{name}\"\ntype = \"webhook\"\nurl = \"{url}\"\n\n")
    };
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("config.toml");
    std::fs::write(
        &config,
        [
            "[daemon]\nstate_dir = \"state\"\n\n[[watch]]\nname = \"w\"\nurl = \"https://news.example.org/a\"\n\n".to_string(),
            channel("down", &format!("http://{closed}/hook/T0KEN")),
            channel("nowhere", "https://presswatch-test.invalid/hook/T0KEN"),
            channel("plain", &format!("{}/hook/T0KEN", plain.replace("http://", "https://"))),
            channel("unauthorised", &format!("{unauthorised}/hook/T0KEN")),
            channel("missing", &format!("{missing}/hook/T0KEN")),
            channel("broken", &format!("{broken}/hook/T0KEN")),
            channel("invalid", &format!("{invalid}/hook/T0KEN")),
            channel("echoing", &format!("{echoing}/hook/T0KEN")),
            channel("gateway", &format!("{gateway}/hook/T0KEN")),
        ]
        .concat(),
    )
    .unwrap();
    let out = run(&["test-alert", "--config", config.to_str().unwrap()]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    let line = |name: &str| {
        stdout
            .lines()
            .find(|l| l.split_whitespace().next() == Some(name))
            .unwrap_or_else(|| panic!("no line for {name}: {stdout}"))
            .to_string()
    };
    let at = |base: &str| base.trim_start_matches("http://").to_string();
    assert!(
        line("down").contains(&format!(
            "POST to {closed} failed: connection refused (os error 111): nothing listens at {closed} \
             (check the port in the channel's url, or whether the receiver is down)"
        )),
        "{stdout}"
    );
    assert!(
        line("nowhere").contains(
            "POST to presswatch-test.invalid:443 failed: DNS lookup failed for presswatch-test.invalid ("
        ) && line("nowhere").contains("check the host name in the channel's url"),
        "{stdout}"
    );
    assert!(
        line("plain").contains(&format!("POST to {} failed: TLS handshake failed with {} (", at(&plain), at(&plain)))
            && line("plain").contains("does not speak TLS, as when https:// is written for a port that speaks plain HTTP: check the scheme and port in the channel's url"),
        "{stdout}"
    );
    assert!(
        line("unauthorised").contains(&format!(
            "POST to {} answered HTTP 401 Unauthorized: the receiver refuses the credentials: the token in the channel's url or the signing secret",
            at(&unauthorised)
        )),
        "{stdout}"
    );
    assert!(
        line("missing").contains("answered HTTP 404 Not Found: the receiver knows no such address: check the path in the channel's url"),
        "{stdout}"
    );
    assert!(
        line("broken").contains("answered HTTP 503 Service Unavailable: the fault is the receiver's, not presswatch's: an alert in the outbox is sent again later"),
        "{stdout}"
    );
    // What the receiver said is shown when it is text, on one line.
    assert!(
        line("invalid").contains(
            "answered HTTP 400 Bad Request: the receiver refuses the request: check the channel's url and format \
             (retries fail until it is fixed); the receiver said: {\"ok\": false, \"error\": \"invalid_payload\"}"
        ),
        "{stdout}"
    );
    assert!(
        line("echoing").contains("; the receiver said: no such hook: /…"),
        "{stdout}"
    );
    assert!(
        line("gateway").contains("answered HTTP 502 Bad Gateway: the fault is the receiver's")
            && !line("gateway").contains("the receiver said"),
        "{stdout}"
    );
    for l in stdout.lines() {
        assert!(!l.contains("T0KEN"), "the url's path is never shown: {l}");
        assert!(
            !l.contains("error sending request") && !l.contains("client error"),
            "no library chain: {l}"
        );
    }
}

#[test]
fn test_alert_reports_success_and_the_exact_failure() {
    let (hook, base) = webhook_server();
    hook.script(&[Reply::Status(401, vec![])]);
    let listener = free_listener();
    let port = listener.local_addr().unwrap().port();
    let inbox = smtp_server(listener);
    let closed = free_listener().local_addr().unwrap().port();
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("config.toml");
    std::fs::write(
        &config,
        format!(
            "{}\n{}\n[[channel]]\nname = \"down\"\ntype = \"email\"\nsmtp_url = \"smtp://127.0.0.1:{closed}\"\ntls = \"none\"\nfrom = \"a@example.org\"\nto = [\"b@example.org\"]\n\n\
             [[channel]]\nname = \"needs-tls\"\ntype = \"email\"\nsmtp_url = \"smtp://127.0.0.1:{port}\"\nfrom = \"a@example.org\"\nto = [\"b@example.org\"]\n\n\
             [[channel]]\nname = \"nowhere\"\ntype = \"email\"\nsmtp_url = \"smtps://no-such-host.invalid\"\nfrom = \"a@example.org\"\nto = [\"b@example.org\"]\n",
            email_channel(port, ""),
            webhook_channel(&format!("{base}/hook"), "")
        ),
    )
    .unwrap();
    let out = run(&["test-alert", "--config", config.to_str().unwrap()]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    let line = |name: &str| {
        stdout
            .lines()
            .find(|l| l.split_whitespace().next() == Some(name))
            .unwrap_or_else(|| panic!("no line for {name}: {stdout}"))
            .to_string()
    };
    assert!(line("mail").contains("OK"), "{stdout}");
    assert!(line("hook").contains("HTTP 401"), "{stdout}");
    assert!(line("down").contains("cannot connect"), "{stdout}");
    assert!(line("needs-tls").contains("TLS"), "{stdout}");
    assert!(line("nowhere").contains("DNS"), "{stdout}");
    assert_eq!(inbox.messages.lock().unwrap().len(), 1);
    // Only the mail channel was selected this time.
    let out = run(&[
        "test-alert",
        "--config",
        config.to_str().unwrap(),
        "--channel",
        "mail",
    ]);
    assert!(out.status.success(), "{out:?}");
    let msgs = inbox.messages.lock().unwrap();
    assert_eq!(msgs.len(), 2);
    // Unmistakably a test, in the subject and the first line; a fresh id each time.
    let (a, b) = (parse(&msgs[0].1), parse(&msgs[1].1));
    for m in [&a, &b] {
        assert_eq!(
            m.subject(),
            Some("TEST alert from presswatch: nothing changed")
        );
        let text = m.body_text(0).unwrap();
        assert!(text.starts_with("TEST ALERT: nothing changed."), "{text}");
        assert!(m
            .body_html(0)
            .unwrap()
            .contains(">TEST ALERT: nothing changed."));
        assert_eq!(
            m.header("X-Presswatch-Kind").and_then(|h| h.as_text()),
            Some("test")
        );
    }
    assert_ne!(a.message_id(), b.message_id());
}

/// A relay that takes the connection and never greets holds up only its own
/// line: the other channels' answers print at once, and after a few seconds
/// stderr says which channel is still awaited and for how long.
#[test]
fn test_alert_prints_each_answer_as_it_comes_and_names_a_silent_relay() {
    use std::io::{BufRead, BufReader};
    let (_hook, base) = webhook_server();
    let silent = free_listener();
    let port = silent.local_addr().unwrap().port();
    // Never accepted: the kernel completes the connection, nothing is said.
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("config.toml");
    std::fs::write(
        &config,
        format!(
            "[[channel]]\nname = \"silent\"\ntype = \"email\"\nsmtp_url = \"smtp://127.0.0.1:{port}\"\ntls = \"none\"\n\
             from = \"a@example.org\"\nto = [\"b@example.org\"]\n\n{}",
            webhook_channel(&format!("{base}/hook"), "")
        ),
    )
    .unwrap();
    let mut child = std::process::Command::new(BIN)
        .args(["test-alert", "--config", config.to_str().unwrap()])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut stderr = BufReader::new(child.stderr.take().unwrap());
    let (mut first, mut note) = (String::new(), String::new());
    stdout.read_line(&mut first).unwrap();
    stderr.read_line(&mut note).unwrap();
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(
        first.starts_with("hook") && first.contains("OK      sent to"),
        "{first}"
    );
    assert_eq!(
        note,
        "waiting for silent to answer (at most 60 s from the start)...\n"
    );
    drop(silent);
}

// ---- snapshots of the rendered bodies ------------------------------------------------------

/// The context snapshots are rendered in: the digest's zone, a config path.
fn berlin() -> render::Context {
    render::Context {
        timezone: "Europe/Berlin".parse().unwrap(),
        config: Some("/etc/presswatch/config.toml".into()),
        whole: false,
    }
}

#[test]
fn snapshot_edited_alert_text() {
    insta::assert_snapshot!(render::text(&edited_alert(), &berlin()));
}

#[test]
fn snapshot_edited_alert_html() {
    insta::assert_snapshot!(render::html(&edited_alert(), &berlin()));
}

#[test]
fn snapshot_headline_alert_text() {
    insta::assert_snapshot!(render::text(&headline_alert(), &berlin()));
}

#[test]
fn snapshot_persian_alert_text() {
    insta::assert_snapshot!(render::text(&persian_alert(), &berlin()));
}

#[test]
fn snapshot_persian_alert_html() {
    insta::assert_snapshot!(render::html(&persian_alert(), &berlin()));
}

#[test]
fn snapshot_rewrite_alert_text() {
    insta::assert_snapshot!(render::text(&rewrite_alert(), &berlin()));
}

#[test]
fn snapshot_rewrite_alert_html() {
    insta::assert_snapshot!(render::html(&rewrite_alert(), &berlin()));
}

#[test]
fn snapshot_new_items_alert_text() {
    insta::assert_snapshot!(render::text(&new_items_alert(), &berlin()));
}

#[test]
fn snapshot_new_items_alert_html() {
    insta::assert_snapshot!(render::html(&new_items_alert(), &berlin()));
}

#[test]
fn snapshot_new_items_list_html() {
    insta::assert_snapshot!(render::html(&new_items_list_alert(), &berlin()));
}

#[test]
fn snapshot_test_alert_text() {
    insta::assert_snapshot!(render::text(&fixed_test_alert(), &berlin()));
}

#[test]
fn snapshot_test_alert_html() {
    insta::assert_snapshot!(render::html(&fixed_test_alert(), &berlin()));
}

#[test]
fn snapshot_digest_text() {
    insta::assert_snapshot!(render::digest_text(
        &[edited_alert(), new_items_alert(), headline_alert()],
        &berlin()
    ));
}

#[test]
fn snapshot_digest_html() {
    insta::assert_snapshot!(render::digest_html(
        &[edited_alert(), new_items_alert(), headline_alert()],
        &berlin()
    ));
}

#[test]
fn watches_route_to_their_channels() {
    let s = setup(
        &format!(
            "{}\n{}",
            email_channel(25, ""),
            webhook_channel("https://hooks.example.org/x", "")
        ),
        "",
    );
    let src = std::fs::read_to_string(s.dir.path().join("config.toml")).unwrap()
        + "\n[[watch]]\nname = \"only-hook\"\nurl = \"https://example.org/a\"\nchannels = [\"hook\"]\n";
    let cfg = Config::parse(&s.dir.path().join("config.toml"), &src).unwrap();
    let alert = edited_alert();
    assert_eq!(
        notify::route(&cfg, cfg.watch("only-hook").unwrap(), &alert),
        vec!["hook"]
    );
    assert_eq!(
        notify::route(&cfg, cfg.watch("herald-rasoulof").unwrap(), &alert),
        vec!["mail", "hook"]
    );
}

#[tokio::test]
async fn a_channel_with_kinds_gets_only_those_alerts() {
    // Ops get errors and recoveries by webhook; the press office's mail
    // takes every kind.
    let (hook, base) = webhook_server();
    let listener = free_listener();
    let port = listener.local_addr().unwrap().port();
    let inbox = smtp_server(listener);
    let s = setup(
        &format!(
            "{}\n{}",
            email_channel(port, ""),
            webhook_channel(&format!("{base}/ops"), "kinds = [\"error\", \"recovered\"]")
        ),
        "",
    );
    let edit = edited_alert();
    let error = Alert {
        id: "error-1".into(),
        kind: ChangeKind::Error,
        summary: "3 failed checks in a row".into(),
        change: None,
        error: Some("HTTP 503 from news.example.org".into()),
        ..edited_alert()
    };
    let t = now();
    enqueue(&s, &edit, t);
    enqueue(&s, &error, t);
    assert_eq!(deliver(&s, t).await.sent, 3);
    let hooked: Vec<String> = hook
        .requests()
        .iter()
        .filter_map(|r| r.header("webhook-id").map(str::to_string))
        .collect();
    assert_eq!(hooked, vec!["error-1"]);
    let msgs = inbox.messages.lock().unwrap();
    assert_eq!(msgs.len(), 2, "mail takes every kind");
    // A correction added together with a changed headline reaches a channel
    // that takes either kind.
    let mut both = edited_alert();
    both.kind = ChangeKind::CorrectionAdded;
    both.change.as_mut().unwrap().kinds =
        vec![ChangeKind::CorrectionAdded, ChangeKind::HeadlineChanged];
    let src = std::fs::read_to_string(s.dir.path().join("config.toml"))
        .unwrap()
        .replace(
            "kinds = [\"error\", \"recovered\"]",
            "kinds = [\"headline_changed\"]",
        );
    let cfg = Config::parse(&s.dir.path().join("config.toml"), &src).unwrap();
    assert_eq!(
        notify::route(&cfg, cfg.watch("herald-rasoulof").unwrap(), &both),
        vec!["mail", "hook"]
    );
}

/// A delivery that fails when a command runs it says where to read why.
#[test]
fn a_failed_delivery_says_which_command_shows_why() {
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = closed.local_addr().unwrap().port();
    drop(closed);
    let s = setup(
        &webhook_channel(&format!("http://127.0.0.1:{port}/hook"), ""),
        "",
    );
    let cfg = s.dir.path().join("config.toml");
    let cfg = cfg.to_str().unwrap();
    enqueue(&s, &edited_alert(), now());
    let out = run(&["outbox", "--config", cfg, "retry"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(
        stdout.contains(&format!(
            "delivery: 0 sent, 1 will be retried, 0 dead: `presswatch outbox list --config {cfg}` shows why"
        )),
        "{stdout}"
    );
}

#[test]
fn outbox_commands_list_retry_and_drop_dead_alerts() {
    let (hook, base) = webhook_server();
    let s = setup(&webhook_channel(&format!("{base}/hook"), ""), "");
    let cfg = s.dir.path().join("config.toml");
    let cfg = cfg.to_str().unwrap();
    let (a, b) = (edited_alert(), new_items_alert());
    enqueue(&s, &a, now());
    enqueue(&s, &b, now());
    for alert in [&a, &b] {
        s.state
            .mark_failed(
                &alert.id,
                "hook",
                "POST to 127.0.0.1 answered HTTP 503",
                now(),
                None,
            )
            .unwrap();
    }
    let out = run(&["outbox", "--config", cfg, "list"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(1),
        "dead alerts fail the listing: {stdout}"
    );
    assert_eq!(stdout.matches("DEAD").count(), 2, "{stdout}");
    assert!(
        stdout.contains("last error: POST to 127.0.0.1 answered HTTP 503"),
        "{stdout}"
    );

    let out = run(&["outbox", "--config", cfg, "drop"]);
    assert!(!out.status.success(), "drop needs an id or --all");
    let out = run(&["outbox", "--config", cfg, "drop", &b.id]);
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("1 entry dropped"),
        "{out:?}"
    );

    let out = run(&["outbox", "--config", cfg, "retry"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}");
    assert!(
        stdout.contains("delivery: 1 sent, 0 will be retried, 0 dead"),
        "{stdout}"
    );
    assert_eq!(hook.count(), 1);
    assert_eq!(hook.requests()[0].header("webhook-id"), Some(a.id.as_str()));
    let out = run(&["outbox", "--config", cfg, "list"]);
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains("outbox is empty"));
}

// ---- an outbox an older presswatch left ----------------------------------------

/// `presswatch ARGS --config CONFIG` (with the PostgreSQL password and
/// `env`): (exit code, stdout and stderr).
async fn presswatch(config: &str, args: &[&str], env: &[(&str, &str)]) -> (Option<i32>, String) {
    let mut all = args.to_vec();
    all.extend(["--config", config]);
    let mut env = env.to_vec();
    env.push((crate::pg::PASSWORD_ENV, crate::pg::PASSWORD));
    let out = crate::support::run(&all, &env).await;
    (
        out.status.code(),
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    )
}

/// An outbox from before the mark of an attempt under way, as an older
/// presswatch left it (SQLite without `outbox.sending_since` and
/// `sending_until`; PostgreSQL at migration 17), with an alert whose
/// delivery failed and one not tried yet: this build opens it, adds the
/// mark, lists both as they stand and delivers each once.
#[tokio::test(flavor = "multi_thread")]
async fn an_outbox_from_before_the_sending_mark_is_upgraded_listed_and_delivered_on_either_backend()
{
    let mut backends = vec![("sqlite", String::new(), None)];
    if let Some(cluster) = crate::pg::cluster() {
        let url = cluster.database();
        let db = cluster.name_of(&url).to_string();
        let state = crate::pg::state_lines(&url);
        backends.push(("postgres", state, Some(db)));
    }
    for (backend, state, pg_db) in backends {
        let server = crate::support::Server::start().await;
        let page =
            |words: &str| crate::support::Route::html(crate::support::article("Story", words));
        server.set("/story", page("First version."));
        let project = crate::support::Project::new(&format!(
            "[daemon]\nper_host_delay = \"0s\"\n{state}\n\
             [[channel]]\nname = \"hook\"\ntype = \"webhook\"\nurl = \"{}\"\n\n\
             [[watch]]\nname = \"story\"\nurl = \"{}\"\nrobots = false\n",
            server.url("/hook"),
            server.url("/story")
        ));
        let config = project.config_arg();
        let (code, said) = presswatch(&config, &["check"], &[]).await;
        assert_eq!(code, Some(0), "{backend}: {said}");
        // An edit whose delivery fails, then one the process dies before
        // sending (right after storing it, before writing the baseline).
        server.set("/hook", crate::support::Route::status(503));
        server.set(
            "/story",
            page("Second version, with the words the editors added."),
        );
        let (_, said) = presswatch(&config, &["check"], &[]).await;
        assert!(
            said.contains("delivery: 0 sent, 1 will be retried"),
            "{backend}: {said}"
        );
        server.set(
            "/story",
            page("Third version, with other words the editors chose."),
        );
        let (code, said) = presswatch(
            &config,
            &["check"],
            &[("PRESSWATCH_FAILPOINT", "before-baseline")],
        )
        .await;
        assert_ne!(code, Some(0), "{backend}: {said}");

        // The state as the older presswatch left it.
        let sql = |sql: &str| match &pg_db {
            None => {
                let db = rusqlite::Connection::open(project.path("state/presswatch.db")).unwrap();
                let mut st = db.prepare(sql).unwrap();
                let mut rows = st.query([]).unwrap();
                let mut out = Vec::new();
                while let Some(r) = rows.next().unwrap() {
                    out.push(r.get::<_, rusqlite::types::Value>(0).map_or(
                        String::new(),
                        |v| match v {
                            rusqlite::types::Value::Integer(n) => n.to_string(),
                            rusqlite::types::Value::Text(t) => t,
                            v => format!("{v:?}"),
                        },
                    ));
                }
                out.join("\n")
            }
            Some(db) => crate::pg::cluster().unwrap().psql(db, sql).unwrap(),
        };
        match &pg_db {
            None => {
                rusqlite::Connection::open(project.path("state/presswatch.db"))
                    .unwrap()
                    .execute_batch(
                        "ALTER TABLE outbox DROP COLUMN sending_since;
                         ALTER TABLE outbox DROP COLUMN sending_until;",
                    )
                    .unwrap();
            }
            Some(_) => {
                assert_eq!(sql("SELECT max(version) FROM schema_migrations"), "24");
                sql("ALTER TABLE outbox DROP COLUMN sending_since;
                     ALTER TABLE versions DROP COLUMN chain_prev, DROP COLUMN chain_sha256, DROP COLUMN chained_at;
                     ALTER TABLE versions DROP COLUMN page_facts;
                     ALTER TABLE replicas DROP COLUMN watches;
                     ALTER TABLE replicas DROP COLUMN channels;
                     ALTER TABLE replicas DROP COLUMN config_ms;
                     ALTER TABLE replicas DROP COLUMN channel_views;
                     DELETE FROM schema_migrations WHERE version >= 18;");
                assert_eq!(sql("SELECT max(version) FROM schema_migrations"), "17");
            }
        }
        let sending_columns = match &pg_db {
            None => "SELECT count(*) FROM pragma_table_info('outbox') WHERE name IN ('sending_since', 'sending_until')",
            Some(_) => "SELECT count(*) FROM information_schema.columns WHERE table_name = 'outbox' AND column_name = 'sending_since'",
        };
        assert_eq!(sql(sending_columns), "0", "{backend}");

        // This build: both alerts listed as they stand, the mark added.
        let (code, listed) = presswatch(&config, &["outbox", "list"], &[]).await;
        assert_eq!(code, Some(0), "{backend}: {listed}");
        let lines: Vec<&str> = listed
            .lines()
            .filter(|l| l.contains("channel hook"))
            .collect();
        assert_eq!(lines.len(), 2, "{backend}: {listed}");
        assert!(
            lines[0].contains("attempts 1  delivery failed, retrying at ")
                && lines[1].contains("attempts 0  waiting, due now"),
            "{backend}: {listed}"
        );
        assert!(
            listed.contains("    last error: POST to ")
                && listed.contains("outbox: 1 alert to send, 1 alert failing (retrying)"),
            "{backend}: {listed}"
        );
        let want = if pg_db.is_some() { "1" } else { "2" };
        assert_eq!(sql(sending_columns), want, "{backend}");
        if pg_db.is_some() {
            assert_eq!(sql("SELECT max(version) FROM schema_migrations"), "24");
        }

        // Delivered, each once, once the receiver answers.
        server.set("/hook", crate::support::Route::status(200));
        let (code, said) = presswatch(&config, &["outbox", "retry"], &[]).await;
        assert_eq!(code, Some(0), "{backend}: {said}");
        assert!(
            said.contains("2 entries due now")
                && said.contains("delivery: 2 sent, 0 will be retried, 0 dead"),
            "{backend}: {said}"
        );
        let ids: Vec<String> = server
            .requests_to("/hook")
            .iter()
            .map(|r| {
                r.headers
                    .iter()
                    .find(|(k, _)| k.as_str() == "webhook-id")
                    .map(|(_, v)| v.clone())
                    .unwrap_or_default()
            })
            .collect();
        assert_eq!(
            ids.len(),
            3,
            "{backend}: the failed attempt and two sends: {ids:?}"
        );
        assert!(
            ids[1] != ids[2] && ids[1..].contains(&ids[0]),
            "{backend}: {ids:?}"
        );
        let (code, listed) = presswatch(&config, &["outbox", "list"], &[]).await;
        assert_eq!(code, Some(0), "{backend}: {listed}");
        assert!(listed.contains("outbox is empty"), "{backend}: {listed}");
    }
}

/// The messages a story's edit (its first and third paragraphs, P1 and
/// P3) sends to a webhook channel of each of `formats`, each channel
/// named after its format and posting to `/{format}` of a loopback server.
async fn chat_messages_of_an_edit(formats: &[&str]) -> Vec<serde_json::Value> {
    let server = crate::support::Server::start().await;
    let path = "/2024/05/rasoulof-flees-iran";
    let page = |paras: &[&str]| {
        crate::support::Route::html(crate::support::news_page(
            "Filmmaker Rasoulof flees Iran",
            "Deepa Parent",
            paras,
            &[],
        ))
    };
    server.set(path, page(&[P1, P2, P3, P4]));
    let channels: String = formats
        .iter()
        .map(|f| {
            format!(
                "[[channel]]\nname = \"{f}\"\ntype = \"webhook\"\nformat = \"{f}\"\nurl = \"{}\"\n",
                server.url(&format!("/{f}"))
            )
        })
        .collect();
    let project = crate::support::Project::new(&format!(
        "[daemon]\nper_host_delay = \"0s\"\n{channels}\
         [[watch]]\nname = \"rasoulof\"\nurl = \"{}\"\nrobots = false\n",
        server.url(path)
    ));
    let config = project.config_arg();
    let check = ["check", "--config", config.as_str()];
    crate::support::ok(&crate::support::run(&check, &[]).await);
    server.set(path, page(&[P1_EDITED, P2, P3_EDITED, P4]));
    crate::support::ok(&crate::support::run(&check, &[]).await);
    formats
        .iter()
        .map(|f| {
            let got = server.requests_to(&format!("/{f}"));
            assert_eq!(got.len(), 1, "{f}");
            serde_json::from_slice(&got[0].body).unwrap()
        })
        .collect()
}

/// A Teams card shows each line of the alert's text on a line of its own:
/// an Adaptive Card's Markdown joins a line to the next (a soft break), so
/// a story with two paragraphs edited showed them, and the lines around
/// them, run together. Each line is a paragraph of the card's Markdown
/// (`\n\n`); a blank line holds a no-break space, an indent is no-break
/// spaces. Discord shows a line break as it is: its message keeps them.
#[tokio::test(flavor = "multi_thread")]
async fn a_teams_card_shows_each_line_of_the_change_on_its_own_line_and_discord_keeps_its_line_breaks(
) {
    let [card, discord] = &chat_messages_of_an_edit(&["teams", "discord"]).await[..] else {
        unreachable!("a message per format")
    };
    let teams = card["attachments"][0]["content"]["body"][1]["text"]
        .as_str()
        .unwrap()
        .to_string();
    let discord = discord["content"].as_str().unwrap().to_string();
    // The same lines, each standing apart in the card.
    assert!(
        !teams.replace("\n\n", "").contains('\n'),
        "a single line break in a Teams card: {teams}"
    );
    let lines = |text: &str, br: &str| -> Vec<String> {
        text.split(br)
            .map(|l| l.trim_start_matches([' ', '\u{00A0}']).to_string())
            .filter(|l| !l.is_empty())
            .collect()
    };
    let in_teams = lines(&teams, "\n\n");
    // Both edited paragraphs, each on lines of its own, as Discord has them.
    let edited: Vec<&String> = in_teams.iter().filter(|l| l.contains("flogging")).collect();
    assert_eq!(edited.len(), 2, "{teams}");
    for line in edited {
        assert!(lines(&discord, "\n").contains(line), "{line}\n{discord}");
    }
    // A blank line of the text stays one, not merged away.
    assert!(teams.contains("\n\n\u{00A0}\n\n"), "{teams}");
}

/// A chat message carries each paragraph on one line, for the chat to
/// wrap to its window: Slack, Discord and Teams messages carried the alert
/// text's lines as an email's text part wraps them, at 76 columns, so on a
/// phone, or in a wide chat window, an edited paragraph showed ragged
/// breaks mid-sentence. Its changed words are marked as in the text part.
#[tokio::test(flavor = "multi_thread")]
async fn a_chat_message_carries_an_edited_paragraph_on_one_line_for_the_chat_to_wrap() {
    let changed = "Iranian dissident filmmaker Mohammad Rasoulof has fled Iran, escaping on foot through [-rugged-] mountainous borders after receiving an eight-year prison sentence {+and a flogging+} for his film about Iran’s recent uprising.";
    assert!(changed.chars().count() > 2 * 76);
    let [slack, discord, teams] =
        &chat_messages_of_an_edit(&["slack", "discord", "teams"]).await[..]
    else {
        unreachable!("a message per format")
    };
    let slack = slack["text"].as_str().unwrap();
    let discord = discord["content"].as_str().unwrap();
    let teams = teams["attachments"][0]["content"]["body"][1]["text"]
        .as_str()
        .unwrap();
    // A Teams card's lines are paragraphs of their own (`\n\n`), indented
    // by no-break spaces; Discord and Teams escape Markdown (`\[\-rugged`).
    for (chat, message, br) in [
        ("slack", slack, "\n"),
        ("discord", discord, "\n"),
        ("teams", teams, "\n\n"),
    ] {
        let unescaped = message.replace('\\', "");
        assert!(
            unescaped
                .split(br)
                .any(|l| l.trim_start_matches([' ', '\u{A0}']) == changed),
            "{chat}: {message}"
        );
    }
}

/// An error alert's HTML part shows what its message quotes between
/// backticks, the key to set and the command to run, as code, as the text
/// part marks it with the backticks: no stray backticks in a mail client.
#[tokio::test(flavor = "multi_thread")]
async fn an_error_alerts_html_shows_the_key_to_set_as_code() {
    let server = crate::support::Server::start().await;
    server.set("/gone", crate::support::Route::status(404));
    let project = crate::support::Project::new(&format!(
        "[daemon]\nper_host_delay = \"0s\"\nfailure_threshold = 1\n\n[[watch]]\nname = \"herald-rasoulof\"\nurl = \"{}\"\n",
        server.url("/gone")
    ));
    let report = crate::support::check_first(&project).await;
    assert_eq!(report.alerts.len(), 1, "{:?}", report.outcome);
    let alert = &report.alerts[0];
    assert_eq!(alert.kind, ChangeKind::Error);
    let (raw, _s) = mailed(alert, "").await;
    let m = parse(&raw);
    let text = m.body_text(0).unwrap().replace("\r\n", "\n");
    // The error is wrapped: its words read across its lines.
    let words = as_read(&text);
    assert!(
        words.contains("into `url` of watch herald-rasoulof in the config"),
        "{text}"
    );
    let html = m.body_html(0).unwrap();
    assert!(
        html.contains("into <code>url</code> of watch herald-rasoulof in the config"),
        "{html}"
    );
    assert!(!html.contains('`'), "{html}");
}
