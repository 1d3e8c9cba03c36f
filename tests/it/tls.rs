//! Bad TLS certificates, met for real: a loopback HTTPS server (or SMTP
//! relay) presenting a certificate made at test time (self-signed, from a
//! CA this machine does not trust, for another name, expired, not valid
//! yet), and `presswatch` run as a user runs it, with the machine's trust
//! store standing in as `SSL_CERT_FILE`. What the user reads says what is
//! wrong with the certificate in plain words and what to check; a watch's
//! check is an error (not a takedown, no alert), and an alert to a webhook
//! or through a mail relay waits in the outbox until the receiver or relay
//! is trusted.

use std::path::Path;
use std::sync::{Arc, Mutex};

use crate::support::{
    news_page, run, smtp_sink_tls, Project, Route, Server, ServerCert, SmtpTls, TestCa,
};

const P1: &str = "The director left the country after the court upheld an eight-year sentence, people close to him said on Monday.";
const P1_EDITED: &str = "The director fled the country on foot after the appeals court upheld an eight-year sentence, his lawyer said on Tuesday.";
const P2: &str = "His lawyer said the sentence was handed down after the director refused to withdraw his latest film from a festival.";

fn article(first: &str) -> Route {
    Route::html(news_page(
        "A story served over HTTPS",
        "A. Writer",
        &[first, P2],
        &[],
    ))
}

/// A project with one watch, `secure`, on `url`, and `extra` config after it.
fn project(url: &str, extra: &str) -> Project {
    Project::new(&format!(
        "[daemon]\ntimeout = \"5s\"\nper_host_delay = \"0s\"\n\n[[watch]]\nname = \"secure\"\nurl = \"{url}\"\nrobots = false\n\n{extra}"
    ))
}

/// What `presswatch ARGS --config …` printed, run on a machine whose trust
/// store is the PEM file `trust_store`: (exit success, stdout, stderr).
async fn presswatch(project: &Project, args: &[&str], trust_store: &str) -> (bool, String, String) {
    let config = project.config_arg();
    let mut argv = vec![args[0], "--config", &config];
    argv.extend(&args[1..]);
    let out = run(&argv, &[("SSL_CERT_FILE", trust_store)]).await;
    let (stdout, stderr) = (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    );
    assert!(!stderr.contains("panicked"), "{stderr}");
    (out.status.success(), stdout, stderr)
}

/// A trust store holding one CA that signed none of the test servers'
/// certificates: a machine that trusts some authorities, not theirs.
fn unrelated_store(dir: &Path) -> String {
    TestCa::new("Some public CA").trust_file(dir)
}

