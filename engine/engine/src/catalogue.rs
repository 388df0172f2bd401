//! The catalogue screen (docs/catalogue.md): every exhibit of the city's catalogue as a gallery
//! of cards or as places on a map, narrowed by a search box that forgives missing diacritics and
//! Telex leftovers, and by four filters (kind, rank, commune, former district). It reads only the
//! catalogue index (`catalog.json`, written by `disan catalog`): a manifest is fetched when its
//! exhibit is opened, never to fill the screen, so 2 000 entries open at once.
//!
//! Without an index (a folder of packages opened natively) the screen lists the packages the
//! viewer has opened. The map draws XYZ tiles from a configured template (the portal's own tile
//! server, or a folder of tiles on a kiosk) and, without one, plots the places on a plain
//! background with a scale of degrees.

use bevy::input::ButtonState;
use bevy::input::keyboard::{Key, KeyboardInput};
use bevy::input::mouse::{MouseScrollUnit, MouseWheel};
use bevy::prelude::*;
use bevy::ui::RelativeCursorPosition;
use disan_format::Keyword;
use disan_format::catalog::{CatalogEntry, CatalogIndex};
use disan_format::catalog_view::{CatalogBrowser, CatalogFilter, Facet, MapFrame, tile_url};

use crate::i18n::Language;
use crate::library::{ExhibitLibrary, SwitchExhibit};
use crate::theme::{self, LocalizedLabel, TextStyle, UiFonts, button, label, panel};

/// How the catalogue screen starts, as the binary (or the page) found it.
#[derive(Clone, Debug, Default)]
pub struct CatalogueSetup {
    /// The catalogue index, when there is one: read from `catalog.json` beside the packages
    /// natively, fetched by the page in the browser. `Err` says why it could not be used (the
    /// screen then lists the packages the viewer opened, and says so in the log).
    pub index: Option<Result<CatalogIndex, String>>,
    /// Show the screen when the viewer starts (`--catalogue`, `?catalogue`).
    pub open_at_start: bool,
    /// Start on the map rather than the gallery.
    pub start_on_map: bool,
    /// The map's XYZ tile template (`{z}`, `{x}`, `{y}`): a path under the catalogue folder
    /// natively, an http(s) URL in the browser. `None`: a plain coordinate plot.
    pub tiles: Option<String>,
    /// When the binary began to read the index, to log how long the catalogue took to show.
    pub started: Option<bevy::platform::time::Instant>,
}

/// Which face of the catalogue is shown.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum CatalogueView {
    #[default]
    Gallery,
    Map,
}

/// The catalogue as the screen reads it.
#[derive(Resource)]
pub struct CatalogueData {
    pub browser: CatalogBrowser,
    /// Read from an index (else gathered from the packages the viewer opened).
    pub from_index: bool,
    tiles: Option<String>,
}

/// What the visitor has done on the screen: the state every rebuild starts from.
#[derive(Resource, Debug, Default, Clone, PartialEq)]
pub struct CatalogueScreen {
    pub open: bool,
    pub view: CatalogueView,
    pub filter: CatalogFilter,
    /// The gallery's page, from 0.
    pub page: usize,
    /// The exhibit picked on the map, by id (its card shows under the map).
    pub selected: Option<String>,
    /// The map as the visitor dragged and zoomed it; `None`: fitted to the places found.
    pub map: Option<MovedMap>,
}

/// A map the visitor moved, kept for the search and filters it was moved under and the panel
/// size it was moved at: a new search, new filters or a resized window fit the map again to
/// what is found.
#[derive(Debug, Clone, PartialEq)]
pub struct MovedMap {
    pub frame: MapFrame,
    pub filter: CatalogFilter,
}

impl CatalogueScreen {
    /// The visitor's map, while it still belongs to this search, filters and panel size.
    fn moved_map(&self, size: [f64; 2]) -> Option<MapFrame> {
        self.map
            .as_ref()
            .filter(|m| m.filter == self.filter && m.frame.size == size)
            .map(|m| m.frame)
    }

    fn move_map(&mut self, frame: MapFrame) {
        self.map = Some(MovedMap {
            frame,
            filter: self.filter.clone(),
        });
    }
}

/// The map frame on screen (fitted or moved), for the drag, wheel and zoom buttons.
#[derive(Resource, Default)]
struct ShownMap(Option<MapFrame>);

/// The map panel's size as laid out, for the window size it was measured in.
#[derive(Resource, Default)]
struct MapRoom(Option<(Vec2, [f64; 2])>);

/// Whether the screen is built and every picture on it (posters, tiles) has arrived or failed:
/// `disan shot --view catalogue` waits for it.
#[derive(Resource, Default, Debug)]
pub struct CatalogueReady(pub bool);

/// The screen as the host page reads it (`state.catalogue`, docs/embedding.md): absent while
/// closed.
#[derive(Resource, Default, Debug)]
pub struct CatalogueShown(pub Option<CatalogueState>);

#[derive(serde::Serialize, Clone, Debug, PartialEq)]
pub struct CatalogueState {
    pub view: CatalogueView,
    /// The text in the search box.
    pub search: String,
    /// How many exhibits the search and filters let through, of how many.
    pub shown: usize,
    pub entries: usize,
    /// The map, while it is on screen.
    pub map: Option<MapState>,
    /// Where the search box is drawn, in CSS pixels of the canvas (`[left, top, width,
    /// height]`): the browser page lays a real text field over it, so a phone's on-screen
    /// keyboard opens when the box is touched.
    pub search_box: Option<[f32; 4]>,
}

#[derive(serde::Serialize, Clone, Copy, Debug, PartialEq)]
pub struct MapState {
    /// The tile zoom (0: the whole world; 17: a street).
    pub zoom: u8,
    /// The place at the middle of the map, `[lat, lon]`.
    pub centre: [f64; 2],
    /// Dragged or zoomed by the visitor (else fitted to the places found).
    pub moved: bool,
}

/// What a button of the screen does.
#[derive(Component, Clone, Debug, PartialEq)]
pub enum CatalogueAction {
    Open,
    Close,
    Show(CatalogueView),
    /// The next value of a filter (all → each value → all).
    NextValue(Facet),
    ClearAll,
    Page(isize),
    /// Open an exhibit, by id.
    Exhibit(String),
    /// The About panel's link: the map, with this exhibit picked.
    ShowOnMap(String),
    /// The map closer (positive) or farther, around its middle.
    Zoom(i32),
    /// The map fitted again to every place found.
    FitMap,
}

#[derive(Component)]
struct CatalogueRoot;

/// The map's panel: what a drag, a pinch or the wheel moves.
#[derive(Component)]
struct MapPanel;

