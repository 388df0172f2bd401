//! Document scans (`[[scans]]`): a sắc phong or a map scanned at 600 dpi, tens of thousands of
//! pixels a side, cut by `disan pack --as document` into an IIIF tile pyramid. Two ways to see it:
//!
//! - the **reader**: full screen, drag to move, wheel, pinch or the buttons to zoom, from the whole
//!   sheet down to the scan's own pixels; the regions staff marked (a seal, a date line) are
//!   outlined, and choosing one shows its transcription (Hán-Nôm), reading and translation;
//! - the **panel**: with `[scans.panel]`, the scan lies on its sheet in the 3D scene, and the
//!   closer the visitor comes, the finer the tiles it shows.
//!
//! Both ask for the tiles they need this frame; [`TileCache`] loads those it lacks and frees the
//! least recently needed beyond [`MAX_RESIDENT_TILES`], so memory stays bounded however far the
//! visitor zooms across a 20000×28000 scan. The coarsest tile (the whole sheet) is always kept: it
//! is drawn under the finer ones, so a tile on its way never leaves a hole.

use std::collections::HashMap;

use bevy::asset::io::Reader as AssetReader;
use bevy::asset::{AssetLoader, LoadContext};
use bevy::input::mouse::{AccumulatedMouseMotion, AccumulatedMouseScroll, MouseScrollUnit};
use bevy::input::touch::Touches;
use bevy::math::DVec2;
use bevy::prelude::*;
use disan_format::Scan;
use disan_format::iiif::{ScanRect, TileId, TilePyramid};

use crate::ViewerState;
use crate::i18n::{Language, OfferedLanguages};
use crate::library::{ExhibitLibrary, ExhibitReset};
use crate::policy::ContentNotice;
use crate::theme::{LocalizedLabel, TextStyle, UiFonts, button, label};
use crate::ui::HudTools;

pub(super) fn plugin(app: &mut App) {
    app.init_asset::<ScanInfo>()
        .register_asset_loader(ScanInfoLoader)
        .init_resource::<Scans>()
        .init_resource::<TileCache>()
        .init_resource::<Reader>()
        .add_message::<ScanCommand>()
        .add_systems(ExhibitReset, reset)
        .add_systems(
            OnEnter(ViewerState::Exhibit),
            (load_infos, add_read_button.after(crate::ui::HudSpawned)),
        )
        .add_systems(
            Update,
            (
                track_infos,
                reader_buttons,
                run_commands,
                reader_input,
                glide_reader,
                sweep,
                want_reader_tiles,
                want_panel_tiles,
                load_and_evict,
                note_sharpness,
                draw_reader,
                draw_panels,
                outline_panel_regions,
                show_region_texts,
            )
                .chain()
                .run_if(in_state(ViewerState::Exhibit)),
        );
}

/// The most tiles held at once, over all scans of the exhibit, where the view needs fewer: 64
/// tiles of 512² RGBA are 64 MiB (85 with mipmaps). A 1920×1080 reader needs about 24 at one
/// level, the panel fewer.
pub const MAX_RESIDENT_TILES: usize = 64;

/// Room beyond what the view needs now, for the level above and the next step of a pan.
const SLACK_TILES: usize = 16;

/// The most tiles held at once when `wanted` are needed for this frame's view: never fewer than
/// the view needs (a 4K reader at full sharpness wants over a hundred), so the screen decides,
/// not a number chosen for a smaller one; and memory stays bounded by the screen.
pub fn resident_limit(wanted: usize) -> usize {
    MAX_RESIDENT_TILES.max(wanted + SLACK_TILES)
}

/// A scan's `info.json`, read into its pyramid.
#[derive(Asset, TypePath, Debug)]
pub struct ScanInfo(pub TilePyramid);

#[derive(Default, TypePath)]
struct ScanInfoLoader;

#[derive(Debug, thiserror::Error)]
enum ScanInfoError {
    #[error("cannot be read: {0}")]
    Io(#[from] std::io::Error),
    #[error("{0}")]
    Info(#[from] disan_format::iiif::InfoError),
}

impl AssetLoader for ScanInfoLoader {
    type Asset = ScanInfo;
    type Settings = ();
    type Error = ScanInfoError;

    async fn load(
        &self,
        reader: &mut dyn AssetReader,
        _: &(),
        _: &mut LoadContext<'_>,
    ) -> Result<ScanInfo, ScanInfoError> {
        let mut bytes = Vec::new();
        reader.read_to_end(&mut bytes).await?;
        Ok(ScanInfo(TilePyramid::from_info_json(&bytes)?))
    }

    fn extensions(&self) -> &[&str] {
        &["json"]
    }
}

/// The scans of the exhibit on screen, by id.
#[derive(Resource, Default)]
pub struct Scans {
    entries: Vec<ScanEntry>,
}

struct ScanEntry {
    scan: Scan,
    /// The asset path of the folder holding `info.json`, with a trailing `/`.
    folder: String,
    info: Handle<ScanInfo>,
    /// Once `info.json` has arrived and passed.
    pyramid: Option<TilePyramid>,
    failed: bool,
}

impl Scans {
    fn get(&self, id: &str) -> Option<&ScanEntry> {
        self.entries.iter().find(|e| e.scan.id == id)
    }
    /// Whether every scan's `info.json` has arrived (or been left out).
    pub fn settled(&self) -> bool {
        self.entries.iter().all(|e| e.pyramid.is_some() || e.failed)
    }
}

/// Which tile of which scan.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TileKey {
    pub scan: String,
    pub tile: TileId,
}

struct CachedTile {
    handle: Handle<Image>,
    /// The frame it was last needed in.
    last_wanted: u64,
    failed: bool,
}

/// The tiles in memory, and those the reader and the panels need this frame.
#[derive(Resource, Default)]
pub struct TileCache {
    tiles: HashMap<TileKey, CachedTile>,
    /// What the reader and the panels asked for this frame, most important first.
    wanted: Vec<TileKey>,
    /// The same, to ask whether a tile is wanted without a search.
    wanted_set: std::collections::HashSet<TileKey>,
    frame: u64,
    /// Tiles requested since the exhibit opened (a tile freed and needed again counts twice).
    pub requested_total: usize,
    /// The most tiles held at once since the exhibit opened.
    pub peak_resident: usize,
}

impl TileCache {
    pub fn resident(&self) -> usize {
        self.tiles.len()
    }

    fn want(&mut self, key: TileKey) {
        if self.wanted_set.insert(key.clone()) {
            self.wanted.push(key);
        }
    }

    /// The tile's image if it has arrived.
    fn ready(&self, key: &TileKey, assets: &AssetServer) -> Option<Handle<Image>> {
        let t = self.tiles.get(key)?;
        (!t.failed && assets.is_loaded(&t.handle)).then(|| t.handle.clone())
    }

    /// Whether every tile wanted this frame has arrived or failed.
    pub fn all_wanted_settled(&self, assets: &AssetServer) -> bool {
        self.wanted.iter().all(|k| {
            self.tiles
                .get(k)
                .is_some_and(|t| t.failed || assets.is_loaded(&t.handle))
        })
    }
}

/// The full-screen reader: which scan, where, how close.
#[derive(Resource, Default, Debug, Clone)]
pub struct Reader {
    pub open: Option<ReaderView>,
    /// Every tile the open view wants has arrived (or failed, the coarser level showing there):
    /// what is on screen is as sharp as it will get. A host page waits for this, not for the
    /// reader to open, to know the visitor can read.
    pub sharp: bool,
    /// The region last chosen (scan, region): after the reader closes, the sheet in the scene
    /// keeps it highlighted, so the visitor sees where on the sheet what they read is.
    pub last_region: Option<(String, String)>,
}

impl Reader {
    /// What the host page reads (`state.scan`): the zoom rounded, so a settled view is one state.
    pub fn state(&self) -> Option<ReaderState> {
        self.open.as_ref().map(|v| ReaderState {
            scan: v.scan.clone(),
            region: v.region.clone(),
            zoom: (v.scale * 1000.0).round() / 1000.0,
            sharp: self.sharp,
        })
    }
}

/// The reader as a host page sees it.
#[derive(serde::Serialize, Clone, Debug, PartialEq)]
pub struct ReaderState {
    pub scan: String,
    pub region: Option<String>,
    /// Screen pixels per scan pixel (1: the scan's own resolution).
    pub zoom: f64,
    /// See [`Reader::sharp`].
    pub sharp: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ReaderView {
    pub scan: String,
    /// The scan pixel at the middle of the reader's picture area.
    pub centre: DVec2,
    /// Screen (UI) pixels per scan pixel.
    pub scale: f64,
    /// The region whose texts are shown, by id.
    pub region: Option<String>,
    /// Fit the whole sheet once the scan's size is known.
    pub fit_pending: bool,
    /// A zoom on its way (a button, a key, the wheel, a region, fit): the view glides there
    /// instead of jumping, so the visitor sees where on the sheet they are going.
    pub glide: Option<Glide>,
}

impl ReaderView {
    /// Where the view is going: the glide's end, or where it is.
    fn destination(&self) -> (DVec2, f64) {
        self.glide
            .map_or((self.centre, self.scale), |g| (g.to_centre, g.to_scale))
    }

