//! What a kiosk shows over the viewer: the gallery of exhibits (touch-first, large cards), the
//! countdown before a reset, the attract loop's invitation, the closed veil outside opening
//! hours, and the notice when an exhibit is skipped. Each text is in Vietnamese and English;
//! the attract and closed screens show both at once, for whoever walks by.

use bevy::prelude::*;
use disan_kiosk::Phase;

use super::{Kiosk, KioskRequest, KioskSystems};
use crate::ViewerState;
use crate::i18n::Language;
use crate::library::ExhibitLibrary;
use crate::theme::{self, LocalizedLabel, TextStyle, UiFonts, label};

pub(super) fn plugin(app: &mut App) {
    app.add_systems(Startup, spawn_overlays)
        .add_systems(
            OnEnter(ViewerState::Exhibit),
            add_gallery_button.after(crate::ui::HudSpawned),
        )
        .add_systems(
            Update,
            (
                press_buttons,
                build_gallery,
                show_overlays,
                move_against_burn_in,
            )
                .chain()
                .after(KioskSystems),
        );
}

/// How long a notice stays on screen.
pub const NOTICE_SECONDS: f64 = 8.0;

/// Above the viewer's own screens (loading, error, HUD), in this order.
const Z_GALLERY: i32 = 50;
const Z_ATTRACT: i32 = 55;
const Z_COUNTDOWN: i32 = 60;
const Z_NOTICE: i32 = 70;
const Z_CLOSED: i32 = 90;

#[derive(Component)]
struct Gallery;

/// The cards' container, rebuilt when the gallery's exhibits or language change.
#[derive(Component)]
struct GalleryCards;

#[derive(Component)]
struct Countdown;

#[derive(Component)]
struct CountdownNumber;

#[derive(Component)]
struct AttractBanner;

#[derive(Component)]
struct ClosedVeil;

#[derive(Component)]
struct ClosedText;

#[derive(Component)]
struct Notice;

/// Above the viewer at `z`, hidden until its phase comes.
fn overlay(z: i32) -> impl Bundle {
    (GlobalZIndex(z), Visibility::Hidden)
}

