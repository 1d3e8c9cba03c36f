//! An article taken down: how its page is gone (404, 410, a redirect to a
//! section front or the home page), the one "taken down" alert carrying the
//! last text held, the count of takedowns and restores that names a restore,
//! and the error of a URL that never worked.

use std::sync::LazyLock;

use chrono::Utc;
use regex::Regex;

use crate::alert::LastKnown;
use crate::compare::ChangeKind;
use crate::config::Watch;
use crate::document::Document;
use crate::fetch::Response;
use crate::http_header::Validators;
use crate::store::{EventKind, NewEvent, WatchState};

use super::keep::{evidence, file_version, snapshot_of, version_snapshot, Keep};
use super::{article_alert, read_baseline, rfc3339, CheckResult, Context, Outcome};

/// True when a redirect landed on a section front or the home page instead
/// of an article: a much shorter path on the same site.
fn redirected_to_front(requested: &url::Url, landed: &url::Url) -> bool {
    if requested.path() == landed.path() {
        return false;
    }
    let depth = |u: &url::Url| {
        u.path()
            .trim_matches('/')
            .split('/')
            .filter(|s| !s.is_empty())
            .count()
    };
    let req_depth = depth(requested);
    req_depth >= 1
        && (depth(landed) == 0
            || (depth(landed) == 1
                && req_depth >= 2
                && landed.path().len() < requested.path().len() / 2))
}

/// How an article's page is gone, if it is: it answers 404 or 410, or
/// redirects to a section front or the home page.
pub(super) fn gone(watch: &Watch, resp: &Response) -> Option<String> {
    if resp.status == 404 || resp.status == 410 {
        Some(format!("The article answers HTTP {}", resp.status))
    } else if redirected_to_front(&watch.url, &resp.final_url) {
        Some(format!("The article now redirects to {}", resp.final_url))
    } else {
        None
    }
}

/// Whether the response came through a redirect for now (no permanent
/// move) to another site: a consent, login or regional step most often,
/// which keeps the story from presswatch rather than takes it down, even
/// when it lands on that site's front page.
pub(super) fn for_now_to_another_site(watch: &Watch, resp: &Response) -> bool {
    resp.redirects.permanent_move(&watch.url).is_none()
        && crate::alert::another_site(watch.url.as_str(), resp.final_url.as_str()).is_some()
}

/// The name of a query parameter that tells a sign-in, consent or
/// subscription page where to send the reader back (`next`, `return_to`,
/// `returnUrl`, `redirect`, `continue`, `dest`, `goto`, `callback`…), any
/// case, `-` or `_` between its words or not.
static RETURN_PARAMETER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)^(next|continue|dest(ination)?|goto|target|back|r|ru|url|uri|referr?er|came[-_]?from|(return|redirect|back|success|callback|origin|continue|next)[-_]?(to|url|uri|path|page)?)$",
    )
    .expect("static regex")
});

/// A path segment (or a word of one) that names a sign-in, consent or
/// subscription page: `/login`, `/account/sign-in`, `/subscribe`,
/// `/consent`, `/paywall`, `/register`…
static GATE_PATH: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)(^|[/_.-])(log-?in|sign-?in|sign-?on|sso|auth|oauth|account|subscribe|subscription|paywall|consent|cookies?|gdpr|privacy-gate|register|registration|membership|premium|checkout)([/_.-]|$)",
    )
    .expect("static regex")
});

/// A password field: what a sign-in form has and an article does not.
static PASSWORD_FIELD: LazyLock<regex::bytes::Regex> = LazyLock::new(|| {
    regex::bytes::Regex::new(r#"(?i)<input\b[^>]*\btype\s*=\s*["']?password\b"#)
        .expect("static regex")
});

/// Words of prose, at most, on a page that is a sign-in form rather than
/// an article: as much as a bot check may say ([`crate::compare::stand_in`]).
const SIGN_IN_MAX_WORDS: usize = 150;

/// How a page a redirect for now led to is known as a gate that will send
/// the reader back to the story ([`leads_back`], [`sign_in_form`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Gate {
    /// Its address carries the story's, to return to.
    Address,
    /// It is a sign-in form.
    SignIn,
}

/// Whether the response came through a redirect for now (302, 303, 307)
/// to another page of the same site: where a sign-in, consent or
/// subscription step sends the reader, for a while, before the story.
pub(super) fn for_now_within_the_site(watch: &Watch, resp: &Response) -> bool {
    resp.redirects.end_for_now()
        && crate::alert::another_site(watch.url.as_str(), resp.final_url.as_str()).is_none()
        && !crate::fetch::same_resource(&watch.url, &resp.final_url)
}

