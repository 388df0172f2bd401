//! The viewer reads no file that differs from what the museum signed (docs/integrity.md).
//!
//! Every read from the `exhibits` asset source goes through [`TrustedReader`]: before a file of
//! a package is handed to a loader, its bytes are hashed and compared with the package's
//! `integrity.json`, whose signature is checked first as the [`TrustPolicy`] asks (kiosks and
//! the portal require a signature by one of their trusted keys; elsewhere a package that
//! carries a list is still checked against it, and one without is read as it is). A file that
//! does not match is refused with its name and what to do, and the exhibit's failure policy
//! takes over (the error screen for the model or the manifest, a notice for an optional file).
//!
//! The same reader wraps the disk natively and the HTTP downloads in the browser (where, unless
//! the page requires signatures, it fetches no list and checks nothing). Natively the
//! manifests are read from disk when the catalogue opens, not through the asset server, so
//! [`check_manifests_on_disk`] applies the same rule to them there.

use std::collections::HashMap;
use std::path::{Component, Path};
use std::sync::{Arc, Mutex, PoisonError};

use bevy::asset::io::{
    AssetReader, AssetReaderError, ErasedAssetReader, PathStream, Reader, VecReader,
};
use disan_format::integrity::{
    FileHashes, INTEGRITY_FILE, IntegrityError, SIGNATURE_FILE, TrustPolicy, trusted_hashes,
};
use disan_format::{Catalogue, MANIFEST_FILE, refused_package};

/// A file refused because it is not the one the package's signed list names. Carried inside
/// the reader's I/O error so that the loading screens can show it as it is.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct IntegrityRefusal(pub IntegrityError);

/// The refusal's text when `error` is one, for the error screen and the host page.
pub fn refusal_in(error: &bevy::asset::AssetLoadError) -> Option<String> {
    let bevy::asset::AssetLoadError::AssetReaderError(AssetReaderError::Io(io)) = error else {
        return None;
    };
    io.get_ref()
        .and_then(|e| e.downcast_ref::<IntegrityRefusal>())
        .map(ToString::to_string)
}

fn refuse(error: IntegrityError) -> AssetReaderError {
    AssetReaderError::Io(Arc::new(std::io::Error::other(IntegrityRefusal(error))))
}

/// What a package's signed list says, once read: `None` when it has none and none is required.
type PackageHashes = Arc<Result<Option<FileHashes>, IntegrityError>>;

/// The `exhibits` source's reader, checking each file against its package's signed hashes.
pub struct TrustedReader {
    inner: Box<dyn ErasedAssetReader>,
    policy: Arc<TrustPolicy>,
    /// Per package folder, its list as read once (a package republished while the viewer runs
    /// is read anew after a restart; a kiosk restarts each night).
    packages: Mutex<HashMap<String, PackageHashes>>,
}

impl TrustedReader {
    pub fn new(inner: Box<dyn ErasedAssetReader>, policy: Arc<TrustPolicy>) -> Self {
        Self {
            inner,
            policy,
            packages: Mutex::new(HashMap::new()),
        }
    }

    async fn read_bytes(&self, path: &Path) -> Result<Vec<u8>, AssetReaderError> {
        let mut reader = self.inner.read(path).await?;
        let mut bytes = Vec::new();
        reader
            .read_to_end(&mut bytes)
            .await
            .map_err(|e| AssetReaderError::Io(Arc::new(e)))?;
        Ok(bytes)
    }

    /// A file of the package, or `None` when it is not there. Any other failure (a network
    /// error) is returned, not taken for "absent", so that it is not remembered either.
    async fn optional(&self, path: &Path) -> Result<Option<Vec<u8>>, AssetReaderError> {
        match self.read_bytes(path).await {
            Ok(bytes) => Ok(Some(bytes)),
            Err(AssetReaderError::NotFound(_)) => Ok(None),
            Err(e) => Err(e),
        }
    }

