//! The screens around the 3D view: the exhibit HUD (title, controls, points of interest), the
//! hotspot info panel, the loading screen with its progress bar, and the error screen.

use bevy::picking::Pickable;
use bevy::prelude::*;

use crate::ViewerState;
use crate::camera::{CameraCommand, CameraRig, NavMode};
use crate::hotspots::{OpenHotspot, look_at_opened};
use crate::i18n::{Language, UiString};
use crate::library::{ExhibitLibrary, SwitchExhibit};
use crate::loading::{ExhibitLoad, OpenFailure};
use crate::theme::{self, LocalizedLabel, TextStyle, UiFonts, button, label, panel};

pub(super) fn plugin(app: &mut App) {
    app.add_systems(OnEnter(ViewerState::Loading), spawn_loading_screen)
        .add_systems(OnEnter(ViewerState::Exhibit), spawn_hud)
        .add_systems(OnEnter(ViewerState::Error), spawn_error_screen)
        .add_systems(
            Update,
            (
                run_actions,
                update_progress.run_if(in_state(ViewerState::Loading)),
                (look_at_opened, show_info_panel, follow_nav_mode).run_if(in_state(ViewerState::Exhibit)),
            ),
        );
}

/// What a button does.
#[derive(Component, Clone, Copy, Debug, PartialEq)]
pub enum UiAction {
    ToggleLanguage,
    ToggleWalk,
    Home,
    PreviousExhibit,
    NextExhibit,
    OpenHotspot(usize),
    CloseHotspot,
    TogglePointList,
}

#[derive(Component)]
struct ProgressFill;

/// The folding list of points of interest in the header.
#[derive(Component)]
struct PointList;

#[derive(Component)]
struct ProgressText;

#[derive(Component)]
struct InfoPanel;

#[derive(Component)]
struct HelpLine;

#[derive(Component)]
struct WalkButtonLabel;

/// Hidden in shots made for thumbnails.
#[derive(Component)]
pub struct Hud;

fn screen_root() -> Node {
    Node { width: percent(100), height: percent(100), position_type: PositionType::Absolute, ..default() }
}

fn spawn_loading_screen(mut commands: Commands, fonts: Res<UiFonts>, lang: Res<Language>, library: Res<ExhibitLibrary>) {
    let title = library.current_package().map_or(LocalizedLabel::same("Disan"), |p| LocalizedLabel::from_text(&p.manifest.title));
    commands.spawn((
        Node {
            flex_direction: FlexDirection::Column,
            justify_content: JustifyContent::Center,
            align_items: AlignItems::Center,
            row_gap: px(14),
            ..screen_root()
        },
        BackgroundColor(Color::srgb(0.10, 0.09, 0.08)),
        DespawnOnExit(ViewerState::Loading),
        children![
            label(&fonts, *lang, title, TextStyle::Title),
            label(&fonts, *lang, LocalizedLabel::ui(UiString::Loading), TextStyle::Body),
            (
                Node { width: px(360), height: px(10), border_radius: BorderRadius::all(px(5)), ..default() },
                BackgroundColor(Color::srgba(1.0, 1.0, 1.0, 0.15)),
                children![(
                    Node { width: percent(0), height: percent(100), border_radius: BorderRadius::all(px(5)), ..default() },
                    BackgroundColor(theme::GOLD),
                    ProgressFill,
                )],
            ),
            (label(&fonts, *lang, LocalizedLabel::same("0 %"), TextStyle::Small), ProgressText),
        ],
    ));
}

fn update_progress(
    load: Res<ExhibitLoad>,
    mut fill: Query<&mut Node, With<ProgressFill>>,
    mut text: Query<&mut LocalizedLabel, With<ProgressText>>,
) {
    let pct = (load.progress * 100.0).round();
    for mut node in &mut fill {
        node.width = percent(pct);
    }
    for mut t in &mut text {
        let s = format!("{pct:.0} %");
        if t.vi != s {
            *t = LocalizedLabel::same(s);
        }
    }
}

