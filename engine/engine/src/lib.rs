//! Disan's Bevy plugins. One capability per module, each a plugin that owns its components,
//! resources and systems; modules talk through the shared types declared here, not through
//! each other's internals.
//!
//! - [`library`]: which catalogue is open and which exhibit is current; switching exhibits.
//! - [`loading`]: loading an exhibit's files with progress, spawning it, reporting failures.
//! - [`policy`]: the failure policy: what a broken file does (error screen, or left out with a
//!   notice), and the limit on every wait.
//! - [`content_guard`]: models and images checked before the GPU sees them; textures
//!   downscaled to the device's limit and given mipmaps.
//! - [`framing`]: the exhibit's bounds, and from them the home view.
//! - [`levels`]: progressive levels of detail: the thumb first, then the level the device and
//!   the screen call for, swapped in without an empty frame.
//! - [`camera`]: orbit and walk navigation (mouse, touch, keyboard).
//! - [`environment`]: image-based light, sun and ground.
//! - [`hotspots`]: markers, picking, the open hotspot.
//! - [`i18n`]: the visitor's language and the UI's own strings.
//! - [`ui`]: the HUD, info panel, loading and error screens.
//! - [`tour`]: guided tours: stops, captions, the tour bar.
//! - [`audio`]: positional ambience heard from the camera, tour narration, ducking.
//! - [`scans`]: document scans as IIIF tile pyramids: the full-screen reader with its regions,
//!   the zoomable panel in the scene, the bounded tile cache.
//! - [`panorama`]: 360° panorama scenes as multiresolution cube tiles, looked round from their
//!   centre, linked into a walk.
//! - [`embed`]: commands from a host page and the events it hears (the browser's JS API).
//! - [`first_frame`]: when the first complete frame with the model was drawn (one rule for all).
//! - [`warmup`]: cheap frames until the renderer has compiled what the exhibit needs.
//! - [`shot`]: rendering one named view to a PNG and exiting.
//! - [`kiosk`]: the museum kiosk: gallery, idle reset, attract loop, opening hours, hidden exit,
//!   status file and watchdog, usage counters (only with `ViewerConfig::kiosk`).

use bevy::prelude::*;

pub mod audio;
pub mod camera;
pub mod catalogue;
pub mod content_guard;
pub mod downloads;
pub mod embed;
pub mod environment;
pub mod eye_dome;
pub mod first_frame;
pub mod frame_cost;
pub mod framing;
pub mod gallery;
pub mod hotspots;
pub mod i18n;
#[cfg(not(target_family = "wasm"))]
pub mod kiosk;
pub mod lesson;
pub mod levels;
pub mod library;
pub mod loading;
pub mod package_trust;
pub mod panorama;
pub mod pointcloud;
pub mod policy;
pub mod scans;
pub mod shot;
pub mod soak;
pub mod theme;
pub mod tour;
pub mod ui;
pub mod video;
pub mod warmup;

pub use library::{ExhibitLibrary, register_exhibit_source};
pub use shot::ShotRequest;

/// Where the viewer is in showing an exhibit.
#[derive(States, Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum ViewerState {
    /// The current exhibit's files are loading (a progress screen is shown).
    #[default]
    Loading,
    /// The exhibit is on screen.
    Exhibit,
    /// The current exhibit could not be opened; its problems are shown and the others stay reachable.
    Error,
}

/// Puts a WGSL shader the binary carries (`include_str!`) under its fixed handle, so materials
/// and pipelines can name it before any asset is loaded, in every build (the browser's too).
pub fn register_shader(app: &mut App, handle: &Handle<Shader>, source: &'static str, path: &str) {
    app.world_mut()
        .resource_mut::<Assets<Shader>>()
        .insert(handle.id(), Shader::from_wgsl(source, path.to_owned()))
        .unwrap_or_else(|_| panic!("the handle of {path} is taken"));
}

/// Marks every entity that belongs to the exhibit on screen; all of them go when it changes.
#[derive(Component, Default, Clone, Copy)]
pub struct ExhibitScoped;

