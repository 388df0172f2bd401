//! Laser-scan point clouds: LAS, LAZ, E57 and PLY (vertices without faces) read, thinned into an
//! octree and written in the Potree 2.0 layout (`disan_format::pointcloud`), so that the viewer
//! streams the nodes a view needs and the city portal's Potree shows the same files.
//!
//! The octree is built in memory (40 bytes a point: a 20-million-point scan takes under 1 GB),
//! from the root down: each node keeps the first point that falls in each cell of a 128³ grid
//! over its box and hands the rest to its eight children; a node with at most
//! [`MAX_LEAF_POINTS`] keeps them all. Every point is written exactly once, so a node drawn with
//! its ancestors shows its region at full density for its level.

use std::collections::HashSet;
use std::io::Write;
use std::path::{Path, PathBuf};

use disan_format::pointcloud::{
    Bounds, GRID_CELLS, HIERARCHY_FILE, Hierarchy, HierarchyInfo, METADATA_FILE, Metadata,
    NODE_HASHES_FILE, Node, OCTREE_FILE, node_digest, packed_attributes,
};
use serde::Serialize;

use crate::{PackError, Progress, UpAxis};

/// A node with at most this many points is a leaf and keeps them all. About what a visitor's
/// GPU takes in one upload without a hitch, and what Potree's converter aims at.
pub const MAX_LEAF_POINTS: usize = 20_000;
/// Nodes below this level keep all of their points: no survey is that fine, only repeated
/// points are.
const MAX_BUILD_DEPTH: u32 = 20;
/// Positions are stored as integers of this many metres (a tenth of a millimetre, finer than
/// any terrestrial scanner's noise).
const POSITION_SCALE: f64 = 0.0001;

/// One point as read.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct CloudPoint {
    pub position: [f64; 3],
    /// 0–65535 (LAS's range; 8-bit sources are widened).
    pub rgb: [u16; 3],
    pub intensity: u16,
    pub class: u8,
}

/// A whole scan as read.
pub struct Cloud {
    pub points: Vec<CloudPoint>,
    pub has_colour: bool,
    /// What the file says made it (LAS's generating software, E57's sensor), for provenance.
    pub made_by: Option<String>,
    pub format: &'static str,
    /// Whether the format fixes Z as up (LAS and E57 do; PLY does not say).
    pub states_up: bool,
}

/// What was written, for the report and the tests.
#[derive(Clone, Debug, Serialize)]
pub struct CloudReport {
    pub points: u64,
    pub nodes: usize,
    pub depth: u32,
    /// The distance between the root's points in metres; level `l` has `spacing / 2^l`.
    pub spacing_m: f64,
    pub octree_bytes: u64,
    /// The cloud's metadata.json, relative to the package.
    pub metadata: String,
    /// The points' box in the source's coordinates (after `--unit`).
    pub bounds: Bounds,
    /// The point of the source's coordinates at the exhibit's origin.
    pub origin: [f64; 3],
    pub z_up: bool,
    pub has_colour: bool,
}

/// Whether the file is a point cloud: LAS, LAZ and E57 always; a PLY when it has no faces.
pub fn is_point_cloud(path: &Path) -> bool {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .unwrap_or_default();
    match ext.as_str() {
        "las" | "laz" | "e57" => true,
        "ply" => ply_face_count(path).is_some_and(|n| n == 0),
        _ => false,
    }
}

fn ply_face_count(path: &Path) -> Option<usize> {
    let file = std::fs::File::open(path).ok()?;
    let mut reader = ply_rs_bw::parser::Reader::new(std::io::BufReader::new(file));
    let header = ply_rs_bw::parser::Parser::<ply_rs_bw::ply::DefaultElement>::new()
        .read_header(&mut reader)
        .ok()?;
    Some(header.elements.get("face").map_or(0, |e| e.count))
}

fn broken(path: &Path, message: impl Into<String>) -> PackError {
    PackError::PointCloud {
        path: path.to_owned(),
        message: message.into(),
    }
}

