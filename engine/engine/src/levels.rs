//! Progressive levels of detail. A model packed by `disan pack` comes in levels (thumb, low,
//! medium, high); the viewer shows the lightest first, framed from the manifest's bounds so that
//! nothing moves when a better level replaces it, then fetches the level the device and the
//! screen call for, and swaps it in once it has loaded and spawned: the old level stays on
//! screen until the new one is there, so no frame is empty.
//!
//! Which level: the lightest whose simplification error, seen from the camera, is under one
//! pixel, never above the device's cap (a phone or a WebGL2 browser does not fetch "high"). As
//! the visitor comes closer the rule asks for more, and the better level is fetched then. A
//! level never goes back down during a visit (it is already paid for).
//!
//! Every level is its own static file, so any web server or CDN caches it.
//!
//! A level may come again with its textures in a GPU's own format (`gpu_textures`, written by
//! `disan pack`): where the device samples one, that copy is fetched instead (no decoding or
//! mipmapping here, a quarter to an eighth of the GPU memory), see [`gpu_textures_to_fetch`].

use bevy::asset::RecursiveDependencyLoadState;
use bevy::gltf::GltfAssetLabel;
use bevy::image::CompressedImageFormats;
use bevy::prelude::*;
use bevy::world_serialization::{WorldAsset, WorldInstanceReady};
use disan_format::{GpuTextureFormat, Keyword, Lod, LodQuality, Model};

use crate::camera::ViewerCamera;
use crate::framing::{Bounds, ExhibitBounds, NotFramed};
use crate::library::{ExhibitLibrary, ExhibitReset};
use crate::loading::{ExhibitModel, ModelSpawned};
use crate::policy::ContentNotice;
use crate::{ExhibitScoped, ViewerState};

pub(super) fn plugin(app: &mut App) {
    app.init_resource::<ModelLevels>()
        .init_resource::<EmptyFrames>()
        .add_systems(
            ExhibitReset,
            |mut levels: ResMut<ModelLevels>, mut empty: ResMut<EmptyFrames>| {
                // Dropping the pending handles lets the asset server discard what is still coming.
                *levels = ModelLevels::default();
                empty.0 = 0;
            },
        )
        .add_systems(
            Update,
            (
                ask_for_detail,
                fetch_levels,
                swap_in_arrived_levels,
                retire_replaced_levels,
            )
                .chain()
                .run_if(in_state(ViewerState::Exhibit)),
        )
        .add_systems(
            Last,
            watch_for_empty_frames.run_if(in_state(ViewerState::Exhibit)),
        );
}

/// How much detail this device may be sent, whatever the screen asks.
/// `backend` is the renderer's (absent in tests without one).
pub fn device_cap(
    config: &crate::ViewerConfig,
    window: Option<&Window>,
    backend: Option<wgpu_types::Backend>,
) -> LodQuality {
    if let Some(forced) = config.lod {
        return forced;
    }
    // A phone-sized window (either side under 600 logical pixels): phones have the least
    // memory and GPU, and usually the slowest link.
    let small = window.is_some_and(|w| w.width().min(w.height()) < 600.0);
    // WebGL2 (wgpu's GL backend in a browser): school PCs with integrated GPUs and a
    // single-threaded renderer.
    let webgl2 =
        cfg!(target_family = "wasm") && backend.is_some_and(|b| b == wgpu_types::Backend::Gl);
    if small {
        LodQuality::Low
    } else if webgl2 {
        LodQuality::Medium
    } else {
        LodQuality::High
    }
}

/// One model's levels and where it is with them.
#[derive(Debug)]
pub struct ModelLevel {
    pub model_id: String,
    /// Lightest first; the last is the model's `src`.
    pub levels: Vec<Lod>,
    transform: Transform,
    /// The model's box as the manifest gives it (in the model's own frame).
    declared_bounds: Option<disan_format::ModelBounds>,
    /// The level on screen (index into `levels`), once spawned.
    pub shown: Option<usize>,
    /// The best level wanted so far.
    pub target: usize,
    /// The best level allowed on this device.
    cap: usize,
    /// A level being fetched.
    pending: Option<(usize, Handle<WorldAsset>)>,
    /// A level spawned and waiting for its scene to be ready before it replaces `shown`.
    arriving: Option<(usize, Entity)>,
    /// The entity of the level on screen.
    entity: Option<Entity>,
    /// A level that failed to load: nothing above it is tried again this visit.
    failed_at: Option<usize>,
}