fn spawn_hud(mut commands: Commands, fonts: Res<UiFonts>, lang: Res<Language>, library: Res<ExhibitLibrary>) {
    let Some(package) = library.current_package() else { return };
    let m = &package.manifest;
    let lang = *lang;
    let rank = m.rank.label();
    // "Ward, Hải Phòng · formerly District": the two-tier names since 1 July 2025 first.
    let place = |l: Language| {
        m.location.as_ref().map(|loc| match &loc.former_district {
            Some(d) => format!("{}, Hải Phòng · {}: {d}", loc.commune, UiString::Formerly.text(l)),
            None => format!("{}, Hải Phòng", loc.commune),
        })
    };
    let subtitle = LocalizedLabel {
        vi: [Some(rank.text("vi").to_owned()), place(Language::Vi)].into_iter().flatten().collect::<Vec<_>>().join(" · "),
        en: [Some(rank.text("en").to_owned()), place(Language::En)].into_iter().flatten().collect::<Vec<_>>().join(" · "),
    };
    // Layout containers let clicks through to the markers in the 3D view; only panels and
    // buttons catch the pointer.
    let root = commands.spawn((screen_root(), Hud, Pickable::IGNORE, DespawnOnExit(ViewerState::Exhibit))).id();

    // Top left: what this is, and its points of interest.
    let header = commands
        .spawn((
            panel(Node {
                position_type: PositionType::Absolute,
                left: px(16),
                top: px(16),
                max_width: px(380),
                flex_direction: FlexDirection::Column,
                padding: UiRect::all(px(14)),
                row_gap: px(4),
                border_radius: BorderRadius::all(px(8)),
                ..default()
            }),
            ChildOf(root),
        ))
        .id();
    commands.spawn((label(&fonts, lang, LocalizedLabel::from_text(&m.title), TextStyle::Title), ChildOf(header)));
    commands.spawn((label(&fonts, lang, subtitle, TextStyle::Small), ChildOf(header)));
    if !m.hotspots.is_empty() {
        // Folded by default so the exhibit, not the menu, fills the screen.
        let toggle = LocalizedLabel {
            vi: format!("{} ({})", UiString::Hotspots.text(Language::Vi), m.hotspots.len()),
            en: format!("{} ({})", UiString::Hotspots.text(Language::En), m.hotspots.len()),
        };
        commands.spawn((button(&fonts, lang, toggle, UiAction::TogglePointList), ChildOf(header)));
        let list = commands
            .spawn((Node { flex_direction: FlexDirection::Column, display: Display::None, ..default() }, PointList, ChildOf(header)))
            .id();
        for (i, h) in m.hotspots.iter().enumerate() {
            let text = LocalizedLabel {
                vi: format!("{}  {}", i + 1, h.title.text("vi")),
                en: format!("{}  {}", i + 1, h.title.text("en")),
            };
            commands.spawn((button(&fonts, lang, text, UiAction::OpenHotspot(i)), ChildOf(list)));
        }
    }

    // Top right: language, navigation mode, home.
    let tools = commands
        .spawn((
            Node { position_type: PositionType::Absolute, right: px(16), top: px(16), flex_direction: FlexDirection::Row, ..default() },
            Pickable::IGNORE,
            ChildOf(root),
        ))
        .id();
    commands.spawn((button(&fonts, lang, LocalizedLabel::ui(UiString::LanguageButton), UiAction::ToggleLanguage), ChildOf(tools)));
    if m.navigation.walk {
        commands.spawn((button(&fonts, lang, LocalizedLabel::ui(UiString::Walk), UiAction::ToggleWalk), WalkButtonLabel, ChildOf(tools)));
    }
    if !m.tours.is_empty() {
        let start = LocalizedLabel { vi: "Tham quan có hướng dẫn".into(), en: "Guided tour".into() };
        commands.spawn((button(&fonts, lang, start, crate::tour::TourButton(crate::tour::TourButtonKind::Start)), ChildOf(tools)));
    }
    commands.spawn((button(&fonts, lang, LocalizedLabel::ui(UiString::Home), UiAction::Home), ChildOf(tools)));

    // Bottom: how to move, and the rest of the catalogue.
    let bottom = commands
        .spawn((
            Node {
                position_type: PositionType::Absolute,
                left: px(16),
                right: px(16),
                bottom: px(12),
                flex_direction: FlexDirection::Row,
                justify_content: JustifyContent::SpaceBetween,
                align_items: AlignItems::End,
                ..default()
            },
            Pickable::IGNORE,
            ChildOf(root),
        ))
        .id();
    let help = commands
        .spawn((
            panel(Node { max_width: percent(60), padding: UiRect::axes(px(10), px(6)), border_radius: BorderRadius::all(px(6)), ..default() }),
            ChildOf(bottom),
        ))
        .id();
    commands.spawn((label(&fonts, lang, LocalizedLabel::ui(UiString::OrbitHelp), TextStyle::Small), HelpLine, ChildOf(help)));
    if library.len() > 1 {
        let nav = commands
            .spawn((Node { flex_direction: FlexDirection::Row, align_items: AlignItems::Center, ..default() }, Pickable::IGNORE, ChildOf(bottom)))
            .id();
        commands.spawn((button(&fonts, lang, LocalizedLabel::ui(UiString::Previous), UiAction::PreviousExhibit), ChildOf(nav)));
        let counter = LocalizedLabel::same(format!("{} / {}", library.current + 1, library.len()));
        commands.spawn((label(&fonts, lang, counter, TextStyle::Body), TextShadow::default(), ChildOf(nav)));
        commands.spawn((button(&fonts, lang, LocalizedLabel::ui(UiString::Next), UiAction::NextExhibit), ChildOf(nav)));
    }
}

