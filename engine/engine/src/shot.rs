//! `disan shot`: show one named view (a manifest view, a hotspot, or `home`), wait until the
//! exhibit has loaded *and* the renderer has compiled every pipeline it needs, save the frame
//! as PNG and exit. The same readiness signal gives the "first frame with the model" time.

use std::path::PathBuf;

use bevy::prelude::*;
use bevy::render::render_resource::{CachedPipelineState, PipelineCache, PipelineDescriptor};
use bevy::render::view::screenshot::{Screenshot, ScreenshotCaptured, save_to_disk};
use bevy::render::{MainWorld, RenderApp};

use crate::camera::{CameraCommand, CameraRig};
use crate::framing::{ExhibitBounds, ExhibitFramed};
use crate::hotspots::OpenHotspot;
use crate::library::ExhibitLibrary;
use crate::tour::TourCommand;
use crate::ui::Hud;
use crate::ViewerState;

pub(super) fn plugin(app: &mut App) {
    app.init_resource::<PipelinesReady>().init_resource::<FirstModelFrame>();
    if let Some(render_app) = app.get_sub_app_mut(RenderApp) {
        render_app.add_systems(ExtractSchedule, report_pipelines_ready);
    }
    app.add_systems(Update, note_first_model_frame.run_if(in_state(ViewerState::Exhibit)));
    // A frame-by-frame log of start-up (state, pipelines ready, framed), for profiling.
    if std::env::var_os("DISAN_TIMELINE").is_some() {
        app.add_systems(Last, |ready: Res<PipelinesReady>, state: Res<State<ViewerState>>, bounds: Res<ExhibitBounds>, mut n: Local<u32>| {
            *n += 1;
            let t = PROCESS_START.get().map_or(0, |s| s.elapsed().as_millis());
            info!("frame {} at {t} ms: {:?} ready={} framed={}", *n, state.get(), ready.0, bounds.0.is_some());
        });
    }
    if app.world().resource::<crate::ViewerConfig>().shot.is_some() {
        app.init_resource::<ShotProgress>().add_systems(Update, (aim_shot, take_shot).chain());
    }
}

/// What `disan shot` asked for.
#[derive(Clone, Debug)]
pub struct ShotRequest {
    /// A view id, a hotspot id, or `home`.
    pub view: String,
    pub out: PathBuf,
    /// Hide the HUD (for thumbnails); the info panel of a hotspot view stays hidden too.
    pub hide_ui: bool,
}

/// True when the renderer has no pipeline left to compile (so what is on screen is complete).
#[derive(Resource, Default)]
pub struct PipelinesReady(pub bool);

fn pipeline_label(descriptor: &PipelineDescriptor) -> Option<std::borrow::Cow<'static, str>> {
    match descriptor {
        PipelineDescriptor::RenderPipelineDescriptor(d) => d.label.clone(),
        PipelineDescriptor::ComputePipelineDescriptor(d) => d.label.clone(),
    }
}

/// A pipeline whose shader failed (on WebGL2 some of Bevy's optional passes do) will never draw
/// and never stops "waiting": it does not hold the frame back. Each failure is reported once.
fn report_pipelines_ready(
    mut main_world: ResMut<MainWorld>,
    cache: Res<PipelineCache>,
    mut reported: Local<std::collections::HashSet<usize>>,
    mut frames_waiting: Local<u32>,
) {
    let mut ready = true;
    if cache.waiting_pipelines().next().is_some() {
        let pipelines: Vec<_> = cache.pipelines().collect();
        *frames_waiting += 1;
        if *frames_waiting == 600 {
            let waiting: Vec<String> = cache
                .waiting_pipelines()
                .filter_map(|id| pipelines.get(id))
                .map(|p| {
                    let label = pipeline_label(&p.descriptor);
                    let state = match &p.state {
                        CachedPipelineState::Queued => "queued",
                        CachedPipelineState::Creating(_) => "creating",
                        CachedPipelineState::Ok(_) => "ok",
                        CachedPipelineState::Err(_) => "failed",
                    };
                    format!("{label:?} {state}")
                })
                .collect();
            warn!("after 600 frames the renderer still waits for pipelines: {}", waiting.join(", "));
        }
        for id in cache.waiting_pipelines() {
            match pipelines.get(id).map(|p| (&p.state, &p.descriptor)) {
                Some((CachedPipelineState::Err(e), descriptor)) => {
                    if reported.insert(id) {
                        let label = pipeline_label(descriptor);
                        warn!("render pipeline {label:?} cannot be used on this device and is left out: {e}");
                    }
                }
                _ => ready = false,
            }
        }
    }
    if let Some(mut r) = main_world.get_resource_mut::<PipelinesReady>() {
        r.0 = ready;
    }
}

/// When the first complete frame with the exhibit on screen was drawn, since process start.
#[derive(Resource, Default)]
pub struct FirstModelFrame(pub Option<std::time::Duration>);

