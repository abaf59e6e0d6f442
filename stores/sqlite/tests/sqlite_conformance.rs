//! The whole store conformance suite on `SqliteStore`: the same checks the
//! in-memory and DynamoDB stores pass, none left out, each on its own
//! database file; and the residue check after an erasure.

// Test code: a panic is the failure report.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::PathBuf;

use copkit_sqlite::{Database, SqliteStore};

/// A new database file under cargo's temporary folder for tests.
fn fresh_path() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("sqlite-conformance");
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(format!("{}.db", copkit_core::store::conformance::unique()))
}

fn fresh() -> SqliteStore {
    SqliteStore::new(Database::open(fresh_path()).unwrap())
}

copkit_core::store_conformance_suite!(fresh());

/// After an erasure no item of the database holds the person's id, handle,
/// name or email.
#[tokio::test]
async fn erasure_leaves_no_residue_in_sqlite() {
    let db = Database::open(fresh_path()).unwrap();
    let store = SqliteStore::new(db.clone());
    let erased =
        copkit_core::store::conformance::residue_after_erasure(std::sync::Arc::new(store)).await;
    let dump = db.every_item().await.unwrap().join("\n");
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
