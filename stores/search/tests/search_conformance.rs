//! The search conformance suite on tantivy, in memory and in a folder.

// Test code: a panic is the failure report.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod in_memory {
    copkit_core::search_conformance_suite!(copkit_search::TantivyIndex::in_memory().unwrap());
}

mod in_a_folder {
    use std::sync::OnceLock;

    /// One index folder for the run, shared by every check (each uses its
    /// own communities), as one embedded deployment would.
    fn shared() -> copkit_search::TantivyIndex {
        static DIR: OnceLock<(tempfile::TempDir, copkit_search::TantivyIndex)> = OnceLock::new();
        DIR.get_or_init(|| {
            let dir = tempfile::tempdir().unwrap();
            let (index, _) = copkit_search::TantivyIndex::open(&dir.path().join("index")).unwrap();
            (dir, index)
        })
        .1
        .clone()
    }

    copkit_core::search_conformance_suite!(shared());
}
