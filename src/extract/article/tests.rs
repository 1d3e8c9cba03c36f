//! The article extraction's tests, through [`super::blocks`], and their
//! shared helpers (`extract`, `para`, `story`, `expected_story`, ...).

use super::markup::class_names;
use super::*;
use crate::document::BlockKind;

fn extract(html: &str) -> Vec<String> {
    blocks(&Html::parse_document(html), None, None, None, None, None)
        .into_iter()
        .map(|b| b.text)
        .collect()
}

#[test]
fn picks_article_and_drops_furniture() {
    let html = r##"<html><body>
            <nav><a href="/">Home</a> <a href="/world">World</a></nav>
            <article>
              <h1>Headline</h1>
              <div class="share-bar"><a href="#">Share on X</a></div>
              <p>Iranian filmmaker Mohammad Rasoulof has fled Iran after an eight-year sentence.</p>
              <figure><img src="a.jpg"><figcaption>Rasoulof in Cannes. (Photo by A. Rentz/Getty Images)</figcaption></figure>
              <p>He crossed the mountains on foot, he said in a statement released on Monday.</p>
              <div class="related"><h3>Related</h3><a href="/x">Iran sentences director to prison</a></div>
              <h2>Reaction</h2>
              <p>The culture minister called the film illegal and pressed the crew.</p>
            </article>
            <aside class="most-read"><p>Most read: something else entirely that is long enough to count.</p></aside>
            <footer><p>Copyright News Corp, all rights reserved in every territory.</p></footer>
        </body></html>"##;
    assert_eq!(
        extract(html),
        vec![
            "Iranian filmmaker Mohammad Rasoulof has fled Iran after an eight-year sentence.",
            "He crossed the mountains on foot, he said in a statement released on Monday.",
            "Reaction",
            "The culture minister called the film illegal and pressed the crew.",
        ]
    );
}

/// A paragraph of running text, long enough to count as prose.
fn para(n: usize) -> String {
    format!("<p>Paragraph {n} of the story reports what the minister said about the case on Monday.</p>")
}

fn story(n: usize) -> String {
    (1..=n).map(para).collect()
}

fn expected_story(n: usize) -> Vec<String> {
    (1..=n)
            .map(|i| format!("Paragraph {i} of the story reports what the minister said about the case on Monday."))
            .collect()
}

/// The `n` paragraphs of [`story`], then `lines`.
fn story_then_lines(n: usize, lines: &[&str]) -> Vec<String> {
    let mut want = expected_story(n);
    want.extend(lines.iter().map(|l| l.to_string()));
    want
}

/// `lines`, then the `n` paragraphs of [`story`].
fn lines_then_story(lines: &[&str], n: usize) -> Vec<String> {
    let mut want: Vec<String> = lines.iter().map(|l| l.to_string()).collect();
    want.extend(expected_story(n));
    want
}

#[test]
fn a_hover_card_in_a_sentence_is_not_its_text() {
    // A person's name in the story opens a card (their photo and latest
    // stories, shown on hover); the card's links made the sentence look
    // like a list of links, and it was dropped.
    let card = r#"<span class="card"><a href="/people/ann">Ann Example</a><span class="card-box"><span><img src="ann.jpg"><a href="/people/ann">Ann Example</a><a href="/s/1">Senate passes the budget after a night of votes</a> <a href="/s/2">Ann Example asks for an inquiry into the port contract</a> <a href="/s/3">What the new bill means for farmers in the north</a> <a href="/people/ann">MORE</a></span></span></span>"#;
    let html = format!(
        r#"<body><article>{}<p>A man pleaded guilty to threatening Senator {card} (Green), prosecutors said on Monday.</p>{}</article></body>"#,
        para(1),
        story(3)
    );
    let mut want = expected_story(1);
    want.push("A man pleaded guilty to threatening Senator Ann Example (Green), prosecutors said on Monday.".into());
    want.extend(expected_story(3));
    assert_eq!(extract(&html), want);
}

#[test]
fn a_span_with_an_image_and_words_of_the_story_is_kept() {
    // Only a card of links is taken out: a rating beside its stars, or a
    // sentence set around an inline icon, is text.
    let html = format!(
        r#"<body><article>{}<p><span><img src="stars.png"> Rated 4.5 out of 5 by the readers who tried it this year, the <a href="/p">kit</a> wins.</span></p>{}</article></body>"#,
        para(1),
        para(2)
    );
    let got = extract(&html);
    assert_eq!(
        got[1],
        "Rated 4.5 out of 5 by the readers who tried it this year, the kit wins."
    );
}

#[test]
fn prose_container_wins_over_navigation_and_teasers() {
    let html = format!(
        r#"<body><div class="menu"><ul><li><a href="/a">World</a></li><li><a href="/b">Business</a></li></ul></div>
            <div id="story">{}</div>
            <div class="more"><h3><a href="/x">Another headline that is a link to elsewhere</a></h3><span>2 hours ago</span></div></body>"#,
        story(4)
    );
    assert_eq!(extract(&html), expected_story(4));
}

#[test]
fn wrapper_named_like_boilerplate_is_kept_when_it_holds_the_story() {
    // Layouts call article wrappers "content-with-sidebar", "paywall" ...
    let html = format!(
        r#"<body><div class="content-with-sidebar"><div class="paywall">{}</div></div>
            <div class="sidebar"><p>Short promo.</p></div></body>"#,
        story(3)
    );
    assert_eq!(extract(&html), expected_story(3));
}

#[test]
fn a_post_box_whose_classes_file_it_under_boilerplate_words_is_read() {
    // Without an <article>, the box of the post carries the CMS's class
    // list: its tags and flags ("tag-related-reading", "has-comments") name
    // what the story is filed under, not the box; a comment's own box,
    // named so first, is still left out.
    let html = format!(
        r#"<body><div class="menu"><a href="/">Home</a> <a href="/w">World</a></div>
            <div id="post-533" class="single-article post-533 post type-post status-publish format-standard category-style tag-related-reading has-comments">{}</div>
            <div class="comment even thread-even depth-1 byuser bypostauthor comment-author-ann parent"><p>Reader comment goes on at length about something else entirely, as comment threads do.</p></div></body>"#,
        story(3)
    );
    assert_eq!(extract(&html), expected_story(3));
}

#[test]
fn a_page_whose_story_sits_in_a_box_left_out_is_not_empty() {
    // The story's box is named like a legal notice ("disclaimer-affiliate",
    // a term the story is filed under): left out of the text, it left the
    // page without any; the page's sentences are read instead.
    let html = format!(
        r#"<body><div class="post disclaimer-affiliate">{}</div></body>"#,
        story(3)
    );
    assert_eq!(extract(&html), expected_story(3));
}

