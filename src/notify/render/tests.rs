//! Tests that run the whole renderer: an alert in, its text and HTML out
//! (bylines, changed letters in scripts written without spaces, prose
//! outside the article, photo captions, long runs of removed paragraphs,
//! moved paragraphs, changed headlines, deleted sentences), and their
//! helpers (`edit_alert`, `field_alert`, `html_of`).

use super::html::{del, ins};
use super::*;

#[test]
fn a_byline_that_only_repeats_the_outlet_is_left_out() {
    let ctx = Context::default();
    let mut alert = crate::alert::test_alert();
    alert.kind = ChangeKind::Edited;
    alert.outlet = "IranWire".into();
    alert.byline = Some("IranWire".into());
    for shown in [text(&alert, &ctx), html(&alert, &ctx)] {
        assert!(!shown.contains("By IranWire"), "{shown}");
        assert!(!shown.contains("By <span>IranWire"), "{shown}");
    }
    alert.byline = Some("Deepa Parent".into());
    assert!(text(&alert, &ctx).contains("By Deepa Parent · detected"));
    alert.byline = Some("By IranWire".into());
    assert!(!text(&alert, &ctx).contains("By IranWire"));
}

#[test]
fn a_byline_label_in_persian_or_arabic_is_not_shown_after_by() {
    let ctx = Context::default();
    let mut alert = crate::alert::test_alert();
    alert.kind = ChangeKind::Edited;
    for (printed, name) in [
        ("بقلم: أحمد الخطيب", "أحمد الخطيب"),
        ("بقلم أحمد الخطيب", "أحمد الخطيب"),
        ("نویسنده: سارا احمدی", "سارا احمدی"),
        ("به قلم سارا احمدی", "سارا احمدی"),
        ("Author: Jane Doe", "Jane Doe"),
        ("Par Jeanne Dupont", "Jeanne Dupont"),
    ] {
        alert.byline = Some(printed.into());
        let text = text(&alert, &ctx);
        assert!(
            text.contains(&format!("By {} · detected", isolate(name))),
            "{printed}: {text}"
        );
        let html = html(&alert, &ctx);
        assert!(
            !html.contains("بقلم") && !html.contains("نویسنده"),
            "{html}"
        );
        assert!(
            !html.contains("Author:") && !html.contains("Par "),
            "{html}"
        );
    }
    // A name that begins with a label's word, without its colon, is a name.
    for name in ["Author Smith", "Reporter Jones", "Writer Kim"] {
        alert.byline = Some(name.into());
        assert!(text(&alert, &ctx).contains(&format!("By {name} · detected")));
    }
}

#[test]
fn a_byline_the_page_prints_with_by_is_not_doubled() {
    let ctx = Context::default();
    let mut alert = crate::alert::test_alert();
    alert.kind = ChangeKind::Edited;
    alert.byline = Some("By Jane Doe".into());
    let text = text(&alert, &ctx);
    assert!(text.contains("By Jane Doe · detected"), "{text}");
    assert!(!text.contains("By By"), "{text}");
    let html = html(&alert, &ctx);
    assert!(html.contains("By <span>Jane Doe</span>"), "{html}");
}

#[test]
fn a_summary_that_goes_on_from_the_kinds_words_is_shown_whole() {
    let ctx = Context::default();
    let mut alert = crate::alert::test_alert();
    alert.kind = ChangeKind::Error;
    alert.summary = "Cannot check this watch: 3 failures in a row".into();
    let text = text(&alert, &ctx);
    assert!(
        text.contains("\nCannot check this watch: 3 failures in a row\n"),
        "{text}"
    );
    assert!(!text.contains("\nthis watch"), "{text}");
    assert!(html(&alert, &ctx).contains(">Cannot check this watch: 3 failures in a row<"));
    // The kind as a part of its own is said once.
    alert.kind = ChangeKind::HeadlineChanged;
    alert.summary = "Headline changed; 1 paragraph added".into();
    let text = super::text(&alert, &ctx);
    assert!(text.contains("\n1 paragraph added\n"), "{text}");
}

/// A summary's parts read as one line: a kind named after the first is
/// not capitalised mid-line ("Article is back, correction added", not
/// "Article is back, Correction added").
#[test]
fn a_summary_of_several_parts_reads_as_one_line() {
    let ctx = Context::default();
    let mut alert = crate::alert::test_alert();
    alert.kind = ChangeKind::Restored;
    alert.summary = "Article is back; Correction added; 1 paragraph added".into();
    let text = text(&alert, &ctx);
    assert!(
        text.contains("\nArticle is back, correction added, 1 paragraph added\n"),
        "{text}"
    );
}

/// An edit alert for one paragraph changed from `old` to `new`.
fn edit_alert(old: &str, new: &str) -> Alert {
    let doc = |p: &str| crate::document::Document {
        title: Some("T".into()),
        blocks: vec![crate::document::Block::paragraph(p)],
        ..Default::default()
    };
    let mut alert = crate::alert::test_alert();
    alert.kind = ChangeKind::Edited;
    alert.change = crate::compare::compare(&doc(old), &doc(new), &crate::compare::Rules::default());
    alert
}

#[test]
fn a_changed_chinese_or_thai_letter_is_marked_alone_without_spaces_around_it() {
    let ctx = Context::default();
    for (old, new, line, html_marks) in [
        (
            "他在被判处八年徒刑后，徒步越过边境。",
            "他在被判处九年徒刑后，徒步越过边境。",
            "他在被判处[-八-]{+九+}年徒刑后，徒步越过边境。",
            format!("处{}{}年", del("八"), ins("九")),
        ),
        (
            "ราคาน้ำมันไม่เปลี่ยนแปลง",
            "ราคาน้ำมันไม้เปลี่ยนแปลง",
            "ราคาน้ำมัน[-ไม่-]{+ไม้+}เปลี่ยนแปลง",
            format!("มัน{}{}เป", del("ไม่"), ins("ไม้")),
        ),
        (
            "他在被判处八年徒刑。",
            "他在被判处徒刑。",
            "他在被判处[-八年-]徒刑。",
            format!("处{}徒", del("八年")),
        ),
    ] {
        let alert = edit_alert(old, new);
        let text = text(&alert, &ctx);
        assert!(text.contains(&format!("\n  {line}\n")), "{text}");
        let html = html(&alert, &ctx);
        assert!(html.contains(&html_marks), "{html}");
    }
    // A long paragraph keeps a few characters of context on each side.
    let before = "伊朗导演穆罕默德·拉苏洛夫周一在一份声明中表示，";
    let after = "年徒刑后，他徒步越过崎岖的山区边境，几天前抵达欧洲。";
    let alert = edit_alert(
        &format!("{before}他在被判处八{after}"),
        &format!("{before}他在被判处九{after}"),
    );
    let text = text(&alert, &ctx);
    assert!(
        text.contains("\n  … 一份声明中表示，他在被判处[-八-]{+九+}年徒刑后，他徒步越过崎岖的 …\n"),
        "{text}"
    );
    assert!(
        text.contains("the paragraph beginning \u{201C}伊朗导演穆罕默德·…\u{201D}"),
        "{text}"
    );
}

/// An alert for a story whose headline (and byline) changed, its text unchanged.
fn field_alert(headline: (&str, &str), byline: Option<(&str, &str)>) -> Alert {
    let doc = |title: &str, by: Option<&str>| crate::document::Document {
        title: Some(title.into()),
        byline: by.map(str::to_string),
        blocks: vec![crate::document::Block::paragraph(
            "The filmmaker said he had left the country after his sentence.",
        )],
        ..Default::default()
    };
    let mut alert = crate::alert::test_alert();
    alert.kind = ChangeKind::HeadlineChanged;
    alert.title = Some(headline.1.into());
    alert.change = crate::compare::compare(
        &doc(headline.0, byline.map(|b| b.0)),
        &doc(headline.1, byline.map(|b| b.1)),
        &crate::compare::Rules::default(),
    );
    assert!(alert.change.is_some());
    alert
}

