//! How long a sound file plays, read from its headers alone (nothing is decoded), so that the
//! validator can compare captions with their narration. Reads Ogg Vorbis (and Ogg Opus) and WAV;
//! MP3 is played by the viewer but not measured here.
//!
//! The bytes come from packages made by hand and by tools, so nothing here trusts them: every
//! length is checked against the bytes there are, nothing is allocated from a length read in a
//! file, and broken input gives an error, never a panic.

/// Why the length of a sound file is not known.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum MediaError {
    /// A kind of sound Disan plays but does not measure (MP3 would need every frame read). Not
    /// a problem in the package: checks that need the length are skipped.
    #[error("the length of {0} files is not measured")]
    Unsupported(&'static str),
    /// Not an Ogg, WAV or MP3 file.
    #[error("this is not an Ogg, WAV or MP3 sound file")]
    Unrecognised,
    /// The file starts like a sound file, but its headers are broken or cut short.
    #[error("{0}")]
    Malformed(&'static str),
}

/// The playing time of a sound file, in seconds: Ogg Vorbis (the sample rate from the Vorbis
/// identification header on the first page, the sample count from the granule position of the
/// stream's last page), Ogg Opus (the same, at Opus's 48 kHz, less the pre-skip) and WAV (the
/// `data` chunk's size over the `fmt ` chunk's frame size and rate). MP3 gives
/// [`MediaError::Unsupported`].
pub fn audio_duration(bytes: &[u8]) -> Result<f64, MediaError> {
    if bytes.starts_with(b"OggS") {
        ogg_duration(bytes)
    } else if bytes.len() >= 12 && bytes.starts_with(b"RIFF") && &bytes[8..12] == b"WAVE" {
        wav_duration(bytes)
    } else if bytes.starts_with(b"RF64") || bytes.starts_with(b"BW64") {
        Err(MediaError::Unsupported("RF64 WAV"))
    } else if bytes.starts_with(b"ID3") || is_mpeg_audio_frame(bytes) {
        Err(MediaError::Unsupported("MP3"))
    } else {
        Err(MediaError::Unrecognised)
    }
}

/// An MPEG audio frame header: 11 sync bits, and a layer (`00` is reserved; AAC's ADTS uses it).
fn is_mpeg_audio_frame(bytes: &[u8]) -> bool {
    matches!(bytes, [0xFF, b, ..] if b & 0xE0 == 0xE0 && b & 0x06 != 0)
}

fn u16_le(bytes: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_le_bytes(
        bytes.get(at..at.checked_add(2)?)?.try_into().ok()?,
    ))
}

fn u32_le(bytes: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_le_bytes(
        bytes.get(at..at.checked_add(4)?)?.try_into().ok()?,
    ))
}

fn u64_le(bytes: &[u8], at: usize) -> Option<u64> {
    Some(u64::from_le_bytes(
        bytes.get(at..at.checked_add(8)?)?.try_into().ok()?,
    ))
}

// ----- Ogg (RFC 3533) -----

/// One Ogg page, checked: capture pattern, version 0, the segment table and body all inside the
/// bytes, and the page's CRC.
struct OggPage<'a> {
    header_type: u8,
    /// 0xFFFF_FFFF_FFFF_FFFF when no packet ends on this page.
    granule: u64,
    serial: u32,
    body: &'a [u8],
    /// Where the next page starts.
    next: usize,
}

const OGG_HEADER_LEN: usize = 27;
const OGG_EOS: u8 = 0x04;

fn ogg_page(bytes: &[u8], at: usize) -> Option<OggPage<'_>> {
    let header = bytes.get(at..at.checked_add(OGG_HEADER_LEN)?)?;
    if &header[0..4] != b"OggS" || header[4] != 0 {
        return None;
    }
    let segments = usize::from(header[26]);
    let table_start = at + OGG_HEADER_LEN;
    let table = bytes.get(table_start..table_start.checked_add(segments)?)?;
    // At most 255 × 255 bytes: the sum cannot overflow.
    let body_len: usize = table.iter().map(|&s| usize::from(s)).sum();
    let body_start = table_start + segments;
    let end = body_start.checked_add(body_len)?;
    let page = bytes.get(at..end)?;
    if ogg_crc(page) != u32_le(header, 22)? {
        return None;
    }
    Some(OggPage {
        header_type: header[5],
        granule: u64_le(header, 6)?,
        serial: u32_le(header, 14)?,
        body: &page[body_start - at..],
        next: end,
    })
}

