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

/// The largest single read by byte range (a point cloud's node is a few hundred kilobytes; a
/// damaged hierarchy must not make the viewer allocate gigabytes).
const MAX_RANGE_BYTES: u64 = 256 << 20;

/// Bytes `offset..offset + len` of a package file: `location` is its path on disk natively and
/// its URL in the browser (an HTTP `Range` request, cancelled with the exhibit's other
/// downloads; a server that ignores the range sends the whole file, which is then cut).
pub async fn read_range(location: &str, offset: u64, len: u64) -> Result<Vec<u8>, String> {
    if len > MAX_RANGE_BYTES {
        return Err(format!(
            "a read of {len} bytes was asked, more than the {MAX_RANGE_BYTES} a node may have: the cloud's hierarchy.bin is damaged"
        ));
    }
    #[cfg(target_family = "wasm")]
    {
        web::fetch_range(location, offset, len).await
    }
    #[cfg(not(target_family = "wasm"))]
    {
        use std::io::{Read, Seek, SeekFrom};
        let mut file =
            std::fs::File::open(location).map_err(|e| format!("cannot be opened: {e}"))?;
        file.seek(SeekFrom::Start(offset))
            .map_err(|e| format!("cannot be read at byte {offset}: {e}"))?;
        let mut bytes = vec![0; len as usize];
        file.read_exact(&mut bytes).map_err(|e| {
            format!(
                "bytes {offset}–{} cannot be read ({e}): the file is shorter than its hierarchy.bin says; copy it again",
                offset.saturating_add(len)
            )
        })?;
        Ok(bytes)
    }
}

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

    /// See [`super::read_range`].
    pub async fn fetch_range(url: &str, offset: u64, len: u64) -> Result<Vec<u8>, String> {
        let text = |e: wasm_bindgen::JsValue| {
            js_sys::JSON::stringify(&e)
                .map(String::from)
                .unwrap_or_else(|_| "?".into())
        };
        // The numbers come from a file (a cloud's hierarchy): a range past 2^64 is refused here,
        // not left to overflow below.
        let end = offset
            .checked_add(len)
            .filter(|e| usize::try_from(*e).is_ok())
            .ok_or_else(|| format!("bytes {offset} and {len} more are past any file"))?;
        let controller = AbortController::new().map_err(text)?;
        let id = IN_FLIGHT.with_borrow_mut(|(next, list)| {
            *next += 1;
            list.push((*next, url.to_owned(), controller.clone()));
            *next
        });
        let result = async {
            let headers = web_sys::Headers::new().map_err(text)?;
            let last = end.max(offset + 1) - 1;
            headers
                .set("Range", &format!("bytes={offset}-{last}"))
                .map_err(text)?;
            let init = RequestInit::new();
            init.set_signal(Some(&controller.signal()));
            init.set_headers(&headers);
            let window = web_sys::window().ok_or("no window to fetch from")?;
            let response = JsFuture::from(window.fetch_with_str_and_init(url, &init))
                .await
                .map_err(text)?;
            let response: Response = response.dyn_into().map_err(text)?;
            let status = response.status();
            if status != 206 && status != 200 {
                return Err(format!("HTTP {status}"));
            }
            let data = JsFuture::from(response.array_buffer().map_err(text)?)
                .await
                .map_err(text)?;
            let bytes = Uint8Array::new(&data).to_vec();
            let (start, end) = if status == 200 {
                // The whole file: the server does not serve ranges.
                (offset as usize, end as usize)
            } else {
                (0, len as usize)
            };
            bytes
                .get(start..end)
                .map(<[u8]>::to_vec)
                .ok_or_else(|| format!("bytes {offset}–{end} were asked, {} came", bytes.len()))
        }
        .await;
        let cancelled = IN_FLIGHT.with_borrow_mut(|(_, list)| {
            let before = list.len();
            list.retain(|(i, _, _)| *i != id);
            list.len() == before
        });
        if cancelled {
            std::future::pending::<()>().await;
        }
        result
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
