//! Sample exhibit models, generated procedurally as binary glTF 2.0 (GLB).
//!
//! The exhibition ships three sample exhibits before the real scans of those objects arrive:
//! Đình Hàng Kênh (a communal house), a Đông Sơn bronze drum and a royal decree (sắc phong).
//! Their models are generated here, Bevy-free, from code so they are small, reproducible,
//! CC0, and exercise what real scans will use: PBR materials, embedded PNG textures, tiling
//! samplers, smooth normals. Conventions the viewer relies on: Y up, metres, +Z is the front,
//! the origin at ground level under the object's centre. ANCHORS.md lists hotspot anchors and
//! camera views for the exhibit manifests.

mod decree;
mod dinh;
mod drum;
mod glb;
mod meshes;
mod textures;

use std::path::{Path, PathBuf};

/// Writes the three sample GLBs under `exhibits_root` (the repository's `exhibits/` folder)
/// and returns their paths.
pub fn generate(exhibits_root: &Path) -> Result<Vec<PathBuf>, String> {
    type Builder = fn() -> Result<Vec<u8>, String>;
    let models: [(&str, Builder); 3] = [
        ("dinh-hang-kenh", dinh::build),
        ("trong-dong", drum::build),
        ("sac-phong", decree::build),
    ];
    let mut written = Vec::new();
    for (name, build) in models {
        let dir = exhibits_root.join(name).join("models");
        std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        let path = dir.join(format!("{name}.glb"));
        let bytes = build().map_err(|e| format!("{name}: {e}"))?;
        std::fs::write(&path, bytes).map_err(|e| format!("{}: {e}", path.display()))?;
        written.push(path);
    }
    Ok(written)
}
