//! Hostile networks and hostile bodies: each fault is a per-watch error with a
//! clear message, the other watches are unaffected, and no alert fires before
//! the failure threshold.

use std::io::Write;
use std::sync::Arc;
use std::time::{Duration, Instant};

use presswatch::check::{self, Context, Outcome};
use presswatch::fetch::Fetcher;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

use crate::support::{news_page, run, Project, Route, Server};

/// A raw TCP server that reads the request and then behaves as `f` says.
async fn raw_server<F, Fut>(f: F) -> String
where
    F: Fn(tokio::net::TcpStream) -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = ()> + Send,
{
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let f = Arc::new(f);
    tokio::spawn(async move {
        while let Ok((mut sock, _)) = listener.accept().await {
            let f = f.clone();
            tokio::spawn(async move {
                let mut buf = [0u8; 4096];
                let _ = sock.read(&mut buf).await;
                f(sock).await;
            });
        }
    });
    format!("http://{addr}")
}

/// A project with one watch per URL (named w0, w1, ...) plus a healthy
/// watch `good`, a short timeout and a small body cap.
fn project(server: &Server, urls: &[String], kind: &str) -> Project {
    let mut cfg = String::from("[daemon]\ntimeout = \"2s\"\nmax_body = \"1MiB\"\nper_host_delay = \"0s\"\nfailure_threshold = 2\n");
    for (i, u) in urls.iter().enumerate() {
        cfg.push_str(&format!(
            "[[watch]]\nname = \"w{i}\"\nkind = \"{kind}\"\nurl = \"{u}\"\n"
        ));
    }
    cfg.push_str(&format!(
        "[[watch]]\nname = \"good\"\nurl = \"{}\"\n",
        server.url("/good")
    ));
    Project::new(&cfg)
}

async fn good_server() -> Server {
    let s = Server::start().await;
    let p = "A healthy article paragraph that is long enough to be article text for sure.";
    s.set(
        "/good",
        Route::html(news_page("A healthy story", "A. Writer", &[p, p], &[])),
    );
    s
}

/// Runs one pass and returns (watch, outcome) pairs.
async fn pass(project: &Project) -> Vec<(String, Outcome, usize)> {
    let config = Arc::new(project.load());
    let fetcher = Fetcher::http(&config.daemon).unwrap();
    let ctx = Context::open(config.clone(), fetcher, false).unwrap();
    let watches: Vec<_> = config.watches.iter().collect();
    let mut done = 0;
    let results = check::check_all(&ctx, &watches, |_| done += 1).await;
    assert_eq!(done, watches.len(), "each check is seen as it ends");
    results
        .into_iter()
        .map(|r| (r.watch, r.outcome, r.alerts.len()))
        .collect()
}

