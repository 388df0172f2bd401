//! KTX2 textures checked before a loader reads them. Bevy's KTX2 loader trusts the file: it
//! inflates Zstandard levels without a bound (a few kilobytes can claim gigabytes), and hands
//! wgpu whatever sizes the header and the levels say, where a level of the wrong length or a
//! compressed texture whose size is not a whole number of blocks is a panic, and a texture
//! above the device's limit a fatal validation error: the viewer would quit. A KTX2 cannot be
//! downscaled on the device as a JPEG can, so one too large for it is refused here.
//!
//! Checked: a 2D texture (no cube, array or volume); a format this viewer reads (the block
//! formats of desktop and mobile GPUs and plain RGBA8; Basis Universal is named apart: nothing
//! here transcodes it); its size within the limit and in whole blocks; one to a full chain of
//! mip levels; no supercompression or Zstandard; each level exactly the bytes its size needs,
//! inflated with a bound where it is compressed.

use std::io::Read;

use ktx2::{Format, SupercompressionScheme};

/// The first bytes of every KTX2 file.
pub const KTX2_IDENTIFIER: &[u8] = &[
    0xAB, 0x4B, 0x54, 0x58, 0x20, 0x32, 0x30, 0xBB, 0x0D, 0x0A, 0x1A, 0x0A,
];

/// Whether `bytes` is a KTX2 file (by its identifier).
pub fn is_ktx2(bytes: &[u8]) -> bool {
    bytes.starts_with(KTX2_IDENTIFIER)
}

/// Texel block width, height and bytes of the formats read here.
fn block(format: Format) -> Option<(u32, u32, u64)> {
    use Format as F;
    Some(match format {
        F::R8G8B8A8_UNORM | F::R8G8B8A8_SRGB => (1, 1, 4),
        F::BC1_RGB_UNORM_BLOCK
        | F::BC1_RGB_SRGB_BLOCK
        | F::BC1_RGBA_UNORM_BLOCK
        | F::BC1_RGBA_SRGB_BLOCK
        | F::BC4_UNORM_BLOCK
        | F::BC4_SNORM_BLOCK
        | F::ETC2_R8G8B8_UNORM_BLOCK
        | F::ETC2_R8G8B8_SRGB_BLOCK
        | F::ETC2_R8G8B8A1_UNORM_BLOCK
        | F::ETC2_R8G8B8A1_SRGB_BLOCK
        | F::EAC_R11_UNORM_BLOCK
        | F::EAC_R11_SNORM_BLOCK => (4, 4, 8),
        F::BC2_UNORM_BLOCK
        | F::BC2_SRGB_BLOCK
        | F::BC3_UNORM_BLOCK
        | F::BC3_SRGB_BLOCK
        | F::BC5_UNORM_BLOCK
        | F::BC5_SNORM_BLOCK
        | F::BC6H_UFLOAT_BLOCK
        | F::BC6H_SFLOAT_BLOCK
        | F::BC7_UNORM_BLOCK
        | F::BC7_SRGB_BLOCK
        | F::ETC2_R8G8B8A8_UNORM_BLOCK
        | F::ETC2_R8G8B8A8_SRGB_BLOCK
        | F::EAC_R11G11_UNORM_BLOCK
        | F::EAC_R11G11_SNORM_BLOCK
        | F::ASTC_4x4_UNORM_BLOCK
        | F::ASTC_4x4_SRGB_BLOCK => (4, 4, 16),
        F::ASTC_5x5_UNORM_BLOCK | F::ASTC_5x5_SRGB_BLOCK => (5, 5, 16),
        F::ASTC_6x6_UNORM_BLOCK | F::ASTC_6x6_SRGB_BLOCK => (6, 6, 16),
        F::ASTC_8x8_UNORM_BLOCK | F::ASTC_8x8_SRGB_BLOCK => (8, 8, 16),
        _ => return None,
    })
}

/// What to tell staff about a KTX2 that is wrong.
const REPACK: &str = "export the texture again, or pack the scan with `disan pack`, which writes BC7 and ETC2 copies this viewer reads";

