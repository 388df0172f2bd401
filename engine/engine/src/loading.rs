//! Loading the current exhibit: every file it names is requested from the asset server, the
//! loading screen shows the fraction that has arrived, and each file that fails is handled by
//! the failure policy ([`crate::policy`]): a model (required) sends the viewer to the error
//! screen naming the file and the loader's reason, an optional file is left out with a notice.
//! Nothing here panics on content and nothing waits forever: a kiosk must never stop because of
//! one broken exhibit.

use std::collections::HashMap;
use std::time::Duration;

use bevy::asset::{RecursiveDependencyLoadState, UntypedHandle};
use bevy::audio::AudioSource;
use bevy::prelude::*;
use bevy::world_serialization::WorldAsset;
use disan_format::PackagePath;

use crate::ViewerState;
use crate::levels::ModelLevels;
use crate::library::{ExhibitLibrary, ExhibitReset, TextFile};
use crate::policy::{ContentFailure, ContentNotice, LOAD_STALL_LIMIT};

pub(super) fn plugin(app: &mut App) {
    app.init_resource::<ExhibitLoad>()
        .init_resource::<OpenFailure>()
        .add_systems(ExhibitReset, |mut load: ResMut<ExhibitLoad>| {
            *load = ExhibitLoad::default()
        })
        // After a switch, with its commands applied in between: the switch's `ExhibitReset` (a
        // command) must clear the previous exhibit's load before this one starts, never after
        // (which left the viewer loading nothing, forever: seen once in 110 soak switches).
        .add_systems(
            Update,
            start_loading
                .run_if(resource_changed::<ExhibitLibrary>)
                .after(crate::library::switch_exhibit),
        )
        .add_systems(
            Update,
            (track_loading, check_sounds, check_captions)
                .chain()
                .after(start_loading),
        );
}

/// Whether the exhibit can be shown without a file (see [`crate::policy`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FileRole {
    Required,
    Optional,
}

struct LoadingFile {
    /// The file as the manifest names it.
    file: String,
    handle: UntypedHandle,
    role: FileRole,
    /// Loaded, or left out.
    settled: bool,
    /// Its size where the manifest says (a model level's `bytes`), else a nominal size: the
    /// loading screen counts bytes, so one 30 MB model is not one file among twenty captions.
    weight: u64,
}

/// What a file whose size the manifest does not give counts for in the progress.
const NOMINAL_FILE_BYTES: u64 = 100_000;

/// The files of the exhibit being loaded, and how far along they are.
#[derive(Resource, Default)]
pub struct ExhibitLoad {
    /// The id of the exhibit these files belong to.
    pub exhibit: Option<String>,
    files: Vec<LoadingFile>,
    /// The first level of each model (index into [`ModelLevels`]), spawned when all is in.
    models: Vec<(usize, Handle<WorldAsset>)>,
    /// Fraction of the bytes settled, 0–1, for the loading screen.
    pub progress: f32,
    /// Every file settled and the models spawned: this load's exhibit is the one on screen once
    /// the state says so. (In the frame of a switch the state still says "exhibit" for the one
    /// being left while `exhibit` already names the next: the id alone cannot tell them apart.)
    complete: bool,
    /// When the last file settled (or loading began), for the stall limit.
    last_arrival: Duration,
    /// Hotspot images by hotspot id, kept alive for the info panel; one that failed is absent.
    pub hotspot_images: HashMap<String, Handle<Image>>,
    /// WebVTT captions by (tour id, stop, language code), read when a tour starts; captions that
    /// do not parse are removed (and left out with a notice) once loaded.
    pub captions: HashMap<(String, usize, String), Handle<TextFile>>,
    /// The file each captions handle came from, for notices.
    caption_files: HashMap<AssetId<TextFile>, PackagePath>,
    /// Every sound the exhibit names (ambience, narrations).
    sounds: HashMap<PackagePath, Handle<AudioSource>>,
    /// Sounds checked once loaded: `Some(length)` if they decode (the length in seconds where
    /// the file gives it), `None` if they were left out.
    checked_sounds: HashMap<PackagePath, Option<Option<f32>>>,
}

