//! Disan's Bevy plugins. One capability per module, each a plugin that owns its components,
//! resources and systems; modules talk through the shared types declared here, not through
//! each other's internals.
//!
//! - [`library`]: which catalogue is open and which exhibit is current; switching exhibits.
//! - [`loading`]: loading an exhibit's files with progress, spawning it, reporting failures.
//! - [`framing`]: the exhibit's bounds, and from them the home view.
//! - [`camera`]: orbit and walk navigation (mouse, touch, keyboard).
//! - [`environment`]: image-based light, sun and ground.
//! - [`hotspots`]: markers, picking, the open hotspot.
//! - [`i18n`]: the visitor's language and the UI's own strings.
//! - [`ui`]: the HUD, info panel, loading and error screens.
//! - [`tour`]: guided tours: stops, captions, the tour bar.
//! - [`audio`]: positional ambience heard from the camera, tour narration, ducking.
//! - [`embed`]: commands from a host page and the events it hears (the browser's JS API).
//! - [`first_frame`]: when the first complete frame with the model was drawn (one rule for all).
//! - [`shot`]: rendering one named view to a PNG and exiting.

use bevy::prelude::*;

pub mod audio;
pub mod camera;
pub mod embed;
pub mod environment;
pub mod first_frame;
pub mod frame_cost;
pub mod framing;
pub mod hotspots;
pub mod i18n;
pub mod library;
pub mod loading;
pub mod shot;
pub mod theme;
pub mod tour;
pub mod ui;

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
            ));
    }
}
