//! Search.

use copkit_core::CommunityId;
use copkit_core::model::{Page, PageRequest, SearchHit};
use copkit_core::service::SearchQuery;

use crate::client::Client;
use crate::error::ClientResult;
use crate::operations::*;
use crate::transport::Call;

/// `query` as the operation's query parameters.
fn with_query(call: Call, query: &SearchQuery) -> Call {
    let kinds = (!query.kinds.is_empty()).then(|| {
        query
            .kinds
            .iter()
            .map(|k| k.as_str())
            .collect::<Vec<_>>()
            .join(",")
    });
    call.query("q", Some(&query.q))
        .query("kinds", kinds)
        .query("tag", query.tag.as_ref())
        .query("author", query.author.as_ref())
        .query("since", query.since)
        .query("before", query.before)
}

impl Client {
    /// Searches one community, in the spaces the caller may see.
    pub async fn search(
        &self,
        community: &CommunityId,
        query: &SearchQuery,
        page: &PageRequest,
    ) -> ClientResult<Page<SearchHit>> {
        let call = Call::new(&SEARCH, &[community]).page(page);
        self.json(with_query(call, query)).await
    }

    /// Searches every community the caller belongs to.
    pub async fn search_mine(
        &self,
        query: &SearchQuery,
        page: &PageRequest,
    ) -> ClientResult<Page<SearchHit>> {
        let call = Call::new(&SEARCH_MINE, &[]).page(page);
        self.json(with_query(call, query)).await
    }
}