/// The Ogg CRC-32 (polynomial 0x04C11DB7, not reflected, initial value 0) of a page, with its
/// own checksum field (bytes 22..26) counted as zeros.
fn ogg_crc(page: &[u8]) -> u32 {
    let mut crc = 0u32;
    for (i, &byte) in page.iter().enumerate() {
        let byte = if (22..26).contains(&i) { 0 } else { byte };
        crc = (crc << 8) ^ OGG_CRC_TABLE[usize::from((crc >> 24) as u8 ^ byte)];
    }
    crc
}

const OGG_CRC_TABLE: [u32; 256] = {
    let mut table = [0u32; 256];
    let mut i = 0;
    while i < 256 {
        let mut r = (i as u32) << 24;
        let mut bit = 0;
        while bit < 8 {
            r = if r & 0x8000_0000 != 0 {
                (r << 1) ^ 0x04C1_1DB7
            } else {
                r << 1
            };
            bit += 1;
        }
        table[i] = r;
        i += 1;
    }
    table
};

fn ogg_duration(bytes: &[u8]) -> Result<f64, MediaError> {
    let first = ogg_page(bytes, 0).ok_or(MediaError::Malformed(
        "the first Ogg page is broken or cut short",
    ))?;
    // The identification header is the first packet, alone on the first page.
    let body = first.body;
    let (rate, pre_skip) = if body.len() >= 16 && body[0] == 1 && &body[1..7] == b"vorbis" {
        // Packet type, "vorbis", version (4 bytes), channels (1), then the sample rate.
        (u32_le(body, 12).unwrap_or(0), 0u64)
    } else if body.len() >= 19 && body.starts_with(b"OpusHead") {
        // Opus counts granules at 48 kHz whatever the input rate, after `pre_skip` samples.
        (48_000, u64::from(u16_le(body, 10).unwrap_or(0)))
    } else {
        return Err(MediaError::Unsupported("Ogg (other than Vorbis or Opus)"));
    };
    if rate == 0 {
        return Err(MediaError::Malformed(
            "the Vorbis header gives a sample rate of 0",
        ));
    }
    let mut last_granule = None;
    let mut at = first.next;
    while at < bytes.len() {
        match ogg_page(bytes, at) {
            Some(page) => {
                // Pages of other streams are skipped; -1 (all bits set) means no packet ends here.
                if page.serial == first.serial && page.granule <= i64::MAX as u64 {
                    last_granule = Some(page.granule);
                }
                if page.serial == first.serial && page.header_type & OGG_EOS != 0 {
                    break;
                }
                at = page.next;
            }
            // A damaged page: look for the next one, as players do.
            None => match find(bytes, at + 1, b"OggS") {
                Some(next) => at = next,
                None => break,
            },
        }
    }
    let granule = last_granule.ok_or(MediaError::Malformed(
        "no Ogg page says where the sound ends (the file may be cut short)",
    ))?;
    Ok(granule.saturating_sub(pre_skip) as f64 / f64::from(rate))
}

fn find(bytes: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    let rest = bytes.get(from..)?;
    rest.windows(needle.len())
        .position(|w| w == needle)
        .map(|i| from + i)
}

// ----- WAV (RIFF) -----

struct WavFormat {
    tag: u16,
    channels: u16,
    rate: u32,
    byte_rate: u32,
    block_align: u16,
    bits: u16,
}

const WAVE_PCM: u16 = 1;
const WAVE_FLOAT: u16 = 3;
const WAVE_EXTENSIBLE: u16 = 0xFFFE;

