//! Checking a glTF model before any GPU sees it. The glTF loader trusts the file's numbers: an
//! accessor that runs past its buffer, an index beyond the last vertex or a texture whose header
//! says 30000×30000 reach the GPU driver, which quits (wgpu treats them as fatal validation
//! errors) or allocates gigabytes. Every such number is checked here against the bytes that are
//! actually there, and every URI inside the model must stay in its package.
//!
//! The same check runs in `disan validate` (on every model and level of detail) and in the viewer
//! before a model is handed to Bevy, natively and in the browser. It is a two-step read so that a
//! caller with asynchronous I/O (the browser) can fetch the files a `.gltf` names:
//! [`ModelFile::parse`], then [`ModelFile::external_files`] to learn what to read, then
//! [`ModelFile::check`] with those files' bytes.

use std::borrow::Cow;
use std::collections::HashMap;
use std::path::Path;

use gltf::json::{self, Root, validation::Checked};

use crate::compression;
use crate::manifest::PackagePath;
use crate::parse::check_package_path;
use crate::problem::{Problem, Severity};

/// What a model may ask of the machine that shows it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ModelLimits {
    /// The most pixels one texture may have. Decoded as RGBA8 a texture takes 4 bytes a pixel,
    /// before mipmaps: a header claiming more is refused before anything is decoded.
    pub max_image_pixels: u64,
    /// The most pixels all of a model's textures may have together.
    pub max_total_image_pixels: u64,
    /// The largest texture side the GPU accepts (`max_texture_dimension_2d`). Bigger textures
    /// are shown downscaled to it, with a warning: an 8K scan still shows on WebGL2.
    pub max_texture_dimension: u32,
}

impl ModelLimits {
    /// A desktop or kiosk: a 16384² texture is 1 GiB decoded; 2 GiB of textures in all.
    pub const NATIVE: Self = Self {
        max_image_pixels: 16384 * 16384,
        max_total_image_pixels: 2 * 16384 * 16384,
        max_texture_dimension: 16384,
    };
    /// A browser tab, whose wasm heap is at most 4 GiB and usually much less on a phone:
    /// 8192² (256 MiB) a texture, 512 MiB in all. WebGL2 on phones often allows only 4096.
    pub const WEB: Self = Self {
        max_image_pixels: 8192 * 8192,
        max_total_image_pixels: 2 * 8192 * 8192,
        max_texture_dimension: 4096,
    };

    /// The limits this build of the viewer runs under.
    pub const fn for_this_build() -> Self {
        if cfg!(target_family = "wasm") {
            Self::WEB
        } else {
            Self::NATIVE
        }
    }
}

/// One thing found in a model: where (a glTF JSON path such as `accessors[3].count`) and what.
#[derive(Clone, Debug, PartialEq)]
pub struct ModelFinding {
    pub severity: Severity,
    pub field: String,
    pub message: String,
}

/// What a model holds, for the viewer's notices and the pipeline's reports.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ModelSummary {
    pub meshes_in_scene: usize,
    pub triangles: u64,
    pub vertices: u64,
    /// Each texture image's index in the glTF and its size in pixels.
    pub images: Vec<(usize, u32, u32)>,
}

/// Everything found in one model file.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ModelReport {
    pub findings: Vec<ModelFinding>,
    pub summary: ModelSummary,
}

impl ModelReport {
    pub fn has_errors(&self) -> bool {
        self.findings.iter().any(|f| f.severity == Severity::Error)
    }

    pub fn errors(&self) -> impl Iterator<Item = &ModelFinding> {
        self.findings
            .iter()
            .filter(|f| f.severity == Severity::Error)
    }

    /// The findings as package problems about `file` (the model's path on disk or its URL).
    pub fn problems(&self, file: &Path) -> Vec<Problem> {
        self.findings
            .iter()
            .map(|f| Problem {
                severity: f.severity,
                file: file.to_owned(),
                at: None,
                field: f.field.clone(),
                message: f.message.clone(),
                left_out: false,
            })
            .collect()
    }

    pub(crate) fn error(&mut self, field: impl Into<String>, message: impl Into<String>) {
        self.findings.push(ModelFinding {
            severity: Severity::Error,
            field: field.into(),
            message: message.into(),
        });
    }

    pub(crate) fn warning(&mut self, field: impl Into<String>, message: impl Into<String>) {
        self.findings.push(ModelFinding {
            severity: Severity::Warning,
            field: field.into(),
            message: message.into(),
        });
    }

