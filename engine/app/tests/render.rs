//! Render tests: the real `disan` binary draws named views of the sample exhibits headlessly
//! (lavapipe under its own Xvfb) and each image is compared with a committed reference by a
//! perceptual tolerance that a blank, black, unlit or badly framed picture cannot pass.
//!
//! The cases are listed in tests/render-cases.txt; `cargo xtask refs` re-renders the references.

use std::path::{Path, PathBuf};
use std::process::Command;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .unwrap()
}

fn out_dir() -> PathBuf {
    let dir = std::env::temp_dir().join(format!("disan-render-tests-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

struct Rgb {
    width: usize,
    height: usize,
    pixels: Vec<[u8; 3]>,
}

fn read_png(path: &Path) -> Rgb {
    let decoder = png::Decoder::new(std::io::BufReader::new(
        std::fs::File::open(path).unwrap_or_else(|e| panic!("{}: {e}", path.display())),
    ));
    let mut reader = decoder.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size().unwrap()];
    let info = reader.next_frame(&mut buf).unwrap();
    let channels = info.color_type.samples();
    assert_eq!(info.bit_depth, png::BitDepth::Eight, "{}", path.display());
    let pixels = buf[..info.buffer_size()]
        .chunks(channels)
        .map(|c| [c[0], c[1], c[2]])
        .collect();
    Rgb {
        width: info.width as usize,
        height: info.height as usize,
        pixels,
    }
}

/// The image reduced to 8×8-pixel blocks of mean colour: compares structure, not noise.
fn blocks(img: &Rgb) -> Vec<[f32; 3]> {
    let (bw, bh) = (img.width / 8, img.height / 8);
    let mut out = vec![[0f32; 3]; bw * bh];
    for y in 0..bh * 8 {
        for x in 0..bw * 8 {
            let p = img.pixels[y * img.width + x];
            let b = &mut out[(y / 8) * bw + x / 8];
            for c in 0..3 {
                b[c] += f32::from(p[c]) / 64.0;
            }
        }
    }
    out
}

fn luminance(c: [f32; 3]) -> f32 {
    0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2]
}

/// Checks that stand without a reference: the picture has content and light.
fn assert_is_a_real_picture(img: &Rgb, name: &str) {
    let b = blocks(img);
    let lum: Vec<f32> = b.iter().copied().map(luminance).collect();
    let mean = lum.iter().sum::<f32>() / lum.len() as f32;
    let var = lum.iter().map(|l| (l - mean).powi(2)).sum::<f32>() / lum.len() as f32;
    assert!(
        mean > 35.0 && mean < 235.0,
        "{name}: mean luminance {mean:.0} means black, unlit or blown out"
    );
    assert!(
        var.sqrt() > 12.0,
        "{name}: luminance varies by only {:.1}: a blank picture",
        var.sqrt()
    );
}

/// Mean block difference (0–255) and the fraction of blocks that differ strongly.
fn difference(a: &Rgb, b: &Rgb) -> (f32, f32) {
    assert_eq!(
        (a.width, a.height),
        (b.width, b.height),
        "image sizes differ"
    );
    let (ba, bb) = (blocks(a), blocks(b));
    let mut total = 0.0;
    let mut strong = 0;
    for (x, y) in ba.iter().zip(&bb) {
        let d = (0..3).map(|c| (x[c] - y[c]).abs()).sum::<f32>() / 3.0;
        total += d;
        if d > 40.0 {
            strong += 1;
        }
    }
    (total / ba.len() as f32, strong as f32 / ba.len() as f32)
}

fn shot(package: &Path, view: &str, lang: &str, out: &Path) -> std::process::Output {
    shot_at(package, view, lang, "640x360", out)
}

fn shot_at(package: &Path, view: &str, lang: &str, size: &str, out: &Path) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_disan"))
        .current_dir(repo())
        .args(["shot"])
        .arg(package)
        .args(["--view", view, "--lang", lang, "--size", size, "--out"])
        .arg(out)
        .output()
        .expect("disan runs")
}

