//! A benchmark aid (feature `bench`, never in a shipped library): the
//! native side of the bindings' per-call overhead, measured in the same
//! process as the foreign calls it is compared with.

use std::time::Instant;

use copkit_core::CommunityId;

use super::{Session, SessionResult};

#[uniffi::export(async_runtime = "tokio")]
impl Session {
    /// Runs `get_community` `iterations` times inside Rust and returns the
    /// mean nanoseconds per call: the baseline that binding benchmarks set
    /// their own per-call time against.
    pub async fn measure_native_reads(
        &self,
        id: CommunityId,
        iterations: u32,
    ) -> SessionResult<u64> {
        let (shared, actor) = self.embedded("measure_native_reads")?;
        let iterations = iterations.max(1);
        let started = Instant::now();
        for _ in 0..iterations {
            shared.core.get_community(actor, &id).await?;
        }
        let nanos = started.elapsed().as_nanos() / u128::from(iterations);
        Ok(u64::try_from(nanos).unwrap_or(u64::MAX))
    }
}
