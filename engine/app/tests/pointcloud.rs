//! Laser-scan point clouds through the real binary: a generated survey of 2.4 million coloured
//! points written as PLY, packed with `disan pack`, then shot. The survey is a courtyard in
//! survey axes (Z up, +Y north) whose west half is red, east half blue, with a green wall along
//! its north edge: seen from the exhibit's home view (from the south, above), red must be on the
//! left, blue on the right and the green wall at the back, or the cloud was turned or mirrored.
//! The log says how many points the viewer streamed: within the budget, and more than the root.

use std::io::Write;
use std::path::Path;

mod run;
use run::{TempDir, disan, text};

fn temp(name: &str) -> TempDir {
    run::temp("cloud", name)
}

const RED: [u8; 3] = [210, 40, 40];
const BLUE: [u8; 3] = [40, 60, 210];
const GREEN: [u8; 3] = [40, 190, 60];

/// A 24 × 16 m courtyard far from the grid's origin (as VN-2000 coordinates are), with a 4 m
/// wall along its north edge. Binary PLY, as CloudCompare writes it.
fn write_survey(path: &Path, n: usize) {
    let mut out = std::io::BufWriter::new(std::fs::File::create(path).unwrap());
    write!(
        out,
        "ply\nformat binary_little_endian 1.0\ncomment generated survey\nelement vertex {n}\n\
         property double x\nproperty double y\nproperty double z\n\
         property uchar red\nproperty uchar green\nproperty uchar blue\nend_header\n"
    )
    .unwrap();
    let mut state = 0x9e37_79b9_7f4a_7c15u64;
    let mut next = || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state >> 11) as f64 / (1u64 << 53) as f64
    };
    for i in 0..n {
        let (u, v) = (next(), next());
        let (p, c) = if i % 5 == 0 {
            ([u * 24.0, 16.0, v * 4.0], GREEN)
        } else {
            let p = [u * 24.0, v * 16.0, 0.0];
            (p, if p[0] < 12.0 { RED } else { BLUE })
        };
        for (k, base) in [585_000.0, 2_305_000.0, 3.0].into_iter().enumerate() {
            out.write_all(&(base + p[k]).to_le_bytes()).unwrap();
        }
        out.write_all(&c).unwrap();
    }
}

/// The share of pixels in a box near (fx, fy) of the image (fractions) close to `colour`
/// (shading darkens splats' rims by up to a third).
fn share_near(img: &image::RgbImage, fx: f32, fy: f32, colour: [u8; 3]) -> f32 {
    let (w, h) = img.dimensions();
    let (cx, cy) = ((fx * w as f32) as i64, (fy * h as f32) as i64);
    let (mut hits, mut all) = (0, 0);
    for y in cy - 20..=cy + 20 {
        for x in cx - 20..=cx + 20 {
            let p = img
                .get_pixel(
                    x.clamp(0, w as i64 - 1) as u32,
                    y.clamp(0, h as i64 - 1) as u32,
                )
                .0;
            all += 1;
            let max = p.iter().copied().max().unwrap_or(0);
            let want_max = colour.iter().copied().max().unwrap_or(1);
            // Same hue: the dominant channel matches, and the others stay well below it.
            let dominant = |c: [u8; 3]| (0..3).max_by_key(|&k| c[k]).unwrap();
            if max > 60 && dominant(p) == dominant(colour) && max as f32 > 0.45 * want_max as f32 {
                let others = (0..3)
                    .filter(|&k| k != dominant(p))
                    .map(|k| p[k])
                    .max()
                    .unwrap();
                if (others as f32) < 0.6 * max as f32 {
                    hits += 1;
                }
            }
        }
    }
    hits as f32 / all as f32
}

/// Writes a survey of `n` points as `NAME.ply` in `dir` and packs it into `dir/NAME`.
fn pack_survey(dir: &Path, name: &str, n: usize) -> std::path::PathBuf {
    let ply = dir.join(format!("{name}.ply"));
    write_survey(&ply, n);
    let package = dir.join(name);
    let out = disan()
        .args(["pack", "--up", "z", "--out"])
        .arg(&package)
        .arg(&ply)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out));
    package
}

