//! The scan pipeline behind `disan pack`: a raw photogrammetry or laser-scan mesh (glTF/GLB,
//! OBJ with MTL, PLY) in, a tour-ready exhibit package out.
//!
//! One stage per module, data flowing one way:
//! [`input`] reads the scan → [`normalise`] puts it in the exhibit frame (metres, +Y up, front
//! +Z, centred, standing on the ground) → [`levels`] derives the levels of detail with
//! meshoptimizer → [`texture`] scales the textures → [`glb`] writes one GLB per level →
//! [`skeleton`] writes the manifest staff fill in. [`pack_scan`] runs them for one scan;
//! [`batch`] runs many, one scan per core, and picks up where an interrupted run stopped.
//!
//! Bevy-free and native only: it links the C++ meshoptimizer, which the viewer never needs.

pub mod batch;
pub mod deviation;
pub mod document;
pub mod glb;
pub mod gpu_texture;
pub mod input;
pub mod levels;
pub mod messages;
pub mod normalise;
pub mod panorama;
pub mod pointcloud;
pub mod progress;
pub mod skeleton;
pub mod texture;

use std::path::{Path, PathBuf};
use std::time::Instant;

use serde::Serialize;

pub use glb::Geometry;
pub use input::{InputError, Scan, SourceFormat};
pub use levels::{LEVELS, LevelSpec};
pub use messages::Lang;
pub use normalise::{Normalisation, Unit, UpAxis};
pub use progress::Progress;

/// What staff (or a script) asked for.
#[derive(Clone, Debug)]
pub struct PackOptions {
    /// The exhibit id; by default made from the scan's file name.
    pub id: Option<String>,
    /// The source's unit when the file does not say (OBJ and PLY never do).
    pub unit: Option<Unit>,
    /// The source's up axis when the file does not say.
    pub up: Option<UpAxis>,
    /// Keep the model where it is instead of centring it on the ground (`--keep-position`):
    /// for models already placed in the exhibit frame.
    pub keep_position: bool,
    /// Quantized, meshopt-compressed geometry (the default) or plain floats (`--plain`).
    pub geometry: Geometry,
    /// Replace a package that is already there.
    pub force: bool,
    /// Write no GPU texture copies of the levels (`--no-gpu-textures`): JPEG/PNG only.
    pub no_gpu_textures: bool,
    pub lang: Lang,
    /// What the input is (`--as`); by default told from the file.
    pub kind: Option<PackKind>,
    /// A document's width in metres (`--width`), or its scan resolution (`--dpi`).
    pub sheet_width_m: Option<f64>,
    pub dpi: Option<f64>,
    /// The URL a document's scan folder will be published at (`--iiif-base URL`, to which
    /// `scans/ID` is added), written as the `id` IIIF viewers build tile URLs from.
    pub iiif_base: Option<String>,
}

/// The kinds of capture `disan pack` turns into exhibits (`--as`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum PackKind {
    /// A photogrammetry or scanned mesh (glTF, OBJ, PLY with faces).
    Mesh,
    /// A flat scan of a document, cut into a zoomable tile pyramid.
    Document,
    /// An equirectangular 360° photo (2:1).
    Panorama,
    /// A laser scanner's points (LAS, LAZ, E57, PLY without faces).
    Pointcloud,
    /// A camera's recording of a festival or performance (MP4, MOV, MKV, WebM, AVI, MTS); a
    /// 2:1 one is a 360° video.
    Video,
    /// A sound recording without picture (WAV, FLAC, MP3, Ogg, Opus, M4A): a song, a story, a
    /// festival's music.
    Audio,
}

impl PackKind {
    pub fn parse(word: &str) -> Option<Self> {
        match word {
            "mesh" => Some(Self::Mesh),
            "document" => Some(Self::Document),
            "panorama" => Some(Self::Panorama),
            "pointcloud" | "point-cloud" => Some(Self::Pointcloud),
            "video" => Some(Self::Video),
            "audio" | "sound" => Some(Self::Audio),
            _ => None,
        }
    }

