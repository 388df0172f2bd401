//! `disan pack` on a scan-like mesh of 2 million triangles with a 4096² texture, written as GLB,
//! OBJ (+MTL+JPG) and PLY (tests/support/scan.rs): every output validates (ours and the Khronos
//! glTF validator), each level keeps its triangle and byte budgets and its error bound, and the
//! scan comes out standing upright, centred, facing +Z, whatever its source's up axis.

#[path = "support/scan.rs"]
mod scan;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use disan_format::Keyword;
use disan_pack::{LEVELS, Lang, PackOptions, PackReport, Progress, REPORT_FILE, pack_scan};

const TRIANGLES: usize = 2_000_000;
const TEXTURE: u32 = 4096;

fn temp(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("disan-pack-test-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

/// The big scan, made once for every test of this file.
fn big_scan() -> &'static scan::ScanFiles {
    static SCAN: OnceLock<scan::ScanFiles> = OnceLock::new();
    SCAN.get_or_init(|| {
        scan::write_scan(&temp("scan"), TRIANGLES, TEXTURE).expect("the scan is written")
    })
}

fn web_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../web")
}

/// The Khronos validator on every GLB of a package: zero errors.
fn khronos_validate(glbs: &[PathBuf]) {
    let script = web_dir().join("tools/validate-gltf.cjs");
    assert!(
        web_dir().join("node_modules/gltf-validator").is_dir(),
        "the Khronos glTF validator is not installed: `cargo xtask test` installs web/package-lock.json's npm packages (or run `npm ci` in web/)"
    );
    let out = Command::new("node")
        .arg(&script)
        .args(glbs)
        .output()
        .expect("node runs");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "gltf-validator found errors:\n{text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for line in text.lines() {
        let v: serde_json::Value = serde_json::from_str(line).expect("one JSON line per file");
        assert_eq!(v["errors"], 0, "{line}");
    }
}

