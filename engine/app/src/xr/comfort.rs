//! The comfort vignette (shaders/comfort_vignette.wgsl): a quad held just in front of the
//! visitor's head, darkening the edges of the view while they move and, at full strength,
//! fading the view out and in around teleports and tour stops.

use bevy::asset::uuid_handle;
use bevy::prelude::*;
use bevy::render::render_resource::AsBindGroup;
use bevy::shader::ShaderRef;

use super::{XrHead, XrOwned};

const SHADER: Handle<Shader> = uuid_handle!("3f0c2b8e-9a51-4d0e-8c6b-6f1f2d7a9e41");

pub(super) fn plugin(app: &mut App) {
    disan_engine::register_shader(
        app,
        &SHADER,
        include_str!("../../../../shaders/comfort_vignette.wgsl"),
        "shaders/comfort_vignette.wgsl",
    );
    app.add_plugins(MaterialPlugin::<VignetteMaterial>::default())
        .init_resource::<Comfort>()
        .add_systems(Startup, spawn_vignette)
        .add_systems(
            PostUpdate,
            (ease_vignette, follow_head)
                .chain()
                .before(TransformSystems::Propagate),
        );
}

#[derive(Asset, TypePath, AsBindGroup, Debug, Clone)]
pub struct VignetteMaterial {
    /// x: strength 0–1, y: edge softness.
    #[uniform(0)]
    params: Vec4,
    #[uniform(1)]
    tint: LinearRgba,
}

impl Material for VignetteMaterial {
    fn fragment_shader() -> ShaderRef {
        ShaderRef::Handle(SHADER)
    }
    fn alpha_mode(&self) -> AlphaMode {
        AlphaMode::Blend
    }
}

/// How dark the view's edges should be: locomotion asks for `moving`, teleports and tour stops
/// for `fade` (a full black-out), each 0–1. The shown strength eases towards the larger.
#[derive(Resource, Default, Debug)]
pub struct Comfort {
    pub moving: f32,
    pub fade: f32,
    pub shown: f32,
}

/// Vignette strength while the visitor moves: the view narrows to about half its width.
pub const MOVING_STRENGTH: f32 = 0.55;

#[derive(Component)]
struct Vignette(Handle<VignetteMaterial>);

fn spawn_vignette(
    mut commands: Commands,
    mut meshes: ResMut<Assets<Mesh>>,
    mut materials: ResMut<Assets<VignetteMaterial>>,
) {
    let material = materials.add(VignetteMaterial {
        params: Vec4::new(0.0, 0.35, 0.0, 0.0),
        tint: LinearRgba::BLACK,
    });
    commands.spawn((
        // 12 cm ahead, 0.5 m across: wider than any headset's field of view at that distance.
        Mesh3d(meshes.add(Rectangle::new(0.5, 0.5))),
        MeshMaterial3d(material.clone()),
        Vignette(material),
        Transform::default(),
        bevy::light::NotShadowCaster,
        XrOwned,
        Name::new("xr comfort vignette"),
    ));
}

fn ease_vignette(
    time: Res<Time>,
    mut comfort: ResMut<Comfort>,
    vignettes: Query<&Vignette>,
    mut materials: ResMut<Assets<VignetteMaterial>>,
) {
    let goal = comfort.moving.max(comfort.fade).clamp(0.0, 1.0);
    // About 0.15 s to close, a little slower to open.
    let rate = if goal > comfort.shown { 8.0 } else { 5.0 };
    let k = 1.0 - (-rate * time.delta_secs()).exp();
    comfort.shown += (goal - comfort.shown) * k;
    if (comfort.shown - goal).abs() < 0.01 {
        comfort.shown = goal;
    }
    for v in &vignettes {
        if let Some(mut m) = materials.get_mut(&v.0) {
            m.params.x = comfort.shown;
        }
    }
}

fn follow_head(
    comfort: Res<Comfort>,
    head: Res<XrHead>,
    mut vignettes: Query<(&mut Transform, &mut Visibility), With<Vignette>>,
) {
    for (mut t, mut visibility) in &mut vignettes {
        *t = head.world * Transform::from_xyz(0.0, 0.0, -0.12);
        *visibility = if comfort.shown > 0.005 {
            Visibility::Visible
        } else {
            Visibility::Hidden
        };
    }
}