/// A place on the map, by its exhibit's id: a touch that does not drag picks it.
#[derive(Component)]
struct MapMarker(String);

/// What moves with the finger during a drag (tiles, grid, markers), before the map is redrawn
/// where the drag ends.
#[derive(Component)]
struct MapLayer;

/// The search box, whose place the browser page reads.
#[derive(Component)]
struct SearchBox;

/// The images the screen is waiting for.
#[derive(Resource, Default)]
struct PendingImages(Vec<Handle<Image>>);

/// When the viewer started, to say once how long the catalogue took to show.
#[derive(Resource)]
struct ShownAfter {
    started: Option<bevy::platform::time::Instant>,
    logged: bool,
    timed: bool,
}

pub(super) fn plugin(app: &mut App) {
    let config = app.world().resource::<crate::ViewerConfig>().clone();
    let setup = config.catalogue.clone();
    #[cfg(not(target_family = "wasm"))]
    if config.kiosk.is_some() {
        // A kiosk has its own gallery of the exhibits its configuration names.
        return;
    }
    let mut setup = setup;
    // Natively tiles are files beside the packages (a kiosk needs no network for its map);
    // the browser fetches them from the portal's tile server.
    if cfg!(not(target_family = "wasm"))
        && setup
            .tiles
            .as_deref()
            .is_some_and(|t| t.starts_with("http://") || t.starts_with("https://"))
    {
        warn!(
            "map tiles: the native viewer reads tiles from a folder beside the packages (such as tiles/{{z}}/{{x}}/{{y}}.png), not from a server; the map shows a plain plot"
        );
        setup.tiles = None;
    }
    let data = match &setup.index {
        Some(Ok(index)) => Some(CatalogueData {
            browser: CatalogBrowser::new(index.clone()),
            from_index: true,
            tiles: setup.tiles.clone(),
        }),
        Some(Err(problem)) => {
            error!("{problem}; the catalogue screen lists the packages opened instead");
            None
        }
        None => None,
    };
    if let Some(data) = data {
        app.insert_resource(data);
    }
    app.insert_resource(CatalogueScreen {
        open: setup.open_at_start,
        view: if setup.start_on_map {
            CatalogueView::Map
        } else {
            CatalogueView::Gallery
        },
        ..default()
    })
    .insert_resource(TileTemplate(setup.tiles.clone()))
    .init_resource::<CatalogueReady>()
    .init_resource::<CatalogueShown>()
    .init_resource::<PendingImages>()
    .init_resource::<ShownMap>()
    .init_resource::<MapRoom>()
    .insert_resource(ShownAfter {
        started: setup.started,
        logged: false,
        timed: false,
    })
    .add_systems(PreUpdate, type_into_search.after(bevy::input::InputSystems))
    .add_systems(
        PostUpdate,
        (report_search_box, measure_map_room).after(bevy::ui::UiSystems::Layout),
    )
    .add_systems(
        Update,
        (
            gather_from_library,
            follow_commands,
            move_map,
            run_catalogue_actions,
            build_screen,
            add_catalogue_button,
            report_ready,
        )
            .chain(),
    );
}

#[derive(Resource)]
struct TileTemplate(Option<String>);

/// Without an index: the catalogue is the packages the viewer has opened (natively, the whole
/// folder; in the browser, the manifests as they arrive).
fn gather_from_library(
    library: Res<ExhibitLibrary>,
    data: Option<Res<CatalogueData>>,
    tiles: Res<TileTemplate>,
    mut commands: Commands,
) {
    if data.as_ref().is_some_and(|d| d.from_index) || !(library.is_changed() || data.is_none()) {
        return;
    }
    let entries: Vec<CatalogEntry> = library
        .catalogue
        .entries
        .iter()
        .filter_map(|e| e.as_ref().ok())
        .map(|p| {
            let folder = p
                .root
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            CatalogEntry::from_package(p, &folder, |_| 0).0
        })
        .collect();
    if data
        .as_ref()
        .is_some_and(|d| d.browser.entries().len() == entries.len())
    {
        return;
    }
    commands.insert_resource(CatalogueData {
        browser: CatalogBrowser::new(CatalogIndex::of_the_city(entries)),
        from_index: false,
        tiles: tiles.0.clone(),
    });
}

/// The search box has the keyboard while the screen is open: typed text goes into it, and the
/// viewer's own keys (T for tours, L for language, WASD to walk) are held back from the exhibit.
fn type_into_search(
    mut typed: MessageReader<KeyboardInput>,
    mut keys: ResMut<ButtonInput<KeyCode>>,
    mut screen: ResMut<CatalogueScreen>,
) {
    if !screen.open {
        typed.clear();
        return;
    }
    let mut text = screen.filter.text.clone();
    let mut close = false;
    for key in typed.read() {
        if key.state != ButtonState::Pressed {
            continue;
        }
        match &key.logical_key {
            Key::Backspace => {
                text.pop();
            }
            Key::Escape if !text.is_empty() => text.clear(),
            Key::Escape => close = true,
            Key::Enter | Key::Tab => {}
            _ => {
                if let Some(t) = &key.text {
                    text.extend(t.chars().filter(|c| !c.is_control()));
                }
            }
        }
    }
    keys.reset_all();
    if close {
        screen.open = false;
    } else if text != screen.filter.text && text.chars().count() <= 80 {
        screen.filter.text = text;
        screen.page = 0;
    }
}

/// `open-catalogue` and `close-catalogue` from the host page.
fn follow_commands(
    mut commands: MessageReader<crate::embed::EmbedCommand>,
    mut screen: ResMut<CatalogueScreen>,
) {
    use crate::embed::EmbedCommand;
    for command in commands.read() {
        match command {
            EmbedCommand::OpenCatalogue { view, search } => {
                screen.open = true;
                if let Some(view) = view {
                    screen.view = *view;
                }
                // A search from the host page starts a new search: the filters and the picked
                // place go too (a kiosk's reset).
                if let Some(text) = search {
                    screen.filter = CatalogFilter {
                        text: text.chars().take(80).collect(),
                        ..default()
                    };
                    screen.page = 0;
                    screen.selected = None;
                    screen.map = None;
                }
            }
            EmbedCommand::SearchCatalogue { text } => {
                let text: String = text.chars().filter(|c| !c.is_control()).take(80).collect();
                if text != screen.filter.text {
                    screen.filter.text = text;
                    screen.page = 0;
                }
            }
            EmbedCommand::CloseCatalogue => screen.open = false,
            _ => {}
        }
    }
}

