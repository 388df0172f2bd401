//! Levels of detail: each level is the scan simplified to a triangle budget by meshoptimizer,
//! within an error bound, with its textures scaled to the level's size, written as one GLB.
//!
//! The budgets, and why (Smithsonian Voyager's ~150k faces at 1K/2K/4K was the reference):
//!
//! | level  | triangles | texture | bytes    | error bound  | for |
//! |--------|-----------|---------|----------|--------------|-----|
//! | thumb  | 5 000     | 256 px  | 200 KB   | 2 % of size  | the first frame on any link: 200 KB is 0.2 s at 10 Mbit/s |
//! | low    | 60 000    | 1024 px | 3 MB     | 0.5 %        | phones and WebGL2 on weak GPUs: 3 s at 10 Mbit/s, a few ms a frame on a phone GPU |
//! | medium | 250 000   | 2048 px | 12 MB    | 0.2 %        | school PCs and headsets (two eyes at 72–90 Hz), Voyager's "high" |
//! | high   | 1 000 000 | 4096 px | 48 MB    | 0.05 %       | desktops with a GPU and close looks; still a quarter of a raw 4M scan |
//!
//! The error is meshoptimizer's: how far the simplified surface may lie from the scan's, in
//! metres (bound = fraction × the scan's largest side). Simplification stops at the budget or
//! the bound, whichever comes first. Where the bound comes first the budget still rules (a
//! phone must not be sent a million triangles): the level is simplified on past its bound and
//! says so (`over_bound`, and a warning in the summary).

use std::path::Path;

use meshopt::{SimplifyOptions, VertexDataAdapter};

use crate::glb::{Geometry, GlbMesh, GlbTexture};
use crate::input::{Mesh, Scan, TextureSlot};
use crate::progress::Progress;
use crate::texture::{DecodedTextures, encode_for_level};
use crate::{GpuCopyReport, LevelReport, PackError};
use disan_format::{GpuTextureFormat, Keyword};

/// What one level promises.
#[derive(Clone, Copy, Debug)]
pub struct LevelSpec {
    pub quality: &'static str,
    pub triangles: u64,
    pub texture_px: u32,
    pub max_bytes: u64,
    /// The error bound as a fraction of the scan's largest side.
    pub error_fraction: f32,
}

/// From the lightest to the full level, as the viewer orders them.
pub const LEVELS: [LevelSpec; 4] = [
    LevelSpec {
        quality: "thumb",
        triangles: 5_000,
        texture_px: 256,
        max_bytes: 200_000,
        error_fraction: 0.02,
    },
    LevelSpec {
        quality: "low",
        triangles: 60_000,
        texture_px: 1024,
        max_bytes: 3_000_000,
        error_fraction: 0.005,
    },
    LevelSpec {
        quality: "medium",
        triangles: 250_000,
        texture_px: 2048,
        max_bytes: 12_000_000,
        error_fraction: 0.002,
    },
    LevelSpec {
        quality: "high",
        triangles: 1_000_000,
        texture_px: 4096,
        max_bytes: 48_000_000,
        error_fraction: 0.0005,
    },
];

pub struct WrittenLevel {
    pub report: LevelReport,
}

/// One mesh simplified: the index buffer into the original vertices, and its error in metres.
struct Simplified {
    indices: Vec<u32>,
    error_m: f32,
    over_bound: bool,
}

