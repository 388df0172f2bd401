//! `cargo xtask windows [--test]`: `disan` for Windows PCs (kiosks, school labs, PC VR), built
//! here with rustup's x86_64-pc-windows-gnu target and Debian's mingw-w64, packed as a zip a
//! museum unpacks and runs; with `--test`, what can run under Debian's Wine is run there
//! (docs/kiosk.md says what was and was not tried on real Windows).
//!
//! One build per use: `cargo xtask windows` makes the optimised `disan.exe` a museum runs
//! (profile `windows-release`) and tests that with `--test`; `cargo xtask test` builds the same
//! program in the quicker profile `windows-test` and packs it apart
//! (target/windows/unoptimised/), so a test run never replaces the museum's zip. Either way the
//! kiosk crate's tests are built in the program's profile so they share its dependencies. The
//! Windows build of Bevy is another full build beside the native one and shares nothing with it
//! but the target directory: `cargo xtask test` runs it beside the other tests, on the CPU time
//! they leave (src/beside.rs).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use crate::{cargo, root, setup, status, target_dir};

pub const TARGET: &str = "x86_64-pc-windows-gnu";

/// Which `disan.exe` is built: the one a museum runs, or the one `cargo xtask test` checks.
#[derive(Clone, Copy)]
pub enum WindowsBuild {
    /// Profile `windows-release`: release optimisation without cross-crate LTO (Cargo.toml says
    /// why); packed in target/windows/.
    Museum,
    /// Profile `windows-test` (Cargo.toml says why): the same code for what Wine can check here
    /// (the command line and the kiosk's Bevy-free crate; no renderer), built in a quarter of
    /// the CPU time; packed in target/windows/unoptimised/.
    Test,
}

impl WindowsBuild {
    fn profile(self) -> &'static str {
        match self {
            WindowsBuild::Museum => "windows-release",
            WindowsBuild::Test => "windows-test",
        }
    }

    /// Where cargo puts this build's `disan.exe`.
    fn exe_dir(self) -> PathBuf {
        target_dir().join(TARGET).join(self.profile())
    }

    /// Where the package is put together (`disan-windows-x86_64/` and its zip). Not
    /// target/windows-test/: cargo keeps that profile's build scripts there.
    fn package_dir(self) -> PathBuf {
        let windows = target_dir().join("windows");
        match self {
            WindowsBuild::Museum => windows.join(PACKAGE),
            WindowsBuild::Test => windows.join("unoptimised").join(PACKAGE),
        }
    }
}

/// Cross-compiling: mingw-w64's C and C++ compilers (meshoptimizer; the OpenXR loader, which
/// the OpenXR crate builds from source with CMake on Windows), zip for the package, and Wine
/// for the tests.
pub const WINDOWS_PACKAGES: &[&str] = &[
    "gcc-mingw-w64-x86-64",
    "g++-mingw-w64-x86-64",
    "cmake",
    "zip",
    "wine",
    "wine64",
];

/// The name of the zip and of the folder inside it.
const PACKAGE: &str = "disan-windows-x86_64";

/// mingw-w64's runtime libraries `disan.exe` links dynamically (C++ for meshoptimizer and the
/// OpenXR loader, and their threads), shipped beside it: a Windows PC has none of them.
const RUNTIME_DLLS: &[&str] = &[
    "libstdc++-6.dll",
    "libgcc_s_seh-1.dll",
    "libwinpthread-1.dll",
];

pub fn run(args: &[String]) -> Result<(), String> {
    let test = match args {
        [] => false,
        [flag] if flag == "--test" => true,
        _ => return Err("usage: cargo xtask windows [--test]".into()),
    };
    setup::ensure_system_packages(WINDOWS_PACKAGES)?;
    ensure_rust_target()?;
    let started = Instant::now();
    let build = WindowsBuild::Museum;
    for command in build_commands(build, test) {
        status(command)?;
    }
    println!(
        "xtask windows: built in {:.0} s",
        started.elapsed().as_secs_f64()
    );
    let zip = pack(build)?;
    if test {
        test_under_wine(build, &zip)?;
    }
    Ok(())
}

/// The name of the step of `cargo xtask test` that builds for Windows beside the tests.
pub const BESIDE: &str = "the Windows build";

