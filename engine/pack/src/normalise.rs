//! Putting a scan in the exhibit frame the format defines: metres, +Y up, the front facing +Z,
//! centred on the vertical axis and standing on the ground (lowest point at y = 0). What was
//! assumed is recorded for the summary, because OBJ and PLY say neither their unit nor their up
//! axis and a wrong guess shows as a giant or a scan lying on its back.

use serde::Serialize;

use crate::input::Scan;
use crate::messages::{self, Lang};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Unit {
    M,
    Cm,
    Mm,
    In,
    Ft,
}

impl Unit {
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s.to_ascii_lowercase().as_str() {
            "m" | "metre" | "meter" | "metres" | "meters" => Self::M,
            "cm" => Self::Cm,
            "mm" => Self::Mm,
            "in" | "inch" => Self::In,
            "ft" | "foot" | "feet" => Self::Ft,
            _ => return None,
        })
    }
    pub fn metres(self) -> f64 {
        match self {
            Self::M => 1.0,
            Self::Cm => 0.01,
            Self::Mm => 0.001,
            Self::In => 0.0254,
            Self::Ft => 0.3048,
        }
    }
    pub fn word(self) -> &'static str {
        match self {
            Self::M => "m",
            Self::Cm => "cm",
            Self::Mm => "mm",
            Self::In => "in",
            Self::Ft => "ft",
        }
    }
}

/// Which source axis points up.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum UpAxis {
    /// +Y up, front +Z: glTF's convention, and the exhibit frame's.
    #[serde(rename = "+y")]
    Y,
    /// +Z up, front −Y: surveying, photogrammetry (Metashape, RealityCapture) and laser-scanner
    /// software, and Blender.
    #[serde(rename = "+z")]
    Z,
}

impl UpAxis {
    pub fn parse(s: &str) -> Option<Self> {
        match s.to_ascii_lowercase().trim_start_matches('+') {
            "y" => Some(Self::Y),
            "z" => Some(Self::Z),
            _ => None,
        }
    }
    pub fn word(self) -> &'static str {
        match self {
            Self::Y => "+Y",
            Self::Z => "+Z",
        }
    }
    /// Source coordinates to the exhibit frame: for Z-up, a quarter turn about X that takes
    /// +Z to +Y and the front (−Y) to +Z.
    fn apply(self, p: [f64; 3]) -> [f64; 3] {
        match self {
            Self::Y => p,
            Self::Z => [p[0], p[2], -p[1]],
        }
    }
}

/// What normalising did, for the summary and `pack-report.json`.
#[derive(Clone, Debug, Serialize)]
pub struct Normalisation {
    pub unit: Unit,
    /// Whether the unit came from the file or a flag (`false`: assumed).
    pub unit_stated: bool,
    pub up: UpAxis,
    pub up_stated: bool,
    /// Whether the model kept its position (`--keep-position`) instead of being centred.
    pub kept_position: bool,
    /// Where the package's origin is in the source's own coordinates (after the unit, before
    /// the turn): georeferenced scans keep their survey position here.
    pub source_origin: [f64; 3],
    /// The size of the scan in metres (x, y, z in the exhibit frame).
    pub size_m: [f64; 3],
    pub warnings: Vec<String>,
}

impl Normalisation {
    /// For what has no geometry to normalise (a panorama): metres and +Y up by definition.
    pub fn not_applied() -> Self {
        Self {
            unit: Unit::M,
            unit_stated: true,
            up: UpAxis::Y,
            up_stated: true,
            kept_position: true,
            source_origin: [0.0; 3],
            size_m: [0.0; 3],
            warnings: Vec::new(),
        }
    }
}

