//! `disan watchdog`: keeps a kiosk running where systemd does not (Windows, where a scheduled
//! task starts the watchdog at logon; docs/kiosk.md). A Linux kiosk uses
//! packaging/disan-kiosk.service instead, and this is the same policy:
//!
//! - a kiosk that dies (any exit status but 0) is started again after a short pause
//!   (`Restart=on-failure`, `RestartSec`);
//! - a kiosk that hangs is killed and started again: a kiosk rewrites its status file every few
//!   seconds from its frame loop (`status.rs`), so a file that stops changing means the frames
//!   have stopped (`WatchdogSec`); a kiosk that never writes one was stuck starting
//!   (`TimeoutStartSec`);
//! - staff closing it with the exit PIN (status 0) end the watch, for maintenance;
//! - a kiosk that keeps failing (more than `max_restarts` starts within `restart_window`) is left
//!   stopped, since a restart will not mend it (a broken graphics driver); the watchdog's log
//!   says so (`StartLimitBurst`, `StartLimitIntervalSec`).

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::{Child, Command};
use std::time::{Duration, Instant, SystemTime};

/// What to run and how patiently to watch it.
#[derive(Debug, Clone)]
pub struct Watch {
    pub program: PathBuf,
    pub args: Vec<OsString>,
    /// The file the kiosk rewrites while its frames run (`[monitor] status_file`).
    pub status_file: PathBuf,
    /// How long a starting kiosk has to write its first status.
    pub start_timeout: Duration,
    /// A status file older than this is a hang.
    pub stale_after: Duration,
    /// The pause before a restart.
    pub restart_delay: Duration,
    /// At most this many restarts within `restart_window`; one more and the watch gives up.
    pub max_restarts: usize,
    pub restart_window: Duration,
    /// How often the kiosk and its status file are looked at.
    pub poll: Duration,
}

/// How a watch ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ended {
    /// The kiosk exited with status 0: closed by staff with the PIN.
    ClosedByStaff,
    /// It failed more often than `max_restarts` within `restart_window`.
    GaveUp { restarts: usize },
}

/// What the watchdog saw, for its log.
#[derive(Debug, Clone, PartialEq)]
pub enum WatchEvent {
    Started {
        pid: u32,
    },
    /// The kiosk ended on its own; `code` is `None` where it was killed by the system.
    Exited {
        code: Option<i32>,
    },
    /// Its status file had not changed for this long: killed.
    Hung {
        silent_for: Duration,
    },
    /// It wrote no status file within `start_timeout` of starting: killed.
    NeverReady {
        waited: Duration,
    },
    Restarting {
        after: Duration,
    },
    GaveUp {
        restarts: usize,
        within: Duration,
    },
}

impl std::fmt::Display for WatchEvent {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Started { pid } => write!(f, "kiosk started (process {pid})"),
            Self::Exited { code: Some(c) } => write!(f, "kiosk exited with status {c}"),
            Self::Exited { code: None } => write!(f, "kiosk was ended by the system"),
            Self::Hung { silent_for } => write!(
                f,
                "kiosk hung: its status file has not changed for {} s; killed",
                silent_for.as_secs()
            ),
            Self::NeverReady { waited } => write!(
                f,
                "kiosk wrote no status file within {} s of starting; killed",
                waited.as_secs()
            ),
            Self::Restarting { after } => {
                write!(f, "restarting the kiosk in {} s", after.as_secs_f32())
            }
            Self::GaveUp { restarts, within } => write!(
                f,
                "the kiosk failed {restarts} times within {} minutes: left stopped, since a \
                 restart does not mend it. Read its log and status file, mend the cause, and \
                 start the watchdog again",
                within.as_secs() / 60
            ),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum WatchError {
    #[error("the kiosk {program} could not be started: {source}")]
    Start {
        program: PathBuf,
        source: std::io::Error,
    },
    #[error("the kiosk (process {pid}) could not be watched: {source}")]
    Wait { pid: u32, source: std::io::Error },
}

/// How one run of the kiosk ended.
enum RunEnd {
    Exited(Option<i32>),
    Killed,
}

impl Watch {
    /// The watch `disan watchdog --config FILE` keeps: `disan kiosk --config FILE` by the same
    /// executable, with systemd's unit's times (packaging/disan-kiosk.service).
    pub fn kiosk(exe: PathBuf, config_file: PathBuf, status_file: PathBuf) -> Self {
        Self {
            program: exe,
            args: vec!["kiosk".into(), "--config".into(), config_file.into()],
            status_file,
            start_timeout: Duration::from_secs(120),
            stale_after: Duration::from_secs(60),
            restart_delay: Duration::from_secs(3),
            max_restarts: 10,
            restart_window: Duration::from_secs(600),
            poll: Duration::from_millis(500),
        }
    }

