//! The screens around the 3D view: the exhibit HUD (title, controls, points of interest), the
//! hotspot info panel, the loading screen with its progress bar, and the error screen.

use bevy::picking::Pickable;
use bevy::prelude::*;

use crate::ViewerState;
use crate::camera::{CameraCommand, CameraRig, NavMode};
use crate::hotspots::{OpenHotspot, look_at_opened};
use crate::i18n::{Language, OfferedLanguages, UiString};
use crate::library::{ExhibitLibrary, ExhibitReset, SwitchExhibit};
use crate::loading::{ExhibitLoad, OpenFailure};
use crate::theme::{self, LocalizedLabel, TextStyle, UiFonts, button, label, panel};

pub(super) fn plugin(app: &mut App) {
    app.add_observer(scroll_panel_by_wheel)
        .add_observer(scroll_panel_by_drag);
    app.init_resource::<AboutOpen>()
        .init_resource::<ToolsOpen>()
        .add_systems(
            ExhibitReset,
            |mut about: ResMut<AboutOpen>, mut tools: ResMut<ToolsOpen>| {
                about.0 = false;
                tools.0 = false;
            },
        )
        .add_systems(OnEnter(ViewerState::Loading), spawn_loading_screen)
        .add_systems(OnEnter(ViewerState::Exhibit), spawn_hud.in_set(HudSpawned))
        .add_systems(OnEnter(ViewerState::Error), spawn_error_screen)
        .add_systems(
            Update,
            (
                run_actions,
                update_progress.run_if(in_state(ViewerState::Loading)),
                (
                    look_at_opened,
                    show_info_panel,
                    show_about_panel,
                    follow_nav_mode,
                    fit_to_small_screens,
                    make_room_for_the_help_line,
                )
                    .run_if(in_state(ViewerState::Exhibit)),
            ),
        );
}

/// What a button does.
#[derive(Component, Clone, Debug, PartialEq)]
pub enum UiAction {
    ToggleLanguage,
    ToggleWalk,
    Home,
    PreviousExhibit,
    NextExhibit,
    /// By the hotspot's id.
    OpenHotspot(String),
    CloseHotspot,
    TogglePointList,
    /// The exhibit's credits: rights, attribution, provenance.
    ToggleAbout,
    /// On a small screen, the tools are behind a menu button.
    ToggleTools,
}

/// Whether the tools are shown on a small screen (they always are on a large one).
#[derive(Resource, Default, Debug)]
pub struct ToolsOpen(pub bool);

#[derive(Component)]
struct MenuButton;

/// The line under the title (rank and place), left out on screens too low for it.
#[derive(Component)]
struct Subtitle;

/// Whether the About panel (the exhibit's rights and provenance) is open.
#[derive(Resource, Default, Debug)]
pub struct AboutOpen(pub bool);

#[derive(Component)]
struct AboutPanel;

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

/// The keyboard and mouse help, hidden on small (touch) screens where it would cover the exhibit.
#[derive(Component)]
struct KeyboardHelp;

#[derive(Component)]
struct WalkButtonLabel;

/// Hidden in shots made for thumbnails. Other plugins add their own parts (the tour's bar, the
/// notices) under it.
#[derive(Component)]
pub struct Hud;

/// The row of tool buttons at the top right; other plugins add theirs (the tour's start button).
#[derive(Component)]
pub struct HudTools;

/// The panel at the top left that says what the exhibit is; other plugins add lines to it (the
/// notice of files left out).
#[derive(Component)]
pub struct HudHeader;

/// Where the HUD is spawned on entering an exhibit: order additions to it after this.
#[derive(SystemSet, Debug, Clone, PartialEq, Eq, Hash)]
pub struct HudSpawned;

/// The bars along the bottom of the screen, one slot each, stacked from the top down in this
/// order (a gallery's caption over the video's controls over the tour's bar). Each plugin puts
/// its bar in its slot ([`spawn_bottom_bar`]) and the layout stacks them, however tall each one
/// is: on a phone a video's chapter buttons wrap to three rows, and the tour's caption to four.
#[derive(Component, Clone, Copy, Debug, PartialEq, Eq)]
pub enum BottomSlot {
    Gallery,
    Video,
    Tour,
}

