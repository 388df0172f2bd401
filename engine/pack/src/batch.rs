//! Batch mode: every scan in a folder, one package each, one scan per core. Resumable: a package
//! is finished when its `pack-report.json` exists and records the same input fingerprint (the
//! file's size and modification time, and the options); after an interruption (power cut,
//! Ctrl-C) a second run packs only what is missing or changed.
//!
//! Threads over a shared queue rather than rayon: each scan is one long, independent job and a
//! scan's own steps are sequential, so a work queue is all the scheduling there is.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use crate::input::SourceFormat;
use crate::progress::Progress;
use crate::{PackError, PackOptions, PackReport, REPORT_FILE, pack_scan};

/// What happened to one scan of a batch.
#[derive(Debug)]
pub enum BatchOutcome {
    Packed(Box<PackReport>),
    /// Already done by an earlier run (same input, same options).
    Skipped {
        input: PathBuf,
        package: PathBuf,
    },
    Failed {
        input: PathBuf,
        error: PackError,
    },
}

/// The scans a folder holds: meshes (.glb, .gltf, .obj, .ply), laser scans (.las, .laz, .e57)
/// and document scans (.tif, .png, .jpg) directly inside it or in its folders one level down (staff often keep each scan's
/// export in its own folder), in name order. An image beside a mesh is that mesh's texture,
/// not a document: images count as documents only in a folder that holds no mesh.
pub fn scans_in(folder: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut found = scans_directly_in(folder)?;
    for entry in std::fs::read_dir(folder)? {
        let path = entry?.path();
        if path.is_dir() {
            found.extend(scans_directly_in(&path)?);
        }
    }
    found.sort();
    Ok(found)
}

fn scans_directly_in(folder: &Path) -> std::io::Result<Vec<PathBuf>> {
    // (path, is an image)
    let mut files = Vec::new();
    for entry in std::fs::read_dir(folder)? {
        let p = entry?.path();
        if !p.is_file() {
            continue;
        }
        let laser = p
            .extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| matches!(e.to_ascii_lowercase().as_str(), "las" | "laz" | "e57"));
        if laser || crate::is_video(&p) {
            files.push((p, false));
        } else if let Some(format) = SourceFormat::of(&p) {
            files.push((p, format == SourceFormat::Image));
        }
    }
    let has_mesh = files.iter().any(|(_, image)| !image);
    Ok(files
        .into_iter()
        .filter(|(_, image)| !(has_mesh && *image))
        .map(|(p, _)| p)
        .collect())
}

/// The package folder for a scan: its id under `out`.
pub fn package_for(scan: &Path, out: &Path) -> PathBuf {
    out.join(crate::skeleton::id_from_file_name(scan))
}

/// The input's size and modification time and the options that shape the output.
pub fn fingerprint(input: &Path, options: &PackOptions) -> String {
    let meta = std::fs::metadata(input).ok();
    let size = meta.as_ref().map_or(0, |m| m.len());
    let modified = meta
        .and_then(|m| m.modified().ok())
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .map_or(0, |d| d.as_nanos());
    let mut print = format!(
        "{size}:{modified}:{:?}:{:?}:{}:{}:{:?}:levels-v2",
        options.unit.map(|u| u.word()),
        options.up.map(|u| u.word()),
        options.id.as_deref().unwrap_or(""),
        options.keep_position,
        options.geometry
    );
    // The document options, only when given: a mesh packed before they existed stays done.
    if options.kind.is_some()
        || options.sheet_width_m.is_some()
        || options.dpi.is_some()
        || options.iiif_base.is_some()
    {
        print.push_str(&format!(
            ":{:?}:{:?}:{:?}:{:?}",
            options.kind, options.sheet_width_m, options.dpi, options.iiif_base
        ));
    }
    print
}

/// Whether `package` is a finished pack of `input` with these options.
pub fn is_done(input: &Path, package: &Path, options: &PackOptions) -> bool {
    let Ok(text) = std::fs::read_to_string(package.join(REPORT_FILE)) else {
        return false;
    };
    let Ok(json) = serde_json::from_str::<serde_json::Value>(&text) else {
        return false;
    };
    json.get("input_fingerprint").and_then(|v| v.as_str())
        == Some(fingerprint(input, options).as_str())
}

/// Packs every scan, `jobs` at a time; `on_done` hears of each as it finishes.
pub fn run(
    scans: &[PathBuf],
    out: &Path,
    options: &PackOptions,
    jobs: usize,
    show_progress: bool,
    on_done: &(dyn Fn(&BatchOutcome) + Sync),
) -> Vec<BatchOutcome> {
    // Two scans that would make one package (`bia.obj` and `bia.ply`) would write one folder at
    // once: the first by name is packed, the others are refused and named.
    let mut first_for: std::collections::HashMap<PathBuf, &PathBuf> =
        std::collections::HashMap::new();
    let mut results = Vec::new();
    let mut unique = Vec::new();
    for scan in scans {
        let package = package_for(scan, out);
        match first_for.get(&package) {
            Some(other) => {
                let outcome = BatchOutcome::Failed {
                    input: scan.clone(),
                    error: PackError::SamePackage {
                        input: scan.clone(),
                        other: (*other).clone(),
                    },
                };
                on_done(&outcome);
                results.push(outcome);
            }
            None => {
                first_for.insert(package, scan);
                unique.push(scan);
            }
        }
    }
    let queue = Mutex::new(
        unique
            .into_iter()
            .collect::<std::collections::VecDeque<_>>(),
    );
    let results = Mutex::new(results);
    std::thread::scope(|s| {
        for _ in 0..jobs.max(1).min(scans.len().max(1)) {
            s.spawn(|| {
                loop {
                    let Some(input) = queue.lock().expect("queue").pop_front() else {
                        break;
                    };
                    let package = package_for(input, out);
                    let outcome = if is_done(input, &package, options) {
                        BatchOutcome::Skipped {
                            input: input.clone(),
                            package,
                        }
                    } else {
                        // An unfinished package from an interrupted run is replaced.
                        let opts = PackOptions {
                            force: true,
                            ..options.clone()
                        };
                        let label = input
                            .file_name()
                            .and_then(|n| n.to_str())
                            .unwrap_or("")
                            .to_owned();
                        let progress = Progress::new(show_progress && jobs == 1, label);
                        match pack_scan(input, &package, &opts, &progress) {
                            Ok(report) => BatchOutcome::Packed(Box::new(report)),
                            Err(error) => BatchOutcome::Failed {
                                input: input.clone(),
                                error,
                            },
                        }
                    };
                    on_done(&outcome);
                    results.lock().expect("results").push(outcome);
                }
            });
        }
    });
    results.into_inner().expect("results")
}
