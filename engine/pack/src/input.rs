//! Reading a scan as the scanning software exported it: glTF/GLB (the `gltf` crate, after the
//! same model check the viewer runs), OBJ with its MTL and textures (`tobj`), PLY with vertex
//! colours (`ply-rs-bw`). Everything becomes one [`Scan`]: triangle meshes, one per material,
//! in the source's own frame and unit, positions in f64 (survey software exports projected
//! coordinates such as UTM eastings of 600 000 m, which f32 would round to 6 cm).

use std::collections::HashMap;
use std::io::BufRead;
use std::path::{Path, PathBuf};

use crate::progress::Progress;

/// The file formats `disan pack` reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SourceFormat {
    Gltf,
    Obj,
    Ply,
    /// A flat scan (TIFF, PNG, JPEG): a document, packed by [`crate::document`].
    Image,
}

impl SourceFormat {
    pub fn of(path: &Path) -> Option<Self> {
        let ext = path.extension()?.to_str()?.to_ascii_lowercase();
        match ext.as_str() {
            "glb" | "gltf" => Some(Self::Gltf),
            "obj" => Some(Self::Obj),
            "ply" => Some(Self::Ply),
            "tif" | "tiff" | "png" | "jpg" | "jpeg" => Some(Self::Image),
            _ => None,
        }
    }
    pub fn name(self) -> &'static str {
        match self {
            Self::Gltf => "glTF",
            Self::Obj => "OBJ",
            Self::Ply => "PLY",
            Self::Image => "image",
        }
    }
    /// glTF fixes metres and +Y up; OBJ and PLY say nothing about either.
    pub fn states_unit_and_up(self) -> bool {
        matches!(self, Self::Gltf | Self::Image)
    }
}

/// Where a texture's bytes are.
#[derive(Clone, Debug)]
pub enum TextureSource {
    File(PathBuf),
    /// Inside the glTF (a buffer view or a data: URI), with a name for messages.
    Embedded {
        bytes: std::sync::Arc<Vec<u8>>,
        name: String,
    },
}

/// The texture maps of a glTF material besides the base colour, carried through every level
/// (a model that was given a normal map keeps its relief at every level).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TextureSlot {
    Normal,
    MetallicRoughness,
    Occlusion,
    Emissive,
}

#[derive(Clone, Debug)]
pub struct Material {
    pub name: String,
    /// Linear RGBA.
    pub base_color: [f32; 4],
    /// The base colour texture.
    pub texture: Option<TextureSource>,
    /// Normal, metallic-roughness, occlusion and emissive maps (glTF input only: an OBJ's
    /// bump map is a height map, not a normal map).
    pub maps: Vec<(TextureSlot, TextureSource)>,
    /// Scans have their light baked in: not metallic, fully rough, unless the file says.
    pub metallic: f32,
    pub roughness: f32,
    pub normal_scale: f32,
    pub emissive: [f32; 3],
    pub double_sided: bool,
    /// How the textures wrap (glTF `wrapS`, `wrapT`): a tiling material repeats; a scan's
    /// texture atlas is clamped (OBJ and PLY say nothing; their coordinates stay inside).
    pub wrap: [u32; 2],
}

/// glTF's CLAMP_TO_EDGE.
pub const CLAMP_TO_EDGE: u32 = 33071;

impl Default for Material {
    fn default() -> Self {
        Self {
            name: "scan".into(),
            base_color: [1.0; 4],
            texture: None,
            maps: Vec::new(),
            metallic: 0.0,
            roughness: 1.0,
            normal_scale: 1.0,
            emissive: [0.0; 3],
            double_sided: false,
            wrap: [CLAMP_TO_EDGE; 2],
        }
    }
}

/// Triangles sharing one material.
#[derive(Clone, Debug, Default)]
pub struct Mesh {
    pub positions: Vec<[f64; 3]>,
    pub normals: Option<Vec<[f32; 3]>>,
    pub uvs: Option<Vec<[f32; 2]>>,
    /// Linear RGBA per vertex.
    pub colors: Option<Vec<[f32; 4]>>,
    pub indices: Vec<u32>,
    pub material: Material,
}

impl Mesh {
    pub fn triangles(&self) -> usize {
        self.indices.len() / 3
    }
}

/// A scan as read.
#[derive(Clone, Debug)]
pub struct Scan {
    pub format: SourceFormat,
    pub meshes: Vec<Mesh>,
    /// What made the file, where it says (glTF `asset.generator`, OBJ/PLY comments).
    pub generator: Option<String>,
    pub copyright: Option<String>,
    /// Things staff should know that did not stop the read.
    pub warnings: Vec<String>,
}

