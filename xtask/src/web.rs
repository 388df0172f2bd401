//! The browser build: `cargo xtask web` makes web/dist (page, JS, wasm, exhibits, posters),
//! `cargo xtask serve` serves it on localhost the way a web server should (MIME types, gzip,
//! CORS for sandboxed iframes).

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use crate::beside::Beside;
use crate::{cargo, root, setup, status, target_dir};

/// What the browser build and its tests need from Debian: brotli and gzip for the compressed
/// copies, Node.js (npm's binaryen runs wasm-opt; playwright-core drives the browser), Chromium.
/// Debian's own binaryen (108) is too old: its wasm-opt breaks wasm-bindgen's reference-type
/// tables ("WebAssembly.Table.set(): Argument 1 is invalid"), so npm's binaryen is used.
pub const WEB_PACKAGES: &[&str] = &["brotli", "gzip", "chromium", "nodejs"];

pub fn dist() -> PathBuf {
    root().join("web/dist")
}

pub struct WebBuild {
    /// The published build: the engines with link-time optimisation, then wasm-opt -Oz
    /// (minutes each). Off for the tests and quick local iterations: the same engines
    /// unoptimised, built in half the time, twice as large.
    pub optimise: bool,
}

impl WebBuild {
    /// The published build carries brotli copies for the web servers that send them; the
    /// tests' build only the gzip ones `cargo xtask serve` sends (brotli -q 9 took about 45 s of
    /// CPU over web/dist, 13 s per engine, measured 2026-12-05).
    fn copies(&self) -> Copies {
        if self.optimise {
            Copies::GzipAndBrotli
        } else {
            Copies::Gzip
        }
    }

    /// The cargo profile the engines build in (Cargo.toml): `wasm-release` is published;
    /// `wasm-test` is it at opt-level 0 (but for the decoders) and without LTO.
    fn profile(&self) -> &'static str {
        if self.optimise {
            "wasm-release"
        } else {
            "wasm-test"
        }
    }
}

/// One build of the engine for the browser.
pub struct Renderer {
    /// Its folder in web/dist/pkg/ and its name in pkg/build.json.
    pub name: &'static str,
    pub features: &'static [&'static str],
}

/// The two builds of the engine: WebGL2 for every browser, WebGPU where the browser has it.
/// Bevy fixes its WebGL2 limits at compile time, so each is a wasm of its own, in
/// web/dist/pkg/<name>/; the page picks one (web/shell/disan.js).
///
/// Both build in one profile, one after the other: they differ only in Bevy's rendering crates,
/// `wgpu`, the engine and the app (engine/app/Cargo.toml gives the WebGL2 build the two
/// `web-sys` bindings the WebGPU one needs, so that nothing below them differs), and the
/// second build reuses the first's other 390-odd crates instead of building them again.
pub const RENDERERS: [Renderer; 2] = [
    Renderer {
        name: "webgl2",
        features: &[],
    },
    Renderer {
        name: "webgpu",
        features: &["--features", "webgpu"],
    },
];

/// The name of the step of `cargo xtask test` that builds both engines beside the tests.
pub const ENGINES_BESIDE: &str = "the browser engines";
/// The step that installs wasm-bindgen-cli beside the tests where it is missing.
pub const BINDGEN_BESIDE: &str = "wasm-bindgen-cli";

impl Renderer {
    /// `cargo build` of this engine, then a copy of its wasm under its own name: both engines
    /// are `disan.wasm` in one profile's folder, and the next build overwrites it.
    pub fn build_commands(&self, build: &WebBuild) -> Vec<Command> {
        let mut args = vec![
            "build",
            "--profile",
            build.profile(),
            "--target",
            "wasm32-unknown-unknown",
            "-p",
            "disan",
        ];
        args.extend(self.features);
        let mut keep = Command::new("cp");
        keep.arg("--")
            .arg(wasm_dir(build).join("disan.wasm"))
            .arg(self.wasm(build));
        vec![cargo(&args), keep]
    }

