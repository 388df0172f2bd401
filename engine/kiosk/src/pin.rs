//! The hidden exit: a long press in a corner opens a PIN pad; the right PIN closes the kiosk
//! (for staff: maintenance, a new configuration). The PIN is kept as an Argon2id hash, so a
//! visitor who reads the configuration file learns nothing, and wrong guesses lock the pad.

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordVerifier};

/// Digits only, 4 to 12: what a touch pad can enter.
pub fn check_pin(pin: &str) -> Result<(), String> {
    if !(4..=12).contains(&pin.len()) || !pin.bytes().all(|b| b.is_ascii_digit()) {
        return Err("a PIN is 4 to 12 digits".into());
    }
    Ok(())
}

/// The line for `exit.pin_hash` in kiosk.toml (`disan kiosk --hash-pin`).
#[cfg(not(target_family = "wasm"))]
pub fn hash_pin(pin: &str) -> Result<String, String> {
    use argon2::password_hash::{PasswordHasher, SaltString};
    check_pin(pin)?;
    let salt = SaltString::generate(&mut rand_core::OsRng);
    Argon2::default()
        .hash_password(pin.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| format!("the PIN could not be hashed: {e}"))
}

/// Whether `hash` is an Argon2 hash a PIN can be checked against.
pub fn check_hash(hash: &str) -> Result<(), String> {
    match PasswordHash::new(hash) {
        Ok(h) if h.algorithm.as_str().starts_with("argon2") => Ok(()),
        _ => Err("is not a PIN hash: write the line `disan kiosk --hash-pin` prints (it starts with $argon2id$), never the PIN itself".into()),
    }
}

/// Whether `pin` is the one `hash` was made from.
pub fn verify_pin(hash: &str, pin: &str) -> bool {
    PasswordHash::new(hash).is_ok_and(|h| {
        Argon2::default()
            .verify_password(pin.as_bytes(), &h)
            .is_ok()
    })
}

/// Wrong PINs allowed before the pad locks.
pub const ATTEMPTS: u32 = 5;
/// How long the pad stays locked after too many wrong PINs.
pub const LOCKED_SECONDS: f64 = 300.0;

/// The hold in the corner, then the pad's attempts and lock. Times are the kiosk clock's seconds.
#[derive(Debug, Clone, Default)]
pub struct ExitGuard {
    held_since: Option<f64>,
    wrong: u32,
    locked_until: Option<f64>,
}

/// What a PIN entry did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PinOutcome {
    Exit,
    Wrong { attempts_left: u32 },
    Locked,
}

impl ExitGuard {
    /// Called every frame with whether the corner is being pressed; true on the frame the hold
    /// has lasted `hold_seconds` (once per hold).
    pub fn hold(&mut self, pressed: bool, now: f64, hold_seconds: f64) -> bool {
        match (pressed, self.held_since) {
            (false, _) => {
                self.held_since = None;
                false
            }
            (true, None) => {
                self.held_since = Some(now);
                false
            }
            (true, Some(since)) if since.is_finite() && now - since >= hold_seconds => {
                // Fired: not again until the finger lifts.
                self.held_since = Some(f64::INFINITY);
                true
            }
            (true, Some(_)) => false,
        }
    }

    pub fn is_locked(&self, now: f64) -> bool {
        self.locked_until.is_some_and(|t| now < t)
    }

    /// Checks an entered PIN against the configured hash.
    pub fn enter(&mut self, hash: &str, pin: &str, now: f64) -> PinOutcome {
        if self.is_locked(now) {
            return PinOutcome::Locked;
        }
        if verify_pin(hash, pin) {
            self.wrong = 0;
            return PinOutcome::Exit;
        }
        self.wrong += 1;
        if self.wrong >= ATTEMPTS {
            self.wrong = 0;
            self.locked_until = Some(now + LOCKED_SECONDS);
            return PinOutcome::Locked;
        }
        PinOutcome::Wrong {
            attempts_left: ATTEMPTS - self.wrong,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pin_is_kept_as_a_hash_and_checked() {
        let hash = hash_pin("2468").unwrap();
        assert!(hash.starts_with("$argon2id$"), "{hash}");
        assert!(!hash.contains("2468"));
        check_hash(&hash).unwrap();
        assert!(verify_pin(&hash, "2468"));
        assert!(!verify_pin(&hash, "2469"));
        assert!(hash_pin("12a4").is_err() && hash_pin("123").is_err());
        assert!(check_hash("2468").is_err());
        assert_ne!(hash, hash_pin("2468").unwrap(), "salted");
    }

    #[test]
    fn the_corner_must_be_held_and_fires_once() {
        let mut g = ExitGuard::default();
        assert!(!g.hold(true, 0.0, 4.0));
        assert!(!g.hold(true, 3.9, 4.0));
        assert!(g.hold(true, 4.0, 4.0));
        assert!(!g.hold(true, 9.0, 4.0), "once per hold");
        assert!(!g.hold(false, 9.1, 4.0));
        assert!(!g.hold(true, 10.0, 4.0));
        assert!(!g.hold(false, 12.0, 4.0), "let go early");
        assert!(!g.hold(true, 12.5, 4.0), "a new hold starts over");
        assert!(g.hold(true, 16.5, 4.0));
    }

    #[test]
    fn wrong_pins_lock_the_pad() {
        let hash = hash_pin("1357").unwrap();
        let mut g = ExitGuard::default();
        for left in (1..ATTEMPTS).rev() {
            assert_eq!(
                g.enter(&hash, "0000", 0.0),
                PinOutcome::Wrong {
                    attempts_left: left
                }
            );
        }
        assert_eq!(g.enter(&hash, "0000", 1.0), PinOutcome::Locked);
        assert_eq!(
            g.enter(&hash, "1357", 2.0),
            PinOutcome::Locked,
            "even the right PIN, while locked"
        );
        assert_eq!(
            g.enter(&hash, "1357", 1.0 + LOCKED_SECONDS),
            PinOutcome::Exit
        );
    }
}
