//! Document bytes on the local filesystem, for the local server.
//!
//! Each blob is one file under a root folder, at the path its key names
//! (keys are checked by [`copkit_core::blob::is_valid_key`], so they cannot
//! climb out of the root). Writes go to a temporary file first and are
//! renamed into place, so a reader never sees half a blob.

use std::io::ErrorKind;
use std::path::{Path, PathBuf};

use async_trait::async_trait;
use copkit_core::blob::{BlobStore, ByteSource, InMemory, is_valid_key};
use tokio::io::AsyncWriteExt;

/// Names of files still being written; [`FsBlobStore::path`] refuses keys
/// whose segments start with it, so a blob can never be taken for one.
const TEMP_PREFIX: &str = ".upload-";
use copkit_core::store::StoreError;

/// Blobs as files under a root folder.
#[derive(Debug, Clone)]
pub struct FsBlobStore {
    root: PathBuf,
}

impl FsBlobStore {
    /// Blobs under `root` (created on first write).
    pub fn new(root: impl Into<PathBuf>) -> Self {
        FsBlobStore { root: root.into() }
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

/// Writes everything `source` yields to `file`.
async fn write_all(
    file: &mut tokio::fs::File,
    source: &mut dyn ByteSource,
) -> Result<(), StoreError> {
    while let Some(chunk) = source.next_chunk().await? {
        file.write_all(&chunk)
            .await
            .map_err(|e| io_error("writing blob", e))?;
    }
    file.flush().await.map_err(|e| io_error("writing blob", e))
}

#[async_trait]
impl BlobStore for FsBlobStore {
    async fn put(&self, key: &str, bytes: Vec<u8>, content_type: &str) -> Result<(), StoreError> {
        self.put_stream(key, &mut InMemory::new(bytes), content_type)
            .await
    }

    /// Streams into a temporary file beside the blob and renames it into
    /// place once complete; a failed stream removes the temporary file.
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
        Ok(())
    }

    async fn get(&self, key: &str) -> Result<Option<Vec<u8>>, StoreError> {
        let path = self.path(key)?;
        match tokio::fs::read(&path).await {
            Ok(bytes) => Ok(Some(bytes)),
            Err(e) if e.kind() == ErrorKind::NotFound => Ok(None),
            Err(e) => Err(io_error("reading blob", e)),
        }
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

    #[tokio::test]
    async fn passes_the_blob_checks() {
        let dir = tempfile::tempdir().unwrap();
        let store = FsBlobStore::new(dir.path());
        copkit_core::blob::conformance::blob_store_round_trips(&store, "t").await;
        // Nothing but the blobs themselves is left behind (no temp files).
        let mut entries = Vec::new();
        let mut stack = vec![dir.path().to_path_buf()];
        while let Some(d) = stack.pop() {
            for e in std::fs::read_dir(d).unwrap() {
                let e = e.unwrap();
                if e.file_type().unwrap().is_dir() {
                    stack.push(e.path());
                } else {
                    entries.push(e.file_name().to_string_lossy().into_owned());
                }
            }
        }
        assert!(!entries.is_empty());
        assert!(
            entries.iter().all(|e| e == "v1"),
            "only blobs remain, no temporary files: {entries:?}"
        );
    }

    #[tokio::test]
    async fn keys_cannot_escape_the_root() {
        let dir = tempfile::tempdir().unwrap();
        let store = FsBlobStore::new(dir.path().join("blobs"));
        assert!(
            store
                .put("../outside", vec![1], "text/plain")
                .await
                .is_err()
        );
        assert!(!dir.path().join("outside").exists());
    }
}
