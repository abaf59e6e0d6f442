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

/// After an erasure no record of the memory store holds the person's id,
/// handle, name or email.
#[tokio::test]
async fn erasure_leaves_no_residue_in_memory() {
    let store = copkit_core::MemoryStore::new();
    let erased =
        copkit_core::store::conformance::residue_after_erasure(std::sync::Arc::new(store.clone()))
            .await;
    let dump = format!("{store:?}");
    assert!(
        dump.contains("Febrile infant pathway"),
        "the dump holds the records"
    );
    assert_eq!(
        erased.found_in(&dump),
        Vec::<String>::new(),
        "residue of {erased:?}"
    );
}