    fn failed(field: &str, message: impl Into<String>) -> Self {
        let mut r = Self::default();
        r.error(field, message);
        r
    }
}

/// What to tell staff when the bytes themselves are wrong: nothing in a manifest can fix it.
const REEXPORT: &str = "the file is damaged or was written wrongly: export the model again from the scanning or modelling software (glTF 2.0 / GLB)";

/// Extensions Bevy 0.19's glTF loader draws. A model that *requires* any other cannot be shown.
const SUPPORTED_REQUIRED_EXTENSIONS: &[&str] = &[
    "KHR_lights_punctual",
    "KHR_materials_unlit",
    "KHR_materials_emissive_strength",
    "KHR_materials_ior",
    "KHR_materials_transmission",
    "KHR_materials_volume",
    "KHR_texture_transform",
];

/// A parsed glTF or GLB file, not yet checked against its data.
pub struct ModelFile<'a> {
    path: PackagePath,
    root: Root,
    /// The GLB's binary chunk.
    bin: Option<Cow<'a, [u8]>>,
    /// Whether `root` was rewritten from the file's JSON ([`core_texture_sources`]), so the
    /// loader must be given the rewritten document, not the file.
    rewritten: bool,
}

/// The glTF extension through which a texture's source is a KTX2 image (`disan pack`'s GPU
/// texture copies, docs/exhibit-format.md).
const BASISU: &str = "KHR_texture_basisu";

/// A texture whose source is a KTX2 image names it in `extensions.KHR_texture_basisu.source`
/// and may leave out the core `source`, which the `gltf` crate (and so Bevy's loader) requires.
/// The extension's source becomes the core one and the extension is no longer required: Bevy
/// reads a KTX2 image by its `image/ktx2` MIME type once it is a plain source. `None` when the
/// document does not use the extension (left as it is).
fn core_texture_sources(json: &[u8]) -> Option<Vec<u8>> {
    if !json.windows(BASISU.len()).any(|w| w == BASISU.as_bytes()) {
        return None;
    }
    let mut doc: serde_json::Value = serde_json::from_slice(json).ok()?;
    let textures = doc.get_mut("textures").and_then(|t| t.as_array_mut());
    for texture in textures.into_iter().flatten() {
        let ktx2 = texture
            .pointer("/extensions/KHR_texture_basisu/source")
            .cloned();
        if let (Some(source), Some(t)) = (ktx2, texture.as_object_mut()) {
            t.insert("source".into(), source);
            if let Some(ext) = t.get_mut("extensions").and_then(|e| e.as_object_mut()) {
                ext.remove(BASISU);
            }
        }
    }
    for key in ["extensionsRequired", "extensionsUsed"] {
        if let Some(list) = doc.get_mut(key).and_then(|l| l.as_array_mut()) {
            list.retain(|e| e != BASISU);
        }
    }
    serde_json::to_vec(&doc).ok()
}

/// Where a buffer's or image's bytes come from.
enum Source<'r> {
    /// A `data:` URI, decoded.
    Embedded(Vec<u8>),
    /// A file beside the model, inside the package.
    File(PackagePath),
    /// A URI that may not be followed (the problem is recorded).
    Refused,
    /// An image stored in a buffer view.
    View(&'r json::Index<json::buffer::View>),
}

impl<'a> ModelFile<'a> {
    /// Reads the GLB container or the `.gltf` JSON of the model at `path` (inside its package).
    pub fn parse(path: &PackagePath, bytes: &'a [u8]) -> Result<Self, ModelReport> {
        let (json_bytes, bin): (Cow<'a, [u8]>, Option<Cow<'a, [u8]>>) = if bytes
            .starts_with(b"glTF")
        {
            match gltf::binary::Glb::from_slice(bytes) {
                Ok(glb) => (glb.json, glb.bin),
                Err(e) => {
                    return Err(ModelReport::failed(
                        "",
                        format!("is not a readable GLB ({e}): {REEXPORT}."),
                    ));
                }
            }
        } else if bytes.first().is_some_and(|b| *b == b'{') || bytes.starts_with(b"\xef\xbb\xbf{") {
            (Cow::Borrowed(bytes), None)
        } else {
            return Err(ModelReport::failed(
                "",
                format!(
                    "is neither a GLB nor glTF JSON ({} bytes, starting {:?}): {REEXPORT}.",
                    bytes.len(),
                    lossy_start(bytes)
                ),
            ));
        };
        let rewritten = core_texture_sources(&json_bytes);
        let json_bytes = rewritten.as_deref().unwrap_or(&json_bytes);
        let root: Root = match json::deserialize::from_slice(json_bytes) {
            Ok(root) => root,
            Err(e) => {
                return Err(ModelReport::failed(
                    "",
                    format!("its glTF JSON cannot be read ({e}): {REEXPORT}."),
                ));
            }
        };
        Ok(Self {
            path: path.clone(),
            root,
            bin,
            rewritten: rewritten.is_some(),
        })
    }

