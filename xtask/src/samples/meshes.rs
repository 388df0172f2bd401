//! Triangle meshes and the few shape builders the sample models are made of.
//!
//! Conventions: counter-clockwise front faces, unit normals, Y up, metres. Curved surfaces get
//! analytic (lathe, sweep) or averaged (grid) smooth normals; boxes get flat per-face normals so
//! their edges stay crisp.

use std::f32::consts::TAU;

pub type V3 = [f32; 3];

pub fn add(a: V3, b: V3) -> V3 {
    [a[0] + b[0], a[1] + b[1], a[2] + b[2]]
}
pub fn sub(a: V3, b: V3) -> V3 {
    [a[0] - b[0], a[1] - b[1], a[2] - b[2]]
}
pub fn scale(a: V3, s: f32) -> V3 {
    [a[0] * s, a[1] * s, a[2] * s]
}
pub fn dot(a: V3, b: V3) -> f32 {
    a[0] * b[0] + a[1] * b[1] + a[2] * b[2]
}
pub fn cross(a: V3, b: V3) -> V3 {
    [
        a[1] * b[2] - a[2] * b[1],
        a[2] * b[0] - a[0] * b[2],
        a[0] * b[1] - a[1] * b[0],
    ]
}
pub fn length(a: V3) -> f32 {
    dot(a, a).sqrt()
}
/// Normalises, falling back to +Y for degenerate input so no NaN ever reaches the file.
pub fn normalize(a: V3) -> V3 {
    let l = length(a);
    if l > 1e-12 {
        scale(a, 1.0 / l)
    } else {
        [0.0, 1.0, 0.0]
    }
}
pub fn lerp3(a: V3, b: V3, t: f32) -> V3 {
    add(a, scale(sub(b, a), t))
}

#[derive(Default, Clone)]
pub struct Mesh {
    pub positions: Vec<V3>,
    pub normals: Vec<V3>,
    pub uvs: Vec<[f32; 2]>,
    pub indices: Vec<u32>,
}

impl Mesh {
    pub fn vertex(&mut self, p: V3, n: V3, uv: [f32; 2]) -> u32 {
        self.positions.push(p);
        self.normals.push(normalize(n));
        self.uvs.push(uv);
        (self.positions.len() - 1) as u32
    }

    pub fn append(&mut self, other: &Mesh) {
        let base = self.positions.len() as u32;
        self.positions.extend_from_slice(&other.positions);
        self.normals.extend_from_slice(&other.normals);
        self.uvs.extend_from_slice(&other.uvs);
        self.indices.extend(other.indices.iter().map(|i| i + base));
    }

    /// Rotates about the X axis (positive tips +Y towards +Z), normals included.
    pub fn rotate_x(mut self, angle: f32) -> Self {
        let (s, c) = angle.sin_cos();
        let r = |v: V3| [v[0], v[1] * c - v[2] * s, v[1] * s + v[2] * c];
        self.positions.iter_mut().for_each(|p| *p = r(*p));
        self.normals.iter_mut().for_each(|n| *n = r(*n));
        self
    }

    /// Rotates about the Y axis (positive turns +X towards -Z, i.e. counter-clockwise from above).
    pub fn rotate_y(mut self, angle: f32) -> Self {
        let (s, c) = angle.sin_cos();
        let r = |v: V3| [v[0] * c + v[2] * s, v[1], -v[0] * s + v[2] * c];
        self.positions.iter_mut().for_each(|p| *p = r(*p));
        self.normals.iter_mut().for_each(|n| *n = r(*n));
        self
    }

    /// Mirrors across the YZ plane (`x`) and/or XY plane (`z`); the winding is reversed when
    /// exactly one axis flips so faces keep pointing outwards.
    pub fn mirrored(mut self, x: bool, z: bool) -> Self {
        let (sx, sz) = (if x { -1.0 } else { 1.0 }, if z { -1.0 } else { 1.0 });
        for v in self.positions.iter_mut().chain(self.normals.iter_mut()) {
            v[0] *= sx;
            v[2] *= sz;
        }
        if x != z {
            for t in self.indices.chunks_mut(3) {
                t.swap(1, 2);
            }
        }
        self
    }

    pub fn translate(mut self, offset: V3) -> Self {
        self.positions.iter_mut().for_each(|p| *p = add(*p, offset));
        self
    }

    /// A planar quad; corners counter-clockwise as seen from the front.
    pub fn quad(&mut self, corners: [V3; 4], uvs: [[f32; 2]; 4]) {
        let n = normalize(cross(
            sub(corners[1], corners[0]),
            sub(corners[3], corners[0]),
        ));
        let i: Vec<u32> = (0..4).map(|k| self.vertex(corners[k], n, uvs[k])).collect();
        self.indices
            .extend_from_slice(&[i[0], i[1], i[2], i[0], i[2], i[3]]);
    }