#[test]
fn prose_added_outside_the_article_is_not_said_to_open_the_story() {
    let story = "The filmmaker said he had left the country after his sentence.";
    let box_ = "Our newsroom has covered the case since his first arrest in 2010.";
    let doc = |other: &[&str]| crate::document::Document {
        title: Some("Filmmaker flees".into()),
        blocks: vec![crate::document::Block::paragraph(story)],
        other_prose: other
            .iter()
            .map(|t| crate::document::Prose::paragraph(t))
            .collect(),
        ..Default::default()
    };
    let mut alert = crate::alert::test_alert();
    alert.kind = ChangeKind::PossiblyEdited;
    alert.change = crate::compare::compare(
        &doc(&[box_]),
        &doc(&[
            "Read more: the court upheld the sentence on appeal last week",
            box_,
        ]),
        &crate::compare::Rules::default(),
    );
    let ctx = Context::default();
    let text = text(&alert, &ctx);
    assert!(
        text.contains("New paragraph:\n  {+Read more: the court upheld"),
        "{text}"
    );
    assert!(!text.contains("at the start"), "{text}");
    assert!(!html(&alert, &ctx).contains("at the start"));
}

#[test]
fn an_alert_shows_the_first_lines_of_a_long_removed_run_and_diff_shows_it_whole() {
    use crate::document::{Block, Document};
    let kept = "The court in Tehran sentenced the director to six years in prison on Monday.";
    let removed: Vec<String> = (1..=6)
        .map(|i| {
            format!(
                "Witness {i} told the court that the director had been held without a lawyer \
                 for weeks, that his family was not told where he was, and that the charges \
                 were read to him only on the morning of the hearing, paragraph {i}."
            )
        })
        .collect();
    let doc = |paragraphs: &[&str]| Document {
        title: Some("Director sentenced".into()),
        blocks: paragraphs.iter().map(|p| Block::paragraph(p)).collect(),
        ..Default::default()
    };
    let mut before = vec![kept];
    before.extend(removed.iter().map(String::as_str));
    let mut alert = crate::alert::test_alert();
    alert.kind = ChangeKind::PossiblyEdited;
    alert.change = crate::compare::compare(
        &doc(&before),
        &doc(&[kept]),
        &crate::compare::Rules::default(),
    );
    let mailed = Context::default();
    let whole = Context {
        whole: true,
        ..Context::default()
    };
    for render in [text, html] {
        // The text part's wrapped lines read as one.
        let cut = render(&alert, &mailed).replace("\n  ", " ");
        assert!(cut.contains("… and 2 more paragraphs"), "{cut}");
        assert!(!cut.contains("paragraph 1."), "{cut}");
        let all = render(&alert, &whole).replace("\n  ", " ");
        assert!(!all.contains("more paragraphs"), "{all}");
        for i in 1..=6 {
            assert!(all.contains(&format!("paragraph {i}.")), "{all}");
        }
    }
}

#[test]
fn a_photo_caption_outside_the_article_is_called_a_caption_not_a_paragraph() {
    use crate::document::{Document, Prose};
    let doc = |other: Vec<Prose>| Document {
        title: Some("Protesters killed in Zahedan".into()),
        blocks: vec![crate::document::Block::paragraph(
            "Security forces opened fire on protesters after Friday prayers.",
        )],
        other_prose: other,
        ..Default::default()
    };
    let alert = |old: Vec<Prose>, new: Vec<Prose>| {
        let mut alert = crate::alert::test_alert();
        alert.kind = ChangeKind::PossiblyEdited;
        alert.change =
            crate::compare::compare(&doc(old), &doc(new), &crate::compare::Rules::default());
        assert!(alert.change.is_some());
        alert
    };
    let ctx = Context::default();
    let note = Prose::paragraph("Witnesses described the scene; their names are withheld.");
    let killed = "Protesters killed by security forces in Zahedan on Friday.";
    let died = "Protesters died in clashes in Zahedan on Friday.";

    // Edited.
    let edited = alert(
        vec![Prose::caption(killed), note.clone()],
        vec![Prose::caption(died), note.clone()],
    );
    let t = text(&edited, &ctx);
    assert!(
        t.contains("Changed: the photo caption beginning \u{201C}Protesters died in clashes in Zahedan\non Friday.\u{201D}\n  Protesters [-killed by security forces-] {+died in clashes+} in Zahedan on\n  Friday.\n"),
        "{t}"
    );
    assert!(!t.contains("paragraph beginning"), "{t}");
    let h = html(&edited, &ctx);
    assert!(h.contains("Changed: the photo caption beginning"), "{h}");
    assert!(!h.contains("paragraph beginning"), "{h}");

    // Added, and removed (a paragraph beside it stays a paragraph).
    let added = alert(
        vec![note.clone()],
        vec![note.clone(), Prose::caption(killed)],
    );
    let t = text(&added, &ctx);
    assert!(
        t.contains("New photo caption after \u{201C}Witnesses described the scene; their names are\nwithheld.\u{201D}:\n  {+Protesters killed"),
        "{t}"
    );
    assert!(html(&added, &ctx).contains("New photo caption after"));
    let removed = alert(
        vec![Prose::caption(killed), note.clone()],
        vec![note.clone()],
    );
    let t = text(&removed, &ctx);
    assert!(
        t.contains("Photo caption removed (9 words):\n  [-Protesters killed"),
        "{t}"
    );
    assert!(!t.contains("Paragraph removed"), "{t}");
    let both = alert(
        vec![note.clone()],
        vec![
            Prose::caption(killed),
            Prose::paragraph("Our newsroom has covered the protests in the city since 2022."),
            note.clone(),
        ],
    );
    let t = text(&both, &ctx);
    assert!(t.contains("New photo caption:\n  {+Protesters"), "{t}");
    assert!(t.contains("New paragraph after \u{201C}Protesters killed by security forces in Zahedan on…\u{201D}:\n  {+Our newsroom"), "{t}");

    // In Persian: the English label, the caption's words isolated and
    // marked right to left.
    let fa_old = "معترضانی که روز جمعه در زاهدان به دست نیروهای امنیتی کشته شدند";
    let fa_new = "معترضانی که روز جمعه در زاهدان در درگیری‌ها جان باختند";
    let fa = alert(
        vec![Prose::caption(fa_old), note.clone()],
        vec![Prose::caption(fa_new), note],
    );
    let t = text(&fa, &ctx);
    assert!(
        t.contains(&format!(
            // Too long for the heading's line, and never broken.
            "Changed: the photo caption beginning\n\u{AB}{}\u{BB}\n",
            crate::text::bidi_isolate(&opening(fa_new, OPENING_WORDS))
        )),
        "{t}"
    );
    let h = html(&fa, &ctx);
    assert!(h.contains("Changed: the photo caption beginning"), "{h}");
    assert!(h.contains("dir=\"rtl\""), "{h}");
}

#[test]
fn a_moved_paragraph_says_where_it_now_is() {
    let (a, b, c) = (
        "Rasoulof has been restricted from leaving Iran since 2017.",
        "His film won a special prize at Cannes this year.",
        "He said he had to choose between prison and exile.",
    );
    let doc = |blocks: &[&str]| crate::document::Document {
        title: Some("Filmmaker flees".into()),
        blocks: blocks
            .iter()
            .map(|t| crate::document::Block::paragraph(t))
            .collect(),
        ..Default::default()
    };
    let alert = |old: &[&str], new: &[&str]| {
        let mut alert = crate::alert::test_alert();
        alert.kind = ChangeKind::Edited;
        alert.change =
            crate::compare::compare(&doc(old), &doc(new), &crate::compare::Rules::default());
        alert
    };
    let ctx = Context::default();
    let moved_down = alert(&[a, b, c], &[b, c, a]);
    // The text part, its wrapped lines read as one.
    let text = text(&moved_down, &ctx).replace("\n  ", " ");
    assert!(
        text.contains(
            "Moved, unchanged: the paragraph beginning \u{201C}Rasoulof has been restricted from leaving Iran since…\u{201D}, now after \u{201C}He said he had to choose between prison…\u{201D}"
        ),
        "{text}"
    );
    let html = html(&moved_down, &ctx);
    assert!(html.contains(", now after \u{201C}"), "{html}");
    assert!(
        html.contains(">He said he had to choose between prison…</"),
        "{html}"
    );
    let to_the_top = alert(&[b, c, a], &[a, b, c]);
    let top = super::text(&to_the_top, &ctx).replace("\n  ", " ");
    assert!(top.contains("…\u{201D}, now at the start\n"), "{top}");
}

