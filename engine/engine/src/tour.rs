//! Guided tours: stop after stop, the camera eases to each stop's view or hotspot, the stop's
//! text or WebVTT captions show in sync, and a "stop k of n" bar offers previous, pause/resume,
//! next and exit. A visitor who takes the controls pauses the tour; resuming goes back to the
//! stop's view. Changing language mid-stop restarts that stop in the new language.
//!
//! The timing is a plain state machine ([`TourClock`]), tested without Bevy's app loop.

use std::collections::HashMap;

use bevy::input::mouse::AccumulatedMouseScroll;
use bevy::prelude::*;
use disan_format::{Captions, StopDuration, StopTarget, Tour, TourStop, parse_vtt};

use crate::ViewerState;
use crate::camera::CameraCommand;
use crate::framing::ExhibitBounds;
use crate::hotspots::{OpenHotspot, view_of_hotspot};
use crate::i18n::{Language, OfferedLanguages, UiString};
use crate::library::{ExhibitLibrary, ExhibitReset, TextFile};
use crate::loading::ExhibitLoad;
use crate::theme::{LocalizedLabel, TextStyle, UiFonts, button, label};
use crate::ui::HudTools;

pub(super) fn plugin(app: &mut App) {
    app.init_resource::<ActiveTour>()
        .add_message::<TourCommand>()
        .add_systems(ExhibitReset, |mut tour: ResMut<ActiveTour>| tour.0 = None)
        .add_systems(
            OnEnter(ViewerState::Exhibit),
            add_start_button.after(crate::ui::HudSpawned),
        )
        .add_systems(
            Update,
            (
                tour_keys,
                run_commands,
                pause_when_visitor_moves,
                advance,
                restart_on_language_change,
                show_tour_bar,
            )
                .chain()
                .run_if(in_state(ViewerState::Exhibit)),
        );
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PlayState {
    Playing,
    Paused,
    Finished,
}

/// Where a tour is: which stop, how far into it, and whether it runs.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct TourClock {
    pub stop: usize,
    pub elapsed: f32,
    pub state: PlayState,
}

impl TourClock {
    pub fn start_at(stop: usize) -> Self {
        Self {
            stop,
            elapsed: 0.0,
            state: PlayState::Playing,
        }
    }
    /// Advances time; returns the new stop when the current one ended and another began.
    pub fn tick(&mut self, dt: f32, stop_duration: f32, stop_count: usize) -> Option<usize> {
        if self.state != PlayState::Playing {
            return None;
        }
        self.elapsed += dt;
        if self.elapsed < stop_duration {
            return None;
        }
        if self.stop + 1 < stop_count {
            self.stop += 1;
            self.elapsed = 0.0;
            Some(self.stop)
        } else {
            self.state = PlayState::Finished;
            None
        }
    }
    pub fn next(&mut self, stop_count: usize) -> Option<usize> {
        (self.stop + 1 < stop_count).then(|| {
            self.stop += 1;
            self.elapsed = 0.0;
            if self.state == PlayState::Finished {
                self.state = PlayState::Playing;
            }
            self.stop
        })
    }
    pub fn previous(&mut self) -> Option<usize> {
        if self.stop == 0 {
            self.elapsed = 0.0;
            return Some(0);
        }
        self.stop -= 1;
        self.elapsed = 0.0;
        if self.state == PlayState::Finished {
            self.state = PlayState::Playing;
        }
        Some(self.stop)
    }
    pub fn pause(&mut self) {
        if self.state == PlayState::Playing {
            self.state = PlayState::Paused;
        }
    }
    pub fn resume(&mut self) {
        if self.state == PlayState::Paused {
            self.state = PlayState::Playing;
        }
    }
    /// The stop starts over (its narration restarts, e.g. in another language).
    pub fn restart_stop(&mut self) {
        self.elapsed = 0.0;
    }
}