fn run_catalogue_actions(
    pressed: Query<(&Interaction, &CatalogueAction), Changed<Interaction>>,
    data: Option<Res<CatalogueData>>,
    mut screen: ResMut<CatalogueScreen>,
    mut switch: MessageWriter<SwitchExhibit>,
    mut about: ResMut<crate::ui::AboutOpen>,
    shown_map: Res<ShownMap>,
) {
    for (interaction, action) in &pressed {
        if *interaction != Interaction::Pressed {
            continue;
        }
        match action {
            CatalogueAction::Open => screen.open = true,
            CatalogueAction::Close => screen.open = false,
            CatalogueAction::Show(view) => screen.view = *view,
            CatalogueAction::NextValue(facet) => {
                let Some(data) = &data else { continue };
                let values = data.browser.values(*facet);
                let next = match screen.filter.get(*facet) {
                    None => values.first().cloned(),
                    Some(now) => values
                        .iter()
                        .position(|v| v == now)
                        .and_then(|i| values.get(i + 1).cloned()),
                };
                screen.filter.set(*facet, next);
                screen.page = 0;
            }
            CatalogueAction::ClearAll => {
                screen.filter = CatalogFilter::default();
                screen.page = 0;
            }
            CatalogueAction::Page(step) => {
                screen.page = screen.page.saturating_add_signed(*step);
            }
            CatalogueAction::Exhibit(id) => {
                switch.write(SwitchExhibit::Id(id.clone()));
                screen.open = false;
            }
            CatalogueAction::ShowOnMap(id) => {
                about.0 = false;
                *screen = CatalogueScreen {
                    open: true,
                    view: CatalogueView::Map,
                    selected: Some(id.clone()),
                    ..default()
                };
            }
            CatalogueAction::Zoom(steps) => {
                if let Some(frame) = shown_map.0 {
                    let middle = [frame.size[0] / 2.0, frame.size[1] / 2.0];
                    screen.move_map(frame.zoomed(*steps, middle, TILE_ZOOM_MAX));
                }
            }
            CatalogueAction::FitMap => screen.map = None,
        }
    }
}

/// A drag or pinch on the map, from the press to the release.
struct MapGesture {
    /// Where it started, in UI pixels of the window.
    start: Vec2,
    /// How far it has moved.
    moved: Vec2,
    /// Two fingers' distance at the start and now (a pinch).
    spread: Option<(f32, f32)>,
    /// The place under the finger at the start: picked if the finger lifts without dragging.
    marker: Option<String>,
}

/// A drag moves the map with the finger (only the drawn layer while the finger is down; the map
/// is redrawn where it ends, so no tile is fetched mid-drag); a pinch or the wheel zooms around
/// the fingers or the cursor.
#[allow(clippy::too_many_arguments)]
fn move_map(
    panel: Query<(&Interaction, &RelativeCursorPosition), With<MapPanel>>,
    markers: Query<(&Interaction, &MapMarker)>,
    mut layer: Query<&mut Node, With<MapLayer>>,
    mouse: Res<ButtonInput<MouseButton>>,
    touches: Res<Touches>,
    mut wheel: MessageReader<MouseWheel>,
    windows: Query<&Window>,
    ui_scale: Res<UiScale>,
    shown: Res<ShownMap>,
    mut screen: ResMut<CatalogueScreen>,
    mut gesture: Local<Option<MapGesture>>,
    mut wheel_notches: Local<f32>,
) {
    let (Ok((interaction, cursor)), Some(frame)) = (panel.single(), shown.0) else {
        *gesture = None;
        wheel.clear();
        return;
    };
    let scale = ui_scale.0.max(0.01);
    // A wheel's notch is one line, or about a hundred pixels where the system scrolls smoothly
    // (browsers, touchpads): one zoom level per notch.
    for w in wheel.read() {
        *wheel_notches += match w.unit {
            MouseScrollUnit::Line => w.y,
            MouseScrollUnit::Pixel => w.y / 100.0,
        };
    }
    let steps = wheel_notches.trunc();
    *wheel_notches -= steps;
    if steps != 0.0
        && cursor.cursor_over
        && let Some(at) = cursor.normalized
    {
        let around = [
            f64::from(at.x + 0.5) * frame.size[0],
            f64::from(at.y + 0.5) * frame.size[1],
        ];
        screen.move_map(frame.zoomed(steps as i32, around, TILE_ZOOM_MAX));
        return;
    }

    let fingers: Vec<Vec2> = touches.iter().map(|t| t.position() / scale).collect();
    let pointer = if !fingers.is_empty() {
        Some(fingers.iter().copied().sum::<Vec2>() / fingers.len() as f32)
    } else if mouse.pressed(MouseButton::Left) {
        windows
            .iter()
            .next()
            .and_then(Window::cursor_position)
            .map(|p| p / scale)
    } else {
        None
    };
    let spread = (fingers.len() >= 2).then(|| fingers[0].distance(fingers[1]));
    match (gesture.as_mut(), pointer) {
        (None, Some(at)) if *interaction == Interaction::Pressed => {
            *gesture = Some(MapGesture {
                start: at,
                moved: Vec2::ZERO,
                spread: spread.map(|s| (s, s)),
                marker: markers
                    .iter()
                    .find(|(i, _)| **i == Interaction::Pressed)
                    .map(|(_, m)| m.0.clone()),
            });
        }
        (Some(g), Some(at)) => {
            match (g.spread.as_mut(), spread) {
                (Some((_, now)), Some(s)) => *now = s,
                // A second finger joined: the pinch starts from here.
                (None, Some(s)) => g.spread = Some((s, s)),
                _ => {}
            }
            g.moved = at - g.start;
            if let Ok(mut node) = layer.single_mut() {
                node.left = px(g.moved.x);
                node.top = px(g.moved.y);
            }
        }
        // Pressed and lifted within one frame (a quick tap on a slow device): a touch.
        (None, None) if *interaction == Interaction::Pressed => {
            if let Some((_, marker)) = markers.iter().find(|(i, _)| **i == Interaction::Pressed) {
                screen.selected = Some(marker.0.clone());
            }
        }
        (Some(g), None) => {
            let mut next = frame;
            // Less than a few pixels is a touch, not a drag (it picks the place under it, below).
            if g.moved.length() > 6.0 {
                next = next.panned(f64::from(g.moved.x), f64::from(g.moved.y));
            }
            if let Some((from, to)) = g.spread.filter(|(from, _)| *from > 1.0) {
                let steps = (to / from).log2().round() as i32;
                if steps != 0 {
                    let middle = [next.size[0] / 2.0, next.size[1] / 2.0];
                    next = next.zoomed(steps, middle, TILE_ZOOM_MAX);
                }
            }
            if next != frame {
                screen.move_map(next);
            } else {
                if let Ok(mut node) = layer.single_mut() {
                    node.left = px(0);
                    node.top = px(0);
                }
                // A touch, not a drag: the place under it is picked.
                if let Some(id) = g.marker.take() {
                    screen.selected = Some(id);
                }
            }
            *gesture = None;
        }
        _ => {}
    }
}