/// A bar in a bottom slot (the outer node [`spawn_bottom_bar`] makes).
#[derive(Component)]
pub struct BottomBar;

/// Room left under the bars for the help line; the tour's bar takes its place while it shows.
#[derive(Component)]
struct HelpLineRoom;

/// The entity of a bottom slot, to spawn a bar in.
pub fn bottom_slot(slots: &Query<(Entity, &BottomSlot)>, which: BottomSlot) -> Option<Entity> {
    slots.iter().find(|(_, s)| **s == which).map(|(e, _)| e)
}

/// A bar in a bottom slot (see [`BottomSlot`]): the full width, its panel centred, at most 760
/// pixels wide, laid out as `layout` says (direction, gaps, padding). The bar carries `marker`;
/// the panel, for the bar's contents, is returned.
pub fn spawn_bottom_bar(
    commands: &mut Commands,
    slot: Entity,
    marker: impl Bundle,
    layout: Node,
) -> Entity {
    let bar = commands
        .spawn((
            Node {
                // A definite width, so a wrapping row inside knows where to wrap when the
                // panel's height is worked out.
                width: percent(100),
                justify_content: JustifyContent::Center,
                margin: UiRect::top(px(8)),
                ..default()
            },
            Pickable::IGNORE,
            BottomBar,
            marker,
            ChildOf(slot),
        ))
        .id();
    commands
        .spawn((
            panel(Node {
                align_items: AlignItems::Center,
                max_width: px(760),
                border_radius: BorderRadius::all(px(8)),
                ..layout
            }),
            ChildOf(bar),
        ))
        .id()
}

/// The stack of bottom slots, over the help line and above the exhibit switcher when there is
/// one. Spawned last in the HUD, so the tour's bar covers the help line.
fn spawn_bottom_slots(commands: &mut Commands, root: Entity, several_exhibits: bool) {
    let stack = commands
        .spawn((
            Node {
                position_type: PositionType::Absolute,
                left: px(12),
                right: px(12),
                bottom: px(if several_exhibits { 64 } else { 12 }),
                flex_direction: FlexDirection::Column,
                ..default()
            },
            Pickable::IGNORE,
            ChildOf(root),
        ))
        .id();
    for slot in [BottomSlot::Gallery, BottomSlot::Video, BottomSlot::Tour] {
        commands.spawn((
            Node {
                width: percent(100),
                flex_direction: FlexDirection::Column,
                ..default()
            },
            Pickable::IGNORE,
            slot,
            ChildOf(stack),
        ));
    }
    commands.spawn((
        Node {
            height: px(48),
            ..default()
        },
        Pickable::IGNORE,
        HelpLineRoom,
        ChildOf(stack),
    ));
}

/// Whether the tour's bar is on screen (it takes the help line's place).
fn tour_bar_shown(slots: &Query<(&BottomSlot, Option<&Children>)>) -> bool {
    slots
        .iter()
        .any(|(s, children)| *s == BottomSlot::Tour && children.is_some_and(|c| !c.is_empty()))
}

/// The help line's room goes while the tour's bar is there (the help line goes too, in
/// [`fit_to_small_screens`]).
fn make_room_for_the_help_line(
    slots: Query<(&BottomSlot, Option<&Children>)>,
    mut room: Query<&mut Node, With<HelpLineRoom>>,
) {
    let touring = tour_bar_shown(&slots);
    for mut node in &mut room {
        let display = if touring {
            Display::None
        } else {
            Display::Flex
        };
        if node.display != display {
            node.display = display;
        }
    }
}

fn screen_root() -> Node {
    Node {
        width: percent(100),
        height: percent(100),
        position_type: PositionType::Absolute,
        ..default()
    }
}

