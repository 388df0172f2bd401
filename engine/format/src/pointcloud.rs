//! Laser-scan point clouds in the Potree 2.0 layout, so that the city portal's Potree viewer (and
//! any other tool that reads PotreeConverter 2's output) can show the same files.
//!
//! A cloud is three files side by side: `metadata.json` (the bounds, the quantisation and the
//! attributes each point carries), `hierarchy.bin` (the octree's nodes, 22 bytes each, breadth
//! first) and `octree.bin` (every node's points, one after another, read by byte range). Each node
//! holds a thinned sample of the points in its box (about one per cell of a 128³ grid over it), so
//! a node and all of its ancestors drawn together show its region at its level's density: coarse
//! levels are read first and finer ones only where the visitor looks closely.
//!
//! Only the `DEFAULT` encoding (attributes interleaved per point, positions as 32-bit integers
//! times `scale` plus `offset`) is read and written; PotreeConverter's `BROTLI` encoding is
//! refused with a message saying so.

use serde::{Deserialize, Serialize};

pub const METADATA_FILE: &str = "metadata.json";
pub const HIERARCHY_FILE: &str = "hierarchy.bin";
pub const OCTREE_FILE: &str = "octree.bin";
/// SHA-256 of every node's bytes in `octree.bin`, 32 bytes a node in hierarchy order. Not part
/// of Potree's layout (Potree ignores it): the viewer reads `octree.bin` by byte range, so a
/// signed package's hash of the whole file cannot be checked; this file is signed with the
/// package, and every node read is checked against it.
pub const NODE_HASHES_FILE: &str = "node-hashes.bin";
/// Bytes of one node's record in `hierarchy.bin`.
pub const NODE_RECORD_BYTES: usize = 22;
/// The deepest level a cloud may have: a node 2^-24 of the cloud's size is below a millimetre for
/// a 10 km survey.
pub const MAX_DEPTH: u32 = 24;
/// The most nodes a hierarchy may have (a 2-billion-point cloud has tens of thousands).
pub const MAX_NODES: usize = 4_000_000;
/// Cells per side of the grid that thins a node's points: the node keeps about one point per
/// cell, so `spacing` (the root's cell size) halves at every level.
pub const GRID_CELLS: u32 = 128;

/// What went wrong reading a cloud's files, for the validator and the viewer.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum PointCloudError {
    #[error("{METADATA_FILE} is not valid JSON for a Potree 2.0 cloud: {0}")]
    MetadataJson(String),
    #[error("{METADATA_FILE}: {field} {problem}")]
    Metadata { field: String, problem: String },
    #[error("{HIERARCHY_FILE}: {0}")]
    Hierarchy(String),
    #[error("{OCTREE_FILE}: node {node} {problem}")]
    Node { node: String, problem: String },
}

fn meta_err(field: &str, problem: impl Into<String>) -> PointCloudError {
    PointCloudError::Metadata {
        field: field.to_owned(),
        problem: problem.into(),
    }
}

/// `metadata.json`, as PotreeConverter 2 writes it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Metadata {
    pub version: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub description: String,
    /// How many points the cloud has in all.
    pub points: u64,
    /// The coordinate system, as WKT or a PROJ string, when the source said.
    #[serde(default)]
    pub projection: String,
    pub hierarchy: HierarchyInfo,
    pub offset: [f64; 3],
    pub scale: [f64; 3],
    /// The root node's grid cell size: the distance between its points, in the cloud's units.
    pub spacing: f64,
    /// The root node's box: a cube, so that every node is one.
    #[serde(rename = "boundingBox")]
    pub bounding_box: Bounds,
    pub encoding: String,
    pub attributes: Vec<Attribute>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct HierarchyInfo {
    /// Bytes of `hierarchy.bin` that the root's records take; the rest is reached by proxies.
    #[serde(rename = "firstChunkSize")]
    pub first_chunk_size: u64,
    #[serde(rename = "stepSize")]
    pub step_size: u32,
    pub depth: u32,
}

#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Bounds {
    pub min: [f64; 3],
    pub max: [f64; 3],
}