/// How long a stop lasts in `lang`: its set duration, or until its narration ends (the sound's
/// own length, else the end of its captions) and a breath after it, or, with no narration that
/// could be played, a reading time for its text (about 2.5 words a second, at least 5 s).
pub fn stop_seconds(
    stop: &TourStop,
    narration_seconds: Option<f32>,
    captions: Option<&Captions>,
    lang: &str,
) -> f32 {
    const BREATH: f32 = 0.5;
    match stop.duration {
        StopDuration::Seconds(s) => s,
        // For a video stop `narration_seconds` is the length of its chapter (or video): what
        // the stop plays.
        StopDuration::UntilNarrationEnds | StopDuration::UntilVideoEnds => narration_seconds
            .or_else(|| captions.map(|c| c.end() as f32))
            .map(|s| s + BREATH)
            .unwrap_or_else(|| {
                (stop.text.text(lang).split_whitespace().count() as f32 / 2.5 + 1.5).max(5.0)
            }),
    }
}

/// What the caption line shows: the WebVTT cue at this moment, or else the stop's whole text.
/// Before the first cue (the narration's first breath, or a tour paused at a stop's start) the
/// first cue already shows, so the line is never blank while the visitor waits.
pub fn caption_text(
    stop: &TourStop,
    captions: Option<&Captions>,
    lang: &str,
    elapsed: f32,
) -> String {
    match captions {
        Some(c) => c
            .text_at(f64::from(elapsed))
            .or_else(|| {
                c.cues
                    .first()
                    .filter(|first| f64::from(elapsed) < first.start)
                    .map(|first| first.text.clone())
            })
            .unwrap_or_default(),
        None => stop.text.text(lang).to_owned(),
    }
}

/// The tour being played, if any.
#[derive(Resource, Default)]
pub struct ActiveTour(pub Option<PlayingTour>);

pub struct PlayingTour {
    /// The tour's id in the manifest.
    pub tour: String,
    pub clock: TourClock,
    /// Counts restarts of the current stop (language change, previous on the first stop), so
    /// its narration starts over too.
    pub starts: u32,
    /// Started by the viewer itself (a kiosk's attract loop), not by a visitor.
    pub unattended: bool,
    /// Captions by (stop, language), read when the tour starts.
    captions: HashMap<(usize, String), Captions>,
    lang_at_stop_start: Language,
}

impl PlayingTour {
    fn captions(&self, stop: usize, lang: Language) -> Option<&Captions> {
        self.captions.get(&(stop, lang.code().to_owned()))
    }
}

#[derive(Message, Clone, Debug, PartialEq)]
pub enum TourCommand {
    /// Start the tour with this id (or the first) at stop `k` (0-based).
    Start {
        tour: Option<String>,
        stop: usize,
    },
    /// Start the first tour for nobody in particular: a kiosk's attract loop. The same tour,
    /// marked [`PlayingTour::unattended`], so what a visitor did is told from what the kiosk did.
    StartUnattended,
    Pause,
    Resume,
    TogglePause,
    Next,
    Previous,
    Exit,
}

fn tour_keys(
    keys: Res<ButtonInput<KeyCode>>,
    active: Res<ActiveTour>,
    mut commands: MessageWriter<TourCommand>,
) {
    if keys.just_pressed(KeyCode::KeyT) {
        commands.write(if active.0.is_some() {
            TourCommand::Exit
        } else {
            TourCommand::Start {
                tour: None,
                stop: 0,
            }
        });
    }
    if active.0.is_some() {
        if keys.just_pressed(KeyCode::Space) {
            commands.write(TourCommand::TogglePause);
        }
        if keys.just_pressed(KeyCode::KeyN) {
            commands.write(TourCommand::Next);
        }
        if keys.just_pressed(KeyCode::KeyB) {
            commands.write(TourCommand::Previous);
        }
    }
}

fn tour_of<'a>(library: &'a ExhibitLibrary, id: &str) -> Option<&'a Tour> {
    library.current_package()?.manifest.tour(id)
}