impl ExhibitLoad {
    /// A load that has put exhibit `id` on screen, for other plugins' tests.
    #[cfg(test)]
    pub(crate) fn completed(id: &str) -> Self {
        Self {
            exhibit: Some(id.into()),
            complete: true,
            ..default()
        }
    }

    /// Whether exhibit `id` is the one this load has put on screen (see `complete`).
    pub fn has_shown(&self, id: &str, state: ViewerState) -> bool {
        state == ViewerState::Exhibit && self.complete && self.exhibit.as_deref() == Some(id)
    }

    /// How long a narration plays, once its file has loaded and been measured.
    pub fn narration_seconds(&self, file: &PackagePath) -> Option<f32> {
        self.checked_sounds.get(file).copied().flatten().flatten()
    }

    /// A sound of the exhibit that loaded and decodes; `None` for one still loading or left
    /// out. The audio plugin plays only these.
    pub fn playable_sound(&self, file: &PackagePath) -> Option<&Handle<AudioSource>> {
        self.checked_sounds.get(file).copied().flatten()?;
        self.sounds.get(file)
    }

    pub(crate) fn request<A: Asset>(
        &mut self,
        file: &PackagePath,
        handle: &Handle<A>,
        role: FileRole,
    ) {
        self.request_sized(file, handle, role, None);
    }