impl Bounds {
    pub fn size(&self) -> [f64; 3] {
        std::array::from_fn(|i| self.max[i] - self.min[i])
    }
    pub fn centre(&self) -> [f64; 3] {
        std::array::from_fn(|i| (self.min[i] + self.max[i]) / 2.0)
    }
    /// The octant `index` of this box, as Potree numbers them: bit 2 is x, bit 1 y, bit 0 z, each
    /// set for the upper half.
    pub fn octant(&self, index: u8) -> Bounds {
        let c = self.centre();
        let mut out = *self;
        for (axis, bit) in [(0, 4u8), (1, 2), (2, 1)] {
            if index & bit != 0 {
                out.min[axis] = c[axis];
            } else {
                out.max[axis] = c[axis];
            }
        }
        out
    }
    /// Which octant of this box holds `p` (the upper half includes the centre).
    pub fn octant_of(&self, p: [f64; 3]) -> u8 {
        let c = self.centre();
        (u8::from(p[0] >= c[0]) << 2) | (u8::from(p[1] >= c[1]) << 1) | u8::from(p[2] >= c[2])
    }
}

/// One attribute of every point. Names and types as PotreeConverter 2 writes them.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Attribute {
    pub name: String,
    #[serde(default)]
    pub description: String,
    pub size: u32,
    #[serde(rename = "numElements")]
    pub num_elements: u32,
    #[serde(rename = "elementSize")]
    pub element_size: u32,
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(default)]
    pub min: Vec<f64>,
    #[serde(default)]
    pub max: Vec<f64>,
}

impl Attribute {
    pub fn new(name: &str, kind: &str, num_elements: u32, element_size: u32) -> Self {
        Self {
            name: name.to_owned(),
            description: String::new(),
            size: num_elements * element_size,
            num_elements,
            element_size,
            kind: kind.to_owned(),
            min: Vec::new(),
            max: Vec::new(),
        }
    }
}

/// Where, within a point's bytes, the attributes the viewer draws lie.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PointLayout {
    pub bytes_per_point: usize,
    pub position: usize,
    /// Three u16 (0–65535, or 0–255 from tools that wrote 8-bit colour).
    pub rgb: Option<usize>,
    pub intensity: Option<usize>,
    pub classification: Option<usize>,
}

impl Metadata {
    /// Reads and checks `metadata.json`: every number finite, sizes consistent, a position
    /// attribute the viewer can decode.
    pub fn parse(bytes: &[u8]) -> Result<Self, PointCloudError> {
        let m: Metadata = serde_json::from_slice(bytes)
            .map_err(|e| PointCloudError::MetadataJson(e.to_string()))?;
        m.check()?;
        Ok(m)
    }

    fn check(&self) -> Result<(), PointCloudError> {
        if !self.version.starts_with("2.") {
            return Err(meta_err(
                "version",
                format!(
                    "is \"{}\": only Potree 2.x clouds are read. Convert the scan again with `disan pack`.",
                    self.version
                ),
            ));
        }
        if self.encoding != "DEFAULT" {
            return Err(meta_err(
                "encoding",
                format!(
                    "is \"{}\": only the DEFAULT encoding is read. Convert the scan with `disan pack`, or with PotreeConverter's `--encoding DEFAULT`.",
                    self.encoding
                ),
            ));
        }
        let finite = |v: &[f64]| v.iter().all(|x| x.is_finite());
        if !finite(&self.offset) {
            return Err(meta_err("offset", "has a number that is not finite."));
        }
        if !finite(&self.scale) || self.scale.iter().any(|s| *s <= 0.0) {
            return Err(meta_err("scale", "must be three positive numbers."));
        }
        let b = &self.bounding_box;
        if !finite(&b.min) || !finite(&b.max) || (0..3).any(|i| b.max[i] <= b.min[i]) {
            return Err(meta_err(
                "boundingBox",
                "must have finite `min` below `max` on every axis.",
            ));
        }
        if !self.spacing.is_finite() || self.spacing <= 0.0 {
            return Err(meta_err("spacing", "must be a positive number."));
        }
        if self.hierarchy.depth > MAX_DEPTH {
            return Err(meta_err(
                "hierarchy.depth",
                format!(
                    "is {}: at most {MAX_DEPTH} levels are read.",
                    self.hierarchy.depth
                ),
            ));
        }
        if self.hierarchy.first_chunk_size == 0
            || self.hierarchy.first_chunk_size % NODE_RECORD_BYTES as u64 != 0
        {
            return Err(meta_err(
                "hierarchy.firstChunkSize",
                format!("must be a positive multiple of {NODE_RECORD_BYTES} bytes."),
            ));
        }
        for a in &self.attributes {
            let element = match a.kind.as_str() {
                "int8" | "uint8" => 1,
                "int16" | "uint16" => 2,
                "int32" | "uint32" | "float" => 4,
                "int64" | "uint64" | "double" => 8,
                other => {
                    return Err(meta_err(
                        &format!("attributes \"{}\".type", a.name),
                        format!("is \"{other}\", which is not a Potree type."),
                    ));
                }
            };
            if a.element_size != element
                || a.num_elements == 0
                || a.num_elements > 16
                || a.size != a.num_elements * a.element_size
            {
                return Err(meta_err(
                    &format!("attributes \"{}\"", a.name),
                    "has a size that does not match its type and element count.",
                ));
            }
        }
        let first = self.attributes.first();
        if !first.is_some_and(|a| {
            matches!(a.name.as_str(), "position" | "POSITION_CARTESIAN")
                && a.kind == "int32"
                && a.num_elements == 3
        }) {
            return Err(meta_err(
                "attributes",
                "must begin with `position`, three int32.",
            ));
        }
        Ok(())
    }