fn spawn_loading_screen(
    mut commands: Commands,
    fonts: Res<UiFonts>,
    lang: Res<Language>,
    library: Res<ExhibitLibrary>,
) {
    let title = library
        .current_package()
        .map_or(LocalizedLabel::same("Disan"), |p| {
            LocalizedLabel::from_text(&p.manifest.title)
        });
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
            label(
                &fonts,
                *lang,
                LocalizedLabel::ui(UiString::Loading),
                TextStyle::Body
            ),
            (
                Node {
                    width: px(360),
                    height: px(10),
                    border_radius: BorderRadius::all(px(5)),
                    ..default()
                },
                BackgroundColor(Color::srgba(1.0, 1.0, 1.0, 0.15)),
                children![(
                    Node {
                        width: percent(0),
                        height: percent(100),
                        border_radius: BorderRadius::all(px(5)),
                        ..default()
                    },
                    BackgroundColor(theme::GOLD),
                    ProgressFill,
                )],
            ),
            (
                label(&fonts, *lang, LocalizedLabel::same("0 %"), TextStyle::Small),
                ProgressText
            ),
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
        if t.get(Language::VI) != s {
            *t = LocalizedLabel::same(s);
        }
    }
}

fn spawn_hud(
    mut commands: Commands,
    fonts: Res<UiFonts>,
    (lang, offered): (Res<Language>, Res<OfferedLanguages>),
    library: Res<ExhibitLibrary>,
) {
    let Some(package) = library.current_package() else {
        return;
    };
    let m = &package.manifest;
    let lang = *lang;
    let rank = m.rank.label();
    // "Ward, Province · formerly District": the two-tier names since 1 July 2025 first.
    let place = |l: Language| {
        m.location.as_ref().map(|loc| {
            let mut place = loc.commune.clone();
            if let Some(province) = &loc.province {
                place.push_str(&format!(", {province}"));
            }
            if let Some(d) = &loc.former_district {
                place.push_str(&format!(" · {}: {d}", UiString::Formerly.text(l)));
            }
            place
        })
    };
    let subtitle = LocalizedLabel::for_languages(&offered.0, |l| {
        // The rank is named by the UI (Vietnamese or English), the place as the manifest writes it.
        let rank = rank
            .text(if l == Language::VI { "vi" } else { "en" })
            .to_owned();
        [Some(rank), place(l)]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(" · ")
    });
    // Layout containers let clicks through to the markers in the 3D view; only panels and
    // buttons catch the pointer.
    let root = commands
        .spawn((
            screen_root(),
            Hud,
            Pickable::IGNORE,
            DespawnOnExit(ViewerState::Exhibit),
        ))
        .id();

    // The top bar: what this is (left) and the tools (right). It wraps: on a phone held upright
    // the tools go under the title instead of over it.
    let top = commands
        .spawn((
            Node {
                position_type: PositionType::Absolute,
                left: px(12),
                right: px(12),
                top: px(12),
                flex_direction: FlexDirection::Row,
                flex_wrap: FlexWrap::Wrap,
                justify_content: JustifyContent::SpaceBetween,
                align_items: AlignItems::FlexStart,
                row_gap: px(6),
                ..default()
            },
            Pickable::IGNORE,
            ChildOf(root),
        ))
        .id();
    let header = commands
        .spawn((
            panel(Node {
                max_width: px(380),
                flex_shrink: 1.0,
                flex_direction: FlexDirection::Column,
                padding: UiRect::all(px(14)),
                row_gap: px(4),
                border_radius: BorderRadius::all(px(8)),
                ..default()
            }),
            HudHeader,
            ChildOf(top),
        ))
        .id();
    commands.spawn((
        label(
            &fonts,
            lang,
            LocalizedLabel::from_text(&m.title),
            TextStyle::Title,
        ),
        ChildOf(header),
    ));
    commands.spawn((
        label(&fonts, lang, subtitle, TextStyle::Small),
        Subtitle,
        ChildOf(header),
    ));
    // The credit a licence such as CC BY requires, always on screen; the full attribution is
    // one press away.
    let credit = commands
        .spawn((
            Node {
                flex_direction: FlexDirection::Row,
                align_items: AlignItems::Center,
                flex_wrap: FlexWrap::Wrap,
                ..default()
            },
            ChildOf(header),
        ))
        .id();
    commands.spawn((
        label(
            &fonts,
            lang,
            LocalizedLabel::same(format!("© {} · {}", m.rights.holder, m.rights.license)),
            TextStyle::Small,
        ),
        ChildOf(credit),
    ));
    commands.spawn((
        button(
            &fonts,
            lang,
            LocalizedLabel::ui(UiString::About),
            UiAction::ToggleAbout,
        ),
        ChildOf(credit),
    ));
    if !m.hotspots.is_empty() {
        // Folded by default so the exhibit, not the menu, fills the screen.
        let toggle = LocalizedLabel::both(
            format!(
                "{} ({})",
                UiString::Hotspots.text(Language::VI),
                m.hotspots.len()
            ),
            format!(
                "{} ({})",
                UiString::Hotspots.text(Language::EN),
                m.hotspots.len()
            ),
        );
        commands.spawn((
            button(&fonts, lang, toggle, UiAction::TogglePointList),
            ChildOf(header),
        ));
        let list = commands
            .spawn((
                Node {
                    flex_direction: FlexDirection::Column,
                    display: Display::None,
                    ..default()
                },
                PointList,
                ChildOf(header),
            ))
            .id();
        for (i, h) in m.hotspots.iter().enumerate() {
            let text = LocalizedLabel::for_languages(&offered.0, |l| {
                format!("{}  {}", i + 1, l.pick(&h.title))
            });
            commands.spawn((
                button(&fonts, lang, text, UiAction::OpenHotspot(h.id.clone())),
                ChildOf(list),
            ));
        }
    }

    // Top right: the menu button that shows the tools on a small screen, then the tools.
    commands.spawn((
        button(
            &fonts,
            lang,
            LocalizedLabel::ui(UiString::Menu),
            UiAction::ToggleTools,
        ),
        MenuButton,
        ChildOf(top),
    ));
    let tools = commands
        .spawn((
            // Placed by `fit_to_small_screens`: in the corner, or on a row of its own.
            Node {
                flex_direction: FlexDirection::Row,
                ..default()
            },
            Pickable::IGNORE,
            HudTools,
            ChildOf(top),
        ))
        .id();
    commands.spawn((
        button(
            &fonts,
            lang,
            language_button_label(&offered),
            UiAction::ToggleLanguage,
        ),
        ChildOf(tools),
    ));
    if m.navigation.walk {
        commands.spawn((
            button(
                &fonts,
                lang,
                LocalizedLabel::ui(UiString::Walk),
                UiAction::ToggleWalk,
            ),
            WalkButtonLabel,
            ChildOf(tools),
        ));
    }
    commands.spawn((
        button(
            &fonts,
            lang,
            LocalizedLabel::ui(UiString::Home),
            UiAction::Home,
        ),
        ChildOf(tools),
    ));

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
            panel(Node {
                max_width: percent(60),
                padding: UiRect::axes(px(10), px(6)),
                border_radius: BorderRadius::all(px(6)),
                ..default()
            }),
            ChildOf(bottom),
        ))
        .id();
    commands.spawn((
        label(
            &fonts,
            lang,
            LocalizedLabel::ui(UiString::OrbitHelp),
            TextStyle::Small,
        ),
        HelpLine,
        ChildOf(help),
    ));
    commands.entity(help).insert(KeyboardHelp);
    if library.len() > 1 {
        let nav = commands
            .spawn((
                Node {
                    flex_direction: FlexDirection::Row,
                    align_items: AlignItems::Center,
                    ..default()
                },
                Pickable::IGNORE,
                ChildOf(bottom),
            ))
            .id();
        commands.spawn((
            button(
                &fonts,
                lang,
                LocalizedLabel::ui(UiString::Previous),
                UiAction::PreviousExhibit,
            ),
            ChildOf(nav),
        ));
        let counter = LocalizedLabel::same(format!("{} / {}", library.current + 1, library.len()));
        commands.spawn((
            label(&fonts, lang, counter, TextStyle::Body),
            TextShadow::default(),
            ChildOf(nav),
        ));
        commands.spawn((
            button(
                &fonts,
                lang,
                LocalizedLabel::ui(UiString::Next),
                UiAction::NextExhibit,
            ),
            ChildOf(nav),
        ));
    }
    spawn_bottom_slots(&mut commands, root, library.len() > 1);
}

