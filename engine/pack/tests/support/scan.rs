//! A generator of a scan-like test mesh: a carved stone stele, written as glTF binary, OBJ and
//! PLY so the pipeline's importers can be tested on the same object in three formats.
//!
//! The mesh imitates what a photogrammetry or laser scan delivers: one face (the carved front)
//! is a dense, slightly noisy grid that holds nearly all the triangles; the back and sides are
//! flat and coarse (a quad each, fanned out where they meet the front's dense rim); the texture
//! has two UV islands, so every vertex on the front's rim is stored twice, with equal positions
//! and different UVs; the surface is closed but for its underside, as a scan of something
//! standing on the ground is; and the object sits off the origin so that normalising it is
//! real work.
//!
//! Everything is deterministic (a small integer hash stands in for randomness), so tests can
//! assert on exact counts and bounds.
//!
//! Included with `#[path = ...] mod scan;` from integration tests and from the `make_scan`
//! example; each of those uses only part of the public API, hence the module-wide allowance.
#![allow(dead_code)]

use std::f64::consts::{PI, TAU};
use std::fs::{self, File};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

use image::ExtendedColorType;
use image::codecs::jpeg::JpegEncoder;
use serde_json::json;

/// What [`write_scan`] wrote.
pub struct ScanFiles {
    pub glb: PathBuf,
    pub obj: PathBuf,
    pub ply: PathBuf,
    /// Triangles in each of the three files (they hold the same triangles).
    pub triangles: usize,
}

/// Writes the same scan-like mesh three ways into `dir` (created if missing):
/// `scan.glb` (glTF 2.0 binary, +Y up, metres, texture embedded as JPEG),
/// `scan.obj` + `scan.mtl` + `scan-texture.jpg` (Z up, metres, `map_Kd scan-texture.jpg`, with
/// `vt` and `vn`), `scan.ply` (binary_little_endian 1.0, Z up, metres, vertex properties
/// float x y z, float nx ny nz, uchar red green blue; face list uchar int vertex_indices).
///
/// The object is a stele 0.6 m wide (X), 1.2 m tall and 0.2 m deep, base at height 0, centred at
/// x = 3.0 and 2.0 m along its front axis (+Z in glTF, -Y in the Z-up files, where a glTF point
/// (x, y, z) is written as (x, -z, y)). `triangles` must be at least [`MIN_TRIANGLES`];
/// `texture_size` is the side of the square texture in pixels.
pub fn write_scan(dir: &Path, triangles: usize, texture_size: u32) -> io::Result<ScanFiles> {
    if triangles < MIN_TRIANGLES {
        return Err(invalid(format!(
            "a scan needs at least {MIN_TRIANGLES} triangles, not {triangles}"
        )));
    }
    // 65 535 is the largest side a JPEG can have.
    if texture_size == 0 || texture_size > 65_535 {
        return Err(invalid(format!(
            "texture size {texture_size} is outside 1..=65535"
        )));
    }
    fs::create_dir_all(dir)?;

    let mesh = build_mesh(triangles)?;
    debug_assert_eq!(mesh.indices.len(), triangles * 3);

    let rgb = make_texture(texture_size);
    let mut jpeg = Vec::new();
    JpegEncoder::new_with_quality(&mut jpeg, 90)
        .encode(&rgb, texture_size, texture_size, ExtendedColorType::Rgb8)
        .map_err(io::Error::other)?;
    // The PLY has no UVs, so it carries the texture as vertex colours, read from the raw pixels
    // (not the JPEG) so that they are exact and cheap.
    let colours = sample_colours(&mesh.uvs, &rgb, texture_size);
    // The raw pixels are the biggest allocation; nothing below needs them.
    drop(rgb);

    let glb = dir.join("scan.glb");
    let obj = dir.join("scan.obj");
    let ply = dir.join("scan.ply");
    fs::write(dir.join(TEXTURE_FILE), &jpeg)?;
    fs::write(dir.join(MTL_FILE), MTL)?;
    write_obj(&obj, &mesh)?;
    write_glb(&glb, &mesh, &jpeg)?;
    write_ply(&ply, &mesh, &colours)?;

    Ok(ScanFiles {
        glb,
        obj,
        ply,
        triangles,
    })
}

