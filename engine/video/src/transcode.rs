//! `disan pack --as video`: a camera's recording becomes renditions a school network can play,
//! a poster frame and thumbnails, all static files beside a `video.json`.
//!
//! The ladder, and why:
//! - flat video: VP9 (WebM, Opus sound) at 480p, 720p and 1080p, no taller than the source:
//!   royalty-free, decoded in hardware by most phones since 2016 and by every current browser;
//!   480p at 0.75 Mbit/s plays on a school's shared 10 Mbit/s link with room for a class, 1080p
//!   at 3 Mbit/s fills a kiosk's screen. H.264 (MP4, AAC) at up to 720p for browsers and phones
//!   without VP9 (Safari before 14);
//! - 360° video (2:1): 960, 1440 and 1920 rows, since a headset shows only a sixth of the
//!   sphere at a time and needs four times the pixels of a flat picture for the same sharpness.
//!
//! Every rendition has a constant frame rate and a keyframe every two seconds, so a seek never
//! decodes more than two seconds and a frame's time is its number over the rate.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::Stdio;

use disan_format::video::{
    RECORDING_FILE, Rendition, Thumbnail, VIDEO_FILE, VIDEO_FORMAT, VideoSet,
};

use crate::probe::{Probe, SoundProbe, probe, probe_sound};
use crate::tool::{VideoError, ffmpeg, last_lines};

#[derive(Clone, Debug)]
pub struct TranscodeOptions {
    /// Also write an H.264 rendition for browsers without VP9.
    pub h264: bool,
    /// Seconds between thumbnails (at most 1000 are written; longer videos space them out).
    pub thumbnail_every: f64,
    /// libvpx's speed (0 best and slowest, 8 fastest): 4 by default, about real time for 720p
    /// on two cores; tests use 8.
    pub vp9_speed: u8,
}

impl Default for TranscodeOptions {
    fn default() -> Self {
        Self {
            h264: true,
            thumbnail_every: 5.0,
            vp9_speed: 4,
        }
    }
}

#[derive(Clone, Debug)]
pub struct PackedVideo {
    pub set: VideoSet,
    /// The `video.json` written.
    pub description: PathBuf,
    pub source: Probe,
    pub is_360: bool,
    pub warnings: Vec<String>,
}

/// One step of the ladder: rows, and bits per second for the picture.
struct Step {
    height: u32,
    video_bps: u64,
}

const FLAT_LADDER: [Step; 3] = [
    Step {
        height: 480,
        video_bps: 750_000,
    },
    Step {
        height: 720,
        video_bps: 1_500_000,
    },
    Step {
        height: 1080,
        video_bps: 3_000_000,
    },
];
const SPHERE_LADDER: [Step; 3] = [
    Step {
        height: 960,
        video_bps: 3_000_000,
    },
    Step {
        height: 1440,
        video_bps: 6_000_000,
    },
    Step {
        height: 1920,
        video_bps: 10_000_000,
    },
];
const H264_MAX_HEIGHT: u32 = 720;
const H264_BPS: u64 = 1_800_000;

/// The renditions' sizes for a source `height` rows high: the ladder's steps no taller than it,
/// or the source's own size when it is smaller than the first step.
fn ladder(source_height: u32, is_360: bool) -> Vec<(u32, u64)> {
    let steps = if is_360 { &SPHERE_LADDER } else { &FLAT_LADDER };
    let mut sizes: Vec<(u32, u64)> = steps
        .iter()
        .filter(|s| s.height <= source_height)
        .map(|s| (s.height, s.video_bps))
        .collect();
    if sizes.is_empty() {
        let h = source_height & !1;
        let scale = f64::from(h) / f64::from(steps[0].height);
        sizes.push((
            h.max(2),
            (steps[0].video_bps as f64 * scale).max(100_000.0) as u64,
        ));
    }
    sizes
}

