//! When the first *complete* frame with the model was drawn: one rule, used by the viewer (the
//! embedding API's `first-frame` event, `disan shot`, the start-up benchmark) and by the
//! benchmark's bare-Bevy baseline, so both sides of the comparison are timed the same way.
//!
//! The rule: the app declares the frame in which its model is present (loaded with all its
//! textures, spawned, measured); the model is on screen, complete, in the first later frame the
//! renderer begins with no pipeline left to compile. A frame that begins with pipelines still
//! compiling skips the draws that need them, so counting it would time a frame with holes.
//!
//! Why frames and not "the pipeline cache is empty": the model's pipelines are only requested
//! by the render world in the frame its entities are first extracted. Reading the cache in the
//! same frame the model appears sees an empty queue and reports too early; this plugin only
//! trusts a cache read taken in a frame after the model's.

use std::time::{Duration, Instant};

use bevy::prelude::*;
use bevy::render::render_resource::{CachedPipelineState, PipelineCache, PipelineDescriptor};
use bevy::render::{MainWorld, RenderApp};

/// Set by the binary as its first act, so start-up is measured from the process's start.
pub static PROCESS_START: std::sync::OnceLock<Instant> = std::sync::OnceLock::new();

pub fn plugin(app: &mut App) {
    app.init_resource::<MainFrame>()
        .init_resource::<RenderProgress>()
        .init_resource::<ModelPresentSince>()
        .init_resource::<FirstModelFrame>()
        .init_resource::<DrawnInFull>()
        .add_systems(First, |mut frame: ResMut<MainFrame>| frame.0 += 1)
        .add_systems(Last, note_first_model_frame.in_set(FirstFrameSystems));
    if let Some(render_app) = app.get_sub_app_mut(RenderApp) {
        render_app.add_systems(ExtractSchedule, report_render_progress);
    }
    // `DISAN_TIMELINE=1`: a frame-by-frame log of start-up, for profiling.
    if std::env::var_os("DISAN_TIMELINE").is_some() {
        app.add_systems(Last, log_timeline.before(note_first_model_frame));
    }
}

fn log_timeline(
    frame: Res<MainFrame>,
    render: Res<RenderProgress>,
    present: Res<ModelPresentSince>,
    time: Res<Time<Real>>,
) {
    let t = PROCESS_START
        .get()
        .map_or(time.elapsed(), |start| start.elapsed());
    info!(
        "frame {} at {} ms: model present since frame {:?}; renderer began frame {} with pipelines ready: {}, in full: {}",
        frame.0,
        t.as_millis(),
        present.0,
        render.frame,
        render.pipelines_ready,
        render.drawn_in_full
    );
}

/// The main world's frame number (from 1), counted here so the rule depends on nothing else.
#[derive(Resource, Default, Debug, Clone, Copy)]
pub struct MainFrame(pub u64);

/// Where the first complete frame is noted (in `Last`).
#[derive(SystemSet, Debug, Clone, PartialEq, Eq, Hash)]
pub struct FirstFrameSystems;

/// Whether frames are drawn at the window's full resolution. True unless the app draws cheap
/// frames while it warms up (the viewer's [`crate::warmup`]); a reduced frame is never complete.
#[derive(Resource, Debug, Clone, Copy)]
pub struct DrawnInFull(pub bool);

impl Default for DrawnInFull {
    fn default() -> Self {
        DrawnInFull(true)
    }
}

/// What the render world saw when it began drawing main frame `frame`.
#[derive(Resource, Default, Debug, Clone, Copy)]
pub struct RenderProgress {
    pub frame: u64,
    /// No pipeline was left to compile: the frame draws everything it was asked to.
    pub pipelines_ready: bool,
    /// The frame was drawn at full resolution (see [`DrawnInFull`]).
    pub drawn_in_full: bool,
}

/// The main frame in which the app's model became present; set it once with [`ModelPresentSince::mark`].
#[derive(Resource, Default, Debug)]
pub struct ModelPresentSince(pub Option<u64>);

impl ModelPresentSince {
    pub fn mark(&mut self, frame: MainFrame) {
        self.0.get_or_insert(frame.0);
    }
}

/// When the first complete frame with the model was drawn, since process start (or app start).
#[derive(Resource, Default)]
pub struct FirstModelFrame(pub Option<Duration>);

/// Peak resident memory of this process in KiB (Linux; `None` elsewhere).
pub fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// Does the frame the renderer reported draw the model with every pipeline it needs? (The rule
/// apart from Bevy; the first such frame that is also drawn in full is the first complete one.)
pub fn model_frame_complete(present_since: Option<u64>, render: RenderProgress) -> bool {
    present_since.is_some_and(|m| render.frame > m && render.pipelines_ready)
}

