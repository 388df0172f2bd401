//! The model check (src/model.rs) on the bundled GLBs and on mutations of them: the samples pass
//! with their real numbers, every structural lie is caught at its glTF path, and no mutation
//! (bytes flipped in the JSON or the binary chunk, numbers in the JSON replaced by extreme
//! values, the file cut anywhere) makes the check panic or accept a model whose accessors read
//! outside their buffers.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use disan_format::{ModelFile, ModelLimits, PackagePath};
use proptest::prelude::*;

/// A sample's full level as it is published: compressed (`disan pack`).
fn packed(name: &str) -> (PackagePath, Vec<u8>) {
    let package = disan_format::open_package(&exhibits().join(name)).unwrap();
    let src = package.manifest.models[0].src.clone();
    let bytes = std::fs::read(exhibits().join(name).join(src.as_str())).unwrap();
    (src, bytes)
}

/// A sample's full level as plain glTF: what the viewer's decoder hands Bevy's loader.
fn sample(name: &str) -> (PackagePath, Vec<u8>) {
    let (path, bytes) = packed(name);
    let plain = disan_format::plain_glb(&bytes).unwrap().into_owned();
    assert!(
        !plain.windows(23).any(|w| w == b"EXT_meshopt_compression"),
        "{name}: decoded"
    );
    (path, plain)
}

const SAMPLES: [&str; 4] = [
    "dinh-hang-kenh",
    "trong-dong",
    "sac-phong",
    "mau-quet-bat-gom",
];

fn exhibits() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../exhibits")
}

fn check(path: &PackagePath, bytes: &[u8]) -> disan_format::ModelReport {
    check_and_decode(path, bytes).0
}

/// The check, and the plain GLB it decoded a compressed model into.
fn check_and_decode(
    path: &PackagePath,
    bytes: &[u8],
) -> (disan_format::ModelReport, Option<Vec<u8>>) {
    match ModelFile::parse(path, bytes) {
        Ok(file) => file.check_and_decode(&HashMap::new(), &ModelLimits::NATIVE),
        Err(report) => (report, None),
    }
}

/// Whether an accepted model, as the loader will get it, keeps every accessor inside its view.
fn accepted_is_sound(path: &PackagePath, bytes: &[u8]) -> bool {
    let (report, decoded) = check_and_decode(path, bytes);
    report.has_errors() || accessors_inside(decoded.as_deref().unwrap_or(bytes))
}

/// The GLB's JSON chunk and binary chunk.
fn split(bytes: &[u8]) -> (serde_json::Value, Vec<u8>) {
    let json_len = u32::from_le_bytes(bytes[12..16].try_into().unwrap()) as usize;
    let json = serde_json::from_slice(&bytes[20..20 + json_len]).unwrap();
    let bin = bytes[20 + json_len + 8..].to_vec();
    (json, bin)
}

fn join(json: &serde_json::Value, bin: &[u8]) -> Vec<u8> {
    disan_format::compression::glb(&serde_json::to_vec(json).unwrap(), bin)
}

#[test]
fn the_samples_pass_with_their_real_numbers() {
    for name in SAMPLES {
        let (path, compressed) = packed(name);
        let (_, plain) = sample(name);
        assert!(
            plain.len() > compressed.len(),
            "{name}: the published level is the smaller"
        );
        let report = check(&path, &compressed);
        assert_eq!(
            report.summary,
            check(&path, &plain).summary,
            "{name}: the compressed level holds what the plain one does"
        );
        assert!(!report.has_errors(), "{name}: {:?}", report.findings);
        assert!(
            report.summary.triangles > 100 && report.summary.meshes_in_scene > 0,
            "{name}: {:?}",
            report.summary
        );
        for (_, w, h) in &report.summary.images {
            assert!(*w > 0 && *h > 0 && *w <= 8192 && *h <= 8192);
        }
    }
}

