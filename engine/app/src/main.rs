//! `disan`: the exhibit viewer, the package validator and the headless shot renderer.

//!
//! Built for wasm32 it is the browser viewer instead: `web::run` takes its settings from the
//! page (see web/ and docs/embedding.md) and there is no command line.

#![cfg_attr(target_family = "wasm", allow(dead_code, unused_imports))]

use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[cfg(not(target_family = "wasm"))]
mod catalog;
mod cli;
#[cfg(not(target_family = "wasm"))]
mod coords;
#[cfg(not(target_family = "wasm"))]
mod integrity;
#[cfg(not(target_family = "wasm"))]
mod kiosk;
#[cfg(not(target_family = "wasm"))]
mod pack;
#[cfg(not(target_family = "wasm"))]
mod usage_collect;
#[cfg(not(target_family = "wasm"))]
mod validate;
#[cfg(target_family = "wasm")]
mod web;
#[cfg(not(target_family = "wasm"))]
mod xr;

use cli::{Command, ViewArgs};

#[cfg(target_family = "wasm")]
fn main() {
    web::run();
}

#[cfg(not(target_family = "wasm"))]
fn main() -> ExitCode {
    let _ = disan_engine::first_frame::PROCESS_START.set(std::time::Instant::now());
    let args: Vec<String> = std::env::args().skip(1).collect();
    match cli::parse(&args) {
        Ok(Command::Help) => {
            println!("{}", cli::USAGE);
            ExitCode::SUCCESS
        }
        Ok(Command::Version) => {
            println!("disan {}", env!("CARGO_PKG_VERSION"));
            ExitCode::SUCCESS
        }
        Ok(Command::Validate {
            paths,
            lang,
            exhibits,
        }) => validate::run(&paths, validate::lang(lang.as_deref()), exhibits.as_deref()),
        Ok(Command::Pack(args)) => pack::run(args),
        Ok(Command::Kiosk(args)) => kiosk::run(args),
        Ok(Command::HashPin) => kiosk::hash_pin(),
        Ok(Command::Report(args)) => kiosk::report(args),
        Ok(Command::Watchdog(args)) => kiosk::watchdog(args),
        Ok(Command::UsageCollect(args)) => usage_collect::run(args),
        Ok(Command::Coords(args)) => coords::run(args),
        Ok(Command::Catalog(args)) => catalog::run(args),
        Ok(Command::Integrity(args)) => integrity::run(args),
        Ok(Command::View(view)) => run_viewer(view, None),
        Err(message) => {
            eprintln!("disan: {message}\n\n{}", cli::USAGE);
            ExitCode::from(64)
        }
    }
}

/// The log filter: wgpu and naga are loud about things that are not the visitor's problem.
pub(crate) const LOG_FILTER: &str = "info,wgpu=error,wgpu_hal::gles=off,naga=warn,bevy_render=warn,bevy_winit=warn,bevy_audio=warn,offset_allocator=warn";

/// Where the engine's own assets (fonts, ...) are: `DISAN_ASSETS`, else an `assets/` folder
/// next to the binary or in `../share/disan/`, else the source tree's (for `cargo run`).
fn find_assets() -> PathBuf {
    find_data_dir("DISAN_ASSETS", "assets", "fonts/NotoSans-Regular.ttf")
}

/// The bundled exhibits, found the same way (`DISAN_EXHIBITS`, `exhibits/`).
fn find_bundled_exhibits() -> PathBuf {
    find_data_dir("DISAN_EXHIBITS", "exhibits", "")
}

fn find_data_dir(env: &str, name: &str, probe: &str) -> PathBuf {
    if let Some(dir) = std::env::var_os(env) {
        return PathBuf::from(dir);
    }
    let exe_dir = std::env::current_exe()
        .ok()
        .and_then(|e| e.parent().map(Path::to_owned));
    let mut candidates = Vec::new();
    if let Some(dir) = &exe_dir {
        candidates.push(dir.join(name));
        candidates.push(dir.join("../share/disan").join(name));
        candidates.extend(dir.ancestors().map(|a| a.join(name)));
    }
    if let Ok(cwd) = std::env::current_dir() {
        candidates.extend(cwd.ancestors().map(|a| a.join(name)));
    }
    // The source tree, for binaries built by cargo into a shared target directory.
    candidates.push(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../..")
            .join(name),
    );
    candidates
        .into_iter()
        .find(|c| c.join(probe).exists() && c.is_dir())
        .map(|c| std::path::absolute(&c).unwrap_or(c))
        .unwrap_or_else(|| PathBuf::from(name))
}

fn has_display() -> bool {
    std::env::var_os("DISPLAY").is_some_and(|d| !d.is_empty())
        || std::env::var_os("WAYLAND_DISPLAY").is_some_and(|d| !d.is_empty())
}