    /// This engine's wasm as cargo built it, before wasm-bindgen.
    fn wasm(&self, build: &WebBuild) -> PathBuf {
        wasm_dir(build).join(format!("disan-{}.wasm", self.name))
    }
}

/// Where cargo puts the browser build.
fn wasm_dir(build: &WebBuild) -> PathBuf {
    target_dir()
        .join("wasm32-unknown-unknown")
        .join(build.profile())
}

/// The commands that build every engine, in order (a step beside `cargo xtask test`).
pub fn engines_build_commands(build: &WebBuild) -> Vec<Command> {
    RENDERERS
        .iter()
        .flat_map(|renderer| renderer.build_commands(build))
        .collect()
}

/// Builds web/dist. With `beside`, the engines and wasm-bindgen-cli come from the builds
/// `cargo xtask test` runs beside its tests (steps [`ENGINES_BESIDE`], [`BINDGEN_BESIDE`]).
pub fn build(opts: &WebBuild, beside: Option<&mut Beside>) -> Result<(), String> {
    setup::ensure_system_packages(WEB_PACKAGES)?;
    ensure_wasm_target()?;
    let dist = dist();
    let pkg = dist.join("pkg");
    let _ = std::fs::remove_dir_all(&pkg);
    match beside {
        Some(beside) => {
            beside.wait(ENGINES_BESIDE)?;
            beside.wait(BINDGEN_BESIDE)?;
        }
        None => {
            for renderer in &RENDERERS {
                let started = Instant::now();
                println!("xtask web: building the {} engine", renderer.name);
                for command in renderer.build_commands(opts) {
                    status(command)?;
                }
                println!(
                    "xtask web: the {} engine built in {:.0} s",
                    renderer.name,
                    started.elapsed().as_secs_f64()
                );
            }
            if let Some(install) = wasm_bindgen_install()? {
                status(install)?;
            }
        }
    }
    for renderer in &RENDERERS {
        let mut bindgen = Command::new("wasm-bindgen");
        bindgen
            // Named `disan` whatever the wasm's file is called (it is named after its engine).
            .args([
                "--target",
                "web",
                "--no-typescript",
                "--out-name",
                "disan",
                "--out-dir",
            ])
            .arg(pkg.join(renderer.name))
            .arg(renderer.wasm(opts));
        status(bindgen)?;
    }
    if opts.optimise {
        ensure_npm_packages()?;
        // wasm-opt under Node.js runs on one thread: the two run side by side.
        println!(
            "xtask web: wasm-opt -Oz on both engines (npm binaryen under Node.js: about 8 minutes here)"
        );
        let mut running = Vec::new();
        for renderer in &RENDERERS {
            let bg = pkg.join(renderer.name).join("disan_bg.wasm");
            let optimised = bg.with_extension("opt.wasm");
            let mut opt = Command::new(root().join("web/node_modules/.bin/wasm-opt"));
            // The features rustc enables for wasm32 by default; binaryen needs them named.
            opt.args(["-Oz", "--strip-debug", "--strip-producers"])
                .args([
                    "--enable-bulk-memory",
                    "--enable-mutable-globals",
                    "--enable-nontrapping-float-to-int",
                ])
                .args([
                    "--enable-sign-ext",
                    "--enable-reference-types",
                    "--enable-multivalue",
                    "-o",
                ])
                .arg(&optimised)
                .arg(&bg);
            running.push((
                bg,
                optimised,
                opt.spawn().map_err(|e| format!("wasm-opt: {e}"))?,
            ));
        }
        // Wait for both before reporting a failure, so none is left running.
        let finished: Vec<_> = running
            .into_iter()
            .map(|(bg, optimised, mut child)| (bg, optimised, child.wait()))
            .collect();
        for (bg, optimised, exit) in finished {
            let exit = exit.map_err(|e| e.to_string())?;
            if !exit.success() {
                return Err(format!("wasm-opt on {} failed ({exit})", bg.display()));
            }
            std::fs::rename(&optimised, &bg).map_err(|e| e.to_string())?;
        }
    }
    let mut sizes = serde_json::Map::new();
    for renderer in &RENDERERS {
        let wasm = pkg.join(renderer.name).join("disan_bg.wasm");
        let bytes = std::fs::metadata(&wasm)
            .map_err(|e| format!("{}: {e}", wasm.display()))?
            .len();
        sizes.insert(
            renderer.name.into(),
            serde_json::json!({ "wasmBytes": bytes }),
        );
    }
    write(
        &pkg.join("build.json"),
        &serde_json::json!({ "renderers": sizes, "optimised": opts.optimise }).to_string(),
    )?;

    copy_dir(&root().join("web/shell"), &dist)?;
    // The meshopt decoder (npm `meshoptimizer`, MIT) for the first look at packed thumbs
    // (web/shell/preview.js), with its licence.
    ensure_npm_packages()?;
    let meshopt = root().join("web/node_modules/meshoptimizer");
    for (from, to) in [
        ("meshopt_decoder.mjs", "meshopt_decoder.mjs"),
        ("LICENSE.md", "meshopt_decoder.LICENSE.md"),
    ] {
        std::fs::copy(meshopt.join(from), dist.join(to))
            .map_err(|e| format!("{}: {e} (run npm ci in web/)", meshopt.join(from).display()))?;
    }
    copy_dir(&root().join("web/demo"), &dist.join("demo"))?;
    // The sample lessons (docs/lessons.md), for viewer.html?lesson=ID.
    copy_dir(&root().join("lessons"), &dist.join("lessons"))?;
    copy_dir(&root().join("assets/fonts"), &dist.join("assets/fonts"))?;
    let exhibits = publish_exhibits(&dist.join("exhibits"))?;
    make_posters(&exhibits, &dist.join("exhibits"))?;
    write_catalogue_index(&dist.join("exhibits"))?;
    compress(&dist, opts.copies())?;
    let mb = |r: &str| sizes[r]["wasmBytes"].as_f64().unwrap_or(0.0) / 1e6;
    println!(
        "xtask web: wrote {} (wasm: WebGL2 {:.1} MB, WebGPU {:.1} MB)",
        dist.display(),
        mb("webgl2"),
        mb("webgpu")
    );
    Ok(())
}

