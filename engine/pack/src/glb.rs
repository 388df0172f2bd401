//! Writing a level as a self-contained GLB: one file per level, so any static web server, object
//! store or CDN serves it with HTTP caching and the viewer counts its progress in bytes.
//!
//! The JSON is built with serde_json rather than gltf-json's typed tree: the document has a
//! fixed, small shape, and the Khronos validator checks every file we write (tests/pack.rs).

use serde_json::{Value, json};

use crate::input::TextureSlot;

/// A texture ready to embed.
#[derive(Clone, Debug)]
pub struct GlbTexture {
    pub bytes: Vec<u8>,
    pub mime: &'static str,
    pub width: u32,
    pub height: u32,
}

/// One mesh of a level, compacted.
#[derive(Clone, Debug)]
pub struct GlbMesh {
    pub name: String,
    pub positions: Vec<[f32; 3]>,
    pub normals: Option<Vec<[f32; 3]>>,
    pub uvs: Option<Vec<[f32; 2]>>,
    /// sRGB-free linear colours as 8-bit normalised values.
    pub colors: Option<Vec<[u8; 4]>>,
    pub indices: Vec<u32>,
    pub base_color: [f32; 4],
    pub metallic: f32,
    pub roughness: f32,
    pub normal_scale: f32,
    pub emissive: [f32; 3],
    pub double_sided: bool,
    /// The base colour texture.
    pub texture: Option<GlbTexture>,
    /// Normal, metallic-roughness, occlusion and emissive maps, on TEXCOORD_0.
    pub maps: Vec<(TextureSlot, GlbTexture)>,
}

const ARRAY_BUFFER: u32 = 34962;
const ELEMENT_ARRAY_BUFFER: u32 = 34963;
const FLOAT: u32 = 5126;
const UNSIGNED_BYTE: u32 = 5121;
const UNSIGNED_SHORT: u32 = 5123;
const UNSIGNED_INT: u32 = 5125;

struct Builder {
    bin: Vec<u8>,
    views: Vec<Value>,
    accessors: Vec<Value>,
}

impl Builder {
    fn view(&mut self, bytes: &[u8], target: Option<u32>) -> usize {
        while !self.bin.len().is_multiple_of(4) {
            self.bin.push(0);
        }
        let offset = self.bin.len();
        self.bin.extend_from_slice(bytes);
        let mut v = json!({ "buffer": 0, "byteOffset": offset, "byteLength": bytes.len() });
        if let Some(t) = target {
            v["target"] = json!(t);
        }
        self.views.push(v);
        self.views.len() - 1
    }

    fn accessor(&mut self, view: usize, component: u32, count: usize, kind: &str, normalized: bool, min_max: Option<(Vec<f32>, Vec<f32>)>) -> usize {
        let mut a = json!({ "bufferView": view, "componentType": component, "count": count, "type": kind });
        if normalized {
            a["normalized"] = json!(true);
        }
        if let Some((min, max)) = min_max {
            a["min"] = json!(min);
            a["max"] = json!(max);
        }
        self.accessors.push(a);
        self.accessors.len() - 1
    }
}

fn floats<const N: usize>(v: &[[f32; N]]) -> Vec<u8> {
    v.iter().flat_map(|a| a.iter().flat_map(|f| f.to_le_bytes())).collect()
}

