//! Native playback: Debian's ffmpeg decodes the chosen rendition (`disan_video::decode`), one
//! process for the picture and one for the sound, both started at the clock's position and
//! restarted after a jump. The picture shows the last decoded frame whose time has come; the
//! sound is pulled by the audio thread from a [`SoundFeed`] that keeps to the same clock, and
//! leaves the screen through a spatial voice (or surrounds the visitor for a 360° video).

use std::path::PathBuf;
use std::sync::Mutex;

use bevy::audio::{AddAudioSource, Decodable, Source};
use bevy::platform::cell::SyncCell;
use bevy::prelude::*;
use bevy::tasks::{AsyncComputeTaskPool, Task, block_on, futures_lite::future};
use disan_audio::{SpatialVoice, VoiceControl};
use disan_video::clock::{SoundFeed, SoundFeedControl, sound_feed};
use disan_video::decode::{Frame, FrameReader, SoundReader};

use super::{Screen, Videos, spawn_screens};
use crate::audio::ExternalVoice;
use crate::library::ExhibitLibrary;
use crate::policy::ContentNotice;
use crate::{ExhibitScoped, ViewerState};

pub(super) fn plugin(app: &mut App) {
    app.add_audio_source::<VideoSound>().add_systems(
        OnEnter(ViewerState::Exhibit),
        start_decoding.after(spawn_screens),
    );
}

/// One screen's decoders.
pub struct Decoding {
    /// The rendition's file on disk.
    file: PathBuf,
    width: u32,
    height: u32,
    frames: Option<FrameReader>,
    /// A frame decoded ahead of its time.
    pending: Option<Frame>,
    /// The number of the next frame the reader hands out.
    next: u64,
    /// The reader has reached the recording's end.
    ended: bool,
    /// The reader was (re)started and has not yet handed out a frame: it is not restarted for
    /// lagging until it has (each restart shows at least one picture).
    starting: bool,
    /// Restarts because the clock ran away from the decoder, in a row.
    lags: u32,
    /// The package is signed: only the rendition checked at the start plays (no stepping down
    /// to one that was not checked).
    signed: bool,
    /// The rendition's hash being checked against the signed list; no decoder starts until it
    /// has passed.
    signature_check: Option<Task<Result<(), String>>>,
    /// Kept so its ffmpeg runs while the feed reads its chunks.
    sound: Option<SoundReader>,
    /// A recording without picture: the clock's position when last looked at, to tell a jump
    /// (a seek, a chapter, a loop) that restarts its sound.
    heard_at: Option<f64>,
    feed: Option<SoundFeedControl>,
}

/// The sound of a video, for bevy_audio: the feed is handed to the audio thread once.
#[derive(Asset, TypePath)]
pub struct VideoSound {
    feed: Mutex<Option<SoundFeed>>,
    control: VoiceControl,
}

/// A [`SoundFeed`] as a rodio source: mono, endless until the voice is stopped.
pub struct FeedSource(Option<SoundFeed>);

impl Iterator for FeedSource {
    type Item = f32;
    fn next(&mut self) -> Option<f32> {
        self.0.as_mut().map(SoundFeed::sample)
    }
}

impl Source for FeedSource {
    fn current_span_len(&self) -> Option<usize> {
        None
    }
    fn channels(&self) -> rodio::ChannelCount {
        rodio::ChannelCount::new(1).expect("one channel")
    }
    fn sample_rate(&self) -> rodio::SampleRate {
        rodio::SampleRate::new(SoundReader::RATE).expect("a rate")
    }
    fn total_duration(&self) -> Option<std::time::Duration> {
        None
    }
}

impl Decodable for VideoSound {
    type Decoder = SpatialVoice<FeedSource>;
    fn decoder(&self) -> Self::Decoder {
        let feed = self.feed.lock().ok().and_then(|mut f| f.take());
        SpatialVoice::new(FeedSource(feed), &self.control)
    }
}

