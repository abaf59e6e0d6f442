//! Search that never shows a word from a space the searcher cannot see.
//!
//! The policy decides which spaces a search may look in ([`Copkit::search`]
//! takes the caller's visible, unarchived spaces of the community;
//! [`Copkit::search_mine`] those of each community they belong to) and the
//! index is asked for those spaces only: results are never filtered
//! afterwards, so a page is full and neither its length nor its cursor
//! tells anything about what was left out.
//!
//! What is indexed: thread titles and opening text, replies, document
//! titles, descriptions, tags and the text of their current version (as
//! the host's [`TextExtractor`](crate::search::TextExtractor) reads it),
//! event titles and descriptions. Deleted, hidden and removed content is
//! not; an archived space is left out of every search's scope (its entries
//! stay, found again when it is unarchived). Every committed write that
//! changes such content updates the index after its commit, from the
//! records it wrote (a document's file is read too); a host rebuilds a
//! community's part with [`Copkit::reindex_community`]. Where the index is
//! fed another way (the serverless deployment: the table's stream),
//! [`Copkit::index_current`] brings named content up to date from the
//! store. A reply's result shows its thread's title, read with the page.

use std::collections::BTreeMap;

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::ids::{CommunityId, SpaceId, UserId};
use crate::model::{
    Document, Event, Page, PageRequest, Post, SearchHit, SearchKind, Space, Thread,
};
use crate::policy::CommunityAction;
use crate::search::text::EXTRACT_MAX_BYTES;
use crate::search::{
    ContentRef, IndexChange, OFFSET_MAX, PAGE_MAX, QUERY_MAX_CHARS, SearchEntry, SearchRequest,
    SearchScope,
};
use crate::service::{Actor, Copkit};
use crate::store::{DiscussionOp, DocumentOp, EventOp, Op, Range, Record, Transaction, Wanted};
use crate::validate::Checker;

/// Communities a person's search looks in at most (their first by id).
pub const SEARCH_COMMUNITIES_MAX: u32 = 100;
/// Records read in one batch while bringing content up to date.
const CURRENT_BATCH: usize = 100;

/// What to look for.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct SearchQuery {
    /// The words, 1–200 characters: every word must match (English
    /// stemming: "appraisals" finds "appraisal"); `"…"` for a phrase; the
    /// last word also matches the start of a title word.
    pub q: String,
    /// Only these kinds (none: all).
    #[serde(default)]
    pub kinds: Vec<SearchKind>,
    /// Only content with this tag.
    #[serde(default)]
    pub tag: Option<String>,
    /// Only content by this person.
    #[serde(default)]
    pub author: Option<UserId>,
    /// Only content written at or after this instant.
    #[serde(default)]
    pub since: Option<Timestamp>,
    /// Only content written before this instant (an empty window finds
    /// nothing).
    #[serde(default)]
    pub before: Option<Timestamp>,
}

/// What a rebuild of the index did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct ReindexReport {
    /// Communities rebuilt.
    pub communities: u32,
    /// Entries written.
    pub entries: u32,
}

/// The index entry of a thread, unless it is deleted.
pub(crate) fn thread_entry(t: &Thread) -> Option<SearchEntry> {
    t.deleted_at.is_none().then(|| SearchEntry {
        kind: SearchKind::Thread,
        id: t.id.to_string(),
        community: t.community,
        space: t.space,
        thread: Some(t.id),
        title: t.title.clone(),
        body: t.body.clone(),
        tags: t.tags.clone(),
        author: t.author.clone(),
        at: t.created_at,
    })
}

/// The index entry of a reply, unless it is deleted or hidden (its
/// thread's deletion removes it with the thread).
pub(crate) fn post_entry(p: &Post) -> Option<SearchEntry> {
    (p.deleted_at.is_none() && p.hidden.is_none()).then(|| SearchEntry {
        kind: SearchKind::Post,
        id: p.id.to_string(),
        community: p.community,
        space: p.space,
        thread: Some(p.thread),
        title: String::new(),
        body: p.body.clone(),
        tags: Vec::new(),
        author: p.author.clone(),
        at: p.created_at,
    })
}

/// The index entry of a document, unless it is deleted or hidden.
pub(crate) fn document_entry(d: &Document) -> Option<SearchEntry> {
    (d.deleted_at.is_none() && d.hidden.is_none()).then(|| SearchEntry {
        kind: SearchKind::Document,
        id: d.id.to_string(),
        community: d.community,
        space: d.space,
        thread: None,
        title: d.title.clone(),
        body: d.description.clone(),
        tags: d.tags.clone(),
        author: d.created_by.clone(),
        at: d.created_at,
    })
}

