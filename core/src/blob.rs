//! Where document bytes live: never in the database, always behind
//! [`BlobStore`]. The in-memory store is here; the local-filesystem store is
//! in `copkit-lambda` (this crate does no I/O) and S3 arrives with the AWS
//! store. All of them pass [`conformance`](crate::blob::conformance) checks.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use sha2::{Digest, Sha256};

use crate::store::StoreError;

/// Lower-case hex SHA-256 of some bytes.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// Whether `key` is a safe blob key: 1–512 characters of `a-z A-Z 0-9 / . _ -`,
/// no empty, `.` or `..` segment, no leading `/`. Every store refuses other keys.
pub fn is_valid_key(key: &str) -> bool {
    !key.is_empty()
        && key.len() <= 512
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '/' | '.' | '_' | '-'))
        && key
            .split('/')
            .all(|seg| !seg.is_empty() && seg != "." && seg != "..")
}

/// Stores immutable byte blobs by key.
#[async_trait]
pub trait BlobStore: Send + Sync {
    /// Stores `bytes` under `key` (replacing any previous blob).
    async fn put(&self, key: &str, bytes: Vec<u8>, content_type: &str) -> Result<(), StoreError>;
    /// The bytes under `key`, if any.
    async fn get(&self, key: &str) -> Result<Option<Vec<u8>>, StoreError>;
    /// Removes the blob under `key` (no-op if absent).
    async fn delete(&self, key: &str) -> Result<(), StoreError>;
}

fn check_key(key: &str) -> Result<(), StoreError> {
    if is_valid_key(key) {
        Ok(())
    } else {
        Err(StoreError::Internal(format!("invalid blob key {key:?}")))
    }
}

/// Blobs in memory. Cloning shares the data.
#[derive(Debug, Clone, Default)]
pub struct MemoryBlobStore {
    blobs: Arc<Mutex<HashMap<String, Vec<u8>>>>,
}

impl MemoryBlobStore {
    /// An empty store.
    pub fn new() -> Self {
        MemoryBlobStore::default()
    }

    /// How many blobs are stored (for tests).
    pub fn len(&self) -> usize {
        self.blobs.lock().unwrap_or_else(|p| p.into_inner()).len()
    }

    /// True when no blob is stored.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[async_trait]
impl BlobStore for MemoryBlobStore {
    async fn put(&self, key: &str, bytes: Vec<u8>, _content_type: &str) -> Result<(), StoreError> {
        check_key(key)?;
        self.blobs
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(key.to_owned(), bytes);
        Ok(())
    }

    async fn get(&self, key: &str) -> Result<Option<Vec<u8>>, StoreError> {
        check_key(key)?;
        Ok(self
            .blobs
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(key)
            .cloned())
    }

    async fn delete(&self, key: &str) -> Result<(), StoreError> {
        check_key(key)?;
        self.blobs
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(key);
        Ok(())
    }
}

/// Checks every blob store must pass.
#[cfg(feature = "conformance")]
pub mod conformance {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

    use super::BlobStore;

    /// Runs every blob check against `store`, using keys under `prefix`.
    pub async fn blob_store_round_trips<B: BlobStore + ?Sized>(store: &B, prefix: &str) {
        let key = format!("{prefix}/docs/one/v1");
        assert_eq!(store.get(&key).await.unwrap(), None);
        let bytes: Vec<u8> = (0..=255u8).cycle().take(70_000).collect();
        store
            .put(&key, bytes.clone(), "application/pdf")
            .await
            .unwrap();
        assert_eq!(store.get(&key).await.unwrap(), Some(bytes));
        store
            .put(&key, b"replaced".to_vec(), "text/plain")
            .await
            .unwrap();
        assert_eq!(store.get(&key).await.unwrap(), Some(b"replaced".to_vec()));
        let empty = format!("{prefix}/docs/empty/v1");
        store.put(&empty, Vec::new(), "text/plain").await.unwrap();
        assert_eq!(store.get(&empty).await.unwrap(), Some(Vec::new()));
        store.delete(&key).await.unwrap();
        store.delete(&key).await.unwrap();
        assert_eq!(store.get(&key).await.unwrap(), None);
        for bad in ["", "/abs", "a/../b", "a//b", "sp ace", "a/./b"] {
            assert!(
                store.put(bad, vec![1], "text/plain").await.is_err(),
                "{bad:?}"
            );
            assert!(store.get(bad).await.is_err(), "{bad:?}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_checked() {
        assert!(is_valid_key("docs/01J/v1"));
        for bad in ["", "/x", "x/..", "x//y", "x y", "x\\y", &"k".repeat(513)] {
            assert!(!is_valid_key(bad), "{bad:?}");
        }
    }

    #[test]
    fn sha256_is_hex() {
        assert_eq!(
            sha256_hex(b""),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
    }
}
