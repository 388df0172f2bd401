//! The viewer in a real OpenXR session: Monado's service with its null compositor and simulated
//! headset and controllers, in the Debian trixie root that `cargo xtask test` prepares (exported
//! as DISAN_XR_ROOT). The real `disan --xr` binary must reach the focused state, render frames
//! in the running session, and exit cleanly.

use std::path::{Path, PathBuf};
use std::process::Command;

mod run;

use run::copy_dir;

#[test]
fn disan_runs_an_xr_session_under_monado() {
    let Some(root) = std::env::var_os("DISAN_XR_ROOT").map(PathBuf::from) else {
        panic!(
            "DISAN_XR_ROOT is not set: run the tests with `cargo xtask test`, which prepares the OpenXR runtime root"
        );
    };
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .unwrap();
    let binary = PathBuf::from(env!("CARGO_BIN_EXE_disan"));
    // The runtime root's helper script: binds what the run needs into the root, starts Monado
    // and runs the binary there (its header explains). 60 frames in the session.
    let run_for = |exhibit: &str, frames: u32| -> String {
        let out = Command::new("unshare")
            .args(["-m", "sh"])
            .arg(repo.join("tests/xr/run-in-monado.sh"))
            .args([&root, &repo, &binary])
            .args([exhibit, "--xr", "--xr-frames", &frames.to_string()])
            .args(["--size", "640x360"])
            .output()
            .expect("unshare runs");
        let log = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(
            out.status.success(),
            "disan --xr failed ({}):\n{log}",
            out.status
        );
        log
    };
    let run_in_monado = |exhibit: &str| run_for(exhibit, 60);
    let log = run_in_monado("/mnt/repo/exhibits/trong-dong");
    assert!(
        log.contains("entered XR state FOCUSED"),
        "never reached the focused state:\n{log}"
    );
    assert!(log.contains("xr: session running"), "{log}");
    assert!(
        log.contains("xr-frames=60"),
        "did not render 60 frames in the session:\n{log}"
    );
    assert!(
        log.contains("xr: visitor placed at"),
        "the exhibit was not framed in the headset:\n{log}"
    );
    assert!(
        log.contains("listens for the exhibit's sounds"),
        "the headset is not the audio listener:\n{log}"
    );
    assert!(
        log.contains("xr: controllers ready"),
        "the controllers' actions were not made and bound:\n{log}"
    );
    assert!(
        log.contains("world-space panel"),
        "the UI panel is missing:\n{log}"
    );
    assert!(
        log.contains("stands on a plinth"),
        "the artifact is not raised to table height:\n{log}"
    );
    assert!(
        log.contains("(standing)"),
        "the default is a standing visitor:\n{log}"
    );
    assert!(!log.contains("panicked"), "{log}");

    // A 360° panorama in the same runtime (one session at a time): no plinth, the visitor
    // stood at the scene's centre, the whole sphere loaded at a level that fits the budget.
    // The package is made where the runtime's root sees the repository (target/ is ignored).
    let package = repo.join("target/xr-panorama");
    let _ = std::fs::remove_dir_all(&package);
    std::fs::create_dir_all(package.join("photos")).unwrap();
    image::RgbImage::from_fn(4096, 2048, |x, y| {
        image::Rgb([(x / 18) as u8, (y / 9) as u8, 90])
    })
    .save(package.join("photos/01-gate.png"))
    .unwrap();
    let packed = Command::new(&binary)
        .args(["pack", "--as", "panorama", "--id", "walk", "--out"])
        .arg(package.join("walk"))
        .arg(package.join("photos"))
        .output()
        .unwrap();
    assert!(packed.status.success(), "{packed:?}");
    let log = run_in_monado("/mnt/repo/target/xr-panorama/walk");
    let _ = std::fs::remove_dir_all(&package);
    assert!(log.contains("xr-frames=60"), "{log}");
    assert!(
        log.contains("xr: visitor placed in the panorama \"walk\""),
        "{log}"
    );
    assert!(
        !log.contains("stands on a plinth"),
        "a panorama needs no plinth:\n{log}"
    );
    assert!(
        log.contains("xr: standing in panorama scene \"01-gate\""),
        "the head was not stood at the scene's centre:\n{log}"
    );
    assert!(
        log.contains("panorama: \"01-gate\" whole sphere at level 3 of 3"),
        "the headset's tiles (54 of a 1300-pixel cube fit the budget of 96):\n{log}"
    );
    assert!(!log.contains("panicked"), "{log}");

    // A laser scan in the headset: its nodes chosen for the headset's view (the desktop camera
    // is off while XR runs) and streamed in.
    let package = repo.join("target/xr-pointcloud");
    let _ = std::fs::remove_dir_all(&package);
    std::fs::create_dir_all(&package).unwrap();
    let ply = package.join("yard.ply");
    let n = 200_000;
    let mut bytes = format!(
        "ply\nformat binary_little_endian 1.0\nelement vertex {n}\nproperty float x\nproperty float y\nproperty float z\nproperty uchar red\nproperty uchar green\nproperty uchar blue\nend_header\n"
    )
    .into_bytes();
    for i in 0..n {
        let (u, v) = ((i % 447) as f32 / 447.0, (i / 447) as f32 / 447.0);
        for c in [u * 12.0, v * 8.0, 0.0] {
            bytes.extend_from_slice(&c.to_le_bytes());
        }
        bytes.extend_from_slice(&[200, (v * 200.0) as u8, 60]);
    }
    std::fs::write(&ply, bytes).unwrap();
    let packed = Command::new(&binary)
        .args(["pack", "--up", "z", "--out"])
        .arg(package.join("yard"))
        .arg(&ply)
        .output()
        .unwrap();
    assert!(packed.status.success(), "{packed:?}");
    let log = run_in_monado("/mnt/repo/target/xr-pointcloud/yard");
    let _ = std::fs::remove_dir_all(&package);
    assert!(log.contains("xr-frames=60"), "{log}");
    assert!(
        log.contains("xr: visitor placed at"),
        "the cloud was not framed in the headset:\n{log}"
    );
    // The levels follow an eye camera once the session runs (the desktop camera is off), and
    // the cloud is drawn. How much of it depends on the simulated eyes' size (320×240 here).
    let eyes: Vec<&str> = log
        .lines()
        .filter_map(|l| l.split("xr: eye camera ").nth(1)?.split(" (view").next())
        .collect();
    let followed = log
        .lines()
        .filter_map(|l| l.split("levels follow camera ").nth(1)?.split(' ').next())
        .last();
    assert!(
        followed.is_some_and(|c| eyes.contains(&c)),
        "the levels do not follow an eye ({followed:?}, eyes {eyes:?}):\n{log}"
    );
    let drawn = log
        .split("point clouds: ")
        .filter_map(|s| s.split(' ').next()?.parse::<u64>().ok())
        .last();
    assert!(
        drawn.is_some_and(|d| d > 0),
        "the headset's view streamed no nodes:\n{log}"
    );
    // Each eye sees its own half of a top-bottom stereo video (render layers per view).
    for view in 0..2 {
        assert!(
            log.contains(&format!("(view {view}) sees its own half of stereo videos")),
            "eye {view} was not given its layers:\n{log}"
        );
    }
    // Each eye's camera carries the eye-dome pass (the desktop camera is off, not counted as
    // an eye: two or more cameras lit, and the session ran its frames on with the pass).
    let lit: u32 = log
        .lines()
        .filter_map(|l| l.split("eye-dome lighting on for ").nth(1))
        .filter_map(|s| s.split(' ').next()?.parse::<u32>().ok())
        .sum();
    assert!(
        lit >= 3,
        "eye-dome lighting lit {lit} camera(s) in the headset:\n{log}"
    );
    assert!(!log.contains("panicked"), "{log}");

    // Intangible heritage in the headset: the bundled festival's video, decoded by ffmpeg in the
    // runtime's root and on its screen, with a photo gallery added beside it.
    let package = repo.join("target/xr-festival");
    let _ = std::fs::remove_dir_all(&package);
    copy_dir(&repo.join("exhibits/choi-trau-do-son"), &package);
    std::fs::create_dir_all(package.join("photos")).unwrap();
    image::RgbImage::from_pixel(400, 300, image::Rgb([200, 160, 40]))
        .save(package.join("photos/trau.png"))
        .unwrap();
    let mut manifest = std::fs::read_to_string(package.join("exhibit.toml")).unwrap();
    manifest.push_str(
        "\n[[galleries]]\nid = \"anh\"\ntitle = { vi = \"Ảnh\", en = \"Photographs\" }\n\
         [galleries.screen]\ncentre = [-3.0, 1.6, 0.0]\nnormal = [0.0, 0.0, 1.0]\nwidth = 2.0\n\n\
         [[galleries.photos]]\nid = \"trau\"\nsrc = \"photos/trau.png\"\n\
         caption = { vi = \"Ảnh thử.\", en = \"A test photograph.\" }\n",
    );
    std::fs::write(package.join("exhibit.toml"), manifest).unwrap();
    let log = run_for("/mnt/repo/target/xr-festival", 120);
    let _ = std::fs::remove_dir_all(&package);
    assert!(log.contains("xr-frames=120"), "{log}");
    let line = log
        .lines()
        .find(|l| l.contains("video \"festival\": frame "))
        .unwrap_or_default();
    let frame = line
        .split("video \"festival\": frame ")
        .nth(1)
        .and_then(|s| s.split(' ').next());
    assert!(
        frame.is_some_and(|f| f.parse::<u64>().is_ok()) && !line.contains("(failed)"),
        "no frame of the festival's video reached its screen in the headset:\n{log}"
    );
    assert!(
        log.contains("gallery \"anh\": photo \"trau\" (1 of 1) shown"),
        "the gallery's photo is not on its screen in the headset:\n{log}"
    );
    assert!(!log.contains("panicked"), "{log}");
}

/// Without an OpenXR runtime (this host has no OpenXR loader at all), `--xr` says so and the
/// desktop viewer shows the exhibit as usual: its UI on screen, no plinth, the image drawn.
#[test]
fn without_a_runtime_xr_falls_back_to_the_desktop_viewer() {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .unwrap();
    let out_png =
        std::env::temp_dir().join(format!("disan-xr-fallback-{}.png", std::process::id()));
    let out = Command::new(env!("CARGO_BIN_EXE_disan"))
        .current_dir(&repo)
        .args([
            "shot",
            "exhibits/trong-dong",
            "--view",
            "home",
            "--size",
            "320x180",
            "--xr",
            "--out",
        ])
        .arg(&out_png)
        .env("XR_RUNTIME_JSON", "/nonexistent/openxr_runtime.json")
        .output()
        .expect("disan runs");
    let log = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "{log}");
    assert!(
        log.contains("no OpenXR runtime could be started, so Disan runs in its desktop window"),
        "{log}"
    );
    assert!(
        !log.contains("stands on a plinth"),
        "the desktop fallback must not raise the exhibit:\n{log}"
    );
    assert!(out_png.is_file(), "the desktop viewer drew the exhibit");
    let _ = std::fs::remove_file(out_png);
}
