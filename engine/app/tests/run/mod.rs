//! What the tests that run the `disan` binary share: the binary, its output as text, and a
//! scratch folder removed afterwards.
// Each test target uses its own part of this module.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The `disan` binary, run from the repository root (where `exhibits/` is).
pub fn disan() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_disan"));
    cmd.current_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("../.."));
    cmd
}

/// What a run printed, stdout then stderr.
pub fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// Runs `cmd`, a `disan shot` that writes `png`: it must succeed with no panic or error in its
/// log (`what` says which in a failure). Returns the log and the picture.
pub fn shot_ok(mut cmd: Command, png: &Path, what: &str) -> (String, image::RgbImage) {
    let out = cmd.output().unwrap();
    let log = text(&out);
    assert!(out.status.success(), "{what}: {log}");
    assert!(
        !log.contains("panicked") && !log.contains(" ERROR "),
        "{what}: {log}"
    );
    (log, image::open(png).unwrap().to_rgb8())
}

/// A scratch folder, removed when dropped (kept with `DISAN_KEEP_TEST_OUTPUT` set).
pub struct TempDir(pub PathBuf);

impl Drop for TempDir {
    fn drop(&mut self) {
        if std::env::var_os("DISAN_KEEP_TEST_OUTPUT").is_none() {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }
}

/// An empty scratch folder `disan-KIND-PID-NAME` in the system's temporary folder.
pub fn temp(kind: &str, name: &str) -> TempDir {
    let dir = std::env::temp_dir().join(format!("disan-{kind}-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    TempDir(dir)
}

/// Copies the folder `from` to `to`, sub-folders and all (a package to change in a test).
pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}