fn logged_number(log: &str, after: &str) -> u64 {
    // The last: the shot's own line, written when the picture is taken.
    let at = log
        .rfind(after)
        .unwrap_or_else(|| panic!("no \"{after}\" in the log:\n{log}"));
    log[at + after.len()..]
        .split(|c: char| !c.is_ascii_digit())
        .next()
        .and_then(|d| d.parse().ok())
        .unwrap_or_else(|| panic!("no number after \"{after}\""))
}

#[test]
fn a_packed_survey_streams_within_its_budget_the_right_way_round() {
    let dir = temp("survey");
    let package = pack_survey(&dir.0, "courtyard", 2_400_000);
    let out = disan().arg("validate").arg(&package).output().unwrap();
    assert!(out.status.code() != Some(1), "{}", text(&out));

    // A view close over the red half's middle, as staff would add one.
    let manifest = package.join("exhibit.toml");
    let written = std::fs::read_to_string(&manifest).unwrap();
    std::fs::write(
        &manifest,
        written.replacen(
            "[rights]",
            "[[views]]\nid = \"close\"\ntitle = { vi = \"Sát mặt sân\", en = \"Close to the ground\" }\n\
             eye = [-6.0, 1.5, 2.5]\ntarget = [-6.0, 0.0, 0.0]\n\n[rights]",
            1,
        ),
    )
    .unwrap();

    let shot_view = |view: &str, budget: u64, size: &str| -> (String, image::RgbImage) {
        let png = dir.0.join(format!("{view}-{budget}-{size}.png"));
        let mut cmd = disan();
        cmd.env("DISAN_POINT_BUDGET", budget.to_string())
            .args(["shot"])
            .arg(&package)
            .args(["--view", view, "--size", size, "--no-ui", "--out"])
            .arg(&png);
        run::shot_ok(cmd, &png, view)
    };
    let shot = |budget: u64, size: &str| shot_view("home", budget, size);

    let (log, img) = shot(600_000, "1280x720");
    let shown = logged_number(&log, "point clouds: ");
    let nodes = logged_number(&log, "points shown in ");
    let held = logged_number(&log, "nodes, ");
    assert!(
        shown <= 600_000,
        "{shown} points shown over a budget of 600 000"
    );
    assert!(
        held <= 1_200_000,
        "{held} points held over twice the budget"
    );
    // More than the root: the view streamed finer levels.
    assert!(
        nodes > 1 && shown > 100_000,
        "{shown} points in {nodes} nodes"
    );
    // West red on the left, east blue on the right, the north wall green at the back (above
    // the courtyard's middle in the picture).
    assert!(
        share_near(&img, 0.33, 0.62, RED) > 0.5,
        "no red at the left"
    );
    assert!(
        share_near(&img, 0.67, 0.62, BLUE) > 0.5,
        "no blue at the right"
    );
    assert!(
        share_near(&img, 0.67, 0.62, RED) < 0.1,
        "red at the right: mirrored"
    );
    let wall = (20..50).any(|y| share_near(&img, 0.5, y as f32 / 100.0, GREEN) > 0.5);
    assert!(wall, "no green wall behind the courtyard");

    let deepest_home = logged_number(&log, "deepest level ");

    // Close to the ground the view streams finer levels, and sees red ground all round.
    let (log, close) = shot_view("close", 600_000, "1280x720");
    let deepest_close = logged_number(&log, "deepest level ");
    assert!(
        deepest_close > deepest_home,
        "close up the deepest level is {deepest_close}, from home {deepest_home}"
    );
    assert!(logged_number(&log, "point clouds: ") <= 600_000);
    assert!(
        share_near(&close, 0.5, 0.6, RED) > 0.6,
        "the close view is not on red ground"
    );

    // A smaller budget draws fewer points, and still the whole courtyard.
    let (log, small) = shot(150_000, "390x844");
    let shown_small = logged_number(&log, "point clouds: ");
    assert!(
        shown_small <= 150_000 && shown_small < shown,
        "{shown_small}"
    );
    assert!(share_near(&small, 0.3, 0.55, RED) > 0.3 || share_near(&small, 0.3, 0.5, RED) > 0.3);
}