/// What a stop's view is fitted to besides the manifest.
#[derive(Clone, Copy)]
pub struct Framing<'a> {
    /// The view's width over its height (a video's screen is fitted to it).
    pub aspect: f32,
    /// The view's height in the UI's pixels, where bars lie over it (`None` in a headset).
    pub view_height: Option<f32>,
    /// The galleries' photos' proportions (the tallest photo is shown whole).
    pub galleries: &'a crate::gallery::Galleries,
}

/// Where a stop looks from and at: its named view, or the view of its hotspot.
pub fn stop_view(
    library: &ExhibitLibrary,
    bounds: &ExhibitBounds,
    tour: &str,
    stop: usize,
    framing: Framing,
) -> Option<(Vec3, Vec3)> {
    let aspect = framing.aspect;
    let (package, b) = (library.current_package()?, bounds.0?);
    let s = package.manifest.tour(tour)?.stops.get(stop)?;
    match &s.target {
        StopTarget::View(id) => package
            .manifest
            .view(id)
            .map(|v| (Vec3::from(v.eye), Vec3::from(v.target))),
        StopTarget::Hotspot(id) => package
            .manifest
            .hotspot(id)
            .map(|h| view_of_hotspot(&package.manifest, &b, h, false)),
        StopTarget::Video { video, .. } => package
            .manifest
            .video(video)
            .and_then(|v| crate::video::view_of_video(v, aspect)),
        StopTarget::Photo { gallery, .. } => package.manifest.gallery(gallery).map(|g| {
            crate::gallery::view_of_gallery(
                g,
                aspect,
                framing.view_height,
                true,
                framing.galleries.tallest(&g.id),
            )
        }),
    }
}

/// Moves the camera to a stop: an eased flight, or a cut behind a fade when motion is reduced.
fn go_to_stop(
    library: &ExhibitLibrary,
    bounds: &ExhibitBounds,
    tour: &str,
    stop: usize,
    reduce_motion: bool,
    framing: Framing,
    camera: &mut MessageWriter<CameraCommand>,
) {
    if let Some((eye, target)) = stop_view(library, bounds, tour, stop, framing) {
        camera.write(if reduce_motion {
            CameraCommand::CutTo { eye, target }
        } else {
            CameraCommand::LookFrom { eye, target }
        });
    }
}

#[allow(clippy::too_many_arguments)]
fn run_commands(
    mut commands: MessageReader<TourCommand>,
    mut active: ResMut<ActiveTour>,
    library: Res<ExhibitLibrary>,
    bounds: Res<ExhibitBounds>,
    lang: Res<Language>,
    config: Res<crate::ViewerConfig>,
    mut open: ResMut<OpenHotspot>,
    mut camera: MessageWriter<CameraCommand>,
    (load, texts, galleries, ui_scale): (
        Res<ExhibitLoad>,
        Res<Assets<TextFile>>,
        Res<crate::gallery::Galleries>,
        Res<UiScale>,
    ),
    windows: Query<&Window>,
) {
    let framing = Framing {
        aspect: crate::camera::window_aspect(&windows),
        view_height: crate::camera::window_height_in_ui(&windows, &ui_scale),
        galleries: &galleries,
    };
    let first_tour = TourCommand::Start {
        tour: None,
        stop: 0,
    };
    for command in commands.read() {
        let (command, unattended) = match command {
            TourCommand::StartUnattended => (&first_tour, true),
            other => (other, false),
        };
        match command {
            TourCommand::Start { tour, stop } => {
                let Some(package) = library.current_package() else {
                    continue;
                };
                let tours = &package.manifest.tours;
                let Some(chosen) = (match tour {
                    Some(id) => package.manifest.tour(id),
                    None => tours.first(),
                }) else {
                    warn!("exhibit \"{}\" has no tour {:?}", package.manifest.id, tour);
                    continue;
                };
                let stop = (*stop).min(chosen.stops.len().saturating_sub(1));
                let captions = read_captions(chosen, &load, &texts);
                open.0 = None;
                active.0 = Some(PlayingTour {
                    tour: chosen.id.clone(),
                    clock: TourClock::start_at(stop),
                    starts: 0,
                    unattended,
                    captions,
                    lang_at_stop_start: *lang,
                });
                go_to_stop(
                    &library,
                    &bounds,
                    &chosen.id,
                    stop,
                    config.reduce_motion,
                    framing,
                    &mut camera,
                );
            }
            TourCommand::Exit => active.0 = None,
            other => {
                let Some(playing) = active.0.as_mut() else {
                    continue;
                };
                let count = tour_of(&library, &playing.tour).map_or(0, |t| t.stops.len());
                let moved = match other {
                    TourCommand::Pause => {
                        playing.clock.pause();
                        None
                    }
                    TourCommand::Resume | TourCommand::TogglePause
                        if playing.clock.state != PlayState::Playing =>
                    {
                        playing.clock.resume();
                        // Back to where the stop looks, if the visitor wandered off.
                        Some(playing.clock.stop)
                    }
                    TourCommand::TogglePause => {
                        playing.clock.pause();
                        None
                    }
                    TourCommand::Next => playing.clock.next(count),
                    TourCommand::Previous => playing.clock.previous(),
                    _ => None,
                };
                if let Some(stop) = moved {
                    playing.lang_at_stop_start = *lang;
                    if matches!(other, TourCommand::Previous) {
                        playing.starts += 1;
                    }
                    go_to_stop(
                        &library,
                        &bounds,
                        &playing.tour,
                        stop,
                        config.reduce_motion,
                        framing,
                        &mut camera,
                    );
                }
            }
        }
    }
}