/// Checks a KTX2 texture (see the module's documentation) against the largest side the GPU
/// takes; its pixel size when it passes.
pub fn check_ktx2(bytes: &[u8], max_side: u32) -> Result<(u32, u32), String> {
    let reader = ktx2::Reader::new(bytes)
        .map_err(|e| format!("is a damaged KTX2 file ({e:?}): {REPACK}"))?;
    let header = reader.header();
    let (w, h) = (header.pixel_width, header.pixel_height);
    let Some(format) = header.format else {
        return Err(
            "is a KTX2 texture in Basis Universal, which this viewer cannot decode yet: pack the scan with `disan pack`, which writes JPEG textures and BC7/ETC2 copies the GPU reads as they are".into(),
        );
    };
    let Some((bw, bh, block_bytes)) = block(format) else {
        return Err(format!(
            "is a KTX2 texture in {format:?}, a format this viewer does not read: {REPACK}"
        ));
    };
    if header.pixel_depth > 1
        || header.layer_count > 1
        || header.face_count != 1
        || h == 0
        || w == 0
    {
        return Err(format!(
            "is not a flat 2D texture ({w}×{h}, depth {}, {} layers, {} faces): a model's texture is one 2D image; {REPACK}",
            header.pixel_depth, header.layer_count, header.face_count
        ));
    }
    if w.max(h) > max_side {
        return Err(format!(
            "is {w}×{h} pixels, more than this device's graphics take ({max_side} a side), and a compressed KTX2 texture cannot be scaled down here: {REPACK}"
        ));
    }
    if w % bw != 0 || h % bh != 0 {
        return Err(format!(
            "is {w}×{h} pixels, not a whole number of its format's {bw}×{bh} blocks: {REPACK}"
        ));
    }
    let full_chain = 32 - w.max(h).leading_zeros();
    if header.level_count == 0 || header.level_count > full_chain {
        return Err(format!(
            "says it has {} mip levels; a {w}×{h} texture has 1 to {full_chain}: {REPACK}",
            header.level_count
        ));
    }
    let zstd = match header.supercompression_scheme {
        None => false,
        Some(SupercompressionScheme::Zstandard) => true,
        Some(other) => {
            return Err(format!(
                "is supercompressed with {other:?}, which this viewer does not read (Zstandard or none): {REPACK}"
            ));
        }
    };
    for (i, level) in reader.levels().enumerate() {
        let (lw, lh) = ((w >> i).max(1), (h >> i).max(1));
        let expected = u64::from(lw.div_ceil(bw)) * u64::from(lh.div_ceil(bh)) * block_bytes;
        let actual = if zstd {
            if level.uncompressed_byte_length != expected {
                return Err(format!(
                    "mip level {i} says it inflates to {} bytes; {lw}×{lh} in {format:?} is {expected}: {REPACK}",
                    level.uncompressed_byte_length
                ));
            }
            inflated_len(level.data, expected)
                .map_err(|why| format!("mip level {i} cannot be inflated ({why}): {REPACK}"))?
        } else {
            level.data.len() as u64
        };
        if actual != expected {
            return Err(format!(
                "mip level {i} holds {actual} bytes; {lw}×{lh} in {format:?} is {expected}: {REPACK}"
            ));
        }
    }
    Ok((w, h))
}

