//! A positioned voice: a mono rodio source spread to stereo by gains that the control side sets
//! and the audio thread eases towards, sample by sample.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::time::Duration;

use rodio::source::SeekError;
use rodio::{ChannelCount, Sample, SampleRate, Source};

use crate::gains::{Listener, SourceSpec, stereo_gains};

/// Gains shared between the control thread (writer) and the audio thread (reader): plain
/// atomics, so neither side ever waits for the other.
#[derive(Debug)]
pub struct VoiceParams {
    left: AtomicU32,
    right: AtomicU32,
    stopped: AtomicBool,
}

impl VoiceParams {
    fn load(a: &AtomicU32) -> f32 {
        f32::from_bits(a.load(Ordering::Relaxed))
    }
}

/// The control side of a voice (cheap to clone, `Send + Sync`).
#[derive(Clone, Debug)]
pub struct VoiceControl(Arc<VoiceParams>);

impl VoiceControl {
    pub fn new(left: f32, right: f32) -> Self {
        Self(Arc::new(VoiceParams {
            left: AtomicU32::new(left.to_bits()),
            right: AtomicU32::new(right.to_bits()),
            stopped: AtomicBool::new(false),
        }))
    }
    /// Sets the channel gains directly (ambient beds: equal gains, no position).
    pub fn set_gains(&self, left: f32, right: f32) {
        self.0.left.store(left.to_bits(), Ordering::Relaxed);
        self.0.right.store(right.to_bits(), Ordering::Relaxed);
    }
    /// Sets the gains for `source` as heard by `listener`, times `duck` (1 = not ducked).
    pub fn place(&self, source: &SourceSpec, listener: &Listener, duck: f32) {
        let (l, r) = stereo_gains(source, listener);
        self.set_gains(l * duck, r * duck);
    }
    pub fn gains(&self) -> (f32, f32) {
        (
            VoiceParams::load(&self.0.left),
            VoiceParams::load(&self.0.right),
        )
    }
    /// Ends the voice: its source reports exhaustion at the next sample.
    pub fn stop(&self) {
        self.0.stopped.store(true, Ordering::Relaxed);
    }
}

/// A one-pole smoother: moves towards its target by a fixed fraction per sample, so a step in
/// the target becomes an exponential glide with time constant `tau`.
#[derive(Clone, Copy, Debug)]
pub struct Smoother {
    value: f32,
    coefficient: f32,
}

impl Smoother {
    /// `tau` in seconds; 0 disables smoothing (used by tests to show why it is needed).
    pub fn new(initial: f32, tau: f32, sample_rate: u32) -> Self {
        let coefficient = if tau <= 0.0 {
            1.0
        } else {
            1.0 - (-1.0 / (tau * sample_rate as f32)).exp()
        };
        Self {
            value: initial,
            coefficient,
        }
    }
    #[inline]
    pub fn next(&mut self, target: f32) -> f32 {
        self.value += (target - self.value) * self.coefficient;
        self.value
    }
    pub fn value(&self) -> f32 {
        self.value
    }
}

/// Gain glide time: short enough to follow a walking visitor, long enough to be click-free.
pub const GAIN_SMOOTHING_SECONDS: f32 = 0.015;

/// A mono source spread to interleaved stereo by smoothed gains.
pub struct SpatialVoice<S> {
    input: S,
    input_channels: u16,
    params: Arc<VoiceParams>,
    left: Smoother,
    right: Smoother,
    /// The right channel's sample of the current frame, emitted after the left one.
    pending_right: Option<Sample>,
    sample_rate: SampleRate,
}

impl<S: Source> SpatialVoice<S> {
    pub fn new(input: S, control: &VoiceControl) -> Self {
        Self::with_smoothing(input, control, GAIN_SMOOTHING_SECONDS)
    }

    pub fn with_smoothing(input: S, control: &VoiceControl, tau: f32) -> Self {
        let sample_rate = input.sample_rate();
        let (l, r) = control.gains();
        Self {
            input_channels: input.channels().get(),
            input,
            params: control.0.clone(),
            left: Smoother::new(l, tau, sample_rate.get()),
            right: Smoother::new(r, tau, sample_rate.get()),
            pending_right: None,
            sample_rate,
        }
    }

    /// One mono sample of the input (multi-channel inputs are averaged).
    fn next_mono(&mut self) -> Option<Sample> {
        let first = self.input.next()?;
        if self.input_channels == 1 {
            return Some(first);
        }
        let mut sum = first;
        for _ in 1..self.input_channels {
            sum += self.input.next().unwrap_or(0.0);
        }
        Some(sum / Sample::from(self.input_channels))
    }
}

impl<S: Source> Iterator for SpatialVoice<S> {
    type Item = Sample;

    #[inline]
    fn next(&mut self) -> Option<Sample> {
        if let Some(r) = self.pending_right.take() {
            return Some(r);
        }
        if self.params.stopped.load(Ordering::Relaxed) {
            return None;
        }
        let mono = self.next_mono()?;
        let l = self.left.next(VoiceParams::load(&self.params.left));
        let r = self.right.next(VoiceParams::load(&self.params.right));
        self.pending_right = Some(mono * r);
        Some(mono * l)
    }
}

impl<S: Source> Source for SpatialVoice<S> {
    fn current_span_len(&self) -> Option<usize> {
        None
    }
    fn channels(&self) -> ChannelCount {
        ChannelCount::new(2).expect("two channels")
    }
    fn sample_rate(&self) -> SampleRate {
        self.sample_rate
    }
    fn total_duration(&self) -> Option<Duration> {
        self.input.total_duration()
    }
    fn try_seek(&mut self, pos: Duration) -> Result<(), SeekError> {
        self.input.try_seek(pos)
    }
}
