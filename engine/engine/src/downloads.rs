//! The exhibit's files, fetched so that a switch of exhibit cancels what the previous one was
//! still downloading. On a school's slow link a level of detail is megabytes: left running, it
//! would hold the line while the next exhibit's thumb waits behind it. In the browser every file
//! of the `exhibits` source is fetched with an `AbortController`, and [`ExhibitReset`] aborts
//! every download still in flight but the catalogue's manifests. Natively the files are on a
//! local disk and are read as Bevy reads them.
//!
//! An aborted read never completes (it is not an error): its exhibit is gone, nothing waits
//! for it, and an error would be logged as if a file were broken. The pending future holds a
//! few hundred bytes; the download and its data are freed by the abort.

use bevy::prelude::*;

#[cfg(target_family = "wasm")]
use crate::library::ExhibitReset;

pub(super) fn plugin(_app: &mut App) {
    // Natively there is nothing to cancel: no system at all.
    #[cfg(target_family = "wasm")]
    _app.add_systems(ExhibitReset, web::cancel_all_but_manifests);
}

#[cfg(target_family = "wasm")]
pub use web::CancellableHttpReader;

#[cfg(target_family = "wasm")]
mod web {
    use std::cell::RefCell;
    use std::path::{Path, PathBuf};

    use bevy::asset::io::{AssetReader, AssetReaderError, PathStream, Reader, VecReader};
    use js_sys::Uint8Array;
    use wasm_bindgen::JsCast;
    use wasm_bindgen_futures::JsFuture;
    use web_sys::{AbortController, RequestInit, Response};

    thread_local! {
        /// Downloads in flight: an id, the file's path in the source, and its controller.
        static IN_FLIGHT: RefCell<(u64, Vec<(u64, String, AbortController)>)> = const { RefCell::new((0, Vec::new())) };
    }

    pub fn cancel_all_but_manifests() {
        let cancelled: Vec<(u64, String, AbortController)> =
            IN_FLIGHT.with_borrow_mut(|(_, list)| {
                let (manifests, rest) =
                    std::mem::take(list).into_iter().partition(|(_, path, _)| {
                        // Manifests, and the signed lists they are checked against.
                        [
                            disan_format::MANIFEST_FILE,
                            disan_format::integrity::INTEGRITY_FILE,
                            disan_format::integrity::SIGNATURE_FILE,
                        ]
                        .iter()
                        .any(|f| path.ends_with(f))
                    });
                *list = manifests;
                rest
            });
        for (_, path, controller) in cancelled {
            bevy::log::info!("download of {path} cancelled: the visitor switched exhibit");
            controller.abort();
        }
    }

    /// Bevy's HTTP reader for wasm, with an abort signal on every request.
    pub struct CancellableHttpReader {
        root: PathBuf,
    }

    impl CancellableHttpReader {
        pub fn new(root: impl Into<PathBuf>) -> Self {
            Self { root: root.into() }
        }

        async fn fetch(&self, path: &Path) -> Result<VecReader, AssetReaderError> {
            let url = self.root.join(path).to_string_lossy().replace('\\', "/");
            let controller =
                AbortController::new().map_err(|e| io_error("make an AbortController", &e))?;
            let id = IN_FLIGHT.with_borrow_mut(|(next, list)| {
                *next += 1;
                list.push((
                    *next,
                    path.to_string_lossy().into_owned(),
                    controller.clone(),
                ));
                *next
            });
            let result = self.fetch_with(&url, &controller).await;
            let cancelled = IN_FLIGHT.with_borrow_mut(|(_, list)| {
                let before = list.len();
                list.retain(|(i, _, _)| *i != id);
                list.len() == before
            });
            if cancelled {
                // Taken off the list by an abort: see the module's documentation.
                std::future::pending::<()>().await;
            }
            result
        }

        async fn fetch_with(
            &self,
            url: &str,
            controller: &AbortController,
        ) -> Result<VecReader, AssetReaderError> {
            let init = RequestInit::new();
            init.set_signal(Some(&controller.signal()));
            let window = web_sys::window().ok_or_else(|| {
                AssetReaderError::Io(std::io::Error::other("no window to fetch from").into())
            })?;
            let response = JsFuture::from(window.fetch_with_str_and_init(url, &init))
                .await
                .map_err(|e| io_error("fetch", &e))?;
            let response: Response = response
                .dyn_into()
                .map_err(|e| io_error("read the response", &e))?;
            match response.status() {
                200 => {
                    let buffer = response
                        .array_buffer()
                        .map_err(|e| io_error("read the body", &e))?;
                    let data = JsFuture::from(buffer)
                        .await
                        .map_err(|e| io_error("read the body", &e))?;
                    Ok(VecReader::new(Uint8Array::new(&data).to_vec()))
                }
                // Some servers and CDNs answer 403 for a file that is not there.
                403 | 404 => Err(AssetReaderError::NotFound(url.into())),
                status => Err(AssetReaderError::HttpError(status)),
            }
        }
    }

    fn io_error(what: &str, e: &wasm_bindgen::JsValue) -> AssetReaderError {
        let text = js_sys::JSON::stringify(e)
            .map(String::from)
            .unwrap_or_else(|_| "?".into());
        AssetReaderError::Io(std::io::Error::other(format!("cannot {what}: {text}")).into())
    }

    impl AssetReader for CancellableHttpReader {
        async fn read<'a>(&'a self, path: &'a Path) -> Result<impl Reader + 'a, AssetReaderError> {
            self.fetch(path).await
        }

        async fn read_meta<'a>(
            &'a self,
            path: &'a Path,
        ) -> Result<impl Reader + 'a, AssetReaderError> {
            // The viewer asks for no .meta files (AssetMetaCheck::Never); none are served.
            Err::<VecReader, _>(AssetReaderError::NotFound(path.to_owned()))
        }

        async fn read_directory<'a>(
            &'a self,
            path: &'a Path,
        ) -> Result<Box<PathStream>, AssetReaderError> {
            Err(AssetReaderError::NotFound(path.to_owned()))
        }

        async fn is_directory<'a>(&'a self, _path: &'a Path) -> Result<bool, AssetReaderError> {
            Ok(false)
        }
    }
}