    /// The files beside the model that it names (external buffers and images), each proven to
    /// stay inside the package. URIs that leave it are not listed ([`Self::check`] reports them).
    pub fn external_files(&self) -> Vec<PackagePath> {
        let mut scratch = ModelReport::default();
        let uris = self
            .root
            .buffers
            .iter()
            .enumerate()
            .filter_map(|(i, b)| b.uri.as_deref().map(|u| (format!("buffers[{i}].uri"), u)));
        let images = self
            .root
            .images
            .iter()
            .enumerate()
            .filter_map(|(i, im)| im.uri.as_deref().map(|u| (format!("images[{i}].uri"), u)));
        let mut files: Vec<PackagePath> = uris
            .chain(images)
            .filter_map(
                |(field, uri)| match self.resolve(&field, uri, &mut scratch) {
                    Source::File(p) => Some(p),
                    _ => None,
                },
            )
            .collect();
        files.sort();
        files.dedup();
        files
    }

    /// Checks the model against its bytes: `files` holds the bytes of what
    /// [`Self::external_files`] listed (a file missing from it is reported as missing).
    pub fn check(
        &self,
        files: &HashMap<PackagePath, Vec<u8>>,
        limits: &ModelLimits,
    ) -> ModelReport {
        self.check_and_decode(files, limits).0
    }

    /// [`Self::check`], and for a model with compressed geometry (`disan pack`'s levels) the plain
    /// GLB that Bevy's glTF loader reads in its place (see [`crate::compression`]). The plain
    /// document is what is checked, so what the loader gets has passed every check.
    pub fn check_and_decode(
        &self,
        files: &HashMap<PackagePath, Vec<u8>>,
        limits: &ModelLimits,
    ) -> (ModelReport, Option<Vec<u8>>) {
        let mut report = ModelReport::default();
        for ext in &self.root.extensions_required {
            if !SUPPORTED_REQUIRED_EXTENSIONS.contains(&ext.as_str())
                && !compression::DECODED_EXTENSIONS.contains(&ext.as_str())
            {
                report.error(
                    "extensionsRequired",
                    format!("the model requires the glTF extension {ext}, which this viewer cannot draw yet: export it without compression or quantization (plain glTF 2.0), or pack it with `disan pack`."),
                );
            }
        }
        if report.has_errors() {
            return (report, None);
        }
        if !compression::is_compressed(&self.root) {
            self.check_plain(files, limits, &mut report);
            // A rewritten document (KTX2 texture sources) is what the loader must read.
            let rewritten = (self.rewritten && !report.has_errors())
                .then(|| serde_json::to_vec(&self.root).ok())
                .flatten()
                .map(|json| compression::glb(&json, self.bin.as_deref().unwrap_or_default()));
            return (report, rewritten);
        }
        // The structure first (indices are followed while decoding), without the extensions
        // decoded here, which the glTF crate does not know.
        let mut structure = self.root.clone();
        structure
            .extensions_required
            .retain(|e| !compression::DECODED_EXTENSIONS.contains(&e.as_str()));
        if !validate_structure(&structure, &mut report) {
            return (report, None);
        }
        let buffers: Vec<Option<Cow<'_, [u8]>>> = (0..self.root.buffers.len())
            .map(|i| {
                if compression::is_fallback_buffer(&self.root.buffers[i]) {
                    None
                } else {
                    self.buffer_bytes(i, files, &mut report)
                }
            })
            .collect();
        if report.has_errors() {
            return (report, None);
        }
        let Some((root, bin)) = compression::decompress(&self.root, &buffers, &mut report) else {
            return (report, None);
        };
        let json = match serde_json::to_vec(&root) {
            Ok(json) => json,
            Err(e) => {
                report.error(
                    "",
                    format!("cannot be rewritten without compression ({e}): {REEXPORT}."),
                );
                return (report, None);
            }
        };
        let bytes = compression::glb(&json, &bin);
        match ModelFile::parse(&self.path, &bytes) {
            Ok(plain) => plain.check_plain(files, limits, &mut report),
            Err(r) => report.findings.extend(r.findings),
        }
        let decoded = (!report.has_errors()).then_some(bytes);
        (report, decoded)
    }