pub fn write_level(
    scan: &Scan,
    textures: &DecodedTextures,
    spec: &LevelSpec,
    id: &str,
    geometry: Geometry,
    gpu_copies: bool,
    out: &Path,
    progress: &Progress,
) -> Result<WrittenLevel, PackError> {
    let (total, _) = scan.counts();
    let (min, max) = scan.bounds();
    let largest = (0..3)
        .map(|i| max[i] - min[i])
        .fold(0.0f32, f32::max)
        .max(1e-6);
    let bound_m = spec.error_fraction * largest;
    let src = format!("models/{id}-{}.glb", spec.quality);
    let path = out.join(&src);
    // Images are the same at every try; encode once.
    let images: Vec<Option<GlbTexture>> = scan
        .meshes
        .iter()
        .enumerate()
        .map(|(i, _)| {
            textures
                .get(i)
                .map(|img| encode_for_level(img, spec.texture_px))
        })
        .collect();
    let maps: Vec<Vec<(TextureSlot, GlbTexture)>> = scan
        .meshes
        .iter()
        .enumerate()
        .map(|(i, _)| {
            textures
                .maps(i)
                .map(|(slot, img)| (slot, encode_for_level(img, spec.texture_px)))
                .collect()
        })
        .collect();
    let mut budget = spec.triangles;
    // How few triangles each mesh needs to stay within the bound: what the budget is shared by
    // when there are several (one per material or texture page).
    let within_bound: Vec<u64> = if scan.meshes.len() > 1 && total > budget {
        scan.meshes
            .iter()
            .map(|mesh| simplify_to_bound(mesh, bound_m, largest))
            .collect()
    } else {
        Vec::new()
    };
    let mut attempt = 0;
    loop {
        let shares = shares(scan, &within_bound, budget);
        let mut parts = Vec::new();
        let mut error_m = 0.0f32;
        let mut over_bound = false;
        for (i, mesh) in scan.meshes.iter().enumerate() {
            progress.fraction((i as f64 + 0.5) / scan.meshes.len() as f64);
            let simplified = simplify(mesh, shares[i], bound_m, largest);
            error_m = error_m.max(simplified.error_m);
            over_bound |= simplified.over_bound;
            let mut part = compact(mesh, simplified.indices, images[i].clone());
            part.maps = maps[i].clone();
            parts.push(part);
        }
        let triangles: u64 = parts.iter().map(|p| p.indices.len() as u64 / 3).sum();
        let vertices: u64 = parts.iter().map(|p| p.positions.len() as u64).sum();
        let extras = serde_json::json!({
            "disan": { "quality": spec.quality, "triangles": triangles, "error_m": error_m, "error_bound_m": bound_m }
        });
        let bytes = crate::glb::write(&parts, extras.clone(), geometry);
        attempt += 1;
        // A level over its byte budget (a texture that does not compress, attributes the
        // estimate did not foresee) is simplified further rather than shipped too big.
        if bytes.len() as u64 > spec.max_bytes && attempt < 6 && triangles > 16 {
            let ratio = spec.max_bytes as f64 / bytes.len() as f64;
            budget = ((triangles as f64) * ratio * 0.9).max(16.0) as u64;
            continue;
        }
        crate::write_file(&path, &bytes)?;
        let gpu_textures = if gpu_copies {
            write_gpu_copies(&parts, textures, spec, id, extras, geometry, out)?
        } else {
            Vec::new()
        };
        progress.fraction(1.0);
        return Ok(WrittenLevel {
            report: LevelReport {
                quality: spec.quality,
                src,
                triangles,
                vertices,
                bytes: bytes.len() as u64,
                error_m,
                error_bound_m: bound_m,
                triangle_budget: spec.triangles,
                texture_px: images.iter().flatten().map(|t| t.width.max(t.height)).max(),
                over_bound,
                gpu_textures,
            },
        });
    }
}