/// Reads every point of a LAS, LAZ, E57 or PLY file.
pub fn read(path: &Path, progress: &Progress) -> Result<Cloud, PackError> {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .unwrap_or_default();
    let cloud = match ext.as_str() {
        "las" | "laz" => read_las(path, progress)?,
        "e57" => read_e57(path)?,
        "ply" => read_ply(path)?,
        _ => {
            return Err(broken(
                path,
                "is not a point cloud this tool reads: export it as LAS, LAZ, E57 or PLY",
            ));
        }
    };
    if cloud.points.is_empty() {
        return Err(broken(path, "has no points"));
    }
    Ok(cloud)
}

fn read_las(path: &Path, progress: &Progress) -> Result<Cloud, PackError> {
    let mut reader = las::Reader::from_path(path).map_err(|e| {
        broken(
            path,
            format!("is not a readable LAS/LAZ file ({e}); export it again"),
        )
    })?;
    let header = reader.header();
    let total = header.number_of_points();
    let made_by = Some(header.generating_software().trim().to_owned()).filter(|s| !s.is_empty());
    let has_colour = header.point_format().has_color;
    let mut points = Vec::with_capacity(usize::try_from(total).unwrap_or(0).min(1 << 31));
    loop {
        let chunk = reader.read_points(1 << 20).map_err(|e| {
            broken(
                path,
                format!(
                    "cannot be read after {} points ({e}): the file is damaged or cut short",
                    points.len()
                ),
            )
        })?;
        if chunk.is_empty() {
            break;
        }
        let rgb: Vec<(u16, u16, u16)> = match chunk.rgb() {
            Some(c) => c.collect(),
            None => Vec::new(),
        };
        let fields = chunk
            .x()
            .zip(chunk.y())
            .zip(chunk.z())
            .zip(chunk.intensity())
            .zip(chunk.classification());
        for (i, ((((x, y), z), intensity), class)) in fields.enumerate() {
            let rgb = rgb.get(i).map_or([65535; 3], |&(r, g, b)| [r, g, b]);
            points.push(CloudPoint {
                position: [x, y, z],
                rgb,
                intensity,
                class,
            });
        }
        if total > 0 {
            progress.fraction(points.len() as f64 / total as f64);
        }
    }
    // LAS colour is 16-bit by the specification, but many tools write 8-bit values into it.
    let max = points.iter().flat_map(|p| p.rgb).max().unwrap_or(0);
    if has_colour && max <= 255 {
        for p in &mut points {
            p.rgb = p.rgb.map(|c| c * 257);
        }
    }
    Ok(Cloud {
        points,
        has_colour,
        made_by,
        format: "LAS",
        states_up: true,
    })
}

fn read_e57(path: &Path) -> Result<Cloud, PackError> {
    let mut reader = e57::E57Reader::from_file(path).map_err(|e| {
        broken(
            path,
            format!("is not a readable E57 file ({e}); export it again"),
        )
    })?;
    let mut points = Vec::new();
    let mut has_colour = false;
    let mut made_by = None;
    for pc in reader.pointclouds() {
        has_colour |= pc.has_color();
        if made_by.is_none() {
            made_by = [pc.sensor_vendor.clone(), pc.sensor_model.clone()]
                .into_iter()
                .flatten()
                .reduce(|a, b| format!("{a} {b}"));
        }
        // Every scan of the file, each turned by its own pose into the file's common frame.
        let scan = reader.pointcloud_simple(&pc).map_err(|e| {
            broken(
                path,
                format!(
                    "scan {} cannot be read ({e})",
                    pc.guid.as_deref().unwrap_or("?")
                ),
            )
        })?;
        for p in scan {
            let p = p.map_err(|e| {
                broken(
                    path,
                    format!(
                        "cannot be read after {} points ({e}): the file is damaged or cut short",
                        points.len()
                    ),
                )
            })?;
            let e57::CartesianCoordinate::Valid { x, y, z } = p.cartesian else {
                continue; // a direction without a range: no point
            };
            let rgb = p.color.map_or([65535; 3], |c| {
                [c.red, c.green, c.blue].map(|v| (v.clamp(0.0, 1.0) * 65535.0).round() as u16)
            });
            points.push(CloudPoint {
                position: [x, y, z],
                rgb,
                intensity: p
                    .intensity
                    .map_or(0, |i| (i.clamp(0.0, 1.0) * 65535.0).round() as u16),
                class: 0,
            });
        }
    }
    Ok(Cloud {
        points,
        has_colour,
        made_by,
        format: "E57",
        states_up: true,
    })
}