// The stele's box in glTF coordinates (Y up, metres): 0.6 wide, 1.2 tall, 0.2 deep, centred at
// x = 3.0, z = 2.0 and standing on y = 0. The front face is the plane z = Z1 (plus relief).
const X0: f32 = 2.7;
const X1: f32 = 3.3;
const Y0: f32 = 0.0;
const Y1: f32 = 1.2;
const Z0: f32 = 1.9;
const Z1: f32 = 2.1;

const TEXTURE_FILE: &str = "scan-texture.jpg";
const MTL_FILE: &str = "scan.mtl";
// A white, matte material: the texture alone gives the colour, as in a scanner's export.
const MTL: &str = "# disan make-scan\n\
newmtl stone\n\
Ka 1 1 1\n\
Kd 1 1 1\n\
Ks 0 0 0\n\
Ns 1\n\
d 1\n\
illum 1\n\
map_Kd scan-texture.jpg\n";

/// A rectangle in UV space, v as in glTF (0 at the top row of the image).
#[derive(Clone, Copy)]
struct UvRect {
    u0: f32,
    v0: f32,
    u1: f32,
    v1: f32,
}

// The front island fills the left 3/4 of the texture, the back and sides share the right 1/4.
// Each keeps a small gap from the 3/4 line and the texture's edges so mipmaps do not bleed one
// island into the other.
const FRONT_UV: UvRect = UvRect {
    u0: 0.008,
    v0: 0.008,
    u1: 0.742,
    v1: 0.992,
};
const BACK_UV: UvRect = UvRect {
    u0: 0.758,
    v0: 0.008,
    u1: 0.992,
    v1: 0.58,
};
const LEFT_UV: UvRect = UvRect {
    u0: 0.758,
    v0: 0.60,
    u1: 0.87,
    v1: 0.88,
};
const RIGHT_UV: UvRect = UvRect {
    u0: 0.88,
    v0: 0.60,
    u1: 0.992,
    v1: 0.88,
};
const TOP_UV: UvRect = UvRect {
    u0: 0.758,
    v0: 0.90,
    u1: 0.992,
    v1: 0.992,
};

/// A red square in the top-left of the front island (the stele's top-left corner seen from the
/// front), so a flipped or rotated texture, or a mirrored mesh, is obvious at a glance.
const MARKER_UV: UvRect = UvRect {
    u0: FRONT_UV.u0 + 0.02,
    v0: FRONT_UV.v0 + 0.02,
    u1: FRONT_UV.u0 + 0.10,
    v1: FRONT_UV.v0 + 0.10,
};

fn invalid(message: String) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidInput, message)
}

/// The mesh in glTF coordinates, one index space for all attributes (as glTF wants it; the OBJ
/// reuses it for `v`, `vt` and `vn` alike).
struct Mesh {
    positions: Vec<[f32; 3]>,
    normals: Vec<[f32; 3]>,
    uvs: Vec<[f32; 2]>,
    indices: Vec<u32>,
}

impl Mesh {
    fn push_vertex(&mut self, position: [f32; 3], normal: [f32; 3], uv: [f32; 2]) -> u32 {
        let index = self.positions.len() as u32;
        self.positions.push(position);
        self.normals.push(normal);
        self.uvs.push(uv);
        index
    }
}