/// How the viewer was started.
#[derive(Resource, Clone, Debug, Default)]
pub struct ViewerConfig {
    /// A package folder, or a catalogue folder holding packages; in the browser, the URL the
    /// packages of `fetch_exhibits` are under.
    pub path: std::path::PathBuf,
    /// Fetch these packages (folder names under `path`) through the asset server instead of
    /// reading `path` from disk: the browser's catalogue.
    pub fetch_exhibits: Option<Vec<String>>,
    /// The id of the exhibit to open first (default: the first in the catalogue).
    pub start_exhibit: Option<String>,
    /// `vi` or `en`.
    pub lang: String,
    /// Render one view to a file and exit.
    pub shot: Option<ShotRequest>,
    /// Cut between views (with a short fade) instead of flying the camera: for visitors who
    /// get motion sick, and the browser's prefers-reduced-motion.
    pub reduce_motion: bool,
    /// Walk through the catalogue this many exhibits, logging each outcome and the memory, then
    /// exit (`disan --soak N`, for tests; see [`soak`]).
    pub soak: Option<u32>,
    /// The level of detail to show after the thumb, whatever the screen asks (`--lod`, `?lod=`):
    /// for tests, benchmarks, and kiosks with a known GPU. `None`: chosen by device and screen.
    pub lod: Option<disan_format::LodQuality>,
    /// Which textures levels are fetched with (`--textures`, `?textures=`): by default the GPU
    /// texture copy the device samples (levels::gpu_textures_to_fetch).
    pub textures: crate::levels::TextureChoice,
    /// How point clouds are shaded (`--point-shading`, `?point-shading=`): eye-dome lighting
    /// by default (eye_dome.rs).
    pub point_shading: crate::eye_dome::PointShading,
    /// Something ray-casts against the exhibit's meshes (the VR teleport lands on a monument's
    /// floors), so they keep a copy in the main world. Otherwise meshes and textures live in
    /// the render world only: a scan is not held twice.
    pub ray_cast_models: bool,
    /// Which packages the viewer opens: signatures required (kiosks, the portal) and by which
    /// keys; by default unsigned packages open and signed ones are checked (package_trust.rs).
    pub trust: std::sync::Arc<disan_format::integrity::TrustPolicy>,
    /// Teach this lesson (`disan --lesson`): its steps, questions and results (lesson.rs).
    pub lesson: Option<lesson::LessonSetup>,
    /// The catalogue screen: the index, whether it opens at start, the map's tiles
    /// (catalogue.rs). With an index, the library fetches each manifest only when it is shown.
    pub catalogue: catalogue::CatalogueSetup,
    /// Run as a museum kiosk (`disan kiosk`): the gallery, idle reset, attract loop and the rest.
    #[cfg(not(target_family = "wasm"))]
    pub kiosk: Option<kiosk::KioskSetup>,
    /// Open the reader on this scan and sweep it from corner to corner at full resolution,
    /// logging the tiles held and the memory, then exit (`disan --scan-sweep ID`, for tests).
    pub scan_sweep: Option<String>,
}

/// Bevy's task pools for the viewer. Start-up is mostly shader-pipeline compilation, which Bevy
/// runs on the async compute pool (one thread on a 2-core school PC by default): give it every
/// core. Used by the benchmark's baseline too, to measure this setting's share.
pub fn task_pools_for_fast_startup() -> TaskPoolOptions {
    TaskPoolOptions {
        async_compute: bevy::app::TaskPoolThreadAssignmentPolicy {
            min_threads: std::thread::available_parallelism().map_or(2, |n| n.get()),
            max_threads: 8,
            percent: 1.0,
            on_thread_spawn: None,
            on_thread_destroy: None,
        },
        ..default()
    }
}

/// Bevy's renderer as the viewer uses it: the device keeps every limit the adapter offers except
/// storage textures. Those are what Bevy's screen-space ambient occlusion, procedural atmosphere,
/// environment-map generation and GPU occlusion culling need, none of which an exhibit uses; with
/// none available those plugins stand down instead of queueing about twenty compute pipelines at
/// start-up, compiled before the model's own (on a machine without a GPU, lavapipe or
/// SwiftShader, that is seconds of CPU). Instances are still prepared on the GPU where it can.
pub fn render_plugin() -> bevy::render::RenderPlugin {
    let settings = bevy::render::settings::WgpuSettings {
        constrained_limits: Some(limits_without_storage_textures()),
        ..default()
    };
    bevy::render::RenderPlugin {
        render_creation: settings.into(),
        ..default()
    }
}