fn follow_nav_mode(
    rig: Res<CameraRig>,
    mut help: Query<&mut LocalizedLabel, (With<HelpLine>, Without<WalkButtonLabel>)>,
    walk_buttons: Query<&Children, With<WalkButtonLabel>>,
    mut labels: Query<&mut LocalizedLabel, Without<HelpLine>>,
) {
    if !rig.is_changed() {
        return;
    }
    let (help_text, button_text) = match rig.mode {
        NavMode::Orbit => (UiString::OrbitHelp, UiString::Walk),
        NavMode::Walk => (UiString::WalkHelp, UiString::Orbit),
    };
    for mut h in &mut help {
        if h.vi != help_text.text(Language::Vi) {
            *h = LocalizedLabel::ui(help_text);
        }
    }
    for children in &walk_buttons {
        for child in children {
            if let Ok(mut l) = labels.get_mut(*child)
                && l.vi != button_text.text(Language::Vi)
            {
                *l = LocalizedLabel::ui(button_text);
            }
        }
    }
}

fn show_info_panel(
    open: Res<OpenHotspot>,
    library: Res<ExhibitLibrary>,
    load: Res<ExhibitLoad>,
    fonts: Res<UiFonts>,
    lang: Res<Language>,
    existing: Query<Entity, With<InfoPanel>>,
    hud: Query<Entity, With<Hud>>,
    mut commands: Commands,
) {
    if !open.is_changed() {
        return;
    }
    for e in &existing {
        commands.entity(e).despawn();
    }
    let (Some(i), Some(package), Some(root)) = (open.0, library.current_package(), hud.iter().next()) else { return };
    let h = &package.manifest.hotspots[i];
    let panel_entity = commands
        .spawn((
            panel(Node {
                position_type: PositionType::Absolute,
                right: px(16),
                top: px(72),
                width: px(400),
                max_height: percent(80),
                flex_direction: FlexDirection::Column,
                padding: UiRect::all(px(16)),
                row_gap: px(10),
                border_radius: BorderRadius::all(px(8)),
                overflow: Overflow::clip_y(),
                ..default()
            }),
            InfoPanel,
            ChildOf(root),
        ))
        .id();
    commands.spawn((label(&fonts, *lang, LocalizedLabel::from_text(&h.title), TextStyle::Heading), ChildOf(panel_entity)));
    if let Some(Some(image)) = load.hotspot_images.get(i) {
        commands.spawn((
            ImageNode::new(image.clone()),
            Node { width: percent(100), max_height: px(220), ..default() },
            ChildOf(panel_entity),
        ));
    }
    commands.spawn((label(&fonts, *lang, LocalizedLabel::from_text(&h.body), TextStyle::Body), ChildOf(panel_entity)));
    commands.spawn((
        Node { justify_content: JustifyContent::End, ..default() },
        ChildOf(panel_entity),
        children![button(&fonts, *lang, LocalizedLabel::ui(UiString::Close), UiAction::CloseHotspot)],
    ));
}