#[test]
fn a_changed_headline_marks_only_its_changed_words_on_its_old_and_new_lines() {
    let ctx = Context::default();
    let alert = field_alert(
        (
            "Filmmaker Mohammad Rasoulof Escapes Iran on Foot After Prison Sentence",
            "Filmmaker Mohammad Rasoulof Leaves Iran After Prison Sentence",
        ),
        Some(("By Deepa Parent", "By Deepa Parent and Ali Hamedani")),
    );
    let text = text(&alert, &ctx);
    assert!(
        text.contains(
            "Headline:\n  - Filmmaker Mohammad Rasoulof [-Escapes-] Iran [-on Foot-] After Prison\n    Sentence\n  + Filmmaker Mohammad Rasoulof {+Leaves+} Iran After Prison Sentence\n"
        ),
        "{text}"
    );
    assert!(
        text.contains("Byline:\n  - By Deepa Parent\n  + By Deepa Parent {+and Ali Hamedani+}\n"),
        "{text}"
    );
    let html = html(&alert, &ctx);
    // Both headlines whole, only the changed words struck or underlined.
    assert!(
        html.contains(&format!(
            "Filmmaker Mohammad Rasoulof {} Iran {} After Prison Sentence</span>",
            del("Escapes"),
            del("on Foot")
        )),
        "{html}"
    );
    assert!(
        html.contains(&format!(
            "Filmmaker Mohammad Rasoulof {} Iran After Prison Sentence</span>",
            ins("Leaves")
        )),
        "{html}"
    );
    assert!(
        html.contains(&format!(
            "By Deepa Parent {}</span>",
            ins("and Ali Hamedani")
        )),
        "{html}"
    );
    assert!(!html.contains(&del("Filmmaker")), "{html}");
}

#[test]
fn a_changed_persian_headline_marks_only_its_changed_words_right_to_left() {
    let ctx = Context::default();
    // "… fled Iran" softened to "… left Iran"; the half-space in
    // رسول‌اف stays as the page has it.
    let alert = field_alert(
        (
            "محمد رسول‌اف پس از حکم زندان پیاده از ایران گریخت",
            "محمد رسول‌اف پس از حکم زندان ایران را ترک کرد",
        ),
        None,
    );
    let text = text(&alert, &ctx);
    assert!(
        text.contains(
            "Headline:\n  - \u{2067}محمد رسول‌اف پس از حکم زندان [-پیاده از-] ایران [-گریخت-]\u{2069}\n  + \u{2067}محمد رسول‌اف پس از حکم زندان ایران {+را ترک کرد+}\u{2069}\n"
        ),
        "{text}"
    );
    let html = html(&alert, &ctx);
    assert!(
        html.contains(&format!(
            "<span lang=\"fa\" dir=\"rtl\">محمد رسول‌اف پس از حکم زندان {} ایران {}</span>",
            del("پیاده از"),
            del("گریخت")
        )),
        "{html}"
    );
    assert!(
        html.contains(&format!(
            "<span lang=\"fa\" dir=\"rtl\">محمد رسول‌اف پس از حکم زندان ایران {}</span>",
            ins("را ترک کرد")
        )),
        "{html}"
    );
}

/// A Persian headline wrapped so that one of its lines starts with the
/// English words it quotes («Woman, Life, Freedom») is still laid out right
/// to left on that line: each line's isolate takes the headline's
/// direction, not its own first letter's, in the alert's title, its old and
/// new lines, and a digest.
#[test]
fn every_line_of_a_wrapped_persian_headline_is_right_to_left_even_one_starting_in_english() {
    let ctx = Context::default();
    let was = "نرگس محمدی برنده جایزه صلح نوبل در پیامی از زندان اوین گفت که شعار «Woman, Life, Freedom» هنوز زنده است";
    let now = was.replace("جایزه صلح نوبل", "جایزه نوبل");
    let alert = field_alert((was, &now), None);
    for shown in [
        text(&alert, &ctx),
        digest_text(std::slice::from_ref(&alert), &ctx),
    ] {
        let lines: Vec<&str> = shown
            .lines()
            .filter(|l| l.contains(['\u{2066}', '\u{2067}', '\u{2068}']))
            .collect();
        // The wrap really did start a line with the English words.
        assert!(
            lines.iter().any(|l| l
                .trim_start_matches([' ', '-', '+'])
                .trim_start_matches(['\u{2067}', '\u{2068}'])
                .starts_with(|c: char| c.is_ascii_alphabetic() || c == '«')),
            "{shown}"
        );
        for line in lines {
            let body = line.trim_start_matches([' ', '-', '+']);
            assert!(body.starts_with('\u{2067}'), "{line:?} in {shown}");
            assert!(!body.contains('\u{2068}'), "{line:?} in {shown}");
        }
    }
}

/// A retitled item of a Persian feed is read as its changed headline is:
/// its line in an isolate of its own, so that a mail client lays the
/// Persian words out right to left after the English bullet, marks and all.
#[test]
fn a_retitled_persian_item_keeps_its_title_right_to_left_after_the_bullet() {
    let alert = items_alert(ChangeKind::Retitled, 1);
    let text = text(&alert, &Context::default());
    assert!(
        text.contains(
            "* \u{2067}احضار وکيل زندانيان سياسي به دادسرا 0 [-ب-] {+پ+}\u{2069}\n  https://news.example.org/0\n"
        ),
        "{text}"
    );
    for line in rtl_lines(&text) {
        let open = line.matches(['\u{2066}', '\u{2067}', '\u{2068}']).count();
        assert_eq!(open, line.matches('\u{2069}').count(), "{line:?}");
    }
}

/// A clause cut before the full stop: the alert quotes the old sentence as
/// it was ("in prison and flogging."), not with the new full stop moved
/// before the removed words ("in prison. [-and flogging.-]").
#[test]
fn a_clause_cut_before_the_full_stop_is_quoted_as_the_old_sentence_read() {
    let ctx = Context::default();
    let alert = edit_alert(
        "He was sentenced to eight years in prison and flogging.",
        "He was sentenced to eight years in prison.",
    );
    let text = super::text(&alert, &ctx).replace("\n  ", " ");
    assert!(
        text.contains("eight years in prison [-and flogging-]."),
        "{text}"
    );
    let html = html(&alert, &ctx);
    assert!(
        html.contains(&format!("eight years in prison {}.", del("and flogging"))),
        "{html}"
    );
    // In a headline, the same: its old line quotes it as it read.
    let alert = field_alert(
        ("Director flees Iran and hides.", "Director flees Iran."),
        None,
    );
    let text = super::text(&alert, &ctx);
    assert!(
        text.contains("  - Director flees Iran [-and hides-].\n  + Director flees Iran.\n"),
        "{text}"
    );
    // And a clause added before it.
    let alert = edit_alert(
        "He was sentenced to eight years in prison.",
        "He was sentenced to eight years in prison, the court said.",
    );
    let text = super::text(&alert, &ctx).replace("\n  ", " ");
    assert!(
        text.contains("eight years in prison{+, the court said+}."),
        "{text}"
    );
}