    pub fn layout(&self) -> PointLayout {
        let mut layout = PointLayout {
            bytes_per_point: 0,
            position: 0,
            rgb: None,
            intensity: None,
            classification: None,
        };
        for a in &self.attributes {
            let at = layout.bytes_per_point;
            match (a.name.as_str(), a.kind.as_str(), a.num_elements) {
                ("rgb" | "rgba" | "RGBA", "uint16", 3) => layout.rgb = Some(at),
                ("intensity", "uint16", 1) => layout.intensity = Some(at),
                ("classification", "uint8", 1) => layout.classification = Some(at),
                _ => {}
            }
            layout.bytes_per_point += a.size as usize;
        }
        layout
    }

    /// The points' tight bounds (the position attribute's `min`/`max`), or the root cube when
    /// the file does not give them.
    pub fn tight_bounds(&self) -> Bounds {
        match self.attributes.first() {
            Some(a)
                if a.min.len() == 3
                    && a.max.len() == 3
                    && a.min.iter().chain(&a.max).all(|x| x.is_finite()) =>
            {
                Bounds {
                    min: [a.min[0], a.min[1], a.min[2]],
                    max: [a.max[0], a.max[1], a.max[2]],
                }
            }
            _ => self.bounding_box,
        }
    }
}

/// One node of the octree.
#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    /// Potree's name: `r`, then one octant digit per level (`r` `r4` `r47` …).
    pub name: String,
    pub level: u32,
    pub bounds: Bounds,
    pub points: u32,
    /// Where its points lie in `octree.bin`.
    pub byte_offset: u64,
    pub byte_size: u64,
    /// Its children by octant, as indices into [`Hierarchy::nodes`].
    pub children: [Option<u32>; 8],
    pub parent: Option<u32>,
}

impl Node {
    /// The distance between this node's points, in the cloud's units.
    pub fn spacing(&self, root_spacing: f64) -> f64 {
        root_spacing / f64::from(1u32 << self.level.min(31))
    }
}

/// Every node of a cloud, the root first, each parent before its children.
#[derive(Clone, Debug, PartialEq)]
pub struct Hierarchy {
    pub nodes: Vec<Node>,
}

