//! One community's index as a folder that travels: [`FolderIndex`] changes
//! it and packs it into one archive (the serverless indexer stores that in
//! S3), and [`unpack`] makes a searchable copy of an archive (the API
//! function's copy in /tmp). The archive is a plain tar of the files the
//! index's last commit refers to: tantivy's files are compressed already.

use std::io::Read;
use std::path::{Path, PathBuf};

use copkit_core::ids::CommunityId;
use copkit_core::search::{IndexChange, SearchEntry};
use copkit_core::store::StoreError;
use tantivy::directory::MmapDirectory;
use tantivy::{Index, IndexWriter};

use crate::schema::schema;
use crate::searcher::{Searchable, failed};
use crate::writer::{self, WRITER_MEMORY};

/// Largest archive [`unpack`] accepts (a guard against a corrupt object).
pub const ARCHIVE_MAX_BYTES: u64 = 2 * 1024 * 1024 * 1024;
/// The file tantivy keeps the index's segment list in.
const META_FILE: &str = "meta.json";

fn io(context: &'static str) -> impl FnOnce(std::io::Error) -> StoreError {
    move |e| StoreError::Internal(format!("search index {context}: {e}"))
}

/// A community's index in a folder, open for changes.
pub struct FolderIndex {
    searchable: Searchable,
    writer: IndexWriter,
    folder: PathBuf,
}

impl std::fmt::Debug for FolderIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FolderIndex")
            .field("folder", &self.folder)
            .finish_non_exhaustive()
    }
}

fn open_index(folder: &Path) -> Result<Index, StoreError> {
    std::fs::create_dir_all(folder).map_err(io("folder"))?;
    let directory = MmapDirectory::open(folder)
        .map_err(|e| StoreError::Internal(format!("search index folder: {e}")))?;
    let (schema, _) = schema();
    Index::open_or_create(directory, schema).map_err(failed("open"))
}

impl FolderIndex {
    /// The index in `folder` (an empty one when the folder holds none):
    /// an unpacked archive, or a new community's.
    pub fn open(folder: &Path) -> Result<FolderIndex, StoreError> {
        let searchable = Searchable::over(open_index(folder)?)?;
        let writer = searchable
            .index
            .writer_with_num_threads(1, WRITER_MEMORY)
            .map_err(failed("writer"))?;
        Ok(FolderIndex {
            searchable,
            writer,
            folder: folder.to_owned(),
        })
    }

    /// Applies `changes` to `community`'s entries, in order.
    pub fn apply(
        &mut self,
        community: &CommunityId,
        changes: Vec<IndexChange>,
    ) -> Result<(), StoreError> {
        writer::apply(
            &mut self.writer,
            &self.searchable.fields,
            community,
            changes,
        )
    }

    /// Makes `entries` the whole of `community`'s entries.
    pub fn replace(
        &mut self,
        community: &CommunityId,
        entries: Vec<SearchEntry>,
    ) -> Result<(), StoreError> {
        writer::clear(&mut self.writer, &self.searchable.fields, community);
        self.apply(
            community,
            entries.into_iter().map(IndexChange::Put).collect(),
        )
    }

    /// Commits, lets segment merges finish, and packs the files the commit
    /// refers to into an archive for [`unpack`].
    pub fn pack(mut self) -> Result<Vec<u8>, StoreError> {
        self.writer.commit().map_err(failed("commit"))?;
        self.writer
            .wait_merging_threads()
            .map_err(failed("merging"))?;
        let index = open_index(&self.folder)?;
        let mut files = vec![PathBuf::from(META_FILE)];
        files.extend(
            index
                .load_metas()
                .map_err(failed("segments"))?
                .list_segment_files(),
        );
        files.sort();
        files.dedup();
        let mut archive = tar::Builder::new(Vec::new());
        for file in files {
            let path = self.folder.join(&file);
            // A segment without deletions lists a deletes file it never wrote.
            if !path.exists() {
                continue;
            }
            archive
                .append_path_with_name(&path, &file)
                .map_err(io("archive"))?;
        }
        archive.into_inner().map_err(io("archive"))
    }
}