/// Every promise of the levels, and the normalised box of the stele (0.6 × 1.2 × 0.2 m).
fn check_package(report: &PackReport, out: &Path) {
    assert_eq!(report.levels.len(), LEVELS.len());
    assert_eq!(report.input_triangles, TRIANGLES as u64);
    for (level, spec) in report.levels.iter().zip(LEVELS.iter()) {
        assert_eq!(level.quality, spec.quality);
        assert!(level.triangles <= spec.triangles, "{level:?}");
        assert!(level.bytes <= spec.max_bytes, "{level:?}");
        assert!(
            level.error_m <= level.error_bound_m && !level.over_bound,
            "{level:?}"
        );
        let on_disk = std::fs::metadata(out.join(&level.src)).unwrap().len();
        assert_eq!(
            on_disk, level.bytes,
            "the manifest's byte count is the file's"
        );
        // Our own model check (what the viewer runs on arrival) finds nothing wrong.
        let path = disan_format::check_package_path(&level.src).unwrap();
        let check = disan_format::check_model_on_disk(out, &path, &disan_format::ModelLimits::WEB);
        assert!(!check.has_errors(), "{:?}", check.findings);
        assert_eq!(check.summary.triangles, level.triangles);
        // Every textured level but the thumb comes again with BC7 and with ETC2 textures: the
        // same geometry, every texture a KTX2 with its mips, each passing the model check.
        let formats: Vec<&str> = level.gpu_textures.iter().map(|g| g.format).collect();
        // (A scan coloured by its vertices has no texture, and no copies.)
        let expected: &[&str] = if level.quality == "thumb" || level.texture_px.is_none() {
            &[]
        } else {
            &["bc7", "etc2"]
        };
        assert_eq!(formats, expected, "{}", level.quality);
        for copy in &level.gpu_textures {
            let bytes = std::fs::read(out.join(&copy.src)).unwrap();
            assert_eq!(bytes.len() as u64, copy.bytes);
            let path = disan_format::check_package_path(&copy.src).unwrap();
            let check =
                disan_format::check_model_on_disk(out, &path, &disan_format::ModelLimits::WEB);
            assert!(!check.has_errors(), "{:?}", check.findings);
            assert_eq!(check.summary.triangles, level.triangles);
            let json = gltf::Glb::from_slice(&bytes).unwrap().json;
            let json: serde_json::Value = serde_json::from_slice(&json).unwrap();
            let images = json["images"].as_array().unwrap();
            assert!(!images.is_empty());
            assert!(
                images.iter().all(|i| i["mimeType"] == "image/ktx2"),
                "{}: {images:?}",
                copy.src
            );
        }
    }
    // Levels get lighter towards the thumb, and the thumb is under 200 KB.
    assert!(
        report
            .levels
            .windows(2)
            .all(|w| w[0].triangles < w[1].triangles),
        "{:?}",
        report.levels
    );
    assert!(report.levels[0].bytes < 200_000);
    assert!(
        report.levels[3].triangles > 990_000,
        "high keeps about a million triangles of two million: {:?}",
        report.levels[3]
    );
    eprintln!("{}", serde_json::to_string(&report.levels).unwrap());
    // Upright (1.2 m tall on Y), standing on y = 0, centred on the vertical axis.
    let (min, max) = (report.bounds_min, report.bounds_max);
    let size = [max[0] - min[0], max[1] - min[1], max[2] - min[2]];
    assert!((size[1] - 1.2).abs() < 0.005, "height {size:?}");
    assert!((size[0] - 0.6).abs() < 0.005, "width {size:?}");
    assert!((size[2] - 0.2).abs() < 0.005, "depth {size:?}");
    assert!(min[1].abs() < 1e-6, "stands on the ground: {min:?}");
    assert!(
        (min[0] + max[0]).abs() < 1e-4 && (min[2] + max[2]).abs() < 1e-4,
        "centred: {min:?} {max:?}"
    );
    // The manifest validates with warnings only (the texts staff fill in).
    let (_, problems) = disan_format::validate_package(out);
    let problems = problems.into_sorted();
    let errors: Vec<String> = problems
        .iter()
        .filter(|p| p.severity == disan_format::Severity::Error)
        .map(ToString::to_string)
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
    assert!(
        problems.iter().any(|p| p.message.contains("placeholder")),
        "the texts to fill in are pointed out"
    );
    let manifest = disan_format::open_package(out).expect("opens").manifest;
    let model = &manifest.models[0];
    assert_eq!(model.lods.len(), 4);
    let bounds = model.bounds.expect("bounds written");
    assert!((bounds.max[1] - max[1]).abs() < 0.001);
    assert!(out.join(REPORT_FILE).is_file());
    for (lod, level) in model.lods.iter().zip(&report.levels) {
        let copies: Vec<(&str, &str, Option<u64>)> = lod
            .gpu_textures
            .iter()
            .map(|g| (g.format.word(), g.src.as_str(), g.bytes))
            .collect();
        let written: Vec<(&str, &str, Option<u64>)> = level
            .gpu_textures
            .iter()
            .map(|g| (g.format, g.src.as_str(), Some(g.bytes)))
            .collect();
        assert_eq!(copies, written, "the manifest lists the copies pack wrote");
    }
    khronos_validate(
        &report
            .levels
            .iter()
            .flat_map(|l| {
                std::iter::once(out.join(&l.src))
                    .chain(l.gpu_textures.iter().map(|g| out.join(&g.src)))
            })
            .collect::<Vec<_>>(),
    );
}

/// Positions (in metres, node transforms applied) and indices of every primitive of a GLB.
fn glb_mesh(path: &Path) -> (Vec<[f32; 3]>, Vec<u32>) {
    disan_pack::deviation::glb_triangles(&std::fs::read(path).unwrap()).unwrap()
}