    fn check_plain(
        &self,
        files: &HashMap<PackagePath, Vec<u8>>,
        limits: &ModelLimits,
        report: &mut ModelReport,
    ) {
        let root = &self.root;
        if !validate_structure(root, report) {
            return;
        }
        let buffers: Vec<Option<Cow<'_, [u8]>>> = (0..root.buffers.len())
            .map(|i| self.buffer_bytes(i, files, report))
            .collect();
        let views: Vec<Option<&[u8]>> = root
            .buffer_views
            .iter()
            .enumerate()
            .map(|(i, v)| view_bytes(i, v, &buffers, root, report))
            .collect();
        for (i, accessor) in root.accessors.iter().enumerate() {
            check_accessor(i, accessor, root, &views, report);
        }
        if report.has_errors() {
            return;
        }
        self.check_meshes(&views, report);
        self.check_scene(report);
        self.check_images(&views, files, limits, report);
    }

    fn buffer_bytes<'s>(
        &'s self,
        i: usize,
        files: &'s HashMap<PackagePath, Vec<u8>>,
        report: &mut ModelReport,
    ) -> Option<Cow<'s, [u8]>> {
        let buffer = &self.root.buffers[i];
        let field = format!("buffers[{i}]");
        let data: Cow<'s, [u8]> = match buffer.uri.as_deref() {
            None if i == 0 => match &self.bin {
                Some(bin) => Cow::Borrowed(bin.as_ref()),
                None => {
                    report.error(
                        &field,
                        format!("has no uri and the file has no binary chunk: {REEXPORT}."),
                    );
                    return None;
                }
            },
            None => {
                report.error(
                    &field,
                    format!("has no uri (only the first buffer of a GLB may omit it): {REEXPORT}."),
                );
                return None;
            }
            Some(uri) => match self.resolve(&format!("{field}.uri"), uri, report) {
                Source::Embedded(bytes) => Cow::Owned(bytes),
                Source::File(path) => match files.get(&path) {
                    Some(bytes) => Cow::Borrowed(bytes.as_slice()),
                    None => {
                        report.error(format!("{field}.uri"), format!("names \"{path}\", which is not in the package: copy the file in beside the model."));
                        return None;
                    }
                },
                _ => return None,
            },
        };
        let declared = buffer.byte_length.0;
        if (data.len() as u64) < declared {
            report.error(
                format!("{field}.byteLength"),
                format!(
                    "says {declared} bytes but only {} are there: {REEXPORT}.",
                    data.len()
                ),
            );
            return None;
        }
        Some(data)
    }

    /// Where a URI leads: decoded data, a file inside the package, or a refusal (recorded).
    fn resolve<'r>(&self, field: &str, uri: &str, report: &mut ModelReport) -> Source<'r> {
        if let Some(rest) = uri.strip_prefix("data:") {
            let Some((meta, payload)) = rest.split_once(',') else {
                report.error(field, format!("is a data URI without a `,`: {REEXPORT}."));
                return Source::Refused;
            };
            if !meta.ends_with(";base64") {
                report.error(field, "is a data URI that is not base64: only base64 data URIs are read. Re-export as GLB.");
                return Source::Refused;
            }
            use base64::Engine as _;
            return match base64::engine::general_purpose::STANDARD.decode(payload.trim()) {
                Ok(bytes) => Source::Embedded(bytes),
                Err(e) => {
                    report.error(
                        field,
                        format!("holds data that is not valid base64 ({e}): {REEXPORT}."),
                    );
                    Source::Refused
                }
            };
        }
        let decoded = match percent_decode(uri) {
            Some(d) => d,
            None => {
                report.error(field, format!("\"{uri}\" has a broken %-escape or is not UTF-8: rename the file with plain letters and export again."));
                return Source::Refused;
            }
        };
        let dir = self.path.as_str().rsplit_once('/').map_or("", |(d, _)| d);
        let joined = if dir.is_empty() {
            decoded.clone()
        } else {
            format!("{dir}/{decoded}")
        };
        match check_package_path(&joined) {
            Ok(p) if !decoded.contains(['#', '?']) => Source::File(p),
            Ok(_) => {
                report.error(field, format!("\"{uri}\" contains `#` or `?`, which the viewer reads as part of an address: rename the file and export again."));
                Source::Refused
            }
            Err(why) => {
                report.error(field, format!("\"{uri}\" {why} A model's files must be inside its package, beside the model."));
                Source::Refused
            }
        }
    }

    fn check_meshes(&self, views: &[Option<&[u8]>], report: &mut ModelReport) {
        let root = &self.root;
        for (m, mesh) in root.meshes.iter().enumerate() {
            for (p, primitive) in mesh.primitives.iter().enumerate() {
                let field = format!("meshes[{m}].primitives[{p}]");
                let position = primitive
                    .attributes
                    .iter()
                    .find(|(s, _)| matches!(s, Checked::Valid(json::mesh::Semantic::Positions)));
                let Some((_, position)) = position else {
                    report.error(
                        format!("{field}.attributes"),
                        format!(
                            "has no POSITION attribute, so there is nothing to draw: {REEXPORT}."
                        ),
                    );
                    continue;
                };
                let vertices = root.accessors[position.value()].count.0;
                for (semantic, accessor) in &primitive.attributes {
                    let count = root.accessors[accessor.value()].count.0;
                    if count != vertices {
                        let name = match semantic {
                            Checked::Valid(s) => format!("{s:?}"),
                            Checked::Invalid => "?".into(),
                        };
                        report.error(
                            format!("{field}.attributes.{name}"),
                            format!("has {count} values for {vertices} vertices (accessors[{}]): every attribute needs one value per vertex. {REEXPORT}.", accessor.value()),
                        );
                    }
                }
                report.summary.vertices += vertices;
                let mode = match primitive.mode {
                    Checked::Valid(m) => m,
                    Checked::Invalid => json::mesh::Mode::Triangles,
                };
                let corners = match &primitive.indices {
                    Some(index) => {
                        let accessor = &root.accessors[index.value()];
                        if let Some(max) = max_index(accessor, views)
                            && max >= vertices
                        {
                            report.error(
                                format!("{field}.indices"),
                                format!("refers to vertex {max}, but the primitive has {vertices} vertices (indices in accessors[{}]): {REEXPORT}.", index.value()),
                            );
                        }
                        accessor.count.0
                    }
                    None => vertices,
                };
                if mode == json::mesh::Mode::Triangles {
                    if corners % 3 != 0 {
                        report.warning(&field, format!("has {corners} corners, not a multiple of 3: the last {} are ignored.", corners % 3));
                    }
                    report.summary.triangles += corners / 3;
                }
            }
        }
    }

    /// The viewer shows the first scene (as Bevy's `Scene0`): it must exist and hold a mesh. The
    /// nodes must form trees (glTF requires it): a node with two parents or a cycle of children
    /// would make the scene's spawning recurse without end.
    fn check_scene(&self, report: &mut ModelReport) {
        let root = &self.root;
        let mut parents = vec![0u32; root.nodes.len()];
        for node in &root.nodes {
            for child in node.children.iter().flatten() {
                parents[child.value()] += 1;
            }
        }
        if let Some(n) = parents.iter().position(|p| *p > 1) {
            report.error(
                format!("nodes[{n}]"),
                format!(
                    "is the child of {} nodes; glTF nodes must form trees. {REEXPORT}.",
                    parents[n]
                ),
            );
            return;
        }
        // With one parent at most, a node that is nobody's child starts a tree; a node never
        // reached from such a start is on a cycle.
        let mut reached = vec![false; root.nodes.len()];
        let mut stack: Vec<usize> = (0..root.nodes.len()).filter(|n| parents[*n] == 0).collect();
        while let Some(n) = stack.pop() {
            if !std::mem::replace(&mut reached[n], true) {
                stack.extend(
                    root.nodes[n]
                        .children
                        .iter()
                        .flatten()
                        .map(json::Index::value),
                );
            }
        }
        if let Some(n) = reached.iter().position(|r| !r) {
            report.error(format!("nodes[{n}].children"), format!("lead back to the node itself (a cycle); glTF nodes must form trees. {REEXPORT}."));
            return;
        }
        let Some(scene) = root.scenes.first() else {
            report.error("scenes", "the model has no scene, so the viewer has nothing to show: export the model with its scene (in Blender: File › Export › glTF 2.0).");
            return;
        };
        let mut seen = vec![false; root.nodes.len()];
        let mut stack: Vec<usize> = scene.nodes.iter().map(json::Index::value).collect();
        let mut meshes = 0;
        while let Some(n) = stack.pop() {
            // A node reached twice is a cycle or shared child; glTF forbids both, and a loop
            // here must never hang.
            if std::mem::replace(&mut seen[n], true) {
                continue;
            }
            let node = &root.nodes[n];
            if node.mesh.is_some() {
                meshes += 1;
            }
            stack.extend(node.children.iter().flatten().map(json::Index::value));
        }
        report.summary.meshes_in_scene = meshes;
        if meshes == 0 {
            report.error(
                "scenes[0]",
                "the model's scene holds no mesh, so there is nothing to draw: check that the export included the geometry (not only cameras, lights or empties).",
            );
        }
    }

    fn check_images(
        &self,
        views: &[Option<&[u8]>],
        files: &HashMap<PackagePath, Vec<u8>>,
        limits: &ModelLimits,
        report: &mut ModelReport,
    ) {
        let mut total: u64 = 0;
        for (i, image) in self.root.images.iter().enumerate() {
            let field = format!("images[{i}]");
            let source = match (&image.buffer_view, image.uri.as_deref()) {
                (Some(view), _) => Source::View(view),
                (None, Some(uri)) => self.resolve(&format!("{field}.uri"), uri, report),
                (None, None) => {
                    report.error(
                        &field,
                        format!("has neither a uri nor a bufferView: {REEXPORT}."),
                    );
                    continue;
                }
            };
            let bytes: &[u8] = match &source {
                Source::View(v) => match views[v.value()] {
                    Some(b) => b,
                    None => continue,
                },
                Source::Embedded(b) => b,
                Source::File(path) => match files.get(path) {
                    Some(b) => b,
                    None => {
                        report.error(format!("{field}.uri"), format!("names \"{path}\", which is not in the package: copy the texture in beside the model."));
                        continue;
                    }
                },
                Source::Refused => continue,
            };
            // A KTX2 goes to the GPU as it is: its whole structure is checked, not its header
            // alone (crate::ktx2_check says why).
            if crate::ktx2_check::is_ktx2(bytes)
                && let Err(why) = crate::ktx2_check::check_ktx2(bytes, limits.max_texture_dimension)
            {
                report.error(&field, format!("{why}."));
                continue;
            }
            match image_size(bytes) {
                Ok((w, h)) => {
                    report.summary.images.push((i, w, h));
                    let pixels = u64::from(w) * u64::from(h);
                    total += pixels;
                    if pixels > limits.max_image_pixels {
                        report.error(
                            &field,
                            format!(
                                "is {w}×{h} pixels ({} MiB decoded), more than this viewer can hold for one texture ({} MiB): export the texture at 8192×8192 or less.",
                                pixels * 4 >> 20,
                                limits.max_image_pixels * 4 >> 20
                            ),
                        );
                    } else if w.max(h) > limits.max_texture_dimension {
                        report.warning(
                            &field,
                            format!("is {w}×{h} pixels: where the largest texture allowed is {} (WebGL2 on many phones), it is shown downscaled.", limits.max_texture_dimension),

                        );
                    }
                }
                Err(why) => report.error(
                    &field,
                    format!("{why}: save the texture as PNG, JPEG or KTX2 and export again."),
                ),
            }
        }
        if total > limits.max_total_image_pixels && !report.has_errors() {
            report.error(
                "images",
                format!(
                    "the textures together are {} MiB decoded, more than this viewer can hold ({} MiB): use fewer or smaller textures (`disan pack` makes levels of detail).",
                    total * 4 >> 20,
                    limits.max_total_image_pixels * 4 >> 20
                ),
            );
        }
    }
}

