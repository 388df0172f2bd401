//! The status file a museum's monitoring reads (a Nagios/Zabbix check, a script that mails the
//! technician): is the kiosk alive, what is it showing, what went wrong last. Rewritten every
//! few seconds, atomically (a new file renamed over the old), so a reader never sees half.

use std::path::Path;

use serde::Serialize;

#[derive(Serialize, Debug, Clone, PartialEq)]
pub struct KioskStatus {
    pub kiosk: String,
    pub pid: u32,
    /// When this was written, local time (RFC 3339).
    pub updated: String,
    pub uptime_seconds: u64,
    /// `waiting`, `visiting`, `countdown`, `attract` or `closed`.
    pub phase: &'static str,
    /// The exhibit on screen (none: the gallery).
    pub exhibit: Option<String>,
    pub frames_per_second: f32,
    /// Exhibits skipped because they could not be opened.
    pub skipped: Vec<String>,
    pub last_error: Option<LastError>,
}

#[derive(Serialize, Debug, Clone, PartialEq)]
pub struct LastError {
    pub at: String,
    pub exhibit: Option<String>,
    pub message: String,
}

impl KioskStatus {
    /// Writes the file (`path` is replaced as a whole).
    pub fn write(&self, path: &Path) -> std::io::Result<()> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)?;
        }
        let tmp = path.with_extension("json.tmp");
        std::fs::write(
            &tmp,
            serde_json::to_vec_pretty(self).map_err(std::io::Error::other)?,
        )?;
        std::fs::rename(&tmp, path)
    }
}

pub fn phase_name(phase: crate::Phase) -> &'static str {
    match phase {
        crate::Phase::Waiting => "waiting",
        crate::Phase::Visiting => "visiting",
        crate::Phase::CountingDown { .. } => "countdown",
        crate::Phase::Attract => "attract",
        crate::Phase::Closed => "closed",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_file_is_replaced_whole() {
        let path =
            std::env::temp_dir().join(format!("disan-status-{}/status.json", std::process::id()));
        let mut s = KioskStatus {
            kiosk: "k".into(),
            pid: 1,
            updated: "2026-12-01T10:00:00+07:00".into(),
            uptime_seconds: 5,
            phase: phase_name(crate::Phase::Attract),
            exhibit: Some("dinh".into()),
            frames_per_second: 59.9,
            skipped: vec![],
            last_error: None,
        };
        s.write(&path).unwrap();
        s.uptime_seconds = 10;
        s.write(&path).unwrap();
        let v: serde_json::Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
        assert_eq!(
            (v["uptime_seconds"].as_u64(), v["phase"].as_str()),
            (Some(10), Some("attract"))
        );
        assert!(!path.with_extension("json.tmp").exists());
        let _ = std::fs::remove_dir_all(path.parent().unwrap());
    }
}