impl ModelLevel {
    pub fn quality(&self, i: usize) -> LodQuality {
        self.levels[i].quality
    }
    /// Whether the model shows the best level it will get (for `disan shot` and tests).
    pub fn settled(&self) -> bool {
        self.pending.is_none()
            && self.arriving.is_none()
            && (self.shown == Some(self.target) || self.failed_at.is_some())
    }
}

/// The levels of the exhibit's models.
#[derive(Resource, Default, Debug)]
pub struct ModelLevels {
    pub models: Vec<ModelLevel>,
}

impl ModelLevels {
    pub fn settled(&self) -> bool {
        self.models.iter().all(ModelLevel::settled)
    }

    /// The exhibit's box from the manifest, when it gives every model's: the viewer frames from
    /// it, so the view does not move when a better level (with a slightly different measured
    /// box) replaces the thumb.
    pub fn declared_bounds(&self) -> Option<Bounds> {
        self.models
            .iter()
            .map(|m| {
                let b = m.declared_bounds?;
                let aabb = bevy::camera::primitives::Aabb::from_min_max(
                    Vec3::from(b.min),
                    Vec3::from(b.max),
                );
                Some(Bounds::of_aabb(&aabb, &GlobalTransform::from(m.transform)))
            })
            .reduce(|a, b| Some(a?.union(b?)))
            .flatten()
    }
}

/// Frames drawn in the exhibit with no part of the model visible, since it was framed (the
/// headless test requires none while levels swap).
#[derive(Resource, Default)]
pub struct EmptyFrames(pub u32);

/// Marks the entity of one level of one model.
#[derive(Component, Debug, Clone, Copy)]
pub struct LevelOf {
    pub model: usize,
    pub level: usize,
}

/// Which textures a level is fetched with (`--textures`, `?textures=`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum TextureChoice {
    /// As [`gpu_textures_to_fetch`] decides for the device.
    #[default]
    Auto,
    /// The JPEG/PNG levels, never a copy (a benchmark's baseline, a GPU that misdraws one).
    Jpeg,
    /// This copy wherever the device samples it (the JPEG level where it does not): tests,
    /// benchmarks, and kiosks with a known GPU and network.
    Only(GpuTextureFormat),
}

impl TextureChoice {
    /// `auto`, `jpeg`, or a copy's format as the manifest names it (`bc7`, `etc2`).
    pub fn parse(word: &str) -> Option<Self> {
        match word {
            "auto" => Some(Self::Auto),
            "jpeg" => Some(Self::Jpeg),
            other => GpuTextureFormat::parse(other).map(Self::Only),
        }
    }
}

/// Whether the device samples `format`.
fn samples(support: CompressedImageFormats, format: GpuTextureFormat) -> bool {
    match format {
        GpuTextureFormat::Bc7 => support.contains(CompressedImageFormats::BC),
        GpuTextureFormat::Etc2 => support.contains(CompressedImageFormats::ETC2),
    }
}

/// The `gpu_textures` copies worth fetching on this device, best first: those its GPU samples.
///
/// - Natively BC7 (desktop GPUs) before ETC2 (mobile GPUs, standalone headsets): the files are
///   on the disk or the museum's network, and the GPU is spared decoding and 4 bytes a pixel.
/// - In a browser ETC2 only (phones, tablets, headsets' browsers), at about 1.5 times the JPEG
///   level's bytes; BC7 is about 3 times (8 bits a pixel against JPEG's ~2 plus Zstandard),
///   which a desktop browser on a school link pays for longer than decoding the JPEG costs it.
///
/// `choice` overrides the policy, never the device: a copy it cannot sample is not fetched.
pub fn gpu_textures_to_fetch(
    support: Option<CompressedImageFormats>,
    choice: TextureChoice,
) -> Vec<GpuTextureFormat> {
    let Some(support) = support else {
        return Vec::new();
    };
    let wanted: &[GpuTextureFormat] = match choice {
        TextureChoice::Jpeg => &[],
        TextureChoice::Only(format) => &[format][..],
        TextureChoice::Auto if cfg!(target_family = "wasm") => &[GpuTextureFormat::Etc2],
        TextureChoice::Auto => &[GpuTextureFormat::Bc7, GpuTextureFormat::Etc2],
    };
    wanted
        .iter()
        .copied()
        .filter(|f| samples(support, *f))
        .collect()
}

