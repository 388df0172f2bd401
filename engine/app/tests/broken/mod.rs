//! The broken-content suite: packages that are broken or hostile in one way each, generated here
//! (so every case says in code what is wrong with it), with the outcome each must have in
//! `disan validate` and in the viewer. Used by tests/broken_content.rs.
//!
//! Every case starts from one small, valid package (a textured triangle with a hotspot, an
//! ambient sound and a one-stop tour with narration and captions) and breaks one thing.

use std::path::Path;

use serde_json::{Value, json};

/// What the viewer must do with a case.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Viewer {
    /// The exhibit shows (with no notice).
    Shown,
    /// The exhibit shows, and the file is named in a notice whose reason contains the text.
    LeftOut(&'static str, &'static str),
    /// The error screen names the file (or the text).
    Refused(&'static str),
    /// Anything but a crash or a hang: shown, shown with notices, or refused (random mutations).
    Survives,
}

pub struct Case {
    pub name: &'static str,
    /// `disan validate`'s exit status: 0 clean, 2 warnings only, 1 errors; `ANY` for random
    /// mutations (whatever it finds, it must not crash).
    pub validate_status: i32,
    /// Text `disan validate` must print (the file and the problem), when it reports one.
    pub validate_says: &'static [&'static str],
    pub viewer: Viewer,
    build: fn(&Path),
}

// ----- the valid base package ----------------------------------------------------------------

const MANIFEST: &str = r#"format = 1
id = "ID"
kind = "artifact"
rank = "inventory"
title = { vi = "Mẫu hỏng ID", en = "Broken sample ID" }
summary = { vi = "Một gói mẫu để thử.", en = "A sample package for tests." }

[[models]]
id = "main"
src = "MODEL"

[[audio]]
id = "ambience"
src = "SOUND"
loop = true

[[hotspots]]
id = "mark"
position = [0.0, 0.5, 0.0]
title = { vi = "Điểm", en = "Point" }
body = { vi = "Nội dung.", en = "Body." }
image = "IMAGE"
narration = { vi = "NARRATION", en = "NARRATION" }

[[tours]]
id = "main"
title = { vi = "Tham quan", en = "Tour" }
[[tours.stops]]
hotspot = "mark"
text = { vi = "Điểm dừng.", en = "A stop." }
narration = { vi = "NARRATION", en = "NARRATION" }
captions = { vi = "CAPTIONS", en = "CAPTIONS" }

[rights]
license = "CC0-1.0"
holder = "Disan tests"
attribution = { vi = "Gói thử nghiệm.", en = "Test package." }

[provenance]
method = "procedural"
"#;

/// The names the base manifest gives each file; a case may point one elsewhere.
pub struct Files {
    pub model: &'static str,
    pub sound: &'static str,
    pub image: &'static str,
    pub narration: &'static str,
    pub captions: &'static str,
}

const FILES: Files = Files {
    model: "models/object.glb",
    sound: "audio/ambience.wav",
    image: "images/detail.png",
    narration: "audio/narration.wav",
    captions: "captions/stop.vi.vtt",
};

fn manifest(dir: &Path, files: &Files) -> String {
    let id = dir.file_name().unwrap().to_string_lossy().to_string();
    MANIFEST
        .replace("ID", &id)
        .replace("MODEL", files.model)
        .replace("SOUND", files.sound)
        .replace("IMAGE", files.image)
        .replace("NARRATION", files.narration)
        .replace("CAPTIONS", files.captions)
}

fn write(dir: &Path, file: &str, bytes: &[u8]) {
    let path = dir.join(file);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, bytes).unwrap();
}

/// A valid package with every file in place; `model` replaces the GLB's bytes when given.
fn base(dir: &Path, model: Option<Vec<u8>>) {
    write(dir, "exhibit.toml", manifest(dir, &FILES).as_bytes());
    write(
        dir,
        FILES.model,
        &model.unwrap_or_else(|| Glb::triangle().bytes()),
    );
    write(dir, FILES.sound, &wav(1.0, 440.0));
    write(dir, FILES.narration, &wav(2.0, 220.0));
    write(dir, FILES.image, &png(8, 8));
    write(
        dir,
        FILES.captions,
        b"WEBVTT\n\n00:00.000 --> 00:01.500\nM\xe1\xbb\x99t c\xc3\xa2u.\n",
    );
}