/// The index entry of an event.
pub(crate) fn event_entry(e: &Event) -> SearchEntry {
    SearchEntry {
        kind: SearchKind::Event,
        id: e.id.to_string(),
        community: e.community,
        space: e.space,
        thread: None,
        title: e.title.clone(),
        body: e.description.clone(),
        tags: Vec::new(),
        author: e.created_by.clone(),
        at: e.created_at,
    }
}

/// The current file of each document, by document id: where its bytes
/// are, their type and size (from the document record: no further read).
type Files = BTreeMap<String, (String, String, u64)>;

fn add_file(files: &mut Files, d: &Document) {
    files.insert(
        d.id.to_string(),
        (
            super::documents::blob_key(&d.id, d.current_version),
            d.content_type.clone(),
            d.size,
        ),
    );
}

/// What a committed transaction changed in the index, by community, and
/// the files of the documents it changed.
#[derive(Debug, Default)]
pub(crate) struct Touched {
    changes: Vec<(CommunityId, IndexChange)>,
    files: Files,
}

/// The index changes of what `tx` writes, from its records alone.
pub(crate) fn touched(tx: &Transaction) -> Touched {
    let mut changes = Vec::new();
    let mut files = Files::new();
    for op in tx.ops() {
        match op {
            Op::Discussion(DiscussionOp::PutThread { thread: t, .. }) => match thread_entry(t) {
                Some(entry) => changes.push((t.community, IndexChange::Put(entry))),
                // A deleted thread takes its replies with it.
                None => changes.push((t.community, IndexChange::RemoveThread(t.id))),
            },
            Op::Discussion(DiscussionOp::PutPost { post: p, .. }) => {
                changes.push((
                    p.community,
                    put_or_remove(post_entry(p), SearchKind::Post, p.id),
                ));
            }
            Op::Document(DocumentOp::PutDocument { document: d, .. }) => {
                add_file(&mut files, d);
                changes.push((
                    d.community,
                    put_or_remove(document_entry(d), SearchKind::Document, d.id),
                ));
            }
            Op::Event(EventOp::PutEvent { event: e, .. }) => {
                changes.push((e.community, IndexChange::Put(event_entry(e))));
            }
            _ => {}
        }
    }
    Touched { changes, files }
}

/// The batch key that reads `item`; its id must be one of its kind.
fn content_wanted(item: &ContentRef) -> Result<Wanted> {
    let bad = || Error::invalid("id", "invalid_id", "not an id of its kind");
    Ok(match item.kind {
        SearchKind::Thread => Wanted::Thread(item.id.parse().map_err(|_| bad())?),
        SearchKind::Post => Wanted::Post(item.id.parse().map_err(|_| bad())?),
        SearchKind::Document => Wanted::Document(item.id.parse().map_err(|_| bad())?),
        SearchKind::Event => Wanted::Event(item.id.parse().map_err(|_| bad())?),
    })
}

/// The change that makes the index hold `item` as `found` has it (the
/// record's own community when found, else the one named).
fn current_change(item: &ContentRef, found: &[Record]) -> (CommunityId, IndexChange) {
    let id = item.id.as_str();
    let record = found.iter().find(|r| match r {
        Record::Thread(t) => item.kind == SearchKind::Thread && t.id.to_string() == id,
        Record::Post(p) => item.kind == SearchKind::Post && p.id.to_string() == id,
        Record::Document(d) => item.kind == SearchKind::Document && d.id.to_string() == id,
        Record::Event(e) => item.kind == SearchKind::Event && e.id.to_string() == id,
        _ => false,
    });
    match record {
        Some(Record::Thread(t)) => (
            t.community,
            match thread_entry(t) {
                Some(entry) => IndexChange::Put(entry),
                None => IndexChange::RemoveThread(t.id),
            },
        ),
        Some(Record::Post(p)) => (
            p.community,
            put_or_remove(post_entry(p), SearchKind::Post, p.id),
        ),
        Some(Record::Document(d)) => (
            d.community,
            put_or_remove(document_entry(d), SearchKind::Document, d.id),
        ),
        Some(Record::Event(e)) => (e.community, IndexChange::Put(event_entry(e))),
        _ => (
            item.community,
            match (item.kind, item.id.parse()) {
                (SearchKind::Thread, Ok(thread)) => IndexChange::RemoveThread(thread),
                _ => IndexChange::Remove {
                    kind: item.kind,
                    id: item.id.clone(),
                },
            },
        ),
    }
}

