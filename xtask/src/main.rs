//! `cargo xtask …`: the project's commands, and the installer of what a fresh Debian machine lacks.
//!
//!   run [ARGS]   install what is missing, build, open the viewer on the bundled exhibits
//!                (with no display: render the default view to target/disan-home.png instead)
//!   test         install what is missing, run every test of the workspace, the browser tests,
//!                and the Windows build's checks under Wine
//!   samples      regenerate the sample exhibits' models from code, through `disan pack`
//!                (`samples scans`: only the document scans; `samples video`: only the
//!                festival's stand-in recording)
//!   bench        time to the first frame with the model, disan against a bare Bevy glTF load;
//!                spatial audio mixing cost, against rodio's spatial source
//!   bench xr     the engine's CPU time per frame in the headset (Monado) against the desktop
//!   bench pack   `disan pack` against gltfpack on a 2M-triangle scan: time, memory, bytes, error
//!   bench gpu-textures  the native viewer on that scan's high level: its BC7 copy against JPEG
//!   bench web    wasm size; time and bytes to the first frame in Chromium, against three.js
//!                and <model-viewer> showing the same GLB
//!   bench web-scan  a packed 2M-triangle scan at 10 Mbit/s in Chromium, against <model-viewer>
//!   bench pointcloud  a 20M-point survey: pack time and memory, frames per second and memory
//!   bench video  CPU per second of native 1080p playback, against the same exhibit paused
//!                at a 2M-point budget
//!   web [--no-opt]  build the browser viewer into web/dist (wasm, page, exhibits, posters)
//!   windows [--test]  build disan.exe for Windows (release) and pack the zip a museum unpacks;
//!                --test: run what can run under Wine (validate, report, the kiosk's crate)
//!   serve [--port N] serve web/dist on localhost (default port 8080)
//!   refs         re-render the reference images of the render tests (review them before committing)

mod bench_gpu_textures;
mod bench_pack;
mod bench_pointcloud;
mod bench_video;
mod bench_web_scan;
mod beside;
mod samples;
mod setup;
mod web;
mod windows;

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::time::Instant;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("run") => run(&args[1..]),
        Some("test") => test(&args[1..]),
        // `samples scans`: only the document scans (no models, no network).
        Some("samples") if args.get(1).map(String::as_str) == Some("scans") => {
            samples::generate_scans(&root().join("exhibits")).map(|written| {
                written
                    .iter()
                    .for_each(|p| println!("wrote {}", p.display()));
            })
        }
        // `samples video`: only the festival's stand-in recording (needs ffmpeg).
        Some("samples") if args.get(1).map(String::as_str) == Some("video") => {
            samples::generate_video(&root().join("exhibits")).map(|written| {
                written
                    .iter()
                    .for_each(|p| println!("wrote {}", p.display()));
            })
        }
        Some("samples") => samples::generate(&root().join("exhibits")).map(|written| {
            written
                .iter()
                .for_each(|p| println!("wrote {}", p.display()));
        }),
        Some("bench") => match args.get(1).map(String::as_str) {
            Some("xr") => bench_xr(),
            Some("web") => web::bench(),
            Some("pack") => bench_pack::run(),
            Some("gpu-textures") => bench_gpu_textures::run(),
            Some("web-scan") => bench_web_scan::run(),
            Some("pointcloud") => bench_pointcloud::run(),
            Some("video") => bench_video::run(),
            _ => bench(),
        },
        Some("refs") => refs(),
        Some("web") => web::build(
            &web::WebBuild {
                optimise: !args.iter().any(|a| a == "--no-opt"),
            },
            None,
        ),
        Some("serve") => serve(&args[1..]),
        Some("windows") => windows::run(&args[1..]),
        _ => {
            eprintln!(
                "usage: cargo xtask run [ARGS] | test | samples | bench [pack|gpu-textures|pointcloud|video|web|web-scan|xr] | refs | web [--no-opt] | serve [--port N]"
            );
            return ExitCode::from(64);
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("xtask: {e}");
            ExitCode::FAILURE
        }
    }
}