fn spawn_overlays(mut commands: Commands, fonts: Res<UiFonts>, kiosk: Res<Kiosk>) {
    let lang = kiosk.default_language();
    // The gallery: a title bar with the language button, then the cards.
    commands.spawn((
        overlay(Z_GALLERY),
        Gallery,
        BackgroundColor(Color::srgb(0.10, 0.09, 0.08)),
        Interaction::default(),
        Node {
            width: percent(100),
            height: percent(100),
            position_type: PositionType::Absolute,
            flex_direction: FlexDirection::Column,
            padding: UiRect::all(px(32)),
            row_gap: px(20),
            ..default()
        },
        children![
            (
                Node {
                    flex_direction: FlexDirection::Row,
                    justify_content: JustifyContent::SpaceBetween,
                    align_items: AlignItems::Center,
                    flex_wrap: FlexWrap::Wrap,
                    ..default()
                },
                children![
                    (
                        Node {
                            flex_direction: FlexDirection::Column,
                            row_gap: px(6),
                            ..default()
                        },
                        children![
                            label(
                                &fonts,
                                lang,
                                LocalizedLabel::both("Di sản Hải Phòng", "Hải Phòng heritage"),
                                TextStyle::Title
                            ),
                            label(
                                &fonts,
                                lang,
                                LocalizedLabel::both(
                                    "Chạm vào một hiện vật để khám phá",
                                    "Touch an exhibit to explore it"
                                ),
                                TextStyle::Body
                            ),
                        ],
                    ),
                    big_button(
                        &fonts,
                        lang,
                        LocalizedLabel::both("English", "Tiếng Việt"),
                        KioskRequest::ToggleLanguage
                    ),
                ],
            ),
            (
                GalleryCards,
                Node {
                    flex_direction: FlexDirection::Row,
                    flex_wrap: FlexWrap::Wrap,
                    column_gap: px(20),
                    row_gap: px(20),
                    ..default()
                },
            ),
        ],
    ));
    commands.spawn((
        overlay(Z_COUNTDOWN),
        Countdown,
        BackgroundColor(Color::srgba(0.0, 0.0, 0.0, 0.55)),
        Node {
            width: percent(100),
            height: percent(100),
            position_type: PositionType::Absolute,
            justify_content: JustifyContent::Center,
            align_items: AlignItems::Center,
            ..default()
        },
        children![(
            theme::panel(Node {
                flex_direction: FlexDirection::Column,
                align_items: AlignItems::Center,
                row_gap: px(12),
                padding: UiRect::all(px(32)),
                border_radius: BorderRadius::all(px(12)),
                ..default()
            }),
            children![
                label(&fonts, lang, LocalizedLabel::both("Bạn vẫn đang xem chứ?", "Are you still there?"), TextStyle::Title),
                (
                    Text::new("10"),
                    TextFont { font: fonts.bold.clone().into(), font_size: FontSize::Px(72.0), ..default() },
                    TextColor(theme::GOLD),
                    LocalizedLabel::same("10"),
                    CountdownNumber
                ),
                label(
                    &fonts,
                    lang,
                    LocalizedLabel::both("Chạm vào màn hình để tiếp tục. Nếu không, màn hình sẽ trở về từ đầu.", "Touch the screen to carry on; otherwise it starts again from the beginning."),
                    TextStyle::Body
                ),
            ],
        )],
    ));
    commands.spawn((
        AttractBanner,
        overlay(Z_ATTRACT),
        theme::panel(Node {
            position_type: PositionType::Absolute,
            top: px(24),
            left: percent(10),
            max_width: percent(80),
            padding: UiRect::axes(px(28), px(16)),
            flex_direction: FlexDirection::Column,
            align_items: AlignItems::Center,
            border_radius: BorderRadius::all(px(12)),
            ..default()
        }),
        children![
            // Both languages at once: whoever walks by.
            (label(
                &fonts,
                lang,
                LocalizedLabel::same("Chạm vào màn hình để khám phá"),
                TextStyle::Title
            )),
            (label(
                &fonts,
                lang,
                LocalizedLabel::same("Touch the screen to explore"),
                TextStyle::Heading
            )),
        ],
    ));
    commands.spawn((
        overlay(Z_CLOSED),
        ClosedVeil,
        Node {
            width: percent(100),
            height: percent(100),
            position_type: PositionType::Absolute,
            ..default()
        },
        BackgroundColor(Color::BLACK),
        Interaction::default(),
        children![(
            ClosedText,
            Node {
                position_type: PositionType::Absolute,
                top: percent(40),
                left: percent(20),
                flex_direction: FlexDirection::Column,
                row_gap: px(8),
                ..default()
            },
            children![
                (
                    label(&fonts, lang, LocalizedLabel::same(""), TextStyle::Heading),
                    ClosedLine(0)
                ),
                (
                    label(&fonts, lang, LocalizedLabel::same(""), TextStyle::Body),
                    ClosedLine(1)
                ),
            ],
        )],
    ));
    commands.spawn((
        Notice,
        overlay(Z_NOTICE),
        theme::panel(Node {
            position_type: PositionType::Absolute,
            bottom: px(32),
            left: percent(15),
            right: percent(15),
            padding: UiRect::all(px(18)),
            border_radius: BorderRadius::all(px(10)),
            ..default()
        }),
        children![label(
            &fonts,
            lang,
            LocalizedLabel::both(
                "Hiện vật này tạm thời không xem được. Mời bạn chọn hiện vật khác.",
                "This exhibit is not available at the moment. Please choose another."
            ),
            TextStyle::Body
        )],
    ));
}

#[derive(Component)]
struct ClosedLine(u8);