/// The GLB bytes of a level. `extras` go on `asset.extras` (what the level is and its error).
pub fn write(meshes: &[GlbMesh], extras: Value) -> Vec<u8> {
    let mut b = Builder { bin: Vec::new(), views: Vec::new(), accessors: Vec::new() };
    let mut primitives = Vec::new();
    let mut materials = Vec::new();
    let mut textures = Vec::new();
    let mut images = Vec::new();
    for mesh in meshes {
        let n = mesh.positions.len();
        let mut attributes = serde_json::Map::new();
        let mut min = [f32::MAX; 3];
        let mut max = [f32::MIN; 3];
        for p in &mesh.positions {
            for i in 0..3 {
                min[i] = min[i].min(p[i]);
                max[i] = max[i].max(p[i]);
            }
        }
        let v = b.view(&floats(&mesh.positions), Some(ARRAY_BUFFER));
        attributes.insert("POSITION".into(), json!(b.accessor(v, FLOAT, n, "VEC3", false, Some((min.to_vec(), max.to_vec())))));
        if let Some(normals) = &mesh.normals {
            let v = b.view(&floats(normals), Some(ARRAY_BUFFER));
            attributes.insert("NORMAL".into(), json!(b.accessor(v, FLOAT, n, "VEC3", false, None)));
        }
        if let Some(uvs) = &mesh.uvs
            && (mesh.texture.is_some() || !mesh.maps.is_empty())
        {
            let v = b.view(&floats(uvs), Some(ARRAY_BUFFER));
            attributes.insert("TEXCOORD_0".into(), json!(b.accessor(v, FLOAT, n, "VEC2", false, None)));
        }
        if let Some(colors) = &mesh.colors {
            let bytes: Vec<u8> = colors.iter().flatten().copied().collect();
            let v = b.view(&bytes, Some(ARRAY_BUFFER));
            attributes.insert("COLOR_0".into(), json!(b.accessor(v, UNSIGNED_BYTE, n, "VEC4", true, None)));
        }
        // 16-bit indices where they fit: half the bytes for every level up to "low".
        let indices = if n <= u16::MAX as usize {
            let bytes: Vec<u8> = mesh.indices.iter().flat_map(|&i| (i as u16).to_le_bytes()).collect();
            let v = b.view(&bytes, Some(ELEMENT_ARRAY_BUFFER));
            b.accessor(v, UNSIGNED_SHORT, mesh.indices.len(), "SCALAR", false, None)
        } else {
            let bytes: Vec<u8> = mesh.indices.iter().flat_map(|&i| i.to_le_bytes()).collect();
            let v = b.view(&bytes, Some(ELEMENT_ARRAY_BUFFER));
            b.accessor(v, UNSIGNED_INT, mesh.indices.len(), "SCALAR", false, None)
        };
        let mut pbr = json!({ "baseColorFactor": mesh.base_color, "metallicFactor": mesh.metallic, "roughnessFactor": mesh.roughness });
        let mut material = json!({ "name": mesh.name });
        let mut add_texture = |texture: &GlbTexture| -> usize {
            let v = b.view(&texture.bytes, None);
            images.push(json!({ "bufferView": v, "mimeType": texture.mime }));
            textures.push(json!({ "source": images.len() - 1, "sampler": 0 }));
            textures.len() - 1
        };
        if mesh.uvs.is_some() {
            if let Some(texture) = &mesh.texture {
                pbr["baseColorTexture"] = json!({ "index": add_texture(texture) });
            }
            for (slot, texture) in &mesh.maps {
                let index = add_texture(texture);
                match slot {
                    TextureSlot::Normal => material["normalTexture"] = json!({ "index": index, "scale": mesh.normal_scale }),
                    TextureSlot::MetallicRoughness => pbr["metallicRoughnessTexture"] = json!({ "index": index }),
                    TextureSlot::Occlusion => material["occlusionTexture"] = json!({ "index": index }),
                    TextureSlot::Emissive => material["emissiveTexture"] = json!({ "index": index }),
                }
            }
        }
        if mesh.emissive != [0.0; 3] {
            material["emissiveFactor"] = json!(mesh.emissive);
        }
        material["pbrMetallicRoughness"] = pbr;
        if mesh.double_sided {
            material["doubleSided"] = json!(true);
        }
        materials.push(material);
        primitives.push(json!({ "attributes": attributes, "indices": indices, "material": materials.len() - 1, "mode": 4 }));
    }
    while !b.bin.len().is_multiple_of(4) {
        b.bin.push(0);
    }
    let mut doc = json!({
        "asset": { "version": "2.0", "generator": concat!("disan pack ", env!("CARGO_PKG_VERSION")), "extras": extras },
        "scene": 0,
        "scenes": [{ "nodes": [0] }],
        "nodes": [{ "mesh": 0, "name": "scan" }],
        "meshes": [{ "primitives": primitives, "name": "scan" }],
        "materials": materials,
        "accessors": b.accessors,
        "bufferViews": b.views,
        "buffers": [{ "byteLength": b.bin.len() }],
    });
    if !images.is_empty() {
        // Linear filtering with mipmaps: the viewer builds the mip chain (see texture.rs).
        doc["samplers"] = json!([{ "magFilter": 9729, "minFilter": 9987, "wrapS": 33071, "wrapT": 33071 }]);
        doc["textures"] = json!(textures);
        doc["images"] = json!(images);
    }
    let mut json_bytes = serde_json::to_vec(&doc).expect("serialises");
    while !json_bytes.len().is_multiple_of(4) {
        json_bytes.push(b' ');
    }
    let total = 12 + 8 + json_bytes.len() + 8 + b.bin.len();
    let mut out = Vec::with_capacity(total);
    out.extend_from_slice(b"glTF");
    out.extend_from_slice(&2u32.to_le_bytes());
    out.extend_from_slice(&(total as u32).to_le_bytes());
    out.extend_from_slice(&(json_bytes.len() as u32).to_le_bytes());
    out.extend_from_slice(b"JSON");
    out.extend_from_slice(&json_bytes);
    out.extend_from_slice(&(b.bin.len() as u32).to_le_bytes());
    out.extend_from_slice(b"BIN\0");
    out.extend_from_slice(&b.bin);
    out
}