/// gltf-json's own validation: every index refers to something that exists. `false` (with the
/// problems recorded) when the document's indices are not safe to follow.
fn validate_structure(root: &Root, report: &mut ModelReport) -> bool {
    // gltf-json 1.4 follows a primitive's POSITION accessor without checking that it exists
    // (and panics): checked here first, so a damaged model is reported, never a crash.
    let mut dangling = false;
    for (m, mesh) in root.meshes.iter().enumerate() {
        for (p, primitive) in mesh.primitives.iter().enumerate() {
            let position = primitive
                .attributes
                .get(&Checked::Valid(json::mesh::Semantic::Positions));
            if position.is_some_and(|a| a.value() >= root.accessors.len()) {
                report.error(
                    format!("meshes[{m}].primitives[{p}].attributes.POSITION"),
                    format!("refers to an item that does not exist: not valid glTF. {REEXPORT}."),
                );
                dangling = true;
            }
        }
    }
    if dangling {
        return false;
    }
    let mut invalid = Vec::new();
    json::validation::Validate::validate(root, root, json::Path::new, &mut |path, error| {
        invalid.push((path().0, error))
    });
    for (path, error) in invalid.iter().take(20) {
        use json::validation::Error;
        let what = match error {
            Error::Missing => "is missing, and glTF requires it",
            Error::IndexOutOfBounds => "refers to an item that does not exist",
            Error::Invalid => "has a value glTF does not allow",
            Error::Oversize => "is larger than the viewer can address",
            Error::Unsupported => "uses a glTF feature this viewer does not support",
        };
        report.error(path.clone(), format!("{what}: not valid glTF. {REEXPORT}."));
    }
    invalid.is_empty()
}

