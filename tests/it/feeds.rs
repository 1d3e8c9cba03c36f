//! Feeds as sites serve them: given a feed watch and two versions of its
//! feed on a loopback server (in the encodings, markup and identifiers real
//! feeds use), the new-item alert names the new stories, readably, and only
//! those.

use presswatch::check::{Outcome, Report};
use presswatch::compare::ChangeKind;

use crate::support::{article, as_read, check_first, news_page, run, Project, Route, Server};

/// The set-up of a feed watch test: a project whose config watches the
/// feed at `path` of `server` as `wire` (robots.txt not asked, no delay
/// between requests), with `daemon` lines added under `[daemon]`, `extra`
/// keys for the watch (keywords, follow), and `channels` (`[[channel]]`
/// tables) for its alerts to go to.
fn feed_watch(server: &Server, path: &str, daemon: &str, extra: &str, channels: &str) -> Project {
    Project::new(&format!(
        "[daemon]\nper_host_delay = \"0s\"\n{daemon}\n[[watch]]\nname = \"wire\"\nkind = \"feed\"\nurl = \"{}\"\nrobots = false\n{extra}\n\n{channels}",
        server.url(path)
    ))
}

/// An RSS 2.0 feed of `(title, link, guid)` items, as written in its XML
/// (entities and all), with `prolog` before the root element.
fn rss(prolog: &str, items: &[(&str, &str, Option<&str>)]) -> String {
    let mut s = format!(
        "{prolog}<rss version=\"2.0\"><channel><title>Wire</title><link>https://wire.example/</link><description>d</description>"
    );
    for (title, link, guid) in items {
        s.push_str(&format!("<item><title>{title}</title><link>{link}</link>"));
        if let Some(g) = guid {
            s.push_str(&format!("<guid isPermaLink=\"false\">{g}</guid>"));
        }
        s.push_str("</item>");
    }
    s.push_str("</channel></rss>");
    s
}

/// A 200 answer with this Content-Type and body.
fn served(content_type: &str, body: Vec<u8>) -> Route {
    Route {
        status: 200,
        headers: vec![("Content-Type".into(), content_type.into())],
        body,
    }
}

/// Serves `first`, checks (the items are recorded), serves `second`, checks
/// again: the second check's report.
async fn check_twice(
    project: &Project,
    server: &Server,
    path: &str,
    first: Route,
    second: Route,
) -> Report {
    server.set(path, first);
    let r = check_first(project).await;
    assert!(
        matches!(r.outcome, Outcome::ItemsRecorded(_)),
        "{:?}: {}",
        r.outcome,
        r.detail
    );
    server.set(path, second);
    check_first(project).await
}

