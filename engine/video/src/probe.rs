//! What a recording is, as ffprobe reads it.

use std::path::Path;

use serde::Deserialize;

use crate::tool::{VideoError, ffprobe, last_lines};

#[derive(Clone, Debug, PartialEq)]
pub struct Probe {
    pub width: u32,
    pub height: u32,
    /// Frames per second (the stream's nominal rate).
    pub fps: f64,
    /// Seconds.
    pub duration: f64,
    pub audio: bool,
    /// The video codec's name, for messages.
    pub codec: String,
}

#[derive(Deserialize)]
struct Output {
    #[serde(default)]
    streams: Vec<Stream>,
    format: Option<Format>,
}

#[derive(Deserialize)]
struct Stream {
    codec_type: Option<String>,
    codec_name: Option<String>,
    width: Option<u32>,
    height: Option<u32>,
    r_frame_rate: Option<String>,
    avg_frame_rate: Option<String>,
    duration: Option<String>,
    #[serde(default)]
    disposition: Disposition,
}

#[derive(Deserialize, Default)]
struct Disposition {
    #[serde(default)]
    attached_pic: u8,
}

#[derive(Deserialize)]
struct Format {
    duration: Option<String>,
}

fn rate(s: &str) -> Option<f64> {
    let (n, d) = s.split_once('/').unwrap_or((s, "1"));
    let (n, d): (f64, f64) = (n.parse().ok()?, d.parse().ok()?);
    (d > 0.0 && n > 0.0).then_some(n / d)
}

/// ffprobe's account of `path`: its streams and its container.
fn streams_of(path: &Path) -> Result<Output, VideoError> {
    let out = ffprobe("read")?
        .args(["-print_format", "json", "-show_streams", "-show_format"])
        .arg(path)
        .output()
        .map_err(|e| VideoError::Unreadable {
            path: path.to_owned(),
            message: e.to_string(),
        })?;
    if !out.status.success() {
        return Err(VideoError::Unreadable {
            path: path.to_owned(),
            message: last_lines(&out.stderr),
        });
    }
    serde_json::from_slice(&out.stdout).map_err(|e| VideoError::Unreadable {
        path: path.to_owned(),
        message: format!("ffprobe's answer could not be read ({e})"),
    })
}

/// Reads what `path` holds. A file with no moving picture (a still, a sound file, an album cover)
/// is refused with a message saying so.
pub fn probe(path: &Path) -> Result<Probe, VideoError> {
    let parsed = streams_of(path)?;
    let video = parsed
        .streams
        .iter()
        .find(|s| s.codec_type.as_deref() == Some("video") && s.disposition.attached_pic == 0)
        .ok_or_else(|| VideoError::Unsuitable {
            path: path.to_owned(),
            message: "has no moving picture (a sound file or a still?): a video exhibit needs a recording with video; for sound alone, pack it with `--as audio`".into(),
        })?;
    let audio = parsed
        .streams
        .iter()
        .any(|s| s.codec_type.as_deref() == Some("audio"));
    let fps = video
        .avg_frame_rate
        .as_deref()
        .and_then(rate)
        .or_else(|| video.r_frame_rate.as_deref().and_then(rate))
        .filter(|f| *f <= disan_format::video::MAX_FPS)
        .ok_or_else(|| VideoError::Unsuitable {
            path: path.to_owned(),
            message:
                "has no usable frame rate: re-export it at a constant frame rate (25 or 30 fps)"
                    .into(),
        })?;
    let duration = duration_of(video, &parsed).ok_or_else(|| VideoError::Unsuitable {
        path: path.to_owned(),
        message:
            "does not say how long it lasts (a live stream or a cut-off file?): re-export it whole"
                .into(),
    })?;
    let (width, height) = match (video.width, video.height) {
        (Some(w), Some(h)) if w > 0 && h > 0 => (w, h),
        _ => {
            return Err(VideoError::Unsuitable {
                path: path.to_owned(),
                message: "does not say its picture size".into(),
            });
        }
    };
    Ok(Probe {
        width,
        height,
        fps,
        duration,
        audio,
        codec: video.codec_name.clone().unwrap_or_else(|| "?".into()),
    })
}

/// The stream's length in seconds, else the container's, when either says one.
fn duration_of(stream: &Stream, parsed: &Output) -> Option<f64> {
    stream
        .duration
        .as_deref()
        .or(parsed.format.as_ref().and_then(|f| f.duration.as_deref()))
        .and_then(|d| d.parse::<f64>().ok())
        .filter(|d| d.is_finite() && *d > 0.0)
}

/// What a sound file holds (`disan pack --as audio`): its first sound stream's length and codec
/// (a picture beside it, an album cover, is left behind).
#[derive(Clone, Debug, PartialEq)]
pub struct SoundProbe {
    /// Seconds.
    pub duration: f64,
    /// The sound codec's name, for messages.
    pub codec: String,
}

pub fn probe_sound(path: &Path) -> Result<SoundProbe, VideoError> {
    let parsed = streams_of(path)?;
    let sound = parsed
        .streams
        .iter()
        .find(|s| s.codec_type.as_deref() == Some("audio"))
        .ok_or_else(|| VideoError::Unsuitable {
            path: path.to_owned(),
            message:
                "has no sound: a recording needs a sound file (WAV, FLAC, MP3, Ogg, Opus, M4A)"
                    .into(),
        })?;
    let duration = duration_of(sound, &parsed).ok_or_else(|| VideoError::Unsuitable {
        path: path.to_owned(),
        message: "does not say how long it lasts (a cut-off file?): export it again whole".into(),
    })?;
    Ok(SoundProbe {
        duration,
        codec: sound.codec_name.clone().unwrap_or_else(|| "?".into()),
    })
}
