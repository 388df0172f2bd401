//! `disan validate`: every problem of every package, then a one-line verdict per package.

use std::path::PathBuf;
use std::process::ExitCode;

use disan_format::lesson::LESSON_SUFFIX;
use disan_format::{MANIFEST_FILE, Severity, validate_package};
use disan_pack::Lang;

/// `--lang`, else the locale (staff's machines in Vietnamese get Vietnamese).
pub fn lang(flag: Option<&str>) -> Lang {
    flag.and_then(Lang::parse)
        .unwrap_or_else(Lang::from_environment)
}

fn is_lesson(path: &std::path::Path) -> bool {
    path.file_name()
        .is_some_and(|n| n.to_string_lossy().ends_with(LESSON_SUFFIX))
}

/// `exhibits`: the catalogue lessons are checked against (`--exhibits`, else the bundled one).
pub fn run(paths: &[PathBuf], lang: Lang, exhibits: Option<&std::path::Path>) -> ExitCode {
    let mut packages = Vec::new();
    let mut lessons = Vec::new();
    for path in paths {
        if is_lesson(path) {
            lessons.push(path.clone());
        } else if path.join(MANIFEST_FILE).is_file() || !path.is_dir() {
            packages.push(path.clone());
        } else {
            // A catalogue folder: check each package in it.
            let mut found: Vec<PathBuf> = std::fs::read_dir(path)
                .map(|rd| {
                    rd.filter_map(Result::ok)
                        .map(|e| e.path())
                        .filter(|p| p.join(MANIFEST_FILE).is_file())
                        .collect()
                })
                .unwrap_or_default();
            found.sort();
            // A folder of lessons (`lessons/`).
            let mut lesson_files: Vec<PathBuf> = std::fs::read_dir(path)
                .map(|rd| {
                    rd.filter_map(Result::ok)
                        .map(|e| e.path())
                        .filter(|p| is_lesson(p))
                        .collect()
                })
                .unwrap_or_default();
            lesson_files.sort();
            if found.is_empty() && lesson_files.is_empty() {
                packages.push(path.clone());
            }
            packages.extend(found);
            lessons.extend(lesson_files);
        }
    }
    let catalogue = (!lessons.is_empty()).then(|| {
        let folder = exhibits
            .map(std::path::Path::to_owned)
            .unwrap_or_else(crate::find_bundled_exhibits);
        disan_format::open_catalogue(&folder)
    });
    let (mut errors, mut warnings) = (0usize, 0usize);
    let checked = packages
        .iter()
        .map(|p| (p, validate_package(p).1))
        .chain(lessons.iter().map(|l| {
            (
                l,
                disan_format::lesson::validate_lesson(
                    l,
                    catalogue.as_ref().expect("opened for lessons"),
                )
                .1,
            )
        }));
    for (package, problems) in checked {
        let problems = problems.into_sorted();
        for p in &problems {
            match lang {
                Lang::En => println!("{p}"),
                // The location and field stay as written; the severity and the messages staff
                // meet most are said in Vietnamese (see docs/pipeline.md, "Reading validate").
                Lang::Vi => println!("{}", p.to_vietnamese()),
            }
        }
        let e = problems
            .iter()
            .filter(|p| p.severity == Severity::Error)
            .count();
        let w = problems.len() - e;
        let blocking = problems.iter().filter(|p| p.blocks_opening()).count();
        errors += e;
        warnings += w;
        let verdict = match (lang, e, w) {
            (Lang::En, 0, 0) => "ok".to_owned(),
            (Lang::En, 0, w) => format!("ok with {w} warning(s)"),
            (Lang::En, e, w) if blocking == 0 => format!(
                "{e} error(s), {w} warning(s): shown without the files named above until they are fixed"
            ),
            (Lang::En, e, w) => {
                format!("{e} error(s), {w} warning(s): not shown by the viewer until fixed")
            }
            (Lang::Vi, 0, 0) => "đạt".to_owned(),
            (Lang::Vi, 0, w) => format!("đạt, {w} cảnh báo"),
            (Lang::Vi, e, w) if blocking == 0 => format!(
                "{e} lỗi, {w} cảnh báo: trình xem hiển thị nhưng bỏ các tệp nêu trên cho đến khi sửa"
            ),
            (Lang::Vi, e, w) => {
                format!("{e} lỗi, {w} cảnh báo: trình xem không hiển thị cho đến khi sửa")
            }
        };
        println!("{}: {verdict}", package.display());
    }
    if errors > 0 {
        ExitCode::from(1)
    } else if warnings > 0 {
        ExitCode::from(2)
    } else {
        ExitCode::SUCCESS
    }
}
