//! The watchdog against real processes: this test program runs itself as the "kiosk" (the
//! `kiosk_stand_in` test below, told what to do by extra arguments), so the same tests run on
//! Linux and, cross-compiled, under Wine (`cargo xtask windows`).

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::time::Duration;

use disan_kiosk::watchdog::{Ended, Watch, WatchEvent};

const ROLE: &str = "disan-role=";
const DIR: &str = "disan-dir=";

/// The stand-in kiosk. Run by the test harness as an ordinary test it does nothing; run by a
/// watch it reads its role and folder from the arguments, counts its starts in `starts`, and
/// behaves as told for that start:
/// - `fail-twice`: exits with 3 on its first two starts, with 0 (closed by staff) on the third;
/// - `hang-once`: writes its status, then stops writing it and sleeps; on its second start
///   writes its status and exits with 0;
/// - `silent-once`: never writes a status and sleeps; on its second start exits with 0;
/// - `always-fail`: exits with 1 every time.
#[test]
fn kiosk_stand_in() {
    let args: Vec<String> = std::env::args().collect();
    let value = |prefix: &str| {
        args.iter()
            .find_map(|a| a.strip_prefix(prefix).map(str::to_owned))
    };
    let (Some(role), Some(dir)) = (value(ROLE), value(DIR)) else {
        return;
    };
    let dir = PathBuf::from(dir);
    let starts_file = dir.join("starts");
    let start = std::fs::read_to_string(&starts_file)
        .map(|s| s.trim().parse::<u32>().unwrap_or(0))
        .unwrap_or(0)
        + 1;
    std::fs::write(&starts_file, start.to_string()).unwrap();
    let status = dir.join("status.json");
    let write_status = || std::fs::write(&status, "{}").unwrap();
    let code = match (role.as_str(), start) {
        ("fail-twice", 1 | 2) => 3,
        ("fail-twice", _) => 0,
        ("hang-once", 1) => {
            write_status();
            std::thread::sleep(Duration::from_secs(60));
            9
        }
        ("hang-once", _) => {
            write_status();
            0
        }
        ("silent-once", 1) => {
            std::thread::sleep(Duration::from_secs(60));
            9
        }
        ("silent-once", _) => 0,
        _ => 1,
    };
    std::process::exit(code);
}

struct Folder(PathBuf);

impl Folder {
    fn new(name: &str) -> Self {
        let dir =
            std::env::temp_dir().join(format!("disan-watchdog-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        Self(dir)
    }

    fn starts(&self) -> u32 {
        std::fs::read_to_string(self.0.join("starts"))
            .unwrap()
            .trim()
            .parse()
            .unwrap()
    }
}

impl Drop for Folder {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A watch of the stand-in in `role`, with times short enough for a test.
fn watch(role: &str, dir: &Path) -> Watch {
    let args: Vec<OsString> = vec![
        "--exact".into(),
        "kiosk_stand_in".into(),
        "--nocapture".into(),
        format!("{ROLE}{role}").into(),
        format!("{DIR}{}", dir.display()).into(),
    ];
    Watch {
        program: std::env::current_exe().unwrap(),
        args,
        status_file: dir.join("status.json"),
        start_timeout: Duration::from_secs(3),
        stale_after: Duration::from_millis(1500),
        restart_delay: Duration::from_millis(100),
        max_restarts: 3,
        restart_window: Duration::from_secs(60),
        poll: Duration::from_millis(100),
    }
}

fn run(watch: &Watch) -> (Ended, Vec<WatchEvent>) {
    let mut events = Vec::new();
    let ended = watch.run(&mut |e| events.push(e.clone())).unwrap();
    (ended, events)
}

fn exits(events: &[WatchEvent]) -> Vec<Option<i32>> {
    events
        .iter()
        .filter_map(|e| match e {
            WatchEvent::Exited { code } => Some(*code),
            _ => None,
        })
        .collect()
}

#[test]
fn a_kiosk_that_dies_is_started_again_until_staff_close_it() {
    let dir = Folder::new("dies");
    let (ended, events) = run(&watch("fail-twice", &dir.0));
    assert_eq!(ended, Ended::ClosedByStaff, "{events:?}");
    assert_eq!(dir.starts(), 3);
    assert_eq!(exits(&events), [Some(3), Some(3), Some(0)]);
    let restarts = events
        .iter()
        .filter(|e| matches!(e, WatchEvent::Restarting { .. }))
        .count();
    assert_eq!(restarts, 2, "{events:?}");
}

#[test]
fn a_kiosk_whose_status_stops_is_killed_and_started_again() {
    let dir = Folder::new("hangs");
    let (ended, events) = run(&watch("hang-once", &dir.0));
    assert_eq!(ended, Ended::ClosedByStaff, "{events:?}");
    assert_eq!(dir.starts(), 2);
    let hung = events
        .iter()
        .find_map(|e| match e {
            WatchEvent::Hung { silent_for } => Some(*silent_for),
            _ => None,
        })
        .unwrap_or_else(|| panic!("no hang seen: {events:?}"));
    // Killed soon after the limit, long before the stand-in's own 60 s sleep ends.
    assert!(
        hung > Duration::from_millis(1500) && hung < Duration::from_secs(10),
        "{hung:?}"
    );
    assert_eq!(
        exits(&events),
        [Some(0)],
        "the hung one was killed, not waited for"
    );
}

#[test]
fn a_kiosk_that_never_writes_its_status_is_killed_after_the_start_timeout() {
    let dir = Folder::new("silent");
    // A status file from an earlier run does not count for this one.
    std::fs::write(dir.0.join("status.json"), "{}").unwrap();
    std::thread::sleep(Duration::from_millis(50));
    let (ended, events) = run(&watch("silent-once", &dir.0));
    assert_eq!(ended, Ended::ClosedByStaff, "{events:?}");
    assert!(
        events.iter().any(
            |e| matches!(e, WatchEvent::NeverReady { waited } if *waited >= Duration::from_secs(3))
        ),
        "{events:?}"
    );
    assert_eq!(dir.starts(), 2);
}

#[test]
fn a_kiosk_that_keeps_failing_is_left_stopped() {
    let dir = Folder::new("always");
    let (ended, events) = run(&watch("always-fail", &dir.0));
    assert_eq!(ended, Ended::GaveUp { restarts: 3 }, "{events:?}");
    // The first start and three restarts.
    assert_eq!(dir.starts(), 4);
    let last = events.last().unwrap();
    assert!(
        matches!(last, WatchEvent::GaveUp { restarts: 4, .. }),
        "{last:?}"
    );
    assert!(last.to_string().contains("left stopped"), "{last}");
}