#[derive(Default)]
struct PlyPoint {
    p: [f64; 3],
    rgb: [u16; 3],
    has_rgb: bool,
    intensity: f64,
    class: u8,
}

impl ply_rs_bw::ply::PropertyAccess for PlyPoint {
    fn new() -> Self {
        Self::default()
    }
    fn set_property(
        &mut self,
        name: &str,
        property: ply_rs_bw::ply::Property,
    ) -> ply_rs_bw::ply::PropertyAccessResult {
        use ply_rs_bw::ply::Property as P;
        let (v, byte): (f64, bool) = match property {
            P::Float(v) => (f64::from(v), false),
            P::Double(v) => (v, false),
            P::UChar(v) => (f64::from(v), true),
            P::Char(v) => (f64::from(v), false),
            P::UShort(v) => (f64::from(v), false),
            P::Short(v) => (f64::from(v), false),
            P::Int(v) => (f64::from(v), false),
            P::UInt(v) => (f64::from(v), false),
            _ => return ply_rs_bw::ply::PropertyAccessResult::Ignored,
        };
        // 8-bit colour widened to LAS's 16 bits; 16-bit kept.
        let colour = |v: f64| {
            if byte {
                (v as u16) * 257
            } else {
                v.clamp(0.0, 65535.0) as u16
            }
        };
        match name {
            "x" => self.p[0] = v,
            "y" => self.p[1] = v,
            "z" => self.p[2] = v,
            "red" | "r" | "diffuse_red" => (self.rgb[0], self.has_rgb) = (colour(v), true),
            "green" | "g" | "diffuse_green" => self.rgb[1] = colour(v),
            "blue" | "b" | "diffuse_blue" => self.rgb[2] = colour(v),
            "intensity" | "scalar_intensity" | "scalar_Intensity" => self.intensity = v,
            "classification" | "scalar_classification" | "scalar_Classification" => {
                self.class = v.clamp(0.0, 255.0) as u8;
            }
            _ => return ply_rs_bw::ply::PropertyAccessResult::Ignored,
        }
        ply_rs_bw::ply::PropertyAccessResult::Set
    }
}

fn read_ply(path: &Path) -> Result<Cloud, PackError> {
    use ply_rs_bw::parser::Parser;
    let file = std::fs::File::open(path).map_err(|e| broken(path, e.to_string()))?;
    let mut reader =
        ply_rs_bw::parser::Reader::new(std::io::BufReader::with_capacity(1 << 20, file));
    let parser = Parser::<PlyPoint>::new();
    let header = parser.read_header(&mut reader).map_err(|e| {
        broken(
            path,
            format!("is not a readable PLY ({e}); export it again as PLY"),
        )
    })?;
    let mut raw = Vec::new();
    for (name, element) in &header.elements {
        if name == "vertex" {
            raw = parser
                .read_payload_for_element(&mut reader, element, &header)
                .map_err(|e| {
                    broken(
                        path,
                        format!(
                            "its vertices cannot be read ({e}): the file is damaged or cut short"
                        ),
                    )
                })?;
            break;
        }
        Parser::<ply_rs_bw::ply::DefaultElement>::new()
            .read_payload_for_element(&mut reader, element, &header)
            .map_err(|e| broken(path, format!("its {name} cannot be read ({e})")))?;
    }
    let has_colour = raw.iter().any(|p| p.has_rgb);
    // Intensity comes as 0–1 floats or as integers; spread it over LAS's 16 bits.
    let max_i = raw.iter().map(|p| p.intensity).fold(0.0f64, f64::max);
    let i_scale = if max_i <= 1.0 {
        65535.0
    } else if max_i <= 65535.0 {
        1.0
    } else {
        65535.0 / max_i
    };
    let points = raw
        .into_iter()
        .map(|p| CloudPoint {
            position: p.p,
            rgb: if p.has_rgb { p.rgb } else { [65535; 3] },
            intensity: (p.intensity * i_scale).clamp(0.0, 65535.0) as u16,
            class: p.class,
        })
        .collect();
    let made_by = header
        .comments
        .iter()
        .find(|c| !c.trim().is_empty())
        .map(|c| c.trim().to_owned());
    Ok(Cloud {
        points,
        has_colour,
        made_by,
        format: "PLY",
        states_up: false,
    })
}

