//! Video for exhibits, through ffmpeg (Debian's `ffmpeg` package), run as a separate process.
//!
//! Why ffmpeg as a program rather than a Rust binding: the bindings (`ffmpeg-next`,
//! `ffmpeg-sys`) tie the build to one libav* ABI and need its headers and clang on every
//! builder, the browser build cannot use them at all (it plays through the browser's own
//! decoder), and a hostile file that crashes a decoder then takes down one child process, never
//! the kiosk. Frames and samples come back as raw bytes on a pipe; timing is ours
//! ([`clock`]), so sound and picture stay together whatever the decoder does.
//!
//! - [`tool`]: finding ffmpeg and ffprobe, and what to say when they are missing;
//! - [`probe`]: what a recording is (size, frame rate, duration, sound);
//! - [`transcode`]: the renditions, poster and thumbnails `disan pack --as video` writes, and
//!   the sound renditions of `disan pack --as audio`;
//! - [`decode`]: frames and sound from any time in a rendition;
//! - [`clock`]: the media clock both follow, and the sound feed that keeps to it;
//! - [`pattern`]: a generated test recording whose frames and tone can be read back.

pub mod clock;
pub mod decode;
pub mod pattern;
pub mod probe;
pub mod tool;
pub mod transcode;

pub use clock::{MediaClock, SoundFeed};
pub use decode::{Frame, FrameReader, SoundReader};
pub use probe::{Probe, SoundProbe, probe, probe_sound};
pub use tool::VideoError;
pub use transcode::{
    PackedSound, PackedVideo, TranscodeOptions, package_poster, sound_poster, transcode,
    transcode_sound,
};