/// What the Windows phase of `cargo xtask test` needs before it can build: mingw-w64 and Wine,
/// and the Rust standard library for Windows. The one thing that may be out of reach is that
/// library (rustup downloads it once); where the download is refused, this says so loudly and
/// answers false, and the phase is skipped, as it depends on a network outside the project.
pub fn prepare_test_phase() -> Result<bool, String> {
    setup::ensure_system_packages(WINDOWS_PACKAGES)?;
    if let Err(e) = ensure_rust_target() {
        println!(
            "xtask windows: SKIPPED, the Windows build and its tests under Wine will not run: {e}"
        );
        return Ok(false);
    }
    Ok(true)
}

/// The rest of the Windows phase of `cargo xtask test`, once [`build_commands`] have run (beside
/// the other tests): pack the zip and test it under Wine. Everything here must pass.
pub fn test_phase(build: WindowsBuild) -> Result<(), String> {
    let zip = pack(build)?;
    test_under_wine(build, &zip)
}

/// One build: `disan.exe` in the profile of `build`, and with `tests`, the kiosk crate's tests
/// for Windows in the same profile, so they share its dependencies. Run by `cargo xtask test`
/// beside the other tests.
pub fn build_commands(build: WindowsBuild, tests: bool) -> Vec<Command> {
    let mut exe = cargo(&[
        "build",
        "--profile",
        build.profile(),
        "--target",
        TARGET,
        "-p",
        "disan",
    ]);
    cross_env(&mut exe);
    let mut commands = vec![exe];
    if tests {
        let mut kiosk_tests = kiosk_tests(build);
        kiosk_tests.arg("--no-run");
        commands.push(kiosk_tests);
    }
    commands
}

/// `cargo test` of the kiosk's Bevy-free crate (its state machine, opening hours, PIN, usage log,
/// report and watchdog), built for Windows.
fn kiosk_tests(build: WindowsBuild) -> Command {
    let mut cmd = cargo(&[
        "test",
        "--profile",
        build.profile(),
        "--target",
        TARGET,
        "-p",
        "disan-kiosk",
    ]);
    cross_env(&mut cmd);
    cmd
}

/// The environment of a cross build: mingw-w64's POSIX-thread compilers (the OpenXR loader uses
/// `std::mutex`, which the win32-thread variant of GCC 12 lacks), and the same for linking.
fn cross_env(cmd: &mut Command) {
    let triple = TARGET.replace('-', "_");
    cmd.env(format!("CC_{triple}"), "x86_64-w64-mingw32-gcc-posix")
        .env(format!("CXX_{triple}"), "x86_64-w64-mingw32-g++-posix")
        .env(format!("AR_{triple}"), "x86_64-w64-mingw32-gcc-ar-posix")
        .env(
            format!("CARGO_TARGET_{}_LINKER", triple.to_uppercase()),
            "x86_64-w64-mingw32-gcc-posix",
        );
}

fn ensure_rust_target() -> Result<(), String> {
    let installed = Command::new("rustup")
        .args(["target", "list", "--installed"])
        .current_dir(root())
        .output()
        .map_err(|e| format!("rustup is needed for the Windows target: {e}"))?;
    if String::from_utf8_lossy(&installed.stdout)
        .lines()
        .any(|l| l.trim() == TARGET)
    {
        return Ok(());
    }
    println!("xtask: installing the Rust standard library for {TARGET} (rustup target add)");
    let mut cmd = Command::new("rustup");
    cmd.args(["target", "add", TARGET]).current_dir(root());
    status(cmd)
        .map_err(|e| format!("the Rust standard library for {TARGET} could not be installed ({e})"))
}

