//! Fresh SQLite stores for the router tests: one database file each, under
//! cargo's temporary folder for tests.

use std::path::PathBuf;

use copkit_sqlite::{Database, SqliteStore};

/// A new database file's path.
pub fn fresh_path() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("router-sqlite");
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(format!("{}.db", copkit_core::store::conformance::unique()))
}

/// A store on a new database file.
pub fn fresh_store() -> SqliteStore {
    SqliteStore::new(Database::open(fresh_path()).unwrap())
}
