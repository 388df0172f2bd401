//! `cargo xtask bench pack`: `disan pack` against gltfpack (npm) on the same generated scan of
//! 2 million triangles with a 4096² texture (engine/pack/tests/support/scan.rs), in one run:
//! time and peak memory, output bytes per level (gltfpack plain and with `-cc` compression),
//! and each level's distance from the scan measured the same way for both
//! (engine/pack/src/deviation.rs). gltfpack simplifies to the same triangle counts with `-si`.
//!
//! The pipeline runs as the `disan-pack` crate's `pack` example, built in release: the same
//! code as `disan pack`, without building the whole viewer in release.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::{cargo, root, status, target_dir};

/// Wall seconds and peak resident memory (MB) of a command, from GNU time, with its stdout.
pub(crate) fn timed(cmd: Command, what: &str) -> Result<(f64, f64, String), String> {
    timed_output(cmd, what).map(|(s, mb, out, _)| (s, mb, out))
}

/// As [`timed`], with its stdout and its stderr.
pub(crate) fn timed_output(cmd: Command, what: &str) -> Result<(f64, f64, String, String), String> {
    let log = target_dir().join("bench-pack/time.txt");
    let _ = std::fs::create_dir_all(target_dir().join("bench-pack"));
    let program = cmd.get_program().to_owned();
    let args: Vec<_> = cmd.get_args().map(ToOwned::to_owned).collect();
    let mut wrapped = Command::new("/usr/bin/time");
    wrapped
        .arg("-f")
        .arg("%e %M")
        .arg("-o")
        .arg(&log)
        .arg(program)
        .args(args);
    if let Some(dir) = cmd.get_current_dir() {
        wrapped.current_dir(dir);
    }
    for (key, value) in cmd.get_envs() {
        match value {
            Some(v) => wrapped.env(key, v),
            None => wrapped.env_remove(key),
        };
    }
    let out = wrapped
        .output()
        .map_err(|e| format!("{what}: {e} (is GNU time installed? apt-get install time)"))?;
    if !out.status.success() {
        return Err(format!(
            "{what} failed: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    let t = std::fs::read_to_string(&log).map_err(|e| e.to_string())?;
    let mut parts = t.split_whitespace();
    let wall: f64 = parts.next().and_then(|v| v.parse().ok()).unwrap_or(0.0);
    let kb: f64 = parts.next().and_then(|v| v.parse().ok()).unwrap_or(0.0);
    Ok((
        wall,
        kb / 1024.0,
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    ))
}

/// Bytes of a GLB's embedded images (the rest is geometry and JSON).
fn image_bytes(glb: &Path) -> u64 {
    let Ok(bytes) = std::fs::read(glb) else {
        return 0;
    };
    let Some(len) = bytes
        .get(12..16)
        .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]) as usize)
    else {
        return 0;
    };
    let Some(json) = bytes
        .get(20..20 + len)
        .and_then(|j| serde_json::from_slice::<serde_json::Value>(j).ok())
    else {
        return 0;
    };
    let views = json["bufferViews"].as_array().cloned().unwrap_or_default();
    json["images"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|image| image["bufferView"].as_u64())
        .filter_map(|v| views.get(v as usize)?["byteLength"].as_u64())
        .sum()
}

/// Builds `disan-pack`'s examples in release and writes the benchmarks' scan (2 million
/// triangles, a 4096² texture: engine/pack/tests/support/scan.rs) into `folder`; returns the
/// examples' folder.
pub(crate) fn write_bench_scan(folder: &Path) -> Result<PathBuf, String> {
    status(cargo(&[
        "build",
        "--release",
        "-q",
        "-p",
        "disan-pack",
        "--examples",
    ]))?;
    let examples = target_dir().join("release/examples");
    let mut make = Command::new(examples.join("make_scan"));
    make.args(["--triangles", "2000000", "--texture", "4096", "--out"])
        .arg(folder);
    status(make)?;
    Ok(examples)
}

fn median(v: &mut [f64]) -> (f64, f64, f64) {
    v.sort_by(f64::total_cmp);
    (v[0], v[v.len() / 2], v[v.len() - 1])
}

fn size(p: &Path) -> u64 {
    std::fs::metadata(p).map_or(0, |m| m.len())
}