    /// What the file is, from its extension and, for an image, its proportions: an image twice
    /// as wide as it is high is an equirectangular panorama, any other a document.
    pub fn of(path: &Path) -> Self {
        if is_video(path) {
            return Self::Video;
        }
        if is_sound(path) {
            return Self::Audio;
        }
        if pointcloud::is_point_cloud(path) {
            return Self::Pointcloud;
        }
        if SourceFormat::of(path) != Some(SourceFormat::Image) {
            return Self::Mesh;
        }
        match image::ImageReader::open(path)
            .and_then(image::ImageReader::with_guessed_format)
            .ok()
            .and_then(|r| r.into_dimensions().ok())
        {
            Some((w, h)) if w == 2 * h => Self::Panorama,
            _ => Self::Document,
        }
    }
}

/// Whether the file is a camera's recording, by its extension.
pub fn is_video(path: &Path) -> bool {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .unwrap_or_default();
    matches!(
        ext.as_str(),
        "mp4" | "m4v" | "mov" | "mkv" | "webm" | "avi" | "mts" | "m2ts" | "mpg" | "mpeg"
    )
}

/// Whether the file is a sound recording, by its extension.
pub fn is_sound(path: &Path) -> bool {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .unwrap_or_default();
    matches!(
        ext.as_str(),
        "wav" | "flac" | "mp3" | "ogg" | "oga" | "opus" | "m4a" | "aac" | "aiff" | "aif"
    )
}

impl Default for PackOptions {
    fn default() -> Self {
        Self {
            id: None,
            unit: None,
            up: None,
            keep_position: false,
            geometry: Geometry::Compressed,
            force: false,
            no_gpu_textures: false,
            lang: Lang::En,
            kind: None,
            sheet_width_m: None,
            dpi: None,
            iiif_base: None,
        }
    }
}

