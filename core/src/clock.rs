//! Injectable time and randomness, so services are deterministic under test.

use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use jiff::{SignedDuration, Timestamp};
use ulid::Ulid;

use crate::error::Error;

/// A source of the current time.
pub trait Clock: Send + Sync {
    /// The current instant.
    fn now(&self) -> Timestamp;
}

/// The real wall clock.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> Timestamp {
        Timestamp::now()
    }
}

/// A clock that only moves when told to (for tests and simulations).
#[derive(Debug)]
pub struct ManualClock {
    now: Mutex<Timestamp>,
}

impl ManualClock {
    /// A clock stopped at `start`.
    pub fn new(start: Timestamp) -> Self {
        ManualClock {
            now: Mutex::new(start),
        }
    }

    /// Moves the clock forward (or backward, with a negative duration).
    pub fn advance(&self, by: SignedDuration) {
        let mut now = self.now.lock().unwrap_or_else(|p| p.into_inner());
        *now = now.saturating_add(by).unwrap_or(*now);
    }

    /// Sets the clock to an instant.
    pub fn set(&self, to: Timestamp) {
        *self.now.lock().unwrap_or_else(|p| p.into_inner()) = to;
    }
}

impl Clock for ManualClock {
    fn now(&self) -> Timestamp {
        *self.now.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// A source of identifiers and secret tokens.
pub trait IdSource: Send + Sync {
    /// A new ULID for something created at `now`.
    fn ulid(&self, now: Timestamp) -> Ulid;
    /// A new unguessable token (256 bits of entropy), URL-safe.
    ///
    /// Fails only when the operating system cannot supply secure randomness.
    fn secret_token(&self) -> Result<String, Error>;
}

/// ULIDs and tokens from the operating system's secure random source.
#[derive(Debug, Default, Clone, Copy)]
pub struct RandomIds;

fn millis(now: Timestamp) -> u64 {
    u64::try_from(now.as_millisecond()).unwrap_or(0)
}

impl IdSource for RandomIds {
    fn ulid(&self, now: Timestamp) -> Ulid {
        let mut bytes = [0u8; 16];
        let random = match getrandom::fill(&mut bytes) {
            Ok(()) => u128::from_le_bytes(bytes),
            // Ids need uniqueness, not secrecy: without an OS random source a
            // process-wide counter keeps them unique.
            Err(_) => {
                static COUNTER: AtomicU64 = AtomicU64::new(1);
                u128::from(COUNTER.fetch_add(1, Ordering::Relaxed))
            }
        };
        Ulid::from_parts(millis(now), random)
    }

    fn secret_token(&self) -> Result<String, Error> {
        use base64::Engine as _;
        let mut bytes = [0u8; 32];
        getrandom::fill(&mut bytes)
            .map_err(|e| Error::Internal(format!("no secure random source: {e}")))?;
        Ok(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes))
    }
}

/// Deterministic ids and tokens: a counter, for reproducible tests.
#[derive(Debug, Default)]
pub struct SequentialIds {
    next: AtomicU64,
}

impl SequentialIds {
    /// A generator starting at 1.
    pub fn new() -> Self {
        SequentialIds {
            next: AtomicU64::new(1),
        }
    }
}

impl IdSource for SequentialIds {
    fn ulid(&self, now: Timestamp) -> Ulid {
        let n = self.next.fetch_add(1, Ordering::Relaxed);
        Ulid::from_parts(millis(now), u128::from(n))
    }

    fn secret_token(&self) -> Result<String, Error> {
        let n = self.next.fetch_add(1, Ordering::Relaxed);
        Ok(format!("token-{n:020}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn manual_clock_moves_only_when_told() {
        let start = Timestamp::from_second(1_700_000_000).unwrap();
        let clock = ManualClock::new(start);
        assert_eq!(clock.now(), start);
        clock.advance(SignedDuration::from_hours(2));
        assert_eq!(clock.now(), start + SignedDuration::from_hours(2));
    }

    #[test]
    fn random_tokens_are_distinct_and_url_safe() {
        let a = RandomIds.secret_token().unwrap();
        let b = RandomIds.secret_token().unwrap();
        assert_ne!(a, b);
        assert!(a.len() >= 43);
        assert!(
            a.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        );
    }

    #[test]
    fn ulids_carry_the_given_time() {
        let now = Timestamp::from_second(1_700_000_000).unwrap();
        assert_eq!(RandomIds.ulid(now).timestamp_ms(), 1_700_000_000_000);
        let seq = SequentialIds::new();
        assert!(seq.ulid(now) < seq.ulid(now));
    }
}