fn build_mesh(triangles: usize) -> io::Result<Mesh> {
    let (nx, ny, extra) = choose_grid(triangles);
    let vertices = (nx + 1) * (ny + 1) // the front
        + 2 * (ny + 3) // left and right: the front's rim plus two back corners
        + (nx + 3) // top: likewise
        + 4 + extra; // back
    // PLY face indices are `int`, i.e. signed 32-bit.
    if vertices > i32::MAX as usize {
        return Err(invalid(format!("{triangles} triangles is too many")));
    }
    let mut mesh = Mesh {
        positions: Vec::with_capacity(vertices),
        normals: Vec::with_capacity(vertices),
        uvs: Vec::with_capacity(vertices),
        indices: Vec::with_capacity(triangles * 3),
    };
    let rim = push_front(&mut mesh, nx, ny);

    // Each coarse face is a strip between two edges, both listed in the same direction and
    // chosen so that "first edge forwards, second edge backwards" runs counter-clockwise as seen
    // from outside (glTF's front-face winding). An edge that borders the front reuses the
    // front's rim positions exactly, which is what a scan's UV seam looks like: the surface is
    // closed there, but each vertex is stored twice, with different UVs and normals.
    let rim_edge = |mesh: &Mesh, indices: &[u32], from: [f32; 2], to: [f32; 2]| -> Vec<Point> {
        let last = (indices.len() - 1) as f32;
        indices
            .iter()
            .enumerate()
            .map(|(k, &index)| Point {
                position: mesh.positions[index as usize],
                uv: lerp_uv(from, to, k as f32 / last),
            })
            .collect()
    };
    let line = |from: [f32; 3], to: [f32; 3], uv_from: [f32; 2], uv_to: [f32; 2], points: usize| {
        let last = (points - 1) as f64;
        (0..points)
            .map(|k| {
                let t = k as f64 / last;
                Point {
                    position: std::array::from_fn(|a| lerp(from[a], to[a], t)),
                    uv: lerp_uv(uv_from, uv_to, t as f32),
                }
            })
            .collect::<Vec<_>>()
    };
    // UV corners of a face seen from outside: bottom-left, bottom-right, top-right, top-left.
    let corners = |r: UvRect| [[r.u0, r.v1], [r.u1, r.v1], [r.u1, r.v0], [r.u0, r.v0]];

    // Left (-X), seen from outside: the front is on the right.
    let [bl, br, tr, tl] = corners(LEFT_UV);
    let front_edge = rim_edge(&mesh, &rim.left, br, tr);
    let back_edge = line([X0, Y0, Z0], [X0, Y1, Z0], bl, tl, 2);
    push_strip(&mut mesh, [-1.0, 0.0, 0.0], &front_edge, &back_edge);

    // Right (+X): the front is on the left.
    let [bl, br, tr, tl] = corners(RIGHT_UV);
    let back_edge = line([X1, Y0, Z0], [X1, Y1, Z0], br, tr, 2);
    let front_edge = rim_edge(&mesh, &rim.right, bl, tl);
    push_strip(&mut mesh, [1.0, 0.0, 0.0], &back_edge, &front_edge);

    // Top (+Y): the front is at the bottom.
    let [bl, br, tr, tl] = corners(TOP_UV);
    let front_edge = rim_edge(&mesh, &rim.top, bl, br);
    let back_edge = line([X0, Y1, Z0], [X1, Y1, Z0], tl, tr, 2);
    push_strip(&mut mesh, [0.0, 1.0, 0.0], &front_edge, &back_edge);

    // Back (-Z): +X is on the left. What the grid could not hold exactly is spent here, as
    // extra points along the bottom edge, so the count comes out exact for any budget. (The
    // bottom is open, as in a scan of an object standing on the ground; on the top edge they
    // would make T-junctions with the top face.)
    let [bl, br, tr, tl] = corners(BACK_UV);
    let bottom = line([X1, Y0, Z0], [X0, Y0, Z0], bl, br, 2 + extra);
    let top = line([X1, Y1, Z0], [X0, Y1, Z0], tl, tr, 2);
    push_strip(&mut mesh, [0.0, 0.0, -1.0], &bottom, &top);

    debug_assert_eq!(mesh.positions.len(), vertices);
    debug_assert_eq!(mesh.indices.len(), triangles * 3);
    Ok(mesh)
}

/// Triangles of everything but the front's grid cells, for an `nx` × `ny` grid and no extra:
/// left and right (ny + 1 each), top (nx + 1) and back (2).
fn coarse_triangles(nx: usize, ny: usize) -> usize {
    2 * (ny + 1) + (nx + 1) + 2
}

/// The smallest budget: a one-cell front.
pub const MIN_TRIANGLES: usize = 2 + 2 * 2 + 2 + 2;

