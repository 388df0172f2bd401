//! `disan pack` on laser scans: a generated survey of 2 million points, written as LAS, LAZ, PLY
//! and E57 through the formats' own crates, packed into a Potree 2.0 octree and read back node by
//! node through the format crate, as the viewer reads it.

use std::path::{Path, PathBuf};

use disan_format::pointcloud::{self, Hierarchy, Metadata};
use disan_pack::{PackKind, PackOptions, Progress, pack_scan};

fn temp(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("disan-pack-cloud-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// A survey-like cloud in a national grid (easting, northing, height; Z up): a 40 × 30 m ground
/// with a 6 m tower on it, far from the grid's origin as real VN-2000 coordinates are. Each
/// point's colour is a function of where it is, so a point that lost its colour shows.
fn survey(n: usize) -> Vec<[f64; 3]> {
    let origin = [585_000.0, 2_305_000.0, 4.0];
    let mut state = 0x2545_f491_4f6c_dd1du64;
    let mut next = || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state >> 11) as f64 / (1u64 << 53) as f64
    };
    (0..n)
        .map(|i| {
            let (u, v) = (next(), next());
            let p = if i % 4 == 0 {
                // The tower: a 4 m square shaft, its walls.
                let side = (next() * 4.0) as u32;
                let t = u * 4.0;
                let (x, y) = match side {
                    0 => (t, 0.0),
                    1 => (4.0, t),
                    2 => (t, 4.0),
                    _ => (0.0, t),
                };
                [18.0 + x, 13.0 + y, v * 6.0]
            } else {
                [u * 40.0, v * 30.0, 0.02 * (u * 20.0).sin()]
            };
            [origin[0] + p[0], origin[1] + p[1], origin[2] + p[2]]
        })
        .collect()
}

/// The colour a point at `p` was given (8-bit; LAS stores it widened to 16).
fn colour_at(p: [f64; 3]) -> [u8; 3] {
    let f = |c: f64, k: f64| ((c * k).rem_euclid(1.0) * 255.0) as u8;
    [f(p[0], 0.1), f(p[1], 0.1), f(p[2], 0.25)]
}

fn write_las(path: &Path, points: &[[f64; 3]]) {
    let mut builder = las::Builder::from((1, 2));
    builder.point_format = las::point::Format::new(2).unwrap();
    builder.transforms = las::Vector {
        x: las::Transform {
            scale: 0.001,
            offset: 585_000.0,
        },
        y: las::Transform {
            scale: 0.001,
            offset: 2_305_000.0,
        },
        z: las::Transform {
            scale: 0.001,
            offset: 0.0,
        },
    };
    builder.generating_software = "disan test survey".into();
    let mut writer = las::Writer::from_path(path, builder.into_header().unwrap()).unwrap();
    for &p in points {
        let c = colour_at(p).map(|c| u16::from(c) * 257);
        writer
            .write_point(las::Point {
                x: p[0],
                y: p[1],
                z: p[2],
                intensity: 1000,
                classification: las::point::Classification::Ground,
                color: Some(las::Color::new(c[0], c[1], c[2])),
                ..Default::default()
            })
            .unwrap();
    }
    writer.close().unwrap();
}

fn write_ply(path: &Path, points: &[[f64; 3]]) {
    use std::io::Write;
    let mut out = std::io::BufWriter::new(std::fs::File::create(path).unwrap());
    write!(
        out,
        "ply\nformat binary_little_endian 1.0\ncomment test survey\nelement vertex {}\nproperty double x\nproperty double y\nproperty double z\nproperty uchar red\nproperty uchar green\nproperty uchar blue\nend_header\n",
        points.len()
    )
    .unwrap();
    for &p in points {
        for c in p {
            out.write_all(&c.to_le_bytes()).unwrap();
        }
        out.write_all(&colour_at(p)).unwrap();
    }
}

fn write_e57(path: &Path, points: &[[f64; 3]]) {
    use e57::{E57Writer, Record, RecordValue};
    let mut writer = E57Writer::from_file(path, "disan-test-survey").unwrap();
    let prototype = vec![
        Record::CARTESIAN_X_F64,
        Record::CARTESIAN_Y_F64,
        Record::CARTESIAN_Z_F64,
        Record::COLOR_RED_U8,
        Record::COLOR_GREEN_U8,
        Record::COLOR_BLUE_U8,
    ];
    let mut pc = writer.add_pointcloud("scan-1", prototype).unwrap();
    for &p in points {
        let c = colour_at(p);
        pc.add_point(vec![
            RecordValue::Double(p[0]),
            RecordValue::Double(p[1]),
            RecordValue::Double(p[2]),
            RecordValue::Integer(i64::from(c[0])),
            RecordValue::Integer(i64::from(c[1])),
            RecordValue::Integer(i64::from(c[2])),
        ])
        .unwrap();
    }
    pc.finalize().unwrap();
    writer.finalize().unwrap();
}