    fn request_sized<A: Asset>(
        &mut self,
        file: &PackagePath,
        handle: &Handle<A>,
        role: FileRole,
        bytes: Option<u64>,
    ) {
        let weight = bytes.unwrap_or(NOMINAL_FILE_BYTES).max(1);
        self.files.push(LoadingFile {
            file: file.to_string(),
            handle: handle.clone().untyped(),
            role,
            settled: false,
            weight,
        });
    }
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

#[allow(clippy::too_many_arguments)]
fn start_loading(
    library: Res<ExhibitLibrary>,
    assets: Res<AssetServer>,
    time: Res<Time<Real>>,
    config: Res<crate::ViewerConfig>,
    windows: Query<&Window>,
    adapter: Option<Res<bevy::render::renderer::RenderAdapterInfo>>,
    texture_support: Option<Res<bevy::image::CompressedImageFormatSupport>>,
    mut levels: ResMut<ModelLevels>,
    mut load: ResMut<ExhibitLoad>,
    mut failure: ResMut<OpenFailure>,
    mut next_state: ResMut<NextState<ViewerState>>,
) {
    *load = ExhibitLoad {
        last_arrival: time.elapsed(),
        ..default()
    };
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
    info!(
        "loading exhibit \"{}\" from {}",
        m.id,
        package.root.display()
    );
    load.exhibit = Some(m.id.clone());
    *levels = ModelLevels::default();
    let window = windows.iter().next();
    let cap = crate::levels::device_cap(&config, window, adapter.map(|a| a.backend));
    let textures =
        crate::levels::gpu_textures_to_fetch(texture_support.map(|s| s.0), config.textures);
    for model in &m.models {
        let [rx, ry, rz] = model.rotation_deg.map(f32::to_radians);
        let transform = Transform::from_translation(Vec3::from(model.position))
            .with_rotation(Quat::from_euler(EulerRot::YXZ, ry, rx, rz))
            .with_scale(Vec3::splat(model.scale));
        // At the home view the exhibit's box about fills the window's height: that many
        // pixels per metre of this model (whose own box the manifest gives).
        let px_per_metre = model.bounds.zip(window).map(|(b, w)| {
            let radius = (Vec3::from(b.max) - Vec3::from(b.min)).length() * 0.5 * model.scale;
            w.physical_height() as f32 / (2.0 * radius.max(0.01)) * model.scale
        });
        let first = crate::levels::register(
            &mut levels,
            model,
            crate::levels::DevicePlan {
                cap,
                forced: config.lod.is_some(),
                textures: &textures,
            },
            transform,
            px_per_metre,
        );
        let path = library.asset_path(package, &first.src);
        let handle = crate::levels::load_level(&assets, path, config.ray_cast_models);
        load.request_sized(&first.src, &handle, FileRole::Required, first.bytes);
        load.models.push((levels.models.len() - 1, handle));
    }
    // A panorama exhibit's first scene is what the visitor sees first, as a model would be.
    let scene_role = if m.models.is_empty() {
        FileRole::Required
    } else {
        FileRole::Optional
    };
    for (file, handle) in crate::panorama::first_scene_files(&assets, &library, package) {
        load.files.push(LoadingFile {
            file,
            handle,
            role: scene_role,
            settled: false,
            weight: NOMINAL_FILE_BYTES,
        });
    }
    // A cloud's index (metadata.json with hierarchy.bin) before its points can stream.
    let cloud_role = if m.models.is_empty() && m.panoramas.is_empty() {
        FileRole::Required
    } else {
        FileRole::Optional
    };
    for cloud in &m.pointclouds {
        let handle: Handle<crate::pointcloud::CloudIndex> =
            assets.load(library.asset_path(package, &cloud.src));
        load.files.push(LoadingFile {
            file: cloud.src.to_string(),
            handle: handle.untyped(),
            role: cloud_role,
            settled: false,
            weight: NOMINAL_FILE_BYTES,
        });
    }
    // A video exhibit's videos are what the visitor sees first, as a model would be.
    let video_role = if m.models.is_empty() && m.panoramas.is_empty() && m.pointclouds.is_empty() {
        FileRole::Required
    } else {
        FileRole::Optional
    };
    crate::video::request_files(&assets, &library, package, &mut load, video_role);
    // Each photo may fail alone: the gallery shows the others (one with none fails the exhibit
    // when it is all there is, in crate::gallery).
    crate::gallery::request_files(&assets, &library, package, &mut load);
    for hotspot in &m.hotspots {
        if let Some(file) = &hotspot.image {
            let handle: Handle<Image> = assets.load(library.asset_path(package, file));
            load.request(file, &handle, FileRole::Optional);
            load.hotspot_images.insert(hotspot.id.clone(), handle);
        }
    }
    for tour in &m.tours {
        for (s, stop) in tour.stops.iter().enumerate() {
            for (lang, file) in stop.captions.iter() {
                let handle: Handle<TextFile> = assets.load(library.asset_path(package, file));
                load.request(file, &handle, FileRole::Optional);
                load.caption_files.insert(handle.id(), file.clone());
                load.captions
                    .insert((tour.id.clone(), s, lang.code().to_owned()), handle);
            }
        }
    }
    let narrations = m.hotspots.iter().flat_map(|h| h.narration.values()).chain(
        m.tours
            .iter()
            .flat_map(|t| t.stops.iter().flat_map(|s| s.narration.values())),
    );
    for file in m.audio.iter().map(|a| &a.src).chain(narrations) {
        if !load.sounds.contains_key(file) {
            let handle: Handle<AudioSource> = assets.load(library.asset_path(package, file));
            load.request(file, &handle, FileRole::Optional);
            load.sounds.insert(file.clone(), handle);
        }
    }
    failure.problems.clear();
    next_state.set(ViewerState::Loading);
}

/// What a loader's error says, without Bevy's wrapping ("Failed to load asset … with asset
/// loader …"): the reason, for staff to act on.
pub(crate) fn reason(error: &bevy::asset::AssetLoadError) -> String {
    use bevy::asset::AssetLoadError;
    match error {
        // The loader's own message: a BevyError prints a backtrace after it when RUST_BACKTRACE
        // is set, which is for developers, not for the error screen.
        AssetLoadError::AssetLoaderError(e) => {
            match e.error().downcast_ref::<crate::content_guard::Refused>() {
                Some(refused) => refused.to_string(),
                None => e
                    .error()
                    .to_string()
                    .lines()
                    .next()
                    .unwrap_or_default()
                    .to_owned(),
            }
        }
        // Not the file the museum signed (package_trust.rs): said as it is.
        other if crate::package_trust::refusal_in(other).is_some() => {
            crate::package_trust::refusal_in(other).unwrap_or_default()
        }
        AssetLoadError::AssetReaderError(bevy::asset::io::AssetReaderError::NotFound(_)) => {
            "is not in the package (or not published with it): add the file or fix the path"
                .to_owned()
        }
        other => other.to_string(),
    }
}

#[allow(clippy::too_many_arguments)]
fn track_loading(
    assets: Res<AssetServer>,
    library: Res<ExhibitLibrary>,
    time: Res<Time<Real>>,
    state: Res<State<ViewerState>>,
    mut load: ResMut<ExhibitLoad>,
    mut failures: MessageWriter<ContentFailure>,
    mut notices: MessageWriter<ContentNotice>,
    mut commands: Commands,
    mut next_state: ResMut<NextState<ViewerState>>,
    mut levels: ResMut<ModelLevels>,
) {
    if *state.get() != ViewerState::Loading
        || load.exhibit.is_none()
        || library.current_package().is_none()
    {
        return;
    }
    let now = time.elapsed();
    let mut arrived = false;
    for f in load.files.iter_mut().filter(|f| !f.settled) {
        match assets.recursive_dependency_load_state(f.handle.id()) {
            RecursiveDependencyLoadState::Loaded => f.settled = true,
            RecursiveDependencyLoadState::Failed(err) => {
                f.settled = true;
                let reason = reason(&err);
                match f.role {
                    FileRole::Required => {
                        failures.write(ContentFailure {
                            file: f.file.clone(),
                            reason,
                        });
                    }
                    FileRole::Optional => {
                        notices.write(ContentNotice {
                            file: f.file.clone(),
                            reason,
                        });
                    }
                }
            }
            _ => continue,
        }
        arrived = true;
    }
    if arrived {
        load.last_arrival = now;
    }
    let settled = load.files.iter().filter(|f| f.settled).count();
    let total_bytes: u64 = load.files.iter().map(|f| f.weight).sum();
    let settled_bytes: u64 = load
        .files
        .iter()
        .filter(|f| f.settled)
        .map(|f| f.weight)
        .sum();
    load.progress = if total_bytes == 0 {
        1.0
    } else {
        settled_bytes as f32 / total_bytes as f32
    };
    if settled < load.files.len() {
        if now.saturating_sub(load.last_arrival) > LOAD_STALL_LIMIT {
            let waiting: Vec<String> = load
                .files
                .iter()
                .filter(|f| !f.settled)
                .map(|f| f.file.clone())
                .collect();
            failures.write(ContentFailure {
                file: waiting.join(", "),
                reason: format!(
                    "stopped arriving: nothing came for {} s. Check the network or the server that publishes the package.",
                    LOAD_STALL_LIMIT.as_secs()
                ),
            });
            load.files.iter_mut().for_each(|f| f.settled = true);
        }
        return;
    }
    // A failed model leaves nothing to show (the policy has sent the viewer to the error screen).
    let required_failed = load.files.iter().any(|f| {
        f.role == FileRole::Required
            && !matches!(
                assets.recursive_dependency_load_state(f.handle.id()),
                RecursiveDependencyLoadState::Loaded
            )
    });
    if required_failed {
        return;
    }
    for (index, handle) in load.models.drain(..) {
        crate::levels::spawn_first(&mut commands, &mut levels, index, handle);
    }
    load.complete = true;
    next_state.set(ViewerState::Exhibit);
}

/// Captions, once loaded, are parsed: captions that do not parse are left out with a notice
/// (the stop shows its text instead).
fn check_captions(
    mut load: ResMut<ExhibitLoad>,
    texts: Res<Assets<TextFile>>,
    mut notices: MessageWriter<ContentNotice>,
) {
    let ExhibitLoad {
        captions,
        caption_files,
        ..
    } = &mut *load;
    captions.retain(|_, handle| {
        let Some(text) = texts.get(handle.id()) else {
            return true;
        };
        let Some(file) = caption_files.remove(&handle.id()) else {
            return true;
        };
        match disan_format::parse_vtt(&text.0) {
            Ok(_) => true,
            Err(e) => {
                notices.write(ContentNotice {
                    file: file.to_string(),
                    reason: format!("{e}; the stop shows its text instead"),
                });
                false
            }
        }
    });
}

/// Each sound, once loaded, is decoded far enough to know it plays (a file that does not is
/// left out with a notice, here rather than on the audio thread, where nobody would hear of
/// it) and measured, so a tour stop lasts "until the narration ends".
fn check_sounds(
    mut load: ResMut<ExhibitLoad>,
    clips: Res<Assets<AudioSource>>,
    mut notices: MessageWriter<ContentNotice>,
) {
    let ExhibitLoad {
        sounds,
        checked_sounds,
        ..
    } = &mut *load;
    for (file, handle) in sounds.iter() {
        if checked_sounds.contains_key(file) {
            continue;
        }
        let Some(clip) = clips.get(handle.id()) else {
            continue;
        };
        let verdict = match crate::audio::check_decodes(clip) {
            Ok(decoded_seconds) => Some(
                disan_format::media::audio_duration(&clip.bytes)
                    .ok()
                    .map(|s| s as f32)
                    .or(decoded_seconds),
            ),
            Err(why) => {
                notices.write(ContentNotice {
                    file: file.to_string(),
                    reason: why,
                });
                None
            }
        };
        checked_sounds.insert(file.clone(), verdict);
    }
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
        std::fs::write(
            dir.join("a-broken/exhibit.toml"),
            "format = 1\nid = \"a-broken\"\nkind = \"relic\"\n",
        )
        .unwrap();
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
        crate::library::register_exhibit_source(&mut app, &path, Default::default());
        app.add_plugins((MinimalPlugins, AssetPlugin::default(), StatesPlugin))
            .init_asset::<WorldAsset>()
            .init_asset::<AudioSource>()
            .add_plugins(crate::policy::plugin)
            .insert_resource(ViewerConfig {
                path,
                lang: "vi".into(),
                ..Default::default()
            })
            .init_state::<ViewerState>()
            .init_resource::<ButtonInput<KeyCode>>()
            .init_resource::<ModelLevels>()
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
        panic!(
            "never reached {state:?}; failure: {:?}",
            app.world().resource::<OpenFailure>()
        );
    }