/// The level again with its textures in each GPU format that can hold them
/// (crate::gpu_texture): the same parts, the same extras, `models/ID-QUALITY.FORMAT.glb`.
/// Nothing for a level without textures (nothing to gain) or the thumb (one small file first).
fn write_gpu_copies(
    parts: &[GlbMesh],
    textures: &DecodedTextures,
    spec: &LevelSpec,
    id: &str,
    extras: serde_json::Value,
    geometry: Geometry,
    out: &Path,
) -> Result<Vec<GpuCopyReport>, PackError> {
    use crate::gpu_texture::{ColourSpace, can_hold, encode_ktx2};
    let textured =
        (0..parts.len()).any(|i| textures.get(i).is_some() || textures.maps(i).next().is_some());
    if spec.quality == "thumb" || !textured || !crate::gpu_texture::available() {
        return Ok(Vec::new());
    }
    let mut copies = Vec::new();
    for format in [GpuTextureFormat::Bc7, GpuTextureFormat::Etc2] {
        let holds = (0..parts.len()).all(|i| {
            textures.get(i).is_none_or(|img| can_hold(format, img))
                && textures.maps(i).all(|(_, img)| can_hold(format, img))
        });
        if !holds {
            continue;
        }
        let copy: Vec<GlbMesh> = parts
            .iter()
            .enumerate()
            .map(|(i, part)| {
                let mut part = part.clone();
                if part.texture.is_some() {
                    part.texture = textures
                        .get(i)
                        .map(|img| encode_ktx2(img, spec.texture_px, format, ColourSpace::Srgb));
                }
                part.maps = textures
                    .maps(i)
                    .map(|(slot, img)| {
                        let space = match slot {
                            TextureSlot::Emissive => ColourSpace::Srgb,
                            _ => ColourSpace::Linear,
                        };
                        (slot, encode_ktx2(img, spec.texture_px, format, space))
                    })
                    .collect();
                part
            })
            .collect();
        let bytes = crate::glb::write(&copy, extras.clone(), geometry);
        let src = format!("models/{id}-{}.{}.glb", spec.quality, format.word());
        crate::write_file(&out.join(&src), &bytes)?;
        copies.push(GpuCopyReport {
            format: format.word(),
            src,
            bytes: bytes.len() as u64,
        });
    }
    Ok(copies)
}

/// meshoptimizer's attribute-aware simplification: texture coordinates and colours weigh in,
/// and vertices split at a seam (same position, different coordinates) keep the seam.
/// Each mesh's share of a level's triangle budget. Shared by what each needs to stay within
/// the error bound, not by what it has: a courtyard of two triangles needs both, a carved roof of
/// thousands can lose most. A mesh that needs under 1 % of the budget keeps what it needs;
/// the others share the rest in proportion.
fn shares(scan: &Scan, within_bound: &[u64], budget: u64) -> Vec<u64> {
    let total: u64 = scan.meshes.iter().map(|m| m.triangles() as u64).sum();
    if total <= budget {
        return scan.meshes.iter().map(|m| m.triangles() as u64).collect();
    }
    let needs: Vec<u64> = if within_bound.len() == scan.meshes.len() {
        within_bound.to_vec()
    } else {
        scan.meshes.iter().map(|m| m.triangles() as u64).collect()
    };
    let small = budget / 100;
    let kept: u64 = needs.iter().filter(|n| **n <= small).sum();
    let rest_budget = budget.saturating_sub(kept);
    let rest_needs: u64 = needs.iter().filter(|n| **n > small).sum::<u64>().max(1);
    needs
        .iter()
        .map(|&n| {
            if n <= small {
                n.max(1)
            } else {
                ((rest_budget as f64) * n as f64 / rest_needs as f64)
                    .floor()
                    .max(1.0) as u64
            }
        })
        .collect()
}

/// How many triangles `mesh` keeps when simplified as far as the bound allows.
fn simplify_to_bound(mesh: &Mesh, bound_m: f32, extent: f32) -> u64 {
    Simplifier::new(mesh, extent).run(0, bound_m).0.len() as u64 / 3
}

/// meshoptimizer's attribute-aware simplifier over one mesh.
struct Simplifier<'m> {
    mesh: &'m Mesh,
    positions: Vec<[f32; 3]>,
    attributes: Vec<f32>,
    weights: Vec<f32>,
    locks: Vec<bool>,
}

impl<'m> Simplifier<'m> {
    fn new(mesh: &'m Mesh, extent: f32) -> Self {
        let positions: Vec<[f32; 3]> = mesh.positions.iter().map(|p| p.map(|c| c as f32)).collect();
        let (attributes, weights) = attribute_stream(mesh, extent);
        let attributes = if weights.is_empty() {
            vec![0.0; positions.len()]
        } else {
            attributes
        };
        let weights = if weights.is_empty() {
            vec![0.0]
        } else {
            weights
        };
        let locks = vec![false; positions.len()];
        Self {
            mesh,
            positions,
            attributes,
            weights,
            locks,
        }
    }