/// With no display (a server, CI, a container), `shot` runs itself under a private Xvfb server.
fn rerun_under_xvfb(view: &ViewArgs) -> Option<ExitCode> {
    if cfg!(not(target_os = "linux"))
        || has_display()
        || std::env::var_os("DISAN_UNDER_XVFB").is_some()
    {
        return None;
    }
    let (w, h) = view.size.unwrap_or((1280, 720));
    let exe = std::env::current_exe().ok()?;
    // xvfb-run replaces the command's exit status with its own when its clean-up fails (status 5,
    // seen when the viewer exits within a few frames of Xvfb starting), so the viewer writes its
    // status to a file as well, and that is what counts.
    let status_file = std::env::temp_dir().join(format!("disan-exit-{}", std::process::id()));
    let _ = std::fs::remove_file(&status_file);
    let status = std::process::Command::new("xvfb-run")
        .args(["-a", "-s", &format!("-screen 0 {}x{}x24", w + 64, h + 64)])
        .arg(exe)
        .args(std::env::args().skip(1))
        .env("DISAN_UNDER_XVFB", "1")
        .env("DISAN_EXIT_STATUS_FILE", &status_file)
        .status();
    let reported = std::fs::read_to_string(&status_file)
        .ok()
        .and_then(|s| s.trim().parse::<u8>().ok());
    let _ = std::fs::remove_file(&status_file);
    Some(match status {
        Ok(s) => ExitCode::from(reported.unwrap_or(s.code().unwrap_or(1).clamp(0, 255) as u8)),
        Err(e) => {
            eprintln!(
                "disan: there is no display and Xvfb could not be started ({e}). Install it (Debian: `apt-get install xvfb xauth`) or run with a display."
            );
            ExitCode::from(69)
        }
    })
}

/// The exhibits a lesson's steps open.
#[cfg(not(target_family = "wasm"))]
fn config_lesson_exhibits(lesson: &Option<disan_engine::lesson::LessonSetup>) -> Vec<String> {
    lesson
        .iter()
        .flat_map(|l| l.lesson.steps.iter().map(|s| s.exhibit.clone()))
        .collect()
}