/// A button for a finger: at least 64 px high (above the 44 px minimum: kiosk visitors stand,
/// reach, and touch with gloves in the cold season).
fn big_button(
    fonts: &UiFonts,
    lang: Language,
    text: LocalizedLabel,
    request: KioskRequest,
) -> impl Bundle {
    (
        Button,
        request,
        Node {
            min_height: px(64),
            min_width: px(120),
            padding: UiRect::axes(px(24), px(12)),
            margin: UiRect::all(px(4)),
            border: UiRect::all(px(1)),
            justify_content: JustifyContent::Center,
            align_items: AlignItems::Center,
            border_radius: BorderRadius::all(px(8)),
            ..default()
        },
        BackgroundColor(Color::srgba(0.22, 0.19, 0.16, 0.95)),
        BorderColor::all(Color::srgba(1.0, 1.0, 1.0, 0.25)),
        children![label(fonts, lang, text, TextStyle::Heading)],
    )
}

fn press_buttons(
    buttons: Query<(&Interaction, &KioskRequest), Changed<Interaction>>,
    mut requests: MessageWriter<KioskRequest>,
    mut lang: ResMut<Language>,
) {
    for (interaction, request) in &buttons {
        if *interaction != Interaction::Pressed {
            continue;
        }
        if *request == KioskRequest::ToggleLanguage {
            *lang = if *lang == Language::VI {
                Language::EN
            } else {
                Language::VI
            };
        }
        requests.write(request.clone());
    }
}

/// One card per exhibit the gallery offers, rebuilt when that list changes.
fn build_gallery(
    kiosk: Res<Kiosk>,
    library: Res<ExhibitLibrary>,
    fonts: Res<UiFonts>,
    lang: Res<Language>,
    cards: Query<Entity, With<GalleryCards>>,
    mut commands: Commands,
    mut built: Local<Option<Vec<String>>>,
) {
    let ids: Vec<String> = kiosk.machine.gallery().map(str::to_owned).collect();
    if built.as_ref() == Some(&ids) {
        return;
    }
    let Ok(container) = cards.single() else {
        return;
    };
    commands.entity(container).despawn_related::<Children>();
    for id in &ids {
        let Some(package) = library
            .catalogue
            .entries
            .iter()
            .filter_map(|e| e.as_ref().ok())
            .find(|p| p.manifest.id == *id)
        else {
            continue;
        };
        let m = &package.manifest;
        let place = m
            .location
            .as_ref()
            .map(|l| l.commune.clone())
            .unwrap_or_default();
        let kind = m.kind.label();
        let kind_line = LocalizedLabel::both(
            [kind.text("vi").to_owned(), place.clone()]
                .into_iter()
                .filter(|s| !s.is_empty())
                .collect::<Vec<_>>()
                .join(" · "),
            [kind.text("en").to_owned(), place]
                .into_iter()
                .filter(|s| !s.is_empty())
                .collect::<Vec<_>>()
                .join(" · "),
        );
        let card = commands
            .spawn((
                Button,
                KioskRequest::Open(id.clone()),
                Node {
                    width: px(300),
                    min_height: px(150),
                    padding: UiRect::all(px(20)),
                    flex_direction: FlexDirection::Column,
                    justify_content: JustifyContent::SpaceBetween,
                    row_gap: px(10),
                    border: UiRect::left(px(6)),
                    border_radius: BorderRadius::all(px(10)),
                    ..default()
                },
                BackgroundColor(Color::srgba(0.22, 0.19, 0.16, 0.95)),
                BorderColor::all(theme::ACCENT),
                children![
                    label(
                        &fonts,
                        *lang,
                        LocalizedLabel::from_text(&m.title),
                        TextStyle::Heading
                    ),
                    label(&fonts, *lang, kind_line, TextStyle::Small),
                ],
            ))
            .id();
        commands.entity(container).add_child(card);
    }
    *built = Some(ids);
}

/// The HUD's way back: a large button before its other tools.
fn add_gallery_button(
    fonts: Res<UiFonts>,
    lang: Res<Language>,
    tools: Query<Entity, With<crate::ui::HudTools>>,
    mut commands: Commands,
) {
    let Ok(tools) = tools.single() else { return };
    let back = commands
        .spawn(big_button(
            &fonts,
            *lang,
            LocalizedLabel::both("« Tất cả hiện vật", "« All exhibits"),
            KioskRequest::Gallery,
        ))
        .id();
    commands.entity(tools).insert_children(0, &[back]);
}