/// Reads a packed cloud back as the viewer does and checks what the viewer relies on.
fn check_package(package: &Path, id: &str, expected_points: usize) -> (Metadata, Hierarchy) {
    let (manifest, problems) = disan_format::validate_package(package);
    assert!(!problems.has_errors(), "{:?}", problems.into_sorted());
    let manifest = manifest.unwrap();
    assert!(manifest.models.is_empty());
    let cloud = &manifest.pointclouds[0];
    assert!(cloud.z_up);
    let [meta, hierarchy, octree, _] = cloud.files().map(|f| package.join(f));
    assert_eq!(
        meta,
        package.join(format!("pointclouds/{id}/metadata.json"))
    );
    let metadata = Metadata::parse(&std::fs::read(&meta).unwrap()).unwrap();
    let octree = std::fs::read(&octree).unwrap();
    let tree = Hierarchy::parse(
        &metadata,
        &std::fs::read(hierarchy).unwrap(),
        Some(octree.len() as u64),
    )
    .unwrap();
    assert_eq!(tree.total_points(), expected_points as u64);
    assert_eq!(metadata.points, expected_points as u64);
    // Levels of detail: several levels, and no node much over the leaf size.
    let min_depth = if expected_points >= 1_000_000 { 3 } else { 1 };
    assert!(tree.depth() >= min_depth, "depth {}", tree.depth());
    let root = &tree.nodes[0];
    assert!(
        root.points > 1000 && (root.points as usize) < expected_points / 2,
        "{}",
        root.points
    );
    assert!(
        tree.nodes
            .iter()
            .all(|n| n.points as usize <= 4 * disan_pack::pointcloud::MAX_LEAF_POINTS)
    );
    let (mut cells, mut shared) = (std::collections::HashSet::new(), 0u32);
    for node in &tree.nodes {
        let bytes =
            &octree[node.byte_offset as usize..(node.byte_offset + node.byte_size) as usize];
        let points = pointcloud::decode_node(&metadata, node, bytes).unwrap();
        let size = node.bounds.size();
        for (i, (p, c)) in points.positions.iter().zip(&points.colours).enumerate() {
            // Inside its node's box, with the colour it was given.
            for axis in 0..3 {
                assert!(
                    p[axis] >= -1e-3 && f64::from(p[axis]) <= size[axis] + 1e-3,
                    "node {} point {i} at {p:?} outside {size:?}",
                    node.name
                );
            }
            let world: [f64; 3] = std::array::from_fn(|a| f64::from(p[a]) + node.bounds.min[a]);
            let want = colour_at(world);
            for k in 0..3 {
                // Quantisation can move a point across a colour band's edge: allow the wrap.
                let d = (i16::from(c[k]) - i16::from(want[k])).abs();
                assert!(
                    d <= 3 || d >= 252,
                    "node {} point {i}: colour {c:?}, given {want:?}",
                    node.name
                );
            }
            // The root keeps one point per cell of its grid.
            if node.level == 0 {
                let cell: [i64; 3] =
                    std::array::from_fn(|a| (f64::from(p[a]) / metadata.spacing).floor() as i64);
                // (Quantisation to 0.1 mm may move a point over a cell's edge: a few may share.)
                if !cells.insert(cell) {
                    shared += 1;
                }
            }
        }
    }
    assert!(
        shared * 200 < root.points,
        "{shared} of the root's {} points share a cell",
        root.points
    );
    (metadata, tree)
}

#[test]
fn a_two_million_point_survey_packs_from_las_into_a_streamable_octree() {
    let dir = temp("las");
    let points = survey(2_000_000);
    let las = dir.join("dinh-survey.las");
    write_las(&las, &points);
    assert_eq!(PackKind::of(&las), PackKind::Pointcloud);
    let out = dir.join("package");
    let report = pack_scan(&las, &out, &PackOptions::default(), &Progress::hidden()).unwrap();
    let cloud = report.pointcloud.as_ref().unwrap();
    assert_eq!(cloud.points, 2_000_000);
    assert_eq!(report.source_format, "LAS");
    // The middle of the ground over the origin, the lowest point on it.
    assert!(
        (cloud.origin[0] - 585_020.0).abs() < 0.1,
        "{:?}",
        cloud.origin
    );
    assert!(
        (cloud.origin[1] - 2_305_015.0).abs() < 0.1,
        "{:?}",
        cloud.origin
    );
    assert!((cloud.origin[2] - 4.0).abs() < 0.03, "{:?}", cloud.origin);
    // Standing: the tower's 6 m are the exhibit's height (Y), the ground spans X and Z.
    assert!(
        (report.bounds_max[1] - 6.0).abs() < 0.05,
        "{:?}",
        report.bounds_max
    );
    assert!((report.bounds_max[0] - report.bounds_min[0] - 40.0).abs() < 0.05);
    assert!((report.bounds_max[2] - report.bounds_min[2] - 30.0).abs() < 0.05);
    let manifest = std::fs::read_to_string(out.join("exhibit.toml")).unwrap();
    assert!(manifest.contains("method = \"laser-scan\""), "{manifest}");
    assert!(manifest.contains("disan test survey"), "{manifest}");
    // The gallery's card: the survey seen from the home view, its ground's colours on it.
    let poster = image::open(out.join("poster.png")).unwrap().to_rgb8();
    assert_eq!(poster.dimensions(), (640, 360));
    let coloured = poster.pixels().filter(|p| p.0 != [206, 214, 224]).count();
    assert!(
        coloured > 640 * 360 / 5,
        "{coloured} pixels of the poster show the cloud"
    );
    let (metadata, _) = check_package(&out, "dinh-survey", points.len());
    // Survey coordinates kept: the portal's Potree places the cloud where it was measured.
    assert!((metadata.offset[0] - 585_000.0).abs() < 1.0);
}

