//! The open catalogue and the current exhibit. Packages are read through the Bevy-free format
//! crate; their files are served to Bevy's asset server from an asset source named `exhibits`.

use std::path::{Path, PathBuf};

use bevy::asset::io::{AssetSourceBuilder, AssetSourceId};
use bevy::prelude::*;
use disan_format::{Catalogue, Package, PackageError, PackagePath, open_catalogue};

use crate::{ExhibitScoped, ViewerConfig, ViewerState};

/// The asset source that serves exhibit files: `exhibits://<package folder>/<file>`.
pub const EXHIBIT_SOURCE: &str = "exhibits";

pub(super) fn plugin(app: &mut App) {
    let config = app.world().resource::<ViewerConfig>().clone();
    let library = ExhibitLibrary::open(&config.path, config.start_exhibit.as_deref());
    app.insert_resource(library)
        .add_message::<SwitchExhibit>()
        .add_systems(Update, (switch_on_key, switch_exhibit).chain());
}

/// Serves the folder that holds the package(s) as the `exhibits` asset source. Must run before
/// `AssetPlugin` is added (Bevy freezes its sources then).
pub fn register_exhibit_source(app: &mut App, path: &Path) {
    let root = source_root(path);
    app.register_asset_source(
        AssetSourceId::Name(EXHIBIT_SOURCE.into()),
        AssetSourceBuilder::platform_default(&root.to_string_lossy(), None),
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
}

impl ExhibitLibrary {
    pub fn open(path: &Path, start: Option<&str>) -> Self {
        let catalogue = open_catalogue(path);
        let current = start
            .and_then(|id| catalogue.entries.iter().position(|e| e.as_ref().is_ok_and(|p| p.manifest.id == id)))
            .unwrap_or(0);
        for entry in &catalogue.entries {
            match entry {
                Ok(p) => p.warnings.iter().for_each(|w| warn!("{w}")),
                Err(e) => error!("{e}"),
            }
        }
        Self { catalogue, current, source_root: source_root(path) }
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

    /// The asset path of a file in `package`, as the asset server knows it.
    pub fn asset_path(&self, package: &Package, file: &PackagePath) -> String {
        let root = std::path::absolute(&package.root).unwrap_or_else(|_| package.root.clone());
        let rel = root.strip_prefix(&self.source_root).unwrap_or(Path::new(""));
        let mut path = rel.to_string_lossy().replace('\\', "/");
        if !path.is_empty() {
            path.push('/');
        }
        path.push_str(file.as_str());
        format!("{EXHIBIT_SOURCE}://{path}")
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

fn switch_exhibit(
    mut requests: MessageReader<SwitchExhibit>,
    mut library: ResMut<ExhibitLibrary>,
    scoped: Query<Entity, With<ExhibitScoped>>,
    mut commands: Commands,
    mut next_state: ResMut<NextState<ViewerState>>,
) {
    let Some(request) = requests.read().last().cloned() else { return };
    let n = library.len();
    let target = match request {
        SwitchExhibit::Next => (library.current + 1) % n,
        SwitchExhibit::Previous => (library.current + n - 1) % n,
        SwitchExhibit::Id(id) => {
            match library.catalogue.entries.iter().position(|e| e.as_ref().is_ok_and(|p| p.manifest.id == id)) {
                Some(i) => i,
                None => {
                    warn!("no exhibit with id \"{id}\" in the catalogue");
                    return;
                }
            }
        }
    };
    for entity in &scoped {
        commands.entity(entity).despawn();
    }
    library.current = target;
    next_state.set(ViewerState::Loading);
}