#[test]
fn each_lie_is_caught_at_its_path() {
    let (path, bytes) = sample("trong-dong");
    let (json, bin) = split(&bytes);
    let cases: Vec<(&str, Box<dyn Fn(&mut serde_json::Value, &mut Vec<u8>)>)> = vec![
        (
            "accessors[0]",
            Box::new(|j, _| j["accessors"][0]["count"] = serde_json::json!(u32::MAX)),
        ),
        (
            "bufferViews[0]",
            Box::new(|j, _| j["bufferViews"][0]["byteOffset"] = serde_json::json!(u32::MAX)),
        ),
        (
            "buffers[0].byteLength",
            Box::new(|j, _| j["buffers"][0]["byteLength"] = serde_json::json!(u32::MAX)),
        ),
        (
            "scenes",
            Box::new(|j, _| {
                j.as_object_mut().unwrap().remove("scenes");
                j.as_object_mut().unwrap().remove("scene");
            }),
        ),
        (
            "buffers[0].uri",
            Box::new(|j, _| j["buffers"][0]["uri"] = serde_json::json!("../../../etc/passwd")),
        ),
        (
            "extensionsRequired",
            Box::new(|j, _| {
                j["extensionsRequired"] = serde_json::json!(["KHR_draco_mesh_compression"])
            }),
        ),
    ];
    for (field, edit) in cases {
        let (mut j, mut b) = (json.clone(), bin.clone());
        edit(&mut j, &mut b);
        let report = check(&path, &join(&j, &b));
        assert!(
            report.errors().any(|f| f.field.starts_with(field)),
            "{field}: {:?}",
            report.findings
        );
    }
    // An index past the last vertex, written into the binary chunk itself.
    let (j, mut b) = (json.clone(), bin.clone());
    let indices = j["meshes"][0]["primitives"][0]["indices"].as_u64().unwrap() as usize;
    let view = &j["bufferViews"][j["accessors"][indices]["bufferView"].as_u64().unwrap() as usize];
    let offset = view["byteOffset"].as_u64().unwrap_or(0) as usize
        + j["accessors"][indices]["byteOffset"].as_u64().unwrap_or(0) as usize;
    let size = match j["accessors"][indices]["componentType"].as_u64().unwrap() {
        5121 => 1,
        5123 => 2,
        _ => 4,
    };
    b[offset..offset + size].fill(0xff);
    let report = check(&path, &join(&j, &b));
    assert!(
        report
            .errors()
            .any(|f| f.field.ends_with(".indices") && f.message.contains("refers to vertex")),
        "{:?}",
        report.findings
    );
}

#[test]
fn a_texture_too_large_to_decode_is_refused_from_its_header() {
    // 30000 × 30000 in the IHDR, nothing behind it.
    let mut png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\x0dIHDR".to_vec();
    png.extend_from_slice(&30000u32.to_be_bytes());
    png.extend_from_slice(&30000u32.to_be_bytes());
    png.extend_from_slice(&[8, 6, 0, 0, 0, 0, 0, 0, 0]);
    assert_eq!(disan_format::image_size(&png), Ok((30000, 30000)));
    let (path, bytes) = sample("trong-dong");
    let (mut json, mut bin) = split(&bytes);
    let images = json["images"].as_array().map_or(0, Vec::len);
    assert!(images > 0, "the drum sample has textures");
    let offset = bin.len();
    bin.extend_from_slice(&png);
    while bin.len() % 4 != 0 {
        bin.push(0);
    }
    let views = json["bufferViews"].as_array().unwrap().len();
    json["bufferViews"]
        .as_array_mut()
        .unwrap()
        .push(serde_json::json!({ "buffer": 0, "byteOffset": offset, "byteLength": png.len() }));
    json["buffers"][0]["byteLength"] = serde_json::json!(bin.len());
    json["images"][images - 1] =
        serde_json::json!({ "bufferView": views, "mimeType": "image/png" });
    let report = check(&path, &join(&json, &bin));
    assert!(
        report
            .errors()
            .any(|f| f.field == format!("images[{}]", images - 1)
                && f.message.contains("30000×30000")),
        "{:?}",
        report.findings
    );
}

