//! [`TantivyIndex`]: one tantivy index holding every community's entries
//! (the embedded library and copkit-local), in memory or in a folder.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use copkit_core::ids::{CommunityId, SpaceId, ThreadId, UserId};
use copkit_core::model::{SearchHit, SearchKind};
use copkit_core::search::{
    IndexChange, OFFSET_MAX, PAGE_MAX, SNIPPET_MAX_CHARS, SearchEntry, SearchIndex, SearchRequest,
    SearchResults,
};
use copkit_core::store::StoreError;
use jiff::Timestamp;
use tantivy::collector::TopDocs;
use tantivy::directory::MmapDirectory;
use tantivy::schema::Value;
use tantivy::snippet::SnippetGenerator;
use tantivy::{
    DocAddress, Index, IndexReader, IndexWriter, ReloadPolicy, Searcher, SegmentReader,
    TantivyDocument, Term,
};

use crate::query::{build, scope_term};
use crate::schema::{Fields, SCHEMA_VERSION, register_analysers, schema};
use crate::snippet;

/// Memory the writer may use before it flushes a segment.
const WRITER_MEMORY: usize = 32_000_000;
/// The file in an index folder that names its schema version.
const VERSION_FILE: &str = "copkit-search-version";
/// Days after which recency no longer lifts an entry by half.
const RECENCY_HALF_LIFE_DAYS: f32 = 90.0;
/// How much of the rank recency decides at most.
const RECENCY_WEIGHT: f32 = 0.5;

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
    index: Index,
    fields: Fields,
    writer: Mutex<IndexWriter>,
    reader: IndexReader,
}

impl std::fmt::Debug for TantivyIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TantivyIndex").finish_non_exhaustive()
    }
}

