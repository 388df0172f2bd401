//! A generated test recording whose every frame says its own number and whose sound says when
//! it beeps, so tests can read back what a decoder or a viewer showed and played:
//!
//! - the frame number in binary, as [`BITS`] white or black stripes across the top of the
//!   picture (bit 0 on the left), wide enough to read from a screenshot of a screen in a scene;
//! - a white band along the bottom on the first frame of every second, and at the same moments
//!   a 1 kHz beep one frame long: picture and sound that belong together.

use std::path::Path;

use crate::tool::{VideoError, ffmpeg, last_lines};

/// Stripes of the frame number: 1024 frames, 40 s at 25 fps.
pub const BITS: u32 = 10;
/// The beep's pitch.
pub const TONE_HZ: f64 = 1000.0;

#[derive(Clone, Copy, Debug)]
pub struct PatternSpec {
    pub width: u32,
    pub height: u32,
    pub fps: u32,
    pub seconds: f64,
}

impl Default for PatternSpec {
    fn default() -> Self {
        Self {
            width: 640,
            height: 360,
            fps: 25,
            seconds: 8.0,
        }
    }
}

/// Writes the pattern to `path` (H.264 and AAC in MP4, as a camera would hand it over).
pub fn make(path: &Path, spec: PatternSpec) -> Result<(), VideoError> {
    let PatternSpec {
        width: w,
        height: h,
        fps,
        seconds,
    } = spec;
    let stripe = w / BITS;
    let top = h * 5 / 6;
    let mut video = format!("color=c=black:s={w}x{h}:r={fps}:d={seconds}");
    for bit in 0..BITS {
        let x = bit * stripe;
        video.push_str(&format!(
            ",drawbox=x={x}:y=0:w={stripe}:h={top}:color=white:t=fill:enable='eq(mod(floor(n/{}),2),1)'",
            1u32 << bit
        ));
    }
    video.push_str(&format!(
        ",drawbox=x=0:y={top}:w={w}:h={}:color=white:t=fill:enable='eq(mod(n,{fps}),0)'",
        h - top
    ));
    let frame = 1.0 / f64::from(fps);
    let audio = format!(
        "aevalsrc='if(lt(mod(t,1),{frame}),0.8*sin(2*PI*{TONE_HZ}*t),0)':s=48000:d={seconds}"
    );
    let out = ffmpeg("made")?
        .args([
            "-y", "-f", "lavfi", "-i", &video, "-f", "lavfi", "-i", &audio,
        ])
        .args([
            "-c:v",
            "libx264",
            "-preset",
            "ultrafast",
            "-pix_fmt",
            "yuv420p",
        ])
        .args([
            "-g",
            &fps.to_string(),
            "-c:a",
            "aac",
            "-b:a",
            "128k",
            "-shortest",
        ])
        .arg(path)
        .output()
        .map_err(|e| VideoError::Write {
            path: path.to_owned(),
            source: e,
        })?;
    if out.status.success() {
        Ok(())
    } else {
        Err(VideoError::Ffmpeg {
            path: path.to_owned(),
            doing: "making the test pattern".into(),
            message: last_lines(&out.stderr),
        })
    }
}

fn luma(rgba: &[u8], width: u32, x: u32, y: u32) -> Option<f32> {
    let i = ((y * width + x) * 4) as usize;
    let p = rgba.get(i..i + 3)?;
    Some(0.2126 * f32::from(p[0]) + 0.7152 * f32::from(p[1]) + 0.0722 * f32::from(p[2]))
}

/// The frame number a picture of the pattern shows, read at the middle of each stripe. `rect`
/// is where the recording's picture lies in the image (`[x, y, w, h]` pixels): the whole image
/// for a decoded frame, the screen's box for a screenshot.
pub fn frame_number(rgba: &[u8], image_width: u32, rect: [u32; 4]) -> Option<u32> {
    let [x0, y0, w, h] = rect;
    let y = y0 + h * 5 / 12;
    let mut n = 0;
    for bit in 0..BITS {
        let x = x0 + (w * (2 * bit + 1)) / (2 * BITS);
        if luma(rgba, image_width, x, y)? > 128.0 {
            n |= 1 << bit;
        }
    }
    Some(n)
}

/// Whether the picture shows the band of a second's first frame.
pub fn flash(rgba: &[u8], image_width: u32, rect: [u32; 4]) -> Option<bool> {
    let [x0, y0, w, h] = rect;
    Some(luma(rgba, image_width, x0 + w / 2, y0 + h * 11 / 12)? > 128.0)
}

/// The sample indices where beeps start in mono `samples`: the first sample above a quarter of
/// the beep's level after at least 0.1 s of quiet.
pub fn beep_starts(samples: &[f32], rate: u32) -> Vec<usize> {
    let quiet_needed = rate as usize / 10;
    let mut starts = Vec::new();
    let mut quiet = quiet_needed;
    for (i, s) in samples.iter().enumerate() {
        if s.abs() > 0.2 {
            if quiet >= quiet_needed {
                starts.push(i);
            }
            quiet = 0;
        } else {
            quiet += 1;
        }
    }
    starts
}
