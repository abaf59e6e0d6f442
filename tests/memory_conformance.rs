//! The store conformance suite on the in-memory store.

// Test code: a panic is the failure report.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

copkit_core::store_conformance_suite!(copkit_core::MemoryStore::new());

#[tokio::test]
async fn memory_blob_store_passes_the_blob_checks() {
    copkit_core::blob::conformance::blob_store_round_trips(
        &copkit_core::MemoryBlobStore::new(),
        "t",
    )
    .await;
}
