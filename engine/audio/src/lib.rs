//! Spatial audio for exhibits, Bevy-free so it is tested in seconds and renders offline.
//!
//! The gains follow the W3C Web Audio API's `PannerNode` (distance models, sound cones and the
//! "equalpower" panning model), so an exhibit sounds the same natively and in the browser.
//! [`SpatialVoice`] is a rodio `Source` that applies them to a mono source, smoothing every
//! gain per sample so that moving sources and listeners make no clicks or zipper noise. The
//! control side ([`VoiceControl`]) writes positions through atomics: no lock on the audio thread.

pub mod gains;
pub mod offline;
pub mod voice;

pub use gains::{Cone, DistanceModel, Listener, cone_gain, distance_gain, equal_power};
pub use offline::{mix_offline, write_wav};
pub use voice::{Smoother, SpatialVoice, VoiceControl, VoiceParams};
