//! `disan --xr`: the viewer in an OpenXR headset (bevy_mod_openxr). The exhibit is at true
//! scale: the visitor stands on a monument's ground, or before an artifact raised to table height
//! on a plinth. Controllers ([`controls`]) point at hotspots and at the UI panel ([`panel`]),
//! teleport and turn ([`moving`], geometry in [`locomotion`]), with a comfort vignette
//! ([`comfort`]). The headset is the spatial-audio listener. With no OpenXR runtime the same
//! binary says so and opens the desktop viewer.

use bevy::prelude::*;
use bevy_mod_xr::camera::XrCamera;
use bevy_mod_xr::session::{XrState, XrTrackingRoot};
use disan_engine::audio::AudioListener;
use disan_engine::camera::ViewerCamera;
use disan_engine::environment::Ground;
use disan_engine::framing::ExhibitFramed;
use disan_engine::library::ExhibitLibrary;

mod comfort;
mod controls;
pub mod locomotion;
mod moving;
mod panel;

/// How the visitor uses the headset.
#[derive(Resource, Clone, Copy, Debug, Default)]
pub struct XrOptions {
    /// Seated: the runtime's LOCAL space (origin at the head), eyes put at a seated height.
    /// Standing (default): the STAGE space, its floor on the exhibit's ground.
    pub seated: bool,
    /// Glide with the left thumbstick, besides teleporting.
    pub smooth_locomotion: bool,
}

pub struct XrViewerPlugin {
    /// Leave after this many frames in a running session (tests, benchmarks).
    pub exit_after_frames: Option<u32>,
    pub options: XrOptions,
}

impl Plugin for XrViewerPlugin {
    fn build(&self, app: &mut App) {
        app.insert_resource(XrFrameBudget(self.exit_after_frames))
            .insert_resource(self.options)
            .init_resource::<XrFloor>()
            .init_resource::<XrHead>()
            .add_plugins((
                controls::plugin,
                panel::plugin,
                comfort::plugin,
                moving::plugin,
            ))
            .add_systems(
                Update,
                (
                    // Without a runtime the desktop fallback shows the exhibit as usual: no plinth.
                    place_visitor_when_framed.run_if(bevy_mod_xr::session::session_available),
                    count_running_frames,
                    say_when_unavailable,
                    listen_with_the_headset,
                    give_each_eye_its_picture,
                    headset_replaces_window_camera,
                ),
            );
    }
}

/// Marks what the XR layer spawns (controllers, panel, arc, vignette, plinth): never a
/// teleport target, never part of the exhibit.
#[derive(Component, Default)]
pub struct XrOwned;

/// The visitor's head: the eye cameras' mean pose, in the play space and in the world. Updated
/// each frame by the locomotion systems; the vignette follows it.
#[derive(Resource, Default, Debug, Clone, Copy)]
pub struct XrHead {
    pub local: Transform,
    pub world: Transform,
}

/// The height of the floor the visitor stands on (world y).
#[derive(Resource, Default, Debug)]
pub struct XrFloor(pub f32);

/// An artifact's plinth: the visitor's floor is this far below the exhibit's base, so the
/// object sits at table height.
pub const PLINTH_HEIGHT: f32 = 0.9;
/// Eye height above the floor for a seated visitor (the LOCAL space's origin is the head).
pub const SEATED_EYE_HEIGHT: f32 = 1.2;

#[derive(Component)]
struct Plinth;

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