#[test]
fn laz_ply_and_e57_scans_pack_alike() {
    let dir = temp("others");
    let points = survey(60_000);
    let laz = dir.join("scan.laz");
    write_las(&laz, &points);
    let ply = dir.join("scan-ply.ply");
    write_ply(&ply, &points);
    let e57 = dir.join("scan-e57.e57");
    write_e57(&e57, &points);
    assert!(std::fs::metadata(&laz).unwrap().len() < std::fs::metadata(&ply).unwrap().len() / 2);
    // A folder of them packs as a batch, one package each.
    assert_eq!(disan_pack::batch::scans_in(&dir).unwrap().len(), 3);
    for (input, id, format) in [
        (&laz, "scan", "LAS"),
        (&ply, "scan-ply", "PLY"),
        (&e57, "scan-e57", "E57"),
    ] {
        assert_eq!(
            PackKind::of(input),
            PackKind::Pointcloud,
            "{}",
            input.display()
        );
        let out = dir.join(format!("{id}-package"));
        let report = pack_scan(input, &out, &PackOptions::default(), &Progress::hidden())
            .unwrap_or_else(|e| panic!("{}: {e}", input.display()));
        assert_eq!(report.source_format, format);
        assert_eq!(report.pointcloud.as_ref().unwrap().points, 60_000);
        // PLY does not say which way is up: Z assumed, and said.
        assert_eq!(
            report.warnings.iter().any(|w| w.contains("--up y")),
            format == "PLY"
        );
        check_package(&out, id, points.len());
    }
}

#[test]
fn a_broken_scan_is_refused_in_staffs_words() {
    let dir = temp("broken");
    let cut = dir.join("cut.las");
    write_las(&cut, &survey(5_000));
    let bytes = std::fs::read(&cut).unwrap();
    std::fs::write(&cut, &bytes[..bytes.len() / 2]).unwrap();
    let err = pack_scan(
        &cut,
        &dir.join("p"),
        &PackOptions::default(),
        &Progress::hidden(),
    )
    .unwrap_err();
    let text = err.to_string();
    assert!(
        text.contains("cut.las") && text.contains("cut short"),
        "{text}"
    );
    let vi = err.localized(disan_pack::Lang::Vi);
    assert!(vi.contains("đám mây điểm"), "{vi}");
    // A cloud with damaged files is left out by the validator with the file named.
    let good = dir.join("good.las");
    write_las(&good, &survey(30_000));
    let out = dir.join("good-package");
    pack_scan(&good, &out, &PackOptions::default(), &Progress::hidden()).unwrap();
    let octree = out.join("pointclouds/good/octree.bin");
    // One byte changed: the node's hash no longer matches.
    let mut bytes = std::fs::read(&octree).unwrap();
    bytes[100] ^= 0x40;
    std::fs::write(&octree, &bytes).unwrap();
    let (_, problems) = disan_format::validate_package(&out);
    let problems = problems.into_sorted();
    let p = problems
        .iter()
        .find(|p| p.message.contains("differs from its hash"))
        .expect("changed node reported");
    assert!(p.left_out && p.message.contains("node r "), "{p:?}");
    bytes[100] ^= 0x40;
    std::fs::write(&octree, &bytes).unwrap();
    let len = std::fs::metadata(&octree).unwrap().len();
    std::fs::OpenOptions::new()
        .write(true)
        .open(&octree)
        .unwrap()
        .set_len(len / 2)
        .unwrap();
    let (_, problems) = disan_format::validate_package(&out);
    let problems = problems.into_sorted();
    let p = problems
        .iter()
        .find(|p| p.message.contains("octree.bin"))
        .expect("octree reported");
    assert!(p.left_out && p.file.ends_with("hierarchy.bin"), "{p:?}");
}
