//! `disan kiosk`: the viewer run unattended in a museum. The behaviour in time (idle, countdown,
//! reset, attract, opening hours) and the usage counters are `disan_kiosk`'s, Bevy-free and
//! tested with simulated time; this plugin connects them to the viewer:
//!
//! - touches, the gallery's cards and what the viewer did (shown, failed, a hotspot opened, a
//!   tour started or completed, the language switched) go into the [`KioskMachine`];
//! - its [`Effect`]s are applied here, in one place, with the messages and resources the
//!   visitor's own controls use (so the kiosk can do nothing a visitor could not);
//! - [`screens`]: the gallery, the countdown, the attract banner, the closed veil, notices;
//! - [`exit`]: the hidden exit (a long press in a corner, then the PIN);
//! - [`monitor`]: the status file, the systemd watchdog's heartbeat, the usage log;
//! - [`simulate`]: a day of visitors in moments, for the soak test (`--simulate HOURS`).

use bevy::prelude::*;
use disan_kiosk::{Effect, KioskConfig, KioskMachine, Phase, Screen, UsageEvent};

use crate::ViewerState;
use crate::audio::MasterVolume;
use crate::camera::{CameraCommand, CameraRig, NavMode};
use crate::embed::EmbedEvent;
use crate::hotspots::OpenHotspot;
use crate::i18n::Language;
use crate::library::{ExhibitLibrary, SwitchExhibit};
use crate::loading::ExhibitLoad;
use crate::tour::{ActiveTour, PlayState, TourCommand};
use crate::ui::{AboutOpen, ToolsOpen};

pub mod exit;
pub mod monitor;
pub mod screens;
pub mod simulate;

/// How the viewer runs as a kiosk (`ViewerConfig::kiosk`).
#[derive(Clone, Debug)]
pub struct KioskSetup {
    pub config: KioskConfig,
    /// Run this simulation instead of waiting for visitors (the soak test).
    pub simulate: Option<simulate::Simulation>,
}

pub(super) fn plugin(app: &mut App) {
    let Some(setup) = app.world().resource::<crate::ViewerConfig>().kiosk.clone() else {
        return;
    };
    let kiosk = Kiosk::new(&setup, app.world().resource::<ExhibitLibrary>());
    // Behind the gallery, the first exhibit that can be opened loads (not an error screen).
    let mut library = app.world_mut().resource_mut::<ExhibitLibrary>();
    if let Some(first) = library.catalogue.entries.iter().position(Result::is_ok) {
        library.current = first;
    }
    app.insert_resource(kiosk)
        .add_message::<KioskTouch>()
        .add_message::<KioskRequest>()
        .add_systems(
            Update,
            (read_touches, feed_machine, apply_effects, drift_camera)
                .chain()
                .in_set(KioskSystems),
        )
        .add_plugins((screens::plugin, exit::plugin, monitor::plugin));
    if let Some(sim) = setup.simulate {
        simulate::add(app, sim);
    }
}

/// The kiosk's own systems, in order: touches, the machine, its effects.
#[derive(SystemSet, Debug, Clone, PartialEq, Eq, Hash)]
pub struct KioskSystems;

/// A finger, a mouse button, a key or a wheel touched the kiosk.
#[derive(Message, Debug, Clone, Copy)]
pub struct KioskTouch;

/// What the gallery's cards and the HUD's gallery button ask for.
#[derive(Message, Component, Debug, Clone, PartialEq, Eq)]
pub enum KioskRequest {
    Open(String),
    Gallery,
    /// The gallery's language button: the next of Vietnamese and English.
    ToggleLanguage,
}