/// Gives each screen its decoders (started lazily, at the first frame wanted) and its sound.
fn start_decoding(
    library: Res<ExhibitLibrary>,
    config: Res<crate::ViewerConfig>,
    mut videos: ResMut<Videos>,
    mut sounds: ResMut<Assets<VideoSound>>,
    mut notices: MessageWriter<ContentNotice>,
    mut commands: Commands,
) {
    let Some(package) = library.current_package() else {
        return;
    };
    for screen in &mut videos.screens {
        let Some(set) = &screen.set else { continue };
        let Some(rendition) = screen.rendition.map(|i| &set.renditions[i]) else {
            screen.failed = true;
            notices.write(ContentNotice {
                file: screen.video.src.to_string(),
                reason: "lists no rendition this viewer can play: pack the video again".into(),
            });
            continue;
        };
        // The rendition's file sits beside its video.json.
        let description = package.file(&screen.video.src);
        let file = description.parent().map_or_else(
            || PathBuf::from(&rendition.file),
            |d| d.join(&rendition.file),
        );
        // FFmpeg reads the file itself, past the asset reader's signature checks: check it here,
        // on a worker thread (the frame goes on; nothing of the file plays until it passes).
        let signature_check =
            match start_signature_check(package, &config.trust, &screen.video.src, &rendition.file)
            {
                Ok(check) => check,
                Err(reason) => {
                    screen.failed = true;
                    notices.write(ContentNotice {
                        file: screen.video.src.to_string(),
                        reason,
                    });
                    continue;
                }
            };
        let feed = set.audio.then(|| {
            let (feed, control) = sound_feed(screen.clock.clone(), SoundReader::RATE);
            let voice = VoiceControl::new(0.0, 0.0);
            let sound = sounds.add(VideoSound {
                feed: Mutex::new(Some(feed)),
                control: voice.clone(),
            });
            let position = super::sound_position(&screen.video);
            commands.spawn((
                ExternalVoice {
                    position,
                    volume: screen.video.volume,
                    control: voice,
                    playing: false,
                },
                AudioPlayer::<VideoSound>(sound),
                PlaybackSettings::ONCE,
                super::VideoVoiceOf(screen.video.id.clone()),
                ExhibitScoped,
            ));
            control
        });
        screen.decoding = Some(SyncCell::new(Decoding {
            file,
            width: rendition.width,
            height: rendition.height,
            frames: None,
            pending: None,
            next: 0,
            ended: false,
            starting: false,
            lags: 0,
            signed: signature_check.is_some(),
            signature_check,
            sound: None,
            heard_at: None,
            feed,
        }));
    }
}

/// How far ahead of the reader the clock may be before a restart beats decoding through: more
/// than a keyframe interval (2 s), so a restart lands past where decoding through would.
const RESTART_AHEAD_SECONDS: f64 = 2.5;

/// Restarts for lagging in a row after which a smaller rendition is played: the machine cannot
/// decode and show this one in real time (a school PC without a GPU, drawing on the CPU).
const LAGS_BEFORE_STEPPING_DOWN: u32 = 2;

/// Shows the frame the screen's clock says: restarts the decoders at the clock after a jump,
/// takes the frames whose time has come, and puts the latest into the screen's picture.
pub(super) fn show_frame(
    screen: &mut Screen,
    images: &mut Assets<Image>,
    notices: &mut MessageWriter<ContentNotice>,
) {
    if screen.failed {
        return;
    }
    let (Some(set), Some(cell)) = (&screen.set, screen.decoding.as_mut()) else {
        return;
    };
    let d = cell.get();
    if let Some(check) = &mut d.signature_check {
        match block_on(future::poll_once(check)) {
            // Still hashing: the poster stays.
            None => return,
            Some(Ok(())) => d.signature_check = None,
            Some(Err(reason)) => {
                screen.failed = true;
                notices.write(ContentNotice {
                    file: screen.video.src.to_string(),
                    reason,
                });
                return;
            }
        }
    }
    let position = screen.clock.position();
    if !set.has_picture() {
        follow_sound(d, position);
        return;
    }
    let wanted = super::frame_to_show(set, position);
    if d.frames.is_some() && screen.shown_frame == Some(wanted) {
        return;
    }
    let far_ahead = !d.starting && wanted as f64 > d.next as f64 + RESTART_AHEAD_SECONDS * set.fps;
    if far_ahead {
        d.lags += 1;
        if d.lags >= LAGS_BEFORE_STEPPING_DOWN
            && !d.signed
            && let Some(smaller) = smaller_rendition(set, d.height)
        {
            let r = &set.renditions[smaller];
            info!(
                "video \"{}\": {} cannot be played in real time here; playing {} instead",
                screen.video.id,
                d.file
                    .file_name()
                    .map_or_else(String::new, |f| f.to_string_lossy().into_owned()),
                r.file
            );
            d.file = d.file.with_file_name(&r.file);
            (d.width, d.height) = (r.width, r.height);
            d.lags = 0;
            screen.rendition = Some(smaller);
            if let Some(mut image) = images.get_mut(&screen.image) {
                image.resize(bevy::render::render_resource::Extent3d {
                    width: r.width,
                    height: r.height,
                    depth_or_array_layers: 1,
                });
            }
        }
    }
    if d.frames.is_none() || wanted < d.next || far_ahead {
        let clock = Some(screen.clock.clone());
        match FrameReader::open_following(&d.file, wanted, set.fps, d.width, d.height, clock) {
            Ok(reader) => {
                d.frames = Some(reader);
                d.pending = None;
                d.next = wanted;
                d.ended = false;
                d.starting = true;
            }
            Err(e) => {
                screen.failed = true;
                notices.write(ContentNotice {
                    file: screen.video.src.to_string(),
                    reason: format!("{e}; the screen keeps its poster"),
                });
                return;
            }
        }
        if let Some(feed) = &d.feed {
            match SoundReader::open(&d.file, position) {
                Ok(mut sound) => {
                    if let Some(chunks) = sound.take_chunks() {
                        feed.switch((position, chunks));
                    }
                    d.sound = Some(sound);
                }
                Err(e) => warn!("{}: its sound cannot be played ({e})", d.file.display()),
            }
        }
    }
    let Some(reader) = &d.frames else { return };
    let mut latest: Option<Frame> = None;
    loop {
        let next = match d.pending.take() {
            Some(f) => Ok(f),
            None => reader.try_next(),
        };
        match next {
            Ok(frame) if frame.number <= wanted => {
                d.next = frame.number + 1;
                d.starting = false;
                let done = frame.number == wanted;
                latest = Some(frame);
                if done {
                    break;
                }
            }
            Ok(frame) => {
                d.starting = false;
                d.pending = Some(frame);
                break;
            }
            Err(ended) => {
                d.ended = ended;
                break;
            }
        }
    }
    if let Some(frame) = latest
        && let Some(mut image) = images.get_mut(&screen.image)
    {
        if frame.rgba.len() == image.data.as_ref().map_or(0, Vec::len) {
            image.data = Some(frame.rgba);
            screen.shown_frame = Some(frame.number);
        }
    }
    screen.ended = d.ended;
}