/// A node while the octree is built: its points are `count` points from `start` of the
/// reordered buffer.
struct BuildNode {
    start: usize,
    count: usize,
    children: [Option<Box<BuildNode>>; 8],
}

fn cell_of(p: [f64; 3], b: &Bounds) -> u32 {
    let size = b.size();
    let mut key = 0u32;
    for axis in 0..3 {
        let c = ((p[axis] - b.min[axis]) / size[axis] * f64::from(GRID_CELLS)) as i64;
        key = key * GRID_CELLS + c.clamp(0, i64::from(GRID_CELLS) - 1) as u32;
    }
    key
}

fn build(points: &mut [CloudPoint], start: usize, bounds: Bounds, level: u32) -> BuildNode {
    let mut node = BuildNode {
        start,
        count: points.len(),
        children: Default::default(),
    };
    if points.len() <= MAX_LEAF_POINTS || level >= MAX_BUILD_DEPTH {
        return node;
    }
    // The first point in each grid cell stays; they are moved to the front.
    let mut taken = HashSet::with_capacity(MAX_LEAF_POINTS * 2);
    let mut kept = 0;
    for i in 0..points.len() {
        if taken.insert(cell_of(points[i].position, &bounds)) {
            points.swap(i, kept);
            kept += 1;
        }
    }
    node.count = kept;
    let rest = &mut points[kept..];
    rest.sort_unstable_by_key(|p| bounds.octant_of(p.position));
    let mut counts = [0usize; 8];
    for p in rest.iter() {
        counts[usize::from(bounds.octant_of(p.position))] += 1;
    }
    let mut slices: Vec<(u8, usize, &mut [CloudPoint])> = Vec::new();
    let (mut tail, mut at) = (rest, start + kept);
    for (octant, &n) in counts.iter().enumerate() {
        let (head, t) = tail.split_at_mut(n);
        tail = t;
        if n > 0 {
            slices.push((octant as u8, at, head));
        }
        at += n;
    }
    let children: Vec<(u8, BuildNode)> = if level < 2 {
        // The top levels' children in parallel: every core on a big scan.
        std::thread::scope(|s| {
            let handles: Vec<_> = slices
                .into_iter()
                .map(|(o, at, slice)| {
                    s.spawn(move || (o, build(slice, at, bounds.octant(o), level + 1)))
                })
                .collect();
            handles
                .into_iter()
                .map(|h| h.join().expect("octree thread"))
                .collect()
        })
    } else {
        slices
            .into_iter()
            .map(|(o, at, slice)| (o, build(slice, at, bounds.octant(o), level + 1)))
            .collect()
    };
    for (o, child) in children {
        node.children[usize::from(o)] = Some(Box::new(child));
    }
    node
}

/// Where the cloud stands in the exhibit: its middle over the origin, its lowest point on the
/// ground.
pub fn exhibit_origin(tight: &Bounds, z_up: bool) -> [f64; 3] {
    let c = tight.centre();
    if z_up {
        [c[0], c[1], tight.min[2]]
    } else {
        [c[0], tight.min[1], c[2]]
    }
}