/// The map panel's room as laid out; when the map was drawn for another size (the first time,
/// from an estimate), it is drawn again for this one.
fn measure_map_room(
    panel: Query<&ComputedNode, With<MapPanel>>,
    windows: Query<&Window>,
    ui_scale: Res<UiScale>,
    shown: Res<ShownMap>,
    mut room: ResMut<MapRoom>,
    mut screen: ResMut<CatalogueScreen>,
) {
    let (Ok(node), Some(frame), Some(window)) = (panel.single(), shown.0, windows.iter().next())
    else {
        return;
    };
    let laid_out = node.size() * node.inverse_scale_factor();
    let measured = [f64::from(laid_out.x.round()), f64::from(laid_out.y.round())];
    if measured[0] < 1.0
        || ((measured[0] - frame.size[0]).abs() < 1.5 && (measured[1] - frame.size[1]).abs() < 1.5)
    {
        return;
    }
    let window = Vec2::new(window.width(), window.height()) / ui_scale.0;
    room.0 = Some((window, measured));
    screen.set_changed();
}

/// The search box's place on the canvas, for the browser page's text field over it.
fn report_search_box(
    search: Query<(&ComputedNode, &bevy::ui::UiGlobalTransform), With<SearchBox>>,
    windows: Query<&Window>,
    mut shown: ResMut<CatalogueShown>,
) {
    let Some(state) = shown.bypass_change_detection().0.as_mut() else {
        return;
    };
    let scale = windows.iter().next().map_or(1.0, Window::scale_factor);
    let rect = search.single().ok().map(|(node, transform)| {
        let size = node.size() / scale;
        let centre = transform.translation / scale;
        let round = |v: f32| (v * 10.0).round() / 10.0;
        [
            round(centre.x - size.x / 2.0),
            round(centre.y - size.y / 2.0),
            round(size.x),
            round(size.y),
        ]
    });
    if state.search_box != rect {
        state.search_box = rect;
        shown.set_changed();
    }
}

/// Columns of cards in a window this wide (logical pixels): as many 260-pixel cards as fit.
fn card_columns(width: f32) -> usize {
    ((width - 32.0) / 276.0).floor().max(1.0) as usize
}

/// Cards per page for a window of this size: as many rows as fit, at least one.
fn cards_per_page(width: f32, height: f32) -> usize {
    let rows = ((height - 250.0) / 150.0).floor().clamp(1.0, 6.0) as usize;
    card_columns(width) * rows
}

/// A card's width: 260 pixels in a grid, the whole width of a phone's single column (less the
/// screen's padding), so its title wraps less and its poster is larger.
fn card_width(width: f32) -> f32 {
    if card_columns(width) == 1 {
        (width - 24.0).clamp(120.0, 560.0)
    } else {
        260.0
    }
}

/// The panel's size for the map, in logical pixels.
fn map_size(width: f32, height: f32) -> [f64; 2] {
    [
        f64::from((width - 32.0).max(200.0)),
        f64::from((height - 160.0).max(160.0)),
    ]
}

const TILE_ZOOM_MAX: u8 = 17;
const SCREEN: Color = Color::srgb(0.08, 0.07, 0.06);
const CARD: Color = Color::srgb(0.22, 0.19, 0.16);
const MAP_PLAIN: Color = Color::srgb(0.16, 0.20, 0.22);
const GRID: Color = Color::srgba(1.0, 1.0, 1.0, 0.10);