/// Set by the binary as its first act, so startup is measured from the process's start.
pub static PROCESS_START: std::sync::OnceLock<std::time::Instant> = std::sync::OnceLock::new();

/// Peak resident memory of this process in KiB (Linux; `None` elsewhere).
pub fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

fn note_first_model_frame(
    bounds: Res<ExhibitBounds>,
    ready: Res<PipelinesReady>,
    mut first: ResMut<FirstModelFrame>,
    time: Res<Time<Real>>,
) {
    if first.0.is_none() && bounds.0.is_some() && ready.0 {
        let t = PROCESS_START.get().map_or(time.elapsed(), |start| start.elapsed());
        first.0 = Some(t);
        // Read by `cargo xtask bench`; keep the wording stable.
        info!("first-model-frame-ms={} peak-rss-kb={}", t.as_millis(), peak_rss_kib().unwrap_or(0));
    }
}

/// `tour:ID:K` → (ID, K).
fn parse_tour_view(view: &str) -> Option<(&str, usize)> {
    let rest = view.strip_prefix("tour:")?;
    let (id, k) = rest.rsplit_once(':')?;
    Some((id, k.parse().ok()?))
}

#[derive(Resource, Default)]
struct ShotProgress {
    aimed: bool,
    /// Consecutive frames with everything loaded and compiled.
    settled_frames: u32,
    taken: bool,
}

/// Frames to wait after everything is ready, so eased values and shadows settle.
const SETTLE_FRAMES: u32 = 3;

#[allow(clippy::too_many_arguments)]
fn aim_shot(
    config: Res<crate::ViewerConfig>,
    mut framed: MessageReader<ExhibitFramed>,
    library: Res<ExhibitLibrary>,
    mut rig: ResMut<CameraRig>,
    mut open: ResMut<OpenHotspot>,
    mut camera: MessageWriter<CameraCommand>,
    mut progress: ResMut<ShotProgress>,
    mut exit: MessageWriter<AppExit>,
    mut tours: MessageWriter<TourCommand>,
) {
    let Some(request) = &config.shot else { return };
    if framed.read().last().is_none() || progress.aimed {
        return;
    }
    let Some(package) = library.current_package() else { return };
    let m = &package.manifest;
    rig.snap = true;
    if request.view == "home" {
        camera.write(CameraCommand::Home);
    } else if let Some((tour, stop)) = parse_tour_view(&request.view)
        && m.tours.iter().any(|t| t.id == tour && stop >= 1 && stop <= t.stops.len())
    {
        // `tour:ID:K`: the tour's stop K (from 1), paused there, with its caption showing.
        tours.write(TourCommand::Start { tour: Some(tour.to_owned()), stop: stop - 1 });
        tours.write(TourCommand::Pause);
    } else if let Some(v) = m.view(&request.view) {
        rig.fov_y = v.fov_deg.to_radians();
        camera.write(CameraCommand::LookFrom { eye: Vec3::from(v.eye), target: Vec3::from(v.target) });
    } else if let Some(i) = m.hotspots.iter().position(|h| h.id == request.view) {
        open.0 = Some(i);
    } else {
        let tour_stops = m.tours.iter().map(|t| format!("tour:{}:1..{}", t.id, t.stops.len()));
        let views: Vec<String> =
            m.views.iter().map(|v| v.id.clone()).chain(m.hotspots.iter().map(|h| h.id.clone())).chain(tour_stops).collect();
        error!(
            "exhibit \"{}\" has no view or hotspot \"{}\": use `home` or one of: {}",
            m.id,
            request.view,
            views.join(", ")
        );
        exit.write(AppExit::from_code(2));
    }
    progress.aimed = true;
}

fn take_shot(
    config: Res<crate::ViewerConfig>,
    state: Res<State<ViewerState>>,
    bounds: Res<ExhibitBounds>,
    ready: Res<PipelinesReady>,
    mut progress: ResMut<ShotProgress>,
    mut hud: Query<&mut Visibility, With<Hud>>,
    mut commands: Commands,
) {
    let Some(request) = &config.shot else { return };
    if progress.taken {
        return;
    }
    // The error screen is a valid picture too: tests use it to see a broken package's message.
    let scene_ready = match state.get() {
        ViewerState::Exhibit => bounds.0.is_some() && progress.aimed,
        ViewerState::Error => true,
        ViewerState::Loading => false,
    };
    if request.hide_ui {
        for mut v in &mut hud {
            *v = Visibility::Hidden;
        }
    }
    if !(scene_ready && ready.0) {
        progress.settled_frames = 0;
        return;
    }
    progress.settled_frames += 1;
    if progress.settled_frames < SETTLE_FRAMES {
        return;
    }
    progress.taken = true;
    let out = request.out.clone();
    info!("saving shot to {}", out.display());
    commands
        .spawn(Screenshot::primary_window())
        .observe(save_to_disk(out))
        .observe(|_: On<ScreenshotCaptured>, mut exit: MessageWriter<AppExit>| {
            exit.write(AppExit::Success);
        });
}
