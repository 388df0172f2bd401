//! Compressed geometry: `EXT_meshopt_compression` and `KHR_mesh_quantization`, the two glTF
//! extensions `disan pack` writes so that a level is small on the wire (quantized positions,
//! normals and texture coordinates, then meshoptimizer's vertex and index codecs; see
//! docs/pipeline.md for the sizes).
//!
//! Bevy 0.19's glTF loader reads neither: the `gltf` crate refuses a document that *requires*
//! an extension it does not know before any extension hook runs, and Bevy's mesh builder takes
//! only float positions and normals. So the viewer undoes both here, in the model check that
//! every model already passes through (natively and in the browser): [`decompress`] decodes each
//! compressed buffer view with the `meshoptimizer-rs` decoder (pure Rust, so the same code runs
//! in wasm; bounded memory and work on hostile input), turns quantized attributes back into
//! floats, and writes a plain GLB that the unchanged loader reads. The rewritten document is then
//! checked like any other, so a compressed file can never reach the GPU with out-of-range
//! indices.

use std::borrow::Cow;
use std::collections::HashMap;

use gltf::json::{self, Root, validation::Checked};
use meshoptimizer_rs::codec::{Filter, Mode, decode_buffer_view};
use meshoptimizer_rs::{Limits, Workspace};
use serde_json::Value;

use crate::model::ModelReport;

pub const MESHOPT: &str = "EXT_meshopt_compression";
pub const QUANTIZATION: &str = "KHR_mesh_quantization";

/// The extensions [`decompress`] undoes: a model may require them.
pub const DECODED_EXTENSIONS: &[&str] = &[MESHOPT, QUANTIZATION];

/// The most bytes one compressed buffer view may decode to. A level of `disan pack` is at most
/// 48 MB; a hostile count must not make the decoder reserve gigabytes.
const MAX_DECODED_VIEW: usize = 512 << 20;

/// The most a compressed view may claim to grow when decoded (twice the codecs' real limit).
const MAX_RATIO: usize = 128;

/// Whether the document uses either extension (and needs [`decompress`] before Bevy reads it).
pub fn is_compressed(root: &Root) -> bool {
    root.extensions_used
        .iter()
        .chain(&root.extensions_required)
        .any(|e| DECODED_EXTENSIONS.contains(&e.as_str()))
}

/// Whether buffer `i` is a meshopt fallback buffer: it holds no bytes (`disan pack` writes none),
/// its views are decoded from another buffer.
pub fn is_fallback_buffer(buffer: &json::Buffer) -> bool {
    extension(buffer.extensions.as_ref().map(|e| &e.others), MESHOPT)
        .and_then(|e| e.get("fallback"))
        .and_then(Value::as_bool)
        == Some(true)
}

fn extension<'v>(
    others: Option<&'v serde_json::Map<String, Value>>,
    name: &str,
) -> Option<&'v Value> {
    others?.get(name)
}

/// What decoding needs from a view's `EXT_meshopt_compression` object.
struct Compressed {
    buffer: usize,
    offset: usize,
    length: usize,
    stride: usize,
    count: usize,
    mode: Mode,
    filter: Filter,
}

fn compressed_view(view: &json::buffer::View) -> Option<Result<Compressed, String>> {
    let ext = extension(view.extensions.as_ref().map(|e| &e.others), MESHOPT)?;
    let number = |key: &str| {
        ext.get(key)
            .and_then(Value::as_u64)
            .and_then(|n| usize::try_from(n).ok())
    };
    let parsed = (|| {
        let mode = Mode::parse(
            ext.get("mode")
                .and_then(Value::as_str)
                .ok_or("has no `mode`")?,
        )
        .map_err(|_| "has an unknown `mode`")?;
        let filter = match ext.get("filter").and_then(Value::as_str) {
            None => Filter::None,
            Some(f) => Filter::parse(f).map_err(|_| "has an unknown `filter`")?,
        };
        Ok::<_, &str>(Compressed {
            buffer: number("buffer").ok_or("has no `buffer`")?,
            offset: number("byteOffset").unwrap_or(0),
            length: number("byteLength").ok_or("has no `byteLength`")?,
            stride: number("byteStride").ok_or("has no `byteStride`")?,
            count: number("count").ok_or("has no `count`")?,
            mode,
            filter,
        })
    })();
    Some(parsed.map_err(str::to_owned))
}