fn wav_duration(bytes: &[u8]) -> Result<f64, MediaError> {
    let mut format = None;
    let mut data_len: Option<u64> = None;
    let mut fact_samples: Option<u32> = None;
    // Chunks: a 4-byte id, a 4-byte little-endian size, the body, a pad byte when the size is odd.
    let mut at = 12usize;
    while let (Some(id), Some(size)) = (
        bytes.get(at..at.saturating_add(4)),
        u32_le(bytes, at.saturating_add(4)),
    ) {
        let body_start = at + 8;
        // A size past the end (a file cut short, or 0xFFFFFFFF from a recorder that streamed)
        // counts only the bytes that are there.
        let size = usize::try_from(size).unwrap_or(usize::MAX);
        let body =
            &bytes[body_start.min(bytes.len())..body_start.saturating_add(size).min(bytes.len())];
        match id {
            b"fmt " => {
                let field = |at| u16_le(body, at);
                let (
                    Some(tag),
                    Some(channels),
                    Some(rate),
                    Some(byte_rate),
                    Some(block_align),
                    Some(bits),
                ) = (
                    field(0),
                    field(2),
                    u32_le(body, 4),
                    u32_le(body, 8),
                    field(12),
                    field(14),
                )
                else {
                    return Err(MediaError::Malformed("the WAV `fmt ` chunk is cut short"));
                };
                format = Some(WavFormat {
                    tag,
                    channels,
                    rate,
                    byte_rate,
                    block_align,
                    bits,
                });
            }
            b"data" => data_len = Some(body.len() as u64),
            b"fact" => fact_samples = u32_le(body, 0),
            _ => {}
        }
        if format.is_some() && data_len.is_some() && fact_samples.is_some() {
            break;
        }
        at = body_start.saturating_add(size).saturating_add(size & 1);
    }
    let format = format.ok_or(MediaError::Malformed("the WAV file has no `fmt ` chunk"))?;
    let data_len = data_len.ok_or(MediaError::Malformed("the WAV file has no `data` chunk"))?;
    if format.rate == 0 {
        return Err(MediaError::Malformed(
            "the WAV `fmt ` chunk gives a sample rate of 0",
        ));
    }
    let rate = f64::from(format.rate);
    match format.tag {
        WAVE_PCM | WAVE_FLOAT | WAVE_EXTENSIBLE => {
            let frame = if format.block_align > 0 {
                u64::from(format.block_align)
            } else {
                u64::from(format.channels) * u64::from(format.bits).div_ceil(8)
            };
            if frame == 0 {
                return Err(MediaError::Malformed(
                    "the WAV `fmt ` chunk gives no channels or no sample size",
                ));
            }
            Ok((data_len / frame) as f64 / rate)
        }
        // Compressed WAV (ADPCM, …): the `fact` chunk counts the samples; else the average rate.
        _ => match (fact_samples, format.byte_rate) {
            (Some(samples), _) => Ok(f64::from(samples) / rate),
            (None, byte_rate) if byte_rate > 0 => Ok(data_len as f64 / f64::from(byte_rate)),
            _ => Err(MediaError::Unsupported("compressed WAV")),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An Ogg page with a correct CRC around `body` (one segment per 255 bytes).
    fn page(header_type: u8, granule: u64, serial: u32, sequence: u32, body: &[u8]) -> Vec<u8> {
        let mut segments: Vec<u8> = vec![255; body.len() / 255];
        segments.push((body.len() % 255) as u8);
        let mut p = b"OggS".to_vec();
        p.push(0);
        p.push(header_type);
        p.extend_from_slice(&granule.to_le_bytes());
        p.extend_from_slice(&serial.to_le_bytes());
        p.extend_from_slice(&sequence.to_le_bytes());
        p.extend_from_slice(&[0; 4]);
        p.push(segments.len() as u8);
        p.extend_from_slice(&segments);
        p.extend_from_slice(body);
        let crc = ogg_crc(&p);
        p[22..26].copy_from_slice(&crc.to_le_bytes());
        p
    }

    fn vorbis_id(rate: u32) -> Vec<u8> {
        let mut b = vec![1];
        b.extend_from_slice(b"vorbis");
        b.extend_from_slice(&0u32.to_le_bytes()); // version
        b.push(1); // channels
        b.extend_from_slice(&rate.to_le_bytes());
        b.extend_from_slice(&[0; 12]); // bitrates
        b.push(0xB8); // block sizes
        b.push(1); // framing
        b
    }

    fn small_vorbis(rate: u32, last_granule: u64) -> Vec<u8> {
        let mut f = page(0x02, 0, 7, 0, &vorbis_id(rate));
        f.extend(page(0, 0, 7, 1, &[3; 40])); // comment and setup headers
        f.extend(page(0, 1000, 7, 2, &[0x55; 600]));
        f.extend(page(0, u64::MAX, 7, 3, &[0x55; 100])); // no packet ends here
        f.extend(page(OGG_EOS, last_granule, 7, 4, &[0x55; 80]));
        f
    }

    #[test]
    fn ogg_crc_matches_the_reference() {
        // The CRC of a page from a real encoder (the committed bell, first page) checks.
        let bell = std::fs::read(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../exhibits/dinh-hang-kenh/audio/bell.ogg"
        ))
        .unwrap();
        assert!(ogg_page(&bell, 0).is_some());
    }

    #[test]
    fn ogg_vorbis_length_is_the_last_granule_over_the_rate() {
        assert_eq!(audio_duration(&small_vorbis(24_000, 36_000)), Ok(1.5));
        assert_eq!(audio_duration(&small_vorbis(44_100, 44_100 * 3)), Ok(3.0));
    }

    #[test]
    fn a_damaged_page_is_skipped_and_other_streams_ignored() {
        let mut f = small_vorbis(8_000, 16_000);
        // Another logical stream's page with a larger granule, then a page with a bad CRC.
        f.extend(page(0, 999_999, 8, 0, &[1; 10]));
        let good = small_vorbis(8_000, 16_000);
        assert_eq!(audio_duration(&f), Ok(2.0));
        let mut damaged = good.clone();
        let last = damaged.len() - 10;
        damaged[last] ^= 0xFF; // the last page's CRC no longer matches: the page before counts
        assert_eq!(audio_duration(&damaged), Ok(1000.0 / 8_000.0));
    }

    #[test]
    fn ogg_opus_counts_at_48_khz_less_the_pre_skip() {
        let mut head = b"OpusHead".to_vec();
        head.push(1);
        head.push(2);
        head.extend_from_slice(&312u16.to_le_bytes());
        head.extend_from_slice(&44_100u32.to_le_bytes());
        head.extend_from_slice(&[0, 0, 0]);
        let mut f = page(0x02, 0, 1, 0, &head);
        f.extend(page(OGG_EOS, 48_000 + 312, 1, 1, &[0; 20]));
        assert_eq!(audio_duration(&f), Ok(1.0));
    }

    #[test]
    fn broken_ogg_is_an_error_not_a_panic() {
        assert!(matches!(
            audio_duration(b"OggS"),
            Err(MediaError::Malformed(_))
        ));
        // Only the headers: no page says where the sound ends.
        let headers = page(0x02, 0, 7, 0, &vorbis_id(24_000));
        assert!(matches!(
            audio_duration(&headers),
            Err(MediaError::Malformed(_))
        ));
        assert!(matches!(
            audio_duration(&small_vorbis(0, 100)),
            Err(MediaError::Malformed(_))
        ));
        let theora = page(0x02, 0, 7, 0, b"\x80theora and more bytes");
        assert!(matches!(
            audio_duration(&theora),
            Err(MediaError::Unsupported(_))
        ));
        // Every prefix of a good file, and every single-byte change, reads without panicking.
        let f = small_vorbis(24_000, 36_000);
        for n in 0..f.len() {
            let _ = audio_duration(&f[..n]);
        }
        for i in 0..f.len() {
            let mut g = f.clone();
            g[i] ^= 0xA5;
            let _ = audio_duration(&g);
        }
    }

    fn wav(tag: u16, channels: u16, rate: u32, bits: u16, data: &[u8], extra: &[u8]) -> Vec<u8> {
        let block_align = channels * bits.div_ceil(8);
        let mut f = b"RIFF".to_vec();
        f.extend_from_slice(&0u32.to_le_bytes()); // the RIFF size is not trusted anyway
        f.extend_from_slice(b"WAVE");
        f.extend_from_slice(b"LIST");
        f.extend_from_slice(&3u32.to_le_bytes());
        f.extend_from_slice(&[b'a', b'b', b'c', 0]); // odd size, padded
        f.extend_from_slice(b"fmt ");
        f.extend_from_slice(&16u32.to_le_bytes());
        f.extend_from_slice(&tag.to_le_bytes());
        f.extend_from_slice(&channels.to_le_bytes());
        f.extend_from_slice(&rate.to_le_bytes());
        f.extend_from_slice(&(rate * u32::from(block_align)).to_le_bytes());
        f.extend_from_slice(&block_align.to_le_bytes());
        f.extend_from_slice(&bits.to_le_bytes());
        f.extend_from_slice(extra);
        f.extend_from_slice(b"data");
        f.extend_from_slice(&(data.len() as u32).to_le_bytes());
        f.extend_from_slice(data);
        f
    }

    #[test]
    fn wav_length_is_the_data_over_frame_size_and_rate() {
        // 16-bit stereo at 8 kHz: 4 bytes a frame; 8000 frames are one second.
        assert_eq!(
            audio_duration(&wav(WAVE_PCM, 2, 8_000, 16, &vec![0; 32_000], &[])),
            Ok(1.0)
        );
        // 24-bit mono at 1 kHz: 3 bytes a frame.
        assert_eq!(
            audio_duration(&wav(WAVE_PCM, 1, 1_000, 24, &vec![0; 1_500], &[])),
            Ok(0.5)
        );
        // 32-bit float mono at 4 kHz.
        assert_eq!(
            audio_duration(&wav(WAVE_FLOAT, 1, 4_000, 32, &vec![0; 8_000], &[])),
            Ok(0.5)
        );
        // A compressed format with a `fact` chunk counting 2000 samples at 8 kHz.
        let mut fact = b"fact".to_vec();
        fact.extend_from_slice(&4u32.to_le_bytes());
        fact.extend_from_slice(&2_000u32.to_le_bytes());
        assert_eq!(
            audio_duration(&wav(0x11, 1, 8_000, 4, &[0; 1_000], &fact)),
            Ok(0.25)
        );
    }

    #[test]
    fn a_wav_data_size_past_the_end_counts_the_bytes_there_are() {
        let mut f = wav(WAVE_PCM, 1, 1_000, 8, &[0; 500], &[]);
        let size_at = f.len() - 500 - 4;
        f[size_at..size_at + 4].copy_from_slice(&u32::MAX.to_le_bytes());
        assert_eq!(audio_duration(&f), Ok(0.5));
    }

    #[test]
    fn broken_wav_is_an_error_not_a_panic() {
        assert!(matches!(
            audio_duration(b"RIFF\0\0\0\0WAVE"),
            Err(MediaError::Malformed(_))
        ));
        assert!(matches!(
            audio_duration(&wav(WAVE_PCM, 1, 0, 16, &[0; 10], &[])),
            Err(MediaError::Malformed(_))
        ));
        assert!(matches!(
            audio_duration(&wav(WAVE_PCM, 0, 8_000, 0, &[0; 10], &[])),
            Err(MediaError::Malformed(_))
        ));
        let f = wav(WAVE_PCM, 2, 8_000, 16, &[0; 64], &[]);
        for n in 0..f.len() {
            let _ = audio_duration(&f[..n]);
        }
        for i in 0..f.len() {
            let mut g = f.clone();
            g[i] ^= 0xFF;
            let _ = audio_duration(&g);
        }
    }

    #[test]
    fn mp3_is_recognised_but_not_measured() {
        assert_eq!(
            audio_duration(b"ID3\x04\0\0\0\0\0\0"),
            Err(MediaError::Unsupported("MP3"))
        );
        assert_eq!(
            audio_duration(&[0xFF, 0xFB, 0x90, 0x64]),
            Err(MediaError::Unsupported("MP3"))
        );
        assert_eq!(
            audio_duration(&[0xFF, 0xF1, 0x50, 0x80]),
            Err(MediaError::Unrecognised),
            "AAC ADTS is not MP3"
        );
        assert_eq!(audio_duration(b"glTF"), Err(MediaError::Unrecognised));
        assert_eq!(audio_duration(b""), Err(MediaError::Unrecognised));
    }

    #[test]
    fn the_bundled_narration_lengths_match_soxi() {
        // Sample counts from `soxi -s` (SoX 14.4.2) on the committed files, all at 24 kHz.
        let exhibits = concat!(env!("CARGO_MANIFEST_DIR"), "/../../exhibits/");
        for (file, samples) in [
            ("dinh-hang-kenh/audio/bell.ogg", 216_000),
            ("dinh-hang-kenh/audio/main-1.vi.ogg", 452_936),
            ("dinh-hang-kenh/audio/main-1.en.ogg", 637_382),
            ("sac-phong/audio/main-4.en.ogg", 503_310),
            ("sac-phong/audio/wind.ogg", 228_000),
            ("trong-dong/audio/main-4.vi.ogg", 462_938),
        ] {
            let bytes = std::fs::read(format!("{exhibits}{file}")).unwrap();
            let seconds = audio_duration(&bytes).unwrap();
            assert!(
                (seconds - f64::from(samples) / 24_000.0).abs() < 1e-9,
                "{file}: {seconds}"
            );
        }
    }
}
