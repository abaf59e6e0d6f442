//! The store conformance suite on the in-memory store.

// Test code: a panic is the failure report.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

copkit_core::store_conformance_suite!(copkit_core::MemoryStore::new());
