//! The benchmark baseline: the least a Bevy app does to show a GLB (same Bevy features, window
//! size and readiness rule as `disan shot`), printing the same timing line. Not a product.

use std::time::Instant;

use bevy::prelude::*;
use bevy::render::render_resource::PipelineCache;
use bevy::render::{MainWorld, RenderApp};
use bevy::window::{PresentMode, WindowResolution};

#[derive(Resource)]
struct Start(Instant);

#[derive(Resource, Default)]
struct Ready(bool);

fn main() {
    let start = Instant::now();
    let glb = std::env::args().nth(1).expect("usage: bare_gltf FILE.glb [--all-cores-compile]");
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
            .set(AssetPlugin { file_path: "/".into(), ..default() })
            .set(TaskPoolPlugin {
                task_pool_options: if all_cores { disan_engine::task_pools_for_fast_startup() } else { TaskPoolOptions::default() },
            }),
    )
    .insert_resource(Start(start))
    .init_resource::<Ready>()
    .add_systems(Startup, move |mut commands: Commands, assets: Res<AssetServer>| {
        commands.spawn((Camera3d::default(), Transform::from_xyz(14.0, 10.0, 26.0).looking_at(Vec3::new(0.0, 3.0, 0.0), Vec3::Y)));
        commands.spawn((DirectionalLight { shadow_maps_enabled: true, ..default() }, Transform::from_xyz(-0.5, 1.0, 0.8).looking_at(Vec3::ZERO, Vec3::Y)));
        let path = glb.to_string_lossy().trim_start_matches('/').to_owned();
        commands.spawn(WorldAssetRoot(assets.load(GltfAssetLabel::Scene(0).from_asset(path))));
    })
    .add_systems(Update, report);
    app.sub_app_mut(RenderApp).add_systems(ExtractSchedule, |mut main: ResMut<MainWorld>, cache: Res<PipelineCache>| {
        let ready = cache.waiting_pipelines().next().is_none();
        if let Some(mut r) = main.get_resource_mut::<Ready>() {
            r.0 = ready;
        }
    });
    app.run();
}

fn report(start: Res<Start>, ready: Res<Ready>, meshes: Query<(), With<Mesh3d>>, mut exit: MessageWriter<AppExit>) {
    if ready.0 && !meshes.is_empty() {
        let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
        let rss = status.lines().find(|l| l.starts_with("VmHWM:")).and_then(|l| l.split_whitespace().nth(1)).unwrap_or("0");
        info!("first-model-frame-ms={} peak-rss-kb={rss}", start.0.elapsed().as_millis());
        exit.write(AppExit::Success);
    }
}
