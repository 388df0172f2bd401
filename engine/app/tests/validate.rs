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
