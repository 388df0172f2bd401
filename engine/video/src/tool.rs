//! Finding ffmpeg and ffprobe. `DISAN_FFMPEG` / `DISAN_FFPROBE` name them when they are not on
//! the `PATH` (a kiosk image with its own build, say).

use std::path::PathBuf;
use std::process::Command;

#[derive(Debug, thiserror::Error)]
pub enum VideoError {
    #[error(
        "{tool} is not installed, so videos cannot be {doing}: install it (Debian: `sudo apt-get install ffmpeg`) or set {var} to its path"
    )]
    ToolMissing {
        tool: &'static str,
        var: &'static str,
        doing: &'static str,
    },
    #[error("{}: cannot be read as a video: {message}", path.display())]
    Unreadable { path: PathBuf, message: String },
    #[error("{}: {message}", path.display())]
    Unsuitable { path: PathBuf, message: String },
    #[error("{}: ffmpeg failed while {doing}: {message}", path.display())]
    Ffmpeg {
        path: PathBuf,
        doing: String,
        message: String,
    },
    #[error("{}: cannot be written ({source}); check the folder exists and you may write to it", path.display())]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
}

fn program(var: &str, name: &str) -> PathBuf {
    std::env::var_os(var).map_or_else(|| PathBuf::from(name), PathBuf::from)
}

/// A command for ffmpeg, quiet but for errors, never reading the terminal.
pub fn ffmpeg(doing: &'static str) -> Result<Command, VideoError> {
    let path = program("DISAN_FFMPEG", "ffmpeg");
    check(&path, "ffmpeg", "DISAN_FFMPEG", doing)?;
    let mut cmd = Command::new(path);
    cmd.args(["-hide_banner", "-nostdin", "-loglevel", "error"]);
    Ok(cmd)
}

pub fn ffprobe(doing: &'static str) -> Result<Command, VideoError> {
    let path = program("DISAN_FFPROBE", "ffprobe");
    check(&path, "ffprobe", "DISAN_FFPROBE", doing)?;
    let mut cmd = Command::new(path);
    cmd.args(["-hide_banner", "-loglevel", "error"]);
    Ok(cmd)
}

fn check(
    path: &PathBuf,
    tool: &'static str,
    var: &'static str,
    doing: &'static str,
) -> Result<(), VideoError> {
    let runs = Command::new(path)
        .arg("-version")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if runs {
        Ok(())
    } else {
        Err(VideoError::ToolMissing { tool, var, doing })
    }
}

/// Whether ffmpeg can be run here (the viewer shows a notice instead of a video when not).
pub fn available() -> bool {
    ffmpeg("played").is_ok()
}

/// The last lines ffmpeg wrote to its error stream, for a message.
pub fn last_lines(stderr: &[u8]) -> String {
    let text = String::from_utf8_lossy(stderr);
    let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
    let tail = &lines[lines.len().saturating_sub(3)..];
    if tail.is_empty() {
        "no message".to_owned()
    } else {
        tail.join(" / ")
    }
}