/// The folder a museum unpacks: the program and its runtime libraries, the engine's assets
/// (fonts, sounds), the bundled exhibits, the kiosk's Windows files and the docs staff read.
fn pack(build: WindowsBuild) -> Result<PathBuf, String> {
    let dir = build.package_dir();
    if dir.exists() {
        std::fs::remove_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    }
    std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    copy(&build.exe_dir().join("disan.exe"), &dir.join("disan.exe"))?;
    // Its symbol table is a third of the file (157 → 104 MB) and no museum reads it.
    let mut strip = Command::new("x86_64-w64-mingw32-strip");
    strip.arg(dir.join("disan.exe"));
    status(strip)?;
    for dll in RUNTIME_DLLS {
        copy(&find_mingw_dll(dll)?, &dir.join(dll))?;
    }
    let repo = root();
    copy_tree(&repo.join("assets"), &dir.join("assets"))?;
    copy_tree(&repo.join("exhibits"), &dir.join("exhibits"))?;
    // The generator of the samples is for developers, not museums.
    let _ = std::fs::remove_dir_all(dir.join("exhibits/tools"));
    for file in [
        "disan-kiosk-task.xml",
        "install-kiosk.cmd",
        "kiosk.toml",
        "README.txt",
    ] {
        copy(&repo.join("packaging/windows").join(file), &dir.join(file))?;
    }
    std::fs::create_dir_all(dir.join("docs")).map_err(|e| e.to_string())?;
    for doc in [
        "kiosk.md",
        "pipeline.md",
        "pipeline.vi.md",
        "exhibit-format.md",
    ] {
        copy(&repo.join("docs").join(doc), &dir.join("docs").join(doc))?;
    }
    let zip = dir.with_extension("zip");
    let _ = std::fs::remove_file(&zip);
    let mut cmd = Command::new("zip");
    cmd.args(["-q", "-r", "-9"])
        .arg(&zip)
        .arg(PACKAGE)
        .current_dir(dir.parent().expect("the package is in a folder"));
    status(cmd)?;
    let bytes = std::fs::metadata(&zip).map(|m| m.len()).unwrap_or(0);
    println!(
        "xtask windows: {} ({:.1} MB)",
        zip.display(),
        bytes as f64 / 1e6
    );
    Ok(zip)
}

fn copy(from: &Path, to: &Path) -> Result<(), String> {
    std::fs::copy(from, to)
        .map(|_| ())
        .map_err(|e| format!("copying {} to {}: {e}", from.display(), to.display()))
}

fn copy_tree(from: &Path, to: &Path) -> Result<(), String> {
    std::fs::create_dir_all(to).map_err(|e| format!("{}: {e}", to.display()))?;
    let entries = std::fs::read_dir(from).map_err(|e| format!("{}: {e}", from.display()))?;
    for entry in entries {
        let entry = entry.map_err(|e| format!("{}: {e}", from.display()))?;
        let path = entry.path();
        let target = to.join(entry.file_name());
        if path.is_dir() {
            copy_tree(&path, &target)?;
        } else {
            copy(&path, &target)?;
        }
    }
    Ok(())
}

/// Debian keeps the C++ and GCC runtimes under the compiler's POSIX-thread folder and the
/// thread library under the target's own.
fn find_mingw_dll(name: &str) -> Result<PathBuf, String> {
    let gcc = Path::new("/usr/lib/gcc/x86_64-w64-mingw32");
    let mut candidates = Vec::new();
    if let Ok(versions) = std::fs::read_dir(gcc) {
        let mut versions: Vec<PathBuf> = versions
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.to_string_lossy().ends_with("-posix"))
            .collect();
        versions.sort();
        candidates.extend(versions.into_iter().rev().map(|v| v.join(name)));
    }
    candidates.push(Path::new("/usr/x86_64-w64-mingw32/lib").join(name));
    candidates.into_iter().find(|p| p.is_file()).ok_or_else(|| {
        format!("{name} not found: install Debian's g++-mingw-w64-x86-64 (xtask does when it can)")
    })
}

/// A Wine prefix of the project's (outside the clone), made on first use, with the one library
/// Wine 8 lacks that every Rust program needs (`windows/bcryptprimitives.c`).
fn wine_prefix() -> Result<PathBuf, String> {
    let prefix = target_dir().join("wine-prefix");
    let system32 = prefix.join("drive_c/windows/system32");
    if !system32.join("kernel32.dll").exists() {
        println!("xtask windows: making the Wine prefix {}", prefix.display());
        let mut cmd = Command::new("wineboot");
        cmd.arg("--init")
            .env("WINEPREFIX", &prefix)
            .env("WINEDEBUG", "-all")
            .env_remove("DISPLAY");
        status(cmd)?;
        // wineboot returns before the prefix's server is done writing it.
        let mut wait = Command::new("wineserver");
        wait.arg("-w").env("WINEPREFIX", &prefix);
        status(wait)?;
    }
    let stub = system32.join("bcryptprimitives.dll");
    if !stub.exists() {
        let mut cmd = Command::new("x86_64-w64-mingw32-gcc");
        cmd.args(["-shared", "-O2", "-o"])
            .arg(&stub)
            .arg(root().join("xtask/src/windows/bcryptprimitives.c"))
            .arg("-ladvapi32");
        status(cmd)?;
    }
    Ok(prefix)
}

