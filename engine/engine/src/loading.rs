//! Loading the current exhibit: every file it names is requested from the asset server, the
//! loading screen shows the fraction that has arrived, and a file that fails to load sends the
//! viewer to the error screen with the file's name and the loader's reason. Nothing here panics
//! on content: a broken exhibit must never stop a kiosk.

use bevy::asset::{RecursiveDependencyLoadState, UntypedHandle};
use bevy::gltf::GltfAssetLabel;
use bevy::prelude::*;
use bevy::world_serialization::{WorldAsset, WorldInstanceReady};

use crate::library::ExhibitLibrary;
use crate::{ExhibitScoped, ViewerState};

pub(super) fn plugin(app: &mut App) {
    app.init_resource::<ExhibitLoad>()
        .init_resource::<OpenFailure>()
        .add_systems(Update, start_loading.run_if(resource_changed::<ExhibitLibrary>))
        .add_systems(Update, track_loading.after(start_loading).run_if(in_state(ViewerState::Loading)));
}

/// The files of the exhibit being loaded, and how far along they are.
#[derive(Resource, Default)]
pub struct ExhibitLoad {
    /// (the file as the manifest names it, its handle)
    files: Vec<(String, UntypedHandle)>,
    models: Vec<(Handle<WorldAsset>, Transform)>,
    /// Fraction of files loaded, 0–1, for the loading screen.
    pub progress: f32,
    /// Hotspot images by hotspot index, kept alive for the info panel.
    pub hotspot_images: Vec<Option<Handle<Image>>>,
}

/// Why the current exhibit could not be shown: one line per problem, for the error screen.
#[derive(Resource, Default, Debug, Clone)]
pub struct OpenFailure {
    pub problems: Vec<String>,
}

/// One model of the exhibit on screen.
#[derive(Component)]
pub struct ExhibitModel;

/// Set on an [`ExhibitModel`] once its glTF scene has been spawned.
#[derive(Component)]
pub struct ModelSpawned;

fn start_loading(
    library: Res<ExhibitLibrary>,
    assets: Res<AssetServer>,
    mut load: ResMut<ExhibitLoad>,
    mut failure: ResMut<OpenFailure>,
    mut next_state: ResMut<NextState<ViewerState>>,
) {
    *load = ExhibitLoad::default();
    let package = match library.current() {
        Ok(p) => p,
        Err(e) => {
            failure.problems = e.problems.iter().map(ToString::to_string).collect();
            next_state.set(ViewerState::Error);
            return;
        }
    };
    let m = &package.manifest;
    info!("loading exhibit \"{}\" from {}", m.id, package.root.display());
    for model in &m.models {
        let path = library.asset_path(package, &model.src);
        let handle: Handle<WorldAsset> = assets.load(GltfAssetLabel::Scene(0).from_asset(path));
        load.files.push((model.src.to_string(), handle.clone().untyped()));
        let [rx, ry, rz] = model.rotation_deg.map(f32::to_radians);
        let transform = Transform::from_translation(Vec3::from(model.position))
            .with_rotation(Quat::from_euler(EulerRot::YXZ, ry, rx, rz))
            .with_scale(Vec3::splat(model.scale));
        load.models.push((handle, transform));
    }
    for hotspot in &m.hotspots {
        let image = hotspot.image.as_ref().map(|file| {
            let handle: Handle<Image> = assets.load(library.asset_path(package, file));
            load.files.push((file.to_string(), handle.clone().untyped()));
            handle
        });
        load.hotspot_images.push(image);
    }
    failure.problems.clear();
    next_state.set(ViewerState::Loading);
}

fn track_loading(
    assets: Res<AssetServer>,
    library: Res<ExhibitLibrary>,
    mut load: ResMut<ExhibitLoad>,
    mut failure: ResMut<OpenFailure>,
    mut commands: Commands,
    mut next_state: ResMut<NextState<ViewerState>>,
) {
    let Some(package) = library.current_package() else { return };
    if load.files.is_empty() && load.models.is_empty() {
        return;
    }
    let mut loaded = 0;
    let mut failed = Vec::new();
    for (file, handle) in &load.files {
        match assets.recursive_dependency_load_state(handle.id()) {
            RecursiveDependencyLoadState::Loaded => loaded += 1,
            RecursiveDependencyLoadState::Failed(err) => {
                let manifest = package.root.join(disan_format::MANIFEST_FILE);
                failed.push(format!(
                    "{}: error: \"{file}\" could not be loaded: {err}. Re-export the file (for models: a valid glTF 2.0 / GLB) or fix the path.",
                    manifest.display()
                ));
            }
            _ => {}
        }
    }
    load.progress = if load.files.is_empty() { 1.0 } else { loaded as f32 / load.files.len() as f32 };
    if !failed.is_empty() {
        failed.iter().for_each(|f| error!("{f}"));
        failure.problems = failed;
        next_state.set(ViewerState::Error);
        return;
    }
    if loaded < load.files.len() {
        return;
    }
    for (handle, transform) in load.models.drain(..) {
        commands
            .spawn((WorldAssetRoot(handle), transform, ExhibitModel, ExhibitScoped))
            .observe(|ready: On<WorldInstanceReady>, mut commands: Commands| {
                commands.entity(ready.entity).insert(ModelSpawned);
            });
    }
    next_state.set(ViewerState::Exhibit);
}
