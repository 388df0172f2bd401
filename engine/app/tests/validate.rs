//! `disan validate` as heritage staff use it: exit status and messages.

use std::path::Path;
use std::process::Command;

fn disan(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_disan"))
        .args(args)
        .output()
        .unwrap()
}

#[test]
fn the_bundled_exhibits_validate_cleanly() {
    let exhibits = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../exhibits");
    let out = disan(&["validate", exhibits.to_str().unwrap()]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{text}");
    assert!(text.matches(": ok").count() >= 3, "{text}");
}

#[test]
fn a_broken_manifest_fails_with_every_problem_located() {
    let dir = std::env::temp_dir().join(format!("disan-validate-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("exhibit.toml"),
        "format = 1\nid = \"x\"\nkind = \"relic\"\nrank = \"national\"\ntitel = { vi = \"a\" }\n",
    )
    .unwrap();
    let out = disan(&["validate", dir.to_str().unwrap()]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(
        text.contains("exhibit.toml:3:8: error: `kind`: \"relic\" is not allowed here"),
        "{text}"
    );
    assert!(
        text.contains("exhibit.toml:5:1: error: `titel`: unknown field `titel`"),
        "{text}"
    );
    assert!(text.contains("missing required field `models`"), "{text}");
    assert!(text.contains("error(s)"), "{text}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn lessons_validate_against_the_exhibits_they_are_taught_with() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    // The sample lessons, as a folder, against the bundled exhibits (the default).
    let out = disan(&[
        "validate",
        "--lang",
        "en",
        root.join("lessons").to_str().unwrap(),
    ]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{text}");
    assert_eq!(text.matches(".lesson.toml: ok").count(), 2, "{text}");

    // A lesson naming a hotspot the exhibit does not have: located, and the run fails.
    let dir = std::env::temp_dir().join(format!("disan-validate-lesson-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let lesson =
        std::fs::read_to_string(root.join("lessons/trong-dong-dong-son.lesson.toml")).unwrap();
    let broken = lesson.replacen("hotspot = \"star\"", "hotspot = \"sun\"", 1);
    assert_ne!(broken, lesson);
    let file = dir.join("thu.lesson.toml");
    std::fs::write(&file, &broken).unwrap();
    let out = disan(&[
        "validate",
        "--lang",
        "en",
        "--exhibits",
        root.join("exhibits").to_str().unwrap(),
        file.to_str().unwrap(),
    ]);
    let text = String::from_utf8_lossy(&out.stdout);
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(out.status.code(), Some(1), "{text}");
    let line = broken
        .lines()
        .position(|l| l.contains("hotspot = \"sun\""))
        .unwrap()
        + 1;
    assert!(text.contains(&format!("thu.lesson.toml:{line}:11: error: `steps[1].questions[0].hotspot`: exhibit \"trong-dong\" has no hotspot \"sun\"")), "{text}");
}
