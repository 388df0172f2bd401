//! Broken and hostile content against the real binary: every package of the suite in
//! tests/broken/mod.rs through `disan validate` (the located error it must print) and through
//! the viewer (shown, shown without the file, or the error screen naming it; never a crash, a
//! hang or a read outside the package). Then a soak: 500 exhibit switches, memory growth under
//! 5 %.

mod broken;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use broken::Viewer;

fn disan() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_disan"));
    cmd.current_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("../.."));
    cmd
}

/// The suite generated in a temporary folder, removed when the test ends (pass or fail).
struct Suite {
    root: PathBuf,
    catalogue: PathBuf,
}

impl Drop for Suite {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.root);
    }
}

fn suite(name: &str) -> Suite {
    let root = std::env::temp_dir().join(format!("disan-broken-{}-{name}", std::process::id()));
    let catalogue = broken::generate(&root);
    Suite { root, catalogue }
}

#[test]
fn the_suite_is_large_enough() {
    let cases = broken::cases();
    assert!(cases.len() >= 40, "{} cases", cases.len());
    let kinds = [
        "glb-",
        "gltf-",
        "model",
        "manifest-",
        "image-",
        "sound-",
        "narration-",
        "captions-",
        "fuzz-",
    ];
    for kind in kinds {
        assert!(
            cases.iter().any(|c| c.name.starts_with(kind)),
            "no case of kind {kind}"
        );
    }
}

#[test]
fn validate_reports_every_broken_package_with_its_location() {
    let suite = suite("validate");
    let catalogue = &suite.catalogue;
    let mut failures = Vec::new();
    for case in broken::cases() {
        let out = disan()
            .arg("validate")
            .arg(catalogue.join(case.name))
            .output()
            .unwrap();
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        let crashed = out.status.code().is_none_or(|c| !(0..=2).contains(&c));
        if crashed
            || (case.validate_status != broken::ANY
                && out.status.code() != Some(case.validate_status))
        {
            failures.push(format!(
                "{}: exit status {:?}, expected {}:\n{text}",
                case.name,
                out.status.code(),
                case.validate_status
            ));
            continue;
        }
        for says in case.validate_says {
            if !text.contains(says) {
                failures.push(format!(
                    "{}: the report does not say {says:?}:\n{text}",
                    case.name
                ));
            }
        }
        if text.contains("panicked") {
            failures.push(format!("{}: validate panicked:\n{text}", case.name));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases:\n{}",
        failures.len(),
        broken::cases().len(),
        failures.join("\n\n")
    );
}

/// `soak: K ID …` lines by exhibit id (a package whose manifest cannot be read is named by its
/// folder), the rest of the line after the id.
fn outcomes(log: &str) -> HashMap<String, String> {
    log.lines()
        .filter_map(|l| l.split_once("soak: ").map(|(_, rest)| rest))
        .filter_map(|rest| {
            let (k, rest) = rest.split_once(' ')?;
            k.parse::<u32>().ok()?;
            let (id, outcome) = rest.split_once(' ')?;
            let id = Path::new(id)
                .file_name()
                .map_or(id.to_owned(), |n| n.to_string_lossy().into_owned());
            Some((id, outcome.to_owned()))
        })
        .collect()
}

#[test]
fn the_viewer_shows_refuses_or_leaves_out_and_never_dies() {
    let suite = suite("viewer");
    let catalogue = &suite.catalogue;
    let cases = broken::cases();
    let out = disan()
        .arg(catalogue)
        .args(["--soak", &cases.len().to_string(), "--size", "320x240"])
        .output()
        .unwrap();
    let log = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        out.status.success(),
        "the viewer died ({}):\n{log}",
        out.status
    );
    assert!(!log.contains("panicked"), "{log}");
    let seen = outcomes(&log);
    let mut failures = Vec::new();
    for case in &cases {
        let Some(outcome) = seen.get(case.name) else {
            failures.push(format!("{}: never reached", case.name));
            continue;
        };
        let ok = match case.viewer {
            Viewer::Shown => outcome == "shown",
            Viewer::LeftOut(file, reason) => {
                outcome.starts_with("shown [notices:")
                    && outcome.contains(&format!("{file}: "))
                    && outcome.contains(reason)
            }
            Viewer::Refused(says) => outcome.starts_with("error:") && outcome.contains(says),
            Viewer::Survives => outcome.starts_with("error:") || outcome.starts_with("shown"),
        };
        if !ok {
            failures.push(format!(
                "{}: expected {:?}, got: {outcome}",
                case.name, case.viewer
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases:\n{}\n\nlog:\n{log}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}

#[test]
fn five_hundred_exhibit_switches_do_not_grow_memory() {
    // The three samples, the suite's valid package and two broken ones: every kind of switch a
    // kiosk makes (a monument, an artifact, a document, an error screen, an exhibit with a
    // file left out).
    let suite = suite("soak");
    let generated = &suite.catalogue;
    let catalogue = suite.root.join("soak-catalogue");
    std::fs::create_dir_all(&catalogue).unwrap();
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .unwrap();
    for sample in ["dinh-hang-kenh", "sac-phong", "trong-dong"] {
        std::os::unix::fs::symlink(repo.join("exhibits").join(sample), catalogue.join(sample))
            .unwrap();
    }
    for case in ["ok-control", "glb-index-out-of-range", "sound-garbage"] {
        std::fs::rename(generated.join(case), catalogue.join(case)).unwrap();
    }
    let out = disan()
        .arg(&catalogue)
        .args(["--soak", "500", "--size", "320x240"])
        .output()
        .unwrap();
    let log = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        out.status.success(),
        "the viewer died ({}):\n{}",
        out.status,
        tail(&log)
    );
    let done = log
        .lines()
        .find_map(|l| l.split_once("soak: done after ").map(|(_, r)| r.to_owned()))
        .unwrap_or_else(|| panic!("no end line:\n{}", tail(&log)));
    // The figures, for the record (`cargo test … -- --nocapture` shows them).
    println!("soak: done after {done}");
    let switches: u32 = done.split_whitespace().next().unwrap().parse().unwrap();
    assert_eq!(switches, 500, "{done}");
    let growth: f64 = done
        .split("growth ")
        .nth(1)
        .and_then(|r| r.split_whitespace().next())
        .and_then(|g| g.parse().ok())
        .unwrap_or_else(|| panic!("{done}"));
    assert!(
        growth < 5.0,
        "memory grew {growth} % over 500 switches: {done}"
    );
    let shown = log.matches(" shown").count();
    let refused = log
        .lines()
        .filter(|l| l.contains("soak: ") && l.contains("glb-index-out-of-range error:"))
        .count();
    assert!(
        shown > 300 && refused > 50,
        "every exhibit came round: {shown} shown, {refused} refused\n{}",
        tail(&log)
    );
}

fn tail(log: &str) -> String {
    let lines: Vec<&str> = log.lines().collect();
    lines[lines.len().saturating_sub(40)..].join("\n")
}
