//! Loading the current exhibit: every file it names is requested from the asset server, the
//! loading screen shows the fraction that has arrived, and a file that fails to load sends the
//! viewer to the error screen with the file's name and the loader's reason. Nothing here panics
//! on content: a broken exhibit must never stop a kiosk.

use std::collections::HashMap;

use bevy::asset::{RecursiveDependencyLoadState, UntypedHandle};
use bevy::gltf::GltfAssetLabel;
use bevy::prelude::*;
use bevy::world_serialization::{WorldAsset, WorldInstanceReady};

use crate::library::{ExhibitLibrary, TextFile};
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
    /// WebVTT captions by (tour, stop, language code), read when a tour starts.
    pub captions: HashMap<(usize, usize, String), Handle<TextFile>>,
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
    if library.is_fetching(library.current) {
        // The manifest is on its way (browser); this runs again when it arrives.
        next_state.set(ViewerState::Loading);
        return;
    }
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
    for (t, tour) in m.tours.iter().enumerate() {
        for (s, stop) in tour.stops.iter().enumerate() {
            for (lang, file) in stop.captions.iter() {
                let handle: Handle<TextFile> = assets.load(library.asset_path(package, file));
                load.files.push((file.to_string(), handle.clone().untyped()));
                load.captions.insert((t, s, lang.code().to_owned()), handle);
            }
        }
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

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use bevy::state::app::StatesPlugin;

    use super::*;
    use crate::ViewerConfig;
    use crate::library::SwitchExhibit;

    fn exhibits() -> PathBuf {
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../exhibits")
    }

    /// A catalogue of one broken package (named `a-…` so it comes first) and one good sample.
    fn catalogue_with_a_broken_package(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("disan-loading-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("a-broken")).unwrap();
        std::fs::write(dir.join("a-broken/exhibit.toml"), "format = 1\nid = \"a-broken\"\nkind = \"relic\"\n").unwrap();
        copy_dir(&exhibits().join("trong-dong"), &dir.join("b-trong-dong"));
        dir
    }

    fn copy_dir(from: &std::path::Path, to: &std::path::Path) {
        std::fs::create_dir_all(to).unwrap();
        for entry in std::fs::read_dir(from).unwrap().map(Result::unwrap) {
            if entry.file_type().unwrap().is_dir() {
                copy_dir(&entry.path(), &to.join(entry.file_name()));
            } else {
                std::fs::copy(entry.path(), to.join(entry.file_name())).unwrap();
            }
        }
    }

    /// The loading path with real asset I/O but no renderer: glTF files cannot be decoded here
    /// (no glTF loader is added), which is exactly a "file that fails to load".
    fn app(path: PathBuf) -> App {
        let mut app = App::new();
        crate::library::register_exhibit_source(&mut app, &path);
        app.add_plugins((MinimalPlugins, AssetPlugin::default(), StatesPlugin))
            .init_asset::<WorldAsset>()
            .insert_resource(ViewerConfig { path, start_exhibit: None, lang: "vi".into(), shot: None, reduce_motion: false, fetch_exhibits: None })
            .init_state::<ViewerState>()
            .init_resource::<ButtonInput<KeyCode>>()
            .add_plugins((crate::library::plugin, plugin));
        app
    }

    fn run_until(app: &mut App, state: ViewerState) {
        for _ in 0..500 {
            app.update();
            if *app.world().resource::<State<ViewerState>>().get() == state {
                return;
            }
            std::thread::sleep(std::time::Duration::from_millis(2));
        }
        panic!("never reached {state:?}; failure: {:?}", app.world().resource::<OpenFailure>());
    }

    #[test]
    fn a_broken_package_shows_its_problems_and_the_next_one_loads() {
        let mut app = app(catalogue_with_a_broken_package("switch"));
        run_until(&mut app, ViewerState::Error);
        let failure = app.world().resource::<OpenFailure>().problems.join("\n");
        assert!(failure.contains("a-broken/exhibit.toml:3:8: error: `kind`: \"relic\" is not allowed here"), "{failure}");
        app.world_mut().write_message(SwitchExhibit::Next);
        run_until(&mut app, ViewerState::Loading);
        assert_eq!(app.world().resource::<ExhibitLibrary>().current, 1);
    }

    /// The browser's catalogue: manifests fetched through the asset source, each entry filled
    /// in as it arrives; one that is not there becomes an error naming its address.
    #[test]
    fn a_fetched_catalogue_fills_in_as_manifests_arrive() {
        let mut app = App::new();
        let base = exhibits();
        crate::library::register_exhibit_source(&mut app, &base);
        let ids = vec!["no-such-exhibit".to_owned(), "trong-dong".to_owned()];
        app.add_plugins((MinimalPlugins, AssetPlugin::default(), StatesPlugin))
            .init_asset::<WorldAsset>()
            .insert_resource(ViewerConfig { path: base, fetch_exhibits: Some(ids), ..Default::default() })
            .init_state::<ViewerState>()
            .init_resource::<ButtonInput<KeyCode>>()
            .add_plugins((crate::library::plugin, plugin));
        assert!(app.world().resource::<ExhibitLibrary>().is_fetching(0), "nothing is known before the fetch");
        run_until(&mut app, ViewerState::Error);
        let failure = app.world().resource::<OpenFailure>().problems.join("\n");
        assert!(failure.contains("no-such-exhibit/exhibit.toml") && failure.contains("could not be fetched"), "{failure}");
        for _ in 0..500 {
            app.update();
            if !app.world().resource::<ExhibitLibrary>().is_fetching(1) {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(2));
        }
        let library = app.world().resource::<ExhibitLibrary>();
        let drum = library.catalogue.entries[1].as_ref().expect("the sample arrived and parsed");
        assert_eq!(drum.manifest.id, "trong-dong");
        assert_eq!(library.asset_path(drum, &drum.manifest.models[0].src), "exhibits://trong-dong/models/trong-dong.glb");
    }

    #[test]
    fn a_model_that_fails_to_load_names_its_file() {
        let dir = catalogue_with_a_broken_package("model");
        let mut app = app(dir.join("b-trong-dong"));
        run_until(&mut app, ViewerState::Error);
        let failure = app.world().resource::<OpenFailure>().problems.join("\n");
        assert!(failure.contains("\"models/trong-dong.glb\" could not be loaded"), "{failure}");
        assert!(failure.contains("b-trong-dong/exhibit.toml"), "{failure}");
    }
}