/// Captions of every stop of `tour`, as loaded with the exhibit (a file that could not be loaded
/// or parsed was left out with a notice when the exhibit loaded; its stop shows its text).
fn read_captions(
    tour: &Tour,
    load: &ExhibitLoad,
    texts: &Assets<TextFile>,
) -> HashMap<(usize, String), Captions> {
    let mut out = HashMap::new();
    for (i, stop) in tour.stops.iter().enumerate() {
        for (lang, _) in stop.captions.iter() {
            let text = load
                .captions
                .get(&(tour.id.clone(), i, lang.code().to_owned()))
                .and_then(|h| texts.get(h));
            if let Some(captions) = text.and_then(|t| parse_vtt(&t.0).ok()) {
                out.insert((i, lang.code().to_owned()), captions);
            }
        }
    }
    out
}

/// Dragging, scrolling, touching or moving with the keys while a tour plays pauses it.
fn pause_when_visitor_moves(
    mut active: ResMut<ActiveTour>,
    buttons: Res<ButtonInput<MouseButton>>,
    scroll: Res<AccumulatedMouseScroll>,
    touches: Res<Touches>,
    keys: Res<ButtonInput<KeyCode>>,
    interactions: Query<&Interaction>,
) {
    let Some(playing) = active.0.as_mut() else {
        return;
    };
    if playing.clock.state != PlayState::Playing {
        return;
    }
    let over_ui = crate::camera::pointer_over_ui(&interactions);
    let moving_keys = [
        KeyCode::ArrowLeft,
        KeyCode::ArrowRight,
        KeyCode::ArrowUp,
        KeyCode::ArrowDown,
        KeyCode::KeyW,
        KeyCode::KeyA,
        KeyCode::KeyS,
        KeyCode::KeyD,
    ];
    let took_control = (!over_ui
        && (buttons.get_just_pressed().next().is_some()
            || scroll.delta.y != 0.0
            || touches.iter_just_pressed().next().is_some()))
        || moving_keys.iter().any(|k| keys.just_pressed(*k));
    if took_control {
        playing.clock.pause();
    }
}

