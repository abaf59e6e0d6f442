//! Bytes no record names: a document's bytes are written before its record
//! commits, so a crash (or a refused commit the caller could not clean up)
//! can leave a file that no document version names. The sweep finds and
//! removes them, and unfinished temporary files; it spares anything newer
//! than a grace period, so an upload in flight in another process keeps its
//! bytes.

use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use copkit_core::store::StoreError;
use rusqlite::{OptionalExtension, params};

use crate::blobs::{FileBlobStore, TEMP_PREFIX};
use crate::database::{Database, store_error};

/// How old an unnamed file must be before the sweep removes it.
pub const SWEEP_GRACE: Duration = Duration::from_secs(60 * 60);

/// What a sweep did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Swept {
    /// Files looked at.
    pub examined: u64,
    /// Files removed (orphaned bytes and unfinished uploads).
    pub removed: u64,
}

/// Every file under `dir`, with its path relative to `root` (`/`-separated).
fn files_under(root: &Path) -> std::io::Result<Vec<(PathBuf, String)>> {
    let mut found = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let entries = match std::fs::read_dir(&dir) {
            Ok(entries) => entries,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
            Err(e) => return Err(e),
        };
        for entry in entries {
            let entry = entry?;
            let path = entry.path();
            if entry.file_type()?.is_dir() {
                stack.push(path);
            } else if let Ok(relative) = path.strip_prefix(root) {
                let key = relative
                    .components()
                    .map(|c| c.as_os_str().to_string_lossy())
                    .collect::<Vec<_>>()
                    .join("/");
                found.push((path, key));
            }
        }
    }
    Ok(found)
}

/// Removes the files under `blobs` that no document version names, and
/// unfinished uploads, when older than `grace`.
pub async fn sweep_orphan_blobs(
    db: &Database,
    blobs: &FileBlobStore,
    grace: Duration,
) -> Result<Swept, StoreError> {
    let root = blobs.root().to_path_buf();
    db.run(move |conn| {
        let io = |e: std::io::Error| StoreError::Internal(format!("sweeping blobs: {e}"));
        let files = files_under(&root).map_err(io)?;
        let now = SystemTime::now();
        let mut swept = Swept::default();
        let mut named = conn
            .prepare_cached("SELECT 1 FROM items WHERE json_extract(body, '$.blob_key') = ?1")
            .map_err(store_error)?;
        for (path, key) in files {
            swept.examined += 1;
            let age = std::fs::metadata(&path)
                .and_then(|m| m.modified())
                .ok()
                .and_then(|modified| now.duration_since(modified).ok())
                .unwrap_or_default();
            if age < grace {
                continue;
            }
            let unfinished = key
                .rsplit('/')
                .next()
                .is_some_and(|name| name.starts_with(TEMP_PREFIX));
            let orphan = unfinished
                || named
                    .query_row(params![key], |_| Ok(()))
                    .optional()
                    .map_err(store_error)?
                    .is_none();
            if orphan {
                match std::fs::remove_file(&path) {
                    Ok(()) => swept.removed += 1,
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                    Err(e) => return Err(io(e)),
                }
            }
        }
        Ok(swept)
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;
    use copkit_core::blob::BlobStore;
    use copkit_core::model::DocumentVersion;
    use copkit_core::store::{DocumentOp, Transaction, WriteStore};
    use copkit_core::{DocumentId, UserId};

    use crate::SqliteStore;

    #[tokio::test]
    async fn bytes_no_record_names_are_swept_and_named_ones_stay() {
        let dir = tempfile::tempdir().unwrap();
        let db = Database::open(dir.path().join("copkit.db")).unwrap();
        let blobs = FileBlobStore::new(dir.path().join("blobs"));
        let store = SqliteStore::new(db.clone());
        let document = DocumentId(ulid::Ulid::from_parts(5, 1));
        let kept = format!("documents/{document}/v1");
        let orphan = format!("documents/{document}/v2");
        blobs
            .put(&kept, b"kept".to_vec(), "text/plain")
            .await
            .unwrap();
        blobs
            .put(&orphan, b"crash".to_vec(), "text/plain")
            .await
            .unwrap();
        store
            .commit(Transaction::new().with(DocumentOp::AddDocumentVersion {
                version: DocumentVersion {
                    document,
                    number: 1,
                    content_type: "text/plain".into(),
                    size: 4,
                    sha256: copkit_core::blob::sha256_hex(b"kept"),
                    blob_key: kept.clone(),
                    uploaded_by: UserId::new("ann").unwrap(),
                    uploaded_at: jiff::Timestamp::UNIX_EPOCH,
                    note: String::new(),
                },
            }))
            .await
            .unwrap();
        // Within the grace period nothing goes (an upload may be in flight).
        let early = sweep_orphan_blobs(&db, &blobs, SWEEP_GRACE).await.unwrap();
        assert_eq!(
            early,
            Swept {
                examined: 2,
                removed: 0
            }
        );
        let swept = sweep_orphan_blobs(&db, &blobs, Duration::ZERO)
            .await
            .unwrap();
        assert_eq!(
            swept,
            Swept {
                examined: 2,
                removed: 1
            }
        );
        assert!(blobs.get(&kept).await.unwrap().is_some());
        assert!(blobs.get(&orphan).await.unwrap().is_none());
    }
}
