//! A minimal writer for binary glTF 2.0 (GLB) files.
//!
//! Only what the sample models need: one buffer (the GLB's BIN chunk), non-interleaved vertex
//! attributes, `u32` indices, PNG images stored in buffer views, PBR metallic-roughness materials,
//! and one scene of mesh nodes. Writing it ourselves keeps xtask free of a glTF crate; the output
//! was checked with the Khronos glTF validator (no errors, warnings or infos).

use super::meshes::Mesh;
use serde_json::{Value, json};

/// glTF `bufferView.target` values.
const ARRAY_BUFFER: u32 = 34962;
const ELEMENT_ARRAY_BUFFER: u32 = 34963;
/// glTF `accessor.componentType` values.
const FLOAT: u32 = 5126;
const UNSIGNED_INT: u32 = 5125;
/// glTF sampler filter and wrap values.
const LINEAR: u32 = 9729;
const LINEAR_MIPMAP_LINEAR: u32 = 9987;
const REPEAT: u32 = 10497;
const CLAMP_TO_EDGE: u32 = 33071;

/// How a texture is wrapped: tiling materials (tiles, wood, stone) repeat, one-off images
/// (the drum's tympanum, the decree sheet) are clamped so their edges do not bleed.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Wrap {
    Repeat,
    Clamp,
}

/// A PBR metallic-roughness material. Texture fields are glTF texture indices.
pub struct Material {
    pub name: &'static str,
    pub base_color: [f32; 4],
    pub base_color_texture: Option<usize>,
    pub metallic: f32,
    pub roughness: f32,
    /// glTF layout: roughness in G, metallic in B; multiplied by the factors above.
    pub metallic_roughness_texture: Option<usize>,
    /// Thin surfaces seen from both sides (the roof shell, the paper sheet's edge-on back).
    pub double_sided: bool,
}

impl Material {
    /// A textured dielectric with the given roughness: the common case in these samples.
    pub fn textured(name: &'static str, texture: usize, roughness: f32) -> Self {
        Self {
            name,
            base_color: [1.0; 4],
            base_color_texture: Some(texture),
            metallic: 0.0,
            roughness,
            metallic_roughness_texture: None,
            double_sided: false,
        }
    }
}

/// Accumulates JSON objects and the binary chunk, then serialises both as one GLB.
#[derive(Default)]
pub struct GltfBuilder {
    bin: Vec<u8>,
    buffer_views: Vec<Value>,
    accessors: Vec<Value>,
    images: Vec<Value>,
    samplers: Vec<Value>,
    textures: Vec<Value>,
    materials: Vec<Value>,
    meshes: Vec<Value>,
    nodes: Vec<Value>,
    /// Sampler index per wrap mode, created on first use so no sampler goes unused.
    repeat_sampler: Option<usize>,
    clamp_sampler: Option<usize>,
}

impl GltfBuilder {
    /// Appends bytes as a new buffer view. Every view starts 4-byte aligned, which glTF requires
    /// for float and u32 accessors.
    fn push_view(&mut self, bytes: &[u8], target: Option<u32>) -> usize {
        while !self.bin.len().is_multiple_of(4) {
            self.bin.push(0);
        }
        let mut view = json!({
            "buffer": 0,
            "byteOffset": self.bin.len(),
            "byteLength": bytes.len(),
        });
        if let Some(target) = target {
            view["target"] = json!(target);
        }
        self.bin.extend_from_slice(bytes);
        self.buffer_views.push(view);
        self.buffer_views.len() - 1
    }

    /// Float vector accessor (`VEC2`/`VEC3`). POSITION accessors must carry min/max.
    fn push_vec_accessor<const N: usize>(&mut self, data: &[[f32; N]], with_bounds: bool) -> usize {
        let bytes: Vec<u8> = data
            .iter()
            .flat_map(|v| v.iter().flat_map(|c| c.to_le_bytes()))
            .collect();
        let view = self.push_view(&bytes, Some(ARRAY_BUFFER));
        let mut accessor = json!({
            "bufferView": view,
            "componentType": FLOAT,
            "count": data.len(),
            "type": if N == 2 { "VEC2" } else { "VEC3" },
        });
        if with_bounds {
            let mut min = [f32::INFINITY; N];
            let mut max = [f32::NEG_INFINITY; N];
            for v in data {
                for i in 0..N {
                    min[i] = min[i].min(v[i]);
                    max[i] = max[i].max(v[i]);
                }
            }
            accessor["min"] = json!(min.to_vec());
            accessor["max"] = json!(max.to_vec());
        }
        self.accessors.push(accessor);
        self.accessors.len() - 1
    }

    fn push_index_accessor(&mut self, indices: &[u32]) -> usize {
        let bytes: Vec<u8> = indices.iter().flat_map(|i| i.to_le_bytes()).collect();
        let view = self.push_view(&bytes, Some(ELEMENT_ARRAY_BUFFER));
        self.accessors.push(json!({
            "bufferView": view,
            "componentType": UNSIGNED_INT,
            "count": indices.len(),
            "type": "SCALAR",
        }));
        self.accessors.len() - 1
    }