/// What the device may be sent: its level cap (`forced`: `--lod`, `?lod=`, which is also the
/// level wanted whatever the screen says) and the GPU texture formats it samples, best first.
#[derive(Clone, Copy, Debug)]
pub struct DevicePlan<'a> {
    pub cap: LodQuality,
    pub forced: bool,
    pub textures: &'a [GpuTextureFormat],
}

/// The first level to show and the one to fetch next, for a model about to load, each level as
/// this device fetches it (its GPU texture copy where there is one the device samples).
/// `px_per_metre` is how many pixels a metre covers at the start view.
pub fn plan(
    model: &Model,
    device: DevicePlan<'_>,
    px_per_metre: Option<f32>,
) -> (Vec<Lod>, usize, usize) {
    let levels: Vec<Lod> = model
        .levels()
        .iter()
        .map(|l| l.for_device(device.textures))
        .collect();
    let cap_index = cap_index(&levels, device.cap);
    let wanted = match px_per_metre {
        Some(px) if !device.forced => needed_level(&levels, px).min(cap_index),
        _ => cap_index,
    };
    (levels, 0, wanted)
}

/// The best level at or under `cap` (the lightest if all are above it).
fn cap_index(levels: &[Lod], cap: LodQuality) -> usize {
    levels.iter().rposition(|l| l.quality <= cap).unwrap_or(0)
}

/// The lightest level whose error covers under one pixel; the full model if no level says its
/// error (nothing to go by).
pub fn needed_level(levels: &[Lod], px_per_metre: f32) -> usize {
    levels
        .iter()
        .position(|l| l.error.is_some_and(|e| e * px_per_metre <= 1.0))
        .unwrap_or(levels.len() - 1)
}

/// Registers a model's levels as the exhibit starts loading; returns the file to load first.
pub fn register(
    levels_res: &mut ModelLevels,
    model: &Model,
    device: DevicePlan<'_>,
    transform: Transform,
    px_per_metre: Option<f32>,
) -> Lod {
    let (levels, first, target) = plan(model, device, px_per_metre);
    let first_level = levels[first].clone();
    let cap = cap_index(&levels, device.cap);
    levels_res.models.push(ModelLevel {
        model_id: model.id.clone(),
        levels,
        transform,
        declared_bounds: model.bounds,
        shown: None,
        target: target.max(first),
        cap,
        pending: None,
        arriving: None,
        entity: None,
        failed_at: None,
    });
    first_level
}

/// Spawns the first level of model `index` (called by loading once the exhibit's files are in).
pub fn spawn_first(
    commands: &mut Commands,
    levels: &mut ModelLevels,
    index: usize,
    handle: Handle<WorldAsset>,
) {
    let Some(m) = levels.models.get_mut(index) else {
        return;
    };
    let entity = spawn_level(commands, handle, m.transform, index, 0);
    m.entity = Some(entity);
    m.shown = Some(0);
    info!(
        "level: model {} shows {} first",
        m.model_id,
        m.quality(0).word()
    );
}

/// Starts loading one level. Meshes and textures go to the render world only unless something
/// ray-casts against them ([`crate::ViewerConfig::ray_cast_models`]): nothing else reads them on
/// the CPU (framing reads the bounds glTF gives, textures are prepared in the frame they
/// arrive), and a million-triangle level with a 4K texture would otherwise be held twice.
pub fn load_level(assets: &AssetServer, path: String, ray_cast: bool) -> Handle<WorldAsset> {
    use bevy::asset::RenderAssetUsages;
    let usage = if ray_cast {
        RenderAssetUsages::default()
    } else {
        RenderAssetUsages::RENDER_WORLD
    };
    assets
        .load_builder()
        .with_settings(move |s: &mut bevy::gltf::GltfLoaderSettings| {
            s.load_meshes = usage;
            s.load_materials = usage;
        })
        .load(GltfAssetLabel::Scene(0).from_asset(path))
}

fn spawn_level(
    commands: &mut Commands,
    handle: Handle<WorldAsset>,
    transform: Transform,
    model: usize,
    level: usize,
) -> Entity {
    commands
        .spawn((
            WorldAssetRoot(handle),
            transform,
            ExhibitModel,
            ExhibitScoped,
            LevelOf { model, level },
        ))
        .observe(|ready: On<WorldInstanceReady>, mut commands: Commands| {
            commands.entity(ready.entity).insert(ModelSpawned);
        })
        .id()
}