/// The kiosk: its configuration, its machine, and what the machine asked for that is still to
/// be done.
#[derive(Resource)]
pub struct Kiosk {
    pub config: KioskConfig,
    pub machine: KioskMachine,
    pub clock: monitor::KioskClock,
    /// Effects waiting to be applied (this frame).
    pending: Vec<Effect>,
    /// The latest problem, for the status file.
    pub last_error: Option<disan_kiosk::status::LastError>,
    /// Why each skipped exhibit was skipped (its first problem), by id.
    pub skipped: Vec<(String, String)>,
    /// The gallery's cards are shown.
    pub gallery_shown: bool,
    /// The attract loop's sound and drift are on.
    pub attracting: bool,
    /// A notice for visitors, until this kiosk time.
    pub notice_until: Option<f64>,
    /// The tour on screen, and whether it was the attract loop's (started unattended): those
    /// are never counted as a visitor's, however a touch and a tour's start or end fall.
    tour_on_screen: Option<(String, bool)>,
}

impl Kiosk {
    fn new(setup: &KioskSetup, library: &ExhibitLibrary) -> Self {
        let config = setup.config.clone();
        let clock = monitor::KioskClock::new(setup.simulate.as_ref().map(|s| s.start));
        let mut gallery = Vec::new();
        let mut skipped = Vec::new();
        for entry in &library.catalogue.entries {
            match entry {
                Ok(p) => gallery.push(p.manifest.id.clone()),
                Err(e) => {
                    let id = e.root.file_name().map_or_else(
                        || e.root.display().to_string(),
                        |n| n.to_string_lossy().into_owned(),
                    );
                    let why = e
                        .problems
                        .first()
                        .map_or_else(|| "cannot be opened".to_owned(), ToString::to_string);
                    warn!("kiosk: \"{id}\" is left out of the gallery: {why}");
                    skipped.push((id, why));
                }
            }
        }
        let machine = KioskMachine::new(
            gallery,
            config.idle,
            config.attract.seconds_per_exhibit,
            &config.language,
            0.0,
            clock.epoch_ms(),
        );
        let last_error = skipped
            .last()
            .map(|(id, why)| disan_kiosk::status::LastError {
                at: clock.local_rfc3339(0.0),
                exhibit: Some(id.clone()),
                message: why.clone(),
            });
        Self {
            config,
            machine,
            clock,
            pending: Vec::new(),
            last_error,
            skipped,
            gallery_shown: true,
            attracting: false,
            notice_until: None,
            tour_on_screen: None,
        }
    }

    fn push(&mut self, effects: Vec<Effect>) {
        self.pending.extend(effects);
    }

    /// The default language of the kiosk.
    pub fn default_language(&self) -> Language {
        Language::from_code(&self.config.language)
    }
}

/// Any press of a finger, a mouse button or a key, or a wheel turn, is a touch.
fn read_touches(
    touches: Res<Touches>,
    mouse: Res<ButtonInput<MouseButton>>,
    keys: Res<ButtonInput<KeyCode>>,
    mut wheel: MessageReader<bevy::input::mouse::MouseWheel>,
    mut out: MessageWriter<KioskTouch>,
) {
    let wheel_turned = wheel.read().count() > 0;
    if touches.any_just_pressed()
        || mouse.get_just_pressed().next().is_some()
        || keys.get_just_pressed().next().is_some()
        || wheel_turned
    {
        out.write(KioskTouch);
    }
}

/// What the viewer is showing, by id, as the machine needs it.
fn shown_exhibit<'a>(
    state: &State<ViewerState>,
    library: &'a ExhibitLibrary,
    load: &ExhibitLoad,
) -> Option<&'a str> {
    let m = &library.current_package()?.manifest;
    load.has_shown(&m.id, *state.get()).then_some(m.id.as_str())
}