    /// An axis-aligned box with flat faces. UVs are world metres divided by `tile` so tiling
    /// textures keep their real-world scale whatever the box size.
    pub fn cuboid(&mut self, min: V3, max: V3, tile: f32) {
        let [x0, y0, z0] = min;
        let [x1, y1, z1] = max;
        let t = 1.0 / tile;
        // Each face: corners counter-clockwise from outside, UV from the two in-plane axes.
        let faces: [([V3; 4], [[f32; 2]; 4]); 6] = [
            // +Z (front)
            (
                [[x0, y0, z1], [x1, y0, z1], [x1, y1, z1], [x0, y1, z1]],
                [[x0, -y0], [x1, -y0], [x1, -y1], [x0, -y1]],
            ),
            // -Z (back)
            (
                [[x1, y0, z0], [x0, y0, z0], [x0, y1, z0], [x1, y1, z0]],
                [[-x1, -y0], [-x0, -y0], [-x0, -y1], [-x1, -y1]],
            ),
            // +X
            (
                [[x1, y0, z1], [x1, y0, z0], [x1, y1, z0], [x1, y1, z1]],
                [[-z1, -y0], [-z0, -y0], [-z0, -y1], [-z1, -y1]],
            ),
            // -X
            (
                [[x0, y0, z0], [x0, y0, z1], [x0, y1, z1], [x0, y1, z0]],
                [[z0, -y0], [z1, -y0], [z1, -y1], [z0, -y1]],
            ),
            // +Y (top)
            (
                [[x0, y1, z1], [x1, y1, z1], [x1, y1, z0], [x0, y1, z0]],
                [[x0, z1], [x1, z1], [x1, z0], [x0, z0]],
            ),
            // -Y (bottom)
            (
                [[x0, y0, z0], [x1, y0, z0], [x1, y0, z1], [x0, y0, z1]],
                [[x0, z0], [x1, z0], [x1, z1], [x0, z1]],
            ),
        ];
        for (corners, uvs) in faces {
            self.quad(corners, uvs.map(|[u, v]| [u * t, v * t]));
        }
    }

    /// A parametric surface sampled on an (nu+1) x (nv+1) grid. Normals are the area-weighted
    /// average of the adjacent triangles, so the surface shades smoothly; `flip` reverses the
    /// winding when the parametrisation would face inwards.
    pub fn grid(
        &mut self,
        nu: usize,
        nv: usize,
        flip: bool,
        mut f: impl FnMut(f32, f32) -> (V3, [f32; 2]),
    ) {
        let base = self.positions.len() as u32;
        let mut local = Vec::with_capacity((nu + 1) * (nv + 1));
        for j in 0..=nv {
            for i in 0..=nu {
                local.push(f(i as f32 / nu as f32, j as f32 / nv as f32));
            }
        }
        let idx = |i: usize, j: usize| (j * (nu + 1) + i) as u32;
        let mut tris = Vec::with_capacity(nu * nv * 6);
        for j in 0..nv {
            for i in 0..nu {
                let (a, b, c, d) = (idx(i, j), idx(i + 1, j), idx(i + 1, j + 1), idx(i, j + 1));
                if flip {
                    tris.extend_from_slice(&[a, c, b, a, d, c]);
                } else {
                    tris.extend_from_slice(&[a, b, c, a, c, d]);
                }
            }
        }
        let mut normals = vec![[0.0f32; 3]; local.len()];
        for t in tris.chunks(3) {
            let (p0, p1, p2) = (
                local[t[0] as usize].0,
                local[t[1] as usize].0,
                local[t[2] as usize].0,
            );
            let n = cross(sub(p1, p0), sub(p2, p0));
            for &k in t {
                normals[k as usize] = add(normals[k as usize], n);
            }
        }
        for ((p, uv), n) in local.into_iter().zip(normals) {
            self.vertex(p, n, uv);
        }
        self.indices.extend(tris.into_iter().map(|i| i + base));
    }

    /// A surface of revolution about the Y axis from a (radius, height) profile listed bottom to
    /// top (outward facing). Normals come from the profile's tangent, so the seam is invisible.
    /// `u_repeat` tiles the texture around; `v` gives each profile point's texture row.
    pub fn lathe(&mut self, profile: &[(f32, f32)], v: &[f32], segments: usize, u_repeat: f32) {
        let base = self.positions.len() as u32;
        let n = profile.len();
        for (k, &(r, y)) in profile.iter().enumerate() {
            // Central differences along the profile; one-sided at the ends.
            let (r0, y0) = profile[k.saturating_sub(1)];
            let (r1, y1) = profile[(k + 1).min(n - 1)];
            let (dr, dy) = (r1 - r0, y1 - y0);
            let (nr, ny) = (dy, -dr);
            for s in 0..=segments {
                let a = s as f32 / segments as f32 * TAU;
                let (sn, cs) = a.sin_cos();
                self.vertex(
                    [r * cs, y, -r * sn],
                    [nr * cs, ny, -nr * sn],
                    [s as f32 / segments as f32 * u_repeat, v[k]],
                );
            }
        }
        let row = (segments + 1) as u32;
        for k in 0..n as u32 - 1 {
            for s in 0..segments as u32 {
                let a = base + k * row + s;
                let (b, c, d) = (a + 1, a + row + 1, a + row);
                self.indices.extend_from_slice(&[a, b, c, a, c, d]);
            }
        }
    }