/// Picks the front grid's cells across (`nx`) and up (`ny`) and the leftover triangles for the
/// back: cells as close to square as the budget allows (the face is twice as tall as wide, so
/// ny ≈ 2 nx) among the splits that leave at most [`LEFTOVER_TOLERATED`] triangles over, or
/// else the split that leaves the fewest.
fn choose_grid(triangles: usize) -> (usize, usize, usize) {
    // Solves 2·nx·ny + 2·(ny + 1) + (nx + 1) + 2 ≤ triangles for ny.
    let split = |nx: usize| {
        let ny = triangles.saturating_sub(nx + 5) / (2 * nx + 2);
        (ny > 0).then(|| (nx, ny, triangles - 2 * nx * ny - coarse_triangles(nx, ny)))
    };
    let aspect_error =
        |&(nx, ny, _): &(usize, usize, usize)| (ny as f64 / nx as f64 / 2.0).ln().abs();
    let ideal = (triangles as f64 / 4.0).sqrt();
    let lo = ((ideal * 0.8).floor() as usize).max(1);
    let hi = ((ideal * 1.25).ceil() as usize).max(lo);
    (lo..=hi)
        .filter_map(split)
        .min_by(|a, b| {
            let leftover = |c: &(usize, usize, usize)| c.2.max(LEFTOVER_TOLERATED);
            leftover(a)
                .cmp(&leftover(b))
                .then(aspect_error(a).total_cmp(&aspect_error(b)))
        })
        // Only for tiny budgets, where the range above holds no grid at all.
        .or_else(|| split(1))
        .expect("write_scan checks the budget against MIN_TRIANGLES")
}

/// Leftover triangles become slivers on the back face; this many are not worth distorting the
/// front's cells for.
const LEFTOVER_TOLERATED: usize = 32;

/// The carved front: a height field over the face (`s` across from the left edge as seen from
/// the front, `t` up, both 0..1), in metres along +Z.
fn relief(s: f64, t: f64) -> f64 {
    // A recessed panel with soft walls, as if chiselled.
    let panel = band(s, 0.08, 0.92, 0.015) * band(t, 0.06, 0.90, 0.01);
    // Lines of an inscription: horizontal ridges whose depth wavers along each line.
    let lines =
        (TAU * 14.0 * t).sin() * (0.6 + 0.4 * (TAU * 9.0 * s + 3.0 * (TAU * 2.0 * t).sin()).sin());
    // A broad weathering bulge.
    let bulge = (PI * s).sin() * (PI * t).sin();
    // Fades out at the edges of the face, so the front's rim lies exactly on the box edges that
    // the coarse sides meet.
    let rim = band(s, 0.0, 1.0, 0.02) * band(t, 0.0, 1.0, 0.01);
    rim * (0.002 * bulge - 0.003 * panel + 0.0015 * panel * lines)
}

/// 1 inside `lo..hi`, 0 outside, with smooth ramps `soft` wide just inside each end.
fn band(x: f64, lo: f64, hi: f64, soft: f64) -> f64 {
    smoothstep(lo, lo + soft, x) * (1.0 - smoothstep(hi - soft, hi, x))
}

fn smoothstep(edge0: f64, edge1: f64, x: f64) -> f64 {
    let t = ((x - edge0) / (edge1 - edge0)).clamp(0.0, 1.0);
    t * t * (3.0 - 2.0 * t)
}

/// Scanner noise: 1 mm from peak to peak, a fresh value at every grid vertex.
const NOISE_METRES: f64 = 0.001;

/// The front's rim, as vertex indices: where the coarse faces meet it.
struct Rim {
    /// x = X0, bottom to top.
    left: Vec<u32>,
    /// x = X1, bottom to top.
    right: Vec<u32>,
    /// y = Y1, left to right.
    top: Vec<u32>,
}

