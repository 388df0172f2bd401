//! `disan pack --as document`: a scan image becomes an IIIF level-0 tile pyramid (every tile
//! where an IIIF viewer asks for it, of the size it expects, holding the right part of the
//! image) and a sheet model of the document's size, in a package that validates.

use std::path::{Path, PathBuf};
use std::process::Command;

use disan_format::iiif::{TileId, TilePyramid};
use disan_pack::{PackError, PackKind, PackOptions, Progress, pack_scan};
use image::{Rgb, RgbImage};

fn temp(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("disan-doc-test-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// A test chart: each 100-pixel block has its own colour (red from the column, green from the
/// row), so a tile holding the wrong part of the image, or mirrored, shows it.
fn chart(w: u32, h: u32) -> RgbImage {
    RgbImage::from_fn(w, h, |x, y| {
        Rgb([(x / 100 * 20) as u8, (y / 100 * 20) as u8, 128])
    })
}

fn web_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../web")
}

#[test]
fn a_document_scan_becomes_iiif_tiles_and_a_sheet() {
    let dir = temp("chart");
    let input = dir.join("Sắc phong làng Kênh.png");
    // 1300×900: three levels, edge tiles narrower than 512 at every level.
    chart(1300, 900).save(&input).unwrap();
    let out = dir.join("package");
    let options = PackOptions {
        kind: Some(PackKind::Document),
        sheet_width_m: Some(0.65),
        iiif_base: Some("https://disan.haiphong.gov.vn/exhibits/sac-phong/".into()),
        ..PackOptions::default()
    };
    let report = pack_scan(&input, &out, &options, &Progress::hidden()).unwrap();
    let doc = report.document.as_ref().expect("a document report");
    assert_eq!(
        (doc.width_px, doc.height_px, doc.levels, doc.tiles),
        (1300, 900, 3, 6 + 2 + 1)
    );
    assert_eq!(doc.info, format!("scans/{}/info.json", report.id));
    assert!((doc.sheet_m[1] - 0.45).abs() < 1e-9, "{:?}", doc.sheet_m);

    let folder = out.join("scans").join(&report.id);
    let info: serde_json::Value =
        serde_json::from_slice(&std::fs::read(folder.join("info.json")).unwrap()).unwrap();
    assert_eq!(
        info["id"],
        format!(
            "https://disan.haiphong.gov.vn/exhibits/sac-phong/scans/{}",
            report.id
        )
    );
    assert_eq!(info["profile"], "level0");
    assert_eq!(info["type"], "ImageService3");
    let pyramid =
        TilePyramid::from_info_json(&std::fs::read(folder.join("info.json")).unwrap()).unwrap();
    // Every tile is where OpenSeadragon asks for it (names checked in disan-format), of the size
    // the name says, and holds its part of the chart.
    for tile in pyramid.tiles() {
        let path = folder.join(pyramid.tile_path(tile));
        let img = image::open(&path)
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
            .to_rgb8();
        assert_eq!(
            img.dimensions(),
            pyramid.tile_size(tile),
            "{}",
            path.display()
        );
        let (x, y, _, _) = pyramid.tile_region(tile);
        let sf = pyramid.scale_factor(tile.level);
        // The middle of the tile's first 100-pixel block (in level pixels), away from block edges.
        let probe = (50 / sf).max(1).min(img.width() - 1);
        let got = img
            .get_pixel(probe.min(img.width() - 1), probe.min(img.height() - 1))
            .0;
        let want = chart(1300, 900).get_pixel(x + probe * sf, y + probe * sf).0;
        for c in 0..3 {
            assert!(
                (i32::from(got[c]) - i32::from(want[c])).abs() <= 12,
                "{}: {got:?} where the chart is {want:?}",
                path.display()
            );
        }
    }
    // The overview averages the whole: a level is the mean of the one above, not a sample.
    let overview = image::open(folder.join(pyramid.tile_path(TileId {
        level: 2,
        x: 0,
        y: 0,
    })))
    .unwrap()
    .to_rgb8();
    assert_eq!(overview.dimensions(), (325, 225));

    // The manifest validates with warnings only, the scan and its panel included.
    let (manifest, problems) = disan_format::validate_package(&out);
    let errors: Vec<String> = problems
        .into_sorted()
        .iter()
        .filter(|p| p.severity == disan_format::Severity::Error)
        .map(ToString::to_string)
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
    let manifest = manifest.expect("parses");
    assert_eq!(manifest.kind, disan_format::ExhibitKind::Document);
    let scan = &manifest.scans[0];
    let panel = scan.panel.expect("a panel on the sheet");
    assert!((panel.width - 0.65).abs() < 1e-4);
    // The sheet model stands 0.65 × 0.45 m, its face towards +Z, under the panel.
    let size = [
        report.bounds_max[0] - report.bounds_min[0],
        report.bounds_max[1] - report.bounds_min[1],
    ];
    assert!(
        (size[0] - 0.65).abs() < 1e-3 && (size[1] - 0.45).abs() < 1e-3,
        "{size:?}"
    );
    assert!((panel.centre[1] - (report.bounds_min[1] + report.bounds_max[1]) / 2.0).abs() < 1e-3);

    // Its levels pass the Khronos validator.
    let glbs: Vec<PathBuf> = report.levels.iter().map(|l| out.join(&l.src)).collect();
    if web_dir().join("node_modules/gltf-validator").is_dir() {
        let out = Command::new("node")
            .arg(web_dir().join("tools/validate-gltf.cjs"))
            .args(&glbs)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stdout)
        );
    } else {
        panic!("the Khronos glTF validator is not installed: run `npm ci` in web/");
    }

    // A missing tile is found by the validator and named.
    std::fs::remove_file(folder.join(pyramid.tile_path(TileId {
        level: 0,
        x: 1,
        y: 1,
    })))
    .unwrap();
    let (_, problems) = disan_format::validate_package(&out);
    let text: Vec<String> = problems
        .into_sorted()
        .iter()
        .map(ToString::to_string)
        .collect();
    assert!(
        text.iter()
            .any(|p| p.contains("1 of its 9 tiles are missing")
                && p.contains("512,512,512,388/512,388/0/default.jpg")),
        "{text:#?}"
    );
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn the_kind_is_told_from_the_file_and_point_clouds_are_refused_for_now() {
    let dir = temp("kinds");
    let pano = dir.join("pano.jpg");
    RgbImage::new(400, 200).save(&pano).unwrap();
    let page = dir.join("page.jpg");
    RgbImage::new(210, 297).save(&page).unwrap();
    assert_eq!(PackKind::of(&pano), PackKind::Panorama);
    assert_eq!(PackKind::of(&page), PackKind::Document);
    assert_eq!(PackKind::of(Path::new("scan.obj")), PackKind::Mesh);
    // The 2:1 photo packs as a panorama scene, without a model.
    let report = pack_scan(
        &pano,
        &dir.join("p"),
        &PackOptions::default(),
        &Progress::hidden(),
    )
    .unwrap();
    assert_eq!(report.panoramas.len(), 1);
    assert!(report.levels.is_empty() && report.document.is_none());
    let cloud = PackOptions {
        kind: Some(PackKind::Pointcloud),
        ..PackOptions::default()
    };
    let err = pack_scan(&pano, &dir.join("c"), &cloud, &Progress::hidden()).unwrap_err();
    assert!(matches!(err, PackError::PointCloud { .. }), "{err}");
    assert!(err.to_string().contains("LAS, LAZ, E57 or PLY"), "{err}");
    let vi = err.localized(disan_pack::Lang::Vi);
    assert!(
        vi.contains("đám mây điểm") && vi.contains("LAS, LAZ, E57 or PLY"),
        "{vi}"
    );
    // Said outright, the 2:1 page packs as a document.
    let options = PackOptions {
        kind: Some(PackKind::Document),
        ..PackOptions::default()
    };
    let report = pack_scan(&pano, &dir.join("d"), &options, &Progress::hidden()).unwrap();
    // 400 px at the default 600 dpi: 16.9 mm wide.
    assert!((report.document.unwrap().sheet_m[0] - 0.016933).abs() < 1e-5);
    let _ = std::fs::remove_dir_all(dir);
}