#[cfg(not(target_family = "wasm"))]
pub(crate) fn run_viewer(
    view: ViewArgs,
    kiosk: Option<disan_engine::kiosk::KioskSetup>,
) -> ExitCode {
    use bevy::prelude::*;
    use bevy::window::{
        CursorOptions, MonitorSelection, PresentMode, WindowMode, WindowResolution,
    };

    let simulated = kiosk.as_ref().is_some_and(|k| k.simulate.is_some());
    // Tests and simulations run where there is no screen.
    let unattended =
        view.shot.is_some() || view.soak.is_some() || view.scan_sweep.is_some() || simulated;
    if unattended && let Some(code) = rerun_under_xvfb(&view) {
        return code;
    }
    if !unattended && !has_display() && cfg!(target_os = "linux") {
        eprintln!(
            "disan: no display found (DISPLAY and WAYLAND_DISPLAY are unset). To see the engine work anyway, render a view to a PNG:\n  disan shot {} --view home --out disan-home.png",
            view.path
                .as_deref()
                .map_or("exhibits/dinh-hang-kenh".into(), |p| p
                    .display()
                    .to_string())
        );
        return ExitCode::from(69);
    }

    let path = view.path.clone().unwrap_or_else(find_bundled_exhibits);
    // A lesson is checked against the catalogue first, as `disan validate` would: a lesson
    // that names an exhibit or a hotspot the catalogue lacks is refused with every problem.
    let lesson = match &view.lesson {
        None => None,
        Some(file) => {
            let catalogue = disan_format::open_catalogue(&path);
            match disan_format::lesson::validate_lesson(file, &catalogue) {
                (Some(lesson), _) => Some(disan_engine::lesson::LessonSetup {
                    lesson,
                    start_step: view.step.clone(),
                }),
                (None, problems) => {
                    for p in problems.into_sorted() {
                        eprintln!("{p}");
                    }
                    eprintln!(
                        "disan: the lesson {} cannot be taught until these are fixed",
                        file.display()
                    );
                    return ExitCode::from(65);
                }
            }
        }
    };
    // The lesson's step decides the first exhibit.
    let start_exhibit = lesson
        .as_ref()
        .and_then(|l| {
            let steps = &l.lesson.steps;
            let step = l
                .start_step
                .as_deref()
                .and_then(|id| steps.iter().find(|s| s.id == id))
                .or(steps.first());
            step.map(|s| s.exhibit.clone())
        })
        .or_else(|| view.exhibit.clone());
    // The catalogue's index, when `disan catalog` wrote one beside the packages: the screen
    // and the library read it rather than every manifest.
    let catalogue_started = bevy::platform::time::Instant::now();
    let index_file = path.join(disan_format::catalog::CATALOG_FILE);
    let index = (kiosk.is_none() && index_file.is_file()).then(|| {
        std::fs::read_to_string(&index_file)
            .map_err(|e| e.to_string())
            .and_then(|text| disan_format::catalog::CatalogIndex::from_json(&text))
            .map_err(|e| format!("{}: {e}", index_file.display()))
    });
    // With an index the viewer offers only what it lists: a lesson's exhibit or `--exhibit`
    // that it lacks would never open, so say so now (a stale index: run `disan catalog`).
    if let Some(Ok(index)) = &index {
        let listed = |id: &str| index.entries.iter().any(|e| e.id == id);
        let mut missing: Vec<String> = config_lesson_exhibits(&lesson)
            .into_iter()
            .chain(view.exhibit.clone())
            .filter(|id| !listed(id))
            .collect();
        missing.sort();
        missing.dedup();
        if !missing.is_empty() {
            eprintln!(
                "disan: {} does not list {}: write it again with `disan catalog {}` so that it names every package",
                index_file.display(),
                missing.join(", "),
                path.display()
            );
            return ExitCode::from(65);
        }
    }
    let shot_of_catalogue = view
        .shot
        .as_ref()
        .is_some_and(|s| disan_engine::shot::is_catalogue_view(&s.view));
    let catalogue = disan_engine::catalogue::CatalogueSetup {
        index,
        open_at_start: view.catalogue || shot_of_catalogue,
        start_on_map: view.map
            || view
                .shot
                .as_ref()
                .is_some_and(|s| s.view == "catalogue-map"),
        tiles: view.tiles.clone(),
        started: Some(catalogue_started),
    };
    let config = disan_engine::ViewerConfig {
        path: path.clone(),
        start_exhibit,
        lesson,
        catalogue,
        lang: view.lang.clone(),
        shot: view.shot.clone(),
        reduce_motion: view.reduce_motion,
        fetch_exhibits: None,
        soak: view.soak,
        scan_sweep: view.scan_sweep.clone(),
        lod: view.lod,
        textures: view.textures,
        point_shading: view.point_shading,
        // The teleport arc lands on the model's floors.
        ray_cast_models: view.xr,
        kiosk: kiosk.clone(),
        trust: std::sync::Arc::new(disan_format::integrity::TrustPolicy {
            require_signature: !view.trust.is_empty(),
            trusted: view.trust.clone(),
        }),
    };
    let (w, h) = view.size.unwrap_or((1280, 720));
    let title = "Disan: Di sản Hải Phòng / Hải Phòng heritage".to_owned();
    let mut window = Window {
        title,
        resolution: WindowResolution::new(w, h).with_scale_factor_override(1.0),
        resizable: view.shot.is_none(),
        present_mode: if unattended {
            PresentMode::AutoNoVsync
        } else {
            PresentMode::AutoVsync
        },
        ..default()
    };
    let mut cursor = CursorOptions::default();
    // A kiosk: full screen without window chrome (unless the configuration asks for a window to
    // try it in), no pointer on a touch screen.
    if let Some(k) = &kiosk {
        window.decorations = false;
        window.resizable = false;
        if view.size.is_none() {
            window.mode = WindowMode::BorderlessFullscreen(MonitorSelection::Primary);
        }
        cursor.visible = !k.config.display.hide_cursor;
    }
    let mut app = App::new();
    disan_engine::register_exhibit_source(&mut app, &path, config.trust.clone());
    let plugins = DefaultPlugins
        .set(WindowPlugin {
            primary_window: Some(window),
            primary_cursor_options: Some(cursor),
            ..default()
        })
        .set(AssetPlugin {
            file_path: find_assets().to_string_lossy().into_owned(),
            ..default()
        })
        .set(TaskPoolPlugin {
            task_pool_options: disan_engine::task_pools_for_fast_startup(),
        })
        .set(disan_engine::render_plugin())
        .set(bevy::log::LogPlugin {
            filter: LOG_FILTER.into(),
            ..default()
        });
    #[cfg(not(target_family = "wasm"))]
    if view.xr {
        // The XR plugins replace Bevy's renderer set-up with one that asks the OpenXR runtime for
        // the GPU; without a runtime they fall back to the desktop window.
        let space = if view.xr_seated {
            openxr::ReferenceSpaceType::LOCAL
        } else {
            openxr::ReferenceSpaceType::STAGE
        };
        app.add_plugins(bevy_mod_openxr::add_xr_plugins(plugins).set(
            bevy_mod_openxr::reference_space::OxrReferenceSpacePlugin {
                default_primary_ref_space: space,
            },
        ))
        .add_plugins(xr::XrViewerPlugin {
            exit_after_frames: view.xr_frames,
            options: xr::XrOptions {
                seated: view.xr_seated,
                smooth_locomotion: view.xr_smooth,
            },
        });
    } else {
        app.add_plugins(plugins);
    }
    app.add_plugins((MeshPickingPlugin, disan_engine::ViewerPlugin { config }));
    let code = match app.run() {
        AppExit::Success => 0,
        AppExit::Error(code) => code.get(),
    };
    // Under our own Xvfb, tell the outer process the real status (see `rerun_under_xvfb`).
    if let Some(path) = std::env::var_os("DISAN_EXIT_STATUS_FILE") {
        let _ = std::fs::write(path, code.to_string());
    }
    ExitCode::from(code)
}