#[test]
fn sample_views_match_their_references() {
    let cases = std::fs::read_to_string(repo().join("tests/render-cases.txt")).unwrap();
    let out = out_dir();
    let mut failures = Vec::new();
    let mut count = 0;
    for line in cases
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
    {
        let parts: Vec<&str> = line.split_whitespace().collect();
        let (exhibit, view, lang, size) = match parts[..] {
            [exhibit, view, lang] => (exhibit, view, lang, "640x360"),
            [exhibit, view, lang, size] => (exhibit, view, lang, size),
            _ => panic!("bad line in render-cases.txt: {line}"),
        };
        let size_part = if size == "640x360" {
            String::new()
        } else {
            format!("--{size}")
        };
        let name = format!(
            "{exhibit}--{}--{lang}{size_part}.png",
            view.replace(':', "_")
        );
        let actual_path = out.join(&name);
        let output = shot_at(
            &repo().join("exhibits").join(exhibit),
            view,
            lang,
            size,
            &actual_path,
        );
        if !output.status.success() {
            failures.push(format!(
                "{name}: disan shot failed ({}):\n{}",
                output.status,
                String::from_utf8_lossy(&output.stderr)
            ));
            continue;
        }
        count += 1;
        // What a finger meets: every button at least 44 px, none over another.
        let log = String::from_utf8_lossy(&output.stderr);
        match touch_layout(&log) {
            Some((buttons, w, h, overlaps)) if buttons > 0 && w >= 43.5 && h >= 43.5 && overlaps == 0 => {}
            other => failures.push(format!("{name}: touch targets (buttons, smallest w, smallest h, overlapping pairs) = {other:?}; want ≥ 44 px and no overlap")),
        }
        let actual = read_png(&actual_path);
        assert_is_a_real_picture(&actual, &name);
        let reference = read_png(&repo().join("tests/reference").join(&name));
        let (mean, strong) = difference(&actual, &reference);
        // Rendering on lavapipe is deterministic up to small shading noise; a moved camera, a
        // missing model, markers or text changes far more than this.
        if mean > 6.0 || strong > 0.02 {
            failures.push(format!(
                "{name}: differs from the reference (mean block difference {mean:.1}, strongly different blocks {:.1} %). Actual image: {}",
                strong * 100.0,
                actual_path.display()
            ));
        }
    }
    assert!(
        count >= 3,
        "render-cases.txt should cover every sample exhibit"
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// `touch-layout: buttons=N smallest=WxH overlapping-pairs=K` from the shot's log.
fn touch_layout(log: &str) -> Option<(u32, f32, f32, u32)> {
    let line = log
        .lines()
        .find_map(|l| l.split_once("touch-layout: ").map(|(_, r)| r))?;
    let field = |name: &str| line.split_whitespace().find_map(|w| w.strip_prefix(name));
    let (w, h) = field("smallest=")?.split_once('x')?;
    Some((
        field("buttons=")?.parse().ok()?,
        w.parse().ok()?,
        h.parse().ok()?,
        field("overlapping-pairs=")?.parse().ok()?,
    ))
}

#[test]
fn the_comparison_rejects_wrong_pictures() {
    // The tolerance itself must be able to fail: a blank image, a black one, and the same exhibit
    // from another view must all be told apart from the reference.
    let reference = read_png(&repo().join("tests/reference/dinh-hang-kenh--home--vi.png"));
    let blank = Rgb {
        width: reference.width,
        height: reference.height,
        pixels: vec![reference.pixels[0]; reference.pixels.len()],
    };
    let (mean, _) = difference(&blank, &reference);
    assert!(
        mean > 6.0,
        "a blank sky passes as the exhibit (difference {mean:.1})"
    );
    let black = Rgb {
        width: reference.width,
        height: reference.height,
        pixels: vec![[0, 0, 0]; reference.pixels.len()],
    };
    assert!(difference(&black, &reference).0 > 6.0);
    let other_view = read_png(&repo().join("tests/reference/dinh-hang-kenh--roof-corner--en.png"));
    let (mean, strong) = difference(&other_view, &reference);
    assert!(
        mean > 6.0 || strong > 0.02,
        "a different framing passes (difference {mean:.1}, {strong:.3})"
    );
}

#[test]
fn a_broken_model_shows_the_error_screen_and_the_viewer_exits_cleanly() {
    let pkg = out_dir().join("broken-model");
    std::fs::create_dir_all(pkg.join("models")).unwrap();
    let manifest =
        std::fs::read_to_string(repo().join("exhibits/trong-dong/exhibit.toml")).unwrap();
    std::fs::write(pkg.join("exhibit.toml"), manifest).unwrap();
    for entry in std::fs::read_dir(repo().join("exhibits/trong-dong")).unwrap() {
        let entry = entry.unwrap();
        if entry.file_type().unwrap().is_dir() && entry.file_name() != "models" {
            copy_dir(&entry.path(), &pkg.join(entry.file_name()));
        }
    }
    // GLBs that are not: every level of the model was cut short.
    for level in std::fs::read_dir(repo().join("exhibits/trong-dong/models")).unwrap() {
        std::fs::write(
            pkg.join("models").join(level.unwrap().file_name()),
            b"glTF\x02\x00\x00\x00truncated",
        )
        .unwrap();
    }
    let png = pkg.join("error.png");
    let output = shot(&pkg, "home", "vi", &png);
    let log = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "the viewer must not die on a broken model: {log}"
    );
    assert!(
        log.contains("models/trong-dong-thumb.glb") && log.contains("cannot be shown"),
        "the log names the file: {log}"
    );
    let img = read_png(&png);
    // The error screen's dark red background fills most of the picture.
    let b = blocks(&img);
    let reddish = b
        .iter()
        .filter(|c| c[0] > c[2] + 8.0 && luminance(**c) < 80.0)
        .count();
    assert!(
        reddish as f32 > b.len() as f32 * 0.5,
        "the error screen is not shown"
    );
}

#[test]
fn an_unknown_view_is_refused_with_the_known_ones() {
    let out = out_dir().join("unknown.png");
    let output = shot(
        &repo().join("exhibits/trong-dong"),
        "no-such-view",
        "vi",
        &out,
    );
    assert_eq!(output.status.code(), Some(2));
    let log = String::from_utf8_lossy(&output.stderr);
    assert!(
        log.contains("has no view or hotspot \"no-such-view\""),
        "{log}"
    );
    assert!(!out.exists());
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &to.join(entry.file_name()));
        } else {
            std::fs::copy(entry.path(), to.join(entry.file_name())).unwrap();
        }
    }
}