/// The front: an `nx` × `ny` grid of cells over the face z = Z1, displaced by [`relief`] and
/// scanner noise, two triangles a cell.
fn push_front(mesh: &mut Mesh, nx: usize, ny: usize) -> Rim {
    let row = nx + 1;
    // Heights first, so normals can be taken from neighbouring heights (central differences).
    let mut heights = Vec::with_capacity(row * (ny + 1));
    for j in 0..=ny {
        let t = j as f64 / ny as f64;
        for i in 0..=nx {
            let s = i as f64 / nx as f64;
            let rim = i == 0 || i == nx || j == 0 || j == ny;
            // No noise on the rim, so it stays on the box edges (see `relief`).
            let noise = if rim {
                0.0
            } else {
                (f64::from(unit(hash(i as u32, j as u32, 1))) - 0.5) * NOISE_METRES
            };
            heights.push(relief(s, t) + noise);
        }
    }

    let dx = f64::from(X1 - X0) / nx as f64;
    let dy = f64::from(Y1 - Y0) / ny as f64;
    let base = mesh.positions.len() as u32;
    for j in 0..=ny {
        let t = j as f64 / ny as f64;
        let y = lerp(Y0, Y1, t);
        let v = FRONT_UV.v1 + (FRONT_UV.v0 - FRONT_UV.v1) * t as f32;
        let (j_lo, j_hi) = (j.saturating_sub(1), (j + 1).min(ny));
        for i in 0..=nx {
            let s = i as f64 / nx as f64;
            let x = lerp(X0, X1, s);
            let h = heights[j * row + i];
            let z = (f64::from(Z1) + h) as f32;
            let (i_lo, i_hi) = (i.saturating_sub(1), (i + 1).min(nx));
            let dh_dx =
                (heights[j * row + i_hi] - heights[j * row + i_lo]) / ((i_hi - i_lo) as f64 * dx);
            let dh_dy =
                (heights[j_hi * row + i] - heights[j_lo * row + i]) / ((j_hi - j_lo) as f64 * dy);
            let normal = normalize([-dh_dx, -dh_dy, 1.0]);
            let u = FRONT_UV.u0 + (FRONT_UV.u1 - FRONT_UV.u0) * s as f32;
            mesh.push_vertex([x, y, z], normal, [u, v]);
        }
    }

    let row = row as u32;
    for j in 0..ny as u32 {
        for i in 0..nx as u32 {
            let a = base + j * row + i;
            let (b, c, d) = (a + 1, a + row + 1, a + row);
            // x grows to the right and y upwards as seen from +Z: counter-clockwise.
            mesh.indices.extend_from_slice(&[a, b, c, a, c, d]);
        }
    }
    let at = |i: usize, j: usize| base + (j * (nx + 1) + i) as u32;
    Rim {
        left: (0..=ny).map(|j| at(0, j)).collect(),
        right: (0..=ny).map(|j| at(nx, j)).collect(),
        top: (0..=nx).map(|i| at(i, ny)).collect(),
    }
}

/// A vertex of a coarse face's edge.
#[derive(Clone, Copy)]
struct Point {
    position: [f32; 3],
    uv: [f32; 2],
}

/// A flat face with its own vertices (its own normal and its own place in the texture),
/// triangulated as a strip between edges `a` and `b`, which run the same way and are ordered
/// so that `a` forwards then `b` backwards is counter-clockwise from outside. Gives
/// `a.len() + b.len() - 2` triangles; where one edge is dense (the front's rim) the triangles
/// fan out from the other edge's ends, the way a scanner's hole filler closes a side.
fn push_strip(mesh: &mut Mesh, normal: [f32; 3], a: &[Point], b: &[Point]) {
    let push = |mesh: &mut Mesh, edge: &[Point]| {
        edge.iter()
            .map(|point| mesh.push_vertex(point.position, normal, point.uv))
            .collect::<Vec<_>>()
    };
    let a = push(mesh, a);
    let b = push(mesh, b);
    let (m, q) = (a.len() - 1, b.len() - 1);
    let (mut i, mut j) = (0, 0);
    while i < m || j < q {
        // Advance along whichever edge is behind, measured as a fraction of its length, so
        // the triangles stay as even as the two edges allow.
        if j == q || (i < m && (i + 1) * q <= (j + 1) * m) {
            mesh.indices.extend_from_slice(&[a[i], a[i + 1], b[j]]);
            i += 1;
        } else {
            mesh.indices.extend_from_slice(&[a[i], b[j + 1], b[j]]);
            j += 1;
        }
    }
}

/// `a` to `b`, exact at both ends (`a + (b - a)·t` need not give `b` at t = 1): rim vertices must
/// land exactly on the box's corners and edges.
fn lerp(a: f32, b: f32, t: f64) -> f32 {
    (f64::from(a) * (1.0 - t) + f64::from(b) * t) as f32
}

fn lerp_uv(a: [f32; 2], b: [f32; 2], t: f32) -> [f32; 2] {
    [a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t]
}

fn normalize(v: [f64; 3]) -> [f32; 3] {
    let length = (v[0] * v[0] + v[1] * v[1] + v[2] * v[2]).sqrt();
    v.map(|c| (c / length) as f32)
}

/// A small integer hash (lowbias32 by Chris Wellons, with the inputs mixed in first):
/// deterministic on every platform and run, and plenty for noise that only has to look random.
fn hash(x: u32, y: u32, seed: u32) -> u32 {
    let mut h =
        x.wrapping_mul(0x9E37_79B1) ^ y.wrapping_mul(0x85EB_CA77) ^ seed.wrapping_mul(0xC2B2_AE3D);
    h ^= h >> 16;
    h = h.wrapping_mul(0x7FEB_352D);
    h ^= h >> 15;
    h = h.wrapping_mul(0x846C_A68B);
    h ^= h >> 16;
    h
}

