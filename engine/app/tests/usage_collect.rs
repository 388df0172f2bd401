//! `disan usage-collect` against the real binary: a browser page's batches of usage records
//! over HTTP, appended whole or refused whole, and summed by `disan report` with a kiosk's log.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};

struct Collector {
    child: Child,
    address: String,
    log: PathBuf,
    dir: PathBuf,
}

impl Drop for Collector {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn start(extra: &[&str]) -> Collector {
    let dir = std::env::temp_dir().join(format!(
        "disan-usage-collect-{}-{}",
        std::process::id(),
        extra.len()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let log = dir.join("web-usage.jsonl");
    let mut child = Command::new(env!("CARGO_BIN_EXE_disan"))
        .args(["usage-collect", "--listen", "127.0.0.1:0", "--out"])
        .arg(&log)
        .args(extra)
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let address = line
        .split("http://")
        .nth(1)
        .and_then(|rest| rest.split('/').next())
        .unwrap_or_else(|| panic!("no address in {line:?}"))
        .to_owned();
    Collector {
        child,
        address,
        log,
        dir,
    }
}

/// Sends one request, returns the status code.
fn post(address: &str, origin: Option<&str>, body: &str) -> u16 {
    let mut stream = TcpStream::connect(address).unwrap();
    let origin = origin
        .map(|o| format!("Origin: {o}\r\n"))
        .unwrap_or_default();
    write!(
        stream,
        "POST /usage HTTP/1.1\r\nHost: {address}\r\nContent-Type: text/plain\r\n{origin}Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    answer
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0)
}

fn record(session: u64, event: &str) -> String {
    format!(
        r#"{{"at":"2026-12-02T09:{:02}:00.000+07:00","kiosk":"web","session":{session},{event}}}"#,
        session % 60
    )
}

#[test]
fn a_pages_batches_are_kept_whole_and_the_report_sums_them_with_a_kiosks() {
    let c = start(&[]);
    let visit = [
        record(1, r#""event":"session-start","lang":"vi""#),
        record(1, r#""event":"view","exhibit":"trong-dong","lang":"vi""#),
        record(
            1,
            r#""event":"hotspot","exhibit":"trong-dong","hotspot":"handle""#,
        ),
        record(
            1,
            r#""event":"view-end","exhibit":"trong-dong","seconds":42.5"#,
        ),
        record(1, r#""event":"session-end","seconds":42.5"#),
    ]
    .join("\n");
    assert_eq!(
        post(&c.address, Some("https://portal.example.vn"), &visit),
        204
    );
    // A batch with one forged line (a kiosk's name) is refused whole: nothing of it is written.
    let forged = [
        record(2, r#""event":"session-start","lang":"en""#),
        record(2, r#""event":"view","exhibit":"trong-dong","lang":"en""#)
            .replace("\"web\"", "\"sanh-chinh\""),
    ]
    .join("\n");
    assert_eq!(post(&c.address, None, &forged), 400);
    assert_eq!(post(&c.address, None, "{\"not\": \"a record\"}"), 400);
    assert_eq!(post(&c.address, None, &"x".repeat(70 * 1024)), 413);
    let written = std::fs::read_to_string(&c.log).unwrap();
    assert_eq!(written.lines().count(), 5, "{written}");

    // A kiosk's log beside it: `report` sums both.
    let kiosk_log = c.dir.join("kiosk-usage.jsonl");
    std::fs::write(
        &kiosk_log,
        [
            r#"{"at":"2026-12-02T10:00:00.000+07:00","kiosk":"sanh-chinh","session":7,"event":"session-start","lang":"en"}"#,
            r#"{"at":"2026-12-02T10:00:01.000+07:00","kiosk":"sanh-chinh","session":7,"event":"view","exhibit":"trong-dong","lang":"en"}"#,
            "",
        ]
        .join("\n"),
    )
    .unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_disan"))
        .args([
            "report",
            "--from",
            "2026-12-01",
            "--to",
            "2026-12-31",
            "--format",
            "json",
        ])
        .arg(&c.log)
        .arg(&kiosk_log)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let drum = &report["total"]["exhibits"]["trong-dong"];
    assert_eq!(report["total"]["sessions"], 2);
    assert_eq!(drum["views"], 2);
    assert_eq!(drum["hotspots_opened"], 1);
    assert_eq!(drum["languages"]["vi"], 1);
    assert_eq!(drum["languages"]["en"], 1);
}

#[test]
fn only_the_listed_sites_pages_may_send() {
    let c = start(&["--origin", "https://portal.example.vn"]);
    let line = record(3, r#""event":"session-start","lang":"vi""#);
    assert_eq!(
        post(&c.address, Some("https://elsewhere.example.com"), &line),
        403
    );
    assert_eq!(
        post(&c.address, None, &line),
        403,
        "a request that names no site"
    );
    assert_eq!(
        post(&c.address, Some("https://portal.example.vn"), &line),
        204
    );
    assert_eq!(std::fs::read_to_string(&c.log).unwrap().lines().count(), 1);
}