/// Pixels per metre at the nearest point of the exhibit from the camera.
fn px_per_metre_at_camera(
    camera: &Transform,
    projection: &Projection,
    window_height: f32,
    bounds: Bounds,
) -> Option<f32> {
    let Projection::Perspective(p) = projection else {
        return None;
    };
    let nearest = camera.translation.clamp(bounds.min, bounds.max);
    let distance = camera
        .translation
        .distance(nearest)
        .max(bounds.radius() * 0.02)
        .max(0.01);
    Some(window_height / (2.0 * distance * (p.fov * 0.5).tan()))
}

/// As the camera comes closer, ask for the level the screen now needs (within the cap).
fn ask_for_detail(
    mut levels: ResMut<ModelLevels>,
    bounds: Res<ExhibitBounds>,
    camera: Query<(&Transform, &Projection), With<ViewerCamera>>,
    windows: Query<&Window>,
) {
    let (Some(bounds), Ok((transform, projection))) = (bounds.0, camera.single()) else {
        return;
    };
    let height = windows
        .iter()
        .next()
        .map_or(720.0, |w| w.physical_height() as f32);
    let Some(px) = px_per_metre_at_camera(transform, projection, height, bounds) else {
        return;
    };
    for m in &mut levels.models {
        let wanted = needed_level(&m.levels, px / m.transform.scale.x.max(1e-6)).min(m.cap);
        let ceiling = m.failed_at.unwrap_or(usize::MAX);
        if wanted > m.target && wanted < ceiling {
            info!(
                "level: model {} needs {} ({:.0} px a metre)",
                m.model_id,
                m.quality(wanted).word(),
                px
            );
            m.target = wanted;
        }
    }
}

/// Starts fetching the target level of each model not already at it or fetching.
fn fetch_levels(
    mut levels: ResMut<ModelLevels>,
    library: Res<ExhibitLibrary>,
    assets: Res<AssetServer>,
    config: Res<crate::ViewerConfig>,
) {
    let Some(package) = library.current_package() else {
        return;
    };
    for m in &mut levels.models {
        let Some(shown) = m.shown else { continue };
        if m.pending.is_some() || m.arriving.is_some() || m.target <= shown {
            continue;
        }
        let level = &m.levels[m.target];
        let path = library.asset_path(package, &level.src);
        let handle = load_level(&assets, path, config.ray_cast_models);
        info!(
            "level: fetching {} of model {} ({}, {})",
            level.quality.word(),
            m.model_id,
            level.src,
            level
                .bytes
                .map_or("size unknown".into(), |b| format!("{b} bytes"))
        );
        m.pending = Some((m.target, handle));
    }
}

/// A fetched level that has loaded is spawned beside the one on screen; one that failed leaves
/// the model at the level it shows, with a notice.
fn swap_in_arrived_levels(
    mut levels: ResMut<ModelLevels>,
    assets: Res<AssetServer>,
    mut commands: Commands,
    mut notices: MessageWriter<ContentNotice>,
    preparing: Option<Res<crate::content_guard::TexturesInPreparation>>,
    mut loaded_earlier: Local<Vec<AssetId<WorldAsset>>>,
) {
    // Only levels still waiting are remembered (an exhibit left meanwhile takes its own along).
    loaded_earlier.retain(|id| {
        levels
            .models
            .iter()
            .any(|m| m.pending.as_ref().is_some_and(|(_, h)| h.id() == *id))
    });
    for (index, m) in levels.models.iter_mut().enumerate() {
        let Some((level, handle)) = &m.pending else {
            continue;
        };
        match assets.recursive_dependency_load_state(handle.id()) {
            RecursiveDependencyLoadState::Loaded => {
                // Its textures go to be mipmapped at the end of the frame they arrived in
                // (content_guard): the level comes in a frame later at the soonest, once no
                // texture is being prepared, so it is never drawn with a texture held back.
                if !loaded_earlier.contains(&handle.id()) {
                    loaded_earlier.push(handle.id());
                    continue;
                }
                if preparing.as_ref().is_some_and(|p| !p.is_empty()) {
                    continue;
                }
                loaded_earlier.retain(|id| *id != handle.id());
                let entity = spawn_level(&mut commands, handle.clone(), m.transform, index, *level);
                m.arriving = Some((*level, entity));
                m.pending = None;
            }
            RecursiveDependencyLoadState::Failed(err) => {
                let shown = m.shown.map_or("nothing", |s| m.levels[s].quality.word());
                notices.write(ContentNotice {
                    file: m.levels[*level].src.to_string(),
                    reason: format!(
                        "did not load ({}); the model stays at level {shown}",
                        crate::loading::reason(&err)
                    ),
                });
                m.failed_at = Some(*level);
                m.target = m.shown.unwrap_or(0);
                m.pending = None;
            }
            _ => {}
        }
    }
}

