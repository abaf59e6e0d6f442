//! Where document bytes live: never in the database, always behind
//! [`BlobStore`]. The in-memory store is here; the local-filesystem and S3
//! stores are in `copkit-lambda` (this crate does no I/O). All of them pass
//! [`conformance`](crate::blob::conformance) checks.
//!
//! Stores that can sign requests (S3) let clients move bytes directly:
//! [`BlobStore::presign_put`] and [`BlobStore::presign_get`]. Others answer
//! `None` and the bytes go through the API, streamed with
//! [`BlobStore::put_stream`].

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};
use std::time::Duration;

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

/// How many leading bytes [`content_matches`] looks at.
pub const SNIFF_LEN: usize = 8192;

/// Whether a file starting with `head` (its first [`SNIFF_LEN`] bytes, or
/// all of it) can be what `content_type` says it is, judged by its magic
/// numbers (the `infer` crate): executables are never documents whatever
/// they are called; PDF, images and office files must carry their own
/// signature (OOXML and OpenDocument files are zip archives); text must
/// not carry a binary signature or NUL bytes. Other types a host allows
/// pass unless they are executables.
pub fn content_matches(content_type: &str, head: &[u8]) -> bool {
    let head = &head[..head.len().min(SNIFF_LEN)];
    let detected = infer::get(head);
    if detected.is_some_and(|kind| kind.matcher_type() == infer::MatcherType::App) {
        return false;
    }
    let mime = detected.map(|kind| kind.mime_type());
    match content_type {
        "text/plain" | "text/csv" | "text/markdown" => mime.is_none() && !head.contains(&0),
        "application/pdf" | "image/png" | "image/jpeg" | "image/gif" => mime == Some(content_type),
        "application/msword" | "application/vnd.ms-excel" | "application/vnd.ms-powerpoint" => {
            mime == Some(content_type) || head.starts_with(&[0xD0, 0xCF, 0x11, 0xE0])
        }
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
        | "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        | "application/vnd.openxmlformats-officedocument.presentationml.presentation"
        | "application/vnd.oasis.opendocument.text" => {
            mime == Some(content_type) || mime == Some("application/zip")
        }
        _ => true,
    }
}

/// A request a client sends straight to the blob storage (a presigned URL).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SignedRequest {
    /// The HTTP method (`PUT` to upload, `GET` to download).
    pub method: String,
    /// The URL: absolute for storage URLs, a path for the API's own.
    pub url: String,
    /// Headers the request must carry exactly as given.
    pub headers: BTreeMap<String, String>,
}

/// What the storage knows about a stored blob.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BlobInfo {
    /// Its size in bytes.
    pub size: u64,
    /// Its SHA-256 (lower-case hex), when the storage keeps one.
    pub sha256: Option<String>,
}

/// Bytes arriving in pieces (an HTTP request body).
#[async_trait]
pub trait ByteSource: Send {
    /// The next piece, or `None` at the end.
    async fn next_chunk(&mut self) -> Result<Option<Vec<u8>>, StoreError>;
}

/// A [`ByteSource`] over bytes already in memory.
#[derive(Debug)]
pub struct InMemory(Option<Vec<u8>>);

impl InMemory {
    /// Yields `bytes` as one piece.
    pub fn new(bytes: Vec<u8>) -> Self {
        InMemory(Some(bytes))
    }
}

#[async_trait]
impl ByteSource for InMemory {
    async fn next_chunk(&mut self) -> Result<Option<Vec<u8>>, StoreError> {
        Ok(self.0.take())
    }
}

/// Reads a whole source into memory.
pub async fn collect(source: &mut dyn ByteSource) -> Result<Vec<u8>, StoreError> {
    let mut bytes = Vec::new();
    while let Some(chunk) = source.next_chunk().await? {
        bytes.extend_from_slice(&chunk);
    }
    Ok(bytes)
}

/// Stores immutable byte blobs by key.
#[async_trait]
pub trait BlobStore: Send + Sync {
    /// Stores `bytes` under `key` (replacing any previous blob).
    async fn put(&self, key: &str, bytes: Vec<u8>, content_type: &str) -> Result<(), StoreError>;
    /// The bytes under `key`, if any.
    async fn get(&self, key: &str) -> Result<Option<Vec<u8>>, StoreError>;

    /// The first `len` bytes under `key` (fewer when the blob is shorter),
    /// if any. The default reads the whole blob; stores that can read a
    /// range do.
    async fn get_prefix(&self, key: &str, len: usize) -> Result<Option<Vec<u8>>, StoreError> {
        Ok(self.get(key).await?.map(|mut bytes| {
            bytes.truncate(len);
            bytes
        }))
    }
    /// Removes the blob under `key` (no-op if absent).
    async fn delete(&self, key: &str) -> Result<(), StoreError>;

    /// Removes the blob under `key` for good: in a store that keeps
    /// earlier versions of an object (S3 with versioning), every version
    /// and delete marker too. The default is [`delete`](Self::delete).
    async fn purge(&self, key: &str) -> Result<(), StoreError> {
        self.delete(key).await
    }