fn with_manifest_edit(dir: &Path, from: &str, to: &str) {
    base(dir, None);
    let text = std::fs::read_to_string(dir.join("exhibit.toml")).unwrap();
    assert!(text.contains(from), "the base manifest has {from:?}");
    write(dir, "exhibit.toml", text.replacen(from, to, 1).as_bytes());
}

// ----- media ----------------------------------------------------------------------------------

/// A mono 16-bit WAV of a sine tone.
pub fn wav(seconds: f32, hz: f32) -> Vec<u8> {
    let rate = 16_000u32;
    let n = (seconds * rate as f32) as u32;
    let mut out = Vec::new();
    out.extend_from_slice(b"RIFF");
    out.extend_from_slice(&(36 + n * 2).to_le_bytes());
    out.extend_from_slice(b"WAVEfmt ");
    out.extend_from_slice(&16u32.to_le_bytes());
    out.extend_from_slice(&1u16.to_le_bytes());
    out.extend_from_slice(&1u16.to_le_bytes());
    out.extend_from_slice(&rate.to_le_bytes());
    out.extend_from_slice(&(rate * 2).to_le_bytes());
    out.extend_from_slice(&2u16.to_le_bytes());
    out.extend_from_slice(&16u16.to_le_bytes());
    out.extend_from_slice(b"data");
    out.extend_from_slice(&(n * 2).to_le_bytes());
    for i in 0..n {
        let v = ((i as f32 / rate as f32 * hz * std::f32::consts::TAU).sin() * 8000.0) as i16;
        out.extend_from_slice(&v.to_le_bytes());
    }
    out
}

/// A small RGBA PNG (a checker), encoded by the `png` crate.
pub fn png(w: u32, h: u32) -> Vec<u8> {
    let mut out = Vec::new();
    {
        let mut encoder = png::Encoder::new(&mut out, w, h);
        encoder.set_color(png::ColorType::Rgba);
        encoder.set_depth(png::BitDepth::Eight);
        let mut writer = encoder.write_header().unwrap();
        let data: Vec<u8> = (0..w * h)
            .flat_map(|i| {
                if (i / w + i % w) % 2 == 0 {
                    [200, 60, 40, 255]
                } else {
                    [240, 220, 180, 255]
                }
            })
            .collect();
        writer.write_image_data(&data).unwrap();
    }
    out
}

/// A PNG whose header says `w`×`h` but which holds almost nothing: a decoder that trusted the
/// header would allocate w×h×4 bytes.
pub fn png_claiming(w: u32, h: u32) -> Vec<u8> {
    let mut ihdr = Vec::new();
    ihdr.extend_from_slice(&w.to_be_bytes());
    ihdr.extend_from_slice(&h.to_be_bytes());
    ihdr.extend_from_slice(&[8, 6, 0, 0, 0]);
    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    chunk(&mut out, b"IHDR", &ihdr);
    chunk(
        &mut out,
        b"IDAT",
        &[0x78, 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01],
    );
    chunk(&mut out, b"IEND", &[]);
    out
}

fn chunk(out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
    out.extend_from_slice(&(data.len() as u32).to_be_bytes());
    let start = out.len();
    out.extend_from_slice(kind);
    out.extend_from_slice(data);
    let crc = crc32(&out[start..]);
    out.extend_from_slice(&crc.to_be_bytes());
}

fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = 0xffff_ffffu32;
    for b in bytes {
        crc ^= u32::from(*b);
        for _ in 0..8 {
            crc = if crc & 1 != 0 {
                (crc >> 1) ^ 0xedb8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

// ----- glTF -----------------------------------------------------------------------------------

/// A glTF document and its binary chunk, to be broken by a case and written as GLB or .gltf.
pub struct Glb {
    pub json: Value,
    pub bin: Vec<u8>,
}

impl Glb {
    /// One textured triangle: positions (3 × VEC3 float), UVs, u16 indices, a PNG texture.
    pub fn triangle() -> Self {
        let mut bin = Vec::new();
        for p in [[-0.5f32, 0.0, 0.0], [0.5, 0.0, 0.0], [0.0, 1.0, 0.0]] {
            p.iter()
                .for_each(|c| bin.extend_from_slice(&c.to_le_bytes()));
        }
        for uv in [[0.0f32, 1.0], [1.0, 1.0], [0.5, 0.0]] {
            uv.iter()
                .for_each(|c| bin.extend_from_slice(&c.to_le_bytes()));
        }
        for i in [0u16, 1, 2, 0] {
            bin.extend_from_slice(&i.to_le_bytes()); // the 4th keeps the image 4-aligned
        }
        let image = png(4, 4);
        let image_offset = bin.len();
        bin.extend_from_slice(&image);
        while bin.len() % 4 != 0 {
            bin.push(0);
        }
        let json = json!({
            "asset": { "version": "2.0", "generator": "disan broken-content suite" },
            "scene": 0,
            "scenes": [{ "nodes": [0] }],
            "nodes": [{ "mesh": 0 }],
            "meshes": [{ "primitives": [{ "attributes": { "POSITION": 0, "TEXCOORD_0": 1 }, "indices": 2, "material": 0 }] }],
            "materials": [{ "pbrMetallicRoughness": { "baseColorTexture": { "index": 0 } }, "doubleSided": true }],
            "textures": [{ "source": 0 }],
            "images": [{ "bufferView": 3, "mimeType": "image/png" }],
            "accessors": [
                { "bufferView": 0, "componentType": 5126, "count": 3, "type": "VEC3", "min": [-0.5, 0.0, 0.0], "max": [0.5, 1.0, 0.0] },
                { "bufferView": 1, "componentType": 5126, "count": 3, "type": "VEC2" },
                { "bufferView": 2, "componentType": 5123, "count": 3, "type": "SCALAR" }
            ],
            "bufferViews": [
                { "buffer": 0, "byteOffset": 0, "byteLength": 36 },
                { "buffer": 0, "byteOffset": 36, "byteLength": 24 },
                { "buffer": 0, "byteOffset": 60, "byteLength": 6 },
                { "buffer": 0, "byteOffset": image_offset, "byteLength": image.len() }
            ],
            "buffers": [{ "byteLength": bin.len() }]
        });
        Self { json, bin }
    }

    pub fn bytes(&self) -> Vec<u8> {
        let mut json = serde_json::to_vec(&self.json).unwrap();
        while json.len() % 4 != 0 {
            json.push(b' ');
        }
        let mut bin = self.bin.clone();
        while bin.len() % 4 != 0 {
            bin.push(0);
        }
        let total = 12 + 8 + json.len() + 8 + bin.len();
        let mut out = Vec::with_capacity(total);
        out.extend_from_slice(b"glTF");
        out.extend_from_slice(&2u32.to_le_bytes());
        out.extend_from_slice(&(total as u32).to_le_bytes());
        out.extend_from_slice(&(json.len() as u32).to_le_bytes());
        out.extend_from_slice(b"JSON");
        out.extend_from_slice(&json);
        out.extend_from_slice(&(bin.len() as u32).to_le_bytes());
        out.extend_from_slice(b"BIN\0");
        out.extend_from_slice(&bin);
        out
    }

    fn edit(mut self, f: impl FnOnce(&mut Value)) -> Self {
        f(&mut self.json);
        self
    }
}

fn broken_glb(dir: &Path, f: impl FnOnce(&mut Value)) {
    base(dir, Some(Glb::triangle().edit(f).bytes()));
}

/// The package's model as a `.gltf` beside its `.bin`, with the JSON edited by `f`.
fn broken_gltf(dir: &Path, f: impl FnOnce(&mut Value)) {
    base(dir, None);
    std::fs::remove_file(dir.join(FILES.model)).unwrap();
    let mut glb = Glb::triangle();
    glb.json["buffers"][0]["uri"] = json!("object.bin");
    f(&mut glb.json);
    write(dir, "models/object.bin", &glb.bin);
    write(
        dir,
        "models/object.gltf",
        &serde_json::to_vec_pretty(&glb.json).unwrap(),
    );
    let text = std::fs::read_to_string(dir.join("exhibit.toml"))
        .unwrap()
        .replace(FILES.model, "models/object.gltf");
    write(dir, "exhibit.toml", text.as_bytes());
}

/// Any exit status of `disan validate` but a crash.
pub const ANY: i32 = -1;

/// The control GLB with `n` bytes overwritten at places and with values drawn from `seed`
/// (xorshift: the same mutations every run, so a failure can be reproduced by its name).
fn mutated_glb(seed: u64, n: usize) -> Vec<u8> {
    let mut bytes = Glb::triangle().bytes();
    let mut x = seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1;
    let mut next = move || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    };
    for _ in 0..n {
        let at = (next() % bytes.len() as u64) as usize;
        bytes[at] = next() as u8;
    }
    bytes
}

/// A file just outside the package, which hostile URIs aim at.
pub const OUTSIDE: &str = "outside-secret.bin";

// ----- the cases ------------------------------------------------------------------------------

macro_rules! case {
    ($name:literal, $status:expr, [$($says:literal),*], $viewer:expr, $build:expr) => {
        Case { name: $name, validate_status: $status, validate_says: &[$($says),*], viewer: $viewer, build: $build }
    };
}

pub fn cases() -> Vec<Case> {
    use Viewer::*;
    let mut cases = named_cases();
    // Random damage to the model, to the real loader and renderer: never a crash or a hang.
    const FUZZ: [&str; 12] = [
        "fuzz-01", "fuzz-02", "fuzz-03", "fuzz-04", "fuzz-05", "fuzz-06", "fuzz-07", "fuzz-08",
        "fuzz-09", "fuzz-10", "fuzz-11", "fuzz-12",
    ];
    for name in FUZZ {
        cases.push(Case {
            name,
            validate_status: ANY,
            validate_says: &[],
            viewer: Survives,
            build: |d| {
                let seed: u64 = d.file_name().unwrap().to_string_lossy()[5..]
                    .parse()
                    .unwrap();
                base(d, Some(mutated_glb(seed, 1 + seed as usize % 6)));
            },
        });
    }
    cases
}

fn named_cases() -> Vec<Case> {
    use Viewer::*;
    vec![
        // The control: the base package itself.
        case!("ok-control", 0, [], Shown, |d| base(d, None)),
        // --- models: the bytes lie ---
        case!(
            "glb-accessor-past-view",
            1,
            [
                "models/object.glb",
                "accessors[0]",
                "reads past the end of bufferViews[0]"
            ],
            Refused("accessors[0]"),
            |d| broken_glb(d, |j| j["accessors"][0]["count"] = json!(30))
        ),
        case!(
            "glb-view-past-buffer",
            1,
            ["bufferViews[1]", "runs past the end of buffers[0]"],
            Refused("bufferViews[1]"),
            |d| broken_glb(d, |j| j["bufferViews"][1]["byteLength"] = json!(100_000))
        ),
        case!(
            "glb-buffer-longer-than-file",
            1,
            ["buffers[0].byteLength", "only"],
            Refused("buffers[0]"),
            |d| broken_glb(d, |j| j["buffers"][0]["byteLength"] = json!(1_000_000))
        ),
        case!(
            "glb-index-out-of-range",
            1,
            ["indices", "refers to vertex 7"],
            Refused("refers to vertex 7"),
            |d| {
                let mut glb = Glb::triangle();
                glb.bin[64..66].copy_from_slice(&7u16.to_le_bytes());
                base(d, Some(glb.bytes()));
            }
        ),
        case!(
            "glb-huge-count",
            1,
            ["accessors[2]", "reads past"],
            Refused("accessors[2]"),
            |d| broken_glb(d, |j| j["accessors"][2]["count"] =
                json!(4_611_686_018_427_387_904u64))
        ),
        case!(
            "glb-zero-count",
            1,
            ["accessors[1].count", "is 0"],
            Refused("is 0"),
            |d| broken_glb(d, |j| j["accessors"][1]["count"] = json!(0))
        ),
        case!(
            "glb-attribute-count-mismatch",
            1,
            ["TexCoords", "values for 3 vertices"],
            Refused("values for 3 vertices"),
            |d| broken_glb(d, |j| {
                j["accessors"][1]["count"] = json!(2);
            })
        ),
        case!(
            "glb-no-position",
            1,
            ["POSITION", "is missing"],
            Refused("POSITION"),
            |d| broken_glb(d, |j| {
                j["meshes"][0]["primitives"][0]["attributes"] = json!({ "TEXCOORD_0": 1 });
            })
        ),
        case!(
            "glb-scene-without-mesh",
            1,
            ["scenes[0]", "holds no mesh"],
            Refused("holds no mesh"),
            |d| broken_glb(d, |j| {
                j["nodes"] = json!([{ "name": "empty" }, { "mesh": 0 }]);
            })
        ),
        case!(
            "glb-no-scene",
            1,
            ["has no scene"],
            Refused("has no scene"),
            |d| broken_glb(d, |j| {
                j.as_object_mut().unwrap().remove("scenes");
                j.as_object_mut().unwrap().remove("scene");
            })
        ),
        case!(
            "glb-node-cycle",
            1,
            ["nodes[", "trees"],
            Refused("trees"),
            |d| broken_glb(d, |j| {
                j["nodes"] = json!([{ "mesh": 0, "children": [1] }, { "children": [2] }, { "children": [1] }]);
            })
        ),
        case!(
            "glb-bad-reference",
            1,
            ["accessors[0].bufferView", "does not exist"],
            Refused("does not exist"),
            |d| broken_glb(d, |j| j["accessors"][0]["bufferView"] = json!(17))
        ),
        case!(
            "glb-requires-draco",
            1,
            ["KHR_draco_mesh_compression"],
            Refused("KHR_draco_mesh_compression"),
            |d| broken_glb(d, |j| {
                j["extensionsUsed"] = json!(["KHR_draco_mesh_compression"]);
                j["extensionsRequired"] = json!(["KHR_draco_mesh_compression"]);
            })
        ),
        case!(
            "glb-truncated",
            1,
            ["models/object.glb", "not a readable GLB"],
            Refused("not a readable GLB"),
            |d| {
                let bytes = Glb::triangle().bytes();
                base(d, Some(bytes[..bytes.len() / 3].to_vec()));
            }
        ),
        case!(
            "glb-not-a-model",
            1,
            ["neither a GLB nor glTF"],
            Refused("neither a GLB nor glTF"),
            |d| base(
                d,
                Some(b"Wavefront OBJ exported by mistake\nv 0 0 0\n".to_vec())
            )
        ),
        case!(
            "glb-json-garbage",
            1,
            ["glTF JSON cannot be read"],
            Refused("cannot be read"),
            |d| {
                let mut bytes = Glb::triangle().bytes();
                bytes[20..28].copy_from_slice(b"{{{{{{{{");
                base(d, Some(bytes));
            }
        ),
        case!(
            "glb-empty-file",
            1,
            ["models/object.glb"],
            Refused("models/object.glb"),
            |d| base(d, Some(Vec::new()))
        ),
        // --- models: textures ---
        case!(
            "glb-texture-claims-30000",
            1,
            ["images[0]", "30000×30000"],
            Refused("30000×30000"),
            |d| {
                let mut glb = Glb::triangle();
                let huge = png_claiming(30_000, 30_000);
                let offset = glb.bin.len();
                glb.bin.extend_from_slice(&huge);
                glb.json["bufferViews"][3] =
                    json!({ "buffer": 0, "byteOffset": offset, "byteLength": huge.len() });
                glb.json["buffers"][0]["byteLength"] = json!(glb.bin.len());
                base(d, Some(glb.bytes()));
            }
        ),
        case!(
            "glb-texture-not-an-image",
            1,
            ["images[0]", "not an image"],
            Refused("not an image"),
            |d| {
                let mut glb = Glb::triangle();
                let start = glb.json["bufferViews"][3]["byteOffset"].as_u64().unwrap() as usize;
                glb.bin[start..start + 16].copy_from_slice(b"this is no image");
                base(d, Some(glb.bytes()));
            }
        ),
        // --- models: URIs that leave the package ---
        case!(
            "gltf-buffer-escapes",
            1,
            ["buffers[0].uri", "leaves the package"],
            Refused("leaves the package"),
            |d| broken_gltf(d, |j| {
                j["buffers"][0]["uri"] = json!(format!("../../{OUTSIDE}"));
            })
        ),
        case!(
            "gltf-buffer-escapes-encoded",
            1,
            ["buffers[0].uri", "leaves the package"],
            Refused("leaves the package"),
            |d| broken_gltf(d, |j| {
                j["buffers"][0]["uri"] = json!(format!("%2e%2e/%2E%2E/{OUTSIDE}"));
            })
        ),
        case!(
            "gltf-buffer-absolute",
            1,
            ["buffers[0].uri", "absolute"],
            Refused("absolute"),
            |d| broken_gltf(d, |j| j["buffers"][0]["uri"] = json!("/etc/passwd"))
        ),
        case!(
            "gltf-buffer-url",
            1,
            ["buffers[0].uri", "absolute or a URL"],
            Refused("URL"),
            |d| broken_gltf(d, |j| j["buffers"][0]["uri"] =
                json!("https://example.org/object.bin"))
        ),
        case!(
            "gltf-image-escapes",
            1,
            ["images[0].uri", "leaves the package"],
            Refused("leaves the package"),
            |d| broken_gltf(d, |j| {
                j["images"][0] = json!({ "uri": "../../outside.png" });
            })
        ),
        case!(
            "gltf-buffer-missing",
            1,
            ["buffers[0].uri", "not in the package"],
            Refused("not in the package"),
            |d| broken_gltf(d, |j| j["buffers"][0]["uri"] = json!("missing.bin"))
        ),
        case!(
            "gltf-buffer-hash",
            1,
            ["buffers[0].uri", "`#`"],
            Refused("#"),
            |d| broken_gltf(d, |j| j["buffers"][0]["uri"] = json!("object.bin#x"))
        ),
        case!(
            "gltf-data-uri-not-base64",
            1,
            ["buffers[0].uri", "base64"],
            Refused("base64"),
            |d| broken_gltf(d, |j| j["buffers"][0]["uri"] =
                json!("data:application/octet-stream;base64,@@@not base64@@@"))
        ),
        case!(
            "gltf-buffer-link-outside",
            1,
            ["buffers[0].uri"],
            Refused("outside the package"),
            |d| {
                broken_gltf(d, |_| {});
                std::fs::remove_file(d.join("models/object.bin")).unwrap();
                let target = d.parent().unwrap().parent().unwrap().join(OUTSIDE);
                std::os::unix::fs::symlink(target, d.join("models/object.bin")).unwrap();
            }
        ),
        // --- the manifest points at things that are not there or not allowed ---
        case!(
            "model-missing",
            1,
            ["models/object.glb", "not in the package"],
            Refused("not in the package"),
            |d| {
                base(d, None);
                std::fs::remove_file(d.join(FILES.model)).unwrap();
            }
        ),
        case!(
            "model-path-escapes",
            1,
            ["leaves the package folder"],
            Refused("leaves the package folder"),
            |d| with_manifest_edit(
                d,
                "src = \"models/object.glb\"",
                "src = \"../../outside.glb\""
            )
        ),
        case!(
            "model-link-outside",
            1,
            ["leads outside the package"],
            Refused("leads outside the package"),
            |d| {
                base(d, None);
                std::fs::remove_file(d.join(FILES.model)).unwrap();
                std::os::unix::fs::symlink(
                    d.parent().unwrap().parent().unwrap().join(OUTSIDE),
                    d.join(FILES.model),
                )
                .unwrap();
            }
        ),
        case!("model-path-hash", 1, ["#"], Refused("#"), |d| {
            with_manifest_edit(
                d,
                "src = \"models/object.glb\"",
                "src = \"models/object#2.glb\"",
            );
            std::fs::rename(d.join(FILES.model), d.join("models/object#2.glb")).unwrap();
        }),
        case!("models-empty", 1, ["models"], Refused("models"), |d| {
            base(d, None);
            let text = std::fs::read_to_string(d.join("exhibit.toml"))
                .unwrap()
                .replace(
                    "[[models]]\nid = \"main\"\nsrc = \"models/object.glb\"\n",
                    "models = []\n",
                );
            write(
                d,
                "exhibit.toml",
                text.replacen("models = []\n", "", 1)
                    .replacen("format = 1\n", "format = 1\nmodels = []\n", 1)
                    .as_bytes(),
            );
        }),
        // --- manifests ---
        case!(
            "manifest-number-overflows-f32",
            1,
            ["position", "too large"],
            Refused("too large"),
            |d| with_manifest_edit(
                d,
                "position = [0.0, 0.5, 0.0]",
                "position = [0.0, 1e39, 0.0]"
            )
        ),
        case!(
            "manifest-empty-title",
            1,
            ["`title`"],
            Refused("`title`"),
            |d| {
                base(d, None);
                let text = std::fs::read_to_string(d.join("exhibit.toml")).unwrap();
                let edited: Vec<String> = text
                    .lines()
                    .map(|l| {
                        if l.starts_with("title = { vi = \"Mẫu hỏng") {
                            "title = {}".to_owned()
                        } else {
                            l.to_owned()
                        }
                    })
                    .collect();
                write(d, "exhibit.toml", edited.join("\n").as_bytes());
            }
        ),
        case!("manifest-not-utf8", 1, ["UTF-8"], Refused("UTF-8"), |d| {
            base(d, None);
            let mut bytes = std::fs::read(d.join("exhibit.toml")).unwrap();
            bytes.extend_from_slice(b"\n# \xff\xfe latin-1 text\n");
            write(d, "exhibit.toml", &bytes);
        }),
        case!(
            "manifest-date-does-not-exist",
            1,
            ["captured", "2023-02-30"],
            Refused("2023-02-30"),
            |d| with_manifest_edit(
                d,
                "method = \"procedural\"",
                "method = \"procedural\"\ncaptured = \"2023-02-30\""
            )
        ),
        // --- optional files: left out, the exhibit still shows ---
        case!(
            "image-claims-30000",
            1,
            ["images/detail.png", "30000×30000"],
            LeftOut("images/detail.png", "30000×30000"),
            |d| {
                base(d, None);
                write(d, FILES.image, &png_claiming(30_000, 30_000));
            }
        ),
        case!(
            "image-not-an-image",
            1,
            ["images/detail.png", "not an image"],
            LeftOut("images/detail.png", "not an image"),
            |d| {
                base(d, None);
                write(d, FILES.image, b"a text file saved with the wrong name");
            }
        ),
        case!(
            "image-missing",
            2,
            ["images/detail.png", "left out"],
            LeftOut("images/detail.png", "not in the package"),
            |d| {
                base(d, None);
                std::fs::remove_file(d.join(FILES.image)).unwrap();
            }
        ),
        case!(
            "sound-garbage",
            1,
            ["audio/ambience.wav"],
            LeftOut("audio/ambience.wav", "cannot be decoded"),
            |d| {
                base(d, None);
                write(
                    d,
                    FILES.sound,
                    b"RIFF\x10\x00\x00\x00WAVEjunk and nothing else",
                );
            }
        ),
        case!(
            "sound-empty",
            1,
            ["audio/ambience.wav"],
            LeftOut("audio/ambience.wav", ""),
            |d| {
                base(d, None);
                write(d, FILES.sound, b"");
            }
        ),
        case!(
            "sound-missing",
            2,
            ["audio/ambience.wav", "left out"],
            LeftOut("audio/ambience.wav", "not in the package"),
            |d| {
                base(d, None);
                std::fs::remove_file(d.join(FILES.sound)).unwrap();
            }
        ),
        case!(
            "narration-garbage",
            1,
            ["audio/narration.wav"],
            LeftOut("audio/narration.wav", "cannot be decoded"),
            |d| {
                base(d, None);
                write(d, FILES.narration, b"OggS\x00 an export that was cut short");
            }
        ),
        case!(
            "captions-not-webvtt",
            1,
            ["captions/stop.vi.vtt", "WEBVTT"],
            LeftOut("captions/stop.vi.vtt", "WEBVTT"),
            |d| {
                base(d, None);
                write(
                    d,
                    FILES.captions,
                    b"1\n00:00:00,000 --> 00:00:01,000\nAn SRT file renamed\n",
                );
            }
        ),
        case!(
            "captions-out-of-order",
            1,
            ["captions/stop.vi.vtt", "order"],
            LeftOut("captions/stop.vi.vtt", "order"),
            |d| {
                base(d, None);
                write(
                    d,
                    FILES.captions,
                    b"WEBVTT\n\n00:01.000 --> 00:01.500\nTwo\n\n00:00.000 --> 00:00.800\nOne\n",
                );
            }
        ),
        case!(
            "captions-longer-than-narration",
            1,
            ["captions/stop.vi.vtt", "run past the narration"],
            Shown,
            |d| {
                base(d, None);
                write(d, FILES.captions, b"WEBVTT\n\n00:00.000 --> 00:09.000\nMuch longer than the two-second narration\n");
            }
        ),
        case!(
            "captions-missing",
            2,
            ["captions/stop.vi.vtt", "left out"],
            LeftOut("captions/stop.vi.vtt", "not in the package"),
            |d| {
                base(d, None);
                std::fs::remove_file(d.join(FILES.captions)).unwrap();
            }
        ),
    ]
}

/// Writes every case into `root/catalogue/<case>/` and the file hostile URIs aim at into
/// `root/`, returning the catalogue folder.
pub fn generate(root: &Path) -> std::path::PathBuf {
    let _ = std::fs::remove_dir_all(root);
    let catalogue = root.join("catalogue");
    std::fs::create_dir_all(&catalogue).unwrap();
    std::fs::write(root.join(OUTSIDE), Glb::triangle().bin).unwrap();
    std::fs::write(root.join("outside.png"), png(4, 4)).unwrap();
    for case in cases() {
        (case.build)(&catalogue.join(case.name));
    }
    catalogue
}
