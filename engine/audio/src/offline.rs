//! Rendering voices without a sound card: for tests (assert on samples) and for checking a
//! tour by ear (write a WAV file).

use std::io::Write;
use std::path::Path;

use rodio::Source;

/// Mixes stereo voices into `frames` interleaved stereo frames. `control` runs before every
/// block of `block` frames, playing the part of the engine's frame loop (moving sources, the
/// listener, ducking) at its own rate.
pub fn mix_offline<S: Source>(
    voices: &mut [S],
    frames: usize,
    block: usize,
    mut control: impl FnMut(usize),
) -> Vec<f32> {
    let mut out = vec![0.0f32; frames * 2];
    let block = block.max(1);
    for start in (0..frames).step_by(block) {
        control(start);
        let end = (start + block).min(frames);
        for voice in voices.iter_mut() {
            for frame in start..end {
                let (Some(l), Some(r)) = (voice.next(), voice.next()) else {
                    break;
                };
                out[frame * 2] += l;
                out[frame * 2 + 1] += r;
            }
        }
    }
    out
}

/// Writes interleaved stereo samples as a 16-bit PCM WAV file.
pub fn write_wav(path: &Path, samples: &[f32], sample_rate: u32) -> std::io::Result<()> {
    let data_len = (samples.len() * 2) as u32;
    let mut f = std::io::BufWriter::new(std::fs::File::create(path)?);
    f.write_all(b"RIFF")?;
    f.write_all(&(36 + data_len).to_le_bytes())?;
    f.write_all(b"WAVEfmt ")?;
    f.write_all(&16u32.to_le_bytes())?;
    f.write_all(&1u16.to_le_bytes())?; // PCM
    f.write_all(&2u16.to_le_bytes())?; // stereo
    f.write_all(&sample_rate.to_le_bytes())?;
    f.write_all(&(sample_rate * 4).to_le_bytes())?;
    f.write_all(&4u16.to_le_bytes())?;
    f.write_all(&16u16.to_le_bytes())?;
    f.write_all(b"data")?;
    f.write_all(&data_len.to_le_bytes())?;
    for s in samples {
        let v = (s.clamp(-1.0, 1.0) * 32767.0).round() as i16;
        f.write_all(&v.to_le_bytes())?;
    }
    f.flush()
}
