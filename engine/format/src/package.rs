//! Opening exhibit packages and catalogues from disk: the manifest is read and checked, and
//! every file it names must exist inside the package.

use std::path::{Path, PathBuf};

use crate::manifest::{Manifest, Model, PackagePath};
use crate::parse::parse_manifest;
use crate::problem::{LineCol, Problem, Problems};

/// The manifest's file name inside a package folder.
pub const MANIFEST_FILE: &str = "exhibit.toml";

/// A package that opened without errors (it may carry warnings).
#[derive(Clone, Debug)]
pub struct Package {
    pub root: PathBuf,
    pub manifest: Manifest,
    pub warnings: Vec<Problem>,
}

impl Package {
    pub fn file(&self, path: &PackagePath) -> PathBuf {
        self.root.join(path.as_str())
    }
}

/// Why a package could not be opened: every problem found, in reading order.
#[derive(Clone, Debug, thiserror::Error)]
#[error("{} could not be opened ({} problem(s)):\n{}", root.display(), problems.len(), render(problems))]
pub struct PackageError {
    pub root: PathBuf,
    pub problems: Vec<Problem>,
}

fn render(problems: &[Problem]) -> String {
    problems
        .iter()
        .map(|p| format!("  {p}"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Reads and checks the package in `root` (a folder holding `exhibit.toml`).
/// Returns all problems found; `Ok` only when there are no errors.
pub fn open_package(root: &Path) -> Result<Package, PackageError> {
    let (manifest, problems) = check_package(root);
    into_package(root, manifest, problems)
}

fn into_package(
    root: &Path,
    manifest: Option<Manifest>,
    problems: Problems,
) -> Result<Package, PackageError> {
    let problems = problems.into_sorted();
    match manifest {
        Some(manifest) if !problems.iter().any(Problem::blocks_opening) => Ok(Package {
            root: root.to_owned(),
            manifest,
            warnings: problems,
        }),
        _ => Err(PackageError {
            root: root.to_owned(),
            problems,
        }),
    }
}

/// Every problem in the package at `root`, and the manifest if it could be read.
pub fn check_package(root: &Path) -> (Option<Manifest>, Problems) {
    let manifest_path = root.join(MANIFEST_FILE);
    let mut problems = Problems::default();
    if !root.is_dir() {
        let msg = if root.exists() {
            "is not a folder: an exhibit package is a folder holding exhibit.toml and the files it names."
        } else {
            "does not exist: check the path, or run `disan` without arguments to open the bundled exhibits."
        };
        problems.error(root, None, "", msg);
        return (None, problems);
    }
    let source = match std::fs::read(&manifest_path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            problems.error(&manifest_path, None, "", "is missing: every exhibit package needs an exhibit.toml (see docs/exhibit-format.md).");
            return (None, problems);
        }
        Err(e) => {
            problems.error(&manifest_path, None, "", format!("cannot be read: {e}."));
            return (None, problems);
        }
        Ok(bytes) => match String::from_utf8(bytes) {
            Ok(s) => s,
            Err(e) => {
                problems.error(
                    &manifest_path,
                    None,
                    "",
                    format!("is not UTF-8 text (byte {}): save it as UTF-8 so Vietnamese letters survive.", e.utf8_error().valid_up_to()),
                );
                return (None, problems);
            }
        },
    };
    let (manifest, parse_problems) = parse_manifest(&manifest_path, &source);
    problems.extend(parse_problems);
    if let Some(m) = &manifest {
        check_files(root, &manifest_path, &source, m, &mut problems);
        check_scans(root, &manifest_path, &source, m, &mut problems);
        check_panoramas(root, m, &mut problems);
        check_pointclouds(root, m, &mut problems);
        check_videos(root, &manifest_path, &source, m, &mut problems);
        check_photos(root, m, &mut problems);
    }
    (manifest, problems)
}

fn check_files(
    root: &Path,
    manifest_path: &Path,
    source: &str,
    manifest: &Manifest,
    problems: &mut Problems,
) {
    let canonical_root = root.canonicalize().ok();
    let mut seen = std::collections::HashSet::new();
    let models: std::collections::HashSet<&str> = manifest
        .models
        .iter()
        .flat_map(|m| m.model_files().map(PackagePath::as_str))
        .collect();
    for path in manifest.referenced_files() {
        if !seen.insert(path.as_str()) {
            continue;
        }
        let full = root.join(path.as_str());
        // Point at where the manifest names the file, so the fix is one click away in an editor.
        let at = source
            .find(&format!("\"{path}\""))
            .map(|i| LineCol::from_offset(source, i));
        if !full.is_file() {
            if models.contains(path.as_str()) {
                problems.error(manifest_path, at, "", format!("names \"{path}\", which is not in the package: add the file at {} or fix the path.", full.display()));
            } else {
                // Optional: the exhibit shows without it (see the failure policy).
                problems.warning(manifest_path, at, "", format!("names \"{path}\", which is not in the package, so it is left out: add the file at {} or fix the path.", full.display()));
            }
            continue;
        }
        // Captions are text a person writes: check them here, where the fix is made.
        if path.as_str().to_ascii_lowercase().ends_with(".vtt") {
            match std::fs::read_to_string(&full) {
                Ok(text) => {
                    if let Err(e) = crate::vtt::parse_vtt(&text) {
                        problems.left_out_error(&full, Some(LineCol { line: e.line, column: 1 }), "", format!("{}. The captions are left out until this is fixed.", e.message));
                    }
                }
                Err(e) => problems.left_out_error(&full, None, "", format!("cannot be read as UTF-8 text: {e}. The captions are left out until this is fixed.")),
            }
        }
        // A symbolic link could still lead out of the package.
        if let (Some(root), Ok(real)) = (&canonical_root, full.canonicalize())
            && !real.starts_with(root)
        {
            problems.error(
                manifest_path,
                at,
                "",
                format!(
                    "\"{path}\" is a link that leads outside the package: copy the file in instead."
                ),
            );
        }
    }
}

/// Each scan's `info.json` must describe a pyramid the viewer can follow, every tile it implies
/// must be there, and every region must lie on the scan. A broken scan is left out (the exhibit
/// shows without it), so these are left-out errors on the scan's own file.
fn check_scans(
    root: &Path,
    manifest_path: &Path,
    source: &str,
    manifest: &Manifest,
    problems: &mut Problems,
) {
    for (i, scan) in manifest.scans.iter().enumerate() {
        let info = root.join(scan.src.as_str());
        let Ok(bytes) = std::fs::read(&info) else {
            continue; // reported by check_files
        };
        let pyramid = match crate::iiif::TilePyramid::from_info_json(&bytes) {
            Ok(p) => p,
            Err(e) => {
                problems.left_out_error(
                    &info,
                    None,
                    "",
                    format!("{e}. The scan is left out until this is fixed."),
                );
                continue;
            }
        };
        let dir = info.parent().unwrap_or(root);
        let missing: Vec<String> = pyramid
            .tiles()
            .map(|t| pyramid.tile_path(t))
            .filter(|p| !dir.join(p).is_file())
            .collect();
        if let Some(first) = missing.first() {
            problems.left_out_error(&info, None, "", format!("{} of its {} tiles are missing, the first \"{first}\": copy the whole folder `disan pack --as document` wrote, or pack the scan again. The scan is left out until this is fixed.", missing.len(), pyramid.tile_count()));
        }
        for (k, region) in scan.regions.iter().enumerate() {
            let [x, y, w, h] = region.rect;
            if x + w > f64::from(pyramid.width) + 0.5 || y + h > f64::from(pyramid.height) + 0.5 {
                let at = source
                    .find(&format!("id = \"{}\"", region.id))
                    .map(|o| LineCol::from_offset(source, o));
                problems.error(manifest_path, at, &format!("scans[{i}].regions[{k}].rect"), format!("[{x}, {y}, {w}, {h}] reaches past the scan, which is {}×{} pixels: measure the region on the full-resolution scan.", pyramid.width, pyramid.height));
            }
        }
    }
}

/// Each panorama's `config.json` must describe cube tiles the viewer can follow, and every tile
/// it implies must be there. A broken scene cannot be entered (the exhibit shows the others), so
/// these are left-out errors on the scene's own file.
fn check_panoramas(root: &Path, manifest: &Manifest, problems: &mut Problems) {
    for panorama in &manifest.panoramas {
        let config = root.join(panorama.src.as_str());
        let Ok(text) = std::fs::read_to_string(&config) else {
            continue; // reported by check_files
        };
        let tiles = match crate::panorama::CubeTiles::from_config_json(&text) {
            Ok(t) => t,
            Err(e) => {
                problems.left_out_error(
                    &config,
                    None,
                    "",
                    format!("{e}. The scene is left out until this is fixed."),
                );
                continue;
            }
        };
        let dir = config.parent().unwrap_or(root);
        let missing: Vec<String> = tiles
            .all_tiles()
            .map(crate::panorama::CubeTiles::tile_path)
            .filter(|p| !dir.join(p).is_file())
            .collect();
        if let Some(first) = missing.first() {
            problems.left_out_error(&config, None, "", format!("{} of its {} tiles are missing, the first \"{first}\": copy the whole folder `disan pack --as panorama` wrote, or pack the panorama again. The scene is left out until this is fixed.", missing.len(), tiles.all_tiles().count()));
        }
    }
}

/// The most pixels a gallery's photo may have a side: what every viewer (a phone's WebGL2
/// included) can hold as one texture.
pub const MAX_PHOTO_SIDE: u32 = 8192;

/// Each gallery photo must be a JPEG or PNG the viewers read, of a size they can hold; one that
/// is not is left out (the gallery shows the others).
fn check_photos(root: &Path, manifest: &Manifest, problems: &mut Problems) {
    for photo in manifest.galleries.iter().flat_map(|g| &g.photos) {
        let file = root.join(photo.src.as_str());
        let Ok(bytes) = std::fs::read(&file) else {
            continue; // reported by check_files
        };
        match crate::model::image_size(&bytes) {
            Err(why) => problems.left_out_error(&file, None, "", format!("{why}: save it again as a JPEG or PNG. The photo is left out until this is fixed.")),
            Ok((w, h)) if w > MAX_PHOTO_SIDE || h > MAX_PHOTO_SIDE => problems.left_out_error(&file, None, "", format!("is {w}×{h} pixels, more than the {MAX_PHOTO_SIDE} a side every viewer can show: save it smaller (4096 on the long side is plenty for a screen). The photo is left out until this is fixed.")),
            Ok(_) => {}
        }
    }
}

/// Each video's `video.json` must describe renditions that are all there, and its chapters and
/// captions must fall within the recording. A broken video is left out (the exhibit shows the
/// rest, with a notice where the video would be).
fn check_videos(
    root: &Path,
    manifest_path: &Path,
    source: &str,
    manifest: &Manifest,
    problems: &mut Problems,
) {
    for (n, video) in manifest.videos.iter().enumerate() {
        // Its place in its own table (`[[videos]]` or `[[recordings]]`), as staff count.
        let table = video.table();
        let i = manifest.videos[..n]
            .iter()
            .filter(|v| v.sound_only == video.sound_only)
            .count();
        let what = if video.sound_only {
            "recording"
        } else {
            "video"
        };
        let description = root.join(video.src.as_str());
        let Ok(bytes) = std::fs::read(&description) else {
            continue; // reported by check_files
        };
        let set = match crate::video::VideoSet::from_json(&bytes) {
            Ok(s) => s,
            Err(e) => {
                problems.left_out_error(
                    &description,
                    None,
                    "",
                    format!("{e}. The {what} is left out until this is fixed."),
                );
                continue;
            }
        };
        if set.has_picture() == video.sound_only {
            let (other, packed) = if video.sound_only {
                ("a video's (it has a picture)", "audio")
            } else {
                ("a recording's (it has no picture)", "video")
            };
            problems.left_out_error(&description, None, "", format!("is {other}, but [[{table}]] names it: move the entry to the other table, or pack the file again with `disan pack --as {packed}`. The {what} is left out until this is fixed."));
            continue;
        }
        let dir = description.parent().unwrap_or(root);
        let missing: Vec<&str> = set
            .files()
            .into_iter()
            .filter(|f| !dir.join(f).is_file())
            .collect();
        if let Some(first) = missing.first() {
            problems.left_out_error(&description, None, "", format!("{} of its {} files are missing, the first \"{first}\": copy the whole folder `disan pack` wrote, or pack the {what} again. The {what} is left out until this is fixed.", missing.len(), set.files().len()));
        }
        let at = source
            .find(&format!("\"{}\"", video.src))
            .map(|o| LineCol::from_offset(source, o));
        for (k, chapter) in video.chapters.iter().enumerate() {
            if chapter.start >= set.duration {
                problems.error(manifest_path, at, &format!("{table}[{i}].chapters[{k}].start"), format!("chapter \"{}\" starts at {} s, but the {what} lasts {:.3} s: check the chapter's time against the recording.", chapter.id, chapter.start, set.duration));
            }
        }
        if let Some(first) = video.chapters.first()
            && first.start > 0.0
        {
            problems.warning(manifest_path, at, &format!("{table}[{i}].chapters[0].start"), format!("the first chapter starts at {} s: the {what}'s first {} s belong to no chapter. Start the first chapter at 0.", first.start, first.start));
        }
        for path in video.captions.values() {
            let file = root.join(path.as_str());
            let Some(captions) = std::fs::read_to_string(&file)
                .ok()
                .and_then(|t| crate::vtt::parse_vtt(&t).ok())
            else {
                continue; // reported by check_files
            };
            // Half a second of slack: an encoder may end the recording a few frames early.
            if captions.end() > set.duration + 0.5 {
                problems.warning(&file, None, "", format!("the captions run to {:.3} s, past the {what}'s end at {:.3} s: check that they belong to \"{}\".", captions.end(), set.duration, video.src));
            }
        }
    }
}

/// Each point cloud's four files must be there and agree: `metadata.json` readable, every node
/// of `hierarchy.bin` inside `octree.bin` and as `node-hashes.bin` says. A broken cloud is left out (the exhibit shows the rest).
fn check_pointclouds(root: &Path, manifest: &Manifest, problems: &mut Problems) {
    use crate::pointcloud::{Hierarchy, Metadata};
    for cloud in &manifest.pointclouds {
        let [meta, hierarchy, octree, hashes] = cloud.files().map(|f| root.join(f));
        let Ok(bytes) = std::fs::read(&meta) else {
            continue; // reported by check_files
        };
        let leave_out = |problems: &mut Problems, file: &Path, message: String| {
            problems.left_out_error(file, None, "", format!("{message} The cloud \"{}\" is left out until this is fixed: copy the whole folder `disan pack` wrote, or pack the scan again.", cloud.id));
        };
        let metadata = match Metadata::parse(&bytes) {
            Ok(m) => m,
            Err(e) => {
                leave_out(problems, &meta, e.to_string());
                continue;
            }
        };
        let (Ok(h), Ok(o), Ok(digests)) = (
            std::fs::read(&hierarchy),
            std::fs::read(&octree),
            std::fs::read(&hashes),
        ) else {
            let missing = [&hierarchy, &octree, &hashes]
                .into_iter()
                .find(|f| !f.is_file())
                .unwrap_or(&octree);
            leave_out(problems, missing, "is missing or cannot be read.".into());
            continue;
        };
        let tree = match Hierarchy::parse(&metadata, &h, Some(o.len() as u64)) {
            Ok(tree) => tree,
            Err(e) => {
                leave_out(problems, &hierarchy, e.to_string());
                continue;
            }
        };
        if tree.total_points() != metadata.points {
            problems.warning(
                &hierarchy,
                None,
                "",
                format!("its nodes hold {} points, but metadata.json says {}: the cloud shows what the nodes hold.", tree.total_points(), metadata.points),
            );
        }
        // Every node's bytes as the node hashes say: what the viewer checks on each read.
        match crate::pointcloud::parse_node_hashes(&digests, &tree) {
            Err(e) => leave_out(problems, &hashes, e.to_string()),
            Ok(digests) => {
                let bad = tree.nodes.iter().zip(&digests).find(|(n, d)| {
                    let range = n.byte_offset as usize..(n.byte_offset + n.byte_size) as usize;
                    crate::pointcloud::node_digest(&o[range]) != **d
                });
                if let Some((node, _)) = bad {
                    leave_out(
                        problems,
                        &octree,
                        format!(
                            "node {} differs from its hash in {}: the file was changed or damaged.",
                            node.name,
                            crate::pointcloud::NODE_HASHES_FILE
                        ),
                    );
                }
            }
        }
    }
}

/// How far (seconds) the last caption may end after its narration does: rounding, and a
/// captioner's habit of holding the last line a moment.
const CAPTION_OVERRUN_S: f64 = 0.5;

/// Captions must not run past their narration: for each tour stop with both in one language,
/// the last cue may end at most [`CAPTION_OVERRUN_S`] after the narration, when the narration's
/// length is known (Ogg and WAV; MP3 is not measured). Missing files and broken captions are
/// reported by [`check_files`] already, so they are skipped here.
fn check_captions_fit_narration(root: &Path, manifest: &Manifest, problems: &mut Problems) {
    let mut checked = std::collections::HashSet::new();
    for stop in manifest.tours.iter().flat_map(|t| &t.stops) {
        for (lang, captions_path) in stop.captions.iter() {
            let Some(narration_path) = stop.narration.exact(lang.code()) else {
                continue;
            };
            if !checked.insert((captions_path, narration_path)) {
                continue;
            }
            let Ok(sound) = std::fs::read(root.join(narration_path.as_str())) else {
                continue;
            };
            let Ok(narration_ends) = crate::media::audio_duration(&sound) else {
                continue;
            };
            let captions_file = root.join(captions_path.as_str());
            let Ok(text) = std::fs::read_to_string(&captions_file) else {
                continue;
            };
            let Ok(captions) = crate::vtt::parse_vtt(&text) else {
                continue;
            };
            let Some(last) = captions.cues.iter().max_by(|a, b| a.end.total_cmp(&b.end)) else {
                continue;
            };
            if last.end > narration_ends + CAPTION_OVERRUN_S {
                let msg = format!(
                    "the captions run past the narration: this cue ends at {:.3} s, but \"{narration_path}\" ends at {:.3} s. Fix the cue's times, or check that these captions belong to that narration.",
                    last.end, narration_ends
                );
                problems.left_out_error(
                    &captions_file,
                    Some(LineCol {
                        line: last.line,
                        column: 1,
                    }),
                    "",
                    msg,
                );
            }
        }
    }
}

/// A package whose manifest text was fetched rather than read from a folder (the browser, which
/// cannot list or stat files): it is parsed and checked like any other, and the files it names
/// are checked as they load, each failure naming its file.
pub fn package_from_manifest_text(root: &Path, source: &str) -> Result<Package, PackageError> {
    let (manifest, problems) = parse_manifest(&root.join(MANIFEST_FILE), source);
    into_package(root, manifest, problems)
}

/// A package that could not be fetched at all (no manifest at that address, a network error).
/// A package refused whole because of one of its files (`file`, inside the package), for a
/// reason that says what to do: a manifest whose hash does not match the signed list.
pub fn refused_package(root: &Path, file: &str, reason: &str) -> PackageError {
    let mut problems = Problems::default();
    problems.error(&root.join(file), None, "", reason.to_owned());
    PackageError {
        root: root.to_owned(),
        problems: problems.into_sorted(),
    }
}

pub fn unreachable_package(root: &Path, reason: &str) -> PackageError {
    let mut problems = Problems::default();
    problems.error(
        &root.join(MANIFEST_FILE),
        None,
        "",
        format!("could not be fetched: {reason}. Check the exhibit's address, and that the server publishes the package folder."),
    );
    PackageError {
        root: root.to_owned(),
        problems: problems.into_sorted(),
    }
}

/// A catalogue: the packages in a folder's sub-folders, in name order. A broken package is kept
/// as an entry with its problems, so the viewer can show what is wrong and go on with the rest.
#[derive(Debug)]
pub struct Catalogue {
    pub root: PathBuf,
    pub entries: Vec<Result<Package, PackageError>>,
}

/// Opens `path` as a single package when it holds `exhibit.toml`, else as a catalogue folder.
pub fn open_catalogue(path: &Path) -> Catalogue {
    if path.join(MANIFEST_FILE).is_file() || !path.is_dir() {
        return Catalogue {
            root: path.to_owned(),
            entries: vec![open_package(path)],
        };
    }
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(path)
        .map(|rd| {
            rd.filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| p.join(MANIFEST_FILE).is_file())
                .collect()
        })
        .unwrap_or_default();
    dirs.sort();
    let mut entries: Vec<_> = dirs.iter().map(|d| open_package(d)).collect();
    if entries.is_empty() {
        let mut problems = Problems::default();
        problems.error(
            path,
            None,
            "",
            "holds no exhibit packages (no sub-folder has an exhibit.toml).",
        );
        entries.push(Err(PackageError {
            root: path.to_owned(),
            problems: problems.into_sorted(),
        }));
    }
    Catalogue {
        root: path.to_owned(),
        entries,
    }
}

/// Everything [`check_package`] finds, and the models' own problems too: every model and level
/// of detail is read and checked against its bytes (accessors, indices, textures, URIs; see
/// [`crate::model`]). What `disan validate` runs; the viewer checks only the exhibit it opens.
pub fn validate_package(root: &Path) -> (Option<Manifest>, Problems) {
    let (manifest, mut problems) = check_package(root);
    if let Some(m) = &manifest {
        let mut seen = std::collections::HashSet::new();
        let models = m.models.iter().flat_map(Model::model_files);
        for path in models {
            if !seen.insert(path.as_str()) || !root.join(path.as_str()).is_file() {
                continue;
            }
            // Checked against what a browser can hold, the strictest place an exhibit is shown.
            let report =
                crate::model::check_model_on_disk(root, path, &crate::model::ModelLimits::WEB);
            for p in report.problems(&root.join(path.as_str())) {
                problems.push(p);
            }
        }
        check_optional_media(root, m, &mut problems);
        check_captions_fit_narration(root, m, &mut problems);
    }
    (manifest, problems)
}

/// Hotspot images and sounds, read as the viewer will read them: an image's header (an image too
/// big to decode is left out), a sound's headers (one that is not a sound is left out).
fn check_optional_media(root: &Path, manifest: &Manifest, problems: &mut Problems) {
    let limits = crate::model::ModelLimits::WEB;
    for image in manifest.hotspots.iter().filter_map(|h| h.image.as_ref()) {
        let file = root.join(image.as_str());
        let Ok(bytes) = std::fs::read(&file) else {
            continue;
        };
        match crate::model::image_size(&bytes) {
            Ok((w, h)) if u64::from(w) * u64::from(h) > limits.max_image_pixels => problems.left_out_error(
                &file,
                None,
                "",
                format!("is {w}×{h} pixels, more than a browser can decode for one image: save it at 8192×8192 or less (2048 pixels wide is plenty for the info panel). It is left out until then."),
            ),
            Ok(_) => {}
            Err(why) => problems.left_out_error(&file, None, "", format!("{why}: save it as PNG or JPEG. It is left out until then.")),
        }
    }
    let narrations = manifest
        .hotspots
        .iter()
        .flat_map(|h| h.narration.values())
        .chain(
            manifest
                .tours
                .iter()
                .flat_map(|t| t.stops.iter().flat_map(|s| s.narration.values())),
        );
    let mut seen = std::collections::HashSet::new();
    for sound in manifest.audio.iter().map(|a| &a.src).chain(narrations) {
        if !seen.insert(sound.as_str()) {
            continue;
        }
        let file = root.join(sound.as_str());
        let Ok(bytes) = std::fs::read(&file) else {
            continue;
        };
        match crate::media::audio_duration(&bytes) {
            Ok(_) | Err(crate::media::MediaError::Unsupported(_)) => {}
            Err(why) => problems.left_out_error(&file, None, "", format!("cannot be played: {why}. Export it again as OGG Vorbis, WAV or MP3; it stays silent until then.")),
        }
    }
}