/// Why a scan could not be packed. Each names the file and says what to do
/// ([`PackError::localized`] for staff's language).
#[derive(Debug, thiserror::Error)]
pub enum PackError {
    #[error(transparent)]
    Input(#[from] InputError),
    #[error("{}: there is already a package here; pass --force to replace it", .0.display())]
    OutputExists(PathBuf),
    #[error("{}: cannot be written ({source}); check the folder exists and you may write to it", path.display())]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{}: {message}", path.display())]
    Texture { path: PathBuf, message: String },
    /// A document scan that cannot be read, decoded or held.
    #[error("{}: {message}", path.display())]
    DocumentImage { path: PathBuf, message: String },
    /// A 360° panorama that cannot be read or is not a full equirectangular sphere.
    #[error("{}: {message}", path.display())]
    PanoramaImage { path: PathBuf, message: String },
    #[error("{}: the point cloud cannot be used: {message}", path.display())]
    PointCloud { path: PathBuf, message: String },
    /// A recording that ffmpeg cannot read or transcode, or ffmpeg missing.
    #[error(transparent)]
    Video(#[from] disan_video::VideoError),
    #[error("the scan has no triangles left after reading: {0}")]
    Empty(String),
    #[error("{}: would make the same package as {}: two exports of one scan? Keep one, or rename a file", input.display(), other.display())]
    SamePackage { input: PathBuf, other: PathBuf },
}

impl PackError {
    pub fn localized(&self, lang: Lang) -> String {
        messages::pack_error(self, lang)
    }
}

/// One level as written: what the viewer and the tests read back.
#[derive(Clone, Debug, Serialize)]
pub struct LevelReport {
    pub quality: &'static str,
    /// The GLB, relative to the package.
    pub src: String,
    pub triangles: u64,
    pub vertices: u64,
    pub bytes: u64,
    /// The simplification's geometric error in metres (0 for a level that kept every triangle).
    pub error_m: f32,
    /// The bound the error was asked to stay within, in metres.
    pub error_bound_m: f32,
    pub triangle_budget: u64,
    pub texture_px: Option<u32>,
    /// Whether the budget could be met only by going past the error bound.
    pub over_bound: bool,
    /// The level again with its textures in GPU formats (the manifest's `gpu_textures`).
    pub gpu_textures: Vec<GpuCopyReport>,
}

/// A `gpu_textures` copy of a level as written.
#[derive(Clone, Debug, Serialize)]
pub struct GpuCopyReport {
    /// The manifest's word for the format (`bc7`, `etc2`).
    pub format: &'static str,
    pub src: String,
    pub bytes: u64,
}

/// Everything `disan pack` did, printed as a summary or as `--json`.
#[derive(Clone, Debug, Serialize)]
pub struct PackReport {
    pub input: PathBuf,
    pub package: PathBuf,
    pub id: String,
    pub source_format: &'static str,
    pub input_triangles: u64,
    pub input_vertices: u64,
    pub normalisation: Normalisation,
    /// The model's box after normalisation, in metres.
    pub bounds_min: [f32; 3],
    pub bounds_max: [f32; 3],
    pub levels: Vec<LevelReport>,
    pub warnings: Vec<String>,
    pub seconds: f64,
    /// A fingerprint of the input and the options, so a batch run knows this package is done.
    pub input_fingerprint: String,
    /// A fingerprint of the manifest pack wrote, so packing again can tell whether staff
    /// edited it since (and then keeps theirs).
    pub manifest_written: Option<String>,
    /// For a document scan: its tile pyramid.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub document: Option<document::DocumentReport>,
    /// For 360° panoramas: the scenes, in walk order.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub panoramas: Vec<panorama::SceneReport>,
    /// For a laser scan: its octree.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pointcloud: Option<pointcloud::CloudReport>,
    /// For a recording: its renditions.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub video: Option<VideoReport>,
}

/// What `--as video` made of a recording.
#[derive(Clone, Debug, Serialize)]
pub struct VideoReport {
    /// The `video.json`, relative to the package.
    pub src: String,
    pub is_360: bool,
    pub duration_s: f64,
    pub fps: f64,
    pub source_width: u32,
    pub source_height: u32,
    pub renditions: Vec<disan_format::video::Rendition>,
}

impl PackReport {
    /// The report of a package with no mesh levels (a panorama, a video, a recording): its
    /// identity and input, the rest empty for the caller to fill in.
    fn without_mesh(
        input: &Path,
        out: &Path,
        id: String,
        source_format: &'static str,
        input_fingerprint: String,
    ) -> Self {
        Self {
            input: input.to_owned(),
            package: out.to_owned(),
            id,
            source_format,
            input_triangles: 0,
            input_vertices: 0,
            normalisation: Normalisation::not_applied(),
            bounds_min: [0.0; 3],
            bounds_max: [0.0; 3],
            levels: Vec::new(),
            warnings: Vec::new(),
            seconds: 0.0,
            input_fingerprint,
            manifest_written: None,
            document: None,
            panoramas: Vec::new(),
            pointcloud: None,
            video: None,
        }
    }
}

/// The file in a finished package that records how it was made. Written last: a package
/// without it was interrupted and is packed again by a batch run.
pub const REPORT_FILE: &str = "pack-report.json";

/// Pack one scan into `out` (a package folder).
pub fn pack_scan(
    input: &Path,
    out: &Path,
    options: &PackOptions,
    progress: &Progress,
) -> Result<PackReport, PackError> {
    let started = Instant::now();
    let lang = options.lang;
    if out.join(disan_format::MANIFEST_FILE).exists() && !options.force {
        return Err(PackError::OutputExists(out.to_owned()));
    }
    let fingerprint = batch::fingerprint(input, options);
    let id = options
        .id
        .clone()
        .unwrap_or_else(|| skeleton::id_from_file_name(input));
    match options.kind.unwrap_or_else(|| PackKind::of(input)) {
        PackKind::Mesh => {}
        PackKind::Document => {
            return pack_document(input, out, options, progress, started, fingerprint, id);
        }
        PackKind::Panorama => {
            return pack_panoramas(input, out, options, progress, started, fingerprint, id);
        }
        PackKind::Pointcloud => {
            return pack_pointcloud(input, out, options, progress, started, fingerprint, id);
        }
        PackKind::Video => {
            return pack_video(input, out, options, progress, started, fingerprint, id);
        }
        PackKind::Audio => {
            return pack_audio(input, out, options, progress, started, fingerprint, id);
        }
    }

    progress.step(messages::step_read(lang));
    let scan = input::read(input, progress)?;
    pack_mesh(
        scan,
        input,
        out,
        options,
        progress,
        started,
        fingerprint,
        id,
        None,
    )
}

/// 360° panoramas: one photo, or a folder of them as the scenes of one walk. No model: the
/// exhibit is its scenes.
fn pack_panoramas(
    input: &Path,
    out: &Path,
    options: &PackOptions,
    progress: &Progress,
    started: Instant,
    fingerprint: String,
    id: String,
) -> Result<PackReport, PackError> {
    let photos = if input.is_dir() {
        panorama::photos_in(input)?
    } else {
        vec![input.to_owned()]
    };
    let scenes = panorama::pack_scenes(&photos, out, progress, options.lang)?;
    let mut report = PackReport {
        panoramas: scenes,
        ..PackReport::without_mesh(input, out, id, SourceFormat::Image.name(), fingerprint)
    };
    progress.step(messages::step_manifest(options.lang));
    let manifest = skeleton::panorama_manifest(&report);
    write_manifest_and_report(out, &manifest, &mut report, input, started, options.lang)?;
    progress.finish();
    Ok(report)
}

/// A recording: its renditions, poster and thumbnails under `videos/ID/`, and an intangible
/// heritage exhibit that shows it (on a screen, or around the visitor for a 2:1 360° video).
fn pack_video(
    input: &Path,
    out: &Path,
    options: &PackOptions,
    progress: &Progress,
    started: Instant,
    fingerprint: String,
    id: String,
) -> Result<PackReport, PackError> {
    let src = format!("videos/{id}/{}", disan_format::video::VIDEO_FILE);
    let dir = out.join("videos").join(&id);
    let lang = options.lang;
    let packed = disan_video::transcode(
        input,
        &dir,
        &disan_video::TranscodeOptions::default(),
        &named_steps(progress, |name| messages::step_video(lang, name)),
    )?;
    // The page's picture while the viewer loads and the catalogue card: the poster frame.
    disan_video::package_poster(&dir.join(&packed.set.poster), &out.join("poster.png"))?;
    let mut report = PackReport {
        warnings: packed.warnings.clone(),
        video: Some(VideoReport {
            src,
            is_360: packed.is_360,
            duration_s: packed.set.duration,
            fps: packed.set.fps,
            source_width: packed.source.width,
            source_height: packed.source.height,
            renditions: packed.set.renditions.clone(),
        }),
        ..PackReport::without_mesh(input, out, id, "video", fingerprint)
    };
    progress.step(messages::step_manifest(lang));
    let manifest = skeleton::video_manifest(&report);
    write_manifest_and_report(out, &manifest, &mut report, input, started, lang)?;
    progress.finish();
    Ok(report)
}

/// A transcoder's progress (`step name`, fraction) on the bar: a new line at each new step,
/// in the staff's words (`say`), and the fraction of the step.
fn named_steps<'a>(
    progress: &'a Progress,
    say: impl Fn(&str) -> String + 'a,
) -> impl Fn(&str, f64) + 'a {
    let step = std::cell::RefCell::new(String::new());
    move |name, fraction| {
        if name != "done" && *step.borrow() != name {
            *step.borrow_mut() = name.to_owned();
            progress.step(say(name));
        }
        progress.fraction(fraction);
    }
}

