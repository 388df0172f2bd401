//! How far a simplified mesh lies from the original, measured independently of the simplifier:
//! for every vertex of the original, the distance to the nearest triangle of the simplified
//! mesh. Used by the tests (a level's recorded error must describe its real deviation) and by
//! the benchmark (Disan's levels against gltfpack's, measured the same way).

/// Every triangle a GLB's scene draws, as one mesh in the scene's frame (node transforms
/// applied, so quantized levels come out in metres), compressed geometry decoded. What the
/// deviation is measured on, for `disan pack`'s levels and for other tools' output alike.
pub fn glb_triangles(bytes: &[u8]) -> Result<(Vec<[f32; 3]>, Vec<u32>), String> {
    let plain = disan_format::plain_glb(bytes).map_err(|r| {
        r.errors()
            .map(|e| format!("{} {}", e.field, e.message))
            .collect::<Vec<_>>()
            .join("; ")
    })?;
    let gltf = gltf::Gltf::from_slice(&plain).map_err(|e| e.to_string())?;
    let blob = gltf.blob.clone().unwrap_or_default();
    let (mut positions, mut indices) = (Vec::new(), Vec::new());
    let Some(scene) = gltf.default_scene().or_else(|| gltf.scenes().next()) else {
        return Ok((positions, indices));
    };
    let mut stack: Vec<(gltf::Node<'_>, [[f32; 4]; 4])> =
        scene.nodes().map(|n| (n, IDENTITY)).collect();
    while let Some((node, parent)) = stack.pop() {
        let world = mul(parent, node.transform().matrix());
        if let Some(mesh) = node.mesh() {
            for prim in mesh.primitives() {
                let reader = prim.reader(|_| Some(blob.as_slice()));
                let base = positions.len() as u32;
                let Some(p) = reader.read_positions() else {
                    continue;
                };
                positions.extend(p.map(|p| transform(world, p)));
                match reader.read_indices() {
                    Some(i) => indices.extend(i.into_u32().map(|i| i + base)),
                    None => indices.extend(base..positions.len() as u32),
                }
            }
        }
        stack.extend(node.children().map(|c| (c, world)));
    }
    Ok((positions, indices))
}

const IDENTITY: [[f32; 4]; 4] = [
    [1.0, 0.0, 0.0, 0.0],
    [0.0, 1.0, 0.0, 0.0],
    [0.0, 0.0, 1.0, 0.0],
    [0.0, 0.0, 0.0, 1.0],
];

/// Column-major 4×4 product, as glTF stores matrices.
fn mul(a: [[f32; 4]; 4], b: [[f32; 4]; 4]) -> [[f32; 4]; 4] {
    std::array::from_fn(|col| {
        std::array::from_fn(|row| (0..4).map(|k| a[k][row] * b[col][k]).sum())
    })
}

fn transform(m: [[f32; 4]; 4], p: [f32; 3]) -> [f32; 3] {
    std::array::from_fn(|row| m[0][row] * p[0] + m[1][row] * p[1] + m[2][row] * p[2] + m[3][row])
}

/// The distances of the original's vertices to the simplified surface, in the meshes' unit.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Deviation {
    pub max: f32,
    pub mean: f32,
    /// 99th percentile: the max is often one vertex on a thin edge.
    pub p99: f32,
}

struct Grid {
    min: [f32; 3],
    cell: f32,
    dims: [usize; 3],
    cells: Vec<Vec<u32>>,
}

impl Grid {
    fn coord(&self, p: [f32; 3]) -> [usize; 3] {
        std::array::from_fn(|i| {
            (((p[i] - self.min[i]) / self.cell).floor().max(0.0) as usize).min(self.dims[i] - 1)
        })
    }
    fn index(&self, c: [usize; 3]) -> usize {
        (c[2] * self.dims[1] + c[1]) * self.dims[0] + c[0]
    }
}

