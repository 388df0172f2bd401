//! Frames and sound from any time in a rendition, each from its own ffmpeg process reading the
//! same file from the same time. Both are read on their own threads into bounded channels, so
//! a decoder that runs ahead waits (memory stays a few frames) and one that stalls never blocks
//! the viewer: it simply shows the last frame it has.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Child, Stdio};
use std::sync::mpsc::{Receiver, SyncSender, TryRecvError, sync_channel};

use crate::tool::{VideoError, ffmpeg};

/// One decoded picture.
#[derive(Clone)]
pub struct Frame {
    /// Its number in the recording, from 0.
    pub number: u64,
    /// When it starts showing, seconds from the recording's start.
    pub time: f64,
    /// `width × height × 4` bytes, sRGB, top row first.
    pub rgba: Vec<u8>,
}

/// Frames decoded ahead of the one showing: enough to ride out a slow frame, few enough that a
/// 1080p stream holds 33 MB at most.
const FRAMES_AHEAD: usize = 4;

/// A running ffmpeg, killed when dropped (a seek, a closed exhibit).
struct Process(Child);

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Frames of one rendition from frame `first` on, scaled to `width × height`.
pub struct FrameReader {
    frames: Receiver<Frame>,
    pub width: u32,
    pub height: u32,
    _process: Process,
}

/// Where to start ffmpeg so that its first frame is frame `n`: half a frame before it, so that
/// rounding never lets frame `n - 1` through or frame `n` be dropped.
pub fn seek_time(n: u64, fps: f64) -> f64 {
    ((n as f64 - 0.5) / fps).max(0.0)
}

impl FrameReader {
    pub fn open(
        file: &Path,
        first: u64,
        fps: f64,
        width: u32,
        height: u32,
    ) -> Result<Self, VideoError> {
        Self::open_following(file, first, fps, width, height, None)
    }

    /// As [`FrameReader::open`], dropping on the reading thread every frame whose successor is
    /// already due by `clock`: the decoder runs at its own pace, not the viewer's (a viewer
    /// drawing a few frames a second would otherwise hold it back, as it takes at most the
    /// frames queued ahead each time it draws).
    pub fn open_following(
        file: &Path,
        first: u64,
        fps: f64,
        width: u32,
        height: u32,
        clock: Option<crate::clock::MediaClock>,
    ) -> Result<Self, VideoError> {
        let mut cmd = ffmpeg("played")?;
        cmd.args(["-ss", &format!("{:.6}", seek_time(first, fps)), "-i"])
            .arg(file)
            .args(["-map", "0:v:0", "-an", "-sn"])
            .args(["-vf", &format!("scale={width}:{height}")])
            .args([
                "-fps_mode",
                "passthrough",
                "-pix_fmt",
                "rgba",
                "-f",
                "rawvideo",
                "pipe:1",
            ])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null());
        let mut child = cmd.spawn().map_err(|e| VideoError::Unreadable {
            path: file.to_owned(),
            message: e.to_string(),
        })?;
        let mut out = child.stdout.take().expect("piped");
        let (tx, frames) = sync_channel(FRAMES_AHEAD);
        let size = width as usize * height as usize * 4;
        std::thread::Builder::new()
            .name("video frames".into())
            .spawn(move || {
                for number in first.. {
                    let mut rgba = vec![0; size];
                    if out.read_exact(&mut rgba).is_err() {
                        return; // the end, or ffmpeg was stopped
                    }
                    let frame = Frame {
                        number,
                        time: number as f64 / fps,
                        rgba,
                    };
                    if clock
                        .as_ref()
                        .is_some_and(|c| c.playing() && (number + 1) as f64 / fps <= c.position())
                    {
                        continue; // late: its successor is due already
                    }
                    if tx.send(frame).is_err() {
                        return; // the reader was dropped
                    }
                }
            })
            .map_err(|e| VideoError::Unreadable {
                path: file.to_owned(),
                message: e.to_string(),
            })?;
        Ok(Self {
            frames,
            width,
            height,
            _process: Process(child),
        })
    }

    /// The next frame if one is decoded; `Err(true)` once the recording has ended.
    pub fn try_next(&self) -> Result<Frame, bool> {
        self.frames
            .try_recv()
            .map_err(|e| e == TryRecvError::Disconnected)
    }

    /// Waits up to `timeout` for the next frame (for a still taken after a seek).
    pub fn next_within(&self, timeout: std::time::Duration) -> Option<Frame> {
        self.frames.recv_timeout(timeout).ok()
    }
}

/// Sound of one rendition from `start` seconds on, mono at [`SoundReader::RATE`], in chunks.
pub struct SoundReader {
    pub start: f64,
    chunks: Option<Receiver<Vec<f32>>>,
    _process: Process,
    pub file: PathBuf,
}

impl SoundReader {
    pub const RATE: u32 = 48_000;
    /// A tenth of a second per chunk; two seconds decoded ahead at most.
    const CHUNK: usize = 4800;
    const CHUNKS_AHEAD: usize = 20;

    pub fn open(file: &Path, start: f64) -> Result<Self, VideoError> {
        let mut cmd = ffmpeg("played")?;
        cmd.args(["-ss", &format!("{start:.6}"), "-i"])
            .arg(file)
            .args(["-map", "0:a:0", "-vn", "-sn", "-ac", "1"])
            .args(["-ar", &Self::RATE.to_string(), "-f", "f32le", "pipe:1"])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null());
        let mut child = cmd.spawn().map_err(|e| VideoError::Unreadable {
            path: file.to_owned(),
            message: e.to_string(),
        })?;
        let out = child.stdout.take().expect("piped");
        let (tx, rx) = sync_channel(Self::CHUNKS_AHEAD);
        std::thread::Builder::new()
            .name("video sound".into())
            .spawn(move || read_chunks(out, &tx))
            .map_err(|e| VideoError::Unreadable {
                path: file.to_owned(),
                message: e.to_string(),
            })?;
        Ok(Self {
            start,
            chunks: Some(rx),
            _process: Process(child),
            file: file.to_owned(),
        })
    }

    /// The chunks, for the audio thread to take (once).
    pub fn take_chunks(&mut self) -> Option<Receiver<Vec<f32>>> {
        self.chunks.take()
    }

    /// All of the sound to the end, for tests.
    pub fn read_all(mut self) -> Vec<f32> {
        let rx = self.take_chunks().expect("not taken");
        rx.iter().flatten().collect()
    }
}

fn read_chunks(mut out: impl Read, tx: &SyncSender<Vec<f32>>) {
    let mut bytes = vec![0u8; SoundReader::CHUNK * 4];
    loop {
        let mut filled = 0;
        while filled < bytes.len() {
            match out.read(&mut bytes[filled..]) {
                Ok(0) | Err(_) => break,
                Ok(n) => filled += n,
            }
        }
        let samples: Vec<f32> = bytes[..filled - filled % 4]
            .chunks_exact(4)
            .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
            .map(|s| {
                if s.is_finite() {
                    s.clamp(-1.0, 1.0)
                } else {
                    0.0
                }
            })
            .collect();
        let last = filled < bytes.len();
        if !samples.is_empty() && tx.send(samples).is_err() {
            return;
        }
        if last {
            return;
        }
    }
}