#[test]
fn a_deleted_sentence_keeps_the_spaces_around_it() {
    let ctx = Context::default();
    let before = "In a statement released Monday, the artist said he arrived in Europe a few days ago after a long and complicated journey.";
    let gone = "About a dozen people helped him cross the mountains, he said.";
    let quote = "“I had to choose between prison and leaving Iran,” he wrote.";
    // Before a sentence that opens with a quote: the quote stays on its
    // word, once, and the removed sentence is set apart on both sides.
    let alert = edit_alert(
        &format!("{before} {gone} {quote}"),
        &format!("{before} {quote}"),
    );
    // The text part, unwrapped (each line starts right to left).
    let text = super::text(&alert, &ctx).replace("\n  ", " ");
    assert!(
        text.contains(
            "complicated journey. [-About a dozen people helped him cross the mountains, he said.-] “I had to choose"
        ),
        "{text}"
    );
    let html = html(&alert, &ctx);
    assert!(
        html.contains(&format!(
            "complicated journey. {} “I had to choose",
            del(gone)
        )),
        "{html}"
    );
    // A sentence added before a quoted one, the same.
    let alert = edit_alert(
        &format!("{before} {quote}"),
        &format!("{before} {gone} {quote}"),
    );
    let text = super::text(&alert, &ctx).replace("\n  ", " ");
    assert!(
        text.contains(&format!(
            "complicated journey. {{+{gone}+}} “I had to choose"
        )),
        "{text}"
    );
    // The last sentence removed.
    let alert = edit_alert(&format!("{before} {gone}"), before);
    // The text part, unwrapped (each line starts right to left).
    let text = super::text(&alert, &ctx).replace("\n  ", " ");
    assert!(text.contains("complicated journey. [-About a"), "{text}");
    assert!(
        html_of(&alert).contains(&format!("complicated journey. {}", del(gone))),
        "{}",
        html_of(&alert)
    );
    // Persian: after a closing guillemet, and before an opening one.
    let fa_before = "محمد رسول‌اف گفت پس از سفری طولانی به اروپا رسیده است.";
    let fa_gone = "حدود ده نفر به او کمک کردند.";
    let fa_quote = "«من باید بین زندان و ترک ایران یکی را انتخاب می‌کردم»";
    let alert = edit_alert(
        &format!("{fa_before} {fa_gone} {fa_quote}"),
        &format!("{fa_before} {fa_quote}"),
    );
    // The text part, unwrapped (each line starts right to left).
    let text = super::text(&alert, &ctx).replace("\n  \u{200F}", " ");
    assert!(
        text.contains(&format!("رسیده است. [-{fa_gone}-] «من باید")),
        "{text}"
    );
    assert!(
        html_of(&alert).contains(&format!("رسیده است. {} «من باید", del(fa_gone))),
        "{}",
        html_of(&alert)
    );
    let alert = edit_alert(&format!("{fa_quote} {fa_gone}"), fa_quote);
    // The text part, unwrapped (each line starts right to left).
    let text = super::text(&alert, &ctx).replace("\n  \u{200F}", " ");
    assert!(text.contains(&format!("می‌کردم» [-{fa_gone}-]")), "{text}");
}

/// A word replaced before an unchanged comma or full stop is marked
/// without it, and the punctuation is shown once, after the marks
/// (`[-lashes-] {+flogging+}, a fine`), in the text and the HTML part
/// alike: the marks took it in (`[-lashes,-] {+flogging,+} a fine`), as if
/// it had changed too. So in Persian and Arabic (، ؛ ؟), in Chinese (，
/// 。, no space set between the marks), for several words replaced, and on
/// a changed headline's lines; a comma removed or added with the word, or
/// become a full stop, stays marked.
#[test]
fn a_word_replaced_before_unchanged_punctuation_is_marked_without_it() {
    let ctx = Context::default();
    for (old, new, line, html_marks) in [
        (
            "The legal repercussions include imprisonment, lashes, a fine, and property confiscation.",
            "The legal repercussions include imprisonment, flogging, a fine, and property confiscation.",
            "imprisonment, [-lashes-] {+flogging+}, a fine, and",
            format!("imprisonment, {} {}, a fine, and", del("lashes"), ins("flogging")),
        ),
        (
            "He was sentenced to eight years in prison and lashes.",
            "He was sentenced to eight years in prison and flogging.",
            "in prison and [-lashes-] {+flogging+}.\n",
            format!("in prison and {} {}.</", del("lashes"), ins("flogging")),
        ),
        (
            "The court sentenced him to lashes and exile, a fine and prison.",
            "The court sentenced him to corporal punishment, a fine and prison.",
            "him to [-lashes and exile-] {+corporal punishment+}, a fine",
            format!(
                "him to {} {}, a fine",
                del("lashes and exile"),
                ins("corporal punishment")
            ),
        ),
        (
            "حکم او شامل زندان، شلاق، جزای نقدی و مصادره اموال است.",
            "حکم او شامل زندان، تازیانه، جزای نقدی و مصادره اموال است.",
            "زندان، [-شلاق-] {+تازیانه+}، جزای نقدی",
            format!("زندان، {} {}، جزای نقدی", del("شلاق"), ins("تازیانه")),
        ),
        (
            "دادگاه حکم را تأیید کرد؛ وکیل او گفت اعتراض می‌کند.",
            "دادگاه حکم را تأیید نکرد؛ وکیل او گفت اعتراض می‌کند.",
            "تأیید [-کرد-] {+نکرد+}؛ وکیل",
            format!("تأیید {} {}؛ وکیل", del("کرد"), ins("نکرد")),
        ),
        (
            "هل غادر المخرج إيران؟ قال محاميه إنه غادر سيرا على الأقدام.",
            "هل غادر المخرج البلاد؟ قال محاميه إنه غادر سيرا على الأقدام.",
            "المخرج [-إيران-] {+البلاد+}؟ قال",
            format!("المخرج {} {}؟ قال", del("إيران"), ins("البلاد")),
        ),
        (
            "他被判处八年徒刑和鞭刑，并处罚款。",
            "他被判处八年徒刑和鞭打，并处罚款。",
            "和鞭[-刑-]{+打+}，并处罚款",
            format!("和鞭{}{}，并处罚款", del("刑"), ins("打")),
        ),
        (
            "他被判处八年徒刑和鞭刑。",
            "他被判处八年徒刑和杖责。",
            "徒刑和[-鞭刑-]{+杖责+}。",
            format!("徒刑和{}{}。", del("鞭刑"), ins("杖责")),
        ),
        // A comma removed, or added, with the word it follows.
        (
            "The legal repercussions include imprisonment, lashes, a fine, and property confiscation.",
            "The legal repercussions include imprisonment, flogging a fine, and property confiscation.",
            "imprisonment, [-lashes,-] {+flogging+} a fine, and",
            format!("imprisonment, {} {} a fine, and", del("lashes,"), ins("flogging")),
        ),
        (
            "The legal repercussions include imprisonment, flogging a fine, and property confiscation.",
            "The legal repercussions include imprisonment, lashes, a fine, and property confiscation.",
            "imprisonment, [-flogging-] {+lashes,+} a fine, and",
            format!("imprisonment, {} {} a fine, and", del("flogging"), ins("lashes,")),
        ),
        (
            "حکم او شامل زندان، شلاق، جزای نقدی و مصادره اموال است.",
            "حکم او شامل زندان، تازیانه جزای نقدی و مصادره اموال است.",
            "زندان، [-شلاق،-] {+تازیانه+} جزای نقدی",
            format!("زندان، {} {} جزای نقدی", del("شلاق،"), ins("تازیانه")),
        ),
        // A comma become a full stop with the word before it.
        (
            "He was sentenced to prison and lashes, Reuters reported on Monday.",
            "He was sentenced to prison and flogging. Reuters reported on Monday.",
            "prison and [-lashes,-] {+flogging.+} Reuters reported",
            format!("prison and {} {} Reuters", del("lashes,"), ins("flogging.")),
        ),
    ] {
        let alert = edit_alert(old, new);
        let text = text(&alert, &ctx)
            .replace("\n  \u{200F}", " ")
            .replace("\n  ", " ");
        assert!(text.contains(line), "{text}");
        let html = html(&alert, &ctx);
        assert!(html.contains(&html_marks), "{html}");
    }
    // A changed headline's two lines, the same.
    let alert = field_alert(
        (
            "Rasoulof flees, lawyer says",
            "Rasoulof escapes, lawyer says",
        ),
        None,
    );
    let text = text(&alert, &ctx);
    assert!(
        text.contains(
            "Headline:\n  - Rasoulof [-flees-], lawyer says\n  + Rasoulof {+escapes+}, lawyer says\n"
        ),
        "{text}"
    );
    let html = html(&alert, &ctx);
    assert!(
        html.contains(&format!("Rasoulof {}, lawyer says</span>", del("flees"))),
        "{html}"
    );
    assert!(
        html.contains(&format!("Rasoulof {}, lawyer says</span>", ins("escapes"))),
        "{html}"
    );
}

