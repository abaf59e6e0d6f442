//! Searching through the search function: the API function hands each
//! search to the function that keeps the indexes (Lambda `Invoke`), so it
//! links no search engine and keeps no index copies of its own.
//!
//! The request is [`SearchRequest`] as JSON under `"search"`; the answer is
//! a [`SearchAnswer`] ([`answer`] makes it on the search function's side).
//! The caller has already decided which spaces may be searched (the
//! request's scopes): the search function only runs the query, and only
//! principals allowed to invoke it (the API function's and the scheduler's
//! roles) can ask. Writes are not this side's business: they reach the
//! index through the table's stream and the search function's feed, so
//! [`InvokedSearch`] accepts the write path's changes and drops them, and
//! the write path pays nothing for search.

use async_trait::async_trait;
use aws_sdk_lambda::primitives::Blob;
use copkit_core::ids::CommunityId;
use copkit_core::search::{IndexChange, SearchEntry, SearchIndex, SearchRequest, SearchResults};
use copkit_core::store::StoreError;
use serde::{Deserialize, Serialize};

use crate::dynamo::errors::sdk_error;

/// The payload key of a search handed to the search function.
pub const SEARCH_KEY: &str = "search";

/// The search function's answer to a search.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SearchAnswer {
    /// What was found.
    Results(SearchResults),
    /// The index could not be read now (S3 throttling or unreachable):
    /// the caller may try again after this many seconds.
    Unavailable {
        /// Seconds to wait.
        retry_after_secs: u32,
    },
}

/// The search function's side: runs a handed-over search (the payload
/// under [`SEARCH_KEY`]) on `index`. A request outside the core's own
/// bounds (page size, offset) is refused; a failure other than
/// unavailability is an error (the invocation fails and the caller answers
/// 500).
pub async fn answer(
    index: &dyn SearchIndex,
    request: serde_json::Value,
) -> Result<SearchAnswer, String> {
    let request: SearchRequest =
        serde_json::from_value(request).map_err(|e| format!("a search request: {e}"))?;
    if !(1..=copkit_core::search::PAGE_MAX).contains(&request.limit)
        || request.offset > copkit_core::search::OFFSET_MAX
    {
        return Err("a search request outside the page bounds".into());
    }
    match index.search(&request).await {
        Ok(results) => Ok(SearchAnswer::Results(results)),
        Err(StoreError::Unavailable { retry_after_secs }) => {
            Ok(SearchAnswer::Unavailable { retry_after_secs })
        }
        Err(e) => Err(format!("searching: {e}")),
    }
}

/// Searches by invoking the search function.
#[derive(Debug, Clone)]
pub struct InvokedSearch {
    client: aws_sdk_lambda::Client,
    function: String,
}

impl InvokedSearch {
    /// Searches through `function` (its name or ARN) with `client`.
    pub fn new(client: aws_sdk_lambda::Client, function: impl Into<String>) -> Self {
        InvokedSearch {
            client,
            function: function.into(),
        }
    }
}

#[derive(Serialize)]
struct Payload<'a> {
    search: &'a SearchRequest,
}

#[async_trait]
impl SearchIndex for InvokedSearch {
    async fn apply(&self, _: &CommunityId, _: Vec<IndexChange>) -> Result<(), StoreError> {
        Ok(())
    }

    async fn clear(&self, _: &CommunityId) -> Result<(), StoreError> {
        Ok(())
    }

    async fn replace(&self, _: &CommunityId, _: Vec<SearchEntry>) -> Result<(), StoreError> {
        Ok(())
    }

    async fn search(&self, request: &SearchRequest) -> Result<SearchResults, StoreError> {
        let payload = serde_json::to_vec(&Payload { search: request })
            .map_err(|e| StoreError::Internal(format!("a search request: {e}")))?;
        let answer = self
            .client
            .invoke()
            .function_name(&self.function)
            .payload(Blob::new(payload))
            .send()
            .await
            .map_err(sdk_error)?;
        let body = answer.payload().map(Blob::as_ref).unwrap_or_default();
        if let Some(kind) = answer.function_error() {
            // The function ran and failed (its message is for logs only).
            let message = String::from_utf8_lossy(&body[..body.len().min(500)]);
            tracing::warn!(kind, %message, "the search function failed");
            return Err(StoreError::Internal(format!(
                "the search function failed ({kind})"
            )));
        }
        match serde_json::from_slice(body) {
            Ok(SearchAnswer::Results(results)) => Ok(results),
            Ok(SearchAnswer::Unavailable { retry_after_secs }) => {
                Err(StoreError::Unavailable { retry_after_secs })
            }
            Err(e) => Err(StoreError::Internal(format!(
                "the search function's answer: {e}"
            ))),
        }
    }
}