/// Distances from each of `original`'s vertices to `simplified`'s triangles.
pub fn deviation(
    original: &[[f32; 3]],
    simplified: &[[f32; 3]],
    simplified_indices: &[u32],
) -> Deviation {
    let tris: Vec<[[f32; 3]; 3]> = simplified_indices
        .chunks_exact(3)
        .map(|t| [t[0], t[1], t[2]].map(|i| simplified[i as usize]))
        .collect();
    if tris.is_empty() || original.is_empty() {
        return Deviation {
            max: 0.0,
            mean: 0.0,
            p99: 0.0,
        };
    }
    let mut min = [f32::MAX; 3];
    let mut max = [f32::MIN; 3];
    for p in original.iter().chain(simplified) {
        for i in 0..3 {
            min[i] = min[i].min(p[i]);
            max[i] = max[i].max(p[i]);
        }
    }
    let extent = (0..3)
        .map(|i| max[i] - min[i])
        .fold(0.0f32, f32::max)
        .max(1e-6);
    // About two triangles a cell along the longest side.
    let cell = (extent / (tris.len() as f32).sqrt().max(1.0) * 2.0).max(extent / 512.0);
    let dims: [usize; 3] =
        std::array::from_fn(|i| (((max[i] - min[i]) / cell).ceil() as usize).max(1));
    let mut grid = Grid {
        min,
        cell,
        dims,
        cells: vec![Vec::new(); dims[0] * dims[1] * dims[2]],
    };
    for (t, tri) in tris.iter().enumerate() {
        let lo = grid.coord(std::array::from_fn(|i| {
            tri.iter().map(|v| v[i]).fold(f32::MAX, f32::min)
        }));
        let hi = grid.coord(std::array::from_fn(|i| {
            tri.iter().map(|v| v[i]).fold(f32::MIN, f32::max)
        }));
        for z in lo[2]..=hi[2] {
            for y in lo[1]..=hi[1] {
                for x in lo[0]..=hi[0] {
                    let i = grid.index([x, y, z]);
                    grid.cells[i].push(t as u32);
                }
            }
        }
    }
    let mut distances: Vec<f32> = original.iter().map(|&p| nearest(&grid, &tris, p)).collect();
    let mean = distances.iter().map(|&d| f64::from(d)).sum::<f64>() / distances.len() as f64;
    distances.sort_by(f32::total_cmp);
    let p99 = distances[((distances.len() - 1) as f64 * 0.99) as usize];
    Deviation {
        max: *distances.last().expect("not empty"),
        mean: mean as f32,
        p99,
    }
}

/// The distance from `p` to the nearest triangle, searching rings of cells outwards until no
/// closer triangle can be in the next ring.
fn nearest(grid: &Grid, tris: &[[[f32; 3]; 3]], p: [f32; 3]) -> f32 {
    let c = grid.coord(p);
    let mut best = f32::MAX;
    let max_ring = grid.dims.iter().copied().max().unwrap_or(1);
    for ring in 0..=max_ring {
        let r = ring as isize;
        for dz in -r..=r {
            for dy in -r..=r {
                for dx in -r..=r {
                    if dx.abs().max(dy.abs()).max(dz.abs()) != r {
                        continue; // only the ring's shell
                    }
                    let q = [c[0] as isize + dx, c[1] as isize + dy, c[2] as isize + dz];
                    if (0..3).any(|i| q[i] < 0 || q[i] >= grid.dims[i] as isize) {
                        continue;
                    }
                    let i = grid.index([q[0] as usize, q[1] as usize, q[2] as usize]);
                    for &t in &grid.cells[i] {
                        best = best.min(point_triangle_distance(p, &tris[t as usize]));
                    }
                }
            }
        }
        // Everything within `ring` cells of p's cell has been seen: nothing unseen is closer
        // than `ring` cell widths.
        if best <= ring as f32 * grid.cell {
            break;
        }
    }
    best
}

fn sub(a: [f32; 3], b: [f32; 3]) -> [f32; 3] {
    [a[0] - b[0], a[1] - b[1], a[2] - b[2]]
}
fn dot(a: [f32; 3], b: [f32; 3]) -> f32 {
    a[0] * b[0] + a[1] * b[1] + a[2] * b[2]
}