    fn adapter(&self) -> VertexDataAdapter<'_> {
        VertexDataAdapter::new(bytemuck_cast(&self.positions), 12, 0).expect("12-byte positions")
    }

    /// Down to `target_triangles`, stopping at `error` metres: the indices and the error reached.
    fn run(&self, target_triangles: u64, error: f32) -> (Vec<u32>, f32) {
        let mut result_error = 0.0f32;
        let indices = meshopt::simplify_with_attributes_and_locks(
            &self.mesh.indices,
            &self.adapter(),
            &self.attributes,
            &self.weights,
            self.weights.len() * 4,
            &self.locks,
            (target_triangles * 3) as usize,
            error,
            SimplifyOptions::ErrorAbsolute,
            Some(&mut result_error),
        );
        (indices, result_error)
    }
}

fn simplify(mesh: &Mesh, target_triangles: u64, bound_m: f32, extent: f32) -> Simplified {
    if mesh.triangles() as u64 <= target_triangles {
        return Simplified {
            indices: mesh.indices.clone(),
            error_m: 0.0,
            over_bound: false,
        };
    }
    let simplifier = Simplifier::new(mesh, extent);
    let target = (target_triangles * 3) as usize;
    let run = |error: f32| simplifier.run(target_triangles, error);
    let (indices, error) = run(bound_m);
    if indices.len() <= target {
        return Simplified {
            indices,
            error_m: error,
            over_bound: false,
        };
    }
    // The bound came first: meet the budget anyway, and say by how much the bound was passed.
    let (indices, error) = run(f32::MAX);
    let (indices, error) = if indices.len() <= target {
        (indices, error)
    } else {
        // Topology stops the careful simplifier (many small islands): the sloppy one always
        // reaches the count.
        let mut e = 0.0f32;
        let adapter = simplifier.adapter();
        let sloppy =
            meshopt::simplify_sloppy(&mesh.indices, &adapter, target, f32::MAX, Some(&mut e));
        (sloppy, e * meshopt::simplify_scale(&adapter))
    };
    Simplified {
        indices,
        error_m: error,
        over_bound: error > bound_m,
    }
}

/// The attributes meshoptimizer weighs, interleaved per vertex, and their weights.
///
/// Errors are absolute (metres), so each weight says how many metres of error one unit of the
/// attribute's change is worth, scaled by the scan's size `extent`: a texture coordinate moved
/// by 1 % of the texture costs as much as the surface moved by 0.05 % of the scan. Normals are
/// not weighed: on a scan they follow the (noisy) surface, and weighing them would spend the
/// budget on scanner noise. Seams (equal positions, different coordinates) are kept whatever the
/// weights: meshoptimizer finds them from the positions.
fn attribute_stream(mesh: &Mesh, extent: f32) -> (Vec<f32>, Vec<f32>) {
    let mut weights = Vec::new();
    if mesh.uvs.is_some() {
        weights.extend([0.05 * extent; 2]);
    }
    if mesh.colors.is_some() {
        weights.extend([0.02 * extent; 3]);
    }
    let mut out = Vec::with_capacity(mesh.positions.len() * weights.len());
    for v in 0..mesh.positions.len() {
        if let Some(uv) = &mesh.uvs {
            out.extend(uv[v]);
        }
        if let Some(c) = &mesh.colors {
            out.extend(&c[v][..3]);
        }
    }
    (out, weights)
}