    /// Stores what `source` yields under `key`. A source error leaves no
    /// blob behind. The default reads it all into memory, then [`put`](Self::put)s.
    async fn put_stream(
        &self,
        key: &str,
        source: &mut dyn ByteSource,
        content_type: &str,
    ) -> Result<(), StoreError> {
        let bytes = collect(source).await?;
        self.put(key, bytes, content_type).await
    }

    /// Size and checksum of the blob under `key`, if any. The default reads
    /// the bytes.
    async fn head(&self, key: &str) -> Result<Option<BlobInfo>, StoreError> {
        Ok(self.get(key).await?.map(|bytes| BlobInfo {
            size: bytes.len() as u64,
            sha256: Some(sha256_hex(&bytes)),
        }))
    }

    /// Copies the blob under `from` to `to`; `false` if `from` is absent.
    async fn copy(&self, from: &str, to: &str, content_type: &str) -> Result<bool, StoreError> {
        match self.get(from).await? {
            Some(bytes) => self.put(to, bytes, content_type).await.map(|()| true),
            None => Ok(false),
        }
    }

    /// A request that uploads exactly `size` bytes with this SHA-256 (hex)
    /// and content type to `key`, valid for `expires_in`; the storage
    /// refuses other bytes. `None` when this store cannot sign requests.
    async fn presign_put(
        &self,
        _key: &str,
        _content_type: &str,
        _size: u64,
        _sha256: &str,
        _expires_in: Duration,
    ) -> Result<Option<SignedRequest>, StoreError> {
        Ok(None)
    }

    /// A request that downloads the blob under `key` (as `filename`), valid
    /// for `expires_in`. `None` when this store cannot sign requests.
    async fn presign_get(
        &self,
        _key: &str,
        _filename: &str,
        _expires_in: Duration,
    ) -> Result<Option<SignedRequest>, StoreError> {
        Ok(None)
    }
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

    use async_trait::async_trait;

    use super::{BlobStore, ByteSource};
    use crate::store::StoreError;

    /// Yields its pieces in order.
    struct Pieces(Vec<Vec<u8>>);

    #[async_trait]
    impl ByteSource for Pieces {
        async fn next_chunk(&mut self) -> Result<Option<Vec<u8>>, StoreError> {
            Ok((!self.0.is_empty()).then(|| self.0.remove(0)))
        }
    }

    /// Yields one piece, then fails (a client that hangs up).
    struct Failing(Option<Vec<u8>>);

    #[async_trait]
    impl ByteSource for Failing {
        async fn next_chunk(&mut self) -> Result<Option<Vec<u8>>, StoreError> {
            match self.0.take() {
                Some(piece) => Ok(Some(piece)),
                None => Err(StoreError::Internal("connection reset".into())),
            }
        }
    }

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
        assert_eq!(
            store.get_prefix(&key, 3).await.unwrap(),
            Some(b"rep".to_vec())
        );
        assert_eq!(
            store.get_prefix(&key, 100).await.unwrap(),
            Some(b"replaced".to_vec())
        );
        let empty = format!("{prefix}/docs/empty/v1");
        store.put(&empty, Vec::new(), "text/plain").await.unwrap();
        assert_eq!(store.get(&empty).await.unwrap(), Some(Vec::new()));
        assert_eq!(
            store.get_prefix(&empty, 10).await.unwrap(),
            Some(Vec::new())
        );
        assert_eq!(
            store
                .get_prefix(&format!("{prefix}/docs/none"), 10)
                .await
                .unwrap(),
            None
        );
        store.delete(&key).await.unwrap();
        store.delete(&key).await.unwrap();
        assert_eq!(store.get(&key).await.unwrap(), None);
        // Streams, heads and copies.
        let streamed = format!("{prefix}/docs/streamed/v1");
        let mut source = Pieces(vec![b"abc".to_vec(), Vec::new(), b"def".to_vec()]);
        store
            .put_stream(&streamed, &mut source, "text/plain")
            .await
            .unwrap();
        assert_eq!(
            store.get(&streamed).await.unwrap(),
            Some(b"abcdef".to_vec())
        );
        let info = store.head(&streamed).await.unwrap().unwrap();
        assert_eq!(info.size, 6);
        if let Some(sha) = info.sha256 {
            assert_eq!(sha, super::sha256_hex(b"abcdef"));
        }
        assert_eq!(store.head(&key).await.unwrap(), None);
        let copied = format!("{prefix}/docs/copied/v1");
        assert!(store.copy(&streamed, &copied, "text/plain").await.unwrap());
        assert_eq!(store.get(&copied).await.unwrap(), Some(b"abcdef".to_vec()));
        assert!(!store.copy(&key, &copied, "text/plain").await.unwrap());
        let mut failing = Failing(Some(b"partial".to_vec()));
        let half = format!("{prefix}/docs/failed/v1");
        assert!(
            store
                .put_stream(&half, &mut failing, "text/plain")
                .await
                .is_err()
        );
        assert_eq!(
            store.get(&half).await.unwrap(),
            None,
            "a failed stream leaves nothing"
        );
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