/// Closest point on a triangle (Ericson, Real-Time Collision Detection, 5.1.5), as a distance.
fn point_triangle_distance(p: [f32; 3], t: &[[f32; 3]; 3]) -> f32 {
    let [a, b, c] = *t;
    let ab = sub(b, a);
    let ac = sub(c, a);
    let ap = sub(p, a);
    let d1 = dot(ab, ap);
    let d2 = dot(ac, ap);
    let closest = if d1 <= 0.0 && d2 <= 0.0 {
        a
    } else {
        let bp = sub(p, b);
        let d3 = dot(ab, bp);
        let d4 = dot(ac, bp);
        let cp = sub(p, c);
        let d5 = dot(ab, cp);
        let d6 = dot(ac, cp);
        let vc = d1 * d4 - d3 * d2;
        let vb = d5 * d2 - d1 * d6;
        let va = d3 * d6 - d5 * d4;
        if d3 >= 0.0 && d4 <= d3 {
            b
        } else if vc <= 0.0 && d1 >= 0.0 && d3 <= 0.0 {
            let v = d1 / (d1 - d3);
            [a[0] + v * ab[0], a[1] + v * ab[1], a[2] + v * ab[2]]
        } else if d6 >= 0.0 && d5 <= d6 {
            c
        } else if vb <= 0.0 && d2 >= 0.0 && d6 <= 0.0 {
            let w = d2 / (d2 - d6);
            [a[0] + w * ac[0], a[1] + w * ac[1], a[2] + w * ac[2]]
        } else if va <= 0.0 && (d4 - d3) >= 0.0 && (d5 - d6) >= 0.0 {
            let w = (d4 - d3) / ((d4 - d3) + (d5 - d6));
            [
                b[0] + w * (c[0] - b[0]),
                b[1] + w * (c[1] - b[1]),
                b[2] + w * (c[2] - b[2]),
            ]
        } else {
            let denom = 1.0 / (va + vb + vc);
            let v = vb * denom;
            let w = vc * denom;
            [
                a[0] + ab[0] * v + ac[0] * w,
                a[1] + ab[1] * v + ac[1] * w,
                a[2] + ab[2] * v + ac[2] * w,
            ]
        }
    };
    let d = sub(p, closest);
    dot(d, d).sqrt()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distances_to_a_triangle() {
        let t = [[0.0, 0.0, 0.0], [1.0, 0.0, 0.0], [0.0, 1.0, 0.0]];
        assert!(
            (point_triangle_distance([0.2, 0.2, 0.5], &t) - 0.5).abs() < 1e-6,
            "above the face"
        );
        assert!(
            (point_triangle_distance([2.0, 0.0, 0.0], &t) - 1.0).abs() < 1e-6,
            "past a corner"
        );
        assert!(
            (point_triangle_distance([0.5, -1.0, 0.0], &t) - 1.0).abs() < 1e-6,
            "beside an edge"
        );
    }

    #[test]
    fn a_bumped_grid_against_its_flat_simplification() {
        // A 20×20 grid with one vertex raised 3 cm, against two triangles of the flat square.
        let n = 21;
        let mut original = Vec::new();
        for y in 0..n {
            for x in 0..n {
                let bump = if (x, y) == (10, 10) { 0.03 } else { 0.0 };
                original.push([x as f32 / 20.0, y as f32 / 20.0, bump]);
            }
        }
        let flat = [
            [0.0, 0.0, 0.0],
            [1.0, 0.0, 0.0],
            [1.0, 1.0, 0.0],
            [0.0, 1.0, 0.0],
        ];
        let d = deviation(&original, &flat, &[0, 1, 2, 0, 2, 3]);
        assert!((d.max - 0.03).abs() < 1e-6, "{d:?}");
        assert!(d.mean < 0.001 && d.p99 < 0.001, "{d:?}");
    }
}