/// Whether a redirect for now within the site led to a gate whose address
/// leads back to the story ([`leads_back`]): a sign-in, consent or
/// subscription step, not a takedown.
pub(super) fn for_now_to_a_gate(watch: &Watch, resp: &Response) -> bool {
    if !for_now_within_the_site(watch, resp) {
        return false;
    }
    let passed: Vec<&url::Url> = std::iter::once(&watch.url)
        .chain(resp.redirects.addresses())
        .filter(|u| !crate::fetch::same_resource(u, &resp.final_url))
        .collect();
    leads_back(&passed, &resp.final_url)
}

/// Whether the address `landed` carries one of the addresses `passed` (the
/// story's, and where its redirects went) in its query, as a sign-in,
/// consent or subscription page is told where to send the reader back:
/// the whole address or its path (`/login?next=%2Fnews%2Fstory`,
/// `/subscribe?return_to=https%3A%2F%2Fsite%2Fnews%2Fstory`), in a
/// parameter named for that ([`RETURN_PARAMETER`]), or in any parameter
/// but a tracking one on a page whose path names a gate ([`GATE_PATH`]:
/// `/consent?u=…`). The page must be another than the story (another
/// path), and the story's path more than the site's root: a section front
/// told where the reader came from (`/?from=…`) is no gate.
pub(super) fn leads_back(passed: &[&url::Url], landed: &url::Url) -> bool {
    let gate_path = GATE_PATH.is_match(landed.path());
    let story = |u: &url::Url| !u.path().trim_matches('/').is_empty();
    let mut without_query = landed.clone();
    without_query.set_query(None);
    landed.query_pairs().any(|(name, value)| {
        if !(RETURN_PARAMETER.is_match(&name)
            || (gate_path && !crate::tracking::is_tracking_parameter(&name)))
        {
            return false;
        }
        passed.iter().any(|&from| {
            let Ok(back) = from.join(value.trim()) else {
                return false;
            };
            let mut back_path = back.clone();
            back_path.set_query(None);
            story(from)
                && crate::fetch::same_resource(from, &back)
                && !crate::fetch::same_resource(&back_path, &without_query)
        })
    })
}

/// Whether an address's path names a sign-in, consent or subscription
/// page ([`GATE_PATH`]: `/login`, `/account/sign-in`, `/subscribe`…).
pub(super) fn names_a_gate(url: &url::Url) -> bool {
    GATE_PATH.is_match(url.path())
}

/// Whether a page (its document `doc`, `None` when it has no article text,
/// and its `markup`) is a sign-in form: a password field, and little prose
/// ([`SIGN_IN_MAX_WORDS`]).
pub(super) fn sign_in_form(doc: Option<&Document>, markup: &[u8]) -> bool {
    if !PASSWORD_FIELD.is_match(markup) {
        return false;
    }
    let Some(doc) = doc else {
        return true;
    };
    let words: usize = doc
        .blocks
        .iter()
        .map(|b| b.text.as_str())
        .chain(doc.other_prose.iter().map(|p| p.text.as_str()))
        .map(crate::text::diff_word_count)
        .sum();
    words <= SIGN_IN_MAX_WORDS
}

/// The error of an article whose URL redirects for now (302, 303, 307) to
/// `landed`, a page of the same site that is a gate ([`Gate`]): a
/// sign-in, consent or subscription step that keeps the story from
/// presswatch for a while, not a takedown. A failed check.
pub(super) fn sent_to_a_gate(url: &url::Url, landed: &url::Url, gate: Gate) -> String {
    let known = match gate {
        Gate::Address => "its address leads back to the article",
        Gate::SignIn => "it is a sign-in form",
    };
    format!(
        "{url}: the site sends presswatch for now to a sign-in, consent or subscription page, {landed} \
         ({known}), not to the article: the article is not taken down; presswatch keeps the baseline \
         and tries again at the next check. If it lasts, open the URL in a browser from the machine \
         presswatch runs on: the site may ask automated visitors to sign in, accept cookies or subscribe"
    )
}