fn html_of(alert: &Alert) -> String {
    html(alert, &Context::default())
}

/// The name of a Persian outlet, as its windows-1256 feed gives it (Arabic
/// yeh: the code page has no Persian one).
const FA_OUTLET: &str = "خبرگزاري آزمايشي";

/// An alert about `n` new items of a Persian outlet's feed (or `n`
/// retitled ones when `kind` is `retitled`), titled as a check titles it.
fn items_alert(kind: ChangeKind, n: usize) -> Alert {
    let item = |i: usize| crate::document::Item {
        key: format!("https://news.example.org/{i}"),
        url: format!("https://news.example.org/{i}"),
        title: format!("احضار وکيل زندانيان سياسي به دادسرا {i}"),
        snippet: None,
        published: None,
    };
    let mut alert = Alert::new(
        "id".into(),
        "fa-feed".into(),
        "https://news.example.org/feed.xml".into(),
        FA_OUTLET.into(),
        kind,
        format!(
            "{n} {}",
            if kind == ChangeKind::Retitled {
                "items retitled"
            } else {
                "new items"
            }
        ),
        "2026-12-04T13:33:00Z".into(),
    );
    alert.title = Some(Alert::several_items_title(kind, n, FA_OUTLET));
    alert.lang = Some("fa".into());
    if kind == ChangeKind::Retitled {
        alert.retitled = (0..n)
            .map(|i| {
                let it = item(i);
                let (old, new) = (format!("{} ب", it.title), format!("{} پ", it.title));
                crate::alert::Retitle {
                    key: it.key,
                    url: it.url,
                    segments: crate::compare::word_diff(
                        &old,
                        &new,
                        &crate::compare::Rules::default(),
                    ),
                    old_title: old,
                    new_title: new,
                    snippet: None,
                    keywords: Vec::new(),
                }
            })
            .collect();
    } else {
        alert.items = (0..n).map(|i| item(i).into()).collect();
        alert.items_total = n;
    }
    alert
}

#[test]
fn a_title_about_several_items_of_a_persian_outlet_is_english_with_only_the_outlet_right_to_left() {
    let ctx = Context::default();
    let fa_name = format!("<span lang=\"fa\" dir=\"rtl\">{FA_OUTLET}</span>");
    for (kind, words) in [
        (ChangeKind::NewItems, "3 new items on "),
        (ChangeKind::Retitled, "3 items retitled on "),
    ] {
        let alert = items_alert(kind, 3);
        assert_eq!(alert.own_title(), Some((words, FA_OUTLET)));
        // HTML: the heading is English, left to right; the outlet's name
        // alone is Persian, right to left.
        let h1 = format!("lang=\"en\" dir=\"ltr\"><a href=\"https://news.example.org/feed.xml\" style=\"color:#1a4b8c;text-decoration:none;\">{words}{fa_name}</a></h1>");
        let html = html(&alert, &ctx);
        assert!(html.contains(&h1), "{html}");
        assert!(
            !html.contains("dir=\"rtl\"><a href=\"https://news.example.org/feed.xml\""),
            "{html}"
        );
        // Text: the sentence is no isolate; the outlet's name is.
        let line = format!("\n{words}\u{2067}{FA_OUTLET}\u{2069}\n");
        let text = text(&alert, &ctx);
        assert!(text.contains(&line), "{text}");
        // And so in a digest, in its card and (retitled items: a story's
        // group) its heading.
        let other = edit_alert("Old words here.", "New words here.");
        let digest = digest_html(&[alert.clone(), other.clone()], &ctx);
        assert!(digest.contains(&h1), "{digest}");
        assert!(
            !digest.contains("dir=\"rtl\"><a href=\"https://news.example.org/feed.xml\""),
            "{digest}"
        );
        let digest_text = digest_text(&[alert, other], &ctx);
        assert!(digest_text.contains(&line), "{digest_text}");
        if kind == ChangeKind::Retitled {
            assert!(
                digest.contains(&format!("lang=\"en\" dir=\"ltr\">{words}{fa_name}</h2>")),
                "{digest}"
            );
            assert!(
                digest_text.contains(&format!("\n\n{}\n===", line.trim())),
                "{digest_text}"
            );
        }
    }
    // A headline of the page is the story's, in its language.
    let mut alert = items_alert(ChangeKind::NewItems, 1);
    alert.title = Some(alert.items[0].title.clone());
    assert_eq!(alert.own_title(), None);
    assert!(html_of(&alert).contains("color:#222222;\" lang=\"fa\" dir=\"rtl\"><a"));
}

/// A Persian paragraph that names two organisations in English, so that
/// wrapped at 76 columns one of its lines starts with a Latin word.
const FA_WITH_NAMES: &str = "در گزارش روز سه‌شنبه و گفت Human Rights Watch و Amnesty International خواستار آزادی فوری این فعال شده‌اند و نگرانی خود را ابراز کردند و گفتند که ادامه بازداشت او غیرقانونی است.";

/// The lines of `text` that hold right-to-left letters.
fn rtl_lines(text: &str) -> Vec<&str> {
    text.lines().filter(|l| crate::text::has_rtl(l)).collect()
}

#[test]
fn every_wrapped_line_of_a_persian_paragraph_starts_right_to_left_even_with_a_latin_word() {
    let ctx = Context::default();
    let alert = edit_alert(FA_WITH_NAMES, &FA_WITH_NAMES.replace("سه‌شنبه", "چهارشنبه"));
    let text = text(&alert, &ctx);
    let body: Vec<&str> = text
        .lines()
        .skip_while(|l| !l.starts_with("Changed: the paragraph"))
        .skip_while(|l| !l.starts_with("  "))
        .take_while(|l| !l.is_empty())
        .collect();
    assert!(body.len() > 1, "{text}");
    // A line of it starts with an English word ...
    assert!(
        body.iter().any(|l| l
            .trim_start_matches([' ', '\u{200F}'])
            .starts_with(|c: char| c.is_ascii_alphabetic())),
        "{text}"
    );
    // ... yet each starts with a right-to-left mark, its first strong letter.
    for line in body {
        assert!(line.starts_with("  \u{200F}"), "{line:?} in {text}");
    }
    // An English paragraph keeps its lines as they were.
    let alert = edit_alert(
        "The court upheld the sentence on appeal last week, his lawyer said, adding that he would appeal again.",
        "The court upheld the sentence on appeal last month, his lawyer said, adding that he would appeal again.",
    );
    assert!(!super::text(&alert, &ctx).contains(['\u{200E}', '\u{200F}']));
}

#[test]
fn a_taken_down_persian_text_keeps_each_line_right_to_left_and_balanced_in_an_alert_and_a_digest() {
    let ctx = Context::default();
    let doc = crate::document::Document {
        title: Some("بازداشت فعال حقوق بشر در تهران".into()),
        blocks: [FA_WITH_NAMES, "به گزارش خبرنگار ما، یک فعال حقوق‌بشر روز سه‌شنبه در تهران بازداشت شد و به زندان اوین منتقل شد."]
            .iter()
            .map(|p| crate::document::Block::paragraph(p))
            .collect(),
        ..Default::default()
    };
    let mut alert = crate::alert::test_alert();
    alert.kind = ChangeKind::TakenDown;
    alert.change = None;
    alert.outlet = "خبرگزاری نمونه".into();
    alert.title = doc.title.clone();
    alert.last_known = Some(crate::alert::LastKnown::of(
        &doc,
        1,
        "2026-12-04T13:33:00Z".into(),
        None,
    ));
    for shown in [
        text(&alert, &ctx),
        digest_text(std::slice::from_ref(&alert), &ctx),
    ] {
        let said: Vec<&str> = shown
            .lines()
            .skip_while(|l| !l.starts_with("What the article said"))
            .filter(|l| l.starts_with("  ") && crate::text::has_rtl(l))
            .collect();
        assert!(said.len() > 3, "{shown}");
        for line in said {
            let open = line.matches(['\u{2066}', '\u{2067}', '\u{2068}']).count();
            assert_eq!(open, line.matches('\u{2069}').count(), "{line:?}");
            assert!(
                line.starts_with("  \u{200F}") || line.starts_with("  \u{2067}"),
                "{line:?} in {shown}"
            );
        }
        for line in rtl_lines(&shown) {
            let open = line.matches(['\u{2066}', '\u{2067}', '\u{2068}']).count();
            assert_eq!(open, line.matches('\u{2069}').count(), "{line:?}");
        }
    }
}