/// What to tell staff when compressed data is wrong.
const REPACK: &str = "the file is damaged: pack the scan again with `disan pack`";

/// Undoes `EXT_meshopt_compression` and `KHR_mesh_quantization` (see the module's documentation):
/// the plain document and its one binary buffer. `buffers` holds each buffer's bytes (`None` for
/// a fallback buffer, or one already reported as unreadable). Problems are recorded in `report`
/// with their glTF path; `None` when the model cannot be decoded.
pub fn decompress(
    root: &Root,
    buffers: &[Option<Cow<'_, [u8]>>],
    report: &mut ModelReport,
) -> Option<(Root, Vec<u8>)> {
    let mut workspace = Workspace::new(Limits {
        max_bytes: MAX_DECODED_VIEW,
        ..Limits::default()
    });
    // Each view's plain bytes.
    let mut views: Vec<Option<Cow<'_, [u8]>>> = Vec::with_capacity(root.buffer_views.len());
    for (i, view) in root.buffer_views.iter().enumerate() {
        let field = format!("bufferViews[{i}]");
        let bytes = match compressed_view(view) {
            Some(Err(why)) => {
                report.error(
                    format!("{field}.extensions.{MESHOPT}"),
                    format!("{why}: {REPACK}."),
                );
                None
            }
            Some(Ok(c)) => {
                decode_view(&field, view, &c, buffers, &mut workspace, report).map(Cow::Owned)
            }
            None => {
                let data = buffers.get(view.buffer.value()).and_then(|b| b.as_deref());
                let start = view.byte_offset.map_or(0, |o| o.0) as usize;
                let end = start.checked_add(view.byte_length.0 as usize);
                match (data, end) {
                    (Some(data), Some(end)) if end <= data.len() => {
                        Some(Cow::Borrowed(&data[start..end]))
                    }
                    (None, _)
                        if root
                            .buffers
                            .get(view.buffer.value())
                            .is_some_and(is_fallback_buffer) =>
                    {
                        report.error(
                            &field,
                            format!(
                                "reads a meshopt fallback buffer, which holds no data: {REPACK}."
                            ),
                        );
                        None
                    }
                    // Unreadable buffer (already reported) or a view past its end (reported by
                    // the check of the plain document, which keeps the declared length).
                    _ => None,
                }
            }
        };
        views.push(bytes);
    }
    if report.has_errors() {
        return None;
    }

    let mut plain = root.clone();
    let mut bin: Vec<u8> = Vec::new();
    let push = |bin: &mut Vec<u8>, bytes: &[u8]| -> usize {
        while bin.len() % 4 != 0 {
            bin.push(0);
        }
        let offset = bin.len();
        bin.extend_from_slice(bytes);
        offset
    };
    for (i, view) in plain.buffer_views.iter_mut().enumerate() {
        let bytes = views[i].as_deref().unwrap_or(&[]);
        let offset = push(&mut bin, bytes);
        view.buffer = json::Index::new(0);
        view.byte_offset = Some(json::validation::USize64(offset as u64));
        // A view with no readable bytes keeps its declared length, so the check of the plain
        // document reports it running past the buffer.
        if views[i].is_some() {
            view.byte_length = json::validation::USize64(bytes.len() as u64);
        }
        if let Some(ext) = &mut view.extensions {
            ext.others.remove(MESHOPT);
        }
    }

    // Quantized attributes back to floats: Bevy's mesh builder takes float positions, normals,
    // tangents and texture coordinates only.
    let mut converted: HashMap<usize, usize> = HashMap::new();
    let attribute_accessors: Vec<usize> = plain
        .meshes
        .iter()
        .flat_map(|m| &m.primitives)
        .flat_map(|p| &p.attributes)
        .filter(|(semantic, _)| {
            matches!(
                semantic,
                Checked::Valid(
                    json::mesh::Semantic::Positions
                        | json::mesh::Semantic::Normals
                        | json::mesh::Semantic::Tangents
                        | json::mesh::Semantic::TexCoords(_)
                )
            )
        })
        .map(|(_, a)| a.value())
        .collect();
    for a in attribute_accessors {
        if converted.contains_key(&a) {
            continue;
        }
        let accessor = &plain.accessors[a];
        let Checked::Valid(component) = accessor.component_type else {
            continue;
        };
        if component.0 == json::accessor::ComponentType::F32 {
            continue;
        }
        let field = format!("accessors[{a}]");
        let Some(floats) = dequantize(accessor, &plain.buffer_views, &views) else {
            report.error(
                &field,
                format!("holds quantized values that cannot be read: {REPACK}."),
            );
            return None;
        };
        let n = match &accessor.type_ {
            Checked::Valid(t) => t.multiplicity(),
            Checked::Invalid => 1,
        };
        let bytes: Vec<u8> = floats.iter().flat_map(|f| f.to_le_bytes()).collect();
        let offset = push(&mut bin, &bytes);
        plain.buffer_views.push(json::buffer::View {
            buffer: json::Index::new(0),
            byte_length: json::validation::USize64(bytes.len() as u64),
            byte_offset: Some(json::validation::USize64(offset as u64)),
            byte_stride: None,
            name: None,
            target: Some(Checked::Valid(json::buffer::Target::ArrayBuffer)),
            extensions: None,
            extras: Default::default(),
        });
        let view = plain.buffer_views.len() - 1;
        let accessor = &mut plain.accessors[a];
        accessor.buffer_view = Some(json::Index::new(view as u32));
        accessor.byte_offset = None;
        accessor.component_type = Checked::Valid(json::accessor::GenericComponentType(
            json::accessor::ComponentType::F32,
        ));
        accessor.normalized = false;
        // glTF requires POSITION's bounds; those of the quantized values no longer apply.
        let (mut min, mut max) = (vec![f32::INFINITY; n], vec![f32::NEG_INFINITY; n]);
        for value in floats.chunks_exact(n) {
            for (k, v) in value.iter().enumerate() {
                min[k] = min[k].min(*v);
                max[k] = max[k].max(*v);
            }
        }
        accessor.min = Some(Value::from(min));
        accessor.max = Some(Value::from(max));
        converted.insert(a, view);
    }

    while bin.len() % 4 != 0 {
        bin.push(0);
    }
    plain.buffers = vec![json::Buffer {
        byte_length: json::validation::USize64(bin.len() as u64),
        name: None,
        uri: None,
        extensions: None,
        extras: Default::default(),
    }];
    plain
        .extensions_used
        .retain(|e| !DECODED_EXTENSIONS.contains(&e.as_str()));
    plain
        .extensions_required
        .retain(|e| !DECODED_EXTENSIONS.contains(&e.as_str()));
    Some((plain, bin))
}

fn decode_view(
    field: &str,
    view: &json::buffer::View,
    c: &Compressed,
    buffers: &[Option<Cow<'_, [u8]>>],
    workspace: &mut Workspace,
    report: &mut ModelReport,
) -> Option<Vec<u8>> {
    let at = format!("{field}.extensions.{MESHOPT}");
    let Some(source) = buffers.get(c.buffer).and_then(|b| b.as_deref()) else {
        report.error(
            &at,
            format!(
                "names buffers[{}], which cannot be read: {REPACK}.",
                c.buffer
            ),
        );
        return None;
    };
    let Some(compressed) = c
        .offset
        .checked_add(c.length)
        .and_then(|end| source.get(c.offset..end))
    else {
        report.error(
            &at,
            format!(
                "runs past the end of buffers[{}] (bytes {} to {} of {}): {REPACK}.",
                c.buffer,
                c.offset,
                c.offset.saturating_add(c.length),
                source.len()
            ),
        );
        return None;
    };
    let expected = c.count.checked_mul(c.stride);
    if expected != Some(view.byte_length.0 as usize) {
        report.error(
            &at,
            format!(
                "decodes to {} values of {} bytes, but the view is {} bytes long: {REPACK}.",
                c.count, c.stride, view.byte_length.0
            ),
        );
        return None;
    }
    // meshoptimizer's codecs shrink data at most about 64 times (a block of 256 vertices whose
    // bytes never change costs 4 header bytes a byte column), so a count that claims more from
    // the bytes there is a lie, refused before anything is allocated for it.
    let plausible = compressed
        .len()
        .saturating_mul(MAX_RATIO)
        .saturating_add(1 << 16)
        .min(MAX_DECODED_VIEW);
    if expected.is_none_or(|n| n > plausible) {
        report.error(&at, format!("claims {} values of {} bytes from {} compressed bytes, more than they can hold: {REPACK}.", c.count, c.stride, compressed.len()));
        return None;
    }
    match decode_buffer_view(c.mode, c.filter, c.count, c.stride, compressed, workspace) {
        Ok(bytes) => Some(bytes),
        Err(e) => {
            report.error(&at, format!("cannot be decoded ({e}): {REPACK}."));
            None
        }
    }
}

/// An accessor's values as floats, with glTF's rules for normalized integers.
fn dequantize(
    accessor: &json::Accessor,
    buffer_views: &[json::buffer::View],
    views: &[Option<Cow<'_, [u8]>>],
) -> Option<Vec<f32>> {
    use json::accessor::ComponentType as C;
    if accessor.sparse.is_some() {
        return None;
    }
    let Checked::Valid(component) = accessor.component_type else {
        return None;
    };
    let Checked::Valid(kind) = &accessor.type_ else {
        return None;
    };
    let view_index = accessor.buffer_view.as_ref()?.value();
    let bytes = views.get(view_index)?.as_deref()?;
    let size = component.0.size();
    let n = kind.multiplicity();
    let stride = buffer_views[view_index]
        .byte_stride
        .map_or(size * n, |s| s.0);
    let offset = accessor.byte_offset.map_or(0, |o| o.0) as usize;
    let count = accessor.count.0 as usize;
    let normalized = accessor.normalized;
    // Every value inside the view's bytes before anything is allocated for them.
    let end = count
        .checked_sub(1)?
        .checked_mul(stride)?
        .checked_add(offset)?
        .checked_add(size * n)?;
    if end > bytes.len() || stride < size * n {
        return None;
    }
    let mut out = Vec::with_capacity(count.checked_mul(n)?);
    for v in 0..count {
        for k in 0..n {
            let at = offset
                .checked_add(v.checked_mul(stride)?)?
                .checked_add(k * size)?;
            let b = bytes.get(at..at + size)?;
            let value = match component.0 {
                C::I8 => {
                    let x = f32::from(b[0] as i8);
                    if normalized { (x / 127.0).max(-1.0) } else { x }
                }
                C::U8 => {
                    let x = f32::from(b[0]);
                    if normalized { x / 255.0 } else { x }
                }
                C::I16 => {
                    let x = f32::from(i16::from_le_bytes([b[0], b[1]]));
                    if normalized {
                        (x / 32767.0).max(-1.0)
                    } else {
                        x
                    }
                }
                C::U16 => {
                    let x = f32::from(u16::from_le_bytes([b[0], b[1]]));
                    if normalized { x / 65535.0 } else { x }
                }
                C::U32 => u32::from_le_bytes([b[0], b[1], b[2], b[3]]) as f32,
                C::F32 => f32::from_le_bytes([b[0], b[1], b[2], b[3]]),
            };
            out.push(value);
        }
    }
    Some(out)
}

/// A GLB container around a glTF document and its binary chunk.
pub fn glb(json: &[u8], bin: &[u8]) -> Vec<u8> {
    let json_len = json.len().next_multiple_of(4);
    let bin_len = bin.len().next_multiple_of(4);
    let total = 12 + 8 + json_len + if bin.is_empty() { 0 } else { 8 + bin_len };
    let mut out = Vec::with_capacity(total);
    out.extend_from_slice(b"glTF");
    out.extend_from_slice(&2u32.to_le_bytes());
    out.extend_from_slice(&(total as u32).to_le_bytes());
    out.extend_from_slice(&(json_len as u32).to_le_bytes());
    out.extend_from_slice(b"JSON");
    out.extend_from_slice(json);
    out.resize(20 + json_len, b' ');
    if !bin.is_empty() {
        out.extend_from_slice(&(bin_len as u32).to_le_bytes());
        out.extend_from_slice(b"BIN\0");
        out.extend_from_slice(bin);
        out.resize(total, 0);
    }
    out
}