/// Transcodes `input` into `dir` (created), reporting each step's progress (0 to 1) to
/// `progress`. Writes `video.json` last, so a folder without it is an interrupted pack.
pub fn transcode(
    input: &Path,
    dir: &Path,
    options: &TranscodeOptions,
    progress: &dyn Fn(&str, f64),
) -> Result<PackedVideo, VideoError> {
    let source = probe(input)?;
    let write_err = |path: &Path| {
        let path = path.to_owned();
        move |source| VideoError::Write { path, source }
    };
    std::fs::create_dir_all(dir).map_err(write_err(dir))?;
    let is_360 = source.width == 2 * source.height;
    let mut warnings = Vec::new();
    if source.duration > disan_format::video::MAX_DURATION_S {
        return Err(VideoError::Unsuitable {
            path: input.to_owned(),
            message: format!(
                "lasts {:.0} s, longer than the {} h a video may: cut it into parts",
                source.duration,
                disan_format::video::MAX_DURATION_S / 3600.0
            ),
        });
    }
    if !source.audio {
        warnings.push(format!(
            "{}: has no sound; the video plays silent",
            input.display()
        ));
    }
    // Whole frames per second, as renditions are written (29.97 stays 29.97).
    let fps = source.fps;
    let gop = ((fps * 2.0).round() as u32).max(1).to_string();
    let mut renditions = Vec::new();
    let mut jobs: Vec<(String, &'static str, u32, u64)> = ladder(source.height, is_360)
        .into_iter()
        .map(|(h, bps)| (format!("{h}.webm"), "vp9", h, bps))
        .collect();
    if options.h264 {
        // The tallest flat step up to 720p; the smallest 360° one (old phones' decoders stop
        // at about 2 megapixels).
        let heights: Vec<u32> = ladder(source.height, is_360)
            .into_iter()
            .map(|(h, _)| h)
            .collect();
        let h = if is_360 {
            heights.first().copied()
        } else {
            heights
                .iter()
                .copied()
                .filter(|h| *h <= H264_MAX_HEIGHT)
                .last()
        }
        .unwrap_or(H264_MAX_HEIGHT.min(source.height & !1));
        jobs.push((format!("{h}.mp4"), "h264", h, H264_BPS));
    }
    for (file, codec, height, bps) in jobs {
        let out = dir.join(&file);
        let mut cmd = ffmpeg("transcoded")?;
        cmd.args(["-y", "-i"]).arg(input);
        cmd.args(["-map", "0:v:0", "-map", "0:a:0?"]);
        cmd.args([
            "-vf",
            &format!("scale=-2:{height}:flags=lanczos,format=yuv420p"),
        ]);
        cmd.args(["-r", &format!("{fps}"), "-fps_mode", "cfr", "-g", &gop]);
        cmd.args(["-keyint_min", &gop, "-sc_threshold", "0"]);
        let rate = bps.to_string();
        let max = (bps * 3 / 2).to_string();
        let buf = (bps * 2).to_string();
        if codec == "vp9" {
            cmd.args([
                "-c:v",
                "libvpx-vp9",
                "-b:v",
                &rate,
                "-maxrate",
                &max,
                "-bufsize",
                &buf,
            ]);
            cmd.args([
                "-deadline",
                "good",
                "-cpu-used",
                &options.vp9_speed.to_string(),
            ]);
            cmd.args([
                "-row-mt", "1", "-c:a", "libopus", "-b:a", "96k", "-ac", "2", "-ar", "48000",
            ]);
            cmd.args(["-f", "webm"]);
        } else {
            cmd.args([
                "-c:v",
                "libx264",
                "-preset",
                "veryfast",
                "-profile:v",
                "main",
            ]);
            cmd.args(["-b:v", &rate, "-maxrate", &max, "-bufsize", &buf]);
            cmd.args(["-c:a", "aac", "-b:a", "128k", "-ac", "2", "-ar", "48000"]);
            cmd.args(["-movflags", "+faststart", "-f", "mp4"]);
        }
        let step = format!("{codec} {height}p");
        run_with_progress(cmd, &out, source.duration, &|f| progress(&step, f))?;
        let bytes = std::fs::metadata(&out).map_err(write_err(&out))?.len();
        let written = probe(&out)?;
        renditions.push(Rendition {
            file,
            codec: codec.to_owned(),
            mime: if codec == "vp9" {
                "video/webm; codecs=\"vp09.00.31.08, opus\"".to_owned()
            } else {
                "video/mp4; codecs=\"avc1.4d401f, mp4a.40.2\"".to_owned()
            },
            width: written.width,
            height: written.height,
            bitrate: ((bytes * 8) as f64 / source.duration).round() as u64,
            bytes,
        });
    }
    renditions.sort_by_key(|r| (r.height, r.codec != "vp9"));

    // The poster: a frame a tenth of the way in (past a fade from black), at most 1280 wide.
    progress("poster", 0.0);
    let poster_at = (source.duration * 0.1).min(5.0);
    let poster = dir.join("poster.jpg");
    let mut cmd = ffmpeg("given a poster")?;
    cmd.args(["-y", "-ss", &format!("{poster_at:.3}"), "-i"])
        .arg(input);
    cmd.args([
        "-frames:v",
        "1",
        "-vf",
        "scale='min(1280,iw)':-2",
        "-q:v",
        "3",
    ]);
    run(cmd, &poster, "writing the poster frame")?;

    // Thumbnails at regular times, for chapters and seeking.
    progress("thumbnails", 0.0);
    let every = options
        .thumbnail_every
        .max(source.duration / disan_format::video::MAX_THUMBNAILS as f64)
        .max(0.5);
    let thumbs = dir.join("thumbs");
    std::fs::create_dir_all(&thumbs).map_err(write_err(&thumbs))?;
    let mut cmd = ffmpeg("given thumbnails")?;
    cmd.args(["-y", "-i"]).arg(input);
    cmd.args(["-vf", &format!("fps=1/{every},scale=320:-2"), "-q:v", "5"]);
    run(cmd, &thumbs.join("%04d.jpg"), "writing thumbnails")?;
    let mut thumbnails = Vec::new();
    for k in 0.. {
        let name = format!("thumbs/{:04}.jpg", k + 1);
        let time = f64::from(k) * every;
        if !dir.join(&name).is_file() || time > source.duration {
            break;
        }
        thumbnails.push(Thumbnail { time, file: name });
    }

    let set = VideoSet {
        format: VIDEO_FORMAT.to_owned(),
        duration: source.duration,
        fps,
        width: source.width,
        height: source.height,
        audio: source.audio,
        renditions,
        poster: "poster.jpg".to_owned(),
        thumbnails,
    };
    let description = dir.join(VIDEO_FILE);
    let json = serde_json::to_vec_pretty(&set).expect("a video set serialises");
    std::fs::write(&description, json).map_err(write_err(&description))?;
    progress("done", 1.0);
    Ok(PackedVideo {
        set,
        description,
        source,
        is_360,
        warnings,
    })
}

/// What `disan pack --as audio` made of a sound recording.
#[derive(Clone, Debug)]
pub struct PackedSound {
    pub set: VideoSet,
    /// The `recording.json` written.
    pub description: PathBuf,
    pub source: SoundProbe,
}

/// The sound renditions of a recording without picture, and why: Opus in WebM at 96 kbit/s
/// stereo (royalty-free; transparent for speech and song at that rate, and every current
/// browser and FFmpeg plays it) and AAC in M4A at 128 kbit/s for Safari before 15, which plays
/// no Opus in WebM. Both at 48 kHz, the rate the viewer's audio runs at, so nothing resamples
/// twice. A classroom of 30 on a 10 Mbit/s link is 3 Mbit/s of Opus.
const SOUND_RENDITIONS: [(&str, &str, &str, u32); 2] = [
    ("sound.webm", "opus", "audio/webm; codecs=\"opus\"", 96),
    ("sound.m4a", "aac", "audio/mp4; codecs=\"mp4a.40.2\"", 128),
];

/// A video package's `poster.png`, 640×360 (the page's picture while the viewer loads, the
/// catalogue's card): the video's poster frame `still`, fitted and centred on the viewer's dark
/// panel colour.
pub fn package_poster(still: &Path, out: &Path) -> Result<(), VideoError> {
    let mut cmd = ffmpeg("given a poster")?;
    cmd.args(["-y", "-i"]).arg(still);
    cmd.args([
        "-vf",
        "scale=640:360:force_original_aspect_ratio=decrease,pad=640:360:(ow-iw)/2:(oh-ih)/2:color=0x26282C",
        "-frames:v",
        "1",
    ]);
    run(cmd, out, "writing the package's poster")
}

/// A picture of a recording's sound, 640×360 like every package's `poster.png` (the page shows
/// it while the viewer loads, the catalogue on the exhibit's card): its waveform, drawn by
/// ffmpeg's `showwavespic` in one pass over the file, warm gold on the viewer's dark panel.
pub fn sound_poster(input: &Path, out: &Path) -> Result<(), VideoError> {
    let mut cmd = ffmpeg("given a poster")?;
    cmd.args(["-y", "-i"]).arg(input);
    cmd.args([
        "-filter_complex",
        "[0:a:0]aformat=channel_layouts=mono,showwavespic=s=640x300:colors=0xE0A040[w];\
         color=c=0x26282C:s=640x360[bg];[bg][w]overlay=0:30:format=auto",
        "-frames:v",
        "1",
    ]);
    run(cmd, out, "drawing the recording's waveform")
}

/// Transcodes a sound recording `input` into `dir` (created): its renditions and, last, its
/// `recording.json` (a folder without it is an interrupted pack).
pub fn transcode_sound(
    input: &Path,
    dir: &Path,
    progress: &dyn Fn(&str, f64),
) -> Result<PackedSound, VideoError> {
    let source = probe_sound(input)?;
    let write_err = |path: &Path| {
        let path = path.to_owned();
        move |source| VideoError::Write { path, source }
    };
    if source.duration > disan_format::video::MAX_DURATION_S {
        return Err(VideoError::Unsuitable {
            path: input.to_owned(),
            message: format!(
                "lasts {:.0} s, longer than the {} h a recording may: cut it into parts",
                source.duration,
                disan_format::video::MAX_DURATION_S / 3600.0
            ),
        });
    }
    std::fs::create_dir_all(dir).map_err(write_err(dir))?;
    let mut renditions = Vec::new();
    for (file, codec, mime, kbps) in SOUND_RENDITIONS {
        let out = dir.join(file);
        let mut cmd = ffmpeg("transcoded")?;
        cmd.args(["-y", "-i"]).arg(input);
        // The sound alone: an album cover in an MP3 or M4A is left behind.
        cmd.args(["-map", "0:a:0", "-vn", "-ac", "2", "-ar", "48000"]);
        let rate = format!("{kbps}k");
        if codec == "opus" {
            cmd.args(["-c:a", "libopus", "-b:a", &rate, "-f", "webm"]);
        } else {
            cmd.args([
                "-c:a",
                "aac",
                "-b:a",
                &rate,
                "-movflags",
                "+faststart",
                "-f",
                "mp4",
            ]);
        }
        let step = format!("{codec} {kbps} kbit/s");
        run_with_progress(cmd, &out, source.duration, &|f| progress(&step, f))?;
        let bytes = std::fs::metadata(&out).map_err(write_err(&out))?.len();
        renditions.push(Rendition {
            file: file.to_owned(),
            codec: codec.to_owned(),
            mime: mime.to_owned(),
            width: 0,
            height: 0,
            bitrate: ((bytes * 8) as f64 / source.duration).round() as u64,
            bytes,
        });
    }
    let set = VideoSet {
        format: VIDEO_FORMAT.to_owned(),
        duration: source.duration,
        fps: 0.0,
        width: 0,
        height: 0,
        audio: true,
        renditions,
        poster: String::new(),
        thumbnails: Vec::new(),
    };
    let description = dir.join(RECORDING_FILE);
    let json = serde_json::to_vec_pretty(&set).expect("a recording's set serialises");
    std::fs::write(&description, json).map_err(write_err(&description))?;
    progress("done", 1.0);
    Ok(PackedSound {
        set,
        description,
        source,
    })
}

fn run(mut cmd: std::process::Command, out: &Path, doing: &str) -> Result<(), VideoError> {
    let result = cmd.arg(out).output().map_err(|e| VideoError::Write {
        path: out.to_owned(),
        source: e,
    })?;
    if result.status.success() {
        Ok(())
    } else {
        Err(VideoError::Ffmpeg {
            path: out.to_owned(),
            doing: doing.to_owned(),
            message: last_lines(&result.stderr),
        })
    }
}

/// Runs an ffmpeg transcode writing to `out`, reading its `-progress` reports.
fn run_with_progress(
    mut cmd: std::process::Command,
    out: &Path,
    duration: f64,
    progress: &dyn Fn(f64),
) -> Result<(), VideoError> {
    cmd.args(["-progress", "pipe:1", "-nostats"]).arg(out);
    cmd.stdout(Stdio::piped()).stderr(Stdio::piped());
    let mut child = cmd.spawn().map_err(|e| VideoError::Write {
        path: out.to_owned(),
        source: e,
    })?;
    let stdout = child.stdout.take().expect("piped");
    let mut stderr = child.stderr.take().expect("piped");
    // Read the error stream on its own thread so a chatty ffmpeg never blocks on a full pipe.
    let errors = std::thread::spawn(move || {
        let mut buf = Vec::new();
        let _ = std::io::Read::read_to_end(&mut stderr, &mut buf);
        buf
    });
    for line in BufReader::new(stdout).lines().map_while(Result::ok) {
        if let Some(us) = line.strip_prefix("out_time_us=")
            && let Ok(us) = us.trim().parse::<f64>()
        {
            progress((us / 1e6 / duration).clamp(0.0, 1.0));
        }
    }
    let status = child.wait().map_err(|e| VideoError::Write {
        path: out.to_owned(),
        source: e,
    })?;
    let stderr = errors.join().unwrap_or_default();
    if status.success() {
        progress(1.0);
        Ok(())
    } else {
        Err(VideoError::Ffmpeg {
            path: out.to_owned(),
            doing: "transcoding".to_owned(),
            message: last_lines(&stderr),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::ladder;

    #[test]
    fn the_ladder_never_upscales() {
        assert_eq!(
            ladder(1080, false).iter().map(|s| s.0).collect::<Vec<_>>(),
            [480, 720, 1080]
        );
        assert_eq!(ladder(720, false).len(), 2);
        assert_eq!(ladder(361, false)[0].0, 360, "small: its own size, even");
        assert_eq!(
            ladder(1920, true).iter().map(|s| s.0).collect::<Vec<_>>(),
            [960, 1440, 1920]
        );
    }
}