fn wine(prefix: &Path) -> Command {
    let mut cmd = Command::new("wine");
    cmd.env("WINEPREFIX", prefix)
        .env("WINEDEBUG", "-all")
        // Console programs need no display; without one Wine does not try to open windows.
        .env_remove("DISPLAY")
        .env_remove("WAYLAND_DISPLAY");
    cmd
}

/// What runs under Wine: the packed `disan.exe` validating exhibits (good and broken) and
/// summing a usage log, and the kiosk's Bevy-free crate (its state machine, opening hours,
/// PIN, usage log, report and watchdog) by its own tests built for Windows. The renderer is not
/// run: Wine has no GPU here.
fn test_under_wine(build: WindowsBuild, zip: &Path) -> Result<(), String> {
    let started = Instant::now();
    let prefix = wine_prefix()?;
    // Tested as a museum would have it: unpacked from the zip into a fresh folder.
    let scratch = build
        .package_dir()
        .parent()
        .expect("the package is in a folder")
        .join("test");
    let _ = std::fs::remove_dir_all(&scratch);
    std::fs::create_dir_all(&scratch).map_err(|e| e.to_string())?;
    let mut unzip = Command::new("unzip");
    unzip.arg("-q").arg(zip).arg("-d").arg(&scratch);
    status(unzip)?;
    let unpacked = scratch.join(PACKAGE);
    let exe = unpacked.join("disan.exe");
    let run = |args: &[&str], dir: &Path| -> Result<(i32, String, String), String> {
        let out = wine(&prefix)
            .arg(&exe)
            .args(args)
            .current_dir(dir)
            .output()
            .map_err(|e| format!("could not run wine: {e}"))?;
        Ok((
            out.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        ))
    };
    let mut failures = Vec::new();
    let mut check = |what: &str, ok: bool, detail: String| {
        println!("xtask windows: {} {what}", if ok { "ok  " } else { "FAIL" });
        if !ok {
            failures.push(format!("{what}\n{detail}"));
        }
    };

    let (code, out, err) = run(&["--version"], &unpacked)?;
    check(
        "disan.exe --version",
        code == 0 && out.trim() == format!("disan {}", env!("CARGO_PKG_VERSION")),
        format!("status {code}\n{out}{err}"),
    );

    // The bundled exhibits, by the paths a museum types (relative, with backslashes).
    let (code, out, err) = run(&["validate", "exhibits"], &unpacked)?;
    check(
        "disan.exe validate exhibits: no errors (status 0 or 2)",
        code == 0 || code == 2,
        format!("status {code}\n{out}{err}"),
    );
    let (code, out, err) = run(&["validate", "exhibits\\dinh-hang-kenh"], &unpacked)?;
    check(
        "disan.exe validate exhibits\\dinh-hang-kenh",
        code == 0 || code == 2,
        format!("status {code}\n{out}{err}"),
    );

    // The kiosk's file as shipped, read as the scheduled task's watchdog reads it.
    let (code, out, err) = run(
        &["watchdog", "--check", "--config", "kiosk.toml"],
        &unpacked,
    )?;
    check(
        "disan.exe watchdog --check --config kiosk.toml (the shipped kiosk file)",
        code == 0 && out.contains("kiosk-status.json"),
        format!("status {code}\n{out}{err}"),
    );

    // A broken package: refused with status 1, naming the file and the field.
    let broken = scratch.join("broken");
    copy_tree(&unpacked.join("exhibits/dinh-hang-kenh"), &broken)?;
    let manifest = broken.join("exhibit.toml");
    let text = std::fs::read_to_string(&manifest).map_err(|e| e.to_string())?;
    let text = text.replacen("format = 1", "format = 99", 1);
    std::fs::write(&manifest, text).map_err(|e| e.to_string())?;
    let (code, out, err) = run(&["validate", "--lang", "en", "..\\broken"], &unpacked)?;
    let said = format!("{out}{err}");
    check(
        "disan.exe validate of a broken package: status 1, file and field named",
        code == 1 && said.contains("exhibit.toml") && said.contains("format"),
        format!("status {code}\n{said}"),
    );

    // A usage log (the last line torn by a power cut) summed for the yearly report.
    let log = scratch.join("usage.jsonl");
    std::fs::write(&log, USAGE_LOG).map_err(|e| e.to_string())?;
    let period = [
        "--from",
        "2026-01-01",
        "--to",
        "2026-12-31",
        "--format",
        "csv",
    ];
    let windows_args: Vec<&str> = ["report", "..\\usage.jsonl"]
        .into_iter()
        .chain(period)
        .collect();
    let (code, out, err) = run(&windows_args, &unpacked)?;
    check(
        "disan.exe report: the visits of the log, summed",
        code == 0 && out.lines().any(|l| l == REPORT_TOTAL_LINE),
        format!("status {code}\n{out}{err}"),
    );
    // The same log, summed by the Linux build where the tests built one: the same report.
    let native = target_dir().join("debug/disan");
    if native.is_file() {
        let linux = Command::new(&native)
            .arg("report")
            .arg(&log)
            .args(period)
            .output()
            .map_err(|e| e.to_string())?;
        let linux = String::from_utf8_lossy(&linux.stdout).into_owned();
        check(
            "disan.exe report equals the Linux build's, line for line",
            out.lines().eq(linux.lines()),
            format!("Windows:\n{out}\nLinux:\n{linux}"),
        );
    }

    // The kiosk's state machine, report and watchdog: the crate's own tests, built for Windows.
    let mut kiosk_tests = kiosk_tests(build);
    kiosk_tests
        .env(
            format!(
                "CARGO_TARGET_{}_RUNNER",
                TARGET.replace('-', "_").to_uppercase()
            ),
            "wine",
        )
        .env("WINEPREFIX", &prefix)
        .env("WINEDEBUG", "-all")
        .env_remove("DISPLAY");
    let result = kiosk_tests.status();
    check(
        "disan-kiosk's tests (state machine, hours, PIN, usage log, report, watchdog)",
        result.as_ref().is_ok_and(|s| s.success()),
        format!("{result:?}"),
    );

    println!(
        "xtask windows: tests under Wine took {:.0} s",
        started.elapsed().as_secs_f64()
    );
    if failures.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "{} check(s) of the Windows build failed:\n\n{}",
            failures.len(),
            failures.join("\n\n")
        ))
    }
}