pub fn ensure_wasm_target() -> Result<(), String> {
    let installed = Command::new("rustup")
        .args(["target", "list", "--installed"])
        .output()
        .map_err(|e| format!("rustup: {e}"))?;
    if !String::from_utf8_lossy(&installed.stdout)
        .lines()
        .any(|l| l.trim() == "wasm32-unknown-unknown")
    {
        println!("xtask: installing the Rust target wasm32-unknown-unknown (rustup)");
        status({
            let mut c = Command::new("rustup");
            c.args(["target", "add", "wasm32-unknown-unknown"]);
            c
        })?;
    }
    Ok(())
}

/// wasm-bindgen-cli must be exactly the version of the wasm-bindgen crate in Cargo.lock: the
/// `cargo install` that puts it there, or `None` where it is.
pub fn wasm_bindgen_install() -> Result<Option<Command>, String> {
    let lock = std::fs::read_to_string(root().join("Cargo.lock")).map_err(|e| e.to_string())?;
    let version = lock
        .split("[[package]]")
        .find(|p| p.contains("name = \"wasm-bindgen\"\n"))
        .and_then(|p| {
            p.lines().find_map(|l| {
                l.strip_prefix("version = \"")?
                    .strip_suffix('"')
                    .map(str::to_owned)
            })
        })
        .ok_or("Cargo.lock has no wasm-bindgen")?;
    let have = Command::new("wasm-bindgen")
        .arg("--version")
        .output()
        .ok()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned());
    if have.as_deref() == Some(&format!("wasm-bindgen {version}")) {
        return Ok(None);
    }
    println!(
        "xtask: installing wasm-bindgen-cli {version} (cargo install, a few minutes; found: {})",
        have.as_deref().unwrap_or("none")
    );
    // Not --locked: one of its locked dependencies is missing from the registry. --force: cargo
    // may list it as installed while the binary is gone or another version. Only the binary the
    // build runs (not its test runner), and at opt-level 1: it only rewrites the engine's
    // imports and exports, a few seconds either way, and its build is minutes of a cold test run.
    let mut install = cargo(&[
        "install",
        "--force",
        "wasm-bindgen-cli",
        "--version",
        &version,
        "--bin",
        "wasm-bindgen",
    ]);
    install.env("CARGO_PROFILE_RELEASE_OPT_LEVEL", "1");
    Ok(Some(install))
}

