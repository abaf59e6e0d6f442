//! Document bytes as files under a folder beside the database.
//!
//! Each blob is one file at the path its key names (keys are checked by
//! [`copkit_core::blob::is_valid_key`], so they cannot climb out of the
//! folder). A write goes to a temporary file, is flushed to disk (fsync),
//! then renamed into place and the folder flushed, so after a crash a blob
//! is either whole or absent, and a reader never sees half of one. Bytes
//! whose record never committed are found and removed by
//! [`crate::sweep_orphan_blobs`].

use std::io::ErrorKind;
use std::path::{Path, PathBuf};

use async_trait::async_trait;
use copkit_core::blob::{BlobInfo, BlobStore, ByteSource, InMemory, is_valid_key};
use copkit_core::store::StoreError;
use sha2::{Digest, Sha256};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// Names of files still being written; [`FileBlobStore`] refuses keys
/// whose segments start with it, so a blob can never be taken for one.
pub(crate) const TEMP_PREFIX: &str = ".upload-";

/// Blobs as files under a root folder.
#[derive(Debug, Clone)]
pub struct FileBlobStore {
    root: PathBuf,
}

impl FileBlobStore {
    /// Blobs under `root` (created on first write).
    pub fn new(root: impl Into<PathBuf>) -> Self {
        FileBlobStore { root: root.into() }
    }

    /// The root folder.
    pub fn root(&self) -> &Path {
        &self.root
    }

    fn path(&self, key: &str) -> Result<PathBuf, StoreError> {
        if is_valid_key(key) && !key.split('/').any(|seg| seg.starts_with(TEMP_PREFIX)) {
            Ok(self.root.join(key))
        } else {
            Err(StoreError::Internal(format!("invalid blob key {key:?}")))
        }
    }
}

fn io_error(what: &str, e: std::io::Error) -> StoreError {
    StoreError::Internal(format!("{what}: {e}"))
}

/// Writes everything `source` yields to `file` and flushes it to disk.
async fn write_all(
    file: &mut tokio::fs::File,
    source: &mut dyn ByteSource,
) -> Result<(), StoreError> {
    while let Some(chunk) = source.next_chunk().await? {
        file.write_all(&chunk)
            .await
            .map_err(|e| io_error("writing blob", e))?;
    }
    file.flush()
        .await
        .map_err(|e| io_error("writing blob", e))?;
    file.sync_all()
        .await
        .map_err(|e| io_error("syncing blob", e))
}

/// Flushes a folder's entries (a rename) to disk.
async fn sync_folder(dir: &Path) -> Result<(), StoreError> {
    let dir = tokio::fs::File::open(dir)
        .await
        .map_err(|e| io_error("opening blob folder", e))?;
    dir.sync_all()
        .await
        .map_err(|e| io_error("syncing blob folder", e))
}

#[async_trait]
impl BlobStore for FileBlobStore {
    async fn put(&self, key: &str, bytes: Vec<u8>, content_type: &str) -> Result<(), StoreError> {
        self.put_stream(key, &mut InMemory::new(bytes), content_type)
            .await
    }

    /// Streams into a temporary file beside the blob, syncs it and renames
    /// it into place once complete; a failed stream removes the temporary
    /// file.
    async fn put_stream(
        &self,
        key: &str,
        source: &mut dyn ByteSource,
        _content_type: &str,
    ) -> Result<(), StoreError> {
        let path = self.path(key)?;
        let dir = path
            .parent()
            .ok_or_else(|| StoreError::Internal(format!("blob key {key:?} has no folder")))?;
        tokio::fs::create_dir_all(dir)
            .await
            .map_err(|e| io_error("creating blob folder", e))?;
        let mut suffix = [0u8; 8];
        getrandom::fill(&mut suffix).map_err(|e| StoreError::Internal(format!("random: {e}")))?;
        let temp = dir.join(format!("{TEMP_PREFIX}{}", hex::encode(suffix)));
        let mut file = tokio::fs::File::create(&temp)
            .await
            .map_err(|e| io_error("creating blob", e))?;
        let written = write_all(&mut file, source).await;
        drop(file);
        if let Err(e) = written {
            let _ = tokio::fs::remove_file(&temp).await;
            return Err(e);
        }
        if let Err(e) = tokio::fs::rename(&temp, &path).await {
            let _ = tokio::fs::remove_file(&temp).await;
            return Err(io_error("placing blob", e));
        }
        sync_folder(dir).await
    }

