//! Searching one or more tantivy indexes of this schema: the query, BM25
//! blended with recency, the page, and each hit with its snippet. The
//! embedded index is one [`Searchable`]; the serverless one holds a
//! [`Searchable`] per community and merges their ranked matches.

use copkit_core::ids::{CommunityId, SpaceId, ThreadId, UserId};
use copkit_core::model::{SearchHit, SearchKind};
use copkit_core::search::{OFFSET_MAX, PAGE_MAX, SNIPPET_MAX_CHARS, SearchRequest, SearchResults};
use copkit_core::store::StoreError;
use jiff::Timestamp;
use tantivy::collector::TopDocs;
use tantivy::query::Query;
use tantivy::schema::Value;
use tantivy::snippet::SnippetGenerator;
use tantivy::{DocAddress, Index, IndexReader, ReloadPolicy, Searcher, SegmentReader};

use crate::query::build;
use crate::schema::{Fields, register_analysers, schema};
use crate::snippet;

/// Days after which recency no longer lifts an entry by half.
const RECENCY_HALF_LIFE_DAYS: f32 = 90.0;
/// How much of the rank recency decides at most.
const RECENCY_WEIGHT: f32 = 0.5;

/// A tantivy error as a store error, with what was being done.
pub(crate) fn failed(context: &str) -> impl FnOnce(tantivy::TantivyError) -> StoreError + '_ {
    move |e| StoreError::Internal(format!("search index: {context}: {e}"))
}

/// An index of this crate's schema, ready to search.
pub struct Searchable {
    pub(crate) index: Index,
    pub(crate) fields: Fields,
    pub(crate) reader: IndexReader,
}

impl std::fmt::Debug for Searchable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Searchable").finish_non_exhaustive()
    }
}

/// Runs blocking index work (tantivy's calls are synchronous) off the
/// async threads.
pub async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> Result<T, StoreError> + Send + 'static,
) -> Result<T, StoreError> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|e| StoreError::Internal(format!("search index task: {e}")))?
}

/// One match: its score, which index, and where in it.
type Ranked = (f32, usize, DocAddress);

impl Searchable {
    /// Searches `index` (its analysers are registered here); the reader is
    /// reloaded only by [`Searchable::reload`].
    pub fn over(index: Index) -> Result<Searchable, StoreError> {
        register_analysers(&index);
        let (_, fields) = schema();
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()
            .map_err(failed("reader"))?;
        Ok(Searchable {
            index,
            fields,
            reader,
        })
    }

    /// Sees what was committed since.
    pub fn reload(&self) -> Result<(), StoreError> {
        self.reader.reload().map_err(failed("reload"))
    }

    /// How many entries it holds (deleted ones excluded).
    pub fn entries(&self) -> u64 {
        self.reader.searcher().num_docs()
    }

    /// The best `wanted` matches of `query` in `searcher` (a snapshot of
    /// this index), with `which` naming this index.
    fn top(
        &self,
        searcher: &Searcher,
        query: &dyn Query,
        request: &SearchRequest,
        wanted: usize,
        which: usize,
    ) -> Result<Vec<Ranked>, StoreError> {
        let now = request.now.as_millisecond();
        let ranked =
            TopDocs::with_limit(wanted.max(1)).tweak_score(move |segment: &SegmentReader| {
                let at = segment.fast_fields().i64("at").ok();
                move |doc, score: f32| {
                    let written = at.as_ref().and_then(|c| c.first(doc)).unwrap_or(now);
                    score * recency(now, written)
                }
            });
        let top = searcher.search(query, &ranked).map_err(failed("search"))?;
        Ok(top
            .into_iter()
            .map(|(score, address)| (score, which, address))
            .collect())
    }

    fn hit(
        &self,
        searcher: &Searcher,
        snippets: &SnippetGenerator,
        address: DocAddress,
    ) -> Result<SearchHit, StoreError> {
        let f = &self.fields;
        let doc: tantivy::TantivyDocument = searcher.doc(address).map_err(failed("read"))?;
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
            author: UserId::from_stored(text(f.author)).map_err(|_| corrupt("author"))?,
            at: Timestamp::from_millisecond(at).map_err(|_| corrupt("time"))?,
        })
    }
}

/// Searches every index in `parts` as one: each gives its best matches up
/// to the end of the page, they are merged by score (ties: the order of
/// `parts`, then index order, so pages never overlap), and only the page's
/// hits are read and given snippets. Scores of different indexes come from
/// different word statistics: across communities the order is close to,
/// not exactly, what one index of them all would give.
pub fn search_all(
    parts: &[&Searchable],
    request: &SearchRequest,
) -> Result<SearchResults, StoreError> {
    let Some(first) = parts.first() else {
        return Ok(SearchResults::default());
    };
    let limit = request.limit.clamp(1, PAGE_MAX) as usize;
    let offset = request.offset.min(OFFSET_MAX) as usize;
    let wanted = offset + limit + 1;
    // Every index has the same schema and analysers: one query serves all.
    let Some(query) = build(&first.index, &first.fields, request) else {
        return Ok(SearchResults::default());
    };
    // One snapshot per index for the ranking and the hits alike: a commit
    // in between must not move what an address points at.
    let searchers: Vec<Searcher> = parts.iter().map(|p| p.reader.searcher()).collect();
    let mut ranked = Vec::new();
    for (which, part) in parts.iter().enumerate() {
        ranked.extend(part.top(&searchers[which], &*query, request, wanted, which)?);
    }
    ranked.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)).then(a.2.cmp(&b.2)));
    let more = ranked.len() > offset + limit;
    let page: Vec<Ranked> = ranked.into_iter().skip(offset).take(limit).collect();
    let mut generators: Vec<Option<SnippetGenerator>> = (0..parts.len()).map(|_| None).collect();
    let mut hits = Vec::with_capacity(page.len());
    for (_, which, address) in page {
        let (part, searcher) = (parts[which], &searchers[which]);
        let slot = &mut generators[which];
        if slot.is_none() {
            let mut snippets = SnippetGenerator::create(searcher, &*query, part.fields.body)
                .map_err(failed("snippet"))?;
            snippets.set_max_num_chars(SNIPPET_MAX_CHARS);
            *slot = Some(snippets);
        }
        if let Some(snippets) = slot.as_ref() {
            hits.push(part.hit(searcher, snippets, address)?);
        }
    }
    Ok(SearchResults { hits, more })
}

/// The factor recency gives a match written at `written` (milliseconds):
/// from 1 for now down towards `1 - RECENCY_WEIGHT`, halving its lift every
/// [`RECENCY_HALF_LIFE_DAYS`].
fn recency(now: i64, written: i64) -> f32 {
    let days = (now.saturating_sub(written).max(0) as f32) / 86_400_000.0;
    1.0 - RECENCY_WEIGHT + RECENCY_WEIGHT * 0.5f32.powf(days / RECENCY_HALF_LIFE_DAYS)
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
}
