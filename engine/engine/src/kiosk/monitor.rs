//! What the museum's systems see of a kiosk: the usage log (appended safely), the status file
//! its monitoring reads, and the heartbeat systemd's watchdog waits for. The heartbeat is sent
//! from the last schedule of the frame, so a renderer that hangs stops it and systemd restarts
//! the kiosk (packaging/disan-kiosk.service).

use std::time::{Duration, Instant};

use bevy::prelude::*;
use disan_kiosk::UsageRecord;
use disan_kiosk::jiff::{self, Timestamp, Zoned, civil::DateTime, tz::TimeZone};
use disan_kiosk::status::{KioskStatus, phase_name};

use super::Kiosk;

pub(super) fn plugin(app: &mut App) {
    app.add_message::<UsageToLog>()
        .init_resource::<FrameRate>()
        .add_systems(
            Update,
            (append_usage, write_status).after(super::KioskSystems),
        )
        .add_systems(Last, heartbeat);
}

/// The kiosk's time: seconds since start (Bevy's real time, which the simulation drives), and
/// the local date and time for opening hours and the log.
#[derive(Debug, Clone)]
pub struct KioskClock {
    /// The local time at second 0.
    start: Zoned,
    /// A simulation's clock does not follow the wall.
    simulated: bool,
}

impl KioskClock {
    pub fn new(simulated_start: Option<DateTime>) -> Self {
        let tz = TimeZone::try_system().unwrap_or(TimeZone::UTC);
        match simulated_start.and_then(|s| s.to_zoned(tz.clone()).ok()) {
            Some(start) => Self {
                start,
                simulated: true,
            },
            None => Self {
                start: Timestamp::now().to_zoned(tz),
                simulated: false,
            },
        }
    }

    /// Unix milliseconds at second 0.
    pub fn epoch_ms(&self) -> u64 {
        self.start.timestamp().as_millisecond().max(0) as u64
    }

    /// The local time at kiosk second `now`: the wall clock's, or the simulation's.
    pub fn local(&self, now: f64) -> Zoned {
        if self.simulated {
            let span = jiff::SignedDuration::from_secs_f64(now.max(0.0));
            self.start
                .checked_add(span)
                .unwrap_or_else(|_| self.start.clone())
        } else {
            Timestamp::now().to_zoned(self.start.time_zone().clone())
        }
    }

    /// RFC 3339 with the local offset, as the usage log and the status file write times.
    pub fn local_rfc3339(&self, now: f64) -> String {
        let z = self.local(now);
        format!("{}", z.timestamp().display_with_offset(z.offset()))
    }

    pub fn is_open(&self, hours: &disan_kiosk::hours::OpeningHours, now: f64) -> bool {
        hours.is_open(self.local(now).datetime())
    }
}

/// A usage record for the log, with its session and local time.
#[derive(Message, Debug, Clone)]
pub struct UsageToLog {
    pub session: u64,
    pub event: disan_kiosk::UsageEvent,
    pub at: String,
}

/// Appends to the usage log. A log that cannot be written (a full disk, a pulled USB stick) is
/// reported in the status file and the log, and the kiosk goes on.
fn append_usage(
    mut kiosk: ResMut<Kiosk>,
    mut records: MessageReader<UsageToLog>,
    time: Res<Time<Real>>,
) {
    for r in records.read() {
        let record = UsageRecord {
            at: r.at.clone(),
            kiosk: kiosk.config.name.clone(),
            session: r.session,
            event: r.event.clone(),
        };
        let log = disan_kiosk::UsageLog::new(kiosk.config.usage_log.clone());
        if let Err(e) = log.append(&record) {
            let message = format!(
                "the usage log {} cannot be written ({e}); visits are not being counted",
                log.path().display()
            );
            error!("kiosk: {message}");
            let at = kiosk.clock.local_rfc3339(time.elapsed_secs_f64());
            kiosk.last_error = Some(disan_kiosk::status::LastError {
                at,
                exhibit: None,
                message,
            });
        }
    }
}

#[derive(Resource)]
struct FrameRate {
    since: Instant,
    frames: u32,
    fps: f32,
    last_write: Option<Instant>,
    last_phase: &'static str,
}

impl Default for FrameRate {
    fn default() -> Self {
        Self {
            since: Instant::now(),
            frames: 0,
            fps: 0.0,
            last_write: None,
            last_phase: "",
        }
    }
}

/// How often the status file is rewritten (and at once when the phase changes).
const STATUS_EVERY: Duration = Duration::from_secs(5);

fn write_status(mut kiosk: ResMut<Kiosk>, mut rate: ResMut<FrameRate>, time: Res<Time<Real>>) {
    rate.frames += 1;
    let elapsed = rate.since.elapsed();
    if elapsed >= Duration::from_secs(1) {
        rate.fps = rate.frames as f32 / elapsed.as_secs_f32();
        rate.frames = 0;
        rate.since = Instant::now();
    }
    let phase = phase_name(kiosk.machine.phase());
    if rate.last_write.is_some_and(|t| t.elapsed() < STATUS_EVERY) && phase == rate.last_phase {
        return;
    }
    rate.last_write = Some(Instant::now());
    rate.last_phase = phase;
    let now = time.elapsed_secs_f64();
    let status = KioskStatus {
        kiosk: kiosk.config.name.clone(),
        pid: std::process::id(),
        updated: kiosk.clock.local_rfc3339(now),
        uptime_seconds: now as u64,
        phase,
        exhibit: match kiosk.machine.screen() {
            disan_kiosk::Screen::Exhibit(id) if !kiosk.gallery_shown => Some(id.clone()),
            _ => None,
        },
        frames_per_second: (rate.fps * 10.0).round() / 10.0,
        skipped: kiosk.skipped.iter().map(|(id, _)| id.clone()).collect(),
        last_error: kiosk.last_error.clone(),
    };
    if let Err(e) = status.write(&kiosk.config.status_file) {
        // Said once per kind of failure: the kiosk itself is fine.
        let message = format!(
            "the status file {} cannot be written ({e})",
            kiosk.config.status_file.display()
        );
        if kiosk
            .last_error
            .as_ref()
            .is_none_or(|l| l.message != message)
        {
            error!("kiosk: {message}");
            kiosk.last_error = Some(disan_kiosk::status::LastError {
                at: status.updated,
                exhibit: None,
                message,
            });
        }
    }
}

/// `READY=1` once the first frames are drawn, then `WATCHDOG=1` at half systemd's interval,
/// from the end of each frame. Without systemd (no `NOTIFY_SOCKET`) this does nothing.
#[cfg(unix)]
fn heartbeat(mut last: Local<Option<Instant>>, mut frames: Local<u32>) {
    use sd_notify::NotifyState;
    *frames += 1;
    if *frames == 3 {
        let _ = sd_notify::notify(&[NotifyState::Ready, NotifyState::Status("showing exhibits")]);
    }
    let Some(interval) = sd_notify::watchdog_enabled() else {
        return;
    };
    if last.is_none_or(|t| t.elapsed() >= interval / 2) {
        let _ = sd_notify::notify(&[NotifyState::Watchdog]);
        *last = Some(Instant::now());
    }
}

#[cfg(not(unix))]
fn heartbeat() {}