/// A sound recording: its renditions under `recordings/ID/`, and an intangible heritage
/// exhibit that plays it around the visitor.
fn pack_audio(
    input: &Path,
    out: &Path,
    options: &PackOptions,
    progress: &Progress,
    started: Instant,
    fingerprint: String,
    id: String,
) -> Result<PackReport, PackError> {
    let src = format!("recordings/{id}/{}", disan_format::video::RECORDING_FILE);
    let dir = out.join("recordings").join(&id);
    let lang = options.lang;
    let packed = disan_video::transcode_sound(
        input,
        &dir,
        &named_steps(progress, |name| messages::step_sound(lang, name)),
    )?;
    // The page's picture while the viewer loads and the catalogue card: its waveform.
    disan_video::sound_poster(input, &out.join("poster.png"))?;
    let mut report = PackReport {
        video: Some(VideoReport {
            src,
            is_360: false,
            duration_s: packed.set.duration,
            fps: 0.0,
            source_width: 0,
            source_height: 0,
            renditions: packed.set.renditions.clone(),
        }),
        ..PackReport::without_mesh(input, out, id, "audio", fingerprint)
    };
    progress.step(messages::step_manifest(lang));
    let manifest = skeleton::recording_manifest(&report);
    write_manifest_and_report(out, &manifest, &mut report, input, started, lang)?;
    progress.finish();
    Ok(report)
}

