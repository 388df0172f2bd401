//! The museum kiosk against the real binary: a simulated day and night of visitors (25 hours,
//! from opening time to the next morning) with a broken and a missing exhibit in the gallery.
//! The kiosk must not die or grow, must skip the broken ones with a notice, and its usage log,
//! summed by `disan report`, must match exactly what the simulated visitors did. Then staff
//! close it through the hidden exit. Also the configuration's and the report's command lines.

#[allow(dead_code)]
// The suite's expectations are the broken-content test's; this test takes one package.
mod broken;

use std::path::{Path, PathBuf};
use std::process::Command;

fn disan() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_disan"));
    cmd.current_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("../.."));
    cmd
}

/// A folder removed when the test ends (pass or fail).
struct Scratch(PathBuf);

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn scratch(name: &str) -> Scratch {
    let dir = std::env::temp_dir().join(format!("disan-kiosk-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    Scratch(dir)
}

/// The line for `exit.pin_hash`, made by the binary as staff would make it.
fn pin_hash(pin: &str) -> String {
    use std::io::Write;
    let mut child = disan()
        .args(["kiosk", "--hash-pin"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(format!("{pin}\n").as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    let line = String::from_utf8(out.stdout).unwrap();
    assert!(
        line.starts_with("pin_hash = \"$argon2id$") && !line.contains(pin),
        "{line}"
    );
    line
}

/// Bevy's log colours its levels when it thinks it writes to a terminal.
fn plain(log: &str) -> String {
    let mut out = String::with_capacity(log.len());
    let mut chars = log.chars();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            for c in chars.by_ref() {
                if c.is_ascii_alphabetic() {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

fn after<'a>(log: &'a str, marker: &str) -> &'a str {
    log.lines()
        .find_map(|l| l.split_once(marker).map(|(_, r)| r))
        .unwrap_or_else(|| panic!("no line with \"{marker}\" in the log:\n{}", tail(log)))
}

fn tail(log: &str) -> String {
    let lines: Vec<&str> = log.lines().collect();
    lines[lines.len().saturating_sub(60)..].join("\n")
}

#[test]
fn a_simulated_day_and_night_with_a_broken_exhibit() {
    let dir = scratch("day");
    let root = &dir.0;
    // The three samples, a package whose model is refused at load time, and one that is missing.
    let catalogue = root.join("catalogue");
    std::fs::create_dir_all(&catalogue).unwrap();
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .unwrap();
    for sample in ["dinh-hang-kenh", "trong-dong", "sac-phong"] {
        std::os::unix::fs::symlink(repo.join("exhibits").join(sample), catalogue.join(sample))
            .unwrap();
    }
    let generated = broken::generate(&root.join("suite"));
    std::fs::rename(
        generated.join("glb-index-out-of-range"),
        catalogue.join("glb-index-out-of-range"),
    )
    .unwrap();
    let config = root.join("kiosk.toml");
    std::fs::write(
        &config,
        format!(
            r#"name = "thu-nghiem"
catalogue = "catalogue"
exhibits = ["dinh-hang-kenh", "glb-index-out-of-range", "trong-dong", "khong-co", "sac-phong"]
language = "vi"

[idle]
reset_after = 60
countdown = 10
attract_after = 120

[attract]
seconds_per_exhibit = 600

[exit]
corner = "top-left"
hold_seconds = 1
{}
[[hours]]
days = "tue-sun"
open = "08:00"
close = "17:00"

[monitor]
status_file = "run/status.json"
usage_log = "data/usage.jsonl"
"#,
            pin_hash("2468")
        ),
    )
    .unwrap();

    // From Tuesday 08:00 to Wednesday 09:00: a day, a night, and the next morning's first hour.
    let out = disan()
        .args(["kiosk", "--config"])
        .arg(&config)
        .args([
            "--simulate",
            "25",
            "--seed",
            "7",
            "--start",
            "2026-12-01T08:00",
            "--exit-pin",
            "2468",
            "--size",
            "320x240",
        ])
        .output()
        .unwrap();
    let log = plain(&format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    ));
    assert!(
        out.status.success(),
        "the kiosk died or did not close by its PIN ({}):\n{}",
        out.status,
        tail(&log)
    );
    assert!(
        log.contains("a wrong exit PIN was entered (4 tries left)")
            && log.contains("closed by staff with the exit PIN"),
        "{}",
        tail(&log)
    );

    // The figures, for the record (`-- --nocapture` shows them).
    let memory = after(&log, "kiosk-sim: memory ");
    println!("kiosk: memory {memory}");
    let woke: Vec<f64> = log
        .lines()
        .filter_map(|l| {
            l.split_once("kiosk-sim: woke in ")
                .and_then(|(_, r)| r.split_whitespace().next()?.parse().ok())
        })
        .collect();
    println!(
        "kiosk: woke from the attract loop {} times, ms: {woke:?}",
        woke.len()
    );
    println!(
        "kiosk: {}",
        after(&log, "kiosk-sim: ").lines().next().unwrap_or("")
    );
    let growth: f64 = memory
        .split("growth ")
        .nth(1)
        .and_then(|r| r.split_whitespace().next()?.parse().ok())
        .unwrap_or_else(|| panic!("{memory}"));
    assert!(
        growth < 5.0,
        "memory grew {growth} % from the first day to the 25th hour: {memory}"
    );

    // Broken and missing exhibits are skipped and said; no other error.
    assert!(
        log.contains("\"khong-co\" is left out of the gallery"),
        "{}",
        tail(&log)
    );
    assert!(
        log.contains("\"glb-index-out-of-range\" could not be opened and is skipped"),
        "the attract loop or a visitor tried it:\n{}",
        tail(&log)
    );
    let unexpected: Vec<&str> = log
        .lines()
        .filter(|l| l.contains(" ERROR ") || l.contains("panicked"))
        .filter(|l| !l.contains("glb-index-out-of-range") && !l.contains("khong-co"))
        .collect();
    assert!(
        unexpected.is_empty(),
        "errors beyond the broken exhibits:\n{}",
        unexpected.join("\n")
    );
    let status: serde_json::Value = serde_json::from_slice(
        &std::fs::read(root.join("run/status.json")).expect("the status file"),
    )
    .unwrap();
    assert_eq!(status["kiosk"], "thu-nghiem");
    let skipped: Vec<&str> = status["skipped"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|s| s.as_str())
        .collect();
    assert!(
        skipped.contains(&"khong-co") && skipped.contains(&"glb-index-out-of-range"),
        "{status}"
    );
    assert!(
        status["last_error"]["message"]
            .as_str()
            .is_some_and(|m| !m.is_empty()),
        "{status}"
    );

    // The counters, summed by `disan report`, are exactly the visits.
    let expected: serde_json::Value =
        serde_json::from_str(after(&log, "kiosk-sim: expected ")).unwrap();
    let report = disan()
        .args(["report"])
        .arg(root.join("data/usage.jsonl"))
        .args([
            "--from",
            "2026-12-01",
            "--to",
            "2026-12-02",
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    assert!(
        report.status.success(),
        "{}",
        String::from_utf8_lossy(&report.stderr)
    );
    let report: serde_json::Value = serde_json::from_slice(&report.stdout).unwrap();
    let total = &report["total"];
    assert!(
        expected["sessions"].as_u64().unwrap() >= 10,
        "a day has visitors: {expected}"
    );
    assert_eq!(total["sessions"], expected["sessions"], "sessions");
    assert_eq!(
        total["languages"], expected["languages"],
        "visits per language"
    );
    let exhibits = expected["exhibits"].as_object().unwrap();
    for (id, want) in exhibits {
        let got = &total["exhibits"][id];
        for field in [
            "views",
            "hotspots_opened",
            "tours_started",
            "tours_completed",
        ] {
            assert_eq!(
                got[field], want[field],
                "{id}: {field}\nexpected {want}\nreported {got}"
            );
        }
    }
    for (id, got) in total["exhibits"].as_object().unwrap() {
        assert!(
            exhibits.contains_key(id),
            "counted views of {id} that no visitor saw: {got}"
        );
    }
    assert!(
        exhibits
            .values()
            .map(|e| e["tours_completed"].as_u64().unwrap())
            .sum::<u64>()
            > 0,
        "some visitors watched a tour to its end: {expected}"
    );
    // Only the day's visits: the kiosk was closed all night.
    assert_eq!(
        report["months"]
            .as_object()
            .unwrap()
            .keys()
            .collect::<Vec<_>>(),
        ["2026-12"]
    );
}

/// `kiosk.toml` in `dir` whose attract loop would start before the countdown ends.
fn config_with_a_mistake(dir: &Scratch) -> PathBuf {
    let config = dir.0.join("kiosk.toml");
    std::fs::write(
        &config,
        "catalogue = \"exhibits\"\n[idle]\nreset_after = 90\ncountdown = 10\nattract_after = 60\n",
    )
    .unwrap();
    config
}

/// `disan COMMAND --config` on [`config_with_a_mistake`]: refused with status 78, the file, the
/// field and what to write named. Returns the file, for more of the same test.
fn refuses_the_mistake(command: &str, dir: &Scratch) -> PathBuf {
    let config = config_with_a_mistake(dir);
    let out = disan()
        .args([command, "--config"])
        .arg(&config)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(78), "{command}: {err}");
    assert!(
        err.contains("kiosk.toml")
            && err.contains("`idle.attract_after`")
            && err.contains("at least 100"),
        "{command}: {err}"
    );
    config
}

#[test]
fn a_mistake_in_the_configuration_is_named_before_anything_starts() {
    let dir = scratch("config");
    refuses_the_mistake("kiosk", &dir);
    let out = disan()
        .args(["kiosk", "--config"])
        .arg(dir.0.join("nowhere.toml"))
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&out.stderr).contains("nowhere.toml: cannot be read"));
}

/// The watchdog refuses a configuration the kiosk would refuse, once, instead of restarting a
/// kiosk that cannot start; `--check` (which the Windows installer runs) says what it would watch.
#[test]
fn the_watchdog_checks_the_configuration_before_it_starts_anything() {
    let dir = scratch("watchdog");
    let config = refuses_the_mistake("watchdog", &dir);
    assert!(
        !dir.0.join("disan-watchdog.log").exists(),
        "nothing was started, nothing logged"
    );

    // The file the Windows zip carries, beside a copy of the bundled exhibits' folder name.
    let shipped = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../packaging/windows/kiosk.toml");
    std::fs::copy(&shipped, &config).unwrap();
    let out = disan()
        .args(["watchdog", "--check", "--config"])
        .arg(&config)
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{said}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let status = dir.0.join("data").join("kiosk-status.json");
    let log = dir.0.join("data").join("disan-watchdog.log");
    assert!(
        said.contains(&status.display().to_string()) && said.contains(&log.display().to_string()),
        "{said}"
    );
}

#[test]
fn the_report_sums_a_log_with_a_torn_line() {
    let dir = scratch("report");
    let log = dir.0.join("usage.jsonl");
    std::fs::write(
        &log,
        concat!(
            r#"{"at":"2026-11-30T16:00:00+07:00","kiosk":"k","session":1,"event":"session-start","lang":"vi"}"#,
            "\n",
            r#"{"at":"2026-11-30T16:00:05+07:00","kiosk":"k","session":1,"event":"view","exhibit":"dinh-hang-kenh","lang":"vi"}"#,
            "\n",
            r#"{"at":"2026-11-30T16:00:09+07:00","kiosk":"k","sess"#,
            "\n",
            r#"{"at":"2026-12-01T09:00:00+07:00","kiosk":"k","session":2,"event":"session-start","lang":"vi"}"#,
            "\n",
        ),
    )
    .unwrap();
    let out = disan()
        .args(["report"])
        .arg(&log)
        .args(["--from", "2026-01-01", "--to", "2026-12-31"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("1 line(s) could not be read") && err.contains("line 3"),
        "{err}"
    );
    let csv = String::from_utf8(out.stdout).unwrap();
    assert!(
        csv.lines()
            .any(|l| l.starts_with("2026-11,dinh-hang-kenh,1,,1,")),
        "{csv}"
    );
    assert!(csv.lines().any(|l| l.starts_with("total,*,2,")), "{csv}");
    let bad = disan()
        .args(["report"])
        .arg(&log)
        .args(["--from", "2026-12-31", "--to", "2026-01-01"])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&bad.stderr).contains("before --from"));
}