#[allow(clippy::type_complexity)]
fn show_overlays(
    kiosk: Res<Kiosk>,
    time: Res<Time<Real>>,
    mut overlays: ParamSet<(
        Query<&mut Visibility, With<Gallery>>,
        Query<&mut Visibility, With<Countdown>>,
        Query<&mut Visibility, With<AttractBanner>>,
        Query<&mut Visibility, With<ClosedVeil>>,
        Query<&mut Visibility, With<Notice>>,
        Query<&mut Visibility, Or<(With<crate::ui::HudHeader>, With<crate::ui::HudTools>)>>,
    )>,
    mut number: Query<&mut LocalizedLabel, (With<CountdownNumber>, Without<ClosedLine>)>,
    mut closed_lines: Query<(&ClosedLine, &mut LocalizedLabel), Without<CountdownNumber>>,
) {
    let now = time.elapsed_secs_f64();
    let phase = kiosk.machine.phase();
    let set = |v: &mut Visibility, on: bool| {
        let want = if on {
            Visibility::Inherited
        } else {
            Visibility::Hidden
        };
        if *v != want {
            *v = want;
        }
    };
    for mut v in &mut overlays.p0() {
        set(
            &mut v,
            kiosk.gallery_shown && !matches!(phase, Phase::Attract | Phase::Closed),
        );
    }
    for mut v in &mut overlays.p1() {
        set(&mut v, matches!(phase, Phase::CountingDown { .. }));
    }
    for mut v in &mut overlays.p2() {
        set(&mut v, phase == Phase::Attract);
    }
    for mut v in &mut overlays.p3() {
        set(&mut v, phase == Phase::Closed);
    }
    for mut v in &mut overlays.p4() {
        set(
            &mut v,
            kiosk.notice_until.is_some_and(|t| now < t) && phase != Phase::Closed,
        );
    }
    // The attract loop shows the exhibit, its tour and captions, and the invitation: not the
    // visitor's controls.
    for mut v in &mut overlays.p5() {
        set(&mut v, phase != Phase::Attract);
    }
    if let Some(left) = kiosk.machine.countdown_left(now) {
        let text = LocalizedLabel::same(format!("{}", left.ceil() as u32));
        for mut n in &mut number {
            if *n != text {
                *n = text.clone();
            }
        }
    }
    if phase == Phase::Closed {
        let local = kiosk.clock.local(now).datetime();
        let opens = kiosk.config.hours.next_opening(local);
        for (line, mut text) in &mut closed_lines {
            let want = match (line.0, opens) {
                (0, _) => LocalizedLabel::same("Đã hết giờ mở cửa · We are closed"),
                (_, Some(t)) => LocalizedLabel::same(format!(
                    "Mở cửa lúc {} ngày {} · Opens at {} on {}",
                    t.strftime("%H:%M"),
                    t.strftime("%d/%m"),
                    t.strftime("%H:%M"),
                    t.strftime("%d/%m")
                )),
                (_, None) => LocalizedLabel::same(""),
            };
            if *text != want {
                *text = want;
            }
        }
    }
}

/// The attract banner and the closed text wander slowly over the screen, so no pixel shows one
/// thing for hours (burn-in on LCD and OLED kiosk panels).
fn move_against_burn_in(
    time: Res<Time<Real>>,
    mut banner: Query<&mut Node, (With<AttractBanner>, Without<ClosedText>)>,
    mut closed: Query<&mut Node, (With<ClosedText>, Without<AttractBanner>)>,
) {
    let t = time.elapsed_secs_f64();
    // Periods of minutes, different per axis, so the path does not repeat soon.
    let wander = |period: f64, span: f32| {
        (((t / period) * std::f64::consts::TAU).sin() as f32 * 0.5 + 0.5) * span
    };
    for mut node in &mut banner {
        node.left = percent(2.0 + wander(97.0, 16.0));
        node.top = px(16.0 + wander(131.0, 60.0));
    }
    for mut node in &mut closed {
        node.left = percent(5.0 + wander(173.0, 45.0));
        node.top = percent(10.0 + wander(229.0, 70.0));
    }
}
