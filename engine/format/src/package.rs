//! Opening exhibit packages and catalogues from disk: the manifest is read and checked, and
//! every file it names must exist inside the package.

use std::path::{Path, PathBuf};

use crate::manifest::{Manifest, PackagePath};
use crate::parse::parse_manifest;
use crate::problem::{LineCol, Problem, Problems, Severity};

/// The manifest's file name inside a package folder.
pub const MANIFEST_FILE: &str = "exhibit.toml";

/// A package that opened without errors (it may carry warnings).
#[derive(Clone, Debug)]
pub struct Package {
    pub root: PathBuf,
    pub manifest: Manifest,
    pub warnings: Vec<Problem>,
}

impl Package {
    pub fn file(&self, path: &PackagePath) -> PathBuf {
        self.root.join(path.as_str())
    }
}

/// Why a package could not be opened: every problem found, in reading order.
#[derive(Clone, Debug, thiserror::Error)]
#[error("{} could not be opened ({} problem(s)):\n{}", root.display(), problems.len(), render(problems))]
pub struct PackageError {
    pub root: PathBuf,
    pub problems: Vec<Problem>,
}

fn render(problems: &[Problem]) -> String {
    problems.iter().map(|p| format!("  {p}")).collect::<Vec<_>>().join("\n")
}

/// Reads and checks the package in `root` (a folder holding `exhibit.toml`).
/// Returns all problems found; `Ok` only when there are no errors.
pub fn open_package(root: &Path) -> Result<Package, PackageError> {
    let (manifest, problems) = check_package(root);
    into_package(root, manifest, problems)
}

fn into_package(root: &Path, manifest: Option<Manifest>, problems: Problems) -> Result<Package, PackageError> {
    let problems = problems.into_sorted();
    match manifest {
        Some(manifest) if !problems.iter().any(|p| p.severity == Severity::Error) => {
            Ok(Package { root: root.to_owned(), manifest, warnings: problems })
        }
        _ => Err(PackageError { root: root.to_owned(), problems }),
    }
}

/// Every problem in the package at `root`, and the manifest if it could be read.
pub fn check_package(root: &Path) -> (Option<Manifest>, Problems) {
    let manifest_path = root.join(MANIFEST_FILE);
    let mut problems = Problems::default();
    if !root.is_dir() {
        let msg = if root.exists() {
            "is not a folder: an exhibit package is a folder holding exhibit.toml and the files it names."
        } else {
            "does not exist: check the path, or run `disan` without arguments to open the bundled exhibits."
        };
        problems.error(root, None, "", msg);
        return (None, problems);
    }
    let source = match std::fs::read(&manifest_path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            problems.error(&manifest_path, None, "", "is missing: every exhibit package needs an exhibit.toml (see docs/exhibit-format.md).");
            return (None, problems);
        }
        Err(e) => {
            problems.error(&manifest_path, None, "", format!("cannot be read: {e}."));
            return (None, problems);
        }
        Ok(bytes) => match String::from_utf8(bytes) {
            Ok(s) => s,
            Err(e) => {
                problems.error(
                    &manifest_path,
                    None,
                    "",
                    format!("is not UTF-8 text (byte {}): save it as UTF-8 so Vietnamese letters survive.", e.utf8_error().valid_up_to()),
                );
                return (None, problems);
            }
        },
    };
    let (manifest, parse_problems) = parse_manifest(&manifest_path, &source);
    problems.extend(parse_problems);
    if let Some(m) = &manifest {
        check_files(root, &manifest_path, &source, m, &mut problems);
    }
    (manifest, problems)
}

fn check_files(root: &Path, manifest_path: &Path, source: &str, manifest: &Manifest, problems: &mut Problems) {
    let canonical_root = root.canonicalize().ok();
    let mut seen = std::collections::HashSet::new();
    for path in manifest.referenced_files() {
        if !seen.insert(path.as_str()) {
            continue;
        }
        let full = root.join(path.as_str());
        // Point at where the manifest names the file, so the fix is one click away in an editor.
        let at = source.find(&format!("\"{path}\"")).map(|i| LineCol::from_offset(source, i));
        if !full.is_file() {
            problems.error(manifest_path, at, "", format!("names \"{path}\", which is not in the package: add the file at {} or fix the path.", full.display()));
            continue;
        }
        // Captions are text a person writes: check them here, where the fix is made.
        if path.as_str().to_ascii_lowercase().ends_with(".vtt") {
            match std::fs::read_to_string(&full) {
                Ok(text) => {
                    if let Err(e) = crate::vtt::parse_vtt(&text) {
                        problems.error(&full, Some(LineCol { line: e.line, column: 1 }), "", format!("{}.", e.message));
                    }
                }
                Err(e) => problems.error(&full, None, "", format!("cannot be read as UTF-8 text: {e}.")),
            }
        }
        // A symbolic link could still lead out of the package.
        if let (Some(root), Ok(real)) = (&canonical_root, full.canonicalize())
            && !real.starts_with(root)
        {
            problems.error(manifest_path, at, "", format!("\"{path}\" is a link that leads outside the package: copy the file in instead."));
        }
    }
}

/// A package whose manifest text was fetched rather than read from a folder (the browser, which
/// cannot list or stat files): it is parsed and checked like any other, and the files it names
/// are checked as they load, each failure naming its file.
pub fn package_from_manifest_text(root: &Path, source: &str) -> Result<Package, PackageError> {
    let (manifest, problems) = parse_manifest(&root.join(MANIFEST_FILE), source);
    into_package(root, manifest, problems)
}

/// A package that could not be fetched at all (no manifest at that address, a network error).
pub fn unreachable_package(root: &Path, reason: &str) -> PackageError {
    let mut problems = Problems::default();
    problems.error(
        &root.join(MANIFEST_FILE),
        None,
        "",
        format!("could not be fetched: {reason}. Check the exhibit's address, and that the server publishes the package folder."),
    );
    PackageError { root: root.to_owned(), problems: problems.into_sorted() }
}

/// A catalogue: the packages in a folder's sub-folders, in name order. A broken package is kept
/// as an entry with its problems, so the viewer can show what is wrong and go on with the rest.
#[derive(Debug)]
pub struct Catalogue {
    pub root: PathBuf,
    pub entries: Vec<Result<Package, PackageError>>,
}

/// Opens `path` as a single package when it holds `exhibit.toml`, else as a catalogue folder.
pub fn open_catalogue(path: &Path) -> Catalogue {
    if path.join(MANIFEST_FILE).is_file() || !path.is_dir() {
        return Catalogue { root: path.to_owned(), entries: vec![open_package(path)] };
    }
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(path)
        .map(|rd| rd.filter_map(Result::ok).map(|e| e.path()).filter(|p| p.join(MANIFEST_FILE).is_file()).collect())
        .unwrap_or_default();
    dirs.sort();
    let mut entries: Vec<_> = dirs.iter().map(|d| open_package(d)).collect();
    if entries.is_empty() {
        let mut problems = Problems::default();
        problems.error(path, None, "", "holds no exhibit packages (no sub-folder has an exhibit.toml).");
        entries.push(Err(PackageError { root: path.to_owned(), problems: problems.into_sorted() }));
    }
    Catalogue { root: path.to_owned(), entries }
}