pub fn run() -> Result<(), String> {
    crate::setup::ensure_system_packages(&["time"])?;
    crate::web::ensure_npm_packages()?;
    let dir = target_dir().join("bench-pack");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    let examples = write_bench_scan(&dir.join("scan"))?;
    let scan = dir.join("scan/scan.glb");
    println!(
        "bench pack: input {} ({:.1} MB), 2 000 000 triangles, 4096² texture",
        scan.display(),
        size(&scan) as f64 / 1e6
    );

    // Disan: three runs of the whole pipeline (four levels, textures, manifest).
    let ours = dir.join("ours");
    let (mut walls, mut mems) = (Vec::new(), Vec::new());
    let mut report = serde_json::Value::Null;
    for _ in 0..3 {
        let mut cmd = Command::new(examples.join("pack"));
        cmd.arg(&scan).arg(&ours);
        let (wall, mem, stdout) = timed(cmd, "disan pack")?;
        walls.push(wall);
        mems.push(mem);
        report = serde_json::from_str(stdout.trim()).map_err(|e| format!("pack report: {e}"))?;
    }
    let levels = report["levels"].as_array().cloned().unwrap_or_default();
    let origin: Vec<f64> = report["normalisation"]["source_origin"]
        .as_array()
        .map(|a| a.iter().filter_map(|v| v.as_f64()).collect())
        .unwrap_or_default();

    // gltfpack: one run per level, to the same triangle count; plain (float, for measuring its
    // distance) and -cc (its smallest output).
    let gltfpack = root().join("web/node_modules/gltfpack/cli.js");
    let input_triangles = report["input_triangles"].as_f64().unwrap_or(2e6);
    let (mut gp_wall, mut gp_mem) = (0.0, 0.0f64);
    let mut rows = Vec::new();
    for level in &levels {
        let q = level["quality"].as_str().unwrap_or("?").to_owned();
        let ratio = level["triangles"].as_f64().unwrap_or(0.0) / input_triangles;
        let plain = dir.join(format!("gltfpack-{q}.glb"));
        let compressed = dir.join(format!("gltfpack-{q}-cc.glb"));
        let mut cmd = Command::new("node");
        cmd.arg(&gltfpack)
            .arg("-i")
            .arg(&scan)
            .arg("-o")
            .arg(&plain)
            .args(["-noq", "-si", &format!("{ratio:.6}")]);
        let (wall, mem, _) = timed(cmd, "gltfpack")?;
        gp_wall += wall;
        gp_mem = gp_mem.max(mem);
        let mut cmd = Command::new("node");
        cmd.arg(&gltfpack)
            .arg("-i")
            .arg(&scan)
            .arg("-o")
            .arg(&compressed)
            .args(["-cc", "-si", &format!("{ratio:.6}")]);
        timed(cmd, "gltfpack -cc")?;
        rows.push((q, level.clone(), plain, compressed));
    }

    // Distances, measured the same way for both.
    let deviation =
        |offset: Option<&[f64]>, files: &[PathBuf]| -> Result<Vec<serde_json::Value>, String> {
            let mut cmd = Command::new(examples.join("deviation"));
            cmd.arg(&scan);
            if let Some(o) = offset {
                cmd.arg("--offset")
                    .arg(format!("{},{},{}", o[0], o[1], o[2]));
            }
            cmd.args(files);
            let out = cmd.output().map_err(|e| e.to_string())?;
            Ok(String::from_utf8_lossy(&out.stdout)
                .lines()
                .filter_map(|l| serde_json::from_str(l).ok())
                .collect())
        };
    let our_files: Vec<PathBuf> = levels
        .iter()
        .map(|l| ours.join(l["src"].as_str().unwrap_or("")))
        .collect();
    let our_dev = deviation(Some(&origin), &our_files)?;
    let gp_dev = deviation(None, &rows.iter().map(|r| r.2.clone()).collect::<Vec<_>>())?;

    let (lo, mid, hi) = median(&mut walls);
    let (mlo, mmid, mhi) = median(&mut mems);
    println!(
        "\nDisan pack, whole pipeline (4 levels + textures + manifest), 3 runs: {lo:.1} / {mid:.1} / {hi:.1} s (min/median/max), peak memory {mlo:.0} / {mmid:.0} / {mhi:.0} MB"
    );
    println!(
        "gltfpack (npm, wasm under node), one run per level, 4 levels: {gp_wall:.1} s in all, peak memory {gp_mem:.0} MB"
    );
    println!(
        "time ratio (Disan median / gltfpack sum): {:.2}\n",
        mid / gp_wall.max(1e-9)
    );
    println!(
        "{:<7} {:>9} {:>9} | {:>10} {:>10} {:>10} {:>6} | {:>9} {:>9} {:>6} | {:>9} {:>9} {:>9} {:>9}",
        "level",
        "tris",
        "gp tris",
        "bytes",
        "gp bytes",
        "gp -cc",
        "ratio",
        "geometry",
        "gp -cc",
        "ratio",
        "p99 mm",
        "gp p99",
        "max mm",
        "gp max"
    );
    for (i, (q, level, plain, compressed)) in rows.iter().enumerate() {
        let bytes = level["bytes"].as_u64().unwrap_or(0);
        let mm = |v: &serde_json::Value, k: &str| v[k].as_f64().unwrap_or(f64::NAN) * 1000.0;
        let (od, gd) = (
            &our_dev.get(i).cloned().unwrap_or_default(),
            &gp_dev.get(i).cloned().unwrap_or_default(),
        );
        let our_geometry =
            bytes.saturating_sub(image_bytes(&ours.join(level["src"].as_str().unwrap_or(""))));
        let gp_geometry = size(compressed).saturating_sub(image_bytes(compressed));
        println!(
            "{:<7} {:>9} {:>9} | {:>10} {:>10} {:>10} {:>6.2} | {:>9} {:>9} {:>6.2} | {:>9.3} {:>9.3} {:>9.3} {:>9.3}",
            q,
            level["triangles"].as_u64().unwrap_or(0),
            gd["triangles"].as_u64().unwrap_or(0),
            bytes,
            size(plain),
            size(compressed),
            bytes as f64 / size(compressed).max(1) as f64,
            our_geometry,
            gp_geometry,
            our_geometry as f64 / gp_geometry.max(1) as f64,
            mm(od, "p99_m"),
            mm(gd, "p99_m"),
            mm(od, "max_m"),
            mm(gd, "max_m"),
        );
    }
    println!(
        "\n(ratio: Disan's bytes / gltfpack -cc bytes. gltfpack keeps the 4096² texture in every level; Disan scales it per level."
    );
    println!(
        " geometry: the file less its embedded images, for both. Disan quantizes positions to 16 bits, gltfpack to 14.)"
    );
    Ok(())
}
