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
use std::process::Command;

use crate::{cargo, disan_binary, status, target_dir};

/// The samples' models as a scanning team would hand them over: generated here, then made
/// into levels of detail by `disan pack` (with `--keep-position`: the manifests' hotspots and
/// views are written against the model's frame), exactly as staff's scans are. The levels go
/// into `exhibits/NAME/models/`, and each manifest's `[[models]]` table is replaced by the one
/// pack wrote (levels, bytes, errors, bounds); everything else in the manifests stays.
/// Returns the files written.
pub fn generate(exhibits_root: &Path) -> Result<Vec<PathBuf>, String> {
    status(cargo(&["build", "-p", "disan"]))?;
    let mut written = Vec::new();
    for name in NAMES {
        let source = write_source(name)?;
        let package = source.with_file_name("package");
        let out = Command::new(disan_binary())
            .arg("pack")
            .arg(&source)
            .arg("--out")
            .arg(&package)
            .args(["--id", name, "--keep-position", "--force", "--lang", "en"])
            .output()
            .map_err(|e| format!("disan pack: {e}"))?;
        if !out.status.success() {
            return Err(format!("disan pack {}: {}{}", source.display(), String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr)));
        }
        let models_dir = exhibits_root.join(name).join("models");
        std::fs::create_dir_all(&models_dir).map_err(|e| format!("{}: {e}", models_dir.display()))?;
        for old in files_in(&models_dir)?.into_iter().filter(|p| p.extension().is_some_and(|e| e == "glb")) {
            std::fs::remove_file(&old).map_err(|e| format!("{}: {e}", old.display()))?;
        }
        for level in files_in(&package.join("models"))? {
            let to = models_dir.join(level.file_name().expect("a file"));
            std::fs::copy(&level, &to).map_err(|e| format!("{}: {e}", to.display()))?;
            written.push(to);
        }
        let fresh = read(&package.join("exhibit.toml"))?;
        let manifest = exhibits_root.join(name).join("exhibit.toml");
        let updated = replace_models_table(&read(&manifest)?, &models_table(&fresh)?).map_err(|e| format!("{}: {e}", manifest.display()))?;
        std::fs::write(&manifest, updated).map_err(|e| format!("{}: {e}", manifest.display()))?;
        written.push(manifest);
    }
    Ok(written)
}

/// The sample exhibits, by package id.
pub const NAMES: [&str; 3] = ["dinh-hang-kenh", "trong-dong", "sac-phong"];

/// Generates sample `name`'s model as one GLB (the "scan" before packing) under
/// `target/samples/NAME/`, and returns its path.
pub fn write_source(name: &str) -> Result<PathBuf, String> {
    let build = match name {
        "dinh-hang-kenh" => dinh::build,
        "trong-dong" => drum::build,
        "sac-phong" => decree::build,
        _ => return Err(format!("no sample called {name}")),
    };
    let dir = target_dir().join("samples").join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let path = dir.join(format!("{name}.glb"));
    let bytes = build().map_err(|e| format!("{name}: {e}"))?;
    std::fs::write(&path, bytes).map_err(|e| format!("{}: {e}", path.display()))?;
    Ok(path)
}

fn read(path: &Path) -> Result<String, String> {
    std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))
}

fn files_in(dir: &Path) -> Result<Vec<PathBuf>, String> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir).map_err(|e| format!("{}: {e}", dir.display()))?.filter_map(|e| e.ok().map(|e| e.path())).filter(|p| p.is_file()).collect();
    files.sort();
    Ok(files)
}

/// The `[[models]]` table (with its `[[models.lods]]`) of a manifest `disan pack` wrote.
fn models_table(fresh: &str) -> Result<String, String> {
    let lines: Vec<&str> = fresh.lines().collect();
    let (start, end) = table_span(&lines).ok_or("disan pack wrote no [[models]] table")?;
    Ok(lines[start..end].join("\n") + "\n")
}

/// Lines `start..end` of the one `[[models]]` table and its levels: up to the next table, less
/// the comments and blank lines just above that table (they belong to it).
fn table_span(lines: &[&str]) -> Option<(usize, usize)> {
    let start = lines.iter().position(|l| l.trim() == "[[models]]")?;
    let mut end = lines[start + 1..].iter().position(|l| l.starts_with('[') && !l.starts_with("[[models.lods]]")).map_or(lines.len(), |i| start + 1 + i);
    while end > start + 1 && (lines[end - 1].trim().is_empty() || lines[end - 1].trim_start().starts_with('#')) {
        end -= 1;
    }
    Some((start, end))
}

fn replace_models_table(manifest: &str, table: &str) -> Result<String, String> {
    let lines: Vec<&str> = manifest.lines().collect();
    if lines.iter().filter(|l| l.trim() == "[[models]]").count() != 1 {
        return Err("a sample has exactly one [[models]] table".into());
    }
    let (start, end) = table_span(&lines).expect("counted");
    let mut out = lines[..start].join("\n");
    out.push('\n');
    out.push_str(table.trim_end());
    out.push('\n');
    let rest: Vec<&str> = lines[end..].iter().copied().skip_while(|l| l.trim().is_empty()).collect();
    if !rest.is_empty() {
        out.push('\n');
        out.push_str(&rest.join("\n"));
        out.push('\n');
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_models_table_is_replaced_and_nothing_else() {
        let manifest = "id = \"x\"\n\n[[models]]\nid = \"main\"\nsrc = \"models/x.glb\"\n\n# The bell.\n[[audio]]\nid = \"bell\"\n";
        let fresh = "id = \"x\"\n[[models]]\nid = \"main\"\nsrc = \"models/x-high.glb\"\n\n[[models.lods]]\nquality = \"thumb\"\n\n[rights]\nlicense = \"x\"\n";
        let table = models_table(fresh).unwrap();
        assert!(table.contains("x-high.glb") && table.contains("[[models.lods]]") && !table.contains("rights"), "{table}");
        let updated = replace_models_table(manifest, &table).unwrap();
        assert_eq!(updated, "id = \"x\"\n\n[[models]]\nid = \"main\"\nsrc = \"models/x-high.glb\"\n\n[[models.lods]]\nquality = \"thumb\"\n\n# The bell.\n[[audio]]\nid = \"bell\"\n");
    }
}