/// A laser scan: its octree in the Potree 2.0 layout, and an exhibit that shows it. No model.
fn pack_pointcloud(
    input: &Path,
    out: &Path,
    options: &PackOptions,
    progress: &Progress,
    started: Instant,
    fingerprint: String,
    id: String,
) -> Result<PackReport, PackError> {
    progress.step(messages::step_read(options.lang));
    let cloud = pointcloud::read(input, progress)?;
    let (z_up, up_warning) = pointcloud::z_up(&cloud, options.up);
    let unit = options.unit.unwrap_or(Unit::M);
    let (format, made_by, points) = (cloud.format, cloud.made_by.clone(), cloud.points.len());
    progress.step(messages::step_octree(options.lang));
    let dir = out.join("pointclouds").join(&id);
    let octree = pointcloud::write_octree(cloud, &dir, &id, unit.metres(), z_up, out, progress)?;
    // The box in the exhibit's frame, for the report.
    let a = disan_format::pointcloud::to_exhibit(octree.bounds.min, octree.origin, z_up);
    let b = disan_format::pointcloud::to_exhibit(octree.bounds.max, octree.origin, z_up);
    let lo: [f64; 3] = std::array::from_fn(|i| a[i].min(b[i]));
    let hi: [f64; 3] = std::array::from_fn(|i| a[i].max(b[i]));
    let (bounds_min, bounds_max) = (lo.map(|c| c as f32), hi.map(|c| c as f32));
    let size_m: [f64; 3] = std::array::from_fn(|i| hi[i] - lo[i]);
    let mut normalisation = Normalisation::not_applied();
    normalisation.unit = unit;
    normalisation.unit_stated = options.unit.is_some() || format != "PLY";
    normalisation.up = if z_up { UpAxis::Z } else { UpAxis::Y };
    normalisation.up_stated = up_warning.is_none();
    normalisation.source_origin = octree.origin;
    normalisation.size_m = size_m;
    normalisation.kept_position = false;
    let mut report = PackReport {
        input: input.to_owned(),
        package: out.to_owned(),
        id: id.clone(),
        source_format: format,
        input_triangles: 0,
        input_vertices: points as u64,
        normalisation,
        bounds_min,
        bounds_max,
        levels: Vec::new(),
        warnings: up_warning.into_iter().collect(),
        seconds: 0.0,
        input_fingerprint: fingerprint,
        manifest_written: None,
        document: None,
        panoramas: Vec::new(),
        pointcloud: Some(octree),
        video: None,
    };
    progress.step(messages::step_manifest(options.lang));
    let manifest = skeleton::pointcloud_manifest(&report, made_by.as_deref());
    write_manifest_and_report(out, &manifest, &mut report, input, started, options.lang)?;
    progress.finish();
    Ok(report)
}