impl Scan {
    pub fn counts(&self) -> (u64, u64) {
        let t = self.meshes.iter().map(|m| m.triangles() as u64).sum();
        let v = self.meshes.iter().map(|m| m.positions.len() as u64).sum();
        (t, v)
    }

    /// The box around every vertex, as f32 (call after normalising).
    pub fn bounds(&self) -> ([f32; 3], [f32; 3]) {
        let mut min = [f64::MAX; 3];
        let mut max = [f64::MIN; 3];
        for p in self.meshes.iter().flat_map(|m| m.positions.iter()) {
            for i in 0..3 {
                min[i] = min[i].min(p[i]);
                max[i] = max[i].max(p[i]);
            }
        }
        if min[0] > max[0] {
            return ([0.0; 3], [0.0; 3]);
        }
        (min.map(|v| v as f32), max.map(|v| v as f32))
    }
}

/// Why a scan could not be read, in terms staff can act on.
#[derive(Debug, thiserror::Error)]
pub enum InputError {
    #[error("{}: cannot be read ({source}); check the path", path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{}: is not a scan disan pack reads: give a .glb, .gltf, .obj or .ply mesh, a .las, .laz, .e57 or .ply point cloud, a .tif, .png or .jpg image (a document scan, or a 360° panorama), a .mp4, .mov, .mkv, .webm, .avi or .mts recording, or a .wav, .flac, .mp3, .ogg, .opus or .m4a sound recording", .0.display())]
    UnknownFormat(PathBuf),
    #[error("{}: {field}: {message}", path.display())]
    Broken {
        path: PathBuf,
        field: String,
        message: String,
    },
}

pub fn read(path: &Path, progress: &Progress) -> Result<Scan, InputError> {
    let format =
        SourceFormat::of(path).ok_or_else(|| InputError::UnknownFormat(path.to_owned()))?;
    if !path.is_file() {
        return Err(InputError::Io {
            path: path.to_owned(),
            source: std::io::Error::new(std::io::ErrorKind::NotFound, "no such file"),
        });
    }
    let mut scan = match format {
        SourceFormat::Gltf => read_gltf(path)?,
        SourceFormat::Obj => read_obj(path, progress)?,
        SourceFormat::Ply => read_ply(path)?,
        // An image is a document scan, packed into a tile pyramid by `crate::document`; it
        // never reaches here through `pack_scan`.
        SourceFormat::Image => {
            return Err(InputError::Broken {
                path: path.to_owned(),
                field: String::new(),
                message: "is an image, not a mesh: pack it with `--as document`".into(),
            });
        }
    };
    scan.meshes.retain(|m| !m.indices.is_empty());
    for mesh in &mut scan.meshes {
        check_mesh(path, mesh)?;
    }
    Ok(scan)
}

fn broken(path: &Path, field: impl Into<String>, message: impl Into<String>) -> InputError {
    InputError::Broken {
        path: path.to_owned(),
        field: field.into(),
        message: message.into(),
    }
}

/// Every index in range, every number finite, attribute arrays as long as the positions.
/// A scan is often the result of hours of work in other software; what is wrong with it is
/// said here, before minutes of packing.
fn check_mesh(path: &Path, mesh: &mut Mesh) -> Result<(), InputError> {
    let n = mesh.positions.len();
    if mesh.indices.len() % 3 != 0 {
        return Err(broken(
            path,
            &mesh.material.name,
            "has faces that are not triangles after reading; export triangulated faces",
        ));
    }
    if let Some(i) = mesh.indices.iter().position(|&i| i as usize >= n) {
        return Err(broken(
            path,
            &mesh.material.name,
            format!(
                "face corner {i} uses vertex {} but there are only {n} vertices: the file is damaged, export it again",
                mesh.indices[i]
            ),
        ));
    }
    if let Some(i) = mesh
        .positions
        .iter()
        .position(|p| !p.iter().all(|c| c.is_finite()))
    {
        return Err(broken(
            path,
            &mesh.material.name,
            format!(
                "vertex {i} has a position that is not a number (NaN or infinite): the file is damaged, export it again"
            ),
        ));
    }
    if mesh.normals.as_ref().is_some_and(|v| v.len() != n) {
        mesh.normals = None;
    }
    if mesh.uvs.as_ref().is_some_and(|v| v.len() != n) {
        mesh.uvs = None;
    }
    if mesh.colors.as_ref().is_some_and(|v| v.len() != n) {
        mesh.colors = None;
    }
    // Degenerate triangles (two corners on one vertex) add nothing and upset simplification.
    let mut kept = Vec::with_capacity(mesh.indices.len());
    for t in mesh.indices.chunks_exact(3) {
        if t[0] != t[1] && t[1] != t[2] && t[0] != t[2] {
            kept.extend_from_slice(t);
        }
    }
    mesh.indices = kept;
    Ok(())
}

