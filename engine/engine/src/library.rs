//! The open catalogue and the current exhibit. Packages are read through the Bevy-free format
//! crate; their files are served to Bevy's asset server from an asset source named `exhibits`.
//!
//! Natively the catalogue is a folder, read and checked at start. In the browser there is no
//! file system: the page names the packages, and their manifests are fetched through the same
//! asset source ([`ExhibitLibrary::fetching`]), each entry filled in as it arrives.

use std::path::{Path, PathBuf};

use bevy::asset::io::{AssetSourceBuilder, AssetSourceId, Reader};
use bevy::asset::{AssetLoader, LoadContext, LoadState};
use bevy::ecs::schedule::ScheduleLabel;
use bevy::prelude::*;
use disan_format::catalog::CatalogIndex;
use disan_format::{
    Catalogue, Package, PackageError, PackagePath, open_catalogue, package_from_manifest_text,
    unreachable_package,
};

use crate::package_trust::TrustedReader;
use crate::{ExhibitScoped, ViewerConfig, ViewerState};

/// The asset source that serves exhibit files: `exhibits://<package folder>/<file>`.
pub const EXHIBIT_SOURCE: &str = "exhibits";

pub(super) fn plugin(app: &mut App) {
    let config = app.world().resource::<ViewerConfig>().clone();
    #[cfg(not(target_family = "wasm"))]
    let kiosk_selection = config
        .kiosk
        .as_ref()
        .map(|k| k.config.exhibits.clone())
        .filter(|ids| !ids.is_empty());
    #[cfg(target_family = "wasm")]
    let kiosk_selection: Option<Vec<String>> = None;
    let index = match (&config.catalogue.index, &kiosk_selection) {
        (Some(Ok(index)), None) => Some(index),
        _ => None,
    };
    let library = match (&config.fetch_exhibits, kiosk_selection, index) {
        // A catalogue with its index (catalog.json): manifests fetched one by one as shown.
        (_, _, Some(index)) => {
            ExhibitLibrary::from_index(&config.path, index, config.start_exhibit.as_deref())
        }
        (Some(ids), _, None) => {
            ExhibitLibrary::fetching(&config.path, ids, config.start_exhibit.as_deref())
        }
        (None, Some(folders), None) => ExhibitLibrary::open_selected(&config.path, &folders),
        (None, None, None) => ExhibitLibrary::open(&config.path, config.start_exhibit.as_deref()),
    };
    let mut library = library;
    // Fetched manifests come through the asset source, which checks them; those read from
    // disk are checked here.
    if config.fetch_exhibits.is_none() && index.is_none() {
        crate::package_trust::check_manifests_on_disk(&mut library.catalogue, &config.trust);
    }
    app.insert_resource(library)
        .init_asset::<TextFile>()
        .register_asset_loader(TextFileLoader)
        .add_message::<SwitchExhibit>()
        .init_schedule(ExhibitReset)
        .add_systems(ExhibitReset, despawn_exhibit_entities)
        .add_systems(
            Update,
            (fetch_manifests, switch_on_key, switch_exhibit).chain(),
        );
}

/// Runs once whenever the current exhibit changes, before the next one starts loading, whatever
/// the viewer was doing (showing an exhibit, loading one, or on the error screen). Each plugin
/// adds the system that forgets its per-exhibit state here: one reset, never indexes into the
/// wrong exhibit. State schedules cannot do this: a switch while loading is Loading → Loading,
/// which `OnEnter`/`OnExit` ignore.
#[derive(ScheduleLabel, Debug, Clone, PartialEq, Eq, Hash)]
pub struct ExhibitReset;

fn despawn_exhibit_entities(scoped: Query<Entity, With<ExhibitScoped>>, mut commands: Commands) {
    for entity in &scoped {
        commands.entity(entity).despawn();
    }
}

/// A small UTF-8 text file of a package (a fetched manifest, WebVTT captions), read through the
/// asset server so it arrives the same way natively and over HTTP.
#[derive(Asset, TypePath, Debug)]
pub struct TextFile(pub String);

#[derive(Default, TypePath)]
struct TextFileLoader;

