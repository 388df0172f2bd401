//! The media clock, and the sound that keeps to it.
//!
//! One clock per playing video says where in the recording playback is. It runs on its own from
//! the moment `play` is called (an anchor position and the instant it was set, so it advances
//! smoothly between rendered frames), and both halves follow it: the viewer shows the last frame
//! whose time has come, and [`SoundFeed`], pulled by the audio thread, hands out the sample for
//! the clock's time, dropping what is late and waiting in silence when it is early. So sound and
//! picture stay within [`SYNC_TOLERANCE`] of each other whatever either decoder does (a stall, a
//! seek, a slow frame on a software renderer).
//!
//! Nothing here locks: the clock is a handful of atomics written with a sequence counter (a
//! seqlock), so the audio thread never waits on the viewer.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
use std::time::Instant;

/// How far the sound may drift from the clock before it is corrected: below the 45 ms at which
/// viewers begin to notice lips and sound apart (ITU-R BT.1359 puts detectability at about
/// 45 ms sound-early, 125 ms sound-late).
pub const SYNC_TOLERANCE: f64 = 0.030;

#[derive(Default)]
struct Shared {
    sequence: AtomicU64,
    /// f64 bits: the position at the anchor.
    anchor_position: AtomicU64,
    /// Nanoseconds since the clock's base when the anchor was set.
    anchor_at: AtomicU64,
    playing: AtomicBool,
    /// For tests: the time in nanoseconds, instead of the real one.
    manual_now: AtomicU64,
    manual: AtomicBool,
}

#[derive(Clone)]
pub struct MediaClock {
    shared: Arc<Shared>,
    base: Instant,
}

impl Default for MediaClock {
    fn default() -> Self {
        Self::new()
    }
}

impl MediaClock {
    /// A paused clock at 0 s, running in real time once played.
    pub fn new() -> Self {
        Self {
            shared: Arc::default(),
            base: Instant::now(),
        }
    }

    /// A clock whose time moves only by [`MediaClock::advance`]: tests, and stills.
    pub fn manual() -> Self {
        let clock = Self::new();
        clock.shared.manual.store(true, Ordering::SeqCst);
        clock
    }

    /// Moves a manual clock's time on.
    pub fn advance(&self, seconds: f64) {
        let nanos = (seconds.max(0.0) * 1e9) as u64;
        self.shared.manual_now.fetch_add(nanos, Ordering::SeqCst);
    }

    fn now(&self) -> u64 {
        if self.shared.manual.load(Ordering::SeqCst) {
            self.shared.manual_now.load(Ordering::SeqCst)
        } else {
            self.base.elapsed().as_nanos() as u64
        }
    }

    /// Where playback is, seconds into the recording.
    pub fn position(&self) -> f64 {
        let s = &self.shared;
        loop {
            let before = s.sequence.load(Ordering::Acquire);
            if before % 2 == 1 {
                std::hint::spin_loop();
                continue;
            }
            let position = f64::from_bits(s.anchor_position.load(Ordering::Acquire));
            let at = s.anchor_at.load(Ordering::Acquire);
            let playing = s.playing.load(Ordering::Acquire);
            if s.sequence.load(Ordering::Acquire) != before {
                continue;
            }
            return if playing {
                position + self.now().saturating_sub(at) as f64 / 1e9
            } else {
                position
            };
        }
    }

    pub fn playing(&self) -> bool {
        self.shared.playing.load(Ordering::Acquire)
    }

    fn set(&self, position: f64, playing: bool) {
        let s = &self.shared;
        s.sequence.fetch_add(1, Ordering::AcqRel);
        s.anchor_position
            .store(position.max(0.0).to_bits(), Ordering::Release);
        s.anchor_at.store(self.now(), Ordering::Release);
        s.playing.store(playing, Ordering::Release);
        s.sequence.fetch_add(1, Ordering::AcqRel);
    }

    pub fn play(&self) {
        if !self.playing() {
            self.set(self.position(), true);
        }
    }

    pub fn pause(&self) {
        if self.playing() {
            self.set(self.position(), false);
        }
    }

    /// Jumps to `position`, playing or paused as before.
    pub fn seek(&self, position: f64) {
        self.set(position, self.playing());
    }
}

/// A new stream of sound for the feed: its first sample's time and its chunks.
pub type SoundStream = (f64, Receiver<Vec<f32>>);

/// Mono sound at `rate` samples per second that keeps to a [`MediaClock`]; an endless
/// iterator (silence when paused or when nothing is decoded), for the audio thread.
pub struct SoundFeed {
    clock: MediaClock,
    streams: Receiver<SoundStream>,
    chunks: Option<Receiver<Vec<f32>>>,
    chunk: Vec<f32>,
    at: usize,
    /// The recording's time of the next sample to hand out.
    next_time: f64,
    rate: u32,
}

/// The viewer's side of a [`SoundFeed`]: a new stream after every seek.
#[derive(Clone)]
pub struct SoundFeedControl(SyncSender<SoundStream>);

impl SoundFeedControl {
    /// Hands the feed a new stream; the old one is dropped by the audio thread.
    pub fn switch(&self, stream: SoundStream) {
        let _ = self.0.try_send(stream);
    }
}