/// sRGB 0–1 to linear, for vertex colours (glTF's COLOR_0 is linear).
pub fn srgb_to_linear(c: f32) -> f32 {
    if c <= 0.04045 {
        c / 12.92
    } else {
        ((c + 0.055) / 1.055).powf(2.4)
    }
}

// ---------------------------------------------------------------------------------------------
// glTF

fn read_gltf(path: &Path) -> Result<Scan, InputError> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or("scan.glb");
    // The viewer's own check first: broken buffers, indices out of range and URIs leaving the
    // folder are named with their glTF field, in the words the validator uses.
    let limits = disan_format::ModelLimits {
        max_image_pixels: 32768 * 32768,
        max_total_image_pixels: 16 * 32768 * 32768,
        max_texture_dimension: 32768,
    };
    if let Ok(model) = disan_format::check_package_path(name) {
        let report = disan_format::check_model_on_disk(dir, &model, &limits);
        if let Some(e) = report.errors().next() {
            return Err(broken(path, e.field.clone(), e.message.clone()));
        }
    }
    let bytes = std::fs::read(path).map_err(|source| InputError::Io {
        path: path.to_owned(),
        source,
    })?;
    // A compressed GLB (gltfpack -cc, or a level pack wrote) is read through the viewer's decoder.
    let bytes = match disan_format::plain_glb(&bytes) {
        Ok(std::borrow::Cow::Owned(plain)) => plain,
        _ => bytes,
    };
    let gltf = gltf::Gltf::from_slice(&bytes).map_err(|e| {
        broken(
            path,
            "",
            format!("is not readable glTF ({e}); export it again as glTF 2.0"),
        )
    })?;
    let mut buffers: Vec<Vec<u8>> = Vec::new();
    for buffer in gltf.buffers() {
        let data = match buffer.source() {
            gltf::buffer::Source::Bin => gltf.blob.clone().unwrap_or_default(),
            gltf::buffer::Source::Uri(uri) => {
                read_uri(path, dir, uri, &format!("buffers[{}].uri", buffer.index()))?
            }
        };
        buffers.push(data);
    }
    let mut warnings = Vec::new();
    let mut materials: HashMap<Option<usize>, Material> = HashMap::new();
    let mut meshes: Vec<Mesh> = Vec::new();
    let scene = gltf
        .default_scene()
        .or_else(|| gltf.scenes().next())
        .ok_or_else(|| {
            broken(
                path,
                "scenes",
                "has no scene: export the model with its scene",
            )
        })?;
    let mut stack: Vec<(gltf::Node, [[f64; 4]; 4])> =
        scene.nodes().map(|n| (n, IDENTITY)).collect();
    let mut visited = 0usize;
    while let Some((node, parent)) = stack.pop() {
        visited += 1;
        if visited > gltf.nodes().len() * 4 + 16 {
            break; // a cycle; the model check above names it
        }
        let local = node.transform().matrix().map(|c| c.map(f64::from));
        let world = mat_mul(&parent, &local);
        if let Some(mesh) = node.mesh() {
            for (pi, prim) in mesh.primitives().enumerate() {
                if prim.mode() != gltf::mesh::Mode::Triangles {
                    warnings.push(format!("meshes[{}].primitives[{pi}]: is not made of triangles ({:?}) and is left out", mesh.index(), prim.mode()));
                    continue;
                }
                let reader = prim.reader(|b| buffers.get(b.index()).map(|d| d.as_slice()));
                let Some(positions) = reader.read_positions() else {
                    continue;
                };
                let positions: Vec<[f64; 3]> =
                    positions.map(|p| transform_point(&world, p)).collect();
                let normal_matrix = normal_matrix(&world);
                let normals = reader
                    .read_normals()
                    .map(|n| n.map(|v| transform_normal(&normal_matrix, v)).collect());
                let uvs = reader.read_tex_coords(0).map(|t| t.into_f32().collect());
                let colors = reader.read_colors(0).map(|c| c.into_rgba_f32().collect());
                let indices: Vec<u32> = match reader.read_indices() {
                    Some(i) => i.into_u32().collect(),
                    None => (0..positions.len() as u32).collect(),
                };
                let key = prim.material().index();
                let material = materials
                    .entry(key)
                    .or_insert_with(|| gltf_material(&prim.material(), &buffers, dir, path))
                    .clone();
                let mut m = Mesh {
                    positions,
                    normals,
                    uvs,
                    colors,
                    indices,
                    material,
                };
                if det3(&world) < 0.0 {
                    // A mirroring transform turns the winding inside out.
                    for t in m.indices.chunks_exact_mut(3) {
                        t.swap(1, 2);
                    }
                }
                merge_into(&mut meshes, m);
            }
        }
        for child in node.children() {
            stack.push((child, world));
        }
    }
    let generator = gltf.document.as_json().asset.generator.clone();
    let copyright = gltf.document.as_json().asset.copyright.clone();
    Ok(Scan {
        format: SourceFormat::Gltf,
        meshes,
        generator,
        copyright,
        warnings,
    })
}

