//! Search: a community's discussions, documents and events, or all of the
//! caller's communities, only in the spaces the caller may see now.

use axum::Json;
use axum::extract::State;
use copkit_core::error::{Error, FieldError};
use copkit_core::ids::UserId;
use copkit_core::model::{Page, SearchHit, SearchKind};
use copkit_core::service::SearchQuery;
use jiff::Timestamp;
use serde::Deserialize;
use utoipa::IntoParams;

use super::CommunityPath;
use super::api_router::{ApiRouter, routes};
use crate::auth::Caller;
use crate::extract::{ApiPath, ApiQuery, Paging};
use crate::problem::ApiResult;
use crate::state::AppState;

pub(super) fn routes() -> ApiRouter {
    ApiRouter::new()
        .routes(routes!(search_community))
        .routes(routes!(search_mine))
}

/// `?q=&kinds=&tag=&author=&since=&before=`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SearchParams {
    /// The words: every word must match (English stemming: "appraisals"
    /// finds "appraisal"; accents do not matter); `"…"` for a phrase; the
    /// last word also matches the start of a title word.
    #[param(min_length = 1, max_length = 200, pattern = r"\S")]
    pub q: String,
    /// Only these kinds, comma-separated: `thread`, `post`, `document`,
    /// `event` (default: all).
    #[param(
        example = "thread,document",
        pattern = r"^(thread|post|document|event)(,(thread|post|document|event))*$"
    )]
    pub kinds: Option<String>,
    /// Only content with this tag.
    #[param(min_length = 1, max_length = 30, pattern = r"\S")]
    pub tag: Option<String>,
    /// Only content by this person (their user id).
    #[param(value_type = Option<String>, format = "copkit:user-id")]
    pub author: Option<String>,
    /// Only content written at or after this instant (RFC 3339).
    #[param(value_type = Option<String>, format = DateTime)]
    pub since: Option<Timestamp>,
    /// Only content written before this instant (RFC 3339; not after
    /// `since`, or nothing is found).
    #[param(value_type = Option<String>, format = DateTime)]
    pub before: Option<Timestamp>,
}

impl SearchParams {
    /// The core's query; unknown kinds and a malformed author are 422.
    fn query(self) -> Result<SearchQuery, Error> {
        let mut problems = Vec::new();
        let mut kinds = Vec::new();
        for name in self.kinds.iter().flat_map(|k| k.split(',')) {
            match SearchKind::parse(name.trim()) {
                Some(kind) if !kinds.contains(&kind) => kinds.push(kind),
                Some(_) => {}
                None => problems.push(FieldError::new(
                    "kinds",
                    "unknown_kind",
                    "name thread, post, document or event",
                )),
            }
        }
        let author = match self.author.map(UserId::new).transpose() {
            Ok(author) => author,
            Err(_) => {
                problems.push(FieldError::new("author", "invalid_id", "not a user id"));
                None
            }
        };
        if !problems.is_empty() {
            return Err(Error::Invalid(problems));
        }
        Ok(SearchQuery {
            q: self.q,
            kinds,
            tag: self.tag,
            author,
            since: self.since,
            before: self.before,
        })
    }
}

/// Searches one community: threads, replies, documents and events in the
/// spaces you may see now (never anything else: a page is full, and
/// neither its length nor its cursor tells of what you may not see). Best
/// first, relevance blended with recency; each result has a snippet with
/// the matching words marked. A Secret community is 404 to outsiders.
#[utoipa::path(get, path = "/communities/{id}/search", tag = "search",
    params(CommunityPath, SearchParams, Paging),
    responses((status = 200, description = "A page of results", body = Page<SearchHit>)))]
async fn search_community(
    State(s): State<AppState>,
    Caller(me): Caller,
    ApiPath(p): ApiPath<CommunityPath>,
    ApiQuery(params): ApiQuery<SearchParams>,
    ApiQuery(paging): ApiQuery<Paging>,
) -> ApiResult<Json<Page<SearchHit>>> {
    let page = paging.request()?;
    let query = params.query()?;
    Ok(Json(s.copkit.search(&me, &p.id, &query, &page).await?))
}

/// Searches every community you belong to (the first 100), in the spaces
/// you may see in each.
#[utoipa::path(get, path = "/me/search", tag = "search", params(SearchParams, Paging),
    responses((status = 200, description = "A page of results", body = Page<SearchHit>)))]
async fn search_mine(
    State(s): State<AppState>,
    Caller(me): Caller,
    ApiQuery(params): ApiQuery<SearchParams>,
    ApiQuery(paging): ApiQuery<Paging>,
) -> ApiResult<Json<Page<SearchHit>>> {
    let page = paging.request()?;
    let query = params.query()?;
    Ok(Json(s.copkit.search_mine(&me, &query, &page).await?))
}