/// Rebuilds the screen whenever what it shows changes.
#[allow(clippy::too_many_arguments)]
fn build_screen(
    mut screen: ResMut<CatalogueScreen>,
    data: Option<Res<CatalogueData>>,
    fonts: Res<UiFonts>,
    lang: Res<Language>,
    windows: Query<&Window>,
    ui_scale: Res<UiScale>,
    existing: Query<Entity, With<CatalogueRoot>>,
    assets: Res<AssetServer>,
    library: Res<ExhibitLibrary>,
    mut pending: ResMut<PendingImages>,
    mut shown_after: ResMut<ShownAfter>,
    mut summary: ResMut<CatalogueShown>,
    mut shown_map: ResMut<ShownMap>,
    room: Res<MapRoom>,
    mut commands: Commands,
    mut last_size: Local<Vec2>,
) {
    let size = windows.iter().next().map_or(Vec2::ZERO, |w| {
        Vec2::new(w.width(), w.height()) / ui_scale.0
    });
    let resized = size != *last_size;
    *last_size = size;
    let data_changed = data.as_ref().is_some_and(|d| d.is_changed());
    // The library changes when the exhibit on screen does: its card is framed.
    if !(screen.is_changed()
        || lang.is_changed()
        || data_changed
        || resized
        || library.is_changed())
    {
        return;
    }
    for e in &existing {
        commands.entity(e).despawn();
    }
    pending.0.clear();
    let (true, Some(data), true) = (screen.open, data, size != Vec2::ZERO) else {
        summary.0 = None;
        shown_map.0 = None;
        return;
    };
    let lang = *lang;
    let (width, height) = (size.x, size.y);
    let found = data.browser.matching(&screen.filter);
    let entries = data.browser.entries();
    // The box's place is measured after layout (`report_search_box`); until then it is where
    // it was.
    let search_box = summary.0.as_ref().and_then(|s| s.search_box);
    summary.0 = Some(CatalogueState {
        view: screen.view,
        search: screen.filter.text.clone(),
        shown: found.len(),
        entries: entries.len(),
        map: None,
        search_box,
    });
    shown_map.0 = None;

    let root = commands
        .spawn((
            CatalogueRoot,
            Node {
                position_type: PositionType::Absolute,
                left: px(0),
                right: px(0),
                top: px(0),
                bottom: px(0),
                flex_direction: FlexDirection::Column,
                padding: UiRect::all(px(12)),
                row_gap: px(8),
                ..default()
            },
            // Opaque: blending is linear, so even 3 % of a lit model shows through a dark panel.
            BackgroundColor(SCREEN),
            Interaction::default(),
            GlobalZIndex(5),
        ))
        .id();

    // The header: title, count, the two views, close.
    let count = LocalizedLabel::both(
        format!("{} / {} hiện vật", found.len(), entries.len()),
        format!("{} of {} exhibits", found.len(), entries.len()),
    );
    let header = commands
        .spawn(Node {
            flex_direction: FlexDirection::Row,
            flex_wrap: FlexWrap::Wrap,
            align_items: AlignItems::Center,
            column_gap: px(8),
            ..default()
        })
        .with_children(|h| {
            h.spawn(label(
                &fonts,
                lang,
                LocalizedLabel::both("Danh mục di sản", "Heritage catalogue"),
                TextStyle::Title,
            ));
            h.spawn(label(&fonts, lang, count, TextStyle::Small));
            h.spawn(Node {
                flex_grow: 1.0,
                ..default()
            });
            for (view, vi, en) in [
                (CatalogueView::Gallery, "Danh sách", "Gallery"),
                (CatalogueView::Map, "Bản đồ", "Map"),
            ] {
                let mark = if screen.view == view { "» " } else { "" };
                h.spawn(button(
                    &fonts,
                    lang,
                    LocalizedLabel::both(format!("{mark}{vi}"), format!("{mark}{en}")),
                    CatalogueAction::Show(view),
                ));
            }
            h.spawn(button(
                &fonts,
                lang,
                LocalizedLabel::both("× Đóng", "× Close"),
                CatalogueAction::Close,
            ));
        })
        .id();

    // The search box and the filters.
    let typed = if screen.filter.text.is_empty() {
        LocalizedLabel::both(
            "Gõ tên để tìm (có dấu hay không dấu đều được)",
            "Type a name to search (with or without diacritics)",
        )
    } else {
        LocalizedLabel::same(format!("{}|", screen.filter.text))
    };
    let filters = commands
        .spawn(Node {
            flex_direction: FlexDirection::Row,
            flex_wrap: FlexWrap::Wrap,
            align_items: AlignItems::Center,
            column_gap: px(6),
            row_gap: px(4),
            ..default()
        })
        .with_children(|f| {
            f.spawn((
                SearchBox,
                Node {
                    min_width: px(260.0_f32.min(width - 40.0)),
                    min_height: px(theme::TOUCH_TARGET),
                    padding: UiRect::axes(px(12), px(8)),
                    border: UiRect::all(px(2)),
                    border_radius: BorderRadius::all(px(6)),
                    align_items: AlignItems::Center,
                    ..default()
                },
                BackgroundColor(Color::srgb(0.12, 0.11, 0.10)),
                BorderColor::all(theme::GOLD),
                children![label(&fonts, lang, typed, TextStyle::Body)],
            ));
            for facet in Facet::ALL {
                let value = screen.filter.get(facet);
                f.spawn(button(
                    &fonts,
                    lang,
                    facet_button_label(facet, value),
                    CatalogueAction::NextValue(facet),
                ));
            }
            f.spawn(button(
                &fonts,
                lang,
                LocalizedLabel::both("Xóa lọc", "Clear"),
                CatalogueAction::ClearAll,
            ));
        })
        .id();
    commands.entity(root).add_children(&[header, filters]);

    let view = screen.view;
    match view {
        CatalogueView::Gallery => {
            let per_page = cards_per_page(width, height);
            let pages = found.len().div_ceil(per_page).max(1);
            let page = screen.page.min(pages - 1);
            // "›" on the last page stays there (written back unseen: no second rebuild).
            screen.bypass_change_detection().page = page;
            let grid = commands
                .spawn(Node {
                    flex_direction: FlexDirection::Row,
                    flex_wrap: FlexWrap::Wrap,
                    align_content: AlignContent::FlexStart,
                    column_gap: px(12),
                    row_gap: px(12),
                    flex_grow: 1.0,
                    overflow: Overflow::clip(),
                    ..default()
                })
                .id();
            for &i in found.iter().skip(page * per_page).take(per_page) {
                let card = spawn_card(
                    &mut commands,
                    &fonts,
                    lang,
                    &entries[i],
                    card_width(width),
                    &assets,
                    &library,
                    &mut pending.0,
                );
                commands.entity(grid).add_child(card);
            }
            if found.is_empty() {
                let none = commands
                    .spawn(label(
                        &fonts,
                        lang,
                        LocalizedLabel::both(
                            "Không có hiện vật nào khớp. Thử bỏ bớt chữ hoặc bộ lọc.",
                            "No exhibit matches. Try fewer words or filters.",
                        ),
                        TextStyle::Body,
                    ))
                    .id();
                commands.entity(grid).add_child(none);
            }
            let pager = commands
                .spawn(Node {
                    flex_direction: FlexDirection::Row,
                    justify_content: JustifyContent::Center,
                    align_items: AlignItems::Center,
                    column_gap: px(10),
                    ..default()
                })
                .with_children(|p| {
                    p.spawn(button(
                        &fonts,
                        lang,
                        LocalizedLabel::same("‹"),
                        CatalogueAction::Page(-1),
                    ));
                    p.spawn(label(
                        &fonts,
                        lang,
                        LocalizedLabel::both(
                            format!("Trang {} / {pages}", page + 1),
                            format!("Page {} of {pages}", page + 1),
                        ),
                        TextStyle::Body,
                    ));
                    p.spawn(button(
                        &fonts,
                        lang,
                        LocalizedLabel::same("›"),
                        CatalogueAction::Page(1),
                    ));
                })
                .id();
            commands.entity(root).add_children(&[grid, pager]);
        }
        CatalogueView::Map => {
            let size = room
                .0
                .filter(|(window, _)| *window == Vec2::new(width, height))
                .map_or_else(|| map_size(width, height), |(_, measured)| measured);
            let (map, frame) = spawn_map(
                &mut commands,
                &fonts,
                lang,
                &data,
                &screen,
                &found,
                size,
                &assets,
                &mut pending.0,
            );
            commands.entity(root).add_child(map);
            shown_map.0 = frame;
            if let (Some(frame), Some(state)) = (frame, summary.0.as_mut()) {
                state.map = Some(MapState {
                    zoom: frame.zoom,
                    centre: frame.centre(),
                    moved: screen.moved_map(size).is_some(),
                });
            }
        }
    }
    if !shown_after.logged {
        shown_after.logged = true;
        info!(
            "catalogue: {} entries ({})",
            entries.len(),
            if data.from_index {
                "from catalog.json"
            } else {
                "from the packages opened"
            },
        );
    }
}

fn facet_button_label(facet: Facet, value: Option<&str>) -> LocalizedLabel {
    let (vi, en) = match facet {
        Facet::Kind => ("Loại", "Kind"),
        Facet::Rank => ("Xếp hạng", "Rank"),
        Facet::Commune => ("Xã/phường", "Commune"),
        Facet::FormerDistrict => ("Quận/huyện cũ", "Former district"),
    };
    match value {
        None => LocalizedLabel::both(format!("{vi}: tất cả ›"), format!("{en}: all ›")),
        Some(v) => {
            let named = value_label(facet, v);
            LocalizedLabel::both(
                format!("{vi}: {} ›", named.text("vi")),
                format!("{en}: {} ›", named.text("en")),
            )
        }
    }
}