impl Hierarchy {
    /// Reads the whole of `hierarchy.bin`, following proxies into later chunks. Every record is
    /// checked: node ranges lie inside `octree_len` bytes (when known) and hold exactly
    /// `points × bytes per point`, so a damaged file cannot make the viewer read past its end.
    pub fn parse(
        metadata: &Metadata,
        bytes: &[u8],
        octree_len: Option<u64>,
    ) -> Result<Self, PointCloudError> {
        let err = |m: String| PointCloudError::Hierarchy(m);
        let bpp = metadata.layout().bytes_per_point as u64;
        let root = Node {
            name: "r".into(),
            level: 0,
            bounds: metadata.bounding_box,
            points: 0,
            byte_offset: 0,
            byte_size: 0,
            children: [None; 8],
            parent: None,
        };
        let mut nodes = vec![root];
        // Chunks to read: (byte range in hierarchy.bin, the node its first record describes).
        let mut chunks = vec![(0u64, metadata.hierarchy.first_chunk_size, 0usize)];
        // Each node's proxy is followed once: a chunk whose first record is a proxy back to
        // itself (22 bytes suffice) would otherwise be read forever, adding no node.
        let mut proxied = std::collections::HashSet::new();
        while let Some((start, size, first)) = chunks.pop() {
            let end = start
                .checked_add(size)
                .filter(|e| *e <= bytes.len() as u64 && size % NODE_RECORD_BYTES as u64 == 0)
                .ok_or_else(|| {
                    err(format!(
                        "a chunk at byte {start} of {size} bytes runs past the file's {} bytes, or is not whole records: the file is damaged or cut short.",
                        bytes.len()
                    ))
                })?;
            let records = &bytes[start as usize..end as usize];
            // The chunk's nodes in order: its first record is `first`, the rest are appended as
            // their parents' records name them.
            let mut order = vec![first];
            for (i, record) in records.chunks_exact(NODE_RECORD_BYTES).enumerate() {
                let Some(&index) = order.get(i) else {
                    return Err(err(format!(
                        "the chunk at byte {start} has {} records but its nodes name only {} of them.",
                        records.len() / NODE_RECORD_BYTES,
                        order.len()
                    )));
                };
                let kind = record[0];
                let mask = record[1];
                let points = u32::from_le_bytes(record[2..6].try_into().expect("4 bytes"));
                let offset = u64::from_le_bytes(record[6..14].try_into().expect("8 bytes"));
                let size = u64::from_le_bytes(record[14..22].try_into().expect("8 bytes"));
                let node = &mut nodes[index];
                if kind == 2 {
                    // A proxy: its own record is the first of the chunk it points to.
                    if !proxied.insert(index) {
                        return Err(err(format!(
                            "node {} is a proxy for a chunk that leads back to it (at byte {offset}): the file is damaged.",
                            node.name
                        )));
                    }
                    chunks.push((offset, size, index));
                    continue;
                }
                if kind > 2 {
                    return Err(err(format!(
                        "node {} has type {kind}: 0, 1 or 2 expected.",
                        node.name
                    )));
                }
                if size != u64::from(points) * bpp {
                    return Err(err(format!(
                        "node {} says {points} points in {size} bytes, but a point is {bpp} bytes.",
                        node.name
                    )));
                }
                if let Some(len) = octree_len
                    && offset.checked_add(size).is_none_or(|e| e > len)
                {
                    return Err(err(format!(
                        "node {} lies at bytes {offset}–{} of {OCTREE_FILE}, which has {len}.",
                        node.name,
                        offset.saturating_add(size)
                    )));
                }
                node.points = points;
                node.byte_offset = offset;
                node.byte_size = size;
                let (level, bounds, name) = (node.level, node.bounds, node.name.clone());
                for octant in 0..8u8 {
                    if mask & (1 << octant) == 0 {
                        continue;
                    }
                    if level + 1 > MAX_DEPTH || nodes.len() >= MAX_NODES {
                        return Err(err(format!(
                            "node {name} has children below level {MAX_DEPTH} or past {MAX_NODES} nodes."
                        )));
                    }
                    let child = nodes.len();
                    nodes[index].children[usize::from(octant)] = Some(child as u32);
                    nodes.push(Node {
                        name: format!("{name}{octant}"),
                        level: level + 1,
                        bounds: bounds.octant(octant),
                        points: 0,
                        byte_offset: 0,
                        byte_size: 0,
                        children: [None; 8],
                        parent: Some(index as u32),
                    });
                    order.push(child);
                }
            }
            if order.len() != records.len() / NODE_RECORD_BYTES {
                // Children named in this chunk that no record describes: they must be proxies
                // of another chunk, which Potree writes as records too.
                return Err(err(format!(
                    "the chunk at byte {start} names {} nodes but has {} records.",
                    order.len(),
                    records.len() / NODE_RECORD_BYTES
                )));
            }
        }
        Ok(Self { nodes })
    }

