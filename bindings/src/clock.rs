//! The host's clock: tests and simulations give copkit their own time.

use std::sync::Arc;

use jiff::Timestamp;

/// A clock the host supplies instead of the system clock, e.g. a test
/// clock that only moves when the test says so. Called whenever copkit
/// needs the time; keep it quick and never let it fail.
#[uniffi::export(with_foreign)]
pub trait CopkitClock: Send + Sync {
    /// The current instant (Unix milliseconds across the boundary).
    fn now(&self) -> Timestamp;
}

/// The host's clock as a core [`copkit_core::Clock`].
pub(crate) struct HostClock(pub(crate) Arc<dyn CopkitClock>);

impl copkit_core::Clock for HostClock {
    fn now(&self) -> Timestamp {
        self.0.now()
    }
}