/// Builds the octree of `cloud` and writes `metadata.json`, `hierarchy.bin` and `octree.bin`
/// into `dir`. `unit` turns the source's unit into metres.
pub fn write_octree(
    mut cloud: Cloud,
    dir: &Path,
    name: &str,
    unit: f64,
    z_up: bool,
    package_dir: &Path,
    progress: &Progress,
) -> Result<CloudReport, PackError> {
    let write_err = |path: PathBuf| move |source| PackError::Write { path, source };
    std::fs::create_dir_all(dir).map_err(write_err(dir.to_owned()))?;
    if unit != 1.0 {
        for p in &mut cloud.points {
            p.position = p.position.map(|c| c * unit);
        }
    }
    let mut tight = Bounds {
        min: [f64::INFINITY; 3],
        max: [f64::NEG_INFINITY; 3],
    };
    for p in &cloud.points {
        if p.position.iter().any(|c| !c.is_finite()) {
            return Err(broken(dir, "has a point whose coordinates are not numbers"));
        }
        for i in 0..3 {
            tight.min[i] = tight.min[i].min(p.position[i]);
            tight.max[i] = tight.max[i].max(p.position[i]);
        }
    }
    // The root is a cube (so every node is one), a hair larger than the points so none lies on
    // its far faces.
    let side = tight.size().into_iter().fold(0.0f64, f64::max).max(0.01) * 1.0001;
    if side / POSITION_SCALE >= f64::from(i32::MAX) {
        return Err(broken(
            dir,
            format!(
                "spans {side:.0} m, more than the {:.0} m a cloud may: split it",
                f64::from(i32::MAX) * POSITION_SCALE
            ),
        ));
    }
    let cube = Bounds {
        min: tight.min,
        max: std::array::from_fn(|i| tight.min[i] + side),
    };
    let points_total = cloud.points.len();
    let root = build(&mut cloud.points, 0, cube, 0);
    progress.fraction(0.6);

    // Breadth first, each node's children in octant order: the order of hierarchy.bin, and of
    // octree.bin too, so the coarse levels a viewer reads first lie together.
    let metadata_skeleton = Metadata {
        version: "2.0".into(),
        name: name.to_owned(),
        description: String::new(),
        points: points_total as u64,
        projection: String::new(),
        hierarchy: HierarchyInfo {
            first_chunk_size: 0,
            step_size: 0,
            depth: 0,
        },
        offset: cube.min,
        scale: [POSITION_SCALE; 3],
        spacing: side / f64::from(GRID_CELLS),
        bounding_box: cube,
        encoding: "DEFAULT".into(),
        attributes: packed_attributes(),
    };
    let bpp = metadata_skeleton.layout().bytes_per_point;
    let octree_path = dir.join(OCTREE_FILE);
    let file = std::fs::File::create(&octree_path).map_err(write_err(octree_path.clone()))?;
    let mut octree = std::io::BufWriter::with_capacity(1 << 20, file);
    let mut nodes: Vec<Node> = Vec::new();
    let mut queue: std::collections::VecDeque<(&BuildNode, Option<u32>, u8)> =
        std::collections::VecDeque::from([(&root, None, 0u8)]);
    let mut offset = 0u64;
    let mut digests = Vec::new();
    let mut buf = Vec::with_capacity(MAX_LEAF_POINTS * bpp);
    let (mut rgb_min, mut rgb_max) = ([u16::MAX; 3], [0u16; 3]);
    let (mut i_min, mut i_max, mut c_min, mut c_max) = (u16::MAX, 0u16, u8::MAX, 0u8);
    while let Some((b, parent, octant)) = queue.pop_front() {
        let index = nodes.len() as u32;
        let (name, level, bounds) = match parent {
            None => ("r".to_owned(), 0, cube),
            Some(p) => {
                let p = &nodes[p as usize];
                (
                    format!("{}{octant}", p.name),
                    p.level + 1,
                    p.bounds.octant(octant),
                )
            }
        };
        if let Some(p) = parent {
            nodes[p as usize].children[usize::from(octant)] = Some(index);
        }
        buf.clear();
        for p in &cloud.points[b.start..b.start + b.count] {
            for i in 0..3 {
                let q = ((p.position[i] - cube.min[i]) / POSITION_SCALE).round() as i32;
                buf.extend_from_slice(&q.to_le_bytes());
            }
            for c in p.rgb {
                buf.extend_from_slice(&c.to_le_bytes());
            }
            buf.extend_from_slice(&p.intensity.to_le_bytes());
            buf.push(p.class);
            for i in 0..3 {
                rgb_min[i] = rgb_min[i].min(p.rgb[i]);
                rgb_max[i] = rgb_max[i].max(p.rgb[i]);
            }
            (i_min, i_max) = (i_min.min(p.intensity), i_max.max(p.intensity));
            (c_min, c_max) = (c_min.min(p.class), c_max.max(p.class));
        }
        octree
            .write_all(&buf)
            .map_err(write_err(octree_path.clone()))?;
        digests.extend_from_slice(&node_digest(&buf));
        nodes.push(Node {
            name,
            level,
            bounds,
            points: b.count as u32,
            byte_offset: offset,
            byte_size: buf.len() as u64,
            children: [None; 8],
            parent,
        });
        offset += buf.len() as u64;
        for (o, child) in b.children.iter().enumerate() {
            if let Some(child) = child {
                queue.push_back((child, Some(index), o as u8));
            }
        }
    }
    octree.flush().map_err(write_err(octree_path.clone()))?;
    progress.fraction(0.9);
    let hierarchy = Hierarchy { nodes };
    let hierarchy_bytes = hierarchy.to_bytes();
    let depth = hierarchy.depth();
    let mut metadata = metadata_skeleton;
    metadata.hierarchy = HierarchyInfo {
        first_chunk_size: hierarchy_bytes.len() as u64,
        step_size: depth + 1,
        depth,
    };
    let ranges: [(Vec<f64>, Vec<f64>); 4] = [
        (tight.min.to_vec(), tight.max.to_vec()),
        (
            rgb_min.map(f64::from).to_vec(),
            rgb_max.map(f64::from).to_vec(),
        ),
        (vec![f64::from(i_min)], vec![f64::from(i_max)]),
        (vec![f64::from(c_min)], vec![f64::from(c_max)]),
    ];
    for (a, (min, max)) in metadata.attributes.iter_mut().zip(ranges) {
        (a.min, a.max) = (min, max);
    }
    let hashes_path = dir.join(NODE_HASHES_FILE);
    std::fs::write(&hashes_path, &digests).map_err(write_err(hashes_path))?;
    let hierarchy_path = dir.join(HIERARCHY_FILE);
    std::fs::write(&hierarchy_path, &hierarchy_bytes).map_err(write_err(hierarchy_path))?;
    let metadata_path = dir.join(METADATA_FILE);
    let json = serde_json::to_vec_pretty(&metadata).expect("metadata serialises");
    std::fs::write(&metadata_path, json).map_err(write_err(metadata_path.clone()))?;
    let relative = metadata_path
        .strip_prefix(package_dir)
        .unwrap_or(&metadata_path)
        .to_string_lossy()
        .replace('\\', "/");
    let origin = exhibit_origin(&tight, z_up);
    write_poster(&cloud, origin, z_up, package_dir)?;
    Ok(CloudReport {
        points: points_total as u64,
        nodes: hierarchy.nodes.len(),
        depth,
        spacing_m: metadata.spacing,
        octree_bytes: offset,
        metadata: relative,
        bounds: tight,
        origin,
        z_up,
        has_colour: cloud.has_colour,
    })
}