/// A hash as a number in 0..1 (24 bits, all an f32 can hold exactly).
fn unit(h: u32) -> f32 {
    (h >> 8) as f32 * (1.0 / 16_777_216.0)
}

/// The texture as tightly packed RGB rows, top row first.
///
/// It has to be cheap at 4096² (16M pixels), so the stone's mottling is separable (a table per
/// column plus a table per row) and the only per-pixel work is one hash for grain and a few
/// table look-ups.
fn make_texture(size: u32) -> Vec<u8> {
    let n = size as usize;
    let mottle = |p: usize, phase: f32| -> f32 {
        let a = p as f32 / n as f32 * std::f32::consts::TAU;
        7.0 * (3.0 * a + phase).sin()
            + 4.0 * (7.0 * a + 1.3 * phase).sin()
            + 2.5 * (23.0 * a + 0.4).sin()
    };
    let columns: Vec<f32> = (0..n).map(|x| mottle(x, 0.0)).collect();
    let rows: Vec<f32> = (0..n).map(|y| mottle(y, 2.1)).collect();
    // Thin dark lines every 1/16 of the texture, at least a pixel wide, so stretching and
    // misplaced UVs show as bent or uneven lines.
    let line_width = (n / 512).max(1);
    let mut on_line = vec![false; n];
    for k in 0..16 {
        let start = k * n / 16;
        for flag in on_line.iter_mut().skip(start).take(line_width) {
            *flag = true;
        }
    }
    let to_pixel = |c: f32| ((c * n as f32) as usize).min(n - 1);
    let front_end = to_pixel(0.75);
    let marker_x = to_pixel(MARKER_UV.u0)..to_pixel(MARKER_UV.u1);
    let marker_y = to_pixel(MARKER_UV.v0)..to_pixel(MARKER_UV.v1);

    // Sandstone on the front, a cooler grey on the back and sides, so a swapped island shows.
    const FRONT: [f32; 3] = [172.0, 160.0, 140.0];
    const SIDES: [f32; 3] = [140.0, 142.0, 146.0];
    const MARKER: [f32; 3] = [205.0, 40.0, 30.0];

    let mut rgb = vec![0u8; n * n * 3];
    for (y, row) in rgb.chunks_exact_mut(n * 3).enumerate() {
        let row_shade = rows[y];
        let row_is_line = on_line[y];
        let row_has_marker = marker_y.contains(&y);
        for (x, pixel) in row.chunks_exact_mut(3).enumerate() {
            let grain = unit(hash(x as u32, y as u32, 2)) * 8.0 - 4.0;
            let base = if row_has_marker && marker_x.contains(&x) {
                MARKER
            } else if x < front_end {
                FRONT
            } else {
                SIDES
            };
            let darken = if row_is_line || on_line[x] { 0.55 } else { 1.0 };
            let shade = columns[x] + row_shade + grain;
            for (out, channel) in pixel.iter_mut().zip(base) {
                // `as u8` saturates, which is the clamp wanted here.
                *out = ((channel + shade) * darken) as u8;
            }
        }
    }
    rgb
}

fn sample_colours(uvs: &[[f32; 2]], rgb: &[u8], size: u32) -> Vec<[u8; 3]> {
    let n = size as usize;
    let to_pixel = |c: f32| ((c * n as f32) as usize).min(n - 1);
    uvs.iter()
        .map(|&[u, v]| {
            let at = (to_pixel(v) * n + to_pixel(u)) * 3;
            [rgb[at], rgb[at + 1], rgb[at + 2]]
        })
        .collect()
}

/// glTF (Y up) to the Z-up convention of the OBJ and PLY files: (x, y, z) → (x, -z, y), a
/// rotation (not a mirror), so windings stay counter-clockwise.
fn z_up([x, y, z]: [f32; 3]) -> [f32; 3] {
    [x, -z, y]
}