#[test]
fn a_persian_keyword_of_a_persian_page_is_marked_persian_not_arabic() {
    // Persian without a letter only Persian has: by its letters alone it
    // would be taken for Arabic.
    let mut alert = items_alert(ChangeKind::NewItems, 3);
    alert.keywords = vec!["اوين".into(), "Evin".into()];
    let html = html_of(&alert);
    assert!(
        html.contains("mentions <b lang=\"fa\" dir=\"rtl\">اوين</b>, <b>Evin</b>"),
        "{html}"
    );
}

#[test]
fn the_hidden_removed_and_added_labels_of_a_persian_paragraph_are_read_in_english() {
    let alert = edit_alert(FA_WITH_NAMES, &FA_WITH_NAMES.replace("سه‌شنبه", "چهارشنبه"));
    let html = html_of(&alert);
    assert!(
        html.contains(
            "<p style=\"margin:0;font-size:16px;line-height:1.55;\" lang=\"fa\" dir=\"rtl\">"
        ),
        "{html}"
    );
    for said in ["removed: ", "added: "] {
        let i = html.find(&format!(">{said}</span>")).unwrap();
        let span = &html[html[..i].rfind("<span").unwrap()..i];
        assert!(span.starts_with("<span lang=\"en\" dir=\"ltr\" "), "{span}");
    }
}

#[test]
fn a_digest_heads_a_persian_story_with_dir_and_bdi_not_the_text_parts_isolates() {
    let ctx = Context::default();
    let mut story = edit_alert(FA_WITH_NAMES, &FA_WITH_NAMES.replace("سه‌شنبه", "چهارشنبه"));
    story.title = Some("بازداشت فعال حقوق بشر در تهران".into());
    story.outlet = "خبرگزاری نمونه".into();
    story.lang = Some("fa".into());
    let alerts = [story, items_alert(ChangeKind::Retitled, 2)];
    let html = digest_html(&alerts, &ctx);
    assert!(
        !html.contains(['\u{2066}', '\u{2067}', '\u{2068}', '\u{2069}']),
        "{html}"
    );
    assert!(
        html.contains("lang=\"fa\" dir=\"rtl\">بازداشت فعال حقوق بشر در تهران (<bdi lang=\"fa\" dir=\"rtl\">خبرگزاری نمونه</bdi>)</h2>"),
        "{html}"
    );
    // The text part keeps its isolates.
    assert!(digest_text(&alerts, &ctx).contains(
        "\u{2067}بازداشت فعال حقوق بشر در تهران\u{2069} (\u{2067}خبرگزاری نمونه\u{2069})\n==="
    ));
}

/// A Persian passage is quoted in guillemets, as Persian quotes, in text
/// and HTML alike, its isolate (text) and `lang`/`dir` (HTML) kept; an
/// English one in English quotes.
#[test]
fn a_persian_passage_is_quoted_in_guillemets_and_an_english_one_in_english_quotes() {
    let ctx = Context::default();
    // A changed Persian paragraph: named by its opening words.
    let fa = edit_alert(FA_WITH_NAMES, &FA_WITH_NAMES.replace("سه‌شنبه", "چهارشنبه"));
    let opening_fa = opening(&FA_WITH_NAMES.replace("سه‌شنبه", "چهارشنبه"), OPENING_WORDS);
    let t = text(&fa, &ctx);
    assert!(
        t.contains(&format!(
            // Too long for the heading's line, and never broken.
            "Changed: the paragraph beginning\n\u{AB}{}\u{BB}\n",
            crate::text::bidi_isolate(&opening_fa)
        )),
        "{t}"
    );
    assert!(!t.contains('\u{201C}'), "{t}");
    let h = html_of(&fa);
    assert!(
        h.contains("Changed: the paragraph beginning \u{AB}<"),
        "{h}"
    );
    assert!(
        h.contains(&format!(
            "<span lang=\"fa\" dir=\"rtl\">{}</span>\u{BB}",
            escape::escape(&opening_fa)
        )) || h.contains(&format!(
            "<span lang=\"fa\" dir=\"rtl\">{}</span></a>\u{BB}",
            escape::escape(&opening_fa)
        )),
        "{h}"
    );
    // An English one keeps English quotes.
    let en = edit_alert(
        "The minister spoke on Monday.",
        "The minister spoke on Tuesday.",
    );
    assert!(
        text(&en, &ctx).contains(
            "Changed: the paragraph beginning \u{201C}The minister spoke on Tuesday.\u{201D}"
        ),
        "{}",
        text(&en, &ctx)
    );

    // An item's passage that mentions the keyword: Persian in guillemets
    // inside its `lang`/`dir`, English in English quotes.
    let said = "به گفته وکیل خانواده، سه نویسنده روز یکشنبه به زندان اوین منتقل شدند.";
    let mut alert = items_alert(ChangeKind::NewItems, 1);
    alert.keywords = vec!["اوین".into()];
    alert.items[0].keywords = vec!["اوین".into()];
    alert.items[0].passage = Some(said.into());
    let t = text(&alert, &ctx);
    assert!(
        t.contains("In the article:\n  \u{200F}\u{AB}به گفته"),
        "{t}"
    );
    assert!(t.contains("منتقل شدند.\u{BB}"), "{t}");
    let h = html_of(&alert);
    assert!(
        h.contains("In the article:</span> <span lang=\"fa\" dir=\"rtl\">\u{AB}به گفته"),
        "{h}"
    );
    assert!(h.contains("منتقل شدند.\u{BB}</span>"), "{h}");
    alert.items[0].keywords = vec!["Evin".into()];
    alert.items[0].passage = Some("Her family said she was moved to Evin on Sunday.".into());
    let h = html_of(&alert);
    assert!(
        h.contains("In the article:</span> <span>\u{201C}Her family said"),
        "{h}"
    );
}

/// A digest gives each of its alerts' records under it, in text and HTML,
/// as a single alert's footer does.
#[test]
fn a_digest_gives_each_alert_its_record_line() {
    let ctx = Context::default();
    let with_record = |record: &str, version: i64| {
        let mut a = edit_alert(
            "The minister spoke on Monday.",
            "The minister spoke on Tuesday.",
        );
        a.evidence = Some(crate::alert::Evidence {
            version,
            report: None,
            snapshot_sha256: None,
            record: Some(record.repeat(8)),
        });
        a
    };
    let alerts = [with_record("0541d1a3", 2), with_record("3f2a91c0", 7)];
    let (t, h) = (digest_text(&alerts, &ctx), digest_html(&alerts, &ctx));
    for (short, version) in [("0541d1a3…0541d1a3", 2), ("3f2a91c0…3f2a91c0", 7)] {
        let line = format!(
            "Record {short} (version {version}) — presswatch verify can prove this version is unaltered"
        );
        assert!(t.replace("\n  ", " ").contains(&line), "{t}");
        assert!(h.contains(&line), "{h}");
    }
}

/// The paragraph of `text` that starts with `head`, as its lines.
fn paragraph_starting<'a>(text: &'a str, head: &str) -> Vec<&'a str> {
    let from = text
        .find(&format!("\n{head}"))
        .unwrap_or_else(|| panic!("no {head:?} in {text}"));
    text[from + 1..]
        .split("\n\n")
        .next()
        .unwrap_or_default()
        .lines()
        .collect()
}