    async fn get(&self, key: &str) -> Result<Option<Vec<u8>>, StoreError> {
        let path = self.path(key)?;
        match tokio::fs::read(&path).await {
            Ok(bytes) => Ok(Some(bytes)),
            Err(e) if e.kind() == ErrorKind::NotFound => Ok(None),
            Err(e) => Err(io_error("reading blob", e)),
        }
    }

    /// Reads only the first `len` bytes.
    async fn get_prefix(&self, key: &str, len: usize) -> Result<Option<Vec<u8>>, StoreError> {
        let path = self.path(key)?;
        let file = match tokio::fs::File::open(&path).await {
            Ok(file) => file,
            Err(e) if e.kind() == ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(io_error("reading blob", e)),
        };
        let mut bytes = Vec::with_capacity(len.min(64 * 1024));
        file.take(len as u64)
            .read_to_end(&mut bytes)
            .await
            .map_err(|e| io_error("reading blob", e))?;
        Ok(Some(bytes))
    }

    /// Size and SHA-256, read in pieces (the blob is never held whole).
    async fn head(&self, key: &str) -> Result<Option<BlobInfo>, StoreError> {
        let path = self.path(key)?;
        let mut file = match tokio::fs::File::open(&path).await {
            Ok(file) => file,
            Err(e) if e.kind() == ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(io_error("reading blob", e)),
        };
        let mut hasher = Sha256::new();
        let mut size = 0u64;
        let mut buffer = vec![0u8; 64 * 1024];
        loop {
            let n = file
                .read(&mut buffer)
                .await
                .map_err(|e| io_error("reading blob", e))?;
            if n == 0 {
                break;
            }
            size += n as u64;
            hasher.update(&buffer[..n]);
        }
        Ok(Some(BlobInfo {
            size,
            sha256: Some(hex::encode(hasher.finalize())),
        }))
    }

    async fn delete(&self, key: &str) -> Result<(), StoreError> {
        let path = self.path(key)?;
        match tokio::fs::remove_file(&path).await {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == ErrorKind::NotFound => Ok(()),
            Err(e) => Err(io_error("deleting blob", e)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn files_under(root: &Path) -> Vec<String> {
        let mut names = Vec::new();
        let mut stack = vec![root.to_path_buf()];
        while let Some(d) = stack.pop() {
            for e in std::fs::read_dir(d).unwrap() {
                let e = e.unwrap();
                if e.file_type().unwrap().is_dir() {
                    stack.push(e.path());
                } else {
                    names.push(e.file_name().to_string_lossy().into_owned());
                }
            }
        }
        names
    }

    #[tokio::test]
    async fn passes_the_blob_checks_and_leaves_no_temporary_file() {
        let dir = tempfile::tempdir().unwrap();
        let store = FileBlobStore::new(dir.path());
        copkit_core::blob::conformance::blob_store_round_trips(&store, "t").await;
        let names = files_under(dir.path());
        assert!(!names.is_empty());
        assert!(
            names.iter().all(|e| e == "v1"),
            "only blobs remain, no temporary files: {names:?}"
        );
    }

    #[tokio::test]
    async fn head_and_prefix_read_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let store = FileBlobStore::new(dir.path());
        let bytes: Vec<u8> = (0..200_000u32).map(|i| (i % 251) as u8).collect();
        store
            .put("documents/d/v1", bytes.clone(), "application/pdf")
            .await
            .unwrap();
        let info = store.head("documents/d/v1").await.unwrap().unwrap();
        assert_eq!(info.size, bytes.len() as u64);
        assert_eq!(
            info.sha256.as_deref(),
            Some(copkit_core::blob::sha256_hex(&bytes).as_str())
        );
        let prefix = store.get_prefix("documents/d/v1", 10).await.unwrap();
        assert_eq!(prefix.as_deref(), Some(&bytes[..10]));
        assert_eq!(store.head("documents/d/v2").await.unwrap(), None);
    }

    #[tokio::test]
    async fn keys_cannot_escape_the_root() {
        let dir = tempfile::tempdir().unwrap();
        let store = FileBlobStore::new(dir.path().join("blobs"));
        assert!(
            store
                .put("../outside", vec![1], "text/plain")
                .await
                .is_err()
        );
        assert!(!dir.path().join("outside").exists());
    }
}