/// A filter value as visitors read it: kinds and ranks named in words, places as written.
fn value_label(facet: Facet, value: &str) -> disan_format::LocalizedText {
    let named = match facet {
        Facet::Kind => disan_format::ExhibitKind::ALL
            .iter()
            .find(|(w, _)| *w == value)
            .map(|(_, k)| k.label()),
        Facet::Rank => disan_format::HeritageRank::ALL
            .iter()
            .find(|(w, _)| *w == value)
            .map(|(_, r)| r.label()),
        Facet::Commune | Facet::FormerDistrict => None,
    };
    named.unwrap_or_else(|| {
        disan_format::LocalizedText::new()
            .with("vi", value.to_owned())
            .with("en", value.to_owned())
    })
}

/// An entry's title in every language it has.
fn title_of(entry: &CatalogEntry) -> LocalizedLabel {
    let mut text = disan_format::LocalizedText::new();
    for (code, t) in &entry.title {
        text.insert(disan_format::Lang::new(code), t.clone());
    }
    LocalizedLabel::from_text(&text)
}

/// One gallery card: the poster (or the kind's colour), the title, kind and place.
fn spawn_card(
    commands: &mut Commands,
    fonts: &UiFonts,
    lang: Language,
    entry: &CatalogEntry,
    width: f32,
    assets: &AssetServer,
    library: &ExhibitLibrary,
    pending: &mut Vec<Handle<Image>>,
) -> Entity {
    let kind = value_label(Facet::Kind, &entry.kind);
    let place = entry.commune.clone().unwrap_or_default();
    let line = |code: &str| {
        [kind.text(code).to_owned(), place.clone()]
            .into_iter()
            .filter(|s| !s.is_empty())
            .collect::<Vec<_>>()
            .join(" · ")
    };
    // The index is content too: a poster path must name a file inside the catalogue.
    let poster = entry
        .poster
        .as_deref()
        .filter(|p| disan_format::check_package_path(p).is_ok());
    let picture = match poster {
        Some(poster) => {
            let handle: Handle<Image> =
                assets.load(format!("{}://{poster}", crate::library::EXHIBIT_SOURCE));
            pending.push(handle.clone());
            commands
                .spawn((
                    ImageNode::new(handle),
                    Node {
                        width: percent(100),
                        height: px(120),
                        border_radius: BorderRadius::all(px(6)),
                        ..default()
                    },
                ))
                .id()
        }
        None => commands
            .spawn((
                Node {
                    width: percent(100),
                    height: px(36),
                    border_radius: BorderRadius::all(px(6)),
                    ..default()
                },
                BackgroundColor(kind_colour(&entry.kind)),
            ))
            .id(),
    };
    let current = library
        .current_package()
        .is_some_and(|p| p.manifest.id == entry.id);
    let card = commands
        .spawn((
            Button,
            CatalogueAction::Exhibit(entry.id.clone()),
            Node {
                width: px(width),
                min_height: px(120),
                padding: UiRect::all(px(10)),
                flex_direction: FlexDirection::Column,
                row_gap: px(6),
                border: UiRect::all(px(if current { 3.0 } else { 0.0 })),
                border_radius: BorderRadius::all(px(10)),
                ..default()
            },
            BackgroundColor(CARD),
            BorderColor::all(theme::GOLD),
        ))
        .id();
    let title = commands
        .spawn(label(fonts, lang, title_of(entry), TextStyle::Heading))
        .id();
    let detail = commands
        .spawn(label(
            fonts,
            lang,
            LocalizedLabel::both(line("vi"), line("en")),
            TextStyle::Small,
        ))
        .id();
    commands
        .entity(card)
        .add_children(&[picture, title, detail]);
    card
}

/// A colour per kind of heritage, for cards without a poster and for map markers.
fn kind_colour(kind: &str) -> Color {
    match kind {
        "monument" => Color::srgb(0.72, 0.13, 0.10),
        "artifact" => Color::srgb(0.80, 0.55, 0.12),
        "intangible" => Color::srgb(0.25, 0.50, 0.62),
        "document" => Color::srgb(0.42, 0.55, 0.28),
        _ => Color::srgb(0.5, 0.5, 0.5),
    }
}