fn error_of(results: &[(String, Outcome, usize)], watch: &str) -> String {
    match &results.iter().find(|r| r.0 == watch).unwrap().1 {
        Outcome::Error(e) => e.clone(),
        other => panic!("{watch}: expected an error, got {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn network_faults_are_clear_per_watch_errors_and_alert_only_at_the_threshold() {
    let good = good_server().await;
    // Bound but never listened on: connections are refused, and no other
    // socket can take the port meanwhile.
    let closed = tokio::net::TcpSocket::new_v4().unwrap();
    closed.bind("127.0.0.1:0".parse().unwrap()).unwrap();
    let refused = format!("http://{}/", closed.local_addr().unwrap());
    let reset = raw_server(|mut s| async move {
        let _ = s
            .write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n<html><body><p>partial")
            .await;
        drop(s); // closed mid-body
    })
    .await;
    let silent = raw_server(|s| async move {
        tokio::time::sleep(Duration::from_secs(30)).await;
        drop(s);
    })
    .await;
    let trickle = raw_server(|mut s| async move {
        let _ = s
            .write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n")
            .await;
        for _ in 0..30 {
            if s.write_all(b"x").await.is_err() {
                return;
            }
            tokio::time::sleep(Duration::from_secs(1)).await;
        }
    })
    .await;
    let loops = Server::start().await;
    loops.set("/a", Route::status(302).header("Location", "/b"));
    loops.set("/b", Route::status(302).header("Location", "/a"));
    loops.set(
        "/ftp",
        Route::status(301).header("Location", "ftp://example.org/file"),
    );
    // A plain HTTP server spoken to over TLS.
    let plain = raw_server(|mut s| async move {
        let _ = s
            .write_all(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")
            .await;
    })
    .await;
    let tls = plain.replace("http://", "https://") + "/";
    let urls = vec![
        refused,
        format!("{reset}/"),
        format!("{silent}/"),
        format!("{trickle}/"),
        loops.url("/a"),
        loops.url("/ftp"),
        tls,
        "http://presswatch-test.invalid/".into(),
    ];
    let project = project(&good, &urls, "article");
    let started = Instant::now();
    let first = pass(&project).await;
    assert!(
        started.elapsed() < Duration::from_secs(15),
        "faults must be bounded by the timeout"
    );
    assert!(
        error_of(&first, "w0").contains("connection refused"),
        "{}",
        error_of(&first, "w0")
    );
    // A body that ends before its Content-Length is a connection broken
    // off, not a body presswatch could not read.
    assert!(
        error_of(&first, "w1").ends_with(&format!(
            "connection closed by {} before the response was complete (end of file before \
             message length reached): the site, or a proxy between, broke it off",
            reset.trim_start_matches("http://")
        )),
        "{}",
        error_of(&first, "w1")
    );
    assert!(
        error_of(&first, "w2").contains("timed out after 2s"),
        "{}",
        error_of(&first, "w2")
    );
    assert!(
        error_of(&first, "w3").contains("timed out after 2s"),
        "{}",
        error_of(&first, "w3")
    );
    // A loop is named a loop, with the addresses it goes round.
    assert!(
        error_of(&first, "w4").contains(&format!(
            "redirect refused: more than 5 redirects, in a loop: {} → {} leads back to {} (the site \
             sends the request round in a circle",
            loops.url("/a"),
            loops.url("/b"),
            loops.url("/a")
        )),
        "{}",
        error_of(&first, "w4")
    );
    assert!(
        error_of(&first, "w5").contains("redirect refused: redirect to a ftp: URL"),
        "{}",
        error_of(&first, "w5")
    );
    assert!(
        error_of(&first, "w6").contains("TLS handshake failed"),
        "{}",
        error_of(&first, "w6")
    );
    assert!(
        error_of(&first, "w7").contains("DNS lookup failed for presswatch-test.invalid"),
        "{}",
        error_of(&first, "w7")
    );
    for (watch, what) in [("w0", "connection refused"), ("w7", "dns lookup failed")] {
        let message = error_of(&first, watch).to_lowercase();
        assert_eq!(message.matches(what).count(), 1, "said once: {message}");
    }
    for e in first.iter().filter(|r| r.0 != "good") {
        assert!(
            e.1.label() == "error" && e.2 == 0,
            "no alert before the threshold: {e:?}"
        );
        assert!(
            error_of(&first, &e.0).contains("fetching http"),
            "the message names the URL: {}",
            error_of(&first, &e.0)
        );
    }
    assert_eq!(
        first.iter().find(|r| r.0 == "good").unwrap().1,
        Outcome::BaselineStored
    );
    // Second failure reaches the threshold: exactly one `error` alert per watch.
    let second = pass(&project).await;
    for r in second.iter().filter(|r| r.0 != "good") {
        assert_eq!(r.2, 1, "one error alert at the threshold: {r:?}");
    }
    let third = pass(&project).await;
    assert!(
        third.iter().all(|r| r.2 == 0),
        "the error alert goes out once: {third:?}"
    );
    let state = presswatch::store::State::open(&project.path("state")).unwrap();
    assert_eq!(state.watch("w0").unwrap().failures, 3);
    assert_eq!(state.watch("good").unwrap().failures, 0);
}

/// A server whose answer starts with thousands of headers gets an error
/// that says whose fault it is and where to look (before: "request to
/// host:port failed (message head is too large)").
#[tokio::test(flavor = "multi_thread")]
async fn a_response_head_of_thousands_of_headers_says_the_server_is_misconfigured() {
    let good = good_server().await;
    let flood = raw_server(|mut s| async move {
        let mut head = String::from("HTTP/1.1 200 OK\r\n");
        for i in 0..5000 {
            head.push_str(&format!("Set-Cookie: c{i}=1\r\n"));
        }
        head.push_str("Content-Length: 0\r\n\r\n");
        let _ = s.write_all(head.as_bytes()).await;
    })
    .await;
    let at = flood.trim_start_matches("http://").to_string();
    let project = project(&good, &[format!("{flood}/")], "article");
    let results = pass(&project).await;
    let error = error_of(&results, "w0");
    assert!(
        error.contains(&format!(
            "{at} sent a response head too large to read (message head is too large: more than \
             100 headers, or headers of many KB): the site or a proxy between is misconfigured"
        )),
        "{error}"
    );
}

/// A port where another kind of server answers (an SSH or mail server's
/// greeting), or a server whose answer is not HTTP, says so and what to
/// check; it said "request to host:port failed (invalid HTTP version
/// parsed)", and nothing of what to do.
#[tokio::test(flavor = "multi_thread")]
async fn a_port_that_does_not_answer_in_http_says_what_to_check_in_the_url() {
    let good = good_server().await;
    let ssh = raw_server(|mut s| async move {
        let _ = s.write_all(b"SSH-2.0-OpenSSH_9.6\r\n").await;
    })
    .await;
    let status = raw_server(|mut s| async move {
        let _ = s
            .write_all(b"HTTP/1.1 OK\r\nContent-Length: 0\r\n\r\n")
            .await;
    })
    .await;
    let project = project(
        &good,
        &[format!("{ssh}/story"), format!("{status}/story")],
        "article",
    );
    let results = pass(&project).await;
    for (w, url, detail) in [
        ("w0", &ssh, "invalid HTTP version parsed"),
        ("w1", &status, "invalid HTTP status-code parsed"),
    ] {
        let at = url.trim_start_matches("http://");
        let error = error_of(&results, w);
        assert_eq!(
            error,
            format!(
                "fetching {url}/story: {at} did not answer in HTTP ({detail}): another kind of \
                 server listens on that port (a mail, SSH or database server), it speaks HTTPS \
                 where http:// is written, or the site or a proxy between sends a broken answer; \
                 check the scheme and port in the URL (does it open in a browser?)"
            ),
            "{w}"
        );
    }
    assert_eq!(
        results.iter().find(|r| r.0 == "good").unwrap().1,
        Outcome::BaselineStored
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_host_that_does_not_resolve_or_a_port_without_tls_says_what_to_check_in_the_url() {
    let good = good_server().await;
    // A plain HTTP server spoken to over TLS.
    let plain = raw_server(|mut s| async move {
        let _ = s
            .write_all(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")
            .await;
    })
    .await;
    let at = plain.trim_start_matches("http://").to_string();
    let project = project(
        &good,
        &[
            "http://presswatch-test.invalid/story".into(),
            format!("https://{at}/story"),
        ],
        "article",
    );
    let results = pass(&project).await;
    let dns = error_of(&results, "w0");
    assert!(
        dns.starts_with("fetching http://presswatch-test.invalid/story: DNS lookup failed for presswatch-test.invalid (")
            && dns.ends_with(
                "): no such host is known; check the host name in the URL (a typo? does it open in a browser?), \
                 or this machine's DNS if every host fails so"
            ),
        "{dns}"
    );
    let tls = error_of(&results, "w1");
    assert!(
        tls.starts_with(&format!("fetching https://{at}/story: TLS handshake failed with {at} ("))
            && tls.ends_with(
                "): the server there does not speak TLS, as when https:// is written for a port that speaks \
                 plain HTTP: check the scheme and port in the URL"
            ),
        "{tls}"
    );
    for e in [&dns, &tls] {
        assert!(
            !e.contains('\n') && !e.contains("error sending request"),
            "one line, no library chain: {e}"
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_refused_connection_says_nothing_listens_at_the_host_and_port_and_what_to_check() {
    let good = good_server().await;
    // Bound but never listened on: connections to it are refused.
    let closed = tokio::net::TcpSocket::new_v4().unwrap();
    closed.bind("127.0.0.1:0".parse().unwrap()).unwrap();
    let addr = closed.local_addr().unwrap();
    let project = project(&good, &[format!("http://{addr}/story")], "article");
    let results = pass(&project).await;
    let error = error_of(&results, "w0");
    assert!(error.contains("connection refused"), "{error}");
    assert!(
        error.ends_with(&format!(
            ": nothing listens at {addr} (check the port in the URL, or whether the site is down)"
        )),
        "{error}"
    );
    assert!(!error.contains('\n'), "one line: {error}");
}

#[tokio::test(flavor = "multi_thread")]
async fn oversized_and_compressed_bombs_are_capped_while_streaming() {
    let good = good_server().await;
    let s = Server::start().await;
    // Announced 2 GB: refused before reading.
    let announced = raw_server(|mut s| async move {
        let _ = s
            .write_all(
                b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 2000000000\r\n\r\n",
            )
            .await;
        let chunk = vec![b'a'; 64 * 1024];
        for _ in 0..100 {
            if s.write_all(&chunk).await.is_err() {
                return;
            }
        }
    })
    .await;
    // Streamed without a length: cut at max_body.
    let streamed = raw_server(|mut s| async move {
        let _ = s
            .write_all(b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nConnection: close\r\n\r\n")
            .await;
        let chunk = vec![b'a'; 64 * 1024];
        for _ in 0..1000 {
            if s.write_all(&chunk).await.is_err() {
                return;
            }
        }
    })
    .await;
    // A gzip bomb: 50 MB of zeros compressed to ~50 KB.
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    gz.write_all(&vec![0u8; 50 << 20]).unwrap();
    let bomb = gz.finish().unwrap();
    s.set(
        "/bomb",
        Route {
            status: 200,
            headers: vec![
                ("Content-Type".into(), "text/html".into()),
                ("Content-Encoding".into(), "gzip".into()),
            ],
            body: bomb,
        },
    );
    let urls = vec![
        format!("{announced}/"),
        format!("{streamed}/"),
        s.url("/bomb"),
    ];
    let project = project(&good, &urls, "article");
    let results = pass(&project).await;
    // A body announced far larger than any page is not one: check the URL,
    // rather than raise the limit.
    assert!(
        error_of(&results, "w0").contains(
            "response body is 1.9 GiB (its Content-Length), over the limit of 1MiB (daemon.max_body); \
             the page was not read. At that size it is no web page or feed (a download, a video, an \
             archive?): check that the URL is the page to watch"
        ),
        "{}",
        error_of(&results, "w0")
    );
    assert!(
        error_of(&results, "w1").contains(
            "exceeds the limit of 1MiB (daemon.max_body); the page was not read. If this is the \
             page to watch (a feed listing its whole archive is large), raise the limit under \
             [daemon]: max_body = \"2MiB\""
        ),
        "{}",
        error_of(&results, "w1")
    );
    // The bomb passes the limit from a few KiB of gzip: no page compresses
    // that much, and a larger max_body would not read it either.
    let bomb = error_of(&results, "w2");
    assert!(
        bomb.contains("response body decodes to more than the limit of 1MiB (daemon.max_body) from its first ")
            && bomb.contains(
                " of gzip; the page was not read. No web page or feed compresses that much: it is \
                 made to fill memory (a decompression bomb) or the server is broken; raising \
                 max_body would not help. Check that the URL is the page to watch"
            ),
        "{bomb}"
    );
    assert_eq!(
        results.iter().find(|r| r.0 == "good").unwrap().1,
        Outcome::BaselineStored
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn junk_bodies_are_errors_that_say_what_to_do() {
    let good = good_server().await;
    let s = Server::start().await;
    s.set("/empty", Route::html(Vec::new()));
    s.set("/nul", Route::html(vec![0u8; 100_000]));
    let pdf = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj<</Type/Catalog>>endobj\n".repeat(500);
    s.set("/pdf", Route::html(pdf.clone()));
    s.set(
        "/served-pdf",
        Route {
            status: 200,
            headers: vec![("Content-Type".into(), "application/pdf".into())],
            body: pdf,
        },
    );
    s.set(
        "/png",
        Route::html([&b"\x89PNG\r\n\x1a\n"[..], &[0xffu8; 20_000][..]].concat()),
    );
    s.set(
        "/script",
        Route::html(format!(
            "<html><body><script>{}</script></body></html>",
            "var a = 1;".repeat(10_000)
        )),
    );
    let urls: Vec<String> = ["/empty", "/nul", "/pdf", "/png", "/script", "/served-pdf"]
        .iter()
        .map(|p| s.url(p))
        .collect();
    let project = project(&good, &urls, "article");
    let results = pass(&project).await;
    // An empty body says so; a document the server names as no web page
    // says what it is and what to watch instead; junk served as HTML may
    // be a page the detection does not read.
    let e = error_of(&results, "w0");
    assert!(
        e.contains("no article text found")
            && e.contains("the server sent an empty body (HTTP 200)"),
        "{e}"
    );
    for w in ["w1", "w2", "w3", "w4"] {
        let e = error_of(&results, w);
        assert!(
            e.contains("no article text found") && e.contains("set `selector`"),
            "{w}: {e}"
        );
    }
    let e = error_of(&results, "w5");
    assert!(
        e.contains("it serves application/pdf, not a web page; watch the page that links to it"),
        "{e}"
    );
}

/// A PDF or a feed given as an article is no article, even where its bytes
/// read as words: the check says what it is and what to watch instead, and
/// keeps no baseline of noise that every later fetch would alert on. A
/// page whose server labels it wrongly is still read.
#[tokio::test(flavor = "multi_thread")]
async fn a_pdf_or_a_feed_given_as_an_article_is_an_error_that_says_what_it_is() {
    let good = good_server().await;
    let s = Server::start().await;
    let served = |mime: &str, body: Vec<u8>| Route {
        status: 200,
        headers: vec![("Content-Type".into(), mime.into())],
        body,
    };
    // A statement in a PDF whose text stream reads as a sentence.
    let pdf = [
        &b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n"[..],
        &b"BT (The ministry said the inquiry would resume in May and that no one had been charged.) Tj ET\n".repeat(40),
    ]
    .concat();
    s.set("/statement.pdf", served("application/pdf", pdf));
    let item = |n: u32| {
        format!(
            "<item><title>Story {n}</title><link>https://news.example.org/{n}</link>\
             <description>The court adjourned the hearing of the journalists until next month, \
             their lawyers said on Tuesday after a session that lasted four hours.</description></item>"
        )
    };
    let rss = format!(
        "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>News</title>\
         <link>https://news.example.org/</link>{}{}</channel></rss>",
        item(1),
        item(2)
    );
    s.set(
        "/feed.xml",
        served("application/rss+xml", rss.clone().into_bytes()),
    );
    // The same feed served as text/html: told by its opening.
    s.set("/feed", Route::html(rss.into_bytes()));
    let p = "A healthy article paragraph that is long enough to be article text for sure.";
    s.set(
        "/mislabelled",
        served(
            "application/octet-stream",
            news_page("A healthy story", "A. Writer", &[p, p], &[]).into_bytes(),
        ),
    );
    let urls: Vec<String> = ["/statement.pdf", "/feed.xml", "/feed", "/mislabelled"]
        .iter()
        .map(|p| s.url(p))
        .collect();
    let results = pass(&project(&good, &urls, "article")).await;
    let e = error_of(&results, "w0");
    assert!(
        e.contains("no article text found at")
            && e.contains(
                "it serves application/pdf, not a web page; watch the page that links to it"
            ),
        "{e}"
    );
    for w in ["w1", "w2"] {
        let e = error_of(&results, w);
        assert!(
            e.contains(
                "it is a feed (RSS, Atom or JSON Feed) of 2 items, not an article page: \
                 watch it with kind = \"feed\""
            ),
            "{w}: {e}"
        );
    }
    assert_eq!(
        results.iter().find(|r| r.0 == "w3").unwrap().1,
        Outcome::BaselineStored
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_body_that_is_not_the_coding_its_server_names_is_an_error_that_says_so() {
    let good = good_server().await;
    let s = Server::start().await;
    // Plain HTML sent as gzip, and gzip cut off half-way.
    let page = "<html><body><article><p>The minister said the talks had failed.</p></article></body></html>";
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(page.repeat(50).as_bytes()).unwrap();
    let mut cut = gz.finish().unwrap();
    cut.truncate(cut.len() / 2);
    s.set(
        "/plain",
        Route::html(page).header("Content-Encoding", "gzip"),
    );
    s.set("/cut", Route::html(cut).header("Content-Encoding", "gzip"));
    // A misconfigured server that names a charset there: read as it is.
    s.set(
        "/charset",
        Route::html(page).header("Content-Encoding", "UTF-8"),
    );
    let urls = vec![s.url("/plain"), s.url("/cut"), s.url("/charset")];
    let project = project(&good, &urls, "article");
    let results = pass(&project).await;
    // Bytes that are no gzip: damaged or mislabelled, which lasts until the
    // server is fixed; and gzip cut off half-way, which a later check
    // usually gets whole. Each says which it is and what to do (both said
    // "it is not valid gzip", and neither what to do).
    let plain = error_of(&results, "w0");
    assert!(
        plain.contains(
            "the response body was served as Content-Encoding: gzip but it is not valid gzip: "
        ) && plain.contains(
            ": the server, or a proxy in between, damaged it, or names a coding it did not apply. \
             presswatch checks again later: nothing to change unless it lasts; then `curl -v \
             --compressed` on the URL shows what the server sends"
        ),
        "{plain}"
    );
    let cut = error_of(&results, "w1");
    assert!(
        cut.contains(
            "the response body, served as Content-Encoding: gzip, stops before its gzip data ends ("
        ) && cut.ends_with(
            "): the server sent only part of it (an overloaded or restarting server, or a proxy \
             in between broke it off). A later check usually gets all of it: nothing to change \
             unless it lasts"
        ),
        "{cut}"
    );
    assert_eq!(
        results.iter().find(|r| r.0 == "w2").unwrap().1,
        Outcome::BaselineStored
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn wrong_or_missing_charsets_still_decode() {
    let s = Server::start().await;
    let fa = "محمد رسول‌اف، فيلمساز ايراني، پس از محکوميت به هشت سال زندان از ايران خارج شد و به اروپا رسيد.";
    let page = format!("<html><body><article><p>{fa}</p><p>{fa}</p></article></body></html>");
    let (cp1256, _, _) = encoding_rs::WINDOWS_1256.encode(&page);
    // Header says nothing; bytes are windows-1256.
    s.set(
        "/nocharset",
        Route {
            status: 200,
            headers: vec![("Content-Type".into(), "text/html".into())],
            body: cp1256.to_vec(),
        },
    );
    // Invalid UTF-8 sprinkled into a UTF-8 page: replaced, not fatal.
    let mut broken = page.clone().into_bytes();
    broken.splice(30..30, [0xff, 0xfe, 0xc3]);
    s.set("/broken", Route::html(broken));
    let urls = vec![s.url("/nocharset"), s.url("/broken")];
    let project = project(&s, &urls, "article");
    s.set("/good", Route::html(page.clone()));
    pass(&project).await;
    assert!(
        project.read_baseline("w0").contains("فيلمساز ايراني"),
        "{}",
        project.read_baseline("w0")
    );
    assert!(project.read_baseline("w1").contains("فيلمساز ايراني"));
}

/// A Persian page in windows-1256 on a server whose default charset is
/// UTF-8 (`charset utf-8;` in nginx), with no `<meta charset>` of its own,
/// is read in windows-1256: the bytes are nothing like UTF-8. Read as the
/// header says, every Persian letter was lost and the watch failed with "no
/// article text found".
#[tokio::test(flavor = "multi_thread")]
async fn a_windows_1256_page_served_as_utf8_is_read_in_its_own_encoding() {
    let s = Server::start().await;
    let fa = "محمد رسول‌اف، فيلمساز ايراني، پس از محکوميت به هشت سال زندان از ايران خارج شد و به اروپا رسيد.";
    let page = format!("<html><body><article><p>{fa}</p><p>{fa}</p></article></body></html>");
    let (cp1256, _, unmappable) = encoding_rs::WINDOWS_1256.encode(&page);
    assert!(!unmappable);
    s.set("/story", Route::html(cp1256.to_vec()));
    let project = project(&s, &[s.url("/story")], "article");
    s.set("/good", Route::html(page.clone()));
    let results = pass(&project).await;
    assert_eq!(
        results.iter().find(|r| r.0 == "w0").unwrap().1,
        Outcome::BaselineStored
    );
    assert!(
        project.read_baseline("w0").contains("فيلمساز ايراني"),
        "{}",
        project.read_baseline("w0")
    );
}

/// Given a French page in windows-1252 served as UTF-8 whose baseline was
/// read before its encoding was detected (a U+FFFD for each accented
/// letter), the page read right now is no edit: no alert, and the baseline
/// takes the letters.
#[tokio::test(flavor = "multi_thread")]
async fn a_baseline_that_could_not_read_some_letters_takes_them_silently_once_they_are_read() {
    let s = Server::start().await;
    let fr = "Le réalisateur a quitté l’Iran à pied après sa condamnation, a déclaré son avocat à la presse.";
    let page = format!("<html><body><article><p>{fr}</p><p>{fr}</p></article></body></html>");
    let (cp1252, _, unmappable) = encoding_rs::WINDOWS_1252.encode(&page);
    assert!(!unmappable);
    // What a reading as UTF-8 made of it.
    s.set(
        "/story",
        Route::html(String::from_utf8_lossy(&cp1252).into_owned()),
    );
    let project = project(&s, &[s.url("/story")], "article");
    assert_eq!(pass(&project).await[0].1, Outcome::BaselineStored);
    assert!(project.read_baseline("w0").contains("r\u{FFFD}alisateur"));
    s.set("/story", Route::html(cp1252.to_vec()));
    let results = pass(&project).await;
    assert_eq!(results[0].1, Outcome::Unchanged, "{results:?}");
    assert!(
        project
            .read_baseline("w0")
            .contains("Le réalisateur a quitté"),
        "{}",
        project.read_baseline("w0")
    );
    // A real edit is still one.
    let edited = page.replace("à pied", "en voiture");
    s.set(
        "/story",
        Route::html(encoding_rs::WINDOWS_1252.encode(&edited).0.to_vec()),
    );
    let results = pass(&project).await;
    assert!(matches!(results[0].1, Outcome::Changed(_)), "{results:?}");
}

/// Given the same page whose baseline could not read its accented letters,
/// now read right and edited by the newsroom in the same check, the alert
/// shows the edit only: no word whose letters the baseline lost is shown
/// changed.
#[tokio::test(flavor = "multi_thread")]
async fn an_edit_that_comes_with_letters_the_baseline_could_not_read_shows_only_the_edit() {
    let s = Server::start().await;
    let fr = "Le réalisateur a quitté l’Iran à pied après sa condamnation, a déclaré son avocat à la presse.";
    let page = format!("<html><body><article><p>{fr}</p><p>{fr}</p></article></body></html>");
    let (cp1252, _, _) = encoding_rs::WINDOWS_1252.encode(&page);
    s.set(
        "/story",
        Route::html(String::from_utf8_lossy(&cp1252).into_owned()),
    );
    let project = project(&s, &[s.url("/story")], "article");
    assert_eq!(pass(&project).await[0].1, Outcome::BaselineStored);
    let edited = page.replacen("à pied", "en voiture", 1);
    s.set(
        "/story",
        Route::html(encoding_rs::WINDOWS_1252.encode(&edited).0.to_vec()),
    );
    let config = project.config_arg();
    let out = run(
        &["check", "--config", &config, "--watch", "w0", "--dry-run"],
        &[],
    )
    .await;
    let out = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(out.contains("[-pied-] {+voiture+}"), "{out}");
    for read_now in ["réalisateur", "quitté", "déclaré", "alisateur"] {
        assert!(
            !out.contains(&format!("{read_now}+}}")),
            "{read_now}: {out}"
        );
        assert!(!out.contains(&format!("{read_now}-]")), "{read_now}: {out}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn broken_and_huge_feeds() {
    let good = good_server().await;
    let s = Server::start().await;
    s.set(
        "/malformed",
        Route::html("<?xml version=\"1.0\"?><rss><channel><item><title>x</titl></rss>")
            .header("Content-Type", "application/rss+xml"),
    );
    let mut big =
        String::from("<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>t</title>");
    for i in 0..100_000 {
        big.push_str(&format!("<item><title>Item {i}</title><link>https://n.example/{i}</link><guid>g{i}</guid></item>"));
    }
    big.push_str("</channel></rss>");
    s.set(
        "/big",
        Route {
            status: 200,
            headers: vec![("Content-Type".into(), "application/rss+xml".into())],
            body: big.into_bytes(),
        },
    );
    let mut cfg = String::from("[daemon]\nmax_body = \"16MiB\"\nper_host_delay = \"0s\"\n");
    cfg.push_str(&format!(
        "[[watch]]\nname = \"bad\"\nkind = \"feed\"\nurl = \"{}\"\n",
        s.url("/malformed")
    ));
    cfg.push_str(&format!(
        "[[watch]]\nname = \"big\"\nkind = \"feed\"\nurl = \"{}\"\n",
        s.url("/big")
    ));
    cfg.push_str(&format!(
        "[[watch]]\nname = \"good\"\nurl = \"{}\"\n",
        good.url("/good")
    ));
    let project = Project::new(&cfg);
    let results = pass(&project).await;
    assert!(
        error_of(&results, "bad").contains("not a valid RSS, Atom or JSON feed"),
        "{}",
        error_of(&results, "bad")
    );
    assert_eq!(
        results.iter().find(|r| r.0 == "big").unwrap().1,
        Outcome::ItemsRecorded(100_000)
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn redirects_to_internal_addresses_are_refused_unless_the_watch_opts_in() {
    let inner = Server::start().await;
    let p = "Internal page text that must never be fetched by a redirect from outside.";
    inner.set(
        "/secret",
        Route::html(format!(
            "<html><body><article><p>{p}</p><p>{p}</p></article></body></html>"
        )),
    );
    let port = inner.addr.port();
    let outer = Server::start().await;
    // The watch's host is 127.0.0.1 (trusted: it is configured); the targets
    // are other internal names for this machine, which are not.
    outer.set(
        "/by-name",
        Route::status(302).header("Location", &format!("http://localhost:{port}/secret")),
    );
    outer.set(
        "/by-ip",
        Route::status(302).header("Location", &format!("http://127.0.0.2:{port}/secret")),
    );
    let cfg = format!(
        "[daemon]\nper_host_delay = \"0s\"\n[[watch]]\nname = \"name\"\nurl = \"{}\"\n[[watch]]\nname = \"ip\"\nurl = \"{}\"\n[[watch]]\nname = \"optin\"\nurl = \"{}\"\nallow_private_redirects = true\n",
        outer.url("/by-name"),
        outer.url("/by-ip"),
        outer.url("/by-ip").replace("/by-ip", "/by-ip?again")
    );
    outer.set(
        "/by-ip?again",
        Route::status(302).header("Location", &format!("http://localhost:{port}/secret")),
    );
    let project = Project::new(&cfg);
    let results = pass(&project).await;
    for w in ["name", "ip"] {
        let e = error_of(&results, w);
        assert!(
            e.contains("is a loopback, private or link-local address")
                && e.contains("allow_private_redirects"),
            "{w}: {e}"
        );
    }
    assert_eq!(
        results.iter().find(|r| r.0 == "optin").unwrap().1,
        Outcome::BaselineStored
    );
    assert_eq!(
        inner.requests_to("/secret").len(),
        1,
        "only the opted-in watch reached the internal server"
    );
}

/// Two checks of one host that ask for its robots.txt at the same time cause
/// one robots.txt request: the second waits for the first's fetch and obeys
/// the same rules. The server holds its robots.txt answer until both checks
/// have asked, so the test does not depend on timing.
#[tokio::test]
async fn two_checks_of_one_host_asking_at_once_fetch_its_robots_txt_once() {
    use std::future::Future;
    use std::sync::atomic::{AtomicUsize, Ordering};
    let robots_requests = Arc::new(AtomicUsize::new(0));
    let (asked, mut robots_asked) = tokio::sync::mpsc::unbounded_channel::<()>();
    let (answer, answer_robots) = tokio::sync::watch::channel(false);
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let count = robots_requests.clone();
    tokio::spawn(async move {
        while let Ok((mut sock, _)) = listener.accept().await {
            let (count, asked, mut answer_robots) =
                (count.clone(), asked.clone(), answer_robots.clone());
            tokio::spawn(async move {
                let mut head = Vec::new();
                let mut chunk = [0u8; 1024];
                while !head.windows(4).any(|w| w == b"\r\n\r\n") {
                    match sock.read(&mut chunk).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => head.extend_from_slice(&chunk[..n]),
                    }
                }
                let body = if head.starts_with(b"GET /robots.txt ") {
                    count.fetch_add(1, Ordering::SeqCst);
                    let _ = asked.send(());
                    let _ = answer_robots.wait_for(|go| *go).await;
                    "User-agent: *\nDisallow: /private\n"
                } else {
                    "<html><body><p>A page.</p></body></html>"
                };
                let _ = sock
                    .write_all(
                        format!(
                            "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                            body.len()
                        )
                        .as_bytes(),
                    )
                    .await;
            });
        }
    });
    let project = Project::new(&format!(
        "[daemon]\nper_host_delay = \"0s\"\n[[host]]\nname = \"127.0.0.1\"\ndelay = \"0s\"\nconcurrency = 2\n\
         [[watch]]\nname = \"a\"\nurl = \"http://{addr}/a\"\n[[watch]]\nname = \"b\"\nurl = \"http://{addr}/private/b\"\n"
    ));
    let config = project.load();
    let fetcher = Fetcher::http(&config.daemon).unwrap();
    let policy = |i: usize| presswatch::fetch::NetworkPolicy::for_watch(&config.watches[i]);
    let (policy_a, policy_b) = (policy(0), policy(1));
    let first = fetcher.robots_allow(&config.watches[0].url, &policy_a);
    let second = fetcher.robots_allow(&config.watches[1].url, &policy_b);
    tokio::pin!(first, second);
    // The first check asks, and its robots.txt request reaches the server.
    tokio::select! {
        _ = first.as_mut() => panic!("robots.txt was answered before the server let it"),
        _ = robots_asked.recv() => {}
    }
    // The second check asks while that request is unanswered.
    let second_waits =
        std::future::poll_fn(|cx| std::task::Poll::Ready(second.as_mut().poll(cx).is_pending()))
            .await;
    assert!(second_waits, "the second check waits for robots.txt");
    answer.send(true).unwrap();
    let (first, second) = tokio::join!(first, second);
    assert!(first.is_ok(), "{first:?}");
    let refused = second.expect_err("/private/b is disallowed").to_string();
    assert!(
        refused.contains("robots.txt disallows /private/b"),
        "{refused}"
    );
    assert_eq!(
        robots_requests.load(Ordering::SeqCst),
        1,
        "one robots.txt request for both checks"
    );
}

/// A listing page of 12,000 headline links with no teasers (an archive
/// page, or a hostile site) is read in seconds: each link's containers are
/// searched for a teaser once for the page, not once per link, which took
/// minutes of CPU and held a check that no timeout bounds.
#[tokio::test(flavor = "multi_thread")]
async fn a_listing_of_tens_of_thousands_of_links_is_read_in_seconds() {
    let good = good_server().await;
    let s = Server::start().await;
    let links: String = (0..12_000)
        .map(|i| format!("<li><a href=/s/{i}>Story {i} on the talks</a>"))
        .collect();
    s.set(
        "/archive",
        Route::html(format!(
            "<html><body><main><ul>{links}</ul></main></body></html>"
        )),
    );
    let project = project(&good, &[s.url("/archive")], "listing");
    let started = Instant::now();
    let results = pass(&project).await;
    let took = started.elapsed();
    assert_eq!(
        results.iter().find(|r| r.0 == "w0").unwrap().1,
        Outcome::ItemsRecorded(12_000)
    );
    assert!(took < Duration::from_secs(10), "took {took:?}");
}

/// A paragraph of 100,000 words that a page rewrote (a broken or hostile
/// site: a whole archive in one `<p>`) is compared in bounded time and
/// memory: the words the versions share at the start and the end stay the
/// same, and the middle is reported replaced as a whole, one removed run and
/// one added run. Diffed word by word, a paragraph of a million words took
/// half a minute of CPU and half a gigabyte in a check no timeout bounds.
#[tokio::test(flavor = "multi_thread")]
async fn a_rewritten_paragraph_of_a_hundred_thousand_words_is_replaced_whole() {
    let dir = tempfile::tempdir().unwrap();
    let words = ["minister", "talks", "geneva", "court", "film", "border"];
    // Two different pseudo-random texts: most words differ.
    let text = |seed: u64| {
        let mut x = seed;
        (0..100_000)
            .map(|_| {
                x = x
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                words[(x >> 33) as usize % words.len()]
            })
            .collect::<Vec<_>>()
            .join(" ")
    };
    let version = |seed: u64| {
        format!(
            "Title: The archive\n\nThe minister said on Monday that {} and the talks ended.\n",
            text(seed)
        )
    };
    let (old, new) = (dir.path().join("old.txt"), dir.path().join("new.txt"));
    std::fs::write(&old, version(1)).unwrap();
    std::fs::write(&new, version(2)).unwrap();
    let started = Instant::now();
    let out =
        crate::support::run(&["diff", old.to_str().unwrap(), new.to_str().unwrap()], &[]).await;
    let took = started.elapsed();
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let shown = String::from_utf8_lossy(&out.stdout);
    let head = &shown[..shown.len().min(2000)];
    assert!(
        shown.contains("The minister said on Monday that [-"),
        "the shared start is kept: {head}"
    );
    let runs = shown.replace("[-removed words-] {+added words+}", "");
    assert_eq!(
        (runs.matches("[-").count(), runs.matches("{+").count()),
        (1, 1),
        "the middle is replaced whole: {head}"
    );
    assert!(took < Duration::from_secs(60), "took {took:?}");
}