    #[test]
    fn a_broken_package_shows_its_problems_and_the_next_one_loads() {
        let mut app = app(catalogue_with_a_broken_package("switch"));
        run_until(&mut app, ViewerState::Error);
        let failure = app.world().resource::<OpenFailure>().problems.join("\n");
        assert!(
            failure.contains(
                "a-broken/exhibit.toml:3:8: error: `kind`: \"relic\" is not allowed here"
            ),
            "{failure}"
        );
        app.world_mut().write_message(SwitchExhibit::Next);
        run_until(&mut app, ViewerState::Loading);
        assert_eq!(app.world().resource::<ExhibitLibrary>().current, 1);
    }

    /// A catalogue opened from its index (catalog.json): only the manifest of the exhibit shown
    /// is fetched; an entry whose manifest fails stays reachable by the index's id; an entry
    /// whose path leaves the catalogue is refused, named by its id.
    #[test]
    fn a_catalogue_from_its_index_fetches_only_the_manifest_shown() {
        let record = |id: &str, path: &str| {
            format!(
                r#"{{"id":"{id}","path":"{path}","title":{{"vi":"{id}"}},"kind":"artifact","rank":"national","license":"CC-BY-4.0","holder":"x","languages":["vi"],"lods":[],"bytes":0}}"#
            )
        };
        let index = disan_format::catalog::CatalogIndex::from_json(&format!(
            r#"{{"format":1,"title":{{}},"entries":[{},{},{}]}}"#,
            record("trong-dong", "trong-dong"),
            record("gone", "no-such-exhibit"),
            record("escape", "../outside"),
        ))
        .unwrap();
        let mut app = App::new();
        let base = exhibits();
        crate::library::register_exhibit_source(&mut app, &base, Default::default());
        app.add_plugins((MinimalPlugins, AssetPlugin::default(), StatesPlugin))
            .init_asset::<WorldAsset>()
            .init_asset::<AudioSource>()
            .add_plugins(crate::policy::plugin)
            .insert_resource(ViewerConfig {
                path: base,
                catalogue: crate::catalogue::CatalogueSetup {
                    index: Some(Ok(index)),
                    ..Default::default()
                },
                ..Default::default()
            })
            .init_state::<ViewerState>()
            .init_resource::<ButtonInput<KeyCode>>()
            .init_resource::<ModelLevels>()
            .add_plugins((crate::library::plugin, plugin));
        let settle = |app: &mut App, entry: usize| {
            for _ in 0..500 {
                app.update();
                if !app.world().resource::<ExhibitLibrary>().is_fetching(entry) {
                    return;
                }
                std::thread::sleep(std::time::Duration::from_millis(2));
            }
            panic!("entry {entry} was never fetched");
        };
        settle(&mut app, 0);
        for _ in 0..50 {
            app.update();
        }
        let library = app.world().resource::<ExhibitLibrary>();
        assert!(
            library.catalogue.entries[0].is_ok(),
            "the exhibit shown arrived"
        );
        assert!(
            library.is_fetching(1),
            "the manifest of an entry not shown is not fetched"
        );
        let refused = library.catalogue.entries[2]
            .as_ref()
            .unwrap_err()
            .to_string();
        assert!(
            refused.contains("catalog.json") && refused.contains("escape"),
            "{refused}"
        );
        assert_eq!(library.known_ids(), ["trong-dong", "gone", "escape"]);

        // Opened by its id, the missing package fails, and stays reachable by that id.
        app.world_mut()
            .write_message(SwitchExhibit::Id("gone".into()));
        app.update();
        settle(&mut app, 1);
        let library = app.world().resource::<ExhibitLibrary>();
        let failed = library.catalogue.entries[1]
            .as_ref()
            .unwrap_err()
            .to_string();
        assert!(failed.contains("no-such-exhibit/exhibit.toml"), "{failed}");
        assert_eq!(library.position_of("gone"), Some(1));
        assert_eq!(library.position_of("trong-dong"), Some(0));
        assert_eq!(library.position_of("nothing"), None);
    }