fn write(path: &Path, text: &str) -> Result<(), String> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    }
    std::fs::write(path, text).map_err(|e| format!("{}: {e}", path.display()))
}

fn copy_dir(from: &Path, to: &Path) -> Result<(), String> {
    std::fs::create_dir_all(to).map_err(|e| format!("{}: {e}", to.display()))?;
    for entry in std::fs::read_dir(from).map_err(|e| format!("{}: {e}", from.display()))? {
        let entry = entry.map_err(|e| e.to_string())?;
        let path = entry.path();
        if path.is_dir() {
            copy_dir(&path, &to.join(entry.file_name()))?;
        } else {
            std::fs::copy(&path, to.join(entry.file_name()))
                .map_err(|e| format!("{}: {e}", path.display()))?;
        }
    }
    Ok(())
}

/// Copies every valid sample package and writes the catalogue the page reads
/// (`exhibits/index.json`: ids and titles). Returns the package ids.
fn publish_exhibits(out: &Path) -> Result<Vec<String>, String> {
    let catalogue = disan_format::open_catalogue(&root().join("exhibits"));
    let mut index = Vec::new();
    for entry in &catalogue.entries {
        let package = entry
            .as_ref()
            .map_err(|e| format!("a bundled exhibit is broken:\n{e}"))?;
        let folder = package
            .root
            .file_name()
            .and_then(|n| n.to_str())
            .ok_or("package folder name")?
            .to_owned();
        let dest = out.join(&folder);
        copy_dir(&package.root, &dest)?;
        let m = &package.manifest;
        // Every model's thumb, for the page's first look while the engine downloads
        // (web/shell/preview.js), with the placing and the box the engine frames by; only when
        // every model has both (a look at part of the exhibit would mislead).
        let preview: Option<Vec<serde_json::Value>> = m
            .models
            .iter()
            .map(|model| {
                let thumb = model
                    .lods
                    .iter()
                    .find(|l| l.quality == disan_format::LodQuality::Thumb)?;
                let bounds = model.bounds?;
                Some(serde_json::json!({
                    "src": thumb.src.to_string(),
                    "position": model.position,
                    "rotation_deg": model.rotation_deg,
                    "scale": model.scale,
                    "bounds": [bounds.min, bounds.max],
                }))
            })
            .collect();
        index.push(serde_json::json!({
            "id": folder,
            "title": { "vi": m.title.text("vi"), "en": m.title.text("en") },
            "preview": preview.filter(|p| !p.is_empty()),
        }));
    }
    write(
        &out.join("index.json"),
        &serde_json::to_string_pretty(&serde_json::json!({ "exhibits": index })).unwrap(),
    )?;
    Ok(index
        .iter()
        .map(|e| e["id"].as_str().unwrap_or_default().to_owned())
        .collect())
}

