//! Short-lived records kept outside transactions: the remembered answers of
//! writes that carried an `Idempotency-Key`, and rate-limit tallies.
//!
//! Every record carries its expiry, and an expired record counts as absent
//! whatever the store has done with it yet (DynamoDB deletes it through its
//! TTL within days; SQLite and memory sweep it on later writes). Each call
//! is atomic on its own: two callers racing for one key never both win it,
//! and a tally never counts past its limit.

use async_trait::async_trait;
use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use super::StoreError;

/// A write remembered under its `Idempotency-Key`: in progress until its
/// answer is kept, then replayed to retries until it expires.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Remembered {
    /// What makes a retry the same request (a digest of its query, content
    /// type and body, chosen by the caller).
    pub fingerprint: String,
    /// The answer to replay (opaque to the store); `None` while the first
    /// request still runs (and then absent from the stored record, which
    /// is what a store's "still in progress" condition tests).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub answer: Option<String>,
    /// When the record lapses: the in-progress limit while it runs, the
    /// replay window once answered.
    pub expires_at: Timestamp,
}

impl Remembered {
    /// Whether the record still holds at `now`.
    pub fn live(&self, now: Timestamp) -> bool {
        self.expires_at > now
    }
}

/// The short-lived records.
#[async_trait]
pub trait EphemeralStore: Send + Sync {
    /// Takes `key` for a request in progress (`claim.answer` is `None`),
    /// unless a live record holds it. Returns `None` when taken, or the live
    /// record (and writes nothing).
    async fn claim_key(
        &self,
        key: &str,
        claim: &Remembered,
        now: Timestamp,
    ) -> Result<Option<Remembered>, StoreError>;

    /// Keeps the answer of the request that took `key` (replacing its
    /// claim).
    async fn keep_answer(&self, key: &str, done: &Remembered) -> Result<(), StoreError>;

    /// Lets go of `key` if it is still in progress (a request that ended
    /// without an answer to keep); a kept answer stays.
    async fn release_key(&self, key: &str) -> Result<(), StoreError>;

    /// Counts one more event toward the tally `key`, which lapses at
    /// `expires_at`, unless it already holds `limit` live events. Returns
    /// whether the event was counted.
    async fn count_toward(
        &self,
        key: &str,
        limit: u32,
        expires_at: Timestamp,
        now: Timestamp,
    ) -> Result<bool, StoreError>;
}