/// The language button names the language it switches to, in that language.
fn language_button_label(offered: &OfferedLanguages) -> LocalizedLabel {
    LocalizedLabel::for_languages(&offered.0, |l| offered.after(l).endonym())
}

/// A window narrower or lower than this (in logical pixels) is a phone or a small frame.
pub const SMALL_SCREEN: Vec2 = Vec2::new(700.0, 500.0);

pub fn is_small_screen(window: &Window) -> bool {
    window.width() < SMALL_SCREEN.x || window.height() < SMALL_SCREEN.y
}

/// On a small screen the keyboard help goes (and while a tour's bar takes its place), the tools
/// hide behind a menu button (and open on a row of their own under the title, wrapping as
/// needed), and on a low screen the subtitle goes; on a large one the tools sit in the top right
/// corner, in one row.
#[allow(clippy::type_complexity)]
fn fit_to_small_screens(
    windows: Query<&Window>,
    tools_open: Res<ToolsOpen>,
    slots: Query<(&BottomSlot, Option<&Children>)>,
    mut nodes: ParamSet<(
        Query<&mut Node, With<KeyboardHelp>>,
        Query<&mut Node, With<HudTools>>,
        Query<&mut Node, With<MenuButton>>,
        Query<&mut Node, With<Subtitle>>,
    )>,
) {
    let Some(window) = windows.iter().next() else {
        return;
    };
    let small = is_small_screen(window);
    let shown = |yes: bool| if yes { Display::Flex } else { Display::None };
    let set = |node: &mut Mut<Node>, display: Display| {
        if node.display != display {
            node.display = display;
        }
    };
    let touring = tour_bar_shown(&slots);
    nodes
        .p0()
        .iter_mut()
        .for_each(|mut n| set(&mut n, shown(!small && !touring)));
    nodes
        .p2()
        .iter_mut()
        .for_each(|mut n| set(&mut n, shown(small)));
    nodes
        .p3()
        .iter_mut()
        .for_each(|mut n| set(&mut n, shown(window.height() >= SMALL_SCREEN.y)));
    for mut node in &mut nodes.p1() {
        let (position_type, wrap, width) = if small {
            (PositionType::Relative, FlexWrap::Wrap, percent(100))
        } else {
            (PositionType::Absolute, FlexWrap::NoWrap, Val::Auto)
        };
        if node.position_type != position_type || node.flex_wrap != wrap {
            node.position_type = position_type;
            node.flex_wrap = wrap;
            node.width = width;
            node.right = px(0);
            node.top = px(0);
            node.justify_content = JustifyContent::FlexEnd;
        }
        set(&mut node, shown(!small || tools_open.0));
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
        if *h != LocalizedLabel::ui(help_text) {
            *h = LocalizedLabel::ui(help_text);
        }
    }
    for children in &walk_buttons {
        for child in children {
            if let Ok(mut l) = labels.get_mut(*child)
                && *l != LocalizedLabel::ui(button_text)
            {
                *l = LocalizedLabel::ui(button_text);
            }
        }
    }
}