/// `exhibits/catalog.json`, as `disan catalog` writes it, for `viewer.html?catalogue`: the
/// published packages with their posters (docs/catalogue.md).
fn write_catalogue_index(exhibits: &Path) -> Result<(), String> {
    use disan_format::catalog::{CATALOG_FILE, CatalogEntry, CatalogIndex};
    let catalogue = disan_format::open_catalogue(exhibits);
    let mut entries = Vec::new();
    for package in catalogue.entries.iter().filter_map(|e| e.as_ref().ok()) {
        let folder = package
            .root
            .file_name()
            .and_then(|n| n.to_str())
            .ok_or("package folder name")?;
        let size = |f: &str| std::fs::metadata(package.root.join(f)).map_or(0, |m| m.len());
        entries.push(CatalogEntry::from_package(package, folder, size).0);
    }
    let index = CatalogIndex::of_the_city(entries);
    write(&exhibits.join(CATALOG_FILE), &index.to_json())
}

/// A poster per exhibit, drawn by the native viewer (`disan shot --no-ui`), shown while the
/// wasm downloads. Kept between builds unless the package changed.
fn make_posters(ids: &[String], out: &Path) -> Result<(), String> {
    let cache = target_dir().join("web-posters");
    std::fs::create_dir_all(&cache).map_err(|e| e.to_string())?;
    let mut built = false;
    for id in ids {
        let package = root().join("exhibits").join(id);
        let poster = cache.join(format!("{id}.png"));
        let newest_input = newest_mtime(&package);
        let fresh = std::fs::metadata(&poster)
            .and_then(|m| m.modified())
            .is_ok_and(|t| Some(t) >= newest_input);
        if !fresh {
            if !built {
                // Exactly the tests' build (the same targets, so the same features): `-p disan`
                // or a plain `build --workspace` leaves out the dev-dependencies, unifies
                // features differently and builds native Bevy a second time (15 minutes on a
                // fresh 2-core machine). After `cargo xtask test`'s cargo phase this does nothing.
                status(cargo(&["test", "--workspace", "--no-run"]))?;
                built = true;
            }
            let mut shot = Command::new(crate::disan_binary());
            shot.current_dir(root())
                .args(["shot"])
                .arg(&package)
                .args(["--view", "home", "--no-ui", "--size", "640x360", "--out"])
                .arg(&poster);
            status(shot)?;
        }
        std::fs::copy(&poster, out.join(id).join("poster.png")).map_err(|e| e.to_string())?;
    }
    Ok(())
}

fn newest_mtime(dir: &Path) -> Option<std::time::SystemTime> {
    let mut newest = None;
    for entry in std::fs::read_dir(dir).ok()?.flatten() {
        let t = if entry.path().is_dir() {
            newest_mtime(&entry.path())
        } else {
            entry.metadata().ok()?.modified().ok()
        };
        newest = newest.max(t);
    }
    newest
}

/// Which compressed copies [`compress`] writes beside each file.
#[derive(Clone, Copy, PartialEq)]
pub enum Copies {
    /// `.gz`: what `cargo xtask serve` sends a browser that accepts gzip.
    Gzip,
    /// `.gz` and `.br`: what a web server in front of a published build can send.
    GzipAndBrotli,
}

/// Compressed copies of everything that compresses, served when the browser accepts them.
pub fn compress(dir: &Path, copies: Copies) -> Result<(), String> {
    for entry in std::fs::read_dir(dir).map_err(|e| e.to_string())?.flatten() {
        let path = entry.path();
        if path.is_dir() {
            compress(&path, copies)?;
            continue;
        }
        let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
        if ![
            "wasm", "js", "mjs", "html", "css", "json", "glb", "ttf", "toml", "vtt",
        ]
        .contains(&ext)
        {
            continue;
        }
        let mut gz = Command::new("gzip");
        gz.args(["-9", "-k", "-f", "-n"]).arg(&path);
        status(gz)?;
        if copies == Copies::Gzip {
            // A published build's `.br` beside this file would be older than it: a server that
            // sends brotli would hand out the old file.
            let mut stale = path.clone().into_os_string();
            stale.push(".br");
            let _ = std::fs::remove_file(stale);
            continue;
        }
        let mut br = Command::new("brotli");
        br.args(["-q", "9", "-k", "-f"]).arg(&path);
        status(br)?;
    }
    Ok(())
}