fn config() -> ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(256);
    ProptestConfig {
        cases,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

/// Whether every accessor of an accepted model lies inside its view, checked independently of
/// the model check (the property the check exists for).
fn accessors_inside(bytes: &[u8]) -> bool {
    let Ok(glb) = gltf_free_split(bytes) else {
        return true;
    };
    let (json, _) = glb;
    let views = json["bufferViews"].as_array().cloned().unwrap_or_default();
    json["accessors"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .all(|a| {
            let Some(v) = a["bufferView"].as_u64().and_then(|v| views.get(v as usize)) else {
                return true;
            };
            let comp = match a["componentType"].as_u64() {
                Some(5120 | 5121) => 1,
                Some(5122 | 5123) => 2,
                _ => 4,
            };
            let n = match a["type"].as_str() {
                Some("SCALAR") => 1,
                Some("VEC2") => 2,
                Some("VEC3") => 3,
                Some("VEC4" | "MAT2") => 4,
                Some("MAT3") => 9,
                _ => 16,
            };
            let elem = comp * n;
            let stride = v["byteStride"].as_u64().unwrap_or(elem);
            let count = a["count"].as_u64().unwrap_or(0);
            let end = (count.max(1) - 1)
                .saturating_mul(stride)
                .saturating_add(a["byteOffset"].as_u64().unwrap_or(0))
                .saturating_add(elem);
            end <= v["byteLength"].as_u64().unwrap_or(0)
        })
}

fn gltf_free_split(bytes: &[u8]) -> Result<(serde_json::Value, Vec<u8>), ()> {
    let json_len =
        u32::from_le_bytes(bytes.get(12..16).ok_or(())?.try_into().map_err(|_| ())?) as usize;
    let json = serde_json::from_slice(
        bytes
            .get(20..20usize.checked_add(json_len).ok_or(())?)
            .ok_or(())?,
    )
    .map_err(|_| ())?;
    Ok((json, Vec::new()))
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn flipped_bytes_never_panic_and_never_pass_a_lie(flips in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..12), which in 0..4usize, compressed in any::<bool>()) {
        let name = SAMPLES[which];
        let (path, mut bytes) = if compressed { packed(name) } else { sample(name) };
        let json_len = u32::from_le_bytes(bytes[12..16].try_into().unwrap()) as usize;
        for (at, value) in flips {
            // Half the flips land in the JSON, where they change numbers and names.
            let i = if value % 2 == 0 { 20 + at.index(json_len) } else { at.index(bytes.len()) };
            bytes[i] = value;
        }
        prop_assert!(accepted_is_sound(&path, &bytes), "accepted a model whose accessors leave their views");
    }

    #[test]
    fn extreme_numbers_in_the_json_never_panic(field in 0..10usize, value in prop_oneof![Just(0u64), Just(1), Just(u32::MAX as u64), Just(u64::MAX / 2), any::<u64>()], compressed in any::<bool>()) {
        let (path, bytes) = if compressed { packed("sac-phong") } else { sample("sac-phong") };
        let (mut json, bin) = split(&bytes);
        match field {
            0 => json["accessors"][0]["count"] = serde_json::json!(value),
            1 => json["accessors"][0]["byteOffset"] = serde_json::json!(value),
            2 => json["bufferViews"][0]["byteLength"] = serde_json::json!(value),
            3 => json["bufferViews"][0]["byteStride"] = serde_json::json!(value),
            4 => json["meshes"][0]["primitives"][0]["indices"] = serde_json::json!(value),
            5 => json["nodes"][0]["children"] = serde_json::json!([value, 0]),
            // The compression extension's own numbers (absent from a plain model: no change).
            6 => if let Some(ext) = json["bufferViews"][0]["extensions"].get_mut("EXT_meshopt_compression") { ext["count"] = serde_json::json!(value) },
            7 => if let Some(ext) = json["bufferViews"][0]["extensions"].get_mut("EXT_meshopt_compression") { ext["byteOffset"] = serde_json::json!(value) },
            8 => if let Some(ext) = json["bufferViews"][0]["extensions"].get_mut("EXT_meshopt_compression") { ext["byteStride"] = serde_json::json!(value) },
            // gltf-json's own validation once followed a dangling POSITION and panicked.
            _ => json["meshes"][0]["primitives"][0]["attributes"]["POSITION"] = serde_json::json!(value),
        }
        let bytes = join(&json, &bin);
        prop_assert!(accepted_is_sound(&path, &bytes));
    }

    #[test]
    fn a_model_cut_anywhere_never_panics(cut in any::<prop::sample::Index>(), compressed in any::<bool>()) {
        let (path, bytes) = if compressed { packed("trong-dong") } else { sample("trong-dong") };
        let end = cut.index(bytes.len());
        let _ = check(&path, &bytes[..end]);
    }
}

/// The samples' GPU texture copies (KTX2 through `KHR_texture_basisu`, without a core texture
/// source): accepted, and handed to the loader as plain sources it reads; a KTX2 in Basis
/// Universal (`vkFormat` 0), which nothing here transcodes, is refused at its image.
#[test]
fn gpu_texture_copies_load_as_plain_sources_and_basis_universal_is_refused() {
    let mut copies = 0;
    for name in SAMPLES {
        let package = disan_format::open_package(&exhibits().join(name)).unwrap();
        for copy in package.manifest.models[0]
            .lods
            .iter()
            .flat_map(|l| &l.gpu_textures)
        {
            copies += 1;
            let bytes = std::fs::read(exhibits().join(name).join(copy.src.as_str())).unwrap();
            let (file_json, _) = split(&bytes);
            assert!(
                file_json["textures"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .all(|t| t.get("source").is_none()
                        && t["extensions"]["KHR_texture_basisu"]["source"].is_u64()),
                "{}: the copy names its KTX2 through the extension only",
                copy.src
            );
            let (report, decoded) = check_and_decode(&copy.src, &bytes);
            assert!(!report.has_errors(), "{}: {:?}", copy.src, report.findings);
            let (json, _) = split(&decoded.expect("rewritten for the loader"));
            assert!(
                json["textures"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .all(|t| t["source"].is_u64()
                        && t.get("extensions")
                            .is_none_or(|e| e.get("KHR_texture_basisu").is_none())),
                "{}: {}",
                copy.src,
                json["textures"]
            );
            assert!(
                !serde_json::to_string(&json["extensionsRequired"])
                    .unwrap()
                    .contains("KHR_texture_basisu")
            );
            // The same file with its first texture changed: vkFormat 0 (Basis Universal), twice
            // the width its levels hold, a 2×2 block more than the texture (not whole blocks).
            let (plain_json, bin) = split(&decoded_plain(&copy.src, &bytes));
            let image = &plain_json["images"][0];
            let view = &plain_json["bufferViews"][image["bufferView"].as_u64().unwrap() as usize];
            let at = view["byteOffset"].as_u64().unwrap_or(0) as usize;
            assert_eq!(&bin[at..at + 4], &[0xAB, 0x4B, 0x54, 0x58]);
            let width = u32::from_le_bytes(bin[at + 20..at + 24].try_into().unwrap());
            for (offset, value, expected) in [
                (12, 0u32, "Basis Universal"),
                (20, width * 2, "mip level 0"),
                (20, width + 2, "whole number of its format's 4×4 blocks"),
            ] {
                let mut changed = bin.clone();
                changed[at + offset..at + offset + 4].copy_from_slice(&value.to_le_bytes());
                let report = check(&copy.src, &join(&plain_json, &changed));
                assert!(
                    report
                        .errors()
                        .any(|f| f.field == "images[0]" && f.message.contains(expected)),
                    "{expected}: {:?}",
                    report.findings
                );
            }
        }
    }
    assert!(
        copies >= 4,
        "the samples carry GPU texture copies ({copies})"
    );
}

/// A model as the loader gets it: decoded and rewritten where the check does so.
fn decoded_plain(path: &PackagePath, bytes: &[u8]) -> Vec<u8> {
    check_and_decode(path, bytes)
        .1
        .unwrap_or_else(|| bytes.to_vec())
}