/// Everything that happened this frame, into the machine.
#[allow(clippy::too_many_arguments)]
fn feed_machine(
    mut kiosk: ResMut<Kiosk>,
    time: Res<Time<Real>>,
    mut touches: MessageReader<KioskTouch>,
    mut requests: MessageReader<KioskRequest>,
    mut events: MessageReader<EmbedEvent>,
    (state, library, load, active, lang): (
        Res<State<ViewerState>>,
        Res<ExhibitLibrary>,
        Res<ExhibitLoad>,
        Res<ActiveTour>,
        Res<Language>,
    ),
    mut tour_command: MessageWriter<TourCommand>,
    mut last_lang: Local<Option<Language>>,
) {
    let now = time.elapsed_secs_f64();
    let kiosk = &mut *kiosk;
    let exhibit_of = || library.current_package().map(|p| p.manifest.id.clone());
    for event in events.read() {
        match event {
            EmbedEvent::Ready { exhibit } => {
                // An exhibit the visitor reached another way (the HUD's next/previous) is theirs.
                if kiosk.machine.phase() == Phase::Visiting
                    && *kiosk.machine.screen() != Screen::Exhibit(exhibit.id.clone())
                {
                    let e = kiosk.machine.open(&exhibit.id, now);
                    kiosk.push(
                        e.into_iter()
                            .filter(|e| !matches!(e, Effect::Open(_)))
                            .collect(),
                    );
                }
                let e = kiosk.machine.shown(&exhibit.id, now);
                kiosk.push(e);
                if kiosk.machine.phase() == Phase::Attract
                    && *kiosk.machine.screen() == Screen::Exhibit(exhibit.id.clone())
                    && !exhibit.tours.is_empty()
                {
                    tour_command.write(TourCommand::StartUnattended);
                }
            }
            EmbedEvent::Error { exhibit, problems } => {
                // A package whose manifest cannot be read is named by its folder, as at start.
                let id = exhibit.clone().unwrap_or_else(|| {
                    library
                        .current()
                        .as_ref()
                        .err()
                        .and_then(|e| e.root.file_name())
                        .map_or_else(String::new, |n| n.to_string_lossy().into_owned())
                });
                if exhibit.is_none() && kiosk.skipped.iter().any(|(s, _)| *s == id) {
                    // Known broken since start (reached by the HUD's next/previous): said then.
                    continue;
                }
                let why = problems
                    .first()
                    .cloned()
                    .unwrap_or_else(|| "cannot be opened".into());
                error!(
                    "kiosk: \"{id}\" could not be opened and is skipped from now on: {}",
                    problems.join(" | ")
                );
                kiosk.last_error = Some(disan_kiosk::status::LastError {
                    at: kiosk.clock.local_rfc3339(now),
                    exhibit: Some(id.clone()),
                    message: why.clone(),
                });
                if !kiosk.skipped.iter().any(|(s, _)| *s == id) {
                    kiosk.skipped.push((id.clone(), why));
                }
                let e = kiosk.machine.failed(&id);
                kiosk.push(e);
            }
            EmbedEvent::HotspotOpen {
                exhibit, hotspot, ..
            } => {
                let e = kiosk.machine.visitor_did(
                    UsageEvent::Hotspot {
                        exhibit: exhibit.clone(),
                        hotspot: hotspot.clone(),
                    },
                    now,
                );
                kiosk.push(e);
            }
            EmbedEvent::TourEnd {
                exhibit,
                tour,
                completed: true,
            } if kiosk.tour_on_screen == Some((tour.clone(), false)) => {
                let e = kiosk.machine.visitor_did(
                    UsageEvent::TourComplete {
                        exhibit: exhibit.clone(),
                        tour: tour.clone(),
                    },
                    now,
                );
                kiosk.push(e);
            }
            _ => {}
        }
    }
    // This frame's touches and requests after what the viewer reported last frame (an attract
    // tour that ended as the visitor touched is still the attract loop's).
    if touches.read().count() > 0 {
        let e = kiosk.machine.touch(now);
        kiosk.push(e);
    }
    for request in requests.read() {
        let e = match request {
            KioskRequest::Open(id) => kiosk.machine.open(id, now),
            KioskRequest::Gallery => kiosk.machine.to_gallery(now),
            KioskRequest::ToggleLanguage => kiosk.machine.touch(now),
        };
        kiosk.push(e);
    }
    // A tour that appears was started (by the visitor's button, or the attract loop: the
    // machine tells them apart).
    let tour_now = active
        .0
        .as_ref()
        .filter(|_| shown_exhibit(&state, &library, &load).is_some())
        .map(|t| (t.tour.clone(), t.unattended));
    if tour_now != kiosk.tour_on_screen {
        kiosk.tour_on_screen = tour_now;
        if let (Some((tour, false)), Some(exhibit)) = (kiosk.tour_on_screen.clone(), exhibit_of()) {
            let e = kiosk
                .machine
                .visitor_did(UsageEvent::TourStart { exhibit, tour }, now);
            kiosk.push(e);
        }
    }
    if last_lang.is_some_and(|l| l != *lang) {
        let e = kiosk.machine.visitor_did(
            UsageEvent::Language {
                lang: lang.code().to_owned(),
            },
            now,
        );
        kiosk.push(e);
    }
    *last_lang = Some(*lang);

    let open = kiosk.clock.is_open(&kiosk.config.hours, now);
    let playing = shown_exhibit(&state, &library, &load).is_some()
        && active
            .0
            .as_ref()
            .is_some_and(|t| t.clock.state == PlayState::Playing);
    let e = kiosk.machine.tick(now, open, playing);
    kiosk.push(e);
}

