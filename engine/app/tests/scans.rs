//! Document scans through the real binary: the sắc phong's reader opened on a region (outlined,
//! its texts shown, the picture drawn from tiles), and a 20000×28000 scan packed with `disan
//! pack --as document` and swept from corner to corner at full resolution with memory bounded.

use std::path::Path;

mod run;
use run::{TempDir, disan, text};

fn temp(name: &str) -> TempDir {
    run::temp("scans", name)
}

/// The mean colour and the share of seal-red pixels in a square around (cx, cy).
fn window(img: &image::RgbImage, cx: u32, cy: u32, half: u32) -> ([f32; 3], f32) {
    let (mut sum, mut red, mut n) = ([0f32; 3], 0usize, 0usize);
    for y in cy - half..cy + half {
        for x in cx - half..cx + half {
            let p = img.get_pixel(x, y).0;
            for c in 0..3 {
                sum[c] += f32::from(p[c]);
            }
            let (r, g, b) = (i32::from(p[0]), i32::from(p[1]), i32::from(p[2]));
            if r > 120 && r > g + 50 && r > b + 50 {
                red += 1;
            }
            n += 1;
        }
    }
    (sum.map(|s| s / n as f32), red as f32 / n as f32)
}

/// Pixels near the reader's gold (the region outlines).
fn gold_pixels(img: &image::RgbImage, x0: u32, x1: u32) -> usize {
    img.enumerate_pixels()
        .filter(|(x, _, p)| {
            *x >= x0 && *x < x1 && p[0] > 225 && (170..=215).contains(&p[1]) && p[2] < 90
        })
        .count()
}

#[test]
fn the_reader_zooms_to_a_region_of_the_decree_and_shows_its_reading() {
    let dir = temp("reader");
    let shot = |view: &str, size: &str, name: &str| -> (String, image::RgbImage) {
        let png = dir.0.join(name);
        let mut cmd = disan();
        cmd.args([
            "shot",
            "exhibits/sac-phong",
            "--view",
            view,
            "--size",
            size,
            "--out",
        ])
        .arg(&png);
        run::shot_ok(cmd, &png, view)
    };

    let (log, whole) = shot("scan:decree", "1280x720", "whole.png");
    assert!(
        log.contains("scan: decree is 2048×1024 pixels in 3 levels (11 tiles)"),
        "{log}"
    );
    assert!(log.contains("scan: reader opened on decree"), "{log}");
    // The picture area (left of the 340-pixel side panel, under the 64-pixel bar) holds the
    // yellow paper with its black columns, and no seal in the middle.
    let (paper, red) = window(&whole, 470, 392, 60);
    assert!(
        paper[0] > 130.0 && paper[0] > paper[2] + 50.0 && red < 0.02,
        "the middle of the reader is not the written paper: {paper:?}, {red} red"
    );
    // Three regions outlined in gold over the sheet.
    assert!(gold_pixels(&whole, 0, 940) > 600, "no region outlines");

    let (log, region) = shot("scan:decree:date-and-seal", "1280x720", "region.png");
    assert!(log.contains("scan: region date-and-seal shown"), "{log}");
    // Zoomed in, the seal's red bars fill the middle of the picture area.
    let (_, red) = window(&region, 470, 392, 60);
    assert!(
        red > 0.08,
        "the seal is not in the middle of the zoomed reader ({red} red)"
    );
    // Full resolution tiles were asked for (the whole sheet is only the overview tile).
    assert_ne!(whole, region);

    // On a phone the side panel goes under the picture: the paper is at the top.
    let (_, phone) = shot("scan:decree", "390x844", "phone.png");
    let (top, _) = window(&phone, 195, 280, 40);
    assert!(top[0] > 130.0 && top[0] > top[2] + 50.0, "phone: {top:?}");
}

/// A scan the size of an A0 sheet at 600 dpi, as a JPEG: a gradient under a grid, cheap to make.
fn write_a0_scan(path: &Path) {
    let (w, h) = (20_000u32, 28_000u32);
    let img = image::RgbImage::from_fn(w, h, |x, y| {
        if x % 1000 < 8 || y % 1000 < 8 {
            image::Rgb([40, 30, 20])
        } else {
            image::Rgb([(x / 80) as u8, (y / 110) as u8, 200])
        }
    });
    let file = std::io::BufWriter::new(std::fs::File::create(path).unwrap());
    image::codecs::jpeg::JpegEncoder::new_with_quality(file, 80)
        .encode_image(&img)
        .unwrap();
}