#[test]
fn a_changed_node_is_left_out_with_a_notice_and_the_rest_shows() {
    let dir = temp("tampered");
    let package = pack_survey(&dir.0, "yard", 400_000);
    // One byte of the root's first child changed after packing.
    let cloud = package.join("pointclouds/yard");
    let metadata = disan_format::pointcloud::Metadata::parse(
        &std::fs::read(cloud.join("metadata.json")).unwrap(),
    )
    .unwrap();
    let tree = disan_format::pointcloud::Hierarchy::parse(
        &metadata,
        &std::fs::read(cloud.join("hierarchy.bin")).unwrap(),
        None,
    )
    .unwrap();
    let child = &tree.nodes[1];
    let octree = cloud.join("octree.bin");
    let mut bytes = std::fs::read(&octree).unwrap();
    bytes[child.byte_offset as usize + 5] ^= 0x10;
    std::fs::write(&octree, &bytes).unwrap();
    let png = dir.0.join("home.png");
    let out = disan()
        .args(["shot"])
        .arg(&package)
        .args(["--view", "home", "--size", "640x360", "--no-ui", "--out"])
        .arg(&png)
        .output()
        .unwrap();
    let log = text(&out);
    assert!(out.status.success(), "{log}");
    assert!(!log.contains("panicked"), "{log}");
    assert!(
        log.contains(&format!(
            "node {} of the point cloud \"yard\" is left out",
            child.name
        )) && log.contains("differ from node-hashes.bin"),
        "{log}"
    );
    // The root and the other nodes still draw.
    assert!(logged_number(&log, "point clouds: ") > 10_000, "{log}");
}

/// Eye-dome lighting (the default) outlines what stands in front: along the north wall's top,
/// seen from the south, the pixels just above the wall are darkened; flat shading leaves them
/// as they were. Both keep the survey's colours inside its surfaces.
#[test]
fn eye_dome_lighting_outlines_the_wall_and_keeps_the_colours() {
    let dir = temp("eye-dome");
    let package = pack_survey(&dir.0, "yard", 400_000);
    let shot = |shading: &str| -> image::RgbImage {
        let png = dir.0.join(format!("{shading}.png"));
        let mut cmd = disan();
        cmd.args(["shot"])
            .arg(&package)
            .args(["--view", "home", "--size", "960x540", "--no-ui"])
            .args(["--point-shading", shading, "--out"])
            .arg(&png);
        run::shot_ok(cmd, &png, shading).1
    };
    // The share of columns across the wall's middle whose first green pixel from the top has
    // a dark pixel (every channel under 40) within three rows above it.
    let rimmed = |img: &image::RgbImage| -> f32 {
        let (w, h) = img.dimensions();
        let green = |p: [u8; 3]| p[1] > 100 && p[1] as u32 > 2 * p[0] as u32 && p[1] > p[2];
        let dark = |p: [u8; 3]| p.iter().all(|&c| c < 40);
        let columns: Vec<u32> = (w * 2 / 5..w * 3 / 5).collect();
        let with_rim = columns
            .iter()
            .filter(|&&x| {
                let Some(top) = (h / 10..h * 7 / 10).find(|&y| green(img.get_pixel(x, y).0)) else {
                    return false;
                };
                (top.saturating_sub(3)..top).any(|y| dark(img.get_pixel(x, y).0))
            })
            .count();
        with_rim as f32 / columns.len() as f32
    };
    let lit = shot("edl");
    let flat = shot("flat");
    let (lit_rim, flat_rim) = (rimmed(&lit), rimmed(&flat));
    assert!(
        lit_rim > 0.8,
        "eye-dome lighting: only {lit_rim:.2} of the wall's columns have a dark rim"
    );
    assert!(
        flat_rim < 0.1,
        "flat shading: {flat_rim:.2} of the wall's columns have a dark rim"
    );
    for img in [&lit, &flat] {
        assert!(share_near(img, 0.33, 0.62, RED) > 0.5, "no red at the left");
        assert!(
            share_near(img, 0.67, 0.62, BLUE) > 0.5,
            "no blue at the right"
        );
    }
}