/// An error alert's "Error:" and a takedown's "Last kept snapshot" are
/// wrapped at 76 columns, as the rest of the text part is (they ran on in
/// one line each): the continuation lines indented, no word lost, and a
/// command the error quotes in backticks whole on one line, to copy.
#[test]
fn an_error_and_a_kept_snapshot_are_wrapped_with_a_quoted_command_whole() {
    let ctx = Context::default();
    let command = "`presswatch check --watch herald-rasoulof --config /etc/presswatch.toml`";
    let error = format!(
        "cannot fetch https://www.dailyherald.example/world/2024/05/13/rasoulof-flees-iran: \
         the server answered 503 Service Unavailable to each of 3 tries; {command} shows \
         what it answers now"
    );
    let mut alert = crate::alert::test_alert();
    alert.kind = ChangeKind::Error;
    alert.error = Some(error.clone());
    let shown = text(&alert, &ctx);
    let shown = paragraph_starting(&shown, "Error: ");
    assert!(shown.len() > 1, "{shown:#?}");
    assert!(shown.iter().all(|l| l.chars().count() <= 76), "{shown:#?}");
    assert!(shown[1..].iter().all(|l| l.starts_with("  ")), "{shown:#?}");
    assert!(shown.iter().any(|l| l.trim() == command), "{shown:#?}");
    let words = |lines: &[&str]| {
        lines
            .join(" ")
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
    };
    assert_eq!(words(&shown), format!("Error: {error}"));

    let sha = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";
    let mut alert = crate::alert::test_alert();
    alert.kind = ChangeKind::TakenDown;
    alert.evidence = Some(crate::alert::Evidence {
        version: 12,
        report: None,
        snapshot_sha256: Some(sha.into()),
        record: None,
    });
    let shown = text(&alert, &ctx);
    let shown = paragraph_starting(&shown, "Last kept snapshot: ");
    assert!(shown.iter().all(|l| l.chars().count() <= 76), "{shown:#?}");
    assert!(shown[1..].iter().all(|l| l.starts_with("  ")), "{shown:#?}");
    assert_eq!(
        words(&shown),
        format!("Last kept snapshot: version 12, SHA-256 {sha} (presswatch export includes it)")
    );
}

