//! The spatial voice, end to end: rodio sources in, stereo samples out, checked against the
//! Web Audio API's formulas written out independently here, and for clicks on moving sources.

use std::num::NonZero;

use disan_audio::gains::{Cone, DistanceModel, Listener, SourceSpec};
use disan_audio::{SpatialVoice, VoiceControl, mix_offline, write_wav};
use rodio::Source;
use rodio::buffer::SamplesBuffer;

const RATE: u32 = 48_000;

/// The spec's gains in f64, from the spec text (azimuth by atan2 rather than the spec's acos
/// steps, which is the same angle computed another way).
fn reference_gains(s: &SourceSpec, l: &Listener) -> (f64, f64) {
    let v = |a: [f32; 3]| [f64::from(a[0]), f64::from(a[1]), f64::from(a[2])];
    let (sp, lp, lf, lu, so) = (
        v(s.position),
        v(l.position),
        v(l.forward),
        v(l.up),
        v(s.orientation),
    );
    let sub = |a: [f64; 3], b: [f64; 3]| [a[0] - b[0], a[1] - b[1], a[2] - b[2]];
    let dot = |a: [f64; 3], b: [f64; 3]| a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
    let cross = |a: [f64; 3], b: [f64; 3]| {
        [
            a[1] * b[2] - a[2] * b[1],
            a[2] * b[0] - a[0] * b[2],
            a[0] * b[1] - a[1] * b[0],
        ]
    };
    let norm = |a: [f64; 3]| {
        let n = dot(a, a).sqrt();
        [a[0] / n, a[1] / n, a[2] / n]
    };
    let rel = sub(sp, lp);
    let d = dot(rel, rel).sqrt();
    let (rd, md, rf) = (
        f64::from(s.ref_distance),
        f64::from(s.max_distance),
        f64::from(s.rolloff),
    );
    let distance = match s.model {
        DistanceModel::Linear => 1.0 - rf.min(1.0) * (d.clamp(rd, md) - rd) / (md - rd),
        DistanceModel::Inverse => rd / (rd + rf * (d.max(rd) - rd)),
        DistanceModel::Exponential => (d.max(rd) / rd).powf(-rf),
    };
    let angle = dot(norm(sub(lp, sp)), norm(so))
        .clamp(-1.0, 1.0)
        .acos()
        .to_degrees();
    let (ih, oh, og) = (
        f64::from(s.cone.inner_deg) / 2.0,
        f64::from(s.cone.outer_deg) / 2.0,
        f64::from(s.cone.outer_gain),
    );
    let cone = if angle <= ih {
        1.0
    } else if angle >= oh {
        og
    } else {
        let x = (angle - ih) / (oh - ih);
        1.0 - x + og * x
    };
    let right = norm(cross(lf, lu));
    let front = norm(lf);
    let mut az = dot(rel, right).atan2(dot(rel, front)).to_degrees();
    if az > 90.0 {
        az = 180.0 - az;
    } else if az < -90.0 {
        az = -180.0 - az;
    }
    let x = (az + 90.0) / 180.0 * std::f64::consts::FRAC_PI_2;
    let g = f64::from(s.volume) * distance * cone;
    (g * x.cos(), g * x.sin())
}

fn constant_one(frames: usize) -> SamplesBuffer {
    SamplesBuffer::new(
        NonZero::new(1).unwrap(),
        NonZero::new(RATE).unwrap(),
        vec![1.0; frames],
    )
}

#[test]
fn output_gains_match_the_web_audio_spec_over_a_grid() {
    let mut checked = 0;
    for model in [
        DistanceModel::Linear,
        DistanceModel::Inverse,
        DistanceModel::Exponential,
    ] {
        for yaw_deg in (0..360).step_by(45) {
            let yaw = (yaw_deg as f32).to_radians();
            let listener = Listener {
                position: [1.0, 1.6, 2.0],
                forward: [-yaw.sin(), 0.0, -yaw.cos()],
                up: [0.0, 1.0, 0.0],
            };
            for x in (-20..=20).step_by(5) {
                for z in (-20..=20).step_by(5) {
                    for y in [0.0f32, 4.0] {
                        let source = SourceSpec {
                            position: [x as f32 + 0.3, y, z as f32 + 0.7],
                            orientation: [0.0, 0.0, 1.0],
                            model,
                            ref_distance: 2.0,
                            max_distance: 30.0,
                            rolloff: 0.8,
                            cone: Cone {
                                inner_deg: 90.0,
                                outer_deg: 240.0,
                                outer_gain: 0.3,
                            },
                            volume: 0.9,
                        };
                        let control = VoiceControl::new(0.0, 0.0);
                        control.place(&source, &listener, 1.0);
                        let mut voice = SpatialVoice::new(constant_one(4), &control);
                        // The smoother starts at the gains current when the voice is made.
                        let (l, r) = (voice.next().unwrap(), voice.next().unwrap());
                        let (el, er) = reference_gains(&source, &listener);
                        assert!(
                            (f64::from(l) - el).abs() < 1e-4 && (f64::from(r) - er).abs() < 1e-4,
                            "{model:?} yaw {yaw_deg} source {:?}: got ({l}, {r}), spec ({el}, {er})",
                            source.position
                        );
                        checked += 1;
                    }
                }
            }
        }
    }
    assert!(checked > 1000);
}

