//! An article taken down: how its page is gone (404, 410, a redirect to a
//! section front or the home page), the one "taken down" alert carrying the
//! last text held, the count of takedowns and restores that names a restore,
//! and the error of a URL that never worked.

use chrono::Utc;

use crate::alert::LastKnown;
use crate::compare::ChangeKind;
use crate::config::Watch;
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
    let mut a = article_alert(
        watch,
        ChangeKind::TakenDown,
        how.clone(),
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
        &crate::evidence::takedown_path(&watch.name, version, nth),
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
