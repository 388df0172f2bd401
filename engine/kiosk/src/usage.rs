//! Anonymous usage counters: one JSON line per thing a visitor did, appended to a log that a
//! power cut cannot corrupt. Nothing names or identifies a visitor: a session is a number (the
//! millisecond it began) and the events are what was looked at, in which language, for how long.
//!
//! Safety on power loss: each record is one `write` of a whole line followed by `fsync`, so a
//! record is either on disk or not. A cut in the middle of a write can leave a torn last line;
//! the next append starts a fresh line after it, and the reader skips it and says so.

use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

/// One line of the usage log.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct UsageRecord {
    /// Local time with its offset (RFC 3339), so the month is the museum's month.
    pub at: String,
    /// Which kiosk (or `web` for a browser page).
    pub kiosk: String,
    /// The visit it belongs to: the millisecond (Unix time) the visit began.
    pub session: u64,
    #[serde(flatten)]
    pub event: UsageEvent,
}

/// What a visitor did. Only a visitor's actions are counted, never the attract loop's.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[serde(tag = "event", rename_all = "kebab-case")]
pub enum UsageEvent {
    /// A visit began (the first touch), in this language.
    SessionStart {
        lang: String,
    },
    /// The visit ended (idle reset, closing time, exit); `seconds` from the first to the last
    /// touch (or the end of a tour the visitor watched).
    SessionEnd {
        seconds: f64,
    },
    /// An exhibit was opened and shown.
    View {
        exhibit: String,
        lang: String,
    },
    /// The visitor left it after `seconds` (to the last touch, if they walked away).
    ViewEnd {
        exhibit: String,
        seconds: f64,
    },
    Hotspot {
        exhibit: String,
        hotspot: String,
    },
    TourStart {
        exhibit: String,
        tour: String,
    },
    /// A tour played to its last stop.
    TourComplete {
        exhibit: String,
        tour: String,
    },
    /// The visitor switched the language.
    Language {
        lang: String,
    },
}

/// The log file, appended to.
#[derive(Debug, Clone)]
pub struct UsageLog {
    path: PathBuf,
}

impl UsageLog {
    pub fn new(path: impl Into<PathBuf>) -> Self {
        Self { path: path.into() }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Appends one record and waits until it is on disk.
    pub fn append(&self, record: &UsageRecord) -> std::io::Result<()> {
        self.append_all(std::slice::from_ref(record))
    }

    /// Appends records in one write and waits until they are on disk (a browser's batch: on a
    /// power cut all are there, or a torn last line that the reader skips).
    pub fn append_all(&self, records: &[UsageRecord]) -> std::io::Result<()> {
        if records.is_empty() {
            return Ok(());
        }
        if let Some(dir) = self.path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)?;
        }
        let mut file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .read(true)
            .open(&self.path)?;
        let mut line = String::new();
        // A torn last line (a power cut mid-write): start ours on a line of its own.
        if file.seek(SeekFrom::End(0))? > 0 {
            let mut last = [0u8];
            file.seek(SeekFrom::End(-1))?;
            file.read_exact(&mut last)?;
            if last[0] != b'\n' {
                line.push('\n');
            }
        }
        for record in records {
            line.push_str(&serde_json::to_string(record).map_err(std::io::Error::other)?);
            line.push('\n');
        }
        file.write_all(line.as_bytes())?;
        file.sync_data()
    }
}

/// A log as read back: the records, and the lines that were not records (torn or damaged),
/// by line number from 1.
#[derive(Debug, Default)]
pub struct UsageRead {
    pub records: Vec<UsageRecord>,
    pub damaged_lines: Vec<usize>,
}

/// Reads a usage log, skipping what cannot be read.
pub fn read_usage(path: &Path) -> std::io::Result<UsageRead> {
    let bytes = std::fs::read(path)?;
    let mut out = UsageRead::default();
    for (i, line) in bytes.split(|&b| b == b'\n').enumerate() {
        if line.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        match serde_json::from_slice::<UsageRecord>(line) {
            Ok(r) => out.records.push(r),
            Err(_) => out.damaged_lines.push(i + 1),
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(session: u64, event: UsageEvent) -> UsageRecord {
        UsageRecord {
            at: "2026-12-01T09:30:00+07:00".into(),
            kiosk: "k1".into(),
            session,
            event,
        }
    }

    #[test]
    fn records_survive_a_torn_line() {
        let dir = std::env::temp_dir().join(format!("disan-usage-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let log = UsageLog::new(dir.join("sub/usage.jsonl"));
        log.append(&record(1, UsageEvent::SessionStart { lang: "vi".into() }))
            .unwrap();
        log.append(&record(
            1,
            UsageEvent::View {
                exhibit: "dinh-hang-kenh".into(),
                lang: "vi".into(),
            },
        ))
        .unwrap();
        // The power goes in the middle of the third record.
        let mut f = std::fs::OpenOptions::new()
            .append(true)
            .open(log.path())
            .unwrap();
        f.write_all(br#"{"at":"2026-12-01T09:31:00+07:00","kiosk":"k1","sess"#)
            .unwrap();
        drop(f);
        // After the restart, the kiosk goes on appending.
        log.append(&record(2, UsageEvent::SessionEnd { seconds: 12.5 }))
            .unwrap();
        let read = read_usage(log.path()).unwrap();
        assert_eq!(read.records.len(), 3);
        assert_eq!(
            read.records[2],
            record(2, UsageEvent::SessionEnd { seconds: 12.5 })
        );
        assert_eq!(read.damaged_lines, vec![3]);
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn a_record_is_one_flat_line() {
        let line = serde_json::to_string(&record(
            7,
            UsageEvent::Hotspot {
                exhibit: "a".into(),
                hotspot: "h".into(),
            },
        ))
        .unwrap();
        assert_eq!(
            line,
            r#"{"at":"2026-12-01T09:30:00+07:00","kiosk":"k1","session":7,"event":"hotspot","exhibit":"a","hotspot":"h"}"#
        );
    }
}