/// The first complete frame: the model with every pipeline, drawn at full resolution.
pub fn is_first_complete_frame(present_since: Option<u64>, render: RenderProgress) -> bool {
    model_frame_complete(present_since, render) && render.drawn_in_full
}

fn note_first_model_frame(
    present: Res<ModelPresentSince>,
    render: Res<RenderProgress>,
    mut first: ResMut<FirstModelFrame>,
    time: Res<Time<Real>>,
) {
    if first.0.is_none() && is_first_complete_frame(present.0, *render) {
        let t = PROCESS_START
            .get()
            .map_or(time.elapsed(), |start| start.elapsed());
        first.0 = Some(t);
        // Read by `cargo xtask bench`; keep the wording stable.
        info!(
            "first-model-frame-ms={} peak-rss-kb={}",
            t.as_millis(),
            peak_rss_kib().unwrap_or(0)
        );
    }
}

fn pipeline_label(descriptor: &PipelineDescriptor) -> Option<std::borrow::Cow<'static, str>> {
    match descriptor {
        PipelineDescriptor::RenderPipelineDescriptor(d) => d.label.clone(),
        PipelineDescriptor::ComputePipelineDescriptor(d) => d.label.clone(),
    }
}

/// A pipeline whose shader failed (on WebGL2 some of Bevy's optional passes do) will never draw
/// and never stops "waiting": it does not hold the frame back. Each failure is reported once.
fn report_render_progress(
    mut main_world: ResMut<MainWorld>,
    cache: Res<PipelineCache>,
    mut reported: Local<std::collections::HashSet<usize>>,
    mut frames_waiting: Local<u32>,
    mut timeline: Local<Option<bool>>,
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
                    let state = match &p.state {
                        CachedPipelineState::Queued => "queued",
                        CachedPipelineState::Creating(_) => "creating",
                        CachedPipelineState::Ok(_) => "ok",
                        CachedPipelineState::Err(_) => "failed",
                    };
                    format!("{:?} {state}", pipeline_label(&p.descriptor))
                })
                .collect();
            warn!(
                "after 600 frames the renderer still waits for pipelines: {}",
                waiting.join(", ")
            );
        }
        for id in cache.waiting_pipelines() {
            match pipelines.get(id).map(|p| (&p.state, &p.descriptor)) {
                Some((CachedPipelineState::Err(e), descriptor)) => {
                    if reported.insert(id) {
                        warn!(
                            "render pipeline {:?} cannot be used on this device and is left out: {e}",
                            pipeline_label(descriptor)
                        );
                    }
                }
                _ => ready = false,
            }
        }
    }
    let frame = main_world.get_resource::<MainFrame>().map_or(0, |f| f.0);
    let drawn_in_full = main_world.get_resource::<DrawnInFull>().is_none_or(|f| f.0);
    if *timeline.get_or_insert_with(|| std::env::var_os("DISAN_TIMELINE").is_some()) {
        let pipelines: Vec<_> = cache.pipelines().collect();
        let waiting: Vec<String> = cache
            .waiting_pipelines()
            .filter_map(|id| pipelines.get(id))
            .map(|p| format!("{:?}", pipeline_label(&p.descriptor)))
            .collect();
        info!(
            "renderer at main frame {frame}: {} pipelines, waiting for {}: {}",
            pipelines.len(),
            waiting.len(),
            waiting.join(", ")
        );
    }
    if let Some(mut progress) = main_world.get_resource_mut::<RenderProgress>() {
        *progress = RenderProgress {
            frame,
            pipelines_ready: ready,
            drawn_in_full,
        };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cache_read_from_the_models_own_frame_does_not_count() {
        let ready = |frame| RenderProgress {
            frame,
            pipelines_ready: true,
            drawn_in_full: true,
        };
        // The model appeared in frame 10: the renderer had not yet asked for its pipelines.
        assert!(!model_frame_complete(Some(10), ready(10)));
        assert!(!model_frame_complete(Some(10), ready(9)));
        assert!(model_frame_complete(Some(10), ready(11)));
        // Still compiling in a later frame: not complete.
        assert!(!model_frame_complete(
            Some(10),
            RenderProgress {
                frame: 12,
                pipelines_ready: false,
                drawn_in_full: true
            }
        ));
        // No model yet: never.
        assert!(!model_frame_complete(None, ready(50)));
        // A warm-up frame at reduced resolution is not the first complete frame, however ready.
        assert!(is_first_complete_frame(Some(10), ready(11)));
        assert!(!is_first_complete_frame(
            Some(10),
            RenderProgress {
                frame: 11,
                pipelines_ready: true,
                drawn_in_full: false
            }
        ));
    }
}