fn write_obj(path: &Path, mesh: &Mesh) -> io::Result<()> {
    let mut out = BufWriter::with_capacity(1 << 20, File::create(path)?);
    writeln!(out, "# disan make-scan: a carved stele, Z up, metres")?;
    writeln!(out, "mtllib {MTL_FILE}")?;
    writeln!(out, "o stele")?;
    // `{}` prints the shortest text that reads back as the same f32, so the OBJ holds exactly
    // the numbers the GLB and PLY hold.
    for &p in &mesh.positions {
        let [x, y, z] = z_up(p);
        writeln!(out, "v {x} {y} {z}")?;
    }
    for &[u, v] in &mesh.uvs {
        // OBJ's v runs up from the bottom of the image, glTF's down from the top.
        writeln!(out, "vt {u} {}", 1.0 - v)?;
    }
    for &n in &mesh.normals {
        let [x, y, z] = z_up(n);
        writeln!(out, "vn {x} {y} {z}")?;
    }
    writeln!(out, "usemtl stone")?;
    for triangle in mesh.indices.chunks_exact(3) {
        // One index space for all three attributes, 1-based.
        let [a, b, c] = [triangle[0] + 1, triangle[1] + 1, triangle[2] + 1];
        writeln!(out, "f {a}/{a}/{a} {b}/{b}/{b} {c}/{c}/{c}")?;
    }
    out.flush()
}

fn write_ply(path: &Path, mesh: &Mesh, colours: &[[u8; 3]]) -> io::Result<()> {
    let mut out = BufWriter::with_capacity(1 << 20, File::create(path)?);
    write!(
        out,
        "ply\n\
         format binary_little_endian 1.0\n\
         comment disan make-scan: a carved stele, Z up, metres\n\
         element vertex {}\n\
         property float x\n\
         property float y\n\
         property float z\n\
         property float nx\n\
         property float ny\n\
         property float nz\n\
         property uchar red\n\
         property uchar green\n\
         property uchar blue\n\
         element face {}\n\
         property list uchar int vertex_indices\n\
         end_header\n",
        mesh.positions.len(),
        mesh.indices.len() / 3,
    )?;
    for ((&p, &n), colour) in mesh.positions.iter().zip(&mesh.normals).zip(colours) {
        let mut record = [0u8; 27];
        for (slot, value) in record
            .chunks_exact_mut(4)
            .zip(z_up(p).into_iter().chain(z_up(n)))
        {
            slot.copy_from_slice(&value.to_le_bytes());
        }
        record[24..].copy_from_slice(colour);
        out.write_all(&record)?;
    }
    for triangle in mesh.indices.chunks_exact(3) {
        let mut record = [3u8; 13];
        for (slot, &index) in record[1..].chunks_exact_mut(4).zip(triangle) {
            // Fits: `build_mesh` keeps the vertex count within i32.
            slot.copy_from_slice(&(index as i32).to_le_bytes());
        }
        out.write_all(&record)?;
    }
    out.flush()
}