/// The error of an article whose URL is gone (`resp`) and has never worked
/// for the watch: there was nothing to take down, so it is most often a
/// mistyped or cut-off URL. Said as what to check.
pub(super) fn never_worked(
    ctx: &Context,
    watch: &Watch,
    resp: &Response,
    has_baseline: bool,
) -> String {
    let how = match resp.status {
        404 => "answers HTTP 404 (not found)".to_string(),
        410 => "answers HTTP 410 (gone)".to_string(),
        _ => format!("redirects to the site's front page {}", resp.final_url),
    };
    let baseline = if has_baseline {
        format!(
            " ({} holds the text you expect, but this URL has never served it)",
            ctx.baselines.path(&watch.name).display()
        )
    } else {
        String::new()
    };
    format!(
        "{url} {how} and has never worked for this watch{baseline}. The URL may be mistyped or cut off, \
         or the article was removed before the watch began. Open the URL in a browser: if the article \
         is there, copy the address from the address bar into `url` of watch {name} in the config; if \
         the browser gets the same error, find the article on the site (its search or the story's tag \
         page) and use its address",
        url = watch.url,
        name = watch.name,
    )
}

/// An article that is gone (`how`, as [`gone`] says it): one "taken down"
/// alert carrying the last text held, then quiet until it is back.
pub(super) async fn taken_down(
    ctx: &Context,
    watch: &Watch,
    st: &mut WatchState,
    how: String,
    resp: Response,
) -> CheckResult {
    // Where a gone article's URL leads is no new address of the story.
    st.moved_to = None;
    if st.gone {
        let since = st
            .last_change
            .and_then(|t| chrono::DateTime::from_timestamp(t, 0))
            .map(|t| format!(" since {}", t.format("%Y-%m-%d %H:%M UTC")))
            .unwrap_or_default();
        return Ok((
            Outcome::Gone,
            format!("still gone{since}"),
            vec![],
            Keep::default(),
        ));
    }
    let (baselines, name) = (ctx.baselines.clone(), watch.name.clone());
    let Some(old) = ctx
        .cpu_bound(move || read_baseline(&baselines, &name))
        .await??
    else {
        return Ok((
            Outcome::Gone,
            format!(
                "gone, with no baseline to hold what it said ({} is missing)",
                ctx.baselines.path(&watch.name).display()
            ),
            vec![],
            Keep::default(),
        ));
    };
    let latest = ctx.state.latest(&watch.name).map_err(|e| e.to_string())?;
    let now = Utc::now().timestamp();
    let old_hash = old.content_hash();
    // The text held is the latest version, or the baseline file, which
    // becomes version 1 now if the history does not hold it yet.
    let (file, version, stored_at) = match &latest {
        Some(v) => (None, v.seq, v.stored_at),
        None => (
            Some(file_version(
                ctx,
                old.to_baseline(watch.url.as_str(), ""),
                old_hash.clone(),
            )),
            1,
            now,
        ),
    };
    // The watch's events so far: the alert's id counts its takedowns and
    // restores, the viewer's row this version's takedowns.
    let events = ctx.state.events(&watch.name).map_err(|e| e.to_string())?;
    // The address a redirect led to, as staff click it in the alert:
    // without tracking parameters (the event keeps it as served).
    let final_url = resp.final_url.as_str();
    let summary = how.replace(final_url, &crate::tracking::without_tracking(final_url));
    let mut a = article_alert(
        watch,
        ChangeKind::TakenDown,
        summary,
        &[
            &"taken_down",
            &old_hash,
            &events
                .iter()
                .filter(|e| e.kind.is_takedown_or_restore())
                .count(),
        ],
        latest.as_ref(),
    );
    a.outlet = watch.outlet_named(old.site_name.as_deref());
    a.lang = old.lang.clone();
    a.title = old.headline().map(str::to_string);
    a.byline = old.byline.clone();
    a.last_known = Some(LastKnown::of(
        &old,
        version,
        rfc3339(stored_at),
        st.last_ok.map(rfc3339),
    ));
    // The evidence: the last version kept, and the answer that reported it gone.
    let snapshot = version_snapshot(&ctx.state, &watch.name, version).map_err(|e| e.to_string())?;
    // The viewer's row for this takedown: the how-manieth of this version.
    let nth = 1 + events
        .iter()
        .filter(|e| e.kind == EventKind::TakenDown && e.version == version)
        .count();
    a.evidence = evidence(
        ctx,
        version,
        &crate::evidence::pages::takedown_path(&watch.name, version, nth),
        snapshot.map(|s| s.body_sha256),
    );
    st.gone = true;
    st.validators = Validators::default();
    let keep = Keep {
        file_version: file,
        events: vec![NewEvent {
            at: now,
            kind: EventKind::TakenDown,
            detail: how.clone(),
        }],
        takedown: Some((version, Box::new(snapshot_of(watch, resp)))),
        ..Keep::default()
    };
    Ok((Outcome::Changed(ChangeKind::TakenDown), how, vec![a], keep))
}