/// The titles of the items the report's new-item alerts name.
fn new_titles(r: &Report) -> Vec<String> {
    r.alerts
        .iter()
        .filter(|a| a.kind == ChangeKind::NewItems)
        .flat_map(|a| a.items.iter().map(|i| i.title.clone()))
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_feed_whose_charset_the_server_misstates_or_omits_alerts_its_new_items_readably() {
    let old = ("\u{0641}\u{064A}\u{0644}\u{0645}\u{0633}\u{0627}\u{0632} \u{0627}\u{0632} \u{0627}\u{064A}\u{0631}\u{0627}\u{0646} \u{06AF}\u{0631}\u{064A}\u{062E}\u{062A}", "https://wire.example/1", Some("g1"));
    let new_title = "\u{0627}\u{0639}\u{062A}\u{0631}\u{0627}\u{0636} \u{062F}\u{0627}\u{0646}\u{0634}\u{062C}\u{0648}\u{064A}\u{0627}\u{0646} \u{062F}\u{0631} \u{062A}\u{0647}\u{0631}\u{0627}\u{0646}";
    let new = (new_title, "https://wire.example/2", Some("g2"));

    // windows-1256, as its XML declaration says; the server's default
    // charset says UTF-8.
    let server = Server::start().await;
    let project = feed_watch(&server, "/fa.xml", "", "", "");
    let prolog = "<?xml version=\"1.0\" encoding=\"windows-1256\"?>";
    let win1256 = |items: &[(&str, &str, Option<&str>)]| {
        let xml = rss(prolog, items);
        let bytes = encoding_rs::WINDOWS_1256.encode(&xml).0.into_owned();
        served("application/rss+xml; charset=utf-8", bytes)
    };
    let r = check_twice(
        &project,
        &server,
        "/fa.xml",
        win1256(&[old]),
        win1256(&[new, old]),
    )
    .await;
    assert_eq!(new_titles(&r), [new_title], "{}", r.detail);

    // UTF-16 without a byte order mark, served as bare text/xml.
    let server = Server::start().await;
    let project = feed_watch(&server, "/u16.xml", "", "", "");
    let prolog = "<?xml version=\"1.0\" encoding=\"UTF-16\"?>";
    let utf16 = |items: &[(&str, &str, Option<&str>)]| {
        let bytes = rss(prolog, items)
            .encode_utf16()
            .flat_map(u16::to_be_bytes)
            .collect();
        served("text/xml", bytes)
    };
    let r = check_twice(
        &project,
        &server,
        "/u16.xml",
        utf16(&[old]),
        utf16(&[new, old]),
    )
    .await;
    assert_eq!(new_titles(&r), [new_title], "{}", r.detail);
}

#[tokio::test(flavor = "multi_thread")]
async fn titles_with_entities_escaped_twice_or_from_html_are_alerted_as_readers_read_them() {
    let server = Server::start().await;
    let project = feed_watch(&server, "/feed.xml", "", "", "");
    let xml = "<?xml version=\"1.0\" encoding=\"utf-8\"?>";
    let old = ("Court hears appeal", "https://wire.example/1", Some("g1"));
    // What WordPress and many CMSs write: the title escaped once more than
    // XML asks, and HTML's &nbsp;, which XML does not define.
    let new = (
        "Minister&amp;#8217;s &amp;quot;reply&amp;quot;&nbsp;to Q&amp;amp;A",
        "https://wire.example/2",
        Some("g2"),
    );
    let feed = |items: &[(&str, &str, Option<&str>)]| {
        served("application/rss+xml", rss(xml, items).into_bytes())
    };
    let r = check_twice(
        &project,
        &server,
        "/feed.xml",
        feed(&[old]),
        feed(&[new, old]),
    )
    .await;
    let readable = "Minister\u{2019}s \"reply\" to Q&A";
    assert_eq!(new_titles(&r), [readable], "{}", r.detail);
    let alert = &r.alerts[0];
    assert!(alert.subject().ends_with(readable), "{}", alert.subject());
    let text = presswatch::notify::render::text(alert, &Default::default());
    assert!(
        !text.contains("&amp;") && !text.contains("&#8217;") && !text.contains("&nbsp;"),
        "{text}"
    );

    // Atom's type="html" title, escaped once more.
    let server = Server::start().await;
    let project = feed_watch(&server, "/atom.xml", "", "", "");
    let atom = |titles: &[&str]| {
        let mut s = String::from("<?xml version=\"1.0\" encoding=\"utf-8\"?><feed xmlns=\"http://www.w3.org/2005/Atom\"><title>T</title><id>urn:f</id><updated>2024-05-13T00:00:00Z</updated>");
        for (i, t) in titles.iter().enumerate() {
            s.push_str(&format!("<entry><title type=\"html\">{t}</title><id>urn:e{i}</id><link href=\"/a/{i}\"/><updated>2024-05-13T09:00:00Z</updated></entry>"));
        }
        served("application/atom+xml", format!("{s}</feed>").into_bytes())
    };
    let r = check_twice(
        &project,
        &server,
        "/atom.xml",
        atom(&["Old"]),
        atom(&["Old", "Tom &amp;amp; Jerry &amp;lt;3"]),
    )
    .await;
    assert_eq!(new_titles(&r), ["Tom & Jerry <3"], "{}", r.detail);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_story_whose_feed_changed_its_guid_or_gave_it_one_is_not_new_again() {
    let server = Server::start().await;
    let project = feed_watch(&server, "/feed.xml", "", "", "");
    let xml = "<?xml version=\"1.0\" encoding=\"utf-8\"?>";
    let feed = |items: &[(&str, &str, Option<&str>)]| {
        served("application/rss+xml", rss(xml, items).into_bytes())
    };
    let before = [
        (
            "Court hears appeal",
            "https://wire.example/a",
            Some("urn:cms1:101"),
        ),
        ("Rights groups respond", "https://wire.example/b", None),
    ];
    // The site moved to a new CMS: new ids for the same stories, and ids
    // where there were none; one story is new.
    let after = [
        (
            "Lawyer speaks after verdict",
            "https://wire.example/c",
            Some("urn:cms2:c"),
        ),
        (
            "Court hears appeal",
            "https://wire.example/a",
            Some("urn:cms2:a"),
        ),
        (
            "Rights groups respond",
            "https://wire.example/b",
            Some("urn:cms2:b"),
        ),
    ];
    let r = check_twice(&project, &server, "/feed.xml", feed(&before), feed(&after)).await;
    assert_eq!(
        new_titles(&r),
        ["Lawyer speaks after verdict"],
        "{}",
        r.detail
    );

    // A live blog's entries all link to one page: each new id is a new entry.
    let live = "https://wire.example/live";
    let mut entries = vec![
        ("Verdict read out", live, Some("live-1")),
        ("Crowd gathers outside court", live, Some("live-2")),
    ];
    entries.extend_from_slice(&after);
    server.set("/feed.xml", feed(&entries));
    let r = check_first(&project).await;
    assert_eq!(
        new_titles(&r),
        ["Verdict read out", "Crowd gathers outside court"],
        "{}",
        r.detail
    );
    entries.insert(0, ("Sentence appealed", live, Some("live-3")));
    server.set("/feed.xml", feed(&entries));
    let r = check_first(&project).await;
    assert_eq!(new_titles(&r), ["Sentence appealed"], "{}", r.detail);

    // A daily briefing at one address: a new title under a new id there is
    // a new item, though the link was seen before.
    let briefing = "https://wire.example/briefing";
    let day = |title, id| vec![(title, briefing, Some(id))];
    server.set("/feed.xml", feed(&day("Briefing: Monday", "b-1")));
    check_first(&project).await;
    server.set("/feed.xml", feed(&day("Briefing: Tuesday", "b-2")));
    let r = check_first(&project).await;
    assert_eq!(new_titles(&r), ["Briefing: Tuesday"], "{}", r.detail);
}

#[tokio::test(flavor = "multi_thread")]
async fn keywords_match_the_spellings_readers_read_as_one_and_not_inside_other_words() {
    let server = Server::start().await;
    let keywords = "keywords = [\"Evin\", \"ايفين\", \"احمد شاملو\", \"رسول اف\"]";
    let project = feed_watch(&server, "/feed.xml", "", keywords, "");
    let xml = "<?xml version=\"1.0\" encoding=\"utf-8\"?>";
    let feed = |items: &[(&str, &str, Option<&str>)]| {
        served("application/rss+xml", rss(xml, items).into_bytes())
    };
    let old = [("Court hears appeal", "https://wire.example/0", None)];
    let new = [
        (
            "Kevin Spacey returns to the London stage",
            "https://wire.example/1",
            None,
        ),
        (
            "Prisoners moved out of EVIN after the fire",
            "https://wire.example/2",
            None,
        ),
        // Arabic with the hamza the keyword leaves out.
        (
            "نقل سجناء من سجن إيفين في طهران",
            "https://wire.example/3",
            None,
        ),
        ("شعری از أحمد شاملو", "https://wire.example/4", None),
        // Persian with a ZWNJ where the keyword has a space.
        ("فیلم تازه رسول‌اف در کن", "https://wire.example/5", None),
        (
            "Weather: rain expected in the north",
            "https://wire.example/6",
            None,
        ),
    ];
    let mut after = new.to_vec();
    after.extend_from_slice(&old);
    let r = check_twice(&project, &server, "/feed.xml", feed(&old), feed(&after)).await;
    assert_eq!(
        new_titles(&r),
        [new[1].0, new[2].0, new[3].0, new[4].0],
        "{}",
        r.detail
    );
}

/// Persian keywords match words a reader sees, not letters that happen to
/// follow each other across a space or inside another word.
#[tokio::test(flavor = "multi_thread")]
async fn a_persian_keyword_matches_whole_words_not_letters_across_or_inside_them() {
    let server = Server::start().await;
    let keywords = "keywords = [\"ایران\", \"امینی\", \"حقوق بشر\", \"وکیل\"]";
    let project = feed_watch(&server, "/feed.xml", "", keywords, "");
    let xml = "<?xml version=\"1.0\" encoding=\"utf-8\"?>";
    let feed = |items: &[(&str, &str, Option<&str>)]| {
        served("application/rss+xml", rss(xml, items).into_bytes())
    };
    let old = [("دادگاه تجدیدنظر تشکیل شد", "https://wire.example/0", None)];
    let new = [
        // "Heavy traffic for Tehran's drivers": برای رانندگان, not Iran.
        (
            "ترافیک سنگین برای رانندگان تهران",
            "https://wire.example/1",
            None,
        ),
        // "A bail order was issued for him": قرار تأمینی, not Amini.
        (
            "برای او قرار تأمینی صادر شد",
            "https://wire.example/2",
            None,
        ),
        ("سالگرد درگذشت مهسا امینی", "https://wire.example/3", None),
        // Human rights written with its parts joined, the lawyer with an
        // Arabic yeh, Iran with "and" before it and an adjective ending.
        ("گزارش تازه حقوق‌بشر", "https://wire.example/4", None),
        (
            "بازداشت وکيل دو روزنامه‌نگار",
            "https://wire.example/5",
            None,
        ),
        (
            "فیلمسازان ایرانی در جشنواره",
            "https://wire.example/6",
            None,
        ),
    ];
    let mut after = new.to_vec();
    after.extend_from_slice(&old);
    let r = check_twice(&project, &server, "/feed.xml", feed(&old), feed(&after)).await;
    assert_eq!(
        new_titles(&r),
        [new[2].0, new[3].0, new[4].0, new[5].0],
        "{}",
        r.detail
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_feed_that_turns_into_a_web_page_or_is_cut_off_is_an_error_alert_saying_so() {
    let server = Server::start().await;
    let project = feed_watch(&server, "/feed.xml", "failure_threshold = 1\n", "", "");
    let xml = "<?xml version=\"1.0\" encoding=\"utf-8\"?>";
    let items = [("Court hears appeal", "https://wire.example/1", Some("g1"))];
    let feed = served("application/rss+xml", rss(xml, &items).into_bytes());
    // A bot check served with 200 where the feed was.
    let bot_check = served(
        "text/html; charset=UTF-8",
        b"<!DOCTYPE html><html><head><title>Just a moment...</title></head><body><h1>Checking your browser before accessing the site</h1></body></html>".to_vec(),
    );
    let r = check_twice(&project, &server, "/feed.xml", feed.clone(), bot_check).await;
    let [alert] = r.alerts.as_slice() else {
        panic!("one error alert: {:?}", r.alerts)
    };
    assert_eq!(alert.kind, ChangeKind::Error);
    assert_eq!(alert.summary, "Cannot check this watch: 1 failure in a row");
    let error = alert.error.as_deref().unwrap();
    let url = server.url("/feed.xml");
    assert!(
        error.starts_with(&format!(
            "{url}: a web page titled “Just a moment...” came instead of a feed: "
        )),
        "{error}"
    );
    assert!(error.contains("set `url` of watch wire"), "{error}");
    let text = presswatch::notify::render::text(alert, &Default::default());
    // The error is wrapped: its words read across its lines.
    let words = as_read(&text);
    assert!(words.contains("Just a moment..."), "{text}");

    // The feed comes back, then arrives cut off in the middle of an item.
    server.set("/feed.xml", feed);
    check_first(&project).await;
    let whole = rss(xml, &items);
    let cut = whole.as_bytes()[..whole.len() - 30].to_vec();
    server.set("/feed.xml", served("application/rss+xml", cut.clone()));
    let r = check_first(&project).await;
    let error = r.alerts[0].error.as_deref().unwrap();
    assert!(
        error.starts_with(&format!(
            "{url}: the feed is cut off: it ends after {} bytes, before its closing </rss>: the server sent only part of it",
            cut.len()
        )),
        "{error}"
    );
}

/// A feed URL that serves a section page: the error quotes the page's long
/// title cut at a word, not mid-word, and says the watch may want to be a
/// listing as well as the feed's real address.
#[tokio::test(flavor = "multi_thread")]
async fn a_feed_url_serving_a_web_page_quotes_its_title_to_a_whole_word_and_says_what_to_set() {
    let server = Server::start().await;
    let project = feed_watch(&server, "/world", "", "", "");
    let title =
        "Iranian director Mohammad Rasoulof flees Iran after being sentenced to eight years \
                 in prison and a flogging | World news";
    server.set(
        "/world",
        served(
            "text/html; charset=utf-8",
            format!("<!DOCTYPE html><html><head><title>{title}</title></head><body><h1>World</h1></body></html>")
                .into_bytes(),
        ),
    );
    let r = check_first(&project).await;
    let Outcome::Error(error) = &r.outcome else {
        panic!("an error: {:?}", r.outcome)
    };
    let url = server.url("/world");
    assert!(
        error.starts_with(&format!(
            "{url}: a web page titled \u{201c}Iranian director Mohammad Rasoulof flees Iran after being \
             sentenced to eight years in prison and a\u{2026}\u{201d} came instead of a feed: "
        )),
        "{error}"
    );
    assert!(
        error.ends_with(
            "set `url` of watch wire to it; or, if that page itself lists the stories to watch (a section, \
             tag or search page), set kind = \"listing\" on watch wire"
        ),
        "{error}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn an_alert_of_several_new_items_links_the_feed_as_the_watched_page_not_as_an_article() {
    let server = Server::start().await;
    let project = feed_watch(&server, "/feed.xml", "", "", "");
    let xml = "<?xml version=\"1.0\" encoding=\"utf-8\"?>";
    let feed = |items: &[(&str, &str, Option<&str>)]| {
        served("application/rss+xml", rss(xml, items).into_bytes())
    };
    let old = [("Court hears appeal", "https://wire.example/1", None)];
    let new = [
        (
            "Lawyer speaks after verdict",
            "https://wire.example/2",
            None,
        ),
        ("Verdict upheld", "https://wire.example/3", None),
        old[0],
    ];
    let r = check_twice(&project, &server, "/feed.xml", feed(&old), feed(&new)).await;
    let html = presswatch::notify::render::html(&r.alerts[0], &Default::default());
    let feed_url = server.url("/feed.xml");
    assert!(
        html.contains(&format!(
            "<a href=\"{feed_url}\" style=\"color:#1a4b8c;\">Open the watched page</a>"
        )),
        "{html}"
    );
    assert!(!html.contains("Open the article"), "{html}");
}

#[tokio::test(flavor = "multi_thread")]
async fn an_item_whose_guid_is_its_permalink_is_alerted_with_that_link() {
    let server = Server::start().await;
    let project = feed_watch(&server, "/feed.xml", "", "", "");
    // RSS 2.0 items with no <link>: the GUID is the permalink.
    let feed = |items: &[(&str, &str)]| {
        let mut s = String::from(
            "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>Wire</title>",
        );
        for (title, guid) in items {
            s.push_str(&format!(
                "<item><title>{title}</title><guid>{guid}</guid></item>"
            ));
        }
        served(
            "application/rss+xml",
            format!("{s}</channel></rss>").into_bytes(),
        )
    };
    let old = ("Court hears appeal", "https://wire.example/2024/05/appeal");
    let new = ("Verdict upheld", "https://wire.example/2024/05/verdict");
    let r = check_twice(
        &project,
        &server,
        "/feed.xml",
        feed(&[old]),
        feed(&[new, old]),
    )
    .await;
    let [alert] = r.alerts.as_slice() else {
        panic!("one alert: {:?}", r.alerts)
    };
    assert_eq!(alert.items[0].url, new.1);
    let text = presswatch::notify::render::text(alert, &Default::default());
    assert!(
        text.contains(&format!("Verdict upheld\n\n{}\n", new.1)),
        "{text}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_full_text_feed_alerts_a_new_item_whose_text_mentions_a_keyword() {
    let server = Server::start().await;
    let project = feed_watch(&server, "/feed.json", "", "keywords = [\"Evin\"]", "");
    // A JSON Feed: one item titled, with its text; one note with no title.
    let feed = |items: &[&str]| {
        let body = format!(
            "{{\"version\":\"https://jsonfeed.org/version/1.1\",\"title\":\"Wire\",\"items\":[{}]}}",
            items.join(",")
        );
        served("application/feed+json", body.into_bytes())
    };
    let old = r#"{"id":"1","url":"https://wire.example/1","title":"Court hears appeal","content_text":"The court sat on Monday."}"#;
    let moved = r#"{"id":"2","url":"https://wire.example/2","title":"Prisoners moved after fire","content_html":"<p>Dozens of prisoners were moved out of <b>Evin</b> on Tuesday.</p>"}"#;
    let note = r#"{"id":"3","url":"https://wire.example/3","content_html":"<p>Families gathered outside Evin prison tonight.</p>"}"#;
    let weather = r#"{"id":"4","url":"https://wire.example/4","title":"Rain in the north","content_text":"Heavy rain is expected."}"#;
    let r = check_twice(
        &project,
        &server,
        "/feed.json",
        feed(&[old]),
        feed(&[moved, note, weather, old]),
    )
    .await;
    assert_eq!(
        new_titles(&r),
        [
            "Prisoners moved after fire",
            "Families gathered outside Evin prison tonight."
        ],
        "{}",
        r.detail
    );
    let teasers: Vec<_> = r.alerts[0]
        .items
        .iter()
        .map(|i| i.snippet.clone())
        .collect();
    assert_eq!(
        teasers,
        [
            Some("Dozens of prisoners were moved out of Evin on Tuesday.".to_string()),
            Some("Families gathered outside Evin prison tonight.".to_string())
        ]
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_feed_with_a_bare_ampersand_is_read_and_its_new_items_alerted() {
    let server = Server::start().await;
    let project = feed_watch(&server, "/feed.xml", "", "", "");
    let xml = "<?xml version=\"1.0\" encoding=\"utf-8\"?>";
    let feed = |items: &[(&str, &str, Option<&str>)]| {
        served("application/rss+xml", rss(xml, items).into_bytes())
    };
    let old = (
        "Court hears appeal",
        "https://wire.example/1?id=1&lang=en",
        None,
    );
    // Written by a template that escapes nothing: XML refuses the bare `&`s.
    let new = (
        "Q&A: what the verdict means for AT&T",
        "https://wire.example/2?id=2&lang=en",
        None,
    );
    let r = check_twice(
        &project,
        &server,
        "/feed.xml",
        feed(&[old]),
        feed(&[new, old]),
    )
    .await;
    assert_eq!(new_titles(&r), [new.0], "{}", r.detail);
    assert_eq!(r.alerts[0].items[0].url, new.1);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_whole_feed_with_junk_after_its_end_is_read_and_its_new_items_alerted() {
    let server = Server::start().await;
    let project = feed_watch(&server, "/feed.json", "", "", "");
    // A JSON Feed whose script warns after writing it, or an ad server
    // appends its comment.
    let feed = |items: &[(&str, &str)], junk: &str| {
        let items: Vec<String> = items
            .iter()
            .map(|(title, url)| format!(r#"{{"id":"{url}","url":"{url}","title":"{title}"}}"#))
            .collect();
        let json = format!(
            r#"{{"version":"https://jsonfeed.org/version/1.1","title":"Wire","items":[{}]}}"#,
            items.join(",")
        );
        served(
            "application/feed+json",
            format!("{json}{junk}").into_bytes(),
        )
    };
    let php = "\n<br />\n<b>Warning</b>:  Cannot modify header information - headers already sent in <b>/var/www/feed.php</b> on line <b>12</b><br />\n";
    let old = ("Court hears appeal", "https://wire.example/1");
    let new = ("Lawyer speaks after verdict", "https://wire.example/2");
    let r = check_twice(
        &project,
        &server,
        "/feed.json",
        feed(&[old], php),
        feed(&[new, old], "\n<!-- served by ad node 7 in 0.012s -->\n"),
    )
    .await;
    assert_eq!(new_titles(&r), [new.0], "{}", r.detail);
    assert!(
        r.alerts.iter().all(|a| a.kind != ChangeKind::Error),
        "{:?}",
        r.alerts
    );
    // Cut off, it is still called so.
    let whole = r#"{"version":"https://jsonfeed.org/version/1.1","title":"Wire","items":[{"id":"3","url":"https://wire.example/3","title":"Third"#;
    server.set("/feed.json", served("application/feed+json", whole.into()));
    let r = check_first(&project).await;
    let error = format!("{:?}: {}", r.outcome, r.detail);
    assert!(
        error.contains("the feed is cut off: it ends after 125 bytes, before its JSON closes"),
        "{error}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_chat_alert_of_a_new_item_links_its_article_not_the_feed() {
    let server = Server::start().await;
    let project = feed_watch(
        &server,
        "/feed.xml",
        "",
        "",
        &format!(
            "[[channel]]\nname = \"chat\"\ntype = \"webhook\"\nformat = \"slack\"\nurl = \"{}\"\n",
            server.url("/hook")
        ),
    );
    let xml = "<?xml version=\"1.0\" encoding=\"utf-8\"?>";
    let feed = |items: &[(&str, &str, Option<&str>)]| {
        served("application/rss+xml", rss(xml, items).into_bytes())
    };
    let config = project.config_arg();
    let args = ["check", "--config", config.as_str()];
    let check = || run(&args, &[]);
    let old = ("Court hears appeal", "https://wire.example/1", None);
    let verdict = ("Verdict upheld", "https://wire.example/2", None);
    server.set("/feed.xml", feed(&[old]));
    check().await;
    server.set("/feed.xml", feed(&[verdict, old]));
    check().await;
    // Two more: the link is the feed, the page watched.
    let more = [
        ("Lawyer speaks", "https://wire.example/3", None),
        ("Appeal filed", "https://wire.example/4", None),
    ];
    server.set("/feed.xml", feed(&[more[0], more[1], verdict, old]));
    check().await;
    let texts: Vec<String> = server
        .requests_to("/hook")
        .iter()
        .map(|r| {
            serde_json::from_slice::<serde_json::Value>(&r.body).unwrap()["text"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    assert_eq!(texts.len(), 2, "{texts:?}");
    assert!(
        texts[0].contains("\n<https://wire.example/2|Open the article>\n"),
        "{}",
        texts[0]
    );
    let feed_link = format!("\n<{}|Open the watched page>\n", server.url("/feed.xml"));
    assert!(texts[1].contains(&feed_link), "{}", texts[1]);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_keyword_filtered_alert_says_which_keywords_its_new_items_mention() {
    let server = Server::start().await;
    let project = feed_watch(
        &server,
        "/feed.xml",
        "",
        "keywords = [\"Rasoulof\", \"Evin\", \"رسول‌اف\"]",
        &format!(
            "[[channel]]\nname = \"hook\"\ntype = \"webhook\"\nurl = \"{}\"\n",
            server.url("/hook")
        ),
    );
    let config = project.config_arg();
    let args = ["check", "--config", config.as_str()];
    let xml = "<?xml version=\"1.0\" encoding=\"utf-8\"?>";
    let feed = |items: &[(&str, &str, Option<&str>)]| {
        served("application/rss+xml", rss(xml, items).into_bytes())
    };
    let old = ("Court hears appeal", "https://wire.example/1", None);
    server.set("/feed.xml", feed(&[old]));
    run(&args, &[]).await;
    let new = [
        ("Families wait outside EVIN", "https://wire.example/2", None),
        ("فیلم تازه رسول اف در کن", "https://wire.example/3", None),
        ("Rain in the north", "https://wire.example/4", None),
    ];
    server.set("/feed.xml", feed(&[new[0], new[1], new[2], old]));
    run(&args, &[]).await;
    let [hook] = server.requests_to("/hook").try_into().expect("one webhook");
    let alert: presswatch::alert::Alert = serde_json::from_slice(&hook.body).unwrap();
    assert_eq!(alert.items_total, 2);
    assert_eq!(alert.keywords, ["Evin", "رسول‌اف"]);
    let text = presswatch::notify::render::text(&alert, &Default::default());
    assert!(
        text.contains("\nMentions: Evin, \u{2067}رسول‌اف\u{2069}\n"),
        "{text}"
    );
    let html = presswatch::notify::render::html(&alert, &Default::default());
    assert!(
        html.contains("mentions <b>Evin</b>, <b lang=\"fa\" dir=\"rtl\">رسول‌اف</b>"),
        "{html}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_feed_giving_every_item_the_same_guid_still_alerts_its_new_items() {
    let server = Server::start().await;
    let project = feed_watch(&server, "/feed.xml", "", "", "");
    let xml = "<?xml version=\"1.0\" encoding=\"utf-8\"?>";
    let feed = |items: &[(&str, &str, Option<&str>)]| {
        served("application/rss+xml", rss(xml, items).into_bytes())
    };
    // A template writes the site's address as every item's GUID.
    let site = Some("https://wire.example/");
    let before = [
        ("Court hears appeal", "https://wire.example/1", site),
        ("Rights groups respond", "https://wire.example/2", site),
    ];
    let after = [
        ("Verdict upheld", "https://wire.example/3", site),
        before[0],
        before[1],
    ];
    let r = check_twice(&project, &server, "/feed.xml", feed(&before), feed(&after)).await;
    assert_eq!(new_titles(&r), ["Verdict upheld"], "{}", r.detail);
    let r = check_first(&project).await;
    assert_eq!(r.outcome, Outcome::Unchanged, "{}", r.detail);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_windows_1256_feed_served_with_the_servers_default_iso_8859_1_is_read_as_windows_1256() {
    let server = Server::start().await;
    let project = feed_watch(&server, "/ar.xml", "", "", "");
    let prolog = "<?xml version=\"1.0\" encoding=\"windows-1256\"?>";
    let feed = |items: &[(&str, &str, Option<&str>)]| {
        let bytes = encoding_rs::WINDOWS_1256
            .encode(&rss(prolog, items))
            .0
            .into_owned();
        served("application/rss+xml; charset=ISO-8859-1", bytes)
    };
    let old = (
        "\u{0627}\u{0644}\u{0645}\u{062D}\u{0643}\u{0645}\u{0629} \u{062A}\u{0646}\u{0638}\u{0631}",
        "https://wire.example/1",
        None,
    );
    let new_title = "\u{0646}\u{0642}\u{0644} \u{0633}\u{062C}\u{0646}\u{0627}\u{0621} \u{0645}\u{0646} \u{0633}\u{062C}\u{0646} \u{0625}\u{064A}\u{0641}\u{064A}\u{0646}";
    let new = (new_title, "https://wire.example/2", None);
    let r = check_twice(
        &project,
        &server,
        "/ar.xml",
        feed(&[old]),
        feed(&[new, old]),
    )
    .await;
    assert_eq!(new_titles(&r), [new_title], "{}", r.detail);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_ticker_feed_whose_items_have_neither_link_nor_guid_alerts_its_new_lines() {
    let server = Server::start().await;
    let project = feed_watch(&server, "/ticker.xml", "", "", "");
    let ticker = |lines: &[&str]| {
        let items: String = lines
            .iter()
            .map(|l| format!("<item><title>{l}</title></item>"))
            .collect();
        served(
            "application/rss+xml",
            format!("<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>Ticker</title>{items}</channel></rss>").into_bytes(),
        )
    };
    let r = check_twice(
        &project,
        &server,
        "/ticker.xml",
        ticker(&["Court hears appeal"]),
        ticker(&["Verdict upheld", "Court hears appeal"]),
    )
    .await;
    assert_eq!(new_titles(&r), ["Verdict upheld"], "{}", r.detail);
    // With no link of its own, the line is read where it was found.
    let text = presswatch::notify::render::text(&r.alerts[0], &Default::default());
    let feed = server.url("/ticker.xml");
    assert!(
        text.contains("Verdict upheld\n\nDetected ")
            && text.contains(&format!("found on {feed}\n")),
        "{text}"
    );
    let html = presswatch::notify::render::html(&r.alerts[0], &Default::default());
    assert!(
        html.contains(&format!(
            "<a href=\"{feed}\" style=\"color:#1a4b8c;\">Open the watched page</a>"
        )),
        "{html}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_bot_check_served_with_an_etag_keeps_failing_until_the_feed_returns_and_its_new_items_alert(
) {
    let server = Server::start().await;
    let project = feed_watch(&server, "/feed.xml", "failure_threshold = 3\n", "", "");
    let xml = "<?xml version=\"1.0\" encoding=\"utf-8\"?>";
    let old = [("Court hears appeal", "https://wire.example/1", Some("g1"))];
    let feed = served("application/rss+xml", rss(xml, &old).into_bytes()).header("ETag", "\"v1\"");
    // A cookie wall or bot check, served with an ETag of its own: the
    // server answers 304 to a request that names it.
    let bot_check = served(
        "text/html; charset=UTF-8",
        b"<!DOCTYPE html><html><head><title>Just a moment...</title></head><body><h1>Checking your browser before accessing the site</h1></body></html>".to_vec(),
    )
    .header("ETag", "\"wall\"");
    server.set("/feed.xml", feed);
    let r = check_first(&project).await;
    assert!(matches!(r.outcome, Outcome::ItemsRecorded(1)), "{r:?}");
    server.set("/feed.xml", bot_check);
    let state = presswatch::store::State::open(&project.path("state")).unwrap();
    for n in 1..=3u32 {
        let r = check_first(&project).await;
        assert!(
            matches!(r.outcome, Outcome::Error(_)),
            "check {n} of the bot check: {:?} {}",
            r.outcome,
            r.detail
        );
        assert_eq!(state.watch("wire").unwrap().failures, n);
        let errors: Vec<_> = r
            .alerts
            .iter()
            .filter(|a| a.kind == ChangeKind::Error)
            .collect();
        assert_eq!(
            errors.len(),
            usize::from(n == 3),
            "check {n}: {:?}",
            r.alerts
        );
    }
    assert!(
        server.requests_to("/feed.xml").iter().all(|q| q
            .headers
            .get("if-none-match")
            .map(String::as_str)
            != Some("\"wall\"")),
        "a failed check's ETag was sent back"
    );
    // The feed comes back with a story listed meanwhile.
    let new = [
        ("Verdict upheld", "https://wire.example/2", Some("g2")),
        old[0],
    ];
    server.set(
        "/feed.xml",
        served("application/rss+xml", rss(xml, &new).into_bytes()).header("ETag", "\"v2\""),
    );
    let r = check_first(&project).await;
    assert_eq!(new_titles(&r), ["Verdict upheld"], "{:?}", r.alerts);
    assert!(r.alerts.iter().any(|a| a.kind == ChangeKind::Recovered));
    assert_eq!(state.watch("wire").unwrap().failures, 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_feed_back_unchanged_after_failing_says_only_that_it_recovered() {
    let server = Server::start().await;
    let project = feed_watch(&server, "/feed.xml", "failure_threshold = 2\n", "", "");
    let xml = "<?xml version=\"1.0\" encoding=\"utf-8\"?>";
    let old = [("Court hears appeal", "https://wire.example/1", Some("g1"))];
    let feed = served("application/rss+xml", rss(xml, &old).into_bytes());
    server.set("/feed.xml", feed.clone());
    check_first(&project).await;
    server.set("/feed.xml", Route::status(502));
    check_first(&project).await;
    let r = check_first(&project).await;
    assert!(
        r.alerts.iter().any(|a| a.kind == ChangeKind::Error),
        "{r:?}"
    );
    server.set("/feed.xml", feed);
    let r = check_first(&project).await;
    assert_eq!(
        r.alerts.iter().map(|a| a.kind).collect::<Vec<_>>(),
        [ChangeKind::Recovered]
    );
    // The check's line, with nothing else to say, ends there.
    assert_eq!(r.detail, "recovered after 2 failed checks");
}

/// A follow = true feed watch looking for "Rasoulof", its feed first
/// listing one story, and the feed with a new story at `/story/2` whose
/// title and teaser do not mention the keyword (its article may).
fn followed_feed(server: &Server) -> (Project, Route) {
    let project = feed_watch(
        server,
        "/feed.xml",
        "",
        "keywords = [\"Rasoulof\"]\nfollow = true",
        "",
    );
    let xml = "<?xml version=\"1.0\" encoding=\"utf-8\"?>";
    let (one, two) = (server.url("/story/1"), server.url("/story/2"));
    let old = [("Markets fall on Monday", one.as_str(), Some("g1"))];
    server.set(
        "/feed.xml",
        served("application/rss+xml", rss(xml, &old).into_bytes()),
    );
    let new = [
        ("Director leaves the country", two.as_str(), Some("g2")),
        old[0],
    ];
    (
        project,
        served("application/rss+xml", rss(xml, &new).into_bytes()),
    )
}

#[tokio::test(flavor = "multi_thread")]
async fn with_follow_a_new_item_whose_article_fails_once_is_alerted_when_it_can_be_read_exactly_once(
) {
    let server = Server::start().await;
    let (project, new_feed) = followed_feed(&server);
    let r = check_first(&project).await;
    assert!(matches!(r.outcome, Outcome::ItemsRecorded(1)), "{r:?}");
    server.set("/feed.xml", new_feed);
    // The article's server is overloaded on the first try, then answers.
    let story = article(
        "Director leaves the country",
        "Rasoulof left Iran in secret.",
    );
    server.sequence("/story/2", vec![Route::status(500), Route::html(story)]);
    let r = check_first(&project).await;
    assert!(r.alerts.is_empty(), "{:?}", r.alerts);
    assert!(
        r.detail
            .contains("1 article could not be read, tried again next check"),
        "{}",
        r.detail
    );
    let r = check_first(&project).await;
    assert_eq!(new_titles(&r), ["Director leaves the country"], "{r:?}");
    assert_eq!(r.alerts[0].keywords, ["Rasoulof"]);
    let r = check_first(&project).await;
    assert!(r.alerts.is_empty(), "alerted once: {:?}", r.alerts);
    assert_eq!(
        server.requests_to("/story/2").len(),
        2,
        "read once it could be"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn with_follow_a_new_item_whose_article_cannot_be_read_is_alerted_unread_after_three_checks()
{
    let server = Server::start().await;
    let (project, new_feed) = followed_feed(&server);
    check_first(&project).await;
    server.set("/feed.xml", new_feed);
    server.set("/story/2", Route::status(429));
    for n in 1..presswatch::check::FOLLOW_TRIES {
        let r = check_first(&project).await;
        assert!(r.alerts.is_empty(), "try {n}: {:?}", r.alerts);
    }
    let r = check_first(&project).await;
    assert_eq!(new_titles(&r), ["Director leaves the country"], "{r:?}");
    let alert = &r.alerts[0];
    assert!(alert.keywords.is_empty(), "{:?}", alert.keywords);
    let text = presswatch::notify::render::text(alert, &Default::default());
    let words = as_read(&text);
    assert!(
        words.contains("Its article could not be read on 3 checks (server answered HTTP 429): alerted in case it mentions a keyword."),
        "{text}"
    );
    let r = check_first(&project).await;
    assert!(r.alerts.is_empty(), "alerted once: {:?}", r.alerts);
    assert_eq!(server.requests_to("/story/2").len(), 3);
}

/// The retitles the report's alerts name, as (old title, new title).
fn retitles(r: &Report) -> Vec<(String, String)> {
    r.alerts
        .iter()
        .filter(|a| a.kind == ChangeKind::Retitled)
        .flat_map(|a| {
            a.retitled
                .iter()
                .map(|t| (t.old_title.clone(), t.new_title.clone()))
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_story_retitled_under_its_guid_is_alerted_once_to_the_channel_that_takes_retitles() {
    let server = Server::start().await;
    let channels = "[[channel]]\nname = \"desk\"\ntype = \"webhook\"\nurl = \"https://hooks.example.org/desk\"\nkinds = [\"retitled\"]\n\n\
                    [[channel]]\nname = \"news\"\ntype = \"webhook\"\nurl = \"https://hooks.example.org/news\"\nkinds = [\"new_items\"]\n";
    let project = feed_watch(&server, "/feed.xml", "", "", channels);
    let xml = "<?xml version=\"1.0\" encoding=\"utf-8\"?>";
    let feed = |title: &str| {
        let items = [
            (title, "https://wire.example/rasoulof", Some("urn:wire:7")),
            (
                "Court hears appeal",
                "https://wire.example/appeal",
                Some("urn:wire:6"),
            ),
        ];
        served("application/rss+xml", rss(xml, &items).into_bytes())
    };
    let (first, second) = (
        "Director flees Iran after sentence",
        "Director escapes Iran on foot after eight-year sentence",
    );
    let r = check_twice(&project, &server, "/feed.xml", feed(first), feed(second)).await;
    assert_eq!(
        retitles(&r),
        [(first.to_string(), second.to_string())],
        "{}",
        r.detail
    );
    assert_eq!(r.outcome, Outcome::Changed(ChangeKind::Retitled));
    let alert = &r.alerts[0];
    let subject = alert.subject();
    assert!(
        subject.starts_with("Retitled · ") && subject.contains("Director escapes Iran"),
        "{subject}"
    );
    // Routed to the channel that takes retitles, not to the one for new items.
    let config = project.load();
    assert_eq!(
        presswatch::notify::route(&config, &config.watches[0], alert),
        ["desk"]
    );
    // The email shows the headline's words that changed; the webhook
    // carries both titles and the diff.
    let text = presswatch::notify::render::text(alert, &Default::default());
    assert!(text.contains("[-flees-] {+escapes+}"), "{text}");
    assert!(text.contains("{+on foot+}"), "{text}");
    let html = presswatch::notify::render::html(alert, &Default::default());
    assert!(html.contains("flees</del>"), "{html}");
    assert!(html.contains("escapes</ins>"), "{html}");
    assert!(
        html.contains("href=\"https://wire.example/rasoulof\""),
        "{html}"
    );
    let json = serde_json::to_value(alert).unwrap();
    assert_eq!(json["kind"], "retitled");
    assert_eq!(json["retitled"][0]["old_title"], first);
    assert_eq!(json["retitled"][0]["new_title"], second);
    assert_eq!(json["retitled"][0]["url"], "https://wire.example/rasoulof");

    // Unchanged next time: quiet.
    let r = check_first(&project).await;
    assert!(r.alerts.is_empty(), "{:?}: {}", r.outcome, r.detail);
    // Back to the first headline: a retitle of its own.
    server.set("/feed.xml", feed(first));
    let r = check_first(&project).await;
    assert_eq!(
        retitles(&r),
        [(second.to_string(), first.to_string())],
        "{}",
        r.detail
    );
    // An outlet testing the two headlines: each was alerted once, no more.
    for title in [second, first, second] {
        server.set("/feed.xml", feed(title));
        let r = check_first(&project).await;
        assert!(r.alerts.is_empty(), "{title}: {}", r.detail);
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_persian_title_retitled_is_alerted_and_titles_only_spelled_otherwise_are_not() {
    let server = Server::start().await;
    let project = feed_watch(&server, "/fa.xml", "", "", "");
    let xml = "<?xml version=\"1.0\" encoding=\"utf-8\"?>";
    let feed = |titles: [&str; 3]| {
        let items = [
            (titles[0], "https://wire.example/fa/1", Some("fa-1")),
            (titles[1], "https://wire.example/fa/2", Some("fa-2")),
            (titles[2], "https://wire.example/en/3", Some("en-3")),
        ];
        served("application/rss+xml", rss(xml, &items).into_bytes())
    };
    let before = [
        "رسول‌اف از ایران گریخت",
        "رئیس دادگاه انقلاب حکم را تأیید کرد",
        "Minister's reply to Q&amp;A on Evin",
    ];
    let after = [
        // A new headline.
        "محمد رسول‌اف پس از حکم زندان پیاده از ایران گریخت",
        // Arabic yeh and kaf, the hamza written apart: the same title to
        // a reader.
        "ر\u{064A}\u{0654}\u{064A}س دادگاه انقلاب حك\u{0645} را تأ\u{064A}\u{064A}د كرد",
        // Case, a typographic apostrophe and an entity.
        "MINISTER&#8217;S REPLY TO Q&amp;A ON EVIN",
    ];
    let r = check_twice(&project, &server, "/fa.xml", feed(before), feed(after)).await;
    assert_eq!(
        retitles(&r),
        [(before[0].to_string(), after[0].to_string())],
        "{}",
        r.detail
    );
    let text = presswatch::notify::render::text(&r.alerts[0], &Default::default());
    assert!(text.contains("{+محمد+}"), "{text}");
    // The next check, with the variants still served, is quiet.
    let r = check_first(&project).await;
    assert!(r.alerts.is_empty(), "{}", r.detail);
    // A ZWNJ typed as a space, left out, or written as a character
    // reference is the same title too.
    for first in [
        "محمد رسول اف پس از حکم زندان پیاده از ایران گریخت",
        "محمد رسولاف پس از حکم زندان پیاده از ایران گریخت",
        "محمد رسول&#8204;اف پس از حکم زندان پیاده از ایران گریخت",
    ] {
        server.set("/fa.xml", feed([first, after[1], after[2]]));
        let r = check_first(&project).await;
        assert!(r.alerts.is_empty(), "{first}: {}", r.detail);
    }
}

/// A wire's feed of two stories keyed by GUID, each with its teaser: the
/// `<title>` of each as written (`None`: the item has no `<title>`), as a
/// wire publishes a story before its headline is written.
fn wire_feed(titles: [Option<&str>; 2]) -> Route {
    let stories = [
        (
            "urn:wire:9",
            "https://wire.example/evin",
            "Dozens of political prisoners were moved from Evin prison to Ghezel Hesar on Tuesday night, their families said.",
        ),
        (
            "urn:wire:10",
            "https://wire.example/rivers",
            "Rivers rose across Khuzestan for a third day as the rain continued, and schools in Ahvaz closed.",
        ),
    ];
    let mut xml = String::from(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?><rss version=\"2.0\"><channel><title>Wire</title><link>https://wire.example/</link><description>d</description>",
    );
    for ((guid, link, teaser), title) in stories.iter().zip(titles) {
        xml.push_str("<item>");
        if let Some(t) = title {
            xml.push_str(&format!("<title>{t}</title>"));
        }
        xml.push_str(&format!(
            "<link>{link}</link><guid isPermaLink=\"false\">{guid}</guid><description>{teaser}</description></item>"
        ));
    }
    xml.push_str("</channel></rss>");
    served("application/rss+xml", xml.into_bytes())
}

#[tokio::test(flavor = "multi_thread")]
async fn a_story_given_its_first_headline_or_losing_it_is_no_retitle_but_a_later_new_headline_is_on_either_backend(
) {
    let server = Server::start().await;
    let backends = state_backends();
    let env = [(crate::pg::PASSWORD_ENV, crate::pg::PASSWORD)];
    let (evin, rivers) = (
        "Prisoners moved from Evin to Ghezel Hesar",
        "Rivers rise in Khuzestan as the rain continues",
    );
    let new_evin = "Political prisoners moved from Evin overnight, families say";
    for (backend, state) in backends {
        let path = format!("/{backend}/feed.xml");
        let project = feed_watch(&server, &path, &state, "", "");
        let check = || async {
            let config = project.config_arg();
            let out = run(
                &["check", "--config", config.as_str(), "--watch", "wire"],
                &env,
            )
            .await;
            let text = format!(
                "{}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
            assert_eq!(out.status.code(), Some(0), "{backend}: {text}");
            text
        };
        // Published before their headlines: one with no <title>, one with
        // an empty one. presswatch names them by their teasers.
        server.set(&path, wire_feed([None, Some("")]));
        let out = check().await;
        assert!(out.contains("2 items recorded"), "{backend}: {out}");
        // Their first headlines, then the headlines taken out and put back:
        // no stealth retitle, no alert.
        for (step, titles, said) in [
            (
                "titled",
                [Some(evin), Some(rivers)],
                "2 items given a first headline, not alerted",
            ),
            ("untitled again", [None, Some("")], "1 unchanged"),
            ("titled again", [Some(evin), Some(rivers)], "1 unchanged"),
        ] {
            server.set(&path, wire_feed(titles));
            let out = check().await;
            assert!(
                out.contains(said) && out.contains("0 alerts") && !out.contains("Retitled"),
                "{backend}, {step}: {out}"
            );
            // Nor a version: the history does not churn.
            let config = project.config_arg();
            let versions = version_lines(&config).await;
            assert_eq!(versions.len(), 1, "{backend}, {step}: {versions:?}");
        }
        // A headline changed into another: the retitle is news.
        server.set(&path, wire_feed([Some(new_evin), Some(rivers)]));
        let out = check().await;
        assert!(
            out.contains(&format!("Retitled from \u{201C}{evin}\u{201D}")),
            "{backend}: {out}"
        );
        assert!(out.contains("1 alert"), "{backend}: {out}");
        let versions = version_lines(&project.config_arg()).await;
        assert_eq!(versions.len(), 2, "{backend}: {versions:?}");
        // The version before holds the stories as first recorded (named
        // by their teasers): their first headlines made none.
        assert!(
            versions[1].contains("2 items retitled: \u{201C}Dozens of political prisoners")
                && versions[1].contains(&format!("→ \u{201C}{new_evin}\u{201D}")),
            "{backend}: {versions:?}"
        );
    }
}

/// The backends a storage test runs on: SQLite, and PostgreSQL when it
/// runs here, each as the `[daemon]` keys that select it.
fn state_backends() -> Vec<(&'static str, String)> {
    crate::support::backends()
        .into_iter()
        .map(|b| (b.name, b.state_lines()))
        .collect()
}

/// Runs a presswatch command with the test cluster's password: its output
/// (stdout then stderr) and exit code.
async fn presswatch(args: &[&str]) -> (String, Option<i32>) {
    let out = run(args, &[(crate::pg::PASSWORD_ENV, crate::pg::PASSWORD)]).await;
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (text, out.status.code())
}

/// The history table of watch `wire`: its version lines (events aside).
async fn version_lines(config: &str) -> Vec<String> {
    let (out, code) = presswatch(&["history", "--config", config, "wire"]).await;
    assert_eq!(code, Some(0), "{out}");
    out.lines()
        .filter(|l| l.trim_start().starts_with(|c: char| c.is_ascii_digit()))
        .map(str::to_string)
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_retitle_alerted_on_a_feed_is_a_version_of_its_history_with_both_headlines_on_either_backend(
) {
    let server = Server::start().await;
    let (first, second) = (
        "Director flees Iran after sentence",
        "Director escapes Iran on foot after eight-year sentence",
    );
    let feed = |title: &str| {
        let items = [
            (title, "https://wire.example/rasoulof", Some("urn:wire:7")),
            (
                "Court hears appeal in Tehran",
                "https://wire.example/appeal",
                Some("urn:wire:6"),
            ),
        ];
        served(
            "application/rss+xml",
            rss("<?xml version=\"1.0\" encoding=\"utf-8\"?>", &items).into_bytes(),
        )
    };
    for (backend, state) in state_backends() {
        let path = format!("/{backend}/retitled.xml");
        let hook = format!("/{backend}/hook");
        let project = feed_watch(
            &server,
            &path,
            &format!("{state}report_url = \"https://evidence.example/pw/\"\n"),
            "",
            &format!(
                "[[channel]]\nname = \"desk\"\ntype = \"webhook\"\nurl = \"{}\"\n",
                server.url(&hook)
            ),
        );
        let config = project.config_arg();
        let check = |title: &'static str| {
            let (server, path, config) = (&server, &path, &config);
            async move {
                server.set(path, feed(title));
                let (out, code) =
                    presswatch(&["check", "--config", config, "--watch", "wire"]).await;
                assert_eq!(code, Some(0), "{backend}: {out}");
                out
            }
        };
        check(first).await;
        // The headline spelled otherwise only: no retitle, no version.
        check("Director Flees Iran, After Sentence").await;
        assert_eq!(version_lines(&config).await.len(), 1, "{backend}");

        let out = check(second).await;
        assert!(out.contains("Retitled from"), "{backend}: {out}");
        // A version of its own, holding the new headline; the one before
        // holds the old one.
        let lines = version_lines(&config).await;
        assert_eq!(lines.len(), 2, "{backend}: {lines:?}");
        assert!(
            lines[1].contains(&format!(
                "1 item retitled: \u{201C}{first}\u{201D} → \u{201C}{second}\u{201D}"
            )),
            "{backend}: {lines:?}"
        );
        let show = |v: &'static str| {
            let config = &config;
            async move {
                let (out, code) =
                    presswatch(&["history", "--config", config, "wire", "--show", v]).await;
                assert_eq!(code, Some(0), "{backend}: {out}");
                out
            }
        };
        let (v1, v2) = (show("1").await, show("2").await);
        assert!(
            v1.contains(first) && !v1.contains(second),
            "{backend}: {v1}"
        );
        assert!(
            v2.contains(second) && !v2.contains(first),
            "{backend}: {v2}"
        );
        let (diff, code) = presswatch(&["diff", "--config", &config, "--watch", "wire"]).await;
        assert_eq!(code, Some(1), "{backend}: the versions differ: {diff}");
        assert!(
            diff.contains(&format!("1 item retitled:\n* {first}\n  → {second}\n")),
            "{backend}: {diff}"
        );
        // The alert's evidence is that version.
        let alerts: Vec<serde_json::Value> = server
            .requests_to(&hook)
            .iter()
            .map(|r| serde_json::from_slice(&r.body).unwrap())
            .collect();
        let retitled = alerts.iter().find(|a| a["kind"] == "retitled").unwrap();
        assert_eq!(retitled["evidence"]["version"], 2, "{backend}: {retitled}");
        assert_eq!(
            retitled["evidence"]["report"], "https://evidence.example/pw/wire/v2.html",
            "{backend}: {retitled}"
        );

        // Back to the first headline: news again, a version again; then the
        // outlet testing the two: no news, no version.
        check(first).await;
        check(second).await;
        check(first).await;
        let lines = version_lines(&config).await;
        assert_eq!(lines.len(), 3, "{backend}: {lines:?}");
        assert!(
            lines[2].contains(&format!(
                "1 item retitled: \u{201C}{second}\u{201D} → \u{201C}{first}\u{201D}"
            )),
            "{backend}: {lines:?}"
        );
        let (out, code) = presswatch(&["verify", "--config", &config]).await;
        assert_eq!(code, Some(0), "{backend}: {out}");

        // The evidence viewer: the retitle on the timeline, and its
        // version's page marking the old and the new headline's words.
        let report = project.path("report");
        let (out, code) = presswatch(&[
            "report",
            "--config",
            &config,
            "--out",
            report.to_str().unwrap(),
        ])
        .await;
        assert_eq!(code, Some(0), "{backend}: {out}");
        let timeline = std::fs::read_to_string(report.join("wire/index.html")).unwrap();
        assert!(
            timeline.contains("<a href=\"v2.html\">Version 2</a>")
                && timeline.contains(&format!("Retitled: Retitled from \u{201C}{first}\u{201D}")),
            "{backend}: {timeline}"
        );
        let v2 = std::fs::read_to_string(report.join("wire/v2.html")).unwrap();
        assert!(
            v2.contains("flees</del>") && v2.contains("escapes</ins>"),
            "{backend}: {v2}"
        );
        crate::support::assert_local_links_resolve(&report);
        // The WARC export: each version's response, the retitle's with the
        // new headline.
        let warc = project.path("wire.warc.gz");
        let (out, code) = presswatch(&[
            "export",
            "--config",
            &config,
            "--warc",
            warc.to_str().unwrap(),
        ])
        .await;
        assert_eq!(code, Some(0), "{backend}: {out}");
        assert!(out.contains("(2 responses, 1 revisit,"), "{backend}: {out}");
        let mut records = String::new();
        std::io::Read::read_to_string(
            &mut flate2::read::MultiGzDecoder::new(std::fs::File::open(&warc).unwrap()),
            &mut records,
        )
        .unwrap();
        let version_2 = records
            .split("WARC/1.1\r\n")
            .find(|r| r.contains("presswatch-version: 2\r\n"))
            .unwrap_or_else(|| panic!("{backend}: no metadata record of version 2: {records}"));
        assert!(
            version_2.contains("presswatch-watch: wire"),
            "{backend}: {version_2}"
        );
        assert!(records.contains(second), "{backend}");
    }
}

/// Makes version `seq` of watch `wire` what a presswatch from before
/// titles were in a listing's hash stored: the same text, with the hash of
/// its item keys alone as its content hash.
fn as_stored_by_an_older_presswatch(
    project: &Project,
    backend: &str,
    state_url: Option<&str>,
    seq: i64,
) {
    let state = match state_url {
        None => presswatch::store::State::open(&project.path("state")).unwrap(),
        Some(url) => presswatch::store::State::open_postgres(
            url,
            Some(crate::pg::PASSWORD),
            std::time::Duration::from_secs(30),
        )
        .unwrap(),
    };
    let body = state.version_body("wire", seq).unwrap().unwrap();
    let items = presswatch::store::items_of_baseline(&body);
    let keys_only = presswatch::store::item_keys_hash(&items);
    assert_ne!(
        keys_only,
        presswatch::store::items_hash(&items),
        "{backend}"
    );
    drop(state);
    let sql =
        format!("UPDATE versions SET sha256 = '{keys_only}' WHERE watch = 'wire' AND seq = {seq};");
    match state_url {
        None => rusqlite::Connection::open(project.path("state/presswatch.db"))
            .unwrap()
            .execute_batch(&sql)
            .unwrap(),
        Some(url) => {
            let cluster = crate::pg::cluster().unwrap();
            cluster.psql(cluster.name_of(url), &sql).unwrap();
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn after_an_upgrade_a_listing_stores_no_version_until_new_items_or_a_retitle_and_its_old_versions_verify_on_either_backend(
) {
    let server = Server::start().await;
    let evin = "Prisoners moved from Evin to Ghezel Hesar";
    let new_evin = "Political prisoners moved from Evin overnight, families say";
    let rivers = "Rivers rise in Khuzestan as the rain continues";
    for (backend, state) in state_backends() {
        let path = format!("/{backend}/upgraded.xml");
        let project = feed_watch(&server, &path, &state, "", "");
        let state_url = state
            .split('"')
            .nth(1)
            .filter(|_| backend == "postgres")
            .map(str::to_string);
        let config = project.config_arg();
        let check = |titles: [Option<&'static str>; 2]| {
            let (server, path, config) = (&server, &path, &config);
            async move {
                server.set(path, wire_feed(titles));
                let (out, code) =
                    presswatch(&["check", "--config", config, "--watch", "wire"]).await;
                assert_eq!(code, Some(0), "{backend}: {out}");
                out
            }
        };
        let verify = || async {
            let (out, code) = presswatch(&["verify", "--config", &config]).await;
            assert_eq!(code, Some(0), "{backend}: {out}");
            assert!(out.contains("version"), "{backend}: {out}");
        };
        // Recorded by an older presswatch: one story still without its
        // headline (named by its teaser).
        check([None, Some(rivers)]).await;
        as_stored_by_an_older_presswatch(&project, backend, state_url.as_deref(), 1);
        verify().await;
        // After the upgrade: the same feed, then the story's first
        // headline. Neither is a version.
        check([None, Some(rivers)]).await;
        let out = check([Some(evin), Some(rivers)]).await;
        assert!(out.contains("given a first headline"), "{backend}: {out}");
        assert_eq!(version_lines(&config).await.len(), 1, "{backend}");
        // A retitle is: the new version beside the old one, both verified.
        let out = check([Some(new_evin), Some(rivers)]).await;
        assert!(out.contains("Retitled from"), "{backend}: {out}");
        let lines = version_lines(&config).await;
        assert_eq!(lines.len(), 2, "{backend}: {lines:?}");
        assert!(
            lines[1].contains(&format!("1 item retitled: \u{201C}Dozens of political prisoners were moved from Evin prison to Ghezel Hesar…\u{201D} → \u{201C}{new_evin}\u{201D}")),
            "{backend}: {lines:?}"
        );
        verify().await;
    }
}

/// Given watches without `outlet` on feeds and an article page that name
/// their publication (an RSS channel's title, an Atom feed's title, a page's
/// `og:site_name`), a feed that names none and a watch that sets `outlet`,
/// the webhook alerts name the outlet as the feed or page names itself, the
/// host only where nothing does, and the configured outlet above all; when
/// the pages then fail, their error alerts name the same outlets.
#[tokio::test(flavor = "multi_thread")]
async fn alerts_name_the_outlet_as_the_feed_or_page_names_itself_unless_the_watch_sets_one() {
    let server = Server::start().await;
    let watch = |name: &str, kind: &str, path: &str, extra: &str| {
        format!(
            "[[watch]]\nname = \"{name}\"\nkind = \"{kind}\"\nurl = \"{}\"\nrobots = false\n{extra}\n",
            server.url(path)
        )
    };
    let config = format!(
        "[daemon]\nper_host_delay = \"0s\"\nfailure_threshold = 1\n[[channel]]\nname = \"hook\"\ntype = \"webhook\"\nurl = \"{}\"\n{}{}{}{}{}",
        server.url("/hook"),
        watch("rss", "feed", "/rss.xml", ""),
        watch("atom", "feed", "/atom.xml", ""),
        watch("untitled", "feed", "/untitled.xml", ""),
        watch("configured", "feed", "/rss.xml", "outlet = \"Zamaneh\""),
        watch("story", "article", "/story", ""),
    );
    let project = Project::new(&config);
    let rss_feed = |channel_title: &str, items: &[(&str, &str, Option<&str>)]| {
        rss("", items).replace(
            "<title>Wire</title>",
            &format!("<title>{channel_title}</title>"),
        )
    };
    let atom = |entries: &[(&str, &str)]| {
        let mut s = String::from("<?xml version=\"1.0\"?><feed xmlns=\"http://www.w3.org/2005/Atom\"><title type=\"html\">Radio Farda &amp;amp; friends</title><id>urn:farda</id><updated>2024-05-13T00:00:00Z</updated>");
        for (title, id) in entries {
            s.push_str(&format!("<entry><title>{title}</title><id>{id}</id><link href=\"https://farda.example/{id}\"/><updated>2024-05-13T09:00:00Z</updated></entry>"));
        }
        s + "</feed>"
    };
    let page = |words: &str| {
        article("Filmmaker flees Iran", words).replace(
            "</head>",
            "<meta property=\"og:site_name\" content=\"IranWire\"></head>",
        )
    };
    let old = ("Court hears appeal", "https://wire.example/1", None);
    let new = ("Verdict upheld", "https://wire.example/2", None);
    let serve = |items: &[(&str, &str, Option<&str>)], entries: &[(&str, &str)], words: &str| {
        let xml = |body: String| served("application/xml", body.into_bytes());
        server.set("/rss.xml", xml(rss_feed("Radio Zamaneh", items)));
        server.set("/untitled.xml", xml(rss_feed("", items)));
        server.set("/atom.xml", xml(atom(entries)));
        server.set("/story", Route::html(page(words)));
    };
    let config_arg = project.config_arg();
    let args = ["check", "--config", config_arg.as_str()];
    let check = || run(&args, &[]);
    serve(&[old], &[("Appeal", "a1")], "Reporters said so.");
    check().await;
    serve(
        &[new, old],
        &[("Verdict", "a2"), ("Appeal", "a1")],
        "Two reporters said so.",
    );
    let out = check().await;
    let outlets = |kind: &str| {
        let mut outlets: Vec<(String, String)> = server
            .requests_to("/hook")
            .iter()
            .map(|r| serde_json::from_slice::<serde_json::Value>(&r.body).unwrap())
            .filter(|alert| alert["kind"] == kind)
            .map(|alert| {
                (
                    alert["watch"].as_str().unwrap().to_string(),
                    alert["outlet"].as_str().unwrap().to_string(),
                )
            })
            .collect();
        outlets.sort();
        outlets
    };
    let expected = [
        ("atom".to_string(), "Radio Farda & friends".to_string()),
        ("configured".into(), "Zamaneh".into()),
        ("rss".into(), "Radio Zamaneh".into()),
        ("story".into(), "IranWire".into()),
        ("untitled".into(), "127.0.0.1".into()),
    ];
    let mut news = [outlets("new_items"), outlets("edited")].concat();
    news.sort();
    assert_eq!(news, expected, "{}", String::from_utf8_lossy(&out.stdout));
    for path in ["/rss.xml", "/atom.xml", "/untitled.xml", "/story"] {
        server.set(path, Route::status(503));
    }
    let out = check().await;
    assert_eq!(
        outlets("error"),
        expected,
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn two_feeds_listing_the_same_stories_each_keep_their_own_links_in_history_diff_and_the_viewer_on_either_backend(
) {
    let server = Server::start().await;
    let stories = [
        ("urn:wire:9", "Prisoners moved from Evin to Ghezel Hesar"),
        (
            "urn:wire:10",
            "Rivers rise in Khuzestan as the rain continues",
        ),
        ("urn:wire:11", "Schools in Ahvaz close for a third day"),
    ];
    // Two outlets syndicate the same wire stories (same GUIDs and
    // headlines), each linking them on its own site.
    let feed = |site: &str, n: usize| {
        let links: Vec<String> = (0..n)
            .map(|i| format!("https://{site}/story/{i}"))
            .collect();
        let items: Vec<(&str, &str, Option<&str>)> = stories[..n]
            .iter()
            .zip(&links)
            .map(|((guid, title), link)| (*title, link.as_str(), Some(*guid)))
            .collect();
        served(
            "application/rss+xml",
            rss("<?xml version=\"1.0\" encoding=\"utf-8\"?>", &items).into_bytes(),
        )
    };
    for (backend, state) in state_backends() {
        let (path_a, path_b) = (format!("/{backend}/a.xml"), format!("/{backend}/b.xml"));
        let config = format!(
            "[daemon]\nper_host_delay = \"0s\"\n{state}\n[[watch]]\nname = \"mirror-a\"\nkind = \"feed\"\nurl = \"{}\"\nrobots = false\n\n[[watch]]\nname = \"mirror-b\"\nkind = \"feed\"\nurl = \"{}\"\nrobots = false\n",
            server.url(&path_a),
            server.url(&path_b)
        );
        let project = Project::new(&config);
        let config = project.config_arg();
        // Two stories, then a third.
        for n in [2, 3] {
            server.set(&path_a, feed("a.example", n));
            server.set(&path_b, feed("b.example", n));
            let (out, code) = presswatch(&["check", "--config", &config]).await;
            assert_eq!(code, Some(0), "{backend}: {out}");
        }
        for v in ["1", "2"] {
            let (shown, code) =
                presswatch(&["history", "--config", &config, "mirror-b", "--show", v]).await;
            assert_eq!(code, Some(0), "{backend}: {shown}");
            assert!(
                shown.contains(&format!("URL: {}\n", server.url(&path_b)))
                    && shown.contains(&format!("{} <https://b.example/story/0>", stories[0].1)),
                "{backend}: version {v} of mirror-b is its own feed: {shown}"
            );
            assert!(
                !shown.contains("a.example") && !shown.contains(&path_a),
                "{backend}: nothing of mirror-a's feed: {shown}"
            );
        }
        let (diff, code) = presswatch(&["diff", "--config", &config, "--watch", "mirror-b"]).await;
        assert_eq!(code, Some(1), "{backend}: the versions differ: {diff}");
        assert!(
            diff.contains(&format!(
                "* {}\n  https://b.example/story/2\n",
                stories[2].1
            )) && !diff.contains("a.example"),
            "{backend}: {diff}"
        );
        let viewer = project.path("viewer");
        let (out, code) = presswatch(&[
            "report",
            "--config",
            &config,
            "--out",
            viewer.to_str().unwrap(),
        ])
        .await;
        assert_eq!(code, Some(0), "{backend}: {out}");
        for v in ["v1", "v2"] {
            let page = std::fs::read_to_string(viewer.join(format!("mirror-b/{v}.html"))).unwrap();
            assert!(
                page.contains(server.url(&path_b).as_str()) && !page.contains("a.example"),
                "{backend}: nothing of mirror-a's feed in {v} of mirror-b: {page}"
            );
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_feed_url_serving_an_image_or_a_pdf_says_what_it_serves_and_to_set_the_feeds_address() {
    let server = Server::start().await;
    let project = feed_watch(&server, "/feed", "", "", "");
    let url = server.url("/feed");
    for (content_type, body, served_what) in [
        (
            "image/png",
            b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR".to_vec(),
            "a PNG image (image/png)",
        ),
        (
            "application/pdf",
            b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj".to_vec(),
            "a PDF document (application/pdf)",
        ),
    ] {
        server.set("/feed", served(content_type, body));
        let r = check_first(&project).await;
        let Outcome::Error(error) = &r.outcome else {
            panic!("an error: {:?}", r.outcome)
        };
        assert!(
            error.starts_with(&format!(
                "{url}: the address serves {served_what}, not a feed: the `url` of watch wire is not the feed's address"
            )),
            "{error}"
        );
        assert!(error.ends_with("set `url` of watch wire to it"), "{error}");
        assert!(!error.contains("parse"), "{error}");
    }
}
/// The titles of the items a `presswatch check` alerts (its output's `* `
/// lines, no channel being set).
fn alerted_titles(out: &str) -> Vec<&str> {
    out.lines().filter_map(|l| l.strip_prefix("* ")).collect()
}
#[tokio::test(flavor = "multi_thread")]
async fn a_feed_that_changes_its_guids_or_adds_tracking_to_its_links_has_only_its_new_stories_new_in_the_alert_and_history_on_either_backend(
) {
    let server = Server::start().await;
    let stories = [
        ("Court hears appeal in Tehran case", "a"),
        ("Rights groups respond to verdict", "b"),
        ("Journalist released on bail today", "c"),
    ];
    // Each story as (title, link, GUID), the new ones first.
    let feed = |new: &[(&str, &str)],
                link: &dyn Fn(&str) -> String,
                guid: &dyn Fn(usize, &str) -> String| {
        let items: Vec<(String, String, String)> = new
            .iter()
            .chain(&stories)
            .enumerate()
            .map(|(n, (title, slug))| (title.to_string(), link(slug), guid(n, slug)))
            .collect();
        let items: Vec<(&str, &str, Option<&str>)> = items
            .iter()
            .map(|(t, l, g)| (t.as_str(), l.as_str(), Some(g.as_str())))
            .collect();
        served(
            "application/rss+xml",
            rss("<?xml version=\"1.0\" encoding=\"utf-8\"?>", &items).into_bytes(),
        )
    };
    let plain = |slug: &str| format!("https://wire.example/{slug}");
    let tracked =
        |slug: &str| format!("https://wire.example/{slug}?utm_source=rss&utm_medium=feed");
    for (backend, state) in state_backends() {
        let path = format!("/{backend}/guids.xml");
        let project = feed_watch(&server, &path, &state, "", "");
        let config = project.config_arg();
        let check = |route: Route| {
            let (server, path, config) = (&server, &path, &config);
            async move {
                server.set(path, route);
                let (out, code) = presswatch(&["check", "--config", config]).await;
                assert_eq!(code, Some(0), "{backend}: {out}");
                out
            }
        };
        // GUIDs that are the stories' links.
        check(feed(&[], &plain, &|_, slug| plain(slug))).await;
        // The CMS now numbers its items; two stories are new.
        let out = check(feed(
            &[
                ("Lawyer speaks after the verdict", "d"),
                ("Family calls for a retrial", "e"),
            ],
            &plain,
            &|n, _| format!("{}", 1000 + n),
        ))
        .await;
        assert_eq!(
            alerted_titles(&out),
            [
                "Lawyer speaks after the verdict",
                "Family calls for a retrial"
            ],
            "{backend}: {out}"
        );
        // Every <link> and <guid> gets a tracking query string; two more new.
        let new = [
            ("Lawyer speaks after the verdict", "d"),
            ("Family calls for a retrial", "e"),
        ];
        let out = check(feed(
            &[
                ("Appeal date set for March", "f"),
                ("Embassy issues statement", "g"),
            ]
            .iter()
            .chain(&new)
            .copied()
            .collect::<Vec<_>>(),
            &tracked,
            &|_, slug| tracked(slug),
        ))
        .await;
        assert_eq!(
            alerted_titles(&out),
            ["Appeal date set for March", "Embassy issues statement"],
            "{backend}: {out}"
        );
        // The history says what the alerts said: two new items each time,
        // none gone.
        let lines = version_lines(&config).await;
        assert_eq!(lines.len(), 3, "{backend}: {lines:?}");
        assert!(
            lines[1].ends_with(
                "2 new items: \u{201C}Lawyer speaks after the verdict\u{201D}; \u{201C}Family calls for a retrial\u{201D}"
            ),
            "{backend}: {lines:?}"
        );
        assert!(
            lines[2]
                .ends_with("2 new items: \u{201C}Appeal date set for March\u{201D}; \u{201C}Embassy issues statement\u{201D}"),
            "{backend}: {lines:?}"
        );
        let (diff, code) = presswatch(&["diff", "--config", &config, "--watch", "wire"]).await;
        assert_eq!(code, Some(1), "{backend}: {diff}");
        assert!(!diff.contains("no longer listed"), "{backend}: {diff}");
    }
}
/// A section page listing `n` stories (headline links) under a lead
/// paragraph, as an article watch and a listing watch both read it.
fn section_page(n: usize) -> Route {
    let lead =
        "The court heard the appeal today in a long session that lasted many hours. ".repeat(5);
    let links: String = (0..n)
        .map(|i| format!("<li><a href=\"/news/story-{i}\">Court hears appeal number {i} in the Tehran case</a></li>"))
        .collect();
    Route::html(format!(
        "<!DOCTYPE html><html><head><title>World</title></head><body><main><h1>World</h1><p>{lead}</p><ul>{links}</ul></main></body></html>"
    ))
}
#[tokio::test(flavor = "multi_thread")]
async fn a_watch_whose_kind_or_page_changes_takes_the_new_page_as_a_baseline_with_no_alert_on_either_backend(
) {
    let server = Server::start().await;
    // A feed of `n` stories, named by `slug`.
    let feed = |slug: &str, n: usize| {
        let items: Vec<(String, String)> = (0..n)
            .map(|i| {
                (
                    format!("{slug}: story number {i} of the wire"),
                    format!("https://wire.example/{slug}/{i}"),
                )
            })
            .collect();
        let items: Vec<(&str, &str, Option<&str>)> = items
            .iter()
            .map(|(t, l)| (t.as_str(), l.as_str(), Some(l.as_str())))
            .collect();
        served(
            "application/rss+xml",
            rss("<?xml version=\"1.0\" encoding=\"utf-8\"?>", &items).into_bytes(),
        )
    };
    for (backend, state) in state_backends() {
        let project = Project::new("");
        let config = project.config_arg();
        let check = |kind: &str, path: &str| {
            let watch = format!(
                "[daemon]\nper_host_delay = \"0s\"\n{state}\n[[watch]]\nname = \"wire\"\nkind = \"{kind}\"\nurl = \"{}\"\nrobots = false\n",
                server.url(&format!("/{backend}{path}"))
            );
            std::fs::write(project.config(), watch).unwrap();
            let config = &config;
            async move {
                // -v: the INFO lines, as the daemon logs them.
                let (out, code) = presswatch(&["-v", "check", "--config", config]).await;
                assert_eq!(code, Some(0), "{backend}: {out}");
                out
            }
        };
        let afresh = |out: &str, why: &str| {
            assert!(
                out.contains(&format!(
                    "watch wire: {why}: this check takes the page as a new baseline, with no alert, as for a new watch"
                )) && out.contains(" INFO "),
                "{backend}: logged at INFO: {out}"
            );
            assert!(
                out.contains(&format!("wire  baseline   {why}; first check: ")),
                "{backend}: the check's line says it: {out}"
            );
            assert!(out.contains("; 0 alerts"), "{backend}: no alert: {out}");
        };
        let section = format!("/{backend}/world");
        server.set(&section, section_page(10));
        check("article", "/world").await;
        // The watch becomes a listing of the same page, which meanwhile
        // lists one more story: no flood of new items.
        server.set(&section, section_page(11));
        let out = check("listing", "/world").await;
        afresh(&out, "its kind changed from article to listing");
        // Then a feed, at the site's feed.
        server.set(&format!("/{backend}/feed.xml"), feed("wire", 5));
        let out = check("feed", "/feed.xml").await;
        afresh(&out, "its kind changed from listing to feed");
        // From then on it is the feed's watch: its next story is news.
        server.set(&format!("/{backend}/feed.xml"), feed("wire", 6));
        let out = check("feed", "/feed.xml").await;
        assert!(
            out.contains("wire  new items  1 new item: wire: story number 5 of the wire\n"),
            "{backend}: {out}"
        );
        // Another feed under the same name: a new baseline again.
        server.set(&format!("/{backend}/other.xml"), feed("other", 5));
        let out = check("feed", "/other.xml").await;
        afresh(
            &out,
            &format!(
                "its url changed from {} to {}, another page",
                server.url(&format!("/{backend}/feed.xml")),
                server.url(&format!("/{backend}/other.xml"))
            ),
        );
        // A feed that moved for good, its new address put in the config as
        // ops are told: the same watch going on, its next story news.
        server.set(
            &format!("/{backend}/other.xml"),
            Route::status(301).header("Location", &server.url(&format!("/{backend}/moved.xml"))),
        );
        server.set(&format!("/{backend}/moved.xml"), feed("other", 5));
        let out = check("feed", "/other.xml").await;
        assert!(out.contains("redirects permanently"), "{backend}: {out}");
        server.set(&format!("/{backend}/moved.xml"), feed("other", 6));
        let out = check("feed", "/moved.xml").await;
        assert!(
            out.contains("wire  new items  1 new item: other: story number 5 of the wire\n"),
            "{backend}: {out}"
        );
        // Back to an article: its text is the baseline, no edit alerted.
        let out = check("article", "/world").await;
        afresh(&out, "its kind changed from feed to article");
        assert!(out.contains("baseline stored"), "{backend}: {out}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_feeds_error_alert_is_titled_by_the_watch_not_by_a_story_it_found_and_threads_apart() {
    use std::sync::{Arc, Mutex};
    let mails = Arc::new(Mutex::new(Vec::<Vec<u8>>::new()));
    let smtp = crate::support::smtp_sink(mails.clone());
    let server = Server::start().await;
    let project = feed_watch(
        &server,
        "/feed.xml",
        "failure_threshold = 1\n",
        "",
        &format!(
            "[[channel]]\nname = \"desk\"\ntype = \"email\"\nsmtp_url = \"smtp://127.0.0.1:{smtp}\"\ntls = \"none\"\nfrom = \"presswatch <alerts@example.org>\"\nto = [\"staff@example.org\"]\n"
        ),
    );
    let config = project.config_arg();
    let old = (
        "Court hears appeal in Tehran",
        "https://wire.example/1",
        Some("g1"),
    );
    let new = ("Rasoulof flees Iran", "https://wire.example/2", Some("g2"));
    let rss_route = |items: &[(&str, &str, Option<&str>)]| {
        served("application/rss+xml", rss("", items).into_bytes())
    };
    let login = served(
        "text/html; charset=utf-8",
        b"<!doctype html><html><head><title>Sign in</title></head><body><form><input type=password></form></body></html>".to_vec(),
    );
    for route in [rss_route(&[old]), rss_route(&[new, old]), login] {
        server.set("/feed.xml", route);
        run(&["check", "--config", &config], &[]).await;
    }

    let mails = mails.lock().unwrap().clone();
    let parsed: Vec<_> = mails
        .iter()
        .map(|m| mail_parser::MessageParser::default().parse(m).unwrap())
        .collect();
    let subjects: Vec<&str> = parsed.iter().map(|m| m.subject().unwrap()).collect();
    assert_eq!(subjects.len(), 2, "{subjects:?}");
    assert!(subjects[0].starts_with("New · Wire: "), "{subjects:?}");
    // The feed cannot be read: the subject names the watch, not the story
    // the last alert found, and the message is no reply to that alert (mail
    // clients would file it under that story).
    assert_eq!(subjects[1], "Cannot check · Wire: wire", "{subjects:?}");
    assert!(
        parsed[1].in_reply_to().is_empty(),
        "{:?}",
        parsed[1].in_reply_to()
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_story_filed_twice_in_one_feed_is_one_new_item_and_a_live_blogs_updates_stay_apart() {
    let server = Server::start().await;
    let project = feed_watch(&server, "/feed.xml", "", "", "");
    let old = (
        "Court hears appeal in Tehran",
        "https://wire.example/1",
        Some("g1"),
    );
    let title = "\u{0631}\u{0633}\u{0648}\u{0644}\u{200C}\u{0627}\u{0641}: \u{0628}\u{0647} \u{0627}\u{06CC}\u{0631}\u{0627}\u{0646} \u{0628}\u{0627}\u{0632}\u{0645}\u{06CC}\u{200C}\u{06AF}\u{0631}\u{062F}\u{0645}";
    let route = |items: &[(&str, &str, Option<&str>)]| {
        served("application/rss+xml", rss("", items).into_bytes())
    };
    // The story under its section's id and under the Telegram channel's,
    // its link with a tracking query; and a live blog's two updates at one
    // address.
    let r = check_twice(
        &project,
        &server,
        "/feed.xml",
        route(&[old]),
        route(&[
            (title, "https://wire.example/9", Some("fa-9")),
            (
                title,
                "https://wire.example/9?utm_source=telegram&amp;utm_medium=social",
                Some("fa-9-tg"),
            ),
            (
                "Live: protests, 10:00",
                "https://wire.example/live",
                Some("l1"),
            ),
            (
                "Live: protests, 11:00",
                "https://wire.example/live",
                Some("l2"),
            ),
            old,
        ]),
    )
    .await;
    assert_eq!(
        new_titles(&r),
        [title, "Live: protests, 10:00", "Live: protests, 11:00"],
        "{}",
        r.detail
    );
    // Both of its ids are known now: neither is new on the next check.
    let r = check_first(&project).await;
    assert!(
        matches!(r.outcome, Outcome::Unchanged),
        "{:?}: {}",
        r.outcome,
        r.detail
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn an_alerts_links_are_clean_of_tracking_parameters_while_the_item_is_recorded_as_served() {
    let server = Server::start().await;
    let project = feed_watch(&server, "/feed.xml", "", "", "");
    let old = (
        "Court hears appeal in Tehran",
        "https://wire.example/1?utm_source=rss",
        Some("g1"),
    );
    let served_link =
        "https://wire.example/news/9?utm_source=rss&amp;id=7&amp;fbclid=IwAR0x&amp;xtor=RSS-3208";
    let r = check_twice(
        &project,
        &server,
        "/feed.xml",
        served("application/rss+xml", rss("", &[old]).into_bytes()),
        served(
            "application/rss+xml",
            rss(
                "",
                &[("Rasoulof leaves Iran on foot", served_link, None), old],
            )
            .into_bytes(),
        ),
    )
    .await;
    assert_eq!(r.alerts.len(), 1, "{}", r.detail);
    let alert = &r.alerts[0];
    // The link staff click and forward is the story's own, its other
    // parameters kept.
    assert_eq!(alert.items[0].url, "https://wire.example/news/9?id=7");
    let ctx = presswatch::notify::render::Context::default();
    let text = presswatch::notify::render::text(alert, &ctx);
    let html = presswatch::notify::render::html(alert, &ctx);
    for body in [&text, &html] {
        assert!(body.contains("https://wire.example/news/9?id=7"), "{body}");
        for tracker in ["utm_", "fbclid", "xtor"] {
            assert!(!body.contains(tracker), "{tracker} in {body}");
        }
    }
    // The item is recorded as the feed served it: it is not new again.
    assert!(matches!(
        check_first(&project).await.outcome,
        Outcome::Unchanged
    ));
}

/// An RSS 2.0 feed of full-text items `(title, link, guid, teaser, text)`,
/// the text in `content:encoded` as HTML paragraphs.
fn full_text_rss(items: &[(&str, &str, &str, &str, &[&str])]) -> Route {
    let mut s = String::from(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?><rss version=\"2.0\" xmlns:content=\"http://purl.org/rss/1.0/modules/content/\"><channel><title>Wire</title><link>https://wire.example/</link><description>d</description>",
    );
    for (title, link, guid, teaser, paragraphs) in items {
        let html: String = paragraphs.iter().map(|p| format!("<p>{p}</p>")).collect();
        s.push_str(&format!(
            "<item><title>{title}</title><link>{link}</link><guid isPermaLink=\"false\">{guid}</guid><description>{teaser}</description><content:encoded><![CDATA[{html}]]></content:encoded></item>"
        ));
    }
    s.push_str("</channel></rss>");
    served("application/rss+xml", s.into_bytes())
}

#[tokio::test(flavor = "multi_thread")]
async fn a_keyword_only_in_a_followed_article_is_shown_in_the_passage_that_holds_it() {
    let server = Server::start().await;
    // The keyword typed with Arabic kaf and yeh, as a keyboard set to
    // Arabic gives it; the article writes Persian ک and ی, and joins the
    // two words with a ZWNJ.
    let project = feed_watch(
        &server,
        "/feed.xml",
        "",
        "keywords = [\"\u{0643}\u{0627}\u{0646}\u{0648}\u{0646} \u{0646}\u{0648}\u{064A}\u{0633}\u{0646}\u{062F}\u{06AF}\u{0627}\u{0646}\"]\nfollow = true",
        "",
    );
    let xml = "<?xml version=\"1.0\" encoding=\"utf-8\"?>";
    let (one, two) = (server.url("/story/1"), server.url("/story/2"));
    let old = [("بازار تهران تعطیل شد", one.as_str(), Some("g1"))];
    let title = "سه نویسنده به زندان منتقل شدند";
    let new = [(title, two.as_str(), Some("g2")), old[0]];
    let joined = "\u{06A9}\u{0627}\u{0646}\u{0648}\u{0646}\u{200C}\u{0646}\u{0648}\u{06CC}\u{0633}\u{0646}\u{062F}\u{06AF}\u{0627}\u{0646}";
    let said =
        format!("به گفته وکیل خانواده، سه عضو {joined} ایران روز یکشنبه به زندان اوین منتقل شدند.");
    server.set(
        "/story/2",
        Route::html(news_page(
            title,
            "خبرنگار",
            &[
                "دادگاه انقلاب تهران روز شنبه حکم این سه نویسنده را تأیید کرد و خانواده‌های آنان از این تصمیم شگفت‌زده شدند.",
                &said,
                "خانواده‌ها می‌گویند از زمان انتقال هیچ خبری از آنان ندارند و درخواست ملاقات آنان بی‌پاسخ مانده است.",
            ],
            &[],
        )),
    );
    let r = check_twice(
        &project,
        &server,
        "/feed.xml",
        served("application/rss+xml", rss(xml, &old).into_bytes()),
        served("application/rss+xml", rss(xml, &new).into_bytes()),
    )
    .await;
    assert_eq!(new_titles(&r), [title], "{}", r.detail);
    let alert = &r.alerts[0];
    // The paragraph that names the keyword, as the article writes it.
    assert_eq!(alert.items[0].passage.as_deref(), Some(said.as_str()));
    let ctx = presswatch::notify::render::Context::default();
    let text = presswatch::notify::render::text(alert, &ctx);
    assert!(text.contains("In the article:\n"), "{text}");
    assert!(text.contains(&format!("*{joined}* ایران روز")), "{text}");
    let html = presswatch::notify::render::html(alert, &ctx);
    assert!(
        html.contains(&format!(
            "<mark style=\"color:#222222;background:#fff8e1;font-weight:bold;\">{joined}</mark>"
        )),
        "{html}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn each_item_names_its_keywords_and_one_only_in_a_feeds_full_text_shows_the_sentence_that_does(
) {
    let server = Server::start().await;
    let project = feed_watch(
        &server,
        "/feed.xml",
        "",
        "keywords = [\"Rasoulof\", \"Evin\", \"Narges Mohammadi\"]",
        &format!(
            "[[channel]]\nname = \"hook\"\ntype = \"webhook\"\nurl = \"{}\"\n",
            server.url("/hook")
        ),
    );
    let config = project.config_arg();
    let args = ["check", "--config", config.as_str()];
    let filler = "The court met on Monday and heard from the lawyers of all the accused, who asked for more time to read the file.";
    let sentence = "Her family said she was moved to Evin prison's women's ward on Sunday.";
    let old = (
        "Court hears appeal",
        "https://wire.example/1",
        "g1",
        "The appeal was heard.",
        &[filler][..],
    );
    server.set("/feed.xml", full_text_rss(&[old]));
    run(&args, &[]).await;
    let long = format!("{filler} {filler} {sentence} {filler}");
    let new = [
        (
            "Rasoulof film wins in Cannes",
            "https://wire.example/2",
            "g2",
            "The jury gave its special prize to Narges Mohammadi's friend.",
            &["The jury praised the film."][..],
        ),
        (
            "Activist moved to another ward",
            "https://wire.example/3",
            "g3",
            "Her lawyer spoke to reporters.",
            &[filler, long.as_str()][..],
        ),
        (
            "Rain in the north",
            "https://wire.example/4",
            "g4",
            "Roads were closed.",
            &[filler][..],
        ),
    ];
    server.set("/feed.xml", full_text_rss(&[new[0], new[1], new[2], old]));
    run(&args, &[]).await;
    let [hook] = server.requests_to("/hook").try_into().expect("one webhook");
    // The payload: each item names its keywords; the one that shows none
    // where listed carries the sentence of its text that does.
    let payload: serde_json::Value = serde_json::from_slice(&hook.body).unwrap();
    let items = payload["items"].as_array().unwrap();
    assert_eq!(items.len(), 2, "{payload}");
    assert_eq!(
        items[0]["keywords"],
        serde_json::json!(["Rasoulof", "Narges Mohammadi"])
    );
    assert_eq!(items[0].get("passage"), None, "its title shows why");
    assert_eq!(items[1]["keywords"], serde_json::json!(["Evin"]));
    assert_eq!(items[1]["passage"], sentence);
    // The fields an older receiver reads are where they were.
    assert_eq!(items[1]["title"], "Activist moved to another ward");
    assert_eq!(items[1]["url"], "https://wire.example/3");
    assert_eq!(
        payload["keywords"],
        serde_json::json!(["Rasoulof", "Evin", "Narges Mohammadi"])
    );
    let alert: presswatch::alert::Alert = serde_json::from_slice(&hook.body).unwrap();
    let text = presswatch::notify::render::text(&alert, &Default::default());
    assert!(
        text.contains(
            "* Rasoulof film wins in Cannes\n  https://wire.example/2\n  The jury gave its special prize to Narges Mohammadi's friend.\n  Mentions: Rasoulof, Narges Mohammadi\n"
        ),
        "{text}"
    );
    assert!(
        text.contains(
            "* Activist moved to another ward\n  https://wire.example/3\n  Her lawyer spoke to reporters.\n  Mentions: Evin\n  In the article:\n  \u{201C}Her family said she was moved to *Evin* prison's women's ward on Sunday.\u{201D}\n"
        ),
        "{text}"
    );
    let html = presswatch::notify::render::html(&alert, &Default::default());
    assert!(
        html.contains("mentions <b>Rasoulof</b>, <b>Narges Mohammadi</b></span>"),
        "{html}"
    );
    assert!(
        html.contains("moved to <mark style=\"color:#222222;background:#fff8e1;font-weight:bold;\">Evin</mark> prison&#x27;s"),
        "{html}"
    );
}

/// The passage an alert quotes from a feed's full text is the paragraph
/// that mentions the keyword, never that paragraph run on into the one
/// before it. Given a keyword watch on full-text feeds (RSS
/// `content:encoded`, Atom `content`, JSON Feed `content_html` and
/// `content_text`) whose new story names the keyword only in its second,
/// short paragraph after a short first one (a subheading, with no full
/// stop), the alert quoted "Court rules on appeal Her family said she was
/// moved to Evin on Sunday.", as if one sentence: the story's paragraphs
/// were joined into one text. It quotes the second paragraph alone.
#[tokio::test(flavor = "multi_thread")]
async fn the_passage_quoted_from_a_feeds_full_text_stays_within_the_keywords_paragraph() {
    let heading = "Court rules on appeal";
    let said = "Her family said she was moved to Evin on Sunday.";
    let old_story = "<p>The court met on Monday.</p>";
    let new_story = format!("<h3>{heading}</h3>\n<p>{said}</p>");
    let rss = |stories: &[(&str, &str)]| {
        let mut s = String::from("<?xml version=\"1.0\" encoding=\"utf-8\"?><rss version=\"2.0\" xmlns:content=\"http://purl.org/rss/1.0/modules/content/\"><channel><title>Wire</title><link>https://wire.example/</link><description>d</description>");
        for (n, html) in stories {
            s.push_str(&format!("<item><title>Story {n}</title><link>https://wire.example/{n}</link><description>Lawyers spoke.</description><content:encoded><![CDATA[{html}]]></content:encoded></item>"));
        }
        served(
            "application/rss+xml",
            format!("{s}</channel></rss>").into_bytes(),
        )
    };
    let atom = |stories: &[(&str, &str)]| {
        let mut s = String::from("<?xml version=\"1.0\" encoding=\"utf-8\"?><feed xmlns=\"http://www.w3.org/2005/Atom\"><title>Wire</title><id>urn:wire</id><updated>2024-05-13T00:00:00Z</updated>");
        for (n, html) in stories {
            let html = html
                .replace('&', "&amp;")
                .replace('<', "&lt;")
                .replace('>', "&gt;");
            s.push_str(&format!("<entry><title>Story {n}</title><id>urn:wire:{n}</id><link href=\"https://wire.example/{n}\"/><updated>2024-05-13T00:00:00Z</updated><summary>Lawyers spoke.</summary><content type=\"html\">{html}</content></entry>"));
        }
        served("application/atom+xml", format!("{s}</feed>").into_bytes())
    };
    let json = |field: &'static str| {
        move |stories: &[(&str, &str)]| {
            let items: Vec<serde_json::Value> = stories
                .iter()
                .map(|(n, content)| {
                    serde_json::json!({
                        "id": n,
                        "url": format!("https://wire.example/{n}"),
                        "title": format!("Story {n}"),
                        "summary": "Lawyers spoke.",
                        field: content,
                    })
                })
                .collect();
            let feed = serde_json::json!({
                "version": "https://jsonfeed.org/version/1.1",
                "title": "Wire",
                "items": items,
            });
            served("application/feed+json", feed.to_string().into_bytes())
        }
    };
    // JSON Feed's plain text: its paragraphs apart by a blank line, a line
    // of the markup's own wrapped inside the second.
    let plain_old = "The court met on Monday.";
    let plain_new = format!("{heading}\n\nHer family said she was moved\nto Evin on Sunday.");
    type Feed = Box<dyn Fn(&[(&str, &str)]) -> Route>;
    let feeds: [(&str, Feed, &str, &str); 4] = [
        ("rss", Box::new(rss), old_story, &new_story),
        ("atom", Box::new(atom), old_story, &new_story),
        (
            "html",
            Box::new(json("content_html")),
            old_story,
            &new_story,
        ),
        (
            "text",
            Box::new(json("content_text")),
            plain_old,
            &plain_new,
        ),
    ];
    for (name, feed, old, new) in feeds {
        let server = Server::start().await;
        let project = feed_watch(&server, "/feed", "", "keywords = [\"Evin\"]", "");
        let r = check_twice(
            &project,
            &server,
            "/feed",
            feed(&[("1", old)]),
            feed(&[("2", new), ("1", old)]),
        )
        .await;
        assert_eq!(new_titles(&r), ["Story 2"], "{name}: {}", r.detail);
        let item = &r.alerts[0].items[0];
        assert_eq!(item.keywords, ["Evin"], "{name}");
        assert_eq!(item.passage.as_deref(), Some(said), "{name}");
        let text = presswatch::notify::render::text(&r.alerts[0], &Default::default());
        assert!(
            text.contains("  \u{201C}Her family said she was moved to *Evin* on Sunday.\u{201D}\n"),
            "{name}: {text}"
        );
        assert!(!text.contains(heading), "{name}: {text}");
    }
}

/// Retitled items name their keywords one by one, as new items do. Given a
/// feed whose watch has keywords and two of whose stories get new headlines,
/// each mentioning another keyword, the retitle alert named "Mentions: Rasoulof,
/// Evin" for the alert only, and staff could not tell which story matched
/// which. Each retitled item names its own: `Mentions: …` under it in the
/// text, "mentions …" in HTML, `retitled[].keywords` in the webhook JSON.
#[tokio::test(flavor = "multi_thread")]
async fn each_retitled_item_of_an_alert_names_the_keywords_it_mentions_in_email_and_webhook() {
    let server = Server::start().await;
    let project = feed_watch(
        &server,
        "/feed.xml",
        "",
        "keywords = [\"Rasoulof\", \"Evin\"]",
        &format!(
            "[[channel]]\nname = \"hook\"\ntype = \"webhook\"\nurl = \"{}\"\n",
            server.url("/hook")
        ),
    );
    let config = project.config_arg();
    let args = ["check", "--config", config.as_str()];
    let feed = |first: &str, second: &str| {
        let story = |title, link, guid| {
            (
                title,
                link,
                guid,
                "The court met on Monday.",
                &["The court met."][..],
            )
        };
        full_text_rss(&[
            story(first, "https://wire.example/1", "g1"),
            story(second, "https://wire.example/2", "g2"),
            story(
                "Rain closes roads in the north",
                "https://wire.example/3",
                "g3",
            ),
        ])
    };
    server.set(
        "/feed.xml",
        feed(
            "Director flees Iran after sentence",
            "Activist moved to another prison ward",
        ),
    );
    run(&args, &[]).await;
    server.set(
        "/feed.xml",
        feed(
            "Rasoulof escapes Iran on foot after eight-year sentence",
            "Activist moved to Evin prison's women's ward on Sunday",
        ),
    );
    run(&args, &[]).await;
    let [hook] = server.requests_to("/hook").try_into().expect("one webhook");
    let payload: serde_json::Value = serde_json::from_slice(&hook.body).unwrap();
    assert_eq!(payload["kind"], "retitled", "{payload}");
    let retitled = payload["retitled"].as_array().unwrap();
    assert_eq!(retitled.len(), 2, "{payload}");
    assert_eq!(retitled[0]["keywords"], serde_json::json!(["Rasoulof"]));
    assert_eq!(retitled[1]["keywords"], serde_json::json!(["Evin"]));
    assert_eq!(payload["keywords"], serde_json::json!(["Rasoulof", "Evin"]));
    let alert: presswatch::alert::Alert = serde_json::from_slice(&hook.body).unwrap();
    let text = presswatch::notify::render::text(&alert, &Default::default());
    assert!(
        text.contains(
            "  https://wire.example/1\n  The court met on Monday.\n  Mentions: Rasoulof\n"
        ),
        "{text}"
    );
    assert!(
        text.contains("  https://wire.example/2\n  The court met on Monday.\n  Mentions: Evin\n"),
        "{text}"
    );
    let html = presswatch::notify::render::html(&alert, &Default::default());
    assert!(html.contains("mentions <b>Rasoulof</b></span>"), "{html}");
    assert!(html.contains("mentions <b>Evin</b></span>"), "{html}");
}

/// A chat message shows the keyword of an item's passage ("In the
/// article:") as the service emphasises it, never as the text email's
/// `*Evin*`. Given a feed whose new stories, one Persian and one English,
/// mention a keyword only in their full text, and a Slack and a Discord
/// channel: Slack showed `*Evin*` in its code block as it is, Discord
/// `\*Evin\*` escaped, read as `*Evin*`. Discord bolds it (`**Evin**`),
/// Slack's code block shows the passage as the page writes it, and the
/// Persian passage comes through whole, its ZWNJ kept.
#[tokio::test(flavor = "multi_thread")]
async fn a_chat_alert_emphasises_the_keyword_of_an_items_passage_as_the_service_does() {
    let server = Server::start().await;
    // The Persian keyword typed with Arabic kaf and yeh; the page writes
    // Persian ک and ی and joins the two words with a ZWNJ.
    let project = feed_watch(
        &server,
        "/feed.xml",
        "",
        "keywords = [\"Evin\", \"\u{0643}\u{0627}\u{0646}\u{0648}\u{0646} \u{0646}\u{0648}\u{064A}\u{0633}\u{0646}\u{062F}\u{06AF}\u{0627}\u{0646}\"]",
        &format!(
            "[[channel]]\nname = \"slack\"\ntype = \"webhook\"\nformat = \"slack\"\nurl = \"{}\"\n[[channel]]\nname = \"discord\"\ntype = \"webhook\"\nformat = \"discord\"\nurl = \"{}\"\n",
            server.url("/slack"),
            server.url("/discord")
        ),
    );
    let config = project.config_arg();
    let args = ["check", "--config", config.as_str()];
    let filler = "The court met on Monday and heard from the lawyers of all the accused.";
    let old = (
        "Court hears appeal",
        "https://wire.example/1",
        "g1",
        "The appeal was heard.",
        &[filler][..],
    );
    server.set("/feed.xml", full_text_rss(&[old]));
    run(&args, &[]).await;
    let joined = "\u{06A9}\u{0627}\u{0646}\u{0648}\u{0646}\u{200C}\u{0646}\u{0648}\u{06CC}\u{0633}\u{0646}\u{062F}\u{06AF}\u{0627}\u{0646}";
    let persian = format!("سه عضو {joined} ایران روز یکشنبه به زندان منتقل شدند.");
    let english = "Her family said she was moved to Evin prison's women's ward on Sunday.";
    let new = [
        (
            "سه نویسنده به زندان منتقل شدند",
            "https://wire.example/2",
            "g2",
            "خانواده‌ها نگران هستند.",
            &[persian.as_str()][..],
        ),
        (
            "Activist moved to another ward",
            "https://wire.example/3",
            "g3",
            "Her lawyer spoke to reporters.",
            &[english][..],
        ),
    ];
    server.set("/feed.xml", full_text_rss(&[new[0], new[1], old]));
    run(&args, &[]).await;
    let body = |path: &str, field: &str| {
        let [hook] = server.requests_to(path).try_into().expect("one message");
        let v: serde_json::Value = serde_json::from_slice(&hook.body).unwrap();
        v[field].as_str().unwrap().to_string()
    };
    let (slack, discord) = (body("/slack", "text"), body("/discord", "content"));
    // Slack: in its code block, as the page writes it.
    assert!(slack.contains("In the article:"), "{slack}");
    assert!(
        slack.contains("moved to Evin prison's") && slack.contains(&format!("عضو {joined} ایران")),
        "{slack}"
    );
    assert!(
        !slack.contains("*Evin*") && !slack.contains(&format!("*{joined}*")),
        "{slack}"
    );
    // Discord: bold, and the words around it as they are.
    assert!(discord.contains("moved to **Evin** prison's"), "{discord}");
    assert!(
        discord.contains(&format!("عضو **{joined}** ایران روز یکشنبه")),
        "{discord}"
    );
    assert!(!discord.contains("\\*Evin"), "{discord}");
}

/// A Slack alert's links open with a click. Slack links no address inside
/// a code block, and the alert's text is one: given a feed with two new
/// stories and a Slack channel, the message's only link opened the feed's
/// XML, each story's link was plain text in the code block, to copy, and so
/// was the evidence page's. Each story is linked under the code block
/// (`• <link|title>`, a Persian title in its isolate), and the evidence
/// page beside the message's link.
#[tokio::test(flavor = "multi_thread")]
async fn a_slack_alert_of_several_items_links_each_and_its_evidence_outside_the_code_block() {
    let server = Server::start().await;
    let project = feed_watch(
        &server,
        "/feed.xml",
        "report_url = \"https://evidence.example/pw/\"\n",
        "",
        &format!(
            "[[channel]]\nname = \"chat\"\ntype = \"webhook\"\nformat = \"slack\"\nurl = \"{}\"\n",
            server.url("/hook")
        ),
    );
    let config = project.config_arg();
    let args = ["check", "--config", config.as_str()];
    let xml = "<?xml version=\"1.0\" encoding=\"utf-8\"?>";
    let feed = |items: &[(&str, &str, Option<&str>)]| {
        served("application/rss+xml", rss(xml, items).into_bytes())
    };
    let old = ("Court hears appeal", "https://wire.example/1", None);
    server.set("/feed.xml", feed(&[old]));
    run(&args, &[]).await;
    let persian = "سه نویسنده به زندان منتقل شدند";
    let new = [
        ("Lawyer speaks", "https://wire.example/2", None),
        (persian, "https://wire.example/3", None),
    ];
    server.set("/feed.xml", feed(&[new[0], new[1], old]));
    run(&args, &[]).await;
    let [hook] = server.requests_to("/hook").try_into().expect("one message");
    let v: serde_json::Value = serde_json::from_slice(&hook.body).unwrap();
    let text = v["text"].as_str().unwrap();
    // The alert's record under the links, outside the code block too.
    let record = v2_record(text);
    assert!(
        text.contains(&format!(
            "\n<{}|Open the watched page> · <https://evidence.example/pw/wire/v2.html|Evidence>\nRecord {record} (version 2) — presswatch verify can prove this version is unaltered\n```",
            server.url("/feed.xml")
        )),
        "{text}"
    );
    let after = text.rsplit("```").next().unwrap();
    assert_eq!(
        after,
        format!(
            "\n\u{2022} <https://wire.example/2|Lawyer speaks>\n\u{2022} <https://wire.example/3|\u{2067}{persian}\u{2069}>"
        ),
        "{text}"
    );
}

/// The short record a chat message's heading gives (`Record 3f2a91c0…e1d254c9`).
fn v2_record(text: &str) -> String {
    let at = text.find("\nRecord ").expect("a record line") + "\nRecord ".len();
    text[at..].split(' ').next().unwrap().to_string()
}

/// Given a feed watch with `keywords = ["Evin"]` whose feed gains a story
/// that mentions no keyword: no alert goes out, the new item is recorded as
/// version 2 of the watch's history, and the check's line says so (it said
/// "unchanged  1 new item, none mentions a keyword", as though nothing had
/// been kept).
#[tokio::test(flavor = "multi_thread")]
async fn a_new_item_mentioning_no_keyword_is_reported_as_recorded_in_its_version_not_as_nothing() {
    let server = Server::start().await;
    let project = feed_watch(&server, "/feed.xml", "", "keywords = [\"Evin\"]", "");
    let xml = "<?xml version=\"1.0\" encoding=\"utf-8\"?>";
    let old = ("Court hears appeal", "https://wire.example/1", None);
    let new = ("Rain in the north", "https://wire.example/2", None);
    server.set(
        "/feed.xml",
        served("application/rss+xml", rss(xml, &[old]).into_bytes()),
    );
    assert!(matches!(
        check_first(&project).await.outcome,
        Outcome::ItemsRecorded(1)
    ));
    server.set(
        "/feed.xml",
        served("application/rss+xml", rss(xml, &[new, old]).into_bytes()),
    );
    let cfg = project.config_arg();
    let out = run(&["check", "--config", &cfg], &[]).await;
    let printed = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{printed}");
    assert!(
        printed.contains("1 new item, none mentions a keyword (no alert; recorded as version 2)"),
        "{printed}"
    );
    let out = run(&["history", "--config", &cfg, "wire"], &[]).await;
    let history = String::from_utf8_lossy(&out.stdout);
    assert!(
        history.lines().any(|l| l.starts_with("   2  ")),
        "{history}"
    );
}