/// The vertices a simplified index buffer still uses, in cache-friendly order.
fn compact(mesh: &Mesh, mut indices: Vec<u32>, texture: Option<GlbTexture>) -> GlbMesh {
    let n = mesh.positions.len();
    meshopt::optimize_vertex_cache_in_place(&mut indices, n);
    // Vertices numbered in order of first use (what meshopt_optimizeVertexFetchRemap does; the
    // crate's wrapper truncates its table to the used count, so it cannot be indexed by old id).
    let mut remap = vec![u32::MAX; n];
    let mut used = 0usize;
    for &i in &indices {
        let r = &mut remap[i as usize];
        if *r == u32::MAX {
            *r = used as u32;
            used += 1;
        }
    }
    let gather = |f: &mut dyn FnMut(usize, usize)| {
        for (old, &new) in remap.iter().enumerate() {
            if new != u32::MAX {
                f(old, new as usize);
            }
        }
    };
    let mut positions = vec![[0.0f32; 3]; used];
    gather(&mut |o, n| positions[n] = mesh.positions[o].map(|c| c as f32));
    let normals = mesh.normals.as_ref().map(|src| {
        let mut v = vec![[0.0f32; 3]; used];
        gather(&mut |o, n| v[n] = src[o]);
        v
    });
    let uvs = mesh.uvs.as_ref().map(|src| {
        let mut v = vec![[0.0f32; 2]; used];
        gather(&mut |o, n| v[n] = src[o]);
        v
    });
    let colors = mesh.colors.as_ref().map(|src| {
        let mut v = vec![[0u8; 4]; used];
        gather(&mut |o, n| v[n] = src[o].map(|c| (c.clamp(0.0, 1.0) * 255.0).round() as u8));
        v
    });
    for i in &mut indices {
        *i = remap[*i as usize];
    }
    GlbMesh {
        positions,
        normals,
        uvs,
        colors,
        indices,
        base_color: mesh.material.base_color,
        metallic: mesh.material.metallic,
        roughness: mesh.material.roughness,
        normal_scale: mesh.material.normal_scale,
        emissive: mesh.material.emissive,
        double_sided: mesh.material.double_sided,
        wrap: mesh.material.wrap,
        texture,
        maps: Vec::new(),
        name: mesh.material.name.clone(),
    }
}

/// Smooth normals for a scan that has none (most PLY and many OBJ exports), weighted by
/// triangle area and shared across seams, so the simplifier and the viewer see a smooth surface
/// rather than facets.
pub fn ensure_normals(scan: &mut Scan) {
    for mesh in &mut scan.meshes {
        if mesh.normals.is_some() {
            continue;
        }
        let mut acc = vec![[0.0f64; 3]; mesh.positions.len()];
        for t in mesh.indices.chunks_exact(3) {
            let [a, b, c] = [t[0], t[1], t[2]].map(|i| mesh.positions[i as usize]);
            let u = [b[0] - a[0], b[1] - a[1], b[2] - a[2]];
            let v = [c[0] - a[0], c[1] - a[1], c[2] - a[2]];
            let n = [
                u[1] * v[2] - u[2] * v[1],
                u[2] * v[0] - u[0] * v[2],
                u[0] * v[1] - u[1] * v[0],
            ];
            for &i in t {
                for k in 0..3 {
                    acc[i as usize][k] += n[k];
                }
            }
        }
        // Vertices at one position (a UV seam) share their normal, so the seam does not show.
        let mut by_position: std::collections::HashMap<[u64; 3], [f64; 3]> =
            std::collections::HashMap::new();
        for (p, n) in mesh.positions.iter().zip(&acc) {
            let e = by_position.entry(p.map(f64::to_bits)).or_insert([0.0; 3]);
            for k in 0..3 {
                e[k] += n[k];
            }
        }
        let normals = mesh
            .positions
            .iter()
            .map(|p| {
                let n = by_position[&p.map(f64::to_bits)];
                let len = (n[0] * n[0] + n[1] * n[1] + n[2] * n[2]).sqrt();
                if len > 0.0 {
                    n.map(|c| (c / len) as f32)
                } else {
                    [0.0, 1.0, 0.0]
                }
            })
            .collect();
        mesh.normals = Some(normals);
    }
}

fn bytemuck_cast(v: &[[f32; 3]]) -> &[u8] {
    meshopt::utilities::typed_to_bytes(v)
}