/// The entries `changes` put.
fn put_entries(changes: &mut [IndexChange]) -> Vec<&mut SearchEntry> {
    changes
        .iter_mut()
        .filter_map(|c| match c {
            IndexChange::Put(entry) => Some(entry),
            _ => None,
        })
        .collect()
}

fn put_or_remove(entry: Option<SearchEntry>, kind: SearchKind, id: impl ToString) -> IndexChange {
    match entry {
        Some(entry) => IndexChange::Put(entry),
        None => IndexChange::Remove {
            kind,
            id: id.to_string(),
        },
    }
}

impl Copkit {
    /// The index, or an internal error when the host configured none.
    fn search_index(&self) -> Result<&std::sync::Arc<dyn crate::search::SearchIndex>> {
        self.search
            .as_ref()
            .ok_or_else(|| Error::Internal("no search index configured".into()))
    }

    /// Content of one community matching `query`, from the spaces the
    /// caller may see now; best first (relevance blended with recency).
    /// A Secret community is `NotFound` to outsiders.
    pub async fn search(
        &self,
        actor: &Actor,
        community: &CommunityId,
        query: &SearchQuery,
        page: &PageRequest,
    ) -> Result<Page<SearchHit>> {
        check(query)?;
        let access = self
            .authorize(actor, community, CommunityAction::ViewListing)
            .await?;
        let spaces = self.searchable(actor, &access).await?;
        let scope = format!("search|{community}|{}", scope_key(query));
        self.search_in(vec![spaces], query, &scope, page).await
    }

    /// Content matching `query` in every community the caller belongs to
    /// (the first [`SEARCH_COMMUNITIES_MAX`]), from the spaces they may see.
    pub async fn search_mine(
        &self,
        actor: &Actor,
        query: &SearchQuery,
        page: &PageRequest,
    ) -> Result<Page<SearchHit>> {
        check(query)?;
        let memberships = self
            .store()
            .list_user_memberships(&actor.user, &Range::first(SEARCH_COMMUNITIES_MAX))
            .await?;
        let mut scopes = Vec::new();
        for m in memberships.items {
            match self
                .authorize(actor, &m.community, CommunityAction::ViewListing)
                .await
            {
                Ok(access) => scopes.push(self.searchable(actor, &access).await?),
                // Left or banned since the list was read.
                Err(Error::NotFound | Error::Forbidden(_)) => {}
                Err(other) => return Err(other),
            }
        }
        let scope = format!("search|me|{}|{}", actor.user, scope_key(query));
        self.search_in(scopes, query, &scope, page).await
    }

    /// The caller's visible, unarchived spaces of the community in `access`.
    async fn searchable(
        &self,
        actor: &Actor,
        access: &crate::service::access::CommunityAccess,
    ) -> Result<SearchScope> {
        let spaces = self
            .visible_spaces(actor, access)
            .await?
            .into_iter()
            .filter(|s: &Space| !s.is_archived())
            .map(|s| s.id)
            .collect();
        Ok(SearchScope {
            community: access.community.id,
            spaces,
        })
    }

    async fn search_in(
        &self,
        scopes: Vec<SearchScope>,
        query: &SearchQuery,
        scope: &str,
        page: &PageRequest,
    ) -> Result<Page<SearchHit>> {
        let range = self.range(scope, page)?;
        let offset = match &range.after {
            Some(position) => position.parse::<u32>().map_err(|_| Error::InvalidCursor)?,
            None => 0,
        };
        let limit = range.limit.clamp(1, PAGE_MAX);
        let request = SearchRequest {
            text: query.q.trim().to_owned(),
            scopes,
            kinds: query.kinds.clone(),
            tag: query.tag.clone(),
            author: query.author.clone(),
            since: query.since,
            before: query.before,
            now: self.now(),
            offset,
            limit,
        };
        let mut found = self.search_index()?.search(&request).await?;
        self.title_replies(&mut found.hits).await?;
        let next_offset = offset + found.hits.len() as u32;
        let next = (found.more && next_offset < OFFSET_MAX).then(|| next_offset.to_string());
        self.page_after(scope, found.hits, next)
    }

