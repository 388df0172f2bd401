//! Disan's museum kiosk, without Bevy: what `disan kiosk` and `disan report` are made of, in a
//! crate whose tests run in seconds with simulated time. The Bevy side (the gallery, the
//! countdown, the attract loop on screen) is `disan_engine::kiosk`.
//!
//! - [`config`]: `kiosk.toml`, checked field by field.
//! - [`machine`]: idle, countdown, reset, attract, opening hours: the kiosk's behaviour in time.
//! - [`hours`]: opening hours in local time.
//! - [`pin`]: the hidden exit's PIN (an Argon2id hash) and its lock.
//! - [`usage`]: the anonymous usage log, safe against power cuts.
//! - [`report`]: the log summed per exhibit and month.
//! - [`status`]: the file a museum's monitoring reads.
//! - [`watchdog`]: restarts a kiosk that dies or hangs, where systemd does not (Windows).

pub mod config;
pub mod hours;
pub mod machine;
pub mod pin;
pub mod report;
pub mod status;
pub mod usage;
pub mod watchdog;

pub use config::{ConfigError, KioskConfig};
pub use machine::{Effect, KioskMachine, Phase, Screen};
pub use usage::{UsageEvent, UsageLog, UsageRecord};

/// The date and time library the kiosk's times are in, for its users.
pub use jiff;