/// How far the clock may move between two looks before it counts as a jump: more than any
/// frame takes, even a slow one on a software renderer.
const JUMP_SECONDS: f64 = 0.5;

/// A recording without picture: its sound is (re)started at the clock's position at first and
/// after every jump; in between the feed keeps it to the clock.
fn follow_sound(d: &mut Decoding, position: f64) {
    let jumped = d
        .heard_at
        .is_none_or(|at| position < at - 1e-3 || position > at + JUMP_SECONDS);
    d.heard_at = Some(position);
    if !jumped {
        return;
    }
    let Some(feed) = &d.feed else { return };
    match SoundReader::open(&d.file, position) {
        Ok(mut sound) => {
            if let Some(chunks) = sound.take_chunks() {
                feed.switch((position, chunks));
            }
            d.sound = Some(sound);
        }
        Err(e) => warn!("{}: it cannot be played ({e})", d.file.display()),
    }
}

/// The next smaller rendition than one `height` rows high, if there is one.
fn smaller_rendition(set: &disan_format::video::VideoSet, height: u32) -> Option<usize> {
    set.renditions
        .iter()
        .enumerate()
        .filter(|(_, r)| r.height < height)
        .max_by_key(|(_, r)| (r.height, std::cmp::Reverse(r.bitrate)))
        .map(|(i, _)| i)
}

/// A rendition of a signed package (or of any package when the viewer requires signatures)
/// must match the signed list: FFmpeg reads it by path, so the asset reader never sees it.
/// `Ok(None)`: unsigned, and none required. `Ok(Some)`: the check of the file's hash, started on
/// a worker thread (renditions run to hundreds of megabytes: read whole on the main thread, the
/// kiosk's frames would stop for seconds). `Err` says why it must not play, in words for staff.
fn start_signature_check(
    package: &disan_format::Package,
    policy: &disan_format::integrity::TrustPolicy,
    description: &disan_format::PackagePath,
    rendition: &str,
) -> Result<Option<Task<Result<(), String>>>, String> {
    use disan_format::integrity::{INTEGRITY_FILE, SIGNATURE_FILE, trusted_hashes};
    let list = std::fs::read(package.root.join(INTEGRITY_FILE)).ok();
    let signature = std::fs::read(package.root.join(SIGNATURE_FILE)).ok();
    let hashes = trusted_hashes(list.as_deref(), signature.as_deref(), policy)
        .map_err(|e| format!("{e}; the video is not played"))?;
    let Some(hashes) = hashes else {
        return Ok(None);
    };
    let folder = description.as_str().rsplit_once('/').map_or("", |(d, _)| d);
    let name = if folder.is_empty() {
        rendition.to_owned()
    } else {
        format!("{folder}/{rendition}")
    };
    let path = package.root.join(&name);
    Ok(Some(AsyncComputeTaskPool::get().spawn(async move {
        let file = std::fs::File::open(&path)
            .map_err(|e| format!("{name}: cannot be read ({e}); the video is not played"))?;
        hashes
            .check_stream(&name, file)
            .map_err(|e| format!("{e}; the video is not played"))
    })))
}