/// The gallery's card and the page's picture while the viewer loads (`poster.png`, 640×360):
/// the cloud seen from where the viewer's home view stands (in front, a little right and above,
/// engine/engine/src/framing.rs), each of up to 400 000 sampled points a 2×2 splat, nearest kept.
pub fn write_poster(
    cloud: &Cloud,
    origin: [f64; 3],
    z_up: bool,
    out: &Path,
) -> Result<(), PackError> {
    const W: u32 = 640;
    const H: u32 = 360;
    let step = (cloud.points.len() / 400_000).max(1);
    let sample: Vec<([f64; 3], [u8; 3])> = cloud
        .points
        .iter()
        .step_by(step)
        .map(|p| {
            (
                disan_format::pointcloud::to_exhibit(p.position, origin, z_up),
                p.rgb.map(|c| (c >> 8) as u8),
            )
        })
        .collect();
    let (mut lo, mut hi) = ([f64::INFINITY; 3], [f64::NEG_INFINITY; 3]);
    for (p, _) in &sample {
        for i in 0..3 {
            lo[i] = lo[i].min(p[i]);
            hi[i] = hi[i].max(p[i]);
        }
    }
    let target: [f64; 3] = std::array::from_fn(|i| (lo[i] + hi[i]) / 2.0);
    let norm = |v: [f64; 3]| {
        let l = (v[0] * v[0] + v[1] * v[1] + v[2] * v[2]).sqrt().max(1e-12);
        v.map(|c| c / l)
    };
    let dot = |a: [f64; 3], b: [f64; 3]| a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
    let cross = |a: [f64; 3], b: [f64; 3]| {
        [
            a[1] * b[2] - a[2] * b[1],
            a[2] * b[0] - a[0] * b[2],
            a[0] * b[1] - a[1] * b[0],
        ]
    };
    let back = norm([0.45, 0.42, 1.0]);
    let forward = back.map(|c| -c);
    let right = norm(cross(forward, [0.0, 1.0, 0.0]));
    let up = cross(right, forward);
    let tan_v = (45f64.to_radians() / 2.0).tan() * 0.9;
    let tan_h = tan_v * f64::from(W) / f64::from(H);
    // As close as the box's corners allow, each inside the view.
    let mut distance = 0.0f64;
    for k in 0..8 {
        let corner = [
            if k & 1 == 0 { lo[0] } else { hi[0] },
            if k & 2 == 0 { lo[1] } else { hi[1] },
            if k & 4 == 0 { lo[2] } else { hi[2] },
        ];
        let rel: [f64; 3] = std::array::from_fn(|i| corner[i] - target[i]);
        let depth = dot(rel, forward);
        distance = distance
            .max(dot(rel, right).abs() / tan_h - depth)
            .max(dot(rel, up).abs() / tan_v - depth);
    }
    let eye: [f64; 3] = std::array::from_fn(|i| target[i] + back[i] * distance.max(0.1));
    let mut img = image::RgbImage::from_pixel(W, H, image::Rgb([206, 214, 224]));
    let mut depth_buf = vec![f64::INFINITY; (W * H) as usize];
    for (p, c) in &sample {
        let rel: [f64; 3] = std::array::from_fn(|i| p[i] - eye[i]);
        let z = dot(rel, forward);
        if z <= 0.01 {
            continue;
        }
        let x = (dot(rel, right) / (z * tan_h) + 1.0) / 2.0 * f64::from(W);
        let y = (1.0 - dot(rel, up) / (z * tan_v)) / 2.0 * f64::from(H);
        for (dx, dy) in [(0, 0), (1, 0), (0, 1), (1, 1)] {
            let (px, py) = (x as i64 + dx, y as i64 + dy);
            if px < 0 || py < 0 || px >= i64::from(W) || py >= i64::from(H) {
                continue;
            }
            let at = (py as u32 * W + px as u32) as usize;
            if z < depth_buf[at] {
                depth_buf[at] = z;
                img.put_pixel(px as u32, py as u32, image::Rgb(*c));
            }
        }
    }
    let mut png = Vec::new();
    img.write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
        .expect("encoding into memory does not fail");
    crate::write_file(&out.join("poster.png"), &png)
}

