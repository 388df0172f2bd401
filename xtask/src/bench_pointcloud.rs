//! `cargo xtask bench pointcloud`: a generated laser survey of 20 million coloured points (a
//! 60 × 40 m courtyard with walls, in survey coordinates, written as binary PLY) packed by
//! `disan pack` (the `disan-pack` crate's `pack` example, in release), then shown by the viewer
//! with a 2-million-point budget: pack time and peak memory, and, once the view has stopped
//! streaming, the whole frame's interval (frames per second), the engine's CPU time per frame,
//! the points drawn and the viewer's peak memory, with eye-dome lighting and with flat splats
//! (the baseline for what the EDL pass costs). Three runs of each, min / median / max.
//! No baseline: PotreeConverter and Potree are not in any package registry this project uses.

use std::io::Write;
use std::path::Path;
use std::process::Command;

use crate::{cargo, root, setup, status, target_dir};

const POINTS: usize = 20_000_000;

fn write_survey(path: &Path) -> Result<(), String> {
    let file = std::fs::File::create(path).map_err(|e| e.to_string())?;
    let mut out = std::io::BufWriter::with_capacity(1 << 22, file);
    let header = format!(
        "ply\nformat binary_little_endian 1.0\ncomment generated survey (cargo xtask bench pointcloud)\n\
         element vertex {POINTS}\nproperty double x\nproperty double y\nproperty double z\n\
         property uchar red\nproperty uchar green\nproperty uchar blue\nend_header\n"
    );
    out.write_all(header.as_bytes())
        .map_err(|e| e.to_string())?;
    let mut state = 0x9e37_79b9_7f4a_7c15u64;
    let mut next = || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state >> 11) as f64 / (1u64 << 53) as f64
    };
    for i in 0..POINTS {
        let (u, v) = (next(), next());
        // A paved courtyard, and three 5 m walls around it (north, west, east).
        let (p, c): ([f64; 3], [u8; 3]) = match i % 10 {
            0 => ([u * 60.0, 40.0, v * 5.0], [180, 160, 120]),
            1 => ([0.0, u * 40.0, v * 5.0], [150, 130, 100]),
            2 => ([60.0, u * 40.0, v * 5.0], [150, 130, 100]),
            _ => {
                let tile = ((u * 60.0) as u32 + (v * 40.0) as u32) % 2;
                let shade = if tile == 0 { 120 } else { 90 };
                (
                    [u * 60.0, v * 40.0, 0.01 * (u * 50.0).sin()],
                    [shade, shade - 10, shade - 25],
                )
            }
        };
        for (k, base) in [585_000.0, 2_305_000.0, 3.0].into_iter().enumerate() {
            out.write_all(&(base + p[k]).to_le_bytes())
                .map_err(|e| e.to_string())?;
        }
        out.write_all(&c).map_err(|e| e.to_string())?;
    }
    out.flush().map_err(|e| e.to_string())
}

fn stats(v: &mut [f64]) -> String {
    v.sort_by(f64::total_cmp);
    format!(
        "{:.2} / {:.2} / {:.2}",
        v[0],
        v[v.len() / 2],
        v[v.len() - 1]
    )
}

pub fn run() -> Result<(), String> {
    setup::ensure_system_packages(&setup::test_packages())?;
    status(cargo(&["build", "-p", "disan"]))?;
    status(cargo(&[
        "build",
        "--release",
        "-p",
        "disan-pack",
        "--example",
        "pack",
    ]))?;
    let dir = target_dir().join("bench-pointcloud");
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    // Where `timed` keeps GNU time's figures.
    std::fs::create_dir_all(target_dir().join("bench-pack")).map_err(|e| e.to_string())?;
    let ply = dir.join("courtyard-20m.ply");
    if !ply.is_file() {
        println!("writing {} ({POINTS} points)", ply.display());
        write_survey(&ply)?;
    }
    let package = dir.join("courtyard");
    let pack = target_dir().join("release/examples/pack");
    let (mut pack_s, mut pack_mb) = (Vec::new(), Vec::new());
    let mut report = String::new();
    for run in 0..3 {
        let mut cmd = Command::new(&pack);
        cmd.arg(&ply).arg(&package);
        let (s, mb, out) = crate::bench_pack::timed(cmd, "disan pack")?;
        println!("pack run {run}: {s:.2} s, peak {mb:.0} MB");
        pack_s.push(s);
        pack_mb.push(mb);
        report = out;
    }
    let json: serde_json::Value = serde_json::from_str(report.trim()).map_err(|e| e.to_string())?;
    let cloud = &json["pointcloud"];
    // Eye-dome lighting (the default) against flat splats, the same view in the same run: what
    // the full-screen pass costs.
    let mut views = Vec::new();
    for shading in ["edl", "flat"] {
        let (mut fps, mut cpu, mut shown, mut rss) =
            (Vec::new(), Vec::new(), Vec::new(), Vec::new());
        for run in 0..3 {
            let mut cmd = Command::new(crate::disan_binary());
            cmd.arg(&package)
                .args(["--size", "1280x720", "--point-shading", shading])
                .env("DISAN_FRAME_COST", "20")
                .env("DISAN_POINT_BUDGET", "2000000")
                .current_dir(root());
            let cmd = crate::under_display(cmd);
            let (_, mb, stdout, stderr) = crate::bench_pack::timed_output(cmd, "disan (viewer)")?;
            let log = stdout + &stderr;
            let line = log
                .lines()
                .find(|l| l.contains("frame-cost-ms"))
                .ok_or_else(|| format!("run {run}: no frame cost in the viewer's log:\n{log}"))?
                .to_owned();
            let field = |key: &str| {
                line.split(key)
                    .nth(1)
                    .and_then(|s| s.split_whitespace().next()?.parse::<f64>().ok())
                    .ok_or_else(|| format!("no {key} in {line}"))
            };
            let interval = field("interval-median=")?;
            println!(
                "view run {run} ({shading}): {:.1} frames/s ({interval:.1} ms a frame), engine CPU {:.2} ms, {} points shown, peak {mb:.0} MB",
                1000.0 / interval,
                field(" median=")?,
                field("points-shown=")?
            );
            fps.push(1000.0 / interval);
            cpu.push(field(" median=")?);
            shown.push(field("points-shown=")?);
            rss.push(mb);
        }
        views.push((shading, fps, cpu, shown, rss));
    }
    println!(
        "point cloud, {POINTS} generated points ({} MB of PLY) → {} nodes, {} levels, {} MB octree",
        std::fs::metadata(&ply).map_or(0, |m| m.len() >> 20),
        cloud["nodes"],
        cloud["depth"].as_u64().unwrap_or(0) + 1,
        cloud["octree_bytes"].as_u64().unwrap_or(0) >> 20
    );
    println!(
        "  pack (release): {} s, peak memory {} MB (min / median / max of 3)",
        stats(&mut pack_s),
        stats(&mut pack_mb)
    );
    let median = |v: &[f64]| {
        let mut v = v.to_vec();
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    let fps_median: Vec<f64> = views.iter().map(|v| median(&v.1)).collect();
    for (shading, fps, cpu, shown, rss) in &mut views {
        println!(
            "  view {shading} (debug build, lavapipe, 1280x720, budget 2 000 000): {} frames/s, engine CPU {} ms a frame, {} points drawn, peak memory {} MB",
            stats(fps),
            stats(cpu),
            stats(shown),
            stats(rss)
        );
    }
    println!(
        "  eye-dome lighting against flat splats: {:.2}x the flat frame rate (median against median)",
        fps_median[0] / fps_median[1]
    );
    Ok(())
}