/// Meshes with one material become one mesh: simplification then works across the parts.
fn merge_into(meshes: &mut Vec<Mesh>, m: Mesh) {
    let same = meshes.iter_mut().find(|x| {
        x.material.name == m.material.name
            && x.normals.is_some() == m.normals.is_some()
            && x.uvs.is_some() == m.uvs.is_some()
            && x.colors.is_some() == m.colors.is_some()
    });
    match same {
        Some(x) => {
            let base = x.positions.len() as u32;
            x.positions.extend(m.positions);
            if let (Some(a), Some(b)) = (&mut x.normals, m.normals) {
                a.extend(b);
            }
            if let (Some(a), Some(b)) = (&mut x.uvs, m.uvs) {
                a.extend(b);
            }
            if let (Some(a), Some(b)) = (&mut x.colors, m.colors) {
                a.extend(b);
            }
            x.indices.extend(m.indices.iter().map(|i| i + base));
        }
        None => meshes.push(m),
    }
}

fn gltf_material(
    material: &gltf::Material,
    buffers: &[Vec<u8>],
    dir: &Path,
    path: &Path,
) -> Material {
    let pbr = material.pbr_metallic_roughness();
    let source = |texture: gltf::Texture| gltf_texture(texture, buffers, dir, path);
    let texture = pbr
        .base_color_texture()
        .and_then(|info| source(info.texture()));
    let mut maps = Vec::new();
    if let Some(n) = material
        .normal_texture()
        .and_then(|info| source(info.texture()))
    {
        maps.push((TextureSlot::Normal, n));
    }
    if let Some(mr) = pbr
        .metallic_roughness_texture()
        .and_then(|info| source(info.texture()))
    {
        maps.push((TextureSlot::MetallicRoughness, mr));
    }
    if let Some(o) = material
        .occlusion_texture()
        .and_then(|info| source(info.texture()))
    {
        maps.push((TextureSlot::Occlusion, o));
    }
    if let Some(e) = material
        .emissive_texture()
        .and_then(|info| source(info.texture()))
    {
        maps.push((TextureSlot::Emissive, e));
    }
    Material {
        name: material
            .name()
            .map(str::to_owned)
            .unwrap_or_else(|| format!("material-{}", material.index().map_or(-1, |i| i as i64))),
        base_color: pbr.base_color_factor(),
        texture,
        maps,
        metallic: pbr.metallic_factor(),
        roughness: pbr.roughness_factor(),
        normal_scale: material.normal_texture().map_or(1.0, |n| n.scale()),
        emissive: material.emissive_factor(),
        double_sided: material.double_sided(),
        wrap: pbr.base_color_texture().map_or([CLAMP_TO_EDGE; 2], |info| {
            let sampler = info.texture().sampler();
            [sampler.wrap_s().as_gl_enum(), sampler.wrap_t().as_gl_enum()]
        }),
    }
}

fn gltf_texture(
    texture: gltf::Texture,
    buffers: &[Vec<u8>],
    dir: &Path,
    path: &Path,
) -> Option<TextureSource> {
    {
        let image = texture.source();
        match image.source() {
            gltf::image::Source::View { view, .. } => {
                let buffer = buffers.get(view.buffer().index())?;
                let bytes = buffer
                    .get(view.offset()..view.offset() + view.length())?
                    .to_vec();
                Some(TextureSource::Embedded {
                    bytes: std::sync::Arc::new(bytes),
                    name: format!("images[{}]", image.index()),
                })
            }
            gltf::image::Source::Uri { uri, .. } => {
                if uri.starts_with("data:") {
                    let bytes = read_uri(path, dir, uri, "images").ok()?;
                    Some(TextureSource::Embedded {
                        bytes: std::sync::Arc::new(bytes),
                        name: format!("images[{}]", image.index()),
                    })
                } else {
                    Some(TextureSource::File(dir.join(percent_decode(uri))))
                }
            }
        }
    }
}