fn advance(
    mut active: ResMut<ActiveTour>,
    library: Res<ExhibitLibrary>,
    bounds: Res<ExhibitBounds>,
    lang: Res<Language>,
    config: Res<crate::ViewerConfig>,
    time: Res<Time>,
    load: Res<ExhibitLoad>,
    (videos, galleries, ui_scale): (
        Res<crate::video::Videos>,
        Res<crate::gallery::Galleries>,
        Res<UiScale>,
    ),
    mut camera: MessageWriter<CameraCommand>,
    windows: Query<&Window>,
) {
    let Some(playing) = active.0.as_mut() else {
        return;
    };
    let Some(tour) = tour_of(&library, &playing.tour) else {
        return;
    };
    let Some(stop) = tour.stops.get(playing.clock.stop) else {
        return;
    };
    let narration = match (&stop.target, &stop.duration) {
        // A stop on a video lasts as long as what it plays.
        (StopTarget::Video { video, chapter }, StopDuration::UntilVideoEnds) => {
            videos.part_seconds(video, chapter.as_deref())
        }
        _ => stop
            .narration
            .get(lang.code())
            .and_then(|file| load.narration_seconds(file)),
    };
    let seconds = stop_seconds(
        stop,
        narration,
        playing.captions(playing.clock.stop, *lang),
        lang.code(),
    );
    if let Some(next) = playing
        .clock
        .tick(time.delta_secs(), seconds, tour.stops.len())
    {
        playing.lang_at_stop_start = *lang;
        go_to_stop(
            &library,
            &bounds,
            &tour.id,
            next,
            config.reduce_motion,
            Framing {
                aspect: crate::camera::window_aspect(&windows),
                view_height: crate::camera::window_height_in_ui(&windows, &ui_scale),
                galleries: &galleries,
            },
            &mut camera,
        );
    }
}

fn restart_on_language_change(mut active: ResMut<ActiveTour>, lang: Res<Language>) {
    let Some(playing) = active.0.as_mut() else {
        return;
    };
    if playing.lang_at_stop_start != *lang {
        playing.lang_at_stop_start = *lang;
        playing.clock.restart_stop();
        playing.starts += 1;
    }
}

/// The HUD's "Guided tour" button, for exhibits that have a tour.
fn add_start_button(
    library: Res<ExhibitLibrary>,
    fonts: Res<UiFonts>,
    lang: Res<Language>,
    tools: Query<(Entity, &Children), With<HudTools>>,
    mut commands: Commands,
) {
    let has_tour = library
        .current_package()
        .is_some_and(|p| !p.manifest.tours.is_empty());
    let (Some((tools, children)), true) = (tools.iter().next(), has_tour) else {
        return;
    };
    let start = commands
        .spawn(button(
            &fonts,
            *lang,
            LocalizedLabel::ui(UiString::GuidedTour),
            TourButton(TourButtonKind::Start),
        ))
        .id();
    // Before the last tool (Home), so Home stays in the corner.
    commands
        .entity(tools)
        .insert_children(children.len().saturating_sub(1), &[start]);
}

#[derive(Component)]
struct TourBar;

#[derive(Component)]
struct TourStopLabel;

#[derive(Component)]
struct TourCaption;

#[derive(Component)]
struct TourPauseLabel;

/// A tour button's action.
#[derive(Component, Clone, Copy, Debug, PartialEq)]
pub struct TourButton(pub TourButtonKind);

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum TourButtonKind {
    Start,
    Previous,
    PauseResume,
    Next,
    Exit,
}

