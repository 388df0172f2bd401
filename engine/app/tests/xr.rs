//! The viewer in a real OpenXR session: Monado's service with its null compositor and simulated
//! headset and controllers, in the Debian trixie root that `cargo xtask test` prepares (exported
//! as DISAN_XR_ROOT). The real `disan --xr` binary must reach the focused state, render frames
//! in the running session, and exit cleanly.

use std::path::{Path, PathBuf};
use std::process::Command;

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
    // and runs the binary there (its header explains).
    let script = repo.join("tests/xr/run-in-monado.sh");
    let exhibit = "/mnt/repo/exhibits/trong-dong";
    let out = Command::new("unshare")
        .args(["-m", "sh"])
        .arg(&script)
        .args([&root, &repo, &binary])
        .args([exhibit, "--xr", "--xr-frames", "60", "--size", "640x360"])
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