    /// Glides from where the view is now to (`centre`, `scale`), starting at `now` (seconds).
    fn glide_to(&mut self, centre: DVec2, scale: f64, now: f64) {
        self.glide = Some(Glide::new((self.centre, self.scale), (centre, scale), now));
    }
}

/// The fewest frames a glide is drawn in before it lands: at 3 frames a second a quarter-second
/// glide would otherwise be one jump, no glide at all.
const MIN_GLIDE_FRAMES: f64 = 6.0;

/// A zoom from one view to another, as a zoom about the one scan point that both views show at
/// the same place on screen (for a zoom button that is the middle, for the wheel the pointer):
/// that point stays put while the rest of the sheet flows towards or away from it, as in a
/// camera's zoom. The scale changes evenly in its logarithm, so each doubling takes as long.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Glide {
    from_centre: DVec2,
    from_scale: f64,
    to_centre: DVec2,
    to_scale: f64,
    started: f64,
    duration: f64,
}

impl Glide {
    fn new(from: (DVec2, f64), to: (DVec2, f64), now: f64) -> Glide {
        // A quarter of a second for a step of the buttons, longer for a long way (fit to a
        // region), never so long that the visitor waits for it.
        let doublings = (to.1 / from.1).log2().abs();
        Glide {
            from_centre: from.0,
            from_scale: from.1,
            to_centre: to.0,
            to_scale: to.1,
            started: now,
            duration: (0.2 + 0.08 * doublings).clamp(0.25, 0.6),
        }
    }

    /// The view of a frame drawn at `now`, `dt` seconds after the last one, and whether the
    /// glide has arrived. A glide moves by at most 1 / [`MIN_GLIDE_FRAMES`] of its way a frame:
    /// where frames are slow (a phone, a software renderer) it takes longer rather than jump.
    fn advance(&mut self, now: f64, dt: f64) -> (DVec2, f64, bool) {
        let most = self.duration / MIN_GLIDE_FRAMES;
        if dt > most {
            self.started += dt - most;
        }
        self.at(now)
    }