/// `presswatch check` of the project's watch `secure`, which is expected to
/// fail: its row's message, after checking that the row is an error, that
/// no alert went out and nothing was taken down, and that the server saw no
/// request (the handshake ended before one).
async fn check_error(project: &Project, server: &Server, trust_store: &str) -> String {
    let (ok, stdout, _) = presswatch(project, &["check"], trust_store).await;
    assert!(!ok, "a failed check exits non-zero: {stdout}");
    let row = stdout
        .lines()
        .find(|l| l.starts_with("secure "))
        .unwrap_or_else(|| panic!("no row for the watch: {stdout}"));
    let mut words = row.split_whitespace();
    assert_eq!(
        (words.next(), words.next()),
        (Some("secure"), Some("error")),
        "{stdout}"
    );
    assert!(
        stdout.contains("0 taken down") && stdout.contains("1 error; 0 alerts"),
        "an error, not a takedown, and no alert: {stdout}"
    );
    assert!(server.requests().is_empty(), "{:?}", server.requests());
    let message = row["secure".len()..].trim_start()["error".len()..].trim_start();
    assert!(
        message.starts_with(&format!("fetching {}: ", server.url("/story"))),
        "the message names the URL: {message}"
    );
    message.to_string()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_site_whose_certificate_is_self_signed_or_from_an_untrusted_ca_is_an_error_saying_it_is_not_trusted_and_what_to_check(
) {
    let dir = tempfile::tempdir().unwrap();
    let store = unrelated_store(dir.path());
    let private_ca = TestCa::new("Example private CA");
    for cert in [
        ServerCert::self_signed(&["127.0.0.1"]),
        private_ca.issue(&["127.0.0.1"]),
    ] {
        let server = Server::start_tls(&cert).await;
        server.set("/story", article(P1));
        let project = project(&server.url("/story"), "");
        let message = check_error(&project, &server, &store).await;
        assert_eq!(
            message,
            format!(
                "fetching {}: TLS handshake failed with {}: the certificate is not trusted: it is \
                 self-signed, or issued by an authority this machine does not trust (UnknownIssuer); open \
                 the URL in a browser to see who issued it, and if the site is meant to use that \
                 certificate, add it or its issuer to this machine's trust store",
                server.url("/story"),
                server.addr
            )
        );
    }

    // What the message says to do works: with the certificate in the
    // machine's trust store, the same watch is checked.
    let cert = ServerCert::self_signed(&["127.0.0.1"]);
    let server = Server::start_tls(&cert).await;
    server.set("/story", article(P1));
    let project = project(&server.url("/story"), "");
    let trusted = cert.trust_file(dir.path());
    let (ok, stdout, _) = presswatch(&project, &["check"], &trusted).await;
    assert!(ok && stdout.contains("1 baseline stored"), "{stdout}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_certificate_for_another_name_says_which_names_it_is_for_not_a_dns_failure() {
    let dir = tempfile::tempdir().unwrap();
    let ca = TestCa::new("Example CA");
    let store = ca.trust_file(dir.path());
    for (names, is_for) in [
        (&["example.org"][..], "example.org"),
        (
            &["example.org", "www.example.org"][..],
            "example.org or www.example.org",
        ),
    ] {
        let server = Server::start_tls(&ca.issue(names)).await;
        server.set("/story", article(P1));
        let project = project(&server.url("/story"), "");
        let message = check_error(&project, &server, &store).await;
        assert_eq!(
            message,
            format!(
                "fetching {}: TLS handshake failed with {}: the certificate is for {is_for}, not \
                 127.0.0.1: check the host in the URL (the site may answer under another name), or the \
                 site presents the wrong certificate",
                server.url("/story"),
                server.addr
            )
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn an_expired_or_not_yet_valid_certificate_says_its_date_and_what_to_check() {
    let dir = tempfile::tempdir().unwrap();
    let ca = TestCa::new("Example CA");
    let store = ca.trust_file(dir.path());

    let expired =
        Server::start_tls(&ca.issue_valid(&["127.0.0.1"], (2020, 1, 1), (2021, 3, 1))).await;
    expired.set("/story", article(P1));
    let message = check_error(&project(&expired.url("/story"), ""), &expired, &store).await;
    let said = format!(
        "fetching {}: TLS handshake failed with {}: the certificate expired on 2021-03-01 00:00 UTC \
         (this machine's clock reads ",
        expired.url("/story"),
        expired.addr
    );
    assert!(message.starts_with(&said), "{message}");
    assert!(
        message.ends_with(
            " UTC): the site has to renew it; if this machine's clock is wrong, set it right"
        ),
        "{message}"
    );

    let ahead =
        Server::start_tls(&ca.issue_valid(&["127.0.0.1"], (3020, 1, 1), (3021, 1, 1))).await;
    ahead.set("/story", article(P1));
    let message = check_error(&project(&ahead.url("/story"), ""), &ahead, &store).await;
    let said = format!(
        "fetching {}: TLS handshake failed with {}: the certificate is not valid until 3020-01-01 00:00 \
         UTC (this machine's clock reads ",
        ahead.url("/story"),
        ahead.addr
    );
    assert!(message.starts_with(&said), "{message}");
    assert!(
        message.ends_with(
            " UTC): check this machine's clock; if it is right, the site presents a certificate dated ahead"
        ),
        "{message}"
    );
}

/// A webhook receiver with a self-signed certificate: the alert is not
/// lost. It waits in the outbox, `outbox list` says why it was not
/// delivered, and it goes out once the receiver's certificate is trusted.
#[tokio::test(flavor = "multi_thread")]
async fn a_webhook_receiver_with_a_self_signed_certificate_keeps_the_alert_and_says_it_is_not_trusted(
) {
    let dir = tempfile::tempdir().unwrap();
    let store = unrelated_store(dir.path());
    let receiver_cert = ServerCert::self_signed(&["127.0.0.1"]);
    let receiver = Server::start_tls(&receiver_cert).await;
    let site = Server::start().await;
    site.set("/story", article(P1));
    let project = project(
        &site.url("/story"),
        &format!(
            "[[channel]]\nname = \"hook\"\ntype = \"webhook\"\nurl = \"{}\"\n",
            receiver.url("/hook?token=s3cret")
        ),
    );
    let (ok, stdout, _) = presswatch(&project, &["check"], &store).await;
    assert!(ok && stdout.contains("1 baseline stored"), "{stdout}");

    site.set("/story", article(P1_EDITED));
    let (_, stdout, stderr) = presswatch(&project, &["check"], &store).await;
    assert!(stdout.contains("1 changed"), "{stdout}\n{stderr}");
    assert!(receiver.requests().is_empty(), "{:?}", receiver.requests());

    let (_, list, _) = presswatch(&project, &["outbox", "list"], &store).await;
    let at = receiver.addr;
    assert!(
        list.contains(&format!(
            "POST to {at} failed: TLS handshake failed with {at}: the certificate is not trusted: it is \
             self-signed, or issued by an authority this machine does not trust (UnknownIssuer); open the \
             channel's url in a browser to see who issued it, and if the receiver is meant to use that \
             certificate, add it or its issuer to this machine's trust store"
        )),
        "the alert waits, and its error says why:\n{list}"
    );
    assert!(
        !list.contains("s3cret"),
        "the url's token is not shown:\n{list}"
    );

    // Trusted, the receiver gets the alert on the next retry; none is lost.
    let trusted = receiver_cert.trust_file(dir.path());
    let (ok, stdout, stderr) = presswatch(&project, &["outbox", "retry"], &trusted).await;
    assert!(ok, "{stdout}\n{stderr}");
    let posts = receiver.requests_to("/hook?token=s3cret");
    assert_eq!(posts.len(), 1, "{posts:?}");
    let alert: serde_json::Value = serde_json::from_slice(&posts[0].body).unwrap();
    assert_eq!(alert["watch"], "secure", "{alert}");
    let (_, list, _) = presswatch(&project, &["outbox", "list"], &trusted).await;
    assert!(list.contains("outbox is empty"), "{list}");
}

/// The `[[channel]]` of an email channel `mail` through the relay at
/// 127.0.0.1:`port`, by `scheme` (`smtp`: STARTTLS; `smtps`: implicit TLS).
fn email_channel(scheme: &str, port: u16) -> String {
    format!(
        "[[channel]]\nname = \"mail\"\ntype = \"email\"\nsmtp_url = \"{scheme}://127.0.0.1:{port}\"\n\
         from = \"presswatch <alerts@example.org>\"\nto = [\"desk@example.org\"]\n"
    )
}

/// An internal mail relay with a self-signed certificate, reached with
/// STARTTLS (smtp://, the usual submission port): the alert is not lost. It
/// waits in the outbox, `outbox list` says the certificate is not trusted
/// and how to see who issued it, and once the certificate is trusted one
/// retry delivers it, once.
#[tokio::test(flavor = "multi_thread")]
async fn a_mail_relay_with_a_self_signed_certificate_keeps_the_alert_and_says_it_is_not_trusted() {
    let dir = tempfile::tempdir().unwrap();
    let store = unrelated_store(dir.path());
    let relay_cert = ServerCert::self_signed(&["127.0.0.1"]);
    let mails = Arc::new(Mutex::new(Vec::<Vec<u8>>::new()));
    let relay = smtp_sink_tls(mails.clone(), &relay_cert, SmtpTls::StartTls).await;
    let site = Server::start().await;
    site.set("/story", article(P1));
    let project = project(&site.url("/story"), &email_channel("smtp", relay));
    let (ok, stdout, _) = presswatch(&project, &["check"], &store).await;
    assert!(ok && stdout.contains("1 baseline stored"), "{stdout}");

    site.set("/story", article(P1_EDITED));
    let (_, stdout, stderr) = presswatch(&project, &["check"], &store).await;
    assert!(stdout.contains("1 changed"), "{stdout}\n{stderr}");
    assert!(mails.lock().unwrap().is_empty());

    let (_, list, _) = presswatch(&project, &["outbox", "list"], &store).await;
    assert!(
        list.contains(&format!(
            "email to 127.0.0.1:{relay}: TLS handshake failed: the certificate is not trusted: it is \
             self-signed, or issued by an authority this machine does not trust (UnknownIssuer); run \
             `openssl s_client -connect 127.0.0.1:{relay} -starttls smtp` to see who issued it, and if \
             the relay is meant to use that certificate, add it or its issuer to this machine's trust \
             store"
        )),
        "the alert waits, and its error says why:\n{list}"
    );

    // Trusted, the relay takes the alert on the next retry; none is lost.
    let trusted = relay_cert.trust_file(dir.path());
    let (ok, stdout, stderr) = presswatch(&project, &["outbox", "retry"], &trusted).await;
    assert!(ok, "{stdout}\n{stderr}");
    let mails = mails.lock().unwrap().clone();
    assert_eq!(mails.len(), 1, "exactly one mail");
    let mail = String::from_utf8_lossy(&mails[0]);
    assert!(mail.contains("X-Presswatch-Watch: secure"), "{mail}");
    let (_, list, _) = presswatch(&project, &["outbox", "list"], &trusted).await;
    assert!(list.contains("outbox is empty"), "{list}");
}

/// A relay whose certificate is for another name, by STARTTLS and by
/// implicit TLS: `test-alert` names the names the certificate is for and the
/// host it was asked for, not "check smtp_url's scheme and port", and sends
/// nothing.
#[tokio::test(flavor = "multi_thread")]
async fn a_mail_relay_whose_certificate_is_for_another_name_says_which_names_it_is_for() {
    let dir = tempfile::tempdir().unwrap();
    let ca = TestCa::new("Example CA");
    let store = ca.trust_file(dir.path());
    let cert = ca.issue(&["mail.example.org", "smtp.example.org"]);
    for (tls, scheme) in [(SmtpTls::StartTls, "smtp"), (SmtpTls::Implicit, "smtps")] {
        let mails = Arc::new(Mutex::new(Vec::<Vec<u8>>::new()));
        let relay = smtp_sink_tls(mails.clone(), &cert, tls).await;
        let project = Project::new(&email_channel(scheme, relay));
        let (ok, stdout, _) = presswatch(&project, &["test-alert"], &store).await;
        assert!(!ok, "{stdout}");
        assert_eq!(
            stdout.trim_end(),
            format!(
                "mail  FAILED  email to 127.0.0.1:{relay}: TLS handshake failed: the certificate is for \
                 mail.example.org or smtp.example.org, not 127.0.0.1: check the host in the channel's \
                 smtp_url (the relay may answer under another name), or the relay presents the wrong \
                 certificate"
            ),
            "{scheme}://"
        );
        assert!(mails.lock().unwrap().is_empty(), "{scheme}://");
    }
}

/// A relay named with the scheme of the other kind of port: smtps:// (TLS
/// from the first byte) on a port that speaks plain SMTP first, as 587 and
/// 25 do. The message says the server there does not speak TLS at once and
/// which scheme or port to use, not that it cannot connect; nothing is sent.
#[tokio::test(flavor = "multi_thread")]
async fn a_mail_relay_named_smtps_on_a_plain_smtp_port_says_to_use_smtp_or_the_implicit_tls_port() {
    let dir = tempfile::tempdir().unwrap();
    let store = unrelated_store(dir.path());
    let mails = Arc::new(Mutex::new(Vec::<Vec<u8>>::new()));
    let relay = crate::support::smtp_sink(mails.clone());
    let project = Project::new(&email_channel("smtps", relay));
    let (ok, stdout, _) = presswatch(&project, &["test-alert"], &store).await;
    assert!(!ok, "{stdout}");
    assert_eq!(
        stdout.trim_end(),
        format!(
            "mail  FAILED  email to 127.0.0.1:{relay}: TLS handshake failed: the server there does not \
             speak TLS at once, as smtps:// needs (it answered in plain text, as a port for STARTTLS \
             does): use smtp:// (STARTTLS, usually port 587), or the relay's implicit-TLS port (465), \
             in the channel's smtp_url"
        )
    );
    assert!(mails.lock().unwrap().is_empty());
}

/// A self-signed certificate marked as a certificate authority, as plain
/// `openssl req -x509` makes one, presented by a site, a webhook receiver
/// and a mail relay: each is told, in the words of any self-signed
/// certificate, that it is not trusted and what to check, not rustls's
/// `CaUsedAsEndEntity`.
#[tokio::test(flavor = "multi_thread")]
async fn a_self_signed_certificate_marked_as_a_ca_is_said_to_be_self_signed_for_sites_receivers_and_relays(
) {
    let dir = tempfile::tempdir().unwrap();
    let store = unrelated_store(dir.path());
    let cert = ServerCert::self_signed_ca(&["127.0.0.1"]);
    let untrusted = |look: &str, server: &str| {
        format!(
            "the certificate is not trusted: it is self-signed, or issued by an authority this machine \
             does not trust, and it is marked as a certificate authority itself, as plain `openssl req \
             -x509` makes one (CaUsedAsEndEntity), which no trust store makes good for a server; {look} \
             to see who issued it, and if {server} is meant to use a certificate of its own, make one \
             not marked as an authority (`openssl req -x509 -addext \
             basicConstraints=critical,CA:FALSE …`) and add that to this machine's trust store"
        )
    };

    // A site.
    let server = Server::start_tls(&cert).await;
    server.set("/story", article(P1));
    let project = project(&server.url("/story"), "");

    let message = check_error(&project, &server, &store).await;
    assert_eq!(
        message,
        format!(
            "fetching {}: TLS handshake failed with {}: {}",
            server.url("/story"),
            server.addr,
            untrusted("open the URL in a browser", "the site")
        )
    );

    // Trusting it does not help (the words do not say it would).
    let trusted = cert.trust_file(dir.path());
    assert_eq!(
        check_error(&project, &server, &trusted).await,
        message,
        "the same words with the certificate trusted"
    );

    // A webhook receiver: `test-alert` says the same of it.
    let receiver = Server::start_tls(&cert).await;
    let project = Project::new(&format!(
        "[[channel]]\nname = \"hook\"\ntype = \"webhook\"\nurl = \"{}\"\n",
        receiver.url("/hook")
    ));
    let (ok, stdout, _) = presswatch(&project, &["test-alert"], &store).await;
    assert!(!ok, "{stdout}");
    let at = receiver.addr;
    assert!(
        stdout.contains(&format!(
            "TLS handshake failed with {at}: {}",
            untrusted("open the channel's url in a browser", "the receiver")
        )),
        "{stdout}"
    );
    assert!(receiver.requests().is_empty());

    // A mail relay, by STARTTLS.
    let mails = Arc::new(Mutex::new(Vec::<Vec<u8>>::new()));
    let relay = smtp_sink_tls(mails.clone(), &cert, SmtpTls::StartTls).await;
    let project = Project::new(&email_channel("smtp", relay));
    let (ok, stdout, _) = presswatch(&project, &["test-alert"], &store).await;
    assert!(!ok, "{stdout}");
    assert_eq!(
        stdout.trim_end(),
        format!(
            "mail  FAILED  email to 127.0.0.1:{relay}: TLS handshake failed: {}",
            untrusted(
                &format!("run `openssl s_client -connect 127.0.0.1:{relay} -starttls smtp`"),
                "the relay"
            )
        )
    );
    assert!(mails.lock().unwrap().is_empty());
}

/// The paragraph `status` prints about the failing watch `name`: its lines,
/// the first starting `watch NAME:`, the others continuing it.
fn failing_paragraph<'a>(status: &'a str, name: &str) -> Vec<&'a str> {
    let mut lines = status
        .lines()
        .skip_while(|l| !l.starts_with(&format!("watch {name}: ")));
    let first = lines
        .next()
        .unwrap_or_else(|| panic!("no line about {name}: {status}"));
    std::iter::once(first)
        .chain(lines.take_while(|l| l.starts_with("  ")))
        .collect()
}

/// A watch that fails on a long error (a certificate refused, with what to
/// do about it) reads as a paragraph in `status`: wrapped at 80 columns,
/// the error cut in the middle, its start (what failed) and its end (what
/// to do) kept, with the `history` command that shows it whole; that
/// command shows it whole. It was one line of about 800 columns.
#[tokio::test(flavor = "multi_thread")]
async fn status_wraps_a_watch_s_long_error_and_names_the_command_that_shows_it_whole() {
    let dir = tempfile::tempdir().unwrap();
    let store = unrelated_store(dir.path());
    let cert = ServerCert::self_signed_ca(&["127.0.0.1"]);
    let server = Server::start_tls(&cert).await;
    server.set("/story", article(P1));
    let project = project(&server.url("/story"), "");
    let message = check_error(&project, &server, &store).await;
    assert!(message.chars().count() > 480, "{message}");

    let (ok, status, _) = presswatch(&project, &["status"], &store).await;
    assert!(ok, "{status}");
    let paragraph = failing_paragraph(&status, "secure");
    for line in &paragraph {
        let command = line.trim_start().starts_with('`') && line.trim_end().ends_with('`');
        assert!(
            line.chars().count() <= 80 || command,
            "{line:?} is longer than 80 columns: {status}"
        );
    }
    let read = paragraph.join("\n").replace("\n  ", " ");
    let config = project.config_arg();
    let (start, end) = (
        format!(
            "Last error: fetching {}: TLS handshake failed with {}: the certificate is not trusted:",
            server.url("/story"),
            server.addr
        ),
        "and add that to this machine's trust store. \
         `presswatch history secure --config CONFIG` shows the whole error; \
         `presswatch check --watch secure --config CONFIG` checks it now and shows what fails"
            .replace("CONFIG", &config),
    );
    assert!(read.contains(&start), "{read}");
    assert!(read.ends_with(&end), "{read}");
    assert!(read.contains(" … "), "the middle is cut: {read}");
    assert!(!read.contains(&message), "{read}");

    // The command it names shows the error whole.
    let (ok, history, _) = presswatch(&project, &["history", "secure"], &store).await;
    assert!(ok, "{history}");
    assert!(
        history.contains(&format!("Last error: {message}. `presswatch check")),
        "{history}"
    );
}
