//! Benchmark (not a test): CPU time to mix one second of 48 kHz stereo from N moving sources,
//! Disan's spatial voices against rodio's own `Spatial` source in the same run.
//! Run with `cargo run --release -p disan-audio --example mix_bench` (or `cargo xtask bench`).

use std::hint::black_box;
use std::time::{Duration, Instant};

use disan_audio::gains::{Cone, DistanceModel, Listener, SourceSpec};
use disan_audio::{SpatialVoice, VoiceControl, mix_offline};
use rodio::Source;
use rodio::source::{SineWave, Spatial};

const RATE: usize = 48_000;
/// The engine updates positions once per frame.
const BLOCK: usize = RATE / 60;

fn position(i: usize, t: f32) -> [f32; 3] {
    let a = i as f32 * 0.7 + t * 0.5;
    [
        a.cos() * (3.0 + i as f32 % 7.0),
        1.0,
        a.sin() * (3.0 + i as f32 % 5.0),
    ]
}

fn disan(n: usize) -> Duration {
    let listener = Listener::default();
    let spec = |p| SourceSpec {
        position: p,
        orientation: [0.0, 0.0, 1.0],
        model: DistanceModel::Inverse,
        ref_distance: 1.0,
        max_distance: 100.0,
        rolloff: 1.0,
        cone: Cone {
            inner_deg: 120.0,
            outer_deg: 240.0,
            outer_gain: 0.2,
        },
        volume: 0.2,
    };
    let controls: Vec<VoiceControl> = (0..n).map(|_| VoiceControl::new(0.0, 0.0)).collect();
    let mut voices: Vec<_> = (0..n)
        .map(|i| SpatialVoice::new(SineWave::new(200.0 + i as f32), &controls[i]))
        .collect();
    let start = Instant::now();
    let out = mix_offline(&mut voices, RATE, BLOCK, |frame| {
        let t = frame as f32 / RATE as f32;
        for (i, c) in controls.iter().enumerate() {
            c.place(&spec(position(i, t)), &listener, 1.0);
        }
    });
    black_box(out);
    start.elapsed()
}

fn rodio_spatial(n: usize) -> Duration {
    let (left, right) = ([-0.1, 0.0, 0.0], [0.1, 0.0, 0.0]);
    let mut voices: Vec<_> = (0..n)
        .map(|i| {
            Spatial::new(
                SineWave::new(200.0 + i as f32).amplify(0.2),
                position(i, 0.0),
                left,
                right,
            )
        })
        .collect();
    let start = Instant::now();
    let mut out = vec![0.0f32; RATE * 2];
    for block_start in (0..RATE).step_by(BLOCK) {
        let t = block_start as f32 / RATE as f32;
        for (i, v) in voices.iter_mut().enumerate() {
            v.set_positions(position(i, t), left, right);
        }
        let end = (block_start + BLOCK).min(RATE);
        for v in voices.iter_mut() {
            for frame in block_start..end {
                out[frame * 2] += v.next().unwrap_or(0.0);
                out[frame * 2 + 1] += v.next().unwrap_or(0.0);
            }
        }
    }
    black_box(out);
    start.elapsed()
}

fn stats(mut d: Vec<Duration>) -> (f64, f64, f64) {
    d.sort();
    let ms = |x: Duration| x.as_secs_f64() * 1000.0;
    (ms(d[0]), ms(d[d.len() / 2]), ms(d[d.len() - 1]))
}

fn main() {
    println!(
        "mixing 1 s of 48 kHz stereo, sources moving, positions updated at 60 Hz; 7 runs each"
    );
    println!(
        "{:>8}  {:>28}  {:>28}  {:>7}  {:>9}",
        "sources", "disan min/median/max ms", "rodio Spatial min/med/max ms", "ratio", "% of core"
    );
    for n in [1, 16, 64, 256] {
        let _ = (disan(n), rodio_spatial(n)); // warm-up
        let d = stats((0..7).map(|_| disan(n)).collect());
        let r = stats((0..7).map(|_| rodio_spatial(n)).collect());
        println!(
            "{n:>8}  {:>8.2} /{:>8.2} /{:>8.2}  {:>8.2} /{:>8.2} /{:>8.2}  {:>6.2}x  {:>8.2}%",
            d.0,
            d.1,
            d.2,
            r.0,
            r.1,
            r.2,
            d.1 / r.1,
            d.1 / 10.0
        );
    }
}
