//! Polls: members shape their learning by voting.

use axum::Json;
use axum::extract::State;
use copkit_core::model::Page;
use copkit_core::service::{NewPoll, PollView};
use serde::Deserialize;
use utoipa::ToSchema;

use super::api_router::{ApiRouter, routes};
use super::{PollPath, SpacePath};
use crate::auth::Caller;
use crate::extract::{ApiJson, ApiPath, ApiQuery, Created, Paging};
use crate::problem::ApiResult;
use crate::state::AppState;

pub(super) fn routes() -> ApiRouter {
    ApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(get_poll))
        .routes(routes!(vote))
        .routes(routes!(close))
}

/// A space's polls, newest first.
#[utoipa::path(get, path = "/spaces/{id}/polls", tag = "polls", params(SpacePath, Paging),
    responses((status = 200, description = "A page of polls", body = Page<PollView>)))]
async fn list(
    State(s): State<AppState>,
    Caller(me): Caller,
    ApiPath(p): ApiPath<SpacePath>,
    ApiQuery(paging): ApiQuery<Paging>,
) -> ApiResult<Json<Page<PollView>>> {
    Ok(Json(
        s.copkit.list_polls(&me, &p.id, &paging.request()?).await?,
    ))
}

/// Opens a poll.
#[utoipa::path(post, path = "/spaces/{id}/polls", tag = "polls",
    params(SpacePath, crate::openapi::IdempotencyKeyHeader), request_body = NewPoll,
    responses((status = 201, description = "Opened", body = PollView,
        headers(("Location" = String, description = "The new poll")))))]
async fn create(
    State(s): State<AppState>,
    Caller(me): Caller,
    ApiPath(p): ApiPath<SpacePath>,
    ApiJson(input): ApiJson<NewPoll>,
) -> ApiResult<Created<PollView>> {
    let view = s.copkit.create_poll(&me, &p.id, input).await?;
    Ok(Created {
        location: format!("/polls/{}", view.poll.id),
        version: None,
        body: view,
    })
}

/// One poll, with results when the caller may see them.
#[utoipa::path(get, path = "/polls/{id}", tag = "polls", params(PollPath),
    responses((status = 200, description = "The poll", body = PollView)))]
async fn get_poll(
    State(s): State<AppState>,
    Caller(me): Caller,
    ApiPath(p): ApiPath<PollPath>,
) -> ApiResult<Json<PollView>> {
    Ok(Json(s.copkit.get_poll(&me, &p.id).await?))
}

/// A ballot.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BallotBody {
    /// Chosen option numbers (0-based), each once.
    #[serde(deserialize_with = "copkit_core::json::whole_vec_u32")]
    #[schema(format = "copkit:unique+items-index", min_items = 1, max_items = 20)]
    pub choices: Vec<u32>,
}

/// Casts or changes the caller's ballot while the poll is open.
#[utoipa::path(put, path = "/polls/{id}/ballot", tag = "polls", params(PollPath),
    request_body = BallotBody, responses((status = 200, description = "Voted", body = PollView)))]
async fn vote(
    State(s): State<AppState>,
    Caller(me): Caller,
    ApiPath(p): ApiPath<PollPath>,
    ApiJson(body): ApiJson<BallotBody>,
) -> ApiResult<Json<PollView>> {
    Ok(Json(s.copkit.vote(&me, &p.id, &body.choices).await?))
}

/// Ends voting now (the asker or a moderator).
#[utoipa::path(post, path = "/polls/{id}/close", tag = "polls", params(PollPath),
    responses((status = 200, description = "Closed", body = PollView)))]
async fn close(
    State(s): State<AppState>,
    Caller(me): Caller,
    ApiPath(p): ApiPath<PollPath>,
) -> ApiResult<Json<PollView>> {
    Ok(Json(s.copkit.close_poll(&me, &p.id).await?))
}
