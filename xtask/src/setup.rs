//! What a fresh Debian machine needs, installed only when missing, saying what is installed.

use std::path::{Path, PathBuf};
use std::process::Command;

/// Building and running the native viewer.
pub const RUN_PACKAGES: &[&str] = &[
    // Bevy's native dependencies (audio, input devices, windowing).
    "pkg-config",
    "libasound2-dev",
    "libudev-dev",
    "libxkbcommon-dev",
    "libwayland-dev",
    "libx11-dev",
    "libxcursor-dev",
    "libxrandr-dev",
    "libxi-dev",
    // `disan pack` links meshoptimizer, C++ compiled by the `meshopt` crate.
    "g++",
    // `disan pack --as video` transcodes with ffmpeg; the native viewer decodes video with it.
    "ffmpeg",
    // Rendering without a GPU (lavapipe), and a display server for machines without one.
    "mesa-vulkan-drivers",
    "xvfb",
    "xauth",
];

/// Tests add the tool that builds the OpenXR test root (a Debian trixie tree holding Monado).
pub fn test_packages() -> Vec<&'static str> {
    RUN_PACKAGES
        .iter()
        .copied()
        .chain(["debootstrap"])
        .collect()
}

/// Packages installed inside the OpenXR test root: Monado (with its null compositor and
/// simulated headset), the OpenXR loader, lavapipe, and what the `disan` binary links.
const XR_ROOT_PACKAGES: &[&str] = &[
    "monado-service",
    "libopenxr1-monado",
    "libopenxr-loader1",
    "libopenxr-dev",
    "mesa-vulkan-drivers",
    "libasound2t64",
    "libudev1",
    "libxkbcommon0",
    "libx11-6",
    "libxcursor1",
    "libxrandr2",
    "libxi6",
    "libxkbcommon-x11-0",
    "xvfb",
    "xauth",
    // The native viewer decodes videos with Debian's ffmpeg, in the headset as on the desktop.
    "ffmpeg",
];

/// The OpenXR runtime for the XR test: Debian bookworm has only the loader, so a trixie tree
/// made with debootstrap holds Monado. Cached outside the clone (about 1.1 GB, a minute or two
/// to make). Returns its path.
pub fn ensure_xr_root() -> Result<PathBuf, String> {
    let root = target_dir().parent().map_or_else(
        || PathBuf::from("/tmp/disan-monado-root"),
        |p| p.join("monado-root"),
    );
    if root.join("usr/bin/monado-service").is_file() {
        // A root made before a package joined the list gets what it lacks.
        let admin = root.join("var/lib/dpkg");
        let missing: Vec<&str> = XR_ROOT_PACKAGES
            .iter()
            .copied()
            .filter(|p| !installed_in(&admin, p))
            .collect();
        if !missing.is_empty() {
            println!(
                "xtask: installing into the OpenXR test root at {}: {}",
                root.display(),
                missing.join(" ")
            );
            install_in_root(&root, &missing)?;
        }
        return Ok(root);
    }
    println!(
        "xtask: making the OpenXR test root at {} (debootstrap trixie, then: {})",
        root.display(),
        XR_ROOT_PACKAGES.join(" ")
    );
    let _ = std::fs::remove_dir_all(&root);
    let status = |cmd: &mut Command| -> Result<(), String> {
        let shown = format!("{cmd:?}");
        let s = cmd.status().map_err(|e| format!("{shown}: {e}"))?;
        if s.success() {
            Ok(())
        } else {
            Err(format!("{shown} failed ({s})"))
        }
    };
    status(
        Command::new("debootstrap")
            .args(["--variant=minbase", "trixie"])
            .arg(&root)
            .arg("http://deb.debian.org/debian"),
    )?;
    install_in_root(&root, XR_ROOT_PACKAGES)?;
    Ok(root)
}

/// Installs `packages` into the OpenXR test root with its own apt.
fn install_in_root(root: &Path, packages: &[&str]) -> Result<(), String> {
    // apt inside the root needs /proc, /dev and /sys; a private mount namespace drops the bind
    // mounts when the command ends, so nothing of the host stays mounted under the cache.
    let script = format!(
        "set -e; for d in proc dev sys; do mount --bind /$d {root}/$d; done; \
         chroot {root} sh -c 'apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends {pkgs}'",
        root = root.display(),
        pkgs = packages.join(" ")
    );
    let mut cmd = Command::new("unshare");
    cmd.args(["-m", "sh", "-c", &script]);
    let s = cmd.status().map_err(|e| format!("{cmd:?}: {e}"))?;
    if s.success() {
        Ok(())
    } else {
        Err(format!(
            "installing {} into {} failed ({s})",
            packages.join(" "),
            root.display()
        ))
    }
}

/// Whether `package` is installed in the dpkg database at `admin_dir`.
fn installed_in(admin_dir: &Path, package: &str) -> bool {
    Command::new("dpkg-query")
        .arg(format!("--admindir={}", admin_dir.display()))
        .args(["-W", "-f=${Status}", package])
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).contains("install ok installed"))
}

pub fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            let home = std::env::var_os("HOME")
                .map(PathBuf::from)
                .unwrap_or_else(|| PathBuf::from("/tmp"));
            home.join(".cache/disan/target")
        })
}

fn installed(package: &str) -> bool {
    Command::new("dpkg-query")
        .args(["-W", "-f=${Status}", package])
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).contains("install ok installed"))
}

pub fn ensure_system_packages(packages: &[&str]) -> Result<(), String> {
    if Command::new("dpkg-query")
        .arg("--version")
        .output()
        .is_err()
    {
        println!(
            "xtask: not a Debian-like system; make sure these are installed: {}",
            packages.join(" ")
        );
        return Ok(());
    }
    let missing: Vec<&str> = packages.iter().copied().filter(|p| !installed(p)).collect();
    if missing.is_empty() {
        return Ok(());
    }
    println!(
        "xtask: installing missing Debian packages: {}",
        missing.join(" ")
    );
    let sudo = !is_root();
    let run = |args: &[&str]| -> Result<(), String> {
        let mut cmd = if sudo {
            Command::new("sudo")
        } else {
            Command::new(args[0])
        };
        if sudo {
            cmd.args(args);
        } else {
            cmd.args(&args[1..]);
        }
        cmd.env("DEBIAN_FRONTEND", "noninteractive");
        let s = cmd
            .status()
            .map_err(|e| format!("could not run {}: {e}", args.join(" ")))?;
        if s.success() {
            Ok(())
        } else {
            Err(format!("`{}` failed", args.join(" ")))
        }
    };
    run(&["apt-get", "update", "-qq"])?;
    let mut install = vec!["apt-get", "install", "-y", "-qq", "--no-install-recommends"];
    install.extend(&missing);
    run(&install)
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

/// The environment every build shares: one target directory for everything, so CI on this
/// machine reuses the session's build. No custom linker flags: Rust links with its bundled LLD,
/// and plain `cargo test` shares the same artifacts.
pub fn build_env(cmd: &mut Command) {
    cmd.env("CARGO_TARGET_DIR", target_dir());
}
