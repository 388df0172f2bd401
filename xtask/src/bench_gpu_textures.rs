//! `cargo xtask bench gpu-textures`: the native viewer on a packed 2-million-triangle scan with
//! a 4096² texture (engine/pack/tests/support/scan.rs), its `high` level shown (`--lod high`)
//! from the level's BC7 copy (what the viewer fetches where the GPU samples BC7) against the
//! JPEG level (`--textures jpeg`), interleaved, 3 runs each: the
//! time from asking for the level to its being on screen (fetched, decoded, mipmapped where
//! needed, uploaded, spawned: from the log's timestamps), the process's wall time (lavapipe
//! samples BC7 in software, so its frames cost more here than on a GPU), the time to the first
//! frame with the model, and peak resident memory.

use std::path::Path;
use std::process::Command;

use crate::bench_pack::{timed_output, write_bench_scan};
use crate::{cargo, disan_binary, status, target_dir, under_display};

fn spread(v: &mut [f64]) -> (f64, f64, f64) {
    v.sort_by(f64::total_cmp);
    (v[0], v[v.len() / 2], v[v.len() - 1])
}

pub fn run() -> Result<(), String> {
    crate::setup::ensure_system_packages(&["time"])?;
    crate::setup::ensure_system_packages(&crate::setup::test_packages())?;
    // The viewer as the tests build it (one build of Bevy for both).
    status(cargo(&["test", "--workspace", "--no-run", "-q"]))?;
    let dir = target_dir().join("bench-gpu-textures");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    write_bench_scan(&dir.join("scan"))?;
    let copies = dir.join("with-copies");
    let mut pack = Command::new(disan_binary());
    pack.arg("pack")
        .arg(dir.join("scan/scan.glb"))
        .arg("--out")
        .arg(&copies)
        .args(["--id", "bia", "--lang", "en"]);
    status(pack)?;
    let file_size = |p: &Path| std::fs::metadata(p).map_or(0, |m| m.len());
    println!(
        "bench gpu-textures: 2 000 000-triangle scan, 4096² texture; high level {:.1} MB (JPEG), BC7 copy {:.1} MB, ETC2 copy {:.1} MB",
        file_size(&copies.join("models/bia-high.glb")) as f64 / 1e6,
        file_size(&copies.join("models/bia-high.bc7.glb")) as f64 / 1e6,
        file_size(&copies.join("models/bia-high.etc2.glb")) as f64 / 1e6,
    );

    let names = ["BC7 copy", "JPEG level"];
    let mut swaps: [Vec<f64>; 2] = Default::default();
    let mut walls: [Vec<f64>; 2] = Default::default();
    let mut mems: [Vec<f64>; 2] = Default::default();
    let mut firsts: [Vec<f64>; 2] = Default::default();
    for run in 0..3 {
        for (i, textures) in ["bc7", "jpeg"].into_iter().enumerate() {
            let mut shot = Command::new(disan_binary());
            shot.arg("shot")
                .arg(&copies)
                .args([
                    "--view",
                    "home",
                    "--size",
                    "1280x720",
                    "--lod",
                    "high",
                    "--textures",
                    textures,
                    "--no-ui",
                    "--out",
                ])
                .arg(dir.join(format!("shot-{i}-{run}.png")));
            let (wall, mb, stdout, stderr) = timed_output(under_display(shot), names[i])?;
            let log = stdout + &stderr;
            let expected = if i == 0 {
                "models/bia-high.bc7.glb"
            } else {
                "models/bia-high.glb"
            };
            if !log.contains(&format!("level: fetching high of model main ({expected}")) {
                return Err(format!("{}: {expected} was not fetched:\n{log}", names[i]));
            }
            let at = |needle: &str| -> Option<f64> {
                let line = log.lines().find(|l| l.contains(needle))?;
                // `2026-12-04T14:20:43.245356Z` (after colour codes): seconds of the day.
                let time = line.split('T').nth(1)?.split('Z').next()?;
                let mut parts = time.split(':').map(|p| p.parse::<f64>().ok());
                Some(parts.next()?? * 3600.0 + parts.next()?? * 60.0 + parts.next()??)
            };
            let swap = match (
                at("level: fetching high of model main"),
                at("level: model main shows high"),
            ) {
                (Some(asked), Some(shown)) => shown - asked,
                _ => return Err(format!("{}: no level timestamps:\n{log}", names[i])),
            };
            let first = log
                .split("first-model-frame-ms=")
                .nth(1)
                .and_then(|s| s.split(|c: char| !c.is_ascii_digit()).next()?.parse().ok())
                .unwrap_or(f64::NAN);
            println!(
                "run {run} {}: high on screen {swap:.2} s after it was asked for; process {wall:.1} s; first frame with the model {first:.0} ms; peak RSS {mb:.0} MB",
                names[i]
            );
            swaps[i].push(swap);
            walls[i].push(wall);
            mems[i].push(mb);
            firsts[i].push(first);
        }
    }
    println!("native viewer, lavapipe, 1280x720, --lod high, 3 runs each (min / median / max):");
    let mut medians = [(0.0, 0.0); 2];
    for i in 0..2 {
        let (sl, sm, sh) = spread(&mut swaps[i]);
        let (wl, wm, wh) = spread(&mut walls[i]);
        let (ml, mm, mh) = spread(&mut mems[i]);
        let (fl, fm, fh) = spread(&mut firsts[i]);
        medians[i] = (sm, mm);
        println!(
            "  {:10} high on screen after {sl:.2} / {sm:.2} / {sh:.2} s; process {wl:.1} / {wm:.1} / {wh:.1} s; first frame {fl:.0} / {fm:.0} / {fh:.0} ms; peak RSS {ml:.0} / {mm:.0} / {mh:.0} MB",
            names[i]
        );
    }
    println!(
        "ratio BC7 copy / JPEG level: asking to showing high {:.2}x, peak memory {:.2}x",
        medians[0].0 / medians[1].0,
        medians[0].1 / medians[1].1
    );
    Ok(())
}