/// The map: tiles (when configured) or a plain plot, a marker per place, the picked place's card.
#[allow(clippy::too_many_arguments)]
fn spawn_map(
    commands: &mut Commands,
    fonts: &UiFonts,
    lang: Language,
    data: &CatalogueData,
    screen: &CatalogueScreen,
    found: &[usize],
    size: [f64; 2],
    assets: &AssetServer,
    pending: &mut Vec<Handle<Image>>,
) -> (Entity, Option<MapFrame>) {
    let entries = data.browser.entries();
    let placed: Vec<&CatalogEntry> = found
        .iter()
        .map(|&i| &entries[i])
        .filter(|e| e.wgs84.is_some())
        .collect();
    let points: Vec<[f64; 2]> = placed.iter().filter_map(|e| e.wgs84).collect();
    let map = commands
        .spawn((
            MapPanel,
            Interaction::default(),
            RelativeCursorPosition::default(),
            // The room left under the header (which wraps to more rows on a phone): measured
            // after layout, and the map drawn again for it (`measure_map_room`).
            Node {
                width: percent(100),
                flex_grow: 1.0,
                min_height: px(160),
                overflow: Overflow::clip(),
                border_radius: BorderRadius::all(px(8)),
                ..default()
            },
            BackgroundColor(MAP_PLAIN),
        ))
        .id();
    let unplaced = found.len() - placed.len();
    let Some(frame) = screen
        .moved_map(size)
        .or_else(|| MapFrame::fit(&points, size, TILE_ZOOM_MAX))
    else {
        let none = commands
            .spawn(label(
                fonts,
                lang,
                LocalizedLabel::both(
                    "Không hiện vật nào ở đây có tọa độ.",
                    "None of these exhibits has a position.",
                ),
                TextStyle::Body,
            ))
            .id();
        commands.entity(map).add_child(none);
        return (map, None);
    };
    // Tiles, grid and markers move together under a drag.
    let mut children = Vec::new();
    match &data.tiles {
        Some(template) => {
            for tile in frame.tiles() {
                let handle: Handle<Image> = assets.load(tile_asset_path(template, &tile));
                pending.push(handle.clone());
                children.push(
                    commands
                        .spawn((
                            ImageNode::new(handle),
                            Node {
                                position_type: PositionType::Absolute,
                                left: px(tile.left as f32),
                                top: px(tile.top as f32),
                                width: px(disan_format::catalog_view::TILE_PIXELS as f32),
                                height: px(disan_format::catalog_view::TILE_PIXELS as f32),
                                ..default()
                            },
                        ))
                        .id(),
                );
            }
        }
        None => {
            // A plain plot: lines of latitude and longitude at a round step, labelled.
            children.extend(graticule(commands, fonts, lang, &frame));
        }
    }
    for entry in &placed {
        let Some([lat, lon]) = entry.wgs84 else {
            continue;
        };
        let [x, y] = frame.to_panel(lat, lon);
        let picked = screen.selected.as_deref() == Some(entry.id.as_str());
        let dot = if picked { 22.0 } else { 14.0 };
        children.push(
            // Not a `Button`: the theme paints buttons' backgrounds, and a marker's touch area
            // must stay clear over the map.
            commands
                .spawn((
                    Interaction::default(),
                    MapMarker(entry.id.clone()),
                    Node {
                        position_type: PositionType::Absolute,
                        left: px(x as f32 - theme::TOUCH_TARGET / 2.0),
                        top: px(y as f32 - theme::TOUCH_TARGET / 2.0),
                        width: px(theme::TOUCH_TARGET),
                        height: px(theme::TOUCH_TARGET),
                        justify_content: JustifyContent::Center,
                        align_items: AlignItems::Center,
                        ..default()
                    },
                    BackgroundColor(Color::NONE),
                    children![(
                        Node {
                            width: px(dot),
                            height: px(dot),
                            border: UiRect::all(px(2)),
                            border_radius: BorderRadius::MAX,
                            ..default()
                        },
                        BackgroundColor(kind_colour(&entry.kind)),
                        BorderColor::all(if picked { theme::GOLD } else { theme::TEXT }),
                    )],
                ))
                .id(),
        );
    }
    let layer = commands
        .spawn((
            MapLayer,
            Node {
                position_type: PositionType::Absolute,
                left: px(0),
                top: px(0),
                width: px(size[0] as f32),
                height: px(size[1] as f32),
                ..default()
            },
        ))
        .add_children(&children)
        .id();
    let mut children = vec![layer];
    // Closer, farther, and everything found again: for a mouse without a wheel, a touch screen
    // without pinch, and a visitor lost on the map.
    children.push(
        commands
            // On the right, below the tiles' credit: clear of the grid's labels (top and left)
            // and the picked place's card (bottom left).
            .spawn(Node {
                position_type: PositionType::Absolute,
                right: px(8),
                top: px(36),
                flex_direction: FlexDirection::Column,
                align_items: AlignItems::Stretch,
                row_gap: px(6),
                ..default()
            })
            .with_children(|c| {
                c.spawn(button(
                    fonts,
                    lang,
                    LocalizedLabel::same("+"),
                    CatalogueAction::Zoom(1),
                ));
                c.spawn(button(
                    fonts,
                    lang,
                    LocalizedLabel::same("–"),
                    CatalogueAction::Zoom(-1),
                ));
                c.spawn(button(
                    fonts,
                    lang,
                    LocalizedLabel::both("Xem hết", "Show all"),
                    CatalogueAction::FitMap,
                ));
            })
            .id(),
    );
    // The picked place's card, or a line that says how to pick one.
    let picked = screen
        .selected
        .as_deref()
        .and_then(|id| placed.iter().find(|e| e.id == id));
    let note = match picked {
        Some(entry) => {
            let where_ = [entry.commune.clone(), entry.former_district.clone()]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join(", ");
            let [lat, lon] = entry.wgs84.unwrap_or_default();
            let card = commands
                .spawn((
                    panel(Node {
                        position_type: PositionType::Absolute,
                        left: px(8),
                        bottom: px(8),
                        max_width: px((size[0] as f32 - 16.0).min(420.0)),
                        padding: UiRect::all(px(10)),
                        flex_direction: FlexDirection::Column,
                        row_gap: px(4),
                        border_radius: BorderRadius::all(px(8)),
                        ..default()
                    }),
                    BackgroundColor(theme::SIDE_PANEL),
                ))
                .id();
            let title = commands
                .spawn(label(fonts, lang, title_of(entry), TextStyle::Heading))
                .id();
            let place = commands
                .spawn(label(
                    fonts,
                    lang,
                    LocalizedLabel::same(format!("{where_} · {lat:.5}, {lon:.5}")),
                    TextStyle::Small,
                ))
                .id();
            let open = commands
                .spawn(button(
                    fonts,
                    lang,
                    LocalizedLabel::both("Xem hiện vật ›", "Open the exhibit ›"),
                    CatalogueAction::Exhibit(entry.id.clone()),
                ))
                .id();
            commands.entity(card).add_children(&[title, place, open]);
            card
        }
        None => {
            let text = if unplaced > 0 {
                LocalizedLabel::both(
                    format!(
                        "Chạm vào một điểm để xem hiện vật. {unplaced} hiện vật chưa có tọa độ."
                    ),
                    format!(
                        "Touch a place to see its exhibit. {unplaced} exhibits have no position yet."
                    ),
                )
            } else {
                LocalizedLabel::both(
                    "Chạm vào một điểm để xem hiện vật.",
                    "Touch a place to see its exhibit.",
                )
            };
            commands
                .spawn((
                    Node {
                        position_type: PositionType::Absolute,
                        left: px(8),
                        bottom: px(6),
                        max_width: px(size[0] as f32 - 16.0),
                        padding: UiRect::axes(px(8), px(4)),
                        border_radius: BorderRadius::all(px(4)),
                        ..default()
                    },
                    BackgroundColor(theme::PANEL),
                    children![label(fonts, lang, text, TextStyle::Small)],
                ))
                .id()
        }
    };
    children.push(note);
    if data.tiles.is_some() {
        // Tile servers ask for their credit on the map.
        children.push(
            commands
                .spawn((
                    Node {
                        position_type: PositionType::Absolute,
                        right: px(4),
                        top: px(4),
                        padding: UiRect::axes(px(6), px(2)),
                        ..default()
                    },
                    BackgroundColor(theme::PANEL),
                    children![label(
                        fonts,
                        lang,
                        LocalizedLabel::both(
                            "Nền bản đồ: máy chủ bản đồ của thành phố",
                            "Map tiles: the city's tile server"
                        ),
                        TextStyle::Small
                    )],
                ))
                .id(),
        );
    }
    commands.entity(map).add_children(&children);
    (map, Some(frame))
}