/// The repository root. Taken from what `cargo run` sets for this run, not from the path compiled
/// in: one target directory serves several checkouts (CI's clean clone and the working tree), and
/// a build made in one is fresh for the other, so a compiled-in path can name the wrong checkout.
pub fn root() -> PathBuf {
    let manifest_dir = std::env::var_os("CARGO_MANIFEST_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")));
    manifest_dir
        .parent()
        .expect("xtask is in the workspace")
        .to_owned()
}

/// `cargo` with the project's build environment: the shared target directory and, when
/// present, the fast linker.
pub fn cargo(args: &[&str]) -> Command {
    let mut cmd = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
    cmd.args(args).current_dir(root());
    setup::build_env(&mut cmd);
    cmd
}

fn status(mut cmd: Command) -> Result<(), String> {
    let shown = format!("{cmd:?}");
    let s = cmd
        .status()
        .map_err(|e| format!("could not start {shown}: {e}"))?;
    if s.success() {
        Ok(())
    } else {
        Err(format!("{shown} failed ({s})"))
    }
}

fn target_dir() -> PathBuf {
    setup::target_dir()
}

fn disan_binary() -> PathBuf {
    target_dir().join("debug/disan")
}

fn run(extra: &[String]) -> Result<(), String> {
    setup::ensure_system_packages(setup::RUN_PACKAGES)?;
    status(cargo(&["build", "-p", "disan"]))?;
    let has_display = ["DISPLAY", "WAYLAND_DISPLAY"]
        .iter()
        .any(|v| std::env::var_os(v).is_some_and(|d| !d.is_empty()));
    let mut cmd = Command::new(disan_binary());
    cmd.current_dir(root());
    if has_display {
        cmd.args(extra);
    } else {
        let out = target_dir().join("disan-home.png");
        println!(
            "No display here (DISPLAY and WAYLAND_DISPLAY are unset), so the viewer cannot open a window.\n\
             Rendering the default view of the first bundled exhibit to {} instead (the viewer starts its own Xvfb).",
            out.display()
        );
        cmd.args([
            "shot",
            "exhibits/dinh-hang-kenh",
            "--view",
            "home",
            "--size",
            "1280x720",
            "--out",
        ])
        .arg(&out);
        status(cmd)?;
        println!(
            "Open {} to see it. On a machine with a display, `cargo xtask run` opens the viewer.",
            out.display()
        );
        return Ok(());
    }
    status(cmd)
}

fn test(extra: &[String]) -> Result<(), String> {
    let started = Instant::now();
    let mut phases = Phases::start();
    // Everything installed first: apt and rustup take one lock each, and the builds beside the
    // tests need their packages and targets.
    setup::ensure_system_packages(&setup::test_packages())?;
    setup::ensure_system_packages(web::WEB_PACKAGES)?;
    web::ensure_wasm_target()?;
    let windows = windows::prepare_test_phase()?;
    let xr_root = setup::ensure_xr_root()?;
    // Before the Rust tests: `disan pack`'s tests run the Khronos glTF validator from npm.
    web::ensure_npm_packages()?;
    phases.done("setup");

    // The browser engines are tested without LTO and wasm-opt: both only make the same engines
    // smaller (docs/embedding.md), and on the 2-core builder wasm-opt under Node.js took 12 of
    // CI's 90 minutes, LTO 5 minutes per engine. `cargo xtask web` does both for what is published.
    let web_build = web::WebBuild { optimise: false };
    // What the tests need only later builds beside them, on the CPU time they leave: the browser
    // build's tools and its two engines first (the browser tests need them), then the build for
    // Windows, another full build of Bevy (the last phase needs it), unoptimised: Wine runs its
    // command line here, not its renderer (Cargo.toml, profile `windows-test`).
    let windows_build = windows::WindowsBuild::Test;
    let mut steps = vec![beside::Step {
        name: web::BINDGEN_BESIDE,
        commands: web::wasm_bindgen_install()?.into_iter().collect(),
    }];
    steps.push(beside::Step {
        name: web::ENGINES_BESIDE,
        commands: web::engines_build_commands(&web_build),
    });
    if windows {
        steps.push(beside::Step {
            name: windows::BESIDE,
            commands: windows::build_commands(windows_build, true),
        });
    }
    let mut beside = beside::Beside::start(steps);

    let mut build = cargo(&["test", "--workspace", "--no-run"]);
    build.args(extra);
    status(build)?;
    phases.done("native build");
    let mut args = vec!["test", "--workspace"];
    args.extend(extra.iter().map(String::as_str));
    let mut cmd = cargo(&args);
    cmd.env("DISAN_XR_ROOT", &xr_root);
    status(cmd)?;
    phases.done("native tests");
    // The browser build, then the browser tests against it.
    web::build(&web_build, Some(&mut beside))?;
    phases.done("browser build");
    web::browser_tests()?;
    phases.done("browser tests");
    // Last: the Windows build's checks under Wine (beside the Linux build the tests just made,
    // for the report's equality).
    if windows {
        beside.wait(windows::BESIDE)?;
        phases.done("waiting for the Windows build");
        windows::test_phase(windows_build)?;
        phases.done("Windows checks");
    }
    println!("xtask test: {}", phases.summary());
    println!("xtask test: {:.0} s", started.elapsed().as_secs_f64());
    Ok(())
}