/// The browser tests (web/tests, node's test runner with playwright-core and Debian's Chromium)
/// against web/dist, served here on a free port.
pub fn browser_tests() -> Result<(), String> {
    let web = root().join("web");
    ensure_npm_packages()?;
    let listener = listen(0)?;
    let url = format!(
        "http://{}/",
        listener.local_addr().map_err(|e| e.to_string())?
    );
    let dir = dist();
    std::thread::spawn(move || serve(listener, &dir));
    let mut node = Command::new("node");
    node.args(["--test", "--test-concurrency=1", "tests/"])
        .current_dir(&web)
        .env("DISAN_WEB_URL", &url)
        // The native binary `cargo test --workspace` built: the usage test runs its collector.
        .env("DISAN_BINARY", crate::disan_binary());
    status(node)
}

/// web/node_modules from web/package-lock.json: playwright-core (drives Debian's Chromium; it
/// downloads no browser), binaryen (wasm-opt), gltf-validator (Khronos; `disan pack`'s tests)
/// and gltfpack (the pack benchmark's baseline). npm comes with Node.js from NodeSource, and
/// is a package of its own on Debian.
pub fn ensure_npm_packages() -> Result<(), String> {
    let web = root().join("web");
    let stamp = web.join("node_modules/.package-lock.json");
    let modified = |p: &Path| std::fs::metadata(p).and_then(|m| m.modified()).ok();
    if stamp.is_file() && modified(&web.join("package-lock.json")) <= modified(&stamp) {
        return Ok(());
    }
    if Command::new("npm").arg("--version").output().is_err() {
        setup::ensure_system_packages(&["npm"])?;
    }
    println!(
        "xtask: installing npm packages from web/package-lock.json (playwright-core, binaryen, gltf-validator, jsonld, gltfpack, three, model-viewer)"
    );
    let mut npm = Command::new("npm");
    npm.args(["ci", "--no-audit", "--no-fund"])
        .current_dir(&web);
    status(npm)
}

/// The benchmark pages (web/bench) and the baselines they load (three.js, <model-viewer>) in
/// web/dist/bench.
pub fn prepare_bench_pages() -> Result<(), String> {
    let dist = dist();
    ensure_npm_packages()?;
    let modules = root().join("web/node_modules");
    let vendor = dist.join("bench/vendor");
    copy_dir(&root().join("web/bench"), &dist.join("bench"))?;
    copy_dir(&modules.join("three/build"), &vendor.join("three/build"))?;
    for part in ["loaders", "utils"] {
        copy_dir(
            &modules.join("three/examples/jsm").join(part),
            &vendor.join("three/examples/jsm").join(part),
        )?;
    }
    std::fs::create_dir_all(vendor.join("model-viewer")).map_err(|e| e.to_string())?;
    std::fs::copy(
        modules.join("@google/model-viewer/dist/model-viewer.min.js"),
        vendor.join("model-viewer/model-viewer.min.js"),
    )
    .map_err(|e| e.to_string())?;
    Ok(())
}