fn lossy_start(bytes: &[u8]) -> String {
    String::from_utf8_lossy(&bytes[..bytes.len().min(8)]).into_owned()
}

fn view_bytes<'b>(
    i: usize,
    view: &json::buffer::View,
    buffers: &'b [Option<Cow<'_, [u8]>>],
    root: &Root,
    report: &mut ModelReport,
) -> Option<&'b [u8]> {
    let buffer = buffers[view.buffer.value()].as_deref()?;
    let declared = root.buffers[view.buffer.value()].byte_length.0;
    let start = view.byte_offset.map_or(0, |o| o.0);
    let end = start.checked_add(view.byte_length.0);
    match end {
        Some(end) if end <= declared => Some(&buffer[start as usize..end as usize]),
        _ => {
            report.error(
                format!("bufferViews[{i}]"),
                format!(
                    "runs past the end of buffers[{}] (bytes {start} to {} of {declared}): {REEXPORT}.",
                    view.buffer.value(),
                    start.saturating_add(view.byte_length.0)
                ),
            );
            None
        }
    }
}

fn component_size(c: &Checked<json::accessor::GenericComponentType>) -> Option<u64> {
    match c {
        Checked::Valid(t) => Some(t.0.size() as u64),
        Checked::Invalid => None,
    }
}