    /// Gives each reply its thread's title (one batched read for the page).
    async fn title_replies(&self, hits: &mut [SearchHit]) -> Result<()> {
        let mut wanted: Vec<Wanted> = Vec::new();
        for hit in hits.iter().filter(|h| h.kind == SearchKind::Post) {
            if let Some(thread) = hit.thread
                && !wanted.contains(&Wanted::Thread(thread))
            {
                wanted.push(Wanted::Thread(thread));
            }
        }
        if wanted.is_empty() {
            return Ok(());
        }
        let mut records = self.store().get_records(&wanted).await?;
        let mut titles = BTreeMap::new();
        while let Some(thread) = records.thread() {
            titles.insert(thread.id, thread.title);
        }
        for hit in hits.iter_mut().filter(|h| h.kind == SearchKind::Post) {
            if let Some(title) = hit.thread.and_then(|t| titles.get(&t)) {
                hit.title = title.clone();
            }
        }
        Ok(())
    }

    /// Tells the index what a committed transaction changed. The write has
    /// happened: a failure here leaves the index behind until the
    /// community is rebuilt, and is not the caller's.
    pub(crate) async fn index_touched(&self, touched: Touched) {
        if touched.changes.is_empty() {
            return;
        }
        let Ok(index) = self.search_index() else {
            return;
        };
        let mut by_community: BTreeMap<CommunityId, Vec<IndexChange>> = BTreeMap::new();
        for (community, change) in touched.changes {
            by_community.entry(community).or_default().push(change);
        }
        for (community, mut changes) in by_community {
            self.with_file_text(&mut put_entries(&mut changes), &touched.files)
                .await;
            let _ = index.apply(&community, changes).await;
        }
    }

    /// Writes the index of `community` again from the store: every entry
    /// of its spaces replaces what it held (after the index was lost, or
    /// written by an older version). Archived spaces are indexed too:
    /// searches leave them out of scope until they are unarchived.
    pub async fn reindex_community(&self, community: &CommunityId) -> Result<ReindexReport> {
        let index = self.search_index()?;
        let mut entries = Vec::new();
        let mut files = Files::new();
        if self.store().get_community(community).await?.is_some() {
            let events = self.community_events(community).await?;
            for space in self.store().list_spaces(community).await? {
                entries.extend(self.space_entries(&space.id, &events, &mut files).await?);
            }
        }
        self.with_file_text(&mut entries.iter_mut().collect::<Vec<_>>(), &files)
            .await;
        let report = ReindexReport {
            communities: 1,
            entries: entries.len() as u32,
        };
        index.replace(community, entries).await?;
        Ok(report)
    }

    /// Brings the index up to date with the store for each piece of
    /// content named: put as it is now, or removed when it is deleted,
    /// hidden or gone (a deleted or vanished thread takes its replies).
    /// Naming the same content twice, or in any order, gives the same
    /// index: the serverless indexer applies its feed with this, so a
    /// message delivered again or late does no harm. Returns the changes
    /// applied.
    pub async fn index_current(&self, content: &[ContentRef]) -> Result<u32> {
        let index = self.search_index()?;
        let mut wanted: Vec<ContentRef> = content.to_vec();
        wanted.sort();
        wanted.dedup();
        let mut by_community: BTreeMap<CommunityId, Vec<IndexChange>> = BTreeMap::new();
        let mut files = Files::new();
        for batch in wanted.chunks(CURRENT_BATCH) {
            let mut asked = Vec::with_capacity(batch.len());
            for item in batch {
                asked.push(content_wanted(item)?);
            }
            let found = self.store().get_records(&asked).await?.0;
            for record in &found {
                if let Record::Document(d) = record {
                    add_file(&mut files, d);
                }
            }
            for item in batch {
                let (community, change) = current_change(item, &found);
                by_community.entry(community).or_default().push(change);
            }
        }
        let mut applied = 0;
        for (community, mut changes) in by_community {
            self.with_file_text(&mut put_entries(&mut changes), &files)
                .await;
            applied += changes.len() as u32;
            index.apply(&community, changes).await?;
        }
        Ok(applied)
    }

    /// Adds to each document's entry the text of its current version, as
    /// the text extractor reads it (files up to
    /// [`EXTRACT_MAX_BYTES`](crate::search::text::EXTRACT_MAX_BYTES)). A
    /// file that cannot be read leaves its entry as it was: the title,
    /// description and tags are still found.
    async fn with_file_text(&self, entries: &mut [&mut SearchEntry], files: &Files) {
        for entry in entries.iter_mut() {
            if entry.kind != SearchKind::Document {
                continue;
            }
            let Some((key, content_type, size)) = files.get(&entry.id) else {
                continue;
            };
            if *size > EXTRACT_MAX_BYTES {
                continue;
            }
            let Ok(Some(bytes)) = self.blobs().get(key).await else {
                continue;
            };
            let Some(text) = self.text.extract(content_type, &bytes) else {
                continue;
            };
            let text = text.trim();
            if !text.is_empty() {
                entry.body = if entry.body.is_empty() {
                    text.to_owned()
                } else {
                    format!("{}\n\n{text}", entry.body)
                };
            }
        }
    }