fn spawn_error_screen(
    mut commands: Commands,
    fonts: Res<UiFonts>,
    lang: Res<Language>,
    failure: Res<OpenFailure>,
    library: Res<ExhibitLibrary>,
) {
    let lang = *lang;
    let root = commands
        .spawn((
            Node {
                flex_direction: FlexDirection::Column,
                justify_content: JustifyContent::Center,
                align_items: AlignItems::Center,
                padding: UiRect::all(px(32)),
                row_gap: px(12),
                ..screen_root()
            },
            BackgroundColor(Color::srgb(0.13, 0.07, 0.06)),
            DespawnOnExit(ViewerState::Error),
        ))
        .id();
    commands.spawn((label(&fonts, lang, LocalizedLabel::ui(UiString::OpenFailed), TextStyle::Title), ChildOf(root)));
    let list = commands
        .spawn((
            panel(Node { flex_direction: FlexDirection::Column, padding: UiRect::all(px(14)), row_gap: px(6), max_width: percent(90), border_radius: BorderRadius::all(px(6)), ..default() }),
            ChildOf(root),
        ))
        .id();
    const SHOWN: usize = 12;
    for problem in failure.problems.iter().take(SHOWN) {
        commands.spawn((label(&fonts, lang, LocalizedLabel::same(problem.clone()), TextStyle::Body), ChildOf(list)));
    }
    if failure.problems.len() > SHOWN {
        let more = failure.problems.len() - SHOWN;
        let text = LocalizedLabel { vi: format!("… và {more} lỗi khác"), en: format!("… and {more} more") };
        commands.spawn((label(&fonts, lang, text, TextStyle::Small), ChildOf(list)));
    }
    commands.spawn((label(&fonts, lang, LocalizedLabel::ui(UiString::OpenFailedHint), TextStyle::Small), ChildOf(root)));
    let row = commands.spawn((Node { flex_direction: FlexDirection::Row, ..default() }, ChildOf(root))).id();
    if library.len() > 1 {
        commands.spawn((button(&fonts, lang, LocalizedLabel::ui(UiString::Previous), UiAction::PreviousExhibit), ChildOf(row)));
        commands.spawn((button(&fonts, lang, LocalizedLabel::ui(UiString::Next), UiAction::NextExhibit), ChildOf(row)));
    }
    commands.spawn((button(&fonts, lang, LocalizedLabel::ui(UiString::LanguageButton), UiAction::ToggleLanguage), ChildOf(row)));
}

fn run_actions(
    pressed: Query<(&Interaction, &UiAction), Changed<Interaction>>,
    mut point_lists: Query<&mut Node, With<PointList>>,
    mut lang: ResMut<Language>,
    mut open: ResMut<OpenHotspot>,
    mut camera: MessageWriter<CameraCommand>,
    mut switch: MessageWriter<SwitchExhibit>,
) {
    for (interaction, action) in &pressed {
        if *interaction != Interaction::Pressed {
            continue;
        }
        match *action {
            UiAction::ToggleLanguage => *lang = lang.other(),
            UiAction::ToggleWalk => {
                camera.write(CameraCommand::ToggleWalk);
            }
            UiAction::Home => {
                open.0 = None;
                camera.write(CameraCommand::Home);
            }
            UiAction::PreviousExhibit => {
                switch.write(SwitchExhibit::Previous);
            }
            UiAction::NextExhibit => {
                switch.write(SwitchExhibit::Next);
            }
            UiAction::OpenHotspot(i) => open.0 = Some(i),
            UiAction::CloseHotspot => open.0 = None,
            UiAction::TogglePointList => {
                for mut node in &mut point_lists {
                    node.display = if node.display == Display::None { Display::Flex } else { Display::None };
                }
            }
        }
    }
}