    /// Runs the kiosk until staff close it or it keeps failing, telling `log` what happens.
    pub fn run(&self, log: &mut dyn FnMut(&WatchEvent)) -> Result<Ended, WatchError> {
        let mut restarts: Vec<Instant> = Vec::new();
        loop {
            match self.run_once(log)? {
                RunEnd::Exited(Some(0)) => return Ok(Ended::ClosedByStaff),
                RunEnd::Exited(_) | RunEnd::Killed => {}
            }
            let now = Instant::now();
            restarts.retain(|t| now.duration_since(*t) < self.restart_window);
            if restarts.len() >= self.max_restarts {
                let event = WatchEvent::GaveUp {
                    restarts: restarts.len() + 1,
                    within: self.restart_window,
                };
                log(&event);
                return Ok(Ended::GaveUp {
                    restarts: restarts.len(),
                });
            }
            restarts.push(now);
            log(&WatchEvent::Restarting {
                after: self.restart_delay,
            });
            std::thread::sleep(self.restart_delay);
        }
    }

    fn run_once(&self, log: &mut dyn FnMut(&WatchEvent)) -> Result<RunEnd, WatchError> {
        // A status file left by an earlier run says nothing about this one: only a file
        // written after this start counts. That is told by its modification time changing, not
        // by comparing it with the clock: file systems stamp files from a coarse clock (a
        // kernel tick), so a file written just after the start can carry a time before it.
        let time_before_start = modified(&self.status_file);
        let started = Instant::now();
        let mut child = Command::new(&self.program)
            .args(&self.args)
            .spawn()
            .map_err(|source| WatchError::Start {
                program: self.program.clone(),
                source,
            })?;
        let pid = child.id();
        log(&WatchEvent::Started { pid });
        let mut last_written: Option<SystemTime> = None;
        loop {
            std::thread::sleep(self.poll);
            if let Some(status) = child
                .try_wait()
                .map_err(|source| WatchError::Wait { pid, source })?
            {
                log(&WatchEvent::Exited {
                    code: status.code(),
                });
                return Ok(RunEnd::Exited(status.code()));
            }
            // A file that cannot be looked at now (Windows refuses while it is being replaced)
            // leaves the last time seen as it was.
            if let Some(t) = modified(&self.status_file).filter(|t| Some(*t) != time_before_start) {
                last_written = Some(last_written.map_or(t, |l| l.max(t)));
            }
            let hang = match last_written {
                None if started.elapsed() > self.start_timeout => Some(WatchEvent::NeverReady {
                    waited: started.elapsed(),
                }),
                None => None,
                Some(t) => match SystemTime::now().duration_since(t) {
                    Ok(silent_for) if silent_for > self.stale_after => {
                        Some(WatchEvent::Hung { silent_for })
                    }
                    _ => None,
                },
            };
            if let Some(event) = hang {
                log(&event);
                kill(&mut child, pid)?;
                return Ok(RunEnd::Killed);
            }
        }
    }
}

fn modified(file: &Path) -> Option<SystemTime> {
    std::fs::metadata(file).and_then(|m| m.modified()).ok()
}

fn kill(child: &mut Child, pid: u32) -> Result<(), WatchError> {
    // It may have ended between the look and the kill; either way it is gone after the wait.
    let _ = child.kill();
    child
        .wait()
        .map(|_| ())
        .map_err(|source| WatchError::Wait { pid, source })
}