/// An upper bound that leaves every limit at the adapter's value (Bevy takes the worse of the
/// two) but storage textures, which it sets to none. Every field is named, so a new limit in a
/// later wgpu fails to compile here rather than being capped by accident.
fn limits_without_storage_textures() -> bevy::render::settings::WgpuLimits {
    bevy::render::settings::WgpuLimits {
        max_texture_dimension_1d: u32::MAX,
        max_texture_dimension_2d: u32::MAX,
        max_texture_dimension_3d: u32::MAX,
        max_texture_array_layers: u32::MAX,
        max_bind_groups: u32::MAX,
        max_bindings_per_bind_group: u32::MAX,
        max_dynamic_uniform_buffers_per_pipeline_layout: u32::MAX,
        max_dynamic_storage_buffers_per_pipeline_layout: u32::MAX,
        max_sampled_textures_per_shader_stage: u32::MAX,
        max_samplers_per_shader_stage: u32::MAX,
        max_storage_buffers_per_shader_stage: u32::MAX,
        max_storage_textures_per_shader_stage: 0,
        max_uniform_buffers_per_shader_stage: u32::MAX,
        max_binding_array_elements_per_shader_stage: u32::MAX,
        max_binding_array_acceleration_structure_elements_per_shader_stage: u32::MAX,
        max_binding_array_sampler_elements_per_shader_stage: u32::MAX,
        max_uniform_buffer_binding_size: u64::MAX,
        max_storage_buffer_binding_size: u64::MAX,
        max_vertex_buffers: u32::MAX,
        max_buffer_size: u64::MAX,
        max_vertex_attributes: u32::MAX,
        max_vertex_buffer_array_stride: u32::MAX,
        max_inter_stage_shader_variables: u32::MAX,
        min_uniform_buffer_offset_alignment: 1,
        min_storage_buffer_offset_alignment: 1,
        max_color_attachments: u32::MAX,
        max_color_attachment_bytes_per_sample: u32::MAX,
        max_compute_workgroup_storage_size: u32::MAX,
        max_compute_invocations_per_workgroup: u32::MAX,
        max_compute_workgroup_size_x: u32::MAX,
        max_compute_workgroup_size_y: u32::MAX,
        max_compute_workgroup_size_z: u32::MAX,
        max_compute_workgroups_per_dimension: u32::MAX,
        max_immediate_size: u32::MAX,
        max_non_sampler_bindings: u32::MAX,
        max_task_mesh_workgroup_total_count: u32::MAX,
        max_task_mesh_workgroups_per_dimension: u32::MAX,
        max_task_invocations_per_workgroup: u32::MAX,
        max_task_invocations_per_dimension: u32::MAX,
        max_mesh_invocations_per_workgroup: u32::MAX,
        max_mesh_invocations_per_dimension: u32::MAX,
        max_task_payload_size: u32::MAX,
        max_mesh_output_vertices: u32::MAX,
        max_mesh_output_primitives: u32::MAX,
        max_mesh_output_layers: u32::MAX,
        max_mesh_multiview_view_count: u32::MAX,
        max_blas_primitive_count: u32::MAX,
        max_blas_geometry_count: u32::MAX,
        max_tlas_instance_count: u32::MAX,
        max_acceleration_structures_per_shader_stage: u32::MAX,
        max_multiview_view_count: u32::MAX,
    }
}

/// Everything the viewer needs on top of Bevy's plugins (which the binary adds, with its window).
/// [`register_exhibit_source`] must be called before Bevy's `AssetPlugin` is added.
pub struct ViewerPlugin {
    pub config: ViewerConfig,
}

impl Plugin for ViewerPlugin {
    fn build(&self, app: &mut App) {
        app.insert_resource(self.config.clone())
            .init_state::<ViewerState>()
            .add_plugins((
                first_frame::plugin,
                i18n::plugin,
                library::plugin,
                loading::plugin,
                framing::plugin,
                camera::plugin,
                environment::plugin,
                hotspots::plugin,
                theme::plugin,
                ui::plugin,
                shot::plugin,
                tour::plugin,
                audio::plugin,
                embed::plugin,
                frame_cost::plugin,
            ))
            .add_plugins((
                warmup::plugin,
                policy::plugin,
                content_guard::plugin,
                soak::plugin,
                levels::plugin,
                downloads::plugin,
                lesson::plugin,
                catalogue::plugin,
                scans::plugin,
                panorama::plugin,
                pointcloud::plugin,
                eye_dome::plugin,
                video::plugin,
                gallery::plugin,
            ));
        #[cfg(not(target_family = "wasm"))]
        app.add_plugins(kiosk::plugin);
    }

    fn finish(&self, app: &mut App) {
        // After Bevy's renderer and glTF plugin have set up theirs (their `finish` runs first).
        content_guard::register_loaders(app);
    }
}
