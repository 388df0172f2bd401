//! 360° panoramas (`[[panoramas]]`): scenes of a walk through a relic, each a photograph cut by
//! `disan pack --as panorama` into multiresolution cube tiles. The scene on screen is a cube
//! around its centre; the camera looks round from that centre ([`CameraRig::look_around`]).
//!
//! The cube's six level-1 faces (one small tile each) are always drawn; over them lie the tiles
//! of the level the screen calls for (the view's pixels per radian against the face's), only
//! those in view, loaded as the visitor turns and freed beyond [`MAX_RESIDENT_TILES`]. Finer
//! levels are drawn on a slightly smaller cube, so they win the depth test and a tile still on
//! its way leaves the coarse face showing, never a hole.
//!
//! Which scene is shown follows the camera: the one whose centre is nearest the point the camera
//! turns about. A link (a marker at its yaw and pitch, with the next scene's name), a tour stop or
//! view placed in another scene, or the host page moves the camera there, behind the veil.
//! Hotspots of other scenes are hidden. Sound sources keep their places in the exhibit's space,
//! so the mix changes from one scene to the next as it would walking through.

use std::collections::HashMap;

use bevy::asset::io::Reader as AssetReader;
use bevy::asset::{AssetLoader, LoadContext, RenderAssetUsages};
use bevy::core_pipeline::tonemapping::Tonemapping;
use bevy::light::NotShadowCaster;
use bevy::mesh::{Indices, PrimitiveTopology};
use bevy::prelude::*;
use disan_format::Panorama;
use disan_format::panorama::{CUBE_HALF_SIZE, CubeFace, CubeTileId, CubeTiles};

use crate::camera::{CameraCommand, CameraRig, ViewerCamera};
use crate::hotspots::{HotspotMarker, MarkerMaterial, marker_material};
use crate::i18n::Language;
use crate::library::{ExhibitLibrary, ExhibitReset};
use crate::loading::{ExhibitModel, ModelSpawned};
use crate::policy::ContentNotice;
use crate::theme::{LocalizedLabel, TextStyle, UiFonts, label};
use crate::{ExhibitScoped, ViewerState};

pub(super) fn plugin(app: &mut App) {
    app.init_asset::<PanoramaConfig>()
        .register_asset_loader(PanoramaConfigLoader)
        .init_resource::<Panoramas>()
        .add_message::<PanoramaCommand>()
        .add_systems(ExhibitReset, reset)
        .add_systems(OnEnter(ViewerState::Exhibit), load_configs)
        .add_systems(
            Update,
            (
                track_configs,
                run_commands,
                show_scene_at_camera,
                want_tiles,
                load_and_place_tiles,
                mark_base_ready,
                show_markers_of_scene,
                place_link_labels,
            )
                .chain()
                .run_if(in_state(ViewerState::Exhibit)),
        );
}

/// The most finer-level tiles held at once where the view needs fewer, and the headset's whole
/// sphere budget: 96 tiles of 512² are 96 MiB of texture, enough for a 4K screen at the finest
/// level (about 40 tiles in a 100° view) twice over.
pub const MAX_RESIDENT_TILES: usize = 96;

/// The most finer-level tiles held when `wanted` are in this frame's view: never fewer than the
/// view needs (a wide field of view on a large screen can want more than the fixed cap), with
/// room for the next turn of the head; the screen bounds it.
pub fn resident_limit(wanted: usize) -> usize {
    MAX_RESIDENT_TILES.max(wanted + 16)
}

/// A scene's `config.json`, read into its tile layout.
#[derive(Asset, TypePath, Debug)]
pub struct PanoramaConfig(pub CubeTiles);

#[derive(Default, TypePath)]
struct PanoramaConfigLoader;

