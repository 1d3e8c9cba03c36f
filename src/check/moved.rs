//! A watch's URL that redirects for good: what ops are told (log, `presswatch
//! status`, the check's summary line), and for an article the `moved` alert,
//! once per new address, with its place in the history.

use crate::alert::{Alert, Evidence};
use crate::compare::ChangeKind;
use crate::config::Watch;
use crate::store::EventKind;

use super::keep::{evidence, Keep};
use super::{base_alert, Context};

/// Tells ops that the watch's URL redirects for good to `to`: a warning
/// logged on every check until the config names the new address, and the
/// check's `detail` with the same note (the check's summary line). The
/// address the note gives is the one to paste into the config: without
/// tracking parameters; the log's `moved_to` field keeps it as served.
pub(super) fn tell_ops_of_move(watch: &Watch, to: &str, detail: &str) -> String {
    tracing::warn!(watch = %watch.name, url = %watch.url, moved_to = %to, "{}", move_for_ops(watch, to));
    let to = crate::tracking::without_tracking(to);
    let note = format!("moved permanently to {to}: {}", set_url(&to));
    if detail.is_empty() {
        note
    } else {
        format!("{detail}; {note}")
    }
}

/// What ops read (log, `presswatch status`) of a watch whose URL redirects
/// for good to `to`: `watch NAME: OLD redirects permanently to NEW: set url
/// = "NEW" in the watch's config`. NEW is given without tracking
/// parameters (`?utm_source=…&fbclid=…`, [`crate::tracking::without_tracking`]):
/// a redirect that carries them names the same story, and a watch whose
/// `url` keeps them would alert and cite them.
pub fn move_for_ops(watch: &Watch, to: &str) -> String {
    let to = crate::tracking::without_tracking(to);
    format!(
        "watch {}: {} redirects permanently to {to}: {}",
        watch.name,
        watch.url,
        set_url(&to)
    )
}

/// What to do about a watch whose URL redirects for good to `to`.
fn set_url(to: &str) -> String {
    format!("set url = \"{to}\" in the watch's config")
}

/// The alert that an article watch's URL now redirects for good to another
/// article (`to`): once per new address (its id is the watch's and the
/// address's), so that people citing the story cite where it is now. Its
/// summary says when the story moved to another site. The new address
/// it gives, which staff click and cite, is without tracking parameters
/// (`?utm_source=…`, [`crate::tracking::without_tracking`]); the history
/// and the alert's id keep it as the redirect served it.
pub(super) fn moved_alert(watch: &Watch, to: &str) -> Alert {
    let moved = match crate::alert::another_site(watch.url.as_str(), to) {
        Some(_) => "The article moved to another site",
        None => "The article moved",
    };
    let link = crate::tracking::without_tracking(to);
    let mut a = base_alert(
        watch,
        ChangeKind::Moved,
        format!("{moved}: {} \u{2192} {link}", watch.url),
        &[&"moved", &to],
    );
    a.moved_to = Some(link);
    a
}

/// Whether the watch's history records a move of its URL to `to`. When the
/// history cannot be read, the move is taken for new (a repeated alert
/// rather than a missed one).
pub(super) fn moved_there_before(ctx: &Context, watch: &Watch, to: &str) -> bool {
    match ctx.state.events(&watch.name) {
        Ok(events) => events
            .iter()
            .any(|e| matches!(&e.kind, EventKind::Moved { to: known, .. } if known == to)),
        Err(e) => {
            tracing::warn!(watch = %watch.name, error = %e, "watch {}: its history could not be read to tell whether its move to {to} was alerted before: it is alerted", watch.name);
            false
        }
    }
}

/// Where a `moved` alert's evidence is: the version current once the check
/// stores its versions (the text found at the new address), and the move's
/// row on the viewer's timeline (the how-manieth move of that version), linked
/// when `report_url` is set.
pub(super) fn moved_evidence(
    ctx: &Context,
    watch: &Watch,
    keep: &Keep,
) -> Result<Option<Evidence>, String> {
    let latest = ctx.state.latest(&watch.name).map_err(|e| e.to_string())?;
    let version = keep.version_after(latest.as_ref());
    let nth = 1 + ctx
        .state
        .events(&watch.name)
        .map_err(|e| e.to_string())?
        .iter()
        .filter(|e| matches!(e.kind, EventKind::Moved { .. }) && e.version == version)
        .count();
    Ok(evidence(
        ctx,
        version,
        &crate::evidence::pages::moved_path(&watch.name, version, nth),
        None,
    ))
}
