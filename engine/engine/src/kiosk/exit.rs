//! The hidden exit: holding a finger in the configured corner for `exit.hold_seconds` opens a
//! PIN pad; the right PIN closes the kiosk with status 0 (systemd's `Restart=on-failure` leaves
//! it closed; a crash is restarted). Wrong PINs lock the pad for a while. Nothing on screen marks
//! the corner. Without `exit.pin_hash` there is no exit on screen at all.

use bevy::platform::time::Instant;
use bevy::prelude::*;
use disan_kiosk::config::Corner;
use disan_kiosk::pin::{ExitGuard, PinOutcome};

use super::{Kiosk, KioskSystems};
use crate::i18n::Language;
use crate::theme::{self, LocalizedLabel, TextStyle, UiFonts, label};

pub(super) fn plugin(app: &mut App) {
    app.init_resource::<PinPad>()
        .add_message::<PinKey>()
        .init_resource::<CornerPressed>()
        .add_systems(Startup, spawn_pad)
        .add_systems(
            Update,
            (
                press_corner,
                open_pad_on_hold,
                press_pad_keys,
                enter_pin,
                show_pad,
            )
                .chain()
                .after(KioskSystems),
        );
}

/// The corner's size, in logical pixels: a fingertip, and out of the way of every control.
const CORNER: f32 = 72.0;
/// The pad closes by itself after this long untouched.
const PAD_TIMEOUT_SECONDS: f64 = 30.0;

/// A key of the PIN pad.
#[derive(Message, Component, Debug, Clone, Copy, PartialEq, Eq)]
pub enum PinKey {
    Digit(u8),
    Erase,
    Enter,
    Cancel,
}

/// Whether a finger (or the mouse) is held in the exit corner this frame. Set from the input,
/// or by the simulation.
#[derive(Resource, Default, Debug)]
pub struct CornerPressed(pub bool);

#[derive(Resource, Default)]
pub struct PinPad {
    pub open: bool,
    pub entered: String,
    /// The pad's last message (wrong PIN, locked), in both languages.
    message: Option<LocalizedLabel>,
    opened_at: f64,
    guard: ExitGuard,
}

#[derive(Component)]
struct Pad;

#[derive(Component)]
struct PadDots;

#[derive(Component)]
struct PadMessage;

fn seconds(start: &Instant) -> f64 {
    start.elapsed().as_secs_f64()
}

/// The process's own clock: the hold and the lock are in real seconds even when a simulation
/// runs the kiosk's clock fast.
fn real_now() -> f64 {
    static START: std::sync::OnceLock<Instant> = std::sync::OnceLock::new();
    seconds(START.get_or_init(Instant::now))
}

fn press_corner(
    kiosk: Res<Kiosk>,
    windows: Query<&Window>,
    touches: Res<Touches>,
    mouse: Res<ButtonInput<MouseButton>>,
    simulated: Option<Res<super::simulate::Simulating>>,
    mut pressed: ResMut<CornerPressed>,
) {
    if simulated.is_some() {
        return;
    }
    let Ok(window) = windows.single() else { return };
    let (w, h) = (window.width(), window.height());
    let in_corner = |p: Vec2| {
        let x = match kiosk.config.exit.corner {
            Corner::TopLeft | Corner::BottomLeft => p.x <= CORNER,
            Corner::TopRight | Corner::BottomRight => p.x >= w - CORNER,
        };
        let y = match kiosk.config.exit.corner {
            Corner::TopLeft | Corner::TopRight => p.y <= CORNER,
            Corner::BottomLeft | Corner::BottomRight => p.y >= h - CORNER,
        };
        x && y
    };
    let touch = touches.iter().any(|t| in_corner(t.position()));
    let mouse = mouse.pressed(MouseButton::Left) && window.cursor_position().is_some_and(in_corner);
    pressed.0 = touch || mouse;
}

fn open_pad_on_hold(kiosk: Res<Kiosk>, pressed: Res<CornerPressed>, mut pad: ResMut<PinPad>) {
    let now = real_now();
    if pad
        .guard
        .hold(pressed.0, now, kiosk.config.exit.hold_seconds)
        && !pad.open
    {
        if kiosk.config.exit.pin_hash.is_none() {
            info!(
                "kiosk: the exit corner was held, but kiosk.toml sets no exit.pin_hash, so there is no exit on screen"
            );
            return;
        }
        info!("kiosk: the exit corner was held: PIN pad open");
        pad.open = true;
        pad.entered.clear();
        pad.message = None;
        pad.opened_at = now;
    }
}

fn press_pad_keys(
    keys: Query<(&Interaction, &PinKey), Changed<Interaction>>,
    mut out: MessageWriter<PinKey>,
) {
    for (interaction, key) in &keys {
        if *interaction == Interaction::Pressed {
            out.write(*key);
        }
    }
}

