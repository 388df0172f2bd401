//! `cargo xtask bench video`: what native 1080p playback costs. A generated 1920×1080 recording
//! (FFmpeg's moving test card and a tone, 30 s at 25 frames a second) is packed by
//! `disan pack --as video`; the viewer then opens it in a 1920×1080 window (Xvfb), once with the
//! video playing in a loop and once paused on its first frame (the baseline: the same exhibit,
//! drawn the same way, decoding nothing). For each, the CPU time of the viewer and the FFmpeg
//! processes it runs, sampled from /proc over three 8-second windows after a 6-second warm-up,
//! as CPU seconds per second of wall time: min / median / max, and the difference, which is what
//! playback costs.

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use crate::{cargo, setup, status, target_dir};

const SECONDS: u32 = 30;
const WARM_UP: Duration = Duration::from_secs(6);
const WINDOW: Duration = Duration::from_secs(8);
const WINDOWS: usize = 3;

/// Clock ticks used, user and system: by the process itself, and by all its descendants
/// (the FFmpeg decoders).
fn tree_ticks(pid: u32) -> (u64, u64) {
    let (mut own, mut descendants) = (0, 0);
    let mut stack = vec![pid];
    while let Some(p) = stack.pop() {
        if let Ok(stat) = std::fs::read_to_string(format!("/proc/{p}/stat")) {
            // Fields after the command's closing parenthesis: utime is the 12th, stime the 13th.
            if let Some((_, rest)) = stat.rsplit_once(')') {
                let f: Vec<&str> = rest.split_whitespace().collect();
                let ticks = f.get(11).and_then(|v| v.parse::<u64>().ok()).unwrap_or(0)
                    + f.get(12).and_then(|v| v.parse::<u64>().ok()).unwrap_or(0);
                if p == pid {
                    own += ticks;
                    // Decoders already stopped and waited for (cutime, cstime): a seek or a
                    // loop restarts them.
                    descendants += f.get(13).and_then(|v| v.parse::<u64>().ok()).unwrap_or(0)
                        + f.get(14).and_then(|v| v.parse::<u64>().ok()).unwrap_or(0);
                } else {
                    descendants += ticks;
                }
            }
        }
        if let Ok(tasks) = std::fs::read_dir(format!("/proc/{p}/task")) {
            for task in tasks.flatten() {
                if let Ok(children) = std::fs::read_to_string(task.path().join("children")) {
                    stack.extend(
                        children
                            .split_whitespace()
                            .filter_map(|c| c.parse::<u32>().ok()),
                    );
                }
            }
        }
    }
    (own, descendants)
}

/// The viewer's process under xvfb-run (its first descendant named `disan`).
fn viewer_pid(xvfb: &Child) -> Option<u32> {
    let mut stack = vec![xvfb.id()];
    while let Some(p) = stack.pop() {
        let comm = std::fs::read_to_string(format!("/proc/{p}/comm")).unwrap_or_default();
        if comm.trim() == "disan" {
            return Some(p);
        }
        for task in std::fs::read_dir(format!("/proc/{p}/task")).ok()?.flatten() {
            if let Ok(children) = std::fs::read_to_string(task.path().join("children")) {
                stack.extend(
                    children
                        .split_whitespace()
                        .filter_map(|c| c.parse::<u32>().ok()),
                );
            }
        }
    }
    None
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

/// CPU seconds per second over each window while the viewer shows `package`: the viewer's own,
/// and its FFmpeg decoders'.
fn cpu_per_second(package: &Path) -> Result<(Vec<f64>, Vec<f64>), String> {
    let mut child = Command::new("xvfb-run")
        .args(["-a", "-s", "-screen 0 1920x1080x24"])
        .arg(crate::disan_binary())
        .arg(package)
        .args(["--size", "1920x1080"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("xvfb-run: {e}"))?;
    std::thread::sleep(WARM_UP);
    let pid = viewer_pid(&child).ok_or("the viewer did not start")?;
    let ticks_per_second = 100.0; // USER_HZ on Linux
    let (mut viewer, mut decoders) = (Vec::new(), Vec::new());
    let rate = |ticks: u64| ticks as f64 / ticks_per_second / WINDOW.as_secs_f64();
    for _ in 0..WINDOWS {
        let before = tree_ticks(pid);
        std::thread::sleep(WINDOW);
        let after = tree_ticks(pid);
        viewer.push(rate(after.0 - before.0));
        // A decoder restarted in the window (a loop) is counted from its start.
        decoders.push(rate(after.1.saturating_sub(before.1)));
    }
    // SIGINT: the viewer closes cleanly and stops its FFmpeg processes.
    let _ = Command::new("kill")
        .args(["-INT", &pid.to_string()])
        .status();
    std::thread::sleep(Duration::from_secs(2));
    let _ = child.kill();
    let _ = child.wait();
    Ok((viewer, decoders))
}

pub fn run() -> Result<(), String> {
    setup::ensure_system_packages(&setup::test_packages())?;
    status(cargo(&["build", "--workspace"]))?;
    let dir = target_dir().join("bench-video");
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    let film = dir.join("card-1080p.mp4");
    if !film.is_file() {
        let mut make = Command::new("ffmpeg");
        make.args(["-v", "error", "-y", "-f", "lavfi", "-i"])
            .arg(format!("testsrc2=s=1920x1080:r=25:d={SECONDS}"))
            .args(["-f", "lavfi", "-i"])
            .arg(format!("sine=frequency=440:sample_rate=48000:d={SECONDS}"))
            .args([
                "-c:v", "libx264", "-preset", "veryfast", "-pix_fmt", "yuv420p", "-c:a", "aac",
            ])
            .arg(&film);
        status(make)?;
    }
    let package = dir.join("card");
    if !package.join("exhibit.toml").is_file() {
        let mut pack = Command::new(crate::disan_binary());
        pack.args(["pack", "--as", "video", "--out"])
            .arg(&package)
            .arg(&film);
        status(pack)?;
    }
    let manifest =
        std::fs::read_to_string(package.join("exhibit.toml")).map_err(|e| e.to_string())?;
    let mut viewer_medians = Vec::new();
    for (label, playing) in [("playing", true), ("paused (baseline)", false)] {
        // `autoplay` and `loop` go right after the video's `src`.
        let edited = manifest.replacen(
            "src = \"videos/card-1080p/video.json\"",
            &format!("src = \"videos/card-1080p/video.json\"\nautoplay = {playing}\nloop = true"),
            1,
        );
        if edited == manifest {
            return Err("the packed manifest has no video src line to edit".into());
        }
        std::fs::write(package.join("exhibit.toml"), edited).map_err(|e| e.to_string())?;
        let (mut viewer, mut decoders) = cpu_per_second(&package)?;
        println!(
            "1080p video {label}: CPU s per s, min / median / max: viewer {}, FFmpeg decoders {}",
            stats(&mut viewer),
            stats(&mut decoders)
        );
        viewer_medians.push(viewer[viewer.len() / 2]);
    }
    std::fs::write(package.join("exhibit.toml"), &manifest).map_err(|e| e.to_string())?;
    println!(
        "the viewer itself: {:.2} CPU s per s playing against {:.2} paused (lavapipe draws on the CPU: the renderer takes what the cores give it)",
        viewer_medians[0], viewer_medians[1]
    );
    Ok(())
}