/// Each level's recorded error describes its real distance from the scan, measured
/// independently of meshoptimizer: 99 % of the scan's vertices lie within the level's error
/// bound of its surface.
fn errors_hold(input: &Path, out: &Path, report: &PackReport) {
    let scan = disan_pack::input::read(input, &Progress::hidden()).unwrap();
    let (scan, _) = disan_pack::normalise::normalise(scan, None, None, false, Lang::En);
    let original: Vec<[f32; 3]> = scan
        .meshes
        .iter()
        .flat_map(|m| m.positions.iter().map(|p| p.map(|c| c as f32)))
        .collect();
    for level in &report.levels {
        let (positions, indices) = glb_mesh(&out.join(&level.src));
        let d = disan_pack::deviation::deviation(&original, &positions, &indices);
        eprintln!(
            "{}: recorded error {:.3} mm, bound {:.3} mm; measured deviation p99 {:.3} mm, max {:.3} mm, mean {:.4} mm",
            level.quality,
            level.error_m * 1e3,
            level.error_bound_m * 1e3,
            d.p99 * 1e3,
            d.max * 1e3,
            d.mean * 1e3
        );
        assert!(
            d.p99 <= level.error_bound_m,
            "{}: {d:?} against a bound of {}",
            level.quality,
            level.error_bound_m
        );
        assert!(
            d.max <= 2.0 * level.error_bound_m,
            "{}: {d:?} against a bound of {}",
            level.quality,
            level.error_bound_m
        );
    }
}

/// The carved front (nearly all the vertices) faces +Z after packing: the mean z of the high
/// level's vertices is well in front of the middle.
fn front_faces_plus_z(out: &Path, report: &PackReport) {
    let (positions, _) = glb_mesh(&out.join(&report.levels[3].src));
    let mean = positions.iter().map(|p| f64::from(p[2])).sum::<f64>() / positions.len() as f64;
    assert!(
        mean > 0.05,
        "mean z of the vertices is {mean}: the carved front should face +Z"
    );
}

fn pack(input: &Path, name: &str, options: PackOptions) -> (PackReport, PathBuf) {
    let out = temp(name);
    let report =
        pack_scan(input, &out, &options, &Progress::hidden()).unwrap_or_else(|e| panic!("{e}"));
    (report, out)
}

#[test]
fn a_glb_scan_packs_into_valid_levels() {
    let (report, out) = pack(&big_scan().glb, "glb", PackOptions::default());
    assert!(
        report.normalisation.up_stated && report.normalisation.unit_stated,
        "glTF states metres and +Y"
    );
    check_package(&report, &out);
    front_faces_plus_z(&out, &report);
    errors_hold(&big_scan().glb, &out, &report);
    let _ = std::fs::remove_dir_all(out);
}

#[test]
fn a_z_up_obj_scan_stands_upright() {
    let (report, out) = pack(&big_scan().obj, "obj", PackOptions::default());
    assert!(
        !report.normalisation.up_stated,
        "OBJ does not say: Z-up assumed and reported"
    );
    check_package(&report, &out);
    front_faces_plus_z(&out, &report);
    let _ = std::fs::remove_dir_all(out);
}

#[test]
fn a_z_up_ply_scan_with_vertex_colours_stands_upright() {
    let (report, out) = pack(
        &big_scan().ply,
        "ply",
        PackOptions {
            lang: Lang::Vi,
            ..PackOptions::default()
        },
    );
    check_package(&report, &out);
    front_faces_plus_z(&out, &report);
    // The colours came through: the GLB has COLOR_0.
    let glb = std::fs::read(out.join(&report.levels[1].src)).unwrap();
    let glb = disan_format::plain_glb(&glb).unwrap();
    let gltf = gltf::Gltf::from_slice(&glb).unwrap();
    assert!(
        gltf.meshes()
            .flat_map(|m| m.primitives().collect::<Vec<_>>())
            .any(|p| p.get(&gltf::Semantic::Colors(0)).is_some())
    );
    let _ = std::fs::remove_dir_all(out);
}