/// `cargo xtask bench web`: the wasm's size (raw, gzip, brotli), then web/bench/run.mjs: time and
/// bytes to the first frame with the largest sample's GLB in headless Chromium, against
/// three.js and <model-viewer> (npm, copied into web/dist/bench/vendor) in the same run.
pub fn bench() -> Result<(), String> {
    let dist = dist();
    if !std::fs::read_to_string(dist.join("pkg/build.json"))
        .is_ok_and(|b| b.contains("\"optimised\":true"))
    {
        build(&WebBuild { optimise: true }, None)?;
    }
    prepare_bench_pages()?;
    // three.js and <model-viewer> read plain glTF: the model the sample's levels were packed from.
    let source = crate::samples::write_source("dinh-hang-kenh")?;
    std::fs::copy(&source, dist.join("bench/dinh-hang-kenh.glb")).map_err(|e| e.to_string())?;
    compress(&dist.join("bench"), Copies::GzipAndBrotli)?;

    let size = |p: PathBuf| {
        std::fs::metadata(&p)
            .map(|m| m.len() as f64 / 1e6)
            .unwrap_or(f64::NAN)
    };
    for Renderer { name: renderer, .. } in &RENDERERS {
        let wasm = dist.join("pkg").join(renderer).join("disan_bg.wasm");
        println!(
            "{renderer} wasm (after wasm-bindgen and wasm-opt -Oz): {:.2} MB raw, {:.2} MB gzip -9, {:.2} MB brotli -q 9; JS glue {:.3} MB",
            size(wasm.clone()),
            size(wasm.with_extension("wasm.gz")),
            size(wasm.with_extension("wasm.br")),
            size(dist.join("pkg").join(renderer).join("disan.js"))
        );
    }
    let listener = listen(0)?;
    let url = format!(
        "http://{}/",
        listener.local_addr().map_err(|e| e.to_string())?
    );
    std::thread::spawn(move || serve(listener, &dist));
    let mut node = Command::new("node");
    node.arg("bench/run.mjs")
        .current_dir(root().join("web"))
        .env("DISAN_WEB_URL", &url);
    status(node)
}

/// Listens on 127.0.0.1:`port` (0: any free port) and prints the address.
pub fn listen(port: u16) -> Result<TcpListener, String> {
    let listener = TcpListener::bind(("127.0.0.1", port))
        .map_err(|e| format!("cannot listen on port {port}: {e}"))?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    println!(
        "xtask serve: http://{addr}/viewer.html (demo pages: http://{addr}/demo/portal.html, http://{addr}/demo/lesson.html)"
    );
    let _ = std::io::stdout().flush();
    Ok(listener)
}

/// Serves `dir` until the process ends.
pub fn serve(listener: TcpListener, dir: &Path) {
    for stream in listener.incoming().flatten() {
        let dir = dir.to_owned();
        std::thread::spawn(move || {
            let _ = answer(stream, &dir);
        });
    }
}

fn content_type(path: &Path) -> &'static str {
    match path.extension().and_then(|e| e.to_str()).unwrap_or("") {
        "html" => "text/html; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "json" => "application/json",
        "wasm" => "application/wasm",
        "glb" => "model/gltf-binary",
        "gltf" => "model/gltf+json",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "ogg" => "audio/ogg",
        // Videos' and recordings' renditions: Safari plays media only of its declared type.
        "webm" => "video/webm",
        "mp4" => "video/mp4",
        "m4a" => "audio/mp4",
        "ttf" => "font/ttf",
        "toml" => "application/toml; charset=utf-8",
        "vtt" => "text/vtt; charset=utf-8",
        _ => "application/octet-stream",
    }
}

