//! The store conformance suite on the in-memory store.

copkit_core::store_conformance_suite!(copkit_core::MemoryStore::new());