#[derive(Debug, thiserror::Error)]
enum TextFileError {
    #[error("cannot be read: {0}")]
    Io(#[from] std::io::Error),
    #[error("is not UTF-8 text (byte {}): save it as UTF-8 so Vietnamese letters survive", .0.utf8_error().valid_up_to())]
    NotUtf8(#[from] std::string::FromUtf8Error),
}

impl AssetLoader for TextFileLoader {
    type Asset = TextFile;
    type Settings = ();
    type Error = TextFileError;

    async fn load(
        &self,
        reader: &mut dyn Reader,
        _: &(),
        _: &mut LoadContext<'_>,
    ) -> Result<TextFile, TextFileError> {
        let mut bytes = Vec::new();
        reader.read_to_end(&mut bytes).await?;
        Ok(TextFile(String::from_utf8(bytes)?))
    }

    fn extensions(&self) -> &[&str] {
        &["toml", "vtt"]
    }
}

/// Serves the folder that holds the package(s) as the `exhibits` asset source. Must run before
/// `AssetPlugin` is added (Bevy freezes its sources then).
/// Every file goes through [`TrustedReader`], which checks it against its package's signed
/// hashes as `trust` asks.
pub fn register_exhibit_source(
    app: &mut App,
    path: &Path,
    trust: std::sync::Arc<disan_format::integrity::TrustPolicy>,
) {
    let root = source_root(path);
    // In the browser, through a reader whose downloads a switch of exhibit cancels (downloads.rs).
    #[cfg(target_family = "wasm")]
    let builder = {
        let root = root.clone();
        AssetSourceBuilder::new(move || {
            Box::new(TrustedReader::new(
                Box::new(crate::downloads::CancellableHttpReader::new(root.clone())),
                trust.clone(),
            ))
        })
    };
    #[cfg(not(target_family = "wasm"))]
    let builder = {
        let mut disk =
            bevy::asset::io::AssetSource::get_default_reader(root.to_string_lossy().into_owned());
        AssetSourceBuilder::new(move || Box::new(TrustedReader::new(disk(), trust.clone())))
    };
    app.register_asset_source(AssetSourceId::Name(EXHIBIT_SOURCE.into()), builder);
    // The catalogue map's tiles, kept beside the packages (natively; the browser fetches them
    // by URL). Map pictures, not heritage content: no signature applies.
    #[cfg(not(target_family = "wasm"))]
    app.register_asset_source(
        AssetSourceId::Name(crate::catalogue::TILE_SOURCE.into()),
        AssetSourceBuilder::new(bevy::asset::io::AssetSource::get_default_reader(
            root.to_string_lossy().into_owned(),
        )),
    );
}

/// The folder served as the asset source: the catalogue itself, or a lone package's parent.
fn source_root(path: &Path) -> PathBuf {
    let path = std::path::absolute(path).unwrap_or_else(|_| path.to_owned());
    if path.join(disan_format::MANIFEST_FILE).is_file() {
        path.parent().map_or(path.clone(), Path::to_owned)
    } else {
        path
    }
}

#[derive(Resource, Debug)]
pub struct ExhibitLibrary {
    pub catalogue: Catalogue,
    pub current: usize,
    source_root: PathBuf,
    /// Entries whose manifest is still on its way (browser catalogues, and catalogues opened
    /// from their index).
    fetching: Vec<FetchingManifest>,
    /// Fetch a manifest only when its entry is shown (a catalogue opened from its index: 2 000
    /// entries open without reading 2 000 manifests), rather than all at once.
    lazy: bool,
    /// Per entry, the exhibit id known before (or whatever becomes of) its manifest: the index's
    /// id, or the page's package name. An entry stays reachable by that id even when its
    /// manifest fails, so the visitor sees its error screen rather than nothing.
    named: Vec<Option<String>>,
}

#[derive(Debug)]
struct FetchingManifest {
    index: usize,
    /// The package's folder under the source root.
    id: String,
    handle: Option<Handle<TextFile>>,
}

impl ExhibitLibrary {
    pub fn open(path: &Path, start: Option<&str>) -> Self {
        let catalogue = open_catalogue(path);
        let current = start
            .and_then(|id| {
                catalogue
                    .entries
                    .iter()
                    .position(|e| e.as_ref().is_ok_and(|p| p.manifest.id == id))
            })
            .unwrap_or(0);
        for entry in &catalogue.entries {
            match entry {
                Ok(p) => p.warnings.iter().for_each(|w| warn!("{w}")),
                Err(e) => error!("{e}"),
            }
        }
        Self {
            catalogue,
            current,
            source_root: source_root(path),
            fetching: Vec::new(),
            lazy: false,
            named: Vec::new(),
        }
    }

    /// The packages of the catalogue folder `path` named by `folders`, in that order (a kiosk's
    /// gallery). A folder that is not there is an entry that says so, so the kiosk can skip it
    /// with a notice.
    pub fn open_selected(path: &Path, folders: &[String]) -> Self {
        let mut library = Self::open(path, None);
        let mut all = std::mem::take(&mut library.catalogue.entries);
        let folder_of = |e: &Result<Package, PackageError>| {
            let root = match e {
                Ok(p) => &p.root,
                Err(e) => &e.root,
            };
            root.file_name().map(|n| n.to_string_lossy().into_owned())
        };
        for folder in folders {
            let entry = match all
                .iter()
                .position(|e| folder_of(e).as_deref() == Some(folder.as_str()))
            {
                Some(i) => all.swap_remove(i),
                None => {
                    let e = unreachable_package(
                        &path.join(folder),
                        "is named in the kiosk's configuration (`exhibits`), but the catalogue has no such package folder",
                    );
                    error!("{e}");
                    Err(e)
                }
            };
            library.catalogue.entries.push(entry);
        }
        if library.catalogue.entries.is_empty() {
            library.catalogue.entries.push(Err(unreachable_package(
                path,
                "the kiosk's configuration names no exhibit",
            )));
        }
        library
    }

    /// A catalogue of the packages `ids` under `base` (a URL in the browser), whose manifests
    /// are fetched through the `exhibits` asset source. Until one arrives its entry is a
    /// placeholder and [`Self::is_fetching`] says so; the viewer shows its loading screen.
    pub fn fetching(base: &Path, ids: &[String], start: Option<&str>) -> Self {
        let base = &source_root(base);
        let entries = ids
            .iter()
            .map(|id| {
                Err(PackageError {
                    root: base.join(id),
                    problems: Vec::new(),
                })
            })
            .collect();
        let current = start
            .and_then(|s| ids.iter().position(|id| id == s))
            .unwrap_or(0);
        let fetching = ids
            .iter()
            .enumerate()
            .map(|(index, id)| FetchingManifest {
                index,
                id: id.clone(),
                handle: None,
            })
            .collect();
        let mut library = Self {
            catalogue: Catalogue {
                root: base.to_owned(),
                entries,
            },
            current,
            source_root: base.to_owned(),
            fetching,
            lazy: false,
            // In the browser a package's folder is its id (web/dist/exhibits/index.json).
            named: ids.iter().cloned().map(Some).collect(),
        };
        if ids.is_empty() {
            library
                .catalogue
                .entries
                .push(Err(unreachable_package(base, "the page named no exhibit")));
        }
        library
    }

    /// The catalogue of an index (`catalog.json`, `disan catalog`): one entry per record, in
    /// its order, each manifest fetched only when its exhibit is shown. An entry whose path
    /// leaves the catalogue folder is refused (the index is content too).
    pub fn from_index(base: &Path, index: &CatalogIndex, start: Option<&str>) -> Self {
        let base = &source_root(base);
        let mut entries = Vec::new();
        let mut fetching = Vec::new();
        for (i, record) in index.entries.iter().enumerate() {
            let root = base.join(&record.path);
            // Packages are the source's direct sub-folders (the trust checks and the model
            // guard rely on it), so a path is one folder name inside the catalogue.
            let checked = disan_format::check_package_path(&record.path).and_then(|p| {
                if p.as_str().is_empty() || p.as_str().contains('/') {
                    Err("is not one folder inside the catalogue folder: an index lists the packages of its own folder (`disan catalog FOLDER` writes it there)")
                } else {
                    Ok(p)
                }
            });
            match checked {
                Ok(_) => {
                    entries.push(Err(PackageError {
                        root,
                        problems: Vec::new(),
                    }));
                    fetching.push(FetchingManifest {
                        index: i,
                        id: record.path.clone(),
                        handle: None,
                    });
                }
                Err(e) => {
                    let e = unreachable_package(
                        &root,
                        &format!(
                            "catalog.json, entry \"{}\", \"path\": {e}; rebuild the index with `disan catalog`",
                            record.id
                        ),
                    );
                    error!("{e}");
                    entries.push(Err(e));
                }
            }
        }
        if entries.is_empty() {
            entries.push(Err(unreachable_package(
                base,
                "catalog.json lists no exhibit; rebuild it with `disan catalog` over the packages",
            )));
        }
        let current = start
            .and_then(|s| index.entries.iter().position(|e| e.id == s))
            .unwrap_or(0);
        Self {
            catalogue: Catalogue {
                root: base.to_owned(),
                entries,
            },
            current,
            source_root: base.to_owned(),
            fetching,
            lazy: true,
            named: index.entries.iter().map(|e| Some(e.id.clone())).collect(),
        }
    }

    /// Every exhibit id of the catalogue: those opened, and those an index (or the page) names
    /// whose manifests have not arrived or failed.
    pub fn known_ids(&self) -> Vec<String> {
        self.catalogue
            .entries
            .iter()
            .enumerate()
            .filter_map(|(i, e)| match e {
                Ok(p) => Some(p.manifest.id.clone()),
                Err(_) => self.named.get(i).cloned().flatten(),
            })
            .collect()
    }

    /// The entry of an exhibit by id: opened, or named by the index or the page.
    pub fn position_of(&self, id: &str) -> Option<usize> {
        self.catalogue
            .entries
            .iter()
            .position(|e| e.as_ref().is_ok_and(|p| p.manifest.id == id))
            .or_else(|| {
                self.named.iter().enumerate().position(|(i, n)| {
                    n.as_deref() == Some(id) && self.catalogue.entries[i].is_err()
                })
            })
    }

    /// The folder (or, in the browser, the URL) the `exhibits` asset source serves.
    pub fn source_root(&self) -> &Path {
        &self.source_root
    }

    /// Whether the manifest of entry `index` is still being fetched.
    pub fn is_fetching(&self, index: usize) -> bool {
        self.fetching.iter().any(|f| f.index == index)
    }

    pub fn current(&self) -> &Result<Package, PackageError> {
        &self.catalogue.entries[self.current]
    }

    pub fn current_package(&self) -> Option<&Package> {
        self.current().as_ref().ok()
    }

    pub fn len(&self) -> usize {
        self.catalogue.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.catalogue.entries.is_empty()
    }

    /// The asset path of a file in `package`, as the asset server knows it. Packages are the
    /// source's direct sub-folders, so the first component names the package (the model check
    /// in `content_guard` relies on it to keep a model's URIs inside its package).
    pub fn asset_path(&self, package: &Package, file: &PackagePath) -> String {
        let root = std::path::absolute(&package.root).unwrap_or_else(|_| package.root.clone());
        let rel = root
            .strip_prefix(&self.source_root)
            .unwrap_or(Path::new(""));
        let mut path = rel.to_string_lossy().replace('\\', "/");
        if !path.is_empty() {
            path.push('/');
        }
        path.push_str(file.as_str());
        format!("{EXHIBIT_SOURCE}://{path}")
    }
}

/// Requests the manifests of a fetched catalogue and fills in each entry as it arrives. Only the
/// current entry's arrival counts as a change of the library (which starts its loading).
fn fetch_manifests(
    mut library: ResMut<ExhibitLibrary>,
    assets: Res<AssetServer>,
    texts: Res<Assets<TextFile>>,
) {
    if library.fetching.is_empty() {
        return;
    }
    let ExhibitLibrary {
        catalogue,
        current,
        source_root,
        fetching,
        lazy,
        ..
    } = library.bypass_change_detection();
    let mut current_arrived = false;
    fetching.retain_mut(|f| {
        if *lazy && f.index != *current && f.handle.is_none() {
            return true;
        }
        let handle = f.handle.get_or_insert_with(|| {
            assets.load(format!(
                "{EXHIBIT_SOURCE}://{}/{}",
                f.id,
                disan_format::MANIFEST_FILE
            ))
        });
        let root = source_root.join(&f.id);
        let entry = match assets.load_state(handle.id()) {
            LoadState::Loaded => match texts.get(handle.id()) {
                Some(text) => package_from_manifest_text(&root, &text.0),
                None => return true,
            },
            LoadState::Failed(err) => Err(match crate::package_trust::refusal_in(&err) {
                Some(refusal) => {
                    disan_format::refused_package(&root, disan_format::MANIFEST_FILE, &refusal)
                }
                None => unreachable_package(&root, &err.to_string()),
            }),
            _ => return true,
        };
        match &entry {
            Ok(p) => p.warnings.iter().for_each(|w| warn!("{w}")),
            Err(e) => error!("{e}"),
        }
        catalogue.entries[f.index] = entry;
        current_arrived |= f.index == *current;
        false
    });
    if current_arrived {
        library.set_changed();
    }
}

/// Asks for another exhibit of the catalogue to be shown.
#[derive(Message, Debug, Clone, PartialEq, Eq)]
pub enum SwitchExhibit {
    Next,
    Previous,
    Id(String),
}

fn switch_on_key(keys: Res<ButtonInput<KeyCode>>, mut switch: MessageWriter<SwitchExhibit>) {
    if keys.just_pressed(KeyCode::PageDown) || keys.just_pressed(KeyCode::Period) {
        switch.write(SwitchExhibit::Next);
    }
    if keys.just_pressed(KeyCode::PageUp) || keys.just_pressed(KeyCode::Comma) {
        switch.write(SwitchExhibit::Previous);
    }
}

pub(crate) fn switch_exhibit(
    mut requests: MessageReader<SwitchExhibit>,
    mut library: ResMut<ExhibitLibrary>,
    mut commands: Commands,
    mut next_state: ResMut<NextState<ViewerState>>,
) {
    let Some(request) = requests.read().last().cloned() else {
        return;
    };
    let n = library.len();
    let target = match request {
        SwitchExhibit::Next => (library.current + 1) % n,
        SwitchExhibit::Previous => (library.current + n - 1) % n,
        SwitchExhibit::Id(id) => match library.position_of(&id) {
            Some(i) => i,
            None => {
                warn!("no exhibit with id \"{id}\" in the catalogue");
                return;
            }
        },
    };
    commands.run_schedule(ExhibitReset);
    library.current = target;
    next_state.set(ViewerState::Loading);
}