    /// Writes the nodes as one chunk, breadth first (each node's children in octant order), as
    /// [`Hierarchy::parse`] and Potree read it. `nodes` must already be in that order.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.nodes.len() * NODE_RECORD_BYTES);
        for n in &self.nodes {
            let mask = n
                .children
                .iter()
                .enumerate()
                .filter(|(_, c)| c.is_some())
                .fold(0u8, |m, (i, _)| m | (1 << i));
            out.push(if mask == 0 { 1 } else { 0 });
            out.push(mask);
            out.extend_from_slice(&n.points.to_le_bytes());
            out.extend_from_slice(&n.byte_offset.to_le_bytes());
            out.extend_from_slice(&n.byte_size.to_le_bytes());
        }
        out
    }

    /// The points of every node together: the cloud's size, each point being in one node only.
    pub fn total_points(&self) -> u64 {
        self.nodes.iter().map(|n| u64::from(n.points)).sum()
    }

    pub fn depth(&self) -> u32 {
        self.nodes.iter().map(|n| n.level).max().unwrap_or(0)
    }
}

/// The SHA-256 of a node's bytes, as `node-hashes.bin` holds it.
pub fn node_digest(bytes: &[u8]) -> [u8; 32] {
    use sha2::Digest;
    sha2::Sha256::digest(bytes).into()
}

/// Reads `node-hashes.bin`: one digest per node of `hierarchy`.
pub fn parse_node_hashes(
    bytes: &[u8],
    hierarchy: &Hierarchy,
) -> Result<Vec<[u8; 32]>, PointCloudError> {
    if bytes.len() != hierarchy.nodes.len() * 32 {
        return Err(PointCloudError::Hierarchy(format!(
            "{NODE_HASHES_FILE} has {} bytes, but {} nodes need {}: pack the scan again.",
            bytes.len(),
            hierarchy.nodes.len(),
            hierarchy.nodes.len() * 32
        )));
    }
    Ok(bytes
        .chunks_exact(32)
        .map(|c| c.try_into().expect("32 bytes"))
        .collect())
}

/// One node's points, decoded for drawing: positions relative to the node's box's `min` (small
/// numbers, exact in f32 however far the survey's origin lies), colours as sRGB bytes.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct NodePoints {
    pub positions: Vec<[f32; 3]>,
    pub colours: Vec<[u8; 3]>,
    pub intensities: Vec<u16>,
    pub classes: Vec<u8>,
}

/// Decodes a node's bytes from `octree.bin`.
pub fn decode_node(
    metadata: &Metadata,
    node: &Node,
    bytes: &[u8],
) -> Result<NodePoints, PointCloudError> {
    let layout = metadata.layout();
    let n = node.points as usize;
    if bytes.len() != n * layout.bytes_per_point {
        return Err(PointCloudError::Node {
            node: node.name.clone(),
            problem: format!(
                "has {} bytes, but {n} points of {} bytes were expected.",
                bytes.len(),
                layout.bytes_per_point
            ),
        });
    }
    let mut out = NodePoints {
        positions: Vec::with_capacity(n),
        colours: Vec::with_capacity(n),
        ..NodePoints::default()
    };
    // 8-bit colours written in 16-bit fields (some tools do) are told apart by their range.
    let colour_max = layout.rgb.map_or(0, |at| {
        bytes
            .chunks_exact(layout.bytes_per_point)
            .flat_map(|p| (0..3).map(move |c| u16_at(p, at + 2 * c)))
            .max()
            .unwrap_or(0)
    });
    let shift = if colour_max > 255 { 8 } else { 0 };
    let (o, s, min) = (metadata.offset, metadata.scale, node.bounds.min);
    for p in bytes.chunks_exact(layout.bytes_per_point) {
        let at = layout.position;
        out.positions.push(std::array::from_fn(|i| {
            let q = i32::from_le_bytes(p[at + 4 * i..at + 4 * i + 4].try_into().expect("4"));
            (f64::from(q) * s[i] + o[i] - min[i]) as f32
        }));
        out.colours.push(match layout.rgb {
            Some(at) => std::array::from_fn(|c| (u16_at(p, at + 2 * c) >> shift) as u8),
            None => [255, 255, 255],
        });
        if let Some(at) = layout.intensity {
            out.intensities.push(u16_at(p, at));
        }
        if let Some(at) = layout.classification {
            out.classes.push(p[at]);
        }
    }
    Ok(out)
}