/// Unpacks an archive made by [`FolderIndex::pack`] into `folder` (made
/// empty first) and opens it for searching. Only plain files directly in
/// the folder are taken: no paths, links or devices from the archive.
pub fn unpack(archive: &[u8], folder: &Path) -> Result<Searchable, StoreError> {
    if archive.len() as u64 > ARCHIVE_MAX_BYTES {
        return Err(StoreError::Internal(
            "search index archive too large".into(),
        ));
    }
    if folder.exists() {
        std::fs::remove_dir_all(folder).map_err(io("folder"))?;
    }
    std::fs::create_dir_all(folder).map_err(io("folder"))?;
    let mut reader = tar::Archive::new(archive);
    for entry in reader.entries().map_err(io("archive"))? {
        let mut entry = entry.map_err(io("archive"))?;
        if !entry.header().entry_type().is_file() {
            continue;
        }
        let path = entry.path().map_err(io("archive"))?.into_owned();
        let Some(name) = path.file_name().filter(|n| Path::new(n) == path.as_path()) else {
            return Err(StoreError::Internal(format!(
                "search index archive: unexpected path {}",
                path.display()
            )));
        };
        let mut bytes = Vec::with_capacity(entry.size() as usize);
        entry.read_to_end(&mut bytes).map_err(io("archive"))?;
        std::fs::write(folder.join(name), bytes).map_err(io("file"))?;
    }
    Searchable::over(open_index(folder)?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use copkit_core::UserId;
    use copkit_core::ids::SpaceId;
    use copkit_core::model::SearchKind;
    use copkit_core::search::{SearchRequest, SearchScope};
    use jiff::Timestamp;

    fn entry(community: CommunityId, space: SpaceId, id: &str, body: &str) -> SearchEntry {
        SearchEntry {
            kind: SearchKind::Thread,
            id: id.into(),
            community,
            space,
            thread: None,
            title: format!("thread {id}"),
            body: body.into(),
            tags: vec![],
            author: UserId::new("u-author").unwrap(),
            at: Timestamp::UNIX_EPOCH,
        }
    }

    fn request(community: CommunityId, space: SpaceId, text: &str) -> SearchRequest {
        SearchRequest {
            text: text.into(),
            scopes: vec![SearchScope {
                community,
                spaces: vec![space],
            }],
            kinds: vec![],
            tag: None,
            author: None,
            since: None,
            before: None,
            now: Timestamp::UNIX_EPOCH,
            offset: 0,
            limit: 10,
        }
    }

    #[test]
    fn a_packed_index_unpacks_with_its_changes() {
        let dir = tempfile::tempdir().unwrap();
        let community: CommunityId = "01KDVDNA0020YM9GGZ01RWHET7".parse().unwrap();
        let space: SpaceId = "01KDVDNA0020YM9GGZ01RWHET8".parse().unwrap();
        let mut index = FolderIndex::open(&dir.path().join("write")).unwrap();
        index
            .apply(
                &community,
                vec![
                    IndexChange::Put(entry(community, space, "a", "appraisal toolkit")),
                    IndexChange::Put(entry(community, space, "b", "rota swaps")),
                ],
            )
            .unwrap();
        let packed = index.pack().unwrap();

        let copy = unpack(&packed, &dir.path().join("read")).unwrap();
        let found = crate::search_all(&[&copy], &request(community, space, "toolkit")).unwrap();
        assert_eq!(found.hits.len(), 1);
        assert_eq!(found.hits[0].id, "a");

        // Changed again from the unpacked copy, as the indexer does.
        let mut again = FolderIndex::open(&dir.path().join("read")).unwrap();
        again
            .apply(
                &community,
                vec![IndexChange::Remove {
                    kind: SearchKind::Thread,
                    id: "a".into(),
                }],
            )
            .unwrap();
        let packed = again.pack().unwrap();
        let copy = unpack(&packed, &dir.path().join("read2")).unwrap();
        assert!(
            crate::search_all(&[&copy], &request(community, space, "toolkit"))
                .unwrap()
                .hits
                .is_empty()
        );
        assert_eq!(copy.entries(), 1);
    }

    #[test]
    fn replace_leaves_only_the_given_entries() {
        let dir = tempfile::tempdir().unwrap();
        let community: CommunityId = "01KDVDNA0020YM9GGZ01RWHET7".parse().unwrap();
        let space: SpaceId = "01KDVDNA0020YM9GGZ01RWHET8".parse().unwrap();
        let mut index = FolderIndex::open(dir.path()).unwrap();
        index
            .apply(
                &community,
                vec![IndexChange::Put(entry(
                    community,
                    space,
                    "old",
                    "stale words",
                ))],
            )
            .unwrap();
        index
            .replace(
                &community,
                vec![entry(community, space, "new", "fresh words")],
            )
            .unwrap();
        let copy = unpack(&index.pack().unwrap(), &dir.path().join("copy")).unwrap();
        let found = crate::search_all(&[&copy], &request(community, space, "words")).unwrap();
        assert_eq!(
            found.hits.iter().map(|h| h.id.as_str()).collect::<Vec<_>>(),
            ["new"]
        );
    }

    #[test]
    fn an_archive_with_a_path_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let mut builder = tar::Builder::new(Vec::new());
        let mut header = tar::Header::new_gnu();
        header.set_size(1);
        header.set_mode(0o644);
        header.set_cksum();
        builder
            .append_data(&mut header, "sub/escape", &b"x"[..])
            .unwrap();
        let archive = builder.into_inner().unwrap();
        assert!(unpack(&archive, &dir.path().join("copy")).is_err());
        assert!(!dir.path().join("copy/sub/escape").exists());
    }
}