#[derive(Debug, thiserror::Error)]
enum PanoramaConfigError {
    #[error("cannot be read: {0}")]
    Io(#[from] std::io::Error),
    #[error("{0}")]
    Config(#[from] disan_format::panorama::ConfigError),
}

impl AssetLoader for PanoramaConfigLoader {
    type Asset = PanoramaConfig;
    type Settings = ();
    type Error = PanoramaConfigError;

    async fn load(
        &self,
        reader: &mut dyn AssetReader,
        _: &(),
        _: &mut LoadContext<'_>,
    ) -> Result<PanoramaConfig, PanoramaConfigError> {
        let mut bytes = Vec::new();
        reader.read_to_end(&mut bytes).await?;
        let text = String::from_utf8_lossy(&bytes);
        Ok(PanoramaConfig(CubeTiles::from_config_json(&text)?))
    }

    // Chosen by type: a scan's info.json is JSON too (see `crate::scans`).
    fn extensions(&self) -> &[&str] {
        &["json"]
    }
}

/// What the host page, a link or the headset's laser can ask.
#[derive(Message, Clone, Debug, PartialEq)]
pub enum PanoramaCommand {
    /// Step into scene `scene`, facing the way the walk goes (from the scene on screen to it).
    Go { scene: String },
}

/// The scenes of the exhibit on screen, and the tiles of the one shown.
#[derive(Resource, Default)]
pub struct Panoramas {
    scenes: Vec<SceneEntry>,
    /// The scene on screen, by id, and the cube that shows it.
    shown: Option<(String, Entity)>,
    tiles: HashMap<CubeTileId, ShownTile>,
    /// The tiles the view needs this frame.
    wanted: Vec<CubeTileId>,
    frame: u64,
    /// Finer-level tiles requested since the exhibit opened.
    pub requested_total: usize,
    /// The most finer-level tiles held at once since the exhibit opened.
    pub peak_resident: usize,
    /// The level the view asked for last.
    pub level: u8,
    /// Whether the shown scene's six faces have arrived.
    shown_ready: bool,
    /// Whether the tiles are chosen for a headset (the whole sphere) rather than the window.
    whole_sphere: bool,
}

struct SceneEntry {
    scene: Panorama,
    /// The asset path of the folder holding `config.json`, with a trailing `/`.
    folder: String,
    config: Handle<PanoramaConfig>,
    tiles: Option<CubeTiles>,
    failed: bool,
}

struct ShownTile {
    handle: Handle<Image>,
    /// The quad that shows it, once the image has arrived.
    quad: Option<Entity>,
    last_wanted: u64,
    failed: bool,
}

impl Panoramas {
    /// The scene on screen, by id.
    pub fn shown(&self) -> Option<&str> {
        self.shown.as_ref().map(|(id, _)| id.as_str())
    }
    pub fn resident(&self) -> usize {
        self.tiles.len()
    }
    fn entry(&self, id: &str) -> Option<&SceneEntry> {
        self.scenes.iter().find(|e| e.scene.id == id)
    }
    /// Whether the shown scene's wanted tiles have all arrived (or failed): a shot waits for it.
    pub fn settled(&self, assets: &AssetServer) -> bool {
        self.scenes.iter().all(|e| e.tiles.is_some() || e.failed)
            && (self.shown.is_none() || self.shown_ready)
            && self.wanted.iter().all(|id| {
                self.tiles
                    .get(id)
                    .is_some_and(|t| t.failed || (t.quad.is_some() && assets.is_loaded(&t.handle)))
            })
    }
}

/// The cube of the scene on screen: its base faces, and the finer tiles as children.
#[derive(Component)]
struct SceneCube {
    scene: String,
    base: Vec<Handle<Image>>,
}

/// A finer-level tile's quad.
#[derive(Component)]
struct TileQuad;

/// A link's marker in the scene: choosing it (click, tap, laser) goes to `to`.
#[derive(Component, Clone)]
pub struct LinkMarker {
    pub to: String,
    /// The scene it stands in.
    pub scene: String,
    pub anchor: Vec3,
}

/// The link's name over its marker.
#[derive(Component)]
struct LinkLabel(Entity);

fn reset(mut panoramas: ResMut<Panoramas>) {
    *panoramas = Panoramas::default();
}

/// The folder of a scene's `config.json` as an asset path, with a trailing `/`.
fn folder_of(config_path: &str) -> String {
    config_path
        .rsplit_once('/')
        .map_or_else(String::new, |(d, _)| format!("{d}/"))
}

/// A tile's image, held by the renderer only (the decoded pixels leave main memory once on the
/// GPU), as the scan reader's tiles are.
pub(crate) fn load_tile(assets: &AssetServer, path: String) -> Handle<Image> {
    assets
        .load_builder()
        .with_settings(|s: &mut bevy::image::ImageLoaderSettings| {
            s.asset_usage = RenderAssetUsages::RENDER_WORLD;
        })
        .load(path)
}

/// The files the first scene cannot be shown without: its `config.json` and its six level-1
/// faces (whose names need no config: level 1 is one tile a face). The loading screen waits for
/// them as it waits for a model.
pub(crate) fn first_scene_files(
    assets: &AssetServer,
    library: &ExhibitLibrary,
    package: &disan_format::Package,
) -> Vec<(String, UntypedHandle)> {
    let Some(first) = package.manifest.panoramas.first() else {
        return Vec::new();
    };
    let config_path = library.asset_path(package, &first.src);
    let folder = folder_of(&config_path);
    let local = folder_of(first.src.as_str());
    let mut files = vec![(
        first.src.to_string(),
        assets.load::<PanoramaConfig>(config_path).untyped(),
    )];
    for face in CubeFace::ALL {
        let name = CubeTiles::tile_path(base_tile(face));
        files.push((
            format!("{local}{name}"),
            load_tile(assets, format!("{folder}{name}")).untyped(),
        ));
    }
    files
}

fn base_tile(face: CubeFace) -> CubeTileId {
    CubeTileId {
        level: 1,
        face,
        row: 0,
        col: 0,
    }
}

#[allow(clippy::too_many_arguments)]
fn load_configs(
    library: Res<ExhibitLibrary>,
    assets: Res<AssetServer>,
    mut panoramas: ResMut<Panoramas>,
    mut cameras: Query<&mut Tonemapping, With<ViewerCamera>>,
    mut commands: Commands,
    mut meshes: ResMut<Assets<Mesh>>,
    mut materials: ResMut<Assets<MarkerMaterial>>,
    language: Res<Language>,
    fonts: Res<UiFonts>,
) {
    let Some(package) = library.current_package() else {
        return;
    };
    let m = &package.manifest;
    // A photograph is shown as it was taken: tone mapping would flatten its contrast and shift
    // its colours (it is meant for lit scenes, where light can exceed white).
    for mut tonemapping in &mut cameras {
        let wanted = if m.panoramas.is_empty() {
            Tonemapping::default()
        } else {
            Tonemapping::None
        };
        if *tonemapping != wanted {
            *tonemapping = wanted;
        }
    }
    panoramas.scenes = m
        .panoramas
        .iter()
        .map(|scene| {
            let path = library.asset_path(package, &scene.src);
            SceneEntry {
                scene: scene.clone(),
                folder: folder_of(&path),
                config: assets.load(path),
                tiles: None,
                failed: false,
            }
        })
        .collect();
    if m.panoramas.is_empty() {
        return;
    }
    // Links: a white disc ringed in gold, drawn over the photograph, with the next scene's name.
    let disc = meshes.add(Circle::new(0.5).mesh().resolution(40));
    let ring = meshes.add(Annulus::new(0.5, 0.62).mesh().resolution(40));
    let white = materials.add(marker_material(Color::srgba(1.0, 1.0, 1.0, 0.92)));
    let gold = materials.add(marker_material(crate::theme::GOLD.with_alpha(0.95)));
    for scene in &m.panoramas {
        for link in &scene.links {
            let anchor = Vec3::from(scene.marker_at(link.yaw_deg, link.pitch_deg));
            let title = if link.title.is_empty() {
                m.panorama(&link.to)
                    .map(|p| p.title.clone())
                    .unwrap_or_default()
            } else {
                link.title.clone()
            };
            let marker_entity = commands
                .spawn((
                    Mesh3d(disc.clone()),
                    MeshMaterial3d(white.clone()),
                    Transform::from_translation(anchor),
                    LinkMarker {
                        to: link.to.clone(),
                        scene: scene.id.clone(),
                        anchor,
                    },
                    Pickable::default(),
                    crate::framing::NotFramed,
                    NotShadowCaster,
                    ExhibitScoped,
                    Visibility::Hidden,
                    children![(
                        Mesh3d(ring.clone()),
                        MeshMaterial3d(gold.clone()),
                        Transform::from_xyz(0.0, 0.0, -0.01),
                        crate::framing::NotFramed,
                        NotShadowCaster,
                        Pickable::IGNORE,
                    )],
                ))
                .observe(
                    |click: On<Pointer<Click>>,
                     links: Query<&LinkMarker>,
                     mut go: MessageWriter<PanoramaCommand>| {
                        if let Ok(link) = links.get(click.entity) {
                            go.write(PanoramaCommand::Go {
                                scene: link.to.clone(),
                            });
                        }
                    },
                )
                .id();
            let mut arrowed = disan_format::LocalizedText::new();
            for (lang, t) in title.iter() {
                arrowed = arrowed.with(lang.code(), format!("» {t}"));
            }
            commands
                .spawn((
                    Button,
                    Node {
                        position_type: PositionType::Absolute,
                        padding: UiRect::axes(px(14), px(10)),
                        min_height: px(crate::theme::TOUCH_TARGET),
                        align_items: AlignItems::Center,
                        border_radius: BorderRadius::all(px(8)),
                        ..default()
                    },
                    BackgroundColor(Color::srgba(0.08, 0.07, 0.06, 0.85)),
                    Visibility::Hidden,
                    LinkLabel(marker_entity),
                    ExhibitScoped,
                    children![label(
                        &fonts,
                        *language,
                        LocalizedLabel::from_text(&arrowed),
                        TextStyle::Body
                    )],
                ))
                .observe(
                    move |_: On<Pointer<Click>>,
                          links: Query<&LinkMarker>,
                          mut go: MessageWriter<PanoramaCommand>| {
                        if let Ok(link) = links.get(marker_entity) {
                            go.write(PanoramaCommand::Go {
                                scene: link.to.clone(),
                            });
                        }
                    },
                );
        }
    }
}

/// Takes each `config.json` as it arrives; a scene whose config fails is left out with a notice.
fn track_configs(
    assets: Res<AssetServer>,
    configs: Res<Assets<PanoramaConfig>>,
    mut panoramas: ResMut<Panoramas>,
    mut notices: MessageWriter<ContentNotice>,
) {
    for entry in &mut panoramas.scenes {
        if entry.tiles.is_some() || entry.failed {
            continue;
        }
        if let Some(config) = configs.get(&entry.config) {
            info!(
                "panorama: {} is a cube of {} px in {} levels",
                entry.scene.id, config.0.cube, config.0.max_level
            );
            entry.tiles = Some(config.0.clone());
        } else if let Some(bevy::asset::LoadState::Failed(e)) = assets.get_load_state(&entry.config)
        {
            entry.failed = true;
            notices.write(ContentNotice {
                file: entry.scene.src.to_string(),
                reason: format!(
                    "{}; the scene \"{}\" is left out",
                    crate::loading::reason(&e),
                    entry.scene.id
                ),
            });
        }
    }
}

/// Going to a scene: the camera steps to its centre, facing the way from the scene on screen
/// (or the photograph's centre when there is no way to face).
fn run_commands(
    mut commands: MessageReader<PanoramaCommand>,
    panoramas: Res<Panoramas>,
    rig: Res<CameraRig>,
    mut camera: MessageWriter<CameraCommand>,
) {
    for PanoramaCommand::Go { scene } in commands.read() {
        let Some(entry) = panoramas.entry(scene).filter(|e| !e.failed) else {
            warn!("panorama: there is no scene \"{scene}\" to go to");
            continue;
        };
        let eye = Vec3::from(entry.scene.position);
        let along = Vec3::new(eye.x - rig.orbit.target.x, 0.0, eye.z - rig.orbit.target.z);
        let facing = if along.length() > 0.5 {
            along.normalize()
        } else {
            Vec3::from(entry.scene.direction(0.0, 0.0))
        };
        camera.write(CameraCommand::CutTo {
            eye,
            target: eye + facing,
        });
    }
}

/// Shows the scene whose centre is nearest where the camera stands; a new scene's cube replaces
/// the last (its tiles are freed).
fn show_scene_at_camera(
    mut panoramas: ResMut<Panoramas>,
    rig: Res<CameraRig>,
    assets: Res<AssetServer>,
    mut commands: Commands,
    mut meshes: ResMut<Assets<Mesh>>,
    mut materials: ResMut<Assets<StandardMaterial>>,
) {
    // The first scene is shown before the camera knows it looks round (the exhibit is framed
    // by this cube); from then on the scene follows the camera.
    let at = match &panoramas.shown {
        None => panoramas
            .scenes
            .first()
            .map_or(Vec3::ZERO, |e| Vec3::from(e.scene.position)),
        Some(_) if rig.look_around => rig.orbit.target,
        Some(_) => return,
    };
    let Some(nearest) = panoramas
        .scenes
        .iter()
        .filter(|e| !e.failed)
        .min_by(|a, b| {
            let da = Vec3::from(a.scene.position).distance_squared(at);
            let db = Vec3::from(b.scene.position).distance_squared(at);
            da.total_cmp(&db)
        })
        .map(|e| (e.scene.clone(), e.folder.clone()))
    else {
        return;
    };
    let (scene, folder) = nearest;
    if panoramas.shown() == Some(scene.id.as_str()) {
        return;
    }
    if let Some((_, old)) = panoramas.shown.take() {
        commands.entity(old).despawn();
    }
    panoramas.tiles.clear();
    panoramas.wanted.clear();
    panoramas.shown_ready = false;
    panoramas.level = 0;
    let base: Vec<Handle<Image>> = CubeFace::ALL
        .into_iter()
        .map(|face| {
            load_tile(
                &assets,
                format!("{folder}{}", CubeTiles::tile_path(base_tile(face))),
            )
        })
        .collect();
    let heading = Quat::from_rotation_y(-scene.heading_deg.to_radians());
    let root = commands
        .spawn((
            Transform::from_translation(Vec3::from(scene.position)).with_rotation(heading),
            Visibility::default(),
            SceneCube {
                scene: scene.id.clone(),
                base: base.clone(),
            },
            ExhibitModel,
            ExhibitScoped,
        ))
        .id();
    for (face, image) in CubeFace::ALL.into_iter().zip(base) {
        commands.spawn((
            Mesh3d(meshes.add(tile_mesh(face, [0.0, 0.0, 1.0, 1.0], 1))),
            MeshMaterial3d(materials.add(photo_material(image))),
            Transform::default(),
            NotShadowCaster,
            Pickable::IGNORE,
            ChildOf(root),
        ));
    }
    info!("panorama: showing scene \"{}\"", scene.id);
    panoramas.shown = Some((scene.id, root));
}

fn photo_material(image: Handle<Image>) -> StandardMaterial {
    StandardMaterial {
        base_color_texture: Some(image),
        unlit: true,
        cull_mode: None,
        ..default()
    }
}

/// A tile as a quad on its face of the cube, in the cube's own frame (heading 0): `rect` is
/// `[u0, v0, u1, v1]` on the face. Finer levels lie on a slightly smaller cube, in front.
fn tile_mesh(face: CubeFace, rect: [f64; 4], level: u8) -> Mesh {
    let half = f64::from(CUBE_HALF_SIZE) * (1.0 - 0.002 * f64::from(level));
    let [u0, v0, u1, v1] = rect;
    let corners = [(u0, v0), (u1, v0), (u1, v1), (u0, v1)];
    let positions: Vec<[f32; 3]> = corners
        .iter()
        .map(|&(u, v)| face.direction_at(u, v).map(|c| (c * half) as f32))
        .collect();
    let centre = face.basis().0;
    let inward = [-centre[0], -centre[1], -centre[2]];
    Mesh::new(
        PrimitiveTopology::TriangleList,
        RenderAssetUsages::RENDER_WORLD,
    )
    .with_inserted_attribute(Mesh::ATTRIBUTE_POSITION, positions)
    .with_inserted_attribute(Mesh::ATTRIBUTE_NORMAL, vec![inward; 4])
    .with_inserted_attribute(
        Mesh::ATTRIBUTE_UV_0,
        vec![[0.0f32, 0.0], [1.0, 0.0], [1.0, 1.0], [0.0, 1.0]],
    )
    .with_inserted_indices(Indices::U32(vec![0, 1, 2, 0, 2, 3]))
}

/// The tiles of the level the screen calls for, among those in view.
fn want_tiles(
    mut panoramas: ResMut<Panoramas>,
    rig: Res<CameraRig>,
    cameras: Query<(&GlobalTransform, &Camera), With<ViewerCamera>>,
    cubes: Query<&GlobalTransform, With<SceneCube>>,
) {
    panoramas.frame += 1;
    panoramas.wanted.clear();
    let Some((shown, root)) = panoramas.shown.clone() else {
        return;
    };
    let Some(tiles) = panoramas.entry(&shown).and_then(|e| e.tiles.clone()) else {
        return;
    };
    let (Some((camera, cam)), Ok(cube)) = (cameras.iter().next(), cubes.get(root)) else {
        return;
    };
    if !cam.is_active {
        // In a headset the desktop camera is off and the head may look anywhere: the whole
        // sphere, at the finest level whose tiles all fit in the budget.
        let level = (1..=tiles.max_level)
            .rev()
            .find(|&l| 6 * (tiles.tiles_per_side(l) as usize).pow(2) <= MAX_RESIDENT_TILES)
            .unwrap_or(1);
        if panoramas.level != level || !panoramas.whole_sphere {
            info!(
                "panorama: \"{shown}\" whole sphere at level {level} of {} (the headset's view)",
                tiles.max_level
            );
        }
        panoramas.level = level;
        panoramas.whole_sphere = true;
        if level > 1 {
            panoramas.wanted = tiles.all_tiles().filter(|t| t.level == level).collect();
        }
        return;
    }
    let viewport = cam
        .physical_viewport_size()
        .map_or(Vec2::new(1280.0, 720.0), |v| v.as_vec2());
    let px_per_radian = f64::from(viewport.y / (2.0 * (rig.fov_y / 2.0).tan()));
    let level = tiles.level_for(px_per_radian);
    if panoramas.level != level || panoramas.whole_sphere {
        info!(
            "panorama: \"{shown}\" at level {level} of {} for {px_per_radian:.0} px per radian",
            tiles.max_level
        );
    }
    panoramas.level = level;
    panoramas.whole_sphere = false;
    if level <= 1 {
        return;
    }
    // In the cube's frame: the view direction and the half-angle of the view's diagonal.
    let to_cube = cube.rotation().inverse();
    let forward = (to_cube * camera.forward().as_vec3()).as_dvec3();
    let aspect = f64::from(viewport.x / viewport.y.max(1.0));
    let tan_v = f64::from((rig.fov_y / 2.0).tan());
    let half_diagonal = (tan_v * (1.0 + aspect * aspect).sqrt()).atan();
    let n = tiles.tiles_per_side(level);
    let mut wanted = Vec::new();
    for face in CubeFace::ALL {
        for row in 0..n {
            for col in 0..n {
                let id = CubeTileId {
                    level,
                    face,
                    row,
                    col,
                };
                if tile_in_view(face, tiles.tile_uv(id), forward, half_diagonal) {
                    wanted.push(id);
                }
            }
        }
    }
    // Nearest the middle of the view first: those arrive first.
    wanted.sort_by(|a, b| {
        let d = |id: &CubeTileId| {
            let [u0, v0, u1, v1] = tiles.tile_uv(*id);
            let c = id.face.direction_at((u0 + u1) / 2.0, (v0 + v1) / 2.0);
            -bevy::math::DVec3::from(c).normalize().dot(forward)
        };
        d(a).total_cmp(&d(b))
    });
    panoramas.wanted = wanted;
}

/// Whether any of a tile is within `half_diagonal` (radians) of the view direction: the angle to
/// its centre less the angle from its centre to its farthest corner.
pub fn tile_in_view(
    face: CubeFace,
    rect: [f64; 4],
    forward: bevy::math::DVec3,
    half_diagonal: f64,
) -> bool {
    use bevy::math::DVec3;
    let [u0, v0, u1, v1] = rect;
    let centre = DVec3::from(face.direction_at((u0 + u1) / 2.0, (v0 + v1) / 2.0)).normalize();
    let radius = [(u0, v0), (u1, v0), (u1, v1), (u0, v1)]
        .iter()
        .map(|&(u, v)| centre.angle_between(DVec3::from(face.direction_at(u, v))))
        .fold(0.0, f64::max);
    centre.angle_between(forward) <= half_diagonal + radius
}

/// Loads the wanted tiles it lacks, places those that have arrived, and frees, least recently
/// wanted first, those beyond [`resident_limit`].
#[allow(clippy::too_many_arguments)]
fn load_and_place_tiles(
    mut panoramas: ResMut<Panoramas>,
    assets: Res<AssetServer>,
    mut commands: Commands,
    mut meshes: ResMut<Assets<Mesh>>,
    mut materials: ResMut<Assets<StandardMaterial>>,
) {
    let Some((shown, root)) = panoramas.shown.clone() else {
        return;
    };
    let Some((tiles, folder)) = panoramas
        .entry(&shown)
        .and_then(|e| e.tiles.clone().map(|t| (t, e.folder.clone())))
    else {
        return;
    };
    let frame = panoramas.frame;
    let wanted = std::mem::take(&mut panoramas.wanted);
    let limit = resident_limit(wanted.len());
    for id in &wanted {
        if let Some(t) = panoramas.tiles.get_mut(id) {
            t.last_wanted = frame;
            continue;
        }
        if panoramas.tiles.len() >= limit {
            free_idle(&mut panoramas, frame, limit - 1, &mut commands);
            if panoramas.tiles.len() >= limit {
                continue;
            }
        }
        let handle = load_tile(&assets, format!("{folder}{}", CubeTiles::tile_path(*id)));
        panoramas.tiles.insert(
            *id,
            ShownTile {
                handle,
                quad: None,
                last_wanted: frame,
                failed: false,
            },
        );
        panoramas.requested_total += 1;
    }
    panoramas.wanted = wanted;
    for (id, t) in &mut panoramas.tiles {
        if t.quad.is_some() || t.failed {
            continue;
        }
        match assets.get_load_state(&t.handle) {
            Some(bevy::asset::LoadState::Loaded) => {
                let quad = commands
                    .spawn((
                        Mesh3d(meshes.add(tile_mesh(id.face, tiles.tile_uv(*id), id.level))),
                        MeshMaterial3d(materials.add(photo_material(t.handle.clone()))),
                        Transform::default(),
                        NotShadowCaster,
                        Pickable::IGNORE,
                        TileQuad,
                        ChildOf(root),
                    ))
                    .id();
                t.quad = Some(quad);
            }
            Some(bevy::asset::LoadState::Failed(_)) => {
                t.failed = true;
                warn!(
                    "panorama: tile {} of \"{shown}\" could not be loaded; the coarse face shows there",
                    CubeTiles::tile_path(*id)
                );
            }
            _ => {}
        }
    }
    free_idle(&mut panoramas, frame, limit, &mut commands);
    panoramas.peak_resident = panoramas.peak_resident.max(panoramas.tiles.len());
}

fn free_idle(panoramas: &mut Panoramas, frame: u64, limit: usize, commands: &mut Commands) {
    if panoramas.tiles.len() <= limit {
        return;
    }
    let mut idle: Vec<(u64, CubeTileId)> = panoramas
        .tiles
        .iter()
        .filter(|(_, t)| t.last_wanted < frame)
        .map(|(id, t)| (t.last_wanted, *id))
        .collect();
    idle.sort();
    let excess = panoramas.tiles.len() - limit;
    for (_, id) in idle.into_iter().take(excess) {
        if let Some(t) = panoramas.tiles.remove(&id)
            && let Some(quad) = t.quad
        {
            commands.entity(quad).despawn();
        }
    }
}

/// The cube counts as the exhibit's model once its six faces have arrived: then the exhibit is
/// framed, the start-up clock stops and a shot may be taken.
fn mark_base_ready(
    cubes: Query<(Entity, &SceneCube), Without<ModelSpawned>>,
    mut panoramas: ResMut<Panoramas>,
    assets: Res<AssetServer>,
    mut notices: MessageWriter<ContentNotice>,
    mut commands: Commands,
) {
    for (entity, cube) in &cubes {
        let mut settled = true;
        let mut failures = Vec::new();
        for handle in &cube.base {
            match assets.get_load_state(handle) {
                Some(bevy::asset::LoadState::Loaded) => {}
                Some(bevy::asset::LoadState::Failed(e)) => failures.push(e),
                _ => settled = false,
            }
        }
        if settled {
            for e in failures {
                notices.write(ContentNotice {
                    file: cube.scene.clone(),
                    reason: format!(
                        "a face of the scene's smallest level: {}",
                        crate::loading::reason(&e)
                    ),
                });
            }
            commands.entity(entity).insert(ModelSpawned);
            if panoramas.shown() == Some(cube.scene.as_str()) {
                panoramas.shown_ready = true;
            }
        }
    }
}

/// Hotspots and links of the scene on screen only: another scene's stand in the exhibit's space
/// too, and would show through the photograph (markers are drawn over everything).
fn show_markers_of_scene(
    panoramas: Res<Panoramas>,
    library: Res<ExhibitLibrary>,
    mut hotspots: Query<(&HotspotMarker, &mut Visibility), Without<LinkMarker>>,
    mut links: Query<(&LinkMarker, &mut Visibility), Without<HotspotMarker>>,
) {
    let Some(shown) = panoramas.shown() else {
        return;
    };
    let Some(package) = library.current_package() else {
        return;
    };
    let set = |v: &mut Visibility, show: bool| {
        let want = if show {
            Visibility::Inherited
        } else {
            Visibility::Hidden
        };
        if *v != want {
            *v = want;
        }
    };
    for (marker, mut v) in &mut hotspots {
        let scene = package
            .manifest
            .hotspot(&marker.id)
            .and_then(|h| h.panorama.as_ref())
            .map(|s| s.scene.as_str());
        // A hotspot placed in metres belongs to no one scene: it shows in all.
        set(&mut v, scene.is_none_or(|s| s == shown));
    }
    for (link, mut v) in &mut links {
        set(&mut v, link.scene == shown);
    }
}

/// Keeps each link's marker facing the camera at a constant size, and its name just under it.
fn place_link_labels(
    rig: Res<CameraRig>,
    cameras: Query<(&Camera, &GlobalTransform), With<ViewerCamera>>,
    mut markers: Query<(&LinkMarker, &mut Transform, &Visibility)>,
    mut labels: Query<(&LinkLabel, &mut Node, &mut Visibility, &ComputedNode), Without<LinkMarker>>,
) {
    let Some((camera, at)) = cameras.iter().next() else {
        return;
    };
    let eye = at.translation();
    let up = at.up();
    for (link, mut t, _) in &mut markers {
        let distance = eye.distance(link.anchor).max(0.01);
        let size = 2.0 * distance * (rig.fov_y * 0.5).tan() * 0.045;
        *t = Transform::from_translation(link.anchor)
            .looking_at(link.anchor - (eye - link.anchor), up)
            .with_scale(Vec3::splat(size));
    }
    for (label, mut node, mut visibility, computed) in &mut labels {
        let Ok((link, _, marker_visibility)) = markers.get(label.0) else {
            continue;
        };
        let in_front = at.forward().dot(link.anchor - eye) > 0.0;
        let on_screen = in_front
            .then(|| camera.world_to_viewport(at, link.anchor).ok())
            .flatten();
        let show = *marker_visibility != Visibility::Hidden && on_screen.is_some();
        let want = if show {
            Visibility::Inherited
        } else {
            Visibility::Hidden
        };
        if *visibility != want {
            *visibility = want;
        }
        if let Some(p) = on_screen {
            let width = computed.size().x * computed.inverse_scale_factor();
            let left = Val::Px(p.x - width / 2.0);
            let top = Val::Px(p.y + 24.0);
            if node.left != left || node.top != top {
                node.left = left;
                node.top = top;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use bevy::math::DVec3;

    #[test]
    fn only_tiles_near_the_view_are_wanted() {
        let ahead = DVec3::new(0.0, 0.0, -1.0);
        let half = 40f64.to_radians();
        // The front face's middle quarter is in view, the back face's is not.
        assert!(tile_in_view(
            CubeFace::Front,
            [0.25, 0.25, 0.75, 0.75],
            ahead,
            half
        ));
        assert!(!tile_in_view(
            CubeFace::Back,
            [0.25, 0.25, 0.75, 0.75],
            ahead,
            half
        ));
        // The right face's near edge (u 0) is 45° away: in a view 40° wide each way, its first
        // column of tiles is seen, its far column is not.
        assert!(tile_in_view(
            CubeFace::Right,
            [0.0, 0.4, 0.1, 0.6],
            ahead,
            half
        ));
        assert!(!tile_in_view(
            CubeFace::Right,
            [0.9, 0.4, 1.0, 0.6],
            ahead,
            half
        ));
        // Looking straight up, every tile of the up face is in a 100° view.
        let up = DVec3::Y;
        for (u, v) in [(0.0, 0.0), (0.75, 0.75), (0.0, 0.75)] {
            assert!(tile_in_view(
                CubeFace::Up,
                [u, v, u + 0.25, v + 0.25],
                up,
                50f64.to_radians()
            ));
        }
    }

    #[test]
    fn tile_quads_lie_on_their_face_and_finer_ones_in_front() {
        let coarse = tile_mesh(CubeFace::Right, [0.0, 0.0, 1.0, 1.0], 1);
        let fine = tile_mesh(CubeFace::Right, [0.5, 0.5, 1.0, 1.0], 3);
        let xs = |m: &Mesh| -> Vec<f32> {
            match m.attribute(Mesh::ATTRIBUTE_POSITION) {
                Some(bevy::mesh::VertexAttributeValues::Float32x3(p)) => {
                    p.iter().map(|v| v[0]).collect()
                }
                _ => panic!("positions"),
            }
        };
        assert!(
            xs(&coarse)
                .iter()
                .all(|x| (*x - CUBE_HALF_SIZE * 0.998).abs() < 1e-4)
        );
        assert!(
            xs(&fine)
                .iter()
                .all(|x| *x < CUBE_HALF_SIZE * 0.998 && *x > CUBE_HALF_SIZE * 0.99)
        );
    }
}