/// Lines of latitude and longitude across a plain map, at a round step for its zoom.
fn graticule(
    commands: &mut Commands,
    fonts: &UiFonts,
    lang: Language,
    frame: &MapFrame,
) -> Vec<Entity> {
    // The degrees a line of the grid stands for: about four to eight lines across the panel.
    let span = frame.size[0]
        / (disan_format::catalog_view::TILE_PIXELS * f64::from(1u32 << frame.zoom))
        * 360.0;
    let step = [
        10.0, 5.0, 2.0, 1.0, 0.5, 0.2, 0.1, 0.05, 0.02, 0.01, 0.005, 0.002, 0.001,
    ]
    .into_iter()
    .find(|s| span / s >= 4.0)
    .unwrap_or(0.001);
    let top_left = frame.to_place(0.0, 0.0);
    let bottom_right = frame.to_place(frame.size[0], frame.size[1]);
    let mut lines = Vec::new();
    let mut lon = (top_left[1] / step).ceil() * step;
    while lon <= bottom_right[1] {
        let [x, _] = frame.to_panel(top_left[0], lon);
        lines.push(grid_line(
            commands,
            fonts,
            lang,
            x as f32,
            true,
            format!("{lon:.3}°E"),
        ));
        lon += step;
    }
    let mut lat = (bottom_right[0] / step).ceil() * step;
    while lat <= top_left[0] {
        let [_, y] = frame.to_panel(lat, top_left[1]);
        lines.push(grid_line(
            commands,
            fonts,
            lang,
            y as f32,
            false,
            format!("{lat:.3}°N"),
        ));
        lat += step;
    }
    lines
}

fn grid_line(
    commands: &mut Commands,
    fonts: &UiFonts,
    lang: Language,
    at: f32,
    vertical: bool,
    text: String,
) -> Entity {
    let node = if vertical {
        Node {
            position_type: PositionType::Absolute,
            left: px(at),
            top: px(0),
            bottom: px(0),
            width: px(1),
            ..default()
        }
    } else {
        Node {
            position_type: PositionType::Absolute,
            top: px(at),
            left: px(0),
            right: px(0),
            height: px(1),
            ..default()
        }
    };
    let line = commands.spawn((node, BackgroundColor(GRID))).id();
    let tag = commands
        .spawn((
            Node {
                position_type: PositionType::Absolute,
                // A line of latitude's label sits above its line, or below it where the line
                // runs along the map's top edge (it would be cut off).
                left: px(if vertical { 3.0 } else { 4.0 }),
                top: px(if vertical || at < 22.0 { 2.0 } else { -18.0 }),
                ..default()
            },
            children![label(
                fonts,
                lang,
                LocalizedLabel::same(text),
                TextStyle::Small
            )],
        ))
        .id();
    commands.entity(line).add_child(tag);
    line
}

/// A tile's asset path: an http(s) template as it is (the browser fetches it), any other a
/// path under the catalogue folder, served by the `exhibits` source's sibling `tiles`.
pub fn tile_asset_path(template: &str, tile: &disan_format::catalog_view::PlacedTile) -> String {
    let url = tile_url(template, tile);
    if url.starts_with("http://") || url.starts_with("https://") {
        url
    } else {
        format!("{TILE_SOURCE}://{}", url.trim_start_matches('/'))
    }
}

/// The asset source of map tiles kept beside the packages (a kiosk without the internet).
pub const TILE_SOURCE: &str = "tiles";

/// A "Danh mục · Catalogue" button among the HUD's tools.
fn add_catalogue_button(
    fonts: Res<UiFonts>,
    lang: Res<Language>,
    tools: Query<Entity, Added<crate::ui::HudTools>>,
    mut commands: Commands,
) {
    let Ok(tools) = tools.single() else { return };
    let open = commands
        .spawn(button(
            &fonts,
            *lang,
            LocalizedLabel::both("Danh mục", "Catalogue"),
            CatalogueAction::Open,
        ))
        .id();
    commands.entity(tools).insert_children(0, &[open]);
}

/// Whether the screen is built and its pictures have arrived (or failed).
fn report_ready(
    screen: Res<CatalogueScreen>,
    root: Query<(), With<CatalogueRoot>>,
    pending: Res<PendingImages>,
    assets: Res<AssetServer>,
    mut ready: ResMut<CatalogueReady>,
    mut shown_after: ResMut<ShownAfter>,
    shown: Res<CatalogueShown>,
    preparing: Option<Res<crate::content_guard::TexturesInPreparation>>,
) {
    // Posters are exhibit images: mipmapped off the main thread before they are drawn.
    let settled = preparing.is_none_or(|p| p.is_empty())
        && pending.0.iter().all(|h| {
            matches!(
                assets.load_state(h.id()),
                bevy::asset::LoadState::Loaded | bevy::asset::LoadState::Failed(_)
            )
        });
    let now = screen.open && !root.is_empty() && settled;
    if ready.0 != now {
        ready.0 = now;
    }
    // The first time the screen stands complete: how long from reading the index (a benchmark
    // figure, docs/catalogue.md).
    if now && !shown_after.timed {
        shown_after.timed = true;
        if let Some(started) = shown_after.started {
            info!(
                "catalogue-on-screen-ms={} entries={}",
                started.elapsed().as_millis(),
                shown.0.as_ref().map_or(0, |s| s.entries)
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_hold_at_least_one_card_and_fit_the_window() {
        assert_eq!(
            cards_per_page(390.0, 844.0),
            3,
            "a phone in portrait: one column of three"
        );
        assert!(cards_per_page(1280.0, 720.0) >= 8);
        assert_eq!(cards_per_page(100.0, 100.0), 1);
    }

    #[test]
    fn tiles_come_from_the_tile_server_or_the_catalogue_folder() {
        let tile = disan_format::catalog_view::PlacedTile {
            z: 12,
            x: 3261,
            y: 1805,
            left: 0.0,
            top: 0.0,
        };
        assert_eq!(
            tile_asset_path("https://tiles.haiphong.gov.vn/{z}/{x}/{y}.png", &tile),
            "https://tiles.haiphong.gov.vn/12/3261/1805.png"
        );
        assert_eq!(
            tile_asset_path("tiles/{z}/{x}/{y}.png", &tile),
            "tiles://tiles/12/3261/1805.png"
        );
    }

    #[test]
    fn the_plain_map_grid_reads_back_the_places_it_shows() {
        let frame = MapFrame::fit(&[[20.80, 106.60], [20.95, 106.80]], [800.0, 500.0], 17).unwrap();
        let [x, y] = frame.to_panel(20.85, 106.70);
        let [lat, lon] = frame.to_place(x, y);
        assert!((lat - 20.85).abs() < 1e-9 && (lon - 106.70).abs() < 1e-9);
    }
}
