//! copkit's embedded store: one SQLite file that survives restarts and is
//! shared safely by several processes (a portal's web workers), with the
//! document bytes as files beside it.
//!
//! Built so far: [`Database`] — opening a file safely (WAL, foreign keys,
//! a busy timeout; copkit's application id and schema version checked
//! before anything is written; migrations each in a transaction) and
//! running blocking SQLite calls off the async runtime's workers; and
//! [`SqliteStore`], the store traits over it, family by family (profiles so
//! far: it does not implement `Store` until every family is ported).

mod batch;
mod blobs;
mod database;
mod ephemeral;
mod families;
mod items;
mod store;
mod sweep;

pub use blobs::FileBlobStore;
pub use database::{
    APPLICATION_ID, BUSY_TIMEOUT, Database, OpenError, schema_version, store_error,
};
pub use store::SqliteStore;
pub use sweep::{SWEEP_GRACE, Swept, sweep_orphan_blobs};