/// How long each phase of `cargo xtask test` took, for the log and the issue notes.
struct Phases {
    last: Instant,
    took: Vec<(&'static str, f64)>,
}

impl Phases {
    fn start() -> Phases {
        Phases {
            last: Instant::now(),
            took: Vec::new(),
        }
    }

    fn done(&mut self, phase: &'static str) {
        let now = Instant::now();
        let since = (now - self.last).as_secs_f64();
        self.took.push((phase, since));
        self.last = now;
        println!("xtask test: {phase} took {since:.0} s");
    }

    fn summary(&self) -> String {
        self.took
            .iter()
            .map(|(p, s)| format!("{p} {:.1} min", s / 60.0))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

fn serve(args: &[String]) -> Result<(), String> {
    let port = match args {
        [flag, n] if flag == "--port" => n
            .parse()
            .map_err(|_| format!("--port needs a number, not {n}"))?,
        [] => 8080,
        _ => return Err("usage: cargo xtask serve [--port N]".into()),
    };
    if !web::dist().join("pkg/build.json").is_file() {
        web::build(&web::WebBuild { optimise: true }, None)?;
    }
    web::serve(web::listen(port)?, &web::dist());
    Ok(())
}

/// Re-renders the reference images the render tests compare against.
fn refs() -> Result<(), String> {
    setup::ensure_system_packages(&setup::test_packages())?;
    status(cargo(&["build", "-p", "disan"]))?;
    let dir = root().join("tests/reference");
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    for (exhibit, view, lang, size) in render_cases() {
        let out = dir.join(reference_name(exhibit, view, lang, size));
        let mut cmd = Command::new(disan_binary());
        cmd.current_dir(root())
            .args([
                "shot",
                &format!("exhibits/{exhibit}"),
                "--view",
                view,
                "--lang",
                lang,
                "--size",
                size,
                "--out",
            ])
            .arg(&out);
        status(cmd)?;
        println!("wrote {}", out.display());
    }
    Ok(())
}

/// The views the render tests draw (exhibit, view, language, size); kept in step with
/// engine/app/tests/render.rs, which names the references the same way.
fn render_cases() -> Vec<(&'static str, &'static str, &'static str, &'static str)> {
    let text = std::fs::read_to_string(root().join("tests/render-cases.txt")).unwrap_or_default();
    text.lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .filter_map(|l| {
            let mut parts = l.split_whitespace();
            Some((
                leak(parts.next()?),
                leak(parts.next()?),
                leak(parts.next()?),
                leak(parts.next().unwrap_or("640x360")),
            ))
        })
        .collect()
}

/// `exhibit--view--lang.png`, with `--WxH` before `.png` for sizes other than 640x360.
fn reference_name(exhibit: &str, view: &str, lang: &str, size: &str) -> String {
    let size = if size == "640x360" {
        String::new()
    } else {
        format!("--{size}")
    };
    format!("{exhibit}--{}--{lang}{size}.png", view.replace(':', "_"))
}

/// Runs `cmd` under its own Xvfb when there is no display, the same way for every contender
/// (`DISAN_UNDER_XVFB` stops `disan shot` from starting a second server).
fn under_display(cmd: Command) -> Command {
    let has_display = ["DISPLAY", "WAYLAND_DISPLAY"]
        .iter()
        .any(|v| std::env::var_os(v).is_some_and(|d| !d.is_empty()));
    if has_display {
        return cmd;
    }
    let mut xvfb = Command::new("xvfb-run");
    xvfb.args(["-a", "-s", "-screen 0 1344x784x24"])
        .env("DISAN_UNDER_XVFB", "1");
    run_under(xvfb, &cmd)
}

/// `cmd` run by `runner` (a wrapper such as `xvfb-run` or `chrt`, with its own arguments): the
/// command's program and arguments follow the runner's, and its environment and folder go with
/// it.
pub fn run_under(mut runner: Command, cmd: &Command) -> Command {
    runner.arg(cmd.get_program()).args(cmd.get_args());
    for (key, value) in cmd.get_envs() {
        match value {
            Some(v) => runner.env(key, v),
            None => runner.env_remove(key),
        };
    }
    if let Some(dir) = cmd.get_current_dir() {
        runner.current_dir(dir);
    }
    runner
}

fn leak(s: &str) -> &'static str {
    Box::leak(s.to_owned().into_boxed_str())
}

/// The engine's own CPU time per frame (see engine/engine/src/frame_cost.rs) for the same
/// exhibit in a Monado session and in the desktop window, both inside the OpenXR test root (same
/// libraries, lavapipe), interleaved, 3 runs of 240 frames each.
fn bench_xr() -> Result<(), String> {
    setup::ensure_system_packages(&setup::test_packages())?;
    let xr_root = setup::ensure_xr_root()?;
    status(cargo(&["build", "-p", "disan"]))?;
    let script = root().join("tests/xr/run-in-monado.sh");
    let exhibit = "/mnt/repo/exhibits/dinh-hang-kenh";
    let mut results: [Vec<(f64, f64)>; 2] = Default::default();
    for run in 0..3 {
        for (i, xr) in [true, false].into_iter().enumerate() {
            let mut cmd = Command::new("unshare");
            cmd.args(["-m", "sh"])
                .arg(&script)
                .arg(&xr_root)
                .arg(root())
                .arg(disan_binary())
                .arg(exhibit);
            if xr {
                cmd.arg("--xr");
            }
            cmd.args(["--size", "1280x720"])
                .env("DISAN_FRAME_COST", "240");
            let out = cmd.output().map_err(|e| e.to_string())?;
            let log = String::from_utf8_lossy(&out.stdout).into_owned()
                + &String::from_utf8_lossy(&out.stderr);
            let line = log
                .lines()
                .find(|l| l.contains("frame-cost-ms"))
                .ok_or_else(|| format!("run {run}: no frame cost in the log:\n{log}"))?;
            let field = |key: &str| {
                line.split(key)
                    .nth(1)
                    .and_then(|s| s.split_whitespace().next()?.parse::<f64>().ok())
            };
            let (Some(median), Some(p99)) = (field("median="), field("p99=")) else {
                return Err(format!("unreadable: {line}"));
            };
            println!(
                "run {run} {}: median {median:.3} ms, p99 {p99:.3} ms",
                if xr { "headset" } else { "desktop" }
            );
            results[i].push((median, p99));
        }
    }
    println!(
        "engine CPU time per frame (Update schedule), dinh-hang-kenh, 240 frames x 3 runs, lavapipe:"
    );
    for (i, name) in [
        "headset (Monado, null compositor)",
        "desktop window (1280x720)",
    ]
    .iter()
    .enumerate()
    {
        let mut medians: Vec<f64> = results[i].iter().map(|r| r.0).collect();
        let mut p99s: Vec<f64> = results[i].iter().map(|r| r.1).collect();
        medians.sort_by(f64::total_cmp);
        p99s.sort_by(f64::total_cmp);
        println!(
            "  {name}: median of medians {:.3} ms (runs {:?}), median p99 {:.3} ms",
            medians[1], medians, p99s[1]
        );
    }
    Ok(())
}

/// Startup benchmark: process start to the first complete frame with the model, 5 runs each of
/// `disan shot` and of the bare Bevy glTF example on the same GLB, in the same session.
fn bench() -> Result<(), String> {
    setup::ensure_system_packages(&setup::test_packages())?;
    status(cargo(&["build", "-p", "disan", "--example", "bare_gltf"]))?;
    // Bare Bevy reads the plain model the sample's levels were packed from.
    let glb = samples::write_source("dinh-hang-kenh")?;
    let bare = target_dir().join("debug/examples/bare_gltf");
    let out = target_dir().join("bench-shot.png");
    let disan = |out: &Path| {
        let mut c = Command::new(disan_binary());
        c.args([
            "shot",
            "exhibits/dinh-hang-kenh",
            "--view",
            "home",
            "--size",
            "1280x720",
            "--no-ui",
            "--out",
        ])
        .arg(out);
        c
    };
    let bare_cmd = |tuned: bool| {
        let mut c = Command::new(&bare);
        c.arg(&glb);
        if tuned {
            c.arg("--all-cores-compile");
        }
        c
    };
    let names = ["disan shot", "bare bevy gltf", "bare, disan's pool"];
    let mut times: [Vec<u64>; 3] = Default::default();
    let mut mems: [Vec<u64>; 3] = Default::default();
    // Interleaved, so drift in the machine's load touches every contender alike.
    for _ in 0..5 {
        for (i, cmd) in [disan(&out), bare_cmd(false), bare_cmd(true)]
            .into_iter()
            .enumerate()
        {
            let mut cmd = under_display(cmd);
            cmd.current_dir(root());
            let output = cmd.output().map_err(|e| e.to_string())?;
            let log = String::from_utf8_lossy(&output.stdout).into_owned()
                + &String::from_utf8_lossy(&output.stderr);
            let field = |key: &str| {
                log.split(key).nth(1).and_then(|s| {
                    s.split(|c: char| !c.is_ascii_digit())
                        .next()?
                        .parse::<u64>()
                        .ok()
                })
            };
            let (Some(ms), Some(kb)) = (field("first-model-frame-ms="), field("peak-rss-kb="))
            else {
                return Err(format!("{}: no timing in its log:\n{log}", names[i]));
            };
            times[i].push(ms);
            mems[i].push(kb);
        }
    }
    println!(
        "process start to first complete frame with the model, {}, 1280x720, 5 runs each:",
        glb.display()
    );
    for i in 0..3 {
        times[i].sort_unstable();
        mems[i].sort_unstable();
        println!(
            "{:20} min {} / median {} / max {} ms; peak RSS min {} / median {} / max {} MiB",
            names[i],
            times[i][0],
            times[i][2],
            times[i][4],
            mems[i][0] / 1024,
            mems[i][2] / 1024,
            mems[i][4] / 1024
        );
    }
    for i in 1..3 {
        println!(
            "ratio disan / {}: time {:.2}x, memory {:.2}x",
            names[i],
            times[0][2] as f64 / times[i][2] as f64,
            mems[0][2] as f64 / mems[i][2] as f64
        );
    }
    // Spatial audio mixing, against rodio's own spatial source (optimised build: it is DSP).
    status(cargo(&[
        "run",
        "--release",
        "-q",
        "-p",
        "disan-audio",
        "--example",
        "mix_bench",
    ]))
}