pub fn sound_feed(clock: MediaClock, rate: u32) -> (SoundFeed, SoundFeedControl) {
    let (tx, rx) = sync_channel(4);
    (
        SoundFeed {
            clock,
            streams: rx,
            chunks: None,
            chunk: Vec::new(),
            at: 0,
            next_time: 0.0,
            rate,
        },
        SoundFeedControl(tx),
    )
}

impl SoundFeed {
    pub fn rate(&self) -> u32 {
        self.rate
    }

    /// The recording's time of the next sample (for tests).
    pub fn next_time(&self) -> f64 {
        self.next_time
    }

    fn pull(&mut self) -> Option<f32> {
        if self.at == self.chunk.len() {
            self.chunk = self.chunks.as_ref()?.try_recv().ok()?;
            self.at = 0;
        }
        let s = self.chunk.get(self.at).copied();
        self.at += 1;
        self.next_time += 1.0 / f64::from(self.rate);
        s
    }

    pub fn sample(&mut self) -> f32 {
        while let Ok((start, chunks)) = self.streams.try_recv() {
            self.chunks = Some(chunks);
            self.chunk.clear();
            self.at = 0;
            self.next_time = start;
        }
        if !self.clock.playing() || self.chunks.is_none() {
            return 0.0;
        }
        let now = self.clock.position();
        // Late (the decoder stalled, or the clock jumped): drop what should already have played.
        while self.next_time < now - SYNC_TOLERANCE {
            if self.pull().is_none() {
                return 0.0;
            }
        }
        // Early (a seek's first chunk, or the clock paused a moment): wait in silence.
        if self.next_time > now + SYNC_TOLERANCE {
            return 0.0;
        }
        self.pull().unwrap_or(0.0)
    }
}

impl Iterator for SoundFeed {
    type Item = f32;
    fn next(&mut self) -> Option<f32> {
        Some(self.sample())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_clock_runs_only_while_playing() {
        let c = MediaClock::manual();
        c.advance(1.0);
        assert_eq!(c.position(), 0.0);
        c.play();
        c.advance(0.5);
        assert!((c.position() - 0.5).abs() < 1e-9);
        c.pause();
        c.advance(3.0);
        assert!((c.position() - 0.5).abs() < 1e-9);
        c.seek(10.0);
        assert_eq!(c.position(), 10.0);
        c.play();
        c.advance(0.25);
        assert!((c.position() - 10.25).abs() < 1e-9);
    }

    /// Sound whose every sample is its own time, so what the feed hands out can be checked
    /// against the clock.
    fn timed_stream(start: f64, seconds: f64, rate: u32) -> SoundStream {
        let (tx, rx) = sync_channel(1000);
        let n = (seconds * f64::from(rate)) as usize;
        let samples: Vec<f32> = (0..n)
            .map(|i| (start + i as f64 / f64::from(rate)) as f32)
            .collect();
        for c in samples.chunks(480) {
            tx.send(c.to_vec()).unwrap();
        }
        (start, rx)
    }

    #[test]
    fn the_sound_keeps_to_the_clock_through_seeks_and_stalls() {
        let rate = 8000;
        let clock = MediaClock::manual();
        let (mut feed, control) = sound_feed(clock.clone(), rate);
        let block = 256; // samples the audio device asks for at a time
        let check = |feed: &mut SoundFeed, clock: &MediaClock, blocks: usize| {
            let mut worst: f64 = 0.0;
            for _ in 0..blocks {
                for _ in 0..block {
                    let s = feed.sample();
                    if s != 0.0 {
                        worst = worst.max((f64::from(s) - clock.position()).abs());
                    }
                }
                clock.advance(f64::from(block as u32) / f64::from(rate));
            }
            worst
        };
        // Paused: silence, and nothing consumed.
        control.switch(timed_stream(0.0, 20.0, rate));
        assert_eq!(check(&mut feed, &clock, 10), 0.0);
        clock.play();
        assert!(check(&mut feed, &clock, 100) < SYNC_TOLERANCE + 1e-3);
        // A seek forward, with its new stream: the first sample heard is the seek's.
        clock.seek(7.0);
        control.switch(timed_stream(7.0, 10.0, rate));
        let first = (0..rate)
            .map(|_| feed.sample())
            .find(|s| *s != 0.0)
            .unwrap();
        assert!((f64::from(first) - 7.0).abs() < SYNC_TOLERANCE, "{first}");
        assert!(check(&mut feed, &clock, 100) < SYNC_TOLERANCE + 1e-3);
        // The audio thread stalls for half a second: it catches up by dropping, not by lagging.
        clock.advance(0.5);
        assert!(check(&mut feed, &clock, 50) < SYNC_TOLERANCE + 1e-3);
        // The clock pauses: the feed falls silent and resumes in place.
        clock.pause();
        let at = clock.position();
        assert!((0..block).all(|_| feed.sample() == 0.0));
        clock.play();
        assert!(check(&mut feed, &clock, 20) < SYNC_TOLERANCE + 1e-3);
        assert!(clock.position() > at);
    }
}