    /// The view at `now`, and whether the glide has arrived.
    fn at(&self, now: f64) -> (DVec2, f64, bool) {
        let t = ((now - self.started) / self.duration).clamp(0.0, 1.0);
        if t >= 1.0 {
            return (self.to_centre, self.to_scale, true);
        }
        // Ease out: quick to answer the press, gentle to land.
        let e = 1.0 - (1.0 - t).powi(3);
        let scale = (self.from_scale.ln() * (1.0 - e) + self.to_scale.ln() * e).exp();
        // The centre moves with 1 / scale, which keeps the fixed point where it is on screen;
        // a pan at one scale moves evenly.
        let (inv0, inv1) = (1.0 / self.from_scale, 1.0 / self.to_scale);
        let u = if (inv1 - inv0).abs() > 1e-12 * inv0 {
            (1.0 / scale - inv0) / (inv1 - inv0)
        } else {
            e
        };
        let centre = self.from_centre + (self.to_centre - self.from_centre) * u;
        (centre, scale, false)
    }
}

/// What can be asked of the reader (by its buttons, the host page, a shot or a test).
#[derive(Message, Clone, Debug, PartialEq)]
pub enum ScanCommand {
    /// Open the reader on a scan (the first if none), showing a region if one is named.
    Open {
        scan: Option<String>,
        region: Option<String>,
    },
    Close,
    ZoomBy(f64),
    Fit,
    ShowRegion(String),
}

/// The reader's bars and side panel: opaque, because blending is linear and even 3 % of the
/// bright scan under a dark panel shows through its text.
const READER_PANEL: Color = Color::srgb(0.08, 0.07, 0.06);

/// The side panel's width (UI pixels) on a wide screen; on a narrow one it goes to the bottom.
const SIDE_PANEL_WIDTH: f32 = 340.0;
/// The reader's top bar height.
const TOP_BAR: f32 = 64.0;
/// The region outlines' place in the reader's stack: above the tiles, whose ZIndex is how many
/// levels finer than the overview they are (a pyramid has at most 32 levels).
const REGION_OUTLINE_Z: i32 = 64;

/// How far past 1:1 the reader zooms (a scan pixel 4 screen pixels wide).
const MAX_SCALE: f64 = 4.0;

fn reset(mut scans: ResMut<Scans>, mut cache: ResMut<TileCache>, mut reader: ResMut<Reader>) {
    *scans = Scans::default();
    *cache = TileCache::default();
    reader.open = None;
    reader.last_region = None;
}

fn load_infos(library: Res<ExhibitLibrary>, assets: Res<AssetServer>, mut scans: ResMut<Scans>) {
    let Some(package) = library.current_package() else {
        return;
    };
    scans.entries = package
        .manifest
        .scans
        .iter()
        .map(|scan| {
            let path = library.asset_path(package, &scan.src);
            let folder = path
                .rsplit_once('/')
                .map_or_else(String::new, |(d, _)| format!("{d}/"));
            ScanEntry {
                scan: scan.clone(),
                folder,
                info: assets.load(path),
                pyramid: None,
                failed: false,
            }
        })
        .collect();
}

/// Takes each `info.json` as it arrives; one that fails leaves its scan out with a notice, and
/// so does a region that lies off the scan.
fn track_infos(
    assets: Res<AssetServer>,
    infos: Res<Assets<ScanInfo>>,
    mut scans: ResMut<Scans>,
    mut notices: MessageWriter<ContentNotice>,
    mut commands: Commands,
) {
    for entry in &mut scans.entries {
        if entry.pyramid.is_some() || entry.failed {
            continue;
        }
        if let Some(info) = infos.get(&entry.info) {
            let pyramid = info.0.clone();
            for region in &entry.scan.regions {
                let [x, y, w, h] = region.rect;
                if x + w > f64::from(pyramid.width) + 0.5 || y + h > f64::from(pyramid.height) + 0.5
                {
                    notices.write(ContentNotice {
                        file: entry.scan.src.to_string(),
                        reason: format!(
                            "region \"{}\" [{x}, {y}, {w}, {h}] reaches past the scan ({}×{} pixels): it is not outlined",
                            region.id, pyramid.width, pyramid.height
                        ),
                    });
                }
            }
            if let Some(panel) = entry.scan.panel {
                spawn_panel(&mut commands, &panel, &pyramid, &entry.scan.id);
            }
            info!(
                "scan: {} is {}×{} pixels in {} levels ({} tiles)",
                entry.scan.id,
                pyramid.width,
                pyramid.height,
                pyramid.levels(),
                pyramid.tile_count()
            );
            entry.pyramid = Some(pyramid);
        } else if let Some(bevy::asset::LoadState::Failed(e)) = assets.get_load_state(&entry.info) {
            entry.failed = true;
            notices.write(ContentNotice {
                file: entry.scan.src.to_string(),
                reason: format!("{}; the scan is left out", crate::loading::reason(&e)),
            });
        }
    }
}

// ----- the reader -----

#[derive(Component)]
struct ReaderRoot;

/// The area the scan is drawn in (tiles and region outlines are its children).
#[derive(Component)]
struct ReaderCanvas;

#[derive(Component)]
struct ReaderTile(TileKey);

#[derive(Component)]
struct RegionOutline {
    region: String,
    rect: [f64; 4],
}

#[derive(Component)]
struct RegionTexts;

#[derive(Component, Clone, Debug, PartialEq)]
enum ReaderButton {
    Open,
    Close,
    ZoomIn,
    ZoomOut,
    Fit,
    Region(String),
}

/// The HUD's "Read the scan" button, for exhibits that have a scan.
fn add_read_button(
    library: Res<ExhibitLibrary>,
    fonts: Res<UiFonts>,
    lang: Res<Language>,
    tools: Query<(Entity, &Children), With<HudTools>>,
    mut commands: Commands,
) {
    let has_scan = library
        .current_package()
        .is_some_and(|p| !p.manifest.scans.is_empty());
    let (Some((tools, children)), true) = (tools.iter().next(), has_scan) else {
        return;
    };
    let read = commands
        .spawn(button(
            &fonts,
            *lang,
            LocalizedLabel::both("Đọc bản quét", "Read the scan"),
            ReaderButton::Open,
        ))
        .id();
    commands
        .entity(tools)
        .insert_children(children.len().saturating_sub(1), &[read]);
}

fn reader_buttons(
    pressed: Query<(&Interaction, &ReaderButton), Changed<Interaction>>,
    keys: Res<ButtonInput<KeyCode>>,
    reader: Res<Reader>,
    mut out: MessageWriter<ScanCommand>,
) {
    for (interaction, b) in &pressed {
        if *interaction != Interaction::Pressed {
            continue;
        }
        out.write(match b {
            ReaderButton::Open => ScanCommand::Open {
                scan: None,
                region: None,
            },
            ReaderButton::Close => ScanCommand::Close,
            ReaderButton::ZoomIn => ScanCommand::ZoomBy(2.0),
            ReaderButton::ZoomOut => ScanCommand::ZoomBy(0.5),
            ReaderButton::Fit => ScanCommand::Fit,
            ReaderButton::Region(id) => ScanCommand::ShowRegion(id.clone()),
        });
    }
    if reader.open.is_some() {
        if keys.just_pressed(KeyCode::Escape) {
            out.write(ScanCommand::Close);
        }
        if keys.just_pressed(KeyCode::Equal) || keys.just_pressed(KeyCode::NumpadAdd) {
            out.write(ScanCommand::ZoomBy(2.0));
        }
        if keys.just_pressed(KeyCode::Minus) || keys.just_pressed(KeyCode::NumpadSubtract) {
            out.write(ScanCommand::ZoomBy(0.5));
        }
    }
}

/// The picture area of the reader in UI pixels: the window less the top bar and the side panel
/// (at the right on a wide screen, at the bottom on a narrow one).
fn picture_area(window: &Window, ui_scale: f32) -> Rect {
    let w = window.width() / ui_scale;
    let h = window.height() / ui_scale;
    if w >= 2.0 * SIDE_PANEL_WIDTH {
        Rect::new(0.0, TOP_BAR, w - SIDE_PANEL_WIDTH, h)
    } else {
        Rect::new(0.0, TOP_BAR, w, h * 0.62)
    }
}

fn fit_view(view: &mut ReaderView, pyramid: &TilePyramid, area: Rect) {
    let sx = f64::from(area.width()) / f64::from(pyramid.width);
    let sy = f64::from(area.height()) / f64::from(pyramid.height);
    view.scale = sx.min(sy) * 0.96;
    view.centre = DVec2::new(f64::from(pyramid.width), f64::from(pyramid.height)) * 0.5;
}

/// The smallest scale: the whole sheet fits with room to spare.
fn min_scale(pyramid: &TilePyramid, area: Rect) -> f64 {
    let sx = f64::from(area.width()) / f64::from(pyramid.width);
    let sy = f64::from(area.height()) / f64::from(pyramid.height);
    sx.min(sy) * 0.5
}

fn clamp_view(view: &mut ReaderView, pyramid: &TilePyramid, area: Rect) {
    // A scan smaller than an eighth of the picture area fits at more than MAX_SCALE: it is
    // shown at MAX_SCALE then (`f64::clamp` would panic on bounds the wrong way round).
    let lowest = min_scale(pyramid, area).min(MAX_SCALE);
    view.scale = view.scale.max(lowest).min(MAX_SCALE);
    view.centre.x = view.centre.x.clamp(0.0, f64::from(pyramid.width));
    view.centre.y = view.centre.y.clamp(0.0, f64::from(pyramid.height));
}

#[allow(clippy::too_many_arguments)]
fn run_commands(
    mut commands_in: MessageReader<ScanCommand>,
    mut reader: ResMut<Reader>,
    time: Res<Time>,
    scans: Res<Scans>,
    windows: Query<&Window>,
    ui_scale: Res<UiScale>,
    fonts: Res<UiFonts>,
    lang: Res<Language>,
    offered: Res<OfferedLanguages>,
    roots: Query<Entity, With<ReaderRoot>>,
    mut commands: Commands,
) {
    let Some(window) = windows.iter().next() else {
        return;
    };
    let area = picture_area(window, ui_scale.0);
    let now = time.elapsed_secs_f64();
    for command in commands_in.read() {
        match command {
            ScanCommand::Open { scan, region } => {
                // Already open on that scan (a host page stepping through regions): the view
                // glides there from where the visitor is.
                if let Some(view) = reader.open.as_mut()
                    && scan.as_ref().is_none_or(|s| *s == view.scan)
                {
                    match region {
                        Some(region) => show_region(&mut reader, &scans, region, area, now),
                        None => glide_to_fit(view, &scans, area, now),
                    }
                    continue;
                }
                let entry = match scan {
                    Some(id) => scans.get(id),
                    None => scans.entries.first(),
                };
                let Some(entry) = entry else {
                    warn!("scan: no scan {scan:?} in this exhibit");
                    continue;
                };
                let mut view = ReaderView {
                    scan: entry.scan.id.clone(),
                    centre: DVec2::ZERO,
                    scale: 1.0,
                    region: None,
                    fit_pending: true,
                    glide: None,
                };
                if let Some(p) = &entry.pyramid {
                    fit_view(&mut view, p, area);
                    view.fit_pending = false;
                }
                for root in &roots {
                    commands.entity(root).despawn();
                }
                spawn_reader(&mut commands, &fonts, *lang, &offered, &entry.scan);
                info!("scan: reader opened on {}", entry.scan.id);
                reader.open = Some(view);
                // Opened on a region: there at once (a link or a tour stop opens on what it
                // names; the reader was not on screen to glide from).
                if let Some(region) = region {
                    show_region(&mut reader, &scans, region, area, now);
                    if let Some(view) = reader.open.as_mut()
                        && let Some(glide) = view.glide.take()
                    {
                        (view.centre, view.scale, _) = glide.at(f64::INFINITY);
                    }
                }
            }
            ScanCommand::Close => {
                for root in &roots {
                    commands.entity(root).despawn();
                }
                if reader.open.take().is_some() {
                    info!("scan: reader closed");
                }
            }
            ScanCommand::ZoomBy(f) => {
                if let Some(view) = reader.open.as_mut()
                    && let Some(p) = scans.get(&view.scan).and_then(|e| e.pyramid.as_ref())
                {
                    // Pressed twice quickly, the second step starts where the first ends.
                    let mut to = view.clone();
                    (to.centre, to.scale) = view.destination();
                    to.scale *= f;
                    clamp_view(&mut to, p, area);
                    view.glide_to(to.centre, to.scale, now);
                }
            }
            ScanCommand::Fit => {
                if let Some(view) = reader.open.as_mut() {
                    glide_to_fit(view, &scans, area, now);
                }
            }
            ScanCommand::ShowRegion(id) => show_region(&mut reader, &scans, id, area, now),
        }
    }
}

/// Glides back to the whole sheet.
fn glide_to_fit(view: &mut ReaderView, scans: &Scans, area: Rect, now: f64) {
    if let Some(p) = scans.get(&view.scan).and_then(|e| e.pyramid.as_ref()) {
        let mut to = view.clone();
        fit_view(&mut to, p, area);
        view.glide_to(to.centre, to.scale, now);
    }
}

/// Glides to the region, centred with room around it, and shows its texts.
fn show_region(reader: &mut Reader, scans: &Scans, id: &str, area: Rect, now: f64) {
    let Some(view) = reader.open.as_mut() else {
        return;
    };
    let Some(entry) = scans.get(&view.scan) else {
        return;
    };
    let Some(region) = entry.scan.regions.iter().find(|r| r.id == id) else {
        warn!("scan: {} has no region {id}", view.scan);
        return;
    };
    let [x, y, w, h] = region.rect;
    view.region = Some(id.to_owned());
    let chosen = Some((view.scan.clone(), id.to_owned()));
    let mut to = view.clone();
    to.centre = DVec2::new(x + w / 2.0, y + h / 2.0);
    to.scale = (f64::from(area.width()) / (w * 1.6)).min(f64::from(area.height()) / (h * 1.6));
    if let Some(p) = &entry.pyramid {
        clamp_view(&mut to, p, area);
    }
    if view.fit_pending {
        // The scan's size is not known yet: nothing on screen to glide from.
        (view.centre, view.scale) = (to.centre, to.scale);
    } else {
        view.glide_to(to.centre, to.scale, now);
    }
    view.fit_pending = false;
    reader.last_region = chosen;
    info!("scan: region {id} shown");
}

fn spawn_reader(
    commands: &mut Commands,
    fonts: &UiFonts,
    lang: Language,
    offered: &OfferedLanguages,
    scan: &Scan,
) {
    let root = commands
        .spawn((
            Node {
                position_type: PositionType::Absolute,
                width: percent(100),
                height: percent(100),
                ..default()
            },
            // Opaque: the scan is read, not the exhibit behind it.
            BackgroundColor(Color::srgb(0.11, 0.10, 0.09)),
            // Catches the pointer, so the camera behind it does not turn.
            Interaction::default(),
            GlobalZIndex(4),
            ReaderRoot,
            crate::ExhibitScoped,
        ))
        .id();
    commands.spawn((
        Node {
            position_type: PositionType::Absolute,
            left: px(0),
            top: px(0),
            width: percent(100),
            height: percent(100),
            overflow: Overflow::clip(),
            ..default()
        },
        Pickable::IGNORE,
        ReaderCanvas,
        ChildOf(root),
    ));
    // The top bar: the title, zoom, fit, close.
    let bar = commands
        .spawn((
            Node {
                position_type: PositionType::Absolute,
                left: px(0),
                right: px(0),
                top: px(0),
                height: px(TOP_BAR),
                padding: UiRect::axes(px(10), px(6)),
                flex_direction: FlexDirection::Row,
                align_items: AlignItems::Center,
                column_gap: px(4),
                ..default()
            },
            BackgroundColor(READER_PANEL),
            ChildOf(root),
        ))
        .id();
    let title = if scan.title.is_empty() {
        LocalizedLabel::both("Bản quét", "Scan")
    } else {
        LocalizedLabel::from_text(&scan.title)
    };
    commands.spawn((
        Node {
            flex_grow: 1.0,
            flex_shrink: 1.0,
            overflow: Overflow::clip(),
            ..default()
        },
        ReaderTitle,
        children![label(fonts, lang, title, TextStyle::Heading)],
        ChildOf(bar),
    ));
    for (text, action) in [
        (LocalizedLabel::same("–"), ReaderButton::ZoomOut),
        (LocalizedLabel::same("+"), ReaderButton::ZoomIn),
        (
            LocalizedLabel::both("Vừa màn hình", "Fit"),
            ReaderButton::Fit,
        ),
        (LocalizedLabel::both("Đóng", "Close"), ReaderButton::Close),
    ] {
        commands.spawn((button(fonts, lang, text, action), ChildOf(bar)));
    }
    // The side panel: the regions, then the chosen region's texts.
    let side = commands
        .spawn((
            Node {
                position_type: PositionType::Absolute,
                right: px(0),
                top: px(TOP_BAR),
                bottom: px(0),
                width: px(SIDE_PANEL_WIDTH),
                padding: UiRect::all(px(12)),
                flex_direction: FlexDirection::Column,
                row_gap: px(6),
                overflow: Overflow::scroll_y(),
                ..default()
            },
            BackgroundColor(READER_PANEL),
            Interaction::default(),
            ReaderSidePanel,
            ChildOf(root),
        ))
        .id();
    if !scan.regions.is_empty() {
        commands.spawn((
            label(
                fonts,
                lang,
                LocalizedLabel::both("Các phần của văn bản", "Parts of the document"),
                TextStyle::Small,
            ),
            ChildOf(side),
        ));
    }
    for (i, region) in scan.regions.iter().enumerate() {
        let text = LocalizedLabel::for_languages(&offered.0, |l| {
            format!("{}  {}", i + 1, l.pick(&region.title))
        });
        commands.spawn((
            button(fonts, lang, text, ReaderButton::Region(region.id.clone())),
            ChildOf(side),
        ));
    }
    commands.spawn((
        Node {
            flex_direction: FlexDirection::Column,
            row_gap: px(6),
            margin: UiRect::top(px(8)),
            ..default()
        },
        RegionTexts,
        ChildOf(side),
    ));
}

#[derive(Component)]
struct ReaderSidePanel;

/// The scan's title in the top bar: left out on a narrow screen, where the buttons need the row.
#[derive(Component)]
struct ReaderTitle;

/// Lays the side panel at the right on a wide screen, under the picture on a narrow one.
fn place_side_panel(node: &mut Node, window: &Window, ui_scale: f32) {
    let area = picture_area(window, ui_scale);
    let w = window.width() / ui_scale;
    if w >= 2.0 * SIDE_PANEL_WIDTH {
        node.left = Val::Auto;
        node.width = px(SIDE_PANEL_WIDTH);
        node.top = px(TOP_BAR);
    } else {
        node.left = px(0);
        node.width = percent(100);
        node.top = px(area.max.y);
    }
}

/// Drag to move, wheel or pinch to zoom about the pointer, inside the picture area. A drag or
/// a pinch follows the hand at once (and stops a glide); a turn of the wheel glides.
#[allow(clippy::too_many_arguments)]
fn reader_input(
    mut reader: ResMut<Reader>,
    time: Res<Time>,
    scans: Res<Scans>,
    windows: Query<&Window>,
    ui_scale: Res<UiScale>,
    buttons: Res<ButtonInput<MouseButton>>,
    motion: Res<AccumulatedMouseMotion>,
    scroll: Res<AccumulatedMouseScroll>,
    touches: Res<Touches>,
    over_buttons: Query<&Interaction, With<Button>>,
) {
    let Some(view) = reader.open.as_mut() else {
        return;
    };
    let (Some(window), Some(pyramid)) = (
        windows.iter().next(),
        scans.get(&view.scan).and_then(|e| e.pyramid.as_ref()),
    ) else {
        return;
    };
    let s = ui_scale.0;
    let area = picture_area(window, s);
    if view.fit_pending {
        fit_view(view, pyramid, area);
        view.fit_pending = false;
    }
    let on_button = over_buttons.iter().any(|i| *i != Interaction::None);
    let cursor = window.cursor_position().map(|c| c / s);
    let in_area = cursor.is_some_and(|c| area.contains(c));
    // Zoom about a screen point: the scan pixel under it stays under it.
    let zoom_about = |view: &mut ReaderView, at: Vec2, factor: f64| {
        let mid = area.center();
        let before =
            view.centre + DVec2::new(f64::from(at.x - mid.x), f64::from(at.y - mid.y)) / view.scale;
        view.scale *= factor;
        clamp_view(view, pyramid, area);
        view.centre =
            before - DVec2::new(f64::from(at.x - mid.x), f64::from(at.y - mid.y)) / view.scale;
        clamp_view(view, pyramid, area);
    };
    if in_area && !on_button && scroll.delta.y != 0.0 {
        let lines = match scroll.unit {
            MouseScrollUnit::Line => scroll.delta.y,
            MouseScrollUnit::Pixel => scroll.delta.y / 40.0,
        };
        // From where a glide under way ends, so quick turns add up.
        let mut to = view.clone();
        (to.centre, to.scale) = view.destination();
        zoom_about(
            &mut to,
            cursor.expect("in area"),
            1.25f64.powf(f64::from(lines)),
        );
        view.glide_to(to.centre, to.scale, time.elapsed_secs_f64());
    }
    if in_area && !on_button && buttons.pressed(MouseButton::Left) && motion.delta != Vec2::ZERO {
        view.glide = None;
        view.centre -= DVec2::new(f64::from(motion.delta.x), f64::from(motion.delta.y))
            / f64::from(s)
            / view.scale;
        clamp_view(view, pyramid, area);
    }
    let active: Vec<_> = touches.iter().collect();
    match active.as_slice() {
        [t] if area.contains(t.position() / s) && !on_button => {
            let d = t.delta() / s;
            if d != Vec2::ZERO {
                view.glide = None;
            }
            view.centre -= DVec2::new(f64::from(d.x), f64::from(d.y)) / view.scale;
            clamp_view(view, pyramid, area);
        }
        [a, b, ..] => {
            let before = a.previous_position().distance(b.previous_position());
            let now = a.position().distance(b.position());
            if before > 1.0 && now > 1.0 {
                view.glide = None;
                let mid = (a.position() + b.position()) / (2.0 * s);
                zoom_about(view, mid, f64::from(now / before));
            }
        }
        _ => {}
    }
}

/// Moves a gliding view on to where it is this frame.
fn glide_reader(mut reader: ResMut<Reader>, time: Res<Time>) {
    let Some(view) = reader.open.as_mut() else {
        return;
    };
    let Some(glide) = view.glide.as_mut() else {
        return;
    };
    let arrived;
    (view.centre, view.scale, arrived) =
        glide.advance(time.elapsed_secs_f64(), time.delta_secs_f64());
    if arrived {
        view.glide = None;
    }
}

/// The scan rectangle the reader's picture area shows.
fn visible_rect(view: &ReaderView, area: Rect) -> ScanRect {
    let w = f64::from(area.width()) / view.scale;
    let h = f64::from(area.height()) / view.scale;
    ScanRect {
        x: view.centre.x - w / 2.0,
        y: view.centre.y - h / 2.0,
        w,
        h,
    }
}

/// The reader's level: as sharp as the screen's physical pixels.
fn reader_level(view: &ReaderView, pyramid: &TilePyramid, window: &Window, ui_scale: f32) -> u8 {
    let physical_per_scan = view.scale * f64::from(ui_scale * window.scale_factor());
    pyramid.level_for(1.0 / physical_per_scan)
}

fn want_reader_tiles(
    reader: Res<Reader>,
    scans: Res<Scans>,
    windows: Query<&Window>,
    ui_scale: Res<UiScale>,
    mut cache: ResMut<TileCache>,
) {
    cache.wanted.clear();
    cache.wanted_set.clear();
    cache.frame += 1;
    // The overview of every scan: always there to draw under finer tiles.
    for e in &scans.entries {
        if let Some(p) = &e.pyramid {
            cache.want(TileKey {
                scan: e.scan.id.clone(),
                tile: TileId {
                    level: p.coarsest(),
                    x: 0,
                    y: 0,
                },
            });
        }
    }
    let Some(view) = &reader.open else { return };
    let (Some(window), Some(pyramid)) = (
        windows.iter().next(),
        scans.get(&view.scan).and_then(|e| e.pyramid.as_ref()),
    ) else {
        return;
    };
    let area = picture_area(window, ui_scale.0);
    // Gliding, the tiles of where the view is going: the views on the way are seen for a
    // moment, drawn from the levels already held, and loading theirs would only delay these.
    let mut going_to = view.clone();
    (going_to.centre, going_to.scale) = view.destination();
    let level = reader_level(&going_to, pyramid, window, ui_scale.0);
    for tile in pyramid.tiles_in(level, visible_rect(&going_to, area)) {
        cache.want(TileKey {
            scan: view.scan.clone(),
            tile,
        });
    }
}

fn note_sharpness(mut reader: ResMut<Reader>, cache: Res<TileCache>, assets: Res<AssetServer>) {
    // Not while gliding: the view has not arrived where the visitor will read.
    let sharp = reader.open.as_ref().is_some_and(|v| v.glide.is_none())
        && cache.all_wanted_settled(&assets);
    if reader.sharp != sharp {
        reader.sharp = sharp;
    }
}

/// Requests the wanted tiles not yet held and frees the least recently wanted beyond the cap.
fn load_and_evict(mut cache: ResMut<TileCache>, scans: Res<Scans>, assets: Res<AssetServer>) {
    let frame = cache.frame;
    let wanted = std::mem::take(&mut cache.wanted);
    let limit = resident_limit(wanted.len());
    for key in &wanted {
        if let Some(t) = cache.tiles.get_mut(key) {
            t.last_wanted = frame;
            if !t.failed
                && matches!(
                    assets.get_load_state(&t.handle),
                    Some(bevy::asset::LoadState::Failed(_))
                )
            {
                t.failed = true;
                warn!(
                    "scan: tile {} of {} could not be loaded; the coarser level shows there",
                    key_name(key, &scans),
                    key.scan
                );
            }
            continue;
        }
        // Never more than the cap: room is made by freeing tiles not needed this frame; when
        // every tile held is needed, the rest wait for a later frame.
        if cache.tiles.len() >= limit {
            evict_down_to(&mut cache, frame, limit - 1);
            if cache.tiles.len() >= limit {
                continue;
            }
        }
        let Some(entry) = scans.get(&key.scan) else {
            continue;
        };
        let Some(p) = &entry.pyramid else { continue };
        let path = format!("{}{}", entry.folder, p.tile_path(key.tile));
        // The renderer's copy only: the decoded pixels leave main memory once on the GPU.
        let handle: Handle<Image> = assets
            .load_builder()
            .with_settings(|s: &mut bevy::image::ImageLoaderSettings| {
                s.asset_usage = bevy::asset::RenderAssetUsages::RENDER_WORLD;
            })
            .load(path);
        cache.tiles.insert(
            key.clone(),
            CachedTile {
                handle,
                last_wanted: frame,
                failed: false,
            },
        );
        cache.requested_total += 1;
    }
    cache.wanted = wanted;
    evict_down_to(&mut cache, frame, limit);
    cache.peak_resident = cache.peak_resident.max(cache.tiles.len());
}

fn key_name(key: &TileKey, scans: &Scans) -> String {
    scans
        .get(&key.scan)
        .and_then(|e| e.pyramid.as_ref())
        .map_or_else(|| format!("{:?}", key.tile), |p| p.tile_path(key.tile))
}

/// Frees tiles not wanted this frame, least recently wanted first, until at most `limit` are held.
fn evict_down_to(cache: &mut TileCache, frame: u64, limit: usize) {
    if cache.tiles.len() <= limit {
        return;
    }
    let mut idle: Vec<(u64, TileKey)> = cache
        .tiles
        .iter()
        .filter(|(_, t)| t.last_wanted < frame)
        .map(|(k, t)| (t.last_wanted, k.clone()))
        .collect();
    idle.sort();
    let excess = cache.tiles.len() - limit;
    for (_, key) in idle.into_iter().take(excess) {
        // Dropping the last handle frees the image (and its GPU texture).
        cache.tiles.remove(&key);
    }
}

/// Places the tiles and region outlines on the reader's canvas.
#[allow(clippy::too_many_arguments)]
fn draw_reader(
    reader: Res<Reader>,
    scans: Res<Scans>,
    cache: Res<TileCache>,
    assets: Res<AssetServer>,
    windows: Query<&Window>,
    ui_scale: Res<UiScale>,
    canvases: Query<Entity, With<ReaderCanvas>>,
    mut tiles: Query<(Entity, &ReaderTile, &mut Node), Without<RegionOutline>>,
    mut outlines: Query<
        (
            &RegionOutline,
            &mut Node,
            &mut BorderColor,
            &mut BackgroundColor,
        ),
        Without<ReaderTile>,
    >,
    mut side: Query<
        &mut Node,
        (
            With<ReaderSidePanel>,
            Without<ReaderTile>,
            Without<RegionOutline>,
            Without<ReaderTitle>,
        ),
    >,
    mut titles: Query<
        &mut Node,
        (
            With<ReaderTitle>,
            Without<ReaderSidePanel>,
            Without<ReaderTile>,
            Without<RegionOutline>,
        ),
    >,
    mut commands: Commands,
) {
    let (Some(view), Some(canvas), Some(window)) =
        (&reader.open, canvases.iter().next(), windows.iter().next())
    else {
        return;
    };
    let Some(entry) = scans.get(&view.scan) else {
        return;
    };
    let Some(pyramid) = &entry.pyramid else {
        return;
    };
    let s = ui_scale.0;
    let area = picture_area(window, s);
    for mut node in &mut side {
        place_side_panel(&mut node, window, s);
    }
    let narrow = window.width() / s < 2.0 * SIDE_PANEL_WIDTH;
    for mut node in &mut titles {
        let display = if narrow { Display::None } else { Display::Flex };
        if node.display != display {
            node.display = display;
        }
    }
    let mid = area.center();
    let to_screen = |x: f64, y: f64| -> Vec2 {
        Vec2::new(
            ((x - view.centre.x) * view.scale) as f32 + mid.x,
            ((y - view.centre.y) * view.scale) as f32 + mid.y,
        )
    };
    let place = |node: &mut Node, rect: (f64, f64, f64, f64)| {
        let a = to_screen(rect.0, rect.1);
        // Half a pixel more each way: no hairline between neighbouring tiles.
        node.left = px(a.x - 0.5);
        node.top = px(a.y - 0.5);
        node.width = px((rect.2 * view.scale) as f32 + 1.0);
        node.height = px((rect.3 * view.scale) as f32 + 1.0);
    };
    // Which tiles to draw: every tile held that shows part of the picture area, from the
    // overview down to one level finer than the screen calls for, finer ones over coarser
    // (their ZIndex): while a level loads, or while the view glides through levels it does
    // not load, the sharpest picture held shows, never a hole. Much finer tiles left from a
    // closer look are not drawn: shrunk many times without mipmaps they would glitter.
    let visible = visible_rect(view, area);
    let level = reader_level(view, pyramid, window, s);
    let mut draw: Vec<TileKey> = (level.saturating_sub(1)..=pyramid.coarsest())
        .rev()
        .flat_map(|level| pyramid.tiles_in(level, visible))
        .map(|tile| TileKey {
            scan: view.scan.clone(),
            tile,
        })
        .collect();
    draw.retain(|k| cache.ready(k, &assets).is_some());
    let mut present: HashMap<TileKey, Entity> = HashMap::new();
    for (entity, tile, mut node) in &mut tiles {
        if draw.contains(&tile.0) {
            let (x, y, w, h) = pyramid.tile_region(tile.0.tile);
            place(
                &mut node,
                (f64::from(x), f64::from(y), f64::from(w), f64::from(h)),
            );
            present.insert(tile.0.clone(), entity);
        } else {
            commands.entity(entity).despawn();
        }
    }
    for key in &draw {
        if present.contains_key(key) {
            continue;
        }
        let (x, y, w, h) = pyramid.tile_region(key.tile);
        let mut node = Node {
            position_type: PositionType::Absolute,
            ..default()
        };
        place(
            &mut node,
            (f64::from(x), f64::from(y), f64::from(w), f64::from(h)),
        );
        let image = cache.ready(key, &assets).expect("filtered above");
        let tile = commands
            .spawn((
                ImageNode::new(image),
                node,
                Pickable::IGNORE,
                ReaderTile(key.clone()),
                // Finer over coarser (level 0 is the scan's own pixels), all under the outlines.
                ZIndex(i32::from(pyramid.coarsest() - key.tile.level)),
            ))
            .id();
        commands.entity(canvas).add_child(tile);
    }
    // Region outlines: gold, the chosen one thicker and tinted.
    let mut outlined: Vec<&str> = Vec::new();
    for (outline, mut node, mut border, mut bg) in &mut outlines {
        let [x, y, w, h] = outline.rect;
        place(&mut node, (x, y, w, h));
        let chosen = view.region.as_deref() == Some(outline.region.as_str());
        node.border = UiRect::all(px(if chosen { 4 } else { 2 }));
        *border = BorderColor::all(if chosen {
            crate::theme::GOLD
        } else {
            crate::theme::GOLD.with_alpha(0.7)
        });
        bg.0 = if chosen {
            crate::theme::GOLD.with_alpha(0.12)
        } else {
            Color::NONE
        };
        outlined.push(&outline.region);
    }
    for region in &entry.scan.regions {
        let [x, y, w, h] = region.rect;
        if outlined.contains(&region.id.as_str())
            || x + w > f64::from(pyramid.width) + 0.5
            || y + h > f64::from(pyramid.height) + 0.5
        {
            continue;
        }
        let mut node = Node {
            position_type: PositionType::Absolute,
            border: UiRect::all(px(2)),
            ..default()
        };
        place(&mut node, (x, y, w, h));
        let outline = commands
            .spawn((
                Button,
                ReaderButton::Region(region.id.clone()),
                node,
                BorderColor::all(crate::theme::GOLD),
                BackgroundColor(Color::NONE),
                // Over the tiles of every level (see draw_reader).
                ZIndex(REGION_OUTLINE_Z),
                RegionOutline {
                    region: region.id.clone(),
                    rect: region.rect,
                },
            ))
            .id();
        commands.entity(canvas).add_child(outline);
    }
}

/// The chosen region's title, transcription, reading and translation in the side panel.
fn show_region_texts(
    reader: Res<Reader>,
    scans: Res<Scans>,
    fonts: Res<UiFonts>,
    lang: Res<Language>,
    boxes: Query<(Entity, Option<&Children>), With<RegionTexts>>,
    mut shown: Local<Option<(String, String)>>,
    mut commands: Commands,
) {
    let Some(view) = &reader.open else {
        *shown = None;
        return;
    };
    let Some((texts, children)) = boxes.iter().next() else {
        return;
    };
    let now = view.region.clone().map(|r| (view.scan.clone(), r));
    if *shown == now && children.is_some_and(|c| !c.is_empty()) == now.is_some() {
        return;
    }
    *shown = now;
    if let Some(children) = children {
        for c in children.iter() {
            commands.entity(c).despawn();
        }
    }
    let Some(region) = view.region.as_ref().and_then(|id| {
        scans
            .get(&view.scan)
            .and_then(|e| e.scan.regions.iter().find(|r| &r.id == id))
    }) else {
        return;
    };
    let lang = *lang;
    let line = |commands: &mut Commands, text: LocalizedLabel, style: TextStyle| {
        commands.spawn((label(&fonts, lang, text, style), ChildOf(texts)));
    };
    line(
        &mut commands,
        LocalizedLabel::from_text(&region.title),
        TextStyle::Heading,
    );
    if let Some(t) = &region.transcription {
        line(
            &mut commands,
            LocalizedLabel::both("Nguyên văn", "As written"),
            TextStyle::Small,
        );
        commands.spawn((
            Text::new(t.clone()),
            TextFont {
                font: fonts.han.clone().into(),
                font_size: bevy::text::FontSize::Px(26.0),
                ..default()
            },
            TextColor(crate::theme::TEXT),
            ChildOf(texts),
        ));
    }
    if let Some(r) = &region.reading {
        line(
            &mut commands,
            LocalizedLabel::both("Phiên âm", "Reading"),
            TextStyle::Small,
        );
        line(
            &mut commands,
            LocalizedLabel::same(r.clone()),
            TextStyle::Body,
        );
    }
    if !region.translation.is_empty() {
        line(
            &mut commands,
            LocalizedLabel::both("Dịch nghĩa", "Translation"),
            TextStyle::Small,
        );
        line(
            &mut commands,
            LocalizedLabel::from_text(&region.translation),
            TextStyle::Body,
        );
    }
}

// ----- the panel in the scene -----

/// A scan laid on its sheet in the scene.
#[derive(Component)]
struct ScanPanel {
    scan: String,
    /// Metres per scan pixel.
    metres_per_px: f32,
    width_px: f32,
    height_px: f32,
}

impl ScanPanel {
    /// Where a rectangle of the scan ([x, y, w, h] in scan pixels, y down) lies on the panel:
    /// its centre and size in metres in the panel's plane (y up, the sheet's middle at 0).
    fn place(&self, [x, y, w, h]: [f32; 4]) -> (Vec2, Vec2) {
        let m = self.metres_per_px;
        (
            Vec2::new(
                (x + w / 2.0 - self.width_px / 2.0) * m,
                (self.height_px / 2.0 - y - h / 2.0) * m,
            ),
            Vec2::new(w * m, h * m),
        )
    }
}

#[derive(Component)]
struct PanelTile(TileKey);

fn spawn_panel(
    commands: &mut Commands,
    panel: &disan_format::ScanPanel,
    pyramid: &TilePyramid,
    scan: &str,
) {
    let normal = Vec3::from(panel.normal).normalize();
    // The sheet's up: world up, made perpendicular to the normal.
    let up = (Vec3::Y - normal * normal.dot(Vec3::Y)).normalize_or(Vec3::Y);
    let right = up.cross(normal);
    let rotation = Quat::from_mat3(&Mat3::from_cols(right, up, normal));
    let metres_per_px = panel.width / pyramid.width as f32;
    commands.spawn((
        Transform::from_translation(Vec3::from(panel.centre)).with_rotation(rotation),
        Visibility::default(),
        ScanPanel {
            scan: scan.to_owned(),
            metres_per_px,
            width_px: pyramid.width as f32,
            height_px: pyramid.height as f32,
        },
        crate::ExhibitScoped,
    ));
}

/// The panel's level and tiles: as sharp as the screen where the camera looks at the sheet.
fn want_panel_tiles(
    reader: Res<Reader>,
    scans: Res<Scans>,
    panels: Query<(&ScanPanel, &GlobalTransform)>,
    cameras: Query<(Entity, &Camera, &GlobalTransform)>,
    mut cache: ResMut<TileCache>,
) {
    // While the reader covers the screen the panel is not seen: its tiles may go.
    if reader.open.is_some() {
        return;
    }
    // In a headset the eye cameras, not the idle desktop one, decide how sharp the sheet is.
    let Some(view) = crate::camera::sharpest_view(&cameras) else {
        return;
    };
    for (panel, at) in &panels {
        let Some(pyramid) = scans.get(&panel.scan).and_then(|e| e.pyramid.as_ref()) else {
            continue;
        };
        for tile in panel_tiles(panel, at, pyramid, &view) {
            cache.want(TileKey {
                scan: panel.scan.clone(),
                tile,
            });
        }
    }
}

/// The tiles of the level the screen calls for around where the camera looks at the panel.
fn panel_tiles(
    panel: &ScanPanel,
    at: &GlobalTransform,
    pyramid: &TilePyramid,
    view: &crate::camera::SharpestView,
) -> Vec<TileId> {
    let (eye, viewport) = (&view.transform, view.viewport);
    let to_local = at.affine().inverse();
    let eye_local = to_local.transform_point3(eye.translation());
    let forward_local = to_local.transform_vector3(eye.forward().as_vec3());
    if eye_local.z <= 0.0 {
        return Vec::new(); // behind the sheet
    }
    // Where the view meets the sheet's plane (or the point of it nearest the eye).
    let hit = if forward_local.z < -1e-4 {
        let t = -eye_local.z / forward_local.z;
        eye_local + forward_local * t
    } else {
        Vec3::new(eye_local.x, eye_local.y, 0.0)
    };
    let distance = eye_local.distance(hit).max(0.01);
    let screen_px_per_metre = view.px_per_rad / distance;
    let scan_px_per_screen_px = 1.0 / (panel.metres_per_px * screen_px_per_metre);
    let level = pyramid.level_for(f64::from(scan_px_per_screen_px));
    if level == pyramid.coarsest() {
        return Vec::new();
    }
    // The hit point in scan pixels (the scan's origin is its top-left corner).
    let cx = hit.x / panel.metres_per_px + panel.width_px / 2.0;
    let cy = panel.height_px / 2.0 - hit.y / panel.metres_per_px;
    let half = viewport * scan_px_per_screen_px * 0.75;
    pyramid.tiles_in(
        level,
        ScanRect {
            x: f64::from(cx - half.x),
            y: f64::from(cy - half.y),
            w: f64::from(2.0 * half.x),
            h: f64::from(2.0 * half.y),
        },
    )
}

/// Quads for the panel's tiles: the overview under all, the finer level just in front of it.
#[allow(clippy::too_many_arguments)]
fn draw_panels(
    reader: Res<Reader>,
    scans: Res<Scans>,
    cache: Res<TileCache>,
    assets: Res<AssetServer>,
    panels: Query<(Entity, &ScanPanel, &GlobalTransform)>,
    quads: Query<(Entity, &PanelTile, &ChildOf)>,
    cameras: Query<(Entity, &Camera, &GlobalTransform)>,
    mut meshes: ResMut<Assets<Mesh>>,
    mut materials: ResMut<Assets<StandardMaterial>>,
    mut commands: Commands,
) {
    let view = crate::camera::sharpest_view(&cameras);
    for (entity, panel, at) in &panels {
        let Some(pyramid) = scans.get(&panel.scan).and_then(|e| e.pyramid.as_ref()) else {
            continue;
        };
        let mut draw: Vec<TileKey> = vec![TileKey {
            scan: panel.scan.clone(),
            tile: TileId {
                level: pyramid.coarsest(),
                x: 0,
                y: 0,
            },
        }];
        if reader.open.is_none()
            && let Some(view) = &view
        {
            draw.extend(
                panel_tiles(panel, at, pyramid, view)
                    .into_iter()
                    .map(|tile| TileKey {
                        scan: panel.scan.clone(),
                        tile,
                    }),
            );
        }
        let ready: Vec<(TileKey, Handle<Image>)> = draw
            .into_iter()
            .filter_map(|k| cache.ready(&k, &assets).map(|h| (k, h)))
            .collect();
        let mut present = Vec::new();
        for (quad, tile, parent) in &quads {
            if parent.parent() != entity {
                continue;
            }
            if ready.iter().any(|(k, _)| *k == tile.0) {
                present.push(tile.0.clone());
            } else {
                commands.entity(quad).despawn();
            }
        }
        for (key, image) in ready {
            if present.contains(&key) {
                continue;
            }
            let (x, y, w, h) = pyramid.tile_region(key.tile);
            let (at, size) = panel.place([x as f32, y as f32, w as f32, h as f32]);
            // Finer tiles just in front of the overview, so they win the depth test.
            let centre = at.extend(if key.tile.level == pyramid.coarsest() {
                0.0
            } else {
                0.0004
            });
            commands.spawn((
                Mesh3d(meshes.add(Rectangle::from_size(size))),
                MeshMaterial3d(materials.add(StandardMaterial {
                    base_color_texture: Some(image),
                    perceptual_roughness: 0.9,
                    ..default()
                })),
                Transform::from_translation(centre),
                // A millimetre from the sheet: its shadow there would only be acne.
                bevy::light::NotShadowCaster,
                PanelTile(key),
                ChildOf(entity),
            ));
        }
    }
}

/// On a panel: its region outlines are drawn, with this region (if any) as the chosen one.
#[derive(Component)]
struct OutlinedFor(Option<String>);

/// One bar of a region's outline on a panel.
#[derive(Component)]
struct PanelRegionOutline;

/// The regions outlined on the sheet in the scene, as in the reader: gold bars a millimetre in
/// front of the tiles, the region last chosen in the reader (by the visitor, a tour or the host
/// page) three times as thick, so after reading the visitor sees where on the sheet it was.
/// Rebuilt only when the chosen region changes.
#[allow(clippy::too_many_arguments)]
fn outline_panel_regions(
    reader: Res<Reader>,
    scans: Res<Scans>,
    panels: Query<(Entity, &ScanPanel, Option<&OutlinedFor>)>,
    outlines: Query<(Entity, &ChildOf), With<PanelRegionOutline>>,
    mut meshes: ResMut<Assets<Mesh>>,
    mut materials: ResMut<Assets<StandardMaterial>>,
    mut gold: Local<Option<Handle<StandardMaterial>>>,
    mut commands: Commands,
) {
    let gold = gold
        .get_or_insert_with(|| {
            materials.add(StandardMaterial {
                base_color: crate::theme::GOLD,
                unlit: true,
                ..default()
            })
        })
        .clone();
    for (panel_entity, panel, outlined) in &panels {
        let Some(entry) = scans.get(&panel.scan) else {
            continue;
        };
        let chosen = reader
            .last_region
            .as_ref()
            .filter(|(scan, _)| *scan == panel.scan)
            .map(|(_, region)| region.clone());
        if outlined.is_some_and(|o| o.0 == chosen) {
            continue;
        }
        for (bar, parent) in &outlines {
            if parent.parent() == panel_entity {
                commands.entity(bar).despawn();
            }
        }
        for region in &entry.scan.regions {
            let rect = region.rect.map(|v| v as f32);
            let [x, y, w, h] = rect;
            if x + w > panel.width_px + 0.5 || y + h > panel.height_px + 0.5 {
                continue; // Off the sheet: said when the scan was read.
            }
            let last_chosen = chosen.as_deref() == Some(region.id.as_str());
            for (at, size) in outline_bars(panel, rect, last_chosen) {
                commands.spawn((
                    Mesh3d(meshes.add(Rectangle::from_size(size))),
                    MeshMaterial3d(gold.clone()),
                    Transform::from_translation(at.extend(0.001)),
                    bevy::light::NotShadowCaster,
                    PanelRegionOutline,
                    ChildOf(panel_entity),
                ));
            }
        }
        commands.entity(panel_entity).insert(OutlinedFor(chosen));
    }
}

/// The four bars (centre, size on the panel) that outline a region of the scan: three times as
/// thick for the region last chosen, so the visitor finds on the sheet what they read.
fn outline_bars(panel: &ScanPanel, rect: [f32; 4], last_chosen: bool) -> [(Vec2, Vec2); 4] {
    let sheet_width = panel.width_px * panel.metres_per_px;
    let t = sheet_width * if last_chosen { 0.006 } else { 0.002 };
    let (Vec2 { x: cx, y: cy }, Vec2 { x: w, y: h }) = panel.place(rect);
    [
        (Vec2::new(cx, cy + h / 2.0), Vec2::new(w + t, t)),
        (Vec2::new(cx, cy - h / 2.0), Vec2::new(w + t, t)),
        (Vec2::new(cx - w / 2.0, cy), Vec2::new(t, h + t)),
        (Vec2::new(cx + w / 2.0, cy), Vec2::new(t, h + t)),
    ]
}

// ----- the sweep (`disan --scan-sweep ID`): memory stays bounded across a whole scan -----

/// The steps of a sweep across a scan: fit, zoom to full resolution in the middle, then at full
/// resolution from corner to corner and along the rows, as a visitor reading every line would.
pub fn sweep_path(pyramid: &TilePyramid, area: Vec2) -> Vec<(DVec2, f64)> {
    let (w, h) = (f64::from(pyramid.width), f64::from(pyramid.height));
    let mut steps = Vec::new();
    let fit = (f64::from(area.x) / w).min(f64::from(area.y) / h) * 0.96;
    let mut scale = fit;
    while scale < 1.0 {
        steps.push((DVec2::new(w / 2.0, h / 2.0), scale));
        scale *= 2.0;
    }
    // Rows at 1:1, alternating direction, 8 rows of 6 stops; the whole sheet twice, so the
    // second pass shows whether memory grows with the distance read or stays where it was.
    let rows = 8usize;
    let cols = 6usize;
    for _pass in 0..SWEEP_PASSES {
        for r in 0..rows {
            let y = h * (r as f64 + 0.5) / rows as f64;
            for c in 0..cols {
                let c = if r % 2 == 0 { c } else { cols - 1 - c };
                let x = w * (c as f64 + 0.5) / cols as f64;
                steps.push((DVec2::new(x, y), 1.0));
            }
        }
        steps.push((DVec2::new(w / 2.0, h / 2.0), fit));
    }
    steps
}

/// How many times the sweep crosses the sheet at full resolution.
pub const SWEEP_PASSES: usize = 2;

#[derive(Default)]
struct SweepProgress {
    steps: Vec<(DVec2, f64)>,
    next: usize,
    frames_waited: u32,
    first_rss_kib: Option<u64>,
    peak_rss_kib: u64,
    /// The memory at each full-resolution step, by pass across the sheet.
    pass_rss_kib: Vec<Vec<u64>>,
    started: bool,
}

#[allow(clippy::too_many_arguments)]
fn sweep(
    config: Res<crate::ViewerConfig>,
    scans: Res<Scans>,
    mut reader: ResMut<Reader>,
    cache: Res<TileCache>,
    assets: Res<AssetServer>,
    windows: Query<&Window>,
    ui_scale: Res<UiScale>,
    mut progress: Local<SweepProgress>,
    mut out: MessageWriter<ScanCommand>,
    mut exit: MessageWriter<AppExit>,
) {
    let Some(id) = &config.scan_sweep else { return };
    let Some(window) = windows.iter().next() else {
        return;
    };
    if !progress.started {
        let Some(entry) = scans.get(id) else {
            if scans.settled() {
                error!("scan-sweep: the exhibit has no scan \"{id}\"");
                exit.write(AppExit::from_code(2));
            }
            return;
        };
        let Some(pyramid) = &entry.pyramid else {
            if entry.failed {
                error!("scan-sweep: the scan \"{id}\" could not be read");
                exit.write(AppExit::from_code(2));
            }
            return;
        };
        let area = picture_area(window, ui_scale.0);
        progress.steps = sweep_path(pyramid, area.size());
        progress.started = true;
        out.write(ScanCommand::Open {
            scan: Some(id.clone()),
            region: None,
        });
        return;
    }
    let Some(view) = reader.open.as_mut() else {
        return;
    };
    // Wait until what this step needs has arrived (or 300 frames), then log and move on.
    let settled = cache.all_wanted_settled(&assets);
    progress.frames_waited += 1;
    if progress.next > 0 && !settled && progress.frames_waited < 300 {
        return;
    }
    if progress.next > 0 {
        let now = current_rss_kib().unwrap_or(0);
        progress.peak_rss_kib = progress.peak_rss_kib.max(now);
        if progress.first_rss_kib.is_none() {
            progress.first_rss_kib = Some(now);
        }
        info!(
            "scan-sweep: step {} scale {:.4} wanted {} resident {} (cap {}) settled {} rss {} KiB",
            progress.next,
            view.scale,
            cache.wanted.len(),
            cache.resident(),
            resident_limit(cache.wanted.len()),
            settled,
            now
        );
        // Full-resolution steps, by pass; the step back to the whole sheet ends a pass.
        let scale = progress.steps[progress.next - 1].1;
        if scale == 1.0 {
            if progress.pass_rss_kib.is_empty() {
                progress.pass_rss_kib.push(Vec::new());
            }
            progress.pass_rss_kib.last_mut().expect("one").push(now);
        } else if progress.pass_rss_kib.last().is_some_and(|p| !p.is_empty()) {
            progress.pass_rss_kib.push(Vec::new());
        }
    }
    if progress.next == progress.steps.len() {
        // The median of each pass: one allocator's breath is not growth, a steady leak is.
        let passes: Vec<String> = progress
            .pass_rss_kib
            .iter()
            .filter(|p| !p.is_empty())
            .map(|p| {
                let mut sorted = p.clone();
                sorted.sort_unstable();
                format!("{} KiB", sorted[sorted.len() / 2])
            })
            .collect();
        info!(
            "scan-sweep: done after {} steps: peak resident {} (cap {}), tiles requested {}, rss first {} KiB peak {} KiB, median of each pass {}",
            progress.steps.len(),
            cache.peak_resident,
            MAX_RESIDENT_TILES,
            cache.requested_total,
            progress.first_rss_kib.unwrap_or(0),
            progress.peak_rss_kib,
            passes.join(" / ")
        );
        exit.write(AppExit::Success);
        progress.next += 1;
        return;
    }
    if progress.next > progress.steps.len() {
        return;
    }
    let (centre, scale) = progress.steps[progress.next];
    view.centre = centre;
    view.scale = scale;
    view.fit_pending = false;
    view.glide = None;
    progress.next += 1;
    progress.frames_waited = 0;
}

/// The process's resident memory now (Linux), for the sweep's log.
fn current_rss_kib() -> Option<u64> {
    #[cfg(target_os = "linux")]
    {
        let status = std::fs::read_to_string("/proc/self/status").ok()?;
        let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
        line.split_whitespace().nth(1)?.parse().ok()
    }
    #[cfg(not(target_os = "linux"))]
    {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_rectangle_of_the_scan_lies_where_it_is_on_the_panel() {
        let panel = ScanPanel {
            scan: "decree".into(),
            metres_per_px: 1.0 / 2048.0,
            width_px: 2048.0,
            height_px: 1024.0,
        };
        assert_eq!(
            panel.place([0.0, 0.0, 2048.0, 1024.0]),
            (Vec2::ZERO, Vec2::new(1.0, 0.5))
        );
        // The scan's top-left quarter (y down) is the panel's upper left (y up).
        assert_eq!(
            panel.place([0.0, 0.0, 1024.0, 512.0]),
            (Vec2::new(-0.25, 0.125), Vec2::new(0.5, 0.25))
        );
    }

    #[test]
    fn the_region_last_chosen_is_outlined_thicker_around_the_same_place() {
        let panel = ScanPanel {
            scan: "decree".into(),
            metres_per_px: 1.0 / 2048.0,
            width_px: 2048.0,
            height_px: 1024.0,
        };
        let seal = [1536.0, 512.0, 256.0, 256.0];
        let (plain, chosen) = (
            outline_bars(&panel, seal, false),
            outline_bars(&panel, seal, true),
        );
        let (place, size) = panel.place(seal);
        for (p, c) in plain.iter().zip(&chosen) {
            // Same bar, same middle; its thin side three times as thick.
            assert_eq!(p.0, c.0);
            let (thin_p, thin_c) = (p.1.min_element(), c.1.min_element());
            assert!((thin_c / thin_p - 3.0).abs() < 1e-4, "{p:?} {c:?}");
        }
        // The bars lie on the region's edges: top, bottom, left, right.
        let half = size / 2.0;
        assert_eq!(chosen[0].0, place + Vec2::new(0.0, half.y));
        assert_eq!(chosen[1].0, place - Vec2::new(0.0, half.y));
        assert_eq!(chosen[2].0, place - Vec2::new(half.x, 0.0));
        assert_eq!(chosen[3].0, place + Vec2::new(half.x, 0.0));
    }

    /// The screen offset from the picture's middle at which a scan point is drawn.
    fn on_screen(point: DVec2, centre: DVec2, scale: f64) -> DVec2 {
        (point - centre) * scale
    }

    #[test]
    fn a_zoom_glides_about_the_point_it_zooms_on() {
        // The whole sheet, then the wheel turned at 200 px right of and 100 px above the middle
        // of the picture, zooming four times closer.
        let from = (DVec2::new(10_000.0, 14_000.0), 0.025);
        let pointer = DVec2::new(200.0, -100.0);
        let under_pointer = from.0 + pointer / from.1;
        let to = (under_pointer - pointer / 0.1, 0.1);
        let glide = Glide::new(from, to, 5.0);
        assert_eq!(glide.at(5.0), (from.0, from.1, false));
        let mut last_scale = from.1;
        for step in 1..30 {
            let (centre, scale, arrived) = glide.at(5.0 + f64::from(step) * 0.01);
            assert!(!arrived || step as f64 * 0.01 >= glide.duration);
            // The scan point under the pointer stays under it all the way.
            let drift = on_screen(under_pointer, centre, scale) - pointer;
            assert!(drift.length() < 1e-6, "step {step}: {drift:?}");
            assert!(scale >= last_scale, "the scale only grows");
            last_scale = scale;
        }
        // It arrives, exactly, in under a second, and eases out: past the middle of the way
        // (in doublings) by the middle of the time.
        assert!(glide.duration > 0.0 && glide.duration < 1.0);
        assert_eq!(glide.at(5.0 + glide.duration), (to.0, to.1, true));
        let (_, mid_scale, _) = glide.at(5.0 + glide.duration / 2.0);
        assert!((mid_scale / from.1).log2() > 1.0, "{mid_scale}");
    }

    #[test]
    fn on_slow_frames_a_glide_takes_its_steps_instead_of_jumping() {
        let from = (DVec2::new(10_000.0, 14_000.0), 0.025);
        let to = (DVec2::new(10_000.0, 14_000.0), 0.05);
        // Frames a third of a second apart (a software renderer), longer than the glide.
        let mut glide = Glide::new(from, to, 0.0);
        assert!(glide.duration < 1.0 / 3.0);
        let mut scales = vec![];
        let mut now = 0.0;
        loop {
            now += 1.0 / 3.0;
            let (_, scale, arrived) = glide.advance(now, 1.0 / 3.0);
            scales.push(scale);
            if arrived {
                break;
            }
        }
        assert_eq!(scales.len(), MIN_GLIDE_FRAMES as usize, "{scales:?}");
        assert!(scales.windows(2).all(|w| w[1] > w[0]), "{scales:?}");
        assert_eq!(*scales.last().unwrap(), to.1);
        // At 60 frames a second the frames are the clock: it lands on time.
        let mut glide = Glide::new(from, to, 0.0);
        let frames = (1..)
            .find(|&n| glide.advance(f64::from(n) / 60.0, 1.0 / 60.0).2)
            .unwrap();
        assert_eq!(f64::from(frames), (glide.duration * 60.0).ceil());
    }

    #[test]
    fn a_pan_at_one_scale_glides_straight() {
        let from = (DVec2::new(100.0, 100.0), 1.0);
        let to = (DVec2::new(900.0, 500.0), 1.0);
        let glide = Glide::new(from, to, 0.0);
        let (centre, scale, _) = glide.at(glide.duration / 2.0);
        assert_eq!(scale, 1.0);
        // On the line between, past halfway (easing out).
        let along = (centre - from.0).dot(to.0 - from.0) / (to.0 - from.0).length_squared();
        let off_line = (centre - from.0).perp_dot(to.0 - from.0).abs() / (to.0 - from.0).length();
        assert!(along > 0.5 && along < 1.0, "{along}");
        assert!(off_line < 1e-9);
    }

    #[test]
    fn a_4k_reader_holds_every_tile_its_view_needs() {
        // Just sharp enough for the finest level (a scan pixel over 0.51 physical pixels): its
        // tiles are at their smallest on screen, so the view needs the most of them.
        let p = TilePyramid::for_image(20_000, 28_000);
        let level = p.level_for(1.0 / 0.51);
        assert_eq!(level, 0);
        let count = |w: f64, h: f64| {
            let (w, h) = (w / 0.51, h / 0.51);
            p.tiles_in(
                level,
                ScanRect {
                    x: 10_000.0 - w / 2.0,
                    y: 14_000.0 - h / 2.0,
                    w,
                    h,
                },
            )
            .len()
        };
        let uhd = count(3840.0, 2160.0);
        assert!(uhd > MAX_RESIDENT_TILES, "{uhd} tiles");
        assert!(resident_limit(uhd) >= uhd + SLACK_TILES);
        // A full-HD screen stays within the fixed cap.
        let hd = count(1920.0, 1080.0);
        assert!(hd + SLACK_TILES <= MAX_RESIDENT_TILES, "{hd} tiles");
        assert_eq!(resident_limit(hd), MAX_RESIDENT_TILES);
    }

    #[test]
    fn a_sweep_reaches_every_corner_at_full_resolution() {
        let p = TilePyramid::for_image(20_000, 28_000);
        let steps = sweep_path(&p, Vec2::new(940.0, 656.0));
        let full: Vec<_> = steps.iter().filter(|(_, s)| *s == 1.0).collect();
        assert_eq!(full.len(), 48 * SWEEP_PASSES);
        assert!(full.iter().any(|(c, _)| c.x < 2_000.0 && c.y < 2_000.0));
        assert!(full.iter().any(|(c, _)| c.x > 18_000.0 && c.y > 26_000.0));
        assert!(steps[0].1 < 0.05, "it starts with the whole sheet");
    }

    #[test]
    fn the_panel_asks_for_finer_tiles_as_the_eye_comes_closer() {
        let p = TilePyramid::for_image(8192, 4096);
        let panel = ScanPanel {
            scan: "s".into(),
            metres_per_px: 1.0 / 8192.0,
            width_px: 8192.0,
            height_px: 4096.0,
        };
        let at = GlobalTransform::IDENTITY;
        // A 1280×720 view with a 45° vertical field of view.
        let look = |z: f32| crate::camera::SharpestView {
            camera: Entity::PLACEHOLDER,
            transform: Transform::from_xyz(0.0, 0.0, z)
                .looking_at(Vec3::ZERO, Vec3::Y)
                .into(),
            px_per_rad: 720.0 / (2.0 * 22.5f32.to_radians().tan()),
            viewport: Vec2::new(1280.0, 720.0),
        };
        // From 3 m the whole 1 m sheet is under 300 pixels high: the overview is enough.
        assert!(panel_tiles(&panel, &at, &p, &look(3.0)).is_empty());
        // From 10 cm, full resolution, only the tiles around the middle.
        let near = panel_tiles(&panel, &at, &p, &look(0.1));
        assert!(!near.is_empty() && near.iter().all(|t| t.level == 0));
        assert!(near.len() < 40, "{} tiles", near.len());
        assert!(
            near.iter()
                .any(|t| t.x == 7 && t.y == 3 || t.x == 8 && t.y == 4)
        );
        // From behind, nothing.
        assert!(panel_tiles(&panel, &at, &p, &look(-0.5)).is_empty());
    }
}