/// The length a Zstandard level inflates to, reading at most one byte past `expected` (so a
/// level that claims little and inflates to gigabytes costs nothing).
fn inflated_len(data: &[u8], expected: u64) -> Result<u64, String> {
    let decoder = ruzstd::decoding::StreamingDecoder::new(data).map_err(|e| e.to_string())?;
    let mut bounded = decoder.take(expected + 1);
    let mut chunk = vec![0u8; 64 * 1024];
    let mut total = 0u64;
    loop {
        let n = bounded.read(&mut chunk).map_err(|e| e.to_string())?;
        if n == 0 {
            return Ok(total);
        }
        total += n as u64;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An uncompressed RGBA8 KTX2 of `w`×`h` with `levels` mip levels, each `data_for(level)`.
    fn rgba_ktx2(w: u32, h: u32, levels: u32, level_bytes: impl Fn(u32) -> usize) -> Vec<u8> {
        let mut out = KTX2_IDENTIFIER.to_vec();
        // vkFormat R8G8B8A8_UNORM (37), type size 1, size, depth 0, layers 0, faces 1, levels,
        // no supercompression.
        for v in [37u32, 1, w, h, 0, 0, 1, levels, 0] {
            out.extend(v.to_le_bytes());
        }
        let index_end = 80 + 24 * levels as usize;
        // An empty data format descriptor (its 4-byte total size alone), no key/values.
        let data_start = index_end + 4;
        for v in [index_end as u32, 4, data_start as u32, 0] {
            out.extend(v.to_le_bytes());
        }
        out.extend(0u64.to_le_bytes());
        out.extend(0u64.to_le_bytes());
        let sizes: Vec<usize> = (0..levels).map(&level_bytes).collect();
        let mut at = data_start;
        let mut offsets = vec![0; levels as usize];
        for i in (0..levels as usize).rev() {
            offsets[i] = at;
            at += sizes[i];
        }
        for i in 0..levels as usize {
            out.extend((offsets[i] as u64).to_le_bytes());
            out.extend((sizes[i] as u64).to_le_bytes());
            out.extend((sizes[i] as u64).to_le_bytes());
        }
        out.extend(4u32.to_le_bytes());
        for i in (0..levels as usize).rev() {
            out.extend(vec![128u8; sizes[i]]);
        }
        out
    }

    fn rgba_level(w: u32, h: u32) -> impl Fn(u32) -> usize {
        move |i| ((w >> i).max(1) * (h >> i).max(1) * 4) as usize
    }

    #[test]
    fn a_sound_texture_passes_with_its_size() {
        let file = rgba_ktx2(8, 4, 4, rgba_level(8, 4));
        assert_eq!(check_ktx2(&file, 4096), Ok((8, 4)));
    }

    #[test]
    fn lies_are_refused_before_a_loader_sees_them() {
        let short = rgba_ktx2(8, 4, 2, |i| rgba_level(8, 4)(i) - usize::from(i == 1));
        assert!(
            check_ktx2(&short, 4096)
                .unwrap_err()
                .contains("mip level 1 holds")
        );
        let too_many = rgba_ktx2(8, 4, 5, rgba_level(8, 4));
        assert!(
            check_ktx2(&too_many, 4096)
                .unwrap_err()
                .contains("has 1 to 4")
        );
        // No level at all ("make the mips yourself" in KTX2): refused, as damaged or for its count.
        assert!(check_ktx2(&rgba_ktx2(8, 4, 0, rgba_level(8, 4)), 4096).is_err());
        let big = rgba_ktx2(8, 4, 1, rgba_level(8, 4));
        assert!(
            check_ktx2(&big, 4)
                .unwrap_err()
                .contains("cannot be scaled down")
        );
        assert!(
            check_ktx2(&KTX2_IDENTIFIER[..], 4096)
                .unwrap_err()
                .contains("damaged")
        );
        let mut basis = rgba_ktx2(8, 4, 1, rgba_level(8, 4));
        basis[12..16].copy_from_slice(&0u32.to_le_bytes());
        assert!(
            check_ktx2(&basis, 4096)
                .unwrap_err()
                .contains("Basis Universal")
        );
        let mut cube = rgba_ktx2(8, 4, 1, rgba_level(8, 4));
        cube[36..40].copy_from_slice(&6u32.to_le_bytes());
        assert!(
            check_ktx2(&cube, 4096)
                .unwrap_err()
                .contains("not a flat 2D texture")
        );
    }

    #[test]
    fn a_zstandard_level_is_inflated_with_a_bound() {
        // 4 MB of zeros compress to a few hundred bytes: inflating stops one byte past what
        // the level may hold.
        let bomb = ruzstd::encoding::compress_to_vec(
            &vec![0u8; 4 << 20][..],
            ruzstd::encoding::CompressionLevel::Fastest,
        );
        assert!(bomb.len() < 4096, "{}", bomb.len());
        assert_eq!(inflated_len(&bomb, 1000), Ok(1001));
        assert_eq!(inflated_len(&bomb, 4 << 20), Ok(4 << 20));
        assert!(inflated_len(b"not zstd", 10).is_err());
    }
}
