//! `disan --xr`: the viewer in an OpenXR headset (bevy_mod_openxr). The visitor stands in front
//! of the exhibit at true scale; the headset is the spatial-audio listener because the XR cameras
//! drive the view. With no OpenXR runtime the same binary says so and opens the desktop viewer.

use bevy::prelude::*;
use bevy_mod_xr::camera::XrCamera;
use bevy_mod_xr::session::{XrState, XrTrackingRoot};
use disan_engine::audio::AudioListener;
use disan_engine::framing::ExhibitFramed;
use disan_engine::library::ExhibitLibrary;

pub struct XrViewerPlugin {
    /// Leave after this many frames in a running session (tests, benchmarks).
    pub exit_after_frames: Option<u32>,
}

impl Plugin for XrViewerPlugin {
    fn build(&self, app: &mut App) {
        app.insert_resource(XrFrameBudget(self.exit_after_frames))
            .add_systems(Update, (place_visitor_when_framed, count_running_frames, say_when_unavailable, listen_with_the_headset));
    }
}

#[derive(Resource)]
struct XrFrameBudget(Option<u32>);

/// Where the visitor's play space goes: for a monument, on the ground in front of its entrance;
/// for an artifact or document, a step in front of it. True scale: the exhibit's metres are the
/// visitor's metres.
pub fn visitor_origin(min: Vec3, max: Vec3, ground: f32, monument: bool) -> Vec3 {
    let center = (min + max) * 0.5;
    let step_back = if monument { 3.0 } else { 0.9 };
    Vec3::new(center.x, ground, max.z + step_back)
}

fn place_visitor_when_framed(
    mut framed: MessageReader<ExhibitFramed>,
    library: Res<ExhibitLibrary>,
    mut roots: Query<&mut Transform, With<XrTrackingRoot>>,
) {
    let Some(ExhibitFramed(b)) = framed.read().last().copied() else { return };
    let Some(package) = library.current_package() else { return };
    let monument = package.manifest.navigation.walk;
    let origin = visitor_origin(b.min, b.max, package.manifest.navigation.ground, monument);
    for mut t in &mut roots {
        // The play space faces -Z, towards the exhibit's front.
        *t = Transform::from_translation(origin);
    }
    info!("xr: visitor placed at {origin} in front of \"{}\"", package.manifest.id);
}

/// The headset's eye cameras become the spatial-audio listener.
fn listen_with_the_headset(eyes: Query<Entity, (Added<XrCamera>, Without<AudioListener>)>, mut commands: Commands) {
    for eye in &eyes {
        commands.entity(eye).insert(AudioListener);
        info!("xr: eye camera {eye} listens for the exhibit's sounds");
    }
}

fn count_running_frames(
    state: Option<Res<XrState>>,
    budget: Res<XrFrameBudget>,
    mut frames: Local<u32>,
    mut exit: MessageWriter<AppExit>,
) {
    if !matches!(state.as_deref(), Some(XrState::Running)) {
        return;
    }
    *frames += 1;
    if *frames == 1 {
        info!("xr: session running, rendering to the headset");
    }
    if budget.0 == Some(*frames) {
        info!("xr-frames={}", *frames);
        exit.write(AppExit::Success);
    }
}

fn say_when_unavailable(state: Option<Res<XrState>>, mut said: Local<bool>) {
    if *said {
        return;
    }
    if state.is_none() || matches!(state.as_deref(), Some(XrState::Unavailable)) {
        *said = true;
        warn!(
            "xr: no OpenXR runtime could be started, so Disan runs in its desktop window. Start a runtime (SteamVR, Monado, WiVRn) and try again; see docs/vr.md."
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn visitors_stand_in_front_of_the_exhibit_on_its_ground() {
        let o = visitor_origin(Vec3::new(-13.0, 0.0, -8.0), Vec3::new(13.0, 8.9, 15.0), 0.0, true);
        assert_eq!(o, Vec3::new(0.0, 0.0, 18.0));
        let o = visitor_origin(Vec3::new(-0.3, 0.0, -0.3), Vec3::new(0.3, 0.45, 0.3), 0.0, false);
        assert!((o.z - 1.2).abs() < 1e-6 && o.y == 0.0);
    }
}