/// The panel at the right that a hotspot's text and the About page open in (one at a time).
fn side_panel() -> Node {
    Node {
        position_type: PositionType::Absolute,
        right: px(12),
        top: px(72),
        width: px(400),
        max_width: percent(92),
        max_height: percent(80),
        flex_direction: FlexDirection::Column,
        padding: UiRect::all(px(16)),
        row_gap: px(10),
        border_radius: BorderRadius::all(px(8)),
        overflow: Overflow::scroll_y(),
        ..default()
    }
}

/// A side panel whose text may be taller than the screen (an About page on a phone, a long
/// hotspot text): it scrolls under the wheel and a finger (its `Interaction`, from `panel`,
/// keeps the camera from zooming or turning meanwhile). Drawn above the exhibit's header, which
/// it covers on a phone's narrow screen.
#[derive(Component, Default)]
#[require(GlobalZIndex(1))]
struct ScrollablePanel;

/// Pixels per wheel line.
const WHEEL_LINE_PX: f32 = 40.0;

fn scroll_panel_by_wheel(
    mut scroll: On<Pointer<Scroll>>,
    mut panels: Query<&mut ScrollPosition, With<ScrollablePanel>>,
) {
    if let Ok(mut position) = panels.get_mut(scroll.entity) {
        let lines = match scroll.unit {
            bevy::input::mouse::MouseScrollUnit::Line => scroll.y * WHEEL_LINE_PX,
            bevy::input::mouse::MouseScrollUnit::Pixel => scroll.y,
        };
        // Layout clamps the position to the content's height.
        position.y = (position.y - lines).max(0.0);
        scroll.propagate(false);
    }
}

