//! `disan catalog FOLDER --out DIR`: the catalogue index of a folder of packages, for the
//! viewers' catalogue screen, the portal's open-data page and staff's spreadsheets
//! (`disan_format::catalog` says what is in it).

use std::path::{Component, Path, PathBuf};
use std::process::ExitCode;

use disan_format::catalog::{CatalogEntry, CatalogIndex};

use crate::cli::Command;

#[derive(Debug)]
pub struct CatalogArgs {
    pub folder: PathBuf,
    pub out: PathBuf,
    /// The URL the catalogue folder is published at, for the JSON-LD ids.
    pub base: Option<String>,
}

pub fn parse_catalog(args: Vec<String>) -> Result<Command, String> {
    let mut it = args.into_iter();
    let (mut folder, mut out, mut base) = (None, None, None);
    while let Some(arg) = it.next() {
        let mut value = |name: &str| it.next().ok_or_else(|| format!("{name} needs a value"));
        match arg.as_str() {
            "--out" => out = Some(PathBuf::from(value("--out")?)),
            "--base" => {
                let mut b = value("--base")?;
                if !(b.starts_with("https://") || b.starts_with("http://")) {
                    return Err(format!(
                        "--base must be the http(s) URL the catalogue is published at, not \"{b}\""
                    ));
                }
                if !b.ends_with('/') {
                    b.push('/');
                }
                base = Some(b);
            }
            s if s.starts_with('-') => return Err(format!("unknown option {s} for catalog")),
            s if folder.is_none() => folder = Some(PathBuf::from(s)),
            s => {
                return Err(format!(
                    "unexpected argument \"{s}\": give one folder of packages"
                ));
            }
        }
    }
    let folder =
        folder.ok_or("`catalog` needs a folder of packages: disan catalog FOLDER --out DIR")?;
    let out = out.unwrap_or_else(|| folder.clone());
    Ok(Command::Catalog(CatalogArgs { folder, out, base }))
}

/// `to` relative to `from` with `/` separators, both made absolute first.
fn relative(from: &Path, to: &Path) -> String {
    let abs = |p: &Path| std::path::absolute(p).unwrap_or_else(|_| p.to_owned());
    let normal = |p: PathBuf| -> Vec<String> {
        let mut parts: Vec<String> = Vec::new();
        for c in p.components() {
            match c {
                Component::ParentDir => {
                    parts.pop();
                }
                Component::Normal(s) => parts.push(s.to_string_lossy().into_owned()),
                _ => {}
            }
        }
        parts
    };
    let (from, to) = (normal(abs(from)), normal(abs(to)));
    let common = from.iter().zip(&to).take_while(|(a, b)| a == b).count();
    let mut parts: Vec<String> =
        std::iter::repeat_n("..".to_owned(), from.len() - common).collect();
    parts.extend(to[common..].iter().cloned());
    parts.join("/")
}

/// Writes `text` to `path` through a temporary file and a rename, so a portal serving the
/// folder never hands out half a catalogue.
fn write_atomically(path: &Path, text: &str) -> std::io::Result<()> {
    let tmp = path.with_extension("tmp");
    std::fs::write(&tmp, text)?;
    std::fs::rename(&tmp, path)
}

pub fn run(args: CatalogArgs) -> ExitCode {
    if !args.folder.is_dir() {
        eprintln!(
            "disan catalog: {} is not a folder: give the folder that holds the exhibit packages",
            args.folder.display()
        );
        return ExitCode::from(66);
    }
    let catalogue = disan_format::open_catalogue(&args.folder);
    let mut entries = Vec::new();
    let mut skipped = 0;
    for package in &catalogue.entries {
        match package {
            Ok(package) => {
                let path = relative(&args.out, &package.root);
                let size = |p: &str| {
                    std::fs::metadata(package.root.join(p))
                        .map(|m| m.len())
                        .unwrap_or(0)
                };
                let (entry, warning): (CatalogEntry, _) =
                    CatalogEntry::from_package(package, &path, size);
                if let Some(w) = warning {
                    eprintln!("disan catalog: warning: {w}");
                }
                entries.push(entry);
            }
            Err(e) => {
                skipped += 1;
                eprintln!(
                    "disan catalog: {} is left out of the catalogue:\n{e}",
                    e.root.display()
                );
            }
        }
    }
    let index = CatalogIndex::of_the_city(entries);
    let base = args.base.clone().unwrap_or_default();
    let result = (|| -> std::io::Result<()> {
        std::fs::create_dir_all(args.out.join("records"))?;
        write_atomically(
            &args.out.join(disan_format::catalog::CATALOG_FILE),
            &index.to_json(),
        )?;
        write_atomically(
            &args.out.join("catalog.jsonld"),
            &serde_json::to_string_pretty(&index.to_jsonld(&base)).expect("json"),
        )?;
        write_atomically(&args.out.join("catalog.csv"), &index.to_csv())?;
        for (id, record) in index.records(&base) {
            write_atomically(
                &args.out.join("records").join(format!("{id}.jsonld")),
                &serde_json::to_string_pretty(&record).expect("json"),
            )?;
        }
        Ok(())
    })();
    if let Err(e) = result {
        eprintln!(
            "disan catalog: cannot write the catalogue into {}: {e}",
            args.out.display()
        );
        return ExitCode::from(73);
    }
    let bytes = std::fs::metadata(args.out.join(disan_format::catalog::CATALOG_FILE))
        .map(|m| m.len())
        .unwrap_or(0);
    println!(
        "disan catalog: {} exhibit(s) in {} (catalog.json: {bytes} bytes, {} per exhibit; catalog.jsonld, catalog.csv, records/)",
        index.entries.len(),
        args.out.display(),
        bytes / index.entries.len().max(1) as u64
    );
    if args.base.is_none() {
        println!(
            "disan catalog: the JSON-LD ids are relative; give --base URL (where this folder will be published) to make them absolute"
        );
    }
    if skipped > 0 {
        eprintln!(
            "disan catalog: {skipped} package(s) left out (above); the catalogue lists the others"
        );
        return ExitCode::FAILURE;
    }
    ExitCode::SUCCESS
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn package_paths_are_relative_to_the_index() {
        assert_eq!(
            relative(Path::new("/srv/cat"), Path::new("/srv/cat/dinh-hang-kenh")),
            "dinh-hang-kenh"
        );
        assert_eq!(
            relative(Path::new("/srv/out"), Path::new("/srv/exhibits/trong-dong")),
            "../exhibits/trong-dong"
        );
        assert_eq!(relative(Path::new("/srv/cat"), Path::new("/srv/cat")), "");
    }
}