/// The `[[pointclouds]]` table of a packed cloud.
pub fn pointcloud_table(id: &str, report: &CloudReport) -> String {
    let o = report.origin;
    format!(
        "# A laser scan, streamed by level of detail: {} points in {} nodes, {} levels.\n\
         [[pointclouds]]\n\
         id = \"{id}\"\n\
         src = \"{}\"\n\
         # The point of the scan's own coordinates that stands at the exhibit's origin.\n\
         origin = [{:.4}, {:.4}, {:.4}]\n\
         up = \"{}\"\n\n",
        report.points,
        report.nodes,
        report.depth + 1,
        report.metadata,
        o[0],
        o[1],
        o[2],
        if report.z_up { "z" } else { "y" },
    )
}

/// The up axis of a cloud: what the staff said, else Z for LAS and E57 (surveys) and for PLY
/// too (scanner software keeps the scanner's Z up), with a warning for PLY.
pub fn z_up(cloud: &Cloud, stated: Option<UpAxis>) -> (bool, Option<String>) {
    match stated {
        Some(UpAxis::Z) => (true, None),
        Some(UpAxis::Y) => (false, None),
        None if cloud.states_up => (true, None),
        None => (
            true,
            Some("the PLY does not say which way is up: Z was assumed, as scanners write; pass `--up y` if the scan lies on its side".to_owned()),
        ),
    }
}