/// The largest sample-to-sample step in either channel.
fn max_step(samples: &[f32]) -> f32 {
    let mut worst = 0.0f32;
    for ch in 0..2 {
        let mut prev = samples[ch];
        for s in samples.iter().skip(2 + ch).step_by(2) {
            worst = worst.max((s - prev).abs());
            prev = *s;
        }
    }
    worst
}

/// A 440 Hz tone flying past the listener at 20 m/s, the engine updating gains at 60 Hz.
fn fly_past(smoothing_seconds: f32) -> Vec<f32> {
    let listener = Listener::default();
    let control = VoiceControl::new(0.0, 0.0);
    let spec = |x: f32| SourceSpec {
        position: [x, 0.0, -1.5],
        orientation: [0.0; 3],
        model: DistanceModel::Inverse,
        ref_distance: 1.0,
        max_distance: 1000.0,
        rolloff: 1.0,
        cone: Cone::OMNI,
        volume: 1.0,
    };
    control.place(&spec(-30.0), &listener, 1.0);
    let tone = rodio::source::SineWave::new(440.0).amplify(0.5);
    let mut voices = [SpatialVoice::with_smoothing(
        tone,
        &control,
        smoothing_seconds,
    )];
    let frames = 3 * RATE as usize;
    mix_offline(&mut voices, frames, RATE as usize / 60, |frame| {
        let x = -30.0 + 20.0 * frame as f32 / RATE as f32;
        control.place(&spec(x), &listener, 1.0);
    })
}

#[test]
fn a_source_moving_past_makes_no_clicks() {
    // A 440 Hz sine of amplitude 0.5 changes by at most 0.5·2π·440/48000 ≈ 0.029 per sample;
    // anything much above that is a click from a gain step.
    const THRESHOLD: f32 = 0.035;
    let smooth = fly_past(disan_audio::voice::GAIN_SMOOTHING_SECONDS);
    let step = max_step(&smooth);
    assert!(step < THRESHOLD, "largest step {step} with smoothing");
    // The same without smoothing does click: the test can tell.
    let raw = fly_past(0.0);
    assert!(
        max_step(&raw) > THRESHOLD,
        "largest step {} without smoothing",
        max_step(&raw)
    );
    // And the pass is audible: loud near the listener, panned left then right.
    let energy = |from: usize, to: usize, ch: usize| {
        smooth[from * 2..to * 2]
            .iter()
            .skip(ch)
            .step_by(2)
            .map(|s| s * s)
            .sum::<f32>()
    };
    let second = RATE as usize;
    assert!(
        energy(0, second / 4, 0) > energy(0, second / 4, 1) * 4.0,
        "starts on the left"
    );
    assert!(
        energy(3 * second - second / 4, 3 * second, 1)
            > energy(3 * second - second / 4, 3 * second, 0) * 4.0,
        "ends on the right"
    );
}

#[test]
fn ducking_lowers_a_bed_smoothly() {
    let control = VoiceControl::new(0.7, 0.7);
    let mut voices = [SpatialVoice::new(constant_one(RATE as usize), &control)];
    let out = mix_offline(&mut voices, RATE as usize, 480, |frame| {
        let duck = if frame >= 24_000 { 0.3 } else { 1.0 };
        control.set_gains(0.7 * duck, 0.7 * duck);
    });
    assert!((out[2 * 20_000] - 0.7).abs() < 1e-4);
    // 100 ms after the duck the gain has settled at 0.21, without a step on the way.
    assert!((out[2 * 28_800] - 0.21).abs() < 1e-3, "{}", out[2 * 28_800]);
    assert!(max_step(&out) < 0.01);
}

#[test]
fn wav_files_are_written_for_listening() {
    let path = std::env::temp_dir().join(format!("disan-audio-{}.wav", std::process::id()));
    let samples = fly_past(disan_audio::voice::GAIN_SMOOTHING_SECONDS);
    write_wav(&path, &samples, RATE).unwrap();
    let bytes = std::fs::read(&path).unwrap();
    let _ = std::fs::remove_file(&path);
    assert_eq!(&bytes[0..4], b"RIFF");
    assert_eq!(&bytes[8..16], b"WAVEfmt ");
    assert_eq!(bytes.len(), 44 + samples.len() * 2);
}