fn write_glb(path: &Path, mesh: &Mesh, jpeg: &[u8]) -> io::Result<()> {
    const ARRAY_BUFFER: u32 = 34962;
    const ELEMENT_ARRAY_BUFFER: u32 = 34963;
    const FLOAT: u32 = 5126;
    const UNSIGNED_INT: u32 = 5125;

    let count = mesh.positions.len();
    // Each block is a multiple of 4 bytes long, so every accessor starts 4-byte aligned as the
    // spec requires; the image goes last because its length is arbitrary.
    let blocks = [
        count * 12,             // positions
        count * 12,             // normals
        count * 8,              // texture coordinates
        mesh.indices.len() * 4, // indices
        jpeg.len(),             // image
    ];
    let offsets: Vec<usize> = blocks
        .iter()
        .scan(0, |offset, &length| {
            let start = *offset;
            *offset += length;
            Some(start)
        })
        .collect();
    let bin_length = offsets[4] + jpeg.len();
    let bin_padded = bin_length.next_multiple_of(4);

    // POSITION must declare its bounds; the validator checks them against the data exactly,
    // so they are taken from the very f32 values written.
    let mut min = [f32::INFINITY; 3];
    let mut max = [f32::NEG_INFINITY; 3];
    for p in &mesh.positions {
        for a in 0..3 {
            min[a] = min[a].min(p[a]);
            max[a] = max[a].max(p[a]);
        }
    }

    // Only vertex-attribute views may carry `target` 34962 and `byteStride`; the attributes are
    // tightly packed, so no stride is given at all. The image view has neither.
    let view = |index: usize, target: Option<u32>| {
        let mut view = json!({
            "buffer": 0,
            "byteOffset": offsets[index],
            "byteLength": blocks[index],
        });
        if let Some(target) = target {
            view["target"] = json!(target);
        }
        view
    };
    let document = json!({
        "asset": { "version": "2.0", "generator": "disan make-scan" },
        "scene": 0,
        "scenes": [{ "nodes": [0] }],
        "nodes": [{ "name": "stele", "mesh": 0 }],
        "meshes": [{
            "name": "stele",
            "primitives": [{
                "attributes": { "POSITION": 0, "NORMAL": 1, "TEXCOORD_0": 2 },
                "indices": 3,
                "material": 0,
                "mode": 4,
            }],
        }],
        "materials": [{
            "name": "stone",
            "pbrMetallicRoughness": {
                "baseColorTexture": { "index": 0 },
                "metallicFactor": 0.0,
                "roughnessFactor": 1.0,
            },
        }],
        "textures": [{ "sampler": 0, "source": 0 }],
        // Linear filtering with mipmaps; clamped, because the UVs never leave 0..1 and
        // wrapping would bleed the opposite edge into the islands.
        "samplers": [{ "magFilter": 9729, "minFilter": 9987, "wrapS": 33071, "wrapT": 33071 }],
        "images": [{ "name": "scan-texture", "bufferView": 4, "mimeType": "image/jpeg" }],
        "buffers": [{ "byteLength": bin_length }],
        "bufferViews": [
            view(0, Some(ARRAY_BUFFER)),
            view(1, Some(ARRAY_BUFFER)),
            view(2, Some(ARRAY_BUFFER)),
            view(3, Some(ELEMENT_ARRAY_BUFFER)),
            view(4, None),
        ],
        "accessors": [
            {
                "bufferView": 0, "componentType": FLOAT, "count": count, "type": "VEC3",
                "min": min.map(f64::from), "max": max.map(f64::from),
            },
            { "bufferView": 1, "componentType": FLOAT, "count": count, "type": "VEC3" },
            { "bufferView": 2, "componentType": FLOAT, "count": count, "type": "VEC2" },
            {
                "bufferView": 3, "componentType": UNSIGNED_INT,
                "count": mesh.indices.len(), "type": "SCALAR",
            },
        ],
    });
    let mut json_chunk = serde_json::to_vec(&document).map_err(io::Error::other)?;
    // The JSON chunk is padded with spaces (still valid JSON), the BIN chunk with zeros.
    json_chunk.resize(json_chunk.len().next_multiple_of(4), b' ');

    let total = 12 + 8 + json_chunk.len() + 8 + bin_padded;
    let total = u32::try_from(total)
        .map_err(|_| invalid(format!("a GLB of {total} bytes is over 4 GiB")))?;
    let chunk_length = |length: usize| u32::try_from(length).map_err(io::Error::other);

    let mut out = BufWriter::with_capacity(1 << 20, File::create(path)?);
    out.write_all(b"glTF")?;
    out.write_all(&2u32.to_le_bytes())?;
    out.write_all(&total.to_le_bytes())?;
    out.write_all(&chunk_length(json_chunk.len())?.to_le_bytes())?;
    out.write_all(b"JSON")?;
    out.write_all(&json_chunk)?;
    out.write_all(&chunk_length(bin_padded)?.to_le_bytes())?;
    out.write_all(b"BIN\0")?;
    for &p in &mesh.positions {
        write_floats(&mut out, &p)?;
    }
    for &n in &mesh.normals {
        write_floats(&mut out, &n)?;
    }
    for &uv in &mesh.uvs {
        write_floats(&mut out, &uv)?;
    }
    for &index in &mesh.indices {
        out.write_all(&index.to_le_bytes())?;
    }
    out.write_all(jpeg)?;
    out.write_all(&[0; 3][..bin_padded - bin_length])?;
    out.flush()
}

fn write_floats(out: &mut impl Write, values: &[f32]) -> io::Result<()> {
    let mut bytes = [0u8; 12];
    for (slot, value) in bytes.chunks_exact_mut(4).zip(values) {
        slot.copy_from_slice(&value.to_le_bytes());
    }
    out.write_all(&bytes[..values.len() * 4])
}
