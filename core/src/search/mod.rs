//! Full-text search behind one port, [`SearchIndex`]: the core decides what
//! is indexed (the service's `search` module turns threads, posts, documents
//! and events into [`SearchEntry`]s) and **which spaces a search may look
//! in** (the policy's answer, passed as [`SearchRequest::scopes`]); an index
//! never sees a caller and never widens a scope. This crate does no I/O:
//! the tantivy index (embedded and copkit-local) is `copkit-search`. Every
//! implementation passes [`conformance`](crate::search::conformance).

use async_trait::async_trait;
use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::ids::{CommunityId, SpaceId, ThreadId, UserId};
use crate::model::{SearchHit, SearchKind};
use crate::store::StoreError;

#[cfg(feature = "conformance")]
pub mod conformance;
pub mod text;

pub use text::{PlainText, TextExtractor};

/// Most characters of query text.
pub const QUERY_MAX_CHARS: usize = 200;
/// Most results on one page.
pub const PAGE_MAX: u32 = 50;
/// How deep pages go (results skipped before a page at most).
pub const OFFSET_MAX: u32 = 1_000;
/// Most characters of a snippet.
pub const SNIPPET_MAX_CHARS: usize = 200;
/// Most characters of an entry's body that are indexed.
pub const BODY_MAX_CHARS: usize = 100_000;
/// Entries put in one call by [`SearchIndex::replace`]'s default.
const REPLACE_BATCH: usize = 500;

/// A piece of content by name, for an index to bring up to date with the
/// store ([`Copkit::index_current`](crate::Copkit::index_current)): what a
/// serverless feed passes on from the table's change stream.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct ContentRef {
    /// The community it is (or was) in.
    pub community: CommunityId,
    /// What it is.
    pub kind: SearchKind,
    /// Its id.
    pub id: String,
}

/// One searchable piece of content as an index holds it. `kind` and `id`
/// name it: putting an entry replaces the one of the same name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchEntry {
    /// What it is.
    pub kind: SearchKind,
    /// Its id (a thread, post, document or event id).
    pub id: String,
    /// The community it is in.
    pub community: CommunityId,
    /// The space it is in.
    pub space: SpaceId,
    /// For a thread or post, the thread.
    pub thread: Option<ThreadId>,
    /// Its title (empty for a reply: the service shows its thread's).
    pub title: String,
    /// Its text.
    pub body: String,
    /// Its tags (lower-case).
    pub tags: Vec<String>,
    /// Who wrote it.
    pub author: UserId,
    /// When it was written (recency and date filters).
    pub at: Timestamp,
}

/// A change to an index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IndexChange {
    /// Add an entry, or replace the one with its kind and id.
    Put(SearchEntry),
    /// Remove one entry (nothing happens when absent).
    Remove {
        /// Its kind.
        kind: SearchKind,
        /// Its id.
        id: String,
    },
    /// Remove a thread's entry and its replies' (a deleted thread).
    RemoveThread(ThreadId),
    /// Remove every entry of a space.
    RemoveSpace(SpaceId),
}

/// The spaces of one community a search may look in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SearchScope {
    /// The community.
    pub community: CommunityId,
    /// Its spaces the caller may see now (none: nothing is found there).
    pub spaces: Vec<SpaceId>,
}

/// One search, as the core hands it to an index.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SearchRequest {
    /// The words: stemmed English; `"…"` for a phrase; the last word also
    /// matches titles by prefix.
    pub text: String,
    /// Where to look: only these spaces, whatever the text says.
    pub scopes: Vec<SearchScope>,
    /// Only these kinds (empty: all).
    pub kinds: Vec<SearchKind>,
    /// Only entries with this tag.
    pub tag: Option<String>,
    /// Only entries by this person.
    pub author: Option<UserId>,
    /// Only entries written at or after this instant.
    pub since: Option<Timestamp>,
    /// Only entries written before this instant.
    pub before: Option<Timestamp>,
    /// The present, for ranking newer entries higher.
    pub now: Timestamp,
    /// Results skipped (at most [`OFFSET_MAX`]).
    pub offset: u32,
    /// Results wanted (1 to [`PAGE_MAX`]).
    pub limit: u32,
}

/// A page of results.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct SearchResults {
    /// Best first.
    pub hits: Vec<SearchHit>,
    /// Whether more follow this page.
    pub more: bool,
}

/// A full-text index of a deployment's content.
#[async_trait]
pub trait SearchIndex: Send + Sync {
    /// Applies `changes`, in order, to the index of `community`; visible to
    /// searches when this returns. Applying the same changes again leaves
    /// the index as it was.
    async fn apply(
        &self,
        community: &CommunityId,
        changes: Vec<IndexChange>,
    ) -> Result<(), StoreError>;

    /// Empties the index of `community` (before it is rebuilt, or when the
    /// community is deleted).
    async fn clear(&self, community: &CommunityId) -> Result<(), StoreError>;

    /// Makes `entries` the whole index of `community` (a rebuild). The
    /// default clears it and puts them in batches; an index that can swap a
    /// community's part in one step does so.
    async fn replace(
        &self,
        community: &CommunityId,
        entries: Vec<SearchEntry>,
    ) -> Result<(), StoreError> {
        self.clear(community).await?;
        let mut entries = entries.into_iter().peekable();
        while entries.peek().is_some() {
            let batch = entries
                .by_ref()
                .take(REPLACE_BATCH)
                .map(IndexChange::Put)
                .collect();
            self.apply(community, batch).await?;
        }
        Ok(())
    }

    /// The entries matching `request`, best first: BM25 relevance blended
    /// with recency. Only entries in the request's scopes are considered.
    async fn search(&self, request: &SearchRequest) -> Result<SearchResults, StoreError>;
}