    async fn hashes_of(&self, package: &str) -> Result<PackageHashes, AssetReaderError> {
        if let Some(known) = self
            .packages
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(package)
        {
            return Ok(known.clone());
        }
        let folder = Path::new(package);
        let list = self.optional(&folder.join(INTEGRITY_FILE)).await?;
        let sig = self.optional(&folder.join(SIGNATURE_FILE)).await?;
        let hashes = Arc::new(trusted_hashes(
            list.as_deref(),
            sig.as_deref(),
            &self.policy,
        ));
        if let Err(e) = hashes.as_ref() {
            bevy::log::error!("{package}: {e}");
        }
        self.packages
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(package.to_owned(), hashes.clone());
        Ok(hashes)
    }
}

/// `pkg/models/x.glb` → (`pkg`, `models/x.glb`): packages are the source's direct sub-folders.
fn split(path: &Path) -> (String, String) {
    let mut parts = path.components().filter_map(|c| match c {
        Component::Normal(p) => Some(p.to_string_lossy().into_owned()),
        _ => None,
    });
    let package = parts.next().unwrap_or_default();
    (package, parts.collect::<Vec<_>>().join("/"))
}

impl AssetReader for TrustedReader {
    async fn read<'a>(&'a self, path: &'a Path) -> Result<impl Reader + 'a, AssetReaderError> {
        let (package, file) = split(path);
        // The list and its signature are what everything else is checked against. In the
        // browser a page that requires no signature asks for no list either: two requests more
        // per package are felt on a school's slow line, and most packages carry none.
        let checked = !(file == INTEGRITY_FILE || file == SIGNATURE_FILE || file.is_empty())
            && (self.policy.required() || cfg!(not(target_family = "wasm")));
        let hashes = if checked {
            Some(self.hashes_of(&package).await?)
        } else {
            None
        };
        // A package refused whole (unsigned where signatures are required, an untrusted key, a
        // broken list) is refused before its files are downloaded.
        if let Some(Err(e)) = hashes.as_deref() {
            return Err(refuse(e.clone()));
        }
        let bytes = self.read_bytes(path).await?;
        if let Some(Ok(Some(list))) = hashes.as_deref() {
            list.check(&file, &bytes).map_err(|e| {
                bevy::log::error!("{package}/{file}: refused: {e}");
                refuse(e)
            })?;
        }
        Ok(VecReader::new(bytes))
    }

    async fn read_meta<'a>(&'a self, path: &'a Path) -> Result<impl Reader + 'a, AssetReaderError> {
        // The viewer asks for no .meta files (AssetMetaCheck::Never).
        Err::<VecReader, _>(AssetReaderError::NotFound(path.to_owned()))
    }

    async fn read_directory<'a>(
        &'a self,
        path: &'a Path,
    ) -> Result<Box<PathStream>, AssetReaderError> {
        self.inner.read_directory(path).await
    }

    async fn is_directory<'a>(&'a self, path: &'a Path) -> Result<bool, AssetReaderError> {
        self.inner.is_directory(path).await
    }
}

/// Applies the policy to the manifests of a catalogue read from disk: a package whose
/// `exhibit.toml` is not the signed one, or that is unsigned where signatures are required,
/// becomes an entry that says so (the gallery and the kiosk skip it with a notice).
pub fn check_manifests_on_disk(catalogue: &mut Catalogue, policy: &TrustPolicy) {
    for entry in &mut catalogue.entries {
        let Ok(package) = entry else { continue };
        let read = |f: &str| std::fs::read(package.root.join(f)).ok();
        let verdict = trusted_hashes(
            read(INTEGRITY_FILE).as_deref(),
            read(SIGNATURE_FILE).as_deref(),
            policy,
        )
        .and_then(|hashes| match hashes {
            Some(list) => list.check(MANIFEST_FILE, &read(MANIFEST_FILE).unwrap_or_default()),
            None => Ok(()),
        });
        if let Err(e) = verdict {
            let file = match &e {
                IntegrityError::Mismatch { file }
                | IntegrityError::Unlisted { file }
                | IntegrityError::Missing { file } => file.clone(),
                IntegrityError::BadHashes(_) => INTEGRITY_FILE.to_owned(),
                _ => SIGNATURE_FILE.to_owned(),
            };
            let refused = refused_package(&package.root, &file, &e.to_string());
            bevy::log::error!("{refused}");
            *entry = Err(refused);
        }
    }
}