    /// A horizontal disc facing +Y at height `y`, as a centre fan plus rings (no degenerate
    /// triangles). `uv` maps (x, z) to texture coordinates, e.g. planar projection.
    pub fn disc(
        &mut self,
        radius: f32,
        y: f32,
        segments: usize,
        uv: impl Fn(f32, f32) -> [f32; 2],
    ) {
        let rings = 4;
        let centre = self.vertex([0.0, y, 0.0], [0.0, 1.0, 0.0], uv(0.0, 0.0));
        let first = self.positions.len() as u32;
        for ring in 1..=rings {
            let r = radius * ring as f32 / rings as f32;
            for s in 0..segments {
                let a = s as f32 / segments as f32 * TAU;
                let (x, z) = (r * a.cos(), -r * a.sin());
                self.vertex([x, y, z], [0.0, 1.0, 0.0], uv(x, z));
            }
        }
        let seg = segments as u32;
        for s in 0..seg {
            let (a, b) = (first + s, first + (s + 1) % seg);
            self.indices.extend_from_slice(&[centre, a, b]);
        }
        for ring in 0..rings as u32 - 1 {
            for s in 0..seg {
                let a = first + ring * seg + s;
                let b = first + ring * seg + (s + 1) % seg;
                let (c, d) = (b + seg, a + seg);
                self.indices.extend_from_slice(&[a, d, c, a, c, b]);
            }
        }
    }

    /// A tube swept along a polyline with an elliptical cross-section (half-widths `a` along the
    /// side axis, `b` along the normal axis) that may vary per point, e.g. to taper. The frame is
    /// parallel-transported so the tube never twists; `up` orients the first cross-section.
    pub fn sweep(&mut self, path: &[V3], radii: &[(f32, f32)], sides: usize, up: V3, v_scale: f32) {
        let n = path.len();
        let tangent =
            |k: usize| normalize(sub(path[(k + 1).min(n - 1)], path[k.saturating_sub(1)]));
        let mut t = tangent(0);
        let mut normal = normalize(sub(up, scale(t, dot(up, t))));
        let base = self.positions.len() as u32;
        let mut along = 0.0;
        for k in 0..n {
            let tk = tangent(k);
            // Parallel transport: remove from the previous normal its component along the new
            // tangent, so consecutive frames differ by the smallest rotation.
            normal = normalize(sub(normal, scale(tk, dot(normal, tk))));
            t = tk;
            let side = cross(t, normal);
            if k > 0 {
                along += length(sub(path[k], path[k - 1]));
            }
            let (a, b) = radii[k];
            for j in 0..=sides {
                let phi = j as f32 / sides as f32 * TAU;
                let (s, c) = phi.sin_cos();
                let p = add(path[k], add(scale(side, a * c), scale(normal, b * s)));
                // Normal of an ellipse: gradient of (x/a)^2 + (y/b)^2.
                let nrm = add(scale(side, b * c), scale(normal, a * s));
                self.vertex(p, nrm, [j as f32 / sides as f32, along / v_scale]);
            }
        }
        let row = (sides + 1) as u32;
        for k in 0..n as u32 - 1 {
            for j in 0..sides as u32 {
                let a = base + k * row + j;
                let (b, c, d) = (a + 1, a + row + 1, a + row);
                self.indices.extend_from_slice(&[a, d, c, a, c, b]);
            }
        }
    }

    /// A round bar between two points (column shafts, rails, stand legs).
    pub fn cylinder(&mut self, from: V3, to: V3, radius: f32, sides: usize, v_scale: f32) {
        let axis = normalize(sub(to, from));
        let up = if axis[1].abs() > 0.9 {
            [0.0, 0.0, 1.0]
        } else {
            [0.0, 1.0, 0.0]
        };
        self.sweep(&[from, to], &[(radius, radius); 2], sides, up, v_scale);
    }
}

/// Samples a Catmull-Rom spline through `points` with `per_span` samples per span; used to make
/// smooth profiles and ornament curves from a handful of hand-placed control points.
pub fn catmull_rom(points: &[V3], per_span: usize) -> Vec<V3> {
    let n = points.len();
    let mut out = Vec::new();
    for i in 0..n - 1 {
        let p0 = points[i.saturating_sub(1)];
        let (p1, p2) = (points[i], points[i + 1]);
        let p3 = points[(i + 2).min(n - 1)];
        for s in 0..per_span {
            let t = s as f32 / per_span as f32;
            let (t2, t3) = (t * t, t * t * t);
            let mut p = [0.0; 3];
            for c in 0..3 {
                p[c] = 0.5
                    * (2.0 * p1[c]
                        + (-p0[c] + p2[c]) * t
                        + (2.0 * p0[c] - 5.0 * p1[c] + 4.0 * p2[c] - p3[c]) * t2
                        + (-p0[c] + 3.0 * p1[c] - 3.0 * p2[c] + p3[c]) * t3);
            }
            out.push(p);
        }
    }
    out.push(points[n - 1]);
    out
}
