//! The viewer in a real OpenXR session: Monado's service with its null compositor and simulated
//! headset and controllers, in the Debian trixie root that `cargo xtask test` prepares (exported
//! as DISAN_XR_ROOT). The real `disan --xr` binary must reach the focused state, render frames
//! in the running session, and exit cleanly.

use std::path::{Path, PathBuf};
use std::process::Command;

#[test]
fn disan_runs_an_xr_session_under_monado() {
    let Some(root) = std::env::var_os("DISAN_XR_ROOT").map(PathBuf::from) else {
        panic!("DISAN_XR_ROOT is not set: run the tests with `cargo xtask test`, which prepares the OpenXR runtime root");
    };
    let repo = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..").canonicalize().unwrap();
    let binary = PathBuf::from(env!("CARGO_BIN_EXE_disan"));
    // Inside a private mount namespace: the host's /proc, /dev and /sys, the repository and the
    // binary are bound into the root for this run only.
    let script = format!(
        r#"set -e
R={root}
for d in proc dev sys; do mount --bind /$d $R/$d; done
mkdir -p $R/mnt/repo $R/opt/disan
mount --bind {repo} $R/mnt/repo
cp {binary} $R/opt/disan/disan
chroot $R /bin/sh -c '
  export XDG_RUNTIME_DIR=$(mktemp -d) XRT_COMPOSITOR_NULL=1 SIMULATED_ENABLE=1 SIMULATED_LEFT=simple SIMULATED_RIGHT=simple XRT_NO_STDIN=1
  export XR_RUNTIME_JSON=/usr/share/openxr/1/openxr_monado.json VK_ICD_FILENAMES=/usr/share/vulkan/icd.d/lvp_icd.json
  export DISAN_ASSETS=/mnt/repo/assets DISAN_UNDER_XVFB=1
  monado-service > /tmp/monado.log 2>&1 &
  sleep 2
  status=0
  timeout 240 xvfb-run -a /opt/disan/disan /mnt/repo/exhibits/trong-dong --xr --xr-frames 60 --size 640x360 || status=$?
  kill %1 2>/dev/null || true
  echo "--- monado log"; cat /tmp/monado.log
  exit $status'
"#,
        root = root.display(),
        repo = repo.display(),
        binary = binary.display()
    );
    let out = Command::new("unshare").args(["-m", "sh", "-c", &script]).output().expect("unshare runs");
    let log = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "disan --xr failed ({}):\n{log}", out.status);
    assert!(log.contains("entered XR state FOCUSED"), "never reached the focused state:\n{log}");
    assert!(log.contains("xr: session running"), "{log}");
    assert!(log.contains("xr-frames=60"), "did not render 60 frames in the session:\n{log}");
    assert!(log.contains("xr: visitor placed at"), "the exhibit was not framed in the headset:\n{log}");
    assert!(log.contains("listens for the exhibit's sounds"), "the headset is not the audio listener:\n{log}");
}