/// Once the arriving level's scene is in the world, the level it replaces goes: the frame
/// before drew both, this one draws the new one, none draws neither.
fn retire_replaced_levels(
    mut levels: ResMut<ModelLevels>,
    spawned: Query<(), With<ModelSpawned>>,
    mut commands: Commands,
) {
    for m in &mut levels.models {
        let Some((level, entity)) = m.arriving else {
            continue;
        };
        if spawned.get(entity).is_err() {
            continue;
        }
        if let Some(old) = m.entity.replace(entity) {
            commands.entity(old).despawn();
        }
        m.shown = Some(level);
        m.arriving = None;
        let l = &m.levels[level];
        info!(
            "level: model {} shows {} ({} triangles)",
            m.model_id,
            l.quality.word(),
            l.triangles.map_or("?".into(), |t| t.to_string())
        );
    }
}

/// Counts frames in which no mesh of the exhibit is visible after it was framed.
fn watch_for_empty_frames(
    bounds: Res<ExhibitBounds>,
    levels: Res<ModelLevels>,
    meshes: Query<&ViewVisibility, (With<Mesh3d>, Without<NotFramed>)>,
    mut empty: ResMut<EmptyFrames>,
) {
    if bounds.0.is_none() || levels.models.is_empty() {
        return;
    }
    if !meshes.iter().any(|v| v.get()) {
        empty.0 += 1;
        warn!(
            "level: a frame with no part of the model visible ({} so far)",
            empty.0
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lod(q: LodQuality, src: &str, error: f32) -> Lod {
        Lod {
            quality: q,
            src: disan_format::check_package_path(src).unwrap(),
            triangles: None,
            bytes: None,
            error: Some(error),
            gpu_textures: Vec::new(),
        }
    }

    fn device(cap: LodQuality, forced: bool) -> DevicePlan<'static> {
        DevicePlan {
            cap,
            forced,
            textures: &[],
        }
    }

    fn model() -> Model {
        let src = disan_format::check_package_path("models/a-high.glb").unwrap();
        Model {
            id: "main".into(),
            src: src.clone(),
            position: [0.0; 3],
            rotation_deg: [0.0; 3],
            scale: 1.0,
            lods: vec![
                lod(LodQuality::High, "models/a-high.glb", 0.0003),
                lod(LodQuality::Thumb, "models/a-thumb.glb", 0.005),
                lod(LodQuality::Medium, "models/a-medium.glb", 0.0007),
                lod(LodQuality::Low, "models/a-low.glb", 0.0014),
            ],
            bounds: None,
        }
    }

    #[test]
    fn levels_run_from_the_thumb_to_the_full_model() {
        let levels = model().levels();
        let names: Vec<&str> = levels.iter().map(|l| l.quality.word()).collect();
        assert_eq!(names, ["thumb", "low", "medium", "high"]);
    }

    #[test]
    fn the_screen_asks_for_the_lightest_level_under_a_pixel() {
        let levels = model().levels();
        // 500 px a metre: low's 1.4 mm is 0.7 px.
        assert_eq!(needed_level(&levels, 500.0), 1);
        // Close up, 2000 px a metre: only high's 0.3 mm is under a pixel.
        assert_eq!(needed_level(&levels, 2000.0), 3);
        assert_eq!(needed_level(&levels, 10.0), 0);
    }

    #[test]
    fn a_phone_never_fetches_more_than_its_cap() {
        let (_, first, target) = plan(&model(), device(LodQuality::Low, false), Some(5000.0));
        assert_eq!((first, target), (0, 1));
        let (_, _, target) = plan(&model(), device(LodQuality::High, false), Some(5000.0));
        assert_eq!(target, 3);
        let (_, _, target) = plan(&model(), device(LodQuality::Medium, false), None);
        assert_eq!(target, 2, "without a screen measure, the cap");
        let (_, _, target) = plan(&model(), device(LodQuality::High, true), Some(10.0));
        assert_eq!(
            target, 3,
            "--lod high shows high even where the screen would not need it"
        );
    }

    #[test]
    fn a_model_without_levels_is_its_own_only_level() {
        let mut m = model();
        m.lods.clear();
        let (levels, first, target) = plan(&m, device(LodQuality::High, false), Some(100.0));
        assert_eq!((levels.len(), first, target), (1, 0, 0));
    }

    #[test]
    fn a_device_fetches_the_copy_its_gpu_samples() {
        let copy = |format, src: &str, bytes| disan_format::GpuTextureLevel {
            format,
            src: disan_format::check_package_path(src).unwrap(),
            bytes: Some(bytes),
        };
        let mut m = model();
        for lod in m.lods.iter_mut().filter(|l| l.quality != LodQuality::Thumb) {
            let stem = lod.src.as_str().trim_end_matches(".glb").to_owned();
            lod.gpu_textures = vec![
                copy(GpuTextureFormat::Bc7, &format!("{stem}.bc7.glb"), 3000),
                copy(GpuTextureFormat::Etc2, &format!("{stem}.etc2.glb"), 1500),
            ];
        }
        let files = |textures: &[GpuTextureFormat]| -> Vec<(String, Option<u64>)> {
            let device = DevicePlan {
                textures,
                ..device(LodQuality::High, false)
            };
            let (levels, _, _) = plan(&m, device, None);
            levels
                .iter()
                .map(|l| (l.src.to_string(), l.bytes))
                .collect()
        };
        let desktop = files(&[GpuTextureFormat::Bc7, GpuTextureFormat::Etc2]);
        assert_eq!(
            desktop,
            [
                ("models/a-thumb.glb".to_owned(), None),
                ("models/a-low.bc7.glb".to_owned(), Some(3000)),
                ("models/a-medium.bc7.glb".to_owned(), Some(3000)),
                ("models/a-high.bc7.glb".to_owned(), Some(3000)),
            ],
            "the thumb has no copy; every other level is fetched as BC7, with the copy's size"
        );
        let phone = files(&[GpuTextureFormat::Etc2]);
        assert_eq!(phone[2].0, "models/a-medium.etc2.glb");
        let neither = files(&[]);
        assert_eq!(neither[3].0, "models/a-high.glb");
    }

    #[test]
    fn which_copies_a_device_fetches() {
        let auto = |support| gpu_textures_to_fetch(support, TextureChoice::Auto);
        assert!(auto(None).is_empty());
        assert!(auto(Some(CompressedImageFormats::NONE)).is_empty());
        assert_eq!(
            auto(Some(
                CompressedImageFormats::ETC2 | CompressedImageFormats::ASTC_LDR
            )),
            [GpuTextureFormat::Etc2]
        );
        let both = auto(Some(
            CompressedImageFormats::BC | CompressedImageFormats::ETC2,
        ));
        // Natively BC7 first; in a browser never BC7 (its bytes cost more than the decoding).
        if cfg!(target_family = "wasm") {
            assert_eq!(both, [GpuTextureFormat::Etc2]);
        } else {
            assert_eq!(both, [GpuTextureFormat::Bc7, GpuTextureFormat::Etc2]);
        }
        // `--textures`: the JPEG levels whatever the device; one copy, where it is sampled.
        let desktop = Some(CompressedImageFormats::BC);
        assert!(gpu_textures_to_fetch(desktop, TextureChoice::Jpeg).is_empty());
        assert_eq!(
            gpu_textures_to_fetch(desktop, TextureChoice::Only(GpuTextureFormat::Bc7)),
            [GpuTextureFormat::Bc7]
        );
        assert!(
            gpu_textures_to_fetch(desktop, TextureChoice::Only(GpuTextureFormat::Etc2)).is_empty(),
            "never a copy the device cannot sample"
        );
        assert_eq!(
            TextureChoice::parse("etc2"),
            Some(TextureChoice::Only(GpuTextureFormat::Etc2))
        );
        assert_eq!(TextureChoice::parse("jpeg"), Some(TextureChoice::Jpeg));
        assert_eq!(TextureChoice::parse("astc"), None);
    }
}