#[test]
fn a_20000_by_28000_scan_is_read_corner_to_corner_with_bounded_memory() {
    let dir = temp("a0");
    let source = dir.0.join("ban-do.jpg");
    write_a0_scan(&source);
    let package = dir.0.join("ban-do");
    let out = disan()
        .arg("pack")
        .arg(&source)
        .arg("--out")
        .arg(&package)
        .args(["--as", "document", "--json", "--lang", "en"])
        .output()
        .unwrap();
    let log = text(&out);
    assert!(out.status.success(), "{log}");
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["document"]["levels"], 7, "{log}");
    assert_eq!(
        report["document"]["tiles"],
        2200 + 560 + 140 + 35 + 12 + 4 + 1,
        "{log}"
    );

    let out = disan()
        .arg(&package)
        .args(["--scan-sweep", "ban-do", "--size", "1280x720"])
        .output()
        .unwrap();
    let log = text(&out);
    assert!(out.status.success(), "{log}");
    let steps: Vec<&str> = log
        .lines()
        .filter(|l| l.contains("scan-sweep: step"))
        .collect();
    assert!(steps.len() > 50, "{log}");
    // Every step found its tiles (none timed out), and never held more than the cap.
    for line in &steps {
        assert!(line.contains("settled true"), "{line}");
        let resident: usize = line
            .split("resident ")
            .nth(1)
            .and_then(|s| s.split_whitespace().next())
            .and_then(|n| n.parse().ok())
            .unwrap_or_else(|| panic!("{line}"));
        // The cap is the fixed 64 unless the view needs more (scans::resident_limit); this
        // window needs fewer.
        let cap: usize = line
            .split("(cap ")
            .nth(1)
            .and_then(|s| s.split(')').next())
            .and_then(|n| n.parse().ok())
            .unwrap_or_else(|| panic!("{line}"));
        assert!(resident <= cap && cap == 64, "{line}");
    }
    let done = log
        .lines()
        .find(|l| l.contains("scan-sweep: done"))
        .unwrap_or_else(|| panic!("{log}"));
    let number_after = |key: &str| -> u64 {
        done.split(key)
            .nth(1)
            .and_then(|s| s.split_whitespace().next())
            .and_then(|n| n.trim_end_matches(',').parse().ok())
            .unwrap_or_else(|| panic!("{key} in {done}"))
    };
    let requested = number_after("tiles requested ");
    assert!(
        requested > 600,
        "the sweep crossed the whole sheet twice at full resolution, far more tiles than it may hold: {done}"
    );
    assert!(number_after("peak resident ") <= 64, "{done}");
    eprintln!("{done}");
    // Memory: a 512² tile with its mipmaps is 1.4 MB decoded. Had the tiles been kept, the
    // process would have grown by at least that much per tile requested; it must grow by less
    // than half of it, and the second pass across the sheet must hold what the first did.
    let first = number_after("rss first ");
    let peak = number_after("KiB peak ");
    let kept_kib = requested * 1400;
    assert!(
        peak - first < kept_kib / 2,
        "memory grew by {} MiB while sweeping ({} tiles would be {} MiB): {done}",
        (peak - first) / 1024,
        requested,
        kept_kib / 1024
    );
    let passes: Vec<u64> = done
        .split("median of each pass ")
        .nth(1)
        .unwrap_or_else(|| panic!("{done}"))
        .split(" / ")
        .map(|p| p.trim_end_matches(" KiB").trim().parse().unwrap())
        .collect();
    assert_eq!(passes.len(), 2, "{done}");
    assert!(
        passes[1] < passes[0] + passes[0] / 12,
        "the second pass held {} MiB more than the first: {done}",
        (passes[1] - passes[0]) / 1024
    );
}

/// On the sheet in the scene the decree's regions are outlined in gold too: the reading view of
/// the exhibit as bundled has gold lines over the sheet that the same view of a copy without
/// regions has not.
#[test]
fn the_regions_are_outlined_on_the_sheet_in_the_scene() {
    let dir = temp("panel-regions");
    let bare = dir.0.join("sac-phong");
    let bundled = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../exhibits/sac-phong");
    run::copy_dir(&bundled, &bare);
    let manifest = bare.join("exhibit.toml");
    let text_in = std::fs::read_to_string(&manifest).unwrap();
    // The regions are the last tables before [rights]: drop them.
    let start = text_in.find("[[scans.regions]]").unwrap();
    let end = text_in.find("[rights]").unwrap();
    std::fs::write(
        &manifest,
        format!("{}{}", &text_in[..start], &text_in[end..]),
    )
    .unwrap();
    let shot = |package: &Path, name: &str| -> image::RgbImage {
        let png = dir.0.join(name);
        let mut cmd = disan();
        cmd.args(["shot"])
            .arg(package)
            .args(["--view", "reading", "--size", "960x540", "--no-ui", "--out"])
            .arg(&png);
        run::shot_ok(cmd, &png, name).1
    };
    // The theme's gold as the scene's tonemapping draws it (unlit): about (201, 164, 69).
    let scene_gold = |img: &image::RgbImage| {
        img.pixels()
            .filter(|p| {
                let [r, g, b] = p.0;
                (185..=220).contains(&r) && (148..=182).contains(&g) && b < 95
            })
            .count()
    };
    let outlined = scene_gold(&shot(&bundled, "regions.png"));
    let plain = scene_gold(&shot(&bare, "bare.png"));
    assert!(
        outlined > plain + 300,
        "{outlined} gold pixels with the regions outlined, {plain} without"
    );
}