/// A document scan: its tile pyramid, then a sheet model through the mesh pipeline.
fn pack_document(
    input: &Path,
    out: &Path,
    options: &PackOptions,
    progress: &Progress,
    started: Instant,
    fingerprint: String,
    id: String,
) -> Result<PackReport, PackError> {
    progress.step(messages::step_read(options.lang));
    let img = document::read_image(input)?;
    let (width_px, height_px) = img.dimensions();
    let dir = document::scan_dir(out, &id);
    std::fs::create_dir_all(&dir).map_err(|source| PackError::Write {
        path: dir.clone(),
        source,
    })?;
    let iiif_id = match &options.iiif_base {
        Some(base) => format!("{}/scans/{id}", base.trim_end_matches('/')),
        None => format!("scans/{id}"),
    };
    progress.step(messages::step_tiles(options.lang));
    let (pyramid, tile_bytes, sheet) = document::write_pyramid(img, &dir, &iiif_id, progress)?;
    let width_m = document::sheet_width_m(width_px, options.sheet_width_m, options.dpi);
    let document = document::DocumentReport {
        width_px,
        height_px,
        levels: pyramid.levels(),
        tiles: pyramid.tile_count(),
        tile_bytes,
        info: format!("scans/{id}/info.json"),
        sheet_m: [
            width_m,
            width_m * f64::from(height_px) / f64::from(width_px),
        ],
    };
    let scan = document::sheet_scan(&sheet, width_m, &id);
    drop(sheet);
    let sheet_options = PackOptions {
        keep_position: true,
        ..options.clone()
    };
    pack_mesh(
        scan,
        input,
        out,
        &sheet_options,
        progress,
        started,
        fingerprint,
        id,
        Some(document),
    )
}

/// The mesh pipeline from a scan in memory: normalise, levels, manifest, report.
#[allow(clippy::too_many_arguments)]
fn pack_mesh(
    scan: Scan,
    input: &Path,
    out: &Path,
    options: &PackOptions,
    progress: &Progress,
    started: Instant,
    fingerprint: String,
    id: String,
    document: Option<document::DocumentReport>,
) -> Result<PackReport, PackError> {
    let lang = options.lang;
    let mut warnings = Vec::new();
    warnings.extend(scan.warnings.iter().cloned());
    let (input_triangles, input_vertices) = scan.counts();
    if input_triangles == 0 {
        return Err(PackError::Empty(input.display().to_string()));
    }

    progress.step(messages::step_normalise(lang));
    let (mut scan, normalisation) =
        normalise::normalise(scan, options.unit, options.up, options.keep_position, lang);
    levels::ensure_normals(&mut scan);
    warnings.extend(normalisation.warnings.iter().cloned());

    progress.step(messages::step_textures(lang));
    let textures = texture::decode_all(&scan, input, progress)
        .map_err(|(path, message)| PackError::Texture { path, message })?;

    let models_dir = out.join("models");
    std::fs::create_dir_all(&models_dir).map_err(|source| PackError::Write {
        path: models_dir.clone(),
        source,
    })?;

    let mut level_reports = Vec::new();
    for spec in LEVELS.iter().rev() {
        progress.step(messages::step_level(lang, spec.quality));
        let written = levels::write_level(
            &scan,
            &textures,
            spec,
            &id,
            options.geometry,
            !options.no_gpu_textures,
            out,
            progress,
        )?;
        if written.report.over_bound {
            warnings.push(messages::over_bound(lang, &written.report));
        }
        level_reports.push(written.report);
    }
    level_reports.reverse();
    let textured = (0..scan.meshes.len())
        .any(|i| textures.get(i).is_some() || textures.maps(i).next().is_some());
    if textured && !options.no_gpu_textures && !gpu_texture::available() {
        warnings.push(messages::no_gpu_texture_encoder(lang));
    }
    // A level that adds nothing to the one below it (a small scan: every triangle and the whole
    // texture already there) is not shipped, and a copy left by an earlier pack is removed.
    let mut kept: Vec<LevelReport> = Vec::new();
    let mut skipped = Vec::new();
    for level in level_reports {
        if let Some(below) = kept.last()
            && below.triangles == level.triangles
            && below.texture_px == level.texture_px
        {
            for file in std::iter::once(&level.src).chain(level.gpu_textures.iter().map(|g| &g.src))
            {
                let _ = std::fs::remove_file(out.join(file));
            }
            skipped.push(level.quality);
            continue;
        }
        kept.push(level);
    }
    if let Some(top) = kept.last()
        && !skipped.is_empty()
    {
        warnings.push(messages::levels_not_needed(lang, &skipped, top));
    }
    let level_reports = kept;

    let bounds = scan.bounds();
    let report = PackReport {
        input: input.to_owned(),
        package: out.to_owned(),
        id: id.clone(),
        source_format: scan.format.name(),
        input_triangles,
        input_vertices,
        normalisation,
        bounds_min: bounds.0,
        bounds_max: bounds.1,
        levels: level_reports,
        warnings,
        seconds: started.elapsed().as_secs_f64(),
        input_fingerprint: fingerprint,
        manifest_written: None,
        document,
        panoramas: Vec::new(),
        pointcloud: None,
        video: None,
    };
    progress.step(messages::step_manifest(lang));
    let mut report = report;
    let manifest = skeleton::manifest(&report, &scan);
    write_manifest_and_report(out, &manifest, &mut report, input, started, lang)?;
    progress.finish();
    Ok(report)
}