#[allow(clippy::too_many_arguments)]
fn place_visitor_when_framed(
    mut framed: MessageReader<ExhibitFramed>,
    library: Res<ExhibitLibrary>,
    options: Res<XrOptions>,
    mut floor: ResMut<XrFloor>,
    mut roots: Query<&mut Transform, With<XrTrackingRoot>>,
    mut grounds: Query<&mut Visibility, With<Ground>>,
    plinths: Query<Entity, With<Plinth>>,
    mut commands: Commands,
    mut meshes: ResMut<Assets<Mesh>>,
    mut materials: ResMut<Assets<StandardMaterial>>,
) {
    let Some(ExhibitFramed(b)) = framed.read().last().copied() else {
        return;
    };
    let Some(package) = library.current_package() else {
        return;
    };
    plinths.iter().for_each(|e| commands.entity(e).despawn());
    if !package.manifest.panoramas.is_empty() {
        // A panorama surrounds the visitor, who is stood at its centre (moving.rs): no plinth,
        // no ground inside the photo.
        grounds.iter_mut().for_each(|mut v| *v = Visibility::Hidden);
        info!(
            "xr: visitor placed in the panorama \"{}\" ({})",
            package.manifest.id,
            if options.seated { "seated" } else { "standing" }
        );
        return;
    }
    let monument = package.manifest.navigation.walk;
    let ground = package.manifest.navigation.ground;
    let mut origin = visitor_origin(b.min, b.max, ground, monument);
    if monument {
        floor.0 = ground;
        grounds
            .iter_mut()
            .for_each(|mut v| *v = Visibility::Inherited);
    } else {
        // The visitor's floor goes down by the plinth's height; the plinth fills the gap under
        // the object, and a floor of its own replaces the ground (now at table height).
        floor.0 = ground - PLINTH_HEIGHT;
        origin.y = floor.0;
        grounds.iter_mut().for_each(|mut v| *v = Visibility::Hidden);
        let footprint = Vec2::new(b.max.x - b.min.x, b.max.z - b.min.z) + Vec2::splat(0.16);
        let center = (b.min + b.max) / 2.0;
        commands.spawn((
            Plinth,
            XrOwned,
            Mesh3d(meshes.add(Cuboid::new(footprint.x, PLINTH_HEIGHT, footprint.y))),
            MeshMaterial3d(materials.add(StandardMaterial {
                base_color: Color::srgb(0.86, 0.83, 0.78),
                perceptual_roughness: 0.8,
                ..default()
            })),
            Transform::from_xyz(center.x, ground - PLINTH_HEIGHT / 2.0, center.z),
        ));
        commands.spawn((
            Plinth,
            Mesh3d(meshes.add(Circle::new(12.0))),
            MeshMaterial3d(materials.add(StandardMaterial {
                base_color: Color::srgb(0.42, 0.40, 0.37),
                perceptual_roughness: 0.9,
                ..default()
            })),
            Transform::from_xyz(center.x, floor.0, center.z)
                .with_rotation(Quat::from_rotation_x(-std::f32::consts::FRAC_PI_2)),
        ));
        info!(
            "xr: \"{}\" stands on a plinth, its base {PLINTH_HEIGHT} m above the visitor's floor",
            package.manifest.id
        );
    }
    if options.seated {
        origin.y += SEATED_EYE_HEIGHT;
    }
    for mut t in &mut roots {
        // The play space faces -Z, towards the exhibit's front.
        *t = Transform::from_translation(origin);
    }
    info!(
        "xr: visitor placed at {origin} in front of \"{}\" ({})",
        package.manifest.id,
        if options.seated { "seated" } else { "standing" }
    );
}

/// In a running session the headset draws the exhibit; the desktop camera would only cost a
/// second render of it.
fn headset_replaces_window_camera(
    state: Option<Res<XrState>>,
    mut cameras: Query<&mut Camera, With<ViewerCamera>>,
) {
    let running = matches!(state.as_deref(), Some(XrState::Running));
    for mut camera in &mut cameras {
        if camera.is_active == running {
            camera.is_active = !running;
        }
    }
}

/// The headset's eye cameras become the spatial-audio listener.
fn listen_with_the_headset(
    eyes: Query<Entity, (Added<XrCamera>, Without<AudioListener>)>,
    mut commands: Commands,
) {
    for eye in &eyes {
        commands.entity(eye).insert(AudioListener);
        info!("xr: eye camera {eye} listens for the exhibit's sounds");
    }
}

/// Each eye sees its own half of a top-bottom stereo video (camera::eye_layers).
fn give_each_eye_its_picture(
    eyes: Query<(Entity, &XrCamera), Added<XrCamera>>,
    mut commands: Commands,
) {
    for (entity, eye) in &eyes {
        commands
            .entity(entity)
            .insert(disan_engine::camera::eye_layers(eye.0));
        info!(
            "xr: eye camera {entity} (view {}) sees its own half of stereo videos",
            eye.0
        );
    }
}

fn count_running_frames(
    state: Option<Res<XrState>>,
    budget: Res<XrFrameBudget>,
    mut frames: Local<u32>,
    mut exit: MessageWriter<AppExit>,
    (videos, galleries): (
        Res<disan_engine::video::Videos>,
        Res<disan_engine::gallery::Galleries>,
    ),
) {
    if !matches!(state.as_deref(), Some(XrState::Running)) {
        return;
    }
    *frames += 1;
    if *frames == 1 {
        info!("xr: session running, rendering to the headset");
    }
    if budget.0 == Some(*frames) {
        // What the headset shows of the exhibit's videos and galleries at the end, for the XR
        // test (a frame decoded and on its screen, a photo on its screen).
        disan_engine::video::log_frames(&videos);
        disan_engine::gallery::log_galleries(&galleries);
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
        let o = visitor_origin(
            Vec3::new(-13.0, 0.0, -8.0),
            Vec3::new(13.0, 8.9, 15.0),
            0.0,
            true,
        );
        assert_eq!(o, Vec3::new(0.0, 0.0, 18.0));
        let o = visitor_origin(
            Vec3::new(-0.3, 0.0, -0.3),
            Vec3::new(0.3, 0.45, 0.3),
            0.0,
            false,
        );
        assert!((o.z - 1.2).abs() < 1e-6 && o.y == 0.0);
    }
}
