//! The failure policy, in one place (documented in docs/exhibit-format.md, "When files are
//! broken"):
//!
//! - a **required** file (a model) that cannot be used sends the viewer to the error screen,
//!   which names the file and the problem; the other exhibits stay reachable;
//! - an **optional** file (a hotspot image, captions, a sound, a narration) that cannot be used
//!   is left out: the exhibit shows without it, a notice on screen says so, the log has a
//!   warning and a host page hears a `warning` event naming the file and the reason;
//! - nothing in an exhibit's files makes the viewer quit, panic or wait forever: every wait has a
//!   limit ([`LOAD_STALL_LIMIT`], [`FRAMING_LIMIT`], and the warm-up and shot limits in their
//!   modules), after which the exhibit counts as failed with a message saying what never came.
//!
//! Whoever finds a problem writes a [`ContentFailure`] or a [`ContentNotice`]; only this module
//! decides what the visitor sees.

use std::time::Duration;

use bevy::picking::Pickable;
use bevy::prelude::*;

use crate::ViewerState;
use crate::i18n::{Language, UiString};
use crate::library::{ExhibitLibrary, ExhibitReset};
use crate::loading::OpenFailure;
use crate::theme::{LocalizedLabel, TextStyle, UiFonts, label, panel};
use crate::ui::HudHeader;

/// How long the files of an exhibit may stop arriving before the exhibit counts as failed.
pub const LOAD_STALL_LIMIT: Duration = Duration::from_secs(90);
/// How long a spawned model may take to show anything measurable.
pub const FRAMING_LIMIT: Duration = Duration::from_secs(30);

pub(super) fn plugin(app: &mut App) {
    app.add_message::<ContentNotice>()
        .add_message::<ContentFailure>()
        .init_resource::<ExhibitNotices>()
        .add_systems(ExhibitReset, |mut notices: ResMut<ExhibitNotices>| {
            notices.0.clear()
        })
        .add_systems(Update, (leave_out_optional_files, fail_on_required_files))
        .add_systems(Update, show_notices.run_if(in_state(ViewerState::Exhibit)));
}

/// An optional file of the exhibit on screen could not be used and was left out.
#[derive(Message, Clone, Debug, PartialEq, Eq)]
pub struct ContentNotice {
    /// The file as the manifest names it (relative to the package).
    pub file: String,
    /// What is wrong, in words for staff.
    pub reason: String,
}

/// A required file of the exhibit could not be used: the exhibit cannot be shown.
#[derive(Message, Clone, Debug, PartialEq, Eq)]
pub struct ContentFailure {
    pub file: String,
    pub reason: String,
}

/// What was left out of the exhibit on screen, in the order it was found (each file once).
#[derive(Resource, Default, Debug, Clone)]
pub struct ExhibitNotices(pub Vec<ContentNotice>);

fn manifest_location(library: &ExhibitLibrary) -> String {
    library.current_package().map_or_else(String::new, |p| {
        p.root
            .join(disan_format::MANIFEST_FILE)
            .display()
            .to_string()
    })
}

fn leave_out_optional_files(
    mut found: MessageReader<ContentNotice>,
    mut notices: ResMut<ExhibitNotices>,
    library: Res<ExhibitLibrary>,
) {
    for notice in found.read() {
        if notices
            .0
            .iter()
            .any(|n| n.file == notice.file && n.reason == notice.reason)
        {
            continue;
        }
        warn!(
            "{}: warning: \"{}\" was left out: {}",
            manifest_location(&library),
            notice.file,
            notice.reason
        );
        notices.0.push(notice.clone());
    }
}

fn fail_on_required_files(
    mut found: MessageReader<ContentFailure>,
    mut failure: ResMut<OpenFailure>,
    library: Res<ExhibitLibrary>,
    state: Res<State<ViewerState>>,
    mut next: ResMut<NextState<ViewerState>>,
) {
    let lines: Vec<String> = found
        .read()
        .map(|f| {
            format!(
                "{}: error: \"{}\" cannot be shown: {}",
                manifest_location(&library),
                f.file,
                f.reason
            )
        })
        .collect();
    if lines.is_empty() || *state.get() == ViewerState::Error {
        return;
    }
    lines.iter().for_each(|l| error!("{l}"));
    failure.problems = lines;
    next.set(ViewerState::Error);
}

#[derive(Component)]
struct NoticePanel;

/// A quiet line in the header, under the title: the visitor learns that something is missing (and
/// staff which file) without the exhibit being covered.
fn show_notices(
    notices: Res<ExhibitNotices>,
    fonts: Res<UiFonts>,
    lang: Res<Language>,
    hud: Query<Entity, With<HudHeader>>,
    panels: Query<Entity, With<NoticePanel>>,
    mut commands: Commands,
) {
    let hud_added = panels.is_empty() && !notices.0.is_empty();
    if !notices.is_changed() && !hud_added {
        return;
    }
    for e in &panels {
        commands.entity(e).despawn();
    }
    let (Some(root), false) = (hud.iter().next(), notices.0.is_empty()) else {
        return;
    };
    let files: Vec<&str> = notices.0.iter().map(|n| n.file.as_str()).collect();
    const SHOWN: usize = 3;
    let mut list = files
        .iter()
        .take(SHOWN)
        .copied()
        .collect::<Vec<_>>()
        .join(", ");
    if files.len() > SHOWN {
        list.push_str(&format!(" (+{})", files.len() - SHOWN));
    }
    let text = LocalizedLabel::both(
        format!("{}: {list}", UiString::FilesLeftOut.text(Language::VI)),
        format!("{}: {list}", UiString::FilesLeftOut.text(Language::EN)),
    );
    commands.spawn((
        panel(Node {
            // The last line of the header, under the title: it never covers the exhibit's
            // middle or the tools.
            margin: UiRect::top(px(4)),
            padding: UiRect::axes(px(10), px(6)),
            border_radius: BorderRadius::all(px(6)),
            ..default()
        }),
        Pickable::IGNORE,
        NoticePanel,
        ChildOf(root),
        children![label(&fonts, *lang, text, TextStyle::Small)],
    ));
}