fn answer(mut stream: TcpStream, dir: &Path) -> std::io::Result<()> {
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut request = String::new();
    reader.read_line(&mut request)?;
    let mut gzip_ok = false;
    let mut range: Option<(u64, Option<u64>)> = None;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line)? == 0 || line.trim().is_empty() {
            break;
        }
        let lower = line.to_ascii_lowercase();
        if lower.starts_with("accept-encoding:") && lower.contains("gzip") {
            gzip_ok = true;
        }
        // One byte range, as point clouds ask for their nodes (`bytes=FIRST-LAST`).
        if let Some(spec) = lower.strip_prefix("range:").map(str::trim)
            && let Some((first, last)) = spec.strip_prefix("bytes=").and_then(|r| r.split_once('-'))
            && let Ok(first) = first.trim().parse::<u64>()
        {
            range = Some((first, last.trim().parse::<u64>().ok()));
        }
    }
    let mut parts = request.split_whitespace();
    let method = parts.next().unwrap_or("");
    let target = parts.next().unwrap_or("/");
    let path = target.split(['?', '#']).next().unwrap_or("/");
    let path = percent_decode(path);
    let relative = path.trim_start_matches('/');
    let mut file = dir.join(if relative.is_empty() {
        "viewer.html"
    } else {
        relative
    });
    if file.is_dir() {
        file = file.join("index.html");
    }
    let inside = !relative.split('/').any(|c| c == "..");
    let head = |status: &str, kind: &str, len: usize, extra: &str| {
        format!(
            "HTTP/1.1 {status}\r\nContent-Type: {kind}\r\nContent-Length: {len}\r\nAccess-Control-Allow-Origin: *\r\nCache-Control: no-cache\r\nVary: Accept-Encoding\r\n{extra}Connection: close\r\n\r\n"
        )
    };
    if method != "GET" && method != "HEAD" {
        stream.write_all(head("405 Method Not Allowed", "text/plain", 0, "").as_bytes())?;
        return Ok(());
    }
    if !inside || !file.is_file() {
        let body = format!("{path} is not here");
        stream.write_all(
            head("404 Not Found", "text/plain; charset=utf-8", body.len(), "").as_bytes(),
        )?;
        if method == "GET" {
            stream.write_all(body.as_bytes())?;
        }
        return Ok(());
    }
    if let Some((first, last)) = range {
        // As static servers do: 206 with the bytes asked for, never compressed.
        let body = std::fs::read(&file)?;
        let len = body.len() as u64;
        let last = last
            .unwrap_or(len.saturating_sub(1))
            .min(len.saturating_sub(1));
        if first > last || first >= len {
            let extra = format!("Content-Range: bytes */{len}\r\n");
            stream
                .write_all(head("416 Range Not Satisfiable", "text/plain", 0, &extra).as_bytes())?;
            return Ok(());
        }
        let part = &body[first as usize..=last as usize];
        let extra =
            format!("Content-Range: bytes {first}-{last}/{len}\r\nAccept-Ranges: bytes\r\n");
        stream.write_all(
            head(
                "206 Partial Content",
                content_type(&file),
                part.len(),
                &extra,
            )
            .as_bytes(),
        )?;
        if method == "GET" {
            stream.write_all(part)?;
        }
        return Ok(());
    }
    let gz = PathBuf::from(format!("{}.gz", file.display()));
    let (body_file, encoding) = if gzip_ok && gz.is_file() {
        (gz, "Content-Encoding: gzip\r\n")
    } else {
        (file.clone(), "")
    };
    let body = std::fs::read(&body_file)?;
    stream.write_all(head("200 OK", content_type(&file), body.len(), encoding).as_bytes())?;
    if method == "GET" {
        stream.write_all(&body)?;
    }
    Ok(())
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && i + 2 < bytes.len()
            && let Some(b) = std::str::from_utf8(&bytes[i + 1..i + 3])
                .ok()
                .and_then(|h| u8::from_str_radix(h, 16).ok())
        {
            out.push(b);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A folder of its own under the system's temporary directory, emptied first.
    fn scratch(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("disan-xtask-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("pkg")).unwrap();
        dir
    }

    #[test]
    fn the_tests_build_gets_gzip_copies_and_loses_a_published_builds_older_brotli_ones() {
        let dir = scratch("gzip-only");
        std::fs::write(
            dir.join("pkg/disan.js"),
            "export const built = 2;\n".repeat(50),
        )
        .unwrap();
        std::fs::write(dir.join("pkg/disan.js.br"), b"the brotli copy of build 1").unwrap();
        std::fs::write(dir.join("poster.png"), b"not compressed").unwrap();
        compress(&dir, Copies::Gzip).unwrap();
        assert!(dir.join("pkg/disan.js.gz").is_file(), "no gzip copy");
        assert!(
            !dir.join("pkg/disan.js.br").exists(),
            "the older brotli copy was left"
        );
        assert!(!dir.join("poster.png.gz").exists(), "a PNG was compressed");
        compress(&dir, Copies::GzipAndBrotli).unwrap();
        assert!(
            dir.join("pkg/disan.js.br").is_file(),
            "no brotli copy for a published build"
        );
        let _ = std::fs::remove_dir_all(&dir);
    }
}