/// Two visits in November 2026, the second with a tour; the last line torn by a power cut.
const USAGE_LOG: &str = r#"{"at":"2026-11-03T09:30:00+07:00","kiosk":"k1","session":1,"event":"session-start","lang":"vi"}
{"at":"2026-11-03T09:30:02+07:00","kiosk":"k1","session":1,"event":"view","exhibit":"dinh-hang-kenh","lang":"vi"}
{"at":"2026-11-03T09:31:00+07:00","kiosk":"k1","session":1,"event":"hotspot","exhibit":"dinh-hang-kenh","hotspot":"long-dinh"}
{"at":"2026-11-03T09:33:00+07:00","kiosk":"k1","session":1,"event":"view-end","exhibit":"dinh-hang-kenh","seconds":178}
{"at":"2026-11-03T09:33:00+07:00","kiosk":"k1","session":1,"event":"session-end","seconds":180}
{"at":"2026-11-20T14:00:00+07:00","kiosk":"k1","session":2,"event":"session-start","lang":"en"}
{"at":"2026-11-20T14:00:03+07:00","kiosk":"k1","session":2,"event":"view","exhibit":"trong-dong","lang":"en"}
{"at":"2026-11-20T14:00:05+07:00","kiosk":"k1","session":2,"event":"tour-start","exhibit":"trong-dong","tour":"main"}
{"at":"2026-11-20T14:04:00+07:00","kiosk":"k1","session":2,"event":"tour-complete","exhibit":"trong-dong","tour":"main"}
{"at":"2026-11-20T14:04:00+07:00","kiosk":"k1","session":2,"event":"view-end","exhibit":"trong-dong","seconds":237}
{"at":"2026-11-20T14:04:00+07:00","kiosk":"k1","session":2,"event":"session-end","seconds":240}
{"at":"2026-11-20T14:05:00+07:00","kiosk":"k1","sess"#;

/// The report's line for the whole period: 2 sessions, 420 s, 2 views of 415 s, 1 hotspot,
/// 1 tour started and completed, 1 visit in English and 1 in Vietnamese.
const REPORT_TOTAL_LINE: &str = "total,*,2,420,2,415,1,1,1,1,1";