/// Writes the manifest (or, when staff edited the one there, a fresh one beside it) and then,
/// last, the pack report that marks the package complete.
fn write_manifest_and_report(
    out: &Path,
    manifest: &str,
    report: &mut PackReport,
    input: &Path,
    started: Instant,
    lang: Lang,
) -> Result<(), PackError> {
    report.seconds = started.elapsed().as_secs_f64();
    let manifest_path = out.join(disan_format::MANIFEST_FILE);
    if staff_edited_manifest(out) {
        // Packing again (a changed scan, --force) never loses texts staff wrote: their manifest
        // stays, and the fresh one goes beside it for them to take the new levels from.
        let fresh = out.join(FRESH_MANIFEST_FILE);
        write_file(&fresh, manifest.as_bytes())?;
        report.warnings.push(messages::manifest_kept(
            lang,
            Path::new(disan_format::MANIFEST_FILE),
            Path::new(FRESH_MANIFEST_FILE),
        ));
    } else {
        write_file(&manifest_path, manifest.as_bytes())?;
    }
    report.manifest_written = Some(fingerprint_text(manifest));
    // Last, so its presence means the package is complete (see `batch`). The package is
    // published as it is: the record names the scan by its file name, not by where it lies on
    // staff's computer.
    let mut published = report.clone();
    published.input = PathBuf::from(input.file_name().unwrap_or_default());
    published.package = PathBuf::from(".");
    let json = serde_json::to_vec_pretty(&published).expect("the report serialises");
    write_file(&out.join(REPORT_FILE), &json)?;
    Ok(())
}

/// Where a fresh manifest goes when staff's own is kept.
pub const FRESH_MANIFEST_FILE: &str = "exhibit.pack.toml";

/// A short fingerprint of a text (FNV-1a, 64 bits): enough to tell whether staff changed the
/// manifest pack wrote, with no hashing dependency.
fn fingerprint_text(text: &str) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in text.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    format!("{h:016x}")
}

/// Whether `out` holds a manifest that is not the one pack last wrote there (staff edited it, or
/// wrote it by hand).
fn staff_edited_manifest(out: &Path) -> bool {
    let Ok(current) = std::fs::read_to_string(out.join(disan_format::MANIFEST_FILE)) else {
        return false;
    };
    let written = std::fs::read_to_string(out.join(REPORT_FILE))
        .ok()
        .and_then(|t| serde_json::from_str::<serde_json::Value>(&t).ok())
        .and_then(|v| {
            v.get("manifest_written")
                .and_then(|m| m.as_str())
                .map(str::to_owned)
        });
    written.as_deref() != Some(fingerprint_text(&current).as_str())
}

/// Write through a temporary file and a rename, so an interrupted run never leaves a half
/// file under the final name.
pub(crate) fn write_file(path: &Path, bytes: &[u8]) -> Result<(), PackError> {
    let tmp = path.with_extension("partial");
    std::fs::write(&tmp, bytes)
        .and_then(|()| std::fs::rename(&tmp, path))
        .map_err(|source| PackError::Write {
            path: path.to_owned(),
            source,
        })
}