fn read_uri(path: &Path, dir: &Path, uri: &str, field: &str) -> Result<Vec<u8>, InputError> {
    if let Some(rest) = uri.strip_prefix("data:") {
        let (_, data) = rest
            .split_once(";base64,")
            .ok_or_else(|| broken(path, field, "a data: URI that is not base64"))?;
        use base64::Engine;
        return base64::engine::general_purpose::STANDARD
            .decode(data)
            .map_err(|e| {
                broken(
                    path,
                    field,
                    format!("a data: URI that does not decode ({e})"),
                )
            });
    }
    let file = dir.join(percent_decode(uri));
    std::fs::read(&file).map_err(|source| InputError::Io { path: file, source })
}

fn percent_decode(uri: &str) -> String {
    let bytes = uri.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && i + 2 < bytes.len()
            && let Ok(v) = u8::from_str_radix(&uri[i + 1..i + 3], 16)
        {
            out.push(v);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

const IDENTITY: [[f64; 4]; 4] = [
    [1.0, 0.0, 0.0, 0.0],
    [0.0, 1.0, 0.0, 0.0],
    [0.0, 0.0, 1.0, 0.0],
    [0.0, 0.0, 0.0, 1.0],
];

/// Column-major 4×4 (glTF's order): `a · b`.
fn mat_mul(a: &[[f64; 4]; 4], b: &[[f64; 4]; 4]) -> [[f64; 4]; 4] {
    let mut out = [[0.0; 4]; 4];
    for (c, col) in out.iter_mut().enumerate() {
        for (r, v) in col.iter_mut().enumerate() {
            *v = (0..4).map(|k| a[k][r] * b[c][k]).sum();
        }
    }
    out
}

fn transform_point(m: &[[f64; 4]; 4], p: [f32; 3]) -> [f64; 3] {
    let p = p.map(f64::from);
    std::array::from_fn(|r| m[0][r] * p[0] + m[1][r] * p[1] + m[2][r] * p[2] + m[3][r])
}

fn det3(m: &[[f64; 4]; 4]) -> f64 {
    m[0][0] * (m[1][1] * m[2][2] - m[2][1] * m[1][2])
        - m[1][0] * (m[0][1] * m[2][2] - m[2][1] * m[0][2])
        + m[2][0] * (m[0][1] * m[1][2] - m[1][1] * m[0][2])
}

/// The inverse transpose of the upper 3×3, for normals under non-uniform scale.
fn normal_matrix(m: &[[f64; 4]; 4]) -> [[f64; 3]; 3] {
    let a = |c: usize, r: usize| m[c][r];
    let det = det3(m);
    let inv_det = if det.abs() > 1e-300 { 1.0 / det } else { 1.0 };
    // cofactor matrix = (inverse)^T * det
    let mut out = [[0.0; 3]; 3];
    for c in 0..3 {
        for r in 0..3 {
            let (c1, c2) = ((c + 1) % 3, (c + 2) % 3);
            let (r1, r2) = ((r + 1) % 3, (r + 2) % 3);
            out[c][r] = (a(c1, r1) * a(c2, r2) - a(c2, r1) * a(c1, r2)) * inv_det;
        }
    }
    out
}

fn transform_normal(m: &[[f64; 3]; 3], n: [f32; 3]) -> [f32; 3] {
    let n = n.map(f64::from);
    let v: [f64; 3] = std::array::from_fn(|r| m[0][r] * n[0] + m[1][r] * n[1] + m[2][r] * n[2]);
    let len = (v[0] * v[0] + v[1] * v[1] + v[2] * v[2]).sqrt().max(1e-30);
    v.map(|c| (c / len) as f32)
}

// ---------------------------------------------------------------------------------------------
// OBJ

fn read_obj(path: &Path, progress: &Progress) -> Result<Scan, InputError> {
    let options = tobj::LoadOptions {
        triangulate: true,
        single_index: true,
        ignore_points: true,
        ignore_lines: true,
        ..Default::default()
    };
    progress.fraction(0.1);
    let (models, materials) = tobj::load_obj(path, &options).map_err(|e| {
        broken(
            path,
            "",
            format!("is not a readable OBJ ({e}); export it again"),
        )
    })?;
    let dir = path.parent().unwrap_or(Path::new("."));
    let mut warnings = Vec::new();
    let materials = match materials {
        Ok(m) => m,
        Err(e) => {
            warnings.push(format!("{}: its material library (MTL) cannot be read ({e}): the scan is packed without its textures. Put the .mtl and its images beside the .obj", path.display()));
            Vec::new()
        }
    };
    let mut meshes = Vec::new();
    for model in models {
        let m = model.mesh;
        let material = match m.material_id.and_then(|i| materials.get(i)) {
            Some(mat) => {
                let texture = mat.diffuse_texture.as_ref().map(|t| {
                    // MTL texture statements may carry options before the file name (`-bm 1 file.jpg`).
                    let file = t.split_whitespace().last().unwrap_or(t).replace('\\', "/");
                    TextureSource::File(dir.join(file))
                });
                let diffuse = mat
                    .diffuse
                    .map(|d| [d[0] as f32, d[1] as f32, d[2] as f32])
                    .unwrap_or([1.0; 3]);
                // A textured MTL usually says Kd 0.8 or so for viewers without textures; the
                // texture is the colour.
                let base = if texture.is_some() {
                    [1.0; 3]
                } else {
                    diffuse.map(srgb_to_linear)
                };
                Material {
                    name: mat.name.clone(),
                    base_color: [
                        base[0],
                        base[1],
                        base[2],
                        mat.dissolve.map_or(1.0, |d| d as f32),
                    ],
                    texture,
                    ..Material::default()
                }
            }
            None => Material::default(),
        };
        let positions: Vec<[f64; 3]> = m
            .positions
            .chunks_exact(3)
            .map(|p| [f64::from(p[0]), f64::from(p[1]), f64::from(p[2])])
            .collect();
        let normals = (!m.normals.is_empty()).then(|| {
            m.normals
                .chunks_exact(3)
                .map(|n| [n[0] as f32, n[1] as f32, n[2] as f32])
                .collect()
        });
        // OBJ's v runs up the image; glTF's runs down.
        let uvs = (!m.texcoords.is_empty()).then(|| {
            m.texcoords
                .chunks_exact(2)
                .map(|t| [t[0] as f32, 1.0 - t[1] as f32])
                .collect()
        });
        let colors = (!m.vertex_color.is_empty()).then(|| {
            m.vertex_color
                .chunks_exact(3)
                .map(|c| {
                    [
                        srgb_to_linear(c[0] as f32),
                        srgb_to_linear(c[1] as f32),
                        srgb_to_linear(c[2] as f32),
                        1.0,
                    ]
                })
                .collect()
        });
        merge_into(
            &mut meshes,
            Mesh {
                positions,
                normals,
                uvs,
                colors,
                indices: m.indices,
                material,
            },
        );
    }
    let generator = header_comment(path, "#");
    Ok(Scan {
        format: SourceFormat::Obj,
        meshes,
        generator,
        copyright: None,
        warnings,
    })
}

/// The first comment line that names software, from the top of a text file
/// (`# Agisoft Metashape`, `comment Created by RealityCapture`).
fn header_comment(path: &Path, prefix: &str) -> Option<String> {
    let file = std::fs::File::open(path).ok()?;
    let reader = std::io::BufReader::new(file);
    for line in reader.split(b'\n').take(40) {
        let line = line.ok()?;
        let line = String::from_utf8_lossy(&line);
        let line = line.trim();
        if line == "end_header" {
            break;
        }
        if let Some(c) = line.strip_prefix(prefix) {
            let c = c.trim();
            let lower = c.to_ascii_lowercase();
            if [
                "metashape",
                "photoscan",
                "realitycapture",
                "reality capture",
                "meshroom",
                "cloudcompare",
                "blender",
                "3dsmax",
                "meshlab",
                "pix4d",
                "context",
                "faro",
                "leica",
                "trimble",
                "riegl",
                "artec",
                "created by",
                "exported",
                "generated",
                "disan",
            ]
            .iter()
            .any(|k| lower.contains(k))
            {
                return Some(c.to_owned());
            }
        }
    }
    None
}

// ---------------------------------------------------------------------------------------------
// PLY

#[derive(Default)]
struct PlyVertex {
    p: [f64; 3],
    n: [f32; 3],
    has_n: u8,
    c: [f32; 4],
    has_c: u8,
    uv: [f32; 2],
    has_uv: u8,
}

impl ply_rs_bw::ply::PropertyAccess for PlyVertex {
    fn new() -> Self {
        Self {
            c: [1.0; 4],
            ..Default::default()
        }
    }
    fn set_property(
        &mut self,
        name: &str,
        property: ply_rs_bw::ply::Property,
    ) -> ply_rs_bw::ply::PropertyAccessResult {
        use ply_rs_bw::ply::Property as P;
        let v: f64 = match property {
            P::Float(v) => f64::from(v),
            P::Double(v) => v,
            P::UChar(v) => f64::from(v),
            P::Char(v) => f64::from(v),
            P::UShort(v) => f64::from(v),
            P::Short(v) => f64::from(v),
            P::Int(v) => f64::from(v),
            P::UInt(v) => f64::from(v),
            _ => return ply_rs_bw::ply::PropertyAccessResult::Ignored,
        };
        let is_byte = matches!(property, P::UChar(_));
        let colour = |v: f64| {
            if is_byte {
                (v / 255.0) as f32
            } else {
                v as f32
            }
        };
        match name {
            "x" => self.p[0] = v,
            "y" => self.p[1] = v,
            "z" => self.p[2] = v,
            "nx" => (self.n[0], self.has_n) = (v as f32, 1),
            "ny" => self.n[1] = v as f32,
            "nz" => self.n[2] = v as f32,
            "red" | "r" | "diffuse_red" => (self.c[0], self.has_c) = (colour(v), 1),
            "green" | "g" | "diffuse_green" => self.c[1] = colour(v),
            "blue" | "b" | "diffuse_blue" => self.c[2] = colour(v),
            "alpha" | "a" => self.c[3] = colour(v),
            "s" | "u" | "texture_u" => (self.uv[0], self.has_uv) = (v as f32, 1),
            "t" | "v" | "texture_v" => self.uv[1] = v as f32,
            _ => return ply_rs_bw::ply::PropertyAccessResult::Ignored,
        }
        ply_rs_bw::ply::PropertyAccessResult::Set
    }
}

#[derive(Default)]
struct PlyFace {
    corners: Vec<u32>,
    /// Per-corner texture coordinates (`texcoord` lists, as Metashape and MeshLab write).
    texcoords: Vec<f32>,
}

impl ply_rs_bw::ply::PropertyAccess for PlyFace {
    fn new() -> Self {
        Self::default()
    }
    fn set_property(
        &mut self,
        name: &str,
        property: ply_rs_bw::ply::Property,
    ) -> ply_rs_bw::ply::PropertyAccessResult {
        use ply_rs_bw::ply::Property as P;
        match (name, property) {
            ("vertex_indices" | "vertex_index", P::ListInt(v)) => {
                self.corners = v.into_iter().map(|i| i.max(-1) as u32).collect()
            }
            ("vertex_indices" | "vertex_index", P::ListUInt(v)) => self.corners = v,
            ("vertex_indices" | "vertex_index", P::ListUShort(v)) => {
                self.corners = v.into_iter().map(u32::from).collect()
            }
            ("vertex_indices" | "vertex_index", P::ListShort(v)) => {
                self.corners = v.into_iter().map(|i| i.max(-1) as u32).collect()
            }
            ("vertex_indices" | "vertex_index", P::ListUChar(v)) => {
                self.corners = v.into_iter().map(u32::from).collect()
            }
            ("texcoord", P::ListFloat(v)) => self.texcoords = v,
            ("texcoord", P::ListDouble(v)) => {
                self.texcoords = v.into_iter().map(|x| x as f32).collect()
            }
            _ => return ply_rs_bw::ply::PropertyAccessResult::Ignored,
        }
        ply_rs_bw::ply::PropertyAccessResult::Set
    }
}

fn read_ply(path: &Path) -> Result<Scan, InputError> {
    use ply_rs_bw::parser::Parser;
    let file = std::fs::File::open(path).map_err(|source| InputError::Io {
        path: path.to_owned(),
        source,
    })?;
    let mut reader =
        ply_rs_bw::parser::Reader::new(std::io::BufReader::with_capacity(1 << 20, file));
    let vertex_parser = Parser::<PlyVertex>::new();
    let face_parser = Parser::<PlyFace>::new();
    let not_ply = |e: ply_rs_bw::parser::ParseError| {
        broken(
            path,
            "header",
            format!("is not a readable PLY ({e}); export it again as PLY (binary or ASCII)"),
        )
    };
    let header = vertex_parser.read_header(&mut reader).map_err(not_ply)?;
    let mut vertices = Vec::new();
    let mut faces = Vec::new();
    for (name, element) in &header.elements {
        match name.as_str() {
            "vertex" => vertices = vertex_parser.read_payload_for_element(&mut reader, element, &header).map_err(|e| broken(path, "vertex", format!("cannot be read ({e}): the file is damaged or cut short; export it again")))?,
            "face" => faces = face_parser.read_payload_for_element(&mut reader, element, &header).map_err(|e| broken(path, "face", format!("cannot be read ({e}): the file is damaged or cut short; export it again")))?,
            other => {
                // Skip elements we do not use (edges, materials) by reading them generically.
                let _ = Parser::<ply_rs_bw::ply::DefaultElement>::new().read_payload_for_element(&mut reader, element, &header).map_err(|e| broken(path, other, format!("cannot be read ({e})")))?;
            }
        }
    }
    let mut warnings = Vec::new();
    if faces.is_empty() {
        return Err(broken(
            path,
            "face",
            "has no faces: this is a point cloud. Pack it without `--as mesh` (it becomes a streamed point cloud), or mesh it first (for example in CloudCompare or Metashape)",
        ));
    }
    let texture_file = header.comments.iter().find_map(|c| {
        c.trim()
            .strip_prefix("TextureFile")
            .map(|f| f.trim().to_owned())
    });
    let per_corner_uv = faces.iter().any(|f| !f.texcoords.is_empty());
    let has_n = vertices.iter().all(|v| v.has_n == 1);
    let has_c = vertices.iter().any(|v| v.has_c == 1);
    let has_uv = vertices.iter().all(|v| v.has_uv == 1);
    let mut mesh = Mesh::default();
    if per_corner_uv {
        // UVs per face corner: every corner becomes its own vertex, welded back where equal.
        let mut map: HashMap<(u32, [u32; 2]), u32> = HashMap::new();
        let mut positions = Vec::new();
        let mut normals = Vec::new();
        let mut colors = Vec::new();
        let mut uvs = Vec::new();
        for f in &faces {
            let corner = |k: usize| -> Option<[f32; 2]> {
                Some([*f.texcoords.get(2 * k)?, 1.0 - *f.texcoords.get(2 * k + 1)?])
            };
            let mut ids = Vec::with_capacity(f.corners.len());
            for (k, &vi) in f.corners.iter().enumerate() {
                let uv = corner(k).unwrap_or([0.0; 2]);
                let Some(v) = vertices.get(vi as usize) else {
                    return Err(broken(
                        path,
                        "face",
                        format!(
                            "a face uses vertex {vi} but there are only {} vertices: the file is damaged, export it again",
                            vertices.len()
                        ),
                    ));
                };
                let id = *map.entry((vi, uv.map(f32::to_bits))).or_insert_with(|| {
                    positions.push(v.p);
                    normals.push(v.n);
                    colors.push(linear(v.c));
                    uvs.push(uv);
                    (positions.len() - 1) as u32
                });
                ids.push(id);
            }
            triangulate_fan(&ids, &mut mesh.indices);
        }
        mesh.positions = positions;
        mesh.normals = has_n.then_some(normals);
        mesh.colors = has_c.then_some(colors);
        mesh.uvs = Some(uvs);
    } else {
        mesh.positions = vertices.iter().map(|v| v.p).collect();
        mesh.normals = has_n.then(|| vertices.iter().map(|v| v.n).collect());
        mesh.colors = has_c.then(|| vertices.iter().map(|v| linear(v.c)).collect());
        mesh.uvs = has_uv.then(|| vertices.iter().map(|v| [v.uv[0], 1.0 - v.uv[1]]).collect());
        for f in &faces {
            triangulate_fan(&f.corners, &mut mesh.indices);
        }
    }
    if let Some(file) = texture_file {
        let dir = path.parent().unwrap_or(Path::new("."));
        mesh.material.texture = Some(TextureSource::File(dir.join(file)));
    } else if mesh.uvs.is_some() && !has_c {
        warnings.push(format!("{}: has texture coordinates but names no texture (no `comment TextureFile`): packed without a texture", path.display()));
    }
    let generator = header
        .comments
        .iter()
        .find(|c| !c.trim_start().starts_with("TextureFile"))
        .map(|c| c.trim().to_owned())
        .or_else(|| header.obj_infos.first().map(|c| c.trim().to_owned()));
    Ok(Scan {
        format: SourceFormat::Ply,
        meshes: vec![mesh],
        generator,
        copyright: None,
        warnings,
    })
}

fn linear(c: [f32; 4]) -> [f32; 4] {
    [
        srgb_to_linear(c[0]),
        srgb_to_linear(c[1]),
        srgb_to_linear(c[2]),
        c[3],
    ]
}

fn triangulate_fan(corners: &[u32], out: &mut Vec<u32>) {
    for k in 1..corners.len().saturating_sub(1) {
        out.extend_from_slice(&[corners[0], corners[k], corners[k + 1]]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matrices_compose_in_gltf_order() {
        let translate = [
            [1.0, 0.0, 0.0, 0.0],
            [0.0, 1.0, 0.0, 0.0],
            [0.0, 0.0, 1.0, 0.0],
            [5.0, 0.0, 0.0, 1.0],
        ];
        let scale = [
            [2.0, 0.0, 0.0, 0.0],
            [0.0, 2.0, 0.0, 0.0],
            [0.0, 0.0, 2.0, 0.0],
            [0.0, 0.0, 0.0, 1.0],
        ];
        // parent translate · child scale: scale first, then move.
        let m = mat_mul(&translate, &scale);
        assert_eq!(transform_point(&m, [1.0, 0.0, 0.0]), [7.0, 0.0, 0.0]);
    }

    #[test]
    fn percent_escapes_in_uris_are_decoded() {
        assert_eq!(percent_decode("t%E1%BA%A1i%20file.jpg"), "tại file.jpg");
    }
}