/// The machine's effects, applied with the visitor's own controls.
#[allow(clippy::too_many_arguments)]
fn apply_effects(
    mut kiosk: ResMut<Kiosk>,
    time: Res<Time<Real>>,
    (state, library, load): (
        Res<State<ViewerState>>,
        Res<ExhibitLibrary>,
        Res<ExhibitLoad>,
    ),
    (mut open_hotspot, mut about, mut tools, mut lang, mut volume): (
        ResMut<OpenHotspot>,
        ResMut<AboutOpen>,
        ResMut<ToolsOpen>,
        ResMut<Language>,
        ResMut<MasterVolume>,
    ),
    mut switch: MessageWriter<SwitchExhibit>,
    mut tour: MessageWriter<TourCommand>,
    mut camera: MessageWriter<CameraCommand>,
    mut usage_out: MessageWriter<monitor::UsageToLog>,
    mut scans: MessageWriter<crate::scans::ScanCommand>,
    (simulating, mut winit): (
        Option<Res<simulate::Simulating>>,
        Option<ResMut<bevy::winit::WinitSettings>>,
    ),
) {
    let now = time.elapsed_secs_f64();
    let kiosk = &mut *kiosk;
    // Effects can lead to more (an exhibit already on screen is shown at once).
    let mut guard = 0;
    while !kiosk.pending.is_empty() && guard < 8 {
        guard += 1;
        for effect in std::mem::take(&mut kiosk.pending) {
            match effect {
                Effect::Open(id) | Effect::AttractShow(id)
                    if shown_exhibit(&state, &library, &load) == Some(id.as_str()) =>
                {
                    kiosk.gallery_shown = false;
                    let attract = kiosk.machine.phase() == Phase::Attract;
                    if attract {
                        start_attract(kiosk, &mut volume, &mut open_hotspot, &mut tour);
                    }
                    let more = kiosk.machine.shown(&id, now);
                    kiosk.pending.extend(more);
                    let has_tour = library
                        .current_package()
                        .is_some_and(|p| !p.manifest.tours.is_empty());
                    if attract && has_tour {
                        tour.write(TourCommand::StartUnattended);
                    }
                }
                Effect::Open(id) => {
                    kiosk.gallery_shown = false;
                    // A switch already under way to this exhibit is not restarted.
                    if library.current_package().map(|p| p.manifest.id.as_str())
                        != Some(id.as_str())
                        || *state.get() == ViewerState::Error
                    {
                        switch.write(SwitchExhibit::Id(id));
                    }
                }
                Effect::AttractShow(id) => {
                    kiosk.gallery_shown = false;
                    start_attract(kiosk, &mut volume, &mut open_hotspot, &mut tour);
                    if library.current_package().map(|p| p.manifest.id.as_str())
                        != Some(id.as_str())
                        || *state.get() == ViewerState::Error
                    {
                        switch.write(SwitchExhibit::Id(id));
                    }
                }
                Effect::ShowGallery => {
                    kiosk.gallery_shown = true;
                    tour.write(TourCommand::Exit);
                    open_hotspot.0 = None;
                    scans.write(crate::scans::ScanCommand::Close);
                }
                Effect::ShowCountdown | Effect::HideCountdown => {}
                Effect::Reset => {
                    open_hotspot.0 = None;
                    scans.write(crate::scans::ScanCommand::Close);
                    about.0 = false;
                    tools.0 = false;
                    tour.write(TourCommand::Exit);
                    camera.write(CameraCommand::SetMode(NavMode::Orbit));
                    camera.write(CameraCommand::Home);
                    let default = kiosk.default_language();
                    if *lang != default {
                        *lang = default;
                    }
                    kiosk.attracting = false;
                    volume.0 = 1.0;
                }
                Effect::StopAttract => {
                    kiosk.attracting = false;
                    volume.0 = 1.0;
                    tour.write(TourCommand::Exit);
                }
                Effect::Dim => {
                    kiosk.attracting = false;
                    kiosk.gallery_shown = true;
                    volume.0 = 0.0;
                    tour.write(TourCommand::Exit);
                    // Idle: a frame a second behind the veil, and none for touches (a simulation
                    // drives its own clock).
                    if let (None, Some(w)) = (&simulating, winit.as_deref_mut()) {
                        *w = bevy::winit::WinitSettings {
                            focused_mode: bevy::winit::UpdateMode::reactive_low_power(
                                std::time::Duration::from_secs(1),
                            ),
                            unfocused_mode: bevy::winit::UpdateMode::reactive_low_power(
                                std::time::Duration::from_secs(1),
                            ),
                        };
                    }
                    info!("kiosk: closed (outside opening hours): dimmed and idle");
                }
                Effect::Wake => {
                    volume.0 = 1.0;
                    if let Some(w) = winit.as_deref_mut() {
                        *w = bevy::winit::WinitSettings::game();
                    }
                    info!("kiosk: opening time");
                }
                Effect::Skipped(id) => {
                    warn!(
                        "kiosk: \"{id}\" is no longer offered in the gallery or the attract loop"
                    );
                    kiosk.notice_until = Some(now + screens::NOTICE_SECONDS);
                }
                Effect::Usage { session, event } => {
                    usage_out.write(monitor::UsageToLog {
                        session,
                        event,
                        at: kiosk.clock.local_rfc3339(now),
                    });
                }
            }
        }
    }
}

fn start_attract(
    kiosk: &mut Kiosk,
    volume: &mut MasterVolume,
    open_hotspot: &mut OpenHotspot,
    tour: &mut MessageWriter<TourCommand>,
) {
    kiosk.attracting = true;
    volume.0 = kiosk.config.attract.volume;
    open_hotspot.0 = None;
    tour.write(TourCommand::Exit);
}

/// In the attract loop the camera turns slowly about the exhibit, so no pixel holds one image
/// for long (burn-in) and passers-by see it is alive.
fn drift_camera(kiosk: Res<Kiosk>, time: Res<Time>, mut rig: ResMut<CameraRig>) {
    if !kiosk.attracting || rig.mode != NavMode::Orbit {
        return;
    }
    let turn = kiosk.config.attract.drift_degrees_per_second.to_radians() * time.delta_secs();
    if turn > 0.0 {
        rig.orbit_goal.yaw += turn;
    }
}