/// How many takedowns and restores of `watch` are recorded: part of the id
/// of a takedown or restore alert, which would otherwise repeat when a story
/// is taken down (or restored) a second time with the same text and version,
/// and be dropped by the outbox as delivered already. Two checks that see the
/// same state still derive the same id. (Moves are not counted: ids stay
/// what they were before moves were recorded.)
pub(super) fn takedowns_and_restores(ctx: &Context, watch: &Watch) -> Result<usize, String> {
    Ok(ctx
        .state
        .events(&watch.name)
        .map_err(|e| e.to_string())?
        .iter()
        .filter(|e| e.kind.is_takedown_or_restore())
        .count())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_gate_s_address_leads_back_to_the_story_and_a_section_s_does_not() {
        let u = |s: &str| url::Url::parse(s).unwrap();
        let story = u("https://n.example.org/news/2024/05/rasoulof-flees");
        let slug = u("https://n.example.org/news/127455-rasoulof-flees");
        for gate in [
            "https://n.example.org/login?next=%2Fnews%2F2024%2F05%2Frasoulof-flees",
            "https://n.example.org/subscribe?return_to=https%3A%2F%2Fn.example.org%2Fnews%2F2024%2F05%2Frasoulof-flees",
            "https://n.example.org/consent?redirect=/news/2024/05/rasoulof-flees/",
            "https://n.example.org/account/signin?ReturnUrl=%2Fnews%2F2024%2F05%2Frasoulof-flees",
            // Any parameter, on a path that names a gate.
            "https://n.example.org/cookie-consent?u=%2Fnews%2F2024%2F05%2Frasoulof-flees",
            // Where a redirect on the way led.
            "https://n.example.org/login?next=%2Fnews%2F127455-rasoulof-flees",
        ] {
            assert!(leads_back(&[&story, &slug], &u(gate)), "{gate}");
        }
        for not_a_gate in [
            // The section, told where the reader came from.
            "https://n.example.org/news/?from=%2Fnews%2F2024%2F05%2Frasoulof-flees",
            "https://n.example.org/news/?utm_source=%2Fnews%2F2024%2F05%2Frasoulof-flees",
            // A gate that leads elsewhere, or to the front.
            "https://n.example.org/login?next=%2Fnews%2F2024%2F05%2Fanother-story",
            "https://n.example.org/login",
            // The story itself, told where it came from.
            "https://n.example.org/news/2024/05/rasoulof-flees?next=%2Fnews%2F2024%2F05%2Frasoulof-flees",
        ] {
            assert!(!leads_back(&[&story], &u(not_a_gate)), "{not_a_gate}");
        }
        // A story at the site's root is no address to lead back to.
        let root = u("https://n.example.org/");
        assert!(!leads_back(
            &[&root],
            &u("https://n.example.org/login?next=%2F")
        ));
    }

    #[test]
    fn a_sign_in_form_has_a_password_field_and_little_prose() {
        let form = br#"<form method="post"><input type="email" name="u"><input name="p" type="password"><button>Log in</button></form>"#;
        assert!(sign_in_form(None, form));
        let mut short = Document::default();
        short
            .blocks
            .push(crate::document::Block::paragraph("Log in to keep reading."));
        assert!(sign_in_form(Some(&short), form));
        // A page with a log-in box in its header and a story's prose.
        let mut story = Document::default();
        for _ in 0..10 {
            story.blocks.push(crate::document::Block::paragraph(
                "The filmmaker left the country on foot after an appeals court upheld his sentence, his lawyer said.",
            ));
        }
        assert!(!sign_in_form(Some(&story), form));
        assert!(!sign_in_form(None, b"<form><input type=\"search\"></form>"));
        let u = |s: &str| url::Url::parse(s).unwrap();
        assert!(names_a_gate(&u("https://n.example.org/account/sign-in")));
        assert!(names_a_gate(&u("https://n.example.org/login")));
        assert!(!names_a_gate(&u(
            "https://n.example.org/news/127455-loginov-freed"
        )));
    }

    #[test]
    fn redirect_to_home_or_section_is_taken_down() {
        let u = |s: &str| url::Url::parse(s).unwrap();
        assert!(redirected_to_front(
            &u("https://n.example.org/world/2024/05/rasoulof-flees"),
            &u("https://n.example.org/")
        ));
        assert!(redirected_to_front(
            &u("https://n.example.org/world/2024/05/rasoulof-flees-iran-exile"),
            &u("https://n.example.org/world")
        ));
        assert!(!redirected_to_front(
            &u("https://n.example.org/a/b"),
            &u("https://n.example.org/a/b")
        ));
        assert!(!redirected_to_front(
            &u("http://n.example.org/story/123"),
            &u("https://n.example.org/story/123-rasoulof-flees")
        ));
    }
}
