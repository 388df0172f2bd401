//! Light and surroundings: an image-based sky light (a sky/horizon/ground gradient, cheap enough
//! for school PCs and WebGL2), a sun with shadows, distance fog and a ground disc, all sized to
//! the exhibit once its bounds are known.
//!
//! The sun and the ground exist from the start and are only resized per exhibit: the renderer
//! then compiles the model's shadowed pipelines once, as soon as the model arrives, instead of
//! a second time when a light appears (measured: that second wave cost most of a second).

use bevy::light::{CascadeShadowConfig, CascadeShadowConfigBuilder};
use bevy::picking::Pickable;
use bevy::prelude::*;

use crate::ViewerState;
use crate::camera::ViewerCamera;
use crate::framing::{ExhibitFramed, NotFramed};
use crate::library::ExhibitLibrary;

pub(super) fn plugin(app: &mut App) {
    app.insert_resource(ClearColor(SKY_HORIZON))
        .add_systems(Startup, spawn_sun_and_ground)
        .add_systems(PostStartup, add_sky_light)
        .add_systems(
            Update,
            fit_to_exhibit.run_if(in_state(ViewerState::Exhibit)),
        );
}

const SKY_TOP: Color = Color::srgb(0.42, 0.60, 0.85);
const SKY_HORIZON: Color = Color::srgb(0.78, 0.84, 0.90);
const GROUND_BOUNCE: Color = Color::srgb(0.36, 0.33, 0.28);

#[derive(Component)]
struct Sun;

/// The ground disc under the exhibit.
#[derive(Component)]
pub struct Ground;

fn add_sky_light(
    mut commands: Commands,
    camera: Query<Entity, With<ViewerCamera>>,
    mut images: ResMut<Assets<Image>>,
) {
    for entity in &camera {
        let mut light = EnvironmentMapLight::hemispherical_gradient(
            &mut images,
            SKY_TOP,
            SKY_HORIZON,
            GROUND_BOUNCE,
        );
        light.intensity = 1500.0;
        // Distance fog into the horizon colour hides the ground's edge, whatever the exhibit's size.
        let fog = DistanceFog {
            color: SKY_HORIZON,
            falloff: FogFalloff::Linear {
                start: 40.0,
                end: 150.0,
            },
            ..default()
        };
        commands.entity(entity).insert((light, fog));
    }
}

fn spawn_sun_and_ground(
    mut commands: Commands,
    mut meshes: ResMut<Assets<Mesh>>,
    mut materials: ResMut<Assets<StandardMaterial>>,
) {
    commands.spawn((
        DirectionalLight {
            illuminance: 9000.0,
            shadow_maps_enabled: true,
            ..default()
        },
        // Late-morning sun from the front left, so façades facing +Z are lit and relief reads.
        Transform::from_xyz(-0.5, 1.0, 0.8).looking_at(Vec3::ZERO, Vec3::Y),
        sun_cascades(10.0),
        Sun,
    ));
    commands.spawn((
        // A unit disc, scaled to the exhibit.
        Mesh3d(meshes.add(Circle::new(1.0).mesh().resolution(96))),
        MeshMaterial3d(materials.add(StandardMaterial {
            base_color: Color::srgb(0.36, 0.40, 0.30),
            perceptual_roughness: 0.95,
            ..default()
        })),
        Transform::from_rotation(Quat::from_rotation_x(-std::f32::consts::FRAC_PI_2))
            .with_scale(Vec3::splat(50.0)),
        NotFramed,
        Pickable::IGNORE,
        Ground,
    ));
}

/// How far the ground disc sits below the exhibit's own floor. The disc is a fan of thin
/// triangles 20 exhibit radii long, and across such a triangle the depth a GPU interpolates is
/// coarse: with a fixed 2 mm gap, WebGL2 on SwiftShader drew a whole fan triangle of the disc over
/// Đình Hàng Kênh's paved yard (a wedge cut out of it). A gap of a thousandth of the radius
/// (1.8 cm there, invisible at that scale) keeps the exhibit's floor in front.
fn ground_gap(radius: f32) -> f32 {
    (radius * 0.001).max(0.002)
}

fn sun_cascades(radius: f32) -> CascadeShadowConfig {
    CascadeShadowConfigBuilder {
        num_cascades: 1,
        minimum_distance: 0.05,
        maximum_distance: radius * 8.0,
        ..default()
    }
    .build()
}

/// Sizes the shadows, the ground and the fog to the exhibit on screen.
fn fit_to_exhibit(
    mut framed: MessageReader<ExhibitFramed>,
    library: Res<ExhibitLibrary>,
    mut sun: Query<&mut CascadeShadowConfig, With<Sun>>,
    mut ground: Query<&mut Transform, With<Ground>>,
    mut fog: Query<&mut DistanceFog>,
) {
    let Some(ExhibitFramed(bounds)) = framed.read().last().copied() else {
        return;
    };
    let r = bounds.radius();
    for mut cascades in &mut sun {
        *cascades = sun_cascades(r);
    }
    let ground_y = library.current_package().map_or(bounds.min.y, |p| {
        p.manifest.navigation.ground.min(bounds.min.y)
    });
    for mut t in &mut ground {
        t.translation = Vec3::new(
            bounds.center().x,
            ground_y - ground_gap(r),
            bounds.center().z,
        );
        t.scale = Vec3::splat(r * 20.0);
    }
    for mut f in &mut fog {
        f.falloff = FogFalloff::Linear {
            start: r * 4.0,
            end: r * 14.0,
        };
    }
}
