//! The browser viewer: the same engine, started by the page instead of a command line.
//!
//! The page (web/disan.js) sets `window.disanConfig` to a JSON string before the wasm starts:
//!
//! ```json
//! {"base": "exhibits", "exhibits": ["dinh-hang-kenh"], "start": "dinh-hang-kenh",
//!  "lang": "vi", "reduceMotion": false, "assets": "assets"}
//! ```
//!
//! The page talks to the running viewer through two functions: it calls `disanCommand(json)`
//! (exported here) with an [`EmbedCommand`], and the viewer calls `window.disanEmit(json)` with
//! each [`EmbedEvent`]. Everything else about embedding (the iframe, the custom element,
//! postMessage, allowed origins) is the page's, in JavaScript.

use std::cell::RefCell;
use std::path::PathBuf;

use bevy::asset::AssetMetaCheck;
use bevy::prelude::*;
use disan_engine::embed::{EmbedCommand, EmbedEvent};
use serde::Deserialize;
use wasm_bindgen::prelude::*;

/// The page's settings for this viewer.
#[derive(Deserialize, Debug)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct PageConfig {
    /// The URL the exhibit packages are under (relative to the page, or absolute).
    base: String,
    /// Package folders under `base`: the catalogue.
    exhibits: Vec<String>,
    #[serde(default)]
    start: Option<String>,
    #[serde(default = "vietnamese")]
    lang: String,
    #[serde(default)]
    reduce_motion: bool,
    /// `?lod=`: the level of detail to show after the thumb (see docs/embedding.md).
    #[serde(default)]
    lod: Option<String>,
    /// `?textures=auto|jpeg|bc7|etc2`: which textures levels are fetched with (docs/embedding.md).
    #[serde(default)]
    textures: Option<String>,
    /// `?point-shading=edl|flat`: how point clouds are shaded (docs/embedding.md).
    #[serde(default)]
    point_shading: Option<String>,
    /// Public keys (base64, as in `disan keygen`'s `.pub` files) of which one must have signed
    /// each package; empty: signatures are not required (docs/integrity.md). The page takes
    /// them from its `disan-trusted-keys` meta tag, which only the site that hosts the viewer
    /// sets, never from the address.
    #[serde(default)]
    trusted_keys: Vec<String>,
    /// `?lesson=ID`: the text of a bundled lesson (`lessons/ID.lesson.toml`), fetched by the
    /// page, and `?step=ID`, the step to start at (docs/lessons.md).
    #[serde(default)]
    lesson_text: Option<String>,
    #[serde(default)]
    lesson_step: Option<String>,
    /// `?catalogue`: the catalogue index (`exhibits/catalog.json`) as fetched by the page, and
    /// how the screen starts (docs/catalogue.md).
    #[serde(default)]
    catalog_text: Option<String>,
    #[serde(default)]
    catalogue: bool,
    #[serde(default)]
    catalogue_map: bool,
    /// The map's XYZ tile template (an absolute URL; the page's `disan-map-tiles` meta tag).
    #[serde(default)]
    tiles: Option<String>,
    /// The URL of the engine's own assets (fonts).
    #[serde(default = "assets")]
    assets: String,
}

fn vietnamese() -> String {
    "vi".into()
}

fn assets() -> String {
    "assets".into()
}

thread_local! {
    /// Commands from the page, waiting for the next frame. wasm32 runs one thread: the page's
    /// calls and the app's frames never overlap.
    static INBOX: RefCell<Vec<EmbedCommand>> = const { RefCell::new(Vec::new()) };
}

/// Called by the page with one command as JSON; a command that does not parse is refused with
/// the reason, so the page's developer sees it at once.
#[wasm_bindgen(js_name = disanCommand)]
pub fn command(json: &str) -> Result<(), JsValue> {
    let command: EmbedCommand = serde_json::from_str(json)
        .map_err(|e| JsValue::from_str(&format!("Disan: command {json} refused: {e}")))?;
    INBOX.with_borrow_mut(|inbox| inbox.push(command));
    Ok(())
}

fn page_config() -> Result<PageConfig, String> {
    let window = web_sys::window().ok_or("no window")?;
    let raw = js_sys::Reflect::get(&window, &JsValue::from_str("disanConfig"))
        .map_err(|_| "window.disanConfig cannot be read")?;
    let json = raw.as_string().ok_or(
        "window.disanConfig is not set to a JSON string: start Disan through web/disan.js",
    )?;
    serde_json::from_str(&json).map_err(|e| format!("window.disanConfig: {e}"))
}

fn emit(event: &EmbedEvent) {
    let Some(window) = web_sys::window() else {
        return;
    };
    let Ok(callback) = js_sys::Reflect::get(&window, &JsValue::from_str("disanEmit")) else {
        return;
    };
    let Some(callback) = callback.dyn_ref::<js_sys::Function>() else {
        return;
    };
    if let Ok(json) = serde_json::to_string(event) {
        let _ = callback.call1(&JsValue::NULL, &JsValue::from_str(&json));
    }
}