    /// Rebuilds the index of each of `communities` (a host lists them: the
    /// SQLite store's `community_ids`, for one).
    pub async fn reindex(&self, communities: &[CommunityId]) -> Result<ReindexReport> {
        let mut report = ReindexReport::default();
        for community in communities {
            let one = self.reindex_community(community).await?;
            report.communities += one.communities;
            report.entries += one.entries;
        }
        Ok(report)
    }

    /// Every event of a community.
    async fn community_events(&self, community: &CommunityId) -> Result<Vec<Event>> {
        let mut events = Vec::new();
        let mut range = Range::first(100);
        loop {
            let chunk = self.store().list_events(community, &range).await?;
            events.extend(chunk.items);
            match chunk.next {
                Some(next) => range.after = Some(next),
                None => return Ok(events),
            }
        }
    }

    /// Every entry of one space, read from the store (`events`: the
    /// community's).
    async fn space_entries(
        &self,
        space: &SpaceId,
        events: &[Event],
        files: &mut Files,
    ) -> Result<Vec<SearchEntry>> {
        let mut entries = Vec::new();
        let mut range = Range::first(100);
        loop {
            let chunk = self.store().list_threads(space, &range).await?;
            for thread in &chunk.items {
                entries.extend(thread_entry(thread));
                if thread.deleted_at.is_none() {
                    self.for_each_post(thread, |p| entries.extend(post_entry(p)))
                        .await?;
                }
            }
            match chunk.next {
                Some(next) => range.after = Some(next),
                None => break,
            }
        }
        let mut range = Range::first(100);
        loop {
            let chunk = self.store().list_documents(space, &range).await?;
            for d in &chunk.items {
                add_file(files, d);
            }
            entries.extend(chunk.items.iter().filter_map(document_entry));
            match chunk.next {
                Some(next) => range.after = Some(next),
                None => break,
            }
        }
        entries.extend(events.iter().filter(|e| e.space == *space).map(event_entry));
        Ok(entries)
    }

    async fn for_each_post(&self, thread: &Thread, mut each: impl FnMut(&Post)) -> Result<()> {
        let mut range = Range::first(100);
        loop {
            let chunk = self.store().list_posts(&thread.id, &range).await?;
            chunk.items.iter().for_each(&mut each);
            match chunk.next {
                Some(next) => range.after = Some(next),
                None => return Ok(()),
            }
        }
    }
}

/// The query's identity, for binding its cursors.
fn scope_key(query: &SearchQuery) -> String {
    serde_json::to_string(query).unwrap_or_default()
}

fn check(query: &SearchQuery) -> Result<()> {
    let mut check = Checker::new();
    let q = query.q.trim();
    if q.is_empty() || q.chars().count() > QUERY_MAX_CHARS {
        check.fail(
            "q",
            "out_of_range",
            format!("give 1 to {QUERY_MAX_CHARS} characters"),
        );
    }
    if query.kinds.len() > SearchKind::ALL.len() {
        check.fail("kinds", "out_of_range", "name each kind at most once");
    }
    if let Some(tag) = &query.tag
        && (tag.trim().is_empty() || tag.chars().count() > crate::validate::limits::TAG_MAX)
    {
        check.fail("tag", "out_of_range", "not a tag");
    }
    check.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_query_is_checked() {
        let ok = SearchQuery {
            q: "appraisal".into(),
            ..Default::default()
        };
        assert!(check(&ok).is_ok());
        for bad in [
            SearchQuery {
                q: "  ".into(),
                ..Default::default()
            },
            SearchQuery {
                q: "x".repeat(QUERY_MAX_CHARS + 1),
                ..Default::default()
            },
            SearchQuery {
                tag: Some(String::new()),
                ..ok.clone()
            },
        ] {
            assert!(matches!(check(&bad), Err(Error::Invalid(_))), "{bad:?}");
        }
    }

    #[test]
    fn the_scope_key_tells_queries_apart() {
        let a = SearchQuery {
            q: "a".into(),
            ..Default::default()
        };
        let b = SearchQuery {
            kinds: vec![SearchKind::Post],
            ..a.clone()
        };
        assert_ne!(scope_key(&a), scope_key(&b));
    }
}