    fn sampler(&mut self, wrap: Wrap) -> usize {
        let slot = match wrap {
            Wrap::Repeat => &mut self.repeat_sampler,
            Wrap::Clamp => &mut self.clamp_sampler,
        };
        if let Some(index) = *slot {
            return index;
        }
        let mode = if wrap == Wrap::Repeat {
            REPEAT
        } else {
            CLAMP_TO_EDGE
        };
        self.samplers.push(json!({
            "magFilter": LINEAR,
            "minFilter": LINEAR_MIPMAP_LINEAR,
            "wrapS": mode,
            "wrapT": mode,
        }));
        let index = self.samplers.len() - 1;
        *slot = Some(index);
        index
    }

    /// Embeds an encoded PNG in the binary chunk and returns a texture index that uses it.
    pub fn add_png_texture(&mut self, name: &str, png: &[u8], wrap: Wrap) -> usize {
        let view = self.push_view(png, None);
        self.images
            .push(json!({ "name": name, "bufferView": view, "mimeType": "image/png" }));
        let sampler = self.sampler(wrap);
        self.textures
            .push(json!({ "sampler": sampler, "source": self.images.len() - 1 }));
        self.textures.len() - 1
    }

    pub fn add_material(&mut self, m: &Material) -> usize {
        let mut pbr = json!({
            "baseColorFactor": m.base_color,
            "metallicFactor": m.metallic,
            "roughnessFactor": m.roughness,
        });
        if let Some(t) = m.base_color_texture {
            pbr["baseColorTexture"] = json!({ "index": t });
        }
        if let Some(t) = m.metallic_roughness_texture {
            pbr["metallicRoughnessTexture"] = json!({ "index": t });
        }
        let mut material = json!({ "name": m.name, "pbrMetallicRoughness": pbr });
        if m.double_sided {
            material["doubleSided"] = json!(true);
        }
        self.materials.push(material);
        self.materials.len() - 1
    }

    /// Adds a mesh whose primitives are (geometry, material index) pairs, and a node showing it
    /// at the origin. Empty primitives are skipped (glTF forbids zero-count accessors).
    pub fn add_mesh_node(&mut self, name: &str, primitives: &[(&Mesh, usize)]) {
        let mut prims = Vec::new();
        for (mesh, material) in primitives {
            if mesh.indices.is_empty() {
                continue;
            }
            let position = self.push_vec_accessor(&mesh.positions, true);
            let normal = self.push_vec_accessor(&mesh.normals, false);
            let uv = self.push_vec_accessor(&mesh.uvs, false);
            let indices = self.push_index_accessor(&mesh.indices);
            prims.push(json!({
                "attributes": { "POSITION": position, "NORMAL": normal, "TEXCOORD_0": uv },
                "indices": indices,
                "material": material,
                "mode": 4,
            }));
        }
        if prims.is_empty() {
            return;
        }
        self.meshes
            .push(json!({ "name": name, "primitives": prims }));
        self.nodes
            .push(json!({ "name": name, "mesh": self.meshes.len() - 1 }));
    }

    /// Serialises the GLB: 12-byte header, JSON chunk padded with spaces, BIN chunk padded with
    /// zeros, both to 4-byte multiples as the GLB container requires.
    pub fn into_glb(mut self, title: &str) -> Vec<u8> {
        while !self.bin.len().is_multiple_of(4) {
            self.bin.push(0);
        }
        let root = json!({
            "asset": {
                "version": "2.0",
                "generator": "disan xtask samples",
                "copyright": format!(
                    "{title}: procedural stand-in geometry and textures generated by Disan's \
                     xtask, not a survey of the real object. CC0 1.0 (public domain dedication)."
                ),
            },
            "scene": 0,
            "scenes": [{ "name": title, "nodes": (0..self.nodes.len()).collect::<Vec<_>>() }],
            "nodes": self.nodes,
            "meshes": self.meshes,
            "materials": self.materials,
            "textures": self.textures,
            "images": self.images,
            "samplers": self.samplers,
            "accessors": self.accessors,
            "bufferViews": self.buffer_views,
            "buffers": [{ "byteLength": self.bin.len() }],
        });
        let mut json_bytes = serde_json::to_vec(&root).expect("glTF JSON always serialises");
        while !json_bytes.len().is_multiple_of(4) {
            json_bytes.push(b' ');
        }
        let total = 12 + 8 + json_bytes.len() + 8 + self.bin.len();
        let mut out = Vec::with_capacity(total);
        out.extend_from_slice(b"glTF");
        out.extend_from_slice(&2u32.to_le_bytes());
        out.extend_from_slice(&(total as u32).to_le_bytes());
        out.extend_from_slice(&(json_bytes.len() as u32).to_le_bytes());
        out.extend_from_slice(b"JSON");
        out.extend_from_slice(&json_bytes);
        out.extend_from_slice(&(self.bin.len() as u32).to_le_bytes());
        out.extend_from_slice(b"BIN\0");
        out.extend_from_slice(&self.bin);
        out
    }
}