/// The words of `lines`, one space apart: what a reader reads, however
/// the text part wraps it.
fn words_of(lines: &[&str]) -> String {
    lines
        .join(" ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// The columns a line of the text part takes: direction marks and
/// isolates take none.
fn columns(line: &str) -> usize {
    line.chars()
        .filter(|c| !matches!(c, '\u{200E}' | '\u{200F}' | '\u{2066}'..='\u{2069}'))
        .count()
}

/// Every line of `text` is at most 76 columns, but a URL or a command,
/// each whole on a line of its own (to click, to copy).
fn assert_fits(text: &str) {
    for line in text.lines().filter(|l| columns(l) > 76) {
        let bare = line.trim();
        let url = !bare.contains(' ') && bare.starts_with("https://");
        let command = (bare.starts_with('`') && bare.ends_with('`'))
            || bare.starts_with("presswatch diff ")
            || bare.starts_with("presswatch history ");
        assert!(
            url || command,
            "{} columns: {line:?} in\n{text}",
            columns(line)
        );
    }
}

/// Every alert's text part wraps its prose at 76 columns, as it wraps the
/// page's paragraphs: a long headline, byline, keywords and summary; a
/// moved paragraph and the heading of a change outside the detected
/// article; a moved story's addresses and note; a takedown's caption and
/// last title; an error; a test alert's note; new and retitled items'
/// titles; the record line and the signature, in an alert and a digest
/// alike (each ran on as one long line). A URL or a command stays whole,
/// on a line of its own; no word is lost.
#[test]
fn every_line_of_an_alert_s_text_is_wrapped_at_76_columns_but_a_url_or_a_command() {
    use crate::document::{Block, Document, Item, Prose};
    let ctx = Context {
        config: Some("/etc/presswatch/newsroom-monitoring/config.toml".into()),
        ..Context::default()
    };
    let headline = "Iranian filmmaker Mohammad Rasoulof flees Iran on foot after being sentenced to eight years in prison and flogging";
    let (a, b, c) = (
        "Rasoulof has been restricted from leaving Iran since 2017, his lawyers said.",
        "His film won a special prize at Cannes this year, the festival's jury said.",
        "He said he had to choose between prison and exile, and he chose exile.",
    );
    let box_ = "Our newsroom has covered the case since his first arrest in 2010.";
    let doc = |blocks: &[&str], other: &[&str]| Document {
        title: Some(headline.into()),
        blocks: blocks.iter().map(|t| Block::paragraph(t)).collect(),
        other_prose: other.iter().map(|t| Prose::paragraph(t)).collect(),
        ..Default::default()
    };
    let long_watch = "the-example-herald-world-middle-east-rasoulof-flees-iran-on-foot";
    let url = "https://www.the-example-herald.example/world/middle-east/2024/05/14/iranian-filmmaker-mohammad-rasoulof-flees-iran";
    let sha = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";
    let evidence = crate::alert::Evidence {
        version: 12,
        report: Some(format!("{url}/evidence/report/v12.html")),
        snapshot_sha256: Some(sha.into()),
        record: Some(sha.into()),
    };
    let story = |kind: ChangeKind| {
        let mut alert = crate::alert::test_alert();
        alert.kind = kind;
        alert.watch = long_watch.into();
        alert.url = url.into();
        alert.outlet = "The Example Herald".into();
        alert.title = Some(headline.into());
        alert.byline = Some(
            "Deepa Parent, Middle East correspondent, and Saeed Kamali Dehghan in Istanbul".into(),
        );
        alert.keywords = [
            "Rasoulof",
            "Seed of the Sacred Fig",
            "Cannes Film Festival",
            "Evin prison",
            "flogging",
        ]
        .map(String::from)
        .to_vec();
        alert.summary = "1 paragraph moved, 1 paragraph added outside the detected article, 3 words changed in 2 paragraphs".into();
        alert.evidence = Some(evidence.clone());
        alert
    };

    let mut edited = story(ChangeKind::PossiblyEdited);
    edited.change = crate::compare::compare(
        &doc(&[a, b, c], &[box_]),
        &doc(
            &[b, c, a],
            &[
                "Read more: the court upheld the sentence on appeal last week",
                box_,
            ],
        ),
        &crate::compare::Rules::default(),
    );
    let mut moved = story(ChangeKind::Moved);
    moved.change = None;
    moved.moved_to = Some(
        "https://www.another-news-site.example/culture/film/2024/05/14/rasoulof-arrives-in-europe"
            .into(),
    );
    let mut taken_down = story(ChangeKind::TakenDown);
    taken_down.change = None;
    taken_down.last_known = Some(crate::alert::LastKnown::of(
        &doc(&[a, b, c], &[]),
        12,
        "2026-12-04T13:33:00Z".into(),
        Some("2026-12-05T08:00:00Z".into()),
    ));
    let mut error = story(ChangeKind::Error);
    error.change = None;
    error.error = Some(format!(
        "cannot fetch {url}: the server answered 503 Service Unavailable to each of 3 tries; \
         `presswatch check --watch {long_watch} --config /etc/presswatch/config.toml` shows what it answers now"
    ));
    let lashes = headline.replace("flogging", "lashes");
    let mut headline_changed = field_alert((headline, lashes.as_str()), None);
    headline_changed.watch = long_watch.into();
    let item = |i: usize| Item {
        key: format!("{url}/{i}"),
        url: format!("{url}/{i}"),
        title: format!("{headline} ({i})"),
        snippet: None,
        published: None,
    };
    let mut new_items = story(ChangeKind::NewItems);
    new_items.change = None;
    new_items.items = (0..3).map(|i| item(i).into()).collect();
    new_items.items_total = 3;
    let mut new_item = new_items.clone();
    new_item.items.truncate(1);
    new_item.items_total = 1;
    let mut retitled = story(ChangeKind::Retitled);
    retitled.change = None;
    retitled.retitled = vec![crate::alert::Retitle {
        key: item(0).key,
        url: item(0).url,
        segments: crate::compare::word_diff(
            &item(0).title,
            &item(1).title,
            &crate::compare::Rules::default(),
        ),
        old_title: item(0).title,
        new_title: item(1).title,
        snippet: None,
        keywords: Vec::new(),
    }];
    let mut test = crate::alert::test_alert();
    test.watch = long_watch.into();

    let alerts = [
        edited,
        moved,
        taken_down,
        error,
        headline_changed,
        new_items,
        new_item,
        retitled,
        test,
    ];
    for alert in &alerts {
        let shown = text(alert, &ctx);
        assert_fits(&shown);
        // A chat message carries the same words, its lines whole: the
        // chat wraps them to its window (its record line is in the
        // message's heading).
        let chat = chat_text(alert, &ctx, KeywordMarks::TEXT);
        let record = record_line(alert).map(|l| format!("{l} "));
        assert_eq!(
            words_of(&[&chat]),
            words_of(&[&shown]).replacen(&record.unwrap_or_default(), "", 1),
            "{chat}"
        );
        // The headline, whole in its words, on lines of its own; on one
        // line in a chat message.
        if alert.kind == ChangeKind::PossiblyEdited {
            let lines: Vec<&str> = shown.lines().skip(1).take(2).collect();
            assert_eq!(words_of(&lines), headline, "{shown}");
            assert_eq!(chat.lines().nth(1), Some(headline), "{chat}");
        }
    }
    assert_fits(&digest_text(&alerts, &ctx));

    // The notes read whole, and a URL stands on a line of its own.
    let moved = text(&alerts[1], &ctx);
    let note = paragraph_starting(&moved, "Old address:");
    let to = alerts[1].moved_to.as_deref().unwrap_or_default();
    let host = crate::alert::another_site(url, to).expect("another site");
    assert_eq!(
        words_of(&note),
        format!("Old address: {url} New address: {to} {ANOTHER_SITE}: {host} {MOVED_NOTE}"),
        "{moved}"
    );
    assert!(note.iter().any(|l| l.trim() == url), "{moved}");
    let edited = text(&alerts[0], &ctx);
    let outside = paragraph_starting(&edited, "Outside the detected article");
    assert!(outside.len() > 1, "{edited}");
    assert_eq!(words_of(&outside), OUTSIDE_ARTICLE, "{edited}");
    let moved_paragraph = paragraph_starting(&edited, "Moved, unchanged:");
    assert!(moved_paragraph.len() > 1, "{edited}");
    let said = words_of(&moved_paragraph);
    assert!(
        said.starts_with("Moved, unchanged: the paragraph beginning \u{201C}Rasoulof has been")
            && said.contains(", now after \u{201C}He said he had to choose"),
        "{edited}"
    );
}

/// The line of `text` whose words (after its indent) start with `span`,
/// and the line before it.
fn line_opening_with<'a>(text: &'a str, span: &str) -> (&'a str, &'a str) {
    let lines: Vec<&str> = text.lines().collect();
    let at = lines
        .iter()
        .position(|l| l.trim_start().starts_with(span))
        .unwrap_or_else(|| panic!("no line opens with {span:?} in\n{text}"));
    (lines[at - 1], lines[at])
}

/// Each `[-…-]` and `{+…+}` of `text` closes on the line it opens on.
fn assert_marks_whole(text: &str) {
    for line in text.lines() {
        for (open, close) in [("[-", "-]"), ("{+", "+}")] {
            assert_eq!(
                line.matches(open).count(),
                line.matches(close).count(),
                "{open}…{close} split at {line:?} in\n{text}"
            );
        }
    }
}

/// A reader scanning an alert's text for its marks sees each marked span
/// whole: an edited paragraph, a changed headline and a retitled item
/// whose added words would fall across the end of a line (`{+to` at the
/// end of one line, `death+}` on the next, as the words of the line before
/// were set one by one) show the span whole at the start of the next line.
/// Only a span longer than a line is broken, between its words. No word is
/// lost: the text part reads as the unwrapped chat text does.
#[test]
fn a_marked_span_that_would_fall_across_the_end_of_a_line_moves_to_the_next_line_whole() {
    let ctx = Context::default();
    let span = "{+to death+}";
    // Whether the span's first word would have fitted on the line before:
    // the span fell across the line's end.
    let would_fall_across = |before: &str| columns(before) + " {+to".len() <= 76;
    let reads_as_chat = |alert: &Alert, shown: &str| {
        let chat = chat_text(alert, &ctx, KeywordMarks::TEXT);
        let record = record_line(alert).map(|l| format!("{l} "));
        assert_eq!(
            words_of(&[shown]).replacen(&record.unwrap_or_default(), "", 1),
            words_of(&[&chat]),
            "{shown}"
        );
    };

    let paragraph = "Iranian rapper Toomaj Salehi, jailed since 2022, was sentenced by a court in Isfahan on Wednesday, his lawyer said.";
    let edited = edit_alert(
        paragraph,
        &paragraph.replace("sentenced by", "sentenced to death by"),
    );
    let shown = text(&edited, &ctx);
    let (before, line) = line_opening_with(&shown, span);
    assert!(would_fall_across(before), "{shown}");
    assert_eq!(
        line,
        "  {+to death+} by a court in Isfahan on Wednesday, his lawyer said."
    );
    assert_fits(&shown);
    assert_marks_whole(&shown);
    reads_as_chat(&edited, &shown);

    let title = "Rapper Toomaj Salehi, jailed since 2022 for his songs, is sentenced in Isfahan";
    let sentenced = title.replace("sentenced in", "sentenced to death in");
    let headline = field_alert((title, &sentenced), None);
    let shown = text(&headline, &ctx);
    let (before, line) = line_opening_with(&shown, span);
    assert!(
        before.starts_with("  + ") && would_fall_across(before),
        "{shown}"
    );
    assert_eq!(line, "    {+to death+} in Isfahan");
    assert_fits(&shown);
    assert_marks_whole(&shown);
    reads_as_chat(&headline, &shown);

    let mut retitled = crate::alert::test_alert();
    retitled.kind = ChangeKind::Retitled;
    retitled.change = None;
    retitled.retitled = vec![crate::alert::Retitle {
        key: "https://news.example.org/salehi".into(),
        url: "https://news.example.org/salehi".into(),
        segments: crate::compare::word_diff(title, &sentenced, &Default::default()),
        old_title: title.into(),
        new_title: sentenced.clone(),
        snippet: None,
        keywords: Vec::new(),
    }];
    let shown = text(&retitled, &ctx);
    let (before, line) = line_opening_with(&shown, span);
    assert!(
        before.starts_with("* ") && would_fall_across(before),
        "{shown}"
    );
    assert_eq!(line, "  {+to death+} in Isfahan");
    assert_fits(&shown);
    assert_marks_whole(&shown);
    reads_as_chat(&retitled, &shown);

    // A span longer than a line is broken between its words.
    let added = "His lawyer said the court had convicted him of corruption on earth, a charge that carries the death penalty in Iran, and that he would appeal.";
    let edited = edit_alert(paragraph, &format!("{paragraph} {added}"));
    let shown = text(&edited, &ctx);
    let opens = shown.lines().find(|l| l.contains("{+His"));
    assert!(opens.is_some_and(|l| !l.contains("+}")), "{shown}");
    assert!(shown.contains("would appeal.+}"), "{shown}");
    assert_fits(&shown);
    reads_as_chat(&edited, &shown);
}

/// A keyword of several words in an item's passage (`*Seed of the Sacred
/// Fig*` in the text email) is set whole on a line, as a change's marks
/// are, when it would fall across the end of one.
#[test]
fn a_keyword_of_several_words_in_a_passage_is_never_split_across_lines() {
    let ctx = Context::default();
    let keyword = "Seed of the Sacred Fig";
    let mut alert = items_alert(ChangeKind::NewItems, 1);
    alert.keywords = vec![keyword.into()];
    alert.items[0].keywords = vec![keyword.into()];
    alert.items[0].passage = Some(format!(
        "The festival jury gave its special prize on Saturday night to {keyword}, which the director finished in hiding."
    ));
    let shown = text(&alert, &ctx);
    let (before, line) = line_opening_with(&shown, "*Seed of the Sacred Fig*");
    // The keyword's first word would have fitted on the line before.
    assert!(columns(before) + " *Seed".len() <= 76, "{shown}");
    assert_eq!(
        line,
        "  *Seed of the Sacred Fig*, which the director finished in hiding.\u{201D}"
    );
    assert_fits(&shown);
}