fn failed(context: &str) -> impl FnOnce(tantivy::TantivyError) -> StoreError + '_ {
    move |e| StoreError::Internal(format!("search index: {context}: {e}"))
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
        register_analysers(&index);
        let (_, fields) = schema();
        let writer = index
            .writer_with_num_threads(1, WRITER_MEMORY)
            .map_err(failed("writer"))?;
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()
            .map_err(failed("reader"))?;
        Ok(TantivyIndex {
            inner: Arc::new(Inner {
                index,
                fields,
                writer: Mutex::new(writer),
                reader,
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

fn key(kind: SearchKind, id: &str) -> String {
    format!("{}:{id}", kind.as_str())
}

impl Inner {
    fn document(&self, e: &SearchEntry) -> TantivyDocument {
        let f = &self.fields;
        let mut doc = TantivyDocument::new();
        doc.add_text(f.key, key(e.kind, &e.id));
        doc.add_text(f.kind, e.kind.as_str());
        doc.add_text(f.id, &e.id);
        doc.add_text(f.community, e.community.to_string());
        doc.add_text(f.space, e.space.to_string());
        if let Some(thread) = e.thread {
            doc.add_text(f.thread, thread.to_string());
        }
        doc.add_text(f.title, &e.title);
        doc.add_text(f.title_words, &e.title);
        let body: String = e
            .body
            .chars()
            .take(copkit_core::search::BODY_MAX_CHARS)
            .collect();
        doc.add_text(f.body, body);
        for tag in &e.tags {
            doc.add_text(f.tag, tag.to_lowercase());
            doc.add_text(f.tags_text, tag);
        }
        doc.add_text(f.author, e.author.as_str());
        doc.add_i64(f.at, e.at.as_millisecond());
        doc.add_text(f.scope, format!("{}/{}", e.community, e.space));
        doc
    }

    fn apply(&self, community: &CommunityId, changes: Vec<IndexChange>) -> Result<(), StoreError> {
        let f = &self.fields;
        let mut writer = self
            .writer
            .lock()
            .map_err(|_| StoreError::Internal("search index writer poisoned".into()))?;
        let community = community.to_string();
        for change in changes {
            match change {
                IndexChange::Put(entry) => {
                    if entry.community.to_string() != community {
                        return Err(StoreError::InvalidTransaction(
                            "a search entry put into another community's index".into(),
                        ));
                    }
                    writer.delete_term(Term::from_field_text(f.key, &key(entry.kind, &entry.id)));
                    writer
                        .add_document(self.document(&entry))
                        .map_err(failed("add"))?;
                }
                IndexChange::Remove { kind, id } => {
                    writer.delete_term(Term::from_field_text(f.key, &key(kind, &id)));
                }
                IndexChange::RemoveThread(thread) => {
                    writer.delete_term(Term::from_field_text(f.thread, &thread.to_string()));
                }
                IndexChange::RemoveSpace(space) => {
                    writer.delete_term(scope_term(f, &community, &space.to_string()));
                }
            }
        }
        self.commit(&mut writer)
    }

    fn clear(&self, community: &CommunityId) -> Result<(), StoreError> {
        let mut writer = self
            .writer
            .lock()
            .map_err(|_| StoreError::Internal("search index writer poisoned".into()))?;
        writer.delete_term(Term::from_field_text(
            self.fields.community,
            &community.to_string(),
        ));
        self.commit(&mut writer)
    }

    fn commit(&self, writer: &mut IndexWriter) -> Result<(), StoreError> {
        writer.commit().map_err(failed("commit"))?;
        self.reader.reload().map_err(failed("reload"))
    }

    fn search(&self, request: &SearchRequest) -> Result<SearchResults, StoreError> {
        let Some(query) = build(&self.index, &self.fields, request) else {
            return Ok(SearchResults::default());
        };
        let limit = request.limit.clamp(1, PAGE_MAX) as usize;
        let offset = request.offset.min(OFFSET_MAX) as usize;
        let searcher = self.reader.searcher();
        let now = request.now.as_millisecond();
        let ranked = TopDocs::with_limit(limit + 1)
            .and_offset(offset)
            .tweak_score(move |segment: &SegmentReader| {
                let at = segment.fast_fields().i64("at").ok();
                move |doc, score: f32| {
                    let written = at.as_ref().and_then(|c| c.first(doc)).unwrap_or(now);
                    score * recency(now, written)
                }
            });
        let mut top = searcher
            .search(&*query, &ranked)
            .map_err(failed("search"))?;
        let more = top.len() > limit;
        top.truncate(limit);
        let mut snippets = SnippetGenerator::create(&searcher, &*query, self.fields.body)
            .map_err(failed("snippet"))?;
        snippets.set_max_num_chars(SNIPPET_MAX_CHARS);
        let hits = top
            .into_iter()
            .map(|(_, address)| self.hit(&searcher, &snippets, address))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(SearchResults { hits, more })
    }

    fn hit(
        &self,
        searcher: &Searcher,
        snippets: &SnippetGenerator,
        address: DocAddress,
    ) -> Result<SearchHit, StoreError> {
        let f = &self.fields;
        let doc: TantivyDocument = searcher.doc(address).map_err(failed("read"))?;
        let text = |field| {
            doc.get_first(field)
                .and_then(|v| v.as_str())
                .unwrap_or_default()
                .to_owned()
        };
        let corrupt = |what: &str| StoreError::Internal(format!("search index: bad {what}"));
        let snippet = snippets.snippet_from_doc(&doc);
        let snippet = if snippet.highlighted().is_empty() {
            snippet::opening(&text(f.body))
        } else {
            snippet::parts(snippet.fragment(), snippet.highlighted())
        };
        let at = doc
            .get_first(f.at)
            .and_then(|v| v.as_i64())
            .ok_or_else(|| corrupt("time"))?;
        Ok(SearchHit {
            kind: SearchKind::parse(&text(f.kind)).ok_or_else(|| corrupt("kind"))?,
            id: text(f.id),
            community: text(f.community)
                .parse::<CommunityId>()
                .map_err(|_| corrupt("community"))?,
            space: text(f.space)
                .parse::<SpaceId>()
                .map_err(|_| corrupt("space"))?,
            thread: match text(f.thread).as_str() {
                "" => None,
                t => Some(t.parse::<ThreadId>().map_err(|_| corrupt("thread"))?),
            },
            title: text(f.title),
            snippet,
            author: UserId::new(text(f.author)).map_err(|_| corrupt("author"))?,
            at: Timestamp::from_millisecond(at).map_err(|_| corrupt("time"))?,
        })
    }
}

/// The factor recency gives a match written at `written` (milliseconds):
/// from 1 for now down towards `1 - RECENCY_WEIGHT`, halving its lift every
/// [`RECENCY_HALF_LIFE_DAYS`].
fn recency(now: i64, written: i64) -> f32 {
    let days = (now.saturating_sub(written).max(0) as f32) / 86_400_000.0;
    1.0 - RECENCY_WEIGHT + RECENCY_WEIGHT * 0.5f32.powf(days / RECENCY_HALF_LIFE_DAYS)
}

/// Runs blocking index work off the async threads.
async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> Result<T, StoreError> + Send + 'static,
) -> Result<T, StoreError> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|e| StoreError::Internal(format!("search index task: {e}")))?
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
        blocking(move || inner.search(&request)).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recency_lifts_new_entries_and_fades() {
        let day = 86_400_000;
        assert!((recency(0, 0) - 1.0).abs() < 1e-6);
        assert!((recency(90 * day, 0) - 0.75).abs() < 1e-4);
        assert!(recency(10 * 365 * day, 0) >= 0.5 && recency(10 * 365 * day, 0) < 0.51);
        assert!(recency(0, 5 * day) <= 1.0, "the future counts as now");
    }

    #[test]
    fn the_folder_sits_beside_the_database() {
        assert_eq!(
            TantivyIndex::folder_beside(Path::new("/data/copkit.db")),
            PathBuf::from("/data/copkit.db.search")
        );
    }
}
