//! Scan to screen through the real binary: `disan pack` on a generated scan, `disan validate` on
//! its package, then the viewer showing it progressively: the thumb first, then the level the
//! screen (or `--lod`) calls for, swapped in with no frame where the model is missing.

#[path = "../../pack/tests/support/scan.rs"]
mod scan;

use std::path::{Path, PathBuf};

mod run;
use run::{TempDir, disan, text};

fn temp(name: &str) -> TempDir {
    run::temp("levels", name)
}

/// A 400k-triangle scan packed through the command line, as staff would.
fn packed(dir: &Path) -> PathBuf {
    let scan = scan::write_scan(&dir.join("scan"), 400_000, 2048).unwrap();
    let package = dir.join("bia-da");
    let out = disan()
        .arg("pack")
        .arg(&scan.obj)
        .arg("--out")
        .arg(&package)
        .args(["--id", "bia-da", "--json"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out));
    let report: serde_json::Value =
        serde_json::from_slice(&out.stdout).expect("--json prints the report");
    let qualities: Vec<&str> = report["levels"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["quality"].as_str().unwrap())
        .collect();
    assert_eq!(qualities, ["thumb", "low", "medium", "high"]);
    package
}

/// Log positions of each line that contains `needle`.
fn find(log: &str, needle: &str) -> Option<usize> {
    log.find(needle)
}

#[test]
fn a_packed_scan_validates_and_opens_thumb_first_then_better_without_an_empty_frame() {
    let dir = temp("progressive");
    let package = packed(&dir.0);

    // Warnings only: the texts left for staff.
    let out = disan()
        .args(["validate", "--lang", "vi"])
        .arg(&package)
        .output()
        .unwrap();
    let report = text(&out);
    assert_eq!(out.status.code(), Some(2), "{report}");
    assert!(
        report.contains("cảnh báo") && report.contains("vẫn là chỗ trống `disan pack` để lại"),
        "the placeholders are pointed out in Vietnamese: {report}"
    );
    assert!(
        !report.contains("placeholder"),
        "no English explanation is left for them: {report}"
    );

    // `--lod high`: the thumb first, then high, swapped in place.
    let png = dir.0.join("high.png");
    let out = disan()
        .arg("shot")
        .arg(&package)
        .args([
            "--view", "home", "--size", "640x360", "--lod", "high", "--out",
        ])
        .arg(&png)
        .output()
        .unwrap();
    let log = text(&out);
    assert!(out.status.success(), "{log}");
    let thumb = find(&log, "level: model main shows thumb first")
        .unwrap_or_else(|| panic!("the thumb first:\n{log}"));
    let fetch =
        find(&log, "level: fetching high").unwrap_or_else(|| panic!("high fetched:\n{log}"));
    // Lavapipe samples BC7: the level's GPU texture copy is what is fetched and shown.
    assert!(
        log.contains("level: fetching high of model main (models/bia-da-high.bc7.glb"),
        "the BC7 copy fetched:\n{log}"
    );
    let high =
        find(&log, "level: model main shows high").unwrap_or_else(|| panic!("high shown:\n{log}"));
    assert!(thumb < high && fetch < high, "{log}");
    assert!(
        !log.contains("a frame with no part of the model visible"),
        "an empty frame while levels changed:\n{log}"
    );
    assert!(!log.contains("ERROR") && !log.contains("panicked"), "{log}");
    // The stele is in the middle of the picture, not the background.
    let img = image::open(&png).unwrap().to_rgb8();
    let centre = img.get_pixel(320, 180).0;
    let corner = img.get_pixel(4, 4).0;
    let diff: i32 = (0..3)
        .map(|i| (i32::from(centre[i]) - i32::from(corner[i])).abs())
        .sum();
    assert!(
        diff > 30,
        "the middle of the shot looks like the background: {centre:?} vs {corner:?}"
    );

    // The same view from the JPEG level (`--textures jpeg`) looks the same: the BC7 texture is
    // mapped, oriented and coloured (sRGB) as the JPEG is.
    let jpeg_png = dir.0.join("high-jpeg.png");
    let out = disan()
        .arg("shot")
        .arg(&package)
        .args([
            "--view",
            "home",
            "--size",
            "640x360",
            "--lod",
            "high",
            "--textures",
            "jpeg",
            "--out",
        ])
        .arg(&jpeg_png)
        .output()
        .unwrap();
    let log = text(&out);
    assert!(out.status.success(), "{log}");
    assert!(
        log.contains("level: fetching high of model main (models/bia-da-high.glb"),
        "{log}"
    );
    let jpeg_img = image::open(&jpeg_png).unwrap().to_rgb8();
    let mean_diff = img
        .as_raw()
        .iter()
        .zip(jpeg_img.as_raw())
        .map(|(a, b)| f64::from(a.abs_diff(*b)))
        .sum::<f64>()
        / img.as_raw().len() as f64;
    assert!(
        mean_diff < 2.0,
        "the BC7 copy looks different from the JPEG level: {mean_diff:.2} levels apart on average"
    );
    eprintln!("BC7 copy against the JPEG level: {mean_diff:.3} levels apart on average");

    // Without `--lod`, a 640×360 window needs less than high: the screen decides.
    let out = disan()
        .arg("shot")
        .arg(&package)
        .args(["--view", "home", "--size", "640x360", "--out"])
        .arg(dir.0.join("auto.png"))
        .output()
        .unwrap();
    let log = text(&out);
    assert!(out.status.success(), "{log}");
    assert!(log.contains("level: model main shows thumb first"), "{log}");
    assert!(
        !log.contains("shows high"),
        "a 640×360 view of a 1.2 m stele does not need a million triangles:\n{log}"
    );
}

#[test]
fn pack_speaks_vietnamese_to_staff() {
    let dir = temp("vi");
    let scan = scan::write_scan(&dir.0.join("scan"), 2_000, 64).unwrap();
    let out = disan()
        .arg("pack")
        .arg(&scan.ply)
        .arg("--out")
        .arg(dir.0.join("pkg"))
        .args(["--lang", "vi"])
        .output()
        .unwrap();
    let said = text(&out);
    assert!(out.status.success(), "{said}");
    assert!(
        said.contains("Đã đóng gói")
            && said.contains("Trục hướng lên: giả định +Z")
            && said.contains("[CẦN ĐIỀN]"),
        "{said}"
    );
    let out = disan()
        .arg("pack")
        .arg(dir.0.join("nothing.obj"))
        .arg("--out")
        .arg(dir.0.join("pkg2"))
        .args(["--lang", "vi"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out).contains("không đọc được tệp"), "{}", text(&out));
}