fn scroll_panel_by_drag(
    mut drag: On<Pointer<Drag>>,
    mut panels: Query<&mut ScrollPosition, With<ScrollablePanel>>,
) {
    if let Ok(mut position) = panels.get_mut(drag.entity) {
        position.y = (position.y - drag.delta.y).max(0.0);
        drag.propagate(false);
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
    let (Some(package), Some(root)) = (library.current_package(), hud.iter().next()) else {
        return;
    };
    let Some(h) = open.in_exhibit(&package.manifest) else {
        return;
    };
    let panel_entity = commands
        .spawn((
            panel(side_panel()),
            InfoPanel,
            ScrollablePanel,
            ChildOf(root),
        ))
        .insert(BackgroundColor(theme::SIDE_PANEL))
        .id();
    commands.spawn((
        label(
            &fonts,
            *lang,
            LocalizedLabel::from_text(&h.title),
            TextStyle::Heading,
        ),
        ChildOf(panel_entity),
    ));
    if let Some(image) = load.hotspot_images.get(&h.id) {
        commands.spawn((
            ImageNode::new(image.clone()),
            Node {
                width: percent(100),
                max_height: px(220),
                ..default()
            },
            ChildOf(panel_entity),
        ));
    }
    commands.spawn((
        label(
            &fonts,
            *lang,
            LocalizedLabel::from_text(&h.body),
            TextStyle::Body,
        ),
        ChildOf(panel_entity),
    ));
    commands.spawn((
        Node {
            justify_content: JustifyContent::End,
            ..default()
        },
        ChildOf(panel_entity),
        children![button(
            &fonts,
            *lang,
            LocalizedLabel::ui(UiString::Close),
            UiAction::CloseHotspot
        )],
    ));
}

/// The exhibit's credits: what it is, who holds the rights, under which licence, how to credit
/// it, and how it was captured. A hotspot opening closes it (they share the right side).
#[allow(clippy::too_many_arguments)]
fn show_about_panel(
    mut about: ResMut<AboutOpen>,
    open: Res<OpenHotspot>,
    library: Res<ExhibitLibrary>,
    fonts: Res<UiFonts>,
    (lang, offered): (Res<Language>, Res<OfferedLanguages>),
    existing: Query<Entity, With<AboutPanel>>,
    hud: Query<Entity, With<Hud>>,
    mut commands: Commands,
    catalogue: Option<Res<crate::catalogue::CatalogueScreen>>,
) {
    // A kiosk has no catalogue screen: no link to its map.
    let catalogue_map = catalogue.is_some();
    if open.is_changed() && open.0.is_some() && about.0 {
        about.0 = false;
    }
    if !about.is_changed() {
        return;
    }
    for e in &existing {
        commands.entity(e).despawn();
    }
    let (true, Some(package), Some(root)) = (about.0, library.current_package(), hud.iter().next())
    else {
        return;
    };
    let m = &package.manifest;
    let lang = *lang;
    let both = |f: &dyn Fn(Language) -> String| LocalizedLabel::for_languages(&offered.0, f);
    let panel_entity = commands
        .spawn((
            panel(side_panel()),
            AboutPanel,
            ScrollablePanel,
            ChildOf(root),
        ))
        .insert(BackgroundColor(theme::SIDE_PANEL))
        .id();
    let rows = [
        (TextStyle::Heading, LocalizedLabel::from_text(&m.title)),
        (TextStyle::Body, LocalizedLabel::from_text(&m.summary)),
        (
            TextStyle::Body,
            LocalizedLabel::from_text(&m.rights.attribution),
        ),
        (
            TextStyle::Small,
            both(&|l| format!("{}: {}", UiString::Licence.text(l), m.rights.license)),
        ),
        (
            TextStyle::Small,
            both(&|l| format!("{}: {}", UiString::RightsHolder.text(l), m.rights.holder)),
        ),
    ];
    for (style, text) in rows {
        commands.spawn((label(&fonts, lang, text, style), ChildOf(panel_entity)));
    }
    // Each video's words in full (the video bar's transcript button opens this panel).
    for video in m.videos.iter().filter(|v| !v.transcript.is_empty()) {
        let heading =
            both(&|l| format!("{}: {}", UiString::Transcript.text(l), l.pick(&video.title)));
        commands.spawn((
            label(&fonts, lang, heading, TextStyle::Heading),
            ChildOf(panel_entity),
        ));
        commands.spawn((
            label(
                &fonts,
                lang,
                LocalizedLabel::from_text(&video.transcript),
                TextStyle::Body,
            ),
            ChildOf(panel_entity),
        ));
    }
    for text in location_lines(m, &both) {
        commands.spawn((
            label(&fonts, lang, text, TextStyle::Small),
            ChildOf(panel_entity),
        ));
    }
    if let Some(source) = &m.rights.source {
        let text = both(&|l| format!("{}: {source}", UiString::Source.text(l)));
        commands.spawn((
            label(&fonts, lang, text, TextStyle::Small),
            ChildOf(panel_entity),
        ));
    }
    let p = &m.provenance;
    let method = p.method.label();
    let captured = both(&|l| {
        let mut line = format!(
            "{}: {}",
            UiString::CaptureMethod.text(l),
            method.text(l.code())
        );
        if let Some(date) = &p.captured {
            line.push_str(&format!(" · {}: {date}", UiString::Captured.text(l)));
        }
        if let Some(device) = &p.device {
            line.push_str(&format!(" · {device}"));
        }
        line
    });
    commands.spawn((
        label(&fonts, lang, captured, TextStyle::Small),
        ChildOf(panel_entity),
    ));
    if !p.notes.is_empty() {
        commands.spawn((
            label(
                &fonts,
                lang,
                LocalizedLabel::from_text(&p.notes),
                TextStyle::Small,
            ),
            ChildOf(panel_entity),
        ));
    }
    let buttons = commands
        .spawn((
            Node {
                justify_content: JustifyContent::End,
                flex_wrap: FlexWrap::Wrap,
                ..default()
            },
            ChildOf(panel_entity),
        ))
        .id();
    // The exhibit's place on the catalogue's map, when it has a position and a map to show it.
    if catalogue_map && crate::embed::LocationSummary::of(m).is_some_and(|l| l.wgs84.is_some()) {
        commands.spawn((
            button(
                &fonts,
                lang,
                LocalizedLabel::both("Xem trên bản đồ", "Show on the map"),
                crate::catalogue::CatalogueAction::ShowOnMap(m.id.clone()),
            ),
            ChildOf(buttons),
        ));
    }
    commands.spawn((
        button(
            &fonts,
            lang,
            LocalizedLabel::ui(UiString::Close),
            UiAction::ToggleAbout,
        ),
        ChildOf(buttons),
    ));
}

/// The About panel's lines for `[location]`: the commune and province, the district it belonged
/// to before July 2025 and the street address, then the WGS84 position (converted from the
/// VN-2000 survey when given in it) in degrees and minutes a visitor can type into a map.
fn location_lines(
    m: &disan_format::Manifest,
    both: &dyn Fn(&dyn Fn(Language) -> String) -> LocalizedLabel,
) -> Vec<LocalizedLabel> {
    let Some(summary) = crate::embed::LocationSummary::of(m) else {
        return Vec::new();
    };
    let mut place = summary.commune.clone();
    if let Some(province) = &summary.province {
        place.push_str(&format!(", {province}"));
    }
    let mut lines = vec![both(&|l| {
        let mut line = format!("{}: {place}", UiString::Location.text(l));
        if let Some(district) = &summary.former_district {
            line.push_str(&format!(" ({} {district})", UiString::Formerly.text(l)));
        }
        if let Some(address) = &summary.address {
            line.push_str(&format!(" · {address}"));
        }
        line
    })];
    if let Some([lat, lon]) = summary.wgs84 {
        let hemisphere = |v: f64, pos: char, neg: char| if v >= 0.0 { pos } else { neg };
        lines.push(both(&|l| {
            format!(
                "{}: {:.5}° {}, {:.5}° {} (WGS84)",
                UiString::Coordinates.text(l),
                lat.abs(),
                hemisphere(lat, 'N', 'S'),
                lon.abs(),
                hemisphere(lon, 'E', 'W'),
            )
        }));
    }
    lines
}

fn spawn_error_screen(
    mut commands: Commands,
    fonts: Res<UiFonts>,
    (lang, offered): (Res<Language>, Res<OfferedLanguages>),
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
    commands.spawn((
        label(
            &fonts,
            lang,
            LocalizedLabel::ui(UiString::OpenFailed),
            TextStyle::Title,
        ),
        ChildOf(root),
    ));
    let list = commands
        .spawn((
            panel(Node {
                flex_direction: FlexDirection::Column,
                padding: UiRect::all(px(14)),
                row_gap: px(6),
                max_width: percent(90),
                border_radius: BorderRadius::all(px(6)),
                ..default()
            }),
            ChildOf(root),
        ))
        .id();
    const SHOWN: usize = 12;
    for problem in failure.problems.iter().take(SHOWN) {
        commands.spawn((
            label(
                &fonts,
                lang,
                LocalizedLabel::same(problem.clone()),
                TextStyle::Body,
            ),
            ChildOf(list),
        ));
    }
    if failure.problems.len() > SHOWN {
        let more = failure.problems.len() - SHOWN;
        let text = LocalizedLabel::both(
            format!("… và {more} lỗi khác"),
            format!("… and {more} more"),
        );
        commands.spawn((label(&fonts, lang, text, TextStyle::Small), ChildOf(list)));
    }
    commands.spawn((
        label(
            &fonts,
            lang,
            LocalizedLabel::ui(UiString::OpenFailedHint),
            TextStyle::Small,
        ),
        ChildOf(root),
    ));
    let row = commands
        .spawn((
            Node {
                flex_direction: FlexDirection::Row,
                ..default()
            },
            ChildOf(root),
        ))
        .id();
    if library.len() > 1 {
        commands.spawn((
            button(
                &fonts,
                lang,
                LocalizedLabel::ui(UiString::Previous),
                UiAction::PreviousExhibit,
            ),
            ChildOf(row),
        ));
        commands.spawn((
            button(
                &fonts,
                lang,
                LocalizedLabel::ui(UiString::Next),
                UiAction::NextExhibit,
            ),
            ChildOf(row),
        ));
    }
    commands.spawn((
        button(
            &fonts,
            lang,
            language_button_label(&offered),
            UiAction::ToggleLanguage,
        ),
        ChildOf(row),
    ));
}

fn run_actions(
    pressed: Query<(&Interaction, &UiAction), Changed<Interaction>>,
    mut point_lists: Query<&mut Node, With<PointList>>,
    (mut lang, offered): (ResMut<Language>, Res<OfferedLanguages>),
    mut open: ResMut<OpenHotspot>,
    mut about: ResMut<AboutOpen>,
    mut tools_open: ResMut<ToolsOpen>,
    mut camera: MessageWriter<CameraCommand>,
    mut switch: MessageWriter<SwitchExhibit>,
) {
    for (interaction, action) in &pressed {
        if *interaction != Interaction::Pressed {
            continue;
        }
        match action {
            UiAction::ToggleLanguage => *lang = offered.after(*lang),
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
            UiAction::OpenHotspot(id) => open.open(id),
            UiAction::CloseHotspot => open.0 = None,
            UiAction::ToggleTools => tools_open.0 = !tools_open.0,
            UiAction::ToggleAbout => {
                about.0 = !about.0;
                if about.0 {
                    open.0 = None;
                }
            }
            UiAction::TogglePointList => {
                for mut node in &mut point_lists {
                    node.display = if node.display == Display::None {
                        Display::Flex
                    } else {
                        Display::None
                    };
                }
            }
        }
    }
}