fn check_accessor(
    i: usize,
    accessor: &json::Accessor,
    root: &Root,
    views: &[Option<&[u8]>],
    report: &mut ModelReport,
) {
    let field = format!("accessors[{i}]");
    let (Some(component), Checked::Valid(kind)) =
        (component_size(&accessor.component_type), &accessor.type_)
    else {
        return;
    };
    let element = component * kind.multiplicity() as u64;
    let count = accessor.count.0;
    if count == 0 {
        report.error(
            format!("{field}.count"),
            format!("is 0: an accessor must hold at least one value. {REEXPORT}."),
        );
        return;
    }
    if let Some(view_index) = &accessor.buffer_view {
        let view = &root.buffer_views[view_index.value()];
        let stride = view.byte_stride.map_or(element, |s| s.0 as u64);
        let offset = accessor.byte_offset.map_or(0, |o| o.0);
        let needed = (count - 1)
            .checked_mul(stride)
            .and_then(|n| n.checked_add(offset))
            .and_then(|n| n.checked_add(element));
        match needed {
            Some(n) if n <= view.byte_length.0 => {}
            _ => report.error(
                &field,
                format!(
                    "reads past the end of bufferViews[{}]: {count} values of {element} bytes from byte {offset} need {} bytes, the view has {}. {REEXPORT}.",
                    view_index.value(),
                    needed.map_or_else(|| "more than 2^64".to_owned(), |n| n.to_string()),
                    view.byte_length.0
                ),
            ),
        }
        if views[view_index.value()].is_none() {
            return;
        }
    }
    if let Some(sparse) = &accessor.sparse {
        let n = sparse.count.0;
        let index_size = match &sparse.indices.component_type {
            Checked::Valid(t) => t.0.size() as u64,
            Checked::Invalid => return,
        };
        for (what, view, offset, size) in [
            (
                "indices",
                &sparse.indices.buffer_view,
                sparse.indices.byte_offset.0,
                index_size,
            ),
            (
                "values",
                &sparse.values.buffer_view,
                sparse.values.byte_offset.0,
                element,
            ),
        ] {
            let len = root.buffer_views[view.value()].byte_length.0;
            if n.checked_mul(size)
                .and_then(|b| b.checked_add(offset))
                .is_none_or(|end| end > len)
            {
                report.error(
                    format!("{field}.sparse.{what}"),
                    format!(
                        "reads past the end of bufferViews[{}]: {REEXPORT}.",
                        view.value()
                    ),
                );
            }
        }
    }
}

