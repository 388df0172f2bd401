//! Writing a level as a self-contained GLB: one file per level, so any static web server, object
//! store or CDN serves it with HTTP caching and the viewer counts its progress in bytes.
//!
//! The JSON is built with serde_json rather than gltf-json's typed tree: the document has a
//! fixed, small shape, and the Khronos validator checks every file we write (tests/pack.rs).
//!
//! Geometry is small on the wire by default ([`Geometry::Compressed`]), the way gltfpack's `-cc`
//! writes it: `KHR_mesh_quantization` (positions as 16-bit integers on a grid of 1/65535 of the
//! model's largest side, placed by the node's translation and uniform scale; normals as 8-bit;
//! texture coordinates as 16-bit) and then `EXT_meshopt_compression` (meshoptimizer's vertex
//! codec, version 0 as the extension requires, and its triangle index codec), which the viewer
//! decodes in `disan_format::compression`. Sixteen bits rather than gltfpack's fourteen: a
//! 20 m relic keeps a 0.3 mm grid, far under the finest level's error bound (0.05 %, 10 mm).

use serde_json::{Value, json};

use crate::input::TextureSlot;

const KTX2: &str = "image/ktx2";

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
    /// The textures' glTF wrap modes (`wrapS`, `wrapT`).
    pub wrap: [u32; 2],
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

const BYTE: u32 = 5120;

/// How a level's geometry is written.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Geometry {
    /// Quantized and meshopt-compressed (see the module's documentation).
    #[default]
    Compressed,
    /// Float attributes, no extension: for tools that read neither extension (`--plain`).
    Plain,
}

struct Builder {
    bin: Vec<u8>,
    views: Vec<Value>,
    accessors: Vec<Value>,
    /// Bytes the decoded (fallback) views take; `disan pack` writes none of them.
    fallback: usize,
    compress: bool,
}