#[allow(clippy::too_many_arguments)]
fn show_tour_bar(
    active: Res<ActiveTour>,
    library: Res<ExhibitLibrary>,
    (lang, offered): (Res<Language>, Res<OfferedLanguages>),
    fonts: Res<UiFonts>,
    bars: Query<Entity, With<TourBar>>,
    slots: Query<(Entity, &crate::ui::BottomSlot)>,
    mut stop_labels: Query<
        &mut LocalizedLabel,
        (
            With<TourStopLabel>,
            Without<TourCaption>,
            Without<TourPauseLabel>,
        ),
    >,
    mut captions: Query<
        &mut LocalizedLabel,
        (
            With<TourCaption>,
            Without<TourStopLabel>,
            Without<TourPauseLabel>,
        ),
    >,
    pause_buttons: Query<&Children, With<TourPauseLabel>>,
    mut labels: Query<
        &mut LocalizedLabel,
        (
            Without<TourStopLabel>,
            Without<TourCaption>,
            Without<TourPauseLabel>,
        ),
    >,
    pressed: Query<(&Interaction, &TourButton), Changed<Interaction>>,
    mut commands: Commands,
    mut tour_commands: MessageWriter<TourCommand>,
) {
    for (interaction, b) in &pressed {
        if *interaction == Interaction::Pressed {
            tour_commands.write(match b.0 {
                TourButtonKind::Start => TourCommand::Start {
                    tour: None,
                    stop: 0,
                },
                TourButtonKind::Previous => TourCommand::Previous,
                TourButtonKind::PauseResume => TourCommand::TogglePause,
                TourButtonKind::Next => TourCommand::Next,
                TourButtonKind::Exit => TourCommand::Exit,
            });
        }
    }
    let Some(playing) = active.0.as_ref() else {
        for e in &bars {
            commands.entity(e).despawn();
        }
        return;
    };
    let Some(tour) = tour_of(&library, &playing.tour) else {
        return;
    };
    let Some(stop) = tour.stops.get(playing.clock.stop) else {
        return;
    };
    let (k, n) = (playing.clock.stop + 1, tour.stops.len());
    let langs = &offered.0;
    let stop_label = LocalizedLabel::for_languages(langs, |l| {
        format!("{} · {}", l.pick(&tour.title), UiString::stop_of(l, k, n))
    });
    let caption = LocalizedLabel::for_languages(langs, |l| {
        caption_text(
            stop,
            playing.captions(playing.clock.stop, l),
            l.code(),
            playing.clock.elapsed,
        )
    });
    let pause_label = match playing.clock.state {
        PlayState::Playing => LocalizedLabel::ui(UiString::Pause),
        PlayState::Paused | PlayState::Finished => LocalizedLabel::ui(UiString::Resume),
    };
    if bars.is_empty() {
        let Some(slot) = crate::ui::bottom_slot(&slots, crate::ui::BottomSlot::Tour) else {
            return;
        };
        let inner = crate::ui::spawn_bottom_bar(
            &mut commands,
            slot,
            TourBar,
            Node {
                flex_direction: FlexDirection::Column,
                padding: UiRect::all(px(12)),
                row_gap: px(6),
                ..default()
            },
        );
        commands.spawn((
            label(&fonts, *lang, stop_label, TextStyle::Small),
            TourStopLabel,
            ChildOf(inner),
        ));
        commands.spawn((
            label(&fonts, *lang, caption, TextStyle::Body),
            TextLayout::justify(Justify::Center),
            TourCaption,
            ChildOf(inner),
        ));
        let row = commands
            .spawn((
                Node {
                    flex_direction: FlexDirection::Row,
                    flex_wrap: FlexWrap::Wrap,
                    justify_content: JustifyContent::Center,
                    ..default()
                },
                ChildOf(inner),
            ))
            .id();
        commands.spawn((
            button(
                &fonts,
                *lang,
                LocalizedLabel::ui(UiString::Previous),
                TourButton(TourButtonKind::Previous),
            ),
            ChildOf(row),
        ));
        commands.spawn((
            button(
                &fonts,
                *lang,
                pause_label,
                TourButton(TourButtonKind::PauseResume),
            ),
            TourPauseLabel,
            ChildOf(row),
        ));
        commands.spawn((
            button(
                &fonts,
                *lang,
                LocalizedLabel::ui(UiString::Next),
                TourButton(TourButtonKind::Next),
            ),
            ChildOf(row),
        ));
        commands.spawn((
            button(
                &fonts,
                *lang,
                LocalizedLabel::ui(UiString::ExitTour),
                TourButton(TourButtonKind::Exit),
            ),
            ChildOf(row),
        ));
        return;
    }
    for mut l in &mut stop_labels {
        if *l != stop_label {
            *l = stop_label.clone();
        }
    }
    for mut l in &mut captions {
        if *l != caption {
            *l = caption.clone();
        }
    }
    for children in &pause_buttons {
        for child in children {
            if let Ok(mut l) = labels.get_mut(*child)
                && *l != pause_label
            {
                *l = pause_label.clone();
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use disan_format::LocalizedText;

    fn stop(duration: StopDuration, vi: &str, en: &str) -> TourStop {
        TourStop {
            target: StopTarget::View("v".into()),
            text: LocalizedText::new()
                .with("vi", vi.to_owned())
                .with("en", en.to_owned()),
            narration: Default::default(),
            captions: Default::default(),
            duration,
        }
    }

    #[test]
    fn the_clock_walks_through_stops_and_finishes() {
        let mut c = TourClock::start_at(0);
        assert_eq!(c.tick(4.0, 5.0, 3), None);
        assert_eq!(c.tick(1.5, 5.0, 3), Some(1), "stop 1 ends after 5 s");
        assert_eq!(c.elapsed, 0.0);
        assert_eq!(c.tick(5.0, 5.0, 3), Some(2));
        assert_eq!(c.tick(5.0, 5.0, 3), None);
        assert_eq!(c.state, PlayState::Finished, "the last stop ends the tour");
        assert_eq!(c.tick(5.0, 5.0, 3), None);
    }

    #[test]
    fn pause_holds_time_and_skip_moves_within_bounds() {
        let mut c = TourClock::start_at(0);
        c.tick(2.0, 5.0, 3);
        c.pause();
        assert_eq!(c.tick(10.0, 5.0, 3), None);
        assert_eq!(c.elapsed, 2.0, "paused time does not pass");
        c.resume();
        assert_eq!(c.next(3), Some(1));
        assert_eq!(c.next(3), Some(2));
        assert_eq!(c.next(3), None, "no stop after the last");
        assert_eq!(c.previous(), Some(1));
        assert_eq!(c.previous(), Some(0));
        assert_eq!(
            c.previous(),
            Some(0),
            "previous on the first stop restarts it"
        );
    }

    #[test]
    fn a_language_change_mid_stop_restarts_the_stop() {
        let mut c = TourClock::start_at(1);
        c.tick(3.0, 10.0, 4);
        c.restart_stop();
        assert_eq!((c.stop, c.elapsed), (1, 0.0));
    }

    #[test]
    fn captions_follow_the_narration_clock_or_show_the_text() {
        let s = stop(
            StopDuration::UntilNarrationEnds,
            "Chào mừng bạn đến đình Hàng Kênh.",
            "Welcome to Hàng Kênh.",
        );
        let vtt = parse_vtt("WEBVTT\n\n00:00.200 --> 00:02.000\nChào mừng bạn\n\n00:02.000 --> 00:04.500\nđến đình Hàng Kênh.\n").unwrap();
        assert_eq!(
            caption_text(&s, Some(&vtt), "vi", 0.0),
            "Chào mừng bạn",
            "the first cue shows from the start"
        );
        assert_eq!(caption_text(&s, Some(&vtt), "vi", 0.5), "Chào mừng bạn");
        assert_eq!(
            caption_text(&s, Some(&vtt), "vi", 2.1),
            "đến đình Hàng Kênh."
        );
        assert_eq!(caption_text(&s, Some(&vtt), "vi", 9.0), "");
        assert_eq!(caption_text(&s, None, "en", 9.0), "Welcome to Hàng Kênh.");
        // "Until the narration ends": the sound's own length when it is known, else the captions'.
        assert_eq!(stop_seconds(&s, Some(7.25), Some(&vtt), "vi"), 7.75);
        assert_eq!(stop_seconds(&s, None, Some(&vtt), "vi"), 5.0);
        // Narration without captions lasts as long as the sound, not a reading-time guess.
        assert_eq!(stop_seconds(&s, Some(12.0), None, "vi"), 12.5);
        // Nothing to play: a reading time, never under 5 s.
        assert_eq!(stop_seconds(&s, None, None, "en"), 5.0);
        assert_eq!(
            stop_seconds(
                &stop(StopDuration::Seconds(12.0), "a", "b"),
                Some(3.0),
                None,
                "vi"
            ),
            12.0
        );
    }
}