/// The largest index an index accessor holds, read from its bytes (`None`: not readable here,
/// already reported).
fn max_index(accessor: &json::Accessor, views: &[Option<&[u8]>]) -> Option<u64> {
    let view = views
        .get(accessor.buffer_view.as_ref()?.value())
        .copied()
        .flatten()?;
    let size = component_size(&accessor.component_type)? as usize;
    let offset = accessor.byte_offset.map_or(0, |o| o.0) as usize;
    let count = accessor.count.0 as usize;
    // Index views are tightly packed (glTF forbids a stride on them); a stride is ignored.
    let bytes = view.get(offset..offset.checked_add(count.checked_mul(size)?)?)?;
    let max = match size {
        1 => bytes.iter().copied().max().map(u64::from),
        2 => bytes
            .chunks_exact(2)
            .map(|c| u16::from_le_bytes([c[0], c[1]]))
            .max()
            .map(u64::from),
        4 => bytes
            .chunks_exact(4)
            .map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]]))
            .max()
            .map(u64::from),
        _ => None,
    };
    max
}

/// The pixel size of a PNG, JPEG or KTX2 image, read from its header (nothing is decoded).
pub fn image_size(bytes: &[u8]) -> Result<(u32, u32), String> {
    let kind = match imagesize::image_type(bytes) {
        Ok(kind) => kind,
        Err(_) => {
            return Err(format!(
                "is not an image this viewer reads ({} bytes, starting {:?})",
                bytes.len(),
                lossy_start(bytes)
            ));
        }
    };
    if !matches!(
        kind,
        imagesize::ImageType::Png | imagesize::ImageType::Jpeg | imagesize::ImageType::Ktx2
    ) {
        return Err(format!(
            "is a {kind:?} image, which the viewer does not read"
        ));
    }
    let size =
        imagesize::blob_size(bytes).map_err(|e| format!("has an unreadable image header ({e})"))?;
    let (w, h) = (
        u32::try_from(size.width).unwrap_or(u32::MAX),
        u32::try_from(size.height).unwrap_or(u32::MAX),
    );
    if w == 0 || h == 0 {
        return Err(format!("says it is {w}×{h} pixels"));
    }
    Ok((w, h))
}

/// `%xx` escapes decoded (glTF URIs are URI references); `None` for a broken escape or non-UTF-8.
fn percent_decode(uri: &str) -> Option<String> {
    let bytes = uri.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// A self-contained GLB as the `gltf` crate and Bevy's loader read it: checked, and with
/// compressed geometry decoded (see [`crate::compression`]); a plain GLB comes back as it is.
/// For tools and tests that read what `disan pack` writes.
pub fn plain_glb(bytes: &[u8]) -> Result<Cow<'_, [u8]>, ModelReport> {
    let path = check_package_path("model.glb").expect("a plain file name");
    let file = ModelFile::parse(&path, bytes)?;
    let (report, decoded) = file.check_and_decode(&HashMap::new(), &ModelLimits::NATIVE);
    if report.has_errors() {
        return Err(report);
    }
    Ok(decoded.map_or(Cow::Borrowed(bytes), Cow::Owned))
}

/// Checks a model read from disk (for `disan validate`): its external files are read from the
/// package folder, those that leave the package are refused without being opened.
pub fn check_model_on_disk(
    package_root: &Path,
    model: &PackagePath,
    limits: &ModelLimits,
) -> ModelReport {
    let bytes = match std::fs::read(package_root.join(model.as_str())) {
        Ok(b) => b,
        Err(e) => return ModelReport::failed("", format!("cannot be read: {e}.")),
    };
    let file = match ModelFile::parse(model, &bytes) {
        Ok(f) => f,
        Err(report) => return report,
    };
    let canonical_root = package_root.canonicalize().ok();
    let mut files = HashMap::new();
    for path in file.external_files() {
        let full = package_root.join(path.as_str());
        // A link inside the package may still lead out of it.
        if let (Some(root), Ok(real)) = (&canonical_root, full.canonicalize())
            && !real.starts_with(root)
        {
            continue;
        }
        if let Ok(bytes) = std::fs::read(&full) {
            files.insert(path, bytes);
        }
    }
    file.check(&files, limits)
}