#[test]
fn the_wrong_up_axis_flag_lays_the_scan_down_and_the_summary_says_what_was_assumed() {
    let dir = temp("small-up");
    let small = scan::write_scan(&dir, 20_000, 256).unwrap();
    let (report, out) = pack(
        &small.obj,
        "small-up-out",
        PackOptions {
            up: Some(disan_pack::UpAxis::Y),
            ..PackOptions::default()
        },
    );
    let size = [
        report.bounds_max[0] - report.bounds_min[0],
        report.bounds_max[1] - report.bounds_min[1],
        report.bounds_max[2] - report.bounds_min[2],
    ];
    assert!(
        (size[1] - 0.2).abs() < 0.005 && (size[2] - 1.2).abs() < 0.005,
        "read as Y-up the stele lies on its back: {size:?}"
    );
    let vi = disan_pack::messages::assumptions(Lang::Vi, &report.normalisation).join("\n");
    assert!(vi.contains("Trục hướng lên: +Y"), "{vi}");
    let _ = std::fs::remove_dir_all(out);
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn a_batch_resumes_after_an_interruption() {
    let scans = temp("batch-in");
    for name in ["bia-a", "bia-b", "bia-c"] {
        let files = scan::write_scan(&scans.join(name), 3_000, 128).unwrap();
        std::fs::rename(&files.ply, scans.join(name).join(format!("{name}.ply"))).unwrap();
        std::fs::remove_file(&files.glb).unwrap();
        std::fs::remove_file(&files.obj).unwrap();
    }
    let out = temp("batch-out");
    let options = PackOptions::default();
    let found = disan_pack::batch::scans_in(&scans).unwrap();
    assert_eq!(found.len(), 3, "{found:?}");
    let first = disan_pack::batch::run(&found, &out, &options, 2, false, &|_| {});
    assert!(
        first
            .iter()
            .all(|o| matches!(o, disan_pack::batch::BatchOutcome::Packed(_))),
        "{first:?}"
    );
    // An interruption: one package lost its report (written last), as if the power went.
    std::fs::remove_file(out.join("bia-b").join(REPORT_FILE)).unwrap();
    let second = disan_pack::batch::run(&found, &out, &options, 2, false, &|_| {});
    let packed: Vec<_> = second
        .iter()
        .filter_map(|o| {
            if let disan_pack::batch::BatchOutcome::Packed(r) = o {
                Some(r.id.clone())
            } else {
                None
            }
        })
        .collect();
    assert_eq!(
        packed,
        vec!["bia-b".to_owned()],
        "only the unfinished package is packed again"
    );
    assert_eq!(
        second
            .iter()
            .filter(|o| matches!(o, disan_pack::batch::BatchOutcome::Skipped { .. }))
            .count(),
        2
    );
    let _ = std::fs::remove_dir_all(scans);
    let _ = std::fs::remove_dir_all(out);
}

#[test]
fn broken_scans_are_named_in_staffs_language() {
    let dir = temp("broken");
    std::fs::create_dir_all(&dir).unwrap();
    let not_a_scan = dir.join("notes.txt");
    std::fs::write(&not_a_scan, "hello").unwrap();
    let err = pack_scan(
        &not_a_scan,
        &dir.join("out"),
        &PackOptions::default(),
        &Progress::hidden(),
    )
    .unwrap_err();
    assert!(
        err.localized(Lang::Vi).contains("không phải bản quét"),
        "{}",
        err.localized(Lang::Vi)
    );
    // An OBJ whose face uses a vertex that is not there.
    let obj = dir.join("cut.obj");
    std::fs::write(&obj, "v 0 0 0\nv 1 0 0\nv 0 1 0\nf 1 2 3\nf 1 2 9\n").unwrap();
    let err = pack_scan(
        &obj,
        &dir.join("out"),
        &PackOptions::default(),
        &Progress::hidden(),
    )
    .unwrap_err();
    let en = err.to_string();
    assert!(
        en.contains("cut.obj") && en.contains("export it again"),
        "{en}"
    );
    // A PLY without faces is a point cloud: packed as one by default, and said to be one when
    // staff ask for a mesh.
    let ply = dir.join("cloud.ply");
    std::fs::write(&ply, "ply\nformat ascii 1.0\nelement vertex 3\nproperty float x\nproperty float y\nproperty float z\nend_header\n0 0 0\n1 0 0\n0 1 0\n").unwrap();
    let as_mesh = PackOptions {
        kind: Some(disan_pack::PackKind::Mesh),
        ..PackOptions::default()
    };
    let err = pack_scan(&ply, &dir.join("out"), &as_mesh, &Progress::hidden()).unwrap_err();
    assert!(err.to_string().contains("point cloud"), "{err}");
    let report = pack_scan(
        &ply,
        &dir.join("out"),
        &PackOptions::default(),
        &Progress::hidden(),
    )
    .unwrap();
    assert_eq!(report.pointcloud.map(|c| c.points), Some(3));
    // A package already there is not overwritten without --force.
    let small = scan::write_scan(&dir.join("s"), 200, 64).unwrap();
    let out = dir.join("pkg");
    pack_scan(
        &small.glb,
        &out,
        &PackOptions::default(),
        &Progress::hidden(),
    )
    .unwrap();
    let err = pack_scan(
        &small.glb,
        &out,
        &PackOptions::default(),
        &Progress::hidden(),
    )
    .unwrap_err();
    assert!(err.to_string().contains("--force"), "{err}");
    let _ = std::fs::remove_dir_all(dir);
}

/// A model made for its exhibit (the samples) keeps its place and its normal and
/// metallic-roughness maps through every level, and a level `disan pack` wrote (compressed) is
/// itself a scan pack reads.
#[test]
fn a_placed_model_keeps_its_position_and_its_texture_maps() {
    let sample = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../exhibits/trong-dong/models/trong-dong-low.glb");
    let (report, out) = pack(
        &sample,
        "placed",
        PackOptions {
            keep_position: true,
            id: Some("trong-dong".into()),
            ..PackOptions::default()
        },
    );
    let (positions, _) = glb_mesh(&sample);
    let min_y = positions.iter().map(|p| p[1]).fold(f32::MAX, f32::min);
    assert!(
        (report.bounds_min[1] - min_y).abs() < 1e-4,
        "kept in place: {} against {min_y}",
        report.bounds_min[1]
    );
    let open = |path: &Path| {
        let glb = std::fs::read(path).unwrap();
        gltf::Gltf::from_slice(&disan_format::plain_glb(&glb).unwrap()).unwrap()
    };
    let maps = |g: &gltf::Gltf| {
        g.materials()
            .filter(|m| m.normal_texture().is_some())
            .count()
            + g.materials()
                .filter(|m| {
                    m.pbr_metallic_roughness()
                        .metallic_roughness_texture()
                        .is_some()
                })
                .count()
    };
    let original = open(&sample);
    assert!(maps(&original) > 0, "the sample has maps to keep");
    for level in &report.levels {
        assert_eq!(
            maps(&open(&out.join(&level.src))),
            maps(&original),
            "{}: the normal and metallic-roughness maps are kept",
            level.quality
        );
    }
    khronos_validate(
        &report
            .levels
            .iter()
            .map(|l| out.join(&l.src))
            .collect::<Vec<_>>(),
    );
    let _ = std::fs::remove_dir_all(out);
}

/// Compressed levels (the default) hold the same surface as plain ones, in a fraction of the
/// bytes, and damaged compressed data is refused by the viewer's model check with its glTF path,
/// never decoded into indices that reach the GPU.
#[test]
fn compressed_levels_decode_to_the_plain_surface_and_damage_is_named() {
    let dir = temp("compressed");
    let small = scan::write_scan(&dir.join("s"), 60_000, 256).unwrap();
    let (compressed, out_c) = pack(&small.glb, "compressed-c", PackOptions::default());
    let (plain, out_p) = pack(
        &small.glb,
        "compressed-p",
        PackOptions {
            geometry: disan_pack::Geometry::Plain,
            ..PackOptions::default()
        },
    );
    khronos_validate(
        &compressed
            .levels
            .iter()
            .map(|l| out_c.join(&l.src))
            .collect::<Vec<_>>(),
    );
    // The validator cannot look inside EXT_meshopt_compression; it checks what the viewer's
    // decoder makes of each level (what Bevy's loader then reads) instead.
    let decoded: Vec<PathBuf> = compressed
        .levels
        .iter()
        .map(|l| {
            let path = dir.join(format!("decoded-{}.glb", l.quality));
            std::fs::write(
                &path,
                disan_format::plain_glb(&std::fs::read(out_c.join(&l.src)).unwrap()).unwrap(),
            )
            .unwrap();
            path
        })
        .collect();
    khronos_validate(&decoded);
    let size = (0..3)
        .map(|i| compressed.bounds_max[i] - compressed.bounds_min[i])
        .fold(0.0f32, f32::max);
    for (c, p) in compressed.levels.iter().zip(&plain.levels) {
        let (cp, ci) = glb_mesh(&out_c.join(&c.src));
        let (pp, pi) = glb_mesh(&out_p.join(&p.src));
        assert_eq!(ci.len(), pi.len(), "{}: the same triangles", c.quality);
        assert_eq!(cp.len(), pp.len(), "{}: the same vertices", c.quality);
        // Sixteen-bit positions: within half a grid step (1/65535 of the size) on each axis.
        let worst = cp
            .iter()
            .zip(&pp)
            .map(|(a, b)| (0..3).map(|i| (a[i] - b[i]).abs()).fold(0.0f32, f32::max))
            .fold(0.0f32, f32::max);
        assert!(
            worst <= size / 65535.0,
            "{}: positions moved by {worst} m",
            c.quality
        );
        let triangles_c: Vec<[u32; 3]> = ci.chunks_exact(3).map(|t| [t[0], t[1], t[2]]).collect();
        let triangles_p: Vec<[u32; 3]> = pi.chunks_exact(3).map(|t| [t[0], t[1], t[2]]).collect();
        // The index codec may rotate a triangle's corners, never change the triangle.
        let canonical = |t: &[u32; 3]| {
            let k = (0..3).min_by_key(|k| t[*k]).unwrap();
            [t[k], t[(k + 1) % 3], t[(k + 2) % 3]]
        };
        assert!(
            triangles_c
                .iter()
                .zip(&triangles_p)
                .all(|(a, b)| canonical(a) == canonical(b)),
            "{}: the same triangles",
            c.quality
        );
        eprintln!(
            "{}: {} bytes compressed, {} plain ({:.2})",
            c.quality,
            c.bytes,
            p.bytes,
            c.bytes as f64 / p.bytes as f64
        );
        assert!(c.bytes < p.bytes, "{}: compressed is smaller", c.quality);
    }
    // The geometry (not the texture) of the low level: at most 40 % of the plain bytes.
    let geometry = |r: &PackReport, out: &Path| {
        let glb = std::fs::read(out.join(&r.levels[1].src)).unwrap();
        let gltf = gltf::Gltf::from_slice(&disan_format::plain_glb(&glb).unwrap()).unwrap();
        let images: usize = gltf
            .images()
            .map(|i| match i.source() {
                gltf::image::Source::View { view, .. } => view.length(),
                _ => 0,
            })
            .sum();
        r.levels[1].bytes as usize - images
    };
    let (gc, gp) = (geometry(&compressed, &out_c), geometry(&plain, &out_p));
    assert!(
        gc * 10 < gp * 4,
        "geometry {gc} bytes compressed against {gp} plain"
    );

    // Damage: every 97th byte of the compressed streams flipped, and a stream cut short.
    let glb = std::fs::read(out_c.join(&compressed.levels[1].src)).unwrap();
    let json_len = u32::from_le_bytes(glb[12..16].try_into().unwrap()) as usize;
    let bin_start = 20 + json_len + 8;
    let mut flipped = glb.clone();
    for i in (bin_start..bin_start + 20_000.min(glb.len() - bin_start)).step_by(97) {
        flipped[i] ^= 0x5a;
    }
    match disan_format::plain_glb(&flipped) {
        Err(report) => assert!(
            report.errors().all(|e| e.field.starts_with("bufferViews[")
                || e.field.contains("indices")
                || e.field.starts_with("accessors")),
            "{:?}",
            report.findings
        ),
        // Flipped bytes may still decode; then the decoded file passed every check.
        Ok(plain) => assert!(gltf::Gltf::from_slice(&plain).is_ok()),
    }
    let json: serde_json::Value = serde_json::from_slice(&glb[20..20 + json_len]).unwrap();
    let mut cut = json.clone();
    let ext = &mut cut["bufferViews"][0]["extensions"]["EXT_meshopt_compression"];
    ext["byteLength"] = serde_json::json!(ext["byteLength"].as_u64().unwrap() / 2);
    let rewritten =
        disan_format::compression::glb(&serde_json::to_vec(&cut).unwrap(), &glb[bin_start..]);
    let report = disan_format::plain_glb(&rewritten).expect_err("a stream cut short is refused");
    assert!(
        report.errors().any(
            |e| e.field == "bufferViews[0].extensions.EXT_meshopt_compression"
                && e.message.contains("disan pack")
        ),
        "{:?}",
        report.findings
    );
    for out in [out_c, out_p, dir] {
        let _ = std::fs::remove_dir_all(out);
    }
}

#[test]
fn packing_again_keeps_the_texts_staff_wrote() {
    let dir = temp("again");
    let small = scan::write_scan(&dir.join("s"), 2_000, 64).unwrap();
    let out = dir.join("pkg");
    pack_scan(
        &small.glb,
        &out,
        &PackOptions::default(),
        &Progress::hidden(),
    )
    .unwrap();
    let manifest = out.join("exhibit.toml");
    // Packing again before anyone edited it simply rewrites it.
    let again = pack_scan(
        &small.glb,
        &out,
        &PackOptions {
            force: true,
            ..PackOptions::default()
        },
        &Progress::hidden(),
    )
    .unwrap();
    assert!(
        again
            .warnings
            .iter()
            .all(|w| !w.contains(disan_pack::FRESH_MANIFEST_FILE)),
        "{:?}",
        again.warnings
    );
    assert!(!out.join(disan_pack::FRESH_MANIFEST_FILE).exists());
    // Staff write the title; the scan is packed again (a new export, --force, a batch run).
    let edited = std::fs::read_to_string(&manifest).unwrap().replacen(
        "[CẦN ĐIỀN] tên di tích hoặc hiện vật",
        "Bia đá chùa Dư Hàng",
        1,
    );
    std::fs::write(&manifest, &edited).unwrap();
    let third = pack_scan(
        &small.glb,
        &out,
        &PackOptions {
            force: true,
            ..PackOptions::default()
        },
        &Progress::hidden(),
    )
    .unwrap();
    assert_eq!(
        std::fs::read_to_string(&manifest).unwrap(),
        edited,
        "staff's manifest is kept as they wrote it"
    );
    assert!(
        out.join(disan_pack::FRESH_MANIFEST_FILE).is_file(),
        "the fresh one is beside it"
    );
    assert!(
        third
            .warnings
            .iter()
            .any(|w| w.contains("exhibit.pack.toml")),
        "{:?}",
        third.warnings
    );
    // The published record names the scan, not where it lay on staff's computer.
    let record = std::fs::read_to_string(out.join(REPORT_FILE)).unwrap();
    assert!(!record.contains(&dir.display().to_string()), "{record}");
    let _ = std::fs::remove_dir_all(dir);
}
