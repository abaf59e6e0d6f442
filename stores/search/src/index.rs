//! [`TantivyIndex`]: one tantivy index holding every community's entries
//! (the embedded library and copkit-local), in memory or in a folder.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use copkit_core::ids::CommunityId;
use copkit_core::search::{IndexChange, SearchIndex, SearchRequest, SearchResults};
use copkit_core::store::StoreError;
use tantivy::directory::MmapDirectory;
use tantivy::{Index, IndexWriter};

use crate::schema::{SCHEMA_VERSION, schema};
use crate::searcher::{Searchable, blocking, failed, search_all};
use crate::writer::{self, WRITER_MEMORY};

/// The file in an index folder that names its schema version.
const VERSION_FILE: &str = "copkit-search-version";

/// What [`TantivyIndex::open`] found in its folder.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Opened {
    /// An index of this schema version: ready.
    Current,
    /// No index, or one of another schema version (emptied): it must be
    /// rebuilt from the store.
    NeedsRebuild,
}

/// The core's [`SearchIndex`] on one tantivy index.
#[derive(Clone)]
pub struct TantivyIndex {
    inner: Arc<Inner>,
}

struct Inner {
    searchable: Searchable,
    writer: Mutex<IndexWriter>,
}

impl std::fmt::Debug for TantivyIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TantivyIndex").finish_non_exhaustive()
    }
}

impl TantivyIndex {
    /// An empty index in memory (tests, and hosts that rebuild at start).
    pub fn in_memory() -> Result<TantivyIndex, StoreError> {
        let (schema, _) = schema();
        TantivyIndex::over(Index::create_in_ram(schema))
    }

    /// The index in `folder` (created when missing). An index written with
    /// another [`SCHEMA_VERSION`] is emptied: the caller rebuilds it from
    /// the store when told [`Opened::NeedsRebuild`].
    pub fn open(folder: &Path) -> Result<(TantivyIndex, Opened), StoreError> {
        let io = |e: std::io::Error| StoreError::Internal(format!("search index folder: {e}"));
        let version_file = folder.join(VERSION_FILE);
        let current = std::fs::read_to_string(&version_file)
            .ok()
            .and_then(|v| v.trim().parse::<u32>().ok())
            == Some(SCHEMA_VERSION);
        if !current && folder.exists() {
            std::fs::remove_dir_all(folder).map_err(io)?;
        }
        std::fs::create_dir_all(folder).map_err(io)?;
        let directory = MmapDirectory::open(folder)
            .map_err(|e| StoreError::Internal(format!("search index folder: {e}")))?;
        let (schema, _) = schema();
        let index = Index::open_or_create(directory, schema).map_err(failed("open"))?;
        let opened = TantivyIndex::over(index)?;
        if !current {
            std::fs::write(&version_file, SCHEMA_VERSION.to_string()).map_err(io)?;
        }
        Ok((
            opened,
            if current {
                Opened::Current
            } else {
                Opened::NeedsRebuild
            },
        ))
    }

    fn over(index: Index) -> Result<TantivyIndex, StoreError> {
        let searchable = Searchable::over(index)?;
        let writer = searchable
            .index
            .writer_with_num_threads(1, WRITER_MEMORY)
            .map_err(failed("writer"))?;
        Ok(TantivyIndex {
            inner: Arc::new(Inner {
                searchable,
                writer: Mutex::new(writer),
            }),
        })
    }

    /// The folder an embedded deployment keeps its index in, beside its
    /// database file.
    pub fn folder_beside(database: &Path) -> PathBuf {
        let mut name = database
            .file_name()
            .map(|n| n.to_os_string())
            .unwrap_or_default();
        name.push(".search");
        database.with_file_name(name)
    }
}

impl Inner {
    fn writer(&self) -> Result<std::sync::MutexGuard<'_, IndexWriter>, StoreError> {
        self.writer
            .lock()
            .map_err(|_| StoreError::Internal("search index writer poisoned".into()))
    }

    fn apply(&self, community: &CommunityId, changes: Vec<IndexChange>) -> Result<(), StoreError> {
        let mut writer = self.writer()?;
        writer::apply(&mut writer, &self.searchable.fields, community, changes)?;
        self.commit(&mut writer)
    }

    fn clear(&self, community: &CommunityId) -> Result<(), StoreError> {
        let mut writer = self.writer()?;
        writer::clear(&mut writer, &self.searchable.fields, community);
        self.commit(&mut writer)
    }

    fn commit(&self, writer: &mut IndexWriter) -> Result<(), StoreError> {
        writer.commit().map_err(failed("commit"))?;
        self.searchable.reload()
    }
}

#[async_trait]
impl SearchIndex for TantivyIndex {
    async fn apply(
        &self,
        community: &CommunityId,
        changes: Vec<IndexChange>,
    ) -> Result<(), StoreError> {
        let (inner, community) = (self.inner.clone(), *community);
        blocking(move || inner.apply(&community, changes)).await
    }

    async fn clear(&self, community: &CommunityId) -> Result<(), StoreError> {
        let (inner, community) = (self.inner.clone(), *community);
        blocking(move || inner.clear(&community)).await
    }

    async fn search(&self, request: &SearchRequest) -> Result<SearchResults, StoreError> {
        let (inner, request) = (self.inner.clone(), request.clone());
        blocking(move || search_all(&[&inner.searchable], &request)).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_folder_sits_beside_the_database() {
        assert_eq!(
            TantivyIndex::folder_beside(Path::new("/data/copkit.db")),
            PathBuf::from("/data/copkit.db.search")
        );
    }
}
