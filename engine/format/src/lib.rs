//! The Disan exhibit package, format v1 (specified in docs/exhibit-format.md).
//!
//! Bevy-free on purpose: the pipeline tools, the validator and the web build all read packages
//! through this crate, and its tests run in seconds.

pub mod catalog;
pub mod catalog_view;
pub mod compression;
pub mod geodesy;
pub mod iiif;
pub mod integrity;
pub mod ktx2_check;
pub mod lesson;
pub mod manifest;
pub mod media;
pub mod model;
pub mod package;
pub mod panorama;
pub mod parse;
pub mod pointcloud;
pub mod problem;
pub mod search;
pub mod text;
pub mod video;
pub mod vtt;

pub use manifest::*;
pub use media::{MediaError, audio_duration};
pub use model::{
    ModelFile, ModelFinding, ModelLimits, ModelReport, ModelSummary, check_model_on_disk,
    image_size, plain_glb,
};
pub use package::{
    Catalogue, MANIFEST_FILE, Package, PackageError, check_package, open_catalogue, open_package,
    package_from_manifest_text, refused_package, unreachable_package, validate_package,
};
pub use parse::{FILL_IN_EN, FILL_IN_VI, FORMAT_VERSION, check_package_path, parse_manifest, slug};
pub use problem::{LineCol, Problem, Problems, Severity};
pub use text::{Lang, Localized, LocalizedText};
pub use vtt::{Captions, Cue, VttError, parse_vtt};
