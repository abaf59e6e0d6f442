//! Search, in the spaces the caller may see.

use copkit_core::CommunityId;
use copkit_core::service::SearchQuery;

use super::{Session, SessionResult};
use crate::pages::{self, *};

#[uniffi::export(async_runtime = "tokio")]
impl Session {
    /// Searches one community: threads, replies, documents and events in
    /// the spaces you may see now, best first (relevance blended with
    /// recency), each with a snippet whose matching words are marked.
    pub async fn search(
        &self,
        community: CommunityId,
        query: SearchQuery,
        limit: Option<u32>,
        cursor: Option<String>,
    ) -> SessionResult<SearchHitPage> {
        let page = pages::request(limit, cursor);
        Ok(both!(self, search(&community, &query, &page))?.into())
    }

    /// Searches every community you belong to.
    pub async fn search_mine(
        &self,
        query: SearchQuery,
        limit: Option<u32>,
        cursor: Option<String>,
    ) -> SessionResult<SearchHitPage> {
        let page = pages::request(limit, cursor);
        Ok(both!(self, search_mine(&query, &page))?.into())
    }
}