fn u16_at(p: &[u8], at: usize) -> u16 {
    u16::from_le_bytes([p[at], p[at + 1]])
}

/// The attributes `disan pack` writes, in this order: position, rgb, intensity, classification
/// (21 bytes a point).
pub fn packed_attributes() -> Vec<Attribute> {
    vec![
        Attribute::new("position", "int32", 3, 4),
        Attribute::new("rgb", "uint16", 3, 2),
        Attribute::new("intensity", "uint16", 1, 2),
        Attribute::new("classification", "uint8", 1, 1),
    ]
}

/// Turns a point of the cloud's own coordinates into the exhibit's (metres, +Y up): the cloud's
/// `origin` goes to the exhibit's origin, and a Z-up survey is turned so that its Z is up and its
/// +Y (north, for a map projection) looks towards the exhibit's -Z.
pub fn to_exhibit(p: [f64; 3], origin: [f64; 3], z_up: bool) -> [f64; 3] {
    let d: [f64; 3] = std::array::from_fn(|i| p[i] - origin[i]);
    if z_up { [d[0], d[2], -d[1]] } else { d }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn metadata(points: u64, first_chunk: u64) -> Metadata {
        Metadata {
            version: "2.0".into(),
            name: "test".into(),
            description: String::new(),
            points,
            projection: String::new(),
            hierarchy: HierarchyInfo {
                first_chunk_size: first_chunk,
                step_size: 4,
                depth: 1,
            },
            offset: [100.0, 200.0, 0.0],
            scale: [0.001; 3],
            spacing: 1.0,
            bounding_box: Bounds {
                min: [100.0, 200.0, 0.0],
                max: [108.0, 208.0, 8.0],
            },
            encoding: "DEFAULT".into(),
            attributes: packed_attributes(),
        }
    }

    #[test]
    fn octants_follow_potrees_bit_order() {
        let b = Bounds {
            min: [0.0; 3],
            max: [2.0; 3],
        };
        // Bit 2 is x, bit 1 y, bit 0 z.
        assert_eq!(b.octant(0b100).min, [1.0, 0.0, 0.0]);
        assert_eq!(b.octant(0b010).min, [0.0, 1.0, 0.0]);
        assert_eq!(b.octant(0b001).min, [0.0, 0.0, 1.0]);
        for i in 0..8 {
            assert_eq!(b.octant_of(b.octant(i).centre()), i);
        }
    }

    #[test]
    fn a_written_hierarchy_reads_back_with_names_bounds_and_ranges() {
        let bpp = 21u64;
        let m = metadata(30, 3 * 22);
        let root_bounds = m.bounding_box;
        let mut root = Node {
            name: "r".into(),
            level: 0,
            bounds: root_bounds,
            points: 10,
            byte_offset: 0,
            byte_size: 10 * bpp,
            children: [None; 8],
            parent: None,
        };
        root.children[3] = Some(1);
        root.children[6] = Some(2);
        let child = |o: u8, at: u64| Node {
            name: format!("r{o}"),
            level: 1,
            bounds: root_bounds.octant(o),
            points: 10,
            byte_offset: at,
            byte_size: 10 * bpp,
            children: [None; 8],
            parent: Some(0),
        };
        let h = Hierarchy {
            nodes: vec![root, child(3, 10 * bpp), child(6, 20 * bpp)],
        };
        let bytes = h.to_bytes();
        assert_eq!(bytes.len(), 66);
        let back = Hierarchy::parse(&m, &bytes, Some(30 * bpp)).unwrap();
        assert_eq!(back, h);
        // A node past the end of octree.bin is refused.
        let short = Hierarchy::parse(&m, &bytes, Some(25 * bpp)).unwrap_err();
        assert!(short.to_string().contains("r6"), "{short}");
        // A chunk size past the file's end is refused, not read.
        assert!(Hierarchy::parse(&metadata(30, 88), &bytes, None).is_err());
    }

    #[test]
    fn proxies_lead_to_later_chunks() {
        let bpp = 21u64;
        let m = metadata(20, 2 * 22);
        // Chunk 1: root (child 0) and a proxy for r0 pointing at chunk 2 (one record).
        let mut bytes = Vec::new();
        let mut rec = |kind: u8, mask: u8, points: u32, off: u64, size: u64| {
            bytes.push(kind);
            bytes.push(mask);
            bytes.extend_from_slice(&points.to_le_bytes());
            bytes.extend_from_slice(&off.to_le_bytes());
            bytes.extend_from_slice(&size.to_le_bytes());
        };
        rec(0, 1, 10, 0, 10 * bpp);
        rec(2, 0, 0, 44, 22);
        rec(1, 0, 10, 10 * bpp, 10 * bpp);
        let h = Hierarchy::parse(&m, &bytes, Some(20 * bpp)).unwrap();
        assert_eq!(h.nodes.len(), 2);
        assert_eq!(h.nodes[1].name, "r0");
        assert_eq!(h.nodes[1].points, 10);
        assert_eq!(h.nodes[1].byte_offset, 10 * bpp);
    }

    #[test]
    fn a_proxy_that_leads_back_to_itself_is_refused_not_followed_forever() {
        // 22 bytes: the root is a proxy for the chunk it is in.
        let mut bytes = vec![2u8, 0];
        bytes.extend_from_slice(&0u32.to_le_bytes());
        bytes.extend_from_slice(&0u64.to_le_bytes());
        bytes.extend_from_slice(&22u64.to_le_bytes());
        let e = Hierarchy::parse(&metadata(0, 22), &bytes, None).unwrap_err();
        assert!(e.to_string().contains("leads back"), "{e}");
    }

    #[test]
    fn points_decode_relative_to_their_node_with_16_and_8_bit_colour() {
        let m = metadata(2, 22);
        let node = Node {
            name: "r".into(),
            level: 0,
            bounds: m.bounding_box,
            points: 2,
            byte_offset: 0,
            byte_size: 42,
            children: [None; 8],
            parent: None,
        };
        let point = |q: [i32; 3], rgb: [u16; 3]| {
            let mut p = Vec::new();
            for c in q {
                p.extend_from_slice(&c.to_le_bytes());
            }
            for c in rgb {
                p.extend_from_slice(&c.to_le_bytes());
            }
            p.extend_from_slice(&7u16.to_le_bytes());
            p.push(2);
            p
        };
        let mut bytes = point([1500, 2000, 0], [65535, 0, 32768]);
        bytes.extend(point([0, 0, 8000], [0, 256, 0]));
        let d = decode_node(&m, &node, &bytes).unwrap();
        assert_eq!(d.positions[0], [1.5, 2.0, 0.0]);
        assert_eq!(d.positions[1], [0.0, 0.0, 8.0]);
        assert_eq!(d.colours[0], [255, 0, 128]);
        assert_eq!(d.intensities, [7, 7]);
        assert_eq!(d.classes, [2, 2]);
        let eight_bit = {
            let mut b = point([0, 0, 0], [200, 10, 0]);
            b.extend(point([0, 0, 0], [0, 0, 255]));
            b
        };
        assert_eq!(
            decode_node(&m, &node, &eight_bit).unwrap().colours[0],
            [200, 10, 0]
        );
        // A short node is an error, not a panic.
        assert!(decode_node(&m, &node, &bytes[..40]).is_err());
    }

    #[test]
    fn metadata_round_trips_and_refuses_what_the_viewer_cannot_read() {
        let m = metadata(2, 22);
        let json = serde_json::to_vec_pretty(&m).unwrap();
        assert_eq!(Metadata::parse(&json).unwrap(), m);
        let text = String::from_utf8(json).unwrap();
        let brotli = text.replace("\"DEFAULT\"", "\"BROTLI\"");
        assert!(
            Metadata::parse(brotli.as_bytes())
                .unwrap_err()
                .to_string()
                .contains("BROTLI")
        );
        let mut flat = m.clone();
        flat.bounding_box.max[0] = flat.bounding_box.min[0];
        assert!(Metadata::parse(&serde_json::to_vec(&flat).unwrap()).is_err());
        let mut unread = m;
        unread.attributes.remove(0);
        assert!(Metadata::parse(&serde_json::to_vec(&unread).unwrap()).is_err());
    }

    #[test]
    fn a_z_up_survey_stands_up_with_north_away_from_the_visitor() {
        let p = to_exhibit([10.0, 21.0, 3.0], [10.0, 20.0, 1.0], true);
        assert_eq!(p, [0.0, 2.0, -1.0]);
    }
}