#[test]
fn a_box_named_like_a_footer_is_the_page_footer_when_it_closes_the_page() {
    // Without <footer>, the page's footer is named as one: left out when it
    // holds less text than the page before it, however much of it is prose
    // (a legal notice); a wrapper of the page named so, holding most of it,
    // and a component's own footer ("card__footer") are read.
    let notice = "<p>This material is not intended to replace the advice of a qualified advisor, and no part of it is an offer of anything at all. All rights reserved by the company and its partners in every territory.</p>";
    let html = format!(
        r#"<body><div class="wrap-with-footer"><div class="menu"><a href="/">Home</a> <a href="/w">World</a> <a href="/b">Business</a> <a href="/s">Sport</a> <a href="/c">Culture</a></div>
            <div class="post">{}<div class="card"><div class="card__footer"><p>The card's last sentence is part of the story that the minister told.</p></div></div></div>
            <div class="site-footer">{notice}</div></div></body>"#,
        story(2)
    );
    assert_eq!(
        extract(&html),
        story_then_lines(
            2,
            &["The card's last sentence is part of the story that the minister told."]
        )
    );
    // A footer is a box: a table's cell styled like the footer's titles
    // ("footer_title") is a word of its row.
    let cell = |t: &str| format!(r#"<th class="footer_title">{t}</th>"#);
    let html = format!(
        r#"<body><div class="post">{}<table><tr>{}{}{}</tr><tr><td>Delays</td><td>Late parts</td><td>Order earlier</td></tr></table>{}</div></body>"#,
        para(1),
        cell("Challenge"),
        cell("Explanation"),
        cell("Solution"),
        para(2)
    );
    let mut want = expected_story(2);
    want.insert(1, "Challenge Explanation Solution".to_string());
    want.insert(2, "Delays Late parts Order earlier".to_string());
    assert_eq!(extract(&html), want);
}

#[test]
fn the_box_holding_the_headline_and_most_of_the_prose_is_the_article() {
    // A page that does not mark its story <article>: the box with the
    // headline and most of the prose is the story, not the wrapper that also
    // holds a box of testimonials (prose too) beside it.
    let quote = |i: usize| {
        format!("<p>Testimonial {i}: the best service I have ever had, the staff were kind and quick and I will come back.</p>")
    };
    let html = format!(
        r#"<body><div class="page"><div class="post"><h1>The minister speaks</h1>{}</div>
            <div class="quotes">{}</div></div></body>"#,
        story(4),
        (1..=2).map(quote).collect::<String>()
    );
    assert_eq!(extract(&html), expected_story(4));
}

#[test]
fn a_hidden_pop_up_is_never_taken_for_a_missed_article() {
    // Without role="dialog", a cookie settings panel hidden until a script
    // opens it is named as a pop-up: left out, not read as a hidden story.
    let cookie = |i: usize| {
        format!("<p>Cookie notice {i}: this website uses cookies to improve your experience while you navigate through it, and to measure its audience.</p>")
    };
    let html = format!(
        r#"<body><div class="settings-modal" aria-hidden="true">{}</div><div class="post">{}</div></body>"#,
        (1..=4).map(cookie).collect::<String>(),
        story(2)
    );
    assert_eq!(extract(&html), expected_story(2));
}

#[test]
fn a_call_to_action_box_in_the_story_is_not_its_text() {
    // A box the page names a call to action ("cta", "call-to-action")
    // sells the site's product between or after the story's paragraphs:
    // a line of pitch and a button or two.
    let html = format!(
        r#"<body><article>{}{}
              <div class="mini-cta black"><p>Try Acme Analytics free for fourteen days and see your own data.</p><div class="dual-ctas"><a class="button" href="/signup">Sign up for free</a><a class="button" href="/contact">Contact sales</a></div></div>
              {}
              <section id="call-to-action"><h3>Ready to grow your business?</h3><p>Talk to one of our experts today about a plan that fits your team.</p></section>
            </article></body>"#,
        para(1),
        para(2),
        para(3)
    );
    assert_eq!(extract(&html), expected_story(3));
}

#[test]
fn a_wrapper_named_like_a_call_to_action_is_kept_when_it_holds_the_story() {
    // Themes name layouts "cta-layout" too: a box so named that holds
    // mostly prose is the story, and a paragraph about calls to action
    // is text like any other.
    let html = format!(
        r#"<body><div class="cta-layout">{}<p>The campaign's call to action asked voters to register before the deadline in March.</p></div></body>"#,
        story(3)
    );
    let mut want = expected_story(3);
    want.push(
        "The campaign's call to action asked voters to register before the deadline in March."
            .into(),
    );
    assert_eq!(extract(&html), want);
}

#[test]
fn a_line_crediting_a_picture_is_not_article_text() {
    // Under the story's photos, in a block of their own, not a caption:
    // who took or owns the picture, in the forms pages write it.
    let credits = [
        "Photo credit: ©iStock.com/jdoe, ©iStock.com/asmith",
        "Photo Credit: www.example-crafts.com",
        "Getty Images / Jane Doe",
        "Jane Doe/Getty Images",
        "Courtesy of the brand",
        "Photo Illustration: Example Magazine, Getty Images",
        "Illustration: John Roe",
        "Image used under license from Shutterstock",
        "عکس: جان دو",
        "عکس از خبرگزاری نمونه",
        "الصورة: رويترز",
    ];
    let html = format!(
        r#"<body><article>{}<img src="a.jpg"><span>{}</span>{}<figure><img src="b.jpg"></figure>{}{}</article></body>"#,
        para(1),
        credits[0],
        para(2),
        credits[1..]
            .iter()
            .map(|c| format!("<div><img src=\"c.jpg\"><span>{c}</span></div>"))
            .collect::<String>(),
        para(3)
    );
    assert_eq!(extract(&html), expected_story(3));
}

#[test]
fn a_source_a_specification_or_a_sentence_opening_like_a_credit_stays() {
    // A chart's source, a camera's video specification and a sentence of
    // the story that opens with "Courtesy of" or "Photo by" say something.
    let lines = [
        "Source: Bureau of Labor Statistics",
        "Video: 4K/30p, Full HD 120p",
        "Courtesy of the mayor's office, the files reached reporters on Monday.",
        "Photo by photo, the exhibition retraces the decade the city rebuilt itself.",
    ];
    let html = format!(
        r#"<body><article>{}{}{}</article></body>"#,
        para(1),
        lines
            .iter()
            .map(|l| format!("<p>{l}</p>"))
            .collect::<String>(),
        para(2)
    );
    let mut want = expected_story(1);
    want.extend(lines.iter().map(|l| l.to_string()));
    want.extend(expected_story(2).into_iter().skip(1));
    assert_eq!(extract(&html), want);
}

#[test]
fn boilerplate_inside_the_article_is_removed() {
    let html = format!(
        r#"<body><article>
              {}
              <div class="social-share"><a href="/s">Share</a><a href="/t">Tweet</a></div>
              <p class="read-more"><a href="/other">Read more: Director sentenced to eight years in prison</a></p>
              <div class="ad-slot"><p>Advertisement</p></div>
              <p>Related: <a href="/r">Iran bans film from festival after months of pressure on the crew</a></p>
              <p>Sign up for our daily newsletter to get the news in your inbox.</p>
              <div class="image-credit">Photo: Getty Images</div>
              {}
              <section class="comments"><p>What a long and thoughtful comment about this story from a reader somewhere.</p></section>
            </article></body>"#,
        para(1),
        para(2)
    );
    assert_eq!(extract(&html), expected_story(2));
}

#[test]
fn closing_reporting_credits_are_article_text() {
    for credit in [
        "Additional reporting by Michael Rios",
        "(Reporting by Will Dunham; Editing by Tom Brown)",
        "Keith Bradsher contributed reporting from Hong Kong.",
    ] {
        let html = format!(
            r#"<body><article>{}<p><em>{credit}</em></p><div class="tags"><a href="/t">Iran</a></div></article></body>"#,
            story(3)
        );
        let mut want = expected_story(3);
        want.push(credit.to_string());
        assert_eq!(extract(&html), want, "{credit}");
    }
    // Only at the end: a short line after the story that credits nothing
    // stays out.
    let html = format!(
        r#"<body><article>{}<p>Follow our coverage</p></article></body>"#,
        story(3)
    );
    assert_eq!(extract(&html), expected_story(3));
}

#[test]
fn a_closing_sentence_told_in_links_is_article_text() {
    // The story's last sentence may be mostly links (a call to action, a
    // pointer to further reading): it is a sentence of the story, where a
    // link alone or a label and a link after the story is not.
    let html = format!(
        r#"<body><article>{}<p>Ready to start? <a href="/book">Book your professional installation</a> or <a href="tel:1">give us a call at 855.822.1220</a> today.</p>
            <p>Read more: <a href="/next">Ten ways to save on your energy bill this winter.</a></p>
            <p><a href="/other">Another story from the archive of this site, worth reading.</a></p></article></body>"#,
        story(3)
    );
    let want = story_then_lines(
        3,
        &["Ready to start? Book your professional installation or give us a call at 855.822.1220 today."],
    );
    assert_eq!(extract(&html), want);
}

#[test]
fn an_opening_sentence_told_in_links_is_article_text() {
    // The story's first sentence may be mostly a link (to the show, the
    // law, the report it is about); a kicker or a lone link before the
    // story is not.
    let html = format!(
        r#"<body><article><p><a href="/tv">Entertainment</a></p><p><a href="/x">Another story from the archive of this site, worth reading.</a></p>
            <p>Last night the actor left <a href="/show">the dance show &ldquo;Dancing with the Stars.&rdquo;</a></p>{}</article></body>"#,
        story(3)
    );
    let want = lines_then_story(
        &["Last night the actor left the dance show “Dancing with the Stars.”"],
        3,
    );
    assert_eq!(extract(&html), want);
}

#[test]
fn embedded_posts_in_social_embed_boxes_are_article_text() {
    let html = format!(
        r#"<body><article>{}<div class="social-media-embed"><blockquote class="twitter-tweet"><p lang="en">Yes this is real and the state spent half a million dollars on it: <a href="https://t.co/x">https://t.co/x</a></p>&mdash; Dianna (@dianna) <a href="https://twitter.com/d/status/1">November 18, 2019</a></blockquote>
              <script async src="https://platform.twitter.com/widgets.js"></script></div>
              <div class="social-share"><a href="/s">Share on Twitter</a></div>{}</article></body>"#,
        para(1),
        para(2)
    );
    let mut want = expected_story(2);
    want.insert(
        1,
        "Yes this is real and the state spent half a million dollars on it: https://t.co/x"
            .to_string(),
    );
    want.insert(2, "— Dianna (@dianna) November 18, 2019".to_string());
    assert_eq!(extract(&html), want);
}

#[test]
fn leading_byline_and_date_lines_are_not_article_text() {
    let html = format!(
        r#"<body><article><div>By Jane Doe</div><div>Nov 20 2019, 11:06am</div>
              <p>Who would have guessed the slogan would cost this much money?</p>{}</article></body>"#,
        story(3)
    );
    let want = lines_then_story(
        &["Who would have guessed the slogan would cost this much money?"],
        3,
    );
    assert_eq!(extract(&html), want);
}

#[test]
fn the_largest_of_several_articles_is_the_story() {
    let teaser = |i: usize| {
        format!(
            r#"<article class="teaser"><h2><a href="/t{i}">Teaser headline number {i}</a></h2><p>A teaser paragraph that sums up another story in two long lines of text.</p></article>"#
        )
    };
    let html = format!(
        "<body><main><article>{}</article><div>{}</div></main></body>",
        story(6),
        (1..=3).map(teaser).collect::<String>()
    );
    assert_eq!(extract(&html), expected_story(6));
}

#[test]
fn declared_article_body_wins_even_without_long_paragraphs() {
    let html = r#"<body><div class="intro"><p>A long introduction paragraph on the site itself that is not the article at all.</p></div>
            <div itemprop="articleBody"><p>Standings after round 36:</p><p>1. Kyle Busch 5040 points</p><p>2. Martin Truex 5035 points</p></div></body>"#;
    assert_eq!(
        extract(html),
        vec![
            "Standings after round 36:",
            "1. Kyle Busch 5040 points",
            "2. Martin Truex 5035 points"
        ]
    );
}

#[test]
fn blocks_keep_their_kind_and_paragraph_boundaries() {
    let html = format!(
        r#"<body><article>{}<h2>Reaction</h2><blockquote>We will not be silenced by anyone, she said in the statement.</blockquote>
            <ul><li>First point made at length in the list of demands.</li><li>Second point made at length in the list of demands.</li></ul>
            <div>Loose text paragraph one, written with line breaks instead of paragraph tags.<br><br>Loose text paragraph two, after the double break.</div>{}</article></body>"#,
        para(1),
        para(2)
    );
    let got: Vec<(BlockKind, String)> =
        blocks(&Html::parse_document(&html), None, None, None, None, None)
            .into_iter()
            .map(|b| (b.kind, b.text))
            .collect();
    let kinds: Vec<BlockKind> = got.iter().map(|g| g.0).collect();
    assert_eq!(
        kinds,
        vec![
            BlockKind::Paragraph,
            BlockKind::Heading,
            BlockKind::Quote,
            BlockKind::ListItem,
            BlockKind::ListItem,
            BlockKind::Paragraph,
            BlockKind::Paragraph,
            BlockKind::Paragraph,
        ]
    );
    assert_eq!(
        got[5].1,
        "Loose text paragraph one, written with line breaks instead of paragraph tags."
    );
    assert_eq!(
        got[6].1,
        "Loose text paragraph two, after the double break."
    );
}

#[test]
fn a_table_row_is_one_block() {
    let html = r#"<body><div itemprop="articleBody"><p>Standings after the last race of the season:</p>
            <table><tr><th>Pos.</th><th>Driver</th><th>Points</th></tr><tr><td>1</td><td>Kyle Busch</td><td>5040</td></tr></table></div></body>"#;
    assert_eq!(
        extract(html),
        vec![
            "Standings after the last race of the season:",
            "Pos. Driver Points",
            "1 Kyle Busch 5040"
        ]
    );
}

#[test]
fn a_table_row_whose_cells_hold_paragraphs_is_one_block() {
    // CMSs write a cell's text in a `<p>` or a `<div>`: the row still reads
    // as one line, its figures with it, not its first cell alone.
    let html = format!(
        r#"<body><article>{}<table><tr><th><p>Feature</p></th><th><p>Completion</p></th></tr><tr><td><p>Rustup distribution.</p></td><td><div class="center"><p>40%</p></div></td></tr><tr><td><p>Debug info.</p></td><td><p>20%</p></td></tr></table>{}</article></body>"#,
        story(3),
        (4..=5).map(para).collect::<String>()
    );
    let got = extract(&html);
    assert_eq!(
        got[3..6],
        [
            "Feature Completion",
            "Rustup distribution. 40%",
            "Debug info. 20%"
        ]
    );
    // A table laying out the page keeps its paragraphs apart.
    let html = format!(
        r#"<body><table><tr><td>{}</td><td><p>Menu</p></td></tr></table></body>"#,
        story(4)
    );
    assert_eq!(extract(&html), expected_story(4));
}

#[test]
fn right_to_left_text_is_kept_in_order() {
    let fa = "فیلمساز ایرانی محمد رسول‌اف پس از صدور حکم هشت سال زندان، مخفیانه از ایران خارج شد و به اروپا رسید.";
    let html =
        format!(r#"<html dir="rtl"><body><article><p>{fa}</p><p>{fa}</p></article></body></html>"#);
    assert_eq!(extract(&html), vec![fa, fa]);
}

#[test]
fn pathological_pages_extract_without_panic() {
    assert!(extract("").is_empty());
    assert!(extract(
        "<script>var a = '<p>not text</p>';</script>"
            .repeat(100)
            .as_str()
    )
    .is_empty());
    let garbage: String = (0..20_000u32)
        .map(|i| char::from_u32(i * 7919 % 0xD7FF).unwrap_or('x'))
        .collect();
    let _ = extract(&garbage);
    let pdf = "%PDF-1.7\n%\u{e2}\u{e3}\u{cf}\u{d3}\n1 0 obj<</Type/Catalog>>endobj\n".repeat(500);
    assert!(extract(&pdf).is_empty());
    // No <body>: the text still comes out.
    assert_eq!(extract(&para(1)), expected_story(1));
    let nested = format!(
        "{}{}{}",
        "<b><i>".repeat(2_000),
        para(1),
        "</i></b>".repeat(2_000)
    );
    let _ = extract(&nested);
}

#[test]
fn selector_overrides_detection() {
    let html = r#"<div id="story"><p>Only this paragraph is wanted here.</p></div><article><p>Not this long article paragraph which would otherwise win the scoring.</p></article>"#;
    let got: Vec<String> = blocks(
        &Html::parse_document(html),
        Some("#story"),
        None,
        None,
        None,
        None,
    )
    .into_iter()
    .map(|b| b.text)
    .collect();
    assert_eq!(got, vec!["Only this paragraph is wanted here."]);
}

fn extract_declared(html: &str, declared: &str) -> Vec<String> {
    blocks(
        &Html::parse_document(html),
        None,
        Some(declared),
        None,
        None,
        None,
    )
    .into_iter()
    .map(|b| b.text)
    .collect()
}

/// A declared article body: the story's paragraphs one a line.
fn declared_story(n: usize) -> String {
    expected_story(n).join("\n")
}

#[test]
fn declared_body_that_agrees_keeps_the_detected_blocks() {
    let html = format!(
        r#"<body><article>{}<h2>Reaction</h2>{}</article></body>"#,
        para(1),
        (2..=5).map(para).collect::<String>()
    );
    // The declared text has no paragraph breaks: the page's blocks stay.
    let declared = expected_story(5).join(" ");
    let mut want = expected_story(5);
    want.insert(1, "Reaction".to_string());
    assert_eq!(extract_declared(&html, &declared), want);
}

#[test]
fn declared_body_picks_the_container_holding_it() {
    // A long comment thread outscores the short story it hangs under.
    let comment = |i: usize| {
        format!("<p>Reader comment {i} goes on at length about something else entirely, as comment threads do.</p>")
    };
    let html = format!(
        r#"<body><div id="story">{}</div><div id="thread">{}</div></body>"#,
        story(4),
        (1..=9).map(comment).collect::<String>()
    );
    assert_ne!(extract(&html), expected_story(4));
    assert_eq!(
        extract_declared(&html, &declared_story(4)),
        expected_story(4)
    );
}

#[test]
fn declared_body_replaces_a_failed_detection() {
    // The page renders the story with JavaScript: only a teaser is there.
    let html = r#"<body><div id="app"><p>Loading the story, please wait while the page finishes.</p></div></body>"#;
    assert_eq!(
        extract_declared(html, &declared_story(6)),
        expected_story(6)
    );
}

#[test]
fn teaser_or_unrelated_declared_body_is_not_used() {
    let html = format!("<body><article>{}</article></body>", story(6));
    // Cut off with an ellipsis: a teaser.
    let teaser = format!("{}…", declared_story(6));
    assert_eq!(extract_declared(&html, &teaser), expected_story(6));
    // Too short to judge by.
    assert_eq!(
        extract_declared(&html, "A summary of the story in a few words."),
        expected_story(6)
    );
    // Another text that is not much longer than what was found.
    let other = (1..=6)
            .map(|i| format!("Sentence {i} of a site description that has nothing to do with the article itself."))
            .collect::<Vec<_>>()
            .join("\n");
    assert_eq!(extract_declared(&html, &other), expected_story(6));
}

/// Site navigation and a page footer, the chrome around an article.
const CHROME: &str = r#"<header class="site-header"><nav><a href="/">Home</a> <a href="/w">World</a></nav><p>The daily paper of record for the whole region, since 1901.</p></header>"#;

#[test]
fn an_article_inside_a_section_header_is_found() {
    // Page builders lay out every section, the story's too, as <header>.
    let html = format!(
        r#"<body>{CHROME}<main><header class="section_blog-post-content"><div class="rich-text">{}</div></header>
            <section><p>Subscribe</p></section></main><footer><p>Copyright the paper, all rights reserved in every territory.</p></footer></body>"#,
        story(5)
    );
    assert_eq!(extract(&html), expected_story(5));
}

#[test]
fn an_article_hidden_until_a_script_reveals_it_is_found() {
    // Streamed server rendering sends the story in a hidden boundary that
    // a script moves into place; the visible shell holds a placeholder.
    let html = format!(
        r#"<body><div id="app">{CHROME}<template id="B:0"></template><p>Loading</p></div>
            <div hidden id="S:0"><article>{}</article></div></body>"#,
        story(5)
    );
    assert_eq!(extract(&html), expected_story(5));
}

#[test]
fn an_article_wrapper_named_like_a_share_bar_is_read() {
    let html = format!(
        r#"<body><article><div class="post-content-wrap has-share-float"><div class="share-buttons"><a href="/s">Share</a></div>
            <div class="post-content">{}</div></div></article><aside><p>A short note on the sidebar.</p></aside></body>"#,
        story(5)
    );
    assert_eq!(extract(&html), expected_story(5));
}

#[test]
fn a_hidden_copy_of_the_article_is_not_read_twice() {
    let html = format!(
        r#"<body>{CHROME}<article>{}</article><pre hidden class="raw-markdown">{}</pre></body>"#,
        story(4),
        expected_story(4).join("\n\n")
    );
    assert_eq!(extract(&html), expected_story(4));
}

#[test]
fn a_long_sidebar_beside_a_short_article_does_not_replace_it() {
    let about = |i: usize| {
        format!("<p>About us, part {i}: the paper has covered the region for a century and will go on doing it.</p>")
    };
    let html = format!(
        r#"<body>{CHROME}<article>{}</article><aside class="about">{}</aside></body>"#,
        story(2),
        (1..=4).map(about).collect::<String>()
    );
    let got = extract(&html);
    for paragraph in expected_story(2) {
        assert!(got.contains(&paragraph), "{paragraph} missing from {got:?}");
    }
}

#[test]
fn the_authors_card_after_the_story_is_not_article_text() {
    let card = r#"<div class="author-box" itemscope itemtype="https://schema.org/Person" itemprop="author">
              <img src="jane.jpg" alt="Jane Doe"><a href="/author/jane">Jane Doe</a>
              <div>Contributing Writer</div>
              <p>Jane Doe is a freelance writer who has covered courts and city politics for ten years.</p>
            </div>"#;
    let html = format!("<body><article>{}{card}</article></body>", story(3));
    assert_eq!(extract(&html), expected_story(3));
    // A page that is all author card (a profile) is still read.
    let profile = format!(r#"<body><div itemprop="author">{}</div></body>"#, story(3));
    assert_eq!(extract(&profile), expected_story(3));
}

fn extract_by(html: &str, byline: &str) -> Vec<String> {
    blocks(
        &Html::parse_document(html),
        None,
        None,
        Some(byline),
        None,
        None,
    )
    .into_iter()
    .map(|b| b.text)
    .collect()
}

#[test]
fn a_box_with_a_photo_that_tells_who_the_author_is_is_not_article_text() {
    let card = r#"<div class="box"><h3>About the Author</h3><div class="row">
              <img src="jane.jpg" alt=""><div><a href="/team/jane">Jane Doe</a>
              <p>Jane Doe is a freelance writer who has covered courts and city politics for ten years.</p>
            </div></div></div>"#;
    let html = format!("<body><article>{}{card}</article></body>", story(4));
    assert_eq!(
        extract_by(&html, "Jane Doe and John Roe"),
        expected_story(4)
    );
    // The same in Persian: the name opens the line in any language.
    let card_fa = r#"<div><img src="a.jpg"><p>سارا احمدی روزنامه‌نگار و نویسنده‌ای است که ده سال درباره دادگاه‌ها می‌نویسد.</p></div>"#;
    let html = format!("<body><article>{}{card_fa}</article></body>", story(4));
    assert_eq!(extract_by(&html, "سارا احمدی"), expected_story(4));
    // Without a photo it is a tagline the story closes with, and a line of
    // the story that opens with the author's name stays.
    let tagline = "<p>Jane Doe is a freelance writer who has covered courts and city politics for ten years.</p>";
    let html = format!("<body><article>{}{tagline}</article></body>", story(4));
    let mut expected = expected_story(4);
    expected.push(
        "Jane Doe is a freelance writer who has covered courts and city politics for ten years."
            .into(),
    );
    assert_eq!(extract_by(&html, "Jane Doe"), expected);
    // A standfirst beside the byline's card is the story's, not the card's.
    let header = r#"<div class="header"><div><p>The minister resigned on Monday after the court ruled against the plan.</p></div>
              <div class="bylines"><a href="/jane">Jane Doe</a><div class="tip"><img src="jane.jpg">
              <div>Jane Doe is a freelance writer who covers the courts.</div></div></div></div>"#;
    let html = format!(
        r#"<body><article>{header}<div class="body">{}</div></article></body>"#,
        story(4)
    );
    let got = extract_by(&html, "Jane Doe");
    assert_eq!(
        got[0],
        "The minister resigned on Monday after the court ruled against the plan."
    );
    assert_eq!(got[1..], expected_story(4)[..]);
}

#[test]
fn a_card_after_the_story_that_links_to_its_authors_page_is_not_article_text() {
    // Class names that say nothing, and no byline the page's markup names:
    // the card is known by its photo and its link to the writer's page.
    let card = r#"<div class="c1"><div class="c2"><span><img src="jane.jpg"></span>
              <div><span><a href="/author/1234/jane-doe/">Jane Doe</a></span><div>Contributing Writer</div></div>
              <div><p>A Chicago native who moved west, Jane covers courts and city politics for the paper's metro desk.</p></div></div></div>"#;
    let html = format!(r#"<body><div class="c0">{}{card}</div></body>"#, story(4));
    assert_eq!(extract(&html), expected_story(4));
    // So is one that links to it with `rel="author"`.
    let card_rel = card.replace(
        r#"href="/author/1234/jane-doe/""#,
        r#"href="/jane-doe" rel="author""#,
    );
    let html = format!(
        r#"<body><div class="c0">{}{card_rel}</div></body>"#,
        story(4)
    );
    assert_eq!(extract(&html), expected_story(4));
    // Without a photo the lines stay: a closing tagline of the story.
    let tagline = r#"<p>A Chicago native who moved west, <a href="/author/jane-doe/">Jane Doe</a> covers courts and city politics for the paper's metro desk.</p>"#;
    let html = format!(
        r#"<body><div class="c0">{}{tagline}</div></body>"#,
        story(4)
    );
    assert_eq!(
        extract(&html),
        story_then_lines(4, &["A Chicago native who moved west, Jane Doe covers courts and city politics for the paper's metro desk."])
    );
    // A byline before the story, its photo beside it, does not take the
    // standfirst with it.
    let header = r#"<div class="c3"><div><img src="jane.jpg"><a href="/author/jane-doe/">Jane Doe</a></div>
              <p>The minister resigned on Monday after the court ruled against the plan.</p></div>"#;
    let html = format!(r#"<body><div class="c0">{header}{}</div></body>"#, story(4));
    assert_eq!(
        extract(&html),
        lines_then_story(
            &["The minister resigned on Monday after the court ruled against the plan."],
            4
        )
    );
}

#[test]
fn a_link_to_an_authors_page_is_known_by_its_address() {
    let is_author_link = |a: &str| {
        let dom = Html::parse_fragment(a);
        let s = Selector::parse("a").expect("selector");
        let el = dom.select(&s).next().expect("a link");
        super::markup::is_author_link(el.value())
    };
    for a in [
        r#"<a href="/author/jane-doe/">Jane Doe</a>"#,
        r#"<a href="https://example.com/authors/jane-doe">Jane Doe</a>"#,
        r#"<a href="/author/1234/jane-doe/">Jane Doe</a>"#,
        r#"<a href="/es/autor/juana-perez/">Juana Pérez</a>"#,
        r#"<a href="/jane" rel="noopener author">Jane Doe</a>"#,
    ] {
        assert!(is_author_link(a), "{a}");
    }
    for a in [
        // The site's list of authors, a story about an author, a photo
        // of the author filed under the word.
        r#"<a href="/authors">Our writers</a>"#,
        r#"<a href="/2024/05/author-wins-prize/">Author wins prize</a>"#,
        r#"<a href="/graphics/author/portrait.jpg">Photo</a>"#,
        r#"<a href="/p?author=3">Jane Doe</a>"#,
    ] {
        assert!(!is_author_link(a), "{a}");
    }
}

/// A box of `n` teasers of other guides: a headline that is not a link,
/// a one-sentence summary and a link to the writer's page.
fn teasers(n: usize) -> String {
    (1..=n)
            .map(|i| {
                format!(
                    r#"<div class="card"><img src="t{i}.jpg"><h3>Guide {i} to another topic</h3>
                    <p>Summary {i} of another guide on this site tells readers what they will learn there.</p>
                    <p>by <a href="/writers/w{i}">Writer {i}</a></p></div>"#
                )
            })
            .collect()
}

#[test]
fn teasers_under_a_related_articles_title_are_not_article_text() {
    let faq = "<h2>Questions</h2><p>Readers often ask how the minister will answer the case in court next week.</p>";
    let html = format!(
        r#"<body><article>{}<section><h2>Related articles that may interest you</h2><div class="grid">{}</div></section>{faq}</article></body>"#,
        story(3),
        teasers(3)
    );
    let mut want = expected_story(3);
    want.push("Questions".into());
    want.push("Readers often ask how the minister will answer the case in court next week.".into());
    assert_eq!(extract(&html), want);
    // The title may be a box of its own, with the teasers in the next.
    let html = format!(
        r#"<body><article>{}<div><div class="widget"><h2>Latest News</h2></div><div class="posts">{}</div></div>{faq}</article></body>"#,
        story(3),
        teasers(3)
    );
    assert_eq!(extract(&html), want);
    // A "most read" or "popular" box, in English, Persian and Arabic,
    // titled as such pages title them.
    for title in [
        "مطالب مرتبط",
        "مقالات ذات صلة",
        "Most read",
        "Popular now",
        "پربازدیدترین‌ها",
        "الأكثر قراءة",
    ] {
        let html = format!(
            r#"<body><article>{}<section><h2>{title}</h2><div class="grid">{}</div></section>{faq}</article></body>"#,
            story(3),
            teasers(3)
        );
        assert_eq!(extract(&html), want, "{title}");
    }
}

#[test]
fn a_column_of_teasers_longer_than_a_short_story_does_not_replace_it() {
    let teaser = |i: usize| {
        format!(
            r#"<article class="post"><h3><a href="/news/{i}">Headline {i} of another story</a></h3><span>March {i}, 2025</span>
                <p>Excerpt {i} of another story goes on about what a reader of this site may want to know about claims, deadlines, appeals and the many forms the agency asks for, before it stops at the first words of a third sentence, because</p>
                <a href="/news/{i}">Read more</a></article>"#
        )
    };
    let column: String = (1..=4).map(teaser).collect();
    let html = format!(
        r#"<body><div class="row"><div class="col">{}</div>
            <div class="col"><div class="widget"><h2>Latest News</h2></div><div class="posts">{column}</div></div></div></body>"#,
        story(2)
    );
    assert_eq!(extract(&html), expected_story(2));
}

#[test]
fn a_section_of_the_story_under_a_related_title_is_kept() {
    // A story's own section: prose with a link or two, or a list of
    // sources under "Further reading", is not a module of teasers.
    let html = format!(
        r#"<body><article>{}<h2>Recent stories</h2><p>Two recent stories, <a href="/a">one on the court</a> and <a href="/b">one on the minister</a>, ran last week.</p>
            <h2>Further reading</h2><ul><li><a href="/r1">The court's ruling in full</a></li><li><a href="/r2">The minister's statement</a></li><li><a href="/r3">The law at issue</a></li></ul>{}</article></body>"#,
        story(3),
        para(4)
    );
    let mut want = expected_story(3);
    want.extend([
        "Recent stories".to_string(),
        "Two recent stories, one on the court and one on the minister, ran last week.".into(),
        "Further reading".into(),
        "The court's ruling in full".into(),
        "The minister's statement".into(),
        "The law at issue".into(),
    ]);
    want.push(expected_story(4).pop().unwrap());
    assert_eq!(extract(&html), want);
}

#[test]
fn comments_dialogs_and_the_page_footer_are_never_taken_for_a_missed_article() {
    let comment = |i: usize| {
        format!("<p>Reader comment {i} goes on at length about something else entirely, as comment threads do.</p>")
    };
    let html = format!(
        r#"<body>{CHROME}<article>{}</article>
            <section class="comments">{}</section>
            <div role="dialog" aria-hidden="true"><p>This website uses cookies to improve your experience while you navigate through it, and to measure the audience.</p></div>
            <footer><p>This material is not intended to replace the advice of a qualified advisor, and no part of it is an offer of anything at all.</p></footer></body>"#,
        story(2),
        (1..=6).map(comment).collect::<String>()
    );
    assert_eq!(extract(&html), expected_story(2));
}

#[test]
fn a_table_in_a_figure_is_article_text_and_its_caption_is_not() {
    let html = format!(
        r#"<body><article>{}<figure class="wp-block-table"><table><tr><td>1</td><td>North Dakota</td><td>82.0</td></tr></table>
            <figcaption>Table: the states ranked by their score this year.</figcaption></figure>
            <figure><img src="a.jpg"><figcaption>The minister arriving at the court on Monday morning.</figcaption></figure>{}</article></body>"#,
        para(1),
        para(2)
    );
    let mut want = expected_story(2);
    want.insert(1, "1 North Dakota 82.0".to_string());
    assert_eq!(extract(&html), want);
}

#[test]
fn list_items_made_of_links_are_article_text_and_other_links_are_not() {
    // A story lists its sources, products or chapters as links; a
    // heading or paragraph that is all link is a teaser or "read more".
    let html = format!(
        r#"<body><article>{}<ul><li><a href="https://x.example/cert">Google Ads Display Certification</a></li><li><a href="https://y.example/">Complexity Explorer</a></li></ul>
            <h3><a href="/other-story">Another story on this site, by its headline</a></h3>
            <p><a href="/other">Read our full review of the Osprey Atmos and eleven other packs</a></p>{}</article></body>"#,
        para(1),
        para(2)
    );
    let mut want = expected_story(2);
    want.splice(
        1..1,
        ["Google Ads Display Certification", "Complexity Explorer"].map(String::from),
    );
    assert_eq!(extract(&html), want);
}

#[test]
fn a_sentence_of_the_story_told_mostly_in_links_is_kept_and_a_read_more_line_is_not() {
    // The story names the companies it speaks of as links: the sentence
    // is mostly link text, but it is the story's. A label before a link
    // ("Read more:", "Related:") is a cross-reference, and a line that
    // does not end as a sentence is a headline.
    let html = format!(
        r#"<body><article>{}<p>Companies using the service are <a href="/a">Northwind Traders</a>, <a href="/b">Contoso Pharmaceuticals</a>, <a href="/c">Fabrikam Logistics</a>, <a href="/d">Tailspin Toys</a>, etc.</p>
            <p>Read more: <a href="/r">The minister resigns after a week of questions about the contract.</a></p>
            <p>Also: <a href="/s">Ten things to know about the budget this year</a></p>{}</article></body>"#,
        para(1),
        para(2)
    );
    let mut want = expected_story(1);
    want.push("Companies using the service are Northwind Traders, Contoso Pharmaceuticals, Fabrikam Logistics, Tailspin Toys, etc.".into());
    want.push(expected_story(2)[1].clone());
    assert_eq!(extract(&html), want);
}

#[test]
fn an_faq_question_on_an_accordion_button_is_kept_when_its_answer_is_shown() {
    // An accordion's question is the label of the button that opens its
    // answer: text the reader sees, above the answer. A question whose
    // answer is hidden, a label that says what the button does, and a
    // link set up as a button whose answer is shown are read the same way.
    let html = format!(
        r#"<body><article>{}<h2>Questions</h2>
            <div><button aria-expanded="true" aria-controls="a1"><h3>Is the road open again?</h3><svg></svg></button>
              <div id="a1"><p>Yes: it reopened on Monday after the council cleared the last of the debris.</p></div></div>
            <div><a href="" role="button" aria-expanded="true"><h3>Who pays for the repairs?</h3></a>
              <div><p>The regional government pays, the minister said on Tuesday after the cabinet met.</p></div></div>
            <div><button aria-expanded="true">More info</button>
              <div><p>The council publishes its traffic notices every morning on its own site.</p></div></div>
            <div><button aria-expanded="false" aria-controls="a3"><h3>When was the bridge built?</h3></button>
              <div id="a3" hidden><p>It was built in 1961, and widened once, in the eighties.</p></div></div>
            <p><button>Share</button></p>{}</article></body>"#,
        para(1),
        para(2)
    );
    let mut want = story_then_lines(
        1,
        &[
            "Questions",
            "Is the road open again?",
            "Yes: it reopened on Monday after the council cleared the last of the debris.",
            "Who pays for the repairs?",
            "The regional government pays, the minister said on Tuesday after the cabinet met.",
            "The council publishes its traffic notices every morning on its own site.",
        ],
    );
    want.push(expected_story(2)[1].clone());
    assert_eq!(extract(&html), want);
}

#[test]
fn utility_classes_do_not_make_the_article_look_like_chrome() {
    // Tailwind names widths and overflow, not what an element is.
    let html = format!(
            r#"<body><section class="page-section [--sidebar-width:18rem] lg:mr-[--sidebar-container-width]">
            <div class="prose overflow-hidden md:hidden lg:block"><ul>{}</ul></div></section>
            <div class="sidebar"><p>Short promo.</p></div></body>"#,
            (1..=4)
                .map(|i| format!("<li>Checklist item {i}: book the venue, the caterer and the band a year before the day.</li>"))
                .collect::<String>()
        );
    let want: Vec<String> = (1..=4)
            .map(|i| format!("Checklist item {i}: book the venue, the caterer and the band a year before the day."))
            .collect();
    assert_eq!(extract(&html), want);
    assert_eq!(class_names("a b"), "a b");
    assert_eq!(
        class_names("prose lg:max-w-none [--x:1] w-1/2 sidebar"),
        "prose sidebar"
    );
}

#[test]
fn short_paragraphs_in_blocks_a_page_builder_calls_widgets_are_article_text() {
    // Page builders wrap every block of a story in a "widget" box.
    let paragraphs = [
            "The ministry confirmed on Monday that the new rules will apply to every school in the province from next year.",
            "Parents were not consulted.",
            "Teachers' unions said they would study the text before deciding whether to challenge it in court this winter.",
        ];
    let html = format!(
        "<body><article>{}</article></body>",
        paragraphs
            .iter()
            .map(|p| format!(r#"<div class="widget-container"><p>{p}</p></div>"#))
            .collect::<String>()
    );
    assert_eq!(extract(&html), paragraphs);
}

#[test]
fn a_table_of_contents_and_data_shown_as_text_are_not_article_text() {
    let html = format!(
        r##"<body><article><p>Contents</p><ul><li><a href="#one">One: the first part</a></li><li><a href="#two">Two: the second part</a></li></ul>
            {}<div class="widget">{{"layoutMobile":2,"buttonText":"Buy now","productTitle":{{"hue":213}}}}</div>{}</article></body>"##,
        para(1),
        para(2)
    );
    assert_eq!(extract(&html), expected_story(2));
}

#[test]
fn the_title_of_a_table_of_contents_is_not_article_text() {
    // Over its entries, with its toggle; right over its entries in the
    // story's flow; alone in a box a script fills in; in Persian.
    let html = format!(
        r##"<body><article>{}<h3>Contents</h3><ul><li><a href="#one">One: the first part</a></li></ul><div class="toc"><div><b>Table of Contents</b> <a href="#">hide</a></div><ul><li><a href="#one">One: the first part</a></li><li><a href="#two">Two: the second part</a></li></ul></div>
            {}<section><h2>On this page</h2></section>{}<div><p>فهرست مطالب</p><ol></ol></div>{}</article></body>"##,
        para(1),
        para(2),
        para(3),
        para(4)
    );
    assert_eq!(extract(&html), expected_story(4));
}

#[test]
fn a_contents_title_over_text_of_the_story_is_kept() {
    // A paragraph that tells how the story is divided; sections named
    // and summed up, whose headings follow the title's own box.
    let html = format!(
        r##"<body><article>{}<h2>Table of Contents</h2><p>This article is long, so we have divided it into sections you can jump to.</p>
            {}<div><h2>In this guide</h2></div><div><h3>Step 1 - <a href="/backups">Backing up your data</a></h3><p>Five things to consider when backing up your data.</p><h3>Step 2 - <a href="/malware">Protecting your organisation from malware</a></h3><p>Five free tips that can help prevent malware damaging your organisation.</p></div>{}</article></body>"##,
        para(1),
        para(2),
        para(3)
    );
    let got = extract(&html);
    assert!(got.contains(&"Table of Contents".to_string()), "{got:?}");
    assert!(got.contains(&"In this guide".to_string()), "{got:?}");
}

#[test]
fn a_box_about_the_author_after_the_story_is_not_article_text() {
    // A titled box with a photo and a bio, whoever the byline names; a
    // paragraph that opens with the title; the same in Persian.
    let html = format!(
        r##"<body><article><div class="body">{}</div>
            <section><h3>About the Author</h3><div><img src="a.jpg"><div>Scott Levine is a contributing stock market analyst covering energy and industrials. He holds a degree in English.</div><a href="/author/2420/">tmfscott</a></div></section>
            <p><strong>About the author:</strong> Craig Hull is a freelance photographer based in Eastern Europe. You can find more of his work on his website.</p>
            <div><p>درباره نویسنده</p><p>سارا احمدی روزنامه‌نگار و نویسنده حوزه فناوری است و ده سال است که درباره اقتصاد دیجیتال می‌نویسد.</p></div></article></body>"##,
        story(3)
    );
    assert_eq!(extract(&html), expected_story(3));
}

#[test]
fn a_box_asking_to_rate_the_page_after_the_story_is_not_article_text() {
    // A rating widget opened by its question, with its counts; a
    // question alone in its box; a line with its buttons; in Arabic.
    let html = format!(
        r##"<body><article>{}<div class="widget"><p>How useful was this post?</p><p>Click on a star to rate it!</p><p>Average rating 5 / 5. Vote count: 1</p><p>No votes so far! Be the first to rate this post.</p></div>
            <div><div>Was this page helpful?</div><button aria-label="Thumbs up"></button></div>{}
            <p>Did you find this article helpful? Yes No</p><div><p>هل كان هذا المقال مفيدا؟</p></div></article></body>"##,
        story(2),
        para(3)
    );
    assert_eq!(extract(&html), expected_story(3));
}

#[test]
fn an_about_the_author_section_in_the_storys_flow_is_kept() {
    // The story's paragraphs, then the section under the title, in the
    // same flow (a profile of the winemaker who wrote the guide).
    let html = format!(
        r##"<body><article>{}<h2>About the Author</h2><p>Matt Check is the head winemaker and co-founder of the winehouse, with a decade of experience in wine.</p></article></body>"##,
        story(3)
    );
    let mut expected = expected_story(3);
    expected.push("About the Author".into());
    expected.push("Matt Check is the head winemaker and co-founder of the winehouse, with a decade of experience in wine.".into());
    assert_eq!(extract(&html), expected);
}

#[test]
fn list_items_that_point_to_other_pages_under_a_label_are_not_article_text() {
    // "See also:", "Don't miss:", "بیشتر بخوانید:" before a link; the
    // story's own list of linked sources stays.
    let html = format!(
        r##"<body><article>{}<ul><li><strong>See also:</strong> <a href="/film-vs-digital">Film vs Digital Cameras for Landscape Photography</a></li></ul>{}
            <ul><li><strong>Don’t Miss:</strong> <a href="/program-management">Program Management Software for Multi-Project Tracking</a></li><li>بیشتر بخوانید: <a href="/fa/1">راهنمای کامل عکاسی از منظره در سفر</a></li></ul>
            <ul><li><a href="/report">The ministry's annual report on the case</a></li></ul>{}</article></body>"##,
        para(1),
        para(2),
        para(3)
    );
    let mut expected = expected_story(3);
    expected.insert(2, "The ministry's annual report on the case".into());
    assert_eq!(extract(&html), expected);
}

#[test]
fn links_between_posts_and_their_counters_are_not_article_text() {
    let html = format!(
        r##"<body><article>{}<p><a href="#comments">2comments</a></p><p>Print This Page</p>{}<h3>Related Posts</h3>{}
            <p>Previous article</p><p>Next article</p><p>مطلب بعدی</p>{}</article></body>"##,
        para(1),
        para(2),
        para(3),
        para(4)
    );
    assert_eq!(extract(&html), expected_story(4));
}

#[test]
fn a_posts_counters_of_likes_views_and_comments_are_not_article_text() {
    // A card's or a post's counters, each alone on its line; a sentence
    // that gives a count is the story's.
    let html = format!(
        r##"<body><article>{}<div><span>1,109 likes</span></div><p>3 of 11 comments</p>{}
            <p>1.2k views</p><p>12 Shares</p><p>4 replies</p>{}</article></body>"##,
        para(1),
        para(2),
        "<p>The appeal drew 1,109 likes and 12 shares in its first day online.</p>"
    );
    let mut want = expected_story(2);
    want.push("The appeal drew 1,109 likes and 12 shares in its first day online.".into());
    assert_eq!(extract(&html), want);
}

#[test]
fn a_prompt_to_log_in_is_not_article_text() {
    // A paywall's prompt in the story, in English, French and Persian.
    let html = format!(
        r##"<body><article>{}<p>Already have an account? <a href="/login">Log in</a></p>{}
            <p>Vous avez déjà un compte ? Connectez-vous</p><p>حساب کاربری دارید؟ وارد شوید</p>{}</article></body>"##,
        para(1),
        para(2),
        para(3)
    );
    assert_eq!(extract(&html), expected_story(3));
}

#[test]
fn a_paragraph_inside_a_list_item_is_the_list_item() {
    let html = format!(
        r#"<body><article>{}<ul><li><p>Excellent tooling support out of the box</p></li><li><p>High quality documentation</p></li></ul>{}</article></body>"#,
        para(1),
        para(2)
    );
    let kinds: Vec<BlockKind> = blocks(&Html::parse_document(&html), None, None, None, None, None)
        .into_iter()
        .map(|b| b.kind)
        .collect();
    assert_eq!(
        kinds,
        vec![
            BlockKind::Paragraph,
            BlockKind::ListItem,
            BlockKind::ListItem,
            BlockKind::Paragraph
        ]
    );
}

#[test]
fn the_longest_paragraph_does_not_stand_for_the_whole_article() {
    // One paragraph, split by line breaks, holds most of the prose: the
    // paragraphs and the list around it are the article too.
    let long = (1..=6)
            .map(|i| format!("Paragraph {i} of the story reports what the minister said about the case on Monday."))
            .collect::<Vec<_>>()
            .join("<br><br>");
    let html = format!(
        r#"<body><div class="body">{}<ul><li>A short point</li><li>Another short point</li></ul><p>{long}</p></div>
            <div class="footer"><a href="/terms">Terms</a> <a href="/privacy">Privacy</a></div></body>"#,
        para(0)
    );
    let got = extract(&html);
    assert_eq!(got.len(), 9, "{got:?}");
    assert!(got[0].starts_with("Paragraph 0"));
    assert_eq!(got[1], "A short point");
}

#[test]
fn data_tables_and_lists_of_facts_weigh_as_article_text_not_as_noise() {
    // Rows of figures are not prose, but unlike link lists they are not
    // page chrome either: the article holding them still wins.
    let row = |i: usize| {
        format!(
            "<tr><td>{i}</td><td>School of Business number {i}</td><td>{i}%</td><td>700</td></tr>"
        )
    };
    let html = format!(
        r#"<body><nav><a href="/a">Rankings</a> <a href="/b">Schools</a></nav><div class="entry">{}
            <table><tr><th>Rank and name of the school, with its acceptance rate and its median test score</th></tr>{}</table>{}</div></body>"#,
        para(1),
        (1..=30).map(row).collect::<String>(),
        para(2)
    );
    let got = extract(&html);
    assert_eq!(got.len(), 33, "{got:?}");
    assert_eq!(got[0], expected_story(1)[0]);
    assert_eq!(got[32], expected_story(2)[1]);
}

#[test]
fn an_article_the_page_renders_twice_is_read_once() {
    // One copy for small screens, one for large: the second starts over.
    let html = format!(
        r#"<body><div class="article"><div class="mobile">{}</div><div class="desktop">{}</div></div></body>"#,
        story(5),
        story(5)
    );
    assert_eq!(extract(&html), expected_story(5));
}

#[test]
fn blocks_the_story_itself_repeats_are_kept() {
    // A plan listing the same items for each of its days.
    let day = |d: usize| {
        format!("<h3>Day {d}</h3><p>Breakfast: two eggs and a cup of asparagus.</p><p>Lunch: a tomato and cucumber salad with feta.</p><p>Dinner: beef and peppers with olives.</p>")
    };
    let html = format!(
        "<body><article>{}{}{}{}</article></body>",
        story(3),
        day(1),
        day(2),
        day(3)
    );
    assert_eq!(extract(&html).len(), 3 + 3 * 4);
}

#[test]
fn boxes_inside_the_articles_flow_do_not_replace_it() {
    // A review whose product cards hold most of the prose: the article's
    // own paragraphs around the cards are kept.
    let card = |i: usize| {
        format!("<div class=\"product-card\"><h3>Lamp {i}</h3><p>A smooth glowing half sphere that looks like a soft sunrise, lamp {i} starts and ends the day gently with warm light.</p></div>")
    };
    let html = format!(
        r#"<body><div class="entry-content">{}<div class="product-grid">{}</div>{}</div><div class="author-bio-box"><a href="/a">Irene</a></div></body>"#,
        para(1),
        (1..=8).map(card).collect::<String>(),
        para(2)
    );
    let got = extract(&html);
    assert_eq!(got.first(), expected_story(1).first());
    assert_eq!(got.last(), expected_story(2).last());
    assert_eq!(got.len(), 2 + 16);
}

#[test]
fn an_intro_in_its_own_box_before_the_article_is_kept() {
    // The layout puts the intro in a box of its own before the body,
    // with a byline and an image between them.
    let intro = "<p>Readers asked us how the new rules work, so we read all of them and talked to experts.</p><p>Here is what changes for tenants, landlords and the courts this year, point by point.</p>";
    let html = format!(
        r#"<body><main><div class="summary">{intro}</div><div class="byline">By A. Writer</div><figure><img src="a.jpg"></figure><div class="text">{}</div></main><div class="promos"><a href="/x">Another story</a></div></body>"#,
        story(8)
    );
    let got = extract(&html);
    assert_eq!(
            got[..2],
            [
                "Readers asked us how the new rules work, so we read all of them and talked to experts.",
                "Here is what changes for tenants, landlords and the courts this year, point by point.",
            ]
        );
    assert_eq!(got[2..], expected_story(8));
}

#[test]
fn an_intro_box_whose_class_says_the_layout_has_no_sidebar_is_kept() {
    // A class that says whether the layout shows a sidebar
    // ("sidebar-enabled--false", "has-sidebar") names the story's box, not
    // a sidebar: the intro in such a box is the story's lead.
    let intro = "<p>Readers asked us how the new rules work, so we read all of them and talked to experts.</p><p>Here is what changes for tenants, landlords and the courts this year, point by point.</p>";
    for class in [
        "post__main sidebar-enabled--false",
        "post__main has-sidebar",
    ] {
        let html = format!(
            r#"<body><main><div class="{class}">{intro}</div><section class="list">{}</section></main></body>"#,
            story(8)
        );
        let got = extract(&html);
        assert_eq!(
            got[..2],
            [
                "Readers asked us how the new rules work, so we read all of them and talked to experts.",
                "Here is what changes for tenants, landlords and the courts this year, point by point.",
            ],
            "{class}"
        );
        assert_eq!(got[2..], expected_story(8));
    }
    // A box named the sidebar itself is no lead.
    let html = format!(
        r#"<body><main><div class="post__sidebar">{intro}</div><section class="list">{}</section></main></body>"#,
        story(8)
    );
    assert_eq!(extract(&html), expected_story(8));
}

#[test]
fn an_intro_box_several_wrappers_above_the_article_is_kept() {
    // Page builders nest the body in a wrapper for each column, row and
    // section, the intro in a header section beside the outermost: the
    // lead is looked for that far up.
    let intro = "<p>Readers asked us how the new rules work, so we read all of them and talked to experts.</p><p>Here is what changes for tenants, landlords and the courts this year, point by point.</p>";
    let html = format!(
        r#"<body><main><section class="hero"><div><div>{intro}</div></div></section><nav><a href="/a">Contents</a></nav>
            <section class="body"><div class="row"><div class="column"><div class="module"><div class="text">{}</div></div></div></div></section></main></body>"#,
        story(8)
    );
    let got = extract(&html);
    assert_eq!(
        got[..2],
        [
            "Readers asked us how the new rules work, so we read all of them and talked to experts.",
            "Here is what changes for tenants, landlords and the courts this year, point by point.",
        ]
    );
    assert_eq!(got[2..], expected_story(8));
}

#[test]
fn a_story_cut_into_boxes_laid_out_alike_keeps_its_opening_box() {
    // A page builder cuts the story into rich-text boxes (numbered per
    // instance) with a download form between them; the opening box holds
    // a table of contents, so it has too many links to pass for a lead.
    let opening = r##"<div class="rich-text w-node-3fa2c81"><p>Electrical contractors build the grid that homes and factories run on, from substations to wiring.</p><ul><li><a href="#lists">Who made the lists</a></li><li><a href="#growth">The ten fastest growing firms of the year</a></li><li><a href="#size">Why the largest firms keep growing</a></li><li><a href="#lessons">What smaller contractors can learn from them</a></li></ul><h2 id="lists">Who made the lists</h2><p>We read the two lists the industry trusts, one magazine's and the other's, to find the best firms.</p><p>In total, thirty-nine companies made both lists, each with more than two hundred million in revenue.</p></div>"##;
    let form = r#"<div class="cta-box"><div class="cta-heading">Free download</div><form><input name="email"></form><div class="form-done">Thank you! Your submission has been received!</div><div class="form-fail">Oops! Something went wrong while submitting the form.</div></div>"#;
    let html = format!(
        r#"<body><div class="post-body">{opening}{form}<div class="rich-text w-node-91bd07e">{}</div></div></body>"#,
        story(12)
    );
    let want = lines_then_story(
            &[
                "Electrical contractors build the grid that homes and factories run on, from substations to wiring.",
                "Who made the lists",
                "We read the two lists the industry trusts, one magazine's and the other's, to find the best firms.",
                "In total, thirty-nine companies made both lists, each with more than two hundred million in revenue.",
            ],
            12,
        );
    assert_eq!(extract(&html), want);
}

#[test]
fn a_story_cut_into_boxes_of_one_hashed_class_keeps_its_opening_box() {
    // The page above with hashed class names (CSS modules), which look like
    // instance ids: two boxes that share one share a layout all the same.
    let opening = r##"<div class="x3f9eb52"><p>Electrical contractors build the grid that homes and factories run on, from substations to wiring.</p><ul><li><a href="#lists">Who made the lists</a></li><li><a href="#growth">The ten fastest growing firms of the year</a></li><li><a href="#size">Why the largest firms keep growing</a></li><li><a href="#lessons">What smaller contractors can learn from them</a></li></ul><h2 id="lists">Who made the lists</h2><p>We read the two lists the industry trusts, one magazine's and the other's, to find the best firms.</p><p>In total, thirty-nine companies made both lists, each with more than two hundred million in revenue.</p></div>"##;
    let form = r#"<div class="x1c2d3e4"><div class="x5a6b7c8">Free download</div><form><input name="email"></form><div class="x9d0e1f2">Thank you! Your submission has been received!</div></div>"#;
    let html = format!(
        r#"<body><div class="x7e8f9a0">{opening}{form}<div class="x3f9eb52">{}</div></div></body>"#,
        story(12)
    );
    let want = lines_then_story(
            &[
                "Electrical contractors build the grid that homes and factories run on, from substations to wiring.",
                "Who made the lists",
                "We read the two lists the industry trusts, one magazine's and the other's, to find the best firms.",
                "In total, thirty-nine companies made both lists, each with more than two hundred million in revenue.",
            ],
            12,
        );
    assert_eq!(extract(&html), want);
}

#[test]
fn a_box_after_the_story_laid_out_like_it_is_not_part_of_it() {
    // The author's bio and the newsletter box reuse the story's text
    // layout after it ends.
    let html = format!(
        r#"<body><div class="post-body"><div class="text-block">{}</div><div class="text-block"><p>Ann Example covers energy and labour for the paper, and before that she covered the courts.</p><p>Get all the latest posts delivered straight to your inbox every week, free.</p></div></div></body>"#,
        story(8)
    );
    assert_eq!(extract(&html), expected_story(8));
}

/// A page whose story box is followed, in the column around it, by a
/// call to action and a box `questions` of questions and answers.
fn story_then_questions(questions: &str) -> String {
    format!(
        r#"<body><main><div class="column"><div class="post"><div class="post-text">{}</div></div><div class="cta"><a href="/demo">Book a demo</a></div><div class="faq-box">{questions}</div></div></main></body>"#,
        story(10)
    )
}

#[test]
fn the_questions_and_answers_after_the_story_are_part_of_it() {
    // Guides close with "Frequently asked questions" in a box of their
    // own after the story's box, which narrowing to that box left out.
    let html = story_then_questions(
        r#"<h2>Frequently Asked Questions</h2><div class="item"><h3>How long does the permit take?</h3><div><p>Most permits are issued within six weeks of a complete application, the ministry says.</p></div></div><div class="item"><h3>Can I appeal a refusal?</h3><div><p>Yes: an appeal goes to the regional board within thirty days of the written decision.</p></div></div>"#,
    );
    let want = story_then_lines(
        10,
        &[
            "Frequently Asked Questions",
            "How long does the permit take?",
            "Most permits are issued within six weeks of a complete application, the ministry says.",
            "Can I appeal a refusal?",
            "Yes: an appeal goes to the regional board within thirty days of the written decision.",
        ],
    );
    assert_eq!(extract(&html), want);
}

#[test]
fn the_persian_questions_and_answers_after_the_story_are_part_of_it() {
    let html = story_then_questions(
        r#"<h2>سوالات متداول</h2><h3>مجوز چقدر طول می‌کشد؟</h3><p>بیشتر مجوزها ظرف شش هفته پس از تکمیل درخواست صادر می‌شوند، به گفته وزارتخانه.</p><h3>آیا می‌توانم به رد درخواست اعتراض کنم؟</h3><p>بله، اعتراض ظرف سی روز پس از ابلاغ تصمیم کتبی به هیئت منطقه‌ای می‌رود.</p>"#,
    );
    let got = extract(&html);
    assert_eq!(got[..10], expected_story(10)[..]);
    assert_eq!(
        got[10..],
        [
            "سوالات متداول",
            "مجوز چقدر طول می‌کشد؟",
            "بیشتر مجوزها ظرف شش هفته پس از تکمیل درخواست صادر می‌شوند، به گفته وزارتخانه.",
            "آیا می‌توانم به رد درخواست اعتراض کنم؟",
            "بله، اعتراض ظرف سی روز پس از ابلاغ تصمیم کتبی به هیئت منطقه‌ای می‌رود.",
        ]
    );
}

#[test]
fn the_sections_between_the_story_and_its_questions_are_part_of_it() {
    // A guide set one section a box: the box holding most of the story is
    // read, and the sections after it up to its questions are the story's
    // too, each with its heading (in a box of its own beside the section's
    // text); the call to action among them is not.
    let html = format!(
        r#"<body><main><div class="column"><section class="list">{}</section><div class="cta"><a href="/demo">Book a demo</a></div><section class="section"><div class="title"><h2>What the permit costs</h2></div><div class="text"><p>A permit costs two hundred euros, and a renewal half of that, payable when the application is made.</p></div></section><section class="faq-box"><h2>Frequently Asked Questions</h2><h3>How long does the permit take?</h3><p>Most permits are issued within six weeks of a complete application, the ministry says.</p><h3>Can I appeal a refusal?</h3><p>Yes: an appeal goes to the regional board within thirty days of the written decision.</p></section></div></main></body>"#,
        story(10)
    );
    let want = story_then_lines(
        10,
        &[
            "What the permit costs",
            "A permit costs two hundred euros, and a renewal half of that, payable when the application is made.",
            "Frequently Asked Questions",
            "How long does the permit take?",
            "Most permits are issued within six weeks of a complete application, the ministry says.",
            "Can I appeal a refusal?",
            "Yes: an appeal goes to the regional board within thirty days of the written decision.",
        ],
    );
    assert_eq!(extract(&html), want);
}

#[test]
fn a_tooltip_inside_a_sentence_is_not_part_of_it() {
    // A glossary term's definition is set in the sentence, shown only
    // while the pointer rests on the term: the element the term names as
    // its label or description, or one marked `role="tooltip"`.
    let html = format!(
        r#"<body><article>{}<p>Organic traffic and <dfn aria-describedby="tip-1">keyword</dfn><span id="tip-1"><strong>Keyword</strong> A keyword is what users type into a search engine. <a href="/glossary/keyword">Learn more</a></span> rankings are now only directional, the report says.</p><p>Answer engines <span class="term">cite</span><span role="tooltip">To cite is to name a source.</span> the pages they read, and readers click less.</p></article></body>"#,
        story(3)
    );
    let want = story_then_lines(
        3,
        &[
            "Organic traffic and keyword rankings are now only directional, the report says.",
            "Answer engines cite the pages they read, and readers click less.",
        ],
    );
    assert_eq!(extract(&html), want);
}

#[test]
fn questions_after_the_story_whose_answers_are_hidden_are_not_read() {
    // Only the questions show (each answer in a closed panel): a list of
    // questions is no text of the story, however long they are.
    let html = story_then_questions(
        r#"<h2>FAQs</h2><p>What are the main principles that every company should follow to keep its data safe?</p><div hidden><p>Confidentiality, integrity and availability are the basics that keep data safe.</p></div><p>How often should a company run security audits and assessments of its own networks?</p><div hidden><p>Most companies audit once a year and after every major change to their systems.</p></div>"#,
    );
    assert_eq!(extract(&html), expected_story(10));
}

#[test]
fn a_box_after_the_story_that_only_mentions_questions_is_not_part_of_it() {
    // The title of a box of questions is a short line: a sentence that
    // names them (a sign-up box, a bio) does not make its box one.
    let html = story_then_questions(
        r#"<p>Our FAQ and our support team answer the questions readers send us about their subscriptions every day.</p><p>Readers who subscribe get the weekly letter and the archive, and can cancel at any time online.</p>"#,
    );
    assert_eq!(extract(&html), expected_story(10));
}

#[test]
fn an_h1_after_the_story_began_heads_a_section_of_it() {
    // Blogs and documentation set their section titles as `<h1>`s too:
    // the first `<h1>` is the headline, a later one after a sentence of
    // the story is one of its headings.
    let html = format!(
        r#"<body><article><h1>How the port was sold</h1>{}<h1>What the contract says</h1>{}</article></body>"#,
        story(3),
        (4..=6).map(para).collect::<String>()
    );
    let mut want = expected_story(3);
    want.push("What the contract says".into());
    want.extend(expected_story(6).split_off(3));
    assert_eq!(extract(&html), want);
}

#[test]
fn h1s_before_the_story_are_no_text_of_it() {
    // A site name set as an `<h1>` and then the headline: neither follows
    // a sentence of the story, so neither is its text.
    let html = format!(
        r#"<body><div class="top"><h1>The Daily Example</h1></div><article><h1>How the port was sold</h1>{}</article></body>"#,
        story(4)
    );
    assert_eq!(extract(&html), expected_story(4));
}

/// `n` rows of a table of films that tells a list page's story.
fn film_rows(n: usize) -> String {
    (1..=n)
            .map(|i| format!("<tr><th>Film {i}</th><td>19{i}0</td><td>A woman relives the same day over and over, and tries to stop the events of the past, number {i}.</td></tr>"))
            .collect()
}

#[test]
fn bare_paragraphs_before_a_table_that_tells_the_story_are_its_lead() {
    // A list page: two paragraphs introduce it, set one by one beside the
    // table of entries that holds most of its prose.
    let rows = film_rows(30);
    let html = format!(
        r#"<body><div class="content"><div class="note">This is a list that may never be complete.</div><p>This list of films featuring time loops names films in which characters live the same period again and again.</p><p>For a list of films that include any kind of time travel (including time loops) see <a href="/travel">time travel in films</a>.</p><table><tbody>{rows}</tbody></table></div></body>"#
    );
    let got = extract(&html);
    assert_eq!(
            got[..2],
            [
                "This list of films featuring time loops names films in which characters live the same period again and again.",
                "For a list of films that include any kind of time travel (including time loops) see time travel in films."
            ]
        );
    assert_eq!(got.len(), 32);
}

#[test]
fn one_bare_paragraph_before_a_table_is_not_its_lead() {
    let rows = film_rows(30);
    let html = format!(
        r#"<body><div class="content"><p>Photo of the week shows the old cinema on the <a href="/sq">square</a> in the rain, with its sign lit.</p><div class="ad">Advertisement</div><table><tbody>{rows}</tbody></table></div></body>"#
    );
    assert_eq!(extract(&html).len(), 30);
}

#[test]
fn a_lone_intro_paragraph_beside_the_story_is_kept() {
    let html = format!(
        r#"<body><main><div class="post"><div class="intro"><p>The tax office now lets everyone file a return online at no cost, with a tool of its own.</p></div><div class="meta">March 3</div><div class="body">{}</div></div></main></body>"#,
        story(8)
    );
    let got = extract(&html);
    assert_eq!(
        got[0],
        "The tax office now lets everyone file a return online at no cost, with a tool of its own."
    );
    assert_eq!(got[1..], expected_story(8));
}

#[test]
fn an_affiliate_disclosure_between_the_intro_and_the_story_does_not_cut_the_intro_off() {
    let intro = "<p>We drove the western states for three months and rented a car in every one of them.</p><p>This guide tells you which rental companies are worth it, and which ones are not.</p>";
    let html = format!(
        r#"<body><main><div class="intro">{intro}</div><div class="note">Note: Some posts may contain affiliate links, which earn us a small fee at no cost to you. Read more in our <a href="/p">Privacy Policy</a>, <a href="/g">Publishing Guidelines</a> and <a href="/e">Editorial Standards</a>.</div><div class="text">{}</div></main></body>"#,
        story(8)
    );
    let got = extract(&html);
    assert_eq!(
        got[..2],
        [
            "We drove the western states for three months and rented a car in every one of them.",
            "This guide tells you which rental companies are worth it, and which ones are not.",
        ]
    );
    assert_eq!(got[2..], expected_story(8));
}

#[test]
fn a_lone_intro_in_a_box_of_its_own_before_the_wrappers_of_the_story_is_kept() {
    let intro = "Shopping for a house? There are many things to weigh when looking at homes, like price and location.";
    let html = format!(
        r#"<body><main><div class="hero"><div class="dek"><p>{intro}</p></div></div><div class="wrap"><div class="inner"><div class="body">{}</div></div></div></main></body>"#,
        story(8)
    );
    let got = extract(&html);
    assert_eq!(got[0], intro);
    assert_eq!(got[1..], expected_story(8));
    // A labelled box up there is a summary or a promotion, not the intro.
    let html = format!(
        r#"<body><main><div class="hero"><div class="dek"><h4>Synopsis</h4><p>{intro}</p></div></div><div class="wrap"><div class="inner"><div class="body">{}</div></div></div></main></body>"#,
        story(8)
    );
    assert_eq!(extract(&html), expected_story(8));
}

#[test]
fn a_caption_a_byline_or_a_disclosure_alone_beside_the_story_is_not_its_intro() {
    for lone in [
        r#"<div class="figure"><img src="a.jpg"><div class="text">The minister arrives at the court in the capital on Monday, where the case was heard.</div></div>"#,
        r#"<div class="author"><p>By Ann Example, Senior Correspondent for Energy and Labour, in the capital</p></div>"#,
        r#"<div class="note"><p>We independently test everything we recommend. Buying through links on our site supports our work.</p></div>"#,
    ] {
        let html = format!(
            r#"<body><main><div class="post">{lone}<div class="body">{}</div></div></main></body>"#,
            story(8)
        );
        assert_eq!(extract(&html), expected_story(8), "{lone}");
    }
}

#[test]
fn teasers_captions_and_disclosures_before_the_article_are_not_its_lead() {
    let teasers = (1..=3)
            .map(|i| format!(r#"<div class="card"><h3><a href="/s{i}">Story {i}</a></h3><p>A summary of story {i}, which is about something else that happened this week.</p></div>"#))
            .collect::<String>();
    let other = "<article><p>Another story of the day begins here, with a paragraph long enough to count.</p><p>It goes on with a second paragraph that is about something else entirely.</p></article>";
    let html = format!(
        r#"<body><main><div class="cards">{teasers}</div><div class="note"><p>We may earn a commission when you buy through links on this page, at no cost to you.</p></div><div class="photo"><p>The minister arrives at the court in the capital on Monday, where the case was heard.</p></div>{other}<div class="text">{}</div></main></body>"#,
        story(20)
    );
    assert_eq!(extract(&html), expected_story(20));
}

#[test]
fn a_page_whose_only_sentences_are_in_its_chrome_is_not_empty() {
    let html = r##"<body><header><nav><ul><li><a href="/a">Work</a></li><li><div class="menu-promo"><p>Partner with our agency and grow your business this year.</p></div></li></ul></nav></header>
            <main><div class="grid"><a href="/w/1">Project one</a> <a href="/w/2">Project two</a></div></main>
            <div id="proposal" style="display:none"><p>By sending this form, you agree to receive our texts and calls.</p></div></body>"##;
    assert_eq!(
        extract(html),
        [
            "Partner with our agency and grow your business this year.",
            "By sending this form, you agree to receive our texts and calls."
        ]
    );
}

#[test]
fn buttons_labels_and_placeholders_inside_the_article_are_not_article_text() {
    let html = format!(
        r#"<body><article>{}<p>Share this on:</p><p>Loading paragraph...</p>{}<div class="cta">Buy now</div><h3>You might also like</h3><p>Written by Ann Example</p>{}</article></body>"#,
        story(3),
        (4..=6).map(para).collect::<String>(),
        (7..=8).map(para).collect::<String>()
    );
    assert_eq!(extract(&html), expected_story(8));
}

#[test]
fn a_table_of_figures_that_closes_the_story_is_kept_with_its_linked_names() {
    let rows = [
        ("Haas School of Business", "59%", "700"),
        ("Booth School of Business", "17%", "691"),
        ("Kellogg School of Management", "11%", "664"),
    ];
    let body: String = rows
        .iter()
        .map(|(name, women, score)| {
            format!(r#"<tr><td><a href="/s">{name}</a></td><td>{women}</td><td>{score}</td></tr>"#)
        })
        .collect();
    let html = format!(
        r#"<body><article>{}<table><tr><th>Business school ranked by the magazine this year</th><th>Share of women among entering students</th><th>Average test score</th></tr>{body}</table><div class="tags"><a href="/t">MBA</a></div></article></body>"#,
        story(4)
    );
    let got = extract(&html);
    assert_eq!(got[..4], expected_story(4));
    assert_eq!(
            got[4..],
            [
                "Business school ranked by the magazine this year Share of women among entering students Average test score",
                "Haas School of Business 59% 700",
                "Booth School of Business 17% 691",
                "Kellogg School of Management 11% 664",
            ]
        );
}

#[test]
fn a_table_that_lays_out_the_page_is_not_read_on_past_the_story() {
    // One cell a row: the rows are boxes of the page, not data.
    let html = format!(
        r#"<body><table><tr><td>{}</td></tr><tr><td>And the minister said that the case would be heard again next spring, in the capital.</td></tr><tr><td>Front-row access to the future</td></tr><tr><td>A bundle of software tools</td></tr></table></body>"#,
        story(4)
    );
    let mut want = expected_story(4);
    want.push(
        "And the minister said that the case would be heard again next spring, in the capital."
            .into(),
    );
    assert_eq!(extract(&html), want);
}

#[test]
fn a_list_that_closes_the_article_is_kept() {
    let html = format!(
        r#"<body><article>{}<p>Check these at every service:</p><ul><li>Belts and hoses</li><li>Exhaust system</li><li>Wiper blades</li></ul>
            <div>Posted in</div><div>Car care</div></article></body>"#,
        story(3)
    );
    let want = story_then_lines(
        3,
        &[
            "Check these at every service:",
            "Belts and hoses",
            "Exhaust system",
            "Wiper blades",
        ],
    );
    assert_eq!(extract(&html), want);
}

#[test]
fn a_sentence_that_introduces_a_list_opens_the_story() {
    let html = format!(
        r#"<body><article><div>By Jane Doe</div><p>Tour packages are good for both travellers and tour operators:</p>
            <ul><li>They help travellers plan a trip in a place they do not know, with the best things booked.</li>
            <li>They help tour operators sell more of what they offer to a broader audience of customers.</li></ul>{}</article></body>"#,
        story(3)
    );
    let want = lines_then_story(
            &[
                "Tour packages are good for both travellers and tour operators:",
                "They help travellers plan a trip in a place they do not know, with the best things booked.",
                "They help tour operators sell more of what they offer to a broader audience of customers.",
            ],
            3,
        );
    assert_eq!(extract(&html), want);
}

#[test]
fn the_heading_right_before_the_first_paragraph_is_kept() {
    let html = format!(
        r#"<body><div class="menu"><a href="/">Home</a></div><div class="post"><div>March 3</div>
            <h2>Reduce, reuse, recycle: ideas for less waste at home</h2>{}</div></body>"#,
        story(4)
    );
    let want = lines_then_story(&["Reduce, reuse, recycle: ideas for less waste at home"], 4);
    assert_eq!(extract(&html), want);
}

#[test]
fn a_heading_over_a_form_or_a_list_is_not_the_heading_of_the_story() {
    // The sign-up form is dropped, and its heading with it.
    let html = format!(
        r#"<body><div class="post"><h3>Want more news like this?</h3><form><label>Your email address</label><input type="email"></form>{}</div></body>"#,
        story(4)
    );
    assert_eq!(extract(&html), expected_story(4));
    // A heading over a list that opens the page titles a summary box.
    let item = "The new rules let anyone file a tax return online, at no cost, with the office's own tool.";
    let html = format!(
        r#"<body><div class="post"><h2>Key takeaways</h2><ul><li>{item}</li></ul>{}</div></body>"#,
        story(4)
    );
    let want = lines_then_story(&[item], 4);
    assert_eq!(extract(&html), want);
}

#[test]
fn a_closing_line_without_a_full_stop_is_kept_and_labels_and_links_after_it_are_not() {
    let note = "Note: Review data is based on an update from 2 May, 2025";
    let html = format!(
        r#"<body><article>{}<p><strong>Note:</strong> Review data is based on an update from 2 May, 2025</p>
            <p>Filed under</p><p><a href="/g">A guide to moving house in the city this spring</a></p></article></body>"#,
        story(3)
    );
    let mut want = expected_story(3);
    want.push(note.to_string());
    assert_eq!(extract(&html), want);
}

#[test]
fn a_short_last_sentence_in_the_storys_flow_is_kept_in_any_script() {
    // Four words closing the story, in the element holding its paragraphs:
    // the story's last paragraph, right to left or not. A short line in a
    // box of its own after the story is not.
    let ar = [
        "غادر المخرج محمد رسول آف إيران سيراً على الأقدام عبر الجبال بعد الحكم عليه بالسجن ثماني سنوات.",
        "ووصل إلى أوروبا قبل أيام بحسب بيان نشره محاميه يوم الاثنين.",
        "ولم تعلق وزارة الثقافة الإيرانية على الأمر حتى الآن.",
        "وانتهى التحقيق دون نتيجة.",
    ];
    let paragraphs: String = ar.iter().map(|p| format!("<p>{p}</p>")).collect();
    let html = format!(
        r#"<html lang="ar" dir="rtl"><body><main><article><h1>رسول آف يغادر إيران</h1>{paragraphs}</article></main>
            <footer><p>جميع الحقوق محفوظة.</p></footer></body></html>"#
    );
    assert_eq!(extract(&html), ar.map(String::from).to_vec());
    let html = format!(
        r#"<body><article>{}<p>The inquiry ended there.</p><p>You may also like...</p><div class="meta"><p>Posted in news.</p></div></article></body>"#,
        story(3)
    );
    assert_eq!(
        extract(&html),
        story_then_lines(3, &["The inquiry ended there."])
    );
}

#[test]
fn a_short_opening_sentence_in_the_storys_flow_is_kept() {
    // Three words opening the story beside its paragraphs; a short line in
    // a box of its own before it (a dateline box) is not the story's.
    let html = format!(
        r#"<body><article><div class="meta"><p>Filed in news.</p></div><p>It was May.</p>{}</article></body>"#,
        story(3)
    );
    assert_eq!(extract(&html), lines_then_story(&["It was May."], 3));
}

#[test]
fn a_sign_off_after_the_story_is_kept() {
    let html = format!(
        r#"<body><article>{}<p>Happy reading!</p><p>Love and light,</p><p>Filed under</p></article></body>"#,
        story(3)
    );
    let mut want = expected_story(3);
    want.extend(["Happy reading!".to_string(), "Love and light,".to_string()]);
    assert_eq!(extract(&html), want);
}

#[test]
fn one_word_items_of_a_list_in_the_story_are_kept_and_numbers_are_not() {
    let html = format!(
        r#"<body><article>{}<p>Apps that help you meditate every day:</p><ul><li>Headspace</li><li>Buddhify</li><li><a href="/c">Calm</a></li></ul>
            <ul class="pages"><li>1</li><li>2</li></ul>{}</article></body>"#,
        para(1),
        para(2)
    );
    let want: Vec<String> = [
        "Paragraph 1 of the story reports what the minister said about the case on Monday.",
        "Apps that help you meditate every day:",
        "Headspace",
        "Buddhify",
        "Calm",
        "Paragraph 2 of the story reports what the minister said about the case on Monday.",
    ]
    .map(String::from)
    .to_vec();
    assert_eq!(extract(&html), want);
}

#[test]
fn a_drop_cap_in_a_box_of_its_own_joins_its_word() {
    let html = format!(
        r#"<body><article><div class="first-letter">D</div><div class="text"><p>uring the war, the town lost half of its people to the cities of the coast and the north.</p>{}</div></article></body>"#,
        story(3)
    );
    let got = extract(&html);
    assert_eq!(
            got[0],
            "During the war, the town lost half of its people to the cities of the coast and the north."
        );
    assert_eq!(got[1..], expected_story(3));
}

#[test]
fn a_drop_cap_set_as_a_link_joins_its_word_and_leaves_no_link_behind() {
    // The letter's block is left empty, its link text with it: a block
    // holding more link text than text overflowed the measures of prose.
    let html = format!(
        r#"<body><article><div class="first-letter"><a href="/">D</a></div><div class="text"><p>uring the war, the town lost half of its people to the cities of the coast and the north.</p>{}</div></article></body>"#,
        story(3)
    );
    let got = extract(&html);
    assert_eq!(
            got[0],
            "During the war, the town lost half of its people to the cities of the coast and the north."
        );
    assert_eq!(got[1..], expected_story(3));
    // A short note (no block long enough to be prose) is all read.
    let note = r#"<body><div><a href="/d">D</a></div><div><p>uring the night, the office closed.</p></div></body>"#;
    assert_eq!(extract(note), ["During the night, the office closed."]);
}

#[test]
fn a_long_intro_in_a_box_with_an_image_is_kept() {
    let intro = "Most people in the country need more fibre, calcium, vitamin D and potassium in their diet, and they eat too much added sugar, saturated fat and salt, the new national guidelines say.";
    let html = format!(
        r#"<body><main><div class="post"><div class="summary"><div class="text"><p>{intro}</p></div><div class="image"><img src="a.jpg"></div></div><div class="meta">March 3</div><div class="body">{}</div></div></main></body>"#,
        story(8)
    );
    let got = extract(&html);
    assert_eq!(got[0], intro);
    assert_eq!(got[1..], expected_story(8));
}

#[test]
fn a_callout_aside_between_the_storys_paragraphs_is_kept_and_a_sidebar_aside_is_not() {
    let callout = "Americans spend a lot of time sitting: at desks, in cars, and in front of screens. Break up your sitting time by getting up and moving around, even if it is for only ten minutes at a time.";
    let html = format!(
        r#"<body><article>{}<aside><p><strong>Do not just sit there!</strong> {callout}</p></aside>
            <h2>Clinical trials</h2>{}<aside><p>Related:</p><ul><li><a href="/a">How to stay active at work when your days are long and busy</a></li><li><a href="/b">Ten stretches to do at your desk between meetings</a></li></ul></aside>{}</article>
            <aside><p>Our newsletter brings you the week's health news every Monday morning, with tips from our doctors.</p></aside></body>"#,
        story(4),
        para(5),
        para(6)
    );
    let mut want = expected_story(6);
    want.insert(4, format!("Do not just sit there! {callout}"));
    want.insert(5, "Clinical trials".to_string());
    assert_eq!(extract(&html), want);
}

/// A news page as sites written without spaces lay it out: a menu of
/// short links, the headline and a dateline, the story's `paragraphs`
/// in a box named in the site's own tongue, a box of related stories
/// and a footer.
fn unspaced_news_page(
    lang: &str,
    menu: &[&str],
    headline: &str,
    dateline: &str,
    paragraphs: &[&str],
    related: &[&str],
    footer: &[&str],
) -> String {
    let links = |texts: &[&str], at: &str| {
        texts
            .iter()
            .enumerate()
            .map(|(i, t)| format!(r#"<li><a href="/{at}/{i}.html">{t}</a></li>"#))
            .collect::<String>()
    };
    let paragraphs: String = paragraphs.iter().map(|p| format!("<p>{p}</p>")).collect();
    let footer: String = footer.iter().map(|p| format!("<p>{p}</p>")).collect();
    format!(
        r#"<html lang="{lang}"><body>
            <div class="top"><ul>{}</ul></div>
            <div class="main">
              <h1>{headline}</h1>
              <div class="info">{dateline}</div>
              <div class="wz">{paragraphs}</div>
              <div class="xg"><h3>{}</h3><ul>{}</ul></div>
            </div>
            <div class="foot">{footer}</div>
            </body></html>"#,
        links(menu, "pd"),
        related[0],
        links(&related[1..], "a"),
    )
}

#[test]
fn a_chinese_storys_short_paragraphs_are_the_article_and_its_menu_and_boxes_are_not() {
    let story = [
        "受强降雨影响，广东、广西等地多条高速公路和铁路线路于周一中断运行。",
        "气象部门表示，未来三天南方仍将有大到暴雨，局地可能出现特大暴雨。",
        "铁路部门已停运部分列车，并为滞留旅客提供免费改签和退票服务。",
        "当地政府已连夜组织低洼地区居民转移，目前尚无人员伤亡的报告。",
    ];
    let html = unspaced_news_page(
        "zh-CN",
        &["首页", "国内", "国际", "财经", "体育", "科技", "娱乐"],
        "暴雨致南方多地交通中断",
        "2024-05-13 09:30 来源：新华网",
        &story,
        &[
            "相关新闻",
            "广东启动防汛四级应急响应",
            "广西多地学校停课一天",
            "南方电网全力抢修受损线路",
        ],
        &[
            "关于我们 | 联系我们 | 广告服务",
            "版权所有 新闻网 京ICP备12345678号",
        ],
    );
    assert_eq!(extract(&html), story);
}

#[test]
fn a_japanese_storys_short_paragraphs_are_the_article_and_its_menu_and_boxes_are_not() {
    let story = [
        "西日本を中心に降り続いた大雨の影響で、山陽新幹線は十三日朝から運転を見合わせた。",
        "ＪＲ西日本によると、運転再開は午後になる見通しで、約五万人に影響が出ている。",
        "気象庁は、土砂災害や河川の増水に引き続き警戒するよう呼びかけている。",
        "各地の自治体は避難所を開設し、住民に早めの避難を求めた。",
    ];
    let html = unspaced_news_page(
        "ja",
        &["ホーム", "国内", "国際", "経済", "スポーツ", "エンタメ"],
        "大雨で新幹線が一時運転見合わせ",
        "2024年5月13日 9時30分",
        &story,
        &[
            "関連記事",
            "九州で記録的な大雨、各地で避難指示",
            "高速道路の通行止め続く",
            "気象庁が会見、警戒呼びかけ",
        ],
        &[
            "このサイトについて | お問い合わせ",
            "Copyright © ニュース All rights reserved.",
        ],
    );
    assert_eq!(extract(&html), story);
}

#[test]
fn a_thai_storys_short_paragraphs_are_the_article_and_its_menu_and_boxes_are_not() {
    let story = [
        "ฝนตกหนักต่อเนื่องทำให้เกิดน้ำท่วมในหลายจังหวัดทางภาคเหนือของประเทศ",
        "กรมอุตุนิยมวิทยาเตือนว่าฝนจะตกหนักต่อไปอีกอย่างน้อยสามวัน",
        "เจ้าหน้าที่ได้อพยพประชาชนออกจากพื้นที่เสี่ยงแล้วหลายพันครัวเรือน",
        "ยังไม่มีรายงานผู้เสียชีวิตจากเหตุการณ์ครั้งนี้",
    ];
    let html = unspaced_news_page(
        "th",
        &["หน้าแรก", "ข่าว", "กีฬา", "บันเทิง", "เศรษฐกิจ"],
        "ฝนตกหนักทำให้น้ำท่วมหลายจังหวัด",
        "13 พ.ค. 2567 09:30 น.",
        &story,
        &[
            "ข่าวที่เกี่ยวข้อง",
            "น้ำท่วมเชียงใหม่ระดับน้ำยังสูง",
            "รัฐบาลเตรียมงบช่วยผู้ประสบภัย",
            "ถนนหลายสายปิดการจราจร",
        ],
        &["เกี่ยวกับเรา | ติดต่อเรา", "สงวนลิขสิทธิ์ ข่าวออนไลน์"],
    );
    assert_eq!(extract(&html), story);
}

#[test]
fn deep_nesting_does_not_overflow() {
    let html = format!(
        "{}<p>Deep text that is long enough to be scored as content.</p>{}",
        "<div>".repeat(5_000),
        "</div>".repeat(5_000)
    );
    let got = extract(&html);
    assert!(got.len() <= 1);
}

#[test]
fn linked_heading_of_a_section_of_the_story_is_kept() {
    // A listicle's entries are headed by the name of what they review,
    // linked to it: each heads paragraphs of the story, so it is the
    // story's heading, not a teaser's headline. A teaser's linked
    // headline heads a one-line summary; a labelled cross-reference
    // stays out, as does a link to a place on the page.
    let html = r##"<body><article>
          <p>We tried a dozen online course platforms over three months and kept these two.</p>
          <h2><a href="https://platform-one.example/">1. Platform One</a></h2>
          <p>Platform One gives creators a course builder, quizzes and certificates out of the box.</p>
          <p>Its cheapest plan costs twenty dollars a month and allows unlimited students.</p>
          <h2><a href="https://platform-two.example/pricing">2. Platform Two</a></h2>
          <p>Platform Two is built for communities, with live sessions and member forums.</p>
          <ul><li>Live video sessions</li><li>Member forums</li></ul>
          <h3><a href="/blog/other-story">Another story on this site, by its headline</a></h3>
          <p>A one-line summary of that other story, which sits here as a teaser.</p>
          <h3><a href="/blog/more">Related: Why course platforms keep raising prices</a></h3>
          <p>Both platforms offer a free trial, so test them with a small course first.</p>
          <p>Whichever you choose, export your students' list regularly to stay free to move.</p>
        </article></body>"##;
    let got = extract(html);
    assert!(got.contains(&"1. Platform One".to_string()), "{got:?}");
    assert!(got.contains(&"2. Platform Two".to_string()), "{got:?}");
    assert!(
        !got.iter().any(|t| t.contains("Another story on this site")),
        "{got:?}"
    );
    assert!(!got.iter().any(|t| t.starts_with("Related")), "{got:?}");
    assert!(got.contains(&"Live video sessions".to_string()), "{got:?}");
}

#[test]
fn a_linked_heading_among_the_storys_paragraphs_over_one_paragraph_is_kept() {
    // A roundup whose entries are a linked name over one paragraph, set
    // among the story's own paragraphs: each name is the story's heading.
    // The same pair in a box of its own is a teaser and stays out.
    let html = r##"<body><article><div class="body">
          <p>We asked a dozen gardeners which tools they reach for first every spring, and three came up again and again.</p>
          <h3><a href="https://tools.example/trowel">Steel hand trowel</a></h3>
          <p>A forged trowel digs through clay without bending, and its long blade measures planting depth at a glance.</p>
          <div class="box"><h3><a href="/blog/other-story">Our guide to raised beds for small yards</a></h3>
          <p>Everything you need to know before you build your first raised bed this season, from wood to soil.</p></div>
          <h3><a href="https://tools.example/pruner">Bypass pruner</a></h3>
          <p>Bypass blades cut live stems cleanly instead of crushing them, which helps the plant heal before disease sets in.</p>
          <p>Whatever you buy, clean and oil your tools after each use and they will last for many seasons to come.</p>
        </div></article></body>"##;
    let got = extract(html);
    assert!(got.contains(&"Steel hand trowel".to_string()), "{got:?}");
    assert!(got.contains(&"Bypass pruner".to_string()), "{got:?}");
    assert!(
        !got.iter().any(|t| t.contains("Our guide to raised beds")),
        "{got:?}"
    );
}

#[test]
fn section_titles_set_in_header_elements_are_the_storys_headings() {
    // A `<header>` holding only a section's heading titles that section
    // of the story; the page's banner (name, menu) and the article's
    // header (headline, byline) stay out.
    let page = |h2a: &str, h2b: &str, p: &[&str; 4]| {
        format!(
            r#"<body><header class="site"><a href="/">Daily News</a><nav><a href="/world">World</a></nav></header>
                <article><header><h1>Headline</h1><p>By Jane Roe</p></header>
                <section><header><h2>{h2a}</h2></header><p>{}</p><p>{}</p></section>
                <section><header><h2>{h2b}</h2></header><p>{}</p><p>{}</p></section>
                </article></body>"#,
            p[0], p[1], p[2], p[3]
        )
    };
    let en = [
        "The river broke its banks on Tuesday night and flooded the lower town within hours.",
        "Residents were moved to the school on the hill, where the army set up field kitchens.",
        "Engineers will inspect the bridge on Friday before it is opened to traffic again.",
        "The council said repairs to the embankment would take most of the coming year.",
    ];
    assert_eq!(
        extract(&page("What happened", "What comes next", &en)),
        vec![
            "What happened",
            en[0],
            en[1],
            "What comes next",
            en[2],
            en[3]
        ]
    );
    let fa = [
            "رودخانه سه‌شنبه شب طغیان کرد و در چند ساعت بخش پایین شهر را زیر آب برد و خانه‌ها را ویران کرد.",
            "ساکنان به مدرسه‌ای روی تپه منتقل شدند و ارتش در آنجا آشپزخانه‌های صحرایی برپا کرد تا غذا بدهد.",
            "مهندسان روز جمعه پیش از بازگشایی پل برای عبور خودروها آن را به دقت بازرسی خواهند کرد.",
            "شورای شهر گفت تعمیر دیواره ساحلی رودخانه بیشتر سال آینده را خواهد گرفت و هزینه زیادی دارد.",
        ];
    assert_eq!(
        extract(&page("چه اتفاقی افتاد", "قدم بعدی چیست", &fa)),
        vec![
            "چه اتفاقی افتاد",
            fa[0],
            fa[1],
            "قدم بعدی چیست",
            fa[2],
            fa[3]
        ]
    );
}

#[test]
fn a_headings_anchor_made_of_its_own_words_names_no_furniture() {
    // Tables of contents link to headings by ids made of their words:
    // "social", "credit" or "related" there say what the section is
    // about. A box named so (not after its own text) stays out.
    let html = format!(
        r#"<body><article>{}
            <h2 id="how-social-media-spread-the-video">How social media spread the video</h2>{}
            <h3 id="h-the-child-tax-credit">The child tax credit</h3>{}
            <h3 id="who-gets-related-benefits">Who gets related benefits?</h3>{}
            <div id="related-stories"><h3>Read next in our coverage</h3><p>A summary of another story that sits in a box beside this one, long enough to count.</p></div>
            {}</article></body>"#,
        para(1),
        para(2),
        para(3),
        para(4),
        para(5)
    );
    let mut want = expected_story(5);
    want.insert(1, "How social media spread the video".into());
    want.insert(3, "The child tax credit".into());
    want.insert(5, "Who gets related benefits?".into());
    assert_eq!(extract(&html), want);
}

#[test]
fn a_linked_heading_over_a_products_details_or_a_long_paragraph_is_kept() {
    // A roundup's entries are linked to what they review; under the
    // name come its details before its sentences, or one long
    // paragraph. A teaser's headline over a sentence of summary stays
    // out.
    let long = "This trail follows the bayou for seven miles through parks and old neighbourhoods, with shade most of the way, water fountains at every mile and bridges that give the best views of the skyline. It is paved, lit at night and busy with families at weekends, so come early. A new link opened this spring joins it to the downtown paths, and the city plans a second one to the port by next summer.";
    let long_fa = "این مسیر دوچرخه‌سواری هفت کیلومتر در کنار رودخانه از میان پارک‌ها و محله‌های قدیمی می‌گذرد و بیشتر راه سایه دارد؛ در هر کیلومتر آبخوری هست و از روی پل‌هایش بهترین منظره شهر دیده می‌شود. مسیر آسفالت است، شب‌ها روشن است و آخر هفته‌ها پر از خانواده‌هاست، پس زود بیایید. بهار امسال شاخه تازه‌ای آن را به مسیرهای مرکز شهر وصل کرد و شهرداری می‌خواهد تا تابستان آینده شاخه دیگری تا بندر بسازد.";
    let html = format!(
        r#"<body><article>
            <p>We rode every trail in the city this summer, and these are the ones we keep going back to.</p>
            <h2><a href="https://maker-one.example/">1. Maker One Brewer</a></h2>
            <ul><li>Size: 14 x 12 x 6</li><li>Filter style: cone</li></ul>
            <p>It brews a full pot in six minutes and keeps it hot for two hours without burning it.</p>
            <p>Its glass carafe is the one part that may break, and a spare costs thirty dollars.</p>
            <h3><a href="https://trails.example/bayou">Bayou Greenway</a></h3>
            <p>{long}</p>
            <h3><a href="https://trails.example/fa">مسیر کنار رودخانه</a></h3>
            <p>{long_fa}</p>
            <h3><a href="/blog/other-story">Another story on this site, by its headline</a></h3>
            <p>A one-line summary of that other story, which sits here as a teaser.</p>
            <h3>Before you go</h3>
            <p>Whichever trail you choose, bring water and ride early, before the heat of the day.</p>
            </article></body>"#
    );
    let got = extract(&html);
    for heading in ["1. Maker One Brewer", "Bayou Greenway", "مسیر کنار رودخانه"] {
        assert!(got.contains(&heading.to_string()), "{heading}: {got:?}");
    }
    assert!(
        !got.iter().any(|t| t.contains("Another story on this site")),
        "{got:?}"
    );
}

#[test]
fn a_legal_disclaimer_in_the_storys_box_is_not_article_text_and_does_not_narrow_it() {
    let html = format!(
        r##"<html><body>
            <nav><a href="/">Home</a> <a href="/funds">Funds</a></nav>
            <div id="content">
              <div class="hero"><img src="hero.jpg" alt=""><p>Index funds remain a simple way to invest, with low costs and wide diversification for most savers.</p></div>
              <div class="body">{}</div>
              <div class="text text--disclaimer">
                <p>All investing is subject to risk, including the possible loss of the money you invest. Diversification does not ensure a profit or protect against a loss.</p>
                <p>Bond funds are subject to the risk that an issuer will fail to make payments on time, and that bond prices will decline because of rising interest rates.</p>
              </div>
            </div>
        </body></html>"##,
        story(6)
    );
    assert_eq!(
        extract(&html),
        lines_then_story(
            &["Index funds remain a simple way to invest, with low costs and wide diversification for most savers."],
            6
        )
    );
}

#[test]
fn placeholder_text_a_template_left_in_is_not_article_text() {
    let html = format!(
        r#"<body><main>{}<div class="box"><h3>Lorem Ipsum</h3><p>Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt ut labore et dolore magna aliqua.</p><ul><li>Lorem ipsum 1</li><li>Lorem ipsum 2</li></ul></div></main></body>"#,
        story(4)
    );
    assert_eq!(extract(&html), expected_story(4));
    // A page that is all placeholder (a template's demo) reads as it stands.
    let demo = "<body><article><h2>Lorem Ipsum</h2><p>Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt ut labore et dolore magna aliqua.</p><p>Ut enim ad minim veniam, quis nostrud exercitation ullamco laboris nisi ut aliquip ex ea commodo consequat.</p></article></body>";
    assert_eq!(
        extract(demo),
        [
            "Lorem Ipsum",
            "Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt ut labore et dolore magna aliqua.",
            "Ut enim ad minim veniam, quis nostrud exercitation ullamco laboris nisi ut aliquip ex ea commodo consequat."
        ]
    );
    // A quotation in Latin is no placeholder.
    let quoted = format!(
        "<body><article>{}<blockquote>Veni, vidi, vici: alea iacta est, et tempus fugit.</blockquote></article></body>",
        story(4)
    );
    assert_eq!(extract(&quoted).len(), 5);
}

#[test]
fn a_placeholder_saying_what_is_loading_is_not_article_text() {
    let html = format!(
        r#"<body><article>{}<p>Loading image...</p><h3>Loading dock safety</h3>{}<p>Loading comments…</p></article></body>"#,
        story(4),
        para(5)
    );
    let mut want = expected_story(5);
    want.insert(4, "Loading dock safety".into());
    assert_eq!(extract(&html), want);
}

#[test]
fn the_box_in_which_the_site_speaks_of_itself_after_the_story_is_not_article_text() {
    let html = format!(
        r#"<body><article>{}<h3>About Example Street</h3>{}<div class="box"><h3>Support Daily Example</h3><p>Our reporting is expensive to produce. If you enjoyed this story, please support us with a small donation.</p></div><div class="box"><h3>About Daily Example Media</h3><p>Daily Example Media is an independent newsroom covering the city since 1998.</p></div></article></body>"#,
        story(4),
        (5..=6).map(para).collect::<String>()
    );
    let read = |site, url: Option<&str>| -> Vec<String> {
        let url = url.map(|u| url::Url::parse(u).unwrap());
        blocks(
            &Html::parse_document(&html),
            None,
            None,
            None,
            site,
            url.as_ref(),
        )
        .into_iter()
        .map(|b| b.text)
        .collect()
    };
    let mut want = expected_story(4);
    want.push("About Example Street".into());
    want.extend(expected_story(6).split_off(4));
    assert_eq!(read(Some("Daily Example"), None), want);
    // Its address names the site as well: `og:site_name` may come and go
    // from one fetch to the next, and the story must not change with it.
    let address = Some("https://www.dailyexample.co.uk/city/story-1");
    assert_eq!(read(None, address), want);
    assert_eq!(read(Some("Daily Example"), address), want);
    // A page that does not name its site keeps them: they read as text.
    assert_eq!(read(None, None).len(), want.len() + 4);
    assert_eq!(
        read(None, Some("https://www.example.org/")).len(),
        want.len() + 4
    );
    // A saved page read without its address is taken to live at the
    // canonical address it declares; a fetched page's own address wins.
    let saved = html.replace(
        "<body>",
        r#"<head><link rel="canonical" href="https://dailyexample.com/story-1"></head><body>"#,
    );
    let article = |url: Option<&str>| -> Vec<String> {
        let url = url.map(|u| url::Url::parse(u).unwrap());
        crate::extract::article(&saved, url.as_ref(), None)
            .blocks
            .into_iter()
            .map(|b| b.text)
            .collect()
    };
    assert_eq!(article(None), want);
    assert_eq!(
        article(Some("https://www.example.org/story-1")).len(),
        want.len() + 4
    );
}

#[test]
fn a_one_word_label_with_a_colon_is_kept_over_what_it_introduces() {
    // "Pros:" and "Cons:" set as paragraphs of their own head the lists
    // after them, and so does a word set in bold; a one-word fragment
    // without either is furniture.
    let html = format!(
        r#"<body><article>{}{}<p><strong>Pros:</strong></p><ul><li>Biggest library of the lot</li><li>Good app</li></ul>
            <p>Cons:</p><ul><li>Pricey for what it offers</li></ul><p><b>Features</b></p><ul><li>Offline reading</li></ul>
            <p>Menu</p>{}{}</article></body>"#,
        para(1),
        para(2),
        para(3),
        para(4)
    );
    let mut want = story_then_lines(
        2,
        &[
            "Pros:",
            "Biggest library of the lot",
            "Good app",
            "Cons:",
            "Pricey for what it offers",
            "Features",
            "Offline reading",
        ],
    );
    want.extend(expected_story(4).split_off(2));
    assert_eq!(extract(&html), want);
}

#[test]
fn a_heading_that_links_to_itself_is_the_sections_title() {
    // Static-site generators wrap a heading's text in a link to the heading
    // (its permalink); a heading that links to another place on the page
    // is an entry of a table of contents.
    let html = format!(
        r##"<body><article><h2 id="the-good"><a href="#the-good">The good parts</a></h2>{}{}
            <h2><a id="the-bad"></a><a href="#the-bad">The bad parts</a></h2>{}
            <h3><a href="#the-good">Back to the good parts</a></h3>{}</article></body>"##,
        para(1),
        para(2),
        para(3),
        para(4)
    );
    let mut want = vec!["The good parts".to_string()];
    let mut story = expected_story(4);
    let rest = story.split_off(2);
    want.extend(story);
    want.push("The bad parts".to_string());
    want.extend(rest);
    assert_eq!(extract(&html), want);
}

#[test]
fn template_markup_left_unrendered_is_not_story_text() {
    // A shortcode with attributes, a placeholder named as a constant and a
    // template expression go; a bracketed word of the story stays.
    let html = format!(
        r#"<body><article>{}<p>[convertkit form=1630175]</p><p>[CTA_MODULE]</p>{}
            <p>{{{{hire-dev="/case-banners/hire-dev"}}}}</p><h3>[Purpose]</h3>{}</article></body>"#,
        para(1),
        para(2),
        para(3)
    );
    let mut want = expected_story(2);
    want.push("[Purpose]".to_string());
    want.extend(expected_story(3).split_off(2));
    assert_eq!(extract(&html), want);
}

#[test]
fn the_pages_notice_to_the_reader_about_itself_is_not_article_text() {
    for line in [
        "If you like it, please share it!",
        "Like this story? Share it with a friend!",
        "Love The Weekly Letter? Tell your friends and get rewards.",
        "To read the rest of this story subscribe to Example+.",
        "Become a paid subscriber to Example to unlock this piece and learn about:",
        "Unlock this article — plus in-depth analysis, newsletters and news alerts.",
        "How Was This Issue?",
        "What did you think of today's newsletter?",
        "If you liked this post you might also like:",
        "A. Writer - \"Back of Beyond\" is a reader-supported publication. To receive new posts and support my work, consider becoming a free or paid subscriber.",
        "Thanks for reading The Example Report! This post is public so feel free to share it.",
        "We use cookies to provide you with the best possible experience. By continuing to use this site, you agree to our use of cookies. See Cookie Policy.",
        "WE USE COOKIES. BY CONTINUING TO USE THIS SITE, YOU AGREE TO OUR USE OF COOKIES.",
    ] {
        let html = format!("<body><article>{}<p>{line}</p></article></body>", story(4));
        assert_eq!(extract(&html), expected_story(4), "{line}");
    }
    let html = format!(
        "<body><article>{}<div class=box><h2>This article is exclusive to Example+ subscribers</h2><a href=/join>Join</a></div></article></body>",
        story(4)
    );
    assert_eq!(extract(&html), expected_story(4));
    // A sentence of the story that asks the reader to share something, or
    // a question of the story, goes on past the appeal's or poll's words.
    for ask in [
        "If you know of a free course not listed here, please share it in the comments.",
        "How was this issue settled before the council met?",
        "We use cookies to remember what is in a reader's basket, the shop's owner said, and nothing else.",
    ] {
        let html = format!("<body><article>{}<p>{ask}</p></article></body>", story(4));
        assert!(extract(&html).iter().any(|t| t == ask), "{ask}");
    }
}

#[test]
fn a_forms_fine_print_in_the_story_is_left_out() {
    // A sign-up box a script sends (no `<form>`) set between the story's
    // paragraphs, and a player's notice under its button: the lines that
    // bind the reader to the site's terms are no text of the story; a
    // sentence of the story that opens the same way names no policy.
    let html = format!(
        r#"<body><article>{}<div class="box"><input type="email"><p>By signing up, you agree to receive recurring messages from us. See our Privacy Policy and Terms of Use.</p></div>{}<div class="player"><p>By clicking to watch this video, you agree to our privacy policy.</p></div><p>By signing the lease, tenants agree to its terms and to the landlord's rules.</p></article></body>"#,
        story(3),
        (4..=6).map(para).collect::<String>()
    );
    assert_eq!(
        extract(&html),
        story_then_lines(
            6,
            &["By signing the lease, tenants agree to its terms and to the landlord's rules."]
        )
    );
}

/// A site-wide box the page shows twice, once in its `<footer>` and once
/// in a copy for other screens after the story (reviews of the business),
/// is not the story: its paragraphs that the footer repeats are left out.
#[test]
fn paragraphs_the_page_footer_repeats_are_not_story_text() {
    let reviews: String = [
        "The staff always take the time to listen to every question we have about the kids.",
        "We switched clinics last year and could not be happier with the care our son receives.",
        "Friendly people who seem to care, and the doctors explain everything in plain words.",
        "The front desk is kind and reassuring, and they never fail to fit us in the same day.",
        "Our daughter loves her visits, which says a lot about how the nurses treat children.",
    ]
    .iter()
    .map(|r| format!("<div class=review><p>{r}</p><div class=name>Dana R.</div></div>"))
    .collect();
    let copy = format!("<div class=slider>{reviews}</div>");
    let page = |footer: &str| {
        format!(
            "<body><div class=site><div class=post>{}</div>{copy}</div><footer>{footer}<p>Copyright the clinic.</p></footer></body>",
            story(3)
        )
    };
    let is_review = |t: &String| t.contains("the") && !t.starts_with("Paragraph");
    // The reviews go; the reviewers' names, too short to be told from
    // the story's own lines, stay.
    let got = extract(&page(&copy));
    assert_eq!(got[..3], expected_story(3), "{got:?}");
    assert!(!got.iter().any(is_review), "{got:?}");
    // Without the footer's copy, nothing tells the box from the story's
    // text: it is read.
    assert!(extract(&page("")).iter().any(is_review));
}

#[test]
fn keeps_list_items_set_as_headings() {
    // Page builders set a list's short items in heading type
    // (`<li><h3>...</h3></li>`), linked products too: they are the list's
    // items, not headings and not teasers' headlines.
    let html = r##"<html><body><article>
        <p>Every electrician needs a good multimeter, which measures voltage, current and resistance.</p>
        <h4>Top recommendations:</h4>
        <ul>
          <li><h2><a href="https://shop.example/a">Meter Model 117</a></h2></li>
          <li><h2><a href="https://shop.example/b">Meter Model 400</a></h2></li>
        </ul>
        <p>Wire strippers remove the insulation from wires; look for adjustable cutting slots.</p>
        <h2>What the brand uses</h2>
        <ul><li><h3>organic cotton</h3></li><li><h3>fair trade</h3></li><li><h3>recycled fibres</h3></li></ul>
      </article></body></html>"##;
    let html = Html::parse_document(html);
    let got = blocks(&html, None, None, None, None, None);
    let items: Vec<&str> = got
        .iter()
        .filter(|b| b.kind == BlockKind::ListItem)
        .map(|b| b.text.as_str())
        .collect();
    assert_eq!(
        items,
        vec![
            "Meter Model 117",
            "Meter Model 400",
            "organic cotton",
            "fair trade",
            "recycled fibres"
        ]
    );
}

#[test]
fn follows_a_list_set_in_two_columns() {
    // The story's box ends with a list whose items go on in the next box
    // (a two-column layout), where the story goes on too.
    let html = r##"<html><body><main>
        <div>
          <p>Regular preventive maintenance is vital to keeping your vehicle on the road for years.</p>
          <p>Even the most reliable cars need their oil, filters and fluids checked and maintained on schedule.</p>
          <p>Below is a list of common vehicle components that should be checked and serviced.</p>
          <ul><li>Belts</li><li>Exhaust system</li></ul>
        </div>
        <div class="two-columns"><div>
          <ul><li>Hoses</li><li>Wiper blades</li></ul>
          <h3>Save time</h3>
          <p>You can save the time of checking these parts yourself by bringing your vehicle to a garage.</p>
        </div></div>
      </main></body></html>"##;
    let got = extract(html);
    assert!(got.iter().any(|t| t == "Hoses"), "{got:?}");
    assert!(got.iter().any(|t| t.starts_with("You can save")), "{got:?}");
}

#[test]
fn a_box_about_the_reviewer_after_the_story_is_not_article_text() {
    // A health story's reviewer gets the same card as its author.
    let html = format!(
        r##"<body><article><div class="body">{}</div>
            <div class="card"><h2>About the Reviewer</h2><div><img src="r.jpg"><p>Jane Roe, MD, Editor in Chief of the health letter.</p><div>Dr. Jane Roe is a physician practising in Boston, where she completed her residency training.</div></div></div></article></body>"##,
        story(3)
    );
    assert_eq!(extract(&html), expected_story(3));
}

/// A reader's comment: a name, a date, a paragraph of prose longer than the
/// story's, and a reply link, in a layout whose class names say nothing.
fn comment(n: usize) -> String {
    format!(
        r##"<li class="x1a"><article class="x2b"><p class="x3c">Reader {n} says</p><p class="x4d"><a href="#c{n}">July 14, 2015 at 3:53 pm</a></p><div class="x5e"><p>Comment {n}: I tried this in my own garden last summer and it worked far better than anything I had bought at the store, thank you so much for sharing it.</p></div><a class="x6f" href="#reply">Reply</a></article></li>"##
    )
}

#[test]
fn a_section_opened_by_a_heading_of_comments_is_not_the_story_whatever_it_is_called() {
    // Hashed class names say nothing; the heading says what the section is,
    // even when the comments hold more prose than the story.
    let comments: String = (1..=6).map(comment).collect();
    for heading in [
        "<h3>109 Comments</h3>",
        "<h2>Leave a Reply</h2>",
        "<div class=\"x7a\"><span>33</span> Comments</div>",
        "<h2>Top Rated Comments</h2>",
        "<h3>3 thoughts on &ldquo;<span>Ten Things I Wish I Had Known Before I Began Learning Embedded Systems</span>&rdquo;</h3>",
    ] {
        let html = format!(
            r#"<body><div class="x0"><article class="x9">{}</article><h2 class="x8">Reader Interactions</h2><div class="x5b">{heading}<ol class="x6c">{comments}</ol></div></div></body>"#,
            story(2)
        );
        assert_eq!(extract(&html), expected_story(2), "{heading}");
    }
}

#[test]
fn a_line_of_the_story_that_names_a_response_is_its_text() {
    // "Response:" counts no comments: a label of the story's own.
    let html = format!(
        r#"<body><article>{}<div><p><strong>Response:</strong></p>{}</div></article></body>"#,
        story(2),
        para(3)
    );
    let mut want = expected_story(2);
    want.push("Response:".to_string());
    want.extend(expected_story(3).into_iter().skip(2));
    assert_eq!(extract(&html), want);
}

#[test]
fn a_caption_that_credits_an_agency_or_a_copyright_is_not_the_story() {
    // Hashed class names do not say "caption"; the credit does. A sentence
    // that points at a photo credits nobody.
    let html = format!(
        r#"<body><article>{}<div class="x1a"><div class="x2b"><img src="a.jpg"></div><div class="x3c"><p><span>A worker loads garage door trims into his truck outside a store in Hialeah.</span><span> (AP Photo/A. Person, File)</span></p></div></div><div class="x4d"><img src="b.jpg"><span class="x5e">Image copyright Getty Images</span></div>{}<p>The mayor stood by the memorial all morning (see photo below) and spoke to the crowd.</p></article></body>"#,
        story(2),
        para(3)
    );
    let mut want = expected_story(3);
    want.push(
        "The mayor stood by the memorial all morning (see photo below) and spoke to the crowd."
            .to_string(),
    );
    assert_eq!(extract(&html), want);
    // A credit set after the caption's last sentence.
    let html = format!(
        r#"<body><article>{}<div class="x1a"><img src="a.jpg"><p class="x3c">A member of the team tests a GPS watch on a ridgeline. Photo: Example/A. Person</p></div><div class="x4d"><img src="b.jpg"><p>The chain opened 80 units this year, with 150 planned. | Photo by A. Person</p></div><div class="x5e"><img src="c.jpg"><p>The new store on the high street opened on Monday. PHOTO: A. PERSON</p></div>{}</article></body>"#,
        story(2),
        para(3)
    );
    assert_eq!(extract(&html), expected_story(3));
}

#[test]
fn a_newsletter_pitch_in_the_story_is_left_out() {
    // The pitch set between the story's paragraphs, its link on the
    // newsletter's name only.
    let html = format!(
        r#"<body><article>{}<p>Love movies? Our <a href="/newsletters">Watch Party</a> newsletter has all the best picks, delivered right to your inbox.</p>{}</article></body>"#,
        story(3),
        (4..=6).map(para).collect::<String>()
    );
    assert_eq!(extract(&html), expected_story(6));
}

#[test]
fn a_page_encoded_twice_is_read_as_it_was_written() {
    // UTF-8 read as windows-1252 and written out again ("donâ€™t"), as a
    // site's database or converter may: the story reads as its writer wrote
    // it, its headline and every paragraph, whether the page wrote the runs
    // out or as entities.
    let article = |html: &str| -> Vec<String> {
        crate::extract::article(html, None, None)
            .blocks
            .into_iter()
            .map(|b| b.text)
            .collect()
    };
    let html = r#"<html><head><title>The minister&acirc;&euro;&trade;s reply</title></head><body><article><h1>The minister&acirc;&euro;&trade;s reply</h1>
        <p>The minister said on Monday that she didnâ€™t know about the plan until the report was published.</p>
        <p>â€œWe will look at it again,â€&#157; she told reporters outside the ministry in the afternoon.</p>
        <p>The cafÃ© owners said the rules change nothing for them, at least not this year.</p>
        </article></body></html>"#;
    assert_eq!(
        article(html),
        vec![
            "The minister said on Monday that she didn’t know about the plan until the report was published.",
            "“We will look at it again,” she told reporters outside the ministry in the afternoon.",
            "The café owners said the rules change nothing for them, at least not this year.",
        ]
    );
    let doc = crate::extract::article(html, None, None);
    assert_eq!(doc.title.as_deref(), Some("The minister’s reply"));
    // One or two such runs are the page's own: a quoted "‘ß’", an article
    // on mojibake that shows what "Ã©" is.
    let own = r#"<html><body><article>
        <p>Folding the case of ‘ß’ gives ‘ss’, and a page read in the wrong encoding shows é as "Ã©" in every word.</p>
        <p>The minister said on Monday that she did not know about the plan until the report was published.</p>
        </article></body></html>"#;
    assert_eq!(
        article(own),
        vec![
            "Folding the case of ‘ß’ gives ‘ss’, and a page read in the wrong encoding shows é as \"Ã©\" in every word.",
            "The minister said on Monday that she did not know about the plan until the report was published.",
        ]
    );
}
