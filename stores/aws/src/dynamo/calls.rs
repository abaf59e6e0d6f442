//! An SDK interceptor counting DynamoDB calls by operation, so tests and the
//! `dynamo_calls` bench can see what each use case costs (and that no Scan
//! ever happens).

use std::collections::BTreeMap;
use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use aws_sdk_dynamodb::config::{ConfigBag, Intercept};
use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::interceptors::context::BeforeTransmitInterceptorContextRef;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;

/// Counts calls per operation name (`GetItem`, `Query`, `TransactWriteItems`…).
/// Clones share their counts.
#[derive(Debug, Clone, Default)]
pub struct CallCounter {
    counts: Arc<Mutex<BTreeMap<String, u64>>>,
}

impl CallCounter {
    /// A counter at zero.
    pub fn new() -> Self {
        CallCounter::default()
    }

    /// The counts so far.
    pub fn snapshot(&self) -> BTreeMap<String, u64> {
        self.counts
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// The counts so far, and back to zero.
    pub fn take(&self) -> BTreeMap<String, u64> {
        std::mem::take(&mut *self.counts.lock().unwrap_or_else(|p| p.into_inner()))
    }

    /// All calls so far.
    pub fn total(&self) -> u64 {
        self.snapshot().values().sum()
    }
}

impl Intercept for CallCounter {
    fn name(&self) -> &'static str {
        "copkit-call-counter"
    }

    /// Once per attempt (a retried call counts again: it costs again). The
    /// operation is the `X-Amz-Target` header DynamoDB's JSON protocol
    /// sends (`DynamoDB_20120810.GetItem`).
    fn read_before_transmit(
        &self,
        context: &BeforeTransmitInterceptorContextRef<'_>,
        _runtime_components: &RuntimeComponents,
        _cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let operation = context
            .request()
            .headers()
            .get("x-amz-target")
            .and_then(|target| target.rsplit('.').next())
            .unwrap_or("unknown")
            .to_owned();
        *self
            .counts
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .entry(operation)
            .or_default() += 1;
        Ok(())
    }
}

tokio::task_local! {
    /// The DynamoDB calls of the request running on this task.
    static REQUEST_CALLS: AtomicU64;
}

/// Runs `work` counting the DynamoDB calls it makes on its own task (every
/// client from [`crate::config::dynamo_client`] reports them), for the
/// per-request log and metrics.
pub async fn counting_calls<F: Future>(work: F) -> (F::Output, u64) {
    REQUEST_CALLS
        .scope(AtomicU64::new(0), async move {
            let output = work.await;
            let calls = REQUEST_CALLS.with(|c| c.load(Ordering::Relaxed));
            (output, calls)
        })
        .await
}

/// The interceptor behind [`counting_calls`]: adds each attempt to the
/// running task's count, if it is counting.
#[derive(Debug, Clone, Copy, Default)]
pub struct RequestCalls;

impl Intercept for RequestCalls {
    fn name(&self) -> &'static str {
        "copkit-request-calls"
    }

    fn read_before_transmit(
        &self,
        _context: &BeforeTransmitInterceptorContextRef<'_>,
        _runtime_components: &RuntimeComponents,
        _cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        // Outside a counted request (the scheduler, start-up) there is
        // nothing to add to.
        let _ = REQUEST_CALLS.try_with(|c| c.fetch_add(1, Ordering::Relaxed));
        Ok(())
    }
}