/// `keep_position`: the model is already placed in the exhibit frame (a model made for the
/// exhibit, whose hotspots and views are written against it): only the unit and up axis apply.
pub fn normalise(
    mut scan: Scan,
    unit: Option<Unit>,
    up: Option<UpAxis>,
    keep_position: bool,
    lang: Lang,
) -> (Scan, Normalisation) {
    let stated = scan.format.states_unit_and_up();
    let (unit, unit_stated) = match unit {
        Some(u) => (u, true),
        None => (Unit::M, stated),
    };
    // OBJ and PLY from survey and scanning software are Z-up far more often than not.
    let (up, up_stated) = match up {
        Some(a) => (a, true),
        None if stated => (UpAxis::Y, true),
        None => (UpAxis::Z, false),
    };
    let k = unit.metres();
    let mut min = [f64::MAX; 3];
    let mut max = [f64::MIN; 3];
    for mesh in &mut scan.meshes {
        for p in &mut mesh.positions {
            *p = up.apply(p.map(|c| c * k));
            for i in 0..3 {
                min[i] = min[i].min(p[i]);
                max[i] = max[i].max(p[i]);
            }
        }
        if let Some(normals) = &mut mesh.normals {
            for n in normals.iter_mut() {
                let r = up.apply(n.map(f64::from));
                *n = r.map(|c| c as f32);
            }
        }
    }
    if min[0] > max[0] {
        min = [0.0; 3];
        max = [0.0; 3];
    }
    // The new origin: the middle of the footprint, on the lowest point.
    let origin = if keep_position {
        [0.0; 3]
    } else {
        [(min[0] + max[0]) * 0.5, min[1], (min[2] + max[2]) * 0.5]
    };
    for p in scan.meshes.iter_mut().flat_map(|m| m.positions.iter_mut()) {
        *p = [p[0] - origin[0], p[1] - origin[1], p[2] - origin[2]];
    }
    let size = [max[0] - min[0], max[1] - min[1], max[2] - min[2]];
    let mut warnings = Vec::new();
    let largest = size.iter().copied().fold(0.0, f64::max);
    if !unit_stated && (largest > 2000.0 || largest < 0.01) {
        warnings.push(messages::implausible_size(lang, largest, unit));
    }
    // Back from the turn to the source frame, for the record.
    let source_origin = match up {
        UpAxis::Y => origin,
        UpAxis::Z => [origin[0], -origin[2], origin[1]],
    };
    (
        scan,
        Normalisation {
            unit,
            unit_stated,
            up,
            up_stated,
            kept_position: keep_position,
            source_origin,
            size_m: size,
            warnings,
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::{Mesh, SourceFormat};

    fn scan(format: SourceFormat, positions: Vec<[f64; 3]>) -> Scan {
        let mesh = Mesh {
            indices: vec![0, 1, 2],
            positions,
            ..Default::default()
        };
        Scan {
            format,
            meshes: vec![mesh],
            generator: None,
            copyright: None,
            warnings: vec![],
        }
    }

    #[test]
    fn a_z_up_scan_in_millimetres_stands_centred_on_the_ground() {
        // 1 m tall along Z, lying 500 m east in survey coordinates.
        let s = scan(
            SourceFormat::Ply,
            vec![
                [500_000.0, 0.0, 100.0],
                [500_400.0, 200.0, 100.0],
                [500_200.0, 100.0, 1100.0],
            ],
        );
        let (s, n) = normalise(s, Some(Unit::Mm), None, false, Lang::En);
        assert_eq!(n.up, UpAxis::Z);
        assert!(!n.up_stated);
        let (min, max) = s.bounds();
        assert!(
            (max[1] - 1.0).abs() < 1e-6 && min[1].abs() < 1e-9,
            "{min:?} {max:?}"
        );
        assert!((min[0] + 0.2).abs() < 1e-6 && (max[0] - 0.2).abs() < 1e-6);
        assert!((min[2] + 0.1).abs() < 1e-6 && (max[2] - 0.1).abs() < 1e-6);
        assert!(
            (n.source_origin[0] - 500.2).abs() < 1e-9 && (n.source_origin[2] - 0.1).abs() < 1e-9,
            "{:?}",
            n.source_origin
        );
    }

    #[test]
    fn the_front_of_a_z_up_scan_faces_plus_z() {
        // A point in front (−Y in Z-up) ends up at +Z.
        assert_eq!(UpAxis::Z.apply([0.0, -1.0, 0.0]), [0.0, 0.0, 1.0]);
        assert_eq!(UpAxis::Z.apply([0.0, 0.0, 1.0]), [0.0, 1.0, 0.0]);
    }

    #[test]
    fn an_implausible_size_suggests_the_unit_flag() {
        let s = scan(
            SourceFormat::Obj,
            vec![[0.0, 0.0, 0.0], [5000.0, 0.0, 0.0], [0.0, 5000.0, 0.0]],
        );
        let (_, n) = normalise(s, None, None, false, Lang::En);
        assert!(
            n.warnings.iter().any(|w| w.contains("--unit")),
            "{:?}",
            n.warnings
        );
    }
}
