//! Light and surroundings: an image-based sky light (a sky/horizon/ground gradient, cheap enough
//! for school PCs and WebGL2), a sun with shadows sized to the exhibit, and a ground disc.

use bevy::light::CascadeShadowConfigBuilder;
use bevy::picking::Pickable;
use bevy::prelude::*;

use crate::camera::ViewerCamera;
use crate::framing::{ExhibitFramed, NotFramed};
use crate::library::ExhibitLibrary;
use crate::{ExhibitScoped, ViewerState};

pub(super) fn plugin(app: &mut App) {
    app.insert_resource(ClearColor(SKY_HORIZON))
        .add_systems(PostStartup, add_sky_light)
        .add_systems(Update, light_the_exhibit.run_if(in_state(ViewerState::Exhibit)));
}

const SKY_TOP: Color = Color::srgb(0.42, 0.60, 0.85);
const SKY_HORIZON: Color = Color::srgb(0.78, 0.84, 0.90);
const GROUND_BOUNCE: Color = Color::srgb(0.36, 0.33, 0.28);

fn add_sky_light(mut commands: Commands, camera: Query<Entity, With<ViewerCamera>>, mut images: ResMut<Assets<Image>>) {
    for entity in &camera {
        let mut light = EnvironmentMapLight::hemispherical_gradient(&mut images, SKY_TOP, SKY_HORIZON, GROUND_BOUNCE);
        light.intensity = 1500.0;
        // Distance fog into the horizon colour hides the ground's edge, whatever the exhibit's size.
        commands.entity(entity).insert((light, DistanceFog { color: SKY_HORIZON, falloff: FogFalloff::Linear { start: 1.0, end: 2.0 }, ..default() }));
    }
}

/// The sun and the ground, placed once the exhibit's size is known.
fn light_the_exhibit(
    mut framed: MessageReader<ExhibitFramed>,
    library: Res<ExhibitLibrary>,
    mut commands: Commands,
    mut meshes: ResMut<Assets<Mesh>>,
    mut materials: ResMut<Assets<StandardMaterial>>,
    mut fog: Query<&mut DistanceFog>,
) {
    let Some(ExhibitFramed(bounds)) = framed.read().last().copied() else { return };
    let r = bounds.radius();
    for mut f in &mut fog {
        f.falloff = FogFalloff::Linear { start: r * 4.0, end: r * 14.0 };
    }
    let ground = library.current_package().map_or(bounds.min.y, |p| p.manifest.navigation.ground.min(bounds.min.y));
    commands.spawn((
        DirectionalLight { illuminance: 9000.0, shadow_maps_enabled: true, ..default() },
        // Late-morning sun from the front left, so façades facing +Z are lit and relief reads.
        Transform::from_xyz(-0.5, 1.0, 0.8).looking_at(Vec3::ZERO, Vec3::Y),
        CascadeShadowConfigBuilder { num_cascades: 1, minimum_distance: 0.05, maximum_distance: r * 8.0, ..default() }.build(),
        ExhibitScoped,
    ));
    commands.spawn((
        Mesh3d(meshes.add(Circle::new(r * 20.0).mesh().resolution(96))),
        MeshMaterial3d(materials.add(StandardMaterial {
            base_color: Color::srgb(0.36, 0.40, 0.30),
            perceptual_roughness: 0.95,
            ..default()
        })),
        Transform::from_xyz(bounds.center().x, ground - 0.002, bounds.center().z)
            .with_rotation(Quat::from_rotation_x(-std::f32::consts::FRAC_PI_2)),
        NotFramed,
        Pickable::IGNORE,
        ExhibitScoped,
    ));
}
