//! Cheap frames while the renderer compiles. Between the exhibit's arrival and the moment every
//! pipeline it needs is compiled, Bevy draws what it already can: on a machine without a GPU
//! (lavapipe, SwiftShader) each such incomplete frame costs a full frame of CPU time, taken from
//! the shader compiler that the first complete frame is waiting for. Until then the 3D main pass
//! is drawn at an eighth of the window's resolution (the UI, which shows the loading screen,
//! stays sharp); the first complete frame is drawn in full.
//!
//! Measured with `cargo xtask bench` (DISAN_TIMELINE shows it frame by frame): the incomplete
//! frame at full size cost 350–450 ms of the start-up on the 2-core build machine.

use bevy::camera::MainPassResolutionOverride;
use bevy::prelude::*;
use bevy::render::sync_world::RenderEntity;
use bevy::render::{Extract, RenderApp};

use crate::ViewerState;
use crate::camera::ViewerCamera;
use crate::first_frame::{DrawnInFull, ModelPresentSince, RenderProgress, model_frame_complete};

pub(super) fn plugin(app: &mut App) {
    app.insert_resource(DrawnInFull(false)).add_systems(
        Last,
        end_warm_up.before(crate::first_frame::FirstFrameSystems),
    );
    if let Some(render_app) = app.get_sub_app_mut(RenderApp) {
        render_app.add_systems(ExtractSchedule, shrink_main_pass_while_warming_up);
    }
}

/// How long the renderer may take to compile the exhibit's pipelines before frames are drawn in
/// full anyway (a pipeline that never compiles must not leave the visitor with a blurred view).
pub const WARM_UP_LIMIT: std::time::Duration = std::time::Duration::from_secs(60);

/// Once the renderer has everything the model needs (or there is no model to wait for: the
/// error screen), frames are drawn in full from the next one on.
fn end_warm_up(
    mut full: ResMut<DrawnInFull>,
    present: Res<ModelPresentSince>,
    render: Res<RenderProgress>,
    state: Res<State<ViewerState>>,
    time: Res<Time<Real>>,
    mut present_at: Local<Option<std::time::Duration>>,
) {
    if full.0 {
        return;
    }
    if present.0.is_some() && present_at.is_none() {
        *present_at = Some(time.elapsed());
    }
    let overdue = present_at.is_some_and(|t| time.elapsed().saturating_sub(t) > WARM_UP_LIMIT);
    if overdue {
        warn!(
            "the renderer has not compiled every pipeline of the exhibit after {} s: drawing in full anyway",
            WARM_UP_LIMIT.as_secs()
        );
    }
    if overdue || model_frame_complete(present.0, *render) || *state.get() == ViewerState::Error {
        full.0 = true;
    }
}

fn shrink_main_pass_while_warming_up(
    full: Extract<Res<DrawnInFull>>,
    cameras: Extract<Query<(RenderEntity, &Camera), With<ViewerCamera>>>,
    mut over: Local<bool>,
    mut commands: Commands,
) {
    // Once the override is gone it stays gone: no command per frame for the rest of the visit.
    if *over {
        return;
    }
    *over = full.0;
    for (render_entity, camera) in &cameras {
        let Ok(mut entity) = commands.get_entity(render_entity) else {
            continue;
        };
        match camera.physical_viewport_size().filter(|_| !full.0) {
            Some(size) => {
                entity.insert(MainPassResolutionOverride((size / 8).max(UVec2::ONE)));
            }
            None => {
                entity.remove::<MainPassResolutionOverride>();
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use bevy::state::app::StatesPlugin;

    use super::*;

    fn app(state: ViewerState) -> App {
        let mut app = App::new();
        app.add_plugins((MinimalPlugins, StatesPlugin))
            .insert_state(state)
            .init_resource::<ModelPresentSince>()
            .init_resource::<RenderProgress>()
            .insert_resource(DrawnInFull(false))
            .init_resource::<Time<Real>>()
            .add_systems(Update, end_warm_up);
        app
    }

    #[test]
    fn frames_are_drawn_in_full_once_the_model_has_its_pipelines() {
        let mut app = app(ViewerState::Exhibit);
        app.world_mut().resource_mut::<ModelPresentSince>().0 = Some(4);
        // Still compiling, then ready but read in the model's own frame: keep warming up.
        for render in [
            RenderProgress {
                frame: 6,
                pipelines_ready: false,
                drawn_in_full: false,
            },
            RenderProgress {
                frame: 4,
                pipelines_ready: true,
                drawn_in_full: false,
            },
        ] {
            *app.world_mut().resource_mut::<RenderProgress>() = render;
            app.update();
            assert!(!app.world().resource::<DrawnInFull>().0, "{render:?}");
        }
        *app.world_mut().resource_mut::<RenderProgress>() = RenderProgress {
            frame: 7,
            pipelines_ready: true,
            drawn_in_full: false,
        };
        app.update();
        assert!(app.world().resource::<DrawnInFull>().0);
    }

    #[test]
    fn the_error_screen_is_drawn_in_full_without_a_model() {
        let mut error = app(ViewerState::Error);
        error.update();
        assert!(error.world().resource::<DrawnInFull>().0);
        let mut loading = app(ViewerState::Loading);
        loading.update();
        assert!(
            !loading.world().resource::<DrawnInFull>().0,
            "the loading screen waits for the model"
        );
    }
}