    /// The browser's catalogue: manifests fetched through the asset source, each entry filled
    /// in as it arrives; one that is not there becomes an error naming its address.
    #[test]
    fn a_fetched_catalogue_fills_in_as_manifests_arrive() {
        let mut app = App::new();
        let base = exhibits();
        crate::library::register_exhibit_source(&mut app, &base, Default::default());
        let ids = vec!["no-such-exhibit".to_owned(), "trong-dong".to_owned()];
        app.add_plugins((MinimalPlugins, AssetPlugin::default(), StatesPlugin))
            .init_asset::<WorldAsset>()
            .init_asset::<AudioSource>()
            .add_plugins(crate::policy::plugin)
            .insert_resource(ViewerConfig {
                path: base,
                fetch_exhibits: Some(ids),
                ..Default::default()
            })
            .init_state::<ViewerState>()
            .init_resource::<ButtonInput<KeyCode>>()
            .init_resource::<ModelLevels>()
            .add_plugins((crate::library::plugin, plugin));
        assert!(
            app.world().resource::<ExhibitLibrary>().is_fetching(0),
            "nothing is known before the fetch"
        );
        run_until(&mut app, ViewerState::Error);
        let failure = app.world().resource::<OpenFailure>().problems.join("\n");
        assert!(
            failure.contains("no-such-exhibit/exhibit.toml")
                && failure.contains("could not be fetched"),
            "{failure}"
        );
        for _ in 0..500 {
            app.update();
            if !app.world().resource::<ExhibitLibrary>().is_fetching(1) {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(2));
        }
        let library = app.world().resource::<ExhibitLibrary>();
        let drum = library.catalogue.entries[1]
            .as_ref()
            .expect("the sample arrived and parsed");
        assert_eq!(drum.manifest.id, "trong-dong");
        assert_eq!(
            library.asset_path(drum, &drum.manifest.models[0].src),
            "exhibits://trong-dong/models/trong-dong-low.glb"
        );
    }

    #[test]
    fn a_model_that_fails_to_load_names_its_file() {
        let dir = catalogue_with_a_broken_package("model");
        let mut app = app(dir.join("b-trong-dong"));
        run_until(&mut app, ViewerState::Error);
        let failure = app.world().resource::<OpenFailure>().problems.join("\n");
        assert!(
            failure.contains("\"models/trong-dong-thumb.glb\" cannot be shown"),
            "{failure}"
        );
        assert!(failure.contains("b-trong-dong/exhibit.toml"), "{failure}");
    }
}
