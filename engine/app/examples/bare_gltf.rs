//! The benchmark baseline: the least a Bevy app does to show a GLB (same Bevy features and
//! window size as `disan shot`). It is timed by the viewer's own rule, `disan_engine::first_frame`
//! (the model loaded with its textures and spawned, then the first frame drawn with every
//! pipeline compiled), which prints the same timing line. Not a product.

use bevy::prelude::*;
use bevy::window::{PresentMode, WindowResolution};
use disan_engine::first_frame::{self, MainFrame, ModelPresentSince};

#[derive(Resource)]
struct Model(Handle<Gltf>);

fn main() {
    let _ = first_frame::PROCESS_START.set(std::time::Instant::now());
    let glb = std::env::args()
        .nth(1)
        .expect("usage: bare_gltf FILE.glb [--all-cores-compile]");
    // The same pipeline-compilation thread pool as `disan`, to separate that setting's effect.
    let all_cores = std::env::args().any(|a| a == "--all-cores-compile");
    let glb = std::path::absolute(glb).expect("path");
    let mut app = App::new();
    app.add_plugins(
        DefaultPlugins
            .set(WindowPlugin {
                primary_window: Some(Window {
                    resolution: WindowResolution::new(1280, 720).with_scale_factor_override(1.0),
                    present_mode: PresentMode::AutoNoVsync,
                    ..default()
                }),
                ..default()
            })
            .set(AssetPlugin {
                file_path: "/".into(),
                ..default()
            })
            .set(TaskPoolPlugin {
                task_pool_options: if all_cores {
                    disan_engine::task_pools_for_fast_startup()
                } else {
                    TaskPoolOptions::default()
                },
            }),
    )
    .add_plugins(first_frame::plugin)
    .add_systems(
        Startup,
        move |mut commands: Commands, assets: Res<AssetServer>| {
            commands.spawn((
                Camera3d::default(),
                Transform::from_xyz(14.0, 10.0, 26.0).looking_at(Vec3::new(0.0, 3.0, 0.0), Vec3::Y),
            ));
            commands.spawn((
                DirectionalLight {
                    shadow_maps_enabled: true,
                    ..default()
                },
                Transform::from_xyz(-0.5, 1.0, 0.8).looking_at(Vec3::ZERO, Vec3::Y),
            ));
            let path = glb.to_string_lossy().trim_start_matches('/').to_owned();
            commands.insert_resource(Model(assets.load(path.clone())));
            commands.spawn(WorldAssetRoot(
                assets.load(GltfAssetLabel::Scene(0).from_asset(path)),
            ));
        },
    )
    .add_systems(Update, (mark_model_present, exit_after_first_model_frame));
    app.run();
}

/// The same "present" as the viewer's: the GLB and every texture loaded, its meshes spawned.
fn mark_model_present(
    model: Res<Model>,
    assets: Res<AssetServer>,
    meshes: Query<(), With<Mesh3d>>,
    frame: Res<MainFrame>,
    mut present: ResMut<ModelPresentSince>,
) {
    if assets.is_loaded_with_dependencies(&model.0) && !meshes.is_empty() {
        present.mark(*frame);
    }
}

fn exit_after_first_model_frame(
    first: Res<first_frame::FirstModelFrame>,
    mut exit: MessageWriter<AppExit>,
) {
    if first.0.is_some() {
        exit.write(AppExit::Success);
    }
}