/// How meshoptimizer encodes a view.
enum Stream<'a> {
    /// Vertex attributes, `stride` bytes each.
    Attributes { bytes: &'a [u8], stride: usize },
    /// A triangle list, written as `stride`-byte indices for `vertices` vertices.
    Triangles {
        indices: &'a [u32],
        stride: usize,
        vertices: usize,
    },
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

    /// A vertex or index stream: compressed where the level is, else plain bytes.
    fn stream(&mut self, stream: Stream<'_>) -> usize {
        let (plain_len, stride, target) = match &stream {
            Stream::Attributes { bytes, stride } => (bytes.len(), *stride, ARRAY_BUFFER),
            Stream::Triangles {
                indices, stride, ..
            } => (indices.len() * stride, *stride, ELEMENT_ARRAY_BUFFER),
        };
        if !self.compress {
            let bytes = match stream {
                Stream::Attributes { bytes, .. } => bytes.to_vec(),
                Stream::Triangles {
                    indices, stride: 2, ..
                } => indices
                    .iter()
                    .flat_map(|&i| (i as u16).to_le_bytes())
                    .collect(),
                Stream::Triangles { indices, .. } => {
                    indices.iter().flat_map(|&i| i.to_le_bytes()).collect()
                }
            };
            // Plain streams are tightly packed: no byteStride.
            return self.view(&bytes, Some(target));
        }
        let (encoded, count, mode) = match stream {
            Stream::Attributes { bytes, stride } => {
                let count = bytes.len() / stride;
                // Version 0 of the vertex codec is the one EXT_meshopt_compression allows.
                let encoded = match stride {
                    4 => meshopt::encoding::encode_vertex_buffer_level(
                        as_records::<4>(bytes).as_slice(),
                        2,
                        Some(0),
                    ),
                    8 => meshopt::encoding::encode_vertex_buffer_level(
                        as_records::<8>(bytes).as_slice(),
                        2,
                        Some(0),
                    ),
                    12 => meshopt::encoding::encode_vertex_buffer_level(
                        as_records::<12>(bytes).as_slice(),
                        2,
                        Some(0),
                    ),
                    _ => unreachable!("strides written here are 4, 8 or 12"),
                };
                (
                    encoded.expect("meshopt encodes any vertex stream"),
                    count,
                    "ATTRIBUTES",
                )
            }
            Stream::Triangles {
                indices, vertices, ..
            } => (
                meshopt::encoding::encode_index_buffer(indices, vertices)
                    .expect("a triangle list encodes"),
                indices.len(),
                "TRIANGLES",
            ),
        };
        while !self.bin.len().is_multiple_of(4) {
            self.bin.push(0);
        }
        let offset = self.bin.len();
        self.bin.extend_from_slice(&encoded);
        let fallback_offset = self.fallback;
        self.fallback += plain_len.next_multiple_of(4);
        let mut v = json!({
            "buffer": 1, "byteOffset": fallback_offset, "byteLength": plain_len, "target": target,
            "extensions": { "EXT_meshopt_compression": {
                "buffer": 0, "byteOffset": offset, "byteLength": encoded.len(), "byteStride": stride, "count": count, "mode": mode
            } }
        });
        // glTF allows a stride on vertex views only.
        if target == ARRAY_BUFFER {
            v["byteStride"] = json!(stride);
        }
        self.views.push(v);
        self.views.len() - 1
    }

    fn accessor(
        &mut self,
        view: usize,
        component: u32,
        count: usize,
        kind: &str,
        normalized: bool,
        min_max: Option<(Vec<f32>, Vec<f32>)>,
    ) -> usize {
        let mut a =
            json!({ "bufferView": view, "componentType": component, "count": count, "type": kind });
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

/// Bytes as fixed-size records, for the vertex encoder (which takes the record size from the type).
fn as_records<const N: usize>(bytes: &[u8]) -> Vec<[u8; N]> {
    bytes
        .chunks_exact(N)
        .map(|c| c.try_into().expect("exact chunks"))
        .collect()
}

fn floats<const N: usize>(v: &[[f32; N]]) -> Vec<u8> {
    v.iter()
        .flat_map(|a| a.iter().flat_map(|f| f.to_le_bytes()))
        .collect()
}

/// The GLB bytes of a level. `extras` go on `asset.extras` (what the level is and its error).
pub fn write(meshes: &[GlbMesh], extras: Value, geometry: Geometry) -> Vec<u8> {
    let compress = geometry == Geometry::Compressed;
    let mut b = Builder {
        bin: Vec::new(),
        views: Vec::new(),
        accessors: Vec::new(),
        fallback: 0,
        compress,
    };
    let mut primitives = Vec::new();
    let mut materials = Vec::new();
    let mut textures = Vec::new();
    let mut images = Vec::new();
    // One sampler per wrap mode in use.
    let mut samplers: Vec<[u32; 2]> = Vec::new();
    // One quantization grid for the whole level, placed by the node's transform.
    let mut level_min = [f32::MAX; 3];
    let mut level_max = [f32::MIN; 3];
    for p in meshes.iter().flat_map(|m| &m.positions) {
        for i in 0..3 {
            level_min[i] = level_min[i].min(p[i]);
            level_max[i] = level_max[i].max(p[i]);
        }
    }
    let largest = (0..3)
        .map(|i| level_max[i] - level_min[i])
        .fold(0.0f32, f32::max);
    let step = if largest > 0.0 {
        largest / 65535.0
    } else {
        1.0
    };
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
        if compress {
            let grid = |p: &[f32; 3], i: usize| {
                ((p[i] - level_min[i]) / step).round().clamp(0.0, 65535.0) as u16
            };
            let bytes: Vec<u8> = mesh
                .positions
                .iter()
                .flat_map(|p| {
                    [grid(p, 0), grid(p, 1), grid(p, 2), 0]
                        .into_iter()
                        .flat_map(u16::to_le_bytes)
                })
                .collect();
            let (qmin, qmax): (Vec<u16>, Vec<u16>) =
                (0..3).map(|i| (grid(&min, i), grid(&max, i))).unzip();
            let v = b.stream(Stream::Attributes {
                bytes: &bytes,
                stride: 8,
            });
            let a = b.accessor(
                v,
                UNSIGNED_SHORT,
                n,
                "VEC3",
                false,
                Some((
                    qmin.iter().map(|q| f32::from(*q)).collect(),
                    qmax.iter().map(|q| f32::from(*q)).collect(),
                )),
            );
            attributes.insert("POSITION".into(), json!(a));
        } else {
            let v = b.stream(Stream::Attributes {
                bytes: &floats(&mesh.positions),
                stride: 12,
            });
            attributes.insert(
                "POSITION".into(),
                json!(b.accessor(
                    v,
                    FLOAT,
                    n,
                    "VEC3",
                    false,
                    Some((min.to_vec(), max.to_vec()))
                )),
            );
        }
        if let Some(normals) = &mesh.normals {
            if compress {
                let q = |x: f32| (x.clamp(-1.0, 1.0) * 127.0).round() as i8 as u8;
                let bytes: Vec<u8> = normals
                    .iter()
                    .flat_map(|n| [q(n[0]), q(n[1]), q(n[2]), 0])
                    .collect();
                let v = b.stream(Stream::Attributes {
                    bytes: &bytes,
                    stride: 4,
                });
                attributes.insert(
                    "NORMAL".into(),
                    json!(b.accessor(v, BYTE, n, "VEC3", true, None)),
                );
            } else {
                let v = b.stream(Stream::Attributes {
                    bytes: &floats(normals),
                    stride: 12,
                });
                attributes.insert(
                    "NORMAL".into(),
                    json!(b.accessor(v, FLOAT, n, "VEC3", false, None)),
                );
            }
        }
        if let Some(uvs) = &mesh.uvs
            && (mesh.texture.is_some() || !mesh.maps.is_empty())
        {
            // 16-bit where every coordinate is inside the texture (0.06 px at 4096); a scan
            // whose coordinates wrap keeps floats.
            if compress && uvs.iter().flatten().all(|c| (0.0..=1.0).contains(c)) {
                let q = |x: f32| (x * 65535.0).round() as u16;
                let bytes: Vec<u8> = uvs
                    .iter()
                    .flat_map(|t| [q(t[0]), q(t[1])].into_iter().flat_map(u16::to_le_bytes))
                    .collect();
                let v = b.stream(Stream::Attributes {
                    bytes: &bytes,
                    stride: 4,
                });
                attributes.insert(
                    "TEXCOORD_0".into(),
                    json!(b.accessor(v, UNSIGNED_SHORT, n, "VEC2", true, None)),
                );
            } else {
                let v = b.stream(Stream::Attributes {
                    bytes: &floats(uvs),
                    stride: 8,
                });
                attributes.insert(
                    "TEXCOORD_0".into(),
                    json!(b.accessor(v, FLOAT, n, "VEC2", false, None)),
                );
            }
        }
        if let Some(colors) = &mesh.colors {
            let bytes: Vec<u8> = colors.iter().flatten().copied().collect();
            let v = b.stream(Stream::Attributes {
                bytes: &bytes,
                stride: 4,
            });
            attributes.insert(
                "COLOR_0".into(),
                json!(b.accessor(v, UNSIGNED_BYTE, n, "VEC4", true, None)),
            );
        }
        // 16-bit indices where they fit: half the bytes for every level up to "low".
        let (component, stride) = if n <= u16::MAX as usize {
            (UNSIGNED_SHORT, 2)
        } else {
            (UNSIGNED_INT, 4)
        };
        let v = b.stream(Stream::Triangles {
            indices: &mesh.indices,
            stride,
            vertices: n,
        });
        let indices = b.accessor(v, component, mesh.indices.len(), "SCALAR", false, None);
        let mut pbr = json!({ "baseColorFactor": mesh.base_color, "metallicFactor": mesh.metallic, "roughnessFactor": mesh.roughness });
        let mut material = json!({ "name": mesh.name });
        let mut add_texture = |texture: &GlbTexture| -> usize {
            let sampler = samplers
                .iter()
                .position(|w| *w == mesh.wrap)
                .unwrap_or_else(|| {
                    samplers.push(mesh.wrap);
                    samplers.len() - 1
                });
            let v = b.view(&texture.bytes, None);
            images.push(json!({ "bufferView": v, "mimeType": texture.mime }));
            // A KTX2 image is a texture's source through KHR_texture_basisu, the only place
            // glTF takes KTX2 (the viewer's loader reads it; see gpu_texture.rs).
            if texture.mime == KTX2 {
                textures.push(json!({ "extensions": { "KHR_texture_basisu": { "source": images.len() - 1 } }, "sampler": sampler }));
            } else {
                textures.push(json!({ "source": images.len() - 1, "sampler": sampler }));
            }
            textures.len() - 1
        };
        if mesh.uvs.is_some() {
            if let Some(texture) = &mesh.texture {
                pbr["baseColorTexture"] = json!({ "index": add_texture(texture) });
            }
            for (slot, texture) in &mesh.maps {
                let index = add_texture(texture);
                match slot {
                    TextureSlot::Normal => {
                        material["normalTexture"] =
                            json!({ "index": index, "scale": mesh.normal_scale })
                    }
                    TextureSlot::MetallicRoughness => {
                        pbr["metallicRoughnessTexture"] = json!({ "index": index })
                    }
                    TextureSlot::Occlusion => {
                        material["occlusionTexture"] = json!({ "index": index })
                    }
                    TextureSlot::Emissive => {
                        material["emissiveTexture"] = json!({ "index": index })
                    }
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
    let mut node = json!({ "mesh": 0, "name": "scan" });
    if compress {
        node["translation"] = json!(level_min);
        node["scale"] = json!([step, step, step]);
    }
    let mut doc = json!({
        "asset": { "version": "2.0", "generator": concat!("disan pack ", env!("CARGO_PKG_VERSION")), "extras": extras },
        "scene": 0,
        "scenes": [{ "nodes": [0] }],
        "nodes": [node],
        "meshes": [{ "primitives": primitives, "name": "scan" }],
        "materials": materials,
        "accessors": b.accessors,
        "bufferViews": b.views,
        "buffers": [{ "byteLength": b.bin.len() }],
    });
    let mut required: Vec<&str> = Vec::new();
    if compress {
        doc["buffers"].as_array_mut().expect("an array").push(json!({
            "byteLength": b.fallback.max(4), "extensions": { "EXT_meshopt_compression": { "fallback": true } }
        }));
        required.extend(["EXT_meshopt_compression", "KHR_mesh_quantization"]);
    }
    if images.iter().any(|i| i["mimeType"] == KTX2) {
        required.push("KHR_texture_basisu");
    }
    if !required.is_empty() {
        doc["extensionsUsed"] = json!(required);
        doc["extensionsRequired"] = json!(required);
    }
    if !images.is_empty() {
        // Linear filtering with mipmaps: the viewer builds the mip chain (see texture.rs).
        doc["samplers"] = json!(samplers.iter().map(|w| json!({ "magFilter": 9729, "minFilter": 9987, "wrapS": w[0], "wrapT": w[1] })).collect::<Vec<_>>());
        doc["textures"] = json!(textures);
        doc["images"] = json!(images);
    }
    let json_bytes = serde_json::to_vec(&doc).expect("serialises");
    disan_format::compression::glb(&json_bytes, &b.bin)
}