fn enter_pin(
    mut kiosk: ResMut<Kiosk>,
    mut pad: ResMut<PinPad>,
    mut keys: MessageReader<PinKey>,
    time: Res<Time<Real>>,
    mut exit: MessageWriter<AppExit>,
    mut usage: MessageWriter<super::monitor::UsageToLog>,
) {
    let now = real_now();
    if !pad.open {
        keys.clear();
        return;
    }
    for key in keys.read() {
        pad.opened_at = now;
        match key {
            PinKey::Digit(d) if pad.entered.len() < 12 => {
                pad.entered.push(char::from(b'0' + d.min(&9)))
            }
            PinKey::Digit(_) => {}
            PinKey::Erase => {
                pad.entered.pop();
            }
            PinKey::Cancel => pad.open = false,
            PinKey::Enter => {
                let Some(hash) = kiosk.config.exit.pin_hash.clone() else {
                    return;
                };
                let pin = std::mem::take(&mut pad.entered);
                match pad.guard.enter(&hash, &pin, now) {
                    PinOutcome::Exit => {
                        info!("kiosk: closed by staff with the exit PIN");
                        let clock_now = time.elapsed_secs_f64();
                        for effect in kiosk.machine.exit(clock_now) {
                            if let disan_kiosk::Effect::Usage { session, event } = effect {
                                usage.write(super::monitor::UsageToLog {
                                    session,
                                    event,
                                    at: kiosk.clock.local_rfc3339(clock_now),
                                });
                            }
                        }
                        exit.write(AppExit::Success);
                    }
                    PinOutcome::Wrong { attempts_left } => {
                        warn!("kiosk: a wrong exit PIN was entered ({attempts_left} tries left)");
                        pad.message = Some(LocalizedLabel::same(format!(
                            "Sai mã PIN, còn {attempts_left} lần · Wrong PIN, {attempts_left} tries left"
                        )));
                    }
                    PinOutcome::Locked => {
                        warn!("kiosk: the exit PIN pad is locked after too many wrong PINs");
                        pad.message = Some(LocalizedLabel::same(
                            "Đã khoá vì nhập sai nhiều lần · Locked after too many wrong PINs",
                        ));
                    }
                }
            }
        }
    }
    if pad.open && now - pad.opened_at > PAD_TIMEOUT_SECONDS {
        pad.open = false;
        pad.entered.clear();
    }
}

fn pad_key(fonts: &UiFonts, text: &str, key: PinKey) -> impl Bundle {
    (
        Button,
        key,
        Node {
            width: px(88),
            height: px(72),
            margin: UiRect::all(px(6)),
            justify_content: JustifyContent::Center,
            align_items: AlignItems::Center,
            border_radius: BorderRadius::all(px(8)),
            ..default()
        },
        BackgroundColor(Color::srgba(0.22, 0.19, 0.16, 0.95)),
        children![label(
            fonts,
            Language::VI,
            LocalizedLabel::same(text),
            TextStyle::Title
        )],
    )
}

fn spawn_pad(mut commands: Commands, fonts: Res<UiFonts>) {
    let pad = commands
        .spawn((
            Pad,
            GlobalZIndex(100),
            Visibility::Hidden,
            Interaction::default(),
            Node {
                width: percent(100),
                height: percent(100),
                position_type: PositionType::Absolute,
                justify_content: JustifyContent::Center,
                align_items: AlignItems::Center,
                ..default()
            },
            BackgroundColor(Color::srgba(0.0, 0.0, 0.0, 0.7)),
        ))
        .id();
    let panel = commands
        .spawn(theme::panel(Node {
            flex_direction: FlexDirection::Column,
            align_items: AlignItems::Center,
            padding: UiRect::all(px(24)),
            row_gap: px(8),
            border_radius: BorderRadius::all(px(12)),
            ..default()
        }))
        .with_children(|p| {
            p.spawn(label(
                &fonts,
                Language::VI,
                LocalizedLabel::same("Mã PIN của cán bộ · Staff PIN"),
                TextStyle::Heading,
            ));
            p.spawn((
                label(
                    &fonts,
                    Language::VI,
                    LocalizedLabel::same(" "),
                    TextStyle::Title,
                ),
                PadDots,
            ));
            p.spawn((
                label(
                    &fonts,
                    Language::VI,
                    LocalizedLabel::same(" "),
                    TextStyle::Body,
                ),
                PadMessage,
            ));
            for row in [[1u8, 2, 3], [4, 5, 6], [7, 8, 9]] {
                p.spawn(Node {
                    flex_direction: FlexDirection::Row,
                    ..default()
                })
                .with_children(|r| {
                    for d in row {
                        r.spawn(pad_key(&fonts, &d.to_string(), PinKey::Digit(d)));
                    }
                });
            }
            p.spawn(Node {
                flex_direction: FlexDirection::Row,
                ..default()
            })
            .with_children(|r| {
                r.spawn(pad_key(&fonts, "Xoá", PinKey::Erase));
                r.spawn(pad_key(&fonts, "0", PinKey::Digit(0)));
                r.spawn(pad_key(&fonts, "OK", PinKey::Enter));
            });
            p.spawn(pad_key(&fonts, "Huỷ", PinKey::Cancel));
        })
        .id();
    commands.entity(pad).add_child(panel);
}

fn show_pad(
    pad: Res<PinPad>,
    mut root: Query<&mut Visibility, With<Pad>>,
    mut dots: Query<&mut LocalizedLabel, (With<PadDots>, Without<PadMessage>)>,
    mut message: Query<&mut LocalizedLabel, (With<PadMessage>, Without<PadDots>)>,
) {
    if !pad.is_changed() {
        return;
    }
    for mut v in &mut root {
        *v = if pad.open {
            Visibility::Inherited
        } else {
            Visibility::Hidden
        };
    }
    for mut d in &mut dots {
        *d = LocalizedLabel::same(if pad.entered.is_empty() {
            " ".to_owned()
        } else {
            "*".repeat(pad.entered.len())
        });
    }
    for mut m in &mut message {
        *m = pad
            .message
            .clone()
            .unwrap_or_else(|| LocalizedLabel::same(" "));
    }
}