pub fn run() {
    // From the engine's start with the page's settings (the index among them) to the catalogue
    // on screen: the catalogue's own share of the start-up, logged once.
    let catalogue_started = bevy::platform::time::Instant::now();
    let config = match page_config() {
        Ok(c) => c,
        Err(e) => {
            web_sys::console::error_1(&JsValue::from_str(&format!("Disan cannot start: {e}")));
            return;
        }
    };
    let base = PathBuf::from(config.base.trim_end_matches('/'));
    let mut trust = disan_format::integrity::TrustPolicy::default();
    for key in &config.trusted_keys {
        let line = format!("disan-ed25519-public-key {key}");
        match disan_format::integrity::parse_public_key(&line) {
            Ok(k) => trust.trusted.push(k),
            Err(e) => {
                // Refusing to start is safer than opening unsigned packages on a portal that
                // asked for signatures: the page shows the console's reason.
                web_sys::console::error_1(&JsValue::from_str(&format!(
                    "Disan cannot start: disan-trusted-keys: \"{key}\": {e}"
                )));
                return;
            }
        }
    }
    trust.require_signature = !trust.trusted.is_empty();
    // The lesson's references are checked as it runs: the manifests arrive later.
    let lesson = match &config.lesson_text {
        None => None,
        Some(text) => {
            match disan_format::parse::parse_lesson(std::path::Path::new("lesson.toml"), text, None)
            {
                (Some(lesson), _) => Some(disan_engine::lesson::LessonSetup {
                    lesson,
                    start_step: config.lesson_step.clone(),
                }),
                (None, problems) => {
                    let lines: Vec<String> = problems
                        .into_sorted()
                        .iter()
                        .map(ToString::to_string)
                        .collect();
                    web_sys::console::error_1(&JsValue::from_str(&format!(
                        "Disan cannot start: the lesson has errors:\n{}",
                        lines.join("\n")
                    )));
                    return;
                }
            }
        }
    };
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
        .or(config.start);
    let viewer = disan_engine::ViewerConfig {
        path: base.clone(),
        fetch_exhibits: Some(config.exhibits),
        start_exhibit,
        lang: config.lang,
        shot: None,
        reduce_motion: config.reduce_motion,
        soak: None,
        scan_sweep: None,
        lod: config
            .lod
            .as_deref()
            .and_then(<disan_format::LodQuality as disan_format::Keyword>::parse),
        textures: config
            .textures
            .as_deref()
            .and_then(disan_engine::levels::TextureChoice::parse)
            .unwrap_or_default(),
        point_shading: config
            .point_shading
            .as_deref()
            .and_then(disan_engine::eye_dome::PointShading::parse)
            .unwrap_or_default(),
        ray_cast_models: false,
        trust: std::sync::Arc::new(trust),
        lesson,
        catalogue: disan_engine::catalogue::CatalogueSetup {
            started: Some(catalogue_started),
            index: config.catalog_text.as_deref().map(|text| {
                disan_format::catalog::CatalogIndex::from_json(text)
                    .map_err(|e| format!("{}: {e}", disan_format::catalog::CATALOG_FILE))
            }),
            open_at_start: config.catalogue || config.catalogue_map,
            start_on_map: config.catalogue_map,
            tiles: config.tiles,
        },
    };
    let window = Window {
        title: "Disan: Di sản Hải Phòng / Hải Phòng heritage".into(),
        canvas: Some("#disan-canvas".into()),
        fit_canvas_to_parent: true,
        // The page keeps Tab (focus must be able to leave the canvas) and stops the keys that
        // would scroll it; see web/disan.js.
        prevent_default_event_handling: false,
        ..default()
    };
    let mut app = App::new();
    disan_engine::register_exhibit_source(&mut app, &base, viewer.trust.clone());
    app.add_plugins(
        DefaultPlugins
            .set(WindowPlugin {
                primary_window: Some(window),
                ..default()
            })
            // No .meta files are published: asking for them would log a 404 per file.
            .set(AssetPlugin {
                file_path: config.assets,
                meta_check: AssetMetaCheck::Never,
                ..default()
            })
            .set(disan_engine::render_plugin())
            // The map's tiles are the only http(s) addresses the viewer loads, and they come
            // from the site's own page settings, never from content.
            .set(bevy::asset::io::web::WebAssetPlugin {
                silence_startup_warning: true,
            })
            .set(bevy::log::LogPlugin {
                filter: crate::LOG_FILTER.into(),
                ..default()
            }),
    )
    .add_plugins((
        MeshPickingPlugin,
        disan_engine::ViewerPlugin { config: viewer },
    ))
    .add_systems(PreUpdate, take_page_commands)
    .add_systems(Last, tell_the_page);
    app.run();
}

fn take_page_commands(mut commands: MessageWriter<EmbedCommand>) {
    INBOX.with_borrow_mut(|inbox| commands.write_batch(inbox.drain(..)));
}

fn tell_the_page(mut events: MessageReader<EmbedEvent>) {
    events.read().for_each(emit);
}
